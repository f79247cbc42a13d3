//! Properties that must hold for any input.

use grok_core::{CompileOptions, Conversion, Decision, PatternLibrary, Value};
use proptest::prelude::*;

/// Patterns whose standard definitions use look-arounds or atomic groups,
/// so the relaxed engine's checks and the exact fallback both get exercised.
const PATTERNS: &[&str] = &[
    "%{IPV4:ip}",
    "%{IP:ip} %{NUMBER:n}",
    "%{NUMBER:a}%{NUMBER:b}",
    "%{QS:q}",
    "%{BASE16FLOAT:f}",
    "%{TIMESTAMP_ISO8601:ts}",
    "%{TIME:t}",
    "%{SYSLOGBASE}",
    "%{HOSTPORT:hp}",
    "%{YEAR:y}",
    "%{WINPATH:w}",
    "%{COMBINEDAPACHELOG}",
    "%{URIPATHPARAM:u}",
    "%{WORD:w}",
    "%{MONTH:m}",
];

/// Lines assembled from fragments that sit near the assertions' edges.
fn line() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        "[0-9]{1,4}",
        Just(".".to_string()),
        Just(" ".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just("'".to_string()),
        Just(":".to_string()),
        Just("-".to_string()),
        Just("+".to_string()),
        Just("/".to_string()),
        Just("T".to_string()),
        Just("é".to_string()),
        // Word characters for Oniguruma's `\b`, not for regex-automata's.
        Just("½".to_string()),
        Just("²".to_string()),
        // The other way round.
        Just("\u{200D}".to_string()),
        Just("\n".to_string()),
        Just("<".to_string()),
        "[a-zA-Z]{1,5}",
        Just("10.0.0.1".to_string()),
        Just("2024-01-02T03:04:05".to_string()),
        Just("[11/Oct/2000:13:55:36 -0700]".to_string()),
        Just("C:\\x\\y".to_string()),
        Just("0x1F.8".to_string()),
    ];
    prop::collection::vec(fragment, 0..14).prop_map(|parts| parts.concat())
}

/// [`PATTERNS`] five times over (75 expressions: more than one list
/// screen's worth), alone and as one list.
static ALL_PATTERNS: std::sync::LazyLock<(grok_core::Matcher, Vec<grok_core::Pattern>)> =
    std::sync::LazyLock::new(|| {
        let lib = PatternLibrary::legacy();
        let exprs: Vec<&str> = PATTERNS
            .iter()
            .cycle()
            .take(5 * PATTERNS.len())
            .copied()
            .collect();
        let patterns = exprs.iter().map(|e| lib.compile(e).unwrap()).collect();
        (lib.matcher(&exprs).unwrap(), patterns)
    });

/// Each captured field's name and values, comparable across patterns.
fn fields_of(caps: &grok_core::Captures) -> Vec<(String, String)> {
    caps.iter()
        .map(|(f, v)| (f.name().to_string(), format!("{v:?}")))
        .collect()
}

fn exact_engine(pattern: &grok_core::Pattern) -> onig::Regex {
    onig::Regex::with_options(
        pattern.regex(),
        onig::RegexOptions::REGEX_OPTION_MULTILINE,
        onig::Syntax::ruby(),
    )
    .expect("the exact regex compiles")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    /// The linear-time path (with its checks) and a pure backtracking run of
    /// the exact regex give the same match and the same field spans.
    #[test]
    fn linear_path_agrees_with_backtracking(index in 0..PATTERNS.len(), text in line()) {
        let lib = PatternLibrary::legacy();
        let p = lib.compile_with(PATTERNS[index], &CompileOptions::new().keep_empty(true)).unwrap();
        let onig = exact_engine(&p);
        let mut region = onig::Region::new();
        let expected = onig.search_with_options(&text, 0, text.len(), onig::SearchOptions::SEARCH_OPTION_NONE, Some(&mut region));
        let caps = p.captures(&text).unwrap();
        prop_assert_eq!(caps.is_some(), expected.is_some(), "pattern {} on {:?}", PATTERNS[index], text);
        if let Some(caps) = caps {
            // Groups g0, g1, … are numbered in field-table order; compare the
            // spans of every field against Oniguruma's groups by name.
            let mut names = Vec::new();
            onig.foreach_name(|name, groups| { names.push((name.to_string(), groups.to_vec())); true });
            for (name, groups) in names {
                let id: usize = name[1..].parse().unwrap();
                let want = region.pos(groups[0] as usize);
                let (field, _) = p.field_table().nth(id).unwrap();
                let got = caps.spans(field);
                if let Some(span) = want {
                    prop_assert!(got.contains(&span), "{} field {} want {:?} got {:?} on {:?}", PATTERNS[index], field, span, got, text);
                }
            }
        }
    }

    /// Every string value is the input's text at its reported span.
    #[test]
    fn values_are_the_text_at_their_spans(index in 0..PATTERNS.len(), text in line()) {
        let lib = PatternLibrary::legacy();
        let p = lib.compile(PATTERNS[index]).unwrap();
        if let Some(caps) = p.captures(&text).unwrap() {
            for (field, values) in caps.iter() {
                let spans = caps.spans(field.name());
                prop_assert_eq!(values.len(), spans.len());
                for (value, &(s, e)) in values.iter().zip(spans) {
                    if let Value::Str(v) = value {
                        prop_assert_eq!(*v, &text[s..e]);
                    }
                }
            }
        }
    }

    /// A Matcher's answer equals trying its expressions one by one.
    #[test]
    fn matcher_equals_trying_in_order(text in line()) {
        let lib = PatternLibrary::legacy();
        let exprs = ["%{IPV4:ip}", "%{NUMBER:n:float}", "%{QS:q}", "%{WORD:w}"];
        let m = lib.matcher(exprs).unwrap();
        let first = exprs.iter().position(|e| lib.compile(e).unwrap().is_match(&text));
        let got = m.captures(&text).unwrap().map(|c| c.pattern_index());
        prop_assert_eq!(got, first);
        let all: Vec<usize> = m.captures_all(&text).unwrap().iter().map(|c| c.pattern_index()).collect();
        let want: Vec<usize> = (0..exprs.len()).filter(|&i| lib.compile(exprs[i]).unwrap().is_match(&text)).collect();
        prop_assert_eq!(all, want);
    }

    /// A long list (screened together in one pass) answers as its
    /// expressions tried one by one, fields included.
    #[test]
    fn long_matcher_equals_trying_in_order(text in line()) {
        let (matcher, patterns) = &*ALL_PATTERNS;
        let first = patterns.iter().position(|p| p.is_match(&text));
        let got = matcher.captures(&text).unwrap();
        prop_assert_eq!(got.as_ref().map(|c| c.pattern_index()), first);
        if let (Some(got), Some(i)) = (got, first) {
            let want = patterns[i].captures(&text).unwrap().unwrap();
            prop_assert_eq!(fields_of(&got), fields_of(&want));
        }
        let all: Vec<usize> = matcher.captures_all(&text).unwrap().iter().map(|c| c.pattern_index()).collect();
        let want: Vec<usize> = (0..patterns.len()).filter(|&i| patterns[i].is_match(&text)).collect();
        prop_assert_eq!(all, want);
        prop_assert_eq!(matcher.is_match(&text), first.is_some());
    }

    /// Lenient and strict conversion agree wherever strict succeeds.
    #[test]
    fn lenient_agrees_with_strict_where_strict_succeeds(text in "[ +\\-0-9a-fA-Z._eE]{0,12}", ty in 0usize..3) {
        let mut lib = PatternLibrary::empty();
        lib.add("ALL", ".+").unwrap();
        let type_name = ["int", "float", "boolean"][ty];
        let expr = format!("^%{{ALL:v:{type_name}}}$");
        let strict = lib.compile_with(&expr, &CompileOptions::new().conversion(Conversion::Strict)).unwrap();
        let lenient = lib.compile(&expr).unwrap();
        if let Ok(Some(s)) = strict.captures(&text) {
            let l = lenient.captures(&text).unwrap().unwrap();
            prop_assert_eq!(s.get("v"), l.get("v"));
        }
    }
}

/// Expanding any library definition gives the same regex every time.
#[test]
fn expansion_is_deterministic() {
    for flavour in [grok_core::Flavour::Legacy, grok_core::Flavour::EcsV1] {
        let lib = PatternLibrary::builtin(flavour);
        for name in lib.names() {
            let expr = format!("%{{{name}}}");
            let Ok(a) = lib.compile_with(&expr, &CompileOptions::new().size_limit(1 << 23)) else {
                continue;
            };
            let mut fresh = lib.clone();
            fresh.add("CACHE_BUSTER", "x").unwrap();
            let b = fresh
                .compile_with(&expr, &CompileOptions::new().size_limit(1 << 23))
                .unwrap();
            assert_eq!(a.regex(), b.regex(), "{name}");
            assert_eq!(a.linear_regex(), b.linear_regex(), "{name}");
        }
    }
}

#[test]
fn look_arounds_are_enforced_during_the_search() {
    let p = PatternLibrary::legacy().compile("%{IPV4:ip}").unwrap();
    let caps = p.captures("1234.5.6.7 and 1.2.3.4").unwrap().unwrap();
    assert_eq!(caps["ip"], Value::Str("1.2.3.4"));
    assert_eq!(caps.decision(), Decision::Linear);
    // "229" must not end at "22" because an optional part follows.
    let p = PatternLibrary::legacy()
        .compile("from %{IPV4:ip}(?: ssh2)?")
        .unwrap();
    let caps = p.captures("from 8.68.252.229 port 1").unwrap().unwrap();
    assert_eq!(
        (caps["ip"], caps.decision()),
        (Value::Str("8.68.252.229"), Decision::Linear)
    );
}

#[test]
fn look_aheads_of_several_chars_are_enforced_without_a_fallback() {
    // TIME's `(?!<[0-9])` is two chars long: checked char by char on the
    // match, which the greedy run must give back to pass.
    let p = PatternLibrary::legacy()
        .compile("(?<w>[a-z]+)(?!<[0-9])")
        .unwrap();
    for (line, word) in [("ab<5", "a"), ("ab<x", "ab"), ("ab<", "ab"), ("ab", "ab")] {
        let caps = p.captures(line).unwrap().unwrap();
        assert_eq!(
            (caps["w"], caps.decision()),
            (Value::Str(word), Decision::Linear),
            "{line}"
        );
    }
}

#[test]
fn failed_atomic_checks_fall_back_to_the_exact_engine() {
    // BASE10NUM is atomic: at "123" it takes all three digits, so INT
    // cannot follow; the exact engine finds the match at "4+5".
    let p = PatternLibrary::legacy()
        .compile("%{NUMBER:n}%{INT:m}")
        .unwrap();
    let caps = p.captures("123 4+5").unwrap().unwrap();
    assert_eq!((caps["n"], caps["m"]), (Value::Str("4"), Value::Str("+5")));
    assert_eq!(caps.decision(), Decision::Exact);
}

#[test]
fn word_boundaries_use_oniguruma_s_word_characters() {
    let lib = PatternLibrary::legacy();
    // `½` is a word character for Oniguruma, so there is no boundary between
    // `E` and `½`: BASE16FLOAT's `\b` lets only the `1` of "1 E½" match.
    let p = lib.compile("%{BASE16FLOAT:f}").unwrap();
    let caps = p.captures("E½ 1").unwrap().unwrap();
    assert_eq!(
        (caps["f"], caps.decision()),
        (Value::Str("1"), Decision::Linear)
    );
    // `\b\w+\b`: `x½` has no boundary after the `x`, the joiner is no word
    // character, so `y` stands alone.
    let p = lib.compile("%{WORD:w}").unwrap();
    let caps = p.captures("x½ y").unwrap().unwrap();
    assert_eq!(caps["w"], Value::Str("y"));
    let caps = p.captures("\u{200D}abc\u{200D}").unwrap().unwrap();
    assert_eq!(caps["w"], Value::Str("abc"));
    // The same lines through a list, which screens with the lazy DFA first.
    let m = lib.matcher(["%{WORD:w} %{INT:n}", "%{WORD:w}"]).unwrap();
    let caps = m.captures("x½ y").unwrap().unwrap();
    assert_eq!(caps["w"], Value::Str("y"));
}
