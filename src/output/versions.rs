//! The versioned publication (`build --versioned`): the output path is a relative symbolic link
//! to one version folder in a store beside it, and a build publishes by replacing that one link,
//! so its cost does not grow with the files that did not change.
//!
//! ```text
//! public -> .gongkai-versions-public/v/000124
//! .gongkai-versions-public/
//!   .gongkai-store              the store's marker: nothing else here is removed without it
//!   last                        the last number given to a version (never given twice)
//!   v/000124/                   a version: the portal's files, the marker, one link per unit
//!   v/000124/jinding-school -> ../../u/jinding-school.000120
//!   u/jinding-school.000120/    a unit's pages, never written again once published
//! ```
//!
//! A unit whose pages are taken from the previous output costs one link to the tree the previous
//! version used (after the same checks as a plain build: every file kept is the very file, and
//! the tree holds nothing else). A unit rendered again gets a new tree named after this build's
//! number, which no earlier build used; its unchanged files are hard-linked from its previous
//! tree. The switch is `rename` of a new link over the old one (atomic): a reader, or a build
//! killed at any point, sees the whole old or the whole new version. Afterwards the previous
//! version and every tree no version uses are removed; what a killed build left is removed by the
//! next one. Only names of gongkai's own patterns, in a store carrying its marker, are removed.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::Kept;
use crate::error::{Error, Result};

/// The store of the output named `name` is `.gongkai-versions-NAME`, beside it.
const STORE_PREFIX: &str = ".gongkai-versions-";
/// The file that marks a store as gongkai's own.
const STORE_MARKER: &str = ".gongkai-store";
/// The last number given to a version.
const COUNTER: &str = "last";

fn store_marker_text() -> String {
    format!(
        "gongkai {}\n这个文件夹存放 gongkai 生成的网站的各个版本（--versioned），由 gongkai 管理；请不要在里面存放其他文件。\n\
         This folder holds the versions of a site built by gongkai with --versioned; gongkai manages it.\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// The store beside the output `out` (absolute).
pub(crate) fn store_of(out: &Path) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    out.with_file_name(format!("{STORE_PREFIX}{name}"))
}

/// The version a link at `out` names, when it is one gongkai made: its target is
/// `.gongkai-versions-NAME/v/NUMBER` and the store carries its marker.
pub(crate) fn linked_version(out: &Path) -> Option<u64> {
    let target = fs::read_link(out).ok()?;
    let name = out.file_name()?.to_string_lossy();
    let rest = target.to_str()?.strip_prefix(&format!("{STORE_PREFIX}{name}/v/"))?;
    let number = version_number(rest)?;
    fs::symlink_metadata(store_of(out).join(STORE_MARKER)).ok()?.is_file().then_some(number)
}

/// Whether `name` in the folder `dir` is gongkai's link from a version to a unit's tree: of the
/// form it makes (`../../u/NAME.NUMBER`), in a version folder of a store (`dir/../..` carries
/// the store's marker), leading to a folder.
pub(crate) fn is_unit_link(dir: &Path, name: &std::ffi::OsStr) -> bool {
    let Some(slug) = name.to_str() else { return false };
    let link = dir.join(name);
    linked_tree(&link, slug).is_some()
        && fs::symlink_metadata(dir.join("../..").join(STORE_MARKER)).is_ok_and(|m| m.is_file())
        && link.is_dir()
}

/// `000124` → 124; `None` for a name gongkai does not give a version.
fn version_number(name: &str) -> Option<u64> {
    (name.len() >= 6 && name.bytes().all(|b| b.is_ascii_digit())).then(|| name.parse().ok()).flatten()
}

fn version_name(number: u64) -> String {
    format!("{number:06}")
}

/// The number of the build that made the unit tree `name` (`SLUG.000124`).
fn tree_number(name: &str) -> Option<u64> {
    version_number(name.rsplit_once('.')?.1)
}

/// The tree a unit's link in a version points to (`../../u/SLUG.NUMBER`), when it is one of the
/// store's trees for that unit.
fn linked_tree(link: &Path, slug: &str) -> Option<String> {
    let target = fs::read_link(link).ok()?;
    let tree = target.to_str()?.strip_prefix("../../u/")?;
    let number = tree.strip_prefix(slug)?.strip_prefix('.')?;
    version_number(number).map(|_| tree.to_string())
}

/// A unit's tree in the previous version (see [`Versions::previous`]).
pub(crate) struct Previous {
    /// The tree, as a path.
    dir: PathBuf,
    slug: String,
    /// Its name in `u/`.
    tree: String,
}

impl Previous {
    /// Where the file at the site path `path` (in this unit's folder) is: in the tree itself,
    /// without going through the output's and the unit's links.
    pub(crate) fn file(&self, path: &str) -> PathBuf {
        self.dir.join(path.split_once('/').map_or(path, |(_, rest)| rest))
    }
}

/// What a unit's folder in the version being built links to.
enum Tree {
    /// A tree made by this build (`SLUG.NUMBER`).
    Made,
    /// The tree the previous version used, taken as it is, and the site paths of its files
    /// (all it holds: see [`Versions::keep`]) with their BLAKE3 as the cache kept them.
    Kept(String, Listing),
}

/// The site paths of a tree's files, one after another in one string, and their BLAKE3: a
/// province's trees taken whole list a third of a million files, which as a string each took
/// 12 MB more while the pages were rendered.
#[derive(Default)]
pub(crate) struct Listing {
    paths: String,
    /// Where each path ends in `paths`.
    ends: Vec<usize>,
    hashes: Vec<blake3::Hash>,
}

impl Listing {
    fn of(files: &[Kept], hashes: &[blake3::Hash]) -> Listing {
        let mut listing = Listing {
            paths: String::with_capacity(files.iter().map(|f| f.path.len()).sum()),
            ends: Vec::with_capacity(files.len()),
            hashes: hashes[..files.len().min(hashes.len())].to_vec(),
        };
        for f in &files[..listing.hashes.len()] {
            listing.paths.push_str(&f.path);
            listing.ends.push(listing.paths.len());
        }
        listing
    }

    /// Each path with its BLAKE3, in order.
    fn iter(&self) -> impl Iterator<Item = (&str, blake3::Hash)> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(start, &end)| &self.paths[start..end]).zip(self.hashes.iter().copied())
    }

    /// Each path, as a string of its own, with its BLAKE3, in order.
    pub(crate) fn files(&self) -> Vec<(String, blake3::Hash)> {
        self.iter().map(|(path, hash)| (path.to_string(), hash)).collect()
    }
}

/// A versioned output being built: the store, this version's number, and each unit's tree.
pub(crate) struct Versions {
    store: PathBuf,
    number: u64,
    /// The version the output names now (`None`: a plain folder, or nothing yet).
    current: Option<u64>,
    /// The units' folders (first path segments that are a unit's).
    units: HashSet<String>,
    trees: Mutex<HashMap<String, Tree>>,
}

impl Versions {
    /// Open (or create) the store of `out` (checked by `validate_output`) for a new version,
    /// removing versions no link names (left by a killed build); returns the version folder to
    /// build into.
    pub(crate) fn open(out: &Path, units: impl IntoIterator<Item = String>) -> Result<(Versions, PathBuf)> {
        let store = store_of(out);
        let refuse = |reason: &str| Error::Output {
            path: store.clone(),
            reason: reason.to_string(),
            help: "换一个输出目录（-o），或先移走这个文件夹".into(),
        };
        match fs::symlink_metadata(&store) {
            Ok(meta) if !meta.is_dir() => return Err(refuse("版本库的位置上有一个不是文件夹的同名文件")),
            Ok(_) if !fs::symlink_metadata(store.join(STORE_MARKER)).is_ok_and(|m| m.is_file()) => {
                return Err(refuse(&format!(
                    "这个文件夹已经存在，但不是 gongkai 的版本库（没有 {STORE_MARKER} 标记）；为了不删除别人的文件，什么也没有写"
                )));
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir_all(&store).map_err(|e| Error::write(&store, e))?;
                let marker = store.join(STORE_MARKER);
                fs::write(&marker, store_marker_text()).map_err(|e| Error::write(&marker, e))?;
            }
            Err(e) => return Err(Error::io(&store, e)),
        }
        for sub in ["v", "u"] {
            fs::create_dir_all(store.join(sub)).map_err(|e| Error::write(store.join(sub), e))?;
        }
        let current = linked_version(out);
        let last = fs::read_to_string(store.join(COUNTER)).ok().and_then(|t| t.trim().parse::<u64>().ok());
        let number = last.unwrap_or(0).max(current.unwrap_or(0)) + 1;
        // the number is taken before anything is made with it: no two builds ever share one
        let (counter, tmp) = (store.join(COUNTER), store.join(format!(".{COUNTER}.tmp")));
        fs::write(&tmp, format!("{number}\n"))
            .and_then(|()| fs::rename(&tmp, &counter))
            .map_err(|e| Error::write(&counter, e))?;
        let versions = Versions { store, number, current, units: units.into_iter().collect(), trees: Mutex::default() };
        // left by builds that were killed: versions no link names, trees newer than the current
        versions.sweep(|n| Some(n) == current, |n| current.is_some_and(|c| n <= c), &mut || {});
        let dir = versions.store.join("v").join(version_name(number));
        fs::create_dir(&dir).map_err(|e| Error::write(&dir, e))?;
        Ok((versions, dir))
    }

    /// The link that names this version, relative to the output's folder.
    fn target(&self) -> PathBuf {
        let store = self.store.file_name().unwrap_or_default();
        Path::new(store).join("v").join(version_name(self.number))
    }

    /// The unit whose folder `path` (a site path) is in, if it is a unit's.
    pub(crate) fn unit_of<'p>(&self, path: &'p str) -> Option<&'p str> {
        let (first, _) = path.split_once('/')?;
        self.units.contains(first).then_some(first)
    }

    /// Make the unit's tree for this build and link its folder in the version `dir` to it,
    /// unless done already. Writing into a tree taken from the previous version is refused: it
    /// is published as it is.
    pub(crate) fn prepare(&self, dir: &Path, slug: &str) -> Result<()> {
        let mut trees = self.trees.lock().unwrap_or_else(|e| e.into_inner());
        match trees.get(slug) {
            Some(Tree::Made) => return Ok(()),
            Some(Tree::Kept(tree, _)) => {
                return Err(Error::Usage(format!(
                    "单位 {slug} 的网页沿用了上一版的 {tree}，又要写入新文件：这是 gongkai 的缺陷，请报告\n  帮助: 网站没有发布，之前的网站保持原样；不加 --versioned 可以照常生成"
                )));
            }
            None => {}
        }
        let name = format!("{slug}.{}", version_name(self.number));
        let tree = self.store.join("u").join(&name);
        fs::create_dir(&tree).map_err(|e| Error::write(&tree, e))?;
        let link = dir.join(slug);
        symlink(&Path::new("../../u").join(&name), &link).map_err(|e| Error::write(&link, e))?;
        trees.insert(slug.to_string(), Tree::Made);
        Ok(())
    }

    /// The tree the previous version's folder of the unit that `files` are in links to, when
    /// they are all in one unit's folder and the previous output is a version of this store.
    pub(crate) fn previous(&self, out: &Path, files: &[Kept]) -> Option<Previous> {
        let slug = self.unit_of(&files.first()?.path)?;
        if self.current.is_none() || !files.iter().all(|f| self.unit_of(&f.path) == Some(slug)) {
            return None;
        }
        let tree = linked_tree(&out.join(slug), slug)?;
        Some(Previous { dir: self.store.join("u").join(&tree), slug: slug.to_string(), tree })
    }

    /// Take a unit's tree from the previous version as it is, with one link: `files` (each
    /// already checked to be the very file kept) must be everything the tree holds. `false`,
    /// with nothing done, otherwise (a tree with a file added or a link in it): the caller links
    /// the files one by one. `hashes` are the files' BLAKE3, beside them.
    pub(crate) fn keep(&self, dir: &Path, previous: &Previous, files: &[Kept], hashes: &[blake3::Hash]) -> bool {
        let mut trees = self.trees.lock().unwrap_or_else(|e| e.into_inner());
        if trees.contains_key(&previous.slug) || !holds_only(&previous.dir, files.len()) {
            return false;
        }
        let link = dir.join(&previous.slug);
        if symlink(&Path::new("../../u").join(&previous.tree), &link).is_err() {
            return false;
        }
        trees.insert(previous.slug.clone(), Tree::Kept(previous.tree.clone(), Listing::of(files, hashes)));
        true
    }

    /// The BLAKE3 of the file at the site path `path` when it is in a tree taken from the
    /// previous version (and not yet listed, see [`Versions::kept_listings`]).
    pub(crate) fn kept_hash(&self, path: &str) -> Option<blake3::Hash> {
        let slug = self.unit_of(path)?;
        match self.trees.lock().unwrap_or_else(|e| e.into_inner()).get(slug)? {
            Tree::Kept(_, files) => files.iter().find(|(p, _)| *p == path).map(|(_, hash)| hash),
            Tree::Made => None,
        }
    }

    /// The units whose trees were taken from the previous version, each with the site paths of
    /// every file its tree holds (checked when it was taken) and their BLAKE3: what a listing of
    /// the version would find there. Taken out: a second call has none.
    pub(crate) fn kept_listings(&self) -> HashMap<String, Listing> {
        let mut trees = self.trees.lock().unwrap_or_else(|e| e.into_inner());
        trees
            .iter_mut()
            .filter_map(|(slug, t)| match t {
                Tree::Kept(_, listing) => Some((slug.clone(), std::mem::take(listing))),
                Tree::Made => None,
            })
            .collect()
    }

    /// Make `dir` the output: a new link renamed over the old one (or exchanged with the plain
    /// folder of an earlier build, which is then removed). `abort_after_swap` is the test hook.
    pub(crate) fn publish(&self, out: &Path, tmp: &Path, abort_after_swap: bool) -> Result<()> {
        let target = self.target();
        let _ = fs::remove_file(tmp);
        symlink(&target, tmp).map_err(|e| Error::write(tmp, e))?;
        let plain = fs::symlink_metadata(out).is_ok_and(|m| m.is_dir());
        if plain {
            super::exchange(tmp, out).map_err(|e| Error::write(out, e))?;
        } else {
            fs::rename(tmp, out).map_err(|e| Error::write(out, e))?;
        }
        if abort_after_swap {
            std::process::abort();
        }
        if plain {
            // tmp now holds the plain folder of the earlier build
            let _ = fs::remove_dir_all(tmp);
        }
        Ok(())
    }

    /// After the switch: remove every other version, and every tree this one does not use.
    /// `abort` is the test hook, called before each removal.
    pub(crate) fn clean(&self, abort: &mut dyn FnMut()) -> Option<String> {
        let used: HashSet<String> = {
            let trees = self.trees.lock().unwrap_or_else(|e| e.into_inner());
            trees
                .iter()
                .map(|(slug, t)| match t {
                    Tree::Made => format!("{slug}.{}", version_name(self.number)),
                    Tree::Kept(tree, _) => tree.clone(),
                })
                .collect()
        };
        let failed = self.sweep_used(self.number, &used, abort);
        (failed > 0).then(|| {
            format!(
                "新网站已经发布，但版本库 {} 里有 {failed} 个旧版本的文件夹无法删除；下次生成时会再试。",
                self.store.display()
            )
        })
    }

    /// Remove versions other than `keep_version` and trees not in `used`; the number of
    /// removals that failed.
    fn sweep_used(&self, keep_version: u64, used: &HashSet<String>, abort: &mut dyn FnMut()) -> usize {
        let mut failed = 0;
        let mut remove = |path: PathBuf| {
            abort();
            failed += usize::from(fs::remove_dir_all(path).is_err());
        };
        for name in entries(&self.store.join("v")) {
            if version_number(&name).is_some_and(|n| n != keep_version) {
                remove(self.store.join("v").join(&name));
            }
        }
        for name in entries(&self.store.join("u")) {
            if tree_number(&name).is_some() && !used.contains(&name) {
                remove(self.store.join("u").join(&name));
            }
        }
        failed
    }

    /// Before building: remove versions for which `keep_version` is false, and trees for which
    /// `keep_tree` (given the number of the build that made it) is false.
    fn sweep(&self, keep_version: impl Fn(u64) -> bool, keep_tree: impl Fn(u64) -> bool, abort: &mut dyn FnMut()) {
        for (sub, number) in [("v", version_number as fn(&str) -> Option<u64>), ("u", tree_number)] {
            for name in entries(&self.store.join(sub)) {
                let Some(n) = number(&name) else { continue };
                let keep = if sub == "v" { keep_version(n) } else { keep_tree(n) };
                if !keep {
                    abort();
                    let _ = fs::remove_dir_all(self.store.join(sub).join(&name));
                }
            }
        }
    }

    /// A build that did not publish: remove what it made.
    pub(crate) fn discard(&self) {
        let mine = self.number;
        self.sweep(|n| n != mine, |n| n != mine, &mut || {});
    }
}

/// The names in a folder (none if it cannot be read).
fn entries(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

/// Does the tree at `dir` hold exactly `files` files, in folders, and no link or anything else?
fn holds_only(dir: &Path, files: usize) -> bool {
    let mut count = 0;
    for entry in walkdir::WalkDir::new(dir).follow_links(false) {
        let Ok(entry) = entry else { return false };
        let kind = entry.file_type();
        if kind.is_file() {
            count += 1;
        } else if !kind.is_dir() {
            return false;
        }
    }
    count == files
}

/// Remove the versioned output at `out` (a link gongkai made) and its store, once a plain build
/// was exchanged with it: `link` is where the link now is.
pub(crate) fn retire(out: &Path, link: &Path) -> Option<String> {
    let store = store_of(out);
    let _ = fs::remove_file(link);
    if !fs::symlink_metadata(store.join(STORE_MARKER)).is_ok_and(|m| m.is_file()) {
        return None;
    }
    fs::remove_dir_all(&store).err().map(|e| {
        format!(
            "网站已经发布为普通文件夹，但无法删除原来的版本库 {}：{}。请手动删除它。",
            store.display(),
            crate::error::io_reason(&e)
        )
    })
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> io::Result<()> {
    Err(io::Error::new(io::ErrorKind::Unsupported, "这个系统上不能用 --versioned（需要符号链接）"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_gives_back_each_path_with_its_hash_in_order() {
        let paths = ["u/index.html", "u/费用/水价.html", "u/a", "u/"];
        let files: Vec<Kept> =
            paths.iter().map(|p| Kept { path: p.to_string(), blake3: String::new(), id: [0; 5] }).collect();
        let hashes: Vec<blake3::Hash> = paths.iter().map(|p| blake3::hash(p.as_bytes())).collect();
        let listing = Listing::of(&files, &hashes);
        let back: Vec<(&str, blake3::Hash)> = listing.iter().collect();
        assert_eq!(back, paths.iter().copied().zip(hashes.iter().copied()).collect::<Vec<_>>());
        // as a zip would: no path without its hash
        assert_eq!(Listing::of(&files, &hashes[..2]).iter().count(), 2);
        assert_eq!(Listing::default().iter().count(), 0);
    }

    #[test]
    fn only_names_of_gongkai_s_patterns_are_its_own() {
        assert_eq!(version_number("000124"), Some(124));
        assert_eq!(version_number("1234567"), Some(1_234_567));
        for other in ["", "124", "00012a", "notes", "000124.bak", "-00124"] {
            assert_eq!(version_number(other), None, "{other}");
        }
        assert_eq!(tree_number("jinding-school.000120"), Some(120));
        assert_eq!(tree_number("a.b.000007"), Some(7));
        for other in ["jinding-school", "jinding-school.12", "thesis.docx", ".000001x"] {
            assert_eq!(tree_number(other), None, "{other}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_gongkai_s_only_into_a_marked_store_of_its_name() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::os::unix::fs::symlink(".gongkai-versions-public/v/000003", &out).unwrap();
        assert_eq!(linked_version(&out), None, "no store yet");
        fs::create_dir_all(tmp.path().join(".gongkai-versions-public/v/000003")).unwrap();
        assert_eq!(linked_version(&out), None, "a store without its marker");
        fs::write(tmp.path().join(".gongkai-versions-public").join(STORE_MARKER), "x").unwrap();
        assert_eq!(linked_version(&out), Some(3));
        let other = tmp.path().join("site");
        std::os::unix::fs::symlink(".gongkai-versions-public/v/000003", &other).unwrap();
        assert_eq!(linked_version(&other), None, "the store of another output's name");
        let far = tmp.path().join("far");
        std::os::unix::fs::symlink("/srv/www/.gongkai-versions-far/v/000001", &far).unwrap();
        assert_eq!(linked_version(&far), None, "not beside it");
    }
}
