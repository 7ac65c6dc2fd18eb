//! corslint: a static linter for CORS mistakes in hosting configuration.
//!
//! ```text
//! paths ──discover──▶ SourceFile ──formats::read──▶ Document (model) ──rules──▶ Finding ──report──▶ stdout
//! ```
//!
//! [`lint`] is the front door; [`model`] is the contract between formats and rules.

pub mod cors;
pub mod discover;
pub mod finding;
pub mod formats;
pub mod model;
pub mod parallel;
pub mod patterns;
pub mod report;
pub mod request_target;
pub mod resolve;
pub mod rules;
pub mod server;
pub mod settings;
pub mod simulate;
pub mod source;
pub mod suppress;

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};

use finding::{Finding, RuleInfo};
use formats::{Format, ReadOptions};
use settings::{ConfigFile, Overrides, Settings};
use source::{FileId, SourceFile, Sources};

/// What to lint.
#[derive(Debug, Clone)]
pub enum Input {
    Path(PathBuf),
    /// Text from standard input, linted as if it were the named file.
    Stdin {
        name: String,
        text: String,
    },
    /// An editor's unsaved text for a file on disk: includes and settings are found from
    /// the file's folder.
    Buffer {
        path: PathBuf,
        text: String,
    },
}

/// The result of one run.
#[derive(Debug, Default)]
pub struct Report {
    pub sources: Sources,
    /// Sorted by file, line, column.
    pub findings: Vec<Finding>,
    /// Files linted (not counting files read through an include).
    pub files_checked: usize,
    /// Problems that make the exit status 2: missing paths, unreadable files, bad settings.
    pub errors: Vec<String>,
    /// Things a verbose run mentions: skipped `.conf` files.
    pub notes: Vec<String>,
    /// What each linted file turned into (for `simulate`); empty from [`lint_findings`].
    pub documents: Vec<model::Document>,
}

/// Lints the inputs. Never panics on input; problems in files are findings.
pub fn lint(inputs: &[Input], overrides: &Overrides) -> Report {
    lint_keeping(inputs, overrides, true)
}

/// Lints like [`lint`], but drops each file's model as soon as its rules have run, so that
/// a repository's models are never all in memory at once: `Report::documents` is empty.
/// What `corslint check` uses.
pub fn lint_findings(inputs: &[Input], overrides: &Overrides) -> Report {
    lint_keeping(inputs, overrides, false)
}

fn lint_keeping(inputs: &[Input], overrides: &Overrides, keep_documents: bool) -> Report {
    let mut run = Run::new(overrides);
    run.keep_documents = keep_documents;
    let paths: Vec<PathBuf> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::Path(p) => Some(p.clone()),
            Input::Stdin { .. } | Input::Buffer { .. } => None,
        })
        .collect();
    for input in inputs {
        match input {
            Input::Stdin { name, text } => run.lint_text(name, None, text.clone()),
            Input::Buffer { path, text } => {
                let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
                run.lint_text(&path.to_string_lossy(), Some(canonical), text.clone());
            }
            Input::Path(_) => {}
        }
    }
    let mut excluded = |path: &Path| run.settings_for(path).is_excluded(&relative(path));
    let (candidates, walk_errors) = discover::discover(&paths, &mut excluded);
    for e in walk_errors {
        run.report
            .errors
            .push(format!("{}: {}", discover::display(&e.path), e.message));
    }
    crate::trace("discovered");
    run.lint_candidates(candidates);
    finding::forget_texts();
    run.finish()
}

/// Paths inside the working folder, as globs in settings see them.
fn relative(path: &Path) -> PathBuf {
    let display = discover::display(path);
    PathBuf::from(display)
}

/// A file read into the model, waiting for the rules, with what its settings say.
struct ReadFile {
    document: model::Document,
    client: settings::Client,
    /// The rules enabled for this file.
    enabled: rules::RuleSet,
    /// The findings of each site, when the sites were checked as they were read (and are
    /// no longer in the document).
    checked_sites: Option<Vec<Vec<Finding>>>,
}

/// Files read into models before their rules run (in parallel).
const CHECK_BATCH: usize = 256;

struct Run<'o> {
    overrides: &'o Overrides,
    report: Report,
    /// Settings by the folder they were looked up for.
    settings: FxHashMap<PathBuf, std::rc::Rc<Settings>>,
    /// Settings by the configuration file they come from (None: no file).
    settings_by_config: FxHashMap<Option<PathBuf>, std::rc::Rc<Settings>>,
    /// The nearest configuration file of each folder looked at.
    config_lookups: FxHashMap<PathBuf, Option<PathBuf>>,
    explicit_settings: Option<std::rc::Rc<Settings>>,
    /// Whether the report keeps each file's model ([`lint`]) or not ([`lint_findings`]).
    keep_documents: bool,
}

impl<'o> Run<'o> {
    fn new(overrides: &'o Overrides) -> Run<'o> {
        let mut report = Report::default();
        let explicit_settings = overrides.config.as_ref().map(|path| {
            let file = ConfigFile::load(path).unwrap_or_else(|e| {
                report.errors.push(e.to_string());
                ConfigFile::default()
            });
            std::rc::Rc::new(Settings::from_file(file, Some(path.clone()), overrides))
        });
        Run {
            overrides,
            report,
            settings: FxHashMap::default(),
            settings_by_config: FxHashMap::default(),
            config_lookups: FxHashMap::default(),
            explicit_settings,
            keep_documents: true,
        }
    }

    /// The settings for a file: `--config`, else the nearest config file walking up.
    fn settings_for(&mut self, path: &Path) -> std::rc::Rc<Settings> {
        if let Some(s) = &self.explicit_settings {
            return s.clone();
        }
        let dir = path
            .parent()
            .map(|d| {
                if d.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    d
                }
            })
            .unwrap_or(Path::new("."))
            .to_path_buf();
        if let Some(s) = self.settings.get(&dir) {
            return s.clone();
        }
        let absolute = self
            .report
            .sources
            .canonical_folder(&dir)
            .unwrap_or_else(|| dir.clone());
        let found = self.nearest_config(&absolute);
        // Folders that share a configuration file (or have none) share its settings.
        if let Some(s) = self.settings_by_config.get(&found) {
            let s = s.clone();
            self.settings.insert(dir, s.clone());
            return s;
        }
        let settings = match found.clone() {
            Some(config) => match ConfigFile::load(&config) {
                Ok(file) => Settings::from_file(file, Some(config), self.overrides),
                Err(e) => {
                    let message = e.to_string();
                    if !self.report.errors.contains(&message) {
                        self.report.errors.push(message);
                    }
                    Settings::from_file(ConfigFile::default(), None, self.overrides)
                }
            },
            None => Settings::from_file(ConfigFile::default(), None, self.overrides),
        };
        let settings = std::rc::Rc::new(settings);
        self.settings.insert(dir, settings.clone());
        self.settings_by_config.insert(found, settings.clone());
        settings
    }

    /// [`settings::find_config`], remembering each folder's answer for the run: folders
    /// share their parents' lookups instead of walking up to the root each.
    fn nearest_config(&mut self, dir: &Path) -> Option<PathBuf> {
        let mut walked = Vec::new();
        let mut found = None;
        for d in dir.ancestors() {
            if let Some(known) = self.config_lookups.get(d) {
                found = known.clone();
                break;
            }
            walked.push(d.to_path_buf());
            if let Some(config) = settings::config_in(d) {
                found = Some(config);
                break;
            }
        }
        for d in walked {
            self.config_lookups.insert(d, found.clone());
        }
        found
    }

    fn lint_text(&mut self, name: &str, disk_path: Option<PathBuf>, text: String) {
        let path = Path::new(name);
        let format = path
            .file_name()
            .and_then(|n| Format::for_name(&n.to_string_lossy()))
            .or_else(|| formats::looks_like_nginx(&text).then_some(Format::Nginx));
        let Some(format) = format else {
            self.report.errors.push(format!(
                "{name}: corslint cannot tell what kind of file this is; name it vercel.json, \
                 firebase.json, netlify.toml, _headers, _redirects or nginx.conf"
            ));
            return;
        };
        let id = self
            .report
            .sources
            .add(SourceFile::new(disk_path, discover::display(path), text));
        self.lint_file(id, format, path);
    }

    fn lint_candidates(&mut self, candidates: Vec<discover::Candidate>) {
        // Read everything first, so that nginx files included by another file are linted
        // through it, once, in the context that includes them.
        // The files are read, decoded and sniffed in parallel (thousands of them in a large
        // repository); what they mean is decided below, in order.
        let folders = self
            .report
            .sources
            .canonical_folders(candidates.iter().map(|c| c.path.as_path()));
        let prepared = parallel::map(candidates.len(), |i| {
            let c = &candidates[i];
            let (canonical, size) = match source::locate(&c.path, &folders) {
                Ok(Some(located)) => located,
                _ => (c.path.clone(), None),
            };
            let bytes = source::read_file(&c.path, size);
            let read = bytes.map(|bytes| {
                let (text, bad_byte) = source::decode(bytes);
                let format = match c.format {
                    Some(f) => Some(f),
                    None if formats::looks_like_nginx(&text) => Some(Format::Nginx),
                    None if c.explicit && c.name.ends_with(".conf") && bad_byte.is_some() => {
                        Some(Format::Nginx)
                    }
                    None => None,
                };
                (text, bad_byte, format)
            });
            (canonical, read)
        });
        let mut loaded: Vec<(FileId, Option<Format>, PathBuf, bool)> = Vec::new();
        for (c, (canonical, read)) in candidates.into_iter().zip(prepared) {
            if self.report.sources.find_path(&canonical).is_some() {
                continue;
            }
            let (text, bad_byte, format) = match read {
                Ok(r) => r,
                Err(e) => {
                    self.report
                        .errors
                        .push(format!("{}: {}", c.name, discover::io_message(&e)));
                    continue;
                }
            };
            let Some(format) = format else {
                if c.explicit {
                    self.report.errors.push(format!(
                        "{}: corslint cannot tell what kind of file this is: it is not nginx \
                         configuration, and its name is none of vercel.json, now.json, \
                         firebase.json, netlify.toml, _headers, _redirects",
                        c.name
                    ));
                } else {
                    self.report
                        .notes
                        .push(format!("{}: skipped, not nginx configuration", c.name));
                }
                continue;
            };
            let id = self.report.sources.add(SourceFile::new(
                Some(canonical.clone()),
                c.name.clone(),
                text,
            ));
            if let Some(at) = bad_byte {
                self.report.findings.push(invalid_utf8(id, at));
            }
            loaded.push((id, Some(format), c.path.clone(), c.explicit));
        }
        // Each nginx file is expanded once: to learn what it includes, then to lint it.
        crate::trace("read candidates");
        let mut included: FxHashSet<PathBuf> = FxHashSet::default();
        let mut expanded: FxHashMap<FileId, formats::nginx::Expanded> = FxHashMap::default();
        for (id, format, _, _) in &loaded {
            if *format == Some(Format::Nginx) {
                let e = formats::nginx::expand(*id, &mut self.report.sources);
                included.extend(e.included_files().iter().cloned());
                expanded.insert(*id, e);
            }
        }
        // Reading adds files to the sources (includes, a site's other files), so it is done
        // in order; the rules then check the documents in parallel.
        crate::trace("expanded");
        let mut read = Vec::new();
        for (id, format, path, explicit) in loaded {
            let canonical = self.report.sources.get(id).path.clone();
            let is_included = canonical.as_ref().is_some_and(|p| included.contains(p));
            let pre_expanded = expanded.remove(&id);
            if is_included && !explicit {
                continue;
            }
            if let Some(format) = format {
                read.extend(self.read_file(id, format, &path, pre_expanded));
            }
            // Checked a batch at a time, so that the models of a large repository are not
            // all in memory at once.
            if read.len() >= CHECK_BATCH {
                self.check_files(std::mem::take(&mut read));
            }
        }
        crate::trace("lowered");
        self.check_files(read);
        crate::trace("checked");
    }

    fn lint_file(&mut self, id: FileId, format: Format, path: &Path) {
        let read = self.read_file(id, format, path, None);
        self.check_files(read.into_iter().collect());
    }

    /// Reads one file into the model (an nginx file may come already expanded). None for a
    /// binary file, which gets its finding here.
    fn read_file(
        &mut self,
        id: FileId,
        format: Format,
        path: &Path,
        expanded: Option<formats::nginx::Expanded>,
    ) -> Option<(ReadFile, std::rc::Rc<Settings>)> {
        self.report.files_checked += 1;
        let settings = self.settings_for(path);
        let options = ReadOptions {
            cloudflare: settings.platform_headers.as_deref() == Some("cloudflare"),
            netlify: settings.platform_headers.as_deref() == Some("netlify"),
        };
        if let Some(at) = self.report.sources.get(id).text.find('\0') {
            // Binary data: say so at the byte instead of reporting nonsense syntax errors.
            self.report.findings.push(binary_file(id, at));
            return None;
        }
        let rel = relative(path);
        let enabled: rules::RuleSet = rules::all()
            .filter(|rule| settings.enabled(rule) && !settings.ignored_for(&rel, rule))
            .collect();
        let client = settings.client.clone();
        let (document, checked_sites) = match expanded {
            // A tree of several servers (`include conf.d/*.conf`): each server is checked as
            // soon as it is lowered, on the thread that lowered it, and its model freed
            // there. (A file of one server is checked with the others of its batch.)
            Some(expanded) if !self.keep_documents && expanded.servers() > 1 => {
                let rules = rules::enabled_rules(&|rule| enabled.contains(rule));
                let sources = &self.report.sources;
                let (document, per_site) =
                    formats::nginx::read_expanded_into(id, expanded, &|site| {
                        rules::check_site(&site, &client, sources, &rules)
                    });
                (document, Some(per_site))
            }
            Some(expanded) => (formats::nginx::read_expanded(id, expanded), None),
            None => (
                formats::read(format, id, &mut self.report.sources, &options),
                None,
            ),
        };
        let file = ReadFile {
            document,
            client,
            enabled,
            checked_sites,
        };
        Some((file, settings))
    }

    /// Runs the rules over read files (in parallel), then applies each file's suppressions
    /// and severities, in file order.
    fn check_files(&mut self, files: Vec<(ReadFile, std::rc::Rc<Settings>)>) {
        let (files, settings): (Vec<ReadFile>, Vec<_>) = files.into_iter().unzip();
        let sources = &self.report.sources;
        let keep_documents = self.keep_documents;
        // Each file is checked by one thread (a lock per file lets that thread free the
        // sites of a document it does not keep).
        let files: Vec<std::sync::Mutex<ReadFile>> =
            files.into_iter().map(std::sync::Mutex::new).collect();
        let checked = parallel::map(files.len(), |i| {
            let mut file = files[i].lock().unwrap_or_else(|e| e.into_inner());
            let file = &mut *file;
            let checked_sites = file.checked_sites.take();
            let enabled = |rule: &RuleInfo| file.enabled.contains(rule);
            if let Some(per_site) = checked_sites {
                return rules::join(&file.document, per_site, &rules::enabled_rules(&enabled));
            }
            let client = &file.client;
            let client_for = |_: &model::Site| client.clone();
            if keep_documents {
                rules::check(&file.document, &client_for, sources, &enabled)
            } else {
                rules::check_and_free(&mut file.document, &client_for, sources, &enabled)
            }
        });
        let files = files
            .into_iter()
            .map(|f| f.into_inner().unwrap_or_else(|e| e.into_inner()));
        for ((file, settings), findings) in files.zip(settings).zip(checked) {
            let report_unused = file.enabled.contains(&rules::unused_suppression::INFO);
            let mut findings = apply_suppressions(
                findings,
                &file.document.suppressions,
                &self.report.sources,
                report_unused,
            );
            // A severity the settings name for a rule replaces the finding's; otherwise the
            // rule's own choice for this finding stands (error with credentials, warning
            // without).
            for f in &mut findings {
                if let Some(severity) = settings.severity_override(f.rule) {
                    f.severity = severity;
                }
            }
            // The first file's findings are taken as they are, not copied.
            if self.report.findings.is_empty() {
                self.report.findings = findings;
            } else {
                self.report.findings.extend(findings);
            }
            if self.keep_documents {
                self.report.documents.push(file.document);
            }
        }
    }

    fn finish(mut self) -> Report {
        // By file name, then position, then rule. Positions grow with byte offsets, so
        // offsets and each file's rank among the names sort the same, without computing a
        // line and column for every finding.
        let sources = &self.report.sources;
        let mut by_name: Vec<(FileId, &str)> = sources
            .iter()
            .map(|(id, f)| (id, f.name.as_str()))
            .collect();
        by_name.sort_by_key(|(_, name)| *name);
        let mut rank = vec![0usize; by_name.len()];
        for (r, (id, _)) in by_name.into_iter().enumerate() {
            rank[id.0 as usize] = r;
        }
        // The indices are sorted, not the findings (large structs, tens of thousands of
        // them): the index ends the key, so the unstable sort keeps the order of equal
        // positions as found, and the findings are then moved into place once.
        let findings = &self.report.findings;
        let mut order: Vec<u32> = (0..findings.len() as u32).collect();
        order.sort_unstable_by_key(|&i| {
            let f = &findings[i as usize];
            (rank[f.span.file.0 as usize], f.span.start, f.rule.code, i)
        });
        permute(&mut self.report.findings, order);
        // A file read through several documents (an include, a Netlify site's netlify.toml
        // and its _headers) reports each finding once.
        finding::keep_first_per_rule_and_span_sorted(&mut self.report.findings);
        self.report
    }
}

/// Puts `items[order[i]]` at position `i`, in place, following each cycle of the
/// permutation once.
fn permute<T>(items: &mut [T], mut order: Vec<u32>) {
    for start in 0..items.len() {
        let mut at = start;
        while order[at] as usize != at {
            let from = order[at] as usize;
            order[at] = at as u32;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// Drops findings that a `# corslint: ignore[...]` comment covers, and reports the
/// suppressions that covered nothing (`unused-suppression`, when enabled).
fn apply_suppressions(
    findings: Vec<Finding>,
    suppressions: &[model::Suppression],
    sources: &Sources,
    report_unused: bool,
) -> Vec<Finding> {
    if suppressions.is_empty() {
        return findings;
    }
    let mut used = vec![false; suppressions.len()];
    let mut kept: Vec<Finding> = findings
        .into_iter()
        .filter(|f| {
            let line = sources
                .get(f.span.file)
                .position(f.span.start as usize)
                .line;
            let hit = suppressions.iter().position(|s| {
                s.span.file == f.span.file
                    && (s.file_wide || s.line == Some(line))
                    && s.rules
                        .iter()
                        .any(|r| settings::selector_matches(r, f.rule))
            });
            if let Some(i) = hit {
                used[i] = true;
            }
            hit.is_none()
        })
        .collect();
    if report_unused {
        kept.extend(
            suppressions
                .iter()
                .zip(used)
                .filter(|(_, used)| !used)
                .map(|(s, _)| rules::unused_suppression::unused(s)),
        );
    }
    kept
}

fn invalid_utf8(file: FileId, at: usize) -> Finding {
    let info = rules::find("non-utf8").expect("non-utf8 is registered");
    Finding::new(
        info,
        source::Span::new(file, at..at + 1),
        "this byte is not UTF-8; it was read as U+FFFD and the rest of the file was checked",
    )
    .help("Save the file as UTF-8")
}

fn binary_file(file: FileId, at: usize) -> Finding {
    let info = rules::find("invalid-syntax").expect("invalid-syntax is registered");
    Finding::new(
        info,
        source::Span::new(file, at..at + 1),
        "this is a binary file (it contains a NUL byte), not configuration text; nothing in it \
         was checked",
    )
}

/// With `CORSLINT_TRACE` set, prints the time since the start of `main` at each phase of a
/// run to stderr (a developer's aid for benches/bench.py figures; nothing else reads it).
pub fn trace(phase: &str) {
    use std::sync::OnceLock;
    use std::time::Instant;
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    let start = START.get_or_init(|| std::env::var_os("CORSLINT_TRACE").map(|_| Instant::now()));
    if let Some(start) = start {
        eprintln!("{:9.3} ms  {phase}", start.elapsed().as_secs_f64() * 1000.0);
    }
}

#[cfg(test)]
mod tests {
    /// `corslint check` checks the servers of a tree as they are lowered
    /// (`read_expanded_into`), the library's `lint` after the whole document is read: the
    /// findings must be the same, the document's own (problems met while reading) included.
    #[test]
    fn servers_checked_as_lowered_find_what_the_whole_document_finds() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("conf.d")).unwrap();
        std::fs::write(
            dir.path().join("nginx.conf"),
            "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("conf.d/a.conf"),
            "server {\n    listen 80;\n    location /api/ {\n        \
             add_header Access-Control-Allow-Origin \"*\";\n        \
             add_header Access-Control-Allow-Credentials \"true\";\n        \
             add_header X-Broken;\n    }\n}\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("conf.d/b.conf"),
            "server {\n    listen 81;\n    location / {\n        \
             # corslint: ignore[missing-max-age]\n        \
             add_header Access-Control-Allow-Origin https://app.example.com;\n    }\n}\n",
        )
        .unwrap();
        let inputs = [super::Input::Path(dir.path().join("nginx.conf"))];
        let overrides = super::Overrides::default();
        let summary = |report: super::Report| -> Vec<(&'static str, super::source::Span, String)> {
            report
                .findings
                .iter()
                .map(|f| (f.rule.name, f.span, f.message.to_string()))
                .collect()
        };
        let whole = super::lint(&inputs, &overrides);
        assert_eq!(whole.documents.len(), 1);
        assert_eq!(whole.documents[0].sites.len(), 2);
        let whole = summary(whole);
        let as_lowered = summary(super::lint_findings(&inputs, &overrides));
        let rules: Vec<&str> = whole.iter().map(|(rule, _, _)| *rule).collect();
        assert!(rules.contains(&"invalid-config"), "{rules:?}");
        assert!(rules.contains(&"wildcard-with-credentials"), "{rules:?}");
        assert_eq!(as_lowered, whole);
    }

    #[test]
    fn permute_puts_each_item_where_the_order_says() {
        for order in [
            vec![],
            vec![0],
            vec![2, 0, 1],
            vec![1, 0, 3, 2],
            vec![4, 3, 2, 1, 0, 5],
        ] {
            let mut items: Vec<usize> = (0..order.len()).map(|i| i * 10).collect();
            super::permute(&mut items, order.clone());
            let expected: Vec<usize> = order.iter().map(|&i| i as usize * 10).collect();
            assert_eq!(items, expected);
        }
    }
}
