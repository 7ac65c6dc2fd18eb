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
    /// A boxed slice, not a vector: one word less in every finding; few have any.
    pub secondary: Box<[Label]>,
}

/// The text of a finding. Shared: a large tree repeats the same mistake, and so the same
/// message and help, in many sites, and findings live until the report is written. A thin
/// pointer (`Arc<str>` is two words): a finding holds three, and tens of thousands of
/// findings are kept.
pub type Text = Arc<String>;

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
        if let Some(known) = texts.get(&text) {
            return known.clone();
        }
        let text: Text = Arc::new(text);
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
            secondary: Box::default(),
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
            let mut secondary = std::mem::take(&mut self.secondary).into_vec();
            secondary.reserve_exact(1);
            secondary.push(label);
            self.secondary = secondary.into_boxed_slice();
        }
        self
    }

    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }
}

/// Keeps the first finding of each rule at each span, in order: many probes or sites lead
/// to one token. The indices are sorted, not the findings, and no set of every finding is
/// built: this runs as each document's findings are joined (for an nginx tree, as its lint
/// ends), while those of the documents before it are held, so fresh memory raises the peak.
pub fn keep_first_per_rule_and_span(findings: &mut Vec<Finding>) {
    let key = |i: u32| {
        let f = &findings[i as usize];
        (f.span, f.rule.code)
    };
    let mut order: Vec<u32> = (0..findings.len() as u32).collect();
    // The index last: of equal keys, the first found comes first.
    order.sort_unstable_by_key(|&i| (key(i), i));
    let mut keep = vec![true; findings.len()];
    for pair in order.windows(2) {
        if key(pair[0]) == key(pair[1]) {
            keep[pair[1] as usize] = false;
        }
    }
    let mut keep = keep.into_iter();
    findings.retain(|_| keep.next().unwrap_or(true));
}

/// [`keep_first_per_rule_and_span`] for findings already sorted so that those of one rule
/// at one file and start are next to each other (the report's order).
pub fn keep_first_per_rule_and_span_sorted(findings: &mut Vec<Finding>) {
    // The spans kept so far in the current run of findings of one rule at one start: a
    // handful at most.
    let mut kept: Vec<Span> = Vec::new();
    let mut run: Option<(&'static str, Span)> = None;
    let mut keep = Vec::with_capacity(findings.len());
    for f in findings.iter() {
        let same_run = run.is_some_and(|(code, start)| {
            code == f.rule.code && start.file == f.span.file && start.start == f.span.start
        });
        if !same_run {
            kept.clear();
            run = Some((f.rule.code, f.span));
        }
        let first = !kept.contains(&f.span);
        if first {
            kept.push(f.span);
        }
        keep.push(first);
    }
    let mut keep = keep.into_iter();
    findings.retain(|_| keep.next().unwrap_or(true));
}

#[cfg(test)]
mod tests {
    use super::{Finding, RuleInfo, Severity};
    use crate::source::{FileId, Span};

    const fn rule(code: &'static str) -> RuleInfo {
        RuleInfo {
            code,
            name: code,
            severity: Severity::Warning,
            summary: "",
            doc: "",
            security: false,
        }
    }
    static A: RuleInfo = rule("A");
    static B: RuleInfo = rule("B");

    fn at(rule: &'static RuleInfo, file: u32, range: std::ops::Range<usize>, n: usize) -> Finding {
        Finding::new(rule, Span::new(FileId(file), range), format!("{n}"))
    }

    fn messages(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.message.as_str()).collect()
    }

    /// One rule at one span, found several times, apart and in a row; the same span for
    /// another rule, another end at the same start, the same range in another file.
    fn repeated() -> Vec<Finding> {
        vec![
            at(&A, 0, 5..9, 0),
            at(&B, 0, 5..9, 1),
            at(&A, 0, 5..7, 2),
            at(&A, 1, 5..9, 3),
            at(&A, 0, 5..9, 4),
            at(&A, 0, 5..7, 5),
            at(&B, 0, 5..9, 6),
            at(&B, 0, 5..9, 7),
            at(&A, 0, 1..2, 8),
        ]
    }

    #[test]
    fn the_first_of_each_rule_and_span_is_kept_in_order() {
        let mut findings = repeated();
        super::keep_first_per_rule_and_span(&mut findings);
        assert_eq!(messages(&findings), ["0", "1", "2", "3", "8"]);
    }

    #[test]
    fn sorted_findings_keep_the_same_ones() {
        // The report's order: file, start, rule, then as found.
        let mut findings = repeated();
        findings.sort_by_key(|f| (f.span.file, f.span.start, f.rule.code));
        let mut sorted = findings.clone();
        super::keep_first_per_rule_and_span_sorted(&mut sorted);
        super::keep_first_per_rule_and_span(&mut findings);
        assert_eq!(messages(&sorted), ["8", "0", "2", "1", "3"]);
        assert_eq!(messages(&sorted), messages(&findings));
    }
}
