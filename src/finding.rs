//! What a rule reports. Reports know only [`Finding`] and [`crate::source::SourceFile`].

use crate::source::Span;
use rustc_hash::FxHashSet;
use serde::Serialize;
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

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
    pub message: Text,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleInfo,
    pub severity: Severity,
    pub message: Text,
    pub help: Option<Text>,
    /// The exact token to highlight.
    pub span: Span,
    pub label: Option<Text>,
    pub secondary: Vec<Label>,
}

/// The text of a finding. Shared: a large tree repeats the same mistake, and so the same
/// message and help, in many sites, and findings live until the report is written.
pub type Text = Arc<str>;

thread_local! {
    /// Distinct finding texts seen lately, one set per thread: rules run on every thread of
    /// the pool, and one shared set behind a lock made them queue for it. Bounded: a
    /// long-running language server lints forever, and sharing is only an economy.
    static TEXTS: RefCell<(u64, FxHashSet<Text>)> = RefCell::default();
}
const MAX_TEXTS: usize = 16 * 1024;

/// Which lint the threads' sets belong to: [`forget_texts`] moves it on, and each thread
/// empties its own set when it next sees the change.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The shared copy of `text`.
fn intern(text: String) -> Text {
    TEXTS.with_borrow_mut(|(generation, texts)| {
        let current = GENERATION.load(Ordering::Relaxed);
        if *generation != current || texts.len() >= MAX_TEXTS {
            texts.clear();
            *generation = current;
        }
        if let Some(known) = texts.get(text.as_str()) {
            return known.clone();
        }
        let text: Text = Arc::from(text);
        texts.insert(text.clone());
        text
    })
}

/// Lets go of the shared texts (findings keep theirs): called when a lint is over. This
/// thread's set is emptied now, the pool's threads' when they next intern a text.
pub fn forget_texts() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
    TEXTS.with_borrow_mut(|(_, texts)| texts.clear());
}

impl Finding {
    pub fn new(rule: &'static RuleInfo, span: Span, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: rule.severity,
            message: intern(message.into()),
            help: None,
            span,
            label: None,
            secondary: Vec::new(),
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(intern(help.into()));
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Finding {
        self.label = Some(intern(label.into()));
        self
    }

    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Finding {
        let label = Label {
            span,
            message: intern(message.into()),
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
