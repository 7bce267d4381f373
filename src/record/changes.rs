//! The files an entry lists, read from its bytes without copying them: a record keeps each
//! entry as the bytes of its file (what its hash and signature are of) and its head, and reads the
//! quarter of a million paths and hashes a province-sized first entry lists only where they are
//! used, borrowing them from those bytes (a path or hash written with an escape is copied).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

/// A string of an entry, borrowed from its bytes where it has no escape.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Text<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

/// A JSON object of strings (path → BLAKE3), in the order written (the record writes them
/// sorted).
#[derive(Debug, Default)]
pub struct Pairs<'a>(pub Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'de: 'a, 'a> Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Pairs<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((Text(k), Text(v))) = map.next_entry::<Text<'a>, Text<'a>>()? {
                    pairs.push((k, v));
                }
                Ok(Pairs(pairs))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// What an entry changed: the files added and changed with their BLAKE3, the paths removed
/// (see [`super::Entry`]), borrowed from the entry's bytes.
#[derive(Debug, Default, Deserialize)]
pub struct Changes<'a> {
    /// Files new to the site, with their BLAKE3.
    #[serde(borrow)]
    pub added: Pairs<'a>,
    /// Files whose bytes changed, with their new BLAKE3.
    #[serde(borrow)]
    pub changed: Pairs<'a>,
    /// Files no longer on the site.
    #[serde(borrow)]
    pub removed: Vec<Text<'a>>,
}

/// An entry read whole, its files borrowed: what reading a record checks each entry is (one
/// pass over its bytes; `#[serde(flatten)]` would buffer them).
#[derive(Deserialize)]
pub(super) struct Parsed<'a> {
    schema: String,
    seq: u64,
    date: String,
    previous: Option<String>,
    numbers: std::collections::BTreeMap<String, String>,
    #[serde(borrow)]
    added: Pairs<'a>,
    #[serde(borrow)]
    changed: Pairs<'a>,
    #[serde(borrow)]
    removed: Vec<Text<'a>>,
}

impl<'a> Parsed<'a> {
    /// The entry's head, and what it changed.
    pub(super) fn split(self) -> (super::EntryHead, Changes<'a>) {
        let Parsed { schema, seq, date, previous, numbers, added, changed, removed } = self;
        (super::EntryHead { schema, seq, date, previous, numbers }, Changes { added, changed, removed })
    }
}

impl Changes<'_> {
    /// The files added or changed, with their BLAKE3.
    pub fn written(&self) -> impl Iterator<Item = (&str, &str)> {
        self.added.0.iter().chain(&self.changed.0).map(|(p, h)| (&**p, &**h))
    }
}

/// A file's hash as an entry gives it: a BLAKE3 in lowercase hex, as the record writes them, kept
/// as its bytes; anything else as written (equal only to the same text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Digest {
    /// A BLAKE3.
    Blake3([u8; 32]),
    /// Any other text.
    Text(Box<str>),
}

impl Digest {
    /// The hash written as `text`.
    pub fn of(text: &str) -> Digest {
        match super::archive::parse_hash(text) {
            Some(hash) => Digest::Blake3(*hash.as_bytes()),
            None => Digest::Text(text.into()),
        }
    }

    /// As the record writes it.
    pub fn to_text(&self) -> String {
        match self {
            Digest::Blake3(bytes) => blake3::Hash::from(*bytes).to_hex().to_string(),
            Digest::Text(text) => text.to_string(),
        }
    }
}

impl From<blake3::Hash> for Digest {
    fn from(hash: blake3::Hash) -> Digest {
        Digest::Blake3(*hash.as_bytes())
    }
}

impl From<&Digest> for Digest {
    fn from(hash: &Digest) -> Digest {
        hash.clone()
    }
}

impl From<String> for Digest {
    fn from(text: String) -> Digest {
        Digest::of(&text)
    }
}

impl From<&str> for Digest {
    fn from(text: &str) -> Digest {
        Digest::of(text)
    }
}

/// Files an entry lists, or the site as the record says it is, kept small and in blocks: the
/// paths of a block one after another in one string, where each ends, and each one's hash. A
/// province's site is a third of a million files: 30 MB so, where an entry's bytes and a list
/// borrowing from them were 67; and in blocks of a few hundred kilobytes, which a heap that
/// rendered a site has room for, where lists of tens of megabytes took new memory.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Listed {
    blocks: Vec<Block>,
    len: usize,
}

/// Up to [`BLOCK`] files of a [`Listed`].
#[derive(Debug, Default, Clone, PartialEq)]
struct Block {
    paths: String,
    ends: Vec<u32>,
    hashes: Vec<Digest>,
}

/// Files in a block of a [`Listed`].
const BLOCK: usize = 4096;

impl Listed {
    /// Add a file at the end.
    pub fn push(&mut self, path: &str, hash: Digest) {
        if self.len.is_multiple_of(BLOCK) {
            self.blocks.push(Block {
                ends: Vec::with_capacity(BLOCK),
                hashes: Vec::with_capacity(BLOCK),
                ..Block::default()
            });
        }
        let Some(block) = self.blocks.last_mut() else { return };
        block.paths.push_str(path);
        // a block's paths are far below 4 GB (4,096 paths of a file system)
        block.ends.push(u32::try_from(block.paths.len()).unwrap_or(u32::MAX));
        block.hashes.push(hash);
        self.len += 1;
    }

    /// How many files.
    pub fn len(&self) -> usize {
        self.len
    }

    /// No file.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The `i`-th file: its path and hash.
    pub fn get(&self, i: usize) -> (&str, &Digest) {
        let (block, at) = (&self.blocks[i / BLOCK], i % BLOCK);
        let start = if at == 0 { 0 } else { block.ends[at - 1] as usize };
        (&block.paths[start..block.ends[at] as usize], &block.hashes[at])
    }

    /// The files in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Digest)> {
        (0..self.len).map(|i| self.get(i))
    }

    /// Add every file of `other` at the end.
    pub fn extend(&mut self, other: &Listed) {
        for (path, hash) in other.iter() {
            self.push(path, hash.clone());
        }
    }

    /// Whether the paths are in order, each once (as an entry writes them).
    pub fn in_order(&self) -> bool {
        (1..self.len).all(|i| self.get(i - 1).0 < self.get(i).0)
    }
}

/// The site as the record says it is: the files of its first entry (in path order, each once)
/// and what the later entries did, path by path: `+` and the hash a path was set to, or `-` for a
/// path taken away (most entries list a few files). Merged as they are read, never into a second
/// list of a third of a million files.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct State {
    /// The first entry's files.
    pub base: Listed,
    /// What the later entries did.
    pub overlay: std::collections::BTreeMap<String, String>,
}

impl State {
    /// The files in path order, each once, with their hashes.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Digest)> {
        let mut base = self.base.iter().peekable();
        let mut over = self.overlay.iter().peekable();
        std::iter::from_fn(move || {
            loop {
                let first = match (base.peek(), over.peek()) {
                    (None, None) => return None,
                    (Some((b, _)), Some((o, _))) => *b < o.as_str(),
                    (b, _) => b.is_some(),
                };
                if first {
                    return base.next().map(|(path, hash)| (path, hash.clone()));
                }
                let (path, change) = over.next()?;
                // the path's base entry, if it has one, is overridden
                base.next_if(|(b, _)| *b == path.as_str());
                if let Some(hash) = change.strip_prefix('+') {
                    return Some((path.as_str(), Digest::of(hash)));
                }
            }
        })
    }
}

/// What an entry changed, read into [`Listed`]s: see [`stream`].
#[derive(Debug, Default)]
pub struct Streamed {
    /// Files new to the site, with their BLAKE3.
    pub added: Listed,
    /// Files whose bytes changed, with their new BLAKE3.
    pub changed: Listed,
    /// Files no longer on the site.
    pub removed: Vec<String>,
}

impl Streamed {
    /// The files added or changed, with their hashes.
    pub fn written(&self) -> impl Iterator<Item = (&str, &Digest)> {
        self.added.iter().chain(self.changed.iter())
    }
}

impl Digest {
    /// The BLAKE3 it is, if it is one.
    pub fn blake3(&self) -> Option<blake3::Hash> {
        match self {
            Digest::Blake3(bytes) => Some(blake3::Hash::from(*bytes)),
            Digest::Text(_) => None,
        }
    }
}

/// Read what an entry changed from its JSON as it comes: its `added` and `changed` objects
/// and its `removed` array, each required once; its other fields are read over. Never the
/// whole file in memory: a province's first entry is 42 MB. A reader of JSON of its own, not
/// serde_json's, whose reader of a stream would take 28 KB of the binary's budget (README); it
/// reads JSON as RFC 8259 writes it, strings in runs between quotes and escapes. The problem,
/// in words, when it is not an entry.
pub fn stream(r: &mut dyn std::io::BufRead) -> Result<Streamed, String> {
    stream_where(r, &|_| true)
}

/// [`stream`], keeping of the files added and changed only those whose path `keep` takes (the
/// others are read, and checked as JSON, all the same).
pub fn stream_where(r: &mut dyn std::io::BufRead, keep: &dyn Fn(&str) -> bool) -> Result<Streamed, String> {
    let mut scan = Scan { r, text: Vec::new(), keep };
    let mut fields: [Option<Listed>; 2] = [None, None];
    let mut removed: Option<Vec<String>> = None;
    scan.expect(b'{')?;
    if scan.peek()? == Some(b'}') {
        scan.r.consume(1);
    } else {
        loop {
            let key = scan.string()?.to_string();
            scan.expect(b':')?;
            let twice = || format!("字段「{key}」出现了两次");
            match key.as_str() {
                "added" | "changed" => {
                    let slot = &mut fields[usize::from(key == "changed")];
                    if slot.is_some() {
                        return Err(twice());
                    }
                    *slot = Some(scan.pairs()?);
                }
                "removed" => {
                    if removed.is_some() {
                        return Err(twice());
                    }
                    removed = Some(scan.strings()?);
                }
                _ => scan.skip(0)?,
            }
            if !scan.more(b'}')? {
                break;
            }
        }
    }
    if scan.peek()?.is_some() {
        return Err("记录之后还有别的内容".into());
    }
    let [added, changed] = fields;
    let missing = |field: &str| format!("缺少字段「{field}」");
    Ok(Streamed {
        added: added.ok_or_else(|| missing("added"))?,
        changed: changed.ok_or_else(|| missing("changed"))?,
        removed: removed.ok_or_else(|| missing("removed"))?,
    })
}

/// Nesting deeper than this in a field [`stream`] reads over is refused (a file made to
/// exhaust the stack is no entry).
const DEPTH: usize = 64;

/// JSON as it is read: see [`stream`].
struct Scan<'r> {
    r: &'r mut dyn std::io::BufRead,
    /// The string read last.
    text: Vec<u8>,
    /// Which files added or changed are kept.
    keep: &'r dyn Fn(&str) -> bool,
}

fn io(e: std::io::Error) -> String {
    format!("读取出错：{}", crate::error::io_reason(&e))
}

impl Scan<'_> {
    /// The next byte that is not whitespace, left unread; `None` at the end.
    fn peek(&mut self) -> Result<Option<u8>, String> {
        loop {
            let buf = self.r.fill_buf().map_err(io)?;
            if buf.is_empty() {
                return Ok(None);
            }
            match buf.iter().position(|b| !matches!(b, b' ' | b'\n' | b'\r' | b'\t')) {
                Some(i) => {
                    let b = buf[i];
                    self.r.consume(i);
                    return Ok(Some(b));
                }
                None => {
                    let n = buf.len();
                    self.r.consume(n);
                }
            }
        }
    }

    /// The next byte as it is.
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.r.fill_buf().map_err(io)?.first().ok_or("内容不完整，提前结束了")?;
        self.r.consume(1);
        Ok(b)
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        match self.peek()? {
            Some(b) if b == c => {
                self.r.consume(1);
                Ok(())
            }
            Some(_) => Err(format!("应为「{}」", c as char)),
            None => Err("内容不完整，提前结束了".into()),
        }
    }

    /// After a member of an object or array: `true` for a comma (another follows), `false` for
    /// `close`.
    fn more(&mut self, close: u8) -> Result<bool, String> {
        match self.peek()? {
            Some(b',') => {
                self.r.consume(1);
                Ok(true)
            }
            Some(b) if b == close => {
                self.r.consume(1);
                Ok(false)
            }
            _ => Err("成员之间应为「,」".into()),
        }
    }

    /// A string (into `text`).
    fn string(&mut self) -> Result<&str, String> {
        self.expect(b'"')?;
        self.text.clear();
        loop {
            let buf = self.r.fill_buf().map_err(io)?;
            if buf.is_empty() {
                return Err("字符串没有结束".into());
            }
            let end = memchr::memchr2(b'"', b'\\', buf);
            let run = &buf[..end.unwrap_or(buf.len())];
            if run.iter().any(|&b| b < 0x20) {
                return Err("字符串里有未转义的控制字符".into());
            }
            self.text.extend_from_slice(run);
            let Some(i) = end else {
                let n = buf.len();
                self.r.consume(n);
                continue;
            };
            let quote = buf[i] == b'"';
            self.r.consume(i + 1);
            if quote {
                break;
            }
            self.escape()?;
        }
        std::str::from_utf8(&self.text).map_err(|_| "字符串不是有效的 UTF-8".to_string())
    }

    /// What follows a backslash in a string, onto `text`.
    fn escape(&mut self) -> Result<(), String> {
        let c = match self.byte()? {
            b @ (b'"' | b'\\' | b'/') => char::from(b),
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&high) {
                    // a pair of UTF-16 surrogates
                    if self.byte()? != b'\\' || self.byte()? != b'u' {
                        return Err("\\u 转义的代理对不完整".into());
                    }
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err("\\u 转义的代理对不完整".into());
                    }
                    0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    high
                };
                char::from_u32(code).ok_or("\\u 转义不是有效的字符")?
            }
            _ => return Err("无效的转义".into()),
        };
        self.text.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut n = 0;
        for _ in 0..4 {
            let d = char::from(self.byte()?).to_digit(16).ok_or("\\u 之后应为四位十六进制数")?;
            n = n * 16 + d;
        }
        Ok(n)
    }

    /// An object of strings: path → hash.
    fn pairs(&mut self) -> Result<Listed, String> {
        let mut listed = Listed::default();
        self.expect(b'{')?;
        if self.peek()? == Some(b'}') {
            self.r.consume(1);
            return Ok(listed);
        }
        let mut path = String::new();
        loop {
            path.clear();
            path.push_str(self.string()?);
            self.expect(b':')?;
            let keep = self.keep;
            let hash = self.string()?;
            if keep(&path) {
                let hash = Digest::of(hash);
                listed.push(&path, hash);
            }
            if !self.more(b'}')? {
                return Ok(listed);
            }
        }
    }

    /// An array of strings.
    fn strings(&mut self) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        self.expect(b'[')?;
        if self.peek()? == Some(b']') {
            self.r.consume(1);
            return Ok(out);
        }
        loop {
            out.push(self.string()?.to_string());
            if !self.more(b']')? {
                return Ok(out);
            }
        }
    }

    /// Read over any value, `depth` levels down.
    fn skip(&mut self, depth: usize) -> Result<(), String> {
        if depth > DEPTH {
            return Err("嵌套太深".into());
        }
        match self.peek()? {
            Some(b'"') => self.string().map(drop),
            Some(open @ (b'{' | b'[')) => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.r.consume(1);
                if self.peek()? == Some(close) {
                    self.r.consume(1);
                    return Ok(());
                }
                loop {
                    if open == b'{' {
                        self.string()?;
                        self.expect(b':')?;
                    }
                    self.skip(depth + 1)?;
                    if !self.more(close)? {
                        return Ok(());
                    }
                }
            }
            Some(b) if b == b'-' || b.is_ascii_alphanumeric() => {
                // a number, true, false or null: its bytes, then checked as one
                self.text.clear();
                while let Some(&b) = self.r.fill_buf().map_err(io)?.first() {
                    if !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')) {
                        break;
                    }
                    self.text.push(b);
                    self.r.consume(1);
                }
                let word = std::str::from_utf8(&self.text).unwrap_or_default();
                let ok = matches!(word, "true" | "false" | "null") || is_number(word);
                if ok { Ok(()) } else { Err("不是 JSON 的值".into()) }
            }
            Some(_) => Err("不是 JSON 的值".into()),
            None => Err("内容不完整，提前结束了".into()),
        }
    }
}

/// A number as JSON writes one: `-`, digits without a leading zero, a fraction, an exponent.
fn is_number(word: &str) -> bool {
    let b = word.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    let start = i;
    match digits(&mut i) {
        0 => return false,
        n if n > 1 && b[start] == b'0' => return false,
        _ => {}
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_borrowed_unless_escaped_and_read_the_same_either_way() {
        let json = br#"{"added": {"u/a.html": "11", "u/\"b\".html": "22"}, "changed": {}, "removed": ["u/c.html", "u/\u4e2d.html"], "other": 1}"#;
        let c: Changes = serde_json::from_slice(json).unwrap();
        assert!(matches!(c.added.0[0].0, Cow::Borrowed("u/a.html")));
        assert!(matches!(&c.added.0[1].0, Cow::Owned(p) if p == "u/\"b\".html"));
        assert!(matches!(c.removed[0].0, Cow::Borrowed("u/c.html")));
        assert!(matches!(&c.removed[1].0, Cow::Owned(p) if p == "u/中.html"));
        assert_eq!(c.written().collect::<Vec<_>>(), [("u/a.html", "11"), ("u/\"b\".html", "22")]);
        assert!(serde_json::from_slice::<Changes>(br#"{"added": {"a": 1}}"#).is_err(), "a hash is a string");
    }

    /// (added, changed, removed), in order.
    type Read = (Vec<(String, Digest)>, Vec<(String, Digest)>, Vec<String>);

    /// What `stream` reads of `json` through a buffer of `size` bytes.
    fn streamed(json: &str, size: usize) -> Result<Read, String> {
        let mut r = std::io::BufReader::with_capacity(size, json.as_bytes());
        let s = stream(&mut r)?;
        let pairs = |l: &Listed| l.iter().map(|(p, h)| (p.to_string(), h.clone())).collect();
        Ok((pairs(&s.added), pairs(&s.changed), s.removed))
    }

    #[test]
    fn an_entry_streams_as_serde_json_reads_it_whatever_the_buffer() {
        let valid = [
            r#"{"schema":"gongkai-record/1","seq":1,"date":"2026-01-01","previous":null,"added":{"u/a.html":"11","u/b.html":"22"},"changed":{},"removed":[],"numbers":{"c/u/a.md":"X-1"}}"#,
            " {\n \"added\" : { \"u/\\\"q\\\".html\" : \"h\\u0031\" } ,\t\"changed\":{\"\\u4e2d/\\ud83d\\ude00\\/x\":\"\\n\"},\r\"removed\":[\"a\\\\b\",\"\"], \"seq\": -1.5e+3, \"x\": [true, false, null, {\"y\": [[]]}, 0, 10.25] } \n",
            r#"{"removed":["中文/页面.html"],"changed":{"k":"v"},"added":{}}"#,
        ];
        for json in valid {
            let c: Changes = serde_json::from_str(json).unwrap();
            let expected: Read = (
                c.added.0.iter().map(|(p, h)| (p.to_string(), Digest::of(h))).collect(),
                c.changed.0.iter().map(|(p, h)| (p.to_string(), Digest::of(h))).collect(),
                c.removed.iter().map(|t| t.0.to_string()).collect(),
            );
            for size in [1, 2, 3, 7, 64, 1 << 16] {
                assert_eq!(streamed(json, size), Ok(expected.clone()), "{json} through {size} bytes");
            }
        }
        let invalid = [
            ("", "提前结束"),
            (r#"{"added":{},"changed":{}}"#, "缺少字段「removed」"),
            (r#"{"added":{},"changed":{},"removed":[],"added":{}}"#, "出现了两次"),
            (r#"{"added":{"a":1},"changed":{},"removed":[]}"#, "应为「\"」"),
            (r#"{"added":{},"changed":{},"removed":[]} x"#, "还有别的内容"),
            ("{\"added\":{\"a\tb\":\"h\"},\"changed\":{},\"removed\":[]}", "控制字符"),
            (r#"{"added":{"\x":"h"},"changed":{},"removed":[]}"#, "无效的转义"),
            (r#"{"added":{"\ud83d":"h"},"changed":{},"removed":[]}"#, "代理对"),
            (r#"{"added":{"a":"h"},"changed":{},"removed":["b",]}"#, "应为「\"」"),
            (r#"{"added":{},"changed":{},"removed":[],"n":01}"#, "不是 JSON 的值"),
            (r#"{"added":{},"changed":{},"removed":[],"n":tru}"#, "不是 JSON 的值"),
            (r#"{"added":{},"changed":{},"removed":[],"s":"unended}"#, "没有结束"),
        ];
        for (json, why) in invalid {
            assert!(serde_json::from_str::<Changes>(json).is_err(), "serde_json refuses it too: {json}");
            for size in [1, 5, 1 << 16] {
                let got = streamed(json, size).unwrap_err();
                assert!(got.contains(why), "{json} through {size}: {got}");
            }
        }
        let deep =
            format!(r#"{{"added":{{}},"changed":{{}},"removed":[],"x":{}{}}}"#, "[".repeat(100), "]".repeat(100));
        assert!(streamed(&deep, 64).unwrap_err().contains("嵌套太深"));
        let invalid_utf8 = [&b"{\"added\":{\""[..], &[0xff], &b"\":\"h\"},\"changed\":{},\"removed\":[]}"[..]].concat();
        assert!(stream(&mut &invalid_utf8[..]).unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn a_list_kept_small_is_put_in_order_and_merged_as_a_map_would_be() {
        let h = |n: u8| super::super::hex(&[n]);
        let json = format!(
            r#"{{"added": {{"b": "{}", "a\u002f\"x\"": "{}", "b": "{}", "c": "不是哈希"}}, "changed": {{}}, "removed": ["z"]}}"#,
            h(1),
            h(2),
            h(3)
        );
        let s = stream(&mut json.as_bytes()).unwrap();
        // only what is kept, the rest read over; removed paths all
        let only_b = stream_where(&mut json.as_bytes(), &|p| p == "b").unwrap();
        assert!(only_b.added.iter().map(|(p, _)| p).eq(["b", "b"]));
        assert_eq!(only_b.removed, ["z"]);
        assert!(stream_where(&mut &json.as_bytes()[..json.len() - 1], &|_| false).is_err());
        assert_eq!(s.added.len(), 4);
        assert_eq!(s.removed, ["z"]);
        assert!(!s.added.in_order(), "not in order, and a path twice");
        let mut ordered = Listed::default();
        ordered.push("a/\"x\"", Digest::of(&h(2)));
        ordered.push("b", Digest::of(&h(3)));
        ordered.push("c", Digest::Text("不是哈希".into()));
        assert!(ordered.in_order());
        assert_eq!(s.added.get(1), ("a/\"x\"", &Digest::of(&h(2))), "escapes read");
        assert_eq!(s.added.get(3), ("c", &Digest::Text("不是哈希".into())));
        assert!(matches!(Digest::of(&h(1)), Digest::Blake3(_)));
        assert_ne!(Digest::of(&h(1)), Digest::of(&h(1).to_uppercase()), "as the text compares");
        // an overlay: paths set, paths taken away, a path taken away that is not there
        let overlay = std::collections::BTreeMap::from([
            ("a0".to_string(), "+n".to_string()),
            ("b".to_string(), "+m".to_string()),
            ("c".to_string(), "-".to_string()),
            ("nothing".to_string(), "-".to_string()),
            ("zz".to_string(), "+z".to_string()),
        ]);
        let state = State { base: ordered, overlay };
        let applied: Vec<(&str, Digest)> = state.iter().collect();
        assert_eq!(
            applied,
            [("a/\"x\"", Digest::of(&h(2))), ("a0", Digest::of("n")), ("b", Digest::of("m")), ("zz", Digest::of("z"))]
        );
        let nothing_over = State { base: state.base.clone(), overlay: Default::default() };
        assert!(nothing_over.iter().eq(state.base.iter().map(|(p, h)| (p, h.clone()))));
        // blocks: more files than one holds, got back in order
        let mut many = Listed::default();
        for i in 0..(2 * BLOCK + 5) {
            many.push(&format!("p{i:06}"), Digest::of(&i.to_string()));
        }
        assert_eq!(many.len(), 2 * BLOCK + 5);
        assert_eq!(many.blocks.len(), 3);
        assert!(many.iter().enumerate().all(|(i, (p, h))| p == format!("p{i:06}") && *h == Digest::of(&i.to_string())));
        assert!(Listed::default().in_order());
    }
}
