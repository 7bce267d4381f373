//! SQLite with group commit. One thread owns the connection and takes the transactions callers
//! queue: whatever has queued while it was busy (up to [`BATCH`]) runs in one SQLite transaction,
//! each caller's statements inside a savepoint of their own (a caller whose statement fails is
//! rolled back alone), and one `COMMIT` — one sync of the WAL with `synchronous=FULL` — makes
//! them all durable. Only then does each caller get its rows back: a receipt is never shown for
//! an application that is not on disk, and if the commit fails every caller of the batch is told
//! so. Under load the cost of the sync is shared by the whole batch instead of paid by each
//! submission in turn; alone, a transaction waits for nobody.

use std::sync::mpsc;

use crate::db::{DbError, Row, Stmt, V};

/// The most transactions committed together.
pub const BATCH: usize = 256;

enum Job {
    /// Statements in one transaction, and where to send their rows.
    Tx(Vec<Stmt>, tokio::sync::oneshot::Sender<Result<Vec<Vec<Row>>, DbError>>),
    /// A statement outside any transaction (`VACUUM`).
    Plain(String, tokio::sync::oneshot::Sender<Result<(), DbError>>),
}

/// The queue to the connection's thread (cloned by every `Db`; the thread ends, closing the
/// connection, when the last one is dropped).
#[derive(Clone)]
pub struct Lite(mpsc::Sender<Job>);

impl Lite {
    /// Starts the thread that owns `conn`.
    pub fn start(conn: rusqlite::Connection) -> Result<Lite, DbError> {
        let (send, receive) = mpsc::channel();
        std::thread::Builder::new()
            .name("gongkai-desk-sqlite".into())
            .spawn(move || writer(conn, &receive))
            .map_err(|e| DbError::Other(format!("无法启动数据库线程：{e}")))?;
        Ok(Lite(send))
    }

    /// Runs the statements in one transaction (committed, perhaps with others, before it returns).
    pub async fn tx(&self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError> {
        let (done, answer) = tokio::sync::oneshot::channel();
        self.0.send(Job::Tx(stmts, done)).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    /// Runs one statement outside any transaction.
    pub async fn plain(&self, sql: &str) -> Result<(), DbError> {
        let (done, answer) = tokio::sync::oneshot::channel();
        self.0.send(Job::Plain(sql.to_owned(), done)).map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

fn gone() -> DbError {
    DbError::Other("数据库线程已停止".into())
}

fn writer(mut conn: rusqlite::Connection, jobs: &mpsc::Receiver<Job>) {
    // waits for the first job; then takes what queued meanwhile
    while let Ok(first) = jobs.recv() {
        let mut batch = Vec::new();
        let mut next = Some(first);
        while let Some(job) = next.take() {
            match job {
                Job::Plain(sql, done) => {
                    // outside any transaction: the batch so far is committed first
                    commit(&mut conn, std::mem::take(&mut batch));
                    let _ = done.send(conn.execute_batch(&sql).map_err(DbError::from));
                }
                Job::Tx(stmts, done) => batch.push((stmts, done)),
            }
            if batch.len() < BATCH {
                next = jobs.try_recv().ok();
            }
        }
        commit(&mut conn, batch);
    }
}

type Waiting = Vec<(Vec<Stmt>, tokio::sync::oneshot::Sender<Result<Vec<Vec<Row>>, DbError>>)>;

/// Runs a batch in one transaction, each job in its savepoint; answers after the commit.
fn commit(conn: &mut rusqlite::Connection, batch: Waiting) {
    if batch.is_empty() {
        return;
    }
    let mut results = Vec::with_capacity(batch.len());
    let outcome = (|| -> Result<(), DbError> {
        let mut tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for (stmts, _) in &batch {
            let mut sp = tx.savepoint()?;
            let got = run(&sp, stmts);
            if got.is_ok() {
                sp.commit()?;
            } else {
                sp.rollback()?;
                sp.commit()?;
            }
            results.push(got);
        }
        tx.commit()?;
        Ok(())
    })();
    match outcome {
        Ok(()) => {
            for ((_, done), got) in batch.into_iter().zip(results) {
                let _ = done.send(got);
            }
        }
        Err(e) => {
            // nothing of the batch is on disk: every caller is told
            let why = e.to_string();
            for (_, done) in batch {
                let _ = done.send(Err(DbError::Other(why.clone())));
            }
        }
    }
}

/// `$1` → `?1`: SQLite numbers `$1` by first appearance, `?1` by its digits.
pub fn lite_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// One caller's statements, on a connection inside its savepoint.
fn run(conn: &rusqlite::Connection, stmts: &[Stmt]) -> Result<Vec<Vec<Row>>, DbError> {
    let mut out = Vec::with_capacity(stmts.len());
    for s in stmts {
        let mut st = conn.prepare_cached(&lite_sql(&s.sql))?;
        let params = s.args.iter().map(|v| match v {
            V::I(n) => rusqlite::types::Value::from(*n),
            V::T(t) => rusqlite::types::Value::from(t.clone()),
        });
        let cols = st.column_count();
        let mut rows = st.query(rusqlite::params_from_iter(params))?;
        let mut got = Vec::new();
        while let Some(r) = rows.next()? {
            let mut row = Vec::with_capacity(cols);
            for c in 0..cols {
                row.push(match r.get_ref(c)? {
                    rusqlite::types::ValueRef::Integer(n) => V::I(Some(n)),
                    rusqlite::types::ValueRef::Null => V::T(None),
                    rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
                        V::T(Some(String::from_utf8_lossy(b).into_owned()))
                    }
                    rusqlite::types::ValueRef::Real(f) => V::T(Some(f.to_string())),
                });
            }
            got.push(Row(row));
        }
        drop(rows);
        if s.must_touch && cols == 0 && conn.changes() == 0 {
            return Err(DbError::Conflict);
        }
        if s.must_touch && cols > 0 && got.is_empty() {
            return Err(DbError::Conflict);
        }
        out.push(got);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_parameters_are_numbered_by_their_digits() {
        assert_eq!(lite_sql("SELECT $1, $12 WHERE a = '$'"), "SELECT ?1, ?12 WHERE a = '$'");
    }

    fn open() -> (tempfile::TempDir, Lite) {
        let dir = tempfile::tempdir().unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("t.db")).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT NOT NULL)").unwrap();
        (dir, Lite::start(conn).unwrap())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn many_transactions_at_once_each_succeed_or_fail_alone() {
        let (_dir, lite) = open();
        let mut tasks = Vec::new();
        for n in 0..500i64 {
            let lite = lite.clone();
            tasks.push(tokio::spawn(async move {
                // every tenth repeats a key: a conflict, undone alone (with its second statement)
                let k = if n % 10 == 9 { format!("k{}", n - 1) } else { format!("k{n}") };
                lite.tx(vec![
                    Stmt::new("INSERT INTO t (k, n) VALUES ($1, $2)", vec![V::T(Some(k)), V::I(Some(n))]),
                    Stmt::new("INSERT INTO t (k, n) VALUES ($1, $2)", vec![V::T(Some(format!("x{n}"))), V::I(Some(n))]),
                ])
                .await
            }));
        }
        // which of a pair wins depends on which the runtime queued first: the test asks only that
        // exactly one did, and that the loser's second row was undone with it
        let mut won = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => won.push(true),
                Err(DbError::Conflict) => won.push(false),
                Err(e) => panic!("{e}"),
            }
        }
        for pair in won.chunks(10) {
            assert!(pair[..8].iter().all(|w| *w), "only the last two of ten share a key");
            assert!(pair[8] != pair[9], "exactly one of a pair sharing a key is committed");
        }
        let rows = lite.tx(vec![Stmt::new("SELECT COUNT(*) FROM t", vec![])]).await.unwrap();
        assert_eq!(rows[0][0].int(0), 900);
        for (n, w) in won.iter().enumerate() {
            let sql = format!("SELECT COUNT(*) FROM t WHERE k = 'x{n}'");
            let kept = lite.tx(vec![Stmt::new(&sql, vec![])]).await.unwrap();
            assert_eq!(kept[0][0].int(0), i64::from(*w), "x{n}: its second row goes with its first");
        }
    }
}
