//! The desk's storage: one SQLite file (the default; WAL, `synchronous=FULL`: a receipt is shown
//! only after its row is on disk) or PostgreSQL. Both run the same SQL: the statements keep to
//! what both understand (`$1` parameters, `TEXT` and `BIGINT`, `ON CONFLICT`, `RETURNING`), and a
//! transaction is a list of statements, so that no caller holds a connection across an await.
//!
//! SQLite goes through `rusqlite` (the version the `gongkai` library already builds: sqlx's SQLite
//! driver wants an older `libsqlite3-sys`, and one workspace can link only one), one connection
//! with group commit (`crate::lite`); PostgreSQL through sqlx.

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Column, Row as _, TypeInfo};

/// A parameter or a column's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum V {
    /// A whole number (`BIGINT`), or NULL.
    I(Option<i64>),
    /// A text, or NULL.
    T(Option<String>),
}

/// A text parameter.
pub fn t(s: impl Into<String>) -> V {
    V::T(Some(s.into()))
}

/// A number parameter.
pub fn i(n: i64) -> V {
    V::I(Some(n))
}

/// A row of a result.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<V>);

impl Row {
    /// Column `c` as a text ("" for NULL or a number).
    pub fn text(&self, c: usize) -> String {
        match self.0.get(c) {
            Some(V::T(Some(s))) => s.clone(),
            Some(V::I(Some(n))) => n.to_string(),
            _ => String::new(),
        }
    }

    /// Column `c` as a text, `None` for NULL.
    pub fn opt(&self, c: usize) -> Option<String> {
        match self.0.get(c) {
            Some(V::T(Some(s))) => Some(s.clone()),
            Some(V::I(Some(n))) => Some(n.to_string()),
            _ => None,
        }
    }

    /// Column `c` as a number (0 for NULL).
    pub fn int(&self, c: usize) -> i64 {
        match self.0.get(c) {
            Some(V::I(Some(n))) => *n,
            Some(V::T(Some(s))) => s.parse().unwrap_or(0),
            _ => 0,
        }
    }
}

/// One statement of a transaction.
#[derive(Debug, Clone)]
pub struct Stmt {
    /// The SQL, with `$1`, `$2`… parameters.
    pub sql: String,
    /// The parameters.
    pub args: Vec<V>,
    /// The transaction fails with [`DbError::Conflict`] when this statement changes no row.
    pub must_touch: bool,
}

impl Stmt {
    /// A statement.
    pub fn new(sql: &str, args: Vec<V>) -> Stmt {
        Stmt { sql: sql.to_owned(), args, must_touch: false }
    }

    /// A statement that must change a row, or the whole transaction is undone.
    pub fn touching(sql: &str, args: Vec<V>) -> Stmt {
        Stmt { sql: sql.to_owned(), args, must_touch: true }
    }
}

/// What can go wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A unique key is taken, or a statement that had to change a row changed none.
    #[error("数据已被改动或已存在")]
    Conflict,
    /// The address is not one the desk knows.
    #[error("数据库地址「{0}」无法识别：写成 sqlite:desk.db（或一个 .db 文件的路径），或 postgres://用户@主机/数据库")]
    BadUrl(String),
    /// Anything else the database said.
    #[error("数据库出错：{0}")]
    Other(String),
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> DbError {
        match &e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                DbError::Conflict
            }
            _ => DbError::Other(e.to_string()),
        }
    }
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> DbError {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => DbError::Conflict,
            _ => DbError::Other(e.to_string()),
        }
    }
}

impl DbError {
    /// What staff are told: a conflict as it is; anything else is written to the service's log
    /// and told as a sentence without the database's own words (table names, SQL, values).
    pub fn told(self) -> String {
        match self {
            DbError::Conflict => self.to_string(),
            e => {
                eprintln!("{e}");
                TOLD.to_owned()
            }
        }
    }
}

/// What staff are told of a database error.
pub const TOLD: &str = "系统暂时无法完成这项操作（原因已记入服务日志），请稍后再试。";

/// A connection to the desk's database.
#[derive(Clone)]
pub enum Db {
    /// One SQLite file, one connection owned by one thread that commits the transactions queued
    /// meanwhile together (group commit: `crate::lite`).
    Lite(crate::lite::Lite),
    /// A PostgreSQL pool.
    Pg(PgPool),
}

/// Takes group and other permissions off a file (where there are such permissions).
fn owner_only(path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & !0o077));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

impl Db {
    /// Opens the database an address names: `sqlite:PATH`, a path, or `postgres://…`.
    pub async fn open(url: &str) -> Result<Db, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new().max_connections(16).connect(url).await?;
            return Ok(Db::Pg(pool));
        }
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        if path.is_empty() || url.contains("://") && !url.starts_with("sqlite://") {
            return Err(DbError::BadUrl(url.to_owned()));
        }
        let path = path.to_owned();
        let conn = tokio::task::spawn_blocking(move || -> Result<rusqlite::Connection, DbError> {
            let conn = rusqlite::Connection::open(&path)?;
            // applicants' details and password hashes: readable by the owner only, the file
            // and (made with its permissions by SQLite) its WAL and shared-memory files
            owner_only(std::path::Path::new(&path));
            conn.busy_timeout(std::time::Duration::from_secs(10))?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            Ok(conn)
        })
        .await
        .map_err(|e| DbError::Other(e.to_string()))??;
        Ok(Db::Lite(crate::lite::Lite::start(conn)?))
    }

    /// Which kind of database, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Db::Lite(_) => "SQLite",
            Db::Pg(_) => "PostgreSQL",
        }
    }

    /// Runs one statement and returns its rows.
    pub async fn rows(&self, sql: &str, args: Vec<V>) -> Result<Vec<Row>, DbError> {
        let mut out = self.tx(vec![Stmt::new(sql, args)]).await?;
        Ok(out.pop().unwrap_or_default())
    }

    /// Runs one statement, returns the rows it changed.
    pub async fn exec(&self, sql: &str, args: Vec<V>) -> Result<(), DbError> {
        self.tx(vec![Stmt::new(sql, args)]).await.map(|_| ())
    }

    /// Runs one statement outside any transaction (`CREATE DATABASE`, `VACUUM`).
    pub async fn plain(&self, sql: &str) -> Result<(), DbError> {
        match self {
            Db::Lite(lite) => lite.plain(sql).await,
            Db::Pg(pool) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(pool)
                .await
                .map(|_| ())
                .map_err(DbError::from),
        }
    }

    /// Runs the statements in one transaction; the rows of each.
    pub async fn tx(&self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError> {
        match self {
            Db::Lite(lite) => lite.tx(stmts).await,
            Db::Pg(pool) => pg_tx(pool, &stmts).await,
        }
    }

    /// Runs a script of statements separated by `;` (migrations), in one transaction.
    pub async fn script(&self, sql: &str, then: Vec<Stmt>) -> Result<(), DbError> {
        let mut stmts: Vec<Stmt> =
            sql.split(';').map(str::trim).filter(|s| !s.is_empty()).map(|s| Stmt::new(s, vec![])).collect();
        stmts.extend(then);
        self.tx(stmts).await.map(|_| ())
    }
}

async fn pg_tx(pool: &PgPool, stmts: &[Stmt]) -> Result<Vec<Vec<Row>>, DbError> {
    let mut tx = pool.begin().await?;
    let mut out = Vec::with_capacity(stmts.len());
    for s in stmts {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(s.sql.clone()));
        for v in &s.args {
            q = match v {
                V::I(n) => q.bind(*n),
                V::T(t) => q.bind(t.clone()),
            };
        }
        let head = s.sql.trim_start().get(..6).unwrap_or_default().to_ascii_uppercase();
        if head != "SELECT" && !s.sql.contains("RETURNING") {
            let done = q.execute(&mut *tx).await?;
            if s.must_touch && done.rows_affected() == 0 {
                return Err(DbError::Conflict);
            }
            out.push(Vec::new());
            continue;
        }
        let rows = q.fetch_all(&mut *tx).await?;
        if s.must_touch && rows.is_empty() {
            return Err(DbError::Conflict);
        }
        let mut got = Vec::with_capacity(rows.len());
        for r in rows {
            let mut row = Vec::with_capacity(r.columns().len());
            for (c, col) in r.columns().iter().enumerate() {
                row.push(match col.type_info().name() {
                    "INT8" => V::I(r.try_get::<Option<i64>, _>(c)?),
                    "INT4" => V::I(r.try_get::<Option<i32>, _>(c)?.map(i64::from)),
                    "INT2" => V::I(r.try_get::<Option<i16>, _>(c)?.map(i64::from)),
                    "BOOL" => V::I(r.try_get::<Option<bool>, _>(c)?.map(i64::from)),
                    _ => V::T(r.try_get::<Option<String>, _>(c)?),
                });
            }
            got.push(Row(row));
        }
        out.push(got);
    }
    tx.commit().await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_are_told_no_database_words() {
        let told = DbError::Other("no such table: rectifications".into()).told();
        assert_eq!(told, TOLD);
        assert_eq!(DbError::Conflict.told(), "数据已被改动或已存在");
    }
}
