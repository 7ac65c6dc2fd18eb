//! CORS206 max-age-out-of-range: `Access-Control-Max-Age` above what browsers honour, or a
//! value they cannot use.
//!
//! * Above Chromium's cap of 7200 s: info, naming what each engine uses (Chromium 7200 s,
//!   Firefox 86400 s, WebKit 600 s). Values between 600 and 7200 are not reported: WebKit's
//!   cap is lower, but that is a browser choice, not a configuration mistake.
//! * Negative, not a number, or several values on one response (two operations, or one value
//!   with a comma): warning, the preflight cache is then (nearly) useless.
//!
//! Looks at every fixed text a Max-Age operation can send, and at the probes' responses (and,
//! on nested platforms, every scope) for two operations on one response. Reports on the value.

use super::values;
use super::{Rule, SiteContext};
use crate::cors;
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{HeaderAction, HeaderOp, Selection, names};
use crate::source::Span;

pub struct MaxAgeOutOfRange;

static INFO: RuleInfo = RuleInfo {
    code: "CORS206",
    name: "max-age-out-of-range",
    severity: Severity::Info,
    summary: "`Access-Control-Max-Age` above the browsers' caps, or not a valid number",
    doc: include_str!("../../rules/max-age-out-of-range.md"),
    security: false,
};

const INVALID_EFFECT: &str = "Chromium and WebKit fall back to the default of 5 seconds and \
                              Firefox caches nothing, so almost every request is preflighted \
                              again";

impl Rule for MaxAgeOutOfRange {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for op in cx.unique_ops() {
            if !op.is(names::MAX_AGE) || op.action == HeaderAction::Remove {
                continue;
            }
            for (text, span) in values::literals(cx, op) {
                if let Some(finding) = check_value(text.trim_matches([' ', '\t']), span) {
                    out.push(finding);
                }
            }
        }
        for probe in cx.distinct_probes() {
            for response in [&probe.preflight, &probe.actual] {
                let sent = response.values(names::MAX_AGE);
                let ops: Vec<&HeaderOp> = sent.iter().flat_map(|h| h.ops()).collect();
                if let [first, second, ..] = ops.as_slice()
                    && first.span != second.span
                {
                    out.push(several(first, second));
                }
            }
        }
        if cx.site.platform.selection() == Selection::Nested {
            for scope in &cx.site.scopes {
                let mut current: Vec<&HeaderOp> = Vec::new();
                for op in scope.headers.iter().filter(|op| op.is(names::MAX_AGE)) {
                    match op.action {
                        HeaderAction::Remove => current.clear(),
                        HeaderAction::Set => current = vec![op],
                        HeaderAction::Append => {
                            if let Some(first) = current.first()
                                && sends(op)
                                && sends(first)
                            {
                                out.push(several(first, op));
                            }
                            current.push(op);
                        }
                    }
                }
            }
        }
    }
}

fn sends(op: &HeaderOp) -> bool {
    op.value.literal().is_none_or(|v| !v.trim().is_empty())
}

fn check_value(value: &str, span: Span) -> Option<Finding> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(value) {
        let (chromium_cap, firefox_cap, webkit_cap) = cors::MAX_AGE_CAPS;
        // Longer than any u64: every engine uses its cap.
        let n = value.parse::<u64>().unwrap_or(u64::MAX);
        if n <= chromium_cap {
            return None;
        }
        let (c, f, w) = (n.min(chromium_cap), n.min(firefox_cap), n.min(webkit_cap));
        return Some(
            Finding::new(
                &INFO,
                span,
                format!(
                    "`Access-Control-Max-Age: {value}` is above what browsers honour: Chromium \
                     caps it at {chromium_cap} s and uses {c} s, Firefox caps it at \
                     {firefox_cap} s and uses {f} s, WebKit (Safari) caps it at {webkit_cap} s \
                     and uses {w} s"
                ),
            )
            .severity(Severity::Info)
            .label(format!("Chromium uses {c} s"))
            .help(format!(
                "Write `{chromium_cap}` (2 hours), the most any Chromium-based browser \
                 caches a preflight, so the value says what really happens"
            )),
        );
    }
    let (message, label) = if value.strip_prefix('-').is_some_and(digits) {
        (
            format!(
                "`Access-Control-Max-Age: {value}` is negative: Chromium treats it as 0 and \
                 Firefox as invalid, so neither caches the preflight, and WebKit falls back to \
                 the default of 5 seconds"
            ),
            "negative",
        )
    } else if value.contains(',') {
        (
            format!(
                "`Access-Control-Max-Age: {value}` holds several values: the browser reads \
                 them as one value that is not a number; {INVALID_EFFECT}"
            ),
            "several values",
        )
    } else {
        (
            format!(
                "`Access-Control-Max-Age: {value}` is not a number of seconds: \
                 {INVALID_EFFECT}"
            ),
            "not a number",
        )
    };
    Some(
        Finding::new(&INFO, span, message)
            .severity(Severity::Warning)
            .label(label)
            .help(
                "Write a whole number of seconds, once: `Access-Control-Max-Age: 7200` (the \
                 most Chromium honours); `0` if preflights must not be cached",
            ),
    )
}

fn several(first: &HeaderOp, second: &HeaderOp) -> Finding {
    Finding::new(
        &INFO,
        second.value_span,
        format!(
            "a second `Access-Control-Max-Age` on the same response: the browser reads both as \
             one value that is not a number; {INVALID_EFFECT}"
        ),
    )
    .severity(Severity::Warning)
    .label("second value")
    .secondary(first.value_span, "first value")
    .help("Send `Access-Control-Max-Age` once per response")
}
