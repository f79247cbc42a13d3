//! Screens: forward-only lazy DFAs over the coarsened relaxed regexes of one
//! expression ([`Screen`]) or of a whole list ([`ListScreen`]; see
//! [`compile::screening_hir`]), which say "no match" cheaply and "perhaps"
//! otherwise.
//!
//! A screen answers "perhaps" whenever it cannot decide: when the lazy DFA
//! gives up (its cache keeps filling) or quits (a non-ASCII byte under a
//! Unicode `\b`). So a "no" is always exact, including for the eight chars
//! whose `\b` Oniguruma reads differently: they are all non-ASCII.

use std::borrow::Borrow;
use std::sync::atomic::{AtomicBool, Ordering};

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::hybrid::LazyStateID;
use regex_automata::nfa::thompson;
use regex_automata::util::prefilter::Prefilter;
use regex_automata::{Input, MatchKind};
use regex_syntax::hir::literal::Extractor;
use regex_syntax::hir::{Dot, Hir, Look, Repetition};

use crate::compile;

mod alphabet;
mod snapshot;

use snapshot::Snapshot;

/// How much memory one thread's cache of a screen may take.
const CACHE_CAPACITY: usize = 8 << 20;

/// A screen over one expression.
#[derive(Debug)]
pub(crate) struct Screen {
    dfa: DFA,
}

/// A screen over a list of expressions, which reads the text through
/// [`alphabet`]: one walk tells which expressions may match.
#[derive(Debug)]
pub(crate) struct ListScreen {
    dfa: DFA,
    /// Set when a walk found the lazy DFA giving up.
    gave_up: AtomicBool,
}

/// One thread's scratch for a [`ListScreen`]'s walks: the lazy DFA's
/// cache and, once it has learnt the common transitions, a [`Snapshot`] of
/// them, retaken while walks keep leaving it.
#[derive(Debug)]
pub(crate) struct ListCache {
    lazy: Cache,
    snapshot: Option<Snapshot>,
    /// Walks since the snapshot was last taken (or since the start).
    walks: u32,
    /// How many of them left the snapshot before the end of the text.
    exits: u32,
    /// Walks before the snapshot is (re)taken; doubles each time.
    interval: u32,
}

/// Walks before a list screen's first snapshot.
const FIRST_SNAPSHOT: u32 = 64;

/// Most walks between two snapshots.
const LONGEST_INTERVAL: u32 = 1 << 16;

/// Why a walk stopped without an answer.
enum Stop {
    /// A byte the DFA cannot read (non-ASCII under a Unicode `\b`).
    Quit,
    /// The cache keeps filling: a DFA is the wrong tool for this text.
    GaveUp,
}

impl ListScreen {
    /// Most expressions one list screen takes (its answer is a `u64` mask).
    pub(crate) const MAX_LIST: usize = 64;

    /// A screen over the relaxed regexes (HIR) of a list of expressions;
    /// `None` if it does not build (size limit) or cannot read the text
    /// through [`alphabet`] (see [`alphabet::coarse`]).
    pub(crate) fn new(relaxed: &[impl Borrow<Hir>], size_limit: usize) -> Option<ListScreen> {
        if relaxed.len() > ListScreen::MAX_LIST {
            return None;
        }
        // `screen(?s:.)*\z`: the walk then meets a match state only at the
        // end, whose expressions are those that matched anywhere.
        let tail = Hir::concat(vec![
            Hir::repetition(Repetition {
                min: 0,
                max: None,
                greedy: true,
                sub: Box::new(Hir::dot(Dot::AnyByte)),
            }),
            Hir::look(Look::End),
        ]);
        let screens = relaxed
            .iter()
            .map(|h| {
                let coarse = alphabet::coarse(&compile::screening_hir(h.borrow()).0)?;
                Some(Hir::concat(vec![coarse, tail.clone()]))
            })
            .collect::<Option<Vec<Hir>>>()?;
        Some(ListScreen {
            dfa: lazy_dfa(&screens, size_limit, MatchKind::All, None)?,
            gave_up: AtomicBool::new(false),
        })
    }

    /// Scratch for one thread's walks.
    pub(crate) fn create_cache(&self) -> ListCache {
        ListCache {
            lazy: self.dfa.create_cache(),
            snapshot: None,
            walks: 0,
            exits: 0,
            interval: FIRST_SNAPSHOT,
        }
    }

    /// Which expressions may match `hay`, as a mask (bit `i`: expression
    /// `i` of the list given to [`ListScreen::new`], which has at most
    /// [`ListScreen::MAX_LIST`]); `None` when the screen cannot tell, and then
    /// every expression may.
    ///
    /// One walk over the bytes: each expression's screen is followed by
    /// `(?s:.)*\z`, so the only match state is the last one, and it names
    /// every expression that matched anywhere. (The DFA's overlapping search
    /// on the screens alone stops at every match of every expression, which
    /// on a long list is nearly every byte.) After the lazy DFA gives up
    /// (its cache filling again and again), the screen stays off.
    pub(crate) fn which_may_match(&self, cache: &mut ListCache, hay: &str) -> Option<u64> {
        if self.gave_up.load(Ordering::Relaxed) {
            return None;
        }
        match self.walk(cache, hay) {
            Ok(mask) => Some(mask),
            Err(Stop::Quit) => None,
            Err(Stop::GaveUp) => {
                self.gave_up.store(true, Ordering::Relaxed);
                None
            }
        }
    }

    /// From the untagged state `id` at `at`, follows known plain
    /// transitions; returns the last plain state and where it stopped (the
    /// end of the text, or a byte whose transition is tagged: unknown,
    /// dead, quit or a match). Four bytes per round while they last, so
    /// the loop's bookkeeping is paid once per four lookups.
    #[inline(always)]
    fn run_untagged(
        &self,
        cache: &Cache,
        mut id: LazyStateID,
        bytes: &[u8],
        mut at: usize,
    ) -> (LazyStateID, usize) {
        let dfa = &self.dfa;
        // SAFETY (every `next_state_untagged_unchecked` below): `id` is an
        // untagged state of `cache`: the start state, a transition, or a
        // snapshot's state, whose cache `refresh_snapshot` found uncleared
        // at the start of this walk; only `next_state` and the start
        // functions clear the cache, and neither runs here.
        let plain = |id: LazyStateID, byte: u8| {
            let next =
                unsafe { dfa.next_state_untagged_unchecked(cache, id, alphabet::read(byte)) };
            (!next.is_tagged()).then_some(next)
        };
        while let Some(&[b0, b1, b2, b3]) = bytes.get(at..at + 4) {
            for byte in [b0, b1, b2, b3] {
                let Some(next) = plain(id, byte) else {
                    return (id, at);
                };
                id = next;
                at += 1;
            }
        }
        for &byte in &bytes[at..] {
            let Some(next) = plain(id, byte) else {
                break;
            };
            id = next;
            at += 1;
        }
        (id, at)
    }

    /// Brings the snapshot of the lazy DFA up to date when that is due:
    /// after the first walks, then every time as many walks again as the
    /// last time. A snapshot that counted the walks since is ordered by
    /// their visits; one that walks left (the lazy DFA learnt more) is
    /// retaken, in the same order with the new states after, and counts
    /// the walks until the next time, which is twice as far. A snapshot of
    /// a cache that has been cleared since is dropped.
    fn refresh_snapshot(&self, scratch: &mut ListCache, hay: &str) {
        if let Some(snapshot) = &scratch.snapshot {
            if !snapshot.is_current(&scratch.lazy) {
                scratch.snapshot = None;
                scratch.walks = 0;
            }
        }
        scratch.walks += 1;
        if scratch.walks < scratch.interval {
            return;
        }
        if let Some(snapshot) = &mut scratch.snapshot {
            snapshot.rank_by_visits();
        }
        if scratch.snapshot.is_none() || scratch.exits > 0 {
            scratch.snapshot = self
                .dfa
                .start_state_forward(&mut scratch.lazy, &Input::new(hay))
                .ok()
                .and_then(|start| {
                    Snapshot::take(&self.dfa, &scratch.lazy, start, scratch.snapshot.as_ref())
                });
            scratch.interval = scratch.interval.saturating_mul(2).min(LONGEST_INTERVAL);
        }
        scratch.walks = 0;
        scratch.exits = 0;
    }

    fn walk(&self, scratch: &mut ListCache, hay: &str) -> Result<u64, Stop> {
        self.refresh_snapshot(scratch, hay);
        let dfa = &self.dfa;
        let bytes = hay.as_bytes();
        // Every walk starts at the text's start, with nothing behind it: in
        // the start state the snapshot was taken from.
        let (mut id, mut at) = match &mut scratch.snapshot {
            Some(snapshot) => {
                let (id, at) = snapshot.run(bytes);
                scratch.exits += u32::from(at < bytes.len());
                (id, at)
            }
            None => {
                let start = dfa
                    .start_state_forward(&mut scratch.lazy, &Input::new(hay))
                    .map_err(|_| Stop::Quit)?;
                (start, 0)
            }
        };
        let cache = &mut scratch.lazy;
        loop {
            // The table lookup alone while the state is plain and the
            // transition known; the checked step otherwise.
            if !id.is_tagged() {
                (id, at) = self.run_untagged(cache, id, bytes, at);
            }
            let Some(&byte) = bytes.get(at) else { break };
            id = dfa
                .next_state(cache, id, alphabet::read(byte))
                .map_err(|_| Stop::GaveUp)?;
            if id.is_tagged() {
                if id.is_dead() {
                    return Ok(0);
                }
                if id.is_quit() {
                    return Err(Stop::Quit);
                }
            }
            at += 1;
        }
        id = dfa.next_eoi_state(cache, id).map_err(|_| Stop::GaveUp)?;
        if id.is_quit() {
            return Err(Stop::Quit);
        }
        let mut mask = 0u64;
        if id.is_match() {
            for i in 0..dfa.match_len(cache, id) {
                mask |= 1 << dfa.match_pattern(cache, id, i).as_usize();
            }
        }
        Ok(mask)
    }
}

impl Screen {
    /// The screen of one relaxed regex, if it is coarser than the regex itself
    /// (otherwise the regex screens as well).
    pub(crate) fn coarser(relaxed: &Hir, size_limit: usize) -> Option<Screen> {
        let (hir, coarser) = compile::screening_hir(relaxed);
        if !coarser {
            return None;
        }
        Screen::build(hir, size_limit, None)
    }

    /// A cache for one thread's searches.
    pub(crate) fn create_cache(&self) -> Cache {
        self.dfa.create_cache()
    }

    /// The screen of one relaxed regex as it is (not coarsened); `None` if
    /// it does not build (size limit).
    ///
    /// A search for a later start jumps from one place where the regex's
    /// prefixes occur to the next (a vectorised literal scan), when the
    /// prefixes are few and selective enough for that to pay.
    pub(crate) fn exact(relaxed: &Hir, size_limit: usize) -> Option<Screen> {
        Screen::build(relaxed.clone(), size_limit, prefix_prefilter(relaxed))
    }

    fn build(hir: Hir, size_limit: usize, prefilter: Option<Prefilter>) -> Option<Screen> {
        let dfa = lazy_dfa(&[hir], size_limit, MatchKind::LeftmostFirst, prefilter)?;
        Some(Screen { dfa })
    }

    /// `false` when nothing can match `hay`.
    pub(crate) fn may_match(&self, cache: &mut Cache, hay: &str) -> bool {
        self.may_match_from(cache, hay, 0)
    }

    /// `false` when no match of `hay` starts at `from` or after (the text
    /// before `from` is still read for look-behinds).
    pub(crate) fn may_match_from(&self, cache: &mut Cache, hay: &str, from: usize) -> bool {
        let input = Input::new(hay).range(from..).earliest(true);
        !matches!(self.dfa.try_search_fwd(cache, &input), Ok(None))
    }
}

/// The lazy DFA of a screen over `screens`; `None` if it does not build
/// (size limit).
fn lazy_dfa(
    screens: &[Hir],
    size_limit: usize,
    kind: MatchKind,
    prefilter: Option<Prefilter>,
) -> Option<DFA> {
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .nfa_size_limit(Some(size_limit.saturating_mul(16)))
                .which_captures(thompson::WhichCaptures::None),
        )
        .build_many_from_hir(screens)
        .ok()?;
    DFA::builder()
        .configure(
            DFA::config()
                .match_kind(kind)
                .unicode_word_boundary(true)
                .cache_capacity(CACHE_CAPACITY)
                .skip_cache_capacity_check(true)
                .minimum_cache_clear_count(Some(3))
                .minimum_bytes_per_state(Some(10))
                .prefilter(prefilter),
        )
        .build_from_nfa(nfa)
        .ok()
}

/// How many literals the prefixes of a regex may take while they are
/// extracted: an alternation of expressions that share a prefix (a list's)
/// holds each of its literals once per expression until they are deduplicated.
const PREFIX_LIMIT: usize = 10_000;

/// A prefilter for the literals every match of `hir` starts with, if
/// regex-automata judges it fast (few enough literals, not too common).
fn prefix_prefilter(hir: &Hir) -> Option<Prefilter> {
    let mut prefixes = Extractor::new().limit_total(PREFIX_LIMIT).extract(hir);
    prefixes.optimize_for_prefix_by_preference();
    let literals: Vec<&[u8]> = prefixes.literals()?.iter().map(|l| l.as_bytes()).collect();
    // Past Teddy's limit only Aho-Corasick is left, which regex-automata
    // never judges fast: not worth building to throw away.
    if literals.len() > TEDDY_LIMIT {
        return None;
    }
    Prefilter::new(MatchKind::LeftmostFirst, &literals).filter(Prefilter::is_fast)
}

/// Most literals a Teddy prefilter takes (aho-corasick's packed searcher).
const TEDDY_LIMIT: usize = 64;

#[cfg(test)]
mod tests {
    use super::*;

    fn hirs(patterns: &[&str]) -> Vec<Hir> {
        patterns
            .iter()
            .map(|p| compile::relaxed_hir(p).unwrap())
            .collect()
    }

    #[test]
    fn a_list_screen_names_the_expressions_that_may_match() {
        let screen = ListScreen::new(&hirs(&["a=[0-9]+", "-b-", r"\[(?:x|y)\]"]), 1 << 20).unwrap();
        let mut cache = screen.create_cache();
        assert_eq!(
            screen.which_may_match(&mut cache, "-- -b- a=12 --"),
            Some(0b011)
        );
        assert_eq!(screen.which_may_match(&mut cache, "[y]"), Some(0b100));
        assert_eq!(screen.which_may_match(&mut cache, "nothing here"), Some(0));
    }

    #[test]
    fn list_screens_read_letters_and_digits_by_group() {
        let screen = ListScreen::new(&hirs(&["Jan", "404", r"\.de"]), 1 << 20).unwrap();
        let mut cache = screen.create_cache();
        // Upper non-hex, lower hex, lower non-hex: `Kbx` has Jan's shape.
        assert_eq!(screen.which_may_match(&mut cache, "Kbx"), Some(0b001));
        assert_eq!(screen.which_may_match(&mut cache, "jan Fan JAN"), Some(0));
        assert_eq!(screen.which_may_match(&mut cache, "x 123"), Some(0b010));
        assert_eq!(screen.which_may_match(&mut cache, "a.fa a-de"), Some(0b100));
        assert_eq!(screen.which_may_match(&mut cache, "a.dé"), Some(0));
        // Every non-ASCII char is one letter of the alphabet.
        let screen = ListScreen::new(&hirs(&["é", "-"]), 1 << 20).unwrap();
        let mut cache = screen.create_cache();
        assert_eq!(screen.which_may_match(&mut cache, "Ω"), Some(0b01));
        assert_eq!(screen.which_may_match(&mut cache, "e"), Some(0));
    }

    #[test]
    fn a_word_boundary_on_non_ascii_text_is_a_perhaps() {
        let screen = ListScreen::new(&hirs(&[r"\bab\b", "zz"]), 1 << 20).unwrap();
        let mut cache = screen.create_cache();
        assert_eq!(screen.which_may_match(&mut cache, "x ab y"), Some(0b01));
        // `½ab` has no boundary before `a` in Oniguruma's reading; the DFA
        // cannot read it, so it does not answer.
        assert_eq!(screen.which_may_match(&mut cache, "½ab"), None);
        let one = Screen::build(hirs(&[r"\bab\b"]).remove(0), 1 << 20, None).unwrap();
        let mut cache = one.create_cache();
        assert!(one.may_match(&mut cache, "½ab"));
        assert!(!one.may_match(&mut cache, "xab"));
    }

    fn list_regex() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let atom = prop_oneof![
            Just("a".to_string()),
            Just("K".to_string()),
            Just("x".to_string()),
            Just("7".to_string()),
            Just("é".to_string()),
            Just("-".to_string()),
            Just("[a-c]".to_string()),
            Just("[^a]".to_string()),
            Just("\\w".to_string()),
            Just("\\b".to_string()),
            Just("(?i:k)".to_string()),
            Just(r"\(".to_string()),
            Just("!".to_string()),
            Just(r"\s".to_string()),
            Just("(?m:^)".to_string()),
            Just("(?m:$)".to_string()),
        ];
        atom.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..4).prop_map(|v| v.concat()),
                prop::collection::vec(inner.clone(), 2..4)
                    .prop_map(|v| format!("(?:{})", v.join("|"))),
                (inner.clone(), 0u32..3).prop_map(|(r, min)| format!("(?:{r}){{{min},}}")),
            ]
        })
    }

    proptest::proptest! {
        /// A list screen may let through an expression that does not
        /// match, never hold back one that does; and it answers alike
        /// once its walks follow a snapshot (after the first 64).
        #[test]
        fn a_list_screen_lets_through_every_expression_that_matches(
            patterns in proptest::collection::vec(list_regex(), 2..4),
            hays in proptest::collection::vec("[aKxkbX7é ()!|\t\n-]{0,10}", 1..300),
        ) {
            let relaxed = hirs(&patterns.iter().map(String::as_str).collect::<Vec<_>>());
            let regexes: Vec<_> = relaxed
                .iter()
                .map(|hir| regex_automata::meta::Regex::builder().build_from_hir(hir).unwrap())
                .collect();
            let screen = ListScreen::new(&relaxed, 1 << 20).unwrap();
            let mut cache = screen.create_cache();
            for hay in &hays {
                let mask = screen.which_may_match(&mut cache, hay);
                let lazy_only = screen.which_may_match(&mut screen.create_cache(), hay);
                proptest::prop_assert_eq!(mask, lazy_only, "{:?}", hay);
                for (i, regex) in regexes.iter().enumerate() {
                    if regex.is_match(hay.as_str()) {
                        proptest::prop_assert!(
                            mask.is_none_or(|m| m & 1 << i != 0),
                            "{} matches {:?}, mask {:?}", patterns[i], hay, mask
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_list_screen_walks_its_snapshot_once_it_has_learnt_the_lines() {
        let screen = ListScreen::new(&hirs(&["a=[0-9]+", "-b-", r"\[(?:x|y)\]"]), 1 << 20).unwrap();
        let mut cache = screen.create_cache();
        let lines = ["-- -b- a=12 --", "[y]", "nothing here", "a=7 [x] -b-"];
        let expected = [Some(0b011), Some(0b100), Some(0), Some(0b111)];
        for round in 0..100 {
            for (line, &mask) in lines.iter().zip(&expected) {
                assert_eq!(
                    screen.which_may_match(&mut cache, line),
                    mask,
                    "round {round}"
                );
            }
        }
        let snapshot = cache.snapshot.as_ref().expect("a snapshot after 400 walks");
        assert!(
            !snapshot.is_counting(),
            "ranked by the visits of the walks since"
        );
        // Every line runs to its end in the snapshot.
        let snapshot = cache.snapshot.as_mut().unwrap();
        for line in lines {
            assert_eq!(snapshot.run(line.as_bytes()).1, line.len());
        }
    }

    #[test]
    fn only_a_coarser_screen_is_built_for_one_expression() {
        let coarser = |pattern| Screen::coarser(&compile::relaxed_hir(pattern).unwrap(), 1 << 20);
        assert!(coarser("[a-z]{0,62}x").is_some());
        assert!(coarser("[a-z]{0,6}x").is_none());
    }
}
