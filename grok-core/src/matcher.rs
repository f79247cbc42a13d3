//! [`Matcher`]: an ordered list of expressions tried as one.

use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};
use std::sync::Arc;

use aho_corasick::AhoCorasick;

use crate::captures::Captures;
use crate::error::Error;
use crate::fused::Fused;
use crate::once::BuildOnce;
use crate::pattern::Pattern;
use crate::per_thread::{Make, PerThread};
use crate::screen::{ListCache, ListScreen};

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
    screens: Box<[BuildOnce<Option<ChunkScreen>>]>,
    /// The first expression's record over the first [`FIRST_TRIAL`]
    /// searches, each of which tries it before asking any screen: after
    /// them it keeps going first only if it matched at least half the
    /// time (otherwise its own screen is mostly paid on top of the list's).
    first_tries: AtomicU32,
    first_hits: AtomicU32,
    /// Whether searches ask the list screen ([`ScreenUse`]). A list that
    /// fits one screen starts on trial without it; a longer one uses its
    /// screens from the start.
    screen_use: AtomicU8,
    /// The trial so far: searches, and attempts that walked and failed.
    trial_searches: AtomicU32,
    trial_walks: AtomicU32,
    /// The expressions as one alternation, built once the list has paid
    /// its rent ([`FUSE_RENT`]); `None` if they do not fuse.
    fused: BuildOnce<Option<Fused>>,
    /// How many searches a thread makes, once the trials say the list
    /// would fuse, before it is fused.
    fuse_after: u64,
    /// This thread's searches while the list waits to fuse.
    waited: PerThread<u64>,
}

/// Searches a list makes the long way, once its trials say it would fuse,
/// per byte of its expressions' relaxed regexes, before it fuses: about
/// where building the alternation's automata (some 2,000 instructions a
/// byte of regex) is paid back by walking each line once (the sshd list
/// saves about 1,500 instructions a line). A short input never builds it;
/// a long one pays at most about twice the best choice made in hindsight.
const FUSE_RENT: u64 = 1;

/// How a list uses its screen. The screen is a lazy-DFA pass over the
/// whole line, which pays when it saves the expressions it rules out more
/// than that. It does not when they rule themselves out by their required
/// literals (a `memmem` each) and the line then goes to one capture walk
/// anyway: the sshd list runs about 1.1x faster without it.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ScreenUse {
    /// Searches run without the screen and count the attempts that failed
    /// other than at the literal check, for [`SCREENLESS_TRIAL`] searches.
    /// Each counts as a walk, though one the first byte rules out walks
    /// nothing: the count errs towards the screen, today's way.
    Trial,
    /// The screen is asked first (the trial's failed walks averaged more
    /// than one a search: more than the screen's own pass).
    Screen,
    /// The trial's failed walks averaged at most one a search.
    Screenless,
}

/// Searches over which a list counts its walks without the screen (after
/// [`FIRST_TRIAL`] more that warm it up).
const SCREENLESS_TRIAL: u32 = 256;

/// Searches over which a list's first expression is tried alone.
const FIRST_TRIAL: u32 = 64;

impl MatcherInner {
    /// Whether a search tries the first expression before any screen.
    fn first_alone(&self) -> bool {
        let tries = self.first_tries.load(Ordering::Relaxed);
        tries < FIRST_TRIAL || 2 * self.first_hits.load(Ordering::Relaxed) >= tries
    }

    fn screen_use(&self) -> ScreenUse {
        match self.screen_use.load(Ordering::Relaxed) {
            0 => ScreenUse::Trial,
            1 => ScreenUse::Screen,
            _ => ScreenUse::Screenless,
        }
    }

    /// Tries the expressions in list order until `attempt(index, screen)`
    /// says one matched (`screen`: whether it should screen itself first),
    /// keeping the first expression's record and the screen's trial while
    /// they are on.
    fn first_match(
        &self,
        text: &str,
        candidates: Option<&Candidates>,
        mut attempt: impl FnMut(usize, bool) -> Result<bool, Error>,
    ) -> Result<bool, Error> {
        let first_alone = self.first_alone();
        let screen_use = self.screen_use();
        let trial = screen_use == ScreenUse::Trial;
        let mut walks = 0;
        let mut found = false;
        let walk = Walk::new(
            self,
            text,
            candidates,
            first_alone,
            screen_use != ScreenUse::Screen,
        );
        for (index, screen) in walk {
            // As the attempt finds it (the attempt may change it).
            let literal_first = trial && self.patterns[index].looks_for_literal_first();
            found = attempt(index, screen)?;
            if index == 0 && first_alone {
                self.record_first(found);
            }
            if found {
                break;
            }
            // A failed expression that looked for its literal first and did
            // not find it cost a `memmem`, not a walk.
            let cheap = literal_first && !self.patterns[index].may_match(text);
            walks += u32::from(!cheap);
        }
        if trial {
            self.record_trial(walks);
        }
        Ok(found)
    }

    /// Records a search of the screen's trial that failed `walks` walks,
    /// and ends the trial when its outcome is known: as soon as the walks
    /// pass one a search of the trial, or after the trial.
    ///
    /// The first [`FIRST_TRIAL`] searches warm up: the first expression's
    /// trial runs then, and each expression has yet to learn to look for
    /// its literal first, so their walks are dropped when they end, unless
    /// they already exceed the whole trial's (a long list whose
    /// expressions all walk, which should not pay for a long trial).
    fn record_trial(&self, walks: u32) {
        let searches = self.trial_searches.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.trial_walks.fetch_add(walks, Ordering::Relaxed) + walks;
        let decided = if total > SCREENLESS_TRIAL {
            ScreenUse::Screen
        } else if searches == FIRST_TRIAL {
            self.trial_walks.store(0, Ordering::Relaxed);
            return;
        } else if searches >= FIRST_TRIAL + SCREENLESS_TRIAL {
            ScreenUse::Screenless
        } else {
            return;
        };
        self.screen_use.store(decided as u8, Ordering::Relaxed);
    }

    /// The list's first match by one search of its alternation, into
    /// `caps`; `None` when that cannot tell, and the expressions then go
    /// in turn: the list does not fuse (yet), the search failed (the long
    /// way names the expression), or an expression before the one that
    /// matched may match further on.
    ///
    /// A list fuses once its trials show that its first expression matches
    /// less than half the time and that its screen does not pay: a line
    /// then costs a walk per expression that fails after walking, where
    /// the alternation walks it once (and, unless the first expression
    /// matched, screens the rest of the line for a later start). A first
    /// expression that usually matches does better alone, and a list
    /// whose screen pays rules out all but one expression with it.
    fn fused_captures_into<'a>(
        &'a self,
        text: &'a str,
        caps: &mut Captures<'a>,
    ) -> Option<Result<bool, Error>> {
        let fused = match self.fused.get() {
            // Once built, the trials no longer run: their verdict stands.
            Some(fused) => fused.as_ref()?,
            None if self.screen_use() != ScreenUse::Screenless || self.first_alone() => {
                return None;
            }
            None => {
                let mut waited = self.waited.get();
                *waited += 1;
                if *waited < self.fuse_after {
                    return None;
                }
                drop(waited);
                // Another thread building it: the long way meanwhile.
                self.fused
                    .get_or_build(|| Fused::new(&self.patterns))?
                    .as_ref()?
            }
        };
        let outcome = fused.search(text, |hit| {
            let hit = hit?;
            // The alternation found no match before `hit.start`, and none
            // of an earlier expression there.
            if hit.index > 0 && fused.may_match_from(text, hit.start + 1) {
                return None;
            }
            let pattern = &self.patterns[hit.index];
            caps.reset(&pattern.inner.layout, hit.index);
            let filled = caps.fill(text, hit.decision, &hit.spans, pattern.options());
            Some(filled.map_err(|e| e.in_pattern(pattern.expression())))
        });
        match outcome {
            Ok(None) => Some(Ok(false)),
            Ok(Some(Some(filled))) => Some(filled.map(|()| true)),
            Ok(Some(None)) | Err(_) => None,
        }
    }

    /// Records whether the first expression, tried alone, matched.
    fn record_first(&self, matched: bool) {
        if self.first_tries.load(Ordering::Relaxed) < FIRST_TRIAL {
            self.first_tries.fetch_add(1, Ordering::Relaxed);
            self.first_hits
                .fetch_add(u32::from(matched), Ordering::Relaxed);
        }
    }
}

/// How many expressions one list screen covers. A screen's lazy DFA builds
/// each state for all its expressions at once, so a long list (every
/// library pattern, say) gets one screen per this many, each built and
/// walked only when the search gets that far down the list.
const SCREEN_CHUNK: usize = ListScreen::MAX_LIST;

/// The screen of one chunk of a list and each thread's cache for it.
struct ChunkScreen {
    screen: Arc<ListScreen>,
    scratch: PerThread<ListCache>,
}

impl ChunkScreen {
    fn new(patterns: &[Pattern]) -> Option<ChunkScreen> {
        if patterns.len() < 2 {
            return None;
        }
        let relaxed = patterns
            .iter()
            .map(Pattern::relaxed_hir)
            .collect::<Option<Vec<_>>>()?;
        let size_limit = patterns
            .iter()
            .map(|p| p.options().size_limit)
            .max()
            .unwrap_or(0)
            .saturating_mul(patterns.len());
        let screen = Arc::new(ListScreen::new(&relaxed, size_limit)?);
        let for_scratch = Arc::clone(&screen);
        let create: Make<ListCache> = Box::new(move || for_scratch.create_cache());
        Some(ChunkScreen {
            screen,
            scratch: PerThread::new(create),
        })
    }

    /// The expressions of the chunk that may match `text`, as a bitmask;
    /// `None` if the screen cannot tell.
    fn candidates(&self, text: &str) -> Option<u64> {
        self.screen.which_may_match(&mut self.scratch.get(), text)
    }
}

/// A search's way down a list: the expressions that may match, in order,
/// each with whether it should screen itself first. Asks each chunk's
/// screen once, when it first reaches the chunk, and then jumps from one
/// expression the screen let through to the next.
struct Walk<'m> {
    inner: &'m MatcherInner,
    text: &'m str,
    /// Expressions already ruled out by literals (`None`: none are).
    candidates: Option<&'m Candidates>,
    /// The next expression to consider.
    next: usize,
    /// The chunk asked last and its answer.
    asked: Option<(usize, Option<u64>)>,
    /// Whether the first expression runs before any screen is asked: the
    /// common list has a first expression that usually matches, and then
    /// no screen needs building or walking.
    first_alone: bool,
    /// Whether no screen is asked (every expression goes in turn).
    screenless: bool,
}

impl<'m> Walk<'m> {
    fn new(
        inner: &'m MatcherInner,
        text: &'m str,
        candidates: Option<&'m Candidates>,
        first_alone: bool,
        screenless: bool,
    ) -> Walk<'m> {
        Walk {
            inner,
            text,
            candidates,
            next: 0,
            asked: None,
            first_alone,
            screenless,
        }
    }

    /// The screen's answer for `chunk`, asked once.
    fn mask(&mut self, chunk: usize) -> Option<u64> {
        match self.asked {
            Some((asked, mask)) if asked == chunk => mask,
            _ => {
                let inner = self.inner;
                let start = chunk * SCREEN_CHUNK;
                let end = inner.patterns.len().min(start + SCREEN_CHUNK);
                // No screen while another thread builds it: every
                // expression of the chunk is a candidate.
                let mask = inner.screens[chunk]
                    .get_or_build(|| ChunkScreen::new(&inner.patterns[start..end]))
                    .and_then(Option::as_ref)
                    .and_then(|screen| screen.candidates(self.text));
                self.asked = Some((chunk, mask));
                mask
            }
        }
    }
}

impl Iterator for Walk<'_> {
    /// An expression's index, and whether it should screen itself first.
    type Item = (usize, bool);

    fn next(&mut self) -> Option<(usize, bool)> {
        let len = self.inner.patterns.len();
        loop {
            let index = self.next;
            if index >= len {
                return None;
            }
            self.next = index + 1;
            if self.candidates.is_some_and(|c| !c.get(index)) {
                continue;
            }
            if len < 2 {
                return Some((index, false));
            }
            if index == 0 && self.first_alone {
                return Some((index, true));
            }
            if self.screenless {
                return Some((index, false));
            }
            let chunk = index / SCREEN_CHUNK;
            let Some(mask) = self.mask(chunk) else {
                // No screen answer: every expression screens itself.
                return Some((index, true));
            };
            // The first expression at or after `index` the screen let
            // through, or the next chunk.
            let base = chunk * SCREEN_CHUNK;
            let ahead = mask & (u64::MAX << (index - base));
            if ahead == 0 {
                self.next = base + SCREEN_CHUNK;
                continue;
            }
            let found = base + ahead.trailing_zeros() as usize;
            self.next = found + 1;
            if self.candidates.is_some_and(|c| !c.get(found)) {
                continue;
            }
            return Some((found, false));
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
        let relaxed_bytes = patterns.iter().map(|p| p.linear_regex().len() as u64).sum();
        Ok(Matcher {
            inner: Arc::new(MatcherInner {
                patterns,
                literals,
                owners,
                always,
                screens: (0..len.div_ceil(SCREEN_CHUNK))
                    .map(|_| BuildOnce::new())
                    .collect(),
                first_tries: AtomicU32::new(0),
                first_hits: AtomicU32::new(0),
                screen_use: AtomicU8::new(if len <= SCREEN_CHUNK {
                    ScreenUse::Trial as u8
                } else {
                    ScreenUse::Screen as u8
                }),
                trial_searches: AtomicU32::new(0),
                trial_walks: AtomicU32::new(0),
                fused: BuildOnce::new(),
                fuse_after: FUSE_RENT.saturating_mul(relaxed_bytes),
                waited: PerThread::new(Box::new(u64::default)),
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
        let patterns = &self.inner.patterns;
        self.inner
            .first_match(text, Some(&candidate), |i, screen| {
                Ok(patterns[i].is_match_as(text, screen).unwrap_or(false))
            })
            .unwrap_or(false)
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
        if let Some(found) = self.inner.fused_captures_into(text, caps) {
            return found;
        }
        let patterns = &self.inner.patterns;
        self.inner.first_match(text, None, |index, screen| {
            patterns[index].captures_into_as(text, caps, index, screen)
        })
    }

    /// The fields of every pattern that matches, in list order.
    pub fn captures_all<'a>(&'a self, text: &'a str) -> Result<Vec<Captures<'a>>, Error> {
        let mut all = Vec::new();
        let candidate = self.candidates(text);
        let patterns = &self.inner.patterns;
        for (index, screen) in Walk::new(&self.inner, text, Some(&candidate), false, false) {
            let mut caps = Captures::new();
            if patterns[index].captures_into_as(text, &mut caps, index, screen)? {
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

#[cfg(test)]
mod tests {
    use crate::PatternLibrary;

    #[test]
    fn a_first_expression_that_rarely_matches_stops_going_first() {
        let lib = PatternLibrary::legacy();
        let m = lib
            .matcher(["user=%{USER:user}", "id=%{INT:id:int}", "%{WORD:word}"])
            .unwrap();
        let inner = &*m.inner;
        for i in 0..super::FIRST_TRIAL {
            assert!(inner.first_alone(), "still on trial after {i} searches");
            let caps = m.captures_into_fresh(&format!("id={i}"));
            assert_eq!(caps, Some((1, i64::from(i))));
        }
        assert!(!inner.first_alone());
        // The answers stay the same, first expression included.
        assert_eq!(m.captures_into_fresh("id=7"), Some((1, 7)));
        let hit = m.captures("user=root").unwrap().unwrap();
        assert_eq!(hit.pattern_index(), 0);
        assert_eq!(hit["user"].as_str(), Some("root"));
        assert!(m.is_match("user=root"));
    }

    #[test]
    fn a_first_expression_that_usually_matches_keeps_going_first() {
        let lib = PatternLibrary::legacy();
        let m = lib.matcher(["id=%{INT:id:int}", "%{WORD:word}"]).unwrap();
        for i in 0..2 * super::FIRST_TRIAL {
            let (line, expected) = match i % 3 {
                0 => ("!".to_string(), None),
                _ => (format!("id={i}"), Some((0, i64::from(i)))),
            };
            assert_eq!(m.captures_into_fresh(&line), expected);
        }
        assert!(m.inner.first_alone());
        assert!(
            m.inner.fused.get().is_none(),
            "a list that goes first alone does not fuse"
        );
    }

    /// Each line's answer from `m` against the first expression that
    /// matches it alone: index and fields as text.
    fn assert_first_match_wins(m: &super::Matcher, line: &str) {
        let fields = |c: &crate::Captures<'_>| -> Vec<(String, String)> {
            c.iter()
                .map(|(f, v)| (f.name().to_string(), v[0].to_string()))
                .collect()
        };
        let expected = m
            .patterns()
            .iter()
            .enumerate()
            .find_map(|(i, p)| p.captures(line).unwrap().map(|c| (i, fields(&c))));
        let got = m
            .captures(line)
            .unwrap()
            .map(|c| (c.pattern_index(), fields(&c)));
        assert_eq!(got, expected, "{line:?}");
        assert_eq!(m.is_match(line), expected.is_some(), "{line:?}");
    }

    #[test]
    fn a_list_whose_expressions_rule_themselves_out_by_literal_goes_without_its_screen() {
        let lib = PatternLibrary::legacy();
        let m = lib
            .matcher([
                "%{SYSLOGBASE} Accepted %{WORD:method} for %{USER:user} from %{IP:ip}",
                "%{SYSLOGBASE} Failed %{WORD:method} for %{USER:user} from %{IP:ip}",
                "%{SYSLOGBASE} Invalid user %{USER:user} from %{IP:ip}",
                "%{SYSLOGBASE} Disconnected from %{IP:ip}",
            ])
            .unwrap();
        let lines = [
            "Nov 24 05:01:02 gw sshd[1]: Accepted password for root from 10.0.0.1 port 22",
            "Nov 24 05:01:03 gw sshd[2]: Failed publickey for bob from 10.0.0.2 port 22",
            "Nov 24 05:01:04 gw sshd[3]: Invalid user eve from 10.0.0.3",
            "Nov 24 05:01:05 gw sshd[4]: Disconnected from 10.0.0.4 port 22",
            "Nov 24 05:01:06 gw sshd[5]: pam_unix(sshd:session): session opened for user root",
        ];
        assert_eq!(m.inner.screen_use(), super::ScreenUse::Trial);
        let searches = (super::FIRST_TRIAL + super::SCREENLESS_TRIAL) as usize;
        for line in lines.iter().cycle().take(searches) {
            assert_first_match_wins(&m, line);
        }
        assert_eq!(m.inner.screen_use(), super::ScreenUse::Screenless);
        assert!(!m.inner.first_alone());
        for line in lines {
            assert_first_match_wins(&m, line);
        }
        // It fuses once it has paid its rent, a search per byte of regex.
        let rent = m.inner.fuse_after;
        let total: u64 = m
            .patterns()
            .iter()
            .map(|p| p.linear_regex().len() as u64)
            .sum();
        assert_eq!(rent, total * super::FUSE_RENT);
        let waited = *m.inner.waited.get();
        for line in lines.iter().cycle().take((rent - 1 - waited) as usize) {
            assert!(!m.is_fused());
            assert_first_match_wins(&m, line);
        }
        for line in lines {
            assert_first_match_wins(&m, line);
        }
        assert!(
            m.is_fused(),
            "the list walks each line once, as one alternation"
        );
    }

    #[test]
    fn a_list_whose_expressions_walk_and_fail_keeps_its_screen() {
        let lib = PatternLibrary::legacy();
        let m = lib
            .matcher([
                "%{INT:a}[xy]",
                "%{INT:a}[uv]",
                "%{INT:a}[st]",
                "%{INT:a}[a-z]",
            ])
            .unwrap();
        let lines = ["12z 34q", "5x", "77t", "none"];
        let mut decided_at = None;
        for (i, line) in lines.iter().cycle().take(400).enumerate() {
            assert_first_match_wins(&m, line);
            if decided_at.is_none() && m.inner.screen_use() != super::ScreenUse::Trial {
                decided_at = Some(i);
            }
        }
        assert_eq!(m.inner.screen_use(), super::ScreenUse::Screen);
        // Two and a half failed walks a search: over the trial's budget
        // well before its end.
        let decided_at = decided_at.unwrap();
        assert!(decided_at < 200, "decided after {decided_at} searches");
        assert!(
            m.inner.fused.get().is_none(),
            "a list whose screen pays does not fuse"
        );
    }

    #[test]
    fn a_fused_list_still_gives_an_earlier_expression_that_matches_further_on() {
        let lib = PatternLibrary::legacy();
        let m = lib
            .matcher(["b%{INT:x:int}", "a%{INT:y}", "%{WORD:w}"])
            .unwrap();
        m.end_trials_for_fusion();
        let answer = |line: &str| {
            let caps = m.captures(line).unwrap()?;
            let (field, values) = caps.iter().next()?;
            let span = caps.spans(field.name())[0];
            Some((
                caps.pattern_index(),
                field.name().to_string(),
                values[0].to_string(),
                span,
            ))
        };
        // The alternation's leftmost match is expression 1's, at 0; the
        // screen sees that expression 0 may match further on.
        assert_eq!(answer("a1 b22"), Some((0, "x".into(), "22".into(), (4, 6))));
        assert_eq!(
            m.captures("a1 b22").unwrap().unwrap()["x"],
            crate::Value::Int(22)
        );
        // Nothing earlier matches later: the alternation's answer stands.
        assert_eq!(answer("a1 zz"), Some((1, "y".into(), "1".into(), (1, 2))));
        assert_eq!(answer("zz a1"), Some((1, "y".into(), "1".into(), (4, 5))));
        assert_eq!(answer("b7"), Some((0, "x".into(), "7".into(), (1, 2))));
        // At one start, list order decides: `b` is a word too.
        assert_eq!(answer("b"), Some((2, "w".into(), "b".into(), (0, 1))));
        assert_eq!(answer("-- b"), Some((2, "w".into(), "b".into(), (3, 4))));
        assert_eq!(answer("-- "), None);
        assert_eq!(answer(""), None);
        assert!(m.is_fused());
    }

    #[test]
    fn a_fused_list_names_the_expression_whose_field_does_not_convert() {
        let lib = PatternLibrary::legacy();
        let strict = crate::CompileOptions::new().conversion(crate::Conversion::Strict);
        let patterns = ["n=%{INT:n:int}", "f=%{NOTSPACE:f:float}"]
            .iter()
            .map(|e| lib.compile_with(e, &strict).unwrap())
            .collect();
        let m = super::Matcher::new(patterns).unwrap();
        m.end_trials_for_fusion();
        let err = m.captures("f=abc").unwrap_err();
        assert!(
            matches!(err.kind(), crate::ErrorKind::Conversion { .. }),
            "{err}"
        );
        assert_eq!(err.pattern(), Some("f=%{NOTSPACE:f:float}"));
        assert_eq!(
            m.captures("f=2.5").unwrap().unwrap()["f"],
            crate::Value::Float(2.5)
        );
        assert!(m.is_fused());
    }

    #[test]
    fn lists_of_different_options_or_with_exact_only_expressions_do_not_fuse() {
        let lib = PatternLibrary::legacy();
        let kept = crate::CompileOptions::new().keep_empty(true);
        let mixed = super::Matcher::new(vec![
            lib.compile("a%{INT:n}").unwrap(),
            lib.compile_with("b%{INT:n}", &kept).unwrap(),
        ])
        .unwrap();
        let backref = lib
            .matcher([r#"(?<q>['"])%{WORD:w}\k<q>"#, "%{INT:n}"])
            .unwrap();
        for m in [&mixed, &backref] {
            m.end_trials_for_fusion();
            assert_first_match_wins(m, "b12");
            assert_first_match_wins(m, "'x' 12");
            assert!(matches!(m.inner.fused.get(), Some(None)));
        }
    }

    /// Lines of fragments that the fused lists below tell apart, with the
    /// chars around their assertions (`\b`, look-arounds, anchors).
    fn list_line() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let fragment = prop_oneof![
            "[ab][0-9]{1,3}",
            "[a-zA-Z]{1,4}",
            Just(" ".to_string()),
            Just("\n".to_string()),
            Just(":".to_string()),
            Just("10.0.0.1".to_string()),
            Just("12:30:45".to_string()),
            Just("Nov 24".to_string()),
            Just("\"q d\"".to_string()),
            Just("3.5e1".to_string()),
            Just("é".to_string()),
            Just("½".to_string()),
        ];
        proptest::collection::vec(fragment, 0..10).prop_map(|parts| parts.concat())
    }

    /// Lists that fuse, with the trials ended as a list that fuses ends
    /// them.
    static FUSED_LISTS: std::sync::LazyLock<Vec<super::Matcher>> = std::sync::LazyLock::new(|| {
        let lib = PatternLibrary::legacy();
        let lists: [&[&str]; 5] = [
            &["b%{INT:x:int}", "a%{INT:y}", "%{WORD:w}"],
            &["%{IPV4:ip}", "%{NUMBER:n:float}", "%{QS:q}", "%{WORD:w}"],
            &[
                r"^%{WORD:a} %{INT:n:int}$",
                "(?i)b%{INT:n}",
                "%{TIME:t}",
                r"%{MONTH:m}\b %{INT:d:int}",
                "%{NOTSPACE:s}",
            ],
            &[
                "%{SYSLOGTIMESTAMP:ts} %{IP:ip}",
                "%{SYSLOGTIMESTAMP:ts} %{WORD:w}",
                "%{HOSTPORT:hp}",
                "%{BASE16FLOAT:f:float} %{DATA:rest}$",
            ],
            &[
                "%{QS:q} %{NUMBER:n:int}",
                "%{IP:ip} %{NUMBER:n}",
                "%{NUMBER:a}%{NUMBER:b}",
                "%{TIMESTAMP_ISO8601:ts}",
                "%{HOSTPORT:hp}",
                "%{URIPATHPARAM:u}",
                "%{YEAR:y}",
                "%{MONTH:m}",
            ],
        ];
        lists
            .iter()
            .map(|exprs| {
                let m = lib.matcher(exprs.iter().copied()).unwrap();
                m.end_trials_for_fusion();
                m
            })
            .collect()
    });

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 1000, .. Default::default() })]

        /// A fused list answers as its expressions tried one by one:
        /// index, every value with its type, and every span.
        #[test]
        fn a_fused_list_equals_trying_in_order(list in 0..5usize, line in list_line()) {
            let m = &FUSED_LISTS[list];
            let answer = |caps: Option<crate::Captures<'_>>| {
                caps.map(|c| {
                    let fields: Vec<_> = c
                        .iter()
                        .map(|(f, v)| (f.name().to_string(), format!("{v:?}"), c.spans(f.name()).to_vec()))
                        .collect();
                    (c.pattern_index(), fields)
                })
            };
            let expected = m
                .patterns()
                .iter()
                .enumerate()
                .find_map(|(i, p)| p.captures_into_as_fresh(&line, i));
            proptest::prop_assert_eq!(answer(m.captures(&line).unwrap()), answer(expected), "{:?}", line);
            proptest::prop_assert!(m.is_fused());
        }
    }

    #[test]
    fn a_list_longer_than_one_screen_uses_its_screens_from_the_start() {
        let lib = PatternLibrary::legacy();
        let exprs: Vec<String> = (0..super::SCREEN_CHUNK + 1)
            .map(|i| format!("k{i}=%{{INT:v}}"))
            .collect();
        let m = lib.matcher(&exprs).unwrap();
        assert_eq!(m.inner.screen_use(), super::ScreenUse::Screen);
        assert_first_match_wins(&m, "k64=5");
    }

    impl crate::Pattern {
        /// Its captures of `line` as expression `index` of a list.
        fn captures_into_as_fresh<'a>(
            &'a self,
            line: &'a str,
            index: usize,
        ) -> Option<crate::Captures<'a>> {
            let mut caps = crate::Captures::new();
            self.captures_into_as(line, &mut caps, index, false)
                .unwrap()
                .then_some(caps)
        }
    }

    impl super::Matcher {
        /// Ends the trials as a list that fuses ends them (its first
        /// expression rarely matched, and its screen did not pay), and
        /// fuses it without waiting for its rent.
        fn end_trials_for_fusion(&self) {
            use std::sync::atomic::Ordering::Relaxed;
            let inner = &*self.inner;
            inner.first_tries.store(super::FIRST_TRIAL, Relaxed);
            inner.first_hits.store(0, Relaxed);
            inner
                .screen_use
                .store(super::ScreenUse::Screenless as u8, Relaxed);
            inner
                .fused
                .get_or_build(|| super::Fused::new(&inner.patterns));
        }

        /// Whether its searches go to its alternation.
        fn is_fused(&self) -> bool {
            matches!(self.inner.fused.get(), Some(Some(_)))
        }

        /// The index of the expression that matched `line` and its `id`
        /// field (`-1` when it has none).
        fn captures_into_fresh(&self, line: &str) -> Option<(usize, i64)> {
            let caps = self.captures(line).unwrap()?;
            let id = match caps.get("id") {
                Some(crate::Value::Int(id)) => *id,
                _ => -1,
            };
            Some((caps.pattern_index(), id))
        }
    }
}
