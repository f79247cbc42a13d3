//! `grok.Pattern` and `grok.compile()`: one compiled expression.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use grok_core::Pattern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};

use crate::batch::{collect_lines, drive, text_of, texts_of, Engine, OnError};
use crate::errors::{grok_error, guard, Place};
use crate::layout::{collect, Layout};
use crate::spec::{CompileArgs, LibrarySpec, ObjectCache, Options};

/// A compiled grok expression (see `grok.compile`). Immutable and safe to
/// share between threads; pickles by its expression and options (custom
/// definitions travel along).
///
/// >>> p = grok.compile("%{IP:client}")
/// >>> p
/// <grok.Pattern '%{IP:client}' fields=['client']>
/// >>> import pickle; pickle.loads(pickle.dumps(p)) == p
/// True
#[pyclass(frozen, module = "grok", name = "Pattern")]
pub struct PyPattern {
    pub core: Pattern,
    pub layout: Layout,
    pub spec: Arc<LibrarySpec>,
    pub options: Options,
}

/// `compile()`'s cache: (expression, arguments) → `Pattern` object.
static PATTERNS: LazyLock<ObjectCache<(String, CompileArgs)>> = LazyLock::new(ObjectCache::new);

pub fn clear_cache() {
    PATTERNS.clear();
}

impl PyPattern {
    /// Compiles `expression` against an already resolved library.
    pub fn with_spec(
        py: Python<'_>,
        expression: &str,
        spec: Arc<LibrarySpec>,
        options: Options,
    ) -> PyResult<PyPattern> {
        let lib = spec
            .library()
            .map_err(|e| grok_error(py, &e, None, Place::Single))?;
        let core = lib
            .compile_with(expression, &options.compile_options())
            .map_err(|e| grok_error(py, &e, Some(expression), Place::Single))?;
        Ok(PyPattern::wrap(py, core, spec, options))
    }

    /// Wraps a compiled pattern (interning its field names).
    pub fn wrap(
        py: Python<'_>,
        core: Pattern,
        spec: Arc<LibrarySpec>,
        options: Options,
    ) -> PyPattern {
        PyPattern {
            layout: Layout::new(py, &core),
            core,
            spec,
            options,
        }
    }

    fn build(py: Python<'_>, expression: &str, args: &CompileArgs) -> PyResult<PyPattern> {
        let spec = args
            .library_spec()
            .map_err(|e| grok_error(py, &e, None, Place::Single))?;
        PyPattern::with_spec(py, expression, Arc::new(spec), args.options.clone())
    }

    /// `compile()` through the cache.
    pub fn cached(py: Python<'_>, expression: &str, args: CompileArgs) -> PyResult<Py<PyAny>> {
        let key = (expression.to_string(), args);
        if let Some(found) = PATTERNS.get(py, &key) {
            return Ok(found);
        }
        let pattern = Py::new(py, PyPattern::build(py, expression, &key.1)?)?.into_any();
        PATTERNS.insert(key, pattern.clone_ref(py));
        Ok(pattern)
    }

    fn expression(&self) -> &str {
        self.core.expression()
    }

    fn key(&self) -> (&str, &LibrarySpec, &Options) {
        (self.expression(), &self.spec, &self.options)
    }

    /// The fields as `name -> type name`, in order of first appearance.
    pub fn fields_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for field in self.core.fields() {
            dict.set_item(field.name(), field.ty().name())?;
        }
        Ok(dict)
    }

    fn match_columns_impl<'py>(
        &self,
        py: Python<'py>,
        lines: &Bound<'py, PyAny>,
        errors: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let on_error = OnError::parse(errors)?;
        let strs = collect_lines(lines)?;
        let texts = texts_of(&strs)?;
        let n = texts.len();
        let columns = (0..self.layout.len())
            .map(|_| PyList::new(py, std::iter::repeat_n(py.None().into_bound(py), n)))
            .collect::<PyResult<Vec<_>>>()?;
        drive(
            py,
            Engine::Pattern(&self.core),
            &texts,
            on_error,
            |base, chunk| {
                for (i, line) in chunk.lines.iter().enumerate() {
                    if let Some(hit) = chunk.hits_of(line).first() {
                        self.layout
                            .fill_columns(py, &columns, base + i, chunk.entries_of(hit))?;
                    }
                }
                Ok(())
            },
            |i, _, e| grok_error(py, e, Some(self.expression()), Place::Batch(i)),
        )?;
        let dict = PyDict::new(py);
        for (d, column) in columns.iter().enumerate() {
            dict.set_item(self.layout.name(py, d), column)?;
        }
        Ok(dict)
    }
}

#[pymethods]
impl PyPattern {
    #[new]
    #[pyo3(signature = (pattern, *, ecs=false, definitions=None, patterns_dir=None, named_only=true,
                        keep_empty=false, strict=false, match_limit=1000000,
                        size_limit=4194304))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        pattern: &str,
        ecs: bool,
        definitions: Option<&Bound<'_, PyDict>>,
        patterns_dir: Option<PathBuf>,
        named_only: bool,
        keep_empty: bool,
        strict: bool,
        match_limit: u32,
        size_limit: usize,
    ) -> PyResult<PyPattern> {
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
            PyPattern::build(py, pattern, &args)
        })
    }

    /// Rebuilds a pickled pattern (through `compile()`'s cache).
    #[classmethod]
    #[allow(clippy::too_many_arguments)]
    fn _rebuild(
        cls: &Bound<'_, PyType>,
        pattern: &str,
        ecs: bool,
        definitions: &Bound<'_, PyDict>,
        named_only: bool,
        keep_empty: bool,
        strict: bool,
        match_limit: u32,
        size_limit: usize,
    ) -> PyResult<Py<PyAny>> {
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
            PyPattern::cached(py, pattern, args)
        })
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let this = slf.get();
        let o = &this.options;
        let args = (
            this.expression(),
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

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let expr = PyString::new(py, self.expression()).repr()?;
        let names = PyList::new(py, self.core.fields().iter().map(|f| f.name()))?.repr()?;
        Ok(format!("<grok.Pattern {expr} fields={names}>"))
    }

    /// The expression as given to `compile`.
    ///
    /// >>> grok.compile("%{INT:n}").pattern
    /// '%{INT:n}'
    #[getter]
    fn pattern(&self) -> &str {
        self.expression()
    }

    /// The fully expanded regular expression (Oniguruma/Ruby syntax;
    /// captures renamed `g0`, `g1`, ...).
    #[getter]
    fn regex(&self) -> &str {
        self.core.regex()
    }

    /// `{field name: type name}` in order of first appearance.
    ///
    /// >>> grok.compile("%{IP:[source][ip]} %{INT:n:int}", ecs=True).fields
    /// {'[source][ip]': 'string', 'n': 'int'}
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.fields_dict(py)
    }

    /// Whether every match is decided by the linear-time engine (otherwise
    /// some lines are confirmed by the bounded backtracking engine).
    ///
    /// >>> grok.compile("%{SYSLOGLINE}").is_linear
    /// True
    #[getter]
    fn is_linear(&self) -> bool {
        self.core.is_linear()
    }

    #[getter]
    fn ecs(&self) -> bool {
        self.spec.ecs
    }

    #[getter]
    fn named_only(&self) -> bool {
        self.options.named_only
    }

    #[getter]
    fn keep_empty(&self) -> bool {
        self.options.keep_empty
    }

    #[getter]
    fn strict(&self) -> bool {
        self.options.strict
    }

    /// The fields of the first match anywhere in `text`, or `None`. Values
    /// are typed (`:int`, `:float`, `:boolean`), a field captured several
    /// times is a list, ECS bracket names nest.
    ///
    /// >>> grok.compile("%{WORD:w} %{INT:n:int}").match("say 42 times")
    /// {'w': 'say', 'n': 42}
    /// >>> grok.compile("%{IP:[source][ip]}", ecs=True).match("from 10.0.0.1")
    /// {'source': {'ip': '10.0.0.1'}}
    #[pyo3(name = "match")]
    fn match_<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyString>,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        guard(py, || {
            let text = text_of(text)?;
            let caps = self
                .core
                .captures(&text)
                .map_err(|e| grok_error(py, &e, Some(self.expression()), Place::Single))?;
            let Some(caps) = caps else {
                return Ok(None);
            };
            let mut entries = Vec::new();
            collect(&caps, self.core.fields(), &mut entries);
            Ok(Some(self.layout.dict(py, &entries, &mut Vec::new())?))
        })
    }

    /// Whether `text` matches anywhere.
    ///
    /// >>> grok.compile("%{IP}").is_match("host 10.0.0.1")
    /// True
    fn is_match(&self, py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<bool> {
        guard(py, || {
            self.core
                .try_is_match(&text_of(text)?)
                .map_err(|e| grok_error(py, &e, Some(self.expression()), Place::Single))
        })
    }

    /// `[self.match(line) for line in lines]`, matched with the interpreter
    /// released (in chunks of 8192 lines, the next one matched on a worker
    /// thread while this one's dicts are built; Ctrl-C works between
    /// them). `lines` is any
    /// iterable of str. `errors="none"` gives `None` for a line whose match
    /// raises (strict conversion, match limit) instead of raising.
    ///
    /// >>> grok.compile("%{INT:n:int}").match_many(["a 1", "b", "c 3"])
    /// [{'n': 1}, None, {'n': 3}]
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
                Engine::Pattern(&self.core),
                &texts,
                on_error,
                |_, chunk| {
                    for line in &chunk.lines {
                        match chunk.hits_of(line).first() {
                            Some(hit) => out.append(self.layout.dict(
                                py,
                                chunk.entries_of(hit),
                                &mut slots,
                            )?)?,
                            None => out.append(py.None())?,
                        }
                    }
                    Ok(())
                },
                |i, _, e| grok_error(py, e, Some(self.expression()), Place::Batch(i)),
            )?;
            Ok(out)
        })
    }

    /// `{field name: [value or None per line]}`: one list per field, names
    /// as written (`[source][ip]`), ready for `pandas.DataFrame`.
    ///
    /// >>> grok.compile("%{WORD:w} %{INT:n:int}").match_columns(["a 1", "zzz", "b 2"])
    /// {'w': ['a', None, 'b'], 'n': [1, None, 2]}
    #[pyo3(signature = (lines, *, errors="raise"))]
    fn match_columns<'py>(
        &self,
        py: Python<'py>,
        lines: &Bound<'py, PyAny>,
        errors: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        guard(py, || self.match_columns_impl(py, lines, errors))
    }

    /// The columns of `match_columns` as a `pyarrow.RecordBatch` with
    /// typed columns: string, int64, float64, bool; a list column for a
    /// field captured in several places. Needs pyarrow (imported on first
    /// use; `ImportError` otherwise).
    ///
    /// >>> batch = grok.compile("%{INT:n:int}").match_arrow(["1", "x"])
    /// >>> batch.column("n").to_pylist(), str(batch.schema.field("n").type)
    /// ([1, None], 'int64')
    #[pyo3(signature = (lines, *, errors="raise"))]
    fn match_arrow<'py>(
        &self,
        py: Python<'py>,
        lines: &Bound<'py, PyAny>,
        errors: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let arrow = py.import("grok._arrow")?;
            arrow.call_method0("require_pyarrow")?;
            let columns = self.match_columns_impl(py, lines, errors)?;
            let schema = PyList::empty(py);
            for (d, field) in self.core.fields().iter().enumerate() {
                schema.append((
                    field.name(),
                    self.layout.ty(d).name(),
                    self.layout.is_multi(d),
                ))?;
            }
            arrow.call_method1("record_batch", (columns, schema))
        })
    }
}

/// Compiles a grok expression into a `Pattern`; cached like `re.compile`.
///
/// `ecs=True` selects the ECS v1 library (`[source][address]` names);
/// `definitions` adds `{NAME: regex}`; `patterns_dir` loads pattern files
/// first (Logstash's `patterns_dir`, then `pattern_definitions`);
/// `named_only=False` also captures `%{NAME}` as field `NAME`; `keep_empty`
/// keeps empty captures; `strict` raises `ConversionError` instead of
/// converting leniently; `match_limit` bounds the backtracking engine per
/// line, `size_limit` the expanded regex (bytes).
///
/// >>> p = grok.compile("%{NUMBER:n:float}")
/// >>> p.match("took 0.5 s"), grok.compile("%{NUMBER:n:float}") is p
/// ({'n': 0.5}, True)
#[pyfunction]
#[pyo3(signature = (pattern, *, ecs=false, definitions=None, patterns_dir=None, named_only=true,
                    keep_empty=false, strict=false, match_limit=1000000,
                    size_limit=4194304))]
#[allow(clippy::too_many_arguments)]
pub fn compile(
    py: Python<'_>,
    pattern: &str,
    ecs: bool,
    definitions: Option<&Bound<'_, PyDict>>,
    patterns_dir: Option<PathBuf>,
    named_only: bool,
    keep_empty: bool,
    strict: bool,
    match_limit: u32,
    size_limit: usize,
) -> PyResult<Py<PyAny>> {
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
        PyPattern::cached(py, pattern, args)
    })
}
