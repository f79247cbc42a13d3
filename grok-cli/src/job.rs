//! The work done on each batch of lines: match, then format or count.
//! A [`Job`] is immutable and shared by every parsing thread.

use grok_core::{Captures, Decision, Matcher};

use crate::args::{ParseArgs, Unmatched};
use crate::count::{CountBy, Counts};
use crate::error::Failure;
use crate::input::Batch;
use crate::library;
use crate::output::Formatter;
use crate::stats::Stats;

/// What to do with each line, built from the arguments.
#[derive(Debug)]
pub struct Job {
    matcher: Matcher,
    all_matches: bool,
    formatter: Formatter,
    count_by: Option<CountBy>,
    unmatched: Unmatched,
    /// Collect unmatched lines as read, for standard error or a file.
    collect_unmatched: bool,
}

/// What one batch produced, to be written in input order.
#[derive(Debug, Default)]
pub struct Done {
    /// The batch's position in the run.
    pub seq: u64,
    /// Formatted output.
    pub out: Vec<u8>,
    /// Unmatched lines as they were read, newline-terminated.
    pub unmatched: Vec<u8>,
    /// Messages about lines that failed, `SOURCE:LINE: message`.
    pub errors: Vec<String>,
    /// `--count-by` counts.
    pub counts: Counts,
    /// Counts for `--stats`.
    pub stats: Stats,
}

impl Done {
    /// Empties it for batch `seq`, giving back the memory a huge batch made
    /// its buffers take.
    fn clear(&mut self, seq: u64) {
        const KEEP: usize = 4 << 20;
        self.seq = seq;
        self.out.clear();
        self.out.shrink_to(KEEP);
        self.unmatched.clear();
        self.unmatched.shrink_to(KEEP);
        self.errors.clear();
        self.counts = Counts::default();
        self.stats = Stats::default();
    }
}

/// Scratch space reused across the lines of a batch.
#[derive(Default)]
struct Scratch {
    key: Vec<u8>,
}

impl Job {
    /// Compiles the patterns and checks the output options.
    pub fn new(args: &ParseArgs) -> Result<Job, Failure> {
        let lib = library::build(&args.library)?;
        let options = library::options(&args.compile);
        let expressions: Vec<String> = args
            .patterns
            .iter()
            .map(|p| library::expression(p))
            .collect();
        let matcher = lib.matcher_with(&expressions, &options)?;
        let keep = args.unmatched == Unmatched::Keep;
        let formatter = Formatter::new(
            args.format,
            &args.fields,
            args.with_pattern,
            args.with_line,
            keep,
            &matcher,
        )?;
        let count_by = if args.count_by.is_empty() {
            None
        } else {
            Some(CountBy::new(&args.count_by, &matcher)?)
        };
        Ok(Job {
            matcher,
            all_matches: args.all_matches,
            formatter,
            count_by,
            unmatched: args.unmatched,
            collect_unmatched: args.unmatched == Unmatched::Stderr || args.unmatched_file.is_some(),
        })
    }

    /// The output formatter.
    pub fn formatter(&self) -> &Formatter {
        &self.formatter
    }

    /// The `--count-by` fields, if counting.
    pub fn count_by(&self) -> Option<&CountBy> {
        self.count_by.as_ref()
    }

    /// Matches every line of a batch, replacing what `done` held with the
    /// results (`done` is reused from batch to batch, keeping its buffers).
    pub fn process(&self, batch: &Batch, done: &mut Done) {
        done.clear(batch.seq);
        if self.count_by.is_none() {
            // JSON is about twice the size of the line.
            done.out.reserve(batch.bytes() * 2);
        }
        let mut scratch = Scratch::default();
        let mut caps = Captures::new();
        for (i, raw) in batch.lines().enumerate() {
            done.stats.lines += 1;
            done.stats.bytes += raw.len() as u64;
            let result = match std::str::from_utf8(raw) {
                Ok(line) => self.line(line, &mut caps, &mut scratch, done),
                Err(_) => {
                    done.stats.invalid_utf8 += 1;
                    let line = String::from_utf8_lossy(raw);
                    self.line(&line, &mut Captures::new(), &mut scratch, done)
                }
            };
            match result {
                Ok(true) => done.stats.matched += 1,
                Ok(false) => {
                    done.stats.unmatched += 1;
                    if self.collect_unmatched {
                        done.unmatched.extend_from_slice(raw);
                        done.unmatched.push(b'\n');
                    }
                }
                Err(e) => {
                    done.stats.errors += 1;
                    let number = batch.first_line + i as u64;
                    done.errors
                        .push(format!("{}:{number}: {}", batch.source, e.message()));
                }
            }
        }
    }

    /// Matches one line and records the result; returns whether it matched.
    fn line<'a>(
        &'a self,
        line: &'a str,
        caps: &mut Captures<'a>,
        scratch: &mut Scratch,
        done: &mut Done,
    ) -> Result<bool, grok_core::Error> {
        let matched = if self.all_matches {
            let all = self.matcher.captures_all(line)?;
            for caps in &all {
                self.record(caps, line, scratch, done);
            }
            !all.is_empty()
        } else {
            let matched = self.matcher.captures_into(line, caps)?;
            if matched {
                self.record(caps, line, scratch, done);
            }
            matched
        };
        if !matched && self.unmatched == Unmatched::Keep && self.count_by.is_none() {
            self.formatter.write_unmatched(&mut done.out, line);
        }
        Ok(matched)
    }

    fn record(&self, caps: &Captures<'_>, line: &str, scratch: &mut Scratch, done: &mut Done) {
        done.stats.exact += u64::from(caps.decision() == Decision::Exact);
        match &self.count_by {
            Some(count_by) => count_by.add(&mut done.counts, caps, &mut scratch.key),
            None => self.formatter.write_match(&mut done.out, caps, line),
        }
    }
}
