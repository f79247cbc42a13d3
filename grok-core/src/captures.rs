//! [`Captures`]: the fields of one match, borrowing the input.

use once_cell::sync::Lazy;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::engine::{Decision, Spans};
use crate::error::{Error, ErrorKind};
use crate::expand::FieldSpec;
use crate::json;
use crate::pattern::{CompileOptions, FieldInfo};
use crate::value::{convert, FieldType, Value};

/// How a pattern's field table maps to distinct fields and nested output.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    pub fields: Vec<FieldInfo>,
    /// Every capture as (distinct field, field id, type), grouped by
    /// distinct field in field order, then in pattern order.
    captures: Vec<(usize, usize, FieldType)>,
    /// Each field id's place in `captures`.
    position: Vec<u32>,
    tree: Vec<TreeNode>,
    roots: Vec<usize>,
}

#[derive(Debug)]
struct TreeNode {
    key: String,
    /// `"key":`, escaped once for [`Captures::write_json`].
    json_key: Box<[u8]>,
    field: Option<usize>,
    children: Vec<usize>,
}

static EMPTY_LAYOUT: Lazy<Layout> = Lazy::new(Layout::default);

/// [`Captures::fill`] reads only the captures a match may have set when
/// they are at most one in `LIVE_SHARE` of the pattern's (SSHLINE sets
/// about 9 of 60); otherwise it reads them all, which is cheaper.
const LIVE_SHARE: usize = 4;

/// Fewest captures for which [`Captures::fill`] asks which were set.
const MIN_SPARSE: usize = 16;

impl Layout {
    pub(crate) fn new(specs: &[FieldSpec]) -> Layout {
        let mut layout = Layout::default();
        for (id, spec) in specs.iter().enumerate() {
            let d = match layout.fields.iter().position(|f| f.name() == spec.name) {
                Some(d) => d,
                None => {
                    layout.fields.push(FieldInfo::new(&spec.name, spec.ty));
                    layout.fields.len() - 1
                }
            };
            layout.captures.push((d, id, spec.ty));
        }
        // Stable: a field's captures keep their pattern order.
        layout.captures.sort_by_key(|&(d, _, _)| d);
        layout.position = vec![0; specs.len()];
        for (k, &(_, id, _)) in layout.captures.iter().enumerate() {
            layout.position[id] = k as u32;
        }
        for d in 0..layout.fields.len() {
            let path = layout.fields[d].path().to_vec();
            let mut level: Option<usize> = None;
            for key in path {
                let siblings = match level {
                    None => &layout.roots,
                    Some(n) => &layout.tree[n].children,
                };
                let found = siblings
                    .iter()
                    .copied()
                    .find(|&n| layout.tree[n].key == key);
                let node = match found {
                    Some(n) => n,
                    None => {
                        let mut json_key = Vec::new();
                        json::write_str(&mut json_key, &key);
                        json_key.push(b':');
                        layout.tree.push(TreeNode {
                            key,
                            json_key: json_key.into(),
                            field: None,
                            children: Vec::new(),
                        });
                        let n = layout.tree.len() - 1;
                        match level {
                            None => layout.roots.push(n),
                            Some(p) => layout.tree[p].children.push(n),
                        }
                        n
                    }
                };
                level = Some(node);
            }
            if let Some(n) = level {
                layout.tree[n].field = Some(d);
            }
        }
        layout
    }
}

/// The fields of one match. Strings borrow the input; a field captured more
/// than once has several values, in order.
///
/// Serializes (serde) as a map: ECS bracket names become nested maps
/// (`[source][address]` → `{"source": {"address": …}}`), a field with several
/// values becomes a list.
///
/// ```
/// let lib = grok_core::PatternLibrary::ecs_v1();
/// let p = lib.compile("%{IP:[source][address]} %{INT:[http][status]:int}")?;
/// let caps = p.captures("10.0.0.1 404")?.unwrap();
/// let json = serde_json::to_string(&caps).unwrap();
/// assert_eq!(json, r#"{"source":{"address":"10.0.0.1"},"http":{"status":404}}"#);
/// # Ok::<(), grok_core::Error>(())
/// ```
#[derive(Debug)]
pub struct Captures<'a> {
    layout: &'a Layout,
    values: Vec<Value<'a>>,
    spans: Vec<(usize, usize)>,
    /// For each distinct field: its range in `values`; empty (`(0, 0)`)
    /// if not captured.
    ranges: Vec<(u32, u32)>,
    /// Scratch for [`Captures::fill`]: the places in the layout's
    /// captures of the fields that may be set.
    order: Vec<u32>,
    decision: Decision,
    index: usize,
}

impl Default for Captures<'_> {
    fn default() -> Self {
        Captures::new()
    }
}

impl<'a> Captures<'a> {
    /// An empty buffer, for [`Pattern::captures_into`](crate::Pattern::captures_into).
    pub fn new() -> Captures<'a> {
        Captures {
            layout: &EMPTY_LAYOUT,
            values: Vec::new(),
            spans: Vec::new(),
            ranges: Vec::new(),
            order: Vec::new(),
            decision: Decision::Linear,
            index: 0,
        }
    }

    pub(crate) fn reset(&mut self, layout: &'a Layout, index: usize) {
        self.layout = layout;
        self.values.clear();
        self.spans.clear();
        self.ranges.clear();
        self.ranges.resize(layout.fields.len(), (0, 0));
        self.index = index;
    }

    pub(crate) fn fill(
        &mut self,
        text: &'a str,
        decision: Decision,
        spans: &Spans<'_>,
        options: &CompileOptions,
    ) -> Result<(), Error> {
        self.decision = decision;
        let layout = self.layout;
        // A pattern of many alternatives (SSHLINE: 60 captures) sets few on
        // any one match; when the engine lists those, only they are read.
        if layout.captures.len() >= MIN_SPARSE && self.fill_live(text, spans, options)? {
            return Ok(());
        }
        // The engine's kind of spans decided once, outside the loop.
        match *spans {
            Spans::Slots { slots, fields, .. } => {
                self.add_all(text, options, |id| slots.span(*fields.get(id)?))
            }
            Spans::Listed(listed) => {
                self.add_all(text, options, |id| listed.get(id).copied().flatten())
            }
        }
    }

    /// Adds every capture's value, `span_of` giving the span of a field id.
    #[inline(always)]
    fn add_all(
        &mut self,
        text: &'a str,
        options: &CompileOptions,
        span_of: impl Fn(usize) -> Option<(usize, usize)>,
    ) -> Result<(), Error> {
        for &(d, id, ty) in &self.layout.captures {
            if let Some(span) = span_of(id) {
                self.add(text, (d, ty), span, options)?;
            }
        }
        Ok(())
    }

    /// [`Captures::fill`] from the captures the engine lists as possibly
    /// set, if it lists at most one in [`LIVE_SHARE`] (listing costs more
    /// than it saves otherwise); `false` if it did not.
    #[inline(never)]
    fn fill_live(
        &mut self,
        text: &'a str,
        spans: &Spans<'_>,
        options: &CompileOptions,
    ) -> Result<bool, Error> {
        let layout = self.layout;
        let Some(live) = spans.live_fields(layout.captures.len() / LIVE_SHARE) else {
            return Ok(false);
        };
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        order.extend(live.filter_map(|id| layout.position.get(id).copied()));
        // Layout order: a field's captures together.
        if !order.is_sorted() {
            order.sort_unstable();
        }
        let filled = order.iter().try_for_each(|&k| {
            let (d, id, ty) = layout.captures[k as usize];
            match spans.get(id) {
                Some(span) => self.add(text, (d, ty), span, options),
                None => Ok(()),
            }
        });
        self.order = order;
        filled.map(|()| true)
    }

    /// Adds the value of a capture of distinct field `d`, of type `ty`, at
    /// `s..e`.
    #[inline(always)]
    fn add(
        &mut self,
        text: &'a str,
        (d, ty): (usize, FieldType),
        (s, e): (usize, usize),
        options: &CompileOptions,
    ) -> Result<(), Error> {
        let piece = &text[s..e];
        let value = match ty {
            // The common case, without a call.
            FieldType::String if !piece.is_empty() => Value::Str(piece),
            _ if piece.is_empty() => {
                if !options.is_keep_empty() {
                    return Ok(());
                }
                Value::Str(piece)
            }
            _ => convert(piece, ty, options.conversion_mode())
                .ok_or_else(|| conversion_error(self.layout.fields[d].name(), piece, ty))?,
        };
        let at = self.values.len() as u32;
        self.values.push(value);
        self.spans.push((s, e));
        // A field's captures are adjacent in `captures`, so its values
        // are too: a later one extends the range.
        let range = &mut self.ranges[d];
        if range.1 == 0 {
            range.0 = at;
        }
        range.1 = at + 1;
        Ok(())
    }

    /// The first value of a field, if it was captured.
    pub fn get(&self, name: &str) -> Option<&Value<'a>> {
        self.get_all(name).first()
    }

    /// Every value of a field, in capture order (empty if not captured).
    pub fn get_all(&self, name: &str) -> &[Value<'a>] {
        match self.layout.fields.iter().position(|f| f.name() == name) {
            Some(d) => self.values_of(d),
            None => &[],
        }
    }

    /// Where distinct field `d`'s values are in `values`, if it was captured.
    fn range(&self, d: usize) -> Option<(u32, u32)> {
        self.ranges.get(d).copied().filter(|r| r.1 > 0)
    }

    fn values_of(&self, d: usize) -> &[Value<'a>] {
        match self.range(d) {
            Some((s, e)) => &self.values[s as usize..e as usize],
            None => &[],
        }
    }

    /// The byte spans in the input of a field's values.
    pub fn spans(&self, name: &str) -> &[(usize, usize)] {
        match self.layout.fields.iter().position(|f| f.name() == name) {
            Some(d) => match self.range(d) {
                Some((s, e)) => &self.spans[s as usize..e as usize],
                None => &[],
            },
            None => &[],
        }
    }

    /// The captured fields in order of first appearance in the pattern:
    /// each field's description and its values (one, or several when the
    /// field was captured more than once).
    pub fn iter(&self) -> impl Iterator<Item = (&'a FieldInfo, &[Value<'a>])> + '_ {
        let fields: &'a [FieldInfo] = &self.layout.fields;
        fields.iter().enumerate().filter_map(move |(d, f)| {
            self.range(d)
                .map(|(s, e)| (f, &self.values[s as usize..e as usize]))
        })
    }

    /// How many distinct fields were captured.
    pub fn len(&self) -> usize {
        (0..self.ranges.len())
            .filter(|&d| self.range(d).is_some())
            .count()
    }

    /// Whether no field was captured (the pattern matched but captured nothing).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// For a [`Matcher`](crate::Matcher): the index of the expression that
    /// matched. Always 0 for a single [`Pattern`](crate::Pattern).
    pub fn pattern_index(&self) -> usize {
        self.index
    }

    /// Which engine decided this match.
    pub fn decision(&self) -> crate::Decision {
        self.decision
    }

    /// Appends the match as a JSON object to `out`: the same text as
    /// serializing it with serde_json, written directly (several times
    /// faster, for output of one object per line).
    ///
    /// ```
    /// let lib = grok_core::PatternLibrary::ecs_v1();
    /// let p = lib.compile("%{IP:[source][address]} %{INT:[http][status]:int} %{GREEDYDATA:msg}")?;
    /// let caps = p.captures("10.0.0.1 404 say \"hi\"")?.unwrap();
    /// let mut out = Vec::new();
    /// caps.write_json(&mut out);
    /// assert_eq!(
    ///     String::from_utf8(out).unwrap(),
    ///     r#"{"source":{"address":"10.0.0.1"},"http":{"status":404},"msg":"say \"hi\""}"#
    /// );
    /// # Ok::<(), grok_core::Error>(())
    /// ```
    pub fn write_json(&self, out: &mut Vec<u8>) {
        self.write_json_level(out, &self.layout.roots);
    }

    /// One level of the nesting (see the `Serialize` impl, which this
    /// follows key for key).
    fn write_json_level(&self, out: &mut Vec<u8>, nodes: &[usize]) {
        out.push(b'{');
        let mut first = true;
        for &n in nodes {
            let Some(member) = self.member(n) else {
                continue;
            };
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(&self.layout.tree[n].json_key);
            match member {
                Member::Values([one]) => json::write_value(out, one),
                Member::Values(many) => {
                    out.push(b'[');
                    for (i, v) in many.iter().enumerate() {
                        if i > 0 {
                            out.push(b',');
                        }
                        json::write_value(out, v);
                    }
                    out.push(b']');
                }
                Member::Nested(children) => self.write_json_level(out, children),
            }
        }
        out.push(b'}');
    }

    /// What this match has under one key of the nesting (node `n`), if
    /// anything. A value and nested fields under one key cannot both be
    /// written; the value wins.
    #[inline]
    fn member(&self, n: usize) -> Option<Member<'_, 'a>> {
        let node = &self.layout.tree[n];
        match node.field.map(|d| self.values_of(d)) {
            Some(values) if !values.is_empty() => Some(Member::Values(values)),
            _ if !node.children.is_empty() && self.node_has_value(n) => {
                Some(Member::Nested(&node.children))
            }
            _ => None,
        }
    }

    fn node_has_value(&self, n: usize) -> bool {
        let node = &self.layout.tree[n];
        node.field.is_some_and(|d| self.range(d).is_some())
            || node.children.iter().any(|&c| self.node_has_value(c))
    }
}

/// A strict conversion's failure (out of line: the fill loop never takes it
/// on well-formed input).
#[cold]
fn conversion_error(name: &str, piece: &str, ty: FieldType) -> Error {
    Error::new(
        ErrorKind::Conversion {
            field: name.to_string(),
            value: piece.to_string(),
        },
        format!("field {name}: {piece:?} is not a valid {ty}"),
    )
}

impl<'a> std::ops::Index<&str> for Captures<'a> {
    type Output = Value<'a>;

    /// The first value of a field; panics if it was not captured (use
    /// [`Captures::get`] to avoid that).
    fn index(&self, name: &str) -> &Value<'a> {
        match self.get(name) {
            Some(v) => v,
            None => panic!("field {name:?} was not captured"),
        }
    }
}

/// What a key of the nesting holds in one match.
enum Member<'c, 'a> {
    /// A field's values (one, or several written as a list).
    Values(&'c [Value<'a>]),
    /// Nested fields: these nodes' members.
    Nested(&'c [usize]),
}

struct NodeSer<'c, 'a> {
    caps: &'c Captures<'a>,
    nodes: &'c [usize],
}

struct ValuesSer<'c, 'a>(&'c [Value<'a>]);

impl Serialize for ValuesSer<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if let [one] = self.0 {
            return one.serialize(s);
        }
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for v in self.0 {
            seq.serialize_element(v)?;
        }
        seq.end()
    }
}

impl Serialize for NodeSer<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let caps = self.caps;
        let mut map = s.serialize_map(None)?;
        for &n in self.nodes {
            let key = &caps.layout.tree[n].key;
            match caps.member(n) {
                Some(Member::Values(values)) => map.serialize_entry(key, &ValuesSer(values))?,
                Some(Member::Nested(nodes)) => {
                    map.serialize_entry(key, &NodeSer { caps, nodes })?
                }
                None => {}
            }
        }
        map.end()
    }
}

impl Serialize for Captures<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        NodeSer {
            caps: self,
            nodes: &self.layout.roots,
        }
        .serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use crate::{CompileOptions, PatternLibrary, Value};

    #[test]
    fn a_field_captured_in_several_places_keeps_its_values_in_order() {
        let lib = PatternLibrary::legacy();
        let p = lib
            .compile("%{WORD:a} %{INT:n:int} %{WORD:a}(?: %{WORD:a})?(?: %{WORD:b})?")
            .unwrap();
        let caps = p.captures("x 7 y").unwrap().unwrap();
        assert_eq!(caps.get_all("a"), [Value::Str("x"), Value::Str("y")]);
        assert_eq!(caps.spans("a"), [(0, 1), (4, 5)]);
        assert_eq!(caps.get("n"), Some(&Value::Int(7)));
        assert!(caps.get("b").is_none());
        assert_eq!(caps.len(), 2);
        let caps = p.captures("x 7 y z w").unwrap().unwrap();
        let a: Vec<_> = caps.get_all("a").iter().map(|v| v.to_string()).collect();
        assert_eq!(a, ["x", "y", "z"]);
        assert_eq!(caps.get("b"), Some(&Value::Str("w")));
        let order: Vec<_> = caps.iter().map(|(f, v)| (f.name(), v.len())).collect();
        assert_eq!(order, [("a", 3), ("n", 1), ("b", 1)]);
    }

    /// `write_json` against serde_json on the same match.
    fn assert_json_agrees(lib: &PatternLibrary, expr: &str, line: &str) {
        let p = lib.compile(expr).unwrap();
        let caps = p.captures(line).unwrap().unwrap();
        let mut out = Vec::new();
        caps.write_json(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string(&caps).unwrap(),
            "{expr} on {line:?}"
        );
    }

    #[test]
    fn written_json_is_serde_jsons() {
        let legacy = PatternLibrary::legacy();
        let ecs = PatternLibrary::ecs_v1();
        let line = r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a\"b HTTP/1.0" 200 2326 "-" "Mozilla/4.08""#;
        assert_json_agrees(&legacy, "%{COMBINEDAPACHELOG}", line);
        assert_json_agrees(&ecs, "%{COMBINEDAPACHELOG}", line);
        // Several values, typed values, absent fields, an empty match.
        let expr = "%{WORD:a} %{INT:n:int} %{NUMBER:f:float} %{WORD:a}(?: %{WORD:b})?";
        assert_json_agrees(&legacy, expr, "x 7 2.5 y");
        assert_json_agrees(&legacy, "%{WORD:a}?x", "x");
        // A name that is both a field and the prefix of others: the value wins.
        let nested = "%{WORD:[a]} %{WORD:[a][b]} %{WORD:[c][d]} %{INT:[c][e]:int}";
        assert_json_agrees(&ecs, nested, "p q r 5");
        let escapes = "x tab\there \"q\" back\\slash \u{1} é";
        assert_json_agrees(&ecs, "%{WORD:[c][d]} %{GREEDYDATA:[c][e]}", escapes);
    }

    #[test]
    fn empty_captures_are_dropped_unless_kept() {
        let lib = PatternLibrary::legacy();
        let expr = "%{WORD:a}=%{DATA:v}=%{DATA:v};";
        let p = lib.compile(expr).unwrap();
        let caps = p.captures("k==x;").unwrap().unwrap();
        assert_eq!(caps.get_all("v"), [Value::Str("x")]);
        let kept = lib
            .compile_with(expr, &CompileOptions::new().keep_empty(true))
            .unwrap();
        let caps = kept.captures("k==x;").unwrap().unwrap();
        assert_eq!(caps.get_all("v"), [Value::Str(""), Value::Str("x")]);
        assert_eq!(caps.spans("v"), [(2, 2), (3, 4)]);
    }
}
