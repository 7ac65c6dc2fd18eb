//! Every nginx file of the shared corpus, named on the command line: no crash; files not
//! marked INVALID in SOURCES.md get no invalid-syntax / invalid-config; INVALID ones get one.
//! The corpus is other people's work and is never copied here: it is read from
//! `../shared/corpus`, and the test says it was skipped when that folder is absent (unless
//! CORSLINT_REQUIRE_CORPUS=1, as in CI).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use corslint::settings::Overrides;
use corslint::{Input, lint};

/// Files not marked INVALID that nginx itself refuses (checked against ngx_conf_file.c's
/// tokenizer), so corslint rightly reports them.
const NGINX_REJECTS: &[(&str, &str)] = &[
    (
        "nginx/nginxinc__crossplane__tests__configs__quote-behavior/nginx.conf",
        "`\"left\"-quote`: nginx requires a space, `;`, `{` or `)` after a closing quote (unexpected \"-\")",
    ),
    (
        "nginx/CityOfPhiladelphia__phila.gov__nginx/nginx.conf",
        "a Mustache template (`{{#PHILA_TEST}}`), not nginx configuration until rendered",
    ),
    (
        "nginx/CityOfPhiladelphia__phila.gov__nginx/server.d/media.conf",
        "a Mustache template (`/{{PHILA_MEDIA_BUCKET}}/`)",
    ),
    (
        "nginx/MegaManSec__gixy-ng__tests__plugins__simply__origins/map_origin_allowlist_fp.conf",
        "an unquoted regex with `{1,5}` inside `map`: nginx reads `{` as a block start there (unexpected \"{\")",
    ),
];

fn corpus() -> Option<PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if base.is_dir() {
        return Some(base);
    }
    assert!(
        std::env::var_os("CORSLINT_REQUIRE_CORPUS").is_none(),
        "CORSLINT_REQUIRE_CORPUS is set but ../shared/corpus is missing"
    );
    println!("skipped: ../shared/corpus not found");
    None
}

fn invalid_files(base: &Path) -> HashSet<String> {
    let sources = std::fs::read_to_string(base.join("SOURCES.md")).unwrap();
    sources
        .lines()
        .filter(|l| l.contains("INVALID"))
        .filter_map(|l| {
            let rest = l.strip_prefix("| `")?;
            Some(rest[..rest.find('`')?].to_string())
        })
        .collect()
}

#[test]
fn nginx_corpus() {
    let Some(base) = corpus() else { return };
    let invalid = invalid_files(&base);
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(base.join("nginx"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let (mut clean, mut reported) = (0, 0);
    for path in &files {
        let rel = path
            .strip_prefix(&base)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let report = lint(&[Input::Path(path.clone())], &Overrides::default());
        // A file corslint cannot tell is nginx is refused with a clear message (exit 2): right
        // for garbage, wrong for a valid file.
        let mut problems: Vec<String> = report.errors.clone();
        problems.extend(
            report
                .findings
                .iter()
                .filter(|f| matches!(f.rule.name, "invalid-syntax" | "invalid-config"))
                .map(|f| {
                    let src = report.sources.get(f.span.file);
                    let p = src.position(f.span.start as usize);
                    format!(
                        "{}:{}:{}: {}",
                        src.name.rsplit('/').next().unwrap_or(""),
                        p.line,
                        p.column,
                        f.message
                    )
                }),
        );
        let expected_bad = invalid.contains(&rel) || NGINX_REJECTS.iter().any(|(f, _)| *f == rel);
        match (expected_bad, problems.is_empty()) {
            (false, false) => failures.push(format!("{rel}: unexpected {problems:?}")),
            (true, true) => failures.push(format!("{rel}: INVALID but no finding")),
            (true, false) => reported += 1,
            (false, true) => clean += 1,
        }
    }
    println!(
        "nginx corpus: {} files, {clean} clean, {reported} INVALID reported",
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
