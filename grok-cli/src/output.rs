//! Writing results as JSON Lines, TSV, CSV or logfmt, into per-batch byte
//! buffers (no allocation per line for the default JSON and the tables).

use std::io::{self, IsTerminal, Write};

use grok_core::{Captures, Matcher, Value};
use serde_json::{Map, Value as Json};

use crate::args::Format;
use crate::columns::{self, Column};
use crate::error::Failure;

/// The standard output: line-buffered on a terminal (or when asked),
/// block-buffered otherwise.
pub fn stdout(line_buffered: bool) -> Box<dyn Write> {
    let stdout = io::stdout();
    if line_buffered || stdout.is_terminal() {
        Box::new(io::LineWriter::new(stdout))
    } else {
        Box::new(io::BufWriter::with_capacity(1 << 16, stdout))
    }
}

/// One cell of a row.
#[derive(Clone, Copy)]
pub enum Cell<'c> {
    /// A field's values (none when it was not captured).
    Values(&'c [Value<'c>]),
    /// Text.
    Text(&'c str),
    /// A count or an index.
    Number(u64),
    /// A JSON value (the keys of `--count-by`).
    Json(&'c Json),
}

/// What the options ask to write for each line.
#[derive(Debug)]
pub struct Formatter {
    format: Format,
    /// Chosen columns (`--fields`, or every field for tsv and csv); `None`
    /// writes every captured field as the match has it.
    columns: Option<Vec<Column>>,
    /// Metadata written after the captured fields when `columns` is `None`.
    extras: Vec<Column>,
    /// Each expression, for `_pattern`.
    expressions: Vec<String>,
}

impl Formatter {
    /// The formatter for the matcher's results. `keep_unmatched` makes sure
    /// tables have a `_line` column to show unmatched lines in.
    pub fn new(
        format: Format,
        fields: &[String],
        with_pattern: bool,
        with_line: bool,
        keep_unmatched: bool,
        matcher: &Matcher,
    ) -> Result<Formatter, Failure> {
        let mut extras = Vec::new();
        if with_pattern {
            extras.extend([Column::PatternIndex, Column::Pattern]);
        }
        if with_line {
            extras.push(Column::Line);
        }
        let table = matches!(format, Format::Tsv | Format::Csv);
        let columns = if !fields.is_empty() {
            Some(columns::resolve(
                fields,
                matcher,
                "--fields",
                &[Column::PatternIndex, Column::Pattern, Column::Line],
            )?)
        } else if table {
            Some(columns::all_fields(matcher))
        } else {
            None
        };
        let columns = columns.map(|mut columns| {
            for extra in std::mem::take(&mut extras) {
                if !columns.contains(&extra) {
                    columns.push(extra);
                }
            }
            if table && keep_unmatched && !columns.contains(&Column::Line) {
                columns.push(Column::Line);
            }
            columns
        });
        let expressions = matcher
            .patterns()
            .iter()
            .map(|p| p.expression().to_string())
            .collect();
        Ok(Formatter {
            format,
            columns,
            extras,
            expressions,
        })
    }

    /// The header row of tsv and csv.
    pub fn header(&self) -> Option<Vec<u8>> {
        let columns = self.columns.as_ref()?;
        self.header_of(columns.iter().map(Column::key))
    }

    /// A header row of tsv and csv with these column names.
    pub fn header_of<'k>(&self, keys: impl Iterator<Item = &'k str>) -> Option<Vec<u8>> {
        let sep = self.separator()?;
        let mut out = Vec::new();
        for (i, key) in keys.enumerate() {
            if i > 0 {
                out.push(sep);
            }
            self.write_text(&mut out, key);
        }
        out.push(b'\n');
        Some(out)
    }

    fn separator(&self) -> Option<u8> {
        match self.format {
            Format::Tsv => Some(b'\t'),
            Format::Csv => Some(b','),
            Format::Jsonl | Format::Logfmt => None,
        }
    }

    /// Writes one match of `line`.
    pub fn write_match(&self, out: &mut Vec<u8>, caps: &Captures<'_>, line: &str) {
        match (&self.columns, self.format) {
            (None, Format::Jsonl) => {
                let start = out.len();
                caps.write_json(out);
                if !self.extras.is_empty() {
                    out.pop(); // the closing brace
                    let empty = out.len() == start + 1;
                    let cells = self
                        .extras
                        .iter()
                        .map(|c| (c.key(), self.cell(c, caps, line)));
                    write_json_members(out, cells, !empty);
                    out.push(b'}');
                }
                out.push(b'\n');
            }
            (Some(columns), Format::Jsonl) => {
                let mut root = Map::new();
                for column in columns {
                    let value = cell_json(self.cell(column, caps, line));
                    match column {
                        Column::Field { path, .. } if !value.is_null() => {
                            insert_path(&mut root, path, value);
                        }
                        Column::Field { .. } => {}
                        meta => {
                            root.insert(meta.key().to_string(), value);
                        }
                    }
                }
                let _ = serde_json::to_writer(&mut *out, &root);
                out.push(b'\n');
            }
            (None, _) => {
                let fields = caps.iter().map(|(f, v)| (f.name(), Cell::Values(v)));
                let extras = self
                    .extras
                    .iter()
                    .map(|c| (c.key(), self.cell(c, caps, line)));
                self.write_row(out, fields.chain(extras));
            }
            (Some(columns), _) => {
                self.write_row(
                    out,
                    columns.iter().map(|c| (c.key(), self.cell(c, caps, line))),
                );
            }
        }
    }

    fn cell<'c>(&'c self, column: &'c Column, caps: &'c Captures<'_>, line: &'c str) -> Cell<'c> {
        match column {
            Column::Field { name, .. } => Cell::Values(caps.get_all(name)),
            Column::PatternIndex => Cell::Number(caps.pattern_index() as u64),
            Column::Pattern => Cell::Text(&self.expressions[caps.pattern_index()]),
            Column::Line => Cell::Text(line),
        }
    }

    /// Writes a line no pattern matched (`--unmatched keep`).
    pub fn write_unmatched(&self, out: &mut Vec<u8>, line: &str) {
        match &self.columns {
            Some(columns) if self.format != Format::Jsonl => {
                let cells = columns.iter().map(|c| match c {
                    Column::Line => (c.key(), Cell::Text(line)),
                    _ => (c.key(), Cell::Values(&[])),
                });
                self.write_row(out, cells);
            }
            _ => {
                let yes = Json::Bool(true);
                let cells = [
                    ("_unmatched", Cell::Json(&yes)),
                    ("_line", Cell::Text(line)),
                ];
                self.write_row(out, cells.into_iter());
            }
        }
    }

    /// Writes one row of named cells: a flat JSON object, a table row, or
    /// logfmt pairs (where a field that was not captured is left out).
    pub fn write_row<'c>(
        &self,
        out: &mut Vec<u8>,
        cells: impl Iterator<Item = (&'c str, Cell<'c>)>,
    ) {
        match self.format {
            Format::Jsonl => {
                out.push(b'{');
                write_json_members(out, cells, false);
                out.push(b'}');
            }
            Format::Tsv | Format::Csv => {
                let sep = if self.format == Format::Tsv {
                    b'\t'
                } else {
                    b','
                };
                for (i, (_, cell)) in cells.enumerate() {
                    if i > 0 {
                        out.push(sep);
                    }
                    self.write_cell(out, cell);
                }
            }
            Format::Logfmt => {
                let present = cells.filter(|(_, c)| !matches!(c, Cell::Values([])));
                for (i, (key, cell)) in present.enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    self.write_text(out, key);
                    out.push(b'=');
                    self.write_cell(out, cell);
                }
            }
        }
        out.push(b'\n');
    }

    /// Writes a cell as text in the format (not for jsonl).
    fn write_cell(&self, out: &mut Vec<u8>, cell: Cell<'_>) {
        match cell {
            Cell::Values([]) => {}
            Cell::Values([Value::Str(s)]) => self.write_text(out, s),
            Cell::Text(s) => self.write_text(out, s),
            // Numbers and booleans never need quoting or escaping.
            Cell::Values([v]) => {
                let _ = write!(out, "{v}");
            }
            Cell::Values(many) => {
                let joined: Vec<String> = many.iter().map(Value::to_string).collect();
                self.write_text(out, &joined.join(","));
            }
            Cell::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Cell::Json(Json::String(s)) => self.write_text(out, s),
            Cell::Json(Json::Null) => {}
            Cell::Json(Json::Array(items)) => {
                let joined: Vec<String> = items.iter().map(json_text).collect();
                self.write_text(out, &joined.join(","));
            }
            Cell::Json(other) => {
                let _ = write!(out, "{other}");
            }
        }
    }

    /// Writes text, escaped or quoted as the format needs.
    fn write_text(&self, out: &mut Vec<u8>, text: &str) {
        match self.format {
            Format::Jsonl => {
                let _ = serde_json::to_writer(&mut *out, text);
            }
            Format::Tsv => {
                if !text
                    .bytes()
                    .any(|b| matches!(b, b'\t' | b'\n' | b'\r' | b'\\'))
                {
                    out.extend_from_slice(text.as_bytes());
                    return;
                }
                for b in text.bytes() {
                    match b {
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        _ => out.push(b),
                    }
                }
            }
            Format::Csv => {
                if !text
                    .bytes()
                    .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
                {
                    out.extend_from_slice(text.as_bytes());
                    return;
                }
                out.push(b'"');
                for b in text.bytes() {
                    if b == b'"' {
                        out.push(b'"');
                    }
                    out.push(b);
                }
                out.push(b'"');
            }
            Format::Logfmt => {
                let plain = !text.is_empty()
                    && !text
                        .bytes()
                        .any(|b| b <= b' ' || b == b'=' || b == b'"' || b == 0x7f);
                if plain {
                    out.extend_from_slice(text.as_bytes());
                } else {
                    let _ = serde_json::to_writer(&mut *out, text);
                }
            }
        }
    }
}

/// Writes `"key":value` members, with a leading comma if `comma`.
fn write_json_members<'c>(
    out: &mut Vec<u8>,
    cells: impl Iterator<Item = (&'c str, Cell<'c>)>,
    mut comma: bool,
) {
    for (key, cell) in cells {
        if matches!(cell, Cell::Values([])) {
            continue;
        }
        if comma {
            out.push(b',');
        }
        comma = true;
        let _ = serde_json::to_writer(&mut *out, key);
        out.push(b':');
        let _ = match cell {
            Cell::Values([one]) => serde_json::to_writer(&mut *out, one),
            Cell::Values(many) => serde_json::to_writer(&mut *out, many),
            Cell::Text(s) => serde_json::to_writer(&mut *out, s),
            Cell::Number(n) => serde_json::to_writer(&mut *out, &n),
            Cell::Json(v) => serde_json::to_writer(&mut *out, v),
        };
    }
}

/// A cell as a JSON value (`null` for a field that was not captured).
fn cell_json(cell: Cell<'_>) -> Json {
    let value = match cell {
        Cell::Values([]) => Ok(Json::Null),
        Cell::Values([one]) => serde_json::to_value(one),
        Cell::Values(many) => serde_json::to_value(many),
        Cell::Text(s) => Ok(Json::from(s)),
        Cell::Number(n) => Ok(Json::from(n)),
        Cell::Json(v) => Ok(v.clone()),
    };
    value.unwrap_or(Json::Null)
}

/// A JSON value as plain text: strings unquoted, null empty.
fn json_text(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        other => other.to_string(),
    }
}

/// Inserts `value` under the nested keys of `path`.
fn insert_path(map: &mut Map<String, Json>, path: &[String], value: Json) {
    match path {
        [] => {}
        [last] => {
            map.insert(last.clone(), value);
        }
        [first, rest @ ..] => {
            let entry = map
                .entry(first.clone())
                .or_insert_with(|| Json::Object(Map::new()));
            if let Json::Object(inner) = entry {
                insert_path(inner, rest, value);
            }
        }
    }
}
