//! Netlify and Cloudflare Pages files through the whole linter: `_headers`, `_redirects` and
//! `netlify.toml`, alone and combined into one site, with the exact position of each finding.

mod common;

use std::fs;
use std::path::Path;

use common::of;
use corslint::settings::Overrides;
use corslint::{Input, lint};

fn overrides(platform: Option<&str>) -> Overrides {
    Overrides {
        platform: platform.map(str::to_string),
        ..Overrides::default()
    }
}

/// `rule@line:column` for every finding of a text linted as `name`.
fn findings(name: &str, text: &str, platform: Option<&str>) -> Vec<String> {
    common::findings_as(name, text, &overrides(platform))
}

/// `rule@file:line:column` for every finding of linting a path.
fn findings_at(path: &Path, platform: Option<&str>) -> Vec<String> {
    let report = lint(&[Input::Path(path.to_path_buf())], &overrides(platform));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
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

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

#[test]
fn cloudflare_default_wildcard_meets_credentials() {
    let text = "/api/*\n  Access-Control-Allow-Credentials: true\n";
    let all = findings("_headers", text, Some("cloudflare"));
    assert_eq!(
        of("wildcard-with-credentials", &all),
        vec!["wildcard-with-credentials@2:37"]
    );
    // Netlify adds no `*` of its own.
    let all = findings("_headers", text, None);
    assert!(of("wildcard-with-credentials", &all).is_empty(), "{all:?}");
}

#[test]
fn wildcard_with_credentials_in_one_block_points_at_the_star() {
    let text = "# CORS for the API\n/api/*\n\tAccess-Control-Allow-Origin:   *\n\tAccess-Control-Allow-Credentials: true";
    for platform in [None, Some("cloudflare")] {
        let all = findings("_headers", text, platform);
        assert_eq!(
            of("wildcard-with-credentials", &all),
            vec!["wildcard-with-credentials@3:33"],
            "{platform:?}"
        );
    }
}

#[test]
fn a_header_line_without_colon_is_reported_where_netlify_drops_it() {
    let text = "/api/*\r\n  Access-Control-Allow-Origin *\r\n";
    assert_eq!(findings("_headers", text, None), vec!["invalid-config@2:3"]);
    // Cloudflare also rejects the rule, which has no header left.
    let all = findings("_headers", text, Some("cloudflare"));
    assert_eq!(all, vec!["invalid-config@1:1", "invalid-config@2:3"]);
    // A URL's colon is not the separator Netlify needs.
    let text = "/api/*\n  Access-Control-Allow-Origin https://app.example.com\n";
    let report = lint(
        &[Input::Stdin {
            name: "_headers".into(),
            text: text.into(),
        }],
        &Overrides::default(),
    );
    assert_eq!(report.findings.len(), 1);
    assert!(report.findings[0].message.contains("the colon of a URL"));
    assert_eq!(
        report
            .sources
            .get(report.findings[0].span.file)
            .slice(report.findings[0].span),
        "Access-Control-Allow-Origin https"
    );
}

#[test]
fn suppression_comment_before_a_header_line() {
    let text = "/api/*\n  Access-Control-Allow-Origin: *\n  # corslint: ignore[wildcard-with-credentials] public, no cookies\n  Access-Control-Allow-Credentials: true\n";
    let all = findings("_headers", text, None);
    // The finding sits on the `*` (line 2); the comment covers line 4 only.
    assert_eq!(
        of("wildcard-with-credentials", &all),
        vec!["wildcard-with-credentials@2:32"]
    );
    let text = "/api/*\n  # corslint: ignore[wildcard-with-credentials] public\n  Access-Control-Allow-Origin: *\n  Access-Control-Allow-Credentials: true\n";
    assert!(findings("_headers", text, None).is_empty());
}

#[test]
fn toml_syntax_error_at_the_exact_byte() {
    let text = "[[headers]]\n  for = \"/api/*\"\n  [headers.values]\n    Access-Control-Allow-Origin = https://app.example.com\n";
    let all = findings("netlify.toml", text, None);
    assert_eq!(all, vec!["invalid-syntax@4:35"]);
}

#[test]
fn toml_shape_errors_are_config_problems() {
    let text = "[[headers]]\nfor = \"/p\"\n  [headers.values]\n  test = \"one\"\n\n[[headers]]\n  [headers.values]\n  test = \"one\"\n\n[[headers]]\nfor = \"/p\"\n  [headers.values]\n  test = false\n";
    let all = findings("netlify.toml", text, None);
    assert_eq!(all, vec!["invalid-config@6:1", "invalid-config@13:10"]);
}

#[test]
fn proxied_path_does_not_get_the_headers() {
    let text = "[[redirects]]\n  from = \"/api/*\"\n  to = \"https://backend.example.com/:splat\"\n  status = 200\n  force = true\n\n[[headers]]\n  for = \"/api/*\"\n  [headers.values]\n    Access-Control-Allow-Origin = \"https://app.example.com\"\n    X-Frame-Options = \"DENY\"\n";
    let report = lint(
        &[Input::Stdin {
            name: "netlify.toml".into(),
            text: text.into(),
        }],
        &Overrides::default(),
    );
    let hits: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule.name == "headers-not-applied")
        .collect();
    assert_eq!(hits.len(), 1, "{:?}", report.findings);
    let src = report.sources.get(hits[0].span.file);
    assert_eq!(src.position(hits[0].span.start as usize).line, 10);
    assert_eq!(
        src.position(hits[0].secondary[0].span.start as usize).line,
        1
    );
    assert!(
        hits[0]
            .message
            .contains("Netlify does not apply custom headers")
    );
    assert!(
        hits[0]
            .message
            .contains("https://backend.example.com/:splat")
    );
}

#[test]
fn function_rewrites_and_the_functions_endpoint() {
    let text = "/api/*  /.netlify/functions/api/:splat  200\n";
    // A `_redirects` alone has no header rules: nothing to say.
    assert!(findings("_redirects", text, None).is_empty());
    let headers = "/.netlify/functions/*\n  Access-Control-Allow-Origin: *\n";
    assert_eq!(
        findings("_headers", headers, None),
        vec!["headers-not-applied@2:3"]
    );
}

#[test]
fn redirect_on_preflight_case_insensitive_on_netlify_only() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "_headers",
        "/api/*\n  Access-Control-Allow-Origin: https://app.example.com\n",
    );
    write(
        dir.path(),
        "_redirects",
        "# moved\n/API/*  https://api.example.com/:splat  301!\n",
    );
    let all = findings_at(&dir.path().join("_headers"), None);
    assert_eq!(
        of("redirect-on-preflight", &all),
        vec!["redirect-on-preflight@_redirects:2:1"]
    );
    // Cloudflare matches case-sensitively: `/API/*` is another path.
    let all = findings_at(&dir.path().join("_headers"), Some("cloudflare"));
    assert!(of("redirect-on-preflight", &all).is_empty(), "{all:?}");
}

#[test]
fn netlify_splat_covers_the_bare_prefix_cloudflare_does_not() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "_headers",
        "/api/*\n  Access-Control-Allow-Origin: https://app.example.com\n",
    );
    write(dir.path(), "_redirects", "/api  /api/  301\n");
    let all = findings_at(dir.path(), None);
    assert_eq!(
        of("redirect-on-preflight", &all),
        vec!["redirect-on-preflight@_redirects:1:1"]
    );
    let all = findings_at(dir.path(), Some("cloudflare"));
    assert!(of("redirect-on-preflight", &all).is_empty(), "{all:?}");
}

#[test]
fn one_site_from_netlify_toml_and_its_publish_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "netlify.toml",
        "[build]\n  publish = \"public\"\n\n[[redirects]]\n  from = \"/api/*\"\n  to = \"https://api.example.com/:splat\"\n  status = 302\n",
    );
    write(
        dir.path(),
        "public/_headers",
        "/api/*\n  Access-Control-Allow-Origin: https://app.example.com\n  Access-Control-Max-Age: 7200\n",
    );
    // The folder, the toml alone and the `_headers` alone give the same site.
    for target in [
        dir.path().to_path_buf(),
        dir.path().join("netlify.toml"),
        dir.path().join("public/_headers"),
    ] {
        let all = findings_at(&target, None);
        assert_eq!(
            of("redirect-on-preflight", &all),
            vec!["redirect-on-preflight@netlify.toml:4:1"],
            "{target:?}"
        );
    }
}

#[test]
fn toml_and_headers_file_merge_into_one_response() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "netlify.toml",
        "[[headers]]\n  for = \"/api/*\"\n  [headers.values]\n    Access-Control-Allow-Origin = \"*\"\n",
    );
    write(
        dir.path(),
        "_headers",
        "/api/*\n  Access-Control-Allow-Origin: https://app.example.com\n  Access-Control-Allow-Credentials: true\n",
    );
    // The toml is applied after `_headers`: its `*` replaces the origin and meets the
    // credentials of `_headers`. Reading either file gives the whole site.
    for target in [dir.path().join("_headers"), dir.path().join("netlify.toml")] {
        let all = findings_at(&target, None);
        assert_eq!(
            of("wildcard-with-credentials", &all),
            vec!["wildcard-with-credentials@netlify.toml:4:36"],
            "{target:?}"
        );
    }
}

#[test]
fn wrangler_toml_nearby_means_cloudflare() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    write(dir.path(), "wrangler.toml", "name = \"site\"\n");
    write(
        dir.path(),
        "public/_headers",
        "/api/*\n  Access-Control-Allow-Credentials: true\n",
    );
    let all = findings_at(&dir.path().join("public/_headers"), None);
    assert_eq!(
        of("wildcard-with-credentials", &all),
        vec!["wildcard-with-credentials@_headers:2:37"]
    );
    // The setting wins over the file's neighbourhood.
    let all = findings_at(&dir.path().join("public/_headers"), Some("netlify"));
    assert!(of("wildcard-with-credentials", &all).is_empty(), "{all:?}");

    // Without it, Netlify.
    let plain = tempfile::tempdir().unwrap();
    fs::create_dir(plain.path().join(".git")).unwrap();
    write(
        plain.path(),
        "_headers",
        "/api/*\n  Access-Control-Allow-Credentials: true\n",
    );
    assert!(
        of(
            "wildcard-with-credentials",
            &findings_at(plain.path(), None)
        )
        .is_empty()
    );
}

#[test]
fn cloudflare_static_preflight_is_405() {
    let text = "/api/*\n  Access-Control-Allow-Origin: https://app.example.com\n  Access-Control-Allow-Methods: GET, PUT\n";
    let all = findings("_headers", text, Some("cloudflare"));
    assert_eq!(of("preflight-not-ok", &all), vec!["preflight-not-ok@1:1"]);
    let all = findings("_headers", text, None);
    assert!(of("preflight-not-ok", &all).is_empty(), "{all:?}");
    assert_eq!(of("missing-max-age", &all), vec!["missing-max-age@3:3"]);
}

#[test]
fn cloudflare_rule_limit_is_reported_on_the_line_that_stops_it() {
    let mut text = String::new();
    for i in 0..102 {
        text.push_str(&format!("/r{i}\n  X-Index: {i}\n"));
    }
    let all = findings("_headers", &text, Some("cloudflare"));
    // Two lines per rule; the 102nd path line is line 203.
    assert_eq!(of("invalid-config", &all), vec!["invalid-config@203:1"]);
    assert!(of("invalid-config", &findings("_headers", &text, None)).is_empty());
}

#[test]
fn redirects_with_conditions_and_hosts_are_not_assumed() {
    let headers = "/*\n  Access-Control-Allow-Origin: https://app.example.com\n";
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "_headers", headers);
    write(
        dir.path(),
        "_redirects",
        "https://old.example.com/*  https://www.example.com/:splat  301!\n/  /fr/  302  Country=fr\n/*  /404.html  404\n",
    );
    let all = findings_at(dir.path(), None);
    assert!(of("redirect-on-preflight", &all).is_empty(), "{all:?}");
    assert!(of("preflight-not-ok", &all).is_empty(), "{all:?}");
}

#[test]
fn bad_redirect_lines_carry_the_platform_reason() {
    let text = "/m/legal\n/from /to not_a_status\n/ok /fine 301\n";
    let all = findings("_redirects", text, None);
    assert_eq!(all, vec!["invalid-config@1:1", "invalid-config@2:11"]);
    let all = findings(
        "_redirects",
        "/p https://x.example.com/ 200\n",
        Some("cloudflare"),
    );
    assert_eq!(all, vec!["invalid-config@1:1"]);
}

#[test]
fn placeholders_and_mid_segment_splats_match() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "_headers",
        "/draft/:draft/*schema\n  Access-Control-Allow-Origin: *\n  Access-Control-Allow-Credentials: true\n",
    );
    write(dir.path(), "_redirects", "/draft/*  /drafts/:splat  301\n");
    let all = findings_at(dir.path(), None);
    assert_eq!(
        of("redirect-on-preflight", &all),
        vec!["redirect-on-preflight@_redirects:1:1"]
    );
}

#[test]
fn odd_inputs_never_panic() {
    let pieces = [
        "",
        "\n",
        "\r\n",
        "/",
        "/*",
        "/:x",
        "/a/*b*c",
        "*",
        "#",
        "# corslint: ignore[ALL]",
        "! ",
        "! X",
        "X:",
        ":",
        "X: y",
        "Access-Control-Allow-Origin: *",
        "https://",
        "https://a:1/",
        "/a /b",
        "/a /b 200",
        "/a https://x 200!",
        "/a /b 301 Country=x",
        "/.netlify/functions/x",
        "[[headers]]",
        "for = 1",
        "[headers.values]",
        "[[redirects]]",
        "from = \"/a\"",
        "status = []",
        "\u{feff}",
        "é",
        "\t",
        "(",
        "[",
        "\\",
        "/a(b",
        "/a[b",
        "{{}}",
        "'''",
        "\"",
        "/a\u{0}",
    ];
    let mut texts = Vec::new();
    for a in pieces {
        for b in pieces.iter().step_by(3) {
            texts.push(format!("{a}\n{b}\n{a}"));
        }
    }
    assert!(texts.len() > 300);
    for text in &texts {
        for (name, platform) in [
            ("_headers", None),
            ("_headers", Some("cloudflare")),
            ("_redirects", None),
            ("_redirects", Some("cloudflare")),
            ("netlify.toml", None),
        ] {
            let report = lint(
                &[Input::Stdin {
                    name: name.into(),
                    text: text.clone(),
                }],
                &overrides(platform),
            );
            assert!(report.errors.is_empty());
        }
    }
}

#[test]
fn cloudflare_same_path_twice_keeps_only_the_later_rule() {
    // wrangler keys `_headers` rules by their path (`rules[rule.path] = …`): the second
    // `/api/*` block replaces the first, so one origin is sent, not `a, b`.
    let text = "/api/*\n  Access-Control-Allow-Origin: https://a.example\n/api/*\n  Access-Control-Allow-Origin: https://app.example.com\n";
    let all = findings("_headers", text, Some("cloudflare"));
    assert!(of("invalid-config", &all).is_empty(), "{all:?}");
    let report = lint(
        &[Input::Stdin {
            name: "_headers".into(),
            text: text.into(),
        }],
        &overrides(Some("cloudflare")),
    );
    let site = &report.documents[0].sites[0];
    let request = corslint::resolve::Request::new("GET", "/api/users")
        .with_header("Origin", "https://app.example.com");
    let response = corslint::resolve::resolve(site, &request, Default::default());
    assert_eq!(
        response.get("access-control-allow-origin").as_deref(),
        Some("https://app.example.com")
    );
}
