//! Prints which definitions run wholly on the linear-time path, and how
//! often the exact fallback decides a match on the given log files.
//!
//! ```sh
//! cargo run --release -p grok-core --example linear_report -- 'SYSLOGLINE=samples/syslog.log' …
//! ```

use grok_core::{Captures, Decision, Flavour, PatternLibrary};

fn main() {
    for flavour in [Flavour::Legacy, Flavour::EcsV1] {
        let lib = PatternLibrary::builtin(flavour);
        let mut linear = 0;
        let mut not_linear = Vec::new();
        for name in lib.names() {
            match lib.compile(&format!("%{{{name}}}")) {
                Ok(p) if p.is_linear() => linear += 1,
                Ok(_) => not_linear.push(name),
                Err(e) => println!("{flavour:?} {name}: {e}"),
            }
        }
        println!(
            "{flavour:?}: {linear} of {} definitions run wholly on the linear-time path; the others may confirm a match with the bounded exact engine: {}",
            lib.len(),
            not_linear.join(", ")
        );
    }
    let lib = PatternLibrary::legacy();
    for arg in std::env::args().skip(1) {
        let (name, path) = arg.split_once('=').expect("NAME=FILE");
        let p = lib.compile(&format!("%{{{name}}}")).expect("compiles");
        let text = std::fs::read_to_string(path).expect("readable");
        let (mut lines, mut matched, mut exact) = (0usize, 0usize, 0usize);
        let mut caps = Captures::new();
        for line in text.lines() {
            lines += 1;
            if p.captures_into(line, &mut caps).unwrap_or(false) {
                matched += 1;
                exact += usize::from(caps.decision() == Decision::Exact);
            }
        }
        println!("{name} on {path}: {lines} lines, {matched} matched, {exact} decided by the exact fallback");
    }
}
