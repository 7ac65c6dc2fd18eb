//! CORS203 authorization-not-covered: `Access-Control-Allow-Headers: *` without an explicit
//! `Authorization`.
//!
//! Looks at the probes' preflight answers and, for nested platforms where a scope's headers
//! are one response, at every scope. Responses that allow credentials are left to
//! wildcard-list-with-credentials (there `*` covers nothing at all). Reports on the value
//! with the `*`.

use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{HeaderAction, HeaderOp, Selection, names};

pub struct AuthorizationNotCovered;

static INFO: RuleInfo = RuleInfo {
    code: "CORS203",
    name: "authorization-not-covered",
    severity: Severity::Warning,
    summary: "`Access-Control-Allow-Headers: *` without an explicit `Authorization`",
    doc: include_str!("../../rules/authorization-not-covered.md"),
    security: false,
};

impl Rule for AuthorizationNotCovered {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for probe in cx.distinct_probes() {
            for response in [&probe.preflight, &probe.actual] {
                if cx.credentialed(response) {
                    continue;
                }
                let sent = response.values(names::ALLOW_HEADERS);
                let ops: Vec<&HeaderOp> = sent.iter().flat_map(|h| h.ops()).collect();
                check(&ops, out);
            }
        }
        if cx.site.platform.selection() != Selection::Nested
            || cx.client.credentials.unwrap_or(false)
        {
            return;
        }
        for scope in &cx.site.scopes {
            let credentialed = scope.headers.iter().any(|op| {
                op.is(names::ALLOW_CREDENTIALS)
                    && op.value.literal().is_some_and(|v| v.trim() == "true")
            });
            if credentialed {
                continue;
            }
            let mut ops: Vec<&HeaderOp> = Vec::new();
            for op in scope
                .headers
                .iter()
                .filter(|op| op.is(names::ALLOW_HEADERS))
            {
                match op.action {
                    HeaderAction::Remove => ops.clear(),
                    HeaderAction::Set => ops = vec![op],
                    HeaderAction::Append => ops.push(op),
                }
            }
            check(&ops, out);
        }
    }
}

/// One response's Allow-Headers operations: `*` somewhere, `Authorization` nowhere.
fn check(ops: &[&HeaderOp], out: &mut Vec<Finding>) {
    let elements = |op: &HeaderOp| -> Vec<String> {
        op.value
            .literal()
            .unwrap_or("")
            .split(',')
            .map(|e| e.trim_matches([' ', '\t']).to_ascii_lowercase())
            .collect()
    };
    let Some(star) = ops.iter().find(|op| elements(op).iter().any(|e| e == "*")) else {
        return;
    };
    if ops
        .iter()
        .any(|op| elements(op).iter().any(|e| e == "authorization"))
        || ops.iter().any(|op| op.value.literal().is_none())
    {
        return;
    }
    out.push(
        Finding::new(
            &INFO,
            star.value_span,
            "`Access-Control-Allow-Headers: *` does not cover `Authorization`: the Fetch \
             standard makes it the one request header `*` never covers, so a request with \
             `Authorization` fails its preflight there. Chromium, Firefox and Safari still let \
             it through today, with a deprecation warning in the console (\"Authorization will \
             not be covered by the wildcard symbol (*) in CORS `Access-Control-Allow-Headers` \
             handling.\"), and will block it once they follow the standard",
        )
        .label("`*` without `Authorization`")
        .help(format!(
            "List it explicitly: `{}: {}, Authorization`",
            star.name,
            star.value.literal().unwrap_or("*").trim()
        )),
    );
}
