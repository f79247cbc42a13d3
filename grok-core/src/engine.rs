//! Runs a compiled [`Program`]: the relaxed regex on regex-automata (linear
//! time), the checks at the positions its markers report, and Oniguruma
//! under a retry limit only when a check fails.

use memchr::memmem::Finder;
use regex_automata::dfa::{dense, onepass, Automaton, StartKind};
use regex_automata::hybrid;
use regex_automata::meta;
use regex_automata::nfa::thompson;
use regex_automata::util::captures::{Captures as Slots, GroupInfo};
use regex_automata::util::primitives::StateID;
use regex_automata::PatternID;
use regex_automata::{Anchored, Input, MatchKind};
use regex_syntax::hir::{self, Hir, HirKind};

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::backtrack::{self, Backtracker, Memo};
use crate::compile::{self, CheckSpec, Program, Role};
use crate::error::{Error, ErrorKind};
use crate::once::BuildOnce;
use crate::per_thread::{Make, PerThread};
use crate::prog::{GuardRule, Outcome, Prog, ProgMemo, Tdfa, TdfaCache};
use crate::screen::Screen;
use crate::slots::SlotView;
use crate::word;

/// Lines longer than this are screened with the lazy DFA before the capture
/// search, lists of expressions or not.
const SCREEN_LEN: usize = 512;

/// Which engine decided a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    /// The linear-time engine, with every check passing.
    Linear,
    /// The exact backtracking engine (a check failed, or the pattern needs it).
    Exact,
}

/// Largest dense DFA built for an atomic group's body: short bodies
/// (NUMBER's) fit in a few kilobytes; a bigger one is left to the one-pass
/// DFA rather than spend compile time determinizing it.
const ATOMIC_DFA_LIMIT: usize = 64 << 10;

/// The anchored leftmost-first DFA of an atomic group's body, if it fits
/// `size_limit` (and [`ATOMIC_DFA_LIMIT`]) and its start state is the same
/// after any char.
fn atomic_dfa(nfa: &thompson::NFA, size_limit: usize) -> Option<Box<dense::DFA<Vec<u32>>>> {
    let dfa = anchored_dense(nfa, MatchKind::LeftmostFirst, size_limit)?;
    dfa.universal_start_state(Anchored::Yes)?;
    Some(Box::new(dfa))
}

/// An anchored dense DFA of an atomic group's body with match semantics
/// `kind`, within `size_limit` and [`ATOMIC_DFA_LIMIT`]; a Unicode `\b`
/// quits on a non-ASCII byte.
fn anchored_dense(
    nfa: &thompson::NFA,
    kind: MatchKind,
    size_limit: usize,
) -> Option<dense::DFA<Vec<u32>>> {
    let size_limit = size_limit.min(ATOMIC_DFA_LIMIT);
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .match_kind(kind)
                .start_kind(StartKind::Anchored)
                .unicode_word_boundary(true)
                .dfa_size_limit(Some(size_limit))
                .determinize_size_limit(Some(size_limit)),
        )
        .build_from_nfa(nfa)
        .ok()
}

/// Most state pairs [`extending_bytes`] walks before it gives up.
const MAX_STATE_PAIRS: usize = 1024;

/// The bytes that can extend a match of an atomic group's body into a
/// longer match from the same start, if the body's first match from any
/// start is always its longest (`None` otherwise, or when the DFAs do not
/// fit or cannot read some byte).
///
/// `first` is the body's anchored leftmost-first DFA ([`atomic_dfa`]).
/// The body's first match is its longest when `first` reports a match
/// wherever the body's all-matches DFA does: one walk over the pairs of
/// states the two reach on the same input checks that. Then a match of the
/// body at `start..end` that is not followed by an extending byte (or ends
/// the text) is the longest, so the first, so the group's own match: the
/// check holds without a walk (NUMBER's `[0-9]+(?:\.[0-9]+)?` followed by
/// a space).
fn extending_bytes(
    first: &dense::DFA<Vec<u32>>,
    nfa: &thompson::NFA,
    size_limit: usize,
) -> Option<Box<[bool; 256]>> {
    let all = anchored_dense(nfa, MatchKind::All, size_limit)?;
    let start = (
        first.universal_start_state(Anchored::Yes)?,
        all.universal_start_state(Anchored::Yes)?,
    );
    // Every pair of states one input leads the two DFAs to; matches are
    // reported one byte late, on the transition out of a state.
    let mut seen: HashSet<(StateID, StateID)> = HashSet::from([start]);
    let mut stack = vec![start];
    while let Some((p, q)) = stack.pop() {
        let eoi = (first.next_eoi_state(p), all.next_eoi_state(q));
        if all.is_match_state(eoi.1) && !first.is_match_state(eoi.0) {
            return None;
        }
        for b in 0..=255 {
            let next = (first.next_state(p, b), all.next_state(q, b));
            if first.is_quit_state(next.0) || all.is_quit_state(next.1) {
                return None;
            }
            if all.is_match_state(next.1) && !first.is_match_state(next.0) {
                return None;
            }
            if !all.is_dead_state(next.1) && seen.insert(next) {
                if seen.len() > MAX_STATE_PAIRS {
                    return None;
                }
                stack.push(next);
            }
        }
    }
    // A state is live when some input from it (maybe none) completes a
    // match: a transition out of it, or out of a state it leads to,
    // reports one.
    let states: HashSet<StateID> = seen.iter().map(|&(_, q)| q).collect();
    let reports = |q: StateID| {
        all.is_match_state(all.next_eoi_state(q))
            || (0..=255).any(|b| all.is_match_state(all.next_state(q, b)))
    };
    let mut live: HashSet<StateID> = states.iter().copied().filter(|&q| reports(q)).collect();
    loop {
        let more: Vec<StateID> = states
            .iter()
            .copied()
            .filter(|q| !live.contains(q))
            .filter(|&q| (0..=255).any(|b| live.contains(&all.next_state(q, b))))
            .collect();
        if more.is_empty() {
            break;
        }
        live.extend(more);
    }
    // Byte `b` extends a match when, right after one (the transition on
    // `b` reports it), a longer one is still ahead.
    let mut extending = Box::new([false; 256]);
    for &q in &states {
        for b in 0..=255u8 {
            let next = all.next_state(q, b);
            if all.is_match_state(next) && live.contains(&next) {
                extending[usize::from(b)] = true;
            }
        }
    }
    Some(extending)
}

/// Where the first match of `dfa` (built by [`atomic_dfa`]) from `start`
/// ends: `Some(None)` if there is none, `None` if the DFA cannot tell (a
/// non-ASCII byte next to a Unicode word boundary).
fn first_match_end(dfa: &dense::DFA<Vec<u32>>, hay: &str, start: usize) -> Option<Option<usize>> {
    let mut state = dfa.universal_start_state(Anchored::Yes)?;
    let mut end = None;
    for (at, &b) in hay.as_bytes().iter().enumerate().skip(start) {
        state = dfa.next_state(state, b);
        if dfa.is_special_state(state) {
            if dfa.is_match_state(state) {
                // Matches are reported one byte late.
                end = Some(at);
            } else if dfa.is_dead_state(state) {
                return Some(end);
            } else if dfa.is_quit_state(state) {
                return None;
            }
        }
    }
    state = dfa.next_eoi_state(state);
    if dfa.is_match_state(state) {
        end = Some(hay.len());
    } else if dfa.is_quit_state(state) {
        return None;
    }
    Some(end)
}

/// The first slot of a group the relaxed NFA lacks: past every slot, so
/// [`SlotView::span`] reads it as unset.
const NO_SLOT: usize = usize::MAX;

/// A check, the first slot of the relaxed group that marks where it
/// applies, and the tracked loops around it.
type Marker = (usize, Check, Box<[usize]>);

/// A match's field spans, as the engine that decided it left them.
pub(crate) enum Spans<'s> {
    /// The linear engines' capture slots, each field id's first slot, and
    /// the engine's field table, of which `fields` is the end (see
    /// [`Spans::skip_fields`]).
    Slots {
        slots: SlotView<'s>,
        fields: &'s [usize],
        table: &'s FieldSlots,
    },
    /// One span per field id (the exact engine's).
    Listed(&'s [Option<(usize, usize)>]),
}

/// Where an engine's fields are in its slots, both ways.
pub(crate) struct FieldSlots {
    /// First slot of each field id's relaxed group ([`NO_SLOT`]: not in
    /// the relaxed regex).
    slots: Box<[usize]>,
    /// The field id whose group starts at each slot ([`NO_FIELD`]: none);
    /// `None` unless each field starts a slot pair of its own (a group's
    /// first slot is even), which [`Spans::live_fields`] relies on.
    owners: Option<Box<[u32]>>,
}

/// The owner of a slot that starts no field's group.
const NO_FIELD: u32 = u32::MAX;

impl FieldSlots {
    fn new(slots: Vec<usize>) -> FieldSlots {
        let owners = Self::owners(&slots);
        FieldSlots {
            slots: slots.into(),
            owners,
        }
    }

    fn owners(field_slots: &[usize]) -> Option<Box<[u32]>> {
        let len = field_slots
            .iter()
            .filter(|&&slot| slot != NO_SLOT)
            .max()
            .map_or(0, |&slot| slot + 1);
        let mut owners = vec![NO_FIELD; len];
        for (id, &slot) in field_slots.iter().enumerate() {
            if slot == NO_SLOT {
                continue;
            }
            let id = u32::try_from(id).ok().filter(|&id| id != NO_FIELD)?;
            if slot % 2 != 0 || owners[slot] != NO_FIELD {
                return None;
            }
            owners[slot] = id;
        }
        Some(owners.into())
    }
}

impl Spans<'_> {
    /// The span of field id `field`, if it took part in the match.
    #[inline]
    pub(crate) fn get(&self, field: usize) -> Option<(usize, usize)> {
        match self {
            Spans::Slots { slots, fields, .. } => slots.span(*fields.get(field)?),
            Spans::Listed(spans) => spans.get(field).copied().flatten(),
        }
    }

    /// The field ids that may have a span, when the engine knows a list
    /// of at most `most` groups (a tagged-DFA match, whose final state maps
    /// the slots it never set to no register); `None`: any may. Ascending
    /// by group, which is the order of the ids.
    #[inline]
    pub(crate) fn live_fields(&self, most: usize) -> Option<impl Iterator<Item = usize> + '_> {
        let Spans::Slots {
            slots,
            fields,
            table,
        } = self
        else {
            return None;
        };
        let live = slots.live().filter(|live| live.len() <= most)?;
        let owners = table.owners.as_deref()?;
        // `fields` is the end of the table's: its ids are below the table's
        // by this much.
        let first = table.slots.len().checked_sub(fields.len())?;
        Some(live.iter().filter_map(move |&slot| {
            let owner = *owners.get(slot as usize)?;
            (owner != NO_FIELD)
                .then_some(owner as usize)?
                .checked_sub(first)
        }))
    }

    /// The spans from field id `first` on, renumbered from 0: one
    /// expression's fields within an alternation of several.
    pub(crate) fn skip_fields(self, first: usize) -> Self {
        match self {
            Spans::Slots {
                slots,
                fields,
                table,
            } => Spans::Slots {
                slots,
                fields: fields.get(first..).unwrap_or_default(),
                table,
            },
            Spans::Listed(spans) => Spans::Listed(spans.get(first..).unwrap_or_default()),
        }
    }
}

enum Check {
    /// A one-character look-around: membership of the neighbouring char.
    Char {
        ahead: bool,
        negate: bool,
        ascii: Box<[bool; 128]>,
        non_ascii: bool,
    },
    /// A look-ahead of a fixed run of single chars (TIME's `(?!<[0-9])`):
    /// membership of each following char in turn.
    Chars {
        negate: bool,
        tables: Box<[CharTable]>,
    },
    LookAhead {
        negate: bool,
        re: meta::Regex,
    },
    LookBehind {
        negate: bool,
        re: meta::Regex,
        max_len: usize,
    },
    Atomic {
        re: meta::Regex,
        /// The body as an anchored leftmost-first dense DFA whose start
        /// does not depend on the char before: a table walk to the end of
        /// the body's first match, the cheapest way to judge a short group
        /// (NUMBER's) when it fits.
        dense: Option<Box<dense::DFA<Vec<u32>>>>,
        /// When the body's first match is always its longest, the bytes
        /// that could make a match longer ([`extending_bytes`]): a match
        /// followed by none of them holds without a walk.
        extending: Option<Box<[bool; 256]>>,
        /// The body as a one-pass DFA, when it is one (`[0-9]+(?:\.[0-9]+)?`
        /// is): its anchored leftmost-first match is the atomic group's, in
        /// one pass with no backtracking.
        onepass: Option<Box<onepass::DFA>>,
        /// The same body as a program, run anchored (`None`: too large).
        prog: Option<Prog>,
    },
    Exact {
        re: onig::Regex,
        look: bool,
    },
}

struct Scratch {
    /// The relaxed regex's cache, made when this thread first runs it.
    cache: Option<meta::Cache>,
    screen_cache: Option<hybrid::dfa::Cache>,
    slots: Slots,
    memo: Memo,
    prog_memo: ProgMemo,
    tdfa: TdfaCache,
    checks: CheckScratch,
    /// Whether this thread's searches look for the required literal
    /// before the tagged DFA's first attempt: set when the literal ruled
    /// out a line after a failed attempt, cleared by the next match. Kept
    /// per thread: shared, it flipped on every run of lines that do not
    /// match, and each flip cost the other threads a cache miss on the
    /// engine's next search.
    literal_first: bool,
    rest: RestScratch,
}

/// A thread's share of [`Engine::rest`].
#[derive(Default)]
pub(crate) struct RestScratch {
    cache: Option<hybrid::dfa::Cache>,
    /// The bytes after failed first attempts that this thread's searches
    /// looked through while the screen was not built.
    scanned: usize,
}

/// How many times the relaxed regex's length the bytes after failed first
/// attempts add up to before [`Engine::rest`] is built: about what building
/// it costs, so a pattern pays at most twice what the best choice made in
/// hindsight would (building it at once, or never).
const REST_RENT: usize = 32;

/// Per-thread scratch space of the post-match checks.
struct CheckScratch {
    memo: ProgMemo,
    /// A cache for each check with a one-pass DFA, by check index.
    onepass: Vec<Option<onepass::Cache>>,
}

/// The engines a line may need but most never do (the tagged DFA or the
/// program extracts nearly every one): built by the first line that does,
/// which saves SSHLINE 40% of its compile and every thread its caches.
/// Building them from a pattern that compiled cannot fail short of a bug,
/// except the NFA of a pattern with a program, which may exceed the size
/// limit; that line's search then reports the error.
struct Fallbacks {
    /// The relaxed regex's HIR (`None`: the text did not parse, and the
    /// regex was built eagerly to report why).
    hir: Option<Hir>,
    /// The relaxed regex as a meta regex (lazy DFA, PikeVM).
    relaxed: OnceLock<Result<meta::Regex, Error>>,
    /// The Thompson NFA with every capture group, for the backtracker, and
    /// how many branch states the backtracker memoizes (its budget). Built
    /// at compile time when there is no program; otherwise by the first
    /// line too long for the program (the NFA of a large pattern costs as
    /// much to build as the rest of the compilation), so that its size
    /// limit may then fail that line's search.
    nfa: OnceLock<Result<(thompson::NFA, usize), Error>>,
    /// The backtracker's guards: slot and check.
    guards: Box<[(usize, u32)]>,
    backtracker: OnceLock<Backtracker>,
    /// The Oniguruma pattern, when some line may need it.
    exact_text: Option<Box<str>>,
    exact: OnceLock<Result<onig::Regex, Error>>,
}

impl Fallbacks {
    /// The relaxed regex (whose text is `text`) as a meta regex, built on
    /// first use under `size_limit`.
    fn relaxed(&self, text: &str, size_limit: usize) -> Result<&meta::Regex, Error> {
        let relaxed = self
            .relaxed
            .get_or_init(|| meta_regex(text, self.hir.as_ref(), size_limit));
        relaxed.as_ref().map_err(Error::clone)
    }

    /// The NFA (whose text is `text`) and its branch count, built on first
    /// use under `size_limit`.
    fn nfa(&self, text: &str, size_limit: usize) -> Result<&(thompson::NFA, usize), Error> {
        let nfa = self.nfa.get_or_init(|| {
            let nfa = thompson_nfa(text, self.hir.as_ref(), size_limit)?;
            let branches = backtrack::branch_count(&nfa);
            Ok((nfa, branches))
        });
        nfa.as_ref().map_err(Error::clone)
    }

    /// The backtracker, built on first use (with the NFA, as for
    /// [`Fallbacks::nfa`]), if a search over `len` bytes fits its memo
    /// budget.
    fn backtracker(
        &self,
        text: &str,
        size_limit: usize,
        len: usize,
    ) -> Result<Option<&Backtracker>, Error> {
        let (nfa, branches) = self.nfa(text, size_limit)?;
        if !backtrack::fits(*branches, len) {
            return Ok(None);
        }
        Ok(Some(self.backtracker.get_or_init(|| {
            let mut backtracker = Backtracker::new(nfa.clone());
            for &(slot, check) in &*self.guards {
                backtracker.set_guard(slot, check);
            }
            backtracker
        })))
    }

    /// The Oniguruma regex, built on first use; `None` when no line needs
    /// it.
    fn exact(&self) -> Result<Option<&onig::Regex>, Error> {
        let Some(text) = &self.exact_text else {
            return Ok(None);
        };
        let exact = self.exact.get_or_init(|| onig_regex(text));
        exact.as_ref().map(Some).map_err(Error::clone)
    }
}

pub(crate) struct Engine {
    fallbacks: Fallbacks,
    /// A coarser superset of `relaxed` (see [`compile::screening_hir`]) that
    /// screens lines before a capture search, built on first use (most
    /// single expressions never screen); `None`: `relaxed` screens.
    screen: BuildOnce<Option<Screen>>,
    /// The relaxed regex as a screen of the rest of a line whose first
    /// tagged-DFA attempt failed: one pass that rules out every later start
    /// (without it, each start whose first byte may begin a match is an
    /// attempt). Built once the bytes a thread looked through without it
    /// pass [`REST_RENT`] times the regex's length; `None`: it does not
    /// build.
    rest: BuildOnce<Option<Screen>>,
    /// The relaxed regex's text (see [`Engine::relaxed_text`]).
    relaxed_text: Box<str>,
    /// The size limit it was compiled under (for `screen`).
    size_limit: usize,
    /// Extracts captures; look-arounds are enforced during its search.
    prog: Option<Prog>,
    /// Extracts the same captures as `prog` in one pass over ASCII lines.
    tdfa: Option<Tdfa>,
    /// The checks the searches that take guards (the program, the tagged
    /// DFA, the backtracker) do not enforce while searching: all but the
    /// zero-width look-arounds. They are verified after the match.
    unenforced: Box<[usize]>,
    /// Whether anything beyond the match itself is needed (fields or checks).
    needs_groups: bool,
    /// Where the fields are in the slots.
    field_slots: FieldSlots,
    /// The checks, each with its marker group's first slot and the loops
    /// around it.
    checks: Box<[Marker]>,
    /// First slots of (whole-loop group, last-iteration group) of each
    /// tracked loop.
    loops: Box<[(usize, usize)]>,
    exact_only: bool,
    /// Oniguruma group number of each field id.
    exact_groups: Box<[Option<usize>]>,
    match_limit: u32,
    scratch: PerThread<Scratch>,
    fully_linear: bool,
    /// Whether the relaxed regex asserts `\b` or `\B`: on lines with a char
    /// where regex-automata's word characters differ from Oniguruma's, only
    /// the program (which uses Oniguruma's) or the exact engine may answer.
    word_boundary: bool,
    /// Whether a check's body asserts `\b` or `\B` (such lines then go to
    /// the exact engine).
    checks_use_words: bool,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("checks", &self.checks.len())
            .field("exact_only", &self.exact_only)
            .field("fully_linear", &self.fully_linear)
            .finish()
    }
}

/// The error of building an automaton: over the size limit (`over_limit`,
/// or its message says so), or an invalid regex.
fn build_error(err: &dyn std::error::Error, over_limit: bool, size_limit: usize) -> Error {
    // The top-level message is terse ("error building NFA"); the cause says why.
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    if over_limit
        || text.contains("exceeds size limit")
        || text.contains("too big")
        || text.contains("exceeded limit")
    {
        Error::new(
            ErrorKind::SizeLimit { limit: size_limit },
            format!("the compiled automaton is larger than the size limit (derived from {size_limit} bytes): {text}"),
        )
    } else {
        Error::new(ErrorKind::InvalidRegex, format!("invalid regex: {text}"))
    }
}

/// A relaxed regex (or check body) and its HIR, parsed once for the several
/// engines built from it. `hir` is `None` when it does not parse: building
/// from the text then reports why.
struct Relaxed<'a> {
    text: &'a str,
    hir: Option<Hir>,
}

impl<'a> Relaxed<'a> {
    fn parse(text: &'a str) -> Relaxed<'a> {
        Relaxed {
            text,
            hir: compile::relaxed_hir(text),
        }
    }

    /// [`Relaxed::parse`] of a pattern's relaxed regex, its `spans` parsed
    /// once per process (see [`compile::relaxed_hir_spliced`]).
    fn parse_spliced(text: &'a str, spans: &[(usize, usize)]) -> Relaxed<'a> {
        Relaxed {
            text,
            hir: compile::relaxed_hir_spliced(text, spans),
        }
    }

    /// Whether it asserts `\b` or `\B` (yes if it does not parse: be
    /// conservative).
    fn has_word_boundary(&self) -> bool {
        self.hir.as_ref().is_none_or(word::hir_has_boundary)
    }

    /// The meta regex (lazy DFA, PikeVM) for it.
    fn regex(&self, size_limit: usize) -> Result<meta::Regex, Error> {
        meta_regex(self.text, self.hir.as_ref(), size_limit)
    }

    /// The same, matching only where it ends at the end of the text.
    fn regex_at_end(&self, size_limit: usize) -> Result<meta::Regex, Error> {
        Relaxed {
            text: &format!("(?:{})\\z", self.text),
            hir: self
                .hir
                .clone()
                .map(|hir| Hir::concat(vec![hir, Hir::look(hir::Look::End)])),
        }
        .regex(size_limit)
    }

    /// The Thompson NFA with every capture group.
    fn nfa(&self, size_limit: usize) -> Result<thompson::NFA, Error> {
        thompson_nfa(self.text, self.hir.as_ref(), size_limit)
    }

    /// The backtracking program, if it has one.
    fn prog(&self) -> Option<Prog> {
        self.hir.as_ref().and_then(|hir| Prog::new(hir).ok())
    }
}

/// The Thompson NFA with every capture group of a relaxed regex, from its
/// HIR if it parsed.
fn thompson_nfa(text: &str, hir: Option<&Hir>, size_limit: usize) -> Result<thompson::NFA, Error> {
    let mut compiler = thompson::Compiler::new();
    compiler.syntax(compile::relaxed_syntax()).configure(
        thompson::Config::new()
            .nfa_size_limit(Some(size_limit.saturating_mul(16)))
            .which_captures(thompson::WhichCaptures::All),
    );
    match hir {
        Some(hir) => compiler.build_from_hir(hir),
        None => compiler.build(text),
    }
    .map_err(|e| build_error(&e, e.size_limit().is_some(), size_limit))
}

/// The capture groups of `hir` (one pattern) as the Thompson NFA built
/// from it would number and name them, without building it; `None` if
/// they do not form a valid set (the NFA then reports why).
fn group_info_of(hir: &Hir) -> Option<GroupInfo> {
    let mut names: Vec<Option<Option<&str>>> = Vec::new();
    let mut stack = vec![hir];
    while let Some(hir) = stack.pop() {
        match hir.kind() {
            HirKind::Capture(cap) => {
                let index = usize::try_from(cap.index).ok()?;
                if names.len() <= index {
                    names.resize(index + 1, None);
                }
                names[index] = Some(cap.name.as_deref());
                stack.push(&cap.sub);
            }
            HirKind::Concat(subs) | HirKind::Alternation(subs) => stack.extend(subs),
            HirKind::Repetition(rep) => stack.push(&rep.sub),
            HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {}
        }
    }
    // Group 0 is the whole match, unnamed; every other index is present.
    let mut groups = vec![None];
    for name in names.into_iter().skip(1) {
        groups.push(name?);
    }
    GroupInfo::new([groups]).ok()
}

/// The meta regex (lazy DFA, PikeVM) of a relaxed regex, from its HIR if
/// it parsed.
fn meta_regex(text: &str, hir: Option<&Hir>, size_limit: usize) -> Result<meta::Regex, Error> {
    let builder = meta::Builder::new()
        .configure(
            meta::Config::new()
                .nfa_size_limit(Some(size_limit.saturating_mul(16)))
                .hybrid_cache_capacity(8 << 20),
        )
        .syntax(compile::relaxed_syntax())
        .clone();
    match hir {
        Some(hir) => builder.build_from_hir(hir),
        None => builder.build(text),
    }
    .map_err(|e| build_error(&e, e.size_limit().is_some(), size_limit))
}

fn onig_regex(pattern: &str) -> Result<onig::Regex, Error> {
    onig::Regex::with_options(
        pattern,
        onig::RegexOptions::REGEX_OPTION_MULTILINE,
        onig::Syntax::ruby(),
    )
    .map_err(|e| {
        Error::new(
            ErrorKind::InvalidRegex,
            format!("invalid regex: {}", e.description()),
        )
    })
}

/// A one-character body (`[0-9]`, `\\`, `[^a-z]`) as a membership table
/// for ASCII plus one answer for every non-ASCII char; `None` when the body is
/// not a single char or non-ASCII membership is not uniform.
/// Membership of the ASCII chars, and of every other char.
type CharTable = (Box<[bool; 128]>, bool);

/// The tables of a look-around body that is a fixed run of single chars
/// (`[0-9]`, `<[0-9]`, `\\`), one per char.
fn char_tables(body: &str) -> Option<Vec<CharTable>> {
    use regex_syntax::hir::HirKind;
    let ast = regex_syntax::ast::parse::ParserBuilder::new()
        .build()
        .parse(body)
        .ok()?;
    let hir = regex_syntax::hir::translate::TranslatorBuilder::new()
        .build()
        .translate(body, &ast)
        .ok()?;
    let pieces = match hir.kind() {
        HirKind::Concat(subs) => subs.as_slice(),
        _ => std::slice::from_ref(&hir),
    };
    let mut tables = Vec::new();
    for piece in pieces {
        match piece.kind() {
            HirKind::Literal(lit) if lit.0.is_ascii() => {
                for &b in lit.0.iter() {
                    let mut ascii = Box::new([false; 128]);
                    ascii[usize::from(b)] = true;
                    tables.push((ascii, false));
                }
            }
            _ => tables.push(char_table(piece)?),
        }
    }
    (!tables.is_empty()).then_some(tables)
}

/// Whether `c` is in a [`CharTable`] (a missing char is not).
fn in_table(ascii: &[bool; 128], non_ascii: bool, c: Option<char>) -> bool {
    match c {
        None => false,
        Some(c) if c.is_ascii() => ascii[c as usize],
        Some(_) => non_ascii,
    }
}

/// The table of a single-char class or literal.
fn char_table(hir: &Hir) -> Option<CharTable> {
    use regex_syntax::hir::{Class, HirKind};
    let mut ascii = Box::new([false; 128]);
    let non_ascii = match hir.kind() {
        HirKind::Literal(lit) if lit.0.len() == 1 && lit.0[0] < 0x80 => {
            ascii[lit.0[0] as usize] = true;
            false
        }
        HirKind::Class(Class::Unicode(class)) => {
            let mut high = Vec::new();
            for r in class.ranges() {
                for c in (r.start() as u32)..=(r.end() as u32).min(0x7F) {
                    ascii[c as usize] = true;
                }
                if r.end() as u32 >= 0x80 {
                    high.push(((r.start() as u32).max(0x80), r.end() as u32));
                }
            }
            let covers_all =
                high == [(0x80, 0x10FFFF)] || high == [(0x80, 0xD7FF), (0xE000, 0x10FFFF)];
            if high.is_empty() {
                false
            } else if covers_all {
                true
            } else {
                return None;
            }
        }
        _ => return None,
    };
    Some((ascii, non_ascii))
}

impl Engine {
    pub(crate) fn new(
        program: &Program,
        field_count: usize,
        size_limit: usize,
        match_limit: u32,
    ) -> Result<Engine, Error> {
        let source = Relaxed::parse_spliced(&program.relaxed, &program.relaxed_spans);
        let mut prog = source.prog();
        // The NFA is needed only where there is no program; otherwise the
        // groups are numbered from the HIR, as the NFA would number them.
        let numbered = prog
            .as_ref()
            .and(source.hir.as_ref())
            .and_then(group_info_of);
        let (nfa, group_info) = match numbered {
            Some(groups) => (None, groups),
            None => {
                let nfa = source.nfa(size_limit)?;
                let groups = nfa.group_info().clone();
                (Some(nfa), groups)
            }
        };
        // Group `g`'s pair of slots (one pattern: `2g`, `2g + 1`).
        let first_slot = |group: usize| group_info.slot(PatternID::ZERO, group).unwrap_or(NO_SLOT);
        let mut checks_use_words = false;
        let mut field_slots = vec![NO_SLOT; field_count];
        let mut checks = Vec::with_capacity(program.checks.len());
        let mut loops = vec![(NO_SLOT, NO_SLOT); program.loop_count];
        for (i, role) in program.roles.iter().enumerate() {
            let slot = first_slot(i + 1);
            match *role {
                Role::Field(f) => field_slots[f] = slot,
                Role::Check(c) => {
                    let (check, uses_words) = Check::build(&program.checks[c], size_limit)?;
                    checks_use_words |= uses_words;
                    checks.push((
                        slot,
                        check,
                        program.check_loops[c].clone().into_boxed_slice(),
                    ));
                }
                Role::LoopWhole(l) => loops[l].0 = slot,
                Role::LoopLast(l) => loops[l].1 = slot,
            }
        }
        let word_boundary = source.has_word_boundary();
        let needs_exact = program.exact_only || !program.checks.is_empty() || word_boundary;
        let mut exact_groups = vec![None; field_count];
        for (i, f) in program.exact_fields.iter().enumerate() {
            exact_groups[*f] = Some(i + 1);
        }
        let scratch_groups = group_info.clone();
        let onepass: Vec<Option<onepass::DFA>> = checks
            .iter()
            .map(|(_, check, _)| match check {
                Check::Atomic { onepass, .. } => onepass.as_deref().cloned(),
                _ => None,
            })
            .collect();
        let create: Make<Scratch> = Box::new(move || Scratch {
            cache: None,
            screen_cache: None,
            slots: Slots::all(scratch_groups.clone()),
            memo: Memo::default(),
            prog_memo: ProgMemo::default(),
            tdfa: TdfaCache::default(),
            literal_first: false,
            rest: RestScratch::default(),
            checks: CheckScratch {
                memo: ProgMemo::default(),
                onepass: onepass
                    .iter()
                    .map(|dfa| dfa.as_ref().map(onepass::DFA::create_cache))
                    .collect(),
            },
        });
        let needs_groups = !program.roles.is_empty();
        let mut enforced = vec![false; checks.len()];
        let mut guards = Vec::new();
        for (i, &(slot, ref check, _)) in checks.iter().enumerate() {
            if check.zero_width() && slot != NO_SLOT {
                guards.push((slot, i as u32));
                if let Some(prog) = &mut prog {
                    prog.set_guard(slot, i as u32);
                }
                enforced[i] = true;
            }
        }
        let fallbacks = Fallbacks {
            nfa: match nfa {
                Some(nfa) => {
                    let branches = backtrack::branch_count(&nfa);
                    OnceLock::from(Ok((nfa, branches)))
                }
                None => OnceLock::new(),
            },
            guards: guards.into(),
            backtracker: OnceLock::new(),
            relaxed: OnceLock::new(),
            exact_text: needs_exact.then(|| program.exact.as_str().into()),
            exact: OnceLock::new(),
            hir: source.hir,
        };
        // The fallbacks that are the main engine are built now, so that
        // their errors are the pattern's: the relaxed regex where it decides
        // matches (nothing to extract, or no program) or where its text did
        // not parse (to report why), the backtracker where there is no
        // program, Oniguruma where it is the only engine.
        if !needs_groups || prog.is_none() || fallbacks.hir.is_none() {
            fallbacks.relaxed(&program.relaxed, size_limit)?;
        }
        if prog.is_none() {
            fallbacks.backtracker(&program.relaxed, size_limit, 0)?;
        }
        if program.exact_only {
            fallbacks.exact()?;
        }
        // An atomic group none of whose extending bytes can follow it holds
        // on every match of the pattern, in every iteration of the loops
        // around it: the byte after each of its matches is the first the
        // rest of the pattern reads there.
        let settled = |(slot, check, _): &Marker| match (check, &prog) {
            (
                Check::Atomic {
                    extending: Some(extending),
                    ..
                },
                Some(prog),
            ) => prog.never_followed_by(slot + 1, extending),
            _ => false,
        };
        let unenforced = (0..checks.len())
            .filter(|&i| !enforced[i] && !settled(&checks[i]))
            .collect();
        let tdfa = prog.as_ref().and_then(|prog| {
            Tdfa::new(prog, |check| match &checks[check as usize].1 {
                Check::Char {
                    ahead,
                    negate,
                    ascii,
                    ..
                } => GuardRule::Char {
                    ahead: *ahead,
                    negate: *negate,
                    ascii: **ascii,
                },
                _ => GuardRule::Deferred,
            })
        });
        Ok(Engine {
            prog,
            tdfa,
            fallbacks,
            unenforced,
            needs_groups,
            screen: BuildOnce::new(),
            rest: BuildOnce::new(),
            relaxed_text: program.relaxed.as_str().into(),
            size_limit,
            field_slots: FieldSlots::new(field_slots),
            checks: checks.into(),
            loops: loops.into(),
            exact_only: program.exact_only,
            exact_groups: exact_groups.into(),
            match_limit,
            scratch: PerThread::new(create),
            fully_linear: program.fully_linear(),
            word_boundary,
            checks_use_words,
        })
    }

    /// The relaxed regex (look-arounds replaced by check markers).
    pub(crate) fn relaxed_text(&self) -> &str {
        &self.relaxed_text
    }

    /// The relaxed regex's parse, if it parsed.
    pub(crate) fn relaxed_hir(&self) -> Option<&Hir> {
        self.fallbacks.hir.as_ref()
    }

    /// Whether its capture searches take the tagged DFA (lines of ASCII
    /// text, without a disputed `\b`, up to the program's length).
    pub(crate) fn takes_tdfa(&self) -> bool {
        self.tdfa.is_some() && self.prog.is_some() && !self.exact_only && self.needs_groups
    }

    /// Whether every match is decided on the linear-time path.
    pub(crate) fn fully_linear(&self) -> bool {
        self.fully_linear
    }

    /// Whether the text matches, without extracting fields. `screen` as
    /// for [`Engine::search`] (when checks must be run).
    pub(crate) fn is_match(&self, hay: &str, screen: bool) -> Result<bool, Error> {
        if self.checks.is_empty() && !self.exact_only && !self.disputed(hay) {
            // The lazy DFA, unless it is over the size limit (see
            // `screens_in`).
            if let Ok(found) = self.may_match(&mut self.scratch.get(), hay) {
                return Ok(found);
            }
        }
        Ok(self.search(hay, screen, None, |_, _| ())?.is_some())
    }

    /// The relaxed regex as a meta regex, and this thread's cache for it
    /// (`cache`, made if still `None`).
    fn relaxed<'c>(
        &self,
        cache: &'c mut Option<meta::Cache>,
    ) -> Result<(&meta::Regex, &'c mut meta::Cache), Error> {
        let re = self
            .fallbacks
            .relaxed(&self.relaxed_text, self.size_limit)?;
        Ok((re, cache.get_or_insert_with(|| re.create_cache())))
    }

    /// The lazy DFA's verdict on the relaxed regex: `false` means no match.
    fn may_match(&self, scratch: &mut Scratch, hay: &str) -> Result<bool, Error> {
        let (re, cache) = self.relaxed(&mut scratch.cache)?;
        Ok(re.is_match_with(cache, &Input::new(hay)))
    }

    /// Whether a match may start at `from` or later, once the tagged DFA's
    /// first attempt has failed: the relaxed regex's screen
    /// ([`Engine::rest`]) says, once built; until then, perhaps.
    fn rest_may_match(&self, rest: &mut RestScratch, hay: &str, from: usize) -> bool {
        let rent = self.relaxed_text.len().saturating_mul(REST_RENT);
        if self.rest.get().is_none() && rest.scanned < rent && from <= hay.len() {
            rest.scanned += hay.len() - from;
            return true;
        }
        self.may_match_from(rest, hay, from)
    }

    /// Whether a match may start at `from` or later, by the relaxed regex's
    /// screen ([`Engine::rest`], built now if it is not yet); perhaps if it
    /// does not build.
    pub(crate) fn may_match_from(&self, rest: &mut RestScratch, hay: &str, from: usize) -> bool {
        // After a failed attempt at the end of the text, no start is left.
        if from > hay.len() {
            return false;
        }
        // Not built (or being built by another thread): perhaps.
        let screen = self
            .rest
            .get_or_build(|| Screen::exact(self.relaxed_hir()?, self.size_limit));
        let Some(Some(screen)) = screen else {
            return true;
        };
        let cache = rest.cache.get_or_insert_with(|| screen.create_cache());
        screen.may_match_from(cache, hay, from)
    }

    /// Like [`Engine::may_match`] on the screening regex, a superset: `false`
    /// still means no match, `true` only perhaps.
    fn screens_in(&self, scratch: &mut Scratch, hay: &str) -> Result<bool, Error> {
        let Some(screen) = self
            .screen
            .get_or_build(|| Screen::coarser(self.relaxed_hir()?, self.size_limit))
        else {
            // Being built by another thread: perhaps.
            return Ok(true);
        };
        match screen {
            Some(screen) => {
                let cache = scratch
                    .screen_cache
                    .get_or_insert_with(|| screen.create_cache());
                Ok(screen.may_match(cache, hay))
            }
            // A meta regex over the size limit (possible only for a
            // pattern with a program, whose NFA was not built at compile
            // time) cannot screen: the capture search decides.
            None => Ok(self.may_match(scratch, hay).unwrap_or(true)),
        }
    }

    /// Finds the first match and hands `on_match` which engine decided and
    /// the fields' spans (read in place, while the search's scratch is
    /// still held); `None` when nothing matches. With `screen`, the lazy
    /// DFA first says whether anything can match: cheaper than the capture
    /// search on text that does not, dearer on text that does, so callers
    /// screen when they expect misses (lists of expressions).
    ///
    /// `literal`: a literal every match contains. The tagged DFA looks for
    /// it only once its first attempt has failed (on a line that matches
    /// there, the scan would be wasted), unless the literal ruled out a
    /// line since this thread's last match ([`Scratch::literal_first`]);
    /// every other way looks first.
    #[inline(always)]
    pub(crate) fn search<R>(
        &self,
        hay: &str,
        screen: bool,
        literal: Option<&Finder<'_>>,
        on_match: impl FnOnce(Decision, Spans<'_>) -> R,
    ) -> Result<Option<R>, Error> {
        // The lazy DFA and the fallbacks read `\b` the regex-automata way;
        // the program and the tagged DFA read it Oniguruma's way, so a line
        // they take whole (the usual case) is not scanned for it.
        let scanned = std::cell::OnceCell::new();
        let disputed = || *scanned.get_or_init(|| self.disputed(hay));
        let found = std::cell::OnceCell::new();
        let has_literal =
            || *found.get_or_init(|| literal.is_none_or(|f| f.find(hay.as_bytes()).is_some()));
        let mut held = self.scratch.get();
        let literal_first = literal.is_some() && held.literal_first;
        if literal_first && !has_literal() {
            return Ok(None);
        }
        let prog = self.prog.as_ref().filter(|p| p.fits(hay.len()));
        let screening = screen || hay.len() > SCREEN_LEN;
        let exact_first = (prog.is_none() || self.checks_use_words) && disputed();
        // Only the tagged DFA's way looks for the literal later.
        let to_tdfa = prog.is_some()
            && self.tdfa.is_some()
            && !self.exact_only
            && self.needs_groups
            && !screening
            && !exact_first;
        if !to_tdfa && !has_literal() {
            return Ok(None);
        }
        if exact_first {
            drop(held);
            return self.exact_search(hay, on_match);
        }
        {
            let scratch = &mut *held;
            if self.exact_only {
                if !disputed() && !self.screens_in(scratch, hay)? {
                    return Ok(None);
                }
            } else {
                if !self.needs_groups && !disputed() {
                    let found = self.may_match(scratch, hay)?;
                    return Ok(found.then(|| on_match(Decision::Linear, Spans::Listed(&[]))));
                }
                // Long lines are screened too: on them the DFA's pass is
                // cheap next to a capture search that finds nothing.
                if screening && !disputed() && !self.screens_in(scratch, hay)? {
                    return Ok(None);
                }
                let guard =
                    |check: u32, at: usize| self.checks[check as usize].1.holds(hay, at, at);
                let backtracker = match prog {
                    Some(_) => None,
                    None => self.fallbacks.backtracker(
                        &self.relaxed_text,
                        self.size_limit,
                        hay.len(),
                    )?,
                };
                let guarded = prog.is_some() || backtracker.is_some();
                let slots = if let Some(prog) = prog {
                    let outcome = match &self.tdfa {
                        Some(tdfa) => {
                            // A line the literal rules out after a failed
                            // attempt: lines that do not match may come in
                            // a run, so look for it first until one does.
                            let mut ruled_out = false;
                            let rest = &mut scratch.rest;
                            let mut ask = |from| {
                                let has = has_literal();
                                ruled_out = !has;
                                has && self.rest_may_match(rest, hay, from)
                            };
                            let outcome =
                                tdfa.search(prog, &mut scratch.tdfa, hay, &guard, &mut ask);
                            if ruled_out {
                                scratch.literal_first = true;
                            } else if matches!(outcome, Outcome::Found(_)) {
                                scratch.literal_first = false;
                            }
                            outcome
                        }
                        None => Outcome::GaveUp,
                    };
                    match outcome {
                        Outcome::Found(view) => view,
                        Outcome::NotFound => return Ok(None),
                        Outcome::GaveUp if !has_literal() => return Ok(None),
                        Outcome::GaveUp => {
                            let slots = scratch.slots.slots_mut();
                            if !prog.search(&mut scratch.prog_memo, hay, slots, &guard) {
                                return Ok(None);
                            }
                            SlotView::direct(slots)
                        }
                    }
                } else if let Some(backtracker) = backtracker {
                    if !backtracker.search(
                        &mut scratch.memo,
                        hay,
                        scratch.slots.slots_mut(),
                        &guard,
                    ) {
                        return Ok(None);
                    }
                    SlotView::direct(scratch.slots.slots())
                } else {
                    // Too long for the memo budget: the lazy DFA and the
                    // PikeVM, linear too.
                    let (re, cache) = self.relaxed(&mut scratch.cache)?;
                    re.search_captures_with(cache, &Input::new(hay), &mut scratch.slots);
                    if !scratch.slots.is_match() {
                        return Ok(None);
                    }
                    SlotView::direct(scratch.slots.slots())
                };
                let check_scratch = &mut scratch.checks;
                let ran_once = |l: &usize| {
                    let (whole, last) = self.loops[*l];
                    match (slots.span(whole), slots.span(last)) {
                        (Some(w), Some(l)) => w.0 == l.0,
                        _ => false,
                    }
                };
                let mut holds = |i: usize| {
                    let (slot, check, loops) = &self.checks[i];
                    match slots.span(*slot) {
                        None => true,
                        Some((start, end)) => {
                            loops.iter().all(ran_once)
                                && check.holds_with(check_scratch, i, hay, start, end)
                        }
                    }
                };
                let all_pass = if guarded {
                    self.unenforced.iter().all(|&i| holds(i))
                } else {
                    (0..self.checks.len()).all(holds)
                };
                if all_pass {
                    let spans = Spans::Slots {
                        slots,
                        fields: &self.field_slots.slots,
                        table: &self.field_slots,
                    };
                    return Ok(Some(on_match(Decision::Linear, spans)));
                }
            }
        }
        drop(held);
        self.exact_search(hay, on_match)
    }

    /// Whether this thread's searches look for the required literal before
    /// the tagged DFA's first attempt (see [`Scratch::literal_first`]).
    pub(crate) fn literal_goes_first(&self) -> bool {
        self.scratch.get().literal_first
    }

    /// Whether `\b` may read differently on this line in regex-automata
    /// than in Oniguruma.
    fn disputed(&self, hay: &str) -> bool {
        self.word_boundary && word::has_disputed(hay.as_bytes())
    }

    fn exact_search<R>(
        &self,
        hay: &str,
        on_match: impl FnOnce(Decision, Spans<'_>) -> R,
    ) -> Result<Option<R>, Error> {
        let Some(exact) = self.fallbacks.exact()? else {
            return Ok(None);
        };
        let mut region = onig::Region::new();
        let found = exact
            .search_with_param(
                hay,
                0,
                hay.len(),
                onig::SearchOptions::SEARCH_OPTION_NONE,
                Some(&mut region),
                self.param(),
            )
            .map_err(|_| self.limit_error())?;
        if found.is_none() {
            return Ok(None);
        }
        let spans: Vec<Option<(usize, usize)>> = self
            .exact_groups
            .iter()
            .map(|group| group.and_then(|g| region.pos(g)))
            .collect();
        Ok(Some(on_match(Decision::Exact, Spans::Listed(&spans))))
    }

    fn param(&self) -> onig::MatchParam {
        let mut param = onig::MatchParam::default();
        param.set_retry_limit_in_match(self.match_limit);
        // Bound the whole search too, not just the match at one position.
        // SAFETY: `param` owns a valid OnigMatchParam for its lifetime.
        unsafe {
            onig_sys::onig_set_retry_limit_in_search_of_match_param(
                param.as_raw(),
                std::os::raw::c_ulong::from(self.match_limit),
            );
        }
        param
    }

    fn limit_error(&self) -> Error {
        Error::new(
            ErrorKind::MatchLimit { limit: self.match_limit as usize },
            format!(
                "the exact engine gave up on this input after {} backtracking steps (the match limit)",
                self.match_limit
            ),
        )
    }
}

impl Check {
    /// The check for `spec`, and whether its body asserts `\b` or `\B`.
    fn build(spec: &CheckSpec, size_limit: usize) -> Result<(Check, bool), Error> {
        let (check, body) = match spec {
            CheckSpec::LookAhead { negate, body }
            | CheckSpec::LookBehind {
                negate,
                body,
                max_len: 1,
            } => {
                let body = Relaxed::parse(body);
                let ahead = matches!(spec, CheckSpec::LookAhead { .. });
                let tables = char_tables(body.text).unwrap_or_default();
                let check = match <[CharTable; 1]>::try_from(tables) {
                    Ok([(ascii, non_ascii)]) => Check::Char {
                        ahead,
                        negate: *negate,
                        ascii,
                        non_ascii,
                    },
                    Err(tables) if ahead && !tables.is_empty() => Check::Chars {
                        negate: *negate,
                        tables: tables.into(),
                    },
                    Err(_) if ahead => Check::LookAhead {
                        negate: *negate,
                        re: body.regex(size_limit)?,
                    },
                    Err(_) => Check::LookBehind {
                        negate: *negate,
                        re: body.regex_at_end(size_limit)?,
                        max_len: 1,
                    },
                };
                (check, body)
            }
            CheckSpec::LookBehind {
                negate,
                body,
                max_len,
            } => {
                let body = Relaxed::parse(body);
                let check = Check::LookBehind {
                    negate: *negate,
                    re: body.regex_at_end(size_limit)?,
                    max_len: *max_len,
                };
                (check, body)
            }
            CheckSpec::Atomic { body } => {
                let body = Relaxed::parse(body);
                let nfa = body.nfa(size_limit).ok();
                let dense = nfa.as_ref().and_then(|nfa| atomic_dfa(nfa, size_limit));
                let extending = match (&dense, &nfa) {
                    (Some(dfa), Some(nfa)) => extending_bytes(dfa, nfa, size_limit),
                    _ => None,
                };
                let check = Check::Atomic {
                    re: body.regex(size_limit)?,
                    dense,
                    extending,
                    onepass: nfa.and_then(|nfa| {
                        onepass::Builder::new()
                            .configure(
                                onepass::Config::new()
                                    .match_kind(MatchKind::LeftmostFirst)
                                    .size_limit(Some(size_limit)),
                            )
                            .build_from_nfa(nfa)
                            .ok()
                            .map(Box::new)
                    }),
                    prog: body.prog(),
                };
                (check, body)
            }
            CheckSpec::Exact { regex } => {
                let check = Check::Exact {
                    re: onig_regex(regex)?,
                    look: ["(?=", "(?!", "(?<=", "(?<!"]
                        .iter()
                        .any(|p| regex.starts_with(p)),
                };
                return Ok((check, false));
            }
        };
        Ok((check, body.has_word_boundary()))
    }

    /// Whether the check is a look-around (zero-width, decided by its
    /// position alone), which a backtracking search can enforce in place.
    fn zero_width(&self) -> bool {
        match self {
            Check::Char { .. }
            | Check::Chars { .. }
            | Check::LookAhead { .. }
            | Check::LookBehind { .. } => true,
            Check::Atomic { .. } => false,
            Check::Exact { look, .. } => *look,
        }
    }

    /// [`Check::holds`], with scratch space (this thread's) for checks that
    /// run a one-pass DFA or a program; `index` is the check's.
    fn holds_with(
        &self,
        scratch: &mut CheckScratch,
        index: usize,
        hay: &str,
        start: usize,
        end: usize,
    ) -> bool {
        let Check::Atomic {
            dense,
            extending,
            onepass,
            prog,
            ..
        } = self
        else {
            return self.holds(hay, start, end);
        };
        if let Some(extending) = extending {
            match hay.as_bytes().get(end) {
                None => return true,
                Some(&b) if !extending[usize::from(b)] => return true,
                Some(_) => {}
            }
        }
        if let Some(found) = dense
            .as_deref()
            .and_then(|dfa| first_match_end(dfa, hay, start))
        {
            return found == Some(end);
        }
        if let (Some(dfa), Some(Some(cache))) = (onepass, scratch.onepass.get_mut(index)) {
            let input = Input::new(hay).range(start..).anchored(Anchored::Yes);
            let mut slots = [None, None];
            if let Ok(found) = dfa.try_search_slots(cache, &input, &mut slots) {
                return found.is_some() && slots[1].map(|e| e.get()) == Some(end);
            }
        }
        match prog {
            Some(prog) if prog.fits(hay.len() - start) => {
                prog.anchored_end(&mut scratch.memo, hay, start) == Some(end)
            }
            _ => self.holds(hay, start, end),
        }
    }

    /// Whether the removed construct holds for the group at `start..end`.
    fn holds(&self, hay: &str, start: usize, end: usize) -> bool {
        match self {
            Check::Char {
                ahead,
                negate,
                ascii,
                non_ascii,
            } => {
                let c = if *ahead {
                    hay[start..].chars().next()
                } else {
                    hay[..start].chars().next_back()
                };
                in_table(ascii, *non_ascii, c) != *negate
            }
            Check::Chars { negate, tables } => {
                let mut chars = hay[start..].chars();
                let found = tables
                    .iter()
                    .all(|(ascii, non_ascii)| in_table(ascii, *non_ascii, chars.next()));
                found != *negate
            }
            Check::LookAhead { negate, re } => {
                let found = re
                    .search(
                        &Input::new(hay)
                            .range(start..)
                            .anchored(Anchored::Yes)
                            .earliest(true),
                    )
                    .is_some();
                found != *negate
            }
            Check::LookBehind {
                negate,
                re,
                max_len,
            } => {
                let mut from = start.saturating_sub(*max_len);
                while !hay.is_char_boundary(from) {
                    from -= 1;
                }
                let found = re
                    .search(&Input::new(&hay[..start]).range(from..))
                    .is_some();
                found != *negate
            }
            Check::Atomic { re, .. } => re
                .search(&Input::new(hay).range(start..).anchored(Anchored::Yes))
                .is_some_and(|m| m.end() == end),
            Check::Exact { re, .. } => {
                let mut param = onig::MatchParam::default();
                param.set_retry_limit_in_match(100_000);
                matches!(
                    re.match_with_param(hay, start, onig::SearchOptions::SEARCH_OPTION_NONE, None, param),
                    Ok(Some(len)) if len == end - start
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn nfa(body: &str) -> thompson::NFA {
        Relaxed::parse(body).nfa(1 << 20).unwrap()
    }

    /// Where the leftmost-first match of `body` anchored at `start` ends.
    fn reference_end(body: &str, hay: &str, start: usize) -> Option<usize> {
        let re = Relaxed::parse(body).regex(1 << 20).unwrap();
        re.search(&Input::new(hay).range(start..).anchored(Anchored::Yes))
            .map(|m| m.end())
    }

    const BODIES: [&str; 5] = [
        r"[+-]?(?:(?:[0-9]+(?:\.[0-9]+)?)|(?:\.[0-9]+))",
        "a|ab",
        "(?:ab)*?c?",
        "x*",
        r"\w+\b",
    ];

    /// Which fallbacks an engine has built: the relaxed meta regex, the
    /// backtracker, Oniguruma.
    fn built(engine: &Engine) -> (bool, bool, bool) {
        let f = &engine.fallbacks;
        (
            f.relaxed.get().is_some(),
            f.backtracker.get().is_some(),
            f.exact.get().is_some(),
        )
    }

    #[test]
    fn fallbacks_are_built_by_the_first_line_that_needs_them() {
        let lib = crate::PatternLibrary::legacy();
        let word = lib.compile(r"%{WORD:w}\b").unwrap();
        assert_eq!(built(&word.inner.engine), (false, false, false));
        let caps = word.captures("hello there").unwrap().unwrap();
        assert_eq!(caps["w"].as_str(), Some("hello"));
        assert_eq!(built(&word.inner.engine), (false, false, false));
        // A yes/no match with no checks is the lazy DFA's.
        assert!(word.try_is_match("hello").unwrap());
        assert_eq!(built(&word.inner.engine), (true, false, false));

        // The relaxed `a*a` matches "aa"; the atomic group's check then
        // fails, and Oniguruma (built now) says there is no match.
        let atomic = lib.compile("(?>a*)a").unwrap();
        assert_eq!(built(&atomic.inner.engine), (false, false, false));
        assert!(atomic.captures("aa").unwrap().is_none());
        assert_eq!(built(&atomic.inner.engine), (false, false, true));
    }

    #[test]
    fn the_nfa_of_a_pattern_with_a_program_is_built_by_the_first_line_too_long_for_it() {
        let lib = crate::PatternLibrary::legacy();
        let p = lib.compile("%{SYSLOGBASE} %{GREEDYDATA:msg}").unwrap();
        let engine = &p.inner.engine;
        let prog = engine.prog.as_ref().unwrap();
        assert!(engine.fallbacks.nfa.get().is_none());
        let short = "Jan  1 00:00:00 host app[1]: hello";
        assert_eq!(
            p.captures(short).unwrap().unwrap()["msg"].as_str(),
            Some("hello")
        );
        assert!(engine.fallbacks.nfa.get().is_none());
        let long = format!("Jan  1 00:00:00 host app[1]: {}", "y".repeat(100_000));
        assert!(!prog.fits(long.len()));
        let caps = p.captures(&long).unwrap().unwrap();
        assert_eq!(caps["msg"].as_str().map(str::len), Some(100_000));
        assert_eq!(caps["program"].as_str(), Some("app"));
        assert!(matches!(engine.fallbacks.nfa.get(), Some(Ok(_))));
    }

    #[test]
    fn each_thread_learns_for_itself_whether_to_look_for_the_literal_first() {
        let lib = crate::PatternLibrary::legacy();
        let p = lib
            .compile("%{SYSLOGBASE} Accepted %{WORD:method}")
            .unwrap();
        let other = "Jan  1 00:00:00 host app[1]: hello";
        let accepted = "Jan  1 00:00:00 host sshd[1]: Accepted password";
        assert!(!p.looks_for_literal_first());
        assert!(p.captures(other).unwrap().is_none());
        assert!(
            p.looks_for_literal_first(),
            "the literal ruled the line out"
        );
        std::thread::scope(|s| {
            s.spawn(|| {
                assert!(!p.looks_for_literal_first(), "another thread's run");
                let caps = p.captures(accepted).unwrap().unwrap();
                assert_eq!(caps["method"].as_str(), Some("password"));
                assert!(p.captures(other).unwrap().is_none());
                assert!(p.looks_for_literal_first());
            });
        });
        assert!(p.looks_for_literal_first());
        let caps = p.captures(accepted).unwrap().unwrap();
        assert_eq!(caps["program"].as_str(), Some("sshd"));
        assert!(!p.looks_for_literal_first(), "a match ends the run");
    }

    #[test]
    fn the_rest_of_a_line_is_screened_once_its_later_starts_cost_what_the_screen_does() {
        let lib = crate::PatternLibrary::legacy();
        let p = lib.compile("%{INT:n:int} apples").unwrap();
        let engine = &p.inner.engine;
        // The literal " apples" is there, the first attempt (at "12")
        // fails: the rest of the line is looked through, 17 bytes.
        let miss = "12 pears, x apples";
        let later = "12 pears, 3 apples";
        let rent = engine.relaxed_text.len() * REST_RENT;
        let lines_before = rent.div_ceil(miss.len() - 1);
        for _ in 0..lines_before {
            assert!(p.captures(miss).unwrap().is_none());
        }
        assert!(engine.rest.get().is_none(), "built before its rent");
        assert!(engine.scratch.get().rest.cache.is_none());
        assert!(p.captures(miss).unwrap().is_none());
        assert!(engine.rest.get().is_some_and(|s| s.is_some()));
        assert!(engine.scratch.get().rest.cache.is_some(), "the screen ran");
        let caps = p.captures(later).unwrap().unwrap();
        assert_eq!(caps["n"], crate::Value::Int(3));
        assert_eq!(caps.spans("n"), [(10, 11)]);
        // Another thread uses the screen built, with a cache of its own.
        std::thread::scope(|s| {
            s.spawn(|| {
                assert!(p.captures(miss).unwrap().is_none());
                assert!(engine.scratch.get().rest.cache.is_some());
                assert_eq!(
                    p.captures(later).unwrap().unwrap()["n"],
                    crate::Value::Int(3)
                );
                // Non-ASCII text past the first attempt: the screen's
                // "perhaps", and the search decides.
                let caps = p.captures("12 pears, é 4 apples").unwrap().unwrap();
                assert_eq!(caps["n"], crate::Value::Int(4));
            });
        });
        // Asked after an attempt at the end of the text: no start is left,
        // and the screen is not asked. Before it and in it, its answers.
        let mut rest = RestScratch::default();
        assert!(!engine.rest_may_match(&mut rest, "", 1));
        assert!(!engine.rest_may_match(&mut rest, "x apples", 9));
        assert!(engine.rest_may_match(&mut rest, "x 5 apples", 1));
        assert!(!engine.rest_may_match(&mut rest, "x 5 apples", 3));
    }

    #[test]
    fn an_automaton_over_the_size_limit_fails_only_the_lines_too_long_for_the_program() {
        let lib = crate::PatternLibrary::legacy();
        let options = crate::CompileOptions::new().size_limit(4096);
        let p = lib.compile_with(r"(?<w>\p{L}{300})", &options).unwrap();
        let prog = p.inner.engine.prog.as_ref().unwrap();
        let short = "é".repeat(300);
        assert_eq!(
            p.captures(&short).unwrap().unwrap()["w"].as_str(),
            Some(&*short)
        );
        assert!(p.try_is_match(&short).unwrap());
        assert!(!p.try_is_match("é").unwrap());
        let long = "a".repeat(300) + &" ".repeat(1 << 20);
        assert!(!prog.fits(long.len()));
        let err = p.captures(&long).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::SizeLimit { .. }), "{err}");
        assert!(
            err.message().contains("larger than the size limit"),
            "{err}"
        );
    }

    #[test]
    fn the_atomic_dfa_finds_the_first_match_of_the_body() {
        let dfa = atomic_dfa(&nfa(BODIES[0]), 1 << 20).unwrap();
        assert_eq!(first_match_end(&dfa, "HTTP/1.1\"", 5), Some(Some(8)));
        assert_eq!(first_match_end(&dfa, "-12.5.3", 0), Some(Some(5)));
        assert_eq!(first_match_end(&dfa, "12.", 0), Some(Some(2)));
        assert_eq!(first_match_end(&dfa, "x", 0), Some(None));
        let dfa = atomic_dfa(&nfa("a|ab"), 1 << 20).unwrap();
        assert_eq!(first_match_end(&dfa, "ab", 0), Some(Some(1)));
    }

    #[test]
    fn the_atomic_dfa_defers_unicode_word_boundaries_next_to_non_ascii() {
        let dfa = atomic_dfa(&nfa(r"\w+\b"), 1 << 20).unwrap();
        assert_eq!(first_match_end(&dfa, "ab cd", 0), Some(Some(2)));
        assert_eq!(first_match_end(&dfa, "abé", 0), None);
    }

    #[test]
    fn an_atomic_group_that_what_follows_cannot_extend_is_not_checked() {
        let lib = crate::PatternLibrary::legacy();
        let atomic = |p: &crate::Pattern| {
            let engine = &p.inner.engine;
            let atomic = (engine.checks.iter())
                .filter(|(_, c, _)| matches!(c, Check::Atomic { .. }))
                .count();
            (atomic, engine.unenforced.len())
        };
        // NUMBER's body may grow by a digit or a '.': followed by a space
        // or a comma it has nothing to check, also inside a loop.
        for settled in ["%{NUMBER:n} %{WORD:w}", r"(?:%{NUMBER:n},)+x"] {
            assert_eq!(atomic(&lib.compile(settled).unwrap()), (1, 0), "{settled}");
        }
        // Followed by what may start with a digit or a '.', or by the end of
        // the pattern (any byte may follow in the text): checked.
        for checked in ["%{NUMBER:n}%{WORD:w}", r"%{NUMBER:n}\.?x", "%{NUMBER:n}"] {
            assert_eq!(atomic(&lib.compile(checked).unwrap()), (1, 1), "{checked}");
        }
        // A loop that ran more than once, with nothing left to check, stays
        // on the linear engine, with the last iteration's value.
        let p = lib.compile(r"(?:%{NUMBER:n:int},)+x").unwrap();
        let caps = p.captures("1,22,333,x").unwrap().unwrap();
        assert_eq!(caps["n"], crate::Value::Int(333));
        assert_eq!(caps.decision(), Decision::Linear);
        // Where it is checked, the atomic group still takes all it can:
        // `12x` is not `1` then `2x`.
        let p = lib.compile("%{NUMBER:a}2x").unwrap();
        assert_eq!(atomic(&p), (1, 1));
        assert!(p.captures("12x").unwrap().is_none());
    }

    /// The field ids `live_fields` lists for `line`'s match, and what the
    /// match captured.
    fn live_of(p: &crate::Pattern, line: &str) -> (Option<Vec<usize>>, Vec<(String, String)>) {
        let live = p
            .inner
            .engine
            .search(line, false, None, |_, spans| {
                spans.live_fields(usize::MAX).map(|ids| ids.collect())
            })
            .unwrap()
            .unwrap();
        let caps = p.captures(line).unwrap().unwrap();
        let fields = caps
            .iter()
            .flat_map(|(f, values)| values.iter().map(|v| (f.name().to_string(), v.to_string())))
            .collect();
        (live, fields)
    }

    #[test]
    fn a_tagged_dfa_match_lists_only_the_fields_its_alternative_may_set() {
        let lib = crate::PatternLibrary::legacy();
        // 20 alternatives, each with fields of its own and a shared name;
        // the one that matches sets `x` twice around `n`.
        let mut alts: Vec<String> = (0..19)
            .map(|i| format!("k{i} %{{WORD:w{i}}} %{{INT:x:int}}"))
            .collect();
        alts.push("last %{WORD:x} %{INT:n:int} %{WORD:x}(?: %{WORD:tail})?".into());
        let p = lib.compile(&alts.join("|")).unwrap();
        let x = |v: &str| ("x".to_string(), v.to_string());
        let (live, fields) = live_of(&p, "last a 7 b");
        // Ids in pattern order: 19 alternatives of two, then x, n, x, tail.
        assert_eq!(live, Some(vec![38, 39, 40]), "tail may not be set");
        assert_eq!(fields, [x("a"), x("b"), ("n".into(), "7".into())]);
        let (live, fields) = live_of(&p, "last a 7 b c");
        assert_eq!(live, Some(vec![38, 39, 40, 41]));
        assert_eq!(fields.last(), Some(&("tail".into(), "c".into())));
        let (live, fields) = live_of(&p, "k3 w 5");
        assert_eq!(live, Some(vec![6, 7]));
        // Fields come in order of first appearance: `x` is in the first
        // alternative.
        assert_eq!(fields, [x("5"), ("w3".into(), "w".into())]);
        assert_eq!(
            p.captures("k3 w 5").unwrap().unwrap()["x"],
            crate::Value::Int(5)
        );
    }

    fn extending_of(body: &str) -> Option<String> {
        let nfa = nfa(body);
        let dfa = atomic_dfa(&nfa, 1 << 20).unwrap();
        let bytes = extending_bytes(&dfa, &nfa, 1 << 20)?;
        Some(
            (0..=255u8)
                .filter(|&b| bytes[usize::from(b)])
                .map(char::from)
                .collect(),
        )
    }

    #[test]
    fn only_bodies_whose_first_match_is_the_longest_get_extending_bytes() {
        assert_eq!(extending_of(BODIES[0]).as_deref(), Some(".0123456789"));
        assert_eq!(extending_of("x*").as_deref(), Some("x"));
        assert_eq!(
            extending_of("[a-z]+-?").as_deref(),
            Some("-abcdefghijklmnopqrstuvwxyz")
        );
        // The first alternative, or the lazy repeat, stops short of the longest.
        assert_eq!(extending_of("a|ab"), None);
        assert_eq!(extending_of("(?:ab)*?c?"), None);
        // A Unicode `\b` next to a non-ASCII byte is not decided by the DFA.
        assert_eq!(extending_of(r"\w+\b"), None);
    }

    /// Whether `body` matches all of `hay[start..end]` (a match the
    /// relaxed regex could have captured for the group).
    fn matches_exactly(body: &str, hay: &str, start: usize, end: usize) -> bool {
        let re = Relaxed::parse(&format!("^(?:{body})$"))
            .regex(1 << 20)
            .unwrap();
        re.is_match(&hay[start..end])
    }

    proptest! {
        #[test]
        fn a_check_decided_by_its_next_byte_agrees_with_the_walk(
            body in 0..BODIES.len(),
            hay in "[ab0-9.+x c-]{0,12}",
            start in 0usize..12,
            len in 0usize..12,
        ) {
            let body = BODIES[body];
            let start = start.min(hay.len());
            let end = (start + len).min(hay.len());
            prop_assume!(matches_exactly(body, &hay, start, end));
            let (check, _) = Check::build(&CheckSpec::Atomic { body: body.to_string() }, 1 << 20).unwrap();
            let mut scratch = CheckScratch { memo: ProgMemo::default(), onepass: vec![None] };
            let expected = reference_end(body, &hay, start) == Some(end);
            prop_assert_eq!(check.holds_with(&mut scratch, 0, &hay, start, end), expected);
        }

        #[test]
        fn the_atomic_dfa_agrees_with_the_regex(
            body in 0..BODIES.len(),
            hay in "[ab0-9.+x c-]{0,12}",
            start in 0usize..12,
        ) {
            let start = start.min(hay.len());
            let dfa = atomic_dfa(&nfa(BODIES[body]), 1 << 20).unwrap();
            prop_assert_eq!(
                first_match_end(&dfa, &hay, start),
                Some(reference_end(BODIES[body], &hay, start))
            );
        }
    }
}
