//! Opening inputs (files, standard input, gzip) and reading lines in batches.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use indicatif::ProgressBar;

/// One opened input.
pub struct Input {
    /// The name shown in messages.
    pub name: String,
    /// Its lines.
    pub reader: Box<dyn BufRead + Send>,
}

/// Counts bytes read from the underlying file into a progress bar.
struct Counting<R> {
    inner: R,
    bar: Option<ProgressBar>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }
}

/// Opens a file (or standard input for `-`); gzip is detected by its magic
/// bytes and decompressed.
pub fn open(path: &Path, bar: Option<ProgressBar>) -> Result<Input, String> {
    let name = path.display().to_string();
    if name == "-" {
        return Ok(Input {
            name: "<stdin>".into(),
            reader: Box::new(BufReader::with_capacity(1 << 16, io::stdin())),
        });
    }
    let file = File::open(path).map_err(|e| format!("cannot open {name}: {e}"))?;
    let meta = file
        .metadata()
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    if meta.is_dir() {
        return Err(format!("cannot read {name}: it is a directory"));
    }
    let mut raw = BufReader::with_capacity(1 << 16, Counting { inner: file, bar });
    let head = raw
        .fill_buf()
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    let reader: Box<dyn BufRead + Send> = if head.starts_with(&[0x1f, 0x8b]) {
        Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(raw)))
    } else {
        Box::new(raw)
    };
    Ok(Input { name, reader })
}

/// Lines stored back to back, without their line endings.
#[derive(Default)]
pub struct Batch {
    /// Position of the batch in the input stream.
    pub seq: u64,
    /// Number (1-based, across all inputs) of the batch's first line.
    pub first_line: u64,
    data: Vec<u8>,
    ends: Vec<usize>,
}

impl Batch {
    /// The lines, as raw bytes.
    pub fn lines(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let line = &self.data[start..end];
            start = end;
            line
        })
    }

    /// How many lines it holds.
    pub fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Most lines and bytes a batch holds (a single longer line still fits).
const BATCH_LINES: usize = 8192;
const BATCH_BYTES: usize = 4 << 20;

/// Fills `batch` with the next lines of `reader`; returns `false` at the end.
pub fn read_batch(reader: &mut dyn BufRead, batch: &mut Batch) -> io::Result<bool> {
    batch.data.clear();
    batch.ends.clear();
    while batch.ends.len() < BATCH_LINES && batch.data.len() < BATCH_BYTES {
        let before = batch.data.len();
        let n = reader.read_until(b'\n', &mut batch.data)?;
        if n == 0 {
            break;
        }
        if batch.data.last() == Some(&b'\n') {
            batch.data.pop();
            if batch.data.len() > before && batch.data.last() == Some(&b'\r') {
                batch.data.pop();
            }
        }
        batch.ends.push(batch.data.len());
    }
    Ok(!batch.ends.is_empty())
}
