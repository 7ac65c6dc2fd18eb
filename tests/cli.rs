//! The command-line contract: exit codes, formats (snapshots), configuration discovery.

use assert_cmd::Command;
use std::fs;

fn corslint() -> Command {
    let mut cmd = Command::cargo_bin("corslint").unwrap();
    cmd.env_remove("CORSLINT_OUTPUT_FORMAT")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100");
    cmd
}

fn stdout(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn broken_nginx_sample_exits_1_with_concise_findings() {
    let (code, out, err) =
        stdout(corslint().args(["check", "--format", "concise", "samples/nginx/broken"]));
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("concise_nginx_broken", out);
    assert!(
        err.contains("Found 13 problems (5 errors, 6 warnings, 2 infos) in 1 file checked."),
        "{err}"
    );
}

#[test]
fn fixed_nginx_sample_is_clean() {
    let (code, out, err) = stdout(corslint().args(["check", "samples/nginx/fixed"]));
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.contains("All checks passed (1 file checked)."), "{err}");
}

#[test]
fn full_format_underlines_the_token() {
    let (code, out, _) = stdout(corslint().args([
        "check",
        "--select",
        "wildcard-with-credentials",
        "samples/nginx/broken",
    ]));
    assert_eq!(code, 1);
    insta::assert_snapshot!("full_nginx_wildcard", out);
}

#[test]
fn json_format_follows_the_contract() {
    let (code, out, _) =
        stdout(corslint().args(["check", "--format", "json", "samples/nginx/broken"]));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(v["summary"]["total"], findings.len());
    let first = &findings[0];
    for key in [
        "rule",
        "code",
        "severity",
        "message",
        "help",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "url",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    let wildcard = findings
        .iter()
        .find(|f| f["rule"] == "wildcard-with-credentials")
        .unwrap();
    assert_eq!(wildcard["file"], "samples/nginx/broken/nginx.conf");
    assert_eq!(
        (wildcard["line"].as_u64(), wildcard["column"].as_u64()),
        (Some(23), Some(49))
    );
    assert_eq!(
        (
            wildcard["end_line"].as_u64(),
            wildcard["end_column"].as_u64()
        ),
        (Some(23), Some(50))
    );
    insta::assert_snapshot!("json_nginx_broken", out);
}

#[test]
fn exit_codes() {
    // Missing path: 2.
    let (code, _, err) = stdout(corslint().args(["check", "no/such/path"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("no/such/path: no such file or folder"),
        "{err}"
    );
    // Bad flag: 2.
    assert_eq!(stdout(corslint().args(["check", "--no-such-flag"])).0, 2);
    // Unknown rule: 2.
    assert_eq!(
        stdout(corslint().args(["check", "--select", "nope", "samples"])).0,
        2
    );
    // --exit-zero: 0 despite findings.
    assert_eq!(
        stdout(corslint().args(["check", "--exit-zero", "samples/nginx/broken"])).0,
        0
    );
    // --fail-on error with only warnings left: 0.
    let (code, out, _) = stdout(corslint().args([
        "check",
        "--format",
        "concise",
        "--select",
        "missing-always",
        "--fail-on",
        "error",
        "samples/nginx/broken",
    ]));
    assert_eq!(code, 0);
    assert!(out.contains("missing-always"));
}

#[test]
fn unknown_file_named_on_the_command_line_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.conf");
    fs::write(&path, "[section]\nkey = value\n").unwrap();
    let (code, _, err) = stdout(corslint().arg("check").arg(&path));
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot tell what kind of file this is"),
        "{err}"
    );
}

#[test]
fn client_headers_come_from_the_nearest_config_and_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let conf = "server {\n    listen 80;\n    location /api/ {\n        add_header Access-Control-Allow-Origin https://app.example.com always;\n        add_header Access-Control-Allow-Headers \"Content-Type\" always;\n        add_header Access-Control-Max-Age 7200 always;\n        proxy_hide_header Access-Control-Allow-Origin;\n        proxy_pass http://127.0.0.1:8080;\n    }\n}\n";
    fs::create_dir_all(dir.path().join("deploy/nginx")).unwrap();
    fs::write(dir.path().join("deploy/nginx/nginx.conf"), conf).unwrap();
    let run = |extra: &[&str]| {
        let mut cmd = corslint();
        cmd.current_dir(dir.path())
            .args(["check", "--format", "concise"])
            .args(extra)
            .arg("deploy");
        stdout(&mut cmd)
    };
    assert_eq!(run(&[]).0, 0);
    let (code, out, _) = run(&["--client-header", "X-Trace"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("deploy/nginx/nginx.conf:5:50: error[CORS201]: request header `X-Trace`"),
        "{out}"
    );
    // The nearest .corslint.toml, walking up from the linted file.
    fs::write(
        dir.path().join(".corslint.toml"),
        "[client]\nheaders = [\"Authorization\"]\n",
    )
    .unwrap();
    let (code, out, _) = run(&[]);
    assert_eq!(code, 1);
    assert!(out.contains("`Authorization`"), "{out}");
    // A bad key is an error with its position.
    fs::write(
        dir.path().join(".corslint.toml"),
        "[client]\nheader = [\"Authorization\"]\n",
    )
    .unwrap();
    let (code, _, err) = run(&[]);
    assert_eq!(code, 2);
    assert!(
        err.contains(".corslint.toml:2:1: unknown field `header`"),
        "{err}"
    );
}

#[test]
fn included_files_are_linted_once_through_their_includer() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("conf.d")).unwrap();
    fs::write(
        dir.path().join("nginx.conf"),
        "http {\n    include conf.d/*.conf;\n}\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("conf.d/api.conf"),
        "server {\n    listen 80;\n    add_header Access-Control-Allow-Origin * always;\n    add_header Access-Control-Allow-Credentials true always;\n}\n",
    )
    .unwrap();
    let (code, out, err) = stdout(
        corslint()
            .current_dir(dir.path())
            .args(["check", "--format", "concise", "."]),
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(out.matches("CORS101").count(), 1, "{out}");
    assert!(
        out.contains("conf.d/api.conf:3:44: error[CORS101]"),
        "{out}"
    );
    assert!(err.contains("in 1 file checked"), "{err}");
}

#[test]
fn rule_command_lists_and_prints_pages() {
    let (code, out, _) = stdout(corslint().args(["rule"]));
    assert_eq!(code, 0);
    assert!(out.contains("CORS101  wildcard-with-credentials"));
    let (code, out, _) = stdout(corslint().args(["rule", "CORS301"]));
    assert_eq!(code, 0);
    assert!(out.starts_with("# missing-always (CORS301)"));
    assert_eq!(stdout(corslint().args(["rule", "nope"])).0, 2);
}

#[test]
fn every_output_format_on_the_same_findings() {
    for format in ["concise", "github", "sarif"] {
        let (code, out, _) = stdout(corslint().args([
            "check",
            "--format",
            format,
            "--select",
            "wildcard-with-credentials,unlisted-request-header",
            "samples/nginx/broken",
        ]));
        assert_eq!(code, 1, "{format}");
        let out = if format == "sarif" {
            // The rule pages are pinned by their own tests; the results are what matter here.
            let v: serde_json::Value = serde_json::from_str(&out).unwrap();
            serde_json::to_string_pretty(&v["runs"][0]["results"]).unwrap()
        } else {
            out
        };
        insta::assert_snapshot!(format!("same_findings_{format}"), out);
    }
}

/// `simulate` takes the URL as a browser does and matches nginx locations against the path
/// nginx decodes it to; a path nginx refuses is its own 400, without CORS headers.
#[test]
fn simulate_matches_nginx_locations_against_the_decoded_path() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("nginx.conf");
    fs::write(
        &conf,
        "events {}\nhttp {\n  server {\n    server_name api.example;\n    \
         location ~ ^/caf\u{e9}/ {\n      add_header Access-Control-Allow-Origin \
         https://app.example always;\n      return 200;\n    }\n    \
         location / {\n      return 404;\n    }\n  }\n}\n",
    )
    .unwrap();
    let simulate = |url: &str| {
        stdout(
            corslint()
                .args(["simulate", "--origin", "https://app.example", "--format"])
                .args(["json", "--url", url, conf.to_str().unwrap()]),
        )
    };
    let (code, out, err) = simulate("https://API.example/caf%C3%A9//menu");
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "allowed");
    assert_eq!(v["actual"]["path"], "/caf%C3%A9//menu");
    assert_eq!(v["actual"]["uri"], "/caf\u{e9}/menu");

    let (code, out, err) = simulate("https://api.example/caf%zz/");
    assert_eq!(code, 1, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "blocked");
    assert_eq!(v["actual"]["status"], 400);
    assert!(
        v["actual"]["headers"].as_array().unwrap().is_empty(),
        "{out}"
    );

    let (code, out, err) = simulate("ftp://api.example/caf\u{e9}/");
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("not an http or https URL"), "{err}");

    fs::write(&conf, "events {}\nhttp {\n}\n").unwrap();
    let (code, out, err) = simulate("https://api.example/");
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("no server or site found"), "{err}");
}
