//! The language server, spoken to over stdio as an editor does: initialize, didOpen,
//! publishDiagnostics, didChange, codeAction, didClose, shutdown, exit.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_corslint"))
            .arg("server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        length = v.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages: rx,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next message matching `pred` (others are skipped), within 20 seconds.
    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let m = self
                .messages
                .recv_timeout(Duration::from_secs(20))
                .expect("the server answered in time");
            if pred(&m) {
                return m;
            }
        }
    }

    fn diagnostics(&mut self) -> Vec<Value> {
        let m = self.wait(|m| m["method"] == "textDocument/publishDiagnostics");
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[test]
fn diagnostics_follow_the_text_and_quick_fix_suppresses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    // "é" before the `*` makes UTF-16 and character columns differ from bytes.
    let broken = "server {\n  # é\n  add_header Access-Control-Allow-Origin * always; # é\n  add_header Access-Control-Allow-Credentials true always;\n}\n";
    std::fs::write(&path, broken).unwrap();
    let uri = format!("file://{}", path.display());

    let mut c = Client::start();
    c.send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": null, "rootUri": null,
            "capabilities": {"general": {"positionEncodings": ["utf-16"]}}
        }}),
    );
    let init = c.wait(|m| m["id"] == 1);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    c.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));

    c.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": uri, "languageId": "nginx", "version": 1, "text": broken}
        }}),
    );
    let diagnostics = c.diagnostics();
    let wildcard = diagnostics
        .iter()
        .find(|d| d["code"] == "CORS101")
        .expect("wildcard-with-credentials is published");
    assert_eq!(wildcard["severity"], 1);
    assert_eq!(wildcard["source"], "corslint");
    assert_eq!(
        wildcard["range"]["start"],
        json!({"line": 2, "character": 41})
    );
    assert_eq!(
        wildcard["range"]["end"],
        json!({"line": 2, "character": 42})
    );
    assert!(
        wildcard["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("rules/wildcard-with-credentials.md")
    );
    assert_eq!(
        wildcard["relatedInformation"][0]["message"],
        "credentials enabled here"
    );
    assert_eq!(
        wildcard["relatedInformation"][0]["location"]["range"]["start"],
        json!({"line": 3, "character": 46})
    );

    // The quick fix inserts a suppression comment above the line.
    c.send(
        json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/codeAction", "params": {
            "textDocument": {"uri": uri},
            "range": wildcard["range"],
            "context": {"diagnostics": [wildcard]}
        }}),
    );
    let actions = c.wait(|m| m["id"] == 2);
    let edit = &actions["result"][0]["edit"]["changes"][&uri][0];
    assert_eq!(
        edit["newText"],
        "  # corslint: ignore[wildcard-with-credentials] reason\n"
    );
    assert_eq!(edit["range"]["start"], json!({"line": 2, "character": 0}));

    // Typing the fix: diagnostics follow the unsaved text.
    let fixed = broken.replace("Origin * always", "Origin https://app.example.com always");
    c.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"text": fixed}]
        }}),
    );
    let diagnostics = c.diagnostics();
    assert!(
        diagnostics.iter().all(|d| d["code"] != "CORS101"),
        "{diagnostics:?}"
    );

    // A syntax error while typing is a diagnostic too.
    c.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": 3},
            "contentChanges": [{"text": "server {\n  add_header X \"unterminated\n"}]
        }}),
    );
    let diagnostics = c.diagnostics();
    assert_eq!(diagnostics[0]["code"], "CORS001");

    c.send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {
            "textDocument": {"uri": uri}
        }}),
    );
    assert!(c.diagnostics().is_empty());

    c.send(json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown", "params": null}));
    let shutdown = c.wait(|m| m["id"] == 3);
    assert!(shutdown["result"].is_null());
    c.send(json!({"jsonrpc": "2.0", "method": "exit", "params": null}));
    let status = c.child.wait().unwrap();
    assert!(status.success());
}
