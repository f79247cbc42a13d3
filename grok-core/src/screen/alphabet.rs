//! The small alphabet list screens read text in.
//!
//! A list screen is a lazy DFA whose every state holds a transition per
//! byte class, in a row whose length is the class count rounded up to a
//! power of two. Its walk is bound by the latency of loading those
//! transitions, so the fewer cache lines the states take, the faster it
//! goes. Literal words (month names, keywords) and the many distinct
//! punctuation chars of a long list make over a hundred classes; lines of
//! different formats mostly differ in their punctuation and in where
//! letters and digits stand, so a screen that reads letters and digits by
//! group, and the less telling punctuation by group, rules out nearly as
//! much.
//!
//! The groups are not ranges of bytes (`(` and `)` are one group, `&` is
//! another), and a DFA's byte classes are. So the walk reads each byte as
//! its group's representative ([`read`]), and [`coarse`] writes each
//! class or literal of a regex as the representatives of the groups it
//! meets. Each representative stands for the range of bytes from it up
//! to the next one, which the walk never reads; the classes are then the
//! [`GROUPS`] themselves, 31 with the end of text: a row of 32
//! transitions, two cache lines.
//!
//! Every non-ASCII byte reads as [`NON_ASCII`], and a non-ASCII char as
//! one to four of them. Word chars and non-word chars never share a group,
//! and `\n` is a group of its own, so `\b` and the line anchors
//! (`(?m:^)`, `(?m:$)`) read the representatives as they would the text.

use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir, HirKind, Look, Repetition};

/// The groups of bytes the walk does not tell apart; the first byte of
/// each is its representative. Every ASCII byte is in exactly one group.
const GROUPS: [&[u8]; 30] = [
    // Word chars: digits, letters by case and by whether they are hex
    // digits, and the underscore.
    b"0123456789",
    b"ABCDEF",
    b"GHIJKLMNOPQRSTUVWXYZ",
    b"abcdef",
    b"ghijklmnopqrstuvwxyz",
    b"_",
    // Controls, the line end, other spaces.
    b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0E\x0F\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1A\x1B\x1C\x1D\x1E\x1F\x7F",
    b"\n",
    b"\x0B\t\x0C\r ",
    // The punctuation log formats are built of: each alone, brackets by
    // kind (a format that opens one closes it).
    b"\"",
    b"'",
    b"-",
    b".",
    b"/",
    b":",
    b",",
    b"=",
    b"@",
    b"\\",
    b"&",
    b"%",
    b"+",
    b";",
    b"?",
    b"[]",
    b"()",
    b"<>",
    b"{}",
    // The rest.
    b"`!#$^|*~",
    // The representative of every non-ASCII byte.
    &[NON_ASCII],
];

/// What every non-ASCII byte reads as.
const NON_ASCII: u8 = 0x80;

/// Each byte's representative.
const READ: [u8; 256] = {
    let mut table = [NON_ASCII; 256];
    let mut g = 0;
    while g < GROUPS.len() {
        let group = GROUPS[g];
        let mut i = 0;
        while i < group.len() {
            table[group[i] as usize] = group[0];
            i += 1;
        }
        g += 1;
    }
    table
};

/// For each representative, the last byte of the range it stands for:
/// the byte before the next representative.
const RANGE_END: [u8; 256] = {
    let mut ends = [0u8; 256];
    let mut end = 0xFF;
    let mut b = 0xFF;
    loop {
        if READ[b] as usize == b {
            ends[b] = end;
            if b == 0 {
                break;
            }
            end = (b - 1) as u8;
        } else if b == 0 {
            break;
        }
        b -= 1;
    }
    ends
};

/// What the walk reads for `byte`: its group's representative.
#[inline(always)]
pub(super) fn read(byte: u8) -> u8 {
    READ[usize::from(byte)]
}

/// A regex matching (at least) what `hir` matches, over the text as
/// [`read`] gives it; `None` when `hir` holds a look the representatives
/// cannot answer (a CRLF line anchor, which would need `\r` apart).
pub(super) fn coarse(hir: &Hir) -> Option<Hir> {
    Some(match hir.kind() {
        HirKind::Empty => hir.clone(),
        HirKind::Look(Look::StartCRLF | Look::EndCRLF) => return None,
        HirKind::Look(_) => hir.clone(),
        // Byte by byte: a non-ASCII char of n bytes reads as n of them.
        HirKind::Literal(lit) => Hir::concat(lit.0.iter().map(|&b| coarse_byte(b)).collect()),
        HirKind::Class(Class::Unicode(class)) => {
            let ascii = class
                .ranges()
                .iter()
                .filter(|r| r.start().is_ascii())
                .flat_map(|r| r.start() as u8..=(r.end() as u32).min(0x7F) as u8);
            let wide = class.ranges().last().is_some_and(|r| !r.end().is_ascii());
            either(representatives(ascii), wide.then(|| non_ascii(1, 4)))
        }
        HirKind::Class(Class::Bytes(class)) => {
            let ascii = class
                .ranges()
                .iter()
                .filter(|r| r.start().is_ascii())
                .flat_map(|r| r.start()..=r.end().min(0x7F));
            let high = class.ranges().last().is_some_and(|r| !r.end().is_ascii());
            either(representatives(ascii), high.then(|| non_ascii(1, 1)))
        }
        HirKind::Capture(cap) => coarse(&cap.sub)?,
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            min: rep.min,
            max: rep.max,
            greedy: rep.greedy,
            sub: Box::new(coarse(&rep.sub)?),
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(coarse).collect::<Option<_>>()?),
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.iter().map(coarse).collect::<Option<_>>()?)
        }
    })
}

/// One byte of a literal, as the walk reads it.
fn coarse_byte(byte: u8) -> Hir {
    if byte.is_ascii() {
        representatives([byte]).unwrap_or_else(Hir::fail)
    } else {
        non_ascii(1, 1)
    }
}

/// The class of the representatives of `bytes`' groups, each with the
/// range it stands for; `None` if `bytes` is empty.
fn representatives(bytes: impl IntoIterator<Item = u8>) -> Option<Hir> {
    let mut seen = [false; 128];
    for b in bytes {
        seen[usize::from(read(b))] = true;
    }
    let ranges: Vec<ClassBytesRange> = (0..=0x7Fu8)
        .filter(|&b| seen[usize::from(b)])
        .map(|b| ClassBytesRange::new(b, RANGE_END[usize::from(b)]))
        .collect();
    (!ranges.is_empty()).then(|| Hir::class(Class::Bytes(ClassBytes::new(ranges))))
}

/// `min` to `max` non-ASCII bytes, as the walk reads them.
fn non_ascii(min: u32, max: u32) -> Hir {
    let byte = ClassBytesRange::new(NON_ASCII, RANGE_END[usize::from(NON_ASCII)]);
    Hir::repetition(Repetition {
        min,
        max: Some(max),
        greedy: true,
        sub: Box::new(Hir::class(Class::Bytes(ClassBytes::new([byte])))),
    })
}

/// A class's ASCII part, its non-ASCII part, or either (a class that
/// takes neither never matches).
fn either(ascii: Option<Hir>, wide: Option<Hir>) -> Hir {
    match (ascii, wide) {
        (Some(ascii), Some(wide)) => Hir::alternation(vec![ascii, wide]),
        (Some(part), None) | (None, Some(part)) => part,
        (None, None) => Hir::fail(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::hybrid::dfa::DFA;
    use regex_automata::nfa::thompson;
    use regex_automata::Input;

    #[test]
    fn every_ascii_byte_is_in_exactly_one_group() {
        for b in 0..=0x7Fu8 {
            let groups = GROUPS.iter().filter(|g| g.contains(&b)).count();
            assert_eq!(groups, 1, "byte {b:#04x}");
        }
        assert!(GROUPS.iter().all(|g| !g.is_empty()));
        assert!((0x80..=0xFFu8).all(|b| read(b) == NON_ASCII));
    }

    #[test]
    fn representatives_keep_what_word_boundaries_and_line_anchors_read() {
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        for b in 0..=0x7Fu8 {
            assert_eq!(word(b), word(read(b)), "byte {b:#04x}");
        }
        assert_eq!(read(b'\n'), b'\n');
        assert_eq!(read(b'\r'), read(b' '));
        assert_eq!(read(b')'), b'(');
        assert_eq!(read(b'|'), b'`');
        assert_eq!(read(b'q'), b'g');
        assert_eq!(read(b'7'), b'0');
    }

    #[test]
    fn each_representative_stands_for_the_bytes_up_to_the_next() {
        assert_eq!(RANGE_END[usize::from(b'0')], b'9');
        // `:` is followed by `;`, whose group `;` is its own.
        assert_eq!(RANGE_END[usize::from(b':')], b':');
        assert_eq!(RANGE_END[usize::from(b'\n')], b'\n');
        assert_eq!(RANGE_END[usize::from(NON_ASCII)], 0xFF);
        // The ranges tile the bytes: each starts right after the last.
        let mut next = 0u16;
        for b in 0..=0xFFu8 {
            if read(b) == b {
                assert_eq!(u16::from(b), next, "a gap before {b:#04x}");
                next = u16::from(RANGE_END[usize::from(b)]) + 1;
            }
        }
        assert_eq!(next, 0x100);
    }

    /// A screen DFA over `pattern` read through the alphabet.
    fn dfa(pattern: &str) -> DFA {
        let hir = coarse(&regex_syntax::parse(pattern).unwrap()).unwrap();
        let nfa = thompson::Compiler::new().build_from_hir(&hir).unwrap();
        DFA::builder()
            .configure(DFA::config().unicode_word_boundary(true))
            .build_from_nfa(nfa)
            .unwrap()
    }

    fn reads(dfa: &DFA, text: &str) -> bool {
        let read: Vec<u8> = text.bytes().map(read).collect();
        let mut cache = dfa.create_cache();
        dfa.try_search_fwd(&mut cache, &Input::new(&read))
            .unwrap()
            .is_some()
    }

    #[test]
    fn a_coarse_regex_matches_what_the_regex_matches_and_its_look_alikes() {
        let date = dfa(r"\[\d{2}/[A-Z][a-z]{2}/\d{4}\]");
        assert!(reads(&date, "[04/Oct/2023]"));
        assert!(reads(&date, "]99/Qrs/0000["));
        assert!(!reads(&date, "(04/Oct/2023)"));
        assert!(!reads(&date, "[04-Oct-2023]"));
        assert!(!reads(&date, "[4/Oct/2023]"));
        let rare = dfa("a!b");
        assert!(reads(&rare, "a|b"));
        assert!(!reads(&rare, "a&b"));
        // Non-ASCII chars are one to four bytes that read alike.
        let dot = dfa("x.y");
        assert!(reads(&dot, "xéy"));
        assert!(reads(&dot, "x😀y"));
        assert!(reads(&dfa("é"), "Ω"));
        assert!(!reads(&dfa("é"), "e"));
        // `\b` and `(?m:^)` read the representatives as the text.
        let word = dfa(r"\bab\b");
        assert!(reads(&word, "x ab-y"));
        assert!(!reads(&word, "xab"));
        let line = dfa(r"(?m:^)ab");
        assert!(reads(&line, "x\nab"));
        assert!(!reads(&line, "x ab"));
    }

    #[test]
    fn a_screen_over_every_group_has_a_byte_class_per_group() {
        let every: String = GROUPS
            .iter()
            .map(|g| match g[0] {
                NON_ASCII => "é".to_string(),
                b => regex_syntax::escape(&char::from(b).to_string()),
            })
            .collect();
        let dfa = dfa(&format!(r"\b{every}"));
        // With the end of text, 31: a row of 32 transitions.
        assert_eq!(dfa.byte_classes().alphabet_len(), GROUPS.len() + 1);
        assert_eq!(GROUPS.len() + 1, 31);
    }

    #[test]
    fn a_crlf_anchor_is_not_read_through_the_alphabet() {
        let hir = regex_syntax::parse("(?mR:^)a").unwrap();
        assert!(coarse(&hir).is_none());
    }
}
