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

    /// The files in path order, each path once (the last one listed of a path wins, as in a
    /// map): as they are when they are so already, as an entry writes them.
    pub fn into_order(self) -> Listed {
        if (1..self.len).all(|i| self.get(i - 1).0 < self.get(i).0) {
            return self;
        }
        let mut order: Vec<usize> = (0..self.len).collect();
        order.sort_by(|&a, &b| self.get(a).0.cmp(self.get(b).0));
        let mut out = Listed::default();
        for (n, &i) in order.iter().enumerate() {
            // of a run of one path, the last listed: the stable sort kept their order
            if order.get(n + 1).is_some_and(|&next| self.get(next).0 == self.get(i).0) {
                continue;
            }
            let (path, hash) = self.get(i);
            out.push(path, hash.clone());
        }
        out
    }

    /// These files (in path order, each once) changed by `overlay`: each path there is set to
    /// its hash, or taken away (`None`).
    pub fn apply(&self, overlay: &std::collections::BTreeMap<String, Option<Digest>>) -> Listed {
        let mut over = overlay.iter().peekable();
        let mut out = Listed::default();
        for (path, hash) in self.iter() {
            while let Some((p, h)) = over.next_if(|(p, _)| p.as_str() < path) {
                if let Some(h) = h {
                    out.push(p, h.clone());
                }
            }
            match over.next_if(|(p, _)| p.as_str() == path) {
                Some((_, Some(h))) => out.push(path, h.clone()),
                Some((_, None)) => {}
                None => out.push(path, hash.clone()),
            }
        }
        for (p, h) in over {
            if let Some(h) = h {
                out.push(p, h.clone());
            }
        }
        out
    }
}

impl<'de> Deserialize<'de> for Listed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::DeserializeSeed;

        /// A path, into a buffer used again for each.
        struct Path<'b>(&'b mut String);
        impl<'de> DeserializeSeed<'de> for Path<'_> {
            type Value = ();
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
                d.deserialize_str(self)
            }
        }
        impl<'de> Visitor<'de> for Path<'_> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a path")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
                self.0.clear();
                self.0.push_str(v);
                Ok(())
            }
        }
        /// A hash, read without a string of its own.
        struct Hash;
        impl<'de> DeserializeSeed<'de> for Hash {
            type Value = Digest;
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Digest, D::Error> {
                d.deserialize_str(self)
            }
        }
        impl<'de> Visitor<'de> for Hash {
            type Value = Digest;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a hash")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Digest, E> {
                Ok(Digest::of(v))
            }
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Listed;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let (mut listed, mut path) = (Listed::default(), String::new());
                while map.next_key_seed(Path(&mut path))?.is_some() {
                    let hash = map.next_value_seed(Hash)?;
                    listed.push(&path, hash);
                }
                Ok(listed)
            }
        }
        d.deserialize_map(V)
    }
}

/// What an entry changed, read into [`Listed`]s (from a file, as it is read).
#[derive(Debug, Default, Deserialize)]
pub struct Streamed {
    /// Files new to the site, with their BLAKE3.
    pub added: Listed,
    /// Files whose bytes changed, with their new BLAKE3.
    pub changed: Listed,
    /// Files no longer on the site.
    pub removed: Vec<String>,
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

    #[test]
    fn a_list_kept_small_is_put_in_order_and_merged_as_a_map_would_be() {
        let h = |n: u8| super::super::hex(&[n]);
        let json = format!(
            r#"{{"added": {{"b": "{}", "a\u002f\"x\"": "{}", "b": "{}", "c": "不是哈希"}}, "changed": {{}}, "removed": ["z"]}}"#,
            h(1),
            h(2),
            h(3)
        );
        let s: Streamed = serde_json::from_reader(json.as_bytes()).unwrap();
        assert_eq!(s.added.len(), 4);
        assert_eq!(s.removed, ["z"]);
        let ordered = s.added.clone().into_order();
        let listed: Vec<(&str, &Digest)> = ordered.iter().collect();
        assert_eq!(
            listed,
            [("a/\"x\"", &Digest::of(&h(2))), ("b", &Digest::of(&h(3))), ("c", &Digest::Text("不是哈希".into()))],
            "in path order, the last of a path kept"
        );
        assert!(matches!(Digest::of(&h(1)), Digest::Blake3(_)));
        assert_ne!(Digest::of(&h(1)), Digest::of(&h(1).to_uppercase()), "as the text compares");
        // an overlay: paths set, paths taken away, a path taken away that is not there
        let overlay = std::collections::BTreeMap::from([
            ("a0".to_string(), Some(Digest::of("n"))),
            ("b".to_string(), Some(Digest::of("m"))),
            ("c".to_string(), None),
            ("nothing".to_string(), None),
            ("zz".to_string(), Some(Digest::of("z"))),
        ]);
        let applied = ordered.apply(&overlay);
        let applied: Vec<(&str, &Digest)> = applied.iter().collect();
        assert_eq!(
            applied,
            [
                ("a/\"x\"", &Digest::of(&h(2))),
                ("a0", &Digest::of("n")),
                ("b", &Digest::of("m")),
                ("zz", &Digest::of("z"))
            ]
        );
        // blocks: more files than one holds, got back in order
        let mut many = Listed::default();
        for i in 0..(2 * BLOCK + 5) {
            many.push(&format!("p{i:06}"), Digest::of(&i.to_string()));
        }
        assert_eq!(many.len(), 2 * BLOCK + 5);
        assert_eq!(many.blocks.len(), 3);
        assert!(many.iter().enumerate().all(|(i, (p, h))| p == format!("p{i:06}") && *h == Digest::of(&i.to_string())));
        assert_eq!(Listed::default().into_order(), Listed::default());
    }
}
