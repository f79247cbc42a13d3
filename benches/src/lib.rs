//! Shared pieces of the grok benchmarks: corpora, workloads, and one adapter
//! per implementation, so every bench target, the profiling example and the
//! tests run identical code on identical inputs.
//!
//! - [`corpus`]: the committed small corpora (or `GROK_BENCH_CORPUS=DIR`).
//! - [`workload`]: the expression lists (COMBINEDAPACHELOG, SYSLOGLINE, the
//!   sshd list, lines that match nothing, a 50-expression fall-through list)
//!   and the match counts every implementation must reproduce.
//! - [`engines`]: grok-core, the `grok` crate (PCRE2 and onig backends), a
//!   hand-written `regex`, and regex-automata DFAs, each behind [`engines::Engine`].
//! - [`hostile`]: generators of long adversarial lines.

pub mod corpus;
pub mod engines;
pub mod hostile;
pub mod workload;

#[cfg(test)]
mod tests;
