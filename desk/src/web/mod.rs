//! The desk's web service: the public routes of `gongkai::desk` (apply, lookup, evaluate), the
//! security headers every response gets, the body-size and per-address limits on submissions.

mod admin;
mod apply;
mod backoff;
mod evaluate;
mod limits;
mod login;
mod lookup;
pub mod page;
mod posted;
mod review;
mod staff;
mod waits;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::civil::Date;

use crate::db::Db;
use crate::portal::Portal;
pub use limits::{Client, Guard, Limits};

/// The largest request body accepted (the longest application is about 25 KB encoded).
pub const BODY_LIMIT: usize = 64 * 1024;

/// What every handler shares.
#[derive(Clone)]
pub struct App {
    /// The database.
    pub db: Db,
    /// The portal's units and calendar.
    pub portal: Arc<Portal>,
    /// The date to take as today (tests, demos); else today in China.
    pub today: Option<Date>,
    /// The session cookie is `Secure` (only sent over HTTPS, and to http://localhost).
    pub secure_cookie: bool,
}

impl App {
    /// Today, in China.
    pub fn today(&self) -> Date {
        self.today.unwrap_or_else(gongkai::load::today_in_china)
    }
}

/// The service's routes; addresses are relative to where it is mounted.
pub fn router(app: App, limits: Limits) -> Router {
    let public = Router::new()
        .route("/u/{unit}/apply", get(apply::form).post(apply::submit))
        .route("/u/{unit}/evaluate", get(evaluate::form).post(evaluate::submit))
        .route("/lookup", get(lookup::form).post(lookup::submit));
    let guard = Arc::new(Guard::new(limits));
    let public = public.layer(middleware::from_fn_with_state(guard.clone(), limits::public));
    let login = Router::new().route("/staff/login", get(login::form).post(login::submit));
    let login = login.layer(middleware::from_fn_with_state(guard.clone(), limits::login));
    let staff = Router::new()
        .route("/staff/", get(staff::list))
        .route("/staff/logout", axum::routing::post(staff::logout))
        .route("/staff/case/{no}", get(staff::case).post(staff::act))
        .route("/staff/admin", get(admin::show).post(admin::act))
        .route("/staff/evaluations", get(review::show).post(review::act));
    Router::new()
        .route("/desk.css", get(css))
        .merge(public)
        .merge(login)
        .merge(staff)
        .fallback(not_found)
        .with_state(app)
        .layer(axum::Extension(guard))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(headers))
}

/// The answer to a public form whose honeypot field ([`gongkai::desk::HONEYPOT`], out of sight)
/// was filled in, as form-filling robots do; `None` for a person's form.
pub(crate) fn honeypot(pairs: &[(String, String)], title: &str) -> Option<Response> {
    pairs.iter().any(|(k, v)| k == gongkai::desk::HONEYPOT && !v.is_empty()).then(|| {
        page::message(
            StatusCode::BAD_REQUEST,
            title,
            2,
            "表单中一个应当留空的栏目被填写了（自动填表程序常这样做）。请清空浏览器的自动填写后重新提交。",
        )
    })
}

/// A form the desk cannot read: too large, not a form, not UTF-8.
pub(crate) fn form_problem(e: &axum::extract::rejection::FormRejection, depth: usize) -> Response {
    let (status, text) = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        (StatusCode::PAYLOAD_TOO_LARGE, "提交的内容太长，超过了本平台的上限（64 KB）。请缩短后再提交。")
    } else {
        (StatusCode::BAD_REQUEST, "提交的内容无法读取：请用网页上的表单提交。")
    };
    page::message(status, "提交未被受理", depth, text)
}

async fn css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], page::CSS).into_response()
}

async fn not_found() -> Response {
    page::message(StatusCode::NOT_FOUND, "找不到这个页面", 0, "地址不对，或者这个单位没有在本平台受理申请。")
}

/// The Content-Security-Policy: no script at all, styles and forms from the desk only, never in
/// a frame.
pub const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
