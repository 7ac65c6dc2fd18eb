//! A URL as `corslint simulate` reads it: the browser's parsing, then nginx's decoding of the
//! path. Whatever the text, nginx's path starts with `/` and holds no empty, `.` or `..`
//! segment (slashes merged, dot segments resolved), or nginx refuses it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(target) = corslint::request_target::parse(text) {
        assert!(target.path.starts_with('/'), "{text:?} → {target:?}");
        check_nginx_path(&target.path);
    }
    check_nginx_path(text);
});

fn check_nginx_path(path: &str) {
    let Ok((uri, _)) = corslint::request_target::nginx_uri(path) else {
        return;
    };
    assert!(uri.starts_with('/'), "{path:?} → {uri:?}");
    let inner = uri[1..].strip_suffix('/').unwrap_or(&uri[1..]);
    if !inner.is_empty() {
        for segment in inner.split('/') {
            assert!(
                !matches!(segment, "" | "." | ".."),
                "{path:?} → {uri:?}: segment {segment:?}"
            );
        }
    }
}
