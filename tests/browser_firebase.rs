//! The browser oracle over Firebase Hosting (issue 6, item 5): every scenario in
//! `tests/browser_firebase/scenarios/` is served by superstatic (the npm package that serves
//! `firebase.json` in Firebase's emulator) on loopback; a page on another loopback origin
//! (Python's `http.server`) makes one `fetch()` in headless Chromium, and corslint must
//! agree: `corslint simulate` on the same `firebase.json` gives Chromium's verdict for the
//! same cause (header, method, status), and a blocked request comes with an error-level
//! finding from `corslint check`.
//!
//! Runs when `CORSLINT_BROWSER=1` (then a missing Chromium, node, Python or superstatic is a
//! failure); otherwise it says it did not run. Locally:
//! `npm ci --prefix tests/oracles && CORSLINT_BROWSER=1 cargo test --test browser_firebase
//! -- --nocapture`.

#[path = "support/chromium.rs"]
mod chromium;
#[path = "support/process.rs"]
#[allow(dead_code)]
mod process;
#[path = "browser_firebase/scenario.rs"]
mod scenario;
#[path = "support/verdicts.rs"]
mod verdicts;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use process::Guard;
use scenario::Scenario;
use serde_json::Value;
use verdicts::{PREFLIGHT, Verdict, cause, short};

const CORSLINT_LIMIT: Duration = Duration::from_secs(20);
const START_LIMIT: Duration = Duration::from_secs(15);
/// What Chromium prints before the reason of a CORS failure.
const BLOCKED: &str = "has been blocked by CORS policy: ";

fn scenarios() -> Vec<Scenario> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser_firebase/scenarios");
    scenario::load_all(&dir).unwrap_or_else(|e| panic!("bad scenario file(s):\n{e}"))
}

#[test]
fn scenarios_are_well_formed() {
    let all = scenarios();
    assert!(
        all.len() >= 8,
        "at least 8 Firebase scenarios, {}",
        all.len()
    );
    let blocked = all
        .iter()
        .filter(|s| s.expect.browser == Verdict::Blocked)
        .count();
    assert!(blocked > 0 && blocked < all.len());
    for needed in [
        "wildcard-with-credentials",
        "redirect-on-preflight",
        "unlisted-request-header",
    ] {
        for name in [needed.to_string(), format!("{needed}-fixed")] {
            assert!(
                all.iter().any(|s| s.name == name),
                "missing scenario {name}"
            );
        }
    }
}

#[test]
fn causes_compare_the_checked_item() {
    assert_eq!(
        cause(&format!(
            "{PREFLIGHT}Redirect is not allowed for a preflight request."
        )),
        "preflight: redirect"
    );
    assert_eq!(
        cause(
            "Request header field x-request-id is not allowed by Access-Control-Allow-Headers in preflight response."
        ),
        "header x-request-id not allowed"
    );
    assert_eq!(
        cause("Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."),
        "method PUT not allowed"
    );
}

struct Tools {
    chromium: PathBuf,
    node: PathBuf,
    python: PathBuf,
    superstatic: PathBuf,
    corslint: PathBuf,
    rules: BTreeSet<String>,
}

impl Tools {
    fn find() -> Result<Tools, String> {
        let chromium = process::find_tool(
            "CORSLINT_CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
            &[],
        )
        .ok_or("Chromium not found (install it, or set CORSLINT_CHROMIUM)")?;
        let node = process::require_node(&["superstatic"])?;
        let python = process::find_tool("CORSLINT_PYTHON", &["python3"], &[])
            .ok_or("python3 not found (it serves the page)")?;
        let superstatic = process::oracles_dir().join("node_modules/superstatic/lib/bin/server.js");
        if !superstatic.is_file() {
            return Err(format!("{} is missing", superstatic.display()));
        }
        let corslint = PathBuf::from(env!("CARGO_BIN_EXE_corslint"));
        let out = Command::new(&corslint)
            .arg("rule")
            .output()
            .map_err(|e| format!("corslint rule: {e}"))?;
        let rules = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
            .collect();
        Ok(Tools {
            chromium,
            node,
            python,
            superstatic,
            corslint,
            rules,
        })
    }
}

#[test]
fn firebase_browser_oracle() {
    if std::env::var("CORSLINT_BROWSER").as_deref() != Ok("1") {
        process::show(
            "Firebase browser oracle: did not run. It needs Chromium, Python and superstatic \
             (npm ci --prefix tests/oracles) and runs when CORSLINT_BROWSER=1: \
             CORSLINT_BROWSER=1 cargo test --test browser_firebase -- --nocapture\n",
        );
        return;
    }
    let tools = Tools::find().unwrap_or_else(|e| panic!("CORSLINT_BROWSER=1, and {e}"));
    let started = Instant::now();
    let rows: Vec<Row> = scenarios().iter().map(|s| run(&tools, s)).collect();
    let failed: Vec<&Row> = rows.iter().filter(|r| !r.failures.is_empty()).collect();
    let mut report = format!(
        "\nFirebase browser oracle: {} scenarios, superstatic 9 and {} ({} s)\n\n{}",
        rows.len(),
        tools.chromium.display(),
        started.elapsed().as_secs(),
        table(&rows)
    );
    for row in &rows {
        if !row.pending.is_empty() {
            report.push_str(&format!(
                "pending {}: {}\n",
                row.name,
                row.pending.join("; ")
            ));
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
    process::show(&report);
    assert!(
        failed.is_empty(),
        "Firebase browser oracle: {} of {} scenarios disagree: {}",
        failed.len(),
        rows.len(),
        failed
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
}

#[derive(Debug, Default)]
struct Row {
    name: String,
    browser: Option<(Verdict, String, Option<String>)>,
    simulated: Option<(Verdict, Option<String>)>,
    /// (rule, severity)
    findings: Vec<(String, String)>,
    failures: Vec<String>,
    pending: Vec<String>,
    details: String,
}

fn run(tools: &Tools, scenario: &Scenario) -> Row {
    let mut row = Row {
        name: scenario.name.clone(),
        ..Row::default()
    };
    let dir = match tempfile::Builder::new()
        .prefix("corslint-firebase-")
        .tempdir()
    {
        Ok(d) => d,
        Err(e) => {
            row.failures.push(format!("cannot create a folder: {e}"));
            return row;
        }
    };
    let _ = std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755));
    if let Err(e) = run_in(tools, scenario, dir.path(), &mut row) {
        row.failures.push(e);
    }
    if !row.failures.is_empty() {
        for (title, file) in [
            ("firebase.json", "site/firebase.json"),
            ("superstatic", "superstatic.stdout"),
            ("superstatic errors", "superstatic.stderr"),
            ("corslint simulate", "simulate.stdout"),
            ("corslint check", "check.stdout"),
        ] {
            let text = process::read(&dir.path().join(file));
            if !text.trim().is_empty() {
                row.details
                    .push_str(&format!("--- {title}\n{}\n", text.trim()));
            }
        }
    }
    row
}

fn run_in(tools: &Tools, scenario: &Scenario, dir: &Path, row: &mut Row) -> Result<(), String> {
    let ports = process::free_ports(2)?;
    let (page_port, api_port) = (ports[0], ports[1]);
    let fill = |t: &str| scenario.fill(t, page_port, api_port);
    let write = |rel: &str, text: &str| -> Result<(), String> {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap_or(dir)).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write("site/firebase.json", &fill(&scenario.firebase))?;
    for (name, text) in &scenario.files {
        write(&format!("site/public/{name}"), &fill(text))?;
    }
    write("page/index.html", &page(scenario, api_port))?;

    // The API: superstatic, as `firebase emulators` runs it.
    let mut command = Command::new(&tools.node);
    command
        .arg(&tools.superstatic)
        .args(["serve", ".", "--host", "127.0.0.1", "--port"])
        .arg(api_port.to_string())
        .args(["--config", "firebase.json"])
        .current_dir(dir.join("site"));
    let mut api = Guard::spawn(
        command,
        "superstatic",
        None,
        &dir.join("superstatic.stdout"),
        &dir.join("superstatic.stderr"),
    )?;
    // The page's origin.
    let mut command = Command::new(&tools.python);
    command
        .args(["-m", "http.server", "--bind", "127.0.0.1", "--directory"])
        .arg(dir.join("page"))
        .arg(page_port.to_string());
    let mut pager = Guard::spawn(
        command,
        "http.server",
        None,
        &dir.join("page.stdout"),
        &dir.join("page.stderr"),
    )?;
    let start = Instant::now();
    while !(process::listening(api_port) && process::listening(page_port)) {
        if let Some(status) = api.exited() {
            return Err(format!(
                "superstatic exited ({status}): {}",
                process::read(&dir.join("superstatic.stderr"))
            ));
        }
        if let Some(status) = pager.exited() {
            return Err(format!(
                "http.server exited ({status}): {}",
                process::read(&dir.join("page.stderr"))
            ));
        }
        if start.elapsed() > START_LIMIT {
            return Err("the servers did not listen in time".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }

    row.browser = Some(browse(tools, dir, page_port)?);
    drop(api);
    drop(pager);
    let page_origin = format!("http://127.0.0.1:{page_port}");
    let url = format!("http://127.0.0.1:{api_port}{}", scenario.request.path);
    row.simulated = Some(simulate(tools, scenario, dir, &page_origin, &url)?);
    row.findings = check(tools, scenario, dir, &page_origin)?;
    compare(tools, scenario, row);
    Ok(())
}

fn page(scenario: &Scenario, api_port: u16) -> String {
    let r = &scenario.request;
    let mut init = serde_json::Map::new();
    init.insert("method".into(), r.method.clone().into());
    let headers: Vec<Value> = r
        .header_pairs()
        .into_iter()
        .map(|(n, v)| serde_json::json!([n, v]))
        .collect();
    init.insert("headers".into(), headers.into());
    if r.credentials {
        init.insert("credentials".into(), "include".into());
    }
    if let Some(body) = &r.body {
        init.insert("body".into(), body.clone().into());
    }
    let url = format!("http://127.0.0.1:{api_port}{}", r.path);
    let js = |v: Value| v.to_string().replace("</", "<\\/");
    format!(
        r#"<!doctype html>
<html><head><meta charset="utf-8"><title>corslint Firebase oracle: {name}</title></head>
<body><pre id="outcome">CORSLINT-OUTCOME pending END</pre>
<script>
const show = (t) => {{ document.getElementById("outcome").textContent = "CORSLINT-OUTCOME " + t + " END"; }};
fetch({url}, {init})
  .then((r) => show("ok " + r.status))
  .catch((e) => show("error " + e.name + ": " + e.message));
</script></body></html>
"#,
        name = scenario.name,
        url = js(url.into()),
        init = js(init.into()),
    )
}

fn browse(
    tools: &Tools,
    dir: &Path,
    page_port: u16,
) -> Result<(Verdict, String, Option<String>), String> {
    let url = format!("http://127.0.0.1:{page_port}/");
    let chromium::PageRun {
        verdict,
        outcome,
        log,
    } = chromium::load(&tools.chromium, dir, &url)?;
    let reason = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .find_map(|l| l.split_once(BLOCKED).map(|(_, r)| r.to_string()))
        .map(|r| {
            // `…", source: URL (0)`
            r.rsplit_once("\", source: ")
                .map(|(t, _)| t.to_string())
                .unwrap_or(r)
        });
    Ok((verdict, outcome, reason))
}

fn simulate(
    tools: &Tools,
    scenario: &Scenario,
    dir: &Path,
    origin: &str,
    url: &str,
) -> Result<(Verdict, Option<String>), String> {
    let r = &scenario.request;
    let mut command = Command::new(&tools.corslint);
    command
        .args(["simulate", "--origin", origin, "--method", &r.method])
        .args(["--url", url, "--format", "json"]);
    for h in &r.headers {
        command.args(["--header", h]);
    }
    if r.credentials {
        command.arg("--credentials");
    }
    command.arg(dir.join("site/firebase.json"));
    let (code, out, err) = process::run(command, "simulate", None, dir, CORSLINT_LIMIT)?;
    let json: Value = serde_json::from_str(&out)
        .map_err(|e| format!("corslint simulate (exit {code}) printed no JSON ({e}): {err}"))?;
    let verdict = match json["verdict"].as_str() {
        Some("allowed") => Verdict::Allowed,
        Some("blocked") => Verdict::Blocked,
        Some("undetermined") => Verdict::Undetermined,
        other => return Err(format!("corslint simulate: verdict {other:?}")),
    };
    let reason = json["reason"]
        .as_str()
        .and_then(|r| r.split_once(BLOCKED).map(|(_, r)| r.to_string()));
    Ok((verdict, reason))
}

fn check(
    tools: &Tools,
    scenario: &Scenario,
    dir: &Path,
    origin: &str,
) -> Result<Vec<(String, String)>, String> {
    let r = &scenario.request;
    let mut command = Command::new(&tools.corslint);
    command.args(["check", "--format", "json", "--client-origin", origin]);
    for (name, _) in r.header_pairs() {
        command.args(["--client-header", &name]);
    }
    if r.credentials {
        command.arg("--client-credentials");
    }
    command.arg(dir.join("site/firebase.json"));
    let (code, out, err) = process::run(command, "check", None, dir, CORSLINT_LIMIT)?;
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
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["severity"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect())
}

fn compare(tools: &Tools, scenario: &Scenario, row: &mut Row) {
    let (Some((browser, outcome, reason)), Some((simulated, sim_reason))) =
        (row.browser.clone(), row.simulated.clone())
    else {
        return;
    };
    let expect = &scenario.expect;
    if browser != expect.browser {
        row.failures.push(format!(
            "Chromium {} the request ({outcome}; console: {}), the scenario records `{}`",
            browser.as_str(),
            reason.as_deref().unwrap_or("-"),
            expect.browser.as_str()
        ));
    }
    if browser == Verdict::Blocked && reason.is_none() {
        row.failures.push(format!(
            "Chromium blocked the request ({outcome}) without a CORS console message"
        ));
    }
    if simulated != browser {
        row.failures.push(format!(
            "corslint simulate says {}, Chromium {}",
            simulated.as_str(),
            browser.as_str()
        ));
    }
    if browser == Verdict::Blocked || simulated == Verdict::Blocked {
        match (&reason, &sim_reason) {
            (Some(b), Some(s)) if cause(b) != cause(s) => row.failures.push(format!(
                "different causes: Chromium \"{}\", corslint \"{}\"",
                cause(b),
                cause(s)
            )),
            (Some(_), None) => row
                .failures
                .push("corslint simulate gives no reason".into()),
            (None, Some(s)) => row.failures.push(format!(
                "corslint simulate blocks ({s}), Chromium printed no reason"
            )),
            _ => {}
        }
    }
    let reported: BTreeSet<&str> = row.findings.iter().map(|(r, _)| r.as_str()).collect();
    for rule in &expect.rules {
        if !tools.rules.contains(rule) {
            row.pending.push(format!(
                "waits for rule {rule}, which corslint does not have"
            ));
        } else if !reported.contains(rule.as_str()) {
            row.failures
                .push(format!("corslint check does not report `{rule}`"));
        }
    }
    let errors: Vec<&str> = row
        .findings
        .iter()
        .filter(|(_, s)| s == "error")
        .map(|(r, _)| r.as_str())
        .collect();
    match browser {
        Verdict::Blocked if expect.blocked_without_error.is_none() && errors.is_empty() => {
            row.failures.push(
                "Chromium blocks it, and corslint check reports no error-level finding".into(),
            );
        }
        Verdict::Blocked if expect.blocked_without_error.is_some() && !errors.is_empty() => {
            row.failures.push(format!(
                "the scenario says no error is right ({}), corslint check reports {errors:?}",
                expect.blocked_without_error.as_deref().unwrap_or("")
            ));
        }
        Verdict::Allowed if !errors.is_empty() => row.failures.push(format!(
            "Chromium allows it, and corslint check reports {errors:?}"
        )),
        _ => {}
    }
}

fn table(rows: &[Row]) -> String {
    let mut out = String::from(verdicts::TABLE_HEAD);
    for row in rows {
        let (bv, br) = match &row.browser {
            Some((v, outcome, reason)) => (
                format!(
                    "{} ({})",
                    v.as_str(),
                    outcome.split(':').next().unwrap_or("")
                ),
                reason.as_deref().map(short).unwrap_or_else(|| "—".into()),
            ),
            None => ("—".into(), "—".into()),
        };
        let (sv, sr) = match &row.simulated {
            Some((v, r)) => (
                v.as_str().to_string(),
                r.as_deref().map(short).unwrap_or_else(|| "—".into()),
            ),
            None => ("—".into(), "—".into()),
        };
        let findings: Vec<(&str, &str)> = row
            .findings
            .iter()
            .map(|(rule, severity)| (rule.as_str(), severity.as_str()))
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
