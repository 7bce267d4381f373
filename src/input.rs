//! Reading the site's own files, and nothing else: only regular files, only inside the site.
//!
//! Sits below `load` and `render`. Every file that may end up published is opened through
//! [`read_regular`], which never blocks on a pipe or device (it opens without waiting and checks
//! the type of what it opened), and every folder or link is judged by [`inside`] before it is
//! followed. Nothing outside the site root is ever read for publishing.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

/// Open `path` only if it is a regular file (after following links), without ever blocking on a
/// FIFO or a device: the one way gongkai opens a file it may publish.
pub(crate) fn open_regular(path: &Path) -> io::Result<fs::File> {
    open_regular_len(path).map(|(file, _)| file)
}

/// [`open_regular`], with the file's length as it was when opened (from the same status call
/// that checked its kind).
pub(crate) fn open_regular_len(path: &Path) -> io::Result<(fs::File, u64)> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for ever;
        // O_NOCTTY: a terminal device never becomes ours. Both are harmless for regular files.
        let flags = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY;
        options.custom_flags(flags.bits() as i32);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, NOT_REGULAR));
    }
    Ok((file, meta.len()))
}

/// [`open_regular`], then read at most `max` bytes. A larger file is an
/// `io::ErrorKind::FileTooLarge`.
pub(crate) fn read_regular(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let (file, len) = open_regular_len(path)?;
    if len > max {
        return Err(io::Error::from(io::ErrorKind::FileTooLarge));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(io::Error::from(io::ErrorKind::FileTooLarge));
    }
    Ok(bytes)
}

/// The message of a refused special file.
pub(crate) const NOT_REGULAR: &str = "这不是普通文件（管道、设备等），无法读取";

/// Where a path really leads, judged against the site root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// A regular file inside the site.
    File,
    /// A folder inside the site.
    Folder,
    /// Something inside the site that is neither (a FIFO, a device, a socket).
    Special,
    /// Outside the site root (through a link at any level).
    Outside,
    /// Nothing there (a dangling link), or a loop.
    Missing,
}

/// Resolve `path` (links at every level followed) and say where it leads relative to `root`.
pub(crate) fn inside(root: &Path, path: &Path) -> Place {
    let (Ok(target), Ok(root)) = (fs::canonicalize(path), fs::canonicalize(root)) else { return Place::Missing };
    if !target.starts_with(&root) {
        return Place::Outside;
    }
    match fs::metadata(&target) {
        Ok(m) if m.is_file() => Place::File,
        Ok(m) if m.is_dir() => Place::Folder,
        Ok(_) => Place::Special,
        Err(_) => Place::Missing,
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn pipes_and_devices_are_refused_without_blocking() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("fifo");
        rustix::fs::mkfifoat(rustix::fs::CWD, &fifo, rustix::fs::Mode::from_raw_mode(0o644)).unwrap();
        let e = read_regular(&fifo, 1024).unwrap_err();
        assert_eq!(e.to_string(), NOT_REGULAR);
        let link = tmp.path().join("link.pdf");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        assert!(read_regular(&link, 1024).is_err(), "a link to a FIFO is not followed into a wait");
        assert!(read_regular(Path::new("/dev/zero"), 1024).is_err());
        assert_eq!(inside(Path::new("/"), &fifo), Place::Special);
    }

    #[test]
    fn size_bound_and_places() {
        let tmp = tempfile::tempdir().unwrap();
        let site = tmp.path().join("site");
        fs::create_dir_all(site.join("content")).unwrap();
        fs::write(site.join("content/a.txt"), "12345").unwrap();
        assert_eq!(read_regular(&site.join("content/a.txt"), 5).unwrap(), b"12345");
        assert_eq!(read_regular(&site.join("content/a.txt"), 4).unwrap_err().kind(), io::ErrorKind::FileTooLarge);
        fs::write(tmp.path().join("secret"), "x").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("secret"), site.join("content/out")).unwrap();
        std::os::unix::fs::symlink("a.txt", site.join("content/in")).unwrap();
        std::os::unix::fs::symlink("nowhere", site.join("content/gone")).unwrap();
        assert_eq!(inside(&site, &site.join("content/out")), Place::Outside);
        assert_eq!(inside(&site, &site.join("content/in")), Place::File);
        assert_eq!(inside(&site, &site.join("content")), Place::Folder);
        assert_eq!(inside(&site, &site.join("content/gone")), Place::Missing);
    }
}
