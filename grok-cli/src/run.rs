//! The main job: read lines, match them, write results in input order.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use grok_core::{Captures, CompileOptions, Conversion, Decision, Matcher, PatternLibrary};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::{Format, LibraryArgs, ParseArgs, Unmatched};
use crate::input::{self, Batch};
use crate::output::Formatter;
use crate::Failure;

/// Builds the pattern library the arguments ask for.
pub fn library(args: &LibraryArgs) -> Result<PatternLibrary, Failure> {
    let mut lib = if args.ecs {
        PatternLibrary::ecs_v1()
    } else {
        PatternLibrary::legacy()
    };
    for path in &args.pattern_files {
        lib.load_path(path).map_err(Failure::from)?;
    }
    for def in &args.define {
        let (name, regex) = def
            .split_once('=')
            .ok_or_else(|| Failure::Usage(format!("--define expects NAME=REGEX, got {def:?}")))?;
        lib.add(name, regex).map_err(Failure::from)?;
    }
    Ok(lib)
}

/// A bare pattern name (`SSHLINE`) stands for `%{SSHLINE}`.
pub fn expression(pattern: &str) -> String {
    let bare = !pattern.is_empty()
        && pattern
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if bare {
        format!("%{{{pattern}}}")
    } else {
        pattern.to_string()
    }
}

/// Counts of one run, or of one batch.
#[derive(Default, Clone, Copy)]
struct Stats {
    lines: u64,
    matched: u64,
    unmatched: u64,
    errors: u64,
    invalid_utf8: u64,
    exact: u64,
}

impl Stats {
    fn add(&mut self, other: &Stats) {
        self.lines += other.lines;
        self.matched += other.matched;
        self.unmatched += other.unmatched;
        self.errors += other.errors;
        self.invalid_utf8 += other.invalid_utf8;
        self.exact += other.exact;
    }
}

/// What one batch produced.
#[derive(Default)]
struct BatchOut {
    seq: u64,
    out: Vec<u8>,
    unmatched: Vec<u8>,
    messages: Vec<u8>,
    counts: HashMap<Vec<String>, u64>,
    stats: Stats,
}

struct Job {
    matcher: Matcher,
    expressions: Vec<String>,
    formatter: Formatter,
    all_matches: bool,
    unmatched: Unmatched,
    keep_unmatched_lines: bool,
    count_by: Vec<String>,
}

impl Job {
    fn record(&self, result: &mut BatchOut, caps: &Captures<'_>, line: &str) {
        result.stats.exact += u64::from(caps.decision() == Decision::Exact);
        if self.count_by.is_empty() {
            let expression = &self.expressions[caps.pattern_index()];
            self.formatter
                .write_match(&mut result.out, caps, expression, line);
            return;
        }
        let mut key = Vec::with_capacity(self.count_by.len());
        for field in &self.count_by {
            let values = caps.get_all(field);
            if values.is_empty() {
                return;
            }
            key.push(
                values
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            );
        }
        *result.counts.entry(key).or_insert(0) += 1;
    }

    fn process(&self, batch: &Batch) -> BatchOut {
        let mut result = BatchOut {
            seq: batch.seq,
            ..BatchOut::default()
        };
        let mut caps = Captures::new();
        for (i, raw) in batch.lines().enumerate() {
            let number = batch.first_line + i as u64;
            match std::str::from_utf8(raw) {
                Ok(line) => self.line(&mut result, line, number, &mut caps),
                Err(_) => {
                    result.stats.invalid_utf8 += 1;
                    let line = String::from_utf8_lossy(raw).into_owned();
                    self.line(&mut result, &line, number, &mut Captures::new());
                }
            }
        }
        result
    }

    fn line<'a>(
        &'a self,
        result: &mut BatchOut,
        line: &'a str,
        number: u64,
        caps: &mut Captures<'a>,
    ) {
        result.stats.lines += 1;
        let outcome = if self.all_matches {
            self.matcher.captures_all(line).map(|all| {
                for caps in &all {
                    self.record(result, caps, line);
                }
                !all.is_empty()
            })
        } else {
            self.matcher.captures_into(line, caps).inspect(|&hit| {
                if hit {
                    self.record(result, caps, line);
                }
            })
        };
        match outcome {
            Ok(true) => result.stats.matched += 1,
            Ok(false) => {
                result.stats.unmatched += 1;
                match self.unmatched {
                    Unmatched::Keep if self.count_by.is_empty() => {
                        self.formatter.write_unmatched(&mut result.out, line)
                    }
                    Unmatched::Stderr => {
                        result.messages.extend_from_slice(line.as_bytes());
                        result.messages.push(b'\n');
                    }
                    Unmatched::Skip | Unmatched::Keep => {}
                }
                if self.keep_unmatched_lines {
                    result.unmatched.extend_from_slice(line.as_bytes());
                    result.unmatched.push(b'\n');
                }
            }
            Err(e) => {
                result.stats.errors += 1;
                let _ = writeln!(result.messages, "grok-cli: line {number}: {}", e.message());
            }
        }
    }
}

/// Where results go, in input order.
struct Sink {
    out: Box<dyn Write + Send>,
    unmatched: Option<BufWriter<File>>,
    counts: HashMap<Vec<String>, u64>,
    stats: Stats,
}

impl Sink {
    fn take(&mut self, result: BatchOut) -> io::Result<()> {
        self.out.write_all(&result.out)?;
        if !result.messages.is_empty() {
            self.out.flush()?;
            io::stderr().write_all(&result.messages)?;
        }
        if let Some(file) = &mut self.unmatched {
            file.write_all(&result.unmatched)?;
        }
        for (key, n) in result.counts {
            *self.counts.entry(key).or_insert(0) += n;
        }
        self.stats.add(&result.stats);
        Ok(())
    }
}

fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Runs the main job; returns whether anything matched.
pub fn parse(args: &ParseArgs) -> Result<bool, Failure> {
    if args.patterns.is_empty() {
        return Err(Failure::Usage(
            "give at least one --pattern (a name such as SSHLINE, or an expression); see --help"
                .into(),
        ));
    }
    let lib = library(&args.library)?;
    let options = CompileOptions::new()
        .keep_empty(args.keep_empty)
        .named_only(!args.all_captures)
        .conversion(if args.strict {
            Conversion::Strict
        } else {
            Conversion::Lenient
        });
    let expressions: Vec<String> = args.patterns.iter().map(|p| expression(p)).collect();
    let matcher = lib
        .matcher_with(&expressions, &options)
        .map_err(Failure::from)?;
    let mut columns = args.fields.clone();
    if columns.is_empty() && matches!(args.format, Format::Tsv | Format::Csv) {
        for pattern in matcher.patterns() {
            for field in pattern.fields() {
                if !columns.iter().any(|c| c == field.name()) {
                    columns.push(field.name().to_string());
                }
            }
        }
    }
    let formatter = Formatter {
        format: args.format,
        columns,
        with_pattern: args.with_pattern,
        with_line: args.with_line,
    };
    let unmatched_file = match &args.unmatched_file {
        Some(path) => Some(BufWriter::new(File::create(path).map_err(|e| {
            Failure::Io(format!("cannot create {}: {e}", path.display()))
        })?)),
        None => None,
    };
    let job = Job {
        matcher,
        expressions,
        formatter,
        all_matches: args.all_matches,
        unmatched: args.unmatched,
        keep_unmatched_lines: unmatched_file.is_some(),
        count_by: args.count_by.clone(),
    };

    let stdout = io::stdout();
    let out: Box<dyn Write + Send> = if stdout.is_terminal() {
        Box::new(io::LineWriter::new(stdout))
    } else {
        Box::new(BufWriter::with_capacity(1 << 16, stdout))
    };
    let mut sink = Sink {
        out,
        unmatched: unmatched_file,
        counts: HashMap::new(),
        stats: Stats::default(),
    };
    if job.count_by.is_empty() {
        if let Some(header) = job.formatter.header() {
            if let Err(e) = sink.out.write_all(header.as_bytes()) {
                return if is_broken_pipe(&e) {
                    Ok(true)
                } else {
                    Err(Failure::Io(format!("cannot write: {e}")))
                };
            }
        }
    }

    let started = Instant::now();
    let threads = match args.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let files = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    let show_progress = !args.no_progress && io::stderr().is_terminal();
    let result = if threads <= 1 {
        run_serial(&job, &files, &mut sink, show_progress)
    } else {
        run_parallel(&job, &files, &mut sink, threads, show_progress)
    };
    match result {
        Ok(()) => {}
        Err(Failure::Io(msg)) if msg == "broken pipe" => return Ok(true),
        Err(e) => return Err(e),
    }
    let finish = (|| -> io::Result<()> {
        if !job.count_by.is_empty() {
            write_counts(
                &mut *sink.out,
                &job.count_by,
                &sink.counts,
                args.top,
                args.format,
            )?;
        }
        sink.out.flush()?;
        if let Some(file) = &mut sink.unmatched {
            file.flush()?;
        }
        Ok(())
    })();
    if let Err(e) = finish {
        if !is_broken_pipe(&e) {
            return Err(Failure::Io(format!("cannot write: {e}")));
        }
    }
    if args.stats {
        let s = sink.stats;
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        eprintln!(
            "lines: {}\nmatched: {}\nunmatched: {}\nerrors: {}\ninvalid_utf8: {}\nexact_fallback: {}\nseconds: {:.3}\nlines_per_second: {:.0}",
            s.lines, s.matched, s.unmatched, s.errors, s.invalid_utf8, s.exact, secs, s.lines as f64 / secs
        );
    }
    Ok(sink.stats.matched > 0)
}

fn progress_bar(size: Option<u64>, show: bool) -> Option<ProgressBar> {
    let size = size.filter(|_| show)?;
    let bar = ProgressBar::new(size);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

fn open_with_progress(
    path: &PathBuf,
    show: bool,
) -> Result<(input::Input, Option<ProgressBar>), Failure> {
    let size = if show && path.as_os_str() != "-" {
        std::fs::metadata(path).ok().map(|m| m.len())
    } else {
        None
    };
    let bar = progress_bar(size, show);
    let input = input::open(path, bar.clone()).map_err(Failure::Io)?;
    Ok((input, bar))
}

fn write_failure(e: io::Error) -> Failure {
    if is_broken_pipe(&e) {
        Failure::Io("broken pipe".into())
    } else {
        Failure::Io(format!("cannot write: {e}"))
    }
}

fn run_serial(job: &Job, files: &[PathBuf], sink: &mut Sink, show: bool) -> Result<(), Failure> {
    let mut batch = Batch::default();
    let mut next_line = 1;
    for path in files {
        let (mut input, bar) = open_with_progress(path, show)?;
        loop {
            let more = input::read_batch(&mut *input.reader, &mut batch)
                .map_err(|e| Failure::Io(format!("cannot read {}: {e}", input.name)))?;
            if !more {
                break;
            }
            batch.first_line = next_line;
            next_line += batch.len() as u64;
            sink.take(job.process(&batch)).map_err(write_failure)?;
            batch.seq += 1;
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
    }
    Ok(())
}

fn run_parallel(
    job: &Job,
    files: &[PathBuf],
    sink: &mut Sink,
    threads: usize,
    show: bool,
) -> Result<(), Failure> {
    let stop = AtomicBool::new(false);
    let (work_tx, work_rx) = mpsc::sync_channel::<Batch>(threads * 2);
    let work_rx = std::sync::Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::sync_channel::<BatchOut>(threads * 2);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            scope.spawn(move || loop {
                let batch = match work_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => return,
                };
                let Ok(batch) = batch else { return };
                if done_tx.send(job.process(&batch)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let stop = &stop;
        let writer = scope.spawn(move || -> Result<(), Failure> {
            let mut pending: BTreeMap<u64, BatchOut> = BTreeMap::new();
            let mut next = 0u64;
            for result in done_rx {
                pending.insert(result.seq, result);
                while let Some(result) = pending.remove(&next) {
                    if let Err(e) = sink.take(result) {
                        stop.store(true, Ordering::Relaxed);
                        return Err(write_failure(e));
                    }
                    next += 1;
                }
            }
            Ok(())
        });
        let read = (|| -> Result<(), Failure> {
            let mut seq = 0;
            let mut next_line = 1;
            for path in files {
                let (mut input, bar) = open_with_progress(path, show)?;
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return Ok(());
                    }
                    let mut batch = Batch::default();
                    batch.seq = seq;
                    let more = input::read_batch(&mut *input.reader, &mut batch)
                        .map_err(|e| Failure::Io(format!("cannot read {}: {e}", input.name)))?;
                    if !more {
                        break;
                    }
                    batch.first_line = next_line;
                    next_line += batch.len() as u64;
                    seq += 1;
                    if work_tx.send(batch).is_err() {
                        return Ok(());
                    }
                }
                if let Some(bar) = bar {
                    bar.finish_and_clear();
                }
            }
            Ok(())
        })();
        drop(work_tx);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(Failure::Io("the writer thread failed".into())));
        read.and(written)
    })
}

fn write_counts(
    out: &mut dyn Write,
    fields: &[String],
    counts: &HashMap<Vec<String>, u64>,
    top: Option<usize>,
    format: Format,
) -> io::Result<()> {
    let mut rows: Vec<(&Vec<String>, u64)> = counts.iter().map(|(k, n)| (k, *n)).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    rows.truncate(top.unwrap_or(usize::MAX));
    match format {
        Format::Tsv | Format::Csv => {
            let sep = if format == Format::Tsv { "\t" } else { "," };
            writeln!(out, "count{sep}{}", fields.join(sep))?;
            for (key, n) in rows {
                writeln!(out, "{n}{sep}{}", key.join(sep))?;
            }
        }
        _ => {
            for (key, n) in rows {
                // Fields first, in the order asked, then the count.
                let mut line = String::from("{");
                for (field, value) in fields.iter().zip(key) {
                    line.push_str(&format!(
                        "{}:{},",
                        serde_json::Value::from(field.as_str()),
                        serde_json::Value::from(value.as_str())
                    ));
                }
                writeln!(out, "{line}\"count\":{n}}}")?;
            }
        }
    }
    Ok(())
}
