//! The platforms' own code as oracles for corslint's formats (issue 6, item 6).
//!
//! For every Vercel, Netlify and Cloudflare configuration in the test suite (see
//! `tests/oracles/fixtures.rs` for where they are found), corslint's reading is compared with
//! the platform's own:
//!
//! * **Vercel**: `@vercel/routing-utils` (`getTransformedRoutes` and the routing schemas)
//!   through `tests/oracles/vercel.mjs`: whether the file is rejected, and which entries;
//!   for each probe path, the headers a GET gets and the redirect that fires.
//! * **Netlify**: `@netlify/headers-parser`, `@netlify/headers`, `@netlify/redirect-parser`
//!   and `netlify-redirector` through `tests/oracles/netlify.mjs`: the header rules read, which
//!   `_headers` lines have an effect, which `_redirects` lines are rules, and for each probe
//!   path the headers that match and the redirect that fires.
//! * **Cloudflare Pages**: `wrangler pages dev` (workerd) through
//!   `tests/oracles/cloudflare.mjs`: the lines wrangler reports invalid, and for each probe
//!   path the status, `Location` and headers of a real GET and OPTIONS.
//!
//! Probe paths are the samples corslint's own matchers produce
//! (`report.documents[..].sites[..].scopes[..].matcher.samples`) plus a few generic paths;
//! corslint answers each with `corslint::resolve::resolve`.
//!
//! Runs when `CORSLINT_ORACLES=1` or `CORSLINT_BROWSER=1` (then node and the npm packages
//! must be installed: `npm ci --prefix tests/oracles`); otherwise it says it did not run.
//! Locally: `npm ci --prefix tests/oracles && CORSLINT_ORACLES=1 cargo test --test
//! platform_oracles -- --nocapture`. `CORSLINT_ORACLES_ONLY=text` keeps the fixtures whose
//! origin contains `text`.
//!
//! Where corslint's reading and the platform's differ by design, the exception is written
//! below with its evidence (search for `EXCEPTION`); every other difference fails the test.

#[path = "oracles/fixtures.rs"]
#[allow(dead_code)]
mod fixtures;
#[path = "support/process.rs"]
#[allow(dead_code)]
mod process;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use corslint::model::{HeaderAction, HeaderOp, ProblemKind, ScopeKind, Site};
use corslint::resolve::{self, Answer, Options, Request, Response};
use corslint::settings::Overrides;
use corslint::{Input, Report, lint};
use fixtures::{Fixture, Platform};
use serde_json::{Value, json};

/// The `Origin` every probe carries (Vercel `has` conditions and reflected origins see it).
const ORIGIN: &str = "https://app.example.com";
/// The `Host` every probe carries.
const HOST: &str = "site.example";
/// Paths probed on every site besides its matchers' samples.
const GENERIC_PROBES: [&str; 5] = ["/", "/api", "/api/", "/api/users", "/.well-known/x"];
/// At most this many probes per site.
const MAX_PROBES: usize = 40;
/// Fixtures compared at the same time.
const PARALLEL: usize = 2;
const NODE_LIMIT: Duration = Duration::from_secs(60);
const WRANGLER_LIMIT: Duration = Duration::from_secs(90);

fn enabled() -> bool {
    ["CORSLINT_ORACLES", "CORSLINT_BROWSER"]
        .iter()
        .any(|v| std::env::var(v).as_deref() == Ok("1"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn fixtures_are_found() {
    let collected = fixtures::collect(&root());
    let count = |p: Platform| {
        collected
            .fixtures
            .iter()
            .filter(|f| f.platform == p)
            .count()
    };
    // The suite has many of each; a drop to a handful means the extraction broke.
    assert!(count(Platform::Vercel) >= 20, "{}", count(Platform::Vercel));
    assert!(
        count(Platform::Netlify) >= 20,
        "{}",
        count(Platform::Netlify)
    );
    assert!(
        count(Platform::Cloudflare) >= 8,
        "{}",
        count(Platform::Cloudflare)
    );
}

#[test]
fn platform_oracles() {
    if !enabled() {
        process::show(
            "platform oracles: did not run. They need node and the npm packages in \
             tests/oracles, and run when CORSLINT_ORACLES=1 (.ci/run sets it): \
             npm ci --prefix tests/oracles && CORSLINT_ORACLES=1 cargo test --test \
             platform_oracles -- --nocapture\n",
        );
        return;
    }
    let node = process::require_node(&[
        "@vercel/routing-utils",
        "ajv",
        "@netlify/headers-parser",
        "@netlify/headers",
        "@netlify/redirect-parser",
        "netlify-redirector",
        "wrangler",
    ])
    .unwrap_or_else(|e| panic!("CORSLINT_ORACLES=1, and {e}"));
    let mut collected = fixtures::collect(&root());
    if let Ok(only) = std::env::var("CORSLINT_ORACLES_ONLY") {
        collected.fixtures.retain(|f| f.origin.contains(&only));
    }
    let started = Instant::now();
    // Two at a time (CI has two cores; a Cloudflare fixture waits seconds for wrangler).
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Row>>> =
        Mutex::new((0..collected.fixtures.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(fixture) = collected.fixtures.get(i) else {
                        break;
                    };
                    let row = compare(&node, fixture).unwrap_or_else(|e| Row {
                        origin: fixture.origin.clone(),
                        platform: fixture.platform,
                        probes: 0,
                        notes: Vec::new(),
                        failures: vec![format!("the comparison could not run: {e}")],
                    });
                    slots.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(row);
                }
            });
        }
    });
    let rows: Vec<Row> = slots
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect();
    let failed: Vec<&Row> = rows.iter().filter(|r| !r.failures.is_empty()).collect();
    let mut report = format!(
        "\nplatform oracles: {} fixtures ({} Vercel, {} Netlify, {} Cloudflare), {} probe \
         paths, {} s\n",
        rows.len(),
        rows.iter()
            .filter(|r| r.platform == Platform::Vercel)
            .count(),
        rows.iter()
            .filter(|r| r.platform == Platform::Netlify)
            .count(),
        rows.iter()
            .filter(|r| r.platform == Platform::Cloudflare)
            .count(),
        rows.iter().map(|r| r.probes).sum::<usize>(),
        started.elapsed().as_secs()
    );
    for s in &collected.skipped {
        report.push_str(&format!("  not compared (text built at run time): {s}\n"));
    }
    for row in &rows {
        let status = if row.failures.is_empty() {
            "agrees"
        } else {
            "DIFFERS"
        };
        report.push_str(&format!(
            "  {:<10} {:<7} {:>3} probes  {}\n",
            row.platform.name(),
            status,
            row.probes,
            row.origin
        ));
        for n in &row.notes {
            report.push_str(&format!("      note: {n}\n"));
        }
    }
    for row in &failed {
        report.push_str(&format!(
            "\nDIFFERS {} ({}):\n  - {}\n",
            row.origin,
            row.platform.name(),
            row.failures.join("\n  - ")
        ));
    }
    process::show(&report);
    assert!(
        failed.is_empty(),
        "{} of {} fixtures read differently from the platform: {}",
        failed.len(),
        rows.len(),
        failed
            .iter()
            .map(|r| r.origin.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    );
}

struct Row {
    origin: String,
    platform: Platform,
    probes: usize,
    notes: Vec<String>,
    failures: Vec<String>,
}

/// corslint's side of one fixture.
struct Reading {
    report: Report,
    dir: tempfile::TempDir,
}

impl Reading {
    fn site(&self) -> Option<&Site> {
        self.report.documents.first().and_then(|d| d.sites.first())
    }

    /// The name of a file in the site folder, as corslint's sources hold it.
    fn file_id(&self, rel: &str) -> Option<corslint::source::FileId> {
        self.file_id_at(&self.dir.path().join("site").join(rel))
    }

    fn file_id_at(&self, path: &Path) -> Option<corslint::source::FileId> {
        self.report.sources.find_path(&path.canonicalize().ok()?)
    }

    fn line(&self, span: corslint::source::Span) -> usize {
        self.report
            .sources
            .get(span.file)
            .position(span.start as usize)
            .line
    }
}

fn read_with_corslint(fixture: &Fixture) -> Result<Reading, String> {
    let dir = tempfile::Builder::new()
        .prefix("corslint-oracle-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    // A repository root, so that nothing above the folder is taken for part of the site.
    std::fs::create_dir_all(dir.path().join(".git")).map_err(|e| e.to_string())?;
    let site = dir.path().join("site");
    for (name, text) in &fixture.files {
        let path = site.join(name);
        std::fs::create_dir_all(path.parent().unwrap_or(&site)).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
    }
    let overrides = Overrides {
        platform: match fixture.platform {
            Platform::Cloudflare => Some("cloudflare".into()),
            Platform::Netlify => Some("netlify".into()),
            Platform::Vercel => None,
        },
        ..Overrides::default()
    };
    let report = lint(&[Input::Path(site.join(&fixture.target))], &overrides);
    if !report.errors.is_empty() {
        return Err(format!("corslint: {}", report.errors.join("; ")));
    }
    Ok(Reading { report, dir })
}

/// The probe paths: the samples of every matcher, then the generic ones.
fn probes(site: Option<&Site>, platform: Platform) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |p: &str| {
        let ok = p.starts_with('/')
            && !p.contains(|c: char| c.is_whitespace() || c.is_control() || "?#%\\".contains(c))
            && p.is_ascii();
        // EXCEPTION (Cloudflare): the oracle's folder holds `index.html` (the page every path
        // falls back to); Cloudflare redirects requests for that existing file (`/index.html`
        // → `/`, 308; hosting-formats.md §4, "Automatic .html/index redirects"). corslint
        // cannot see deployed files, so those two paths say nothing about the configuration.
        let file_path = platform == Platform::Cloudflare && (p == "/index.html" || p == "/index");
        if ok && !file_path && !out.iter().any(|o| o == p) && out.len() < MAX_PROBES {
            out.push(p.to_string());
        }
    };
    if let Some(site) = site {
        for scope in &site.scopes {
            if let Some(m) = &scope.matcher {
                for s in m.samples.iter().take(6) {
                    add(s);
                }
            }
        }
    }
    for p in GENERIC_PROBES {
        add(p);
    }
    out
}

fn probe_request<'a>(method: &'a str, path: &'a str) -> Request<'a> {
    let mut r = Request::new(method, path)
        .with_header("Origin", ORIGIN)
        .with_header("Host", HOST);
    if method == "OPTIONS" {
        r = r.with_header("Access-Control-Request-Method", "PUT");
    }
    r
}

/// Headers of a response as a map of lowercase names; joined values for repeated names.
fn header_map(response: &Response) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for h in &response.headers {
        let name = h.name.to_ascii_lowercase();
        if let Some(v) = response.get(&name) {
            out.insert(name, v.into_owned());
        }
    }
    out
}

/// Operations combined last-wins per name, repeated names inside one rule joined (the
/// platform's merge for Netlify): for header operations corslint withholds from an answer.
fn combine(ops: &[&HeaderOp]) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for op in ops {
        let name = op.name.to_ascii_lowercase();
        let value = op.value.literal().unwrap_or("<dynamic>").to_string();
        match op.action {
            HeaderAction::Remove => {
                out.remove(&name);
            }
            HeaderAction::Append => {
                let joined = match out.get(&name) {
                    Some(v) => format!("{v}, {value}"),
                    None => value,
                };
                out.insert(name, joined);
            }
            HeaderAction::Set => {
                out.insert(name, value);
            }
        }
    }
    out
}

/// Whether a concrete `Location` is an instance of a destination template (`:name`,
/// `:splat`, `:name*`, `$1` stand for any text).
fn location_matches(template: &str, location: &str) -> bool {
    let mut pattern = String::from("^");
    let mut rest = template;
    while !rest.is_empty() {
        let placeholder = if let Some(r) = rest.strip_prefix(':') {
            let n = r
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(r.len());
            (n > 0).then(|| {
                let extra = usize::from(r[n..].starts_with(['*', '+', '?']));
                1 + n + extra
            })
        } else if let Some(r) = rest.strip_prefix('$') {
            let n = r
                .find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(r.len());
            (n > 0).then_some(1 + n)
        } else {
            None
        };
        match placeholder {
            Some(len) => {
                pattern.push_str(".*");
                rest = &rest[len..];
            }
            None => {
                let c = rest.chars().next().unwrap_or(' ');
                pattern.push_str(&regex::escape(&c.to_string()));
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    pattern.push('$');
    regex::Regex::new(&pattern).is_ok_and(|re| re.is_match(location))
}

fn run_node(node: &Path, script: &str, input: &Value, dir: &Path) -> Result<Value, String> {
    let mut command = Command::new(node);
    command
        .arg(process::oracles_dir().join(script))
        .current_dir(process::oracles_dir());
    let name = script.trim_end_matches(".mjs");
    let (code, out, err) = process::run(
        command,
        name,
        Some(input.to_string().as_bytes()),
        dir,
        if script == "cloudflare.mjs" {
            WRANGLER_LIMIT
        } else {
            NODE_LIMIT
        },
    )?;
    if code != 0 {
        return Err(format!("{script} exited {code}: {err}"));
    }
    serde_json::from_str(&out).map_err(|e| format!("{script} printed no JSON ({e}): {err}"))
}

fn compare(node: &Path, fixture: &Fixture) -> Result<Row, String> {
    let reading = read_with_corslint(fixture)?;
    let mut row = Row {
        origin: fixture.origin.clone(),
        platform: fixture.platform,
        probes: 0,
        notes: Vec::new(),
        failures: Vec::new(),
    };
    match fixture.platform {
        Platform::Vercel => vercel(node, fixture, &reading, &mut row)?,
        Platform::Netlify => netlify(node, fixture, &reading, &mut row)?,
        Platform::Cloudflare => cloudflare(node, fixture, &reading, &mut row)?,
    }
    Ok(row)
}

// ------------------------------------------------------------------ Vercel

/// The entry a problem is about: `headers[2]`, `cleanUrls`, or `(syntax)`.
fn vercel_entry(text: &str, offset: usize) -> String {
    let Ok(Some(root)) = corslint::formats::json::parse(
        corslint::source::FileId(0),
        text,
        corslint::formats::json::VERCEL,
    ) else {
        return "(syntax)".into();
    };
    for member in root.members() {
        let range = member.range();
        if !(range.start <= offset && offset < range.end.max(range.start + 1)) {
            continue;
        }
        if let Some(items) = member.value.as_array() {
            for (i, item) in items.iter().enumerate() {
                if item.range.start <= offset && offset < item.range.end {
                    return format!("{}[{i}]", member.key);
                }
            }
        }
        return member.key.clone();
    }
    "(file)".into()
}

/// ajv's `.headers[0].source` and routing-utils' "Header at index 0 …" as entries.
fn vercel_platform_entries(answer: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if !answer["parse"].is_null() {
        out.insert("(syntax)".to_string());
        return out;
    }
    let re = regex::Regex::new(r"^\.([A-Za-z]+)(\[\d+\])?").expect("regex");
    for e in answer["schema"].as_array().into_iter().flatten() {
        let path = e["path"].as_str().unwrap_or("");
        match re.captures(path) {
            Some(c) => {
                out.insert(format!("{}{}", &c[1], c.get(2).map_or("", |m| m.as_str())));
            }
            None => {
                out.insert("(file)".to_string());
            }
        }
    }
    if let Some(message) = answer["routesError"]["message"].as_str() {
        let re =
            regex::Regex::new(r"^(Header|Redirect|Rewrite|Route) at index (\d+)").expect("regex");
        if let Some(c) = re.captures(message) {
            let key = match &c[1] {
                "Header" => "headers",
                "Redirect" => "redirects",
                "Rewrite" => "rewrites",
                _ => "routes",
            };
            out.insert(format!("{key}[{}]", &c[2]));
        } else if answer["routesError"]["code"] == "invalid_mixed_routes" {
            out.insert("routes".to_string());
        } else {
            out.insert(format!("(routes: {message})"));
        }
    }
    out
}

fn vercel(node: &Path, fixture: &Fixture, reading: &Reading, row: &mut Row) -> Result<(), String> {
    let text = fixture
        .files
        .get("vercel.json")
        .cloned()
        .unwrap_or_default();
    let document = reading
        .report
        .documents
        .first()
        .ok_or("corslint read no document")?;
    let site = document.sites.first();
    let paths = probes(site, Platform::Vercel);
    let input = json!({
        "text": text,
        "probes": paths,
        "headers": {"origin": ORIGIN, "host": HOST},
    });
    let answer = run_node(node, "vercel.mjs", &input, reading.dir.path())?;

    // 1. Rejected entries.
    let platform_entries = vercel_platform_entries(&answer);
    let corslint_entries: BTreeSet<String> = document
        .problems
        .iter()
        .map(|p| match p.kind {
            ProblemKind::Syntax => "(syntax)".to_string(),
            _ => vercel_entry(&text, p.span.start as usize),
        })
        .collect();
    // EXCEPTION: `routes` next to `headers`/`redirects`/`rewrites`/`cleanUrls`/
    // `trailingSlash` is rejected by the Vercel CLI's own check ("If `rewrites`, `redirects`,
    // `headers`, `cleanUrls` or `trailingSlash` are used, then `routes` cannot be present.",
    // `invalid_mixed_routes`, hosting-formats.md §1), which is not part of routing-utils, so
    // the oracle cannot see it. corslint's problem for it is accepted only in that case.
    let mut platform_entries = platform_entries;
    if corslint_entries.contains("routes")
        && document
            .problems
            .iter()
            .any(|p| p.message.contains("invalid_mixed_routes"))
    {
        platform_entries.insert("routes".to_string());
        row.notes
            .push("mixed `routes` rejected by the Vercel CLI's own check".into());
    }
    if platform_entries != corslint_entries {
        row.failures.push(format!(
            "rejected entries: Vercel {platform_entries:?} (schema {}, routes {}), corslint \
             {corslint_entries:?} ({})",
            answer["schema"],
            answer["routesError"],
            document
                .problems
                .iter()
                .map(|p| p.message.as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    if !platform_entries.is_empty() {
        // Vercel does not deploy a rejected file: there are no routes to compare.
        row.notes
            .push(format!("rejected by both: {platform_entries:?}"));
        return Ok(());
    }
    let Some(site) = site else {
        row.failures.push("corslint read no site".into());
        return Ok(());
    };

    // 2. Each probe: headers and redirect of a GET.
    for path in &paths {
        let response = resolve::resolve(site, &probe_request("GET", path), Options::default());
        if response
            .unknowns
            .iter()
            .any(|u| u.contains("condition") || u.contains("cannot evaluate"))
        {
            // EXCEPTION: a `has`/`missing` on a cookie or query is unknown to corslint, which
            // takes it as false (model.rs, `Condition::Unknown`); the oracle's request has no
            // cookie and no query, so Vercel decides it. Not a reading of the file.
            row.notes.push(format!(
                "{path}: not compared ({})",
                response.unknowns.join("; ")
            ));
            continue;
        }
        row.probes += 1;
        let theirs = &answer["probes"][path];
        let mut platform_headers: BTreeMap<String, String> = theirs["headers"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        platform_headers.remove("location");
        let mut ours = header_map(&response);
        ours.remove("location");
        if platform_headers != ours {
            row.failures.push(format!(
                "GET {path}: headers — Vercel {platform_headers:?}, corslint {ours:?}"
            ));
        }
        compare_redirect(
            "Vercel",
            path,
            &theirs["redirect"],
            &response,
            &mut row.failures,
        );
    }
    Ok(())
}

/// The redirect that fires: the platform's `{status, location}` (or null) against corslint's
/// answer.
fn compare_redirect(
    platform: &str,
    path: &str,
    theirs: &Value,
    response: &Response,
    failures: &mut Vec<String>,
) {
    let ours = match &response.answer {
        Answer::Redirect { location, .. } => Some((response.status, location.clone())),
        _ => None,
    };
    match (theirs.is_null(), &ours) {
        (true, None) => {}
        (false, Some((status, template))) => {
            let their_status = theirs["status"].as_u64().unwrap_or(0);
            let location = theirs["location"].as_str().unwrap_or("");
            if their_status != u64::from(*status) || !location_matches(template, location) {
                failures.push(format!(
                    "GET {path}: redirect — {platform} {their_status} to {location}, corslint \
                     {status} to {template}"
                ));
            }
        }
        (true, Some((status, template))) => failures.push(format!(
            "GET {path}: corslint fires a {status} redirect to {template}, {platform} none"
        )),
        (false, None) => failures.push(format!(
            "GET {path}: {platform} fires a {} redirect to {}, corslint answers {} ({:?})",
            theirs["status"], theirs["location"], response.status, response.answer
        )),
    }
}

// ------------------------------------------------------------------ Netlify

fn netlify(node: &Path, fixture: &Fixture, reading: &Reading, row: &mut Row) -> Result<(), String> {
    let root_dir = reading.dir.path().join("site");
    let toml = root_dir.join("netlify.toml");
    // Without a netlify.toml, the site is the folder of the file corslint reads.
    let site_dir = if toml.is_file() {
        root_dir.clone()
    } else {
        root_dir
            .join(&fixture.target)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or(root_dir.clone())
    };
    let publish = if toml.is_file() {
        let text = std::fs::read_to_string(&toml).unwrap_or_default();
        corslint::formats::netlify::toml::publish_dir(&text).map(|p| site_dir.join(p))
    } else {
        None
    };
    let site = reading.site();
    let paths = probes(site, Platform::Netlify);
    let input = json!({
        "projectDir": site_dir,
        "publishDir": publish,
        "configPath": toml.is_file().then_some(&toml),
        "probes": paths,
    });
    let answer = run_node(node, "netlify.mjs", &input, reading.dir.path())?;
    let document = reading
        .report
        .documents
        .first()
        .ok_or("corslint read no document")?;
    let problem_lines = |file: corslint::source::FileId| -> BTreeSet<usize> {
        document
            .problems
            .iter()
            .filter(|p| p.span.file == file)
            .map(|p| reading.line(p.span))
            .collect()
    };

    // A file's path inside the site, for messages.
    let relative = |file: &str| {
        Path::new(file)
            .strip_prefix(&site_dir)
            .unwrap_or(Path::new(file))
            .to_string_lossy()
            .into_owned()
    };

    // 1. `_headers` lines: which have an effect.
    for (file, lines) in answer["headerLines"].as_object().into_iter().flatten() {
        let rel = relative(file);
        let id = reading.file_id_at(Path::new(file));
        let effective_ours: BTreeSet<usize> = site
            .into_iter()
            .flat_map(|s| s.scopes.iter())
            .flat_map(|s| s.headers.iter())
            .filter(|op| Some(op.span.file) == id)
            .map(|op| reading.line(op.span))
            .collect();
        let reported = id.map(problem_lines).unwrap_or_default();
        for (line, class) in lines.as_object().into_iter().flatten() {
            let line: usize = line.parse().unwrap_or(0);
            let theirs = class.as_str().unwrap_or("");
            let ours = effective_ours.contains(&line);
            // EXCEPTION (`unsendable`): headers-parser keeps any text before the first colon
            // as a name, but a name that is not an HTTP token can never be sent: the dev
            // server's `Headers.set` throws ("is an invalid header name"). corslint drops
            // such a line and reports it, which is what the platform does at run time.
            let platform_effective = theirs == "effective";
            if platform_effective != ours {
                row.failures.push(format!(
                    "{rel}:{line}: Netlify says the line is {theirs}, corslint {}",
                    if ours { "applies it" } else { "does not" }
                ));
            }
            if !platform_effective && !reported.contains(&line) {
                row.failures.push(format!(
                    "{rel}:{line}: Netlify ignores this line ({theirs}) and corslint does not \
                     report it"
                ));
            }
        }
    }

    // 2. `_redirects` lines: rules or errors.
    for (file, lines) in answer["redirectLines"].as_object().into_iter().flatten() {
        let rel = relative(file);
        let id = reading.file_id_at(Path::new(file));
        let rules_ours: BTreeSet<usize> = site
            .into_iter()
            .flat_map(|s| s.scopes.iter())
            .filter(|s| matches!(s.kind, ScopeKind::Redirect | ScopeKind::Rewrite))
            .filter(|s| Some(s.span.file) == id)
            .map(|s| reading.line(s.span))
            .collect();
        let reported = id.map(problem_lines).unwrap_or_default();
        for (line, class) in lines.as_object().into_iter().flatten() {
            let line: usize = line.parse().unwrap_or(0);
            let rule = class == "rule";
            if rule != rules_ours.contains(&line) {
                row.failures.push(format!(
                    "{rel}:{line}: Netlify reads {}, corslint {}",
                    if rule { "a rule" } else { "an error" },
                    if rules_ours.contains(&line) {
                        "a rule"
                    } else {
                        "no rule"
                    }
                ));
            }
            if !rule && !reported.contains(&line) {
                row.failures.push(format!(
                    "{rel}:{line}: Netlify rejects this line and corslint does not report it"
                ));
            }
        }
    }

    // 3. The header rules read (netlify.toml included): the same set of `for` + values.
    // Names that are not HTTP tokens are left out of Netlify's side: they can never be sent
    // (see the `unsendable` exception above), and corslint drops them.
    let token = regex::Regex::new(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$").expect("regex");
    let theirs: BTreeSet<String> = answer["headerRules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| {
            let values: serde_json::Map<String, Value> = r["values"]
                .as_object()?
                .iter()
                .filter(|(k, _)| token.is_match(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            (!values.is_empty()).then(|| {
                format!(
                    "{} {}",
                    r["for"].as_str().unwrap_or(""),
                    Value::Object(values)
                )
            })
        })
        .collect();
    let ours: BTreeSet<String> = site
        .into_iter()
        .flat_map(|s| s.scopes.iter())
        .filter(|s| s.kind == ScopeKind::HeaderRule)
        .filter_map(|s| {
            let m = s.matcher.as_ref()?;
            let mut values = serde_json::Map::new();
            for op in s.headers.iter() {
                let v = op.value.literal().unwrap_or("").to_string();
                let joined = match values.get(&op.name).and_then(Value::as_str) {
                    Some(before) => format!("{before}, {v}"),
                    None => v,
                };
                values.insert(op.name.clone(), Value::String(joined));
            }
            Some(format!("{} {}", m.pattern, Value::Object(values)))
        })
        .collect();
    if theirs != ours {
        row.failures.push(format!(
            "header rules — only Netlify {:?}, only corslint {:?}",
            theirs.difference(&ours).collect::<Vec<_>>(),
            ours.difference(&theirs).collect::<Vec<_>>()
        ));
    }

    // 4. Each probe: the headers that match, and the redirect that fires.
    let Some(site) = site else {
        if !paths.is_empty() && !answer["headerRules"].as_array().is_none_or(Vec::is_empty) {
            row.failures
                .push("Netlify reads header rules, corslint no site".into());
        }
        return Ok(());
    };
    for path in &paths {
        row.probes += 1;
        let theirs = &answer["probes"][path];
        let platform_headers: BTreeMap<String, String> = theirs["headers"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default();
        // Which headers match the path, whatever answers it (Netlify's `headersForPath`).
        let skip = Options {
            skip_redirects: true,
        };
        let response = resolve::resolve(site, &probe_request("GET", path), skip);
        let ours = if response.withheld.is_empty() {
            header_map(&response)
        } else {
            combine(&response.withheld)
        };
        if platform_headers != ours {
            row.failures.push(format!(
                "GET {path}: matching headers — Netlify {platform_headers:?}, corslint {ours:?}"
            ));
        }
        let redirect = &theirs["redirect"];
        let response = resolve::resolve(site, &probe_request("GET", path), Options::default());
        let status = redirect["status"].as_u64().unwrap_or(0);
        let redirect_3xx = if (300..400).contains(&status) {
            json!({"status": status, "location": redirect["to"]})
        } else {
            Value::Null
        };
        if (400..500).contains(&status) && redirect["force"] != true {
            // EXCEPTION: a 4xx rule without `!` answers only where no file exists (Netlify
            // docs, "shadowing"); netlify-redirector does not look at files, corslint assumes
            // files exist for such rules (formats/netlify/mod.rs, "Not modelled").
            row.notes.push(format!(
                "{path}: a {status} rule without `!` matches; it answers only where no file exists"
            ));
            continue;
        }
        compare_redirect("Netlify", path, &redirect_3xx, &response, &mut row.failures);
    }
    Ok(())
}

// ------------------------------------------------------------------ Cloudflare

/// Response headers the Pages asset server adds by itself (besides the default ACAO, which
/// corslint models): compared only when the configuration names them.
const CLOUDFLARE_OWN: [&str; 14] = [
    "content-encoding",
    "vary",
    "content-type",
    "etag",
    "cache-control",
    "date",
    "transfer-encoding",
    "referrer-policy",
    "x-content-type-options",
    "x-server-env",
    "location",
    "content-length",
    "connection",
    "keep-alive",
];

fn cloudflare(
    node: &Path,
    fixture: &Fixture,
    reading: &Reading,
    row: &mut Row,
) -> Result<(), String> {
    // The folder of the file corslint reads is the folder Pages serves.
    let root_dir = reading.dir.path().join("site");
    let site_dir = root_dir
        .join(&fixture.target)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or(root_dir);
    // What every path falls back to (Pages serves the root `index.html` for unknown paths
    // when there is no `404.html`), so that a GET is answered 200 as corslint assumes.
    std::fs::write(
        site_dir.join("index.html"),
        "<!doctype html><p>oracle</p>\n",
    )
    .map_err(|e| e.to_string())?;
    let work = reading.dir.path().join("wrangler");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let wrangler = process::oracles_dir().join("node_modules/.bin/wrangler");
    let site = reading.site();
    let paths = probes(site, Platform::Cloudflare);
    let ports = process::free_ports(2)?;
    let input = json!({
        "dir": site_dir,
        "work": work,
        "wrangler": wrangler,
        "port": ports[0],
        "inspectorPort": ports[1],
        "probes": paths,
        "origin": ORIGIN,
        "timeoutMs": 60000,
    });
    let answer = run_node(node, "cloudflare.mjs", &input, reading.dir.path())?;
    let document = reading
        .report
        .documents
        .first()
        .ok_or("corslint read no document")?;

    // 1. The lines wrangler reports invalid carry a corslint problem, and the reverse.
    let prefix = Path::new(&fixture.target)
        .parent()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| !p.is_empty())
        .map(|p| format!("{p}/"))
        .unwrap_or_default();
    for name in ["_headers", "_redirects"] {
        let file = format!("{prefix}{name}");
        if !fixture.files.contains_key(&file) {
            continue;
        }
        let id = reading.file_id(&file);
        let ours: BTreeSet<usize> = document
            .problems
            .iter()
            .filter(|p| Some(p.span.file) == id)
            .map(|p| reading.line(p.span))
            .collect();
        let text = fixture.files.get(&file).map(String::as_str).unwrap_or("");
        let theirs: BTreeSet<usize> = answer["invalid"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["file"] == name)
            .filter_map(|i| {
                // wrangler names a rule without headers by its path line; the number it
                // prints with it is the line that closed the rule (parseHeaders pushes
                // `lineNumber: i + 1` when the next path starts), or none at the end of the
                // file. The path line itself is the rule's line.
                if i["message"] == "No headers specified" {
                    let wanted = i["text"].as_str()?;
                    return text
                        .split('\n')
                        .position(|l| l.trim() == wanted)
                        .map(|n| n + 1);
                }
                i["line"].as_u64().map(|l| l as usize)
            })
            .collect();
        if ours != theirs {
            row.failures.push(format!(
                "{file}: invalid lines — wrangler {theirs:?} ({}), corslint {ours:?}",
                answer["invalid"]
            ));
        }
    }
    let unlocated: Vec<&Value> = answer["invalid"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["line"].is_null() && i["text"].is_null())
        .collect();
    if !unlocated.is_empty() && document.problems.is_empty() {
        row.failures.push(format!(
            "wrangler ignores part of the files ({unlocated:?}), corslint reports nothing"
        ));
    }

    // 2. Each probe: GET and OPTIONS, status, Location and the configured headers.
    let Some(site) = site else {
        return Err("corslint read no site".into());
    };
    let mut names: BTreeSet<String> = site
        .scopes
        .iter()
        .flat_map(|s| s.headers.iter())
        .map(|op| op.name.to_ascii_lowercase())
        .collect();
    names.insert("access-control-allow-origin".into());
    for path in &paths {
        row.probes += 1;
        for method in ["GET", "OPTIONS"] {
            let theirs = &answer["probes"][path][method];
            let response = resolve::resolve(site, &probe_request(method, path), Options::default());
            let status = theirs["status"].as_u64().unwrap_or(0);
            let platform_headers: BTreeMap<String, String> = theirs["headers"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                        .collect()
                })
                .unwrap_or_default();
            if status != u64::from(response.status) {
                row.failures.push(format!(
                    "{method} {path}: status — Cloudflare {status}, corslint {} ({:?})",
                    response.status, response.answer
                ));
            }
            let location = platform_headers.get("location").cloned();
            match (&response.answer, &location) {
                (Answer::Redirect { location: t, .. }, Some(l)) if location_matches(t, l) => {}
                (Answer::Redirect { location: t, .. }, l) => row.failures.push(format!(
                    "{method} {path}: Location — Cloudflare {l:?}, corslint {t}"
                )),
                (_, Some(l)) => row.failures.push(format!(
                    "{method} {path}: Cloudflare redirects to {l}, corslint does not"
                )),
                _ => {}
            }
            let ours = header_map(&response);
            let mut compared: BTreeSet<&String> = names.iter().collect();
            compared.extend(
                platform_headers
                    .keys()
                    .filter(|k| !CLOUDFLARE_OWN.contains(&k.as_str())),
            );
            for name in compared {
                let (a, b) = (platform_headers.get(name), ours.get(name));
                // The asset server's own headers (content type, caching, compression)
                // matter only where the configuration sets them.
                if b.is_none() && CLOUDFLARE_OWN.contains(&name.as_str()) {
                    continue;
                }
                if a != b {
                    row.failures.push(format!(
                        "{method} {path}: {name} — Cloudflare {a:?}, corslint {b:?}"
                    ));
                }
            }
        }
    }
    Ok(())
}
