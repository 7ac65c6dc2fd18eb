//! What a request for a URL reaches: the host the browser names and the path the server
//! matches its locations or rules against.
//!
//! Two steps, each the real one's rules:
//! - the browser parses the URL (the WHATWG URL standard, the `url` crate): it resolves `.`
//!   and `..` segments (`%2e` too), turns `\` into `/`, percent-encodes what may not travel
//!   as is (non-ASCII, spaces) and sends the host in its ASCII (punycode) form;
//! - nginx then decodes the path before it chooses a location
//!   (`ngx_http_parse_complex_uri`): `%XX` escapes are decoded, repeated slashes merged
//!   (unless `merge_slashes off`) and dot segments resolved again, since a decoded `%2F` or
//!   `%2E` counts as the character itself. On the other platforms the rules are matched
//!   against the path as the browser sends it (their own decoding is not modelled).

use std::fmt;

/// The host and path of a URL as the browser sends them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Lowercase, as the `Host` header carries it; empty for a URL given as a bare path.
    pub host: String,
    /// The port the browser connects to (the scheme's, 80 or 443, when the URL names none);
    /// None for a bare path.
    pub port: Option<u16>,
    /// Percent-encoded, without query or fragment.
    pub path: String,
}

/// Parses `url` as a browser does. A bare path (`/api/x`) names no host.
pub fn parse(url: &str) -> Result<Target, String> {
    let parsed = match url::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(url::ParseError::RelativeUrlWithoutBase) if url.starts_with('/') => {
            let base = url::Url::parse("http://host.invalid/").expect("a valid URL");
            let path = base
                .join(url)
                .map_err(|e| format!("`{url}` is not a URL path: {e}"))?
                .path()
                .to_string();
            return Ok(Target {
                host: String::new(),
                port: None,
                path,
            });
        }
        Err(e) => return Err(format!("`{url}` is not a URL: {e}")),
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "`{url}` is not an http or https URL: CORS applies to HTTP requests"
        ));
    }
    Ok(Target {
        host: parsed.host_str().unwrap_or_default().to_ascii_lowercase(),
        port: parsed.port_or_known_default(),
        path: parsed.path().to_string(),
    })
}

/// Why nginx answers 400 Bad Request without choosing a location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadRequest {
    /// A `%` not followed by two hexadecimal digits.
    BadEscape,
    /// `%00`.
    NulByte,
    /// A `..` that climbs above `/` (reachable only through decoded `%2F`s).
    AboveRoot,
}

impl fmt::Display for BadRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BadRequest::BadEscape => "a `%` in the path is not followed by two hexadecimal digits",
            BadRequest::NulByte => "the path holds `%00`",
            BadRequest::AboveRoot => "once decoded, the path climbs above `/` with `..`",
        })
    }
}

/// The path nginx matches locations against (`$uri`) for a request path, and whether its
/// decoded bytes were not UTF-8 (then they are shown as U+FFFD, and a regex location that
/// matches bytes may select differently). `merge_slashes` is nginx's directive of that name:
/// with it off, `//` stays two slashes (an empty segment, which `..` climbs like any other).
pub fn nginx_uri(path: &str, merge_slashes: bool) -> Result<(String, bool), BadRequest> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Usual,
        Slash,
        Dot,
        DotDot,
    }
    let bytes = path.as_bytes();
    let mut uri: Vec<u8> = Vec::with_capacity(bytes.len() + 1);
    if bytes.first() != Some(&b'/') {
        uri.push(b'/');
    }
    let mut state = if uri.is_empty() {
        State::Usual
    } else {
        State::Slash
    };
    // Removes the last segment and the `/..` after it ("/a/b/.." becomes "/a/").
    fn climb(uri: &mut Vec<u8>) -> Result<(), BadRequest> {
        let keep = uri.len().checked_sub(3).ok_or(BadRequest::AboveRoot)?;
        uri.truncate(keep);
        match uri.iter().rposition(|&b| b == b'/') {
            Some(slash) => {
                uri.truncate(slash + 1);
                Ok(())
            }
            None => Err(BadRequest::AboveRoot),
        }
    }
    let mut i = 0;
    while i < bytes.len() {
        let mut byte = bytes[i];
        i += 1;
        if byte == b'%' {
            let hex = |b: Option<&u8>| b.and_then(|&b| (b as char).to_digit(16));
            let (Some(high), Some(low)) = (hex(bytes.get(i)), hex(bytes.get(i + 1))) else {
                return Err(BadRequest::BadEscape);
            };
            i += 2;
            byte = (high * 16 + low) as u8;
            match byte {
                0 => return Err(BadRequest::NulByte),
                // Kept as data: they never end the path or start another escape.
                b'%' | b'#' | b'?' => {
                    uri.push(byte);
                    state = State::Usual;
                    continue;
                }
                // Anything else counts as if it had been written as is.
                _ => {}
            }
        } else if byte == b'?' || byte == b'#' {
            break;
        }
        state = match (state, byte) {
            (State::Slash, b'/') => {
                if !merge_slashes {
                    uri.push(b'/');
                }
                State::Slash
            }
            (State::Slash, b'.') => {
                uri.push(b'.');
                State::Dot
            }
            // "/./": the dot goes, the slash before it stays.
            (State::Dot, b'/') => {
                uri.pop();
                State::Slash
            }
            (State::Dot, b'.') => {
                uri.push(b'.');
                State::DotDot
            }
            (State::DotDot, b'/') => {
                climb(&mut uri)?;
                State::Slash
            }
            (_, b'/') => {
                uri.push(b'/');
                State::Slash
            }
            (_, other) => {
                uri.push(other);
                State::Usual
            }
        };
    }
    match state {
        State::Dot => {
            uri.pop();
        }
        State::DotDot => climb(&mut uri)?,
        State::Usual | State::Slash => {}
    }
    match String::from_utf8(uri) {
        Ok(text) => Ok((text, false)),
        Err(e) => Ok((String::from_utf8_lossy(e.as_bytes()).into_owned(), true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(path: &str) -> Result<String, BadRequest> {
        nginx_uri(path, true).map(|(text, _)| text)
    }

    fn unmerged(path: &str) -> Result<String, BadRequest> {
        nginx_uri(path, false).map(|(text, _)| text)
    }

    #[test]
    fn the_browser_resolves_dots_encodes_and_names_the_host_in_ascii() {
        let t = parse("HTTPS://Api.Example.com:8443/a/./b/%2e%2E/c%2e%2E/d?x=1#f").unwrap();
        assert_eq!(t.host, "api.example.com");
        assert_eq!(t.path, "/a/c%2e%2E/d");
        assert_eq!(
            parse("http://h/caf\u{e9} x").unwrap().path,
            "/caf%C3%A9%20x"
        );
        assert_eq!(parse("http://h/../../x").unwrap().path, "/x");
        assert_eq!(parse("http://h\\a\\b").unwrap().path, "/a/b");
        assert_eq!(
            parse("http://b\u{fc}cher.example/").unwrap().host,
            "xn--bcher-kva.example"
        );
        assert_eq!(parse("http://[::1]:8080/x").unwrap().host, "[::1]");
        assert_eq!(parse("http://h").unwrap().path, "/");
        // The port connected to: the URL's, else the scheme's.
        assert_eq!(parse("http://[::1]:8080/x").unwrap().port, Some(8080));
        assert_eq!(parse("http://h/").unwrap().port, Some(80));
        assert_eq!(parse("https://h/").unwrap().port, Some(443));
        assert_eq!(parse("https://h:443/").unwrap().port, Some(443));
        assert_eq!(
            parse("/api/../v1/x").unwrap(),
            Target {
                host: String::new(),
                port: None,
                path: "/v1/x".into()
            }
        );
        assert!(parse("ftp://h/x").unwrap_err().contains("http or https"));
        assert!(
            parse("https://exa mple.com/")
                .unwrap_err()
                .contains("not a URL")
        );
    }

    #[test]
    fn nginx_decodes_escapes_and_counts_decoded_slashes_and_dots() {
        assert_eq!(uri("/caf%C3%A9/menu").unwrap(), "/caf\u{e9}/menu");
        assert_eq!(uri("/%41pi/x").unwrap(), "/Api/x");
        assert_eq!(uri("/api%2Fv1").unwrap(), "/api/v1");
        assert_eq!(uri("/a/%2e%2E/b").unwrap(), "/b");
        assert_eq!(uri("/a%2F..%2Fb").unwrap(), "/b");
        assert_eq!(uri("/a/%2E/b").unwrap(), "/a/b");
        // Decoded `%`, `#` and `?` are data.
        assert_eq!(uri("/100%25").unwrap(), "/100%");
        assert_eq!(uri("/a%3Fb%23c").unwrap(), "/a?b#c");
        assert_eq!(uri("/a%2525").unwrap(), "/a%25");
    }

    #[test]
    fn nginx_merges_slashes_and_resolves_dot_segments() {
        assert_eq!(uri("//api///x//").unwrap(), "/api/x/");
        assert_eq!(uri("/a/b/..").unwrap(), "/a/");
        assert_eq!(uri("/a/b/.").unwrap(), "/a/b/");
        assert_eq!(uri("/a/..b/.c").unwrap(), "/a/..b/.c");
        assert_eq!(uri("/a/b?x=/../..").unwrap(), "/a/b");
        assert_eq!(uri("").unwrap(), "/");
    }

    #[test]
    fn with_merge_slashes_off_nginx_keeps_empty_segments() {
        assert_eq!(unmerged("//api///x//").unwrap(), "//api///x//");
        assert_eq!(unmerged("/a//b/../x").unwrap(), "/a//x");
        assert_eq!(unmerged("/a//../x").unwrap(), "/a/x");
        assert_eq!(unmerged("/a%2F%2Fb").unwrap(), "/a//b");
        assert_eq!(unmerged("//./x").unwrap(), "//x");
        assert_eq!(unmerged("//..").unwrap(), "/");
        assert_eq!(unmerged("/..//x"), Err(BadRequest::AboveRoot));
    }

    #[test]
    fn nginx_refuses_bad_escapes_nul_and_climbing_above_the_root() {
        assert_eq!(uri("/a%zz"), Err(BadRequest::BadEscape));
        assert_eq!(uri("/a%4"), Err(BadRequest::BadEscape));
        assert_eq!(uri("/a%00b"), Err(BadRequest::NulByte));
        assert_eq!(uri("/%2E%2E/x"), Err(BadRequest::AboveRoot));
        assert_eq!(uri("/a%2F..%2F..%2Fb"), Err(BadRequest::AboveRoot));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_flagged() {
        assert_eq!(
            nginx_uri("/d%FF", true).unwrap(),
            ("/d\u{fffd}".to_string(), true)
        );
        assert_eq!(
            nginx_uri("/d%C3%A9", true).unwrap(),
            ("/d\u{e9}".to_string(), false)
        );
    }
}
