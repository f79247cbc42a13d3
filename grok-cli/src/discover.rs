//! `grok-cli discover`: propose a grok expression for a sample line, as the
//! original C grok's discovery did. Walking the line from the left, at each
//! token start every pattern of a curated list is tried; the longest match
//! that ends at a token boundary wins (ties go to the earlier, more specific
//! pattern) and becomes `%{NAME}`; other text is kept as escaped literals,
//! runs of blanks as `\s+`.

use grok_core::{Pattern, PatternLibrary};

/// The patterns tried, most specific first.
const CANDIDATES: &[&str] = &[
    "TIMESTAMP_ISO8601",
    "HTTPDATE",
    "DATESTAMP_RFC2822",
    "DATESTAMP_RFC822",
    "DATESTAMP_OTHER",
    "DATESTAMP_EVENTLOG",
    "SYSLOGTIMESTAMP",
    "DATESTAMP",
    "DATE",
    "TIME",
    "UUID",
    "MAC",
    "IPV6",
    "IPV4",
    "EMAILADDRESS",
    "URI",
    "HOSTPORT",
    "UNIXPATH",
    "WINPATH",
    "QS",
    "LOGLEVEL",
    "NUMBER",
    "WORD",
    "HOSTNAME",
];

/// The field that captures a candidate's match.
const FIELD: &str = "m";

/// The candidate patterns, compiled once and anchored at the start.
pub struct Discoverer {
    candidates: Vec<(&'static str, Pattern)>,
}

impl Discoverer {
    /// Compiles the candidates the library defines.
    pub fn new(lib: &PatternLibrary) -> Discoverer {
        let candidates = CANDIDATES
            .iter()
            .filter(|name| lib.get(name).is_some())
            .filter_map(|&name| {
                let p = lib.compile(&format!("\\A%{{{name}:{FIELD}}}")).ok()?;
                Some((name, p))
            })
            .collect();
        Discoverer { candidates }
    }

    /// The best candidate at the start of `rest`: its name and length.
    fn best(&self, rest: &str) -> Option<(&'static str, usize)> {
        let mut best: Option<(&str, usize)> = None;
        for (name, pattern) in &self.candidates {
            let Ok(Some(caps)) = pattern.captures(rest) else {
                continue;
            };
            let Some(&(_, len)) = caps.spans(FIELD).first() else {
                continue;
            };
            if len > 0 && ends_token(rest, len) && best.is_none_or(|(_, l)| len > l) {
                best = Some((name, len));
            }
        }
        best
    }

    /// An expression for the line.
    pub fn discover(&self, line: &str) -> String {
        let mut expr = String::new();
        let mut at = 0;
        while let Some(c) = line[at..].chars().next() {
            let rest = &line[at..];
            let token_start = at == 0 || !is_word(line[..at].chars().next_back());
            let found = if token_start && !c.is_whitespace() {
                self.best(rest)
            } else {
                None
            };
            if let Some((name, len)) = found {
                expr.push_str(&format!("%{{{name}}}"));
                at += len;
                continue;
            }
            let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            if blanks > 1 || c == '\t' {
                expr.push_str("\\s+");
                at += blanks;
                continue;
            }
            if "\\.^$|?*+()[]{}#".contains(c) {
                expr.push('\\');
            }
            expr.push(c);
            at += c.len_utf8();
        }
        expr
    }
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// Whether a match of `len` bytes at the start of `rest` ends a token: at
/// the end, or not between two word characters.
fn ends_token(rest: &str, len: usize) -> bool {
    !(is_word(rest[..len].chars().next_back()) && is_word(rest[len..].chars().next()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposes_specific_patterns() {
        let d = Discoverer::new(&PatternLibrary::legacy());
        let cases = [
            (
                "2024-01-02T03:04:05Z 10.0.0.1 GET /index.html 200",
                "%{TIMESTAMP_ISO8601} %{IPV4} %{WORD} %{UNIXPATH} %{NUMBER}",
            ),
            (
                "Nov 15 03:35:36 lc-conoha-1g sshd[5850]: Invalid user conectar from 1.1.1.1 port 39635",
                "%{SYSLOGTIMESTAMP} %{HOSTNAME} %{WORD}\\[%{NUMBER}\\]: %{WORD} %{WORD} %{WORD} %{WORD} %{IPV4} %{WORD} %{NUMBER}",
            ),
            ("a  b\t(c)", "%{WORD}\\s+%{WORD}\\s+\\(%{WORD}\\)"),
            ("abc123def", "%{WORD}"),
            ("", ""),
        ];
        for (line, want) in cases {
            assert_eq!(d.discover(line), want, "{line}");
        }
    }
}
