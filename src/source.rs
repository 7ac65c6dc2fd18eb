//! Source files, spans and the line/column index.
//!
//! Every finding points into a [`SourceFile`] through a [`Span`]: a file id and a byte range.
//! Lines are 1-based; columns are 1-based and counted in characters (Unicode scalar values),
//! which is what editors, SARIF (`unicodeCodePoints`) and GitHub annotations expect.

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: std::ops::Range<usize>) -> Span {
        Span {
            file,
            start: range.start as u32,
            end: range.end.max(range.start) as u32,
        }
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }

    /// The smallest span covering both (same file assumed).
    pub fn to(&self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A 1-based line and character column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// One file read for linting: its name as the user gave it, its text, and a line index.
#[derive(Debug)]
pub struct SourceFile {
    /// The path used to open the file (None for standard input).
    pub path: Option<PathBuf>,
    /// The name shown in reports, relative to the folder linted, with forward slashes.
    pub name: String,
    pub text: Arc<String>,
    /// Byte offsets of the lines (u32, like spans: a line index for every file of a
    /// repository is kept for the whole run).
    line_starts: Vec<u32>,
}

impl SourceFile {
    pub fn new(path: Option<PathBuf>, name: String, text: String) -> SourceFile {
        let mut line_starts = vec![0];
        line_starts.extend(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        line_starts.shrink_to_fit();
        SourceFile {
            path,
            name,
            text: Arc::new(text),
            line_starts,
        }
    }

    /// Line and character column of a byte offset (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let key = u32::try_from(offset).unwrap_or(u32::MAX);
        let line = match self.line_starts.binary_search(&key) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let column = self.text[start..offset].chars().count() + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// The text of the 1-based line `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(start) = self.line_start(line) else {
            return "";
        };
        let end = self.line_start(line + 1).unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// Byte offset of the start of a 1-based line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts
            .get(line.wrapping_sub(1))
            .map(|&start| start as usize)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    pub fn slice(&self, span: Span) -> &str {
        let r = span.range();
        self.text.get(r).unwrap_or("")
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `dir.canonicalize()`, from its parent's answer in `resolved` (filled as it goes): one
/// `lstat` per folder instead of resolving every component of every path again.
fn canonical_folder(
    dir: &Path,
    resolved: &mut FxHashMap<PathBuf, Option<PathBuf>>,
) -> Option<PathBuf> {
    if let Some(known) = resolved.get(dir) {
        return known.clone();
    }
    let plain_dir = dir.symlink_metadata().is_ok_and(|m| m.file_type().is_dir());
    let found = match (dir.parent(), dir.file_name()) {
        (Some(parent), Some(name)) if plain_dir && !parent.as_os_str().is_empty() => {
            canonical_folder(parent, resolved).map(|p| p.join(name))
        }
        _ => dir.canonicalize().ok(),
    };
    resolved.insert(dir.to_path_buf(), found.clone());
    found
}

/// Where a path leads: None for a folder (symlinks followed); else `path.canonicalize()`,
/// with the file's size when it is a plain file (for [`read_file`]). A plain file whose
/// folder is in `folders` (from [`Sources::canonical_folders`]) costs one
/// `symlink_metadata`: that folder and the file's name. A pure function, for files read in
/// parallel.
pub fn locate(
    path: &Path,
    folders: &FxHashMap<&Path, Option<PathBuf>>,
) -> std::io::Result<Option<(PathBuf, Option<u64>)>> {
    if let Ok(meta) = path.symlink_metadata() {
        if meta.is_dir() {
            return Ok(None);
        }
        if meta.file_type().is_file() {
            let folder = path.parent().and_then(|d| folders.get(d)?.as_deref());
            let canonical = match (folder, path.file_name()) {
                (Some(folder), Some(name)) => folder.join(name),
                _ => path.canonicalize()?,
            };
            return Ok(Some((canonical, Some(meta.len()))));
        }
    }
    // A symlink, or something stranger: resolved the long way.
    if path.is_dir() {
        return Ok(None);
    }
    Ok(Some((path.canonicalize()?, None)))
}

/// The whole of a file: `std::fs::read`, without asking the file its size again when
/// [`locate`] has told it. (A file that grew since is still read to its end.)
pub fn read_file(path: &Path, size: Option<u64>) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let Some(size) = size else {
        return std::fs::read(path);
    };
    let mut file = std::fs::File::open(path)?;
    // One byte of room past the size: the read that finds the end needs no more.
    let mut bytes = vec![0; usize::try_from(size).unwrap_or(0).saturating_add(1)];
    let mut filled = 0;
    loop {
        if filled == bytes.len() {
            bytes.resize(filled * 2, 0);
        }
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

/// All files read during one run. Formats add the files they reach (nginx includes).
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    /// The first file added with each path: [`Sources::find_path`] in constant time, so a
    /// repository of thousands of files is not read in quadratic time.
    by_path: FxHashMap<PathBuf, FileId>,
    /// What the run has learnt of the filesystem (see [`Sources::is_file`]).
    seen: FsMemo,
}

/// Answers from the filesystem, remembered for one run: readers probe the same few names
/// (`netlify.toml`, `.git`, ...) in the same folders for every file of a repository.
#[derive(Debug, Default)]
struct FsMemo {
    /// Whether a path is a file (`Some(true)`), something else (`Some(false)`), or nothing.
    kinds: FxHashMap<PathBuf, Option<bool>>,
    folders: FxHashMap<PathBuf, Option<PathBuf>>,
}

impl Sources {
    /// `std::fs::metadata(path)` reduced to "a file", "something else" or "nothing", asked
    /// once per run.
    fn kind(&mut self, path: &Path) -> Option<bool> {
        if let Some(&known) = self.seen.kinds.get(path) {
            return known;
        }
        let kind = std::fs::metadata(path).ok().map(|m| m.is_file());
        self.seen.kinds.insert(path.to_path_buf(), kind);
        kind
    }

    /// `path.is_file()`, asked once per run.
    pub fn is_file(&mut self, path: &Path) -> bool {
        self.kind(path) == Some(true)
    }

    /// `path.exists()`, asked once per run.
    pub fn exists(&mut self, path: &Path) -> bool {
        self.kind(path).is_some()
    }

    /// `dir.canonicalize()` for a folder, resolved once per run (from its parent's).
    pub fn canonical_folder(&mut self, dir: &Path) -> Option<PathBuf> {
        canonical_folder(dir, &mut self.seen.folders)
    }

    /// The canonical folders of `paths`, for [`locate`].
    pub fn canonical_folders<'p>(
        &mut self,
        paths: impl IntoIterator<Item = &'p Path>,
    ) -> FxHashMap<&'p Path, Option<PathBuf>> {
        let mut folders = FxHashMap::default();
        for path in paths {
            if let Some(dir) = path.parent() {
                folders
                    .entry(dir)
                    .or_insert_with(|| self.canonical_folder(dir));
            }
        }
        folders
    }

    /// `path.canonicalize()`, with each folder resolved once per run (from its parent).
    pub fn canonicalize(&mut self, path: &Path) -> Option<PathBuf> {
        let kind = path.symlink_metadata().ok()?.file_type();
        if kind.is_dir() {
            return self.canonical_folder(path);
        }
        match (kind.is_file(), path.parent(), path.file_name()) {
            (true, Some(dir), Some(name)) if !dir.as_os_str().is_empty() => {
                self.canonical_folder(dir).map(|d| d.join(name))
            }
            _ => path.canonicalize().ok(),
        }
    }

    pub fn add(&mut self, file: SourceFile) -> FileId {
        let id = FileId(self.files.len() as u32);
        if let Some(path) = &file.path {
            self.by_path.entry(path.clone()).or_insert(id);
        }
        self.files.push(file);
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn find_path(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Decodes file bytes. Invalid UTF-8 is replaced (so the rest can still be read) and the
/// offset of the first bad byte is returned, to be reported as `invalid-syntax`.
pub fn decode(bytes: Vec<u8>) -> (String, Option<usize>) {
    match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            (
                String::from_utf8_lossy(err.as_bytes()).into_owned(),
                Some(at),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_lines_from_one() {
        let f = SourceFile::new(None, "x".into(), "ab\nçé x\n".into());
        assert_eq!(f.position(0), Position { line: 1, column: 1 });
        assert_eq!(f.position(3), Position { line: 2, column: 1 });
        // 'x' is after two 2-byte characters and a space: byte 8, column 4.
        assert_eq!(f.position(8), Position { line: 2, column: 4 });
        assert_eq!(f.line_text(2), "çé x");
        assert_eq!(f.position(1000), Position { line: 3, column: 1 });
    }

    #[test]
    fn decode_reports_first_invalid_byte() {
        let (text, bad) = decode(b"ok\n\xff rest".to_vec());
        assert_eq!(bad, Some(3));
        assert!(text.ends_with(" rest"));
    }
}
