//! One scenario end to end: start the servers, load the page in headless Chromium, read its
//! verdict and console message, run `corslint simulate` and `corslint check` on the same
//! configuration, and compare.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use super::chromium;
use super::process;
use super::scenario::{Scenario, Values};
use super::stack;
use super::verdicts::{self, Verdict, cause, short};

/// Chromium gets this long (wall clock) to load the page and dump it.
/// corslint runs on one small file.
const CORSLINT_LIMIT: Duration = Duration::from_secs(20);
/// What Chromium prints before the reason of a CORS failure.
const BLOCKED: &str = "has been blocked by CORS policy: ";

pub struct Tools {
    pub nginx: PathBuf,
    pub chromium: PathBuf,
    pub corslint: PathBuf,
    /// Rule names `corslint rule` lists (rules added later make pending checks strict).
    pub rules: BTreeSet<String>,
}

impl Tools {
    pub fn find(corslint: &str) -> Result<Tools, String> {
        let nginx = process::find_tool("CORSLINT_NGINX", &["nginx"], &["/usr/sbin", "/sbin"])
            .ok_or("nginx not found (install it, or set CORSLINT_NGINX to its path)")?;
        let chromium = process::find_tool(
            "CORSLINT_CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
            &[],
        )
        .ok_or("Chromium not found (install it, or set CORSLINT_CHROMIUM to its path)")?;
        let corslint = PathBuf::from(corslint);
        let out = Command::new(&corslint)
            .arg("rule")
            .output()
            .map_err(|e| format!("corslint rule: {e}"))?;
        let rules = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
            .collect();
        Ok(Tools {
            nginx,
            chromium,
            corslint,
            rules,
        })
    }
}

/// What Chromium did.
#[derive(Debug, Clone)]
pub struct Browser {
    pub verdict: Verdict,
    /// `ok 200`, or `error TypeError: Failed to fetch`.
    pub outcome: String,
    /// The text after "has been blocked by CORS policy: " (the first such console line).
    pub reason: Option<String>,
    /// Every console line Chromium printed (deprecation warnings included).
    pub console: Vec<String>,
}

/// What `corslint simulate` said.
#[derive(Debug, Clone)]
pub struct Simulated {
    pub verdict: Verdict,
    pub reason: Option<String>,
    pub json: String,
}

/// A finding of `corslint check`.
#[derive(Debug, Clone)]
pub struct Found {
    pub rule: String,
    pub severity: String,
    pub line: u64,
}

/// One scenario's run and its comparison.
#[derive(Debug)]
pub struct Row {
    pub name: String,
    pub browser: Option<Browser>,
    pub simulated: Option<Simulated>,
    pub findings: Vec<Found>,
    /// Assertions that failed.
    pub failures: Vec<String>,
    /// Checks that wait for a rule corslint does not have yet.
    pub pending: Vec<String>,
    /// Same cause, different words: corslint's quote of Chromium could be closer.
    pub wording: Vec<String>,
    /// Logs, when something failed.
    pub details: String,
}

/// Runs one scenario; never panics (a failure is recorded in the row).
pub fn run(tools: &Tools, scenario: &Scenario) -> Row {
    let mut row = Row {
        name: scenario.name.clone(),
        browser: None,
        simulated: None,
        findings: Vec::new(),
        failures: Vec::new(),
        pending: Vec::new(),
        wording: Vec::new(),
        details: String::new(),
    };
    let dir = match tempfile::Builder::new()
        .prefix("corslint-oracle-")
        .tempdir()
    {
        Ok(d) => d,
        Err(e) => {
            row.failures.push(format!("cannot create a folder: {e}"));
            return row;
        }
    };
    // nginx workers run as an unprivileged user when started as root; a 0700 folder would
    // answer every request with 403 (this harness runs nginx as one process, but be safe).
    let _ = std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755));
    if let Err(e) = run_in(tools, scenario, dir.path(), &mut row) {
        row.failures.push(e);
    }
    if !row.failures.is_empty() {
        row.details = collect_logs(dir.path(), &row);
    }
    row
}

fn run_in(tools: &Tools, scenario: &Scenario, dir: &Path, row: &mut Row) -> Result<(), String> {
    let running = stack::start(&tools.nginx, scenario, dir)?;
    let values = &running.values;
    row.browser = Some(browse(tools, values, dir)?);
    row.simulated = Some(simulate(tools, scenario, values, &running.config)?);
    row.findings = check(tools, scenario, values, &running.config)?;
    compare(tools, scenario, row);
    Ok(())
}

fn browse(tools: &Tools, values: &Values, dir: &Path) -> Result<Browser, String> {
    let url = format!("http://127.0.0.1:{}/", values.page_port);
    let chromium::PageRun {
        verdict,
        outcome,
        log,
    } = chromium::load(&tools.chromium, dir, &url)?;
    let console: Vec<String> = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(|l| console_text(l).to_string())
        .collect();
    let reason = console
        .iter()
        .find_map(|l| l.split_once(BLOCKED).map(|(_, r)| r.to_string()));
    Ok(Browser {
        verdict,
        outcome,
        reason,
        console,
    })
}

/// `[..:INFO:CONSOLE:0] "message", source: URL (0)` → `message`.
fn console_text(line: &str) -> &str {
    let text = line.split_once("] ").map(|(_, t)| t).unwrap_or(line);
    let text = text
        .rsplit_once(", source: ")
        .map(|(t, _)| t)
        .unwrap_or(text);
    text.trim().trim_matches('"')
}

fn simulate(
    tools: &Tools,
    scenario: &Scenario,
    values: &Values,
    config: &Path,
) -> Result<Simulated, String> {
    let r = &scenario.request;
    let mut command = Command::new(&tools.corslint);
    command
        .args(["simulate", "--origin", &r.origin(values)])
        .args(["--method", &r.method]);
    for header in &r.headers {
        command.args(["--header", header]);
    }
    if r.credentials {
        command.arg("--credentials");
    }
    command
        .args(["--url", &values.api_url(&r.path)])
        .args(["--status", &r.backend_status.to_string()])
        .args(["--format", "json"])
        .arg(config);
    let (code, out, err) = process::run(command, "simulate", None, &values.dir, CORSLINT_LIMIT)?;
    let json: Value = serde_json::from_str(&out)
        .map_err(|e| format!("corslint simulate (exit {code}) printed no JSON ({e}): {err}"))?;
    let verdict = match json["verdict"].as_str() {
        Some("allowed") => Verdict::Allowed,
        Some("blocked") => Verdict::Blocked,
        Some("undetermined") => Verdict::Undetermined,
        other => return Err(format!("corslint simulate: verdict {other:?}")),
    };
    let expected_code = match verdict {
        Verdict::Allowed => 0,
        Verdict::Blocked => 1,
        Verdict::Undetermined => 3,
    };
    if code != expected_code {
        return Err(format!(
            "corslint simulate exited {code} with verdict {}: {err}",
            verdict.as_str()
        ));
    }
    let reason = json["reason"]
        .as_str()
        .and_then(|r| r.split_once(BLOCKED).map(|(_, r)| r.to_string()));
    Ok(Simulated {
        verdict,
        reason,
        json: serde_json::to_string_pretty(&json).unwrap_or_default(),
    })
}

/// `corslint check` with the scenario's request as the client description: its origin, the
/// headers it sends, whether it sends credentials.
fn check(
    tools: &Tools,
    scenario: &Scenario,
    values: &Values,
    config: &Path,
) -> Result<Vec<Found>, String> {
    let r = &scenario.request;
    let mut command = Command::new(&tools.corslint);
    command
        .args(["check", "--format", "json"])
        .args(["--client-origin", &r.origin(values)]);
    for (name, _) in r.header_pairs() {
        command.args(["--client-header", &name]);
    }
    if r.credentials {
        command.arg("--client-credentials");
    }
    command.arg(config);
    let (code, out, err) = process::run(command, "check", None, &values.dir, CORSLINT_LIMIT)?;
    if code != 0 && code != 1 {
        return Err(format!("corslint check exited {code}: {err}"));
    }
    let json: Value = serde_json::from_str(&out)
        .map_err(|e| format!("corslint check printed no JSON ({e}): {err}"))?;
    Ok(json["findings"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|f| Found {
            rule: f["rule"].as_str().unwrap_or_default().to_string(),
            severity: f["severity"].as_str().unwrap_or_default().to_string(),
            line: f["line"].as_u64().unwrap_or_default(),
        })
        .collect())
}

/// The assertions. See `Expect` for the exceptions a scenario may declare.
fn compare(tools: &Tools, scenario: &Scenario, row: &mut Row) {
    let (Some(browser), Some(simulated)) = (row.browser.clone(), row.simulated.clone()) else {
        return;
    };
    let expect = &scenario.expect;
    let findings = row.findings.clone();
    let fail = |row: &mut Row, text: String| row.failures.push(text);

    // 1. Chromium does what the scenario recorded (else the harness or Chromium changed).
    if browser.verdict != expect.browser {
        fail(
            row,
            format!(
                "Chromium {} the request ({}; console: {}), the scenario records `{}`",
                browser.verdict.as_str(),
                browser.outcome,
                browser.reason.as_deref().unwrap_or("-"),
                expect.browser.as_str()
            ),
        );
    }
    if browser.verdict == Verdict::Blocked && browser.reason.is_none() {
        fail(
            row,
            format!(
                "Chromium blocked the request ({}) without a CORS console message",
                browser.outcome
            ),
        );
    }

    // 2. simulate's verdict is the browser's.
    match (&expect.undetermined, simulated.verdict) {
        (Some(_), Verdict::Undetermined) => {}
        (Some(why), v) => fail(
            row,
            format!(
                "the scenario expects simulate to be undetermined ({why}), and it says {}: \
                 drop the exception",
                v.as_str()
            ),
        ),
        (None, v) if v != browser.verdict => fail(
            row,
            format!(
                "corslint simulate says {}, Chromium {}",
                v.as_str(),
                browser.verdict.as_str()
            ),
        ),
        (None, _) => {}
    }

    // 3. Blocked for the same cause.
    if browser.verdict == Verdict::Blocked || simulated.verdict == Verdict::Blocked {
        match (&browser.reason, &simulated.reason) {
            (Some(b), Some(s)) if cause(b) != cause(s) => fail(
                row,
                format!(
                    "different causes: Chromium \"{}\", corslint \"{}\"",
                    cause(b),
                    cause(s)
                ),
            ),
            (Some(b), Some(s)) if b != s => row
                .wording
                .push(format!("Chromium: \"{b}\"; corslint: \"{s}\"")),
            (Some(_), None) => fail(row, "corslint simulate gives no reason".into()),
            _ => {}
        }
    }

    // 4. The rules the scenario is about are reported (once corslint has them).
    let reported: BTreeSet<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
    let mut missing_rules = Vec::new();
    for rule in &expect.rules {
        if !tools.rules.contains(rule) {
            missing_rules.push(rule.clone());
        } else if !reported.contains(rule.as_str()) {
            fail(row, format!("corslint check does not report `{rule}`"));
        }
    }
    if !missing_rules.is_empty() {
        row.pending.push(format!(
            "waits for rule(s) corslint does not have yet: {}",
            missing_rules.join(", ")
        ));
    }

    // 5. A blocked request (or a security hole the browser lets through) comes with an
    //    error-level finding; an allowed request with none.
    let errors: Vec<&Found> = findings.iter().filter(|f| f.severity == "error").collect();
    let error_list = || {
        errors
            .iter()
            .map(|f| format!("{} at line {}", f.rule, f.line))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let wants_error = match browser.verdict {
        Verdict::Blocked => expect.blocked_without_error.is_none(),
        _ => expect.error_while_allowed.is_some(),
    };
    if wants_error && errors.is_empty() {
        if missing_rules.is_empty() {
            fail(
                row,
                format!(
                    "Chromium {} it, and corslint check reports no error-level finding",
                    browser.verdict.as_str()
                ),
            );
        } else {
            row.pending
                .push("no error-level finding yet (see the pending rules)".into());
        }
    } else if !wants_error && !errors.is_empty() {
        let text = match browser.verdict {
            Verdict::Blocked => format!(
                "the scenario says no error is right here ({}), and corslint check reports {}",
                expect.blocked_without_error.as_deref().unwrap_or(""),
                error_list()
            ),
            _ => format!(
                "Chromium allows it, and corslint check reports {}",
                error_list()
            ),
        };
        fail(row, text);
    }
}

fn collect_logs(dir: &Path, row: &Row) -> String {
    let mut out = String::new();
    let mut section = |title: &str, text: &str| {
        let text = text.trim();
        if !text.is_empty() {
            out.push_str(&format!("--- {title}\n{text}\n"));
        }
    };
    section("api.conf", &process::read(&dir.join(stack::API_CONF)));
    section("nginx access.log", &process::read(&dir.join("access.log")));
    section("nginx error.log", &process::read(&dir.join("error.log")));
    if let Some(b) = &row.browser {
        section(
            "Chromium",
            &format!("outcome: {}\n{}", b.outcome, b.console.join("\n")),
        );
    } else {
        let log = process::read(&dir.join("chromium.log"));
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        section(
            "chromium.log (last lines)",
            &tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        );
    }
    if let Some(s) = &row.simulated {
        section("corslint simulate", &s.json);
    }
    section("corslint check", &process::read(&dir.join("check.stdout")));
    out
}

/// The proof, as a Markdown table.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(verdicts::TABLE_HEAD);
    for row in rows {
        let (bv, br) = match &row.browser {
            Some(b) => (
                format!(
                    "{} ({})",
                    b.verdict.as_str(),
                    b.outcome
                        .split(':')
                        .next()
                        .unwrap_or("")
                        .trim_start_matches("ok ")
                        .trim_start_matches("error ")
                ),
                b.reason.as_deref().map(short).unwrap_or_else(|| "—".into()),
            ),
            None => ("—".into(), "—".into()),
        };
        let (sv, sr) = match &row.simulated {
            Some(s) => (
                s.verdict.as_str().to_string(),
                s.reason.as_deref().map(short).unwrap_or_else(|| "—".into()),
            ),
            None => ("—".into(), "—".into()),
        };
        let findings: Vec<(&str, &str)> = row
            .findings
            .iter()
            .map(|f| (f.rule.as_str(), f.severity.as_str()))
            .collect();
        out.push_str(&verdicts::table_row(
            &row.name,
            (&bv, &br),
            (&sv, &sr),
            &findings,
            !row.failures.is_empty(),
            !row.pending.is_empty(),
        ));
    }
    out
}
