//! Turns an expanded tree into two regexes over the same groups:
//!
//! - the **relaxed** regex, for the linear-time engine (regex-automata):
//!   look-arounds become empty marker groups and atomic groups become plain
//!   groups, so it matches a superset of what the exact regex matches. Every
//!   removed construct that the match went through becomes a [`CheckSpec`],
//!   verified after the match at the position the marker reports;
//! - the **exact** regex, in Oniguruma's Ruby syntax, used only when a check
//!   fails (or for the rare pattern the relaxed form cannot decide).
//!
//! Why the checks make the result exact: the relaxed engine reports the first
//! path in backtracking priority order among a superset of paths. If every
//! removed assertion holds on that path, the path is also valid for the exact
//! engine, and any path the exact engine would prefer would have been valid for
//! the relaxed engine too, so it would have been found first.

use regex_syntax::ast::parse::ParserBuilder;
use regex_syntax::hir::translate::TranslatorBuilder;

use crate::error::{Error, ErrorKind};
use crate::syntax::{Assert, Class, ClassItem, Group, GroupKind, Node, Perl, Repeat};

/// What a capture group of the relaxed regex stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Field(usize),
    Check(usize),
    /// The whole of a tracked loop.
    LoopWhole(usize),
    /// The last iteration of a tracked loop.
    LoopLast(usize),
}

/// A removed construct to verify after a relaxed match.
#[derive(Clone, Debug)]
pub(crate) enum CheckSpec {
    /// `(?=body)` / `(?!body)` at the marker's position; `body` is a relaxed
    /// regex with no checks of its own.
    LookAhead { negate: bool, body: String },
    /// `(?<=body)` / `(?<!body)`; `max_len` bounds the body's length in bytes.
    LookBehind {
        negate: bool,
        body: String,
        max_len: usize,
    },
    /// `(?>body)`: the first match of `body` at the group's start must end
    /// where the group ended.
    Atomic { body: String },
    /// A construct with nested checks, verified by the exact engine at the
    /// group's start: it must match exactly the group's span. `regex` is in
    /// Oniguruma syntax.
    Exact { regex: String },
}

pub(crate) struct Program {
    pub exact: String,
    /// Field id of each exact (Oniguruma) group, in group-number order.
    pub exact_fields: Vec<usize>,
    pub relaxed: String,
    pub roles: Vec<Role>,
    pub checks: Vec<CheckSpec>,
    /// For each check, the tracked loops around it: its marker speaks for
    /// every iteration only when each of them ran exactly once.
    pub check_loops: Vec<Vec<usize>>,
    /// How many tracked loops there are.
    pub loop_count: usize,
    /// The relaxed regex cannot decide some lines: every relaxed match must be
    /// confirmed by the exact engine.
    pub exact_only: bool,
    /// Where `relaxed` holds large sub-expressions with no groups and no
    /// flags around them (byte ranges, in order, none inside another):
    /// each can be parsed on its own ([`relaxed_hir_spliced`]).
    pub relaxed_spans: Vec<(usize, usize)>,
}

impl Program {
    /// Whether every match is decided on the linear-time path (checks included).
    pub fn fully_linear(&self) -> bool {
        !self.exact_only
            && !self
                .checks
                .iter()
                .any(|c| matches!(c, CheckSpec::Exact { .. }))
    }
}

pub(crate) fn compile(root: &Node, size_limit: usize) -> Result<Program, Error> {
    let mut exact = Emitter::new(Target::Exact, size_limit);
    exact.node(root)?;
    let mut relaxed = Emitter::new(Target::Relaxed, size_limit);
    relaxed.node(root)?;
    let exact_fields = exact
        .roles
        .iter()
        .filter_map(|r| {
            if let Role::Field(f) = r {
                Some(*f)
            } else {
                None
            }
        })
        .collect();
    Ok(Program {
        exact: exact.out,
        exact_fields,
        relaxed: relaxed.out,
        roles: relaxed.roles,
        checks: relaxed.checks,
        check_loops: relaxed.check_loops,
        loop_count: relaxed.loop_count,
        exact_only: relaxed.exact_only,
        relaxed_spans: if relaxed.flags_seen {
            Vec::new()
        } else {
            relaxed.spans
        },
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// Oniguruma, Ruby syntax.
    Exact,
    /// regex-automata, with markers and checks.
    Relaxed,
    /// regex-automata, assertions dropped and no capture groups: a superset
    /// used for a check's body or for analysis.
    Plain,
}

struct Emitter {
    target: Target,
    out: String,
    roles: Vec<Role>,
    checks: Vec<CheckSpec>,
    check_loops: Vec<Vec<usize>>,
    loop_count: usize,
    exact_only: bool,
    /// Enclosing repetitions that may run more than once: a marker in there
    /// reports only its last iteration. A tracked loop (`Some(id)`) reports
    /// whether it ran once; an untracked one (`None`) makes checks impossible.
    loops: Vec<Option<usize>>,
    /// Whether the relaxed output left out a construct that cannot be
    /// checked (only meaningful for `Plain` bodies).
    lossy: bool,
    size_limit: usize,
    /// The relaxed output's spliceable sub-expressions (see
    /// [`Program::relaxed_spans`]).
    spans: Vec<(usize, usize)>,
    /// Whether the output sets flags anywhere (a sub-expression parsed on
    /// its own would then miss those in force around it).
    flags_seen: bool,
}

/// Shortest sub-expression worth parsing on its own and splicing in (see
/// [`relaxed_hir_spliced`]): below this, the placeholder and the splice
/// cost about what the parse saves.
const MIN_SPLICE: usize = 128;

fn too_big(limit: usize) -> Error {
    Error::new(
        ErrorKind::SizeLimit { limit },
        format!("the expanded regex is larger than the size limit of {limit} bytes"),
    )
}

impl Emitter {
    fn new(target: Target, size_limit: usize) -> Emitter {
        Emitter {
            target,
            out: String::new(),
            roles: Vec::new(),
            checks: Vec::new(),
            check_loops: Vec::new(),
            loop_count: 0,
            exact_only: false,
            loops: Vec::new(),
            lossy: false,
            size_limit,
            spans: Vec::new(),
            flags_seen: false,
        }
    }

    fn sub(&self, target: Target) -> Emitter {
        Emitter::new(target, self.size_limit)
    }

    fn node(&mut self, node: &Node) -> Result<(), Error> {
        if self.out.len() > self.size_limit {
            return Err(too_big(self.size_limit));
        }
        match node {
            Node::Empty | Node::Ref(_) => {}
            Node::Literal(c) => self.literal(*c),
            Node::Class(class) => {
                let mut text = String::new();
                class_text(class, &mut text, self.target == Target::Exact);
                self.out.push_str(&text);
            }
            Node::Dot => self.out.push('.'),
            Node::Assert(a) => self.assert(*a),
            Node::Concat(items) => {
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Node::Repeat(rep)
                            if self.target != Target::Exact
                                && atomic_loop_is_plain(rep, items.get(i + 1)) =>
                        {
                            self.node(&Node::Repeat(Box::new(Repeat {
                                node: without_atomic(&rep.node),
                                ..(**rep).clone()
                            })))?;
                        }
                        _ => self.node(item)?,
                    }
                }
            }
            Node::Alt(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push('|');
                    }
                    self.node(item)?;
                }
            }
            Node::Repeat(rep) => self.repeat(rep)?,
            Node::Group(group) => self.group(group)?,
            Node::ExactOnly(raw) => {
                if self.target == Target::Exact {
                    self.out.push_str(raw);
                } else {
                    // Matches whatever the construct could match.
                    self.out.push_str("(?s:.*?)");
                    self.exact_only = true;
                    self.lossy = true;
                }
            }
            Node::Flags(flags) => {
                self.flags_seen = true;
                self.out.push_str("(?");
                self.out.push_str(&self.flags(flags));
                self.out.push(')');
            }
        }
        Ok(())
    }

    fn flags(&self, flags: &str) -> String {
        if self.target == Target::Exact {
            flags.to_string()
        } else {
            // Ruby's `m` is dot-matches-newline, which regex calls `s`.
            flags.replace('m', "s")
        }
    }

    fn literal(&mut self, c: char) {
        if c.is_control() {
            self.out.push_str(&format!("\\x{{{:X}}}", c as u32));
        } else if self.target == Target::Exact {
            if "\\.^$|?*+()[]{}".contains(c) {
                self.out.push('\\');
            }
            self.out.push(c);
        } else {
            self.out
                .push_str(&regex_syntax::escape(c.encode_utf8(&mut [0; 4])));
        }
    }

    fn assert(&mut self, a: Assert) {
        let exact = self.target == Target::Exact;
        let text = match a {
            Assert::LineStart if exact => "^",
            Assert::LineStart => "(?m:^)",
            Assert::LineEnd if exact => "$",
            Assert::LineEnd => "(?m:$)",
            // Searches always start at the beginning of the text.
            Assert::TextStart | Assert::SearchStart => "\\A",
            Assert::TextEnd => "\\z",
            Assert::WordBoundary => "\\b",
            Assert::NotWordBoundary => "\\B",
            Assert::TextEndNewline if exact => "\\Z",
            Assert::TextEndNewline => {
                self.look(
                    true,
                    false,
                    &Node::Concat(vec![
                        Node::Repeat(Box::new(Repeat {
                            node: Node::Literal('\n'),
                            min: 0,
                            max: Some(1),
                            greedy: true,
                            possessive: false,
                        })),
                        Node::Assert(Assert::TextEnd),
                    ]),
                    "\\Z",
                );
                return;
            }
        };
        self.out.push_str(text);
    }

    fn repeat(&mut self, rep: &Repeat) -> Result<(), Error> {
        if rep.possessive && self.target != Target::Exact {
            // `x*+` is `(?>x*)`.
            let greedy = Node::Repeat(Box::new(Repeat {
                possessive: false,
                ..rep.clone()
            }));
            return self.group(&Group {
                kind: GroupKind::Atomic,
                node: greedy,
            });
        }
        let looping = rep.max != Some(1);
        let mut tracked = None;
        if looping && self.target == Target::Relaxed && has_removable(&rep.node) {
            let mut plain = self.sub(Target::Plain);
            plain.node(&rep.node)?;
            // An iteration that can be empty could hide a second one at the
            // same start, so only loops of non-empty bodies are tracked.
            if min_len(&plain.out).is_some_and(|n| n > 0) {
                let id = self.loop_count;
                self.loop_count += 1;
                self.roles.push(Role::LoopWhole(id));
                self.out.push_str(&format!("(?<w{id}>"));
                tracked = Some(id);
            }
        }
        if looping {
            self.loops.push(tracked);
        }
        match tracked {
            Some(id) => {
                self.roles.push(Role::LoopLast(id));
                self.out.push_str(&format!("(?<l{id}>"));
            }
            None => self.out.push_str("(?:"),
        }
        self.node(&rep.node)?;
        self.out.push(')');
        if looping {
            self.loops.pop();
        }
        match (rep.min, rep.max) {
            (0, None) => self.out.push('*'),
            (1, None) => self.out.push('+'),
            (0, Some(1)) => self.out.push('?'),
            (n, None) => self.out.push_str(&format!("{{{n},}}")),
            (n, Some(m)) if n == m => self.out.push_str(&format!("{{{n}}}")),
            (n, Some(m)) => self.out.push_str(&format!("{{{n},{m}}}")),
        }
        if !rep.greedy {
            self.out.push('?');
        } else if rep.possessive {
            self.out.push('+');
        }
        if tracked.is_some() {
            self.out.push(')');
        }
        Ok(())
    }

    fn group(&mut self, group: &Group) -> Result<(), Error> {
        match &group.kind {
            GroupKind::NonCapture(flags) => {
                let (start, roles) = (self.out.len(), self.roles.len());
                self.flags_seen |= !flags.is_empty();
                self.out.push_str("(?");
                self.out.push_str(&self.flags(flags));
                self.out.push(':');
                self.node(&group.node)?;
                self.out.push(')');
                let end = self.out.len();
                if self.target == Target::Relaxed
                    && self.roles.len() == roles
                    && end - start >= MIN_SPLICE
                {
                    // It covers the spans found inside it.
                    while self.spans.last().is_some_and(|&(s, _)| s >= start) {
                        self.spans.pop();
                    }
                    self.spans.push((start, end));
                }
            }
            GroupKind::Named(_) | GroupKind::Field(_) => {
                let field = match &group.kind {
                    GroupKind::Field(id) => *id,
                    _ => usize::MAX,
                };
                if self.target == Target::Plain || field == usize::MAX {
                    self.out.push_str("(?:");
                } else {
                    self.roles.push(Role::Field(field));
                    self.out.push_str(&format!("(?<g{field}>"));
                }
                self.node(&group.node)?;
                self.out.push(')');
            }
            GroupKind::Atomic => {
                if self.target == Target::Exact {
                    self.out.push_str("(?>");
                    self.node(&group.node)?;
                    self.out.push(')');
                } else {
                    self.atomic(&group.node)?;
                }
            }
            GroupKind::Look { ahead, negate } => {
                if self.target == Target::Exact {
                    self.out.push_str(match (ahead, negate) {
                        (true, false) => "(?=",
                        (true, true) => "(?!",
                        (false, false) => "(?<=",
                        (false, true) => "(?<!",
                    });
                    self.node(&group.node)?;
                    self.out.push(')');
                } else {
                    let mut exact = self.sub(Target::Exact);
                    exact.group(group)?;
                    self.look(*ahead, *negate, &group.node, &exact.out);
                }
            }
        }
        Ok(())
    }

    fn in_untracked_loop(&self) -> bool {
        self.loops.iter().any(Option::is_none)
    }

    fn push_check(&mut self, spec: CheckSpec) -> usize {
        self.checks.push(spec);
        self.check_loops
            .push(self.loops.iter().flatten().copied().collect());
        let id = self.checks.len() - 1;
        self.roles.push(Role::Check(id));
        id
    }

    /// Emits a look-around in the relaxed regex: a marker and a check.
    fn look(&mut self, ahead: bool, negate: bool, body: &Node, exact_text: &str) {
        if self.target == Target::Plain {
            self.lossy = true;
            return;
        }
        let mut plain = self.sub(Target::Plain);
        let simple = plain.node(body).is_ok() && !plain.lossy;
        let captures = contains_field(body);
        if self.in_untracked_loop() || captures {
            // Not checkable: drop it (a superset) and confirm every match.
            self.exact_only = true;
            return;
        }
        let spec = if !simple {
            CheckSpec::Exact {
                regex: exact_text.to_string(),
            }
        } else if ahead {
            CheckSpec::LookAhead {
                negate,
                body: plain.out,
            }
        } else {
            match max_len(&plain.out) {
                Some(max_len) => CheckSpec::LookBehind {
                    negate,
                    body: plain.out,
                    max_len,
                },
                None => CheckSpec::Exact {
                    regex: exact_text.to_string(),
                },
            }
        };
        let id = self.push_check(spec);
        self.out.push_str(&format!("(?<c{id}>)"));
    }

    fn atomic(&mut self, body: &Node) -> Result<(), Error> {
        if self.target == Target::Plain {
            // Emit the body once and judge the text emitted: analysing it
            // first and emitting it again doubles the work at every level
            // of nested atomic groups (`a++++…` nests them), which the
            // compile fuzz target found to be exponential.
            let start = self.out.len();
            self.out.push_str("(?:");
            self.node(body)?;
            self.out.push(')');
            if !single_end(&self.out[start..]) {
                self.lossy = true;
            }
            return Ok(());
        }
        let mut plain = self.sub(Target::Plain);
        plain.node(body)?;
        let simple = !plain.lossy;
        if single_end(&plain.out) {
            // Every match of the body from a given start ends at the same
            // place, so backtracking into it can never change the outcome.
            // (The plain form is a superset of the body, so this holds for
            // the body too; checks inside it are still emitted.)
            self.out.push_str("(?:");
            self.node(body)?;
            self.out.push(')');
            return Ok(());
        }
        if self.target == Target::Plain {
            self.lossy = true;
            self.out.push_str("(?:");
            self.node(body)?;
            self.out.push(')');
            return Ok(());
        }
        if self.in_untracked_loop() || contains_field(body) && !simple {
            self.exact_only = true;
            self.out.push_str("(?:");
            self.node(body)?;
            self.out.push(')');
            return Ok(());
        }
        let spec = if simple {
            CheckSpec::Atomic { body: plain.out }
        } else {
            let mut exact = self.sub(Target::Exact);
            exact.group(&Group {
                kind: GroupKind::Atomic,
                node: body.clone(),
            })?;
            CheckSpec::Exact { regex: exact.out }
        };
        let id = self.push_check(spec);
        self.out.push_str(&format!("(?<c{id}>"));
        // Checks nested in a checked group are covered by its exact check;
        // emit them as plain so they add no markers.
        if simple {
            self.node(body)?;
        } else {
            let mut inner = self.sub(Target::Plain);
            inner.node(body)?;
            // Field captures inside must still be reported.
            if contains_field(body) {
                self.exact_only = true;
            }
            self.out.push_str(&inner.out);
        }
        self.out.push(')');
        Ok(())
    }
}

/// The atomic group a loop repeats, under any plain non-capturing wrappers.
fn loop_atomic(node: &Node) -> Option<&Node> {
    match node {
        Node::Group(g) if g.kind == GroupKind::Atomic => Some(&g.node),
        Node::Group(g) if g.kind == GroupKind::NonCapture(String::new()) => loop_atomic(&g.node),
        _ => None,
    }
}

/// The same node with the loop's atomic group made plain.
fn without_atomic(node: &Node) -> Node {
    match node {
        Node::Group(g) if g.kind == GroupKind::Atomic => Node::Group(Box::new(Group {
            kind: GroupKind::NonCapture(String::new()),
            node: g.node.clone(),
        })),
        Node::Group(g) => Node::Group(Box::new(Group {
            kind: g.kind.clone(),
            node: without_atomic(&g.node),
        })),
        other => other.clone(),
    }
}

/// A greedy run of one class, `S+` or `S{n,}`: its class text.
fn single_class_run(node: &Node) -> Option<&Node> {
    match node {
        Node::Repeat(r) if r.greedy && !r.possessive && r.max.is_none() && r.min >= 1 => {
            match &r.node {
                n @ (Node::Class(_) | Node::Literal(_)) => Some(n),
                _ => None,
            }
        }
        Node::Group(g) if g.kind == GroupKind::NonCapture(String::new()) => {
            single_class_run(&g.node)
        }
        _ => None,
    }
}

/// The bytes a match of `node` can start with; `None` if it may be empty
/// or cannot be analysed.
fn first_bytes(node: &Node) -> Option<crate::backtrack::ByteSet> {
    let mut plain = Emitter::new(Target::Plain, 1 << 20);
    plain.node(node).ok()?;
    if plain.lossy {
        return None;
    }
    memoized(
        &FIRST_BYTES,
        &plain.out,
        MEMO_CAPACITY,
        first_bytes_uncached,
    )
}

fn first_bytes_uncached(pattern: &str) -> Option<crate::backtrack::ByteSet> {
    use regex_automata::nfa::thompson;
    let nfa = thompson::Compiler::new()
        .syntax(syntax_config())
        .configure(thompson::Config::new().which_captures(thompson::WhichCaptures::None))
        .build(pattern)
        .ok()?;
    let set = crate::backtrack::first_sets(&nfa)[nfa.start_anchored().as_usize()];
    (set != crate::backtrack::ByteSet::ALL).then_some(set)
}

/// Whether the atomic group repeated by `rep` behaves as a plain group,
/// given the node that follows the loop. True when its branches start with
/// pairwise different bytes, each branch has a single end or is a greedy
/// run of one class, and no run's class can start what follows the loop:
/// then any path that splits a run across iterations (or ends it early)
/// fails or can be merged into one that ends at the same place.
fn atomic_loop_is_plain(rep: &Repeat, next: Option<&Node>) -> bool {
    if !rep.greedy || rep.possessive || rep.max.is_some() {
        return false;
    }
    let Some(body) = loop_atomic(&rep.node) else {
        return false;
    };
    let Some(after) = next.and_then(first_bytes) else {
        return false;
    };
    let branches: Vec<&Node> = match body {
        Node::Alt(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut firsts: Vec<crate::backtrack::ByteSet> = Vec::new();
    for branch in &branches {
        let Some(first) = first_bytes(branch) else {
            return false;
        };
        if firsts.iter().any(|f| f.intersects(&first)) {
            return false;
        }
        firsts.push(first);
        match single_class_run(branch) {
            Some(class) => {
                let Some(run) = first_bytes(class) else {
                    return false;
                };
                if run.intersects(&after) {
                    return false;
                }
            }
            None => {
                let mut plain = Emitter::new(Target::Plain, 1 << 20);
                if plain.node(branch).is_err() || plain.lossy || !single_end(&plain.out) {
                    return false;
                }
            }
        }
    }
    true
}

/// Whether the relaxed form of `node` removes something (a look-around, an
/// atomic group, a possessive repeat, `\Z`) that may need a check.
fn has_removable(node: &Node) -> bool {
    match node {
        Node::Group(g) => {
            matches!(g.kind, GroupKind::Atomic | GroupKind::Look { .. }) || has_removable(&g.node)
        }
        Node::Concat(items) | Node::Alt(items) => items.iter().any(has_removable),
        Node::Repeat(r) => r.possessive || has_removable(&r.node),
        Node::Assert(Assert::TextEndNewline) => true,
        _ => false,
    }
}

/// The longest literal that every match of `node` contains, if any (at
/// least two bytes). Used by a [`Matcher`](crate::Matcher) to rule out
/// expressions with one scan of the line. Case-insensitive parts, inline
/// flags and alternations contribute nothing, so the literal is certain.
pub(crate) fn required_literal(node: &Node) -> Option<String> {
    if has_case_flags(node) {
        return None;
    }
    let mut best = String::new();
    let mut run = String::new();
    collect_required(node, &mut run, &mut best);
    if run.len() > best.len() {
        best = run;
    }
    (best.len() >= 2).then_some(best)
}

fn has_case_flags(node: &Node) -> bool {
    match node {
        Node::Flags(flags) => flags.contains('i'),
        Node::Group(g) => {
            matches!(&g.kind, GroupKind::NonCapture(f) if f.contains('i'))
                || has_case_flags(&g.node)
        }
        Node::Concat(items) | Node::Alt(items) => items.iter().any(has_case_flags),
        Node::Repeat(r) => has_case_flags(&r.node),
        _ => false,
    }
}

/// Walks the parts every match goes through, in order: `run` is the literal
/// text read so far without a gap, `best` the longest run finished.
fn collect_required(node: &Node, run: &mut String, best: &mut String) {
    let cut = |run: &mut String, best: &mut String| {
        if run.len() > best.len() {
            *best = std::mem::take(run);
        } else {
            run.clear();
        }
    };
    match node {
        Node::Empty => {}
        Node::Literal(c) => run.push(*c),
        Node::Concat(items) => {
            for item in items {
                collect_required(item, run, best);
            }
        }
        Node::Group(g) => match &g.kind {
            GroupKind::Look { .. } => {}
            _ => collect_required(&g.node, run, best),
        },
        Node::Repeat(r) if r.min >= 1 => {
            // The first iteration is required; what follows may repeat.
            collect_required(&r.node, run, best);
            if r.max != Some(1) {
                cut(run, best);
            }
        }
        Node::Assert(_) => {}
        _ => cut(run, best),
    }
}

fn contains_field(node: &Node) -> bool {
    match node {
        Node::Group(g) => {
            matches!(g.kind, GroupKind::Field(_) | GroupKind::Named(_)) || contains_field(&g.node)
        }
        Node::Concat(items) | Node::Alt(items) => items.iter().any(contains_field),
        Node::Repeat(r) => contains_field(&r.node),
        _ => false,
    }
}

fn syntax_config() -> regex_automata::util::syntax::Config {
    regex_automata::util::syntax::Config::new()
        .dot_matches_new_line(true)
        .nest_limit(1000)
}

fn hir(pattern: &str) -> Option<regex_syntax::hir::Hir> {
    let ast = ParserBuilder::new()
        .nest_limit(1000)
        .build()
        .parse(pattern)
        .ok()?;
    TranslatorBuilder::new()
        .dot_matches_new_line(true)
        .build()
        .translate(pattern, &ast)
        .ok()
}

/// The longest match of a relaxed regex in bytes, if bounded.
fn max_len(pattern: &str) -> Option<usize> {
    hir(pattern)?.properties().maximum_len()
}

/// The shortest match of a relaxed regex in bytes.
fn min_len(pattern: &str) -> Option<usize> {
    hir(pattern)?.properties().minimum_len()
}

/// Whether every match of `pattern` starting at one position ends at one
/// position: no match can be extended into another match. Decided on the
/// pattern's anchored DFA; `false` when unsure (DFA too big, non-ASCII `\b`).
pub(crate) fn single_end(pattern: &str) -> bool {
    memoized(&SINGLE_END, pattern, MEMO_CAPACITY, single_end_uncached)
}

/// Results of the analyses, shared by every compilation in the process:
/// the standard library repeats the same sub-expressions (IPV4, BASE10NUM,
/// QS …) in many patterns, and each analysis builds an automaton.
type Memo<T> = once_cell::sync::Lazy<std::sync::Mutex<std::collections::HashMap<String, T>>>;

static SINGLE_END: Memo<bool> = once_cell::sync::Lazy::new(Default::default);
static FIRST_BYTES: Memo<Option<crate::backtrack::ByteSet>> =
    once_cell::sync::Lazy::new(Default::default);

/// Most entries an analysis cache keeps before starting over.
const MEMO_CAPACITY: usize = 4096;

fn memoized<T: Clone>(
    memo: &Memo<T>,
    key: &str,
    capacity: usize,
    compute: impl FnOnce(&str) -> T,
) -> T {
    if let Some(found) = memo.lock().unwrap_or_else(|p| p.into_inner()).get(key) {
        return found.clone();
    }
    let value = compute(key);
    let mut map = memo.lock().unwrap_or_else(|p| p.into_inner());
    if map.len() >= capacity {
        map.clear();
    }
    map.insert(key.to_string(), value.clone());
    value
}

fn single_end_uncached(pattern: &str) -> bool {
    use regex_automata::dfa::{dense, Automaton, StartKind};
    use regex_automata::util::start;
    use regex_automata::Anchored;

    let dfa = match dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .unicode_word_boundary(true)
                .dfa_size_limit(Some(1 << 20))
                .determinize_size_limit(Some(1 << 20)),
        )
        .syntax(syntax_config())
        .build(pattern)
    {
        Ok(dfa) => dfa,
        Err(_) => return false,
    };
    let Ok(start) = dfa.start_state(&start::Config::new().anchored(Anchored::Yes)) else {
        return false;
    };
    let matched = |s| {
        dfa.is_match_state(dfa.next_eoi_state(s))
            || (0..=255u8).any(|b| dfa.is_match_state(dfa.next_state(s, b)))
    };
    // Every state reachable from the start.
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![start];
    seen.insert(start);
    while let Some(s) = stack.pop() {
        if seen.len() > 4096 {
            return false;
        }
        for b in 0..=255u8 {
            let t = dfa.next_state(s, b);
            if dfa.is_quit_state(t) {
                return false;
            }
            if !dfa.is_dead_state(t) && seen.insert(t) {
                stack.push(t);
            }
        }
    }
    // From a state that has matched, no longer input may match again.
    for &s in &seen {
        if !matched(s) {
            continue;
        }
        let mut reach = std::collections::HashSet::new();
        let mut stack: Vec<_> = (0..=255u8)
            .map(|b| dfa.next_state(s, b))
            .filter(|t| !dfa.is_dead_state(*t))
            .collect();
        while let Some(t) = stack.pop() {
            if !reach.insert(t) {
                continue;
            }
            if matched(t) {
                return false;
            }
            for b in 0..=255u8 {
                let u = dfa.next_state(t, b);
                if !dfa.is_dead_state(u) && !reach.contains(&u) {
                    stack.push(u);
                }
            }
        }
    }
    true
}

/// Writes a class as `[…]`, valid in both engines. Perl and POSIX classes
/// are spelled out so both engines agree (Ruby: `\w`, `\d`, `\s` are ASCII;
/// POSIX brackets are Unicode).
fn class_text(class: &Class, out: &mut String, exact: bool) {
    out.push('[');
    if class.negated {
        out.push('^');
    }
    items_text(&class.items, out, exact);
    out.push(']');
}

fn items_text(items: &[ClassItem], out: &mut String, exact: bool) {
    if items.is_empty() {
        // `[]` cannot be written; an impossible member keeps the meaning.
        out.push_str("\\x{10FFFF}&&[^\\x{10FFFF}]");
        return;
    }
    for item in items {
        match item {
            ClassItem::Range(lo, hi) => {
                class_char(*lo, out);
                if lo != hi {
                    out.push('-');
                    class_char(*hi, out);
                }
            }
            ClassItem::Perl(kind, negated) => {
                let set = perl_set(*kind);
                if *negated {
                    out.push_str("[^");
                    out.push_str(set);
                    out.push(']');
                } else {
                    out.push_str(set);
                }
            }
            ClassItem::Posix(name, negated) => {
                out.push_str(if *negated { "[^" } else { "[" });
                out.push_str(posix_set(name));
                out.push(']');
            }
            ClassItem::Property(p) => out.push_str(p),
            ClassItem::Nested(inner) => class_text(inner, out, exact),
            ClassItem::Intersect(left, right) => {
                out.push('[');
                items_text(left, out, exact);
                out.push(']');
                out.push_str("&&");
                class_text(right, out, exact);
            }
        }
    }
}

fn perl_set(kind: Perl) -> &'static str {
    match kind {
        Perl::Digit => "0-9",
        Perl::Word => "0-9A-Za-z_",
        Perl::Space => "\\t\\n\\x{B}\\x{C}\\r ",
        Perl::Hex => "0-9A-Fa-f",
    }
}

/// Onigmo's (Ruby's) Unicode definitions of the POSIX brackets.
fn posix_set(name: &str) -> &'static str {
    match name {
        "alnum" => "\\p{L}\\p{M}\\p{Nd}",
        "alpha" => "\\p{L}\\p{M}",
        "ascii" => "\\x{0}-\\x{7F}",
        "blank" => "\\p{Zs}\\t",
        "cntrl" => "\\p{Cc}",
        "digit" => "\\p{Nd}",
        "graph" => "\\x{21}-\\x{7E}\\x{A1}-\\x{10FFFF}",
        "lower" => "\\p{Ll}",
        "print" => "\\x{20}-\\x{7E}\\x{A0}-\\x{10FFFF}",
        "punct" => "\\p{P}",
        "space" => "\\p{Zs}\\p{Zl}\\p{Zp}\\t-\\r\\x{85}",
        "upper" => "\\p{Lu}",
        "word" => "\\p{L}\\p{M}\\p{Nd}\\p{Pc}",
        _ => "0-9A-Fa-f", // xdigit
    }
}

fn class_char(c: char, out: &mut String) {
    if c.is_control() || c == ' ' {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    } else {
        if "\\[]^-&~.*+?(){}|$#".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
}

pub(crate) fn relaxed_syntax() -> regex_automata::util::syntax::Config {
    syntax_config()
}

/// A relaxed regex (or a check's body) as HIR; `None` if it does not parse.
pub(crate) fn relaxed_hir(pattern: &str) -> Option<regex_syntax::hir::Hir> {
    regex_automata::util::syntax::parse_with(pattern, &syntax_config()).ok()
}

/// First char of the placeholders [`relaxed_hir_spliced`] puts where its
/// spans were: `[\x{F0000}\x{F0002 + i}]{2}` for span `i` (two ranges, never
/// adjacent; repeated, so that no alternation merges it into a wider
/// class), chars of a private use plane, which the library never uses.
const PLACEHOLDER: u32 = 0xF0000;

/// Parsed sub-expressions, shared by every compilation in the process (the
/// standard library repeats IPV6, 1.6 KB of regex, in many patterns).
static PARSED: Memo<Option<regex_syntax::hir::Hir>> = once_cell::sync::Lazy::new(Default::default);

/// Most sub-expressions [`PARSED`] keeps before starting over.
const PARSED_CAPACITY: usize = 256;

/// [`relaxed_hir`] of `pattern`, parsing each of `spans` (see
/// [`Program::relaxed_spans`]) once per process where that pays (see
/// [`splice_plan`]): the rest of the pattern is parsed with a placeholder in
/// each span's place, and the placeholders are replaced by the spans' HIR.
/// The result matches as the whole pattern's parse does: the spans hold no
/// groups, so group numbers are unchanged, and no flags act on them. It is
/// equal to it for every standard definition (tested); elsewhere an
/// alternation may factor a common literal prefix differently, which
/// changes no match. SSHLINE's 44 KB hold 19 copies of IPV6's 1.6 KB.
pub(crate) fn relaxed_hir_spliced(
    pattern: &str,
    spans: &[(usize, usize)],
) -> Option<regex_syntax::hir::Hir> {
    // Should a part or the skeleton not parse (the placeholder nests one
    // level deeper than the group it replaces), the whole pattern decides.
    splice_plan(pattern, spans)
        .and_then(|plan| spliced_hir(pattern, &plan))
        .or_else(|| relaxed_hir(pattern))
}

/// The HIR of `pattern` with the spans of `plan` parsed on their own.
fn spliced_hir(pattern: &str, plan: &[(usize, usize)]) -> Option<regex_syntax::hir::Hir> {
    let mut skeleton = String::with_capacity(pattern.len());
    let mut parts = Vec::with_capacity(plan.len());
    let mut done = 0;
    for (i, &(start, end)) in plan.iter().enumerate() {
        parts.push(memoized(
            &PARSED,
            &pattern[start..end],
            PARSED_CAPACITY,
            relaxed_hir,
        )?);
        skeleton.push_str(&pattern[done..start]);
        skeleton.push_str(&format!(
            "[\\x{{{PLACEHOLDER:X}}}\\x{{{:X}}}]{{2}}",
            PLACEHOLDER + 2 + i as u32
        ));
        done = end;
    }
    skeleton.push_str(&pattern[done..]);
    let hir = relaxed_hir(&skeleton)?;
    Some(splice(hir, &parts))
}

/// The spans [`relaxed_hir_spliced`] parses on their own: those whose text
/// repeats in the pattern or was parsed by an earlier compilation. `None`
/// (parse the pattern whole) when that saves too little, a quarter of the
/// pattern's text at least: the splice builds a skeleton and rebuilds the
/// tree, about a quarter of a whole parse. Also `None` when the pattern
/// holds the placeholders' chars itself.
fn splice_plan(pattern: &str, spans: &[(usize, usize)]) -> Option<Vec<(usize, usize)>> {
    if spans.is_empty() {
        return None;
    }
    // Each distinct text: how often it occurs, and whether it was parsed
    // before (asked once, under one lock).
    let mut texts: std::collections::HashMap<&str, (usize, bool)> =
        std::collections::HashMap::new();
    for &(s, e) in spans {
        texts.entry(pattern.get(s..e)?).or_default().0 += 1;
    }
    let parsed = PARSED.lock().unwrap_or_else(|p| p.into_inner());
    for (text, (_, before)) in texts.iter_mut() {
        *before = parsed.contains_key(*text);
    }
    drop(parsed);
    let spliced = |&(count, before): &(usize, bool)| count > 1 || before;
    // Every occurrence of a text parsed before is saved; of another, all
    // but the first.
    let saved: usize = texts
        .iter()
        .filter(|(_, t)| spliced(t))
        .map(|(text, &(count, before))| text.len() * (count - usize::from(!before)))
        .sum();
    let plan: Vec<(usize, usize)> = spans
        .iter()
        .filter(|&&(s, e)| spliced(&texts[&pattern[s..e]]))
        .copied()
        .collect();
    let placeholders = PLACEHOLDER..=PLACEHOLDER + 2 + plan.len() as u32;
    let reserved = |c: char| placeholders.contains(&u32::from(c));
    let pays = saved * 4 >= pattern.len() && !plan.is_empty();
    (pays && plan.len() <= 0xFFFD && !pattern.chars().any(reserved)).then_some(plan)
}

/// `hir` with each placeholder replaced by its part.
fn splice(hir: regex_syntax::hir::Hir, parts: &[regex_syntax::hir::Hir]) -> regex_syntax::hir::Hir {
    use regex_syntax::hir::{Capture, Hir, HirKind, Repetition};
    if let Some(part) = placeholder_index(&hir).and_then(|i| parts.get(i)) {
        return part.clone();
    }
    match hir.into_kind() {
        HirKind::Class(class) => Hir::class(class),
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(literal) => Hir::literal(literal.0),
        HirKind::Look(look) => Hir::look(look),
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            sub: Box::new(splice(*rep.sub, parts)),
            ..rep
        }),
        HirKind::Capture(cap) => Hir::capture(Capture {
            sub: Box::new(splice(*cap.sub, parts)),
            ..cap
        }),
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(|h| splice(h, parts)).collect()),
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.into_iter().map(|h| splice(h, parts)).collect())
        }
    }
}

/// Which span `hir` is the placeholder of, if it is one: the class
/// `[\x{F0000}\x{F0002 + i}]` repeated exactly twice (a class alone would
/// merge with its neighbours in an alternation).
fn placeholder_index(hir: &regex_syntax::hir::Hir) -> Option<usize> {
    use regex_syntax::hir::{Class, HirKind};
    let HirKind::Repetition(rep) = hir.kind() else {
        return None;
    };
    let HirKind::Class(Class::Unicode(class)) = rep.sub.kind() else {
        return None;
    };
    if (rep.min, rep.max, rep.greedy) != (2, Some(2), true) {
        return None;
    }
    let [first, second] = class.ranges() else {
        return None;
    };
    let single = |r: &regex_syntax::hir::ClassUnicodeRange| {
        (r.start() == r.end()).then_some(u32::from(r.start()))
    };
    if single(first)? != PLACEHOLDER {
        return None;
    }
    let i = single(second)?.checked_sub(PLACEHOLDER + 2)?;
    Some(i as usize)
}

/// Counted repetitions wider than this become unbounded in [`screening_hir`].
const WIDEST_COUNT: u32 = 8;

/// Alternations heavier than this (see [`weight`]) become a run of their
/// chars in [`screening_hir`].
const HEAVIEST_ALTERNATION: usize = 160;

/// A superset of `hir` that a lazy DFA screens with in fewer states.
///
/// An unanchored DFA search tracks every partial match from every start
/// position at once; on text full of candidate starts it keeps meeting new
/// combinations and spends its time building states. Two shapes cause most
/// of them, and both are coarsened here:
/// - wide counted repetitions (`[0-9A-Za-z-]{0,62}` in HOSTNAME), which
///   become unbounded;
/// - heavy alternations (IPV6's eight shapes of hex groups), which become a
///   run of the chars they can match, as long as they can be.
///
/// Capture groups go too. The flag says whether anything but groups changed.
pub(crate) fn screening_hir(hir: &regex_syntax::hir::Hir) -> (regex_syntax::hir::Hir, bool) {
    Coarsening {
        widest_count: WIDEST_COUNT,
        heaviest_alternation: HEAVIEST_ALTERNATION,
    }
    .apply(hir)
}

/// The thresholds of [`screening_hir`] (tests use small ones).
#[derive(Clone, Copy)]
struct Coarsening {
    widest_count: u32,
    heaviest_alternation: usize,
}

impl Coarsening {
    fn apply(self, hir: &regex_syntax::hir::Hir) -> (regex_syntax::hir::Hir, bool) {
        let mut changed = false;
        let (wide, _) = self.widen(hir, &mut changed);
        (wide, changed)
    }

    /// The coarsened `hir` and its [`weight`], computed bottom-up.
    fn widen(
        self,
        hir: &regex_syntax::hir::Hir,
        changed: &mut bool,
    ) -> (regex_syntax::hir::Hir, usize) {
        use regex_syntax::hir::{Hir, HirKind, Repetition};
        match hir.kind() {
            HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => {
                (hir.clone(), weight(hir))
            }
            HirKind::Capture(cap) => self.widen(&cap.sub, changed),
            HirKind::Repetition(rep) => {
                let max = match rep.max {
                    Some(max) if max - rep.min > self.widest_count => {
                        *changed = true;
                        None
                    }
                    max => max,
                };
                let (sub, sub_weight) = self.widen(&rep.sub, changed);
                let copies = max.unwrap_or(rep.min).max(1) as usize;
                let hir = Hir::repetition(Repetition {
                    min: rep.min,
                    max,
                    greedy: rep.greedy,
                    sub: Box::new(sub),
                });
                (hir, sub_weight.saturating_mul(copies))
            }
            HirKind::Concat(subs) | HirKind::Alternation(subs) => {
                let mut total = 0usize;
                let subs: Vec<Hir> = subs
                    .iter()
                    .map(|h| {
                        let (sub, w) = self.widen(h, changed);
                        total = total.saturating_add(w);
                        sub
                    })
                    .collect();
                if matches!(hir.kind(), HirKind::Concat(_)) {
                    return (Hir::concat(subs), total);
                }
                // Innermost first: IPV6's shapes go, IPORHOST's choice stays.
                let alt = Hir::alternation(subs);
                if total > self.heaviest_alternation {
                    if let Some(run) = self.char_run(&alt) {
                        *changed = true;
                        let w = weight(&run);
                        return (run, w);
                    }
                }
                (alt, total)
            }
        }
    }

    /// `[chars]{min,max}` matching everything `hir` matches (and more): the
    /// chars any of its literals or classes can match, as few and as many times
    /// as its matches can be long. `None` for byte classes, and for matches of
    /// unbounded length: those are whole formats (HTTPD_ERRORLOG's two
    /// shapes, each ending in GREEDYDATA), and a run of their chars would
    /// let the screen pass nearly every line.
    fn char_run(self, hir: &regex_syntax::hir::Hir) -> Option<regex_syntax::hir::Hir> {
        use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Repetition};
        fn collect(hir: &Hir, set: &mut ClassUnicode) -> Option<()> {
            match hir.kind() {
                HirKind::Empty | HirKind::Look(_) => {}
                HirKind::Literal(lit) => {
                    for c in std::str::from_utf8(&lit.0).ok()?.chars() {
                        set.push(ClassUnicodeRange::new(c, c));
                    }
                }
                HirKind::Class(Class::Unicode(class)) => set.union(class),
                HirKind::Class(Class::Bytes(_)) => return None,
                HirKind::Capture(cap) => collect(&cap.sub, set)?,
                HirKind::Repetition(rep) => collect(&rep.sub, set)?,
                HirKind::Concat(subs) | HirKind::Alternation(subs) => {
                    for h in subs {
                        collect(h, set)?;
                    }
                }
            }
            Some(())
        }
        let mut set = ClassUnicode::empty();
        collect(hir, &mut set)?;
        let props = hir.properties();
        // Lengths are in bytes; a char takes one to four.
        let ascii = set.is_ascii();
        let min_len = props.minimum_len()?;
        let max_len = props.maximum_len()?;
        let min = if ascii { min_len } else { min_len / 4 };
        let max = (max_len - min <= self.widest_count as usize).then_some(max_len);
        Some(Hir::repetition(Repetition {
            min: u32::try_from(min).ok()?,
            max: max.map(u32::try_from).transpose().ok()?,
            greedy: true,
            sub: Box::new(Hir::class(Class::Unicode(set))),
        }))
    }
}

/// Roughly how many NFA states `hir` compiles to (counted repetitions
/// unrolled), saturating.
fn weight(hir: &regex_syntax::hir::Hir) -> usize {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 0,
        HirKind::Literal(lit) => lit.0.len(),
        HirKind::Class(_) => 1,
        HirKind::Capture(cap) => weight(&cap.sub),
        HirKind::Repetition(rep) => {
            let copies = rep.max.unwrap_or(rep.min).max(1) as usize;
            weight(&rep.sub).saturating_mul(copies)
        }
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs
            .iter()
            .fold(0usize, |sum, h| sum.saturating_add(weight(h))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn program(text: &str) -> Program {
        compile(&parse(text).unwrap(), 1 << 20).unwrap()
    }

    #[test]
    fn single_end_tells_unique_ends() {
        assert!(single_end("[0-9][0-9]"));
        assert!(single_end("[A-Za-z]+:|\\\\"));
        assert!(single_end("\"(?:\\\\.|[^\\\\\"]+)+\"|\"\""));
        assert!(!single_end("[0-9]+"));
        assert!(!single_end("[+-]?(?:[0-9]+(?:\\.[0-9]+)?|\\.[0-9]+)"));
        assert!(!single_end("a?"));
    }

    /// The relaxed regex of `expression` over `lib`.
    fn library_program(lib: &crate::PatternLibrary, expression: &str) -> Option<Program> {
        let options = crate::CompileOptions::default();
        let expansion = crate::expand::expand(lib, expression, &options).ok()?;
        compile(&expansion.root, options.size_limit).ok()
    }

    #[test]
    fn spliced_parses_equal_whole_parses_across_the_standard_libraries() {
        let mut spliced = 0;
        for lib in [
            crate::PatternLibrary::legacy(),
            crate::PatternLibrary::ecs_v1(),
        ] {
            for name in lib.names() {
                let Some(p) = library_program(&lib, &format!("%{{{name}}}")) else {
                    continue;
                };
                let whole = relaxed_hir(&p.relaxed);
                assert!(whole.is_some(), "{name}");
                assert_eq!(
                    relaxed_hir_spliced(&p.relaxed, &p.relaxed_spans),
                    whole,
                    "{name}"
                );
                for &(start, end) in &p.relaxed_spans {
                    assert!(end - start >= MIN_SPLICE);
                    assert!(p.relaxed[start..end].starts_with("(?:"), "{name}");
                }
                spliced += usize::from(splice_plan(&p.relaxed, &p.relaxed_spans).is_some());
            }
        }
        // IPV6 alone is 1.6 KB: most patterns over IP or IPORHOST splice it
        // once a compilation has parsed it.
        assert!(spliced > 50, "{spliced} patterns spliced");
        let sshline = library_program(&crate::PatternLibrary::legacy(), "%{SSHLINE}").unwrap();
        let plan = splice_plan(&sshline.relaxed, &sshline.relaxed_spans).unwrap();
        assert!(plan.len() >= 19, "{}", plan.len());
        // Repeats in every position: in and around fields, repeated,
        // alternated, next to literals and assertions.
        let lib = crate::PatternLibrary::legacy();
        for expression in [
            "%{IP:a} x %{IP:b}",
            "%{IPV6}|%{IPV6}",
            "(?:%{IPV6})+ %{IPV6}",
            "(%{IPV6}) (?<n>%{IPV6})?",
            "%{IPV6}{2}",
            "a%{IPV6}\\b%{IPV6}z",
            "^%{IPORHOST:h}:%{IPORHOST:h}$",
        ] {
            let p = library_program(&lib, expression).unwrap();
            assert!(
                splice_plan(&p.relaxed, &p.relaxed_spans).is_some(),
                "{expression}"
            );
            let whole = relaxed_hir(&p.relaxed);
            assert!(whole.is_some(), "{expression}");
            assert_eq!(
                relaxed_hir_spliced(&p.relaxed, &p.relaxed_spans),
                whole,
                "{expression}"
            );
        }
    }

    #[test]
    fn a_splice_that_does_not_parse_leaves_the_pattern_to_the_whole_parse() {
        // Spans that cut their groups short: each part fails on its own.
        let pattern = "x(?:abcd)y(?:abcd)";
        let spans = [(1, 6), (10, 15)];
        assert_eq!(&pattern[1..6], "(?:ab");
        assert!(splice_plan(pattern, &spans).is_some());
        assert!(spliced_hir(pattern, &splice_plan(pattern, &spans).unwrap()).is_none());
        let whole = relaxed_hir(pattern);
        assert!(whole.is_some());
        assert_eq!(relaxed_hir_spliced(pattern, &spans), whole);
    }

    #[test]
    fn nothing_is_spliced_under_flags_and_placeholders_in_the_text_are_left_alone() {
        let ipv6 = crate::PatternLibrary::legacy()
            .get("IPV6")
            .unwrap()
            .to_string();
        let lib = crate::PatternLibrary::legacy();
        let flagged = library_program(&lib, &format!("(?i)x{ipv6}")).unwrap();
        assert!(flagged.relaxed_spans.is_empty());
        let scoped = library_program(&lib, &format!("(?i:x){ipv6}")).unwrap();
        assert!(scoped.relaxed_spans.is_empty());
        let plain = library_program(&lib, "(?<a>x)%{IPV6}(?<b>y)").unwrap();
        assert_eq!(plain.relaxed_spans.len(), 1);
        let whole = relaxed_hir(&plain.relaxed).unwrap();
        assert_eq!(
            relaxed_hir_spliced(&plain.relaxed, &plain.relaxed_spans).as_ref(),
            Some(&whole)
        );
        assert_eq!(whole.properties().explicit_captures_len(), 2);
        // A pattern that uses the placeholders' chars is parsed whole.
        let own = library_program(&lib, "\\x{F0002}%{IPV6}").unwrap();
        assert_eq!(own.relaxed_spans.len(), 1);
        assert!(own.relaxed.contains('\u{F0002}'));
        assert_eq!(
            relaxed_hir_spliced(&own.relaxed, &own.relaxed_spans),
            relaxed_hir(&own.relaxed)
        );
    }

    #[test]
    fn lookarounds_become_markers_with_checks() {
        let p = program("(?<![0-9])[0-9]+(?![0-9])");
        assert_eq!(p.relaxed, "(?<c0>)(?:[0-9])+(?<c1>)");
        assert_eq!(p.exact, "(?<![0-9])(?:[0-9])+(?![0-9])");
        assert!(matches!(
            &p.checks[0],
            CheckSpec::LookBehind {
                negate: true,
                max_len: 1,
                ..
            }
        ));
        assert!(matches!(
            &p.checks[1],
            CheckSpec::LookAhead { negate: true, .. }
        ));
        assert!(p.fully_linear());
    }

    #[test]
    fn atomic_groups_are_plain_when_single_ended() {
        let p = program("(?>\\d\\d){1,2}");
        assert!(p.checks.is_empty());
        assert!(!p.exact_only);
        let p = program("(?>[0-9]+)x");
        assert!(matches!(&p.checks[0], CheckSpec::Atomic { .. }));
    }

    #[test]
    fn quoted_string_atomics_are_plain() {
        let p = program("(?>(?<!\\\\)(?>\"(?>\\\\.|[^\\\\\"]+)+\"|\"\"))");
        assert!(p.fully_linear(), "{} {:?}", p.relaxed, p.checks);
        assert!(
            p.checks
                .iter()
                .all(|c| matches!(c, CheckSpec::LookBehind { .. })),
            "{:?}",
            p.checks
        );
        // The exact regex keeps its atomic groups: without them Oniguruma
        // backtracks exponentially on an unclosed quote.
        assert!(p.exact.contains("(?>\\\\.|"), "{}", p.exact);
        // Branches that overlap must stay atomic (checked).
        let p = program("(?>a|[^\"]+)+x");
        assert!(
            p.checks
                .iter()
                .any(|c| matches!(c, CheckSpec::Atomic { .. })),
            "{:?}",
            p.checks
        );
    }

    #[test]
    fn loops_with_checks_are_tracked() {
        let p = program("(?:(?<!a)b)+c");
        assert!(!p.exact_only);
        assert_eq!(p.relaxed, "(?<w0>(?<l0>(?:(?<c0>)b))+)c");
        assert_eq!(p.check_loops, vec![vec![0]]);
    }

    #[test]
    fn uncheckable_constructs_make_the_pattern_exact_only() {
        assert!(program("(?:(?<!a)b?)+").exact_only);
        assert!(program("(a)\\1").exact_only);
    }

    #[test]
    fn required_literals_are_certain() {
        let lit = |t: &str| required_literal(&parse(t).unwrap());
        assert_eq!(
            lit("Accepted (?:a|b) for x+y"),
            Some("Accepted ".to_string())
        );
        assert_eq!(lit("ab(?:cd)+ef"), Some("abcd".to_string()));
        assert_eq!(lit("(?i)abcdef"), None);
        assert_eq!(lit("x(?i:abcdef)y"), None);
        assert_eq!(lit("a|bcd"), None);
        assert_eq!(lit("(?:xyz)?ab"), Some("ab".to_string()));
    }

    #[test]
    fn classes_spell_out_ruby_meanings() {
        let p = program("\\w\\s[\\d.]\\h");
        assert_eq!(
            p.relaxed,
            "[0-9A-Za-z_][\\t\\n\\x{B}\\x{C}\\r ][0-9\\.][0-9A-Fa-f]"
        );
    }

    fn screen_of(pattern: &str, coarsening: Coarsening) -> Option<String> {
        let hir = relaxed_hir(pattern).unwrap();
        let (screen, changed) = coarsening.apply(&hir);
        changed.then(|| screen.to_string())
    }

    #[test]
    fn screening_unbounds_wide_counts_and_keeps_narrow_ones() {
        let hir = relaxed_hir("(?<host>[0-9A-Za-z][0-9A-Za-z-]{0,62}) [0-9]{2}").unwrap();
        let (screen, changed) = screening_hir(&hir);
        let screen = screen.to_string();
        assert!(changed);
        assert!(screen.contains(r"[\-0-9A-Za-z]*"), "{screen}");
        assert!(screen.contains("[0-9]{2}"), "{screen}");
        assert!(!screen.contains("?P<host>"), "groups stay: {screen}");
        // Nothing wide, nothing heavy: nothing to coarsen.
        let (screen, changed) = screening_hir(&relaxed_hir("(a+) [0-9]{1,4}").unwrap());
        assert!(!changed);
        assert_eq!(screen.to_string(), "(?:a+ [0-9]{1,4})");
    }

    #[test]
    fn screening_turns_heavy_alternations_into_runs_of_their_chars() {
        let tight = Coarsening {
            widest_count: 8,
            heaviest_alternation: 6,
        };
        // Innermost first: the heavy inner choice goes, the light outer one
        // over it stays.
        let screen = screen_of("(?:x|((?:[0-9a-f]{1,4}:){3}[0-9a-f]{1,4}|::))z", tight).unwrap();
        assert_eq!(screen, "(?:(?:x|[0-:a-f]{2,})z)");
        // Lengths bound the run when they are close; a non-ASCII char may
        // take up to four of the bytes they count.
        assert_eq!(screen_of("(?:abc|bcd|cde)", tight).unwrap(), "[a-e]{3}");
        assert_eq!(screen_of("(?:abc|bcd|éé)", tight).unwrap(), "[a-dé]{0,4}");
        // A choice between whole formats of unbounded length stays: a run of
        // their chars would pass nearly every line.
        assert_eq!(screen_of(r"(?:\[ab\] .*|\(cd\) .*)", tight), None);
    }

    fn screening_regex() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let atom = prop_oneof![
            Just("a".to_string()),
            Just("b".to_string()),
            Just("é".to_string()),
            Just("[ab]".to_string()),
            Just("[^a]".to_string()),
            Just("\\b".to_string()),
            Just("^".to_string()),
            Just("$".to_string()),
        ];
        atom.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..4).prop_map(|v| v.concat()),
                prop::collection::vec(inner.clone(), 2..4)
                    .prop_map(|v| format!("(?:{})", v.join("|"))),
                (inner.clone(), 0u32..3, 0u32..4)
                    .prop_map(|(r, min, extra)| format!("(?:{r}){{{min},{}}}", min + extra)),
                (inner.clone(), any::<bool>())
                    .prop_map(|(r, lazy)| format!("(?:{r})*{}", if lazy { "?" } else { "" })),
                inner.prop_map(|r| format!("({r})")),
            ]
        })
    }

    proptest::proptest! {
        /// Whatever the regex matches, its screen matches: a screen may say
        /// "perhaps" wrongly but never "no" wrongly. Tiny thresholds make
        /// nearly everything coarsened.
        #[test]
        fn screens_match_whatever_their_regex_matches(
            pattern in screening_regex(),
            hay in "[abé -]{0,10}",
        ) {
            use regex_automata::meta::Regex;
            let hir = relaxed_hir(&pattern).unwrap();
            let tight = Coarsening { widest_count: 1, heaviest_alternation: 2 };
            let (screen, _) = tight.apply(&hir);
            {
                let regex = Regex::builder().build_from_hir(&hir).unwrap();
                let screen_regex = Regex::builder().build_from_hir(&screen).unwrap();
                if regex.is_match(hay.as_str()) {
                    proptest::prop_assert!(
                        screen_regex.is_match(hay.as_str()),
                        "screen {} of {} misses {:?}", screen, pattern, hay
                    );
                }
            }
        }
    }
}
