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
}
