//! CORS202 missing-max-age: a preflight answer without `Access-Control-Max-Age`.
//!
//! A preflight answer is a 2xx response to an OPTIONS probe that carries
//! `Access-Control-Allow-Methods` or `-Headers`, or a scope that answers OPTIONS itself.

use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{Condition, Step, names};
use crate::resolve::Answer;
use crate::source::Span;

pub struct MissingMaxAge;

static INFO: RuleInfo = RuleInfo {
    code: "CORS202",
    name: "missing-max-age",
    severity: Severity::Warning,
    summary: "A preflight answer without `Access-Control-Max-Age`: browsers repeat it after 5 s",
    doc: include_str!("../../rules/missing-max-age.md"),
    security: false,
};

const MESSAGE: &str = "preflight answered without `Access-Control-Max-Age`: browsers cache it for \
                       only 5 seconds, so almost every non-simple request pays for an extra \
                       OPTIONS round trip";
const HELP: &str = "Send `Access-Control-Max-Age: 7200` with the preflight answer (Chromium caps \
                    it at 7200 s, Firefox at 86400 s, Safari at 600 s)";

impl Rule for MissingMaxAge {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for probe in cx.distinct_probes() {
            let p = &probe.preflight;
            if !p.is_ok_status() || p.is_redirect() || p.first(names::MAX_AGE).is_some() {
                continue;
            }
            let list = p
                .first(names::ALLOW_METHODS)
                .or_else(|| p.first(names::ALLOW_HEADERS))
                .and_then(|h| h.op.as_ref());
            let fixed = match &p.answer {
                Answer::Fixed { span } => Some(*span),
                _ => None,
            };
            match (list, fixed) {
                (Some(op), fixed) => {
                    let mut f = finding(op.name_span).label("preflight headers without Max-Age");
                    if let Some(span) = fixed {
                        f = f.secondary(span, "preflight answered here");
                    }
                    out.push(f);
                }
                (None, Some(span)) if p.first(names::ALLOW_ORIGIN).is_some() => {
                    out.push(finding(span).label("preflight answered here without Max-Age"));
                }
                _ => {}
            }
        }
        // Branches that answer OPTIONS themselves, even where no probe reached them.
        for scope in &cx.site.scopes {
            let answers_options = scope.conditions.iter().any(|c| {
                matches!(c, Condition::Method { methods, negate: false, .. }
                    if methods.iter().any(|m| m == "OPTIONS"))
            });
            let Some(Step::Return { status, span, .. }) = scope.steps.first() else {
                continue;
            };
            let has = |name: &str| scope.headers.iter().any(|op| op.is(name));
            if answers_options
                && (200..300).contains(status)
                && has(names::ALLOW_ORIGIN)
                && !has(names::MAX_AGE)
            {
                let at = scope
                    .headers
                    .iter()
                    .find(|op| op.is(names::ALLOW_METHODS) || op.is(names::ALLOW_HEADERS))
                    .map(|op| op.name_span);
                out.push(match at {
                    Some(at) => finding(at)
                        .label("preflight headers without Max-Age")
                        .secondary(*span, "preflight answered here"),
                    None => finding(*span).label("preflight answered here without Max-Age"),
                });
            }
        }
    }
}

fn finding(span: Span) -> Finding {
    Finding::new(&INFO, span, MESSAGE).help(HELP)
}
