//! CORS105 insecure-origin-scheme: a plain-`http://` origin trusted.
//!
//! Looks at every ACAO value ([`values::trusts`]): a literal `http://…` origin, an exact
//! allowlist entry `http://…`, or an allowlist regex that admits `http://` (a trusted
//! `http://` origin, or the `http://` twin of a trusted `https://` origin, `https?://`; this
//! rule, not weak-origin-regex, reports that case). `localhost`, `*.localhost`, `127.x.x.x`
//! and `[::1]` are development origins and are left alone. Reports on the value or the
//! allowlist entry, with the ACAO value as the other half.

use super::values::{self, Gate, GateTest, Leaf, Origins, Trust};
use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::patterns::{self, OriginRegexVerdict, WeakKind};
use crate::source::Span;
use rustc_hash::FxHashSet;

pub struct InsecureOriginScheme;

static INFO: RuleInfo = RuleInfo {
    code: "CORS105",
    name: "insecure-origin-scheme",
    severity: Severity::Warning,
    summary: "A plain-`http://` origin is trusted",
    doc: include_str!("../../rules/insecure-origin-scheme.md"),
    security: true,
};

const WHY: &str = "anyone on a visitor's network path (public Wi-Fi, a hostile router or ISP) \
                   can inject a script into that unencrypted page, and the script is then \
                   trusted";

impl Rule for InsecureOriginScheme {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        let origins = cx.origins();
        // Allowlist entries are judged once each (a map used in many locations).
        let mut gates_seen = FxHashSet::default();
        for trust in &origins.trusts {
            let credentials = origins.credentials(trust.op);
            match trust.leaf {
                Leaf::Literal(text) => {
                    let origin = text.trim();
                    if !is_insecure(origin) {
                        continue;
                    }
                    let span = match trust.arm {
                        Some(arm) => values::narrow(cx, arm, origin, true),
                        None => trust.op.value_span,
                    };
                    out.push(finding(
                        trust,
                        span,
                        format!(
                            "`Access-Control-Allow-Origin: {origin}` trusts a plain-http \
                             origin: {WHY}"
                        ),
                        origin,
                        credentials,
                    ));
                }
                Leaf::Reflect { .. } if !trust.ungated() => {
                    for gate in &trust.gates {
                        if !gates_seen.insert(gate.span) {
                            continue;
                        }
                        if let Some((origin, message)) = insecure_admitted(cx, origins, trust, gate)
                        {
                            let span = match &gate.test {
                                GateTest::Exact(text) => values::narrow(cx, gate.span, text, false),
                                GateTest::Regex { .. } => values::pattern_span(cx, gate),
                            };
                            let credentials = origins.gate_credentials(gate);
                            out.push(finding(trust, span, message, &origin, credentials));
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn is_insecure(origin: &str) -> bool {
    origin.len() > 7
        && origin
            .get(..7)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"))
        && !values::is_loopback_origin(origin)
}

/// The plain-http origin a gate lets through, with the message saying how.
fn insecure_admitted(
    cx: &SiteContext,
    origins: &Origins,
    trust: &Trust,
    gate: &Gate,
) -> Option<(String, String)> {
    let passes = |o: &str| trust.gates.iter().all(|g| g.test.admits(o) != Some(false));
    match &gate.test {
        GateTest::Exact(text) if is_insecure(text) => Some((
            text.to_string(),
            format!("the origin allowlist trusts the plain-http origin `{text}`: {WHY}"),
        )),
        GateTest::Exact(_) => None,
        GateTest::Regex {
            pattern,
            case_insensitive,
            ..
        } => {
            let described = values::describe(cx, gate);
            if let Some(origin) = patterns::trusted_origins(pattern, *case_insensitive)
                .into_iter()
                .find(|o| is_insecure(o) && passes(o))
            {
                let message = format!(
                    "the origin regex {described} trusts the plain-http origin `{origin}`: {WHY}"
                );
                return Some((origin, message));
            }
            let verdict = origins.verdict(pattern, *case_insensitive);
            let OriginRegexVerdict::Weak(weak) = &*verdict else {
                return None;
            };
            let w = weak.iter().find(|w| {
                w.kind == WeakKind::SchemeDowngrade && is_insecure(&w.attack) && passes(&w.attack)
            })?;
            let message = format!(
                "the origin regex {described} admits `{}`, the plain-http twin of `{}` (it \
                 accepts `http://` as well as `https://`): {WHY}",
                w.attack, w.trusted_example
            );
            Some((w.attack.clone(), message))
        }
    }
}

fn finding(
    trust: &Trust,
    span: Span,
    message: String,
    origin: &str,
    credentials: Option<Option<Span>>,
) -> Finding {
    let https = format!("https://{}", &origin[7..]);
    let message = format!("{message}; {}", values::consequence(credentials));
    let finding = Finding::new(&INFO, span, message)
        .severity(values::severity(credentials))
        .label("plain-http origin trusted")
        .secondary(trust.op.value_span, "sent as `Access-Control-Allow-Origin`")
        .help(format!(
            "Trust only the https origin (`{https}`): serve the front end over https and \
             redirect http to https. Keep `http://localhost` entries for development only"
        ));
    values::with_credentials(finding, credentials)
}
