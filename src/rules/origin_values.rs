//! What an `Access-Control-Allow-Origin` value trusts: the walk the four origin-trust rules
//! share (origin-reflection, weak-origin-regex, null-origin, insecure-origin-scheme).
//!
//! Every ACAO operation of a site is taken apart into [`Trust`]s: one per value it can send
//! (a literal, or the request's `Origin` sent back), each with the origin tests ([`Gate`]s)
//! an origin must pass to get it: `map` / `if` arms of a [`HeaderValue::ByOrigin`], and origin
//! conditions of the scope that sends the header (an nginx `if ($http_origin ~ ...)` around
//! `add_header`, a Vercel `has` on `origin`). Rules read provenance, never variable names.

use std::borrow::Cow;

use regex::Regex;

use super::SiteContext;
use crate::finding::Severity;
use crate::model::{Condition, HeaderAction, HeaderOp, HeaderValue, OriginTest, ScopeId, ValueTest, names};
use crate::patterns::{self, OriginRegexVerdict};
use crate::source::Span;

/// One origin test on the way to a value.
#[derive(Debug, Clone)]
pub(super) struct Gate<'a> {
    pub test: GateTest<'a>,
    /// The map entry, the `if`, the `has` condition.
    pub span: Span,
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

    /// Whether the test lets any origin through: `.*`, `^https?://`, `(?<origin>.*)`.
    pub fn admits_any(&self) -> bool {
        match self {
            GateTest::Exact(_) => false,
            GateTest::Regex {
                pattern,
                case_insensitive,
                regex,
                ..
            } => {
                if regex.is_some_and(|re| ARBITRARY.iter().all(|o| re.is_match(o))) {
                    return true;
                }
                match patterns::analyse_origin_regex(pattern, *case_insensitive) {
                    OriginRegexVerdict::Weak(weak) => {
                        weak.iter().any(|w| w.trusted_example.is_empty())
                    }
                    _ => false,
                }
            }
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
    /// The scope the operation belongs to (its first scope in site order).
    pub scope: ScopeId,
    pub leaf: Leaf<'a>,
    /// Outermost first: scope conditions, then map / if arms.
    pub gates: Vec<Gate<'a>>,
    /// The arm that chose this value, when one did (None for a `default` / otherwise value).
    pub arm: Option<Span>,
}

impl Trust<'_> {
    /// Whether nothing restricts which origins get this value.
    pub fn ungated(&self) -> bool {
        self.gates.iter().all(|g| g.test.admits_any())
    }
}

/// Every value every ACAO operation of the site can send.
pub(super) fn trusts<'a>(cx: &SiteContext<'a>) -> Vec<Trust<'a>> {
    let site = cx.site;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (id, scope) in site.scopes.iter().enumerate() {
        for op in &scope.headers {
            if !op.is(names::ALLOW_ORIGIN)
                || op.action == HeaderAction::Remove
                || !seen.insert(op.span)
            {
                continue;
            }
            let gates = scope_gates(cx, id);
            walk(op, id, &op.value, gates, None, &mut out);
        }
    }
    out
}

fn walk<'a>(
    op: &'a HeaderOp,
    scope: ScopeId,
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
                    scope,
                    leaf: Leaf::Literal(text),
                    gates,
                    arm,
                });
            }
        }
        HeaderValue::RequestOrigin { via } => out.push(Trust {
            op,
            scope,
            leaf: Leaf::Reflect { via },
            gates,
            arm,
        }),
        HeaderValue::ByOrigin { arms, otherwise } => {
            for a in arms {
                let mut inner = gates.clone();
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
                });
                walk(op, scope, &a.value, inner, Some(a.span), out);
            }
            walk(op, scope, otherwise, gates, None, out);
        }
        HeaderValue::Dynamic(_) => {}
    }
}

/// Origin tests the scope (and its ancestors) put on every request it answers.
fn scope_gates<'a>(cx: &SiteContext<'a>, scope: ScopeId) -> Vec<Gate<'a>> {
    let mut gates = Vec::new();
    let mut current = Some(scope);
    while let Some(id) = current {
        let s = cx.site.scope(id);
        for condition in &s.conditions {
            let Condition::Header {
                name,
                test,
                negate: false,
                span,
            } = condition
            else {
                continue;
            };
            if !name.eq_ignore_ascii_case("origin") {
                continue;
            }
            let test = match test {
                ValueTest::Present => continue,
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
            gates.push(Gate { test, span: *span });
        }
        current = s.parent;
    }
    gates.reverse();
    gates
}

/// Whether credentials are allowed on the responses this operation reaches: the
/// `Access-Control-Allow-Credentials: true` that makes it so (Some(Some(span))), the
/// client settings (Some(None)), or not (None).
pub(super) fn credentials(cx: &SiteContext, op: &HeaderOp) -> Option<Option<Span>> {
    for scope in &cx.site.scopes {
        if !scope.headers.iter().any(|h| h.span == op.span) {
            continue;
        }
        if let Some(acac) = scope.headers.iter().rev().find(|h| {
            h.is(names::ALLOW_CREDENTIALS) && h.value.literal().is_some_and(|v| v.trim() == "true")
        }) {
            return Some(Some(acac.value_span));
        }
    }
    for probe in cx.probes() {
        for response in [&probe.actual, &probe.preflight] {
            let carries = response.values(names::ALLOW_ORIGIN).iter().any(|h| {
                h.op.as_ref().is_some_and(|o| o.span == op.span)
                    || h.joined.iter().any(|o| o.span == op.span)
            });
            if !carries {
                continue;
            }
            if let Some(acac) = response
                .values(names::ALLOW_CREDENTIALS)
                .into_iter()
                .find(|h| h.value == "true")
            {
                return Some(acac.op.as_ref().map(|o| o.value_span));
            }
        }
    }
    cx.client.credentials.unwrap_or(false).then_some(None)
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
    let GateTest::Regex {
        pattern,
        as_written: true,
        ..
    } = &gate.test
    else {
        return gate.span;
    };
    if pattern.is_empty() {
        return gate.span;
    }
    let text = cx.sources.get(gate.span.file).slice(gate.span);
    let json_escaped = pattern.replace('\\', "\\\\").replace('"', "\\\"");
    for needle in [pattern.as_ref(), json_escaped.as_str()] {
        if let Some(i) = text.find(needle) {
            let start = gate.span.start as usize + i;
            return Span::new(gate.span.file, start..start + needle.len());
        }
    }
    gate.span
}

/// How a gate reads in a message.
pub(super) fn describe(cx: &SiteContext, gate: &Gate) -> String {
    match &gate.test {
        GateTest::Exact(text) => format!("`{text}`"),
        GateTest::Regex {
            pattern,
            as_written: true,
            ..
        } => format!("`{pattern}`"),
        GateTest::Regex { .. } => {
            let text = cx.sources.get(gate.span.file).slice(gate.span);
            format!("`{}`", text.trim())
        }
    }
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
