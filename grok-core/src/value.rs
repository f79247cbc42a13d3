//! Field types and typed values.

use std::fmt;

use serde::ser::{Serialize, Serializer};

/// The type a field is converted to, written `%{NAME:field:TYPE}`.
///
/// `int` and `float` follow Logstash; `long`, `double` and `boolean` follow
/// Elasticsearch's grok processor; `string` is the default (no conversion).
///
/// ```
/// use grok_core::FieldType;
///
/// assert_eq!("int".parse::<FieldType>(), Ok(FieldType::Int));
/// assert!("integr".parse::<FieldType>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldType {
    /// No conversion: the captured text.
    String,
    /// A 64-bit signed integer (`int`, `integer`).
    Int,
    /// A 64-bit signed integer (`long`, as Elasticsearch names it).
    Long,
    /// A 64-bit float (`float`).
    Float,
    /// A 64-bit float (`double`, as Elasticsearch names it).
    Double,
    /// `true` or `false` (`boolean`, `bool`).
    Boolean,
}

impl FieldType {
    /// The canonical name, as accepted in patterns.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Int => "int",
            FieldType::Long => "long",
            FieldType::Float => "float",
            FieldType::Double => "double",
            FieldType::Boolean => "boolean",
        }
    }

    /// Every type name a pattern may use.
    pub const NAMES: &'static [&'static str] = &[
        "string", "int", "integer", "long", "float", "double", "boolean", "bool",
    ];
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for FieldType {
    type Err = ();

    fn from_str(s: &str) -> Result<FieldType, ()> {
        Ok(match s {
            "string" => FieldType::String,
            "int" | "integer" => FieldType::Int,
            "long" => FieldType::Long,
            "float" => FieldType::Float,
            "double" => FieldType::Double,
            "boolean" | "bool" => FieldType::Boolean,
            _ => return Err(()),
        })
    }
}

/// How captured text is converted to a field's type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Conversion {
    /// Logstash's behaviour: numbers are read from the longest numeric prefix
    /// (`"12abc"` → 12, `"abc"` → 0); a boolean is `true` only for `"true"`
    /// in any case.
    #[default]
    Lenient,
    /// The whole text must be a value of the type, or matching fails with an
    /// [`ErrorKind::Conversion`](crate::ErrorKind::Conversion) error naming the
    /// field and the text.
    Strict,
}

/// A field's value. Strings borrow the input line.
///
/// ```
/// use grok_core::{PatternLibrary, Value};
///
/// let lib = PatternLibrary::legacy();
/// let p = lib.compile("%{NUMBER:n:int} %{WORD:w}").unwrap();
/// let caps = p.captures("42 apples").unwrap().unwrap();
/// assert_eq!(caps.get("n"), Some(&Value::Int(42)));
/// assert_eq!(caps.get("w"), Some(&Value::Str("apples")));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'h> {
    /// Text, as captured.
    Str(&'h str),
    /// An `int` or `long` field.
    Int(i64),
    /// A `float` or `double` field.
    Float(f64),
    /// A `boolean` field.
    Bool(bool),
}

impl Value<'_> {
    /// The value as text if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Value::Str(v) => s.serialize_str(v),
            Value::Int(v) => s.serialize_i64(v),
            // JSON has no NaN or infinity; strict conversion never produces
            // them and lenient conversion cannot either.
            Value::Float(v) => s.serialize_f64(v),
            Value::Bool(v) => s.serialize_bool(v),
        }
    }
}

/// Converts captured text to `ty`. `None` means strict conversion failed.
pub(crate) fn convert(text: &str, ty: FieldType, mode: Conversion) -> Option<Value<'_>> {
    match (ty, mode) {
        (FieldType::String, _) => Some(Value::Str(text)),
        (FieldType::Int | FieldType::Long, Conversion::Lenient) => {
            Some(Value::Int(lenient_int(text)))
        }
        (FieldType::Int | FieldType::Long, Conversion::Strict) => strict_int(text).map(Value::Int),
        (FieldType::Float | FieldType::Double, Conversion::Lenient) => {
            Some(Value::Float(lenient_float(text)))
        }
        (FieldType::Float | FieldType::Double, Conversion::Strict) => {
            strict_float(text).map(Value::Float)
        }
        (FieldType::Boolean, Conversion::Lenient) => {
            Some(Value::Bool(text.eq_ignore_ascii_case("true")))
        }
        (FieldType::Boolean, Conversion::Strict) => {
            if text.eq_ignore_ascii_case("true") {
                Some(Value::Bool(true))
            } else if text.eq_ignore_ascii_case("false") {
                Some(Value::Bool(false))
            } else {
                None
            }
        }
    }
}

/// Splits Ruby's numeric prefix: leading whitespace, an optional sign, then
/// digits where single underscores may sit between digits.
fn ruby_digits(bytes: &[u8], mut i: usize, out: &mut String) -> usize {
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_digit() {
            out.push(b as char);
            i += 1;
        } else if b == b'_'
            && !out.is_empty()
            && out.as_bytes()[out.len() - 1].is_ascii_digit()
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
        {
            i += 1;
        } else {
            break;
        }
    }
    i
}

fn skip_ruby_space(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))
        .unwrap_or(bytes.len())
}

/// Ruby's `String#to_i`, saturating at the bounds of `i64`.
pub(crate) fn lenient_int(text: &str) -> i64 {
    let bytes = text.as_bytes();
    // Fast path: plain ASCII digits, the overwhelmingly common case.
    if !bytes.is_empty() && bytes.len() <= 18 && bytes.iter().all(u8::is_ascii_digit) {
        return bytes
            .iter()
            .fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'));
    }
    let mut i = skip_ruby_space(bytes);
    let negative = match bytes.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut digits = String::new();
    ruby_digits(bytes, i, &mut digits);
    let mut value: i64 = 0;
    for d in digits.bytes() {
        let d = i64::from(d - b'0');
        value = match value.checked_mul(10).and_then(|v| {
            if negative {
                v.checked_sub(d)
            } else {
                v.checked_add(d)
            }
        }) {
            Some(v) => v,
            None => return if negative { i64::MIN } else { i64::MAX },
        };
    }
    value
}

/// Ruby's `String#to_f`: the longest prefix that reads as a decimal float.
pub(crate) fn lenient_float(text: &str) -> f64 {
    let bytes = text.as_bytes();
    let mut i = skip_ruby_space(bytes);
    let mut s = String::new();
    if let Some(&sign @ (b'-' | b'+')) = bytes.get(i) {
        s.push(sign as char);
        i += 1;
    }
    let before = s.len();
    i = ruby_digits(bytes, i, &mut s);
    let int_digits = s.len() > before;
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) && int_digits
    {
        s.push('.');
        i = ruby_digits(bytes, i + 1, &mut s);
    } else if !int_digits {
        // Ruby reads ".5" as 0.5 too.
        if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            s.push_str("0.");
            i = ruby_digits(bytes, i + 1, &mut s);
        } else {
            return 0.0;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut exp = String::from("e");
        let mut j = i + 1;
        if let Some(&sign @ (b'-' | b'+')) = bytes.get(j) {
            exp.push(sign as char);
            j += 1;
        }
        let len = exp.len();
        ruby_digits(bytes, j, &mut exp);
        if exp.len() > len {
            s.push_str(&exp);
        }
    }
    let value = s.parse::<f64>().unwrap_or(0.0);
    if value.is_finite() {
        value
    } else {
        // Ruby gives Infinity for overflow; JSON cannot carry it.
        if value > 0.0 {
            f64::MAX
        } else {
            f64::MIN
        }
    }
}

fn strict_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok()
}

fn strict_float(text: &str) -> Option<f64> {
    // Only decimal notation: digits, one optional point, optional exponent.
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], Some(&body[at + 1..])),
        None => (body, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let int_part = parts.next().unwrap_or("");
    let frac_part = parts.next();
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits_ok(int_part) || !frac_part.is_none_or(digits_ok) {
        return None;
    }
    if int_part.is_empty() && frac_part.is_none_or(str::is_empty) {
        return None;
    }
    if let Some(exp) = exponent {
        let exp_digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        // `1.e1` is not one (Ruby's `Float()` refuses it, and its `to_f`,
        // the lenient reading, stops at the point).
        if exp_digits.is_empty()
            || !digits_ok(exp_digits)
            || int_part.is_empty() && frac_part.is_none()
            || frac_part == Some("")
        {
            return None;
        }
    }
    let value = text.parse::<f64>().ok()?;
    value.is_finite().then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_int_follows_ruby_to_i() {
        assert_eq!(lenient_int("200"), 200);
        assert_eq!(lenient_int("-17"), -17);
        assert_eq!(lenient_int("+5"), 5);
        assert_eq!(lenient_int("  12abc"), 12);
        assert_eq!(lenient_int("abc"), 0);
        assert_eq!(lenient_int("3.9"), 3);
        assert_eq!(lenient_int("1_000"), 1000);
        assert_eq!(lenient_int("1__0"), 1);
        assert_eq!(lenient_int("99999999999999999999"), i64::MAX);
        assert_eq!(lenient_int("-99999999999999999999"), i64::MIN);
        assert_eq!(lenient_int(""), 0);
    }

    #[test]
    fn lenient_float_follows_ruby_to_f() {
        assert_eq!(lenient_float("0.000073"), 0.000073);
        assert_eq!(lenient_float("-1"), -1.0);
        assert_eq!(lenient_float("1e3"), 1000.0);
        assert_eq!(lenient_float("1e"), 1.0);
        assert_eq!(lenient_float(".5"), 0.5);
        assert_eq!(lenient_float("5."), 5.0);
        assert_eq!(lenient_float("abc"), 0.0);
        assert_eq!(lenient_float("1_000.5x"), 1000.5);
        assert_eq!(lenient_float("1e999"), f64::MAX);
    }

    #[test]
    fn strict_conversion_rejects_what_is_not_the_type() {
        assert_eq!(
            convert("42", FieldType::Int, Conversion::Strict),
            Some(Value::Int(42))
        );
        assert_eq!(convert("4x", FieldType::Int, Conversion::Strict), None);
        assert_eq!(convert("", FieldType::Long, Conversion::Strict), None);
        assert_eq!(
            convert("99999999999999999999", FieldType::Int, Conversion::Strict),
            None
        );
        assert_eq!(
            convert("1.5e3", FieldType::Float, Conversion::Strict),
            Some(Value::Float(1500.0))
        );
        assert_eq!(convert("inf", FieldType::Double, Conversion::Strict), None);
        assert_eq!(convert(".", FieldType::Double, Conversion::Strict), None);
        // A point with no digits after it takes no exponent: the lenient
        // reading of "1.e1" is 1.0, so a strict 10.0 would disagree.
        assert_eq!(convert("1.e1", FieldType::Float, Conversion::Strict), None);
        assert_eq!(lenient_float("1.e1"), 1.0);
        assert_eq!(
            convert("1.", FieldType::Float, Conversion::Strict),
            Some(Value::Float(1.0))
        );
        assert_eq!(
            convert("TRUE", FieldType::Boolean, Conversion::Strict),
            Some(Value::Bool(true))
        );
        assert_eq!(convert("yes", FieldType::Boolean, Conversion::Strict), None);
        assert_eq!(
            convert("yes", FieldType::Boolean, Conversion::Lenient),
            Some(Value::Bool(false))
        );
    }
}
