//! Grok: named, reusable regular expressions that turn log lines into typed
//! fields, with the Logstash pattern library built in.
//!
//! ```
//! use grok_core::{PatternLibrary, Value};
//!
//! let lib = PatternLibrary::legacy();
//! let p = lib.compile("%{IPORHOST:client} %{WORD:verb} %{URIPATHPARAM:path} %{NUMBER:bytes:int}")?;
//! let caps = p.captures("10.0.0.7 GET /index.html?x=1 1337")?.expect("the line matches");
//! assert_eq!(caps["client"], Value::Str("10.0.0.7"));
//! assert_eq!(caps["bytes"], Value::Int(1337));
//! # Ok::<(), grok_core::Error>(())
//! ```
//!
//! # Overview
//!
//! - [`PatternLibrary`] holds definitions (`NAME regex`): the standard
//!   Logstash set in its legacy ([`PatternLibrary::legacy`]) or ECS
//!   ([`PatternLibrary::ecs_v1`]) flavour plus the project's sshd family, and
//!   anything you add from strings, files or directories.
//! - [`PatternLibrary::compile`] expands `%{NAME}`, `%{NAME:field}` and
//!   `%{NAME:field:type}` into a [`Pattern`]; [`PatternLibrary::matcher`]
//!   compiles an ordered list into a [`Matcher`] (first match wins).
//! - A match gives [`Captures`]: typed [`Value`]s borrowing the input,
//!   serializable with serde (ECS bracket names become nested maps).
//!
//! Matching follows Logstash: an unanchored search, `.` matches a newline,
//! only named captures become fields, empty captures are dropped, a field
//! captured twice has several values.
//!
//! # Untrusted input
//!
//! Lines are matched by a linear-time engine (regex-automata). The standard
//! library's look-arounds and atomic groups, which that engine cannot run,
//! are replaced by markers checked after the match; only when a check fails
//! does the exact backtracking engine (Oniguruma) run, always under a step
//! limit ([`CompileOptions::match_limit`]), so no line can hang a thread.
//! Compiling is bounded too: nesting depth, expanded size
//! ([`CompileOptions::size_limit`]) and automaton size are limited, and
//! every failure is an [`Error`], never a panic.

#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]

mod backtrack;
mod captures;
mod compile;
mod engine;
mod error;
mod expand;
mod fused;
mod json;
mod library;
mod matcher;
mod once;
mod pattern;
mod per_thread;
mod prog;
mod screen;
mod slots;
mod swar;
mod syntax;
mod utf8;
mod value;
mod visited;
mod word;

pub use captures::Captures;
pub use engine::Decision;
pub use error::{Error, ErrorKind};
pub use library::{Flavour, PatternLibrary};
pub use matcher::Matcher;
pub use pattern::{CompileOptions, FieldInfo, Pattern};
pub use value::{Conversion, FieldType, Value};

#[cfg(test)]
mod thread_safety {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn compiled_objects_are_send_and_sync() {
        assert_send_sync::<super::Pattern>();
        assert_send_sync::<super::Matcher>();
        assert_send_sync::<super::PatternLibrary>();
    }
}

/// The README's Rust examples, compiled and run as doctests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
