//! Eight bytes at a time in a `u64`: the byte tests the text scans share
//! (the tagged DFA's run skipping, JSON string escaping).

/// `0x01` in every byte of a word.
const ONES: u64 = u64::from_ne_bytes([1; 8]);
/// The high bit of every byte of a word.
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// High bits flagging the bytes of `word` below `n` (`n` at most 128):
/// nonzero exactly when there is one. Flags of several tests can be or-ed
/// and tested once.
pub(crate) fn bytes_below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS
}

/// High bits flagging the bytes of `word` equal to `b`: nonzero exactly
/// when there is one.
pub(crate) fn bytes_equal(word: u64, b: u8) -> u64 {
    bytes_below(word ^ (ONES * u64::from(b)), 1)
}

/// The high bits that flag the bytes of `word` (read little-endian) below
/// `n` or not ASCII. Only the lowest flagged byte is sure to be one of
/// them (a borrow may flag bytes above it); 0 when there is none.
pub(crate) fn below_or_non_ascii(word: u64, n: u8) -> u64 {
    (word.wrapping_sub(ONES * u64::from(n)) | word) & HIGHS
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_word_tests_agree_with_a_byte_loop(bytes in any::<[u8; 8]>(), n in 1u8..=128) {
            let word = u64::from_ne_bytes(bytes);
            prop_assert_eq!(bytes_below(word, n) != 0, bytes.iter().any(|&b| b < n));
            prop_assert!(bytes_equal(word, bytes[3]) != 0);
            prop_assert_eq!(bytes_equal(word, n) != 0, bytes.contains(&n));
            let flagged = below_or_non_ascii(u64::from_le_bytes(bytes), n);
            let first = bytes.iter().position(|&b| b < n || b >= 0x80);
            prop_assert_eq!(
                (flagged != 0).then(|| (flagged.trailing_zeros() / 8) as usize),
                first
            );
        }
    }
}
