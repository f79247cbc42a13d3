//! Why a command failed, and how a run ended.

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

/// A failure that ends the command with exit status 2. Its message is
/// printed after `grok-cli: `.
#[derive(Debug)]
pub enum Failure {
    /// A pattern or library error from grok-core; its Display draws the caret.
    Grok(grok_core::Error),
    /// Reading or writing failed; the message names the file.
    Io(String),
    /// The arguments do not make sense together.
    Usage(String),
    /// The output pipe was closed: stop quietly.
    BrokenPipe,
}

impl Failure {
    /// Wraps an error writing the output (a closed pipe is not a failure).
    pub fn write(e: io::Error) -> Failure {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Failure::BrokenPipe
        } else {
            Failure::Io(format!("cannot write the output: {e}"))
        }
    }
}

impl From<grok_core::Error> for Failure {
    fn from(e: grok_core::Error) -> Failure {
        Failure::Grok(e)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Grok(e) => write!(f, "{e}"),
            Failure::Io(msg) | Failure::Usage(msg) => f.write_str(msg),
            Failure::BrokenPipe => f.write_str("broken pipe"),
        }
    }
}

/// How a command that ran to the end went, as grep reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Something matched (exit 0).
    Matched,
    /// Nothing matched (exit 1).
    NoMatch,
    /// Errors were reported along the way, such as an unreadable input or a
    /// line that failed strict conversion (exit 2).
    Trouble,
}

impl Outcome {
    /// `Matched` or `NoMatch`.
    pub fn from_matched(matched: bool) -> Outcome {
        if matched {
            Outcome::Matched
        } else {
            Outcome::NoMatch
        }
    }

    /// The process exit status.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Matched => ExitCode::SUCCESS,
            Outcome::NoMatch => ExitCode::from(1),
            Outcome::Trouble => ExitCode::from(2),
        }
    }
}

/// Writes `grok-cli: MESSAGE` to standard error, above the progress bar if
/// one is drawn. A failing standard error is ignored: there is nowhere left
/// to report it.
pub fn warn(bar: Option<&indicatif::ProgressBar>, message: fmt::Arguments<'_>) {
    let print = || {
        let _ = writeln!(io::stderr(), "grok-cli: {message}");
    };
    match bar {
        Some(bar) => bar.suspend(print),
        None => print(),
    }
}
