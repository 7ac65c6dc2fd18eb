//! A URL as `corslint simulate` reads it: the browser's parsing, then nginx's decoding of the
//! path. Whatever the text, nginx's path starts with `/` and holds no `.` or `..` segment (dot
//! segments resolved), and no empty one unless `merge_slashes` is off; or nginx refuses it.
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
    for merge_slashes in [true, false] {
        let Ok((uri, _)) = corslint::request_target::nginx_uri(path, merge_slashes) else {
            continue;
        };
        assert!(uri.starts_with('/'), "{path:?} → {uri:?}");
        let inner = uri[1..].strip_suffix('/').unwrap_or(&uri[1..]);
        if inner.is_empty() {
            continue;
        }
        for segment in inner.split('/') {
            let allowed_empty = segment.is_empty() && !merge_slashes;
            assert!(
                allowed_empty || !matches!(segment, "" | "." | ".."),
                "{path:?} → {uri:?} (merge_slashes {merge_slashes}): segment {segment:?}"
            );
        }
    }
}
