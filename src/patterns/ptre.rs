//! path-to-regexp 6.1.0 (`lexer`, `parse`, `tokensToRegexp`) as Vercel calls
//! it: `{strict: true, sensitive: true, delimiter: '/'}`, default `prefixes`
//! `"./"`.  Error messages are path-to-regexp's, with JS (UTF-16) indexes.

use super::PatternError;
use super::dialect::{Dialect, translate};

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Open,
    Close,
    Pattern(String),
    Name(String),
    Char(char),
    /// `\` + char; `None` when `\` ends the string (JS reads `undefined`).
    Escaped(Option<char>),
    Modifier(char),
    End,
}

impl Kind {
    fn type_name(&self) -> &'static str {
        match self {
            Kind::Open => "OPEN",
            Kind::Close => "CLOSE",
            Kind::Pattern(_) => "PATTERN",
            Kind::Name(_) => "NAME",
            Kind::Char(_) => "CHAR",
            Kind::Escaped(_) => "ESCAPED_CHAR",
            Kind::Modifier(_) => "MODIFIER",
            Kind::End => "END",
        }
    }
}

#[derive(Debug, Clone)]
struct Tok {
    kind: Kind,
    /// JS index (UTF-16 code units) as path-to-regexp reports it.
    index: usize,
}

/// Maps JS indexes to byte offsets.
struct Idx {
    /// (utf16 index, byte offset, char)
    chars: Vec<(usize, usize, char)>,
    utf16_len: usize,
    byte_len: usize,
}

impl Idx {
    fn new(s: &str) -> Self {
        let mut chars = Vec::with_capacity(s.len());
        let mut u = 0;
        for (b, c) in s.char_indices() {
            chars.push((u, b, c));
            u += c.len_utf16();
        }
        Idx {
            chars,
            utf16_len: u,
            byte_len: s.len(),
        }
    }
    fn byte_of(&self, u16idx: usize) -> usize {
        match self.chars.binary_search_by_key(&u16idx, |&(u, _, _)| u) {
            Ok(k) => self.chars[k].1,
            Err(k) if k < self.chars.len() => self.chars[k].1,
            Err(_) => self.byte_len,
        }
    }
}

fn err(idx: &Idx, msg: String, js_index: usize) -> PatternError {
    PatternError::new(msg, Some(idx.byte_of(js_index)))
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn lexer(idx: &Idx) -> Result<Vec<Tok>, PatternError> {
    let cs = &idx.chars;
    let mut toks = Vec::new();
    let mut i = 0; // position in `cs`
    // JS index of position k (k may be == len)
    let js = |k: usize| cs.get(k).map_or(idx.utf16_len, |&(u, _, _)| u);
    let mut end_extra = 0; // JS `i` overshoot after a trailing `\`
    while i < cs.len() {
        let c = cs[i].2;
        let at = js(i);
        match c {
            '*' | '+' | '?' => {
                toks.push(Tok {
                    kind: Kind::Modifier(c),
                    index: at,
                });
                i += 1;
            }
            '\\' => {
                let v = cs.get(i + 1).map(|t| t.2);
                if v.is_none() {
                    end_extra = 1;
                }
                toks.push(Tok {
                    kind: Kind::Escaped(v),
                    index: at,
                });
                i += 2;
            }
            '{' => {
                toks.push(Tok {
                    kind: Kind::Open,
                    index: at,
                });
                i += 1;
            }
            '}' => {
                toks.push(Tok {
                    kind: Kind::Close,
                    index: at,
                });
                i += 1;
            }
            ':' => {
                let mut j = i + 1;
                let mut name = String::new();
                while j < cs.len() && is_name_char(cs[j].2) {
                    name.push(cs[j].2);
                    j += 1;
                }
                if name.is_empty() {
                    return Err(err(idx, format!("Missing parameter name at {at}"), at));
                }
                toks.push(Tok {
                    kind: Kind::Name(name),
                    index: at,
                });
                i = j;
            }
            '(' => {
                let mut count = 1;
                let mut pattern = String::new();
                let mut j = i + 1;
                if cs.get(j).map(|t| t.2) == Some('?') {
                    let a = js(j);
                    return Err(err(
                        idx,
                        format!("Pattern cannot start with \"?\" at {a}"),
                        a,
                    ));
                }
                while j < cs.len() {
                    let cj = cs[j].2;
                    if cj == '\\' {
                        pattern.push('\\');
                        if let Some(n) = cs.get(j + 1) {
                            pattern.push(n.2);
                        }
                        j += 2;
                        continue;
                    }
                    if cj == ')' {
                        count -= 1;
                        if count == 0 {
                            j += 1;
                            break;
                        }
                    } else if cj == '(' {
                        count += 1;
                        if cs.get(j + 1).map(|t| t.2) != Some('?') {
                            let a = js(j);
                            return Err(err(
                                idx,
                                format!("Capturing groups are not allowed at {a}"),
                                a,
                            ));
                        }
                    }
                    pattern.push(cj);
                    j += 1;
                }
                if count != 0 {
                    return Err(err(idx, format!("Unbalanced pattern at {at}"), at));
                }
                if pattern.is_empty() {
                    return Err(err(idx, format!("Missing pattern at {at}"), at));
                }
                toks.push(Tok {
                    kind: Kind::Pattern(pattern),
                    index: at,
                });
                i = j;
            }
            _ => {
                toks.push(Tok {
                    kind: Kind::Char(c),
                    index: at,
                });
                i += 1;
            }
        }
    }
    toks.push(Tok {
        kind: Kind::End,
        index: idx.utf16_len + end_extra,
    });
    Ok(toks)
}

#[derive(Debug)]
enum PTok {
    Path(String),
    Key {
        name: Option<String>,
        has_pattern: bool,
        pattern: String,
        prefix: String,
        suffix: String,
        modifier: String,
    },
}

struct Parser<'a> {
    toks: Vec<Tok>,
    i: usize,
    idx: &'a Idx,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i)
    }
    fn try_char(&mut self) -> Option<char> {
        if let Some(Tok {
            kind: Kind::Char(c),
            ..
        }) = self.peek()
        {
            let c = *c;
            self.i += 1;
            return Some(c);
        }
        None
    }
    fn try_name(&mut self) -> Option<String> {
        if let Some(Tok {
            kind: Kind::Name(n),
            ..
        }) = self.peek()
        {
            let n = n.clone();
            self.i += 1;
            return Some(n);
        }
        None
    }
    fn try_pattern(&mut self) -> Option<String> {
        if let Some(Tok {
            kind: Kind::Pattern(p),
            ..
        }) = self.peek()
        {
            let p = p.clone();
            self.i += 1;
            return Some(p);
        }
        None
    }
    /// `Some(value)` when an ESCAPED_CHAR token was consumed (value may be undefined).
    fn try_escaped(&mut self) -> Option<Option<char>> {
        if let Some(Tok {
            kind: Kind::Escaped(v),
            ..
        }) = self.peek()
        {
            let v = *v;
            self.i += 1;
            return Some(v);
        }
        None
    }
    fn try_modifier(&mut self) -> String {
        if let Some(Tok {
            kind: Kind::Modifier(m),
            ..
        }) = self.peek()
        {
            let m = *m;
            self.i += 1;
            return m.to_string();
        }
        String::new()
    }
    fn try_kind(&mut self, k: &Kind) -> bool {
        if self.peek().is_some_and(|t| &t.kind == k) {
            self.i += 1;
            return true;
        }
        false
    }
    fn must(&mut self, k: &Kind) -> Result<(), PatternError> {
        if self.try_kind(k) {
            return Ok(());
        }
        let t = self.peek().cloned().unwrap_or(Tok {
            kind: Kind::End,
            index: self.idx.utf16_len,
        });
        Err(err(
            self.idx,
            format!(
                "Unexpected {} at {}, expected {}",
                t.kind.type_name(),
                t.index,
                k.type_name()
            ),
            t.index,
        ))
    }
    fn consume_text(&mut self) -> String {
        let mut out = String::new();
        loop {
            if let Some(c) = self.try_char() {
                out.push(c);
                continue;
            }
            match self.try_escaped() {
                Some(Some(c)) => out.push(c),
                _ => break,
            }
        }
        out
    }
}

fn parse(src: &str, idx: &Idx) -> Result<Vec<PTok>, PatternError> {
    let toks = lexer(idx)?;
    let _ = src;
    let mut p = Parser { toks, i: 0, idx };
    let prefixes = "./";
    let mut result = Vec::new();
    let mut path = String::new();
    while p.i < p.toks.len() {
        let ch = p.try_char();
        let name = p.try_name();
        let pattern = p.try_pattern();
        if name.is_some() || pattern.is_some() {
            let mut prefix = ch.map(String::from).unwrap_or_default();
            // JS: `prefixes.indexOf(prefix) === -1` ("" is always found)
            if !prefixes.contains(prefix.as_str()) {
                path.push_str(&prefix);
                prefix.clear();
            }
            if !path.is_empty() {
                result.push(PTok::Path(std::mem::take(&mut path)));
            }
            let modifier = p.try_modifier();
            result.push(PTok::Key {
                name,
                has_pattern: true,
                pattern: pattern.unwrap_or_default(),
                prefix,
                suffix: String::new(),
                modifier,
            });
            continue;
        }
        if let Some(c) = ch {
            path.push(c);
            continue;
        }
        // an ESCAPED_CHAR with an `undefined` value is consumed and falls through, like JS
        if let Some(Some(c)) = p.try_escaped() {
            path.push(c);
            continue;
        }
        if !path.is_empty() {
            result.push(PTok::Path(std::mem::take(&mut path)));
        }
        if p.try_kind(&Kind::Open) {
            let prefix = p.consume_text();
            let name = p.try_name();
            let pattern = p.try_pattern();
            let suffix = p.consume_text();
            p.must(&Kind::Close)?;
            let modifier = p.try_modifier();
            let has_pattern = name.is_some() || pattern.is_some();
            result.push(PTok::Key {
                name,
                has_pattern,
                pattern: pattern.unwrap_or_default(),
                prefix,
                suffix,
                modifier,
            });
            continue;
        }
        p.must(&Kind::End)?;
    }
    Ok(result)
}

/// Returns (Rust regex, named parameters).
pub(crate) fn source_to_regex(src: &str) -> Result<(String, Vec<String>), PatternError> {
    let idx = Idx::new(src);
    let toks = parse(src, &idx)?;
    let mut route = String::from("^");
    let mut params = Vec::new();
    for t in toks {
        match t {
            PTok::Path(s) => route.push_str(&regex_syntax::escape(&s)),
            PTok::Key {
                name,
                has_pattern,
                pattern,
                prefix,
                suffix,
                modifier,
            } => {
                let pre = regex_syntax::escape(&prefix);
                let suf = regex_syntax::escape(&suffix);
                if has_pattern {
                    if let Some(n) = name {
                        params.push(n);
                    }
                    let pat = if pattern.is_empty() {
                        "[^/]+?".to_string()
                    } else {
                        translate(&pattern, Dialect::Js, &Default::default()).map_err(|e| {
                            PatternError::new(format!("in `({pattern})`: {}", e.message), None)
                        })?
                    };
                    if !pre.is_empty() || !suf.is_empty() {
                        if modifier == "+" || modifier == "*" {
                            let m = if modifier == "*" { "?" } else { "" };
                            route.push_str(&format!(
                                "(?:{pre}((?:{pat})(?:{suf}{pre}(?:{pat}))*){suf}){m}"
                            ));
                        } else {
                            route.push_str(&format!("(?:{pre}({pat}){suf}){modifier}"));
                        }
                    } else {
                        route.push_str(&format!("({pat}){modifier}"));
                    }
                } else {
                    route.push_str(&format!("(?:{pre}{suf}){modifier}"));
                }
            }
        }
    }
    route.push('$');
    Ok((route, params))
}
