//! Expansion: replaces every `%{NAME:field:type}` with the definition's tree,
//! renames every capture to a synthetic group with an entry in a side table
//! (group → field name, type), and checks cycles, unknown names and limits.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Error, ErrorKind};
use crate::library::PatternLibrary;
use crate::pattern::CompileOptions;
use crate::syntax::{self, Group, GroupKind, Node};
use crate::value::FieldType;

/// Deepest nesting of the expanded tree (definitions within definitions,
/// groups within groups). Keeps every recursive pass far from the stack's end.
pub(crate) const MAX_DEPTH: usize = 200;

/// Most nodes an expanded expression may have.
pub(crate) const MAX_NODES: usize = 1_000_000;

/// A field's capture: its name as stored and its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FieldSpec {
    pub name: String,
    pub ty: FieldType,
}

pub(crate) struct Expansion {
    pub root: Node,
    pub fields: Vec<FieldSpec>,
}

/// Puts a field name in the form Logstash stores it: bracket paths are
/// rebuilt from their parts (`[a][b` becomes `[a][b]`), a single bracketed
/// part becomes plain (`[foo]` is `foo`).
pub(crate) fn canonical_field_name(name: &str) -> String {
    match field_path(name) {
        Some(parts) if parts.len() == 1 => parts[0].clone(),
        Some(parts) => parts.iter().map(|p| format!("[{p}]")).collect(),
        None => name.to_string(),
    }
}

/// The parts of a bracket path (`[source][address]`), `None` for a plain name.
pub(crate) fn field_path(name: &str) -> Option<Vec<String>> {
    if !name.starts_with('[') {
        return None;
    }
    let parts: Vec<String> = name
        .split('[')
        .map(|p| p.trim_end_matches(']'))
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(parts)
    }
}

pub(crate) fn expand(
    lib: &PatternLibrary,
    expr: &str,
    options: &CompileOptions,
) -> Result<Expansion, Error> {
    let tree = syntax::parse(expr)?;
    let mut expander = Expander {
        lib,
        options,
        fields: Vec::new(),
        stack: Vec::new(),
        nodes: 0,
        inline: HashMap::new(),
        expr,
        raw_groups: HashMap::new(),
    };
    let root = expander.node(&tree, 0, None)?;
    Ok(Expansion {
        root,
        fields: expander.fields,
    })
}

struct Expander<'a> {
    lib: &'a PatternLibrary,
    options: &'a CompileOptions,
    fields: Vec<FieldSpec>,
    /// The definitions being expanded, outermost first.
    stack: Vec<String>,
    nodes: usize,
    inline: HashMap<String, Arc<Node>>,
    expr: &'a str,
    /// Raw group names (`(?<name>…)`) and their synthetic group ids, so that
    /// backreferences to them (`\k<name>`) follow the renaming.
    raw_groups: HashMap<String, usize>,
}

impl Expander<'_> {
    fn add_field(&mut self, name: &str, ty: FieldType) -> usize {
        self.fields.push(FieldSpec {
            name: canonical_field_name(name),
            ty,
        });
        self.fields.len() - 1
    }

    fn where_(&self) -> String {
        match self.stack.last() {
            Some(name) => format!("in definition {name}"),
            None => "in the expression".to_string(),
        }
    }

    fn node(&mut self, node: &Node, depth: usize, origin: Option<&str>) -> Result<Node, Error> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(Error::new(
                ErrorKind::SizeLimit { limit: MAX_NODES },
                format!("the expanded expression has more than {MAX_NODES} parts (the limit)"),
            )
            .in_pattern(self.expr));
        }
        if depth > MAX_DEPTH {
            let chain = self.stack.join(" -> ");
            return Err(Error::new(
                ErrorKind::SizeLimit { limit: MAX_DEPTH },
                format!(
                    "the expression nests deeper than the limit of {MAX_DEPTH} (through {chain})"
                ),
            )
            .in_pattern(self.expr));
        }
        Ok(match node {
            Node::Concat(items) => Node::Concat(
                items
                    .iter()
                    .map(|n| self.node(n, depth + 1, origin))
                    .collect::<Result<_, _>>()?,
            ),
            Node::Alt(items) => Node::Alt(
                items
                    .iter()
                    .map(|n| self.node(n, depth + 1, origin))
                    .collect::<Result<_, _>>()?,
            ),
            Node::Repeat(rep) => {
                let mut rep = rep.clone();
                rep.node = self.node(&rep.node, depth + 1, origin)?;
                Node::Repeat(rep)
            }
            Node::Group(group) => {
                let kind = match &group.kind {
                    GroupKind::Named(name) => {
                        let id = self.add_field(name, FieldType::String);
                        self.raw_groups.insert(name.clone(), id);
                        GroupKind::Field(id)
                    }
                    other => other.clone(),
                };
                let inner = self.node(&group.node, depth + 1, origin)?;
                Node::Group(Box::new(Group { kind, node: inner }))
            }
            Node::Ref(r) => self.reference(r, depth, origin)?,
            Node::ExactOnly(raw) => Node::ExactOnly(self.rename_backreference(raw)),
            other => other.clone(),
        })
    }

    /// `\k<name>` / `\g<name>` with the group's synthetic name.
    fn rename_backreference(&self, raw: &str) -> String {
        let Some(rest) = raw.strip_prefix("\\k").or_else(|| raw.strip_prefix("\\g")) else {
            return raw.to_string();
        };
        let name = rest
            .trim_start_matches(['<', '\''])
            .trim_end_matches(['>', '\'']);
        match self.raw_groups.get(name) {
            Some(id) => format!("{}<g{id}>", &raw[..2]),
            None => raw.to_string(),
        }
    }

    fn reference(
        &mut self,
        r: &syntax::GrokRef,
        depth: usize,
        origin: Option<&str>,
    ) -> Result<Node, Error> {
        let locate = |err: Error| match origin {
            Some(text) => err.at(text, r.offset),
            None => err.at(self.expr, r.offset),
        };
        if let Some(def) = &r.inline {
            let parsed = syntax::parse(def)
                .map_err(|e| e.context(format!("in the inline definition of {}", r.name)))?;
            self.inline.insert(r.name.clone(), Arc::new(parsed));
        }
        if let Some(pos) = self.stack.iter().position(|n| n == &r.name) {
            let mut path: Vec<String> = self.stack[pos..].to_vec();
            path.push(r.name.clone());
            let shown = path.join(" -> ");
            return Err(locate(Error::new(
                ErrorKind::Cycle { path },
                format!("definitions refer to each other in a cycle: {shown}"),
            )));
        }
        let (tree, text) = match self.inline.get(&r.name) {
            Some(tree) => (tree.clone(), None),
            None => match self.lib.definition(&r.name) {
                Some(def) => {
                    let tree = def.tree().map_err(|e| {
                        e.context(format!("in definition {}{}", r.name, def.origin_suffix()))
                    })?;
                    (tree, Some(def.text_arc()))
                }
                None => {
                    let suggestion = self.lib.closest_name(&r.name);
                    let hint = match &suggestion {
                        Some(s) => format!("; did you mean {s}?"),
                        None => String::new(),
                    };
                    return Err(locate(Error::new(
                        ErrorKind::UnknownPattern {
                            name: r.name.clone(),
                            suggestion,
                        },
                        format!("unknown pattern name {} {}{hint}", r.name, self.where_()),
                    )));
                }
            },
        };
        let capture = match &r.field {
            Some(field) => Some(self.add_field(field, r.ty.unwrap_or(FieldType::String))),
            None if !self.options.is_named_only() => {
                Some(self.add_field(&r.name, r.ty.unwrap_or(FieldType::String)))
            }
            None => None,
        };
        self.stack.push(r.name.clone());
        let inner = self.node(&tree, depth + 1, text.as_deref());
        self.stack.pop();
        let inner = inner?;
        let kind = match capture {
            Some(id) => GroupKind::Field(id),
            None => GroupKind::NonCapture(String::new()),
        };
        Ok(Node::Group(Box::new(Group { kind, node: inner })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names_follow_logstash() {
        assert_eq!(canonical_field_name("clientip"), "clientip");
        assert_eq!(canonical_field_name("[foo]"), "foo");
        assert_eq!(
            canonical_field_name("[source][address]"),
            "[source][address]"
        );
        assert_eq!(
            canonical_field_name("[source][user][name"),
            "[source][user][name]"
        );
        assert_eq!(canonical_field_name("a.b"), "a.b");
        assert_eq!(
            field_path("[@metadata][x]"),
            Some(vec!["@metadata".to_string(), "x".to_string()])
        );
    }
}
