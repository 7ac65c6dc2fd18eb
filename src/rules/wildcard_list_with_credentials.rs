//! CORS109 wildcard-list-with-credentials: `*` in `Access-Control-Allow-Headers`,
//! `-Allow-Methods` or `-Expose-Headers` on a response that allows credentials, where `*` is
//! the literal name `*` and no wildcard.
//!
//! Looks at the probes' responses (credentialed: `Access-Control-Allow-Credentials: true`, or
//! `[client] credentials = true`) and, for nested platforms where a scope's headers are one
//! response, at every scope (an `if` branch the probes do not enter). Reports on the list
//! value, with the credentials header as the other half.

use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{HeaderAction, HeaderOp, Selection, names};
use crate::source::Span;

pub struct WildcardListWithCredentials;

static INFO: RuleInfo = RuleInfo {
    code: "CORS109",
    name: "wildcard-list-with-credentials",
    severity: Severity::Error,
    summary: "`*` in Allow-Headers / Allow-Methods / Expose-Headers on a credentialed response",
    doc: include_str!("../../rules/wildcard-list-with-credentials.md"),
    security: false,
};

const LISTS: [&str; 3] = [
    names::ALLOW_HEADERS,
    names::ALLOW_METHODS,
    names::EXPOSE_HEADERS,
];

impl Rule for WildcardListWithCredentials {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for probe in cx.distinct_probes() {
            for response in [&probe.actual, &probe.preflight] {
                if !cx.credentialed(response) {
                    continue;
                }
                let credentials = response
                    .values(names::ALLOW_CREDENTIALS)
                    .into_iter()
                    .find(|h| h.value == "true")
                    .and_then(|h| h.op.as_ref())
                    .map(|op| op.value_span);
                for name in LISTS {
                    for header in response.values(name) {
                        for op in header.ops() {
                            if has_star(op) {
                                out.push(finding(op, credentials));
                            }
                        }
                    }
                }
            }
        }
        if cx.site.platform.selection() != Selection::Nested {
            return;
        }
        let client = cx.client.credentials.unwrap_or(false);
        for scope in &cx.site.scopes {
            let credentials = scope
                .headers
                .iter()
                .rev()
                .find(|op| {
                    op.is(names::ALLOW_CREDENTIALS)
                        && op.value.literal().is_some_and(|v| v.trim() == "true")
                })
                .map(|op| op.value_span);
            if credentials.is_none() && !client {
                continue;
            }
            for op in scope.headers.iter() {
                if op.action != HeaderAction::Remove
                    && LISTS.iter().any(|n| op.is(n))
                    && has_star(op)
                {
                    out.push(finding(op, credentials));
                }
            }
        }
    }
}

/// Whether a literal list value has a `*` element.
fn has_star(op: &HeaderOp) -> bool {
    op.value
        .literal()
        .is_some_and(|v| v.split(',').any(|e| e.trim_matches([' ', '\t']) == "*"))
}

fn finding(op: &HeaderOp, credentials: Option<Span>) -> Finding {
    let name = op.name.as_str();
    let effect = if op.is(names::ALLOW_METHODS) {
        "no method beyond GET, HEAD and POST is allowed, and the preflight fails (\"Method PUT \
         is not allowed by Access-Control-Allow-Methods in preflight response.\")"
    } else if op.is(names::ALLOW_HEADERS) {
        "no request header is allowed by it, and a request that sends one fails its preflight \
         (\"Request header field x-custom is not allowed by Access-Control-Allow-Headers in \
         preflight response.\")"
    } else {
        "no response header is exposed by it: JavaScript sees only the safelisted ones \
         (`headers.get()` returns null for the rest)"
    };
    let finding = Finding::new(
        &INFO,
        op.value_span,
        format!(
            "`{name}: *` on a response that allows credentials: for a request made with \
             credentials, `*` is not a wildcard but the literal name `*`, so {effect}"
        ),
    )
    .label("`*` is literal with credentials")
    .help(format!(
        "List the names explicitly in `{name}` (`*` works only for requests without \
         credentials)"
    ));
    match credentials {
        Some(span) => finding.secondary(span, "credentials allowed here"),
        None => finding,
    }
}
