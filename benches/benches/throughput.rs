//! Lines per second on the corpora: every workload × implementation × mode in
//! one criterion run, on identical inputs.
//!
//! `cargo bench -p grok-benches --bench throughput -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use grok_benches::corpus::{self, Corpus};
use grok_benches::engines::{Dfa, DfaKind, Engine, GrokCore, GrokCoreEngine, GrokPcre2, HandRegex};
use grok_benches::workload::{self, Workload};

/// Every implementation that can run the workload; the ones that cannot
/// (a peer that rejects an expression, a DFA over its size limit) are
/// reported on stderr and left out.
fn engines(w: &Workload) -> Vec<Box<dyn Engine>> {
    let mut out: Vec<Box<dyn Engine>> = vec![
        Box::new(GrokCoreEngine::extract(&w.exprs)),
        Box::new(GrokCoreEngine::is_match(&w.exprs)),
    ];
    match GrokPcre2::new(&w.exprs) {
        Ok(e) => out.push(Box::new(e)),
        Err(e) => eprintln!("{}: grok+pcre2 left out: {e}", w.name),
    }
    if w.name == "apache" {
        out.push(Box::new(HandRegex::new(true)));
        out.push(Box::new(HandRegex::new(false)));
    }
    let patterns = GrokCore::new(&w.exprs).patterns();
    let mut kinds = vec![DfaKind::HybridUnanchored];
    if w.matches_at_line_start {
        kinds.insert(0, DfaKind::HybridAnchored);
        // The dense DFA is built for COMBINEDAPACHELOG only: ~12 s and ~115 MiB;
        // SYSLOGLINE's exceeds 1 GiB after ~70 s.
        if w.name == "apache" {
            kinds.push(DfaKind::DenseAnchored);
        }
    }
    for kind in kinds {
        let start = Instant::now();
        match Dfa::new(&patterns, kind) {
            Ok(dfa) => {
                eprintln!(
                    "{}: {kind:?} built in {:.2?}, {} KiB",
                    w.name,
                    start.elapsed(),
                    dfa.memory_usage() >> 10
                );
                out.push(Box::new(dfa));
            }
            Err(e) => eprintln!(
                "{}: {kind:?} left out after {:.2?}: {e}",
                w.name,
                start.elapsed()
            ),
        }
    }
    out
}

fn throughput(c: &mut Criterion) {
    for w in workload::all() {
        let corpus = Corpus::load(w.kind);
        let lines = corpus.lines();
        let expected = GrokCore::new(&w.exprs).extract(&lines).matched;
        if corpus.committed {
            assert_eq!(
                expected, w.committed_matches,
                "{}: grok-core's match count on the committed corpus changed",
                w.name
            );
        }
        let mut group = c.benchmark_group(w.name);
        group.throughput(Throughput::Bytes(corpus::bytes(&lines)));
        for mut engine in engines(&w) {
            let label = engine.label();
            let got = engine.run(&lines).matched;
            assert_eq!(
                got, expected,
                "{}: {label} matches {got} lines, grok-core {expected}",
                w.name
            );
            group.bench_function(&label, |b| b.iter(|| engine.run(black_box(&lines))));
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    targets = throughput
}
criterion_main!(benches);
