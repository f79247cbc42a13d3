//! `--count-by`: how often each distinct combination of field values
//! occurs, most frequent first.

use std::collections::HashMap;
use std::io::{self, Write};

use grok_core::{Captures, Matcher};
use serde_json::Value as Json;

use crate::columns::{self, Column};
use crate::error::Failure;
use crate::output::{Cell, Formatter};

/// The fields to count by: pattern fields, and which expression matched
/// (`_pattern_index`, `_pattern`).
#[derive(Debug)]
pub struct CountBy {
    columns: Vec<Column>,
    /// Each expression, for `_pattern`.
    expressions: Vec<String>,
}

/// Counts per key. A key is the JSON array of the fields' values
/// (`["1.2.3.4",22]`, `null` for a missing field), so typed values stay typed
/// and a key is built without allocating once the buffer has grown.
#[derive(Debug, Default)]
pub struct Counts(HashMap<Vec<u8>, u64>);

impl CountBy {
    /// Checks that some pattern captures each field (or that it names
    /// which expression matched).
    pub fn new(fields: &[String], matcher: &Matcher) -> Result<CountBy, Failure> {
        let metadata = [Column::PatternIndex, Column::Pattern];
        Ok(CountBy {
            columns: columns::resolve(fields, matcher, "--count-by", &metadata)?,
            expressions: matcher
                .patterns()
                .iter()
                .map(|p| p.expression().to_string())
                .collect(),
        })
    }

    /// Counts one match; `key` is a reusable buffer.
    pub fn add(&self, counts: &mut Counts, caps: &Captures<'_>, key: &mut Vec<u8>) {
        key.clear();
        key.push(b'[');
        let index = caps.pattern_index();
        for (i, column) in self.columns.iter().enumerate() {
            if i > 0 {
                key.push(b',');
            }
            // Writing into a Vec cannot fail.
            let _ = match column {
                Column::Field { name, .. } => match caps.get_all(name) {
                    [] => serde_json::to_writer(&mut *key, &()),
                    [one] => serde_json::to_writer(&mut *key, one),
                    many => serde_json::to_writer(&mut *key, many),
                },
                Column::PatternIndex => serde_json::to_writer(&mut *key, &index),
                Column::Pattern => serde_json::to_writer(&mut *key, &self.expressions[index]),
                // Not allowed by `new`.
                Column::Line => serde_json::to_writer(&mut *key, &()),
            };
        }
        key.push(b']');
        match counts.0.get_mut(key.as_slice()) {
            Some(n) => *n += 1,
            None => {
                counts.0.insert(key.clone(), 1);
            }
        }
    }

    /// Writes the table: a header for tsv and csv, then one row per key,
    /// most frequent first (ties in key order), at most `top` rows.
    pub fn write(
        &self,
        counts: Counts,
        top: Option<usize>,
        formatter: &Formatter,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let mut rows: Vec<(Vec<u8>, u64)> = counts.0.into_iter().collect();
        rows.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        rows.truncate(top.unwrap_or(usize::MAX));
        let keys = || self.columns.iter().map(Column::key).chain(["count"]);
        if let Some(header) = formatter.header_of(keys()) {
            out.write_all(&header)?;
        }
        let mut buf = Vec::new();
        for (key, n) in rows {
            let values: Vec<Json> = serde_json::from_slice(&key).unwrap_or_default();
            let cells = values.iter().map(Cell::Json).chain([Cell::Number(n)]);
            buf.clear();
            formatter.write_row(&mut buf, keys().zip(cells));
            out.write_all(&buf)?;
        }
        Ok(())
    }
}

impl Counts {
    /// Adds another batch's counts.
    pub fn merge(&mut self, other: Counts) {
        if self.0.is_empty() {
            self.0 = other.0;
            return;
        }
        for (key, n) in other.0 {
            *self.0.entry(key).or_insert(0) += n;
        }
    }
}
