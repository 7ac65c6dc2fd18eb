//! nginx itself as the oracle for the server `corslint simulate` sends a request to.
//!
//! Servers on three ports, named every way nginx names servers (exact names, `*.` and `.`
//! wildcards, `.*` wildcards, regexes, the same name on two ports, a `default_server` on some
//! ports and none on another), run in a real nginx on loopback; each answers with its own
//! name. Every probe (a port and a `Host`) is sent to nginx, and the server that answered is
//! compared with the one `corslint simulate` picks for `http://HOST:PORT/` from the same
//! configuration.
//!
//! Runs when `CORSLINT_BROWSER=1` (`.ci/run` sets it; then a missing nginx is a failure).
//! Locally: `CORSLINT_BROWSER=1 cargo test --test nginx_servers -- --nocapture`.

#[path = "support/process.rs"]
#[allow(dead_code)]
mod process;

use std::path::Path;

use corslint::simulate::{Scenario, simulate};
use corslint::{Input, lint};

/// Each server: the ports it listens on (indexes into the three ports, and whether that
/// `listen` says `default_server`) and its `server_name`s. Server N answers `server-N`.
const SERVERS: [(&[(usize, bool)], &str); 12] = [
    (&[(0, false)], "exact.example"),
    (&[(0, false), (1, false)], "*.example.com"),
    (&[(0, false)], ".wild.example"),
    (&[(0, false)], "www.example.*"),
    (&[(0, true)], r"~^(?<tenant>\w+)\.tenant\.example$"),
    (&[(1, false)], "exact.example"),
    (&[(1, false)], r"~^v\d+\.api\.example$"),
    (&[(1, false)], "default-b.invalid"),
    (&[(0, false)], "a.b.example.com"),
    (&[(0, false)], "*.b.example.com"),
    (&[(2, false)], "c1.example"),
    // Not the default server of port 2 for being port 1's.
    (&[(2, false), (1, true)], "c2.example"),
];

/// Requests: the port (an index) and the `Host` sent.
const PROBES: [(usize, &str); 23] = [
    (0, "exact.example"),
    (0, "EXACT.example"),
    (0, "x.example.com"),
    (0, "a.b.example.com"),
    (0, "deep.b.example.com"),
    (0, "wild.example"),
    (0, "x.wild.example"),
    (0, "www.example.org"),
    (0, "www.example.com"),
    (0, "acme.tenant.example"),
    (0, "v2.api.example"),
    (0, "unknown.invalid"),
    (1, "exact.example"),
    (1, "api1.example.com"),
    (1, "v2.api.example"),
    (1, "v2x.api.example"),
    (1, "www.example.org"),
    (1, "acme.tenant.example"),
    (1, "unknown.invalid"),
    (1, "default-b.invalid"),
    (2, "c2.example"),
    (2, "unknown.invalid"),
    (2, "exact.example"),
];

fn name(i: usize) -> String {
    format!("server-{i}")
}

/// The servers' configuration on `ports`; server N takes five lines, from line 5 N + 1.
fn servers(ports: &[u16]) -> String {
    let mut conf = String::new();
    for (i, (listens, server_name)) in SERVERS.iter().enumerate() {
        let listen: Vec<String> = listens
            .iter()
            .map(|&(port, default)| {
                let default = if default { " default_server" } else { "" };
                format!("listen 127.0.0.1:{}{default};", ports[port])
            })
            .collect();
        conf.push_str(&format!(
            "server {{\n    {}\n    server_name {server_name};\n    return 200 \"{}\";\n}}\n",
            listen.join(" "),
            name(i)
        ));
    }
    conf
}

/// The body nginx answers a GET of `/` on `port` with `Host: host`.
fn get(port: u16, host: &str) -> Result<String, String> {
    match process::http_get(port, host, "/")? {
        (head, body) if head.starts_with("HTTP/1.1 200") => Ok(body),
        (head, _) => Err(format!("{host} on {port}: {head}")),
    }
}

/// The server nginx answers each probe from.
fn nginx_servers(nginx: &Path, dir: &Path, ports: &[u16]) -> Result<Vec<String>, String> {
    let conf = process::oracle_nginx_conf(dir, &servers(ports));
    std::fs::create_dir_all(dir.join("tmp")).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("nginx.conf"), conf).map_err(|e| e.to_string())?;
    let _nginx = process::start_nginx(nginx, dir, ports)?;
    PROBES
        .iter()
        .map(|&(port, host)| get(ports[port], host))
        .collect()
}

/// The server `corslint simulate` picks for each probe, by the line its output names.
fn corslint_servers(ports: &[u16]) -> Vec<String> {
    let text = servers(ports);
    let report = lint(
        &[Input::Stdin {
            name: "servers.conf".into(),
            text: text.clone(),
        }],
        &Default::default(),
    );
    let sites: Vec<_> = report.documents.iter().flat_map(|d| &d.sites).collect();
    assert_eq!(sites.len(), SERVERS.len(), "every server read");
    PROBES
        .iter()
        .map(|&(port, host)| {
            let scenario = Scenario {
                origin: "https://app.example".into(),
                method: "GET".into(),
                headers: Vec::new(),
                credentials: false,
                url: format!("http://{host}:{}/", ports[port]),
                status: 200,
            };
            let outcome = simulate(&sites, &scenario, &report.sources)
                .unwrap_or_else(|e| panic!("{host}: {e}"));
            assert!(outcome.site_notes.is_empty(), "{:?}", outcome.site_notes);
            let line: usize = outcome
                .site
                .rsplit_once(':')
                .and_then(|(_, line)| line.trim_end_matches(')').parse().ok())
                .unwrap_or_else(|| panic!("no line in {:?}", outcome.site));
            name((line - 1) / 5)
        })
        .collect()
}

#[test]
fn corslint_picks_the_server_nginx_picks() {
    let Some(nginx) = process::oracle_nginx("nginx server oracle", "nginx_servers") else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary folder");
    let ports = process::free_ports(3).unwrap_or_else(|e| panic!("{e}"));
    let by_nginx = nginx_servers(&nginx, dir.path(), &ports).unwrap_or_else(|e| panic!("{e}"));
    let by_corslint = corslint_servers(&ports);
    let mut report = String::new();
    let mut differ = 0;
    for ((&(port, host), nginx), corslint) in PROBES.iter().zip(&by_nginx).zip(&by_corslint) {
        let mark = if nginx == corslint { "  " } else { "!!" };
        differ += usize::from(nginx != corslint);
        report.push_str(&format!(
            "{mark} port {port} {host:22} nginx {nginx:10} corslint {corslint}\n"
        ));
    }
    process::show(&report);
    assert_eq!(
        differ, 0,
        "corslint and nginx pick different servers:\n{report}"
    );
    // Every server answers some probe, so each way of naming one is compared.
    for i in 0..SERVERS.len() {
        assert!(by_nginx.contains(&name(i)), "no probe reaches {}", name(i));
    }
}
