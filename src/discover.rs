//! Finding the files to lint: walking folders, recognising file names, skipping what users
//! never want linted.

use std::path::{Path, PathBuf};

use crate::formats::Format;

/// Folders never walked into.
const SKIPPED_DIRS: [&str; 3] = [".git", "node_modules", "target"];

/// A file to lint.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: PathBuf,
    /// As shown in reports: the path as reached from what the user typed, `/`-separated.
    pub name: String,
    /// None: a `*.conf` file (or an explicitly named file with an unknown name) that is nginx
    /// only if its content says so.
    pub format: Option<Format>,
    /// Named on the command line (linted whatever its name, and even if excluded).
    pub explicit: bool,
}

/// Something that went wrong finding files: reported, and the exit status is 2.
#[derive(Debug)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

/// Expands the paths given on the command line into candidates, in a stable order.
pub fn discover(
    paths: &[PathBuf],
    excluded: &mut dyn FnMut(&Path) -> bool,
) -> (Vec<Candidate>, Vec<WalkError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                errors.push(WalkError {
                    path: root.clone(),
                    message: io_message(&e),
                });
                continue;
            }
        };
        if meta.is_file() {
            out.push(Candidate {
                path: root.clone(),
                name: display(root),
                format: format_of(root),
                explicit: true,
            });
            continue;
        }
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() == 0
                    || !(e.file_type().is_dir()
                        && SKIPPED_DIRS.contains(&e.file_name().to_string_lossy().as_ref()))
            });
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    // Loops are impossible without following links; report what could not be read.
                    if let Some(path) = e.path() {
                        errors.push(WalkError {
                            path: path.to_path_buf(),
                            message: e
                                .io_error()
                                .map(io_message)
                                .unwrap_or_else(|| e.to_string()),
                        });
                    }
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            let format = Format::for_name(&name);
            let is_conf = name.ends_with(".conf");
            if format.is_none() && !is_conf {
                continue;
            }
            if excluded(path) {
                continue;
            }
            out.push(Candidate {
                path: path.to_path_buf(),
                name: display(path),
                format,
                explicit: false,
            });
        }
    }
    (out, errors)
}

fn format_of(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy();
    Format::for_name(&name)
}

/// `./samples/x` → `samples/x`, with forward slashes.
pub fn display(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut s = text.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

pub fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
