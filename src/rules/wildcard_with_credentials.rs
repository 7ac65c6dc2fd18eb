//! CORS101 wildcard-with-credentials: `Access-Control-Allow-Origin: *` and
//! `Access-Control-Allow-Credentials: true` on one response.
//!
//! Looks at every response the probes produce and at every scope's effective headers (so an
//! `if` branch corslint cannot enter is still seen). Reports on the `*`, with the credentials
//! header as the other half.

use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{HeaderOp, names};
use crate::resolve::Response;

pub struct WildcardWithCredentials;

static INFO: RuleInfo = RuleInfo {
    code: "CORS101",
    name: "wildcard-with-credentials",
    severity: Severity::Error,
    summary: "`Access-Control-Allow-Origin: *` together with `Access-Control-Allow-Credentials: true`",
    doc: include_str!("../../rules/wildcard-with-credentials.md"),
    security: false,
};

impl Rule for WildcardWithCredentials {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for scope in &cx.site.scopes {
            let wildcard = scope
                .headers
                .iter()
                .rev()
                .find(|op| op.is(names::ALLOW_ORIGIN) && op.value.literal() == Some("*"));
            let credentials = scope.headers.iter().rev().find(|op| {
                op.is(names::ALLOW_CREDENTIALS)
                    && op
                        .value
                        .literal()
                        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
            });
            if let (Some(wildcard), Some(credentials)) = (wildcard, credentials) {
                out.push(finding(Some(wildcard), credentials));
            }
        }
        for probe in cx.distinct_probes() {
            for response in [&probe.actual, &probe.preflight] {
                check_response(response, out);
            }
        }
    }
}

fn check_response(response: &Response, out: &mut Vec<Finding>) {
    let Some(origin) = response.first(names::ALLOW_ORIGIN) else {
        return;
    };
    let Some(credentials) = response.first(names::ALLOW_CREDENTIALS) else {
        return;
    };
    if origin.value != "*" || !credentials.value.eq_ignore_ascii_case("true") {
        return;
    }
    if let Some(credentials_op) = &credentials.op {
        out.push(finding(origin.op, credentials_op));
    }
}

fn finding(wildcard: Option<&HeaderOp>, credentials: &HeaderOp) -> Finding {
    let help = "Send the caller's exact origin instead of `*` (checked against an allowlist, \
                with `Vary: Origin`), or remove `Access-Control-Allow-Credentials` if the \
                front end sends no cookies or HTTP authentication.";
    match wildcard {
        Some(wildcard) => Finding::new(
            &INFO,
            wildcard.value_span,
            "`Access-Control-Allow-Origin: *` is sent with `Access-Control-Allow-Credentials: \
             true`: browsers reject `*` on every request made with credentials \
             (`credentials: 'include'`, `withCredentials`), so those requests fail",
        )
        .label("wildcard origin")
        .secondary(credentials.value_span, "credentials enabled here")
        .help(help),
        // The platform adds the wildcard by itself (Cloudflare Pages' static assets).
        None => Finding::new(
            &INFO,
            credentials.value_span,
            "`Access-Control-Allow-Credentials: true` is sent on responses that carry the \
             platform's default `Access-Control-Allow-Origin: *`: browsers reject `*` on every \
             request made with credentials",
        )
        .label("credentials enabled here")
        .help(help),
    }
}
