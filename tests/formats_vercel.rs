//! vercel.json through the whole linter: which rules fire, at which line and column.

mod common;

use common::{findings_as, of};
use corslint::settings::Overrides;

fn findings(text: &str) -> Vec<String> {
    findings_as("vercel.json", text, &Overrides::default())
}

fn findings_with(text: &str, overrides: &Overrides) -> Vec<String> {
    findings_as("vercel.json", text, overrides)
}

const OVERLAPPING_WILDCARD: &str = r#"{
  "headers": [
    {
      "source": "/(.*)",
      "headers": [{ "key": "Access-Control-Allow-Origin", "value": "*" }]
    },
    {
      "source": "/api/(.*)",
      "headers": [{ "key": "Access-Control-Allow-Credentials", "value": "true" }]
    }
  ]
}
"#;

#[test]
fn wildcard_with_credentials_across_two_overlapping_rules() {
    let all = findings(OVERLAPPING_WILDCARD);
    // The `*` itself: line 5, inside the quotes.
    assert_eq!(
        of("wildcard-with-credentials", &all),
        vec!["wildcard-with-credentials@5:69"],
        "{all:?}"
    );
}

#[test]
fn wildcard_without_credentials_is_fine() {
    let text = r#"{
  "headers": [
    { "source": "/fonts/(.*)", "headers": [{ "key": "Access-Control-Allow-Origin", "value": "*" }] }
  ]
}"#;
    let all = findings(text);
    assert!(of("wildcard-with-credentials", &all).is_empty(), "{all:?}");
    assert!(of("invalid-config", &all).is_empty(), "{all:?}");
}

const API_CORS: &str = r#"
    {
      "source": "/api/(.*)",
      "headers": [
        { "key": "Access-Control-Allow-Origin", "value": "https://app.example.com" },
        { "key": "Access-Control-Allow-Methods", "value": "GET, POST, PUT" },
        { "key": "Access-Control-Allow-Headers", "value": "Content-Type" },
        { "key": "Access-Control-Max-Age", "value": "7200" }
      ]
    }"#;

#[test]
fn redirect_overlapping_cors_headers_fires_on_preflight() {
    let text = format!(
        r#"{{
  "redirects": [
    {{ "source": "/api/v1/:path*", "destination": "/api/v2/:path*" }}
  ],
  "headers": [{API_CORS}
  ]
}}"#
    );
    let all = findings(&text);
    assert_eq!(
        of("redirect-on-preflight", &all),
        vec!["redirect-on-preflight@3:5"],
        "{all:?}"
    );
}

#[test]
fn redirect_elsewhere_is_fine() {
    let text = format!(
        r#"{{
  "redirects": [
    {{ "source": "/blog/:slug", "destination": "/news/:slug", "permanent": false }}
  ],
  "headers": [{API_CORS}
  ]
}}"#
    );
    let all = findings(&text);
    assert!(of("redirect-on-preflight", &all).is_empty(), "{all:?}");
    assert!(all.is_empty(), "{all:?}");
}

#[test]
fn trailing_slash_true_redirects_the_preflight() {
    let text = format!(
        r#"{{
  "trailingSlash": true,
  "headers": [{API_CORS}
  ]
}}"#
    );
    let all = findings(&text);
    // Reported on `"trailingSlash": true`.
    assert_eq!(
        of("redirect-on-preflight", &all),
        vec!["redirect-on-preflight@2:3"],
        "{all:?}"
    );
}

#[test]
fn trailing_slash_false_leaves_paths_without_slash_alone() {
    let text = r#"{
  "trailingSlash": false,
  "headers": [
    {
      "source": "/api/:path*",
      "headers": [
        { "key": "Access-Control-Allow-Origin", "value": "https://app.example.com" },
        { "key": "Access-Control-Allow-Methods", "value": "GET, POST, PUT" },
        { "key": "Access-Control-Max-Age", "value": "7200" }
      ]
    }
  ]
}"#;
    let all = findings(text);
    assert!(of("redirect-on-preflight", &all).is_empty(), "{all:?}");
}

#[test]
fn clean_urls_redirects_html_paths_that_serve_cors() {
    let text = r#"{
  "cleanUrls": true,
  "headers": [
    {
      "source": "/data/(.*)",
      "headers": [{ "key": "Access-Control-Allow-Origin", "value": "*" }]
    }
  ]
}"#;
    let all = findings(text);
    assert_eq!(
        of("redirect-on-preflight", &all),
        vec!["redirect-on-preflight@2:3"],
        "{all:?}"
    );
}

#[test]
fn missing_max_age_on_the_allow_methods_name() {
    let text = r#"{
  "headers": [
    {
      "source": "/api/(.*)",
      "headers": [
        { "key": "Access-Control-Allow-Origin", "value": "https://app.example.com" },
        { "key": "Access-Control-Allow-Methods", "value": "GET, POST, PUT" }
      ]
    }
  ]
}"#;
    let all = findings(text);
    assert_eq!(
        of("missing-max-age", &all),
        vec!["missing-max-age@7:19"],
        "{all:?}"
    );
    let fixed = format!("{{\n  \"headers\": [{API_CORS}\n  ]\n}}");
    assert!(of("missing-max-age", &findings(&fixed)).is_empty());
}

#[test]
fn unlisted_request_header_from_client_settings() {
    let text = format!("{{\n  \"headers\": [{API_CORS}\n  ]\n}}");
    let overrides = Overrides {
        client_headers: vec!["X-Request-ID".into()],
        ..Default::default()
    };
    let all = findings_with(&text, &overrides);
    // The Allow-Headers value `Content-Type` (line 8 of the text).
    assert_eq!(
        of("unlisted-request-header", &all),
        vec!["unlisted-request-header@8:60"],
        "{all:?}"
    );
    let listed = text.replace("\"Content-Type\"", "\"Content-Type, X-Request-ID\"");
    assert!(
        of(
            "unlisted-request-header",
            &findings_with(&listed, &overrides)
        )
        .is_empty()
    );
}

#[test]
fn invalid_syntax_at_the_exact_position() {
    let text = "{\n  \"headers\": [\n    { \"source\": \"/(.*)\", \"headers\": [] },\n  ]\n}\n";
    let all = findings(text);
    assert_eq!(all, vec!["invalid-syntax@3:41"], "{all:?}");
    let comment = "{\n  // CORS\n  \"headers\": []\n}\n";
    assert_eq!(findings(comment), vec!["invalid-syntax@2:3"]);
}

#[test]
fn empty_vercel_json_is_a_syntax_error_and_empty_object_is_clean() {
    assert_eq!(findings(""), vec!["invalid-syntax@1:1"]);
    assert!(findings("{}").is_empty());
    assert!(findings("{}\n").is_empty());
}

#[test]
fn bare_star_in_source_is_invalid_config_at_the_star() {
    let text = r#"{
  "headers": [
    { "source": "/api/*", "headers": [{ "key": "Access-Control-Allow-Origin", "value": "*" }] }
  ]
}"#;
    let all = findings(text);
    assert_eq!(
        of("invalid-config", &all),
        vec!["invalid-config@3:23"],
        "{all:?}"
    );
}

#[test]
fn platform_rejections_are_invalid_config() {
    // permanent and statusCode together.
    let both = r#"{"redirects": [{"source": "/a", "destination": "/b", "permanent": true, "statusCode": 301}]}"#;
    assert_eq!(of("invalid-config", &findings(both)).len(), 1);
    // A header value that is not a string.
    let number = r#"{"headers": [{"source": "/a", "headers": [{"key": "X", "value": 1}]}]}"#;
    assert_eq!(
        of("invalid-config", &findings(number)),
        vec!["invalid-config@1:65"]
    );
    // Booleans that are not booleans.
    for key in ["cleanUrls", "trailingSlash"] {
        let text = format!("{{\"{key}\": \"nope\"}}");
        assert_eq!(of("invalid-config", &findings(&text)).len(), 1, "{key}");
    }
    // statusCode that is not a number.
    let status = r#"{"redirects": [{"source": "/a", "destination": "/b", "statusCode": "ok"}]}"#;
    assert_eq!(of("invalid-config", &findings(status)).len(), 1);
    // routes with headers.
    let mixed = r#"{"routes": [{"src": "/a"}], "headers": []}"#;
    assert_eq!(
        of("invalid-config", &findings(mixed)),
        vec!["invalid-config@1:2"]
    );
}

#[test]
fn legacy_routes_answer_options_with_their_headers() {
    // Vercel's own `test-cors-routes` fixture: headers on every path, OPTIONS → 204.
    let text = r#"{
  "routes": [
    {
      "src": "/(.*)",
      "headers": {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, POST, PUT"
      },
      "continue": true
    },
    { "src": "/(.*)", "status": 204, "methods": ["OPTIONS"] }
  ]
}"#;
    let all = findings(text);
    // The preflight gets 204 with the CORS headers: only Max-Age is missing.
    assert_eq!(of("missing-max-age", &all).len(), 1, "{all:?}");
    assert!(of("preflight-not-ok", &all).is_empty(), "{all:?}");
    assert!(of("invalid-config", &all).is_empty(), "{all:?}");
}
