//! Output formats. Reports know only [`Finding`]s and [`Sources`].

mod concise;
mod full;
pub mod github;
mod json;
mod sarif;

use std::io::Write;

use crate::finding::{Finding, Severity};
use crate::source::{Position, Sources};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Full,
    Concise,
    Json,
    Sarif,
    Github,
}

/// How `full` output looks.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

pub fn write(
    format: OutputFormat,
    findings: &[Finding],
    sources: &Sources,
    style: Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Full => full::write(findings, sources, style, out),
        OutputFormat::Concise => concise::write(findings, sources, out),
        OutputFormat::Json => json::write(findings, sources, out),
        OutputFormat::Sarif => sarif::write(findings, sources, out),
        OutputFormat::Github => github::write(findings, sources, out),
    }
}

/// Start and end positions of a finding's primary span (end is exclusive, 1-based).
pub fn range(finding: &Finding, sources: &Sources) -> (Position, Position) {
    let file = sources.get(finding.span.file);
    (
        file.position(finding.span.start as usize),
        file.position(finding.span.end as usize),
    )
}

/// Counts per severity, for the summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Counts {
    pub fn of(findings: &[Finding]) -> Counts {
        let mut c = Counts::default();
        for f in findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }

    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

/// "Found 3 problems (2 errors, 1 warning) in 4 files." / "All checks passed (4 files)."
pub fn summary(findings: &[Finding], files: usize) -> String {
    let c = Counts::of(findings);
    let files_text = plural(files, "file");
    if c.total() == 0 {
        return format!("All checks passed ({files_text} checked).");
    }
    let mut parts = Vec::new();
    if c.errors > 0 {
        parts.push(plural(c.errors, "error"));
    }
    if c.warnings > 0 {
        parts.push(plural(c.warnings, "warning"));
    }
    if c.infos > 0 {
        parts.push(plural(c.infos, "info"));
    }
    format!(
        "Found {} ({}) in {} checked.",
        plural(c.total(), "problem"),
        parts.join(", "),
        files_text
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else if word == "info" {
        format!("{n} infos")
    } else {
        format!("{n} {word}s")
    }
}
