//! `.corslint.toml`, command-line overrides, and rule selection.
//!
//! The nearest `.corslint.toml` (or `corslint.toml`) walking up from each linted file applies
//! to it; `--config FILE` names one for every file. Command-line flags win over the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::finding::{RuleInfo, Severity};

/// What the front end sends: rules use it to build the requests that matter.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    #[serde(default)]
    pub origins: Vec<String>,
    #[serde(default)]
    pub headers: Vec<String>,
    pub credentials: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    pub select: Option<Vec<String>>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilesConfig {
    #[serde(default)]
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerFileIgnore {
    pub path: String,
    pub rules: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformConfig {
    /// `netlify` or `cloudflare`: which dialect `_headers` files are.
    pub headers: Option<String>,
}

/// The file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub client: Client,
    #[serde(default)]
    pub rules: RulesConfig,
    #[serde(default)]
    pub files: FilesConfig,
    #[serde(default, rename = "per-file-ignores")]
    pub per_file_ignores: Vec<PerFileIgnore>,
    #[serde(default)]
    pub platform: PlatformConfig,
}

/// A configuration problem: the file, the 1-based line and column, and what is wrong.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

pub const CONFIG_NAMES: [&str; 2] = [".corslint.toml", "corslint.toml"];

impl ConfigFile {
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: format!("cannot read the configuration: {e}"),
        })?;
        ConfigFile::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
        let config: ConfigFile = toml::from_str(text).map_err(|e| {
            let (line, column) = match e.span() {
                Some(span) => line_column(text, span.start),
                None => (1, 1),
            };
            ConfigError {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        config.validate(path, text)?;
        Ok(config)
    }

    /// Rule names, severities and globs that cannot work are errors, with their position.
    fn validate(&self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let at = |needle: &str, message: String| {
            let offset = text.find(needle).unwrap_or(0);
            let (line, column) = line_column(text, offset);
            ConfigError {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let selectors = self
            .rules
            .select
            .iter()
            .flatten()
            .chain(&self.rules.ignore)
            .chain(self.per_file_ignores.iter().flat_map(|p| &p.rules));
        for selector in selectors {
            if !is_known_selector(selector) {
                return Err(at(selector, format!("unknown rule `{selector}`")));
            }
        }
        for (rule, severity) in &self.rules.severity {
            if crate::rules::find(rule).is_none() {
                return Err(at(rule, format!("unknown rule `{rule}`")));
            }
            if Severity::parse(severity).is_none() {
                return Err(at(
                    severity,
                    format!("severity must be error, warning or info, not `{severity}`"),
                ));
            }
        }
        for glob in self
            .files
            .exclude
            .iter()
            .chain(self.per_file_ignores.iter().map(|p| &p.path))
        {
            if let Err(e) = globset::Glob::new(glob) {
                return Err(at(glob, format!("invalid glob `{glob}`: {e}")));
            }
        }
        if let Some(h) = &self.platform.headers
            && h != "netlify"
            && h != "cloudflare"
        {
            return Err(at(
                h,
                format!("[platform] headers must be \"netlify\" or \"cloudflare\", not `{h}`"),
            ));
        }
        Ok(())
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// `ALL`, a rule name, a code, or a code prefix such as `CORS1`.
pub fn is_known_selector(selector: &str) -> bool {
    selector == "ALL" || crate::rules::all().any(|r| selector_matches(selector, r))
}

pub fn selector_matches(selector: &str, rule: &RuleInfo) -> bool {
    selector == "ALL"
        || selector == rule.name
        || (selector.len() >= 4
            && rule
                .code
                .to_ascii_uppercase()
                .starts_with(&selector.to_ascii_uppercase()))
}

/// Flags that override the configuration file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub client_headers: Vec<String>,
    pub client_origins: Vec<String>,
    pub client_credentials: bool,
    pub exclude: Vec<String>,
    pub platform: Option<String>,
}

/// The settings that apply to one file.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The configuration file these come from, if any.
    pub origin: Option<PathBuf>,
    pub client: Client,
    select: Vec<String>,
    ignore: Vec<String>,
    severity: BTreeMap<String, Severity>,
    per_file_ignores: Vec<(globset::GlobMatcher, Vec<String>)>,
    pub exclude: Vec<globset::GlobMatcher>,
    pub platform_headers: Option<String>,
    /// The folder relative paths in the file are taken from.
    pub base: PathBuf,
}

impl Settings {
    pub fn from_file(file: ConfigFile, origin: Option<PathBuf>, overrides: &Overrides) -> Settings {
        let base = origin
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let glob = |g: &str| {
            globset::GlobBuilder::new(g)
                .literal_separator(false)
                .build()
                .ok()
                .map(|g| g.compile_matcher())
        };
        let mut client = file.client;
        client
            .headers
            .extend(overrides.client_headers.iter().cloned());
        client
            .origins
            .splice(0..0, overrides.client_origins.iter().cloned());
        if overrides.client_credentials {
            client.credentials = Some(true);
        }
        Settings {
            origin,
            client,
            select: overrides
                .select
                .clone()
                .or(file.rules.select)
                .unwrap_or_else(|| vec!["ALL".to_string()]),
            ignore: file
                .rules
                .ignore
                .into_iter()
                .chain(overrides.ignore.iter().cloned())
                .collect(),
            severity: file
                .rules
                .severity
                .iter()
                .filter_map(|(rule, sev)| {
                    let info = crate::rules::find(rule)?;
                    Some((info.name.to_string(), Severity::parse(sev)?))
                })
                .collect(),
            per_file_ignores: file
                .per_file_ignores
                .iter()
                .filter_map(|p| Some((glob(&p.path)?, p.rules.clone())))
                .collect(),
            exclude: file
                .files
                .exclude
                .iter()
                .chain(&overrides.exclude)
                .filter_map(|g| glob(g))
                .collect(),
            platform_headers: overrides.platform.clone().or(file.platform.headers),
            base,
        }
    }

    pub fn enabled(&self, rule: &RuleInfo) -> bool {
        self.select.iter().any(|s| selector_matches(s, rule))
            && !self.ignore.iter().any(|s| selector_matches(s, rule))
    }

    /// Whether `[[per-file-ignores]]` turns this rule off for this file.
    pub fn ignored_for(&self, relative: &Path, rule: &RuleInfo) -> bool {
        self.per_file_ignores.iter().any(|(glob, rules)| {
            glob.is_match(relative) && rules.iter().any(|s| selector_matches(s, rule))
        })
    }

    /// The severity the settings set for this rule, if they set one.
    pub fn severity_override(&self, rule: &RuleInfo) -> Option<Severity> {
        self.severity.get(rule.name).copied()
    }

    pub fn severity_of(&self, rule: &RuleInfo) -> Severity {
        self.severity
            .get(rule.name)
            .copied()
            .unwrap_or(rule.severity)
    }

    pub fn is_excluded(&self, relative: &Path) -> bool {
        self.exclude.iter().any(|g| g.is_match(relative))
    }
}

/// Finds the configuration for files in `dir`: the nearest config file walking up.
pub fn find_config(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find_map(config_in)
}

/// The configuration file in this very folder, if any (see [`find_config`]).
pub fn config_in(dir: &Path) -> Option<PathBuf> {
    CONFIG_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_reported_with_their_position() {
        let err = ConfigFile::parse(Path::new("c.toml"), "[client]\nheaderz = []\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(err.message.contains("headerz"), "{}", err.message);
    }

    #[test]
    fn selectors_take_names_codes_prefixes_and_all() {
        let rule = crate::rules::find("wildcard-with-credentials").unwrap();
        for s in [
            "ALL",
            "wildcard-with-credentials",
            "CORS101",
            "CORS1",
            "cors10",
        ] {
            assert!(selector_matches(s, rule), "{s}");
        }
        assert!(!selector_matches("CORS2", rule));
        assert!(!is_known_selector("no-such-rule"));
    }
}
