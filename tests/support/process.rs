//! Processes the oracle tests start (nginx, node, superstatic, Python's http.server,
//! Chromium): each in its own process group, output in files, bounded waits, and a guard that
//! kills the group when dropped, also when a test fails or panics. Shared by the browser,
//! Firebase and platform oracle suites.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A started process; dropping it kills its whole process group.
pub struct Guard {
    child: Child,
    name: String,
}

impl Guard {
    /// Starts `command` in a new process group; standard input gets `input` (then closes),
    /// standard output and error go to files.
    pub fn spawn(
        mut command: Command,
        name: &str,
        input: Option<&[u8]>,
        stdout: &Path,
        stderr: &Path,
    ) -> Result<Guard, String> {
        let out = File::create(stdout).map_err(|e| format!("{}: {e}", stdout.display()))?;
        let err = File::create(stderr).map_err(|e| format!("{}: {e}", stderr.display()))?;
        command
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(out)
            .stderr(err)
            .process_group(0);
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        if let (Some(bytes), Some(mut stdin)) = (input, child.stdin.take()) {
            stdin
                .write_all(bytes)
                .map_err(|e| format!("{name}: writing its input: {e}"))?;
        }
        Ok(Guard {
            child,
            name: name.to_string(),
        })
    }

    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits at most `limit` for the process to exit, then kills what it left behind.
    pub fn wait(&mut self, limit: Duration) -> Result<ExitStatus, String> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.exited() {
                kill_group(self.child.id());
                return Ok(status);
            }
            if start.elapsed() > limit {
                return Err(format!(
                    "{} did not finish within {} s",
                    self.name,
                    limit.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        kill_group(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// SIGKILL to the process group whose leader is `pgid`; quiet when it is gone.
fn kill_group(pgid: u32) {
    // A pid of 0 or 1 would name our own group or every process: never send those.
    if pgid <= 1 {
        return;
    }
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Runs a command to completion within `limit`, with `input` on standard input; returns the
/// exit code, standard output and standard error.
pub fn run(
    command: Command,
    name: &str,
    input: Option<&[u8]>,
    dir: &Path,
    limit: Duration,
) -> Result<(i32, String, String), String> {
    let out = dir.join(format!("{name}.stdout"));
    let err = dir.join(format!("{name}.stderr"));
    let mut guard = Guard::spawn(command, name, input, &out, &err)?;
    let status = guard.wait(limit)?;
    Ok((status.code().unwrap_or(-1), read(&out), read(&err)))
}

pub fn read(path: &Path) -> String {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// Starts nginx on `DIR/nginx.conf` (`nginx -p DIR -c nginx.conf -g 'daemon off;'`, errors
/// in `DIR/error.log`; the configuration should say `master_process off`, so that killing
/// the one process leaves no workers behind) and waits until it listens on every port.
pub fn start_nginx(nginx: &Path, dir: &Path, ports: &[u16]) -> Result<Guard, String> {
    let mut command = Command::new(nginx);
    command
        .arg("-p")
        .arg(dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .args(["-g", "daemon off;"]);
    let mut guard = Guard::spawn(
        command,
        "nginx",
        None,
        &dir.join("nginx.stdout"),
        &dir.join("nginx.stderr"),
    )?;
    let start = Instant::now();
    while !ports.iter().all(|p| listening(*p)) {
        if let Some(status) = guard.exited() {
            return Err(format!(
                "nginx exited ({status}):\n{}{}",
                read(&dir.join("nginx.stderr")),
                read(&dir.join("error.log"))
            ));
        }
        if start.elapsed() > Duration::from_secs(10) {
            return Err(format!(
                "nginx did not listen on {ports:?} within 10 s:\n{}",
                read(&dir.join("error.log"))
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(guard)
}

/// `n` distinct free ports on 127.0.0.1.
pub fn free_ports(n: usize) -> Result<Vec<u16>, String> {
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("cannot bind a loopback port: {e}"))?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())
}

pub fn listening(port: u16) -> bool {
    TcpStream::connect_timeout(
        &(Ipv4Addr::LOCALHOST, port).into(),
        Duration::from_millis(200),
    )
    .is_ok()
}

/// An executable: `$VAR` if set (None when it names no file), else the first of `names` found
/// on `PATH` or in `extra`.
pub fn find_tool(var: &str, names: &[&str], extra: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path)
        .chain(extra.iter().map(PathBuf::from))
        .collect();
    names
        .iter()
        .flat_map(|n| dirs.iter().map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

/// The npm folder with the platforms' packages (`npm ci --prefix tests/oracles`).
pub fn oracles_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracles")
}

/// Checks that node and the named packages are installed; the error says how to install.
pub fn require_node(packages: &[&str]) -> Result<PathBuf, String> {
    let node = find_tool("CORSLINT_NODE", &["node"], &[])
        .ok_or("node not found (install Node.js 20, or set CORSLINT_NODE)")?;
    let modules = oracles_dir().join("node_modules");
    for p in packages {
        if !modules.join(p).join("package.json").is_file() {
            return Err(format!(
                "the npm package {p} is not installed in tests/oracles: run \
                 `npm ci --prefix tests/oracles`"
            ));
        }
    }
    Ok(node)
}

/// Written straight to standard error, so the log shows it even when the test passes.
pub fn show(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// The nginx a real-nginx oracle test runs: when `CORSLINT_BROWSER=1` (`.ci/run` sets it; a
/// missing nginx is then a failure). Otherwise None, after saying how to run `test`.
pub fn oracle_nginx(what: &str, test: &str) -> Option<PathBuf> {
    if std::env::var("CORSLINT_BROWSER").as_deref() != Ok("1") {
        show(&format!(
            "{what}: did not run. It needs nginx and runs when CORSLINT_BROWSER=1 (.ci/run sets \
             it): CORSLINT_BROWSER=1 cargo test --test {test} -- --nocapture\n"
        ));
        return None;
    }
    let nginx = find_tool("CORSLINT_NGINX", &["nginx"], &["/usr/sbin"])
        .expect("CORSLINT_BROWSER=1, and nginx is not installed (apt-get install nginx)");
    Some(nginx)
}

/// An `nginx.conf` for one nginx process whose files are all in `dir` (no master process, no
/// access log), with `servers` in its `http` block.
pub fn oracle_nginx_conf(dir: &Path, servers: &str) -> String {
    format!(
        "master_process off;\npid {dir}/nginx.pid;\nevents {{}}\nhttp {{\n    access_log off;\n    \
         client_body_temp_path {dir}/tmp;\n    proxy_temp_path {dir}/tmp;\n    \
         fastcgi_temp_path {dir}/tmp;\n    uwsgi_temp_path {dir}/tmp;\n    scgi_temp_path {dir}/tmp;\n{servers}}}\n",
        dir = dir.display()
    )
}

/// `GET path HTTP/1.0` with `Host: host` on a loopback port, sent exactly as written: the
/// response's head and body.
pub fn http_get(port: u16, host: &str, path: &str) -> Result<(String, String), String> {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no HTTP response: {response:?}"))?;
    Ok((head.to_string(), body.to_string()))
}
