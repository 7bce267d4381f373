//! Watching the site for saved edits: native events (inotify and friends), or polling for
//! network drives and WSL where native events do not arrive. Editor temp and swap files and the
//! build outputs are ignored.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::{PollWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, NoCache, new_debouncer, new_debouncer_opt};

use super::state::Msg;

/// How long the debouncer waits for a burst of events (an editor's save) to finish.
pub(super) const DEBOUNCE: Duration = Duration::from_millis(30);
/// How often the polling watcher looks. It compares file contents, not only modification times:
/// notify's poller keeps times in whole seconds and would miss a second save within a second.
pub(super) const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// A running watcher; dropping it stops watching.
pub(super) struct Watching {
    /// How changes are noticed, in words.
    pub mode: &'static str,
    _debouncer: Box<dyn std::any::Any + Send>,
}

/// Start watching `root`. With `poll`, or when native events cannot be set up, poll instead.
pub(super) fn watch(root: &Path, poll: bool, tx: Sender<Msg>) -> Result<Watching, String> {
    // events carry absolute paths: compare them with the absolute root
    let root = &std::fs::canonicalize(root).map_err(|e| e.to_string())?;
    let root_owned = root.to_path_buf();

    let handler = move |result: DebounceEventResult| {
        let Ok(events) = result else { return };
        let mut paths: Vec<PathBuf> = events
            .into_iter()
            // reading a file (as every rebuild does) is an event too: only changes count
            .filter(|e| !e.event.kind.is_access() && !e.event.kind.is_other())
            .flat_map(|e| e.event.paths)
            .filter_map(|p| p.strip_prefix(&root_owned).ok().map(Path::to_path_buf))
            .filter(|p| !ignored(p))
            .collect();
        paths.sort();
        paths.dedup();
        if !paths.is_empty() {
            let _ = tx.send(Msg::Changed(paths));
        }
    };
    let targets = targets(root);
    if !poll {
        let native = new_debouncer(DEBOUNCE, None, handler.clone()).map_err(|e| e.to_string()).and_then(|mut d| {
            for (path, mode) in &targets {
                d.watch(path, *mode).map_err(|e| e.to_string())?;
            }
            Ok(d)
        });
        if let Ok(d) = native {
            return Ok(Watching { mode: "系统文件事件", _debouncer: Box::new(d) });
        }
    }
    let config = notify::Config::default().with_poll_interval(POLL_INTERVAL).with_compare_contents(true);

    let mut d = new_debouncer_opt::<_, PollWatcher, NoCache>(DEBOUNCE, None, handler, NoCache, config)
        .map_err(|e| e.to_string())?;
    for (path, mode) in &targets {
        d.watch(path, *mode).map_err(|e| e.to_string())?;
    }
    Ok(Watching { mode: "定时扫描", _debouncer: Box::new(d) })
}

/// The site root itself (for gongkai.yaml; not recursively, so the output is never watched),
/// and content/, themes/, rules/ recursively.
fn targets(root: &Path) -> Vec<(PathBuf, RecursiveMode)> {
    let mut t = vec![(root.to_path_buf(), RecursiveMode::NonRecursive)];
    for dir in ["content", "themes", "rules"] {
        let p = root.join(dir);
        if p.is_dir() {
            t.push((p, RecursiveMode::Recursive));
        }
    }
    t
}

/// Editor temp and swap files, hidden files, and anything outside the watched parts of a site.
pub(super) fn ignored(rel: &Path) -> bool {
    let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
    let Some(first) = parts.next() else { return true };
    if !matches!(first.as_ref(), "content" | "themes" | "rules" | "gongkai.yaml") {
        return true;
    }
    rel.components().any(|c| {
        let name = c.as_os_str().to_string_lossy();
        name.starts_with('.')
            || crate::load::is_leftover(&name)
            || name.ends_with('~')
            || (name.starts_with('#') && name.ends_with('#'))
            || name == "4913"
            || [".swp", ".swx", ".swo", ".tmp", ".temp", ".bak", ".part", ".crdownload", ".kate-swp"]
                .iter()
                .any(|ext| name.ends_with(ext))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editor_files_and_outputs_are_ignored() {
        for p in [
            "public/index.html",
            "gongkai-report/report.json",
            ".gongkai-staging-public.1/a.html",
            "content/a/.fees.yaml.swp",
            "content/a/fees.yaml~",
            "content/a/#fees.yaml#",
            "content/a/4913",
            "content/a/.#fees.yaml",
            "content/a/fees.yaml.tmp",
            "content/a/attachments/~$申请表.docx",
            "content/a/attachments/Thumbs.db",
            "content/a/attachments/desktop.ini",
            "target/debug/x",
            ".git/index",
        ] {
            assert!(ignored(Path::new(p)), "{p}");
        }
        for p in ["content/a/fees.yaml", "themes/default/templates/base.html", "rules/x.yaml", "gongkai.yaml"] {
            assert!(!ignored(Path::new(p)), "{p}");
        }
    }
}
