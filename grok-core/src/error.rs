//! The crate's error type: an opaque [`Error`] with an [`ErrorKind`] to act on.

use std::fmt;

/// What went wrong, in a form a program can act on.
///
/// The enum is `#[non_exhaustive]`: new kinds may be added.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `%{NAME}` names a definition the library does not have.
    UnknownPattern {
        /// The name as written.
        name: String,
        /// The closest known name, if one is close enough to be a likely typo.
        suggestion: Option<String>,
    },
    /// Definitions refer to each other in a loop; `path` is e.g. `["A", "B", "A"]`.
    Cycle {
        /// The chain of names, first and last equal.
        path: Vec<String>,
    },
    /// A `%{…}` reference that cannot be read (unterminated, empty, bad name).
    MalformedReference,
    /// The regular expression itself is not valid.
    InvalidRegex,
    /// `%{NAME:field:type}` names a type that does not exist.
    UnknownType {
        /// The type name as written.
        name: String,
    },
    /// A line of a pattern file could not be read as `NAME regex`.
    PatternFile,
    /// A size or depth limit was exceeded while compiling.
    SizeLimit {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// Strict conversion failed: the captured text is not of the field's type.
    Conversion {
        /// The field name.
        field: String,
        /// The captured text.
        value: String,
    },
    /// The exact (backtracking) engine reached its step limit on this input.
    MatchLimit {
        /// The step (retry) limit in force.
        limit: usize,
    },
    /// Reading a pattern file or directory failed.
    Io,
}

/// The error of every fallible operation in this crate.
///
/// It carries an [`ErrorKind`], a message written for people, and where known
/// the pattern (or definition) and the character offset in it.
///
/// ```
/// use grok_core::{ErrorKind, PatternLibrary};
///
/// let lib = PatternLibrary::legacy();
/// let err = lib.compile("%{SYSLOGBAS}").unwrap_err();
/// assert!(matches!(err.kind(), ErrorKind::UnknownPattern { .. }));
/// assert!(err.to_string().contains("did you mean SYSLOGBASE?"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    pattern: Option<String>,
    offset: Option<usize>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            pattern: None,
            offset: None,
        }
    }

    /// Attaches the text the error is about and the character offset in it,
    /// unless a more specific location is already known.
    pub(crate) fn at(mut self, pattern: &str, offset: usize) -> Error {
        if self.pattern.is_none() {
            self.pattern = Some(pattern.to_string());
            self.offset = Some(offset);
        }
        self
    }

    /// Attaches the text the error is about, without an offset.
    pub(crate) fn in_pattern(mut self, pattern: &str) -> Error {
        if self.pattern.is_none() {
            self.pattern = Some(pattern.to_string());
        }
        self
    }

    /// Prefixes the message with context such as `in definition FOO: `.
    pub(crate) fn context(mut self, context: impl fmt::Display) -> Error {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// The kind of error.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The message alone, without the pattern and caret.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The pattern or definition text the error points into, if known.
    pub fn pattern(&self) -> Option<&str> {
        self.pattern.as_deref()
    }

    /// The character offset into [`Error::pattern`], if known.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(pattern) = &self.pattern {
            // A caret under the failing character, like regex-syntax does, for
            // patterns short enough to show on one line.
            let one_line = !pattern.contains('\n') && pattern.chars().count() <= 200;
            match self.offset {
                Some(offset) if one_line => {
                    write!(f, "\n    {pattern}\n    {}^", " ".repeat(offset))?;
                    write!(f, "\n(at offset {offset})")?;
                }
                Some(offset) => write!(f, " (at offset {offset})")?,
                None if one_line => write!(f, "\n    {pattern}")?,
                None => {}
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
