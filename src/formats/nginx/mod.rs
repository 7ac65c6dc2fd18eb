//! nginx: a faithful tokenizer and parser ([`parser`], [`syntax`]), `include` resolution and
//! `nginx -T` dumps ([`includes`], [`dump`]), then lowering to the model ([`lower`]).

mod deferred;
pub mod directives;
pub mod dump;
mod includes;
mod lower;
pub mod parser;
pub mod syntax;
mod validate;

use rustc_hash::FxHashSet;
use std::path::{Path, PathBuf};

use crate::model::{Document, Problem, ProblemKind, Site};
use crate::source::{FileId, Sources, Span};

/// Reads an nginx file (with everything it includes) into the model.
pub fn read(file: FileId, sources: &mut Sources) -> Document {
    read_expanded(file, expand(file, sources))
}

/// An nginx file with its includes read and spliced in: what [`read_expanded`] lowers.
/// Linting a folder expands each nginx file once, first to learn which files it includes
/// ([`Expanded::included_files`]), then to lint it.
pub struct Expanded {
    items: Vec<includes::Item>,
    problems: Vec<Problem>,
    suppressions: Vec<crate::model::Suppression>,
    visited: FxHashSet<PathBuf>,
}

impl Expanded {
    /// The files it includes (directly or not), as resolved paths: when a folder is linted,
    /// those are linted through the file that includes them, not on their own.
    pub fn included_files(&self) -> &FxHashSet<PathBuf> {
        &self.visited
    }

    /// How many `server` blocks it holds.
    pub fn servers(&self) -> usize {
        lower::server_count(&self.items)
    }
}

/// Parses an nginx file and everything it includes (adding those files to `sources`).
pub fn expand(file: FileId, sources: &mut Sources) -> Expanded {
    let mut expander = includes::Expander::new(file, sources);
    let items = expander.expand_root();
    let visited = expander.visited_paths();
    let (problems, suppressions) = expander.finish();
    Expanded {
        items,
        problems,
        suppressions,
        visited,
    }
}

/// Lowers an expanded nginx file into the model.
pub fn read_expanded(file: FileId, expanded: Expanded) -> Document {
    let (mut document, sites) = read_expanded_into(file, expanded, &|site| site);
    document.sites = sites;
    document
}

/// Lowers an expanded nginx file like [`read_expanded`], but hands each site to `take` as
/// soon as it is built, on the thread that built it, instead of keeping it: the document
/// comes back without sites, with `take`'s results in site order. `corslint check` checks
/// each server of a large tree this way while its model is fresh, and frees it there.
pub fn read_expanded_into<T: Send>(
    file: FileId,
    expanded: Expanded,
    take: &(dyn Fn(Site) -> T + Sync),
) -> (Document, Vec<T>) {
    let Expanded {
        mut items,
        mut problems,
        suppressions,
        ..
    } = expanded;
    let taken = if problems.iter().any(|p| p.kind == ProblemKind::Syntax) {
        // A file that does not parse is reported as such; nothing in it is judged.
        Vec::new()
    } else {
        let deferred = validate::validate(&items, &mut problems);
        crate::trace("validated");
        lower::lower(&mut items, file, &mut problems, &deferred, take)
    };
    let document = Document {
        sites: Vec::new(),
        problems,
        suppressions,
    };
    (document, taken)
}

/// The files an nginx file includes (directly or not), as resolved paths: when a folder is
/// linted, those are linted through the file that includes them, not on their own.
pub fn included_files(file: FileId, sources: &mut Sources) -> FxHashSet<PathBuf> {
    expand(file, sources).visited
}

/// Whether a text is nginx configuration: its directive names are nginx's. A text that does
/// not parse is judged by the first word of its lines, so that a broken nginx file is
/// reported as such instead of being skipped.
pub fn sniff(text: &str) -> bool {
    let Ok(config) = parser::parse(text) else {
        return sniff_lines(text);
    };
    let mut known = 0usize;
    let mut total = 0usize;
    let mut stack: Vec<&syntax::Directive> = config.directives.iter().collect();
    while let Some(d) = stack.pop() {
        total += 1;
        if directives::is_known(&d.name.value) {
            known += 1;
        }
        // Entries of map/types/geo bodies are keys, not directive names.
        if !parser::ENTRY_LIST_BLOCKS.contains(&d.name.value.as_str()) && d.name.value != "upstream"
        {
            stack.extend(d.children());
        }
    }
    // Only comments (a snippet whose directives are commented out) is nginx with nothing to
    // check.
    total == 0 || known * 10 >= total * 8
}

fn sniff_lines(text: &str) -> bool {
    let mut known = 0usize;
    let mut total = 0usize;
    for line in text.lines().take(2000) {
        let line = line.trim_start_matches([' ', '\t', '}']).trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !(line.ends_with(';') || line.ends_with('{')) {
            continue;
        }
        let word = line
            .split(|c: char| c.is_whitespace() || c == ';' || c == '{')
            .next()
            .unwrap_or("");
        total += 1;
        if directives::is_known(word) {
            known += 1;
        }
    }
    total >= 2 && known * 10 >= total * 6
}

/// A problem at a byte range of a file.
fn problem(kind: ProblemKind, span: Span, message: String, help: Option<&str>) -> Problem {
    Problem {
        kind,
        span,
        message,
        help: help.map(str::to_string),
    }
}

/// The folder relative include paths are taken from: nginx takes them from its prefix, the
/// folder of the main `nginx.conf`. For a file linted on its own (a `conf.d` snippet), that is
/// the nearest folder above it that holds an `nginx.conf`, else the file's own folder.
fn base_dir(path: Option<&Path>) -> PathBuf {
    let own = path
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    own.ancestors()
        .take(4)
        .find(|dir| dir.join("nginx.conf").is_file())
        .map(Path::to_path_buf)
        .unwrap_or(own)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_tells_nginx_from_other_conf_files() {
        assert!(sniff("server { listen 80; location / { root /srv; } }"));
        assert!(sniff("fastcgi_param QUERY_STRING $query_string;\n"));
        assert!(!sniff("[section]\nkey = value\n"));
        assert!(!sniff("foo bar;\nbaz qux;\n"));
        assert!(sniff(
            "# limit_req_zone $binary_remote_addr zone=one:10m rate=30r/s;"
        ));
        // Broken nginx is still nginx (and gets its syntax error reported).
        assert!(sniff(
            "server {\n    listen 80\n    location / {\n        root /srv;\n}\n"
        ));
    }
}
