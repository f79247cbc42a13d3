//! Same-moment ratios on a noisy machine: grok-core against the `grok`
//! crate peer (the backend this build's features choose), run in
//! interleaved rounds.
//!
//! ```sh
//! cargo run --release -p grok-benches --example ratios [ROUNDS]
//! cargo run --release -p grok-benches --no-default-features \
//!     --features peer-onig --example ratios [ROUNDS]
//! ```
//!
//! Criterion measures each implementation for seconds in turn, so a
//! neighbour that takes the core for a while skews one row against the
//! others. Here every round times each implementation once, back to back
//! (about 0.1 s each), and the report gives the median of the per-round
//! ratios, which such bursts move much less. It also gives the 50-list
//! against the single expression it ends with, the same way.

use std::time::Instant;

use grok_benches::corpus::Corpus;
use grok_benches::engines::{Engine, GrokCoreEngine, GrokPcre2, GROK_LABEL};
use grok_benches::workload::{self, Workload};

/// Lines per second of one timed run of at least `min_secs`.
fn rate(engine: &mut dyn Engine, lines: &[&str], min_secs: f64) -> f64 {
    let start = Instant::now();
    let mut passes = 0usize;
    loop {
        std::hint::black_box(engine.run(std::hint::black_box(lines)));
        passes += 1;
        let secs = start.elapsed().as_secs_f64();
        if secs >= min_secs {
            return (passes * lines.len()) as f64 / secs;
        }
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Times `a` and `b` in `rounds` interleaved rounds; returns the median
/// rate of each and the median of the per-round ratios `a / b`.
fn interleaved(
    a: &mut dyn Engine,
    b: &mut dyn Engine,
    lines: &[&str],
    rounds: usize,
) -> (f64, f64, f64) {
    let (mut ra, mut rb, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        // Alternate which goes first, so neither always runs warm.
        let (x, y) = if round % 2 == 0 {
            let x = rate(a, lines, 0.1);
            (x, rate(b, lines, 0.1))
        } else {
            let y = rate(b, lines, 0.1);
            (rate(a, lines, 0.1), y)
        };
        ra.push(x);
        rb.push(y);
        ratios.push(x / y);
    }
    (median(ra), median(rb), median(ratios))
}

fn checked(engine: &mut dyn Engine, lines: &[&str], expected: usize, w: &Workload) {
    let got = engine.run(lines).matched;
    assert_eq!(
        got,
        expected,
        "{}: {} matches {got} lines, expected {expected}",
        w.name,
        engine.label()
    );
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(15, |n| n.parse().expect("a number of rounds"));
    println!("| workload | grok-core extract | {GROK_LABEL} extract | ratio (median of {rounds} rounds) |");
    println!("|---|---:|---:|---:|");
    for w in workload::all() {
        if w.name == "nomatch" || w.name == "fallthrough50" {
            continue;
        }
        let corpus = Corpus::load(w.kind);
        let lines = corpus.lines();
        let mut core = GrokCoreEngine::extract(&w.exprs);
        let expected = core.run(&lines).matched;
        let Ok(mut peer) = GrokPcre2::new(&w.exprs) else {
            eprintln!("{}: {GROK_LABEL} cannot compile the expressions", w.name);
            continue;
        };
        checked(&mut peer, &lines, expected, &w);
        let (a, b, ratio) = interleaved(&mut core, &mut peer, &lines, rounds);
        println!(
            "| {} | {:.3}M lines/s | {:.3}M lines/s | {ratio:.2}× |",
            w.name,
            a / 1e6,
            b / 1e6
        );
    }
    let list = workload::fallthrough();
    let single = workload::apache();
    let corpus = Corpus::load(list.kind);
    let lines = corpus.lines();
    let mut long = GrokCoreEngine::extract(&list.exprs);
    let mut one = GrokCoreEngine::extract(&single.exprs);
    let expected = one.run(&lines).matched;
    checked(&mut long, &lines, expected, &list);
    let (a, b, ratio) = interleaved(&mut one, &mut long, &lines, rounds);
    println!(
        "\n{}: the 50-expression list runs at {:.3}M lines/s, the single \
         expression at {:.3}M: the list costs {ratio:.2}× the single expression \
         (median of {rounds} rounds)",
        list.name,
        b / 1e6,
        a / 1e6
    );
}
