//! The rule registry and what rules share: the site under test, the client's settings, and
//! the probes (concrete requests resolved against the site).

use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::cell::OnceCell;
use std::rc::Rc;

use crate::finding::{Finding, RuleInfo};
use crate::model::{Document, HeaderOp, HeaderValue, OriginTest, Site};
use crate::resolve::{self, Request, Response};
use crate::settings::Client;
use crate::source::Sources;

mod authorization_not_covered;
mod cors_only_on_preflight;
mod duplicate_allow_origin;
mod header_inheritance_drop;
mod headers_not_applied;
mod insecure_origin_scheme;
mod invalid_allow_credentials;
mod invalid_allow_list;
mod invalid_allow_origin;
mod invalid_config;
mod invalid_syntax;
mod lowercase_method;
mod max_age_out_of_range;
mod missing_always;
mod missing_max_age;
mod missing_vary_origin;
mod non_utf8;
mod null_origin;
mod origin_reflection;
mod preflight_missing_cors_headers;
mod preflight_not_ok;
mod redirect_on_preflight;
mod unlisted_request_header;
mod unreadable_include;
pub mod unused_suppression;
mod useless_allow_entry;
mod values;
mod weak_origin_regex;
mod wildcard_list_with_credentials;
mod wildcard_with_credentials;

/// A rule: what it looks at in the model, and what it reports.
pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    /// Rules about a whole document (syntax errors, rejected shapes).
    fn check_document(&self, _document: &Document, _out: &mut Vec<Finding>) {}
    /// Rules about one site.
    fn check_site(&self, _cx: &SiteContext, _out: &mut Vec<Finding>) {}
}

/// Every rule, in code order (a test checks the order, the codes and the pages).
pub static RULES: &[&dyn Rule] = &[
    &invalid_syntax::InvalidSyntax,
    &invalid_config::InvalidConfig,
    &unreadable_include::UnreadableInclude,
    &non_utf8::NonUtf8,
    &wildcard_with_credentials::WildcardWithCredentials,
    &origin_reflection::OriginReflection,
    &weak_origin_regex::WeakOriginRegex,
    &null_origin::NullOrigin,
    &insecure_origin_scheme::InsecureOriginScheme,
    &invalid_allow_origin::InvalidAllowOrigin,
    &invalid_allow_credentials::InvalidAllowCredentials,
    &duplicate_allow_origin::DuplicateAllowOrigin,
    &wildcard_list_with_credentials::WildcardListWithCredentials,
    &unlisted_request_header::UnlistedRequestHeader,
    &missing_max_age::MissingMaxAge,
    &authorization_not_covered::AuthorizationNotCovered,
    &invalid_allow_list::InvalidAllowList,
    &lowercase_method::LowercaseMethod,
    &max_age_out_of_range::MaxAgeOutOfRange,
    &preflight_not_ok::PreflightNotOk,
    &preflight_missing_cors_headers::PreflightMissingCorsHeaders,
    &useless_allow_entry::UselessAllowEntry,
    &missing_always::MissingAlways,
    &redirect_on_preflight::RedirectOnPreflight,
    &header_inheritance_drop::HeaderInheritanceDrop,
    &missing_vary_origin::MissingVaryOrigin,
    &headers_not_applied::HeadersNotApplied,
    &cors_only_on_preflight::CorsOnlyOnPreflight,
    &unused_suppression::UnusedSuppression,
];

pub fn all() -> impl Iterator<Item = &'static RuleInfo> {
    RULES.iter().map(|r| r.info())
}

/// Finds a rule by name or code (case-insensitive for codes).
/// A set of rules, one bit per rule of [`RULES`]: kept for every file linted (thousands in
/// a repository), so it is a word, not a hash set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleSet(u64);

impl RuleSet {
    pub fn insert(&mut self, rule: &RuleInfo) {
        if let Some(i) = position(rule) {
            self.0 |= 1 << i;
        }
    }

    pub fn contains(&self, rule: &RuleInfo) -> bool {
        position(rule).is_some_and(|i| self.0 & (1 << i) != 0)
    }
}

impl<'r> FromIterator<&'r RuleInfo> for RuleSet {
    fn from_iter<I: IntoIterator<Item = &'r RuleInfo>>(rules: I) -> RuleSet {
        let mut set = RuleSet::default();
        for rule in rules {
            set.insert(rule);
        }
        set
    }
}

/// The place of a rule in [`RULES`] (each rule's information is one static).
fn position(rule: &RuleInfo) -> Option<usize> {
    RULES.iter().position(|r| std::ptr::eq(r.info(), rule))
}

pub fn find(name_or_code: &str) -> Option<&'static RuleInfo> {
    all().find(|r| r.name == name_or_code || r.code.eq_ignore_ascii_case(name_or_code))
}

/// One request the page makes to one path, resolved twice (the preflight and the actual
/// request), and once more without redirects when one fired.
#[derive(Debug)]
pub struct Probe<'a> {
    /// Borrowed from the site's samples (one allocation fewer per probe), or made here.
    pub path: Cow<'a, str>,
    /// `OPTIONS` with `Access-Control-Request-Method` / `-Headers`.
    pub preflight: Rc<Response<'a>>,
    /// `GET` with `Origin` and valid credentials, the handler answering 200.
    pub actual: Rc<Response<'a>>,
    /// What the path would carry if no redirect fired (preflight, actual), when one did.
    pub unredirected: Option<Rc<(Response<'a>, Response<'a>)>>,
}

/// What a rule sees of one site.
pub struct SiteContext<'a> {
    pub site: &'a Site,
    pub client: &'a Client,
    pub sources: &'a Sources,
    probes: OnceCell<Vec<Probe<'a>>>,
    /// Indexes of the probes whose answers no earlier probe shares.
    distinct: OnceCell<Vec<usize>>,
    /// What the site's `Access-Control-Allow-Origin` values trust, shared by the origin rules.
    origins: OnceCell<values::Origins<'a>>,
    unique_ops: OnceCell<Vec<&'a HeaderOp>>,
}

/// The method a probe's preflight asks for: not safelisted, so the preflight is real.
pub const PROBE_METHOD: &str = "PUT";
/// The origin used when neither the settings nor the configuration name one.
pub const DEFAULT_ORIGIN: &str = "https://app.example.com";

impl<'a> SiteContext<'a> {
    pub fn new(site: &'a Site, client: &'a Client, sources: &'a Sources) -> SiteContext<'a> {
        SiteContext {
            site,
            client,
            sources,
            probes: OnceCell::new(),
            distinct: OnceCell::new(),
            origins: OnceCell::new(),
            unique_ops: OnceCell::new(),
        }
    }

    /// The paths worth asking about: samples of every scope's matcher (and the same with a
    /// trailing slash), resolved as a preflight and as the actual request.
    pub fn probes(&self) -> &[Probe<'a>] {
        self.probes.get_or_init(|| self.build_probes())
    }

    /// The probes whose answers no earlier probe shares (paths that select the same location
    /// share theirs: see `build_probes`), for the rules whose findings depend on the answers
    /// alone: a probe with the same answers would only find again, at the same tokens, what
    /// the first one found (and findings are kept once per rule and token).
    pub fn distinct_probes(&self) -> impl Iterator<Item = &Probe<'a>> {
        let probes = self.probes();
        let firsts = self.distinct.get_or_init(|| {
            let mut seen = FxHashSet::default();
            (0..probes.len())
                .filter(|&i| {
                    let probe = &probes[i];
                    seen.insert((Rc::as_ptr(&probe.preflight), Rc::as_ptr(&probe.actual)))
                })
                .collect()
        });
        firsts.iter().map(move |&i| &probes[i])
    }

    pub(in crate::rules) fn origins(&self) -> &values::Origins<'a> {
        self.origins.get_or_init(|| values::Origins::new(self))
    }

    fn build_probes(&self) -> Vec<Probe<'a>> {
        // "/" stands for a site whose scopes match every path (an nginx server without
        // locations, a `/*` rule); otherwise the scopes' own samples are the paths to ask.
        let mut paths: Vec<Cow<'a, str>> = Vec::new();
        if !self.site.scopes.iter().any(|s| s.matcher.is_some()) {
            paths.push(Cow::Borrowed("/"));
        }
        for scope in &self.site.scopes {
            if let Some(m) = &scope.matcher {
                for sample in m.samples.iter().take(4) {
                    paths.push(Cow::Borrowed(sample));
                    if !sample.ends_with('/') {
                        let mut slashed = String::with_capacity(sample.len() + 1);
                        slashed.push_str(sample);
                        slashed.push('/');
                        paths.push(Cow::Owned(slashed));
                    }
                }
            }
        }
        // Sized up front: the sets and maps below hold an entry per path.
        let mut seen: FxHashSet<&str> =
            FxHashSet::with_capacity_and_hasher(paths.len(), Default::default());
        let first: Vec<bool> = paths.iter().map(|p| seen.insert(p)).collect();
        drop(seen);
        let mut first = first.into_iter();
        paths.retain(|_| first.next().unwrap_or(false));

        let origin = self.probe_origin();
        let request_headers = self.client_header_names().join(",").to_ascii_lowercase();
        let resolver = resolve::Resolver::new(self.site);
        // Paths that select the same location get the same answers when nothing on the way
        // reads the path: those are resolved once (`/api/`, `/api/x` and `/api/x/` usually).
        type Answers<'a> = (
            Rc<Response<'a>>,
            Rc<Response<'a>>,
            Option<Rc<(Response<'a>, Response<'a>)>>,
        );
        let mut answered: FxHashMap<Option<crate::model::ScopeId>, Answers<'a>> =
            FxHashMap::with_capacity_and_hasher(paths.len(), Default::default());
        paths
            .into_iter()
            .map(|path| {
                let location = resolver.location(&path);
                let shared = resolver.path_independent(location);
                if shared && let Some((p, a, u)) = answered.get(&location) {
                    return Probe {
                        path,
                        preflight: p.clone(),
                        actual: a.clone(),
                        unredirected: u.clone(),
                    };
                }
                let mut preflight = Request::new("OPTIONS", &*path)
                    .with_header("Origin", &origin)
                    .with_header("Access-Control-Request-Method", PROBE_METHOD);
                if !request_headers.is_empty() {
                    preflight =
                        preflight.with_header("Access-Control-Request-Headers", &request_headers);
                }
                let mut actual = Request::new("GET", &*path).with_header("Origin", &origin);
                actual.credentials = true;
                let options = resolve::Options::default();
                let p = Rc::new(resolver.resolve(&preflight, options));
                let a = Rc::new(resolver.resolve(&actual, options));
                let unredirected = (p.is_redirect() || a.is_redirect()).then(|| {
                    let options = resolve::Options {
                        skip_redirects: true,
                    };
                    Rc::new((
                        resolver.resolve(&preflight, options),
                        resolver.resolve(&actual, options),
                    ))
                });
                if shared {
                    answered.insert(location, (p.clone(), a.clone(), unredirected.clone()));
                }
                Probe {
                    path,
                    preflight: p,
                    actual: a,
                    unredirected,
                }
            })
            .collect()
    }

    /// The client's origin, else one the configuration's own allowlist admits, else a
    /// stand-in: so that allowlisted CORS headers show up in the probes.
    fn probe_origin(&self) -> String {
        if let Some(origin) = self.client.origins.first() {
            return origin.clone();
        }
        for scope in &self.site.scopes {
            for op in scope.headers.iter() {
                if let HeaderValue::ByOrigin { arms, .. } = &op.value {
                    for arm in arms.iter() {
                        // An arm that sends nothing (a map entry that refuses) is no example.
                        let sends = !matches!(
                            arm.value.evaluate(None),
                            crate::model::Evaluated::Text(ref t) if t.is_empty() || t == "null"
                        ) || matches!(arm.value, HeaderValue::RequestOrigin { .. });
                        if !sends {
                            continue;
                        }
                        match &arm.test {
                            OriginTest::Exact(o) => return o.clone(),
                            OriginTest::Regex {
                                regex: Some(re),
                                pattern,
                                case_insensitive,
                            } => {
                                if let Some(o) =
                                    crate::patterns::trusted_origins(pattern, *case_insensitive)
                                        .into_iter()
                                        .find(|o| re.is_match(o))
                                {
                                    return o;
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        DEFAULT_ORIGIN.to_string()
    }

    /// Header names the client is configured to send.
    pub fn client_header_names(&self) -> Vec<String> {
        self.client.headers.clone()
    }

    /// Every header operation of the site once (scopes share inherited operations).
    pub fn unique_ops(&self) -> Vec<&'a HeaderOp> {
        // Many rules ask; the answer is computed once per site.
        self.unique_ops
            .get_or_init(|| {
                let mut seen = FxHashSet::default();
                let mut out = Vec::new();
                for scope in &self.site.scopes {
                    for op in scope.headers.iter() {
                        if seen.insert(op.span) {
                            out.push(op);
                        }
                    }
                }
                out
            })
            .clone()
    }

    /// Whether the client is known to send credentials, or the response allows them.
    pub fn credentialed(&self, response: &Response) -> bool {
        self.client.credentials.unwrap_or(false)
            || response
                .get("access-control-allow-credentials")
                .is_some_and(|v| v == "true")
    }
}

/// Runs every rule over a document and its sites.
/// Runs the enabled rules over a document.
pub fn check(
    document: &Document,
    client_for: &dyn Fn(&Site) -> Client,
    sources: &Sources,
    enabled: &dyn Fn(&RuleInfo) -> bool,
) -> Vec<Finding> {
    let sites = document.sites.iter().map(Held::Borrowed).collect();
    check_held(document, sites, client_for, sources, enabled)
}

/// Runs the enabled rules over a document like [`check`], and frees each site as soon as
/// it is checked (`document.sites` is left empty): the findings of a large tree grow while
/// its model shrinks, instead of both being in memory whole.
pub fn check_and_free(
    document: &mut Document,
    client_for: &dyn Fn(&Site) -> Client,
    sources: &Sources,
    enabled: &dyn Fn(&RuleInfo) -> bool,
) -> Vec<Finding> {
    let sites = std::mem::take(&mut document.sites)
        .into_iter()
        .map(|site| Held::Owned(std::sync::Mutex::new(Some(site))))
        .collect();
    check_held(document, sites, client_for, sources, enabled)
}

/// A site to check: borrowed from its document, or owned and dropped once checked.
enum Held<'d> {
    Borrowed(&'d Site),
    Owned(std::sync::Mutex<Option<Site>>),
}

impl Held<'_> {
    fn with<R>(&self, f: impl FnOnce(&Site) -> R) -> Option<R> {
        match self {
            Held::Borrowed(site) => Some(f(site)),
            Held::Owned(slot) => {
                let slot = slot.lock().unwrap_or_else(|e| e.into_inner());
                slot.as_ref().map(f)
            }
        }
    }

    /// Checks the site; an owned one is dropped afterwards.
    fn check(&self, f: impl FnOnce(&Site) -> Vec<Finding>) -> Vec<Finding> {
        match self {
            Held::Borrowed(site) => f(site),
            Held::Owned(slot) => {
                let site = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                site.map(|site| f(&site)).unwrap_or_default()
            }
        }
    }
}

fn check_held(
    document: &Document,
    sites: Vec<Held>,
    client_for: &dyn Fn(&Site) -> Client,
    sources: &Sources,
    enabled: &dyn Fn(&RuleInfo) -> bool,
) -> Vec<Finding> {
    let rules = enabled_rules(enabled);
    // Sites are independent: they are checked in parallel, and their findings joined in
    // site order.
    let clients: Vec<Client> = sites
        .iter()
        .map(|held| held.with(client_for).unwrap_or_default())
        .collect();
    let per_site = crate::parallel::map(sites.len(), |i| {
        sites[i].check(|site| check_site(site, &clients[i], sources, &rules))
    });
    join(document, per_site, &rules)
}

/// The rules `enabled` selects, in code order.
pub fn enabled_rules(enabled: &dyn Fn(&RuleInfo) -> bool) -> Vec<&'static dyn Rule> {
    RULES
        .iter()
        .copied()
        .filter(|r| enabled(r.info()))
        .collect()
}

thread_local! {
    /// The findings of the site being checked on this thread: the buffer they grow in,
    /// kept from one site to the next.
    static FOUND: std::cell::Cell<Vec<Finding>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The findings of `rules` about one site, in a vector of their exact size: a site's are
/// kept until its document's are joined, and a vector grown by pushes holds up to twice
/// the room.
pub fn check_site(
    site: &Site,
    client: &Client,
    sources: &Sources,
    rules: &[&dyn Rule],
) -> Vec<Finding> {
    let mut found = FOUND.take();
    let cx = SiteContext::new(site, client, sources);
    for rule in rules {
        rule.check_site(&cx, &mut found);
    }
    let mut out = Vec::with_capacity(found.len());
    out.append(&mut found);
    FOUND.set(found);
    out
}

/// A document's findings: those of `rules` about the document itself (the problems met while
/// reading it), then its sites' ([`check_site`], in site order), one per rule and token.
/// The sites may have been checked as they were read, and be no longer in the document.
pub fn join(document: &Document, per_site: Vec<Vec<Finding>>, rules: &[&dyn Rule]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in rules {
        rule.check_document(document, &mut findings);
    }
    findings.reserve_exact(per_site.iter().map(Vec::len).sum());
    findings.extend(per_site.into_iter().flatten());
    // One finding per rule and token, even when many probes or sites lead to it.
    crate::finding::keep_first_per_rule_and_span(&mut findings);
    // Kept until the report is written, for every file of a repository.
    findings.shrink_to_fit();
    findings
}

/// Problems the formats recorded while reading, as findings of one rule.
fn problems_of_kind(
    info: &'static RuleInfo,
    document: &Document,
    kind: crate::model::ProblemKind,
    out: &mut Vec<Finding>,
) {
    for problem in document.problems.iter().filter(|p| p.kind == kind) {
        let mut finding = Finding::new(info, problem.span, problem.message.clone());
        if let Some(help) = &problem.help {
            finding = finding.help(help.clone());
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::{Client, SiteContext};
    use std::rc::Rc;

    /// The report of an nginx file, its model kept.
    fn lint_nginx(text: &str) -> crate::Report {
        let input = crate::Input::Stdin {
            name: "nginx.conf".into(),
            text: text.into(),
        };
        crate::lint(&[input], &Default::default())
    }

    #[test]
    fn distinct_probes_keep_one_probe_per_shared_answer_and_every_path_read_on_the_way() {
        // `/api/` answers the same whatever the path; `/old/` rewrites, so each of its paths
        // has answers of its own.
        let text = "server {\n  listen 80;\n  location /api/ {\n    add_header \
            Access-Control-Allow-Origin \"*\" always;\n  }\n  location /old/ {\n    \
            rewrite ^/old/(.*)$ /new/$1 permanent;\n  }\n}\n";
        let report = lint_nginx(text);
        let client = Client::default();
        let cx = SiteContext::new(&report.documents[0].sites[0], &client, &report.sources);
        fn answers(p: &super::Probe) -> (usize, usize) {
            (
                Rc::as_ptr(&p.preflight).addr(),
                Rc::as_ptr(&p.actual).addr(),
            )
        }
        let all: Vec<_> = cx.probes().iter().map(answers).collect();
        let distinct: Vec<_> = cx.distinct_probes().map(answers).collect();
        let api = |p: &&super::Probe| p.path.starts_with("/api/");
        assert!(cx.probes().iter().filter(api).count() > 1);
        assert_eq!(cx.distinct_probes().filter(api).count(), 1);
        let old = |p: &&super::Probe| p.path.starts_with("/old/");
        assert!(cx.probes().iter().filter(old).count() > 1);
        assert_eq!(
            cx.distinct_probes().filter(old).count(),
            cx.probes().iter().filter(old).count()
        );
        // Every answer is still there, once, in the order the probes first had it.
        let mut firsts = all.clone();
        let mut seen = std::collections::HashSet::new();
        firsts.retain(|a| seen.insert(*a));
        assert_eq!(distinct, firsts);
    }

    #[test]
    fn probes_never_ask_for_a_path_a_browser_cannot_send() {
        // PCRE's `$` also matches before a final newline, so the regex's samples include
        // `/items/1\n`: no browser sends that path.
        let text = "server {\n  listen 80;\n  location ~ ^/items/([0-9]+)$ {\n    \
            add_header Access-Control-Allow-Origin \"*\" always;\n  }\n}\n";
        let report = lint_nginx(text);
        let client = Client::default();
        let cx = SiteContext::new(&report.documents[0].sites[0], &client, &report.sources);
        let paths: Vec<&str> = cx.probes().iter().map(|p| &*p.path).collect();
        assert!(paths.iter().any(|p| p.starts_with("/items/")), "{paths:?}");
        assert!(
            paths.iter().all(|p| !p.chars().any(char::is_control)),
            "{paths:?}"
        );
    }

    #[test]
    fn a_rule_set_has_a_bit_for_every_rule() {
        assert!(super::RULES.len() <= 64);
        let mut set = super::RuleSet::default();
        for rule in super::all() {
            assert!(!set.contains(rule));
            set.insert(rule);
            assert!(set.contains(rule));
        }
        let some: super::RuleSet = super::all().step_by(2).collect();
        assert_eq!(
            super::all().filter(|r| some.contains(r)).count(),
            super::RULES.len().div_ceil(2)
        );
    }

    #[test]
    fn registry_is_in_code_order_with_unique_names_and_pages() {
        let rules: Vec<_> = super::all().collect();
        for pair in rules.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        let mut names: Vec<_> = rules.iter().map(|r| r.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), rules.len());
        for r in rules {
            assert!(
                r.doc.starts_with(&format!("# {} ({})", r.name, r.code)),
                "rules/{}.md must start with its name and code",
                r.name
            );
            assert!(
                r.doc
                    .contains(&format!("**Severity:** {}", r.severity.as_str())),
                "rules/{}.md must state the default severity {}",
                r.name,
                r.severity.as_str()
            );
            assert!(
                r.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            );
        }
    }
}
