//! Origin allowlist checks: weak origin regexes (rule weak-origin-regex) and
//! serialized-origin validity (rule invalid-allow-origin).
//!
//! Registrable domains use a built-in heuristic instead of the Public Suffix
//! List: the last two labels, or the last three when the second-to-last is
//! `co`, `com`, `org`, `net`, `ac`, `gov` or `edu` and the TLD has two
//! letters (`example.co.uk`).  Hosting suffixes such as `github.io` or
//! `vercel.app` are therefore treated like ordinary registrable domains (a
//! regex trusting `*.vercel.app` is reported by rule shared-host-origin, not
//! here), and multi-label public suffixes outside that list (`*.pvt.k12.ma.us`)
//! may make a subdomain look like a different site.

use regex_syntax::hir::{Hir, HirKind};

use super::dialect::{Dialect, translate};
use super::samples::{GenOpts, generate};

/// An origin the regex admits although it belongs to someone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeakOrigin {
    /// A syntactically valid serialized origin an attacker can obtain.
    pub attack: String,
    pub kind: WeakKind,
    /// The legitimate origin the attack imitates; empty when the pattern
    /// names no host at all (e.g. `^https://`, `.*`: any origin passes).
    pub trusted_example: String,
}

/// Why an attacker origin gets through.  Declaration order is not the report
/// order; reports are sorted by [`WeakKind::rank`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WeakKind {
    /// Missing `^` or no label boundary: `https://evilexample.com`.
    SuffixMatch,
    /// Missing `$`: `https://example.com.evil.net`.
    PrefixMatch,
    /// Unescaped `.`: `https://wwwxexample.com`.
    UnescapedDot,
    /// No anchors at all: `https://evilexample.com.evil.net`.
    Substring,
    /// `http://` admitted for an `https://` origin (`https?://`).
    SchemeDowngrade,
    /// `_` or `` ` `` accepted right after the trusted host
    /// (`https://example.com_.evil.net`; `\b`, `[^.]`, `\W`-style checks).
    AnySubdomainChars,
}

impl WeakKind {
    /// Lower is more convincing.
    pub fn rank(self) -> u8 {
        match self {
            WeakKind::Substring => 0,
            WeakKind::PrefixMatch => 1,
            WeakKind::SuffixMatch => 2,
            WeakKind::UnescapedDot => 3,
            WeakKind::AnySubdomainChars => 4,
            WeakKind::SchemeDowngrade => 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginRegexVerdict {
    /// No attacker origin found.
    Strict,
    /// Attacker origins the regex admits, most convincing first.
    Weak(Vec<WeakOrigin>),
    /// The pattern could not be analysed; the reason.
    NotAnalysed(String),
}

const MAX_ORIGIN_PATTERN: usize = 4096;
const MAX_REPETITION: u32 = 100;
const MAX_PER_KIND: usize = 2;

/// Analyses an nginx (PCRE) origin regex, e.g. from
/// `if ($http_origin ~* "…")` or a `map $http_origin` `~regex` key.
/// `case_insensitive` (`~*`) does not change the verdict in practice since
/// browsers send lowercase origins; it is honoured when matching.
/// Origins an allowlist regex is meant to admit (derived from the pattern itself), e.g.
/// `^https://(www\.)?example\.com$` → `https://example.com`, `https://www.example.com`.
/// Empty when the pattern cannot be analysed.
pub fn trusted_origins(pattern: &str, case_insensitive: bool) -> Vec<String> {
    match trusted(pattern, case_insensitive) {
        Ok((_, origins)) => origins.iter().map(Origin::serialize).collect(),
        Err(_) => Vec::new(),
    }
}

type Trusted = Result<(crate::model::Regex, Vec<Origin>), String>;

/// Compiles an origin regex (PCRE) and derives the origins it is meant to admit; once per
/// pattern (see [`super::memo`]).
fn trusted(pattern: &str, case_insensitive: bool) -> Trusted {
    static TRUSTED: super::memo::Memo<(String, bool), Trusted> = super::memo::Memo::new();
    TRUSTED.get_or((pattern.to_string(), case_insensitive), || {
        trusted_uncached(pattern, case_insensitive)
    })
}

fn trusted_uncached(pattern: &str, case_insensitive: bool) -> Trusted {
    if pattern.len() > MAX_ORIGIN_PATTERN {
        return Err("pattern longer than 4 KB".into());
    }
    let body = translate(pattern, Dialect::Pcre, &Default::default()).map_err(|e| e.message)?;
    let src = if case_insensitive {
        format!("(?i){body}")
    } else {
        body
    };
    let hir = super::parse_hir(&src).map_err(|e| e.message)?;
    if has_huge_repetition(&hir) {
        return Err(format!("repetition count above {MAX_REPETITION}"));
    }
    let re = super::compile_rust(&src).map_err(|e| e.message)?;
    let samples = generate(
        &hir,
        GenOpts {
            origin_mode: true,
            max_variants: 16,
        },
    );
    let mut trusted: Vec<Origin> = Vec::new();
    for s in &samples {
        if let Some(o) = trusted_from_sample(s, &re)
            && !trusted.contains(&o)
        {
            trusted.push(o);
        }
    }
    Ok((re, trusted))
}

pub fn analyse_origin_regex(pattern: &str, case_insensitive: bool) -> OriginRegexVerdict {
    static VERDICTS: super::memo::Memo<(String, bool), OriginRegexVerdict> =
        super::memo::Memo::new();
    VERDICTS.get_or((pattern.to_string(), case_insensitive), || {
        analyse_uncached(pattern, case_insensitive)
    })
}

fn analyse_uncached(pattern: &str, case_insensitive: bool) -> OriginRegexVerdict {
    if pattern.len() > MAX_ORIGIN_PATTERN {
        return OriginRegexVerdict::NotAnalysed("pattern longer than 4 KB".into());
    }
    let (re, trusted) = match trusted(pattern, case_insensitive) {
        Ok(t) => t,
        Err(reason) => return OriginRegexVerdict::NotAnalysed(reason),
    };
    if trusted.is_empty() {
        for probe in ["https://evil.net", "http://evil.net"] {
            if re.is_match(probe) {
                return OriginRegexVerdict::Weak(vec![WeakOrigin {
                    attack: probe.to_string(),
                    kind: WeakKind::Substring,
                    trusted_example: String::new(),
                }]);
            }
        }
        return OriginRegexVerdict::NotAnalysed(
            "no trusted origin could be derived from the pattern".into(),
        );
    }
    let mut found: Vec<WeakOrigin> = Vec::new();
    for t in &trusted {
        for (kind, attack) in attack_candidates(t) {
            if found.iter().any(|f| f.attack == attack) {
                continue;
            }
            if !attack_is_foreign(&attack, t, kind) {
                continue;
            }
            if re.is_match(&attack) {
                found.push(WeakOrigin {
                    attack,
                    kind,
                    trusted_example: t.serialize(),
                });
            }
        }
    }
    let prefixish = found
        .iter()
        .any(|f| matches!(f.kind, WeakKind::PrefixMatch | WeakKind::Substring));
    if prefixish {
        found.retain(|f| f.kind != WeakKind::AnySubdomainChars);
    }
    found.sort_by_key(|f| f.kind.rank()); // stable: generation order within a kind
    let mut per_kind: Vec<(WeakKind, usize)> = Vec::new();
    found.retain(|f| {
        let slot = match per_kind.iter_mut().find(|(k, _)| *k == f.kind) {
            Some(s) => s,
            None => {
                per_kind.push((f.kind, 0));
                per_kind.last_mut().expect("just pushed")
            }
        };
        slot.1 += 1;
        slot.1 <= MAX_PER_KIND
    });
    if found.is_empty() {
        OriginRegexVerdict::Strict
    } else {
        OriginRegexVerdict::Weak(found)
    }
}

fn has_huge_repetition(h: &Hir) -> bool {
    match h.kind() {
        HirKind::Repetition(r) => {
            r.min > MAX_REPETITION
                || r.max.is_some_and(|m| m > MAX_REPETITION)
                || has_huge_repetition(&r.sub)
        }
        HirKind::Capture(c) => has_huge_repetition(&c.sub),
        HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(has_huge_repetition),
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    /// `:8443` or empty
    port: String,
}

impl Origin {
    fn serialize(&self) -> String {
        format!("{}://{}{}", self.scheme, self.host, self.port)
    }
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-' || c == '_'
}

/// Turns a generated sample into the origin it most plausibly stands for.
fn trusted_from_sample(sample: &str, re: &crate::model::Regex) -> Option<Origin> {
    let s = sample.to_ascii_lowercase();
    let (scheme, rest) = match s.find("://") {
        Some(p) => {
            let before = &s[..p];
            let start = before
                .char_indices()
                .rev()
                .take_while(|&(_, c)| c.is_ascii_alphanumeric() || "+.-".contains(c))
                .last()
                .map_or(p, |(i, _)| i);
            let sch = &before[start..];
            let sch = sch.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
            (
                if sch.is_empty() {
                    "https".to_string()
                } else {
                    sch.to_string()
                },
                &s[p + 3..],
            )
        }
        None => (
            "https".to_string(),
            s.trim_start_matches(|c: char| !is_host_char(c) || c == '.' || c == '-'),
        ),
    };
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host_end = rest.find(|c: char| !is_host_char(c)).unwrap_or(rest.len());
    let mut host = rest[..host_end].trim_end_matches('.').to_string();
    if host.starts_with('.') || host.starts_with('-') {
        host = format!("x{host}");
    }
    let mut port = String::new();
    let after = &rest[host_end..];
    if let Some(p) = after.strip_prefix(':') {
        let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            port = format!(":{digits}");
        }
    }
    if !host_looks_public(&host) {
        return None;
    }
    let mut o = Origin { scheme, host, port };
    if o.scheme == "http" {
        let https = Origin {
            scheme: "https".into(),
            ..o.clone()
        };
        if re.is_match(&https.serialize()) {
            o = https;
        }
    }
    if !re.is_match(&o.serialize()) {
        // the pattern may forbid the default form; still usable only if it matches
        return None;
    }
    Some(o)
}

/// A plausible trusted host: dot-separated non-empty labels (single-label
/// hosts such as `localhost` and IPv4 addresses included).
fn host_looks_public(host: &str) -> bool {
    !host.is_empty()
        && host
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && host.chars().any(|c| c.is_ascii_alphanumeric())
}

/// The registrable domain by the built-in heuristic (see module docs).
pub(crate) fn registrable(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').collect();
    let n = labels.len();
    if n <= 2 || host.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return host.to_string();
    }
    let take = if labels[n - 1].len() == 2
        && ["co", "com", "org", "net", "ac", "gov", "edu"].contains(&labels[n - 2])
    {
        3
    } else {
        2
    };
    labels[n - take..].join(".")
}

fn attack_candidates(t: &Origin) -> Vec<(WeakKind, String)> {
    let s = &t.scheme;
    let h = &t.host;
    let p = &t.port;
    let reg = registrable(h);
    let mut v: Vec<(WeakKind, String)> = vec![
        (WeakKind::Substring, format!("{s}://evil{h}.evil.net")),
        (WeakKind::Substring, format!("{s}://evil-{h}.evil.net")),
        (WeakKind::PrefixMatch, format!("{s}://{h}.evil.net")),
        (WeakKind::PrefixMatch, format!("{s}://{h}.evil.net:8443")),
        (WeakKind::PrefixMatch, format!("{s}://{h}-evil.net")),
        (WeakKind::PrefixMatch, format!("{s}://{h}evil.net")),
        (WeakKind::SuffixMatch, format!("{s}://evil{h}{p}")),
        (WeakKind::SuffixMatch, format!("{s}://evil-{h}{p}")),
        (WeakKind::SuffixMatch, format!("{s}://evil{reg}{p}")),
        (WeakKind::SuffixMatch, format!("{s}://evil-{reg}{p}")),
    ];
    let dots: Vec<usize> = h.match_indices('.').map(|(i, _)| i).collect();
    if dots.len() > 1 {
        for &d in &dots[..dots.len() - 1] {
            for rep in ["x", "-"] {
                v.push((
                    WeakKind::UnescapedDot,
                    format!("{s}://{}{rep}{}{p}", &h[..d], &h[d + 1..]),
                ));
            }
        }
    }
    v.push((WeakKind::AnySubdomainChars, format!("{s}://{h}_.evil.net")));
    v.push((WeakKind::AnySubdomainChars, format!("{s}://{h}`.evil.net")));
    if s == "https" {
        v.push((WeakKind::SchemeDowngrade, format!("http://{h}{p}")));
    }
    v
}

/// Parses `scheme://host[:port]` leniently (host may contain `_` and `` ` ``,
/// which URL parsers accept in domains).
fn parse_attack(o: &str) -> Option<Origin> {
    let (scheme, rest) = o.split_once("://")?;
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => {
            (h, format!(":{p}"))
        }
        Some(_) => return None,
        None => (rest, String::new()),
    };
    if !host.chars().all(|c| is_host_char(c) || c == '`') {
        return None;
    }
    Some(Origin {
        scheme: scheme.into(),
        host: host.into(),
        port,
    })
}

/// The attack is a valid origin whose host the trusted one does not
/// visibly intend (not the host itself or a subdomain of its registrable
/// domain) — except for scheme downgrades, which keep the host.
fn attack_is_foreign(attack: &str, t: &Origin, kind: WeakKind) -> bool {
    let Some(a) = parse_attack(attack) else {
        return false;
    };
    if let Some(port) = a.port.strip_prefix(':') {
        match port.parse::<u32>() {
            Ok(n) if (1..=65535).contains(&n) && !port.starts_with('0') => {}
            _ => return false,
        }
        if (a.scheme == "https" && port == "443") || (a.scheme == "http" && port == "80") {
            return false;
        }
    }
    if kind == WeakKind::SchemeDowngrade {
        return a.scheme != t.scheme;
    }
    let labels: Vec<&str> = a.host.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return false;
    }
    if !labels
        .last()
        .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_lowercase()))
    {
        return false;
    }
    let reg = registrable(&t.host);
    !(a.host == t.host || a.host == reg || a.host.ends_with(&format!(".{reg}")))
}

/// Checks an `Access-Control-Allow-Origin` value that should be one
/// serialized origin (`scheme://host[:port]`, lowercase, no default port, no
/// path).  Surrounding spaces/tabs are ignored (HTTP strips them).  `null` is
/// valid (it is what opaque origins send; rule null-origin-allowed judges it);
/// `*` is rejected here because it is the wildcard, not an origin.
pub fn is_valid_serialized_origin(value: &str) -> Result<(), &'static str> {
    let s = value.trim_matches(|c| c == ' ' || c == '\t');
    if s.is_empty() {
        return Err("empty value");
    }
    if s == "null" {
        return Ok(());
    }
    if s == "*" {
        return Err("`*` is the wildcard, not an origin");
    }
    if s.starts_with(['"', '\'']) || s.ends_with(['"', '\'']) {
        return Err("quoted value: the quotes are sent literally");
    }
    if s.contains(',') {
        return Err("several origins separated by a comma: only one origin is allowed");
    }
    if s.contains(char::is_whitespace) {
        return Err("several origins separated by spaces: only one origin is allowed");
    }
    let Some((scheme, rest)) = s.split_once("://") else {
        return Err("missing scheme (`https://…`)");
    };
    if scheme.is_empty()
        || !scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    {
        return Err("invalid scheme");
    }
    if s.chars().any(|c| c.is_ascii_uppercase()) {
        let end = rest
            .find(['/', '?', '#'])
            .map_or(s.len(), |i| scheme.len() + 3 + i);
        if s[..end].chars().any(|c| c.is_ascii_uppercase()) {
            return Err("uppercase letters: browsers send the origin in lowercase");
        }
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (auth, tail) = rest.split_at(end);
    if tail == "/" {
        return Err("trailing slash: an origin has no path");
    }
    if !tail.is_empty() {
        return Err("has a path, query or fragment: an origin has none");
    }
    if auth.contains('@') {
        return Err("credentials (`user@`) are never part of an origin");
    }
    let (host, port) = if let Some(h) = auth.strip_prefix('[') {
        match h.split_once(']') {
            Some((ip6, after)) => {
                if ip6.is_empty()
                    || !ip6
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
                {
                    return Err("invalid IPv6 host");
                }
                match after {
                    "" => (auth, None),
                    a => match a.strip_prefix(':') {
                        Some(p) => (&auth[..auth.len() - a.len()], Some(p)),
                        None => return Err("invalid character after IPv6 host"),
                    },
                }
            }
            None => return Err("invalid IPv6 host"),
        }
    } else {
        match auth.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (auth, None),
        }
    };
    if host.is_empty() {
        return Err("missing host");
    }
    if host.contains('*') {
        return Err("wildcard `*` in the host: the header takes one exact origin");
    }
    if !host.starts_with('[') {
        if !host.is_ascii() {
            return Err("non-ASCII host: browsers send the punycode (`xn--`) form");
        }
        if !host.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-' || c == '_'
        }) {
            return Err("invalid character in host");
        }
        let trimmed = host.strip_suffix('.').unwrap_or(host);
        if trimmed.split('.').any(str::is_empty) {
            return Err("empty label in host");
        }
    }
    if let Some(p) = port {
        if p.is_empty() {
            return Err("empty port after `:`");
        }
        if !p.chars().all(|c| c.is_ascii_digit()) {
            return Err("invalid port");
        }
        if (p.len() > 1 && p.starts_with('0')) || p.parse::<u32>().map_or(true, |n| n > 65535) {
            return Err("invalid port (not in serialized form)");
        }
        let default = matches!(
            (scheme, p),
            ("https", "443") | ("http", "80") | ("wss", "443") | ("ws", "80")
        );
        if default {
            return Err("default port (`:443` / `:80`) is never part of a serialized origin");
        }
    }
    Ok(())
}
