//! Every kind of bad input gives a clear error, never a panic or a hang.

use grok_core::{CompileOptions, Conversion, ErrorKind, PatternLibrary};

fn lib_with(defs: &str) -> PatternLibrary {
    let mut lib = PatternLibrary::legacy();
    lib.load_str(defs).unwrap();
    lib
}

#[test]
fn unknown_pattern_suggests_the_closest_name() {
    let err = PatternLibrary::legacy().compile("%{SSHLIN}").unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::UnknownPattern {
            name: "SSHLIN".into(),
            suggestion: Some("SSHLINE".into())
        }
    );
    assert!(err
        .to_string()
        .starts_with("unknown pattern name SSHLIN in the expression; did you mean SSHLINE?"));
    assert_eq!(err.offset(), Some(0));
}

#[test]
fn unknown_pattern_inside_a_definition_names_the_definition() {
    let lib = lib_with("OUTER %{WORD} %{NOSUCHTHING}\n");
    let err = lib.compile("x %{OUTER:o}").unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::UnknownPattern { name, suggestion: None } if name == "NOSUCHTHING")
    );
    assert!(err.message().contains("in definition OUTER"), "{err}");
    assert_eq!(err.pattern(), Some("%{WORD} %{NOSUCHTHING}"));
    assert_eq!(err.offset(), Some(8));
}

#[test]
fn cycles_show_the_path() {
    let lib = lib_with("A x%{B}\nB y%{C}\nC %{A}z\n");
    let err = lib.compile("%{A}").unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::Cycle {
            path: vec!["A".into(), "B".into(), "C".into(), "A".into()]
        }
    );
    assert!(err.message().contains("A -> B -> C -> A"), "{err}");
    let lib = lib_with("SELF a%{SELF}\n");
    assert!(
        matches!(lib.compile("%{SELF}").unwrap_err().kind(), ErrorKind::Cycle { path } if path.len() == 2)
    );
}

#[test]
fn malformed_references_point_at_the_position() {
    for (expr, offset) in [
        ("%{IP:client", 0),
        ("abc %{", 6),
        ("%{}", 2),
        ("x %{IP:a %{WORD}", 2),
    ] {
        let err = PatternLibrary::legacy().compile(expr).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::MalformedReference, "{expr}: {err}");
        assert_eq!(err.offset(), Some(offset), "{expr}: {err}");
        assert!(err.to_string().contains("malformed %{…}"), "{err}");
    }
}

#[test]
fn invalid_regex_points_at_the_position() {
    let err = PatternLibrary::legacy()
        .compile("%{IP:ip} (unclosed")
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidRegex);
    assert_eq!(err.offset(), Some(9));
    assert!(err.to_string().contains("unclosed group"), "{err}");
    let lib = lib_with("BAD [a-\n");
    let err = lib.compile("%{BAD}").unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidRegex);
    assert!(
        err.message().starts_with("in definition BAD (<string>:1)"),
        "{err}"
    );
}

#[test]
fn unknown_types_are_compile_errors() {
    let err = PatternLibrary::legacy()
        .compile("%{NUMBER:n:integr}")
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::UnknownType {
            name: "integr".into()
        }
    );
    assert!(
        err.to_string().contains("known types: string, int"),
        "{err}"
    );
}

#[test]
fn bad_pattern_file_lines_name_file_and_line() {
    let dir = std::env::temp_dir().join(format!("grok-core-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mine");
    std::fs::write(&file, "# comment\nGOOD [a-z]+\nLONELY\n").unwrap();
    let err = PatternLibrary::empty().load_file(&file).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::PatternFile);
    assert!(
        err.message().contains(&format!("{}:3:", file.display())),
        "{err}"
    );
    std::fs::write(&file, b"BIN \xff\xfe\n").unwrap();
    assert_eq!(
        PatternLibrary::empty().load_file(&file).unwrap_err().kind(),
        &ErrorKind::PatternFile
    );
    let missing = dir.join("missing");
    let err = PatternLibrary::empty().load_file(&missing).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Io);
    assert!(err.message().contains("missing"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn strict_conversion_names_field_and_value() {
    let lib = lib_with("ANY \\S+\n");
    let opts = CompileOptions::new().conversion(Conversion::Strict);
    let p = lib.compile_with("%{ANY:port:int}", &opts).unwrap();
    let err = p.captures("80x").unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::Conversion {
            field: "port".into(),
            value: "80x".into()
        }
    );
    assert_eq!(err.message(), "field port: \"80x\" is not a valid int");
    let lenient = lib.compile("%{ANY:port:int}").unwrap();
    assert_eq!(
        lenient.captures("80x").unwrap().unwrap()["port"],
        grok_core::Value::Int(80)
    );
}

#[test]
fn definitions_nested_ten_thousand_deep_are_an_error() {
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!("D{i} a%{{D{}}}\n", i + 1));
    }
    text.push_str("D10000 end\n");
    let lib = lib_with(&text);
    let err = lib.compile("%{D0}").unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::SizeLimit { .. }), "{err}");
    assert!(
        err.message().contains("nests deeper than the limit"),
        "{err}"
    );
}

#[test]
fn ten_thousand_definitions_load_and_compile() {
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!("P{i} p{i}x\n"));
    }
    let lib = lib_with(&text);
    assert_eq!(lib.get("P9999"), Some("p9999x"));
    let p = lib.compile("%{P9999:last}").unwrap();
    assert_eq!(
        p.captures("zz p9999x").unwrap().unwrap()["last"].as_str(),
        Some("p9999x")
    );
}

#[test]
fn exponential_expansion_hits_the_size_limit() {
    // Each level doubles the expansion: 2^40 copies if nothing stopped it.
    let mut text = String::from("L0 [a-z]\n");
    for i in 1..=40 {
        text.push_str(&format!("L{i} %{{L{p}}}%{{L{p}}}\n", p = i - 1));
    }
    let lib = lib_with(&text);
    let err = lib.compile("%{L40}").unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::SizeLimit { .. }), "{err}");
}

#[test]
fn huge_repetitions_and_alternations_are_bounded() {
    let lib = PatternLibrary::legacy();
    let err = lib.compile("(?:%{IP}){100000}").unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::SizeLimit { .. }), "{err}");
    assert!(err.to_string().contains("size limit"), "{err}");
    let err = lib.compile("a{1000000}").unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::SizeLimit { .. } | ErrorKind::InvalidRegex
        ),
        "{err}"
    );
    let alternation: Vec<String> = (0..20_000).map(|i| format!("w{i}")).collect();
    let p = lib
        .compile(&format!("(?<w>{})", alternation.join("|")))
        .unwrap();
    assert!(p.is_match("xx w19999 yy"));
}

#[test]
fn nonsense_syntax_is_an_error() {
    for expr in [
        "(?",
        "(?P<x>a)",
        "[[:nope:]]",
        "\\",
        "(?<>a)",
        "\\xff",
        "[b-a]",
        "(?~a)",
        "\\p{",
    ] {
        let err = PatternLibrary::legacy().compile(expr);
        assert!(err.is_err(), "{expr:?} should not compile");
    }
}

#[test]
fn the_exact_engines_step_limit_engages_and_reports() {
    // A backreference is beyond the linear engine, so every candidate line
    // goes to the exact engine; nested quantifiers make it exponential.
    let lib = PatternLibrary::legacy();
    let opts = CompileOptions::new().match_limit(50_000);
    let p = lib
        .compile_with("^(?<x>(?:a|aa)+)+\\k<x>b$", &opts)
        .unwrap();
    assert!(!p.is_linear());
    // The required literal "b" is there, so nothing short-cuts the search.
    let line = "a".repeat(40) + "!b";
    let started = std::time::Instant::now();
    let err = p.captures(&line).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::MatchLimit { limit: 50_000 });
    assert!(
        err.message()
            .contains("gave up on this input after 50000 backtracking steps"),
        "{err}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // The error names the expression that gave up, also through a list.
    assert_eq!(err.pattern(), Some("^(?<x>(?:a|aa)+)+\\k<x>b$"));
    let m = grok_core::Matcher::new(vec![lib.compile("%{INT:n}").unwrap(), p.clone()]).unwrap();
    assert_eq!(
        m.captures(&line).unwrap_err().pattern(),
        Some(p.expression())
    );
    assert!(p.try_is_match(&line).is_err());
    assert!(!p.is_match(&line));
    // A line it can decide is still decided.
    assert_eq!(
        p.captures("aab").unwrap().unwrap()["x"],
        grok_core::Value::Str("a")
    );
}

#[test]
fn hostile_lines_against_standard_patterns_finish() {
    // Long runs that make backtracking engines explode: decided on the
    // linear path (the benchmarks show time per byte staying flat).
    let lib = PatternLibrary::legacy();
    let cases = [
        ("%{IP:ip}", "1.".repeat(100_000)),
        ("%{QS:q}", format!("\"{}", "\\\"a".repeat(100_000))),
        ("%{UNIXPATH:p}", "/a".repeat(100_000) + "\0"),
        ("%{DATA:a} %{DATA:b} %{DATA:c} x", "y ".repeat(100_000)),
        ("%{COMBINEDAPACHELOG}", "1".repeat(200_000)),
    ];
    for (expr, line) in cases {
        let p = lib.compile(expr).unwrap();
        let started = std::time::Instant::now();
        let _ = p.captures(&line).unwrap();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{expr} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn stacked_possessive_quantifiers_compile_quickly() {
    // Found by the compile fuzz target: each `++` nests an atomic group.
    let started = std::time::Instant::now();
    let expr = format!("G{}", "+".repeat(60));
    let _ = PatternLibrary::legacy().compile(&expr);
    let nested = format!("{}a{}", "(?>".repeat(40), ")".repeat(40));
    let p = PatternLibrary::legacy().compile(&nested).unwrap();
    assert!(p.is_match("xa"));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
