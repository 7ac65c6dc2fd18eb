//! CORS204 invalid-allow-list: `Access-Control-Allow-Methods` / `-Allow-Headers` elements that
//! are not HTTP tokens.
//!
//! Looks at every fixed text those operations can send and parses it as the browser does
//! ([`crate::cors::parse_list`]: comma-separated, spaces around commas and empty elements
//! tolerated). Reports on the value, naming the first element that is not a token.

use super::values;
use super::{Rule, SiteContext};
use crate::cors;
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{HeaderAction, names};

pub struct InvalidAllowList;

static INFO: RuleInfo = RuleInfo {
    code: "CORS204",
    name: "invalid-allow-list",
    severity: Severity::Error,
    summary: "Allow-Methods / Allow-Headers elements that are not HTTP tokens",
    doc: include_str!("../../rules/invalid-allow-list.md"),
    security: false,
};

impl Rule for InvalidAllowList {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for op in cx.unique_ops() {
            let header = if op.is(names::ALLOW_METHODS) {
                "Access-Control-Allow-Methods"
            } else if op.is(names::ALLOW_HEADERS) {
                "Access-Control-Allow-Headers"
            } else {
                continue;
            };
            if op.action == HeaderAction::Remove {
                continue;
            }
            for (text, span) in values::literals(cx, op) {
                let Err(element) = cors::parse_list(text) else {
                    continue;
                };
                let what = if op.is(names::ALLOW_METHODS) {
                    "a method"
                } else {
                    "a header name"
                };
                out.push(
                    Finding::new(
                        &INFO,
                        span,
                        format!(
                            "`{element}` in `{header}` is not {what} (an HTTP token): the \
                             browser cannot parse the header and fails every preflight that \
                             reads it (Chromium: \"Cannot parse {header} response header field \
                             in preflight response.\"; Firefox: \"invalid token '{element}' in \
                             CORS header '{header}'\")"
                        ),
                    )
                    .label(format!("`{element}` is not a token"))
                    .help(hint(text, element, header)),
                );
            }
        }
    }
}

/// A corrected value when the problem is quoting or separators, else a general hint.
fn hint(text: &str, element: &str, header: &str) -> String {
    let parts: Vec<&str> = text
        .split([',', ';', ' ', '\t', '"', '\''])
        .filter(|e| !e.is_empty())
        .collect();
    let fixable = element.contains(['"', '\'', ';', ' ', '\t']);
    if fixable && !parts.is_empty() && parts.iter().all(|p| cors::is_token(p)) {
        let how = if element.contains(['"', '\'']) {
            "Remove the quotes, which are sent as part of the value"
        } else {
            "Separate the elements with commas"
        };
        format!("{how}: `{header}: {}`", parts.join(", "))
    } else if header.ends_with("Methods") {
        format!("List method names only, separated by commas (`{header}: GET, POST, PUT`)")
    } else {
        format!(
            "List request header names only, separated by commas, without values              (`{header}: Content-Type, Authorization`)"
        )
    }
}
