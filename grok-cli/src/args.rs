//! Command-line arguments, parsed by clap into plain data. Turning them into
//! the objects that do the work (library, matcher, formatter) happens in
//! [`crate::library`] and [`crate::job`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Examples:
  grok-cli --pattern SSHLINE < /var/log/secure
  grok-cli -p '%{IP:client} %{WORD:verb} %{NOTSPACE:path}' access.log access.log.1.gz
  grok-cli -p SSHLINE --count-by remote --top 10 /var/log/secure
  grok-cli -p COMBINEDAPACHELOG --format tsv --fields clientip,response,bytes access.log
  grok-cli -p SYSLOGLINE -p '%{GREEDYDATA:raw}' --with-pattern messages
  grok-cli --ecs -p '%{IP:[source][address]} %{INT:[http][status]:int}' app.log
  grok-cli list SYSLOG
  grok-cli show COMBINEDAPACHELOG
  grok-cli explain -p SYSLOGLINE 'Nov 15 03:35:36 host sshd[1]'
  grok-cli discover '2024-01-02T03:04:05Z 10.0.0.1 GET /index.html 200'

Patterns: a bare name such as SSHLINE stands for %{SSHLINE}; anything else is
a grok expression. To match literal text that looks like a name, write it as
an expression, e.g. '(?:error)'.

Input: the files given, or standard input when none (or '-') is given; gzip
data (rotated .gz logs) is detected by its magic bytes and decompressed. A line
ends at \\n and a trailing \\r is removed. NUL bytes are ordinary characters.
Invalid UTF-8 is decoded lossily: each bad sequence becomes U+FFFD before
matching, so such lines are still parsed (and counted as invalid_utf8 in
--stats). An unreadable input is reported and skipped.

Output: block-buffered unless stdout is a terminal (or --line-buffered). A
progress bar is drawn on stderr only when stderr is a terminal, stdout is not,
and every input is a regular file.

Exit status: 0 if any line matched, 1 if none did, 2 if an error occurred
(also when some lines did match). A closed output pipe ends quietly with 0.";

/// Parse logs with grok patterns: one JSON object per matched line.
#[derive(Parser, Debug)]
#[command(
    name = "grok-cli",
    version,
    about,
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    /// An introspection command; without one, grok-cli parses its input.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The options of the default action, parsing lines.
    #[command(flatten)]
    pub parse: ParseArgs,
}

/// Introspection commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// List pattern names and definitions (those whose name contains FILTER).
    List {
        /// Case-insensitive part of the names to list.
        filter: Option<String>,
        /// Where the definitions come from.
        #[command(flatten)]
        library: LibraryArgs,
    },
    /// Show a pattern: definition, fields and types, engine, expanded regex.
    Show {
        /// A pattern name or a grok expression.
        pattern: String,
        /// Where the definitions come from.
        #[command(flatten)]
        library: LibraryArgs,
        /// Compile options.
        #[command(flatten)]
        compile: CompileArgs,
    },
    /// Explain why lines do not match: which part of the pattern fails, where.
    ///
    /// The pattern (a name's definition) is split into its top-level parts;
    /// the longest run of leading parts that matches is shown with what it
    /// captured, the part that fails, and a caret at the byte where the
    /// match stopped. Exit status: 0 if every line matches, 1 if not.
    Explain {
        /// A pattern name or a grok expression.
        #[arg(short, long = "pattern", value_name = "PATTERN")]
        pattern: String,
        /// The lines to explain; standard input when none are given.
        lines: Vec<String>,
        /// Where the definitions come from.
        #[command(flatten)]
        library: LibraryArgs,
        /// Compile options.
        #[command(flatten)]
        compile: CompileArgs,
    },
    /// Propose a grok expression for sample lines, built from well-known
    /// patterns (TIMESTAMP_ISO8601, IP, NUMBER, WORD…).
    Discover {
        /// Sample lines; standard input when none are given.
        lines: Vec<String>,
        /// Where the definitions come from.
        #[command(flatten)]
        library: LibraryArgs,
    },
}

/// Where the pattern definitions come from.
#[derive(Args, Debug, Clone, Default)]
pub struct LibraryArgs {
    /// Use the ECS v1 flavour of the standard library (default: legacy).
    #[arg(long)]
    pub ecs: bool,
    /// Add a definition (repeatable); it can be used as %{NAME}.
    #[arg(long = "define", value_name = "NAME=REGEX")]
    pub define: Vec<String>,
    /// Load pattern files ('NAME regex' lines) from a file or a directory
    /// (repeatable).
    #[arg(long = "patterns", value_name = "PATH")]
    pub pattern_files: Vec<PathBuf>,
}

/// How expressions compile and what a match returns.
#[derive(Args, Debug, Clone, Default)]
pub struct CompileArgs {
    /// Fail on a typed field whose text is not of its type (the line is
    /// reported as an error) instead of converting leniently as Logstash does.
    #[arg(long)]
    pub strict: bool,
    /// Keep fields that captured the empty string.
    #[arg(long)]
    pub keep_empty: bool,
    /// Make %{NAME} without a field name capture too, as field NAME.
    #[arg(long)]
    pub all_captures: bool,
}

/// What to do with lines that match no pattern.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Unmatched {
    /// Drop them.
    #[default]
    Skip,
    /// Write them to the output: {"_unmatched":true,"_line":"…"} in jsonl,
    /// a row with only the _line column in tsv/csv.
    Keep,
    /// Write them, as they were read, to standard error.
    Stderr,
}

/// Output format.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// One JSON object per line; ECS names ([source][address]) nest.
    #[default]
    Jsonl,
    /// Tab-separated values with a header row; \t \n \r \\ are escaped.
    Tsv,
    /// Comma-separated values (RFC 4180) with a header row.
    Csv,
    /// key=value pairs, values quoted when needed.
    Logfmt,
}

/// Options of the default action: parse lines.
#[derive(Args, Debug, Default)]
pub struct ParseArgs {
    /// A pattern name (SSHLINE) or a grok expression; repeatable: tried in
    /// order, the first that matches wins.
    #[arg(short, long = "pattern", value_name = "PATTERN", required = true)]
    pub patterns: Vec<String>,
    /// Input files ('-' for standard input; .gz is decompressed).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Where the definitions come from.
    #[command(flatten)]
    pub library: LibraryArgs,
    /// Compile options.
    #[command(flatten)]
    pub compile: CompileArgs,
    /// Write one result for every pattern that matches a line, not just the
    /// first.
    #[arg(long)]
    pub all_matches: bool,
    /// Add which pattern matched: _pattern_index (0-based) and _pattern (the
    /// expression).
    #[arg(long, conflicts_with = "count_by")]
    pub with_pattern: bool,
    /// Add the original line as _line.
    #[arg(long, conflicts_with = "count_by")]
    pub with_line: bool,
    /// What to do with lines that match no pattern.
    #[arg(long, value_enum, default_value_t = Unmatched::Skip)]
    pub unmatched: Unmatched,
    /// Also write the unmatched lines, as they were read, to this file.
    #[arg(long, value_name = "PATH")]
    pub unmatched_file: Option<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// The fields to write, in this order (names as written in the pattern,
    /// e.g. [source][address]; also _line, _pattern, _pattern_index). Default:
    /// every field. Several values of one field are joined with ','.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "FIELD,…",
        conflicts_with = "count_by"
    )]
    pub fields: Vec<String>,
    /// Instead of the matches, write how often each distinct combination of
    /// these fields' values occurs, most frequent first (a missing field
    /// counts as null); _pattern_index and _pattern count which pattern
    /// matched.
    #[arg(long, value_delimiter = ',', value_name = "FIELD,…")]
    pub count_by: Vec<String>,
    /// With --count-by: only the N most frequent.
    #[arg(long, value_name = "N", requires = "count_by")]
    pub top: Option<usize>,
    /// At the end, write counts to standard error: lines read, matched,
    /// unmatched, errors, invalid UTF-8, decided by the exact engine, lines/s.
    #[arg(long)]
    pub stats: bool,
    /// Parsing threads; 0 means one per core (the default). Output keeps
    /// the input order whatever the number.
    #[arg(short = 'j', long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// Flush the output after every batch of lines read, even when stdout is
    /// not a terminal (for tail -f | grok-cli | …).
    #[arg(long)]
    pub line_buffered: bool,
    /// Never draw a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}
