//! Hostile lines: time per byte must stay flat from 1 KB to 10 MB. Criterion
//! prints bytes/s per size (`Throughput::Bytes`); a flat engine shows the
//! same figure at every size. The `grok` crate's backends run at the small
//! sizes only, where they finish (they backtrack, bounded by their engines'
//! own match limits).
//!
//! `cargo bench -p grok-benches --bench hostile -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::Duration;

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use grok_benches::engines::library;
use grok_benches::hostile::{Case, Outcome, CASES, DATA_CHAIN, SIZES};
use grok_core::{Captures, ErrorKind, Pattern};

/// Line sizes up to which the peers run: PCRE2 (JIT, with its own match
/// limit) stays fast; onig backtracks for seconds per line beyond these.
const PCRE2_MAX: usize = 1_000_000;
const ONIG_MAX: usize = 10_000;

fn outcome(pattern: &Pattern, line: &str) -> Outcome {
    let mut caps = Captures::new();
    match pattern.captures_into(line, &mut caps) {
        Ok(true) => Outcome::Match,
        Ok(false) => Outcome::NoMatch,
        Err(e) if matches!(e.kind(), ErrorKind::MatchLimit { .. }) => Outcome::Limit,
        Err(e) => panic!("{}: {e}", pattern.expression()),
    }
}

macro_rules! grok_crate_pattern {
    ($krate:ident, $expr:expr) => {{
        let mut grok = $krate::Grok::empty();
        for (name, regex) in library().definitions() {
            grok.add_pattern(name, regex);
        }
        grok.compile($expr, true).expect("compiles")
    }};
}

fn run_case(c: &mut Criterion, case: &Case, sizes: &[usize], pcre2_max: usize, onig_max: usize) {
    let pattern = library().compile(case.expr).expect("compiles");
    let pcre2 = grok_crate_pattern!(grok, case.expr);
    // The onig backend of the `grok` crate is measured in a second run:
    // `--no-default-features --features peer-onig` (see benches/README.md).
    let _ = onig_max;
    let mut group = c.benchmark_group(format!("hostile-{}", case.name));
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    for &size in sizes {
        let line = case.line(size);
        let got = outcome(&pattern, &line);
        eprintln!("hostile-{}: {size} bytes: grok-core {got:?}", case.name);
        // A no-match may also end as the exact engine's bounded give-up.
        assert!(
            got == case.outcome || (case.outcome == Outcome::NoMatch && got == Outcome::Limit),
            "{} on a {size}-byte line: {got:?}, expected {:?}",
            case.expr,
            case.outcome
        );
        group.throughput(Throughput::Bytes(line.len() as u64));
        group.bench_with_input(BenchmarkId::new("grok-core", size), &line, |b, line| {
            let mut caps = Captures::new();
            b.iter(|| black_box(pattern.captures_into(black_box(line), &mut caps).is_ok()))
        });
        if size <= pcre2_max {
            group.bench_with_input(
                BenchmarkId::new(grok_benches::engines::GROK_LABEL, size),
                &line,
                |b, line| b.iter(|| black_box(pcre2.match_against(black_box(line)).is_some())),
            );
        }
    }
    group.finish();
}

fn hostile(c: &mut Criterion) {
    for case in CASES {
        run_case(c, case, SIZES, PCRE2_MAX, ONIG_MAX);
    }
    // The DATA chain: 1 MB for grok-core and PCRE2; onig only at sizes where
    // it finishes in about a second.
    run_case(c, &DATA_CHAIN, &[100, 300, 1_000_000], PCRE2_MAX, 300);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = hostile
}
criterion_main!(benches);
