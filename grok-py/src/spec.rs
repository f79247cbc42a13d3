//! What a compiled object is built from (flavour, custom definitions,
//! options), the libraries built from it, and the caches keyed by it.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::path::PathBuf;
use std::sync::{LazyLock, Mutex, MutexGuard};

use grok_core::{CompileOptions, Conversion, Error, PatternLibrary};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The defaults of `match_limit` and `size_limit`, written as literals in
/// the `#[pyo3(signature)]`s (so that Python shows them); checked here
/// against grok-core's.
pub const DEFAULT_MATCH_LIMIT: u32 = 1_000_000;
pub const DEFAULT_SIZE_LIMIT: usize = 4_194_304;
const _: () = assert!(DEFAULT_MATCH_LIMIT == CompileOptions::DEFAULT_MATCH_LIMIT);
const _: () = assert!(DEFAULT_SIZE_LIMIT == CompileOptions::DEFAULT_SIZE_LIMIT);

/// The compile options exposed to Python.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Options {
    pub named_only: bool,
    pub keep_empty: bool,
    pub strict: bool,
    pub match_limit: u32,
    pub size_limit: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            named_only: true,
            keep_empty: false,
            strict: false,
            match_limit: DEFAULT_MATCH_LIMIT,
            size_limit: DEFAULT_SIZE_LIMIT,
        }
    }
}

impl Options {
    pub fn compile_options(&self) -> CompileOptions {
        CompileOptions::new()
            .named_only(self.named_only)
            .keep_empty(self.keep_empty)
            .conversion(if self.strict {
                Conversion::Strict
            } else {
                Conversion::Lenient
            })
            .match_limit(self.match_limit)
            .size_limit(self.size_limit)
    }
}

/// A library: the built-in flavour plus custom definitions (from
/// `patterns_dir`, then `definitions`, later ones winning), merged into one
/// sorted list. This is what a pickled object carries, so a worker process
/// rebuilds the same library without the pattern directory.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LibrarySpec {
    pub ecs: bool,
    pub definitions: Vec<(String, String)>,
}

impl LibrarySpec {
    pub fn definitions_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (name, regex) in &self.definitions {
            dict.set_item(name, regex)?;
        }
        Ok(dict)
    }

    /// The library, built once per distinct spec.
    pub fn library(&self) -> Result<PatternLibrary, Error> {
        let base = if self.ecs {
            PatternLibrary::ecs_v1()
        } else {
            PatternLibrary::legacy()
        };
        if self.definitions.is_empty() {
            return Ok(base);
        }
        if let Some(found) = lock(&LIBRARIES).get(self) {
            return Ok(found.clone());
        }
        let mut lib = base;
        for (name, regex) in &self.definitions {
            lib.add(name, regex)?;
        }
        insert_bounded(&mut lock(&LIBRARIES), self.clone(), lib.clone(), 64);
        Ok(lib)
    }
}

/// The arguments of `compile()` / `Matcher()` as given (the cache key of
/// the compiled Python objects).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CompileArgs {
    pub ecs: bool,
    pub definitions: Vec<(String, String)>,
    pub patterns_dir: Option<PathBuf>,
    pub options: Options,
}

impl CompileArgs {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ecs: bool,
        definitions: Option<&Bound<'_, PyDict>>,
        patterns_dir: Option<PathBuf>,
        named_only: bool,
        keep_empty: bool,
        strict: bool,
        match_limit: u32,
        size_limit: usize,
    ) -> PyResult<CompileArgs> {
        let mut defs = Vec::new();
        if let Some(dict) = definitions {
            for (name, regex) in dict.iter() {
                let name: String = name.extract().map_err(|_| {
                    pyo3::exceptions::PyTypeError::new_err(format!(
                        "definitions: names must be str, got {}",
                        type_name(&name)
                    ))
                })?;
                let regex: String = regex.extract().map_err(|_| {
                    pyo3::exceptions::PyTypeError::new_err(format!(
                        "definitions[{name:?}]: the regex must be a str, got {}",
                        type_name(&regex)
                    ))
                })?;
                defs.push((name, regex));
            }
        }
        Ok(CompileArgs {
            ecs,
            definitions: defs,
            patterns_dir,
            options: Options {
                named_only,
                keep_empty,
                strict,
                match_limit,
                size_limit,
            },
        })
    }

    /// Reads `patterns_dir` (if any) and merges the custom definitions.
    pub fn library_spec(&self) -> Result<LibrarySpec, Error> {
        let mut merged: BTreeMap<String, String> = BTreeMap::new();
        if let Some(dir) = &self.patterns_dir {
            let mut from_dir = PatternLibrary::empty();
            from_dir.load_path(dir)?;
            for (name, regex) in from_dir.definitions() {
                merged.insert(name.to_string(), regex.to_string());
            }
        }
        for (name, regex) in &self.definitions {
            merged.insert(name.clone(), regex.clone());
        }
        Ok(LibrarySpec {
            ecs: self.ecs,
            definitions: merged.into_iter().collect(),
        })
    }
}

pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_string())
}

static LIBRARIES: LazyLock<Mutex<HashMap<LibrarySpec, PatternLibrary>>> =
    LazyLock::new(Mutex::default);

/// A cache of compiled Python objects keyed by their arguments, like
/// `re`'s: bounded, and starting over when full.
pub struct ObjectCache<K> {
    map: Mutex<HashMap<K, Py<PyAny>>>,
}

impl<K: Hash + Eq> ObjectCache<K> {
    pub const CAPACITY: usize = 512;

    pub fn new() -> ObjectCache<K> {
        ObjectCache {
            map: Mutex::default(),
        }
    }

    pub fn get(&self, py: Python<'_>, key: &K) -> Option<Py<PyAny>> {
        lock(&self.map).get(key).map(|obj| obj.clone_ref(py))
    }

    pub fn insert(&self, key: K, obj: Py<PyAny>) {
        insert_bounded(&mut lock(&self.map), key, obj, Self::CAPACITY);
    }

    pub fn clear(&self) {
        // Dropped outside the lock: dropping Python objects may run code.
        let old = std::mem::take(&mut *lock(&self.map));
        drop(old);
    }
}

/// Forgets every cached library (the compiled-object caches are cleared by
/// their owners).
pub fn clear_libraries() {
    let old = std::mem::take(&mut *lock(&LIBRARIES));
    drop(old);
}

fn insert_bounded<K: Hash + Eq, V>(map: &mut HashMap<K, V>, key: K, value: V, capacity: usize) {
    if map.len() >= capacity {
        map.clear();
    }
    map.insert(key, value);
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The maps hold clones; a panic while holding the lock cannot leave them
    // half-updated in a way that matters.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
