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

pub async fn login(r: &Router, name: &str) -> Session {
    let got = req(r, "POST", "/staff/login", None, &[("name", name), ("password", PW)]).await;
    assert_eq!(got.status, StatusCode::SEE_OTHER, "{}", got.body);
    let set = got.headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
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
