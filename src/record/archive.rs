//! The archive of published document pages (第十二条(三)(五)): every version of every document
//! page (a notice, a service, a policy, a 年度报告: a page built from one source file of a folder)
//! that a build published, kept byte for byte in the site's record (`record/archive/`) so that a
//! version stays reachable after it is replaced or removed, also from a fresh checkout that has
//! no previous `public/`.
//!
//! A value layer beside the log: content-addressed by the BLAKE3 of the uncompressed page, which
//! is the hash the record's entry lists for the page's path, so an archived version is verifiable
//! against the chain. `build` writes the versions the archive lacks into new packs
//! (`pack-000001.lz4`, each version one LZ4 frame, with an index `pack-000001.json` of format
//! `gongkai-archive/2`), in the same Staging as the log, and keeps the files already there as
//! they are: a build adds a few files, never one per version. What earlier builds wrote is read
//! forever, never rewritten: packs of format `gongkai-archive/1` (`pack-000001.gz`, one gzip
//! member a version) and the first layout (`<blake3>.html.gz`, one file a version); an archive
//! may hold all three. `render` reads the archive to publish superseded and removed versions and
//! to list them ([`histories`]).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Record, hex};

/// The archive's folder inside the record folder.
pub const DIR: &str = "archive";

/// The format of the packs a build writes: LZ4 frames.
pub const PACK_SCHEMA: &str = "gongkai-archive/2";

/// The format of the first packs, still read: gzip members.
pub const PACK_SCHEMA_GZIP: &str = "gongkai-archive/1";

/// How a version is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    /// A gzip member (`gongkai-archive/1`, and the first layout's `.html.gz` files).
    Gzip,
    /// An LZ4 frame (`gongkai-archive/2`).
    Lz4,
}

impl Codec {
    /// The codec of a pack index's schema.
    fn of(schema: &str) -> Option<Codec> {
        match schema {
            PACK_SCHEMA => Some(Codec::Lz4),
            PACK_SCHEMA_GZIP => Some(Codec::Gzip),
            _ => None,
        }
    }

    /// The extension of its pack files.
    fn extension(self) -> &'static str {
        match self {
            Codec::Gzip => "gz",
            Codec::Lz4 => "lz4",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Lz4 => "LZ4",
        }
    }

    /// The bytes of one compressed version.
    fn decompress(self, data: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::with_capacity(data.len() * 3);
        match self {
            Codec::Gzip => flate2::read::GzDecoder::new(data).read_to_end(&mut bytes)?,
            Codec::Lz4 => lz4_flex::frame::FrameDecoder::new(data).read_to_end(&mut bytes)?,
        };
        Ok(bytes)
    }
}

/// A pack is closed when it reaches this size and the next one begun: well under the 100 MB a
/// file may have on GitHub (which warns from 50 MB).
pub const PACK_LIMIT: u64 = 32 << 20;

/// The archive file of a page version in the first layout (one gzip file per version), relative
/// to the record folder: still read, no longer written.
pub fn file(hash: &str) -> String {
    format!("{DIR}/{hash}.html.gz")
}

/// A pack's file name (`pack-000001.lz4`: the compressed versions one after another; `.gz` for
/// a pack of format 1) and its index's (`pack-000001.json`).
fn pack_names(n: usize, codec: Codec) -> (String, String) {
    (format!("pack-{n:06}.{}", codec.extension()), format!("pack-{n:06}.json"))
}

/// A pack's index: where each version's gzip member lies in the pack.
#[derive(Debug, Serialize, Deserialize)]
struct PackIndex {
    schema: String,
    /// The pack's file name, beside the index.
    pack: String,
    /// BLAKE3 of the page → (offset, length) of its compressed bytes in the pack.
    pages: BTreeMap<String, (u64, u64)>,
}

/// Where a version lies.
#[derive(Debug, Clone)]
enum Place {
    /// Its own file, `<hash>.html.gz` (the first layout).
    Loose,
    /// In a pack: the pack's file name, how it is compressed, its offset and length there.
    Packed(std::sync::Arc<str>, Codec, u64, u64),
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
                let n: usize = n.parse().unwrap_or(0);
                let codec = Codec::of(&index.schema).filter(|c| index.pack == pack_names(n, *c).0).ok_or_else(|| {
                    invalid(format!(
                        "{DIR}/{name} 的格式（{}）或所指的包（{}）不对：应为 {PACK_SCHEMA} 和 {}，或 {PACK_SCHEMA_GZIP} 和 {}",
                        index.schema,
                        index.pack,
                        pack_names(n, Codec::Lz4).0,
                        pack_names(n, Codec::Gzip).0
                    ))
                })?;
                store.last_pack = store.last_pack.max(n);
                let pack: std::sync::Arc<str> = index.pack.into();
                for (hash, (offset, len)) in index.pages {
                    store.places.insert(hash, Place::Packed(pack.clone(), codec, offset, len));
                }
            } else if !(name.starts_with("pack-") && (name.ends_with(".gz") || name.ends_with(".lz4"))) {
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

    /// The archive's files by kind: (packs of format 1, packs of format 2, versions in files
    /// of their own).
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |suffix: &str, pack: bool| {
            self.files.iter().filter(|n| n.ends_with(suffix) && n.starts_with("pack-") == pack).count()
        };
        (count(".gz", true), count(".lz4", true), count(".html.gz", false))
    }

    /// Every version that cannot be read or is not the page its hash names, in words, in hash
    /// order: each version read and checked as a build reads it, on every core.
    pub fn damaged(&self) -> Vec<String> {
        use rayon::prelude::*;
        let hashes: Vec<&String> = self.places.keys().collect();
        hashes.par_iter().filter_map(|h| self.read(h).err()).collect()
    }

    /// The exact bytes of a version, checked against its hash; what is wrong in words.
    pub fn read(&self, hash: &str) -> Result<Vec<u8>, String> {
        let (path, codec, data) = match self.places.get(hash) {
            Some(Place::Packed(pack, codec, offset, len)) => {
                let path = self.dir.join(&**pack);
                let mut data = Vec::new();
                let read = std::fs::File::open(&path).and_then(|mut f| {
                    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(*offset))?;
                    f.take(*len).read_to_end(&mut data)
                });
                match read {
                    Ok(n) if n as u64 == *len => (path, *codec, data),
                    Ok(_) => return Err(format!("{} 比它的索引所说的短：存档包不完整", path.display())),
                    Err(e) => return Err(format!("无法读取 {}：{}", path.display(), crate::error::io_reason(&e))),
                }
            }
            _ => {
                let path = self.dir.join(format!("{hash}.html.gz"));
                let data = std::fs::read(&path)
                    .map_err(|e| format!("无法读取 {}：{}", path.display(), crate::error::io_reason(&e)))?;
                (path, Codec::Gzip, data)
            }
        };
        let bytes = codec
            .decompress(&data)
            .map_err(|e| format!("{} 中的版本 {hash} 不是有效的 {} 数据：{e}", path.display(), codec.name()))?;
        if hex(&bytes) != hash {
            return Err(format!("{} 中的版本 {hash} 与它的哈希不符：存档在发布后被改动过", path.display()));
        }
        Ok(bytes)
    }
}

/// Writes new versions into packs of the current format ([`PACK_SCHEMA`]) in the archive folder
/// of a new record (`into`), numbered after the packs the archive has: each version one LZ4
/// frame ([`compress`]), in the order given; a pack is closed at [`PACK_LIMIT`] and its index
/// written beside it.
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
    pub fn add(&mut self, hash: &str, data: &[u8]) -> std::io::Result<()> {
        if self.open.as_ref().is_some_and(|p| p.size > 0 && p.size + data.len() as u64 > self.limit) {
            self.close()?;
        }
        let pack = match &mut self.open {
            Some(pack) => pack,
            None => {
                std::fs::create_dir_all(&self.into)?;
                let names = pack_names(self.next, Codec::Lz4);
                self.next += 1;
                let file = std::io::BufWriter::new(std::fs::File::create(self.into.join(&names.0))?);
                self.open.insert(OpenPack { names, file, size: 0, pages: BTreeMap::new() })
            }
        };
        std::io::Write::write_all(&mut pack.file, data)?;
        pack.pages.insert(hash.to_string(), (pack.size, data.len() as u64));
        pack.size += data.len() as u64;
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

/// A page's bytes, compressed for the archive: one LZ4 frame ([`PACK_SCHEMA`]) of independent
/// blocks of at most 64 KB, with no checksum (the version's key is its BLAKE3) and no content
/// size; `lz4 -dc` reads a pack whole. The same page gives the same bytes.
///
/// Each thread keeps one encoder and begins a new frame with it for the next page: the encoder
/// then clears its match table, so a frame does not depend on the page before, and its
/// buffers (about 150 KB) are not set up again for every page.
#[inline(never)]
pub fn compress(bytes: &[u8]) -> Vec<u8> {
    use lz4_flex::frame::{BlockMode, BlockSize, FrameEncoder, FrameInfo};
    use std::io::Write as _;
    thread_local! {
        static LZ4: std::cell::RefCell<FrameEncoder<Vec<u8>>> = std::cell::RefCell::new(FrameEncoder::with_frame_info(
            FrameInfo::new().block_size(BlockSize::Max64KB).block_mode(BlockMode::Independent),
            Vec::new(),
        ));
    }
    if bytes.is_empty() {
        // a frame of nothing: an encoder that finishes before any write writes a header first
        // only while it is new
        return FrameEncoder::new(Vec::new()).finish().unwrap_or_default();
    }
    LZ4.with_borrow_mut(|lz4| {
        lz4.get_mut().reserve(bytes.len() / 2 + 64);
        // writing into a Vec cannot fail
        let _ = lz4.write_all(bytes).and_then(|()| lz4.try_finish().map_err(std::io::Error::other));
        std::mem::take(lz4.get_mut())
    })
}

/// A page's bytes as a gzip member, the way packs of format 1 hold them: for tests that make
/// an archive of that format.
#[cfg(test)]
pub(crate) fn compress_gzip(bytes: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut z, bytes).unwrap();
    z.finish().unwrap()
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

/// Document pages compressed for the archive as the build writes them, so that the record need
/// not read them back from the staged site: each page the archive lacks is compressed by the
/// thread that rendered it and appended to one unnamed temporary file (gone when the build
/// ends, however it ends); recording then copies the compressed bytes into the packs, in the
/// packs' order. The bytes are those [`compress`] gives the page, so the packs are the same.
pub struct Spool {
    file: std::fs::File,
    /// Where the next page goes.
    end: std::sync::atomic::AtomicU64,
    /// Each page held, by its BLAKE3: where it lies and its length (`None` while being written).
    held: std::sync::Mutex<std::collections::HashMap<[u8; 32], Option<Extent>>>,
}

/// A file in `dir` with no name left: created, then removed while open (after removing what a
/// killed build left of earlier ones).
fn removed_at_once(dir: &Path) -> Option<std::fs::File> {
    for old in std::fs::read_dir(dir).ok()?.flatten() {
        if old.file_name().to_string_lossy().starts_with(SPOOL_PREFIX) {
            let _ = std::fs::remove_file(old.path());
        }
    }
    let path = dir.join(format!("{SPOOL_PREFIX}{}", std::process::id()));
    let file = std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path).ok()?;
    std::fs::remove_file(&path).ok()?;
    Some(file)
}

/// The name of a spool file while it has one (see [`Spool::new`]).
const SPOOL_PREFIX: &str = ".gongkai-spool-";

/// Where a page lies in the spool, and its length.
type Extent = (u64, usize);

impl Spool {
    /// A spool in `dir`: an unnamed file on that disk (`O_TMPFILE`), or where the file system
    /// cannot make one, a file created and at once removed (`.gongkai-spool-PID`; only a build
    /// killed between the two leaves it, and the next build in that folder removes it). `None`
    /// when neither works: the record then reads the pages back.
    pub fn new(dir: &Path) -> Option<Spool> {
        let spool = |file| Spool { file, end: Default::default(), held: Default::default() };
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            use rustix::fs::{Mode, OFlags, open};
            let unnamed = open(dir, OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC, Mode::from_raw_mode(0o600));
            if let Ok(fd) = unnamed {
                return Some(spool(std::fs::File::from(fd)));
            }
        }
        removed_at_once(dir).map(spool)
    }

    /// Keep `page` (whose BLAKE3 is `hash`), compressed, unless it already is.
    pub fn offer(&self, hash: &blake3::Hash, page: &[u8]) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt;
        let key = *hash.as_bytes();
        {
            let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
            if held.contains_key(&key) {
                return Ok(());
            }
            held.insert(key, None);
        }
        let data = compress(page);
        let at = self.end.fetch_add(data.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let written = self.file.write_all_at(&data, at);
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        match written {
            Ok(()) => {
                held.insert(key, Some((at, data.len())));
                Ok(())
            }
            Err(e) => {
                held.remove(&key);
                Err(e)
            }
        }
    }

    /// The compressed page of BLAKE3 `hash` (hex), when it was kept.
    pub fn take(&self, hash: &str) -> Option<std::io::Result<Vec<u8>>> {
        use std::os::unix::fs::FileExt;
        let key = *blake3::Hash::from_hex(hash).ok()?.as_bytes();
        let (at, len) = (*self.held.lock().unwrap_or_else(|e| e.into_inner()).get(&key)?)?;
        let mut data = vec![0; len];
        Some(self.file.read_exact_at(&mut data, at).map(|()| data))
    }

    /// How many pages it holds.
    pub fn len(&self) -> usize {
        self.held.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether it holds no page.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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
        // the first layout: one gzip file a version, read as it was written
        std::fs::write(dir.path().join(file(&hash)), compress_gzip(page)).unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert!(store.contains(&hash));
        assert_eq!(store.read(&hash).unwrap(), page);
        std::fs::write(dir.path().join(file(&hash)), compress_gzip("<h1>改过</h1>".as_bytes())).unwrap();
        assert!(store.read(&hash).unwrap_err().contains("哈希不符"));
    }

    #[test]
    fn compressing_is_deterministic_and_each_frame_stands_alone() {
        let page = "<h1>通知</h1>".as_bytes();
        let first = compress(page);
        // the encoder is reused: a big page (several blocks), then the small one again, each
        // whole and alone, and the small one gives the same bytes as before
        let big: Vec<u8> = (0..200_000u32).flat_map(|i| (i.wrapping_mul(2_654_435_761) >> 7).to_le_bytes()).collect();
        let z = compress(&big);
        assert_eq!(Codec::Lz4.decompress(&z).unwrap(), big);
        let again = compress(page);
        assert_eq!(again, first, "deterministic, whatever came before");
        assert_eq!(Codec::Lz4.decompress(&again).unwrap(), page);
        // on another thread, with a new encoder: the same bytes
        let elsewhere = std::thread::spawn(move || compress("<h1>通知</h1>".as_bytes())).join().unwrap();
        assert_eq!(elsewhere, first);
        // the frames of a pack, one after another, read as one stream (what `lz4 -dc` does)
        let mut both = Codec::Lz4.decompress(&[first.clone(), z].concat()).unwrap();
        both.truncate(page.len());
        assert_eq!(both, page);
        // nothing is a frame too, also after other pages
        assert_eq!(Codec::Lz4.decompress(&compress(b"")).unwrap(), b"");
        assert_eq!(compress(page), first);
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
        // one byte of a pack changed: that version is refused, by its hash or as bad LZ4
        let first = into.join("pack-000001.lz4");
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

    /// A pack of format 1 as the builds before format 2 wrote it: each version one gzip member.
    fn write_gzip_pack(into: &Path, n: usize, pages: &[&str]) {
        let mut pack = Vec::new();
        let mut index = BTreeMap::new();
        for page in pages {
            let gz = compress_gzip(page.as_bytes());
            index.insert(hex(page.as_bytes()), (pack.len() as u64, gz.len() as u64));
            pack.extend(gz);
        }
        let (name, json) = pack_names(n, Codec::Gzip);
        std::fs::write(into.join(&name), pack).unwrap();
        let index = PackIndex { schema: PACK_SCHEMA_GZIP.into(), pack: name, pages: index };
        std::fs::write(into.join(json), serde_json::to_vec(&index).unwrap()).unwrap();
    }

    #[test]
    fn an_archive_of_every_format_is_read_and_new_packs_follow_it() {
        let record = tempfile::tempdir().unwrap();
        let into = record.path().join(DIR);
        std::fs::create_dir_all(&into).unwrap();
        let loose = "<h1>最早的版本</h1>";
        std::fs::write(record.path().join(file(&hex(loose.as_bytes()))), compress_gzip(loose.as_bytes())).unwrap();
        let old = ["<h1>通知一</h1>", "<h1>通知二</h1>"];
        write_gzip_pack(&into, 1, &old);
        let store = Store::open(record.path()).unwrap();
        let mut writer = PackWriter::new(&into, &store);
        let new = "<h1>新格式的版本</h1>";
        writer.add(&hex(new.as_bytes()), &compress(new.as_bytes())).unwrap();
        writer.finish().unwrap();
        assert!(into.join("pack-000002.lz4").is_file() && into.join("pack-000002.json").is_file());
        let index: serde_json::Value =
            serde_json::from_slice(&std::fs::read(into.join("pack-000002.json")).unwrap()).unwrap();
        assert_eq!(index["schema"], PACK_SCHEMA);
        assert_eq!(index["pack"], "pack-000002.lz4");
        let all = Store::open(record.path()).unwrap();
        assert_eq!(all.files().len(), 5, "{:?}", all.files());
        for page in old.iter().chain([&loose, &new]) {
            assert_eq!(all.read(&hex(page.as_bytes())).unwrap(), page.as_bytes(), "{page}");
        }
        assert!(all.location(&hex(new.as_bytes())).contains("pack-000002.lz4"));
        // a damaged LZ4 pack names itself and the version
        let pack = into.join("pack-000002.lz4");
        let mut bytes = std::fs::read(&pack).unwrap();
        let last = bytes.len() - 6;
        bytes[last] ^= 0x20;
        std::fs::write(&pack, bytes).unwrap();
        let why = all.read(&hex(new.as_bytes())).unwrap_err();
        assert!(why.contains("pack-000002.lz4") && why.contains(&hex(new.as_bytes())), "{why}");
        assert_eq!(all.read(&hex(old[0].as_bytes())).unwrap(), old[0].as_bytes(), "the others are intact");
        // an index whose format and pack do not go together is refused, in words
        let wrong = PackIndex { schema: PACK_SCHEMA.into(), pack: "pack-000003.gz".into(), pages: BTreeMap::new() };
        std::fs::write(into.join("pack-000003.json"), serde_json::to_vec(&wrong).unwrap()).unwrap();
        let refused = Store::open(record.path()).unwrap_err().to_string();
        assert!(refused.contains("pack-000003.json") && refused.contains("pack-000003.lz4"), "{refused}");
        // and so is a format this version does not know
        let future =
            PackIndex { schema: "gongkai-archive/9".into(), pack: "pack-000003.zst".into(), pages: BTreeMap::new() };
        std::fs::write(into.join("pack-000003.json"), serde_json::to_vec(&future).unwrap()).unwrap();
        assert!(Store::open(record.path()).unwrap_err().to_string().contains("gongkai-archive/9"));
    }

    #[test]
    fn a_spooled_page_is_kept_once_and_given_back_as_compress_gives_it() {
        let dir = tempfile::tempdir().unwrap();
        let Some(spool) = Spool::new(dir.path()) else { panic!("a spool can be made in a writable folder") };
        let (a, b) = ("<p>一</p>".repeat(500), "<p>二</p>".to_string());
        let (ha, hb) = (blake3::hash(a.as_bytes()), blake3::hash(b.as_bytes()));
        spool.offer(&ha, a.as_bytes()).unwrap();
        spool.offer(&hb, b.as_bytes()).unwrap();
        spool.offer(&ha, a.as_bytes()).unwrap();
        assert_eq!(spool.len(), 2);
        assert_eq!(spool.take(&ha.to_hex()).unwrap().unwrap(), compress(a.as_bytes()));
        assert_eq!(spool.take(&hb.to_hex()).unwrap().unwrap(), compress(b.as_bytes()));
        assert!(spool.take(&hex(b"never offered")).is_none());
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "the spool has no name in the folder");
    }

    #[test]
    fn where_no_unnamed_file_can_be_made_the_spool_is_a_file_removed_at_once() {
        use std::io::{Read, Seek, Write};
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gongkai-spool-1"), "left by a killed build").unwrap();
        std::fs::write(dir.path().join("content.md"), "the site's own").unwrap();
        let mut file = removed_at_once(dir.path()).unwrap();
        file.write_all(b"pages").unwrap();
        file.rewind().unwrap();
        let mut back = String::new();
        file.read_to_string(&mut back).unwrap();
        assert_eq!(back, "pages");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["content.md"], "no spool file is left, and nothing else is removed");
    }
}
