//! Versioned schema migrations: each is applied once, in order, in one transaction with the row
//! that records it in `desk_schema`. The SQL is the same for SQLite and PostgreSQL.

use crate::db::{Db, DbError, Stmt, i, t};

/// The migrations: (version, what it does, SQL). Append only; never edit a released one.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "申请、审计、评议、账号", include_str!("../migrations/0001_init.sql")),
    (2, "按收到日期和评议编号的索引", include_str!("../migrations/0002_indexes.sql")),
    (3, "补正和征求第三方意见", include_str!("../migrations/0003_holds.sql")),
    (4, "停用账号", include_str!("../migrations/0004_disabled.sql")),
];

const TABLE: &str =
    "CREATE TABLE IF NOT EXISTS desk_schema (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)";

/// The versions a database has.
pub async fn applied(db: &Db) -> Result<Vec<i64>, DbError> {
    db.exec(TABLE, vec![]).await?;
    let rows = db.rows("SELECT version FROM desk_schema ORDER BY version", vec![]).await?;
    Ok(rows.iter().map(|r| r.int(0)).collect())
}

/// Applies the migrations a database lacks, up to `upto` (all: `None`); the versions applied.
pub async fn migrate(db: &Db, upto: Option<i64>) -> Result<Vec<i64>, String> {
    let have = applied(db).await.map_err(|e| e.to_string())?;
    if let Some(newer) = have.iter().find(|v| !MIGRATIONS.iter().any(|(m, _, _)| m == *v)) {
        return Err(format!("数据库的结构版本 {newer} 比这个 gongkai-desk 新：请换用新版本的程序"));
    }
    let mut done = Vec::new();
    for (version, name, sql) in MIGRATIONS {
        if have.contains(version) || upto.is_some_and(|u| *version > u) {
            continue;
        }
        let now = jiff::Timestamp::now().to_string();
        let record = Stmt::new(
            "INSERT INTO desk_schema (version, name, applied) VALUES ($1, $2, $3)",
            vec![i(*version), t(*name), t(now)],
        );
        db.script(sql, vec![record]).await.map_err(|e| format!("结构迁移 {version}（{name}）失败：{e}"))?;
        done.push(*version);
    }
    Ok(done)
}

/// Whether every migration is applied; a Chinese error saying what to run otherwise.
pub async fn check_current(db: &Db) -> Result<(), String> {
    let have = applied(db).await.map_err(|e| e.to_string())?;
    let missing: Vec<String> =
        MIGRATIONS.iter().filter(|(v, _, _)| !have.contains(v)).map(|(v, _, _)| v.to_string()).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "数据库缺少结构迁移 {}\n  帮助: 先运行 gongkai-desk migrate --db <同一个数据库地址>",
            missing.join("、")
        ))
    }
}
