//! `_redirects`: Netlify's grammar (`netlify/build` `redirect-parser/src/line_parser.js`) and
//! Cloudflare's (`workers-sdk` `workers-shared/utils/configuration/parseRedirects.ts`).
//!
//! Netlify: `from [key=value…] [to] [status[!]] [Condition=value…]`, split on white space; a
//! token starting with `#` ends the line (inline comments). `to` is the first token starting
//! with `/`, `http://` or `https://`; it may be left out when the first token after `from` is
//! a status (a forward rule, checked later by the normalisation in the parent module). The
//! status is read with JavaScript's `parseInt` (so `301!` is 301, forced); `Sign=`/`signed=`
//! name a signing secret, everything else after the status is a condition.
//!
//! Cloudflare: exactly `from to [status]` (default 302); `from` must be relative; `to` a path
//! or an `https://` URL; statuses 200, 301, 302, 303, 307, 308; a 200 must stay on the site;
//! the same `from` twice keeps the first; `/* → /index` loops are refused; 2000 static and 100
//! dynamic rules; lines up to 2000 characters.

use std::collections::HashSet;

use super::{
    Dialect, Line, Parsed, RedirectDraft, config_problem, is_js_space, lines, suppression,
};
use crate::model::Condition;
use crate::source::{FileId, Span};

/// Cloudflare's limits (`constants.ts`).
pub const MAX_STATIC_RULES: usize = 2000;
pub const MAX_DYNAMIC_RULES: usize = 100;
pub const MAX_LINE_LENGTH: usize = 2000;

/// Parses a `_redirects` file.
pub fn parse(text: &str, file: FileId, dialect: Dialect) -> Parsed {
    let mut out = Parsed::default();
    let mut cloudflare = CloudflareState::default();
    let all: Vec<Line> = lines(text).collect();
    let total = all.len();
    for line in all {
        if line.text.is_empty() {
            continue;
        }
        if line.text.starts_with('#') {
            if let Some(s) = suppression(file, line.text, line.start, line.number, true) {
                out.suppressions.push(s);
            }
            continue;
        }
        let tokens = tokens(line);
        // An inline comment after the rule.
        let comment_at = match dialect {
            Dialect::Netlify => tokens.iter().position(|t| t.starts_with('#')),
            Dialect::Cloudflare => tokens
                .iter()
                .enumerate()
                .position(|(i, t)| i >= 2 && t.starts_with('#')),
        };
        let (rule_tokens, comment) = match comment_at {
            Some(i) => (&tokens[..i], Some(tokens[i])),
            None => (&tokens[..], None),
        };
        if let Some(comment) = comment {
            let start = line.sub(file, comment).start as usize;
            let rest = &line.text[start - line.start..];
            if let Some(s) = suppression(file, rest, start, line.number, false) {
                out.suppressions.push(s);
            }
        }
        let span = match rule_tokens.last() {
            Some(last) => Span::new(file, line.start..line.sub(file, last).end as usize),
            None => line.span(file),
        };
        let keep_going = match dialect {
            Dialect::Netlify => {
                netlify_line(line, rule_tokens, span, file, &mut out);
                true
            }
            Dialect::Cloudflare => cloudflare.line(line, rule_tokens, span, file, total, &mut out),
        };
        if !keep_going {
            break;
        }
    }
    out
}

/// The white-space separated tokens of a line (JavaScript's `/\s+/`).
fn tokens(line: Line<'_>) -> Vec<&str> {
    line.text
        .split(is_js_space)
        .filter(|t| !t.is_empty())
        .collect()
}

fn netlify_line(line: Line, tokens: &[&str], span: Span, file: FileId, out: &mut Parsed) {
    let reject = |out: &mut Parsed, at: Span, why: &str| {
        out.problems.push(config_problem(
            at,
            format!("Netlify rejects this redirect rule: {why}"),
        ));
    };
    let Some((&from, parts)) = tokens.split_first() else {
        return;
    };
    if parts.is_empty() {
        reject(out, span, "the destination path or URL is missing");
        return;
    }
    let (query, to, last) = if js_parse_int(parts[0]).is_some() {
        (&parts[..0], None, parts)
    } else {
        let Some(i) = parts
            .iter()
            .position(|p| p.starts_with('/') || super::is_url(p))
        else {
            reject(
                out,
                span,
                "the destination path/URL must start with \"/\", \"http:\" or \"https:\"",
            );
            return;
        };
        (&parts[..i], Some(parts[i]), &parts[i + 1..])
    };
    let mut conditions = Vec::new();
    for q in query {
        conditions.push(Condition::Unknown {
            text: format!("query parameter {q}"),
            span: line.sub(file, q),
        });
    }
    let (status, force) = match last.first() {
        None => (None, false),
        Some(s) => match js_parse_int(s) {
            Some(n) => (Some(n), s.ends_with('!')),
            None => {
                reject(
                    out,
                    line.sub(file, s),
                    &format!("invalid status code `{s}`"),
                );
                return;
            }
        },
    };
    for c in last.iter().skip(1) {
        let key = c.split('=').next().unwrap_or("");
        if key == "Sign" || key == "signed" {
            continue;
        }
        conditions.push(Condition::Unknown {
            text: c.to_string(),
            span: line.sub(file, c),
        });
    }
    out.redirects.push(RedirectDraft {
        from: from.to_string(),
        from_span: line.sub(file, from),
        to: to.map(str::to_string),
        status,
        force,
        conditions,
        span,
    });
}

#[derive(Default)]
struct CloudflareState {
    static_rules: usize,
    dynamic_rules: usize,
    can_create_static: bool,
    started: bool,
    seen: HashSet<String>,
}

impl CloudflareState {
    /// Returns false when Cloudflare stops reading the file.
    fn line(
        &mut self,
        line: Line,
        tokens: &[&str],
        span: Span,
        file: FileId,
        total: usize,
        out: &mut Parsed,
    ) -> bool {
        if !self.started {
            self.started = true;
            self.can_create_static = true;
        }
        let reject = |out: &mut Parsed, why: String| {
            out.problems.push(config_problem(
                span,
                format!("Cloudflare Pages ignores this redirect rule: {why}"),
            ));
        };
        if line.text.encode_utf16().count() > MAX_LINE_LENGTH {
            reject(
                out,
                format!("the line is longer than the maximum of {MAX_LINE_LENGTH} characters"),
            );
            return true;
        }
        if tokens.len() < 2 || tokens.len() > 3 {
            reject(
                out,
                format!(
                    "expected exactly 2 or 3 whitespace-separated tokens (from, to, status), \
                     got {}",
                    tokens.len()
                ),
            );
            return true;
        }
        let (from_token, to, status_token) = (tokens[0], tokens[1], tokens.get(2).copied());
        if https_host(from_token).is_some() {
            reject(
                out,
                format!("only relative URLs are allowed as the source, not `{from_token}`"),
            );
            return true;
        }
        let from = if from_token.starts_with('/') {
            from_token.to_string()
        } else {
            format!("/{from_token}")
        };
        if self.can_create_static && !from.contains('*') && !has_placeholder(&from) {
            self.static_rules += 1;
            if self.static_rules > MAX_STATIC_RULES {
                reject(
                    out,
                    format!("at most {MAX_STATIC_RULES} static rules are supported"),
                );
                return true;
            }
        } else {
            self.dynamic_rules += 1;
            self.can_create_static = false;
            if self.dynamic_rules > MAX_DYNAMIC_RULES {
                let remaining = total - line.number + 1;
                out.problems.push(config_problem(
                    span,
                    format!(
                        "Cloudflare Pages stops reading `_redirects` here: at most \
                         {MAX_DYNAMIC_RULES} dynamic rules are supported, so this rule and the \
                         {remaining} remaining lines are ignored"
                    ),
                ));
                return false;
            }
        }
        let to_host = https_host(to);
        if to_host.is_none() && !to.starts_with('/') {
            reject(
                out,
                format!(
                    "the destination `{to}` should either be relative (begin with a \
                     forward-slash), or use HTTPS (begin with \"https://\")"
                ),
            );
            return true;
        }
        let status_text = status_token.unwrap_or("302");
        let status = js_number(status_text).filter(|s| [200, 301, 302, 303, 307, 308].contains(s));
        let Some(status) = status else {
            reject(
                out,
                format!(
                    "valid status codes are 200, 301, 302 (default), 303, 307, or 308, not \
                     `{status_text}`"
                ),
            );
            return true;
        };
        let to_index = |t: &str| {
            let t = t.split(['?', '#']).next().unwrap_or(t);
            t.ends_with("/index") || t.ends_with("/index.html")
        };
        if to_host.is_none() && to_index(to) && (from.ends_with("/*") || from.ends_with('/')) {
            reject(
                out,
                "it loops: Cloudflare strips `/index` or `.html` with a redirect that matches \
                 this rule again"
                    .into(),
            );
            return true;
        }
        if !self.seen.insert(from.clone()) {
            reject(out, format!("a rule for `{from}` already exists above"));
            return true;
        }
        if status == 200 && to_host.is_some() {
            reject(
                out,
                format!(
                    "a 200 (rewrite) can only point to a path on the same site, not `{to}`; \
                     Cloudflare Pages does not proxy"
                ),
            );
            return true;
        }
        out.redirects.push(RedirectDraft {
            from,
            from_span: line.sub(file, from_token),
            to: Some(to.to_string()),
            status: Some(status),
            force: true,
            conditions: Vec::new(),
            span,
        });
        true
    }
}

/// `^https:\/\/+(?<host>[^/]+)`: the host of an `https://` URL.
fn https_host(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("https://")?.trim_start_matches('/');
    let host = &rest[..rest.find('/').unwrap_or(rest.len())];
    (!host.is_empty()).then_some(host)
}

/// `:[A-Za-z]\w*`.
fn has_placeholder(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b':' && w[1].is_ascii_alphabetic())
}

/// JavaScript's `parseInt(text)` when it gives an integer: leading white space, a sign, then
/// digits (hexadecimal after `0x`); anything after the digits is ignored.
pub(crate) fn js_parse_int(text: &str) -> Option<i64> {
    let t = text.trim_start_matches(is_js_space);
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = match t.get(..2) {
        Some("0x") | Some("0X") => (16, &t[2..]),
        _ => (10, t),
    };
    let end = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let value = i64::from_str_radix(&digits[..end], radix).unwrap_or(i64::MAX);
    Some(if negative { -value } else { value })
}

/// JavaScript's `Number(text)` when it is an integer (`301`, `301.0`, `0x12D`, `3.01e2`).
fn js_number(text: &str) -> Option<i64> {
    let t = text.trim_matches(is_js_space);
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return i64::from_str_radix(hex, 16).ok();
    }
    if t.is_empty() || t.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E') {
        return None;
    }
    let value: f64 = t.parse().ok()?;
    (value.fract() == 0.0 && value.abs() < 1e15).then_some(value as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: FileId = FileId(0);

    fn drafts(text: &str, dialect: Dialect) -> (Parsed, Vec<String>) {
        let parsed = parse(text, F, dialect);
        let messages = parsed.problems.iter().map(|p| p.message.clone()).collect();
        (parsed, messages)
    }

    #[test]
    fn netlify_lines_with_query_status_force_and_conditions() {
        let text =
            "  /donate source=:s  /donate/usa?source=:s 302! Country=us Sign=SECRET # note\n";
        let (parsed, m) = drafts(text, Dialect::Netlify);
        assert!(m.is_empty(), "{m:?}");
        let d = &parsed.redirects[0];
        assert_eq!(d.from, "/donate");
        assert_eq!(d.to.as_deref(), Some("/donate/usa?source=:s"));
        assert_eq!((d.status, d.force), (Some(302), true));
        assert_eq!(d.conditions.len(), 2);
        assert_eq!(&text[d.span.range()].chars().last(), &Some('T'));
        assert_eq!(&text[d.from_span.range()], "/donate");
    }

    #[test]
    fn netlify_forward_rules_and_defaults() {
        let (parsed, m) = drafts(
            "/admin/* 200\n/a /b\n/c https://x.org/:splat 200",
            Dialect::Netlify,
        );
        assert!(m.is_empty());
        assert_eq!(parsed.redirects[0].to, None);
        assert_eq!(parsed.redirects[0].status, Some(200));
        assert_eq!(parsed.redirects[1].status, None);
        assert_eq!(
            parsed.redirects[2].to.as_deref(),
            Some("https://x.org/:splat")
        );
    }

    #[test]
    fn netlify_reasons() {
        let text = "/m/legal\n/\tindex.html\n/from /to not_a_status\n/a /b#frag # c\n";
        let (parsed, m) = drafts(text, Dialect::Netlify);
        assert_eq!(m.len(), 3, "{m:?}");
        assert!(m[0].contains("destination path or URL is missing"));
        assert!(m[1].contains("must start with"));
        assert!(m[2].contains("not_a_status"));
        assert_eq!(&text[parsed.problems[2].span.range()], "not_a_status");
        assert_eq!(parsed.redirects[0].to.as_deref(), Some("/b#frag"));
    }

    #[test]
    fn inline_comment_suppresses_the_same_line() {
        let text = "/a /b 301 # corslint: ignore[redirect-on-preflight] legacy\n";
        for dialect in [Dialect::Netlify, Dialect::Cloudflare] {
            let (parsed, _) = drafts(text, dialect);
            assert_eq!(parsed.suppressions.len(), 1);
            assert_eq!(parsed.suppressions[0].line, Some(1));
        }
    }

    #[test]
    fn cloudflare_rules_and_reasons() {
        let text = "/home / 301\n/twitch https://twitch.tv\nhttps://lol.com https://zombo.com\n\
                    /a\n/b /c 404\n/home /x\n/p https://x.com/ 200\n/* /index.html\nrel /r";
        let (parsed, m) = drafts(text, Dialect::Cloudflare);
        assert_eq!(m.len(), 6, "{m:?}");
        assert!(m[0].contains("only relative"));
        assert!(m[1].contains("2 or 3"));
        assert!(m[2].contains("valid status codes"));
        assert!(m[3].contains("already exists"));
        assert!(m[4].contains("does not proxy"));
        assert!(m[5].contains("loops"));
        let froms: Vec<_> = parsed.redirects.iter().map(|d| d.from.as_str()).collect();
        assert_eq!(froms, vec!["/home", "/twitch", "/rel"]);
        assert_eq!(parsed.redirects[1].status, Some(302));
    }

    #[test]
    fn cloudflare_dynamic_rule_limit() {
        let mut text = String::new();
        for i in 0..102 {
            text.push_str(&format!("/d{i}/* /x{i}\n"));
        }
        let (parsed, m) = drafts(&text, Dialect::Cloudflare);
        assert_eq!(parsed.redirects.len(), 100);
        assert_eq!(m.len(), 1);
        assert!(m[0].contains("stops reading"));
    }

    #[test]
    fn numbers_like_javascript() {
        assert_eq!(js_parse_int("301!"), Some(301));
        assert_eq!(js_parse_int("-200"), Some(-200));
        assert_eq!(js_parse_int("Country=us"), None);
        assert_eq!(js_parse_int("0x12D"), Some(301));
        assert_eq!(js_number("301.0"), Some(301));
        assert_eq!(js_number("301!"), None);
        assert_eq!(js_number("3.01e2"), Some(301));
    }

    #[test]
    fn odd_inputs_never_panic() {
        for text in [
            "",
            "#",
            "/",
            "/ #",
            "/a #x",
            "/a /b 9999999999999999999999",
            "/a /b -",
            "https:// /",
            "/a https:// 200",
            "é ü",
            "/a /b 301 X",
            "\u{feff}/a /b",
        ] {
            for dialect in [Dialect::Netlify, Dialect::Cloudflare] {
                let _ = parse(text, F, dialect);
            }
        }
    }
}
