//! The nginx tokenizer and parser alone: any text parses or gives an error, never a panic,
//! and every span it returns lies inside the text.
#![no_main]

use corslint::formats::nginx::parser;
use corslint::formats::nginx::syntax::Directive;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parser::parse(text) {
        Ok(config) => {
            let mut stack: Vec<&Directive> = config.directives.iter().collect();
            while let Some(d) = stack.pop() {
                assert!(d.span.start <= d.span.end && d.span.end <= text.len());
                assert!(text.get(d.name.span.clone()).is_some());
                for w in &d.args {
                    assert!(text.get(w.span.clone()).is_some());
                }
                stack.extend(d.children());
            }
            for c in &config.comments {
                assert!(text.get(c.span.clone()).is_some());
            }
        }
        Err(e) => assert!(e.span.start <= e.span.end && e.span.end <= text.len()),
    }
});
