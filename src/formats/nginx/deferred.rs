//! `server` blocks held as their place in the text from parsing until lowering.
//!
//! The files of an include glob (`conf.d/*.conf`, one server each) are all parsed before any
//! server is lowered: a syntax error anywhere stops the lint, and the maps and headers of the
//! `http` level, wherever they are, apply to every server. As [`Item`]s, their directives
//! took 2.5 times the size of their text, all in memory at once: the largest part of peak
//! memory on a tree of 50 servers. So the first parse of such a file checks its syntax and
//! keeps, of each top-level `server`, only where its block's text is; the block is parsed
//! again into items on the thread that lowers the server, and freed there.

use std::sync::Arc;

use super::includes::{Item, Items};
use super::parser::parse_with;
use crate::source::FileId;

/// The text of a `server` block (between its braces), to be parsed into items.
#[derive(Debug, Clone)]
pub struct Deferred {
    pub(super) file: FileId,
    pub(super) text: Arc<String>,
    /// Where the block's inside starts and ends in the file.
    pub(super) start: usize,
    pub(super) end: usize,
    /// The nesting of the block's directives (include depth and blocks), for the nesting
    /// limit.
    pub(super) depth: usize,
}

impl Deferred {
    /// The block's items: those the first parse would have built. (It parsed this text
    /// without error, so this parse cannot fail; its problems and comments were recorded
    /// then.)
    pub fn decode(&self) -> Box<[Item]> {
        let mut items = Items::new(self.file, self.start, self.depth);
        let parsed = parse_with(&self.text[self.start..self.end], &mut items);
        debug_assert!(parsed.is_ok(), "a block that parsed once parses again");
        parsed.unwrap_or_default().into_boxed_slice()
    }
}
