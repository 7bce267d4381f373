//! Site search, built with the site: a character-bigram index of every unit page (see
//! `tokens`), written as small JSON files that `search.html` fetches with a plain ES5 script
//! (`themes/default/static/search.js`): no WebAssembly, nothing from another host, so it runs
//! on old phones and kiosks, and only that page may run a script at all.
//!
//! Where it sits: a unit's pages pass through a [`Tap`] on their way to the sink, which keeps
//! each page's [`Entry`] (title, labels, excerpt: read from the rendered HTML, so withheld
//! content never reaches the index). `run` folds the units' entries into the [`Index`] in unit
//! order, a batch of units at a time, and writes it; the portal step writes the search page. When
//! the build cache says every unit's inputs are those the previous index was built from, `run`
//! takes the previous index's files instead.
//!
//! Files (under `search/`): `meta.json` (how many shards and documents), `d/<n>.json` (the
//! documents, [`DOCS_PER_FILE`] a file: title, unit, link, excerpt), `g/<n>.json` (each gram's
//! documents, as gaps). A query loads `meta.json`, the shards of its grams and the document
//! files of the results it shows.

mod page;
mod tokens;
mod view;

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

pub(crate) use page::Entry;
use tokens::Postings;

use super::paths::href;
use crate::error::Result;
use crate::output::{ForArchive, Sink};

/// The search page's path, and the folder of its index.
pub(crate) const PAGE: &str = super::site::SEARCH;
const DIR: &str = "search";
/// Documents per document file: a query's first results are usually in one or two files.
const DOCS_PER_FILE: usize = 500;
/// The size a gram shard aims at (JSON bytes, about): the number of shards follows from it.
const SHARD_BYTES: usize = 24 * 1024;

/// A sink that passes every file on and keeps the entry of each HTML page (the unit's 公开目录
/// repeats every title of the unit, so it is not indexed).
pub(crate) struct Tap<'s> {
    inner: &'s dyn Sink,
    entries: Mutex<Vec<Entry>>,
}

impl<'s> Tap<'s> {
    pub(crate) fn new(inner: &'s dyn Sink) -> Self {
        Tap { inner, entries: Mutex::new(Vec::new()) }
    }

    /// The entries kept, in path order.
    pub(crate) fn into_entries(self) -> Vec<Entry> {
        let mut entries = self.entries.into_inner().unwrap_or_else(|e| e.into_inner());
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        entries
    }
}

impl Tap<'_> {
    /// Keep the entry of an HTML page that belongs in the index.
    fn read(&self, path: &str, html: &str) {
        if path.ends_with(".html")
            && !path.ends_with("/catalog.html")
            // an archived version (its page is indexed) and the page at its former address
            && !crate::record::archive::is_version(path)
            && let Some(entry) = page::entry(path, html)
        {
            self.entries.lock().unwrap_or_else(|e| e.into_inner()).push(entry);
        }
    }
}

impl Sink for Tap<'_> {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<()> {
        if path.ends_with(".html")
            && let Ok(html) = std::str::from_utf8(bytes)
        {
            self.read(path, html);
        }
        self.inner.put(path, bytes)
    }

    fn put_page(&self, path: &str, html: &str) -> Result<()> {
        self.read(path, html);
        self.inner.put_page(path, html)
    }

    fn put_document(&self, path: &str, html: &str, archive: &ForArchive<'_>) -> Result<()> {
        self.read(path, html);
        self.inner.put_document(path, html, archive)
    }

    fn exists(&self, path: &str) -> bool {
        self.inner.exists(path)
    }

    fn hash_of(&self, path: &str) -> Option<blake3::Hash> {
        self.inner.hash_of(path)
    }
}

/// The index being built: each gram's postings, compact, and the documents not yet written.
#[derive(Default)]
pub(crate) struct Index {
    /// (Fx hashing: the grams are short keys gongkai makes itself, and this map is filled on
    /// one thread between the batches of units; SipHash was most of its time.)
    grams: rustc_hash::FxHashMap<Box<str>, Postings>,
    docs: u32,
    pending: Vec<[String; 4]>,
    files: usize,
}

/// `search/meta.json`
#[derive(Serialize)]
struct Meta {
    version: u32,
    shards: u32,
    docs: u32,
    docs_per_file: usize,
}

impl Index {
    /// Add a unit's pages (in unit order, so that document numbers only grow); full document
    /// files are written at once.
    pub(crate) fn add(&mut self, unit: &str, entries: &[Entry], sink: &dyn Sink) -> Result<()> {
        for e in entries {
            let doc = self.docs;
            self.docs += 1;
            tokens::grams(&e.labels, |g| match self.grams.get_mut(g) {
                Some(p) => p.push(doc),
                None => {
                    let mut p = Postings::default();
                    p.push(doc);
                    self.grams.insert(g.into(), p);
                }
            });
            let link = href(PAGE, &e.path);
            self.pending.push([e.title.clone(), unit.to_string(), link, e.excerpt.clone()]);
            if self.pending.len() == DOCS_PER_FILE {
                self.write_docs(sink)?;
            }
        }
        Ok(())
    }

    fn write_docs(&mut self, sink: &dyn Sink) -> Result<()> {
        let n = (self.docs as usize - self.pending.len()) / DOCS_PER_FILE;
        sink.put(&format!("{DIR}/d/{n}.json"), &json(&self.pending))?;
        self.pending.clear();
        self.files += 1;
        Ok(())
    }

    /// Write the last document file, the gram shards and `meta.json`. Returns the files written
    /// in all.
    pub(crate) fn finish(mut self, sink: &dyn Sink) -> Result<usize> {
        if !self.pending.is_empty() {
            self.write_docs(sink)?;
        }
        // about SHARD_BYTES a shard: a gap is written in ~3 bytes, a gram's key in ~12
        let bytes: usize = self.grams.values().map(|p| p.size() * 3 + 12).sum();
        let shards = (bytes / SHARD_BYTES).clamp(1, 4096).next_power_of_two() as u32;
        let mut by_shard: Vec<Vec<(&str, &Postings)>> = vec![Vec::new(); shards as usize];
        for (gram, postings) in &self.grams {
            by_shard[tokens::shard(gram, shards) as usize].push((gram, postings));
        }
        // one shard's postings unpacked at a time (all at once was 77 MiB at 10,000 units)
        for (n, grams) in by_shard.into_iter().enumerate() {
            let shard: BTreeMap<&str, Vec<u32>> = grams.into_iter().map(|(g, p)| (g, p.gaps().collect())).collect();
            sink.put(&format!("{DIR}/g/{n}.json"), &json(&shard))?;
        }
        let meta = Meta { version: 1, shards, docs: self.docs, docs_per_file: DOCS_PER_FILE };
        sink.put(&format!("{DIR}/meta.json"), &json(&meta))?;
        Ok(self.files + shards as usize + 1)
    }
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    // plain data of strings and numbers: serialising it cannot fail
    serde_json::to_vec(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::MemorySink;

    fn entry(path: &str, title: &str, labels: &str) -> Entry {
        Entry { path: path.into(), title: title.into(), labels: labels.into(), excerpt: "摘要".into() }
    }

    fn built(sink: &MemorySink) -> BTreeMap<String, String> {
        let mut index = Index::default();
        let a =
            [entry("a/fees.html", "收费项目", "收费项目 居民生活用水"), entry("a/n/1.html", "停水通知", "计划停水")];
        index.add("甲单位", &a, sink).unwrap();
        index.add("乙单位", &[entry("b/fees.html", "收费项目", "收费项目 学费")], sink).unwrap();
        index.finish(sink).unwrap();
        let files = sink.files.lock().unwrap();
        files.iter().map(|(k, v)| (k.clone(), String::from_utf8(v.clone()).unwrap())).collect()
    }

    #[test]
    fn the_index_lists_each_gram_and_documents_in_unit_order() {
        let files = built(&MemorySink::default());
        assert_eq!(files["search/meta.json"], r#"{"version":1,"shards":1,"docs":3,"docs_per_file":500}"#);
        assert_eq!(
            files["search/d/0.json"],
            r#"[["收费项目","甲单位","a/fees.html","摘要"],["停水通知","甲单位","a/n/1.html","摘要"],["收费项目","乙单位","b/fees.html","摘要"]]"#
        );
        let shard = &files["search/g/0.json"];
        assert!(shard.contains(r#""停水":[1]"#), "{shard}");
        assert!(shard.contains(r#""收费":[0,2]"#), "{shard}");
        assert!(shard.contains(r#""学费":[2]"#), "{shard}");
        assert!(!shard.contains("摘要"), "the excerpt is shown, not indexed: {shard}");
    }

    #[test]
    fn the_same_input_gives_the_same_bytes() {
        assert_eq!(built(&MemorySink::default()), built(&MemorySink::default()));
    }

    #[test]
    fn the_tap_keeps_pages_but_not_the_catalogue_nor_archived_versions() {
        let sink = MemorySink::default();
        let tap = Tap::new(&sink);
        tap.put("u/z.html", "<main><h1>乙</h1></main>".as_bytes()).unwrap();
        tap.put("u/catalog.html", "<main><h1>公开目录</h1></main>".as_bytes()).unwrap();
        tap.put("u/a.html", "<main><h1>甲</h1></main>".as_bytes()).unwrap();
        tap.put("u/data.json", b"{}").unwrap();
        // an archived version, and the page at its former address, are not searched
        tap.put("u/a.v2026-11-30-1a2b3c4d.html", "<main><h1>甲</h1></main>".as_bytes()).unwrap();
        tap.put("archive/u/a/2026-11-30-1a2b3c4d.html", "<main><h1>已移</h1></main>".as_bytes()).unwrap();
        assert_eq!(sink.files.lock().unwrap().len(), 6);
        let paths: Vec<String> = tap.into_entries().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["u/a.html", "u/z.html"]);
    }
}
