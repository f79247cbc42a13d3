//! The fast capture extractor: the relaxed regex compiled to a small
//! backtracking program and run with memoization.
//!
//! [`crate::backtrack`] walks regex-automata's Thompson NFA, where a class
//! like `[^"]` is a UTF-8 automaton of several states and `x{0,62}` is 124
//! states, so every byte costs a few state transitions and a stack frame.
//! This program is compiled from the same HIR instead:
//!
//! - a class is one instruction: a 128-bit ASCII table plus one rule for
//!   non-ASCII chars (none, all, or a range list); the haystack is a `&str`,
//!   so stepping over a non-ASCII char needs only its lead byte;
//! - a repeated class (`\S+`, `[0-9A-Za-z-]{0,62}`, `.*?`) is one
//!   instruction that scans in a tight loop and then offers its end
//!   positions to the rest of the pattern, longest first (or shortest first
//!   when lazy);
//! - a literal string is one instruction.
//!
//! Work stays linear: every branch instruction has a row of memo bits, one
//! per position, set when the branch is taken at that position; a branch is
//! never taken twice at one position, since its outcome cannot differ (no
//! back-references). A repeat has two rows: where it was entered, and where
//! its continuation was tried. An unbounded greedy scan stops at the first
//! position whose continuation was already tried (everything after it was
//! tried too), so repeated entries into one run cost their new positions
//! only. [`Prog::fits`] bounds the total work of a search; a search over
//! too long a text uses another engine.

use regex_automata::util::look::{Look, LookMatcher};
use regex_automata::util::primitives::NonMaxUsize;
use regex_syntax::hir::{Class, Hir, HirKind};

use crate::backtrack::{ByteSet, Guard};
use crate::utf8;
use crate::visited::Visited;

mod tdfa;

pub(crate) use tdfa::{GuardRule, Outcome, Tdfa, TdfaCache};

/// Largest program compiled; bigger ones use the NFA backtracker.
const MAX_INSTS: usize = 1 << 18;
/// Most work (memo bits plus scan steps bound) one search may need.
const MAX_COST: usize = 64 << 20;
const NONE: u32 = u32::MAX;
/// The budget of a search without memo bits: this many steps, plus
/// [`OPTIMISTIC_STEPS_PER_BYTE`] per byte of text.
const OPTIMISTIC_STEPS: usize = 256;
const OPTIMISTIC_STEPS_PER_BYTE: usize = 4;

/// A set of chars: an ASCII table and a rule for the rest.
#[derive(Clone, Debug, PartialEq, Eq)]
struct CharSet {
    ascii: [u64; 2],
    high: High,
    /// Membership of each byte, exact for ASCII and, when non-ASCII
    /// membership is all or nothing, for every byte of a valid UTF-8 text
    /// (`bytewise`): a run of members then scans byte by byte.
    bytes: ByteTable,
    bytewise: bool,
}

/// Membership of every byte, one load per test, and the fastest way to
/// find the end of a run of members.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ByteTable {
    members: Box<[bool; 256]>,
    /// The bytes outside the set when there are at most three of them (a
    /// run then ends at the first of them, found with `memchr`).
    outside: Option<Box<[u8]>>,
}

impl ByteTable {
    fn new(set: &ByteSet) -> ByteTable {
        let mut members = Box::new([false; 256]);
        for (b, member) in members.iter_mut().enumerate() {
            *member = set.contains(b as u8);
        }
        let outside: Vec<u8> = (0..=255u8).filter(|&b| !members[usize::from(b)]).collect();
        let outside = (outside.len() <= 3).then(|| outside.into());
        ByteTable { members, outside }
    }

    #[inline(always)]
    fn contains(&self, b: u8) -> bool {
        self.members[usize::from(b)]
    }

    /// The end of the run of members that starts at `from`, looking no
    /// further than `limit` (`from <= limit <= hay.len()`).
    #[inline(never)]
    fn run_end(&self, hay: &[u8], from: usize, limit: usize) -> usize {
        let text = &hay[from..limit];
        let found = match self.outside.as_deref() {
            Some(outside) => find_any(outside, text),
            None => text.iter().position(|&b| !self.contains(b)),
        };
        found.map_or(limit, |n| from + n)
    }
}

/// The first position in `hay` of any of `needles` (at most three: one
/// `memchr` pass).
#[inline]
fn find_any(needles: &[u8], hay: &[u8]) -> Option<usize> {
    match *needles {
        [] => None,
        [a] => memchr::memchr(a, hay),
        [a, b] => memchr::memchr2(a, b, hay),
        [a, b, c] => memchr::memchr3(a, b, c, hay),
        _ => hay.iter().position(|b| needles.contains(b)),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum High {
    None,
    All,
    /// Sorted, disjoint, inclusive ranges of chars at or above U+0080.
    Ranges(Box<[(u32, u32)]>),
}

impl CharSet {
    fn from_ranges(ranges: impl Iterator<Item = (u32, u32)>) -> CharSet {
        let mut ascii = [0u64; 2];
        let mut high = Vec::new();
        for (lo, hi) in ranges {
            for c in lo..=hi.min(0x7F) {
                ascii[(c >> 6) as usize] |= 1 << (c & 63);
            }
            if hi >= 0x80 {
                high.push((lo.max(0x80), hi));
            }
        }
        let all = high == [(0x80, 0x10FFFF)] || high == [(0x80, 0xD7FF), (0xE000, 0x10FFFF)];
        let high = if high.is_empty() {
            High::None
        } else if all {
            High::All
        } else {
            High::Ranges(high.into())
        };
        let mut bytes = ByteSet::default();
        for b in 0..=255u8 {
            let member = if b < 0x80 {
                ascii[usize::from(b >> 6)] & (1 << (b & 63)) != 0
            } else {
                high == High::All
            };
            if member {
                bytes.insert(b);
            }
        }
        let bytewise = !matches!(high, High::Ranges(_));
        CharSet {
            ascii,
            high,
            bytes: ByteTable::new(&bytes),
            bytewise,
        }
    }

    /// Whether the set holds `b`, an ASCII char (`false` for any byte
    /// above 0x7F).
    #[inline(always)]
    fn has_ascii(&self, b: u8) -> bool {
        b < 0x80 && self.ascii[usize::from(b >> 6)] & (1 << (b & 63)) != 0
    }

    /// The length of the char at `at` if it is in the set (`at < hay.len()`).
    #[inline(always)]
    fn step(&self, hay: &[u8], at: usize) -> Option<usize> {
        let b = hay[at];
        if b < 0x80 {
            return self.has_ascii(b).then_some(1);
        }
        self.step_high(hay, at)
    }

    #[cold]
    fn step_high(&self, hay: &[u8], at: usize) -> Option<usize> {
        let len = utf8::len_of(hay[at]);
        match &self.high {
            High::None => None,
            High::All => Some(len),
            High::Ranges(ranges) => {
                let c = utf8::char_at(hay, at).map_or(0, u32::from);
                let i = ranges.partition_point(|&(_, hi)| hi < c);
                (i < ranges.len() && ranges[i].0 <= c).then_some(len)
            }
        }
    }

    /// The bytes a member's UTF-8 encoding may start with: its ASCII
    /// members, and every lead byte when it has others.
    fn first_bytes(&self) -> ByteSet {
        let mut set = ByteSet([self.ascii[0], self.ascii[1], 0, 0]);
        if self.high != High::None {
            for b in 0xC2..=0xF4u8 {
                set.insert(b);
            }
        }
        set
    }
}

#[derive(Clone, Debug)]
enum Inst {
    Lit {
        bytes: Box<[u8]>,
        next: u32,
    },
    Class {
        set: u32,
        next: u32,
    },
    /// `set{min,max}` (`max == NONE`: unbounded).
    Repeat {
        set: u32,
        min: u32,
        max: u32,
        greedy: bool,
        next: u32,
        /// Memo row of entries; the continuation's row follows it.
        row: u32,
        /// No byte of the set can start the continuation, so only the end
        /// of the run can be followed by it: nothing shorter is offered.
        possessive: bool,
    },
    /// Alternatives in priority order, each with its first-byte set index.
    Split {
        alts: Box<[(u32, u32)]>,
        row: u32,
    },
    Save {
        slot: u32,
        next: u32,
    },
    Look {
        look: Look,
        next: u32,
    },
    Match,
}

/// A compiled program; see the module docs.
#[derive(Debug)]
pub(crate) struct Prog {
    insts: Vec<Inst>,
    start: u32,
    sets: Vec<CharSet>,
    /// First-byte sets referenced by `Split` alternatives and repeats.
    firsts: Vec<ByteTable>,
    /// First-byte set of each instruction (index into `firsts`, `NONE`: any).
    first_of: Vec<u32>,
    rows: usize,
    /// Scan steps one position may cost beyond its memo bits.
    scan_weight: usize,
    /// For each slot, the look-around it guards (`NONE`: none).
    guards: Box<[u32]>,
    /// For each slot, whether it is saved inside a repetition (so possibly
    /// more than once on one path).
    in_loop: Box<[bool]>,
    looks: LookMatcher,
}

/// Why a pattern is left to the NFA backtracker.
#[derive(Debug)]
pub(crate) struct Unsupported;

struct Builder {
    insts: Vec<Inst>,
    sets: Vec<CharSet>,
    /// The set of each char range list met so far: a big pattern names
    /// the same few classes thousands of times.
    set_ids: rustc_hash::FxHashMap<Vec<(u32, u32)>, u32>,
    rows: u32,
    scan_weight: usize,
    slots: u32,
    /// Repetitions around the instruction being compiled.
    loop_depth: u32,
    in_loop: Vec<bool>,
}

impl Builder {
    fn push(&mut self, inst: Inst) -> Result<u32, Unsupported> {
        if self.insts.len() >= MAX_INSTS {
            return Err(Unsupported);
        }
        self.insts.push(inst);
        Ok((self.insts.len() - 1) as u32)
    }

    fn row(&mut self, count: u32) -> u32 {
        self.rows += count;
        self.rows - count
    }

    fn split(&mut self, alts: Vec<u32>) -> Result<u32, Unsupported> {
        let row = self.row(1);
        let alts = alts.into_iter().map(|a| (a, NONE)).collect();
        self.push(Inst::Split { alts, row })
    }

    /// A single-char set for `hir`, if it is one.
    fn char_set(&mut self, hir: &Hir) -> Result<Option<u32>, Unsupported> {
        let ranges: Vec<(u32, u32)> = match hir.kind() {
            HirKind::Class(Class::Unicode(class)) => class
                .ranges()
                .iter()
                .map(|r| (r.start() as u32, r.end() as u32))
                .collect(),
            HirKind::Class(Class::Bytes(class)) => {
                if class.ranges().iter().any(|r| r.end() >= 0x80) {
                    return Err(Unsupported);
                }
                class
                    .ranges()
                    .iter()
                    .map(|r| (u32::from(r.start()), u32::from(r.end())))
                    .collect()
            }
            HirKind::Literal(lit) => match std::str::from_utf8(&lit.0).ok().map(|s| s.chars()) {
                Some(mut chars) => match (chars.next(), chars.next()) {
                    (Some(c), None) => vec![(c as u32, c as u32)],
                    _ => return Ok(None),
                },
                None => return Err(Unsupported),
            },
            _ => return Ok(None),
        };
        if let Some(&id) = self.set_ids.get(&ranges) {
            return Ok(Some(id));
        }
        let id = self.sets.len() as u32;
        self.sets.push(CharSet::from_ranges(ranges.iter().copied()));
        self.set_ids.insert(ranges, id);
        Ok(Some(id))
    }

    /// Compiles `hir` to run before `next`; returns its first instruction.
    fn compile(&mut self, hir: &Hir, next: u32) -> Result<u32, Unsupported> {
        match hir.kind() {
            HirKind::Empty => Ok(next),
            HirKind::Literal(lit) => {
                if std::str::from_utf8(&lit.0).is_err() {
                    return Err(Unsupported);
                }
                self.push(Inst::Lit {
                    bytes: lit.0.clone(),
                    next,
                })
            }
            HirKind::Class(_) => {
                let set = self.char_set(hir)?.ok_or(Unsupported)?;
                self.push(Inst::Class { set, next })
            }
            HirKind::Look(look) => {
                let look = Look::from_repr(look.as_repr()).ok_or(Unsupported)?;
                self.push(Inst::Look { look, next })
            }
            HirKind::Capture(cap) => {
                let slot = cap.index * 2;
                self.slots = self.slots.max(slot + 2);
                if self.in_loop.len() < self.slots as usize {
                    self.in_loop.resize(self.slots as usize, false);
                }
                if self.loop_depth > 0 {
                    self.in_loop[slot as usize] = true;
                    self.in_loop[slot as usize + 1] = true;
                }
                let end = self.push(Inst::Save {
                    slot: slot + 1,
                    next,
                })?;
                let body = self.compile(&cap.sub, end)?;
                self.push(Inst::Save { slot, next: body })
            }
            HirKind::Concat(subs) => {
                let mut at = next;
                for sub in subs.iter().rev() {
                    at = self.compile(sub, at)?;
                }
                Ok(at)
            }
            HirKind::Alternation(subs) => {
                let mut alts = Vec::with_capacity(subs.len());
                for sub in subs {
                    alts.push(self.compile(sub, next)?);
                }
                self.split(alts)
            }
            HirKind::Repetition(rep) => {
                let max = rep.max.unwrap_or(NONE);
                if let Some(set) = self.char_set(&rep.sub)? {
                    let row = self.row(2);
                    self.scan_weight += if max == NONE {
                        rep.min as usize + 1
                    } else {
                        max as usize
                    };
                    return self.push(Inst::Repeat {
                        set,
                        min: rep.min,
                        max,
                        greedy: rep.greedy,
                        next,
                        row,
                        possessive: false,
                    });
                }
                self.loop_depth += 1;
                let first = self.repetition(&rep.sub, rep.min, rep.max, rep.greedy, next);
                self.loop_depth -= 1;
                first
            }
        }
    }

    fn order(greedy: bool, body: u32, exit: u32) -> Vec<u32> {
        if greedy {
            vec![body, exit]
        } else {
            vec![exit, body]
        }
    }

    /// A general repetition, shaped as regex-automata's Thompson compiler
    /// shapes it, so priorities among empty iterations agree with it.
    fn repetition(
        &mut self,
        sub: &Hir,
        min: u32,
        max: Option<u32>,
        greedy: bool,
        next: u32,
    ) -> Result<u32, Unsupported> {
        let Some(max) = max else {
            // The loop: a split placed before its body is known.
            let split = self.split(Vec::new())?;
            let body = self.compile(sub, split)?;
            let loop_alts: Box<[(u32, u32)]> = Self::order(greedy, body, next)
                .into_iter()
                .map(|a| (a, NONE))
                .collect();
            if let Inst::Split { alts, .. } = &mut self.insts[split as usize] {
                *alts = loop_alts;
            }
            if min > 0 {
                // The loop body is the last mandatory copy.
                let mut at = body;
                for _ in 1..min {
                    at = self.compile(sub, at)?;
                }
                return Ok(at);
            }
            if sub.properties().minimum_len().is_some_and(|n| n > 0) {
                return Ok(split);
            }
            // `x*` as `(x+)?` when `x` may match empty.
            return self.split(Self::order(greedy, body, next));
        };
        let mut at = next;
        for _ in min..max {
            let body = self.compile(sub, at)?;
            at = self.split(Self::order(greedy, body, next))?;
        }
        for _ in 0..min {
            at = self.compile(sub, at)?;
        }
        Ok(at)
    }
}

/// Work left for later; positions fit in `u32` (see [`Prog::fits`]).
enum Frame {
    Step(u32, u32),
    Restore(u32, Option<NonMaxUsize>),
    /// Alternative `alt` (and those after it) of split `inst` at `at`; the
    /// alternative is known to pass its first-byte test.
    Alt {
        inst: u32,
        alt: u32,
        at: u32,
    },
    /// Continuation positions `lo..=hi` of a greedy repeat, tried from `hi` down.
    Greedy {
        inst: u32,
        lo: u32,
        hi: u32,
    },
    /// A lazy repeat at `at` with `left` more chars allowed.
    Lazy {
        inst: u32,
        at: u32,
        left: u32,
    },
}

/// Per-thread scratch space.
#[derive(Default)]
pub(crate) struct ProgMemo {
    visited: Visited,
    stack: Vec<Frame>,
    /// Bytes scanned by repeats (tests check that work stays linear).
    #[cfg(test)]
    scanned: usize,
}

impl Prog {
    /// Compiles `hir` (the relaxed regex, unanchored); `Err` when the program
    /// would be too large or uses something this engine does not run.
    pub(crate) fn new(hir: &Hir) -> Result<Prog, Unsupported> {
        let mut b = Builder {
            insts: Vec::new(),
            sets: Vec::new(),
            set_ids: Default::default(),
            rows: 0,
            scan_weight: 0,
            slots: 2,
            loop_depth: 0,
            in_loop: Vec::new(),
        };
        let matched = b.push(Inst::Match)?;
        let end = b.push(Inst::Save {
            slot: 1,
            next: matched,
        })?;
        let body = b.compile(hir, end)?;
        let start = b.push(Inst::Save {
            slot: 0,
            next: body,
        })?;
        let slot_len = b.slots as usize;
        let mut in_loop = b.in_loop;
        in_loop.resize(slot_len, false);
        let mut prog = Prog {
            insts: b.insts,
            start,
            sets: b.sets,
            firsts: Vec::new(),
            first_of: Vec::new(),
            rows: b.rows as usize,
            scan_weight: b.scan_weight,
            guards: vec![NONE; slot_len].into(),
            in_loop: in_loop.into(),
            looks: LookMatcher::new(),
        };
        prog.compute_firsts();
        Ok(prog)
    }

    /// Makes capture slot `slot` a guard for look-around `check`.
    pub(crate) fn set_guard(&mut self, slot: usize, check: u32) {
        if let Some(g) = self.guards.get_mut(slot) {
            *g = check;
        }
    }

    /// Whether, wherever the program saves slot `slot`, the byte that
    /// follows in the text (if any) is outside `bytes`: every path on from
    /// each save reads a byte first, and none of those first bytes is in
    /// `bytes`. False when no instruction saves the slot.
    pub(crate) fn never_followed_by(&self, slot: usize, bytes: &[bool; 256]) -> bool {
        let mut saves = (self.insts.iter())
            .filter_map(|inst| match *inst {
                Inst::Save { slot: s, next } if s as usize == slot => Some(next),
                _ => None,
            })
            .peekable();
        saves.peek().is_some()
            && saves.all(|next| match self.first_of[next as usize] {
                NONE => false,
                first => {
                    let table = &self.firsts[first as usize];
                    (0..=255u8).all(|b| !(bytes[usize::from(b)] && table.contains(b)))
                }
            })
    }

    /// Whether a search over `len` bytes fits the work budget.
    pub(crate) fn fits(&self, len: usize) -> bool {
        let width = len.saturating_add(1);
        width <= u32::MAX as usize
            && self
                .rows
                .saturating_add(self.scan_weight)
                .saturating_mul(width)
                <= MAX_COST
    }

    /// First-byte sets by fixpoint: the least sets closed under the program's
    /// edges, where `Match` (and so anything that may match empty) takes all.
    fn compute_firsts(&mut self) {
        let n = self.insts.len();
        let mut sets = vec![ByteSet::default(); n];
        let set_firsts: Vec<ByteSet> = self.sets.iter().map(CharSet::first_bytes).collect();
        loop {
            let mut changed = false;
            for i in 0..n {
                let new = match &self.insts[i] {
                    Inst::Lit { bytes, .. } => {
                        let mut s = ByteSet::default();
                        s.insert(bytes[0]);
                        s
                    }
                    Inst::Class { set, .. } => set_firsts[*set as usize],
                    Inst::Repeat { set, min, next, .. } => {
                        let mut s = set_firsts[*set as usize];
                        if *min == 0 {
                            s.union(&sets[*next as usize]);
                        }
                        s
                    }
                    Inst::Split { alts, .. } => {
                        let mut s = ByteSet::default();
                        for (a, _) in alts.iter() {
                            s.union(&sets[*a as usize]);
                        }
                        s
                    }
                    Inst::Save { next, .. } | Inst::Look { next, .. } => sets[*next as usize],
                    Inst::Match => ByteSet::ALL,
                };
                if new != sets[i] {
                    sets[i] = new;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let mut index_of = std::collections::HashMap::new();
        let mut firsts = Vec::new();
        let first_of: Vec<u32> = sets
            .iter()
            .map(|s| {
                if *s == ByteSet::ALL {
                    NONE
                } else {
                    *index_of.entry(s.0).or_insert_with(|| {
                        firsts.push(ByteTable::new(s));
                        (firsts.len() - 1) as u32
                    })
                }
            })
            .collect();
        for inst in self.insts.iter_mut() {
            match inst {
                Inst::Split { alts, .. } => {
                    for (a, f) in alts.iter_mut() {
                        *f = first_of[*a as usize];
                    }
                }
                Inst::Repeat {
                    set,
                    next,
                    possessive,
                    greedy: true,
                    ..
                } => {
                    let own = set_firsts[*set as usize];
                    *possessive = !own.intersects(&sets[*next as usize]);
                }
                _ => {}
            }
        }
        self.firsts = firsts;
        self.first_of = first_of;
    }

    /// Whether a path whose first-byte set is `first` may go on at `at`.
    #[inline(always)]
    fn may_start(&self, first: u32, hay: &[u8], at: usize) -> bool {
        if first == NONE {
            return true;
        }
        match hay.get(at) {
            Some(&b) => self.firsts[first as usize].contains(b),
            None => false,
        }
    }

    /// Finds the leftmost-first match (start positions in order, char
    /// boundaries only, sharing one memo); writes `slots` and says whether
    /// it found one. The caller checks [`Prog::fits`] first.
    pub(crate) fn search(
        &self,
        memo: &mut ProgMemo,
        hay: &str,
        slots: &mut [Option<NonMaxUsize>],
        guard: Guard<'_>,
    ) -> bool {
        let bytes = hay.as_bytes();
        let width = bytes.len() + 1;
        // Most lines are decided in a few steps per byte: first without
        // memo bits, under a budget that keeps the attempt linear; past it,
        // again from the start with them.
        let mut budget =
            OPTIMISTIC_STEPS.saturating_add(OPTIMISTIC_STEPS_PER_BYTE.saturating_mul(bytes.len()));
        if let Some(found) =
            self.search_from_each_start::<false>(memo, hay, slots, guard, &mut budget)
        {
            return found;
        }
        memo.visited.prepare(self.rows * width);
        let found = self
            .search_from_each_start::<true>(memo, hay, slots, guard, &mut budget)
            .unwrap_or(false);
        memo.visited.clear();
        found
    }

    /// The search of [`Prog::search`], with memo bits or without (then
    /// `None` once `budget` steps are spent).
    fn search_from_each_start<const MEMO: bool>(
        &self,
        memo: &mut ProgMemo,
        hay: &str,
        slots: &mut [Option<NonMaxUsize>],
        guard: Guard<'_>,
        budget: &mut usize,
    ) -> Option<bool> {
        let bytes = hay.as_bytes();
        let width = bytes.len() + 1;
        let first = self.first_of[self.start as usize];
        for start in 0..=bytes.len() {
            if !hay.is_char_boundary(start) || !self.may_start(first, bytes, start) {
                continue;
            }
            for s in slots.iter_mut() {
                *s = None;
            }
            memo.stack.clear();
            memo.stack.push(Frame::Step(self.start, start as u32));
            if self.run::<MEMO>(memo, bytes, width, slots, guard, budget)? {
                return Some(true);
            }
        }
        Some(false)
    }

    /// Saves the first alternative from `from` on that may start at `at`.
    #[inline(always)]
    fn push_alt(
        &self,
        memo: &mut ProgMemo,
        alts: &[(u32, u32)],
        inst: u32,
        from: usize,
        hay: &[u8],
        at: usize,
    ) {
        if let Some(i) = alts[from..]
            .iter()
            .position(|&(_, f)| self.may_start(f, hay, at))
        {
            memo.stack.push(Frame::Alt {
                inst,
                alt: (from + i) as u32,
                at: at as u32,
            });
        }
    }

    /// The end of the leftmost-first match that starts exactly at `start`
    /// (what an atomic group around the program would keep), if any.
    pub(crate) fn anchored_end(
        &self,
        memo: &mut ProgMemo,
        hay: &str,
        start: usize,
    ) -> Option<usize> {
        let bytes = hay.as_bytes();
        let width = bytes.len() + 1;
        memo.visited.prepare(self.rows * width);
        let mut slots = [None, None];
        memo.stack.clear();
        memo.stack.push(Frame::Step(self.start, start as u32));
        let found = self
            .run::<true>(memo, bytes, width, &mut slots, &|_, _| true, &mut 0)
            .unwrap_or(false);
        memo.visited.clear();
        if found {
            slots[1].map(|end| end.get())
        } else {
            None
        }
    }

    /// Runs the frames on the stack until a match (`true`), none is left
    /// (`false`), or without memo bits, the budget is spent (`None`).
    fn run<const MEMO: bool>(
        &self,
        memo: &mut ProgMemo,
        hay: &[u8],
        width: usize,
        slots: &mut [Option<NonMaxUsize>],
        guard: Guard<'_>,
        budget: &mut usize,
    ) -> Option<bool> {
        while let Some(frame) = memo.stack.pop() {
            if !MEMO {
                *budget = budget.checked_sub(1)?;
            }
            let (inst, at) = match frame {
                Frame::Step(inst, at) => (inst, at as usize),
                Frame::Restore(slot, old) => {
                    slots[slot as usize] = old;
                    continue;
                }
                Frame::Alt { inst, alt, at } => {
                    let Inst::Split { alts, .. } = &self.insts[inst as usize] else {
                        unreachable!()
                    };
                    let at = at as usize;
                    self.push_alt(memo, alts, inst, alt as usize + 1, hay, at);
                    (alts[alt as usize].0, at)
                }
                Frame::Greedy { inst, lo, hi } => {
                    let (lo, hi) = (lo as usize, hi as usize);
                    let Inst::Repeat { next, row, .. } = self.insts[inst as usize] else {
                        unreachable!()
                    };
                    if hi > lo {
                        memo.stack.push(Frame::Greedy {
                            inst,
                            lo: lo as u32,
                            hi: utf8::prev_boundary(hay, hi) as u32,
                        });
                    }
                    if !self.may_start(self.first_of[next as usize], hay, hi)
                        || !visit::<MEMO>(memo, row as usize + 1, hi, width)
                    {
                        continue;
                    }
                    (next, hi)
                }
                Frame::Lazy { inst, at, left } => {
                    let at = at as usize;
                    let Inst::Repeat {
                        set,
                        max,
                        next,
                        row,
                        ..
                    } = &self.insts[inst as usize]
                    else {
                        unreachable!()
                    };
                    let fresh = visit::<MEMO>(memo, *row as usize + 1, at, width);
                    if !fresh && *max == NONE {
                        // Everything from here on was tried before.
                        continue;
                    }
                    if left > 0 && at < hay.len() {
                        if let Some(len) = self.sets[*set as usize].step(hay, at) {
                            memo.stack.push(Frame::Lazy {
                                inst,
                                at: (at + len) as u32,
                                left: if *max == NONE { left } else { left - 1 },
                            });
                        }
                    }
                    if !fresh || !self.may_start(self.first_of[*next as usize], hay, at) {
                        continue;
                    }
                    (*next, at)
                }
            };
            if self.step::<MEMO>(memo, hay, width, slots, guard, inst, at, budget)? {
                return Some(true);
            }
        }
        Some(false)
    }

    /// Runs from `inst` at `at` until a dead end (`false`) or a match, or
    /// without memo bits, until the budget is spent (`None`).
    #[allow(clippy::too_many_arguments)]
    fn step<const MEMO: bool>(
        &self,
        memo: &mut ProgMemo,
        hay: &[u8],
        width: usize,
        slots: &mut [Option<NonMaxUsize>],
        guard: Guard<'_>,
        mut inst: u32,
        mut at: usize,
        budget: &mut usize,
    ) -> Option<bool> {
        loop {
            if !MEMO {
                *budget = budget.checked_sub(1)?;
            }
            match &self.insts[inst as usize] {
                Inst::Lit { bytes, next } => {
                    let end = at + bytes.len();
                    if end > hay.len() || !bytes.iter().zip(&hay[at..end]).all(|(a, b)| a == b) {
                        return Some(false);
                    }
                    at += bytes.len();
                    inst = *next;
                }
                Inst::Class { set, next } => {
                    if at >= hay.len() {
                        return Some(false);
                    }
                    match self.sets[*set as usize].step(hay, at) {
                        Some(len) => at += len,
                        None => return Some(false),
                    }
                    inst = *next;
                }
                Inst::Repeat {
                    set,
                    min,
                    max,
                    greedy,
                    next,
                    row,
                    possessive,
                } => {
                    if !visit::<MEMO>(memo, *row as usize, at, width) {
                        return Some(false);
                    }
                    let set = &self.sets[*set as usize];
                    for _ in 0..*min {
                        if at >= hay.len() {
                            return Some(false);
                        }
                        match set.step(hay, at) {
                            Some(len) => at += len,
                            None => return Some(false),
                        }
                    }
                    let left = if *max == NONE { u32::MAX } else { max - min };
                    if !*greedy {
                        memo.stack.push(Frame::Lazy {
                            inst,
                            at: at as u32,
                            left,
                        });
                        return Some(false);
                    }
                    let cont_row = *row as usize + 1;
                    let lo = at;
                    let unbounded = *max == NONE;
                    if MEMO && unbounded && is_set(memo, cont_row, lo, width) {
                        // Every position of this run was offered before.
                        return Some(false);
                    }
                    let hi = if set.bytewise && (unbounded || set.high == High::None) {
                        scan_bytes(memo, hay, set, cont_row * width, lo, left, unbounded, MEMO)
                    } else {
                        let mut hi = lo;
                        let mut count = 0u32;
                        while hi < hay.len() && count < left {
                            let Some(len) = set.step(hay, hi) else { break };
                            if MEMO && unbounded && is_set(memo, cont_row, hi + len, width) {
                                break;
                            }
                            hi += len;
                            count += 1;
                        }
                        hi
                    };
                    if !MEMO {
                        // A scan is work too: without memo bits nothing
                        // else stops runs from being rescanned from every
                        // start position.
                        *budget = budget.checked_sub(hi - lo)?;
                    } else if *possessive && unbounded && hi > lo + 1 {
                        // No continuation can start inside a possessive
                        // run (a member byte follows): its positions count
                        // as offered, so a later entry into the run stops
                        // at once instead of rescanning it.
                        let base = cont_row * width;
                        memo.visited.insert_range(base + lo + 1, base + hi - 1);
                    }
                    #[cfg(test)]
                    {
                        memo.scanned += hi - lo;
                    }
                    if hi > lo && !*possessive {
                        memo.stack.push(Frame::Greedy {
                            inst,
                            lo: lo as u32,
                            hi: utf8::prev_boundary(hay, hi) as u32,
                        });
                    }
                    if !self.may_start(self.first_of[*next as usize], hay, hi)
                        || !visit::<MEMO>(memo, cont_row, hi, width)
                    {
                        return Some(false);
                    }
                    inst = *next;
                    at = hi;
                }
                Inst::Split { alts, row } => {
                    if !visit::<MEMO>(memo, *row as usize, at, width) {
                        return Some(false);
                    }
                    let Some(i) = alts.iter().position(|&(_, f)| self.may_start(f, hay, at)) else {
                        return Some(false);
                    };
                    self.push_alt(memo, alts, inst, i + 1, hay, at);
                    inst = alts[i].0;
                }
                Inst::Save { slot, next } => {
                    let slot = *slot as usize;
                    let check = self.guards[slot];
                    if check != NONE && !guard(check, at) {
                        return Some(false);
                    }
                    if slot < slots.len() {
                        memo.stack.push(Frame::Restore(slot as u32, slots[slot]));
                        slots[slot] = NonMaxUsize::new(at);
                    }
                    inst = *next;
                }
                Inst::Look { look, next } => {
                    if !self.look(*look, hay, at) {
                        return Some(false);
                    }
                    inst = *next;
                }
                Inst::Match => return Some(true),
            }
        }
    }

    #[inline]
    fn look(&self, look: Look, hay: &[u8], at: usize) -> bool {
        if matches!(look, Look::WordUnicode | Look::WordUnicodeNegate) {
            let before = at.checked_sub(1).map(|i| hay[i]);
            let after = hay.get(at).copied();
            if before.is_none_or(|b| b < 0x80) && after.is_none_or(|b| b < 0x80) {
                let word =
                    |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
                let boundary = word(before) != word(after);
                return boundary == (look == Look::WordUnicode);
            }
            // Oniguruma's word characters, not regex-automata's.
            return crate::word::is_boundary(hay, at) == (look == Look::WordUnicode);
        }
        self.looks.matches(look, hay, at)
    }
}

/// Scans a run of `set` from `lo` (at most `left` bytes; `set` is
/// `bytewise`, and ASCII-only when bounded) and returns the last position to
/// offer: the run's end, or for an unbounded repeat the char before the first
/// position already offered (all later ones were offered too). Memo bits
/// (row at `base`) are checked per 64-byte chunk, so a scan costs its new
/// positions plus one chunk.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn scan_bytes(
    memo: &ProgMemo,
    hay: &[u8],
    set: &CharSet,
    base: usize,
    lo: usize,
    left: u32,
    unbounded: bool,
    use_memo: bool,
) -> usize {
    let limit = if unbounded {
        hay.len()
    } else {
        hay.len().min(lo.saturating_add(left as usize))
    };
    let mut q = lo;
    loop {
        let from = q;
        let chunk_end = limit.min(q + 64);
        q = set.bytes.run_end(hay, q, chunk_end);
        if use_memo && unbounded && q > from {
            if let Some(j) = memo.visited.first_in(base + from + 1, base + q) {
                return utf8::prev_boundary(hay, j - base);
            }
        }
        if q < chunk_end || q >= limit {
            return q;
        }
    }
}

#[inline(always)]
fn is_set(memo: &ProgMemo, row: usize, at: usize, width: usize) -> bool {
    memo.visited.contains(row * width + at)
}

/// Marks (row, position); `false` if it already was. Without memo bits
/// (`MEMO` false), always `true`.
#[inline(always)]
fn visit<const MEMO: bool>(memo: &mut ProgMemo, row: usize, at: usize, width: usize) -> bool {
    !MEMO || memo.visited.insert(row * width + at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex_automata::nfa::thompson::pikevm::PikeVM;
    use regex_automata::util::syntax;

    fn config() -> syntax::Config {
        crate::compile::relaxed_syntax()
    }

    /// The program's captures, or `None` when nothing matches.
    fn run(pattern: &str, hay: &str) -> Option<Vec<Option<usize>>> {
        let hir = syntax::parse_with(pattern, &config()).unwrap();
        let prog = Prog::new(&hir).unwrap();
        let slot_len = 2 * (hir.properties().explicit_captures_len() + 1);
        let spans = |slots: &[Option<NonMaxUsize>]| -> Vec<Option<usize>> {
            slots.iter().map(|s| s.map(|v| v.get())).collect()
        };
        // One pass of a search, to its end: with memo bits or without
        // (under a budget large for these texts, though an empty loop
        // spends any, and then `None`).
        let pass = |memo_bits: bool| {
            let mut memo = ProgMemo::default();
            memo.visited.prepare(prog.rows * (hay.len() + 1));
            let mut slots = vec![None; slot_len];
            let guard: Guard<'_> = &|_, _| true;
            let mut budget = 100_000;
            let found = if memo_bits {
                prog.search_from_each_start::<true>(&mut memo, hay, &mut slots, guard, &mut budget)
            } else {
                prog.search_from_each_start::<false>(&mut memo, hay, &mut slots, guard, &mut budget)
            };
            found.map(|found| found.then(|| spans(&slots)))
        };
        let with_memo = pass(true).unwrap();
        if let Some(without) = pass(false) {
            assert_eq!(without, with_memo, "{pattern:?} on {hay:?}");
        }
        let mut slots = vec![None; slot_len];
        let found = prog.search(&mut ProgMemo::default(), hay, &mut slots, &|_, _| true);
        assert_eq!(found.then(|| spans(&slots)), with_memo);
        // The tagged DFA, twice: building its states, then from its cache.
        let tdfa = Tdfa::new(&prog, |_| GuardRule::Deferred).unwrap();
        let mut cache = TdfaCache::default();
        for _ in 0..2 {
            match tdfa.search(&prog, &mut cache, hay, &|_, _| true, &mut |_| true) {
                Outcome::Found(view) => {
                    let slots = view.to_vec(slot_len);
                    assert_eq!(Some(spans(&slots)), with_memo, "{pattern:?} on {hay:?}")
                }
                Outcome::NotFound => assert_eq!(None, with_memo, "{pattern:?} on {hay:?}"),
                Outcome::GaveUp => assert!(!hay.is_ascii(), "{pattern:?} on {hay:?}"),
            }
        }
        with_memo
    }

    /// regex-automata's PikeVM on the same pattern: the reference.
    fn reference(pattern: &str, hay: &str) -> Option<Vec<Option<usize>>> {
        let vm = PikeVM::builder().syntax(config()).build(pattern).unwrap();
        let mut cache = vm.create_cache();
        let mut caps = vm.create_captures();
        vm.captures(&mut cache, hay, &mut caps);
        caps.is_match().then(|| {
            (0..caps.group_len())
                .flat_map(|g| match caps.get_group(g) {
                    Some(span) => [Some(span.start), Some(span.end)],
                    None => [None, None],
                })
                .collect()
        })
    }

    #[test]
    fn what_may_follow_a_group_is_the_first_bytes_of_the_rest() {
        let never = |pattern: &str, slot: usize, bytes: &str| {
            let hir = syntax::parse_with(pattern, &config()).unwrap();
            let mut set = [false; 256];
            for b in bytes.bytes() {
                set[usize::from(b)] = true;
            }
            Prog::new(&hir).unwrap().never_followed_by(slot, &set)
        };
        // Group 1 ends at slot 3.
        assert!(never("([0-9]+) [a-z]", 3, "0123456789."));
        assert!(never("(?:([0-9]+),)+;", 3, "0123456789."));
        // Past a look-around or an empty group, the bytes after them.
        assert!(never(r"([0-9]+)\b()(?:x|y)", 3, "0123456789"));
        assert!(!never(r"([0-9]+)\b()(?:x|y|1)", 3, "0123456789"));
        // An optional `.`, a repeat that may be empty, the end of the
        // pattern: any of them lets the group be followed by what it rules out.
        assert!(!never(r"([0-9]+)\.?x", 3, "."));
        assert!(!never(r"([0-9]+)x*[.]", 3, "."));
        assert!(!never("([0-9]+)", 3, "0"));
        // No save of the slot at all.
        assert!(!never("[0-9]+", 3, "0"));
    }

    #[test]
    fn runs_of_members_end_at_the_first_byte_outside_the_set() {
        let hay = b"ab,cd;ef\ngh";
        for outside in [&b""[..], b"\n", b",\n", b",;\n", b",;\nx"] {
            let mut set = ByteSet::ALL;
            for &b in outside {
                set.0[usize::from(b >> 6)] &= !(1 << (b & 63));
            }
            let table = ByteTable::new(&set);
            assert_eq!(table.outside.is_some(), outside.len() <= 3);
            for from in 0..=hay.len() {
                for limit in from..=hay.len() {
                    let expected = (from..limit)
                        .find(|&i| outside.contains(&hay[i]))
                        .unwrap_or(limit);
                    assert_eq!(table.run_end(hay, from, limit), expected);
                }
            }
        }
    }

    #[test]
    fn the_budget_without_memo_bits_counts_scanned_bytes() {
        // Unanchored, `[a-z]+[0-9]` rescans the rest of a run of `a`s from every
        // start: a few steps each, but quadratic bytes. The pass without
        // memo bits must give up within its budget, not finish the scan.
        let prog = Prog::new(&syntax::parse_with(r"[a-z]+[0-9]", &config()).unwrap()).unwrap();
        let hay = "a".repeat(4000);
        let mut slots = vec![None; 2];
        let mut budget = OPTIMISTIC_STEPS + OPTIMISTIC_STEPS_PER_BYTE * hay.len();
        let found = prog.search_from_each_start::<false>(
            &mut ProgMemo::default(),
            &hay,
            &mut slots,
            &|_, _| true,
            &mut budget,
        );
        assert_eq!(found, None);
        let found = prog.search(&mut ProgMemo::default(), &hay, &mut slots, &|_, _| true);
        assert!(!found);
    }

    #[test]
    fn memo_bits_keep_possessive_runs_from_being_rescanned() {
        // The same shape with memo bits: each later start must stop inside
        // the run it already scanned, so the bytes scanned stay linear.
        let prog = Prog::new(&syntax::parse_with(r"[a-z]+[0-9]", &config()).unwrap()).unwrap();
        for n in [1000, 4000] {
            let hay = "a".repeat(n);
            let mut memo = ProgMemo::default();
            memo.visited.prepare(prog.rows * (n + 1));
            let mut slots = vec![None; 2];
            let found = prog.search_from_each_start::<true>(
                &mut memo,
                &hay,
                &mut slots,
                &|_, _| true,
                &mut 0,
            );
            assert_eq!(found, Some(false));
            assert!(
                memo.scanned <= 2 * n,
                "{} bytes scanned for {n}",
                memo.scanned
            );
        }
    }

    #[test]
    fn agrees_with_the_pikevm_on_grok_shapes() {
        let cases = [
            (r"(\d+)\.(\d+)", "v 10.25 x"),
            (r#""((?:\\.|[^\\"]+)+)""#, r#"say "a \"b\" c" now"#),
            (r"(\S+) (\S+)(?: HTTP/(\d+))?", "GET /a?b HTTP/1"),
            (r"(.*?)-(.*)", "a-b-c"),
            (r"([a-z]{2,4})([a-z]*)", "abcdefg"),
            (r"\b(\w+)\b", "  héllo wörld"),
            (r"(a*)*b", "aaab"),
            (r"(a|ab)(c|bcd)(d*)", "abcd"),
            (r"([^ ]+) é+ (.+)$", "x éé ü"),
            (r"(?:x{0,3}y){2}", "xxyxy"),
            (r"^(a+?)(a*)$", "aaaa"),
        ];
        for (pattern, hay) in cases {
            assert_eq!(
                run(pattern, hay),
                reference(pattern, hay),
                "{pattern:?} on {hay:?}"
            );
        }
        assert_eq!(
            run(r"(\d+)\.(\d+)", "v 10.25 x"),
            Some(vec![Some(2), Some(7), Some(2), Some(4), Some(5), Some(7)])
        );
    }

    fn atom() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("a".to_string()),
            Just("b".to_string()),
            Just("é".to_string()),
            Just("[ab]".to_string()),
            Just("[^a]".to_string()),
            Just(".".to_string()),
            Just(r"\b".to_string()),
            Just("^".to_string()),
            Just("$".to_string()),
            Just(r"\w".to_string()),
        ]
    }

    fn regex() -> impl Strategy<Value = String> {
        atom().prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..4).prop_map(|v| v.concat()),
                prop::collection::vec(inner.clone(), 2..4)
                    .prop_map(|v| format!("(?:{})", v.join("|"))),
                inner.clone().prop_map(|r| format!("({r})")),
                (inner, 0..8usize).prop_map(|(r, op)| {
                    let op = ["*", "+", "?", "*?", "+?", "{1,3}", "{2}", "{0,2}?"][op];
                    format!("(?:{r}){op}")
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn agrees_with_the_pikevm(pattern in regex(), hay in "[abé -]{0,12}") {
            prop_assert_eq!(run(&pattern, &hay), reference(&pattern, &hay), "{:?} on {:?}", pattern, hay);
        }

        #[test]
        fn agrees_with_the_pikevm_on_ascii(pattern in regex(), hay in "[ab -]{0,16}") {
            prop_assert_eq!(run(&pattern, &hay), reference(&pattern, &hay), "{:?} on {:?}", pattern, hay);
        }
    }
}
