//! `netlify.toml`: `[[headers]]`, `[[redirects]]`, `[[edge_functions]]` and `[build] publish`,
//! read with the `toml` crate's spanned document tree ([`::toml::de::DeTable`], whose values
//! are [`::toml::Spanned`]) so that every value keeps its byte range.
//!
//! Shapes follow Netlify's parsers (`headers-parser/src/netlify_config_parser.ts`,
//! `normalize.ts`; `redirect-parser/src/netlify_config_parser.js`, `normalize.js`):
//!
//! * `headers` must be an array of tables with a string `for` and a `values` table whose
//!   values are strings or arrays of strings (joined with `, `; a string's commas are
//!   normalised to `, `). A `[[headers]]` with an error is left out as a whole; one without
//!   `values` is ignored.
//! * `redirects` must be an array of tables with `from` (legacy `origin`), `to` (legacy
//!   `destination`), `status` (anything `parseInt` reads as an integer), `force`,
//!   `conditions`, `query` (legacy `params`, `parameters`), `signed` and `headers`. The
//!   `headers` of a redirect are **request** headers sent to a proxy target, not response
//!   headers: they are checked for shape only.
//!
//! A file that is not TOML is one syntax problem at the parser's byte.

use ::toml::Spanned;
use ::toml::de::{DeTable, DeValue};

use super::{
    EdgeFunction, HeaderBlock, Parsed, RedirectDraft, config_problem, is_js_space, js_trim,
    suppression,
};
use crate::model::{Condition, HeaderAction, HeaderOp, HeaderValue, Problem, ProblemKind, Reach};
use crate::source::{FileId, Span};

/// What a `netlify.toml` holds.
#[derive(Debug, Default)]
pub struct TomlParsed {
    pub parsed: Parsed,
    /// `[build] publish`.
    pub publish: Option<String>,
    /// The text is not TOML.
    pub broken: bool,
}

type Value<'i> = Spanned<DeValue<'i>>;

/// Parses a `netlify.toml`.
pub fn parse(text: &str, file: FileId) -> TomlParsed {
    let mut out = TomlParsed::default();
    out.parsed.suppressions = comments(text)
        .into_iter()
        .filter_map(|c| {
            let line = 1 + text[..c.start].matches('\n').count();
            let line_start = text[..c.start].rfind('\n').map_or(0, |i| i + 1);
            let own_line = text[line_start..c.start].trim().is_empty();
            suppression(file, &text[c.clone()], c.start, line, own_line)
        })
        .collect();
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            let mut start = range.start.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            // A point error still shows one character.
            let end = if range.end > start {
                range.end.min(text.len()).max(start)
            } else {
                text[start..]
                    .chars()
                    .next()
                    .map_or(start, |c| start + c.len_utf8())
            };
            let span = Span::new(file, start..end);
            out.parsed.problems.push(Problem {
                kind: ProblemKind::Syntax,
                span,
                message: format!("netlify.toml is not valid TOML: {}", e.message().trim()),
                help: Some("Netlify stops the deploy when netlify.toml does not parse".into()),
            });
            out.broken = true;
            return out;
        }
    };
    let mut reader = Reader {
        file,
        text,
        out: &mut out.parsed,
    };
    let root = root.get_ref();
    out.publish = publish_of(root);
    for (key, value) in entries(root) {
        match key.get_ref().as_ref() {
            "headers" => reader.headers(value),
            "redirects" => reader.redirects(value),
            "edge_functions" => reader.edge_functions(value),
            _ => {}
        }
    }
    out
}

/// `[build] publish`, without reporting anything (used to find the site of a `_headers`).
pub fn publish_dir(text: &str) -> Option<String> {
    let root = DeTable::parse(text).ok()?;
    publish_of(root.get_ref())
}

fn publish_of(root: &DeTable) -> Option<String> {
    let build = get(root, "build")?.get_ref().as_table()?;
    let publish = get(build, "publish")?.get_ref().as_str()?;
    let publish = js_trim(publish);
    (!publish.is_empty()).then(|| publish.to_string())
}

fn get<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a Value<'i>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v)
}

/// A table's entries in file order.
fn entries<'a, 'i>(
    table: &'a DeTable<'i>,
) -> Vec<(&'a Spanned<::toml::de::DeString<'i>>, &'a Value<'i>)> {
    let mut all: Vec<_> = table.iter().collect();
    all.sort_by_key(|(k, _)| k.span().start);
    all
}

/// How JavaScript prints a value in Netlify's messages.
fn shown(value: &DeValue) -> String {
    match value {
        DeValue::String(s) => s.to_string(),
        DeValue::Integer(i) => i.as_str().to_string(),
        DeValue::Float(f) => f.as_str().to_string(),
        DeValue::Boolean(b) => b.to_string(),
        DeValue::Datetime(d) => d.to_string(),
        DeValue::Array(a) => a
            .iter()
            .map(|v| shown(v.get_ref()))
            .collect::<Vec<_>>()
            .join(","),
        DeValue::Table(_) => "[object Object]".into(),
    }
}

struct Reader<'o> {
    file: FileId,
    text: &'o str,
    out: &'o mut Parsed,
}

impl Reader<'_> {
    fn span(&self, value: &Value) -> Span {
        Span::new(self.file, value.span())
    }

    /// A table from its header (`[[redirects]]`) to its last value: the toml crate spans an
    /// array-of-tables item with its header only.
    fn table_span(&self, value: &Value) -> Span {
        fn end_of(value: &Value) -> usize {
            let mut end = value.span().end;
            if let Some(table) = value.get_ref().as_table() {
                for (k, v) in table.iter() {
                    end = end.max(k.span().end).max(end_of(v));
                }
            }
            end
        }
        Span::new(self.file, value.span().start..end_of(value))
    }

    fn reject(&mut self, span: Span, message: String) {
        self.out.problems.push(config_problem(span, message));
    }

    fn headers(&mut self, value: &Value) {
        let Some(array) = value.get_ref().as_array() else {
            let span = self.span(value);
            self.reject(
                span,
                "Netlify rejects `headers`: it must be an array of tables (`[[headers]]`, not \
                 `[headers]`)"
                    .into(),
            );
            return;
        };
        for (index, item) in array.iter().enumerate() {
            if let Some(block) = self.header_table(item, index) {
                self.out.headers.push(block);
            }
        }
    }

    /// One `[[headers]]` table (`normalize.ts` `parseHeaderObject`).
    fn header_table(&mut self, item: &Value, index: usize) -> Option<HeaderBlock> {
        let span = self.table_span(item);
        let why =
            |what: String| format!("Netlify rejects header rule number {}: {what}", index + 1);
        let Some(table) = item.get_ref().as_table() else {
            let message = why(format!(
                "a header rule must be a table, not `{}`",
                shown(item.get_ref())
            ));
            self.reject(span, message);
            return None;
        };
        let Some(for_value) = get(table, "for") else {
            self.reject(span, why("the \"for\" field is missing".into()));
            return None;
        };
        let Some(raw_path) = for_value.get_ref().as_str() else {
            let message = why(format!(
                "\"for\" must be a string, not `{}`",
                shown(for_value.get_ref())
            ));
            self.reject(self.span(for_value), message);
            return None;
        };
        let values = get(table, "values")?;
        let Some(values_table) = values.get_ref().as_table() else {
            let message = why(match values.get_ref() {
                DeValue::Array(_) => "\"values\" must be a table (`[headers.values]`), not an \
                                      array (`[[headers.values]]`)"
                    .to_string(),
                other => format!(
                    "\"values\" must be a table (`[headers.values]`), not `{}`",
                    shown(other)
                ),
            });
            self.reject(self.span(values), message);
            return None;
        };
        let mut ops = Vec::new();
        let mut failed = false;
        for (key, value) in entries(values_table) {
            let name = js_trim(key.get_ref());
            let name_span = Span::new(self.file, key.span());
            let line = Span::new(self.file, key.span().start..value.span().end);
            if name.is_empty() || name == "undefined" {
                self.reject(name_span, why("a header name is empty".into()));
                failed = true;
                continue;
            }
            match value.get_ref() {
                DeValue::String(s) => ops.push(HeaderOp {
                    name: name.to_string(),
                    value: HeaderValue::Literal(
                        js_trim(s)
                            .split(',')
                            .map(js_trim)
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    action: HeaderAction::Set,
                    reach: Reach::Always,
                    span: line,
                    name_span,
                    value_span: self.inner(value),
                }),
                DeValue::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let Some(s) = item.get_ref().as_str() else {
                            let message = why(format!(
                                "the value of \"{name}[{i}]\" must be a string, not `{}`",
                                shown(item.get_ref())
                            ));
                            self.reject(self.span(item), message);
                            failed = true;
                            continue;
                        };
                        ops.push(HeaderOp {
                            name: name.to_string(),
                            value: HeaderValue::Literal(js_trim(s).to_string()),
                            action: if i == 0 {
                                HeaderAction::Set
                            } else {
                                HeaderAction::Append
                            },
                            reach: Reach::Always,
                            span: line,
                            name_span,
                            value_span: self.inner(item),
                        });
                    }
                }
                other => {
                    let message = why(format!(
                        "the value of \"{name}\" must be a string, not `{}`",
                        shown(other)
                    ));
                    self.reject(self.span(value), message);
                    failed = true;
                }
            }
        }
        if failed || ops.is_empty() {
            return None;
        }
        let pattern = js_trim(raw_path).to_string();
        let pattern_span = self.inner(for_value);
        let verbatim = pattern_span.len() == pattern.len();
        Some(HeaderBlock {
            pattern,
            pattern_span,
            verbatim,
            host: None,
            span,
            ops,
        })
    }

    /// The bytes of a string value inside its quotes, without surrounding white space, when
    /// they are the value as written (no escapes); else the whole token.
    fn inner(&self, value: &Value) -> Span {
        let range = value.span();
        let whole = Span::new(self.file, range.clone());
        let (Some(s), Some(raw)) = (value.get_ref().as_str(), self.text.get(range.clone())) else {
            return whole;
        };
        let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            3
        } else if raw.starts_with('"') || raw.starts_with('\'') {
            1
        } else {
            return whole;
        };
        let Some(body) = raw.get(quote..raw.len().saturating_sub(quote)) else {
            return whole;
        };
        let trimmed = js_trim(body);
        if trimmed.is_empty() || trimmed != js_trim(s) {
            return whole;
        }
        let start = range.start + quote + (body.len() - body.trim_start_matches(is_js_space).len());
        Span::new(self.file, start..start + trimmed.len())
    }

    fn redirects(&mut self, value: &Value) {
        let Some(array) = value.get_ref().as_array() else {
            let span = self.span(value);
            self.reject(
                span,
                "Netlify rejects `redirects`: it must be an array of tables (`[[redirects]]`, \
                 not `[redirects]`)"
                    .into(),
            );
            return;
        };
        for (index, item) in array.iter().enumerate() {
            if let Some(draft) = self.redirect_table(item, index) {
                self.out.redirects.push(draft);
            }
        }
    }

    /// One `[[redirects]]` table (`normalize.js` `parseRedirectObject`).
    fn redirect_table(&mut self, item: &Value, index: usize) -> Option<RedirectDraft> {
        let span = self.table_span(item);
        let why =
            |what: String| format!("Netlify rejects redirect rule number {}: {what}", index + 1);
        let Some(table) = item.get_ref().as_table() else {
            let message = why(format!(
                "a redirect rule must be a table, not `{}`",
                shown(item.get_ref())
            ));
            self.reject(span, message);
            return None;
        };
        let field = |a: &str, b: &str| get(table, a).or_else(|| get(table, b));
        let Some(from) = field("from", "origin") else {
            self.reject(span, why("the \"from\" field is missing".into()));
            return None;
        };
        if let Some(headers) = get(table, "headers")
            && !headers.get_ref().is_table()
        {
            let message = why(
                "\"headers\" must be a table (request headers sent to the proxy target)".into(),
            );
            self.reject(self.span(headers), message);
            return None;
        }
        let status = match get(table, "status") {
            None => None,
            Some(s) => match status_of(s.get_ref()) {
                Some(n) => Some(n),
                None => {
                    let message = why(match shown(s.get_ref()) {
                        empty if empty.is_empty() => "the status is an empty string".to_string(),
                        text => format!("invalid status code `{text}`"),
                    });
                    self.reject(self.span(s), message);
                    return None;
                }
            },
        };
        let Some(from_text) = from.get_ref().as_str() else {
            let message = why(format!(
                "\"from\" must be a string, not `{}`",
                shown(from.get_ref())
            ));
            self.reject(self.span(from), message);
            return None;
        };
        let to = match field("to", "destination") {
            None => None,
            Some(to) => match to.get_ref().as_str() {
                Some(t) => Some(t.to_string()),
                None => {
                    let message = why(format!(
                        "\"to\" must be a string, not `{}`",
                        shown(to.get_ref())
                    ));
                    self.reject(self.span(to), message);
                    return None;
                }
            },
        };
        let force = get(table, "force").is_some_and(|f| f.get_ref().as_bool() == Some(true));
        let mut conditions = Vec::new();
        for key in ["query", "params", "parameters"] {
            if let Some(q) = get(table, key)
                && let Some(t) = q.get_ref().as_table()
            {
                for (k, v) in entries(t) {
                    conditions.push(Condition::Unknown {
                        text: format!("query parameter {}={}", k.get_ref(), shown(v.get_ref())),
                        span: Span::new(self.file, k.span().start..v.span().end),
                    });
                }
                break;
            }
        }
        if let Some(c) = get(table, "conditions")
            && let Some(t) = c.get_ref().as_table()
        {
            for (k, v) in entries(t) {
                conditions.push(Condition::Unknown {
                    text: format!("{}={}", k.get_ref(), shown(v.get_ref())),
                    span: Span::new(self.file, k.span().start..v.span().end),
                });
            }
        }
        Some(RedirectDraft {
            from: from_text.to_string(),
            from_span: self.span(from),
            to,
            status,
            force,
            conditions,
            span,
        })
    }

    fn edge_functions(&mut self, value: &Value) {
        let Some(array) = value.get_ref().as_array() else {
            return;
        };
        for item in array.iter() {
            let Some(table) = item.get_ref().as_table() else {
                continue;
            };
            let (Some(path), Some(function)) = (get(table, "path"), get(table, "function")) else {
                continue;
            };
            let (Some(p), Some(f)) = (path.get_ref().as_str(), function.get_ref().as_str()) else {
                continue;
            };
            self.out.edge_functions.push(EdgeFunction {
                path: js_trim(p).to_string(),
                path_span: self.span(path),
                function: f.to_string(),
                span: self.table_span(item),
            });
        }
    }
}

/// Netlify's `normalizeStatus`: `parseInt` of the value must give an integer.
fn status_of(value: &DeValue) -> Option<i64> {
    match value {
        DeValue::Integer(i) => {
            let text = i.as_str().replace('_', "");
            let parsed = match i.radix() {
                10 => text.parse::<i64>(),
                radix => i64::from_str_radix(text.get(2..).unwrap_or(""), radix),
            };
            // An integer too large for i64 is still an integer to Netlify.
            Some(parsed.unwrap_or(i64::MAX))
        }
        DeValue::Float(f) => {
            let v: f64 = f.as_str().replace('_', "").parse().ok()?;
            v.is_finite().then_some(v.trunc() as i64)
        }
        DeValue::String(s) => super::redirects::js_parse_int(s),
        _ => None,
    }
}

/// Byte ranges of the `#` comments of a TOML text (outside strings).
fn comments(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                let end = text[i..].find('\n').map_or(text.len(), |e| i + e);
                let end = if text[i..end].ends_with('\r') {
                    end - 1
                } else {
                    end
                };
                out.push(i..end);
                i = end;
            }
            quote @ (b'"' | b'\'') => {
                let triple = bytes.get(i..i + 3) == Some(&[quote, quote, quote]);
                let (open, close) = if triple { (3, 3) } else { (1, 1) };
                i += open;
                while i < bytes.len() {
                    if quote == b'"' && bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if !triple && bytes[i] == b'\n' {
                        break;
                    }
                    if bytes[i] == quote
                        && (!triple || bytes.get(i..i + 3) == Some(&[quote, quote, quote]))
                    {
                        i += close;
                        // `""""` and `''''`: up to two more quotes belong to the string.
                        while triple && bytes.get(i) == Some(&quote) {
                            i += 1;
                        }
                        break;
                    }
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: FileId = FileId(0);

    fn messages(p: &TomlParsed) -> Vec<String> {
        p.parsed
            .problems
            .iter()
            .map(|p| p.message.clone())
            .collect()
    }

    #[test]
    fn headers_with_exact_spans_arrays_and_multiline_values() {
        let text = "[build]\n  publish = \"dist/\"\n\n[[headers]]\n  for = \" /api/* \"\n  \
                    [headers.values]\n    Access-Control-Allow-Origin = \"*\"\n    \
                    Vary = [\"Origin\", \" Accept \"]\n    Cache-Control = '''\n    max-age=0,\n    \
                    no-cache'''\n";
        let p = parse(text, F);
        assert!(p.parsed.problems.is_empty(), "{:?}", messages(&p));
        assert_eq!(p.publish.as_deref(), Some("dist/"));
        let block = &p.parsed.headers[0];
        assert_eq!(block.pattern, "/api/*");
        assert_eq!(&text[block.pattern_span.range()], "/api/*");
        assert!(text[block.span.range()].starts_with("[[headers]]"));
        assert!(text[block.span.range()].ends_with("no-cache'''"));
        let by_name: Vec<(&str, &str, &str, HeaderAction)> = block
            .ops
            .iter()
            .map(|op| {
                (
                    op.name.as_str(),
                    op.value.literal().unwrap(),
                    &text[op.value_span.range()],
                    op.action,
                )
            })
            .collect();
        assert_eq!(
            by_name[0],
            ("Access-Control-Allow-Origin", "*", "*", HeaderAction::Set)
        );
        assert_eq!(by_name[1], ("Vary", "Origin", "Origin", HeaderAction::Set));
        assert_eq!(
            by_name[2],
            ("Vary", "Accept", "Accept", HeaderAction::Append)
        );
        assert_eq!(by_name[3].1, "max-age=0, no-cache");
        assert_eq!(
            &text[block.ops[0].span.range()],
            "Access-Control-Allow-Origin = \"*\""
        );
    }

    #[test]
    fn syntax_errors_at_the_parser_byte() {
        let text = "[[headers]]\nfor = \"/a\"\n[headers.values]\nA = https://x\n";
        let p = parse(text, F);
        assert!(p.broken);
        let problem = &p.parsed.problems[0];
        assert_eq!(problem.kind, ProblemKind::Syntax);
        assert_eq!(&text[problem.span.range()], "https://x");
        let p = parse("{{}}", F);
        assert_eq!(p.parsed.problems[0].span.range(), 0..1);
        assert_eq!(parse("", F).parsed.problems.len(), 0);
    }

    #[test]
    fn shapes_netlify_rejects() {
        for (text, want) in [
            ("[headers]\nfor = \"/p\"\n", "must be an array"),
            ("headers = [\"one\"]\n", "must be a table"),
            (
                "[[headers]]\n[headers.values]\nt = \"o\"\n",
                "\"for\" field is missing",
            ),
            (
                "[[headers]]\nfor = true\n[headers.values]\nt = \"o\"\n",
                "\"for\" must be a string",
            ),
            (
                "[[headers]]\nfor = \"/p\"\n[[headers.values]]\nt = \"o\"\n",
                "\"values\" must be a table",
            ),
            (
                "[[headers]]\nfor = \"/p\"\n[headers.values]\n\"\" = \"o\"\n",
                "name is empty",
            ),
            (
                "[[headers]]\nfor = \"/p\"\n[headers.values]\nt = true\n",
                "must be a string, not `true`",
            ),
            (
                "[[headers]]\nfor = \"/p\"\n[headers.values]\nt = [true]\n",
                "\"t[0]\"",
            ),
            ("[redirects]\nfrom = \"/a\"\n", "must be an array"),
            ("redirects = [\"/a\"]\n", "must be a table"),
            ("[[redirects]]\nto = \"/b\"\n", "\"from\" field is missing"),
            (
                "[[redirects]]\nfrom = \"/a\"\nto = \"/b\"\nstatus = \"\"\n",
                "empty string",
            ),
            (
                "[[redirects]]\nfrom = \"/a\"\nto = \"/b\"\n[[redirects.headers]]\nx = \"y\"\n",
                "\"headers\" must be a table",
            ),
        ] {
            let p = parse(text, F);
            let m = messages(&p);
            assert_eq!(m.len(), 1, "{text}: {m:?}");
            assert!(m[0].contains(want), "{text}: {m:?}");
            assert!(p.parsed.headers.is_empty() && p.parsed.redirects.is_empty());
        }
    }

    #[test]
    fn redirects_with_legacy_names_conditions_and_request_headers() {
        let text = "[[redirects]]\n  origin = \"/search\"\n  destination = \"https://api.example.com\"\n  \
                    status = \"200\"\n  force = true # always\n  headers = {X-From = \"Netlify\"}\n  \
                    conditions = {Country = [\"US\"]}\n  [redirects.query]\n  q = \":q\"\n";
        let p = parse(text, F);
        assert!(p.parsed.problems.is_empty(), "{:?}", messages(&p));
        let d = &p.parsed.redirects[0];
        assert_eq!(d.from, "/search");
        assert_eq!(d.to.as_deref(), Some("https://api.example.com"));
        assert_eq!((d.status, d.force), (Some(200), true));
        assert_eq!(d.conditions.len(), 2);
        assert!(
            p.parsed.headers.is_empty(),
            "redirect headers are request headers"
        );
        assert!(text[d.span.range()].ends_with("q = \":q\""));
    }

    #[test]
    fn statuses_netlify_accepts() {
        for (status, want) in [
            ("2000", 2000),
            ("-200", -200),
            ("301.7", 301),
            ("\"301!\"", 301),
        ] {
            let text = format!("[[redirects]]\nfrom = \"/a\"\nto = \"/b\"\nstatus = {status}\n");
            let p = parse(&text, F);
            assert!(p.parsed.problems.is_empty(), "{status}");
            assert_eq!(p.parsed.redirects[0].status, Some(want));
        }
    }

    #[test]
    fn comments_outside_strings_become_suppressions() {
        let text = "# corslint: ignore[headers-not-applied] proxied on purpose\n[[headers]]\n\
                    for = \"/#not-a-comment\" # corslint: ignore[missing-max-age]\nx = '''\n# no\n'''\n";
        let p = parse(text, F);
        let s = &p.parsed.suppressions;
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].line, Some(2));
        assert_eq!(s[1].line, Some(3));
        assert_eq!(s[1].rules, vec!["missing-max-age"]);
    }

    #[test]
    fn edge_functions_with_a_path() {
        let p = parse(
            "[[edge_functions]]\n  function = \"og\"\n  path = \"/og\"\n[[edge_functions]]\nfunction = \"x\"\n",
            F,
        );
        assert_eq!(p.parsed.edge_functions.len(), 1);
        assert_eq!(p.parsed.edge_functions[0].path, "/og");
    }

    #[test]
    fn odd_inputs_never_panic() {
        for text in [
            "",
            "#",
            "[",
            "a = \"\\u0000\"",
            "headers = 1",
            "headers = [1, {for = 2}]",
            "[[headers]]\nfor = \"\"\nvalues = 3",
            "redirects = [{from = 1}, {from = \"http://\", to = 2}]",
            "[[redirects]]\nfrom = \"/a\"\nstatus = 99999999999999999999999\n",
            "x = '''",
            "é = 'ü'",
            "[[edge_functions]]\npath = 1\nfunction = []",
        ] {
            let _ = parse(text, F);
            let _ = publish_dir(text);
        }
    }
}
