//! First-compile time of one expression and of the whole library.
use std::time::Instant;
fn main() {
    let t = Instant::now();
    let lib = grok_core::PatternLibrary::legacy();
    println!(
        "load the built-in library: {:.1} ms ({} definitions)",
        t.elapsed().as_secs_f64() * 1e3,
        lib.len()
    );
    let t = Instant::now();
    let p = lib.compile("%{COMBINEDAPACHELOG}").unwrap();
    println!(
        "first compile of COMBINEDAPACHELOG: {:.1} ms ({} fields)",
        t.elapsed().as_secs_f64() * 1e3,
        p.fields().len()
    );
    let t = Instant::now();
    let n = lib
        .names()
        .iter()
        .filter(|n| lib.compile(&format!("%{{{n}}}")).is_ok())
        .count();
    println!(
        "compile all {n} definitions: {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
}
