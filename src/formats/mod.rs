//! One module per format. Each turns files into the common [`Document`] model and knows
//! nothing of rules.

pub mod firebase;
pub mod json;
pub mod netlify;
pub mod nginx;
pub mod vercel;

use crate::model::Document;
use crate::source::{FileId, Sources};

/// The file formats corslint reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Nginx,
    Vercel,
    Firebase,
    NetlifyHeaders,
    NetlifyToml,
    NetlifyRedirects,
}

impl Format {
    /// The format a file name implies (`vercel.json`, `_headers`, `nginx.conf`, `*.conf`).
    /// `*.conf` files are nginx only if their content says so (see [`looks_like_nginx`]).
    pub fn for_name(name: &str) -> Option<Format> {
        match name {
            "vercel.json" | "now.json" => Some(Format::Vercel),
            "firebase.json" => Some(Format::Firebase),
            "_headers" => Some(Format::NetlifyHeaders),
            "_redirects" => Some(Format::NetlifyRedirects),
            "netlify.toml" => Some(Format::NetlifyToml),
            "nginx.conf" => Some(Format::Nginx),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Nginx => "nginx",
            Format::Vercel => "vercel.json",
            Format::Firebase => "firebase.json",
            Format::NetlifyHeaders => "_headers",
            Format::NetlifyToml => "netlify.toml",
            Format::NetlifyRedirects => "_redirects",
        }
    }

    /// Whether this format's files accept `# corslint: ignore[...]` comments.
    pub fn has_comments(self) -> bool {
        !matches!(self, Format::Vercel | Format::Firebase)
    }
}

/// How to read files: options that come from the settings, not from the file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// `_headers` / `_redirects` are Cloudflare Pages files, not Netlify ones.
    pub cloudflare: bool,
    /// `_headers` / `_redirects` are Netlify files, whatever `wrangler.toml` is near.
    /// (With neither flag, a Wrangler configuration nearby means Cloudflare.)
    pub netlify: bool,
}

/// Reads one file (already in `sources`) into the model. nginx adds the files it includes.
pub fn read(
    format: Format,
    file: FileId,
    sources: &mut Sources,
    options: &ReadOptions,
) -> Document {
    match format {
        Format::Nginx => nginx::read(file, sources),
        Format::Vercel => vercel::read(file, sources),
        Format::Firebase => firebase::read_importing(file, sources),
        Format::NetlifyHeaders | Format::NetlifyToml | Format::NetlifyRedirects => {
            netlify::read(format, file, sources, options)
        }
    }
}

/// Whether a text's directives are nginx directives: used for `*.conf` files found in a
/// folder and for files named on the command line with an unknown name.
pub fn looks_like_nginx(text: &str) -> bool {
    nginx::sniff(text)
}
