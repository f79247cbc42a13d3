//! [`Matcher`]: an ordered list of expressions tried as one.

use std::sync::{Arc, OnceLock};

use aho_corasick::AhoCorasick;
use regex_automata::hybrid::dfa::Cache;
use regex_automata::util::pool::Pool;
use regex_automata::PatternSet;

use crate::captures::Captures;
use crate::compile;
use crate::error::Error;
use crate::pattern::Pattern;
use crate::screen::Screen;

/// An ordered list of compiled expressions: the first expression (in list
/// order) that matches wins, as Logstash's `break_on_match => true`; or every
/// expression that matches, as `break_on_match => false`.
///
/// Immutable, cheap to clone, `Send + Sync`.
///
/// ```
/// let lib = grok_core::PatternLibrary::legacy();
/// let m = lib.matcher([
///     "Accepted %{WORD:method} for %{USER:user}",
///     "Failed %{WORD:method} for %{USER:user}",
///     "%{WORD:word}",
/// ])?;
/// let hit = m.captures("Failed password for root")?.unwrap();
/// assert_eq!(hit.pattern_index(), 1);
/// assert_eq!(hit["user"].as_str(), Some("root"));
/// let all = m.captures_all("Failed password for root")?;
/// assert_eq!(all.iter().map(|c| c.pattern_index()).collect::<Vec<_>>(), [1, 2]);
/// # Ok::<(), grok_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Matcher {
    inner: Arc<MatcherInner>,
}

struct MatcherInner {
    patterns: Vec<Pattern>,
    /// One scan for every expression's required literal.
    literals: Option<AhoCorasick>,
    /// For each literal of `literals`, the expressions that require it.
    owners: Vec<Vec<usize>>,
    /// Expressions with no required literal: always candidates.
    always: Vec<bool>,
    /// One lazy-DFA pass that rules out expressions of a list together,
    /// built on first use; `None` for a single expression, or if it does
    /// not build.
    screen: OnceLock<Option<ListScreen>>,
}

type ScratchFn = Box<
    dyn Fn() -> (Cache, PatternSet)
        + Send
        + Sync
        + std::panic::RefUnwindSafe
        + std::panic::UnwindSafe,
>;

/// The screen of a list and each thread's cache for it.
struct ListScreen {
    screen: Arc<Screen>,
    scratch: Pool<(Cache, PatternSet), ScratchFn>,
}

impl ListScreen {
    fn new(patterns: &[Pattern]) -> Option<ListScreen> {
        if patterns.len() < 2 {
            return None;
        }
        let relaxed = patterns
            .iter()
            .map(|p| compile::relaxed_hir(p.linear_regex()))
            .collect::<Option<Vec<_>>>()?;
        let size_limit = patterns
            .iter()
            .map(|p| p.options().size_limit)
            .max()
            .unwrap_or(0)
            .saturating_mul(patterns.len());
        let screen = Arc::new(Screen::new(&relaxed, size_limit)?);
        let for_scratch = Arc::clone(&screen);
        let create: ScratchFn = Box::new(move || {
            (
                for_scratch.create_cache(),
                PatternSet::new(for_scratch.len()),
            )
        });
        Some(ListScreen {
            screen,
            scratch: Pool::new(create),
        })
    }

    /// The expressions that may match `text`; `None` if the screen cannot
    /// tell.
    fn candidates(&self, text: &str) -> Option<Candidates> {
        let mut guard = self.scratch.get();
        let (cache, set) = &mut *guard;
        if !self.screen.which_may_match(cache, text, set) {
            return None;
        }
        let mut candidates = Candidates::none(self.screen.len());
        for id in set.iter() {
            candidates.set(id.as_usize());
        }
        Some(candidates)
    }
}

impl std::fmt::Debug for MatcherInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("patterns", &self.patterns)
            .finish()
    }
}

impl Matcher {
    /// A matcher over already compiled patterns, in order.
    pub fn new(patterns: Vec<Pattern>) -> Result<Matcher, Error> {
        let mut literals: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut always = vec![true; patterns.len()];
        for (index, pattern) in patterns.iter().enumerate() {
            if let Some(lit) = pattern.required_literal() {
                always[index] = false;
                match literals.iter().position(|l| l == lit) {
                    Some(at) => owners[at].push(index),
                    None => {
                        literals.push(lit.to_string());
                        owners.push(vec![index]);
                    }
                }
            }
        }
        // With fewer than two expressions to rule out, the scan costs more
        // than it saves.
        let literals = if literals.len() >= 2 {
            AhoCorasick::new(&literals).ok()
        } else {
            None
        };
        if literals.is_none() {
            always = vec![true; patterns.len()];
        }
        Ok(Matcher {
            inner: Arc::new(MatcherInner {
                patterns,
                literals,
                owners,
                always,
                screen: OnceLock::new(),
            }),
        })
    }

    /// Which expressions can match `text` at all, and whether that was
    /// decided by the list's screen (otherwise each expression should screen
    /// itself): by one lazy-DFA pass over every expression, or failing that
    /// by one scan for their required literals.
    fn candidates(&self, text: &str) -> (Candidates, bool) {
        let inner = &*self.inner;
        let screen = inner
            .screen
            .get_or_init(|| ListScreen::new(&inner.patterns));
        if let Some(candidates) = screen.as_ref().and_then(|s| s.candidates(text)) {
            return (candidates, true);
        }
        (self.literal_candidates(text), false)
    }

    /// Which expressions contain their required literal (or have none).
    fn literal_candidates(&self, text: &str) -> Candidates {
        let inner = &*self.inner;
        let mut candidate = Candidates::new(&inner.always);
        if let Some(ac) = &inner.literals {
            for m in ac.find_overlapping_iter(text) {
                for &index in &inner.owners[m.pattern().as_usize()] {
                    candidate.set(index);
                }
            }
        }
        candidate
    }

    /// The patterns, in order.
    pub fn patterns(&self) -> &[Pattern] {
        &self.inner.patterns
    }

    /// How many patterns there are.
    pub fn len(&self) -> usize {
        self.inner.patterns.len()
    }

    /// Whether there are no patterns (nothing ever matches).
    pub fn is_empty(&self) -> bool {
        self.inner.patterns.is_empty()
    }

    /// Whether any pattern matches.
    pub fn is_match(&self, text: &str) -> bool {
        let (candidate, screened) = self.candidates(text);
        let screen = !screened && self.inner.patterns.len() > 1;
        self.inner
            .patterns
            .iter()
            .enumerate()
            .any(|(i, p)| candidate.get(i) && p.is_match_as(text, screen).unwrap_or(false))
    }

    /// The fields of the first pattern (in list order) that matches, with
    /// its index in [`Captures::pattern_index`].
    pub fn captures<'a>(&'a self, text: &'a str) -> Result<Option<Captures<'a>>, Error> {
        let mut caps = Captures::new();
        Ok(if self.captures_into(text, &mut caps)? {
            Some(caps)
        } else {
            None
        })
    }

    /// Like [`Matcher::captures`], into a reusable buffer.
    pub fn captures_into<'a>(
        &'a self,
        text: &'a str,
        caps: &mut Captures<'a>,
    ) -> Result<bool, Error> {
        let (candidate, screened) = self.candidates(text);
        let screen = !screened && self.inner.patterns.len() > 1;
        for (index, pattern) in self.inner.patterns.iter().enumerate() {
            if !candidate.get(index) {
                continue;
            }
            if pattern.captures_into_as(text, caps, index, screen)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The fields of every pattern that matches, in list order.
    pub fn captures_all<'a>(&'a self, text: &'a str) -> Result<Vec<Captures<'a>>, Error> {
        let mut all = Vec::new();
        let (candidate, screened) = self.candidates(text);
        for (index, pattern) in self.inner.patterns.iter().enumerate() {
            if !candidate.get(index) {
                continue;
            }
            let mut caps = Captures::new();
            if pattern.captures_into_as(text, &mut caps, index, !screened)? {
                all.push(caps);
            }
        }
        Ok(all)
    }
}

/// A set of expression indexes: a bitmask for up to 128 (no allocation on the
/// hot path), a vector beyond.
enum Candidates {
    Small(u128),
    Large(Vec<bool>),
}

impl Candidates {
    /// No expression of `len`.
    fn none(len: usize) -> Candidates {
        if len <= 128 {
            Candidates::Small(0)
        } else {
            Candidates::Large(vec![false; len])
        }
    }

    fn new(always: &[bool]) -> Candidates {
        if always.len() <= 128 {
            let mask = always
                .iter()
                .enumerate()
                .fold(0u128, |m, (i, a)| if *a { m | 1 << i } else { m });
            Candidates::Small(mask)
        } else {
            Candidates::Large(always.to_vec())
        }
    }

    fn set(&mut self, index: usize) {
        match self {
            Candidates::Small(mask) => *mask |= 1 << index,
            Candidates::Large(v) => v[index] = true,
        }
    }

    fn get(&self, index: usize) -> bool {
        match self {
            Candidates::Small(mask) => mask & (1 << index) != 0,
            Candidates::Large(v) => v[index],
        }
    }
}
