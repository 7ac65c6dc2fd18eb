//! CORS305 headers-not-applied: CORS headers configured for a path whose responses the
//! platform does not put them on (Netlify and Cloudflare do not apply custom headers to
//! proxied, function or edge-function responses).
//!
//! Resolves the probes; where an upstream with `headers_applied: false` answers, the header
//! operations that matched but were withheld ([`crate::resolve::Response::withheld`]) and
//! that belong to the CORS protocol are reported on their line, with the proxy or function
//! rule as the other half.

use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{HeaderAction, names};
use crate::resolve::Answer;

pub struct HeadersNotApplied;

static INFO: RuleInfo = RuleInfo {
    code: "CORS305",
    name: "headers-not-applied",
    severity: Severity::Warning,
    summary: "CORS headers on a path the platform does not apply them to (proxied or function \
              responses on Netlify and Cloudflare)",
    doc: include_str!("../../rules/headers-not-applied.md"),
    security: false,
};

impl Rule for HeadersNotApplied {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        let platform = cx.site.platform.name();
        for probe in cx.probes() {
            for response in [&probe.actual, &probe.preflight] {
                let Answer::Upstream { span, target } = &response.answer else {
                    continue;
                };
                for op in &response.withheld {
                    if op.action == HeaderAction::Remove || !names::is_cors(&op.name) {
                        continue;
                    }
                    out.push(
                        Finding::new(
                            &INFO,
                            op.span,
                            format!(
                                "`{}` is configured for `{}`, but that path is served by \
                                 {target}, and {platform} does not apply custom headers to \
                                 proxied or function responses: the browser never receives \
                                 this header from here",
                                op.name, probe.path
                            ),
                        )
                        .label("never sent on this path")
                        .secondary(*span, "proxied or served by a function here")
                        .help(
                            "Send the CORS headers from the function or the upstream itself \
                             (including its answer to OPTIONS), and remove them here, or serve \
                             the path as a static file",
                        ),
                    );
                }
            }
        }
    }
}
