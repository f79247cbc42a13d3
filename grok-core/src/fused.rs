//! [`Fused`]: a list's expressions as one alternation, so one capture
//! search walks a line once instead of once per expression that fails.
//!
//! The alternation `(?:e0)|(?:e1)|…` finds the leftmost match of any
//! expression, and at that start the first expression in list order that
//! matches there (alternation priority), with that expression's own match.
//! That is the list's answer unless an earlier expression matches further
//! on, which the caller rules out with one screen pass over the rest of the
//! line (see [`Matcher`](crate::Matcher)).

use crate::compile;
use crate::engine::{Decision, Engine, RestScratch, Spans};
use crate::error::Error;
use crate::pattern::Pattern;
use crate::per_thread::PerThread;
use crate::syntax::{Group, GroupKind, Node, Repeat};

/// Most expressions a list fuses. The alternation's tagged DFA follows
/// every expression at once, so its states and the work of building each
/// grow with the list: a list of fifty variants of one access-log format
/// still built states after 600,000 lines, at two thirds of the speed of
/// its screen and one walk.
pub(crate) const MAX_FUSED: usize = 16;

/// The alternation of a list's expressions.
pub(crate) struct Fused {
    engine: Engine,
    /// Per expression, its first field id in the alternation; its fields
    /// follow in its own order.
    offsets: Box<[usize]>,
    /// The field id of expression 0's marker, an empty capture at the
    /// start of its alternative; expression `k`'s is `markers + k`.
    markers: usize,
    /// Each thread's share of the alternation's screen of later starts.
    later: PerThread<RestScratch>,
}

/// A match of the alternation.
pub(crate) struct Hit<'s> {
    /// The expression that matched (its index in the list).
    pub index: usize,
    /// Where its match starts.
    pub start: usize,
    pub decision: Decision,
    /// Its spans, numbered as its own field ids.
    pub spans: Spans<'s>,
}

impl Fused {
    /// The alternation of `patterns`; `None` if fusing them would not pay
    /// or is not possible: fewer than two or more than [`MAX_FUSED`],
    /// different options, or an expression (or the alternation) whose
    /// captures do not take the tagged DFA.
    pub(crate) fn new(patterns: &[Pattern]) -> Option<Fused> {
        let first = patterns.first()?;
        if patterns.len() < 2 || patterns.len() > MAX_FUSED {
            return None;
        }
        let options = first.options();
        let fusable = |p: &Pattern| p.options() == options && p.inner.engine.takes_tdfa();
        if !patterns.iter().all(fusable) {
            return None;
        }
        let mut offsets = Vec::with_capacity(patterns.len());
        let markers: usize = patterns.iter().map(|p| p.inner.field_ids).sum();
        let mut next = 0;
        let alternatives = patterns
            .iter()
            .enumerate()
            .map(|(k, p)| {
                offsets.push(next);
                let body = renumbered(&p.inner.root, next);
                next += p.inner.field_ids;
                Node::Concat(vec![
                    group(GroupKind::Field(markers + k), Node::Empty),
                    group(GroupKind::NonCapture(String::new()), body),
                ])
            })
            .collect();
        let root = Node::Alt(alternatives);
        let program = compile::compile(&root, options.size_limit).ok()?;
        let engine = Engine::new(
            &program,
            markers + patterns.len(),
            options.size_limit,
            options.match_limit,
        )
        .ok()?;
        if !engine.takes_tdfa() {
            return None;
        }
        Some(Fused {
            engine,
            offsets: offsets.into(),
            markers,
            later: PerThread::new(Box::new(RestScratch::default)),
        })
    }

    /// `false` when no expression matches at `from` or after: one pass of
    /// the alternation's screen (the one its capture search uses to rule
    /// out later starts once they cost what it does; built by the first
    /// call, as the list does not fuse before its trial shows walks to
    /// save).
    pub(crate) fn may_match_from(&self, text: &str, from: usize) -> bool {
        self.engine
            .may_match_from(&mut self.later.get(), text, from)
    }

    /// The first match of the alternation, handed to `on_match`. Exactly
    /// one alternative takes part in a match, and its marker says which;
    /// `on_match` gets `None` if none does (not expected: the caller then
    /// searches the list the long way).
    pub(crate) fn search<R>(
        &self,
        text: &str,
        on_match: impl FnOnce(Option<Hit<'_>>) -> R,
    ) -> Result<Option<R>, Error> {
        self.engine.search(text, false, None, |decision, spans| {
            let marked =
                (0..self.offsets.len()).find_map(|k| Some((k, spans.get(self.markers + k)?.0)));
            on_match(marked.map(|(index, start)| Hit {
                index,
                start,
                decision,
                spans: spans.skip_fields(self.offsets[index]),
            }))
        })
    }
}

fn group(kind: GroupKind, node: Node) -> Node {
    Node::Group(Box::new(Group { kind, node }))
}

/// A copy of an expanded tree with every field id moved up by `offset`.
fn renumbered(node: &Node, offset: usize) -> Node {
    match node {
        Node::Group(g) => {
            let kind = match g.kind {
                GroupKind::Field(f) => GroupKind::Field(f + offset),
                ref other => other.clone(),
            };
            group(kind, renumbered(&g.node, offset))
        }
        Node::Concat(nodes) => Node::Concat(nodes.iter().map(|n| renumbered(n, offset)).collect()),
        Node::Alt(nodes) => Node::Alt(nodes.iter().map(|n| renumbered(n, offset)).collect()),
        Node::Repeat(r) => Node::Repeat(Box::new(Repeat {
            node: renumbered(&r.node, offset),
            ..**r
        })),
        other => other.clone(),
    }
}
