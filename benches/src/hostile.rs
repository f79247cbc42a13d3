//! Long adversarial lines: inputs on which a backtracking engine's time per
//! byte grows with the line, and on which grok-core's must stay flat.

/// How one hostile case must end for grok-core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The expression matches.
    Match,
    /// It does not match.
    NoMatch,
    /// The exact engine reached its step limit (a bounded give-up).
    Limit,
}

/// One hostile case: an expression and a generator of lines of a given size.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// Criterion group name.
    pub name: &'static str,
    /// The expression.
    pub expr: &'static str,
    /// Repeated to fill the line (after `head`).
    pub unit: &'static str,
    /// Written once at the start.
    pub head: &'static str,
    /// Written once at the end.
    pub tail: &'static str,
    /// What grok-core must answer ([`Outcome::NoMatch`] also accepts
    /// [`Outcome::Limit`]: the exact engine may give up on a long line).
    pub outcome: Outcome,
}

impl Case {
    /// A line of about `size` bytes (whole units).
    pub fn line(&self, size: usize) -> String {
        let body = size.saturating_sub(self.head.len() + self.tail.len());
        let mut line = String::with_capacity(size + self.unit.len());
        line.push_str(self.head);
        for _ in 0..body.div_ceil(self.unit.len()) {
            line.push_str(self.unit);
        }
        line.push_str(self.tail);
        line
    }
}

/// The cases.
pub const CASES: &[Case] = &[
    // Runs of digits and dots: IPv4-shaped pieces that start inside a
    // longer number, so the relaxed regex finds candidates whose
    // look-behind check fails and the exact engine has to look.
    Case {
        name: "ip-digits-dots",
        expr: "%{IP:ip}",
        head: "",
        unit: "1234.5.6.7.",
        tail: "",
        outcome: Outcome::NoMatch,
    },
    // One opening quote, then only escaped quotes: never closed.
    Case {
        name: "qs-unbalanced",
        expr: "%{QS:qs}",
        head: "\"",
        unit: "ab\\\" ",
        tail: "",
        outcome: Outcome::NoMatch,
    },
    // A deep path that matches whole: the capture spans the line.
    Case {
        name: "uripath-deep",
        expr: "%{URIPATH:path}",
        head: "",
        unit: "/seg",
        tail: "",
        outcome: Outcome::Match,
    },
    // A deep path that must end at the end of the line, and does not.
    Case {
        name: "unixpath-deep-fail",
        expr: "%{UNIXPATH:path}$",
        head: "",
        unit: "/seg",
        tail: " ",
        outcome: Outcome::NoMatch,
    },
];

/// `%{DATA} %{DATA} %{DATA} x` on a line that has the literal ` x` only at
/// its start, so a literal prefilter cannot rule it out.
pub const DATA_CHAIN: Case = Case {
    name: "data-chain",
    expr: "%{DATA:a} %{DATA:b} %{DATA:c} x",
    head: " x",
    unit: "a ",
    tail: "",
    outcome: Outcome::NoMatch,
};

/// Line sizes for [`CASES`]: 1 KB to 10 MB.
pub const SIZES: &[usize] = &[1_000, 10_000, 100_000, 1_000_000, 10_000_000];
