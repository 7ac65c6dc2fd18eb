//! Hostile input: every case gets a clear diagnostic and the right exit code, never a panic,
//! a hang or a silent "all clear". And linting never writes to the files it reads.

mod common;

use std::fs;
use std::path::Path;

use common::{corslint, run};
use corslint::settings::Overrides;
use corslint::{Input, lint};

fn concise(path: &Path) -> (i32, String, String) {
    run(corslint().args(["check", "--format", "concise"]).arg(path))
}

#[test]
fn invalid_utf8_is_reported_at_the_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    fs::write(&path, b"server {\n  listen 80; # caf\xe9\n}\n").unwrap();
    let (code, out, _) = concise(&path);
    // nginx reads bytes: information, not an error; the rest of the file is still checked.
    assert_eq!(code, 0);
    assert!(
        out.contains("nginx.conf:2:19: info[CORS004]: this byte is not UTF-8"),
        "{out}"
    );
}

#[test]
fn binary_file_named_nginx_conf_gets_a_clear_note() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    let mut junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    junk[10] = 0;
    fs::write(&path, &junk).unwrap();
    let (code, out, _) = concise(&path);
    assert_eq!(code, 1);
    assert!(
        out.contains("error[CORS001]: this is a binary file"),
        "{out}"
    );
}

#[test]
fn deep_nesting_is_a_finding_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    let text = "location / {".repeat(100_000) + &"}".repeat(100_000);
    fs::write(&path, text).unwrap();
    let (code, out, err) = concise(&path);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("error[CORS001]: blocks nested deeper than 200 levels"),
        "{out}"
    );
}

#[test]
fn a_100_mb_config_is_linted_in_bounded_time_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    let server = "server {\n    listen 80;\n    location /api/ {\n        add_header Access-Control-Allow-Origin https://app.example.com always;\n        proxy_pass http://127.0.0.1:8080;\n    }\n}\n";
    let mut text = String::with_capacity(100 << 20);
    text.push_str("http {\n");
    while text.len() < 100 << 20 {
        text.push_str(
            "    # padding comment to make the file large without making it slow to lint\n",
        );
        if text.len().is_multiple_of(64) {
            text.push_str(server);
        }
    }
    text.push_str(server);
    text.push_str("}\n");
    fs::write(&path, &text).unwrap();
    let (code, _, err) = concise(&path);
    assert!(code == 0 || code == 1, "{err}");
}

#[test]
fn include_cycles_self_includes_and_huge_globs() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("many")).unwrap();
    for i in 0..10_000 {
        fs::write(dir.path().join(format!("many/{i:05}.conf")), "# nothing\n").unwrap();
    }
    fs::write(
        dir.path().join("nginx.conf"),
        "http {\n  include many/*.conf;\n  include nginx.conf;\n}\n",
    )
    .unwrap();
    let (code, out, err) = concise(&dir.path().join("nginx.conf"));
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("nginx.conf:3:3: error[CORS002]: include cycle"),
        "{out}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_in_a_walked_folder_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("a")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("a/loop")).unwrap();
    fs::write(dir.path().join("a/vercel.json"), "{}\n").unwrap();
    let (code, _, err) = run(corslint().args(["check"]).arg(dir.path()));
    assert_eq!(code, 0, "{err}");
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_exit_2_naming_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nginx.conf");
    fs::write(&path, "server { listen 80; }\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&path).is_ok() {
        // Running as root: permissions do not stop reads; use a folder where a file is expected.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        fs::remove_file(&path).unwrap();
        fs::create_dir(&path).unwrap();
        fs::write(dir.path().join("firebase.json"), "{}").unwrap();
        let link = dir.path().join("vercel.json");
        std::os::unix::fs::symlink(dir.path().join("missing-target"), &link).unwrap();
        let (code, _, err) = run(corslint().args(["check"]).arg(&link));
        assert_eq!(code, 2);
        assert!(err.contains("vercel.json: no such file or folder"), "{err}");
        return;
    }
    let (code, _, err) = run(corslint().args(["check"]).arg(&path));
    assert_eq!(code, 2);
    assert!(err.contains("nginx.conf: permission denied"), "{err}");
}

#[test]
fn a_catastrophic_backtracking_regex_is_harmless() {
    // (a+)+$ takes exponential time in a backtracking engine; corslint's engine is linear.
    let conf = format!(
        "server {{\n  location ~ ^/(a+)+$ {{\n    add_header Access-Control-Allow-Origin * always;\n  }}\n  location /{} {{ }}\n}}\n",
        "a".repeat(5000)
    );
    let report = lint(
        &[Input::Stdin {
            name: "nginx.conf".into(),
            text: conf,
        }],
        &Overrides::default(),
    );
    assert!(report.errors.is_empty());
}

#[test]
fn junk_never_panics() {
    // A deterministic stream of odd texts through every format.
    let names = [
        "nginx.conf",
        "vercel.json",
        "firebase.json",
        "_headers",
        "_redirects",
        "netlify.toml",
    ];
    let pieces = [
        "{",
        "}",
        ";",
        "\"",
        "'",
        "\\",
        "$",
        "${",
        "#",
        "\n",
        " ",
        "location",
        "server",
        "if",
        "(",
        ")",
        "~",
        "add_header",
        "[",
        "]",
        "=",
        ":",
        ",",
        "*",
        "/",
        "/*",
        "\u{0}",
        "é",
        "[[headers]]",
        "for",
        "\"source\"",
        "\"headers\"",
        "301!",
        "!",
        "https://x",
        "Access-Control-Allow-Origin",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..600 {
        let mut text = String::new();
        for _ in 0..(seed % 60) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        for name in names {
            let _ = lint(
                &[Input::Stdin {
                    name: name.into(),
                    text: text.clone(),
                }],
                &Overrides::default(),
            );
        }
    }
}

#[test]
fn linting_leaves_every_file_untouched() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let before = snapshot(&samples);
    let (code, _, _) = run(corslint().args(["check"]).arg(&samples));
    assert_eq!(code, 1);
    assert_eq!(before, snapshot(&samples));
}

/// Every file's bytes and modification time.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let meta = entry.metadata().unwrap();
            out.push((
                entry.path().display().to_string(),
                fs::read(entry.path()).unwrap(),
                meta.modified().unwrap(),
            ));
        }
    }
    out
}

// Regression tests for crashes found by fuzzing (fuzz/, see the README's "Fuzzing").

/// Lints `text` as the file `name` and returns the report; panics are the failure.
fn lint_text(name: &str, text: &str) -> corslint::Report {
    let input = Input::Stdin {
        name: name.to_string(),
        text: text.to_string(),
    };
    lint(&[input], &Overrides::default())
}

#[test]
fn fuzz_header_name_with_a_multibyte_character_at_byte_15() {
    // "Access-Control" is 14 bytes: `é` spans bytes 14..16, so byte 15 is not a character
    // boundary (json_formats crash-9295c7dc: `Access-\u{492}…` in a legacy Vercel route).
    let name = "Access-Control\u{e9}-Allow-Origin";
    let vercel = format!(
        r#"{{ "routes": [{{ "src": "/api/(.*)", "methods": ["OPTIONS"],
            "headers": {{ "{name}": "*" }}, "status": 204 }}] }}"#
    );
    lint_text("vercel.json", &vercel);
    lint_text("_headers", &format!("/api/*\n  {name}: *\n"));
    lint_text(
        "nginx.conf",
        &format!("server {{ location / {{ add_header {name} *; }} }}\n"),
    );
}

#[test]
fn fuzz_regression_non_ascii_before_a_variable_in_a_condition() {
    // Found by the lint_any fuzz target: a multi-byte character where a `$variable` was
    // expected made a byte slice land inside the character.
    for text in [
        "server { location / { if (é$request_method = OPTIONS) { return 204; } } }\n",
        "server { add_header X é$http_origin; if (\u{fffd}) { return 204; } }\n",
    ] {
        let report = lint(
            &[Input::Stdin {
                name: "nginx.conf".into(),
                text: text.into(),
            }],
            &Overrides::default(),
        );
        assert!(report.errors.is_empty(), "{:?}", report.errors);
    }
}
