//! The checks behind the fuzz targets, one function per target.
//!
//! Each target in `fuzz_targets/` is one line that calls [`run`] with its
//! name; `tests/regressions.rs` replays every saved reproducer in
//! `regressions/<target>/` through the same function, so a fixed crash stays
//! fixed and the check code exists once.
//!
//! Every assertion message carries the input in Rust string syntax (`{:?}`),
//! so a failure prints a paste-able reproducer.

use std::borrow::Cow;

use grok_core::{Captures, CompileOptions, ErrorKind, Matcher, Pattern, PatternLibrary, Value};
use once_cell::sync::Lazy;

/// Inputs larger than this are skipped: the targets look for wrong answers
/// and panics, not for the (linear) cost of long lines.
pub const MAX_INPUT: usize = 64 * 1024;

/// The fuzz targets, by name.
pub const TARGETS: &[&str] = &["compile", "match_standard", "library", "differential"];

/// Runs the named target's check on one input.
///
/// # Panics
/// When the check fails (that is the point), or on an unknown target name.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "compile" => compile(data),
        "match_standard" => match_standard(data),
        "library" => library(data),
        "differential" => differential(data),
        other => panic!("unknown fuzz target {other:?}; known: {TARGETS:?}"),
    }
}

/// Lines every compiled expression is matched against in `compile`.
const FIXED_LINES: &[&str] = &[
    "",
    "1.2.3.4",
    "12345.6.7.8 x",
    "hello world 42 -17 3.5e3 0x1F true",
    r#"203.0.113.9 - bob [15/Nov/2023:03:34:01 +0100] "GET /a/b.html?x=1 HTTP/1.1" 200 512 "-" "curl/8.0""#,
    "Nov 15 03:34:01 web01 sshd[4242]: Failed password for invalid user admin from 203.0.113.9 port 4242 ssh2",
    "2024-01-15T03:35:36.123456+00:00 host app[1]: \"quoted \\\" text\" /usr/lib/x C:\\Windows\\x",
    "multi\nline\r\n\ttabs",
    "é1 ünïcödé ß 日本語 \u{1F600} [x] {y} (z)",
];

/// The input as text (lossy), or `None` when it is over [`MAX_INPUT`].
fn text(data: &[u8]) -> Option<Cow<'_, str>> {
    (data.len() <= MAX_INPUT).then(|| String::from_utf8_lossy(data))
}

/// Checks one match result: every value has a span inside the line on char
/// boundaries, `Str` values are exactly their span's text, and `is_match`
/// agrees with `captures`.
pub fn check_match(pattern: &Pattern, line: &str) {
    let expr = pattern.expression();
    let found = match pattern.captures(line) {
        Ok(found) => found,
        Err(e) => {
            assert!(
                matches!(e.kind(), ErrorKind::MatchLimit { .. }),
                "captures failed with an unexpected error: {e}\n  expression: {expr:?}\n  line: {line:?}"
            );
            return;
        }
    };
    match pattern.try_is_match(line) {
        Ok(yes) => assert_eq!(
            yes,
            found.is_some(),
            "is_match and captures disagree\n  expression: {expr:?}\n  line: {line:?}"
        ),
        Err(e) => assert!(
            matches!(e.kind(), ErrorKind::MatchLimit { .. }),
            "is_match failed with an unexpected error: {e}\n  expression: {expr:?}\n  line: {line:?}"
        ),
    }
    if let Some(caps) = found {
        check_spans(expr, line, &caps);
    }
}

/// Every field's spans lie in the line, and each `Str` value is its span's text.
pub fn check_spans(expr: &str, line: &str, caps: &Captures<'_>) {
    for (field, values) in caps.iter() {
        let name = field.name();
        let spans = caps.spans(name);
        assert_eq!(
            spans.len(),
            values.len(),
            "field {name:?}: {} values but {} spans\n  expression: {expr:?}\n  line: {line:?}",
            values.len(),
            spans.len()
        );
        for (value, &(s, e)) in values.iter().zip(spans) {
            assert!(
                s <= e && e <= line.len() && line.is_char_boundary(s) && line.is_char_boundary(e),
                "field {name:?}: span {s}..{e} is not a char range of the line\n  expression: {expr:?}\n  line: {line:?}"
            );
            if let Value::Str(v) = value {
                assert_eq!(
                    *v,
                    &line[s..e],
                    "field {name:?}: value differs from its span {s}..{e}\n  expression: {expr:?}\n  line: {line:?}"
                );
            }
        }
    }
}

/// `compile`: an arbitrary expression against the legacy library. Errors are
/// fine (their message must render); a pattern that compiles is matched
/// against [`FIXED_LINES`] and its own text, alone and in a [`Matcher`](grok_core::Matcher).
pub fn compile(data: &[u8]) {
    let Some(expr) = text(data) else { return };
    let lib = PatternLibrary::legacy();
    match lib.compile(&expr) {
        Ok(pattern) => {
            for line in FIXED_LINES.iter().copied().chain([&*expr]) {
                check_match(&pattern, line);
            }
            if let Ok(matcher) = lib.matcher([&*expr, "%{WORD:word}"]) {
                for line in FIXED_LINES {
                    if let Ok(Some(caps)) = matcher.captures(line) {
                        assert!(
                            caps.pattern_index() < 2,
                            "pattern index out of range\n  expression: {expr:?}"
                        );
                        check_spans(&expr, line, &caps);
                    }
                }
            }
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(!shown.is_empty(), "empty error message for {expr:?}");
            if let Some(offset) = e.offset() {
                if let Some(p) = e.pattern() {
                    assert!(
                        offset <= p.chars().count(),
                        "error offset {offset} is past the end of {p:?}\n  expression: {expr:?}"
                    );
                }
            }
        }
    }
}

/// Standard expressions `match_standard` runs on every input.
const STANDARD: &[&str] = &[
    "%{COMBINEDAPACHELOG}",
    "%{SYSLOGLINE}",
    "%{SSHLINE}",
    "%{HTTPD_ERRORLOG}",
    "%{QS:qs}",
    "%{IP:ip}",
    "%{NUMBER:n}",
    "%{URIPATHPARAM:path}",
];

static STANDARD_PATTERNS: Lazy<Vec<Pattern>> = Lazy::new(|| {
    let lib = PatternLibrary::legacy();
    STANDARD
        .iter()
        .filter_map(|expr| match lib.compile(expr) {
            Ok(p) => Some(p),
            // SSHLINE belongs to a family that may not exist in every build.
            Err(_) if *expr == "%{SSHLINE}" => None,
            Err(e) => panic!("standard expression {expr} does not compile: {e}"),
        })
        .collect()
});

/// The standard expressions as one list (screened together).
static STANDARD_MATCHER: Lazy<Matcher> =
    Lazy::new(|| Matcher::new(STANDARD_PATTERNS.clone()).expect("a list of compiled patterns"));

/// `match_standard`: arbitrary bytes (lossy UTF-8) against the standard
/// patterns, alone (see [`check_match`]) and as one list (see
/// [`check_list`]).
pub fn match_standard(data: &[u8]) {
    let Some(line) = text(data) else { return };
    for pattern in STANDARD_PATTERNS.iter() {
        check_match(pattern, &line);
    }
    check_list(&STANDARD_MATCHER, &line);
}

/// A matcher answers as its expressions tried one by one: the first that
/// matches (`captures`, `is_match`) and every one that does (`captures_all`).
/// Lines on which an expression reaches its step limit are skipped.
pub fn check_list(matcher: &Matcher, line: &str) {
    let Ok(singles) = matcher
        .patterns()
        .iter()
        .map(|p| p.try_is_match(line))
        .collect::<Result<Vec<bool>, _>>()
    else {
        return;
    };
    let first = singles.iter().position(|&m| m);
    let all: Vec<usize> = (0..singles.len()).filter(|&i| singles[i]).collect();
    let got = match matcher.captures(line) {
        Ok(got) => got,
        Err(e) if matches!(e.kind(), ErrorKind::MatchLimit { .. }) => return,
        Err(e) => panic!("list captures failed: {e}\n  line: {line:?}"),
    };
    assert_eq!(
        got.as_ref().map(|c| c.pattern_index()),
        first,
        "the list's first match differs from trying one by one\n  line: {line:?}"
    );
    if let Some(caps) = got {
        check_spans(
            matcher.patterns()[caps.pattern_index()].expression(),
            line,
            &caps,
        );
    }
    let got_all: Vec<usize> = match matcher.captures_all(line) {
        Ok(found) => found.iter().map(|c| c.pattern_index()).collect(),
        Err(e) if matches!(e.kind(), ErrorKind::MatchLimit { .. }) => return,
        Err(e) => panic!("list captures_all failed: {e}\n  line: {line:?}"),
    };
    assert_eq!(got_all, all, "captures_all differs\n  line: {line:?}");
    assert_eq!(
        matcher.is_match(line),
        first.is_some(),
        "is_match differs\n  line: {line:?}"
    );
}

/// `library`: arbitrary text loaded as a pattern file into an empty library;
/// every defined name is compiled (errors are fine) and, when it compiles,
/// matched against the text itself and a few fixed lines.
pub fn library(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let mut lib = PatternLibrary::empty();
    if let Err(e) = lib.load_str(&text) {
        assert!(
            !e.to_string().is_empty(),
            "empty error message for {text:?}"
        );
    }
    let names: Vec<String> = lib.names().into_iter().map(str::to_string).collect();
    for name in names.iter().take(64) {
        let expr = format!("%{{{name}:field}}");
        match lib.compile(&expr) {
            Ok(pattern) => {
                for line in [&*text, FIXED_LINES[3], FIXED_LINES[8]] {
                    check_match(&pattern, line);
                }
            }
            Err(e) => {
                assert!(
                    !e.to_string().is_empty(),
                    "empty error message for {expr:?} in {text:?}"
                )
            }
        }
    }
}

/// Expressions whose definitions use look-arounds or atomic groups, directly
/// or through what they include: where the linear-time path runs checks and
/// may fall back to the exact engine.
const LOOKAROUND: &[&str] = &[
    "%{BASE10NUM:n}",
    "%{NUMBER:n}",
    "%{INT:i} %{NUMBER:n}",
    "%{BASE16NUM:n}",
    "%{BASE16FLOAT:n}",
    "%{QUOTEDSTRING:q}",
    "%{QS:q} %{QS:r}",
    "%{IPV4:ip}",
    "%{IP:ip}",
    "%{IPORHOST:h}:%{POSINT:p}",
    "%{WINPATH:p}",
    "%{YEAR:y}",
    "%{TIME:t}",
    "%{HAPROXYTIME:t}",
    "%{SYSLOGPAMSESSION}",
    "%{MONGO_QUERY:q}",
    "%{TIMESTAMP_ISO8601:ts}",
    "%{DATESTAMP:d}",
    "%{SYSLOGBASE}",
    "%{SYSLOGLINE}",
    "%{COMBINEDAPACHELOG}",
    "%{URI:u}",
    // Atomic groups that nothing after them can extend (not checked after
    // the match), in a loop and beside one that is checked.
    "(?:%{NUMBER:n},)+%{WORD:w}",
    "%{NUMBER:a}/%{YEAR:y}:%{NUMBER:b}2",
];

/// One differential case: grok-core's pattern and Oniguruma running the same
/// expanded regex.
struct DiffCase {
    pattern: Pattern,
    onig: onig::Regex,
    /// For each distinct field (in `pattern.fields()` order): the Oniguruma
    /// group numbers of its captures, in field-table order.
    groups: Vec<(String, Vec<usize>)>,
}

static DIFF_CASES: Lazy<Vec<DiffCase>> = Lazy::new(|| {
    let lib = PatternLibrary::legacy();
    // keep_empty: every participating group is reported, as Oniguruma does.
    let options = CompileOptions::new().keep_empty(true);
    LOOKAROUND
        .iter()
        .map(|expr| {
            let pattern = lib
                .compile_with(expr, &options)
                .unwrap_or_else(|e| panic!("{expr} does not compile: {e}"));
            let onig = onig::Regex::with_options(
                pattern.regex(),
                onig::RegexOptions::REGEX_OPTION_MULTILINE,
                onig::Syntax::ruby(),
            )
            .unwrap_or_else(|e| panic!("Oniguruma rejects the regex of {expr}: {e}"));
            let mut numbers = std::collections::HashMap::new();
            onig.foreach_name(|name, idx| {
                numbers.insert(name.to_string(), idx[0] as usize);
                true
            });
            let table: Vec<(String, usize)> = pattern
                .field_table()
                .enumerate()
                .map(|(i, (name, _))| {
                    let group = *numbers
                        .get(&format!("g{i}"))
                        .unwrap_or_else(|| panic!("{expr}: no group g{i} in its regex"));
                    (name.to_string(), group)
                })
                .collect();
            let groups = pattern
                .fields()
                .iter()
                .map(|f| {
                    let ids = table
                        .iter()
                        .filter(|(n, _)| n == f.name())
                        .map(|&(_, g)| g)
                        .collect();
                    (f.name().to_string(), ids)
                })
                .collect();
            DiffCase {
                pattern,
                onig,
                groups,
            }
        })
        .collect()
});

/// Oniguruma's answer: `None` when it hit its retry limit, else whether it
/// matched and the region.
fn onig_search(re: &onig::Regex, line: &str) -> Option<Option<onig::Region>> {
    let mut region = onig::Region::new();
    let mut param = onig::MatchParam::default();
    param.set_retry_limit_in_match(10_000_000);
    match re.search_with_param(
        line,
        0,
        line.len(),
        onig::SearchOptions::SEARCH_OPTION_NONE,
        Some(&mut region),
        param,
    ) {
        Ok(Some(_)) => Some(Some(region)),
        Ok(None) => Some(None),
        Err(_) => None,
    }
}

/// `differential`: for expressions with look-arounds, grok-core (linear path
/// with checks, exact fallback) must agree with a plain Oniguruma search of
/// [`Pattern::regex`]: match or no match, and the span of every field group.
pub fn differential(data: &[u8]) {
    let Some(line) = text(data) else { return };
    for case in DIFF_CASES.iter() {
        check_differential(case, &line);
    }
}

fn check_differential(case: &DiffCase, line: &str) {
    let expr = case.pattern.expression();
    let Ok(grok) = case.pattern.captures(line) else {
        return; // the exact engine's step limit: nothing to compare
    };
    let Some(onig) = onig_search(&case.onig, line) else {
        return;
    };
    assert_eq!(
        grok.is_some(),
        onig.is_some(),
        "match disagrees: grok-core {}, Oniguruma {}\n  expression: {expr:?}\n  line: {line:?}",
        grok.is_some(),
        onig.is_some()
    );
    if let Ok(yes) = case.pattern.try_is_match(line) {
        assert_eq!(
            yes,
            onig.is_some(),
            "is_match disagrees with Oniguruma\n  expression: {expr:?}\n  line: {line:?}"
        );
    }
    let (Some(caps), Some(region)) = (grok, onig) else {
        return;
    };
    for (name, groups) in &case.groups {
        let want: Vec<(usize, usize)> = groups.iter().filter_map(|&g| region.pos(g)).collect();
        let got = caps.spans(name);
        assert_eq!(
            got,
            &want[..],
            "field {name:?}: grok-core spans {got:?}, Oniguruma {want:?} (decision {:?})\n  expression: {expr:?}\n  line: {line:?}",
            caps.decision()
        );
    }
}
