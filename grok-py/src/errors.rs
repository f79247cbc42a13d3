//! grok-core errors (and Rust panics) as instances of the exception classes
//! of `grok/_errors.py`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use grok_core::{Error, ErrorKind};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    ERRORS_MODULE
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("grok._errors")?.unbind()))
        .map(|m| m.bind(py))
}

/// Where a match-time error happened, for batch calls.
#[derive(Clone, Copy, Debug)]
pub enum Place<'a> {
    /// A single call: no position to report.
    Single,
    /// `lines[index]` of a batch.
    Batch(usize),
    /// Line `index + 1` of a file.
    File(&'a str, usize),
}

/// Converts a grok-core error. `expression` is the expression being compiled
/// or matched; it is attached when grok-core did not name a pattern itself
/// (match-time errors), so every message shows the pattern.
pub fn grok_error(
    py: Python<'_>,
    err: &Error,
    expression: Option<&str>,
    place: Place<'_>,
) -> PyErr {
    build(py, err, expression, place).unwrap_or_else(|e| e)
}

fn build(
    py: Python<'_>,
    err: &Error,
    expression: Option<&str>,
    place: Place<'_>,
) -> PyResult<PyErr> {
    let kwargs = PyDict::new(py);
    let class = match err.kind() {
        ErrorKind::UnknownPattern { name, suggestion } => {
            kwargs.set_item("name", name)?;
            kwargs.set_item("suggestion", suggestion)?;
            "UnknownPatternError"
        }
        ErrorKind::Cycle { path } => {
            kwargs.set_item("path", path)?;
            "CycleError"
        }
        ErrorKind::MalformedReference | ErrorKind::InvalidRegex => "PatternSyntaxError",
        ErrorKind::UnknownType { name } => {
            kwargs.set_item("type_name", name)?;
            "UnknownTypeError"
        }
        ErrorKind::PatternFile | ErrorKind::Io => "PatternFileError",
        ErrorKind::SizeLimit { limit } => {
            kwargs.set_item("limit", limit)?;
            "SizeLimitError"
        }
        ErrorKind::Conversion { field, value } => {
            kwargs.set_item("field", field)?;
            kwargs.set_item("value", value)?;
            "ConversionError"
        }
        ErrorKind::MatchLimit { limit } => {
            kwargs.set_item("limit", limit)?;
            "MatchLimitError"
        }
        _ => "GrokError",
    };
    let mut message = err.to_string();
    let pattern = match (err.pattern(), expression) {
        (Some(p), _) => Some(p),
        (None, Some(expr)) => {
            // The same layout as grok-core's Display for an error without offset.
            message.push_str("\n    ");
            message.push_str(expr);
            Some(expr)
        }
        (None, None) => None,
    };
    match place {
        Place::Single => {}
        Place::Batch(index) => {
            message = format!("lines[{index}]: {message}");
            kwargs.set_item("index", index)?;
        }
        Place::File(path, index) => {
            message = format!("{path}:{}: {message}", index + 1);
            kwargs.set_item("index", index)?;
        }
    }
    kwargs.set_item("pattern", pattern)?;
    kwargs.set_item("position", err.offset())?;
    kwargs.set_item("detail", err.message())?;
    let class = errors_module(py)?.getattr(class)?;
    let instance = class.call((message,), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}

/// A `GrokError` for a failure that is not grok-core's (a bug, reported as
/// such rather than crashing or raising a `BaseException`).
pub fn internal_error(py: Python<'_>, what: &str) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let class = errors_module(py)?.getattr("GrokError")?;
        let message =
            format!("internal error in grok (please report it with the pattern and input): {what}");
        Ok(PyErr::from_value(class.call1((message,))?))
    })();
    made.unwrap_or_else(|e| e)
}

/// Runs `body`, turning a Rust panic into a `GrokError`: nothing that
/// happens in Rust takes the interpreter down or escapes as a
/// `BaseException`.
pub fn guard<T>(py: Python<'_>, body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a Rust panic".to_string());
            Err(internal_error(py, &what))
        }
    }
}
