//! Processes the oracle starts: each in its own process group, with its output in files, a
//! bounded wait, and a guard that kills the whole group when it goes out of scope (also when
//! a scenario fails or panics).

use std::fs::File;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A started process; dropping it kills its process group.
pub struct Guard {
    child: Child,
    name: String,
    done: bool,
}

impl Guard {
    /// Starts `command` in a new process group, standard output and error into files.
    pub fn spawn(
        mut command: Command,
        name: &str,
        stdout: &Path,
        stderr: &Path,
    ) -> Result<Guard, String> {
        let out = File::create(stdout).map_err(|e| format!("{}: {e}", stdout.display()))?;
        let err = File::create(stderr).map_err(|e| format!("{}: {e}", stderr.display()))?;
        command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        Ok(Guard {
            child,
            name: name.to_string(),
            done: false,
        })
    }

    /// Whether it has exited (and how).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        match self.child.try_wait() {
            Ok(Some(status)) => {
                self.done = true;
                Some(status)
            }
            _ => None,
        }
    }

    /// Waits at most `limit` for the process to exit.
    pub fn wait(&mut self, limit: Duration) -> Result<ExitStatus, String> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.exited() {
                // Children it left behind (Chromium's helpers) go with the group.
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
        if !self.done {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// SIGKILL to the process group `pgid` (the group leader's pid); quiet when it is gone.
fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Runs a short command to completion within `limit`; returns exit code, stdout, stderr.
pub fn run(
    command: Command,
    name: &str,
    dir: &Path,
    limit: Duration,
) -> Result<(i32, String, String), String> {
    let out = dir.join(format!("{name}.stdout"));
    let err = dir.join(format!("{name}.stderr"));
    let mut guard = Guard::spawn(command, name, &out, &err)?;
    let status = guard.wait(limit)?;
    Ok((status.code().unwrap_or(-1), read(&out), read(&err)))
}

/// A file's text, empty when it cannot be read.
pub fn read(path: &Path) -> String {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// `n` distinct free ports on 127.0.0.1 (bound together, so the kernel hands out distinct
/// ones, then released for nginx to take).
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

/// Whether something accepts connections on 127.0.0.1:`port`.
pub fn listening(port: u16) -> bool {
    TcpStream::connect_timeout(
        &(Ipv4Addr::LOCALHOST, port).into(),
        Duration::from_millis(200),
    )
    .is_ok()
}

/// An executable: `$VAR` if set (None when it names no file), else the first of `names` found on `PATH` or in `extra`.
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
