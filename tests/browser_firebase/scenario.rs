//! Firebase browser-oracle scenarios: a `firebase.json` (served by superstatic, the server of
//! Firebase's emulator), the static files of its public folder, and one `fetch()` a page on
//! another loopback origin makes. Stored as TOML in `tests/browser_firebase/scenarios/`.
//!
//! Texts may use `{PAGE_ORIGIN}` (the page's origin, `http://127.0.0.1:PORT`) and
//! `{API_ORIGIN}` (superstatic's).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use crate::verdicts::Verdict;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(skip)]
    pub name: String,
    /// What the scenario shows, in one sentence.
    pub description: String,
    /// The `firebase.json`, with placeholders.
    pub firebase: String,
    /// Files of the public folder (`public` in `firebase.json`), by path inside it.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    pub request: Request,
    pub expect: Expect,
}

/// The `fetch()` the page makes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub method: String,
    /// Path and query on superstatic.
    pub path: String,
    /// `Name: value` lines.
    #[serde(default)]
    pub headers: Vec<String>,
    #[serde(default)]
    pub body: Option<String>,
    /// `credentials: 'include'`.
    #[serde(default)]
    pub credentials: bool,
}

/// What the scenario records. Fields other than `browser` and `rules` are exceptions to the
/// default assertions and say why.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Chromium's verdict when the scenario was written.
    pub browser: Verdict,
    /// Rules `corslint check` must report (a rule `corslint rule` does not list is pending).
    #[serde(default)]
    pub rules: Vec<String>,
    /// Chromium blocks it and corslint rightly reports no error-level finding: why.
    #[serde(default)]
    pub blocked_without_error: Option<String>,
}

impl Request {
    pub fn header_pairs(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter_map(|h| h.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect()
    }
}

pub fn load_all(dir: &Path) -> Result<Vec<Scenario>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        let loaded = std::fs::read_to_string(&file)
            .map_err(|e| e.to_string())
            .and_then(|t| toml::from_str::<Scenario>(&t).map_err(|e| e.to_string()))
            .and_then(|mut s| {
                s.name = file
                    .file_stem()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                s.validate().map(|()| s)
            });
        match loaded {
            Ok(s) => out.push(s),
            Err(e) => problems.push(format!("{}: {e}", file.display())),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems.join("\n"))
    }
}

impl Scenario {
    fn validate(&self) -> Result<(), String> {
        let r = &self.request;
        if !r.path.starts_with('/') {
            return Err(format!("request.path `{}` must start with `/`", r.path));
        }
        if r.method.is_empty() || !r.method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(format!("request.method `{}` is not a method", r.method));
        }
        if r.headers.iter().any(|h| !h.contains(':')) {
            return Err("a request header is not `Name: value`".into());
        }
        if self.description.trim().is_empty() {
            return Err("no description".into());
        }
        if self.expect.browser == Verdict::Undetermined {
            return Err("expect.browser is `allowed` or `blocked`".into());
        }
        if self
            .expect
            .blocked_without_error
            .as_ref()
            .is_some_and(|r| r.trim().is_empty() || self.expect.browser != Verdict::Blocked)
        {
            return Err("expect.blocked_without_error needs a reason and a blocked request".into());
        }
        serde_json::from_str::<serde_json::Value>(&self.fill(&self.firebase, 1, 2))
            .map_err(|e| format!("firebase is not JSON: {e}"))?;
        Ok(())
    }

    pub fn fill(&self, text: &str, page_port: u16, api_port: u16) -> String {
        text.replace("{PAGE_ORIGIN}", &format!("http://127.0.0.1:{page_port}"))
            .replace("{API_ORIGIN}", &format!("http://127.0.0.1:{api_port}"))
    }
}
