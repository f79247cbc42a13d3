//! Reading single chars out of UTF-8 text held as bytes, for the program
//! engine's classes and word boundaries. The text is valid UTF-8 (it comes
//! from a `&str`); a position inside a char reads as no char.

/// The length of the char whose first byte is `lead` (4 for bytes that
/// cannot start one: decoding them then fails).
#[inline]
pub(crate) fn len_of(lead: u8) -> usize {
    match lead {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// The char starting at `at`, if one does.
pub(crate) fn char_at(hay: &[u8], at: usize) -> Option<char> {
    let len = len_of(*hay.get(at)?);
    let bytes = hay.get(at..at + len)?;
    std::str::from_utf8(bytes).ok()?.chars().next()
}

/// The char ending at `at`, if one does.
pub(crate) fn char_before(hay: &[u8], at: usize) -> Option<char> {
    if at == 0 {
        return None;
    }
    let start = prev_boundary(hay, at);
    let c = char_at(hay, start)?;
    (start + c.len_utf8() == at).then_some(c)
}

/// The start of the char that ends at `at` (`at > 0`).
#[inline]
pub(crate) fn prev_boundary(hay: &[u8], at: usize) -> usize {
    let mut i = at - 1;
    while i > 0 && (hay[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}
