//! A tiny regular-language toolkit for what the `regex` crate cannot say
//! directly: set difference (minimatch `!(…)` extglobs and `!`-negated globs).
//! `Re` is built structurally, differences are computed on DFAs over a
//! partition of the Unicode scalar values and turned back into a `Re` by
//! state elimination.

use std::collections::HashMap;

const MAX_CP: u32 = 0x10FFFF;
const SUR_LO: u32 = 0xD800;
const SUR_HI: u32 = 0xDFFF;
/// Cap on DFA states (per DFA and for the product).
const MAX_STATES: usize = 300;

/// A set of Unicode scalar values as sorted, disjoint, non-adjacent ranges
/// (never containing surrogates).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub(crate) struct CharSet(Vec<(u32, u32)>);

impl CharSet {
    pub fn empty() -> Self {
        CharSet(Vec::new())
    }
    pub fn all() -> Self {
        CharSet(vec![(0, SUR_LO - 1), (SUR_HI + 1, MAX_CP)])
    }
    pub fn single(c: char) -> Self {
        CharSet(vec![(c as u32, c as u32)])
    }
    pub fn from_ranges(rs: impl IntoIterator<Item = (u32, u32)>) -> Self {
        let mut v: Vec<(u32, u32)> = Vec::new();
        for (a, b) in rs {
            let (a, b) = (a.min(b), a.max(b).min(MAX_CP));
            // cut out surrogates
            if b < SUR_LO || a > SUR_HI {
                v.push((a, b));
            } else {
                if a < SUR_LO {
                    v.push((a, SUR_LO - 1));
                }
                if b > SUR_HI {
                    v.push((SUR_HI + 1, b));
                }
            }
        }
        v.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(v.len());
        for (a, b) in v {
            if let Some(last) = out.last_mut()
                && a <= last.1.saturating_add(1)
            {
                last.1 = last.1.max(b);
                continue;
            }
            out.push((a, b));
        }
        CharSet(out)
    }
    /// `x`, else a letter or digit, else the first member.
    pub fn pick(&self) -> Option<char> {
        let has = |c: char| self.0.iter().any(|&(a, b)| a <= c as u32 && c as u32 <= b);
        if has('x') {
            return Some('x');
        }
        ('a'..='z')
            .chain('A'..='Z')
            .chain('0'..='9')
            .find(|&c| has(c))
            .or_else(|| self.0.first().and_then(|r| char::from_u32(r.0)))
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn union(&self, o: &CharSet) -> CharSet {
        CharSet::from_ranges(self.0.iter().chain(o.0.iter()).copied())
    }
    pub fn complement(&self) -> CharSet {
        let mut out = Vec::new();
        let mut next = 0u32;
        for &(a, b) in &self.0 {
            if a > next {
                out.push((next, a - 1));
            }
            next = b + 1;
        }
        if next <= MAX_CP {
            out.push((next, MAX_CP));
        }
        CharSet::from_ranges(out)
    }
    pub fn minus(&self, o: &CharSet) -> CharSet {
        self.intersect(&o.complement())
    }
    pub fn intersect(&self, o: &CharSet) -> CharSet {
        let mut out = Vec::new();
        for &(a, b) in &self.0 {
            for &(c, d) in &o.0 {
                let lo = a.max(c);
                let hi = b.min(d);
                if lo <= hi {
                    out.push((lo, hi));
                }
            }
        }
        CharSet::from_ranges(out)
    }
    fn size(&self) -> u64 {
        self.0.iter().map(|&(a, b)| u64::from(b - a) + 1).sum()
    }

    /// Rust regex text for this set.
    pub fn to_regex(&self) -> String {
        if self.is_empty() {
            return r"[^\x{0}-\x{10FFFF}]".to_string();
        }
        if self.0.len() == 1
            && self.0[0].0 == self.0[0].1
            && let Some(c) = char::from_u32(self.0[0].0)
        {
            return regex_syntax::escape(c.encode_utf8(&mut [0u8; 4]));
        }
        let full = CharSet::all().size();
        if self.size() * 2 > full {
            let comp = self.complement();
            if comp.is_empty() {
                return r"[\x{0}-\x{10FFFF}]".to_string();
            }
            return format!("[^{}]", ranges_text(&comp.0));
        }
        format!("[{}]", ranges_text(&self.0))
    }
}

fn cp_text(c: u32) -> String {
    match char::from_u32(c) {
        Some(ch) if ch.is_ascii_alphanumeric() => ch.to_string(),
        _ => format!("\\x{{{c:X}}}"),
    }
}

fn ranges_text(rs: &[(u32, u32)]) -> String {
    let mut s = String::new();
    for &(a, b) in rs {
        s.push_str(&cp_text(a));
        if b > a {
            if b > a + 1 {
                s.push('-');
            }
            s.push_str(&cp_text(b));
        }
    }
    s
}

/// A regular expression over characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Re {
    /// Matches nothing.
    Nothing,
    /// Matches the empty string.
    Empty,
    Set(CharSet),
    Cat(Vec<Re>),
    Alt(Vec<Re>),
    Star(Box<Re>),
    Plus(Box<Re>),
    Opt(Box<Re>),
}

pub(crate) fn set(s: CharSet) -> Re {
    if s.is_empty() {
        Re::Nothing
    } else {
        Re::Set(s)
    }
}

pub(crate) fn lit(c: char) -> Re {
    Re::Set(CharSet::single(c))
}

pub(crate) fn cat(v: Vec<Re>) -> Re {
    let mut out = Vec::with_capacity(v.len());
    for r in v {
        match r {
            Re::Nothing => return Re::Nothing,
            Re::Empty => {}
            Re::Cat(inner) => {
                for i in inner {
                    push_cat(&mut out, i);
                }
            }
            other => push_cat(&mut out, other),
        }
    }
    match out.len() {
        0 => Re::Empty,
        1 => out.pop().unwrap_or(Re::Empty),
        _ => Re::Cat(out),
    }
}

/// `x* x*` = `x*`
fn push_cat(out: &mut Vec<Re>, r: Re) {
    if matches!(r, Re::Star(_)) && out.last() == Some(&r) {
        return;
    }
    out.push(r);
}

pub(crate) fn alt(v: Vec<Re>) -> Re {
    let mut out: Vec<Re> = Vec::with_capacity(v.len());
    let mut has_empty = false;
    for r in v {
        match r {
            Re::Nothing => {}
            Re::Alt(inner) => {
                for i in inner {
                    if !out.contains(&i) {
                        out.push(i);
                    }
                }
            }
            Re::Empty => has_empty = true,
            other => {
                if !out.contains(&other) {
                    out.push(other);
                }
            }
        }
    }
    // merge plain sets into one
    let mut sets = CharSet::empty();
    let mut n_sets = 0;
    out.retain(|r| {
        if let Re::Set(s) = r {
            sets = sets.union(s);
            n_sets += 1;
            false
        } else {
            true
        }
    });
    if n_sets > 0 {
        out.insert(0, Re::Set(sets));
    }
    let core = match out.len() {
        0 => {
            return if has_empty { Re::Empty } else { Re::Nothing };
        }
        1 => out.pop().unwrap_or(Re::Nothing),
        _ => Re::Alt(out),
    };
    if has_empty { opt(core) } else { core }
}

pub(crate) fn star(r: Re) -> Re {
    match r {
        Re::Nothing | Re::Empty => Re::Empty,
        Re::Star(_) => r,
        Re::Plus(x) | Re::Opt(x) => Re::Star(x),
        other => Re::Star(Box::new(other)),
    }
}

pub(crate) fn plus(r: Re) -> Re {
    match r {
        Re::Nothing => Re::Nothing,
        Re::Empty => Re::Empty,
        Re::Star(_) | Re::Plus(_) => r,
        Re::Opt(x) => Re::Star(x),
        other => Re::Plus(Box::new(other)),
    }
}

pub(crate) fn opt(r: Re) -> Re {
    match r {
        Re::Nothing | Re::Empty => Re::Empty,
        Re::Star(_) | Re::Opt(_) => r,
        Re::Plus(x) => Re::Star(x),
        other => Re::Opt(Box::new(other)),
    }
}

pub(crate) fn nullable(r: &Re) -> bool {
    match r {
        Re::Nothing | Re::Set(_) => false,
        Re::Empty | Re::Star(_) | Re::Opt(_) => true,
        Re::Plus(x) => nullable(x),
        Re::Cat(v) => v.iter().all(nullable),
        Re::Alt(v) => v.iter().any(nullable),
    }
}

/// `L(r) ∩ { non-empty strings whose first char is not in `forbid` }`.
pub(crate) fn strip_first(r: &Re, forbid: &CharSet) -> Re {
    match r {
        Re::Nothing | Re::Empty => Re::Nothing,
        Re::Set(s) => set(s.minus(forbid)),
        Re::Cat(v) => {
            if v.is_empty() {
                return Re::Nothing;
            }
            let first = strip_first(&v[0], forbid);
            let rest = cat(v[1..].to_vec());
            let a = cat(vec![first, rest.clone()]);
            if nullable(&v[0]) {
                alt(vec![a, strip_first(&rest, forbid)])
            } else {
                a
            }
        }
        Re::Alt(v) => alt(v.iter().map(|x| strip_first(x, forbid)).collect()),
        Re::Star(x) | Re::Plus(x) => cat(vec![strip_first(x, forbid), star((**x).clone())]),
        Re::Opt(x) => strip_first(x, forbid),
    }
}

fn is_atom(r: &Re) -> bool {
    matches!(r, Re::Set(_) | Re::Nothing)
}

/// Rust regex text (no anchors).
pub(crate) fn to_regex(r: &Re) -> String {
    match r {
        Re::Nothing => r"[^\x{0}-\x{10FFFF}]".to_string(),
        Re::Empty => "(?:)".to_string(),
        Re::Set(s) => s.to_regex(),
        Re::Cat(v) => v
            .iter()
            .map(|x| {
                if matches!(x, Re::Alt(_)) {
                    format!("(?:{})", to_regex(x))
                } else {
                    to_regex(x)
                }
            })
            .collect(),
        Re::Alt(v) => {
            let parts: Vec<String> = v.iter().map(to_regex).collect();
            format!("(?:{})", parts.join("|"))
        }
        Re::Star(x) | Re::Plus(x) | Re::Opt(x) => {
            let op = match r {
                Re::Star(_) => "*",
                Re::Plus(_) => "+",
                _ => "?",
            };
            let inner = to_regex(x);
            if is_atom(x) || matches!(**x, Re::Alt(_)) {
                format!("{inner}{op}")
            } else {
                format!("(?:{inner}){op}")
            }
        }
    }
}

// ------------------------------------------------------------ automata

fn collect_sets<'a>(r: &'a Re, out: &mut Vec<&'a CharSet>) {
    match r {
        Re::Set(s) => out.push(s),
        Re::Cat(v) | Re::Alt(v) => v.iter().for_each(|x| collect_sets(x, out)),
        Re::Star(x) | Re::Plus(x) | Re::Opt(x) => collect_sets(x, out),
        Re::Nothing | Re::Empty => {}
    }
}

/// Disjoint intervals such that every set is a union of some of them.
fn partition(sets: &[&CharSet]) -> Vec<(u32, u32)> {
    let mut cuts: Vec<u32> = vec![0, SUR_LO, SUR_HI + 1, MAX_CP + 1];
    for s in sets {
        for &(a, b) in &s.0 {
            cuts.push(a);
            cuts.push(b + 1);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1] - 1);
        if a > MAX_CP || (a >= SUR_LO && b <= SUR_HI) {
            continue;
        }
        out.push((a, b));
    }
    out
}

fn classes_of(s: &CharSet, alphabet: &[(u32, u32)]) -> Vec<usize> {
    alphabet
        .iter()
        .enumerate()
        .filter(|(_, r)| s.0.iter().any(|&(x, y)| x <= r.0 && r.0 <= y))
        .map(|(i, _)| i)
        .collect()
}

#[derive(Default)]
struct Nfa {
    eps: Vec<Vec<usize>>,
    trans: Vec<Vec<(Vec<usize>, usize)>>,
}

impl Nfa {
    fn state(&mut self) -> usize {
        self.eps.push(Vec::new());
        self.trans.push(Vec::new());
        self.eps.len() - 1
    }
    /// Returns (start, end) of a fragment for `r`.
    fn build(&mut self, r: &Re, alpha: &[(u32, u32)]) -> (usize, usize) {
        let s = self.state();
        let e = self.state();
        match r {
            Re::Nothing => {}
            Re::Empty => self.eps[s].push(e),
            Re::Set(cs) => {
                let cls = classes_of(cs, alpha);
                self.trans[s].push((cls, e));
            }
            Re::Cat(v) => {
                let mut cur = s;
                for x in v {
                    let (a, b) = self.build(x, alpha);
                    self.eps[cur].push(a);
                    cur = b;
                }
                self.eps[cur].push(e);
            }
            Re::Alt(v) => {
                for x in v {
                    let (a, b) = self.build(x, alpha);
                    self.eps[s].push(a);
                    self.eps[b].push(e);
                }
            }
            Re::Star(x) | Re::Plus(x) | Re::Opt(x) => {
                let (a, b) = self.build(x, alpha);
                self.eps[s].push(a);
                self.eps[b].push(e);
                if !matches!(r, Re::Plus(_)) {
                    self.eps[s].push(e);
                }
                if !matches!(r, Re::Opt(_)) {
                    self.eps[b].push(a);
                }
            }
        }
        (s, e)
    }
    fn closure(&self, set: &mut Vec<usize>) {
        let mut stack = set.clone();
        while let Some(q) = stack.pop() {
            for &n in &self.eps[q] {
                if !set.contains(&n) {
                    set.push(n);
                    stack.push(n);
                }
            }
        }
        set.sort_unstable();
        set.dedup();
    }
}

/// Complete DFA: `next[state][class]`.
struct Dfa {
    next: Vec<Vec<usize>>,
    accept: Vec<bool>,
}

fn determinize(r: &Re, alpha: &[(u32, u32)]) -> Result<Dfa, String> {
    let mut nfa = Nfa::default();
    let (s, e) = nfa.build(r, alpha);
    let mut start = vec![s];
    nfa.closure(&mut start);
    let mut ids: HashMap<Vec<usize>, usize> = HashMap::new();
    let mut sets: Vec<Vec<usize>> = vec![start.clone()];
    ids.insert(start, 0);
    let mut next: Vec<Vec<usize>> = Vec::new();
    let mut i = 0;
    while i < sets.len() {
        let cur = sets[i].clone();
        let mut row = Vec::with_capacity(alpha.len());
        for k in 0..alpha.len() {
            let mut m: Vec<usize> = Vec::new();
            for &q in &cur {
                for (cls, to) in &nfa.trans[q] {
                    if cls.binary_search(&k).is_ok() && !m.contains(to) {
                        m.push(*to);
                    }
                }
            }
            nfa.closure(&mut m);
            let id = match ids.get(&m) {
                Some(&id) => id,
                None => {
                    if sets.len() >= MAX_STATES {
                        return Err("automaton too large".into());
                    }
                    sets.push(m.clone());
                    ids.insert(m, sets.len() - 1);
                    sets.len() - 1
                }
            };
            row.push(id);
        }
        next.push(row);
        i += 1;
    }
    let accept = sets.iter().map(|st| st.contains(&e)).collect();
    Ok(Dfa { next, accept })
}

fn node_count(r: &Re) -> usize {
    match r {
        Re::Nothing | Re::Empty | Re::Set(_) => 1,
        Re::Cat(v) | Re::Alt(v) => 1 + v.iter().map(node_count).sum::<usize>(),
        Re::Star(x) | Re::Plus(x) | Re::Opt(x) => 1 + node_count(x),
    }
}

/// Upper bound on the size of the operands of [`difference`].
const MAX_NODES: usize = 400;

/// `L(a) \ L(b)` as a `Re`.
pub(crate) fn difference(a: &Re, b: &Re) -> Result<Re, String> {
    if node_count(a) + node_count(b) > MAX_NODES {
        return Err("expression too large".into());
    }
    let mut all_sets = Vec::new();
    collect_sets(a, &mut all_sets);
    collect_sets(b, &mut all_sets);
    let alpha = partition(&all_sets);
    let da = determinize(a, &alpha)?;
    let db = determinize(b, &alpha)?;
    // product
    let mut ids: HashMap<(usize, usize), usize> = HashMap::new();
    let mut pairs = vec![(0usize, 0usize)];
    ids.insert((0, 0), 0);
    let mut next: Vec<Vec<usize>> = Vec::new();
    let mut i = 0;
    while i < pairs.len() {
        let (p, q) = pairs[i];
        let mut row = Vec::with_capacity(alpha.len());
        for k in 0..alpha.len() {
            let t = (da.next[p][k], db.next[q][k]);
            let id = match ids.get(&t) {
                Some(&id) => id,
                None => {
                    if pairs.len() >= MAX_STATES {
                        return Err("automaton too large".into());
                    }
                    pairs.push(t);
                    ids.insert(t, pairs.len() - 1);
                    pairs.len() - 1
                }
            };
            row.push(id);
        }
        next.push(row);
        i += 1;
    }
    let accept: Vec<bool> = pairs
        .iter()
        .map(|&(p, q)| da.accept[p] && !db.accept[q])
        .collect();
    let r = dfa_to_re(&Dfa { next, accept }, &alpha);
    if node_count(&r) > 4 * MAX_NODES {
        return Err("result too large".into());
    }
    Ok(r)
}

/// State elimination.
fn dfa_to_re(d: &Dfa, alpha: &[(u32, u32)]) -> Re {
    let n = d.next.len();
    // co-reachable states (can reach an accepting state)
    let mut live = d.accept.clone();
    loop {
        let mut changed = false;
        for s in 0..n {
            if !live[s] && d.next[s].iter().any(|&t| live[t]) {
                live[s] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    if !live[0] {
        return Re::Nothing;
    }
    // GNFA: nodes 0..n are DFA states, n = start, n+1 = final
    let start = n;
    let fin = n + 1;
    let mut edges: HashMap<(usize, usize), Re> = HashMap::new();
    for s in 0..n {
        if !live[s] {
            continue;
        }
        let mut by_target: HashMap<usize, Vec<(u32, u32)>> = HashMap::new();
        for (k, &t) in d.next[s].iter().enumerate() {
            if live[t] {
                by_target.entry(t).or_default().push(alpha[k]);
            }
        }
        for (t, rs) in by_target {
            edges.insert((s, t), set(CharSet::from_ranges(rs)));
        }
        if d.accept[s] {
            edges.insert((s, fin), Re::Empty);
        }
    }
    edges.insert((start, 0), Re::Empty);
    let mut remaining: Vec<usize> = (0..n).filter(|&s| live[s]).collect();
    while !remaining.is_empty() {
        // eliminate the state with the fewest in*out edges
        let (pos, &q) = remaining
            .iter()
            .enumerate()
            .min_by_key(|&(_, &q)| {
                let ins = edges.keys().filter(|&&(a, b)| b == q && a != q).count();
                let outs = edges.keys().filter(|&&(a, b)| a == q && b != q).count();
                ins * outs
            })
            .unwrap_or((0, &remaining[0]));
        remaining.remove(pos);
        let self_loop = edges.remove(&(q, q)).map(star).unwrap_or(Re::Empty);
        let ins: Vec<(usize, Re)> = edges
            .iter()
            .filter(|&(&(_, b), _)| b == q)
            .map(|(&(a, _), r)| (a, r.clone()))
            .collect();
        let outs: Vec<(usize, Re)> = edges
            .iter()
            .filter(|&(&(a, _), _)| a == q)
            .map(|(&(_, b), r)| (b, r.clone()))
            .collect();
        edges.retain(|&(a, b), _| a != q && b != q);
        for (a, rin) in &ins {
            for (b, rout) in &outs {
                let path = cat(vec![rin.clone(), self_loop.clone(), rout.clone()]);
                let merged = match edges.remove(&(*a, *b)) {
                    Some(old) => alt(vec![old, path]),
                    None => path,
                };
                edges.insert((*a, *b), merged);
            }
        }
    }
    edges.remove(&(start, fin)).unwrap_or(Re::Nothing)
}
