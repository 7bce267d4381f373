//! The archive of published document pages (第十二条(三)(五)): every version of every document
//! page (a notice, a service, a policy, a 年度报告: a page built from one source file of a folder)
//! that a build published, kept byte for byte in the site's record (`record/archive/`) so that a
//! version stays reachable after it is replaced or removed, also from a fresh checkout that has
//! no previous `public/`.
//!
//! A value layer beside the log: content-addressed by the BLAKE3 of the uncompressed page, which
//! is the hash the record's entry lists for the page's path, so an archived version is verifiable
//! against the chain. `build` writes the versions the archive lacks into new packs
//! (`pack-000001.gz`, each version one gzip member, with an index `pack-000001.json`), in the
//! same Staging as the log, and keeps the files already there as they are: a build adds a few
//! files, never one per version. Versions in the first layout (`<blake3>.html.gz`, one file
//! each) are still read. `render` reads the archive to publish superseded and removed versions
//! and to list them ([`histories`]).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Record, hex};

/// The archive's folder inside the record folder.
pub const DIR: &str = "archive";

/// The format of a pack's index.
pub const PACK_SCHEMA: &str = "gongkai-archive/1";

/// A pack is closed when it reaches this size and the next one begun: well under the 100 MB a
/// file may have on GitHub (which warns from 50 MB).
pub const PACK_LIMIT: u64 = 32 << 20;

/// The archive file of a page version in the first layout (one gzip file per version), relative
/// to the record folder: still read, no longer written.
pub fn file(hash: &str) -> String {
    format!("{DIR}/{hash}.html.gz")
}

/// A pack's file name (`pack-000001.gz`: the gzip members of its versions, one after another)
/// and its index's (`pack-000001.json`).
fn pack_names(n: usize) -> (String, String) {
    (format!("pack-{n:06}.gz"), format!("pack-{n:06}.json"))
}

/// A pack's index: where each version's gzip member lies in the pack.
#[derive(Debug, Serialize, Deserialize)]
struct PackIndex {
    schema: String,
    /// The pack's file name, beside the index.
    pack: String,
    /// BLAKE3 of the page → (offset, length) of its gzip member in the pack.
    pages: BTreeMap<String, (u64, u64)>,
}

/// Where a version lies.
#[derive(Debug, Clone)]
enum Place {
    /// Its own file, `<hash>.html.gz` (the first layout).
    Loose,
    /// A member of a pack: the pack's file name, the member's offset and length.
    Packed(std::sync::Arc<str>, u64, u64),
}

/// The archive of a site: which versions it holds (read once), and where.
#[derive(Debug, Default)]
pub struct Store {
    dir: PathBuf,
    /// Every version held, by BLAKE3, and where it lies.
    places: BTreeMap<String, Place>,
    /// Every file of the archive (packs, their indexes, loose versions), by name.
    files: Vec<String>,
    /// The highest pack number present.
    last_pack: usize,
}

impl Store {
    /// The archive in the record folder `record` (empty when there is none yet). A pack index
    /// that cannot be read is an error (`InvalidData`, in words).
    pub fn open(record: &Path) -> std::io::Result<Store> {
        let dir = record.join(DIR);
        let mut store = Store { dir, ..Store::default() };
        let entries = match std::fs::read_dir(&store.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(store),
            Err(e) => return Err(e),
        };
        let mut names = Vec::new();
        for entry in entries {
            if let Ok(name) = entry?.file_name().into_string() {
                names.push(name);
            }
        }
        names.sort();
        for name in names {
            if let Some(hash) = name.strip_suffix(".html.gz") {
                store.places.insert(hash.to_string(), Place::Loose);
            } else if let Some(n) = name.strip_prefix("pack-").and_then(|n| n.strip_suffix(".json")) {
                let invalid = |why: String| std::io::Error::new(std::io::ErrorKind::InvalidData, why);
                let bytes = std::fs::read(store.dir.join(&name))?;
                let index: PackIndex = serde_json::from_slice(&bytes)
                    .map_err(|e| invalid(format!("{DIR}/{name} 不是有效的存档索引：{e}")))?;
                if index.schema != PACK_SCHEMA || index.pack != pack_names(n.parse().unwrap_or(0)).0 {
                    return Err(invalid(format!("{DIR}/{name} 的格式或所指的包不对（应为 {PACK_SCHEMA}）")));
                }
                store.last_pack = store.last_pack.max(n.parse().unwrap_or(0));
                let pack: std::sync::Arc<str> = index.pack.into();
                for (hash, (offset, len)) in index.pages {
                    store.places.insert(hash, Place::Packed(pack.clone(), offset, len));
                }
            } else if !(name.starts_with("pack-") && name.ends_with(".gz")) {
                continue;
            }
            store.files.push(name);
        }
        Ok(store)
    }

    /// Whether the archive holds the version with this BLAKE3.
    pub fn contains(&self, hash: &str) -> bool {
        self.places.contains_key(hash)
    }

    /// Every version held, by BLAKE3.
    pub fn hashes(&self) -> impl Iterator<Item = &String> {
        self.places.keys()
    }

    /// Every file of the archive, by name inside its folder: what a new record keeps as it is.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// The archive's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where a version is kept, for messages: its file, or its pack.
    pub fn location(&self, hash: &str) -> String {
        match self.places.get(hash) {
            Some(Place::Packed(pack, ..)) => format!("{DIR}/{pack}（版本 {hash}）"),
            _ => file(hash),
        }
    }

    /// The exact bytes of a version, checked against its hash; what is wrong in words.
    pub fn read(&self, hash: &str) -> Result<Vec<u8>, String> {
        let (path, gz) = match self.places.get(hash) {
            Some(Place::Packed(pack, offset, len)) => {
                let path = self.dir.join(&**pack);
                let mut gz = Vec::new();
                let read = std::fs::File::open(&path).and_then(|mut f| {
                    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(*offset))?;
                    f.take(*len).read_to_end(&mut gz)
                });
                match read {
                    Ok(n) if n as u64 == *len => (path, gz),
                    Ok(_) => return Err(format!("{} 比它的索引所说的短：存档包不完整", path.display())),
                    Err(e) => return Err(format!("无法读取 {}：{}", path.display(), crate::error::io_reason(&e))),
                }
            }
            _ => {
                let path = self.dir.join(format!("{hash}.html.gz"));
                let gz = std::fs::read(&path)
                    .map_err(|e| format!("无法读取 {}：{}", path.display(), crate::error::io_reason(&e)))?;
                (path, gz)
            }
        };
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{} 中的版本 {hash} 不是有效的 gzip 数据：{e}", path.display()))?;
        if hex(&bytes) != hash {
            return Err(format!("{} 中的版本 {hash} 与它的哈希不符：存档在发布后被改动过", path.display()));
        }
        Ok(bytes)
    }
}

/// Writes new versions into packs in the archive folder of a new record (`into`), numbered
/// after the packs the archive has: each version one gzip member, in the order given; a pack is
/// closed at [`PACK_LIMIT`] and its index written beside it.
pub struct PackWriter {
    into: PathBuf,
    next: usize,
    limit: u64,
    open: Option<OpenPack>,
}

struct OpenPack {
    names: (String, String),
    file: std::io::BufWriter<std::fs::File>,
    size: u64,
    pages: BTreeMap<String, (u64, u64)>,
}

impl PackWriter {
    /// Packs for versions the archive `after` lacks, written into `into`.
    pub fn new(into: &Path, after: &Store) -> PackWriter {
        PackWriter { into: into.to_path_buf(), next: after.last_pack + 1, limit: PACK_LIMIT, open: None }
    }

    /// Add one version: its BLAKE3 and its bytes compressed ([`compress`]).
    pub fn add(&mut self, hash: &str, gz: &[u8]) -> std::io::Result<()> {
        if self.open.as_ref().is_some_and(|p| p.size > 0 && p.size + gz.len() as u64 > self.limit) {
            self.close()?;
        }
        let pack = match &mut self.open {
            Some(pack) => pack,
            None => {
                std::fs::create_dir_all(&self.into)?;
                let names = pack_names(self.next);
                self.next += 1;
                let file = std::io::BufWriter::new(std::fs::File::create(self.into.join(&names.0))?);
                self.open.insert(OpenPack { names, file, size: 0, pages: BTreeMap::new() })
            }
        };
        std::io::Write::write_all(&mut pack.file, gz)?;
        pack.pages.insert(hash.to_string(), (pack.size, gz.len() as u64));
        pack.size += gz.len() as u64;
        Ok(())
    }

    fn close(&mut self) -> std::io::Result<()> {
        let Some(mut pack) = self.open.take() else { return Ok(()) };
        std::io::Write::flush(&mut pack.file)?;
        pack.file.get_ref().sync_all()?;
        let index = PackIndex { schema: PACK_SCHEMA.into(), pack: pack.names.0, pages: pack.pages };
        let json = serde_json::to_vec(&index).map_err(std::io::Error::other)?;
        std::fs::write(self.into.join(&pack.names.1), json)
    }

    /// Close the last pack.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.close()
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

/// The history of every page of which the archive holds at least one version (`archived`: does
/// it hold this BLAKE3?): path → versions,
/// oldest first, from the record's entries.
pub fn histories(record: &Record, archived: impl Fn(&str) -> bool) -> BTreeMap<String, Vec<Version>> {
    let mut all: BTreeMap<&str, Vec<Version>> = BTreeMap::new();
    for e in record.entries() {
        for path in &e.removed {
            if let Some(last) = all.get_mut(path.as_str()).and_then(|v| v.last_mut()) {
                last.replaced.get_or_insert_with(|| e.date.clone());
            }
        }
        for (path, hash) in e.added.iter().chain(&e.changed) {
            // the published versions (and the pages that lead to them) are no document pages
            if !path.ends_with(".html") || is_version(path) {
                continue;
            }
            let versions = all.entry(path).or_default();
            if let Some(last) = versions.last_mut() {
                last.replaced.get_or_insert_with(|| e.date.clone());
            }
            versions.push(Version { hash: hash.clone(), published: e.date.clone(), replaced: None });
        }
    }
    all.into_iter().filter(|(_, v)| v.iter().any(|v| archived(&v.hash))).map(|(p, v)| (p.to_string(), v)).collect()
}

/// Where a superseded or removed version is published: beside its page, in the same folder, so
/// that the relative links of its unchanged bytes (stylesheet, navigation, attachments, the unit's
/// other pages) lead where they led: `<page path without .html>.v<YYYY-MM-DD>-<first 8 hex of its
/// hash>.html` (`u/notices/停水.v2026-11-30-1a2b3c4d.html`). No document page has a name of that
/// shape (`render` refuses a source file that would make one, see [`is_version`]), so a version
/// never takes the place of a page.
pub fn published_path(page: &str, version: &Version) -> String {
    let stem = page.strip_suffix(".html").unwrap_or(page);
    format!("{stem}.v{}-{}.html", version.published, short(&version.hash))
}

/// Where a version was published before it moved beside its page (`archive/<page path without
/// .html>/<YYYY-MM-DD>-<hash8>.html`): that address stays, as a page that leads to
/// [`published_path`].
pub fn moved_path(page: &str, version: &Version) -> String {
    let stem = page.strip_suffix(".html").unwrap_or(page);
    format!("{DIR}/{stem}/{}-{}.html", version.published, short(&version.hash))
}

fn short(hash: &str) -> &str {
    &hash[..8.min(hash.len())]
}

/// Whether a site path is a published version rather than a page: under `archive/`, or named
/// `….v<YYYY-MM-DD>-<8 lowercase hex>.html`.
pub fn is_version(path: &str) -> bool {
    if path.starts_with(&format!("{DIR}/")) {
        return true;
    }
    let Some(stem) = path.strip_suffix(".html") else { return false };
    let tail = stem.as_bytes();
    // ".v" 2026-11-30 "-" 1a2b3c4d: 2 + 10 + 1 + 8
    if tail.len() < 21 {
        return false;
    }
    let t = &tail[tail.len() - 21..];
    let digits = |r: std::ops::Range<usize>| t[r].iter().all(u8::is_ascii_digit);
    t.starts_with(b".v")
        && digits(2..6)
        && t[6] == b'-'
        && digits(7..9)
        && t[9] == b'-'
        && digits(10..12)
        && t[12] == b'-'
        && t[13..].iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
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
        let archived: std::collections::BTreeSet<String> = ["h1".to_string()].into();
        let h = histories(&r, |h| archived.contains(h));
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
    fn a_version_is_published_beside_its_page_under_a_name_no_page_has() {
        let v = Version { hash: "1a2b3c4d5e6f".into(), published: "2026-11-30".into(), replaced: None };
        let page = "u/notices/停水.html";
        assert_eq!(published_path(page, &v), "u/notices/停水.v2026-11-30-1a2b3c4d.html");
        assert_eq!(moved_path(page, &v), "archive/u/notices/停水/2026-11-30-1a2b3c4d.html");
        assert!(is_version(&published_path(page, &v)) && is_version(&moved_path(page, &v)));
        for page in
            ["u/notices/停水.html", "u/notices/v2026-11-30-1a2b3c4d.html", "u/fees.html", "a.v2026-11-30-1A2B3C4D.html"]
        {
            assert!(!is_version(page), "{page}");
        }
        // the name of a version of a version is one too, and differs from its page's
        let again = published_path(&published_path(page, &v), &v);
        assert!(is_version(&again) && again != published_path(page, &v));
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

    #[test]
    fn packs_hold_exact_bytes_roll_over_at_their_limit_and_refuse_altered_ones() {
        let record = tempfile::tempdir().unwrap();
        let into = record.path().join(DIR);
        // pages that do not compress away (hex of hashes): about 700 bytes each once compressed
        let pages: Vec<String> = (0..5)
            .map(|i| {
                format!("<h1>通知 {i}</h1>{}", (0..20).map(|j| hex(format!("{i}-{j}").as_bytes())).collect::<String>())
            })
            .collect();
        let mut writer = PackWriter::new(&into, &Store::default());
        writer.limit = 1500; // two versions a pack
        for page in &pages {
            writer.add(&hex(page.as_bytes()), &compress(page.as_bytes())).unwrap();
        }
        writer.finish().unwrap();
        let store = Store::open(record.path()).unwrap();
        assert!(store.files().len() >= 4, "several packs, each with its index: {:?}", store.files());
        for page in &pages {
            assert_eq!(store.read(&hex(page.as_bytes())).unwrap(), page.as_bytes());
        }
        // the next build numbers its packs after these and keeps them
        let mut next = PackWriter::new(&into, &store);
        let late = "<h1>后来的版本</h1>";
        next.add(&hex(late.as_bytes()), &compress(late.as_bytes())).unwrap();
        next.finish().unwrap();
        let again = Store::open(record.path()).unwrap();
        assert_eq!(again.hashes().count(), pages.len() + 1);
        assert_eq!(again.files().len(), store.files().len() + 2);
        // one byte of a pack changed: that version is refused, by its hash or as bad gzip
        let first = into.join("pack-000001.gz");
        let mut bytes = std::fs::read(&first).unwrap();
        let at = bytes.len() - 12;
        bytes[at] ^= 0x55;
        std::fs::write(&first, bytes).unwrap();
        let broken = Store::open(record.path()).unwrap();
        let damaged = broken.hashes().filter(|h| broken.read(h).is_err()).count();
        assert_eq!(damaged, 1, "exactly the version whose bytes changed");
        // an index that is not one stops the build, in words
        std::fs::write(into.join("pack-000002.json"), "{").unwrap();
        assert!(Store::open(record.path()).unwrap_err().to_string().contains("不是有效的存档索引"));
    }
}
