//! `grok._grok`: the compiled core of the `grok` Python package (re-exported
//! by `python/grok/__init__.py`). This file only registers; each wrapper is
//! in its own module over grok-core.

mod batch;
mod errors;
mod file;
mod layout;
mod matcher;
mod pattern;
mod spec;

use grok_core::{Flavour, PatternLibrary};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The built-in definitions, `{name: regex}` sorted by name (`ecs=True`:
/// the ECS v1 flavour).
///
/// >>> grok.patterns()["INT"]
/// '(?:[+-]?(?:[0-9]+))'
#[pyfunction]
#[pyo3(signature = (ecs=false))]
fn patterns(py: Python<'_>, ecs: bool) -> PyResult<Bound<'_, PyDict>> {
    let flavour = if ecs { Flavour::EcsV1 } else { Flavour::Legacy };
    let dict = PyDict::new(py);
    for (name, regex) in PatternLibrary::builtin(flavour).definitions() {
        dict.set_item(name, regex)?;
    }
    Ok(dict)
}

/// Clears the caches of `compile()` and of libraries with custom
/// definitions (like `re.purge()`); pattern directories are read again.
#[pyfunction]
fn purge() {
    pattern::clear_cache();
    spec::clear_libraries();
}

/// Panics inside the guard used by every entry point, so the tests can
/// check that a panic reaches Python as a `GrokError`.
#[pyfunction]
fn _test_panic(py: Python<'_>) -> PyResult<()> {
    errors::guard(py, || -> PyResult<()> {
        panic!("deliberate panic for tests")
    })
}

#[pymodule]
#[pyo3(name = "_grok")]
fn grok_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<pattern::PyPattern>()?;
    m.add_class::<matcher::PyMatcher>()?;
    m.add_class::<file::FileParser>()?;
    m.add_function(wrap_pyfunction!(pattern::compile, m)?)?;
    m.add_function(wrap_pyfunction!(file::parse_file, m)?)?;
    m.add_function(wrap_pyfunction!(patterns, m)?)?;
    m.add_function(wrap_pyfunction!(purge, m)?)?;
    m.add_function(wrap_pyfunction!(_test_panic, m)?)?;
    Ok(())
}
