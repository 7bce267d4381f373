//! The archive of published document pages (第十二条(三)(五)): every version of every document
//! page (a notice, a service, a policy, a 年度报告: a page built from one source file of a folder)
//! that a build published, kept byte for byte in the site's record (`record/archive/`) so that a
//! version stays reachable after it is replaced or removed, also from a fresh checkout that has
//! no previous `public/`.
//!
//! A value layer beside the log: content-addressed by the BLAKE3 of the uncompressed page, which
//! is the hash the record's entry lists for the page's path, so an archived version is verifiable
//! against the chain. `build` writes the versions the archive lacks into new packs
//! (`pack-000001.lz4b`, each version one LZ4 block, with an index `pack-000001.json` of format
//! `gongkai-archive/3`), in the same Staging as the log, and keeps the files already there as
//! they are: a build adds a few files, never one per version. A version may be compressed
//! against a base, another version of the archive kept without one (the first document page its
//! unit wrote): the pages of a unit share their header, navigation and footer, so a version
//! compressed against its base is about half the size. What earlier builds wrote is read
//! forever, never rewritten: packs of format `gongkai-archive/2` (`pack-000001.lz4`, one LZ4
//! frame a version), of format `gongkai-archive/1` (`pack-000001.gz`, one gzip member a
//! version) and the first layout (`<blake3>.html.gz`, one file a version); an archive may hold
//! all four. `render` reads the archive to publish superseded and removed versions and
//! to list them ([`histories`]).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{Record, hex};

/// The archive's folder inside the record folder.
pub const DIR: &str = "archive";

/// The format of the packs a build writes: LZ4 blocks, each alone or against a base.
pub const PACK_SCHEMA: &str = "gongkai-archive/3";

/// The format of the packs of LZ4 frames, still read.
pub const PACK_SCHEMA_LZ4_FRAME: &str = "gongkai-archive/2";

/// The format of the first packs, still read: gzip members.
pub const PACK_SCHEMA_GZIP: &str = "gongkai-archive/1";

/// How a version is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    /// A gzip member (`gongkai-archive/1`, and the first layout's `.html.gz` files).
    Gzip,
    /// An LZ4 frame (`gongkai-archive/2`).
    Lz4,
    /// An LZ4 block after its length, alone or against a base (`gongkai-archive/3`).
    Lz4Block,
}

impl Codec {
    /// The codec of a pack index's schema.
    fn of(schema: &str) -> Option<Codec> {
        [Codec::Lz4Block, Codec::Lz4, Codec::Gzip].into_iter().find(|c| c.schema() == schema)
    }

    /// The schema of its pack indexes.
    fn schema(self) -> &'static str {
        match self {
            Codec::Gzip => PACK_SCHEMA_GZIP,
            Codec::Lz4 => PACK_SCHEMA_LZ4_FRAME,
            Codec::Lz4Block => PACK_SCHEMA,
        }
    }

    /// The extension of its pack files.
    fn extension(self) -> &'static str {
        match self {
            Codec::Gzip => "gz",
            Codec::Lz4 => "lz4",
            Codec::Lz4Block => "lz4b",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Lz4 | Codec::Lz4Block => "LZ4",
        }
    }

    /// The bytes of one compressed version; `base`: the bytes of its base, if it has one.
    fn decompress(self, data: &[u8], base: Option<&[u8]>) -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::with_capacity(data.len() * 3);
        match self {
            Codec::Gzip => {
                flate2::read::GzDecoder::new(data).read_to_end(&mut bytes)?;
            }
            Codec::Lz4 => {
                lz4_flex::frame::FrameDecoder::new(data).read_to_end(&mut bytes)?;
            }
            Codec::Lz4Block => {
                let invalid = |why: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_string());
                let (size, block) = data.split_first_chunk::<4>().ok_or_else(|| invalid("太短"))?;
                let size = u32::from_le_bytes(*size) as usize;
                // LZ4 makes at most 255 bytes of one: a larger length is not asked of memory
                if size > block.len().saturating_mul(255) + 16 {
                    return Err(invalid("记下的长度与数据不符"));
                }
                bytes.resize(size, 0);
                let n = lz4_flex::block::decompress_into_with_dict(block, &mut bytes, base.unwrap_or_default())
                    .map_err(|e| invalid(&e.to_string()))?;
                if n != size {
                    return Err(invalid("记下的长度与数据不符"));
                }
            }
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

/// A BLAKE3 written as the record and the archive write them (64 lowercase hex digits).
pub fn parse_hash(hex: &str) -> Option<blake3::Hash> {
    let lower = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    lower.then(|| blake3::Hash::from_hex(hex).ok()).flatten()
}

/// The key of the version named `hash` in [`Store::held`].
fn key(hash: &str) -> Option<[u8; 32]> {
    parse_hash(hash).map(|h| *h.as_bytes())
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
    /// BLAKE3 of a page compressed against a base → the base's BLAKE3 (format 3 only).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    bases: BTreeMap<String, String>,
}

/// A version held: its BLAKE3, where it lies and its base.
#[derive(Debug)]
struct Slot {
    key: [u8; 32],
    place: Place,
    base: Option<[u8; 32]>,
}

/// `old` and `new`, each in hash order with each hash once, in one list in hash order; of a hash
/// in both, `new`'s (read later).
fn merge(old: Vec<Slot>, new: Vec<Slot>) -> Vec<Slot> {
    if old.is_empty() {
        return new;
    }
    let mut out = Vec::with_capacity(old.len() + new.len());
    let mut new = new.into_iter().peekable();
    for slot in old {
        while let Some(n) = new.next_if(|n| n.key < slot.key) {
            out.push(n);
        }
        out.push(new.next_if(|n| n.key == slot.key).unwrap_or(slot));
    }
    out.extend(new);
    out
}

/// Where a version lies.
#[derive(Debug, Clone, Copy)]
enum Place {
    /// Its own file, `<hash>.html.gz` (the first layout).
    Loose,
    /// In a pack (its place in [`Store::packs`]): its offset and length there.
    Packed(u32, u64, u64),
}

/// The archive of a site: which versions it holds (read once), and where.
#[derive(Debug, Default)]
pub struct Store {
    dir: PathBuf,
    /// Every version held, by the bytes of its BLAKE3, in their order: where it lies, and the
    /// base it is compressed against. (Searched by halves: a build looks up every page's hash,
    /// and a search through a tree of 64-character keys was a tenth of its time; bytes, not hex,
    /// and a list, not hash maps: a province's 128,000 versions took 32 MB in two maps, 12 here.)
    held: Vec<Slot>,
    /// Where the versions whose hash starts with each two bytes begin in `held` (and, last,
    /// its end): a lookup searches the two or so there, not the whole list.
    starts: Vec<u32>,
    /// A version held under a name that is no BLAKE3 in lowercase hex (a file put there by hand,
    /// an index edited): held all the same, and found damaged when it is read. With its base.
    odd: BTreeMap<String, (Place, Option<[u8; 32]>)>,
    /// Each pack's file name and how it is compressed.
    packs: Vec<(String, Codec)>,
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
        // the versions read: the loose ones in the order of their names, then each pack's in its
        // index's order; each run is in hash order (a BLAKE3 in lowercase hex sorts as its bytes)
        let mut loose = Vec::new();
        let mut held = Vec::new();
        for name in names {
            if let Some(hash) = name.strip_suffix(".html.gz") {
                store.insert(&mut loose, hash, Place::Loose, None);
            } else if let Some(n) = name.strip_prefix("pack-").and_then(|n| n.strip_suffix(".json")) {
                let invalid = |why: String| std::io::Error::new(std::io::ErrorKind::InvalidData, why);
                let bytes = std::fs::read(store.dir.join(&name))?;
                let index: PackIndex = serde_json::from_slice(&bytes)
                    .map_err(|e| invalid(format!("{DIR}/{name} 不是有效的存档索引：{e}")))?;
                let n: usize = n.parse().unwrap_or(0);
                let codec =
                    Codec::of(&index.schema).filter(|c| index.pack == pack_names(n, *c).0).ok_or_else(|| {
                        let formats: Vec<String> = [Codec::Lz4Block, Codec::Lz4, Codec::Gzip]
                            .into_iter()
                            .map(|c| format!("{} 和 {}", c.schema(), pack_names(n, c).0))
                            .collect();
                        invalid(format!(
                            "{DIR}/{name} 的格式（{}）或所指的包（{}）不对：应为 {}",
                            index.schema,
                            index.pack,
                            formats.join("，或 ")
                        ))
                    })?;
                store.last_pack = store.last_pack.max(n);
                let mut bases = BTreeMap::new();
                for (hash, base) in &index.bases {
                    let parsed = blake3::Hash::from_hex(base).ok().filter(|_| codec == Codec::Lz4Block);
                    let Some(base) = parsed.filter(|_| index.pages.contains_key(hash) && hash != base) else {
                        return Err(invalid(format!("{DIR}/{name} 记下的版本 {hash} 的底本（{base}）不对")));
                    };
                    bases.insert(hash.as_str(), *base.as_bytes());
                }
                let pack = u32::try_from(store.packs.len()).map_err(|_| invalid(format!("{DIR} 的存档包太多")))?;
                store.packs.push((index.pack, codec));
                let mut run = Vec::with_capacity(index.pages.len());
                for (hash, (offset, len)) in &index.pages {
                    let base = bases.get(hash.as_str()).copied();
                    store.insert(&mut run, hash, Place::Packed(pack, *offset, *len), base);
                }
                held = merge(held, run);
            } else if !(name.starts_with("pack-")
                && (name.ends_with(".gz") || name.ends_with(".lz4") || name.ends_with(".lz4b")))
            {
                continue;
            }
            store.files.push(name);
        }
        // the last one read of a hash wins, as in a map: the packs' over the loose ones
        let mut held = merge(loose, held);
        held.shrink_to_fit();
        let mut starts = vec![0u32; (1 << 16) + 1];
        for slot in &held {
            starts[usize::from(u16::from_be_bytes([slot.key[0], slot.key[1]])) + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        store.held = held;
        store.starts = starts;
        Ok(store)
    }

    /// Note a version held under the name `hash` (in `held`, or `odd` when it is no BLAKE3;
    /// there, the last one read wins).
    fn insert(&mut self, held: &mut Vec<Slot>, hash: &str, place: Place, base: Option<[u8; 32]>) {
        match key(hash) {
            Some(key) => held.push(Slot { key, place, base }),
            None => {
                self.odd.insert(hash.to_string(), (place, base));
            }
        }
    }

    /// The version with this BLAKE3, if held.
    fn find(&self, key: &[u8; 32]) -> Option<&Slot> {
        let first = usize::from(u16::from_be_bytes([key[0], key[1]]));
        let (from, to) = (*self.starts.get(first)? as usize, *self.starts.get(first + 1)? as usize);
        let slots = self.held.get(from..to)?;
        slots.binary_search_by(|h| h.key.cmp(key)).ok().map(|i| &slots[i])
    }

    /// Where the version named `hash` lies, and its base.
    fn place(&self, hash: &str) -> Option<(Place, Option<[u8; 32]>)> {
        match key(hash) {
            Some(key) => self.find(&key).map(|h| (h.place, h.base)),
            None => self.odd.get(hash).copied(),
        }
    }

    /// Whether the archive holds the version with this BLAKE3.
    pub fn contains(&self, hash: &str) -> bool {
        self.place(hash).is_some()
    }

    /// [`Store::contains`], for a hash as bytes.
    pub fn holds(&self, hash: &blake3::Hash) -> bool {
        self.find(hash.as_bytes()).is_some()
    }

    /// Whether the archive holds the version with this BLAKE3 without a base: one that other
    /// versions may be compressed against.
    pub fn holds_alone(&self, hash: &str) -> bool {
        matches!(self.place(hash), Some((_, None)))
    }

    /// Every version held, by BLAKE3, in hash order.
    pub fn hashes(&self) -> impl Iterator<Item = String> {
        let hex = self.held.iter().map(|h| blake3::Hash::from(h.key).to_hex().to_string());
        let mut hashes: Vec<String> = hex.chain(self.odd.keys().cloned()).collect();
        hashes.sort_unstable();
        hashes.into_iter()
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
        match self.place(hash) {
            Some((Place::Packed(pack, ..), _)) => format!("{DIR}/{}（版本 {hash}）", self.packs[pack as usize].0),
            _ => file(hash),
        }
    }

    /// The archive's files by kind: (packs of format 1, of format 2, of format 3, versions in
    /// files of their own).
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let count = |suffix: &str, pack: bool| {
            self.files.iter().filter(|n| n.ends_with(suffix) && n.starts_with("pack-") == pack).count()
        };
        (count(".gz", true), count(".lz4", true), count(".lz4b", true), count(".html.gz", false))
    }

    /// Every version that cannot be read or is not the page its hash names, in words, in hash
    /// order: each version read and checked as a build reads it, on every core.
    pub fn damaged(&self) -> Vec<String> {
        use rayon::prelude::*;
        let hashes: Vec<String> = self.hashes().collect();
        hashes.par_iter().filter_map(|h| self.read(h).err()).collect()
    }

    /// The exact bytes of a version, checked against its hash (and its base's, when it has
    /// one); what is wrong in words.
    pub fn read(&self, hash: &str) -> Result<Vec<u8>, String> {
        self.read_version(hash, true)
    }

    /// [`Store::read`]; a base (`may_have_base` false) must be kept alone.
    fn read_version(&self, hash: &str, may_have_base: bool) -> Result<Vec<u8>, String> {
        let (path, codec, data, base) = match self.place(hash) {
            Some((Place::Packed(pack, offset, len), base)) => {
                let (pack, codec) = &self.packs[pack as usize];
                let path = self.dir.join(pack);
                let mut data = Vec::new();
                let read = std::fs::File::open(&path).and_then(|mut f| {
                    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(offset))?;
                    f.take(len).read_to_end(&mut data)
                });
                match read {
                    Ok(n) if n as u64 == len => (path, *codec, data, base),
                    Ok(_) => return Err(format!("{} 比它的索引所说的短：存档包不完整", path.display())),
                    Err(e) => return Err(format!("无法读取 {}：{}", path.display(), crate::error::io_reason(&e))),
                }
            }
            _ => {
                let path = self.dir.join(format!("{hash}.html.gz"));
                let data = std::fs::read(&path)
                    .map_err(|e| format!("无法读取 {}：{}", path.display(), crate::error::io_reason(&e)))?;
                (path, Codec::Gzip, data, None)
            }
        };
        let base = match base.map(|b| blake3::Hash::from(b).to_hex()) {
            None => None,
            Some(b) if !may_have_base => {
                return Err(format!(
                    "{} 中的版本 {hash} 是别的版本的底本，自己却又有底本 {b}：存档已损坏",
                    path.display()
                ));
            }
            Some(b) => Some(
                self.read_version(&b, false)
                    .map_err(|e| format!("{} 中的版本 {hash} 的底本 {b} 读不出：{e}", path.display()))?,
            ),
        };
        let bytes = codec
            .decompress(&data, base.as_deref())
            .map_err(|e| format!("{} 中的版本 {hash} 不是有效的 {} 数据：{e}", path.display(), codec.name()))?;
        if hex(&bytes) != hash {
            return Err(format!("{} 中的版本 {hash} 与它的哈希不符：存档在发布后被改动过", path.display()));
        }
        Ok(bytes)
    }
}

/// Writes new versions into packs of the current format ([`PACK_SCHEMA`]) in the archive folder
/// of a new record (`into`), numbered after the packs the archive has: each version one LZ4
/// block ([`compress`]), in the order given; a pack is closed at [`PACK_LIMIT`] and its index
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
    bases: BTreeMap<String, String>,
}

impl PackWriter {
    /// Packs for versions the archive `after` lacks, written into `into`.
    pub fn new(into: &Path, after: &Store) -> PackWriter {
        PackWriter { into: into.to_path_buf(), next: after.last_pack + 1, limit: PACK_LIMIT, open: None }
    }

    /// Add one version: its BLAKE3, its bytes compressed ([`compress`]), and the BLAKE3 of the
    /// base they were compressed against (a version kept alone, in the archive or added here).
    pub fn add(&mut self, hash: &str, data: &[u8], base: Option<&str>) -> std::io::Result<()> {
        if self.open.as_ref().is_some_and(|p| p.size > 0 && p.size + data.len() as u64 > self.limit) {
            self.close()?;
        }
        let pack = match &mut self.open {
            Some(pack) => pack,
            None => {
                std::fs::create_dir_all(&self.into)?;
                let names = pack_names(self.next, Codec::Lz4Block);
                self.next += 1;
                // a mebibyte at a time: a version is a few KiB
                let file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(self.into.join(&names.0))?);
                self.open.insert(OpenPack { names, file, size: 0, pages: BTreeMap::new(), bases: BTreeMap::new() })
            }
        };
        std::io::Write::write_all(&mut pack.file, data)?;
        pack.pages.insert(hash.to_string(), (pack.size, data.len() as u64));
        if let Some(base) = base {
            pack.bases.insert(hash.to_string(), base.to_string());
        }
        pack.size += data.len() as u64;
        Ok(())
    }

    fn close(&mut self) -> std::io::Result<()> {
        let Some(mut pack) = self.open.take() else { return Ok(()) };
        std::io::Write::flush(&mut pack.file)?;
        pack.file.get_ref().sync_all()?;
        let index = PackIndex { schema: PACK_SCHEMA.into(), pack: pack.names.0, pages: pack.pages, bases: pack.bases };
        let json = serde_json::to_vec(&index).map_err(std::io::Error::other)?;
        std::fs::write(self.into.join(&pack.names.1), json)
    }

    /// Close the last pack.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.close()
    }
}

/// A page's bytes, compressed for the archive ([`PACK_SCHEMA`]): its length (4 bytes, little
/// endian), then one LZ4 block, alone or, with `base`, against the bytes of its base (LZ4's
/// dictionary: what the page shares with its base costs a few bytes). The same page and base
/// give the same bytes.
pub fn compress(bytes: &[u8], base: Option<&[u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    compress_onto(bytes, base, &mut out);
    out
}

/// [`compress`], onto the end of `out`: a buffer kept for many pages saves an allocation of the
/// page's size for each.
pub fn compress_onto(bytes: &[u8], base: Option<&[u8]>, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.resize(start + 4 + lz4_flex::block::get_maximum_output_size(bytes.len()), 0);
    let block = &mut out[start + 4..];
    // the bytes lz4_flex's own `compress_prepend_size(_with_dict)` make (a unit test holds it)
    let into = match base {
        None => lz4_flex::block::compress_into(bytes, block),
        Some(base) => lz4_flex::block::compress_into_with_dict(bytes, block, if base.len() > 3 { base } else { &[] }),
    };
    match into {
        Ok(len) => out.truncate(start + 4 + len),
        // the room is the most LZ4 can take for this length, so never; were it ever too small,
        // the crate's own allocating call gives the same bytes
        Err(_) => {
            out.truncate(start);
            out.extend(match base {
                None => lz4_flex::block::compress_prepend_size(bytes),
                Some(base) => lz4_flex::block::compress_prepend_size_with_dict(bytes, base),
            });
        }
    }
}

/// A page's bytes as one LZ4 frame, the way packs of format 2 hold them: for tests that make
/// an archive of that format.
#[cfg(test)]
pub(crate) fn compress_frame(bytes: &[u8]) -> Vec<u8> {
    let mut lz4 = lz4_flex::frame::FrameEncoder::new(Vec::new());
    std::io::Write::write_all(&mut lz4, bytes).unwrap();
    lz4.finish().unwrap()
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
    pub hash: blake3::Hash,
    /// The date of the entry that first recorded it (shared by the versions of that entry).
    pub published: Arc<str>,
    /// The date of the entry that replaced or removed it; `None` while it is the one recorded.
    pub replaced: Option<Arc<str>>,
}

/// The history of every page of which the archive holds at least one version (`archived`: does
/// it hold this BLAKE3?): path → versions, oldest first, from the record's entries. A version
/// whose hash the record does not write as a BLAKE3 (an entry edited by hand: `verify` names it)
/// has no place in a history.
pub fn histories(
    record: &Record,
    archived: impl Fn(&blake3::Hash) -> bool,
) -> Result<BTreeMap<String, Vec<Version>>, super::Problems> {
    // the published versions (and the pages that lead to them) are no document pages
    let page = |path: &str| path.ends_with(".html") && !is_version(path);
    // what each entry changed, read once (streamed from its file when it is set aside), of the
    // files added and changed only the pages
    let entries = record.streamed_where(&page).collect::<Result<Vec<_>, _>>()?;
    // first the pages of which the archive holds a version: only theirs are gathered (a
    // province-sized first entry lists a quarter of a million pages, half of them no document)
    let held: rustc_hash::FxHashSet<&str> = entries
        .iter()
        .flat_map(|(_, c)| c.written())
        .filter(|(_, hash)| hash.blake3().is_some_and(|h| archived(&h)))
        .map(|(path, _)| path)
        .collect();
    let mut all: BTreeMap<&str, Vec<Version>> = BTreeMap::new();
    for (e, c) in &entries {
        let date: Arc<str> = Arc::from(e.date.as_str());
        for path in &c.removed {
            if let Some(last) = all.get_mut(path.as_str()).and_then(|v| v.last_mut()) {
                last.replaced.get_or_insert_with(|| date.clone());
            }
        }
        for (path, hash) in c.written() {
            let Some(hash) = hash.blake3().filter(|_| held.contains(path)) else { continue };
            let version = Version { hash, published: date.clone(), replaced: None };
            match all.get_mut(path) {
                Some(versions) => {
                    if let Some(last) = versions.last_mut() {
                        last.replaced.get_or_insert_with(|| date.clone());
                    }
                    versions.push(version);
                }
                // most pages have one version: room for one (a push makes room for four)
                None => {
                    all.insert(path, vec![version]);
                }
            }
        }
    }
    // the map made again at once, its nodes full (one grown in path order leaves them half
    // empty), each path a string of its own
    Ok(all
        .into_iter()
        .map(|(p, mut v)| {
            v.shrink_to_fit();
            (p.to_string(), v)
        })
        .collect())
}

/// Where a superseded or removed version is published: beside its page, in the same folder, so
/// that the relative links of its unchanged bytes (stylesheet, navigation, attachments, the unit's
/// other pages) lead where they led: `<page path without .html>.v<YYYY-MM-DD>-<first 8 hex of its
/// hash>.html` (`u/notices/停水.v2026-11-30-1a2b3c4d.html`). No document page has a name of that
/// shape (`render` refuses a source file that would make one, see [`is_version`]), so a version
/// never takes the place of a page.
pub fn published_path(page: &str, version: &Version) -> String {
    let stem = page.strip_suffix(".html").unwrap_or(page);
    format!("{stem}.v{}-{}.html", version.published, short(&version.hash.to_hex()))
}

/// Where a version was published before it moved beside its page (`archive/<page path without
/// .html>/<YYYY-MM-DD>-<hash8>.html`): that address stays, as a page that leads to
/// [`published_path`].
pub fn moved_path(page: &str, version: &Version) -> String {
    let stem = page.strip_suffix(".html").unwrap_or(page);
    format!("{DIR}/{stem}/{}-{}.html", version.published, short(&version.hash.to_hex()))
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
/// packs' order. The bytes are those [`compress`] gives the page and its base, so the packs are
/// the same. (A page names its own address, so two pages never have the same bytes and each
/// version is offered once, with one base: which thread offers it first does not matter.)
pub struct Spool {
    file: std::fs::File,
    /// Pages compressed but not yet in the file: written a mebibyte at a time (one system call
    /// for some hundreds of pages instead of one each).
    pending: std::sync::Mutex<Pending>,
    /// Each page held, by its BLAKE3: where it lies, its length and its base's BLAKE3 (`None`
    /// while being written).
    held: std::sync::Mutex<Pages>,
}

/// The pages of a [`Spool`] not yet written, and where in its file the first of them goes.
#[derive(Default)]
struct Pending {
    at: u64,
    bytes: Vec<u8>,
    /// A write failed: the pages in `bytes` then are lost, and the spool takes no more.
    failed: bool,
}

impl Pending {
    /// Pages are written once this many bytes wait.
    const WRITE_AT: usize = 1 << 20;

    fn write(&mut self, file: &std::fs::File) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt;
        if self.failed {
            return Err(std::io::Error::other("写入存档暂存文件失败过，其中的页面已不完整"));
        }
        if let Err(e) = file.write_all_at(&self.bytes, self.at) {
            self.failed = true;
            return Err(e);
        }
        self.at += self.bytes.len() as u64;
        self.bytes.clear();
        Ok(())
    }
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

/// The pages a spool holds, by BLAKE3 (`None` while being written).
/// (FxHash: the keys are digests, already spread evenly)
pub type Pages = rustc_hash::FxHashMap<blake3::Hash, Option<Held>>;

/// A page the spool holds: where it lies, its length, and the BLAKE3 of the base it was compressed
/// against.
#[derive(Debug, Clone, Copy)]
pub struct Held {
    at: u64,
    len: usize,
    /// The BLAKE3 of the base it was compressed against (`None`: alone).
    pub base: Option<blake3::Hash>,
}

impl Spool {
    /// A spool in `dir`: an unnamed file on that disk (`O_TMPFILE`), or where the file system
    /// cannot make one, a file created and at once removed (`.gongkai-spool-PID`; only a build
    /// killed between the two leaves it, and the next build in that folder removes it). `None`
    /// when neither works: the record then reads the pages back.
    pub fn new(dir: &Path) -> Option<Spool> {
        let spool = |file| Spool { file, pending: Default::default(), held: Default::default() };
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

    /// Keep `page` (whose BLAKE3 is `hash`), compressed against `base` (its BLAKE3 and bytes)
    /// when there is one, unless it already is.
    pub fn offer(&self, hash: &blake3::Hash, page: &[u8], base: Option<(&blake3::Hash, &[u8])>) -> std::io::Result<()> {
        let key = *hash;
        {
            let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
            if held.contains_key(&key) {
                return Ok(());
            }
            held.insert(key, None);
        }
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        let base = base.filter(|(h, _)| *h != hash);
        let placed = SCRATCH.with_borrow_mut(|data| {
            data.clear();
            compress_onto(page, base.map(|(_, b)| b), data);
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            let at = pending.at + pending.bytes.len() as u64;
            pending.bytes.extend_from_slice(data);
            let len = data.len();
            if pending.failed || pending.bytes.len() >= Pending::WRITE_AT {
                pending.write(&self.file).map(|()| (at, len))
            } else {
                Ok((at, len))
            }
        });
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        match placed {
            Ok((at, len)) => {
                held.insert(key, Some(Held { at, len, base: base.map(|(h, _)| *h) }));
                Ok(())
            }
            Err(e) => {
                held.remove(&key);
                Err(e)
            }
        }
    }

    /// Every page held, by BLAKE3, taken out of the spool once every page is offered (the pages
    /// still waiting written first; one lock for them all; the spool then holds none, and its
    /// file still holds their bytes).
    pub fn take_held(&self) -> std::io::Result<Pages> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).write(&self.file)?;
        Ok(std::mem::take(&mut *self.held.lock().unwrap_or_else(|e| e.into_inner())))
    }

    /// The compressed bytes of a page held.
    pub fn read(&self, held: &Held) -> std::io::Result<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        let mut data = vec![0; held.len];
        self.file.read_exact_at(&mut data, held.at).map(|()| data)
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
        let [h1, h2, x1] = [b"h1", b"h2", b"x1"].map(|b| blake3::hash(b));
        let [a1, a2, b1] = [h1, h2, x1].map(|h| h.to_hex().to_string());
        let r = r
            .append("2026-01-01", files(&[("u/n/a.html", &a1), ("u/n/b.html", &b1)]), BTreeMap::new())
            .unwrap()
            .unwrap();
        let r = r
            .append("2026-02-01", files(&[("u/n/a.html", &a2), ("u/n/b.html", &b1)]), BTreeMap::new())
            .unwrap()
            .unwrap();
        // an entry's hash that is no BLAKE3 has no place in a history
        let r = r
            .append("2026-03-01", files(&[("u/n/b.html", &b1), ("u/n/c.html", "h1")]), BTreeMap::new())
            .unwrap()
            .unwrap();
        let h = histories(&r, |h| *h == h1).unwrap();
        assert_eq!(h.len(), 1, "b has no archived version: {h:?}");
        assert_eq!(
            h["u/n/a.html"],
            vec![
                Version { hash: h1, published: "2026-01-01".into(), replaced: Some("2026-02-01".into()) },
                Version { hash: h2, published: "2026-02-01".into(), replaced: Some("2026-03-01".into()) },
            ],
            "changed, then removed"
        );
    }

    #[test]
    fn a_version_is_published_beside_its_page_under_a_name_no_page_has() {
        let hash = blake3::Hash::from_hex(format!("1a2b3c4d{}", "0".repeat(56))).unwrap();
        let v = Version { hash, published: "2026-11-30".into(), replaced: None };
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
        // a version under a name that is no hash in lowercase hex is held all the same (keyed by
        // its name), listed, and found damaged
        let upper = hash.to_uppercase();
        std::fs::write(dir.path().join(file(&upper)), compress_gzip(page)).unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert!(store.contains(&upper) && store.contains(&hash));
        let mut both = vec![hash.clone(), upper.clone()];
        both.sort();
        assert_eq!(store.hashes().collect::<Vec<_>>(), both);
        assert_eq!(store.damaged().len(), 2, "{:?}", store.damaged());
        assert!(store.holds_alone(&upper) && !store.contains(&hash[1..]));
    }

    #[test]
    fn compressing_is_deterministic_and_a_base_makes_a_page_smaller() {
        let head = "<!doctype html><html lang=\"zh-CN\"><head><title>示例市清源供水有限公司</title></head><body><nav>首页 收费项目 办事服务 通知公告 公开指南 公开目录</nav>".repeat(8);
        let (base, page) = (format!("{head}<h1>停水通知</h1>"), format!("{head}<h1>服务网点变更</h1>"));
        let alone = compress(page.as_bytes(), None);
        assert_eq!(compress(page.as_bytes(), None), alone, "deterministic");
        assert_eq!(Codec::Lz4Block.decompress(&alone, None).unwrap(), page.as_bytes());
        let based = compress(page.as_bytes(), Some(base.as_bytes()));
        // the bytes lz4_flex's own functions give, so packs stay as earlier releases wrote them
        assert_eq!(alone, lz4_flex::block::compress_prepend_size(page.as_bytes()));
        assert_eq!(based, lz4_flex::block::compress_prepend_size_with_dict(page.as_bytes(), base.as_bytes()));
        assert_eq!(compress(b"", None), lz4_flex::block::compress_prepend_size(b""));
        assert_eq!(
            compress(b"", Some(base.as_bytes())),
            lz4_flex::block::compress_prepend_size_with_dict(b"", base.as_bytes())
        );
        for short in [&b""[..], b"ab", b"abc", b"abcd"] {
            assert_eq!(
                compress(page.as_bytes(), Some(short)),
                lz4_flex::block::compress_prepend_size_with_dict(page.as_bytes(), short)
            );
        }
        let mut onto = b"kept".to_vec();
        compress_onto(page.as_bytes(), Some(base.as_bytes()), &mut onto);
        assert_eq!(&onto[..4], b"kept");
        assert_eq!(&onto[4..], based, "appended after what the buffer held");
        assert_eq!(compress(page.as_bytes(), Some(base.as_bytes())), based, "deterministic");
        assert!(based.len() * 2 < alone.len(), "{} against {} bytes", based.len(), alone.len());
        assert_eq!(Codec::Lz4Block.decompress(&based, Some(base.as_bytes())).unwrap(), page.as_bytes());
        // without its base the page is not there (an error, or other bytes: the hash tells)
        assert!(Codec::Lz4Block.decompress(&based, None).is_err_and(|e| !e.to_string().is_empty()));
        // nothing is a page too
        assert_eq!(Codec::Lz4Block.decompress(&compress(b"", None), None).unwrap(), b"");
        // a length no block of this size can give is refused before any memory is asked for it
        let forged = [&u32::MAX.to_le_bytes()[..], &alone[4..]].concat();
        assert!(Codec::Lz4Block.decompress(&forged, None).is_err());
        assert!(Codec::Lz4Block.decompress(&[1, 0], None).is_err(), "shorter than a length");
        // the frames of format 2 are still read
        assert_eq!(Codec::Lz4.decompress(&compress_frame(page.as_bytes()), None).unwrap(), page.as_bytes());
    }

    #[test]
    fn a_version_and_its_base_are_read_together_and_a_broken_base_is_named() {
        let record = tempfile::tempdir().unwrap();
        let into = record.path().join(DIR);
        let head = "<header>示例市公共企事业单位信息公开平台</header>".repeat(20);
        let (first, second, third) =
            (format!("{head}<h1>一</h1>"), format!("{head}<h1>二</h1>"), format!("{head}<h1>三</h1>"));
        let [h1, h2, h3] = [&first, &second, &third].map(|p| hex(p.as_bytes()));
        let mut writer = PackWriter::new(&into, &Store::default());
        writer.add(&h1, &compress(first.as_bytes(), None), None).unwrap();
        writer.add(&h2, &compress(second.as_bytes(), Some(first.as_bytes())), Some(&h1)).unwrap();
        writer.finish().unwrap();
        let store = Store::open(record.path()).unwrap();
        assert_eq!(store.read(&h2).unwrap(), second.as_bytes());
        assert!(store.holds_alone(&h1) && !store.holds_alone(&h2) && !store.holds_alone(&h3));
        // a later pack's version against a base in an earlier pack
        let mut next = PackWriter::new(&into, &store);
        next.add(&h3, &compress(third.as_bytes(), Some(first.as_bytes())), Some(&h1)).unwrap();
        next.finish().unwrap();
        let store = Store::open(record.path()).unwrap();
        assert_eq!(store.read(&h3).unwrap(), third.as_bytes());
        assert!(store.damaged().is_empty());
        // a base that itself has a base: refused, in words
        let index = into.join("pack-000001.json");
        let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(&index).unwrap()).unwrap();
        json["bases"][&h1] = h2.clone().into();
        std::fs::write(&index, serde_json::to_vec(&json).unwrap()).unwrap();
        let store = Store::open(record.path()).unwrap();
        let why = store.read(&h3).unwrap_err();
        assert!(why.contains(&h3) && why.contains("自己却又有底本"), "{why}");
        // a base the archive lacks: the version is named, and the others are read
        json["bases"].as_object_mut().unwrap().remove(&h1);
        json["pages"].as_object_mut().unwrap().remove(&h1);
        std::fs::write(&index, serde_json::to_vec(&json).unwrap()).unwrap();
        let store = Store::open(record.path()).unwrap();
        let why = store.read(&h2).unwrap_err();
        assert!(why.contains(&h2) && why.contains(&h1), "{why}");
        assert_eq!(store.damaged().len(), 2, "the two versions against it");
        // a base in an index of a format without bases, or a version its own base: not an index
        json["bases"][&h2] = h2.clone().into();
        std::fs::write(&index, serde_json::to_vec(&json).unwrap()).unwrap();
        assert!(Store::open(record.path()).unwrap_err().to_string().contains("底本"));
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
            writer.add(&hex(page.as_bytes()), &compress(page.as_bytes(), None), None).unwrap();
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
        next.add(&hex(late.as_bytes()), &compress(late.as_bytes(), None), None).unwrap();
        next.finish().unwrap();
        let again = Store::open(record.path()).unwrap();
        assert_eq!(again.hashes().count(), pages.len() + 1);
        assert_eq!(again.files().len(), store.files().len() + 2);
        // one byte of a pack changed: that version is refused, by its hash or as bad LZ4
        let first = into.join("pack-000001.lz4b");
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

    /// A pack of an earlier format as the builds before format 3 wrote it: each version one
    /// gzip member (format 1) or one LZ4 frame (format 2).
    fn write_old_pack(into: &Path, n: usize, codec: Codec, pages: &[&str]) {
        type Compress = fn(&[u8]) -> Vec<u8>;
        let (schema, compress): (&str, Compress) = match codec {
            Codec::Gzip => (PACK_SCHEMA_GZIP, compress_gzip),
            _ => (PACK_SCHEMA_LZ4_FRAME, compress_frame),
        };
        let mut pack = Vec::new();
        let mut index = BTreeMap::new();
        for page in pages {
            let z = compress(page.as_bytes());
            index.insert(hex(page.as_bytes()), (pack.len() as u64, z.len() as u64));
            pack.extend(z);
        }
        let (name, json) = pack_names(n, codec);
        std::fs::write(into.join(&name), pack).unwrap();
        let index = PackIndex { schema: schema.into(), pack: name, pages: index, bases: BTreeMap::new() };
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
        write_old_pack(&into, 1, Codec::Gzip, &old);
        let frames = ["<h1>通知三</h1>", "<h1>通知四</h1>"];
        write_old_pack(&into, 2, Codec::Lz4, &frames);
        let store = Store::open(record.path()).unwrap();
        assert_eq!(store.counts(), (1, 1, 0, 1));
        let mut writer = PackWriter::new(&into, &store);
        let new = "<h1>新格式的版本</h1>";
        writer.add(&hex(new.as_bytes()), &compress(new.as_bytes(), None), None).unwrap();
        writer.finish().unwrap();
        assert!(into.join("pack-000003.lz4b").is_file() && into.join("pack-000003.json").is_file());
        let index: serde_json::Value =
            serde_json::from_slice(&std::fs::read(into.join("pack-000003.json")).unwrap()).unwrap();
        assert_eq!(index["schema"], PACK_SCHEMA);
        assert_eq!(index["pack"], "pack-000003.lz4b");
        assert!(index.get("bases").is_none(), "no base, no field: {index}");
        let all = Store::open(record.path()).unwrap();
        assert_eq!(all.files().len(), 7, "{:?}", all.files());
        assert_eq!(all.counts(), (1, 1, 1, 1));
        for page in old.iter().chain(&frames).chain([&loose, &new]) {
            assert_eq!(all.read(&hex(page.as_bytes())).unwrap(), page.as_bytes(), "{page}");
        }
        assert!(all.location(&hex(new.as_bytes())).contains("pack-000003.lz4b"));
        // a damaged LZ4 pack names itself and the version
        let pack = into.join("pack-000003.lz4b");
        let mut bytes = std::fs::read(&pack).unwrap();
        let last = bytes.len() - 6;
        bytes[last] ^= 0x20;
        std::fs::write(&pack, bytes).unwrap();
        let why = all.read(&hex(new.as_bytes())).unwrap_err();
        assert!(why.contains("pack-000003.lz4b") && why.contains(&hex(new.as_bytes())), "{why}");
        assert_eq!(all.read(&hex(old[0].as_bytes())).unwrap(), old[0].as_bytes(), "the others are intact");
        // an index whose format and pack do not go together is refused, in words
        let wrong = PackIndex {
            schema: PACK_SCHEMA.into(),
            pack: "pack-000004.gz".into(),
            pages: BTreeMap::new(),
            bases: BTreeMap::new(),
        };
        std::fs::write(into.join("pack-000004.json"), serde_json::to_vec(&wrong).unwrap()).unwrap();
        let refused = Store::open(record.path()).unwrap_err().to_string();
        assert!(refused.contains("pack-000004.json") && refused.contains("pack-000004.lz4b"), "{refused}");
        // and so is a format this version does not know
        let future = PackIndex {
            schema: "gongkai-archive/9".into(),
            pack: "pack-000004.zst".into(),
            pages: BTreeMap::new(),
            bases: BTreeMap::new(),
        };
        std::fs::write(into.join("pack-000004.json"), serde_json::to_vec(&future).unwrap()).unwrap();
        assert!(Store::open(record.path()).unwrap_err().to_string().contains("gongkai-archive/9"));
    }

    #[test]
    fn a_version_held_twice_is_where_it_was_read_last() {
        let record = tempfile::tempdir().unwrap();
        let into = record.path().join(DIR);
        std::fs::create_dir_all(&into).unwrap();
        let (twice, thrice, once) = ("<h1>两个包里都有</h1>", "<h1>散放也有</h1>", "<h1>只有一份</h1>");
        std::fs::write(record.path().join(file(&hex(thrice.as_bytes()))), compress_gzip(thrice.as_bytes())).unwrap();
        write_old_pack(&into, 1, Codec::Gzip, &[twice, thrice, once]);
        write_old_pack(&into, 2, Codec::Lz4, &[thrice, twice]);
        let store = Store::open(record.path()).unwrap();
        // names in order: the loose file, then pack 1, then pack 2
        assert!(store.location(&hex(twice.as_bytes())).contains("pack-000002.lz4"));
        assert!(store.location(&hex(thrice.as_bytes())).contains("pack-000002.lz4"));
        assert!(store.location(&hex(once.as_bytes())).contains("pack-000001.gz"));
        let mut all: Vec<String> = [twice, thrice, once].iter().map(|p| hex(p.as_bytes())).collect();
        all.sort();
        assert_eq!(store.hashes().collect::<Vec<_>>(), all, "each version once, in hash order");
        for page in [twice, thrice, once] {
            assert!(store.holds(&blake3::hash(page.as_bytes())));
            assert_eq!(store.read(&hex(page.as_bytes())).unwrap(), page.as_bytes());
        }
        assert!(!store.holds(&blake3::hash("<h1>没有存档</h1>".as_bytes())));
    }

    #[test]
    fn a_spooled_page_is_kept_once_and_given_back_as_compress_gives_it() {
        let dir = tempfile::tempdir().unwrap();
        let Some(spool) = Spool::new(dir.path()) else { panic!("a spool can be made in a writable folder") };
        let (a, b) = ("<p>一</p>".repeat(500), "<p>二</p>".to_string());
        let (ha, hb) = (blake3::hash(a.as_bytes()), blake3::hash(b.as_bytes()));
        spool.offer(&ha, a.as_bytes(), None).unwrap();
        spool.offer(&hb, b.as_bytes(), Some((&ha, a.as_bytes()))).unwrap();
        spool.offer(&ha, a.as_bytes(), None).unwrap();
        // a page offered as its own base is kept alone
        let c = "<p>三</p>";
        let hc = blake3::hash(c.as_bytes());
        spool.offer(&hc, c.as_bytes(), Some((&hc, c.as_bytes()))).unwrap();
        assert_eq!(spool.len(), 3);
        let held = spool.take_held().unwrap();
        assert!(spool.is_empty() && held.len() == 3, "taken out of the spool");
        let [a_, b_, c_] = [ha, hb, hc].map(|h| held[&h].unwrap());
        assert_eq!(spool.read(&a_).unwrap(), compress(a.as_bytes(), None));
        assert_eq!(spool.read(&b_).unwrap(), compress(b.as_bytes(), Some(a.as_bytes())));
        assert_eq!(spool.read(&c_).unwrap(), compress(c.as_bytes(), None));
        assert_eq!((a_.base, b_.base, c_.base), (None, Some(ha), None));
        assert!(!held.contains_key(&blake3::hash(b"never offered")));
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "the spool has no name in the folder");
    }

    #[test]
    fn pages_written_a_mebibyte_at_a_time_come_back_whole_across_the_writes() {
        let dir = tempfile::tempdir().unwrap();
        let Some(spool) = Spool::new(dir.path()) else { panic!("a spool can be made in a writable folder") };
        // 600 pages of 4 KiB that do not compress: more than two writes' worth, and some left
        let pages: Vec<Vec<u8>> = (0u32..600)
            .map(|i| {
                let mut page = vec![0; 4096];
                blake3::Hasher::new().update(&i.to_le_bytes()).finalize_xof().fill(&mut page);
                page
            })
            .collect();
        for page in &pages {
            spool.offer(&blake3::hash(page), page, None).unwrap();
        }
        let held = spool.take_held().unwrap();
        assert_eq!(held.len(), 600);
        for page in &pages {
            let kept = held[&blake3::hash(page)].unwrap();
            assert_eq!(spool.read(&kept).unwrap(), compress(page, None));
        }
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
