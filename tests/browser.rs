//! The browser oracle (issue 6): every scenario in `tests/browser/scenarios/` runs against
//! real nginx and headless Chromium on loopback, and corslint must agree with the browser:
//! the same verdict as `corslint simulate`, for the same cause, and an error-level finding
//! from `corslint check` for every blocked request.
//!
//! Runs when `CORSLINT_BROWSER=1` (`.ci/run` sets it); then a missing nginx or Chromium is a
//! failure. Locally: `CORSLINT_BROWSER=1 cargo test --test browser -- --nocapture`.
//! `CORSLINT_BROWSER_ONLY=name,name` runs only those scenarios.

#[path = "support/chromium.rs"]
mod chromium;
#[path = "browser/harness.rs"]
mod harness;
#[path = "support/process.rs"]
#[allow(dead_code)]
mod process;
#[path = "browser/scenario.rs"]
mod scenario;
#[path = "browser/stack.rs"]
mod stack;
#[path = "support/verdicts.rs"]
mod verdicts;

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Scenarios run two at a time (CI has two cores; each is about a second of Chromium).
const PARALLEL: usize = 2;

fn scenarios() -> Vec<scenario::Scenario> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/scenarios");
    scenario::load_all(&dir).unwrap_or_else(|e| panic!("bad scenario file(s):\n{e}"))
}

/// Written straight to standard error, so the log shows it even when the test passes
/// (libtest captures `println!`, not the stream itself).
fn show(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

#[test]
fn scenarios_are_well_formed() {
    let all = scenarios();
    assert!(
        all.len() >= 25,
        "the oracle needs at least 25 scenarios, has {}",
        all.len()
    );
    for s in &all {
        assert!(
            !s.description.trim().is_empty(),
            "{}: no description",
            s.name
        );
        // Nothing but the known placeholders.
        let mut text = s.config.clone();
        for p in scenario::PLACEHOLDERS {
            text = text.replace(p, "");
        }
        assert!(
            !text.contains("{API")
                && !text.contains("{PAGE")
                && !text.contains("{BACK")
                && !text.contains("{OTHER"),
            "{}: unknown placeholder",
            s.name
        );
    }
    let blocked = all
        .iter()
        .filter(|s| s.expect.browser == scenario::Verdict::Blocked)
        .count();
    assert!(
        blocked > 0 && blocked < all.len(),
        "both blocked and allowed scenarios"
    );
}

#[test]
fn cause_extraction() {
    let p = "Response to preflight request doesn't pass access control check: ";
    assert_eq!(
        verdicts::cause(&format!(
            "{p}Redirect is not allowed for a preflight request."
        )),
        "preflight: redirect"
    );
    assert_eq!(
        verdicts::cause(
            "Request header field x-request-id is not allowed by Access-Control-Allow-Headers in preflight response."
        ),
        "header x-request-id not allowed"
    );
    assert_eq!(
        verdicts::cause(
            "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."
        ),
        "method PUT not allowed"
    );
    assert_ne!(
        verdicts::cause(
            "No 'Access-Control-Allow-Origin' header is present on the requested resource."
        ),
        verdicts::cause(&format!(
            "{p}No 'Access-Control-Allow-Origin' header is present on the requested resource."
        ))
    );
}

#[test]
fn browser_oracle() {
    match std::env::var("CORSLINT_BROWSER").as_deref() {
        Ok("1") => {}
        _ => {
            show(
                "browser oracle: did not run. It needs nginx and Chromium and runs when \
                 CORSLINT_BROWSER=1 (.ci/run sets it): \
                 CORSLINT_BROWSER=1 cargo test --test browser -- --nocapture\n",
            );
            return;
        }
    }
    let tools = harness::Tools::find(env!("CARGO_BIN_EXE_corslint"))
        .unwrap_or_else(|e| panic!("CORSLINT_BROWSER=1, and {e}"));
    let mut all = scenarios();
    if let Ok(only) = std::env::var("CORSLINT_BROWSER_ONLY") {
        let names: Vec<&str> = only.split(',').map(str::trim).collect();
        all.retain(|s| names.contains(&s.name.as_str()));
    }

    let started = std::time::Instant::now();
    let next = AtomicUsize::new(0);
    let rows: Mutex<Vec<Option<harness::Row>>> = Mutex::new((0..all.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(s) = all.get(i) else { break };
                    let row = harness::run(&tools, s);
                    rows.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(row);
                }
            });
        }
    });
    let rows: Vec<harness::Row> = rows
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect();

    let failed: Vec<&harness::Row> = rows.iter().filter(|r| !r.failures.is_empty()).collect();
    let pending: Vec<&harness::Row> = rows.iter().filter(|r| !r.pending.is_empty()).collect();
    let mut report = format!(
        "\nbrowser oracle: {} scenarios, nginx {} and {} ({} s)\n\n{}\n\
         corslint check column: rules reported, (E) error, (W) warning, (I) info.\n",
        rows.len(),
        tools.nginx.display(),
        tools.chromium.display(),
        started.elapsed().as_secs(),
        harness::table(&rows)
    );
    for row in &pending {
        report.push_str(&format!(
            "pending {}: {}\n",
            row.name,
            row.pending.join("; ")
        ));
    }
    for row in &rows {
        for w in &row.wording {
            report.push_str(&format!("wording {}: {w}\n", row.name));
        }
    }
    for row in &failed {
        report.push_str(&format!(
            "\nFAILED {}:\n  - {}\n{}",
            row.name,
            row.failures.join("\n  - "),
            row.details
        ));
    }
    show(&report);
    assert!(
        failed.is_empty(),
        "browser oracle: {} of {} scenarios disagree: {}",
        failed.len(),
        rows.len(),
        failed
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
}
