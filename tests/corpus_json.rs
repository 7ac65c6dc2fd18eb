//! Every vercel.json / firebase.json of the shared corpus lints without a crash; files not
//! marked INVALID in `corpus/SOURCES.md` get no `invalid-syntax` / `invalid-config`, and
//! INVALID ones get one of those. The corpus is other people's work and is not copied into
//! the project: the test reads `../shared/corpus` and says when it is absent.

use std::path::{Path, PathBuf};

use corslint::settings::Overrides;
use corslint::{Input, lint};

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.join("SOURCES.md").is_file() {
        return Some(dir);
    }
    if std::env::var("CORSLINT_REQUIRE_CORPUS").as_deref() == Ok("1") {
        panic!("../shared/corpus not found and CORSLINT_REQUIRE_CORPUS=1");
    }
    println!("skipped: ../shared/corpus not found");
    None
}

/// Whether SOURCES.md marks this corpus file (path relative to the corpus) as INVALID.
/// A row whose note says the platform accepts the file is not INVALID.
fn marked_invalid(sources: &str, relative: &str) -> bool {
    let key = format!("| `{relative}` |");
    sources.lines().any(|line| {
        line.starts_with(&key) && {
            let notes = line.rsplit('|').nth(1).unwrap_or("");
            notes.contains("INVALID") && !notes.contains("accepts it")
        }
    })
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn json_corpus_lints_cleanly() {
    let Some(corpus) = corpus_dir() else {
        return;
    };
    let sources = std::fs::read_to_string(corpus.join("SOURCES.md")).unwrap();
    let mut all = Vec::new();
    files(&corpus.join("vercel"), &mut all);
    files(&corpus.join("firebase"), &mut all);
    let (mut linted, mut invalid_found, mut not_json) = (0, 0, 0);
    let mut failures = Vec::new();
    for path in &all {
        let relative = path
            .strip_prefix(&corpus)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let report = lint(&[Input::Path(path.clone())], &Overrides::default());
        if report.files_checked == 0 {
            // A file whose name names no format (firebase's imported `hosting.json`): it is
            // read through the firebase.json that imports it.
            not_json += 1;
            continue;
        }
        linted += 1;
        let rejected: Vec<String> = report
            .findings
            .iter()
            .filter(|f| matches!(f.rule.name, "invalid-syntax" | "invalid-config"))
            .map(|f| {
                let p = report
                    .sources
                    .get(f.span.file)
                    .position(f.span.start as usize);
                format!("{}@{}:{}: {}", f.rule.name, p.line, p.column, f.message)
            })
            .collect();
        match (marked_invalid(&sources, &relative), rejected.is_empty()) {
            (true, false) => invalid_found += 1,
            (true, true) => failures.push(format!("{relative}: INVALID but no finding")),
            (false, false) => failures.push(format!("{relative}: {rejected:?}")),
            (false, true) => {}
        }
    }
    println!(
        "json corpus: {} files, {linted} linted, {invalid_found} INVALID reported, {not_json} \
         not a known name, {} failures",
        all.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(linted > 20, "only {linted} files linted");
}
