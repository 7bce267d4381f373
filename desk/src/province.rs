//! The supervising bureau's history on PostgreSQL, for a province (issue 17): `gongkai-desk
//! assess` is `gongkai assess` — the library's gathering, scoring, history, pages and letters —
//! with its history in PostgreSQL (or, given a file, in SQLite as `gongkai` keeps it). It lives
//! here because the desk already carries sqlx and tokio; the `gongkai` command stays without an
//! async runtime. PostgreSQL runs the library's statements and migrations as written, their
//! `?1` parameters as `$1`.

use std::io::Write;
use std::path::PathBuf;

use gongkai::bureau::store::{Row, Store, Value};
use gongkai::bureau::{AssessFormat, AssessOptions, GatherOptions, history};
use sqlx::{Column, Connection, Row as _, TypeInfo};

/// The history in a PostgreSQL database (one of its own: a database with other tables is refused).
pub struct PgHistory {
    rt: tokio::runtime::Runtime,
    conn: sqlx::PgConnection,
    name: String,
}

/// `?1` → `$1` (outside quoted text).
pub fn pg_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// An address as messages show it: without its password.
pub fn shown(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (auth, host) = match rest.split_once('@') {
        Some((auth, host)) => (auth, host),
        None => return url.to_owned(),
    };
    let user = auth.split(':').next().unwrap_or_default();
    format!("{scheme}://{user}@{host}")
}

impl PgHistory {
    /// Connects, and brings the history's tables up to date.
    pub fn connect(url: &str) -> Result<PgHistory, gongkai::error::Error> {
        let fail = |e: String| {
            gongkai::error::Error::Usage(format!(
                "历史库 {} 无法连接：{e}\n  帮助: 检查地址、用户和密码，以及 PostgreSQL 是否在运行",
                shown(url)
            ))
        };
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| fail(e.to_string()))?;
        let conn = rt.block_on(sqlx::PgConnection::connect(url)).map_err(|e| fail(e.to_string()))?;
        let mut db = PgHistory { rt, conn, name: shown(url) };
        history::migrate(&mut db)?;
        Ok(db)
    }
}

fn bind<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    args: &[Value],
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    for v in args {
        q = match v {
            Value::Int(n) => q.bind(*n),
            Value::Text(t) => q.bind(t.clone()),
        };
    }
    q
}

impl Store for PgHistory {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn help(&self) -> String {
        "PostgreSQL 上的历史库应是单独的一个数据库（createdb），由 gongkai-desk assess --save 建表".into()
    }

    fn batch(&mut self, sql: &str) -> Result<(), String> {
        let q = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()));
        self.rt.block_on(q.execute(&mut self.conn)).map(|_| ()).map_err(|e| e.to_string())
    }

    fn execute_many(&mut self, sql: &str, rows: &[Vec<Value>]) -> Result<(), String> {
        let sql = pg_sql(sql);
        let conn = &mut self.conn;
        self.rt
            .block_on(async {
                for args in rows {
                    bind(sqlx::query(sqlx::AssertSqlSafe(sql.clone())), args).execute(&mut *conn).await?;
                }
                Ok::<(), sqlx::Error>(())
            })
            .map_err(|e| e.to_string())
    }

    fn query(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, String> {
        let q = bind(sqlx::query(sqlx::AssertSqlSafe(pg_sql(sql))), args);
        let rows = self.rt.block_on(q.fetch_all(&mut self.conn)).map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mut row = Vec::with_capacity(r.columns().len());
            for (c, col) in r.columns().iter().enumerate() {
                let v = match col.type_info().name() {
                    "INT8" => r.try_get::<Option<i64>, _>(c).map(Value::Int),
                    "INT4" => r.try_get::<Option<i32>, _>(c).map(|n| Value::Int(n.map(i64::from))),
                    "INT2" => r.try_get::<Option<i16>, _>(c).map(|n| Value::Int(n.map(i64::from))),
                    _ => r.try_get::<Option<String>, _>(c).map(Value::Text),
                };
                row.push(v.map_err(|e| e.to_string())?);
            }
            out.push(Row(row));
        }
        Ok(out)
    }

    fn tables(&mut self) -> Result<Vec<String>, String> {
        let rows = self.query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
            &[],
        )?;
        Ok(rows.iter().map(|r| r.str(0)).collect())
    }
}

/// Opens the history an address names: `postgres://…`, else an SQLite file (`sqlite:` optional).
pub fn open(url: &str) -> gongkai::error::Result<Box<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Box::new(PgHistory::connect(url)?));
    }
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
    Ok(Box::new(history::open(std::path::Path::new(path))?))
}

/// `gongkai-desk assess`: `gongkai assess` with its history at `--db`.
#[derive(clap::Args)]
pub struct AssessArgs {
    /// 考核文件夹（其中的 bureau.yaml 写明考核年度和单位名单）
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// 历史库：postgres://用户@主机/数据库（单独的一个数据库），或 SQLite 文件
    #[arg(long, value_name = "URL")]
    db: String,
    /// 把这次汇总存入历史库，只记录变化
    #[arg(long)]
    save: bool,
    /// 按这一天判断是否按时公开
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<jiff::civil::Date>,
    /// 输出格式
    #[arg(long, short, value_enum, default_value_t = AssessFormat::Human)]
    format: AssessFormat,
    /// 把结果写入文件，终端仍显示文字
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// 按评分方案评分，把考核总表、书面反馈和评分表写入这个文件夹
    #[arg(long, value_name = "OUTDIR")]
    site: Option<PathBuf>,
    /// 不汇总，显示这个单位各项公开情况的变化
    #[arg(long, value_name = "UNIT", conflicts_with_all = ["save", "output", "format", "site"])]
    history: Option<String>,
    /// 与 --history 同用：只看这一项规则
    #[arg(long, value_name = "RULE", requires = "history")]
    rule: Option<String>,
    /// 同时读取的单位数
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=16))]
    connections: u16,
}

/// Runs `gongkai-desk assess`: exit 0 clean, 1 while an error finding remains, 2 when it could not run.
pub fn run(a: AssessArgs) -> std::process::ExitCode {
    let result = match &a.history {
        Some(unit) => open(&a.db).and_then(|mut db| {
            gongkai::bureau::show_history_in(db.as_mut(), unit, a.rule.as_deref(), &mut std::io::stdout().lock())
        }),
        None => {
            let bounds = gongkai::verify::Bounds {
                connections: usize::from(a.connections),
                max_body: 64 * 1024 * 1024,
                ..Default::default()
            };
            let opts = AssessOptions {
                dir: a.dir.clone(),
                format: a.format,
                output: a.output.clone(),
                gather: GatherOptions { today: a.today, bounds, retries: 2 },
                save: a.save,
                db: None,
                site: a.site.clone(),
            };
            let db = a.db.clone();
            let opener = move |_saving: bool| open(&db).map(Some);
            gongkai::bureau::assess_with(&opts, &opener, &mut std::io::stdout().lock())
        }
    };
    match result {
        Ok(gongkai::commands::Outcome::Clean) => std::process::ExitCode::SUCCESS,
        Ok(_) => std::process::ExitCode::from(1),
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "错误: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_dollars_and_passwords_are_never_shown() {
        assert_eq!(pg_sql("SELECT ?1, ?12 WHERE a = '?1'"), "SELECT $1, $12 WHERE a = '?1'");
        assert_eq!(shown("postgres://bureau:secret@db.example/history"), "postgres://bureau@db.example/history");
        assert_eq!(shown("postgres://bureau@db.example/history"), "postgres://bureau@db.example/history");
    }
}
