//! The log corpora the benchmarks read.
//!
//! By default the small corpora committed in `benches/corpus-small/` (2,000
//! lines each, made by `shared/bench/gen_corpus.py --lines 2000`, its default
//! seed). Set `GROK_BENCH_CORPUS=DIR` to run on a directory made by the same
//! script with more lines (`benches/corpus/` is git-ignored for that); the
//! expected match counts then come from grok-core itself, and every other
//! implementation must agree with it.

use std::path::PathBuf;

/// One of the generated corpora.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Apache combined log lines.
    Apache,
    /// RFC 3164 syslog lines.
    Syslog,
    /// sshd auth-log lines (~80% match the sshd list).
    Secure,
}

impl Kind {
    /// The file name `gen_corpus.py` gives it.
    pub fn file_name(self) -> &'static str {
        match self {
            Kind::Apache => "apache.log",
            Kind::Syslog => "syslog.log",
            Kind::Secure => "secure.log",
        }
    }
}

/// A corpus held in memory, split into lines.
#[derive(Debug)]
pub struct Corpus {
    text: String,
    /// Whether it is the committed corpus (whose match counts are known).
    pub committed: bool,
}

impl Corpus {
    /// Loads a corpus (see the module docs for where from).
    ///
    /// # Panics
    /// If the file cannot be read: a benchmark without input measures nothing.
    pub fn load(kind: Kind) -> Corpus {
        let (dir, committed) = match std::env::var_os("GROK_BENCH_CORPUS") {
            Some(dir) => (PathBuf::from(dir), false),
            None => (
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus-small"),
                true,
            ),
        };
        let path = dir.join(kind.file_name());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read corpus {}: {e}", path.display()));
        Corpus { text, committed }
    }

    /// The lines, without their line terminators.
    pub fn lines(&self) -> Vec<&str> {
        self.text.lines().collect()
    }
}

/// Total bytes of the lines (terminators not counted): what `Throughput::Bytes` reports.
pub fn bytes(lines: &[&str]) -> u64 {
    lines.iter().map(|l| l.len() as u64).sum()
}
