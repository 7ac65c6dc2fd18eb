//! `file:line:col: severity[CODE]: message (rule-name)`, one per line: what editors' problem
//! matchers read.

use std::io::Write;

use crate::finding::Finding;
use crate::source::Sources;

pub fn write(findings: &[Finding], sources: &Sources, out: &mut dyn Write) -> std::io::Result<()> {
    for f in findings {
        let (start, _) = super::range(f, sources);
        writeln!(
            out,
            "{}:{}:{}: {}[{}]: {} ({})",
            sources.get(f.span.file).name,
            start.line,
            start.column,
            f.severity.as_str(),
            f.rule.code,
            f.message,
            f.rule.name
        )?;
    }
    Ok(())
}
