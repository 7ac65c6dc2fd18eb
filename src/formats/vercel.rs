//! `vercel.json` (and the legacy `now.json`): one [`Site`] per file.
//!
//! Vercel compiles the file into one route list (`getTransformedRoutes` in
//! `vercel/vercel:packages/routing-utils/src/index.ts`), in this order: `cleanUrls`,
//! `trailingSlash`, legacy `routes`, `redirects`, `headers` (every header route has
//! `continue: true`), `{handle: "filesystem"}`, `rewrites`. The scopes are put in
//! [`Site::top`] in that order, so that [`crate::resolve`] sees what Vercel does:
//!
//! * Redirects and the generated `cleanUrls` / `trailingSlash` routes (308, no `methods`)
//!   answer before any header route runs, OPTIONS included, and carry no vercel.json headers.
//! * Every matching header rule applies; for one name the later rule wins.
//! * Rewrites come last. Vercel takes the *first* matching rewrite, while resolution lets the
//!   *last* matching handler serve, so rewrites are put in `top` in reverse file order.
//!
//! Path patterns (`source`) are path-to-regexp 6.1.0 with `strict` and `sensitive`
//! (`sourceToRegex` in `superstatic.ts`), compiled by [`crate::patterns`]. Legacy `routes[].src`
//! is a regular expression Vercel anchors with `^…$`.
//!
//! Not modelled (and why):
//! * Whether a static file exists: rewrites run after `handle: filesystem`, so a file at the
//!   path would be served instead. corslint cannot see the deployed files.
//! * A rewrite's `statusCode`, `transforms`, `env`, `check`, `locale`, `mitigate`: they change
//!   nothing corslint reads, or depend on the runtime.
//! * Legacy routes without `continue` end routing at the first match; here later matching
//!   routes still add their headers. Routes in the `handle: error` phase are skipped (they
//!   run only on errors).
//! * The `/.well-known` route that `trailingSlash: true` adds before its redirect also stops
//!   routing for those paths; it is modelled only as an exemption from the redirect.

use std::sync::Arc;

use super::json::{self, Json, Member};
use crate::model::Regex;
use crate::model::{
    Condition, Document, Handler, HeaderAction, HeaderOp, HeaderValue, OriginArm, OriginTest,
    PathMatcher, PathSyntax, Platform, Problem, Reach, Scope, ScopeId, ScopeKind, Site,
    SiteDefaults, Step, ValueTest,
};
use crate::patterns;
use crate::source::{FileId, Sources, Span};

/// Vercel's own message when legacy `routes` are mixed with the newer properties
/// (`invalid_mixed_routes`).
pub const MIXED_ROUTES: &str = "If `rewrites`, `redirects`, `headers`, `cleanUrls` or \
                                `trailingSlash` are used, then `routes` cannot be present.";

/// What Vercel answers to methods other than GET and HEAD on a static file.
///
/// UNVERIFIED: no Vercel source or document says what a static file answers to OPTIONS
/// (see hosting-formats.md, open questions). 204 is assumed so that corslint does not claim
/// a failing preflight it cannot prove.
const STATIC_OTHER_METHODS_STATUS: u16 = 204;

/// Reads one `vercel.json` / `now.json` into the model.
pub fn read(file: FileId, sources: &Sources) -> Document {
    let source = sources.get(file);
    let text: &str = &source.text;
    let label = source
        .name
        .rsplit('/')
        .next()
        .filter(|n| *n == "now.json")
        .unwrap_or("vercel.json")
        .to_string();
    let mut document = Document::default();
    let root = match json::parse(file, text, json::VERCEL) {
        Err(problem) => {
            document.problems.push(problem);
            return document;
        }
        Ok(None) => {
            document.problems.push(json::syntax(
                file,
                0..text.len(),
                format!(
                    "empty file, expected a JSON object: Vercel reads {label} with `JSON.parse`, \
                     which rejects an empty text"
                ),
                Some("Write `{}` for a configuration without settings, or delete the file"),
            ));
            return document;
        }
        Ok(Some(root)) => root,
    };
    if !root.is_object() {
        document.problems.push(json::config(
            root.span(file),
            format!(
                "{label} must hold a JSON object, found {}: Vercel rejects the deployment",
                root.type_name()
            ),
            None,
        ));
        return document;
    }
    let mut reader = Reader {
        file,
        text,
        label: label.clone(),
        problems: Vec::new(),
        scopes: Vec::new(),
    };
    let site = reader.site(&root);
    document.problems = reader.problems;
    document.sites.push(site);
    document
}

struct Reader<'t> {
    file: FileId,
    text: &'t str,
    label: String,
    problems: Vec<Problem>,
    scopes: Vec<Scope>,
}

/// A capture that a header value can use: a named group of a `has` value, or a `has` key
/// without value (`:origin` is the whole header).
#[derive(Debug, Clone)]
struct HasCapture {
    name: String,
    /// Set when the capture comes from the request's `Origin` header.
    origin: Option<OriginCapture>,
}

#[derive(Debug, Clone)]
struct OriginCapture {
    /// The `has` value regex; None when the `has` has no value (any Origin).
    pattern: Option<String>,
    regex: Option<Regex>,
    span: Span,
}

impl<'t> Reader<'t> {
    fn site(&mut self, root: &Json) -> Site {
        let clean_urls = self.boolean(root, "cleanUrls");
        let trailing_slash = self.boolean(root, "trailingSlash");
        let routes = self.array(root, "routes");
        let redirects = self.array(root, "redirects");
        let headers = self.array(root, "headers");
        let rewrites = self.array(root, "rewrites");

        if let Some(routes_member) = root.get("routes") {
            let mixed = [
                "rewrites",
                "redirects",
                "headers",
                "cleanUrls",
                "trailingSlash",
            ]
            .iter()
            .any(|k| root.get(k).is_some());
            // The services fixtures of Vercel's own CLI tests mix both and are deployed by
            // its test suite (corpus: services-v2-frontend-backend), so a configuration that
            // declares services is not reported.
            let services = ["experimentalServicesV2", "experimentalServices", "services"]
                .iter()
                .any(|k| root.get(k).is_some());
            if mixed && !services {
                self.problems.push(json::config(
                    Span::new(self.file, routes_member.key_range.clone()),
                    format!(
                        "{MIXED_ROUTES} Vercel rejects this {} (`invalid_mixed_routes`)",
                        self.label
                    ),
                    Some(
                        "Move each route to `headers`, `redirects` or `rewrites` (with \
                         `source` / `destination`), then delete `routes`",
                    ),
                ));
            }
        }

        // Header rules first: their samples tell the generated routes which paths matter.
        let header_ids: Vec<ScopeId> = headers
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.header_rule(i, item))
            .collect();
        let route_ids: Vec<ScopeId> = self.routes(&routes);
        let redirect_ids: Vec<ScopeId> = redirects
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.redirect(i, item))
            .collect();
        let mut rewrite_ids: Vec<ScopeId> = rewrites
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.rewrite(i, item))
            .collect();
        rewrite_ids.reverse();

        let interesting = self.interesting_samples();
        let mut generated_clean = Vec::new();
        if let Some((true, member)) = clean_urls {
            let location = if matches!(trailing_slash, Some((true, _))) {
                "/$1/"
            } else {
                "/$1"
            };
            let index_samples = interesting
                .iter()
                .map(|s| format!("{}/index", s.trim_end_matches('/')))
                .chain(["/index.html".to_string(), "/docs/index".to_string()])
                .collect();
            generated_clean.push(self.generated(
                member,
                r"^/(?:(.+)/)?index(?:\.html)?/?$",
                location,
                index_samples,
            ));
            let html_samples = interesting
                .iter()
                .filter(|s| s.len() > 1 && !s.ends_with('/'))
                .map(|s| format!("{s}.html"))
                .chain(["/about.html".to_string()])
                .collect();
            generated_clean.push(self.generated(
                member,
                r"^/(.*)\.html/?$",
                location,
                html_samples,
            ));
        }
        let mut generated_slash = Vec::new();
        match trailing_slash {
            Some((true, member)) => {
                // `^/((?:[^/]+/)*[^/\.]+)$` → `/$1/`, after a route that exempts
                // `/.well-known` (the regex crate has no lookahead: the exemption is spelled
                // out as "a first segment other than `.well-known`").
                let first = not_segment(".well-known");
                let add = format!(r"^/(?:[^/.]+|(?:{first})/(?:[^/]+/)*[^/.]+)$");
                let samples = interesting
                    .iter()
                    .filter(|s| s.len() > 1 && !s.ends_with('/'))
                    .cloned()
                    .chain(["/api".to_string()])
                    .collect();
                generated_slash.push(self.generated(member, &add, "/$1/", samples));
                // `/file.ext/` → `/file.ext`.
                let strip = format!(r"^/(?:[^/]+|(?:{first})(?:/[^/]+)*/[^/]+)\.[0-9A-Za-z_]+/$");
                let samples = interesting
                    .iter()
                    .filter(|s| s.contains('.') && !s.ends_with('/'))
                    .map(|s| format!("{s}/"))
                    .chain(["/data.json/".to_string()])
                    .collect();
                generated_slash.push(self.generated(member, &strip, "/$1", samples));
            }
            Some((false, member)) => {
                let samples = interesting
                    .iter()
                    .filter(|s| s.len() > 1)
                    .map(|s| {
                        if s.ends_with('/') {
                            s.clone()
                        } else {
                            format!("{s}/")
                        }
                    })
                    .chain(["/api/".to_string()])
                    .collect();
                generated_slash.push(self.generated(member, r"^/(.*)/$", "/$1", samples));
            }
            None => {}
        }

        let top: Vec<ScopeId> = generated_clean
            .into_iter()
            .chain(generated_slash)
            .chain(route_ids.iter().copied())
            .chain(redirect_ids)
            .chain(header_ids)
            .chain(rewrite_ids)
            .collect();
        let defaults = SiteDefaults {
            static_headers: Vec::new(),
            // Legacy routes: headers of `continue` routes and of the route that answers are
            // all sent with a `status` answer (the `test-cors-routes` fixture answers OPTIONS
            // with 204 and the route headers). With `redirects`/`headers`, routing ends at a
            // redirect before any header rule runs.
            headers_on_redirects: !route_ids.is_empty(),
            static_other_methods_status: STATIC_OTHER_METHODS_STATUS,
        };
        Site {
            platform: Platform::Vercel,
            label: self.label.clone(),
            span: root.span(self.file),
            scopes: std::mem::take(&mut self.scopes),
            top,
            defaults,
            hosts: Vec::new(),
            listens: Vec::new(),
            merge_slashes: true,
        }
    }

    fn push(&mut self, scope: Scope) -> ScopeId {
        self.scopes.push(scope);
        self.scopes.len() - 1
    }

    fn span(&self, json: &Json) -> Span {
        json.span(self.file)
    }

    fn inner(&self, json: &Json) -> Span {
        json.inner_span(self.file)
    }

    fn member_span(&self, member: &Member) -> Span {
        Span::new(self.file, member.range())
    }

    fn problem(&mut self, span: Span, message: String, help: Option<&str>) {
        self.problems.push(json::config(span, message, help));
    }

    /// A top-level boolean (`cleanUrls`, `trailingSlash`): another type is rejected.
    fn boolean<'j>(&mut self, root: &'j Json, key: &str) -> Option<(bool, &'j Member)> {
        let member = root.get(key)?;
        match member.value.as_bool() {
            Some(b) => Some((b, member)),
            None => {
                self.problem(
                    self.span(&member.value),
                    format!(
                        "`{key}` must be a boolean (`true` or `false`), found {}: Vercel rejects \
                         the deployment (\"Invalid {} - `{key}` should be boolean\")",
                        member.value.type_name(),
                        self.label
                    ),
                    None,
                );
                None
            }
        }
    }

    /// A top-level array (`headers`, `redirects`, ...): another type is rejected.
    fn array<'j>(&mut self, root: &'j Json, key: &str) -> Vec<&'j Json> {
        let Some(member) = root.get(key) else {
            return Vec::new();
        };
        match member.value.as_array() {
            Some(items) => items.iter().collect(),
            None => {
                self.problem(
                    self.span(&member.value),
                    format!(
                        "`{key}` must be an array, found {}: Vercel rejects the deployment \
                         (\"Invalid {} - `{key}` should be array\")",
                        member.value.type_name(),
                        self.label
                    ),
                    None,
                );
                Vec::new()
            }
        }
    }

    /// An array item that must be an object.
    fn object<'j>(&mut self, list: &str, index: usize, item: &'j Json) -> Option<&'j Json> {
        if item.is_object() {
            return Some(item);
        }
        self.problem(
            self.span(item),
            format!(
                "`{list}[{index}]` must be an object, found {}: Vercel rejects the deployment",
                item.type_name()
            ),
            None,
        );
        None
    }

    /// Properties the schema does not allow (`additionalProperties: false`).
    fn unknown_keys(&mut self, path: &str, item: &Json, allowed: &[&str]) {
        for member in item.members() {
            if !allowed.contains(&member.key.as_str()) {
                self.problem(
                    Span::new(self.file, member.key_range.clone()),
                    format!(
                        "`{path}` has the property `{}`, which Vercel does not know: it rejects \
                         the deployment (\"Invalid {} - `{path}` should NOT have additional \
                         property `{}`\")",
                        member.key, self.label, member.key
                    ),
                    Some(&format!("Allowed here: {}", allowed.join(", "))),
                );
            }
        }
    }

    /// A required string property.
    fn string<'j>(&mut self, path: &str, item: &'j Json, key: &str) -> Option<&'j Json> {
        match item.field(key) {
            Some(value) if value.as_str().is_some() => Some(value),
            Some(value) => {
                self.problem(
                    self.span(value),
                    format!(
                        "`{path}.{key}` must be a string, found {}: Vercel rejects the \
                         deployment (\"Invalid {} - `{path}.{key}` should be string\")",
                        value.type_name(),
                        self.label
                    ),
                    None,
                );
                None
            }
            None => {
                self.problem(
                    self.span(item),
                    format!(
                        "`{path}` has no `{key}`: Vercel rejects the deployment (\"Invalid {} - \
                         `{path}` should have required property `{key}`\")",
                        self.label
                    ),
                    None,
                );
                None
            }
        }
    }

    /// The `source` of a header, redirect or rewrite, compiled.
    fn source(&mut self, kind: &str, path: &str, index: usize, item: &Json) -> Option<PathMatcher> {
        let value = self.string(path, item, "source")?;
        let pattern = value.as_str().unwrap_or_default().to_string();
        match patterns::vercel_source(&pattern) {
            Ok(compiled) => Some(PathMatcher {
                syntax: PathSyntax::PathToRegexp,
                pattern,
                span: self.inner(value),
                regex: Some(compiled.regex),
                samples: compiled.samples,
            }),
            Err(err) => {
                let span = match err.offset {
                    Some(offset) => value.offset_span(self.file, self.text, offset),
                    None => self.inner(value),
                };
                let bare_star = pattern.contains('*') && err.message.contains("MODIFIER");
                let help = if bare_star {
                    "A bare `*` is not a wildcard in Vercel's path patterns: write `(.*)` (for \
                     example `/api/(.*)`) or a named parameter (`/api/:path*`)"
                } else {
                    "Vercel sources are path-to-regexp patterns: `/api/:path*`, `/api/(.*)`, \
                     `/blog/:slug`"
                };
                self.problem(
                    span,
                    format!(
                        "`{path}.source` is not a valid Vercel path pattern ({}): Vercel rejects \
                         the deployment (\"{kind} at index {index} has invalid `source` pattern \
                         \"{pattern}\".\")",
                        err.message
                    ),
                    Some(help),
                );
                None
            }
        }
    }

    /// `has` / `missing` as conditions, and the captures `has` offers to header values.
    fn conditions(&mut self, path: &str, item: &Json) -> (Vec<Condition>, Vec<HasCapture>) {
        let mut conditions = Vec::new();
        let mut captures = Vec::new();
        for (key, negate) in [("has", false), ("missing", true)] {
            let Some(list) = item.field(key) else {
                continue;
            };
            let Some(entries) = list.as_array() else {
                self.problem(
                    self.span(list),
                    format!(
                        "`{path}.{key}` must be an array, found {}: Vercel rejects the deployment",
                        list.type_name()
                    ),
                    None,
                );
                continue;
            };
            for (j, entry) in entries.iter().enumerate() {
                let entry_path = format!("{path}.{key}[{j}]");
                if let Some((condition, capture)) = self.condition(&entry_path, entry, negate) {
                    conditions.push(condition);
                    if !negate {
                        captures.extend(capture);
                    }
                }
            }
        }
        (conditions, captures)
    }

    fn condition(
        &mut self,
        path: &str,
        entry: &Json,
        negate: bool,
    ) -> Option<(Condition, Vec<HasCapture>)> {
        if !entry.is_object() {
            self.problem(
                self.span(entry),
                format!(
                    "`{path}` must be an object such as `{{\"type\": \"header\", \"key\": \
                     \"origin\"}}`, found {}: Vercel rejects the deployment",
                    entry.type_name()
                ),
                None,
            );
            return None;
        }
        let span = self.span(entry);
        let kind = self
            .string(path, entry, "type")?
            .as_str()
            .unwrap_or_default();
        let value = entry.field("value");
        let key = match kind {
            "host" => {
                if value.is_none() {
                    self.string(path, entry, "value")?;
                }
                "host".to_string()
            }
            "header" | "cookie" | "query" => self
                .string(path, entry, "key")?
                .as_str()
                .unwrap_or_default()
                .to_string(),
            other => {
                let type_span = entry.field("type").map_or(span, |t| self.span(t));
                self.problem(
                    type_span,
                    format!(
                        "`{path}.type` is `{other}`; Vercel knows `header`, `cookie`, `query` \
                         and `host`, and rejects the deployment"
                    ),
                    None,
                );
                return None;
            }
        };
        // Header keys are compared lowercased (`normalizeHasKeys`).
        let name = if kind == "header" {
            key.to_ascii_lowercase()
        } else {
            key.clone()
        };
        // What the value offers as captures (`collectHasSegments`).
        let mut names: Vec<String> = Vec::new();
        let (test, pattern) = match value {
            None => {
                if kind != "host" {
                    names.push(key.clone());
                }
                (ValueTest::Present, None)
            }
            Some(v) => match (v.as_str(), v.is_object()) {
                (Some(re), _) => {
                    names.extend(named_groups(re));
                    if kind == "host" {
                        names.push("host".to_string());
                    }
                    (ValueTest::Regex(js_regex(re)), Some(re.to_string()))
                }
                (None, true) => {
                    // A condition object: `eq` and `re` are evaluated, the others are not.
                    let eq = v.field("eq");
                    let re = v.field("re").and_then(Json::as_str);
                    if let Some(re) = re {
                        names.extend(named_groups(re));
                        if kind == "host" {
                            names.push("host".to_string());
                        }
                    }
                    let others = v.members().iter().any(|m| m.key != "eq" && m.key != "re");
                    match (eq, re, others) {
                        (Some(eq), None, false) => {
                            let text = eq
                                .as_str()
                                .map(str::to_string)
                                .or_else(|| match &eq.value {
                                    json::Value::Number(n) => Some(n.clone()),
                                    _ => None,
                                })
                                .unwrap_or_default();
                            (ValueTest::Equals(text), None)
                        }
                        (None, Some(re), false) => {
                            (ValueTest::Regex(js_regex(re)), Some(re.to_string()))
                        }
                        _ => {
                            let text = format!(
                                "{}{kind} `{key}` {}",
                                if negate { "missing " } else { "" },
                                self.text.get(v.range.clone()).unwrap_or("")
                            );
                            return Some((Condition::Unknown { text, span }, Vec::new()));
                        }
                    }
                }
                (None, false) => {
                    self.problem(
                        self.span(v),
                        format!(
                            "`{path}.value` must be a string (a regular expression) or a \
                             condition object, found {}: Vercel rejects the deployment",
                            v.type_name()
                        ),
                        None,
                    );
                    return None;
                }
            },
        };
        let condition = match kind {
            "header" | "host" => Condition::Header {
                name: name.clone(),
                test,
                negate,
                span,
            },
            _ => Condition::Unknown {
                text: format!(
                    "{}{kind} `{key}`{}",
                    if negate { "missing " } else { "" },
                    pattern
                        .as_deref()
                        .map(|p| format!(" ~ {p}"))
                        .unwrap_or_default()
                ),
                span,
            },
        };
        let origin = (kind == "header" && name == "origin").then(|| OriginCapture {
            regex: pattern.as_deref().and_then(js_regex),
            pattern: pattern.clone(),
            span,
        });
        let captures = names
            .into_iter()
            .map(|name| HasCapture {
                name,
                origin: origin.clone(),
            })
            .collect();
        Some((condition, captures))
    }

    fn header_rule(&mut self, index: usize, item: &Json) -> Option<ScopeId> {
        let path = format!("headers[{index}]");
        let item = self.object("headers", index, item)?;
        self.unknown_keys(&path, item, &["source", "headers", "has", "missing"]);
        let matcher = self.source("Header", &path, index, item);
        let (conditions, captures) = self.conditions(&path, item);
        let list = match item.field("headers") {
            Some(list) => match list.as_array() {
                Some(list) => list,
                None => {
                    self.problem(
                        self.span(list),
                        format!(
                            "`{path}.headers` must be an array of `{{\"key\", \"value\"}}` \
                             objects, found {}: Vercel rejects the deployment",
                            list.type_name()
                        ),
                        None,
                    );
                    &[]
                }
            },
            None => {
                self.string(&path, item, "headers");
                &[]
            }
        };
        let named = matcher
            .as_ref()
            .map(|m| named_params(&m.pattern))
            .unwrap_or_default();
        let mut ops: Vec<HeaderOp> = Vec::new();
        for (j, entry) in list.iter().enumerate() {
            let entry_path = format!("{path}.headers[{j}]");
            if !entry.is_object() {
                self.problem(
                    self.span(entry),
                    format!(
                        "`{entry_path}` must be an object `{{\"key\": …, \"value\": …}}`, found \
                         {}: Vercel rejects the deployment",
                        entry.type_name()
                    ),
                    None,
                );
                continue;
            }
            self.unknown_keys(&entry_path, entry, &["key", "value"]);
            let key = self.string(&entry_path, entry, "key");
            let value = self.string(&entry_path, entry, "value");
            let (Some(key), Some(value)) = (key, value) else {
                continue;
            };
            let name = key.as_str().unwrap_or_default().to_string();
            let raw = value.as_str().unwrap_or_default();
            let header_value = substitute(raw, &named, &captures);
            // Within one rule a repeated key keeps the last value (`obj[key] = value`); a
            // different spelling of the same name is one header on the response too.
            ops.retain(|op| !op.name.eq_ignore_ascii_case(&name));
            ops.push(HeaderOp {
                name,
                value: header_value,
                action: HeaderAction::Set,
                reach: Reach::Always,
                span: self.span(entry),
                name_span: self.inner(key),
                value_span: self.inner(value),
            });
        }
        let matcher = matcher?;
        let mut scope = Scope::new(ScopeKind::HeaderRule, self.span(item));
        scope.head = matcher.span;
        scope.matcher = Some(matcher);
        scope.conditions = conditions;
        scope.headers = ops.into();
        Some(self.push(scope))
    }

    fn redirect(&mut self, index: usize, item: &Json) -> Option<ScopeId> {
        let path = format!("redirects[{index}]");
        let item = self.object("redirects", index, item)?;
        self.unknown_keys(
            &path,
            item,
            &[
                "source",
                "destination",
                "permanent",
                "statusCode",
                "has",
                "missing",
                "env",
            ],
        );
        let matcher = self.source("Redirect", &path, index, item);
        let destination = self.string(&path, item, "destination");
        let (conditions, _) = self.conditions(&path, item);
        let permanent = item.get("permanent");
        let status_code = item.get("statusCode");
        let mut status = 308;
        if let Some(member) = permanent {
            match member.value.as_bool() {
                Some(p) => status = if p { 308 } else { 307 },
                None => self.problem(
                    self.span(&member.value),
                    format!(
                        "`{path}.permanent` must be a boolean, found {}: Vercel rejects the \
                         deployment",
                        member.value.type_name()
                    ),
                    None,
                ),
            }
        }
        if let Some(member) = status_code {
            match member.value.as_integer() {
                Some(code) if (100..=999).contains(&code) => {
                    if permanent.is_none() {
                        status = code as u16;
                    }
                }
                _ => self.problem(
                    self.span(&member.value),
                    format!(
                        "`{path}.statusCode` must be an integer from 100 to 999, found {}: Vercel \
                         rejects the deployment (\"Invalid {} - `{path}.statusCode` should be \
                         integer\")",
                        describe(&member.value),
                        self.label
                    ),
                    Some("Use `\"permanent\": true` (308) or `false` (307) instead"),
                ),
            }
        }
        if let (Some(_), Some(member)) = (permanent, status_code) {
            self.problem(
                self.member_span(member),
                format!(
                    "Redirect at index {index} cannot define both `permanent` and `statusCode` \
                     properties: Vercel rejects the deployment"
                ),
                Some("Keep one: `permanent` (308 or 307) or `statusCode`"),
            );
        }
        let matcher = matcher?;
        let destination = destination?.as_str().unwrap_or_default().to_string();
        let span = self.span(item);
        let mut scope = Scope::new(ScopeKind::Redirect, span);
        scope.head = matcher.span;
        scope.matcher = Some(matcher);
        scope.conditions = conditions;
        scope.steps.push(Step::Return {
            status,
            location: Some(destination),
            span,
        });
        Some(self.push(scope))
    }

    fn rewrite(&mut self, index: usize, item: &Json) -> Option<ScopeId> {
        let path = format!("rewrites[{index}]");
        let item = self.object("rewrites", index, item)?;
        self.unknown_keys(
            &path,
            item,
            &[
                "source",
                "destination",
                "has",
                "missing",
                "statusCode",
                "env",
                "respectOriginCacheControl",
                "transforms",
            ],
        );
        let matcher = self.source("Rewrite", &path, index, item);
        let (conditions, _) = self.conditions(&path, item);
        let span = self.span(item);
        let handler = match item.field("destination") {
            Some(d) => match (d.as_str(), d.is_object()) {
                (Some(dest), _) => handler_for(dest, span),
                (None, true) => {
                    let service = d
                        .field("service")
                        .and_then(Json::as_str)
                        .unwrap_or("a service");
                    Handler::Upstream {
                        target: format!("service `{service}`"),
                        hides: Vec::new(),
                        headers_applied: true,
                        span,
                    }
                }
                (None, false) => {
                    self.problem(
                        self.span(d),
                        format!(
                            "`{path}.destination` must be a path, a URL or a service object, \
                             found {}: Vercel rejects the deployment",
                            d.type_name()
                        ),
                        None,
                    );
                    return None;
                }
            },
            None => {
                self.string(&path, item, "destination");
                return None;
            }
        };
        let matcher = matcher?;
        let mut scope = Scope::new(ScopeKind::Rewrite, span);
        scope.head = matcher.span;
        scope.matcher = Some(matcher);
        scope.conditions = conditions;
        scope.handler = Some(handler);
        Some(self.push(scope))
    }

    /// Legacy `routes`: raw regular expressions, anchored.
    fn routes(&mut self, routes: &[&Json]) -> Vec<ScopeId> {
        let mut ids = Vec::new();
        let mut phase: Option<String> = None;
        for (index, item) in routes.iter().enumerate() {
            let path = format!("routes[{index}]");
            let Some(item) = self.object("routes", index, item) else {
                continue;
            };
            if let Some(handle) = item.field("handle") {
                phase = handle.as_str().map(str::to_string);
                continue;
            }
            if phase.as_deref() == Some("error") {
                continue;
            }
            let src = match (item.field("src"), item.field("source")) {
                (Some(_), Some(source)) => {
                    self.problem(
                        self.span(source),
                        format!(
                            "Route at index {index} cannot define both `src` and `source`: \
                             Vercel rejects the deployment"
                        ),
                        None,
                    );
                    None
                }
                (Some(s), None) | (None, Some(s)) => match s.as_str() {
                    Some(_) => Some(s),
                    None => {
                        self.problem(
                            self.span(s),
                            format!(
                                "`{path}.src` must be a string (a regular expression), found {}: \
                                 Vercel rejects the deployment",
                                s.type_name()
                            ),
                            None,
                        );
                        None
                    }
                },
                (None, None) => {
                    self.problem(
                        self.span(item),
                        format!(
                            "Route at index {index} must define either `src` or `source` \
                             property: Vercel rejects the deployment"
                        ),
                        None,
                    );
                    None
                }
            };
            let Some(src) = src else { continue };
            let pattern = src.as_str().unwrap_or_default().to_string();
            let compiled = match patterns::vercel_route_src(&pattern) {
                Ok(c) => c,
                Err(err) => {
                    let span = match err.offset {
                        Some(offset) => src.offset_span(self.file, self.text, offset),
                        None => self.inner(src),
                    };
                    self.problem(
                        span,
                        format!(
                            "Route at index {index} has invalid `src`/`source` regular \
                             expression \"{pattern}\" ({}): Vercel rejects the deployment",
                            err.message
                        ),
                        None,
                    );
                    continue;
                }
            };
            let (mut conditions, _) = self.conditions(&path, item);
            if let Some(methods) = item.field("methods") {
                match methods.as_array() {
                    Some(list) => {
                        let names: Vec<String> = list
                            .iter()
                            .filter_map(Json::as_str)
                            .map(str::to_ascii_uppercase)
                            .collect();
                        conditions.push(Condition::Method {
                            methods: names,
                            negate: false,
                            span: self.span(methods),
                        });
                    }
                    None => self.problem(
                        self.span(methods),
                        format!(
                            "`{path}.methods` must be an array of method names, found {}: \
                             Vercel rejects the deployment",
                            methods.type_name()
                        ),
                        None,
                    ),
                }
            }
            let span = self.span(item);
            let mut ops: Vec<HeaderOp> = Vec::new();
            let mut location: Option<String> = None;
            if let Some(headers) = item.field("headers") {
                if headers.is_object() {
                    for member in headers.unique_members() {
                        let Some(value) = member.value.as_str() else {
                            self.problem(
                                self.span(&member.value),
                                format!(
                                    "`{path}.headers.{}` must be a string, found {}: Vercel \
                                     rejects the deployment",
                                    member.key,
                                    member.value.type_name()
                                ),
                                None,
                            );
                            continue;
                        };
                        if member.key.eq_ignore_ascii_case("location") {
                            location = Some(value.to_string());
                        }
                        let header_value = if has_route_reference(value) {
                            HeaderValue::Dynamic(value.to_string())
                        } else {
                            HeaderValue::Literal(value.to_string())
                        };
                        ops.retain(|op| !op.name.eq_ignore_ascii_case(&member.key));
                        ops.push(HeaderOp {
                            name: member.key.clone(),
                            value: header_value,
                            action: HeaderAction::Set,
                            reach: Reach::Always,
                            span: self.member_span(member),
                            name_span: json_key_inner(self.file, member),
                            value_span: self.inner(&member.value),
                        });
                    }
                } else {
                    self.problem(
                        self.span(headers),
                        format!(
                            "`{path}.headers` must be an object of header names and values, \
                             found {}: Vercel rejects the deployment",
                            headers.type_name()
                        ),
                        None,
                    );
                }
            }
            let status = match (item.field("status"), item.field("statusCode")) {
                (Some(s), _) | (None, Some(s)) => match s.as_integer() {
                    Some(code) if (100..=999).contains(&code) => Some(code as u16),
                    _ => {
                        self.problem(
                            self.span(s),
                            format!(
                                "`{path}.status` must be an integer from 100 to 999, found {}: \
                                 Vercel rejects the deployment",
                                describe(s)
                            ),
                            None,
                        );
                        None
                    }
                },
                (None, None) => None,
            };
            let dest = item.field("dest").or_else(|| item.field("destination"));
            let mut scope = Scope::new(ScopeKind::HeaderRule, span);
            scope.head = self.inner(src);
            if let Some(code) = status {
                let location = location.filter(|_| (300..400).contains(&code));
                scope.kind = if location.is_some() {
                    ScopeKind::Redirect
                } else {
                    ScopeKind::Rewrite
                };
                scope.steps.push(Step::Return {
                    status: code,
                    location,
                    span,
                });
            } else if let Some(dest) = dest {
                scope.kind = ScopeKind::Rewrite;
                scope.handler = Some(match dest.as_str() {
                    Some(d) => handler_for(d, span),
                    None => Handler::Upstream {
                        target: "a service".to_string(),
                        hides: Vec::new(),
                        headers_applied: true,
                        span,
                    },
                });
            }
            scope.matcher = Some(PathMatcher {
                syntax: PathSyntax::AnchoredRegex,
                pattern,
                span: self.inner(src),
                regex: Some(compiled.regex),
                samples: compiled.samples,
            });
            scope.conditions = conditions;
            scope.headers = ops.into();
            ids.push(self.push(scope));
        }
        ids
    }

    /// A route Vercel generates from `cleanUrls` / `trailingSlash`: a 308 for every method.
    fn generated(
        &mut self,
        member: &Member,
        pattern: &str,
        location: &str,
        candidates: Vec<String>,
    ) -> ScopeId {
        let span = self.member_span(member);
        let regex = patterns::regex_new(pattern);
        let mut samples: Vec<String> = Vec::new();
        for c in candidates {
            if regex.as_ref().is_some_and(|re| re.is_match(&c)) && !samples.contains(&c) {
                samples.push(c);
            }
        }
        samples.truncate(4);
        let mut scope = Scope::new(ScopeKind::Generated, span);
        scope.head = self.span(&member.value);
        scope.matcher = Some(PathMatcher {
            syntax: PathSyntax::AnchoredRegex,
            pattern: pattern.to_string(),
            span: self.span(&member.value),
            regex,
            samples,
        });
        scope.steps.push(Step::Return {
            status: 308,
            location: Some(location.to_string()),
            span,
        });
        self.push(scope)
    }

    /// Paths worth probing for the generated routes: samples of the scopes that carry CORS
    /// headers first, then the others.
    fn interesting_samples(&self) -> Vec<String> {
        let mut cors = Vec::new();
        let mut other = Vec::new();
        for scope in &self.scopes {
            let Some(m) = &scope.matcher else { continue };
            let has_cors = scope
                .headers
                .iter()
                .any(|op| crate::model::names::is_cors(&op.name));
            let out = if has_cors { &mut cors } else { &mut other };
            out.extend(m.samples.iter().take(4).cloned());
        }
        let mut seen = std::collections::HashSet::new();
        cors.into_iter()
            .chain(other)
            .filter(|s| seen.insert(s.clone()))
            .collect()
    }
}

/// What serves a rewrite's destination: an external URL is a proxy, `/api/…` is a function;
/// both get the vercel.json headers (reference §1: "vercel.json headers are applied to
/// function responses"). Other paths are static files.
fn handler_for(destination: &str, span: Span) -> Handler {
    let lower = destination.to_ascii_lowercase();
    let external = lower.starts_with("http://") || lower.starts_with("https://");
    let function = destination == "/api" || destination.starts_with("/api/");
    if external || function {
        Handler::Upstream {
            target: destination.to_string(),
            hides: Vec::new(),
            headers_applied: true,
            span,
        }
    } else {
        Handler::Static {
            other_methods_status: STATIC_OTHER_METHODS_STATUS,
            span: Some(span),
        }
    }
}

/// `"ok"` → "the string \"ok\"", `1.5` → "the number 1.5".
fn describe(value: &Json) -> String {
    match &value.value {
        json::Value::String { text, .. } => format!("the string {text:?}"),
        json::Value::Number(n) => format!("the number {n}"),
        _ => value.type_name().to_string(),
    }
}

/// The key of a member, inside its quotes.
fn json_key_inner(file: FileId, member: &Member) -> Span {
    let r = member.key_range.clone();
    if r.len() >= 2 {
        Span::new(file, r.start + 1..r.end - 1)
    } else {
        Span::new(file, r)
    }
}

/// Whether a legacy route header value uses a capture (`$1`, `$name`).
fn has_route_reference(value: &str) -> bool {
    let b = value.as_bytes();
    b.windows(2)
        .any(|w| w[0] == b'$' && (w[1].is_ascii_alphanumeric() || w[1] == b'_'))
}

/// A `has` value: a JavaScript regex, matched unanchored (`new RegExp(value).exec`, as in
/// `packages/cli/src/util/dev/route-conditions.ts`). None when it cannot be evaluated.
fn js_regex(re: &str) -> Option<Regex> {
    let rust = patterns::to_rust_regex(re, patterns::Dialect::Js).ok()?;
    patterns::regex_new(&rust)
}

/// Named groups of a JavaScript regex: `(?<name>`.
fn named_groups(re: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = re;
    while let Some(i) = rest.find("(?<") {
        rest = &rest[i + 3..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if name.starts_with(|c: char| c.is_ascii_alphabetic())
            && rest[name.len()..].starts_with('>')
        {
            names.push(name);
        }
    }
    names
}

/// Named parameters of a path-to-regexp source: `:name` (with an optional `(…)`, `*`, `+`,
/// `?` after it).
fn named_params(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b':' => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len()
                    && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                {
                    end += 1;
                }
                if end > start {
                    names.push(source[start..end].to_string());
                }
                i = end.max(i + 1);
            }
            _ => i += 1,
        }
    }
    names
}

/// A header value with `:name` substituted (`convertHeaders`): from named source segments
/// (a runtime value), or from `has` captures (an `origin` capture makes origin reflection).
fn substitute(raw: &str, segments: &[String], captures: &[HasCapture]) -> HeaderValue {
    if (segments.is_empty() && captures.is_empty()) || !raw.contains(':') {
        return HeaderValue::Literal(raw.to_string());
    }
    let mut used_segment = false;
    let mut origin: Option<&OriginCapture> = None;
    let mut used_capture = false;
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' {
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            let name = &raw[start..end];
            if !name.is_empty() {
                // `has` captures override source segments of the same name.
                if let Some(c) = captures.iter().rev().find(|c| c.name == name) {
                    used_capture = true;
                    if let Some(o) = &c.origin {
                        origin = Some(o);
                    }
                } else if segments.iter().any(|s| s == name) {
                    used_segment = true;
                }
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    match origin {
        Some(OriginCapture {
            pattern: None,
            span,
            ..
        }) => HeaderValue::RequestOrigin { via: vec![*span] },
        Some(OriginCapture {
            pattern: Some(pattern),
            regex,
            span,
        }) => HeaderValue::ByOrigin {
            arms: Arc::new([OriginArm {
                test: OriginTest::Regex {
                    pattern: pattern.clone(),
                    case_insensitive: false,
                    regex: regex.clone(),
                },
                value: HeaderValue::RequestOrigin { via: vec![*span] },
                span: *span,
            }]),
            otherwise: Arc::new(HeaderValue::Literal(String::new())),
        },
        None if used_segment || used_capture => HeaderValue::Dynamic(raw.to_string()),
        None => HeaderValue::Literal(raw.to_string()),
    }
}

/// A regex for one path segment (`[^/]+`) that is not exactly `word` (no lookahead needed):
/// a proper prefix of it, a prefix followed by a different character, or longer.
fn not_segment(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut alternatives = Vec::new();
    for i in 0..chars.len() {
        let prefix: String = chars[..i].iter().collect();
        let prefix = regex::escape(&prefix);
        if i > 0 {
            alternatives.push(prefix.clone());
        }
        let c = regex::escape(&chars[i].to_string());
        alternatives.push(format!("{prefix}[^/{c}][^/]*"));
    }
    alternatives.push(format!("{}[^/]+", regex::escape(word)));
    alternatives.join("|")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Evaluated;
    use crate::source::SourceFile;

    fn read_text(text: &str) -> (Document, Sources) {
        let mut sources = Sources::default();
        let id = sources.add(SourceFile::new(None, "vercel.json".into(), text.into()));
        let doc = read(id, &sources);
        (doc, sources)
    }

    fn site(doc: &Document) -> &Site {
        assert_eq!(doc.sites.len(), 1, "{:?}", doc.problems);
        &doc.sites[0]
    }

    fn kinds(site: &Site) -> Vec<ScopeKind> {
        site.top.iter().map(|&id| site.scope(id).kind).collect()
    }

    #[test]
    fn scopes_follow_vercels_compiled_order_with_rewrites_reversed() {
        let (doc, _) = read_text(
            r#"{
              "rewrites": [
                {"source": "/api/:p*", "destination": "https://api.example.com/:p*"},
                {"source": "/(.*)", "destination": "/index.html"}
              ],
              "headers": [{"source": "/(.*)", "headers": [{"key": "X", "value": "1"}]}],
              "redirects": [{"source": "/old", "destination": "/new"}],
              "cleanUrls": true,
              "trailingSlash": false
            }"#,
        );
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        let site = site(&doc);
        assert_eq!(site.platform, Platform::Vercel);
        assert_eq!(site.label, "vercel.json");
        assert_eq!(
            kinds(site),
            vec![
                ScopeKind::Generated,
                ScopeKind::Generated,
                ScopeKind::Generated,
                ScopeKind::Redirect,
                ScopeKind::HeaderRule,
                ScopeKind::Rewrite,
                ScopeKind::Rewrite,
            ]
        );
        // The first rewrite in the file is the last in `top` (the last handler serves).
        let last = site.scope(*site.top.last().unwrap());
        assert!(matches!(
            last.handler,
            Some(Handler::Upstream {
                headers_applied: true,
                ..
            })
        ));
        let before = site.scope(site.top[5]);
        assert!(matches!(
            before.handler,
            Some(Handler::Static {
                other_methods_status: 204,
                ..
            })
        ));
        assert!(!site.defaults.headers_on_redirects);
        assert_eq!(site.defaults.static_other_methods_status, 204);
    }

    #[test]
    fn redirect_statuses() {
        let (doc, _) = read_text(
            r#"{"redirects": [
              {"source": "/a", "destination": "/x"},
              {"source": "/b", "destination": "/x", "permanent": false},
              {"source": "/c", "destination": "/x", "permanent": true},
              {"source": "/d", "destination": "/x", "statusCode": 301}
            ]}"#,
        );
        let site = site(&doc);
        let statuses: Vec<u16> = site
            .top
            .iter()
            .map(|&id| match &site.scope(id).steps[0] {
                Step::Return {
                    status, location, ..
                } => {
                    assert_eq!(location.as_deref(), Some("/x"));
                    *status
                }
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(statuses, vec![308, 307, 308, 301]);
    }

    #[test]
    fn header_ops_point_inside_the_quotes_and_repeated_keys_keep_the_last() {
        let text = r#"{"headers": [{"source": "/(.*)", "headers": [
            {"key": "Access-Control-Allow-Origin", "value": "https://a.example"},
            {"key": "Access-Control-Allow-Origin", "value": "*"}
        ]}]}"#;
        let (doc, sources) = read_text(text);
        let site = site(&doc);
        let ops = &site.scope(site.top[0]).headers;
        assert_eq!(ops.len(), 1);
        let src = sources.get(FileId(0));
        assert_eq!(src.slice(ops[0].value_span), "*");
        assert_eq!(src.slice(ops[0].name_span), "Access-Control-Allow-Origin");
        assert!(src.slice(ops[0].span).starts_with("{\"key\""));
        assert_eq!(ops[0].value.literal(), Some("*"));
    }

    #[test]
    fn has_origin_capture_is_origin_reflection() {
        let text = r#"{"headers": [{
            "source": "/api/(.*)",
            "has": [{"type": "header", "key": "Origin", "value": "(?<origin>.*)"}],
            "headers": [{"key": "Access-Control-Allow-Origin", "value": ":origin"}]
        }]}"#;
        let (doc, _) = read_text(text);
        let site = site(&doc);
        let scope = site.scope(site.top[0]);
        assert!(matches!(
            &scope.conditions[0],
            Condition::Header { name, negate: false, .. } if name == "origin"
        ));
        let value = &scope.headers[0].value;
        assert!(value.is_dynamic_origin());
        match value {
            HeaderValue::ByOrigin { arms, otherwise } => {
                assert_eq!(arms.len(), 1);
                assert!(matches!(arms[0].value, HeaderValue::RequestOrigin { .. }));
                assert!(matches!(
                    &arms[0].test,
                    OriginTest::Regex { pattern, regex: Some(_), .. } if pattern == "(?<origin>.*)"
                ));
                assert_eq!(otherwise.literal(), Some(""));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            value.evaluate(Some("https://evil.example")),
            Evaluated::Text("https://evil.example".into())
        );
    }

    #[test]
    fn has_key_without_value_and_path_segments() {
        let text = r#"{"headers": [
          {"source": "/a", "has": [{"type": "header", "key": "origin"}],
           "headers": [{"key": "Access-Control-Allow-Origin", "value": ":origin"}]},
          {"source": "/files/:name", "headers": [
             {"key": "Content-Disposition", "value": "attachment; filename=:name"},
             {"key": "Link", "value": "<https://cdn.example.com>; rel=preconnect"}]},
          {"source": "/b", "headers": [{"key": "X", "value": ":name"}]}
        ]}"#;
        let (doc, _) = read_text(text);
        let site = site(&doc);
        assert!(matches!(
            site.scope(site.top[0]).headers[0].value,
            HeaderValue::RequestOrigin { .. }
        ));
        let files = &site.scope(site.top[1]).headers;
        assert!(matches!(files[0].value, HeaderValue::Dynamic(_)));
        // `https:` is not a parameter.
        assert!(files[1].value.literal().is_some());
        // No parameters in the source: `:name` is literal text.
        assert_eq!(
            site.scope(site.top[2]).headers[0].value.literal(),
            Some(":name")
        );
    }

    #[test]
    fn cookie_and_query_conditions_are_not_evaluated() {
        let text = r#"{"redirects": [{"source": "/a", "destination": "/b",
            "has": [{"type": "cookie", "key": "beta"}, {"type": "host", "value": "example.com"}],
            "missing": [{"type": "header", "key": "x-skip", "value": {"eq": "1"}}]}]}"#;
        let (doc, _) = read_text(text);
        let scope = site(&doc).scope(0);
        assert!(matches!(scope.conditions[0], Condition::Unknown { .. }));
        assert!(matches!(
            &scope.conditions[1],
            Condition::Header { name, test: ValueTest::Regex(Some(_)), .. } if name == "host"
        ));
        assert!(matches!(
            &scope.conditions[2],
            Condition::Header { negate: true, test: ValueTest::Equals(v), .. } if v == "1"
        ));
    }

    #[test]
    fn trailing_slash_true_exempts_well_known() {
        let (doc, _) = read_text(r#"{"trailingSlash": true}"#);
        let site = site(&doc);
        let add = site.scope(site.top[0]).matcher.as_ref().unwrap();
        for (path, hit) in [
            ("/api", true),
            ("/api/users", true),
            ("/a.b", false),
            ("/api/", false),
            ("/.well-known/openid", false),
            ("/.well-knownx/openid", true),
            ("/.well/openid", true),
            ("/x/.well-known/a", true),
        ] {
            assert_eq!(add.matches(path), hit, "{path}");
        }
        let strip = site.scope(site.top[1]).matcher.as_ref().unwrap();
        assert!(strip.matches("/data.json/"));
        assert!(strip.matches("/a/b/data.json/"));
        assert!(!strip.matches("/.well-known/x.json/"));
        assert!(!strip.matches("/data.json"));
        for scope in &site.scopes {
            assert!(matches!(scope.steps[0], Step::Return { status: 308, .. }));
        }
    }

    #[test]
    fn trailing_slash_false_and_clean_urls_patterns() {
        let (doc, _) = read_text(r#"{"trailingSlash": false, "cleanUrls": true}"#);
        let site = site(&doc);
        let m = |i: usize| site.scope(site.top[i]).matcher.clone().unwrap();
        let (index, html, slash) = (m(0), m(1), m(2));
        assert!(index.matches("/docs/index") && index.matches("/index.html"));
        assert!(html.matches("/about.html") && !html.matches("/about"));
        assert!(slash.matches("/api/") && !slash.matches("/api") && !slash.matches("/"));
    }

    #[test]
    fn not_segment_excludes_exactly_the_word() {
        let re = regex::Regex::new(&format!("^(?:{})$", not_segment(".well-known"))).unwrap();
        assert!(!re.is_match(".well-known"));
        for s in [
            "a",
            ".",
            ".well",
            ".well-knowN",
            ".well-knownz",
            "well-known",
            "x.well-known",
        ] {
            assert!(re.is_match(s), "{s}");
        }
    }

    #[test]
    fn legacy_routes_with_methods_and_status() {
        let text = r#"{"routes": [
            {"src": "/(.*)", "headers": {"Access-Control-Allow-Origin": "*"}, "continue": true},
            {"src": "/(.*)", "methods": ["options"], "status": 204},
            {"src": "/old", "status": 308, "headers": {"Location": "/new"}},
            {"handle": "filesystem"},
            {"src": "/api/(.*)", "dest": "/api/index.js"},
            {"handle": "error"},
            {"src": "/(.*)", "status": 404, "dest": "/404.html"}
        ]}"#;
        let (doc, _) = read_text(text);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        let site = site(&doc);
        assert!(site.defaults.headers_on_redirects);
        assert_eq!(site.top.len(), 4);
        let options = site.scope(site.top[1]);
        assert!(matches!(
            &options.conditions[0],
            Condition::Method { methods, .. } if methods == &["OPTIONS".to_string()]
        ));
        assert!(matches!(
            site.scope(site.top[2]).steps[0],
            Step::Return { status: 308, location: Some(ref l), .. } if l == "/new"
        ));
        assert!(matches!(
            site.scope(site.top[3]).handler,
            Some(Handler::Upstream { .. })
        ));
    }

    #[test]
    fn mixed_routes_are_rejected_unless_services_are_declared() {
        let (doc, _) = read_text(r#"{"routes": [{"src": "/a"}], "cleanUrls": true}"#);
        assert_eq!(doc.problems.len(), 1);
        assert!(doc.problems[0].message.starts_with(MIXED_ROUTES));
        let (doc, _) = read_text(
            r#"{"routes": [{"src": "/a"}], "rewrites": [], "experimentalServicesV2": {}}"#,
        );
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
    }

    #[test]
    fn bare_star_is_reported_at_the_star() {
        let text = r#"{"headers": [{"source": "/api/*", "headers": []}]}"#;
        let (doc, sources) = read_text(text);
        assert_eq!(doc.problems.len(), 1, "{:?}", doc.problems);
        let p = &doc.problems[0];
        assert_eq!(p.kind, crate::model::ProblemKind::Config);
        assert_eq!(sources.get(FileId(0)).slice(p.span), "*");
        assert!(p.message.contains("MODIFIER"), "{}", p.message);
        assert!(p.help.as_deref().unwrap_or("").contains("(.*)"));
    }

    #[test]
    fn shapes_vercel_rejects() {
        for (text, needle) in [
            (r#"[]"#, "must hold a JSON object"),
            (r#"{"headers": {}}"#, "must be an array"),
            (
                r#"{"headers": [{"source": "/a"}]}"#,
                "required property `headers`",
            ),
            (
                r#"{"headers": [{"source": "/a", "headers": [{"key": "X", "value": 1}]}]}"#,
                "should be string",
            ),
            (
                r#"{"headers": [{"source": "/a", "header": []}]}"#,
                "additional property `header`",
            ),
            (
                r#"{"redirects": [{"source": "/a", "destination": "/b", "statusCode": "ok"}]}"#,
                "integer",
            ),
            (
                r#"{"redirects": [{"source": "/a", "destination": "/b", "permanent": true, "statusCode": 308}]}"#,
                "cannot define both",
            ),
            (r#"{"cleanUrls": "nope"}"#, "should be boolean"),
            (r#"{"routes": [{"dest": "/a"}]}"#, "must define either"),
            (r#"{"routes": [{"src": "/a("}]}"#, "invalid `src`"),
        ] {
            let (doc, _) = read_text(text);
            assert!(
                doc.problems.iter().any(|p| p.message.contains(needle)),
                "{text}: {:?}",
                doc.problems
            );
            assert!(
                doc.problems
                    .iter()
                    .all(|p| p.kind == crate::model::ProblemKind::Config)
            );
        }
    }

    #[test]
    fn syntax_errors_and_empty_files() {
        let (doc, _) = read_text("");
        assert_eq!(doc.problems[0].kind, crate::model::ProblemKind::Syntax);
        assert!(doc.problems[0].message.contains("empty file"));
        assert!(doc.sites.is_empty());
        let (doc, _) = read_text("{}");
        assert!(doc.problems.is_empty() && doc.suppressions.is_empty());
        assert!(doc.sites[0].scopes.is_empty());
    }

    /// A small deterministic generator (xorshift) for the robustness test.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    /// Mutated configurations: none of them may panic.
    pub(crate) fn mutations(seeds: &[&str], count: usize, mut check: impl FnMut(&str)) {
        const PIECES: &[&str] = &[
            "{",
            "}",
            "[",
            "]",
            ":",
            ",",
            "\"",
            "\\",
            "*",
            "(",
            ")",
            "?",
            "+",
            ":p*",
            "(?<o>",
            "/",
            ".",
            "true",
            "null",
            "1e999",
            "-",
            "é",
            "\u{feff}",
            "\t",
            "\n",
            "//",
            "/*",
            "\"source\"",
            "\"has\"",
            "\"headers\"",
            "\"value\"",
            "[]",
            "{}",
            "\"/api/*\"",
            "\"\\u00",
            "{\"type\":\"header\",\"key\":\"origin\",\"value\":\"(?<x>[\"}",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for i in 0..count {
            let mut chars: Vec<char> = seeds[i % seeds.len()].chars().collect();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(chars.len() + 1);
                match rng.below(4) {
                    0 if !chars.is_empty() => {
                        let end = (at + 1 + rng.below(8)).min(chars.len());
                        chars.drain(at.min(end)..end);
                    }
                    1 => {
                        let piece = PIECES[rng.below(PIECES.len())];
                        for (k, c) in piece.chars().enumerate() {
                            chars.insert(at + k, c);
                        }
                    }
                    2 if !chars.is_empty() => {
                        let at = at.min(chars.len() - 1);
                        chars[at] = PIECES[rng.below(PIECES.len())]
                            .chars()
                            .next()
                            .unwrap_or('x');
                    }
                    _ => {
                        let end = (at + rng.below(30)).min(chars.len());
                        let copy: Vec<char> = chars[at.min(end)..end].to_vec();
                        for (k, c) in copy.into_iter().enumerate() {
                            chars.insert(at + k, c);
                        }
                    }
                }
            }
            let text: String = chars.into_iter().collect();
            check(&text);
        }
    }

    #[test]
    fn never_panics_on_mutated_input() {
        let seeds = [
            r#"{"trailingSlash": true, "cleanUrls": true,
              "redirects": [{"source": "/api/v1/:p*", "destination": "/api/v2/:p*", "permanent": false,
                "has": [{"type": "host", "value": "(?<host>.*)"}]}],
              "headers": [{"source": "/api/(.*)", "has": [{"type": "header", "key": "origin", "value": "(?<o>.*)"}],
                "headers": [{"key": "Access-Control-Allow-Origin", "value": ":o"}]}],
              "rewrites": [{"source": "/(.*)", "destination": "/index.html"}]}"#,
            r#"{"routes": [{"src": "/(.*)", "methods": ["OPTIONS"], "status": 204,
              "headers": {"Access-Control-Allow-Origin": "*"}}, {"handle": "filesystem"}]}"#,
        ];
        let mut linted = 0;
        mutations(&seeds, 400, |text| {
            let (doc, sources) = read_text(text);
            let client = crate::settings::Client::default();
            crate::rules::check(&doc, &|_| client.clone(), &sources, &|_| true);
            linted += 1;
        });
        assert_eq!(linted, 400);
    }
}
