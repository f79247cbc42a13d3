//! JSON text written straight into a byte buffer, the same text serde_json
//! writes for the same values (its escapes, its integer and float forms),
//! without a serializer call per token: what
//! [`Captures::write_json`](crate::Captures::write_json) is made of.

use crate::swar::{bytes_below, bytes_equal};
use crate::value::Value;

/// High bits flagging the bytes of `word` (read little-endian) that a JSON
/// string escapes: a control character, `"` or `\`. Nonzero exactly when
/// there is one, and the lowest flag marks the first (a borrow may flag
/// bytes above it, never below).
fn escape_flags(word: u64) -> u64 {
    bytes_below(word, 0x20) | bytes_equal(word, b'"') | bytes_equal(word, b'\\')
}

/// Where the first byte needing an escape is in `bytes[from..]`, eight
/// bytes at a time (the last word padded with spaces, which need none).
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let first = |at: usize, word: [u8; 8]| {
        let flags = escape_flags(u64::from_le_bytes(word));
        (flags != 0).then(|| at + flags.trailing_zeros() as usize / 8)
    };
    let mut words = bytes[from..].chunks_exact(8);
    let mut at = from;
    for word in &mut words {
        let mut w = [0; 8];
        w.copy_from_slice(word);
        if let Some(found) = first(at, w) {
            return Some(found);
        }
        at += 8;
    }
    let rest = words.remainder();
    if rest.is_empty() {
        return None;
    }
    first(at, padded(rest))
}

/// Up to seven bytes in a word padded with spaces, with fixed-size copies
/// (two overlapping ones cover any length from 2 to 7) rather than a call
/// to `memcpy`.
fn padded(rest: &[u8]) -> [u8; 8] {
    let mut w = [b' '; 8];
    let n = rest.len();
    debug_assert!(n < 8);
    if n >= 4 {
        w[..4].copy_from_slice(&rest[..4]);
        w[n - 4..n].copy_from_slice(&rest[n - 4..]);
    } else if n >= 2 {
        w[..2].copy_from_slice(&rest[..2]);
        w[n - 2..n].copy_from_slice(&rest[n - 2..]);
    } else if n == 1 {
        w[0] = rest[0];
    }
    w
}

/// Appends `s` as a JSON string, quotes included: the clean runs copied
/// whole, the bytes between them escaped.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut clean = 0;
    while let Some(at) = next_escape(bytes, clean) {
        out.extend_from_slice(&bytes[clean..at]);
        escape_of(bytes[at]).write(out);
        clean = at + 1;
    }
    out.extend_from_slice(&bytes[clean..]);
    out.push(b'"');
}

/// How one byte is escaped, as serde_json does it.
enum Escape {
    /// `\` and a letter (or the char itself: `\"`, `\\`).
    Short(u8),
    /// `\u00XX`, lowercase hex.
    Unicode(u8),
}

impl Escape {
    fn write(self, out: &mut Vec<u8>) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        match self {
            Escape::Short(c) => out.extend_from_slice(&[b'\\', c]),
            Escape::Unicode(b) => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xf)],
            ]),
        }
    }
}

/// How a byte [`escape_flags`] flags is escaped.
fn escape_of(b: u8) -> Escape {
    match b {
        b'"' => Escape::Short(b'"'),
        b'\\' => Escape::Short(b'\\'),
        0x08 => Escape::Short(b'b'),
        0x0c => Escape::Short(b'f'),
        b'\n' => Escape::Short(b'n'),
        b'\r' => Escape::Short(b'r'),
        b'\t' => Escape::Short(b't'),
        _ => Escape::Unicode(b),
    }
}

/// Appends a value as JSON: a string, an integer, a float (`null` if it is
/// not finite, as serde_json writes it), or a boolean.
pub(crate) fn write_value(out: &mut Vec<u8>, value: &Value<'_>) {
    match *value {
        Value::Str(s) => write_str(out, s),
        Value::Int(i) => out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes()),
        Value::Float(x) if x.is_finite() => {
            out.extend_from_slice(zmij::Buffer::new().format_finite(x).as_bytes());
        }
        Value::Float(_) => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn json_of(s: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for s in [
            "",
            "plain ASCII text longer than eight bytes",
            "quote \" and backslash \\ at once",
            "\u{0}\u{1}\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{1f}\u{7f} controls",
            "non-ASCII: é ü 日本 \u{2028} \u{FFFD}",
            "12345678\"",
            "\"12345678",
            "abc\u{1}",
            "fifteen bytes..\\",
            "sixteen bytes...\"",
        ] {
            assert_eq!(json_of(s), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn values_are_written_as_serde_json_writes_them() {
        for v in [
            Value::Int(0),
            Value::Int(-42),
            Value::Int(i64::MIN),
            Value::Float(1.5),
            Value::Float(-0.0),
            Value::Float(1e21),
            Value::Float(2.5e-8),
            Value::Float(f64::NAN),
            Value::Float(f64::INFINITY),
            Value::Bool(true),
            Value::Bool(false),
            Value::Str("x\ty"),
        ] {
            let mut out = Vec::new();
            write_value(&mut out, &v);
            assert_eq!(out, serde_json::to_vec(&v).unwrap(), "{v:?}");
        }
    }

    proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(s in "(?s).{0,40}") {
            prop_assert_eq!(json_of(&s), serde_json::to_string(&s).unwrap());
        }

        #[test]
        fn any_ascii_bytes_are_escaped_as_serde_json_escapes_them(
            bytes in proptest::collection::vec(0u8..0x80, 0..40)
        ) {
            let s = String::from_utf8(bytes).unwrap();
            prop_assert_eq!(json_of(&s), serde_json::to_string(&s).unwrap());
        }
    }
}
