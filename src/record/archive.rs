//! The archive of published document pages (第十二条(三)(五)): every version of every document
//! page (a notice, a service, a policy, a 年度报告: a page built from one source file of a folder)
//! that a build published, kept byte for byte in the site's record (`record/archive/<blake3>.html.gz`)
//! so that a version stays reachable after it is replaced or removed, also from a fresh checkout
//! that has no previous `public/`.
//!
//! A value layer beside the log: content-addressed by the BLAKE3 of the uncompressed page, which
//! is the hash the record's entry lists for the page's path, so an archived version is verifiable
//! against the chain. `build` adds a file when it publishes a version the archive lacks (in the
//! same Staging as the log); `render` reads the archive to publish superseded and removed versions
//! and to list them ([`histories`]).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{Record, hex};

/// The archive's folder inside the record folder.
pub const DIR: &str = "archive";

/// The archive file of a page version, relative to the record folder.
pub fn file(hash: &str) -> String {
    format!("{DIR}/{hash}.html.gz")
}

/// The archive of a site: which versions it holds (read once), and where.
#[derive(Debug, Default)]
pub struct Store {
    dir: PathBuf,
    hashes: BTreeSet<String>,
}

impl Store {
    /// The archive in the record folder `record` (empty when there is none yet).
    pub fn open(record: &Path) -> std::io::Result<Store> {
        let dir = record.join(DIR);
        let mut hashes = BTreeSet::new();
        match std::fs::read_dir(&dir) {
            Ok(entries) => {
                for entry in entries {
                    let name = entry?.file_name();
                    if let Some(hash) = name.to_str().and_then(|n| n.strip_suffix(".html.gz")) {
                        hashes.insert(hash.to_string());
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok(Store { dir, hashes })
    }

    /// Whether the archive holds the version with this BLAKE3.
    pub fn contains(&self, hash: &str) -> bool {
        self.hashes.contains(hash)
    }

    /// Every version held, by BLAKE3.
    pub fn hashes(&self) -> &BTreeSet<String> {
        &self.hashes
    }

    /// The file of a version on disk.
    pub fn path(&self, hash: &str) -> PathBuf {
        self.dir.join(format!("{hash}.html.gz"))
    }

    /// The exact bytes of a version, checked against its hash; what is wrong in words.
    pub fn read(&self, hash: &str) -> Result<Vec<u8>, String> {
        let path = self.path(hash);
        let file = std::fs::File::open(&path)
            .map_err(|e| format!("无法读取 {}：{}", path.display(), crate::error::io_reason(&e)))?;
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{} 不是有效的 gzip 文件：{e}", path.display()))?;
        if hex(&bytes) != hash {
            return Err(format!("{} 的内容与它的哈希不符：存档在发布后被改动过", path.display()));
        }
        Ok(bytes)
    }
}

/// A page's bytes, compressed for the archive (gzip with no name and no time in its header: the
/// same page gives the same file).
///
/// Each thread keeps one compressor and resets it for the next page: setting one up clears
/// about 256 KB of tables, which for pages of 5–25 KB was most of the archive's cost.
pub fn compress(bytes: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    thread_local! {
        static DEFLATE: std::cell::RefCell<Compress> = std::cell::RefCell::new(Compress::new_gzip(Compression::fast(), 15));
    }
    DEFLATE.with_borrow_mut(|z| {
        z.reset();
        let mut out = Vec::with_capacity(bytes.len() / 2 + 64);
        let mut input = bytes;
        loop {
            let before = z.total_in();
            // compressing into a Vec cannot fail; an error would end with what was made
            let Ok(status) = z.compress_vec(input, &mut out, FlushCompress::Finish) else { return out };
            input = &input[usize::try_from(z.total_in() - before).unwrap_or(input.len())..];
            if status == Status::StreamEnd {
                return out;
            }
            out.reserve(out.capacity().max(1024));
        }
    })
}

/// One version of a page, as the record tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// BLAKE3 of the page's bytes.
    pub hash: String,
    /// The date of the entry that first recorded it.
    pub published: String,
    /// The date of the entry that replaced or removed it; `None` while it is the one recorded.
    pub replaced: Option<String>,
}

/// The history of every page of which the archive holds at least one version: path → versions,
/// oldest first, from the record's entries.
pub fn histories(record: &Record, archived: &BTreeSet<String>) -> BTreeMap<String, Vec<Version>> {
    let mut all: BTreeMap<&str, Vec<Version>> = BTreeMap::new();
    for e in record.entries() {
        for path in &e.removed {
            if let Some(last) = all.get_mut(path.as_str()).and_then(|v| v.last_mut()) {
                last.replaced.get_or_insert_with(|| e.date.clone());
            }
        }
        for (path, hash) in e.added.iter().chain(&e.changed) {
            // the archive's own copies are no document pages
            if !path.ends_with(".html") || path.starts_with(&format!("{DIR}/")) {
                continue;
            }
            let versions = all.entry(path).or_default();
            if let Some(last) = versions.last_mut() {
                last.replaced.get_or_insert_with(|| e.date.clone());
            }
            versions.push(Version { hash: hash.clone(), published: e.date.clone(), replaced: None });
        }
    }
    all.into_iter()
        .filter(|(_, v)| v.iter().any(|v| archived.contains(&v.hash)))
        .map(|(p, v)| (p.to_string(), v))
        .collect()
}

/// Where a superseded or removed version is published: `archive/<page path without .html>/
/// <YYYY-MM-DD>-<first 8 hex of its hash>.html`.
pub fn published_path(page: &str, version: &Version) -> String {
    let stem = page.strip_suffix(".html").unwrap_or(page);
    format!("{DIR}/{stem}/{}-{}.html", version.published, &version.hash[..8.min(version.hash.len())])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(p, h)| (p.to_string(), h.to_string())).collect()
    }

    #[test]
    fn versions_come_from_the_entries_and_only_archived_pages_have_a_history() {
        let r = Record::empty();
        let r = r.append("2026-01-01", &files(&[("u/n/a.html", "h1"), ("u/n/b.html", "x1")]), BTreeMap::new()).unwrap();
        let r = r.append("2026-02-01", &files(&[("u/n/a.html", "h2"), ("u/n/b.html", "x1")]), BTreeMap::new()).unwrap();
        let r = r.append("2026-03-01", &files(&[("u/n/b.html", "x1")]), BTreeMap::new()).unwrap();
        let archived: BTreeSet<String> = ["h1".to_string()].into();
        let h = histories(&r, &archived);
        assert_eq!(h.len(), 1, "b has no archived version: {h:?}");
        assert_eq!(
            h["u/n/a.html"],
            vec![
                Version { hash: "h1".into(), published: "2026-01-01".into(), replaced: Some("2026-02-01".into()) },
                Version { hash: "h2".into(), published: "2026-02-01".into(), replaced: Some("2026-03-01".into()) },
            ],
            "changed, then removed"
        );
    }

    #[test]
    fn the_archive_keeps_exact_bytes_and_refuses_altered_ones() {
        let dir = tempfile::tempdir().unwrap();
        let page = "<h1>通知</h1>".as_bytes();
        let hash = hex(page);
        std::fs::create_dir_all(dir.path().join(DIR)).unwrap();
        std::fs::write(dir.path().join(file(&hash)), compress(page)).unwrap();
        assert_eq!(compress(page), compress(page), "deterministic");
        // the compressor is reused: a big page, then a small one, each whole and alone
        let big: Vec<u8> = (0..200_000u32).flat_map(|i| (i.wrapping_mul(2_654_435_761) >> 7).to_le_bytes()).collect();
        let z = compress(&big);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&z[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, big);
        let small = compress(page);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&small[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, page);
        let store = Store::open(dir.path()).unwrap();
        assert!(store.contains(&hash));
        assert_eq!(store.read(&hash).unwrap(), page);
        std::fs::write(dir.path().join(file(&hash)), compress("<h1>改过</h1>".as_bytes())).unwrap();
        assert!(store.read(&hash).unwrap_err().contains("哈希不符"));
    }
}
