//! Staff accounts (argon2id password hashes; admin, or staff of some units) and their sessions
//! (a random token in the cookie, its hash in the database, a CSRF token per session).

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::codes;
use crate::db::{Db, DbError, Stmt, i, t};

/// How long a login lasts.
pub const SESSION_HOURS: i64 = 12;

/// A signed-in account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The account's name.
    pub name: String,
    /// Creates accounts and campaigns, sees every unit.
    pub admin: bool,
    /// The units whose cases the account handles.
    pub units: Vec<String>,
    /// The session's CSRF token, in every form.
    pub csrf: String,
}

impl User {
    /// Whether the account may see and act on a unit's cases.
    pub fn may(&self, unit: &str) -> bool {
        self.admin || self.units.iter().any(|u| u == unit)
    }
}

/// Checks a new account's name and password.
pub fn check_new(name: &str, password: &str) -> Result<(), String> {
    if name.is_empty() || name.chars().count() > 40 || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("账号名「{name}」须为 1 到 40 个字，不含空格"));
    }
    if password.chars().count() < 12 {
        return Err("密码至少 12 个字符".into());
    }
    Ok(())
}

/// Creates an account.
pub async fn add(db: &Db, name: &str, password: &str, admin: bool, units: &[String]) -> Result<(), String> {
    check_new(name, password)?;
    if !admin && units.is_empty() {
        return Err("工作人员账号须至少负责一个单位（--unit），或设为管理员（--admin）".into());
    }
    let hash =
        Argon2::default().hash_password(password.as_bytes()).map_err(|e| format!("无法计算密码摘要：{e}"))?.to_string();
    let mut stmts = vec![Stmt::new(
        "INSERT INTO users (name, hash, admin, created) VALUES ($1, $2, $3, $4)",
        vec![t(name), t(hash), i(i64::from(admin)), t(jiff::Timestamp::now().to_string())],
    )];
    for u in units {
        stmts.push(Stmt::new("INSERT INTO user_units (name, unit) VALUES ($1, $2)", vec![t(name), t(u.clone())]));
    }
    db.tx(stmts).await.map(|_| ()).map_err(|e| match e {
        DbError::Conflict => format!("已有名为「{name}」的账号"),
        e => e.told(),
    })
}

/// Disables an account (`true`) or enables it again; a disabled account cannot log in, and its
/// sessions end at once.
pub async fn set_disabled(db: &Db, name: &str, disabled: bool) -> Result<(), String> {
    db.tx(vec![
        Stmt::touching("UPDATE users SET disabled = $2 WHERE name = $1", vec![t(name), i(i64::from(disabled))]),
        Stmt::new("DELETE FROM sessions WHERE name = $1", vec![t(name)]),
    ])
    .await
    .map(|_| ())
    .map_err(|e| match e {
        DbError::Conflict => format!("没有名为「{name}」的账号"),
        e => e.told(),
    })
}

/// Sets a new password; the account's sessions end (whoever knew the old one is logged out).
pub async fn set_password(db: &Db, name: &str, password: &str) -> Result<(), String> {
    check_new(name, password)?;
    let hash =
        Argon2::default().hash_password(password.as_bytes()).map_err(|e| format!("无法计算密码摘要：{e}"))?.to_string();
    db.tx(vec![
        Stmt::touching("UPDATE users SET hash = $2 WHERE name = $1", vec![t(name), t(hash)]),
        Stmt::new("DELETE FROM sessions WHERE name = $1", vec![t(name)]),
    ])
    .await
    .map(|_| ())
    .map_err(|e| match e {
        DbError::Conflict => format!("没有名为「{name}」的账号"),
        e => e.told(),
    })
}

/// Verifies a password; a new session's token when it is right.
pub async fn login(db: &Db, name: &str, password: &str) -> Result<Option<String>, DbError> {
    let rows = db.rows("SELECT hash FROM users WHERE name = $1 AND disabled = 0", vec![t(name)]).await?;
    // an unknown name costs the same as a wrong password
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = match rows.first() {
        Some(r) => r.text(0),
        None => DUMMY
            .get_or_init(|| {
                Argon2::default().hash_password(codes::token().as_bytes()).map(|h| h.to_string()).unwrap_or_default()
            })
            .clone(),
    };
    let pw = password.to_owned();
    // each check takes argon2's 19 MiB on a blocking thread: at most two at once, so a burst of
    // logins queues instead of taking the machine's memory
    static CHECKS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
    let Ok(_permit) = CHECKS.acquire().await else { return Ok(None) };
    let ok =
        tokio::task::spawn_blocking(move || Argon2::default().verify_password(pw.as_bytes(), stored.as_str()).is_ok())
            .await
            .unwrap_or(false);
    if !ok || rows.is_empty() {
        return Ok(None);
    }
    let token = codes::token();
    let expires = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(SESSION_HOURS);
    db.exec(
        "INSERT INTO sessions (token_hash, name, csrf, expires) VALUES ($1, $2, $3, $4)",
        vec![t(codes::hash(&token)), t(name), t(codes::token()), t(expires.to_string())],
    )
    .await?;
    Ok(Some(token))
}

/// The account a session token belongs to, if the session is live.
pub async fn session(db: &Db, token: &str) -> Result<Option<User>, DbError> {
    let rows = db
        .rows(
            "SELECT s.name, s.csrf, s.expires, u.admin FROM sessions s JOIN users u ON u.name = s.name \
             WHERE s.token_hash = $1 AND u.disabled = 0",
            vec![t(codes::hash(token))],
        )
        .await?;
    let Some(r) = rows.first() else { return Ok(None) };
    let live = r.text(2).parse::<jiff::Timestamp>().is_ok_and(|e| e > jiff::Timestamp::now());
    if !live {
        return Ok(None);
    }
    let units = db.rows("SELECT unit FROM user_units WHERE name = $1 ORDER BY unit", vec![t(r.text(0))]).await?;
    Ok(Some(User {
        name: r.text(0),
        admin: r.int(3) != 0,
        units: units.iter().map(|u| u.text(0)).collect(),
        csrf: r.text(1),
    }))
}

/// Ends a session.
pub async fn logout(db: &Db, token: &str) -> Result<(), DbError> {
    db.exec("DELETE FROM sessions WHERE token_hash = $1", vec![t(codes::hash(token))]).await
}

/// Every account: (name, admin, units).
pub async fn all(db: &Db) -> Result<Vec<(String, bool, Vec<String>)>, DbError> {
    let users = db.rows("SELECT name, admin FROM users ORDER BY name", vec![]).await?;
    let units = db.rows("SELECT name, unit FROM user_units ORDER BY unit", vec![]).await?;
    Ok(users
        .iter()
        .map(|u| {
            let mine = units.iter().filter(|r| r.text(0) == u.text(0)).map(|r| r.text(1)).collect();
            (u.text(0), u.int(1) != 0, mine)
        })
        .collect())
}
