//! Sample strings generated from a regex HIR.
//!
//! Rules: a literal gives itself; a class gives `x` if it has it, else its
//! first lowercase letter, uppercase letter or digit, else its first char; a
//! repetition gives its minimum count, but at least 1 when the body is a class
//! (or `.`) right after a `/`; an alternation gives its first branch (the
//! other branches become further samples); an optional part (`min == 0`) also
//! yields a sample with one iteration (unless the body is a plain class);
//! anchors/lookarounds give nothing.  A single, non-repeated "any character"
//! class right after a letter or digit gives `.` (an unescaped dot in
//! `www.example.com` or `(.*).json` most likely means a dot).

use crate::model::Regex;
use regex_syntax::hir::{Class, Hir, HirKind};

/// Longest sample we generate (longer ones are dropped).
const MAX_SAMPLE_LEN: usize = 2048;

#[derive(Clone, Copy)]
pub(crate) struct GenOpts {
    /// Origin mode: no "at least one after `/`" rule for repetitions.
    pub origin_mode: bool,
    pub max_variants: usize,
}

/// Raw variants for a HIR, base (most generic) first.  Not filtered: the
/// caller checks them against the compiled regex.
pub fn hir_samples(hir: &Hir, max: usize) -> Vec<String> {
    generate(
        hir,
        GenOpts {
            origin_mode: false,
            max_variants: max.max(1),
        },
    )
}

/// Up to 4 request paths that `re` really matches, generated from its HIR:
/// the most generic first, the shortest match included when it differs; a
/// sample not starting with `/` is prefixed with `/`.  Empty when nothing
/// suitable is found (e.g. `^api` can match no path).
pub fn regex_samples(re: &Regex) -> Vec<String> {
    match super::parse_hir(re.as_str()) {
        Ok(hir) => path_samples(re, &hir),
        Err(_) => Vec::new(),
    }
}

pub(crate) fn generate(hir: &Hir, opts: GenOpts) -> Vec<String> {
    let g = Gen { o: opts };
    g.walk(hir, None, false)
        .into_iter()
        .filter(|s| s.len() <= MAX_SAMPLE_LEN)
        .collect()
}

pub(crate) fn path_samples(re: &Regex, hir: &Hir) -> Vec<String> {
    samples_with(re, hir, &[], true)
}

/// `preferred` candidates go first; `prefix_slash` prefixes samples that do
/// not start with `/` (off for host-qualified rules).
pub(crate) fn samples_with(
    re: &Regex,
    hir: &Hir,
    preferred: &[String],
    prefix_slash: bool,
) -> Vec<String> {
    let mut cands: Vec<String> = preferred.to_vec();
    let generated = generate(
        hir,
        GenOpts {
            origin_mode: false,
            max_variants: 6,
        },
    );
    let mut it = generated.into_iter();
    if let Some(first) = it.next() {
        cands.push(first);
    }
    // the shortest match right after the most generic one
    if let Some(s) = shortest(hir) {
        cands.push(s);
    }
    cands.extend(it);
    // Verifying a long sample against a regex with hundreds of `.*` is slow;
    // keep (sample length × unbounded repetitions) bounded.
    let reps = unbounded_repetitions(hir).max(1);
    let mut good: Vec<String> = Vec::new();
    let mut odd: Vec<String> = Vec::new();
    for c in cands {
        let c = if prefix_slash && !c.starts_with('/') {
            format!("/{c}")
        } else {
            c
        };
        if c.len() > MAX_SAMPLE_LEN || c.len() * reps > VERIFY_BUDGET {
            continue;
        }
        // A browser never sends a control character in a path (the URL parser strips tabs
        // and newlines and percent-encodes the rest), though a regex may match one (PCRE's
        // `$` also matches before a final `\n`): such a sample is no request.
        if c.chars().any(char::is_control)
            || good.contains(&c)
            || odd.contains(&c)
            || !re.is_match(&c)
        {
            continue;
        }
        // `//` is legal but an unhelpful sample
        if c.contains("//") && !c.contains("://") {
            odd.push(c);
        } else {
            good.push(c);
        }
    }
    good.extend(odd);
    good.truncate(4);
    if good.is_empty() && prefix_slash {
        for c in ["/", "/x", "/x/x", "/index.html"] {
            if re.is_match(c) {
                good.push(c.to_string());
                break;
            }
        }
    }
    good
}

const VERIFY_BUDGET: usize = 40_000;

fn unbounded_repetitions(h: &Hir) -> usize {
    match h.kind() {
        HirKind::Repetition(r) => usize::from(r.max.is_none()) + unbounded_repetitions(&r.sub),
        HirKind::Capture(c) => unbounded_repetitions(&c.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().map(unbounded_repetitions).sum(),
        _ => 0,
    }
}

struct Gen {
    o: GenOpts,
}

fn class_pick(class: &Class, dot_ok: bool) -> Option<char> {
    match class {
        Class::Unicode(u) => {
            let ranges: Vec<(char, char)> = u.iter().map(|r| (r.start(), r.end())).collect();
            pick_in(&ranges, dot_ok)
        }
        Class::Bytes(b) => {
            let ranges: Vec<(char, char)> = b
                .iter()
                .filter(|r| r.start() < 0x80)
                .map(|r| (char::from(r.start()), char::from(r.end().min(0x7F))))
                .collect();
            pick_in(&ranges, dot_ok)
        }
    }
}

fn pick_in(ranges: &[(char, char)], dot_ok: bool) -> Option<char> {
    let has = |c: char| ranges.iter().any(|&(a, b)| a <= c && c <= b);
    if ranges.is_empty() {
        return None;
    }
    if dot_ok && has('.') {
        let width: u64 = ranges
            .iter()
            .map(|&(a, b)| u64::from(b as u32 - a as u32) + 1)
            .sum();
        if width > 1000 {
            return Some('.');
        }
    }
    if has('x') {
        return Some('x');
    }
    for set in [('a', 'z'), ('A', 'Z'), ('0', '9')] {
        if let Some(c) = (set.0..=set.1).find(|&c| has(c)) {
            return Some(c);
        }
    }
    Some(ranges[0].0)
}

fn lit_str(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Gen {
    fn cap(&self, v: &mut Vec<String>) {
        v.truncate(self.o.max_variants);
    }

    /// Variants for `h`; `prev` is the char generated just before.
    fn walk(&self, h: &Hir, prev: Option<char>, in_rep: bool) -> Vec<String> {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => vec![String::new()],
            HirKind::Literal(l) => vec![lit_str(&l.0)],
            HirKind::Class(c) => match class_pick(
                c,
                !in_rep && prev.is_some_and(|p| p.is_ascii_alphanumeric()),
            ) {
                Some(ch) => vec![ch.to_string()],
                None => vec![],
            },
            HirKind::Capture(c) => self.walk(&c.sub, prev, in_rep),
            HirKind::Repetition(r) => {
                let classy = matches!(r.sub.kind(), HirKind::Class(_));
                let mut n = r.min;
                if !self.o.origin_mode && n == 0 && classy && prev == Some('/') && r.max != Some(0)
                {
                    n = 1;
                }
                let n = n.min(MAX_SAMPLE_LEN as u32) as usize;
                let sub = self.walk(&r.sub, prev, true);
                let Some(sub_base) = sub.first() else {
                    // body impossible: only zero iterations work
                    return if r.min == 0 {
                        vec![String::new()]
                    } else {
                        vec![]
                    };
                };
                if sub_base.len().saturating_mul(n) > MAX_SAMPLE_LEN {
                    return vec![];
                }
                let mut out = vec![sub_base.repeat(n)];
                if n == 0 && r.max != Some(0) && !classy {
                    out.push(sub_base.clone());
                } else if r.min == 0 && n > 0 {
                    out.push(String::new());
                }
                for v in sub.iter().skip(1) {
                    let k = n.max(1);
                    out.push(format!("{}{}", v, sub_base.repeat(k - 1)));
                }
                dedup_keep(&mut out);
                self.cap(&mut out);
                out
            }
            HirKind::Concat(children) => {
                let mut acc: Vec<String> = vec![String::new()];
                for ch in children {
                    let last = acc[0].chars().last().or(prev);
                    let vs = self.walk(ch, last, in_rep);
                    if vs.is_empty() {
                        return vec![];
                    }
                    if vs.len() == 1 {
                        // common case: append in place (keeps long literals linear)
                        for a in &mut acc {
                            a.push_str(&vs[0]);
                        }
                        if acc[0].len() > MAX_SAMPLE_LEN {
                            return vec![];
                        }
                        continue;
                    }
                    // earlier parts' variants first, then this part's
                    let mut next = Vec::with_capacity(self.o.max_variants);
                    for a in &acc {
                        next.push(format!("{}{}", a, vs[0]));
                    }
                    for v in vs.iter().skip(1) {
                        next.push(format!("{}{}", acc[0], v));
                    }
                    dedup_keep(&mut next);
                    self.cap(&mut next);
                    acc = next;
                }
                acc
            }
            HirKind::Alternation(alts) => {
                let per: Vec<Vec<String>> =
                    alts.iter().map(|a| self.walk(a, prev, in_rep)).collect();
                let mut out = Vec::new();
                // first variant of every branch, in order, then the rest
                for p in &per {
                    if let Some(f) = p.first() {
                        out.push(f.clone());
                    }
                }
                for p in &per {
                    out.extend(p.iter().skip(1).cloned());
                }
                dedup_keep(&mut out);
                self.cap(&mut out);
                out
            }
        }
    }
}

fn dedup_keep(v: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(s.clone()));
}

/// The shortest string matched (ignoring look-around), if any.
pub(crate) fn shortest(h: &Hir) -> Option<String> {
    let s = match h.kind() {
        HirKind::Empty | HirKind::Look(_) => String::new(),
        HirKind::Literal(l) => lit_str(&l.0),
        HirKind::Class(c) => class_pick(c, false)?.to_string(),
        HirKind::Capture(c) => shortest(&c.sub)?,
        HirKind::Repetition(r) => {
            if r.min == 0 {
                String::new()
            } else {
                let s = shortest(&r.sub)?;
                if s.len().saturating_mul(r.min as usize) > MAX_SAMPLE_LEN {
                    return None;
                }
                s.repeat(r.min as usize)
            }
        }
        HirKind::Concat(cs) => {
            let mut out = String::new();
            for c in cs {
                out.push_str(&shortest(c)?);
                if out.len() > MAX_SAMPLE_LEN {
                    return None;
                }
            }
            out
        }
        HirKind::Alternation(alts) => alts.iter().filter_map(shortest).min_by_key(String::len)?,
    };
    Some(s)
}
