//! A lazily built tagged DFA over the program: the captures of an ASCII line
//! in one deterministic pass, a table lookup per byte.
//!
//! A state is what a PikeVM would hold between two bytes: the threads in
//! priority order, each at an instruction (with a count for repeats and an
//! offset into literals), plus the captures of the best match found so far.
//! Capture values live in registers. A state names, for each thread and
//! slot, which register holds the value (so states that differ only in the
//! values are one state). A register keeps its number for as long as some
//! thread holds it, so a transition never copies one: it at most writes
//! the position into one free register, which every slot that takes the
//! position on that byte then names.
//!
//! The threads are closed (their epsilon moves followed) on the transition,
//! once the next byte is known, so look-arounds see both neighbours: the
//! previous byte's class is part of the state. Zero-width checks that look
//! at one neighbouring char are decided in the closure; other checks are
//! verified on the match afterwards (when they hold, the match is the one
//! that enforcing them would find, since it is the best of a superset).
//!
//! The states are built once for every thread: a [`Tdfa`] keeps them,
//! under a lock taken only to build or look up a transition a thread has
//! not met yet, and each thread walks its own copy of the transitions it
//! has met (its [`TdfaCache`]), so the byte loop takes no lock and two
//! threads never build the same transition twice.
//!
//! The search is anchored at each start in turn, like the program's, under
//! the same linear budget; it gives up (the caller runs the program) on a
//! non-ASCII byte, past the budget, when a check fails, or when the states
//! outgrow the cache.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use regex_automata::util::primitives::NonMaxUsize;

use super::{find_any, Inst, Prog, NONE, OPTIMISTIC_STEPS, OPTIMISTIC_STEPS_PER_BYTE};
use crate::backtrack::Guard;
use crate::slots::{live_pairs, SlotView, TAIL_REG};
use crate::swar;

/// Most states one cache holds before it starts again.
const MAX_STATES: usize = 4096;
/// Most registers one state may use.
const MAX_REGS: usize = 1024;
/// Cache restarts after which a cache stops trying (the patterns' states
/// do not fit it).
const MAX_RESTARTS: u32 = 8;
/// Register value "not set": past every register, so reading it as an
/// index finds nothing.
const UNSET: u16 = u16::MAX;
const _: () = assert!(UNSET as usize >= MAX_REGS && TAIL_REG as usize >= MAX_REGS);
/// Transition not built yet.
const UNKNOWN: u32 = u32::MAX;
/// Marks a transition that needs more than a table lookup and a position
/// write: a loop that may skip, a dead end, a tail, or the end of the
/// attempt (see [`TdfaCache::slow`]).
const SLOW: u32 = 1 << 31;
/// The register a plain transition with no position to write writes to:
/// past every real register, and never named by a slot.
const NO_WRITE: u16 = MAX_REGS as u16;
/// A plain transition packs the next state (premultiplied) in its low
/// `STATE_BITS` bits and the register it writes above them, below
/// [`SLOW`]: one load per byte, and a row of the table in fewer cache
/// lines than with the registers in a table of their own.
const STATE_BITS: u32 = 20;
const STATE_MASK: u32 = (1 << STATE_BITS) - 1;
/// Mask of a plain transition's register once shifted down: the byte
/// loop's index into the registers, which it sizes to this many plus one
/// so that the index needs no bounds check.
const WRITE_MASK: u32 = (SLOW >> STATE_BITS) - 1;
// Every state id (at most 128 classes plus two per state) fits the state
// bits, and every register, `NO_WRITE` included, the bits above.
const _: () = assert!(MAX_STATES * (128 + 2) <= 1 << STATE_BITS);
const _: () = assert!(NO_WRITE as u32 <= WRITE_MASK);

/// A plain transition to `next` that writes the position to `write`.
fn plain_transition(next: u32, write: u16) -> u32 {
    debug_assert!(next <= STATE_MASK);
    next | u32::from(write) << STATE_BITS
}

/// What a guarded slot's check is, as far as the tagged DFA is concerned.
#[derive(Clone, Debug)]
pub(crate) enum GuardRule {
    /// A one-char look-around, decided in the closure: whether the char
    /// ahead of (or behind) the slot's position is in `ascii` (a missing
    /// char is not), negated if `negate`.
    Char {
        ahead: bool,
        negate: bool,
        ascii: [bool; 128],
    },
    /// Anything else: verified on the match (not allowed inside a loop).
    Deferred,
}

/// Byte classes and guard rules, built once per program, and the states
/// built so far, shared by every thread; each thread searches with a
/// [`TdfaCache`] of its own.
#[derive(Debug)]
pub(crate) struct Tdfa {
    /// Class of each byte; non-ASCII bytes are in class `quit`, which ends
    /// the attempt.
    class_of: [u8; 256],
    /// A byte of each class below `quit`.
    reps: Vec<u8>,
    quit: usize,
    /// Look-behind class of each ASCII byte; `behind_reps.len() - 1` is the
    /// start of the text.
    behind_of: [u8; 128],
    behind_reps: Vec<Option<u8>>,
    /// Per instruction: whether a thread there may read the char behind
    /// before its next byte (its epsilon moves reach a look-around or a
    /// look-behind guard). A state none of whose threads may is built with
    /// look-behind class 0, so runs of mixed chars (`\S+` over letters and
    /// punctuation) stay in one state.
    reads_behind: Box<[bool]>,
    /// Transitions per state: one per class, then `quit`, then end of
    /// text.
    stride: usize,
    /// Per slot: `None` or the check index and its rule.
    rules: Box<[Option<(u32, GuardRule)>]>,
    /// Slots whose checks are verified on the match.
    deferred: Box<[(usize, u32)]>,
    /// The states and transitions built so far, by any thread.
    built: Mutex<Built>,
}

/// The states of a [`Tdfa`] and the transitions built so far, numbered
/// alike for every thread; a thread's [`TdfaCache`] copies what it meets.
#[derive(Default)]
struct Built {
    /// How many times the states were dropped for outgrowing
    /// [`MAX_STATES`]: their generation. A cache of an older generation
    /// starts again.
    restarts: u32,
    /// Shared with the threads building a transition from the state
    /// outside the lock.
    keys: Vec<Arc<Key>>,
    /// The last state (by number) whose key has a given hash; each state's
    /// predecessor with the same hash is in `same_hash` (`UNKNOWN`: none).
    /// A state's key is stored once, in `keys`.
    ids: FastMap<u64, u32>,
    same_hash: Vec<u32>,
    /// Transitions, `stride` per state, as in [`TdfaCache::trans`]; a slow
    /// one indexes `slow`, which every cache copies whole.
    trans: Vec<u32>,
    slow: Vec<Slow>,
    /// Start state per look-behind class (premultiplied).
    starts: Vec<u32>,
    /// Per state, its [`Tail`] if it has one.
    tails: Vec<Option<Arc<Tail>>>,
}

impl fmt::Debug for Built {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Built")
            .field("restarts", &self.restarts)
            .field("states", &self.keys.len())
            .field("slow", &self.slow.len())
            .finish_non_exhaustive()
    }
}

impl Built {
    /// Drops every state (the cache outgrew [`MAX_STATES`]).
    fn restart(&mut self) {
        self.keys.clear();
        self.ids.clear();
        self.same_hash.clear();
        self.trans.clear();
        self.slow.clear();
        self.starts.clear();
        self.tails.clear();
        self.restarts = self.restarts.saturating_add(1);
    }
}

/// One state's identity.
struct Key {
    behind: u8,
    /// The best match so far (`None`: no match).
    matched: Option<Arc<Matched>>,
    /// Threads: instruction and count, in priority order.
    threads: Box<[(u32, u32)]>,
    /// Registers of each thread's slots, `threads.len() * slots`.
    regs: Box<[u16]>,
}

/// A state's identity, borrowed: what a transition being built is looked
/// up by, so that only a new state copies it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct KeyRef<'a> {
    behind: u8,
    matched: Option<&'a [u16]>,
    threads: &'a [(u32, u32)],
    regs: &'a [u16],
}

/// The best match a state has found: where its slots are.
struct Matched {
    /// Register of each slot.
    regs: Box<[u16]>,
    /// The pairs of `regs` that may be set (see [`live_pairs`]).
    live: Box<[u32]>,
}

impl Key {
    fn borrowed(&self) -> KeyRef<'_> {
        KeyRef {
            behind: self.behind,
            matched: self.matched.as_deref().map(|m| &m.regs[..]),
            threads: &self.threads,
            regs: &self.regs,
        }
    }
}

impl KeyRef<'_> {
    fn hash(&self) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut hasher = rustc_hash::FxBuildHasher.build_hasher();
        Hash::hash(self, &mut hasher);
        hasher.finish()
    }

    fn to_owned(self) -> Key {
        Key {
            behind: self.behind,
            matched: self.matched.map(|m| {
                Arc::new(Matched {
                    regs: m.into(),
                    live: live_pairs(m, UNSET),
                })
            }),
            threads: self.threads.into(),
            regs: self.regs.into(),
        }
    }
}

/// The rest of a transition marked [`SLOW`].
#[derive(Clone, Copy)]
struct Slow {
    /// The next state (premultiplied by the stride).
    next: u32,
    /// The register the position is written to (`UNSET`: none).
    pos: u16,
    /// What else the transition does, [`Slow::STOP`] and the rest (never
    /// 0: a position write alone is a plain transition, see
    /// [`plain_transition`]).
    flags: u8,
}

impl Default for Slow {
    fn default() -> Slow {
        Slow {
            next: 0,
            pos: UNSET,
            flags: 0,
        }
    }
}

impl Slow {
    /// The attempt ends: the next state has no threads left, or this is
    /// the end of the text.
    const STOP: u8 = 1;
    /// The next state is a [`Tail`].
    const TAIL: u8 = 2;
    /// A loop back to the same state with no position write: it may skip a
    /// whole run of such bytes (see [`Skip`]).
    const SKIP: u8 = 4;
}

/// Most bytes that may leave a state for it to skip runs: a state that
/// stays put on all but a few ASCII bytes (`\S+`, `[^"]+`, `.*?"`) reads
/// long runs.
const MAX_EXITS: usize = 8;
/// Skips a state makes before judging whether they pay.
const SKIP_TRIAL: u32 = 32;
/// Shortest average run (bytes) for which skipping beats the table walk.
const SKIP_MIN_RUN: u32 = 8;
/// Largest exit byte + 1 for which [`Skip::Below`] is used.
const BELOW_LIMIT: u8 = 0x40;

/// How a state skips the run of bytes on which it loops to itself.
#[derive(Clone, Debug)]
enum Skip {
    /// Not decided yet (decided the first time a loop byte is read).
    Unknown,
    /// Too many ways out: the state walks the table byte by byte.
    Never,
    /// The run ends at the first exit byte or non-ASCII byte; at most
    /// three exits, found with `memchr`.
    Memchr(Box<[u8]>),
    /// Every exit byte is below `bound`: eight bytes at a time, looking
    /// for one below `bound` or at or above 0x80, then `exits` decides.
    Below { bound: u8, exits: Box<[bool; 128]> },
}

impl Skip {
    /// Where the run that `from` starts ends: the first exit or non-ASCII
    /// byte at or after `from`, or the end of `bytes`.
    fn run_end(&self, bytes: &[u8], from: usize) -> usize {
        match self {
            Skip::Unknown | Skip::Never => from,
            Skip::Memchr(exits) => {
                let found = find_any(exits, &bytes[from..]);
                let end = found.map_or(bytes.len(), |n| from + n);
                let run = &bytes[from..end];
                if run.is_ascii() {
                    end
                } else {
                    from + run.iter().take_while(|b| b.is_ascii()).count()
                }
            }
            Skip::Below { bound, exits } => {
                let mut at = from;
                loop {
                    while let Some(word) = bytes.get(at..).and_then(|r| r.first_chunk::<8>()) {
                        let flagged = swar::below_or_non_ascii(u64::from_le_bytes(*word), *bound);
                        if flagged != 0 {
                            at += (flagged.trailing_zeros() / 8) as usize;
                            break;
                        }
                        at += 8;
                    }
                    match bytes.get(at) {
                        None => return bytes.len(),
                        Some(&b) if b >= 0x80 || exits[usize::from(b)] => return at,
                        Some(_) => at += 1,
                    }
                }
            }
        }
    }
}

/// Per-thread state of a [`Tdfa`]: its own copy of the transitions the
/// thread has met (states are numbered as in the [`Tdfa`]'s [`Built`]),
/// and the registers of a search.
#[derive(Default)]
pub(crate) struct TdfaCache {
    /// The generation ([`Built::restarts`]) the copy is of.
    restarts: u32,
    /// Buffers the closure of a transition reuses.
    closure: Closure,
    /// Transitions, `stride` per state: a plain one is the next state
    /// premultiplied by the stride and the register it writes the position
    /// to, [`NO_WRITE`] if none (see [`plain_transition`]); the byte loop
    /// writes it unconditionally, so a transition that only writes a
    /// position needs no branch out of the loop (whose misprediction cost
    /// more than the store). With [`SLOW`] set, the index of its [`Slow`]
    /// in `slow` (`UNKNOWN`: not built).
    trans: Vec<u32>,
    /// The slow transitions, in the order they were built (a copy of
    /// [`Built::slow`] as far as the thread has looked): those a line
    /// takes are mostly built together, so they share cache lines.
    slow: Vec<Slow>,
    /// Start state per look-behind class (premultiplied).
    starts: Vec<u32>,
    /// Per state, its [`Tail`] if it has one.
    tails: Vec<Option<Arc<Tail>>>,
    /// Per state, the best match it has found, if any.
    matched: Vec<Option<Arc<Matched>>>,
    /// Per state, how it skips its loop bytes, and during its trial, how
    /// many runs it skipped and their bytes.
    skips: Vec<(Skip, u32, u32)>,
    /// The registers' positions, in the form the output slots take (so a
    /// match's [`SlotView`] reads them as they are). Indexing past the
    /// end, as `UNSET` does, reads as unset. From the first search on it
    /// reaches [`WRITE_MASK`] (so the byte loop's index needs no bounds
    /// check); entry [`NO_WRITE`] takes the writes of transitions with no
    /// register (no slot names it).
    regs: Vec<Option<NonMaxUsize>>,
}

impl TdfaCache {
    /// Drops the copy, which is of an older generation than `built`'s.
    fn start_again(&mut self, built: &Built) {
        self.trans.clear();
        self.slow.clear();
        self.starts.clear();
        self.tails.clear();
        self.matched.clear();
        self.skips.clear();
        self.restarts = built.restarts;
    }

    /// Copies what `built` has that the copy lacks: the states built
    /// since (their transitions not known yet), and the slow transitions.
    fn catch_up(&mut self, built: &Built, stride: usize) {
        let known = self.tails.len();
        if known == built.tails.len() && self.slow.len() == built.slow.len() {
            return;
        }
        for (key, tail) in built.keys[known..].iter().zip(&built.tails[known..]) {
            self.tails.push(tail.clone());
            self.matched.push(key.matched.clone());
            self.skips.push((Skip::Unknown, 0, 0));
        }
        self.trans.resize(self.tails.len() * stride, UNKNOWN);
        self.slow.extend_from_slice(&built.slow[self.slow.len()..]);
    }
}

/// A set of register numbers (below [`MAX_REGS`]) as a bitset: building a
/// transition collects every register its threads keep (a thousand or more
/// for SSHLINE's 206 slots), with no hashing or allocation.
struct RegSet([u64; MAX_REGS / 64]);

impl Default for RegSet {
    fn default() -> RegSet {
        RegSet([0; MAX_REGS / 64])
    }
}

impl RegSet {
    /// Inserts the registers among `regs`, skipping `UNSET` and `POS`.
    /// Most are `UNSET` (a thread's slots outside its alternative), so runs
    /// of 16 with none below `MAX_REGS` (one vectorised minimum) are
    /// skipped whole.
    fn insert_all(&mut self, regs: &[u16]) {
        for chunk in regs.chunks(16) {
            if chunk.iter().copied().fold(u16::MAX, u16::min) as usize >= MAX_REGS {
                continue;
            }
            for &r in chunk {
                self.insert(r);
            }
        }
    }

    fn insert(&mut self, r: u16) {
        let r = usize::from(r);
        if let Some(word) = self.0.get_mut(r / 64) {
            *word |= 1 << (r % 64);
        }
    }

    /// The lowest register not in the set, if any is left.
    fn first_free(&self) -> Option<u16> {
        let (i, word) = self.0.iter().enumerate().find(|(_, w)| **w != u64::MAX)?;
        Some((i * 64 + word.trailing_ones() as usize) as u16)
    }

    /// The highest register in the set.
    fn last(&self) -> Option<u16> {
        let (i, word) = self.0.iter().enumerate().rev().find(|(_, w)| **w != 0)?;
        Some((i * 64 + 63 - word.leading_zeros() as usize) as u16)
    }
}

/// A state whose one thread is a greedy unbounded repeat followed by
/// nothing but the end of the match (`%{GREEDYDATA:message}` at the end of
/// a pattern): its match ends where the run of the repeat's chars ends, so
/// the rest of the line is scanned, not walked through the table (where
/// every byte would record a new match).
struct Tail {
    set: u32,
    /// Register of each slot of the match: the thread's, except that the
    /// slots saved between the run and the match read [`TAIL_REG`], the
    /// run's end.
    map: Box<[u16]>,
    /// The pairs of `map` that may be set (see [`live_pairs`]).
    live: Box<[u32]>,
}

/// For each instruction of `prog`, whether its epsilon moves may reach an
/// instruction that reads the char behind: a look-around, or a save guarded
/// by a look-behind rule. Repeats are taken to be past their minimum, an
/// over-approximation.
fn reads_behind(prog: &Prog, rules: &[Option<(u32, GuardRule)>]) -> Box<[bool]> {
    let n = prog.insts.len();
    let mut reads = vec![false; n];
    let mut into: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut work = Vec::new();
    for (i, inst) in prog.insts.iter().enumerate() {
        let (reads_here, next): (bool, &[u32]) = match inst {
            Inst::Lit { bytes, next } if bytes.is_empty() => (false, std::slice::from_ref(next)),
            Inst::Lit { .. } | Inst::Class { .. } | Inst::Match => (false, &[]),
            Inst::Repeat { next, .. } => (false, std::slice::from_ref(next)),
            Inst::Split { alts, .. } => {
                for &(alt, _) in alts.iter() {
                    into[alt as usize].push(i as u32);
                }
                (false, &[])
            }
            Inst::Save { slot, next } => {
                let behind = matches!(
                    rules.get(*slot as usize),
                    Some(Some((_, GuardRule::Char { ahead: false, .. })))
                );
                (behind, std::slice::from_ref(next))
            }
            Inst::Look { .. } => (true, &[]),
        };
        for &to in next {
            into[to as usize].push(i as u32);
        }
        if reads_here {
            reads[i] = true;
            work.push(i as u32);
        }
    }
    while let Some(i) = work.pop() {
        for &from in &into[i as usize] {
            if !reads[from as usize] {
                reads[from as usize] = true;
                work.push(from);
            }
        }
    }
    reads.into()
}

/// Where an attempt stopped.
struct Stop {
    /// The last state (premultiplied).
    state: u32,
    at: usize,
    /// The end of the match when the attempt ended in a [`Tail`].
    tail: Option<usize>,
}

/// How a search ended.
#[derive(Debug)]
pub(crate) enum Outcome<'c> {
    /// A match, its slots read from the registers it left.
    Found(SlotView<'c>),
    NotFound,
    /// Undecided: run the program.
    GaveUp,
}

/// Maps and sets keyed by states and registers, which are built here, not
/// taken from input: a fast multiplicative hash is enough.
type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;
type FastSet<K> = rustc_hash::FxHashSet<K>;

/// The register value, while a transition is built, that stands for the
/// position of the byte read: past every register, and never in a state.
const POS: u16 = u16::MAX - 2;
const _: () = assert!(POS as usize >= MAX_REGS && POS != TAIL_REG && POS != UNSET);

/// What a transition does besides reaching the state its closure
/// describes.
#[derive(Clone, Copy)]
struct Step {
    /// The next state's look-behind class.
    behind: u8,
    /// The register the position goes to (`UNSET`: none).
    pos: u16,
    /// No thread is left.
    dead: bool,
    /// The transition is on the end of the text.
    end: bool,
}

/// The neighbours a closure sees.
#[derive(Clone, Copy)]
struct Context {
    prev: Option<u8>,
    next: Option<u8>,
}

enum Frame {
    Explore(u32, u32),
    Restore(usize, u16),
    /// A consuming thread found by a lazy repeat, emitted after its exit.
    Emit(u32, u32),
}

/// A closure and a step over the next byte, in buffers kept from one
/// transition to the next. Registers are the old state's numbers, `UNSET`
/// or [`POS`].
#[derive(Default)]
struct Closure {
    /// The threads left: instruction and count, in priority order, the
    /// first to reach each kept.
    threads: Vec<(u32, u32)>,
    /// Their registers, `slots` each.
    vals: Vec<u16>,
    /// The registers of the match the closure reached, if `found_match`.
    matched: Vec<u16>,
    found_match: bool,
    taken: FastSet<(u32, u32)>,
    seen: FastSet<(u32, u32)>,
    stack: Vec<Frame>,
    regs: Vec<u16>,
    /// The slots of `regs` that hold [`POS`], in the order their saves
    /// were met (each [`Frame::Restore`] undoes the last).
    pos_slots: Vec<u16>,
    /// Where `vals` holds [`POS`]: what naming the position rewrites,
    /// instead of scanning every thread's slots.
    vals_pos: Vec<u32>,
    /// The slots of `matched` that hold [`POS`] (what `pos_slots` held
    /// when the match was reached).
    matched_pos: Vec<u16>,
}

impl Closure {
    /// The key of the state the closure reached.
    fn key(&self, behind: u8) -> KeyRef<'_> {
        KeyRef {
            behind,
            matched: self.found_match.then_some(&self.matched[..]),
            threads: &self.threads,
            regs: &self.vals,
        }
    }

    fn clear(&mut self) {
        self.threads.clear();
        self.vals.clear();
        self.matched.clear();
        self.found_match = false;
        self.taken.clear();
        self.seen.clear();
        self.stack.clear();
        self.pos_slots.clear();
        self.vals_pos.clear();
        self.matched_pos.clear();
    }

    /// Sets `slot` of the thread being explored to [`POS`], to be undone by
    /// the [`Frame::Restore`] pushed here.
    fn save_pos(&mut self, slot: usize) {
        self.stack.push(Frame::Restore(slot, self.regs[slot]));
        self.regs[slot] = POS;
        self.pos_slots.push(slot as u16);
    }

    fn restore(&mut self, slot: usize, value: u16) {
        self.regs[slot] = value;
        self.pos_slots.pop();
    }

    /// The match of the thread being explored: its registers.
    fn record_match(&mut self) {
        self.matched.extend_from_slice(&self.regs);
        self.matched_pos.extend_from_slice(&self.pos_slots);
        self.found_match = true;
    }

    /// Names the position `reg` wherever a thread or the match took it;
    /// returns whether any did.
    fn name_pos(&mut self, reg: u16) -> bool {
        for &at in &self.vals_pos {
            self.vals[at as usize] = reg;
        }
        for &slot in &self.matched_pos {
            self.matched[usize::from(slot)] = reg;
        }
        !self.vals_pos.is_empty() || !self.matched_pos.is_empty()
    }

    /// A thread the closure found at a consuming instruction, with the
    /// registers in `self.regs`: stepped over the next byte and kept if it
    /// survives and no thread before it reached the same place. Dead
    /// threads are dropped here, before their registers are copied
    /// (SSHLINE's start has hundreds, most dying on the first byte); at the
    /// end of the text every thread dies.
    fn consume(&mut self, prog: &Prog, inst: u32, count: u32, context: Context) {
        let Some(b) = context.next else { return };
        if let Some(t) = step(prog, inst, count, b) {
            self.keep(t);
        }
    }

    /// Keeps thread `t` with the registers in `self.regs`, unless a thread
    /// before it reached the same place.
    fn keep(&mut self, t: (u32, u32)) {
        if self.taken.insert(t) {
            self.threads.push(t);
            let row = self.vals.len() as u32;
            self.vals_pos
                .extend(self.pos_slots.iter().map(|&slot| row + u32::from(slot)));
            self.vals.extend_from_slice(&self.regs);
        }
    }
}

impl Tdfa {
    /// The tagged DFA of `prog`; `rule` says how each check a slot guards
    /// is decided. `None` when a guard cannot be handled (a check that is
    /// not one char and sits in a loop).
    pub(crate) fn new(prog: &Prog, rule: impl Fn(u32) -> GuardRule) -> Option<Tdfa> {
        let slots = prog.guards.len();
        let mut rules = vec![None; slots];
        let mut deferred = Vec::new();
        for (slot, &check) in prog.guards.iter().enumerate() {
            if check == NONE {
                continue;
            }
            let r = rule(check);
            if matches!(r, GuardRule::Deferred) {
                if prog.in_loop.get(slot).copied().unwrap_or(true) {
                    return None;
                }
                deferred.push((slot, check));
            }
            rules[slot] = Some((check, r));
        }
        // Bytes are in one class when every set, literal and look-around
        // treats them alike; the look-behind classes only need the last.
        let mut ahead: Vec<u128> = Vec::new();
        let mut behind: Vec<u128> = Vec::new();
        let word = mask_of(|b| b.is_ascii_alphanumeric() || b == b'_');
        let newline = mask_of(|b| b == b'\n' || b == b'\r');
        let carriage = mask_of(|b| b == b'\r');
        for inst in &prog.insts {
            match inst {
                Inst::Lit { bytes, .. } => {
                    // A non-ASCII byte is in class `quit` whatever it is.
                    ahead.extend(bytes.iter().filter(|&&b| b < 0x80).map(|&b| 1u128 << b));
                }
                Inst::Class { set, .. } | Inst::Repeat { set, .. } => {
                    let [low, high] = prog.sets[*set as usize].ascii;
                    ahead.push(u128::from(low) | u128::from(high) << 64);
                }
                Inst::Look { .. } => {
                    for table in [word, newline, carriage] {
                        ahead.push(table);
                        behind.push(table);
                    }
                }
                _ => {}
            }
        }
        for (_, r) in rules.iter().flatten() {
            if let GuardRule::Char {
                ahead: a, ascii, ..
            } = r
            {
                let mask = mask_of(|b| ascii[usize::from(b)]);
                if *a {
                    ahead.push(mask);
                } else {
                    behind.push(mask);
                }
            }
        }
        ahead.extend(behind.iter().copied());
        let (classes, reps) = partition(&ahead);
        let (behind_classes, behind_reps) = partition(&behind);
        let quit = reps.len();
        let mut class_of = [quit as u8; 256];
        class_of[..128].copy_from_slice(&classes);
        let mut behind_reps: Vec<Option<u8>> = behind_reps.into_iter().map(Some).collect();
        behind_reps.push(None);
        let reads_behind = reads_behind(prog, &rules);
        Some(Tdfa {
            class_of,
            reads_behind,
            stride: quit + 2,
            quit,
            reps,
            behind_of: behind_classes,
            behind_reps,
            rules: rules.into(),
            deferred: deferred.into(),
            built: Mutex::default(),
        })
    }

    /// Finds the leftmost-first match as [`Prog::search`] does; the match's
    /// slots are read from the cache's registers, valid until its next
    /// search. [`Outcome::GaveUp`] leaves the line to the program.
    /// `may_match(start)` (false: no match starts at `start` or later, a
    /// prefilter) is asked once the first attempt has failed, with the
    /// next start, before any other attempt.
    pub(crate) fn search<'c>(
        &self,
        prog: &Prog,
        cache: &'c mut TdfaCache,
        hay: &str,
        guard: Guard<'_>,
        may_match: &mut dyn FnMut(usize) -> bool,
    ) -> Outcome<'c> {
        if cache.restarts > MAX_RESTARTS {
            return Outcome::GaveUp;
        }
        // Every register is below `NO_WRITE`, so this is the only resize.
        if cache.regs.len() <= WRITE_MASK as usize {
            cache.regs.resize(WRITE_MASK as usize + 1, None);
        }
        let bytes = hay.as_bytes();
        // The program's budget: each attempt walks at most the rest of the
        // line, and none starts once the budget is spent.
        let mut budget =
            OPTIMISTIC_STEPS.saturating_add(OPTIMISTIC_STEPS_PER_BYTE.saturating_mul(bytes.len()));
        let first = prog.first_of[prog.start as usize];
        // The final state of the first attempt that matched, and the end
        // of its tail's run if it ended in one.
        let mut asked = false;
        let (number, tail_end) = 'attempts: {
            for start in 0..=bytes.len() {
                if !prog.may_start(first, bytes, start) {
                    continue;
                }
                let Some(stop) = self.run(prog, cache, bytes, start) else {
                    return Outcome::GaveUp;
                };
                let number = stop.state as usize / self.stride;
                let tail_end = stop.tail.filter(|_| cache.tails[number].is_some());
                if tail_end.is_some() || cache.matched[number].is_some() {
                    break 'attempts (number, tail_end);
                }
                budget = match budget.checked_sub(stop.at - start + 1) {
                    Some(left) => left,
                    None => return Outcome::GaveUp,
                };
                if !asked {
                    asked = true;
                    if !may_match(start + 1) {
                        return Outcome::NotFound;
                    }
                }
            }
            return Outcome::NotFound;
        };
        let cache: &'c TdfaCache = cache;
        // The match's registers: the tail thread's, or the best match's.
        let view = match (tail_end, &cache.tails[number], &cache.matched[number]) {
            (Some(end), Some(tail), _) => {
                SlotView::mapped(&tail.map, &cache.regs, NonMaxUsize::new(end), &tail.live)
            }
            (_, _, Some(matched)) => {
                SlotView::mapped(&matched.regs, &cache.regs, None, &matched.live)
            }
            // Not reached: the loop stops only on a tail or a match.
            _ => return Outcome::GaveUp,
        };
        if self
            .deferred
            .iter()
            .any(|&(slot, check)| view.get(slot).is_some_and(|at| !guard(check, at)))
        {
            return Outcome::GaveUp;
        }
        Outcome::Found(view)
    }

    /// Runs from `start` until no thread is left, the text ends or a tail
    /// is reached; `None` to give up. Not inlined: in a function of its
    /// own the byte loop keeps its pointers in registers (inlined into the
    /// engine's search, it reloaded them from the stack on every byte).
    #[inline(never)]
    fn run(&self, prog: &Prog, cache: &mut TdfaCache, bytes: &[u8], start: usize) -> Option<Stop> {
        let behind = match start.checked_sub(1).map(|i| bytes[i]) {
            None => self.behind_reps.len() - 1,
            Some(b) if b < 0x80 => usize::from(self.behind_of[usize::from(b)]),
            Some(_) => return None,
        };
        let mut state = self.start(prog, cache, behind)?;
        let mut at = start;
        let eoi = self.stride - 1;
        if let Some(stop) = self.tail(prog, cache, bytes, state, at) {
            return Some(stop);
        }
        loop {
            // Plain transitions, a table lookup and a store per byte (the
            // position, to the transition's register or to `NO_WRITE`),
            // with the tables and the text held in locals (registers) for
            // the loop.
            let (index, next) = {
                let trans = &cache.trans[..];
                let regs = &mut cache.regs[..=WRITE_MASK as usize];
                let class_of = &self.class_of;
                loop {
                    let Some(&b) = bytes.get(at) else {
                        // The end of the text is always marked SLOW.
                        let index = state as usize + eoi;
                        break (index, trans[index]);
                    };
                    let index = state as usize + usize::from(class_of[usize::from(b)]);
                    let next = trans[index];
                    if next & SLOW != 0 {
                        break (index, next);
                    }
                    regs[(next >> STATE_BITS & WRITE_MASK) as usize] = NonMaxUsize::new(at);
                    state = next & STATE_MASK;
                    at += 1;
                }
            };
            // A transition not built yet, or a non-ASCII byte (never
            // built); then the position write and the cases in `flags`.
            let next = if next == UNKNOWN {
                let class = index - state as usize;
                if class == self.quit {
                    return None;
                }
                let next = self.fetch(prog, cache, state, class)?;
                if next & SLOW == 0 {
                    cache.regs[(next >> STATE_BITS) as usize] = NonMaxUsize::new(at);
                    state = next & STATE_MASK;
                    at += 1;
                    continue;
                }
                next
            } else {
                next
            };
            let slow = cache.slow[(next & !SLOW) as usize];
            // `UNSET` is past the registers: no register to set.
            if let Some(reg) = cache.regs.get_mut(usize::from(slow.pos)) {
                *reg = NonMaxUsize::new(at);
            }
            if slow.flags & Slow::SKIP != 0 {
                at = self.skip(prog, cache, bytes, state, at)?;
                continue;
            }
            state = slow.next;
            if slow.flags & Slow::STOP != 0 {
                return Some(Stop {
                    state,
                    at,
                    tail: None,
                });
            }
            at += 1;
            if slow.flags & Slow::TAIL != 0 {
                return self.tail(prog, cache, bytes, state, at);
            }
        }
    }

    /// If `state` is a tail, scans its run from `at`.
    #[inline(always)]
    fn tail(
        &self,
        prog: &Prog,
        cache: &TdfaCache,
        bytes: &[u8],
        state: u32,
        at: usize,
    ) -> Option<Stop> {
        let tail = cache.tails[state as usize / self.stride].as_ref()?;
        let set = &prog.sets[tail.set as usize].bytes;
        let end = set.run_end(bytes, at, bytes.len());
        Some(Stop {
            state,
            at: end,
            tail: Some(end),
        })
    }

    /// The [`Tail`] of a state, if it is one.
    fn tail_of(&self, prog: &Prog, key: &Key) -> Option<Tail> {
        let [(inst, count)] = *key.threads else {
            return None;
        };
        let Inst::Repeat {
            set,
            min,
            max: NONE,
            greedy: true,
            next,
            ..
        } = prog.insts[inst as usize]
        else {
            return None;
        };
        if count < min || !prog.sets[set as usize].bytewise {
            return None;
        }
        let mut map: Box<[u16]> = key.regs[..prog.guards.len()].into();
        let mut at = next;
        loop {
            match prog.insts[at as usize] {
                Inst::Save { slot, next }
                    if matches!(self.rules.get(slot as usize), Some(None)) =>
                {
                    *map.get_mut(slot as usize)? = TAIL_REG;
                    at = next;
                }
                Inst::Match => break,
                _ => return None,
            }
        }
        let live = live_pairs(&map, UNSET);
        Some(Tail { set, map, live })
    }

    /// The start state for a look-behind class, built on first use.
    #[inline(always)]
    fn start(&self, prog: &Prog, cache: &mut TdfaCache, behind: usize) -> Option<u32> {
        match cache.starts.get(behind) {
            Some(&start) if start != UNKNOWN => Some(start),
            _ => self.fetch_start(prog, cache, behind),
        }
    }

    /// [`Tdfa::start`] the first time: from the shared states, where it is
    /// built if no thread has yet.
    #[cold]
    #[inline(never)]
    fn fetch_start(&self, prog: &Prog, cache: &mut TdfaCache, behind: usize) -> Option<u32> {
        // A lock poisoned by a panicking build leaves every line to the
        // program.
        let mut built = self.built.lock().ok()?;
        if built.restarts != cache.restarts {
            // No state of the old copy is held here: start again quietly.
            cache.start_again(&built);
        }
        let classes = self.behind_reps.len();
        if built.starts.len() != classes {
            built.starts = vec![UNKNOWN; classes];
        }
        if built.starts[behind] == UNKNOWN {
            let regs = vec![UNSET; prog.guards.len()];
            let key = KeyRef {
                behind: behind as u8,
                matched: None,
                threads: &[(prog.start, 0)],
                regs: &regs,
            };
            let Some(start) = self.intern(prog, &mut built, key, key.hash()) else {
                cache.start_again(&built);
                return None;
            };
            built.starts[behind] = start;
        }
        cache.catch_up(&built, self.stride);
        if cache.starts.len() != classes {
            cache.starts = vec![UNKNOWN; classes];
        }
        cache.starts[behind] = built.starts[behind];
        Some(built.starts[behind])
    }

    /// The transition of `state` (premultiplied) on `class` (below `quit`,
    /// or the end of the text), which the cache does not know yet: copied
    /// from the shared states, or built and added to them. The closure is
    /// computed outside the lock (two threads may then build one
    /// transition at once: the first to finish records it), so threads
    /// wait on each other only to look up and intern.
    ///
    /// `None` to give up: the states outgrew the cache (here or in another
    /// thread since the cache's last copy, which then starts again), or no
    /// register is left. Kept out of [`Tdfa::run`]'s loop, which it would
    /// crowd out of registers.
    #[inline(never)]
    fn fetch(&self, prog: &Prog, cache: &mut TdfaCache, state: u32, class: usize) -> Option<u32> {
        let index = state as usize + class;
        let key = {
            let built = self.lock(cache)?;
            match built.trans[index] {
                UNKNOWN => Arc::clone(&built.keys[state as usize / self.stride]),
                known => return Some(self.copy(cache, &built, state, class, known)),
            }
        };
        let mut c = std::mem::take(&mut cache.closure);
        let step = self.step_from(prog, &key, class, &mut c);
        let transition = step.and_then(|step| {
            // Hashed before the lock is taken.
            let hash = c.key(step.behind).hash();
            let mut built = self.lock(cache)?;
            let transition = match built.trans[index] {
                UNKNOWN => self.record(prog, &mut built, (state, class), step, &c, hash),
                // Another thread finished it first.
                known => Some(known),
            };
            match transition {
                Some(known) => Some(self.copy(cache, &built, state, class, known)),
                None => {
                    if built.restarts != cache.restarts {
                        cache.start_again(&built);
                    }
                    None
                }
            }
        });
        cache.closure = c;
        transition
    }

    /// The shared states, once the cache is known to be a copy of their
    /// generation (`None`: it was not, and starts again; or a build
    /// panicked, and every line is left to the program).
    fn lock<'b>(&'b self, cache: &mut TdfaCache) -> Option<MutexGuard<'b, Built>> {
        let built = self.built.lock().ok()?;
        if built.restarts != cache.restarts {
            // The caller's state is of the old numbering.
            cache.start_again(&built);
            return None;
        }
        Some(built)
    }

    /// Copies the shared `transition` of `state` on `class` into the cache,
    /// with what it lacks of the shared states, and returns it as the cache
    /// knows it.
    fn copy(
        &self,
        cache: &mut TdfaCache,
        built: &Built,
        state: u32,
        class: usize,
        mut transition: u32,
    ) -> u32 {
        cache.catch_up(built, self.stride);
        // A loop this thread judged not worth skipping stays a plain one
        // (see `stop_skipping`).
        if transition & SLOW != 0
            && cache.slow[(transition & !SLOW) as usize].flags & Slow::SKIP != 0
            && matches!(cache.skips[state as usize / self.stride].0, Skip::Never)
        {
            transition = plain_transition(state, NO_WRITE);
        }
        cache.trans[state as usize + class] = transition;
        transition
    }

    /// The id of a state (premultiplied), added if new; `None` when the
    /// states outgrew [`MAX_STATES`] (they are then dropped for the next
    /// line).
    fn intern(&self, prog: &Prog, built: &mut Built, key: KeyRef<'_>, hash: u64) -> Option<u32> {
        if let Some(&last) = built.ids.get(&hash) {
            let mut number = last;
            while number != UNKNOWN {
                if built.keys[number as usize].borrowed() == key {
                    return Some(number * self.stride as u32);
                }
                number = built.same_hash[number as usize];
            }
        }
        if built.keys.len() >= MAX_STATES {
            built.restart();
            return None;
        }
        let number = built.keys.len() as u32;
        let id = number * self.stride as u32;
        let key = key.to_owned();
        built.tails.push(self.tail_of(prog, &key).map(Arc::new));
        built.keys.push(Arc::new(key));
        let previous = built.ids.insert(hash, number);
        built.same_hash.push(previous.unwrap_or(UNKNOWN));
        built.trans.resize(built.trans.len() + self.stride, UNKNOWN);
        Some(id)
    }

    /// Reads the loop byte at `at` in `state` and the rest of its run;
    /// returns where the run ends. Decides the state's [`Skip`] first if
    /// needed (`None`: the cache filled up meanwhile).
    fn skip(
        &self,
        prog: &Prog,
        cache: &mut TdfaCache,
        bytes: &[u8],
        state: u32,
        at: usize,
    ) -> Option<usize> {
        let number = state as usize / self.stride;
        if matches!(cache.skips[number].0, Skip::Unknown) {
            let skip = self.decide_skip(prog, cache, state)?;
            if matches!(skip, Skip::Never) {
                self.stop_skipping(cache, state);
            }
            cache.skips[number].0 = skip;
        }
        let (skip, runs, run_bytes) = &mut cache.skips[number];
        let end = skip.run_end(bytes, at + 1);
        if *runs < SKIP_TRIAL {
            *runs += 1;
            *run_bytes = run_bytes.saturating_add((end - at) as u32);
            if *runs == SKIP_TRIAL && *run_bytes < SKIP_TRIAL * SKIP_MIN_RUN {
                *skip = Skip::Never;
                self.stop_skipping(cache, state);
            }
        }
        Some(end)
    }

    /// Makes the loop transitions of `state` plain table lookups.
    fn stop_skipping(&self, cache: &mut TdfaCache, state: u32) {
        let base = state as usize;
        for class in 0..self.quit {
            if self.slow_of(cache, base + class).flags & Slow::SKIP != 0 {
                cache.trans[base + class] = plain_transition(state, NO_WRITE);
            }
        }
    }

    /// Builds every byte transition of `state` and judges how it may skip
    /// its loop bytes; a state that may not gets plain loop transitions.
    #[inline(never)]
    fn decide_skip(&self, prog: &Prog, cache: &mut TdfaCache, state: u32) -> Option<Skip> {
        let base = state as usize;
        for class in 0..self.quit {
            if cache.trans[base + class] == UNKNOWN {
                self.fetch(prog, cache, state, class)?;
            }
        }
        let mut exits = Box::new([false; 128]);
        for (b, exit) in exits.iter_mut().enumerate() {
            let index = base + usize::from(self.class_of[b]);
            *exit = self.slow_of(cache, index).flags & Slow::SKIP == 0;
        }
        let exit_bytes: Vec<u8> = (0..128u8).filter(|&b| exits[usize::from(b)]).collect();
        let skip = match exit_bytes.len() {
            0..=3 => Skip::Memchr(exit_bytes.into()),
            n if n <= MAX_EXITS => match exit_bytes.last() {
                Some(&last) if last < BELOW_LIMIT => Skip::Below {
                    bound: last + 1,
                    exits,
                },
                _ => Skip::Never,
            },
            _ => Skip::Never,
        };
        Some(skip)
    }

    /// The [`Slow`] part of the built transition at `index`; a plain one
    /// reads as a position write alone, with no position.
    fn slow_of(&self, cache: &TdfaCache, index: usize) -> Slow {
        match cache.trans[index] {
            UNKNOWN => Slow::default(),
            next if next & SLOW != 0 => cache.slow[(next & !SLOW) as usize],
            _ => Slow::default(),
        }
    }

    /// The step from `key`'s state on `class` (below `quit`, or the end of
    /// the text): its closure, left in `c`, and what the transition does
    /// besides. `None` when no register is left for the position.
    fn step_from(&self, prog: &Prog, key: &Key, class: usize, c: &mut Closure) -> Option<Step> {
        let slots = prog.guards.len();
        let next = self.reps.get(class).copied();
        let context = Context {
            prev: self.behind_reps[usize::from(key.behind)],
            next,
        };
        self.close(prog, key, slots, context, c);
        if !c.found_match {
            if let Some(m) = &key.matched {
                c.matched.extend_from_slice(&m.regs);
                c.found_match = true;
            }
        }
        // Registers keep their numbers from state to state, so a register
        // that survives needs no move; the position, if any thread takes
        // it, goes to the lowest number no survivor holds. (`UNSET` and
        // `POS` are past the set's range.)
        let mut survivors = RegSet::default();
        survivors.insert_all(&c.matched);
        survivors.insert_all(&c.vals);
        let pos_reg = survivors.first_free()?;
        // Every register is below `NO_WRITE`, for which `search` sized
        // each cache's registers.
        debug_assert!(survivors.last().unwrap_or(0).max(pos_reg) < NO_WRITE);
        let writes_pos = c.name_pos(pos_reg);
        let behind = match next {
            Some(_)
                if !c
                    .threads
                    .iter()
                    .any(|&(i, _)| self.reads_behind[i as usize]) =>
            {
                0
            }
            Some(b) => self.behind_of[usize::from(b)],
            None => key.behind,
        };
        Some(Step {
            behind,
            pos: if writes_pos { pos_reg } else { UNSET },
            dead: c.threads.is_empty(),
            end: next.is_none(),
        })
    }

    /// Records in the shared states the transition of `state` on `class`
    /// that `step` and the closure in `c` describe, adding its next state
    /// if new; `None` when the states outgrew the cache.
    fn record(
        &self,
        prog: &Prog,
        built: &mut Built,
        (state, class): (u32, usize),
        step: Step,
        c: &Closure,
        hash: u64,
    ) -> Option<u32> {
        let new = c.key(step.behind);
        let id = self.intern(prog, built, new, hash)?;
        let tail = built.tails[id as usize / self.stride].is_some();
        let plain = !step.dead && !tail && !step.end;
        // Whether the thread skips is its own decision (see `fetch`).
        let skip = plain && step.pos == UNSET && id == state;
        let mut flags = 0;
        if step.dead || step.end {
            flags |= Slow::STOP;
        }
        if tail {
            flags |= Slow::TAIL;
        }
        if skip {
            flags |= Slow::SKIP;
        }
        let transition = if plain && !skip {
            let write = if step.pos == UNSET {
                NO_WRITE
            } else {
                step.pos
            };
            plain_transition(id, write)
        } else {
            // Below `UNKNOWN & !SLOW`: the states' transitions are fewer.
            let slow = built.slow.len() as u32 | SLOW;
            built.slow.push(Slow {
                next: id,
                pos: step.pos,
                flags,
            });
            slow
        };
        built.trans[state as usize + class] = transition;
        Some(transition)
    }

    /// Follows the epsilon moves of `key`'s threads in priority order, as a
    /// PikeVM does between two bytes.
    /// Leaves the result in `c` (cleared first).
    fn close(&self, prog: &Prog, key: &Key, slots: usize, context: Context, c: &mut Closure) {
        c.clear();
        for (i, &(inst, count)) in key.threads.iter().enumerate() {
            c.regs.clear();
            c.regs
                .extend_from_slice(&key.regs[i * slots..(i + 1) * slots]);
            c.stack.push(Frame::Explore(inst, count));
            while let Some(frame) = c.stack.pop() {
                let (mut inst, mut count) = match frame {
                    Frame::Restore(slot, v) => {
                        c.restore(slot, v);
                        continue;
                    }
                    Frame::Emit(inst, count) => {
                        c.consume(prog, inst, count, context);
                        continue;
                    }
                    Frame::Explore(inst, count) => (inst, count),
                };
                loop {
                    if !c.seen.insert((inst, count)) {
                        break;
                    }
                    match &prog.insts[inst as usize] {
                        Inst::Lit { bytes, next } if bytes.is_empty() => {
                            inst = *next;
                            count = 0;
                        }
                        Inst::Lit { .. } | Inst::Class { .. } => {
                            c.consume(prog, inst, count, context);
                            break;
                        }
                        Inst::Repeat {
                            min,
                            max,
                            greedy,
                            next,
                            ..
                        } => {
                            let more = *max == NONE || count < *max;
                            if count < *min {
                                c.consume(prog, inst, count, context);
                                break;
                            }
                            if more {
                                if *greedy {
                                    c.consume(prog, inst, count, context);
                                } else {
                                    c.stack.push(Frame::Emit(inst, count));
                                }
                            }
                            inst = *next;
                            count = 0;
                        }
                        Inst::Split { alts, .. } => {
                            for &(alt, _) in alts.iter().skip(1).rev() {
                                c.stack.push(Frame::Explore(alt, 0));
                            }
                            match alts.first() {
                                Some(&(alt, _)) => {
                                    inst = alt;
                                    count = 0;
                                }
                                None => break,
                            }
                        }
                        Inst::Save { slot, next } => {
                            let slot = *slot as usize;
                            if !self.guard_holds(slot, context) {
                                break;
                            }
                            if slot < c.regs.len() {
                                c.save_pos(slot);
                            }
                            inst = *next;
                            count = 0;
                        }
                        Inst::Look { look, next } => {
                            let mut buf = [0u8; 2];
                            let mut len = 0;
                            if let Some(p) = context.prev {
                                buf[len] = p;
                                len += 1;
                            }
                            let at = len;
                            if let Some(n) = context.next {
                                buf[len] = n;
                                len += 1;
                            }
                            if !prog.look(*look, &buf[..len], at) {
                                break;
                            }
                            inst = *next;
                            count = 0;
                        }
                        Inst::Match => {
                            // Lower-priority threads cannot win any more.
                            c.record_match();
                            return;
                        }
                    }
                }
            }
        }
    }

    /// Whether the one-char check guarding `slot` (if any) holds between
    /// the neighbours.
    fn guard_holds(&self, slot: usize, context: Context) -> bool {
        match self.rules.get(slot) {
            Some(Some((
                _,
                GuardRule::Char {
                    ahead,
                    negate,
                    ascii,
                },
            ))) => {
                let c = if *ahead { context.next } else { context.prev };
                let member = c.is_some_and(|c| ascii[usize::from(c)]);
                member != *negate
            }
            _ => true,
        }
    }
}

/// Where a consuming thread goes on byte `b`, if it takes it.
fn step(prog: &Prog, inst: u32, count: u32, b: u8) -> Option<(u32, u32)> {
    let member = |set: u32| prog.sets[set as usize].has_ascii(b);
    match &prog.insts[inst as usize] {
        Inst::Lit { bytes, next } => {
            let k = count as usize;
            if bytes.get(k) != Some(&b) {
                None
            } else if k + 1 == bytes.len() {
                Some((*next, 0))
            } else {
                Some((inst, count + 1))
            }
        }
        Inst::Class { set, next } => member(*set).then_some((*next, 0)),
        Inst::Repeat { set, min, max, .. } => {
            let count = if *max == NONE {
                (count + 1).min(*min)
            } else {
                count + 1
            };
            member(*set).then_some((inst, count))
        }
        _ => None,
    }
}

/// The ASCII bytes for which `member` holds, as a bit mask.
fn mask_of(member: impl Fn(u8) -> bool) -> u128 {
    (0..128u8).filter(|&b| member(b)).fold(0, |m, b| m | 1 << b)
}

/// Where a byte comes in the order classes are numbered in: digits,
/// lowercase letters, space and the punctuation log lines are made of,
/// uppercase letters, then the rest by value. A state's row of
/// transitions spans several cache lines (four for COMBINEDAPACHELOG's 64
/// classes); the bytes that fill log lines come first, so that the
/// transitions a walk takes share fewer of them (simulated L1 read misses
/// in the apache walk: 27% fewer than with classes in byte order).
fn log_rank(b: u8) -> u32 {
    const FIRST: &[u8] =
        b"0123456789abcdefghijklmnopqrstuvwxyz ./:-\"[],=_ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    match FIRST.iter().position(|&f| f == b) {
        Some(i) => i as u32,
        None => 256 + u32::from(b),
    }
}

/// Classes of the ASCII bytes: two bytes share a class when every mask
/// treats them alike. Returns the class of each byte (numbered in the
/// order of [`log_rank`], by the class's first byte in it) and the lowest
/// byte of each.
fn partition(masks: &[u128]) -> ([u8; 128], Vec<u8>) {
    let mut masks = masks.to_vec();
    masks.sort_unstable();
    masks.dedup();
    // Each mask splits every class it cuts in two.
    let mut parts = vec![u128::MAX];
    for &mask in &masks {
        let mut split = Vec::with_capacity(parts.len() + 1);
        for &part in &parts {
            for piece in [part & mask, part & !mask] {
                if piece != 0 {
                    split.push(piece);
                }
            }
        }
        parts = split;
    }
    parts.sort_by_cached_key(|&part| {
        (0..128u8)
            .filter(|&b| part & 1 << b != 0)
            .map(log_rank)
            .min()
            .unwrap_or(u32::MAX)
    });
    let mut classes = [0u8; 128];
    let mut reps = Vec::with_capacity(parts.len());
    for (class, &part) in parts.iter().enumerate() {
        reps.push(part.trailing_zeros() as u8);
        for (b, slot) in classes.iter_mut().enumerate() {
            if part & 1 << b != 0 {
                *slot = class as u8;
            }
        }
    }
    (classes, reps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exits_of(bytes: &[u8]) -> Box<[bool; 128]> {
        let mut exits = Box::new([false; 128]);
        for &b in bytes {
            exits[usize::from(b)] = true;
        }
        exits
    }

    /// The first byte at or after `from` in `exits` or not ASCII.
    fn naive(bytes: &[u8], from: usize, exits: &[u8]) -> usize {
        (from..bytes.len())
            .find(|&i| bytes[i] >= 0x80 || exits.contains(&bytes[i]))
            .unwrap_or(bytes.len())
    }

    proptest::proptest! {
        /// Two bytes share a class exactly when every mask treats them
        /// alike, classes are numbered in the order of their first byte
        /// by `log_rank`, and each class's byte is its lowest.
        #[test]
        fn classes_split_the_bytes_that_some_mask_tells_apart(
            masks in proptest::collection::vec(proptest::prelude::any::<u128>(), 0..6),
            picks in proptest::collection::vec(0u8..128, 0..6),
        ) {
            // Sparse masks too, as literals give.
            let mut all = masks;
            all.extend(picks.iter().map(|&b| 1u128 << b));
            let (classes, reps) = partition(&all);
            for a in 0..128usize {
                for b in 0..128usize {
                    let alike = all.iter().all(|m| (m >> a & 1) == (m >> b & 1));
                    proptest::prop_assert_eq!(classes[a] == classes[b], alike, "{} {}", a, b);
                }
            }
            let mut last_rank = None;
            for (class, &rep) in reps.iter().enumerate() {
                proptest::prop_assert_eq!(usize::from(classes[usize::from(rep)]), class);
                let first = classes.iter().position(|&c| usize::from(c) == class);
                proptest::prop_assert_eq!(first, Some(usize::from(rep)));
                let rank = (0..128u8)
                    .filter(|&b| usize::from(classes[usize::from(b)]) == class)
                    .map(log_rank)
                    .min();
                proptest::prop_assert!(rank > last_rank, "class {} out of order", class);
                last_rank = rank;
            }
        }
    }

    #[test]
    fn a_register_set_finds_the_first_free_and_the_last_register() {
        let mut set = RegSet::default();
        assert_eq!((set.first_free(), set.last()), (Some(0), None));
        for r in 0..70 {
            set.insert(r);
        }
        set.insert(200);
        assert_eq!((set.first_free(), set.last()), (Some(70), Some(200)));
        for r in 0..MAX_REGS as u16 {
            set.insert(r);
        }
        // Out of range: ignored rather than a panic.
        set.insert(UNSET);
        assert_eq!(set.first_free(), None);
        assert_eq!(set.last(), Some(MAX_REGS as u16 - 1));
    }

    #[test]
    fn a_register_set_takes_the_registers_of_a_key_and_skips_the_rest() {
        // Runs of 16 with no register in them, a register in the last
        // place of a run, and a partial run at the end.
        let mut regs = vec![UNSET; 50];
        regs[5] = POS;
        regs[31] = 7;
        regs[49] = 3;
        let mut set = RegSet::default();
        set.insert_all(&regs);
        assert_eq!((set.first_free(), set.last()), (Some(0), Some(7)));
        let mut expected = RegSet::default();
        expected.insert(3);
        expected.insert(7);
        assert_eq!(set.0, expected.0);
    }

    #[test]
    fn the_position_is_named_by_the_register_it_went_to() {
        let mut c = Closure {
            regs: vec![UNSET, 3, 4, UNSET],
            ..Closure::default()
        };
        // A thread kept before any save holds no position.
        c.keep((1, 0));
        c.save_pos(1);
        c.keep((2, 0));
        c.save_pos(3);
        c.keep((3, 0));
        c.record_match();
        // Undone in reverse: the position stays only where it was kept.
        c.restore(3, UNSET);
        c.restore(1, 3);
        assert_eq!(c.regs, [UNSET, 3, 4, UNSET]);
        c.keep((4, 0));
        assert!(c.name_pos(9));
        assert_eq!(
            c.vals,
            [UNSET, 3, 4, UNSET, UNSET, 9, 4, UNSET, UNSET, 9, 4, 9, UNSET, 3, 4, UNSET]
        );
        assert_eq!(c.matched, [UNSET, 9, 4, 9]);
        c.clear();
        c.regs = vec![UNSET, 3];
        c.keep((1, 0));
        assert!(!c.name_pos(11));
        assert_eq!(c.vals, [UNSET, 3]);
    }

    #[test]
    fn skipped_runs_end_at_an_exit_or_a_non_ascii_byte() {
        let whitespace = b" \t\n\x0b\x0c\r";
        let hays: [&[u8]; 5] = [
            b"GET /index.html?a=1 HTTP/1.1",
            "/caf\u{e9}/menu x".as_bytes(),
            b"a\x01b\x02c\"d\\e tail of more than eight bytes",
            b"",
            b"0123456789abcdef0123456789abcdef\t",
        ];
        let skips = [
            (Skip::Memchr(Box::new(*b"\"\\")), &b"\"\\"[..]),
            (Skip::Memchr(Box::new([])), &b""[..]),
            (
                Skip::Below {
                    bound: b' ' + 1,
                    exits: exits_of(whitespace),
                },
                &whitespace[..],
            ),
        ];
        for hay in hays {
            for (skip, exits) in &skips {
                for from in 0..=hay.len() {
                    assert_eq!(
                        skip.run_end(hay, from),
                        naive(hay, from, exits),
                        "{skip:?} on {hay:?} from {from}"
                    );
                }
            }
        }
    }

    #[test]
    fn states_that_skip_agree_with_the_program_before_and_after_their_trial() {
        let (prog, tdfa, slots) = compiled(r#"^(\S+) "((?:\\.|[^\\"]+)*)" (.*?)!(x*)"#);
        let mut cache = TdfaCache::default();
        let long = "/a/very/long/path/of/the/request?with=query";
        let hays: Vec<String> = (0..3 * SKIP_TRIAL as usize)
            .map(|i| match (i / SKIP_TRIAL as usize, i % 3) {
                // Short runs outside the quotes first: those states stop
                // skipping after their trial; the quoted run goes on.
                (0, _) => format!("a{i} \"{long} \\\"x\\\" {long}\" b!"),
                (_, 0) => format!("{long}{i} \"say \\\"hi\\\" {long}\" then {long}!xx"),
                (_, 1) => format!("{long} \"caf\u{e9}\" {long}!"),
                _ => format!("{long} \"unterminated {long}"),
            })
            .collect();
        for hay in &hays {
            if !decides(&prog, &tdfa, &mut cache, hay, slots) {
                assert!(!hay.is_ascii(), "gave up on {hay:?}");
            }
        }
        let skips = &cache.skips;
        assert!(skips
            .iter()
            .any(|(s, _, _)| matches!(s, Skip::Memchr(_) | Skip::Below { .. })));
        assert!(skips
            .iter()
            .any(|(s, runs, _)| matches!(s, Skip::Never) && *runs == SKIP_TRIAL));
    }

    #[test]
    fn position_writes_stay_in_the_byte_loop() {
        // Every group boundary here is a position write on a byte; none
        // is a loop, a tail or the end.
        let (prog, tdfa, slots) = compiled(r"(\d+)\.(\d+)\.(\d+)\.(\d+) ([a-z]+)=([a-z]+);");
        let mut cache = TdfaCache::default();
        for hay in [
            "10.0.0.1 user=root;",
            "x 192.168.10.200 ab=cd; y",
            "1.2.3 no=match;",
        ] {
            assert!(
                decides(&prog, &tdfa, &mut cache, hay, slots),
                "gave up on {hay:?}"
            );
        }
        // Plain transitions that write a position exist, and no slow one
        // is a position write alone.
        let writing = (cache.trans.iter())
            .filter(|&&t| t & SLOW == 0 && t >> STATE_BITS != u32::from(NO_WRITE))
            .count();
        assert!(
            writing >= 12,
            "{writing} plain transitions write a position"
        );
        assert!(cache.slow.iter().all(|slow| slow.flags != 0));
    }

    /// A program and its tagged DFA for `pattern`, and its slot count.
    fn compiled(pattern: &str) -> (Prog, Tdfa, usize) {
        let hir =
            regex_automata::util::syntax::parse_with(pattern, &crate::compile::relaxed_syntax())
                .unwrap();
        let prog = Prog::new(&hir).unwrap();
        let tdfa = Tdfa::new(&prog, |_| GuardRule::Deferred).unwrap();
        (
            prog,
            tdfa,
            2 * (hir.properties().explicit_captures_len() + 1),
        )
    }

    /// Searches `hay` with `cache`, checks a match against the program's
    /// and says whether the tagged DFA decided (`false`: it gave up).
    fn decides(prog: &Prog, tdfa: &Tdfa, cache: &mut TdfaCache, hay: &str, slots: usize) -> bool {
        let mut expected = vec![None; slots];
        let found = prog.search(
            &mut super::super::ProgMemo::default(),
            hay,
            &mut expected,
            &|_, _| true,
        );
        match tdfa.search(prog, cache, hay, &|_, _| true, &mut |_| true) {
            Outcome::Found(view) => {
                assert_eq!((true, view.to_vec(slots)), (found, expected), "{hay:?}");
                true
            }
            Outcome::NotFound => {
                assert!(!found, "{hay:?}");
                true
            }
            Outcome::GaveUp => false,
        }
    }

    const KEYED: &str = r"(\w+)=(\d+|\[[a-z ]*\])(?:; (\w+)=(\S+))?";

    fn keyed_lines() -> Vec<String> {
        (0..200)
            .map(|i| match i % 4 {
                0 => format!("id{i}={i}"),
                1 => format!("x user{i}=[some words] tail"),
                2 => format!("k={i}; v=val{i}/x"),
                _ => format!("nothing here {i}"),
            })
            .collect()
    }

    #[test]
    fn a_second_cache_copies_the_transitions_the_first_built() {
        let (prog, tdfa, slots) = compiled(KEYED);
        let lines = keyed_lines();
        let mut first = TdfaCache::default();
        for hay in &lines {
            assert!(decides(&prog, &tdfa, &mut first, hay, slots), "{hay:?}");
        }
        let built = |tdfa: &Tdfa| {
            let built = tdfa.built.lock().unwrap();
            let known = built.trans.iter().filter(|&&t| t != UNKNOWN).count();
            (built.keys.len(), known)
        };
        let before = built(&tdfa);
        assert!(before.0 > 10 && before.1 > 20, "{before:?}");
        let mut second = TdfaCache::default();
        for hay in &lines {
            assert!(decides(&prog, &tdfa, &mut second, hay, slots), "{hay:?}");
        }
        assert_eq!(built(&tdfa), before, "the second cache built nothing");
        assert!(second.trans.iter().any(|&t| t != UNKNOWN));
    }

    #[test]
    fn threads_building_at_once_agree_with_the_program() {
        let (prog, tdfa, slots) = compiled(KEYED);
        let lines = keyed_lines();
        std::thread::scope(|scope| {
            for t in 0..4 {
                let (prog, tdfa, lines) = (&prog, &tdfa, &lines);
                scope.spawn(move || {
                    let mut cache = TdfaCache::default();
                    // Each thread in its own order, so they meet the
                    // states at different times.
                    for hay in lines.iter().skip(t * 50).chain(lines.iter().take(t * 50)) {
                        assert!(decides(prog, tdfa, &mut cache, hay, slots), "{hay:?}");
                    }
                });
            }
        });
    }

    #[test]
    fn a_cache_of_dropped_states_gives_up_once_and_starts_again() {
        let (prog, tdfa, slots) = compiled(KEYED);
        let mut cache = TdfaCache::default();
        let seen = "id1=1";
        assert!(decides(&prog, &tdfa, &mut cache, seen, slots));
        // Another thread outgrew the states meanwhile.
        tdfa.built.lock().unwrap().restart();
        // What the cache copied still serves ...
        assert!(decides(&prog, &tdfa, &mut cache, seen, slots));
        // ... but a transition it lacks, from a state of the old numbering
        // (after `=`, on `[`), is not to be had: it gives up on that line
        // and copies afresh from the next one on.
        let new = "id2=[ab]";
        assert!(!decides(&prog, &tdfa, &mut cache, new, slots));
        assert_eq!(cache.restarts, 1);
        assert!(decides(&prog, &tdfa, &mut cache, new, slots));
        assert!(decides(&prog, &tdfa, &mut cache, seen, slots));
    }

    #[test]
    fn a_build_that_panicked_leaves_every_line_to_the_program() {
        let (prog, tdfa, slots) = compiled(KEYED);
        let mut cache = TdfaCache::default();
        assert!(decides(&prog, &tdfa, &mut cache, "id1=1", slots));
        // A thread that panics holding the lock poisons it.
        let poisoner = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let _held = tdfa.built.lock();
                    panic!("a build panicked");
                })
                .join()
        });
        assert!(poisoner.is_err() && tdfa.built.is_poisoned());
        // What a cache copied still serves; anything else, and any new
        // cache, gives up rather than panicking.
        assert!(decides(&prog, &tdfa, &mut cache, "id1=1", slots));
        assert!(!decides(&prog, &tdfa, &mut cache, "id2=[ab]", slots));
        let mut fresh = TdfaCache::default();
        assert!(!decides(&prog, &tdfa, &mut fresh, "id1=1", slots));
    }

    #[test]
    fn the_prefilter_is_asked_only_after_a_failed_first_attempt() {
        let hir = regex_automata::util::syntax::parse_with(
            r"(\d+) (b)",
            &crate::compile::relaxed_syntax(),
        )
        .unwrap();
        let prog = Prog::new(&hir).unwrap();
        let tdfa = Tdfa::new(&prog, |_| GuardRule::Deferred).unwrap();
        let mut cache = TdfaCache::default();
        // How many times it was asked, and the start it was last asked from.
        let asked = std::cell::Cell::new((0, 0));
        let says = |answer: bool| {
            let asked = &asked;
            move |from| {
                asked.set((asked.get().0 + 1, from));
                answer
            }
        };
        let search = |cache: &mut TdfaCache,
                      hay: &str,
                      mut may_match: Box<dyn FnMut(usize) -> bool + '_>| {
            match tdfa.search(&prog, cache, hay, &|_, _| true, &mut *may_match) {
                Outcome::Found(view) => Some(view.span(4)),
                Outcome::NotFound => None,
                Outcome::GaveUp => panic!("gave up on {hay:?}"),
            }
        };
        // A match at the first start: never asked, even if it would say no.
        assert_eq!(
            search(&mut cache, "12 b", Box::new(says(false))),
            Some(Some((3, 4)))
        );
        assert_eq!(asked.get().0, 0);
        // The first attempt (from 1, the first digit) fails: asked once,
        // from the next start; "no" ends the search.
        assert_eq!(search(&mut cache, "a1x 12 b", Box::new(says(false))), None);
        assert_eq!(asked.get(), (1, 2));
        // "Maybe": the later attempts run and find the match.
        assert_eq!(
            search(&mut cache, "a1x 12 b", Box::new(says(true))),
            Some(Some((7, 8)))
        );
        assert_eq!(asked.get(), (2, 2));
    }
}
