//! `backup` and `restore`: every table of the desk as JSON lines, the same on SQLite and
//! PostgreSQL (a backup of one restores into the other). A restore goes into an empty, migrated
//! database, in one transaction.

use std::io::{BufRead, Write};

use serde_json::{Value, json};

use crate::db::{Db, Row, Stmt, V};
use crate::migrate;

/// The first line's format name.
pub const FORMAT: &str = "gongkai-desk-backup/1";

/// Every table and its columns, in the schema's order.
pub const TABLES: &[(&str, &[&str])] = &[
    ("counters", &["unit", "year", "n"]),
    (
        "cases",
        &[
            "unit",
            "year",
            "seq",
            "received",
            "received_at",
            "due",
            "lookup_hash",
            "applicant",
            "id_doc",
            "phone",
            "email",
            "address",
            "info",
            "doc_number",
            "medium",
            "delivery",
            "state",
            "outcome",
            "outcome_reason",
            "replied",
            "extended_due",
            "extension_reason",
            "purged",
            "hold",
            "hold_from",
            "completion_asked",
        ],
    ),
    ("audit", &["unit", "year", "seq", "n", "at", "actor", "action", "detail"]),
    ("campaigns", &["id", "name", "unit", "opens", "closes"]),
    (
        "responses",
        &[
            "id",
            "campaign",
            "unit",
            "at",
            "content",
            "timeliness",
            "channels",
            "rules",
            "requests",
            "service",
            "remark",
            "reviewed",
        ],
    ),
    ("rectifications", &["campaign", "unit", "n", "problem", "measure", "due", "state", "done"]),
    ("users", &["name", "hash", "admin", "created", "disabled"]),
    ("user_units", &["name", "unit"]),
];

fn to_json(v: &V) -> Value {
    match v {
        V::I(Some(n)) => json!(n),
        V::T(Some(s)) => json!(s),
        _ => Value::Null,
    }
}

fn from_json(v: &Value) -> V {
    match v {
        Value::Number(n) => V::I(n.as_i64()),
        Value::String(s) => V::T(Some(s.clone())),
        _ => V::T(None),
    }
}

/// Writes the backup; the number of rows.
pub async fn backup(db: &Db, out: &mut impl Write) -> Result<usize, String> {
    let versions = migrate::applied(db).await.map_err(|e| e.to_string())?;
    let io = |e: std::io::Error| format!("无法写出备份：{e}");
    writeln!(out, "{}", json!({"format": FORMAT, "schema": versions})).map_err(io)?;
    let mut n = 0;
    for (table, cols) in TABLES {
        let rows: Vec<Row> = db
            .rows(&format!("SELECT {} FROM {table} ORDER BY {}", cols.join(", "), cols.join(", ")), vec![])
            .await
            .map_err(|e| e.to_string())?;
        for r in rows {
            let vals: Vec<Value> = r.0.iter().map(to_json).collect();
            writeln!(out, "{}", json!({"table": table, "row": vals})).map_err(io)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Restores a backup into an empty migrated database; the number of rows.
pub async fn restore(db: &Db, input: impl BufRead) -> Result<usize, String> {
    let mut lines = input.lines();
    let head: Value = lines
        .next()
        .and_then(Result::ok)
        .and_then(|l| serde_json::from_str(&l).ok())
        .ok_or("备份文件的第一行不对：这不是 gongkai-desk backup 写出的文件")?;
    if head["format"] != FORMAT {
        return Err(format!("备份格式「{}」不认识，只认 {FORMAT}", head["format"]));
    }
    let have = migrate::applied(db).await.map_err(|e| e.to_string())?;
    if head["schema"] != json!(have) {
        return Err(format!(
            "备份的结构版本 {} 与数据库的 {:?} 不同：先用同一版本的 gongkai-desk migrate",
            head["schema"], have
        ));
    }
    for (table, _) in TABLES {
        let rows = db.rows(&format!("SELECT COUNT(*) FROM {table}"), vec![]).await.map_err(|e| e.to_string())?;
        if rows.first().map(|r| r.int(0)) != Some(0) {
            return Err(format!("数据库的 {table} 表里已有数据：只能恢复到一个新建（migrate 过）的空数据库"));
        }
    }
    let mut stmts = Vec::new();
    for (k, line) in lines.enumerate() {
        let line = line.map_err(|e| format!("无法读取备份：{e}"))?;
        let bad = || format!("备份文件第 {} 行不对", k + 2);
        let v: Value = serde_json::from_str(&line).map_err(|_| bad())?;
        let table = v["table"].as_str().ok_or_else(bad)?;
        let (_, cols) = TABLES.iter().find(|(t, _)| *t == table).ok_or_else(bad)?;
        let row = v["row"].as_array().filter(|r| r.len() == cols.len()).ok_or_else(bad)?;
        let marks: Vec<String> = (1..=cols.len()).map(|n| format!("${n}")).collect();
        stmts.push(Stmt::new(
            &format!("INSERT INTO {table} ({}) VALUES ({})", cols.join(", "), marks.join(", ")),
            row.iter().map(from_json).collect(),
        ));
    }
    let n = stmts.len();
    db.tx(stmts).await.map_err(|e| format!("恢复失败，数据库没有改动：{e}"))?;
    Ok(n)
}
