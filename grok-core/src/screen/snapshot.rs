//! Compact copies of what a list screen's lazy DFA has learnt.
//!
//! A list screen's walk waits on each transition it loads: the next load
//! needs the state this one returns. The lazy DFA keeps 4-byte transitions
//! in rows of 32, its states in the order it built them, so the 160 states
//! a line of the 50-list visits (of its 1,550) lie scattered over 200 KB,
//! and about half the loads miss the first-level cache. A snapshot copies
//! the states the cache knows into 2-byte transitions, one state per
//! 64-byte cache line, and then orders them by how often walks visit them:
//! the 512 most visited take 93% of the visits, and fit in 32 KB. A walk
//! follows the snapshot while it has the transition, then goes on in the
//! lazy DFA, which learns the rest.

use std::collections::HashMap;

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::hybrid::LazyStateID;

use super::alphabet;

/// Transitions per state (the alphabet's 30 groups fit).
const STRIDE: usize = 32;

/// A transition the snapshot lacks: unknown when it was taken, or to a
/// state the lazy DFA must handle (dead, quit, a match).
const EXIT: u16 = u16::MAX;

/// Most states a snapshot holds: transitions are premultiplied offsets,
/// and the last must stay below [`EXIT`].
const MAX_STATES: usize = u16::MAX as usize / STRIDE;

/// The transitions a lazy DFA's cache knew, from its start state.
#[derive(Debug)]
pub(super) struct Snapshot {
    /// `STRIDE` per state: the next state's index times `STRIDE`, or
    /// [`EXIT`].
    trans: Box<[u16]>,
    /// Each byte's class, read through [`alphabet::read`].
    class_of: [u8; 256],
    /// Each state's id in the lazy DFA.
    lazy: Box<[LazyStateID]>,
    /// The start state's offset in `trans`.
    start: usize,
    /// The cache's clear count when taken: a cleared cache's ids are void.
    clear_count: usize,
    /// While walks are counted: how many times each state was entered.
    visits: Option<Box<[u32]>>,
}

impl Snapshot {
    /// The states of `cache` that known plain transitions reach from
    /// `start`, up to [`MAX_STATES`]: those of `previous` first, in its
    /// order, then the others; walks are counted until
    /// [`Snapshot::rank_by_visits`]. `None` if the DFA has more byte classes
    /// than [`STRIDE`] or `start` is tagged.
    pub(super) fn take(
        dfa: &DFA,
        cache: &Cache,
        start: LazyStateID,
        previous: Option<&Snapshot>,
    ) -> Option<Snapshot> {
        let classes = dfa.byte_classes();
        // Less the end of text, which is never a byte.
        if classes.alphabet_len() - 1 > STRIDE || start.is_tagged() {
            return None;
        }
        let mut class_of = [0u8; 256];
        let mut byte_of = [None; STRIDE];
        for byte in 0..=u8::MAX {
            let read = alphabet::read(byte);
            let class = classes.get(read);
            class_of[usize::from(byte)] = class;
            byte_of[usize::from(class)].get_or_insert(read);
        }
        let mut lazy = vec![start];
        let mut index = HashMap::from([(start, 0u16)]);
        let mut trans = Vec::new();
        let mut at = 0;
        while let Some(&id) = lazy.get(at) {
            for byte in byte_of {
                let next = byte.map(|byte| {
                    // SAFETY: `id` is the untagged start, or an untagged
                    // state a transition of `cache` holds, and `cache` has
                    // not changed since (it is borrowed shared).
                    unsafe { dfa.next_state_untagged_unchecked(cache, id, byte) }
                });
                let offset = match next {
                    None => EXIT,
                    Some(next) if next.is_tagged() => EXIT,
                    Some(next) => *index.entry(next).or_insert_with(|| {
                        if lazy.len() < MAX_STATES {
                            lazy.push(next);
                            ((lazy.len() - 1) * STRIDE) as u16
                        } else {
                            EXIT
                        }
                    }),
                };
                trans.push(offset);
            }
            at += 1;
        }
        let mut snapshot = Snapshot {
            visits: Some(vec![0; lazy.len()].into_boxed_slice()),
            trans: trans.into_boxed_slice(),
            class_of,
            lazy: lazy.into_boxed_slice(),
            start: 0,
            clear_count: cache.clear_count(),
        };
        if let Some(previous) = previous {
            let rank: HashMap<LazyStateID, usize> = previous
                .lazy
                .iter()
                .enumerate()
                .map(|(rank, &id)| (id, rank))
                .collect();
            let keys: Vec<usize> = snapshot
                .lazy
                .iter()
                .map(|id| rank.get(id).copied().unwrap_or(usize::MAX))
                .collect();
            snapshot.reorder(|state| keys[state]);
        }
        Some(snapshot)
    }

    /// Whether its states are still those of `cache`.
    pub(super) fn is_current(&self, cache: &Cache) -> bool {
        cache.clear_count() == self.clear_count
    }

    /// Whether walks are being counted.
    #[cfg(test)]
    pub(super) fn is_counting(&self) -> bool {
        self.visits.is_some()
    }

    /// Orders the states by the visits counted, most visited first, and
    /// stops counting.
    pub(super) fn rank_by_visits(&mut self) {
        if let Some(visits) = self.visits.take() {
            self.reorder(|state| std::cmp::Reverse(visits[state]));
        }
    }

    /// Renumbers the states in the order of `key` (ties keep their order).
    fn reorder<K: Ord>(&mut self, key: impl Fn(usize) -> K) {
        let mut order: Vec<usize> = (0..self.lazy.len()).collect();
        order.sort_by_key(|&state| key(state));
        let mut offset_of = vec![0u16; order.len()];
        for (new, &old) in order.iter().enumerate() {
            offset_of[old] = (new * STRIDE) as u16;
        }
        let renumber = |t: u16| match t {
            EXIT => EXIT,
            t => offset_of[usize::from(t) / STRIDE],
        };
        self.trans = order
            .iter()
            .flat_map(|&old| self.trans[old * STRIDE..(old + 1) * STRIDE].iter())
            .map(|&t| renumber(t))
            .collect();
        self.lazy = order.iter().map(|&old| self.lazy[old]).collect();
        self.start = usize::from(renumber(self.start as u16));
        if let Some(visits) = &mut self.visits {
            *visits = order.iter().map(|&old| visits[old]).collect();
        }
    }

    /// Follows `bytes` from the start while the snapshot has the
    /// transitions: the lazy DFA's id of the state reached and where it
    /// stopped (the end, or a byte whose transition it lacks). Counts the
    /// visits while it is counting.
    #[inline(always)]
    pub(super) fn run(&mut self, bytes: &[u8]) -> (LazyStateID, usize) {
        let (state, at) = match &mut self.visits {
            None => follow(&self.trans, &self.class_of, self.start, bytes, |_| {}),
            Some(visits) => follow(&self.trans, &self.class_of, self.start, bytes, |state| {
                let count = &mut visits[state / STRIDE];
                *count = count.saturating_add(1);
            }),
        };
        (self.lazy[state / STRIDE], at)
    }

    /// How many states it holds.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.lazy.len()
    }
}

/// The walk of [`Snapshot::run`]: the offset of the state reached and
/// where it stopped, calling `visit` on each state entered. Four bytes per
/// round while they last, as the lazy walk does.
#[inline(always)]
fn follow(
    trans: &[u16],
    class_of: &[u8; 256],
    start: usize,
    bytes: &[u8],
    mut visit: impl FnMut(usize),
) -> (usize, usize) {
    let step = |state: usize, byte: u8| {
        let next = trans[state + usize::from(class_of[usize::from(byte)])];
        (next != EXIT).then_some(usize::from(next))
    };
    let mut state = start;
    let mut at = 0;
    while let Some(&[b0, b1, b2, b3]) = bytes.get(at..at + 4) {
        for byte in [b0, b1, b2, b3] {
            let Some(next) = step(state, byte) else {
                return (state, at);
            };
            visit(next);
            state = next;
            at += 1;
        }
    }
    for &byte in &bytes[at..] {
        let Some(next) = step(state, byte) else {
            break;
        };
        visit(next);
        state = next;
        at += 1;
    }
    (state, at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile;
    use crate::screen::ListScreen;
    use regex_automata::Input;

    fn screen() -> ListScreen {
        let relaxed: Vec<_> = ["a=[0-9]+ b", r"\[(?:x|y)\]"]
            .iter()
            .map(|p| compile::relaxed_hir(p).unwrap())
            .collect();
        ListScreen::new(&relaxed, 1 << 20).unwrap()
    }

    /// The lazy DFA's state after `text`, from the start.
    fn lazy_walk(dfa: &DFA, cache: &mut Cache, text: &str) -> LazyStateID {
        let start = dfa.start_state_forward(cache, &Input::new(text)).unwrap();
        text.bytes().fold(start, |id, byte| {
            dfa.next_state(cache, id, alphabet::read(byte)).unwrap()
        })
    }

    const LEARNT: [&str; 3] = ["a=12 b [x]", "zz a=1 [y]", "aaaaaaaaaaaaaaaa"];

    /// A snapshot of a cache that walked [`LEARNT`].
    fn learnt(screen: &ListScreen) -> (Cache, Snapshot) {
        let mut cache = screen.dfa.create_cache();
        for text in LEARNT {
            lazy_walk(&screen.dfa, &mut cache, text);
        }
        let start = screen
            .dfa
            .start_state_forward(&mut cache, &Input::new(""))
            .unwrap();
        let snapshot = Snapshot::take(&screen.dfa, &cache, start, None).unwrap();
        (cache, snapshot)
    }

    #[test]
    fn a_snapshot_walks_as_the_lazy_dfa_while_it_has_the_transitions() {
        let screen = screen();
        let (mut cache, mut snapshot) = learnt(&screen);
        for text in LEARNT {
            let lazy = lazy_walk(&screen.dfa, &mut cache, text);
            assert_eq!(snapshot.run(text.as_bytes()), (lazy, text.len()));
        }
        // `{` was never read after `]`: the walk stops there, in the
        // state the lazy DFA reaches before it.
        let (id, at) = snapshot.run(b"a=12 b [x]{x");
        assert_eq!(at, 10);
        assert_eq!(id, lazy_walk(&screen.dfa, &mut cache, "a=12 b [x]"));
        assert!(snapshot.is_current(&cache));
    }

    #[test]
    fn ranking_puts_the_most_visited_states_first_and_walks_alike() {
        let screen = screen();
        let (mut cache, mut snapshot) = learnt(&screen);
        let runs: Vec<_> = LEARNT.iter().map(|t| snapshot.run(t.as_bytes())).collect();
        for _ in 0..10 {
            snapshot.run(b"aaaaaaaaaaaaaaaa");
        }
        assert!(snapshot.is_counting());
        snapshot.rank_by_visits();
        assert!(!snapshot.is_counting());
        // A run of `a`s ends in the state `a` leads back to: the most
        // visited.
        let looping = lazy_walk(&screen.dfa, &mut cache, "aaaa");
        assert_eq!(snapshot.lazy[0], looping);
        assert_ne!(snapshot.start, 0);
        let again: Vec<_> = LEARNT.iter().map(|t| snapshot.run(t.as_bytes())).collect();
        assert_eq!(again, runs);
    }

    #[test]
    fn a_retaken_snapshot_keeps_the_last_ones_order_and_adds_what_the_cache_learnt() {
        let screen = screen();
        let (mut cache, mut first) = learnt(&screen);
        for _ in 0..10 {
            first.run(b"aaaaaaaaaaaaaaaa");
        }
        first.rank_by_visits();
        lazy_walk(&screen.dfa, &mut cache, "[y] a=99 b {x}");
        let start = screen
            .dfa
            .start_state_forward(&mut cache, &Input::new(""))
            .unwrap();
        let mut second = Snapshot::take(&screen.dfa, &cache, start, Some(&first)).unwrap();
        assert!(second.len() > first.len());
        assert_eq!(second.lazy[..first.len()], first.lazy[..]);
        let text = "[y] a=99 b {x}";
        let lazy = lazy_walk(&screen.dfa, &mut cache, text);
        assert_eq!(second.run(text.as_bytes()), (lazy, text.len()));
        assert!(second.is_counting());
    }
}
