//! firebase.json through the whole linter: which rules fire, at which line and column.

mod common;

use common::{findings_as, of};
use corslint::settings::Overrides;

fn findings(text: &str) -> Vec<String> {
    findings_as("firebase.json", text, &Overrides::default())
}

fn findings_with(text: &str, overrides: &Overrides) -> Vec<String> {
    findings_as("firebase.json", text, overrides)
}

#[test]
fn wildcard_with_credentials_across_two_overlapping_rules() {
    let text = r#"{
  "hosting": {
    "public": "public",
    "headers": [
      { "source": "**", "headers": [{ "key": "Access-Control-Allow-Origin", "value": "*" }] },
      { "source": "/api/**", "headers": [{ "key": "Access-Control-Allow-Credentials", "value": "true" }] }
    ]
  }
}"#;
    let all = findings(text);
    assert_eq!(
        of("wildcard-with-credentials", &all),
        vec!["wildcard-with-credentials@5:87"],
        "{all:?}"
    );
}

const API_CORS: &str = r#"
      {
        "source": "/api/**",
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
  "hosting": {{
    "public": "public",
    "redirects": [
      {{ "source": "/api/v1/:rest*", "destination": "/api/v2/:rest*", "type": 301 }}
    ],
    "headers": [{API_CORS}
    ]
  }}
}}"#
    );
    let all = findings(&text);
    assert_eq!(
        of("redirect-on-preflight", &all),
        vec!["redirect-on-preflight@5:7"],
        "{all:?}"
    );
}

#[test]
fn redirect_elsewhere_is_fine_and_static_options_is_ok() {
    let text = format!(
        r#"{{
  "hosting": {{
    "public": "public",
    "redirects": [{{ "source": "/old", "destination": "/new" }}],
    "headers": [{API_CORS}
    ]
  }}
}}"#
    );
    let all = findings(&text);
    assert!(all.is_empty(), "{all:?}");
}

#[test]
fn missing_max_age_on_the_allow_methods_name() {
    let text = r#"{
  "hosting": {
    "headers": [
      {
        "source": "/api/**",
        "headers": [
          { "key": "Access-Control-Allow-Origin", "value": "https://app.example.com" },
          { "key": "Access-Control-Allow-Methods", "value": "GET, POST" }
        ]
      }
    ]
  }
}"#;
    let all = findings(text);
    assert_eq!(
        of("missing-max-age", &all),
        vec!["missing-max-age@8:21"],
        "{all:?}"
    );
}

#[test]
fn unlisted_request_header_from_client_settings() {
    let text = format!("{{\n  \"hosting\": {{\n    \"headers\": [{API_CORS}\n    ]\n  }}\n}}");
    let overrides = Overrides {
        client_headers: vec!["Authorization".into()],
        ..Default::default()
    };
    let all = findings_with(&text, &overrides);
    assert_eq!(
        of("unlisted-request-header", &all),
        vec!["unlisted-request-header@9:62"],
        "{all:?}"
    );
}

#[test]
fn comments_are_accepted_trailing_commas_are_not() {
    let text = "{\n  // hosting\n  \"hosting\": { \"public\": \"p\" /* dir */ }\n}\n";
    assert!(findings(text).is_empty());
    let text = "{\n  \"hosting\": { \"public\": \"p\", }\n}\n";
    assert_eq!(findings(text), vec!["invalid-syntax@2:29"]);
}

#[test]
fn empty_file_is_a_syntax_error_and_empty_object_is_clean() {
    let all = findings("");
    assert_eq!(all, vec!["invalid-syntax@1:1"]);
    assert!(findings("{}").is_empty());
}

#[test]
fn platform_rejections_are_invalid_config() {
    // headers inside a rewrite, reported on the key.
    let text = r#"{
  "hosting": {
    "rewrites": [
      { "source": "/api/**", "function": "api", "headers": [] }
    ]
  }
}"#;
    assert_eq!(
        of("invalid-config", &findings(text)),
        vec!["invalid-config@4:49"]
    );
    // An array item without site or target.
    let text = r#"{"hosting": [{"public": "a"}, {"target": "b", "public": "b"}]}"#;
    assert_eq!(
        of("invalid-config", &findings(text)),
        vec!["invalid-config@1:14"]
    );
    // Two patterns, or none.
    let text = r#"{"hosting": {"headers": [{"source": "/a", "regex": "^/a$", "headers": []}, {"headers": []}]}}"#;
    assert_eq!(of("invalid-config", &findings(text)).len(), 2);
    // A redirect type that is not a redirect status.
    let text =
        r#"{"hosting": {"redirects": [{"source": "/a", "destination": "/b", "type": 200}]}}"#;
    assert_eq!(of("invalid-config", &findings(text)).len(), 1);
}

#[test]
fn two_sites_are_linted_separately() {
    let text = r#"{
  "hosting": [
    {
      "target": "app",
      "headers": [{ "source": "**", "headers": [{ "key": "Access-Control-Allow-Origin", "value": "*" }] }]
    },
    {
      "target": "api",
      "headers": [{ "source": "**", "headers": [{ "key": "Access-Control-Allow-Credentials", "value": "true" }] }]
    }
  ]
}"#;
    // `*` and credentials are on different sites: no response carries both.
    let all = findings(text);
    assert!(of("wildcard-with-credentials", &all).is_empty(), "{all:?}");
}
