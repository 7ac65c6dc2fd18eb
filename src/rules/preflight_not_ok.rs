//! CORS207 preflight-not-ok: an OPTIONS preflight to a path that serves CORS ends in a status
//! outside 200–299: an auth gate before any OPTIONS answer, `limit_except`, `deny`,
//! `return 405`, static files that answer OPTIONS with 405 where the path claims to answer
//! preflights (it sends Allow-Methods or Allow-Headers).
//!
//! Redirects are redirect-on-preflight's business; an upstream's answer is unknown and not
//! reported.

use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{GateKind, Platform, names};
use crate::resolve::Answer;

pub struct PreflightNotOk;

static INFO: RuleInfo = RuleInfo {
    code: "CORS207",
    name: "preflight-not-ok",
    severity: Severity::Error,
    summary: "An OPTIONS preflight that ends in a status outside 200–299 (auth, method limits, 405)",
    doc: include_str!("../../rules/preflight-not-ok.md"),
    security: false,
};

impl Rule for PreflightNotOk {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for probe in cx.probes() {
            let p = &probe.preflight;
            if p.is_ok_status() || p.is_redirect() {
                continue;
            }
            let cors = probe
                .actual
                .first(names::ALLOW_ORIGIN)
                .or_else(|| p.first(names::ALLOW_ORIGIN));
            let Some(cors) = cors else {
                continue;
            };
            let status = p.status;
            let (span, what) = match &p.answer {
                Answer::Gate { span, kind } => (*span, gate_words(kind)),
                Answer::Fixed { span } => (*span, format!("`return {status}`")),
                Answer::Static { .. } => {
                    // Static files are fetched with simple GETs; only a path that claims to
                    // answer preflights (it sends Allow-Methods or Allow-Headers) is wrong.
                    let claims_preflight = [names::ALLOW_METHODS, names::ALLOW_HEADERS]
                        .iter()
                        .any(|n| probe.actual.first(n).is_some() || p.first(n).is_some());
                    let Some(scope) = p.scope.filter(|_| claims_preflight) else {
                        continue;
                    };
                    (
                        cx.site.scope(scope).head,
                        "static file handling, which answers OPTIONS with 405".to_string(),
                    )
                }
                Answer::Upstream { .. } | Answer::Redirect { .. } => continue,
            };
            let mut f = Finding::new(
                &INFO,
                span,
                format!(
                    "the preflight (OPTIONS {}) is answered {status} by {what}: a preflight needs \
                     a 2xx status, so the browser blocks every request to this path that needs \
                     one (\"Response to preflight request doesn't pass access control check: It \
                     does not have HTTP ok status\")",
                    probe.path
                ),
            )
            .label(format!("{status} on OPTIONS"))
            .help(help(cx.site.platform, &p.answer));
            if let Some(op) = &cors.op {
                f = f.secondary(op.value_span, "this path serves CORS headers");
            }
            out.push(f);
        }
    }
}

fn gate_words(kind: &GateKind) -> String {
    match kind {
        GateKind::Auth { what } => format!(
            "`{what}`, which runs before any OPTIONS answer (preflights never carry credentials)"
        ),
        GateKind::AuthSubrequest => {
            "`auth_request`, which runs before any OPTIONS answer (preflights never carry \
             credentials)"
                .to_string()
        }
        GateKind::DenyAll => "`deny all`".to_string(),
        GateKind::MethodLimit { allowed, .. } => format!(
            "`limit_except {}`, which does not let OPTIONS through",
            allowed.join(" ")
        ),
    }
}

fn help(platform: Platform, answer: &Answer) -> &'static str {
    match (platform, answer) {
        (Platform::Nginx, Answer::Gate { .. }) => {
            "Answer preflights in the rewrite phase, which runs before access checks: \
             `if ($request_method = OPTIONS) { add_header ... always; return 204; }` at the top \
             of the location (only for OPTIONS, so no other method bypasses the check)"
        }
        (Platform::Nginx, _) => {
            "Answer OPTIONS with 204 and the CORS headers: `if ($request_method = OPTIONS) { \
             add_header ... always; return 204; }`"
        }
        _ => {
            "Make the platform answer OPTIONS for this path with a 2xx status and the CORS headers"
        }
    }
}
