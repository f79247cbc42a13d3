//! The pattern library and compile options the arguments ask for, and the
//! rule that makes a bare name an expression.

use grok_core::{CompileOptions, Conversion, PatternLibrary};

use crate::args::{CompileArgs, LibraryArgs};
use crate::error::Failure;

/// Builds the library: the standard flavour, then `--patterns` files, then
/// `--define`s (later definitions override earlier ones).
pub fn build(args: &LibraryArgs) -> Result<PatternLibrary, Failure> {
    let mut lib = if args.ecs {
        PatternLibrary::ecs_v1()
    } else {
        PatternLibrary::legacy()
    };
    for path in &args.pattern_files {
        lib.load_path(path)?;
    }
    for def in &args.define {
        let (name, regex) = def.split_once('=').ok_or_else(|| {
            Failure::Usage(format!("--define expects NAME=REGEX, got {def:?} (no '=')"))
        })?;
        lib.add(name, regex)?;
    }
    Ok(lib)
}

/// The compile options the arguments ask for.
pub fn options(args: &CompileArgs) -> CompileOptions {
    CompileOptions::new()
        .keep_empty(args.keep_empty)
        .named_only(!args.all_captures)
        .conversion(if args.strict {
            Conversion::Strict
        } else {
            Conversion::Lenient
        })
}

/// Whether `pattern` is a bare name (`SSHLINE`): a letter or `_`, then
/// letters, digits or `_`.
pub fn is_bare_name(pattern: &str) -> bool {
    let mut chars = pattern.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The expression for a `--pattern` argument: a bare name stands for
/// `%{NAME}`, anything else is an expression already.
pub fn expression(pattern: &str) -> String {
    if is_bare_name(pattern) {
        format!("%{{{pattern}}}")
    } else {
        pattern.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_names_become_references() {
        assert_eq!(expression("SSHLINE"), "%{SSHLINE}");
        assert_eq!(expression("_my_1"), "%{_my_1}");
        assert_eq!(expression("%{IP:ip}"), "%{IP:ip}");
        assert_eq!(expression("404"), "404");
        assert_eq!(expression("a b"), "a b");
        assert_eq!(expression(""), "");
    }
}
