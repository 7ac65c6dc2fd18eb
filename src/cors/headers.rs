//! Header and method classes from the Fetch standard.

/// `#cors-safelisted-method`: GET, HEAD, POST never need Access-Control-Allow-Methods.
pub fn is_safelisted_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// `#concept-method-normalize`: only these six are uppercased by `fetch()` and XHR.
pub fn normalize_method(method: &str) -> String {
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    NORMALIZED
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .map(|m| m.to_string())
        .unwrap_or_else(|| method.to_string())
}

/// `#forbidden-request-header`: names a page can never set, so listing them in
/// Access-Control-Allow-Headers does nothing.
pub fn is_forbidden_request_header(name: &str) -> bool {
    const FORBIDDEN: [&str; 21] = [
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "access-control-request-private-network",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    ];
    let lower = name.to_ascii_lowercase();
    FORBIDDEN.contains(&lower.as_str())
        || lower == "via"
        || lower.starts_with("proxy-")
        || lower.starts_with("sec-")
}

/// `#cors-safelisted-request-header`: whether this header, with this value, can be sent
/// without a preflight.
pub fn is_safelisted_request_header(name: &str, value: &str) -> bool {
    if value.len() > 128 {
        return false;
    }
    match name.to_ascii_lowercase().as_str() {
        "accept" => !value.bytes().any(is_cors_unsafe_byte),
        "accept-language" | "content-language" => value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b" *,-.;=".contains(&b)),
        "content-type" => {
            if value.bytes().any(is_cors_unsafe_byte) {
                return false;
            }
            let essence = value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            matches!(
                essence.as_str(),
                "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
            )
        }
        "range" => is_simple_range(value),
        _ => false,
    }
}

/// Whether a header name can ever be safelisted (used when the value is unknown: a client
/// that sends `Content-Type` is assumed to send JSON, the case that needs listing).
pub fn is_safelisted_name_for_any_value(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "accept" | "accept-language" | "content-language"
    )
}

fn is_cors_unsafe_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\t')
        || matches!(
            b,
            b'"' | b'('
                | b')'
                | b':'
                | b'<'
                | b'>'
                | b'?'
                | b'@'
                | b'['
                | b'\\'
                | b']'
                | b'{'
                | b'}'
                | 0x7f
        )
}

fn is_simple_range(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("bytes=") else {
        return false;
    };
    let Some((start, end)) = rest.split_once('-') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(start)
        && (end.is_empty() || (digits(end) && start.parse::<u64>().ok() <= end.parse().ok()))
}

/// `#cors-non-wildcard-request-header-name`: `*` does not cover it in the standard.
pub fn is_non_wildcard_request_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization")
}

/// An HTTP token (RFC 9110 `tchar`s), as Chromium's `IsToken` checks list elements.
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `#extract-header-list-values` over one combined value: RFC 9110 list syntax (OWS around
/// commas, empty elements tolerated). Err carries the first element that is not a token:
/// the browser then fails the whole preflight.
pub fn parse_list(value: &str) -> Result<Vec<&str>, &str> {
    let mut out = Vec::new();
    for element in value.split(',') {
        let element = element.trim_matches([' ', '\t']);
        if element.is_empty() {
            continue;
        }
        if !is_token(element) {
            return Err(element);
        }
        out.push(element);
    }
    Ok(out)
}

/// `Content-Type: application/json` → `Content-Type`: canonical capitalisation for messages.
pub fn canonical_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safelisted_content_type_depends_on_essence() {
        // #cors-safelisted-request-header
        assert!(is_safelisted_request_header(
            "Content-Type",
            "text/plain;charset=UTF-8"
        ));
        assert!(!is_safelisted_request_header(
            "content-type",
            "application/json"
        ));
        assert!(!is_safelisted_request_header("Accept", &"a".repeat(129)));
        assert!(is_safelisted_request_header("Range", "bytes=0-99"));
        assert!(!is_safelisted_request_header("Range", "bytes=0-9,20-30"));
        assert!(!is_safelisted_request_header("X-Request-ID", "1"));
    }

    #[test]
    fn method_normalization_leaves_patch_alone() {
        // #concept-method-normalize
        assert_eq!(normalize_method("put"), "PUT");
        assert_eq!(normalize_method("patch"), "patch");
    }

    #[test]
    fn list_parsing_tolerates_empty_elements_and_rejects_non_tokens() {
        // #extract-header-list-values
        assert_eq!(parse_list("GET, , POST"), Ok(vec!["GET", "POST"]));
        assert_eq!(parse_list("GET;POST"), Err("GET;POST"));
        assert_eq!(parse_list("\"GET\""), Err("\"GET\""));
    }

    #[test]
    fn forbidden_headers() {
        // #forbidden-request-header
        assert!(is_forbidden_request_header("Cookie"));
        assert!(is_forbidden_request_header("Sec-Fetch-Mode"));
        assert!(!is_forbidden_request_header("Authorization"));
    }
}
