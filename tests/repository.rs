//! One `corslint check .` over a repository that holds every format (and a node_modules full
//! of configs): each format's problems at the exact line, nothing from node_modules, exit 1.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

#[test]
fn every_format_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "nginx/nginx.conf",
        "http {\n    server {\n        listen 80;\n        location /api/ {\n            add_header Access-Control-Allow-Origin * always;\n            add_header Access-Control-Allow-Credentials true always;\n            proxy_pass http://127.0.0.1:8080;\n        }\n    }\n}\n",
    );
    write(
        root,
        "web/vercel.json",
        r#"{
  "headers": [
    {
      "source": "/api/(.*)",
      "headers": [
        { "key": "Access-Control-Allow-Origin", "value": "*" },
        { "key": "Access-Control-Allow-Credentials", "value": "true" }
      ]
    }
  ]
}
"#,
    );
    write(
        root,
        "site/_headers",
        "/api/*\n  Access-Control-Allow-Origin: *\n  Access-Control-Allow-Credentials: true\n",
    );
    write(
        root,
        "fb/firebase.json",
        r#"{
  "hosting": [
    {
      "target": "app",
      "public": "dist",
      "headers": [
        {
          "source": "/api/**",
          "headers": [
            { "key": "Access-Control-Allow-Origin", "value": "*" },
            { "key": "Access-Control-Allow-Credentials", "value": "true" }
          ]
        }
      ]
    },
    { "target": "docs", "public": "docs" }
  ]
}
"#,
    );
    for pkg in ["left-pad", "some-framework/templates"] {
        write(
            root,
            &format!("node_modules/{pkg}/vercel.json"),
            "{ broken json",
        );
        write(
            root,
            &format!("node_modules/{pkg}/_headers"),
            "Access-Control-Allow-Origin: *\n",
        );
        write(root, &format!("node_modules/{pkg}/nginx.conf"), "server {");
    }
    write(root, "target/debug/nginx.conf", "server {");

    let out = Command::cargo_bin("corslint")
        .unwrap()
        .current_dir(root)
        .env("NO_COLOR", "1")
        .args([
            "check",
            "--format",
            "concise",
            "--select",
            "CORS0,CORS101",
            ".",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        vec![
            "fb/firebase.json:10:63: error[CORS101]: `Access-Control-Allow-Origin: *` is sent with `Access-Control-Allow-Credentials: true`: browsers reject `*` on every request made with credentials (`credentials: 'include'`, `withCredentials`), so those requests fail (wildcard-with-credentials)",
            "nginx/nginx.conf:5:52: error[CORS101]: `Access-Control-Allow-Origin: *` is sent with `Access-Control-Allow-Credentials: true`: browsers reject `*` on every request made with credentials (`credentials: 'include'`, `withCredentials`), so those requests fail (wildcard-with-credentials)",
            "site/_headers:2:32: error[CORS101]: `Access-Control-Allow-Origin: *` is sent with `Access-Control-Allow-Credentials: true`: browsers reject `*` on every request made with credentials (`credentials: 'include'`, `withCredentials`), so those requests fail (wildcard-with-credentials)",
            "web/vercel.json:6:59: error[CORS101]: `Access-Control-Allow-Origin: *` is sent with `Access-Control-Allow-Credentials: true`: browsers reject `*` on every request made with credentials (`credentials: 'include'`, `withCredentials`), so those requests fail (wildcard-with-credentials)",
        ]
    );
    assert!(!stdout.contains("node_modules") && !stdout.contains("target/"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("in 4 files checked"), "{stderr}");
}

#[test]
fn fixed_samples_are_clean_and_broken_ones_are_not() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    for entry in fs::read_dir(&samples).unwrap() {
        let format_dir = entry.unwrap().path();
        for (kind, expected) in [("fixed", 0), ("broken", 1)] {
            let dir = format_dir.join(kind);
            let out = Command::cargo_bin("corslint")
                .unwrap()
                .args(["check", "--format", "concise"])
                .arg(&dir)
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(expected),
                "{}: {}",
                dir.display(),
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
}
