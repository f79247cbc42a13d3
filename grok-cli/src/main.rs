//! `grok-cli`: parse logs with grok patterns from the shell.
//!
//! `main` only maps the outcome to an exit status; [`run`] dispatches to the
//! default action ([`parse`]) or an introspection command.

mod args;
mod columns;
mod count;
mod discover;
mod error;
mod explain;
mod input;
mod inspect;
mod job;
mod library;
mod output;
mod parse;
mod pipeline;
mod stats;

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use error::{Failure, Outcome};

/// mimalloc: fewer page faults and cheaper small allocations than the system
/// allocator, for compiling patterns and growing each thread's tables.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(outcome) => outcome.exit_code(),
        Err(Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "grok-cli: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs the command the arguments ask for.
fn run(cli: Cli) -> Result<Outcome, Failure> {
    let Some(command) = cli.command else {
        return parse::run(&cli.parse);
    };
    let mut out = output::stdout(false);
    let outcome = match command {
        Command::List { filter, library } => {
            let lib = library::build(&library)?;
            Outcome::from_matched(inspect::list(&lib, filter.as_deref(), &mut out)?)
        }
        Command::Show {
            pattern,
            library,
            compile,
        } => {
            let lib = library::build(&library)?;
            inspect::show(&lib, &pattern, &library::options(&compile), &mut out)?;
            Outcome::Matched
        }
        Command::Explain {
            pattern,
            lines,
            library,
            compile,
        } => {
            let lib = library::build(&library)?;
            let lines = lines_or_stdin(lines)?;
            let options = library::options(&compile);
            Outcome::from_matched(explain::explain(
                &lib, &pattern, &lines, &options, &mut out,
            )?)
        }
        Command::Discover { lines, library } => {
            let lib = library::build(&library)?;
            let discoverer = discover::Discoverer::new(&lib);
            let lines = lines_or_stdin(lines)?;
            for line in &lines {
                writeln!(out, "{}", discoverer.discover(line)).map_err(Failure::write)?;
            }
            Outcome::from_matched(!lines.is_empty())
        }
    };
    out.flush().map_err(Failure::write)?;
    Ok(outcome)
}

/// The lines given, or those of standard input (decoded lossily, without
/// their `\r\n` or `\n`).
fn lines_or_stdin(lines: Vec<String>) -> Result<Vec<String>, Failure> {
    if !lines.is_empty() {
        return Ok(lines);
    }
    let mut read = Vec::new();
    for line in io::stdin().lock().split(b'\n') {
        let line = line.map_err(|e| Failure::Io(format!("cannot read <stdin>: {e}")))?;
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        read.push(String::from_utf8_lossy(line).into_owned());
    }
    Ok(read)
}
