//! [`Matcher`]: an ordered list of expressions tried as one.

use std::sync::Arc;

use crate::captures::Captures;
use crate::error::Error;
use crate::pattern::Pattern;

/// An ordered list of compiled expressions: the first expression (in list
/// order) that matches wins, as Logstash's `break_on_match => true`; or every
/// expression that matches, as `break_on_match => false`.
///
/// Immutable, cheap to clone, `Send + Sync`.
///
/// ```
/// let lib = grok_core::PatternLibrary::legacy();
/// let m = lib.matcher([
///     "Accepted %{WORD:method} for %{USER:user}",
///     "Failed %{WORD:method} for %{USER:user}",
///     "%{WORD:word}",
/// ])?;
/// let hit = m.captures("Failed password for root")?.unwrap();
/// assert_eq!(hit.pattern_index(), 1);
/// assert_eq!(hit["user"].as_str(), Some("root"));
/// let all = m.captures_all("Failed password for root")?;
/// assert_eq!(all.iter().map(|c| c.pattern_index()).collect::<Vec<_>>(), [1, 2]);
/// # Ok::<(), grok_core::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Matcher {
    inner: Arc<MatcherInner>,
}

#[derive(Debug)]
struct MatcherInner {
    patterns: Vec<Pattern>,
}

impl Matcher {
    /// A matcher over already compiled patterns, in order.
    pub fn new(patterns: Vec<Pattern>) -> Result<Matcher, Error> {
        Ok(Matcher {
            inner: Arc::new(MatcherInner { patterns }),
        })
    }

    /// The patterns, in order.
    pub fn patterns(&self) -> &[Pattern] {
        &self.inner.patterns
    }

    /// How many patterns there are.
    pub fn len(&self) -> usize {
        self.inner.patterns.len()
    }

    /// Whether there are no patterns (nothing ever matches).
    pub fn is_empty(&self) -> bool {
        self.inner.patterns.is_empty()
    }

    /// Whether any pattern matches.
    pub fn is_match(&self, text: &str) -> bool {
        self.inner.patterns.iter().any(|p| p.is_match(text))
    }

    /// The fields of the first pattern (in list order) that matches, with
    /// its index in [`Captures::pattern_index`].
    pub fn captures<'a>(&'a self, text: &'a str) -> Result<Option<Captures<'a>>, Error> {
        let mut caps = Captures::new();
        Ok(if self.captures_into(text, &mut caps)? {
            Some(caps)
        } else {
            None
        })
    }

    /// Like [`Matcher::captures`], into a reusable buffer.
    pub fn captures_into<'a>(
        &'a self,
        text: &'a str,
        caps: &mut Captures<'a>,
    ) -> Result<bool, Error> {
        for (index, pattern) in self.inner.patterns.iter().enumerate() {
            if pattern.captures_into_as(text, caps, index)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The fields of every pattern that matches, in list order.
    pub fn captures_all<'a>(&'a self, text: &'a str) -> Result<Vec<Captures<'a>>, Error> {
        let mut all = Vec::new();
        for (index, pattern) in self.inner.patterns.iter().enumerate() {
            let mut caps = Captures::new();
            if pattern.captures_into_as(text, &mut caps, index)? {
                all.push(caps);
            }
        }
        Ok(all)
    }
}
