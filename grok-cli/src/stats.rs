//! `--stats`: what a run read and matched, written to standard error.

use std::io::{self, Write};
use std::time::Duration;

/// Counts of a run, or of one batch of it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lines read.
    pub lines: u64,
    /// Bytes read (decompressed, without line endings).
    pub bytes: u64,
    /// Lines some pattern matched.
    pub matched: u64,
    /// Lines no pattern matched.
    pub unmatched: u64,
    /// Lines whose matching failed (strict conversion, match limit).
    pub errors: u64,
    /// Lines that were not valid UTF-8 (decoded with U+FFFD).
    pub invalid_utf8: u64,
    /// Matches decided by the exact (backtracking) engine rather than the
    /// linear-time one.
    pub exact: u64,
}

impl Stats {
    /// Adds another batch's counts.
    pub fn add(&mut self, other: &Stats) {
        self.lines += other.lines;
        self.bytes += other.bytes;
        self.matched += other.matched;
        self.unmatched += other.unmatched;
        self.errors += other.errors;
        self.invalid_utf8 += other.invalid_utf8;
        self.exact += other.exact;
    }

    /// Writes the report, one `name: value` per line.
    pub fn report(&self, elapsed: Duration, out: &mut dyn Write) -> io::Result<()> {
        let secs = elapsed.as_secs_f64().max(1e-9);
        writeln!(out, "lines: {}", self.lines)?;
        writeln!(out, "matched: {}", self.matched)?;
        writeln!(out, "unmatched: {}", self.unmatched)?;
        writeln!(out, "errors: {}", self.errors)?;
        writeln!(out, "invalid_utf8: {}", self.invalid_utf8)?;
        writeln!(out, "exact_fallback: {}", self.exact)?;
        writeln!(out, "seconds: {secs:.3}")?;
        writeln!(out, "lines_per_second: {:.0}", self.lines as f64 / secs)?;
        writeln!(out, "mb_per_second: {:.1}", self.bytes as f64 / secs / 1e6)
    }
}

/// Writes the report to standard error, ignoring a failing standard error.
pub fn report(stats: &Stats, elapsed: Duration) {
    let _ = stats.report(elapsed, &mut io::stderr().lock());
}
