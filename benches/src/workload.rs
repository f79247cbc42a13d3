//! The benchmark workloads: which expressions run on which corpus, and how
//! many lines must match.

use crate::corpus::Kind;

/// Parts of the sshd family (`patterns/sshd`) tried in order after a syslog
/// header, first match wins: the messages `gen_corpus.py` writes for its ~80%
/// of matching auth-log lines. The other ~20% (connection closed, PAM
/// sessions, sudo, cron, ...) match none of them.
pub const SSHD_PARTS: &[&str] = &[
    "AUTHN",
    "INVALID",
    "DISCONNECT",
    "DISCONNECTED",
    "BREAKIN",
    "PAMFAILURE",
    "SCAN",
];

/// One workload: an ordered expression list (first match wins) over a corpus.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Short name, used as the criterion group name.
    pub name: &'static str,
    /// The corpus it reads.
    pub kind: Kind,
    /// The expressions, in order.
    pub exprs: Vec<String>,
    /// Lines of the committed corpus (`corpus-small`) that match.
    pub committed_matches: usize,
    /// Whether every match on this corpus starts at the start of the line,
    /// so a DFA anchored there gives the same yes/no as grok's unanchored search.
    pub matches_at_line_start: bool,
}

impl Workload {
    /// Whether a single expression (run as a `Pattern`, not a `Matcher`).
    pub fn is_single(&self) -> bool {
        self.exprs.len() == 1
    }
}

/// `%{COMBINEDAPACHELOG}` on apache lines.
pub fn apache() -> Workload {
    Workload {
        name: "apache",
        kind: Kind::Apache,
        exprs: vec!["%{COMBINEDAPACHELOG}".into()],
        committed_matches: 2000,
        matches_at_line_start: true,
    }
}

/// `%{SYSLOGLINE}` on syslog lines.
pub fn syslog() -> Workload {
    Workload {
        name: "syslog",
        kind: Kind::Syslog,
        exprs: vec!["%{SYSLOGLINE}".into()],
        committed_matches: 2000,
        matches_at_line_start: true,
    }
}

/// The sshd list: `%{SYSLOGBASE} %{PART}` for each of [`SSHD_PARTS`], on auth-log lines.
pub fn sshd() -> Workload {
    Workload {
        name: "sshd",
        kind: Kind::Secure,
        exprs: SSHD_PARTS
            .iter()
            .map(|p| format!("%{{SYSLOGBASE}} %{{{p}}}"))
            .collect(),
        committed_matches: 1654,
        matches_at_line_start: true,
    }
}

/// Lines that match nothing: `%{COMBINEDAPACHELOG}` on syslog lines.
pub fn nomatch() -> Workload {
    Workload {
        name: "nomatch",
        kind: Kind::Syslog,
        exprs: vec!["%{COMBINEDAPACHELOG}".into()],
        committed_matches: 0,
        matches_at_line_start: false,
    }
}

/// 49 expressions that fail on apache lines, then `%{COMBINEDAPACHELOG}`:
/// the long lists Logstash users write (variants of their own format with
/// extra fields, other formats from the library, application formats).
pub fn fallthrough() -> Workload {
    let mut exprs: Vec<String> = FALLTHROUGH_FAILING.iter().map(|s| s.to_string()).collect();
    exprs.push("%{COMBINEDAPACHELOG}".into());
    Workload {
        name: "fallthrough50",
        kind: Kind::Apache,
        exprs,
        committed_matches: 2000,
        matches_at_line_start: true,
    }
}

/// Every workload, in report order.
pub fn all() -> Vec<Workload> {
    vec![apache(), syslog(), sshd(), nomatch(), fallthrough()]
}

/// The 49 failing expressions of [`fallthrough`].
pub const FALLTHROUGH_FAILING: &[&str] = &[
    // The same access log with fields this server does not write.
    r"%{COMBINEDAPACHELOG} %{NUMBER:request_time:float}",
    r"%{COMBINEDAPACHELOG} %{QS:forwarded_for}",
    r"%{COMBINEDAPACHELOG} %{QS:forwarded_for} %{NUMBER:upstream_time:float}",
    r"%{COMBINEDAPACHELOG} %{IPORHOST:upstream}:%{POSINT:upstream_port:int}",
    r"%{COMBINEDAPACHELOG} rt=%{NUMBER:rt:float} uct=%{NUMBER:uct:float}",
    r"%{COMBINEDAPACHELOG} %{NOTSPACE:session} %{INT:keepalive:int}",
    r"%{IPORHOST:vhost}:%{POSINT:vport:int} %{COMBINEDAPACHELOG}",
    r"%{IPORHOST:vhost} %{COMBINEDAPACHELOG}",
    r"%{COMMONAPACHELOG} %{NUMBER:duration:int}",
    r#"%{IPORHOST:clientip} - %{USER:user} \[%{HTTPDATE:ts}\] "%{WORD:verb} %{URIPATHPARAM:request} HTTP/%{NUMBER:httpversion}" %{INT:status:int} %{INT:bytes:int} %{NUMBER:upstream_time:float}"#,
    r#"%{IPORHOST:clientip} %{USER:ident} %{USER:auth} \[%{HTTPDATE:ts}\] "%{WORD:verb} %{DATA:request} HTTP/%{NUMBER:httpversion}" %{INT:status:int} (?:-|%{INT:bytes:int}) %{QS:referrer} %{QS:agent} "%{DATA:cookie}""#,
    r#"\[%{HTTPDATE:ts}\] %{IPORHOST:clientip} "%{WORD:verb} %{NOTSPACE:request} HTTP/%{NUMBER:httpversion}" %{INT:status:int}"#,
    r#"%{IPORHOST:clientip} \[%{HTTPDATE:ts}\] "%{WORD:verb} %{NOTSPACE:request}""#,
    r"%{IP:clientip} %{IP:proxy} %{USER:auth} \[%{HTTPDATE:ts}\]",
    // Other formats of the standard library.
    r"%{SYSLOGLINE}",
    r"%{SYSLOG5424LINE}",
    r"%{HTTPD_ERRORLOG}",
    r"%{HAPROXYHTTP}",
    r"%{HAPROXYTCP}",
    r"%{NAGIOSLOGLINE}",
    r"%{RUBY_LOGGER}",
    r"%{CATALINALOG}",
    r"%{TOMCATLOG}",
    r"%{POSTGRESQL}",
    r"%{REDISLOG}",
    r"%{MONGO3_LOG}",
    r"%{REDISMONLOG}",
    r"%{SQUID3}",
    r"%{BRO_HTTP}",
    r"%{CISCO_TAGGED_SYSLOG}",
    r"%{ELB_ACCESS_LOG}",
    r"%{CLOUDFRONT_ACCESS_LOG}",
    r"%{S3_ACCESS_LOG}",
    r"%{RAILS3}",
    r"%{BIND9}",
    r"%{CRONLOG}",
    // Application formats.
    r"%{TIMESTAMP_ISO8601:ts} %{LOGLEVEL:level} \[%{DATA:thread}\] %{JAVACLASS:class} - %{GREEDYDATA:msg}",
    r"%{TIMESTAMP_ISO8601:ts} \[%{LOGLEVEL:level}\] %{POSINT:pid:int}#%{NUMBER:tid:int}: %{GREEDYDATA:msg}",
    r"%{SYSLOGTIMESTAMP:ts} %{SYSLOGHOST:host} %{PROG:program}\[%{POSINT:pid:int}\]: %{GREEDYDATA:msg}",
    r#"\{"time":"%{TIMESTAMP_ISO8601:ts}","level":"%{LOGLEVEL:level}","msg":%{QS:msg}"#,
    r"level=%{LOGLEVEL:level} ts=%{TIMESTAMP_ISO8601:ts} caller=%{NOTSPACE:caller} msg=%{QS:msg}",
    r"%{DATE_EU:date} %{TIME:time} %{LOGLEVEL:level} \[%{WORD:component}\] %{GREEDYDATA:msg}",
    r"%{TIMESTAMP_ISO8601:ts} %{HOSTNAME:host} %{WORD:app}: user=%{USER:user} action=%{WORD:action} result=%{WORD:result}",
    r"%{IP:client} %{WORD:method} %{URIPATHPARAM:path} %{NUMBER:bytes:int} %{NUMBER:duration:float}",
    r"%{MAC:mac} %{IP:ip} %{HOSTNAME:host} lease %{INT:lease:int}",
    r"%{UUID:request_id} %{WORD:method} %{URIPATH:path} %{INT:status:int} %{NUMBER:ms:float}ms",
    r"\[%{TIMESTAMP_ISO8601:ts}\]\[%{LOGLEVEL:level}\s*\]\[%{NOTSPACE:logger}\s*\] %{GREEDYDATA:msg}",
    r"%{TIMESTAMP_ISO8601:ts} %{NUMBER:pid:int} %{LOGLEVEL:level} %{NOTSPACE:module} \[%{DATA:request}\] %{GREEDYDATA:msg}",
    r"<%{NONNEGINT:pri:int}>%{SYSLOGTIMESTAMP:ts} %{SYSLOGHOST:host} %{GREEDYDATA:msg}",
];
