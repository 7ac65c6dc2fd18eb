//! CORS106 invalid-allow-origin: an `Access-Control-Allow-Origin` value that can never match
//! an origin.
//!
//! Looks at every fixed text an ACAO operation can send (the value, or a map entry's value)
//! and checks it is one serialized origin ([`crate::patterns::is_valid_serialized_origin`]):
//! not several origins, no path or trailing `/`, no `*` inside a host, no quotes, lowercase,
//! no default port. `*` and `null` are valid values (null-origin judges `null`). Reports on
//! the value.

use super::values;
use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{HeaderAction, names};
use crate::patterns;

pub struct InvalidAllowOrigin;

static INFO: RuleInfo = RuleInfo {
    code: "CORS106",
    name: "invalid-allow-origin",
    severity: Severity::Error,
    summary: "An `Access-Control-Allow-Origin` value that can never match an origin",
    doc: include_str!("../../rules/invalid-allow-origin.md"),
    security: false,
};

impl Rule for InvalidAllowOrigin {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for op in cx.unique_ops() {
            if !op.is(names::ALLOW_ORIGIN) || op.action == HeaderAction::Remove {
                continue;
            }
            for (text, span) in values::literals(cx, op) {
                let value = text.trim_matches([' ', '\t']);
                if value == "*" || value == "null" {
                    continue;
                }
                let Err(reason) = patterns::is_valid_serialized_origin(value) else {
                    continue;
                };
                out.push(finding(value, reason, span));
            }
        }
    }
}

fn finding(value: &str, reason: &str, span: crate::source::Span) -> Finding {
    let several = reason.starts_with("several origins");
    let browser = if several {
        format!(
            "\"The 'Access-Control-Allow-Origin' header contains multiple values '{value}', but \
             only one is allowed.\""
        )
    } else {
        format!(
            "\"The 'Access-Control-Allow-Origin' header has a value '{value}' that is not equal \
             to the supplied origin.\""
        )
    };
    let message = format!(
        "`Access-Control-Allow-Origin: {value}` can never match: {reason}. The browser compares \
         the value byte for byte with the page's origin (`https://host[:port]`, lowercase) and \
         blocks every response ({browser})"
    );
    let help = if several {
        "Send exactly one origin per response: choose it from the request's `Origin` with an \
         allowlist (nginx `map $http_origin`, a Vercel `has` condition per origin), or send `*` \
         if the data is public and no credentials are involved"
            .to_string()
    } else if reason.starts_with("wildcard") {
        "List the exact origins (in nginx, an anchored allowlist regex such as \
         `^https://[a-z0-9-]+\\.example\\.com$` in a `map $http_origin`), or send `*` if the \
         data is public and no credentials are involved"
            .to_string()
    } else {
        match suggestion(value) {
            Some(origin) => format!("Write the origin as the browser sends it: `{origin}`"),
            None => "Write one origin as the browser sends it (`https://app.example.com`), or \
                     leave the header out to allow no origin"
                .to_string(),
        }
    };
    Finding::new(&INFO, span, message)
        .label(reason.to_string())
        .help(help)
}

/// The serialized origin a value probably means: quotes removed, lowercase, no path, no
/// default port. None when that is not a valid origin either.
fn suggestion(value: &str) -> Option<String> {
    let unquoted = value.trim_matches(['"', '\'']);
    let (scheme, rest) = unquoted.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    let authority = match (scheme.as_str(), authority.rsplit_once(':')) {
        ("https", Some((host, "443"))) | ("http", Some((host, "80"))) => host.to_string(),
        _ => authority,
    };
    let origin = format!("{scheme}://{authority}");
    (patterns::is_valid_serialized_origin(&origin).is_ok() && origin != value).then_some(origin)
}
