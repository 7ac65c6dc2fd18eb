//! What every target shares: lint one text as a named file, in an empty folder.

use corslint::settings::Overrides;
use corslint::{Input, lint};

/// Lints `bytes` as the unsaved text of a file `name` in an empty folder, the way the
/// language server lints a buffer: relative nginx includes, a site's other files and
/// settings are looked for there (and find nothing), never in the fuzzer's own folder.
pub fn lint_as(name: &str, bytes: &[u8]) {
    static EMPTY_DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let dir = EMPTY_DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("corslint-fuzz-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        dir
    });
    let (text, _) = corslint::source::decode(bytes.to_vec());
    let input = Input::Buffer {
        path: dir.join(name),
        text,
    };
    let report = lint(&[input], &Overrides::default());
    // Every finding must point inside a file that was read.
    for f in &report.findings {
        let file = report.sources.get(f.span.file);
        assert!(f.span.start <= f.span.end, "{f:?}");
        assert!((f.span.end as usize) <= file.text.len(), "{f:?}");
        let _ = file.position(f.span.start as usize);
    }
    // The report formats must render whatever was found.
    let mut out = Vec::new();
    for format in [
        corslint::report::OutputFormat::Full,
        corslint::report::OutputFormat::Json,
        corslint::report::OutputFormat::Sarif,
    ] {
        out.clear();
        let style = corslint::report::Style {
            color: false,
            width: 100,
        };
        let _ = corslint::report::write(format, &report.findings, &report.sources, style, &mut out);
    }
}
