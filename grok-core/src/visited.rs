//! The memo of the two memoizing backtrackers ([`crate::backtrack`] and
//! [`crate::prog`]): one bit per (row, position) pair, kept between searches
//! and cleared by undoing only the words a search set, so a search costs
//! what it explored rather than the size of the table.

/// A set of bit indexes below the size given to [`Visited::prepare`].
#[derive(Default)]
pub(crate) struct Visited {
    bits: Vec<u64>,
    /// The words with a bit set since the last [`Visited::clear`].
    dirty: Vec<u32>,
}

impl Visited {
    /// Makes room for `bits` bits (all clear).
    #[inline]
    pub(crate) fn prepare(&mut self, bits: usize) {
        let words = bits.div_ceil(64);
        if self.bits.len() < words {
            self.bits.resize(words, 0);
        }
    }

    #[inline(always)]
    pub(crate) fn contains(&self, bit: usize) -> bool {
        self.bits[bit / 64] & (1 << (bit % 64)) != 0
    }

    /// Sets `bit`; `false` if it already was.
    #[inline(always)]
    pub(crate) fn insert(&mut self, bit: usize) -> bool {
        let (word, mask) = (bit / 64, 1u64 << (bit % 64));
        let w = &mut self.bits[word];
        if *w & mask != 0 {
            return false;
        }
        if *w == 0 {
            self.dirty.push(word as u32);
        }
        *w |= mask;
        true
    }

    /// Sets every bit in `first..=last`.
    pub(crate) fn insert_range(&mut self, first: usize, last: usize) {
        for word in first / 64..=last / 64 {
            let mut mask = u64::MAX;
            if word == first / 64 {
                mask &= u64::MAX << (first % 64);
            }
            if word == last / 64 {
                mask &= u64::MAX >> (63 - last % 64);
            }
            let w = &mut self.bits[word];
            if *w == 0 {
                self.dirty.push(word as u32);
            }
            *w |= mask;
        }
    }

    /// The first set bit in `first..=last`.
    #[inline]
    pub(crate) fn first_in(&self, first: usize, last: usize) -> Option<usize> {
        let mut word = first / 64;
        let mut mask = u64::MAX << (first % 64);
        while word <= last / 64 {
            let mut w = self.bits[word] & mask;
            if word == last / 64 {
                w &= u64::MAX >> (63 - last % 64);
            }
            if w != 0 {
                return Some(word * 64 + w.trailing_zeros() as usize);
            }
            word += 1;
            mask = u64::MAX;
        }
        None
    }

    /// Clears every bit set since the last clear.
    #[inline]
    pub(crate) fn clear(&mut self) {
        for &w in &self.dirty {
            self.bits[w as usize] = 0;
        }
        self.dirty.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_set_once_found_in_ranges_and_cleared() {
        let mut v = Visited::default();
        v.prepare(300);
        assert!(v.insert(3));
        assert!(!v.insert(3));
        assert!(v.insert(130));
        assert!(v.contains(130) && !v.contains(129));
        assert_eq!(v.first_in(4, 299), Some(130));
        assert_eq!(v.first_in(0, 2), None);
        assert_eq!(v.first_in(131, 299), None);
        v.insert_range(60, 200);
        assert!(!v.contains(59) && v.contains(60) && v.contains(128) && v.contains(200));
        assert!(!v.contains(201));
        assert_eq!(v.first_in(201, 299), None);
        v.clear();
        assert!(!v.contains(3) && !v.contains(130) && !v.contains(100));
        assert_eq!(v.first_in(0, 299), None);
    }
}
