//! One concrete request through one [`Site`]: what the platform answers.
//!
//! This is the model's semantics in one place. Rules that are about "what the browser will do"
//! build the requests that matter, resolve them, and run [`crate::cors`] on the answer;
//! `corslint simulate` prints the same thing.

use smallvec::SmallVec;
use std::borrow::Cow;
use std::cell::RefCell;

use crate::model::{
    Combine, Condition, Evaluated, GateKind, Handler, HeaderAction, HeaderOp, PathMatcher,
    PathSyntax, ScopeId, Selection, Site, Step, ValueTest,
};
use crate::source::Span;

/// nginx stops after this many internal rewrite cycles (`rewrite ... last`).
const MAX_REWRITE_CYCLES: usize = 10;

/// One HTTP request as the browser sends it. Its texts are borrowed where they can be: the
/// rules build two requests for every location of every site.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub method: Cow<'a, str>,
    /// The path, starting with `/`, without query.
    pub path: Cow<'a, str>,
    /// Header names are compared case-insensitively.
    pub headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// The status the handler (upstream, function) gives this request when it is reached.
    pub handler_status: u16,
    /// The request carries credentials (cookies, HTTP auth), assumed valid. Preflights never do.
    pub credentials: bool,
}

impl<'a> Request<'a> {
    pub fn new(method: impl Into<Cow<'a, str>>, path: impl Into<Cow<'a, str>>) -> Request<'a> {
        Request {
            method: method.into(),
            path: path.into(),
            // Room for the headers of a preflight.
            headers: Vec::with_capacity(3),
            handler_status: 200,
            credentials: false,
        }
    }

    pub fn with_header(
        mut self,
        name: impl Into<Cow<'a, str>>,
        value: impl Into<Cow<'a, str>>,
    ) -> Request<'a> {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }

    pub fn origin(&self) -> Option<&str> {
        self.header("origin")
    }
}

/// What produced the status of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A fixed answer (`return 204`, a route `status`).
    Fixed { span: Span },
    /// A redirect (nginx `return 301`, `rewrite ... permanent`, a platform redirect rule).
    Redirect { span: Span, location: String },
    /// An access gate refused the request (auth, `deny`, `limit_except`).
    Gate { span: Span, kind: GateKind },
    /// Static files.
    Static { span: Option<Span> },
    /// An upstream (proxy, function): it decides the status and may add headers.
    Upstream { span: Span, target: String },
}

/// A header in the response, with the operation that produced it. It borrows from the
/// [`Site`] it was resolved through: the rules resolve hundreds of requests per site, and
/// copying each operation into each answer was most of their cost.
#[derive(Debug, Clone)]
pub struct SentHeader<'s> {
    pub name: &'s str,
    /// Borrowed from the configuration when it is literal text.
    pub value: Cow<'s, str>,
    /// None for headers the platform adds by itself (Cloudflare's default ACAO).
    pub op: Option<&'s HeaderOp>,
    /// Other operations whose values were joined into this one (Cloudflare append,
    /// nginx repeated `add_header` of one name is kept as separate headers instead).
    pub joined: Vec<&'s HeaderOp>,
}

impl<'s> SentHeader<'s> {
    /// The operations behind this field: its own, then those joined into it.
    pub fn ops(&self) -> impl Iterator<Item = &'s HeaderOp> + '_ {
        self.op.into_iter().chain(self.joined.iter().copied())
    }
}

#[derive(Debug, Clone)]
pub struct Response<'s> {
    pub status: u16,
    pub answer: Answer,
    pub headers: Vec<SentHeader<'s>>,
    /// The scope whose configuration answered (a location, an `if` branch, a rule).
    pub scope: Option<ScopeId>,
    /// Why the answer may differ in reality (an upstream decides, a condition corslint
    /// cannot evaluate). Empty when the answer is fully determined by the configuration.
    pub unknowns: Vec<String>,
    /// Header operations that matched this request but that the platform does not apply to
    /// this answer: an upstream with `headers_applied: false` (Netlify and Cloudflare proxies
    /// and functions), or a redirect or fixed answer where `headers_on_redirects` is false.
    pub withheld: Vec<&'s HeaderOp>,
}

impl<'s> Response<'s> {
    /// All values of a header, in order (the browser joins them with ", ").
    pub fn values(&self, name: &str) -> Vec<&SentHeader<'s>> {
        self.headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .collect()
    }

    pub fn first(&self, name: &str) -> Option<&SentHeader<'s>> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
    }

    /// The header as the Fetch standard's "get" sees it: values joined with ", " (the one
    /// value itself, borrowed, when there is one: the usual case, asked for every probe).
    pub fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        let mut values = self
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name));
        let first = values.next()?;
        let Some(second) = values.next() else {
            return Some(Cow::Borrowed(first.value.as_ref()));
        };
        let mut joined = format!("{}, {}", first.value, second.value);
        for more in values {
            joined.push_str(", ");
            joined.push_str(&more.value);
        }
        Some(Cow::Owned(joined))
    }

    pub fn is_ok_status(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn is_redirect(&self) -> bool {
        matches!(self.answer, Answer::Redirect { .. })
    }

    /// Whether the configuration alone decides the status (no upstream involved).
    pub fn status_is_known(&self) -> bool {
        !matches!(self.answer, Answer::Upstream { .. })
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Resolve as if no redirect fired: "what would this path have carried?"
    pub skip_redirects: bool,
}

/// Resolves one request against one site.
pub fn resolve<'s>(site: &'s Site, request: &Request, options: Options) -> Response<'s> {
    Resolver::new(site).resolve(request, options)
}

/// Resolves many requests against one site, remembering which location the last path
/// asked about selects: selection depends on the path alone, and the rules ask for a path's
/// location, then resolve its preflight and its actual request.
pub struct Resolver<'s> {
    site: &'s Site,
    /// The site's location matchers by level, for nginx location selection.
    locations: nested::Locations<'s>,
    /// The last path looked up and its location. One entry, its text buffer reused: the
    /// rules ask about each path in turn, and a map of every path cost an allocation each.
    last: RefCell<Option<(String, Option<ScopeId>)>>,
}

impl<'s> Resolver<'s> {
    pub fn new(site: &'s Site) -> Resolver<'s> {
        let locations = match site.platform.selection() {
            Selection::Nested => nested::Locations::new(site),
            Selection::AllMatching { .. } => nested::Locations::default(),
        };
        Resolver {
            site,
            locations,
            last: RefCell::new(None),
        }
    }

    pub fn resolve(&self, request: &Request, options: Options) -> Response<'s> {
        match self.site.platform.selection() {
            Selection::Nested => {
                nested::resolve(self.site, request, options, &|path| self.location(path))
            }
            Selection::AllMatching { combine } => {
                matching::resolve(self.site, request, options, combine)
            }
        }
    }

    /// The nginx location a path selects (None: none does, the server answers; always None
    /// on rule-list platforms, which select no location).
    pub fn location(&self, path: &str) -> Option<ScopeId> {
        let mut last = self.last.borrow_mut();
        match &mut *last {
            Some((known, location)) if known == path => *location,
            Some((known, location)) => {
                *location = self.locations.find(path);
                known.clear();
                known.push_str(path);
                *location
            }
            None => {
                let found = self.locations.find(path);
                *last = Some((path.to_string(), found));
                found
            }
        }
    }

    /// Whether the requests that select `location` get the same answer whatever their
    /// path: nothing on their way reads the path (no server-level step, no rewrite or
    /// redirect in the location or its `if` blocks). Always false on rule-list platforms,
    /// where every rule matches paths.
    pub fn path_independent(&self, location: Option<ScopeId>) -> bool {
        if self.site.platform.selection() != Selection::Nested
            || !self.site.scope(0).steps.is_empty()
        {
            return false;
        }
        let Some(location) = location else {
            return true;
        };
        let mut stack = vec![location];
        while let Some(id) = stack.pop() {
            for step in &self.site.scope(id).steps {
                match step {
                    Step::Return { .. } => {}
                    Step::Redirect { .. } | Step::Rewrite { .. } => return false,
                    Step::Branch(branch) => stack.push(*branch),
                }
            }
        }
        true
    }
}

/// Whether a scope's own conditions hold for this request. Unknown conditions are taken as
/// false and noted.
fn conditions_hold(
    conditions: &[Condition],
    request: &Request,
    unknowns: &mut Vec<String>,
) -> bool {
    conditions.iter().all(|c| match c {
        Condition::Method {
            methods, negate, ..
        } => methods.iter().any(|m| m == &request.method) != *negate,
        Condition::MethodRegex { regex, negate, .. } => match regex {
            Some(re) => re.is_match(&request.method) != *negate,
            None => {
                unknowns.push("a method condition uses a regex corslint cannot evaluate".into());
                false
            }
        },
        Condition::Header {
            name, test, negate, ..
        } => {
            let value = request.header(name).filter(|v| !v.is_empty());
            let hit = match (test, value) {
                (_, None) => false,
                (ValueTest::Present, Some(_)) => true,
                (ValueTest::Equals(want), Some(v)) => v == want,
                (ValueTest::Regex(Some(re)), Some(v)) => re.is_match(v),
                (ValueTest::Regex(None), Some(_)) => {
                    unknowns.push(format!(
                        "a condition on {name} uses a regex corslint cannot evaluate"
                    ));
                    false
                }
            };
            hit != *negate
        }
        Condition::Unknown { text, .. } => {
            unknowns.push(format!("the condition `{text}` is assumed false"));
            false
        }
    })
}

/// Applies the operations that reach `status` for this request, nginx style: each operation
/// adds a field line (an empty value adds nothing).
fn sent_headers<'s>(
    ops: &'s [HeaderOp],
    status: u16,
    request: &Request,
    out: &mut Vec<SentHeader<'s>>,
) {
    let origin = request.origin();
    for op in ops {
        if !op.reach.reaches(status) {
            continue;
        }
        match op.action {
            HeaderAction::Remove => out.retain(|h| !h.name.eq_ignore_ascii_case(&op.name)),
            HeaderAction::Set | HeaderAction::Append => {
                let value = match op.value.evaluate(origin) {
                    Evaluated::Text(t) => t,
                    Evaluated::Unknown => Cow::Owned(format!("<{}>", dynamic_label(op))),
                };
                if value.is_empty() {
                    continue;
                }
                if op.action == HeaderAction::Set {
                    out.retain(|h| !h.name.eq_ignore_ascii_case(&op.name));
                }
                out.push(SentHeader {
                    name: &op.name,
                    value,
                    op: Some(op),
                    joined: Vec::new(),
                });
            }
        }
    }
}

fn dynamic_label(op: &HeaderOp) -> String {
    match &op.value {
        crate::model::HeaderValue::Dynamic(expr) => expr.clone(),
        _ => "runtime value".to_string(),
    }
}

/// `$1`..`$9` substitution for nginx rewrites and redirect targets.
fn substitute(re: &crate::model::Regex, path: &str, replacement: &str) -> String {
    let Some(caps) = re.groups(path) else {
        return replacement.to_string();
    };
    let mut out = String::with_capacity(replacement.len() + path.len());
    let bytes = replacement.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && i + 1 < bytes.len() && bytes[i + 1].is_ascii_digit() {
            let n = (bytes[i + 1] - b'0') as usize;
            if let Some(Some(group)) = caps.get(n) {
                out.push_str(group);
            }
            i += 2;
            continue;
        }
        let ch = replacement[i..].chars().next().unwrap_or('\u{fffd}');
        out.push(ch);
        i += ch.len_utf8().max(1);
    }
    out
}

mod nested {
    //! nginx: server steps, location selection, location steps, gates, handler.
    use super::*;

    enum Flow {
        Answered(u16, Answer, ScopeId),
        Reselect,
        Continue(ScopeId),
    }

    pub(super) fn resolve<'s>(
        site: &'s Site,
        request: &Request,
        options: Options,
        locate: &dyn Fn(&str) -> Option<ScopeId>,
    ) -> Response<'s> {
        let mut unknowns = Vec::new();
        let mut path = request.path.clone();
        let root: ScopeId = 0;

        // Server-level rewrite phase, before any location is chosen. A server-level `if`
        // without an answer does not matter: location selection replaces its configuration.
        if let Flow::Answered(status, answer, scope) =
            run_steps(site, root, request, &mut path, options, &mut unknowns)
        {
            return finish(site, request, status, answer, scope, unknowns);
        }

        let mut cycles = 0;
        let active = loop {
            let Some(location) = locate(&path) else {
                break root;
            };
            match run_steps(site, location, request, &mut path, options, &mut unknowns) {
                Flow::Answered(status, answer, scope) => {
                    return finish(site, request, status, answer, scope, unknowns);
                }
                Flow::Continue(scope) => break scope,
                Flow::Reselect => {
                    cycles += 1;
                    if cycles > MAX_REWRITE_CYCLES {
                        // nginx: "rewrite or internal redirection cycle", answered with 500.
                        let answer = Answer::Fixed {
                            span: site.scope(location).span,
                        };
                        return finish(site, request, 500, answer, location, unknowns);
                    }
                }
            }
        };

        // Access phase.
        for gate in &site.scope(active).gates {
            if let Some(status) = gate.kind.refusal(&request.method, request.credentials) {
                let answer = Answer::Gate {
                    span: gate.span,
                    kind: gate.kind.clone(),
                };
                if gate.kind == GateKind::AuthSubrequest {
                    unknowns.push("an auth subrequest decides the status".into());
                }
                return finish(site, request, status, answer, active, unknowns);
            }
        }

        // Content phase.
        let (status, answer) = handler_answer(site, active, request);
        if let Answer::Upstream { target, .. } = &answer {
            unknowns.push(format!(
                "the upstream {target} decides the status and may add headers of its own"
            ));
        }
        finish(site, request, status, answer, active, unknowns)
    }

    fn handler_answer(site: &Site, active: ScopeId, request: &Request) -> (u16, Answer) {
        match &site.scope(active).handler {
            Some(Handler::Upstream { target, span, .. }) => (
                request.handler_status,
                Answer::Upstream {
                    span: *span,
                    target: target.clone(),
                },
            ),
            Some(Handler::Static {
                other_methods_status,
                span,
            }) => static_answer(request, *other_methods_status, *span),
            None => static_answer(request, 405, None),
        }
    }

    pub(super) fn static_answer(
        request: &Request,
        other_methods: u16,
        span: Option<Span>,
    ) -> (u16, Answer) {
        let status = if matches!(request.method.as_ref(), "GET" | "HEAD") {
            request.handler_status
        } else {
            other_methods
        };
        (status, Answer::Static { span })
    }

    fn finish<'s>(
        site: &'s Site,
        request: &Request,
        status: u16,
        answer: Answer,
        scope: ScopeId,
        unknowns: Vec<String>,
    ) -> Response<'s> {
        let ops = &site.scope(scope).headers;
        // Each operation sends at most one field: room for all of them, allocated once.
        let mut headers = Vec::with_capacity(ops.len());
        sent_headers(ops, status, request, &mut headers);
        Response {
            status,
            answer,
            headers,
            scope: Some(scope),
            unknowns,
            withheld: Vec::new(),
        }
    }

    /// Runs a scope's rewrite-phase steps; `if` branches switch the active scope.
    fn run_steps(
        site: &Site,
        scope: ScopeId,
        request: &Request,
        path: &mut Cow<'_, str>,
        options: Options,
        unknowns: &mut Vec<String>,
    ) -> Flow {
        let mut active = scope;
        if site.scope(scope).steps.is_empty() {
            // Most locations have no rewrite-phase steps.
            return Flow::Continue(active);
        }
        // An `if` body is a list of steps too; a stack avoids recursion.
        let mut stack: Vec<(ScopeId, usize)> = vec![(scope, 0)];
        while let Some((current, index)) = stack.pop() {
            let steps = &site.scope(current).steps;
            let Some(step) = steps.get(index) else {
                continue;
            };
            stack.push((current, index + 1));
            match step {
                Step::Return {
                    status,
                    location,
                    span,
                } => {
                    if let Some(location) = location
                        && (300..400).contains(status)
                    {
                        if options.skip_redirects {
                            continue;
                        }
                        let answer = Answer::Redirect {
                            span: *span,
                            location: location.clone(),
                        };
                        return Flow::Answered(*status, answer, active);
                    }
                    return Flow::Answered(*status, Answer::Fixed { span: *span }, active);
                }
                Step::Redirect {
                    regex,
                    replacement,
                    status,
                    span,
                    ..
                } => {
                    let Some(re) = regex else {
                        unknowns.push("a rewrite uses a regex corslint cannot evaluate".into());
                        continue;
                    };
                    if re.is_match(path) && !options.skip_redirects {
                        let location = substitute(re, path, replacement);
                        let answer = Answer::Redirect {
                            span: *span,
                            location,
                        };
                        return Flow::Answered(*status, answer, active);
                    }
                }
                Step::Rewrite {
                    regex,
                    replacement,
                    reselect,
                    ..
                } => {
                    let Some(re) = regex else {
                        unknowns.push("a rewrite uses a regex corslint cannot evaluate".into());
                        continue;
                    };
                    if re.is_match(path) {
                        let new_path = substitute(re, path, replacement);
                        *path = Cow::Owned(new_path.split('?').next().unwrap_or("").to_string());
                        if *reselect {
                            return Flow::Reselect;
                        }
                        // `break`: stop the rewrite phase here.
                        return Flow::Continue(active);
                    }
                }
                Step::Branch(branch) => {
                    if conditions_hold(&site.scope(*branch).conditions, request, unknowns) {
                        active = *branch;
                        stack.push((*branch, 0));
                    }
                }
            }
        }
        Flow::Continue(active)
    }

    /// One location's matcher, as location selection reads it.
    #[derive(Clone, Copy)]
    struct Entry<'s> {
        id: ScopeId,
        syntax: PathSyntax,
        pattern: &'s str,
        matcher: &'s PathMatcher,
        /// The level of its nested locations, when it has some.
        nested: Option<usize>,
    }

    /// A site's location matchers, level by level (the server's, then each location's
    /// nested ones), side by side in file order: selection scans a level for every path
    /// the rules ask about, and reading each matcher through its scope cost most of it.
    #[derive(Default)]
    pub(super) struct Locations<'s> {
        levels: Vec<Vec<Entry<'s>>>,
    }

    impl<'s> Locations<'s> {
        pub(super) fn new(site: &'s Site) -> Locations<'s> {
            let mut levels: Vec<Vec<Entry<'s>>> = Vec::new();
            // Levels still to fill: (their index, their scopes).
            let mut todo: Vec<(usize, &'s [ScopeId])> = vec![(0, &site.top)];
            levels.push(Vec::new());
            while let Some((index, ids)) = todo.pop() {
                let mut entries = Vec::with_capacity(ids.len());
                for &id in ids {
                    let scope = site.scope(id);
                    let Some(matcher) = &scope.matcher else {
                        continue;
                    };
                    let nested = (!scope.children.is_empty()).then(|| {
                        levels.push(Vec::new());
                        todo.push((levels.len() - 1, &scope.children));
                        levels.len() - 1
                    });
                    entries.push(Entry {
                        id,
                        syntax: matcher.syntax,
                        pattern: &matcher.pattern,
                        matcher,
                        nested,
                    });
                }
                levels[index] = entries;
            }
            Locations { levels }
        }

        /// nginx location selection (ngx_http_core_find_location): exact match; else the
        /// longest prefix, then its nested locations; then, unless that prefix is `^~`, the
        /// regex locations of this level in order (a match continues into its nested
        /// locations).
        pub(super) fn find(&self, path: &str) -> Option<ScopeId> {
            if self.levels.is_empty() {
                return None;
            }
            self.find_from(0, path)
        }

        fn find_from(&self, level: usize, path: &str) -> Option<ScopeId> {
            use crate::model::PathSyntax::*;
            let mut current = level;
            let mut best: Option<ScopeId> = None;
            // Levels visited, to check their regexes from the innermost outwards (rarely
            // more than a few: kept on the stack).
            let mut visited: SmallVec<[(usize, bool); 4]> = SmallVec::new();
            loop {
                let mut longest: Option<&Entry> = None;
                for entry in &self.levels[current] {
                    match entry.syntax {
                        Exact if entry.pattern == path => return Some(entry.id),
                        Prefix | PrefixNoRegex
                            if path.starts_with(entry.pattern)
                                && longest
                                    .is_none_or(|l| entry.pattern.len() > l.pattern.len()) =>
                        {
                            longest = Some(entry);
                        }
                        _ => {}
                    }
                }
                let Some(entry) = longest else {
                    visited.push((current, false));
                    break;
                };
                visited.push((current, entry.syntax == PrefixNoRegex));
                best = Some(entry.id);
                match entry.nested {
                    Some(nested) => current = nested,
                    None => break,
                }
            }
            for &(level, noregex) in visited.iter().rev() {
                if noregex {
                    continue;
                }
                for entry in &self.levels[level] {
                    if matches!(entry.syntax, Regex { .. }) && entry.matcher.matches(path) {
                        let inner = entry.nested.and_then(|n| self.find_from(n, path));
                        return inner.or(Some(entry.id));
                    }
                }
            }
            best
        }
    }
}

mod matching {
    //! Platform rule lists: first redirect answers; every matching header rule applies.
    use super::*;

    pub(super) fn resolve<'s>(
        site: &'s Site,
        request: &Request,
        options: Options,
        combine: Combine,
    ) -> Response<'s> {
        let mut unknowns = Vec::new();
        let mut answer: Option<(u16, Answer, ScopeId)> = None;
        let mut handler: Option<(&Handler, ScopeId)> = None;
        let mut ops: Vec<&'s HeaderOp> = Vec::new();
        let mut last_scope = None;

        for &id in &site.top {
            let scope = site.scope(id);
            if let Some(m) = &scope.matcher
                && !m.matches(&request.path)
            {
                continue;
            }
            if !conditions_hold(&scope.conditions, request, &mut unknowns) {
                continue;
            }
            if answer.is_none() {
                for step in &scope.steps {
                    if let Step::Return {
                        status,
                        location,
                        span,
                    } = step
                    {
                        let is_redirect = location.is_some() && (300..400).contains(status);
                        if is_redirect && options.skip_redirects {
                            continue;
                        }
                        let a = match location {
                            Some(l) if is_redirect => Answer::Redirect {
                                span: *span,
                                location: l.clone(),
                            },
                            _ => Answer::Fixed { span: *span },
                        };
                        answer = Some((*status, a, id));
                        break;
                    }
                }
            }
            if answer.is_some() {
                // Routing ends at the first answer: later rules do not apply.
                if !scope.headers.is_empty() && answer.as_ref().is_some_and(|a| a.2 == id) {
                    ops.extend(scope.headers.iter());
                }
                break;
            }
            ops.extend(scope.headers.iter());
            if let Some(h) = &scope.handler {
                handler = Some((h, id));
            }
            last_scope = Some(id);
        }

        let (status, answer, scope, applied) = match answer {
            Some((status, answer, id)) => (status, answer, Some(id), false),
            None => match handler {
                Some((
                    Handler::Upstream {
                        target,
                        span,
                        headers_applied,
                        ..
                    },
                    id,
                )) => {
                    unknowns.push(format!(
                        "the upstream {target} decides the status and may add headers of its own"
                    ));
                    let a = Answer::Upstream {
                        span: *span,
                        target: target.clone(),
                    };
                    (request.handler_status, a, Some(id), *headers_applied)
                }
                Some((
                    Handler::Static {
                        other_methods_status,
                        span,
                    },
                    id,
                )) => {
                    let (s, a) =
                        super::nested::static_answer(request, *other_methods_status, *span);
                    (s, a, Some(id), true)
                }
                None => {
                    let (s, a) = site_static(site, request);
                    (s, a, last_scope, true)
                }
            },
        };

        let mut headers = Vec::new();
        let mut withheld = Vec::new();
        let headers_on_answer = match &answer {
            Answer::Redirect { .. } | Answer::Fixed { .. } => site.defaults.headers_on_redirects,
            _ => applied,
        };
        if !headers_on_answer {
            withheld = ops
                .iter()
                .filter(|op| op.reach.reaches(status))
                .copied()
                .collect();
        }
        if headers_on_answer {
            combine_ops(&ops, status, request, combine, &mut headers);
            // The platform's own headers go on everything it answers itself: static files
            // and its redirects (Cloudflare's asset server adds `access-control-allow-origin:
            // *` to a `_redirects` 301 too; seen with `wrangler pages dev`).
            if !matches!(answer, Answer::Upstream { .. }) {
                for (name, value) in &site.defaults.static_headers {
                    if !headers.iter().any(|h| h.name.eq_ignore_ascii_case(name)) {
                        headers.push(SentHeader {
                            name,
                            value: Cow::Borrowed(value),
                            op: None,
                            joined: Vec::new(),
                        });
                    }
                }
            }
        }
        Response {
            status,
            answer,
            headers,
            scope,
            unknowns,
            withheld,
        }
    }

    fn site_static(site: &Site, request: &Request) -> (u16, Answer) {
        super::nested::static_answer(request, site.defaults.static_other_methods_status, None)
    }

    fn combine_ops<'s>(
        ops: &[&'s HeaderOp],
        status: u16,
        request: &Request,
        combine: Combine,
        out: &mut Vec<SentHeader<'s>>,
    ) {
        let origin = request.origin();
        for op in ops {
            if !op.reach.reaches(status) {
                continue;
            }
            if op.action == HeaderAction::Remove {
                out.retain(|h| !h.name.eq_ignore_ascii_case(&op.name));
                continue;
            }
            let value = match op.value.evaluate(origin) {
                Evaluated::Text(t) => t,
                Evaluated::Unknown => Cow::Owned(format!("<{}>", dynamic_label(op))),
            };
            if value.is_empty() {
                continue;
            }
            let existing = out
                .iter_mut()
                .find(|h| h.name.eq_ignore_ascii_case(&op.name));
            match (existing, combine) {
                (Some(h), Combine::Append) => {
                    h.value = Cow::Owned(format!("{}, {}", h.value, value));
                    h.joined.push(op);
                }
                // A repeated name inside one rule (Netlify joins it with ", ").
                (Some(h), Combine::LastWins) if op.action == HeaderAction::Append => {
                    h.value = Cow::Owned(format!("{}, {}", h.value, value));
                    h.joined.push(op);
                }
                (Some(h), Combine::LastWins) => {
                    h.value = value;
                    h.op = Some(op);
                    h.joined.clear();
                }
                (None, _) => out.push(SentHeader {
                    name: &op.name,
                    value,
                    op: Some(op),
                    joined: Vec::new(),
                }),
            }
        }
    }
}
