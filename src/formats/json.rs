//! JSON for `vercel.json` and `firebase.json`: a small syntax tree with the byte range of every
//! key and value, lookups that behave like `JSON.parse` (the last of repeated keys wins), and
//! syntax errors as [`Problem`]s at the exact byte with what was found and what was expected.
//!
//! How strict each platform is (this decides what is a syntax error):
//!
//! * Vercel reads `vercel.json` with `JSON.parse` (`packages/cli/src/util/read-json-file.ts`:
//!   `fs.readFile(file, 'utf8')` then `JSON.parse(content)`, else `CantParseJSONFile`). So:
//!   no comments, no trailing commas, no byte order mark, only space / tab / CR / LF between
//!   tokens, no raw control characters inside strings.
//! * firebase-tools loads `firebase.json` with `cjson` (`src/loadCJSON.ts`), which removes `//`
//!   and `/* */` comments and then parses strict JSON: comments are accepted (real configs use
//!   them, e.g. angular/components `docs/firebase.json`), trailing commas are not. A leading
//!   byte order mark is skipped: whether cjson accepts one is unverified, and reporting a file
//!   Firebase may accept would be worse than missing that one error.
//!
//! jsonc-parser (with every JSON5 extension turned off) does the parsing; what it is more
//! lenient about than `JSON.parse` (Unicode whitespace, control characters in strings,
//! leading zeros) is checked here on its token list.

use std::ops::Range;

use jsonc_parser::ast;
use jsonc_parser::errors::ParseErrorKind;
use jsonc_parser::tokens::Token;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions};

use crate::model::{Problem, ProblemKind};
use crate::source::{FileId, Span};

/// Which JSON dialect a file is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// `//` and `/* */` comments are accepted (firebase.json).
    pub comments: bool,
    /// A leading byte order mark is skipped (firebase.json).
    pub bom: bool,
    /// Who reads the file, for messages: `Vercel`, `the Firebase CLI`.
    pub reader: &'static str,
}

/// The dialect of `vercel.json` / `now.json`: `JSON.parse`.
pub const VERCEL: Dialect = Dialect {
    comments: false,
    bom: false,
    reader: "Vercel",
};

/// The dialect of `firebase.json`: JSON with comments (cjson).
pub const FIREBASE: Dialect = Dialect {
    comments: true,
    bom: true,
    reader: "the Firebase CLI",
};

/// One JSON value with its byte range in the file (for strings: including the quotes).
#[derive(Debug, Clone)]
pub struct Json {
    pub value: Value,
    pub range: Range<usize>,
}

#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number as written (validated as a JSON number).
    Number(String),
    /// The decoded string; `raw_escaped` tells whether the text between the quotes differs
    /// from it (escapes), so that offsets into the value need mapping.
    String {
        text: String,
        raw_escaped: bool,
    },
    Array(Vec<Json>),
    Object(Vec<Member>),
}

/// `"key": value`.
#[derive(Debug, Clone)]
pub struct Member {
    pub key: String,
    /// The key token, quotes included.
    pub key_range: Range<usize>,
    pub value: Json,
}

impl Member {
    /// From the key's opening quote to the end of the value.
    pub fn range(&self) -> Range<usize> {
        self.key_range.start..self.value.range.end
    }
}

impl Json {
    /// The member named `key` of an object (the last one, as `JSON.parse` keeps it).
    pub fn get(&self, key: &str) -> Option<&Member> {
        self.members().iter().rev().find(|m| m.key == key)
    }

    /// The value of member `key`.
    pub fn field(&self, key: &str) -> Option<&Json> {
        self.get(key).map(|m| &m.value)
    }

    /// An object's members in file order (empty for other values).
    pub fn members(&self) -> &[Member] {
        match &self.value {
            Value::Object(members) => members,
            _ => &[],
        }
    }

    /// Members with duplicates removed (the last of each key kept, at its own position).
    pub fn unique_members(&self) -> Vec<&Member> {
        let members = self.members();
        members
            .iter()
            .enumerate()
            .filter(|(i, m)| !members[i + 1..].iter().any(|later| later.key == m.key))
            .map(|(_, m)| m)
            .collect()
    }

    pub fn is_object(&self) -> bool {
        matches!(self.value, Value::Object(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The number, if it is one (`JSON.parse` semantics: `1e2` is 100).
    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number(raw) => raw.parse().ok(),
            _ => None,
        }
    }

    /// The number if it is an integer that fits (`301`, `3.01e2`).
    pub fn as_integer(&self) -> Option<i64> {
        let n = self.as_f64()?;
        (n.fract() == 0.0 && n.abs() < 1e15).then_some(n as i64)
    }

    /// "a string", "an array", ... for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String { .. } => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// The whole value (strings: with the quotes).
    pub fn span(&self, file: FileId) -> Span {
        Span::new(file, self.range.clone())
    }

    /// For strings, the text between the quotes (so that a `*` is highlighted exactly);
    /// for other values, the whole value.
    pub fn inner_span(&self, file: FileId) -> Span {
        match &self.value {
            Value::String { .. } if self.range.len() >= 2 => {
                Span::new(file, self.range.start + 1..self.range.end - 1)
            }
            _ => self.span(file),
        }
    }

    /// The span of byte `offset` of a string's decoded value (escapes accounted for), one
    /// character wide; the whole string when the offset is past its end.
    pub fn offset_span(&self, file: FileId, source: &str, offset: usize) -> Span {
        let Value::String { text, raw_escaped } = &self.value else {
            return self.span(file);
        };
        if self.range.len() < 2 || offset >= text.len() {
            return self.inner_span(file);
        }
        let raw_start = self.range.start + 1;
        let raw = source.get(raw_start..self.range.end - 1).unwrap_or("");
        if !raw_escaped {
            let width = text[offset..].chars().next().map_or(1, char::len_utf8);
            let start = floor_boundary(text, offset);
            return Span::new(file, raw_start + start..raw_start + start + width);
        }
        // Walk the raw text, counting decoded bytes.
        let mut decoded = 0usize;
        let bytes = raw.as_bytes();
        let mut i = 0usize;
        while i < bytes.len() {
            let (raw_len, decoded_len) = if bytes[i] == b'\\' {
                match bytes.get(i + 1) {
                    Some(b'u') => {
                        let hex = raw.get(i + 2..i + 6).unwrap_or("");
                        let unit = u32::from_str_radix(hex, 16).unwrap_or(0);
                        let len = match unit {
                            0..=0x7f => 1,
                            0x80..=0x7ff => 2,
                            // A high surrogate and its low half make one 4-byte character.
                            0xd800..=0xdbff => 4,
                            0xdc00..=0xdfff => 0,
                            _ => 3,
                        };
                        (6, len)
                    }
                    _ => (2, 1),
                }
            } else {
                let w = raw[i..].chars().next().map_or(1, char::len_utf8);
                (w, w)
            };
            if decoded + decoded_len > offset {
                return Span::new(file, raw_start + i..raw_start + i + raw_len);
            }
            decoded += decoded_len;
            i += raw_len.max(1);
        }
        self.inner_span(file)
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Parses a whole file. `Ok(None)` for a file with nothing but whitespace (and comments).
pub fn parse(file: FileId, text: &str, dialect: Dialect) -> Result<Option<Json>, Problem> {
    let base = if dialect.bom && text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let body = &text[base..];
    if let Some(problem) = check_bom(file, text, base, dialect) {
        return Err(problem);
    }
    let parse_options = ParseOptions {
        allow_comments: dialect.comments,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let collect = CollectOptions {
        comments: if dialect.comments {
            CommentCollectionStrategy::AsTokens
        } else {
            CommentCollectionStrategy::Off
        },
        tokens: true,
    };
    let result = match jsonc_parser::parse_to_ast(body, &collect, &parse_options) {
        Ok(result) => result,
        Err(err) => return Err(syntax_problem(file, text, base, &err, dialect)),
    };
    if let Some(tokens) = &result.tokens
        && let Some(problem) = check_tokens(file, text, base, tokens, dialect)
    {
        return Err(problem);
    }
    Ok(result.value.as_ref().map(|v| convert(v, base, body)))
}

/// A syntax problem at `range` (file offsets).
pub fn syntax(file: FileId, range: Range<usize>, message: String, help: Option<&str>) -> Problem {
    Problem {
        kind: ProblemKind::Syntax,
        span: Span::new(file, range),
        message,
        help: help.map(str::to_string),
    }
}

fn check_bom(file: FileId, text: &str, base: usize, dialect: Dialect) -> Option<Problem> {
    if base == 0 && text.starts_with('\u{feff}') {
        return Some(syntax(
            file,
            0..3,
            format!(
                "found a byte order mark (BOM) before the JSON: {} reads this file with \
                 `JSON.parse`, which rejects it",
                dialect.reader
            ),
            Some("Save the file as UTF-8 without a byte order mark"),
        ));
    }
    None
}

/// What `JSON.parse` rejects and jsonc-parser lets through: whitespace other than space,
/// tab, CR and LF; raw control characters in strings; malformed numbers.
fn check_tokens(
    file: FileId,
    text: &str,
    base: usize,
    tokens: &[jsonc_parser::tokens::TokenAndRange],
    dialect: Dialect,
) -> Option<Problem> {
    let body = &text[base..];
    let mut previous_end = 0usize;
    for token in tokens.iter().map(Some).chain(std::iter::once(None)) {
        let gap_end = token.map_or(body.len(), |t| t.range.start);
        let gap = body.get(previous_end..gap_end).unwrap_or("");
        if let Some((i, c)) = gap
            .char_indices()
            .find(|&(_, c)| !matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            let at = base + previous_end + i;
            return Some(syntax(
                file,
                at..at + c.len_utf8(),
                format!(
                    "found the character U+{:04X} between values, expected a value, `,`, `:`, \
                     `}}` or `]`: JSON allows only spaces, tabs and line breaks here, and {} \
                     rejects the file",
                    c as u32, dialect.reader
                ),
                Some("Replace it with a plain space"),
            ));
        }
        let Some(token) = token else { break };
        previous_end = token.range.end;
        let raw = body.get(token.range.start..token.range.end).unwrap_or("");
        match &token.token {
            Token::String(_) => {
                if let Some((i, c)) = raw.char_indices().find(|&(_, c)| (c as u32) < 0x20) {
                    let at = base + token.range.start + i;
                    let shown = match c {
                        '\n' => "a line break".to_string(),
                        '\t' => "a tab".to_string(),
                        _ => format!("the control character U+{:04X}", c as u32),
                    };
                    return Some(syntax(
                        file,
                        at..at + 1,
                        format!(
                            "found {shown} inside a string, expected `\"` to close it or an \
                             escape such as `\\n` or `\\t`: JSON strings cannot contain raw \
                             control characters"
                        ),
                        Some("Write the character as an escape (`\\n`, `\\t`)"),
                    ));
                }
            }
            Token::Number(_) if !is_json_number(raw) => {
                let at = base + token.range.start;
                return Some(syntax(
                    file,
                    at..at + raw.len().max(1),
                    format!(
                        "found the number `{raw}`, expected a JSON number (no leading zeros, \
                         digits on both sides of `.`)"
                    ),
                    None,
                ));
            }
            _ => {}
        }
    }
    None
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
fn is_json_number(raw: &str) -> bool {
    let b = raw.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

fn convert(value: &ast::Value, base: usize, body: &str) -> Json {
    let shift = |r: jsonc_parser::common::Range| r.start + base..r.end + base;
    match value {
        ast::Value::StringLit(s) => Json {
            value: string_value(s, body),
            range: shift(s.range),
        },
        ast::Value::NumberLit(n) => Json {
            value: Value::Number(n.value.to_string()),
            range: shift(n.range),
        },
        ast::Value::BooleanLit(b) => Json {
            value: Value::Bool(b.value),
            range: shift(b.range),
        },
        ast::Value::NullKeyword(n) => Json {
            value: Value::Null,
            range: shift(n.range),
        },
        ast::Value::Array(a) => Json {
            value: Value::Array(a.elements.iter().map(|e| convert(e, base, body)).collect()),
            range: shift(a.range),
        },
        ast::Value::Object(o) => Json {
            value: Value::Object(
                o.properties
                    .iter()
                    .map(|p| {
                        let (key, key_range) = match &p.name {
                            ast::ObjectPropName::String(s) => (s.value.to_string(), s.range),
                            ast::ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                        };
                        Member {
                            key,
                            key_range: shift(key_range),
                            value: convert(&p.value, base, body),
                        }
                    })
                    .collect(),
            ),
            range: shift(o.range),
        },
    }
}

fn string_value(s: &ast::StringLit, body: &str) -> Value {
    let raw = body
        .get(s.range.start + 1..s.range.end.saturating_sub(1))
        .unwrap_or("");
    Value::String {
        text: s.value.to_string(),
        raw_escaped: raw != s.value,
    }
}

/// The error as a problem: at the byte, saying what was found and what was expected.
fn syntax_problem(
    file: FileId,
    text: &str,
    base: usize,
    err: &jsonc_parser::errors::ParseError,
    dialect: Dialect,
) -> Problem {
    let range = err.range();
    let mut start = (range.start + base).min(text.len());
    let end = (range.end + base).min(text.len());
    if matches!(err.kind(), ParseErrorKind::ExpectedComma) {
        // jsonc-parser points after the previous value; the culprit is the next token.
        start += text[start..].len() - text[start..].trim_start().len();
    }
    let found = found_at(text, start);
    use ParseErrorKind as K;
    let (message, help): (String, Option<&str>) = match err.kind() {
        K::CommentsNotAllowed => (
            format!(
                "found a comment, expected a JSON value: {} reads this file with `JSON.parse`, \
                 which does not accept comments",
                dialect.reader
            ),
            Some("Remove the comment; write notes in another file"),
        ),
        K::TrailingCommasNotAllowed => (
            format!(
                "found a trailing `,` before the closing bracket, expected another value: \
                 JSON does not allow trailing commas, and {} rejects the file",
                dialect.reader
            ),
            Some("Remove the comma"),
        ),
        K::ExpectedComma => (
            format!("found {found}, expected `,` between the values"),
            Some("Add the missing comma"),
        ),
        K::ExpectedColonAfterObjectKey => (
            format!("found {found}, expected `:` after the property name"),
            None,
        ),
        K::ExpectedObjectValue => (format!("found {found}, expected a value after `:`"), None),
        K::ExpectedStringObjectProperty | K::UnexpectedTokenInObject => (
            format!(
                "found {found}, expected a property name in double quotes or `}}` (JSON \
                 property names must be quoted)"
            ),
            None,
        ),
        K::UnterminatedObject => (
            format!("found {found}, expected `}}` to close the object opened here"),
            None,
        ),
        K::UnterminatedArray => (
            format!("found {found}, expected `]` to close the array opened here"),
            None,
        ),
        K::UnterminatedCommentBlock => (
            "found a `/*` comment that is never closed, expected `*/`".to_string(),
            None,
        ),
        K::MultipleRootJsonValues => (
            format!("found {found} after the end of the JSON value, expected the end of the file"),
            Some("A JSON file holds one value: remove what follows it"),
        ),
        K::SingleQuotedStringsNotAllowed => (
            "found a single-quoted string, expected a string in double quotes".to_string(),
            None,
        ),
        K::HexadecimalNumbersNotAllowed
        | K::UnaryPlusNumbersNotAllowed
        | K::BareDecimalPointNumbersNotAllowed
        | K::NonFiniteNumbersNotAllowed
        | K::ExpectedDigit
        | K::ExpectedDigitFollowingNegativeSign
        | K::ExpectedPlusMinusOrDigitInNumberLiteral => (
            format!("found {found}, expected a JSON number ({})", err.kind()),
            None,
        ),
        K::String(kind) => (
            format!("found {found} in a string, expected a valid string ({kind})"),
            None,
        ),
        K::NestingDepthExceeded => (
            "found values nested more than 512 levels deep: corslint does not read deeper"
                .to_string(),
            None,
        ),
        K::UnexpectedCloseBrace
        | K::UnexpectedCloseBracket
        | K::UnexpectedColon
        | K::UnexpectedComma
        | K::UnexpectedToken
        | K::UnexpectedWord => (
            format!(
                "found {found}, expected a JSON value (an object, array, string, number, `true`, `false` or `null`)"
            ),
            None,
        ),
        other => (format!("found {found}: {other}"), None),
    };
    let end = end.max(start + found_len(text, start));
    syntax(file, start..end.min(text.len()).max(start), message, help)
}

/// "`x`", "the word `foo`", "the end of the file".
fn found_at(text: &str, at: usize) -> String {
    let rest = text.get(at..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return "the end of the file".to_string();
    };
    if c.is_alphanumeric() || c == '_' || c == '$' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '-' | '.'))
            .take(40)
            .collect();
        return format!("`{word}`");
    }
    match c {
        '"' => "a string".to_string(),
        '\'' => "`'`".to_string(),
        '\n' | '\r' => "a line break".to_string(),
        c if (c as u32) < 0x20 => format!("the control character U+{:04X}", c as u32),
        '`' => "a backtick".to_string(),
        c => format!("`{c}`"),
    }
}

fn found_len(text: &str, at: usize) -> usize {
    text.get(at..)
        .and_then(|r| r.chars().next())
        .map_or(0, char::len_utf8)
}

/// A configuration problem (a shape the platform rejects) at `span`.
pub fn config(span: Span, message: impl Into<String>, help: Option<&str>) -> Problem {
    Problem {
        kind: ProblemKind::Config,
        span,
        message: message.into(),
        help: help.map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: FileId = FileId(0);

    fn ok(text: &str, dialect: Dialect) -> Json {
        parse(F, text, dialect)
            .unwrap_or_else(|p| panic!("{}", p.message))
            .expect("a value")
    }

    fn err(text: &str, dialect: Dialect) -> Problem {
        match parse(F, text, dialect) {
            Err(p) => p,
            Ok(v) => panic!("parsed: {v:?}"),
        }
    }

    #[test]
    fn members_have_ranges_and_the_last_duplicate_wins() {
        let text = r#"{"a": "x", "b": [1, true, null], "a": "y"}"#;
        let json = ok(text, VERCEL);
        let a = json.get("a").unwrap();
        assert_eq!(a.value.as_str(), Some("y"));
        assert_eq!(&text[a.key_range.clone()], r#""a""#);
        assert_eq!(&text[a.value.range.clone()], r#""y""#);
        assert_eq!(&text[a.range()], r#""a": "y""#);
        let inner = a.value.inner_span(F);
        assert_eq!(&text[inner.range()], "y");
        assert_eq!(json.unique_members().len(), 2);
        assert_eq!(json.field("b").unwrap().as_array().unwrap().len(), 3);
    }

    #[test]
    fn offsets_inside_strings_account_for_escapes() {
        let text = r#"{"s": "/a\u0062/*", "t": "/api/*"}"#;
        let json = ok(text, VERCEL);
        let s = json.field("s").unwrap();
        assert_eq!(s.as_str(), Some("/ab/*"));
        // Byte 4 of "/ab/*" is the `*`.
        assert_eq!(&text[s.offset_span(F, text, 4).range()], "*");
        assert_eq!(&text[s.offset_span(F, text, 2).range()], "\\u0062");
        let t = json.field("t").unwrap();
        assert_eq!(&text[t.offset_span(F, text, 5).range()], "*");
    }

    #[test]
    fn empty_and_whitespace_only_files_have_no_value() {
        assert!(parse(F, "", VERCEL).unwrap().is_none());
        assert!(parse(F, "  \n", VERCEL).unwrap().is_none());
        assert!(parse(F, "// nothing\n", FIREBASE).unwrap().is_none());
    }

    #[test]
    fn comments_are_firebase_only() {
        let text = "{\n  // note\n  \"a\": 1 /* x */\n}";
        assert_eq!(ok(text, FIREBASE).field("a").unwrap().as_integer(), Some(1));
        let p = err(text, VERCEL);
        assert_eq!(p.kind, ProblemKind::Syntax);
        assert_eq!(&text[p.span.range()][..2], "//");
        assert!(p.message.contains("comment"), "{}", p.message);
    }

    #[test]
    fn trailing_commas_are_rejected_at_the_comma() {
        for dialect in [VERCEL, FIREBASE] {
            let text = "{\"a\": [1, 2,]}";
            let p = err(text, dialect);
            assert_eq!(p.span.start, 11);
            assert!(p.message.contains("trailing"), "{}", p.message);
        }
    }

    #[test]
    fn missing_comma_points_at_the_next_token() {
        let text = "{\"a\": 1\n  \"b\": 2}";
        let p = err(text, VERCEL);
        assert_eq!(p.span.start, 10);
        assert!(
            p.message.contains("found a string, expected `,`"),
            "{}",
            p.message
        );
    }

    #[test]
    fn unterminated_and_unexpected_say_what_was_found() {
        let p = err("{\"a\": 1", VERCEL);
        assert!(p.message.contains("expected `}`"), "{}", p.message);
        let p = err("{\"a\" 1}", VERCEL);
        assert!(
            p.message.contains("found `1`, expected `:`"),
            "{}",
            p.message
        );
        let p = err("{a: 1}", VERCEL);
        assert_eq!(p.span.start, 1);
        assert!(p.message.contains("property name"), "{}", p.message);
        let p = err("{} {}", VERCEL);
        assert!(p.message.contains("after the end"), "{}", p.message);
        let p = err("{'a': 1}", VERCEL);
        assert!(p.message.contains("single-quoted"), "{}", p.message);
    }

    #[test]
    fn json_parse_strictness_is_kept() {
        let p = err("{\"a\": \"x\ty\"}", VERCEL);
        assert_eq!(p.span.start, 8);
        assert!(p.message.contains("tab"), "{}", p.message);
        let p = err("{\"a\":\u{a0}1}", VERCEL);
        assert_eq!(p.span.start, 5);
        // A leading zero: the `0` is a whole number, the `1` is a second value.
        let p = err("{\"a\": 01}", VERCEL);
        assert_eq!(p.span.start, 7, "{}", p.message);
        for bad in ["{\"a\": +1}", "{\"a\": .5}", "{\"a\": 0x1}", "{\"a\": NaN}"] {
            err(bad, VERCEL);
        }
        assert!(is_json_number("-0.5e+10"));
        assert!(!is_json_number("1."));
    }

    #[test]
    fn byte_order_mark_is_vercel_error_and_skipped_for_firebase() {
        let text = "\u{feff}{\"a\": 1}";
        let p = err(text, VERCEL);
        assert_eq!(p.span.range(), 0..3);
        let json = ok(text, FIREBASE);
        let a = json.get("a").unwrap();
        assert_eq!(&text[a.key_range.clone()], "\"a\"");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(10_000) + &"]".repeat(10_000);
        let p = err(&text, VERCEL);
        assert!(p.message.contains("nested"), "{}", p.message);
    }

    #[test]
    fn numbers_and_types() {
        let json = ok(r#"{"n": 3.01e2, "f": 1.5, "s": "x"}"#, VERCEL);
        assert_eq!(json.field("n").unwrap().as_integer(), Some(301));
        assert_eq!(json.field("f").unwrap().as_integer(), None);
        assert_eq!(json.field("s").unwrap().type_name(), "a string");
    }
}
