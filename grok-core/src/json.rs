//! JSON text written straight into a byte buffer, the same text serde_json
//! writes for the same values (its escapes, its integer and float forms),
//! without a serializer call per token: what
//! [`Captures::write_json`](crate::Captures::write_json) is made of.

use crate::swar::{has_byte, has_byte_below};
use crate::value::Value;

/// Whether any of these eight bytes must be escaped in a JSON string: a
/// control character, `"` or `\`.
fn needs_escape(word: u64) -> bool {
    has_byte_below(word, 0x20) || has_byte(word, b'"') || has_byte(word, b'\\')
}

/// Appends `s` as a JSON string, quotes included.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // `clean`: where the text not yet copied starts.
    let mut clean = 0;
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        // Eight bytes at a time; only a word with something to escape is
        // looked at byte by byte.
        if <[u8; 8]>::try_from(word).is_ok_and(|w| needs_escape(u64::from_ne_bytes(w))) {
            escape_bytes(out, bytes, at, at + 8, &mut clean);
        }
        at += 8;
    }
    escape_bytes(out, bytes, at, bytes.len(), &mut clean);
    out.extend_from_slice(&bytes[clean..]);
    out.push(b'"');
}

/// Escapes the bytes of `bytes[from..to]` that need it, copying the clean
/// text before each from `clean` on.
#[inline(always)]
fn escape_bytes(out: &mut Vec<u8>, bytes: &[u8], from: usize, to: usize, clean: &mut usize) {
    for (i, &b) in bytes[from..to].iter().enumerate() {
        if !ESCAPED[usize::from(b)] {
            continue;
        }
        if let Some(escape) = escape_of(b) {
            let at = from + i;
            out.extend_from_slice(&bytes[*clean..at]);
            escape.write(out);
            *clean = at + 1;
        }
    }
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

/// The bytes JSON strings escape: control characters, `"` and `\`.
static ESCAPED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

fn escape_of(b: u8) -> Option<Escape> {
    Some(match b {
        b'"' => Escape::Short(b'"'),
        b'\\' => Escape::Short(b'\\'),
        0x08 => Escape::Short(b'b'),
        0x0c => Escape::Short(b'f'),
        b'\n' => Escape::Short(b'n'),
        b'\r' => Escape::Short(b'r'),
        b'\t' => Escape::Short(b't'),
        0..=0x1f => Escape::Unicode(b),
        _ => return None,
    })
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
