//! Headless Chromium on a test page, for the browser and Firebase oracle suites: what the
//! page's fetch did (`CORSLINT-OUTCOME ok STATUS END`, `CORSLINT-OUTCOME error … END`) and
//! what Chromium logged.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::process::{self, Guard};
use crate::verdicts::Verdict;

/// How long one Chromium run may take.
const LIMIT: Duration = Duration::from_secs(30);

/// Runs of a page whose fetch is still pending when Chromium gives up waiting.
const ATTEMPTS: usize = 3;

/// What a page run produced.
pub struct PageRun {
    /// Allowed for `ok …`, blocked for `error …`.
    pub verdict: Verdict,
    /// The text between `CORSLINT-OUTCOME ` and ` END`.
    pub outcome: String,
    /// Chromium's log (console messages included).
    pub log: String,
}

/// Loads `url` in headless Chromium, its profile and output in `dir`, and reads the outcome
/// the page wrote. Chromium dumps the page when its virtual time budget runs out; on a
/// loaded machine a page can still be waiting then (the fetch reached the server, its answer
/// not yet the page: seen once in CI with a sandboxed iframe), which says nothing about
/// CORS. Such a run is repeated, with a fresh profile, up to `ATTEMPTS` times in all; an
/// outcome that never settles is an error.
pub fn load(chromium: &Path, dir: &Path, url: &str) -> Result<PageRun, String> {
    let mut outcome = String::new();
    for attempt in 1..=ATTEMPTS {
        let log;
        (outcome, log) = load_once(chromium, dir, url, attempt)?;
        let verdict = if outcome.starts_with("ok ") {
            Verdict::Allowed
        } else if outcome.starts_with("error ") {
            Verdict::Blocked
        } else {
            continue;
        };
        return Ok(PageRun {
            verdict,
            outcome,
            log,
        });
    }
    Err(format!(
        "the fetch did not settle within the virtual time budget ({ATTEMPTS} runs): {outcome}"
    ))
}

/// One Chromium run: the page's outcome and Chromium's log.
fn load_once(
    chromium: &Path,
    dir: &Path,
    url: &str,
    attempt: usize,
) -> Result<(String, String), String> {
    let mut command = Command::new(chromium);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.join(format!("chromium-profile-{attempt}")).display()
        ))
        .args([
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(url);
    // The last attempt's files are the ones the logs of a failure show.
    let dom_file = dir.join("dom.html");
    let log_file = dir.join("chromium.log");
    let mut guard = Guard::spawn(command, "chromium", None, &dom_file, &log_file)?;
    guard.wait(LIMIT)?;
    drop(guard);
    let dom = process::read(&dom_file);
    let outcome = dom
        .split_once("CORSLINT-OUTCOME ")
        .and_then(|(_, rest)| rest.split_once(" END"))
        .map(|(outcome, _)| outcome.to_string())
        .ok_or("the page wrote no outcome (did it load?)")?;
    Ok((outcome, process::read(&log_file)))
}
