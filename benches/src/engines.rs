//! One adapter per implementation, all behind [`Engine`]: run an ordered
//! expression list over every line (first match wins) and tally the result.
//!
//! "Extract" adapters collect every field of the winning expression and fold
//! the values into a checksum (string lengths, numbers), so nothing can be
//! optimized away; "yes/no" adapters only count matching lines.

use std::hint::black_box;

use grok_core::{Captures, Matcher, Pattern, PatternLibrary, Value};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::syntax;
use regex_automata::{dfa, hybrid, Anchored, Input};

/// What one pass over the lines produced.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Lines matched by some expression.
    pub matched: usize,
    /// A fold of the extracted values (0 for yes/no engines).
    pub checksum: u64,
}

/// An implementation under measurement.
pub trait Engine {
    /// Its name in reports: `implementation/mode`.
    fn label(&self) -> String;
    /// One pass over the lines.
    fn run(&mut self, lines: &[&str]) -> Tally;
}

/// Loads the library the project's patterns define (legacy flavour plus sshd).
pub fn library() -> PatternLibrary {
    PatternLibrary::legacy()
}

fn fold_value(value: &Value<'_>) -> u64 {
    match *value {
        Value::Str(s) => s.len() as u64,
        Value::Int(i) => i as u64,
        Value::Float(f) => f.to_bits(),
        Value::Bool(b) => u64::from(b),
    }
}

/// Walks every field's typed values of one match into the checksum.
#[inline]
pub fn fold_captures(caps: &Captures<'_>) -> u64 {
    let mut sum = 0u64;
    for (field, values) in caps.iter() {
        sum = sum.wrapping_add(field.name().len() as u64);
        for value in values {
            sum = sum.wrapping_add(fold_value(value));
        }
    }
    sum
}

/// grok-core: a [`Pattern`] for one expression, a [`Matcher`] for a list.
pub enum GrokCore {
    /// One expression.
    Single(Pattern),
    /// An ordered list.
    List(Matcher),
}

impl GrokCore {
    /// Compiles the expressions against the legacy library.
    ///
    /// # Panics
    /// If one does not compile.
    pub fn new(exprs: &[String]) -> GrokCore {
        let lib = library();
        if let [one] = exprs {
            GrokCore::Single(lib.compile(one).unwrap_or_else(|e| panic!("{one}: {e}")))
        } else {
            GrokCore::List(lib.matcher(exprs).unwrap_or_else(|e| panic!("{e}")))
        }
    }

    /// Extract mode: `captures_into` one reused [`Captures`], every value walked.
    #[inline(never)]
    pub fn extract(&self, lines: &[&str]) -> Tally {
        let mut caps = Captures::new();
        let mut tally = Tally::default();
        for &line in lines {
            let hit = match self {
                GrokCore::Single(p) => p.captures_into(line, &mut caps),
                GrokCore::List(m) => m.captures_into(line, &mut caps),
            };
            if hit.expect("no match limit is reached on the corpora") {
                tally.matched += 1;
                tally.checksum = tally.checksum.wrapping_add(fold_captures(&caps));
            }
        }
        tally
    }

    /// Yes/no mode.
    #[inline(never)]
    pub fn is_match(&self, lines: &[&str]) -> Tally {
        let matched = lines
            .iter()
            .filter(|&&line| match self {
                GrokCore::Single(p) => p.is_match(line),
                GrokCore::List(m) => m.is_match(line),
            })
            .count();
        Tally {
            matched,
            checksum: 0,
        }
    }

    /// The patterns, in order.
    pub fn patterns(&self) -> Vec<Pattern> {
        match self {
            GrokCore::Single(p) => vec![p.clone()],
            GrokCore::List(m) => m.patterns().to_vec(),
        }
    }
}

/// grok-core in one of its two modes.
pub struct GrokCoreEngine {
    core: GrokCore,
    extract: bool,
}

impl GrokCoreEngine {
    /// Extract mode.
    pub fn extract(exprs: &[String]) -> Self {
        GrokCoreEngine {
            core: GrokCore::new(exprs),
            extract: true,
        }
    }

    /// Yes/no mode.
    pub fn is_match(exprs: &[String]) -> Self {
        GrokCoreEngine {
            core: GrokCore::new(exprs),
            extract: false,
        }
    }
}

impl Engine for GrokCoreEngine {
    fn label(&self) -> String {
        if self.extract {
            "grok-core/extract".into()
        } else {
            "grok-core/is_match".into()
        }
    }

    fn run(&mut self, lines: &[&str]) -> Tally {
        if self.extract {
            self.core.extract(lines)
        } else {
            self.core.is_match(lines)
        }
    }
}

/// The `grok` crate 2.4.1 with one backend: the same legacy definitions added
/// with `Grok::add_pattern`, expressions compiled with `with_alias_only`
/// (named fields only, as grok-core and Logstash do), tried in order.
macro_rules! grok_crate_peer {
    ($(#[$doc:meta])* $name:ident, $krate:ident, $label:expr) => {
        $(#[$doc])*
        pub struct $name {
            patterns: Vec<$krate::Pattern>,
        }

        impl $name {
            /// Compiles the expressions.
            ///
            /// # Errors
            /// The crate's error text when an expression does not compile.
            pub fn new(exprs: &[String]) -> Result<Self, String> {
                let mut grok = $krate::Grok::empty();
                for (name, regex) in library().definitions() {
                    grok.add_pattern(name, regex);
                }
                let patterns = exprs
                    .iter()
                    .map(|e| grok.compile(e, true).map_err(|err| format!("{e}: {err}")))
                    .collect::<Result<Vec<_>, String>>()?;
                Ok($name { patterns })
            }
        }

        impl Engine for $name {
            fn label(&self) -> String {
                format!("{}/extract", $label)
            }

            #[inline(never)]
            fn run(&mut self, lines: &[&str]) -> Tally {
                let mut tally = Tally::default();
                for &line in lines {
                    for pattern in &self.patterns {
                        if let Some(found) = pattern.match_against(line) {
                            tally.matched += 1;
                            for (name, value) in found.iter() {
                                tally.checksum = tally
                                    .checksum
                                    .wrapping_add((name.len() + value.len()) as u64);
                            }
                            break;
                        }
                    }
                }
                tally
            }
        }
    };
}

grok_crate_peer!(
    /// `grok` 2.4.1 from crates.io with the backend the features choose
    /// (PCRE2 with its JIT by default, onig with `peer-onig`).
    GrokPcre2,
    grok,
    GROK_LABEL
);

/// The label of the `grok` crate peer: its backend is chosen by this
/// crate's features (`peer-pcre2`, the default, or `peer-onig`), because the
/// `grok` crate picks one backend per build.
pub const GROK_LABEL: &str = if cfg!(feature = "peer-pcre2") {
    "grok+pcre2"
} else {
    "grok+onig"
};

/// The 12 fields of `%{COMBINEDAPACHELOG}` (legacy), in pattern order.
pub const APACHE_FIELDS: [&str; 12] = [
    "clientip",
    "ident",
    "auth",
    "timestamp",
    "verb",
    "request",
    "httpversion",
    "rawrequest",
    "response",
    "bytes",
    "referrer",
    "agent",
];

/// A hand-written `regex`-crate equivalent of `%{COMBINEDAPACHELOG}` with the
/// same 12 fields (simplified field syntax, anchored at line start), as a
/// user without grok would write it.
pub const APACHE_HAND_REGEX: &str = concat!(
    r#"^(?P<clientip>\S+) (?P<ident>\S+) (?P<auth>\S+) \[(?P<timestamp>[^\]]+)\] "#,
    r#""(?:(?P<verb>[A-Za-z0-9_]+) (?P<request>\S+)(?: HTTP/(?P<httpversion>[0-9.]+))?|(?P<rawrequest>[^"]*))" "#,
    r#"(?:-|(?P<response>[0-9]+)) (?:-|(?P<bytes>[0-9]+)) "#,
    r#"(?P<referrer>"(?:\\.|[^\\"])*") (?P<agent>"(?:\\.|[^\\"])*")"#,
);

/// The hand-written `regex` baseline: `captures_read` into reused
/// `CaptureLocations` (extract), or `is_match` (yes/no).
pub struct HandRegex {
    re: regex::Regex,
    locs: regex::CaptureLocations,
    extract: bool,
}

impl HandRegex {
    /// Extract (`true`) or yes/no (`false`).
    pub fn new(extract: bool) -> HandRegex {
        let re = regex::Regex::new(APACHE_HAND_REGEX).expect("valid regex");
        let locs = re.capture_locations();
        HandRegex { re, locs, extract }
    }
}

impl Engine for HandRegex {
    fn label(&self) -> String {
        if self.extract {
            "regex-hand/extract".into()
        } else {
            "regex-hand/is_match".into()
        }
    }

    #[inline(never)]
    fn run(&mut self, lines: &[&str]) -> Tally {
        let mut tally = Tally::default();
        for &line in lines {
            if !self.extract {
                tally.matched += usize::from(self.re.is_match(line));
                continue;
            }
            if self.re.captures_read(&mut self.locs, line).is_some() {
                tally.matched += 1;
                for i in 1..=APACHE_FIELDS.len() {
                    if let Some((s, e)) = self.locs.get(i) {
                        tally.checksum = tally.checksum.wrapping_add((e - s) as u64);
                    }
                }
            }
        }
        tally
    }
}

/// The regex syntax grok-core runs its relaxed regexes with.
pub fn relaxed_syntax() -> syntax::Config {
    syntax::Config::new()
        .dot_matches_new_line(true)
        .nest_limit(1000)
}

/// Which regex-automata DFA answers yes/no.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DfaKind {
    /// Lazy DFA, anchored at the line start.
    HybridAnchored,
    /// Lazy DFA, unanchored search (grok's semantics), 8 MiB cache like grok-core's.
    HybridUnanchored,
    /// Fully built dense DFA, anchored at the line start.
    DenseAnchored,
}

enum DfaImpl {
    Hybrid(Box<(hybrid::dfa::DFA, hybrid::dfa::Cache)>),
    Dense(Box<dfa::dense::DFA<Vec<u32>>>),
}

/// A regex-automata DFA over grok-core's relaxed regexes
/// ([`Pattern::linear_regex`], look-arounds dropped: it answers for a superset
/// of the exact language), all of a list's expressions in one automaton.
/// This is the yes/no speed limit of the linear-time engine.
pub struct Dfa {
    kind: DfaKind,
    imp: DfaImpl,
}

impl Dfa {
    /// Builds the DFA for the patterns' relaxed regexes.
    ///
    /// # Errors
    /// The build error (a dense DFA may exceed its size limit).
    pub fn new(patterns: &[Pattern], kind: DfaKind) -> Result<Dfa, String> {
        let regexes: Vec<&str> = patterns.iter().map(Pattern::linear_regex).collect();
        let nfa = thompson::Config::new().which_captures(WhichCaptures::None);
        let imp = match kind {
            DfaKind::HybridAnchored | DfaKind::HybridUnanchored => {
                let dfa = hybrid::dfa::DFA::builder()
                    .configure(
                        hybrid::dfa::Config::new()
                            .cache_capacity(8 << 20)
                            .skip_cache_capacity_check(true)
                            .unicode_word_boundary(true),
                    )
                    .syntax(relaxed_syntax())
                    .thompson(nfa)
                    .build_many(&regexes)
                    .map_err(|e| e.to_string())?;
                let cache = dfa.create_cache();
                DfaImpl::Hybrid(Box::new((dfa, cache)))
            }
            DfaKind::DenseAnchored => {
                let dfa = dfa::dense::DFA::builder()
                    .configure(
                        dfa::dense::Config::new()
                            .start_kind(dfa::StartKind::Anchored)
                            .minimize(false)
                            .unicode_word_boundary(true)
                            .dfa_size_limit(Some(1 << 30))
                            .determinize_size_limit(Some(1 << 30)),
                    )
                    .syntax(relaxed_syntax())
                    .thompson(nfa)
                    .build_many(&regexes)
                    .map_err(|e| e.to_string())?;
                DfaImpl::Dense(Box::new(dfa))
            }
        };
        Ok(Dfa { kind, imp })
    }

    /// Memory the automaton uses (dense: its tables; lazy: the cache in use).
    pub fn memory_usage(&self) -> usize {
        match &self.imp {
            DfaImpl::Hybrid(h) => h.0.memory_usage() + h.1.memory_usage(),
            DfaImpl::Dense(dfa) => dfa.memory_usage(),
        }
    }
}

impl Engine for Dfa {
    fn label(&self) -> String {
        match self.kind {
            DfaKind::HybridAnchored => "dfa-hybrid-anchored/is_match".into(),
            DfaKind::HybridUnanchored => "dfa-hybrid-unanchored/is_match".into(),
            DfaKind::DenseAnchored => "dfa-dense-anchored/is_match".into(),
        }
    }

    #[inline(never)]
    fn run(&mut self, lines: &[&str]) -> Tally {
        use regex_automata::dfa::Automaton;
        let anchored = if self.kind == DfaKind::HybridUnanchored {
            Anchored::No
        } else {
            Anchored::Yes
        };
        let mut matched = 0;
        for &line in lines {
            let input = Input::new(line).anchored(anchored).earliest(true);
            let hit = match &mut self.imp {
                DfaImpl::Hybrid(h) => {
                    let (dfa, cache) = &mut **h;
                    dfa.try_search_fwd(cache, &input)
                }
                DfaImpl::Dense(dfa) => dfa.try_search_fwd(&input),
            };
            matched += usize::from(black_box(hit).expect("the DFA does not give up").is_some());
        }
        Tally {
            matched,
            checksum: 0,
        }
    }
}
