//! CORS002 invalid-config: a shape the platform itself rejects or silently drops.

use super::Rule;
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{Document, ProblemKind};

pub struct InvalidConfig;

static INFO: RuleInfo = RuleInfo {
    code: "CORS002",
    name: "invalid-config",
    severity: Severity::Error,
    summary: "A shape the platform itself rejects or silently drops",
    doc: include_str!("../../rules/invalid-config.md"),
    security: false,
};

impl Rule for InvalidConfig {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_document(&self, document: &Document, out: &mut Vec<Finding>) {
        super::problems_of_kind(&INFO, document, ProblemKind::Config, out);
    }
}
