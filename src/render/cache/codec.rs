//! The build cache's encoding of a unit's line: fields in a fixed order, numbers in seven-bit
//! groups (LEB128), texts and lists with their length first. Written by hand instead of serde derives: a derive
//! read by serde_json cost about 200 KB of the binary for these ~20 types (the size budget),
//! these calls a few KB. A line that does not decode to the end is no line (`None`).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::check::{Acknowledgement, Completeness, Flag, Outcome, Status};
use crate::declaration::Declaration;
use crate::finding::{Finding, Kind, Origin, Severity};
use crate::output::Kept;
use crate::render::feeds::NoticeRef;
use crate::render::links::PendingLink;
use crate::render::pages::{CatalogCount, UnitPages};
use crate::render::search::Entry;
use crate::render::view::DateView;

/// A value the cache can write and read back.
pub(super) trait Code: Sized {
    fn put(&self, out: &mut Vec<u8>);
    fn take(input: &mut &[u8]) -> Option<Self>;
}

/// Decode a whole line: `None` unless every byte is used.
pub(super) fn decode<T: Code>(mut input: &[u8]) -> Option<T> {
    let value = T::take(&mut input)?;
    input.is_empty().then_some(value)
}

pub(super) fn encode<T: Code>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.put(&mut out);
    out
}

/// A number in seven-bit groups, low first, the high bit set on every byte but the last
/// (LEB128): most numbers here (lengths, counts, line numbers) take one byte.
#[inline(never)]
fn put_u64(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline(never)]
fn take_u64(input: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for (i, &b) in input.iter().enumerate().take(10) {
        let bits = u64::from(b & 0x7f);
        // the tenth byte holds the top bit alone; more is no number
        if i == 9 && b > 1 {
            return None;
        }
        v |= bits << (7 * i);
        if b & 0x80 == 0 {
            *input = &input[i + 1..];
            return Some(v);
        }
    }
    None
}

#[inline(never)]
fn put_str(out: &mut Vec<u8>, s: &str) {
    put_u64(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

#[inline(never)]
fn take_str<'a>(input: &mut &'a [u8]) -> Option<&'a str> {
    let len = usize::try_from(take_u64(input)?).ok()?;
    if len > input.len() {
        return None;
    }
    let (text, rest) = input.split_at(len);
    *input = rest;
    std::str::from_utf8(text).ok()
}

impl Code for u64 {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, *self);
    }
    fn take(input: &mut &[u8]) -> Option<Self> {
        take_u64(input)
    }
}

impl Code for u32 {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, u64::from(*self));
    }
    fn take(input: &mut &[u8]) -> Option<Self> {
        u32::try_from(take_u64(input)?).ok()
    }
}

impl Code for usize {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, *self as u64);
    }
    fn take(input: &mut &[u8]) -> Option<Self> {
        usize::try_from(take_u64(input)?).ok()
    }
}

impl Code for i64 {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, u64::from_le_bytes(self.to_le_bytes()));
    }
    fn take(input: &mut &[u8]) -> Option<Self> {
        Some(i64::from_le_bytes(take_u64(input)?.to_le_bytes()))
    }
}

impl Code for bool {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, u64::from(*self));
    }
    fn take(input: &mut &[u8]) -> Option<Self> {
        match take_u64(input)? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

impl Code for String {
    fn put(&self, out: &mut Vec<u8>) {
        put_str(out, self);
    }
    fn take(input: &mut &[u8]) -> Option<Self> {
        take_str(input).map(str::to_string)
    }
}

/// A text shared by many values (a rule's id, citation and title, in every unit's outcomes and
/// findings): read back, it is shared again, one copy per text and thread, instead of one per
/// value (at 10,000 units, 100 MB of outcomes where the units checked afresh hold 34).
impl Code for Arc<str> {
    fn put(&self, out: &mut Vec<u8>) {
        put_str(out, self);
    }
    fn take(input: &mut &[u8]) -> Option<Self> {
        /// Texts beyond this many are not kept for sharing (the packs' rules are a few hundred).
        const SHARED: usize = 4096;
        thread_local! {
            static TEXTS: std::cell::RefCell<rustc_hash::FxHashSet<Arc<str>>> = Default::default();
        }
        let text = take_str(input)?;
        Some(TEXTS.with_borrow_mut(|texts| match texts.get(text) {
            Some(shared) => shared.clone(),
            None => {
                let new: Arc<str> = Arc::from(text);
                if texts.len() < SHARED {
                    texts.insert(new.clone());
                }
                new
            }
        }))
    }
}

impl<T: Code> Code for Option<T> {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            None => put_u64(out, 0),
            Some(v) => {
                put_u64(out, 1);
                v.put(out);
            }
        }
    }
    fn take(input: &mut &[u8]) -> Option<Self> {
        match take_u64(input)? {
            0 => Some(None),
            1 => Some(Some(T::take(input)?)),
            _ => None,
        }
    }
}

impl<T: Code> Code for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, self.len() as u64);
        for v in self {
            v.put(out);
        }
    }
    fn take(input: &mut &[u8]) -> Option<Self> {
        let len = usize::try_from(take_u64(input)?).ok()?;
        // each value takes at least a byte: a damaged length cannot ask for more memory than that
        if len > input.len() {
            return None;
        }
        let mut out = Vec::with_capacity(len);
        for _ in 0..len {
            out.push(T::take(input)?);
        }
        Some(out)
    }
}

impl<A: Code, B: Code> Code for (A, B) {
    fn put(&self, out: &mut Vec<u8>) {
        self.0.put(out);
        self.1.put(out);
    }
    fn take(input: &mut &[u8]) -> Option<Self> {
        Some((A::take(input)?, B::take(input)?))
    }
}

impl Code for BTreeMap<String, String> {
    fn put(&self, out: &mut Vec<u8>) {
        put_u64(out, self.len() as u64);
        for (k, v) in self {
            put_str(out, k);
            put_str(out, v);
        }
    }
    fn take(input: &mut &[u8]) -> Option<Self> {
        Vec::<(String, String)>::take(input).map(|pairs| pairs.into_iter().collect())
    }
}

impl Code for [i64; 5] {
    fn put(&self, out: &mut Vec<u8>) {
        for v in self {
            v.put(out);
        }
    }
    fn take(input: &mut &[u8]) -> Option<Self> {
        Some([i64::take(input)?, i64::take(input)?, i64::take(input)?, i64::take(input)?, i64::take(input)?])
    }
}

/// A struct, field by field in the order written here.
macro_rules! fields {
    ($t:ty { $($f:ident),* $(,)? }) => {
        impl Code for $t {
            fn put(&self, out: &mut Vec<u8>) {
                $(self.$f.put(out);)*
            }
            fn take(input: &mut &[u8]) -> Option<Self> {
                Some(Self { $($f: Code::take(input)?,)* })
            }
        }
    };
}

/// A fieldless enum, by the position of its variant in the list written here.
macro_rules! variants {
    ($t:ident { $($v:ident),* $(,)? }) => {
        impl Code for $t {
            fn put(&self, out: &mut Vec<u8>) {
                let all = [$($t::$v),*];
                put_u64(out, all.iter().position(|v| v == self).unwrap_or(usize::MAX) as u64);
            }
            fn take(input: &mut &[u8]) -> Option<Self> {
                let all = [$($t::$v),*];
                all.get(usize::try_from(take_u64(input)?).ok()?).copied()
            }
        }
    };
}

variants!(Kind {
    Missing,
    Empty,
    Placeholder,
    Invalid,
    Syntax,
    UnknownField,
    UnknownFile,
    BrokenLink,
    Privacy,
    Confidential,
    Late,
    Unscanned,
    ActiveContent,
    Draft
});
variants!(Severity { Error, Warning, Note });
variants!(Origin { Rule, Privacy, Gongkai, Links });
variants!(Flag { Overdue, ToFix });
variants!(Status { Passed, Failed, Unchecked });

fields!(Finding {
    unit,
    rule,
    citation,
    title,
    kind,
    severity,
    file,
    line,
    column,
    field,
    message,
    help,
    detail,
    origin
});
fields!(Completeness { required, published, points, max_points, score, grade, grade_capped, flags });
fields!(Outcome { rule, citation, title, severity, weight, verified, status });
fields!(Declaration { document, file, line, field, key, label, reason, rules });
fields!(Acknowledgement { unit, rule, file, line, text, reason, reviewer, date, recorded_in });
fields!(DateView { iso, zh });
fields!(NoticeRef { title, path, updated, category });
fields!(CatalogCount { kind, title, published, listed, collection });
fields!(Entry { path, title, labels, excerpt });
fields!(Kept { path, blake3, id });
fields!(UnitPages {
    slug,
    name,
    sector,
    district,
    files,
    findings,
    outward,
    notices,
    latest,
    newest,
    sitemap,
    pages,
    catalog,
    new_numbers,
    documents,
    archived_links,
});
fields!(super::Check {
    slug,
    name,
    sector,
    completeness,
    errors,
    warnings,
    rules,
    withheld,
    declarations,
    findings,
    acknowledgements,
});
fields!(super::Line { slug, inputs, key, folder, check, pages, search, files });

/// Written as a `Vec<Entry>`; read as its bytes, as they are: walked (each text's length and
/// encoding checked, as decoding would) without making a string of any.
impl Code for super::Searched {
    fn put(&self, out: &mut Vec<u8>) {
        match self {
            super::Searched::Entries(entries) => entries.put(out),
            super::Searched::Encoded(bytes) => out.extend_from_slice(bytes),
        }
    }
    fn take(input: &mut &[u8]) -> Option<Self> {
        let start = *input;
        let n = take_u64(input)?;
        for _ in 0..n {
            // an entry: path, title, labels, excerpt (as `fields!(Entry …)` writes them)
            for _ in 0..4 {
                take_str(input)?;
            }
        }
        Some(super::Searched::Encoded(start[..start.len() - input.len()].to_vec()))
    }
}
fields!(super::IndexLine { slug, inputs, key, folder, at, len });
fields!(super::Index { units, search });
fields!(super::SearchFiles { key, files });

/// A link that leaves its unit: never a refused one (those are findings), so `refused` is not
/// kept.
impl Code for PendingLink {
    fn put(&self, out: &mut Vec<u8>) {
        self.unit.put(out);
        self.file.put(out);
        self.line.put(out);
        self.from.put(out);
        self.dest.put(out);
        self.href.put(out);
        self.image.put(out);
    }
    fn take(input: &mut &[u8]) -> Option<Self> {
        Some(PendingLink {
            unit: Code::take(input)?,
            file: Code::take(input)?,
            line: Code::take(input)?,
            from: Code::take(input)?,
            dest: Code::take(input)?,
            href: Code::take(input)?,
            image: Code::take(input)?,
            refused: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_and_damage_is_no_value() {
        let kept = Kept { path: "a/b.html".into(), blake3: "00".repeat(32), id: [1, -2, 3, 4, 5] };
        let bytes = encode(&vec![Some(kept.clone()), None]);
        assert_eq!(decode::<Vec<Option<Kept>>>(&bytes), Some(vec![Some(kept), None]));
        assert_eq!(decode::<Vec<Option<Kept>>>(&bytes[..bytes.len() - 1]), None, "cut short");
        assert_eq!(decode::<Vec<Option<Kept>>>(&[bytes.as_slice(), b"x"].concat()), None, "bytes left");
        let mut huge = encode(&u64::MAX);
        huge.extend(encode(&String::from("x")));
        assert_eq!(decode::<Vec<String>>(&huge), None, "a length past the end");
        assert_eq!(decode::<Severity>(&encode(&Severity::Note)), Some(Severity::Note));
        assert_eq!(decode::<Kind>(&encode(&99u64)), None);
    }

    /// A unit's search entries, kept encoded: the same bytes as the entries themselves, read
    /// back whole (and walked only as far as they go), and damage is no value.
    #[test]
    fn search_entries_kept_encoded_are_the_entries_bytes_and_come_back() {
        let entry = |n: u32| Entry {
            path: format!("u/notices/{n}.html"),
            title: format!("停水通知 {n}"),
            labels: "通知 停水".into(),
            excerpt: "因管网检修，".repeat(n as usize),
        };
        let entries: Vec<Entry> = (0..3).map(entry).collect();
        let kept = super::super::Searched::Entries(entries.clone());
        assert_eq!(encode(&kept), encode(&entries), "the bytes of Vec<Entry>");
        assert_eq!(kept.entries(), entries);
        let bytes = encode(&(kept, 7u64));
        let (back, after) = decode::<(super::super::Searched, u64)>(&bytes).unwrap();
        assert!(matches!(back, super::super::Searched::Encoded(_)), "kept encoded");
        assert_eq!((back.entries().into_owned(), after), (entries.clone(), 7), "it ends where the entries end");
        assert_eq!(encode(&back), encode(&entries), "written again as read");
        let whole = encode(&entries);
        assert!(decode::<super::super::Searched>(&whole[..whole.len() - 1]).is_none(), "cut short");
        let mut bad = whole.clone();
        let at = bad.iter().position(|b| *b == "停".as_bytes()[0]).unwrap();
        bad[at] = 0xff;
        assert!(decode::<super::super::Searched>(&bad).is_none(), "not UTF-8");
        let none = super::super::Searched::default();
        assert!(none.entries().is_empty());
        assert_eq!(encode(&none), encode(&Vec::<Entry>::new()), "an empty list");
    }

    #[test]
    fn numbers_take_as_few_bytes_as_they_need_and_every_one_comes_back() {
        for (v, len) in [(0u64, 1), (127, 1), (128, 2), (16_383, 2), (16_384, 3), (u64::MAX, 10)] {
            let bytes = encode(&v);
            assert_eq!(bytes.len(), len, "{v}");
            assert_eq!(decode::<u64>(&bytes), Some(v));
        }
        for v in [-1i64, i64::MIN, i64::MAX, 1_700_000_000] {
            assert_eq!(decode::<i64>(&encode(&v)), Some(v));
        }
        // a number that never ends, or one past 64 bits
        assert_eq!(decode::<u64>(&[0x80; 3]), None);
        assert_eq!(decode::<u64>(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]), None);
    }

    #[test]
    fn a_shared_text_read_back_twice_is_one_copy_and_keeps_its_value() {
        let title: Arc<str> = Arc::from("公开指南（第十一条）");
        let bytes = encode(&vec![title.clone(), title.clone(), Arc::from("别的")]);
        let back = decode::<Vec<Arc<str>>>(&bytes).unwrap();
        assert_eq!(back, [title.clone(), title, Arc::from("别的")]);
        assert!(Arc::ptr_eq(&back[0], &back[1]), "one copy");
        let again = decode::<Vec<Arc<str>>>(&bytes).unwrap();
        assert!(Arc::ptr_eq(&back[0], &again[0]), "shared across lines read on this thread");
    }
}
