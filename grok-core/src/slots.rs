//! A match's capture slots as the engine that found it holds them: in a
//! slot array (the program, the backtracker, regex-automata), or in the
//! tagged DFA's registers, read through the map of its final state so that
//! only the slots someone asks for are read.

use regex_automata::util::primitives::NonMaxUsize;

/// Map entry of a slot that holds the end of a tail's run (see
/// [`SlotView::mapped`]).
pub(crate) const TAIL_REG: u16 = u16::MAX - 1;

/// Read-only view of a match's slots (start and end of each group, in
/// regex-automata's slot order).
#[derive(Clone, Copy, Debug)]
pub(crate) struct SlotView<'s> {
    /// Register of each slot; `None`: `values` are the slots themselves.
    map: Option<&'s [u16]>,
    values: &'s [Option<NonMaxUsize>],
    /// What a slot mapped to [`TAIL_REG`] holds.
    tail: Option<NonMaxUsize>,
    /// The first slots of the pairs that may be set, ascending (every
    /// other pair reads unset); `None`: any may be.
    live: Option<&'s [u32]>,
}

impl<'s> SlotView<'s> {
    /// Slots held in place.
    pub(crate) fn direct(slots: &'s [Option<NonMaxUsize>]) -> SlotView<'s> {
        SlotView {
            map: None,
            values: slots,
            tail: None,
            live: None,
        }
    }

    /// Slot `i` is register `map[i]` of `regs`: unset past the end of
    /// `regs`, `tail` for [`TAIL_REG`]. `live` lists the first slots of
    /// the pairs that may be set (see [`live_pairs`]).
    pub(crate) fn mapped(
        map: &'s [u16],
        regs: &'s [Option<NonMaxUsize>],
        tail: Option<NonMaxUsize>,
        live: &'s [u32],
    ) -> SlotView<'s> {
        SlotView {
            map: Some(map),
            values: regs,
            tail,
            live: Some(live),
        }
    }

    /// The first slots of the pairs that may be set, ascending, when the
    /// view knows them (a pattern of many alternatives sets few of its
    /// groups on any one match).
    #[inline]
    pub(crate) fn live(&self) -> Option<&'s [u32]> {
        self.live
    }

    /// The position in slot `slot`, if set (`None` past the last slot).
    #[inline]
    pub(crate) fn get(&self, slot: usize) -> Option<usize> {
        let value = match self.map {
            None => *self.values.get(slot)?,
            Some(map) => match *map.get(slot)? {
                TAIL_REG => self.tail,
                reg => *self.values.get(usize::from(reg))?,
            },
        };
        value.map(NonMaxUsize::get)
    }

    /// The span held by slots `slot` and `slot + 1` (a group's pair), if
    /// both are set.
    #[inline]
    pub(crate) fn span(&self, slot: usize) -> Option<(usize, usize)> {
        Some((self.get(slot)?, self.get(slot.checked_add(1)?)?))
    }

    /// The first `len` slots, as an array (for tests and comparisons).
    #[cfg(test)]
    pub(crate) fn to_vec(self, len: usize) -> Vec<Option<NonMaxUsize>> {
        (0..len)
            .map(|slot| self.get(slot).and_then(NonMaxUsize::new))
            .collect()
    }
}

/// The even slots `s` of a register map (see [`SlotView::mapped`]) whose
/// pair `s`, `s + 1` both name a register: the pairs a match read through
/// the map may have set. `unset` is the map entry of a slot no thread set.
pub(crate) fn live_pairs(map: &[u16], unset: u16) -> Box<[u32]> {
    map.chunks_exact(2)
        .enumerate()
        .filter(|(_, pair)| pair[0] != unset && pair[1] != unset)
        .map(|(i, _)| (2 * i) as u32)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(n: usize) -> Option<NonMaxUsize> {
        NonMaxUsize::new(n)
    }

    #[test]
    fn a_direct_view_reads_the_slots() {
        let slots = [at(3), at(7), None, at(9)];
        let view = SlotView::direct(&slots);
        assert_eq!(view.span(0), Some((3, 7)));
        assert_eq!(view.span(2), None);
        assert_eq!(view.get(3), Some(9));
        assert_eq!(view.get(4), None);
        assert_eq!(view.span(usize::MAX), None);
    }

    #[test]
    fn a_mapped_view_reads_registers_and_the_tail() {
        let regs = [at(1), at(5), None];
        let map = [1, 0, TAIL_REG, 2, u16::MAX, 0];
        let live = live_pairs(&map, u16::MAX);
        assert_eq!(*live, [0, 2], "slot 4 is not set");
        let view = SlotView::mapped(&map, &regs, at(42), &live);
        assert_eq!(view.live(), Some(&[0, 2][..]));
        assert_eq!(SlotView::direct(&regs).live(), None);
        assert_eq!(view.span(0), Some((5, 1)));
        assert_eq!(view.get(2), Some(42));
        assert_eq!(view.get(3), None, "an unset register");
        assert_eq!(view.get(4), None, "a register past the end");
        assert_eq!(view.get(6), None, "a slot past the map");
        assert_eq!(view.to_vec(3), vec![at(5), at(1), at(42)]);
    }
}
