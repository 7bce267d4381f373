//! The history of a bureau's gatherings (`assess --save`, `assess --history UNIT`), in a
//! [`Store`]: an SQLite file by default, PostgreSQL through `gongkai-desk` for a province. Each
//! stored gathering keeps only what changed: a unit's status and counts, and each rule's outcome
//! per unit, are written when they differ from the unit's previous row; the bureau's findings are
//! kept for every gathering. So "when did this item go missing, and when was it fixed" is one
//! indexed query over a unit's rows. The tables are made by the SQL migrations in `migrations/`,
//! plain SQL that both databases run, like every statement here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::snapshot::{Snapshot, Status};
use super::store::{Lite, Row, Store, Value};
use crate::error::{Error, Result};

/// The history file's name inside the bureau folder.
pub const HISTORY_FILE: &str = "history.sqlite";

/// The migrations, in order: (version, name, SQL).
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "history", include_str!("migrations/0001_history.sql")),
    (2, "rules digest", include_str!("migrations/0002_rules_digest.sql")),
];

/// A rule's outcome that is no longer reported for a gathered unit.
const ABSENT: &str = "absent";

/// The error of a history that cannot be used.
pub fn db_error(db: &dyn Store, e: &str) -> Error {
    Error::Usage(format!("历史库 {} 无法使用：{e}\n  帮助: {}", db.name(), db.help()))
}

/// Open (or make) the SQLite history at `path` and bring its tables up to date.
pub fn open(path: &Path) -> Result<Lite> {
    let mut db = Lite::open(path).map_err(|e| {
        Error::Usage(format!(
            "历史库 {} 无法使用：{e}\n  帮助: 这个文件应由 gongkai assess --save 生成；如果它是别的文件，请换一个文件名（--db）",
            path.display()
        ))
    })?;
    migrate(&mut db)?;
    Ok(db)
}

/// Runs `f` in one transaction: committed when it succeeds, rolled back otherwise.
fn in_transaction<T>(db: &mut dyn Store, f: impl FnOnce(&mut dyn Store) -> Result<T>) -> Result<T> {
    db.batch("BEGIN").map_err(|e| db_error(db, &e))?;
    match f(db) {
        Ok(v) => {
            db.batch("COMMIT").map_err(|e| db_error(db, &e))?;
            Ok(v)
        }
        Err(e) => {
            let _ = db.batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Run the migrations not yet applied. A database that has tables but not ours is refused (it is
/// someone else's).
pub fn migrate(db: &mut dyn Store) -> Result<()> {
    in_transaction(db, |db| {
        let tables = db.tables().map_err(|e| db_error(db, &e))?;
        let ours = tables.iter().any(|t| t == "schema_migration");
        if !ours && !tables.is_empty() {
            return Err(db_error(db, "这个数据库不是 gongkai 的历史库"));
        }
        let done = if ours {
            let rows = db.query("SELECT coalesce(max(version), 0) FROM schema_migration", &[]);
            rows.map_err(|e| db_error(db, &e))?.first().and_then(|r| r.int(0)).unwrap_or(0)
        } else {
            0
        };
        for (version, name, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > done) {
            db.batch(sql).map_err(|e| db_error(db, &e))?;
            db.execute(
                "INSERT INTO schema_migration (version, name) VALUES (?1, ?2)",
                &[Value::int(*version), Value::text(*name)],
            )
            .map_err(|e| db_error(db, &e))?;
        }
        Ok(())
    })
}

/// Store a gathering in the SQLite history at `path`; its number in the history.
pub fn store(path: &Path, snapshot: &Snapshot) -> Result<i64> {
    store_in(&mut open(path)?, snapshot)
}

/// Store a gathering; its number in the history. A gathering dated before the last one stored is
/// refused: the history runs forward.
pub fn store_in(db: &mut dyn Store, snapshot: &Snapshot) -> Result<i64> {
    in_transaction(db, |db| {
        let q = |db: &mut dyn Store, sql: &str, args: &[Value]| db.query(sql, args).map_err(|e| db_error(db, &e));
        let last = q(db, "SELECT day FROM gathering ORDER BY id DESC LIMIT 1", &[])?;
        if let Some(last) = last.first().map(|r| r.str(0)).filter(|d| *d > snapshot.date) {
            return Err(Error::Usage(format!(
                "历史库 {} 中已有 {last} 的汇总，不能再存入更早的 {}：历史只能按日期向后记录",
                db.name(),
                snapshot.date
            )));
        }
        insert(db, snapshot).map_err(|e| db_error(db, &e))
    })
}

type UnitRow = (String, Option<i64>, Option<i64>, Option<i64>, Option<String>);

fn unit_row(r: &Row, from: usize) -> UnitRow {
    (r.str(from), r.int(from + 1), r.int(from + 2), r.int(from + 3), r.text(from + 4))
}

fn next_id(db: &mut dyn Store, table: &str) -> std::result::Result<i64, String> {
    let rows = db.query(&format!("SELECT coalesce(max(id), 0) + 1 FROM {table}"), &[])?;
    Ok(rows.first().and_then(|r| r.int(0)).unwrap_or(1))
}

/// Each unit's latest stored row: unit id → row.
fn latest_units(db: &mut dyn Store) -> std::result::Result<BTreeMap<i64, UnitRow>, String> {
    let rows = db.query(
        "SELECT c.unit_id, c.status, c.required, c.published, c.score, c.grade FROM unit_change AS c \
         WHERE c.gathering_id = (SELECT max(gathering_id) FROM unit_change WHERE unit_id = c.unit_id)",
        &[],
    )?;
    Ok(rows.iter().map(|r| (r.int(0).unwrap_or_default(), unit_row(r, 1))).collect())
}

/// A unit's rules' latest stored outcomes: rule → (status, title).
fn latest_rules(db: &mut dyn Store, unit: i64) -> std::result::Result<BTreeMap<String, (String, String)>, String> {
    let rows = db.query(
        "SELECT c.rule, c.status, c.title FROM rule_change AS c WHERE c.unit_id = ?1 AND c.gathering_id = \
         (SELECT max(gathering_id) FROM rule_change WHERE unit_id = c.unit_id AND rule = c.rule)",
        &[Value::int(unit)],
    )?;
    Ok(rows.iter().map(|r| (r.str(0), (r.str(1), r.str(2)))).collect())
}

/// What a unit's reported rule outcomes come to: equal digests, the same outcomes.
fn digest(rules: &[super::snapshot::RuleOutcome]) -> String {
    let mut list: Vec<(&str, &str)> = rules.iter().map(|r| (r.rule.as_str(), r.status.as_str())).collect();
    list.sort_unstable();
    let mut h = blake3::Hasher::new();
    for (rule, status) in list {
        h.update(rule.as_bytes()).update(b"\0").update(status.as_bytes()).update(b"\n");
    }
    h.finalize().to_hex()[..32].to_string()
}

fn insert(db: &mut dyn Store, s: &Snapshot) -> std::result::Result<i64, String> {
    let gathering = next_id(db, "gathering")?;
    let summary = serde_json::to_string(&s.summary).unwrap_or_default();
    db.execute(
        "INSERT INTO gathering (id, year, day, tool_version, snapshot_version, summary) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[
            Value::int(gathering),
            Value::int(s.year),
            Value::text(&s.date),
            Value::text(&s.tool_version),
            Value::int(s.schema_version),
            Value::text(summary),
        ],
    )?;
    // what is stored already, read once: the units, their latest rows and rule outcomes
    let mut known: BTreeMap<String, (i64, Option<String>, Option<String>)> = BTreeMap::new();
    for r in db.query("SELECT id, name, code, rules_digest FROM unit", &[])? {
        known.insert(r.str(1), (r.int(0).unwrap_or_default(), r.text(2), r.text(3)));
    }
    let mut unit_id = next_id(db, "unit")?;
    let units_before = latest_units(db)?;
    let (mut new_units, mut codes, mut unit_changes, mut rule_changes, mut digests) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut ids: BTreeMap<&str, i64> = BTreeMap::new();
    let g = Value::int(gathering);
    for u in &s.units {
        let (id, stored_digest) = match known.get(&u.name) {
            Some((id, code, digest)) => {
                if *code != u.code {
                    codes.push(vec![Value::Text(u.code.clone()), Value::int(*id)]);
                }
                (*id, digest.as_deref())
            }
            None => {
                let id = unit_id;
                unit_id += 1;
                new_units.push(vec![Value::int(id), Value::text(&u.name), Value::Text(u.code.clone())]);
                (id, None)
            }
        };
        ids.insert(&u.name, id);
        let status = serde_json::to_value(u.status).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        let d = u.data.as_ref();
        let row: UnitRow = (
            status,
            d.map(|d| i64::from(d.required)),
            d.map(|d| i64::from(d.published)),
            d.and_then(|d| d.score).map(i64::from),
            d.and_then(|d| d.grade.clone()),
        );
        if units_before.get(&id) != Some(&row) {
            unit_changes.push(vec![
                Value::int(id),
                g.clone(),
                Value::text(row.0),
                Value::Int(row.1),
                Value::Int(row.2),
                Value::Int(row.3),
                Value::Text(row.4),
            ]);
        }
        // rule outcomes: only for a unit read with its report (otherwise they are unknown, and
        // the last known ones stand)
        let Some(data) = d.filter(|d| u.status == Status::Gathered && !d.rules.is_empty()) else { continue };
        let now = digest(&data.rules);
        if stored_digest == Some(now.as_str()) {
            continue;
        }
        digests.push(vec![Value::text(now), Value::int(id)]);
        let current = latest_rules(db, id)?;
        let mut seen = BTreeSet::new();
        let mut change = |rule: &str, status: &str, title: &str| {
            rule_changes.push(vec![
                Value::int(id),
                Value::text(rule),
                g.clone(),
                Value::text(status),
                Value::text(title),
            ]);
        };
        for r in &data.rules {
            seen.insert(r.rule.as_str());
            if current.get(&r.rule).map(|(status, _)| status.as_str()) != Some(r.status.as_str()) {
                change(&r.rule, &r.status, &r.title);
            }
        }
        for (rule, (status, title)) in &current {
            if !seen.contains(rule.as_str()) && status != ABSENT {
                change(rule, ABSENT, title);
            }
        }
    }
    db.execute_many("INSERT INTO unit (id, name, code) VALUES (?1, ?2, ?3)", &new_units)?;
    db.execute_many("UPDATE unit SET code = ?1 WHERE id = ?2", &codes)?;
    db.execute_many("UPDATE unit SET rules_digest = ?1 WHERE id = ?2", &digests)?;
    db.execute_many(
        "INSERT INTO unit_change (unit_id, gathering_id, status, required, published, score, grade) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &unit_changes,
    )?;
    db.execute_many(
        "INSERT INTO rule_change (unit_id, rule, gathering_id, status, title) VALUES (?1, ?2, ?3, ?4, ?5)",
        &rule_changes,
    )?;
    let findings: Vec<Vec<Value>> = s
        .findings
        .iter()
        .map(|f| {
            let unit = f.unit.as_deref().and_then(|n| ids.get(n)).copied();
            let kind = serde_json::to_value(f.kind).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
            vec![g.clone(), Value::Int(unit), Value::text(kind), Value::text(&f.severity), Value::text(&f.message)]
        })
        .collect();
    db.execute_many(
        "INSERT INTO finding (gathering_id, unit_id, kind, severity, message) VALUES (?1, ?2, ?3, ?4, ?5)",
        &findings,
    )?;
    Ok(gathering)
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

/// The changes of a unit's rule outcomes in the SQLite history at `path` (of one rule, when
/// given), by day, then rule.
pub fn changes(path: &Path, unit: &str, rule: Option<&str>) -> Result<Vec<Change>> {
    if !path.is_file() {
        return Err(Error::Usage(format!("没有历史库 {}：先用 gongkai assess --save 存入汇总", path.display())));
    }
    changes_in(&mut open(path)?, unit, rule)
}

/// The changes of a unit's rule outcomes (of one rule, when given), by day, then rule.
pub fn changes_in(db: &mut dyn Store, unit: &str, rule: Option<&str>) -> Result<Vec<Change>> {
    let known = db.query("SELECT id FROM unit WHERE name = ?1", &[Value::text(unit)]).map_err(|e| db_error(db, &e))?;
    let Some(id) = known.first().and_then(|r| r.int(0)) else {
        return Err(Error::Usage(format!("历史库 {} 中没有名为「{unit}」的单位：写名单上的单位名称", db.name())));
    };
    let (filter, args) = match rule {
        Some(rule) => (" AND c.rule = ?2", vec![Value::int(id), Value::text(rule)]),
        None => ("", vec![Value::int(id)]),
    };
    let sql = format!(
        "SELECT g.day, c.rule, c.title, c.status FROM rule_change AS c JOIN gathering AS g ON g.id = c.gathering_id \
         WHERE c.unit_id = ?1{filter} ORDER BY c.rule, c.gathering_id"
    );
    let rows = db.query(&sql, &args).map_err(|e| db_error(db, &e))?;
    let mut out: Vec<Change> = Vec::new();
    for r in rows {
        let (day, rule, title, to) = (r.str(0), r.str(1), r.str(2), r.str(3));
        let from = out.last().filter(|c| c.rule == rule).map(|c| c.to.clone());
        out.push(Change { day, rule, title, from, to });
    }
    out.sort_by(|a, b| (&a.day, &a.rule).cmp(&(&b.day, &b.rule)));
    Ok(out)
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
