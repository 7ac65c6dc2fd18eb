//! Header-validity rules (invalid-allow-origin, invalid-allow-credentials,
//! duplicate-allow-origin, wildcard-list-with-credentials, authorization-not-covered,
//! invalid-allow-list, lowercase-method, max-age-out-of-range, useless-allow-entry): values
//! they must flag, at the exact token and severity, and valid ones they must leave alone.

mod common;

use common::{at, hits, hits_with};
use corslint::settings::Overrides;

/// A server with one `add_header NAME VALUE always;` on line 3; the value starts at column
/// [`col`]`(NAME)`.
fn one_header(name: &str, value: &str) -> String {
    format!("server {{\n  listen 80;\n  add_header {name} {value} always;\n}}\n")
}

fn col(name: &str) -> usize {
    15 + name.len()
}

// ---- invalid-allow-origin -------------------------------------------------------------------

const ACAO: &str = "Access-Control-Allow-Origin";

#[test]
fn origins_that_can_never_match() {
    for (value, shift, reason) in [
        (
            "\"https://a.example.com, https://b.example.com\"",
            1,
            "multiple values",
        ),
        (
            "\"https://a.example.com https://b.example.com\"",
            1,
            "multiple values",
        ),
        ("https://app.example.com/", 0, "trailing slash"),
        ("https://app.example.com/api", 0, "path"),
        ("https://*.example.com", 0, "wildcard"),
        ("'\"https://app.example.com\"'", 1, "quoted"),
        ("https://App.example.com", 0, "uppercase"),
        ("https://app.example.com:443", 0, "default port"),
        ("app.example.com", 0, "scheme"),
        ("none", 0, "scheme"),
    ] {
        let conf = one_header(ACAO, value);
        let found = hits(&conf, "invalid-allow-origin");
        assert_eq!(found.len(), 1, "{value}");
        assert_eq!(found[0].at, format!("3:{}", col(ACAO) + shift), "{value}");
        assert_eq!(found[0].severity, "error");
        assert!(
            found[0].message.contains(reason),
            "{value}: {}",
            found[0].message
        );
    }
}

#[test]
fn valid_origin_values_are_not_flagged() {
    for value in [
        "*",
        "null",
        "https://app.example.com",
        "\"https://app.example.com\"",
        "https://app.example.com:8443",
        "http://localhost:3000",
        "$http_origin",
    ] {
        let conf = one_header(ACAO, value);
        assert!(at(&conf, "invalid-allow-origin").is_empty(), "{value}");
    }
}

#[test]
fn invalid_origin_in_a_map_value_is_shown_in_the_entry() {
    let conf = "map $http_origin $cors {\n  default \"\";\n  \"~^https://app\\.example\\.com$\" \"https://app.example.com/\";\n}\nserver {\n  add_header Access-Control-Allow-Origin $cors always;\n}\n";
    let found = hits(conf, "invalid-allow-origin");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "3:35");
    assert!(found[0].message.contains("trailing slash"));
}

#[test]
fn invalid_origin_on_netlify_and_vercel() {
    let found = hits_with(
        "_headers",
        "/api/*\n  Access-Control-Allow-Origin: https://a.example.com, https://b.example.com\n",
        &Overrides::default(),
        "invalid-allow-origin",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "2:32");
    let vercel = r#"{"headers": [{"source": "/(.*)", "headers": [
  {"key": "Access-Control-Allow-Origin", "value": "https://app.example.com/"}]}]}
"#;
    let found = hits_with(
        "vercel.json",
        vercel,
        &Overrides::default(),
        "invalid-allow-origin",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "2:52");
}

// ---- invalid-allow-credentials --------------------------------------------------------------

const ACAC: &str = "Access-Control-Allow-Credentials";

#[test]
fn credentials_values_other_than_true() {
    for (value, shift, severity) in [
        ("True", 0, "error"),
        ("TRUE", 0, "error"),
        ("'\"true\"'", 1, "error"),
        ("1", 0, "error"),
        ("yes", 0, "error"),
        ("false", 0, "info"),
        ("\"False\"", 1, "info"),
    ] {
        let conf = one_header(ACAC, value);
        assert_eq!(
            at(&conf, "invalid-allow-credentials"),
            vec![format!("3:{}:{severity}", col(ACAC) + shift)],
            "{value}"
        );
    }
}

#[test]
fn true_in_any_nginx_quoting_is_fine() {
    for value in ["true", "\"true\"", "'true'", "\" true\""] {
        let conf = one_header(ACAC, value);
        assert!(at(&conf, "invalid-allow-credentials").is_empty(), "{value}");
    }
}

#[test]
fn credentials_message_quotes_chromium() {
    let found = hits(&one_header(ACAC, "True"), "invalid-allow-credentials");
    assert!(found[0].message.contains("which must be 'true'"));
}

// ---- duplicate-allow-origin -----------------------------------------------------------------

#[test]
fn two_add_headers_on_one_response() {
    let conf = "server {\n  location /api/ {\n    add_header Access-Control-Allow-Origin https://a.example.com always;\n    add_header Access-Control-Allow-Origin https://b.example.com always;\n    root /srv;\n  }\n}\n";
    let found = hits(conf, "duplicate-allow-origin");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "4:44");
    assert_eq!(found[0].severity, "error");
    assert_eq!(
        found[0].secondary,
        vec!["https://a.example.com".to_string()]
    );
    assert!(found[0].message.contains("multiple values"));
}

#[test]
fn duplicates_inside_an_if_branch_the_probes_do_not_enter() {
    let conf = "server {\n  location /api/ {\n    if ($http_x_debug) {\n      add_header Access-Control-Allow-Origin * always;\n      add_header Access-Control-Allow-Origin * always;\n    }\n    root /srv;\n  }\n}\n";
    assert_eq!(at(conf, "duplicate-allow-origin"), vec!["5:46:error"]);
}

#[test]
fn inheritance_replaces_instead_of_duplicating() {
    let conf = "server {\n  add_header Access-Control-Allow-Origin https://a.example.com always;\n  location /api/ {\n    add_header Access-Control-Allow-Origin https://b.example.com always;\n    root /srv;\n  }\n}\n";
    assert!(at(conf, "duplicate-allow-origin").is_empty());
    // ... unless nginx ≥ 1.29.3 is told to merge.
    let conf = "server {\n  add_header Access-Control-Allow-Origin https://a.example.com always;\n  location /api/ {\n    add_header_inherit merge;\n    add_header Access-Control-Allow-Origin https://b.example.com always;\n    root /srv;\n  }\n}\n";
    assert_eq!(at(conf, "duplicate-allow-origin"), vec!["5:44:error"]);
}

#[test]
fn an_empty_value_adds_nothing() {
    let conf = "server {\n  add_header Access-Control-Allow-Origin https://a.example.com always;\n  add_header Access-Control-Allow-Origin \"\" always;\n}\n";
    assert!(at(conf, "duplicate-allow-origin").is_empty());
}

#[test]
fn add_header_in_front_of_an_upstream_is_a_possible_duplicate() {
    let conf = "server {\n  location /api/ {\n    add_header Access-Control-Allow-Origin https://app.example.com always;\n    proxy_pass http://127.0.0.1:8080;\n  }\n}\n";
    let found = hits(conf, "duplicate-allow-origin");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "3:44");
    assert_eq!(found[0].severity, "info");
    assert!(found[0].message.contains("if the upstream"));
    assert_eq!(
        found[0].secondary,
        vec!["proxy_pass http://127.0.0.1:8080;".to_string()]
    );
}

#[test]
fn hidden_upstream_header_and_replacing_directives_are_fine() {
    for directive in [
        "proxy_hide_header Access-Control-Allow-Origin;\n    add_header Access-Control-Allow-Origin https://app.example.com always;",
        "proxy_hide_header access-control-allow-origin;\n    add_header Access-Control-Allow-Origin https://app.example.com always;",
        "more_set_headers 'Access-Control-Allow-Origin: https://app.example.com';",
    ] {
        let conf = format!(
            "server {{\n  location /api/ {{\n    {directive}\n    proxy_pass http://127.0.0.1:8080;\n  }}\n}}\n"
        );
        assert!(
            at(&conf, "duplicate-allow-origin").is_empty(),
            "{directive}"
        );
    }
    // `proxy_hide_header` at server level is inherited.
    let conf = "server {\n  proxy_hide_header Access-Control-Allow-Origin;\n  location /api/ {\n    add_header Access-Control-Allow-Origin https://app.example.com always;\n    proxy_pass http://127.0.0.1:8080;\n  }\n}\n";
    assert!(at(conf, "duplicate-allow-origin").is_empty());
}

#[test]
fn a_preflight_branch_that_returns_never_reaches_the_upstream() {
    let conf = "server {\n  location /api/ {\n    if ($request_method = OPTIONS) {\n      add_header Access-Control-Allow-Origin https://app.example.com always;\n      return 204;\n    }\n    proxy_hide_header Access-Control-Allow-Origin;\n    add_header Access-Control-Allow-Origin https://app.example.com always;\n    proxy_pass http://127.0.0.1:8080;\n  }\n}\n";
    assert!(at(conf, "duplicate-allow-origin").is_empty());
}

#[test]
fn netlify_same_name_twice_in_one_block() {
    let found = hits_with(
        "_headers",
        "/api/*\n  Access-Control-Allow-Origin: https://a.example.com\n  Access-Control-Allow-Origin: https://b.example.com\n",
        &Overrides::default(),
        "duplicate-allow-origin",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "3:32");
    assert_eq!(found[0].severity, "error");
}

#[test]
fn cloudflare_rules_that_both_match_are_joined() {
    let overrides = Overrides {
        platform: Some("cloudflare".into()),
        ..Overrides::default()
    };
    let found = hits_with(
        "_headers",
        "/*\n  Access-Control-Allow-Origin: https://a.example.com\n/api/*\n  Access-Control-Allow-Origin: https://b.example.com\n",
        &overrides,
        "duplicate-allow-origin",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "4:32");
    assert_eq!(
        found[0].secondary,
        vec!["https://a.example.com".to_string()]
    );
}

// ---- wildcard-list-with-credentials ---------------------------------------------------------

fn credentialed(extra: &str) -> String {
    format!(
        "server {{\n  add_header Access-Control-Allow-Origin https://app.example.com always;\n  add_header Access-Control-Allow-Credentials true always;\n{extra}}}\n"
    )
}

#[test]
fn star_lists_with_credentials() {
    for (name, value, col) in [
        ("Access-Control-Allow-Methods", "*", 43),
        ("Access-Control-Allow-Headers", "\"*\"", 44),
        ("Access-Control-Expose-Headers", "'X-Total, *'", 45),
    ] {
        let conf = credentialed(&format!("  add_header {name} {value} always;\n"));
        let found = hits(&conf, "wildcard-list-with-credentials");
        assert_eq!(found.len(), 1, "{name}");
        assert_eq!(found[0].at, format!("4:{col}"), "{name}");
        assert_eq!(found[0].severity, "error");
        assert_eq!(found[0].secondary, vec!["true".to_string()]);
    }
}

#[test]
fn star_lists_with_client_credentials() {
    let conf = one_header("Access-Control-Allow-Headers", "*");
    let overrides = Overrides {
        client_credentials: true,
        ..Overrides::default()
    };
    let found = hits_with(
        "nginx.conf",
        &conf,
        &overrides,
        "wildcard-list-with-credentials",
    );
    assert_eq!(found.len(), 1);
}

#[test]
fn star_lists_without_credentials_are_wildcards() {
    for name in [
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
        "Access-Control-Expose-Headers",
    ] {
        let conf = one_header(name, "*");
        assert!(
            at(&conf, "wildcard-list-with-credentials").is_empty(),
            "{name}"
        );
    }
    let conf = credentialed("  add_header Access-Control-Allow-Headers \"Content-Type\" always;\n");
    assert!(at(&conf, "wildcard-list-with-credentials").is_empty());
}

// ---- authorization-not-covered --------------------------------------------------------------

const ACAH: &str = "Access-Control-Allow-Headers";

#[test]
fn star_without_authorization() {
    for (value, shift) in [("*", 0), ("\"*\"", 1), ("'Content-Type, *'", 1)] {
        let conf = one_header(ACAH, value);
        let found = hits(&conf, "authorization-not-covered");
        assert_eq!(found.len(), 1, "{value}");
        assert_eq!(found[0].at, format!("3:{}", col(ACAH) + shift));
        assert_eq!(found[0].severity, "warning");
        assert!(found[0].message.contains("deprecation"));
        assert!(found[0].message.contains("Fetch standard"));
    }
}

#[test]
fn star_with_authorization_is_fine() {
    for value in ["\"*, Authorization\"", "'authorization,*'", "Content-Type"] {
        let conf = one_header(ACAH, value);
        assert!(at(&conf, "authorization-not-covered").is_empty(), "{value}");
    }
    // Two field lines on one response are one list.
    let conf = "server {\n  add_header Access-Control-Allow-Headers * always;\n  add_header Access-Control-Allow-Headers Authorization always;\n}\n";
    assert!(at(conf, "authorization-not-covered").is_empty());
}

#[test]
fn with_credentials_star_is_the_other_rules_business() {
    let conf = credentialed("  add_header Access-Control-Allow-Headers * always;\n");
    assert!(at(&conf, "authorization-not-covered").is_empty());
    assert_eq!(at(&conf, "wildcard-list-with-credentials").len(), 1);
}

// ---- invalid-allow-list ---------------------------------------------------------------------

const ACAM: &str = "Access-Control-Allow-Methods";

#[test]
fn elements_that_are_not_tokens() {
    for (name, value, shift, element) in [
        (ACAM, "\"GET;POST\"", 1, "GET;POST"),
        (ACAM, "'\"GET, POST\"'", 1, "\"GET"),
        (ACAM, "\"GET POST\"", 1, "GET POST"),
        (ACAH, "*/*", 0, "*/*"),
        (ACAH, "\"X-Foo:bar\"", 1, "X-Foo:bar"),
    ] {
        let conf = one_header(name, value);
        let found = hits(&conf, "invalid-allow-list");
        assert_eq!(found.len(), 1, "{value}");
        assert_eq!(found[0].at, format!("3:{}", col(name) + shift), "{value}");
        assert_eq!(found[0].severity, "error");
        assert!(
            found[0].message.contains(&format!("`{element}`")),
            "{value}: {}",
            found[0].message
        );
        assert!(found[0].message.contains("Cannot parse"));
    }
}

#[test]
fn spaces_and_empty_elements_are_fine() {
    for (name, value) in [
        (ACAM, "\"GET, , POST\""),
        (ACAM, "GET,POST,PUT"),
        (ACAM, "\"  GET ,\tPOST  \""),
        (ACAH, "\"Content-Type,,X-Request-ID,\""),
        (ACAH, "*"),
    ] {
        let conf = one_header(name, value);
        assert!(at(&conf, "invalid-allow-list").is_empty(), "{value}");
    }
}

// ---- lowercase-method -----------------------------------------------------------------------

#[test]
fn lowercase_forms_of_normalized_methods_are_errors() {
    let conf = one_header(ACAM, "\"GET, put, Delete\"");
    let found = hits(&conf, "lowercase-method");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, format!("3:{}", col(ACAM) + 1));
    assert_eq!(found[0].severity, "error");
    assert!(found[0].message.contains("`put` never matches `PUT`"));
    assert!(found[0].message.contains("`Delete` never matches `DELETE`"));
}

#[test]
fn other_lowercase_methods_are_warnings() {
    for value in ["patch", "\"GET, POST, patch\"", "\"get, post\"", "Head"] {
        let conf = one_header(ACAM, value);
        assert_eq!(
            hits(&conf, "lowercase-method")
                .iter()
                .map(|h| h.severity.as_str())
                .collect::<Vec<_>>(),
            vec!["warning"],
            "{value}"
        );
    }
}

#[test]
fn uppercase_methods_and_star_are_fine() {
    for value in ["\"GET, POST, PUT, DELETE, PATCH\"", "*", "\"GET;post\""] {
        let conf = one_header(ACAM, value);
        assert!(at(&conf, "lowercase-method").is_empty(), "{value}");
    }
}

// ---- max-age-out-of-range -------------------------------------------------------------------

const ACMA: &str = "Access-Control-Max-Age";

#[test]
fn above_the_caps_is_info_naming_each_engine() {
    let conf = one_header(ACMA, "86400");
    let found = hits(&conf, "max-age-out-of-range");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, format!("3:{}", col(ACMA)));
    assert_eq!(found[0].severity, "info");
    for part in ["Chromium", "7200", "Firefox", "86400", "WebKit", "600"] {
        assert!(found[0].message.contains(part), "{}", found[0].message);
    }
    // Larger than any integer type.
    let conf = one_header(ACMA, "99999999999999999999999");
    assert_eq!(
        at(&conf, "max-age-out-of-range"),
        vec![format!("3:{}:info", col(ACMA))]
    );
}

#[test]
fn invalid_values_are_warnings() {
    for (value, shift, what) in [
        ("-1", 0, "negative"),
        ("1h", 0, "not a number"),
        ("\"7200s\"", 1, "not a number"),
        ("2.5", 0, "not a number"),
        ("\"600, 600\"", 1, "several values"),
    ] {
        let conf = one_header(ACMA, value);
        let found = hits(&conf, "max-age-out-of-range");
        assert_eq!(found.len(), 1, "{value}");
        assert_eq!(found[0].at, format!("3:{}", col(ACMA) + shift), "{value}");
        assert_eq!(found[0].severity, "warning", "{value}");
        assert!(
            found[0].message.contains(what),
            "{value}: {}",
            found[0].message
        );
    }
}

#[test]
fn two_max_age_headers_are_several_values() {
    let conf = "server {\n  add_header Access-Control-Max-Age 600 always;\n  add_header Access-Control-Max-Age 7200 always;\n}\n";
    let found = hits(conf, "max-age-out-of-range");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, "3:37");
    assert_eq!(found[0].severity, "warning");
    assert_eq!(found[0].secondary, vec!["600".to_string()]);
}

#[test]
fn values_within_the_caps_are_fine() {
    for value in ["0", "5", "600", "3600", "7200", "\" 7200 \""] {
        let conf = one_header(ACMA, value);
        assert!(at(&conf, "max-age-out-of-range").is_empty(), "{value}");
    }
}

// ---- useless-allow-entry --------------------------------------------------------------------

#[test]
fn forbidden_request_headers_in_allow_headers() {
    let conf = one_header(ACAH, "\"Content-Type, Cookie, Origin, Sec-Fetch-Mode\"");
    let found = hits(&conf, "useless-allow-entry");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].at, format!("3:{}", col(ACAH) + 1));
    assert_eq!(found[0].severity, "info");
    for name in ["`Cookie`", "`Origin`", "`Sec-Fetch-Mode`"] {
        assert!(found[0].message.contains(name), "{}", found[0].message);
    }
    assert!(!found[0].message.contains("Content-Type"));
}

#[test]
fn options_in_allow_methods_and_set_cookie_in_expose_headers() {
    let conf = one_header(ACAM, "\"GET, POST, OPTIONS\"");
    assert_eq!(
        at(&conf, "useless-allow-entry"),
        vec![format!("3:{}:info", col(ACAM) + 1)]
    );
    let name = "Access-Control-Expose-Headers";
    let conf = one_header(name, "\"Set-Cookie, X-Total-Count\"");
    let found = hits(&conf, "useless-allow-entry");
    assert_eq!(found.len(), 1);
    assert!(found[0].message.contains("`Set-Cookie`"));
}

#[test]
fn entries_that_do_something_are_not_useless() {
    for (name, value) in [
        (
            ACAH,
            "\"Content-Type, Authorization, X-Request-ID, Accept\"",
        ),
        (ACAM, "\"GET, HEAD, POST, PUT\""),
        ("Access-Control-Expose-Headers", "\"X-Total-Count, ETag\""),
    ] {
        let conf = one_header(name, value);
        assert!(at(&conf, "useless-allow-entry").is_empty(), "{value}");
    }
}
