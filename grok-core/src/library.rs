//! The pattern library: named definitions, the built-in Logstash sets, loaders
//! for strings, files and directories, and the compile cache.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use once_cell::sync::{Lazy, OnceCell};

use crate::error::{Error, ErrorKind};
use crate::matcher::Matcher;
use crate::pattern::{CompileOptions, Pattern};
use crate::syntax::{self, Node};

/// Which flavour of the standard library to load.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Flavour {
    /// Logstash's `ecs_compatibility => disabled` set (the default).
    #[default]
    Legacy,
    /// Logstash's `ecs_compatibility => v1` set, with ECS field names
    /// such as `[source][address]`.
    EcsV1,
}

macro_rules! pattern_files {
    ($dir:literal: $($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../patterns/", $dir, "/", $file)))),*]
    };
}

const LEGACY_FILES: &[(&str, &str)] = pattern_files!("legacy": "aws", "bacula", "bind", "bro", "exim",
    "firewalls", "grok-patterns", "haproxy", "httpd", "java", "junos", "linux-syslog", "maven", "mcollective",
    "mcollective-patterns", "mongodb", "nagios", "postgresql", "rails", "redis", "ruby", "squid");

const ECS_FILES: &[(&str, &str)] = pattern_files!("ecs-v1": "aws", "bacula", "bind", "bro", "exim",
    "firewalls", "grok-patterns", "haproxy", "httpd", "java", "junos", "linux-syslog", "maven", "mcollective",
    "mongodb", "nagios", "postgresql", "rails", "redis", "ruby", "squid", "zeek");

/// The project's own sshd family, loaded after either flavour.
const SSHD_FILE: (&str, &str) = ("sshd", include_str!("../../patterns/sshd"));

static LEGACY: Lazy<PatternLibrary> =
    Lazy::new(|| PatternLibrary::from_builtin(LEGACY_FILES, "legacy"));
static ECS_V1: Lazy<PatternLibrary> =
    Lazy::new(|| PatternLibrary::from_builtin(ECS_FILES, "ecs-v1"));

/// Where a definition came from, for error messages.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    source: Arc<str>,
    line: Option<usize>,
}

pub(crate) struct Definition {
    text: Arc<str>,
    origin: Option<Origin>,
    tree: OnceCell<Result<Arc<Node>, Error>>,
}

impl Definition {
    fn new(text: &str, origin: Option<Origin>) -> Definition {
        Definition {
            text: Arc::from(text),
            origin,
            tree: OnceCell::new(),
        }
    }

    /// The parsed definition, parsed on first use.
    pub(crate) fn tree(&self) -> Result<Arc<Node>, Error> {
        self.tree
            .get_or_init(|| syntax::parse(&self.text).map(Arc::new))
            .clone()
    }

    pub(crate) fn text_arc(&self) -> Arc<str> {
        self.text.clone()
    }

    /// ` (file:line)` when the definition came from a file.
    pub(crate) fn origin_suffix(&self) -> String {
        match &self.origin {
            Some(Origin {
                source,
                line: Some(line),
            }) => format!(" ({source}:{line})"),
            Some(Origin { source, line: None }) => format!(" ({source})"),
            None => String::new(),
        }
    }
}

type CacheKey = (String, CompileOptions);
type MatcherCache = Mutex<HashMap<(Vec<String>, CompileOptions), Matcher>>;

/// Most compiled patterns the cache keeps; past it, the cache starts over.
const CACHE_CAPACITY: usize = 1024;

#[derive(Clone)]
struct Inner {
    definitions: HashMap<String, Arc<Definition>>,
    flavour: Option<Flavour>,
    cache: Arc<Mutex<HashMap<CacheKey, Pattern>>>,
    matcher_cache: Arc<MatcherCache>,
}

/// A set of named grok definitions (`NAME regex`), and the entry point for
/// compiling expressions against them.
///
/// Cloning is cheap (the definitions are shared); changing a clone leaves the
/// original as it was. Compiled patterns are cached per library: compiling the
/// same expression with the same options twice is a lookup.
///
/// ```
/// use grok_core::PatternLibrary;
///
/// let mut lib = PatternLibrary::legacy();
/// lib.add("SHOUT", "[A-Z]+!")?;
/// let p = lib.compile("%{SHOUT:what} from %{IP:client}")?;
/// let caps = p.captures("HEY! from 10.0.0.1")?.unwrap();
/// assert_eq!(caps["what"].as_str(), Some("HEY!"));
/// assert_eq!(caps["client"].as_str(), Some("10.0.0.1"));
/// # Ok::<(), grok_core::Error>(())
/// ```
#[derive(Clone)]
pub struct PatternLibrary {
    inner: Arc<Inner>,
}

impl Default for PatternLibrary {
    fn default() -> PatternLibrary {
        PatternLibrary::legacy()
    }
}

impl std::fmt::Debug for PatternLibrary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatternLibrary")
            .field("flavour", &self.inner.flavour)
            .field("definitions", &self.inner.definitions.len())
            .finish()
    }
}

impl PatternLibrary {
    /// A library with no definitions at all.
    pub fn empty() -> PatternLibrary {
        PatternLibrary {
            inner: Arc::new(Inner {
                definitions: HashMap::new(),
                flavour: None,
                cache: Arc::default(),
                matcher_cache: Arc::default(),
            }),
        }
    }

    /// The standard library in the legacy flavour, plus the sshd family.
    pub fn legacy() -> PatternLibrary {
        LEGACY.clone()
    }

    /// The standard library in the ECS v1 flavour, plus the sshd family.
    pub fn ecs_v1() -> PatternLibrary {
        ECS_V1.clone()
    }

    /// The standard library in the given flavour.
    pub fn builtin(flavour: Flavour) -> PatternLibrary {
        match flavour {
            Flavour::Legacy => PatternLibrary::legacy(),
            Flavour::EcsV1 => PatternLibrary::ecs_v1(),
        }
    }

    fn from_builtin(files: &[(&str, &str)], dir: &str) -> PatternLibrary {
        let mut lib = PatternLibrary::empty();
        for (name, text) in files.iter().chain(std::iter::once(&SSHD_FILE)) {
            let source = if *name == "sshd" {
                "patterns/sshd".to_string()
            } else {
                format!("patterns/{dir}/{name}")
            };
            // The embedded files are tested to load; a failure here would be
            // a build defect, and skipping the line is the safe response.
            let _ = lib.load_str_from(text, &source);
        }
        let inner = Arc::make_mut(&mut lib.inner);
        inner.flavour = Some(if dir == "legacy" {
            Flavour::Legacy
        } else {
            Flavour::EcsV1
        });
        lib
    }

    /// The flavour this library was built from, if it is a standard one.
    pub fn flavour(&self) -> Option<Flavour> {
        self.inner.flavour
    }

    fn inner_mut(&mut self) -> &mut Inner {
        let inner = Arc::make_mut(&mut self.inner);
        // Compiled patterns of the old definitions must not be served again.
        inner.cache = Arc::default();
        inner.matcher_cache = Arc::default();
        inner
    }

    /// Adds (or replaces) one definition. The regex is checked when an
    /// expression that uses it is compiled; the name must be a valid grok name.
    ///
    /// ```
    /// let mut lib = grok_core::PatternLibrary::empty();
    /// lib.add("DIGITS", "[0-9]+")?;
    /// assert_eq!(lib.get("DIGITS"), Some("[0-9]+"));
    /// assert!(lib.add("bad name", "x").is_err());
    /// # Ok::<(), grok_core::Error>(())
    /// ```
    pub fn add(&mut self, name: &str, regex: &str) -> Result<(), Error> {
        check_name(name).map_err(|msg| Error::new(ErrorKind::PatternFile, msg))?;
        self.inner_mut()
            .definitions
            .insert(name.to_string(), Arc::new(Definition::new(regex, None)));
        Ok(())
    }

    /// Loads definitions in pattern-file format: `NAME regex` lines, `#`
    /// comments and blank lines skipped, trailing spaces of a definition kept;
    /// a later definition of a name replaces an earlier one.
    ///
    /// ```
    /// let mut lib = grok_core::PatternLibrary::empty();
    /// lib.load_str("# mine\nA [a]+\nB %{A}b\n")?;
    /// assert_eq!(lib.len(), 2);
    /// let err = lib.load_str("OK x\nNOREGEX\n").unwrap_err();
    /// assert!(err.to_string().contains("<string>:2:"));
    /// # Ok::<(), grok_core::Error>(())
    /// ```
    pub fn load_str(&mut self, text: &str) -> Result<(), Error> {
        self.load_str_from(text, "<string>")
    }

    /// Loads one pattern file.
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read pattern file {}: {e}", path.display()),
            )
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            Error::new(
                ErrorKind::PatternFile,
                format!(
                    "pattern file {} is not valid UTF-8 (byte {})",
                    path.display(),
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        self.load_str_from(&text, &path.display().to_string())
    }

    /// Loads every file of a directory (not its subdirectories, not hidden
    /// files), in sorted file-name order, as Logstash's `patterns_dir` does.
    pub fn load_dir(&mut self, dir: impl AsRef<Path>) -> Result<(), Error> {
        let dir = dir.as_ref();
        let io_err = |e: std::io::Error| {
            Error::new(
                ErrorKind::Io,
                format!("cannot read pattern directory {}: {e}", dir.display()),
            )
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io_err)? {
            let entry = entry.map_err(io_err)?;
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if !hidden && entry.path().is_file() {
                files.push(entry.path());
            }
        }
        files.sort();
        for file in files {
            self.load_file(file)?;
        }
        Ok(())
    }

    /// Loads a file, or every file of a directory.
    pub fn load_path(&mut self, path: impl AsRef<Path>) -> Result<(), Error> {
        let path = path.as_ref();
        if path.is_dir() {
            self.load_dir(path)
        } else {
            self.load_file(path)
        }
    }

    fn load_str_from(&mut self, text: &str, source: &str) -> Result<(), Error> {
        let source: Arc<str> = Arc::from(source);
        let mut parsed = Vec::new();
        for (index, raw) in text.split('\n').enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let number = index + 1;
            let bad = |msg: String| {
                Error::new(ErrorKind::PatternFile, format!("{source}:{number}: {msg}"))
            };
            let split = trimmed.find(char::is_whitespace);
            let (name, regex) = match split {
                Some(at) => {
                    let rest = &trimmed[at..];
                    let regex = rest.trim_start();
                    (&trimmed[..at], regex)
                }
                None => (trimmed, ""),
            };
            if regex.is_empty() {
                return Err(bad(format!("expected `NAME regex`, found only {name:?}")));
            }
            check_name(name).map_err(bad)?;
            parsed.push((
                name.to_string(),
                Definition::new(
                    regex,
                    Some(Origin {
                        source: source.clone(),
                        line: Some(number),
                    }),
                ),
            ));
        }
        let inner = self.inner_mut();
        for (name, def) in parsed {
            inner.definitions.insert(name, Arc::new(def));
        }
        Ok(())
    }

    /// The regex of a definition, as written.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.inner.definitions.get(name).map(|d| &*d.text)
    }

    pub(crate) fn definition(&self, name: &str) -> Option<&Definition> {
        self.inner.definitions.get(name).map(|d| &**d)
    }

    /// Every definition name, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.inner.definitions.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// Every definition as `(name, regex)`, sorted by name.
    pub fn definitions(&self) -> Vec<(&str, &str)> {
        let mut defs: Vec<(&str, &str)> = self
            .inner
            .definitions
            .iter()
            .map(|(n, d)| (n.as_str(), &*d.text))
            .collect();
        defs.sort_unstable();
        defs
    }

    /// How many definitions there are.
    pub fn len(&self) -> usize {
        self.inner.definitions.len()
    }

    /// Whether there are no definitions.
    pub fn is_empty(&self) -> bool {
        self.inner.definitions.is_empty()
    }

    /// The known name closest to `name`, if one is close enough to be a typo.
    ///
    /// ```
    /// let lib = grok_core::PatternLibrary::legacy();
    /// assert_eq!(lib.closest_name("SYSLOGBAS").as_deref(), Some("SYSLOGBASE"));
    /// assert_eq!(lib.closest_name("ipv4").as_deref(), Some("IPV4"));
    /// assert_eq!(lib.closest_name("XYZZYQWERTY"), None);
    /// ```
    pub fn closest_name(&self, name: &str) -> Option<String> {
        let wanted = name.to_ascii_uppercase();
        let mut best: Option<(usize, &str)> = None;
        for known in self.inner.definitions.keys() {
            let distance = edit_distance(&wanted, &known.to_ascii_uppercase());
            if best.is_none_or(|(d, n)| distance < d || distance == d && known.as_str() < n) {
                best = Some((distance, known));
            }
        }
        let (distance, known) = best?;
        let allowed = (name.chars().count() / 3).max(2);
        (distance <= allowed).then(|| known.to_string())
    }

    /// Compiles an expression with the default options (or returns the cached
    /// compilation).
    ///
    /// ```
    /// let lib = grok_core::PatternLibrary::legacy();
    /// let p = lib.compile("%{IP:client} %{WORD:method}")?;
    /// assert!(p.is_match("10.1.2.3 GET"));
    /// # Ok::<(), grok_core::Error>(())
    /// ```
    pub fn compile(&self, expression: &str) -> Result<Pattern, Error> {
        self.compile_with(expression, &CompileOptions::default())
    }

    /// Compiles an expression with the given options (or returns the cached
    /// compilation).
    pub fn compile_with(
        &self,
        expression: &str,
        options: &CompileOptions,
    ) -> Result<Pattern, Error> {
        let key = (expression.to_string(), options.clone());
        if let Some(found) = lock(&self.inner.cache).get(&key) {
            return Ok(found.clone());
        }
        let pattern = Pattern::build(self, expression, options)?;
        let mut cache = lock(&self.inner.cache);
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(key, pattern.clone());
        Ok(pattern)
    }

    /// Compiles an ordered list of expressions into a [`Matcher`] with the
    /// default options.
    ///
    /// ```
    /// let lib = grok_core::PatternLibrary::legacy();
    /// let m = lib.matcher(["%{IP:ip}", "%{WORD:word}"])?;
    /// let hit = m.captures("hello")?.unwrap();
    /// assert_eq!(hit.pattern_index(), 1);
    /// # Ok::<(), grok_core::Error>(())
    /// ```
    pub fn matcher<I, S>(&self, expressions: I) -> Result<Matcher, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.matcher_with(expressions, &CompileOptions::default())
    }

    /// Compiles an ordered list of expressions into a [`Matcher`].
    pub fn matcher_with<I, S>(
        &self,
        expressions: I,
        options: &CompileOptions,
    ) -> Result<Matcher, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let expressions: Vec<String> = expressions
            .into_iter()
            .map(|e| e.as_ref().to_string())
            .collect();
        let key = (expressions, options.clone());
        if let Some(found) = lock(&self.inner.matcher_cache).get(&key) {
            return Ok(found.clone());
        }
        let patterns = key
            .0
            .iter()
            .map(|e| self.compile_with(e, options))
            .collect::<Result<Vec<_>, Error>>()?;
        let matcher = Matcher::new(patterns)?;
        let mut cache = lock(&self.inner.matcher_cache);
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(key, matcher.clone());
        Ok(matcher)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave a HashMap of clones in a
    // broken state, so a poisoned lock is still usable.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn check_name(name: &str) -> Result<(), String> {
    let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "invalid pattern name {name:?}: names are letters, digits and '_'"
        ))
    }
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_flavours_have_the_upstream_counts_plus_sshd() {
        let legacy = PatternLibrary::legacy();
        let ecs = PatternLibrary::ecs_v1();
        assert!(legacy.get("COMBINEDAPACHELOG").is_some());
        assert!(ecs.get("COMBINEDAPACHELOG").is_some());
        assert!(legacy.get("SSHLINE").is_some());
        assert!(ecs.get("SSHLINE").is_some());
        assert_ne!(legacy.get("SYSLOGBASE"), ecs.get("SYSLOGBASE"));
    }

    #[test]
    fn trailing_spaces_of_a_definition_are_kept() {
        let mut lib = PatternLibrary::empty();
        lib.load_str("A x  \r\nB\ty\n").unwrap();
        assert_eq!(lib.get("A"), Some("x  "));
        assert_eq!(lib.get("B"), Some("y"));
    }

    #[test]
    fn later_definitions_win() {
        let mut lib = PatternLibrary::empty();
        lib.load_str("A 1\nA 2\n").unwrap();
        assert_eq!(lib.get("A"), Some("2"));
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("SSHLIN", "SSHLINE"), 1);
        assert_eq!(edit_distance("", "AB"), 2);
        assert_eq!(edit_distance("IPV4", "IPV6"), 1);
    }
}
