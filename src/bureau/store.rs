//! Where the history lives: a small SQL interface ([`Store`]) that the history and the timeline
//! talk to, so that the same statements run on SQLite (here, [`Lite`], the embedded default) and
//! on PostgreSQL (the `gongkai-desk` crate's, for a province: the CLI stays without an async
//! runtime). The statements keep to SQL both understand, with `?1`, `?2`… parameters (a
//! PostgreSQL store writes them `$1`, `$2`…); values are whole numbers or texts, each possibly
//! NULL, so a store binds a NULL with the column's type.

use std::path::{Path, PathBuf};

use rusqlite::Connection;
use rusqlite::types::{Value as Lv, ValueRef};

/// A parameter's or a column's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A whole number (`INTEGER`, `BIGINT`), or NULL.
    Int(Option<i64>),
    /// A text, or NULL.
    Text(Option<String>),
}

impl Value {
    /// A text.
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(Some(s.into()))
    }

    /// A number.
    pub fn int(n: impl Into<i64>) -> Value {
        Value::Int(Some(n.into()))
    }
}

/// One row of a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// Column `c` as a number, `None` for NULL (or a text that is not one).
    pub fn int(&self, c: usize) -> Option<i64> {
        match self.0.get(c) {
            Some(Value::Int(n)) => *n,
            Some(Value::Text(Some(s))) => s.parse().ok(),
            _ => None,
        }
    }

    /// Column `c` as a text, `None` for NULL.
    pub fn text(&self, c: usize) -> Option<String> {
        match self.0.get(c) {
            Some(Value::Text(t)) => t.clone(),
            Some(Value::Int(n)) => n.map(|n| n.to_string()),
            None => None,
        }
    }

    /// Column `c` as a text, "" for NULL.
    pub fn str(&self, c: usize) -> String {
        self.text(c).unwrap_or_default()
    }
}

/// A database the history can live in. Every method runs one statement (or, `batch`, a script
/// without parameters: the migrations, `BEGIN`, `COMMIT`, `ROLLBACK`); an error is the database's
/// own words, which the history wraps with [`Store::name`] and [`Store::help`].
pub trait Store {
    /// The database as the messages name it (a file, or an address without its password).
    fn name(&self) -> String;
    /// What to do when it cannot be used.
    fn help(&self) -> String;
    /// Runs statements without parameters.
    fn batch(&mut self, sql: &str) -> Result<(), String>;
    /// Runs one statement once for each list of parameters.
    fn execute_many(&mut self, sql: &str, rows: &[Vec<Value>]) -> Result<(), String>;
    /// Runs one query, every row.
    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, String>;
    /// The names of the tables in the database (a history is refused in someone else's).
    fn tables(&mut self) -> Result<Vec<String>, String>;

    /// Runs one statement.
    fn execute(&mut self, sql: &str, args: &[Value]) -> Result<(), String> {
        self.execute_many(sql, &[args.to_vec()])
    }
}

/// The history in one SQLite file.
pub struct Lite {
    path: PathBuf,
    conn: Connection,
}

impl Lite {
    /// Opens (or makes) the file.
    pub fn open(path: &Path) -> Result<Lite, String> {
        let conn = Connection::open(path).map_err(|e| e.to_string())?;
        Ok(Lite { path: path.to_path_buf(), conn })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn lite_value(v: &Value) -> Lv {
    match v {
        Value::Int(n) => Lv::from(*n),
        Value::Text(t) => Lv::from(t.clone()),
    }
}

impl Store for Lite {
    fn name(&self) -> String {
        self.path.display().to_string()
    }

    fn help(&self) -> String {
        "这个文件应由 gongkai assess --save 生成；如果它是别的文件，请换一个文件名（--db）".into()
    }

    fn batch(&mut self, sql: &str) -> Result<(), String> {
        self.conn.execute_batch(sql).map_err(|e| e.to_string())
    }

    fn execute_many(&mut self, sql: &str, rows: &[Vec<Value>]) -> Result<(), String> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| e.to_string())?;
        for args in rows {
            stmt.execute(rusqlite::params_from_iter(args.iter().map(lite_value))).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, String> {
        let run = || -> rusqlite::Result<Vec<Row>> {
            let mut stmt = self.conn.prepare(sql)?;
            let cols = stmt.column_count();
            let mut rows = stmt.query(rusqlite::params_from_iter(args.iter().map(lite_value)))?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                let mut row = Vec::with_capacity(cols);
                for c in 0..cols {
                    row.push(match r.get_ref(c)? {
                        ValueRef::Integer(n) => Value::Int(Some(n)),
                        ValueRef::Null => Value::Text(None),
                        ValueRef::Real(f) => Value::Text(Some(f.to_string())),
                        ValueRef::Text(b) | ValueRef::Blob(b) => Value::Text(Some(String::from_utf8_lossy(b).into())),
                    });
                }
                out.push(Row(row));
            }
            Ok(out)
        };
        run().map_err(|e| e.to_string())
    }

    fn tables(&mut self) -> Result<Vec<String>, String> {
        let rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table'", &[])?;
        Ok(rows.iter().map(|r| r.str(0)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_go_in_and_come_back_with_their_nulls() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Lite::open(&dir.path().join("h.sqlite")).unwrap();
        db.batch("CREATE TABLE t (a BIGINT, b TEXT)").unwrap();
        db.execute_many(
            "INSERT INTO t (a, b) VALUES (?1, ?2)",
            &[vec![Value::int(3), Value::text("甲")], vec![Value::Int(None), Value::Text(None)]],
        )
        .unwrap();
        let rows = db.query("SELECT a, b FROM t ORDER BY a IS NULL, a", &[]).unwrap();
        assert_eq!((rows[0].int(0), rows[0].text(1)), (Some(3), Some("甲".into())));
        assert_eq!((rows[1].int(0), rows[1].text(1)), (None, None));
        assert_eq!(db.tables().unwrap(), ["t"]);
        assert!(db.query("SELECT nothing FROM t", &[]).unwrap_err().contains("nothing"));
    }
}
