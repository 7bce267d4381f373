//! Every POST of the staff console starts alike: a live session (else the login page), then a
//! readable form whose CSRF token is the session's (else 403). [`Posted`] does both, as the
//! handlers' last extractor.

use axum::extract::{Form, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::Response;

use super::page::message;
use super::staff::signed_in;
use super::{App, form_problem};
use crate::codes;
use crate::users::User;

/// A staff form, checked: who sent it, and its fields.
pub(crate) struct Posted {
    /// The signed-in account.
    pub user: User,
    pairs: Vec<(String, String)>,
}

impl Posted {
    /// A field, trimmed ("" when absent).
    pub fn get(&self, k: &str) -> String {
        self.raw(k).trim().to_owned()
    }

    /// A field as sent (a password).
    pub fn raw(&self, k: &str) -> String {
        self.pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default()
    }

    /// Every value of a field given several times.
    pub fn all(&self, k: &str) -> Vec<String> {
        self.pairs.iter().filter(|(n, _)| n == k).map(|(_, v)| v.clone()).collect()
    }
}

/// How many folders below the desk's root a staff address is (`staff/case/<no>`: 2), for the
/// relative links of the page answered.
pub(crate) fn depth(path: &str) -> usize {
    if path.trim_start_matches('/').starts_with("staff/case/") { 2 } else { 1 }
}

impl FromRequest<App> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, app: &App) -> Result<Posted, Response> {
        let depth = depth(req.uri().path());
        let user = signed_in(app, req.headers(), depth).await?;
        let pairs = match Form::<Vec<(String, String)>>::from_request(req, app).await {
            Ok(Form(p)) => p,
            Err(e) => return Err(form_problem(&e, depth)),
        };
        let posted = Posted { user, pairs };
        if !codes::same(&posted.get("csrf"), &posted.user.csrf) {
            return Err(message(
                StatusCode::FORBIDDEN,
                "操作未执行",
                depth,
                "表单已过期或不是从本平台提交的：请刷新页面后重试。",
            ));
        }
        Ok(posted)
    }
}
