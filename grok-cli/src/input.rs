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
/// How much one read asks for.
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
    reader: Box<dyn Read + Send>,
    /// Not a regular file (a pipe, a terminal): hand over the lines read so
    /// far after every read, so `tail -f | grok-cli` is prompt.
    streaming: bool,
    /// The start of a line read with the previous batch, which the next one
    /// completes.
    carry: Vec<u8>,
    /// Whether the end of the input has been read (a terminal is not read
    /// again after its end-of-file).
    ended: bool,
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
    // Buffered only to look at the first bytes: reads of a whole buffer
    // go straight through once it is empty.
    let mut buffered = BufReader::with_capacity(BUFFER, raw);
    let reader: Box<dyn Read + Send> = if buffered.fill_buf()?.starts_with(&GZIP_MAGIC) {
        Box::new(MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    Ok(Input::new(name, reader, !regular))
}

impl Input {
    fn new(name: Arc<str>, reader: Box<dyn Read + Send>, streaming: bool) -> Input {
        Input {
            name,
            reader,
            streaming,
            carry: Vec::new(),
            ended: false,
        }
    }
}

/// Lines as read, each with its line ending. A batch is refilled by
/// [`Reader::next_into`] over and over, so its buffers are allocated once
/// per run rather than once per batch, and the bytes are read straight into
/// it rather than through a second buffer.
pub struct Batch {
    /// Position of the batch in the whole run, from 0.
    pub seq: u64,
    /// The input it comes from.
    pub source: Arc<str>,
    /// The number (from 1) of its first line in that input.
    pub first_line: u64,
    /// Bytes read, then room for the next read: zeroed once when it grows,
    /// not at every read.
    data: Vec<u8>,
    /// How many bytes of `data` were read.
    filled: usize,
    /// Where each line starts and ends in `data` (without its line ending).
    spans: Vec<(usize, usize)>,
}

impl Default for Batch {
    fn default() -> Batch {
        Batch {
            seq: 0,
            source: Arc::from(""),
            first_line: 1,
            data: Vec::new(),
            filled: 0,
            spans: Vec::new(),
        }
    }
}

impl Batch {
    /// The lines, as raw bytes.
    pub fn lines(&self) -> impl Iterator<Item = &[u8]> {
        self.spans
            .iter()
            .map(|&(start, end)| &self.data[start..end])
    }

    /// How many lines it holds.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// The bytes it holds, line endings included.
    pub fn bytes(&self) -> usize {
        self.filled
    }

    /// Empties it for the next lines, giving back the memory a huge line
    /// made it take.
    fn clear(&mut self) {
        const KEEP: usize = BATCH_BYTES + 2 * BUFFER;
        self.filled = 0;
        self.spans.clear();
        if self.data.len() > KEEP {
            self.data.truncate(KEEP);
            self.data.shrink_to_fit();
        }
    }

    /// Makes `data` at least `len` bytes long.
    fn room(&mut self, len: usize) {
        if self.data.len() < len {
            self.data.resize(len, 0);
        }
    }
}

/// Reads the next lines of `input` into `batch` (which starts with the line
/// the previous batch left incomplete), until the batch is full, the input
/// ends, or (streaming) a read brings complete lines. The bytes after the
/// last complete line are carried to the next batch; at the end of the
/// input they are its last line. On an error the lines read before it stay
/// in the batch.
fn read_batch(input: &mut Input, batch: &mut Batch) -> io::Result<()> {
    batch.room(input.carry.len());
    batch.data[..input.carry.len()].copy_from_slice(&input.carry);
    batch.filled = input.carry.len();
    input.carry.clear();
    // Where the next line starts, and how far newlines have been looked for.
    let mut line_start = 0;
    let mut scanned = 0;
    let result = loop {
        for at in memchr::memchr_iter(b'\n', &batch.data[scanned..batch.filled]) {
            let at = scanned + at;
            let end = if at > line_start && batch.data[at - 1] == b'\r' {
                at - 1
            } else {
                at
            };
            batch.spans.push((line_start, end));
            line_start = at + 1;
            if batch.spans.len() >= BATCH_LINES {
                break;
            }
        }
        let full = batch.spans.len() >= BATCH_LINES || line_start >= BATCH_BYTES;
        scanned = if full { line_start } else { batch.filled };
        if full || input.ended || (input.streaming && !batch.spans.is_empty()) {
            break Ok(());
        }
        let filled = batch.filled;
        batch.room(filled + BUFFER);
        match input.reader.read(&mut batch.data[filled..filled + BUFFER]) {
            Ok(0) => {
                input.ended = true;
                if line_start < filled {
                    // The last line, without a line ending: kept as it is.
                    batch.spans.push((line_start, filled));
                    line_start = filled;
                }
            }
            Ok(n) => batch.filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    input
        .carry
        .extend_from_slice(&batch.data[line_start..batch.filled]);
    batch.filled = line_start;
    result
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

    /// A reader handing out at most `step` bytes per read.
    struct Trickle {
        text: Vec<u8>,
        at: usize,
        step: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.text.len() - self.at);
            buf[..n].copy_from_slice(&self.text[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    /// A reader that is interrupted once, hands out `text`, then fails.
    struct Failing {
        text: Vec<u8>,
        interrupted: bool,
        done: bool,
    }

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if !self.interrupted {
                self.interrupted = true;
                return Err(io::ErrorKind::Interrupted.into());
            }
            if self.done {
                return Err(io::Error::other("disk on fire"));
            }
            self.done = true;
            buf[..self.text.len()].copy_from_slice(&self.text);
            Ok(self.text.len())
        }
    }

    #[test]
    fn a_read_error_keeps_the_complete_lines_and_counts_the_input_as_failed() {
        let raw = Failing {
            text: b"one\r\ntwo\nincomplete".to_vec(),
            interrupted: false,
            done: false,
        };
        let mut reader = Reader {
            files: [].iter(),
            bar: None,
            input: Some((Input::new("t".into(), Box::new(raw), false), 1)),
            seq: 0,
            failed: 0,
        };
        let mut batch = Batch::default();
        assert!(reader.next_into(&mut batch));
        let lines: Vec<&[u8]> = batch.lines().collect();
        assert_eq!(lines, [&b"one"[..], b"two"]);
        assert_eq!(reader.failed(), 1);
        // The incomplete line went with the failed input.
        assert!(!reader.next_into(&mut batch));
        assert_eq!(batch.len(), 0);
    }

    fn lines_of(text: &[u8], streaming: bool) -> Vec<Vec<u8>> {
        lines_in_steps(text, streaming, usize::MAX)
    }

    fn lines_in_steps(text: &[u8], streaming: bool, step: usize) -> Vec<Vec<u8>> {
        let raw = Trickle {
            text: text.to_vec(),
            at: 0,
            step,
        };
        let mut input = Input::new("t".into(), Box::new(raw), streaming);
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
    fn lines_split_across_reads_come_out_whole() {
        let text = b"first line\r\nsecond\n\nfourth, longer than one read\r\nlast";
        let want: Vec<&[u8]> = vec![
            b"first line",
            b"second",
            b"",
            b"fourth, longer than one read",
            b"last",
        ];
        for streaming in [false, true] {
            for step in [1, 2, 3, 7, 64] {
                assert_eq!(lines_in_steps(text, streaming, step), want, "{step}");
            }
        }
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
