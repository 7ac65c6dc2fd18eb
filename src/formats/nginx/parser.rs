//! Tokenizer and parser for nginx configuration files.
//!
//! The token rules follow nginx's own `ngx_conf_read_token`:
//!
//! * whitespace is space, tab, CR and LF; an unquoted token ends at
//!   whitespace, `;` or `{`;
//! * `}` closes a block only at the start of a token; inside a bare word it is
//!   an ordinary character (`${var}`, `/a/${uri}`, `${a}${b}`), and a `{`
//!   right after `$` (or after such a `{`) does not end the word;
//! * `#` starts a comment only at the start of a token (`foo#bar` is a word);
//! * a backslash escapes the next character, which never ends the token;
//! * `"..."` and `'...'` open only at the start of a token, may span lines,
//!   and must be followed by whitespace, `;`, `{` or `)`;
//! * every word is unescaped the way nginx does it (see
//!   [`Word::value`](super::syntax::Word::value)).
//!
//! On top of that, the body of a `*_by_lua_block` directive (OpenResty) is
//! scanned as Lua to find its closing brace, and kept raw.
//!
//! Token-level pieces (whitespace, comments, quoted strings, bare words) are
//! nom parsers over the remaining text (a token's offset is the text's length
//! minus what remains); block nesting is handled by a loop with
//! an explicit stack, so nothing here recurses and the depth is bounded by
//! [`MAX_DEPTH`]. The whole parse is linear in the size of the text.

use compact_str::CompactString;
use nom::character::complete::char;
use nom::error::{Error, ErrorKind};
use nom::{IResult, Parser};

use super::syntax::{Block, ByteRange, Comment, Config, Directive, ParseError, Quote, Word};

/// The deepest block nesting accepted; one more `{` is a [`ParseError`].
pub const MAX_DEPTH: usize = 200;

/// Blocks whose bodies nginx reads with a custom handler (a list of entries,
/// not directives): nginx rejects any `{` inside them with `unexpected "{"`.
/// The common way to hit this is an unquoted regex with a `{n,m}` quantifier
/// as a `map` key, e.g. `~^a[0-9]{1,5}$ 1;`.
pub const ENTRY_LIST_BLOCKS: &[&str] = &["map", "geo", "types", "split_clients", "charset_map"];

type PResult<'a, O> = IResult<&'a str, O>;

// ---------------------------------------------------------------------------
// Token-level pieces (nom)
// ---------------------------------------------------------------------------

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// One or more of space, tab, CR, LF.
fn whitespace(i: &str) -> PResult<'_, &str> {
    let n = i
        .bytes()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(i.len());
    if n == 0 {
        return Err(nom::Err::Error(Error::new(i, ErrorKind::TakeWhile1)));
    }
    // Spaces are ASCII: `n` is a character boundary.
    Ok((&i[n..], &i[..n]))
}

/// `#` up to (not including) the next LF; returns the text after `#`.
fn comment(i: &str) -> PResult<'_, &str> {
    let (i, _) = char('#').parse(i)?;
    let n = memchr::memchr(b'\n', i.as_bytes()).unwrap_or(i.len());
    Ok((&i[n..], &i[..n]))
}

/// The bytes [`bare_word`] stops at: those that end a word (whitespace, `;`, `{`) and those
/// that change how the next ones are read (`\`, `$`).
const WORD_STOP: [bool; 256] = {
    let mut stop = [false; 256];
    let mut k = 0;
    while k < 8 {
        stop[b" \t\r\n;{\\$"[k] as usize] = true;
        k += 1;
    }
    stop
};

/// A bare (unquoted) word: runs of ordinary characters, `\x` escapes, and `$`
/// followed by any number of `{` (nginx's `${` rule). Stops at whitespace,
/// `;`, `{` or the end of the text. The caller has already dealt with the
/// characters that are special at the start of a token (`"`, `'`, `#`, `;`,
/// `{`, `}`).
///
/// The delimiters are ASCII, so the word is scanned byte by byte (it is the
/// hottest loop of the parser): a multi-byte character, or its part after an
/// escaping backslash, is never a delimiter. Also says whether the word has a
/// backslash (most have none, and need no unescaping).
fn bare_word(i: &str) -> PResult<'_, (&str, bool)> {
    let b = i.as_bytes();
    let mut at = 0;
    let mut escaped = false;
    loop {
        // Ordinary bytes, nearly all of a word, by table.
        at += b[at..]
            .iter()
            .position(|&c| WORD_STOP[usize::from(c)])
            .unwrap_or(b.len() - at);
        match b.get(at) {
            None | Some(b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{') => break,
            // The escaped character never ends the word; a trailing lone
            // backslash stays in it (the caller then reports the unexpected
            // end of file).
            Some(b'\\') => {
                escaped = true;
                at = (at + 2).min(b.len());
            }
            // `$`, and any number of `{` after it.
            Some(_) => {
                at += 1;
                while b.get(at) == Some(&b'{') {
                    at += 1;
                }
            }
        }
    }
    // `at` is at an ASCII delimiter or the end: a character boundary.
    match i.split_at_checked(at) {
        Some((word, rest)) if !word.is_empty() => Ok((rest, (word, escaped))),
        _ => Err(nom::Err::Error(Error::new(i, ErrorKind::TakeTill1))),
    }
}

/// `"..."` or `'...'` with backslash escapes; returns the quote kind, the raw
/// text between the quotes and whether it has a backslash. Fails when the
/// closing quote is missing.
fn quoted_word(i: &str) -> PResult<'_, (Quote, &str, bool)> {
    let (quote, q) = match i.as_bytes().first() {
        Some(b'"') => (Quote::Double, b'"'),
        Some(b'\'') => (Quote::Single, b'\''),
        _ => return Err(nom::Err::Error(Error::new(i, ErrorKind::OneOf))),
    };
    let (rest, (inner, escaped)) = quoted_body(&i[1..], q)?;
    // `rest` starts at the closing quote, one ASCII byte.
    Ok((&rest[1..], (quote, inner, escaped)))
}

/// The text up to (not including) the unescaped closing `quote`, and whether it
/// has a backslash; fails at the end of the text.
fn quoted_body(i: &str, quote: u8) -> PResult<'_, (&str, bool)> {
    let b = i.as_bytes();
    let mut at = 0;
    let mut escaped = false;
    while let Some(n) = memchr::memchr2(quote, b'\\', &b[at..]) {
        at += n;
        if b[at] == quote {
            return Ok((&i[at..], (&i[..at], escaped)));
        }
        escaped = true;
        at += 2;
        if at >= b.len() {
            break;
        }
    }
    Err(nom::Err::Error(Error::new(i, ErrorKind::Char)))
}

/// A word's value: its raw text, unescaped when the scanner saw a backslash.
fn word_value(raw: &str, escaped: bool) -> CompactString {
    if escaped {
        unescape(raw)
    } else {
        CompactString::new(raw)
    }
}

/// nginx's unescaping: `\"`, `\'`, `\\` drop the backslash; `\t`, `\r`, `\n`
/// become tab, CR, LF; any other `\x` stays as the two characters `\x`.
fn unescape(raw: &str) -> CompactString {
    // Words are short (a dozen bytes): a plain scan costs less than memchr's setup.
    let Some(first) = raw.bytes().position(|b| b == b'\\') else {
        return CompactString::new(raw);
    };
    let bytes = raw.as_bytes();
    let mut out = CompactString::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let mut i = first;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            let next = raw[i..].find('\\').map_or(raw.len(), |n| i + n);
            out.push_str(&raw[i..next]);
            i = next;
            continue;
        }
        match bytes.get(i + 1) {
            Some(&c @ (b'"' | b'\'' | b'\\')) => {
                out.push(c as char);
                i += 2;
            }
            Some(b't') => {
                out.push('\t');
                i += 2;
            }
            Some(b'r') => {
                out.push('\r');
                i += 2;
            }
            Some(b'n') => {
                out.push('\n');
                i += 2;
            }
            _ => {
                // The backslash is kept; the next character is copied as an
                // ordinary one on the next round.
                out.push('\\');
                i += 1;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Lua bodies
// ---------------------------------------------------------------------------

/// Outcome of looking for a Lua long bracket opener `[==[` at a `[`.
enum LongOpen {
    /// It is one: its level (number of `=`) and the index after it.
    Yes { level: usize, after: usize },
    /// It is not; scanning can resume at this index (after the `=` run).
    No { resume: usize },
}

fn long_bracket_open(b: &[u8], at: usize) -> LongOpen {
    debug_assert_eq!(b[at], b'[');
    let mut j = at + 1;
    while b.get(j) == Some(&b'=') {
        j += 1;
    }
    if b.get(j) == Some(&b'[') {
        LongOpen::Yes {
            level: j - at - 1,
            after: j + 1,
        }
    } else {
        LongOpen::No { resume: j }
    }
}

/// Index just after the `]==]` of the given level, searching from `from`.
/// Each byte is looked at a bounded number of times.
fn skip_long_bracket(b: &[u8], from: usize, level: usize) -> Option<usize> {
    let mut i = from;
    while i < b.len() {
        if b[i] != b']' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while b.get(j) == Some(&b'=') {
            j += 1;
        }
        if j - i - 1 == level && b.get(j) == Some(&b']') {
            return Some(j + 1);
        }
        // No `]` inside the `=` run: resume at its end.
        i = j;
    }
    None
}

/// Index just after the closing quote of a Lua short string whose body starts
/// at `from`.
fn skip_lua_string(b: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Finds the `}` that closes a Lua body starting at `from` (just after its
/// `{`), skipping Lua strings, long strings and comments.
fn scan_lua(b: &[u8], from: usize) -> Option<usize> {
    let mut depth = 1usize;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
                i += 1;
            }
            q @ (b'"' | b'\'') => i = skip_lua_string(b, i + 1, q)?,
            b'[' => match long_bracket_open(b, i) {
                LongOpen::Yes { level, after } => i = skip_long_bracket(b, after, level)?,
                LongOpen::No { resume } => i = resume,
            },
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i += 2;
                if b.get(i) == Some(&b'[')
                    && let LongOpen::Yes { level, after } = long_bracket_open(b, i)
                {
                    i = skip_long_bracket(b, after, level)?;
                    continue;
                }
                // A line comment: the LF itself is ordinary.
                i = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |n| i + n);
            }
            _ => i += 1,
        }
    }
    None
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

fn error(span: ByteRange, message: impl Into<String>) -> ParseError {
    ParseError {
        message: message.into(),
        span,
    }
}

fn internal(pos: usize) -> ParseError {
    error(pos..pos, "internal tokenizer error")
}

/// What the parser makes of the tokens it reads: the syntax tree ([`parse`]), or another
/// shape built straight from the tokens (the include expander's items), with no tree in
/// between.
pub trait Build {
    type Word;
    type Node;
    /// A token: its unescaped value, its raw byte range (quotes included), its quoting.
    fn word(&mut self, value: CompactString, span: ByteRange, quote: Quote) -> Self::Word;
    /// A word's unescaped value (the parser reads directive names).
    fn value<'w>(&self, word: &'w Self::Word) -> &'w str;
    /// Where a word's raw token starts.
    fn start(&self, word: &Self::Word) -> usize;
    /// A directive, from its name's first byte to its `;` or `}` (`span`). `block` is the
    /// body of a block directive with the ranges of its braces; `level` is its nesting (0 at
    /// the top). Called when the directive ends, so a block's children come before it.
    fn node(
        &mut self,
        name: Self::Word,
        args: Vec<Self::Word>,
        span: ByteRange,
        block: Option<(Vec<Self::Node>, ByteRange, ByteRange)>,
        lua_body: Option<ByteRange>,
        level: usize,
    ) -> Self::Node;
    /// A `#` comment: the text after `#` (without a trailing CR) and its range.
    fn comment(&mut self, text: &str, span: ByteRange);
    /// Whether the directives at `level` are wanted. When they are not, the parser still
    /// reads their names and checks their syntax, but skips their arguments (`node` gets
    /// none) and drops what `node` returns: the block that holds them gets no children.
    fn keeps(&self, _level: usize) -> bool {
        true
    }
}

/// The syntax tree: [`Config`]'s directives, and every comment.
#[derive(Default)]
struct Tree {
    comments: Vec<Comment>,
}

impl Build for Tree {
    type Word = Word;
    type Node = Directive;

    fn word(&mut self, value: CompactString, span: ByteRange, quote: Quote) -> Word {
        Word { value, span, quote }
    }

    fn value<'w>(&self, word: &'w Word) -> &'w str {
        &word.value
    }

    fn start(&self, word: &Word) -> usize {
        word.span.start
    }

    fn node(
        &mut self,
        name: Word,
        args: Vec<Word>,
        span: ByteRange,
        block: Option<(Vec<Directive>, ByteRange, ByteRange)>,
        lua_body: Option<ByteRange>,
        _level: usize,
    ) -> Directive {
        Directive {
            name,
            args,
            block: block.map(|(children, open, close)| Block {
                children,
                open,
                close,
            }),
            lua_body,
            span,
        }
    }

    fn comment(&mut self, text: &str, span: ByteRange) {
        self.comments.push(Comment {
            text: text.to_owned(),
            span,
        });
    }
}

/// A block directive whose `{` has been read but not yet its `}`.
struct Frame<B: Build> {
    name: B::Word,
    args: Vec<B::Word>,
    open: usize,
    /// Where its children start on the stack of nodes read.
    first: usize,
}

/// The directive being read: its name (once there is one) and arguments (a buffer reused
/// from one directive to the next).
struct Pending<B: Build> {
    name: Option<B::Word>,
    args: Vec<B::Word>,
}

impl<B: Build> Pending<B> {
    fn push(&mut self, w: B::Word) {
        if self.name.is_none() {
            self.name = Some(w);
        } else {
            self.args.push(w);
        }
    }

    /// The arguments read, in a vector of their exact size: what is built from them is
    /// kept (a vector grown by pushes holds up to twice the room, and the allocator keeps a
    /// block it is asked to shrink by less than half).
    fn take_args(&mut self) -> Vec<B::Word> {
        let mut args = Vec::with_capacity(self.args.len());
        args.append(&mut self.args);
        args
    }
}

/// Parses a whole configuration file.
///
/// Errors say what was found and what was expected, in nginx's words where
/// nginx has them, and point at the offending byte(s) (an empty range at the
/// end of the text for an unexpected end of file).
pub fn parse(text: &str) -> Result<Config, ParseError> {
    let mut tree = Tree::default();
    let directives = parse_with(text, &mut tree)?;
    Ok(Config {
        directives,
        comments: tree.comments,
    })
}

/// Parses a whole configuration file like [`parse`], handing what it reads to `build`:
/// the top-level nodes come back in order.
pub fn parse_with<B: Build>(text: &str, build: &mut B) -> Result<Vec<B::Node>, ParseError> {
    let bytes = text.as_bytes();
    // The nodes read and not yet in a block: the top level's, then those of each block
    // still open after its parent's. A block's are moved into a vector of their exact size
    // when it closes, and so is the top level at the end (for the reason
    // `Pending::take_args` gives: the expander keeps the top level of every file of a glob
    // until it splices them in, and this stack's room for a 2000-file glob was 9 MB).
    let mut nodes: Vec<B::Node> = Vec::new();
    let mut stack: Vec<Frame<B>> = Vec::new();
    let mut pending = Pending::<B> {
        name: None,
        args: Vec::new(),
    };
    let mut rest: &str = text;
    // Where a remaining text starts in `text`.
    let offset = |r: &str| text.len() - r.len();

    loop {
        if let Ok((r, _)) = whitespace(rest) {
            rest = r;
        }
        let pos = offset(rest);
        // Every character that starts something other than a bare word is ASCII.
        let Some(&c) = rest.as_bytes().first() else {
            break;
        };
        match c {
            b'#' => {
                let (r, body) = comment(rest).map_err(|_| internal(pos))?;
                let body = body.strip_suffix('\r').unwrap_or(body);
                build.comment(body, pos..pos + 1 + body.len());
                rest = r;
            }
            b';' => {
                let Some(name) = pending.name.take() else {
                    return Err(error(pos..pos + 1, "unexpected \";\""));
                };
                let span = build.start(&name)..pos + 1;
                let args = pending.take_args();
                let d = build.node(name, args, span, None, None, stack.len());
                if build.keeps(stack.len()) {
                    nodes.push(d);
                }
                rest = &rest[1..];
            }
            b'{' => {
                let Some(name) = pending.name.take() else {
                    return Err(error(pos..pos + 1, "unexpected \"{\""));
                };
                if let Some(f) = stack.last()
                    && ENTRY_LIST_BLOCKS.contains(&build.value(&f.name))
                {
                    return Err(error(
                        pos..pos + 1,
                        format!("unexpected \"{{\" in \"{}\" block", build.value(&f.name)),
                    ));
                }
                let args = pending.take_args();
                if build.value(&name).ends_with("_by_lua_block") {
                    let close = scan_lua(bytes, pos + 1)
                        .ok_or_else(|| error(pos..pos + 1, "unterminated Lua block"))?;
                    let span = build.start(&name)..close + 1;
                    let d = build.node(name, args, span, None, Some(pos + 1..close), stack.len());
                    if build.keeps(stack.len()) {
                        nodes.push(d);
                    }
                    rest = &rest[close + 1 - pos..];
                } else {
                    if stack.len() >= MAX_DEPTH {
                        return Err(error(
                            pos..pos + 1,
                            format!("blocks nested deeper than {MAX_DEPTH} levels"),
                        ));
                    }
                    stack.push(Frame {
                        name,
                        args,
                        open: pos,
                        first: nodes.len(),
                    });
                    rest = &rest[1..];
                }
            }
            b'}' => {
                if pending.name.is_some() {
                    return Err(error(pos..pos + 1, "unexpected \"}\""));
                }
                let Some(f) = stack.pop() else {
                    return Err(error(pos..pos + 1, "unexpected \"}\""));
                };
                let span = build.start(&f.name)..pos + 1;
                let children = nodes.split_off(f.first);
                let block = (children, f.open..f.open + 1, pos..pos + 1);
                let d = build.node(f.name, f.args, span, Some(block), None, stack.len());
                if build.keeps(stack.len()) {
                    nodes.push(d);
                }
                rest = &rest[1..];
            }
            b'"' | b'\'' => {
                let (r, (quote, inner, escaped)) = quoted_word(rest)
                    .map_err(|_| error(pos..pos + 1, "unterminated quoted string"))?;
                let end = offset(r);
                if let Some(next) = r.chars().next()
                    && !(is_space(next) || matches!(next, ';' | '{' | ')'))
                {
                    return Err(error(
                        end..end + next.len_utf8(),
                        format!("unexpected \"{next}\" after a quoted string"),
                    ));
                }
                if pending.name.is_none() || build.keeps(stack.len()) {
                    pending.push(build.word(word_value(inner, escaped), pos..end, quote));
                }
                rest = r;
            }
            _ => {
                let (r, (raw, escaped)) = bare_word(rest).map_err(|_| internal(pos))?;
                if pending.name.is_none() || build.keeps(stack.len()) {
                    pending.push(build.word(word_value(raw, escaped), pos..offset(r), Quote::None));
                }
                rest = r;
            }
        }
    }

    let end = text.len();
    if pending.name.is_some() {
        return Err(error(
            end..end,
            "unexpected end of file, expecting \";\" or \"}\"",
        ));
    }
    if !stack.is_empty() {
        return Err(error(end..end, "unexpected end of file, expecting \"}\""));
    }
    let mut top = Vec::with_capacity(nodes.len());
    top.append(&mut nodes);
    Ok(top)
}

/// The condition words of an `if (...)` directive with the outer parentheses
/// removed, the way nginx's rewrite module does it: a leading `(` is cut from
/// the first argument (a lone `(` word is dropped), then a trailing `)` is cut
/// from the last one (a lone `)` word is dropped). Spans of bare words are
/// narrowed accordingly; a quoted word keeps its span. Words without the
/// parenthesis are left as they are.
pub fn if_condition(d: &Directive) -> Vec<Word> {
    let mut words = d.args.clone();
    if let Some(first) = words.first_mut() {
        if first.value == "(" {
            words.remove(0);
        } else if first.value.starts_with('(') {
            first.value.remove(0);
            if first.quote == Quote::None {
                first.span.start += 1;
            }
        }
    }
    if let Some(last) = words.last_mut() {
        if last.value == ")" {
            words.pop();
        } else if last.value.ends_with(')') {
            last.value.pop();
            if last.quote == Quote::None {
                last.span.end -= 1;
            }
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Config {
        match parse(text) {
            Ok(c) => c,
            Err(e) => panic!("parse failed: {e} in {text:?}"),
        }
    }

    fn err(text: &str) -> ParseError {
        match parse(text) {
            Ok(c) => panic!("expected an error, got {c:?}"),
            Err(e) => e,
        }
    }

    fn values(d: &Directive) -> Vec<&str> {
        d.args.iter().map(|w| w.value.as_str()).collect()
    }

    fn w(value: &str, span: ByteRange, quote: Quote) -> Word {
        Word {
            value: value.into(),
            span,
            quote,
        }
    }

    /// The one top-level directive of `text`.
    fn single(text: &str) -> Directive {
        let mut c = ok(text);
        assert_eq!(c.directives.len(), 1, "{c:?}");
        c.directives.remove(0)
    }

    // ----- words ---------------------------------------------------------

    #[test]
    fn bare_and_quoted_words_with_spans() {
        let t = r#"add_header X-A "a b" 'c;d' always;"#;
        let d = single(t);
        assert_eq!(d.name, w("add_header", 0..10, Quote::None));
        assert_eq!(
            d.args,
            vec![
                w("X-A", 11..14, Quote::None),
                w("a b", 15..20, Quote::Double),
                w("c;d", 21..26, Quote::Single),
                w("always", 27..33, Quote::None),
            ]
        );
        assert_eq!(d.span, 0..34);
        assert_eq!(&t[d.span.clone()], t);
        assert!(d.block.is_none() && d.lua_body.is_none());
    }

    #[test]
    fn escapes_are_unescaped_like_nginx() {
        let t = r#"x "a\"b" 'c\'d' e\\f g\tn \.php$ "\q" \;\{\ z;"#;
        let d = single(t);
        assert_eq!(
            values(&d),
            vec![
                "a\"b",
                "c'd",
                "e\\f",
                "g\tn",
                "\\.php$",
                "\\q",
                "\\;\\{\\ z"
            ]
        );
        assert_eq!(d.args[0].span, 2..8);
        assert_eq!(d.args[1].span, 9..15);
        assert_eq!(d.args[2].span, 16..20);
        assert_eq!(d.args[6].span, 38..45);
        let d = single(r"r a\rb\nc\\\\d\x;");
        assert_eq!(d.arg(0), Some("a\rb\nc\\\\d\\x"));
    }

    #[test]
    fn escaped_characters_stay_in_the_word() {
        // `\ `, `\;`, `\{`, `\#` never end a token.
        let d = single(r"location /\{\;\}\ #\ ab {}");
        assert_eq!(d.arg(0), Some(r"/\{\;\}\ #\ ab"));
        assert_eq!(d.args[0].span, 9..23);
        assert!(d.block.is_some());
    }

    #[test]
    fn scanning_edges_of_words_and_quotes() {
        // An escaped quote or backslash right before the closing quote.
        let d = single(r#"return 200 "a\"b\\";"#);
        assert_eq!(d.arg(1), Some(r#"a"b\"#));
        assert_eq!(d.args[1].span, 11..19);
        let d = single(r"add_header X 'it\'s';");
        assert_eq!(d.arg(1), Some("it's"));
        // A quote that is never closed, also when the text ends on a backslash.
        for t in [
            r#"return 200 "abc;"#,
            r#"return 200 "abc\"#,
            r#"return 200 "\""#,
        ] {
            assert_eq!(err(t).message, "unterminated quoted string", "{t}");
            assert_eq!(err(t).span, 11..12, "{t}");
        }
        // Multi-byte characters inside words and quotes, `$` at a word's end, runs of `{`.
        let d = single("set $é \"ü\" ${{{x}}} a$;");
        assert_eq!(d.arg(0), Some("$é"));
        assert_eq!(d.arg(1), Some("ü"));
        assert_eq!(d.arg(2), Some("${{{x}}}"));
        assert_eq!(d.arg(3), Some("a$"));
        // A word that runs to the end of the text, and one ending in a lone backslash.
        assert_eq!(
            err("listen 80").message,
            "unexpected end of file, expecting \";\" or \"}\""
        );
        assert_eq!(err("listen 80\\").span, 10..10);
    }

    #[test]
    fn dollar_brace_variables_stay_one_word() {
        let t = "proxy_pass $p://$h${foo}; return 200 ${a}${b}; try_files /abc/${uri} /abc/${uri}.html =404;";
        let c = ok(t);
        assert_eq!(c.directives.len(), 3);
        assert_eq!(values(&c.directives[0]), vec!["$p://$h${foo}"]);
        assert_eq!(c.directives[0].args[0].span, 11..24);
        assert_eq!(values(&c.directives[1]), vec!["200", "${a}${b}"]);
        assert_eq!(
            values(&c.directives[2]),
            vec!["/abc/${uri}", "/abc/${uri}.html", "=404"]
        );
        // `$${X}`, `${{x}` and a `${` at the start of a token.
        let d = single("map $${PROXY_HOST} ${{x}} { default 1; }");
        assert_eq!(values(&d), vec!["$${PROXY_HOST}", "${{x}}"]);
        assert_eq!(d.children().len(), 1);
        // `$x{` does open a block: only `{` right after `$` is special.
        let d = single("a $x{ b; }");
        assert_eq!(values(&d), vec!["$x"]);
        assert_eq!(d.children()[0].name.value, "b");
        // An escaped `$` does not protect the `{`.
        let d = single(r"a \${ b; }");
        assert_eq!(values(&d), vec![r"\$"]);
        assert_eq!(d.children().len(), 1);
    }

    #[test]
    fn close_brace_inside_a_word_is_ordinary() {
        let d = single("return 200 a}b;");
        assert_eq!(values(&d), vec!["200", "a}b"]);
        let d = single("x {y z};}");
        assert_eq!(d.children()[0].arg(0), Some("z}"));
    }

    #[test]
    fn hash_inside_a_word_is_not_a_comment() {
        let c = ok("server_name foo#bar;\nserver_name# x;");
        assert!(c.comments.is_empty());
        assert_eq!(c.directives[0].arg(0), Some("foo#bar"));
        assert_eq!(c.directives[1].name.value, "server_name#");
    }

    #[test]
    fn comments_between_arguments() {
        let t = "log_format #c\n \\#arg\\ 1 #c3\n '#arg 2' #c4\n ;";
        let c = ok(t);
        let d = &c.directives[0];
        assert_eq!(values(d), vec!["\\#arg\\ 1", "#arg 2"]);
        // nginx keeps `\#` and `\ ` as two characters (only quotes,
        // backslashes and t/r/n are unescaped).
        let texts: Vec<&str> = c.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec!["c", "c3", "c4"]);
        assert_eq!(c.comments[0].span, 11..13);
        assert_eq!(&t[c.comments[1].span.clone()], "#c3");
        assert_eq!(d.span, 0..t.len());
    }

    #[test]
    fn crossplane_comments_between_args_fixture() {
        let t = "http { #comment 1\n    log_format #comment 2\n        \\#arg\\ 1 #comment 3\n        '#arg 2' #comment 4\n        #comment 5\n        ;\n}\n";
        let c = ok(t);
        let lf = &c.directives[0].children()[0];
        assert_eq!(lf.name.value, "log_format");
        assert_eq!(values(lf), vec!["\\#arg\\ 1", "#arg 2"]);
        assert_eq!(c.comments.len(), 5);
        assert_eq!(c.comments[4].text, "comment 5");
    }

    #[test]
    fn comment_text_and_crlf() {
        let t = "# hello \\\r\nuser x; #tail";
        let c = ok(t);
        assert_eq!(c.comments[0].text, " hello \\");
        assert_eq!(c.comments[0].span, 0..9);
        assert_eq!(c.comments[1].text, "tail");
        assert_eq!(c.comments[1].span, 19..24);
        assert_eq!(c.directives[0].span, 11..18);
    }

    #[test]
    fn quoted_directive_names() {
        let c = ok(r#""events" { "worker_connections" "2048"; } 'root' /x;"#);
        assert_eq!(c.directives[0].name, w("events", 0..8, Quote::Double));
        let inner = &c.directives[0].children()[0];
        assert_eq!(inner.name.value, "worker_connections");
        assert_eq!(inner.arg(0), Some("2048"));
        assert_eq!(c.directives[1].name.quote, Quote::Single);
        // A quoted word may be followed directly by `{` or `;`.
        let d = single(r#""http"{"a" "b";}"#);
        assert_eq!(d.name.value, "http");
        assert_eq!(d.children().len(), 1);
    }

    #[test]
    fn quoted_word_followed_by_a_quote_is_an_error() {
        let e = err(r#"x "a""b";"#);
        assert_eq!(e.message, r#"unexpected """ after a quoted string"#);
        assert_eq!(e.span, 5..6);
    }

    #[test]
    fn newline_and_specials_inside_quotes() {
        let t = "location \"/sta;\n  tus\" {return 302 /s;}";
        let d = single(t);
        assert_eq!(d.arg(0), Some("/sta;\n  tus"));
        assert_eq!(d.args[0].span, 9..22);
        let d = single("add_header X \"a\nb {c} #d\";");
        assert_eq!(d.arg(1), Some("a\nb {c} #d"));
        let d = single(r#"location ~ "/hello/world;"{return 301 /s;}"#);
        assert_eq!(d.arg(1), Some("/hello/world;"));
        assert_eq!(d.children()[0].name.value, "return");
    }

    #[test]
    fn quote_inside_a_word_is_literal_and_empty_quotes_are_words() {
        let d = single(r#"x inner"-"quote right-"quote" a'b;"#);
        assert_eq!(
            values(&d),
            vec![r#"inner"-"quote"#, r#"right-"quote""#, "a'b"]
        );
        let c = ok(
            "map $a $b { '' $arg; \"\" x; *.example.com ''; default 0; hostnames; '~Opera Mini' 1; }",
        );
        let m = &c.directives[0];
        let entries: Vec<(&str, Vec<&str>)> = m
            .children()
            .iter()
            .map(|d| (d.name.value.as_str(), values(d)))
            .collect();
        assert_eq!(
            entries,
            vec![
                ("", vec!["$arg"]),
                ("", vec!["x"]),
                ("*.example.com", vec![""]),
                ("default", vec!["0"]),
                ("hostnames", vec![]),
                ("~Opera Mini", vec!["1"]),
            ]
        );
        assert_eq!(m.children()[0].name.span, 12..14);
        assert_eq!(m.children()[2].args[0].span, 41..43);
    }

    #[test]
    fn quoted_braces_are_not_blocks() {
        let t = "http {\n log_format json escape=json '{' '\"a\":\"$b\"' '}';\n}";
        let c = ok(t);
        let lf = &c.directives[0].children()[0];
        assert_eq!(
            values(lf),
            vec!["json", "escape=json", "{", "\"a\":\"$b\"", "}"]
        );
        assert_eq!(c.directives[0].children().len(), 1);
    }

    #[test]
    fn regex_locations() {
        let d = single(r"location ~* \.(png|jpg)$ { expires 1d; }");
        assert_eq!(values(&d), vec!["~*", r"\.(png|jpg)$"]);
        assert_eq!(d.args[1].span, 12..24);
        assert_eq!(d.block.as_ref().unwrap().open, 25..26);
        assert_eq!(d.block.as_ref().unwrap().close, 39..40);
        let d = single(r#"location ~ "^/a{2}" { }"#);
        assert_eq!(values(&d), vec!["~", "^/a{2}"]);
        assert_eq!(d.args[1].quote, Quote::Double);
        assert!(d.children().is_empty());
    }

    #[test]
    fn nested_blocks_and_spans() {
        let t = "http {\n  server {\n    listen 80;\n  }\n}\n";
        let c = ok(t);
        let http = &c.directives[0];
        assert_eq!(http.span, 0..t.len() - 1);
        let b = http.block.as_ref().unwrap();
        assert_eq!((b.open.clone(), b.close.clone()), (5..6, 37..38));
        let server = &http.children()[0];
        assert_eq!(&t[server.span.clone()], "server {\n    listen 80;\n  }");
        assert_eq!(&t[server.children()[0].span.clone()], "listen 80;");
        assert_eq!(c.walk().count(), 3);
    }

    #[test]
    fn no_space_needed_around_braces() {
        let c = ok("location /foo{}location /bar{}server\n{}");
        let names: Vec<&str> = c.directives.iter().map(|d| d.name.value.as_str()).collect();
        assert_eq!(names, vec!["location", "location", "server"]);
        assert_eq!(c.directives[1].arg(0), Some("/bar"));
    }

    #[test]
    fn if_conditions() {
        let t = "if ($request_method = OPTIONS) { return 204; }";
        let d = single(t);
        assert_eq!(values(&d), vec!["($request_method", "=", "OPTIONS)"]);
        let cond = if_condition(&d);
        assert_eq!(
            cond,
            vec![
                w("$request_method", 4..19, Quote::None),
                w("=", 20..21, Quote::None),
                w("OPTIONS", 22..29, Quote::None),
            ]
        );
        // A quoted regex followed directly by `)`: the `)` is a word of its own.
        let t = r#"if ($a ~ "^x{2}$") { }"#;
        let d = single(t);
        assert_eq!(values(&d), vec!["($a", "~", "^x{2}$", ")"]);
        assert_eq!(d.args[3].span, 17..18);
        let cond = if_condition(&d);
        assert_eq!(
            cond,
            vec![
                w("$a", 4..6, Quote::None),
                w("~", 7..8, Quote::None),
                w("^x{2}$", 9..17, Quote::Double),
            ]
        );
        // Lone parentheses.
        let d = single("if ( $x ) { }");
        assert_eq!(if_condition(&d), vec![w("$x", 5..7, Quote::None)]);
        let d = single("if ($x) { }");
        assert_eq!(if_condition(&d), vec![w("$x", 4..6, Quote::None)]);
        let d = single("if () { }");
        assert!(if_condition(&d).is_empty());
        let d = single("if ($request_method = P\\{O\\)\\###\\;ST  ){}");
        assert_eq!(
            values(&d),
            vec!["($request_method", "=", "P\\{O\\)\\###\\;ST", ")"]
        );
        let cond = if_condition(&d);
        assert_eq!(cond.len(), 3);
        assert_eq!(cond[2].value, "P\\{O\\)\\###\\;ST");
        // No parentheses at all: nothing is stripped.
        let d = single("if $x { }");
        assert_eq!(if_condition(&d), d.args);
    }

    // ----- Lua -------------------------------------------------------------

    #[test]
    fn lua_block_simple() {
        let t = "content_by_lua_block {\n  ngx.say(\"hi\")\n}\nlisten 80;";
        let c = ok(t);
        let d = &c.directives[0];
        assert!(d.block.is_none());
        let body = d.lua_body.clone().unwrap();
        assert_eq!(&t[body], "\n  ngx.say(\"hi\")\n");
        assert_eq!(d.span, 0..40);
        assert_eq!(c.directives[1].name.value, "listen");
    }

    #[test]
    fn lua_block_with_braces_strings_and_comments() {
        let t = concat!(
            "\"rewrite_by_lua_block\" { -- it's a comment with {\n",
            "  do_something(\"hello, }world!\\\"}\\n\")\n",
            "  a = { 1, 2, 3 } b = '}' c = [[ } ]] d = [==[ ]] } ]=] ]==]\n",
            "  --[[ } ]] e = {x=1}\n",
            "  --[==[ ]] } ]==] f = \"'\" -- }'\n",
            "}\n",
            "x 1;"
        );
        let c = ok(t);
        assert_eq!(c.directives.len(), 2);
        let d = &c.directives[0];
        assert_eq!(d.name.value, "rewrite_by_lua_block");
        let body = d.lua_body.clone().unwrap();
        assert!(t[body.clone()].starts_with(" -- it's"));
        assert!(t[body.clone()].ends_with("-- }'\n"));
        assert_eq!(&t[body.end..d.span.end], "}");
        assert!(c.comments.is_empty(), "Lua comments are not nginx comments");
        assert_eq!(c.directives[1].name.value, "x");
    }

    #[test]
    fn set_by_lua_block_has_arguments() {
        let t = "set_by_lua_block $res { -- irregular\n return a + b; -- the $sum\n }";
        let d = single(t);
        assert_eq!(values(&d), vec!["$res"]);
        assert_eq!(
            &t[d.lua_body.clone().unwrap()],
            " -- irregular\n return a + b; -- the $sum\n "
        );
        assert_eq!(d.span, 0..t.len());
        // `$pass{` ends the argument and opens the Lua body.
        let d = single("set_by_lua_block $pass{ return \"ok\" }");
        assert_eq!(values(&d), vec!["$pass"]);
        assert_eq!(d.lua_body, Some(23..36));
    }

    #[test]
    fn lua_block_name_only_matters_in_name_position() {
        let t = "server_name content_by_lua_block ;\nupstream content_by_lua_block {\n # stuff\n}";
        let c = ok(t);
        assert_eq!(c.directives[0].arg(0), Some("content_by_lua_block"));
        let up = &c.directives[1];
        assert!(up.block.is_some() && up.lua_body.is_none());
        assert_eq!(c.comments[0].text, " stuff");
        // A `*_by_lua_block` directive ending with `;` is a plain directive.
        let d = single("content_by_lua_block;");
        assert!(d.lua_body.is_none() && d.block.is_none());
    }

    #[test]
    fn lua_long_brackets_are_linear_and_exact() {
        // `]=]` does not close a level-0 string; `]]` does.
        let d = single("init_by_lua_block { s = [[a]=]b]] }");
        assert_eq!(d.span, 0..35);
        // An opener that is not a long bracket: `[=x` is ordinary Lua.
        let d = single("init_by_lua_block { t[=x] = 1 }");
        assert_eq!(d.span, 0..31);
        let e = err("init_by_lua_block { s = [==[ ]] } ]=] }");
        assert_eq!(e.message, "unterminated Lua block");
        assert_eq!(e.span, 18..19);
    }

    #[test]
    fn unterminated_lua_block() {
        for t in [
            "content_by_lua_block { a = 1",
            "content_by_lua_block { a = '}",
            "content_by_lua_block { -- }",
            "content_by_lua_block { --[[ } ",
            "content_by_lua_block { a = \"\\\"}",
        ] {
            let e = err(t);
            assert_eq!(e.message, "unterminated Lua block", "{t}");
            assert_eq!(e.span, 21..22, "{t}");
        }
    }

    // ----- errors ----------------------------------------------------------

    #[test]
    fn error_unexpected_close_brace() {
        let e = err("events {}\n}");
        assert_eq!(e.message, "unexpected \"}\"");
        assert_eq!(e.span, 10..11);
        // `}` while a directive is being read (missing `;`).
        let e = err("server { listen 80 }");
        assert_eq!(e.message, "unexpected \"}\"");
        assert_eq!(e.span, 19..20);
        let e = err("}");
        assert_eq!(e.span, 0..1);
    }

    #[test]
    fn error_missing_directive_name() {
        let e = err("user x;;");
        assert_eq!(e.message, "unexpected \";\"");
        assert_eq!(e.span, 7..8);
        let e = err("http { { } }");
        assert_eq!(e.message, "unexpected \"{\"");
        assert_eq!(e.span, 7..8);
        let e = err("server { } ;");
        assert_eq!(e.message, "unexpected \";\"");
        assert_eq!(e.span, 11..12);
    }

    #[test]
    fn error_block_inside_entry_list() {
        let t = "map $http_origin $ok {\n  ~^https://a\\.com(?::[0-9]{1,5})?$ 1;\n}";
        let e = err(t);
        assert_eq!(e.message, "unexpected \"{\" in \"map\" block");
        assert_eq!(&t[e.span.start..], "{1,5})?$ 1;\n}");
        assert_eq!(e.span.len(), 1);
        // Quoting the regex is the fix.
        let t = "map $http_origin $ok {\n  \"~^https://a\\.com(?::[0-9]{1,5})?$\" 1;\n}";
        assert_eq!(
            single(t).children()[0].name.value,
            "~^https://a\\.com(?::[0-9]{1,5})?$"
        );
        let e = err("http { types { text/html html; x { } } }");
        assert_eq!(e.message, "unexpected \"{\" in \"types\" block");
        assert_eq!(e.span, 33..34);
        // Other blocks nest freely.
        ok("http { server { location / { if ($a) { } } } }");
    }

    #[test]
    fn error_end_of_file() {
        let e = err("http {\n  server {\n  }\n");
        assert_eq!(e.message, "unexpected end of file, expecting \"}\"");
        assert_eq!(e.span, 22..22);
        let e = err("user nobody");
        assert_eq!(
            e.message,
            "unexpected end of file, expecting \";\" or \"}\""
        );
        assert_eq!(e.span, 11..11);
        let e = err("http { listen 80 # no semicolon\n");
        assert_eq!(
            e.message,
            "unexpected end of file, expecting \";\" or \"}\""
        );
        assert_eq!(e.span, 32..32);
        let e = err("x \"a\"");
        assert_eq!(e.span, 5..5);
        let e = err("x a\\");
        assert_eq!(
            e.message,
            "unexpected end of file, expecting \";\" or \"}\""
        );
        assert_eq!(e.span, 4..4);
    }

    #[test]
    fn error_after_quoted_string() {
        let e = err(r#"x "left"-quote;"#);
        assert_eq!(e.message, r#"unexpected "-" after a quoted string"#);
        assert_eq!(e.span, 8..9);
        let e = err("x 'a'#c\n;");
        assert_eq!(e.message, r##"unexpected "#" after a quoted string"##);
        assert_eq!(e.span, 5..6);
        let e = err("x 'a'é;");
        assert_eq!(e.message, "unexpected \"é\" after a quoted string");
        assert_eq!(e.span, 5..7);
        let e = err("x { y 'a'}");
        assert_eq!(e.message, r#"unexpected "}" after a quoted string"#);
        assert_eq!(e.span, 9..10);
    }

    #[test]
    fn error_unterminated_quoted_string() {
        // A stray quote usually closes early rather than running to EOF:
        // `'Timing-Allow-Origin '` is a word directly followed by `*`.
        let e = err("add_header 'Timing-Allow-Origin '*'\nreturn 204;\n");
        assert_eq!(e.message, r#"unexpected "*" after a quoted string"#);
        assert_eq!(e.span, 33..34);
        let t = "add_header X 'abc;\n";
        let e = err(t);
        assert_eq!(e.message, "unterminated quoted string");
        assert_eq!(e.span, 13..14);
        let e = err("x \"a\\\"");
        assert_eq!(e.message, "unterminated quoted string");
        assert_eq!(e.span, 2..3);
    }

    #[test]
    fn depth_limit() {
        let ok_text = "a{".repeat(MAX_DEPTH) + &"}".repeat(MAX_DEPTH);
        let c = ok(&ok_text);
        assert_eq!(c.walk().count(), MAX_DEPTH);
        assert_eq!(c.walk().map(|(d, _)| d).max(), Some(MAX_DEPTH - 1));

        let deep = "a{".repeat(100_000);
        let e = err(&deep);
        assert_eq!(e.message, "blocks nested deeper than 200 levels");
        assert_eq!(e.span, 401..402);

        let braces = "{".repeat(100_000);
        let e = err(&braces);
        assert_eq!(e.message, "unexpected \"{\"");
        assert_eq!(e.span, 0..1);

        let closers = "}".repeat(100_000);
        assert_eq!(err(&closers).span, 0..1);
    }

    #[test]
    fn empty_and_trivial_files() {
        let c = ok("");
        assert!(c.directives.is_empty() && c.comments.is_empty());
        let c = ok(" \t\r\n\n");
        assert!(c.directives.is_empty());
        let c = ok("# only a comment");
        assert_eq!(c.comments[0].text, " only a comment");
        assert_eq!(c.comments[0].span, 0..16);
    }

    #[test]
    fn no_trailing_newline() {
        let c = ok("events {}\nhttp { include mime.types; }");
        assert_eq!(c.directives.len(), 2);
        assert_eq!(c.directives[1].span, 10..38);
        let c = ok("user nobody;");
        assert_eq!(c.directives[0].span, 0..12);
    }

    #[test]
    fn utf8_words() {
        let d = single("add_header X \"привет мир\";");
        assert_eq!(d.arg(1), Some("привет мир"));
        assert_eq!(d.args[1].span, 13..34);
        let d = single("x ünï\\ cödé;");
        assert_eq!(d.arg(0), Some("ünï\\ cödé"));
    }

    #[test]
    fn messy_mixture() {
        let t = concat!(
            "user nobody;\n",
            "# hi\\n\\\\n \\#\\ x \\\n",
            "\"events\" { \"worker_connections\" \"2048\"; }\n",
            "\"http\" {#c\n",
            "  \"access_log\" off;default_type \"text/plain\"; error_log \"off\";\n",
            "  server { \"return\" 200 \"Ser\\\" ' ' ver\\\\ \\ $a:\\$b\\n\"; }\n",
            "  \"server\" {\"listen\" 8080;\n",
            "    location /a{}location /b{}\n",
            "    location /\\{\\;\\}\\ #\\ ab {}# tail\n",
            "    \"location\" \"/x;\n  y\" {\"return\" 302 /s;}}\n",
            "  server\n  {}}\n",
        );
        let c = ok(t);
        let names: Vec<&str> = c.walk().map(|(_, d)| d.name.value.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "user",
                "events",
                "worker_connections",
                "http",
                "access_log",
                "default_type",
                "error_log",
                "server",
                "return",
                "server",
                "listen",
                "location",
                "location",
                "location",
                "location",
                "return",
                "server",
            ]
        );
        let ret = c
            .walk()
            .map(|(_, d)| d)
            .find(|d| d.name.value == "return")
            .unwrap();
        assert_eq!(ret.arg(1), Some("Ser\" ' ' ver\\ \\ $a:\\$b\n"));
        let texts: Vec<&str> = c.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec![" hi\\n\\\\n \\#\\ x \\", "c", " tail"]);
    }

    #[test]
    fn large_input_is_linear() {
        let unit = "server {\n  listen 80; # c\n  location ~* \\.(png|jpg)$ { add_header X-Y \"a b c\" always; }\n  set_by_lua_block $x { return '}' -- }\n }\n}\n";
        let text = unit.repeat(2_000_000 / unit.len() + 1);
        let start = std::time::Instant::now();
        let c = ok(&text);
        let elapsed = start.elapsed();
        assert!(c.directives.len() > 10_000);
        eprintln!("parsed {} bytes in {elapsed:?}", text.len());
        // Generous bound for unoptimised test builds; catches quadratic blow-ups.
        assert!(elapsed.as_secs() < 20, "{elapsed:?}");
    }

    #[test]
    fn pathological_inputs_are_linear() {
        let n = 1_000_000;
        let cases: Vec<(&str, String)> = vec![
            ("long word", format!("x {};", "a".repeat(n))),
            ("long quoted", format!("x \"{}\";", "a\\\"".repeat(n / 3))),
            ("long comment", format!("#{}\nx;", "c".repeat(n))),
            ("dollar braces", format!("x ${};", "{".repeat(n))),
            ("many escapes", format!("x {};", "\\;".repeat(n / 2))),
            (
                "lua brackets",
                format!(
                    "init_by_lua_block {{ s = [=====[ {} ]=====] }}",
                    "]====]".repeat(n / 6)
                ),
            ),
            (
                "lua eq runs",
                format!("init_by_lua_block {{ {} }}", "[====x".repeat(n / 6)),
            ),
            ("many comments", "#\n".repeat(n / 2)),
            ("many semicolons", "a;".repeat(n / 2)),
        ];
        for (what, text) in &cases {
            let start = std::time::Instant::now();
            let r = parse(text);
            let elapsed = start.elapsed();
            assert!(r.is_ok(), "{what}: {r:?}");
            eprintln!("{what}: {} bytes in {elapsed:?}", text.len());
            assert!(elapsed.as_secs() < 10, "{what}: {elapsed:?}");
        }
    }

    // ----- corpus ----------------------------------------------------------

    /// Files that SOURCES.md does not mark INVALID but that nginx's tokenizer
    /// rejects anyway, with the reason.
    const KNOWN_SYNTAX_ERRORS: &[(&str, &str)] = &[
        (
            "nginx/nginxinc__crossplane__tests__configs__quote-behavior/nginx.conf",
            "crossplane lexer fixture: `\"left\"-quote` (a closing quote must be followed by space, `;`, `{` or `)`)",
        ),
        (
            "nginx/CityOfPhiladelphia__phila.gov__nginx/nginx.conf",
            "Mustache template: `{{#PHILA_TEST}}` lines",
        ),
        (
            "nginx/CityOfPhiladelphia__phila.gov__nginx/server.d/media.conf",
            "Mustache template: `https://s3.amazonaws.com/{{PHILA_MEDIA_BUCKET}}/` (an unquoted `{` ends the word)",
        ),
        (
            "nginx/MegaManSec__gixy-ng__tests__plugins__simply__origins/map_origin_allowlist_fp.conf",
            "unquoted map regex `[0-9]{1,5}`: the `{` opens a block inside `map`",
        ),
    ];

    /// Files that must fail: (file, message, line, column of the span start).
    const EXPECTED_ERRORS: &[(&str, &str, usize, usize)] = &[
        (
            "nginx/nginxinc__crossplane__tests__configs__quote-behavior/nginx.conf",
            "unexpected \"-\" after a quoted string",
            1,
            21,
        ),
        (
            "nginx/CityOfPhiladelphia__phila.gov__nginx/nginx.conf",
            "unexpected \"{\"",
            30,
            3,
        ),
        (
            "nginx/CityOfPhiladelphia__phila.gov__nginx/server.d/media.conf",
            "unexpected \"{\"",
            3,
            40,
        ),
        (
            "nginx/MegaManSec__gixy-ng__tests__plugins__simply__origins/map_origin_allowlist_fp.conf",
            "unexpected \"{\" in \"map\" block",
            3,
            59,
        ),
        (
            "nginx/ajayyy__SponsorBlockServer__nginx/cors.conf",
            "unexpected \"*\" after a quoted string",
            11,
            36,
        ),
        (
            "nginx/nginxinc__crossplane__tests__configs__missing-semicolon/broken-above.conf",
            "unexpected \"}\"",
            5,
            9,
        ),
        (
            "nginx/nginxinc__crossplane__tests__configs__missing-semicolon/broken-below.conf",
            "unexpected \"}\"",
            8,
            9,
        ),
        (
            "nginx/nginxinc__nginx-go-crossplane__testdata__configs__braces/extra-brace.conf",
            "unexpected \"}\"",
            11,
            2,
        ),
        (
            "nginx/nginxinc__nginx-go-crossplane__testdata__configs__braces/missing-brace.conf",
            "unexpected end of file, expecting \"}\"",
            23,
            1,
        ),
        (
            "nginx/nginxinc__nginx-go-crossplane__testdata__configs__premature-eof/nginx.conf",
            "unexpected end of file, expecting \";\" or \"}\"",
            3,
            15,
        ),
        (
            "nginx/nginxinc__nginx-go-crossplane__testdata__configs__invalid-map/nginx.conf",
            "unexpected \"{\" in \"map\" block",
            7,
            19,
        ),
    ];

    fn collect_files(root: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        // Iterative walk (the corpus is shallow anyway).
        let mut dirs = vec![root.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else {
                    out.push(p);
                }
            }
        }
    }

    /// Parses every file of the read-only corpus (skipped when it is absent):
    /// files not marked INVALID in SOURCES.md must parse, except the known
    /// ones above; files with real syntax errors must fail where expected.
    #[test]
    fn corpus() {
        let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        let root = base.join("nginx");
        if !root.is_dir() {
            eprintln!("corpus not found, skipping");
            return;
        }
        let sources = std::fs::read_to_string(base.join("SOURCES.md")).unwrap_or_default();
        let mut invalid = std::collections::HashSet::new();
        for line in sources.lines() {
            if let Some(rest) = line.strip_prefix("| `nginx/")
                && let Some(end) = rest.find('`')
                && line.contains("| INVALID")
            {
                invalid.insert(format!("nginx/{}", &rest[..end]));
            }
        }
        let mut files = Vec::new();
        collect_files(&root, &mut files);
        files.sort();
        assert!(!files.is_empty());

        let mut failures = Vec::new();
        let (mut n_ok, mut n_err) = (0, 0);
        eprintln!("{:<6} {:<8} {:>5}  file: error", "result", "marked", "dirs");
        for path in &files {
            let rel = path
                .strip_prefix(&base)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let bytes = std::fs::read(path).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            let is_invalid = invalid.contains(&rel);
            let marked = if is_invalid { "INVALID" } else { "-" };
            let result = parse(&text);
            match &result {
                Ok(c) => {
                    n_ok += 1;
                    eprintln!("{:<6} {marked:<8} {:>5}  {rel}", "ok", c.walk().count());
                }
                Err(e) => {
                    n_err += 1;
                    let (line, col) = line_col(&text, e.span.start);
                    eprintln!(
                        "{:<6} {marked:<8} {:>5}  {rel}: {} at {line}:{col}",
                        "ERR", "", e.message
                    );
                }
            }
            let known = KNOWN_SYNTAX_ERRORS.iter().any(|(p, _)| *p == rel);
            let expected = EXPECTED_ERRORS.iter().find(|(p, ..)| *p == rel);
            match (&result, expected) {
                (Ok(_), Some(_)) => failures.push(format!("{rel}: should fail")),
                (Err(e), Some((_, msg, line, col))) => {
                    if e.message != *msg || line_col(&text, e.span.start) != (*line, *col) {
                        failures.push(format!("{rel}: unexpected error {e}"));
                    }
                    if e.span.end > text.len() || e.span.start > e.span.end {
                        failures.push(format!("{rel}: bad span {:?}", e.span));
                    }
                }
                (Err(e), None) if !is_invalid && !known => {
                    failures.push(format!("{rel}: valid file failed: {e}"))
                }
                _ => {}
            }
        }
        eprintln!(
            "{} files: {n_ok} parsed, {n_err} errors; {} marked INVALID",
            files.len(),
            invalid.len()
        );
        assert!(failures.is_empty(), "{failures:#?}");
    }

    fn line_col(text: &str, pos: usize) -> (usize, usize) {
        let before = &text[..pos.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.len() - before.rfind('\n').map_or(0, |n| n + 1) + 1;
        (line, col)
    }
}
