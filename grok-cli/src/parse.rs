//! The default action: parse the inputs with the patterns and write one
//! result per match (or the `--count-by` table).

use std::io::{self, IsTerminal};
use std::time::Instant;

use crate::args::{ParseArgs, Unmatched};
use crate::error::{Failure, Outcome};
use crate::input;
use crate::job::Job;
use crate::output;
use crate::pipeline::{self, Sink};
use crate::stats;

/// The number of parsing threads: `--threads`, or one per core for 0.
fn threads(requested: usize) -> usize {
    match requested {
        0 => thread_count(),
        n => n,
    }
}

fn thread_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs the default action.
pub fn run(args: &ParseArgs) -> Result<Outcome, Failure> {
    let started = Instant::now();
    let job = Job::new(args)?;
    let files = input::or_stdin(&args.files);
    let counting = job.count_by().is_some();
    // A bar would garble results written to the same terminal.
    let show_bar = !args.no_progress
        && io::stderr().is_terminal()
        && (counting || !io::stdout().is_terminal());
    let bar = if show_bar {
        input::progress_bar(&files)
    } else {
        None
    };
    let mut sink = Sink::new(
        output::stdout(args.line_buffered),
        args.line_buffered,
        args.unmatched == Unmatched::Stderr,
        args.unmatched_file.as_deref(),
        bar,
    )?;
    if !counting {
        if let Some(header) = job.formatter().header() {
            sink.out().write_all(&header).map_err(Failure::write)?;
        }
    }
    let result = pipeline::run(&job, &files, threads(args.threads), &mut sink);
    if let Some(bar) = sink.bar() {
        bar.finish_and_clear();
    }
    let failed_inputs = result?;
    if let Some(count_by) = job.count_by() {
        let counts = std::mem::take(&mut sink.counts);
        count_by
            .write(counts, args.top, job.formatter(), sink.out())
            .map_err(Failure::write)?;
    }
    sink.flush()?;
    if args.stats {
        stats::report(&sink.stats, started.elapsed());
    }
    Ok(if failed_inputs > 0 || sink.stats.errors > 0 {
        Outcome::Trouble
    } else {
        Outcome::from_matched(sink.stats.matched > 0)
    })
}
