//! Browser-oracle scenarios: one hosting configuration and one `fetch()` a page makes against
//! it, stored as TOML in `tests/browser/scenarios/`.
//!
//! The configuration text holds placeholders the harness fills in for each run:
//! `{API_PORT}` (the port the API listens on, on 127.0.0.1), `{OTHER_PORT}` (a second port the
//! API's nginx may listen on, which the page does not request), `{BACKEND}` (`127.0.0.1:PORT` of
//! the stand-in backend, for `proxy_pass http://{BACKEND};`), `{PAGE_ORIGIN}` (the page's
//! origin, `http://127.0.0.1:PORT`) and `{DIR}` (the scenario's folder, for files listed under
//! `[files]`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The placeholders a configuration may use.
pub const PLACEHOLDERS: [&str; 5] = [
    "{API_PORT}",
    "{OTHER_PORT}",
    "{BACKEND}",
    "{PAGE_ORIGIN}",
    "{DIR}",
];

/// Which server answers the API: the platform whose configuration is linted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// `config` is one or more nginx `server` blocks, included in the harness's `http` block.
    Nginx,
    // Issue 6 part 5 adds `Firebase`: `config` is a `firebase.json` served by superstatic
    // (`superstatic serve DIR --port N --config firebase.json`). The harness's `start_api`
    // is the one place that needs a new arm; the page origin and the stand-in backend stay
    // nginx server blocks.
}

pub use crate::verdicts::Verdict;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// From the file name, without `.toml`.
    #[serde(skip)]
    pub name: String,
    #[serde(skip)]
    pub file: PathBuf,
    /// What the scenario shows, in one sentence.
    pub description: String,
    pub platform: Platform,
    /// The API's configuration, with placeholders.
    pub config: String,
    /// Extra files written next to the configuration (`htpasswd`), with placeholders.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    pub request: Request,
    pub expect: Expect,
}

/// The `fetch()` the page makes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// As passed to `fetch()` (the browser uppercases DELETE, GET, HEAD, OPTIONS, POST, PUT).
    pub method: String,
    /// Path and query on the API server.
    pub path: String,
    /// `Name: value` lines.
    #[serde(default)]
    pub headers: Vec<String>,
    #[serde(default)]
    pub body: Option<String>,
    /// `credentials: 'include'`.
    #[serde(default)]
    pub credentials: bool,
    /// The status the stand-in backend answers every request with (`proxy_pass` targets).
    #[serde(default = "ok")]
    pub backend_status: u16,
    /// The page makes the request from a sandboxed iframe: its origin is `null`.
    #[serde(default)]
    pub sandboxed: bool,
}

fn ok() -> u16 {
    200
}

/// What the scenario records about the browser and corslint. Every field other than
/// `browser` and `rules` is an exception to the harness's default assertions and must say why.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Chromium's verdict, as seen when the scenario was written (a different one fails the
    /// scenario: either the harness or Chromium changed).
    pub browser: Verdict,
    /// Rules `corslint check` must report on the configuration. A rule that `corslint rule`
    /// does not list yet is shown as pending instead.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Chromium allows the request, and the configuration is still an error (a security hole
    /// such as a reflected origin): `corslint check` must report an error-level finding.
    #[serde(default)]
    pub error_while_allowed: Option<String>,
    /// Chromium blocks the request, and `corslint check` rightly reports no error-level
    /// finding (the origin is not on the allowlist, the rule is a warning by design).
    #[serde(default)]
    pub blocked_without_error: Option<String>,
    /// `corslint simulate` cannot decide this request, and why: its verdict is then not
    /// compared (its reason still is).
    #[serde(default)]
    pub undetermined: Option<String>,
}

impl Request {
    /// The request's `Origin`: the page's, or `null` from a sandboxed iframe.
    pub fn origin(&self, values: &Values) -> String {
        if self.sandboxed {
            "null".to_string()
        } else {
            values.page_origin()
        }
    }

    /// The `(name, value)` pairs of `headers`.
    pub fn header_pairs(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .filter_map(|h| h.split_once(':'))
            .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
            .collect()
    }
}

/// Reads every `*.toml` in `dir`, sorted by file name, and checks each is well formed.
pub fn load_all(dir: &Path) -> Result<Vec<Scenario>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut scenarios = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        match load(&file) {
            Ok(s) => scenarios.push(s),
            Err(e) => problems.push(format!("{}: {e}", file.display())),
        }
    }
    if problems.is_empty() {
        Ok(scenarios)
    } else {
        Err(problems.join("\n"))
    }
}

fn load(file: &Path) -> Result<Scenario, String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let mut scenario: Scenario = toml::from_str(&text).map_err(|e| e.to_string())?;
    scenario.name = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    scenario.file = file.to_path_buf();
    scenario.validate()?;
    Ok(scenario)
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
        for h in &r.headers {
            if !h.contains(':') {
                return Err(format!("request header `{h}` is not `Name: value`"));
            }
        }
        if !(200..600).contains(&r.backend_status) {
            return Err(format!("backend_status {} out of range", r.backend_status));
        }
        match self.platform {
            Platform::Nginx => {
                if !self.config.contains("listen 127.0.0.1:{API_PORT}") {
                    return Err("the API server must `listen 127.0.0.1:{API_PORT};`".into());
                }
                // `corslint simulate` picks the site whose `server_name` is the URL's host.
                if !self.config.contains("server_name 127.0.0.1;") {
                    return Err("the API server must say `server_name 127.0.0.1;`".into());
                }
            }
        }
        let e = &self.expect;
        if e.error_while_allowed.is_some() && e.browser != Verdict::Allowed {
            return Err("expect.error_while_allowed is for requests the browser allows".into());
        }
        if e.blocked_without_error.is_some() && e.browser != Verdict::Blocked {
            return Err("expect.blocked_without_error is for requests the browser blocks".into());
        }
        if e.browser == Verdict::Undetermined {
            return Err("expect.browser is `allowed` or `blocked`".into());
        }
        let reasons = [
            &e.error_while_allowed,
            &e.blocked_without_error,
            &e.undetermined,
        ];
        if reasons
            .iter()
            .any(|r| r.as_ref().is_some_and(|r| r.trim().is_empty()))
        {
            return Err("an expectation's exception needs its reason".into());
        }
        Ok(())
    }

    /// The configuration (or an extra file) with the run's values in place of placeholders.
    pub fn fill(&self, text: &str, values: &Values) -> String {
        text.replace("{API_PORT}", &values.api_port.to_string())
            .replace("{OTHER_PORT}", &values.other_port.to_string())
            .replace("{BACKEND}", &format!("127.0.0.1:{}", values.backend_port))
            .replace("{PAGE_ORIGIN}", &values.page_origin())
            .replace("{DIR}", &values.dir.display().to_string())
    }
}

/// One run's ports and folder.
#[derive(Debug, Clone)]
pub struct Values {
    pub api_port: u16,
    pub other_port: u16,
    pub backend_port: u16,
    pub page_port: u16,
    pub dir: PathBuf,
}

impl Values {
    pub fn page_origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.page_port)
    }

    pub fn api_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.api_port)
    }
}
