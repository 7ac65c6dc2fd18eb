//! CORS901 unused-suppression: a `# corslint: ignore[...]` comment that suppressed nothing.
//!
//! Suppressions are applied by the linter after every rule has run, so this rule has no check
//! of its own: [`unused`] turns the suppressions left unused into findings.

use super::Rule;
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::Suppression;

pub struct UnusedSuppression;

pub static INFO: RuleInfo = RuleInfo {
    code: "CORS901",
    name: "unused-suppression",
    severity: Severity::Warning,
    summary: "A `# corslint: ignore[...]` comment that suppressed nothing",
    doc: include_str!("../../rules/unused-suppression.md"),
    security: false,
};

impl Rule for UnusedSuppression {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
}

/// A finding for a suppression that matched no finding.
pub fn unused(suppression: &Suppression) -> Finding {
    let rules = suppression.rules.join(", ");
    let scope = if suppression.file_wide {
        "in this file"
    } else {
        "on the line it covers"
    };
    Finding::new(
        &INFO,
        suppression.span,
        format!("this suppression of `{rules}` suppressed nothing: no such finding {scope}"),
    )
    .label("unused")
    .help("Remove the comment, or fix the rule name (see `corslint rule` for the list)")
}
