//! CORS107 invalid-allow-credentials: `Access-Control-Allow-Credentials` other than the exact
//! lowercase `true`.
//!
//! Looks at every fixed text an ACAC operation can send. `True`, `"true"` (with the quotes
//! sent), `1`, `yes` are errors: credentialed requests fail. `false` is valid but does
//! nothing that leaving the header out would not do: info. Reports on the value.

use super::values;
use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{HeaderAction, names};

pub struct InvalidAllowCredentials;

static INFO: RuleInfo = RuleInfo {
    code: "CORS107",
    name: "invalid-allow-credentials",
    severity: Severity::Error,
    summary: "`Access-Control-Allow-Credentials` other than the exact lowercase `true`",
    doc: include_str!("../../rules/invalid-allow-credentials.md"),
    security: false,
};

impl Rule for InvalidAllowCredentials {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for op in cx.unique_ops() {
            if !op.is(names::ALLOW_CREDENTIALS) || op.action == HeaderAction::Remove {
                continue;
            }
            for (text, span) in values::literals(cx, op) {
                // HTTP strips spaces and tabs around a field value.
                let value = text.trim_matches([' ', '\t']);
                if value == "true" {
                    continue;
                }
                let finding = if value.eq_ignore_ascii_case("false") {
                    Finding::new(
                        &INFO,
                        span,
                        format!(
                            "`Access-Control-Allow-Credentials: {value}` has the same effect \
                             as no header at all: browsers look only for the exact value \
                             `true`"
                        ),
                    )
                    .severity(Severity::Info)
                    .label("no effect")
                    .help("Omit the header instead of sending `false`")
                } else {
                    Finding::new(
                        &INFO,
                        span,
                        format!(
                            "`Access-Control-Allow-Credentials: {value}` is not `true`: the \
                             browser accepts only the exact lowercase bytes `true`, so every \
                             request made with credentials fails (\"The value of the \
                             'Access-Control-Allow-Credentials' header in the response is \
                             '{value}' which must be 'true' when the request's credentials \
                             mode is 'include'.\")"
                        ),
                    )
                    .label("must be exactly `true`")
                    .help(
                        "Write `true` in lowercase without quotes, or omit the header if the \
                         front end sends no cookies or HTTP authentication",
                    )
                };
                out.push(finding);
            }
        }
    }
}
