//! Syntax tree of an nginx configuration file.
//!
//! The tree is "lossless enough" for a linter: every word keeps both the value
//! nginx would see (after its own unescaping) and the exact byte range of the
//! raw token, every block keeps the positions of its braces, and every comment
//! is kept (in document order) in [`Config::comments`].
//!
//! All positions are byte offsets into the text that was parsed.
//!
//! Nesting is bounded by the parser (see `parser::MAX_DEPTH`), so the derived
//! (recursive) `Drop`, `Clone` and `Debug` implementations cannot overflow
//! the stack. [`Config::walk`] visits the tree without recursion.

use compact_str::CompactString;

/// Byte offsets into the file text (`start..end`, end exclusive).
pub type ByteRange = std::ops::Range<usize>;

/// How a word was quoted in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    /// A bare word such as `$host` or `\.php$`.
    None,
    /// A word between single quotes: `'...'`.
    Single,
    /// A word between double quotes: `"..."`.
    Double,
}

/// One token of a directive (its name or one of its arguments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The token as nginx sees it after its own unescaping: `\"`, `\'` and
    /// `\\` lose their backslash, `\t` `\r` `\n` become tab / CR / LF, and any
    /// other `\x` is kept as the two characters `\x`. Quotes are removed.
    /// Most words are short: a `CompactString` keeps them inline, without an
    /// allocation each.
    pub value: CompactString,
    /// The raw bytes of the token, including the quotes if any.
    pub span: ByteRange,
    /// How the token was quoted.
    pub quote: Quote,
}

impl Word {
    /// `true` for `'...'` and `"..."` words.
    pub fn is_quoted(&self) -> bool {
        self.quote != Quote::None
    }
}

/// A simple directive (`name args;`), a block directive (`name args { ... }`)
/// or an OpenResty Lua block (`*_by_lua_block args { lua }`).
///
/// In `map`, `geo`, `types`, `split_clients`, `charset_map`, ... bodies each
/// entry is a directive whose name is the key (`default 0;`, `'' $arg;`).
#[derive(Debug, Clone)]
pub struct Directive {
    /// The directive name (may be quoted: `"events" {`).
    pub name: Word,
    /// The arguments, in order.
    pub args: Vec<Word>,
    /// The `{ ... }` body, for block directives. `None` for simple directives
    /// and for Lua blocks.
    pub block: Option<Block>,
    /// For `*_by_lua_block` directives: the raw Lua source between the braces
    /// (the braces themselves excluded).
    pub lua_body: Option<ByteRange>,
    /// From the name's first byte to the terminating `;` or closing `}`
    /// (inclusive).
    pub span: ByteRange,
}

impl Directive {
    /// The (unescaped) value of argument `i`, if there is one.
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|w| w.value.as_str())
    }

    /// The (unescaped) directive name.
    pub fn name_str(&self) -> &str {
        &self.name.value
    }

    /// The directives of the block body; empty for simple directives and Lua
    /// blocks.
    pub fn children(&self) -> &[Directive] {
        self.block.as_ref().map_or(&[], |b| b.children.as_slice())
    }

    /// `true` when this is a `*_by_lua_block` directive with a Lua body.
    pub fn is_lua_block(&self) -> bool {
        self.lua_body.is_some()
    }
}

/// A `{ ... }` body.
#[derive(Debug, Clone)]
pub struct Block {
    /// The directives inside the braces, in order.
    pub children: Vec<Directive>,
    /// The opening `{` (one byte).
    pub open: ByteRange,
    /// The closing `}` (one byte).
    pub close: ByteRange,
}

/// A `#` comment (outside Lua bodies). It runs to the end of the line.
#[derive(Debug, Clone)]
pub struct Comment {
    /// The text after `#`, up to (not including) the line end; a trailing CR
    /// of a CRLF line end is not part of it.
    pub text: String,
    /// From the `#` to the end of `text`.
    pub span: ByteRange,
}

/// A parsed configuration file.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The top-level directives.
    pub directives: Vec<Directive>,
    /// Every comment in the file, in document order, whatever its nesting.
    pub comments: Vec<Comment>,
}

impl Config {
    /// Every directive of the file, depth-first in document order, with its
    /// nesting depth (0 for top-level directives). Does not recurse.
    pub fn walk(&self) -> Walk<'_> {
        Walk {
            stack: vec![self.directives.iter()],
        }
    }
}

/// Iterator returned by [`Config::walk`]: yields `(depth, directive)`.
#[derive(Debug, Clone)]
pub struct Walk<'a> {
    stack: Vec<std::slice::Iter<'a, Directive>>,
}

impl<'a> Iterator for Walk<'a> {
    type Item = (usize, &'a Directive);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let top = self.stack.last_mut()?;
            match top.next() {
                Some(d) => {
                    let depth = self.stack.len() - 1;
                    if !d.children().is_empty() {
                        self.stack.push(d.children().iter());
                    }
                    return Some((depth, d));
                }
                None => {
                    self.stack.pop();
                }
            }
        }
    }
}

/// A syntax error: what was found and what was expected, in nginx's words
/// where nginx has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// E.g. `unexpected "}"` or `unexpected end of file, expecting ";" or "}"`.
    pub message: String,
    /// The offending byte(s); an empty range at the end of the text for
    /// errors at end of file.
    pub span: ByteRange,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at bytes {}..{}",
            self.message, self.span.start, self.span.end
        )
    }
}

impl std::error::Error for ParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(v: &str, span: ByteRange) -> Word {
        Word {
            value: v.into(),
            span,
            quote: Quote::None,
        }
    }

    fn leaf(name: &str, start: usize) -> Directive {
        Directive {
            name: word(name, start..start + name.len()),
            args: vec![],
            block: None,
            lua_body: None,
            span: start..start + name.len() + 1,
        }
    }

    #[test]
    fn arg_and_helpers() {
        let mut d = leaf("add_header", 0);
        d.args.push(word("X", 11..12));
        assert_eq!(d.arg(0), Some("X"));
        assert_eq!(d.arg(1), None);
        assert_eq!(d.name_str(), "add_header");
        assert!(d.children().is_empty());
        assert!(!d.is_lua_block());
        assert!(!d.args[0].is_quoted());
    }

    #[test]
    fn walk_is_depth_first() {
        let mut outer = leaf("http", 0);
        let mut server = leaf("server", 5);
        server.block = Some(Block {
            children: vec![leaf("listen", 10)],
            open: 8..9,
            close: 20..21,
        });
        outer.block = Some(Block {
            children: vec![server, leaf("gzip", 30)],
            open: 4..5,
            close: 40..41,
        });
        let cfg = Config {
            directives: vec![outer, leaf("events", 50)],
            comments: vec![],
        };
        let seen: Vec<(usize, &str)> = cfg.walk().map(|(d, x)| (d, x.name_str())).collect();
        assert_eq!(
            seen,
            vec![
                (0, "http"),
                (1, "server"),
                (2, "listen"),
                (1, "gzip"),
                (0, "events")
            ]
        );
    }

    #[test]
    fn error_display() {
        let e = ParseError {
            message: "unexpected \"}\"".into(),
            span: 3..4,
        };
        assert_eq!(e.to_string(), "unexpected \"}\" at bytes 3..4");
    }
}
