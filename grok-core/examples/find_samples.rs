//! Maintenance tool (regenerates testdata/pattern_samples.jsonl):
//! `cargo run --release -p grok-core --example find_samples -- testdata/sshd.jsonl samples/* testdata/conformance.jsonl testdata/sample_lines_extra.txt`.
//! Picks, for every definition of both flavours, the first
//! candidate line (from the files given) that `%{NAME}` matches, and writes
//! `testdata/pattern_samples.jsonl` lines to stdout; uncovered names go to stderr.
fn main() {
    let mut candidates: Vec<String> = Vec::new();
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).unwrap();
        if path.ends_with(".jsonl") {
            for line in text.lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                if let Some(s) = v["input"].as_str() {
                    candidates.push(s.to_string());
                }
            }
        } else {
            candidates.extend(text.lines().take(300).map(str::to_string));
        }
    }
    for (flavour, lib) in [
        ("legacy", grok_core::PatternLibrary::legacy()),
        ("ecs-v1", grok_core::PatternLibrary::ecs_v1()),
    ] {
        for name in lib.names() {
            let p = lib.compile(&format!("%{{{name}}}")).unwrap();
            let found = candidates
                .iter()
                .find(|c| p.is_match(c))
                .cloned()
                .or_else(|| {
                    (0..64)
                        .map(|variant| generate(p.linear_regex(), variant))
                        .find(|g| p.is_match(g))
                });
            match found {
                Some(c) => println!(
                    "{}",
                    serde_json::json!({"flavour": flavour, "name": name, "input": c})
                ),
                None => eprintln!("{flavour} {name}"),
            }
        }
    }
}

/// A string the regex matches (look-arounds ignored), built from its HIR;
/// `variant` picks other alternatives and repeat counts.
fn generate(pattern: &str, variant: usize) -> String {
    use regex_syntax::hir::{Class, Hir, HirKind};
    fn walk(h: &Hir, variant: usize, depth: usize, out: &mut String) {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => {}
            HirKind::Literal(lit) => out.push_str(&String::from_utf8_lossy(&lit.0)),
            HirKind::Class(Class::Unicode(c)) => {
                let ranges = c.ranges();
                let preferred = ['a', 'T', '1', '0', 'x', ' ', '-', '.', '/', ':'];
                let pick = preferred
                    .iter()
                    .copied()
                    .find(|p| ranges.iter().any(|r| r.start() <= *p && *p <= r.end()));
                if let Some(ch) = pick.or_else(|| ranges.first().map(|r| r.start())) {
                    out.push(ch);
                }
            }
            HirKind::Class(Class::Bytes(c)) => {
                if let Some(r) = c.ranges().first() {
                    out.push(r.start() as char);
                }
            }
            HirKind::Repetition(rep) => {
                let extra = if variant >> (depth % 6) & 1 == 1 {
                    1
                } else {
                    0
                };
                let n = rep.min.max(if rep.max == Some(0) { 0 } else { 1 }) + extra;
                let n = rep.max.map_or(n, |m| n.min(m));
                for _ in 0..n {
                    walk(&rep.sub, variant, depth + 1, out);
                }
            }
            HirKind::Capture(cap) => walk(&cap.sub, variant, depth + 1, out),
            HirKind::Concat(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, variant, depth + i + 1, out);
                }
            }
            HirKind::Alternation(items) => {
                let choice = (variant / 2 + depth) % items.len();
                let choice = if variant == 0 { 0 } else { choice };
                walk(&items[choice], variant, depth + 1, out);
            }
        }
    }
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .dot_matches_new_line(true)
        .nest_limit(1000)
        .build()
        .parse(pattern)
    else {
        return String::new();
    };
    let mut out = String::new();
    walk(&hir, variant, 0, &mut out);
    out
}
