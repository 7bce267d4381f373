//! 索引号: the index number of a published document, as on Chinese government portals —
//! `<单位代码>/<年份>-<顺序号>` (`91620400MA71QX3D8C/2026-00003`). The unit code is its 统一社会信用代码
//! (its folder name when it declares none), the year that of the document's date, the sequence
//! the next free one of that code and year. A number, once assigned, is kept in the publication
//! record and never changes or comes back: a removed document keeps its number in the record, a
//! new document always gets a number above every one assigned before.

use std::collections::{BTreeMap, HashMap};

/// A document the record says was published: its 索引号 and the date it was first recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// Its 索引号.
    pub number: String,
    /// The date of the entry that assigned it (shared by that entry's documents).
    pub date: std::sync::Arc<str>,
}

/// Every document the record says was published, by source path (`content/x/notices/a.md`),
/// from each entry's date and the 索引号 it assigned, oldest first (a path's first number is
/// its number).
pub fn published<'a>(
    entries: impl IntoIterator<Item = (&'a str, &'a BTreeMap<String, String>)>,
) -> BTreeMap<String, Published> {
    let mut all: Vec<(String, Published)> = Vec::new();
    for (date, numbers) in entries {
        let date: std::sync::Arc<str> = date.into();
        all.extend(
            numbers
                .iter()
                .map(|(path, number)| (path.clone(), Published { number: number.clone(), date: date.clone() })),
        );
    }
    // of the same path, the first (a stable sort keeps their order); the map made at once, not
    // a path at a time: one made from a list fills its nodes, where one grown in order leaves
    // each half empty (a province's record assigned a quarter of a million)
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all.dedup_by(|later, first| later.0 == first.0);
    all.into_iter().collect()
}

/// The highest sequence assigned so far per `<code>/<year>`, from every number ever assigned.
#[derive(Debug, Default)]
pub struct Sequences(HashMap<String, u32>);

impl Sequences {
    /// From every number ever assigned (each entry's, all of them: one path's second number, in
    /// a record that gave one, is taken too).
    pub fn of<'a>(numbers: impl IntoIterator<Item = &'a String>) -> Sequences {
        let mut max: HashMap<String, u32> = HashMap::new();
        for number in numbers {
            if let Some((stem, seq)) = split(number) {
                let m = max.entry(stem.to_string()).or_default();
                *m = (*m).max(seq);
            }
        }
        Sequences(max)
    }

    /// Whether `number` comes after every number assigned under its code and year, as a new one
    /// does (then it is none of them).
    pub fn after_all(&self, number: &str) -> bool {
        split(number).is_some_and(|(stem, seq)| self.0.get(stem).is_none_or(|&max| seq > max))
    }
}

/// `<code>/<year>` and the sequence of a number.
fn split(number: &str) -> Option<(&str, u32)> {
    let (stem, seq) = number.rsplit_once('-')?;
    Some((stem, seq.parse().ok()?))
}

/// A document that may need a number: its source path, its year, and a key that orders new
/// documents of the same year (its date, `YYYY-MM-DD`).
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The source file, site-relative (`content/x/notices/a.md`).
    pub path: String,
    /// The year of its 发布日期 (else 成文日期, else the build's year).
    pub year: i16,
    /// That date, `YYYY-MM-DD`; empty when it has none.
    pub date: String,
}

/// The numbers of a unit's documents: those already assigned (`known`, by source path), and new
/// ones for the rest, numbered after everything assigned before under the same code and year,
/// in date order, then path order. Returns (every document's number, the new ones).
pub fn assign(
    code: &str,
    docs: &[Candidate],
    known: &BTreeMap<String, Published>,
    seqs: &Sequences,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut all = BTreeMap::new();
    let mut new = BTreeMap::new();
    let mut fresh: Vec<&Candidate> = Vec::new();
    for d in docs {
        match known.get(&d.path) {
            Some(p) => {
                all.insert(d.path.clone(), p.number.clone());
            }
            None => fresh.push(d),
        }
    }
    fresh.sort_by(|a, b| (a.year, &a.date, &a.path).cmp(&(b.year, &b.date, &b.path)));
    let mut next: HashMap<String, u32> = HashMap::new();
    for d in fresh {
        let stem = format!("{code}/{}", d.year);
        let seq = next.entry(stem.clone()).or_insert_with(|| seqs.0.get(&stem).copied().unwrap_or(0));
        *seq += 1;
        let number = format!("{stem}-{seq:05}");
        all.insert(d.path.clone(), number.clone());
        new.insert(d.path.clone(), number);
    }
    (all, new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(path: &str, date: &str) -> Candidate {
        Candidate { path: path.into(), year: date[..4].parse().unwrap(), date: date.into() }
    }

    #[test]
    fn new_documents_follow_every_number_ever_assigned_and_old_ones_keep_theirs() {
        // b was removed since: its number stays taken
        let numbers: BTreeMap<String, String> =
            [("u/a.md", "X/2026-00001"), ("u/b.md", "X/2026-00002")].map(|(p, n)| (p.into(), n.into())).into();
        let known = published([("2026-01-01", &numbers)]);
        let seqs = Sequences::of(numbers.values());
        let docs = [
            c("u/a.md", "2026-03-01"),
            c("u/z.md", "2026-01-01"),
            c("u/c.md", "2026-05-01"),
            c("u/old.md", "2025-12-31"),
        ];
        let (all, new) = assign("X", &docs, &known, &seqs);
        assert_eq!(all["u/a.md"], "X/2026-00001", "kept, though an earlier-dated document came");
        assert_eq!(new["u/z.md"], "X/2026-00003", "after the removed b's number");
        assert_eq!(new["u/c.md"], "X/2026-00004");
        assert_eq!(new["u/old.md"], "X/2025-00001", "each year counts on its own");
        assert_eq!(new.len(), 3);
        assert!(!new.contains_key("u/a.md"));
        // every new number comes after all that were assigned, none of the old ones does
        assert!(new.values().all(|n| seqs.after_all(n)), "{new:?}");
        assert!(!numbers.values().any(|n| seqs.after_all(n)));
        assert!(!seqs.after_all("X/2026-00000") && !seqs.after_all("不是索引号"));
    }

    #[test]
    fn a_path_numbered_twice_keeps_its_first_number() {
        let first = BTreeMap::from([("u/a.md".to_string(), "X/2026-00001".to_string())]);
        let second = BTreeMap::from([
            ("u/a.md".to_string(), "X/2026-00009".to_string()),
            ("u/b.md".to_string(), "X/2026-00002".to_string()),
        ]);
        let p = published([("2026-01-01", &first), ("2026-02-01", &second)]);
        assert_eq!((p["u/a.md"].number.as_str(), &*p["u/a.md"].date), ("X/2026-00001", "2026-01-01"));
        assert_eq!((p["u/b.md"].number.as_str(), &*p["u/b.md"].date), ("X/2026-00002", "2026-02-01"));
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn the_same_documents_get_the_same_numbers() {
        let docs = [c("u/b.md", "2026-01-01"), c("u/a.md", "2026-01-01")];
        let (one, _) = assign("X", &docs, &BTreeMap::new(), &Sequences::default());
        let rev: Vec<Candidate> = docs.iter().rev().cloned().collect();
        let (two, _) = assign("X", &rev, &BTreeMap::new(), &Sequences::default());
        assert_eq!(one, two);
        assert_eq!(one["u/a.md"], "X/2026-00001", "same date: path order");
    }
}
