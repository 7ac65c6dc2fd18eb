//! `firebase.json`: one [`Site`] per hosting site.
//!
//! `hosting` is an object, an array of objects (each with `site` or `target`), or a string
//! naming a JSON file to import (firebase-tools `Config._materialize`). Without `hosting`, the
//! legacy top-level keys (`public`, `redirects`, `headers`, `rewrites`, ...) are the hosting
//! configuration when `public` is set (`Config.importLegacyHostingKeys`).
//!
//! Per site, in Firebase's priority order (docs, "Priority order of Hosting responses"):
//! redirects (the first match answers, whatever the method; `type` 301 by default), then
//! every matching header rule (`setHeader` each: for one name the later rule wins), then
//! rewrites (the first match serves). Resolution lets the last matching handler serve, so
//! rewrites are put in [`Site::top`] in reverse file order.
//!
//! Patterns: `source` and `glob` are minimatch globs as superstatic matches them, `regex` is
//! RE2 and unanchored; both compiled by [`crate::patterns`].
//!
//! Not modelled (and why):
//! * `trailingSlash` / `cleanUrls`: their 301s fire only when the target static file exists,
//!   which corslint cannot see; they are treated as not firing.
//! * Whether an exact static file is served before the rewrites; `i18n`; `appAssociation`.
//! * What production does with headers on function / Cloud Run responses: the emulator
//!   applies them (reference §2), so `headers_applied: true`.

use std::path::Path;

use super::json::{self, Json, Member};
use crate::model::{
    Document, Handler, HeaderAction, HeaderOp, HeaderValue, PathMatcher, PathSyntax, Platform,
    Problem, Reach, Scope, ScopeId, ScopeKind, Site, SiteDefaults, Step,
};
use crate::patterns;
use crate::source::{FileId, SourceFile, Sources, Span};

/// superstatic answers OPTIONS (any method but GET/HEAD) on static files with 200 and the
/// configured headers.
const STATIC_OTHER_METHODS_STATUS: u16 = 200;

/// The hosting keys firebase-tools moves under `hosting` when a file has none
/// (`Config.LEGACY_HOSTING_KEYS`).
const LEGACY_HOSTING_KEYS: [&str; 7] = [
    "public",
    "rewrites",
    "redirects",
    "headers",
    "ignore",
    "cleanUrls",
    "trailingSlash",
];

/// What happened to `"hosting": "file.json"`.
enum Import {
    /// Not tried (standard input, or [`read`] without file access).
    NotTried,
    /// Read into this file.
    Loaded(FileId),
    /// The file cannot be read: why.
    Unreadable(String),
}

/// Reads one `firebase.json` into the model. A `hosting` given as a file name is not
/// followed (see [`read_importing`]).
pub fn read(file: FileId, sources: &Sources) -> Document {
    read_inner(file, sources, Import::NotTried)
}

/// Reads one `firebase.json`, following `"hosting": "hosting.json"` relative to its folder
/// (the imported file is added to `sources` so findings can point into it).
pub fn read_importing(file: FileId, sources: &mut Sources) -> Document {
    let import = import_target(file, sources)
        .map(|(name, path)| match std::fs::read(&path) {
            Ok(bytes) => {
                let (text, _) = crate::source::decode(bytes);
                let canonical = path.canonicalize().unwrap_or(path);
                let id = match sources.find_path(&canonical) {
                    Some(id) => id,
                    None => sources.add(SourceFile::new(Some(canonical), name, text)),
                };
                Import::Loaded(id)
            }
            Err(e) => Import::Unreadable(crate::discover::io_message(&e)),
        })
        .unwrap_or(Import::NotTried);
    read_inner(file, sources, import)
}

/// The file `"hosting": "x.json"` names, as (display name, path), when the file has a path.
fn import_target(file: FileId, sources: &Sources) -> Option<(String, std::path::PathBuf)> {
    let source = sources.get(file);
    let dir = source.path.as_deref()?.parent()?.to_path_buf();
    let root = json::parse(file, &source.text, json::FIREBASE).ok()??;
    let name = root.field("hosting")?.as_str()?;
    if name.is_empty() {
        return None;
    }
    let display = match source.name.rsplit_once('/') {
        Some((folder, _)) => format!("{folder}/{name}"),
        None => name.to_string(),
    };
    Some((display, dir.join(Path::new(name))))
}

fn read_inner(file: FileId, sources: &Sources, import: Import) -> Document {
    let text: &str = &sources.get(file).text;
    let mut document = Document::default();
    let root = match json::parse(file, text, json::FIREBASE) {
        Err(problem) => {
            document.problems.push(problem);
            return document;
        }
        Ok(None) => {
            document.problems.push(json::syntax(
                file,
                0..text.len(),
                "empty file, expected a JSON object: the Firebase CLI cannot parse an empty \
                 firebase.json"
                    .to_string(),
                Some("Write `{}` for a project without configuration, or run `firebase init`"),
            ));
            return document;
        }
        Ok(Some(root)) => root,
    };
    if !root.is_object() {
        document.problems.push(json::config(
            root.span(file),
            format!(
                "firebase.json must hold a JSON object, found {}: the Firebase CLI rejects it",
                root.type_name()
            ),
            None,
        ));
        return document;
    }
    let mut problems = Vec::new();
    let mut sites = Vec::new();
    match root.get("hosting") {
        Some(member) => match &member.value.value {
            json::Value::Object(_) => {
                let label = labelled("firebase.json hosting", &member.value);
                let mut reader = Reader::new(file, text, &mut problems);
                sites.extend(reader.site(label, &member.value));
            }
            json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let mut reader = Reader::new(file, text, &mut problems);
                    if !item.is_object() {
                        reader.problem(
                            item.span(file),
                            format!(
                                "`hosting[{i}]` must be an object, found {}: the Firebase CLI \
                                 rejects the configuration",
                                item.type_name()
                            ),
                            None,
                        );
                        continue;
                    }
                    let named = ["site", "target"]
                        .iter()
                        .any(|k| item.field(k).and_then(Json::as_str).is_some());
                    if !named {
                        reader.problem(
                            item.span(file),
                            format!(
                                "`hosting[{i}]` has neither `site` nor `target`: the Firebase \
                                 CLI rejects the configuration (\"Must supply either `site` or \
                                 `target` in each `hosting` config.\")"
                            ),
                            Some(
                                "Add `\"site\": \"<site id>\"` or `\"target\": \"<name>\"` (see \
                                 `firebase target:apply`)",
                            ),
                        );
                    }
                    let label = labelled(&format!("firebase.json hosting[{i}]"), item);
                    sites.extend(reader.site(label, item));
                }
            }
            json::Value::String { text: name, .. } => match import {
                Import::Loaded(id) => {
                    let imported = sources.get(id);
                    let label = format!("firebase.json hosting ({})", imported.name);
                    match json::parse(id, &imported.text, json::FIREBASE) {
                        Err(problem) => problems.push(problem),
                        Ok(None) => {}
                        Ok(Some(inner)) => {
                            // `{"hosting": {...}}` in the imported file means its content.
                            let inner = match inner.members() {
                                [only] if only.key == "hosting" => only.value.clone(),
                                _ => inner,
                            };
                            if inner.is_object() {
                                let mut reader = Reader::new(id, &imported.text, &mut problems);
                                sites.extend(reader.site(label, &inner));
                            }
                        }
                    }
                }
                Import::Unreadable(why) => problems.push(json::config(
                    member.value.inner_span(file),
                    format!(
                        "`hosting` imports `{name}`, which cannot be read ({why}): the Firebase \
                         CLI fails to load the configuration"
                    ),
                    None,
                )),
                Import::NotTried => {}
            },
            json::Value::Null => {}
            _ => problems.push(json::config(
                member.value.span(file),
                format!(
                    "`hosting` must be an object or an array of objects, found {}: the Firebase \
                     CLI rejects the configuration",
                    member.value.type_name()
                ),
                None,
            )),
        },
        None => {
            let legacy = root
                .field("public")
                .is_some_and(|p| !matches!(p.value, json::Value::Null | json::Value::Bool(false)))
                && LEGACY_HOSTING_KEYS.iter().any(|k| root.get(k).is_some());
            if legacy {
                let mut reader = Reader::new(file, text, &mut problems);
                sites.extend(
                    reader.site("firebase.json (top-level hosting keys)".to_string(), &root),
                );
            }
        }
    }
    document.problems = problems;
    document.sites = sites;
    document
}

/// `firebase.json hosting[0] (site app)`.
fn labelled(base: &str, item: &Json) -> String {
    for key in ["site", "target"] {
        if let Some(name) = item.field(key).and_then(Json::as_str) {
            return format!("{base} ({key} {name})");
        }
    }
    base.to_string()
}

struct Reader<'t, 'p> {
    file: FileId,
    text: &'t str,
    problems: &'p mut Vec<Problem>,
    scopes: Vec<Scope>,
}

impl<'t, 'p> Reader<'t, 'p> {
    fn new(file: FileId, text: &'t str, problems: &'p mut Vec<Problem>) -> Reader<'t, 'p> {
        Reader {
            file,
            text,
            problems,
            scopes: Vec::new(),
        }
    }

    fn problem(&mut self, span: Span, message: String, help: Option<&str>) {
        self.problems.push(json::config(span, message, help));
    }

    fn span(&self, json: &Json) -> Span {
        json.span(self.file)
    }

    fn inner(&self, json: &Json) -> Span {
        json.inner_span(self.file)
    }

    fn push(&mut self, scope: Scope) -> ScopeId {
        self.scopes.push(scope);
        self.scopes.len() - 1
    }

    fn site(&mut self, label: String, hosting: &Json) -> Option<Site> {
        let redirects = self.list(hosting, "redirects");
        let headers = self.list(hosting, "headers");
        let rewrites = self.list(hosting, "rewrites");
        let mut top = Vec::new();
        for (i, item) in redirects.iter().enumerate() {
            top.extend(self.redirect(i, item));
        }
        for (i, item) in headers.iter().enumerate() {
            top.extend(self.header_rule(i, item));
        }
        let mut rewrite_ids: Vec<ScopeId> = rewrites
            .iter()
            .enumerate()
            .filter_map(|(i, item)| self.rewrite(i, item))
            .collect();
        rewrite_ids.reverse();
        top.extend(rewrite_ids);
        Some(Site {
            platform: Platform::Firebase,
            label,
            span: self.span(hosting),
            scopes: std::mem::take(&mut self.scopes),
            top,
            defaults: SiteDefaults {
                static_headers: Vec::new(),
                headers_on_redirects: false,
                static_other_methods_status: STATIC_OTHER_METHODS_STATUS,
            },
            hosts: Vec::new(),
            listens: Vec::new(),
            merge_slashes: true,
        })
    }

    fn list<'j>(&mut self, hosting: &'j Json, key: &str) -> Vec<&'j Json> {
        let Some(member) = hosting.get(key) else {
            return Vec::new();
        };
        match member.value.as_array() {
            Some(items) => items.iter().collect(),
            None => {
                self.problem(
                    self.span(&member.value),
                    format!(
                        "`{key}` must be an array, found {}: Firebase rejects the configuration",
                        member.value.type_name()
                    ),
                    None,
                );
                Vec::new()
            }
        }
    }

    fn object<'j>(&mut self, path: &str, item: &'j Json) -> Option<&'j Json> {
        if item.is_object() {
            return Some(item);
        }
        self.problem(
            self.span(item),
            format!(
                "`{path}` must be an object, found {}: Firebase rejects the configuration",
                item.type_name()
            ),
            None,
        );
        None
    }

    /// Exactly one of `source` (glob), `glob` or `regex` (RE2).
    fn matcher(&mut self, path: &str, item: &Json) -> Option<PathMatcher> {
        let given: Vec<&Member> = ["source", "glob", "regex"]
            .iter()
            .filter_map(|k| item.get(k))
            .collect();
        let member = match given.as_slice() {
            [] => {
                self.problem(
                    self.span(item),
                    format!(
                        "`{path}` has no `source`, `glob` or `regex`: Firebase rejects the \
                         configuration (each rule needs exactly one)"
                    ),
                    None,
                );
                return None;
            }
            [one] => *one,
            [first, second, ..] => {
                let (a, b) = (first.key.clone(), second.key.clone());
                self.problem(
                    Span::new(self.file, second.key_range.clone()),
                    format!(
                        "`{path}` has both `{a}` and `{b}`: Firebase rejects the configuration \
                         (each rule takes exactly one of `source`, `glob` or `regex`)"
                    ),
                    Some("Keep one pattern per rule; split the rule in two if both are needed"),
                );
                return None;
            }
        };
        let Some(pattern) = member.value.as_str() else {
            self.problem(
                self.span(&member.value),
                format!(
                    "`{path}.{}` must be a string, found {}: Firebase rejects the configuration",
                    member.key,
                    member.value.type_name()
                ),
                None,
            );
            return None;
        };
        let (syntax, compiled) = if member.key == "regex" {
            (PathSyntax::Re2, patterns::firebase_regex(pattern))
        } else {
            (PathSyntax::Glob, patterns::firebase_glob(pattern))
        };
        match compiled {
            Ok(c) => Some(PathMatcher {
                syntax,
                pattern: pattern.to_string(),
                span: self.inner(&member.value),
                regex: Some(c.regex),
                samples: c.samples,
            }),
            Err(err) => {
                let span = match err.offset {
                    Some(offset) => member.value.offset_span(self.file, self.text, offset),
                    None => self.inner(&member.value),
                };
                let what = if member.key == "regex" {
                    "an RE2 regular expression"
                } else {
                    "a glob"
                };
                self.problem(
                    span,
                    format!(
                        "`{path}.{}` is not {what} Firebase accepts ({}): the deploy fails",
                        member.key, err.message
                    ),
                    None,
                );
                None
            }
        }
    }

    fn redirect(&mut self, index: usize, item: &Json) -> Option<ScopeId> {
        let path = format!("redirects[{index}]");
        let item = self.object(&path, item)?;
        let matcher = self.matcher(&path, item);
        let destination = match item.field("destination") {
            Some(d) if d.as_str().is_some() => d.as_str().map(str::to_string),
            Some(d) => {
                self.problem(
                    self.span(d),
                    format!(
                        "`{path}.destination` must be a string, found {}: Firebase rejects the \
                         configuration",
                        d.type_name()
                    ),
                    None,
                );
                None
            }
            None => {
                self.problem(
                    self.span(item),
                    format!("`{path}` has no `destination`: Firebase rejects the configuration"),
                    None,
                );
                None
            }
        };
        // `type` is a number (schema); the Hosting API wants a redirect (3xx) status. The
        // documented values are 301 and 302; other 3xx codes are not claimed to be rejected.
        let status = match item.field("type") {
            None => 301,
            Some(t) => match t.as_integer() {
                Some(code) if (300..=399).contains(&code) => code as u16,
                _ => {
                    self.problem(
                        self.span(t),
                        format!(
                            "`{path}.type` must be a redirect status (301 or 302), found {}: \
                             Firebase rejects the configuration",
                            match &t.value {
                                json::Value::Number(n) => format!("the number {n}"),
                                json::Value::String { text, .. } => format!("the string {text:?}"),
                                _ => t.type_name().to_string(),
                            }
                        ),
                        Some("Use 301 (permanent) or 302 (temporary)"),
                    );
                    301
                }
            },
        };
        let mut matcher = matcher?;
        let destination = destination?;
        if matcher.syntax == PathSyntax::Glob && has_capture(&destination) {
            with_capture_pattern(&mut matcher);
        }
        let span = self.span(item);
        let mut scope = Scope::new(ScopeKind::Redirect, span);
        scope.head = matcher.span;
        scope.matcher = Some(matcher);
        scope.steps.push(Step::Return {
            status,
            location: Some(destination),
            span,
        });
        Some(self.push(scope))
    }

    fn header_rule(&mut self, index: usize, item: &Json) -> Option<ScopeId> {
        let path = format!("headers[{index}]");
        let item = self.object(&path, item)?;
        let matcher = self.matcher(&path, item);
        let ops = match item.field("headers") {
            Some(list) => self.header_ops(&path, list),
            None => {
                self.problem(
                    self.span(item),
                    format!("`{path}` has no `headers` list: Firebase rejects the configuration"),
                    None,
                );
                Vec::new()
            }
        };
        let matcher = matcher?;
        let mut scope = Scope::new(ScopeKind::HeaderRule, self.span(item));
        scope.head = matcher.span;
        scope.matcher = Some(matcher);
        scope.headers = ops.into();
        Some(self.push(scope))
    }

    /// `[{"key": …, "value": …}]`; a repeated key keeps the last value (the deploy turns the
    /// list into a map).
    fn header_ops(&mut self, path: &str, list: &Json) -> Vec<HeaderOp> {
        let Some(entries) = list.as_array() else {
            self.problem(
                self.span(list),
                format!(
                    "`{path}.headers` must be an array of `{{\"key\", \"value\"}}` objects, found \
                     {}: Firebase rejects the configuration",
                    list.type_name()
                ),
                None,
            );
            return Vec::new();
        };
        let mut ops: Vec<HeaderOp> = Vec::new();
        for (j, entry) in entries.iter().enumerate() {
            let entry_path = format!("{path}.headers[{j}]");
            if !entry.is_object() {
                self.problem(
                    self.span(entry),
                    format!(
                        "`{entry_path}` must be an object `{{\"key\": …, \"value\": …}}`, found \
                         {}: Firebase rejects the configuration",
                        entry.type_name()
                    ),
                    None,
                );
                continue;
            }
            let mut fields = Vec::new();
            for key in ["key", "value"] {
                match entry.field(key) {
                    Some(v) if v.as_str().is_some() => fields.push(v),
                    Some(v) => self.problem(
                        self.span(v),
                        format!(
                            "`{entry_path}.{key}` must be a string, found {}: Firebase rejects \
                             the configuration",
                            v.type_name()
                        ),
                        None,
                    ),
                    None => self.problem(
                        self.span(entry),
                        format!(
                            "`{entry_path}` has no `{key}`: Firebase rejects the configuration"
                        ),
                        None,
                    ),
                }
            }
            let [key, value] = fields.as_slice() else {
                continue;
            };
            let name = key.as_str().unwrap_or_default().to_string();
            ops.retain(|op| !op.name.eq_ignore_ascii_case(&name));
            ops.push(HeaderOp {
                name,
                value: HeaderValue::Literal(value.as_str().unwrap_or_default().to_string()),
                action: HeaderAction::Set,
                reach: Reach::Always,
                span: self.span(entry),
                name_span: self.inner(key),
                value_span: self.inner(value),
            });
        }
        ops
    }

    fn rewrite(&mut self, index: usize, item: &Json) -> Option<ScopeId> {
        let path = format!("rewrites[{index}]");
        let item = self.object(&path, item)?;
        if let Some(member) = item.get("headers") {
            self.problem(
                Span::new(self.file, member.key_range.clone()),
                format!(
                    "`headers` is not allowed in a rewrite; Firebase rejects the config \
                     (`{path}` accepts only `source`/`glob`/`regex` and a destination): the \
                     headers written here are never sent"
                ),
                Some(
                    "Move them to a `headers` rule with the same `source` in the top-level \
                     `headers` list",
                ),
            );
        }
        let matcher = self.matcher(&path, item);
        let span = self.span(item);
        let handler = if let Some(d) = item.field("destination") {
            match d.as_str() {
                Some(_) => Handler::Static {
                    other_methods_status: STATIC_OTHER_METHODS_STATUS,
                    span: Some(span),
                },
                None => {
                    self.problem(
                        self.span(d),
                        format!(
                            "`{path}.destination` must be a string, found {}: Firebase rejects \
                             the configuration",
                            d.type_name()
                        ),
                        None,
                    );
                    return None;
                }
            }
        } else if let Some(f) = item.field("function") {
            let name = f
                .as_str()
                .or_else(|| f.field("functionId").and_then(Json::as_str))
                .unwrap_or("?");
            upstream(format!("function `{name}`"), span)
        } else if let Some(run) = item.field("run") {
            let name = run.field("serviceId").and_then(Json::as_str).unwrap_or("?");
            upstream(format!("Cloud Run service `{name}`"), span)
        } else if item.get("dynamicLinks").is_some() {
            upstream("Dynamic Links".to_string(), span)
        } else {
            self.problem(
                span,
                format!(
                    "`{path}` has no `destination`, `function`, `run` or `dynamicLinks`: \
                     Firebase rejects the configuration"
                ),
                None,
            );
            return None;
        };
        let matcher = matcher?;
        let mut scope = Scope::new(ScopeKind::Rewrite, span);
        scope.head = matcher.span;
        scope.matcher = Some(matcher);
        scope.handler = Some(handler);
        Some(self.push(scope))
    }
}

/// Whether a redirect destination uses a capture (`/:name`, superstatic's
/// `destination.match(/(?:^|\/):/)`).
fn has_capture(destination: &str) -> bool {
    destination.starts_with(':') || destination.contains("/:")
}

/// A redirect whose destination uses captures: superstatic (`middleware/redirects.js`) then
/// also compiles the `source` with path-to-regexp 1.x (`pathToRegexp(glob, keys)`: `:name`,
/// `:name*`, `:name+`, `:name?`, a bare `*`; case-insensitive, an optional trailing slash)
/// and redirects when either that or the glob matches. A source with a custom `(…)` group
/// keeps the glob alone (not translated).
fn with_capture_pattern(matcher: &mut PathMatcher) {
    let Some((capture, samples)) = path_to_regexp_v1(&matcher.pattern) else {
        return;
    };
    let Some(glob) = &matcher.regex else { return };
    let Ok(both) = regex::Regex::new(&format!("(?:{})|(?:{capture})", glob.as_str())) else {
        return;
    };
    matcher.regex = Some(crate::model::Regex::new(both));
    for sample in samples {
        if !matcher.samples.contains(&sample) {
            matcher.samples.push(sample);
        }
    }
}

/// path-to-regexp 1.x with its default options (`sensitive: false`, `strict: false`, `end:
/// true`, delimiter `/`) as a Rust regex, with sample paths; None for custom groups.
fn path_to_regexp_v1(source: &str) -> Option<(String, Vec<String>)> {
    // superstatic passes the glob through `glob-slasher` first: a leading `/`.
    let source = if source.starts_with('/') {
        source.to_string()
    } else {
        format!("/{source}")
    };
    let chars: Vec<char> = source.chars().collect();
    let mut route = String::new();
    let (mut short, mut long) = (String::new(), String::new());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '(' || c == ')' {
            return None;
        }
        if c == '\\' {
            let next = *chars.get(i + 1)?;
            route.push_str(&regex::escape(&next.to_string()));
            short.push(next);
            long.push(next);
            i += 2;
            continue;
        }
        // An optional prefix (`/` or `.`) before a parameter or a bare `*`.
        let (prefix, at) = match (c, chars.get(i + 1)) {
            ('/' | '.', Some(':' | '*')) => (Some(c), i + 1),
            _ => (None, i),
        };
        let token = match chars.get(at) {
            Some(':') => {
                let name_len = chars[at + 1..]
                    .iter()
                    .take_while(|c| c.is_alphanumeric() || **c == '_')
                    .count();
                (name_len > 0).then(|| {
                    let end = at + 1 + name_len;
                    let modifier = chars.get(end).copied().filter(|m| "*+?".contains(*m));
                    ("[^/]+?", modifier, end + usize::from(modifier.is_some()))
                })
            }
            Some('*') => Some((".*", None, at + 1)),
            _ => None,
        };
        let Some((pattern, modifier, end)) = token else {
            route.push_str(&regex::escape(&c.to_string()));
            short.push(c);
            long.push(c);
            i += 1;
            continue;
        };
        let written = prefix.map(String::from).unwrap_or_default();
        let prefix = prefix
            .map(|p| regex::escape(&p.to_string()))
            .unwrap_or_default();
        let mut capture = format!("(?:{pattern})");
        if matches!(modifier, Some('+' | '*')) {
            capture = format!("{capture}(?:{prefix}{capture})*");
        }
        if matches!(modifier, Some('?' | '*')) {
            route.push_str(&format!("(?:{prefix}({capture}))?"));
        } else {
            route.push_str(&format!("{prefix}({capture})"));
            short.push_str(&format!("{written}x"));
        }
        long.push_str(&format!("{written}x"));
        i = end;
    }
    let route = route.strip_suffix(&regex::escape("/")).unwrap_or(&route);
    let regex = format!("(?i)^{route}/?$");
    regex::Regex::new(&regex).ok()?;
    let short = if short.is_empty() { "/".into() } else { short };
    Some((regex, vec![long, short]))
}

/// A function / Cloud Run / Dynamic Links rewrite: hosting headers are applied to its
/// responses (emulator behaviour; production unverified).
fn upstream(target: String, span: Span) -> Handler {
    Handler::Upstream {
        target,
        hides: Vec::new(),
        headers_applied: true,
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProblemKind;

    fn read_text(text: &str) -> (Document, Sources) {
        let mut sources = Sources::default();
        let id = sources.add(SourceFile::new(None, "firebase.json".into(), text.into()));
        let doc = read(id, &sources);
        (doc, sources)
    }

    fn kinds(site: &Site) -> Vec<ScopeKind> {
        site.top.iter().map(|&id| site.scope(id).kind).collect()
    }

    #[test]
    fn one_site_per_hosting_entry_with_labels() {
        let (doc, _) = read_text(
            r#"{"hosting": [
              {"site": "main", "public": "a"},
              {"target": "docs", "public": "b"}
            ]}"#,
        );
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        let labels: Vec<&str> = doc.sites.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            vec![
                "firebase.json hosting[0] (site main)",
                "firebase.json hosting[1] (target docs)"
            ]
        );
        let (doc, _) = read_text(r#"{"hosting": {"public": "a"}}"#);
        assert_eq!(doc.sites[0].label, "firebase.json hosting");
        assert_eq!(doc.sites[0].platform, Platform::Firebase);
        assert_eq!(doc.sites[0].defaults.static_other_methods_status, 200);
        assert!(!doc.sites[0].defaults.headers_on_redirects);
    }

    #[test]
    fn order_is_redirects_headers_then_rewrites_reversed() {
        let (doc, _) = read_text(
            r#"{"hosting": {
              "rewrites": [
                {"source": "/api/**", "function": "api"},
                {"source": "**", "destination": "/index.html"}
              ],
              "headers": [{"source": "**", "headers": [{"key": "X", "value": "1"}]}],
              "redirects": [{"source": "/old", "destination": "/new", "type": 302}],
              "trailingSlash": true, "cleanUrls": true
            }}"#,
        );
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        let site = &doc.sites[0];
        assert_eq!(
            kinds(site),
            vec![
                ScopeKind::Redirect,
                ScopeKind::HeaderRule,
                ScopeKind::Rewrite,
                ScopeKind::Rewrite
            ]
        );
        assert!(matches!(
            site.scope(site.top[0]).steps[0],
            Step::Return { status: 302, .. }
        ));
        assert!(matches!(
            site.scope(site.top[2]).handler,
            Some(Handler::Static {
                other_methods_status: 200,
                ..
            })
        ));
        assert!(matches!(
            site.scope(site.top[3]).handler,
            Some(Handler::Upstream { headers_applied: true, ref target, .. }) if target.contains("api")
        ));
    }

    #[test]
    fn redirect_with_captures_also_matches_as_path_to_regexp() {
        let (doc, _) = read_text(
            r#"{"hosting": {"redirects": [
              {"source": "/api/:rest*", "destination": "/v2/:rest*"},
              {"source": "/blog/:slug", "destination": "/posts/:slug"},
              {"source": "/api/:rest*", "destination": "/elsewhere"}
            ]}}"#,
        );
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        let m = |i: usize| doc.sites[0].scope(i).matcher.clone().unwrap();
        for path in ["/api", "/api/", "/api/items.json", "/API/a/b"] {
            assert!(m(0).matches(path), "{path}");
        }
        assert!(!m(0).matches("/apix"));
        assert!(m(1).matches("/blog/first") && m(1).matches("/blog/first/"));
        assert!(!m(1).matches("/blog/a/b"));
        // No capture in the destination: the glob alone, where `:rest*` is literal text.
        assert!(!m(2).matches("/api/items.json"));
        assert!(m(0).samples.iter().any(|s| s == "/api/x"));
    }

    #[test]
    fn default_redirect_type_is_301_and_regex_is_re2() {
        let (doc, _) = read_text(
            r#"{"hosting": {"redirects": [{"regex": "^/blog/(\\d+)$", "destination": "/p/:1"}]}}"#,
        );
        let scope = doc.sites[0].scope(0);
        assert!(matches!(scope.steps[0], Step::Return { status: 301, .. }));
        let m = scope.matcher.as_ref().unwrap();
        assert_eq!(m.syntax, PathSyntax::Re2);
        assert!(m.matches("/blog/12"));
    }

    #[test]
    fn header_values_point_inside_quotes_and_repeated_keys_keep_the_last() {
        let text = r#"{"hosting": {"headers": [{"source": "/api/**", "headers": [
            {"key": "Access-Control-Allow-Origin", "value": "https://a.example"},
            {"key": "access-control-allow-origin", "value": "*"}]}]}}"#;
        let (doc, sources) = read_text(text);
        let ops = &doc.sites[0].scope(0).headers;
        assert_eq!(ops.len(), 1);
        assert_eq!(sources.get(FileId(0)).slice(ops[0].value_span), "*");
        let m = doc.sites[0].scope(0).matcher.as_ref().unwrap();
        assert_eq!(m.syntax, PathSyntax::Glob);
        assert!(m.matches("/api/users"));
    }

    #[test]
    fn legacy_top_level_keys_are_the_hosting_config() {
        let (doc, _) = read_text(
            r#"{"firebase": "x", "public": "app",
               "headers": [{"source": "**", "headers": [{"key": "A", "value": "b"}]}]}"#,
        );
        assert_eq!(doc.sites.len(), 1);
        assert_eq!(doc.sites[0].label, "firebase.json (top-level hosting keys)");
        // `public: null` (the old template) is no hosting configuration.
        let (doc, _) = read_text(r#"{"firebase": null, "public": null, "ignore": []}"#);
        assert!(doc.sites.is_empty() && doc.problems.is_empty());
    }

    #[test]
    fn shapes_firebase_rejects() {
        for (text, needle) in [
            (
                r#"{"hosting": [{"public": "a"}]}"#,
                "neither `site` nor `target`",
            ),
            (
                r#"{"hosting": {"headers": [{"headers": []}]}}"#,
                "no `source`, `glob` or `regex`",
            ),
            (
                r#"{"hosting": {"headers": [{"source": "/a", "glob": "/b", "headers": []}]}}"#,
                "has both",
            ),
            (
                r#"{"hosting": {"rewrites": [{"source": "/a", "destination": "/b", "headers": []}]}}"#,
                "`headers` is not allowed in a rewrite",
            ),
            (
                r#"{"hosting": {"redirects": [{"source": "/a", "destination": "/b", "type": "301"}]}}"#,
                "redirect status",
            ),
            (
                r#"{"hosting": {"headers": [{"source": "/a", "headers": [{"key": "X", "value": 1}]}]}}"#,
                "must be a string",
            ),
            (
                r#"{"hosting": {"rewrites": [{"source": "/a"}]}}"#,
                "no `destination`",
            ),
            (r#"{"hosting": 3}"#, "object or an array"),
            (r#"[1]"#, "must hold a JSON object"),
        ] {
            let (doc, _) = read_text(text);
            assert!(
                doc.problems.iter().any(|p| p.message.contains(needle)),
                "{text}: {:?}",
                doc.problems
            );
            assert!(doc.problems.iter().all(|p| p.kind == ProblemKind::Config));
        }
    }

    #[test]
    fn empty_file_and_empty_object() {
        let (doc, _) = read_text("");
        assert_eq!(doc.problems.len(), 1);
        assert_eq!(doc.problems[0].kind, ProblemKind::Syntax);
        assert!(
            doc.problems[0]
                .message
                .contains("empty file, expected a JSON object")
        );
        let (doc, _) = read_text("{}");
        assert!(doc.problems.is_empty() && doc.sites.is_empty());
    }

    #[test]
    fn hosting_imported_from_another_file() {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("firebase.json");
        std::fs::write(&main, r#"{"hosting": "hosting.json"}"#).unwrap();
        std::fs::write(
            dir.path().join("hosting.json"),
            "{\n  // comment\n  \"hosting\": {\"headers\": [{\"source\": \"**\", \"headers\": [{\"key\": \"A\", \"value\": \"b\"}]}]}\n}",
        )
        .unwrap();
        let mut sources = Sources::default();
        let text = std::fs::read_to_string(&main).unwrap();
        let id = sources.add(SourceFile::new(
            Some(main.clone()),
            "firebase.json".into(),
            text,
        ));
        let doc = read_importing(id, &mut sources);
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        assert_eq!(doc.sites.len(), 1);
        assert_eq!(doc.sites[0].label, "firebase.json hosting (hosting.json)");
        let op = &doc.sites[0].scope(0).headers[0];
        assert_ne!(op.span.file, id);
        assert_eq!(sources.get(op.span.file).slice(op.value_span), "b");

        std::fs::write(&main, r#"{"hosting": "missing.json"}"#).unwrap();
        let text = std::fs::read_to_string(&main).unwrap();
        let mut sources = Sources::default();
        let id = sources.add(SourceFile::new(Some(main), "firebase.json".into(), text));
        let doc = read_importing(id, &mut sources);
        assert_eq!(doc.problems.len(), 1, "{:?}", doc.problems);
        assert!(doc.problems[0].message.contains("missing.json"));
    }

    #[test]
    fn never_panics_on_mutated_input() {
        let seeds = [
            r#"{"hosting": [{"target": "a", "redirects": [{"source": "/api/v1/**", "destination": "/x", "type": 301}],
              "headers": [{"source": "**/*.@(js|css)", "headers": [{"key": "Access-Control-Allow-Origin", "value": "*"}]},
                          {"regex": "^/api/(\\d+)$", "headers": [{"key": "Access-Control-Allow-Credentials", "value": "true"}]}],
              "rewrites": [{"source": "/api/**", "function": {"functionId": "api"}}, {"glob": "**", "destination": "/index.html"}]}]}"#,
            "{\n // c\n \"public\": \"app\", \"headers\": [{\"source\": \"/a{,/**}\", \"headers\": []}] /* x */ }",
        ];
        let mut linted = 0;
        crate::formats::vercel::tests::mutations(&seeds, 400, |text| {
            let (doc, sources) = read_text(text);
            let client = crate::settings::Client::default();
            crate::rules::check(&doc, &|_| client.clone(), &sources, &|_| true);
            linted += 1;
        });
        assert_eq!(linted, 400);
    }
}
