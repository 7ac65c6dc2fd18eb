//! What header values send: the walks several rules share.
//!
//! [`literals`] lists the fixed texts an operation can send, each with the token to show.
//!
//! [`Origins`] is what an `Access-Control-Allow-Origin` value trusts, for the four
//! origin-trust rules (origin-reflection, weak-origin-regex, null-origin,
//! insecure-origin-scheme).
//! Every ACAO operation of a site is taken apart into [`Trust`]s: one per value it can send
//! (a literal, or the request's `Origin` sent back), each with the origin tests ([`Gate`]s)
//! an origin must pass to get it: `map` / `if` arms of a [`HeaderValue::ByOrigin`], and origin
//! conditions of the scope that sends the header (an nginx `if ($http_origin ~ ...)` around
//! `add_header`, a Vercel `has` on `origin`). Rules read provenance, never variable names.

use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use crate::model::Regex;

use super::SiteContext;
use crate::finding::Severity;
use crate::model::{
    Condition, HeaderAction, HeaderOp, HeaderValue, OriginTest, ScopeId, Step, ValueTest, names,
};
use crate::patterns::{self, OriginRegexVerdict};
use crate::source::Span;

/// One origin test on the way to a value.
#[derive(Debug, Clone)]
pub(super) struct Gate<'a> {
    pub test: GateTest<'a>,
    /// The map entry, the `if`, the `has` condition.
    pub span: Span,
    /// Whether the test lets any origin through: `.*`, `^https?://`, `(?<origin>.*)`.
    pub any: bool,
}

#[derive(Debug, Clone)]
pub(super) enum GateTest<'a> {
    Exact(&'a str),
    Regex {
        /// The pattern as written where the model keeps it (map keys, `if` + `set`, `has`);
        /// for a scope condition, the compiled form (the model keeps no text for those).
        pattern: Cow<'a, str>,
        case_insensitive: bool,
        regex: Option<&'a Regex>,
        /// Whether `pattern` is the text as written (then it can be found in the source).
        as_written: bool,
    },
}

impl GateTest<'_> {
    /// Whether an origin passes the test; None when the regex could not be compiled.
    pub fn admits(&self, origin: &str) -> Option<bool> {
        match self {
            GateTest::Exact(text) => Some(*text == origin),
            GateTest::Regex { regex, .. } => regex.map(|re| re.is_match(origin)),
        }
    }
}

/// Origins no allowlist means to trust: a pattern admitting them admits every origin.
const ARBITRARY: [&str; 2] = ["https://attacker.invalid", "https://evil.net"];

/// What a value sends when its gates pass.
#[derive(Debug, Clone)]
pub(super) enum Leaf<'a> {
    /// The request's `Origin`, sent back; `via` are the places it flows through.
    Reflect { via: &'a [Span] },
    /// A fixed value (never empty: an empty value sends nothing).
    Literal(&'a str),
}

/// One value an ACAO operation can send, and the tests an origin passes to get it.
#[derive(Debug, Clone)]
pub(super) struct Trust<'a> {
    pub op: &'a HeaderOp,
    pub leaf: Leaf<'a>,
    /// Outermost first: scope conditions, then map / if arms.
    pub gates: Vec<Gate<'a>>,
    /// The arm that chose this value, when one did (None for a `default` / otherwise value).
    pub arm: Option<Span>,
    /// A condition corslint cannot evaluate also stands in the way (it may check the origin).
    pub unknown_condition: bool,
}

impl Trust<'_> {
    /// Whether nothing restricts which origins get this value.
    pub fn ungated(&self) -> bool {
        self.gates.iter().all(|g| g.any)
    }
}

/// What the site's ACAO operations trust, with the facts the origin-trust rules ask about
/// them, each computed once per site (a large configuration repeats one map in many
/// locations).
pub(super) struct Origins<'a> {
    /// Every value every ACAO operation of the site can send.
    pub trusts: Vec<Trust<'a>>,
    /// ACAO operation → the `Access-Control-Allow-Credentials: true` on its responses.
    credentials: FxHashMap<Span, Option<Span>>,
    /// Allowlist entry → credentials on any of the responses whose origin it admits.
    gate_credentials: FxHashMap<Span, Option<Span>>,
    client_credentials: bool,
    verdicts: RefCell<FxHashMap<(String, bool), Rc<OriginRegexVerdict>>>,
}

impl<'a> Origins<'a> {
    pub fn new(cx: &SiteContext<'a>) -> Origins<'a> {
        let mut origins = Origins {
            trusts: Vec::new(),
            credentials: credentials_index(cx),
            gate_credentials: FxHashMap::default(),
            client_credentials: cx.client.credentials.unwrap_or(false),
            verdicts: RefCell::new(FxHashMap::default()),
        };
        let mut seen = FxHashSet::default();
        let mut trusts = Vec::new();
        for (id, scope) in cx.site.scopes.iter().enumerate() {
            for op in scope.headers.iter() {
                if !op.is(names::ALLOW_ORIGIN)
                    || op.action == HeaderAction::Remove
                    || !seen.insert(op.span)
                {
                    continue;
                }
                let (gates, unknown) = scope_gates(cx, id);
                let first = trusts.len();
                walk(op, &op.value, gates, None, &mut trusts);
                for trust in &mut trusts[first..] {
                    trust.unknown_condition = unknown;
                }
            }
        }
        let mut any: FxHashMap<Span, bool> = FxHashMap::default();
        for trust in &mut trusts {
            let acac = origins.credentials.get(&trust.op.span).copied();
            for gate in &mut trust.gates {
                gate.any = *any
                    .entry(gate.span)
                    .or_insert_with(|| origins.admits_any(&gate.test));
                if let Some(acac) = acac {
                    origins.gate_credentials.entry(gate.span).or_insert(acac);
                }
            }
        }
        origins.trusts = trusts;
        origins
    }

    /// Like [`Origins::credentials`], for an allowlist entry: whether any response whose
    /// origin it admits allows credentials.
    pub fn gate_credentials(&self, gate: &Gate) -> Option<Option<Span>> {
        match self.gate_credentials.get(&gate.span) {
            Some(acac) => Some(*acac),
            None => self.client_credentials.then_some(None),
        }
    }

    /// [`patterns::analyse_origin_regex`], once per pattern.
    pub fn verdict(&self, pattern: &str, case_insensitive: bool) -> Rc<OriginRegexVerdict> {
        let key = (pattern.to_string(), case_insensitive);
        if let Some(v) = self.verdicts.borrow().get(&key) {
            return Rc::clone(v);
        }
        let v = Rc::new(patterns::analyse_origin_regex(pattern, case_insensitive));
        self.verdicts.borrow_mut().insert(key, Rc::clone(&v));
        v
    }

    fn admits_any(&self, test: &GateTest) -> bool {
        let GateTest::Regex {
            pattern,
            case_insensitive,
            regex,
            ..
        } = test
        else {
            return false;
        };
        if regex.is_some_and(|re| ARBITRARY.iter().all(|o| re.is_match(o))) {
            return true;
        }
        match &*self.verdict(pattern, *case_insensitive) {
            OriginRegexVerdict::Weak(weak) => weak.iter().any(|w| w.trusted_example.is_empty()),
            _ => false,
        }
    }

    /// Whether credentials are allowed on the responses this operation reaches: the
    /// `Access-Control-Allow-Credentials: true` that makes it so (Some(Some(span))), the
    /// client settings (Some(None)), or not (None).
    pub fn credentials(&self, op: &HeaderOp) -> Option<Option<Span>> {
        match self.credentials.get(&op.span) {
            Some(acac) => Some(*acac),
            None => self.client_credentials.then_some(None),
        }
    }
}

/// ACAO operation → the ACAC `true` on the same response: in a scope's effective headers, or
/// on a response of the probes (platforms that combine several rules).
fn credentials_index(cx: &SiteContext) -> FxHashMap<Span, Option<Span>> {
    let mut index = FxHashMap::default();
    for scope in &cx.site.scopes {
        let Some(acac) = scope.headers.iter().rev().find(|h| {
            h.is(names::ALLOW_CREDENTIALS) && h.value.literal().is_some_and(|v| v.trim() == "true")
        }) else {
            continue;
        };
        for op in scope.headers.iter().filter(|h| h.is(names::ALLOW_ORIGIN)) {
            index.entry(op.span).or_insert(Some(acac.value_span));
        }
    }
    for probe in cx.distinct_probes() {
        for response in [&probe.actual, &probe.preflight] {
            let Some(acac) = response
                .values(names::ALLOW_CREDENTIALS)
                .into_iter()
                .find(|h| h.value == "true")
            else {
                continue;
            };
            let acac = acac.op.as_ref().map(|o| o.value_span);
            for h in response.values(names::ALLOW_ORIGIN) {
                for op in h.ops() {
                    index.entry(op.span).or_insert(acac);
                }
            }
        }
    }
    index
}

fn walk<'a>(
    op: &'a HeaderOp,
    value: &'a HeaderValue,
    gates: Vec<Gate<'a>>,
    arm: Option<Span>,
    out: &mut Vec<Trust<'a>>,
) {
    match value {
        HeaderValue::Literal(text) => {
            if !text.trim().is_empty() {
                out.push(Trust {
                    op,
                    leaf: Leaf::Literal(text),
                    gates,
                    arm,
                    unknown_condition: false,
                });
            }
        }
        HeaderValue::RequestOrigin { via } => out.push(Trust {
            op,
            leaf: Leaf::Reflect { via },
            gates,
            arm,
            unknown_condition: false,
        }),
        HeaderValue::ByOrigin { arms, otherwise } => {
            for a in arms.iter() {
                let mut inner = gates.clone();
                // A Vercel `has` is both a scope condition and this arm: keep the arm, which
                // has the pattern as written.
                inner.retain(|g| g.span != a.span);
                inner.push(Gate {
                    test: match &a.test {
                        OriginTest::Exact(text) => GateTest::Exact(text),
                        OriginTest::Regex {
                            pattern,
                            case_insensitive,
                            regex,
                        } => GateTest::Regex {
                            pattern: Cow::Borrowed(pattern),
                            case_insensitive: *case_insensitive,
                            regex: regex.as_ref(),
                            as_written: true,
                        },
                    },
                    span: a.span,
                    any: false,
                });
                walk(op, &a.value, inner, Some(a.span), out);
            }
            walk(op, otherwise, gates, None, out);
        }
        HeaderValue::Dynamic(_) => {}
    }
}

/// Origin tests the scope (and its ancestors) put on every request it answers: their own
/// conditions (an nginx `if ($http_origin ~ ...)` around `add_header`, a Vercel `has`), and
/// branches that refuse every other origin before the handler (`if ($http_origin !~ ...)
/// { return 403; }`). The flag says a condition corslint cannot evaluate also stands in the
/// way (`if ($allowed)`): it may be an origin check.
fn scope_gates<'a>(cx: &SiteContext<'a>, scope: ScopeId) -> (Vec<Gate<'a>>, bool) {
    let mut gates = Vec::new();
    let mut unknown = false;
    let mut current = Some(scope);
    while let Some(id) = current {
        let s = cx.site.scope(id);
        for condition in &s.conditions {
            match condition {
                Condition::Unknown { .. } => unknown = true,
                Condition::Header {
                    name,
                    test,
                    negate: false,
                    span,
                } => {
                    if let Some(gate) = origin_gate(name, test, *span) {
                        gates.push(gate);
                    }
                }
                _ => {}
            }
        }
        for step in &s.steps {
            let Step::Branch(branch) = step else {
                continue;
            };
            let b = cx.site.scope(*branch);
            let refuses = b.steps.iter().any(
                |st| matches!(st, Step::Return { status, .. } if !(200..300).contains(status)),
            );
            if let (
                [
                    Condition::Header {
                        name,
                        test,
                        negate: true,
                        span,
                    },
                ],
                true,
            ) = (b.conditions.as_slice(), refuses)
                && let Some(gate) = origin_gate(name, test, *span)
            {
                gates.push(gate);
            }
        }
        current = s.parent;
    }
    gates.reverse();
    (gates, unknown)
}

/// The gate a condition on the `Origin` header makes (a test for presence is none).
fn origin_gate<'a>(name: &str, test: &'a ValueTest, span: Span) -> Option<Gate<'a>> {
    if !name.eq_ignore_ascii_case("origin") {
        return None;
    }
    let test = match test {
        ValueTest::Present => return None,
        ValueTest::Equals(text) => GateTest::Exact(text),
        ValueTest::Regex(regex) => GateTest::Regex {
            pattern: Cow::Owned(
                regex
                    .as_ref()
                    .map(|re| re.as_str().to_string())
                    .unwrap_or_default(),
            ),
            case_insensitive: false,
            regex: regex.as_ref(),
            as_written: false,
        },
    };
    Some(Gate {
        test,
        span,
        any: false,
    })
}

/// Error when credentials are allowed on the same responses, else warning.
pub(super) fn severity(credentials: Option<Option<Span>>) -> Severity {
    if credentials.is_some() {
        Severity::Error
    } else {
        Severity::Warning
    }
}

/// The consequence in a message: what an attacker's page gets.
pub(super) fn consequence(credentials: Option<Option<Span>>) -> &'static str {
    match credentials {
        Some(_) => {
            "with credentials allowed, that page reads these responses with the visitor's \
             cookies and session"
        }
        None => {
            "without credentials, that page can still read whatever these responses show to \
             anyone who can reach the server (intranet or IP-restricted data)"
        }
    }
}

/// Adds the credentials half of the problem as a secondary label.
pub(super) fn with_credentials(
    finding: crate::finding::Finding,
    credentials: Option<Option<Span>>,
) -> crate::finding::Finding {
    match credentials {
        Some(Some(span)) => finding.secondary(span, "credentials allowed here"),
        _ => finding,
    }
}

/// The exact token of a gate's pattern inside its span (a map key, the pattern in an `if`,
/// the `value` of a `has`), else the whole gate.
pub(super) fn pattern_span(cx: &SiteContext, gate: &Gate) -> Span {
    let Some(pattern) = shown_pattern(gate) else {
        return gate.span;
    };
    let text = cx.sources.get(gate.span.file).slice(gate.span);
    let json_escaped = pattern.replace('\\', "\\\\").replace('"', "\\\"");
    for needle in [pattern.as_str(), json_escaped.as_str()] {
        if let Some(i) = text.find(needle) {
            let start = gate.span.start as usize + i;
            return Span::new(gate.span.file, start..start + needle.len());
        }
    }
    gate.span
}

/// How a gate reads in a message.
pub(super) fn describe(cx: &SiteContext, gate: &Gate) -> String {
    if let GateTest::Exact(text) = &gate.test {
        return format!("`{text}`");
    }
    let Some(pattern) = shown_pattern(gate) else {
        let text = cx.sources.get(gate.span.file).slice(gate.span).trim();
        return format!("`{text}`");
    };
    if pattern_span(cx, gate) != gate.span {
        return format!("`{pattern}`");
    }
    // A condition on a variable an earlier `if` set from the origin (`if ($cors = "true")`):
    // the regex is written elsewhere.
    let text = cx.sources.get(gate.span.file).slice(gate.span).trim();
    format!("`{pattern}` (tested at `{text}`)")
}

/// A regex gate's pattern as the user wrote it. Scope conditions keep only the compiled
/// regex, whose source spells PCRE's `$` as `(?:\n?\z)`: shown as `$` again.
fn shown_pattern(gate: &Gate) -> Option<String> {
    let GateTest::Regex {
        pattern,
        as_written,
        ..
    } = &gate.test
    else {
        return None;
    };
    if pattern.is_empty() {
        return None;
    }
    Some(if *as_written {
        pattern.to_string()
    } else {
        pattern.replace("(?:\\n?\\z)", "$")
    })
}

/// `localhost`, `127.0.0.1`, `[::1]` and `*.localhost`: development origins.
pub(super) fn is_loopback_origin(origin: &str) -> bool {
    let Some((_, rest)) = origin.split_once("://") else {
        return false;
    };
    let host = match rest.strip_prefix('[') {
        Some(v6) => return v6.starts_with("::1]"),
        None => rest.split([':', '/']).next().unwrap_or(""),
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "127.0.0.1"
        || (host.starts_with("127.") && host.split('.').count() == 4)
}

/// The fixed texts an operation can send (never empty), each with the token to show: the
/// value itself, or inside the map entry / `if` that chooses it.
pub(super) fn literals<'a>(cx: &SiteContext, op: &'a HeaderOp) -> Vec<(&'a str, Span)> {
    let mut out = Vec::new();
    collect_literals(cx, op, &op.value, None, &mut out);
    out
}

fn collect_literals<'a>(
    cx: &SiteContext,
    op: &'a HeaderOp,
    value: &'a HeaderValue,
    arm: Option<Span>,
    out: &mut Vec<(&'a str, Span)>,
) {
    match value {
        HeaderValue::Literal(text) if !text.trim().is_empty() => {
            let span = match arm {
                Some(arm) => narrow(cx, arm, text, true),
                None => op.value_span,
            };
            out.push((text, span));
        }
        HeaderValue::ByOrigin { arms, otherwise } => {
            for a in arms.iter() {
                collect_literals(cx, op, &a.value, Some(a.span), out);
            }
            collect_literals(cx, op, otherwise, None, out);
        }
        _ => {}
    }
}

/// Where `needle` is written inside `span` (its last occurrence when `last`: a map entry's
/// value comes after its key), else the whole span.
pub(super) fn narrow(cx: &SiteContext, span: Span, needle: &str, last: bool) -> Span {
    if needle.is_empty() {
        return span;
    }
    let text = cx.sources.get(span.file).slice(span);
    let found = if last {
        text.rfind(needle)
    } else {
        text.find(needle)
    };
    match found {
        Some(i) => {
            let start = span.start as usize + i;
            Span::new(span.file, start..start + needle.len())
        }
        None => span,
    }
}
