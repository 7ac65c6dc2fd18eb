//! CORS306 cors-only-on-preflight: the OPTIONS answer carries CORS headers but the actual
//! response, answered by the configuration itself (not an upstream that may add its own),
//! carries no `Access-Control-Allow-Origin`.

use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::names;

pub struct CorsOnlyOnPreflight;

static INFO: RuleInfo = RuleInfo {
    code: "CORS306",
    name: "cors-only-on-preflight",
    severity: Severity::Error,
    summary: "CORS headers on the OPTIONS answer but not on the actual response",
    doc: include_str!("../../rules/cors-only-on-preflight.md"),
    security: false,
};

impl Rule for CorsOnlyOnPreflight {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for probe in cx.probes() {
            let Some(preflight_origin) = probe.preflight.first(names::ALLOW_ORIGIN) else {
                continue;
            };
            let a = &probe.actual;
            if !probe.preflight.is_ok_status()
                || a.first(names::ALLOW_ORIGIN).is_some()
                || !a.status_is_known()
                || a.is_redirect()
                || !a.is_ok_status()
            {
                continue;
            }
            let Some(op) = &preflight_origin.op else {
                continue;
            };
            out.push(
                Finding::new(
                    &INFO,
                    op.value_span,
                    format!(
                        "`Access-Control-Allow-Origin` is sent on the preflight answer for `{}` \
                         but not on the actual response ({}): the preflight passes, then the \
                         browser blocks the response (\"No 'Access-Control-Allow-Origin' header \
                         is present on the requested resource\")",
                        probe.path, a.status
                    ),
                )
                .label("only on the OPTIONS answer")
                .help(
                    "Send the CORS headers on the actual responses too (in nginx, outside the \
                     `if ($request_method = OPTIONS)` block, with `always`)",
                ),
            );
        }
    }
}
