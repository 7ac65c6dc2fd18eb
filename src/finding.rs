//! What a rule reports. Reports know only [`Finding`] and [`crate::source::SourceFile`].

use crate::source::Span;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// The stable identity and documentation of a rule.
#[derive(Debug)]
pub struct RuleInfo {
    /// Short alias: `CORS101`.
    pub code: &'static str,
    /// The stable name users type: `wildcard-with-credentials`.
    pub name: &'static str,
    pub severity: Severity,
    /// One line for `corslint rule` and SARIF `shortDescription`.
    pub summary: &'static str,
    /// The rule's page in `rules/` (Markdown).
    pub doc: &'static str,
    /// Origin-trust rules carry the `security` tag in SARIF.
    pub security: bool,
}

impl RuleInfo {
    pub fn url(&self) -> String {
        format!(
            "https://github.com/corslint/corslint/blob/main/rules/{}.md",
            self.name
        )
    }
}

/// A secondary location: the other half of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleInfo,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    /// The exact token to highlight.
    pub span: Span,
    pub label: Option<String>,
    pub secondary: Vec<Label>,
}

/// Findings live until the report is written, tens of thousands of them on a large tree:
/// their text is kept without the spare room `format!` leaves.
fn compact(mut text: String) -> String {
    text.shrink_to_fit();
    text
}

impl Finding {
    pub fn new(rule: &'static RuleInfo, span: Span, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: rule.severity,
            message: compact(message.into()),
            help: None,
            span,
            label: None,
            secondary: Vec::new(),
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(compact(help.into()));
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Finding {
        self.label = Some(compact(label.into()));
        self
    }

    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Finding {
        let label = Label {
            span,
            message: compact(message.into()),
        };
        if span != self.span && !self.secondary.contains(&label) {
            self.secondary.reserve_exact(1);
            self.secondary.push(label);
        }
        self
    }

    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }
}
