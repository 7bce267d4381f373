//! The desk's web service: the public routes of `gongkai::desk` (apply, lookup, evaluate), the
//! security headers every response gets, the body-size and per-address limits on submissions.

mod admin;
mod apply;
mod evaluate;
mod lookup;
pub mod page;
mod review;
mod staff;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::civil::Date;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::SmartIpKeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

use crate::db::Db;
use crate::portal::Portal;

/// The largest request body accepted (the longest application is about 25 KB encoded).
pub const BODY_LIMIT: usize = 64 * 1024;

/// How submissions from one address are limited.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// One more submission allowed every this many milliseconds…
    pub every_ms: u64,
    /// …after a burst of this many; 0: no limit (tests, benchmarks).
    pub burst: u32,
    /// The desk is behind a reverse proxy that sets `X-Forwarded-For` to the client's address
    /// (and drops the client's own): limit by that header, not by the proxy's address.
    pub behind_proxy: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { every_ms: 6_000, burst: 10, behind_proxy: false }
    }
}

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
    let public = limited(
        public,
        limits,
        "提交过于频繁",
        0,
        "同一地址短时间内提交次数过多，请稍后再试。已经提交成功的申请不受影响。",
    );
    let login = Router::new().route("/staff/login", get(staff::login_form).post(staff::login));
    let login = limited(login, limits, "登录过于频繁", 1, "短时间内登录次数过多，请稍后再试。");
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
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(headers))
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

/// The per-address limit on a router's POSTs (none when `burst` is 0).
fn limited(r: Router<App>, limits: Limits, title: &'static str, depth: usize, text: &'static str) -> Router<App> {
    if limits.burst == 0 {
        return r;
    }
    let refuse = move |e: GovernorError| match e {
        GovernorError::TooManyRequests { .. } => page::message(StatusCode::TOO_MANY_REQUESTS, title, depth, text),
        other => {
            eprintln!("无法按地址限流：{other}");
            page::message(StatusCode::INTERNAL_SERVER_ERROR, "暂时无法受理", depth, "系统配置有误，请稍后再试。")
        }
    };
    let mut builder = GovernorConfigBuilder::default();
    builder.per_millisecond(limits.every_ms.max(1)).burst_size(limits.burst).methods(vec![Method::POST]);
    if limits.behind_proxy {
        let config = builder
            .key_extractor(SmartIpKeyExtractor)
            .finish()
            .expect("a positive period and burst make a valid limit");
        r.layer(GovernorLayer::new(config).error_handler(refuse))
    } else {
        let config = builder.finish().expect("a positive period and burst make a valid limit");
        r.layer(GovernorLayer::new(config).error_handler(refuse))
    }
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
