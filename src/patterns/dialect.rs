//! Translation of JS / PCRE / RE2 regex text into `regex`-crate syntax with
//! the same meaning, or a [`PatternError`] for constructs the `regex` crate
//! cannot express (lookaround, backreferences, atomic/possessive, recursion…).

use super::PatternError;

/// Source regex dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// ECMAScript without the `u` flag (Annex B: `\/`, lone `{`, `\a` are literals).
    Js,
    /// ECMAScript with the `u` flag (strict escapes).
    JsUnicode,
    /// PCRE / PCRE2 as nginx uses it.
    Pcre,
    /// RE2 (Firebase Hosting `regex`).
    Re2,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Options {
    /// Replacement text for a start anchor `^` (default `^`).
    pub start_anchor: Option<&'static str>,
}

/// Translates `src` written in `dialect` into an equivalent Rust regex.
pub(crate) fn translate(
    src: &str,
    dialect: Dialect,
    opts: &Options,
) -> Result<String, PatternError> {
    let mut t = Tr {
        chars: src.char_indices().collect(),
        len: src.len(),
        pos: 0,
        out: String::with_capacity(src.len() * 2),
        d: dialect,
        opts,
        depth: 0,
        multiline: dialect == Dialect::Pcre && has_multiline_flag(src),
        can_repeat: false,
    };
    t.run()?;
    Ok(t.out)
}

fn has_multiline_flag(src: &str) -> bool {
    let b = src.as_bytes();
    let mut i = 0;
    while i + 2 < b.len() {
        if b[i] == b'(' && b[i + 1] == b'?' {
            let mut j = i + 2;
            while j < b.len() && (b[j].is_ascii_alphabetic() || b[j] == b'-') {
                if b[j] == b'-' {
                    break;
                }
                if b[j] == b'm' {
                    return true;
                }
                j += 1;
            }
        }
        i += 1;
    }
    false
}

struct Tr<'a> {
    chars: Vec<(usize, char)>,
    len: usize,
    pos: usize,
    out: String,
    d: Dialect,
    opts: &'a Options,
    depth: usize,
    multiline: bool,
    can_repeat: bool,
}

/// Result of parsing one escape sequence.
enum Esc {
    Char(char),
    /// A class: `inner` is usable inside `[...]`, `standalone` outside.
    Set {
        inner: String,
        standalone: String,
    },
    /// An assertion or other outside-only construct (already Rust syntax).
    Raw(String),
    /// Produces nothing (`\E`).
    Empty,
    /// RE2 `\Q…\E` literal text.
    Quote(String),
}

const ANY_CHAR_CLASS: &str = r"(?s-i:.)";
const NO_CHAR_CLASS: &str = r"(?-i:[^\x{0}-\x{10FFFF}])";

impl Tr<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).map(|&(_, c)| c)
    }
    fn peek_at(&self, k: usize) -> Option<char> {
        self.chars.get(self.pos + k).map(|&(_, c)| c)
    }
    fn off(&self, pos: usize) -> usize {
        self.chars.get(pos).map_or(self.len, |&(o, _)| o)
    }
    fn is_js(&self) -> bool {
        matches!(self.d, Dialect::Js | Dialect::JsUnicode)
    }

    fn unsupported(&self, what: &str, pos: usize) -> PatternError {
        let msg = match self.d {
            Dialect::Pcre => format!("uses PCRE syntax that corslint does not analyse ({what})"),
            Dialect::Re2 => {
                format!("RE2 does not support {what} (the platform rejects this regex)")
            }
            Dialect::Js | Dialect::JsUnicode => {
                format!("uses regex syntax that corslint does not analyse ({what})")
            }
        };
        PatternError::new(msg, Some(self.off(pos)))
    }
    fn invalid(&self, what: &str, pos: usize) -> PatternError {
        PatternError::new(
            format!("invalid regular expression: {what}"),
            Some(self.off(pos)),
        )
    }

    fn push_lit(&mut self, c: char) {
        let mut buf = [0u8; 4];
        regex_syntax::escape_into(c.encode_utf8(&mut buf), &mut self.out);
        self.can_repeat = true;
    }

    fn run(&mut self) -> Result<(), PatternError> {
        while let Some(c) = self.peek() {
            let at = self.pos;
            match c {
                '\\' => {
                    let e = self.escape(false)?;
                    self.emit_esc(e);
                }
                '[' => self.class()?,
                '(' => self.group_open()?,
                ')' => {
                    if self.depth == 0 {
                        return Err(self.invalid("unmatched `)`", at));
                    }
                    self.depth -= 1;
                    self.pos += 1;
                    self.out.push(')');
                    self.can_repeat = true;
                }
                '|' => {
                    self.pos += 1;
                    self.out.push('|');
                    self.can_repeat = false;
                }
                '^' => {
                    self.pos += 1;
                    self.out.push_str(self.opts.start_anchor.unwrap_or("^"));
                    self.can_repeat = false;
                }
                '$' => {
                    self.pos += 1;
                    if self.d == Dialect::Pcre && !self.multiline {
                        // PCRE `$` also matches before a final newline.
                        self.out.push_str(r"(?:\n?\z)");
                    } else {
                        self.out.push('$');
                    }
                    self.can_repeat = false;
                }
                '.' => {
                    self.pos += 1;
                    if self.is_js() {
                        // `(?-i:…)`: same set, but skips costly case folding under `(?i)`
                        self.out.push_str(r"(?-i:[^\n\r\x{2028}\x{2029}])");
                    } else {
                        self.out.push('.');
                    }
                    self.can_repeat = true;
                }
                '*' | '+' | '?' => {
                    self.pos += 1;
                    self.quantifier(c.to_string(), at)?;
                }
                '{' => {
                    if let Some((text, n)) = self.brace_quantifier()? {
                        self.pos += n;
                        self.quantifier(text, at)?;
                    } else {
                        if self.d == Dialect::JsUnicode {
                            return Err(self.invalid("lone `{` (incomplete quantifier)", at));
                        }
                        self.pos += 1;
                        self.push_lit('{');
                    }
                }
                '}' | ']' => {
                    if self.d == Dialect::JsUnicode {
                        return Err(self.invalid(&format!("lone `{c}`"), at));
                    }
                    self.pos += 1;
                    self.push_lit(c);
                }
                _ => {
                    self.pos += 1;
                    self.push_lit(c);
                }
            }
        }
        if self.depth > 0 {
            return Err(self.invalid("missing `)`", self.chars.len()));
        }
        Ok(())
    }

    /// `{n}`, `{n,}`, `{n,m}` at the current position: returns the Rust text
    /// and the number of chars consumed.
    fn brace_quantifier(&self) -> Result<Option<(String, usize)>, PatternError> {
        let mut k = 1;
        let mut lo = String::new();
        while let Some(c) = self.peek_at(k).filter(char::is_ascii_digit) {
            lo.push(c);
            k += 1;
        }
        if lo.is_empty() {
            return Ok(None);
        }
        let mut hi: Option<String> = None;
        if self.peek_at(k) == Some(',') {
            k += 1;
            let mut h = String::new();
            while let Some(c) = self.peek_at(k).filter(char::is_ascii_digit) {
                h.push(c);
                k += 1;
            }
            hi = Some(h);
        }
        if self.peek_at(k) != Some('}') {
            return Ok(None);
        }
        k += 1;
        let big = |s: &str| self.invalid(&format!("quantifier bound {s} too large"), self.pos);
        let lo_n: u32 = lo.parse().map_err(|_| big(&lo))?;
        let text = match &hi {
            None => format!("{{{lo_n}}}"),
            Some(h) if h.is_empty() => format!("{{{lo_n},}}"),
            Some(h) => {
                let hi_n: u32 = h.parse().map_err(|_| big(h))?;
                if hi_n < lo_n {
                    return Err(self.invalid("numbers out of order in `{}` quantifier", self.pos));
                }
                format!("{{{lo_n},{hi_n}}}")
            }
        };
        Ok(Some((text, k)))
    }

    fn quantifier(&mut self, text: String, at: usize) -> Result<(), PatternError> {
        if !self.can_repeat {
            return Err(self.invalid("nothing to repeat", at));
        }
        self.out.push_str(&text);
        match self.peek() {
            Some('?') => {
                self.pos += 1;
                self.out.push('?');
            }
            Some('+') if self.d == Dialect::Pcre => {
                return Err(self.unsupported("possessive quantifier", self.pos));
            }
            _ => {}
        }
        self.can_repeat = false;
        Ok(())
    }

    fn emit_esc(&mut self, e: Esc) {
        match e {
            Esc::Char(c) => self.push_lit(c),
            Esc::Set { standalone, .. } => {
                self.out.push_str(&standalone);
                self.can_repeat = true;
            }
            Esc::Raw(s) => {
                // assertions (`\b`, `\A`, `\z`…) cannot be quantified
                self.out.push_str(&s);
                self.can_repeat = false;
            }
            Esc::Empty => {}
            Esc::Quote(s) => {
                if !s.is_empty() {
                    self.out.push_str("(?:");
                    self.out.push_str(&regex_syntax::escape(&s));
                    self.out.push(')');
                    self.can_repeat = true;
                }
            }
        }
    }

    /// Parses an escape at `self.pos` (which holds `\`).
    fn escape(&mut self, in_class: bool) -> Result<Esc, PatternError> {
        let at = self.pos;
        self.pos += 1;
        let Some(n) = self.peek() else {
            return Err(self.invalid("`\\` at end of pattern", at));
        };
        self.pos += 1;
        let d = self.d;
        let js = self.is_js();
        let lit_or_err = |t: &Self, c: char| -> Result<Esc, PatternError> {
            if d == Dialect::Js {
                Ok(Esc::Char(c))
            } else {
                Err(t.invalid(&format!("unrecognized escape `\\{c}`"), at))
            }
        };
        let set = |inner: &str, standalone: &str| Esc::Set {
            inner: inner.into(),
            standalone: standalone.into(),
        };
        Ok(match n {
            'd' => set("0-9", "[0-9]"),
            'D' => set("[^0-9]", "(?-i:[^0-9])"),
            'w' => set("0-9A-Za-z_", "[0-9A-Za-z_]"),
            'W' => set("[^0-9A-Za-z_]", "(?-i:[^0-9A-Za-z_])"),
            's' => match d {
                Dialect::Js | Dialect::JsUnicode => set(r"\s\x{FEFF}", r"[\s\x{FEFF}]"),
                Dialect::Pcre => set(r"\t\n\x0B\x0C\r\x20", r"[\t\n\x0B\x0C\r\x20]"),
                Dialect::Re2 => set(r"\t\n\x0C\r\x20", r"[\t\n\x0C\r\x20]"),
            },
            'S' => match d {
                Dialect::Js | Dialect::JsUnicode => set(r"[^\s\x{FEFF}]", r"(?-i:[^\s\x{FEFF}])"),
                Dialect::Pcre => set(r"[^\t\n\x0B\x0C\r\x20]", r"(?-i:[^\t\n\x0B\x0C\r\x20])"),
                Dialect::Re2 => set(r"[^\t\n\x0C\r\x20]", r"(?-i:[^\t\n\x0C\r\x20])"),
            },
            'b' if in_class => Esc::Char('\u{8}'),
            'b' => Esc::Raw(r"(?-u:\b)".into()),
            'B' if in_class => lit_or_err(self, 'B')?,
            'B' => Esc::Raw(r"(?-u:\B)".into()),
            'A' | 'z' if !js && !in_class => Esc::Raw(format!("\\{n}")),
            'Z' if d == Dialect::Pcre && !in_class => Esc::Raw(r"(?:\n?\z)".into()),
            'G' if d == Dialect::Pcre => return Err(self.unsupported("`\\G`", at)),
            '1'..='9' => {
                if d == Dialect::Js && in_class {
                    // Annex B: octal escape / identity in classes.
                    Esc::Char(self.legacy_octal(n))
                } else {
                    return Err(self.unsupported("backreference", at));
                }
            }
            '0' => {
                if d == Dialect::JsUnicode {
                    if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                        return Err(self.invalid("invalid decimal escape", at));
                    }
                    Esc::Char('\0')
                } else {
                    Esc::Char(self.legacy_octal('0'))
                }
            }
            'x' => self.hex_escape(at)?,
            'u' if js => self.unicode_escape(at)?,
            'c' => {
                if let Some(l) = self.peek().filter(|c| c.is_ascii_alphabetic()) {
                    self.pos += 1;
                    Esc::Char(char::from((l as u8) % 32))
                } else if d == Dialect::Js {
                    // Annex B: `\c` not followed by a letter is a literal backslash + c.
                    self.pos -= 1;
                    Esc::Char('\\')
                } else {
                    return Err(self.invalid("`\\c` must be followed by a letter", at));
                }
            }
            't' => Esc::Char('\t'),
            'n' => Esc::Char('\n'),
            'r' => Esc::Char('\r'),
            'f' => Esc::Char('\u{C}'),
            'v' if d == Dialect::Pcre => set(
                r"\n\x0B\x0C\r\x{85}\x{2028}\x{2029}",
                r"[\n\x0B\x0C\r\x{85}\x{2028}\x{2029}]",
            ),
            'v' => Esc::Char('\u{B}'),
            'V' if d == Dialect::Pcre => set(
                r"[^\n\x0B\x0C\r\x{85}\x{2028}\x{2029}]",
                r"[^\n\x0B\x0C\r\x{85}\x{2028}\x{2029}]",
            ),
            'h' if d == Dialect::Pcre => set(HSPACE, &format!("[{HSPACE}]")),
            'H' if d == Dialect::Pcre => set(&format!("[^{HSPACE}]"), &format!("[^{HSPACE}]")),
            'R' if d == Dialect::Pcre && !in_class => {
                set("", r"(?:\r\n|[\n\x0B\x0C\r\x{85}\x{2028}\x{2029}])")
            }
            'N' if d == Dialect::Pcre && !in_class => set("", r"[^\n]"),
            'e' if d == Dialect::Pcre => Esc::Char('\u{1B}'),
            'a' if !js => Esc::Char('\u{7}'),
            'p' | 'P' if d != Dialect::Js => self.property(n == 'P', at)?,
            'k' => {
                if d == Dialect::Js && self.peek() != Some('<') {
                    Esc::Char('k')
                } else {
                    return Err(self.unsupported("backreference", at));
                }
            }
            'g' if d == Dialect::Pcre => {
                return Err(self.unsupported("backreference or subroutine call", at));
            }
            'Q' if d == Dialect::Pcre => return Err(self.unsupported("`\\Q…\\E` quoting", at)),
            'Q' if d == Dialect::Re2 => {
                let mut s = String::new();
                while let Some(c) = self.peek() {
                    if c == '\\' && self.peek_at(1) == Some('E') {
                        self.pos += 2;
                        break;
                    }
                    s.push(c);
                    self.pos += 1;
                }
                if in_class {
                    return Err(self.invalid("`\\Q` inside a character class", at));
                }
                Esc::Quote(s)
            }
            'E' if !js => Esc::Empty,
            'K' if d == Dialect::Pcre => return Err(self.unsupported("`\\K`", at)),
            'X' | 'C' if d == Dialect::Pcre => {
                return Err(self.unsupported(&format!("`\\{n}`"), at));
            }
            'C' if d == Dialect::Re2 => return Err(self.unsupported("`\\C`", at)),
            c if c.is_ascii_alphanumeric() => lit_or_err(self, c)?,
            c => Esc::Char(c),
        })
    }

    /// Octal escape after `\` + `first` (already consumed): up to 3 octal digits total.
    fn legacy_octal(&mut self, first: char) -> char {
        if !('0'..='7').contains(&first) {
            return first; // `\8`, `\9` in Annex B classes are identity escapes
        }
        let mut v = first.to_digit(8).unwrap_or(0);
        let mut k = 1;
        while k < 3 {
            match self.peek().and_then(|c| c.to_digit(8)) {
                Some(dg) if v * 8 + dg <= 0o377 => {
                    v = v * 8 + dg;
                    self.pos += 1;
                    k += 1;
                }
                _ => break,
            }
        }
        char::from_u32(v).unwrap_or('\0')
    }

    fn take_hex(&mut self, max: usize) -> String {
        let mut s = String::new();
        while s.len() < max {
            match self.peek() {
                Some(c) if c.is_ascii_hexdigit() => {
                    s.push(c);
                    self.pos += 1;
                }
                _ => break,
            }
        }
        s
    }

    fn braced_hex(&mut self, at: usize) -> Result<char, PatternError> {
        // at `{`
        self.pos += 1;
        let h = self.take_hex(8);
        if self.peek() != Some('}') || h.is_empty() {
            return Err(self.invalid("malformed `\\x{…}` / `\\u{…}` escape", at));
        }
        self.pos += 1;
        u32::from_str_radix(&h, 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or_else(|| self.unsupported("code point that is not a Unicode scalar value", at))
    }

    fn hex_escape(&mut self, at: usize) -> Result<Esc, PatternError> {
        match self.d {
            Dialect::Js | Dialect::JsUnicode => {
                let save = self.pos;
                let h = self.take_hex(2);
                if h.len() == 2 {
                    Ok(Esc::Char(char::from(
                        u8::from_str_radix(&h, 16).unwrap_or(0),
                    )))
                } else if self.d == Dialect::Js {
                    self.pos = save;
                    Ok(Esc::Char('x'))
                } else {
                    Err(self.invalid("malformed `\\x` escape", at))
                }
            }
            Dialect::Pcre | Dialect::Re2 => {
                if self.peek() == Some('{') {
                    return Ok(Esc::Char(self.braced_hex(at)?));
                }
                let h = self.take_hex(2);
                if h.len() == 2 || (self.d == Dialect::Pcre && !h.is_empty()) {
                    Ok(Esc::Char(char::from(
                        u8::from_str_radix(&h, 16).unwrap_or(0),
                    )))
                } else if self.d == Dialect::Pcre {
                    Ok(Esc::Char('\0'))
                } else {
                    Err(self.invalid("malformed `\\x` escape", at))
                }
            }
        }
    }

    fn unicode_escape(&mut self, at: usize) -> Result<Esc, PatternError> {
        if self.d == Dialect::JsUnicode && self.peek() == Some('{') {
            return Ok(Esc::Char(self.braced_hex(at)?));
        }
        let save = self.pos;
        let h = self.take_hex(4);
        if h.len() != 4 {
            if self.d == Dialect::Js {
                self.pos = save;
                return Ok(Esc::Char('u'));
            }
            return Err(self.invalid("malformed `\\u` escape", at));
        }
        let hi = u32::from_str_radix(&h, 16).unwrap_or(0);
        if (0xD800..0xDC00).contains(&hi)
            && self.peek() == Some('\\')
            && self.peek_at(1) == Some('u')
        {
            let save2 = self.pos;
            self.pos += 2;
            let l = self.take_hex(4);
            let lo = u32::from_str_radix(&l, 16).unwrap_or(0);
            if l.len() == 4 && (0xDC00..0xE000).contains(&lo) {
                let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                if let Some(c) = char::from_u32(cp) {
                    return Ok(Esc::Char(c));
                }
            }
            self.pos = save2;
        }
        char::from_u32(hi)
            .map(Esc::Char)
            .ok_or_else(|| self.unsupported("lone surrogate escape", at))
    }

    fn property(&mut self, negated: bool, at: usize) -> Result<Esc, PatternError> {
        let name = if self.peek() == Some('{') {
            self.pos += 1;
            let mut s = String::new();
            loop {
                match self.peek() {
                    Some('}') => {
                        self.pos += 1;
                        break;
                    }
                    Some(c) => {
                        s.push(c);
                        self.pos += 1;
                    }
                    None => return Err(self.invalid("unterminated `\\p{`", at)),
                }
            }
            s
        } else if let Some(c) = self.peek().filter(|c| c.is_ascii_alphabetic()) {
            self.pos += 1;
            c.to_string()
        } else {
            return Err(self.invalid("malformed `\\p` escape", at));
        };
        let (neg, name) = match name.strip_prefix('^') {
            Some(rest) => (!negated, rest.to_string()),
            None => (negated, name),
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_=- ".contains(c))
        {
            return Err(self.invalid("malformed `\\p` escape", at));
        }
        let p = if neg { 'P' } else { 'p' };
        let frag = format!("\\{p}{{{name}}}");
        Ok(Esc::Set {
            inner: frag.clone(),
            standalone: frag,
        })
    }

    fn group_open(&mut self) -> Result<(), PatternError> {
        let at = self.pos;
        self.pos += 1; // `(`
        if self.peek() == Some('*') && self.d == Dialect::Pcre {
            return Err(self.unsupported("backtracking control verb `(*…)`", at));
        }
        if self.peek() != Some('?') {
            self.out.push('(');
            self.depth += 1;
            self.can_repeat = false;
            return Ok(());
        }
        self.pos += 1; // `?`
        let pcre = self.d == Dialect::Pcre;
        match self.peek() {
            Some(':') => {
                self.pos += 1;
                self.out.push_str("(?:");
            }
            Some('=') | Some('!') => return Err(self.unsupported("lookahead", at)),
            Some('<') if matches!(self.peek_at(1), Some('=') | Some('!')) => {
                return Err(self.unsupported("lookbehind", at));
            }
            Some('<') => {
                self.pos += 1;
                let name = self.group_name('>', at)?;
                self.out.push_str(&format!("(?P<{name}>"));
            }
            Some('P') if !self.is_js() => {
                self.pos += 1;
                match self.peek() {
                    Some('<') => {
                        self.pos += 1;
                        let name = self.group_name('>', at)?;
                        self.out.push_str(&format!("(?P<{name}>"));
                    }
                    Some('=') => return Err(self.unsupported("backreference", at)),
                    Some('>') => return Err(self.unsupported("recursion / subroutine call", at)),
                    _ => return Err(self.invalid("invalid `(?P` group", at)),
                }
            }
            Some('\'') if pcre => {
                self.pos += 1;
                let name = self.group_name('\'', at)?;
                self.out.push_str(&format!("(?P<{name}>"));
            }
            Some('>') if pcre => return Err(self.unsupported("atomic group", at)),
            Some('|') if pcre => return Err(self.unsupported("branch reset group", at)),
            Some('(') if pcre => return Err(self.unsupported("conditional group", at)),
            Some('C') if pcre => return Err(self.unsupported("callout", at)),
            Some('#') if pcre => {
                // comment group: skip to `)`
                while let Some(c) = self.peek() {
                    self.pos += 1;
                    if c == ')' {
                        return Ok(());
                    }
                }
                return Err(self.invalid("unterminated comment group", at));
            }
            Some(c) if pcre && (c == 'R' || c == '&' || c == '+' || c.is_ascii_digit()) => {
                return Err(self.unsupported("recursion / subroutine call", at));
            }
            Some('-') if pcre && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) => {
                return Err(self.unsupported("recursion / subroutine call", at));
            }
            Some(c) if !self.is_js() && (c.is_ascii_alphabetic() || c == '-' || c == '^') => {
                return self.inline_flags(at);
            }
            _ => return Err(self.invalid("invalid group", at)),
        }
        self.depth += 1;
        self.can_repeat = false;
        Ok(())
    }

    fn group_name(&mut self, close: char, at: usize) -> Result<String, PatternError> {
        let mut name = String::new();
        loop {
            match self.peek() {
                Some(c) if c == close => {
                    self.pos += 1;
                    break;
                }
                Some(c) if c.is_alphanumeric() || c == '_' || c == '$' => {
                    name.push(c);
                    self.pos += 1;
                }
                _ => return Err(self.invalid("invalid capture group name", at)),
            }
        }
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(self.invalid("invalid capture group name", at));
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(self.unsupported("non-ASCII capture group name", at));
        }
        Ok(name)
    }

    fn inline_flags(&mut self, at: usize) -> Result<(), PatternError> {
        let mut flags = String::new();
        let mut on = true;
        loop {
            match self.peek() {
                Some(')') => {
                    self.pos += 1;
                    self.out.push_str(&format!("(?{flags})"));
                    return Ok(());
                }
                Some(':') => {
                    self.pos += 1;
                    self.out.push_str(&format!("(?{flags}:"));
                    self.depth += 1;
                    self.can_repeat = false;
                    return Ok(());
                }
                Some('-') => {
                    on = false;
                    flags.push('-');
                    self.pos += 1;
                }
                Some(c) if "imsU".contains(c) || (c == 'x' && self.d == Dialect::Pcre) => {
                    if c == 'm' && on {
                        self.multiline = true;
                    }
                    flags.push(c);
                    self.pos += 1;
                }
                Some(c) if c.is_ascii_alphabetic() || c == '^' => {
                    return Err(self.unsupported(&format!("inline flag `{c}`"), at));
                }
                _ => return Err(self.invalid("invalid group", at)),
            }
        }
    }

    fn class(&mut self) -> Result<(), PatternError> {
        let start = self.pos;
        self.pos += 1; // `[`
        let negated = if self.peek() == Some('^') {
            self.pos += 1;
            true
        } else {
            false
        };
        let mut items: Vec<String> = Vec::new();
        // every member is a non-letter ASCII char (or \d / \s): case folding
        // cannot change the set, so a negated class may skip it
        let mut caseless = true;
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.invalid("missing `]`", start));
            };
            // PCRE/RE2: a `]` right after `[` or `[^` is literal; JS: `[]` is empty
            if c == ']' && (!first || self.is_js()) {
                self.pos += 1;
                break;
            }
            first = false;
            let left = self.class_atom()?;
            // range?
            if self.peek() == Some('-') && self.peek_at(1).is_some_and(|c| c != ']') {
                if let ClassAtom::Char(l) = left {
                    let dash = self.pos;
                    self.pos += 1;
                    let right = self.class_atom()?;
                    match right {
                        ClassAtom::Char(r) => {
                            if r < l {
                                return Err(
                                    self.invalid("range out of order in character class", dash)
                                );
                            }
                            caseless &= caseless_range(l, r);
                            items.push(format!("{}-{}", class_char(l), class_char(r)));
                        }
                        ClassAtom::Set(s) => {
                            caseless = false;
                            if self.d != Dialect::Js {
                                return Err(self.invalid("invalid range in character class", dash));
                            }
                            items.push(class_char(l));
                            items.push(class_char('-'));
                            items.push(s);
                        }
                    }
                    continue;
                }
                if self.d != Dialect::Js && self.d != Dialect::Re2 {
                    // `[\d-z]`: PCRE2 / JS-u error; Annex B treats `-` literally.
                    return Err(self.invalid("invalid range in character class", self.pos));
                }
            }
            match left {
                ClassAtom::Char(l) => {
                    caseless &= caseless_range(l, l);
                    items.push(class_char(l));
                }
                ClassAtom::Set(s) => {
                    caseless &= s == "0-9" || s.starts_with(r"\t") || s.starts_with(r"\s");
                    items.push(s);
                }
            }
        }
        if items.is_empty() {
            // JS `[]` (nothing) / `[^]` (anything)
            self.out.push_str(if negated {
                ANY_CHAR_CLASS
            } else {
                NO_CHAR_CLASS
            });
        } else {
            let wrap = negated && caseless;
            if wrap {
                self.out.push_str("(?-i:");
            }
            self.out.push('[');
            if negated {
                self.out.push('^');
            }
            for it in items {
                self.out.push_str(&it);
            }
            self.out.push(']');
            if wrap {
                self.out.push(')');
            }
        }
        self.can_repeat = true;
        Ok(())
    }

    fn class_atom(&mut self) -> Result<ClassAtom, PatternError> {
        let at = self.pos;
        let c = self.peek().unwrap_or(']');
        if c == '\\' {
            return match self.escape(true)? {
                Esc::Char(ch) => Ok(ClassAtom::Char(ch)),
                Esc::Set { inner, .. } => {
                    if inner.is_empty() {
                        Err(self.invalid("escape not allowed in a character class", at))
                    } else {
                        Ok(ClassAtom::Set(inner))
                    }
                }
                Esc::Empty => Ok(ClassAtom::Set(String::new())),
                Esc::Raw(_) | Esc::Quote(_) => {
                    Err(self.invalid("escape not allowed in a character class", at))
                }
            };
        }
        if c == '[' && !self.is_js() && self.peek_at(1) == Some(':') {
            // POSIX class `[:name:]`
            let rest: String = self.chars[self.pos..]
                .iter()
                .map(|&(_, c)| c)
                .take(20)
                .collect();
            if let Some(end) = rest.find(":]") {
                let body = &rest[2..end];
                if !body.is_empty() && body.chars().all(|c| c.is_ascii_alphabetic() || c == '^') {
                    self.pos += end + 2;
                    return Ok(ClassAtom::Set(format!("[:{body}:]")));
                }
            }
        }
        if c == '[' && self.d == Dialect::JsUnicode {
            // fine: `[` is literal in JS classes
        }
        self.pos += 1;
        Ok(ClassAtom::Char(c))
    }
}

enum ClassAtom {
    Char(char),
    Set(String),
}

const HSPACE: &str = r"\t\x20\xA0\x{1680}\x{180E}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}";

/// `a..=b` holds only ASCII chars without case variants.
fn caseless_range(a: char, b: char) -> bool {
    let (a, b) = (a as u32, b as u32);
    b < 0x80
        && [(0x00, 0x40), (0x5B, 0x60), (0x7B, 0x7F)]
            .iter()
            .any(|&(lo, hi)| lo <= a && b <= hi)
}

/// A char written safely inside a Rust class.
fn class_char(c: char) -> String {
    if c.is_ascii_alphanumeric() {
        c.to_string()
    } else {
        format!("\\x{{{:X}}}", c as u32)
    }
}
