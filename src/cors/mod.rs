//! The Fetch standard's CORS protocol as code: which requests are preflighted, the CORS
//! check, the CORS-preflight fetch, and the preflight cache limits. Knows only HTTP.
//!
//! Section names refer to <https://fetch.spec.whatwg.org/>. Failure messages are the words
//! Chromium prints after "has been blocked by CORS policy: ".

pub mod headers;

use crate::resolve::Response;
pub use headers::*;

/// Which behaviour to answer for where the standard and shipping browsers differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// What Chromium, Firefox and Safari do today (`*` still covers `Authorization`).
    Browsers,
    /// What the Fetch standard says.
    Standard,
}

/// Why the browser blocks a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    NoAllowOrigin,
    MultipleAllowOrigin(String),
    OriginMismatch(String),
    WildcardWithCredentials,
    CredentialsNotTrue(String),
    PreflightRedirect,
    PreflightNotOk(u16),
    InvalidAllowList {
        header: &'static str,
        element: String,
    },
    MethodNotAllowed(String),
    HeaderNotAllowed(String),
}

/// Which response the failure is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Preflight,
    Actual,
}

impl Failure {
    /// Chromium's console wording (after "blocked by CORS policy: ").
    pub fn message(&self, stage: Stage) -> String {
        let core = match self {
            Failure::NoAllowOrigin => {
                "No 'Access-Control-Allow-Origin' header is present on the requested resource."
                    .to_string()
            }
            Failure::MultipleAllowOrigin(v) => format!(
                "The 'Access-Control-Allow-Origin' header contains multiple values '{v}', but only one is allowed. Have the server send the header with a valid value."
            ),
            Failure::OriginMismatch(v) => format!(
                "The 'Access-Control-Allow-Origin' header has a value '{v}' that is not equal to the supplied origin. Have the server send the header with a valid value."
            ),
            Failure::WildcardWithCredentials => "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.".to_string(),
            Failure::CredentialsNotTrue(v) => format!(
                "The value of the 'Access-Control-Allow-Credentials' header in the response is '{v}' which must be 'true' when the request's credentials mode is 'include'."
            ),
            Failure::PreflightRedirect => "Redirect is not allowed for a preflight request.".to_string(),
            Failure::PreflightNotOk(_) => "It does not have HTTP ok status.".to_string(),
            // Chromium names the header, not the element (the `change` line points at it).
            Failure::InvalidAllowList { header, .. } => format!(
                "Cannot parse {header} response header field in preflight response."
            ),
            Failure::MethodNotAllowed(m) => format!(
                "Method {m} is not allowed by Access-Control-Allow-Methods in preflight response."
            ),
            Failure::HeaderNotAllowed(h) => format!(
                "Request header field {h} is not allowed by Access-Control-Allow-Headers in preflight response."
            ),
        };
        let preflight_check = matches!(
            self,
            Failure::NoAllowOrigin
                | Failure::MultipleAllowOrigin(_)
                | Failure::OriginMismatch(_)
                | Failure::WildcardWithCredentials
                | Failure::CredentialsNotTrue(_)
                | Failure::PreflightRedirect
                | Failure::PreflightNotOk(_)
        );
        if stage == Stage::Preflight && preflight_check {
            format!("Response to preflight request doesn't pass access control check: {core}")
        } else {
            core
        }
    }
}

/// The request as the page makes it: what decides the preflight and the checks.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub origin: String,
    /// Already normalized (see [`normalize_method`]).
    pub method: String,
    pub headers: Vec<(String, String)>,
    /// `credentials: 'include'`.
    pub credentials: bool,
}

impl PageRequest {
    /// `#cors-unsafe-request-header-names`: lowercase, sorted, deduplicated.
    pub fn unsafe_header_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let mut safelisted_total = 0;
        let mut safelisted: Vec<String> = Vec::new();
        for (name, value) in &self.headers {
            let lower = name.to_ascii_lowercase();
            if is_safelisted_request_header(name, value) {
                safelisted_total += value.len();
                safelisted.push(lower);
            } else {
                names.push(lower);
            }
        }
        if safelisted_total > 1024 {
            names.extend(safelisted);
        }
        names.sort();
        names.dedup();
        names
    }

    /// `#http-fetch` step: a preflight is needed for a non-safelisted method or any
    /// CORS-unsafe request-header name.
    pub fn needs_preflight(&self) -> bool {
        !is_safelisted_method(&self.method) || !self.unsafe_header_names().is_empty()
    }
}

/// `#concept-cors-check`.
pub fn cors_check(response: &Response, request: &PageRequest) -> Result<(), Failure> {
    let Some(origin) = response.get("access-control-allow-origin") else {
        return Err(Failure::NoAllowOrigin);
    };
    if !request.credentials && origin == "*" {
        return Ok(());
    }
    if origin != request.origin {
        if response.values("access-control-allow-origin").len() > 1
            || origin.contains(',')
            || origin.trim().contains(' ')
        {
            return Err(Failure::MultipleAllowOrigin(origin.into_owned()));
        }
        if origin == "*" {
            return Err(Failure::WildcardWithCredentials);
        }
        return Err(Failure::OriginMismatch(origin.into_owned()));
    }
    if !request.credentials {
        return Ok(());
    }
    let credentials = response
        .get("access-control-allow-credentials")
        .unwrap_or_default();
    if credentials != "true" {
        return Err(Failure::CredentialsNotTrue(credentials.into_owned()));
    }
    Ok(())
}

/// What a successful preflight grants, for the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Granted {
    /// Seconds the browsers cache the result: (Chromium, Firefox, WebKit).
    pub max_age: (u64, u64, u64),
}

/// `#cors-preflight-fetch-0` steps 6–7 on the preflight's response.
pub fn preflight_check(
    response: &Response,
    request: &PageRequest,
    mode: Mode,
) -> Result<Granted, Failure> {
    if response.is_redirect() {
        return Err(Failure::PreflightRedirect);
    }
    cors_check(response, request)?;
    if !response.is_ok_status() {
        return Err(Failure::PreflightNotOk(response.status));
    }
    let methods_value = response
        .get("access-control-allow-methods")
        .unwrap_or_default();
    let methods = parse_list(&methods_value).map_err(|e| Failure::InvalidAllowList {
        header: "Access-Control-Allow-Methods",
        element: e.to_string(),
    })?;
    let headers_value = response
        .get("access-control-allow-headers")
        .unwrap_or_default();
    let header_names = parse_list(&headers_value).map_err(|e| Failure::InvalidAllowList {
        header: "Access-Control-Allow-Headers",
        element: e.to_string(),
    })?;

    let wildcard_ok = !request.credentials;
    let method_allowed = is_safelisted_method(&request.method)
        || methods.contains(&request.method.as_str())
        || (wildcard_ok && methods.contains(&"*"));
    if !method_allowed {
        return Err(Failure::MethodNotAllowed(request.method.clone()));
    }
    for name in request.unsafe_header_names() {
        let listed = header_names.iter().any(|h| h.eq_ignore_ascii_case(&name));
        let wildcard = wildcard_ok && header_names.contains(&"*");
        let covered_by_wildcard =
            wildcard && (mode == Mode::Browsers || !is_non_wildcard_request_header(&name));
        if !listed && !covered_by_wildcard {
            return Err(Failure::HeaderNotAllowed(name));
        }
    }
    Ok(Granted {
        max_age: max_age(response.get("access-control-max-age").as_deref()),
    })
}

/// Preflight cache lifetimes per engine: (Chromium, Firefox, WebKit), in seconds.
pub const MAX_AGE_CAPS: (u64, u64, u64) = (7200, 86400, 600);
/// `#cors-preflight-cache`: without a valid Max-Age, 5 seconds.
pub const DEFAULT_MAX_AGE: u64 = 5;

/// How long each engine caches a preflight with this Max-Age value.
pub fn max_age(value: Option<&str>) -> (u64, u64, u64) {
    let trimmed = value.map(str::trim);
    let parsed = trimmed.and_then(|v| {
        (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())).then(|| v.parse::<u64>().ok())?
    });
    let (c, f, w) = MAX_AGE_CAPS;
    let negative = trimmed.is_some_and(|v| {
        v.strip_prefix('-')
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    });
    match parsed {
        Some(n) => (n.min(c), n.min(f), n.min(w)),
        // Chromium's ParseAccessControlMaxAge: a negative value means "do not cache".
        None if negative => (0, 0, DEFAULT_MAX_AGE),
        // Firefox caches nothing for an invalid value; Chromium and WebKit use 5 s.
        None if value.is_some() => (DEFAULT_MAX_AGE, 0, DEFAULT_MAX_AGE),
        None => (DEFAULT_MAX_AGE, DEFAULT_MAX_AGE, DEFAULT_MAX_AGE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::{Answer, SentHeader};
    use crate::source::{FileId, Span};

    fn response<'a>(status: u16, headers: &[(&'a str, &'a str)]) -> Response<'a> {
        Response {
            status,
            answer: Answer::Fixed {
                span: Span::new(FileId(0), 0..0),
            },
            headers: headers
                .iter()
                .map(|(n, v)| SentHeader {
                    name: n,
                    value: (*v).into(),
                    op: None,
                    joined: Vec::new(),
                })
                .collect(),
            scope: None,
            unknowns: Vec::new(),
            withheld: Vec::new(),
        }
    }

    fn page(method: &str, headers: &[(&str, &str)], credentials: bool) -> PageRequest {
        PageRequest {
            origin: "https://app.example".into(),
            method: method.into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            credentials,
        }
    }

    #[test]
    fn cors_check_wildcard_only_without_credentials() {
        // #concept-cors-check step 3
        let r = response(200, &[("Access-Control-Allow-Origin", "*")]);
        assert_eq!(cors_check(&r, &page("GET", &[], false)), Ok(()));
        assert_eq!(
            cors_check(&r, &page("GET", &[], true)),
            Err(Failure::WildcardWithCredentials)
        );
    }

    #[test]
    fn cors_check_joins_repeated_allow_origin() {
        // #concept-header-list-get joins with ", "
        let r = response(
            200,
            &[
                ("Access-Control-Allow-Origin", "https://app.example"),
                ("Access-Control-Allow-Origin", "https://app.example"),
            ],
        );
        assert!(matches!(
            cors_check(&r, &page("GET", &[], false)),
            Err(Failure::MultipleAllowOrigin(_))
        ));
    }

    #[test]
    fn credentials_must_be_exactly_true() {
        // #concept-cors-check step 6: byte-exact `true`
        let r = response(
            200,
            &[
                ("Access-Control-Allow-Origin", "https://app.example"),
                ("Access-Control-Allow-Credentials", "True"),
            ],
        );
        assert_eq!(
            cors_check(&r, &page("GET", &[], true)),
            Err(Failure::CredentialsNotTrue("True".into()))
        );
    }

    #[test]
    fn preflight_needs_ok_status_and_listed_methods() {
        // #cors-preflight-fetch-0 step 7
        let req = page("PUT", &[("X-Request-ID", "1")], false);
        assert!(req.needs_preflight());
        let r = response(401, &[("Access-Control-Allow-Origin", "*")]);
        assert_eq!(
            preflight_check(&r, &req, Mode::Browsers),
            Err(Failure::PreflightNotOk(401))
        );
        let r = response(
            204,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "get, put"),
            ],
        );
        assert_eq!(
            preflight_check(&r, &req, Mode::Browsers),
            Err(Failure::MethodNotAllowed("PUT".into()))
        );
        let r = response(
            204,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "PUT"),
            ],
        );
        assert_eq!(
            preflight_check(&r, &req, Mode::Browsers),
            Err(Failure::HeaderNotAllowed("x-request-id".into()))
        );
    }

    #[test]
    fn wildcard_headers_and_authorization() {
        // #cors-non-wildcard-request-header-name: the standard refuses, browsers allow.
        let req = page("GET", &[("Authorization", "Bearer x")], false);
        let r = response(
            204,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Headers", "*"),
            ],
        );
        assert!(preflight_check(&r, &req, Mode::Browsers).is_ok());
        assert_eq!(
            preflight_check(&r, &req, Mode::Standard),
            Err(Failure::HeaderNotAllowed("authorization".into()))
        );
    }

    #[test]
    fn max_age_caps_per_engine() {
        // Chromium kMaxTimeout 2 h, Firefox 24 h, WebKit 600 s.
        assert_eq!(max_age(Some("86400")), (7200, 86400, 600));
        assert_eq!(max_age(None), (5, 5, 5));
        assert_eq!(max_age(Some("-1")), (0, 0, 5));
        assert_eq!(max_age(Some("soon")), (5, 0, 5));
    }
}
