//! Every fenced example in `rules/*.md` is a test: a block tagged `bad` must be flagged by
//! that page's rule, a block tagged `good` must not. The docs cannot drift from the code.

use corslint::settings::Overrides;
use corslint::{Input, lint, rules};

/// The file name an example's language tag stands for, and the platform option it needs.
fn file_for(lang: &str) -> Option<(&'static str, Option<&'static str>)> {
    Some(match lang {
        "nginx" => ("nginx.conf", None),
        "vercel" => ("vercel.json", None),
        "firebase" => ("firebase.json", None),
        "netlify-headers" => ("_headers", None),
        "netlify-toml" => ("netlify.toml", None),
        "netlify-redirects" => ("_redirects", None),
        "cloudflare-headers" => ("_headers", Some("cloudflare")),
        "cloudflare-redirects" => ("_redirects", Some("cloudflare")),
        _ => return None,
    })
}

struct Example {
    lang: String,
    bad: bool,
    /// `\xHH` escapes stand for raw bytes (for examples that are not UTF-8).
    bytes: bool,
    text: String,
    line: usize,
}

fn examples(doc: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut current: Option<Example> = None;
    for (i, line) in doc.lines().enumerate() {
        if let Some(info) = line.strip_prefix("```") {
            match current.take() {
                Some(example) => out.push(example),
                None => {
                    let mut words = info.split_whitespace();
                    let lang = words.next().unwrap_or("").to_string();
                    let tag = words.next().unwrap_or("");
                    let bytes = words.any(|w| w == "bytes");
                    if tag == "bad" || tag == "good" {
                        current = Some(Example {
                            lang,
                            bad: tag == "bad",
                            bytes,
                            text: String::new(),
                            line: i + 2,
                        });
                    } else if !info.is_empty() {
                        // A fence that is not an example: skip to its end.
                        current = None;
                    }
                }
            }
            continue;
        }
        if let Some(example) = current.as_mut() {
            example.text.push_str(line);
            example.text.push('\n');
        }
    }
    out
}

#[test]
fn every_rule_page_has_bad_and_good_examples_that_hold() {
    let mut checked = 0;
    for rule in rules::all() {
        let examples = examples(rule.doc);
        assert!(
            examples.iter().any(|e| e.bad) && examples.iter().any(|e| !e.bad),
            "rules/{}.md needs at least one `bad` and one `good` example",
            rule.name
        );
        for example in examples {
            let (name, platform) = file_for(&example.lang).unwrap_or_else(|| {
                panic!(
                    "rules/{}.md:{}: unknown example language `{}`",
                    rule.name, example.line, example.lang
                )
            });
            let overrides = Overrides {
                platform: platform.map(str::to_string),
                ..Overrides::default()
            };
            let dir = tempfile::tempdir().unwrap();
            let input = if example.bytes {
                let path = dir.path().join(name);
                std::fs::write(&path, unescape_bytes(&example.text)).unwrap();
                Input::Path(path)
            } else {
                Input::Stdin {
                    name: name.to_string(),
                    text: example.text.clone(),
                }
            };
            let report = lint(&[input], &overrides);
            assert!(report.errors.is_empty(), "{:?}", report.errors);
            let flagged: Vec<&str> = report.findings.iter().map(|f| f.rule.name).collect();
            let hit = flagged.contains(&rule.name);
            assert_eq!(
                hit,
                example.bad,
                "rules/{}.md:{}: the {} example {} flagged by {} (findings: {:?})",
                rule.name,
                example.line,
                if example.bad { "bad" } else { "good" },
                if hit { "is" } else { "is not" },
                rule.name,
                report
                    .findings
                    .iter()
                    .map(|f| format!("{}: {}", f.rule.name, f.message))
                    .collect::<Vec<_>>()
            );
            checked += 1;
        }
    }
    assert!(checked >= 16, "only {checked} examples found");
}

/// `caf\xE9` → the bytes `c a f 0xE9`.
fn unescape_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && bytes.get(i + 1) == Some(&b'x')
            && let Some(b) = text
                .get(i + 2..i + 4)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 4;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}
