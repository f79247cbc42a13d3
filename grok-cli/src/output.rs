//! Writing matches as JSON Lines, TSV, CSV or logfmt.

use std::io::Write;

use grok_core::{Captures, Value};

use crate::args::Format;

/// How each match is written.
pub struct Formatter {
    pub format: Format,
    /// Columns for tsv/csv, keys for logfmt (empty: every field).
    pub columns: Vec<String>,
    pub with_pattern: bool,
    pub with_line: bool,
}

fn text(values: &[Value<'_>]) -> String {
    values
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

impl Formatter {
    /// The header row, for the formats that have one.
    pub fn header(&self) -> Option<String> {
        let sep = match self.format {
            Format::Tsv => "\t",
            Format::Csv => ",",
            _ => return None,
        };
        let cells: Vec<String> = self.columns.iter().map(|c| self.cell(c)).collect();
        Some(cells.join(sep) + "\n")
    }

    fn cell(&self, value: &str) -> String {
        match self.format {
            Format::Tsv => value
                .replace('\\', "\\\\")
                .replace('\t', "\\t")
                .replace('\n', "\\n")
                .replace('\r', "\\r"),
            Format::Csv if value.contains([',', '"', '\n', '\r']) => {
                format!("\"{}\"", value.replace('"', "\"\""))
            }
            _ => value.to_string(),
        }
    }

    /// Writes one match.
    pub fn write_match(
        &self,
        out: &mut Vec<u8>,
        caps: &Captures<'_>,
        expression: &str,
        line: &str,
    ) {
        match self.format {
            Format::Jsonl => {
                let start = out.len();
                // Serializing into a Vec cannot fail.
                let _ = serde_json::to_writer(&mut *out, caps);
                let mut extras = Vec::new();
                if self.with_pattern {
                    extras.push(("_pattern", serde_json::Value::from(expression)));
                    extras.push((
                        "_pattern_index",
                        serde_json::Value::from(caps.pattern_index()),
                    ));
                }
                if self.with_line {
                    extras.push(("_line", serde_json::Value::from(line)));
                }
                if !extras.is_empty() {
                    out.pop(); // the closing brace
                    let empty = out.len() == start + 1;
                    for (i, (key, value)) in extras.into_iter().enumerate() {
                        if i > 0 || !empty {
                            out.push(b',');
                        }
                        let _ = write!(out, "{}:{}", serde_json::Value::from(key), value);
                    }
                    out.push(b'}');
                }
                out.push(b'\n');
            }
            Format::Tsv | Format::Csv => {
                let sep = if self.format == Format::Tsv {
                    "\t"
                } else {
                    ","
                };
                let cells: Vec<String> = self
                    .columns
                    .iter()
                    .map(|c| self.cell(&text(caps.get_all(c))))
                    .collect();
                out.extend_from_slice(cells.join(sep).as_bytes());
                out.push(b'\n');
            }
            Format::Logfmt => {
                let mut pairs = Vec::new();
                let mut push = |key: &str, value: String| {
                    pairs.push(format!("{key}={}", logfmt_value(&value)))
                };
                if self.columns.is_empty() {
                    for (field, values) in caps.iter() {
                        push(field.name(), text(values));
                    }
                } else {
                    for c in &self.columns {
                        let values = caps.get_all(c);
                        if !values.is_empty() {
                            push(c, text(values));
                        }
                    }
                }
                if self.with_pattern {
                    push("_pattern", expression.to_string());
                }
                if self.with_line {
                    push("_line", line.to_string());
                }
                out.extend_from_slice(pairs.join(" ").as_bytes());
                out.push(b'\n');
            }
        }
    }

    /// Writes an unmatched line as kept output (`--unmatched keep`).
    pub fn write_unmatched(&self, out: &mut Vec<u8>, line: &str) {
        match self.format {
            Format::Jsonl => {
                let _ = writeln!(
                    out,
                    "{{\"_unmatched\":true,\"_line\":{}}}",
                    serde_json::Value::from(line)
                );
            }
            Format::Logfmt => {
                let _ = writeln!(out, "_unmatched=true _line={}", logfmt_value(line));
            }
            Format::Tsv | Format::Csv => {
                // A row of empty columns keeps the table rectangular.
                let sep = if self.format == Format::Tsv {
                    "\t"
                } else {
                    ","
                };
                let _ = writeln!(out, "{}", vec![""; self.columns.len()].join(sep));
            }
        }
    }
}

fn logfmt_value(value: &str) -> String {
    if !value.is_empty() && !value.contains([' ', '"', '=', '\t', '\n', '\r']) {
        value.to_string()
    } else {
        serde_json::Value::from(value).to_string()
    }
}
