//! The whole lint of one file of any kind: the first byte picks the file name (and so the
//! format), the rest is the file, as bytes (invalid UTF-8 included).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

const NAMES: [&str; 8] = [
    "nginx.conf",
    "vercel.json",
    "now.json",
    "firebase.json",
    "_headers",
    "_redirects",
    "netlify.toml",
    "site.conf",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, text)) = data.split_first() else {
        return;
    };
    common::lint_as(NAMES[pick as usize % NAMES.len()], text);
});
