//! `corslint simulate`: one request a page makes, through the configuration, checked the way
//! the browser checks it. Prints what the browser's network panel would show, the verdict, and
//! when blocked, Chromium's console message and the line to change.

use serde::Serialize;

use crate::cors::{self, Failure, Mode, PageRequest, Stage};
use crate::model::{Handler, HeaderAction, Platform, Site, names};
use crate::request_target;
use crate::resolve::{self, Answer, Request, Response};
use crate::source::{Sources, Span};

/// What the user describes.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub origin: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub credentials: bool,
    pub url: String,
    /// The status the handler gives the actual request (an upstream's 401 or 500).
    pub status: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allowed,
    Blocked,
    Undetermined,
}

#[derive(Debug, Serialize)]
pub struct HeaderLine {
    pub name: String,
    pub value: String,
    /// `file:line` of the operation that produced it (None: added by the platform).
    pub source: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Exchange {
    pub sent: bool,
    pub method: String,
    /// The path as the browser sends it (percent-encoded).
    pub path: String,
    /// The path the configuration was matched against, when it differs from `path` (nginx
    /// decodes escapes, merges slashes and resolves dot segments first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    pub request_headers: Vec<(String, String)>,
    pub status: Option<u16>,
    /// What answered: `return 204 (nginx.conf:12)`, `upstream http://backend`.
    pub answered_by: String,
    pub headers: Vec<HeaderLine>,
    /// Why the answer may differ in reality.
    pub unknowns: Vec<String>,
}

impl Exchange {
    /// The preflight of a request that needs none: not sent.
    fn unsent_preflight(path: String) -> Exchange {
        Exchange {
            sent: false,
            method: "OPTIONS".into(),
            path,
            uri: None,
            request_headers: Vec::new(),
            status: None,
            answered_by: String::new(),
            headers: Vec::new(),
            unknowns: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Outcome {
    pub verdict: Verdict,
    /// The browser's words (Chromium's console message), when blocked or undetermined.
    pub reason: Option<String>,
    /// What the Fetch standard says where browsers differ (today: `*` and Authorization).
    pub standard_note: Option<String>,
    /// The configuration line to change, `file:line`, when corslint knows it.
    pub change: Option<String>,
    pub site: String,
    /// How the site was chosen, when corslint had to assume (no server listens on the URL's
    /// port, a `server_name` regex it cannot read).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub site_notes: Vec<String>,
    pub preflight: Exchange,
    pub actual: Option<Exchange>,
}

/// The sites that answer a connection to `port` (None: a bare path, any port): the nginx
/// servers with a `listen` on it, and the sites of the other platforms (which answer every
/// request of their deployment). When no nginx server listens on it, all the sites, with a
/// note: the port may be mapped to theirs by a proxy or a container.
fn on_port<'a>(sites: &[&'a Site], port: Option<u16>) -> (Vec<&'a Site>, Option<String>) {
    let Some(port) = port else {
        return (sites.to_vec(), None);
    };
    let listening =
        |s: &&Site| s.platform != Platform::Nginx || s.listens.iter().any(|l| l.port == Some(port));
    if sites
        .iter()
        .any(|s| s.platform == Platform::Nginx && listening(s))
    {
        return (sites.iter().copied().filter(listening).collect(), None);
    }
    let ports: std::collections::BTreeSet<u16> = sites
        .iter()
        .flat_map(|s| s.listens.iter().filter_map(|l| l.port))
        .collect();
    let note = (!ports.is_empty()).then(|| {
        let ports: Vec<String> = ports.iter().map(u16::to_string).collect();
        format!(
            "no server listens on port {port}, the URL's (they listen on {}): the server was \
             chosen among all of them, as if a proxy or a container forwarded the port",
            ports.join(", ")
        )
    });
    (sites.to_vec(), note)
}

/// Picks the site that answers `host` (lowercase, as [`request_target::parse`] gives it)
/// among the sites on `port` ([`on_port`]) as nginx does
/// (<https://nginx.org/en/docs/http/server_names.html>): an exact `server_name`, then the
/// longest wildcard starting with `*.` (or `.`, which also names the domain itself), then the
/// longest ending with `.*`, then the first regex (`~`) that matches, then the port's
/// `default_server`, then the first site. A regex corslint cannot translate is taken as not
/// matching, and `notes` says so.
pub fn pick_site<'a>(
    sites: &[&'a Site],
    host: &str,
    port: Option<u16>,
    notes: &mut Vec<String>,
) -> Option<&'a Site> {
    // The site with the longest name `matched` gives a length for (the first of equals).
    let longest = |matched: &dyn Fn(&str) -> Option<usize>| {
        let mut best: Option<(usize, &'a Site)> = None;
        for site in sites {
            if let Some(len) = site.hosts.iter().filter_map(|h| matched(h)).max()
                && best.is_none_or(|(best_len, _)| len > best_len)
            {
                best = Some((len, site));
            }
        }
        best.map(|(_, site)| site)
    };
    let exact = |h: &str| (h == host).then_some(h.len());
    let leading = |h: &str| {
        let suffix = h
            .strip_prefix('*')
            .or_else(|| h.strip_prefix('.').map(|_| h))?;
        let bare = suffix.trim_start_matches('.');
        (suffix.starts_with('.')
            && (host.ends_with(suffix) || (h.starts_with('.') && host == bare)))
            .then_some(suffix.len())
    };
    let trailing = |h: &str| {
        let prefix = h.strip_suffix('*')?;
        (prefix.ends_with('.') && host.starts_with(prefix)).then_some(prefix.len())
    };
    if let Some(site) = longest(&exact)
        .or_else(|| longest(&leading))
        .or_else(|| longest(&trailing))
    {
        return Some(site);
    }
    for site in sites {
        for pattern in site.hosts.iter().filter_map(|h| h.strip_prefix('~')) {
            match server_name_regex(pattern) {
                Ok(regex) if regex.is_match(host) => return Some(site),
                Ok(_) => {}
                Err(why) => notes.push(format!(
                    "`server_name ~{pattern}` of {} was taken as not matching: {why}",
                    site.label
                )),
            }
        }
    }
    port_default(sites, port)
}

/// An nginx `server_name ~regex`: PCRE, unanchored, matched against the lowercase host
/// (nginx makes it case-insensitive when it holds an uppercase letter; against a lowercase
/// host, always ignoring case is the same).
fn server_name_regex(pattern: &str) -> Result<regex::Regex, String> {
    let translated = crate::patterns::to_rust_regex(pattern, crate::patterns::Dialect::Pcre)
        .map_err(|e| e.to_string())?;
    regex::RegexBuilder::new(&translated)
        .case_insensitive(true)
        .build()
        .map_err(|e| e.to_string())
}

/// The site that answers the hosts no site on `port` names: the one whose `listen` on that
/// port says `default_server`, else the port's first. (With no port, or when no site listens
/// on it, the first `default_server` of any port, else the first site.)
fn port_default<'a>(sites: &[&'a Site], port: Option<u16>) -> Option<&'a Site> {
    let port = port.filter(|&p| {
        sites
            .iter()
            .any(|s| s.listens.iter().any(|l| l.port == Some(p)))
    });
    sites
        .iter()
        .find(|s| {
            s.listens
                .iter()
                .any(|l| l.default_server && port.is_none_or(|p| l.port == Some(p)))
        })
        .or(sites.first())
        .copied()
}

/// The outcome of the scenario's request through the site of `sites` that answers its URL's
/// port and host ([`on_port`], [`pick_site`]); an error for a URL a browser would not fetch,
/// or when there is no site.
pub fn simulate(
    sites: &[&Site],
    scenario: &Scenario,
    sources: &Sources,
) -> Result<Outcome, String> {
    let page = PageRequest {
        origin: scenario.origin.clone(),
        method: cors::normalize_method(&scenario.method),
        headers: scenario.headers.clone(),
        credentials: scenario.credentials,
    };
    let target = request_target::parse(&scenario.url)?;
    let (sites, port_note) = on_port(sites, target.port);
    let mut site_notes: Vec<String> = port_note.into_iter().collect();
    let site = pick_site(&sites, &target.host, target.port, &mut site_notes)
        .ok_or_else(|| "no server or site found in the given paths".to_string())?;
    let sent = target.path;
    // What the configuration is matched against: nginx decodes the path first, before it
    // reads `Host`, so with the `merge_slashes` of the port's default server.
    let (path, lossy) = match site.platform {
        Platform::Nginx => {
            let servers: Vec<&Site> = sites
                .iter()
                .copied()
                .filter(|s| s.platform == Platform::Nginx)
                .collect();
            let merge_slashes = port_default(&servers, target.port).is_none_or(|s| s.merge_slashes);
            match request_target::nginx_uri(&sent, merge_slashes) {
                Ok(decoded) => decoded,
                Err(bad) => {
                    let outcome = bad_request(site, &page, scenario, sent, bad);
                    return Ok(with_site(outcome, site, site_notes, sources));
                }
            }
        }
        _ => (sent.clone(), false),
    };
    // An exchange as the network panel shows it: the path sent, and what nginx made of it.
    let shown = |mut exchange: Exchange| {
        if exchange.path != sent {
            exchange.uri = Some(std::mem::replace(&mut exchange.path, sent.clone()));
        }
        if lossy && exchange.sent {
            exchange.unknowns.push(
                "the decoded path is not UTF-8: corslint matched it with U+FFFD in place of \
                 those bytes, while nginx's regexes match the bytes themselves"
                    .into(),
            );
        }
        exchange
    };
    let outcome = simulate_path(site, scenario, sources, &page, &path, shown);
    Ok(with_site(outcome, site, site_notes, sources))
}

/// The outcome with where its site is (two servers may share a name, on different ports)
/// and how it was chosen.
fn with_site(mut outcome: Outcome, site: &Site, notes: Vec<String>, sources: &Sources) -> Outcome {
    let file = sources.get(site.span.file);
    let line = file.position(site.span.start as usize).line;
    outcome.site = format!("{} ({}:{line})", site.label, file.name);
    outcome.site_notes = notes;
    outcome
}

fn simulate_path(
    site: &Site,
    scenario: &Scenario,
    sources: &Sources,
    page: &PageRequest,
    path: &str,
    shown: impl Fn(Exchange) -> Exchange,
) -> Outcome {
    let where_ = |span: Span| {
        let f = sources.get(span.file);
        format!("{}:{}", f.name, f.position(span.start as usize).line)
    };

    let mut outcome = Outcome {
        verdict: Verdict::Allowed,
        reason: None,
        standard_note: None,
        change: None,
        site: site.label.clone(),
        site_notes: Vec::new(),
        preflight: shown(Exchange::unsent_preflight(path.to_string())),
        actual: None,
    };

    if page.needs_preflight() {
        let mut request = Request::new("OPTIONS", path)
            .with_header("Origin", &page.origin)
            .with_header("Access-Control-Request-Method", &page.method);
        let unsafe_names = page.unsafe_header_names();
        if !unsafe_names.is_empty() {
            request = request.with_header("Access-Control-Request-Headers", unsafe_names.join(","));
        }
        let response = resolve::resolve(site, &request, resolve::Options::default());
        outcome.preflight = shown(exchange(&request, &response, sources, true));
        let checked = cors::preflight_check(&response, page, Mode::Browsers);
        if let Err(failure) = checked {
            if !response.status_is_known() {
                outcome.verdict = Verdict::Undetermined;
                outcome.reason = Some(format!(
                    "the upstream answers the preflight. If it answers {} and adds no CORS \
                     headers of its own, the browser reports: {}",
                    response.status,
                    blocked_message(&scenario.url, &page.origin, &failure, Stage::Preflight)
                ));
                outcome.change = culprit(&failure, &response).map(where_);
            } else {
                outcome.verdict = Verdict::Blocked;
                outcome.reason = Some(blocked_message(
                    &scenario.url,
                    &page.origin,
                    &failure,
                    Stage::Preflight,
                ));
                outcome.change = culprit(&failure, &response).map(where_);
            }
            return outcome;
        }
        if cors::preflight_check(&response, page, Mode::Standard).is_err() {
            outcome.standard_note = Some(
                "the Fetch standard does not let `*` in Access-Control-Allow-Headers cover \
                 Authorization; Chromium, Firefox and Safari still allow it today (with a \
                 deprecation warning): list Authorization explicitly"
                    .into(),
            );
        }
    }

    let mut request = Request::new(&page.method, path).with_header("Origin", &page.origin);
    for (n, v) in &page.headers {
        request = request.with_header(n, v);
    }
    request.handler_status = scenario.status;
    request.credentials = page.credentials;
    let response = resolve::resolve(site, &request, resolve::Options::default());
    outcome.actual = Some(shown(exchange(&request, &response, sources, true)));
    match cors::cors_check(&response, page) {
        Err(failure) => {
            let upstream_answers = !response.status_is_known()
                && response.first(names::ALLOW_ORIGIN).is_none()
                && failure == Failure::NoAllowOrigin;
            // An upstream may send its own ACAO, unless the configuration sets it for this
            // path itself (then the upstream is taken to send none).
            let owned = upstream_answers
                .then(|| config_sets_allow_origin(site, &response))
                .flatten();
            outcome.reason = Some(blocked_message(
                &scenario.url,
                &page.origin,
                &failure,
                Stage::Actual,
            ));
            if upstream_answers && owned.is_none() {
                outcome.verdict = Verdict::Undetermined;
            } else {
                outcome.verdict = Verdict::Blocked;
                outcome.change = culprit(&failure, &response).or(owned).map(where_);
                if let (Some(span), Some(actual)) = (owned, outcome.actual.as_mut()) {
                    actual.unknowns.push(format!(
                        "the upstream is taken to add no Access-Control-Allow-Origin of its own: \
                         the configuration sets it for this path ({}), and does not send it on \
                         this response",
                        where_(span)
                    ));
                }
            }
        }
        Ok(()) if response.is_redirect() => {
            outcome.verdict = Verdict::Undetermined;
            outcome.reason = Some("the request is redirected; the browser follows the redirect and checks the response it ends at".into());
        }
        Ok(()) => {}
    }
    outcome
}

/// nginx's own 400 to a path it cannot decode: sent before any location (or its headers)
/// is chosen, so the browser sees no CORS headers at all.
fn bad_request(
    site: &Site,
    page: &PageRequest,
    scenario: &Scenario,
    sent: String,
    bad: request_target::BadRequest,
) -> Outcome {
    let exchange = |method: &str, request_headers: Vec<(String, String)>| Exchange {
        sent: true,
        method: method.to_string(),
        path: sent.clone(),
        uri: None,
        request_headers,
        status: Some(400),
        answered_by: format!("nginx itself, before choosing a location: {bad}"),
        headers: Vec::new(),
        unknowns: Vec::new(),
    };
    let origin = ("Origin".to_string(), page.origin.clone());
    let (preflight, actual, failure, stage) = if page.needs_preflight() {
        let method = (
            "Access-Control-Request-Method".to_string(),
            page.method.clone(),
        );
        (
            exchange("OPTIONS", vec![origin, method]),
            None,
            Failure::PreflightNotOk(400),
            Stage::Preflight,
        )
    } else {
        (
            Exchange::unsent_preflight(sent.clone()),
            Some(exchange(&page.method, vec![origin])),
            Failure::NoAllowOrigin,
            Stage::Actual,
        )
    };
    Outcome {
        verdict: Verdict::Blocked,
        reason: Some(blocked_message(
            &scenario.url,
            &page.origin,
            &failure,
            stage,
        )),
        standard_note: None,
        change: None,
        site: site.label.clone(),
        site_notes: Vec::new(),
        preflight,
        actual,
    }
}

/// For an upstream's answer that carries no `Access-Control-Allow-Origin`: the configuration's
/// own operation for it in the scope that answered, when there is one (an `add_header` that
/// does not reach this status, whose value is empty for this origin, or that the scope's own
/// `add_header` dropped). The configuration then owns CORS for this path: an upstream that
/// also sent the header would put two values on every response the operation reaches.
fn config_sets_allow_origin(site: &Site, response: &Response) -> Option<Span> {
    let scope = site.scope(response.scope?);
    if let Some(Handler::Upstream {
        headers_applied: false,
        ..
    }) = &scope.handler
    {
        // The platform never applies the configured headers to this upstream's answers.
        return None;
    }
    if let Some(op) = scope
        .headers
        .iter()
        .find(|op| op.is(names::ALLOW_ORIGIN) && op.action != HeaderAction::Remove)
    {
        return Some(op.span);
    }
    let dropped = scope.dropped.as_ref()?;
    dropped
        .inherited
        .iter()
        .any(|op| op.is(names::ALLOW_ORIGIN))
        .then_some(dropped.because)
}

/// Chromium's console line: "Access to fetch at 'URL' from origin 'O' has been blocked by CORS
/// policy: ...".
pub fn blocked_message(url: &str, origin: &str, failure: &Failure, stage: Stage) -> String {
    format!(
        "Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: {}",
        failure.message(stage)
    )
}

/// The configuration line responsible for a failure.
fn culprit(failure: &Failure, response: &Response) -> Option<Span> {
    let header = |name: &str| {
        response
            .first(name)
            .and_then(|h| h.op.as_ref())
            .map(|op| op.span)
    };
    match failure {
        Failure::PreflightRedirect => match &response.answer {
            Answer::Redirect { span, .. } => Some(*span),
            _ => None,
        },
        Failure::PreflightNotOk(_) => match &response.answer {
            Answer::Gate { span, .. } | Answer::Fixed { span } => Some(*span),
            _ => None,
        },
        Failure::MultipleAllowOrigin(_)
        | Failure::OriginMismatch(_)
        | Failure::WildcardWithCredentials => header(names::ALLOW_ORIGIN),
        Failure::CredentialsNotTrue(_) => {
            header(names::ALLOW_CREDENTIALS).or_else(|| header(names::ALLOW_ORIGIN))
        }
        Failure::MethodNotAllowed(_) => header(names::ALLOW_METHODS),
        Failure::HeaderNotAllowed(_) => header(names::ALLOW_HEADERS),
        Failure::InvalidAllowList { header: h, .. } => header(&h.to_ascii_lowercase()),
        Failure::NoAllowOrigin => match &response.answer {
            Answer::Fixed { span } | Answer::Gate { span, .. } | Answer::Redirect { span, .. } => {
                Some(*span)
            }
            _ => None,
        },
    }
}

fn exchange(request: &Request, response: &Response, sources: &Sources, sent: bool) -> Exchange {
    let at = |span: Span| {
        let f = sources.get(span.file);
        format!("{}:{}", f.name, f.position(span.start as usize).line)
    };
    let answered_by = match &response.answer {
        Answer::Fixed { span } => format!("a fixed answer ({})", at(*span)),
        Answer::Redirect { span, location } => format!("a redirect to {location} ({})", at(*span)),
        Answer::Gate { span, .. } => format!("an access check ({})", at(*span)),
        Answer::Static { span: Some(span) } => format!("static files ({})", at(*span)),
        Answer::Static { span: None } => "static files".to_string(),
        Answer::Upstream { span, target } => {
            format!("the upstream {target} ({}), status assumed", at(*span))
        }
    };
    Exchange {
        sent,
        method: request.method.to_string(),
        path: request.path.to_string(),
        uri: None,
        request_headers: request
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        status: Some(response.status),
        answered_by,
        headers: response
            .headers
            .iter()
            .map(|h| HeaderLine {
                name: h.name.to_string(),
                value: h.value.to_string(),
                source: h.op.as_ref().map(|op| at(op.span)),
            })
            .collect(),
        unknowns: response.unknowns.clone(),
    }
}

/// The text form: the two exchanges as a network panel shows them, then the verdict.
pub fn render_text(outcome: &Outcome) -> String {
    let mut out = String::new();
    out.push_str(&format!("site: {}\n", outcome.site));
    for note in &outcome.site_notes {
        out.push_str(&format!("  ? {note}\n"));
    }
    out.push('\n');
    let section = |out: &mut String, title: &str, e: &Exchange| {
        out.push_str(&format!(
            "{title}: {} {} → {} ({})\n",
            e.method,
            e.path,
            e.status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "-".into()),
            e.answered_by
        ));
        if let Some(uri) = &e.uri {
            out.push_str(&format!("  (matched as {uri})\n"));
        }
        for (n, v) in &e.request_headers {
            out.push_str(&format!("  > {n}: {v}\n"));
        }
        for h in &e.headers {
            match &h.source {
                Some(src) => out.push_str(&format!("  < {}: {}    ({src})\n", h.name, h.value)),
                None => out.push_str(&format!(
                    "  < {}: {}    (added by the platform)\n",
                    h.name, h.value
                )),
            }
        }
        for u in &e.unknowns {
            out.push_str(&format!("  ? {u}\n"));
        }
        out.push('\n');
    };
    if outcome.preflight.sent {
        section(&mut out, "preflight", &outcome.preflight);
    } else {
        out.push_str("preflight: not sent (a simple request)\n\n");
    }
    if let Some(actual) = &outcome.actual {
        section(&mut out, "request", actual);
    }
    let verdict = match outcome.verdict {
        Verdict::Allowed => "allowed",
        Verdict::Blocked => "blocked",
        Verdict::Undetermined => "undetermined",
    };
    out.push_str(&format!("verdict: {verdict}\n"));
    if let Some(reason) = &outcome.reason {
        out.push_str(&format!("  {reason}\n"));
    }
    if let Some(change) = &outcome.change {
        out.push_str(&format!("  change: {change}\n"));
    }
    if let Some(note) = &outcome.standard_note {
        out.push_str(&format!("  note: {note}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_selection_follows_server_name() {
        use crate::model::{Listen, Platform, Site, SiteDefaults};
        use crate::source::{FileId, Span};
        let site = |hosts: &[&str], default_server: bool| Site {
            platform: Platform::Nginx,
            label: format!("server {}", hosts.first().unwrap_or(&"")),
            span: Span::new(FileId(0), 0..0),
            scopes: Vec::new(),
            top: Vec::new(),
            defaults: SiteDefaults::default(),
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            listens: vec![Listen {
                port: Some(80),
                default_server,
            }],
            merge_slashes: true,
        };
        let (a, b, c, d) = (
            site(&["www.example.com"], false),
            site(&["*.example.com"], false),
            site(&[".api.example.com"], false),
            site(&[], true),
        );
        let sites = [&a, &b, &c, &d];
        let pick = |url: &str| {
            let target = request_target::parse(url).unwrap();
            pick_site(&sites, &target.host, target.port, &mut Vec::new())
                .unwrap()
                .label
                .clone()
        };
        assert_eq!(pick("https://WWW.example.com/x"), "server www.example.com");
        assert_eq!(
            pick("https://v1.api.example.com/x"),
            "server .api.example.com"
        );
        assert_eq!(pick("https://api.example.com/x"), "server .api.example.com");
        assert_eq!(pick("https://cdn.example.com/x"), "server *.example.com");
        assert_eq!(pick("http://127.0.0.1:8080/x"), "server ");
    }

    #[test]
    fn site_selection_follows_nginx_name_precedence() {
        use crate::model::{Platform, Site, SiteDefaults};
        use crate::source::{FileId, Span};
        let site = |hosts: &[&str]| Site {
            platform: Platform::Nginx,
            label: hosts.join(" "),
            span: Span::new(FileId(0), 0..0),
            scopes: Vec::new(),
            top: Vec::new(),
            defaults: SiteDefaults::default(),
            hosts: hosts.iter().map(|h| h.to_string()).collect(),
            listens: Vec::new(),
            merge_slashes: true,
        };
        let catch_all = site(&["catch-all.invalid"]);
        let regex = site(&[r"~^(?<tenant>\w+)\.example\.com$"]);
        let trailing = site(&["www.example.*"]);
        let leading = site(&["*.example.com"]);
        let lookbehind = site(&[r"~(?<=x)y"]);
        let sites = [&catch_all, &regex, &trailing, &leading, &lookbehind];
        let pick = |host: &str| {
            let mut notes = Vec::new();
            let label = pick_site(&sites, host, Some(80), &mut notes)
                .unwrap()
                .label
                .clone();
            (label, notes.len())
        };
        // A leading wildcard before a trailing one, a trailing one before a regex.
        assert_eq!(pick("www.example.com"), ("*.example.com".into(), 0));
        assert_eq!(pick("www.example.org"), ("www.example.*".into(), 0));
        // The regex as written (`\w`, not lowercased to something else), case ignored.
        let (label, notes) = pick("a.example.com.");
        assert_eq!((label.as_str(), notes), ("catch-all.invalid", 1));
        assert_eq!(pick("tenant.example.net").0, "catch-all.invalid");
        let only_regex = [&catch_all, &regex];
        assert_eq!(
            pick_site(&only_regex, "acme.example.com", Some(80), &mut Vec::new())
                .unwrap()
                .label,
            regex.label
        );
    }

    #[test]
    fn site_selection_takes_the_servers_on_the_urls_port() {
        use crate::model::{Listen, Platform, Site, SiteDefaults};
        use crate::source::{FileId, Span};
        let site = |label: &str, host: &str, listens: &[(u16, bool)]| Site {
            platform: Platform::Nginx,
            label: label.into(),
            span: Span::new(FileId(0), 0..0),
            scopes: Vec::new(),
            top: Vec::new(),
            defaults: SiteDefaults::default(),
            hosts: vec![host.into()],
            listens: listens
                .iter()
                .map(|&(port, default_server)| Listen {
                    port: Some(port),
                    default_server,
                })
                .collect(),
            merge_slashes: true,
        };
        // The usual pair: a redirect to HTTPS on 80, the API on 443, one name.
        let http = site("redirect", "api.example.com", &[(80, false)]);
        let https = site("api", "api.example.com", &[(443, false), (8443, true)]);
        let other = site("other", "other.example.com", &[(80, true), (443, false)]);
        let sites = [&http, &other, &https];
        let pick = |url: &str| {
            let target = request_target::parse(url).unwrap();
            let (on_port, note) = on_port(&sites, target.port);
            let label = pick_site(&on_port, &target.host, target.port, &mut Vec::new())
                .unwrap()
                .label
                .clone();
            (label, note.is_some())
        };
        assert_eq!(pick("https://api.example.com/x"), ("api".into(), false));
        assert_eq!(pick("http://api.example.com/x"), ("redirect".into(), false));
        // Unnamed hosts go to the port's default server, else its first server.
        assert_eq!(pick("http://unknown.example/x"), ("other".into(), false));
        assert_eq!(pick("https://unknown.example/x"), ("other".into(), false));
        assert_eq!(
            pick("https://unknown.example:8443/x"),
            ("api".into(), false)
        );
        // No server on the port: all of them, first by name, and a note.
        assert_eq!(
            pick("https://api.example.com:9000/x"),
            ("redirect".into(), true)
        );
        // A bare path names no port.
        assert_eq!(pick("/x"), ("other".into(), false));
    }

    /// Simulates a GET through the first site of an nginx text.
    fn get(config: &str, status: u16) -> Outcome {
        let input = crate::Input::Stdin {
            name: "nginx.conf".into(),
            text: config.into(),
        };
        let report = crate::lint(&[input], &crate::settings::Overrides::default());
        let site = &report.documents[0].sites[0];
        let scenario = Scenario {
            origin: "https://app.example".into(),
            method: "GET".into(),
            headers: Vec::new(),
            credentials: false,
            url: "https://api.example/api/x".into(),
            status,
        };
        simulate(&[site], &scenario, &report.sources).unwrap()
    }

    #[test]
    fn upstream_without_allow_origin_is_blocked_when_the_configuration_sets_it() {
        // `add_header` without `always` and a 500 from the upstream: the configuration owns
        // the header for this path, so the upstream is taken to send none.
        let missing_always = "server { location /api/ { \
            add_header Access-Control-Allow-Origin https://app.example; proxy_pass http://b; } }";
        let outcome = get(missing_always, 500);
        assert_eq!(outcome.verdict, Verdict::Blocked);
        assert_eq!(outcome.change.as_deref(), Some("nginx.conf:1"));
        assert_eq!(get(missing_always, 200).verdict, Verdict::Allowed);
        // The location's own add_header dropped the server's.
        let dropped = "server { add_header Access-Control-Allow-Origin *; \
            location /api/ { add_header X-Frame-Options DENY; proxy_pass http://b; } }";
        assert_eq!(get(dropped, 200).verdict, Verdict::Blocked);
        // No CORS in the configuration: the application may own it.
        let app = "server { location /api/ { proxy_pass http://b; } }";
        assert_eq!(get(app, 200).verdict, Verdict::Undetermined);
    }
}
