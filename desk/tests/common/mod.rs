//! What the desk's tests share: a fresh database on the backend the environment picks, the
//! example portal, an in-process router.
#![allow(dead_code)]

pub mod staff;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use gongkai_desk::db::Db;
use gongkai_desk::portal::Portal;
use gongkai_desk::web::{App, Limits, router};
use tower::ServiceExt;

/// The example portal of the repository.
pub fn site() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The day the tests take as today.
pub fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 27)
}

/// A fresh, migrated database: on PostgreSQL when `GONGKAI_DESK_TEST_PG` names a server (a new
/// database on it for each test), else a SQLite file in `dir`. With `GONGKAI_REQUIRE_PG=1` a
/// missing PostgreSQL fails the test.
pub async fn fresh_url(dir: &std::path::Path) -> String {
    match std::env::var("GONGKAI_DESK_TEST_PG") {
        Ok(base) if !base.is_empty() => {
            let admin = Db::open(&base).await.expect("GONGKAI_DESK_TEST_PG: PostgreSQL reachable");
            let name = format!("desk_test_{}", gongkai_desk::codes::token().to_lowercase());
            admin.plain(&format!("CREATE DATABASE {name}")).await.expect("CREATE DATABASE allowed");
            match base.rsplit_once('/') {
                Some((server, _)) => format!("{server}/{name}"),
                None => panic!("GONGKAI_DESK_TEST_PG: postgres://user@host/db"),
            }
        }
        _ => {
            assert!(
                std::env::var("GONGKAI_REQUIRE_PG").as_deref() != Ok("1"),
                "GONGKAI_REQUIRE_PG=1 but GONGKAI_DESK_TEST_PG names no PostgreSQL server"
            );
            format!("sqlite:{}", dir.join("desk.db").display())
        }
    }
}

/// A fresh migrated database.
pub async fn fresh_db(dir: &std::path::Path) -> (Db, String) {
    let url = fresh_url(dir).await;
    let db = Db::open(&url).await.expect("opens");
    gongkai_desk::migrate::migrate(&db, None).await.expect("migrates");
    (db, url)
}

/// The app over a database, with the example portal.
pub fn app(db: Db) -> App {
    App {
        db,
        portal: Arc::new(Portal::load(&site()).expect("the example portal loads")),
        today: Some(today()),
        secure_cookie: true,
    }
}

/// The router, as if every request came from one address.
pub fn service(app: App, limits: Limits) -> Router {
    router(app, limits).layer(axum::Extension(ConnectInfo(std::net::SocketAddr::from(([203, 0, 113, 7], 4000)))))
}

/// No limits.
pub const OPEN: Limits = Limits::OPEN;

/// A response: status, headers, body.
pub struct Got {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

/// Sends a request.
pub async fn send(r: &Router, method: &str, uri: &str, form: Option<&[(&str, &str)]>) -> Got {
    let mut req = Request::builder().method(method).uri(uri);
    let body = match form {
        Some(pairs) => {
            req = req.header("content-type", "application/x-www-form-urlencoded");
            Body::from(encode(pairs))
        }
        None => Body::empty(),
    };
    let res = r.clone().oneshot(req.body(body).expect("request")).await.expect("answers");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.expect("body");
    Got { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

/// `application/x-www-form-urlencoded`.
pub fn encode(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// A complete application.
pub fn application(applicant: &str) -> Vec<(&'static str, String)> {
    vec![
        ("applicant", applicant.to_owned()),
        ("id_doc", "居民身份证 620400199001010000".to_owned()),
        ("email", "zhang@example.cn".to_owned()),
        ("info", "2025年度供水水质检测报告".to_owned()),
        ("medium", "电子".to_owned()),
        ("delivery", "电子邮件".to_owned()),
        ("homepage", String::new()),
    ]
}

/// A borrowed view of a form.
pub fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

/// The text between two markers.
pub fn between<'a>(s: &'a str, from: &str, to: &str) -> Option<&'a str> {
    let start = s.find(from)? + from.len();
    let end = s[start..].find(to)? + start;
    Some(&s[start..end])
}
