//! Which site a command works on when none is named: the current folder, or, like git, the
//! nearest folder above it that holds `gongkai.yaml`, so that a clerk editing
//! `content/<unit>/notices/` can run `gongkai build` right there. Runs before `load` (it only
//! looks for files by name); `main` calls it for every command that takes a site.

use std::path::{Path, PathBuf};

use crate::load::CONFIG_FILE;

/// The site to work on: `named` when the command line names one (never searched upward), else
/// the current folder when it is a site (it holds `gongkai.yaml` or `content/`), else the nearest
/// folder above it holding `gongkai.yaml`, said in one line on standard error. The search stops at
/// the top of the file system and at a folder holding `.git` (it never leaves a repository).
/// With no site anywhere, the current folder: loading it then says what is missing.
pub fn site_root(named: Option<PathBuf>) -> PathBuf {
    let here = PathBuf::from(".");
    if let Some(named) = named {
        return named;
    }
    let Ok(cwd) = std::env::current_dir() else { return here };
    match above(&cwd) {
        Some(found) => {
            eprintln!("当前文件夹不是站点，使用上级文件夹中的站点：{}", found.display());
            found
        }
        None => here,
    }
}

/// The nearest folder above `start` holding `gongkai.yaml`, when `start` itself is no site.
fn above(start: &Path) -> Option<PathBuf> {
    if is_site(start) {
        return None;
    }
    for dir in start.ancestors() {
        if dir != start && dir.join(CONFIG_FILE).is_file() {
            return Some(dir.to_path_buf());
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// A folder a command can work on as it is: the configuration, or content without one.
fn is_site(dir: &Path) -> bool {
    dir.join(CONFIG_FILE).is_file() || dir.join("content").is_dir()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_site_above_and_never_past_a_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let deep = root.join("site/content/unit/notices");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(root.join("site").join(CONFIG_FILE), "").unwrap();
        assert_eq!(above(&deep), Some(root.join("site")));
        assert_eq!(above(&root.join("site")), None, "a site itself is not searched above");
        // a repository between the folder and the site: the search stops at its top
        std::fs::create_dir_all(root.join("site/content/unit/.git")).unwrap();
        assert_eq!(above(&deep), None);
    }
}
