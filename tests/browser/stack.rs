//! The servers one scenario runs on, all on 127.0.0.1: the page's origin (serves the page
//! whose script makes the request), the stand-in backend (answers every request with the
//! scenario's status), and the API (the configuration under test).
//!
//! For nginx scenarios all three are server blocks of one nginx, started as
//! `nginx -p DIR -c nginx.conf -g 'daemon off;'` with `master_process off` (one process, so
//! killing it leaves no workers behind) and every path inside DIR.

use std::path::{Path, PathBuf};

use super::process::{self, Guard};
use super::scenario::{Platform, Scenario, Values};

/// The file the API's configuration is written to: what nginx loads and corslint lints.
pub const API_CONF: &str = "api.conf";

/// Running servers; dropping it stops them.
pub struct Running {
    pub values: Values,
    /// The configuration file corslint is given.
    pub config: PathBuf,
    _servers: Vec<Guard>,
}

/// Starts the servers for `scenario` in `dir`, retrying with new ports when one was taken
/// between choosing it and nginx binding it.
pub fn start(nginx: &Path, scenario: &Scenario, dir: &Path) -> Result<Running, String> {
    let mut last = String::new();
    for _ in 0..3 {
        let ports = process::free_ports(4)?;
        let values = Values {
            page_port: ports[0],
            api_port: ports[1],
            backend_port: ports[2],
            other_port: ports[3],
            dir: dir.to_path_buf(),
        };
        match start_api(nginx, scenario, &values) {
            Ok(running) => return Ok(running),
            Err(e) if e.contains("Address already in use") => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

fn start_api(nginx: &Path, scenario: &Scenario, values: &Values) -> Result<Running, String> {
    match scenario.platform {
        Platform::Nginx => start_nginx(nginx, scenario, values),
        // Firebase (issue 6 part 5): write `firebase.json` and the public folder, start
        // `superstatic serve DIR --port {api_port} --config firebase.json` as a second
        // Guard, and run the page and backend from the same nginx as below.
    }
}

fn start_nginx(nginx: &Path, scenario: &Scenario, values: &Values) -> Result<Running, String> {
    let dir = &values.dir;
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write(API_CONF, &scenario.fill(&scenario.config, values))?;
    for (name, text) in &scenario.files {
        write(name, &scenario.fill(text, values))?;
    }
    write("page/index.html", &page(scenario, values))?;
    write("nginx.conf", &nginx_conf(scenario, values))?;
    std::fs::create_dir_all(dir.join("tmp")).map_err(|e| e.to_string())?;

    let ports = [values.page_port, values.api_port, values.backend_port];
    let guard = process::start_nginx(nginx, dir, &ports)?;
    Ok(Running {
        values: values.clone(),
        config: dir.join(API_CONF),
        _servers: vec![guard],
    })
}

fn nginx_conf(scenario: &Scenario, values: &Values) -> String {
    let dir = values.dir.display();
    let status = scenario.request.backend_status;
    let backend_answer = match status {
        204 | 304 => format!("return {status};"),
        300..=399 => format!("return {status} /;"),
        _ => format!("return {status} \"backend answered {status}\\n\";"),
    };
    format!(
        r#"# Written by tests/browser (corslint's browser oracle) for scenario {name}.
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log notice;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/tmp/client_body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    default_type application/octet-stream;
    types {{ text/html html; }}

    # The page's origin.
    server {{
        listen 127.0.0.1:{page};
        root {dir}/page;
        index index.html;
        add_header Cache-Control no-store;
    }}

    # The stand-in backend: every request gets the scenario's status, no CORS headers.
    server {{
        listen 127.0.0.1:{backend};
        default_type text/plain;
        location / {{ {backend_answer} }}
    }}

    # The API: the scenario's configuration.
    include {dir}/{api};
}}
"#,
        name = scenario.name,
        page = values.page_port,
        backend = values.backend_port,
        api = API_CONF,
    )
}

/// The page: one `fetch()` with the scenario's request; the outcome goes into the DOM as
/// `CORSLINT-OUTCOME ok STATUS END` or `CORSLINT-OUTCOME error NAME: MESSAGE END`.
fn page(scenario: &Scenario, values: &Values) -> String {
    let r = &scenario.request;
    let mut init = serde_json::Map::new();
    init.insert("method".into(), r.method.clone().into());
    let headers: Vec<serde_json::Value> = r
        .header_pairs()
        .into_iter()
        .map(|(n, v)| serde_json::json!([n, v]))
        .collect();
    init.insert("headers".into(), headers.into());
    if r.credentials {
        init.insert("credentials".into(), "include".into());
    }
    if let Some(body) = &r.body {
        init.insert("body".into(), body.clone().into());
    }
    let script_json = |v: serde_json::Value| v.to_string().replace("</", "<\\/");
    let url = script_json(values.api_url(&r.path).into());
    let init = script_json(init.into());
    if r.sandboxed {
        // The fetch runs in a sandboxed iframe (origin `null`) and posts its outcome up.
        let inner = format!(
            "<script>const post = (text) => parent.postMessage(text, \"*\");\n\
             fetch({url}, {init}).then((response) => post(\"ok \" + response.status))\
             .catch((error) => post(\"error \" + error.name + \": \" + error.message));</script>"
        );
        let srcdoc = inner
            .replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        return format!(
            r#"<!doctype html>
<html><head><meta charset="utf-8"><title>corslint browser oracle: {name}</title></head>
<body><pre id="outcome">CORSLINT-OUTCOME pending END</pre>
<script>
window.addEventListener("message", (event) => {{
  document.getElementById("outcome").textContent = "CORSLINT-OUTCOME " + event.data + " END";
}});
</script>
<iframe sandbox="allow-scripts" srcdoc="{srcdoc}"></iframe>
</body></html>
"#,
            name = scenario.name,
        );
    }
    format!(
        r#"<!doctype html>
<html><head><meta charset="utf-8"><title>corslint browser oracle: {name}</title></head>
<body><pre id="outcome">CORSLINT-OUTCOME pending END</pre>
<script>
const show = (text) => {{ document.getElementById("outcome").textContent = "CORSLINT-OUTCOME " + text + " END"; }};
fetch({url}, {init})
  .then((response) => show("ok " + response.status))
  .catch((error) => show("error " + error.name + ": " + error.message));
</script></body></html>
"#,
        name = scenario.name,
    )
}
