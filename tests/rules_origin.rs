//! Origin-trust rules (origin-reflection, weak-origin-regex, null-origin,
//! insecure-origin-scheme): configurations they must flag, at the exact token and with the
//! severity credentials call for, and correct allowlists they must leave alone.

mod common;

use common::{at, hits, hits_with};
use corslint::settings::Overrides;

fn server(body: &str) -> String {
    format!("server {{\n  listen 80;\n{body}}}\n")
}

// ---- origin-reflection ----------------------------------------------------------------------

#[test]
fn reflection_of_http_origin_is_an_error_with_credentials() {
    let conf = server(
        "  location /api/ {\n    add_header Access-Control-Allow-Origin $http_origin always;\n    add_header Access-Control-Allow-Credentials true always;\n    proxy_pass http://127.0.0.1:8080;\n  }\n",
    );
    let found = hits(&conf, "origin-reflection");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "4:44");
    assert_eq!(found[0].severity, "error");
    assert!(
        found[0].message.contains("unchecked"),
        "{}",
        found[0].message
    );
    assert!(found[0].secondary.contains(&"true".to_string()));
}

#[test]
fn reflection_without_credentials_is_a_warning() {
    let conf = server("  add_header Access-Control-Allow-Origin $http_origin always;\n");
    assert_eq!(at(&conf, "origin-reflection"), vec!["3:42:warning"]);
}

#[test]
fn reflection_with_client_credentials_is_an_error() {
    let conf = server("  add_header Access-Control-Allow-Origin $http_origin always;\n");
    let overrides = Overrides {
        client_credentials: true,
        ..Overrides::default()
    };
    let found = hits_with("nginx.conf", &conf, &overrides, "origin-reflection");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, "error");
}

#[test]
fn reflection_in_all_quoting_variants() {
    for (value, col) in [
        ("$http_origin", 42),
        ("\"$http_origin\"", 43),
        ("'${http_origin}'", 43),
    ] {
        let conf = server(&format!(
            "  add_header Access-Control-Allow-Origin {value} always;\n"
        ));
        assert_eq!(
            at(&conf, "origin-reflection"),
            vec![format!("3:{col}:warning")],
            "{value}"
        );
    }
}

#[test]
fn reflection_through_set_shows_where_the_origin_flows_from() {
    let conf = server(
        "  location / {\n    set $cors $http_origin;\n    add_header Access-Control-Allow-Origin $cors always;\n  }\n",
    );
    let found = hits(&conf, "origin-reflection");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "5:44");
    assert!(
        found[0].secondary.contains(&"$http_origin".to_string()),
        "{:?}",
        found[0].secondary
    );
}

#[test]
fn reflection_inherited_by_locations_is_reported_once_where_it_is_written() {
    let conf = server(
        "  add_header Access-Control-Allow-Origin $http_origin always;\n  location /a/ { root /srv; }\n  location /b/ { root /srv; }\n",
    );
    assert_eq!(at(&conf, "origin-reflection"), vec!["3:42:warning"]);
}

#[test]
fn map_default_that_passes_the_origin_through_is_reflection() {
    let conf = format!(
        "map $http_origin $cors {{\n  default $http_origin;\n  \"~\\.internal$\" \"\";\n}}\n{}",
        server("  add_header Access-Control-Allow-Origin $cors always;\n")
    );
    let found = hits(&conf, "origin-reflection");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "7:42");
    assert!(found[0].message.contains("default"), "{}", found[0].message);
    assert!(found[0].secondary.contains(&"$http_origin".to_string()));
}

#[test]
fn allowlist_regexes_that_admit_any_origin_are_reflection() {
    for key in ["~.*", "~^https?://", "~*^https://.+$"] {
        let conf = format!(
            "map $http_origin $cors {{\n  default \"\";\n  \"{key}\" $http_origin;\n}}\n{}",
            server("  add_header Access-Control-Allow-Origin $cors always;\n")
        );
        assert_eq!(
            at(&conf, "origin-reflection"),
            vec!["7:42:warning"],
            "{key}"
        );
        assert!(at(&conf, "weak-origin-regex").is_empty(), "{key}");
    }
    let conf = server(
        "  location / {\n    if ($http_origin ~* \"^https?://\") {\n      add_header Access-Control-Allow-Origin $http_origin always;\n    }\n  }\n",
    );
    assert_eq!(at(&conf, "origin-reflection"), vec!["5:46:warning"]);
}

#[test]
fn an_origin_header_test_for_presence_is_no_allowlist() {
    let conf = server(
        "  location / {\n    if ($http_origin) {\n      add_header Access-Control-Allow-Origin $http_origin always;\n    }\n  }\n",
    );
    assert_eq!(at(&conf, "origin-reflection"), vec!["5:46:warning"]);
}

#[test]
fn exact_and_anchored_allowlists_are_not_reflection() {
    let map = "map $http_origin $cors {\n  default \"\";\n  \"https://app.example.com\" $http_origin;\n  \"~^https://(www\\.)?example\\.com$\" $http_origin;\n  \"~*^https://[a-z0-9-]+\\.example\\.org$\" $http_origin;\n}\n";
    let conf = format!(
        "{map}{}",
        server(
            "  add_header Access-Control-Allow-Origin $cors always;\n  add_header Access-Control-Allow-Credentials true always;\n"
        )
    );
    for rule in [
        "origin-reflection",
        "weak-origin-regex",
        "null-origin",
        "insecure-origin-scheme",
    ] {
        assert!(at(&conf, rule).is_empty(), "{rule}");
    }
    // `if` with an exact test around the header, and `if` + `set`.
    let conf = server(
        "  location / {\n    if ($http_origin = \"https://app.example.com\") {\n      add_header Access-Control-Allow-Origin $http_origin always;\n    }\n  }\n  location /b/ {\n    if ($http_origin ~* \"^https://app\\.example\\.com$\") {\n      set $cors $http_origin;\n    }\n    add_header Access-Control-Allow-Origin $cors always;\n  }\n",
    );
    assert!(at(&conf, "origin-reflection").is_empty());
    assert!(at(&conf, "weak-origin-regex").is_empty());
}

#[test]
fn refusing_other_origins_first_is_an_allowlist() {
    let conf = server(
        "  location / {\n    if ($http_origin !~ \"^https://app\\.example\\.com$\") {\n      return 403;\n    }\n    add_header Access-Control-Allow-Origin $http_origin always;\n    proxy_hide_header Access-Control-Allow-Origin;\n    proxy_pass http://127.0.0.1:8080;\n  }\n",
    );
    assert!(at(&conf, "origin-reflection").is_empty());
    assert!(at(&conf, "weak-origin-regex").is_empty());
    // The same check without `$` lets attackers through.
    let weak = conf.replace("\\.com$\"", "\\.com\"");
    assert_eq!(at(&weak, "weak-origin-regex"), vec!["4:26:warning"]);
    assert!(at(&weak, "origin-reflection").is_empty());
}

#[test]
fn a_condition_corslint_cannot_evaluate_may_be_the_allowlist() {
    let conf = format!(
        "map $http_origin $allowed {{\n  default 0;\n  \"https://app.example.com\" 1;\n}}\n{}",
        server(
            "  location / {\n    if ($allowed) {\n      add_header Access-Control-Allow-Origin $http_origin always;\n    }\n  }\n"
        )
    );
    assert!(at(&conf, "origin-reflection").is_empty());
}

#[test]
fn http_origin_used_elsewhere_is_not_reflection() {
    let conf = server(
        "  location / {\n    proxy_set_header Origin $http_origin;\n    add_header X-Seen-Origin $http_origin;\n    add_header Access-Control-Allow-Origin https://app.example.com always;\n    proxy_pass http://127.0.0.1:8080;\n  }\n",
    );
    assert!(at(&conf, "origin-reflection").is_empty());
}

#[test]
fn vercel_has_capture_of_any_origin_is_reflection() {
    let text = r#"{
  "headers": [
    {
      "source": "/api/(.*)",
      "has": [{ "type": "header", "key": "origin", "value": "(?<origin>.*)" }],
      "headers": [
        { "key": "Access-Control-Allow-Origin", "value": ":origin" },
        { "key": "Access-Control-Allow-Credentials", "value": "true" }
      ]
    }
  ]
}
"#;
    let found = hits_with(
        "vercel.json",
        text,
        &Overrides::default(),
        "origin-reflection",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "7:59");
    assert_eq!(found[0].severity, "error");
}

// ---- weak-origin-regex ----------------------------------------------------------------------

fn map_conf(key: &str, credentials: bool) -> String {
    let acac = if credentials {
        "  add_header Access-Control-Allow-Credentials true always;\n"
    } else {
        ""
    };
    format!(
        "map $http_origin $cors {{\n  default \"\";\n  \"{key}\" $http_origin;\n}}\n{}",
        server(&format!(
            "  add_header Access-Control-Allow-Origin $cors always;\n{acac}"
        ))
    )
}

#[test]
fn weak_regexes_name_the_attack_origin() {
    for (key, attack, why) in [
        (
            r"~^https://app\.example\.com",
            "https://app.example.com.evil.net",
            "no `$`",
        ),
        (r"~example\.com$", "https://evilexample.com", "pins it down"),
        (
            r"~^https://app.example.com$",
            "https://appxexample.com",
            "not escaped",
        ),
        (
            r"~app\.example\.com",
            "https://evilapp.example.com.evil.net",
            "neither `^` nor `$`",
        ),
    ] {
        let conf = map_conf(key, true);
        let found = hits(&conf, "weak-origin-regex");
        assert_eq!(found.len(), 1, "{key}");
        // The pattern token itself, after `"~`.
        assert_eq!(found[0].at, "3:5", "{key}");
        assert_eq!(found[0].severity, "error", "{key}");
        assert!(
            found[0].message.contains(&format!("admits `{attack}`")),
            "{key}: {}",
            found[0].message
        );
        assert!(
            found[0].message.contains(why),
            "{key}: {}",
            found[0].message
        );
        assert!(found[0].message.contains("an attacker can register"));
        assert!(found[0].secondary.contains(&"$cors".to_string()));
    }
}

#[test]
fn weak_regex_without_credentials_is_a_warning() {
    let conf = map_conf(r"~^https://app\.example\.com", false);
    assert_eq!(at(&conf, "weak-origin-regex"), vec!["3:5:warning"]);
}

#[test]
fn weak_regex_in_an_if_that_sets_the_variable() {
    let conf = server(
        "  location / {\n    if ($http_origin ~* \"^https://(www\\.)?example\\.com\") {\n      set $cors $http_origin;\n    }\n    add_header Access-Control-Allow-Origin $cors always;\n  }\n",
    );
    let found = hits(&conf, "weak-origin-regex");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "4:26");
    assert!(
        found[0].message.contains(".evil.net`"),
        "{}",
        found[0].message
    );
}

#[test]
fn weak_regex_in_an_if_around_the_header() {
    let conf = server(
        "  location / {\n    if ($http_origin ~ \"example\\.com$\") {\n      add_header Access-Control-Allow-Origin $http_origin always;\n      add_header Access-Control-Allow-Credentials true always;\n    }\n  }\n",
    );
    let found = hits(&conf, "weak-origin-regex");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "4:25");
    assert_eq!(found[0].severity, "error");
    assert!(found[0].message.contains("https://evilexample.com"));
}

#[test]
fn weak_regex_behind_a_flag_variable() {
    // The classic `set $cors "true"` / `if ($cors = "true")` pattern.
    let conf = server(
        "  location / {\n    if ($http_origin ~* \"^https://(app|admin)\\.example\\.com\") {\n      set $cors \"true\";\n    }\n    if ($cors = \"true\") {\n      add_header Access-Control-Allow-Origin $http_origin always;\n      add_header Access-Control-Allow-Credentials true always;\n    }\n    proxy_hide_header Access-Control-Allow-Origin;\n    proxy_pass http://127.0.0.1:8080;\n  }\n",
    );
    let found = hits(&conf, "weak-origin-regex");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, "error");
    assert!(
        found[0]
            .message
            .contains("`^https://(app|admin)\\.example\\.com` (tested at `($cors = \"true\")`)"),
        "{}",
        found[0].message
    );
    assert!(
        found[0]
            .message
            .contains("https://app.example.com.evil.net")
    );
    // The same with `$`: an allowlist.
    let strict = conf.replace("\\.com\")", "\\.com$\")");
    assert!(at(&strict, "weak-origin-regex").is_empty());
    assert!(at(&strict, "origin-reflection").is_empty());
}

#[test]
fn strict_regexes_are_not_weak() {
    for key in [
        r"~^https://app\.example\.com$",
        r"~*^https://app\.example\.com$",
        r"~^https://(www|app)\.example\.com$",
        r"~^https://app\.example\.com(:[0-9]+)?$",
        r"~^https://[a-z0-9-]+\.example\.com$",
    ] {
        let conf = map_conf(key, true);
        assert!(at(&conf, "weak-origin-regex").is_empty(), "{key}");
        assert!(at(&conf, "origin-reflection").is_empty(), "{key}");
    }
}

#[test]
fn a_weak_regex_that_denies_is_not_an_allowlist() {
    let conf = format!(
        "map $http_origin $cors {{\n  default \"\";\n  \"~evil\" \"\";\n  \"https://app.example.com\" $http_origin;\n}}\n{}",
        server("  add_header Access-Control-Allow-Origin $cors always;\n")
    );
    assert!(at(&conf, "weak-origin-regex").is_empty());
}

#[test]
fn scheme_downgrade_is_left_to_insecure_origin_scheme() {
    let conf = map_conf(r"~^https?://app\.example\.com$", false);
    assert!(at(&conf, "weak-origin-regex").is_empty());
    assert_eq!(at(&conf, "insecure-origin-scheme"), vec!["3:5:warning"]);
}

#[test]
fn unanalysable_regex_is_an_info_that_says_why() {
    let conf = map_conf(r"~^https://(?!evil)[a-z]+\.example\.com$", false);
    let found = hits(&conf, "weak-origin-regex");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, "info");
    assert!(
        found[0].message.contains("not analysed"),
        "{}",
        found[0].message
    );
    assert!(
        found[0].message.contains("lookahead"),
        "{}",
        found[0].message
    );
}

#[test]
fn vercel_has_value_is_analysed_unanchored() {
    let text = r#"{
  "headers": [
    {
      "source": "/api/(.*)",
      "has": [{ "type": "header", "key": "origin", "value": "(?<origin>https://app\\.example\\.com)" }],
      "headers": [{ "key": "Access-Control-Allow-Origin", "value": ":origin" }]
    }
  ]
}
"#;
    let found = hits_with(
        "vercel.json",
        text,
        &Overrides::default(),
        "weak-origin-regex",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "5:62");
    assert!(
        found[0]
            .message
            .contains("https://app.example.com.evil.net")
    );
}

// ---- null-origin ----------------------------------------------------------------------------

#[test]
fn literal_null_is_flagged_in_all_quoting_variants() {
    for (value, col) in [("null", 42), ("\"null\"", 43), ("'null'", 43)] {
        let conf = server(&format!(
            "  add_header Access-Control-Allow-Origin {value} always;\n"
        ));
        assert_eq!(
            at(&conf, "null-origin"),
            vec![format!("3:{col}:warning")],
            "{value}"
        );
    }
    let conf = server(
        "  add_header Access-Control-Allow-Origin null always;\n  add_header Access-Control-Allow-Credentials true always;\n",
    );
    assert_eq!(at(&conf, "null-origin"), vec!["3:42:error"]);
}

#[test]
fn null_in_an_allowlist_is_flagged_on_the_entry() {
    let conf = format!(
        "map $http_origin $cors {{\n  default \"\";\n  \"https://app.example.com\" $http_origin;\n  \"null\" $http_origin;\n}}\n{}",
        server("  add_header Access-Control-Allow-Origin $cors always;\n")
    );
    let found = hits(&conf, "null-origin");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "4:4");
    assert!(found[0].secondary.contains(&"$cors".to_string()));

    let conf = map_conf(r"~^(https://app\.example\.com|null)$", true);
    assert_eq!(at(&conf, "null-origin"), vec!["3:5:error"]);

    let conf = server(
        "  location / {\n    if ($http_origin = \"null\") {\n      add_header Access-Control-Allow-Origin $http_origin always;\n    }\n  }\n",
    );
    assert_eq!(at(&conf, "null-origin").len(), 1);
}

#[test]
fn null_origin_leaves_real_origins_and_plain_reflection_alone() {
    let conf = map_conf("https://app.example.com", true);
    assert!(at(&conf, "null-origin").is_empty());
    // Unchecked reflection admits null too, but that is origin-reflection's finding.
    let conf = server("  add_header Access-Control-Allow-Origin $http_origin always;\n");
    assert!(at(&conf, "null-origin").is_empty());
    assert_eq!(at(&conf, "origin-reflection").len(), 1);
}

#[test]
fn null_origin_on_netlify() {
    let found = hits_with(
        "_headers",
        "/api/*\n  Access-Control-Allow-Origin: null\n",
        &Overrides::default(),
        "null-origin",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "2:32");
}

// ---- insecure-origin-scheme -----------------------------------------------------------------

#[test]
fn literal_http_origin_is_flagged() {
    let conf = server("  add_header Access-Control-Allow-Origin http://app.example.com always;\n");
    let found = hits(&conf, "insecure-origin-scheme");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "3:42");
    assert_eq!(found[0].severity, "warning");
    assert!(found[0].message.contains("plain-http"));
}

#[test]
fn insecure_origin_with_credentials_is_an_error() {
    let conf = server(
        "  add_header Access-Control-Allow-Origin \"http://app.example.com\" always;\n  add_header Access-Control-Allow-Credentials true always;\n",
    );
    assert_eq!(at(&conf, "insecure-origin-scheme"), vec!["3:43:error"]);
}

#[test]
fn development_origins_are_not_flagged() {
    for origin in [
        "http://localhost",
        "http://localhost:3000",
        "http://127.0.0.1:8080",
        "http://[::1]:5173",
        "http://app.localhost:3000",
    ] {
        let conf = server(&format!(
            "  add_header Access-Control-Allow-Origin {origin} always;\n"
        ));
        assert!(at(&conf, "insecure-origin-scheme").is_empty(), "{origin}");
    }
    let conf = map_conf(r"~^http://localhost(:[0-9]+)?$", false);
    assert!(at(&conf, "insecure-origin-scheme").is_empty());
    let conf = map_conf(r"~^https?://(localhost|127\.0\.0\.1)(:[0-9]+)?$", false);
    assert!(at(&conf, "insecure-origin-scheme").is_empty());
}

#[test]
fn allowlists_that_trust_http_are_flagged() {
    // An exact entry.
    let conf = map_conf("http://app.example.com", false);
    let found = hits(&conf, "insecure-origin-scheme");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "3:4");
    // `https?://`: the http twin of the trusted origin, named.
    let conf = map_conf(r"~^https?://app\.example\.com$", true);
    let found = hits(&conf, "insecure-origin-scheme");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, "error");
    assert!(
        found[0].message.contains("`http://app.example.com`"),
        "{}",
        found[0].message
    );
    // A regex for an http origin.
    let conf = map_conf(r"~^http://legacy\.example\.com$", false);
    assert_eq!(at(&conf, "insecure-origin-scheme"), vec!["3:5:warning"]);
}

#[test]
fn https_origins_are_not_flagged() {
    let conf = server("  add_header Access-Control-Allow-Origin https://app.example.com always;\n");
    assert!(at(&conf, "insecure-origin-scheme").is_empty());
    let conf = map_conf(r"~^https://app\.example\.com$", true);
    assert!(at(&conf, "insecure-origin-scheme").is_empty());
}

#[test]
fn insecure_origin_on_vercel() {
    let text = r#"{"headers": [{"source": "/(.*)", "headers": [
  {"key": "Access-Control-Allow-Origin", "value": "http://app.example.com"}]}]}
"#;
    let found = hits_with(
        "vercel.json",
        text,
        &Overrides::default(),
        "insecure-origin-scheme",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "2:52");
}
