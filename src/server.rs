//! `corslint server`: a language server over stdio. Lints the editor's text on open, change
//! and save, publishes diagnostics (severity, code, rule link, related information from
//! secondary labels, positions in the negotiated encoding), and offers a quick fix that
//! inserts a suppression comment where the format has comments.

use std::collections::HashMap;
use std::error::Error;
use std::path::{Path, PathBuf};

use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, Diagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, InitializeParams, Location, NumberOrString, Position, PositionEncodingKind,
    PublishDiagnosticsParams, Range, SaveOptions, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit, Uri,
    WorkspaceEdit,
};

use crate::finding::Severity;
use crate::formats::Format;
use crate::settings::Overrides;
use crate::source::{SourceFile, Span};
use crate::{Input, lint};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// Runs the server until the client says `exit`.
pub fn run() -> Result<()> {
    let (connection, io_threads) = Connection::stdio();
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    let utf8 = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .is_some_and(|encodings| encodings.contains(&PositionEncodingKind::UTF8));
    let capabilities = ServerCapabilities {
        position_encoding: Some(if utf8 {
            PositionEncodingKind::UTF8
        } else {
            PositionEncodingKind::UTF16
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(true),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    };
    connection.initialize_finish(
        id,
        serde_json::json!({
            "capabilities": capabilities,
            "serverInfo": { "name": "corslint", "version": env!("CARGO_PKG_VERSION") },
        }),
    )?;
    Server {
        connection: &connection,
        utf8,
        documents: HashMap::new(),
    }
    .main_loop()?;
    // The writer thread ends when the last sender is gone.
    drop(connection);
    io_threads.join()?;
    Ok(())
}

struct Server<'c> {
    connection: &'c Connection,
    utf8: bool,
    documents: HashMap<String, String>,
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<()> {
        for message in &self.connection.receiver {
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    self.request(request)?;
                }
                Message::Notification(n) => self.notification(n)?,
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    fn notification(&mut self, n: Notification) -> Result<()> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params)?;
                let uri = p.text_document.uri;
                self.documents
                    .insert(uri.as_str().to_string(), p.text_document.text);
                self.publish(&uri)?;
            }
            DidChangeTextDocument::METHOD => {
                let p: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(n.params)?;
                let uri = p.text_document.uri;
                if let Some(change) = p.content_changes.into_iter().last() {
                    self.documents.insert(uri.as_str().to_string(), change.text);
                }
                self.publish(&uri)?;
            }
            DidSaveTextDocument::METHOD => {
                let p: lsp_types::DidSaveTextDocumentParams = serde_json::from_value(n.params)?;
                let uri = p.text_document.uri;
                if let Some(text) = p.text {
                    self.documents.insert(uri.as_str().to_string(), text);
                }
                self.publish(&uri)?;
            }
            DidCloseTextDocument::METHOD => {
                let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params)?;
                self.documents.remove(p.text_document.uri.as_str());
                self.send_diagnostics(p.text_document.uri, Vec::new())?;
            }
            _ => {}
        }
        Ok(())
    }

    fn request(&mut self, request: Request) -> Result<()> {
        let result = match request.method.as_str() {
            CodeActionRequest::METHOD => {
                let p: CodeActionParams = serde_json::from_value(request.params)?;
                serde_json::to_value(self.code_actions(&p))?
            }
            _ => {
                let response = Response::new_err(
                    request.id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("corslint does not handle {}", request.method),
                );
                self.connection.sender.send(Message::Response(response))?;
                return Ok(());
            }
        };
        self.connection
            .sender
            .send(Message::Response(Response::new_ok(request.id, result)))?;
        Ok(())
    }

    fn publish(&self, uri: &Uri) -> Result<()> {
        let Some(text) = self.documents.get(uri.as_str()) else {
            return Ok(());
        };
        let diagnostics = self.diagnostics(uri, text);
        self.send_diagnostics(uri.clone(), diagnostics)
    }

    fn send_diagnostics(&self, uri: Uri, diagnostics: Vec<Diagnostic>) -> Result<()> {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        };
        let n = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
        self.connection.sender.send(Message::Notification(n))?;
        Ok(())
    }

    fn diagnostics(&self, uri: &Uri, text: &str) -> Vec<Diagnostic> {
        let path = uri_to_path(uri.as_str());
        if !is_supported(&path, text) {
            return Vec::new();
        }
        let report = lint(
            &[Input::Buffer {
                path: path.clone(),
                text: text.to_string(),
            }],
            &Overrides::default(),
        );
        let Some((root, _)) = report.sources.iter().next() else {
            return Vec::new();
        };
        report
            .findings
            .iter()
            .filter(|f| f.span.file == root)
            .map(|f| {
                let file = report.sources.get(f.span.file);
                let related: Vec<DiagnosticRelatedInformation> = f
                    .secondary
                    .iter()
                    .map(|l| {
                        let other = report.sources.get(l.span.file);
                        let other_uri = if l.span.file == root {
                            uri.clone()
                        } else {
                            other
                                .path
                                .as_deref()
                                .and_then(|p| path_to_uri(p).parse().ok())
                                .unwrap_or_else(|| uri.clone())
                        };
                        DiagnosticRelatedInformation {
                            location: Location {
                                uri: other_uri,
                                range: self.range(other, l.span),
                            },
                            message: l.message.to_string(),
                        }
                    })
                    .collect();
                let message = match &f.help {
                    Some(help) => format!("{}\n\nhelp: {help}", f.message),
                    None => f.message.to_string(),
                };
                Diagnostic {
                    range: self.range(file, f.span),
                    severity: Some(match f.severity {
                        Severity::Error => DiagnosticSeverity::ERROR,
                        Severity::Warning => DiagnosticSeverity::WARNING,
                        Severity::Info => DiagnosticSeverity::INFORMATION,
                    }),
                    code: Some(NumberOrString::String(f.rule.code.to_string())),
                    code_description: f
                        .rule
                        .url()
                        .parse()
                        .ok()
                        .map(|href| CodeDescription { href }),
                    source: Some("corslint".to_string()),
                    message,
                    related_information: (!related.is_empty()).then_some(related),
                    tags: None,
                    data: Some(serde_json::json!({ "rule": f.rule.name })),
                }
            })
            .collect()
    }

    /// A span as an LSP range in the negotiated encoding (UTF-8 bytes or UTF-16 units).
    fn range(&self, file: &SourceFile, span: Span) -> Range {
        Range {
            start: self.position(file, span.start as usize),
            end: self.position(file, span.end as usize),
        }
    }

    fn position(&self, file: &SourceFile, offset: usize) -> Position {
        let p = file.position(offset);
        let line = file.line_text(p.line);
        let prefix: String = line.chars().take(p.column - 1).collect();
        let character = if self.utf8 {
            prefix.len()
        } else {
            prefix.encode_utf16().count()
        };
        Position {
            line: (p.line - 1) as u32,
            character: character as u32,
        }
    }

    /// A quick fix per diagnostic: `# corslint: ignore[rule] reason` on the line before.
    // `WorkspaceEdit::changes` is keyed by `Uri`, which clippy sees as interior-mutable.
    #[allow(clippy::mutable_key_type)]
    fn code_actions(&self, p: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &p.text_document.uri;
        let Some(text) = self.documents.get(uri.as_str()) else {
            return Vec::new();
        };
        let path = uri_to_path(uri.as_str());
        let has_comments = format_of(&path, text).is_some_and(Format::has_comments);
        if !has_comments {
            return Vec::new();
        }
        p.context
            .diagnostics
            .iter()
            .filter(|d| d.source.as_deref() == Some("corslint"))
            .filter_map(|d| {
                let rule = d.data.as_ref()?.get("rule")?.as_str()?.to_string();
                let line = d.range.start.line as usize;
                let line_text = text.lines().nth(line).unwrap_or("");
                let indent: String = line_text
                    .chars()
                    .take_while(|c| c.is_whitespace())
                    .collect();
                let edit = TextEdit {
                    range: Range {
                        start: Position {
                            line: line as u32,
                            character: 0,
                        },
                        end: Position {
                            line: line as u32,
                            character: 0,
                        },
                    },
                    new_text: format!("{indent}# corslint: ignore[{rule}] reason\n"),
                };
                let mut changes = HashMap::new();
                changes.insert(uri.clone(), vec![edit]);
                Some(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Ignore {rule} on this line"),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![d.clone()]),
                    edit: Some(WorkspaceEdit {
                        changes: Some(changes),
                        ..WorkspaceEdit::default()
                    }),
                    ..CodeAction::default()
                }))
            })
            .collect()
    }
}

fn format_of(path: &Path, text: &str) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy();
    Format::for_name(&name)
        .or_else(|| crate::formats::looks_like_nginx(text).then_some(Format::Nginx))
}

fn is_supported(path: &Path, text: &str) -> bool {
    format_of(path, text).is_some()
}

/// `file:///a%20b/x` → `/a b/x`.
pub fn uri_to_path(uri: &str) -> PathBuf {
    let raw = uri.strip_prefix("file://").unwrap_or(uri);
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&raw[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    PathBuf::from(String::from_utf8_lossy(&out).into_owned())
}

fn path_to_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_paths() {
        assert_eq!(
            uri_to_path("file:///a%20b/vercel.json"),
            PathBuf::from("/a b/vercel.json")
        );
        assert_eq!(path_to_uri(Path::new("/a b/x")), "file:///a%20b/x");
    }
}
