//! `grok-cli list` and `grok-cli show`: what the library holds.

use std::io::Write;

use grok_core::{CompileOptions, PatternLibrary};

use crate::error::Failure;
use crate::library;

/// `list [FILTER]`: `NAME<TAB>definition` lines, sorted by name, of the
/// names containing FILTER (any case). Returns whether any was listed.
pub fn list(
    lib: &PatternLibrary,
    filter: Option<&str>,
    out: &mut dyn Write,
) -> Result<bool, Failure> {
    let filter = filter.map(str::to_ascii_uppercase);
    let mut any = false;
    for (name, regex) in lib.definitions() {
        if filter
            .as_deref()
            .is_none_or(|f| name.to_ascii_uppercase().contains(f))
        {
            writeln!(out, "{name}\t{regex}").map_err(Failure::write)?;
            any = true;
        }
    }
    Ok(any)
}

/// `show PATTERN`: its definition (for a name), fields and types, whether it
/// runs on the linear-time path, and the expanded regex.
pub fn show(
    lib: &PatternLibrary,
    pattern: &str,
    options: &CompileOptions,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let compiled = lib.compile_with(&library::expression(pattern), options)?;
    let mut text = String::new();
    match lib.get(pattern).filter(|_| library::is_bare_name(pattern)) {
        Some(definition) => {
            text += &format!("name:       {pattern}\ndefinition: {definition}\n");
        }
        None => text += &format!("expression: {}\n", compiled.expression()),
    }
    if compiled.fields().is_empty() {
        text += "fields:     (none)\n";
    } else {
        text += "fields:\n";
        let width = compiled
            .fields()
            .iter()
            .map(|f| f.name().len())
            .max()
            .unwrap_or(0);
        for field in compiled.fields() {
            text += &format!("  {:width$}  {}\n", field.name(), field.ty());
        }
    }
    text += if compiled.is_linear() {
        "linear:     yes, every match is decided by the linear-time engine\n"
    } else {
        "linear:     no, some matches are confirmed by the exact backtracking engine\n             (look-arounds or atomic groups its checks cannot decide)\n"
    };
    if let Some(literal) = compiled.required_literal() {
        text += &format!("literal:    {literal:?} (lines without it are skipped fast)\n");
    }
    text += &format!("regex:      {}\n", compiled.regex());
    out.write_all(text.as_bytes()).map_err(Failure::write)
}
