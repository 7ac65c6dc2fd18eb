//! CORS209 useless-allow-entry: list entries that can never do anything.
//!
//! * `Access-Control-Allow-Headers`: forbidden request headers (`Cookie`, `Host`, `Origin`,
//!   `Content-Length`, `Sec-*`, `Proxy-*`, …), which pages can never set. `Content-Type` and
//!   other headers pages do send are never reported.
//! * `Access-Control-Allow-Methods`: `OPTIONS`, which the preflight itself never needs.
//!   GET, HEAD and POST are safelisted and need no listing, but listing them is common and
//!   harmless: not reported.
//! * `Access-Control-Expose-Headers`: `Set-Cookie` / `Set-Cookie2`, which are never exposed,
//!   and the CORS-safelisted response headers, which always are.
//!
//! One finding per value, naming every useless entry; reported on the value.

use super::values;
use super::{Rule, SiteContext};
use crate::cors;
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{HeaderAction, names};

pub struct UselessAllowEntry;

static INFO: RuleInfo = RuleInfo {
    code: "CORS209",
    name: "useless-allow-entry",
    severity: Severity::Info,
    summary: "Forbidden headers in Allow-Headers, `OPTIONS` in Allow-Methods, `Set-Cookie` in Expose-Headers",
    doc: include_str!("../../rules/useless-allow-entry.md"),
    security: false,
};

/// `#cors-safelisted-response-header-name`: exposed without being listed.
const SAFELISTED_RESPONSE: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

impl Rule for UselessAllowEntry {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for op in cx.unique_ops() {
            if op.action == HeaderAction::Remove {
                continue;
            }
            let kind = if op.is(names::ALLOW_HEADERS) {
                Kind::AllowHeaders
            } else if op.is(names::ALLOW_METHODS) {
                Kind::AllowMethods
            } else if op.is(names::EXPOSE_HEADERS) {
                Kind::ExposeHeaders
            } else {
                continue;
            };
            for (text, span) in values::literals(cx, op) {
                let elements: Vec<&str> = text
                    .split(',')
                    .map(|e| e.trim_matches([' ', '\t']))
                    .filter(|e| cors::is_token(e))
                    .collect();
                if let Some(finding) = kind.check(&elements, span) {
                    out.push(finding);
                }
            }
        }
    }
}

enum Kind {
    AllowHeaders,
    AllowMethods,
    ExposeHeaders,
}

impl Kind {
    fn check(&self, elements: &[&str], span: crate::source::Span) -> Option<Finding> {
        let quoted = |list: &[&str]| {
            list.iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (message, help) = match self {
            Kind::AllowHeaders => {
                let useless: Vec<&str> = elements
                    .iter()
                    .copied()
                    .filter(|e| cors::is_forbidden_request_header(e))
                    .collect();
                if useless.is_empty() {
                    return None;
                }
                let cookies = useless.iter().any(|e| e.eq_ignore_ascii_case("cookie"));
                (
                    format!(
                        "{} in `Access-Control-Allow-Headers` {} forbidden request header{}: \
                         pages can never set {}, so listing {} does nothing{}",
                        quoted(&useless),
                        if useless.len() > 1 { "are" } else { "is a" },
                        if useless.len() > 1 { "s" } else { "" },
                        if useless.len() > 1 { "them" } else { "it" },
                        if useless.len() > 1 { "them" } else { "it" },
                        if cookies {
                            " (cookies travel with `credentials: 'include'` and \
                             `Access-Control-Allow-Credentials: true`)"
                        } else {
                            ""
                        }
                    ),
                    "Remove the entry; the browser sets these headers itself",
                )
            }
            Kind::AllowMethods => {
                let useless: Vec<&str> = elements
                    .iter()
                    .copied()
                    .filter(|e| *e == "OPTIONS")
                    .collect();
                if useless.is_empty() {
                    return None;
                }
                (
                    "`OPTIONS` in `Access-Control-Allow-Methods` is not needed for the \
                     preflight: the browser checks the list only for the method of the request \
                     that follows, and pages practically never send OPTIONS themselves"
                        .to_string(),
                    "Remove `OPTIONS` from the list (keep the server answering OPTIONS with a \
                     2xx status)",
                )
            }
            Kind::ExposeHeaders => {
                let never: Vec<&str> = elements
                    .iter()
                    .copied()
                    .filter(|e| {
                        e.eq_ignore_ascii_case("set-cookie")
                            || e.eq_ignore_ascii_case("set-cookie2")
                    })
                    .collect();
                let always: Vec<&str> = elements
                    .iter()
                    .copied()
                    .filter(|e| SAFELISTED_RESPONSE.contains(&e.to_ascii_lowercase().as_str()))
                    .collect();
                let mut parts = Vec::new();
                if !never.is_empty() {
                    parts.push(format!(
                        "{} can never be exposed: the browser removes `Set-Cookie` from every \
                         response JavaScript can read",
                        quoted(&never)
                    ));
                }
                if !always.is_empty() {
                    parts.push(format!(
                        "{} {} exposed without being listed (CORS-safelisted response header{})",
                        quoted(&always),
                        if always.len() > 1 { "are" } else { "is" },
                        if always.len() > 1 { "s" } else { "" }
                    ));
                }
                if parts.is_empty() {
                    return None;
                }
                (
                    format!("in `Access-Control-Expose-Headers`, {}", parts.join("; ")),
                    "Remove the entry; list only the other response headers JavaScript must read",
                )
            }
        };
        Some(
            Finding::new(&INFO, span, message)
                .severity(Severity::Info)
                .label("does nothing")
                .help(help),
        )
    }
}
