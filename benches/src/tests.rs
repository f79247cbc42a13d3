//! Checks that keep the benchmarks honest, cheap enough for `cargo test`
//! (debug build, a sample of each corpus): every implementation runs every
//! workload and agrees with grok-core; the fall-through list falls through;
//! the hand-written regex extracts the same fields as grok-core.

use grok_core::Value;

use crate::corpus::Corpus;
use crate::engines::{
    Dfa, DfaKind, Engine, GrokCore, GrokPcre2, HandRegex, APACHE_FIELDS, APACHE_HAND_REGEX,
};
use crate::hostile;
use crate::workload::{self, FALLTHROUGH_FAILING};

const SAMPLE: usize = 150;

fn sample(corpus: &Corpus) -> Vec<&str> {
    let lines = corpus.lines();
    lines[..SAMPLE.min(lines.len())].to_vec()
}

#[test]
fn every_implementation_agrees_with_grok_core_on_every_workload() {
    for w in workload::all() {
        let corpus = Corpus::load(w.kind);
        let lines = sample(&corpus);
        let core = GrokCore::new(&w.exprs);
        let want = core.extract(&lines).matched;
        assert_eq!(core.is_match(&lines).matched, want, "{}: is_match", w.name);
        let mut engines: Vec<Box<dyn Engine>> = vec![
            Box::new(GrokPcre2::new(&w.exprs).expect("PCRE2 compiles the list")),
            Box::new(Dfa::new(&core.patterns(), DfaKind::HybridUnanchored).unwrap()),
        ];
        if w.matches_at_line_start {
            engines.push(Box::new(
                Dfa::new(&core.patterns(), DfaKind::HybridAnchored).unwrap(),
            ));
        }
        for mut e in engines {
            assert_eq!(e.run(&lines).matched, want, "{}: {}", w.name, e.label());
        }
    }
}

#[test]
fn the_sshd_list_leaves_about_a_fifth_of_auth_lines_unmatched() {
    let w = workload::sshd();
    let corpus = Corpus::load(w.kind);
    let lines = sample(&corpus);
    let matched = GrokCore::new(&w.exprs).extract(&lines).matched;
    let share = matched as f64 / lines.len() as f64;
    assert!((0.7..0.9).contains(&share), "{matched} of {}", lines.len());
}

#[test]
fn the_fallthrough_list_falls_through_to_its_last_expression() {
    assert_eq!(FALLTHROUGH_FAILING.len(), 49);
    let w = workload::fallthrough();
    let corpus = Corpus::load(w.kind);
    let lines = sample(&corpus);
    let lib = crate::engines::library();
    for expr in FALLTHROUGH_FAILING {
        let p = lib.compile(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let hit = lines.iter().find(|l| p.is_match(l));
        assert!(hit.is_none(), "{expr} matches {hit:?}");
    }
    let m = lib.matcher(&w.exprs).unwrap();
    for line in &lines {
        let caps = m
            .captures(line)
            .unwrap()
            .expect("the last expression matches");
        assert_eq!(caps.pattern_index(), 49);
    }
}

#[test]
fn the_hand_written_regex_extracts_what_grok_core_extracts() {
    let corpus = Corpus::load(crate::corpus::Kind::Apache);
    let lines = sample(&corpus);
    let p = crate::engines::library()
        .compile("%{COMBINEDAPACHELOG}")
        .unwrap();
    let names: Vec<&str> = p.fields().iter().map(|f| f.name()).collect();
    assert_eq!(names, APACHE_FIELDS);
    let re = regex::Regex::new(APACHE_HAND_REGEX).unwrap();
    for line in &lines {
        let caps = p.captures(line).unwrap().expect("matches");
        let hand = re.captures(line).expect("matches");
        for name in APACHE_FIELDS {
            let want = caps.get(name).map(|v| match v {
                Value::Str(s) => *s,
                other => panic!("{name}: {other:?}"),
            });
            let got = hand
                .name(name)
                .map(|m| m.as_str())
                .filter(|s| !s.is_empty());
            assert_eq!(got, want, "{name} in {line:?}");
        }
    }
    let mut engine = HandRegex::new(true);
    assert_eq!(engine.run(&lines).matched, lines.len());
}

#[test]
fn hostile_lines_have_the_requested_size() {
    for case in hostile::CASES.iter().chain([&hostile::DATA_CHAIN]) {
        for size in [1_000, 10_000] {
            let line = case.line(size);
            assert!(
                line.len() >= size && line.len() < size + case.unit.len() + case.tail.len() + 1
            );
        }
    }
}
