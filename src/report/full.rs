//! The human format: miette's graphical report, with the exact token underlined, secondary
//! labels for the other half of the problem, the help and the rule's URL.

use std::fmt::Display;
use std::io::Write;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};

use crate::finding::{Finding, Severity};
use crate::source::{Sources, Span};

pub fn write(
    findings: &[Finding],
    sources: &Sources,
    style: super::Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_context_lines(1);
    for (i, f) in findings.iter().enumerate() {
        if i > 0 {
            out.write_all(b"\n")?;
        }
        let report = Report::new(f, sources);
        let mut text = String::new();
        if handler.render_report(&mut text, &report).is_err() {
            text = format!("{}: {}\n", f.rule.code, f.message);
        }
        out.write_all(text.as_bytes())?;
    }
    Ok(())
}

/// One finding as a miette diagnostic.
struct Report {
    code: &'static str,
    name: &'static str,
    severity: Severity,
    message: String,
    help: Option<String>,
    url: String,
    source: NamedSource<Arc<String>>,
    labels: Vec<LabeledSpan>,
    /// Secondary labels in other files (a header inherited from an included file).
    related: Vec<Related>,
}

struct Related {
    message: String,
    source: NamedSource<Arc<String>>,
    span: SourceSpan,
}

fn named(sources: &Sources, span: Span) -> NamedSource<Arc<String>> {
    let file = sources.get(span.file);
    NamedSource::new(file.name.clone(), file.text.clone())
}

fn source_span(span: Span) -> SourceSpan {
    (span.start as usize, span.len()).into()
}

impl Report {
    fn new(f: &Finding, sources: &Sources) -> Report {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            f.label.as_deref().cloned(),
            source_span(f.span),
        )];
        let mut related = Vec::new();
        for l in &f.secondary {
            if l.span.file == f.span.file {
                labels.push(LabeledSpan::new_with_span(
                    Some(l.message.to_string()),
                    source_span(l.span),
                ));
            } else {
                related.push(Related {
                    message: l.message.to_string(),
                    source: named(sources, l.span),
                    span: source_span(l.span),
                });
            }
        }
        Report {
            code: f.rule.code,
            name: f.rule.name,
            severity: f.severity,
            message: f.message.to_string(),
            help: f.help.as_deref().cloned(),
            url: f.rule.url(),
            source: named(sources, f.span),
            labels,
            related,
        }
    }
}

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Report {}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        Some(Box::new(format!("{}({})", self.name, self.code)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette_severity(self.severity))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        let help = match &self.help {
            Some(h) => format!("{h}\nsee {}", self.url),
            None => format!("see {}", self.url),
        };
        Some(Box::new(help))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

impl std::fmt::Debug for Related {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl Display for Related {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Related {}

impl Diagnostic for Related {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some(self.message.clone()), self.span),
        )))
    }
}
