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
    /// For each [`SCREEN_CHUNK`] expressions of a list, one lazy-DFA pass
    /// that rules them out together, built when a search first reaches
    /// them; `None` for a chunk of one expression, or if it does not build.
    screens: Box<[OnceLock<Option<ListScreen>>]>,
}

/// How many expressions one list screen covers. A screen's lazy DFA builds
/// each state for all its expressions at once, so a long list (every
/// library pattern, say) gets one screen per this many, each built and
/// walked only when the search gets that far down the list.
const SCREEN_CHUNK: usize = 64;

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

    /// The expressions of the chunk that may match `text`, as a bitmask;
    /// `None` if the screen cannot tell.
    fn candidates(&self, text: &str) -> Option<u64> {
        let mut guard = self.scratch.get();
        let (cache, set) = &mut *guard;
        if !self.screen.which_may_match(cache, text, set) {
            return None;
        }
        Some(set.iter().fold(0, |mask, id| mask | 1 << id.as_usize()))
    }
}

/// A search's way down a list: asks each chunk's screen once, when it first
/// reaches the chunk.
struct Walk<'m> {
    inner: &'m MatcherInner,
    text: &'m str,
    /// The chunk asked last and its answer.
    asked: Option<(usize, Option<u64>)>,
    /// Whether the first expression runs before any screen is asked: the
    /// common list has a first expression that usually matches, and then
    /// no screen needs building or walking.
    first_alone: bool,
}

impl<'m> Walk<'m> {
    fn new(inner: &'m MatcherInner, text: &'m str, first_alone: bool) -> Walk<'m> {
        Walk {
            inner,
            text,
            asked: None,
            first_alone,
        }
    }

    /// Whether expression `index` can match (`None`: it cannot), and if so
    /// whether it should screen itself first.
    fn verdict(&mut self, index: usize) -> Option<bool> {
        let inner = self.inner;
        if inner.patterns.len() < 2 {
            return Some(false);
        }
        if index == 0 && self.first_alone {
            return Some(true);
        }
        let chunk = index / SCREEN_CHUNK;
        let mask = match self.asked {
            Some((asked, mask)) if asked == chunk => mask,
            _ => {
                let start = chunk * SCREEN_CHUNK;
                let end = inner.patterns.len().min(start + SCREEN_CHUNK);
                let mask = inner.screens[chunk]
                    .get_or_init(|| ListScreen::new(&inner.patterns[start..end]))
                    .as_ref()
                    .and_then(|screen| screen.candidates(self.text));
                self.asked = Some((chunk, mask));
                mask
            }
        };
        match mask {
            Some(mask) => (mask & 1 << (index % SCREEN_CHUNK) != 0).then_some(false),
            None => Some(true),
        }
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
        let len = patterns.len();
        let mut always = vec![true; len];
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
                screens: (0..len.div_ceil(SCREEN_CHUNK))
                    .map(|_| OnceLock::new())
                    .collect(),
            }),
        })
    }

    /// Which expressions can match `text` at all, by one scan for their
    /// required literals.
    fn candidates(&self, text: &str) -> Candidates {
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
        let candidate = self.candidates(text);
        let mut walk = Walk::new(&self.inner, text, true);
        self.inner.patterns.iter().enumerate().any(|(i, p)| {
            candidate.get(i)
                && walk
                    .verdict(i)
                    .is_some_and(|screen| p.is_match_as(text, screen).unwrap_or(false))
        })
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
        let mut walk = Walk::new(&self.inner, text, true);
        for (index, pattern) in self.inner.patterns.iter().enumerate() {
            let Some(screen) = walk.verdict(index) else {
                continue;
            };
            if pattern.captures_into_as(text, caps, index, screen)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The fields of every pattern that matches, in list order.
    pub fn captures_all<'a>(&'a self, text: &'a str) -> Result<Vec<Captures<'a>>, Error> {
        let mut all = Vec::new();
        let candidate = self.candidates(text);
        let mut walk = Walk::new(&self.inner, text, false);
        for (index, pattern) in self.inner.patterns.iter().enumerate() {
            if !candidate.get(index) {
                continue;
            }
            let Some(screen) = walk.verdict(index) else {
                continue;
            };
            let mut caps = Captures::new();
            if pattern.captures_into_as(text, &mut caps, index, screen)? {
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
