//! CORS302 redirect-on-preflight: a redirect that an OPTIONS request to a path serving CORS
//! will hit.
//!
//! Resolves the preflight for every probed path; when a redirect answers it, resolves again
//! without redirects to see whether the path would have carried CORS headers. An http→https
//! server that serves no CORS headers is therefore not reported.

use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{Platform, names};
use crate::resolve::{Answer, Response};

pub struct RedirectOnPreflight;

static INFO: RuleInfo = RuleInfo {
    code: "CORS302",
    name: "redirect-on-preflight",
    severity: Severity::Error,
    summary: "A redirect that fires on the OPTIONS preflight of a path that serves CORS",
    doc: include_str!("../../rules/redirect-on-preflight.md"),
    security: false,
};

impl Rule for RedirectOnPreflight {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for probe in cx.probes() {
            let Answer::Redirect { span, location } = &probe.preflight.answer else {
                continue;
            };
            let Some((preflight, actual)) = probe.unredirected.as_deref() else {
                continue;
            };
            let Some(cors) = cors_header(actual).or_else(|| cors_header(preflight)) else {
                continue;
            };
            let status = probe.preflight.status;
            let mut f = Finding::new(
                &INFO,
                *span,
                format!(
                    "a preflight (OPTIONS) to `{}` is answered with this {status} redirect to \
                     `{location}`: browsers never follow redirects for preflights, so every \
                     request to this path that needs one fails (\"Redirect is not allowed for a \
                     preflight request\")",
                    probe.path
                ),
            )
            .label(format!("{status} on OPTIONS {}", probe.path))
            .help(help(cx.site.platform));
            if let Some(op) = &cors.op {
                f = f.secondary(op.value_span, "this path serves CORS headers");
            }
            out.push(f);
        }
    }
}

/// A CORS header the configuration sets. Headers the platform adds to every file by itself
/// (Cloudflare Pages' `Access-Control-Allow-Origin: *`) do not make a path a CORS path, or
/// every redirect there would be reported.
fn cors_header<'r, 's>(response: &'r Response<'s>) -> Option<&'r crate::resolve::SentHeader<'s>> {
    let configured = || response.headers.iter().filter(|h| h.op.is_some());
    configured()
        .find(|h| h.name.eq_ignore_ascii_case(names::ALLOW_ORIGIN))
        .or_else(|| configured().find(|h| names::is_cors(h.name)))
}

fn help(platform: Platform) -> &'static str {
    match platform {
        Platform::Nginx => {
            "Answer OPTIONS before the redirect runs (`if ($request_method = OPTIONS) { return \
             204; }` ahead of it, with the CORS headers), or make the front end call the final \
             URL so no redirect happens"
        }
        _ => {
            "Make the front end call the final URL, or narrow the redirect's source so that it \
             does not match paths that serve CORS; a redirect rule cannot be limited to GET"
        }
    }
}
