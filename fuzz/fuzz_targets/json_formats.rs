//! `vercel.json`, `now.json` and `firebase.json` through the whole lint (the first byte picks
//! the name).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, text)) = data.split_first() else {
        return;
    };
    let name = ["vercel.json", "firebase.json", "now.json"][pick as usize % 3];
    common::lint_as(name, text);
});
