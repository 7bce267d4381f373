//! `gongkai assess`: the supervising bureau's 考核 (issue 17). A bureau folder holds
//! `bureau.yaml` (the 考核年度 and the roster, `roster`); every roster unit's published data is
//! read from a site folder, a built folder or a live site (`read`, `gather`) into one versioned
//! snapshot (`snapshot`), shown in words (`human`) or as JSON. A commands-layer module: it uses
//! `load`, `check` and `report` for site folders and `verify`'s bounded HTTP client.

pub mod feedback;
mod gather;
pub mod history;
mod human;
pub mod liability;
mod pages;
mod read;
pub mod roster;
pub mod scheme;
pub mod score;
pub mod snapshot;
pub mod store;
mod table;
pub mod timeline;

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
    /// Store the gathering in the history (`--save`).
    pub save: bool,
    /// The SQLite history file: stored into with `save`, read for the 评分表 (days late, evidence
    /// dates, the trend) when it exists. `None` with [`assess_with`]: the caller's store.
    pub db: Option<PathBuf>,
    /// Write the dashboard, the letters and the 评分表 into this folder (`--site`).
    pub site: Option<PathBuf>,
}

/// The snapshot as JSON, pretty and ending with a newline.
pub fn to_json(snapshot: &Snapshot) -> String {
    let mut s = serde_json::to_string_pretty(snapshot).unwrap_or_default();
    s.push('\n');
    s
}

/// Opens the history: `true` when the gathering is to be stored (then it is made if need be),
/// `false` when it is only read (then `None` when there is none).
pub type OpenHistory<'a> = &'a dyn Fn(bool) -> Result<Option<Box<dyn store::Store>>>;

/// `gongkai assess`: read the bureau file, gather, print, with the SQLite history of
/// [`AssessOptions::db`]. Exit 1 while an error finding remains.
pub fn assess(opts: &AssessOptions, out: &mut dyn Write) -> Result<Outcome> {
    let open = |saving: bool| -> Result<Option<Box<dyn store::Store>>> {
        match &opts.db {
            Some(path) if saving || path.is_file() => Ok(Some(Box::new(history::open(path)?))),
            _ => Ok(None),
        }
    };
    assess_with(opts, &open, out)
}

/// `assess` with the history that `open` gives (PostgreSQL for a province: `gongkai-desk assess`).
pub fn assess_with(opts: &AssessOptions, open: OpenHistory<'_>, out: &mut dyn Write) -> Result<Outcome> {
    let bureau = roster::read(&opts.dir)?;
    // the scheme, the hand scores and the letters sent are read before gathering: a mistake in
    // them stops at once
    let scoring = match &opts.site {
        Some(_) => {
            let scheme = scheme::read_scheme(&bureau)?;
            let entries = scheme::read_entries(&bureau, &scheme)?;
            let letters = feedback::read(&bureau)?;
            Some((scheme, entries, letters))
        }
        None => None,
    };
    let snapshot = gather(&bureau, &opts.gather);
    let mut db = if opts.save || opts.site.is_some() { open(opts.save)? } else { None };
    let saved = match db.as_deref_mut().filter(|_| opts.save) {
        Some(db) => Some((db.name(), history::store_in(db, &snapshot)?)),
        None => None,
    };
    let written = match (&opts.site, scoring) {
        (Some(out), Some((scheme, entries, letters))) => {
            let timeline = timeline::read_in(db.as_deref_mut().map(|d| d as &mut dyn store::Store), &snapshot)?;
            let sheet = score::score(&scheme, &entries, &snapshot, &timeline);
            let evidence = liability::all(snapshot.units.iter().map(|u| u.name.as_str()), &timeline, &letters);
            publish(out, &opts.dir, &snapshot, &sheet, &timeline, &evidence)?;
            Some((out, sheet))
        }
        _ => None,
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
        let line = format!("已存入历史库 {db}（第 {id} 次汇总）\n");
        std::io::stderr().write_all(line.as_bytes()).map_err(|e| Error::write("<stderr>", e))?;
    }
    if let Some((out, sheet)) = written {
        let graded = sheet.rows.iter().filter(|r| r.grade.is_some()).count();
        let line = format!(
            "已写出考核结果 {}：评分表 {} 个单位，已定等次 {graded}，待评 {}{}\n",
            out.display(),
            sheet.rows.len(),
            sheet.rows.len() - graded,
            if sheet.approval.is_some() { "" } else { "（尚未经领导小组审定）" }
        );
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

/// `show_history` over any history.
pub fn show_history_in(
    db: &mut dyn store::Store,
    unit: &str,
    rule: Option<&str>,
    out: &mut dyn Write,
) -> Result<Outcome> {
    let changes = history::changes_in(db, unit, rule)?;
    out.write_all(history::render(unit, &changes).as_bytes()).map_err(|e| Error::write("<stdout>", e))?;
    Ok(Outcome::Clean)
}

/// Write the dashboard, the letters, and the 评分表 as CSV and XLSX into `out`, atomically.
fn publish(
    out: &std::path::Path,
    dir: &std::path::Path,
    snapshot: &Snapshot,
    sheet: &score::Sheet,
    timeline: &timeline::Timeline,
    evidence: &[liability::Evidence],
) -> Result<()> {
    use crate::output::Sink;
    let csv_name = format!("score-sheet-{}.csv", snapshot.year);
    let xlsx_name = format!("score-sheet-{}.xlsx", snapshot.year);
    let p = pages::Pages { snapshot, sheet, timeline, evidence, files: (&csv_name, &xlsx_name) };
    let staging = crate::output::Staging::new(out, dir)?;
    staging.put("index.html", pages::dashboard(&p).as_bytes())?;
    for i in 0..snapshot.units.len() {
        staging.put(&pages::letter_path(i), pages::letter(&p, i).as_bytes())?;
    }
    let (head, rows) = table::rows(sheet, snapshot);
    staging.put(&csv_name, &table::csv(&head, &rows))?;
    let note = match &sheet.approval {
        Some(a) => format!("考核结果经{}于 {} 审定。", a.by, a.date),
        None => "初步考核结果，尚未经领导小组审定；待评的单位不评等次。".to_string(),
    };
    let xlsx =
        table::xlsx(&head, &rows, &note).map_err(|e| Error::Usage(format!("评分表 {xlsx_name} 无法生成：{e}")))?;
    staging.put(&xlsx_name, &xlsx)?;
    if let Some(warning) = staging.commit()? {
        std::io::stderr().write_all(format!("{warning}\n").as_bytes()).map_err(|e| Error::write("<stderr>", e))?;
    }
    Ok(())
}
