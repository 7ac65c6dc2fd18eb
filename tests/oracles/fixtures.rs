//! Every Vercel, Netlify and Cloudflare configuration the test suite holds, extracted from the
//! sources so that a fixture added anywhere is compared without being listed here:
//!
//! * `samples/{vercel,netlify,cloudflare}/*/`: the sample sites, as folders;
//! * `rules/*.md`: fenced examples tagged `vercel`, `netlify-headers`, `netlify-toml`,
//!   `netlify-redirects`, `cloudflare-headers`, `cloudflare-redirects`;
//! * `tests/formats_vercel.rs`: every string literal (constants, `let` bindings, `format!`
//!   templates with their constants filled in) that is a JSON object;
//! * `tests/formats_netlify.rs`: the text of each `findings("_headers" | "_redirects" |
//!   "netlify.toml", text, platform)` call, and each site a test writes with
//!   `write(dir, name, text)` and lints with `findings_at(…, platform)`.
//!
//! Texts the extractor cannot resolve statically (built in loops, `replace`d) are counted as
//! skipped and listed, never silently dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Platform {
    Vercel,
    Netlify,
    Cloudflare,
}

impl Platform {
    pub fn name(self) -> &'static str {
        match self {
            Platform::Vercel => "vercel",
            Platform::Netlify => "netlify",
            Platform::Cloudflare => "cloudflare",
        }
    }
}

/// One site to compare: its files (relative paths) and the file corslint is pointed at.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// Where it comes from: `rules/x.md:12`, `tests/formats_netlify.rs:fn_name`.
    pub origin: String,
    pub platform: Platform,
    pub files: BTreeMap<String, String>,
    pub target: String,
}

#[derive(Debug, Default)]
pub struct Collected {
    pub fixtures: Vec<Fixture>,
    /// Texts that could not be resolved, with where they are.
    pub skipped: Vec<String>,
}

pub fn collect(root: &Path) -> Collected {
    let mut out = Collected::default();
    samples(root, &mut out);
    rule_pages(root, &mut out);
    vercel_tests(root, &mut out);
    netlify_tests(root, &mut out);
    // The same text from two places is compared once.
    let mut seen = BTreeSet::new();
    out.fixtures
        .retain(|f| seen.insert((f.platform, f.files.clone(), f.target.clone())));
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn samples(root: &Path, out: &mut Collected) {
    for (folder, platform) in [
        ("vercel", Platform::Vercel),
        ("netlify", Platform::Netlify),
        ("cloudflare", Platform::Cloudflare),
    ] {
        let base = root.join("samples").join(folder);
        let Ok(entries) = std::fs::read_dir(&base) else {
            continue;
        };
        let mut sites: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        sites.sort();
        for site in sites.into_iter().filter(|p| p.is_dir()) {
            let mut files = BTreeMap::new();
            for entry in walkdir::WalkDir::new(&site).sort_by_file_name() {
                let Ok(entry) = entry else { continue };
                if entry.file_type().is_file() {
                    let rel = entry.path().strip_prefix(&site).unwrap_or(entry.path());
                    files.insert(rel.to_string_lossy().replace('\\', "/"), read(entry.path()));
                }
            }
            let target = ["netlify.toml", "vercel.json", "_headers", "_redirects"]
                .iter()
                .find(|n| files.contains_key(**n))
                .map(|n| n.to_string())
                .unwrap_or_else(|| ".".into());
            out.fixtures.push(Fixture {
                origin: format!(
                    "samples/{folder}/{}",
                    site.file_name().unwrap_or_default().to_string_lossy()
                ),
                platform,
                files,
                target,
            });
        }
    }
}

fn rule_pages(root: &Path, out: &mut Collected) {
    let mut pages: Vec<_> = std::fs::read_dir(root.join("rules"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    pages.sort();
    for page in pages {
        if page.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = read(&page);
        let name = page.file_name().unwrap_or_default().to_string_lossy();
        let mut open: Option<(String, usize, String)> = None;
        for (i, line) in text.lines().enumerate() {
            if let Some(info) = line.strip_prefix("```") {
                match open.take() {
                    Some((lang, at, body)) => {
                        if let Some((platform, file)) = example_file(&lang) {
                            out.fixtures.push(Fixture {
                                origin: format!("rules/{name}:{at}"),
                                platform,
                                files: BTreeMap::from([(file.to_string(), body)]),
                                target: file.to_string(),
                            });
                        }
                    }
                    None => {
                        let lang = info.split_whitespace().next().unwrap_or("").to_string();
                        open = Some((lang, i + 1, String::new()));
                    }
                }
                continue;
            }
            if let Some((_, _, body)) = open.as_mut() {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
}

fn example_file(lang: &str) -> Option<(Platform, &'static str)> {
    Some(match lang {
        "vercel" => (Platform::Vercel, "vercel.json"),
        "netlify-headers" => (Platform::Netlify, "_headers"),
        "netlify-toml" => (Platform::Netlify, "netlify.toml"),
        "netlify-redirects" => (Platform::Netlify, "_redirects"),
        "cloudflare-headers" => (Platform::Cloudflare, "_headers"),
        "cloudflare-redirects" => (Platform::Cloudflare, "_redirects"),
        _ => return None,
    })
}

// ------------------------------------------------------------------ Rust sources

/// A string literal in a Rust source: its value and where it starts and ends.
#[derive(Debug, Clone)]
struct Literal {
    value: String,
    start: usize,
    end: usize,
}

/// Every string literal (`"…"`, `r"…"`, `r#"…"#`), skipping comments and char literals.
fn literals(src: &str) -> Vec<Literal> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' => {
                // A char literal ('x', '\n', '\'') or a lifetime ('a).
                if b.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    while i < b.len() && b[i] != b'\'' {
                        i += 1;
                    }
                    i += 1;
                } else if b.get(i + 2) == Some(&b'\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            b'r' if (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let start = i;
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    i += 1;
                    continue;
                }
                let close = format!("\"{}", "#".repeat(hashes));
                let body_start = j + 1;
                let Some(rel) = src[body_start..].find(&close) else {
                    break;
                };
                out.push(Literal {
                    value: src[body_start..body_start + rel].to_string(),
                    start,
                    end: body_start + rel + close.len(),
                });
                i = body_start + rel + close.len();
            }
            b'"' => {
                let start = i;
                let mut value = String::new();
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    if b[j] == b'\\' {
                        let (c, len) = unescape(&src[j..]);
                        value.push_str(&c);
                        j += len;
                    } else {
                        let ch = src[j..].chars().next().unwrap_or('\u{fffd}');
                        value.push(ch);
                        j += ch.len_utf8();
                    }
                }
                out.push(Literal {
                    value,
                    start,
                    end: j + 1,
                });
                i = j + 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// One escape at the start of `s` (`\n`, `\u{feff}`, a line continuation …): its text and
/// length.
fn unescape(s: &str) -> (String, usize) {
    let b = s.as_bytes();
    match b.get(1) {
        Some(b'n') => ("\n".into(), 2),
        Some(b'r') => ("\r".into(), 2),
        Some(b't') => ("\t".into(), 2),
        Some(b'0') => ("\0".into(), 2),
        Some(b'\\') => ("\\".into(), 2),
        Some(b'"') => ("\"".into(), 2),
        Some(b'\'') => ("'".into(), 2),
        Some(b'x') => {
            let v = u32::from_str_radix(s.get(2..4).unwrap_or("0"), 16).unwrap_or(0);
            (char::from_u32(v).unwrap_or('\u{fffd}').to_string(), 4)
        }
        Some(b'u') => {
            let close = s.find('}').unwrap_or(2);
            let v = u32::from_str_radix(s.get(3..close).unwrap_or("0"), 16).unwrap_or(0);
            (
                char::from_u32(v).unwrap_or('\u{fffd}').to_string(),
                close + 1,
            )
        }
        Some(b'\n') => {
            // Line continuation: the newline and the next line's leading white space.
            let skip = s[2..]
                .find(|c: char| !c.is_whitespace())
                .unwrap_or(s.len() - 2);
            (String::new(), 2 + skip)
        }
        _ => (String::new(), 1),
    }
}

/// `const NAME: &str = "…";` in a source.
fn constants(src: &str, lits: &[Literal]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for lit in lits {
        let before = src[..lit.start].trim_end();
        let Some(head) = before.strip_suffix('=') else {
            continue;
        };
        let head = head.trim_end();
        let line_start = head.rfind('\n').map_or(0, |i| i + 1);
        let decl = head[line_start..].trim();
        if let Some(rest) = decl.strip_prefix("const ")
            && let Some((name, _)) = rest.split_once(':')
        {
            out.insert(name.trim().to_string(), lit.value.clone());
        }
    }
    out
}

/// A literal's text as the program uses it: for a `format!` template, with `{{`, `}}` and
/// `{NAME}` (a constant) filled in. None when a placeholder cannot be resolved.
fn value_of(src: &str, lit: &Literal, consts: &BTreeMap<String, String>) -> Option<String> {
    let before = src[..lit.start].trim_end();
    if !before.ends_with("format!(") {
        return Some(lit.value.clone());
    }
    let t = &lit.value;
    let mut out = String::new();
    let mut chars = t.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' if t[i + 1..].starts_with('{') => {
                out.push('{');
                chars.next();
            }
            '}' if t[i + 1..].starts_with('}') => {
                out.push('}');
                chars.next();
            }
            '{' => {
                let close = t[i..].find('}')? + i;
                let name = &t[i + 1..close];
                out.push_str(consts.get(name)?);
                while chars.peek().is_some_and(|(j, _)| *j <= close) {
                    chars.next();
                }
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

fn line_of(src: &str, offset: usize) -> usize {
    src[..offset].matches('\n').count() + 1
}

fn vercel_tests(root: &Path, out: &mut Collected) {
    let rel = "tests/formats_vercel.rs";
    let src = read(&root.join(rel));
    let lits = literals(&src);
    let consts = constants(&src, &lits);
    for lit in &lits {
        let Some(text) = value_of(&src, lit, &consts) else {
            if lit.value.trim_start().starts_with("{{") {
                out.skipped.push(format!(
                    "{rel}:{}: a format! template with an unknown argument",
                    line_of(&src, lit.start)
                ));
            }
            continue;
        };
        let object = serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v.is_object());
        // Texts written to be broken: a JSON-looking text that does not parse.
        let broken = !object && text.trim_start().starts_with('{') && text.contains('"');
        if object || broken || text.is_empty() {
            out.fixtures.push(Fixture {
                origin: format!("{rel}:{}", line_of(&src, lit.start)),
                platform: Platform::Vercel,
                files: BTreeMap::from([("vercel.json".to_string(), text)]),
                target: "vercel.json".into(),
            });
        }
    }
}

/// The arguments of a call starting at `open` (just after the `(`), split at top-level commas.
fn call_args(src: &str, open: usize) -> Option<(Vec<(usize, usize)>, usize)> {
    let b = src.as_bytes();
    let mut depth = 0;
    let mut args = Vec::new();
    let mut start = open;
    let mut i = open;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if in_str {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => {
                args.push((start, i));
                // A trailing comma leaves an empty last argument.
                if args.len() > 1 && src[start..i].trim().is_empty() {
                    args.pop();
                }
                return Some((args, i + 1));
            }
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                args.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The test functions of a source: (name, body start, body end).
fn functions(src: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = src[from..].find("\nfn ") {
        let at = from + rel + 4;
        let name: String = src[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let Some(brace) = src[at..].find('{').map(|i| at + i) else {
            break;
        };
        let mut depth = 0;
        let mut end = brace;
        for (i, c) in src[brace..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = brace + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push((name, brace, end));
        from = end.max(at);
    }
    out
}

/// Resolves an argument: a literal, a constant, or a `let` binding before `at` in the body.
fn resolve_arg(
    src: &str,
    arg: &str,
    body: (usize, usize),
    at: usize,
    lits: &[Literal],
    consts: &BTreeMap<String, String>,
) -> Option<String> {
    let arg = arg.trim().trim_start_matches('&');
    if let Some(lit) = lits
        .iter()
        .find(|l| src[l.start..l.end].trim() == arg || src[l.start..l.end] == *arg)
    {
        return value_of(src, lit, consts);
    }
    if let Some(v) = consts.get(arg) {
        return Some(v.clone());
    }
    if !arg.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    // The nearest `let NAME = <literal>;` before the call.
    let pattern = format!("let {arg} = ");
    let region = &src[body.0..at];
    let rel = region.rfind(&pattern)?;
    let value_start = body.0 + rel + pattern.len();
    let lit = lits.iter().find(|l| l.start >= value_start)?;
    let between = src[value_start..lit.start].trim();
    if !(between.is_empty() || between == "format!(") {
        return None;
    }
    // Only a whole literal (or a format! of one) followed by `;` or `)`.
    let after = src[lit.end..].trim_start();
    if !(after.starts_with(';') || after.starts_with(')')) {
        return None;
    }
    value_of(src, lit, consts)
}

fn platforms_of(expr: &str) -> Vec<Option<&'static str>> {
    let e = expr.trim();
    if e == "None" {
        vec![None]
    } else if e.contains("cloudflare") {
        vec![Some("cloudflare")]
    } else if e.contains("netlify") {
        vec![Some("netlify")]
    } else {
        // A loop variable over both (`for platform in [None, Some("cloudflare")]`).
        vec![None, Some("cloudflare")]
    }
}

fn netlify_tests(root: &Path, out: &mut Collected) {
    let rel = "tests/formats_netlify.rs";
    let src = read(&root.join(rel));
    let lits = literals(&src);
    let consts = constants(&src, &lits);
    for (name, start, end) in functions(&src) {
        let body = (start, end);
        let text = &src[start..end];
        // `findings(name, text, platform)`: one file.
        let mut from = 0;
        while let Some(rel_at) = text[from..].find("findings(") {
            let at = start + from + rel_at;
            from += rel_at + 9;
            if src[..at].ends_with("fn ") || src[..at].ends_with('_') {
                continue;
            }
            let Some((args, _)) = call_args(&src, at + 9) else {
                continue;
            };
            if args.len() != 3 {
                continue;
            }
            let arg = |i: usize| &src[args[i].0..args[i].1];
            let Some(file) = lits
                .iter()
                .find(|l| l.start >= args[0].0 && l.end <= args[0].1)
                .map(|l| l.value.clone())
            else {
                continue;
            };
            let Some(content) = resolve_arg(&src, arg(1), body, at, &lits, &consts) else {
                out.skipped.push(format!(
                    "{rel}:{} ({name}): `{}` is built at run time",
                    line_of(&src, at),
                    arg(1).trim()
                ));
                continue;
            };
            for platform in platforms_of(arg(2)) {
                out.fixtures.push(Fixture {
                    origin: format!("{rel}:{} ({name})", line_of(&src, at)),
                    platform: if platform == Some("cloudflare") {
                        Platform::Cloudflare
                    } else {
                        Platform::Netlify
                    },
                    files: BTreeMap::from([(file.clone(), content.clone())]),
                    target: file.clone(),
                });
            }
        }
        // `write(dir, name, text)` … `findings_at(path, platform)`: one site per folder.
        let mut sites: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut from = 0;
        while let Some(rel_at) = text[from..].find("write(") {
            let at = start + from + rel_at;
            from += rel_at + 6;
            if src[..at].ends_with("fs::") || src[..at].ends_with('_') {
                continue;
            }
            let Some((args, _)) = call_args(&src, at + 6) else {
                continue;
            };
            if args.len() != 3 {
                continue;
            }
            let dir = src[args[0].0..args[0].1].trim().to_string();
            let Some(file) = lits
                .iter()
                .find(|l| l.start >= args[1].0 && l.end <= args[1].1)
                .map(|l| l.value.clone())
            else {
                continue;
            };
            match resolve_arg(&src, &src[args[2].0..args[2].1], body, at, &lits, &consts) {
                Some(content) => {
                    sites.entry(dir).or_default().insert(file, content);
                }
                None => out.skipped.push(format!(
                    "{rel}:{} ({name}): the text of {file} is built at run time",
                    line_of(&src, at)
                )),
            }
        }
        if sites.is_empty() {
            continue;
        }
        let mut platforms = BTreeSet::new();
        let mut from = 0;
        while let Some(rel_at) = text[from..].find("findings_at(") {
            let at = start + from + rel_at;
            from += rel_at + 12;
            if let Some((args, _)) = call_args(&src, at + 12)
                && args.len() == 2
            {
                platforms.extend(platforms_of(&src[args[1].0..args[1].1]));
            }
        }
        for (dir, files) in sites {
            let wrangler = files.keys().any(|f| f.starts_with("wrangler."));
            for platform in &platforms {
                let platform = match platform {
                    Some("cloudflare") => Platform::Cloudflare,
                    Some(_) => Platform::Netlify,
                    None if wrangler => Platform::Cloudflare,
                    None => Platform::Netlify,
                };
                let target = ["netlify.toml", "_headers", "_redirects"]
                    .iter()
                    .find(|n| files.contains_key(**n))
                    .map(|n| n.to_string())
                    .or_else(|| {
                        files
                            .keys()
                            .find(|k| k.ends_with("_headers") || k.ends_with("_redirects"))
                            .cloned()
                    })
                    .unwrap_or_else(|| ".".into());
                out.fixtures.push(Fixture {
                    origin: format!("{rel} ({name}, folder {dir})"),
                    platform,
                    files: files.clone(),
                    target,
                });
            }
        }
    }
}
