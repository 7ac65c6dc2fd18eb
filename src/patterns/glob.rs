//! superstatic `slasher()` + minimatch 6.2 (default options) → Rust regex.
//!
//! minimatch matches segment by segment (`split(/\/+/)`); we build one regex
//! for the whole path: separators are `/+`, `**` swallows zero or more
//! segments that do not start with `.`, a path with one extra trailing `/`
//! still matches, and every segment pattern with magic must match a non-empty
//! segment not starting with `.` when it starts with `*`, `?`, `[` or an
//! extglob (minimatch's `(?=.)` and `(?!\.)`).

use std::collections::HashSet;

use super::PatternError;
use super::automaton::{self as au, CharSet, Re};

const MAX_EXPANSIONS: usize = 256;

fn perr(msg: impl Into<String>) -> PatternError {
    PatternError::new(msg, None)
}

/// `path.posix.normalize(path.posix.join('/', spec))`.
fn normalize_abs(spec: &str) -> String {
    let joined = format!("/{spec}");
    let trailing = joined.ends_with('/');
    let mut out: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut r = format!("/{}", out.join("/"));
    if trailing && r != "/" {
        r.push('/');
    }
    r
}

/// superstatic / glob-slasher.
pub(crate) fn slasher(spec: &str) -> String {
    match spec.strip_prefix('!') {
        Some(rest) => format!("!{}", normalize_abs(rest)),
        None => normalize_abs(spec),
    }
}

/// Returns the Rust regex and a preferred generic sample (placeholders
/// filled with `x`), which the caller verifies against the regex.
pub(crate) fn glob_to_regex(glob: &str) -> Result<(String, Vec<String>), PatternError> {
    if glob.is_empty() {
        return Err(perr("empty glob: superstatic never matches it"));
    }
    let spec = slasher(glob);
    // minimatch parseNegate
    let bangs = spec.chars().take_while(|&c| c == '!').count();
    let negate = bangs % 2 == 1;
    let pattern = &spec[bangs..];
    if pattern.starts_with('#') {
        // minimatch comment: matches nothing (cannot happen after slasher)
        return Ok((r"[^\x{0}-\x{10FFFF}]".to_string(), Vec::new()));
    }
    let expanded = brace_expand(pattern)?;
    let preferred: Vec<String> = if negate {
        Vec::new()
    } else {
        expanded.iter().take(2).map(|p| glob_sample(p)).collect()
    };
    let mut alts = Vec::with_capacity(expanded.len());
    for p in &expanded {
        alts.push(path_re(p)?);
    }
    let mut re = au::alt(alts);
    if negate {
        let all = au::star(au::set(CharSet::all()));
        re = au::difference(&all, &re)
            .map_err(|e| perr(format!("negated glob is not analysed: {e}")))?;
    }
    let body = au::to_regex(&re);
    if body.len() > 60_000 {
        return Err(perr("glob is too complex to analyse"));
    }
    Ok((format!("^(?:{body})$"), preferred))
}

/// A plain path for one expanded glob: wildcards become `x`, extglobs their
/// first alternative.
fn glob_sample(pattern: &str) -> String {
    let parts: Vec<String> = split_slashes(pattern)
        .iter()
        .map(|p| {
            if *p == "**" {
                return "x".to_string();
            }
            seq_sample(&parse_segment(p).segs)
        })
        .collect();
    parts.join("/")
}

fn seq_sample(segs: &[Seg]) -> String {
    let mut out = String::new();
    for s in segs {
        match s {
            Seg::Lit(c) => out.push(*c),
            Seg::Any => out.push('x'),
            Seg::Star => {
                if !out.ends_with('x') || out.is_empty() {
                    out.push('x');
                }
            }
            Seg::Class(cs) => out.push(cs.pick().unwrap_or('x')),
            Seg::Group { kind, alts, .. } => match kind {
                '@' | '+' => out.push_str(&alts.first().map(|a| seq_sample(a)).unwrap_or_default()),
                '!' => out.push('x'),
                _ => {}
            },
        }
    }
    out
}

fn not_slash() -> CharSet {
    CharSet::all().minus(&CharSet::single('/'))
}

/// JS `str.split(/\/+/)`.
fn split_slashes(p: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = p;
    loop {
        match rest.find('/') {
            Some(i) => {
                out.push(&rest[..i]);
                let after = rest[i..].trim_start_matches('/');
                rest = after;
            }
            None => {
                out.push(rest);
                break;
            }
        }
    }
    out
}

fn path_re(pattern: &str) -> Result<Re, PatternError> {
    // minimatch 6 globParts clean-up: `**/**` → `**`, `x/..` → nothing
    let mut parts: Vec<&str> = Vec::new();
    for part in split_slashes(pattern) {
        let prev = parts.last().copied();
        if part == "**" && prev == Some("**") {
            continue;
        }
        if part == ".."
            && let Some(pv) = prev
            && !pv.is_empty()
            && pv != ".."
            && pv != "."
            && pv != "**"
        {
            parts.pop();
            continue;
        }
        parts.push(part);
    }
    if parts.is_empty() {
        parts.push("");
    }
    if !parts[0].is_empty() {
        // the first path segment is always "" (paths start with `/`)
        return Ok(Re::Nothing);
    }
    let sep = au::plus(au::lit('/'));
    let ns = not_slash();
    let nd_seg = au::cat(vec![
        au::set(ns.minus(&CharSet::single('.'))),
        au::star(au::set(ns.clone())),
    ]);
    let mut seq = Vec::new();
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate().skip(1) {
        if *part == "**" {
            if i == last {
                // `**` at the end swallows the rest (non-dot segments and a
                // trailing ""), but at least one file segment must be left
                let more = au::cat(vec![
                    nd_seg.clone(),
                    au::star(au::cat(vec![sep.clone(), nd_seg.clone()])),
                    au::star(au::lit('/')),
                ]);
                seq.push(sep.clone());
                seq.push(au::opt(more));
                return Ok(au::cat(seq));
            }
            seq.push(au::star(au::cat(vec![sep.clone(), nd_seg.clone()])));
        } else {
            seq.push(sep.clone());
            seq.push(segment_re(part)?);
        }
    }
    // one trailing empty file segment is allowed after the pattern ends
    seq.push(au::star(au::lit('/')));
    Ok(au::cat(seq))
}

#[derive(Debug, Clone)]
enum Seg {
    Lit(char),
    Any,
    Star,
    /// A class; an empty set is minimatch's `(?:$.)` (invalid range).
    Class(CharSet),
    /// `nodot[k]`: alternative `k` carries minimatch's `(?!\.)` (extglob at
    /// the start of the segment whose alternative text does not start with `.`).
    Group {
        kind: char,
        alts: Vec<Vec<Seg>>,
        nodot: Vec<bool>,
    },
}

struct Parsed {
    segs: Vec<Seg>,
    has_magic: bool,
    /// minimatch `dotTravAllowed`: no `(?!\.)` at the segment start.
    dot_allowed: bool,
}

struct Frame {
    kind: char,
    start: usize,
    alts: Vec<Vec<Seg>>,
    nodot: Vec<bool>,
    cur: Vec<Seg>,
}

fn parse_segment(part: &str) -> Parsed {
    let chars: Vec<char> = part.chars().collect();
    let mut literal: HashSet<usize> = HashSet::new();
    loop {
        match parse_once(&chars, &literal) {
            Ok(p) => return p,
            // an unclosed `[`: re-read it as a literal (minimatch re-parses the rest)
            Err(pos) => {
                if !literal.insert(pos) {
                    return Parsed {
                        segs: chars.iter().map(|&c| Seg::Lit(c)).collect(),
                        has_magic: false,
                        dot_allowed: true,
                    };
                }
            }
        }
    }
}

struct P {
    root: Vec<Seg>,
    stack: Vec<Frame>,
    state: Option<char>,
    has_magic: bool,
}

impl P {
    fn cur(&mut self) -> &mut Vec<Seg> {
        match self.stack.last_mut() {
            Some(f) => &mut f.cur,
            None => &mut self.root,
        }
    }
    fn push(&mut self, s: Seg) {
        self.cur().push(s);
    }
    fn clear_state(&mut self) {
        if let Some(sc) = self.state.take() {
            match sc {
                '*' => {
                    self.has_magic = true;
                    self.push(Seg::Star);
                }
                '?' => {
                    self.has_magic = true;
                    self.push(Seg::Any);
                }
                c => self.push(Seg::Lit(c)),
            }
        }
    }
}

/// One pass of minimatch 6.2 `parse()` over a path segment.  `Err(pos)` asks
/// to treat the unclosed `[` at `pos` as a literal and parse again.
fn parse_once(chars: &[char], literal: &HashSet<usize>) -> Result<Parsed, usize> {
    let mut p = P {
        root: Vec::new(),
        stack: Vec::new(),
        state: None,
        has_magic: false,
    };
    let mut dot_allowed = chars.first() == Some(&'.');
    let mut escaping = false;
    // open class: start index and tokens (char, is_operator)
    let mut class: Option<(usize, Vec<(char, bool)>)> = None;
    let mut skip_next = false;
    let alt_nodot = |i: usize| chars.get(i + 1) != Some(&'.');
    for (i, &c) in chars.iter().enumerate() {
        if skip_next {
            skip_next = false;
            continue;
        }
        if escaping {
            escaping = false;
            match class.as_mut() {
                Some((_, toks)) => toks.push((c, false)),
                None => p.push(Seg::Lit(c)),
            }
            continue;
        }
        if let Some((start, toks)) = class.as_mut() {
            let start = *start;
            match c {
                '\\' => {
                    if chars.get(i + 1) == Some(&'-') {
                        // `\-` stays escaped: a literal `-`
                        toks.push(('-', false));
                        skip_next = true;
                    } else {
                        escaping = true;
                    }
                }
                '!' if i == start + 1 => toks.push(('^', true)),
                '^' => toks.push(('^', true)),
                '-' => toks.push(('-', true)),
                ']' if i == start + 1 => toks.push((']', false)),
                ']' => {
                    let raw: String = chars[start + 1..i].iter().collect();
                    let set = if js_class_valid(&raw) {
                        class_set(toks)
                    } else {
                        CharSet::empty()
                    };
                    class = None;
                    p.has_magic = true;
                    p.push(Seg::Class(set));
                }
                _ => toks.push((c, false)),
            }
            continue;
        }
        match c {
            '\\' => {
                p.clear_state();
                escaping = true;
            }
            '?' | '*' | '+' | '@' | '!' => {
                p.clear_state();
                p.state = Some(c);
            }
            '(' => match p.state.take() {
                None => p.push(Seg::Lit('(')),
                Some(kind) => {
                    let start = i - 1;
                    let mut nodot = Vec::new();
                    if start == 0 && kind != '!' {
                        dot_allowed = true;
                        nodot.push(alt_nodot(i));
                    } else {
                        nodot.push(false);
                    }
                    p.stack.push(Frame {
                        kind,
                        start,
                        alts: Vec::new(),
                        nodot,
                        cur: Vec::new(),
                    });
                }
            },
            ')' => {
                if p.stack.is_empty() {
                    p.push(Seg::Lit(')'));
                } else {
                    p.clear_state();
                    p.has_magic = true;
                    if let Some(mut f) = p.stack.pop() {
                        f.alts.push(std::mem::take(&mut f.cur));
                        p.push(Seg::Group {
                            kind: f.kind,
                            alts: f.alts,
                            nodot: f.nodot,
                        });
                    }
                }
            }
            '|' => {
                if p.stack.is_empty() {
                    p.push(Seg::Lit('|'));
                } else {
                    p.clear_state();
                    if let Some(f) = p.stack.last_mut() {
                        let cur = std::mem::take(&mut f.cur);
                        f.alts.push(cur);
                        let nd = f.start == 0 && f.kind != '!' && alt_nodot(i);
                        f.nodot.push(nd);
                    }
                }
            }
            '[' => {
                p.clear_state();
                if literal.contains(&i) {
                    p.push(Seg::Lit('['));
                } else {
                    class = Some((i, Vec::new()));
                }
            }
            ']' => p.push(Seg::Lit(']')),
            _ => {
                p.clear_state();
                p.push(Seg::Lit(c));
            }
        }
    }
    if let Some((start, _)) = class {
        return Err(start);
    }
    // unclosed extglobs: `*(a|b` → star, `(`, `a|b` literally
    while let Some(mut f) = p.stack.pop() {
        f.alts.push(std::mem::take(&mut f.cur));
        p.has_magic = true;
        let mut flat = vec![match f.kind {
            '*' => Seg::Star,
            '?' => Seg::Any,
            k => Seg::Lit(k),
        }];
        flat.push(Seg::Lit('('));
        for (k, a) in f.alts.into_iter().enumerate() {
            if k > 0 {
                flat.push(Seg::Lit('|'));
            }
            flat.extend(a);
        }
        p.cur().extend(flat);
    }
    p.clear_state();
    if escaping {
        p.push(Seg::Lit('\\'));
    }
    Ok(Parsed {
        segs: p.root,
        has_magic: p.has_magic,
        dot_allowed,
    })
}

/// Would `RegExp('[' + braExpEscape(charUnescape(cs)) + ']')` compile?
/// After those two steps every char is literal except a leading `^` and a
/// `-` between two chars, so only reversed ranges fail.
fn js_class_valid(raw: &str) -> bool {
    let cs: Vec<char> = raw.chars().collect();
    // charUnescape: drop `\` unless it precedes `-` or `]`
    let mut u: Vec<char> = Vec::with_capacity(cs.len());
    let mut i = 0;
    while i < cs.len() {
        if cs[i] == '\\' && i + 1 < cs.len() && cs[i + 1] != '-' && cs[i + 1] != ']' {
            u.push(cs[i + 1]);
            i += 2;
            continue;
        }
        u.push(cs[i]);
        i += 1;
    }
    let mut k = usize::from(u.first() == Some(&'^'));
    while k < u.len() {
        if k + 2 < u.len() && u[k + 1] == '-' {
            if u[k] > u[k + 2] {
                return false;
            }
            k += 3;
        } else {
            k += 1;
        }
    }
    true
}

/// The JS class minimatch emits, as a set.  Tokens: (char, is_operator);
/// operators are a leading `^` (negation) and `-` between two chars.
fn class_set(toks: &[(char, bool)]) -> CharSet {
    let mut k = 0;
    let negated = toks.first() == Some(&('^', true));
    if negated {
        k = 1;
    }
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    while k < toks.len() {
        let (c, _) = toks[k];
        if k + 2 < toks.len() && toks[k + 1] == ('-', true) {
            let d = toks[k + 2].0;
            if c <= d {
                ranges.push((c as u32, d as u32));
            }
            k += 3;
        } else {
            ranges.push((c as u32, c as u32));
            k += 1;
        }
    }
    let s = CharSet::from_ranges(ranges);
    if negated { s.complement() } else { s }
}

/// Non-empty strings of `r` not starting with `.`, plus `ε` when `r` has it
/// (a `(?!\.)` lookahead in front of an alternative; when the alternative is
/// empty the lookahead really looks at what follows — not modelled).
fn no_dot_start(r: Re) -> Re {
    let dot = CharSet::single('.');
    if au::nullable(&r) {
        au::opt(au::strip_first(&r, &dot))
    } else {
        au::strip_first(&r, &dot)
    }
}

fn seg_to_re(s: &Seg) -> Result<Re, PatternError> {
    let ns = not_slash();
    Ok(match s {
        Seg::Lit(c) => au::lit(*c),
        Seg::Any => au::set(ns),
        Seg::Star => au::star(au::set(ns)),
        Seg::Class(cs) => au::set(cs.intersect(&ns)),
        Seg::Group { kind, alts, nodot } => {
            let mut v = Vec::with_capacity(alts.len());
            for (k, a) in alts.iter().enumerate() {
                if a.iter().any(|x| matches!(x, Seg::Group { kind: '!', .. })) {
                    return Err(perr("nested `!(…)` extglob is not analysed"));
                }
                let r = seq_to_re(a)?;
                v.push(if nodot.get(k) == Some(&true) {
                    no_dot_start(r)
                } else {
                    r
                });
            }
            let x = au::alt(v);
            match kind {
                '?' => au::opt(x),
                '*' => au::star(x),
                '+' => au::plus(x),
                '@' => x,
                _ => return Err(perr("nested `!(…)` extglob is not analysed")),
            }
        }
    })
}

/// Sequence semantics, including minimatch's `!(X)`: at that point the rest
/// of the segment `v` must match `[^/]*? B` (B = what follows) while `X B`
/// must not match a prefix of `v` (or all of `v` when nothing follows).
fn seq_to_re(segs: &[Seg]) -> Result<Re, PatternError> {
    if let Some(i) = segs
        .iter()
        .position(|s| matches!(s, Seg::Group { kind: '!', .. }))
    {
        if segs
            .iter()
            .filter(|s| matches!(s, Seg::Group { kind: '!', .. }))
            .count()
            > MAX_NEGATIONS
        {
            return Err(perr(format!(
                "more than {MAX_NEGATIONS} `!(…)` extglobs in one segment are not analysed"
            )));
        }
        let mut pre = Vec::with_capacity(i);
        for s in &segs[..i] {
            pre.push(seg_to_re(s)?);
        }
        let Seg::Group { alts, .. } = &segs[i] else {
            unreachable!()
        };
        let mut xs = Vec::new();
        for a in alts {
            if a.iter().any(|x| matches!(x, Seg::Group { kind: '!', .. })) {
                return Err(perr("nested `!(…)` extglob is not analysed"));
            }
            xs.push(seq_to_re(a)?);
        }
        let x = au::alt(xs);
        let rest_segs = &segs[i + 1..];
        let rest = seq_to_re(rest_segs)?;
        let any = au::star(au::set(not_slash()));
        let pos = au::cat(vec![any.clone(), rest.clone()]);
        let neg = if rest_segs.is_empty() {
            x
        } else {
            au::cat(vec![x, rest, any])
        };
        let d = au::difference(&pos, &neg)
            .map_err(|e| perr(format!("`!(…)` extglob is not analysed: {e}")))?;
        pre.push(d);
        return Ok(au::cat(pre));
    }
    let mut v = Vec::with_capacity(segs.len());
    for s in segs {
        v.push(seg_to_re(s)?);
    }
    Ok(au::cat(v))
}

const MAX_NEGATIONS: usize = 4;

/// `^…$` prefix/suffix checks of minimatch's fast paths (`starDotExtRE`,
/// `qmarksRE`, `dotStarRE`): they replace the regex test and compare the raw
/// text (a `\` in the extension is literal there).
fn fast_path(part: &str) -> Option<Re> {
    let ns = not_slash();
    let dot = CharSet::single('.');
    let lits = |s: &str| au::cat(s.chars().map(au::lit).collect());
    let magic_free = |s: &str| !s.contains(['+', '@', '!', '?', '*', '[', '(']);
    let stars = part.chars().take_while(|&c| c == '*').count();
    if stars > 0 {
        let ext = &part[stars..];
        if ext.is_empty() {
            return Some(au::strip_first(&au::star(au::set(ns)), &dot));
        }
        if magic_free(ext) {
            return Some(au::strip_first(
                &au::cat(vec![au::star(au::set(ns)), lits(ext)]),
                &dot,
            ));
        }
        return None;
    }
    let q = part.chars().take_while(|&c| c == '?').count();
    if q > 0 {
        let ext = &part[q..];
        if magic_free(ext) {
            let mut v: Vec<Re> = (0..q).map(|_| au::set(ns.clone())).collect();
            v.push(lits(ext));
            return Some(au::strip_first(&au::cat(v), &dot));
        }
        return None;
    }
    if part.len() >= 2 && part.starts_with('.') && part[1..].chars().all(|c| c == '*') {
        // `.*`: starts with `.` but is neither `.` nor `..`
        return Some(au::alt(vec![
            au::cat(vec![
                au::lit('.'),
                au::set(ns.minus(&dot)),
                au::star(au::set(ns.clone())),
            ]),
            au::cat(vec![au::lit('.'), au::lit('.'), au::plus(au::set(ns))]),
        ]));
    }
    None
}

fn segment_re(part: &str) -> Result<Re, PatternError> {
    if let Some(r) = fast_path(part) {
        return Ok(r);
    }
    let parsed = parse_segment(part);
    let re = seq_to_re(&parsed.segs)?;
    if !parsed.has_magic {
        return Ok(re);
    }
    let add_pattern_start = matches!(
        parsed.segs.first(),
        Some(Seg::Any | Seg::Star | Seg::Class(_) | Seg::Group { .. })
    );
    let forbid = if add_pattern_start && !parsed.dot_allowed {
        CharSet::single('.')
    } else {
        CharSet::empty()
    };
    Ok(au::strip_first(&re, &forbid))
}

// ------------------------------------------------------------ braces

/// minimatch `braceExpand` (brace-expansion 2.x `expandTop`).
pub(crate) fn brace_expand(pattern: &str) -> Result<Vec<String>, PatternError> {
    if !has_brace_set(pattern) {
        return Ok(vec![pattern.to_string()]);
    }
    let mut s = pattern.to_string();
    if s.starts_with("{}") {
        s = format!("\\{{\\}}{}", &s[2..]);
    }
    let escaped = escape_braces(&s);
    let mut budget = 4096usize;
    let out = expand(&escaped, true, &mut budget)?;
    if out.len() > MAX_EXPANSIONS {
        return Err(perr(format!(
            "brace expansion yields more than {MAX_EXPANSIONS} patterns"
        )));
    }
    Ok(out.iter().map(|x| unescape_braces(x)).collect())
}

/// `/\{(?:(?!\{).)*\}/`
fn has_brace_set(p: &str) -> bool {
    let mut open = false;
    for c in p.chars() {
        match c {
            '{' => open = true,
            '}' if open => return true,
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => open = false,
            _ => {}
        }
    }
    false
}

const ESC_SLASH: char = '\u{E000}';
const ESC_OPEN: char = '\u{E001}';
const ESC_CLOSE: char = '\u{E002}';
const ESC_COMMA: char = '\u{E003}';
const ESC_PERIOD: char = '\u{E004}';

fn escape_braces(s: &str) -> String {
    s.replace("\\\\", &ESC_SLASH.to_string())
        .replace("\\{", &ESC_OPEN.to_string())
        .replace("\\}", &ESC_CLOSE.to_string())
        .replace("\\,", &ESC_COMMA.to_string())
        .replace("\\.", &ESC_PERIOD.to_string())
}

fn unescape_braces(s: &str) -> String {
    s.replace(ESC_SLASH, "\\")
        .replace(ESC_OPEN, "{")
        .replace(ESC_CLOSE, "}")
        .replace(ESC_COMMA, ",")
        .replace(ESC_PERIOD, ".")
}

struct Balanced<'a> {
    pre: &'a str,
    body: &'a str,
    post: &'a str,
}

/// balanced-match `range('{', '}', str)` (a direct port, JS `-1` included).
fn balanced(s: &str) -> Option<Balanced<'_>> {
    let index_of = |c: char, from: isize| -> isize {
        let from = from.max(0) as usize;
        if from > s.len() {
            return -1;
        }
        s.get(from..)
            .and_then(|t| t.find(c))
            .map_or(-1, |k| (k + from) as isize)
    };
    let mut ai = index_of('{', 0);
    let mut bi = index_of('}', ai + 1);
    let mut i = ai;
    let mut result: Option<(isize, isize)> = None;
    if ai >= 0 && bi > 0 {
        let mut begs: Vec<isize> = Vec::new();
        let mut left = s.len() as isize;
        let mut right: isize = -1;
        while i >= 0 && result.is_none() {
            if i == ai {
                begs.push(i);
                ai = index_of('{', i + 1);
            } else if begs.len() == 1 {
                result = begs.pop().map(|b| (b, bi));
            } else {
                if let Some(beg) = begs.pop()
                    && beg < left
                {
                    left = beg;
                    right = bi;
                }
                bi = index_of('}', i + 1);
            }
            i = if ai < bi && ai >= 0 { ai } else { bi };
        }
        if !begs.is_empty() {
            result = if right >= 0 {
                Some((left, right))
            } else {
                None
            };
        }
    }
    let (a, b) = result?;
    let (a, b) = (a as usize, b as usize);
    if !(s.is_char_boundary(a) && s.is_char_boundary(b) && a < b) {
        return None;
    }
    Some(Balanced {
        pre: &s[..a],
        body: &s[a + 1..b],
        post: &s[b + 1..],
    })
}

fn parse_comma_parts(s: &str) -> Vec<String> {
    if s.is_empty() {
        return vec![String::new()];
    }
    let Some(m) = balanced(s) else {
        return s.split(',').map(str::to_string).collect();
    };
    let mut p: Vec<String> = m.pre.split(',').map(str::to_string).collect();
    if let Some(last) = p.last_mut() {
        last.push('{');
        last.push_str(m.body);
        last.push('}');
    }
    let mut post_parts = parse_comma_parts(m.post);
    if !m.post.is_empty() {
        if let Some(last) = p.last_mut() {
            last.push_str(&post_parts.remove(0));
        }
        p.extend(post_parts);
    }
    p
}

fn is_numeric_seq(b: &str) -> bool {
    let parts: Vec<&str> = b.split("..").collect();
    (parts.len() == 2 || parts.len() == 3) && parts.iter().all(|p| is_int(p))
}

fn is_int(p: &str) -> bool {
    let d = p.strip_prefix('-').unwrap_or(p);
    !d.is_empty() && d.chars().all(|c| c.is_ascii_digit())
}

fn is_alpha_seq(b: &str) -> bool {
    let parts: Vec<&str> = b.split("..").collect();
    (parts.len() == 2 || parts.len() == 3)
        && parts[..2]
            .iter()
            .all(|p| p.len() == 1 && p.chars().all(|c| c.is_ascii_alphabetic()))
        && (parts.len() == 2 || is_int(parts[2]))
}

fn expand(s: &str, is_top: bool, budget: &mut usize) -> Result<Vec<String>, PatternError> {
    if *budget == 0 {
        return Err(perr(format!(
            "brace expansion yields more than {MAX_EXPANSIONS} patterns"
        )));
    }
    *budget -= 1;
    let Some(m) = balanced(s) else {
        return Ok(vec![s.to_string()]);
    };
    let post: Vec<String> = if m.post.is_empty() {
        vec![String::new()]
    } else {
        expand(m.post, false, budget)?
    };
    if m.pre.ends_with('$') {
        return Ok(post
            .iter()
            .map(|p| format!("{}{{{}}}{}", m.pre, m.body, p))
            .collect());
    }
    let numeric = is_numeric_seq(m.body);
    let alpha = is_alpha_seq(m.body);
    let is_seq = numeric || alpha;
    let is_options = m.body.contains(',');
    if !is_seq && !is_options {
        // `{a},b}`
        if has_comma_then_close(m.post) {
            let s2 = format!("{}{{{}{}{}", m.pre, m.body, ESC_CLOSE, m.post);
            return expand(&s2, is_top, budget);
        }
        return Ok(vec![s.to_string()]);
    }
    let n: Vec<String> = if is_seq {
        sequence(m.body, alpha)?
    } else {
        let parts = parse_comma_parts(m.body);
        if parts.len() == 1 {
            let inner: Vec<String> = expand(&parts[0], false, budget)?
                .into_iter()
                .map(|x| format!("{{{x}}}"))
                .collect();
            if inner.len() == 1 {
                return Ok(post
                    .iter()
                    .map(|p| format!("{}{}{}", m.pre, inner[0], p))
                    .collect());
            }
            inner
        } else {
            let mut all = Vec::new();
            for el in &parts {
                all.extend(expand(el, false, budget)?);
                if all.len() > MAX_EXPANSIONS {
                    return Err(perr(format!(
                        "brace expansion yields more than {MAX_EXPANSIONS} patterns"
                    )));
                }
            }
            all
        }
    };
    let mut out = Vec::new();
    for x in &n {
        for p in &post {
            let e = format!("{}{}{}", m.pre, x, p);
            if !is_top || is_seq || !e.is_empty() {
                out.push(e);
            }
            if out.len() > MAX_EXPANSIONS {
                return Err(perr(format!(
                    "brace expansion yields more than {MAX_EXPANSIONS} patterns"
                )));
            }
        }
    }
    Ok(out)
}

/// brace-expansion 2: `m.post.match(/,(?!,).*\}/)`.
fn has_comma_then_close(post: &str) -> bool {
    let b: Vec<char> = post.chars().collect();
    for (i, &c) in b.iter().enumerate() {
        if c == ',' && b.get(i + 1) != Some(&',') && b[i + 1..].contains(&'}') {
            return true;
        }
    }
    false
}

fn sequence(body: &str, alpha: bool) -> Result<Vec<String>, PatternError> {
    let n: Vec<&str> = body.split("..").collect();
    let num = |p: &str| -> i64 {
        if is_int(p) {
            p.parse::<i64>().unwrap_or(0)
        } else {
            p.chars().next().map_or(0, |c| c as i64)
        }
    };
    let x = num(n[0]);
    let y = num(n[1]);
    let width = n[0].len().max(n[1].len());
    let mut incr = if n.len() == 3 { num(n[2]).abs() } else { 1 };
    if incr == 0 {
        incr = 1; // brace-expansion 2.1: `max(abs(step), 1)`
    }
    let reverse = y < x;
    if reverse {
        incr = -incr;
    }
    let padded = n.iter().any(|p| {
        let d = p.strip_prefix('-').unwrap_or(p);
        d.len() > 1 && d.starts_with('0')
    });
    let mut out = Vec::new();
    let mut i = x;
    while if reverse { i >= y } else { i <= y } {
        let c = if alpha {
            match char::from_u32(u32::try_from(i).unwrap_or(0)) {
                Some('\\') | None => String::new(),
                Some(ch) => ch.to_string(),
            }
        } else {
            let mut c = i.to_string();
            if padded && c.len() < width {
                let z = "0".repeat(width - c.len());
                c = if i < 0 {
                    format!("-{}{}", z, &c[1..])
                } else {
                    format!("{z}{c}")
                };
            }
            c
        };
        out.push(c);
        if out.len() > MAX_EXPANSIONS {
            return Err(perr(format!(
                "brace expansion yields more than {MAX_EXPANSIONS} patterns"
            )));
        }
        i += incr;
    }
    Ok(out)
}
