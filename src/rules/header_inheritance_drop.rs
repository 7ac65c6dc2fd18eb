//! CORS303 header-inheritance-drop: a level whose own header operations silently drop the
//! CORS headers it would have inherited (nginx: any `add_header` at a level means none are
//! inherited from above).
//!
//! Reads [`crate::model::Scope::dropped`]. `if` branches that answer with `return` are left to
//! preflight-missing-cors-headers, which reports the same cause from the browser's side.

use super::{Rule, SiteContext};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{ScopeKind, Step, names};

pub struct HeaderInheritanceDrop;

static INFO: RuleInfo = RuleInfo {
    code: "CORS303",
    name: "header-inheritance-drop",
    severity: Severity::Error,
    summary: "A level's own `add_header` silently drops the CORS headers it would inherit",
    doc: include_str!("../../rules/header-inheritance-drop.md"),
    security: false,
};

impl Rule for HeaderInheritanceDrop {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_site(&self, cx: &SiteContext, out: &mut Vec<Finding>) {
        for scope in &cx.site.scopes {
            let Some(dropped) = &scope.dropped else {
                continue;
            };
            let answers_itself = matches!(scope.steps.first(), Some(Step::Return { .. }));
            if scope.kind == ScopeKind::If && answers_itself {
                continue;
            }
            let own_wildcard = scope
                .headers
                .iter()
                .any(|op| op.is(names::ALLOW_ORIGIN) && op.value.literal() == Some("*"));
            let lost: Vec<_> = dropped
                .inherited
                .iter()
                .filter(|op| names::is_cors(&op.name))
                .filter(|op| !scope.headers.iter().any(|own| own.is(&op.name)))
                // Losing credentials under an own `*` origin is what `*` needs anyway.
                .filter(|op| !(op.is(names::ALLOW_CREDENTIALS) && own_wildcard))
                .collect();
            if lost.is_empty() {
                continue;
            }
            let list = lost
                .iter()
                .map(|op| format!("`{}`", op.name))
                .collect::<Vec<_>>()
                .join(", ");
            let mut f = Finding::new(
                &INFO,
                dropped.because,
                format!(
                    "this `add_header` stops nginx from inheriting {list} from the enclosing \
                     block: a level with any `add_header` inherits none, so responses from here \
                     lack {} and the browser blocks them",
                    if lost.len() > 1 { "them" } else { "it" }
                ),
            )
            .label("own add_header: nothing is inherited")
            .help(
                "Repeat the CORS headers at this level (or move them into a snippet included at \
                 every level that has its own add_header); with nginx ≥ 1.29.3, \
                 `add_header_inherit merge;` keeps the inherited ones",
            );
            for op in lost {
                f = f.secondary(op.span, format!("`{}` is dropped here", op.name));
            }
            out.push(f);
        }
    }
}
