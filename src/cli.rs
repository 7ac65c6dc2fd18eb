//! Command-line definitions (the contract in DESIGN.md).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "corslint",
    version,
    about = "Finds CORS mistakes in nginx, vercel.json, firebase.json and Netlify configs before the browser does"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and folders (default: the current folder).
    Check(Box<CheckArgs>),
    /// Send one request through the configuration and check it as the browser does.
    Simulate(Box<SimulateArgs>),
    /// Run the language server over standard input and output.
    Server,
    /// Print one rule's page, or list every rule.
    Rule {
        /// A rule name (`missing-always`) or code (`CORS301`).
        name: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Full,
    Concise,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files and folders to lint; `-` reads standard input (with --stdin-filename).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Full, env = "CORSLINT_OUTPUT_FORMAT")]
    pub format: FormatArg,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Only these rules (names, codes, code prefixes such as CORS1, or ALL).
    #[arg(long, value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Not these rules.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Exit 1 when a finding at or above this severity remains.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    pub exit_zero: bool,
    /// Use this configuration file for every linted file.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// A request header the front end sends (repeatable).
    #[arg(long = "client-header", value_name = "NAME")]
    pub client_headers: Vec<String>,
    /// An origin the front end runs on (repeatable).
    #[arg(long = "client-origin", value_name = "ORIGIN")]
    pub client_origins: Vec<String>,
    /// The front end sends credentials (cookies, HTTP auth).
    #[arg(long)]
    pub client_credentials: bool,
    /// With PATH `-`: the file name the text on standard input stands for.
    #[arg(long)]
    pub stdin_filename: Option<String>,
    /// Skip files matching these globs when walking folders.
    #[arg(long, value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Read `_headers` / `_redirects` as this platform's dialect.
    #[arg(long, value_parser = ["netlify", "cloudflare"])]
    pub platform: Option<String>,
    /// When to use colour in the full format.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Print findings only, no summary.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print how many findings each rule produced.
    #[arg(long)]
    pub statistics: bool,
    /// Also say which files were skipped and why.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The page's origin, e.g. https://app.example.com
    #[arg(long)]
    pub origin: String,
    /// The request method (fetch normalises DELETE, GET, HEAD, OPTIONS, POST, PUT to upper case).
    #[arg(long, default_value = "GET")]
    pub method: String,
    /// A request header the page sets, `Name: value` (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// The request is made with `credentials: 'include'`.
    #[arg(long)]
    pub credentials: bool,
    /// The URL requested.
    #[arg(long)]
    pub url: String,
    /// The status the handler (upstream, function) gives the actual request.
    #[arg(long, default_value_t = 200)]
    pub status: u16,
    #[arg(long, value_enum, default_value_t = SimulateFormat::Text)]
    pub format: SimulateFormat,
    /// Configuration files and folders (default: the current folder).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
}
