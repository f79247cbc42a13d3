//! A value built once, by the first thread that asks, while the others go
//! on without it.
//!
//! `OnceLock::get_or_init` makes every thread that asks during the build
//! wait for it. The accelerators an engine builds on first use (its
//! screens, a list's alternation) are optional: the search is right
//! without them, only slower. A parsing thread that finds one being built
//! is better off answering the slow way for a few lines than sitting idle
//! for the milliseconds the build takes; two threads of `grok-cli` that
//! started together reach the same builds at about the same time.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

/// A value one thread builds on first use; see the module doc.
pub(crate) struct BuildOnce<T> {
    value: OnceLock<T>,
    /// Whether a thread has taken the build on.
    claimed: AtomicBool,
}

impl<T> BuildOnce<T> {
    pub(crate) const fn new() -> BuildOnce<T> {
        BuildOnce {
            value: OnceLock::new(),
            claimed: AtomicBool::new(false),
        }
    }

    /// The value, if built.
    #[inline]
    pub(crate) fn get(&self) -> Option<&T> {
        self.value.get()
    }

    /// The value, built now by this thread unless another has taken the
    /// build on; `None` while that thread builds it. (Should a build panic,
    /// the value is never built and this stays `None`.)
    #[inline]
    pub(crate) fn get_or_build(&self, build: impl FnOnce() -> T) -> Option<&T> {
        match self.value.get() {
            Some(value) => Some(value),
            None => self.build(build),
        }
    }

    /// The first ask: out of line, so that the built value's path stays
    /// small where it is inlined (a list screen's walk).
    #[cold]
    #[inline(never)]
    fn build(&self, build: impl FnOnce() -> T) -> Option<&T> {
        if self.claimed.swap(true, Ordering::AcqRel) {
            return self.value.get();
        }
        Some(self.value.get_or_init(build))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn a_thread_asking_during_the_build_goes_on_without_the_value() {
        let once = BuildOnce::new();
        let (started_tx, started_rx) = mpsc::channel();
        let (finish_tx, finish_rx) = mpsc::channel::<()>();
        std::thread::scope(|s| {
            let once = &once;
            let builder = s.spawn(move || {
                *once
                    .get_or_build(|| {
                        started_tx.send(()).unwrap();
                        finish_rx.recv().unwrap();
                        7
                    })
                    .unwrap()
            });
            started_rx.recv().unwrap();
            // Built elsewhere and not finished: no value, no wait, and this
            // build is not run.
            assert_eq!(once.get_or_build(|| unreachable!()), None);
            assert_eq!(once.get(), None);
            finish_tx.send(()).unwrap();
            assert_eq!(builder.join().unwrap(), 7);
        });
        assert_eq!(once.get_or_build(|| 8), Some(&7));
        assert_eq!(once.get(), Some(&7));
    }

    #[test]
    fn the_first_to_ask_builds() {
        let once = BuildOnce::new();
        assert_eq!(once.get(), None);
        assert_eq!(once.get_or_build(|| "built"), Some(&"built"));
        assert_eq!(once.get_or_build(|| "again"), Some(&"built"));
    }
}
