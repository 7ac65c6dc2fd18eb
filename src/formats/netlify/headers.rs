//! `_headers`: Netlify's grammar (`netlify/build` `headers-parser/src/line_parser.ts`,
//! `normalize.ts`) and Cloudflare's (`workers-sdk` `workers-shared/utils/configuration/
//! parseHeaders.ts`).
//!
//! Both split the text on `\n`, trim each line, and skip blank lines and `#` comments. A path
//! line starts a block; `Name: value` lines (split at the first colon) belong to the block
//! above. The differences:
//!
//! | | Netlify | Cloudflare |
//! |---|---|---|
//! | path line | starts with `/` | starts with `/` or `scheme://` (only `https://`, no port) |
//! | line without a colon | silently dropped | error; `! Name` removes a header |
//! | header names | as written | lowercased; a space in a name is an error |
//! | value | commas normalised to `, ` | as written |
//! | a block without headers | ignored | error |
//! | limits | none | 100 rules (see [`MAX_RULES`]), lines up to 2000 characters |
//!
//! The same name twice in one block is joined with `, ` by both. corslint keeps each line as
//! its own [`HeaderOp`]: the first [`HeaderAction::Set`], the next ones
//! [`HeaderAction::Append`], so resolution joins them and rules about repeated headers see
//! every value with its own span.

use super::{Dialect, HeaderBlock, Line, Parsed, config_problem, js_trim, lines, suppression};
use crate::model::{HeaderAction, HeaderOp, HeaderValue, Reach};
use crate::source::{FileId, Span};

/// Cloudflare's `MAX_HEADER_RULES`.
pub const MAX_RULES: usize = 100;
/// Cloudflare's `MAX_LINE_LENGTH` (in UTF-16 code units, as JavaScript counts).
pub const MAX_LINE_LENGTH: usize = 2000;

/// Parses a `_headers` file.
pub fn parse(text: &str, file: FileId, dialect: Dialect) -> Parsed {
    let mut parser = Parser {
        file,
        dialect,
        out: Parsed::default(),
        block: None,
        rules: 0,
    };
    let all: Vec<Line> = lines(text).collect();
    let total = all.len();
    for line in all {
        if line.text.is_empty() {
            continue;
        }
        if line.text.starts_with('#') {
            if let Some(s) = suppression(file, line.text, line.start, line.number, true) {
                parser.out.suppressions.push(s);
            }
            continue;
        }
        let keep_going = match dialect {
            Dialect::Netlify => {
                parser.netlify_line(line);
                true
            }
            Dialect::Cloudflare => parser.cloudflare_line(line, total),
        };
        if !keep_going {
            break;
        }
    }
    parser.close_block();
    parser.out
}

struct Open {
    block: HeaderBlock,
    path_line: Span,
    removes: Vec<HeaderOp>,
}

struct Parser {
    file: FileId,
    dialect: Dialect,
    out: Parsed,
    block: Option<Open>,
    /// Cloudflare: rules accepted so far.
    rules: usize,
}

impl Parser {
    fn problem(&mut self, span: Span, message: String) {
        self.out.problems.push(config_problem(span, message));
    }

    fn netlify_line(&mut self, line: Line) {
        let span = line.span(self.file);
        if line.text.starts_with('/') {
            self.close_block();
            self.open_block(line, line.text.to_string(), None, true);
            return;
        }
        if starts_with_scheme(line.text) {
            self.problem(
                span,
                "Netlify reads this line as a header named `https`, not as a path: paths in a \
                 Netlify `_headers` file start with `/` (absolute URLs are Cloudflare Pages \
                 syntax)"
                    .into(),
            );
            return;
        }
        let Some((raw_name, raw_value)) = line.text.split_once(':') else {
            self.problem(
                span,
                "Netlify drops this line: a header line needs `Name: value`".into(),
            );
            return;
        };
        let name = js_trim(raw_name);
        let value = js_trim(raw_value);
        if name.is_empty() {
            self.problem(
                span,
                "Netlify rejects this line: the header name is missing".into(),
            );
            return;
        }
        if value.is_empty() {
            self.problem(
                span,
                format!("Netlify rejects this line: the header `{name}` has no value"),
            );
            return;
        }
        if !is_token(name) {
            self.problem(
                line.sub(self.file, name),
                format!(
                    "`{name}` is not a valid HTTP header name, so this line sets no header: \
                     Netlify takes everything before the first `:` as the name{}; write \
                     `Name: value`",
                    if raw_value.starts_with("//") {
                        " (here the colon of a URL)"
                    } else {
                        ""
                    }
                ),
            );
            return;
        }
        if self.block.is_none() {
            self.problem(
                span,
                format!(
                    "Netlify rejects this line: Path should come before header \"{name}\" (a \
                     header line must follow a path line)"
                ),
            );
            return;
        }
        // normalize.ts: multiple values are separated by commas, normalised to ", ".
        let normalized = split_commas(value).join(", ");
        self.push_op(line, name, name.to_string(), value, normalized);
    }

    /// Returns false when Cloudflare stops reading the file.
    fn cloudflare_line(&mut self, line: Line, total: usize) -> bool {
        let span = line.span(self.file);
        let reject = |p: &mut Parser, why: String| {
            p.problem(span, format!("Cloudflare Pages ignores this line: {why}"));
        };
        if line.text.encode_utf16().count() > MAX_LINE_LENGTH {
            reject(
                self,
                format!("it is longer than the maximum of {MAX_LINE_LENGTH} characters"),
            );
            return true;
        }
        if line.text.starts_with('/') || looks_like_url(line.text) {
            if self.rules >= MAX_RULES {
                let remaining = total - line.number + 1;
                self.problem(
                    span,
                    format!(
                        "Cloudflare Pages stops reading `_headers` here: at most {MAX_RULES} \
                         rules are supported, so this rule and the {remaining} remaining lines \
                         are ignored"
                    ),
                );
                return false;
            }
            self.close_block();
            match cloudflare_path(line.text) {
                Ok((path, host)) => {
                    let verbatim = host.is_none() && path == line.text;
                    self.open_block(line, path, host, verbatim);
                }
                Err(why) => reject(self, why),
            }
            return true;
        }
        let Some((raw_name, raw_value)) = line.text.split_once(':') else {
            match &mut self.block {
                None => reject(
                    self,
                    "expected a path beginning with at least one forward-slash".into(),
                ),
                Some(open) => {
                    if let Some(rest) = line.text.strip_prefix("! ") {
                        let name = js_trim(rest);
                        let name_span = line.sub(self.file, name);
                        open.removes.push(HeaderOp {
                            name: name.to_string(),
                            value: HeaderValue::Literal(String::new()),
                            action: HeaderAction::Remove,
                            reach: Reach::Always,
                            span,
                            name_span,
                            value_span: name_span,
                        });
                        open.block.span = open.block.span.to(span);
                    } else {
                        reject(
                            self,
                            "expected a colon-separated header pair (e.g. name: value)".into(),
                        );
                    }
                }
            }
            return true;
        };
        let name = js_trim(raw_name);
        let lower = name.to_lowercase();
        let value = js_trim(raw_value);
        if lower.contains(' ') {
            reject(self, "a header name cannot include spaces".into());
            return true;
        }
        if lower.is_empty() {
            reject(self, "no header name specified".into());
            return true;
        }
        if value.is_empty() {
            reject(self, format!("no value specified for the header `{lower}`"));
            return true;
        }
        if self.block.is_none() {
            reject(
                self,
                format!("Path should come before header ({lower}: {value})"),
            );
            return true;
        }
        self.push_op(line, name, lower, value, value.to_string());
        true
    }

    fn open_block(&mut self, line: Line, pattern: String, host: Option<String>, verbatim: bool) {
        let span = line.span(self.file);
        self.block = Some(Open {
            block: HeaderBlock {
                pattern,
                pattern_span: span,
                verbatim,
                host,
                span,
                ops: Vec::new(),
            },
            path_line: span,
            removes: Vec::new(),
        });
    }

    fn push_op(
        &mut self,
        line: Line,
        name_text: &str,
        name: String,
        value_text: &str,
        value: String,
    ) {
        let file = self.file;
        let Some(open) = &mut self.block else {
            return;
        };
        let repeated = open.block.ops.iter().any(|op| op.is(&name));
        let span = line.span(file);
        open.block.ops.push(HeaderOp {
            name,
            value: HeaderValue::Literal(value),
            action: if repeated {
                HeaderAction::Append
            } else {
                HeaderAction::Set
            },
            reach: Reach::Always,
            span,
            name_span: line.sub(file, name_text),
            value_span: line.sub(file, value_text),
        });
        open.block.span = open.block.span.to(span);
    }

    fn close_block(&mut self) {
        let Some(mut open) = self.block.take() else {
            return;
        };
        let empty = open.block.ops.is_empty() && open.removes.is_empty();
        match self.dialect {
            // normalize.ts: a block without values is left out, silently.
            Dialect::Netlify if empty => {}
            Dialect::Cloudflare if empty => {
                self.problem(
                    open.path_line,
                    "Cloudflare Pages ignores this rule: no headers specified".into(),
                );
            }
            _ => {
                if self.dialect == Dialect::Cloudflare {
                    self.rules += 1;
                }
                // Cloudflare applies a rule's removals before its values.
                let mut ops = std::mem::take(&mut open.removes);
                ops.append(&mut open.block.ops);
                open.block.ops = ops;
                // Cloudflare keys rules by their path line (`constructHeaders`:
                // `rules[rule.path] = …`): a later rule for the same path replaces the earlier
                // one, in the earlier one's place (seen with `wrangler pages dev`).
                let earlier = (self.dialect == Dialect::Cloudflare)
                    .then(|| {
                        self.out
                            .headers
                            .iter_mut()
                            .find(|b| b.pattern == open.block.pattern && b.host == open.block.host)
                    })
                    .flatten();
                match earlier {
                    Some(earlier) => *earlier = open.block,
                    None => self.out.headers.push(open.block),
                }
            }
        }
    }
}

/// `^[^\s]+://`: a line Cloudflare takes for an absolute URL.
fn looks_like_url(text: &str) -> bool {
    text.find("://")
        .is_some_and(|i| i > 0 && !text[..i].contains(char::is_whitespace))
}

/// `https://...`, `http://...`: an absolute URL where Netlify expects a path.
fn starts_with_scheme(text: &str) -> bool {
    text.find("://").is_some_and(|i| {
        let scheme = &text[..i];
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    })
}

/// Cloudflare's `validateUrl(line, false, true)`: a path, or `https://host/path` without a
/// port. Returns the path and the host.
fn cloudflare_path(text: &str) -> Result<(String, Option<String>), String> {
    if let Some(rest) = text.strip_prefix("https://") {
        let rest = rest.trim_start_matches('/');
        let end = rest.find('/').unwrap_or(rest.len());
        let host = &rest[..end];
        if !host.is_empty() {
            if host.rsplit_once(':').is_some_and(|(_, port)| {
                !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
            }) {
                return Err(format!(
                    "specifying ports is not supported (absolute URL `{text}`)"
                ));
            }
            let path = match &rest[end..] {
                "" => "/".to_string(),
                p => p.to_string(),
            };
            return Ok((path, Some(host.to_string())));
        }
    }
    if text.starts_with('/') {
        return Ok((text.to_string(), None));
    }
    Err(
        "URLs should either be relative (begin with a forward-slash), or use HTTPS (begin with \
         \"https://\")"
            .into(),
    )
}

/// An HTTP field name: a token (RFC 9110 §5.1).
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `value.split(/\s*,\s*/)`.
fn split_commas(value: &str) -> Vec<&str> {
    value.split(',').map(js_trim).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProblemKind;

    const F: FileId = FileId(0);

    fn ops(parsed: &Parsed) -> Vec<(String, String, String, HeaderAction)> {
        parsed
            .headers
            .iter()
            .flat_map(|b| {
                b.ops.iter().map(|op| {
                    (
                        b.pattern.clone(),
                        op.name.clone(),
                        op.value.literal().unwrap_or("").to_string(),
                        op.action,
                    )
                })
            })
            .collect()
    }

    fn messages(parsed: &Parsed) -> Vec<String> {
        parsed.problems.iter().map(|p| p.message.clone()).collect()
    }

    #[test]
    fn netlify_blocks_with_spans_of_the_exact_value() {
        let text = "/api/*\n  Access-Control-Allow-Origin: *\n";
        let parsed = parse(text, F, Dialect::Netlify);
        assert!(parsed.problems.is_empty());
        let block = &parsed.headers[0];
        assert_eq!(block.pattern, "/api/*");
        let op = &block.ops[0];
        assert_eq!(&text[op.value_span.range()], "*");
        assert_eq!(&text[op.name_span.range()], "Access-Control-Allow-Origin");
        assert_eq!(&text[op.span.range()], "Access-Control-Allow-Origin: *");
        assert_eq!(
            &text[block.span.range()],
            "/api/*\n  Access-Control-Allow-Origin: *"
        );
    }

    #[test]
    fn indentation_tabs_crlf_and_no_final_newline() {
        let text = "\t/a\r\nX-A:\tone,two , three\r\n/b\r\nx-b: 2";
        let parsed = parse(text, F, Dialect::Netlify);
        assert!(parsed.problems.is_empty(), "{:?}", messages(&parsed));
        assert_eq!(
            ops(&parsed),
            vec![
                (
                    "/a".into(),
                    "X-A".into(),
                    "one, two, three".into(),
                    HeaderAction::Set
                ),
                ("/b".into(), "x-b".into(), "2".into(), HeaderAction::Set),
            ]
        );
        let op = &parsed.headers[0].ops[0];
        assert_eq!(&text[op.value_span.range()], "one,two , three");
    }

    #[test]
    fn repeated_names_append() {
        let parsed = parse("/p\n  test: one\n  Test: two\n", F, Dialect::Netlify);
        let actions: Vec<_> = ops(&parsed).into_iter().map(|o| o.3).collect();
        assert_eq!(actions, vec![HeaderAction::Set, HeaderAction::Append]);
    }

    #[test]
    fn netlify_problems_with_its_reasons() {
        let text = "  test: one\n/path\n  test = one\n  test:\n  : one\nhttps://x.com/*\n";
        let parsed = parse(text, F, Dialect::Netlify);
        let m = messages(&parsed);
        assert_eq!(m.len(), 5, "{m:?}");
        assert!(m[0].contains("Path should come before header"));
        assert!(m[1].starts_with("Netlify drops this line"));
        assert!(m[2].contains("has no value"));
        assert!(m[3].contains("name is missing"));
        assert!(m[4].contains("header named `https`"));
        assert!(
            parsed
                .problems
                .iter()
                .all(|p| p.kind == ProblemKind::Config)
        );
        let lines: Vec<&str> = parsed
            .problems
            .iter()
            .map(|p| &text[p.span.range()])
            .collect();
        assert_eq!(lines[1], "test = one");
        // The block has no valid header: Netlify leaves it out.
        assert!(parsed.headers.is_empty());
    }

    #[test]
    fn comments_become_suppressions_for_the_next_line() {
        let text = "# corslint: ignore[missing-max-age] static\n/a\n  X: y\n  # plain\n";
        let parsed = parse(text, F, Dialect::Netlify);
        assert_eq!(parsed.suppressions.len(), 1);
        assert_eq!(parsed.suppressions[0].line, Some(2));
        assert_eq!(parsed.suppressions[0].rules, vec!["missing-max-age"]);
    }

    #[test]
    fn cloudflare_lowercases_detaches_and_rejects() {
        let text = "/*\n\tA-Header: Some-Value\n\n/header-test\n\t! A-Header\n\tA-Header: New\n";
        let parsed = parse(text, F, Dialect::Cloudflare);
        assert!(parsed.problems.is_empty(), "{:?}", messages(&parsed));
        let all = ops(&parsed);
        assert_eq!(all[0].1, "a-header");
        assert_eq!(all[1].3, HeaderAction::Remove);
        assert_eq!(all[1].1, "A-Header");
        assert_eq!(all[2].3, HeaderAction::Set);

        let bad = "X: y\n/empty\n/p\n  Bad Name: v\n  novalue\nhttp://x/a\nhttps://x.com:8443/a\n/q\n  k: v";
        let parsed = parse(bad, F, Dialect::Cloudflare);
        let m = messages(&parsed);
        assert_eq!(m.len(), 7, "{m:?}");
        assert!(m[0].contains("Path should come before header"));
        assert!(m[1].contains("no headers specified"));
        assert!(m[2].contains("cannot include spaces"));
        assert!(m[3].contains("colon-separated"));
        assert!(m[4].contains("no headers specified"));
        assert!(m[5].contains("use HTTPS"));
        assert!(m[6].contains("ports"));
        assert_eq!(parsed.headers.len(), 1);
    }

    #[test]
    fn cloudflare_absolute_urls_keep_the_host() {
        let parsed = parse(
            "https://:project.pages.dev/*\n  X-Robots-Tag: noindex\n",
            F,
            Dialect::Cloudflare,
        );
        let block = &parsed.headers[0];
        assert_eq!(block.pattern, "/*");
        assert_eq!(block.host.as_deref(), Some(":project.pages.dev"));
    }

    #[test]
    fn cloudflare_rule_limit_and_long_lines() {
        let mut text = String::new();
        for i in 0..103 {
            text.push_str(&format!("/r{i}\n  X: {i}\n"));
        }
        let parsed = parse(&text, F, Dialect::Cloudflare);
        // The parser checks the count before it stores the open rule, and stores the open
        // rule when it stops: 101 rules survive, the 102nd path line stops the reading.
        assert_eq!(parsed.headers.len(), 101);
        assert_eq!(parsed.problems.len(), 1);
        assert_eq!(&text[parsed.problems[0].span.range()], "/r101");

        let long = format!("/a\n  X: {}\n  Y: z\n", "v".repeat(2001));
        let parsed = parse(&long, F, Dialect::Cloudflare);
        assert_eq!(parsed.problems.len(), 1);
        assert!(parsed.problems[0].message.contains("2000"));
        assert_eq!(ops(&parsed).len(), 1);
    }

    #[test]
    fn cloudflare_keeps_values_and_bang_suffixes() {
        let parsed = parse("/*\n\tX-Header: Custom-Value!!!\n", F, Dialect::Cloudflare);
        assert_eq!(ops(&parsed)[0].2, "Custom-Value!!!");
    }

    #[test]
    fn cloudflare_same_path_twice_keeps_the_later_rule_in_the_first_place() {
        let text = "/api/*\n  A: 1\n/*\n  B: 2\n/api/*\n  C: 3\n";
        let parsed = parse(text, F, Dialect::Cloudflare);
        assert!(parsed.problems.is_empty(), "{:?}", messages(&parsed));
        let rules: Vec<(String, String)> = ops(&parsed)
            .into_iter()
            .map(|(path, name, _, _)| (path, name))
            .collect();
        assert_eq!(
            rules,
            vec![
                ("/api/*".to_string(), "c".to_string()),
                ("/*".to_string(), "b".to_string())
            ]
        );
        // Netlify keeps both blocks (its merge keeps every rule; the later value wins).
        assert_eq!(ops(&parse(text, F, Dialect::Netlify)).len(), 3);
    }

    #[test]
    fn odd_inputs_never_panic() {
        for text in [
            "",
            "\n",
            ":",
            "/",
            "!",
            "! ",
            "/\n! ",
            "\u{feff}/a\nb:c",
            "/é\nñ: ü\n",
            "/a\n:\n",
            "https://",
            "https:///",
            "a://b",
            " ://x",
            "/a\n\r\n\r",
            "#",
            "# corslint:",
        ] {
            for dialect in [Dialect::Netlify, Dialect::Cloudflare] {
                let _ = parse(text, F, dialect);
            }
        }
    }
}
