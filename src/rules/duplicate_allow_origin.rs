//! CORS108 duplicate-allow-origin: two `Access-Control-Allow-Origin` values on one response.
//!
//! Three ways to get there:
//! * two operations that both add the header to one response: seen in the probes (two
//!   field lines, or values the platform joined with ", ") and, for nested platforms where a
//!   scope's headers are one response, in every scope (so an `if` branch the probes do not
//!   enter is still seen);
//! * an operation that adds the header in front of an upstream whose own ACAO is not hidden
//!   (nginx `add_header` without `proxy_hide_header Access-Control-Allow-Origin`): a warning,
//!   since corslint cannot see whether the upstream sends one.
//!
//! Reports on the second value, with the first as the other half.

use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{Handler, HeaderAction, HeaderOp, HeaderValue, Reach, Selection, Step, names};
use crate::resolve::Response;

pub struct DuplicateAllowOrigin;

static INFO: RuleInfo = RuleInfo {
    code: "CORS108",
    name: "duplicate-allow-origin",
    severity: Severity::Error,
    summary: "Two `Access-Control-Allow-Origin` values on one response",
    doc: include_str!("../../rules/duplicate-allow-origin.md"),
    security: false,
};

impl Rule for DuplicateAllowOrigin {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for probe in cx.distinct_probes() {
            for response in [&probe.actual, &probe.preflight] {
                check_response(response, out);
            }
        }
        let nested = cx.site.platform.selection() == Selection::Nested;
        for scope in &cx.site.scopes {
            if nested {
                check_scope(&scope.headers, out);
            }
            if answers_before_handler(&scope.steps) {
                continue;
            }
            let Some(Handler::Upstream {
                hides,
                headers_applied: true,
                span: upstream,
                target,
            }) = &scope.handler
            else {
                continue;
            };
            if hides
                .iter()
                .any(|h| h.eq_ignore_ascii_case(names::ALLOW_ORIGIN))
            {
                continue;
            }
            // The first operation decides: a later one is the two-operations case.
            let Some(op) = scope
                .headers
                .iter()
                .find(|op| op.is(names::ALLOW_ORIGIN) && op.action != HeaderAction::Remove)
            else {
                continue;
            };
            if op.action != HeaderAction::Append || !may_send(&op.value) {
                continue;
            }
            out.push(
                Finding::new(
                    &INFO,
                    op.value_span,
                    format!(
                        "`Access-Control-Allow-Origin` is added to the responses of the \
                         upstream {target}, whose own headers pass through unhidden: if the upstream \
                         (a CORS middleware in the application) also sends it, the response \
                         carries two values and the browser blocks it (\"The \
                         'Access-Control-Allow-Origin' header contains multiple values …, but \
                         only one is allowed.\")"
                    ),
                )
                // corslint cannot see whether the upstream sends CORS headers: information,
                // not a verdict (the reference's "offer it as a configurable suppression").
                .severity(Severity::Info)
                .label("a second value if the upstream sends one")
                .secondary(*upstream, "the upstream's own headers pass through")
                .help(
                    "Let one side own CORS: hide the upstream's header \
                     (`proxy_hide_header Access-Control-Allow-Origin;`, and the other CORS \
                     headers it sends), or remove this `add_header` and let the application \
                     answer",
                ),
            );
        }
    }
}

/// A response from the probes with two field lines, or values joined into one.
fn check_response(response: &Response, out: &mut Vec<Finding>) {
    let sent = response.values(names::ALLOW_ORIGIN);
    if let [first, second, ..] = sent.as_slice()
        && let (Some(a), Some(b)) = (&first.op, &second.op)
        && a.span != b.span
    {
        out.push(finding(a, b, &format!("{}, {}", first.value, second.value)));
    }
    for header in sent {
        if let (Some(first), Some(second)) = (&header.op, header.joined.first())
            && first.span != second.span
        {
            out.push(finding(first, second, &header.value));
        }
    }
}

/// Operations of one response (a nested platform's scope) that add a second value.
fn check_scope(headers: &[HeaderOp], out: &mut Vec<Finding>) {
    let mut current: Vec<&HeaderOp> = Vec::new();
    for op in headers.iter().filter(|op| op.is(names::ALLOW_ORIGIN)) {
        match op.action {
            HeaderAction::Remove => current.clear(),
            HeaderAction::Set => current = vec![op],
            HeaderAction::Append => {
                if may_send(&op.value)
                    && let Some(first) = current
                        .iter()
                        .find(|f| may_send(&f.value) && overlap(f.reach, op.reach))
                {
                    let shown = format!(
                        "{}, {}",
                        first.value.literal().unwrap_or("…"),
                        op.value.literal().unwrap_or("…")
                    );
                    out.push(finding(first, op, &shown));
                }
                current.push(op);
            }
        }
    }
}

/// Whether the scope always answers by itself before the handler runs (an nginx
/// `if ($request_method = OPTIONS) { ...; return 204; }` branch): no rewrite can move the
/// request elsewhere before a fixed answer.
fn answers_before_handler(steps: &[Step]) -> bool {
    for step in steps {
        match step {
            Step::Return { .. } => return true,
            Step::Rewrite { .. } | Step::Redirect { .. } => return false,
            Step::Branch(_) => {}
        }
    }
    false
}

/// Whether a value can be non-empty (an empty nginx value sends nothing). Values corslint
/// cannot know are given the benefit of the doubt.
fn may_send(value: &HeaderValue) -> bool {
    match value {
        HeaderValue::Literal(text) => !text.trim().is_empty(),
        HeaderValue::RequestOrigin { .. } => true,
        HeaderValue::ByOrigin { arms, otherwise } => {
            arms.iter().any(|a| may_send(&a.value)) || may_send(otherwise)
        }
        HeaderValue::Dynamic(_) => false,
    }
}

/// Whether two operations reach a common status.
fn overlap(a: Reach, b: Reach) -> bool {
    match (a, b) {
        (Reach::Always, _) | (_, Reach::Always) => true,
        (Reach::Only(x), Reach::Only(y)) => x.iter().any(|s| y.contains(s)),
    }
}

fn finding(first: &HeaderOp, second: &HeaderOp, joined: &str) -> Finding {
    Finding::new(
        &INFO,
        second.value_span,
        format!(
            "a second `Access-Control-Allow-Origin` value on the same response: the browser \
             reads both as one list (`{joined}`) and blocks the response (\"The \
             'Access-Control-Allow-Origin' header contains multiple values '{joined}', but only \
             one is allowed.\")"
        ),
    )
    .label("second value")
    .secondary(first.value_span, "first value")
    .help(
        "Send the header once per response: remove one of the two, or choose the single \
         origin with an allowlist",
    )
}
