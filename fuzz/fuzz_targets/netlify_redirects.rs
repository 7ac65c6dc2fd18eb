//! Netlify `_redirects` through the whole lint.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::lint_as("_redirects", data);
});
