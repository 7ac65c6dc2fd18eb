//! Splitting `nginx -T` output into its files.
//!
//! `nginx -T` prints, for every configuration file it read (each once):
//!
//! ```text
//! # configuration file /etc/nginx/nginx.conf:
//! <the file's text>
//! <one LF added by nginx>
//! ```
//!
//! When stderr is captured too, the dump usually starts with lines such as
//! `nginx: the configuration file /etc/nginx/nginx.conf syntax is ok` and
//! `nginx: configuration file /etc/nginx/nginx.conf test is successful`
//! (or `nginx: [warn] ...`); those are skipped.

use std::ops::Range;

/// One file of an `nginx -T` dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpFile {
    /// The path printed in the `# configuration file PATH:` line.
    pub path: String,
    /// Byte range of the file's text inside the dump: from the line after the
    /// header up to the next header, without the one LF that nginx adds after
    /// each file.
    pub range: Range<usize>,
}

const HEADER: &str = "# configuration file ";

/// The path of a `# configuration file PATH:` line (line end removed).
fn header_path(line: &str) -> Option<&str> {
    let path = line.strip_prefix(HEADER)?.strip_suffix(':')?;
    (!path.is_empty()).then_some(path)
}

/// Splits `nginx -T` output into its files. Returns `None` when `text` is not
/// such a dump: it must start (after optional `nginx: ...` lines and blank
/// lines) with a `# configuration file PATH:` line.
pub fn split_dump(text: &str) -> Option<Vec<DumpFile>> {
    let mut files = Vec::new();
    let mut current: Option<(String, usize)> = None;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let line_start = pos;
        pos += line.len();
        let content = line.strip_suffix('\n').unwrap_or(line);
        let content = content.strip_suffix('\r').unwrap_or(content);
        if let Some(path) = header_path(content) {
            if let Some((p, start)) = current.take() {
                files.push(file(text, p, start, line_start));
            }
            current = Some((path.to_owned(), pos));
        } else if current.is_none()
            && !(content.trim().is_empty() || content.starts_with("nginx: "))
        {
            return None;
        }
    }
    if let Some((p, start)) = current {
        files.push(file(text, p, start, text.len()));
    }
    (!files.is_empty()).then_some(files)
}

fn file(text: &str, path: String, start: usize, end: usize) -> DumpFile {
    let end = if end > start && text.as_bytes()[end - 1] == b'\n' {
        end - 1
    } else {
        end
    };
    DumpFile {
        path,
        range: start..end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_dump() {
        let dump = concat!(
            "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n",
            "nginx: configuration file /etc/nginx/nginx.conf test is successful\n",
            "# configuration file /etc/nginx/nginx.conf:\n",
            "user nginx;\n",
            "http { include /etc/nginx/conf.d/*.conf; }\n",
            "\n",
            "# configuration file /etc/nginx/conf.d/default.conf:\n",
            "server { listen 80; }\n",
            "\n",
            "# configuration file /etc/nginx/no-newline.conf:\n",
            "x 1;\n",
        );
        let files = split_dump(dump).unwrap();
        let got: Vec<(&str, &str)> = files
            .iter()
            .map(|f| (f.path.as_str(), &dump[f.range.clone()]))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "/etc/nginx/nginx.conf",
                    "user nginx;\nhttp { include /etc/nginx/conf.d/*.conf; }\n"
                ),
                ("/etc/nginx/conf.d/default.conf", "server { listen 80; }\n"),
                ("/etc/nginx/no-newline.conf", "x 1;"),
            ]
        );
        // Each part parses on its own, with spans relative to the part.
        for f in &files {
            super::super::parser::parse(&dump[f.range.clone()]).unwrap();
        }
    }

    #[test]
    fn dump_without_preamble_and_crlf_headers() {
        let dump = "# configuration file /a.conf:\r\nx;\r\n\n# configuration file /b.conf:\n";
        let files = split_dump(dump).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[0].path, "/a.conf");
        assert_eq!(&dump[files[0].range.clone()], "x;\r\n");
        assert_eq!(files[1].path, "/b.conf");
        assert_eq!(files[1].range, dump.len()..dump.len());
    }

    #[test]
    fn not_a_dump() {
        assert_eq!(split_dump(""), None);
        assert_eq!(
            split_dump("user nginx;\n# configuration file /a.conf:\n"),
            None
        );
        assert_eq!(split_dump("nginx: [emerg] unknown directive \"x\"\n"), None);
        assert_eq!(split_dump("# configuration file :\nx;\n"), None);
        assert_eq!(split_dump("# a comment\nhttp {}\n"), None);
    }
}
