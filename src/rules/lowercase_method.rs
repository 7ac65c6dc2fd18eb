//! CORS205 lowercase-method: methods in `Access-Control-Allow-Methods` that are not written
//! in uppercase.
//!
//! The browser compares the request's method with the listed ones case-sensitively, and
//! `fetch()` uppercases only DELETE, GET, HEAD, OPTIONS, POST and PUT. So:
//! * `put`, `Delete`, `options` never match: error;
//! * `get`, `head`, `post` never match either, but those methods are safelisted and never
//!   need listing, so nothing is blocked: warning;
//! * other non-uppercase tokens (`patch`) match only a page that sends them in exactly that
//!   case: warning.
//!
//! Elements that are not tokens are invalid-allow-list's business. One finding per value,
//! naming every element; reported on the value.

use super::values;
use super::{Rule, SiteContext};
use crate::cors;
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{HeaderAction, names};

pub struct LowercaseMethod;

static INFO: RuleInfo = RuleInfo {
    code: "CORS205",
    name: "lowercase-method",
    severity: Severity::Error,
    summary: "Methods in `Access-Control-Allow-Methods` that are not uppercase",
    doc: include_str!("../../rules/lowercase-method.md"),
    security: false,
};

impl Rule for LowercaseMethod {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for op in cx.unique_ops() {
            if !op.is(names::ALLOW_METHODS) || op.action == HeaderAction::Remove {
                continue;
            }
            for (text, span) in values::literals(cx, op) {
                if let Some(finding) = check(text, span) {
                    out.push(finding);
                }
            }
        }
    }
}

fn check(text: &str, span: crate::source::Span) -> Option<Finding> {
    let mut blocked = Vec::new();
    let mut dead = Vec::new();
    let mut exact_case = Vec::new();
    for element in text.split(',').map(|e| e.trim_matches([' ', '\t'])) {
        if !cors::is_token(element) || element == element.to_ascii_uppercase() {
            continue;
        }
        let normalized = cors::normalize_method(element);
        if normalized == element {
            exact_case.push(element);
        } else if cors::is_safelisted_method(&normalized) {
            dead.push((element, normalized));
        } else {
            blocked.push((element, normalized));
        }
    }
    let mut parts = Vec::new();
    if !blocked.is_empty() {
        let list = blocked
            .iter()
            .map(|(e, n)| format!("`{e}` never matches `{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let (_, first) = &blocked[0];
        parts.push(format!(
            "{list}: `fetch()` sends these methods in uppercase and the browser compares \
             case-sensitively, so the preflight fails (\"Method {first} is not allowed by \
             Access-Control-Allow-Methods in preflight response.\")"
        ));
    }
    if !dead.is_empty() {
        let list = dead
            .iter()
            .map(|(e, _)| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let verb = if dead.len() > 1 { "match" } else { "matches" };
        parts.push(format!(
            "{list} never {verb} the uppercase method `fetch()` sends; harmless only because \
             GET, HEAD and POST never need to be listed"
        ));
    }
    if !exact_case.is_empty() {
        let list = exact_case
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let upper = exact_case[0].to_ascii_uppercase();
        let verb = if exact_case.len() > 1 {
            "match"
        } else {
            "matches"
        };
        parts.push(format!(
            "{list} {verb} only a page that sends the method in exactly that case: `fetch()` \
             does not uppercase it, so `fetch(url, {{method: '{upper}'}})` fails its preflight"
        ));
    }
    if parts.is_empty() {
        return None;
    }
    let fixed = text
        .split(',')
        .map(|e| e.trim_matches([' ', '\t']))
        .filter(|e| !e.is_empty())
        .map(|e| {
            if cors::is_token(e) {
                e.to_ascii_uppercase()
            } else {
                e.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let severity = if blocked.is_empty() {
        Severity::Warning
    } else {
        Severity::Error
    };
    Some(
        Finding::new(&INFO, span, parts.join("; "))
            .severity(severity)
            .label("method case matters")
            .help(format!(
                "Write methods in uppercase, as pages send them: \
                 `Access-Control-Allow-Methods: {fixed}`"
            )),
    )
}
