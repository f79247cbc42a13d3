//! [`Pattern`]: one compiled grok expression, and its [`CompileOptions`].

use std::sync::Arc;

use crate::captures::{Captures, Layout};
use crate::compile;
use crate::engine::Engine;
use crate::error::Error;
use crate::expand;
use crate::library::PatternLibrary;
use crate::syntax::Node;
use crate::value::{Conversion, FieldType};

/// Options that change how an expression compiles or what a match returns.
///
/// ```
/// use grok_core::{CompileOptions, Conversion, PatternLibrary};
///
/// let opts = CompileOptions::new().keep_empty(true).conversion(Conversion::Strict);
/// let p = PatternLibrary::legacy().compile_with("%{INT:n:int}", &opts)?;
/// assert_eq!(p.options().conversion_mode(), Conversion::Strict);
/// # Ok::<(), grok_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CompileOptions {
    named_only: bool,
    keep_empty: bool,
    conversion: Conversion,
    pub(crate) size_limit: usize,
    pub(crate) match_limit: u32,
}

impl Default for CompileOptions {
    fn default() -> CompileOptions {
        CompileOptions {
            named_only: true,
            keep_empty: false,
            conversion: Conversion::Lenient,
            size_limit: CompileOptions::DEFAULT_SIZE_LIMIT,
            match_limit: CompileOptions::DEFAULT_MATCH_LIMIT,
        }
    }
}

impl CompileOptions {
    /// Default bound on the expanded regex, in bytes.
    pub const DEFAULT_SIZE_LIMIT: usize = 4 << 20;
    /// Default step (retry) limit of the exact engine, per search.
    pub const DEFAULT_MATCH_LIMIT: u32 = 1_000_000;

    /// The defaults: named captures only, empty captures dropped, lenient
    /// conversion.
    pub fn new() -> CompileOptions {
        CompileOptions::default()
    }

    /// `true` (the default): only `%{NAME:field}` and `(?<field>…)` become
    /// fields. `false`: `%{NAME}` captures too, under the field name `NAME`
    /// (Logstash's `named_captures_only => false`).
    pub fn named_only(mut self, yes: bool) -> CompileOptions {
        self.named_only = yes;
        self
    }

    /// Keep fields that captured the empty string (as empty strings, not
    /// converted). Logstash drops them; so does the default.
    pub fn keep_empty(mut self, yes: bool) -> CompileOptions {
        self.keep_empty = yes;
        self
    }

    /// How captured text is converted to typed fields.
    pub fn conversion(mut self, mode: Conversion) -> CompileOptions {
        self.conversion = mode;
        self
    }

    /// Upper bound on the size of the expanded regex, in bytes; larger
    /// expressions fail to compile with [`ErrorKind::SizeLimit`](crate::ErrorKind::SizeLimit).
    /// The automata built from the regex are bounded by a multiple of it.
    /// The ones only long lines need are built by the first such line, so
    /// an expression whose program fits but whose automaton would not
    /// (a large class repeated thousands of times) compiles, and the
    /// searches of lines too long for its program fail with that error.
    pub fn size_limit(mut self, bytes: usize) -> CompileOptions {
        self.size_limit = bytes;
        self
    }

    /// Step (retry) limit of the exact backtracking engine for one search;
    /// reaching it fails the match with [`ErrorKind::MatchLimit`](crate::ErrorKind::MatchLimit).
    pub fn match_limit(mut self, steps: u32) -> CompileOptions {
        self.match_limit = steps;
        self
    }

    /// Whether only named captures become fields.
    pub fn is_named_only(&self) -> bool {
        self.named_only
    }

    /// Whether empty captures are kept.
    pub fn is_keep_empty(&self) -> bool {
        self.keep_empty
    }

    /// The conversion mode.
    pub fn conversion_mode(&self) -> Conversion {
        self.conversion
    }
}

/// A field of a pattern: its name, type and (for ECS bracket names) path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldInfo {
    name: String,
    ty: FieldType,
    path: Vec<String>,
}

impl FieldInfo {
    pub(crate) fn new(name: &str, ty: FieldType) -> FieldInfo {
        let path = expand::field_path(name).unwrap_or_else(|| vec![name.to_string()]);
        FieldInfo {
            name: name.to_string(),
            ty,
            path,
        }
    }

    /// The name as Logstash stores it: `clientip`, `[source][address]`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The type of the field (of its first capture, if captured several times).
    pub fn ty(&self) -> FieldType {
        self.ty
    }

    /// The nesting path: `["source", "address"]` for `[source][address]`,
    /// `["clientip"]` for a plain name.
    pub fn path(&self) -> &[String] {
        &self.path
    }
}

pub(crate) struct PatternInner {
    expression: String,
    options: CompileOptions,
    regex: String,
    pub(crate) layout: Layout,
    groups: Vec<(String, FieldType)>,
    required: Option<String>,
    /// Finds `required` in a line: a line without it cannot match.
    finder: Option<memchr::memmem::Finder<'static>>,
    pub(crate) engine: Engine,
    /// The expanded tree it was compiled from (for a list's alternation).
    pub(crate) root: Node,
    /// How many field ids the tree numbers (the field table's length).
    pub(crate) field_ids: usize,
}

/// One compiled grok expression.
///
/// Immutable, cheap to clone (shared), `Send + Sync`: one `Pattern` serves
/// many threads with no lock on the hot path.
///
/// ```
/// use grok_core::{PatternLibrary, Value};
///
/// let lib = PatternLibrary::legacy();
/// let p = lib.compile("%{SYSLOGBASE} %{GREEDYDATA:msg}")?;
/// let line = "Nov 15 03:35:36 host sshd[5850]: Invalid user bob from 1.2.3.4";
/// let caps = p.captures(line)?.expect("matches");
/// assert_eq!(caps.get("program"), Some(&Value::Str("sshd")));
/// assert_eq!(caps.get("pid"), Some(&Value::Str("5850")));
/// assert_eq!(caps.get("msg"), Some(&Value::Str("Invalid user bob from 1.2.3.4")));
/// # Ok::<(), grok_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Pattern {
    pub(crate) inner: Arc<PatternInner>,
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pattern")
            .field("expression", &self.inner.expression)
            .field(
                "fields",
                &self
                    .inner
                    .layout
                    .fields
                    .iter()
                    .map(FieldInfo::name)
                    .collect::<Vec<_>>(),
            )
            .field("engine", &self.inner.engine)
            .finish()
    }
}

impl Pattern {
    pub(crate) fn build(
        lib: &PatternLibrary,
        expression: &str,
        options: &CompileOptions,
    ) -> Result<Pattern, Error> {
        let expansion = expand::expand(lib, expression, options)?;
        let program = compile::compile(&expansion.root, options.size_limit)
            .map_err(|e| e.in_pattern(expression))?;
        let engine = Engine::new(
            &program,
            expansion.fields.len(),
            options.size_limit,
            options.match_limit,
        )
        .map_err(|e| e.in_pattern(expression))?;
        let required = compile::required_literal(&expansion.root);
        Ok(Pattern {
            inner: Arc::new(PatternInner {
                expression: expression.to_string(),
                options: options.clone(),
                regex: program.exact,
                layout: Layout::new(&expansion.fields),
                groups: expansion
                    .fields
                    .iter()
                    .map(|f| (f.name.clone(), f.ty))
                    .collect(),
                finder: required
                    .as_deref()
                    .map(|lit| memchr::memmem::Finder::new(lit.as_bytes()).into_owned()),
                required,
                engine,
                field_ids: expansion.fields.len(),
                root: expansion.root,
            }),
        })
    }

    /// The expression as given to `compile`.
    pub fn expression(&self) -> &str {
        &self.inner.expression
    }

    /// The fully expanded regex (Oniguruma syntax), with captures renamed
    /// to `g0`, `g1`, … in field-table order.
    pub fn regex(&self) -> &str {
        &self.inner.regex
    }

    /// The relaxed regex the linear-time engine runs (look-arounds replaced
    /// by check markers `c0`, `c1`, …).
    pub fn linear_regex(&self) -> &str {
        self.inner.engine.relaxed_text()
    }

    /// The parse of [`Pattern::linear_regex`], as the engine holds it
    /// (`None` if it did not parse).
    pub(crate) fn relaxed_hir(&self) -> Option<&regex_syntax::hir::Hir> {
        self.inner.engine.relaxed_hir()
    }

    /// The capture groups of [`Pattern::regex`]: entry `i` is the field name
    /// and type of group `g{i}`. A name appears more than once when a field
    /// is captured in several places.
    ///
    /// ```
    /// let p = grok_core::PatternLibrary::legacy().compile("%{INT:a:int} %{INT:a}")?;
    /// let table: Vec<(&str, String)> = p.field_table().map(|(n, t)| (n, t.to_string())).collect();
    /// assert_eq!(table, [("a", "int".to_string()), ("a", "string".to_string())]);
    /// # Ok::<(), grok_core::Error>(())
    /// ```
    pub fn field_table(&self) -> impl Iterator<Item = (&str, FieldType)> + '_ {
        self.inner.groups.iter().map(|(n, t)| (n.as_str(), *t))
    }

    /// Whether the text contains the required literal (if there is one).
    pub(crate) fn may_match(&self, text: &str) -> bool {
        self.inner
            .finder
            .as_ref()
            .is_none_or(|f| f.find(text.as_bytes()).is_some())
    }

    /// Whether a search looks for the required literal before any capture
    /// walk (see the engine's `literal_first`): on a text without it, the
    /// search then costs a `memmem` and nothing more.
    pub(crate) fn looks_for_literal_first(&self) -> bool {
        self.inner.finder.is_some() && self.inner.engine.literal_goes_first()
    }

    /// The longest literal text every match contains, if there is one
    /// (what a [`Matcher`](crate::Matcher) scans for to rule it out).
    pub fn required_literal(&self) -> Option<&str> {
        self.inner.required.as_deref()
    }

    /// The options it was compiled with.
    pub fn options(&self) -> &CompileOptions {
        &self.inner.options
    }

    /// The distinct fields, in order of first appearance.
    pub fn fields(&self) -> &[FieldInfo] {
        &self.inner.layout.fields
    }

    /// Whether every match is decided on the linear-time engine. When
    /// `false`, some matches (or all) are confirmed by the bounded exact
    /// engine.
    pub fn is_linear(&self) -> bool {
        self.inner.engine.fully_linear()
    }

    /// Whether the text matches anywhere. A search on which the exact engine
    /// reaches its step limit counts as no match; [`Pattern::try_is_match`]
    /// reports it instead.
    pub fn is_match(&self, text: &str) -> bool {
        self.try_is_match(text).unwrap_or(false)
    }

    /// Whether the text matches anywhere, or the match-limit error.
    pub fn try_is_match(&self, text: &str) -> Result<bool, Error> {
        self.is_match_as(text, false)
    }

    /// [`Pattern::try_is_match`]; `screen` asks for the lazy DFA's verdict
    /// before a capture search (worth it when most texts do not match, as
    /// for all but one expression of a list).
    pub(crate) fn is_match_as(&self, text: &str, screen: bool) -> Result<bool, Error> {
        if !self.may_match(text) {
            return Ok(false);
        }
        self.inner
            .engine
            .is_match(text, screen)
            .map_err(|e| e.in_pattern(&self.inner.expression))
    }

    /// The fields of the first match, `None` if the text does not match.
    ///
    /// Errors: [`ErrorKind::Conversion`](crate::ErrorKind::Conversion) in
    /// strict mode, [`ErrorKind::MatchLimit`](crate::ErrorKind::MatchLimit)
    /// when the exact engine gives up; [`Error::pattern`] is this pattern's
    /// expression (through a [`Matcher`](crate::Matcher) too, so it names
    /// the list's expression that failed).
    pub fn captures<'a>(&'a self, text: &'a str) -> Result<Option<Captures<'a>>, Error> {
        let mut caps = Captures::new();
        Ok(if self.captures_into(text, &mut caps)? {
            Some(caps)
        } else {
            None
        })
    }

    /// Like [`Pattern::captures`], into a reusable buffer: no allocation once
    /// the buffer has grown. Returns whether the text matched.
    ///
    /// ```
    /// use grok_core::{Captures, PatternLibrary};
    ///
    /// let p = PatternLibrary::legacy().compile("%{INT:n:int}")?;
    /// let mut caps = Captures::new();
    /// for line in ["a 1", "b 22", "none"] {
    ///     if p.captures_into(line, &mut caps)? {
    ///         assert!(caps.get("n").is_some());
    ///     }
    /// }
    /// # Ok::<(), grok_core::Error>(())
    /// ```
    pub fn captures_into<'a>(
        &'a self,
        text: &'a str,
        caps: &mut Captures<'a>,
    ) -> Result<bool, Error> {
        self.captures_into_as(text, caps, 0, false)
    }

    /// [`Pattern::captures_into`] as expression `index` of a list; `screen`
    /// as in the engine's search.
    pub(crate) fn captures_into_as<'a>(
        &'a self,
        text: &'a str,
        caps: &mut Captures<'a>,
        index: usize,
        screen: bool,
    ) -> Result<bool, Error> {
        caps.reset(&self.inner.layout, index);
        let named = |e: Error| e.in_pattern(&self.inner.expression);
        let options = &self.inner.options;
        let literal = self.inner.finder.as_ref();
        let filled = self
            .inner
            .engine
            .search(text, screen, literal, |decision, spans| {
                caps.fill(text, decision, &spans, options)
            })
            .map_err(named)?;
        match filled {
            Some(result) => result.map(|()| true).map_err(named),
            None => Ok(false),
        }
    }
}
