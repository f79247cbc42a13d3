//! `grok.Matcher`: an ordered list of expressions (Logstash's `match =>
//! { "message" => [ ... ] }`).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;

use grok_core::Matcher;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};

use crate::batch::{
    collect_lines, drive, run, text_of, texts_of, Chunk, Engine, Hit, Line, OnError,
};
use crate::errors::{grok_error, guard, Place};
use crate::pattern::PyPattern;
use crate::spec::{CompileArgs, LibrarySpec, Options};

/// An ordered list of expressions, tried in order (Logstash's `match` with
/// several patterns). Immutable, thread-safe, picklable.
///
/// `match` returns `(index, fields)` of the first pattern that matches, or
/// `None`; with `break_on_match=False`, a list of `(index, fields)` of every
/// pattern that matches.
///
/// >>> m = grok.Matcher(["%{INT:n:int}", "%{WORD:w}"])
/// >>> m.match("x"), m.match("5"), m.match("!")
/// ((1, {'w': 'x'}), (0, {'n': 5}), None)
#[pyclass(frozen, module = "grok", name = "Matcher")]
pub struct PyMatcher {
    core: Matcher,
    patterns: Vec<Py<PyPattern>>,
    break_on_match: bool,
    spec: Arc<LibrarySpec>,
    options: Options,
}

impl PyMatcher {
    fn build(
        py: Python<'_>,
        expressions: &[String],
        break_on_match: bool,
        spec: Arc<LibrarySpec>,
        options: Options,
    ) -> PyResult<PyMatcher> {
        let lib = spec
            .library()
            .map_err(|e| grok_error(py, &e, None, Place::Single))?;
        let core = lib
            .matcher_with(expressions, &options.compile_options())
            .map_err(|e| grok_error(py, &e, None, Place::Single))?;
        let patterns = core
            .patterns()
            .iter()
            .map(|p| {
                Py::new(
                    py,
                    PyPattern::wrap(py, p.clone(), spec.clone(), options.clone()),
                )
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyMatcher {
            core,
            patterns,
            break_on_match,
            spec,
            options,
        })
    }

    fn from_args(
        py: Python<'_>,
        expressions: &[String],
        break_on_match: bool,
        args: CompileArgs,
    ) -> PyResult<PyMatcher> {
        let spec = args
            .library_spec()
            .map_err(|e| grok_error(py, &e, None, Place::Single))?;
        PyMatcher::build(
            py,
            expressions,
            break_on_match,
            Arc::new(spec),
            args.options,
        )
    }

    pub fn engine(&self) -> Engine<'_> {
        if self.break_on_match {
            Engine::First(&self.core)
        } else {
            Engine::All(&self.core)
        }
    }

    /// The expression of pattern `index`.
    pub fn expression(&self, index: usize) -> &str {
        self.core.patterns()[index].expression()
    }

    fn expressions(&self) -> Vec<&str> {
        self.core
            .patterns()
            .iter()
            .map(|p| p.expression())
            .collect()
    }

    fn key(&self) -> (Vec<&str>, bool, &LibrarySpec, &Options) {
        (
            self.expressions(),
            self.break_on_match,
            &self.spec,
            &self.options,
        )
    }

    /// `(index, fields)` of one hit.
    fn hit<'py>(
        &self,
        py: Python<'py>,
        chunk: &Chunk<'_>,
        hit: &Hit,
        slots: &mut Vec<Option<(usize, usize)>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let layout = &self.patterns[hit.pattern].get().layout;
        let dict = layout.dict(py, chunk.entries_of(hit), slots)?;
        (hit.pattern, dict).into_pyobject(py)
    }

    /// What `match` returns for one line of a chunk.
    pub fn line_result<'py>(
        &self,
        py: Python<'py>,
        chunk: &Chunk<'_>,
        line: &Line,
        slots: &mut Vec<Option<(usize, usize)>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.line_result_as(py, chunk, line, !self.break_on_match, slots)
    }

    fn line_result_as<'py>(
        &self,
        py: Python<'py>,
        chunk: &Chunk<'_>,
        line: &Line,
        all: bool,
        slots: &mut Vec<Option<(usize, usize)>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if line.failed {
            return Ok(py.None().into_bound(py));
        }
        let hits = chunk.hits_of(line);
        if all {
            let list = PyList::empty(py);
            for hit in hits {
                list.append(self.hit(py, chunk, hit, slots)?)?;
            }
            return Ok(list.into_any());
        }
        match hits.first() {
            Some(hit) => Ok(self.hit(py, chunk, hit, slots)?.into_any()),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// Matches one text with `engine`, as a one-line batch (no release of the
    /// interpreter for a single line).
    fn match_one<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyString>,
        all: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = text_of(text)?;
        let engine = if all {
            Engine::All(&self.core)
        } else {
            Engine::First(&self.core)
        };
        let texts = [text];
        let chunk = run(engine, &texts, OnError::Raise);
        if let Some((_, pattern, e)) = &chunk.error {
            return Err(grok_error(
                py,
                e,
                Some(self.expression(*pattern)),
                Place::Single,
            ));
        }
        self.line_result_as(py, &chunk, &chunk.lines[0], all, &mut Vec::new())
    }
}

#[pymethods]
impl PyMatcher {
    #[new]
    #[pyo3(signature = (patterns, *, break_on_match=true, ecs=false, definitions=None,
                        patterns_dir=None, named_only=true, keep_empty=false, strict=false,
                        match_limit=1000000, size_limit=4194304))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        patterns: Vec<String>,
        break_on_match: bool,
        ecs: bool,
        definitions: Option<&Bound<'_, PyDict>>,
        patterns_dir: Option<PathBuf>,
        named_only: bool,
        keep_empty: bool,
        strict: bool,
        match_limit: u32,
        size_limit: usize,
    ) -> PyResult<PyMatcher> {
        guard(py, || {
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
            PyMatcher::from_args(py, &patterns, break_on_match, args)
        })
    }

    /// Rebuilds a pickled matcher.
    #[classmethod]
    #[allow(clippy::too_many_arguments)]
    fn _rebuild(
        cls: &Bound<'_, PyType>,
        patterns: Vec<String>,
        break_on_match: bool,
        ecs: bool,
        definitions: &Bound<'_, PyDict>,
        named_only: bool,
        keep_empty: bool,
        strict: bool,
        match_limit: u32,
        size_limit: usize,
    ) -> PyResult<PyMatcher> {
        let py = cls.py();
        guard(py, || {
            let args = CompileArgs::new(
                ecs,
                Some(definitions),
                None,
                named_only,
                keep_empty,
                strict,
                match_limit,
                size_limit,
            )?;
            PyMatcher::from_args(py, &patterns, break_on_match, args)
        })
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let this = slf.get();
        let o = &this.options;
        let args = (
            this.expressions(),
            this.break_on_match,
            this.spec.ecs,
            this.spec.definitions_dict(py)?,
            o.named_only,
            o.keep_empty,
            o.strict,
            o.match_limit,
            o.size_limit,
        )
            .into_pyobject(py)?;
        Ok((slf.get_type().getattr("_rebuild")?, args))
    }

    fn __copy__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __deepcopy__<'py>(slf: Bound<'py, Self>, _memo: &Bound<'py, PyAny>) -> Bound<'py, Self> {
        slf
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.key() == other.key()
    }

    fn __hash__(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.key().hash(&mut h);
        h.finish()
    }

    fn __len__(&self) -> usize {
        self.patterns.len()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let exprs = PyList::new(py, self.expressions())?.repr()?;
        let mode = if self.break_on_match {
            ""
        } else {
            " break_on_match=False"
        };
        Ok(format!("<grok.Matcher {exprs}{mode}>"))
    }

    /// The compiled patterns, in order.
    #[getter]
    fn patterns<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyPattern>> {
        self.patterns.iter().map(|p| p.bind(py).clone()).collect()
    }

    #[getter]
    fn break_on_match(&self) -> bool {
        self.break_on_match
    }

    /// With `break_on_match=True`: `(index, fields)` of the first pattern (in
    /// list order) that matches, or `None`. With `break_on_match=False`: the
    /// list of `(index, fields)` of every pattern that matches.
    #[pyo3(name = "match")]
    fn match_<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyString>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || self.match_one(py, text, !self.break_on_match))
    }

    /// `(index, fields)` of every pattern that matches, whatever
    /// `break_on_match` says.
    ///
    /// >>> grok.Matcher(["%{INT:n:int}", "%{WORD:w}"]).match_all("x 5")
    /// [(0, {'n': 5}), (1, {'w': 'x'})]
    fn match_all<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyString>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || self.match_one(py, text, true))
    }

    /// Whether any pattern matches.
    fn is_match(&self, py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<bool> {
        guard(py, || Ok(self.core.is_match(&text_of(text)?)))
    }

    /// `[self.match(line) for line in lines]`, matched with the interpreter
    /// released. `errors="none"` gives `None` for a line whose match raises.
    ///
    /// >>> grok.Matcher(["%{INT:n:int}", "%{WORD:w}"]).match_many(["1", "a", "?"])
    /// [(0, {'n': 1}), (1, {'w': 'a'}), None]
    #[pyo3(signature = (lines, *, errors="raise"))]
    fn match_many<'py>(
        &self,
        py: Python<'py>,
        lines: &Bound<'py, PyAny>,
        errors: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        guard(py, || {
            let on_error = OnError::parse(errors)?;
            let strs = collect_lines(lines)?;
            let texts = texts_of(&strs)?;
            let out = PyList::empty(py);
            let mut slots = Vec::new();
            drive(
                py,
                self.engine(),
                &texts,
                on_error,
                |_, chunk| {
                    for line in &chunk.lines {
                        out.append(self.line_result(py, chunk, line, &mut slots)?)?;
                    }
                    Ok(())
                },
                |i, pattern, e| grok_error(py, e, Some(self.expression(pattern)), Place::Batch(i)),
            )?;
            Ok(out)
        })
    }
}
