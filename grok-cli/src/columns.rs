//! Output columns: pattern fields by name, and the metadata a run can add
//! (`_line`, `_pattern`, `_pattern_index`).

use grok_core::Matcher;

use crate::error::Failure;

/// One column (tsv, csv), key (logfmt) or member (jsonl) of the output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    /// A field, by its name as written (`[source][address]`) and its path
    /// (`["source", "address"]`) for nesting JSON.
    Field {
        /// The name as written in the pattern.
        name: String,
        /// The keys it nests under in JSON.
        path: Vec<String>,
    },
    /// `_pattern_index`: which expression matched, from 0.
    PatternIndex,
    /// `_pattern`: the expression that matched.
    Pattern,
    /// `_line`: the original line.
    Line,
}

impl Column {
    /// The name shown in headers and used as the key.
    pub fn key(&self) -> &str {
        match self {
            Column::Field { name, .. } => name,
            Column::PatternIndex => "_pattern_index",
            Column::Pattern => "_pattern",
            Column::Line => "_line",
        }
    }
}

/// Every field of the matcher's patterns, in order of first appearance.
pub fn all_fields(matcher: &Matcher) -> Vec<Column> {
    let mut columns: Vec<Column> = Vec::new();
    for field in matcher.patterns().iter().flat_map(|p| p.fields()) {
        if !columns.iter().any(|c| c.key() == field.name()) {
            columns.push(Column::Field {
                name: field.name().to_string(),
                path: field.path().to_vec(),
            });
        }
    }
    columns
}

/// Resolves names given with `option` (`--fields`, `--count-by`): fields
/// some pattern captures, else the `metadata` columns the option allows.
pub fn resolve(
    names: &[String],
    matcher: &Matcher,
    option: &str,
    metadata: &[Column],
) -> Result<Vec<Column>, Failure> {
    let fields = all_fields(matcher);
    names
        .iter()
        .map(|name| {
            let found = fields.iter().find(|c| c.key() == name.as_str());
            let found = found.or_else(|| metadata.iter().find(|c| c.key() == name.as_str()));
            found.cloned().ok_or_else(|| {
                let known: Vec<&str> = fields.iter().map(Column::key).collect();
                Failure::Usage(format!(
                    "{option}: no pattern has a field named {name:?}; the fields are: {}",
                    if known.is_empty() {
                        "(none)".to_string()
                    } else {
                        known.join(", ")
                    }
                ))
            })
        })
        .collect()
}
