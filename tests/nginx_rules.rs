//! Each rule on nginx: configurations it must flag (with the exact position) and ones it must
//! leave alone, through inheritance, `if` branches, includes and quoting variants.

mod common;

use std::fs;
use std::path::Path;

use common::{findings_as, of};
use corslint::settings::Overrides;
use corslint::{Input, lint};

fn findings(text: &str) -> Vec<String> {
    findings_as("nginx.conf", text, &Overrides::default())
}

fn lint_dir(dir: &Path, file: &str) -> Vec<String> {
    let report = lint(&[Input::Path(dir.join(file))], &Overrides::default());
    report
        .findings
        .iter()
        .map(|f| {
            let src = report.sources.get(f.span.file);
            let p = src.position(f.span.start as usize);
            let name = Path::new(&src.name)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            format!("{}@{}:{}:{}", f.rule.name, name, p.line, p.column)
        })
        .collect()
}

// ---- wildcard-with-credentials -------------------------------------------------------------

#[test]
fn wildcard_with_credentials_in_all_quoting_variants() {
    for (value, col) in [("*", 42), ("\"*\"", 43), ("'*'", 43)] {
        let conf = format!(
            "server {{\n  add_header Access-Control-Allow-Origin {value} always;\n  add_header Access-Control-Allow-Credentials \"true\" always;\n}}\n"
        );
        assert_eq!(
            of("wildcard-with-credentials", &findings(&conf)),
            vec![format!("wildcard-with-credentials@2:{col}")],
            "{value}"
        );
    }
}

#[test]
fn wildcard_with_credentials_through_inheritance_and_if() {
    // Server-level headers inherited by a location without add_header of its own.
    let inherited = "server {\n  add_header Access-Control-Allow-Origin * always;\n  add_header Access-Control-Allow-Credentials true always;\n  location /api/ { proxy_pass http://b; }\n}\n";
    assert_eq!(
        of("wildcard-with-credentials", &findings(inherited)).len(),
        1
    );
    // Inside an OPTIONS branch.
    let branch = "server {\n  location /api/ {\n    if ($request_method = OPTIONS) {\n      add_header Access-Control-Allow-Origin '*';\n      add_header Access-Control-Allow-Credentials 'true';\n      return 204;\n    }\n    proxy_pass http://b;\n  }\n}\n";
    assert_eq!(
        of("wildcard-with-credentials", &findings(branch)),
        vec!["wildcard-with-credentials@4:47"]
    );
    // A location with its own add_header drops the server's credentials header: no finding.
    let dropped = "server {\n  add_header Access-Control-Allow-Credentials true always;\n  location /api/ {\n    add_header Access-Control-Allow-Origin * always;\n    proxy_pass http://b;\n  }\n}\n";
    assert!(of("wildcard-with-credentials", &findings(dropped)).is_empty());
    // An exact origin with credentials is fine.
    let exact = "server {\n  add_header Access-Control-Allow-Origin https://a.example always;\n  add_header Access-Control-Allow-Credentials true always;\n}\n";
    assert!(of("wildcard-with-credentials", &findings(exact)).is_empty());
}

// ---- missing-always ------------------------------------------------------------------------

#[test]
fn missing_always_only_for_cors_headers_that_miss_errors() {
    let conf = "server {\n  location /api/ {\n    add_header Access-Control-Allow-Origin https://a.example;\n    add_header Vary Origin;\n    add_header X-Frame-Options DENY;\n    add_header Access-Control-Expose-Headers X-Total always;\n    proxy_pass http://b;\n  }\n}\n";
    assert_eq!(
        of("missing-always", &findings(conf)),
        vec!["missing-always@3:16", "missing-always@4:16"]
    );
    // A preflight branch that always answers 204 is reached by the success-only headers.
    let branch = "server {\n  location /api/ {\n    if ($request_method = OPTIONS) {\n      add_header Access-Control-Allow-Origin https://a.example;\n      add_header Access-Control-Max-Age 600;\n      return 204;\n    }\n    add_header Access-Control-Allow-Origin https://a.example always;\n    proxy_pass http://b;\n  }\n}\n";
    assert!(of("missing-always", &findings(branch)).is_empty());
}

// ---- unlisted-request-header --------------------------------------------------------------

const PREFLIGHT_LOCATION: &str = "server {\n  location /api/ {\n    if ($request_method = OPTIONS) {\n      add_header Access-Control-Allow-Origin https://a.example always;\n      add_header Access-Control-Allow-Headers \"Content-Type, authorization\" always;\n      add_header Access-Control-Max-Age 600 always;\n      return 204;\n    }\n    add_header Access-Control-Allow-Origin https://a.example always;\n    proxy_set_header X-Tenant $http_x_tenant;\n    proxy_pass http://b;\n  }\n}\n";

#[test]
fn unlisted_request_header_inferred_from_http_x_variables() {
    assert_eq!(
        of("unlisted-request-header", &findings(PREFLIGHT_LOCATION)),
        vec!["unlisted-request-header@5:48"]
    );
}

#[test]
fn unlisted_request_header_from_client_settings_case_insensitively() {
    let listed = PREFLIGHT_LOCATION.replace(
        "Content-Type, authorization",
        "Content-Type, Authorization, X-TENANT",
    );
    assert!(of("unlisted-request-header", &findings(&listed)).is_empty());
    let overrides = Overrides {
        client_headers: vec![
            "Authorization".into(),
            "Accept".into(),
            "Cookie".into(),
            "X-Debug".into(),
        ],
        ..Overrides::default()
    };
    let report = lint(
        &[Input::Stdin {
            name: "nginx.conf".into(),
            text: listed.clone(),
        }],
        &overrides,
    );
    let messages: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule.name == "unlisted-request-header")
        .map(|f| f.message.as_str())
        .collect();
    // Authorization is listed (any case); Accept is safelisted; Cookie is forbidden.
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("`X-Debug`") && !messages[0].contains("Accept"),
        "{}",
        messages[0]
    );
}

#[test]
fn wildcard_allow_headers_covers_only_without_credentials() {
    let wildcard = PREFLIGHT_LOCATION.replace("Content-Type, authorization", "*");
    assert!(of("unlisted-request-header", &findings(&wildcard)).is_empty());
    let credentialed = wildcard.replace(
        "add_header Access-Control-Max-Age 600 always;",
        "add_header Access-Control-Max-Age 600 always;\n      add_header Access-Control-Allow-Credentials true always;",
    );
    assert_eq!(
        of("unlisted-request-header", &findings(&credentialed)).len(),
        1
    );
}

// ---- missing-max-age ----------------------------------------------------------------------

#[test]
fn missing_max_age() {
    let without =
        PREFLIGHT_LOCATION.replace("      add_header Access-Control-Max-Age 600 always;\n", "");
    assert_eq!(
        of("missing-max-age", &findings(&without)),
        vec!["missing-max-age@5:18"]
    );
    assert!(of("missing-max-age", &findings(PREFLIGHT_LOCATION)).is_empty());
    // A location that sends no preflight headers and answers no OPTIONS is not a preflight answer.
    let simple = "server {\n  location /fonts/ {\n    add_header Access-Control-Allow-Origin * always;\n  }\n}\n";
    assert!(of("missing-max-age", &findings(simple)).is_empty());
}

// ---- redirect-on-preflight ----------------------------------------------------------------

#[test]
fn redirect_on_preflight_respects_rewrite_phase_order() {
    let redirected = "server {\n  rewrite ^/(.*)/$ /$1 permanent;\n  location /api/ {\n    add_header Access-Control-Allow-Origin https://a.example always;\n    proxy_pass http://b;\n  }\n}\n";
    assert_eq!(
        of("redirect-on-preflight", &findings(redirected)),
        vec!["redirect-on-preflight@2:3"]
    );
    let answered_first = redirected.replace(
        "  rewrite",
        "  if ($request_method = OPTIONS) { return 204; }\n  rewrite",
    );
    assert!(of("redirect-on-preflight", &findings(&answered_first)).is_empty());
    let return_in_location = "server {\n  location /old-api/ {\n    add_header Access-Control-Allow-Origin * always;\n    return 308 https://api.example.com$request_uri;\n  }\n}\n";
    assert_eq!(
        of("redirect-on-preflight", &findings(return_in_location)),
        vec!["redirect-on-preflight@4:5"]
    );
    // An http→https server that serves no CORS headers.
    let https = "server {\n  listen 80;\n  return 301 https://$host$request_uri;\n}\n";
    assert!(findings(https).is_empty());
}

// ---- preflight-not-ok ---------------------------------------------------------------------

#[test]
fn preflight_not_ok_for_gates_unless_options_is_answered_first() {
    let auth = "server {\n  location /api/ {\n    auth_basic \"x\";\n    add_header Access-Control-Allow-Origin https://a.example always;\n    proxy_pass http://b;\n  }\n}\n";
    assert_eq!(
        of("preflight-not-ok", &findings(auth)),
        vec!["preflight-not-ok@3:5"]
    );
    let first = auth.replace(
        "    auth_basic",
        "    if ($request_method = OPTIONS) { add_header Access-Control-Allow-Origin https://a.example always; add_header Access-Control-Max-Age 60 always; return 204; }\n    auth_basic",
    );
    assert!(of("preflight-not-ok", &findings(&first)).is_empty());
    let server_auth = "server {\n  auth_basic \"x\";\n  location /api/ {\n    add_header Access-Control-Allow-Origin https://a.example always;\n    proxy_pass http://b;\n  }\n}\n";
    assert_eq!(
        of("preflight-not-ok", &findings(server_auth)),
        vec!["preflight-not-ok@2:3"]
    );
    let off = server_auth.replace(
        "  location /api/ {\n",
        "  location /api/ {\n    auth_basic off;\n",
    );
    assert!(of("preflight-not-ok", &findings(&off)).is_empty());
    let limit = "server {\n  location /api/ {\n    limit_except GET POST { deny all; }\n    add_header Access-Control-Allow-Origin https://a.example always;\n    proxy_pass http://b;\n  }\n}\n";
    assert_eq!(
        of("preflight-not-ok", &findings(limit)),
        vec!["preflight-not-ok@3:5"]
    );
    let allows_options = limit.replace("GET POST", "GET POST OPTIONS");
    assert!(of("preflight-not-ok", &findings(&allows_options)).is_empty());
}

// ---- location selection -------------------------------------------------------------------

#[test]
fn regex_location_wins_over_prefix_and_exact_wins_over_all() {
    // /api/x.json goes to the regex location (no CORS there), so no wildcard finding for the
    // prefix location's sample reaches; the prefix location's own headers are still checked.
    let conf = "server {\n  location /api/ {\n    add_header Access-Control-Allow-Origin https://a.example always;\n    proxy_pass http://b;\n  }\n  location ~ \\.json$ {\n    auth_basic \"x\";\n    add_header Access-Control-Allow-Origin https://a.example always;\n    proxy_pass http://b;\n  }\n  location ^~ /static/ {\n    add_header Access-Control-Allow-Origin https://a.example always;\n  }\n}\n";
    let all = findings(conf);
    // The regex location answers OPTIONS with 401.
    assert_eq!(of("preflight-not-ok", &all), vec!["preflight-not-ok@7:5"]);
}

// ---- includes ------------------------------------------------------------------------------

#[test]
fn snippet_included_from_a_location_is_checked_in_that_context() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("snippets")).unwrap();
    fs::write(
        dir.path().join("nginx.conf"),
        "http {\n  server {\n    add_header Access-Control-Allow-Credentials true always;\n    location /fonts/ {\n      include snippets/cors.conf;\n    }\n  }\n}\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("snippets/cors.conf"),
        "add_header Access-Control-Allow-Origin *;\n",
    )
    .unwrap();
    // The location's own add_header (from the snippet) drops the server's credentials: only
    // the missing `always` is left, reported in the snippet.
    assert_eq!(
        lint_dir(dir.path(), "nginx.conf"),
        vec!["missing-always@cors.conf:1:12"]
    );
}

#[test]
fn unreadable_include_cycle_and_self_include() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("nginx.conf"),
        "http {\n  include missing.conf;\n  include none-*.conf;\n  include a.conf;\n}\n",
    )
    .unwrap();
    fs::write(dir.path().join("a.conf"), "include b.conf;\n").unwrap();
    fs::write(dir.path().join("b.conf"), "include a.conf;\n").unwrap();
    let got = lint_dir(dir.path(), "nginx.conf");
    assert_eq!(
        got,
        vec![
            "invalid-config@b.conf:1:1",
            "unreadable-include@nginx.conf:2:3"
        ],
        "{got:?}"
    );
    fs::write(
        dir.path().join("self.conf"),
        "server { include self.conf; }\n",
    )
    .unwrap();
    assert_eq!(
        lint_dir(dir.path(), "self.conf"),
        vec!["invalid-config@self.conf:1:10"]
    );
}

// ---- syntax ---------------------------------------------------------------------------------

#[test]
fn syntax_errors_are_findings_at_the_exact_position() {
    assert_eq!(
        findings("server {\n  listen 80;\n"),
        vec!["invalid-syntax@3:1"]
    );
    assert_eq!(
        findings("server {\n  listen 80\n}\n"),
        vec!["invalid-syntax@3:1"]
    );
    assert_eq!(findings("}\n"), vec!["invalid-syntax@1:1"]);
}

#[test]
fn realistic_configs_parse_cleanly() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nginx/realistic");
    for file in [
        "debian-default-site.conf",
        "h5bp-style/nginx.conf",
        "reverse-proxy-maps.conf",
        "lua-heavy.conf",
    ] {
        let report = lint(&[Input::Path(base.join(file))], &Overrides::default());
        let bad: Vec<_> = report
            .findings
            .iter()
            .filter(|f| matches!(f.rule.name, "invalid-syntax" | "invalid-config"))
            .map(|f| f.message.clone())
            .collect();
        assert!(bad.is_empty(), "{file}: {bad:?}");
        assert!(report.errors.is_empty(), "{file}: {:?}", report.errors);
    }
    // The proxy with an anchored allowlist map is clean altogether.
    let report = lint(
        &[Input::Path(base.join("reverse-proxy-maps.conf"))],
        &Overrides::default(),
    );
    let all: Vec<_> = report
        .findings
        .iter()
        .map(|f| format!("{}: {}", f.rule.name, f.message))
        .collect();
    assert!(all.is_empty(), "{all:?}");
}
