//! A spanned YAML tree: the first thing every input file becomes.
//!
//! Sits at the bottom of the pipeline, below `schema` and `load`. We parse into a generic tree first
//! (rather than straight into typed structs) so that a syntax error is reported where it really is,
//! every value keeps its line and column, and keys can be matched against the content model in
//! English *or* Chinese afterwards. Parsing is done by serde-saphyr, which rejects duplicate keys with
//! a location and bounds alias expansion and nesting depth.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// A position in a source file, 1-based, columns counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

impl Pos {
    /// A position.
    pub const fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }

    /// Shift by `lines` (used to map front-matter positions back to the Markdown file).
    pub const fn down(self, lines: u32) -> Self {
        Pos { line: self.line + lines, col: self.col }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// One YAML value with the position where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the value starts.
    pub pos: Pos,
    /// The value.
    pub value: Value,
}

/// YAML values as gongkai sees them. Numbers keep the text the user wrote (`1.50` stays `1.50`,
/// `0943` stays `0943`): everything a clerk types is text to be published, not arithmetic.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An empty value.
    Null,
    /// `true` or `false` (only those words: `yes`/`是` stay text).
    Bool(bool),
    /// A string or a number, as written.
    Text(String),
    /// A sequence.
    List(Vec<Node>),
    /// A mapping, in the order written.
    Map(Vec<Entry>),
}

/// A mapping entry. `key` is what the user wrote until the schema step replaces it with the
/// canonical (English) key; `written` always keeps the user's spelling for messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The canonical key (after normalisation), else as written.
    pub key: String,
    /// The key as the user wrote it.
    pub written: String,
    /// Where the key is.
    pub key_pos: Pos,
    /// Its value.
    pub value: Node,
}

impl Node {
    /// The value as text, if it is text.
    pub fn as_text(&self) -> Option<&str> {
        match &self.value {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a list, if it is one.
    pub fn as_list(&self) -> Option<&[Node]> {
        match &self.value {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    /// The value as a mapping, if it is one.
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The entry for `key` (canonical key after normalisation) in a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }

    /// The value of a key of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Follow a dotted path of mapping keys (`a.b.c`).
    pub fn path(&self, dotted: &str) -> Option<&Node> {
        dotted.split('.').try_fold(self, |node, key| node.get(key))
    }

    /// Text of a scalar field, trimmed; `None` when absent, not text or blank.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_text().map(str::trim).filter(|s| !s.is_empty())
    }

    /// A short description of the value's type, in Chinese, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "空值",
            Value::Bool(_) => "是/否值",
            Value::Text(_) => "文字",
            Value::List(_) => "列表",
            Value::Map(_) => "「键: 值」组",
        }
    }

    /// Move every position down by `lines` (front matter sits below a `---` line).
    pub fn shift(&mut self, lines: u32) {
        self.pos = self.pos.down(lines);
        match &mut self.value {
            Value::List(items) => items.iter_mut().for_each(|n| n.shift(lines)),
            Value::Map(entries) => entries.iter_mut().for_each(|e| {
                e.key_pos = e.key_pos.down(lines);
                e.value.shift(lines);
            }),
            Value::Null | Value::Bool(_) | Value::Text(_) => {}
        }
    }

    /// Visit every scalar text in the tree, with its position.
    pub fn walk_text<'a>(&'a self, f: &mut impl FnMut(&'a str, Pos)) {
        match &self.value {
            Value::Text(s) => f(s, self.pos),
            Value::List(items) => items.iter().for_each(|n| n.walk_text(f)),
            Value::Map(entries) => entries.iter().for_each(|e| e.value.walk_text(f)),
            Value::Null | Value::Bool(_) => {}
        }
    }
}

/// A YAML file that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where, if the parser says.
    pub pos: Option<Pos>,
    /// The parser's own message (English), cleaned of its snippet rendering.
    pub message: String,
}

impl SyntaxError {
    /// A serde-saphyr error, the one conversion of them all (documents, configuration, packs):
    /// where it is, and its message without the location and the snippet it renders.
    pub fn of(e: &serde_saphyr::Error) -> SyntaxError {
        let pos = e.location().map(|l| Pos::new(clamp(l.line()), clamp(l.column())));
        SyntaxError { pos, message: first_line(&e.to_string()) }
    }
}

/// Nesting limit. Disclosure files need about five levels (file → list → entry → list → entry);
/// the limit also keeps the recursive deserializer well inside a 2 MiB thread stack in debug builds.
pub const MAX_DEPTH: usize = 24;

/// How many YAML events aliases (`*name`) may replay in one file: generous for reuse, fatal to an
/// alias bomb (a few lines that would expand to billions of values).
pub const MAX_ALIAS_EVENTS: usize = 10_000;

/// Parse `src` into a spanned tree. An empty document gives `Value::Null`.
pub fn parse(src: &str) -> Result<Node, SyntaxError> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        budget: serde_saphyr::budget! { max_depth: MAX_DEPTH },
        alias_limits: serde_saphyr::alias_limits! { max_total_replayed_events: MAX_ALIAS_EVENTS },
    };
    let raw = serde_saphyr::from_str_with_options::<RawNode>(src, options).map_err(|e| SyntaxError::of(&e))?;
    // Recursion below is bounded: the budget above refused anything deeper than MAX_DEPTH.
    Ok(raw.into_node(src))
}

fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// serde-saphyr's Display is `error: line L column C: message` followed by a rendered snippet; keep
/// only the message, since we render our own snippet.
fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or(s).trim();
    let line = line.strip_prefix("error: ").unwrap_or(line);
    // drop a leading "line N column M: "
    if let Some(rest) = line.strip_prefix("line ")
        && let Some(idx) = rest.find(": ")
        && rest[..idx].contains("column")
    {
        return rest[idx + 2..].to_string();
    }
    line.to_string()
}

/// What serde-saphyr hands us: a value with its location.
struct RawNode(Spanned<RawValue>);

enum RawValue {
    Null,
    Bool(bool),
    Str(String),
    /// A number: we re-read its text from the source so nothing is reformatted.
    Number(String),
    List(Vec<RawNode>),
    Map(Vec<(Spanned<RawKey>, RawNode)>),
}

/// Mapping keys: YAML allows any scalar; a clerk writes text, sometimes a number (`2024: …`).
struct RawKey(String);

impl RawNode {
    fn into_node(self, src: &str) -> Node {
        let loc = self.0.referenced;
        let pos = Pos::new(clamp(loc.line()), clamp(loc.column()));
        let value = match self.0.value {
            RawValue::Null => Value::Null,
            RawValue::Bool(b) => Value::Bool(b),
            RawValue::Str(s) => Value::Text(s),
            RawValue::Number(fallback) => {
                let span = loc.span();
                let written = span
                    .byte_offset()
                    .zip(span.byte_len())
                    .and_then(|(o, l)| src.get(o as usize..(o + l) as usize))
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && !s.starts_with('*'));
                Value::Text(written.map_or(fallback, str::to_string))
            }
            RawValue::List(items) => Value::List(items.into_iter().map(|n| n.into_node(src)).collect()),
            RawValue::Map(entries) => Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        let key_pos = Pos::new(clamp(k.referenced.line()), clamp(k.referenced.column()));
                        Entry { key: k.value.0.clone(), written: k.value.0, key_pos, value: v.into_node(src) }
                    })
                    .collect(),
            ),
        };
        Node { pos, value }
    }
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Spanned::<RawValue>::deserialize(d).map(RawNode)
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = RawValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_none<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValue, D::Error> {
        RawValue::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<RawValue, E> {
        Ok(RawValue::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<RawValue, E> {
        Ok(RawValue::Number(n.to_string()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<RawValue, E> {
        Ok(RawValue::Number(n.to_string()))
    }
    fn visit_i128<E>(self, n: i128) -> Result<RawValue, E> {
        Ok(RawValue::Number(n.to_string()))
    }
    fn visit_u128<E>(self, n: u128) -> Result<RawValue, E> {
        Ok(RawValue::Number(n.to_string()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<RawValue, E> {
        Ok(RawValue::Number(n.to_string()))
    }
    fn visit_str<E>(self, s: &str) -> Result<RawValue, E> {
        Ok(RawValue::Str(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<RawValue, E> {
        Ok(RawValue::Str(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(RawValue::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(RawValue::Map(entries))
    }
}

impl<'de> Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = RawKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key written as text")
            }
            fn visit_str<E>(self, s: &str) -> Result<RawKey, E> {
                Ok(RawKey(s.to_string()))
            }
            fn visit_string<E>(self, s: String) -> Result<RawKey, E> {
                Ok(RawKey(s))
            }
            fn visit_i64<E>(self, n: i64) -> Result<RawKey, E> {
                Ok(RawKey(n.to_string()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<RawKey, E> {
                Ok(RawKey(n.to_string()))
            }
            fn visit_f64<E>(self, n: f64) -> Result<RawKey, E> {
                Ok(RawKey(n.to_string()))
            }
            fn visit_bool<E>(self, b: bool) -> Result<RawKey, E> {
                Ok(RawKey(b.to_string()))
            }
            fn visit_unit<E>(self) -> Result<RawKey, E> {
                Ok(RawKey(String::new()))
            }
        }
        d.deserialize_any(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_at(node: &Node, key: &str) -> (String, Pos) {
        let n = node.get(key).unwrap();
        (n.as_text().unwrap().to_string(), n.pos)
    }

    #[test]
    fn keeps_positions_and_chinese_keys() {
        let n = parse("单位名称: 白银市银光中学\n电话: 0943-8221234\n").unwrap();
        assert_eq!(text_at(&n, "单位名称"), ("白银市银光中学".into(), Pos::new(1, 7)));
        assert_eq!(text_at(&n, "电话"), ("0943-8221234".into(), Pos::new(2, 5)));
        assert_eq!(n.entry("电话").unwrap().key_pos, Pos::new(2, 1));
    }

    #[test]
    fn numbers_keep_their_written_form() {
        let n = parse("a: 730900\nb: 1.50\nc: 0943\nd: NO\ne: 13800001234\n").unwrap();
        for (k, want) in [("a", "730900"), ("b", "1.50"), ("c", "0943"), ("d", "NO"), ("e", "13800001234")] {
            assert_eq!(text_at(&n, k).0, want, "key {k}");
        }
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let e = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert_eq!(e.pos.map(|p| p.line), Some(3));
        let e = parse("a: \"abc\n").unwrap_err();
        assert_eq!(e.pos, Some(Pos::new(1, 4)));
        assert!(e.message.contains("quote"), "{}", e.message);
    }

    #[test]
    fn duplicate_keys_are_errors_with_location() {
        let e = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.pos, Some(Pos::new(2, 1)));
        assert!(e.message.contains("duplicate"), "{}", e.message);
    }

    #[test]
    fn empty_document_is_null() {
        assert_eq!(parse("").unwrap().value, Value::Null);
        assert_eq!(parse("# only a comment\n").unwrap().value, Value::Null);
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(parse(&s).is_err());
    }
}
