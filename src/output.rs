//! Writing a built site so that nothing is ever half-written.
//!
//! Pages go into a staging folder beside the output folder; only when everything succeeded is it
//! swapped in, with one atomic `renameat2(RENAME_EXCHANGE)` where the system has it. A failed or
//! killed build leaves the previous output as it was; a later build removes its leftovers.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// Where rendered files go.
pub trait Sink: Sync {
    /// Store `bytes` at `path` (relative, `/`-separated).
    fn put(&self, path: &str, bytes: &[u8]) -> Result<()>;

    /// Has a file been stored at `path`?
    fn exists(&self, path: &str) -> bool;
}

/// Keeps every file in memory (for tests and `serve`).
#[derive(Default)]
pub struct MemorySink {
    pub files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl Sink for MemorySink {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<()> {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).insert(path.to_string(), bytes.to_vec());
        Ok(())
    }

    fn exists(&self, path: &str) -> bool {
        self.files.lock().unwrap_or_else(|e| e.into_inner()).contains_key(path)
    }
}

const STAGING_PREFIX: &str = ".gongkai-staging-";
const TRASH_PREFIX: &str = ".gongkai-old-";

/// A staging folder next to the output folder.
pub struct Staging {
    dir: PathBuf,
    out: PathBuf,
    committed: bool,
    /// Folders already created in `dir`.
    dirs: Mutex<std::collections::HashSet<PathBuf>>,
}

impl Staging {
    /// Create a fresh staging folder for `out`, removing what earlier, interrupted builds left.
    pub fn new(out: &Path) -> Result<Staging> {
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "public".into());
        for entry in fs::read_dir(parent).map_err(|e| Error::io(parent, e))?.flatten() {
            let n = entry.file_name().to_string_lossy().into_owned();
            let ours = n == format!("{STAGING_PREFIX}{name}")
                || n.starts_with(&format!("{STAGING_PREFIX}{name}."))
                || n.starts_with(&format!("{TRASH_PREFIX}{name}."));
            if ours {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        let dir = parent.join(format!("{STAGING_PREFIX}{name}.{}", std::process::id()));
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Staging { dir, out: out.to_path_buf(), committed: false, dirs: Mutex::default() })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Swap the staged site in. The old output is removed afterwards.
    pub fn commit(mut self) -> Result<()> {
        if self.out.exists() {
            exchange(&self.dir, &self.out).map_err(|e| Error::io(&self.out, e))?;
            // self.dir now holds the previous output
            let _ = fs::remove_dir_all(&self.dir);
        } else {
            fs::rename(&self.dir, &self.out).map_err(|e| Error::io(&self.out, e))?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Atomically exchange two paths; where the system cannot, rename the old one away first.
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(e.into()),
        }
    }
    // fallback: two renames; between them the output briefly does not exist
    let trash = b.with_file_name(format!(
        "{TRASH_PREFIX}{}.{}",
        b.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        std::process::id()
    ));
    fs::rename(b, &trash)?;
    fs::rename(a, b)?;
    fs::rename(&trash, a)
}

impl Sink for Staging {
    /// A file whose bytes are unchanged since the previous build is hard-linked from the
    /// previous output instead of written: no new inode, no data written, and removing the old
    /// tree later frees nothing. On ext4 with many recently freed inodes, creating files is the
    /// cost of a build; this makes a rebuild over its own output cheaper than a fresh one.
    fn put(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let target = self.dir.join(path);
        if let Some(parent) = target.parent() {
            let known = self.dirs.lock().unwrap_or_else(|e| e.into_inner()).contains(parent);
            if !known {
                fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
                self.dirs.lock().unwrap_or_else(|e| e.into_inner()).insert(parent.to_path_buf());
            }
        }
        let previous = self.out.join(path);
        if same_bytes(&previous, bytes) && fs::hard_link(&previous, &target).is_ok() {
            return Ok(());
        }
        fs::write(&target, bytes).map_err(|e| Error::io(&target, e))
    }

    fn exists(&self, path: &str) -> bool {
        self.dir.join(path).is_file()
    }
}

/// Does the file at `path` hold exactly `bytes`? (A regular file only: never a link.)
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else { return false };
    if !meta.is_file() || meta.len() != bytes.len() as u64 {
        return false;
    }
    fs::read(path).is_ok_and(|old| old == bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_swaps_and_drop_discards() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let s = Staging::new(&out).unwrap();
        s.put("a/index.html", b"one").unwrap();
        s.commit().unwrap();
        assert_eq!(fs::read(out.join("a/index.html")).unwrap(), b"one");

        let s = Staging::new(&out).unwrap();
        s.put("b.html", b"two").unwrap();
        drop(s); // a failed build
        assert_eq!(fs::read(out.join("a/index.html")).unwrap(), b"one");
        assert!(!out.join("b.html").exists());

        let s = Staging::new(&out).unwrap();
        s.put("b.html", b"two").unwrap();
        s.commit().unwrap();
        assert!(!out.join("a/index.html").exists());
        assert_eq!(fs::read(out.join("b.html")).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["public"]);
    }
}
