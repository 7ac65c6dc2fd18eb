//! The Netlify and Cloudflare part of the corpus of real configurations (`../shared/corpus`,
//! beside the checkout; never copied into the project): every file lints without a panic; a
//! file not marked INVALID in `SOURCES.md` gets no `invalid-syntax` / `invalid-config`; an
//! INVALID one gets one. Files under `cloudflare/` are read as Cloudflare Pages files.
//!
//! Where the corpus is absent (a fresh clone) the test says so and passes, unless
//! `CORSLINT_REQUIRE_CORPUS=1` (CI), where that is a failure.

use std::path::{Path, PathBuf};

use corslint::settings::Overrides;
use corslint::{Input, lint};

struct Entry {
    path: PathBuf,
    notes: String,
}

impl Entry {
    /// Deliberately broken, and rejected by the platform. Two netlify.toml fixtures are named
    /// "invalid" but Netlify accepts them; their notes say so.
    fn invalid(&self) -> bool {
        self.notes.contains("INVALID") && !self.notes.contains("accepts it")
    }

    /// A line Netlify drops without a word: corslint reports it (`invalid-config`), which is
    /// the point of the rule, though the file is not marked INVALID.
    fn silently_dropped(&self) -> bool {
        self.notes.contains("silently ignored")
    }
}

fn corpus() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if root.join("SOURCES.md").is_file() {
        return Some(root);
    }
    if std::env::var("CORSLINT_REQUIRE_CORPUS").as_deref() == Ok("1") {
        panic!("../shared/corpus not found, and CORSLINT_REQUIRE_CORPUS=1");
    }
    println!("skipped: ../shared/corpus not found");
    None
}

/// The `netlify/` and `cloudflare/` rows of SOURCES.md.
fn entries(root: &Path) -> Vec<Entry> {
    let sources = std::fs::read_to_string(root.join("SOURCES.md")).expect("SOURCES.md");
    sources
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("| `")?;
            let (path, rest) = rest.split_once('`')?;
            if !(path.starts_with("netlify/") || path.starts_with("cloudflare/")) {
                return None;
            }
            let notes = rest.trim_end().trim_end_matches('|');
            let notes = notes.rsplit('|').next().unwrap_or("").trim().to_string();
            Some(Entry {
                path: root.join(path),
                notes,
            })
        })
        .collect()
}

#[test]
fn netlify_and_cloudflare_corpus() {
    let Some(root) = corpus() else {
        return;
    };
    let entries = entries(&root);
    assert!(entries.len() > 100, "only {} entries", entries.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    for entry in &entries {
        if !entry.path.is_file() {
            continue;
        }
        let cloudflare = entry
            .path
            .strip_prefix(&root)
            .is_ok_and(|p| p.starts_with("cloudflare"));
        let overrides = Overrides {
            platform: cloudflare.then(|| "cloudflare".to_string()),
            ..Overrides::default()
        };
        let report = lint(&[Input::Path(entry.path.clone())], &overrides);
        checked += 1;
        let canonical = entry.path.canonicalize().unwrap();
        let invalid: Vec<String> = report
            .findings
            .iter()
            .filter(|f| matches!(f.rule.name, "invalid-syntax" | "invalid-config"))
            .filter(|f| report.sources.get(f.span.file).path.as_deref() == Some(&canonical))
            .map(|f| {
                let p = report
                    .sources
                    .get(f.span.file)
                    .position(f.span.start as usize);
                format!("{}@{}:{}: {}", f.rule.name, p.line, p.column, f.message)
            })
            .collect();
        let shown = entry.path.strip_prefix(&root).unwrap().display();
        if !report.errors.is_empty() {
            failures.push(format!("{shown}: errors {:?}", report.errors));
        }
        let expect_invalid = entry.invalid() || entry.silently_dropped();
        if expect_invalid && invalid.is_empty() {
            failures.push(format!("{shown}: marked INVALID but nothing reported"));
        }
        if !expect_invalid && !invalid.is_empty() {
            failures.push(format!("{shown}: not INVALID but {invalid:?}"));
        }
    }
    println!("checked {checked} Netlify / Cloudflare corpus files");
    assert!(checked > 100, "only {checked} files found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
