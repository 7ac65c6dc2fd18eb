//! GitHub Actions workflow commands: one annotation per finding.
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=CODE rule-name::message`

use std::io::Write;

use crate::finding::{Finding, Severity};
use crate::source::Sources;

pub fn write(findings: &[Finding], sources: &Sources, out: &mut dyn Write) -> std::io::Result<()> {
    for f in findings {
        let (start, end) = super::range(f, sources);
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&sources.get(f.span.file).name),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(&format!("{} {}", f.rule.code, f.rule.name)),
            escape_data(&f.message)
        )?;
    }
    Ok(())
}

/// Message text: `%`, CR and LF are escaped.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values: also `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(
            escape_data("100% done\r\nnext: a, b"),
            "100%25 done%0D%0Anext: a, b"
        );
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
