//! CORS001 invalid-syntax: a file that cannot be parsed.

use super::Rule;
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{Document, ProblemKind};

pub struct InvalidSyntax;

static INFO: RuleInfo = RuleInfo {
    code: "CORS001",
    name: "invalid-syntax",
    severity: Severity::Error,
    summary: "A file that cannot be parsed: nothing in it was checked",
    doc: include_str!("../../rules/invalid-syntax.md"),
    security: false,
};

impl Rule for InvalidSyntax {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_document(&self, document: &Document, out: &mut Vec<Finding>) {
        super::problems_of_kind(&INFO, document, ProblemKind::Syntax, out);
    }
}
