//! Fitting the user's workflow: SARIF and annotations for CI, suppressions, stdin,
//! configuration precedence, --output, --statistics, --quiet.

mod common;

use std::fs;

use common::{corslint, run};

const WILDCARD: &str = "server {\n  listen 80;\n  add_header Access-Control-Allow-Origin * always;\n  add_header Access-Control-Allow-Credentials true always;\n}\n";

#[test]
fn sarif_deserializes_and_lists_every_rule() {
    let (code, out, _) =
        run(corslint().args(["check", "--format", "sarif", "samples/nginx/broken"]));
    assert_eq!(code, 1);
    let log: serde_sarif::sarif::Sarif = serde_json::from_str(&out).expect("valid SARIF 2.1.0");
    let run = &log.runs[0];
    let rules = run.tool.driver.rules.as_ref().unwrap();
    assert_eq!(rules.len(), corslint::rules::all().count());
    for rule in rules {
        assert!(rule.help.as_ref().unwrap().text.contains("## What it does"));
        assert!(rule.help_uri.is_some());
    }
    let results = run.results.as_ref().unwrap();
    let wildcard = results
        .iter()
        .find(|r| r.rule_id.as_deref() == Some("CORS101"))
        .unwrap();
    let location = &wildcard.locations.as_ref().unwrap()[0];
    let physical = location.physical_location.as_ref().unwrap();
    assert_eq!(
        physical.artifact_location.as_ref().unwrap().uri.as_deref(),
        Some("samples/nginx/broken/nginx.conf")
    );
    let region = physical.region.as_ref().unwrap();
    assert_eq!(
        (region.start_line, region.start_column),
        (Some(23), Some(49))
    );
    assert_eq!(
        wildcard.related_locations.as_ref().unwrap()[0]
            .message
            .as_ref()
            .unwrap()
            .text
            .as_deref(),
        Some("credentials enabled here")
    );
}

#[test]
fn github_annotations_with_titles() {
    let (code, out, _) =
        run(corslint().args(["check", "--format", "github", "samples/nginx/broken"]));
    assert_eq!(code, 1);
    assert!(out.lines().any(|l| l.starts_with(
        "::error file=samples/nginx/broken/nginx.conf,line=23,col=49,endLine=23,endColumn=50,title=CORS101 wildcard-with-credentials::"
    )), "{out}");
    assert!(out.lines().any(|l| l.starts_with("::warning ")));
}

#[test]
fn stdin_reports_under_the_given_name() {
    let (code, out, _) = run(corslint()
        .args([
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "deploy/nginx.conf",
            "-",
        ])
        .write_stdin(WILDCARD));
    assert_eq!(code, 1);
    assert!(
        out.contains("deploy/nginx.conf:3:42: error[CORS101]"),
        "{out}"
    );
    let (code, _, err) = run(corslint().args(["check", "-"]).write_stdin(WILDCARD));
    assert_eq!(code, 2);
    assert!(err.contains("--stdin-filename"), "{err}");
}

#[test]
fn suppressions_on_the_line_before_at_the_end_and_file_wide() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    let lint = |text: &str| {
        fs::write(&path, text).unwrap();
        run(corslint().args(["check", "--format", "concise"]).arg(&path))
    };
    let before = WILDCARD.replace(
        "  add_header Access-Control-Allow-Origin",
        "  # corslint: ignore[wildcard-with-credentials] public read-only API\n  add_header Access-Control-Allow-Origin",
    );
    assert_eq!(lint(&before).0, 0);
    let end = WILDCARD.replace(
        "Origin * always;",
        "Origin * always; # corslint: ignore[CORS101] public read-only API",
    );
    assert_eq!(lint(&end).0, 0);
    let file = format!("# corslint: ignore-file[wildcard-with-credentials] legacy\n{WILDCARD}");
    assert_eq!(lint(&file).0, 0);
    // One that suppresses nothing is reported.
    let unused = format!("# corslint: ignore[missing-max-age] stale\n{WILDCARD}");
    let (code, out, _) = lint(&unused);
    assert_eq!(code, 1);
    assert!(out.contains("nginx.conf:1:1: warning[CORS901]"), "{out}");
    assert!(out.contains("error[CORS101]"), "{out}");
}

#[test]
fn configuration_precedence_flag_over_file_nearest_file_wins() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("sub")).unwrap();
    fs::write(dir.path().join("sub/nginx.conf"), WILDCARD).unwrap();
    fs::write(
        dir.path().join(".corslint.toml"),
        "[rules]\nignore = [\"CORS1\"]\n",
    )
    .unwrap();
    let check = |extra: &[&str]| {
        run(corslint()
            .current_dir(dir.path())
            .args(["check", "--format", "concise"])
            .args(extra)
            .arg("sub"))
    };
    // The root file ignores CORS1xx.
    assert_eq!(check(&[]).0, 0);
    // A nearer file wins over it.
    fs::write(
        dir.path().join("sub/.corslint.toml"),
        "[rules]\nseverity = { wildcard-with-credentials = \"info\" }\n",
    )
    .unwrap();
    let (code, out, _) = check(&[]);
    assert_eq!(code, 0, "info is below the default --fail-on warning");
    assert!(out.contains("info[CORS101]"), "{out}");
    // Flags win over files.
    let (code, _, _) = check(&["--fail-on", "info"]);
    assert_eq!(code, 1);
    let (code, out, _) = check(&["--select", "missing-max-age"]);
    assert_eq!((code, out.as_str()), (0, ""));
    // --config names one file for everything.
    fs::write(
        dir.path().join("strict.toml"),
        "[rules]\nselect = [\"ALL\"]\n",
    )
    .unwrap();
    let (code, out, _) = check(&["--config", "strict.toml"]);
    assert_eq!(code, 1);
    assert!(out.contains("error[CORS101]"));
    // per-file-ignores.
    fs::write(
        dir.path().join("strict.toml"),
        "[[per-file-ignores]]\npath = \"sub/**\"\nrules = [\"wildcard-with-credentials\"]\n",
    )
    .unwrap();
    assert_eq!(check(&["--config", "strict.toml"]).0, 0);
}

#[test]
fn output_statistics_and_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("report.json");
    let (code, out, err) = run(corslint()
        .args(["check", "--format", "json", "--quiet", "--output"])
        .arg(&out_file)
        .arg("samples/nginx/broken"));
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert_eq!(err, "");
    let v: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&out_file).unwrap()).unwrap();
    assert!(v["summary"]["total"].as_u64().unwrap() > 0);
    let (_, out, _) = run(corslint().args([
        "check",
        "--format",
        "concise",
        "--statistics",
        "samples/nginx/broken",
    ]));
    assert!(
        out.lines()
            .any(|l| l.trim_start().starts_with("5  CORS301  missing-always")),
        "{out}"
    );
}

#[test]
fn pre_commit_hook_covers_every_file_name() {
    let hooks = fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.pre-commit-hooks.yaml"
    ))
    .unwrap();
    let pattern = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("files: "))
        .unwrap()
        .trim_matches('\'');
    let re = regex::Regex::new(pattern).unwrap();
    for name in [
        "vercel.json",
        "apps/web/now.json",
        "firebase.json",
        "site/netlify.toml",
        "public/_headers",
        "public/_redirects",
        "nginx.conf",
        "deploy/conf.d/api.conf",
    ] {
        assert!(re.is_match(name), "{name}");
    }
    assert!(!re.is_match("package.json"));
}
