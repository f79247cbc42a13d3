//! Inputs: opening files or standard input, gzip by magic bytes, a progress
//! bar fed by the bytes read, and splitting into batches of lines.

use std::fs::{self, File, Metadata};
use std::io::{self, BufRead, BufReader, Read};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;
use indicatif::{ProgressBar, ProgressStyle};

use crate::error::warn;

/// Most lines in a batch.
const BATCH_LINES: usize = 4096;
/// A batch stops growing past this many bytes (a single longer line still
/// fits: lines are never split).
const BATCH_BYTES: usize = 1 << 20;
/// Read buffer size.
const BUFFER: usize = 1 << 16;
/// The two first bytes of every gzip member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Whether a path names standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The inputs to read: the files given, or standard input.
pub fn or_stdin(files: &[PathBuf]) -> Vec<PathBuf> {
    if files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        files.to_vec()
    }
}

/// Standard input's metadata, to tell a redirected file from a pipe.
#[cfg(unix)]
fn stdin_metadata() -> Option<Metadata> {
    use std::os::fd::AsFd;
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    File::from(fd).metadata().ok()
}

#[cfg(not(unix))]
fn stdin_metadata() -> Option<Metadata> {
    None
}

fn metadata(path: &Path) -> Option<Metadata> {
    if is_stdin(path) {
        stdin_metadata()
    } else {
        fs::metadata(path).ok()
    }
}

/// A progress bar over the inputs' total size, when every input is a
/// regular file (a pipe has no known size).
pub fn progress_bar(files: &[PathBuf]) -> Option<ProgressBar> {
    let total = files
        .iter()
        .map(|p| metadata(p).filter(Metadata::is_file).map(|m| m.len()))
        .sum::<Option<u64>>()?;
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

/// Counts the bytes read from a file into the progress bar (below the gzip
/// decoder, so the bar tracks the file size).
struct Counted<R> {
    inner: R,
    bar: Option<ProgressBar>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }
}

/// One opened input.
pub struct Input {
    /// The name used in messages: the path, or `<stdin>`.
    pub name: Arc<str>,
    reader: BufReader<Box<dyn Read + Send>>,
    /// Not a regular file (a pipe, a terminal): hand over the lines read so
    /// far whenever no more are buffered, so `tail -f | grok-cli` is prompt.
    streaming: bool,
}

/// Opens a file, or standard input for `-`; gzip data is decompressed.
pub fn open(path: &Path, bar: Option<&ProgressBar>) -> io::Result<Input> {
    let bar = bar.cloned();
    let (name, raw, regular): (Arc<str>, Box<dyn Read + Send>, bool) = if is_stdin(path) {
        let regular = stdin_metadata().is_some_and(|m| m.is_file());
        let stdin = Counted {
            inner: io::stdin(),
            bar,
        };
        ("<stdin>".into(), Box::new(stdin), regular)
    } else {
        let file = File::open(path)?;
        let regular = file.metadata()?.is_file();
        let name = path.display().to_string().into();
        (name, Box::new(Counted { inner: file, bar }), regular)
    };
    let mut reader = BufReader::with_capacity(BUFFER, raw);
    if reader.fill_buf()?.starts_with(&GZIP_MAGIC) {
        let gz: Box<dyn Read + Send> = Box::new(MultiGzDecoder::new(reader));
        reader = BufReader::with_capacity(BUFFER, gz);
    }
    Ok(Input {
        name,
        reader,
        streaming: !regular,
    })
}

/// Lines stored back to back, without their line endings.
pub struct Batch {
    /// Position of the batch in the whole run, from 0.
    pub seq: u64,
    /// The input it comes from.
    pub source: Arc<str>,
    /// The number (from 1) of its first line in that input.
    pub first_line: u64,
    data: Vec<u8>,
    ends: Vec<usize>,
}

impl Batch {
    fn new(seq: u64, source: Arc<str>, first_line: u64, bytes: usize) -> Batch {
        Batch {
            seq,
            source,
            first_line,
            data: Vec::with_capacity(bytes),
            ends: Vec::with_capacity(BATCH_LINES),
        }
    }

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

    /// The bytes it holds (without line endings).
    pub fn bytes(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }
}

/// Appends the next lines of `input` to `batch`. On an error the lines read
/// before it stay in the batch.
fn read_batch(input: &mut Input, batch: &mut Batch) -> io::Result<()> {
    while batch.ends.len() < BATCH_LINES && batch.data.len() < BATCH_BYTES {
        if input.reader.read_until(b'\n', &mut batch.data)? == 0 {
            break;
        }
        let start = batch.ends.last().copied().unwrap_or(0);
        if batch.data.last() == Some(&b'\n') {
            batch.data.pop();
            if batch.data.len() > start && batch.data.last() == Some(&b'\r') {
                batch.data.pop();
            }
        }
        batch.ends.push(batch.data.len());
        if input.streaming && input.reader.buffer().is_empty() {
            break;
        }
    }
    Ok(())
}

/// Reads every input in order and hands its lines to `each` in batches
/// numbered from 0, until `each` breaks. An input that cannot be opened or
/// read is reported and skipped; returns how many were.
pub fn read_all(
    files: &[PathBuf],
    bar: Option<&ProgressBar>,
    mut each: impl FnMut(Batch) -> ControlFlow<()>,
) -> u64 {
    let mut seq = 0;
    let mut failed = 0;
    let mut size_hint = BUFFER;
    for path in files {
        let mut input = match open(path, bar) {
            Ok(input) => input,
            Err(e) => {
                warn(bar, format_args!("cannot open {}: {e}", path.display()));
                failed += 1;
                continue;
            }
        };
        let mut first_line = 1;
        loop {
            let mut batch = Batch::new(seq, Arc::clone(&input.name), first_line, size_hint);
            let result = read_batch(&mut input, &mut batch);
            let lines = batch.len();
            if lines > 0 {
                size_hint = batch.bytes().clamp(BUFFER, BATCH_BYTES + BUFFER);
                seq += 1;
                first_line += lines as u64;
                if each(batch).is_break() {
                    return failed;
                }
            }
            match result {
                Ok(()) if lines == 0 => break,
                Ok(()) => {}
                Err(e) => {
                    warn(bar, format_args!("cannot read {}: {e}", input.name));
                    failed += 1;
                    break;
                }
            }
        }
    }
    failed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &[u8], streaming: bool) -> Vec<Vec<u8>> {
        let raw: Box<dyn Read + Send> = Box::new(io::Cursor::new(text.to_vec()));
        let mut input = Input {
            name: "t".into(),
            reader: BufReader::new(raw),
            streaming,
        };
        let mut out = Vec::new();
        loop {
            let mut batch = Batch::new(0, "t".into(), 1, 0);
            read_batch(&mut input, &mut batch).unwrap();
            if batch.len() == 0 {
                return out;
            }
            out.extend(batch.lines().map(<[u8]>::to_vec));
        }
    }

    #[test]
    fn splits_lines_and_strips_crlf() {
        for streaming in [false, true] {
            let got = lines_of(b"a\r\nb\n\r\n\nc\rd\r", streaming);
            let want: Vec<&[u8]> = vec![b"a", b"b", b"", b"", b"c\rd\r"];
            assert_eq!(got, want);
        }
        assert!(lines_of(b"", false).is_empty());
        assert_eq!(lines_of(b"\n", false), vec![Vec::<u8>::new()]);
    }
}
