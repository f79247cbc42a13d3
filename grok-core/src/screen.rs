//! Screens: forward-only lazy DFAs over the coarsened relaxed regexes of one
//! expression or of a whole list (see [`compile::screening_hir`]), which
//! say "no match" cheaply and "perhaps" otherwise.
//!
//! A screen answers "perhaps" whenever it cannot decide: when the lazy DFA
//! gives up (its cache keeps filling) or quits (a non-ASCII byte under a
//! Unicode `\b`). So a "no" is always exact, including for the eight chars
//! whose `\b` Oniguruma reads differently: they are all non-ASCII.

use std::sync::atomic::{AtomicBool, Ordering};

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::hybrid::LazyStateID;
use regex_automata::nfa::thompson;
use regex_automata::{Input, MatchKind};
use regex_syntax::hir::{Dot, Hir, Look, Repetition};

use crate::compile;

/// How much memory one thread's cache of a screen may take.
const CACHE_CAPACITY: usize = 8 << 20;

/// A screen over one or more expressions.
#[derive(Debug)]
pub(crate) struct Screen {
    dfa: DFA,
    /// Set when a walk found the lazy DFA giving up.
    gave_up: AtomicBool,
}

/// Why a walk stopped without an answer.
enum Stop {
    /// A byte the DFA cannot read (non-ASCII under a Unicode `\b`).
    Quit,
    /// The cache keeps filling: a DFA is the wrong tool for this text.
    GaveUp,
}

impl Screen {
    /// Most expressions one list screen takes (its answer is a `u64` mask).
    pub(crate) const MAX_LIST: usize = 64;

    /// A screen over the relaxed regexes (HIR) of a list of expressions;
    /// `None` if it does not build (size limit).
    pub(crate) fn new(relaxed: &[Hir], size_limit: usize) -> Option<Screen> {
        if relaxed.len() > Screen::MAX_LIST {
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
        let screens: Vec<Hir> = relaxed
            .iter()
            .map(|h| Hir::concat(vec![compile::screening_hir(h).0, tail.clone()]))
            .collect();
        Screen::build(&screens, size_limit)
    }

    /// The screen of one relaxed regex, if it is coarser than the regex itself
    /// (otherwise the regex screens as well).
    pub(crate) fn coarser(relaxed: &str, size_limit: usize) -> Option<Screen> {
        let (hir, coarser) = compile::screening_hir(&compile::relaxed_hir(relaxed)?);
        if !coarser {
            return None;
        }
        Screen::build(&[hir], size_limit)
    }

    fn build(screens: &[Hir], size_limit: usize) -> Option<Screen> {
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .nfa_size_limit(Some(size_limit.saturating_mul(16)))
                    .which_captures(thompson::WhichCaptures::None),
            )
            .build_many_from_hir(screens)
            .ok()?;
        let kind = if screens.len() > 1 {
            MatchKind::All
        } else {
            MatchKind::LeftmostFirst
        };
        let dfa = DFA::builder()
            .configure(
                DFA::config()
                    .match_kind(kind)
                    .unicode_word_boundary(true)
                    .cache_capacity(CACHE_CAPACITY)
                    .skip_cache_capacity_check(true)
                    .minimum_cache_clear_count(Some(3))
                    .minimum_bytes_per_state(Some(10)),
            )
            .build_from_nfa(nfa)
            .ok()?;
        Some(Screen {
            dfa,
            gave_up: AtomicBool::new(false),
        })
    }

    /// A cache for one thread's searches.
    pub(crate) fn create_cache(&self) -> Cache {
        self.dfa.create_cache()
    }

    /// `false` when nothing can match `hay`.
    pub(crate) fn may_match(&self, cache: &mut Cache, hay: &str) -> bool {
        let input = Input::new(hay).earliest(true);
        !matches!(self.dfa.try_search_fwd(cache, &input), Ok(None))
    }

    /// Which expressions may match `hay`, as a mask (bit `i`: expression
    /// `i` of the list given to [`Screen::new`], which has at most
    /// [`Screen::MAX_LIST`]); `None` when the screen cannot tell, and then
    /// every expression may.
    ///
    /// One walk over the bytes: each expression's screen is followed by
    /// `(?s:.)*\z`, so the only match state is the last one, and it names
    /// every expression that matched anywhere. (The DFA's overlapping search
    /// on the screens alone stops at every match of every expression, which
    /// on a long list is nearly every byte.) After the lazy DFA gives up
    /// (its cache filling again and again), the screen stays off.
    pub(crate) fn which_may_match(&self, cache: &mut Cache, hay: &str) -> Option<u64> {
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
        // untagged state that the last call on `cache` returned (the start
        // state, or a transition); only `next_state` and the start
        // functions clear the cache, and neither runs here.
        let plain = |id: LazyStateID, byte: u8| {
            let next = unsafe { dfa.next_state_untagged_unchecked(cache, id, byte) };
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

    fn walk(&self, cache: &mut Cache, hay: &str) -> Result<u64, Stop> {
        let dfa = &self.dfa;
        let mut id = dfa
            .start_state_forward(cache, &Input::new(hay))
            .map_err(|_| Stop::Quit)?;
        let bytes = hay.as_bytes();
        let mut at = 0;
        loop {
            // The table lookup alone while the state is plain and the
            // transition known; the checked step otherwise.
            if !id.is_tagged() {
                (id, at) = self.run_untagged(cache, id, bytes, at);
            }
            let Some(&byte) = bytes.get(at) else { break };
            id = dfa.next_state(cache, id, byte).map_err(|_| Stop::GaveUp)?;
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
        let screen = Screen::new(&hirs(&["a[0-9]+", "b", "(?:x|y)z"]), 1 << 20).unwrap();
        let mut cache = screen.create_cache();
        assert_eq!(
            screen.which_may_match(&mut cache, "-- b a12 --"),
            Some(0b011)
        );
        assert_eq!(screen.which_may_match(&mut cache, "xz"), Some(0b100));
        assert_eq!(screen.which_may_match(&mut cache, "nothing here"), Some(0));
    }

    #[test]
    fn a_word_boundary_on_non_ascii_text_is_a_perhaps() {
        let screen = Screen::new(&hirs(&[r"\bab\b", "zz"]), 1 << 20).unwrap();
        let mut cache = screen.create_cache();
        assert_eq!(screen.which_may_match(&mut cache, "x ab y"), Some(0b01));
        // `½ab` has no boundary before `a` in Oniguruma's reading; the DFA
        // cannot read it, so it does not answer.
        assert_eq!(screen.which_may_match(&mut cache, "½ab"), None);
        let one = Screen::build(&hirs(&[r"\bab\b"]), 1 << 20).unwrap();
        let mut cache = one.create_cache();
        assert!(one.may_match(&mut cache, "½ab"));
        assert!(!one.may_match(&mut cache, "xab"));
    }

    #[test]
    fn only_a_coarser_screen_is_built_for_one_expression() {
        assert!(Screen::coarser("[a-z]{0,62}x", 1 << 20).is_some());
        assert!(Screen::coarser("[a-z]{0,6}x", 1 << 20).is_none());
    }
}
