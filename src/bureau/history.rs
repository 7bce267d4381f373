//! The history of a bureau's gatherings in SQLite (`assess --save`, `assess --history UNIT`).
//! Each stored gathering keeps only what changed: a unit's status and counts, and each rule's
//! outcome per unit, are written when they differ from the unit's previous row; the bureau's
//! findings are kept for every gathering. So "when did this item go missing, and when was it
//! fixed" is one indexed query over a unit's rows. The tables are made by the SQL migrations in
//! `migrations/`, plain SQL that PostgreSQL runs too.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::snapshot::{Snapshot, Status};
use crate::error::{Error, Result};

/// The history file's name inside the bureau folder.
pub const HISTORY_FILE: &str = "history.sqlite";

/// The migrations, in order: (version, name, SQL).
const MIGRATIONS: &[(i64, &str, &str)] = &[(1, "history", include_str!("migrations/0001_history.sql"))];

/// A rule's outcome that is no longer reported for a gathered unit.
const ABSENT: &str = "absent";

pub(super) fn db_error(path: &Path, e: &rusqlite::Error) -> Error {
    Error::Usage(format!(
        "历史库 {} 无法使用：{e}\n  帮助: 这个文件应由 gongkai assess --save 生成；如果它是别的文件，请换一个文件名（--db）",
        path.display()
    ))
}

/// Open (or make) the history at `path` and bring its tables up to date.
pub(super) fn open(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open(path).map_err(|e| db_error(path, &e))?;
    migrate(&mut conn).map_err(|e| db_error(path, &e))?;
    Ok(conn)
}

/// Run the migrations not yet applied. A database that has tables but not ours is refused (it is
/// someone else's file).
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    let ours: bool = tx.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migration'",
        [],
        |r| r.get::<_, i64>(0).map(|n| n > 0),
    )?;
    let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0))?;
    if !ours && tables > 0 {
        return Err(rusqlite::Error::InvalidParameterName("这个数据库不是 gongkai 的历史库".into()));
    }
    let done: i64 = if ours {
        tx.query_row("SELECT coalesce(max(version), 0) FROM schema_migration", [], |r| r.get(0))?
    } else {
        0
    };
    for (version, name, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > done) {
        tx.execute_batch(sql)?;
        tx.execute("INSERT INTO schema_migration (version, name) VALUES (?1, ?2)", params![version, name])?;
    }
    tx.commit()
}

/// Store a gathering; its number in the history. A gathering dated before the last one stored is
/// refused: the history runs forward.
pub fn store(path: &Path, snapshot: &Snapshot) -> Result<i64> {
    let mut conn = open(path)?;
    let tx = conn.transaction().map_err(|e| db_error(path, &e))?;
    let last: Option<String> = tx
        .query_row("SELECT day FROM gathering ORDER BY id DESC LIMIT 1", [], |r| r.get(0))
        .optional()
        .map_err(|e| db_error(path, &e))?;
    if let Some(last) = last.filter(|d| *d > snapshot.date) {
        return Err(Error::Usage(format!(
            "历史库 {} 中已有 {last} 的汇总，不能再存入更早的 {}：历史只能按日期向后记录",
            path.display(),
            snapshot.date
        )));
    }
    let id = insert(&tx, snapshot).map_err(|e| db_error(path, &e))?;
    tx.commit().map_err(|e| db_error(path, &e))?;
    Ok(id)
}

fn next_id(tx: &Transaction<'_>, table: &str) -> rusqlite::Result<i64> {
    tx.query_row(&format!("SELECT coalesce(max(id), 0) + 1 FROM {table}"), [], |r| r.get(0))
}

fn insert(tx: &Transaction<'_>, s: &Snapshot) -> rusqlite::Result<i64> {
    let gathering = next_id(tx, "gathering")?;
    let summary = serde_json::to_string(&s.summary).unwrap_or_default();
    tx.execute(
        "INSERT INTO gathering (id, year, day, tool_version, snapshot_version, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![gathering, s.year, s.date, s.tool_version, s.schema_version, summary],
    )?;
    let mut ids: BTreeMap<&str, i64> = BTreeMap::new();
    for u in &s.units {
        let id = match tx.query_row("SELECT id FROM unit WHERE name = ?1", [&u.name], |r| r.get(0)).optional()? {
            Some(id) => {
                tx.execute("UPDATE unit SET code = ?1 WHERE id = ?2", params![u.code, id])?;
                id
            }
            None => {
                let id = next_id(tx, "unit")?;
                tx.execute("INSERT INTO unit (id, name, code) VALUES (?1, ?2, ?3)", params![id, u.name, u.code])?;
                id
            }
        };
        ids.insert(&u.name, id);
        let status = serde_json::to_value(u.status).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        let d = u.data.as_ref();
        let row = (
            status,
            d.map(|d| d.required),
            d.map(|d| d.published),
            d.and_then(|d| d.score),
            d.and_then(|d| d.grade.clone()),
        );
        let previous = tx
            .query_row(
                "SELECT status, required, published, score, grade FROM unit_change WHERE unit_id = ?1 ORDER BY gathering_id DESC LIMIT 1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        if previous.as_ref() != Some(&row) {
            tx.execute(
                "INSERT INTO unit_change (unit_id, gathering_id, status, required, published, score, grade) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id, gathering, row.0, row.1, row.2, row.3, row.4],
            )?;
        }
        // rule outcomes: only for a unit read with its report (otherwise they are unknown, and
        // the last known ones stand)
        let Some(data) = d.filter(|d| u.status == Status::Gathered && !d.rules.is_empty()) else { continue };
        let current = current_rules(tx, id)?;
        let mut seen = std::collections::BTreeSet::new();
        for r in &data.rules {
            seen.insert(r.rule.as_str());
            if current.get(&r.rule).map(|(status, _)| status.as_str()) != Some(r.status.as_str()) {
                add_rule(tx, id, &r.rule, gathering, &r.status, &r.title)?;
            }
        }
        for (rule, (status, title)) in &current {
            if !seen.contains(rule.as_str()) && status != ABSENT {
                add_rule(tx, id, rule, gathering, ABSENT, title)?;
            }
        }
    }
    for f in &s.findings {
        let unit = f.unit.as_deref().and_then(|n| ids.get(n));
        let kind = serde_json::to_value(f.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        tx.execute(
            "INSERT INTO finding (gathering_id, unit_id, kind, severity, message) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![gathering, unit, kind, f.severity, f.message],
        )?;
    }
    Ok(gathering)
}

fn add_rule(
    tx: &Transaction<'_>,
    unit: i64,
    rule: &str,
    gathering: i64,
    status: &str,
    title: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO rule_change (unit_id, rule, gathering_id, status, title) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![unit, rule, gathering, status, title],
    )?;
    Ok(())
}

/// Each rule's latest stored outcome for a unit: rule → (status, title).
fn current_rules(tx: &Transaction<'_>, unit: i64) -> rusqlite::Result<BTreeMap<String, (String, String)>> {
    let mut stmt = tx.prepare(
        "SELECT rule, status, title FROM rule_change AS c WHERE unit_id = ?1 AND gathering_id = \
         (SELECT max(gathering_id) FROM rule_change WHERE unit_id = c.unit_id AND rule = c.rule)",
    )?;
    let rows = stmt.query_map([unit], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    rows.collect()
}

/// One stored change of a unit's rule outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The day of the gathering that saw it.
    pub day: String,
    /// `pack/rule`.
    pub rule: String,
    /// The item's title.
    pub title: String,
    /// The outcome before (`None`: first seen).
    pub from: Option<String>,
    /// The outcome from that day on.
    pub to: String,
}

/// The changes of a unit's rule outcomes (of one rule, when given), by day, then rule.
pub fn changes(path: &Path, unit: &str, rule: Option<&str>) -> Result<Vec<Change>> {
    if !path.is_file() {
        return Err(Error::Usage(format!("没有历史库 {}：先用 gongkai assess --save 存入汇总", path.display())));
    }
    let conn = open(path)?;
    let known: Option<i64> = conn
        .query_row("SELECT id FROM unit WHERE name = ?1", [unit], |r| r.get(0))
        .optional()
        .map_err(|e| db_error(path, &e))?;
    let Some(id) = known else {
        return Err(Error::Usage(format!("历史库 {} 中没有名为「{unit}」的单位：写名单上的单位名称", path.display())));
    };
    let run = || -> rusqlite::Result<Vec<Change>> {
        let mut stmt = conn.prepare(
            "SELECT g.day, c.rule, c.title, c.status FROM rule_change AS c JOIN gathering AS g ON g.id = c.gathering_id \
             WHERE c.unit_id = ?1 AND (?2 IS NULL OR c.rule = ?2) ORDER BY c.rule, c.gathering_id",
        )?;
        let rows = stmt.query_map(params![id, rule], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        let mut out: Vec<Change> = Vec::new();
        for row in rows {
            let (day, rule, title, to): (String, String, String, String) = row?;
            let from = out.last().filter(|c| c.rule == rule).map(|c| c.to.clone());
            out.push(Change { day, rule, title, from, to });
        }
        out.sort_by(|a, b| (&a.day, &a.rule).cmp(&(&b.day, &b.rule)));
        Ok(out)
    };
    run().map_err(|e| db_error(path, &e))
}

fn label(status: &str) -> &str {
    match status {
        "passed" => "已公开",
        "failed" => "未公开",
        "unchecked" => "无法判断",
        ABSENT => "不再要求",
        other => other,
    }
}

/// The changes in words: what went missing when, and when it was fixed.
pub fn render(unit: &str, changes: &[Change]) -> String {
    let mut t = format!("「{unit}」各项公开情况的变化（{} 条）：\n", changes.len());
    for c in changes {
        let what = match (c.from.as_deref(), c.to.as_str()) {
            (None, to) => format!("首次汇总：{}", label(to)),
            (Some("passed"), "failed") => "不再公开（缺失）".to_string(),
            (Some("failed"), "passed") => "已改正".to_string(),
            (Some(from), to) => format!("{} → {}", label(from), label(to)),
        };
        t.push_str(&format!("  {}  {}（{}）：{what}\n", c.day, c.title, c.rule));
    }
    t
}
