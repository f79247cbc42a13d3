//! Command-line arguments, parsed into plain data.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  grok-cli --pattern SSHLINE < /var/log/secure
  grok-cli -p '%{IP:client} %{WORD:verb} %{NOTSPACE:path}' access.log access.log.1.gz
  grok-cli -p SSHLINE --count-by remote --top 10 secure
  grok-cli -p COMBINEDAPACHELOG --format tsv --fields clientip,response,bytes access.log
  grok-cli -p SYSLOGLINE -p '%{GREEDYDATA:raw}' --with-pattern messages
  grok-cli list SYSLOG
  grok-cli show COMBINEDAPACHELOG
  grok-cli explain -p SYSLOGLINE 'Nov 15 03:35:36 host sshd[1]'
  grok-cli discover 'Nov 15 03:35:36 10.0.0.1 GET /index.html 200'

Input: files (rotated .gz files are decompressed), or standard input when none
or '-' is given. Lines end at \\n; a trailing \\r is removed. Invalid UTF-8 is
replaced with U+FFFD before matching (counted as invalid_utf8 in --stats).

Exit status: 0 if any line matched, 1 if none did, 2 on error.";

/// Parse logs with grok patterns: one JSON object per matched line.
#[derive(Parser, Debug)]
#[command(name = "grok-cli", version, about, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub parse: ParseArgs,
}

/// Subcommands besides parsing.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// List the known pattern names (optionally those containing FILTER).
    List {
        /// Case-insensitive substring of the names to list.
        filter: Option<String>,
        #[command(flatten)]
        library: LibraryArgs,
    },
    /// Show one pattern: definition, expanded regex, fields, engine.
    Show {
        /// The pattern name.
        name: String,
        #[command(flatten)]
        library: LibraryArgs,
    },
    /// Explain why a line does not match: how far the pattern got.
    Explain {
        /// The pattern name or expression.
        #[arg(short, long)]
        pattern: String,
        /// The line to explain.
        line: String,
        #[command(flatten)]
        library: LibraryArgs,
    },
    /// Propose a grok expression for sample lines (from arguments or stdin).
    Discover {
        /// Sample lines; standard input when none are given.
        lines: Vec<String>,
        #[command(flatten)]
        library: LibraryArgs,
    },
}

/// Where the pattern definitions come from.
#[derive(Args, Debug, Clone, Default)]
pub struct LibraryArgs {
    /// Use the ECS v1 flavour of the standard library.
    #[arg(long)]
    pub ecs: bool,
    /// Add a definition NAME=REGEX (repeatable).
    #[arg(long = "define", value_name = "NAME=REGEX")]
    pub define: Vec<String>,
    /// Load pattern files from a file or directory (repeatable).
    #[arg(long = "patterns", value_name = "PATH")]
    pub pattern_files: Vec<PathBuf>,
}

/// What to do with lines that match no pattern.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Unmatched {
    /// Drop them.
    #[default]
    Skip,
    /// Emit `{"_unmatched": true, "_line": …}` in the output.
    Keep,
    /// Write them, as they were, to standard error.
    Stderr,
}

/// Output format.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// One JSON object per line.
    #[default]
    Jsonl,
    /// Tab-separated values with a header row.
    Tsv,
    /// Comma-separated values with a header row.
    Csv,
    /// key=value pairs, one line per match.
    Logfmt,
}

/// Options of the main job: parse lines.
#[derive(Args, Debug, Default)]
pub struct ParseArgs {
    /// A pattern name (SSHLINE) or a grok expression; repeatable: tried in
    /// order, the first that matches wins.
    #[arg(short, long = "pattern", value_name = "PATTERN")]
    pub patterns: Vec<String>,
    /// Input files ('-' for standard input).
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub library: LibraryArgs,
    /// Emit every pattern that matches, not just the first.
    #[arg(long)]
    pub all_matches: bool,
    /// Add `_pattern` (the expression) and `_pattern_index` to each object.
    #[arg(long)]
    pub with_pattern: bool,
    /// Add `_line` (the original line) to each object.
    #[arg(long)]
    pub with_line: bool,
    /// Type conversion fails on text that is not of the type (default: lenient, as Logstash).
    #[arg(long)]
    pub strict: bool,
    /// Keep fields that captured the empty string.
    #[arg(long)]
    pub keep_empty: bool,
    /// Capture %{NAME} without a field name too (Logstash's named_captures_only => false).
    #[arg(long)]
    pub all_captures: bool,
    /// What to do with unmatched lines.
    #[arg(long, value_enum, default_value_t = Unmatched::Skip)]
    pub unmatched: Unmatched,
    /// Also write unmatched lines to this file.
    #[arg(long, value_name = "PATH")]
    pub unmatched_file: Option<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Columns (tsv, csv) or keys (logfmt) to print, in order.
    #[arg(long, value_delimiter = ',', value_name = "FIELD,…")]
    pub fields: Vec<String>,
    /// Count matches per distinct value of these fields, most frequent first.
    #[arg(long, value_delimiter = ',', value_name = "FIELD,…")]
    pub count_by: Vec<String>,
    /// With --count-by: print only the N most frequent.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Print counts (lines read, matched, …, lines/s) to standard error at the end.
    #[arg(long)]
    pub stats: bool,
    /// Worker threads (0: one per core). Output keeps input order.
    #[arg(short = 'j', long, default_value_t = 1, value_name = "N")]
    pub threads: usize,
    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}
