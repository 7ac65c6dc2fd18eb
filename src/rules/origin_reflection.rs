//! CORS102 origin-reflection: `Access-Control-Allow-Origin` sends back the request's `Origin`
//! without an allowlist.
//!
//! Looks at the provenance of every ACAO value ([`values::trusts`]): the request's Origin
//! sent back when no origin test stands in the way, or only tests that admit any origin
//! (`.*`, `^https?://`, a `has` capture of `(?<origin>.*)`), or as the `default` of a map
//! whose entries are exceptions. A `map` / `if` / `has` with exact or strictly anchored
//! entries is an allowlist and is left to weak-origin-regex; so is a branch that refuses other
//! origins first (`if ($http_origin !~ ...) { return 403; }`). A condition corslint cannot
//! evaluate (`if ($allowed)`) may be the allowlist: not reported. Reports on the ACAO value,
//! with the places the origin flows through as the other half.

use super::values::{self, Gate, Leaf};
use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{HeaderValue, Platform};

pub struct OriginReflection;

static INFO: RuleInfo = RuleInfo {
    code: "CORS102",
    name: "origin-reflection",
    severity: Severity::Error,
    summary: "`Access-Control-Allow-Origin` sends back the request's `Origin` without an allowlist",
    doc: include_str!("../../rules/origin-reflection.md"),
    security: true,
};

impl Rule for OriginReflection {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        let origins = cx.origins();
        for trust in &origins.trusts {
            let Leaf::Reflect { via } = trust.leaf else {
                continue;
            };
            // A condition corslint cannot evaluate (`if ($allowed)`) may be the allowlist.
            if !trust.ungated() || trust.unknown_condition {
                continue;
            }
            let credentials = origins.credentials(trust.op);
            let open_gates: Vec<&Gate> = trust.gates.iter().collect();
            let default_of_allowlist = trust.arm.is_none()
                && matches!(&trust.op.value, HeaderValue::ByOrigin { arms, .. } if !arms.is_empty());
            let how = if default_of_allowlist {
                "for every origin its allowlist does not match (the `default`)".to_string()
            } else if let Some(gate) = open_gates.last() {
                format!(
                    "after a check that admits any origin ({})",
                    values::describe(cx, gate)
                )
            } else {
                "unchecked".to_string()
            };
            let message = format!(
                "`Access-Control-Allow-Origin` sends back the request's `Origin` {how}: any \
                 website can make a visitor's browser read these responses; {}",
                values::consequence(credentials)
            );
            let mut finding = Finding::new(&INFO, trust.op.value_span, message)
                .severity(values::severity(credentials))
                .label("any origin is sent back")
                .help(help(cx.site.platform));
            for span in via {
                finding = finding.secondary(*span, "the request's `Origin` flows from here");
            }
            for gate in open_gates {
                finding = finding.secondary(
                    values::pattern_span(cx, gate),
                    "this check admits any origin",
                );
            }
            out.push(values::with_credentials(finding, credentials));
        }
    }
}

fn help(platform: Platform) -> &'static str {
    match platform {
        Platform::Nginx => {
            "Send the origin back only when it is on a list of exact origins: \
             `map $http_origin $cors_origin { default \"\"; \"https://app.example.com\" \
             $http_origin; }` and `add_header Access-Control-Allow-Origin $cors_origin always;` \
             (with `add_header Vary Origin always;`)"
        }
        Platform::Vercel => {
            "Give the `has` condition on `origin` an exact, anchored `value` \
             (`^https://app\\.example\\.com$`), one header rule per trusted origin, or name \
             the origin literally"
        }
        _ => "Name the trusted origin literally (`https://app.example.com`)",
    }
}
