//! CORS301 missing-always: a CORS header that only reaches successful responses.
//!
//! Reads each header operation's [`Reach`]: nginx `add_header` without `always` reaches only
//! 200, 201, 204, 206, 301, 302, 303, 304, 307 and 308. Not reported when every scope that
//! carries the operation answers with a fixed status it reaches (an OPTIONS branch ending in
//! `return 204`).

use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{HeaderOp, Reach, Scope, Step, names};

pub struct MissingAlways;

static INFO: RuleInfo = RuleInfo {
    code: "CORS301",
    name: "missing-always",
    severity: Severity::Warning,
    summary: "A CORS header sent only on successful responses (nginx `add_header` without `always`)",
    doc: include_str!("../../rules/missing-always.md"),
    security: false,
};

impl Rule for MissingAlways {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for op in cx.unique_ops() {
            let Reach::Only(statuses) = op.reach else {
                continue;
            };
            if !is_cors_header(op) {
                continue;
            }
            let carriers = cx
                .site
                .scopes
                .iter()
                .filter(|s| s.headers.iter().any(|o| o.span == op.span));
            let mut lost = carriers
                .clone()
                .filter(|s| !fixed_answer_reached(s, statuses));
            if lost.next().is_none() {
                continue;
            }
            let value = cx.sources.get(op.value_span.file).slice(op.value_span);
            out.push(
                Finding::new(
                    &INFO,
                    op.name_span.to(op.value_span),
                    format!(
                        "`{}` is added only to 200, 201, 204, 206 and 3xx responses: on a 401, \
                         403, 404, 429 or 500 the browser finds no CORS header and the page sees \
                         an opaque \"CORS error\" instead of the real status",
                        op.name
                    ),
                )
                .label("not sent on error responses")
                .help(format!(
                    "Add the `always` parameter so error responses carry it too: \
                     `add_header {} {} always;`",
                    op.name, value
                )),
            );
        }
    }
}

fn is_cors_header(op: &HeaderOp) -> bool {
    names::is_cors(&op.name)
        || (op.is(names::VARY)
            && op
                .value
                .literal()
                .is_some_and(|v| v.to_ascii_lowercase().contains("origin")))
}

/// Whether the scope always answers with a fixed status that the operation reaches.
fn fixed_answer_reached(scope: &Scope, statuses: &[u16]) -> bool {
    match scope.steps.first() {
        Some(Step::Return { status, .. }) => statuses.contains(status),
        _ => false,
    }
}
