//! Driving a [`Job`] over the inputs: on the calling thread, or with
//! parsing threads whose results are written in input order.
//!
//! In parallel, one thread reads batches, `N` threads parse them, and the
//! calling thread writes them in order. A fixed set of [`Work`] slots (a
//! batch and its results) goes round: the reader fills a free slot's batch,
//! a parser its results, and the writer frees it once written. Memory stays
//! bounded even when one batch (a huge line) takes long, and the buffers are
//! allocated once per run: a fresh megabyte per batch would cost a page
//! fault per 4 KiB, which on two threads also contend for the address space.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;

use indicatif::ProgressBar;

use crate::count::Counts;
use crate::error::{warn, Failure};
use crate::input::{Batch, Reader};
use crate::job::{Done, Job};
use crate::stats::Stats;

/// Messages about failing lines shown before the rest are only counted.
const MAX_ERRORS_SHOWN: u64 = 100;

/// Where results go, in input order.
pub struct Sink {
    out: Box<dyn Write>,
    flush_each_batch: bool,
    unmatched_stderr: bool,
    unmatched_file: Option<(PathBuf, BufWriter<File>)>,
    bar: Option<ProgressBar>,
    errors_shown: u64,
    /// `--count-by` counts so far.
    pub counts: Counts,
    /// Counts so far.
    pub stats: Stats,
}

impl Sink {
    /// A sink writing to `out`; unmatched lines also go to standard error
    /// and/or `unmatched_file` when asked.
    pub fn new(
        out: Box<dyn Write>,
        flush_each_batch: bool,
        unmatched_stderr: bool,
        unmatched_file: Option<&Path>,
        bar: Option<ProgressBar>,
    ) -> Result<Sink, Failure> {
        let unmatched_file = match unmatched_file {
            Some(path) => {
                let file = File::create(path)
                    .map_err(|e| Failure::Io(format!("cannot create {}: {e}", path.display())))?;
                Some((path.to_path_buf(), BufWriter::new(file)))
            }
            None => None,
        };
        Ok(Sink {
            out,
            flush_each_batch,
            unmatched_stderr,
            unmatched_file,
            bar,
            errors_shown: 0,
            counts: Counts::default(),
            stats: Stats::default(),
        })
    }

    /// The output.
    pub fn out(&mut self) -> &mut dyn Write {
        &mut *self.out
    }

    /// The progress bar, if one is drawn.
    pub fn bar(&self) -> Option<&ProgressBar> {
        self.bar.as_ref()
    }

    /// Writes one batch's results (taking its counts; `done` keeps its
    /// buffers for the next batch).
    fn take(&mut self, done: &mut Done) -> Result<(), Failure> {
        self.out.write_all(&done.out).map_err(Failure::write)?;
        if self.flush_each_batch {
            self.out.flush().map_err(Failure::write)?;
        }
        if !done.unmatched.is_empty() {
            if self.unmatched_stderr {
                // Keep the order of output and unmatched lines on a terminal.
                self.out.flush().map_err(Failure::write)?;
                let _ = io::stderr().write_all(&done.unmatched);
            }
            if let Some((path, file)) = &mut self.unmatched_file {
                file.write_all(&done.unmatched)
                    .map_err(|e| Failure::Io(format!("cannot write {}: {e}", path.display())))?;
            }
        }
        for message in &done.errors {
            self.errors_shown += 1;
            if self.errors_shown <= MAX_ERRORS_SHOWN {
                warn(self.bar.as_ref(), format_args!("{message}"));
            } else if self.errors_shown == MAX_ERRORS_SHOWN + 1 {
                warn(
                    self.bar.as_ref(),
                    format_args!("more lines failed; they are not shown (--stats counts them)"),
                );
            }
        }
        self.counts.merge(std::mem::take(&mut done.counts));
        self.stats.add(&done.stats);
        Ok(())
    }

    /// Flushes the output and the unmatched-lines file.
    pub fn flush(&mut self) -> Result<(), Failure> {
        self.out.flush().map_err(Failure::write)?;
        if let Some((path, file)) = &mut self.unmatched_file {
            file.flush()
                .map_err(|e| Failure::Io(format!("cannot write {}: {e}", path.display())))?;
        }
        Ok(())
    }
}

/// Runs the job over every input with `threads` parsing threads (1: on the
/// calling thread). Returns how many inputs could not be read.
pub fn run(job: &Job, files: &[PathBuf], threads: usize, sink: &mut Sink) -> Result<u64, Failure> {
    if threads <= 1 {
        serial(job, files, sink)
    } else {
        parallel(job, files, threads, sink)
    }
}

fn serial(job: &Job, files: &[PathBuf], sink: &mut Sink) -> Result<u64, Failure> {
    let mut reader = Reader::new(files, sink.bar.as_ref());
    let mut work = Work::default();
    while reader.next_into(&mut work.batch) {
        job.process(&work.batch, &mut work.done);
        sink.take(&mut work.done)?;
    }
    Ok(reader.failed())
}

/// A batch of lines and what parsing it produced: the unit that goes round
/// from the reader to a parser to the writer and back.
#[derive(Default)]
struct Work {
    batch: Batch,
    done: Done,
}

/// A parsed batch, or the news that a parsing thread panicked.
type Parsed = Result<Work, ()>;

fn parallel(job: &Job, files: &[PathBuf], threads: usize, sink: &mut Sink) -> Result<u64, Failure> {
    let slots = 2 * threads + 1;
    let (work_tx, work_rx) = mpsc::sync_channel::<Work>(threads);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = mpsc::channel::<Parsed>();
    let (free_tx, free_rx) = mpsc::sync_channel::<Work>(slots);
    for _ in 0..slots {
        let _ = free_tx.send(Work::default());
    }
    let mut reader = Reader::new(files, sink.bar.as_ref());
    thread::scope(|scope| {
        for _ in 0..threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            scope.spawn(move || parse(job, &work_rx, &done_tx));
        }
        // Only the threads hold these now: when they all stop, the reader's
        // sends fail and it stops too.
        drop((work_rx, done_tx));
        let reading = scope.spawn(move || {
            while let Ok(mut work) = free_rx.recv() {
                if !reader.next_into(&mut work.batch) || work_tx.send(work).is_err() {
                    break;
                }
            }
            reader.failed()
        });
        // Returning drops the receiver and the free slots, which stops the
        // others.
        let written = write_in_order(done_rx, free_tx, sink);
        let failed = reading.join().unwrap_or(0);
        written.map(|()| failed)
    })
}

/// A parsing thread: batches in, results out, until either side closes.
fn parse(job: &Job, work: &Mutex<Receiver<Work>>, done: &mpsc::Sender<Parsed>) {
    loop {
        let next = match work.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(mut work) = next else { return };
        // The panic message is printed by the hook; the writer then stops.
        let parsed = panic::catch_unwind(AssertUnwindSafe(|| {
            job.process(&work.batch, &mut work.done);
        }))
        .map(|()| work)
        .map_err(|_| ());
        if done.send(parsed).is_err() {
            return;
        }
    }
}

fn write_in_order(
    done: Receiver<Parsed>,
    free: SyncSender<Work>,
    sink: &mut Sink,
) -> Result<(), Failure> {
    let mut pending = BTreeMap::new();
    let mut next = 0;
    for parsed in done {
        let parsed =
            parsed.map_err(|()| Failure::Io("internal error: a parsing thread panicked".into()))?;
        pending.insert(parsed.batch.seq, parsed);
        while let Some(mut ready) = pending.remove(&next) {
            sink.take(&mut ready.done)?;
            next += 1;
            let _ = free.send(ready);
        }
    }
    Ok(())
}
