//! Path patterns and origin regexes of the hosting platforms corslint reads.
//!
//! Every path matcher turns one platform pattern into a [`CompiledPath`]: a
//! `regex::Regex` with the platform's matching semantics for a request path
//! (always starting with `/`, no query string), 1–4 sample paths it matches
//! and the names of its named parameters.
//!
//! | function | platform | semantics modelled |
//! |---|---|---|
//! | [`vercel_source`] | `vercel.json` `source` | path-to-regexp 6.1.0, `{strict, sensitive, delimiter:'/'}` |
//! | [`vercel_route_src`] | legacy `routes[].src` | JS regex, `^…$` added when missing, `\/`→`/`, case-insensitive |
//! | [`firebase_glob`] | `firebase.json` `source`/`glob` | superstatic: `slasher()` + minimatch 6.2 defaults |
//! | [`firebase_regex`] | `firebase.json` `regex` | RE2, unanchored |
//! | [`netlify_path`] | Netlify `_headers` / `[[headers]] for` | `for_regexp.ts`, flags `iu` |
//! | [`cloudflare_path`], [`cloudflare_rule`] | Cloudflare `_headers` | workers-sdk `rules-engine.ts` |
//! | [`nginx_location_regex`], [`nginx_prefix`], [`nginx_exact`] | nginx `location` | PCRE (unanchored), prefix, `=` |
//!
//! Part 2 ([`analyse_origin_regex`], [`is_valid_serialized_origin`]) checks
//! origin allowlists.
//!
//! Limits shared by all matchers (documented once here):
//! * Paths are matched as Rust `&str`; percent-decoding / slash merging that a
//!   server does before matching is the caller's business.
//! * JS regexes without the `u` flag and PCRE without `UTF` work on UTF-16
//!   units / bytes; we work on Unicode scalar values.  This only changes
//!   patterns that count characters of non-ASCII paths.
//! * Case-insensitive matching uses Unicode simple case folding.

mod automaton;
mod dialect;
mod glob;
pub(crate) mod memo;
mod origin;
mod ptre;
mod samples;
#[cfg(test)]
mod tests;

use std::fmt;

use crate::model::Regex;

pub use self::dialect::Dialect;
pub use self::origin::{
    OriginRegexVerdict, WeakKind, WeakOrigin, analyse_origin_regex, is_valid_serialized_origin,
    trusted_origins,
};
pub use self::samples::{hir_samples, regex_samples};

/// A platform path pattern compiled to a Rust regex.
#[derive(Debug, Clone)]
pub struct CompiledPath {
    /// Decides whether a concrete request path matches.
    pub regex: Regex,
    /// 1–4 concrete paths matched by `regex`, most generic first (parameters
    /// and wildcards filled with `x`), the shortest match included.  Empty
    /// only when the pattern can match no request path at all (e.g. the nginx
    /// regex `^api`, or a Firebase glob whose every segment is impossible).
    pub samples: Vec<String>,
    /// Names of named parameters / captures, in pattern order, deduplicated.
    pub params: Vec<String>,
}

/// Why a pattern could not be compiled (or is not analysed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub message: String,
    /// Byte offset in the pattern text, when known.
    pub offset: Option<usize>,
}

impl PatternError {
    pub(crate) fn new(message: impl Into<String>, offset: Option<usize>) -> Self {
        PatternError {
            message: message.into(),
            offset,
        }
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(o) => write!(f, "{} (at byte {o})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for PatternError {}

/// Patterns longer than this are refused (Vercel's own `source` limit;
/// Cloudflare ignores lines over 2000 characters).
pub const MAX_PATTERN_LEN: usize = 4096;

/// Netlify paths with more wildcards than this are not analysed (each `*`
/// is a `(.*)`; hundreds of them make matching slow).
const MAX_WILDCARDS: usize = 32;

/// Compile limits: keep every call well under 50 ms even in debug builds.
const REGEX_SIZE_LIMIT: usize = 1 << 20;
const NEST_LIMIT: u32 = 64;
/// The lazy DFA's cache, per regex and thread. Paths are short and patterns shared (each
/// distinct one compiled once), so a small cache holds every state a lint reaches; with
/// none (the backtracker on every search), matching took 2% more instructions on the
/// benchmark trees and the repository was 5% slower (benches/bench.py).
pub(crate) const DFA_CACHE_LIMIT: usize = 256 * 1024;

fn check_len(pattern: &str) -> Result<(), PatternError> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(PatternError::new(
            format!("pattern longer than {MAX_PATTERN_LEN} bytes is not analysed"),
            None,
        ));
    }
    Ok(())
}

/// Parses a (Rust syntax) regex into HIR with our limits.
pub(crate) fn parse_hir(rust_src: &str) -> Result<regex_syntax::hir::Hir, PatternError> {
    regex_syntax::ParserBuilder::new()
        .nest_limit(NEST_LIMIT)
        .build()
        .parse(rust_src)
        .map_err(|e| {
            PatternError::new(
                format!("invalid regular expression: {}", first_line(&e.to_string())),
                None,
            )
        })
}

fn first_line(s: &str) -> String {
    // regex errors are multi-line with a caret diagram; keep the last line (the reason).
    s.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_string()
}

/// Compiles a Rust-syntax regex with corslint's size limits.
/// `regex::Regex::new(src).ok()` (the crate's default limits), compiled once per distinct
/// source (see [`memo`]): for the regexes formats build themselves.
pub(crate) fn regex_new(src: &str) -> Option<Regex> {
    static COMPILED: memo::Memo<String, Option<Regex>> = memo::Memo::new();
    COMPILED.get_or(src.to_string(), || {
        regex::RegexBuilder::new(src)
            .dfa_size_limit(DFA_CACHE_LIMIT)
            .build()
            .ok()
            .map(Regex::new)
    })
}

/// Compiled once per distinct source (see [`memo`]).
pub(crate) fn compile_rust(rust_src: &str) -> Result<Regex, PatternError> {
    static COMPILED: memo::Memo<String, Result<Regex, PatternError>> = memo::Memo::new();
    COMPILED.get_or(rust_src.to_string(), || {
        compile_rust_uncached(rust_src, false)
    })
}

/// An nginx (PCRE) regex, from its Rust-syntax translation, compiled once per distinct
/// source: matching bytes, as nginx does ([`Regex`]). A pattern bytes cannot express (a
/// class of non-ASCII characters, `\p{..}`) is matched as text.
pub(crate) fn compile_pcre(rust_src: &str, case_insensitive: bool) -> Result<Regex, PatternError> {
    static COMPILED: memo::Memo<(String, bool), Result<Regex, PatternError>> = memo::Memo::new();
    COMPILED.get_or((rust_src.to_string(), case_insensitive), || {
        regex::bytes::RegexBuilder::new(rust_src)
            .unicode(false)
            .case_insensitive(case_insensitive)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(DFA_CACHE_LIMIT)
            .nest_limit(NEST_LIMIT)
            .build()
            .map(Regex::bytes)
            .or_else(|_| compile_rust_uncached(rust_src, case_insensitive))
    })
}

fn compile_rust_uncached(rust_src: &str, case_insensitive: bool) -> Result<Regex, PatternError> {
    regex::RegexBuilder::new(rust_src)
        .case_insensitive(case_insensitive)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(DFA_CACHE_LIMIT)
        .nest_limit(NEST_LIMIT)
        .build()
        .map_err(|e| {
            PatternError::new(
                format!("invalid regular expression: {}", first_line(&e.to_string())),
                None,
            )
        })
        .map(Regex::new)
}

/// Builds a [`CompiledPath`] from a Rust-syntax regex.
fn finish(rust_src: &str, params: Vec<String>) -> Result<CompiledPath, PatternError> {
    finish_with(rust_src, Some(params), &[], true)
}

/// `params: None` = use the regex's named capture groups.  `preferred`
/// samples are tried first (kept only if they match).  Computed once per distinct input
/// (see [`memo`]).
fn finish_with(
    rust_src: &str,
    params: Option<Vec<String>>,
    preferred: &[String],
    prefix_slash: bool,
) -> Result<CompiledPath, PatternError> {
    finish_as(Matching::Text, rust_src, params, preferred, prefix_slash)
}

/// What a compiled pattern matches: text, or bytes as nginx's PCRE does ([`Regex`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Matching {
    Text,
    Pcre,
}

fn finish_as(
    matching: Matching,
    rust_src: &str,
    params: Option<Vec<String>>,
    preferred: &[String],
    prefix_slash: bool,
) -> Result<CompiledPath, PatternError> {
    type Key = (Matching, String, Option<Vec<String>>, Vec<String>, bool);
    static FINISHED: memo::Memo<Key, Result<CompiledPath, PatternError>> = memo::Memo::new();
    let key = (
        matching,
        rust_src.to_string(),
        params.clone(),
        preferred.to_vec(),
        prefix_slash,
    );
    FINISHED.get_or(key, || {
        finish_uncached(matching, rust_src, params, preferred, prefix_slash)
    })
}

fn finish_uncached(
    matching: Matching,
    rust_src: &str,
    params: Option<Vec<String>>,
    preferred: &[String],
    prefix_slash: bool,
) -> Result<CompiledPath, PatternError> {
    // Samples come from the pattern read as text; those the regex does not match (bytes
    // matching differs outside ASCII) are dropped.
    let hir = parse_hir(rust_src)?;
    let regex = match matching {
        Matching::Text => compile_rust(rust_src)?,
        Matching::Pcre => compile_pcre(rust_src, false)?,
    };
    let samples = self::samples::samples_with(&regex, &hir, preferred, prefix_slash);
    debug_assert!(samples.iter().all(|s| regex.is_match(s)));
    let params = params.unwrap_or_else(|| regex.group_names());
    Ok(CompiledPath {
        regex,
        samples,
        params: dedup(params),
    })
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Translates regex text of another dialect (JS as in `vercel.json` `has`
/// values, PCRE as in nginx `map`, RE2) into `regex`-crate syntax with the
/// same meaning, or explains why it cannot (lookaround, backreferences…).
pub fn to_rust_regex(pattern: &str, dialect: Dialect) -> Result<String, PatternError> {
    check_len(pattern)?;
    self::dialect::translate(pattern, dialect, &Default::default())
}

// ---------------------------------------------------------------- Vercel

/// `vercel.json` `headers|redirects|rewrites[].source`: path-to-regexp 6.1.0
/// with `{strict: true, sensitive: true, delimiter: '/'}` (`sourceToRegex`).
///
/// Errors carry path-to-regexp's exact message (e.g. `/api/*` →
/// `Unexpected MODIFIER at 5, expected END`, the index being a UTF-16 index
/// as in JS) and `offset` as a byte offset.  Custom `(regex)` groups are JS
/// regexes; lookarounds/backreferences in them are reported as not analysed.
/// `params` holds the named keys (`:name`), not the numbered `(…)` groups.
pub fn vercel_source(source: &str) -> Result<CompiledPath, PatternError> {
    static DONE: memo::Memo<String, Result<CompiledPath, PatternError>> = memo::Memo::new();
    DONE.get_or(source.to_string(), || vercel_source_uncached(source))
}

fn vercel_source_uncached(source: &str) -> Result<CompiledPath, PatternError> {
    check_len(source)?;
    let (rust_src, params) = self::ptre::source_to_regex(source)?;
    finish(&rust_src, params)
}

/// Legacy `routes[].src`, case-insensitive as Vercel treats routes by default.
/// See [`vercel_route_src_with`].
pub fn vercel_route_src(src: &str) -> Result<CompiledPath, PatternError> {
    vercel_route_src_with(src, false)
}

/// Legacy `routes[].src`: a raw JS regex.  As `normalizeRoutes` does, `^` is
/// prepended unless the text starts with `^`, `$` appended unless it ends with
/// `$` (a plain text test, so `\$` counts), and every `\/` becomes `/`.
/// The router compiles it with flag `i` unless `caseSensitive` is set, and also
/// tries the path without its leading `/` (`vercel dev` router); we model that
/// by letting each start anchor optionally consume one `/`.
pub fn vercel_route_src_with(
    src: &str,
    case_sensitive: bool,
) -> Result<CompiledPath, PatternError> {
    check_len(src)?;
    let mut s = src.to_string();
    let mut shift = 0usize; // bytes added in front, to map offsets back
    if !s.starts_with('^') {
        s.insert(0, '^');
        shift = 1;
    }
    if !s.ends_with('$') {
        s.push('$');
    }
    // `replace(/\\\//g, '/')` — offsets after this point are approximate.
    let s = s.replace("\\/", "/");
    let opts = self::dialect::Options {
        start_anchor: Some("^/?"),
    };
    let body = self::dialect::translate(&s, Dialect::Js, &opts).map_err(|mut e| {
        e.offset = e.offset.map(|o| o.saturating_sub(shift).min(src.len()));
        e
    })?;
    let rust_src = if case_sensitive {
        body
    } else {
        format!("(?i){body}")
    };
    finish_with(&rust_src, None, &[], true)
}

// ---------------------------------------------------------------- Firebase

/// `firebase.json` `source`/`glob`: superstatic's `slasher()` (posix
/// `normalize(join('/', glob))`, keeping a leading `!`) then `minimatch` 6.2
/// with default options, checked against the real minimatch 6.2.0:
/// * braces (`{a,b}`, `{1..3}`) expand first; `*`, `?`, `[…]` stay within a
///   segment; `**` alone spans segments; extglobs `@ ! + * ?(…)`;
/// * `dot: false`: `*`, `?`, classes and `**` never match a segment starting
///   with `.` — except that an extglob at the very start of a segment lifts
///   that rule for the segment (`?(a)*` matches `/.env`);
/// * a trailing `**` needs one more segment: `/api/**` matches `/api/` and
///   `/api/x` but **not** `/api`; `/**/*` does not match `/`;
/// * a path with one extra trailing `/` still matches (`/a` matches `/a/`);
///   runs of `/` count as one separator;
/// * an out-of-order class range (`[z-a]`) makes the segment match nothing;
/// * a leading `!` negates the whole glob.
///
/// `!(…)` is compiled exactly through a small automaton (at most 4 per
/// segment, not nested); empty globs match nothing and are an error.
pub fn firebase_glob(glob: &str) -> Result<CompiledPath, PatternError> {
    static DONE: memo::Memo<String, Result<CompiledPath, PatternError>> = memo::Memo::new();
    DONE.get_or(glob.to_string(), || firebase_glob_uncached(glob))
}

fn firebase_glob_uncached(glob: &str) -> Result<CompiledPath, PatternError> {
    check_len(glob)?;
    let (rust_src, preferred) = self::glob::glob_to_regex(glob)?;
    finish_with(&rust_src, Some(Vec::new()), &preferred, true)
}

/// `firebase.json` `regex`: RE2 syntax, unanchored (substring) match.
/// Lookarounds and backreferences are invalid RE2 and reported as errors.
/// `params` are the named groups (`(?P<name>…)`), usable as `:name`.
pub fn firebase_regex(re: &str) -> Result<CompiledPath, PatternError> {
    check_len(re)?;
    let rust_src = self::dialect::translate(re, Dialect::Re2, &Default::default())?;
    finish_with(&rust_src, None, &[], true)
}

// ---------------------------------------------------------------- Netlify

/// Netlify `_headers` path / `netlify.toml` `for`: `getForRegExp` of
/// `@netlify/headers-parser` (`for_regexp.ts`).  The path is split on `/`,
/// each part right-trimmed, empty parts dropped; a part starting with `:` is
/// `([^/]+)` (the whole part, so `:file.json` is one placeholder); a part that
/// is exactly `*` becomes `?(.*)` after the joining `/` (so `/api/*` matches
/// `/api`, `/api/x/y` and `/apifoo`); a part containing `*` elsewhere has each
/// `*` replaced by `(.*)` and is otherwise used as raw regex text (`.` is any
/// character); other parts are escaped.  Result: `^/…/?$`, flags `iu`.
pub fn netlify_path(path: &str) -> Result<CompiledPath, PatternError> {
    static DONE: memo::Memo<String, Result<CompiledPath, PatternError>> = memo::Memo::new();
    DONE.get_or(path.to_string(), || netlify_path_uncached(path))
}

fn netlify_path_uncached(path: &str) -> Result<CompiledPath, PatternError> {
    check_len(path)?;
    if path.matches('*').count() > MAX_WILDCARDS {
        return Err(PatternError::new(
            format!("more than {MAX_WILDCARDS} `*` wildcards: not analysed"),
            None,
        ));
    }
    let mut parts: Vec<String> = Vec::new();
    let mut params = Vec::new();
    let (mut generic, mut short) = (Vec::new(), Vec::new());
    for part in path.split('/') {
        let part = part.trim_end();
        if part.is_empty() {
            continue;
        }
        if let Some(name) = part.strip_prefix(':') {
            params.push(name.to_string());
            parts.push("([^/]+)".to_string());
            generic.push("x".to_string());
            short.push("x".to_string());
        } else if part == "*" {
            parts.push("?(.*)".to_string());
            generic.push("x".to_string());
        } else if part.contains('*') {
            parts.push(part.replace('*', "(.*)"));
            generic.push(part.replace('*', "x"));
            short.push(part.replace('*', ""));
        } else {
            parts.push(escape_js_u(part));
            generic.push(part.to_string());
            short.push(part.to_string());
        }
    }
    let preferred = [
        format!("/{}", generic.join("/")),
        format!("/{}", short.join("/")),
    ];
    let js = format!("^/{}/?$", parts.join("/"));
    let body =
        self::dialect::translate(&js, Dialect::JsUnicode, &Default::default()).map_err(|e| {
            // Offsets refer to the generated regex, not to the path line.
            PatternError::new(
                format!("Netlify cannot compile this path as a regex: {}", e.message),
                None,
            )
        })?;
    finish_with(&format!("(?i){body}"), Some(params), &preferred, true)
}

/// `escape-string-regexp` (v4/5): `|\{}()[]^$+*?.` get a backslash, `-` becomes `\x2d`.
fn escape_js_u(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '|' | '\\' | '{' | '}' | '(' | ')' | '[' | ']' | '^' | '$' | '+' | '*' | '?' | '.' => {
                out.push('\\');
                out.push(c);
            }
            '-' => out.push_str("\\x2d"),
            _ => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------- Cloudflare

/// A Cloudflare `_headers` rule line compiled by [`cloudflare_rule`].
#[derive(Debug, Clone)]
pub struct CloudflareRule {
    /// The rule starts with `https://`: `compiled.regex` (and the samples)
    /// then match `https://{hostname}{pathname}` instead of the bare path.
    /// The scheme of the request is ignored by Cloudflare (always `https://`).
    pub host_qualified: bool,
    pub compiled: CompiledPath,
}

/// Cloudflare `_headers` path rule (`generateRuleRegExp` in workers-sdk
/// `asset-worker/src/utils/rules-engine.ts`): the text is regex-escaped, each
/// `*` becomes `(?<splat>.*)` (crosses `/`, may be empty, but `/api/*` needs
/// the `/`: it does not match `/api`), `:name` (`[A-Za-z]\w*`) becomes
/// `[^/]+`, anchored, case-sensitive, matched against the URL-encoded pathname.
///
/// Host-qualified rules (`https://host/path`) are an **error** here (message
/// starts with `host-qualified rule`, offset 0); use [`cloudflare_rule`],
/// which compiles both kinds.  A rule with two `*` (or a repeated `:name`)
/// yields duplicate named groups: the JS `RegExp` throws and Cloudflare
/// silently skips the rule, so that is an error too.
pub fn cloudflare_path(path: &str) -> Result<CompiledPath, PatternError> {
    static DONE: memo::Memo<String, Result<CompiledPath, PatternError>> = memo::Memo::new();
    DONE.get_or(path.to_string(), || cloudflare_path_uncached(path))
}

fn cloudflare_path_uncached(path: &str) -> Result<CompiledPath, PatternError> {
    if path.starts_with("https://") {
        return Err(PatternError::new(
            "host-qualified rule (`https://…`) is matched against `https://{host}{path}`; use cloudflare_rule",
            Some(0),
        ));
    }
    Ok(cloudflare_rule(path)?.compiled)
}

/// Compiles any Cloudflare `_headers` rule, including host-qualified ones
/// (`https://:sub.example.com/*`, where a host `:name` is `[^/.]+`).
pub fn cloudflare_rule(rule: &str) -> Result<CloudflareRule, PatternError> {
    check_len(rule)?;
    let host_qualified = rule.starts_with("https://");
    let (js, params) = cloudflare_js_source(rule)?;
    let body = self::dialect::translate(&js, Dialect::Js, &Default::default()).map_err(|e| {
        PatternError::new(
            format!("Cloudflare cannot compile this rule: {}", e.message),
            None,
        )
    })?;
    let _ = params; // the regex's own group order is the pattern order
    let preferred = [cloudflare_generic_sample(rule)];
    let compiled = finish_with(&body, None, &preferred, !host_qualified)?;
    Ok(CloudflareRule {
        host_qualified,
        compiled,
    })
}

/// The rule with `*` and `:name` placeholders filled with `x`.
fn cloudflare_generic_sample(rule: &str) -> String {
    let mut out = String::with_capacity(rule.len());
    let mut chars = rule.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '*' {
            out.push('x');
        } else if c == ':' && chars.peek().is_some_and(char::is_ascii_alphabetic) {
            while chars
                .peek()
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
            {
                chars.next();
            }
            out.push('x');
        } else {
            out.push(c);
        }
    }
    out
}

fn cloudflare_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "-/\\^$*+?.()|[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Returns the JS regex source Cloudflare builds, and the group names.
fn cloudflare_js_source(rule: &str) -> Result<(String, Vec<String>), PatternError> {
    let pieces: Vec<String> = rule.split('*').map(cloudflare_escape).collect();
    let splats = pieces.len() - 1;
    if splats > 1 {
        let second = rule.match_indices('*').nth(1).map(|(i, _)| i);
        return Err(PatternError::new(
            "more than one `*`: the regex gets duplicate `splat` groups, JS throws and Cloudflare silently ignores the rule",
            second,
        ));
    }
    let escaped = pieces.join("(?<splat>.*)");
    // Host part of the escaped text: after `https:\/\/` up to the first `/`.
    let host_end = if escaped.starts_with("https:\\/\\/") {
        let start = "https:\\/\\/".len();
        Some(
            escaped[start..]
                .find('/')
                .map_or(escaped.len(), |i| start + i),
        )
    } else {
        None
    };
    let bytes = escaped.as_bytes();
    let mut out = String::with_capacity(escaped.len() + 16);
    let mut names: Vec<String> = Vec::new();
    if splats == 1 {
        names.push("splat".to_string());
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b':' && i + 1 < bytes.len() && bytes[i + 1].is_ascii_alphabetic() {
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                j += 1;
            }
            let name = &escaped[i + 1..j];
            let in_host = host_end.is_some_and(|h| i >= "https:\\/\\/".len() && i < h)
                && bytes.get(j) == Some(&b'\\');
            if names.iter().any(|n| n == name) {
                return Err(PatternError::new(
                    format!(
                        "placeholder `:{name}` repeated: duplicate named groups, JS throws and Cloudflare silently ignores the rule"
                    ),
                    rule.find(&format!(":{name}")),
                ));
            }
            names.push(name.to_string());
            let class = if in_host { "[^/.]+" } else { "[^/]+" };
            out.push_str(&format!("(?<{name}>{class})"));
            i = j;
            continue;
        }
        // copy one UTF-8 character
        let ch_len = escaped[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&escaped[i..i + ch_len]);
        i += ch_len;
    }
    Ok((format!("^{out}$"), names))
}

// ---------------------------------------------------------------- nginx

/// nginx `location ~ re` (`case_insensitive = false`) / `location ~* re`:
/// PCRE, unanchored.  PCRE-only constructs (lookaround, backreferences,
/// possessive/atomic groups, `\Q…\E`, recursion, conditionals, verbs) give a
/// `PatternError` whose message starts with `uses PCRE syntax that corslint
/// does not analyse (`.  PCRE's `$` also matches before a final `\n`; that is
/// modelled (`\n?\z`).  `params` are the named captures.
pub fn nginx_location_regex(
    pattern: &str,
    case_insensitive: bool,
) -> Result<CompiledPath, PatternError> {
    check_len(pattern)?;
    // Every server of a tree may repeat the same regex locations: translated once each.
    static DONE: memo::Memo<(String, bool), Result<CompiledPath, PatternError>> = memo::Memo::new();
    DONE.get_or((pattern.to_string(), case_insensitive), || {
        let body = self::dialect::translate(pattern, Dialect::Pcre, &Default::default())?;
        let rust_src = if case_insensitive {
            format!("(?i){body}")
        } else {
            body
        };
        finish_as(Matching::Pcre, &rust_src, None, &[], true)
    })
}

/// nginx prefix `location /p` (also `^~ /p`): byte prefix, case-sensitive.
/// Samples: the prefix, and prefix + `x` when it ends with `/`.
pub fn nginx_prefix(prefix: &str) -> Result<CompiledPath, PatternError> {
    check_len(prefix)?;
    let regex = compile_rust(&format!("^{}", regex::escape(prefix)))?;
    let mut samples = vec![prefix.to_string()];
    if prefix.ends_with('/') {
        samples.push(format!("{prefix}x"));
    }
    Ok(CompiledPath {
        regex,
        samples,
        params: Vec::new(),
    })
}

/// nginx exact `location = /p`.
pub fn nginx_exact(path: &str) -> Result<CompiledPath, PatternError> {
    check_len(path)?;
    let regex = compile_rust(&format!("^{}$", regex::escape(path)))?;
    Ok(CompiledPath {
        regex,
        samples: vec![path.to_string()],
        params: Vec::new(),
    })
}
