//! Oniguruma's word characters, as `\b` and `\B` see them.
//!
//! The relaxed regex runs on regex-automata, whose Unicode `\b` takes its
//! word characters from UTS#18 (`\w`). Oniguruma's `\b` differs on eight
//! code points: below U+0100 it reads a Latin-1 table in which the
//! superscripts `²³¹` and the fractions `¼½¾` are word characters, and it
//! leaves out the joiners U+200C and U+200D. This module holds those
//! differences: the program engine decides `\b` with [`is_word`], and
//! [`has_disputed`] tells the engine when a line contains one of the eight,
//! so that nothing answers it with regex-automata's definition.

use regex_syntax::hir::Hir;

use crate::utf8;

/// The code points on which the two definitions disagree, and whether
/// Oniguruma counts each as a word character.
const DISPUTED: [(char, bool); 8] = [
    ('\u{B2}', true),
    ('\u{B3}', true),
    ('\u{B9}', true),
    ('\u{BC}', true),
    ('\u{BD}', true),
    ('\u{BE}', true),
    ('\u{200C}', false),
    ('\u{200D}', false),
];

/// Whether Oniguruma's `\b` counts `c` as a word character.
pub(crate) fn is_word(c: char) -> bool {
    match DISPUTED.iter().find(|(d, _)| *d == c) {
        Some((_, word)) => *word,
        None => regex_syntax::try_is_word_character(c).unwrap_or(false),
    }
}

/// Whether the text contains a char on which Oniguruma's and
/// regex-automata's `\b` disagree. Their UTF-8 forms start with 0xC2 or
/// 0xE2, so ASCII text costs one vectorised scan.
pub(crate) fn has_disputed(hay: &[u8]) -> bool {
    memchr::memchr2_iter(0xC2, 0xE2, hay).any(|i| {
        DISPUTED
            .iter()
            .any(|(c, _)| hay[i..].starts_with(c.encode_utf8(&mut [0; 4]).as_bytes()))
    })
}

/// Whether Oniguruma's `\b` (or `\B`) holds at `at`: a word character on
/// exactly one side. A position inside a char reads as non-word on both
/// sides, as in regex-automata.
pub(crate) fn is_boundary(hay: &[u8], at: usize) -> bool {
    side_is_word(utf8::char_before(hay, at)) != side_is_word(utf8::char_at(hay, at))
}

fn side_is_word(c: Option<char>) -> bool {
    c.is_some_and(is_word)
}

/// Whether a regex-automata expression asserts a Unicode word boundary
/// anywhere, which is how the relaxed regex and its checks write `\b`.
pub(crate) fn hir_has_boundary(hir: &Hir) -> bool {
    hir.properties().look_set().contains_word_unicode()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn onig_boundary_at_start(text: &str) -> bool {
        let re = onig::Regex::with_options(
            "\\A\\b",
            onig::RegexOptions::REGEX_OPTION_MULTILINE,
            onig::Syntax::ruby(),
        )
        .unwrap();
        re.find(text).is_some()
    }

    #[test]
    fn word_chars_are_oniguruma_s_for_every_code_point() {
        let re = onig::Regex::with_options(
            "\\A\\b",
            onig::RegexOptions::REGEX_OPTION_MULTILINE,
            onig::Syntax::ruby(),
        )
        .unwrap();
        let mut buf = [0; 4];
        let wrong: Vec<u32> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| re.find(c.encode_utf8(&mut buf)).is_some() != is_word(c))
            .map(u32::from)
            .take(10)
            .collect();
        assert!(wrong.is_empty(), "differ from Oniguruma: {wrong:X?}");
    }

    #[test]
    fn the_disputed_chars_are_found_and_nothing_else_is() {
        for (c, _) in DISPUTED {
            let line = format!("abc {c} def");
            assert!(has_disputed(line.as_bytes()), "{c:?}");
            assert_eq!(onig_boundary_at_start(&c.to_string()), is_word(c), "{c:?}");
        }
        for line in [
            "plain ascii",
            "é à ü",
            "\u{A0}\u{B1}\u{BF}",
            "\u{200B}\u{200E}",
            "\u{E2}",
        ] {
            assert!(!has_disputed(line.as_bytes()), "{line:?}");
        }
    }

    #[test]
    fn boundaries_read_the_chars_on_both_sides() {
        let text = "E½ x\u{200D}y é";
        let bytes = text.as_bytes();
        // Between `E` and `½`: both word characters.
        assert!(!is_boundary(bytes, 1));
        // After `½`, before the space.
        assert!(is_boundary(bytes, 3));
        // Between `x` and the joiner, which is not a word character.
        assert!(is_boundary(bytes, 5));
        // Inside the joiner's bytes: neither side decodes.
        assert!(!is_boundary(bytes, 6));
        // At the end, after `é`.
        assert!(is_boundary(bytes, bytes.len()));
        assert!(!is_boundary(b"", 0));
    }
}
