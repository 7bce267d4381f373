//! The publication record (第十二条(三)(五)): an append-only, hash-chained log of what each build
//! published, kept in the site (`record/`, committed with the content) and published with it under
//! `/.well-known/gongkai/`, so that anyone can check that no page was altered, added or removed
//! outside a recorded build (`gongkai verify`).
//!
//! A value layer: it reads and writes its own files and knows nothing of units or pages. Format
//! (`gongkai-record/1`, documented in the README):
//! - `log.json`: `{"schema", "entries": [{"seq", "date", "file", "blake3"}]}`, the index;
//! - `entries/000001.json`: one entry per build that changed the site: `{"schema", "seq",
//!   "date", "previous", "added", "changed", "removed", "numbers"}` — the BLAKE3 of every file
//!   added or changed since the entry before, the paths removed, the 索引号 assigned by that build;
//!   `previous` is the BLAKE3 of the previous entry's file, which makes the chain.
//!
//! JSON maps are sorted, so the same record and the same site give the same bytes.

pub mod archive;
pub mod changes;
pub mod numbers;
pub mod sign;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The format's name and version, in every file.
pub const SCHEMA: &str = "gongkai-record/1";
/// Where the record is published on the site.
pub const PUBLISHED: &str = ".well-known/gongkai";
/// The record's folder in the site, committed with the content.
pub const FOLDER: &str = "record";
/// The record's index file.
pub const LOG: &str = "log.json";

/// The index of the record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Log {
    /// [`SCHEMA`].
    pub schema: String,
    /// One line per entry, in order.
    pub entries: Vec<LogLine>,
}

/// One entry of the index.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LogLine {
    /// 1, 2, 3…
    pub seq: u64,
    /// The build's date, as in the entry.
    pub date: String,
    /// The entry's file, relative to the record (`entries/000001.json`).
    pub file: String,
    /// BLAKE3 of the entry file's bytes.
    pub blake3: String,
}

/// What one build published: the changes to the site since the entry before.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// [`SCHEMA`].
    pub schema: String,
    /// 1 for the first build recorded, then one more for each.
    pub seq: u64,
    /// The build's date (`--today`, or the clock).
    pub date: String,
    /// BLAKE3 of the previous entry's file; none for the first.
    pub previous: Option<String>,
    /// Files new to the site, with their BLAKE3.
    pub added: BTreeMap<String, String>,
    /// Files whose bytes changed, with their new BLAKE3.
    pub changed: BTreeMap<String, String>,
    /// Files no longer on the site.
    pub removed: Vec<String>,
    /// 索引号 assigned by this build: source document path → number. Never changed later.
    pub numbers: BTreeMap<String, String>,
}

/// An entry without the files it lists: what `check` needs of a record (its chain, and the
/// 索引号 each build assigned), and what a [`Record`] keeps parsed of each entry (the files it
/// lists are read from its bytes where they are used, see [`changes`]).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct EntryHead {
    /// [`SCHEMA`].
    pub schema: String,
    /// As in [`Entry`].
    pub seq: u64,
    /// As in [`Entry`].
    pub date: String,
    /// As in [`Entry`].
    pub previous: Option<String>,
    /// As in [`Entry`].
    pub numbers: BTreeMap<String, String>,
}

/// Read the heads of a record's entries from a folder and verify its chain, as
/// [`Record::read`] does, keeping neither the files each entry lists nor the entries' bytes.
pub fn read_heads(dir: &Path) -> Result<Option<Vec<EntryHead>>, Problems> {
    let entries = read_chain(&|rel| read_file(dir, rel), Keep::Heads)?;
    Ok(entries.map(|entries| entries.into_iter().map(|e| e.head).collect()))
}

/// A file of the record in `dir`: its bytes, `None` when it is not there.
fn read_file(dir: &Path, rel: &str) -> Result<Option<Vec<u8>>, String> {
    match fs::read(dir.join(rel)) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("无法读取 {}：{}", dir.join(rel).display(), crate::error::io_reason(&e))),
    }
}

/// How much of each entry [`read_chain`] reads and keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Its bytes, read whole, files and all, to know it is an entry.
    Whole,
    /// Read whole as [`Keep::Whole`] does, its bytes then let go (see [`Record::read_aside`]).
    Aside,
    /// Its head only; the bytes are not kept.
    Heads,
}

/// The entries of the record read through `get`, its chain verified, each read and kept as `keep`
/// says.
fn read_chain(get: Fetch<'_>, keep: Keep) -> Result<Option<Vec<Stored>>, Problems> {
    let Some(bytes) = get(LOG).map_err(|e| vec![e])? else { return Ok(None) };
    let log: Log = serde_json::from_slice(&bytes).map_err(|e| vec![format!("{LOG} 不是有效的公开记录：{e}")])?;
    if log.schema != SCHEMA {
        return Err(vec![format!("{LOG} 的格式是「{}」，这个版本的 gongkai 只认识「{SCHEMA}」", log.schema)]);
    }
    let mut problems = Vec::new();
    let mut entries: Vec<Stored> = Vec::new();
    let mut previous: Option<String> = None;
    for (i, line) in log.entries.iter().enumerate() {
        let seq = i as u64 + 1;
        let at = format!("第 {seq} 条记录（{}）", line.file);
        if line.seq != seq || line.file != entry_file(seq) {
            problems.push(format!("{at}：序号或文件名不连续，应为第 {seq} 条、{}", entry_file(seq)));
            break;
        }
        let bytes = match get(&line.file) {
            Ok(Some(b)) => b,
            Ok(None) => {
                problems.push(format!("{at}：文件缺失"));
                break;
            }
            Err(e) => {
                problems.push(e);
                break;
            }
        };
        let hash = hex(&bytes);
        if hash != line.blake3 {
            problems.push(format!(
                "{at}：内容与索引记下的哈希不符，记录在发布后被改动过（应为 {}，实为 {hash}）",
                line.blake3
            ));
        }
        let parsed = if keep == Keep::Heads {
            serde_json::from_slice::<EntryHead>(&bytes)
        } else {
            serde_json::from_slice::<changes::Parsed>(&bytes).map(|p| p.split().0)
        };
        let head = match parsed {
            Ok(e) => e,
            Err(e) => {
                problems.push(format!("{at}：不是有效的记录：{e}"));
                break;
            }
        };
        if head.previous != previous {
            problems.push(format!(
                "{at}：链断开：它记下的上一条记录哈希是 {}，上一条记录实际的哈希是 {}",
                head.previous.as_deref().unwrap_or("（无）"),
                previous.as_deref().unwrap_or("（无，这应是第一条）")
            ));
        }
        if head.seq != seq || head.date != line.date || head.schema != SCHEMA {
            problems.push(format!("{at}：序号、日期或格式与索引不符"));
        }
        previous = Some(hash.clone());
        entries.push(Stored { head, bytes: if keep == Keep::Whole { bytes } else { Vec::new() }, hash });
    }
    if problems.is_empty() { Ok(Some(entries)) } else { Err(problems) }
}

/// A file of the record to write: its bytes, or the file of an entry set aside to be copied (its
/// path, and the BLAKE3 in hex its bytes must have).
#[derive(Debug, PartialEq)]
pub enum Source<'a> {
    /// The file's bytes.
    Bytes(Cow<'a, [u8]>),
    /// The entry's file, and the BLAKE3 of its bytes in hex.
    Copy(std::path::PathBuf, String),
}

#[cfg(test)]
impl Source<'_> {
    /// The bytes (a file to copy is read whole, and checked).
    pub fn bytes(&self) -> std::io::Result<Cow<'_, [u8]>> {
        match self {
            Source::Bytes(b) => Ok(Cow::Borrowed(b)),
            Source::Copy(path, hash) => {
                let bytes = fs::read(path)?;
                if hex(&bytes) != *hash {
                    return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "内容与记录开始时读到的不同"));
                }
                Ok(Cow::Owned(bytes))
            }
        }
    }
}

/// A reader that hashes what it reads.
struct Hashing<'h, R>(R, &'h mut blake3::Hasher);

impl<R: std::io::Read> std::io::Read for Hashing<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        self.1.update(&buf[..n]);
        Ok(n)
    }
}

/// An entry as a record keeps it: its head, the bytes of its file and their BLAKE3.
#[derive(Debug)]
struct Stored {
    head: EntryHead,
    bytes: Vec<u8>,
    hash: String,
}

impl Stored {
    /// What the entry changed, borrowed from its bytes. They were read whole when the record
    /// was read (or written by `append`): they are an entry.
    fn changes(&self) -> changes::Changes<'_> {
        serde_json::from_slice(&self.bytes).unwrap_or_default()
    }
}

/// A record read and verified, or a new one.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// The entries in order, each with its file's bytes as read or written; shared, so that a
    /// record with one more entry costs one entry, not a copy of the whole record.
    entries: Vec<std::sync::Arc<Stored>>,
    /// Where the entries' bytes are to be read back from when they are set aside (see
    /// [`Record::read_aside`]): then only the heads are in memory.
    aside: Option<std::path::PathBuf>,
}

/// What is wrong with a record, in words, one problem each.
pub type Problems = Vec<String>;

/// Reads a file of a record by its path relative to the record: its bytes, `None` when it is not
/// there, or what went wrong in words.
pub type Fetch<'f> = &'f dyn Fn(&str) -> Result<Option<Vec<u8>>, String>;

impl Record {
    /// No entry yet: the first build.
    pub fn empty() -> Record {
        Record::default()
    }

    /// The heads of the entries, oldest first.
    pub fn entries(&self) -> impl Iterator<Item = &EntryHead> {
        self.entries.iter().map(|e| &e.head)
    }

    /// The entries, oldest first, each with its file's bytes (what a signature signs).
    pub fn entry_files(&self) -> impl Iterator<Item = (&EntryHead, &[u8])> {
        self.whole().iter().map(|e| (&e.head, e.bytes.as_slice()))
    }

    /// The entries' heads, oldest first, each with what it changed.
    pub fn changes(&self) -> impl Iterator<Item = (&EntryHead, changes::Changes<'_>)> {
        self.whole().iter().map(|e| (&e.head, e.changes()))
    }

    /// How many files the newest entry added, changed and removed.
    pub fn last_counts(&self) -> Option<[usize; 3]> {
        let last = self.entries.last()?;
        self.bytes_of(last);
        let c = last.changes();
        Some([c.added.0.len(), c.changed.0.len(), c.removed.len()])
    }

    /// Let go of the 索引号 of the entries as parsed (each entry's file still holds them, and is
    /// published as it is): for a build once its pages are rendered, which then only adds an
    /// entry and writes the record. A province's record assigned a quarter of a million; an
    /// entry shared with another record keeps them.
    pub fn forget_numbers(&mut self) {
        for e in &mut self.entries {
            if let Some(e) = std::sync::Arc::get_mut(e) {
                e.head.numbers = BTreeMap::new();
            }
        }
    }

    /// The entries, with their bytes: never while they are set aside (a bug, which would
    /// otherwise read an entry as one that changed nothing).
    fn whole(&self) -> &[std::sync::Arc<Stored>] {
        for e in &self.entries {
            self.bytes_of(e);
        }
        &self.entries
    }

    /// An entry's bytes: never one set aside (see [`Record::whole`]).
    fn bytes_of<'s>(&self, e: &'s Stored) -> &'s [u8] {
        if let Some(dir) = self.aside.as_ref().filter(|_| e.bytes.is_empty()) {
            panic!("公开记录的条目内容暂时放下了，要先从 {} 读回：这是 gongkai 的缺陷，请报告", dir.display());
        }
        &e.bytes
    }

    /// The bytes of entry `seq`, unless it is set aside.
    pub fn entry_bytes(&self, seq: u64) -> Option<&[u8]> {
        let e = self.entries.iter().find(|e| e.head.seq == seq)?;
        (!e.bytes.is_empty()).then_some(&e.bytes[..])
    }

    /// The site as the record says it is now, in path order: what each entry changed, read one
    /// entry at a time and merged. An entry set aside is read from its file as it streams by,
    /// never whole, and checked against its BLAKE3 (a file changed meanwhile is a problem).
    pub fn state(&self) -> Result<changes::State, Problems> {
        let mut entries = self.entries.iter();
        let Some(first) = entries.next() else { return Ok(changes::State::default()) };
        let changes::Streamed { added, changed, .. } = self.streamed_entry(first, &|_| true)?;
        // what the later entries did, path by path (removals, then files added and changed;
        // the last of a path kept): most list a few files, merged with the first's list as the
        // state is read (see `changes::State`)
        let mut overlay: BTreeMap<String, String> = BTreeMap::new();
        let put = |overlay: &mut BTreeMap<String, String>, listed: &changes::Listed| {
            for (path, hash) in listed.iter() {
                overlay.insert(path.to_string(), format!("+{}", hash.to_text()));
            }
        };
        let first = if changed.is_empty() && added.in_order() {
            added
        } else {
            // not as gongkai writes a first entry: through the map
            put(&mut overlay, &added);
            put(&mut overlay, &changed);
            changes::Listed::default()
        };
        for e in entries {
            let changes::Streamed { added, changed, removed } = self.streamed_entry(e, &|_| true)?;
            for path in removed {
                overlay.insert(path, "-".into());
            }
            put(&mut overlay, &added);
            put(&mut overlay, &changed);
        }
        Ok(changes::State { base: first, overlay })
    }

    /// What entry `e` changed: from its bytes, or from its file when it is set aside.
    fn streamed_entry(&self, e: &Stored, keep: &dyn Fn(&str) -> bool) -> Result<changes::Streamed, Problems> {
        let file = entry_file(e.head.seq);
        let at = format!("第 {} 条记录（{file}）", e.head.seq);
        let Some(dir) = self.aside.as_ref().filter(|_| e.bytes.is_empty()) else {
            return changes::stream_where(&mut &e.bytes[..], keep)
                .map_err(|why| vec![format!("{at}：不是有效的记录：{why}")]);
        };
        let path = dir.join(&file);
        let opened = fs::File::open(&path).map_err(|why| match why.kind() {
            std::io::ErrorKind::NotFound => vec![format!("{at}：文件在这次生成期间被删除了")],
            _ => vec![format!("{at}：无法读取 {}：{}", path.display(), crate::error::io_reason(&why))],
        })?;
        // the reader by value: a buffered reader's bytes are read from its buffer, not one call
        // each; the whole file is read (only whitespace may follow the entry)
        let mut hasher = blake3::Hasher::new();
        let mut reader = std::io::BufReader::with_capacity(1 << 16, Hashing(opened, &mut hasher));
        // read to its end when it is an entry (only whitespace may follow one)
        let streamed = changes::stream_where(&mut reader, keep);
        drop(reader);
        let changed = match &streamed {
            Ok(_) => hasher.finalize().to_hex().as_str() != e.hash,
            // not read to its end: hashed whole, to tell a file changed from one that is no entry
            Err(_) => fs::read(&path).map_or(true, |bytes| hex(&bytes) != e.hash),
        };
        if changed {
            return Err(vec![format!("{at}：内容在这次生成期间被改动了，与开始时读到的不同")]);
        }
        streamed.map_err(|why| vec![format!("{at}：不是有效的记录：{why}")])
    }

    /// No build recorded yet.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Read a record from a folder (`record/` of a site, or `.well-known/gongkai/` of a built
    /// site) and verify its chain. `Ok(None)`: there is no `log.json` there. The problems name
    /// the entry where the chain breaks.
    pub fn read(dir: &Path) -> Result<Option<Record>, Problems> {
        Record::read_with(&|rel| read_file(dir, rel))
    }

    /// Read a record through `get` (a path relative to the record → its bytes, `None` when
    /// absent), and verify its chain.
    pub fn read_with(get: Fetch<'_>) -> Result<Option<Record>, Problems> {
        let entries = read_chain(get, Keep::Whole)?;
        Ok(entries
            .map(|entries| Record { entries: entries.into_iter().map(std::sync::Arc::new).collect(), aside: None }))
    }

    /// [`Record::read`], the entries' bytes set aside: each is read whole to know it is an entry,
    /// then let go, and what it changed is read back from its file in `dir` when needed, checked
    /// against the BLAKE3 it had (what a build needs: a province's first entry is 42 MB).
    /// [`Record::state`], [`Record::streamed`], [`Record::append`] and [`Record::files_to_write`]
    /// read them so; reading what they changed otherwise is a bug that stops the program.
    pub fn read_aside(dir: &Path) -> Result<Option<Record>, Problems> {
        let entries = read_chain(&|rel| read_file(dir, rel), Keep::Aside)?;
        Ok(entries.map(|entries| Record {
            aside: (!entries.is_empty()).then(|| dir.to_path_buf()),
            entries: entries.into_iter().map(std::sync::Arc::new).collect(),
        }))
    }

    /// Each entry's head, oldest first, with what it changed (of the files added and changed,
    /// those whose path `keep` takes): read from its bytes, or streamed from its file when it is
    /// set aside (see [`Record::state`]).
    pub fn streamed_where<'s>(
        &'s self,
        keep: &'s dyn Fn(&str) -> bool,
    ) -> impl Iterator<Item = Result<(&'s EntryHead, changes::Streamed), Problems>> {
        self.entries.iter().map(move |e| Ok((&e.head, self.streamed_entry(e, keep)?)))
    }

    /// The site as the record says it is now: every file with its BLAKE3.
    pub fn files(&self) -> BTreeMap<String, String> {
        self.files_ref().into_iter().map(|(p, h)| (p.to_string(), h.to_string())).collect()
    }

    /// `files`, borrowing from the entries' bytes (a province-sized site lists a third of a
    /// million).
    pub fn files_ref(&self) -> BTreeMap<Cow<'_, str>, Cow<'_, str>> {
        self.files_sorted().into_iter().collect()
    }

    /// [`Record::files_ref`] as a list in path order: each entry's removals and then its files
    /// added and changed, merged into the list before (the first entry's files are the list).
    pub fn files_sorted(&self) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
        let mut files: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
        for e in self.whole() {
            let changes::Changes { added, changed, removed } = e.changes();
            let mut upserts = added.0;
            upserts.extend(changed.0);
            // in path order, each path once: an entry writes them so (checked, not sorted again,
            // which would take a scratch half the first entry's size); otherwise through a map,
            // a path's last value kept as a map's extend keeps it
            let set = if upserts.is_sorted_by(|a, b| a.0 < b.0) {
                upserts
            } else {
                upserts.into_iter().collect::<BTreeMap<_, _>>().into_iter().collect()
            };
            if files.is_empty() {
                // the first entry's list, without the room its parse grew
                files = set;
                files.shrink_to_fit();
                continue;
            }
            let removed: Vec<Cow<'_, str>> = removed.into_iter().map(|t| t.0).collect();
            let mut removed: Vec<&str> = removed.iter().map(|p| &**p).collect();
            removed.sort_unstable();
            let mut gone = removed.iter().peekable();
            let mut new = set.into_iter().peekable();
            let mut merged = Vec::with_capacity(files.len() + new.len());
            for (path, hash) in std::mem::take(&mut files) {
                while let Some(pair) = new.next_if(|(p, _)| *p < path) {
                    merged.push(pair);
                }
                while gone.next_if(|g| **g < &*path).is_some() {}
                let removed = gone.next_if(|g| **g == &*path).is_some();
                match new.next_if(|(p, _)| *p == path) {
                    Some(pair) => merged.push(pair),
                    None if !removed => merged.push((path, hash)),
                    None => {}
                }
            }
            merged.extend(new);
            files = merged;
        }
        files
    }

    /// The record with one more entry for a site whose files are `now` (path and BLAKE3, as
    /// bytes or in hex, in path order, each path once), built on `date`, that assigned `numbers`;
    /// `None` when nothing changed (no entry is added for an unchanged site). `now` is taken, not
    /// copied: the first entry of a large site lists a third of a million files.
    pub fn append<P: AsRef<str> + Into<String>, H: Into<changes::Digest>>(
        &self,
        date: &str,
        now: impl IntoIterator<Item = (P, H)>,
        numbers: BTreeMap<String, String>,
    ) -> Result<Option<Record>, Problems> {
        Ok(self.append_to(self.state()?, date, now, numbers))
    }

    /// [`Record::append`], with what [`Record::state`] gave for this record.
    pub fn append_to<P: AsRef<str> + Into<String>, H: Into<changes::Digest>>(
        &self,
        before: changes::State,
        date: &str,
        now: impl IntoIterator<Item = (P, H)>,
        numbers: BTreeMap<String, String>,
    ) -> Option<Record> {
        // both in path order: walked side by side (no search per path), each list gathered in
        // order and each map then built in one pass
        let (mut added, mut changed, mut removed) = (Vec::new(), Vec::new(), Vec::new());
        let mut old = before.iter().peekable();
        for (path, hash) in now {
            let here = path.as_ref();
            while let Some((gone, _)) = old.next_if(|(p, _)| *p < here) {
                removed.push(gone.to_string());
            }
            let hash = hash.into();
            match old.next_if(|(p, _)| *p == here) {
                None => added.push((path.into(), hash.to_text())),
                Some((_, was)) if was != hash => changed.push((path.into(), hash.to_text())),
                Some(_) => {}
            }
        }
        removed.extend(old.map(|(p, _)| p.to_string()));
        drop(before);
        let (added, changed): (BTreeMap<_, _>, BTreeMap<_, _>) =
            (added.into_iter().collect(), changed.into_iter().collect());
        if added.is_empty() && changed.is_empty() && removed.is_empty() && numbers.is_empty() {
            return None;
        }
        let seq = self.entries.len() as u64 + 1;
        let entry = Entry {
            schema: SCHEMA.into(),
            seq,
            date: date.into(),
            previous: self.head(),
            added,
            changed,
            removed,
            numbers,
        };
        // compact: the first entry of a large site lists every file
        let mut bytes = serde_json::to_vec(&entry).unwrap_or_default();
        bytes.push(b'\n');
        let Entry { schema, seq, date, previous, numbers, .. } = entry;
        let head = EntryHead { schema, seq, date, previous, numbers };
        let mut entries = self.entries.clone();
        entries.push(std::sync::Arc::new(Stored { head, hash: hex(&bytes), bytes }));
        Some(Record { entries, aside: self.aside.clone() })
    }

    /// The record's files, relative to the record folder: the index, then each entry (an entry
    /// set aside as its file, to be copied).
    pub fn files_to_write(&self) -> Vec<(String, Source<'_>)> {
        let log = Log {
            schema: SCHEMA.into(),
            entries: self
                .entries
                .iter()
                .map(|e| LogLine {
                    seq: e.head.seq,
                    date: e.head.date.clone(),
                    file: entry_file(e.head.seq),
                    blake3: e.hash.clone(),
                })
                .collect(),
        };
        let mut index = serde_json::to_vec_pretty(&log).unwrap_or_default();
        index.push(b'\n');
        let mut out = vec![(LOG.to_string(), Source::Bytes(Cow::Owned(index)))];
        out.extend(self.entries.iter().map(|e| {
            let file = entry_file(e.head.seq);
            let source = match self.aside.as_ref().filter(|_| e.bytes.is_empty()) {
                Some(dir) => Source::Copy(dir.join(&file), e.hash.clone()),
                None => Source::Bytes(Cow::Borrowed(&e.bytes[..])),
            };
            (file, source)
        }));
        out
    }

    /// BLAKE3 of the newest entry's file: the head of the chain.
    pub fn head(&self) -> Option<String> {
        self.entries.last().map(|e| e.hash.clone())
    }
}

/// Every file of a built site (but the record and the output marker, see `is_own`) with its
/// BLAKE3, in path order: from `known` (path → hash of the bytes written there, e.g. by the
/// build that wrote them) where it knows the file, otherwise read and hashed, in parallel. The
/// tree is always listed, so a file written without `known` learning of it is hashed all the
/// same; but for the top folders `listed` names (a versioned output's unit trees taken from the
/// previous version, listed and checked as they were taken, with the hashes the build cache kept:
/// see [`site_files_with`]). The top names are taken a batch at a time, each one's files listed,
/// hashed and sorted on its own and added to the list: a third of a million paths are never a
/// string each at once.
pub fn hash_tree(
    dir: &Path,
    known: &(dyn Fn(&str) -> Option<blake3::Hash> + Sync),
    listed: &Listed<'_>,
) -> std::io::Result<changes::Listed> {
    use rayon::prelude::*;
    let mut tops = top_names(dir)?;
    // a walk's order is by name, folder by folder (`a/b` before `a-c`); the record's is the
    // paths'. The files under one top name are together in either: the top names are put in
    // the order of their paths (a top folder `a` as `a/`, which follows `a-c` and `a.html`),
    // and each one's files are sorted
    tops.sort_by_cached_key(|(name, walked)| {
        let name = name.to_string_lossy();
        if *walked { format!("{name}/") } else { name.into_owned() }
    });
    let hashed = |(name, walked): &(std::ffi::OsString, bool)| -> std::io::Result<Vec<(String, blake3::Hash)>> {
        let mut hashed = top_files(dir, &name.to_string_lossy(), *walked, listed)?
            .into_iter()
            .map(|(rel, hash)| {
                let hash = match hash.or_else(|| known(&rel)) {
                    Some(h) => h,
                    None => {
                        // the build's own folder: a link in it was not written by the build
                        let path = dir.join(&rel);
                        if fs::symlink_metadata(&path)?.is_symlink() {
                            return Err(std::io::Error::other(format!("{rel} 是一个符号链接，不是这次生成写入的文件")));
                        }
                        blake3::hash(&fs::read(path)?)
                    }
                };
                Ok((rel, hash))
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        hashed.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(hashed)
    };
    let mut all = changes::Listed::default();
    for batch in tops.chunks(256) {
        let batch = batch.par_iter().map(hashed).collect::<std::io::Result<Vec<_>>>()?;
        for (path, hash) in batch.into_iter().flatten() {
            all.push(&path, hash.into());
        }
    }
    Ok(all)
}

/// Every file of a built site but the record's own and the output marker (see `is_own`), as
/// `/`-separated site paths in name order: what the record lists, and what `verify` compares.
/// Links are files here (never followed), but for the unit links of a versioned output.
/// The folders at the top (one per unit) are listed in parallel, each in name order, and joined
/// in name order: the same list as one walk of the whole tree.
pub fn site_files(dir: &Path) -> std::io::Result<Vec<String>> {
    Ok(site_files_with(dir, &|_| None)?.into_iter().flatten().map(|(path, _)| path).collect())
}

/// The files of a top folder known without listing it: its site paths with their BLAKE3, in
/// any order.
pub type Listed<'l> = dyn Fn(&str) -> Option<Vec<(String, blake3::Hash)>> + Sync + 'l;

/// [`site_files`], with the files of the top folders `listed` knows taken from it instead of a
/// walk (they come in its order, within the folder's place in the list), with their hashes; the
/// files of each top name in a list of their own (an empty one for the record's own files).
pub type Groups = Vec<Vec<(String, Option<blake3::Hash>)>>;

/// [`site_files`] as [`Groups`], with the files of the top folders `listed` knows.
pub fn site_files_with(dir: &Path, listed: &Listed<'_>) -> std::io::Result<Groups> {
    use rayon::prelude::*;
    let top = top_names(dir)?;
    top.par_iter().map(|(name, walked)| top_files(dir, &name.to_string_lossy(), *walked, listed)).collect()
}

/// The names at the top of a built site, in name order, each with whether it is walked.
fn top_names(dir: &Path) -> std::io::Result<Vec<(std::ffi::OsString, bool)>> {
    let mut top = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        // a versioned output's unit folder is gongkai's link to the unit's tree in the store:
        // walked where it stands (the walk follows the link it starts from, and no other). Any
        // other link, or anything else that is not a folder, is listed as it is, not followed:
        // what it leads to is not part of the site, and a link nobody recorded is named.
        let walked = kind.is_dir() || (kind.is_symlink() && crate::output::is_unit_link(dir, &entry.file_name()));
        top.push((entry.file_name(), walked));
    }
    top.sort();
    Ok(top)
}

/// The files under the top name `name` (of [`top_names`]): the name itself when it is not
/// walked, else those `listed` knows, or else those a walk finds, in name order.
fn top_files(
    dir: &Path,
    name: &str,
    walked: bool,
    listed: &Listed<'_>,
) -> std::io::Result<Vec<(String, Option<blake3::Hash>)>> {
    if !walked {
        return Ok(if is_own(name) { Vec::new() } else { vec![(name.to_string(), None)] });
    }
    if let Some(paths) = listed(name) {
        return Ok(paths.into_iter().filter(|(p, _)| !is_own(p)).map(|(p, hash)| (p, Some(hash))).collect());
    }
    let mut paths = Vec::new();
    let sub = dir.join(name);
    for entry in walkdir::WalkDir::new(&sub).min_depth(1).sort_by_file_name() {
        let entry = entry.map_err(std::io::Error::other)?;
        if entry.file_type().is_dir() {
            continue;
        }
        // the walk's paths are `sub` and `/`-separated names under it: the site path is the
        // unit's name and what follows `sub`, as it is
        use std::os::unix::ffi::OsStrExt as _;
        let rel = entry.path().as_os_str().as_bytes().get(sub.as_os_str().len()..).unwrap_or_default();
        let mut path = String::with_capacity(name.len() + rel.len());
        path.push_str(name);
        path.push_str(&String::from_utf8_lossy(rel));
        if !is_own(&path) {
            paths.push((path, None));
        }
    }
    Ok(paths)
}

/// The file of entry `seq`, relative to the record.
pub fn entry_file(seq: u64) -> String {
    format!("entries/{seq:06}.json")
}

/// BLAKE3 of `bytes`, in lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// Whether a path of a built site belongs to the record itself or to the output's marker: not
/// part of what the record lists.
pub fn is_own(path: &str) -> bool {
    path.strip_prefix(PUBLISHED).is_some_and(|rest| rest.starts_with('/')) || path == crate::output::MARKER
}

#[cfg(test)]
mod tests;
