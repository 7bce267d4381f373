//! `staff/login`: the login form and its POST. The form carries a token that must match a
//! cookie set with it (`SameSite=Strict`, so no other site's page can post a login in the
//! staff's browser: login CSRF); an account name with too many wrong passwords waits
//! (`backoff`); a right password starts a session (cookie `HttpOnly; SameSite=Strict; Secure`).

use std::sync::Arc;
use std::time::Instant;

use axum::Extension;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;

use super::page::{message, page, respond};
use super::staff::{COOKIE, cookie};
use super::{App, Guard, form_problem};
use crate::{codes, users};

/// The login form's cookie.
pub const FORM_COOKIE: &str = "desk_login";

/// The login page with a fresh form token (and the cookie that goes with it).
fn login_page(app: &App, status: StatusCode, problem: Option<&str>) -> Response {
    let token = codes::token();
    let secure = if app.secure_cookie { "; Secure" } else { "" };
    let cookie = format!("{FORM_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600{secure}");
    let mut res = respond(
        status,
        page(
            "受理平台工作人员登录",
            1,
            html! {
                @if let Some(p) = problem { div.errors role="alert" { p { (p) } } }
                form method="post" action="login" {
                    input type="hidden" name="csrf" value=(token);
                    label for="name" { "账号" }
                    input type="text" id="name" name="name" autocomplete="username" required;
                    label for="password" { "密码" }
                    input type="password" id="password" name="password" autocomplete="current-password" required;
                    button type="submit" { "登录" }
                }
            },
        ),
    );
    if let Ok(v) = cookie.parse() {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// GET `staff/login`.
pub async fn form(State(app): State<App>) -> Response {
    login_page(&app, StatusCode::OK, None)
}

/// POST `staff/login`.
pub async fn submit(
    State(app): State<App>,
    Extension(guard): Extension<Arc<Guard>>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let pairs = match form {
        Ok(Form(p)) => p,
        Err(e) => return form_problem(&e, 1),
    };
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let expected = cookie(&headers, FORM_COOKIE).unwrap_or_default();
    if expected.is_empty() || !codes::same(&get("csrf"), &expected) {
        return login_page(
            &app,
            StatusCode::FORBIDDEN,
            Some("登录表单已过期或不是从本平台打开的：请在这一页重新登录。"),
        );
    }
    let name = get("name").trim().to_owned();
    if let Some(wait) = guard.accounts.waiting(&name, Instant::now()) {
        let minutes = wait.as_secs().div_ceil(60);
        let text = format!("这个账号连续多次密码错误，请 {minutes} 分钟后再试。");
        return login_page(&app, StatusCode::TOO_MANY_REQUESTS, Some(&text));
    }
    match users::login(&app.db, &name, &get("password")).await {
        Ok(Some(token)) => {
            guard.accounts.succeeded(&name);
            let secure = if app.secure_cookie { "; Secure" } else { "" };
            let session = format!(
                "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
                users::SESSION_HOURS * 3600
            );
            let done = format!("{FORM_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
            let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, "./".to_owned())]).into_response();
            for c in [session, done] {
                if let Ok(v) = c.parse() {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            res
        }
        Ok(None) => {
            guard.accounts.failed(&name, Instant::now());
            login_page(&app, StatusCode::UNAUTHORIZED, Some("账号或密码不对。"))
        }
        Err(e) => {
            eprintln!("登录失败：{e}");
            message(StatusCode::SERVICE_UNAVAILABLE, "暂时无法登录", 1, "系统暂时不可用，请稍后再试。")
        }
    }
}
