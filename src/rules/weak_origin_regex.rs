//! CORS103 weak-origin-regex: an origin allowlist regex, feeding a reflected
//! `Access-Control-Allow-Origin`, that admits an origin an attacker can register.
//!
//! Looks at every regex an origin passes before the request's `Origin` is sent back (an nginx
//! `map $http_origin` `~` key, `if ($http_origin ~ ...)`, a Vercel `has` value) and asks
//! [`crate::patterns::analyse_origin_regex`] for attack origins. Reports the most convincing
//! one on the pattern, with the ACAO value as the other half. Not reported here: patterns
//! that admit any origin at all (origin-reflection) and `http://` versions of trusted https
//! origins (insecure-origin-scheme). A pattern corslint cannot analyse gets an info finding
//! that says why.

use super::values::{self, Gate, GateTest, Leaf, Origins, Trust};
use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::patterns::{OriginRegexVerdict, WeakKind, WeakOrigin};
use crate::source::Span;
use rustc_hash::FxHashSet;

pub struct WeakOriginRegex;

static INFO: RuleInfo = RuleInfo {
    code: "CORS103",
    name: "weak-origin-regex",
    severity: Severity::Error,
    summary: "An origin allowlist regex admits an origin an attacker can register",
    doc: include_str!("../../rules/weak-origin-regex.md"),
    security: true,
};

impl Rule for WeakOriginRegex {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        let origins = cx.origins();
        for (gate, trust, credentials) in regex_gates(origins) {
            let GateTest::Regex {
                pattern,
                case_insensitive,
                ..
            } = &gate.test
            else {
                continue;
            };
            match &*origins.verdict(pattern, *case_insensitive) {
                OriginRegexVerdict::Strict => {}
                OriginRegexVerdict::Weak(weak) => {
                    let attack = weak.iter().find(|w| {
                        w.kind != WeakKind::SchemeDowngrade
                            && !w.trusted_example.is_empty()
                            && passes_all(trust, &w.attack)
                    });
                    if let Some(attack) = attack {
                        out.push(weak_finding(cx, trust, gate, attack, credentials));
                    }
                }
                OriginRegexVerdict::NotAnalysed(reason) => {
                    out.push(
                        Finding::new(
                            &INFO,
                            values::pattern_span(cx, gate),
                            format!(
                                "the origin regex {} was not analysed ({reason}): corslint \
                                 cannot tell which origins it admits",
                                values::describe(cx, gate)
                            ),
                        )
                        .severity(Severity::Info)
                        .label("not analysed")
                        .secondary(trust.op.value_span, "the origin is sent back here")
                        .help(
                            "Check by hand that it admits only your origins, or rewrite it \
                             without lookaround or backreferences (anchored, dots escaped: \
                             `^https://(www\\.)?example\\.com$`)",
                        ),
                    );
                }
            }
        }
    }
}

/// Each regex an origin passes before it is sent back, once (a map used in many locations),
/// with one value it guards and whether any of those values allows credentials.
type Guarded<'o, 'a> = (&'o Gate<'a>, &'o Trust<'a>, Option<Option<Span>>);

fn regex_gates<'o, 'a>(origins: &'o Origins<'a>) -> Vec<Guarded<'o, 'a>> {
    let mut out: Vec<Guarded> = Vec::new();
    let mut seen = FxHashSet::default();
    for trust in &origins.trusts {
        if !matches!(trust.leaf, Leaf::Reflect { .. }) || trust.ungated() {
            continue;
        }
        for gate in &trust.gates {
            if matches!(gate.test, GateTest::Regex { .. }) && seen.insert(gate.span) {
                out.push((gate, trust, origins.gate_credentials(gate)));
            }
        }
    }
    out
}

/// Whether the attack origin also passes the other tests on the way to the value.
fn passes_all(trust: &Trust, origin: &str) -> bool {
    trust
        .gates
        .iter()
        .all(|g| g.test.admits(origin) != Some(false))
}

fn weak_finding(
    cx: &SiteContext,
    trust: &Trust,
    gate: &Gate,
    weak: &WeakOrigin,
    credentials: Option<Option<Span>>,
) -> Finding {
    let message = format!(
        "the origin regex {} admits `{}`, an origin an attacker can register, because {}; it \
         is meant for `{}`, and the attacker's page gets its own origin sent back as \
         `Access-Control-Allow-Origin`: {}",
        values::describe(cx, gate),
        weak.attack,
        reason(weak.kind),
        weak.trusted_example,
        values::consequence(credentials)
    );
    let finding = Finding::new(&INFO, values::pattern_span(cx, gate), message)
        .severity(values::severity(credentials))
        .label(format!("admits {}", weak.attack))
        .secondary(trust.op.value_span, "the origin is sent back here")
        .help(format!(
            "Anchor the pattern at both ends and escape every dot, e.g. `{}`",
            anchored(&weak.trusted_example)
        ));
    values::with_credentials(finding, credentials)
}

fn reason(kind: WeakKind) -> &'static str {
    match kind {
        WeakKind::PrefixMatch => "the pattern has no `$` after the host",
        WeakKind::SuffixMatch => {
            "nothing before the host pins it down (no `^https://`, or no `\\.` label boundary)"
        }
        WeakKind::Substring => "the pattern has neither `^` nor `$`",
        WeakKind::UnescapedDot => {
            "a `.` in the host is not escaped (`\\.`) and matches any character"
        }
        WeakKind::AnySubdomainChars => {
            "the character after the host is not pinned down (`\\b`, `[^.]` or `\\W` let `_` \
             or a backtick through, which browsers accept in host names)"
        }
        WeakKind::SchemeDowngrade => "it accepts `http://` as well as `https://`",
    }
}

/// `https://app.example.com` → `^https://app\.example\.com$`.
fn anchored(origin: &str) -> String {
    format!("^{}$", origin.replace('.', "\\."))
}
