//! Parses grok definitions: Ruby/Oniguruma regex syntax with `%{…}` references,
//! into a small syntax tree that the compiler emits for both engines.

use crate::error::{Error, ErrorKind};
use crate::value::FieldType;

/// Deepest nesting of groups a definition may have.
pub(crate) const MAX_NESTING: usize = 250;

/// Largest count in `{n,m}`, as Oniguruma has it.
pub(crate) const MAX_REPEAT: u32 = 100_000;

/// One node of a parsed definition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    Empty,
    Literal(char),
    Class(Class),
    Dot,
    Assert(Assert),
    Group(Box<Group>),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Repeat>),
    /// A construct only the exact engine understands (backreference,
    /// subexpression call, `\K`, …), kept as written.
    ExactOnly(String),
    /// Inline flags that apply to the rest of the enclosing group: `(?i)`.
    Flags(String),
    /// `%{NAME:field:type}`, before expansion.
    Ref(Box<GrokRef>),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Group {
    pub kind: GroupKind,
    pub node: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum GroupKind {
    /// `(?:…)`, `(…)` (plain groups do not capture once named groups exist,
    /// as in Ruby), or `(?i-m:…)` with its flags.
    NonCapture(String),
    /// `(?<name>…)` as written in a definition, before expansion.
    Named(String),
    /// A field's capture after expansion: the index into the field table.
    Field(usize),
    Atomic,
    Look {
        ahead: bool,
        negate: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Repeat {
    pub node: Node,
    pub min: u32,
    pub max: Option<u32>,
    pub greedy: bool,
    pub possessive: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Assert {
    /// `^`: start of a line (Ruby's `^` is always multi-line).
    LineStart,
    /// `$`: end of a line.
    LineEnd,
    /// `\A`
    TextStart,
    /// `\z`
    TextEnd,
    /// `\Z`: end of text or before a final newline.
    TextEndNewline,
    WordBoundary,
    NotWordBoundary,
    /// `\G`
    SearchStart,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Perl {
    Digit,
    Word,
    Space,
    Hex,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Class {
    pub negated: bool,
    pub items: Vec<ClassItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ClassItem {
    Range(char, char),
    Perl(Perl, bool),
    /// A POSIX bracket (`[:alpha:]`), negated or not.
    Posix(String, bool),
    /// `\p{…}`/`\P{…}` as written.
    Property(String),
    Nested(Class),
    /// `left && right`.
    Intersect(Vec<ClassItem>, Class),
}

/// A `%{NAME:field:type}` reference.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct GrokRef {
    pub name: String,
    pub field: Option<String>,
    pub ty: Option<FieldType>,
    /// `%{NAME=regex}` defines NAME inline.
    pub inline: Option<String>,
    /// Character offset of the `%` in the definition.
    pub offset: usize,
}

impl Class {
    fn perl(kind: Perl, negated: bool) -> Class {
        Class {
            negated: false,
            items: vec![ClassItem::Perl(kind, negated)],
        }
    }
}

/// Parses one definition (or expression). Errors carry the character offset.
pub(crate) fn parse(text: &str) -> Result<Node, Error> {
    let chars: Vec<char> = text.chars().collect();
    let mut parser = Parser {
        chars: &chars,
        pos: 0,
        extended: false,
        depth: 0,
    };
    let node = parser.alternation()?;
    if parser.pos < chars.len() {
        // Only an unmatched ')' stops the top level early.
        return Err(parser.error(ErrorKind::InvalidRegex, "unmatched ')'"));
    }
    Ok(node)
}

struct Parser<'c> {
    chars: &'c [char],
    pos: usize,
    extended: bool,
    depth: usize,
}

fn is_name_char(c: char) -> bool {
    // Logstash's `[A-z0-9]`: the range A-z also takes `[ \ ] ^ _ \``.
    c.is_ascii_digit() || ('A'..='z').contains(&c)
}

fn is_field_char(c: char) -> bool {
    // Logstash's `[@\[\]A-z0-9_:.-]`.
    is_name_char(c) || matches!(c, '@' | ':' | '.' | '-')
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.pos + n).copied()
    }

    fn error(&self, kind: ErrorKind, message: impl Into<String>) -> Error {
        self.error_at(kind, message, self.pos)
    }

    fn error_at(&self, kind: ErrorKind, message: impl Into<String>, offset: usize) -> Error {
        let text: String = self.chars.iter().collect();
        Error::new(kind, message).at(&text, offset)
    }

    fn skip_extended_space(&mut self) {
        if !self.extended {
            return;
        }
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.pos += 1;
            } else if c == '#' {
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    if c == '\n' {
                        break;
                    }
                }
            } else {
                break;
            }
        }
    }

    fn alternation(&mut self) -> Result<Node, Error> {
        let saved_extended = self.extended;
        let mut branches = vec![self.concat()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            branches.push(self.concat()?);
        }
        self.extended = saved_extended;
        Ok(if branches.len() == 1 {
            branches.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(branches)
        })
    }

    fn concat(&mut self) -> Result<Node, Error> {
        let mut items = Vec::new();
        loop {
            self.skip_extended_space();
            match self.peek() {
                None | Some('|') | Some(')') => break,
                _ => {}
            }
            let atom_start = self.pos;
            let atom = self.atom()?;
            let atom = self.quantifiers(atom, atom_start)?;
            items.push(atom);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    fn quantifiers(&mut self, mut atom: Node, atom_start: usize) -> Result<Node, Error> {
        loop {
            self.skip_extended_space();
            let (min, max, interval) = match self.peek() {
                Some('*') => {
                    self.pos += 1;
                    (0, None, false)
                }
                Some('+') => {
                    self.pos += 1;
                    (1, None, false)
                }
                Some('?') => {
                    self.pos += 1;
                    (0, Some(1), false)
                }
                Some('{') => match self.interval() {
                    Some((min, max, len)) => {
                        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT) {
                            return Err(self.error(
                                ErrorKind::SizeLimit {
                                    limit: MAX_REPEAT as usize,
                                },
                                format!("repeat count too large (the limit is {MAX_REPEAT})"),
                            ));
                        }
                        self.pos += len;
                        (min, max, true)
                    }
                    None => return Ok(atom),
                },
                _ => return Ok(atom),
            };
            if matches!(atom, Node::Empty | Node::Flags(_)) {
                return Err(self.error_at(
                    ErrorKind::InvalidRegex,
                    "target of repeat operator is not specified",
                    atom_start,
                ));
            }
            if let Some(max) = max {
                if max < min {
                    return Err(self.error(
                        ErrorKind::InvalidRegex,
                        "upper bound of repeat is below the lower bound",
                    ));
                }
            }
            let mut greedy = true;
            let mut possessive = false;
            match self.peek() {
                Some('?') => {
                    self.pos += 1;
                    greedy = false;
                }
                // Ruby: `a*+` is possessive, `a{2}+` is a repeat of a repeat.
                Some('+') if !interval => {
                    self.pos += 1;
                    possessive = true;
                }
                _ => {}
            }
            atom = Node::Repeat(Box::new(Repeat {
                node: atom,
                min,
                max,
                greedy,
                possessive,
            }));
        }
    }

    /// Reads `{n}`, `{n,}`, `{,m}`, `{n,m}` at the cursor without consuming;
    /// `None` when the brace is a literal (Ruby reads it so).
    fn interval(&self) -> Option<(u32, Option<u32>, usize)> {
        let mut i = self.pos + 1;
        let number = |i: &mut usize| -> Option<Option<u32>> {
            let start = *i;
            while self.chars.get(*i).is_some_and(char::is_ascii_digit) {
                *i += 1;
            }
            if *i == start {
                return Some(None);
            }
            let s: String = self.chars[start..*i].iter().collect();
            // Saturate: a count this large is rejected by the caller.
            Some(Some(s.parse::<u32>().unwrap_or(u32::MAX)))
        };
        let min = number(&mut i)?;
        let (min, max) = if self.chars.get(i) == Some(&',') {
            i += 1;
            let max = number(&mut i)?;
            if min.is_none() && max.is_none() {
                return None;
            }
            (min.unwrap_or(0), max)
        } else {
            let n = min?;
            (n, Some(n))
        };
        if self.chars.get(i) != Some(&'}') {
            return None;
        }
        Some((min, max, i + 1 - self.pos))
    }

    fn atom(&mut self) -> Result<Node, Error> {
        let Some(c) = self.peek() else {
            return Ok(Node::Empty);
        };
        match c {
            '(' => self.group(),
            '[' => {
                let start = self.pos;
                self.pos += 1;
                Ok(Node::Class(self.class(start)?))
            }
            '.' => {
                self.pos += 1;
                Ok(Node::Dot)
            }
            '^' => {
                self.pos += 1;
                Ok(Node::Assert(Assert::LineStart))
            }
            '$' => {
                self.pos += 1;
                Ok(Node::Assert(Assert::LineEnd))
            }
            '\\' => self.escape(),
            '%' if self.peek_at(1) == Some('{') => self.reference(),
            '*' | '+' | '?' => Err(self.error(
                ErrorKind::InvalidRegex,
                "target of repeat operator is not specified",
            )),
            '{' if self.interval().is_some() => Err(self.error(
                ErrorKind::InvalidRegex,
                "target of repeat operator is not specified",
            )),
            _ => {
                self.pos += 1;
                Ok(Node::Literal(c))
            }
        }
    }

    fn reference(&mut self) -> Result<Node, Error> {
        let offset = self.pos;
        self.pos += 2;
        let name_start = self.pos;
        while self.peek().is_some_and(is_name_char) {
            self.pos += 1;
        }
        if self.pos == name_start {
            return Err(self.error(
                ErrorKind::MalformedReference,
                "malformed %{…}: expected a pattern name after '%{'",
            ));
        }
        let name: String = self.chars[name_start..self.pos].iter().collect();
        let mut subname = None;
        if self.peek() == Some(':') && self.peek_at(1).is_some_and(is_field_char) {
            self.pos += 1;
            let start = self.pos;
            while self.peek().is_some_and(is_field_char) {
                self.pos += 1;
            }
            subname = Some(self.chars[start..self.pos].iter().collect::<String>());
        }
        let mut inline = None;
        if self.peek() == Some('=') {
            self.pos += 1;
            let start = self.pos;
            let mut depth = 0usize;
            loop {
                match self.peek() {
                    None => break,
                    Some('\\') => self.pos += 2,
                    Some('{') => {
                        depth += 1;
                        self.pos += 1;
                    }
                    Some('}') if depth == 0 => break,
                    Some('}') => {
                        depth -= 1;
                        self.pos += 1;
                    }
                    Some(_) => self.pos += 1,
                }
            }
            let end = self.pos.min(self.chars.len());
            inline = Some(self.chars[start..end].iter().collect::<String>());
        }
        // Logstash ignores anything else up to the closing brace (upstream
        // files rely on it: `%{POSINT:[a][b]?}`), but a brace or another
        // reference there means the reference was never closed.
        let skip_start = self.pos;
        while let Some(c) = self.peek() {
            if c == '}' || c == '{' || c == '%' && self.peek_at(1) == Some('{') {
                break;
            }
            self.pos += 1;
        }
        if self.peek() != Some('}') {
            return Err(self.error_at(
                ErrorKind::MalformedReference,
                format!("malformed %{{…}}: '%{{{name}' is never closed with '}}'"),
                offset,
            ));
        }
        let skipped: String = self.chars[skip_start..self.pos].iter().collect();
        if skipped.chars().any(char::is_whitespace) && subname.is_none() {
            return Err(self.error_at(
                ErrorKind::MalformedReference,
                format!("malformed %{{…}}: unexpected {skipped:?} after the pattern name {name}"),
                skip_start,
            ));
        }
        self.pos += 1;
        let (field, ty) = match subname {
            None => (None, None),
            Some(sub) => {
                let mut parts = sub.splitn(3, ':');
                let field = parts.next().filter(|f| !f.is_empty()).map(str::to_string);
                let ty = match parts.next() {
                    None | Some("") => None,
                    Some(t) => Some(t.parse::<FieldType>().map_err(|()| {
                        Error::new(
                            ErrorKind::UnknownType {
                                name: t.to_string(),
                            },
                            format!(
                                "unknown type {t:?} for field {:?}; known types: {}",
                                field.as_deref().unwrap_or(""),
                                FieldType::NAMES.join(", ")
                            ),
                        )
                        .at(&self.chars.iter().collect::<String>(), offset)
                    })?),
                };
                (field, ty)
            }
        };
        Ok(Node::Ref(Box::new(GrokRef {
            name,
            field,
            ty,
            inline,
            offset,
        })))
    }

    fn group(&mut self) -> Result<Node, Error> {
        let open = self.pos;
        self.pos += 1;
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error_at(
                ErrorKind::SizeLimit { limit: MAX_NESTING },
                format!("groups nested deeper than the limit of {MAX_NESTING}"),
                open,
            ));
        }
        let saved_extended = self.extended;
        let kind =
            if self.peek() == Some('?') {
                self.pos += 1;
                match self.peek() {
                    Some(':') => {
                        self.pos += 1;
                        GroupKind::NonCapture(String::new())
                    }
                    Some('=') => {
                        self.pos += 1;
                        GroupKind::Look {
                            ahead: true,
                            negate: false,
                        }
                    }
                    Some('!') => {
                        self.pos += 1;
                        GroupKind::Look {
                            ahead: true,
                            negate: true,
                        }
                    }
                    Some('>') => {
                        self.pos += 1;
                        GroupKind::Atomic
                    }
                    Some('#') => {
                        while let Some(c) = self.peek() {
                            self.pos += 1;
                            if c == ')' {
                                self.depth -= 1;
                                return Ok(Node::Empty);
                            }
                        }
                        return Err(self.error_at(
                            ErrorKind::InvalidRegex,
                            "unterminated comment group",
                            open,
                        ));
                    }
                    Some('<') if self.peek_at(1) == Some('=') => {
                        self.pos += 2;
                        GroupKind::Look {
                            ahead: false,
                            negate: false,
                        }
                    }
                    Some('<') if self.peek_at(1) == Some('!') => {
                        self.pos += 2;
                        GroupKind::Look {
                            ahead: false,
                            negate: true,
                        }
                    }
                    Some(q @ ('<' | '\'')) => {
                        let close = if q == '<' { '>' } else { '\'' };
                        self.pos += 1;
                        let start = self.pos;
                        while self.peek().is_some_and(|c| c != close && c != ')') {
                            self.pos += 1;
                        }
                        if self.peek() != Some(close) || self.pos == start {
                            return Err(self.error_at(
                                ErrorKind::InvalidRegex,
                                "invalid group name",
                                start,
                            ));
                        }
                        let name: String = self.chars[start..self.pos].iter().collect();
                        self.pos += 1;
                        GroupKind::Named(name)
                    }
                    Some(c) if c.is_ascii_alphabetic() || c == '-' => {
                        let start = self.pos;
                        while self
                            .peek()
                            .is_some_and(|c| matches!(c, 'i' | 'm' | 'x' | '-'))
                        {
                            self.pos += 1;
                        }
                        let flags: String = self.chars[start..self.pos].iter().collect();
                        let on_x = flags.split('-').next().is_some_and(|on| on.contains('x'));
                        let off_x = flags.split('-').nth(1).is_some_and(|off| off.contains('x'));
                        match self.peek() {
                            Some(')') => {
                                // Applies to the rest of the enclosing group.
                                self.pos += 1;
                                self.depth -= 1;
                                if on_x {
                                    self.extended = true;
                                }
                                if off_x {
                                    self.extended = false;
                                }
                                let kept = flags.replace('x', "");
                                return Ok(if kept.trim_matches('-').is_empty() {
                                    Node::Empty
                                } else {
                                    Node::Flags(kept)
                                });
                            }
                            Some(':') => {
                                self.pos += 1;
                                if on_x {
                                    self.extended = true;
                                }
                                if off_x {
                                    self.extended = false;
                                }
                                GroupKind::NonCapture(flags.replace('x', ""))
                            }
                            _ => return Err(self.error(
                                ErrorKind::InvalidRegex,
                                "unsupported group syntax (expected flags such as (?i) or (?i:…))",
                            )),
                        }
                    }
                    _ => {
                        return Err(self.error(
                            ErrorKind::InvalidRegex,
                            "unsupported or invalid group syntax '(?'",
                        ))
                    }
                }
            } else {
                GroupKind::NonCapture(String::new())
            };
        let node = self.alternation()?;
        self.extended = saved_extended;
        if self.peek() != Some(')') {
            return Err(self.error_at(
                ErrorKind::InvalidRegex,
                "unclosed group: missing ')'",
                open,
            ));
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(Node::Group(Box::new(Group { kind, node })))
    }

    fn hex_escape(&mut self, open_brace: bool, max_digits: usize) -> Result<char, Error> {
        let start = self.pos;
        let mut digits = String::new();
        if open_brace {
            self.pos += 1;
            while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                digits.push(self.peek().unwrap_or('0'));
                self.pos += 1;
            }
            if self.peek() != Some('}') || digits.is_empty() || digits.len() > 8 {
                return Err(self.error_at(ErrorKind::InvalidRegex, "invalid \\x{…} escape", start));
            }
            self.pos += 1;
        } else {
            while digits.len() < max_digits && self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                digits.push(self.peek().unwrap_or('0'));
                self.pos += 1;
            }
            if digits.is_empty() {
                return Err(self.error_at(
                    ErrorKind::InvalidRegex,
                    "invalid hexadecimal escape",
                    start,
                ));
            }
        }
        let code = u32::from_str_radix(&digits, 16).unwrap_or(u32::MAX);
        if !open_brace && max_digits == 2 && code >= 0x80 {
            return Err(self.error_at(
                ErrorKind::InvalidRegex,
                "\\x escapes above \\x7F denote raw bytes, which a UTF-8 pattern cannot match; use \\x{…} or \\u",
                start,
            ));
        }
        char::from_u32(code)
            .ok_or_else(|| self.error_at(ErrorKind::InvalidRegex, "invalid code point", start))
    }

    /// Parses an escape after the backslash, common to classes and the top level.
    /// Returns a literal char, or `None` when the escape is not a literal.
    fn literal_escape(&mut self, c: char) -> Result<Option<char>, Error> {
        Ok(Some(match c {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'f' => '\x0c',
            'v' => '\x0b',
            'e' => '\x1b',
            'a' => '\x07',
            'x' => {
                let brace = self.peek() == Some('{');
                return self.hex_escape(brace, 2).map(Some);
            }
            'u' => {
                let brace = self.peek() == Some('{');
                return self.hex_escape(brace, 4).map(Some);
            }
            '0' => {
                let mut code = 0u32;
                let mut n = 0;
                while n < 2 && self.peek().is_some_and(|c| ('0'..='7').contains(&c)) {
                    code = code * 8 + self.peek().and_then(|c| c.to_digit(8)).unwrap_or(0);
                    self.pos += 1;
                    n += 1;
                }
                char::from_u32(code).unwrap_or('\0')
            }
            c if c.is_ascii_alphanumeric() => return Ok(None),
            c => c,
        }))
    }

    fn escape(&mut self) -> Result<Node, Error> {
        let start = self.pos;
        self.pos += 1;
        let Some(c) = self.peek() else {
            return Err(self.error_at(ErrorKind::InvalidRegex, "trailing backslash", start));
        };
        self.pos += 1;
        let perl = |kind, negated| Ok(Node::Class(Class::perl(kind, negated)));
        match c {
            'd' => perl(Perl::Digit, false),
            'D' => perl(Perl::Digit, true),
            'w' => perl(Perl::Word, false),
            'W' => perl(Perl::Word, true),
            's' => perl(Perl::Space, false),
            'S' => perl(Perl::Space, true),
            'h' => perl(Perl::Hex, false),
            'H' => perl(Perl::Hex, true),
            'b' => Ok(Node::Assert(Assert::WordBoundary)),
            'B' => Ok(Node::Assert(Assert::NotWordBoundary)),
            'A' => Ok(Node::Assert(Assert::TextStart)),
            'z' => Ok(Node::Assert(Assert::TextEnd)),
            'Z' => Ok(Node::Assert(Assert::TextEndNewline)),
            'G' => Ok(Node::Assert(Assert::SearchStart)),
            'p' | 'P' => {
                let prop = self.property(c, start)?;
                Ok(Node::Class(Class {
                    negated: false,
                    items: vec![ClassItem::Property(prop)],
                }))
            }
            '1'..='9' => {
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
                Ok(Node::ExactOnly(
                    self.chars[start..self.pos].iter().collect(),
                ))
            }
            'k' | 'g' if matches!(self.peek(), Some('<' | '\'')) => {
                let close = if self.peek() == Some('<') { '>' } else { '\'' };
                while self.peek().is_some_and(|c| c != close) {
                    self.pos += 1;
                }
                if self.peek() != Some(close) {
                    return Err(self.error_at(
                        ErrorKind::InvalidRegex,
                        "unterminated group reference",
                        start,
                    ));
                }
                self.pos += 1;
                Ok(Node::ExactOnly(
                    self.chars[start..self.pos].iter().collect(),
                ))
            }
            'K' | 'R' | 'X' => Ok(Node::ExactOnly(format!("\\{c}"))),
            _ => match self.literal_escape(c)? {
                Some(lit) => Ok(Node::Literal(lit)),
                None => Err(self.error_at(
                    ErrorKind::InvalidRegex,
                    format!("unknown escape \\{c}"),
                    start,
                )),
            },
        }
    }

    fn property(&mut self, c: char, start: usize) -> Result<String, Error> {
        if self.peek() != Some('{') {
            return Err(self.error_at(ErrorKind::InvalidRegex, "expected '{' after \\p", start));
        }
        let body_start = self.pos + 1;
        while self.peek().is_some_and(|c| c != '}') {
            self.pos += 1;
        }
        if self.peek() != Some('}') {
            return Err(self.error_at(ErrorKind::InvalidRegex, "unterminated \\p{…}", start));
        }
        let body: String = self.chars[body_start..self.pos].iter().collect();
        self.pos += 1;
        let (negate, name) = match body.strip_prefix('^') {
            Some(rest) => (c == 'p', rest.to_string()),
            None => (c == 'P', body),
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ' ' | '-'))
        {
            return Err(self.error_at(
                ErrorKind::InvalidRegex,
                "invalid Unicode property name",
                start,
            ));
        }
        Ok(format!("\\{}{{{name}}}", if negate { 'P' } else { 'p' }))
    }

    /// Parses a bracket class; the cursor is just past `[`.
    fn class(&mut self, open: usize) -> Result<Class, Error> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error_at(
                ErrorKind::SizeLimit { limit: MAX_NESTING },
                format!("classes nested deeper than the limit of {MAX_NESTING}"),
                open,
            ));
        }
        let negated = if self.peek() == Some('^') {
            self.pos += 1;
            true
        } else {
            false
        };
        let mut items: Vec<ClassItem> = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error_at(
                    ErrorKind::InvalidRegex,
                    "unclosed character class: missing ']'",
                    open,
                ));
            };
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            if c == '&' && self.peek_at(1) == Some('&') {
                self.pos += 2;
                let rest = self.class_rest(open)?;
                let left = std::mem::take(&mut items);
                items.push(ClassItem::Intersect(left, rest));
                break;
            }
            first = false;
            if c == '[' && self.peek_at(1) == Some(':') {
                if let Some(item) = self.posix()? {
                    items.push(item);
                    continue;
                }
            }
            if c == '[' {
                let start = self.pos;
                self.pos += 1;
                items.push(ClassItem::Nested(self.class(start)?));
                continue;
            }
            let lo = match self.class_char()? {
                Ok(ch) => ch,
                Err(item) => {
                    items.push(item);
                    continue;
                }
            };
            if self.peek() == Some('-')
                && self.peek_at(1).is_some_and(|c| c != ']')
                && self.peek_at(1) != Some('[')
            {
                let save = self.pos;
                self.pos += 1;
                match self.class_char()? {
                    Ok(hi) if hi >= lo => {
                        items.push(ClassItem::Range(lo, hi));
                        continue;
                    }
                    Ok(_) => {
                        return Err(self.error_at(
                            ErrorKind::InvalidRegex,
                            "empty range in character class",
                            save,
                        ));
                    }
                    Err(_) => {
                        // `[a-\d]`: the dash is literal.
                        self.pos = save;
                    }
                }
            }
            items.push(ClassItem::Range(lo, lo));
        }
        self.depth -= 1;
        Ok(Class { negated, items })
    }

    /// The right-hand side of `&&`: the rest of the class up to `]`.
    fn class_rest(&mut self, open: usize) -> Result<Class, Error> {
        // Parse the rest as if it were a class of its own; it consumes the `]`.
        self.depth -= 1;
        let rest = self.class(open)?;
        self.depth += 1;
        Ok(rest)
    }

    fn posix(&mut self) -> Result<Option<ClassItem>, Error> {
        let start = self.pos;
        let mut i = self.pos + 2;
        let negated = self.chars.get(i) == Some(&'^');
        if negated {
            i += 1;
        }
        let name_start = i;
        while self.chars.get(i).is_some_and(char::is_ascii_lowercase) {
            i += 1;
        }
        if self.chars.get(i) != Some(&':') || self.chars.get(i + 1) != Some(&']') {
            return Ok(None);
        }
        let name: String = self.chars[name_start..i].iter().collect();
        const KNOWN: &[&str] = &[
            "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print",
            "punct", "space", "upper", "word", "xdigit",
        ];
        if !KNOWN.contains(&name.as_str()) {
            return Err(self.error_at(
                ErrorKind::InvalidRegex,
                format!("unknown POSIX class [:{name}:]"),
                start,
            ));
        }
        self.pos = i + 2;
        Ok(Some(ClassItem::Posix(name, negated)))
    }

    /// One class member: `Ok(char)` for a literal, `Err(item)` for a class escape.
    fn class_char(&mut self) -> Result<Result<char, ClassItem>, Error> {
        let Some(c) = self.peek() else {
            return Err(self.error(
                ErrorKind::InvalidRegex,
                "unclosed character class: missing ']'",
            ));
        };
        self.pos += 1;
        if c != '\\' {
            return Ok(Ok(c));
        }
        let start = self.pos - 1;
        let Some(e) = self.peek() else {
            return Err(self.error_at(ErrorKind::InvalidRegex, "trailing backslash", start));
        };
        self.pos += 1;
        let perl = |kind, negated| Ok(Err(ClassItem::Perl(kind, negated)));
        match e {
            'd' => perl(Perl::Digit, false),
            'D' => perl(Perl::Digit, true),
            'w' => perl(Perl::Word, false),
            'W' => perl(Perl::Word, true),
            's' => perl(Perl::Space, false),
            'S' => perl(Perl::Space, true),
            'h' => perl(Perl::Hex, false),
            'H' => perl(Perl::Hex, true),
            'b' => Ok(Ok('\x08')),
            'p' | 'P' => Ok(Err(ClassItem::Property(self.property(e, start)?))),
            _ => match self.literal_escape(e)? {
                Some(lit) => Ok(Ok(lit)),
                None => Err(self.error_at(
                    ErrorKind::InvalidRegex,
                    format!("unknown escape \\{e} in class"),
                    start,
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references_with_fields_and_types() {
        let node = parse("%{NUMBER:bytes:int} %{IP}").unwrap();
        let Node::Concat(items) = node else {
            panic!("expected a concatenation")
        };
        let Node::Ref(r) = &items[0] else {
            panic!("expected a reference")
        };
        assert_eq!(
            (r.name.as_str(), r.field.as_deref(), r.ty),
            ("NUMBER", Some("bytes"), Some(FieldType::Int))
        );
        let Node::Ref(r) = &items[2] else {
            panic!("expected a reference")
        };
        assert_eq!(
            (r.name.as_str(), r.field.as_deref(), r.offset),
            ("IP", None, 20)
        );
    }

    #[test]
    fn tolerates_upstream_field_typos() {
        let Node::Ref(r) = parse("%{POSINT:[apache][error][code]?}").unwrap() else {
            panic!()
        };
        assert_eq!(r.field.as_deref(), Some("[apache][error][code]"));
        let Node::Ref(r) = parse("%{DATA:[source][user][name?]}").unwrap() else {
            panic!()
        };
        assert_eq!(r.field.as_deref(), Some("[source][user][name"));
    }

    #[test]
    fn literal_percent_before_reference() {
        let Node::Concat(items) = parse("%%{WORD:tag}").unwrap() else {
            panic!()
        };
        assert_eq!(items[0], Node::Literal('%'));
        assert!(matches!(&items[1], Node::Ref(r) if r.name == "WORD"));
    }

    #[test]
    fn unescaped_brace_is_literal() {
        let Node::Concat(items) = parse("a{%{DATA:p}}").unwrap() else {
            panic!()
        };
        assert_eq!(items[1], Node::Literal('{'));
        assert_eq!(items[3], Node::Literal('}'));
        assert!(matches!(parse("a{2,3}").unwrap(), Node::Repeat(_)));
    }

    #[test]
    fn reports_malformed_references_with_offsets() {
        let err = parse("foo %{IP:client").unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::MalformedReference);
        assert_eq!(err.offset(), Some(4));
        let err = parse("%{}").unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::MalformedReference);
        let err = parse("%{IP:x:integr}").unwrap_err();
        assert_eq!(
            err.kind(),
            &ErrorKind::UnknownType {
                name: "integr".into()
            }
        );
    }

    #[test]
    fn reports_invalid_regex_with_offsets() {
        for (text, offset) in [
            ("ab(c", 2),
            ("a)b", 1),
            ("[abc", 0),
            ("*a", 0),
            ("a\\", 1),
            ("[z-a]", 2),
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.kind(), &ErrorKind::InvalidRegex, "{text}");
            assert_eq!(err.offset(), Some(offset), "{text}: {err}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "(".repeat(10_000) + &")".repeat(10_000);
        let err = parse(&text).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::SizeLimit { limit: MAX_NESTING });
    }

    #[test]
    fn lookarounds_atomic_and_flags() {
        let node = parse("(?<![0-9])(?>\\d\\d)(?i:x)(?=y)").unwrap();
        let Node::Concat(items) = node else { panic!() };
        assert!(
            matches!(&items[0], Node::Group(g) if g.kind == GroupKind::Look { ahead: false, negate: true })
        );
        assert!(matches!(&items[1], Node::Group(g) if g.kind == GroupKind::Atomic));
        assert!(matches!(&items[2], Node::Group(g) if g.kind == GroupKind::NonCapture("i".into())));
        assert!(
            matches!(&items[3], Node::Group(g) if g.kind == GroupKind::Look { ahead: true, negate: false })
        );
    }
}
