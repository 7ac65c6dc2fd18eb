//! SARIF 2.1.0 for code scanning: every rule in `tool.driver.rules` with its page as `help`,
//! results with repository-relative URIs and exact regions.

use std::io::Write;

use serde::Serialize;

use crate::finding::{Finding, RuleInfo, Severity};
use crate::source::Sources;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    default_configuration: Configuration,
    properties: Properties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Properties {
    tags: Vec<&'static str>,
    precision: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The first paragraph under "What it does" in a rule page.
fn description(rule: &RuleInfo) -> String {
    let body = rule
        .doc
        .split("## What it does")
        .nth(1)
        .unwrap_or(rule.doc)
        .trim_start();
    body.split("\n\n")
        .next()
        .unwrap_or(rule.summary)
        .replace('\n', " ")
}

fn location(
    sources: &Sources,
    span: crate::source::Span,
    message: Option<String>,
    id: Option<usize>,
) -> Location {
    let file = sources.get(span.file);
    let s = file.position(span.start as usize);
    let e = file.position(span.end as usize);
    Location {
        id,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: file.name.trim_start_matches('/').to_string(),
                uri_base_id: "%SRCROOT%",
            },
            region: Region {
                start_line: s.line,
                start_column: s.column,
                end_line: e.line,
                end_column: e.column,
            },
        },
        message: message.map(|text| Text { text }),
    }
}

pub fn write(findings: &[Finding], sources: &Sources, out: &mut dyn Write) -> std::io::Result<()> {
    let rules: Vec<&'static RuleInfo> = crate::rules::all().collect();
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "corslint",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: "https://github.com/corslint/corslint",
                    rules: rules
                        .iter()
                        .map(|r| Rule {
                            id: r.code,
                            name: r.name,
                            short_description: Text {
                                text: r.summary.to_string(),
                            },
                            full_description: Text {
                                text: description(r),
                            },
                            help: Help {
                                text: r.doc.to_string(),
                                markdown: r.doc.to_string(),
                            },
                            help_uri: r.url(),
                            default_configuration: Configuration {
                                level: level(r.severity),
                            },
                            properties: Properties {
                                tags: if r.security {
                                    vec!["security", "cors"]
                                } else {
                                    vec!["cors"]
                                },
                                precision: "high",
                                security_severity: r.security.then(|| match r.severity {
                                    Severity::Error => "8.1".to_string(),
                                    Severity::Warning => "5.3".to_string(),
                                    Severity::Info => "3.1".to_string(),
                                }),
                            },
                        })
                        .collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results: findings
                .iter()
                .map(|f| SarifResult {
                    rule_id: f.rule.code,
                    rule_index: rules
                        .iter()
                        .position(|r| r.code == f.rule.code)
                        .unwrap_or(0),
                    level: level(f.severity),
                    message: Text {
                        text: match &f.help {
                            Some(help) => format!("{} — {}", f.message, help),
                            None => f.message.to_string(),
                        },
                    },
                    locations: vec![location(sources, f.span, None, None)],
                    related_locations: f
                        .secondary
                        .iter()
                        .enumerate()
                        .map(|(i, l)| {
                            location(sources, l.span, Some(l.message.to_string()), Some(i + 1))
                        })
                        .collect(),
                })
                .collect(),
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
