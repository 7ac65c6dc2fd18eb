//! `{"version": 1, "findings": [...], "summary": {...}}`.
//!
//! The layout is that of `serde_json::to_writer_pretty` (two-space indent), written out by
//! hand so that pieces of the findings array can be rendered in parallel into memory and
//! written in a few large calls. Numbers and string escapes are serde_json's own, so the
//! output is the same as the pretty printer's, byte for byte.

use std::io::{IoSlice, Write};
use std::sync::Mutex;

use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};

use crate::finding::{Finding, RuleInfo};
use crate::source::{Position, Sources};

/// Findings per piece of parallel work: enough to be worth handing to a thread, few enough
/// that the pieces balance out over the cores.
const CHUNK: usize = 64;

/// Findings rendered before their text is written out: the report is streamed, so that
/// a large one is not held in memory whole. One piece of work: the batch written and the
/// one rendered meanwhile hold no more than two batches of two pieces did before
/// (peak memory on the 50-server tree is reached here).
const BATCH: usize = CHUNK;

pub fn write(findings: &[Finding], sources: &Sources, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(b"{\n  \"version\": 1,\n  \"findings\": [")?;
    // Each batch is rendered into the buffers of a batch already written out: a long report
    // touches the memory of two batches, not fresh memory for every batch.
    let spare: Mutex<Vec<Vec<u8>>> = Mutex::default();
    let render = |b: usize, batch: &[Finding]| -> Vec<Vec<u8>> {
        crate::parallel::map(batch.len().div_ceil(CHUNK), |c| {
            let start = c * CHUNK;
            let end = (start + CHUNK).min(batch.len());
            let reused = spare.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let mut buf = reused.unwrap_or_default();
            render_chunk(&batch[start..end], b == 0 && c == 0, sources, &mut buf);
            buf
        })
    };
    let mut batches = findings.chunks(BATCH).enumerate();
    let mut rendered = batches.next().map(|(b, batch)| render(b, batch));
    while let Some(pieces) = rendered {
        // The next batch is rendered on the other threads while this one is written: into
        // a file, the kernel's writes cost about what rendering costs (1.4 MB of findings
        // on the 50-server benchmark tree: about 1 ms each), so the two overlap.
        let next = batches.next();
        let (following, written) = crate::parallel::alongside(
            || next.map(|(b, batch)| render(b, batch)),
            || write_all_pieces(out, &pieces),
        );
        written?;
        let mut free = spare.lock().unwrap_or_else(|e| e.into_inner());
        free.extend(pieces.into_iter().map(|mut piece| {
            piece.clear();
            piece
        }));
        drop(free);
        rendered = following;
    }

    let counts = super::Counts::of(findings);
    // The pretty printer writes an empty array as `[]`, with no line break inside.
    let mut tail: Vec<u8> = Vec::new();
    tail.extend_from_slice(if findings.is_empty() { b"]" } else { b"\n  ]" });
    tail.extend_from_slice(b",\n  \"summary\": {\n    \"errors\": ");
    value(&mut tail, &counts.errors);
    tail.extend_from_slice(b",\n    \"warnings\": ");
    value(&mut tail, &counts.warnings);
    tail.extend_from_slice(b",\n    \"infos\": ");
    value(&mut tail, &counts.infos);
    tail.extend_from_slice(b",\n    \"total\": ");
    value(&mut tail, &counts.total());
    tail.extend_from_slice(b"\n  }\n}\n");
    out.write_all(&tail)
}

/// Writes `pieces` one after the other, in as few calls as the writer allows (one, for a
/// file): a file system takes large writes far more cheaply than many small ones.
fn write_all_pieces(out: &mut dyn Write, pieces: &[Vec<u8>]) -> std::io::Result<()> {
    let mut slices: Vec<IoSlice> = pieces.iter().map(|p| IoSlice::new(p)).collect();
    let mut rest = &mut slices[..];
    IoSlice::advance_slices(&mut rest, 0);
    while !rest.is_empty() {
        match out.write_vectored(rest) {
            Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut rest, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Appends to `buf` the array elements for `findings`, each preceded by its separator: a
/// comma unless it is the very first element of the array.
fn render_chunk(findings: &[Finding], first_in_array: bool, sources: &Sources, buf: &mut Vec<u8>) {
    // Room for the text plus the fixed parts, so that the buffer rarely grows.
    let size: usize = findings
        .iter()
        .map(|f| {
            let labels: usize = f.secondary.iter().map(|l| 256 + l.message.len()).sum();
            512 + f.message.len() + f.help.as_ref().map_or(0, |h| h.len()) + labels
        })
        .sum();
    buf.reserve(size);
    // Few rules report many findings: render each rule's URL once.
    let mut urls: FxHashMap<*const RuleInfo, Vec<u8>> = FxHashMap::default();
    let mut seen = Rendered::default();
    for (i, f) in findings.iter().enumerate() {
        if i > 0 || !first_in_array {
            buf.push(b',');
        }
        let (start, end) = super::range(f, sources);
        buf.extend_from_slice(b"\n    {\n      \"rule\": ");
        string(buf, f.rule.name);
        buf.extend_from_slice(b",\n      \"code\": ");
        string(buf, f.rule.code);
        buf.extend_from_slice(b",\n      \"severity\": ");
        value(buf, &f.severity);
        buf.extend_from_slice(b",\n      \"message\": ");
        seen.string(buf, &f.message);
        buf.extend_from_slice(b",\n      \"help\": ");
        match &f.help {
            Some(help) => seen.string(buf, help),
            None => buf.extend_from_slice(b"null"),
        }
        let file = &sources.get(f.span.file).name;
        location(buf, Indent::Finding, &mut seen, file, start, end);
        buf.extend_from_slice(b",\n      \"url\": ");
        let url = urls.entry(std::ptr::from_ref(f.rule)).or_insert_with(|| {
            let mut u = Vec::new();
            string(&mut u, &f.rule.url());
            u
        });
        buf.extend_from_slice(url);
        buf.extend_from_slice(b",\n      \"labels\": [");
        for (j, l) in f.secondary.iter().enumerate() {
            if j > 0 {
                buf.push(b',');
            }
            let file = sources.get(l.span.file);
            let s = file.position(l.span.start as usize);
            let e = file.position(l.span.end as usize);
            buf.extend_from_slice(b"\n        {\n          \"message\": ");
            seen.string(buf, &l.message);
            location(buf, Indent::Label, &mut seen, &file.name, s, e);
            buf.extend_from_slice(b"\n        }");
        }
        if !f.secondary.is_empty() {
            buf.extend_from_slice(b"\n      ");
        }
        buf.extend_from_slice(b"]\n    }");
    }
}

/// The `file`, `line`, `column`, `end_line` and `end_column` members of a finding's object
/// or a label's (indented 6 or 10 spaces), each after the comma that ends the previous one.
fn location(
    buf: &mut Vec<u8>,
    indent: Indent,
    seen: &mut Rendered,
    file: &str,
    start: Position,
    end: Position,
) {
    // Every finding writes these five member names: each comes whole, comma, line break
    // and indentation included.
    let names: [&[u8]; 5] = match indent {
        Indent::Finding => [
            b",\n      \"file\": ",
            b",\n      \"line\": ",
            b",\n      \"column\": ",
            b",\n      \"end_line\": ",
            b",\n      \"end_column\": ",
        ],
        Indent::Label => [
            b",\n          \"file\": ",
            b",\n          \"line\": ",
            b",\n          \"column\": ",
            b",\n          \"end_line\": ",
            b",\n          \"end_column\": ",
        ],
    };
    buf.extend_from_slice(names[0]);
    seen.string(buf, file);
    let numbers = [start.line, start.column, end.line, end.column];
    let mut digits = itoa::Buffer::new();
    for (name, n) in names[1..].iter().zip(numbers) {
        buf.extend_from_slice(name);
        buf.extend_from_slice(digits.format(n).as_bytes());
    }
}

/// Where a location's members sit: in a finding, or in one of its labels.
#[derive(Clone, Copy)]
enum Indent {
    Finding,
    Label,
}

/// The strings of one chunk already rendered, by the place of their text in memory, with
/// where their rendering is in the chunk's buffer: a tree repeats one mistake in many sites,
/// so messages, help texts (interned, see `finding::Text`) and file names come again and
/// again, and are escaped once and copied after that. Every text outlives the chunk's
/// rendering, so the same place is the same text.
#[derive(Default)]
struct Rendered(FxHashMap<(usize, usize), std::ops::Range<usize>>);

impl Rendered {
    fn string(&mut self, buf: &mut Vec<u8>, s: &str) {
        let key = (s.as_ptr().addr(), s.len());
        if let Some(range) = self.0.get(&key) {
            buf.extend_from_within(range.clone());
            return;
        }
        let start = buf.len();
        string(buf, s);
        self.0.insert(key, start..buf.len());
    }
}

/// A scalar (string, number, null) as serde_json writes it.
fn value<T: Serialize + ?Sized>(buf: &mut Vec<u8>, v: &T) {
    serde_json::to_writer(buf, v).expect("serializing a JSON scalar into memory cannot fail");
}

/// `s` as a JSON string, escaped exactly as serde_json escapes it.
///
/// serde_json looks up every byte in a table; report text rarely needs escaping, so this
/// tests 16 bytes at a time (the compiler turns the test into vector instructions) and
/// copies clean runs whole. The escapes themselves are still serde_json's.
fn string(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    buf.reserve(bytes.len() + 2);
    buf.push(b'"');
    let (blocks, rest) = bytes.as_chunks::<16>();
    // The tail takes the same test, padded with bytes that are never escaped.
    let mut last = [b' '; 16];
    last[..rest.len()].copy_from_slice(rest);
    // Start of the bytes not yet copied to `buf`.
    let mut run = 0;
    for (n, block) in blocks.iter().chain([&last]).enumerate() {
        if !block.iter().fold(false, |any, &b| any | needs_escape(b)) {
            continue;
        }
        for (i, &b) in block.iter().enumerate() {
            if needs_escape(b) {
                let at = n * 16 + i;
                buf.extend_from_slice(&bytes[run..at]);
                CompactFormatter
                    .write_char_escape(buf, escape(b))
                    .expect("writing to memory cannot fail");
                run = at + 1;
            }
        }
    }
    buf.extend_from_slice(&bytes[run..]);
    buf.push(b'"');
}

/// Whether serde_json escapes `b` in a string: `"`, `\` and control characters. Written
/// without short-circuits so that it vectorizes.
fn needs_escape(b: u8) -> bool {
    (b < 0x20) | (b == b'"') | (b == b'\\')
}

/// How serde_json escapes `b`, one of the bytes [`needs_escape`] picks.
fn escape(b: u8) -> CharEscape {
    match b {
        b'"' => CharEscape::Quote,
        b'\\' => CharEscape::ReverseSolidus,
        0x08 => CharEscape::Backspace,
        b'\t' => CharEscape::Tab,
        b'\n' => CharEscape::LineFeed,
        0x0c => CharEscape::FormFeed,
        b'\r' => CharEscape::CarriageReturn,
        _ => CharEscape::AsciiControl(b),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn strings_escape_like_serde_json() {
        let ascii: String = (0..=0x7f_u8).map(char::from).collect();
        let mut samples: Vec<String> = ascii.chars().map(String::from).collect();
        // Every byte at every place in a block of 16, and in the tail.
        samples.extend((0..=16).map(|k| "x".repeat(k) + &ascii + &"é".repeat(k)));
        samples.push("`*` \"quoted\" back\\slash\ttab, and a longer clean run".repeat(5));
        samples.push(String::new());
        for s in samples {
            let mut buf = Vec::new();
            super::string(&mut buf, &s);
            assert_eq!(
                String::from_utf8(buf).unwrap(),
                serde_json::to_string(&s).unwrap()
            );
        }
    }
}
