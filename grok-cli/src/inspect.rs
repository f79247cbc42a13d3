//! Introspection: list and show patterns, explain a non-match, discover an
//! expression for sample lines.

use std::io::{self, BufRead, Write};

use grok_core::PatternLibrary;

use crate::run::expression;
use crate::Failure;

/// `grok-cli list [FILTER]`: names and definitions, sorted.
pub fn list(lib: &PatternLibrary, filter: Option<&str>, out: &mut dyn Write) -> io::Result<bool> {
    let filter = filter.map(str::to_ascii_uppercase);
    let mut any = false;
    for (name, regex) in lib.definitions() {
        if filter
            .as_ref()
            .is_none_or(|f| name.to_ascii_uppercase().contains(f.as_str()))
        {
            writeln!(out, "{name}\t{regex}")?;
            any = true;
        }
    }
    Ok(any)
}

/// `grok-cli show NAME`: the definition, expanded regex, fields and engine.
pub fn show(lib: &PatternLibrary, name: &str, out: &mut dyn Write) -> Result<(), Failure> {
    let pattern = lib.compile(&expression(name)).map_err(Failure::from)?;
    let io = |e: io::Error| Failure::Io(format!("cannot write: {e}"));
    if let Some(def) = lib.get(name) {
        writeln!(out, "name: {name}\ndefinition: {def}").map_err(io)?;
    } else {
        writeln!(out, "expression: {name}").map_err(io)?;
    }
    writeln!(out, "fields:").map_err(io)?;
    for field in pattern.fields() {
        writeln!(out, "  {}: {}", field.name(), field.ty()).map_err(io)?;
    }
    let engine = if pattern.is_linear() {
        "linear-time (every match decided by the linear engine and its checks)"
    } else {
        "linear-time with a bounded exact fallback (some matches are confirmed by Oniguruma)"
    };
    writeln!(out, "engine: {engine}").map_err(io)?;
    if let Some(lit) = pattern.required_literal() {
        writeln!(out, "required literal: {lit:?}").map_err(io)?;
    }
    writeln!(out, "regex: {}", pattern.regex()).map_err(io)?;
    Ok(())
}

/// Splits an expression into its top-level parts: `%{…}` references and the
/// text between them.
fn parts(expr: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = expr;
    while !rest.is_empty() {
        match rest.find("%{") {
            Some(0) => {
                let end = rest.find('}').map_or(rest.len(), |e| e + 1);
                parts.push(&rest[..end]);
                rest = &rest[end..];
            }
            Some(at) => {
                parts.push(&rest[..at]);
                rest = &rest[at..];
            }
            None => {
                parts.push(rest);
                rest = "";
            }
        }
    }
    parts
}

/// `grok-cli explain`: how far a pattern gets on a line it does not match.
pub fn explain(
    lib: &PatternLibrary,
    pattern: &str,
    line: &str,
    out: &mut dyn Write,
) -> Result<bool, Failure> {
    let io = |e: io::Error| Failure::Io(format!("cannot write: {e}"));
    let expr = expression(pattern);
    let full = lib.compile(&expr).map_err(Failure::from)?;
    if full.is_match(line) {
        writeln!(out, "the line matches {pattern}").map_err(io)?;
        return Ok(true);
    }
    // A bare name is explained through its definition, one level down.
    let body = if expr != pattern {
        lib.get(pattern).unwrap_or(&expr).to_string()
    } else {
        expr.clone()
    };
    let pieces = parts(&body);
    let mut best: Option<(usize, usize)> = None;
    for k in (1..pieces.len()).rev() {
        let prefix: String = pieces[..k].concat();
        let probe = format!("(?<explain_prefix>{prefix})");
        let Ok(p) = lib.compile(&probe) else { continue };
        if let Ok(Some(caps)) = p.captures(line) {
            let end = caps.spans("explain_prefix").first().map_or(0, |s| s.1);
            best = Some((k, end));
            break;
        }
    }
    writeln!(out, "the line does not match {pattern}").map_err(io)?;
    match best {
        None => {
            writeln!(
                out,
                "not even its first part matches: {}",
                pieces.first().unwrap_or(&"")
            )
            .map_err(io)?;
        }
        Some((k, end)) => {
            writeln!(out, "these parts match: {}", pieces[..k].concat()).map_err(io)?;
            writeln!(out, "this part fails:   {}", pieces[k]).map_err(io)?;
            let column = line[..end].chars().count();
            writeln!(
                out,
                "matched up to offset {end}:\n    {line}\n    {}^",
                " ".repeat(column)
            )
            .map_err(io)?;
        }
    }
    Ok(false)
}

/// Patterns tried by `discover`, most specific first.
const DISCOVERABLE: &[&str] = &[
    "TIMESTAMP_ISO8601",
    "HTTPDATE",
    "SYSLOGTIMESTAMP",
    "DATESTAMP",
    "DATE",
    "TIME",
    "UUID",
    "MAC",
    "EMAILADDRESS",
    "URI",
    "IPV6",
    "IPV4",
    "HOSTPORT",
    "QS",
    "UNIXPATH",
    "LOGLEVEL",
    "NUMBER",
    "WORD",
    "HOSTNAME",
    "NOTSPACE",
];

/// `grok-cli discover`: an expression built from the standard library that
/// matches the line, made of the most specific patterns that cover it.
pub fn discover(lib: &PatternLibrary, line: &str) -> Result<String, Failure> {
    let compiled: Vec<(&str, grok_core::Pattern)> = DISCOVERABLE
        .iter()
        .filter_map(|name| {
            lib.compile(&format!("\\A(?<d>%{{{name}}})"))
                .ok()
                .map(|p| (*name, p))
        })
        .collect();
    let boundary =
        |s: &str, at: usize| at == s.len() || !s[at..].starts_with(|c: char| c.is_alphanumeric());
    let mut result = String::new();
    let mut at = 0;
    while at < line.len() {
        let rest = &line[at..];
        let at_word_start = at == 0 || !line[..at].ends_with(|c: char| c.is_alphanumeric());
        let mut best: Option<(&str, usize)> = None;
        if at_word_start && !rest.starts_with(' ') {
            for (name, p) in &compiled {
                if let Ok(Some(caps)) = p.captures(rest) {
                    let len = caps.spans("d").first().map_or(0, |s| s.1);
                    if len > 0 && boundary(rest, len) && best.is_none_or(|(_, l)| len > l) {
                        best = Some((name, len));
                    }
                }
            }
        }
        match best {
            Some((name, len)) => {
                result.push_str(&format!("%{{{name}}}"));
                at += len;
            }
            None => {
                let c = rest.chars().next().unwrap_or(' ');
                if c == ' ' && rest.starts_with("  ") {
                    let spaces = rest.len() - rest.trim_start_matches(' ').len();
                    result.push_str("\\s+");
                    at += spaces;
                    continue;
                }
                if "\\.^$|?*+()[]{}".contains(c) {
                    result.push('\\');
                }
                result.push(c);
                at += c.len_utf8();
            }
        }
    }
    Ok(result)
}

/// Reads sample lines for `discover` from standard input.
pub fn stdin_lines() -> Result<Vec<String>, Failure> {
    io::stdin()
        .lock()
        .lines()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::Io(format!("cannot read <stdin>: {e}")))
}
