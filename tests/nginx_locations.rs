//! nginx itself as the oracle for corslint's location selection.
//!
//! One server with prefix, exact and regex locations (regexes with `.`, `\w`, `~*` and
//! non-ASCII text, where byte and Unicode matching differ) runs in a real nginx on loopback;
//! each location answers with its own name. Every probe path is requested from nginx, either
//! percent-encoded as a browser sends it or exactly as written (escapes of `/` and `.`,
//! repeated slashes, dot segments, escapes nginx refuses), and the location that answered
//! (or nginx's 400) is compared with what corslint makes of the same request path: the path
//! nginx decodes it to (`request_target::nginx_uri`, with the `merge_slashes` corslint read
//! from the server), then the location its resolver selects. The same server runs twice, on
//! two ports: as written, and with `merge_slashes off`.
//!
//! Runs when `CORSLINT_BROWSER=1` (`.ci/run` sets it; then a missing nginx is a failure).
//! Locally: `CORSLINT_BROWSER=1 cargo test --test nginx_locations -- --nocapture`.

#[path = "support/process.rs"]
#[allow(dead_code)]
mod process;

use std::path::Path;

use corslint::request_target::nginx_uri;
use corslint::resolve::Resolver;
use corslint::{Input, lint};

/// Each location's modifier and pattern; location N answers with its name, `location-N`.
const LOCATIONS: [(&str, &str); 9] = [
    ("", "/"),
    ("", "/static/"),
    ("=", "/exact"),
    ("~", "^/d.$"),
    ("~", "^/w\\w$"),
    ("~*", "^/k$"),
    ("~*", "^/Assets/.+\\.css$"),
    ("~", "^/caf\u{e9}/"),
    ("~", "^/items/([0-9]+)$"),
];

/// Decoded paths: ASCII ones, and ones where matching bytes and matching text differ.
const PROBES: [&str; 16] = [
    "/",
    "/static/a.js",
    "/exact",
    "/dx",
    "/d\u{e9}",
    "/d\u{e9}\u{e9}",
    "/wa",
    "/w\u{e9}",
    "/k",
    "/K",
    "/\u{212A}",
    "/assets/a.css",
    "/ASSETS/\u{e9}.css",
    "/caf\u{e9}/menu",
    "/items/42",
    "/items/4x",
];

/// Request paths sent as written, and what nginx makes of each.
const RAW_PROBES: [&str; 22] = [
    "/static//a.js",             // merged: /static/a.js
    "//exact",                   // /exact
    "/static//../exact",         // /exact; unmerged, /static/exact
    "/static/a//b/../..//exact", // /static/exact; unmerged, /static/a//exact
    "/x/%2F/exact",              // /x/exact; unmerged, /x//exact
    "//..//exact",               // 400 (above the root); unmerged, //exact
    "/static/../exact",          // /exact
    "/x/%2E%2E/exact",           // a decoded `..` is a `..`
    "/static%2Fa.js",            // a decoded `/` is a `/`
    "/items%2F42",               // /items/42
    "/%65xact",                  // /exact
    "/exact%3F",                 // "/exact?": a decoded `?` is data
    "/d%2e",                     // "/d."
    "/static/./a.js",            // /static/a.js
    "/static/%2e/a.js",          // /static/a.js
    "/caf%c3%a9/menu",           // lowercase escapes
    "/static/a.js?x=/../",       // the query is not the path
    "/K%E2%84%AA",               // "/K" and the Kelvin sign
    "/a%zz",                     // 400: not an escape
    "/a%00",                     // 400: NUL
    "/%2e%2e/exact",             // 400: above the root
    "/a%2F..%2F..%2Fb",          // 400: above the root
];

/// The request paths sent: the browser's encoding of each decoded probe, then the raw ones.
fn sent_paths() -> Vec<String> {
    PROBES
        .iter()
        .map(|p| encode(p))
        .chain(RAW_PROBES.iter().map(|p| p.to_string()))
        .collect()
}

/// How nginx's own 400 Bad Request shows in the comparison.
const BAD_REQUEST: &str = "400";

/// The name location `i` answers with.
fn name(i: usize) -> String {
    format!("location-{i}")
}

fn server(port: u16, merge_slashes: bool) -> String {
    let mut conf = format!("server {{\n    listen 127.0.0.1:{port};\n");
    if !merge_slashes {
        conf.push_str("    merge_slashes off;\n");
    }
    for (i, (modifier, pattern)) in LOCATIONS.iter().enumerate() {
        conf.push_str(&format!(
            "    location {modifier} {pattern} {{\n        return 200 \"{}\";\n    }}\n",
            name(i)
        ));
    }
    conf.push_str("}\n");
    conf
}

/// A browser's request path: every byte outside unreserved ASCII percent-encoded.
fn encode(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The body nginx answers a GET of `path` (sent as written) with, or [`BAD_REQUEST`].
fn get(port: u16, path: &str) -> Result<String, String> {
    let (head, body) = process::http_get(port, "localhost", path)?;
    if head.starts_with("HTTP/1.1 400") {
        return Ok(BAD_REQUEST.to_string());
    }
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!("{path}: {head}"));
    }
    Ok(body)
}

/// The location corslint's resolver selects for each sent path, by name, and the
/// `merge_slashes` it read.
fn corslint_locations(text: &str, sent: &[String]) -> (Vec<String>, bool) {
    let report = lint(
        &[Input::Stdin {
            name: "nginx.conf".into(),
            text: text.into(),
        }],
        &Default::default(),
    );
    let site = &report.documents[0].sites[0];
    let resolver = Resolver::new(site);
    let locations = sent
        .iter()
        .map(|sent| {
            let Ok((path, _)) = nginx_uri(sent, site.merge_slashes) else {
                return BAD_REQUEST.to_string();
            };
            let Some(scope) = resolver.location(&path) else {
                return "none".to_string();
            };
            let pattern = &site
                .scope(scope)
                .matcher
                .as_ref()
                .expect("a location")
                .pattern;
            let i = LOCATIONS
                .iter()
                .position(|(_, p)| p == pattern)
                .expect("one of the server's locations");
            name(i)
        })
        .collect();
    (locations, site.merge_slashes)
}

/// What nginx answers each sent path with: first from the server as written, then from the
/// same server with `merge_slashes off`.
fn nginx_locations(
    nginx: &Path,
    dir: &Path,
    sent: &[String],
) -> Result<(Vec<String>, Vec<String>), String> {
    let ports = process::free_ports(2)?;
    let servers = server(ports[0], true) + &server(ports[1], false);
    let conf = process::oracle_nginx_conf(dir, &servers);
    std::fs::create_dir_all(dir.join("tmp")).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("nginx.conf"), conf).map_err(|e| e.to_string())?;
    let _nginx = process::start_nginx(nginx, dir, &ports)?;
    let answers = |port: u16| -> Result<Vec<String>, String> {
        sent.iter().map(|path| get(port, path)).collect()
    };
    Ok((answers(ports[0])?, answers(ports[1])?))
}

#[test]
fn corslint_selects_the_location_nginx_selects() {
    let Some(nginx) = process::oracle_nginx("nginx location oracle", "nginx_locations") else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let sent = sent_paths();
    let (by_nginx, unmerged_by_nginx) =
        nginx_locations(&nginx, dir.path(), &sent).unwrap_or_else(|e| panic!("{e}"));
    let (by_corslint, merges) = corslint_locations(&server(8080, true), &sent);
    let (unmerged_by_corslint, unmerged_merges) = corslint_locations(&server(8080, false), &sent);
    assert!(
        merges && !unmerged_merges,
        "corslint read `merge_slashes off`"
    );
    let mut report = String::new();
    let mut differ = 0;
    for (heading, by_nginx, by_corslint) in [
        ("merge_slashes on (the default)", &by_nginx, &by_corslint),
        (
            "merge_slashes off",
            &unmerged_by_nginx,
            &unmerged_by_corslint,
        ),
    ] {
        report.push_str(&format!("{heading}:\n"));
        for ((path, nginx), corslint) in sent.iter().zip(by_nginx).zip(by_corslint) {
            let mark = if nginx == corslint { "  " } else { "!!" };
            differ += usize::from(nginx != corslint);
            report.push_str(&format!(
                "{mark} {path:28} nginx {nginx:12} corslint {corslint}\n"
            ));
        }
    }
    process::show(&report);
    assert_eq!(
        differ, 0,
        "corslint and nginx choose different locations:\n{report}"
    );
    // Every location answers some probe, so each one's matching is compared, and some
    // request paths are ones nginx refuses.
    for i in 0..LOCATIONS.len() {
        assert!(by_nginx.contains(&name(i)), "no probe reaches {}", name(i));
    }
    assert!(
        by_nginx.iter().any(|n| n == BAD_REQUEST),
        "no probe is refused"
    );
    // Some request paths reach another location when slashes are not merged.
    assert!(
        by_nginx.iter().zip(&unmerged_by_nginx).any(|(a, b)| a != b),
        "merge_slashes changes no answer"
    );
}
