//! Helpers the integration tests share: lint a text and list findings as `rule@line:column`,
//! run the binary, find the shared corpus.

// Each test binary uses its own subset of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use corslint::settings::Overrides;
use corslint::{Input, Report, lint};

/// Lints `text` as a file named `name`; every finding as `rule@line:column`.
pub fn findings_as(name: &str, text: &str, overrides: &Overrides) -> Vec<String> {
    let report = lint(
        &[Input::Stdin {
            name: name.into(),
            text: text.into(),
        }],
        overrides,
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    positions(&report)
}

/// Every finding of a report as `rule@line:column`.
pub fn positions(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|f| {
            let p = report
                .sources
                .get(f.span.file)
                .position(f.span.start as usize);
            format!("{}@{}:{}", f.rule.name, p.line, p.column)
        })
        .collect()
}

/// The findings of one rule.
pub fn of(rule: &str, all: &[String]) -> Vec<String> {
    all.iter()
        .filter(|f| f.starts_with(&format!("{rule}@")))
        .cloned()
        .collect()
}

/// The `corslint` binary, without colour and without an output-format override.
pub fn corslint() -> Command {
    let mut cmd = Command::cargo_bin("corslint").unwrap();
    cmd.env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("CORSLINT_OUTPUT_FORMAT");
    cmd
}

/// Exit code, standard output and standard error.
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `../shared/corpus` beside the checkout, or None (printing that the test was skipped).
/// With CORSLINT_REQUIRE_CORPUS=1 (CI) a missing corpus is a failure.
pub fn corpus() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if root.join("SOURCES.md").is_file() {
        return Some(root);
    }
    assert!(
        std::env::var("CORSLINT_REQUIRE_CORPUS").as_deref() != Ok("1"),
        "../shared/corpus not found, and CORSLINT_REQUIRE_CORPUS=1"
    );
    println!("skipped: ../shared/corpus not found");
    None
}

/// One finding of one rule, as the rule tests look at it.
pub struct Hit {
    /// `line:column` of the primary span.
    pub at: String,
    pub severity: String,
    pub message: String,
    /// The text under each secondary label.
    pub secondary: Vec<String>,
}

/// The findings of `rule` for `text` linted as a file named `name`.
pub fn hits_with(name: &str, text: &str, overrides: &Overrides, rule: &str) -> Vec<Hit> {
    let report = lint(
        &[Input::Stdin {
            name: name.into(),
            text: text.into(),
        }],
        overrides,
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    report
        .findings
        .iter()
        .filter(|f| f.rule.name == rule)
        .map(|f| {
            let src = report.sources.get(f.span.file);
            let p = src.position(f.span.start as usize);
            Hit {
                at: format!("{}:{}", p.line, p.column),
                severity: f.severity.as_str().to_string(),
                message: f.message.to_string(),
                secondary: f
                    .secondary
                    .iter()
                    .map(|l| src.slice(l.span).to_string())
                    .collect(),
            }
        })
        .collect()
}

/// The findings of `rule` for an nginx text.
pub fn hits(text: &str, rule: &str) -> Vec<Hit> {
    hits_with("nginx.conf", text, &Overrides::default(), rule)
}

/// `line:column:severity` of every finding of the rule for an nginx text.
pub fn at(text: &str, rule: &str) -> Vec<String> {
    hits(text, rule)
        .into_iter()
        .map(|h| format!("{}:{}", h.at, h.severity))
        .collect()
}
