//! The common header-rule model: the contract between formats and rules.
//!
//! Every format (nginx, vercel.json, firebase.json, Netlify, Cloudflare) lowers its files into
//! [`Document`]s made of [`Site`]s. Rules read only this model (usually through
//! [`crate::resolve`], which answers one concrete request against a site); they never see a
//! format's syntax tree. When a rule would need to know the format, the model lacks a fact:
//! add the fact here.
//!
//! A [`Site`] is one nginx `server`, one Vercel project, one Firebase hosting site, one Netlify
//! or Cloudflare site. It holds [`Scope`]s — places where configuration applies — in the
//! platform's evaluation order, and a [`Platform`] naming how scopes are chosen and combined:
//!
//! * [`Selection::Nested`] (nginx): server-level steps run first, then exactly one location
//!   is selected (exact, longest prefix, regex in order, nested locations), its rewrite-phase
//!   steps run (`if` branches, `return`, `rewrite`), then its access gates, then its handler.
//!   Header operations are the scope's *effective* set, inheritance already applied.
//! * [`Selection::AllMatching`] (Vercel, Firebase, Netlify, Cloudflare): the first matching
//!   scope with a redirect or fixed answer answers; otherwise every matching scope's header
//!   operations apply in order, combined per [`Combine`], and the last matching handler serves.
//!
//! Every item carries the [`Span`] the user should be shown.

use crate::source::Span;
use std::borrow::Cow;
use std::sync::Arc;

/// A compiled regex, shared by every scope that uses the same pattern (a clone shares the
/// compiled program: a `regex::Regex` clone would get match caches of its own, and a large
/// repository repeats its patterns in thousands of files).
///
/// nginx's (PCRE) regexes match bytes: nginx compiles them without PCRE's UTF mode, so `.`
/// is one byte, `\w`, `\d` and `\s` are ASCII classes and `~*` folds only ASCII letters (nginx
/// 1.22: `location ~ ^/d.$` does not take `/d%C3%A9`, `location ~* ^/k$` does not take the
/// Kelvin sign, `/%E2%84%AA`). The other platforms' regexes (JavaScript, RE2) match text.
#[derive(Debug, Clone)]
pub struct Regex(Arc<Engine>);

#[derive(Debug)]
enum Engine {
    /// Matches text, with Unicode classes and case folding.
    Text(regex::Regex),
    /// Matches a text's UTF-8 bytes, with ASCII classes and case folding.
    Bytes(regex::bytes::Regex),
}

impl Regex {
    /// A regex with Unicode semantics.
    pub fn new(regex: regex::Regex) -> Regex {
        Regex(Arc::new(Engine::Text(regex)))
    }

    /// A regex matching the bytes of a text (see [`Regex`]).
    pub fn bytes(regex: regex::bytes::Regex) -> Regex {
        Regex(Arc::new(Engine::Bytes(regex)))
    }

    pub fn is_match(&self, haystack: &str) -> bool {
        match &*self.0 {
            Engine::Text(re) => re.is_match(haystack),
            Engine::Bytes(re) => re.is_match(haystack.as_bytes()),
        }
    }

    /// The pattern it was compiled from.
    pub fn as_str(&self) -> &str {
        match &*self.0 {
            Engine::Text(re) => re.as_str(),
            Engine::Bytes(re) => re.as_str(),
        }
    }

    /// The names of its named groups, in order.
    pub fn group_names(&self) -> Vec<String> {
        let names: Vec<Option<&str>> = match &*self.0 {
            Engine::Text(re) => re.capture_names().collect(),
            Engine::Bytes(re) => re.capture_names().collect(),
        };
        names.into_iter().flatten().map(str::to_string).collect()
    }

    /// The text of each group of the leftmost match (group 0 is the match), None for a
    /// group that took no part; None when nothing matches. A byte regex's group may start
    /// or end inside a character: its text is then what nginx would copy, decoded lossily.
    pub fn groups<'h>(&self, haystack: &'h str) -> Option<Vec<Option<Cow<'h, str>>>> {
        match &*self.0 {
            Engine::Text(re) => {
                let caps = re.captures(haystack)?;
                Some(
                    caps.iter()
                        .map(|m| m.map(|m| Cow::Borrowed(m.as_str())))
                        .collect(),
                )
            }
            Engine::Bytes(re) => {
                let caps = re.captures(haystack.as_bytes())?;
                Some(
                    caps.iter()
                        .map(|m| {
                            m.map(|m| match haystack.get(m.range()) {
                                Some(text) => Cow::Borrowed(text),
                                None => String::from_utf8_lossy(m.as_bytes()),
                            })
                        })
                        .collect(),
                )
            }
        }
    }
}

/// Index of a scope in [`Site::scopes`].
pub type ScopeId = usize;

/// What one linted file (with the files it includes) turned into.
#[derive(Debug, Default)]
pub struct Document {
    pub sites: Vec<Site>,
    /// Problems found while reading: syntax errors, shapes the platform rejects, includes
    /// that cannot be read. They become findings of the matching rules.
    pub problems: Vec<Problem>,
    /// Suppression comments (`# corslint: ignore[...]`) seen in the files read.
    pub suppressions: Vec<Suppression>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// The text cannot be parsed.
    Syntax,
    /// The platform itself rejects (or silently drops) this shape.
    Config,
    /// An nginx `include` names no readable file.
    UnreadableInclude,
    /// Bytes that are not UTF-8 (read as U+FFFD; the platforms read them the same way).
    NotUtf8,
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: ProblemKind,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

/// `# corslint: ignore[rule, ...] reason` (next line or same line) or `ignore-file[...]`.
#[derive(Debug, Clone)]
pub struct Suppression {
    pub span: Span,
    /// Rule names or codes as written.
    pub rules: Vec<String>,
    /// The 1-based line the suppression covers (None for a whole-file suppression).
    pub line: Option<usize>,
    pub file_wide: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    Nginx,
    Vercel,
    Firebase,
    Netlify,
    Cloudflare,
}

impl Platform {
    pub fn name(self) -> &'static str {
        match self {
            Platform::Nginx => "nginx",
            Platform::Vercel => "Vercel",
            Platform::Firebase => "Firebase Hosting",
            Platform::Netlify => "Netlify",
            Platform::Cloudflare => "Cloudflare Pages",
        }
    }

    pub fn selection(self) -> Selection {
        match self {
            Platform::Nginx => Selection::Nested,
            Platform::Vercel | Platform::Firebase | Platform::Netlify => Selection::AllMatching {
                combine: Combine::LastWins,
            },
            Platform::Cloudflare => Selection::AllMatching {
                combine: Combine::Append,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// nginx: one location is chosen; steps, gates, handler, then the effective headers.
    Nested,
    /// Platform rule lists: every matching header rule applies.
    AllMatching { combine: Combine },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// A later rule's value for the same header name replaces the earlier one.
    LastWins,
    /// A later rule's value is joined to the earlier one with ", ".
    Append,
}

/// One server / project / hosting site.
#[derive(Debug)]
pub struct Site {
    pub platform: Platform,
    /// How the site is named in messages: `server api.example.com`, `vercel.json`.
    pub label: String,
    pub span: Span,
    /// All scopes; [`ScopeId`] indexes this. For nginx, scope 0 is the server itself.
    pub scopes: Vec<Scope>,
    /// Scopes tried first, in order: nginx's top-level locations, or the platform's rules.
    pub top: Vec<ScopeId>,
    /// What answers OPTIONS when no step, gate or handler says otherwise (platform fact).
    pub defaults: SiteDefaults,
    /// Host names the site answers for (nginx `server_name`: exact, `*.example.com`,
    /// `.example.com`, `www.example.*`, all lowercase, or a regex `~...` as written); empty for
    /// a site that answers every host of its deployment.
    pub hosts: Vec<String>,
    /// nginx `listen`s: the ports the server answers on. Empty on the other platforms, whose
    /// sites answer every request of their deployment.
    pub listens: Vec<Listen>,
    /// nginx `merge_slashes` (on unless the server or `http` says `off`): whether repeated
    /// slashes in a request path are merged before a location is chosen. nginx reads it
    /// before the `Host` header picks a server, so the default server of the address decides
    /// for every server on it. Not read on the other platforms (true there).
    pub merge_slashes: bool,
}

/// An nginx `listen` of a server. nginx picks the server of a request among those listening
/// on the port the request came in on (by its `Host`, then the port's default server).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listen {
    /// None for a UNIX socket (`listen unix:/run/api.sock`).
    pub port: Option<u16>,
    /// `default_server` (or its old name, `default`): answers the hosts no server on the
    /// port names.
    pub default_server: bool,
}

#[derive(Debug, Clone)]
pub struct SiteDefaults {
    /// Headers the platform adds to every response it makes itself (static files, its
    /// redirects) unless a rule sets the same name (Cloudflare Pages:
    /// `Access-Control-Allow-Origin: *`).
    pub static_headers: Vec<(String, String)>,
    /// Whether configured headers reach redirect and fixed answers (Cloudflare: yes;
    /// Vercel and Firebase: no, routing ends before header rules).
    pub headers_on_redirects: bool,
    /// What static files answer to methods other than GET and HEAD (nginx and Cloudflare:
    /// 405; Firebase's superstatic answers OPTIONS with 200).
    pub static_other_methods_status: u16,
}

impl Default for SiteDefaults {
    fn default() -> SiteDefaults {
        SiteDefaults {
            static_headers: Vec::new(),
            headers_on_redirects: false,
            static_other_methods_status: 405,
        }
    }
}

impl Site {
    pub fn scope(&self, id: ScopeId) -> &Scope {
        &self.scopes[id]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    /// nginx `server` (the site's root scope).
    Server,
    /// nginx `location`.
    Location,
    /// nginx `if (...)` (its own configuration level).
    If,
    /// nginx `limit_except` (not a scope of its own for headers; kept for spans).
    LimitExcept,
    /// A platform header rule (`headers[]`, a `_headers` path block, `[[headers]]`).
    HeaderRule,
    /// A platform redirect rule.
    Redirect,
    /// A platform rewrite / proxy / function route.
    Rewrite,
    /// A platform-generated route (Vercel `trailingSlash`, `cleanUrls`).
    Generated,
}

/// A place where configuration applies.
#[derive(Debug)]
pub struct Scope {
    pub kind: ScopeKind,
    /// The whole block or rule.
    pub span: Span,
    /// The token naming the scope (`location`, the path line, the `source` value).
    pub head: Span,
    pub parent: Option<ScopeId>,
    /// Which request paths reach it. None: every path (server, `if`).
    pub matcher: Option<PathMatcher>,
    /// Further conditions that must all hold (method, headers, an nginx `if`).
    pub conditions: Vec<Condition>,
    /// Rewrite-phase steps in order: fixed answers, redirects, rewrites, `if` branches.
    pub steps: Vec<Step>,
    /// Access-phase gates, checked after the steps.
    pub gates: Vec<Gate>,
    /// The effective header operations when this scope answers (inheritance applied).
    /// Shared: nginx locations inherit their parent's operations as they are, and a large
    /// tree has thousands of locations.
    pub headers: Arc<[HeaderOp]>,
    /// Header operations this level would have inherited but drops because it has its own
    /// (nginx `add_header` replacement), with the first own operation that causes the drop.
    pub dropped: Option<Dropped>,
    /// Who produces the body when nothing answered before.
    pub handler: Option<Handler>,
    /// Nested scopes selected after this one (nginx nested locations), in file order.
    pub children: Vec<ScopeId>,
    /// Request headers this scope is seen to expect (`$http_x_request_id` used here).
    pub expects_request_headers: Vec<Evidence>,
}

impl Scope {
    pub fn new(kind: ScopeKind, span: Span) -> Scope {
        Scope {
            kind,
            span,
            head: span,
            parent: None,
            matcher: None,
            conditions: Vec::new(),
            steps: Vec::new(),
            gates: Vec::new(),
            headers: Arc::from([]),
            dropped: None,
            handler: None,
            children: Vec::new(),
            expects_request_headers: Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Dropped {
    pub inherited: Arc<[HeaderOp]>,
    /// The first header operation of this level: the reason nothing is inherited.
    pub because: Span,
}

/// A request header the configuration is seen to read.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// Header name in its canonical form (`X-Request-Id`).
    pub name: String,
    pub span: Span,
}

/// How a path is matched, with the platform's own syntax kept for messages.
#[derive(Debug, Clone)]
pub struct PathMatcher {
    pub syntax: PathSyntax,
    /// The pattern as written (unquoted).
    pub pattern: String,
    pub span: Span,
    /// The compiled matcher; None when corslint cannot evaluate the pattern (PCRE-only
    /// syntax): such a scope is never assumed to match.
    pub regex: Option<Regex>,
    /// Concrete paths the pattern matches, most generic first, used to build requests.
    pub samples: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathSyntax {
    /// nginx `location /prefix`.
    Prefix,
    /// nginx `location ^~ /prefix` (no regex check when it is the longest prefix).
    PrefixNoRegex,
    /// nginx `location = /path`.
    Exact,
    /// nginx `location ~ re` / `~* re`. `literal_prefix` is the length of the literal text
    /// after the pattern's leading `^` that every match starts with ([`PathSyntax::regex`]):
    /// paths without it are rejected before the regex runs.
    Regex {
        case_insensitive: bool,
        literal_prefix: u16,
    },
    /// nginx `location @name` (never matched by a path).
    Named,
    /// Vercel `source` (path-to-regexp 6.1, strict, case-sensitive).
    PathToRegexp,
    /// Vercel legacy `routes[].src` (anchored regex).
    AnchoredRegex,
    /// Firebase `source`/`glob` (minimatch).
    Glob,
    /// Firebase `regex` (RE2, unanchored).
    Re2,
    /// Netlify `_headers` / `for` / `from` (splats and `:placeholders`, case-insensitive).
    NetlifyPath,
    /// Cloudflare `_headers` / `_redirects` path.
    CloudflarePath,
}

impl PathMatcher {
    /// Whether a concrete path reaches this matcher. Prefix and exact forms compare text;
    /// the others use the compiled regex.
    pub fn matches(&self, path: &str) -> bool {
        match self.syntax {
            PathSyntax::Prefix | PathSyntax::PrefixNoRegex => path.starts_with(&self.pattern),
            PathSyntax::Exact => path == self.pattern,
            PathSyntax::Named => false,
            PathSyntax::Regex {
                case_insensitive,
                literal_prefix,
            } => {
                // Most location regexes start with literal text (`^/items/`): a path without
                // it is rejected here, far cheaper than running the regex (the rules try
                // every regex location for hundreds of paths per site).
                let prefix = self
                    .pattern
                    .get(1..1 + usize::from(literal_prefix))
                    .unwrap_or("");
                let rejected = if case_insensitive {
                    // Only ASCII paths are judged here: a pattern that cannot be matched as
                    // bytes (a non-ASCII class) is matched with Unicode case folding, which
                    // takes K, the Kelvin sign, for `k`.
                    path.is_ascii()
                        && !path
                            .get(..prefix.len())
                            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
                } else {
                    !path.starts_with(prefix)
                };
                !rejected && self.regex.as_ref().is_some_and(|re| re.is_match(path))
            }
            _ => self.regex.as_ref().is_some_and(|re| re.is_match(path)),
        }
    }
}

impl PathSyntax {
    /// The syntax of an nginx regex location, with the length of its required literal
    /// prefix worked out once.
    pub fn regex(pattern: &str, case_insensitive: bool) -> PathSyntax {
        PathSyntax::Regex {
            case_insensitive,
            literal_prefix: u16::try_from(required_prefix(pattern).len()).unwrap_or(0),
        }
    }
}

/// The literal text every match of an nginx (PCRE) regex starts with: the characters after
/// a leading `^` up to the first metacharacter, less the last one when a quantifier may
/// make it optional. Empty when there is none or when a top-level alternation could bypass
/// it (`^/a|/b`; an alternation inside a group, `^/a/(b|c)`, comes after the text).
fn required_prefix(pattern: &str) -> &str {
    let Some(body) = pattern.strip_prefix('^') else {
        return "";
    };
    if has_top_level_alternation(body) {
        return "";
    }
    // The metacharacters are ASCII: a byte index of one is a character boundary.
    let end = body
        .bytes()
        .position(|b| {
            matches!(
                b,
                b'\\'
                    | b'^'
                    | b'$'
                    | b'.'
                    | b'['
                    | b']'
                    | b'('
                    | b')'
                    | b'?'
                    | b'*'
                    | b'+'
                    | b'{'
                    | b'}'
                    | b'|'
            )
        })
        .unwrap_or(body.len());
    let literal = &body[..end];
    if body[end..].starts_with(['?', '*', '{']) {
        // `^/ab?`: the `b` may be absent.
        let last = literal.chars().next_back().map_or(0, char::len_utf8);
        return &literal[..literal.len() - last];
    }
    literal
}

/// Whether a PCRE pattern has a `|` outside every group. Escapes and character classes
/// are skipped; anything this scan does not understand (`\Q...\E` quoting) counts as yes,
/// which only turns the prefilter off.
fn has_top_level_alternation(pattern: &str) -> bool {
    let bytes = pattern.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                if bytes.get(i + 1) == Some(&b'Q') {
                    return true;
                }
                i += 2;
                continue;
            }
            b'[' => {
                // A class: `]` right after `[` or `[^` is a literal member; `[:alpha:]`
                // holds no `]` of its own before its closing `:]`.
                i += 1;
                if bytes.get(i) == Some(&b'^') {
                    i += 1;
                }
                if bytes.get(i) == Some(&b']') {
                    i += 1;
                }
                while i < bytes.len() && bytes[i] != b']' {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'[' if bytes.get(i + 1) == Some(&b':') => {
                            while i < bytes.len()
                                && !(bytes[i] == b':' && bytes.get(i + 1) == Some(&b']'))
                            {
                                i += 1;
                            }
                            i += 1;
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b'|' if depth == 0 => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

#[derive(Debug, Clone)]
pub enum Condition {
    /// The request method is (or, negated, is not) one of these.
    Method {
        methods: Vec<String>,
        negate: bool,
        span: Span,
    },
    /// The request method matches a regex (nginx `if ($request_method ~ ...)`).
    MethodRegex {
        regex: Option<Regex>,
        negate: bool,
        span: Span,
    },
    /// A request header is present / matches (`has`, `missing`, nginx `if ($http_x ...)`).
    Header {
        name: String,
        test: ValueTest,
        negate: bool,
        span: Span,
    },
    /// A condition corslint does not evaluate (a cookie, a query, `-f $file`, a variable
    /// set elsewhere). Resolution treats it as false and marks the answer undetermined.
    Unknown { text: String, span: Span },
}

impl Condition {
    pub fn span(&self) -> Span {
        match self {
            Condition::Method { span, .. }
            | Condition::MethodRegex { span, .. }
            | Condition::Header { span, .. }
            | Condition::Unknown { span, .. } => *span,
        }
    }
}

#[derive(Debug, Clone)]
pub enum ValueTest {
    /// The header is present and non-empty.
    Present,
    Equals(String),
    Regex(Option<Regex>),
}

/// One rewrite-phase step.
#[derive(Debug, Clone)]
pub enum Step {
    /// A fixed answer: nginx `return 204`, a Vercel route `status`.
    Return {
        status: u16,
        /// For 3xx: the `Location`.
        location: Option<String>,
        span: Span,
    },
    /// A redirect rule with a path pattern of its own (nginx `rewrite ... permanent`).
    /// `replacement` may use `$1`..`$9`.
    Redirect {
        regex: Option<Regex>,
        pattern: String,
        replacement: String,
        status: u16,
        span: Span,
    },
    /// An internal rewrite: the path changes and location selection starts again
    /// (nginx `rewrite ... last`); `break` stays in the current scope.
    Rewrite {
        regex: Option<Regex>,
        pattern: String,
        replacement: String,
        reselect: bool,
        span: Span,
    },
    /// An nginx `if`: when the scope's conditions hold, it becomes the active configuration
    /// and its own steps run.
    Branch(ScopeId),
}

/// An access-phase gate: it answers before the handler when it refuses the request.
#[derive(Debug, Clone)]
pub struct Gate {
    pub kind: GateKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateKind {
    /// HTTP authentication that requests without credentials fail (401).
    Auth { what: String },
    /// A subrequest decides (nginx `auth_request`): 401/403 without credentials, usually.
    AuthSubrequest,
    /// Everything is refused (`deny all`): 403.
    DenyAll,
    /// Only these methods pass (nginx `limit_except`; GET implies HEAD); others get
    /// `status`.
    MethodLimit { allowed: Vec<String>, status: u16 },
}

impl GateKind {
    /// The status this gate refuses a request with, if it does. Credentials the request
    /// carries are assumed valid; a preflight never carries any.
    pub fn refusal(&self, method: &str, credentials: bool) -> Option<u16> {
        match self {
            GateKind::Auth { .. } | GateKind::AuthSubrequest => (!credentials).then_some(401),
            GateKind::DenyAll => Some(403),
            GateKind::MethodLimit { allowed, status } => {
                let ok = allowed
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(method) || (m == "GET" && method == "HEAD"));
                (!ok).then_some(*status)
            }
        }
    }
}

/// Who answers when no step or gate did.
#[derive(Debug, Clone)]
pub enum Handler {
    /// Files served by the platform. `other_methods_status` is what it answers methods other
    /// than GET and HEAD with
    /// (nginx's static module: 405; Cloudflare Pages: 405; superstatic: 200).
    Static {
        other_methods_status: u16,
        span: Option<Span>,
    },
    /// An upstream the configuration cannot see into (`proxy_pass`, a function, a rewrite to
    /// an external URL). It decides the status, and may add its own headers.
    Upstream {
        target: String,
        /// Upstream response headers hidden from the client (`proxy_hide_header`).
        hides: Vec<String>,
        /// Whether the platform applies the configured headers to this handler's responses
        /// (false on Netlify and Cloudflare for proxies and functions).
        headers_applied: bool,
        span: Span,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderAction {
    /// Replace any value set before.
    Set,
    /// Add another field line (nginx `add_header` on an upstream's headers). In a platform
    /// rule list: the same name again inside one rule (a `_headers` block, a toml array
    /// value), which the platform joins to the value before it with ", " whatever
    /// [`Combine`] says about separate rules.
    Append,
    /// Remove what earlier rules set (Cloudflare `! Name`).
    Remove,
}

/// Which responses a header operation reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Always,
    /// Only these statuses (nginx `add_header` without `always`).
    Only(&'static [u16]),
}

/// The statuses nginx `add_header` reaches without `always`.
pub const NGINX_SUCCESS_STATUSES: &[u16] = &[200, 201, 204, 206, 301, 302, 303, 304, 307, 308];

impl Reach {
    pub fn reaches(self, status: u16) -> bool {
        match self {
            Reach::Always => true,
            Reach::Only(list) => list.contains(&status),
        }
    }
}

/// One response header operation.
#[derive(Debug, Clone)]
pub struct HeaderOp {
    /// The header name as written.
    pub name: String,
    pub value: HeaderValue,
    pub action: HeaderAction,
    pub reach: Reach,
    /// The whole directive or header line.
    pub span: Span,
    pub name_span: Span,
    /// The value token (for `*`, `true`: exactly those bytes).
    pub value_span: Span,
}

impl HeaderOp {
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// A header value with its provenance: origin-trust rules read this, never variable names.
#[derive(Debug, Clone)]
pub enum HeaderValue {
    /// Literal text. An empty literal means "not sent" on nginx.
    Literal(String),
    /// The request's `Origin`, sent back unchecked.
    RequestOrigin { via: Vec<Span> },
    /// Chosen by the request's `Origin`: the first arm whose test matches gives the value,
    /// else `otherwise` (an nginx `map $http_origin`, an `if ($http_origin ~ ...)` that sets
    /// a variable, a Vercel `has` on `origin`).
    /// Shared, not copied: every `add_header ... $cors_origin` of a tree names the same
    /// `map`, and a copy of its arms was a dozen allocations.
    ByOrigin {
        arms: Arc<[OriginArm]>,
        otherwise: Arc<HeaderValue>,
    },
    /// A runtime value corslint cannot know (another variable, an upstream value).
    Dynamic(String),
}

#[derive(Debug, Clone)]
pub struct OriginArm {
    pub test: OriginTest,
    pub value: HeaderValue,
    /// The map entry or `if` condition.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum OriginTest {
    Exact(String),
    Regex {
        pattern: String,
        case_insensitive: bool,
        /// Shared, not copied: header values are cloned into every scope that inherits them
        /// and into every simulated response, and each copy of a `Regex` would build a cache
        /// pool of its own.
        regex: Option<Regex>,
    },
}

impl OriginTest {
    /// Whether the test admits an origin; None when the regex could not be compiled.
    pub fn admits(&self, origin: &str) -> Option<bool> {
        match self {
            OriginTest::Exact(text) => Some(text == origin),
            OriginTest::Regex { regex, .. } => regex.as_ref().map(|re| re.is_match(origin)),
        }
    }
}

impl HeaderValue {
    /// The value sent for a request with this `Origin` (None: not sent, or unknowable).
    pub fn evaluate(&self, origin: Option<&str>) -> Evaluated<'_> {
        match self {
            HeaderValue::Literal(text) => Evaluated::Text(Cow::Borrowed(text)),
            HeaderValue::RequestOrigin { .. } => match origin {
                Some(o) => Evaluated::Text(Cow::Owned(o.to_string())),
                None => Evaluated::Text(Cow::Borrowed("")),
            },
            HeaderValue::ByOrigin { arms, otherwise } => {
                if let Some(o) = origin {
                    for arm in arms.iter() {
                        match arm.test.admits(o) {
                            Some(true) => return arm.value.evaluate(origin),
                            Some(false) => {}
                            None => return Evaluated::Unknown,
                        }
                    }
                }
                otherwise.evaluate(origin)
            }
            HeaderValue::Dynamic(_) => Evaluated::Unknown,
        }
    }

    /// The literal text, when the value does not depend on the request.
    pub fn literal(&self) -> Option<&str> {
        match self {
            HeaderValue::Literal(text) => Some(text),
            _ => None,
        }
    }

    /// Whether the value can echo the request's Origin.
    pub fn is_dynamic_origin(&self) -> bool {
        match self {
            HeaderValue::RequestOrigin { .. } => true,
            HeaderValue::ByOrigin { arms, otherwise } => {
                arms.len() > 1
                    || arms.iter().any(|a| a.value.is_dynamic_origin())
                    || otherwise.is_dynamic_origin()
                    || arms.iter().any(|a| a.value.literal().is_some())
            }
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evaluated<'a> {
    /// Borrowed from the configuration when it is literal text.
    Text(Cow<'a, str>),
    Unknown,
}

/// CORS header names, lowercase, as rules compare them.
pub mod names {
    pub const ALLOW_ORIGIN: &str = "access-control-allow-origin";
    pub const ALLOW_CREDENTIALS: &str = "access-control-allow-credentials";
    pub const ALLOW_METHODS: &str = "access-control-allow-methods";
    pub const ALLOW_HEADERS: &str = "access-control-allow-headers";
    pub const EXPOSE_HEADERS: &str = "access-control-expose-headers";
    pub const MAX_AGE: &str = "access-control-max-age";
    pub const VARY: &str = "vary";

    /// Whether a response header belongs to the CORS protocol (`Access-Control-*`).
    pub fn is_cors(name: &str) -> bool {
        // By bytes: a name may hold any character, and byte 15 may fall inside one.
        name.len() > 15 && name.as_bytes()[..15].eq_ignore_ascii_case(b"access-control-")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_required_prefix_of_a_location_regex_is_its_leading_literal_text() {
        assert_eq!(required_prefix("^/items/1/([0-9]+)$"), "/items/1/");
        assert_eq!(required_prefix("^/api/v1?/x"), "/api/v");
        assert_eq!(required_prefix("^/a{2}"), "/");
        assert_eq!(required_prefix("^/img\\.png"), "/img");
        assert_eq!(required_prefix("^/a|/b"), "");
        assert_eq!(required_prefix("^/a/(?:b|c)$"), "/a/");
        assert_eq!(required_prefix("^/a[|(]x|/b"), "");
        assert_eq!(required_prefix("^/a\\(|/b"), "");
        assert_eq!(required_prefix("^/a[]|]|/b"), "");
        assert_eq!(required_prefix("^/a[[:alpha:]|]x"), "/a");
        assert_eq!(required_prefix("^/a\\Q|\\E"), "");
        assert_eq!(required_prefix("\\.php$"), "");
        assert_eq!(required_prefix("^(?i)/x"), "");
    }

    fn location(pattern: &str, case_insensitive: bool) -> PathMatcher {
        let compiled = crate::patterns::nginx_location_regex(pattern, case_insensitive)
            .expect("the pattern compiles");
        PathMatcher {
            syntax: PathSyntax::regex(pattern, case_insensitive),
            pattern: pattern.to_string(),
            span: Span::new(crate::source::FileId(0), 0..0),
            regex: Some(compiled.regex),
            samples: Vec::new(),
        }
    }

    /// nginx matches location regexes as bytes, as the real nginx 1.22 answers: `.` is one
    /// byte, `\w` is ASCII, `~*` folds ASCII letters only.
    #[test]
    fn nginx_regexes_match_bytes() {
        assert!(!location("^/d.$", false).matches("/d\u{e9}"));
        assert!(location("^/d..$", false).matches("/d\u{e9}"));
        assert!(location("^/d.$", false).matches("/dx"));
        assert!(!location("^/w\\w$", false).matches("/w\u{e9}"));
        assert!(!location("^/k$", true).matches("/\u{212A}"));
        assert!(location("^/k$", true).matches("/K"));
        assert!(location("^/caf\u{e9}$", false).matches("/caf\u{e9}"));
        // A group may end inside a character; its text is then decoded lossily.
        let re = location("^/(.)", false).regex.unwrap();
        let groups = re.groups("/\u{e9}").expect("it matches");
        assert_eq!(groups[1].as_deref(), Some("\u{fffd}"));
        // A pattern bytes cannot express (a class of non-ASCII characters) matches text.
        assert!(location("^/[\u{e9}]x$", false).matches("/\u{e9}x"));
    }

    #[test]
    fn the_prefix_check_agrees_with_the_regex() {
        let m = location("^/items/1/([0-9]+)$", false);
        assert!(m.matches("/items/1/42"));
        assert!(!m.matches("/items/2/42"));
        assert!(!m.matches("/ITEMS/1/42"));
        let m = location("^/Assets/.+\\.css$", true);
        assert!(m.matches("/assets/a.css"));
        assert!(m.matches("/ASSETS/a.css"));
        assert!(!m.matches("/other/a.css"));
        // A non-ASCII path is left to the regex (which, matching bytes as nginx does, does
        // not take the Kelvin sign for `k`).
        let m = location("^/k", true);
        assert_eq!(
            m.matches("/\u{212A}"),
            m.regex.as_ref().unwrap().is_match("/\u{212A}")
        );
        let m = location("^/api/v1?/x", false);
        assert!(m.matches("/api/v/x") && m.matches("/api/v1/x"));
    }
}
