//! CORS208 preflight-missing-cors-headers: the answer to OPTIONS lacks
//! `Access-Control-Allow-Origin` (or `Access-Control-Allow-Credentials` on a credentialed API)
//! while the path's actual responses carry them.
//!
//! The classic nginx cause: `if ($request_method = OPTIONS) { add_header ...; return 204; }`
//! defines its own header set, so the location's ACAO is not inherited.

use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::names;
use crate::resolve::Answer;

pub struct PreflightMissingCorsHeaders;

static INFO: RuleInfo = RuleInfo {
    code: "CORS208",
    name: "preflight-missing-cors-headers",
    severity: Severity::Error,
    summary: "The OPTIONS answer lacks Access-Control-Allow-Origin (or -Credentials) that the path needs",
    doc: include_str!("../../rules/preflight-missing-cors-headers.md"),
    security: false,
};

impl Rule for PreflightMissingCorsHeaders {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for probe in cx.probes() {
            let p = &probe.preflight;
            let Answer::Fixed { span } = &p.answer else {
                continue;
            };
            if !p.is_ok_status() {
                continue;
            }
            let Some(origin) = probe.actual.first(names::ALLOW_ORIGIN) else {
                continue;
            };
            let missing = if p.first(names::ALLOW_ORIGIN).is_none() {
                Some((names::ALLOW_ORIGIN, "Access-Control-Allow-Origin", origin))
            } else {
                probe
                    .actual
                    .first(names::ALLOW_CREDENTIALS)
                    .filter(|c| c.value == "true" && p.first(names::ALLOW_CREDENTIALS).is_none())
                    .map(|c| {
                        (
                            names::ALLOW_CREDENTIALS,
                            "Access-Control-Allow-Credentials",
                            c,
                        )
                    })
            };
            let Some((_, name, actual_header)) = missing else {
                continue;
            };
            let consequence = if name == "Access-Control-Allow-Origin" {
                "No 'Access-Control-Allow-Origin' header is present on the requested resource"
            } else {
                "The value of the 'Access-Control-Allow-Credentials' header in the response is '' \
                 which must be 'true' when the request's credentials mode is 'include'"
            };
            let mut f = Finding::new(
                &INFO,
                *span,
                format!(
                    "the preflight (OPTIONS {}) is answered here without `{name}`, which the \
                     path's actual responses carry: the browser fails the preflight (\"Response to \
                     preflight request doesn't pass access control check: {consequence}\")",
                    probe.path
                ),
            )
            .label(format!("answers OPTIONS without {name}"))
            .help(format!(
                "Send `{name}` with the preflight answer too (in nginx, an `if` block with its \
                 own `add_header` inherits none from the location: repeat it there, with `always`)"
            ));
            if let Some(op) = &actual_header.op {
                f = f.secondary(op.span, "sent on the actual response only");
            }
            out.push(f);
        }
    }
}
