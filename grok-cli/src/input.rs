//! Inputs: opening files or standard input, gzip by magic bytes, a progress
//! bar fed by the bytes read, and splitting into batches of lines.

use std::fs::{self, File, Metadata};
use std::io::{self, BufRead, BufReader, Read};
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

/// Lines stored back to back, without their line endings. A batch is
/// refilled by [`Reader::next_into`] over and over, so its buffers are
/// allocated once per run rather than once per batch.
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

impl Default for Batch {
    fn default() -> Batch {
        Batch {
            seq: 0,
            source: Arc::from(""),
            first_line: 1,
            data: Vec::new(),
            ends: Vec::new(),
        }
    }
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

    /// The bytes it holds (without line endings).
    pub fn bytes(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    /// Empties it for the next lines, giving back the memory a huge line
    /// made it take.
    fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
        self.data.shrink_to(BATCH_BYTES + BUFFER);
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

/// Reads the inputs in order, a batch of lines at a time, numbering the
/// batches from 0. An input that cannot be opened or read is reported and
/// skipped.
pub struct Reader<'f> {
    files: std::slice::Iter<'f, PathBuf>,
    bar: Option<ProgressBar>,
    /// The input being read, with the number of its next line.
    input: Option<(Input, u64)>,
    seq: u64,
    failed: u64,
}

impl<'f> Reader<'f> {
    /// A reader of `files` (`-` is standard input) feeding `bar`.
    pub fn new(files: &'f [PathBuf], bar: Option<&ProgressBar>) -> Reader<'f> {
        Reader {
            files: files.iter(),
            bar: bar.cloned(),
            input: None,
            seq: 0,
            failed: 0,
        }
    }

    /// Replaces what `batch` holds with the next lines; false once every
    /// input has been read.
    pub fn next_into(&mut self, batch: &mut Batch) -> bool {
        batch.clear();
        loop {
            let Some((input, first_line)) = &mut self.input else {
                let Some(path) = self.files.next() else {
                    return false;
                };
                match open(path, self.bar.as_ref()) {
                    Ok(input) => self.input = Some((input, 1)),
                    Err(e) => {
                        warn(
                            self.bar.as_ref(),
                            format_args!("cannot open {}: {e}", path.display()),
                        );
                        self.failed += 1;
                    }
                }
                continue;
            };
            let result = read_batch(input, batch);
            let lines = batch.len() as u64;
            if lines > 0 {
                batch.seq = self.seq;
                batch.source = Arc::clone(&input.name);
                batch.first_line = *first_line;
                self.seq += 1;
                *first_line += lines;
            }
            match result {
                Ok(()) if lines > 0 => return true,
                Ok(()) => self.input = None,
                Err(e) => {
                    warn(
                        self.bar.as_ref(),
                        format_args!("cannot read {}: {e}", input.name),
                    );
                    self.failed += 1;
                    self.input = None;
                    if lines > 0 {
                        return true;
                    }
                }
            }
        }
    }

    /// How many inputs could not be opened or read so far.
    pub fn failed(&self) -> u64 {
        self.failed
    }
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
            let mut batch = Batch::default();
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

    #[test]
    fn reader_numbers_batches_and_lines_across_inputs_and_skips_missing_ones() {
        let dir = std::env::temp_dir().join(format!("grok-cli-reader-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let first = dir.join("first.log");
        let second = dir.join("second.log");
        // More lines than one batch holds, so the first input takes two.
        let many: String = (1..=BATCH_LINES + 2).map(|i| format!("a{i}\n")).collect();
        fs::write(&first, many).unwrap();
        fs::write(&second, "b1\nb2").unwrap();
        let files = [first, dir.join("missing.log"), second];
        let mut reader = Reader::new(&files, None);
        let mut batch = Batch::default();
        let mut seen = Vec::new();
        while reader.next_into(&mut batch) {
            let last = batch.lines().last().map(<[u8]>::to_vec).unwrap();
            let last = String::from_utf8(last).unwrap();
            seen.push((batch.seq, batch.first_line, batch.len(), last));
        }
        let source = batch.source.to_string();
        fs::remove_dir_all(&dir).unwrap();
        let want = vec![
            (0, 1, BATCH_LINES, format!("a{BATCH_LINES}")),
            (
                1,
                BATCH_LINES as u64 + 1,
                2,
                format!("a{}", BATCH_LINES + 2),
            ),
            (2, 1, 2, "b2".to_string()),
        ];
        assert_eq!(seen, want);
        assert_eq!(reader.failed(), 1);
        assert!(source.ends_with("second.log"), "{source}");
        // Once done, a reused batch comes back empty.
        assert!(!reader.next_into(&mut batch));
        assert_eq!(batch.len(), 0);
    }
}
