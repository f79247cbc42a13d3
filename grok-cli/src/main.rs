//! `grok-cli`: parse logs with grok patterns from the shell.
//!
//! A thin layer over grok-core: arguments in `args`, inputs in `input`, the
//! main job in `run`, output formats in `output`, introspection in `inspect`.

mod args;
mod input;
mod inspect;
mod output;
mod run;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// Why the command failed; every variant exits with status 2.
#[derive(Debug)]
pub enum Failure {
    /// A pattern or library error from grok-core.
    Grok(grok_core::Error),
    /// Reading or writing failed.
    Io(String),
    /// The arguments do not make sense together.
    Usage(String),
}

impl From<grok_core::Error> for Failure {
    fn from(e: grok_core::Error) -> Failure {
        Failure::Grok(e)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Grok(e) => write!(f, "{e}"),
            Failure::Io(msg) | Failure::Usage(msg) => f.write_str(msg),
        }
    }
}

fn run(cli: Cli) -> Result<bool, Failure> {
    // Locked only by the subcommands: the main job writes from its own
    // writer thread.
    let stdout = io::stdout();
    let out = || stdout.lock();
    let written = |r: io::Result<bool>| match r {
        Ok(any) => Ok(any),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(true),
        Err(e) => Err(Failure::Io(format!("cannot write: {e}"))),
    };
    match cli.command {
        None => run::parse(&cli.parse),
        Some(Command::List { filter, library }) => {
            let lib = run::library(&library)?;
            written(inspect::list(&lib, filter.as_deref(), &mut out()))
        }
        Some(Command::Show { name, library }) => {
            let lib = run::library(&library)?;
            inspect::show(&lib, &name, &mut out()).map(|()| true)
        }
        Some(Command::Explain {
            pattern,
            line,
            library,
        }) => {
            let lib = run::library(&library)?;
            inspect::explain(&lib, &pattern, &line, &mut out())
        }
        Some(Command::Discover { lines, library }) => {
            let lib = run::library(&library)?;
            let lines = if lines.is_empty() {
                inspect::stdin_lines()?
            } else {
                lines
            };
            let mut out = out();
            for line in &lines {
                let expr = inspect::discover(&lib, line)?;
                written(writeln!(out, "{expr}").map(|()| true))?;
            }
            Ok(!lines.is_empty())
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            let _ = writeln!(io::stderr(), "grok-cli: {e}");
            ExitCode::from(2)
        }
    }
}
