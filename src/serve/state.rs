//! What the preview's threads share: the built files (compressed in memory), the error overlay,
//! the change counter the live-reload streams wait on, and the way to ask for a fresh report.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Duration;

/// A built file, deflated when that saves memory (2,500 units of pages stay well under the
/// memory budget this way; loopback requests inflate in microseconds).
pub(super) struct Stored {
    data: Vec<u8>,
    deflated: bool,
    /// BLAKE3 of the bytes a build would write (before the page was made live), for the record
    /// preview; empty when not given.
    hash: String,
}

impl Stored {
    pub(super) fn new(bytes: &[u8]) -> Stored {
        if bytes.len() >= 1024 {
            let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
            if enc.write_all(bytes).is_ok()
                && let Ok(data) = enc.finish()
                && data.len() < bytes.len()
            {
                return Stored { data, deflated: true, hash: String::new() };
            }
        }
        Stored { data: bytes.to_vec(), deflated: false, hash: String::new() }
    }

    /// The same, with the BLAKE3 of the bytes a build would write.
    pub(super) fn with_hash(self, hash: String) -> Stored {
        Stored { hash, ..self }
    }

    pub(super) fn bytes(&self) -> Vec<u8> {
        if !self.deflated {
            return self.data.clone();
        }
        let mut out = Vec::with_capacity(self.data.len() * 4);
        let _ = flate2::read::DeflateDecoder::new(&self.data[..]).read_to_end(&mut out);
        out
    }

    /// Memory held.
    pub(super) fn size(&self) -> usize {
        self.data.len()
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) enum ReportKind {
    Html,
    Json,
    /// What a build would record (`preview`).
    Record,
}

/// What the builder thread is told.
pub(super) enum Msg {
    /// Files changed (paths relative to the site root).
    Changed(Vec<std::path::PathBuf>),
    /// An HTTP thread wants a report of the current state.
    Report(ReportKind, Sender<String>),
    Stop,
}

pub(super) struct Shared {
    files: RwLock<HashMap<String, Arc<Stored>>>,
    overlay: RwLock<Option<String>>,
    generation: Mutex<u64>,
    changed: Condvar,
    stopping: AtomicBool,
    asks: Mutex<Sender<Msg>>,
}

impl Shared {
    pub(super) fn new(asks: Sender<Msg>) -> Shared {
        Shared {
            files: RwLock::default(),
            overlay: RwLock::default(),
            generation: Mutex::new(0),
            changed: Condvar::new(),
            stopping: AtomicBool::new(false),
            asks: Mutex::new(asks),
        }
    }

    pub(super) fn file(&self, path: &str) -> Option<Arc<Stored>> {
        self.files.read().unwrap_or_else(|e| e.into_inner()).get(path).cloned()
    }

    /// Replace files: remove `old` paths, insert `new` ones.
    pub(super) fn replace(&self, old: &[String], new: Vec<(String, Arc<Stored>)>) {
        let mut files = self.files.write().unwrap_or_else(|e| e.into_inner());
        for p in old {
            files.remove(p);
        }
        files.extend(new);
    }

    /// Every file with the BLAKE3 of the bytes a build would write.
    pub(super) fn hashes(&self) -> std::collections::BTreeMap<String, String> {
        let files = self.files.read().unwrap_or_else(|e| e.into_inner());
        files.iter().map(|(p, s)| (p.clone(), s.hash.clone())).collect()
    }

    /// Memory held by the built files.
    pub(super) fn stored_bytes(&self) -> usize {
        self.files.read().unwrap_or_else(|e| e.into_inner()).values().map(|s| s.size()).sum()
    }

    pub(super) fn overlay_html(&self) -> Option<String> {
        self.overlay.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(super) fn set_overlay(&self, overlay: Option<String>) {
        *self.overlay.write().unwrap_or_else(|e| e.into_inner()) = overlay;
    }

    pub(super) fn generation(&self) -> u64 {
        *self.generation.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Something changed: every open page reloads.
    pub(super) fn bump(&self) {
        *self.generation.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.changed.notify_all();
    }

    /// Wait until the generation moves past `seen`; `false` on timeout.
    pub(super) fn wait_change(&self, seen: u64, timeout: Duration) -> bool {
        let guard = self.generation.lock().unwrap_or_else(|e| e.into_inner());
        let (g, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |g| *g == seen && !self.stopping.load(Ordering::Relaxed))
            .unwrap_or_else(|e| e.into_inner());
        *g != seen
    }

    pub(super) fn stop(&self) {
        self.stopping.store(true, Ordering::Relaxed);
        self.changed.notify_all();
    }

    pub(super) fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }

    /// A report of the current state, made by the builder thread.
    pub(super) fn report(&self, kind: ReportKind) -> String {
        let (tx, rx) = channel();
        let sent = self.asks.lock().unwrap_or_else(|e| e.into_inner()).send(Msg::Report(kind, tx)).is_ok();
        if !sent {
            return String::new();
        }
        rx.recv_timeout(Duration::from_secs(60)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_files_round_trip() {
        let page = "<html>".repeat(500);
        let s = Stored::new(page.as_bytes());
        assert!(s.size() < page.len() / 4);
        assert_eq!(s.bytes(), page.as_bytes());
        let tiny = Stored::new(b"abc");
        assert_eq!(tiny.bytes(), b"abc");
    }
}
