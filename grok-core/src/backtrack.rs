//! A memoized backtracking capture extractor over a Thompson NFA.
//!
//! It explores paths in priority order, as Oniguruma would, so its first
//! match is the leftmost-first match; it remembers every (branch state,
//! position) pair it has left without success and never enters one twice, so
//! its work is bounded by (branch states × span length): linear in the input.
//! It runs where [`crate::prog`]'s program would be too large; both search
//! the whole line from every start position in order.
//!
//! Unlike regex-automata's bounded backtracker, which clears its whole visited
//! set on every search, this one clears only the words it set: a search costs
//! what it explores, not the size of the automaton times the span.

use regex_automata::nfa::thompson::{State, NFA};
use regex_automata::util::primitives::{NonMaxUsize, StateID};

use crate::visited::Visited;

/// Most memo bits one search may use; past it, the caller uses another engine.
const MAX_MEMO_BITS: usize = 64 << 20;

pub(crate) struct Backtracker {
    nfa: NFA,
    /// Memo row of each branching state (`u32::MAX`: not memoized).
    branch_index: Box<[u32]>,
    branches: usize,
    /// For each state, its row in `first` (`u32::MAX`: no table, never skip).
    first_index: Box<[u32]>,
    /// Bytes a path from the state can consume first (a superset), for the
    /// alternatives of branching states: an alternative that cannot start
    /// with the next byte is not tried.
    first: Vec<ByteSet>,
    /// For each capture slot, the look-around it marks (`u32::MAX`: none):
    /// evaluated when a path reaches it, so a failing look-around prunes the
    /// path exactly as a backtracking engine would.
    guards: Box<[u32]>,
}

/// Evaluates look-around number `.0` at position `.1`.
pub(crate) type Guard<'g> = &'g dyn Fn(u32, usize) -> bool;

/// A set of bytes; `all` also stands for "may match without consuming".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ByteSet(pub(crate) [u64; 4]);

impl ByteSet {
    pub(crate) const ALL: ByteSet = ByteSet([u64::MAX; 4]);

    /// Whether the two sets share a byte.
    pub(crate) fn intersects(&self, other: &ByteSet) -> bool {
        self.0.iter().zip(other.0).any(|(a, b)| a & b != 0)
    }

    fn add_range(&mut self, lo: u8, hi: u8) {
        for b in lo..=hi {
            self.0[usize::from(b >> 6)] |= 1 << (b & 63);
        }
    }

    pub(crate) fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    pub(crate) fn union(&mut self, other: &ByteSet) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
    }

    #[inline]
    pub(crate) fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }
}

/// First-byte sets of every state, by depth-first search with memoization;
/// a state met again while its own set is being computed (an empty loop)
/// counts as "anything".
pub(crate) fn first_sets(nfa: &NFA) -> Vec<ByteSet> {
    const UNKNOWN: u8 = 0;
    const BUSY: u8 = 1;
    const DONE: u8 = 2;
    let n = nfa.states().len();
    let mut sets = vec![ByteSet::default(); n];
    let mut mark = vec![UNKNOWN; n];
    // Iterative post-order walk over epsilon edges.
    for root in 0..n {
        if mark[root] != UNKNOWN {
            continue;
        }
        let mut stack: Vec<(usize, bool)> = vec![(root, false)];
        while let Some((sid, children_done)) = stack.pop() {
            let eps: Vec<usize> = match nfa.state(StateID::new_unchecked(sid)) {
                State::Union { alternates } => alternates.iter().map(|s| s.as_usize()).collect(),
                State::BinaryUnion { alt1, alt2 } => vec![alt1.as_usize(), alt2.as_usize()],
                State::Capture { next, .. } | State::Look { next, .. } => vec![next.as_usize()],
                _ => Vec::new(),
            };
            if !children_done {
                if mark[sid] == DONE {
                    continue;
                }
                mark[sid] = BUSY;
                stack.push((sid, true));
                for &e in &eps {
                    if mark[e] == UNKNOWN {
                        stack.push((e, false));
                    }
                }
                continue;
            }
            if mark[sid] == DONE {
                continue;
            }
            let mut set = ByteSet::default();
            match nfa.state(StateID::new_unchecked(sid)) {
                State::ByteRange { trans } => set.add_range(trans.start, trans.end),
                State::Sparse(sparse) => {
                    for t in sparse.transitions.iter() {
                        set.add_range(t.start, t.end);
                    }
                }
                State::Dense(dense) => {
                    for (b, next) in dense.transitions.iter().enumerate() {
                        if *next != StateID::ZERO {
                            set.add_range(b as u8, b as u8);
                        }
                    }
                }
                State::Match { .. } => set = ByteSet::ALL,
                State::Fail => {}
                _ => {
                    for &e in &eps {
                        if mark[e] == DONE {
                            set.union(&sets[e]);
                        } else {
                            set = ByteSet::ALL;
                        }
                    }
                }
            }
            sets[sid] = set;
            mark[sid] = DONE;
        }
    }
    sets
}

enum Frame {
    Step(StateID, usize),
    Restore(usize, Option<NonMaxUsize>),
}

/// Per-thread scratch space.
#[derive(Default)]
pub(crate) struct Memo {
    visited: Visited,
    stack: Vec<Frame>,
}

/// Whether a state is a branch, whose (state, position) pairs the memo
/// records.
fn is_branch(state: &State) -> bool {
    matches!(state, State::Union { .. } | State::BinaryUnion { .. })
}

/// How many branch states `nfa` has: what one position costs the memo.
pub(crate) fn branch_count(nfa: &NFA) -> usize {
    nfa.states().iter().filter(|s| is_branch(s)).count()
}

/// Whether a search over a span of `len` bytes, with `branches` branch
/// states (see [`branch_count`]), fits the memo budget.
pub(crate) fn fits(branches: usize, len: usize) -> bool {
    branches.saturating_mul(len.saturating_add(1)) <= MAX_MEMO_BITS
}

impl Backtracker {
    pub(crate) fn new(nfa: NFA) -> Backtracker {
        let mut branch_index = vec![u32::MAX; nfa.states().len()];
        let mut branches = 0usize;
        for (i, state) in nfa.states().iter().enumerate() {
            if is_branch(state) {
                branch_index[i] = branches as u32;
                branches += 1;
            }
        }
        let all_sets = first_sets(&nfa);
        let mut first_index = vec![u32::MAX; nfa.states().len()];
        let mut first = Vec::new();
        let start = nfa.start_anchored().as_usize();
        if all_sets[start] != ByteSet::ALL {
            first_index[start] = 0;
            first.push(all_sets[start]);
        }
        for state in nfa.states() {
            let alternates: Vec<StateID> = match state {
                State::Union { alternates } => alternates.to_vec(),
                State::BinaryUnion { alt1, alt2 } => vec![*alt1, *alt2],
                _ => continue,
            };
            for alt in alternates {
                let i = alt.as_usize();
                if first_index[i] == u32::MAX && all_sets[i] != ByteSet::ALL {
                    first_index[i] = first.len() as u32;
                    first.push(all_sets[i]);
                }
            }
        }
        let guards = vec![u32::MAX; nfa.group_info().slot_len()].into();
        Backtracker {
            nfa,
            branch_index: branch_index.into(),
            branches,
            first_index: first_index.into(),
            first,
            guards,
        }
    }

    /// Makes capture slot `slot` a guard for look-around `check`.
    pub(crate) fn set_guard(&mut self, slot: usize, check: u32) {
        if let Some(g) = self.guards.get_mut(slot) {
            *g = check;
        }
    }

    /// Finds the leftmost-first match of the text: tries each start
    /// position in order (char boundaries only) and, from each, paths in
    /// priority order; the memo is shared by all starts, since a (state,
    /// position) pair that failed from one start fails from any. Writes the
    /// capture slots and returns whether a match was found.
    pub(crate) fn search(
        &self,
        memo: &mut Memo,
        hay: &str,
        slots: &mut [Option<NonMaxUsize>],
        guard: Guard<'_>,
    ) -> bool {
        let bytes = hay.as_bytes();
        let end = bytes.len();
        let width = end + 1;
        memo.visited.prepare(self.branches * width);
        let start_sid = self.nfa.start_anchored();
        let mut found = false;
        for start in 0..=end {
            if !hay.is_char_boundary(start) || !self.may_start(start_sid, bytes.get(start).copied())
            {
                continue;
            }
            for s in slots.iter_mut() {
                *s = None;
            }
            memo.stack.clear();
            memo.stack.push(Frame::Step(start_sid, start));
            while let Some(frame) = memo.stack.pop() {
                match frame {
                    Frame::Restore(slot, old) => slots[slot] = old,
                    Frame::Step(sid, at) => {
                        if self.step(memo, bytes, sid, at, end, width, slots, guard) {
                            found = true;
                            break;
                        }
                    }
                }
            }
            if found {
                break;
            }
        }
        memo.visited.clear();
        found
    }

    #[allow(clippy::too_many_arguments)]
    fn step(
        &self,
        memo: &mut Memo,
        hay: &[u8],
        mut sid: StateID,
        mut at: usize,
        end: usize,
        width: usize,
        slots: &mut [Option<NonMaxUsize>],
        guard: Guard<'_>,
    ) -> bool {
        loop {
            match self.nfa.state(sid) {
                State::ByteRange { trans } => {
                    if at >= end || !trans.matches_byte(hay[at]) {
                        return false;
                    }
                    sid = trans.next;
                    at += 1;
                }
                State::Sparse(sparse) => {
                    if at >= end {
                        return false;
                    }
                    match sparse.matches_byte(hay[at]) {
                        Some(next) => {
                            sid = next;
                            at += 1;
                        }
                        None => return false,
                    }
                }
                State::Dense(dense) => {
                    if at >= end {
                        return false;
                    }
                    match dense.matches_byte(hay[at]) {
                        Some(next) => {
                            sid = next;
                            at += 1;
                        }
                        None => return false,
                    }
                }
                State::Look { look, next } => {
                    if !self.nfa.look_matcher().matches(*look, hay, at) {
                        return false;
                    }
                    sid = *next;
                }
                State::Union { alternates } => {
                    if !self.visit(memo, sid, at, width) {
                        return false;
                    }
                    let next_byte = hay.get(at).copied().filter(|_| at < end);
                    let mut chosen = None;
                    for &alt in alternates.iter().rev() {
                        if self.may_start(alt, next_byte) {
                            if let Some(later) = chosen.replace(alt) {
                                memo.stack.push(Frame::Step(later, at));
                            }
                        }
                    }
                    match chosen {
                        Some(alt) => sid = alt,
                        None => return false,
                    }
                }
                State::BinaryUnion { alt1, alt2 } => {
                    if !self.visit(memo, sid, at, width) {
                        return false;
                    }
                    let next_byte = hay.get(at).copied().filter(|_| at < end);
                    match (
                        self.may_start(*alt1, next_byte),
                        self.may_start(*alt2, next_byte),
                    ) {
                        (true, true) => {
                            memo.stack.push(Frame::Step(*alt2, at));
                            sid = *alt1;
                        }
                        (true, false) => sid = *alt1,
                        (false, true) => sid = *alt2,
                        (false, false) => return false,
                    }
                }
                State::Capture { next, slot, .. } => {
                    let slot = slot.as_usize();
                    let check = self.guards[slot];
                    if check != u32::MAX && !guard(check, at) {
                        return false;
                    }
                    if slot < slots.len() {
                        memo.stack.push(Frame::Restore(slot, slots[slot]));
                        slots[slot] = NonMaxUsize::new(at);
                    }
                    sid = *next;
                }
                State::Fail => return false,
                State::Match { .. } => return true,
            }
        }
    }

    /// Whether a path from `sid` may go on with `next` (`None`: at the end).
    #[inline]
    fn may_start(&self, sid: StateID, next: Option<u8>) -> bool {
        let row = self.first_index[sid.as_usize()];
        match next {
            Some(b) if row != u32::MAX => self.first[row as usize].contains(b),
            // At the end only paths that consume nothing can go on; their
            // sets are ALL, which have no row.
            None if row != u32::MAX => false,
            _ => true,
        }
    }

    /// Marks (branch state, offset) visited; `false` if it already was.
    fn visit(&self, memo: &mut Memo, sid: StateID, offset: usize, width: usize) -> bool {
        let row = self.branch_index[sid.as_usize()] as usize;
        memo.visited.insert(row * width + offset)
    }
}
