//! CORS003 unreadable-include: an nginx `include` that names no readable file.

use super::Rule;
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{Document, ProblemKind};

pub struct UnreadableInclude;

static INFO: RuleInfo = RuleInfo {
    code: "CORS003",
    name: "unreadable-include",
    severity: Severity::Info,
    summary: "An include that names no readable file: what it holds was not checked",
    doc: include_str!("../../rules/unreadable-include.md"),
    security: false,
};

impl Rule for UnreadableInclude {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_document(&self, document: &Document, out: &mut Vec<Finding>) {
        super::problems_of_kind(&INFO, document, ProblemKind::UnreadableInclude, out);
    }
}
