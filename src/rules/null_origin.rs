//! CORS104 null-origin: `null` trusted as an origin.
//!
//! Looks at every ACAO value ([`values::trusts`]): a literal `null`, or the request's Origin
//! sent back through an allowlist that admits `null` (an exact `null` entry, a regex that
//! matches `null`). An allowlist that admits any origin is origin-reflection's business and
//! not repeated here. Reports on the `null` value or the allowlist entry, with the ACAO value
//! as the other half.

use super::values::{self, GateTest, Leaf};
use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};

pub struct NullOrigin;

static INFO: RuleInfo = RuleInfo {
    code: "CORS104",
    name: "null-origin",
    severity: Severity::Error,
    summary: "`null` is trusted as an origin",
    doc: include_str!("../../rules/null-origin.md"),
    security: true,
};

const WHO: &str = "sandboxed iframes (`<iframe sandbox>`), `data:` and `file:` documents and \
                   requests redirected across origins all send `Origin: null`, and any website \
                   can create one";

const HELP: &str = "Remove `null`: list the real origins of your front ends. A sandboxed \
                    embed that needs the data can use public, uncredentialed responses \
                    (`Access-Control-Allow-Origin: *`)";

impl Rule for NullOrigin {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        let origins = cx.origins();
        for trust in &origins.trusts {
            let credentials = origins.credentials(trust.op);
            match trust.leaf {
                Leaf::Literal(text) if text.trim() == "null" => {
                    let span = match trust.arm {
                        Some(arm) => values::narrow(cx, arm, "null", true),
                        None => trust.op.value_span,
                    };
                    let finding = Finding::new(
                        &INFO,
                        span,
                        format!(
                            "`Access-Control-Allow-Origin: null` trusts every document with an \
                             opaque origin: {WHO}; {}",
                            values::consequence(credentials)
                        ),
                    )
                    .severity(values::severity(credentials))
                    .label("`null` trusted")
                    .secondary(trust.op.value_span, "sent as `Access-Control-Allow-Origin`")
                    .help(HELP);
                    out.push(values::with_credentials(finding, credentials));
                }
                Leaf::Reflect { .. } if !trust.ungated() => {
                    if !trust
                        .gates
                        .iter()
                        .all(|g| g.test.admits("null") == Some(true))
                    {
                        continue;
                    }
                    let Some(gate) = trust.gates.last() else {
                        continue;
                    };
                    let (span, what) = match &gate.test {
                        GateTest::Exact(_) => (
                            values::narrow(cx, gate.span, "null", false),
                            "the allowlist entry `null` lets `Origin: null` through".to_string(),
                        ),
                        GateTest::Regex { .. } => (
                            values::pattern_span(cx, gate),
                            format!(
                                "the origin regex {} admits `null`",
                                values::describe(cx, gate)
                            ),
                        ),
                    };
                    let credentials = origins.gate_credentials(gate);
                    let finding = Finding::new(
                        &INFO,
                        span,
                        format!(
                            "{what}, and the request's `Origin` is then sent back as \
                             `Access-Control-Allow-Origin: null`: {WHO}; {}",
                            values::consequence(credentials)
                        ),
                    )
                    .severity(values::severity(credentials))
                    .label("admits `null`")
                    .secondary(trust.op.value_span, "the origin is sent back here")
                    .help(HELP);
                    out.push(values::with_credentials(finding, credentials));
                }
                _ => {}
            }
        }
    }
}
