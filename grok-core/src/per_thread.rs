//! Scratch space per thread: each thread that matches gets its own, made on
//! its first match and kept for the next ones.
//!
//! Every thread finds its own value with a thread-id lookup, without a
//! lock. (regex-automata's `Pool` is lock-free only for its first user:
//! every other thread takes a mutex per borrow and per return, four lock
//! operations per line for the second parsing thread of
//! `grok-cli --threads 2`.)

use std::cell::{RefCell, RefMut};
use std::ops::{Deref, DerefMut};

use thread_local::ThreadLocal;

/// How a thread's value is made.
pub(crate) type Make<T> = Box<dyn Fn() -> T + Send + Sync>;

/// One `T` per thread, made by `make` when a thread first asks.
pub(crate) struct PerThread<T: Send> {
    values: ThreadLocal<RefCell<T>>,
    make: Make<T>,
}

impl<T: Send> PerThread<T> {
    pub(crate) fn new(make: Make<T>) -> PerThread<T> {
        PerThread {
            values: ThreadLocal::new(),
            make,
        }
    }

    /// This thread's value, borrowed until the guard drops. Should the
    /// thread ask again while it holds it (a nested search), it gets a fresh
    /// value rather than a borrow panic.
    #[inline]
    pub(crate) fn get(&self) -> Guard<'_, T> {
        let cell = self.values.get_or(|| RefCell::new((self.make)()));
        match cell.try_borrow_mut() {
            Ok(value) => Guard::Kept(value),
            Err(_) => Guard::Fresh(Box::new((self.make)())),
        }
    }
}

/// A thread's value, or a fresh one for a nested borrow.
pub(crate) enum Guard<'a, T> {
    Kept(RefMut<'a, T>),
    Fresh(Box<T>),
}

impl<T> Deref for Guard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        match self {
            Guard::Kept(value) => value,
            Guard::Fresh(value) => value,
        }
    }
}

impl<T> DerefMut for Guard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        match self {
            Guard::Kept(value) => value,
            Guard::Fresh(value) => value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn each_thread_keeps_its_own_value_and_a_nested_borrow_gets_a_fresh_one() {
        let made = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&made);
        let per = PerThread::new(Box::new(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            Vec::<u32>::new()
        }));
        per.get().push(1);
        per.get().push(2);
        assert_eq!(*per.get(), [1, 2]);
        std::thread::scope(|s| {
            s.spawn(|| {
                per.get().push(9);
                assert_eq!(*per.get(), [9]);
            });
        });
        assert_eq!(made.load(Ordering::Relaxed), 2);
        {
            let mut outer = per.get();
            outer.push(3);
            assert!(per.get().is_empty());
        }
        assert_eq!(made.load(Ordering::Relaxed), 3);
        assert_eq!(*per.get(), [1, 2, 3]);
    }
}
