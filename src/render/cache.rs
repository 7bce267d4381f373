//! The build cache (`.gongkai-cache/`): what each unit's pages were built from, and what
//! building them left behind, so that the next `build` renders only the units whose inputs
//! changed and takes the pages of the others from its previous output.
//!
//! Each unit has two keys ([`Cache::keys`]). The key of its inputs: BLAKE3 over the site's key
//! (the cache format, the sources gongkai was built from, the site's folder, `gongkai.yaml` as
//! loaded, the content model and rule packs, the calendar, the theme's files, the 统一社会信用代码
//! shared by several units), the unit's folder (every file's path and bytes), its folder's own
//! findings, the dates the record says its documents were published, the `--today` date, and its
//! slice of the publication record (its documents' 索引号, its pages' archived versions). When it
//! matches, the unit is neither loaded nor checked: its check result and pages are the cache's.
//! Otherwise the unit is loaded and checked, and the key of what its pages are rendered from (the
//! same, with its check result in place of the date) may still match: only its pages are taken.
//! A unit that assigns new 索引号 is never taken from the cache: they depend on every other
//! number. Whatever a key does not cover makes the unit uncacheable.
//!
//! The file, `units.bin`: a header line `<BLAKE3 of the rest> <text>` (the format, the gongkai
//! version, the site's key, the identity of the folder the build published and its path,
//! tab-separated); one record per unit in unit order (its length as 4 bytes, the BLAKE3 of its
//! bytes, its fields, see `codec`); the index, a record of the same shape (each unit's slug, keys,
//! folder, and where its record is; the search index's files, see [`SearchFiles`]); and the
//! index's place (8 bytes) and `gkc-end\n`. Only the
//! header and the index are read when the build starts; a unit's record is read, and its hash
//! checked, when the unit's keys match. A header or index whose hash is wrong, a file cut short,
//! another format or another site's key: the whole cache is set aside with a notice, never
//! trusted; a unit's record whose hash is wrong is not trusted either: that unit is rendered, with
//! a notice. (Formats 1 and 2 were lines of base64 in `units-v1.jsonl`: such a file is another
//! version's cache, and is removed when the next one is written.) It is written beside, and
//! renamed into place only once the output it describes is published (never over a file of that name that is not a cache: `--cache` may name a user's
//! folder); the output's identity is taken through the link of a versioned output (the version
//! it names). A cache that does not describe the output in place (a build killed in between, a
//! CI cache restored into a new checkout) has each page it takes read again and its hash
//! compared.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

mod codec;

use super::pages::UnitPages;
use super::search::Entry;
use crate::model::{Site, UnitDir};
use crate::output::Kept;

/// The cache's format; a cache of another format is not read.
pub(crate) const FORMAT: &str = "gongkai-cache/4";
/// The cache folder beside the site's `content/` when none is given.
pub(crate) const DEFAULT_DIR: &str = ".gongkai-cache";
const FILE: &str = "units.bin";
/// The file of formats 1 and 2.
const OLD_FILE: &str = "units-v1.jsonl";
/// The last bytes of a whole cache file, after the index's place.
const END: &[u8; 8] = b"gkc-end\n";
/// A record's length and hash, before its bytes.
const FRAME: usize = 4 + 32;

/// The header line: `format TAB gongkai version TAB site key TAB device TAB inode TAB output`.
struct Header {
    format: String,
    gongkai: String,
    site: String,
    published: [i64; 2],
    output: String,
}

impl Header {
    fn text(&self) -> String {
        let [dev, ino] = self.published;
        format!("{}\t{}\t{}\t{dev}\t{ino}\t{}", self.format, self.gongkai, self.site, self.output)
    }

    fn parse(text: &[u8]) -> Option<Header> {
        let text = std::str::from_utf8(text).ok()?;
        let mut parts = text.splitn(6, '\t');
        let mut next = || parts.next().map(str::to_string);
        let (format, gongkai, site) = (next()?, next()?, next()?);
        let published = [next()?.parse().ok()?, next()?.parse().ok()?];
        Some(Header { format, gongkai, site, published, output: next()? })
    }
}

/// One unit's record (encoded by `codec`).
pub(super) struct Line {
    pub(super) slug: String,
    /// The key of its inputs.
    pub(super) inputs: String,
    /// The key of what its pages were rendered from.
    pub(super) key: String,
    /// Its folder's identity and content (see [`Cache::folder`]): `identity:content` in hex,
    /// empty when its files are not to be judged by their identity next time.
    pub(super) folder: String,
    /// Its check result, before the findings of its pages' links.
    pub(super) check: Check,
    pub(super) pages: UnitPages,
    pub(super) search: Searched,
    pub(super) files: Vec<Kept>,
}

/// A unit's pages as the search index sees them: as a unit just rendered made them, or as the
/// cache keeps them, encoded (see `codec`) and decoded only when the index is built. A build that
/// takes the index as it was reads a unit's record without making a string of each page's title,
/// labels and excerpt (a tenth of a million small allocations at 10,000 units); a unit rendered
/// afresh hands its entries to the index as they are.
pub(crate) enum Searched {
    Entries(Vec<Entry>),
    /// The bytes of a `Vec<Entry>`, checked as they were read.
    Encoded(Vec<u8>),
}

impl Default for Searched {
    fn default() -> Searched {
        Searched::Entries(Vec::new())
    }
}

impl Searched {
    /// The entries (none if they do not decode, which `codec` checked when they were read).
    pub(crate) fn entries(&self) -> std::borrow::Cow<'_, [Entry]> {
        match self {
            Searched::Entries(entries) => std::borrow::Cow::Borrowed(entries),
            Searched::Encoded(bytes) => std::borrow::Cow::Owned(codec::decode(bytes).unwrap_or_default()),
        }
    }
}

/// A unit's keys: see [`Cache::keys`].
pub(super) struct Keys {
    pub(super) inputs: String,
    /// What the next cache keeps of the unit's folder ([`Line::folder`]).
    pub(super) folder: String,
    /// What the pages are rendered from but the check result (hashed again with it).
    rendered: blake3::Hash,
}

impl Keys {
    /// The key of what the pages are rendered from, with the unit's check result.
    pub(super) fn rendered(&self, check: &crate::check::UnitCheck) -> String {
        let mut h = blake3::Hasher::new();
        h.update(self.rendered.as_bytes());
        hash_check(&mut h, check);
        h.finalize().to_hex().to_string()
    }
}

/// The index record: where each unit's record is, and the search index's files.
pub(super) struct Index {
    pub(super) units: Vec<IndexLine>,
    pub(super) search: Option<SearchFiles>,
}

/// The files of the search index a build wrote (`search/…`), and the key of what they were
/// built from: each unit's slug and rendered key, in unit order (see [`search_key`]). Kept only
/// when every unit of that build had a record.
pub(super) struct SearchFiles {
    pub(super) key: String,
    pub(super) files: Vec<Kept>,
}

/// A unit's record as written (its length, hash and bytes), with what the index keeps of it
/// (its place and length are set when it is written).
pub(super) struct Raw {
    index: IndexLine,
    bytes: Vec<u8>,
}

/// The previous build's cache, as found, and the next one being written.
pub(crate) struct Cache {
    dir: PathBuf,
    site: String,
    output: PathBuf,
    old: Option<Old>,
    new: Mutex<Option<New>>,
    /// See [`settled_before`].
    settled_before: i128,
    /// Why the cache found was not used (in Chinese), for the build's summary.
    notice: Option<String>,
    /// Units whose records were damaged (their pages were rendered).
    damaged: Mutex<std::collections::BTreeSet<String>>,
}

struct Old {
    file: Mutex<fs::File>,
    /// The output is not the folder the cache describes (restored by a CI cache, copied): each
    /// file taken from it is read and its hash compared.
    read_again: bool,
    /// slug → its keys, and where its record is (checked to lie within the file's records)
    lines: HashMap<String, IndexLine>,
    /// The search index's files of the output the cache describes.
    search: Option<SearchFiles>,
}

struct New {
    tmp: PathBuf,
    out: std::io::BufWriter<fs::File>,
    /// Where the next record starts.
    at: u64,
    /// What the index keeps of each unit's record.
    index: Vec<IndexLine>,
    /// A unit was left out (it had no record): the search index's files are not kept.
    incomplete: bool,
    /// The search index's files written (or taken) by this build.
    search: Option<Vec<Kept>>,
}

/// A unit in the index: its slug, keys and folder (see [`Line`]), where its record starts and
/// its length.
#[derive(Clone)]
pub(super) struct IndexLine {
    pub(super) slug: String,
    pub(super) inputs: String,
    pub(super) key: String,
    pub(super) folder: String,
    pub(super) at: u64,
    pub(super) len: u64,
}

impl Cache {
    /// Open the cache in `dir` for a build of `site` into `output` (its staging folder is
    /// `staged`), and start the next one. Problems with the cache found are a notice, never an
    /// error: the build then renders every unit.
    pub(crate) fn open(dir: &Path, site: &Site, output: &Path, staged: &Path) -> Cache {
        let key = site_key(site).to_hex().to_string();
        let mut cache = Cache {
            dir: dir.to_path_buf(),
            site: key,
            output: output.to_path_buf(),
            old: None,
            new: Mutex::new(None),
            settled_before: settled_before(),
            notice: None,
            damaged: Default::default(),
        };
        match cache.read_old() {
            Ok(old) => cache.old = old,
            Err(why) => {
                cache.notice = Some(format!(
                    "构建缓存 {} 不能用（{why}），已忽略：这次生成所有单位的网页，结果与没有缓存时相同，并重新写入缓存。",
                    dir.display()
                ))
            }
        }
        let published = fs::symlink_metadata(staged).ok().as_ref().and_then(crate::output::file_id);
        *cache.new.lock().unwrap_or_else(|e| e.into_inner()) = published.and_then(|id| cache.start(id).ok());
        cache
    }

    /// `Ok(None)`: there is no cache, or it describes another output or another site (both
    /// expected, no notice). `Err`: it is damaged or of another version.
    fn read_old(&self) -> Result<Option<Old>, String> {
        let path = self.dir.join(FILE);
        let mut file = match fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let other = fs::read_dir(&self.dir)
                    .is_ok_and(|d| d.flatten().any(|e| !e.file_name().to_string_lossy().starts_with('.')));
                return if other {
                    Err(format!("里面没有 {FILE}，可能是别的版本的缓存"))
                } else {
                    Ok(None)
                };
            }
            Err(e) => return Err(format!("无法读取 {FILE}：{}", crate::error::io_reason(&e))),
        };
        let unreadable = |e: std::io::Error| format!("无法读取 {FILE}：{}", crate::error::io_reason(&e));
        let damaged = || format!("{FILE} 已损坏或不完整");
        let size = file.metadata().map_err(unreadable)?.len();
        // the header line (a few hundred bytes)
        let mut buf = Vec::new();
        std::io::BufReader::new((&mut file).take(64 * 1024)).read_until(b'\n', &mut buf).map_err(unreadable)?;
        let header = Header::parse(verified(&buf).ok_or_else(damaged)?).ok_or_else(damaged)?;
        if header.format != FORMAT {
            return Err(format!("它的格式是「{}」，这个版本的 gongkai 用「{FORMAT}」", header.format));
        }
        let records = buf.len() as u64;
        // the end: the index's place, then the mark
        let mut tail = [0u8; 16];
        let at_end = size.checked_sub(16).filter(|end| *end >= records).ok_or_else(damaged)?;
        read_at(&mut file, at_end, &mut tail).map_err(|_| damaged())?;
        let (place, mark) = tail.split_at(8);
        if mark != END {
            return Err(damaged());
        }
        let place = u64::from_le_bytes(place.try_into().map_err(|_| damaged())?);
        let len = at_end.checked_sub(place).filter(|_| place >= records).ok_or_else(damaged)?;
        let mut index = vec![0u8; usize::try_from(len).map_err(|_| damaged())?];
        read_at(&mut file, place, &mut index).map_err(|_| damaged())?;
        let index: Index = codec::decode(unframed(&index).ok_or_else(damaged)?).ok_or_else(damaged)?;
        let mut lines = HashMap::with_capacity(index.units.len());
        for line in index.units {
            if line.at < records || line.at.checked_add(line.len).is_none_or(|end| end > place) {
                return Err(damaged());
            }
            lines.insert(line.slug.clone(), line);
        }
        // a cache of another build of gongkai or of other inputs is simply not used
        if header.gongkai != env!("CARGO_PKG_VERSION") || header.site != self.site {
            return Ok(None);
        }
        // followed: a versioned output (`build --versioned`) is a link to the version it publishes
        let here = fs::metadata(&self.output).ok().as_ref().and_then(crate::output::file_id);
        let describes_output =
            header.output == self.output.to_string_lossy() && here.is_some_and(|id| id[..2] == header.published[..]);
        Ok(Some(Old { file: Mutex::new(file), lines, read_again: !describes_output, search: index.search }))
    }

    fn start(&self, published: [i64; 5]) -> std::io::Result<New> {
        fs::create_dir_all(&self.dir)?;
        // what a build that was ended abruptly left
        for entry in fs::read_dir(&self.dir)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(&format!(".{FILE}.")) && name.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            }
        }
        let tmp = self.dir.join(format!(".{FILE}.{}.tmp", std::process::id()));
        let out = std::io::BufWriter::new(fs::File::create(&tmp)?);
        let mut new = New { out, tmp, at: 0, index: Vec::new(), incomplete: false, search: None };
        let header = Header {
            format: FORMAT.into(),
            gongkai: env!("CARGO_PKG_VERSION").into(),
            site: self.site.clone(),
            output: self.output.to_string_lossy().into_owned(),
            published: [published[0], published[1]],
        };
        let mut line = Vec::new();
        write_line(&mut line, header.text().as_bytes())?;
        new.out.write_all(&line)?;
        new.at = line.len() as u64;
        Ok(new)
    }

    /// The keys of a unit (see the module's documentation): of its inputs (its folder, the
    /// record's slice, the date: its check and pages are taken as they are), and of what its
    /// pages are rendered from once it is checked (the check result in place of the date).
    /// `folder` is what [`Cache::folder`] said of the unit's folder; `None`: the unit cannot be
    /// cached (a link among its files, a file that cannot be read).
    pub(super) fn keys(
        &self,
        r: &super::site::Renderer<'_>,
        dir: &UnitDir,
        folder: Option<(blake3::Hash, String)>,
    ) -> Option<Keys> {
        let (content, folder) = folder?;
        let mut h = blake3::Hasher::new();
        h.update(self.site.as_bytes());
        field(&mut h, dir.slug.as_bytes());
        field(&mut h, content.as_bytes());
        let prefix = format!("content/{}/", dir.slug);
        for (path, p) in r.site.published.range(prefix.clone()..).take_while(|(p, _)| p.starts_with(&prefix)) {
            field(&mut h, path.as_bytes());
            field(&mut h, p.number.as_bytes());
        }
        let mut dated = false;
        for (path, versions) in r.archive.of_unit(&dir.slug) {
            dated = true;
            field(&mut h, path.as_bytes());
            for v in versions {
                let (held, hash) = (r.archive.store.holds(&v.hash), v.hash.to_hex());
                for text in
                    [hash.as_str(), &v.published, v.replaced.as_deref().unwrap_or("-"), if held { "held" } else { "" }]
                {
                    field(&mut h, text.as_bytes());
                }
            }
        }
        if dated {
            field(&mut h, r.site.env.today.to_string().as_bytes());
        }
        let rendered = h.finalize();
        // what loading and checking add: the folder's own findings, the documents the record
        // says were published (and when), the date deadlines are judged on
        hash_findings(&mut h, &dir.findings);
        for (path, p) in r.site.published.range(prefix.clone()..).take_while(|(p, _)| p.starts_with(&prefix)) {
            for text in [path.as_str(), &p.number, &p.date] {
                field(&mut h, text.as_bytes());
            }
        }
        field(&mut h, r.site.env.today.to_string().as_bytes());
        Some(Keys { inputs: h.finalize().to_hex().to_string(), folder, rendered })
    }

    /// The BLAKE3 of a unit folder's paths and bytes, and what the next cache keeps of it. The
    /// folder is listed first, each file's identity taken from its status (device, inode, size,
    /// mode, times of modification and of status change), as `git status` does: when the
    /// identity of every entry is the one the previous cache kept, so is the content, and no file
    /// is read. Otherwise every file is read. An identity is kept for next time only when its
    /// files' last changes are older than [`SETTLED`] before this build began: a file changed
    /// again within the same tick of the file system's clock would otherwise look unchanged.
    pub(super) fn folder(&self, slug: &str, dir: &Path) -> Option<(blake3::Hash, String)> {
        let listing = list_folder(dir)?;
        let identity = listing.identity.map(|i| i.to_hex());
        if let (Some(identity), Some(old)) = (&identity, self.old.as_ref().and_then(|o| o.lines.get(slug)))
            && let Some((was, content)) = old.folder.split_once(':')
            && was == identity.as_str()
            && let Ok(content) = blake3::Hash::from_hex(content)
        {
            return Some((content, old.folder.clone()));
        }
        let content = hash_listed(&listing)?;
        let kept = match identity {
            Some(identity) if listing.newest < self.settled_before => format!("{identity}:{}", content.to_hex()),
            _ => String::new(),
        };
        Some((content, kept))
    }

    /// The previous build's record of this unit when it was built from the same inputs;
    /// decoded, and as written.
    pub(super) fn get(&self, slug: &str, keys: &Keys) -> Option<(Line, Raw)> {
        let line = self.old.as_ref()?.lines.get(slug)?;
        (line.inputs == keys.inputs).then(|| self.read_line(slug, line))?
    }

    /// The previous build's record of this unit when its pages were rendered from `key`.
    pub(super) fn get_rendered(&self, slug: &str, key: &str) -> Option<(Line, Raw)> {
        let line = self.old.as_ref()?.lines.get(slug)?;
        (line.key == key).then(|| self.read_line(slug, line))?
    }

    /// A unit's record, read and its hash checked; one that is damaged is counted, never used.
    fn read_line(&self, slug: &str, line: &IndexLine) -> Option<(Line, Raw)> {
        let old = self.old.as_ref()?;
        let mut bytes = vec![0; usize::try_from(line.len).ok()?];
        let read = read_at(&mut old.file.lock().unwrap_or_else(|e| e.into_inner()), line.at, &mut bytes).is_ok();
        let decoded = read.then(|| unframed(&bytes).and_then(codec::decode::<Line>)).flatten();
        let Some(decoded) = decoded.filter(|l| l.slug == slug) else {
            self.damaged.lock().unwrap_or_else(|e| e.into_inner()).insert(slug.to_string());
            return None;
        };
        Some((decoded, Raw { index: line.clone(), bytes }))
    }

    /// What the build's summary says of the cache found: why it was not used, or how many of
    /// its units' records were damaged (those units were rendered).
    pub(crate) fn notices(&self) -> Vec<String> {
        let damaged = self.damaged.lock().unwrap_or_else(|e| e.into_inner()).len();
        let records = (damaged > 0).then(|| {
            format!(
                "构建缓存 {} 中有 {damaged} 个单位的记录已损坏，不能用，已忽略：这些单位重新生成，结果与没有缓存时相同，并重新写入缓存。",
                self.dir.display()
            )
        });
        self.notice.iter().cloned().chain(records).collect()
    }

    /// Whether files taken from the previous output must be read again (see `Old::read_again`).
    pub(super) fn read_again(&self) -> bool {
        self.old.as_ref().is_some_and(|o| o.read_again)
    }

    /// The search index's files of the previous output, when they were built from what this
    /// build's would be: every unit (in `units`' order) has the keys of its inputs it had then
    /// (`keys`, beside `units`), so its pages are rendered from what they were, and the units
    /// are the same, in the same order.
    pub(super) fn search_files(&self, units: &[UnitDir], keys: &[Option<Keys>]) -> Option<&[Kept]> {
        let old = self.old.as_ref()?;
        let search = old.search.as_ref()?;
        let mut same = Vec::with_capacity(units.len());
        for (dir, keys) in units.iter().zip(keys) {
            let line = old.lines.get(&dir.slug)?;
            if keys.as_ref()?.inputs != line.inputs {
                return None;
            }
            same.push((dir.slug.as_str(), line.key.as_str()));
        }
        let whole = keys.len() == units.len() && !search.files.is_empty();
        (whole && search_key(same.into_iter()) == search.key).then_some(&search.files[..])
    }

    /// Keep the search index's files this build wrote or took, for the next build.
    pub(super) fn keep_search(&self, files: Vec<Kept>) {
        if let Some(new) = self.new.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            new.search = Some(files);
        }
    }

    /// A unit's record for the next cache.
    pub(super) fn line(line: &Line) -> Option<Raw> {
        let bytes = framed(&codec::encode(line))?;
        let (slug, inputs, key, folder) =
            (line.slug.clone(), line.inputs.clone(), line.key.clone(), line.folder.clone());
        Some(Raw { index: IndexLine { slug, inputs, key, folder, at: 0, len: 0 }, bytes })
    }

    /// Add a unit's record (in unit order); `None` leaves the unit out of the next cache.
    pub(super) fn push(&self, raw: Option<Raw>) {
        let mut new = self.new.lock().unwrap_or_else(|e| e.into_inner());
        let Some(raw) = raw else {
            if let Some(n) = new.as_mut() {
                n.incomplete = true;
            }
            return;
        };
        let failed = new.as_mut().is_some_and(|n| {
            let len = raw.bytes.len() as u64;
            n.index.push(IndexLine { at: n.at, len, ..raw.index });
            n.at += len;
            n.out.write_all(&raw.bytes).is_err()
        });
        if failed {
            // dropping it removes its file
            drop(new.take());
        }
    }

    /// Put the next cache in place, once the output it describes is published. A cache that
    /// cannot be written is a notice: the next build renders everything.
    pub(crate) fn commit(self) -> Option<String> {
        let new = self.new.into_inner().unwrap_or_else(|e| e.into_inner())?;
        let target = self.dir.join(FILE);
        if !ours(&target) {
            // `--cache DIR` may name a folder of the user's: a file of that name there is theirs
            return Some(format!(
                "{} 不是 gongkai 的构建缓存，没有覆盖它，也没有写入新的缓存；请用 --cache 指定另一个文件夹，或先移走这个文件。",
                target.display()
            ));
        }
        let mut new = new;
        let units = std::mem::take(&mut new.index);
        let search = new.search.take().filter(|_| !new.incomplete).map(|files| SearchFiles {
            key: search_key(units.iter().map(|l| (l.slug.as_str(), l.key.as_str()))),
            files,
        });
        let index = framed(&codec::encode(&Index { units, search })).ok_or_else(|| std::io::Error::other("过大"));
        let place = new.at.to_le_bytes();
        let done = index
            .and_then(|index| new.out.write_all(&index))
            .and_then(|()| new.out.write_all(&place))
            .and_then(|()| new.out.write_all(END))
            .and_then(|()| new.out.flush())
            .and_then(|()| fs::rename(&new.tmp, self.dir.join(FILE)));
        if done.is_ok() && ours(&self.dir.join(OLD_FILE)) {
            // the cache of formats 1 and 2, gongkai's own (its header says so)
            let _ = fs::remove_file(self.dir.join(OLD_FILE));
        }
        // the file renamed, or not written: dropping `new` removes what is left at its name
        drop(new);
        done.err().map(|e| {
            format!(
                "无法写入构建缓存 {}：{}；下次生成所有单位的网页。",
                self.dir.display(),
                crate::error::io_reason(&e)
            )
        })
    }
}

impl Drop for New {
    fn drop(&mut self) {
        // not committed (a failed build): the next build starts from the cache in place
        let _ = fs::remove_file(&self.tmp);
    }
}

/// May the next cache be renamed over the file at `path`? Yes when there is none, it is empty,
/// or its first line is a cache's header (its hash, then a `gongkai-cache/` format), even if the
/// rest is damaged.
fn ours(path: &Path) -> bool {
    let mut head = [0u8; 64 + 1 + 14];
    let Ok(mut file) = fs::File::open(path) else { return true };
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(_) => return false,
        }
    }
    read == 0
        || (read == head.len()
            && head[..64].iter().all(u8::is_ascii_hexdigit)
            && head[64] == b' '
            && head[65..].starts_with(b"gongkai-cache/"))
}

fn write_line(out: &mut impl Write, json: &[u8]) -> std::io::Result<()> {
    out.write_all(blake3::hash(json).to_hex().as_bytes())?;
    out.write_all(b" ")?;
    out.write_all(json)?;
    out.write_all(b"\n")
}

/// A record: its length (4 bytes), the BLAKE3 of its bytes, its bytes. `None` past 4 GiB.
fn framed(bytes: &[u8]) -> Option<Vec<u8>> {
    let len = u32::try_from(bytes.len()).ok()?;
    let mut out = Vec::with_capacity(FRAME + bytes.len());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(blake3::hash(bytes).as_bytes());
    out.extend_from_slice(bytes);
    Some(out)
}

/// The bytes of a whole record whose hash is right.
fn unframed(record: &[u8]) -> Option<&[u8]> {
    let (len, rest) = record.split_first_chunk::<4>()?;
    let (hash, bytes) = rest.split_first_chunk::<32>()?;
    (u32::from_le_bytes(*len) as usize == bytes.len() && blake3::hash(bytes) == blake3::Hash::from_bytes(*hash))
        .then_some(bytes)
}

/// Fill `buf` from `file` at `at`.
fn read_at(file: &mut fs::File, at: u64, buf: &mut [u8]) -> std::io::Result<()> {
    file.seek(std::io::SeekFrom::Start(at))?;
    file.read_exact(buf)
}

/// The text of the header line, when its hash is right.
fn verified(line: &[u8]) -> Option<&[u8]> {
    let line = line.strip_suffix(b"\n")?;
    let (hex, json) = (line.get(..64)?, line.get(65..)?);
    (line.get(64) == Some(&b' ') && blake3::hash(json).to_hex().as_bytes() == hex).then_some(json)
}

/// The key of a search index: each unit's slug and rendered key, in unit order.
fn search_key<'a>(units: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut h = blake3::Hasher::new();
    for (slug, key) in units {
        field(&mut h, slug.as_bytes());
        field(&mut h, key.as_bytes());
    }
    h.finalize().to_hex().to_string()
}

/// A length-prefixed field, so that no two different inputs hash the same bytes.
fn field(h: &mut blake3::Hasher, bytes: &[u8]) {
    h.update(&(bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// How long before a build began its inputs' last changes must be for their identities to be
/// trusted by the next build (see [`Cache::folder`]), in nanoseconds: two seconds, the coarsest
/// clock of a common file system (FAT's).
const SETTLED: i128 = 2_000_000_000;

/// A unit folder as listed: every file and folder under it in name order (is it a folder, its
/// path in the unit, its path), the BLAKE3 of their identities (`None` where a file's cannot be
/// had), and the latest time a file was changed, in nanoseconds.
struct Listing {
    entries: Vec<(Kind, String, PathBuf)>,
    identity: Option<blake3::Hash>,
    newest: i128,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Folder,
    File,
    /// Neither (a pipe, a device): named, never read.
    Other,
}

/// `None` at a symbolic link (what it leads to may change unseen) or anything that cannot be
/// listed.
fn list_folder(dir: &Path) -> Option<Listing> {
    let mut id = blake3::Hasher::new();
    let (mut known, mut newest) = (true, i128::MIN);
    let mut entries = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name().follow_links(false) {
        let entry = entry.ok()?;
        let kind = entry.file_type();
        if kind.is_symlink() {
            return None;
        }
        let kind = if kind.is_dir() {
            Kind::Folder
        } else if kind.is_file() {
            Kind::File
        } else {
            Kind::Other
        };
        let rel = entry.path().strip_prefix(dir).ok()?.to_string_lossy().into_owned();
        field(&mut id, if kind == Kind::Folder { b"d" } else { b"f" });
        field(&mut id, rel.as_bytes());
        if kind != Kind::Folder {
            // the status of the entry itself (the walk follows no link)
            match entry.metadata().ok().as_ref().and_then(identity) {
                Some((stamp, changed)) => {
                    id.update(&stamp);
                    newest = newest.max(changed);
                }
                None => known = false,
            }
        }
        entries.push((kind, rel, entry.into_path()));
    }
    Some(Listing { entries, identity: known.then(|| id.finalize()), newest })
}

/// Every file and folder listed, by path and bytes. `None` at a file that cannot be read.
fn hash_listed(listing: &Listing) -> Option<blake3::Hash> {
    let mut h = blake3::Hasher::new();
    for (kind, rel, path) in &listing.entries {
        field(&mut h, if *kind == Kind::Folder { b"d" } else { b"f" });
        field(&mut h, rel.as_bytes());
        if *kind == Kind::File {
            field(&mut h, &fs::read(path).ok()?);
        }
    }
    Some(h.finalize())
}

/// A file's identity as its status gives it, and the later of its times of modification and
/// of status change (nanoseconds since 1970).
#[cfg(unix)]
fn identity(meta: &fs::Metadata) -> Option<([u8; 64], i128)> {
    use std::os::unix::fs::MetadataExt;
    let fields = [
        meta.dev() as i64,
        meta.ino() as i64,
        meta.size() as i64,
        i64::from(meta.mode()),
        meta.mtime(),
        meta.mtime_nsec(),
        meta.ctime(),
        meta.ctime_nsec(),
    ];
    let mut stamp = [0; 64];
    for (out, f) in stamp.chunks_exact_mut(8).zip(fields) {
        out.copy_from_slice(&f.to_le_bytes());
    }
    let time = |s: i64, ns: i64| i128::from(s) * 1_000_000_000 + i128::from(ns);
    Some((stamp, time(meta.mtime(), meta.mtime_nsec()).max(time(meta.ctime(), meta.ctime_nsec()))))
}

/// Elsewhere no identity: every file is read.
#[cfg(not(unix))]
fn identity(_: &fs::Metadata) -> Option<([u8; 64], i128)> {
    None
}

/// Files changed before this (nanoseconds since 1970) may be judged by their identity next time:
/// [`SETTLED`] before now. `GONGKAI_TEST_CLOCK_AHEAD=N` takes the clock as N seconds ahead, so
/// that tests can build over files written a moment before.
fn settled_before() -> i128 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(i128::MIN + SETTLED);
    let ahead = std::env::var("GONGKAI_TEST_CLOCK_AHEAD").ok().and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    now - SETTLED + i128::from(ahead) * 1_000_000_000
}

/// What every unit's pages depend on: see the module's documentation.
fn site_key(site: &Site) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    field(&mut h, FORMAT.as_bytes());
    field(&mut h, env!("CARGO_PKG_VERSION").as_bytes());
    // the sources this gongkai was built from (see build.rs): another build renders with other
    // code, and never trusts this cache
    field(&mut h, env!("GONGKAI_SOURCE_ID").as_bytes());
    // the site's own inputs: gongkai.yaml (the packs, the calendar, the theme's name, …; the
    // built-in packs, calendar and theme are in the binary), its packs and its themes
    let config = fs::read(site.root.join(crate::load::CONFIG_FILE)).unwrap_or_default();
    field(&mut h, &config);
    field(&mut h, site.config.base_url.as_deref().unwrap_or("-").as_bytes());
    field(&mut h, if site.drafts { b"drafts" } else { b"" });
    for code in &site.shared_codes {
        field(&mut h, code.as_bytes());
    }
    for folder in ["rules", "themes"] {
        let dir = site.root.join(folder);
        field(&mut h, folder.as_bytes());
        if !dir.exists() {
            continue;
        }
        // by their bytes, always (a handful of files)
        match list_folder(&dir).as_ref().and_then(hash_listed) {
            Some(hash) => field(&mut h, hash.as_bytes()),
            None => {
                let mut noise = [0u8; 32];
                let _ = getrandom::fill(&mut noise);
                field(&mut h, &noise);
            }
        }
    }
    h.finalize()
}

/// A check result, as the cache keeps it.
fn hash_check(h: &mut blake3::Hasher, check: &crate::check::UnitCheck) {
    field(h, &codec::encode(&Check::of(check)));
}

/// A unit's check result as the cache keeps it: every field of `UnitCheck`.
pub(super) struct Check {
    slug: String,
    name: String,
    sector: Option<String>,
    completeness: crate::check::Completeness,
    errors: usize,
    warnings: usize,
    rules: Vec<crate::check::Outcome>,
    withheld: Vec<String>,
    declarations: Vec<crate::declaration::Declaration>,
    findings: Vec<crate::finding::Finding>,
    acknowledgements: Vec<crate::check::Acknowledgement>,
}

impl Check {
    pub(super) fn of(c: &crate::check::UnitCheck) -> Check {
        let r = c.result.clone();
        Check {
            slug: r.slug,
            name: r.name,
            sector: r.sector,
            completeness: r.completeness,
            errors: r.errors,
            warnings: r.warnings,
            rules: r.rules.to_vec(),
            withheld: r.withheld,
            declarations: r.declarations,
            findings: c.findings.clone(),
            acknowledgements: c.acknowledgements.clone(),
        }
    }

    pub(super) fn into_check(self) -> crate::check::UnitCheck {
        let findings = self.findings;
        crate::check::UnitCheck {
            result: crate::check::UnitResult {
                slug: self.slug,
                name: self.name,
                sector: self.sector,
                completeness: self.completeness,
                errors: self.errors,
                warnings: self.warnings,
                rules: self.rules.into(),
                withheld: self.withheld,
                declarations: self.declarations,
            },
            findings,
            acknowledgements: self.acknowledgements,
        }
    }
}

fn hash_findings(h: &mut blake3::Hasher, findings: &[crate::finding::Finding]) {
    field(h, &codec::encode(&findings.to_vec()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("notices")).unwrap();
        fs::write(dir.path().join("fees.yaml"), "水费: 2.50\n").unwrap();
        fs::write(dir.path().join("notices/停水.md"), "停水通知").unwrap();
        dir
    }

    /// A cache whose previous line for unit `u` keeps `folder`, judging files changed before
    /// `settled_before`.
    fn cache_with(folder: String, settled_before: i128) -> Cache {
        let file = tempfile::tempfile().unwrap();
        let line = IndexLine { slug: "u".into(), inputs: String::new(), key: String::new(), folder, at: 0, len: 0 };
        Cache {
            dir: PathBuf::new(),
            site: String::new(),
            output: PathBuf::new(),
            old: Some(Old {
                file: Mutex::new(file),
                read_again: false,
                lines: HashMap::from([("u".into(), line)]),
                search: None,
            }),
            new: Mutex::new(None),
            settled_before,
            notice: None,
            damaged: Default::default(),
        }
    }

    #[test]
    fn a_folder_listed_twice_unchanged_has_one_identity_and_any_edit_changes_it() {
        let dir = folder();
        let first = list_folder(dir.path()).unwrap();
        assert_eq!(first.identity, list_folder(dir.path()).unwrap().identity);
        let bytes = hash_listed(&first);
        assert_eq!(bytes, hash_listed(&list_folder(dir.path()).unwrap()));
        // the same length, the modification time put back: the status change time still moves
        let fees = dir.path().join("fees.yaml");
        let modified = fs::metadata(&fees).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(&fees, "水费: 9.50\n").unwrap();
        fs::File::options().write(true).open(&fees).unwrap().set_modified(modified).unwrap();
        let edited = list_folder(dir.path()).unwrap();
        assert_ne!(first.identity, edited.identity);
        assert_ne!(bytes, hash_listed(&edited));
        // a file added, a file renamed
        fs::write(dir.path().join("notices/新.md"), "").unwrap();
        let added = list_folder(dir.path()).unwrap();
        assert_ne!(edited.identity, added.identity);
        fs::rename(dir.path().join("notices/新.md"), dir.path().join("notices/旧.md")).unwrap();
        assert_ne!(added.identity, list_folder(dir.path()).unwrap().identity);
    }

    #[test]
    fn a_settled_folder_with_the_identity_kept_is_not_read_and_an_edited_one_is() {
        let dir = folder();
        let listing = list_folder(dir.path()).unwrap();
        let identity = listing.identity.unwrap().to_hex();
        let content = hash_listed(&listing).unwrap();
        // what the previous cache kept says another content: believed without reading, which
        // shows no file was read
        let told = blake3::hash(b"told");
        let cache = cache_with(format!("{identity}:{}", told.to_hex()), i128::MAX);
        assert_eq!(cache.folder("u", dir.path()).unwrap().0, told);
        // another unit's line is not this one's
        assert_eq!(cache.folder("v", dir.path()).unwrap().0, content);
        // edited: read, and the new identity kept
        fs::write(dir.path().join("notices/停水.md"), "停水通知（已改期）").unwrap();
        let (now, kept) = cache.folder("u", dir.path()).unwrap();
        assert_eq!(now, hash_listed(&list_folder(dir.path()).unwrap()).unwrap());
        assert_ne!(now, content);
        assert!(kept.ends_with(&format!(":{}", now.to_hex())), "{kept}");
        // changed too recently to be judged by identity next time: nothing kept
        let recent = cache_with(String::new(), i128::MIN);
        assert_eq!(recent.folder("u", dir.path()).unwrap(), (now, String::new()));
    }

    /// The previous search index was built from units a, b, c (inputs `ia`…, rendered keys
    /// `ka`…): it is taken only for the same units, in the same order, each with its inputs.
    #[test]
    fn the_search_index_is_taken_only_for_the_same_units_with_the_same_inputs_in_the_same_order() {
        let mut cache = cache_with(String::new(), 0);
        let old = cache.old.as_mut().unwrap();
        old.lines = ["a", "b", "c"]
            .into_iter()
            .map(|u| {
                let (inputs, key) = (format!("i{u}"), format!("k{u}"));
                (u.to_string(), IndexLine { slug: u.into(), inputs, key, folder: String::new(), at: 0, len: 0 })
            })
            .collect();
        let kept = Kept { path: "search/meta.json".into(), blake3: "00".repeat(32), id: [1, 2, 3, 4, 5] };
        let key = search_key([("a", "ka"), ("b", "kb"), ("c", "kc")].into_iter());
        old.search = Some(SearchFiles { key, files: vec![kept.clone()] });
        let dirs = |units: &[&str]| -> Vec<UnitDir> {
            units.iter().map(|u| UnitDir { slug: u.to_string(), path: PathBuf::new(), findings: Vec::new() }).collect()
        };
        let keys = |inputs: &[&str]| -> Vec<Option<Keys>> {
            inputs
                .iter()
                .map(|i| {
                    let rendered = blake3::hash(b"");
                    (!i.is_empty()).then(|| Keys { inputs: i.to_string(), folder: String::new(), rendered })
                })
                .collect()
        };
        let taken = |units: &[&str], inputs: &[&str]| cache.search_files(&dirs(units), &keys(inputs)).is_some();
        assert!(taken(&["a", "b", "c"], &["ia", "ib", "ic"]));
        assert_eq!(cache.search_files(&dirs(&["a", "b", "c"]), &keys(&["ia", "ib", "ic"])).unwrap(), [kept]);
        // one unit's inputs changed, or it cannot be cached
        assert!(!taken(&["a", "b", "c"], &["ia", "ib2", "ic"]));
        assert!(!taken(&["a", "b", "c"], &["ia", "", "ic"]));
        // a unit removed, added, or the units in another order
        assert!(!taken(&["a", "c"], &["ia", "ic"]));
        assert!(!taken(&["a", "b", "c", "d"], &["ia", "ib", "ic", "id"]));
        assert!(!taken(&["b", "a", "c"], &["ib", "ia", "ic"]));
        // the keys of fewer units than there are
        assert!(cache.search_files(&dirs(&["a", "b", "c"]), &keys(&["ia", "ib"])).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_a_unit_folder_makes_it_uncacheable() {
        let dir = folder();
        std::os::unix::fs::symlink("/etc/hostname", dir.path().join("notices/链接.md")).unwrap();
        assert!(list_folder(dir.path()).is_none());
        assert!(cache_with(String::new(), i128::MAX).folder("u", dir.path()).is_none());
    }
}
