//! `grok.parse_file()`: streams a file through a pattern or matcher with
//! bounded memory.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

use pyo3::exceptions::{PyOSError, PyTypeError, PyUnicodeDecodeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};

use crate::batch::{drive, Engine, OnError, CHUNK};
use crate::errors::{grok_error, guard, Place};
use crate::matcher::PyMatcher;
use crate::pattern::PyPattern;
use crate::spec::{type_name, CompileArgs, Options};

/// Bytes read per chunk (a chunk also stops at `CHUNK` lines): memory stays
/// bounded by this plus the longest line.
const CHUNK_BYTES: usize = 1 << 20;

/// What to do with a line that is not valid UTF-8.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Decode {
    /// Invalid sequences become U+FFFD, then the line is matched.
    Replace,
    /// The line is not matched: its result is `None`.
    Skip,
    /// `UnicodeDecodeError`.
    Strict,
}

enum Target {
    Pattern(Py<PyPattern>),
    Matcher(Py<PyMatcher>),
}

/// The iterator returned by `grok.parse_file`: one result per line of the
/// file, read and matched chunk by chunk. A context manager that closes the
/// file.
#[pyclass(module = "grok", name = "FileParser")]
pub struct FileParser {
    reader: Option<BufReader<File>>,
    path: String,
    target: Target,
    decode: Decode,
    on_error: OnError,
    /// Results built and not yet yielded.
    pending: VecDeque<Py<PyAny>>,
    /// An error to raise once `pending` is drained (the lines before a bad
    /// line are yielded first); the iterator ends after it.
    deferred: Option<PyErr>,
    /// Lines read so far.
    lines_read: usize,
    buf: Vec<u8>,
    spans: Vec<(usize, usize)>,
}

/// Reads up to `CHUNK` lines or about `CHUNK_BYTES` bytes. Lines end at
/// `\n`; a trailing `\r` is removed. At the end of the file, no line is read.
fn read_chunk(
    reader: &mut BufReader<File>,
    buf: &mut Vec<u8>,
    spans: &mut Vec<(usize, usize)>,
) -> std::io::Result<()> {
    buf.clear();
    spans.clear();
    while spans.len() < CHUNK && buf.len() < CHUNK_BYTES {
        let start = buf.len();
        if reader.read_until(b'\n', buf)? == 0 {
            break;
        }
        let mut end = buf.len();
        if buf[end - 1] == b'\n' {
            end -= 1;
            if end > start && buf[end - 1] == b'\r' {
                end -= 1;
            }
        }
        spans.push((start, end));
    }
    Ok(())
}

impl FileParser {
    /// Reads, decodes and matches the next chunk into `pending`.
    fn fill(&mut self, py: Python<'_>) -> PyResult<()> {
        let Some(reader) = self.reader.as_mut() else {
            return Ok(());
        };
        let (buf, spans) = (&mut self.buf, &mut self.spans);
        py.detach(|| read_chunk(reader, buf, spans))
            .map_err(|e| PyOSError::new_err(format!("reading {}: {e}", self.path)))?;
        if self.spans.is_empty() {
            self.reader = None;
            return Ok(());
        }
        let first = self.lines_read;
        self.lines_read += self.spans.len();
        let mut texts: Vec<Cow<'_, str>> = Vec::with_capacity(self.spans.len());
        let mut skipped: Vec<bool> = Vec::new();
        for (i, &(s, e)) in self.spans.iter().enumerate() {
            let raw = &self.buf[s..e];
            match std::str::from_utf8(raw) {
                Ok(text) => texts.push(Cow::Borrowed(text)),
                Err(_) if self.decode == Decode::Replace => {
                    texts.push(String::from_utf8_lossy(raw))
                }
                Err(_) if self.decode == Decode::Skip => {
                    skipped.resize(self.spans.len(), false);
                    skipped[i] = true;
                    texts.push(Cow::Borrowed(""));
                }
                Err(err) => {
                    // Strict: the lines before are matched and yielded, then
                    // this error is raised and the iterator ends.
                    self.reader = None;
                    self.lines_read = first + i + 1;
                    let at = err.valid_up_to();
                    let end = at + err.error_len().unwrap_or(raw.len() - at);
                    let reason = format!(
                        "invalid UTF-8 in {} at line {} (encoding_errors='strict')",
                        self.path,
                        first + i + 1
                    );
                    self.deferred = Some(PyUnicodeDecodeError::new_err((
                        "utf-8",
                        PyBytes::new(py, raw).unbind(),
                        at,
                        end,
                        reason,
                    )));
                    break;
                }
            }
        }
        let path = self.path.as_str();
        let pending = &mut self.pending;
        let skip = |i: usize| skipped.get(i).copied().unwrap_or(false);
        let mut slots = Vec::new();
        let outcome = match &self.target {
            Target::Pattern(p) => {
                let p = p.get();
                drive(
                    py,
                    Engine::Pattern(&p.core),
                    &texts,
                    self.on_error,
                    |base, chunk| {
                        for (i, line) in chunk.lines.iter().enumerate() {
                            let item = match chunk.hits_of(line).first() {
                                Some(hit) if !skip(base + i) => p
                                    .layout
                                    .dict(py, chunk.entries_of(hit), &mut slots)?
                                    .into_any()
                                    .unbind(),
                                _ => py.None(),
                            };
                            pending.push_back(item);
                        }
                        Ok(())
                    },
                    |i, _, e| {
                        grok_error(
                            py,
                            e,
                            Some(p.core.expression()),
                            Place::File(path, first + i),
                        )
                    },
                )
            }
            Target::Matcher(m) => {
                let m = m.get();
                drive(
                    py,
                    m.engine(),
                    &texts,
                    self.on_error,
                    |base, chunk| {
                        for (i, line) in chunk.lines.iter().enumerate() {
                            let item = if skip(base + i) {
                                py.None()
                            } else {
                                m.line_result(py, chunk, line, &mut slots)?.unbind()
                            };
                            pending.push_back(item);
                        }
                        Ok(())
                    },
                    |i, pattern, e| {
                        grok_error(
                            py,
                            e,
                            Some(m.expression(pattern)),
                            Place::File(path, first + i),
                        )
                    },
                )
            }
        };
        if let Err(e) = outcome {
            self.reader = None;
            self.deferred = Some(e);
        }
        Ok(())
    }
}

#[pymethods]
impl FileParser {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(mut slf: PyRefMut<'_, Self>) -> PyResult<Option<Py<PyAny>>> {
        let py = slf.py();
        guard(py, || loop {
            if let Some(item) = slf.pending.pop_front() {
                return Ok(Some(item));
            }
            if let Some(err) = slf.deferred.take() {
                return Err(err);
            }
            if slf.reader.is_none() {
                return Ok(None);
            }
            slf.fill(py)?;
        })
    }

    /// Closes the file; the iterator then ends.
    fn close(&mut self) {
        self.reader = None;
        self.pending.clear();
        self.deferred = None;
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __exit__(
        &mut self,
        _exc_type: &Bound<'_, PyAny>,
        _exc: &Bound<'_, PyAny>,
        _tb: &Bound<'_, PyAny>,
    ) -> bool {
        self.close();
        false
    }

    /// How many lines have been read from the file so far.
    #[getter]
    fn lines_read(&self) -> usize {
        self.lines_read
    }

    fn __repr__(&self) -> String {
        format!(
            "<grok.FileParser {:?} lines_read={}>",
            self.path, self.lines_read
        )
    }
}

/// Streams a file through a pattern (a str, `Pattern` or `Matcher`):
/// yields one result per line, as `match` gives it (`None` when the line
/// does not match), reading and matching chunk by chunk with the
/// interpreter released, in bounded memory.
///
/// Lines end at `\n`; a trailing `\r` is removed. Invalid UTF-8:
/// `encoding_errors="replace"` (the default) matches the line with U+FFFD
/// for each bad sequence; `"skip"` yields `None` for it; `"strict"` raises
/// `UnicodeDecodeError` (after yielding the lines before). Compile options
/// apply when `pattern` is a str.
///
/// >>> import os, tempfile
/// >>> path = os.path.join(tempfile.mkdtemp(), "x.log")
/// >>> with open(path, "w") as f: _ = f.write("a 1\nb\n")
/// >>> list(grok.parse_file(path, "%{WORD:w} %{INT:n:int}"))
/// [{'w': 'a', 'n': 1}, None]
#[pyfunction]
#[pyo3(signature = (path, pattern, *, ecs=false, definitions=None, patterns_dir=None,
                    named_only=true, keep_empty=false, strict=false,
                    match_limit=1000000, size_limit=4194304,
                    encoding_errors="replace", errors="raise"))]
#[allow(clippy::too_many_arguments)]
pub fn parse_file(
    py: Python<'_>,
    path: PathBuf,
    pattern: &Bound<'_, PyAny>,
    ecs: bool,
    definitions: Option<&Bound<'_, PyDict>>,
    patterns_dir: Option<PathBuf>,
    named_only: bool,
    keep_empty: bool,
    strict: bool,
    match_limit: u32,
    size_limit: usize,
    encoding_errors: &str,
    errors: &str,
) -> PyResult<FileParser> {
    guard(py, || {
        let decode = match encoding_errors {
            "replace" => Decode::Replace,
            "skip" => Decode::Skip,
            "strict" => Decode::Strict,
            other => {
                return Err(PyValueError::new_err(format!(
                    "encoding_errors must be 'replace', 'skip' or 'strict', not {other:?}"
                )))
            }
        };
        let on_error = OnError::parse(errors)?;
        let args = CompileArgs::new(
            ecs,
            definitions,
            patterns_dir,
            named_only,
            keep_empty,
            strict,
            match_limit,
            size_limit,
        )?;
        let defaults = CompileArgs {
            ecs: false,
            definitions: Vec::new(),
            patterns_dir: None,
            options: Options::default(),
        };
        let target = if let Ok(expr) = pattern.cast::<PyString>() {
            let compiled = PyPattern::cached(py, expr.to_str()?, args)?;
            Target::Pattern(compiled.bind(py).cast::<PyPattern>()?.clone().unbind())
        } else if args != defaults {
            return Err(PyTypeError::new_err(
                "compile options (ecs, definitions, ...) apply only when pattern is a str; \
                 pass them to grok.compile() instead",
            ));
        } else if let Ok(p) = pattern.cast::<PyPattern>() {
            Target::Pattern(p.clone().unbind())
        } else if let Ok(m) = pattern.cast::<PyMatcher>() {
            Target::Matcher(m.clone().unbind())
        } else {
            return Err(PyTypeError::new_err(format!(
                "pattern must be a str, grok.Pattern or grok.Matcher, not {}",
                type_name(pattern)
            )));
        };
        let file = File::open(&path).map_err(|e| {
            PyOSError::new_err((
                e.raw_os_error().unwrap_or(0),
                e.to_string(),
                path.display().to_string(),
            ))
        })?;
        Ok(FileParser {
            reader: Some(BufReader::with_capacity(1 << 16, file)),
            path: path.display().to_string(),
            target,
            decode,
            on_error,
            pending: VecDeque::new(),
            deferred: None,
            lines_read: 0,
            buf: Vec::new(),
            spans: Vec::new(),
        })
    })
}
