//! The extract loop alone, for a profiler:
//!
//! ```sh
//! cargo build --profile bench -p grok-benches --example profile
//! valgrind --tool=callgrind --toggle-collect='*GrokCore*extract*' \
//!     target/release/examples/profile apache 20
//! callgrind_annotate --inclusive=no callgrind.out.<pid> | head -40
//! ```
//!
//! Arguments: a workload name (`apache`, `syslog`, `sshd`, `nomatch`,
//! `fallthrough50`) and how many passes over its corpus (default 20).

use grok_benches::corpus::Corpus;
use grok_benches::engines::GrokCore;
use grok_benches::workload;

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "apache".into());
    let passes: usize = args
        .next()
        .map_or(20, |n| n.parse().expect("a number of passes"));
    let w = workload::all()
        .into_iter()
        .find(|w| w.name == name)
        .unwrap_or_else(|| panic!("unknown workload {name}"));
    let corpus = Corpus::load(w.kind);
    let lines = corpus.lines();
    let core = GrokCore::new(&w.exprs);
    let start = std::time::Instant::now();
    let mut matched = 0;
    for _ in 0..passes {
        matched += core.extract(&lines).matched;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{name}: {passes} passes, {matched} matches, {:.3}M lines/s",
        (passes * lines.len()) as f64 / secs / 1e6
    );
}
