//! CORS004 non-utf8: bytes that are not UTF-8. nginx accepts any bytes and the hosting
//! platforms decode with replacement, so this is information, not an error: corslint reads the
//! bytes as U+FFFD and checks the rest.

use super::Rule;
use crate::finding::{Finding, RuleInfo, Severity};
use crate::model::{Document, ProblemKind};

pub struct NonUtf8;

static INFO: RuleInfo = RuleInfo {
    code: "CORS004",
    name: "non-utf8",
    severity: Severity::Info,
    summary: "Bytes that are not UTF-8: read as U+FFFD, the rest was checked",
    doc: include_str!("../../rules/non-utf8.md"),
    security: false,
};

impl Rule for NonUtf8 {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check_document(&self, document: &Document, out: &mut Vec<Finding>) {
        super::problems_of_kind(&INFO, document, ProblemKind::NotUtf8, out);
    }
}
