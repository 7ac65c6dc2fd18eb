//! `{"version": 1, "findings": [...], "summary": {...}}`.

use std::io::Write;

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::source::Sources;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    code: &'static str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    url: String,
    labels: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    infos: usize,
    total: usize,
}

pub fn write(findings: &[Finding], sources: &Sources, out: &mut dyn Write) -> std::io::Result<()> {
    let counts = super::Counts::of(findings);
    let output = Output {
        version: 1,
        findings: findings
            .iter()
            .map(|f| {
                let (start, end) = super::range(f, sources);
                JsonFinding {
                    rule: f.rule.name,
                    code: f.rule.code,
                    severity: f.severity,
                    message: &f.message,
                    help: f.help.as_deref(),
                    file: &sources.get(f.span.file).name,
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                    url: f.rule.url(),
                    labels: f
                        .secondary
                        .iter()
                        .map(|l| {
                            let file = sources.get(l.span.file);
                            let s = file.position(l.span.start as usize);
                            let e = file.position(l.span.end as usize);
                            JsonLabel {
                                message: &l.message,
                                file: &file.name,
                                line: s.line,
                                column: s.column,
                                end_line: e.line,
                                end_column: e.column,
                            }
                        })
                        .collect(),
                }
            })
            .collect(),
        summary: Summary {
            errors: counts.errors,
            warnings: counts.warnings,
            infos: counts.infos,
            total: counts.total(),
        },
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}
