//! CORS304 missing-vary-origin: an `Access-Control-Allow-Origin` that depends on the request's
//! `Origin` (reflection, an allowlist) without `Vary: Origin` on the same responses.
//!
//! Not reported for a static origin or `*`, which must not vary.

use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{HeaderValue, names};

pub struct MissingVaryOrigin;

static INFO: RuleInfo = RuleInfo {
    code: "CORS304",
    name: "missing-vary-origin",
    severity: Severity::Warning,
    summary: "An Origin-dependent Access-Control-Allow-Origin without `Vary: Origin`",
    doc: include_str!("../../rules/missing-vary-origin.md"),
    security: false,
};

impl Rule for MissingVaryOrigin {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for scope in &cx.site.scopes {
            let Some(origin) = scope
                .headers
                .iter()
                .find(|op| op.is(names::ALLOW_ORIGIN) && depends_on_origin(&op.value))
            else {
                continue;
            };
            let varies = scope.headers.iter().any(|op| {
                op.is(names::VARY)
                    && op.value.literal().is_some_and(|v| {
                        v.split(',').any(|part| {
                            matches!(part.trim().to_ascii_lowercase().as_str(), "origin" | "*")
                        })
                    })
            });
            if varies {
                continue;
            }
            out.push(
                Finding::new(
                    &INFO,
                    origin.value_span,
                    "`Access-Control-Allow-Origin` depends on the request's `Origin`, but the \
                     response does not say `Vary: Origin`: a shared cache (CDN, proxy_cache, the \
                     browser's HTTP cache) can hand one origin's answer to another, and the \
                     browser then blocks the request",
                )
                .label("varies with Origin")
                .help(
                    "Send `Vary: Origin` on every response of this path, including those for \
                     origins that are not allowed (in nginx: `add_header Vary Origin always;`)",
                ),
            );
        }
    }
}

fn depends_on_origin(value: &HeaderValue) -> bool {
    matches!(
        value,
        HeaderValue::RequestOrigin { .. } | HeaderValue::ByOrigin { .. }
    )
}
