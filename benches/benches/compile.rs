//! Compile time: `%{COMBINEDAPACHELOG}` with the library's cache bypassed
//! (a fresh clone with one definition added), the cached lookup, and every
//! definition of the library; the `grok` crate's backends for comparison.
//!
//! `cargo bench -p grok-benches --bench compile -- --warm-up-time 1 --measurement-time 3`
//!
//! grok-core memoizes its automaton analyses process-wide, so "fresh library"
//! measures a compile whose analyses are warm (as every compile after the
//! first in a process is).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};
use grok_benches::engines::library;
use grok_core::PatternLibrary;

/// A clone of the legacy library with a new definition: its compile cache is empty.
fn fresh_library() -> PatternLibrary {
    let mut lib = library();
    lib.add("X_UNUSED", "x").expect("a valid name");
    lib
}

macro_rules! grok_crate {
    ($krate:ident) => {{
        let mut grok = $krate::Grok::empty();
        for (name, regex) in library().definitions() {
            grok.add_pattern(name, regex);
        }
        grok
    }};
}

fn combined_apache(c: &mut Criterion) {
    const EXPR: &str = "%{COMBINEDAPACHELOG}";
    let mut group = c.benchmark_group("compile-COMBINEDAPACHELOG");
    group.bench_function("grok-core/fresh-library", |b| {
        b.iter_batched(
            fresh_library,
            |lib| lib.compile(EXPR).expect("compiles"),
            BatchSize::PerIteration,
        )
    });
    let cached = library();
    cached.compile(EXPR).expect("compiles");
    group.bench_function("grok-core/cached", |b| {
        b.iter(|| cached.compile(black_box(EXPR)).expect("compiles"))
    });
    let pcre2 = grok_crate!(grok);
    group.bench_function("grok+pcre2", |b| {
        b.iter(|| pcre2.compile(black_box(EXPR), true).expect("compiles"))
    });
    group.finish();
}

fn all_definitions(c: &mut Criterion) {
    let names: Vec<String> = library().names().into_iter().map(String::from).collect();
    let exprs: Vec<String> = names.iter().map(|n| format!("%{{{n}}}")).collect();

    let compile_all =
        |lib: &PatternLibrary| exprs.iter().filter(|e| lib.compile(e).is_ok()).count();
    let core_ok = compile_all(&fresh_library());
    let pcre2 = grok_crate!(grok);
    let pcre2_all = || {
        exprs
            .iter()
            .filter(|e| pcre2.compile(e, true).is_ok())
            .count()
    };
    let pcre2_ok = pcre2_all();
    eprintln!(
        "compile-all-definitions: {} definitions; compile: grok-core {core_ok}, grok+pcre2 {pcre2_ok}",
        exprs.len()
    );
    assert_eq!(
        core_ok,
        exprs.len(),
        "every definition compiles in grok-core"
    );

    let mut group = c.benchmark_group("compile-all-definitions");
    group.sampling_mode(SamplingMode::Flat).sample_size(10);
    group.bench_function("grok-core/fresh-library", |b| {
        b.iter_batched(
            fresh_library,
            |lib| assert_eq!(compile_all(&lib), core_ok),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("grok+pcre2", |b| {
        b.iter(|| assert_eq!(pcre2_all(), pcre2_ok))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    targets = combined_apache, all_definitions
}
criterion_main!(benches);
