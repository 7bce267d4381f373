//! `gongkai assess`: the supervising bureau's 考核 (issue 17). A bureau folder holds
//! `bureau.yaml` (the 考核年度 and the roster, `roster`); every roster unit's published data is
//! read from a site folder, a built folder or a live site (`read`, `gather`) into one versioned
//! snapshot (`snapshot`), shown in words (`human`) or as JSON. A commands-layer module: it uses
//! `load`, `check` and `report` for site folders and `verify`'s bounded HTTP client.

mod gather;
pub mod history;
mod human;
mod read;
pub mod roster;
pub mod snapshot;

use std::io::Write;
use std::path::PathBuf;

pub use self::gather::{GatherOptions, gather};
pub use self::roster::{BUREAU_FILE, Bureau};
pub use self::snapshot::Snapshot;
use crate::commands::Outcome;
use crate::error::{Error, Result};

/// Output formats of `assess --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AssessFormat {
    /// In words, for a person.
    Human,
    /// The snapshot as JSON (documented in the README).
    Json,
}

/// Options of `gongkai assess`.
#[derive(Debug, Clone)]
pub struct AssessOptions {
    /// The bureau folder (holding `bureau.yaml`).
    pub dir: PathBuf,
    /// The format.
    pub format: AssessFormat,
    /// Write the result there; the terminal still shows the words.
    pub output: Option<PathBuf>,
    /// How to gather.
    pub gather: GatherOptions,
    /// Store the gathering in this history file (`--save`).
    pub save: Option<PathBuf>,
}

/// The snapshot as JSON, pretty and ending with a newline.
pub fn to_json(snapshot: &Snapshot) -> String {
    let mut s = serde_json::to_string_pretty(snapshot).unwrap_or_default();
    s.push('\n');
    s
}

/// `gongkai assess`: read the bureau file, gather, print. Exit 1 while an error finding remains.
pub fn assess(opts: &AssessOptions, out: &mut dyn Write) -> Result<Outcome> {
    let bureau = roster::read(&opts.dir)?;
    let snapshot = gather(&bureau, &opts.gather);
    let saved = match &opts.save {
        Some(db) => Some((db, history::store(db, &snapshot)?)),
        None => None,
    };
    let text = match opts.format {
        AssessFormat::Human => human::render(&snapshot),
        AssessFormat::Json => to_json(&snapshot),
    };
    match &opts.output {
        Some(path) => {
            std::fs::write(path, text.as_bytes()).map_err(|e| Error::write(path, e))?;
            out.write_all(human::render(&snapshot).as_bytes())
        }
        None => out.write_all(text.as_bytes()),
    }
    .map_err(|e| Error::write("<stdout>", e))?;
    if let Some((db, id)) = saved {
        let line = format!("已存入历史库 {}（第 {id} 次汇总）\n", db.display());
        std::io::stderr().write_all(line.as_bytes()).map_err(|e| Error::write("<stderr>", e))?;
    }
    Ok(if snapshot.has_errors() { Outcome::Findings } else { Outcome::Clean })
}

/// `gongkai assess --history UNIT [--rule RULE]`: the stored changes of a unit, in words.
pub fn show_history(db: &std::path::Path, unit: &str, rule: Option<&str>, out: &mut dyn Write) -> Result<Outcome> {
    let changes = history::changes(db, unit, rule)?;
    out.write_all(history::render(unit, &changes).as_bytes()).map_err(|e| Error::write("<stdout>", e))?;
    Ok(Outcome::Clean)
}
