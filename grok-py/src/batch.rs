//! Batch matching: the lines are borrowed from the Python strings, matched in
//! chunks with the interpreter released, and only then turned into Python
//! objects.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

use grok_core::{Captures, Error, Matcher, Pattern};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PyString, PyTuple};

use crate::layout::{collect, Entry};
use crate::spec::type_name;

/// Lines matched per release of the interpreter: large enough that
/// releasing costs nothing, small enough to keep the stored values small
/// and let Ctrl-C through between chunks.
pub const CHUNK: usize = 8192;

/// What runs over a line.
#[derive(Clone, Copy)]
pub enum Engine<'a> {
    Pattern(&'a Pattern),
    /// A matcher, first match in list order.
    First(&'a Matcher),
    /// A matcher, every match (`break_on_match=False`).
    All(&'a Matcher),
}

/// What to do with a line whose match fails with an error (strict
/// conversion, match limit).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    Raise,
    None,
}

impl OnError {
    pub fn parse(errors: &str) -> PyResult<OnError> {
        match errors {
            "raise" => Ok(OnError::Raise),
            "none" => Ok(OnError::None),
            other => Err(PyValueError::new_err(format!(
                "errors must be 'raise' or 'none', not {other:?}"
            ))),
        }
    }
}

/// One match of a line: which pattern, and its entries.
#[derive(Clone, Copy, Debug)]
pub struct Hit {
    pub pattern: usize,
    pub start: usize,
    pub end: usize,
}

/// The outcome of one line.
#[derive(Clone, Copy, Debug)]
pub struct Line {
    /// Range into `Chunk::hits`.
    pub hits: (usize, usize),
    /// The match failed with an error (kept as `None` under `errors="none"`).
    pub failed: bool,
}

/// The results of a chunk, holding no Python object.
pub struct Chunk<'t> {
    pub entries: Vec<Entry<'t>>,
    pub hits: Vec<Hit>,
    pub lines: Vec<Line>,
    /// The first error, with the index of its line in the chunk (only when
    /// errors raise; the chunk stops there).
    pub error: Option<(usize, usize, Error)>,
}

impl<'t> Chunk<'t> {
    pub fn hits_of(&self, line: &Line) -> &[Hit] {
        &self.hits[line.hits.0..line.hits.1]
    }

    pub fn entries_of(&self, hit: &Hit) -> &[Entry<'t>] {
        &self.entries[hit.start..hit.end]
    }
}

/// Matches every text of `texts` (no Python involved: call it with the
/// interpreter released).
pub fn run<'t>(engine: Engine<'t>, texts: &'t [Cow<'t, str>], on_error: OnError) -> Chunk<'t> {
    run_until(engine, texts, on_error, &AtomicBool::new(false))
}

/// [`run`], stopping before the next line once `stop` is set (the chunk is
/// then incomplete: only for a batch that is being abandoned).
fn run_until<'t>(
    engine: Engine<'t>,
    texts: &'t [Cow<'t, str>],
    on_error: OnError,
    stop: &AtomicBool,
) -> Chunk<'t> {
    let mut chunk = Chunk {
        entries: Vec::new(),
        hits: Vec::new(),
        lines: Vec::with_capacity(texts.len()),
        error: None,
    };
    let mut caps = Captures::new();
    for (i, text) in texts.iter().enumerate() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let first_hit = chunk.hits.len();
        let outcome = match engine {
            Engine::Pattern(p) => p
                .captures_into(text, &mut caps)
                .map(|hit| hit.then(|| record(&mut chunk, &caps, p))),
            Engine::First(m) => m.captures_into(text, &mut caps).map(|hit| {
                hit.then(|| record(&mut chunk, &caps, &m.patterns()[caps.pattern_index()]))
            }),
            Engine::All(m) => m.captures_all(text).map(|all| {
                for caps in &all {
                    record(&mut chunk, caps, &m.patterns()[caps.pattern_index()]);
                }
                None
            }),
        };
        let failed = match outcome {
            Ok(_) => false,
            Err(e) => {
                chunk.hits.truncate(first_hit);
                if on_error == OnError::Raise {
                    let pattern = match engine {
                        Engine::Pattern(_) => 0,
                        Engine::First(m) | Engine::All(m) => failing_pattern(m, &e),
                    };
                    chunk.error = Some((i, pattern, e));
                    break;
                }
                true
            }
        };
        chunk.lines.push(Line {
            hits: (first_hit, chunk.hits.len()),
            failed,
        });
    }
    chunk
}

fn record<'t>(chunk: &mut Chunk<'t>, caps: &Captures<'t>, pattern: &Pattern) {
    let start = chunk.entries.len();
    collect(caps, pattern.fields(), &mut chunk.entries);
    chunk.hits.push(Hit {
        pattern: caps.pattern_index(),
        start,
        end: chunk.entries.len(),
    });
}

/// Which expression of a matcher raised `err` (to name it in the message):
/// grok-core's match-time errors carry their expression.
fn failing_pattern(m: &Matcher, err: &Error) -> usize {
    err.pattern()
        .and_then(|named| m.patterns().iter().position(|p| p.expression() == named))
        .unwrap_or(0)
}

/// The lines of a batch call, as Python strings (kept alive while their
/// text is borrowed). Accepts any iterable of `str`, but not a `str` or
/// `bytes` itself (which would iterate characters or ints).
pub fn collect_lines<'py>(lines: &Bound<'py, PyAny>) -> PyResult<Vec<Bound<'py, PyString>>> {
    if lines.is_instance_of::<PyString>()
        || lines.is_instance_of::<PyBytes>()
        || lines.is_instance_of::<PyByteArray>()
    {
        return Err(PyTypeError::new_err(format!(
            "expected an iterable of str (e.g. a list of lines), not a single {}",
            type_name(lines)
        )));
    }
    let item = |i: usize, obj: Bound<'py, PyAny>| {
        obj.cast_into::<PyString>().map_err(|e| {
            PyTypeError::new_err(format!(
                "lines[{i}] must be str, not {}",
                type_name(&e.into_inner())
            ))
        })
    };
    if let Ok(list) = lines.cast::<PyList>() {
        let mut out = Vec::with_capacity(list.len());
        for (i, obj) in list.iter().enumerate() {
            out.push(item(i, obj)?);
        }
        return Ok(out);
    }
    if let Ok(tuple) = lines.cast::<PyTuple>() {
        let mut out = Vec::with_capacity(tuple.len());
        for (i, obj) in tuple.iter().enumerate() {
            out.push(item(i, obj)?);
        }
        return Ok(out);
    }
    let iter = lines.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "expected an iterable of str, not {}",
            type_name(lines)
        ))
    })?;
    let mut out = Vec::with_capacity(lines.len().unwrap_or(0));
    for (i, obj) in iter.enumerate() {
        out.push(item(i, obj?)?);
    }
    Ok(out)
}

/// The text of a line. Borrowed (no copy) from the string's UTF-8 form. A
/// string with lone surrogates (`'\ud800'`, or text decoded with
/// `errors="surrogateescape"`), which has no UTF-8 form, is matched with
/// each surrogate replaced by one U+FFFD, so character positions still agree
/// with the Python string.
pub fn text_of<'a>(s: &'a Bound<'_, PyString>) -> PyResult<Cow<'a, str>> {
    if let Ok(text) = s.to_str() {
        return Ok(Cow::Borrowed(text));
    }
    let encoded = s.call_method1("encode", ("utf-8", "surrogatepass"))?;
    let mut bytes = encoded.cast::<PyBytes>()?.as_bytes().to_vec();
    // A surrogate encodes as ED A0..BF xx; U+FFFD is EF BF BD, as long.
    let mut i = 0;
    while i + 2 < bytes.len() {
        if bytes[i] == 0xED && bytes[i + 1] >= 0xA0 {
            bytes[i..i + 3].copy_from_slice("\u{FFFD}".as_bytes());
            i += 3;
        } else {
            i += 1;
        }
    }
    Ok(Cow::Owned(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }))
}

/// The texts of `lines` (see [`text_of`]).
pub fn texts_of<'a>(lines: &'a [Bound<'_, PyString>]) -> PyResult<Vec<Cow<'a, str>>> {
    lines.iter().map(text_of).collect()
}

/// Drives a batch: matches `texts` chunk by chunk with the interpreter
/// released, and hands each chunk to `emit` with the index of its first
/// line. With `on_error = Raise`, the first error ends the batch: the lines
/// before it are emitted, then it is raised through `raise(line index,
/// pattern index, error)`.
///
/// A batch of more than one chunk is pipelined: a worker thread matches the
/// next chunk while the interpreter turns the current one into objects, so
/// a batch costs about the larger of the two instead of their sum. The
/// worker stays at most two chunks ahead and, when the batch ends early
/// (an error, Ctrl-C), stops after its current line: the interpreter is
/// held while the worker is joined, so it must not finish a chunk of slow
/// lines first.
pub fn drive<'t>(
    py: Python<'_>,
    engine: Engine<'_>,
    texts: &'t [Cow<'t, str>],
    on_error: OnError,
    mut emit: impl FnMut(usize, &Chunk<'_>) -> PyResult<()>,
    raise: impl Fn(usize, usize, &Error) -> PyErr,
) -> PyResult<()> {
    let mut deliver = |n: usize, chunk: &Chunk<'_>| -> PyResult<()> {
        let base = n * CHUNK;
        // The lines before an error are emitted first (a file stream yields
        // them before raising).
        emit(base, chunk)?;
        if let Some((i, pattern, e)) = &chunk.error {
            return Err(raise(base + i, *pattern, e));
        }
        py.check_signals()
    };
    if texts.len() <= CHUNK {
        let chunk = py.detach(|| run(engine, texts, on_error));
        return deliver(0, &chunk);
    }
    let stop = AtomicBool::new(false);
    let stop = &stop;
    std::thread::scope(|scope| {
        // Declared inside the scope: an early return drops the receiver,
        // which ends the worker's next send, and sets `stop`, which ends its
        // current chunk, before the scope joins it.
        let (sender, mut receiver) = std::sync::mpsc::sync_channel(1);
        let _stop_on_exit = StopOnDrop(stop);
        scope.spawn(move || {
            for part in texts.chunks(CHUNK) {
                let chunk = run_until(engine, part, on_error, stop);
                let failed = chunk.error.is_some();
                if sender.send(chunk).is_err() || failed {
                    break;
                }
            }
        });
        for n in 0.. {
            // Waiting for the worker must not hold the interpreter.
            let (next, back) = py.detach(move || (receiver.recv(), receiver));
            receiver = back;
            let Ok(chunk) = next else { break };
            deliver(n, &chunk)?;
        }
        Ok(())
    })
}

/// Sets its flag when dropped, on every way out of a scope.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}
