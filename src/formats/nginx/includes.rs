//! `include` resolution: parse each file once, splice included directives in place, with
//! file-relative spans turned into [`Span`]s. Relative paths are taken from the folder of
//! the file linted (nginx's prefix); globs are sorted; a glob matching nothing is silent; a
//! literal path that cannot be read is reported; a cycle is reported, not followed.
//! `nginx -T` dumps are read as the set of files they contain.

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use compact_str::CompactString;

use super::deferred::Deferred;
use super::dump::{DumpFile, split_dump};
use super::parser::{Build, parse, parse_with};
use super::syntax::{ByteRange, Comment, Config, Directive, Quote, Word};
use super::{base_dir, problem};
use crate::model::{Problem, ProblemKind, Suppression};
use crate::source::{FileId, SourceFile, Sources, Span};

/// Include nesting beyond this is reported (and not followed).
const MAX_INCLUDE_DEPTH: usize = 32;
/// Blocks nested beyond this, across included files, are reported (and not followed).
const MAX_TOTAL_DEPTH: usize = 256;

/// A directive with spans resolved to files and includes spliced in.
#[derive(Debug, Clone)]
pub struct Item {
    pub name: Arg,
    /// Boxed slices, not vectors: a large tree has hundreds of thousands of items, all in
    /// memory until lowered.
    pub args: Box<[Arg]>,
    pub span: Span,
    pub block: Option<Box<[Item]>>,
    /// The block of a top-level `server` of a file read through an include glob, held as
    /// its place in the text until the server is lowered ([`Deferred::decode`]); `block` is
    /// then None.
    pub deferred: Option<Box<Deferred>>,
}

#[derive(Debug, Clone)]
pub struct Arg {
    pub value: CompactString,
    pub span: Span,
    pub quoted: bool,
}

impl Item {
    pub fn name(&self) -> &str {
        &self.name.value
    }

    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|a| a.value.as_str())
    }

    /// The items of its block; empty for a block still [`Item::deferred`].
    pub fn children(&self) -> &[Item] {
        self.block.as_deref().unwrap_or(&[])
    }

    /// Whether it has a block, held as items or as text.
    pub fn has_block(&self) -> bool {
        self.block.is_some() || self.deferred.is_some()
    }
}

/// A parsed file: its text's directives and where they sit.
struct Parsed {
    file: FileId,
    /// Offset of the parsed text inside the file (non-zero for a file inside a dump).
    base: usize,
    config: Config,
}

/// A file that includes nothing, turned into items as soon as it was parsed.
struct Converted {
    items: Vec<Item>,
    problems: Vec<Problem>,
    /// Its suppression comments (the others are dropped with the tree).
    comments: Vec<Comment>,
}

/// One target of an include, in order, on its way to items.
enum Pending {
    Converted(Converted),
    Parsed((FileId, usize), Mutex<Option<Arc<Parsed>>>),
}

pub struct Expander<'s> {
    root: FileId,
    sources: &'s mut Sources,
    base_dir: PathBuf,
    /// Files of an `nginx -T` dump, by path: (range in the dump).
    dump: Option<Vec<DumpFile>>,
    /// Each file's parse (None: it does not parse), kept only while an expansion uses it:
    /// a file included once, as from `conf.d/*.conf`, does not keep its syntax tree alive
    /// next to its expanded items. A file included again is parsed again, silently (its
    /// problems and suppressions were recorded the first time).
    parsed: FxHashMap<(FileId, usize), Option<Weak<Parsed>>>,
    /// Parses done ahead, in parallel, for the files of one include glob; taken by
    /// [`Expander::parse_at`], which records their problems in the usual order.
    preparsed: FxHashMap<(FileId, usize), Result<Config, super::syntax::ParseError>>,
    /// Files of one include glob that include nothing themselves (the usual
    /// `conf.d/*.conf`), parsed straight into items in one parallel pass (no syntax tree is
    /// built for them); taken by [`Expander::include`].
    preconverted: FxHashMap<(FileId, usize), Converted>,
    problems: Vec<Problem>,
    suppressions: Vec<Suppression>,
    visited: FxHashSet<PathBuf>,
    /// The include chain being expanded (file and base), for cycle detection.
    chain: Vec<(FileId, usize)>,
    /// Where the directives being expanded are.
    nesting: Nesting,
}

/// Where directives are, for the `server` blocks among them: at the top level or in an
/// `http` block at the top level they become sites, and the servers of a glob's files
/// included there are held as text until lowered ([`Items::deferring_servers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nesting {
    Top,
    TopHttp,
    Deeper,
}

impl Nesting {
    fn servers_are_sites(self) -> bool {
        matches!(self, Nesting::Top | Nesting::TopHttp)
    }

    /// The nesting of the directives of a `name` block found here.
    fn inside(self, name: &str) -> Nesting {
        if self == Nesting::Top && name == "http" {
            Nesting::TopHttp
        } else {
            Nesting::Deeper
        }
    }
}

impl<'s> Expander<'s> {
    pub fn new(root: FileId, sources: &'s mut Sources) -> Expander<'s> {
        let base_dir = base_dir(sources.get(root).path.as_deref());
        Expander {
            root,
            sources,
            base_dir,
            dump: None,
            parsed: FxHashMap::default(),
            preparsed: FxHashMap::default(),
            preconverted: FxHashMap::default(),
            problems: Vec::new(),
            suppressions: Vec::new(),
            visited: FxHashSet::default(),
            chain: Vec::new(),
            nesting: Nesting::Top,
        }
    }

    pub fn expand_root(&mut self) -> Vec<Item> {
        let text = self.sources.get(self.root).text.clone();
        self.dump = split_dump(&text);
        let (base, label) = match &self.dump {
            // A dump's first file is the main configuration.
            Some(files) if !files.is_empty() => (files[0].range.start, files[0].path.clone()),
            _ => (0, String::new()),
        };
        if !label.is_empty()
            && let Some(dir) = Path::new(&label).parent()
        {
            self.base_dir = dir.to_path_buf();
        }
        let Some(parsed) = self.parse_at(self.root, base) else {
            return Vec::new();
        };
        self.chain.push((self.root, base));
        let items = self.expand(&parsed, &parsed.config.directives, 0);
        self.chain.pop();
        items
    }

    pub fn finish(self) -> (Vec<Problem>, Vec<Suppression>) {
        (self.problems, self.suppressions)
    }

    /// The files read through includes (taken: call once, after [`Expander::expand_root`]).
    pub fn visited_paths(&mut self) -> FxHashSet<PathBuf> {
        std::mem::take(&mut self.visited)
    }

    /// Parses (once) the text of `file` that starts at `base` (the whole file, or one file of
    /// a dump). Records a syntax problem and returns None when it does not parse.
    fn parse_at(&mut self, file: FileId, base: usize) -> Option<Arc<Parsed>> {
        if let Some(seen) = self.parsed.get(&(file, base)) {
            let weak = seen.clone()?;
            return weak.upgrade().or_else(|| {
                let text = self.sources.get(file).text.clone();
                let end = self.text_end(file, base, text.len());
                let config = parse(&text[base..end]).ok()?;
                Some(Arc::new(Parsed { file, base, config }))
            });
        }
        let text = self.sources.get(file).text.clone();
        let end = self.text_end(file, base, text.len());
        let parsed = match self.preparsed.remove(&(file, base)) {
            Some(done) => done,
            None => parse(&text[base..end]),
        };
        let result = match parsed {
            Ok(config) => {
                self.collect_suppressions(file, base, &config.comments);
                Some(Arc::new(Parsed { file, base, config }))
            }
            Err(err) => {
                let span = Span::new(file, base + err.span.start..base + err.span.end);
                self.problems.push(problem(
                    ProblemKind::Syntax,
                    span,
                    err.message.clone(),
                    Some(
                        "nginx refuses to start with this file (`nginx -t` reports the same line)",
                    ),
                ));
                None
            }
        };
        self.parsed
            .insert((file, base), result.as_ref().map(Arc::downgrade));
        result
    }

    /// Where the text of `file` that starts at `base` ends: the end of the file, or of one
    /// file of a dump.
    fn text_end(&self, file: FileId, base: usize, len: usize) -> usize {
        match &self.dump {
            Some(files) if file == self.root => files
                .iter()
                .find(|f| f.range.start == base)
                .map(|f| f.range.end)
                .unwrap_or(len),
            _ => len,
        }
    }

    /// Parses the targets of one include that are not parsed yet, in parallel (a glob such
    /// as `conf.d/*.conf` may name thousands of files). Parsing is a pure function of the
    /// text; a file that includes nothing is parsed straight into its items ([`Items`];
    /// where servers become sites, its top-level servers' blocks are held as text,
    /// [`Deferred`]), and one that does into its syntax tree, expanded later in order.
    /// What the results mean is still recorded in order, by [`Expander::parse_at`] and
    /// [`Expander::include`].
    fn preparse(&mut self, targets: &[(FileId, usize)], depth: usize) {
        let todo: Vec<(FileId, usize)> = targets
            .iter()
            .copied()
            .filter(|t| !self.parsed.contains_key(t) && !self.preparsed.contains_key(t))
            .collect();
        if todo.len() < 2 {
            return;
        }
        let texts: Vec<_> = todo
            .iter()
            .map(|&(file, base)| {
                let text = self.sources.get(file).text.clone();
                let end = self.text_end(file, base, text.len());
                (text, base, end)
            })
            .collect();
        let defer_servers = self.nesting.servers_are_sites();
        let results = crate::parallel::map(texts.len(), |i| {
            let (text, _, end) = &texts[i];
            let (file, base) = todo[i];
            let mut items = Items::new(file, base, depth);
            if defer_servers {
                items = items.deferring_servers(text.clone());
            }
            match parse_with(&text[base..*end], &mut items) {
                Ok(nodes) if !items.includes => Err(Converted {
                    items: nodes,
                    problems: items.problems,
                    comments: items.comments,
                }),
                // It includes files itself: expanded in order, from its syntax tree.
                Ok(_) => Ok(parse(&text[base..*end])),
                Err(err) => Ok(Err(err)),
            }
        });
        for (key, result) in todo.into_iter().zip(results) {
            match result {
                Ok(parsed) => {
                    self.preparsed.insert(key, parsed);
                }
                Err(converted) => {
                    self.preconverted.insert(key, converted);
                }
            }
        }
    }

    fn collect_suppressions(&mut self, file: FileId, base: usize, comments: &[Comment]) {
        let source = self.sources.get(file);
        for comment in comments {
            let Some(directive) = crate::suppress::parse_comment(&comment.text) else {
                continue;
            };
            let start = base + comment.span.start;
            let position = source.position(start);
            let line_start = source.line_start(position.line).unwrap_or(start);
            let own_line = source.text[line_start..start].trim().is_empty();
            self.suppressions.push(Suppression {
                span: Span::new(file, start..base + comment.span.end),
                rules: directive.rules,
                line: (!directive.file_wide).then_some(if own_line {
                    position.line + 1
                } else {
                    position.line
                }),
                file_wide: directive.file_wide,
            });
        }
    }

    fn expand(&mut self, parsed: &Parsed, directives: &[Directive], depth: usize) -> Vec<Item> {
        let mut out = Vec::with_capacity(directives.len());
        for d in directives {
            if is_include(d) {
                self.include(parsed, d, depth, &mut out);
                continue;
            }
            let block = match &d.block {
                Some(_) if depth >= MAX_TOTAL_DEPTH => {
                    self.problems.push(too_deep(parsed, d));
                    None
                }
                Some(b) => {
                    let outer = self.nesting;
                    self.nesting = outer.inside(&d.name.value);
                    let block = self.expand(parsed, &b.children, depth + 1);
                    self.nesting = outer;
                    Some(block)
                }
                None => None,
            };
            out.push(item(parsed, d, block));
        }
        out
    }

    fn include(&mut self, parsed: &Parsed, d: &Directive, depth: usize, out: &mut Vec<Item>) {
        let at = Span::new(
            parsed.file,
            parsed.base + d.span.start..parsed.base + d.span.end,
        );
        let Some(pattern) = d.args.first().map(|w| w.value.clone()) else {
            return;
        };
        if self.chain.len() > MAX_INCLUDE_DEPTH {
            self.problems.push(problem(
                ProblemKind::Config,
                at,
                format!("includes nested deeper than {MAX_INCLUDE_DEPTH} files; `{pattern}` was not read"),
                None,
            ));
            return;
        }
        let targets = self.targets(&pattern, at);
        self.preparse(&targets, depth);
        // In target order: items converted ahead, or a parse still to expand.
        let mut pending: Vec<Pending> = Vec::new();
        for (file, base) in targets {
            if self.chain.contains(&(file, base)) {
                let cycle: Vec<String> = self
                    .chain
                    .iter()
                    .skip_while(|c| **c != (file, base))
                    .map(|(f, _)| self.sources.get(*f).name.clone())
                    .chain([self.sources.get(file).name.clone()])
                    .collect();
                self.problems.push(problem(
                    ProblemKind::Config,
                    at,
                    format!("include cycle: {}", cycle.join(" → ")),
                    Some("nginx would include these files forever; remove one of the includes"),
                ));
                continue;
            }
            if let Some(done) = self.preconverted.remove(&(file, base)) {
                // Parsed, so recorded as such; its tree is gone (a second include of the
                // file parses it again).
                self.parsed.insert((file, base), Some(Weak::new()));
                self.collect_suppressions(file, base, &done.comments);
                pending.push(Pending::Converted(done));
            } else if let Some(target) = self.parse_at(file, base) {
                pending.push(Pending::Parsed((file, base), Mutex::new(Some(target))));
            }
        }
        // Files that include nothing themselves are turned into items in parallel (and
        // their syntax trees freed there); the others are expanded here, in order, with the
        // include chain.
        let converted = crate::parallel::map(pending.len(), |i| {
            let Pending::Parsed(_, slot) = &pending[i] else {
                return None;
            };
            let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
            let target = slot.as_ref()?;
            if has_include(&target.config.directives) {
                return None;
            }
            let mut problems = Vec::new();
            let items = convert(target, &target.config.directives, depth, &mut problems);
            *slot = None;
            Some((items, problems))
        });
        for (next, converted) in pending.into_iter().zip(converted) {
            match (next, converted) {
                (Pending::Converted(done), _) => {
                    out.extend(done.items);
                    self.problems.extend(done.problems);
                }
                (_, Some((items, problems))) => {
                    out.extend(items);
                    self.problems.extend(problems);
                }
                (Pending::Parsed(key, slot), None) => {
                    let target = slot.into_inner().unwrap_or_else(|e| e.into_inner());
                    let Some(target) = target else { continue };
                    self.chain.push(key);
                    let items = self.expand(&target, &target.config.directives, depth);
                    self.chain.pop();
                    out.extend(items);
                }
            }
        }
    }

    /// The files an include pattern names, sorted, as (file, base) pairs.
    fn targets(&mut self, pattern: &str, at: Span) -> Vec<(FileId, usize)> {
        let is_glob = pattern.contains(['*', '?', '[']);
        if let Some(files) = &self.dump {
            let matcher = glob::Pattern::new(pattern).ok();
            let full = |p: &str| {
                if Path::new(pattern).is_absolute() {
                    p.to_string()
                } else {
                    p.strip_prefix(&format!("{}/", self.base_dir.display()))
                        .unwrap_or(p)
                        .to_string()
                }
            };
            let hits: Vec<usize> = files
                .iter()
                .filter(|f| {
                    let candidate = full(&f.path);
                    match &matcher {
                        Some(m) if is_glob => m.matches(&candidate),
                        _ => candidate == pattern,
                    }
                })
                .map(|f| f.range.start)
                .collect();
            if hits.is_empty() && !is_glob {
                self.unreadable(pattern, at, "it is not in the `nginx -T` dump");
            }
            return hits.into_iter().map(|b| (self.root, b)).collect();
        }

        let path = if Path::new(pattern).is_absolute() {
            PathBuf::from(pattern)
        } else {
            self.base_dir.join(pattern)
        };
        let paths: Vec<PathBuf> = if is_glob {
            match glob::glob(&path.to_string_lossy()) {
                Ok(entries) => {
                    let mut v: Vec<PathBuf> = entries.filter_map(Result::ok).collect();
                    v.sort();
                    v
                }
                Err(e) => {
                    self.unreadable(pattern, at, &format!("the pattern is invalid ({e})"));
                    Vec::new()
                }
            }
        } else {
            vec![path]
        };
        // A glob may name hundreds of files: they are read and indexed in parallel, then
        // added to the sources in order.
        // The folders of a glob's files are resolved once each, not once per file.
        let folders = self
            .sources
            .canonical_folders(paths.iter().map(PathBuf::as_path));
        let read = crate::parallel::map(paths.len(), |i| read_source(&paths[i], &folders));
        let mut out = Vec::new();
        for read in read {
            match read.and_then(|read| self.load(read)) {
                Ok(Some(id)) => out.push((id, 0)),
                Ok(None) => {}
                Err(reason) if !is_glob => self.unreadable(pattern, at, &reason),
                Err(_) => {}
            }
        }
        out
    }

    fn unreadable(&mut self, pattern: &str, at: Span, reason: &str) {
        let help = if Path::new(pattern).is_absolute() {
            "absolute paths usually point outside the repository: lint an `nginx -T` dump to \
             check the whole configuration"
        } else {
            "relative include paths are taken from the folder of the file linted"
        };
        self.problems.push(problem(
            ProblemKind::UnreadableInclude,
            at,
            format!(
                "cannot read included file `{pattern}`: {reason}; its directives were not checked"
            ),
            Some(help),
        ));
    }

    /// Adds a file read by [`read_source`] to the sources (once) and returns its id; None
    /// for a folder.
    fn load(&mut self, read: Option<ReadSource>) -> Result<Option<FileId>, String> {
        let Some(ReadSource {
            canonical,
            file,
            bad_byte,
        }) = read
        else {
            return Ok(None);
        };
        self.visited.insert(canonical.clone());
        if let Some(id) = self.sources.find_path(&canonical) {
            return Ok(Some(id));
        }
        let id = self.sources.add(file);
        if let Some(at) = bad_byte {
            self.problems.push(problem(
                ProblemKind::NotUtf8,
                Span::new(id, at..at + 1),
                "this byte is not UTF-8; it was read as U+FFFD".to_string(),
                Some("nginx accepts any bytes, but editors and other tools may not: save the file as UTF-8"),
            ));
        }
        Ok(Some(id))
    }
}

/// A file named by an include, read and indexed (work that can run in parallel).
struct ReadSource {
    canonical: PathBuf,
    file: SourceFile,
    bad_byte: Option<usize>,
}

/// Reads an included file (`folders`: the resolved folders of the include's files); None for
/// a folder (a glob such as `conf.d/*` matches them too).
fn read_source(
    path: &Path,
    folders: &FxHashMap<&Path, Option<PathBuf>>,
) -> Result<Option<ReadSource>, String> {
    let Some((canonical, size)) = crate::source::locate(path, folders).map_err(|e| describe(&e))?
    else {
        return Ok(None);
    };
    let bytes = crate::source::read_file(&canonical, size).map_err(|e| describe(&e))?;
    let (text, bad_byte) = crate::source::decode(bytes);
    let name = display_name(&canonical);
    Ok(Some(ReadSource {
        file: SourceFile::new(Some(canonical.clone()), name, text),
        canonical,
        bad_byte,
    }))
}

/// An `include` to follow (in a block or a Lua body the word is something else).
fn is_include(d: &Directive) -> bool {
    d.name.value == "include" && d.block.is_none() && d.lua_body.is_none()
}

/// Whether any directive in the tree is an [`is_include`].
fn has_include(directives: &[Directive]) -> bool {
    let mut stack: Vec<&Directive> = directives.iter().collect();
    while let Some(d) = stack.pop() {
        if is_include(d) {
            return true;
        }
        stack.extend(d.children());
    }
    false
}

/// The items of directives that include nothing ([`has_include`] is false): what
/// [`Expander::expand`] makes of them, as a pure function that can run in parallel.
fn convert(
    parsed: &Parsed,
    directives: &[Directive],
    depth: usize,
    problems: &mut Vec<Problem>,
) -> Vec<Item> {
    let mut out = Vec::with_capacity(directives.len());
    for d in directives {
        let block = match &d.block {
            Some(_) if depth >= MAX_TOTAL_DEPTH => {
                problems.push(too_deep(parsed, d));
                None
            }
            Some(b) => Some(convert(parsed, &b.children, depth + 1, problems)),
            None => None,
        };
        out.push(item(parsed, d, block));
    }
    out
}

/// Builds a file's items straight from its tokens (no syntax tree in between), the same
/// items [`convert`] makes from the tree, with its problems. Of the rest of the tree it
/// keeps the suppression comments, and notes whether the file includes others: then these
/// items are not used, and the file is expanded from its tree, following its includes in
/// order.
pub(super) struct Items {
    file: FileId,
    /// Offset of the parsed text inside the file.
    base: usize,
    /// Nesting of the include that names the file.
    depth: usize,
    problems: Vec<Problem>,
    comments: Vec<Comment>,
    includes: bool,
    /// The file's text, when the blocks of its top-level `server`s are not built but held
    /// as text ([`Items::deferring_servers`]).
    deferring: Option<Arc<String>>,
}

impl Items {
    pub(super) fn new(file: FileId, base: usize, depth: usize) -> Items {
        Items {
            file,
            base,
            depth,
            problems: Vec::new(),
            comments: Vec::new(),
            includes: false,
            deferring: None,
        }
    }

    /// Holds the blocks of the file's top-level `server`s as text ([`Deferred`]), parsed
    /// into items when each is lowered (those of its other top-level blocks are parsed
    /// again at once). `text` is the whole file's.
    fn deferring_servers(mut self, text: Arc<String>) -> Items {
        self.deferring = Some(text);
        self
    }
}

impl Build for Items {
    type Word = Arg;
    type Node = Item;

    fn word(&mut self, value: CompactString, span: ByteRange, quote: Quote) -> Arg {
        word_arg(self.file, self.base, value, span, quote)
    }

    fn value<'w>(&self, word: &'w Arg) -> &'w str {
        &word.value
    }

    fn start(&self, word: &Arg) -> usize {
        word.span.start as usize - usize::from(word.quoted) - self.base
    }

    fn node(
        &mut self,
        name: Arg,
        args: Vec<Arg>,
        span: ByteRange,
        block: Option<(Vec<Item>, ByteRange, ByteRange)>,
        lua_body: Option<ByteRange>,
        level: usize,
    ) -> Item {
        if name.value == "include" && block.is_none() && lua_body.is_none() {
            self.includes = true;
        }
        let depth = self.depth + level;
        let too_deep = block.is_some() && depth >= MAX_TOTAL_DEPTH;
        if too_deep && (level == 0 || depth - 1 < MAX_TOTAL_DEPTH) {
            // Reported where `convert` stops: at the outermost block too deep (the blocks
            // inside it, built first here, are not reported).
            let quoted = u32::from(name.quoted);
            let at = Span {
                start: name.span.start - quoted,
                end: name.span.end + quoted,
                ..name.span
            };
            self.problems.push(too_deep_at(at));
        }
        let span = Span::new(self.file, self.base + span.start..self.base + span.end);
        if let Some(text) = &self.deferring {
            // Inside a top-level block, the parser drops what is built (see `keeps`): the
            // block is parsed again when needed.
            if let Some((_, open, close)) = &block
                && level == 0
                && !too_deep
            {
                let inside = Deferred {
                    file: self.file,
                    text: text.clone(),
                    start: self.base + open.end,
                    end: self.base + close.start,
                    depth: depth + 1,
                };
                let (block, deferred) = if name.value == "server" {
                    (None, Some(Box::new(inside)))
                } else {
                    (Some(inside.decode()), None)
                };
                return Item {
                    name,
                    args: args.into_boxed_slice(),
                    span,
                    block,
                    deferred,
                };
            }
        }
        let block = match block {
            Some((children, _, _)) if !too_deep => Some(children.into_boxed_slice()),
            _ => None,
        };
        Item {
            name,
            args: args.into_boxed_slice(),
            span,
            block,
            deferred: None,
        }
    }

    fn comment(&mut self, text: &str, span: ByteRange) {
        if crate::suppress::parse_comment(text).is_some() {
            self.comments.push(Comment {
                text: text.to_owned(),
                span,
            });
        }
    }

    /// While deferring, only the top level is built: the inside of its blocks is parsed
    /// again ([`Deferred::decode`]).
    fn keeps(&self, level: usize) -> bool {
        level == 0 || self.deferring.is_none()
    }
}

/// A directive as an item, its block already converted.
fn item(parsed: &Parsed, d: &Directive, block: Option<Vec<Item>>) -> Item {
    Item {
        name: arg(parsed, &d.name),
        args: d.args.iter().map(|w| arg(parsed, w)).collect(),
        span: Span::new(
            parsed.file,
            parsed.base + d.span.start..parsed.base + d.span.end,
        ),
        block: block.map(Vec::into_boxed_slice),
        deferred: None,
    }
}

/// Blocks nested beyond [`MAX_TOTAL_DEPTH`] are reported at the directive's name.
fn too_deep(parsed: &Parsed, d: &Directive) -> Problem {
    too_deep_at(Span::new(
        parsed.file,
        parsed.base + d.name.span.start..parsed.base + d.name.span.end,
    ))
}

fn too_deep_at(name: Span) -> Problem {
    problem(
        ProblemKind::Syntax,
        name,
        format!("blocks nested deeper than {MAX_TOTAL_DEPTH} levels across includes"),
        None,
    )
}

/// A word with its span; a quoted word's span is the text inside the quotes, so that a
/// finding on `"*"` underlines exactly the `*`.
fn arg(parsed: &Parsed, w: &Word) -> Arg {
    word_arg(
        parsed.file,
        parsed.base,
        w.value.clone(),
        w.span.clone(),
        w.quote,
    )
}

/// [`arg`] of a word's parts (`span` relative to `base`).
fn word_arg(file: FileId, base: usize, value: CompactString, span: ByteRange, quote: Quote) -> Arg {
    let quoted = quote != Quote::None;
    let (start, end) = if quoted && span.len() >= 2 {
        (span.start + 1, span.end - 1)
    } else {
        (span.start, span.end)
    };
    Arg {
        value,
        span: Span::new(file, base + start..base + end),
        quoted,
    }
}

fn describe(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Names included files relative to the working folder when they are below it.
fn display_name(path: &Path) -> String {
    // corslint never changes its working folder: it is looked up once, not for each of
    // the thousands of files a glob may include.
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD.get_or_init(|| {
        std::env::current_dir()
            .ok()
            .and_then(|d| d.canonicalize().ok())
    });
    let shown = cwd
        .as_deref()
        .and_then(|d| path.strip_prefix(d).ok())
        .unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The items, problems and suppression comments [`Items`] builds from the tokens, and
    /// those [`convert`] makes of the syntax tree, written out for comparison.
    fn both(text: &str, base: usize, depth: usize) -> (String, String) {
        let file = FileId(3);
        let mut items = Items::new(file, base, depth);
        let direct = parse_with(&text[base..], &mut items).unwrap();
        let config = parse(&text[base..]).unwrap();
        let parsed = Parsed { file, base, config };
        let mut problems = Vec::new();
        let converted = convert(&parsed, &parsed.config.directives, depth, &mut problems);
        let mut comments = parsed.config.comments.clone();
        comments.retain(|c| crate::suppress::parse_comment(&c.text).is_some());
        assert_eq!(items.includes, has_include(&parsed.config.directives));
        (
            format!("{direct:?}\n{:?}\n{:?}", items.problems, items.comments),
            format!("{converted:?}\n{problems:?}\n{comments:?}"),
        )
    }

    #[test]
    fn items_built_from_tokens_are_those_of_the_syntax_tree() {
        let texts = [
            "# corslint: ignore[missing-always]\nserver {\n  listen 80; # a comment\n  \
             \"location\" '/a b' {\n    add_header \"X-A\" 'v\\'1' always;\n  }\n  \
             content_by_lua_block { ngx.say(\"}\") }\n  if ($request_method = OPTIONS) \
             { return 204; }\n}\n",
            "map $http_origin $cors { default \"\"; ~^https://a\\.example$ $http_origin; }\n\
             include conf.d/*.conf;\nhttp { include more.conf; server { } }\n",
            "",
        ];
        for text in texts {
            let (direct, converted) = both(text, 0, 0);
            assert_eq!(direct, converted, "{text}");
        }
        // A file inside a dump (its text starts after `base`), included deep enough that its
        // blocks cross the nesting limit: reported at the outermost block that does, once.
        let dumped = "# configuration file /etc/nginx/a.conf:\n\
                      a { b { c { d { e 1; } } } f { g { h; } } }\n";
        let base = dumped.find('\n').unwrap() + 1;
        for depth in [
            0,
            MAX_TOTAL_DEPTH - 3,
            MAX_TOTAL_DEPTH - 1,
            MAX_TOTAL_DEPTH + 2,
        ] {
            let (direct, converted) = both(dumped, base, depth);
            assert_eq!(direct, converted, "depth {depth}");
        }
        let (deep, _) = both(dumped, base, MAX_TOTAL_DEPTH - 2);
        assert_eq!(deep.matches("nested deeper").count(), 2, "{deep}");
    }

    /// Items, problems and comments of a file read with its servers deferred, each server's
    /// block decoded in place, and of the same file read whole.
    fn deferred_and_whole(text: &str, base: usize, depth: usize) -> (String, String) {
        let file = FileId(5);
        let shared = Arc::new(text.to_string());
        let mut deferring = Items::new(file, base, depth).deferring_servers(shared.clone());
        let mut items = parse_with(&text[base..], &mut deferring).unwrap();
        let mut whole = Items::new(file, base, depth);
        let built = parse_with(&text[base..], &mut whole).unwrap();
        let held = items.iter().filter(|i| i.deferred.is_some()).count();
        let servers = built
            .iter()
            .filter(|i| i.name() == "server" && i.block.is_some());
        assert_eq!(held, servers.count(), "every top-level server is held");
        for item in &mut items {
            if let Some(deferred) = item.deferred.take() {
                item.block = Some(deferred.decode());
            }
        }
        (
            format!(
                "{items:?}\n{:?}\n{:?}",
                deferring.problems, deferring.comments
            ),
            format!("{built:?}\n{:?}\n{:?}", whole.problems, whole.comments),
        )
    }

    #[test]
    fn deferred_server_blocks_decode_to_the_items_built_at_once() {
        let text = "# corslint: ignore[missing-always]\nserver {\n  listen 80;\n  \
                    location ~ ^/a/(.*)$ { add_header \"X-\\\"A\" 'v\\'1' always; \
                    if ($request_method = OPTIONS) { return 204; } }\n  \
                    content_by_lua_block { ngx.say(\"}\") }\n  # corslint: ignore[null-origin]\n}\n\
                    upstream api { server 127.0.0.1:8080; }\nmap $a $b { default \"\"; }\n\
                    server { }\nserver_tokens off;\n";
        let (deferred, whole) = deferred_and_whole(text, 0, 1);
        assert_eq!(deferred, whole);
        assert!(
            whole.contains("X-\\\"A"),
            "the escaped value is unescaped: {whole}"
        );
        // Inside a dump, and deep enough that the servers' blocks cross the nesting limit
        // (reported once, at the outermost block too deep; a server too deep is not held).
        let dumped = "# configuration file /etc/nginx/a.conf:\n\
                      server { location / { if ($x) { return 204; } } }\nserver { a { b; } }\n";
        let base = dumped.find('\n').unwrap() + 1;
        for depth in [0, MAX_TOTAL_DEPTH - 3, MAX_TOTAL_DEPTH - 2, MAX_TOTAL_DEPTH] {
            let (deferred, whole) = deferred_and_whole(dumped, base, depth);
            assert_eq!(deferred, whole, "depth {depth}");
        }
        let (deep, _) = deferred_and_whole(dumped, base, MAX_TOTAL_DEPTH - 2);
        assert_eq!(deep.matches("nested deeper").count(), 1, "{deep}");
        let (deeper, _) = deferred_and_whole(dumped, base, MAX_TOTAL_DEPTH);
        assert_eq!(deeper.matches("nested deeper").count(), 2, "{deeper}");
    }

    /// The problems of deferred blocks, found when they are decoded, go where validating
    /// the file whole puts them: after their server's own, before the next directive's.
    #[test]
    fn deferred_blocks_problems_keep_their_place() {
        use super::super::validate::{insert_deferred, validate, validate_body};
        let text = "servr_tokens off;\nserver ${x { locaton / { } add_header X; }\n\
                    rewrite ^/a;\nserver { }\nserver { if ($a) { set $x \"${y\"; } }\n\
                    add_header Y;\n";
        let file = FileId(2);
        let mut deferring = Items::new(file, 0, 1).deferring_servers(Arc::new(text.to_string()));
        let items = parse_with(text, &mut deferring).unwrap();
        let mut problems = Vec::new();
        let at = validate(&items, &mut problems);
        assert_eq!(at.len(), 3, "{items:?}");
        let found: Vec<_> = items
            .iter()
            .filter_map(|i| i.deferred.as_ref())
            .map(|d| validate_body(&d.decode()))
            .collect();
        insert_deferred(&mut problems, &at, found);
        let built = parse_with(text, &mut Items::new(file, 0, 1)).unwrap();
        let mut whole = Vec::new();
        assert!(validate(&built, &mut whole).is_empty());
        assert!(whole.len() >= 6, "{whole:?}");
        assert_eq!(format!("{problems:?}"), format!("{whole:?}"));
    }
}
