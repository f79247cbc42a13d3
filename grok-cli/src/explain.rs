//! `grok-cli explain`: a grok debugger. For a line a pattern does not
//! match, find the longest run of the pattern's leading parts that does
//! match, and show which part fails and where in the line.
//!
//! An expression is split into its top-level parts: `%{…}` references and
//! groups (each with its quantifier) and the literal text between them. A
//! bare name is explained through its definition, expanded one level (and
//! further while the definition is a single reference). Grok is unanchored,
//! so each prefix of parts is compiled as an expression and searched for.

use std::fmt::Write as _;
use std::io::Write;

use grok_core::{Captures, CompileOptions, PatternLibrary};

use crate::error::Failure;
use crate::library;

/// The group that marks where a prefix's match ends.
const END_GROUP: &str = "__explain_end";
/// Lines longer than this are shown as a window around the failure.
const SHOWN_CHARS: usize = 100;

/// Splits an expression into its top-level parts. An expression with a
/// top-level `|` is one part: its prefixes would not mean anything.
pub fn parts(expr: &str) -> Vec<&str> {
    let bytes = expr.as_bytes();
    let mut parts = Vec::new();
    let mut literal_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let atom_end = match bytes[i] {
            b'%' if bytes.get(i + 1) == Some(&b'{') => {
                expr[i..].find('}').map_or(bytes.len(), |e| i + e + 1)
            }
            b'(' => group_end(bytes, i),
            b'\\' => {
                i = escape_end(bytes, i);
                continue;
            }
            b'[' => {
                i = class_end(bytes, i);
                continue;
            }
            b'|' => return vec![expr],
            _ => {
                i += 1;
                continue;
            }
        };
        if literal_start < i {
            parts.push(&expr[literal_start..i]);
        }
        let end = quantifier_end(bytes, atom_end);
        parts.push(&expr[i..end]);
        literal_start = end;
        i = end;
    }
    if literal_start < bytes.len() {
        parts.push(&expr[literal_start..]);
    }
    parts
}

/// The end of the escape starting at `i` (`\x`, or `\x{…}`, `\p{…}`).
fn escape_end(bytes: &[u8], i: usize) -> usize {
    let mut end = (i + 2).min(bytes.len());
    // Never end inside a multi-byte character.
    while end < bytes.len() && (bytes[end] & 0xc0) == 0x80 {
        end += 1;
    }
    if bytes.get(end) == Some(&b'{')
        && matches!(bytes.get(i + 1), Some(b'x' | b'p' | b'P' | b'u' | b'o'))
    {
        if let Some(close) = bytes[end..].iter().position(|&b| b == b'}') {
            return end + close + 1;
        }
    }
    end
}

/// The end of the character class starting at `i`, nested classes included.
fn class_end(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0;
    let start = i;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                i = escape_end(bytes, i);
                continue;
            }
            b'[' => depth += 1,
            // A `]` first in the class is a literal.
            b']' if i > start + 1 && !(i == start + 2 && bytes[start + 1] == b'^') => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// The end of the group starting at `i`.
fn group_end(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                i = escape_end(bytes, i);
                continue;
            }
            b'[' => {
                i = class_end(bytes, i);
                continue;
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// The end of the quantifiers (`?`, `*`, `+`, `{m,n}`, lazy or possessive)
/// following an atom that ends at `i`.
fn quantifier_end(bytes: &[u8], mut i: usize) -> usize {
    loop {
        match bytes.get(i) {
            Some(b'?' | b'*' | b'+') => i += 1,
            Some(b'{') => {
                let close = bytes[i..].iter().position(|&b| b == b'}');
                let interval = close.filter(|&c| {
                    c > 1
                        && bytes[i + 1..i + c]
                            .iter()
                            .all(|b| b.is_ascii_digit() || *b == b',')
                });
                match interval {
                    Some(c) => i += c + 1,
                    None => return i,
                }
            }
            _ => return i,
        }
    }
}

/// The expression to explain, and its parts: a bare name is replaced by its
/// definition while that is a single part.
fn body<'l>(lib: &'l PatternLibrary, pattern: &'l str) -> (String, Vec<String>) {
    let mut expr = library::expression(pattern);
    let mut name = library::is_bare_name(pattern).then_some(pattern);
    // Bounded: definitions that only refer to each other are a cycle, which
    // compiling has rejected already.
    for _ in 0..16 {
        let Some(definition) = name.and_then(|n| lib.get(n)) else {
            break;
        };
        expr = definition.to_string();
        name = match parts(definition).as_slice() {
            [one] => one
                .strip_prefix("%{")
                .and_then(|r| r.strip_suffix('}'))
                .filter(|n| library::is_bare_name(n)),
            _ => None,
        };
    }
    let owned = parts(&expr).into_iter().map(str::to_string).collect();
    (expr, owned)
}

/// How far a pattern got on a line.
struct Progress<'a> {
    /// How many leading parts match.
    parts: usize,
    /// Where in the line the match of those parts ends (bytes).
    end: usize,
    /// What they captured.
    caps: Option<Captures<'a>>,
}

/// Explains each line; returns whether every line matched.
pub fn explain(
    lib: &PatternLibrary,
    pattern: &str,
    lines: &[String],
    options: &CompileOptions,
    out: &mut dyn Write,
) -> Result<bool, Failure> {
    let full = lib.compile_with(&library::expression(pattern), options)?;
    let (expr, parts) = body(lib, pattern);
    let prefixes: Vec<_> = (1..parts.len())
        .map(|k| {
            let probe = format!("(?<{END_GROUP}>{})", parts[..k].concat());
            lib.compile_with(&probe, options).ok()
        })
        .collect();
    let mut all = true;
    for (n, line) in lines.iter().enumerate() {
        let mut text = String::new();
        if n > 0 {
            text.push('\n');
        }
        if let Some(caps) = full.captures(line)? {
            let json = serde_json::to_string(&caps).unwrap_or_default();
            let _ = writeln!(text, "match: {pattern}\n  {json}");
            out.write_all(text.as_bytes()).map_err(Failure::write)?;
            continue;
        }
        all = false;
        // The longest prefix that matches somewhere.
        let progress = prefixes
            .iter()
            .enumerate()
            .rev()
            .find_map(|(k, p)| {
                let caps = p.as_ref()?.captures(line).ok()??;
                let end = caps.spans(END_GROUP).first().map_or(0, |s| s.1);
                Some(Progress {
                    parts: k + 1,
                    end,
                    caps: Some(caps),
                })
            })
            .unwrap_or(Progress {
                parts: 0,
                end: 0,
                caps: None,
            });
        describe(&mut text, pattern, &expr, &parts, line, &progress);
        out.write_all(text.as_bytes()).map_err(Failure::write)?;
    }
    Ok(all)
}

fn describe(
    text: &mut String,
    pattern: &str,
    expr: &str,
    parts: &[String],
    line: &str,
    progress: &Progress<'_>,
) {
    let _ = writeln!(text, "no match: {pattern}");
    if expr != pattern {
        let _ = writeln!(text, "  expression: {expr}");
    }
    let failing = parts.get(progress.parts).map_or("", String::as_str);
    let _ = writeln!(
        text,
        "  parts: {} ({} match, part {} fails)",
        parts.len(),
        progress.parts,
        progress.parts + 1
    );
    if progress.parts > 0 {
        let _ = writeln!(text, "  matched:    {}", parts[..progress.parts].concat());
    }
    let _ = writeln!(text, "  fails:      {failing}");
    let _ = writeln!(text, "  at byte {} of {}:", progress.end, line.len());
    let (shown, column) = window(line, progress.end);
    let _ = writeln!(text, "    {shown}\n    {}^", " ".repeat(column));
    if let Some(caps) = &progress.caps {
        let fields: Vec<_> = caps.iter().filter(|(f, _)| f.name() != END_GROUP).collect();
        if !fields.is_empty() {
            let _ = writeln!(text, "  captured so far:");
            for (field, values) in fields {
                let values: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                let _ = writeln!(text, "    {}: {}", field.name(), values.join(", "));
            }
        }
    }
    if let Some(name) = referenced_name(failing) {
        let rest = &line[progress.end..];
        let _ = writeln!(
            text,
            "  to look inside it: grok-cli explain -p {name} '{}'",
            rest.replace('\'', "'\\''")
        );
    }
}

/// The name in a reference part such as `%{IP:client}?`.
fn referenced_name(part: &str) -> Option<&str> {
    let inner = part.strip_prefix("%{")?;
    let inner = &inner[..inner.find('}')?];
    let name = inner.split(':').next()?;
    library::is_bare_name(name).then_some(name)
}

/// The line as shown (control characters as `·`, a window around `at` for
/// long lines) and the column of byte offset `at` in it.
fn window(line: &str, at: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    let column = line[..at].chars().count();
    let start = column
        .saturating_sub(SHOWN_CHARS * 2 / 3)
        .min(chars.len().saturating_sub(SHOWN_CHARS));
    let end = (start + SHOWN_CHARS).min(chars.len());
    let mut shown: String = chars[start..end]
        .iter()
        .map(|&c| if c.is_control() { '·' } else { c })
        .collect();
    let mut column = column - start;
    if start > 0 {
        shown.insert(0, '…');
        column += 1;
    }
    if end < chars.len() {
        shown.push('…');
    }
    (shown, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_references_groups_and_literals() {
        assert_eq!(
            parts("%{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:logsource} %{SYSLOGPROG}:"),
            vec![
                "%{SYSLOGTIMESTAMP:timestamp}",
                " ",
                "(?:%{SYSLOGFACILITY} )?",
                "%{SYSLOGHOST:logsource}",
                " ",
                "%{SYSLOGPROG}",
                ":"
            ]
        );
        assert_eq!(
            parts(r"\[%{HTTPDATE:ts}\]+ [a-z\]]{2,3}x"),
            vec![r"\[", "%{HTTPDATE:ts}", r"\]+ [a-z\]]{2,3}x"]
        );
        assert_eq!(
            parts("%{INT:n}{2}(a|b)*?c"),
            vec!["%{INT:n}{2}", "(a|b)*?", "c"]
        );
        assert_eq!(parts("%{A}|%{B}"), vec!["%{A}|%{B}"]);
        assert_eq!(parts(r"\(%{A} \x{41}"), vec![r"\(", "%{A}", r" \x{41}"]);
        assert!(parts("").is_empty());
    }

    #[test]
    fn windows_long_lines() {
        assert_eq!(window("abc", 3), ("abc".to_string(), 3));
        assert_eq!(window("a\tb", 2), ("a·b".to_string(), 2));
        let long = "x".repeat(500);
        let (shown, column) = window(&long, 400);
        assert_eq!(shown.chars().count(), SHOWN_CHARS + 2);
        assert_eq!(shown.chars().nth(column), Some('x'));
        assert_eq!(column, SHOWN_CHARS * 2 / 3 + 1);
    }
}
