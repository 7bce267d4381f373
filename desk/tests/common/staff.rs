//! The staff console's side of the tests: a signed-in session, requests with its cookie, the
//! accounts most tests use, an application to work on.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use gongkai_desk::db::Db;
use gongkai_desk::users;
use tower::ServiceExt;

use super::*;

pub const PW: &str = "correct horse battery";

pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub async fn req(r: &Router, method: &str, uri: &str, s: Option<&Session>, form: &[(&str, &str)]) -> Got {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(s) = s {
        b = b.header("cookie", &s.cookie);
    }
    let body = if method == "POST" {
        b = b.header("content-type", "application/x-www-form-urlencoded");
        Body::from(encode(form))
    } else {
        Body::empty()
    };
    let res = r.clone().oneshot(b.body(body).unwrap()).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    Got { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
}

/// The login form's cookie (`desk_login=…`) and the token in the form.
pub async fn login_form(r: &Router) -> (String, String) {
    let got = req(r, "GET", "/staff/login", None, &[]).await;
    let set = got.headers.get("set-cookie").expect("the login form sets its cookie").to_str().unwrap();
    let cookie = set.split(';').next().unwrap().to_owned();
    let token = between(&got.body, "name=\"csrf\" value=\"", "\"").expect("a form token").to_owned();
    assert_eq!(cookie, format!("desk_login={token}"));
    (cookie, token)
}

/// A login as a browser does it: the form, then its POST with the form's cookie.
pub async fn post_login(r: &Router, name: &str, password: &str) -> Got {
    let (cookie, token) = login_form(r).await;
    let s = Session { cookie, csrf: String::new() };
    req(r, "POST", "/staff/login", Some(&s), &[("csrf", &token), ("name", name), ("password", password)]).await
}

pub async fn login(r: &Router, name: &str) -> Session {
    let got = post_login(r, name, PW).await;
    assert_eq!(got.status, StatusCode::SEE_OTHER, "{}", got.body);
    let set = got
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("desk_session="))
        .expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(set.contains(flag), "{set}");
    }
    let cookie = set.split(';').next().unwrap().to_owned();
    let mut s = Session { cookie, csrf: String::new() };
    let page = req(r, "GET", "/staff/", Some(&s), &[]).await;
    s.csrf = between(&page.body, "name=\"csrf\" value=\"", "\"").expect("a csrf token").to_owned();
    s
}

pub async fn setup(db: &Db) {
    users::add(db, "admin", PW, true, &[]).await.unwrap();
    users::add(db, "water", PW, false, &["qingyuan-water".into()]).await.unwrap();
    users::add(db, "hospital", PW, false, &["renhe-hospital".into()]).await.unwrap();
}

pub async fn apply(r: &Router, unit: &str, who: &str) -> String {
    let got = send(r, "POST", &format!("/u/{unit}/apply"), Some(&pairs(&application(who)))).await;
    assert_eq!(got.status, StatusCode::OK);
    between(&got.body, "受理编号：<strong>", "</strong>").unwrap().to_owned()
}
