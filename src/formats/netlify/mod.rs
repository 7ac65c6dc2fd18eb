//! Netlify and Cloudflare Pages: `_headers` ([`headers`]), `_redirects` ([`redirects`]) and
//! `netlify.toml` ([`toml`]), lowered into one [`Site`] per deployed folder.
//!
//! One site combines its files, as the platform does:
//!
//! * Netlify reads `netlify.toml` and the `_headers` / `_redirects` of its publish folder
//!   (`[build] publish`, relative to the toml's folder; the toml's folder when unset).
//!   Reading any of the three reads the others: a `_headers` or `_redirects` file belongs to
//!   the nearest `netlify.toml` above it (up to the repository root) whose publish folder is
//!   the file's folder; otherwise to its folder alone.
//! * Cloudflare Pages reads `_headers` and `_redirects` of one folder (no toml).
//!
//! The dialect of `_headers` / `_redirects` is Cloudflare when the settings say so
//! (`[platform] headers = "cloudflare"`, `--platform cloudflare`), or, without a setting, when a
//! `wrangler.toml` / `wrangler.json` / `wrangler.jsonc` sits in the file's folder or a parent
//! up to the repository root (`.git`) and no `netlify.toml` is nearer.
//!
//! Order of [`Site::top`] (resolution takes the first matching scope with a fixed answer,
//! applies every matching scope's headers, and lets the last matching handler serve):
//!
//! 1. header rules: `_headers` blocks in file order, then `netlify.toml` `[[headers]]` (a
//!    later rule wins for the same name on Netlify, so the toml wins over `_headers`; on
//!    Cloudflare values are appended);
//! 2. redirect rules with a fixed answer (3xx, 4xx): `_redirects` first, then the toml's
//!    `[[redirects]]`, in file order (the first match answers);
//! 3. rewrites (200: static path, proxy, function) in **reverse** order, so that "the last
//!    matching handler serves" picks the first matching rewrite, as the platforms do;
//! 4. Netlify edge functions (`[[edge_functions]]`) and the functions endpoint
//!    (`/.netlify/functions/*`, only when a header rule names it), which serve what they match.
//!
//! Not modelled: a redirect that follows a matching rewrite in the file still answers (the
//! platforms would stop at the rewrite); shadowing of rules without `!` by existing files is
//! assumed not to happen except for 4xx rules (custom "not found" pages, which only answer when
//! no file exists); Netlify's `base` folder; Cloudflare Pages Functions (`functions/`), which
//! the configuration does not name.

pub mod headers;
pub mod redirects;
pub mod toml;

use std::path::{Component, Path, PathBuf};

use crate::formats::{Format, ReadOptions};
use crate::model::{
    Condition, Document, Handler, PathMatcher, PathSyntax, Platform, Problem, ProblemKind, Scope,
    ScopeKind, Site, SiteDefaults, Step, Suppression,
};
use crate::source::{FileId, SourceFile, Sources, Span};

/// Which platform's grammar `_headers` and `_redirects` follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Netlify,
    Cloudflare,
}

impl Dialect {
    pub fn platform(self) -> Platform {
        match self {
            Dialect::Netlify => Platform::Netlify,
            Dialect::Cloudflare => Platform::Cloudflare,
        }
    }

    fn syntax(self) -> PathSyntax {
        match self {
            Dialect::Netlify => PathSyntax::NetlifyPath,
            Dialect::Cloudflare => PathSyntax::CloudflarePath,
        }
    }

    /// What the platform does by itself (reference: hosting-formats.md §3, §4).
    ///
    /// Netlify: how its CDN answers OPTIONS for a static file is not documented (an open
    /// question in the reference); corslint assumes 200 with the configured headers, so that
    /// Netlify configurations are judged on their headers and not on a guess.
    pub fn defaults(self) -> SiteDefaults {
        match self {
            Dialect::Netlify => SiteDefaults {
                static_headers: Vec::new(),
                headers_on_redirects: false,
                static_other_methods_status: 200,
            },
            Dialect::Cloudflare => SiteDefaults {
                static_headers: vec![("Access-Control-Allow-Origin".into(), "*".into())],
                headers_on_redirects: true,
                static_other_methods_status: 405,
            },
        }
    }
}

/// A `_headers` path block or a `[[headers]]` table, before its path is compiled.
#[derive(Debug, Clone)]
pub struct HeaderBlock {
    /// The path as the platform reads it (trimmed; for an absolute Cloudflare URL, its path).
    pub pattern: String,
    /// The path text in the file.
    pub pattern_span: Span,
    /// Whether `pattern_span` holds exactly `pattern` (so pattern offsets map to bytes).
    pub verbatim: bool,
    /// The host of an absolute Cloudflare URL rule (`https://example.com/*`).
    pub host: Option<String>,
    /// The whole block.
    pub span: Span,
    pub ops: Vec<crate::model::HeaderOp>,
}

/// A `_redirects` line or a `[[redirects]]` table, after the grammar and before Netlify's
/// normalisation.
#[derive(Debug, Clone)]
pub struct RedirectDraft {
    pub from: String,
    pub from_span: Span,
    pub to: Option<String>,
    /// A valid status; None for the platform default.
    pub status: Option<i64>,
    pub force: bool,
    /// Query and `Country=`/`Role=`… conditions: never evaluated.
    pub conditions: Vec<Condition>,
    /// The line, or the `[[redirects]]` table.
    pub span: Span,
}

/// A Netlify `[[edge_functions]]` entry with a `path`.
#[derive(Debug, Clone)]
pub struct EdgeFunction {
    pub path: String,
    pub path_span: Span,
    pub function: String,
    pub span: Span,
}

/// What one file contributed.
#[derive(Debug, Default)]
pub struct Parsed {
    pub headers: Vec<HeaderBlock>,
    pub redirects: Vec<RedirectDraft>,
    pub edge_functions: Vec<EdgeFunction>,
    pub problems: Vec<Problem>,
    pub suppressions: Vec<Suppression>,
}

/// Reads a `_headers`, `_redirects` or `netlify.toml` file, with the other files of its site.
pub fn read(
    format: Format,
    file: FileId,
    sources: &mut Sources,
    options: &ReadOptions,
) -> Document {
    let path = sources.get(file).path.clone();
    let dialect = if format == Format::NetlifyToml || options.netlify {
        Dialect::Netlify
    } else if options.cloudflare {
        Dialect::Cloudflare
    } else {
        detect(path.as_deref(), sources)
    };

    let mut files = SiteFiles::default();
    match (dialect, format) {
        (Dialect::Netlify, Format::NetlifyToml) => {
            files.toml = Some(file);
        }
        (Dialect::Netlify, _) => {
            if let Some(dir) = path.as_deref().and_then(Path::parent)
                && let Some(toml_path) = governing_toml(dir, sources)
            {
                files.toml = load(sources, file, &toml_path);
            }
        }
        _ => {}
    }
    match format {
        Format::NetlifyHeaders => files.headers = Some(file),
        Format::NetlifyRedirects => files.redirects = Some(file),
        _ => {}
    }

    let mut document = Document::default();
    let mut toml_parsed = None;
    let mut toml_broken = false;
    if let Some(toml_file) = files.toml {
        let text = sources.get(toml_file).text.clone();
        let parsed = self::toml::parse(&text, toml_file);
        toml_broken = parsed.broken;
        // The publish folder holds the site's `_headers` and `_redirects`.
        if let Some(dir) = sources
            .get(toml_file)
            .path
            .clone()
            .as_deref()
            .and_then(Path::parent)
        {
            let publish = match &parsed.publish {
                Some(p) => dir.join(p),
                None => dir.to_path_buf(),
            };
            if files.headers.is_none() {
                files.headers = load(sources, toml_file, &publish.join("_headers"));
            }
            if files.redirects.is_none() {
                files.redirects = load(sources, toml_file, &publish.join("_redirects"));
            }
        }
        toml_parsed = Some(parsed.parsed);
    }
    // Cloudflare, or Netlify without a toml: the other file of the same folder.
    if files.toml.is_none()
        && let Some(dir) = path.as_deref().and_then(Path::parent)
    {
        if files.headers.is_none() {
            files.headers = load(sources, file, &dir.join("_headers"));
        }
        if files.redirects.is_none() {
            files.redirects = load(sources, file, &dir.join("_redirects"));
        }
    }

    let headers_parsed = files
        .headers
        .map(|id| headers::parse(&sources.get(id).text.clone(), id, dialect));
    let redirects_parsed = files
        .redirects
        .map(|id| redirects::parse(&sources.get(id).text.clone(), id, dialect));

    let mut header_blocks = Vec::new();
    let mut redirect_drafts = Vec::new();
    let mut edge_functions = Vec::new();
    // `_headers` and `_redirects` come before netlify.toml (Netlify merges them that way).
    for parsed in [headers_parsed, redirects_parsed, toml_parsed]
        .into_iter()
        .flatten()
    {
        header_blocks.extend(parsed.headers);
        redirect_drafts.extend(parsed.redirects);
        edge_functions.extend(parsed.edge_functions);
        document.problems.extend(parsed.problems);
        document.suppressions.extend(parsed.suppressions);
    }

    if toml_broken {
        // netlify.toml does not parse: Netlify does not deploy; nothing is judged.
        return document;
    }
    let site = build_site(
        dialect,
        file,
        sources,
        header_blocks,
        redirect_drafts,
        edge_functions,
        &mut document.problems,
    );
    document.sites.push(site);
    document
}

#[derive(Debug, Default)]
struct SiteFiles {
    toml: Option<FileId>,
    headers: Option<FileId>,
    redirects: Option<FileId>,
}

fn build_site(
    dialect: Dialect,
    primary: FileId,
    sources: &Sources,
    header_blocks: Vec<HeaderBlock>,
    redirect_drafts: Vec<RedirectDraft>,
    edge_functions: Vec<EdgeFunction>,
    problems: &mut Vec<Problem>,
) -> Site {
    let defaults = dialect.defaults();
    let primary_file = sources.get(primary);
    let mut site = Site {
        platform: dialect.platform(),
        label: format!("{} site ({})", dialect.platform().name(), primary_file.name),
        span: Span::new(primary, 0..primary_file.text.len()),
        scopes: Vec::new(),
        top: Vec::new(),
        defaults: defaults.clone(),
        hosts: Vec::new(),
        listens: Vec::new(),
        merge_slashes: true,
    };

    let mut functions_endpoint: Option<Span> = None;
    for block in header_blocks {
        if dialect == Dialect::Netlify
            && functions_endpoint.is_none()
            && block
                .pattern
                .get(..9)
                .is_some_and(|p| p.eq_ignore_ascii_case("/.netlify"))
        {
            functions_endpoint = Some(block.pattern_span);
        }
        let mut scope = Scope::new(ScopeKind::HeaderRule, block.span);
        scope.head = block.pattern_span;
        scope.matcher = Some(matcher(
            dialect,
            &block.pattern,
            block.pattern_span,
            block.verbatim,
            problems,
        ));
        if let Some(host) = &block.host {
            scope
                .conditions
                .push(host_condition(host, block.pattern_span));
        }
        scope.headers = block.ops.into();
        site.scopes.push(scope);
        site.top.push(site.scopes.len() - 1);
    }

    let mut rewrites = Vec::new();
    for draft in redirect_drafts {
        let Some(lowered) = lower_redirect(dialect, draft, &defaults, problems) else {
            continue;
        };
        site.scopes.push(lowered.scope);
        let id = site.scopes.len() - 1;
        if lowered.is_rewrite {
            rewrites.push(id);
        } else {
            site.top.push(id);
        }
    }
    site.top.extend(rewrites.into_iter().rev());

    for edge in edge_functions {
        let mut scope = Scope::new(ScopeKind::Rewrite, edge.span);
        scope.head = edge.path_span;
        scope.matcher = Some(matcher(
            dialect,
            &edge.path,
            edge.path_span,
            false,
            problems,
        ));
        scope.handler = Some(Handler::Upstream {
            target: format!("the edge function `{}`", edge.function),
            hides: Vec::new(),
            headers_applied: false,
            span: edge.span,
        });
        site.scopes.push(scope);
        site.top.push(site.scopes.len() - 1);
    }

    if let Some(span) = functions_endpoint {
        // Requests to `/.netlify/functions/NAME` are answered by the function itself.
        let mut scope = Scope::new(ScopeKind::Generated, span);
        let pattern = "/.netlify/functions/*";
        scope.matcher = Some(matcher(dialect, pattern, span, false, problems));
        scope.handler = Some(Handler::Upstream {
            target: "a Netlify Function".into(),
            hides: Vec::new(),
            headers_applied: false,
            span,
        });
        site.scopes.push(scope);
        site.top.push(site.scopes.len() - 1);
    }
    site
}

struct Lowered {
    scope: Scope,
    is_rewrite: bool,
}

/// Netlify's normalisation (`redirect-parser/src/normalize.js`) and the lowering of one rule.
fn lower_redirect(
    dialect: Dialect,
    draft: RedirectDraft,
    defaults: &SiteDefaults,
    problems: &mut Vec<Problem>,
) -> Option<Lowered> {
    let platform = dialect.platform().name();
    let reject = |problems: &mut Vec<Problem>, span: Span, why: String| {
        problems.push(Problem {
            kind: ProblemKind::Config,
            span,
            message: format!("{platform} rejects this redirect rule: {why}"),
            help: None,
        });
    };
    let default_status = match dialect {
        Dialect::Netlify => 301,
        Dialect::Cloudflare => 302,
    };
    let status = draft.status.unwrap_or(default_status);
    let to = match draft.to.clone() {
        Some(to) => to,
        None if draft.from.ends_with("/*") && (200..300).contains(&status) => {
            // A forward rule: `/path/* 200` rewrites to itself.
            format!("{}/:splat", &draft.from[..draft.from.len() - 2])
        }
        None => {
            reject(
                problems,
                draft.span,
                "the destination (`to`) is missing; it may be left out only when the source ends \
                 in `/*` and the status is 2xx"
                    .into(),
            );
            return None;
        }
    };

    let mut conditions = draft.conditions.clone();
    let (path, path_span, verbatim) = if is_url(&draft.from) {
        let Some(url) = parse_url(&draft.from) else {
            reject(
                problems,
                draft.from_span,
                format!("`{}` is not a valid URL", draft.from),
            );
            return None;
        };
        conditions.push(host_condition(&url.host, draft.from_span));
        (url.path, draft.from_span, false)
    } else {
        (draft.from.clone(), draft.from_span, true)
    };
    if dialect == Dialect::Netlify && path.starts_with("/.netlify") {
        reject(
            problems,
            draft.from_span,
            "the source path must not start with `/.netlify`".into(),
        );
        return None;
    }

    let mut scope = Scope::new(ScopeKind::Redirect, draft.span);
    scope.head = draft.from_span;
    scope.matcher = Some(redirect_matcher(
        dialect, &path, path_span, verbatim, problems,
    ));
    let Ok(status16) = u16::try_from(status) else {
        // Netlify accepts any integer; what its CDN does with it is unknown.
        return None;
    };
    let is_rewrite = match status16 {
        200..=299 => {
            scope.kind = ScopeKind::Rewrite;
            let function = to
                .strip_prefix("/.netlify/functions/")
                .or_else(|| to.strip_prefix("/.netlify/builders/"));
            scope.handler = Some(if dialect == Dialect::Netlify && is_url(&to) {
                Handler::Upstream {
                    target: format!("the proxy target `{to}`"),
                    hides: Vec::new(),
                    headers_applied: false,
                    span: draft.span,
                }
            } else if let (Dialect::Netlify, Some(name)) = (dialect, function) {
                let name = name.split(['/', '?']).next().unwrap_or(name);
                Handler::Upstream {
                    target: format!("the Netlify Function `{name}`"),
                    hides: Vec::new(),
                    headers_applied: false,
                    span: draft.span,
                }
            } else {
                Handler::Static {
                    other_methods_status: defaults.static_other_methods_status,
                    span: Some(draft.span),
                }
            });
            true
        }
        300..=399 => {
            scope.steps.push(Step::Return {
                status: status16,
                location: Some(to),
                span: draft.span,
            });
            false
        }
        400..=599 => {
            if !draft.force {
                conditions.push(Condition::Unknown {
                    text: "no file exists at this path (a rule without `!` is shadowed by files)"
                        .into(),
                    span: draft.span,
                });
            }
            scope.kind = ScopeKind::Rewrite;
            scope.steps.push(Step::Return {
                status: status16,
                location: None,
                span: draft.span,
            });
            false
        }
        _ => return None,
    };
    scope.conditions = conditions;
    Some(Lowered { scope, is_rewrite })
}

/// A request-host test corslint cannot evaluate (probes carry no host).
fn host_condition(host: &str, span: Span) -> Condition {
    Condition::Unknown {
        text: format!("host = {host}"),
        span,
    }
}

/// Compiles a path with the platform's matcher. A pattern that does not compile is a problem
/// and matches nothing.
fn matcher(
    dialect: Dialect,
    pattern: &str,
    span: Span,
    verbatim: bool,
    problems: &mut Vec<Problem>,
) -> PathMatcher {
    let compiled = match dialect {
        Dialect::Netlify => crate::patterns::netlify_path(pattern),
        Dialect::Cloudflare => crate::patterns::cloudflare_path(pattern),
    };
    let (regex, samples) = match compiled {
        Ok(c) => (Some(c.regex), c.samples),
        Err(e) => {
            let at = match e.offset {
                Some(o) if verbatim && o <= span.len() => {
                    let start = span.start as usize + o;
                    let end = (start + 1).min(span.end as usize).max(start);
                    Span::new(span.file, start..end)
                }
                _ => span,
            };
            problems.push(Problem {
                kind: ProblemKind::Config,
                span: at,
                message: if e.message.starts_with("Netlify") || e.message.starts_with("Cloudflare")
                {
                    e.message
                } else {
                    format!(
                        "{} cannot use this path pattern: {}",
                        dialect.platform().name(),
                        e.message
                    )
                },
                help: None,
            });
            (None, Vec::new())
        }
    };
    PathMatcher {
        syntax: dialect.syntax(),
        pattern: pattern.to_string(),
        span,
        regex,
        samples,
    }
}

/// A redirect's `from`. On Netlify it matches like a `_headers` path (splats, placeholders,
/// an optional trailing slash) but case-sensitively: "Paths are case-sensitive" (Netlify
/// docs, redirects overview), and `netlify-redirector`, Netlify's matcher, does not match
/// `/OLD` for a rule `/old` (tests/platform_oracles.rs). Cloudflare paths are case-sensitive
/// everywhere.
fn redirect_matcher(
    dialect: Dialect,
    pattern: &str,
    span: Span,
    verbatim: bool,
    problems: &mut Vec<Problem>,
) -> PathMatcher {
    let mut m = matcher(dialect, pattern, span, verbatim, problems);
    if dialect == Dialect::Netlify {
        m.regex = m.regex.and_then(|re| {
            let sensitive = re.as_str().strip_prefix("(?i)")?;
            crate::patterns::regex_new(sensitive)
        });
    }
    m
}

/// `http://` or `https://` (Netlify's `isUrl`).
pub(crate) fn is_url(text: &str) -> bool {
    text.starts_with("http://") || text.starts_with("https://")
}

pub(crate) struct Url {
    pub host: String,
    pub path: String,
}

/// Splits an absolute http(s) URL the way a WHATWG URL parser would accept it; None when it
/// would throw (an empty host, a bad port, forbidden host characters).
pub(crate) fn parse_url(text: &str) -> Option<Url> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))?;
    let rest = rest.trim_start_matches(['/', '\\']);
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_port = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = match host_port.rfind(':') {
        Some(i) if !host_port.ends_with(']') => (&host_port[..i], Some(&host_port[i + 1..])),
        _ => (host_port, None),
    };
    if host.is_empty()
        || host
            .chars()
            .any(|c| c.is_whitespace() || "<>^|%\"`{}".contains(c))
    {
        return None;
    }
    if let Some(port) = port
        && !port.is_empty()
        && port.parse::<u16>().is_err()
    {
        return None;
    }
    let path_part = &rest[end..];
    let path_end = path_part.find(['?', '#']).unwrap_or(path_part.len());
    let path = match &path_part[..path_end] {
        "" => "/".to_string(),
        p => p.replace('\\', "/"),
    };
    Some(Url {
        host: host.to_ascii_lowercase(),
        path,
    })
}

/// Whether a folder (or a parent up to the repository root) has a Wrangler configuration
/// nearer than any `netlify.toml`: then `_headers` / `_redirects` are Cloudflare files.
pub fn detect(path: Option<&Path>, sources: &mut Sources) -> Dialect {
    let Some(dir) = path.and_then(Path::parent) else {
        return Dialect::Netlify;
    };
    for dir in ancestors_to_repo_root(dir, sources) {
        if sources.is_file(&dir.join("netlify.toml")) {
            return Dialect::Netlify;
        }
        if ["wrangler.toml", "wrangler.json", "wrangler.jsonc"]
            .iter()
            .any(|n| sources.is_file(&dir.join(n)))
        {
            return Dialect::Cloudflare;
        }
    }
    Dialect::Netlify
}

/// The folder and its parents, up to and including the first one with `.git` (or the
/// filesystem root), at most 64 levels.
fn ancestors_to_repo_root(dir: &Path, sources: &mut Sources) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in dir.ancestors().take(64) {
        out.push(d.to_path_buf());
        if sources.exists(&d.join(".git")) {
            break;
        }
    }
    out
}

/// The nearest `netlify.toml` above a folder whose publish folder is that folder.
fn governing_toml(dir: &Path, sources: &mut Sources) -> Option<PathBuf> {
    let want = sources.canonicalize(dir)?;
    for d in ancestors_to_repo_root(dir, sources) {
        let candidate = d.join("netlify.toml");
        if !sources.is_file(&candidate) {
            continue;
        }
        // The nearest netlify.toml decides, whether or not it publishes this folder.
        let text = std::fs::read_to_string(&candidate).ok()?;
        let publish = self::toml::publish_dir(&text);
        let folder = match publish {
            Some(p) => d.join(p),
            None => d.clone(),
        };
        return (sources.canonicalize(&folder)? == want).then_some(candidate);
    }
    None
}

fn load(sources: &mut Sources, beside: FileId, path: &Path) -> Option<FileId> {
    if !sources.is_file(path) {
        return None;
    }
    let canonical = sources.canonicalize(path)?;
    if let Some(id) = sources.find_path(&canonical) {
        return Some(id);
    }
    let bytes = std::fs::read(&canonical).ok()?;
    let (text, _bad_byte) = crate::source::decode(bytes);
    if text.contains('\0') {
        return None;
    }
    let name = display_name(sources.get(beside), &canonical);
    Some(sources.add(SourceFile::new(Some(canonical), name, text)))
}

/// A name for a file read beside another one, relative to where that one's name points.
fn display_name(beside: &SourceFile, path: &Path) -> String {
    let base_dir = beside.path.as_deref().and_then(Path::parent);
    let shown_dir = Path::new(&beside.name).parent().unwrap_or(Path::new(""));
    let relative = base_dir.and_then(|b| relative_path(b, path));
    let joined = match relative {
        Some(rel) => normalize(&shown_dir.join(rel)),
        None => path.to_path_buf(),
    };
    joined.to_string_lossy().replace('\\', "/")
}

fn relative_path(from_dir: &Path, to: &Path) -> Option<PathBuf> {
    let from: Vec<Component> = from_dir.components().collect();
    let target: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &target[common..] {
        out.push(c.as_os_str());
    }
    Some(out)
}

/// Removes `.` and folds `x/..` lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut parts: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

/// One line of a text file, split on `\n` as both platforms do.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// 1-based.
    pub number: usize,
    /// The line without surrounding white space (JavaScript's `trim`).
    pub text: &'a str,
    /// Byte offset of `text` in the file.
    pub start: usize,
}

impl Line<'_> {
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }

    pub fn span(&self, file: FileId) -> Span {
        Span::new(file, self.start..self.end())
    }

    /// A span for a part of `text` (a sub-slice of it).
    pub fn sub(&self, file: FileId, part: &str) -> Span {
        let offset = part.as_ptr() as usize - self.text.as_ptr() as usize;
        Span::new(file, self.start + offset..self.start + offset + part.len())
    }
}

/// JavaScript's `String.prototype.trim` white space (including the byte order mark).
pub(crate) fn is_js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

pub(crate) fn js_trim(text: &str) -> &str {
    text.trim_matches(is_js_space)
}

pub(crate) fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let mut offset = 0;
    text.split('\n').enumerate().map(move |(i, raw)| {
        let start = offset;
        offset += raw.len() + 1;
        let trimmed_start = raw.trim_start_matches(is_js_space);
        let lead = raw.len() - trimmed_start.len();
        Line {
            number: i + 1,
            text: js_trim(raw),
            start: start + lead,
        }
    })
}

/// A `# corslint: ignore[...]` comment: on its own line it covers the next line, after
/// content the same line.
pub(crate) fn suppression(
    file: FileId,
    comment: &str,
    start: usize,
    line: usize,
    own_line: bool,
) -> Option<Suppression> {
    let body = comment.strip_prefix('#')?;
    let directive = crate::suppress::parse_comment(body)?;
    Some(Suppression {
        span: Span::new(file, start..start + comment.len()),
        rules: directive.rules,
        line: (!directive.file_wide).then_some(if own_line { line + 1 } else { line }),
        file_wide: directive.file_wide,
    })
}

/// A problem of kind `Config` with the platform's reason.
pub(crate) fn config_problem(span: Span, message: String) -> Problem {
    Problem {
        kind: ProblemKind::Config,
        span,
        message,
        help: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_offsets_of_trimmed_text() {
        let text = "  /a \r\n\tb: c\n\u{feff}x";
        let all: Vec<_> = lines(text).collect();
        assert_eq!(all[0].text, "/a");
        assert_eq!(&text[all[0].start..all[0].end()], "/a");
        assert_eq!(all[1].text, "b: c");
        assert_eq!(all[1].start, 8);
        assert_eq!(all[2].text, "x");
        assert_eq!(all.len(), 3);
    }

    #[test]
    fn netlify_redirect_paths_are_case_sensitive_header_paths_are_not() {
        let span = Span::new(FileId(0), 0..0);
        let mut problems = Vec::new();
        let redirect = redirect_matcher(Dialect::Netlify, "/old/*", span, false, &mut problems);
        assert!(redirect.matches("/old/a") && redirect.matches("/old"));
        assert!(!redirect.matches("/OLD/a"));
        let header = matcher(Dialect::Netlify, "/old/*", span, false, &mut problems);
        assert!(header.matches("/OLD/a"));
        assert!(problems.is_empty());
    }

    #[test]
    fn urls_split_like_a_url_parser() {
        let u = parse_url("https://Example.com:8443/a/b?q#f").unwrap();
        assert_eq!((u.host.as_str(), u.path.as_str()), ("example.com", "/a/b"));
        assert_eq!(parse_url("http://x.org").unwrap().path, "/");
        assert!(parse_url("http://").is_none());
        assert!(parse_url("http:///").is_none());
        assert!(parse_url("https://a:port/").is_none());
    }

    #[test]
    fn relative_names_fold_parent_folders() {
        let beside = SourceFile::new(
            Some(PathBuf::from("/r/site/netlify.toml")),
            "site/netlify.toml".into(),
            String::new(),
        );
        assert_eq!(
            display_name(&beside, Path::new("/r/site/dist/_headers")),
            "site/dist/_headers"
        );
        let inner = SourceFile::new(
            Some(PathBuf::from("/r/site/dist/_headers")),
            "dist/_headers".into(),
            String::new(),
        );
        assert_eq!(
            display_name(&inner, Path::new("/r/site/netlify.toml")),
            "netlify.toml"
        );
    }
}
