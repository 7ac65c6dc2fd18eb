//! CORS201 unlisted-request-header: a header the client sends is missing from
//! `Access-Control-Allow-Headers` in the preflight answer.
//!
//! Client headers come from the settings (`[client] headers`, `--client-header`) and from
//! the request headers the configuration is seen to read in the scope that serves the path
//! (`$http_x_request_id`). Safelisted and forbidden headers need no listing.

use std::collections::BTreeMap;

use super::{Rule, SiteContext};
use crate::cors;
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::names;
use crate::resolve::{Answer, Response};
use crate::source::Span;

pub struct UnlistedRequestHeader;

static INFO: RuleInfo = RuleInfo {
    code: "CORS201",
    name: "unlisted-request-header",
    severity: Severity::Error,
    summary: "A header the client sends is missing from `Access-Control-Allow-Headers`",
    doc: include_str!("../../rules/unlisted-request-header.md"),
    security: false,
};

/// A header the client sends, and why corslint believes so.
struct Sent {
    name: String,
    evidence: Option<Span>,
}

#[derive(Default)]
struct Missing {
    names: Vec<String>,
    evidence: Vec<(Span, String)>,
    listed: Option<String>,
}

impl Rule for UnlistedRequestHeader {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        let mut by_span: BTreeMap<Span, Missing> = BTreeMap::new();
        for probe in cx.probes() {
            let preflight = &probe.preflight;
            let serves_cors = probe.actual.first(names::ALLOW_ORIGIN).is_some()
                || preflight.first(names::ALLOW_ORIGIN).is_some();
            if !serves_cors || preflight.is_redirect() || !preflight.is_ok_status() {
                continue;
            }
            let allow_headers = preflight.first(names::ALLOW_HEADERS);
            if allow_headers.is_none() && !preflight.status_is_known() {
                // The upstream answers the preflight and may list them itself.
                continue;
            }
            let listed_value = preflight.get(names::ALLOW_HEADERS).unwrap_or_default();
            let Ok(listed) = cors::parse_list(&listed_value) else {
                continue; // invalid-allow-list's business
            };
            let wildcard = listed.contains(&"*") && !cx.credentialed(preflight);
            let target = match allow_headers.and_then(|h| h.op.as_ref()) {
                Some(op) => op.value_span,
                None => match answer_span(preflight) {
                    Some(span) => span,
                    None => continue,
                },
            };
            for sent in sent_headers(cx, &probe.actual) {
                if listed.iter().any(|h| h.eq_ignore_ascii_case(&sent.name)) || wildcard {
                    continue;
                }
                let entry = by_span.entry(target).or_default();
                entry.listed = allow_headers.map(|h| h.value.to_string());
                if !entry
                    .names
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&sent.name))
                {
                    entry.names.push(sent.name.clone());
                }
                if let Some(span) = sent.evidence {
                    entry.evidence.push((span, sent.name.clone()));
                }
            }
        }
        for (span, missing) in by_span {
            out.push(finding(span, missing));
        }
    }
}

fn finding(span: Span, missing: Missing) -> Finding {
    let list = missing
        .names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let first = missing.names[0].to_ascii_lowercase();
    let plural = if missing.names.len() > 1 { "s" } else { "" };
    let (message, label, help) = match &missing.listed {
        Some(listed) => (
            format!(
                "request header{plural} {list} not in `Access-Control-Allow-Headers`: the \
                 browser fails the preflight (\"Request header field {first} is not allowed by \
                 Access-Control-Allow-Headers in preflight response\") and the request is never \
                 sent"
            ),
            format!("missing {list}"),
            format!(
                "Add {} to the list: `{}, {}`",
                list,
                listed,
                missing.names.join(", ")
            ),
        ),
        None => (
            format!(
                "the preflight answer has no `Access-Control-Allow-Headers`, so request \
                 header{plural} {list} cannot be sent: the browser fails the preflight \
                 (\"Request header field {first} is not allowed by Access-Control-Allow-Headers \
                 in preflight response\")"
            ),
            "preflight answered without Access-Control-Allow-Headers".to_string(),
            format!(
                "Send `Access-Control-Allow-Headers: {}` with the preflight answer",
                missing.names.join(", ")
            ),
        ),
    };
    let mut f = Finding::new(&INFO, span, message).label(label).help(help);
    for (evidence, name) in missing.evidence {
        f = f.secondary(evidence, format!("the API reads `{name}` here"));
    }
    f
}

fn answer_span(response: &Response) -> Option<Span> {
    match &response.answer {
        Answer::Fixed { span } => Some(*span),
        _ => None,
    }
}

/// The headers the client sends to the path the actual request reached.
fn sent_headers(cx: &SiteContext, actual: &Response) -> Vec<Sent> {
    let mut sent: Vec<Sent> = cx
        .client_header_names()
        .into_iter()
        .map(|name| Sent {
            name,
            evidence: None,
        })
        .collect();
    let mut scope = actual.scope;
    while let Some(id) = scope {
        let s = cx.site.scope(id);
        for evidence in &s.expects_request_headers {
            if !sent
                .iter()
                .any(|x| x.name.eq_ignore_ascii_case(&evidence.name))
            {
                sent.push(Sent {
                    name: evidence.name.clone(),
                    evidence: Some(evidence.span),
                });
            }
        }
        scope = s.parent;
    }
    sent.retain(|s| {
        !cors::is_forbidden_request_header(&s.name)
            && !cors::is_safelisted_name_for_any_value(&s.name)
    });
    sent
}
