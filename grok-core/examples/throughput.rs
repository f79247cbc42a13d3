//! Quick single-thread extract throughput: `cargo run --release --example throughput -- EXPR FILE`.
use grok_core::{Captures, PatternLibrary};
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let lib = PatternLibrary::legacy();
    let exprs: Vec<&str> = args[1].split("||").collect();
    let m = lib.matcher(&exprs).unwrap();
    let text = std::fs::read_to_string(&args[2]).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut best = f64::MAX;
    let mut matched = 0;
    let mut exact = 0;
    for _ in 0..3 {
        let start = Instant::now();
        matched = 0;
        exact = 0;
        let mut caps = Captures::new();
        for line in &lines {
            if m.captures_into(line, &mut caps).unwrap() {
                matched += 1;
                if caps.decision() == grok_core::Decision::Exact {
                    exact += 1;
                }
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{} lines, {} matched, {} exact: {:.3}M lines/s",
        lines.len(),
        matched,
        exact,
        lines.len() as f64 / best / 1e6
    );
}
