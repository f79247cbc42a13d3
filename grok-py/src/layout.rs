//! The Python shape of a pattern's matches: field-name strings interned once
//! per pattern, the nesting of ECS bracket names, and the builders of dicts
//! and columns from matched values.

use std::sync::Mutex;

use grok_core::{Captures, FieldInfo, FieldType, Pattern, Value};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyList, PyString};

/// One captured value of a line: the field (index into
/// [`Pattern::fields`]) and its value, borrowing the input line. A line's
/// entries are grouped by field, in field order.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'t> {
    pub field: u32,
    pub value: Value<'t>,
}

/// Appends the values of a match to `out`, without looking names up.
pub fn collect<'t>(caps: &Captures<'t>, fields: &[FieldInfo], out: &mut Vec<Entry<'t>>) {
    let mut cursor = 0;
    for (info, values) in caps.iter() {
        let Some(d) = locate(fields, info, cursor) else {
            continue;
        };
        cursor = d;
        out.extend(values.iter().map(|&value| Entry {
            field: d as u32,
            value,
        }));
    }
}

/// The index of `info` in `fields`: `Captures::iter` walks the fields in
/// order, so the search starts at the previous field and is one comparison.
fn locate(fields: &[FieldInfo], info: &FieldInfo, from: usize) -> Option<usize> {
    let same = |f: &FieldInfo| std::ptr::eq(f, info) || f.name() == info.name();
    fields[from..]
        .iter()
        .position(same)
        .map(|i| i + from)
        .or_else(|| fields.iter().position(same))
}

/// A node of the nesting tree of ECS names (`[source][address]` →
/// `source` → `address`).
struct Node {
    key: Py<PyString>,
    field: Option<usize>,
    children: Vec<usize>,
}

/// Per pattern: the interned names and how a match becomes a dict.
pub struct Layout {
    /// Field names as written (`clientip`, `[source][address]`): the keys of
    /// flat dicts and the column names.
    names: Vec<Py<PyString>>,
    types: Vec<FieldType>,
    /// Whether a field is captured in more than one place (its value may be
    /// a list).
    multi: Vec<bool>,
    /// The nesting, when some name is a bracket path; `None` when every
    /// field is a plain name (the fast path).
    tree: Option<(Vec<Node>, Vec<usize>)>,
    /// The flat dict shapes seen so far (see [`Template`]), behind a mutex
    /// (a pattern is shared between threads) that is only `try_lock`ed:
    /// building a dict may run Python code (a garbage collection,
    /// finalizers) that matches on the same pattern again, on this thread or
    /// another, and that match then builds its dict without templates
    /// instead of waiting for a lock its own thread may hold.
    templates: Mutex<Vec<Template>>,
}

/// Most dict shapes kept per pattern: a pattern's lines rarely have more
/// than a few sets of fields, and a line of another shape is only built
/// the plain way.
const TEMPLATES: usize = 16;

/// Keys a new dict holds before its table must grow (CPython's
/// `USABLE_FRACTION(PyDict_MINSIZE)`): a shape of no more keys is built
/// faster key by key than by copying a template.
const SMALL: u32 = 5;

/// Lines in a row whose value of a key differs from the template's before
/// the template takes the value of the next one.
const SWITCH: u32 = 16;

/// A flat dict shape: which fields a line has (bit `d` for field `d`), and
/// a dict of exactly those keys, in output order, holding a recent string
/// of each field (`None` at first).
///
/// A line of that shape copies the dict, which copies its key table as is
/// (inserting keys one by one hashes each and grows the table), then
/// replaces the values that differ: a field of few values (an HTTP verb, a
/// status, a host name) often has the template's, and costs neither a
/// string nor a dict update.
struct Template {
    mask: u64,
    dict: Py<PyDict>,
    /// Per key of `dict`, in order.
    presets: Vec<Preset>,
}

/// The value of one key of a template.
struct Preset {
    field: usize,
    /// The text of the value (`None` for the initial `None`).
    text: Option<Box<str>>,
    /// Lines in a row with another value (see [`SWITCH`]).
    misses: u32,
}

impl Layout {
    pub fn new(py: Python<'_>, pattern: &Pattern) -> Layout {
        let fields = pattern.fields();
        let names = fields
            .iter()
            .map(|f| PyString::intern(py, f.name()).unbind())
            .collect();
        let types = fields.iter().map(FieldInfo::ty).collect();
        let multi = fields
            .iter()
            .map(|f| {
                pattern
                    .field_table()
                    .filter(|(n, _)| *n == f.name())
                    .count()
                    > 1
            })
            .collect();
        let flat = fields.iter().all(|f| f.path() == [f.name()]);
        let tree = (!flat).then(|| build_tree(py, fields));
        Layout {
            names,
            types,
            multi,
            tree,
            templates: Mutex::new(Vec::new()),
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn name<'py>(&self, py: Python<'py>, d: usize) -> &Bound<'py, PyString> {
        self.names[d].bind(py)
    }

    pub fn ty(&self, d: usize) -> FieldType {
        self.types[d]
    }

    pub fn is_multi(&self, d: usize) -> bool {
        self.multi[d]
    }

    /// The dict of one match. `slots` is scratch space reused across lines.
    pub fn dict<'py>(
        &self,
        py: Python<'py>,
        entries: &[Entry<'_>],
        slots: &mut Vec<Option<(usize, usize)>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        match &self.tree {
            None => self.flat(py, entries),
            Some((nodes, roots)) => {
                let dict = PyDict::new(py);
                slots.clear();
                slots.resize(self.names.len(), None);
                let mut start = 0;
                for (d, group) in groups(entries) {
                    slots[d] = Some((start, start + group.len()));
                    start += group.len();
                }
                fill(py, &dict, nodes, roots, slots, entries)?;
                Ok(dict)
            }
        }
    }

    /// The dict of a flat match: from the template of its shape when there
    /// is one, else key by key.
    fn flat<'py>(&self, py: Python<'py>, entries: &[Entry<'_>]) -> PyResult<Bound<'py, PyDict>> {
        let mask = shape(entries).filter(|m| m.count_ones() > SMALL);
        if let (Some(mask), Ok(mut templates)) = (mask, self.templates.try_lock()) {
            if let Some(template) = self.template(py, &mut templates, mask, entries)? {
                return self.copy_template(py, template, entries);
            }
        }
        let dict = PyDict::new(py);
        for (d, group) in groups(entries) {
            dict.set_item(self.names[d].bind(py), group_value(py, group)?)?;
        }
        Ok(dict)
    }

    /// The template of `mask`, the shape of `entries`, made if there is
    /// room.
    fn template<'t>(
        &self,
        py: Python<'_>,
        templates: &'t mut Vec<Template>,
        mask: u64,
        entries: &[Entry<'_>],
    ) -> PyResult<Option<&'t mut Template>> {
        if let Some(i) = templates.iter().position(|t| t.mask == mask) {
            return Ok(Some(&mut templates[i]));
        }
        if templates.len() == TEMPLATES {
            return Ok(None);
        }
        let dict = PyDict::new(py);
        let mut presets = Vec::new();
        for (d, _) in groups(entries) {
            dict.set_item(self.names[d].bind(py), py.None())?;
            presets.push(Preset {
                field: d,
                text: None,
                misses: 0,
            });
        }
        // One key per field, or a value could be checked against the wrong
        // preset (entries are grouped by field: this does not happen).
        if presets.len() != mask.count_ones() as usize {
            return Ok(None);
        }
        templates.push(Template {
            mask,
            dict: dict.unbind(),
            presets,
        });
        Ok(templates.last_mut())
    }

    /// A copy of the template with the values of `entries` (see
    /// [`Template`]); the template takes a string that keeps differing
    /// from its own.
    fn copy_template<'py>(
        &self,
        py: Python<'py>,
        template: &mut Template,
        entries: &[Entry<'_>],
    ) -> PyResult<Bound<'py, PyDict>> {
        let shared = template.dict.bind(py);
        let dict = shared.copy()?;
        for (i, (d, group)) in groups(entries).enumerate() {
            let mut preset = template.presets.get_mut(i).filter(|p| p.field == d);
            let text = single_str(group);
            if let Some(preset) = &mut preset {
                if text.is_some() && preset.text.as_deref() == text {
                    preset.misses = 0;
                    continue;
                }
            }
            let key = self.names[d].bind(py);
            let value = group_value(py, group)?;
            dict.set_item(key, &value)?;
            let (Some(preset), Some(text)) = (preset, text) else {
                continue;
            };
            preset.misses += 1;
            if preset.misses == SWITCH {
                shared.set_item(key, &value)?;
                preset.text = Some(Box::from(text));
                preset.misses = 0;
            }
        }
        Ok(dict)
    }

    /// Writes one match into row `row` of the columns (one list per field).
    pub fn fill_columns(
        &self,
        py: Python<'_>,
        columns: &[Bound<'_, PyList>],
        row: usize,
        entries: &[Entry<'_>],
    ) -> PyResult<()> {
        for (d, group) in groups(entries) {
            columns[d].set_item(row, group_value(py, group)?)?;
        }
        Ok(())
    }
}

fn build_tree(py: Python<'_>, fields: &[FieldInfo]) -> (Vec<Node>, Vec<usize>) {
    let mut nodes: Vec<Node> = Vec::new();
    let mut roots: Vec<usize> = Vec::new();
    for (d, field) in fields.iter().enumerate() {
        let mut parent: Option<usize> = None;
        for key in field.path() {
            let siblings = match parent {
                None => &roots,
                Some(p) => &nodes[p].children,
            };
            let found = siblings
                .iter()
                .copied()
                .find(|&n| nodes[n].key.bind(py).to_str().ok() == Some(key.as_str()));
            let node = match found {
                Some(n) => n,
                None => {
                    nodes.push(Node {
                        key: PyString::intern(py, key).unbind(),
                        field: None,
                        children: Vec::new(),
                    });
                    let n = nodes.len() - 1;
                    match parent {
                        None => roots.push(n),
                        Some(p) => nodes[p].children.push(n),
                    }
                    n
                }
            };
            parent = Some(node);
        }
        if let Some(n) = parent {
            nodes[n].field = Some(d);
        }
    }
    (nodes, roots)
}

/// Sets the keys of `level` in `dict`: a field's value, or a nested dict of
/// its children when any of them has a value. As in grok-core's JSON, when a
/// name is both a field and a prefix of others (`[a]` and `[a][b]`), the
/// field's own value wins.
fn fill(
    py: Python<'_>,
    dict: &Bound<'_, PyDict>,
    nodes: &[Node],
    level: &[usize],
    slots: &[Option<(usize, usize)>],
    entries: &[Entry<'_>],
) -> PyResult<()> {
    for &n in level {
        let node = &nodes[n];
        if let Some((s, e)) = node.field.and_then(|d| slots[d]) {
            dict.set_item(node.key.bind(py), group_value(py, &entries[s..e])?)?;
        } else if has_value(nodes, n, slots) {
            let child = PyDict::new(py);
            fill(py, &child, nodes, &node.children, slots, entries)?;
            dict.set_item(node.key.bind(py), child)?;
        }
    }
    Ok(())
}

fn has_value(nodes: &[Node], n: usize, slots: &[Option<(usize, usize)>]) -> bool {
    let node = &nodes[n];
    node.field.is_some_and(|d| slots[d].is_some())
        || node.children.iter().any(|&c| has_value(nodes, c, slots))
}

/// The shape of a flat match: bit `d` set for each field `d` it has; `None`
/// when a field is past the 64th (such patterns have no templates).
fn shape(entries: &[Entry<'_>]) -> Option<u64> {
    entries
        .iter()
        .try_fold(0u64, |mask, e| Some(mask | 1u64.checked_shl(e.field)?))
}

/// The text of a group of one string value.
fn single_str<'t>(group: &[Entry<'t>]) -> Option<&'t str> {
    match group {
        [Entry {
            value: Value::Str(s),
            ..
        }] => Some(s),
        _ => None,
    }
}

/// Runs of entries of the same field: `(field, values)`.
fn groups<'e, 't>(entries: &'e [Entry<'t>]) -> impl Iterator<Item = (usize, &'e [Entry<'t>])> {
    let mut rest = entries;
    std::iter::from_fn(move || {
        let first = rest.first()?;
        let len = rest
            .iter()
            .position(|e| e.field != first.field)
            .unwrap_or(rest.len());
        let (group, tail) = rest.split_at(len);
        rest = tail;
        Some((first.field as usize, group))
    })
}

/// One value, or a list when the field was captured more than once.
fn group_value<'py>(py: Python<'py>, group: &[Entry<'_>]) -> PyResult<Bound<'py, PyAny>> {
    match group {
        [one] => Ok(value(py, &one.value)),
        many => Ok(PyList::new(py, many.iter().map(|e| value(py, &e.value)))?.into_any()),
    }
}

/// A value as a Python object; strings are built straight from the input.
pub fn value<'py>(py: Python<'py>, v: &Value<'_>) -> Bound<'py, PyAny> {
    match *v {
        Value::Str(s) => PyString::new(py, s).into_any(),
        Value::Int(i) => i
            .into_pyobject(py)
            .map(|o| o.into_any())
            .unwrap_or_else(|never| match never {}),
        Value::Float(f) => PyFloat::new(py, f).into_any(),
        Value::Bool(b) => PyBool::new(py, b).to_owned().into_any(),
    }
}
