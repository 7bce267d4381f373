//! `u/<unit>/evaluate`: the 社会评议 questionnaire (《社会评议办法》第六条), open only during a
//! campaign (第七条).

use axum::extract::rejection::FormRejection;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use gongkai::desk::{HONEYPOT, QUESTIONS, Rating};
use maud::{Markup, html};

use super::page::{message, page, respond};
use super::{App, Client, Guard, form_problem, honeypot};
use crate::campaigns::{self, Campaign};

/// The most characters of free text.
pub const REMARK_CHARS: usize = 1000;

/// The ratings of a submitted questionnaire, or the problems (in Chinese).
pub fn check(pairs: &[(String, String)]) -> (Vec<Option<Rating>>, String, Vec<String>) {
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let mut errors = Vec::new();
    let ratings: Vec<Option<Rating>> = QUESTIONS
        .iter()
        .enumerate()
        .map(|(n, (key, _))| {
            let r = get(key).and_then(Rating::parse);
            if r.is_none() {
                errors.push(format!("第 {} 题请选择 满意、基本满意 或 不满意", n + 1));
            }
            r
        })
        .collect();
    let remark = get("remark").unwrap_or_default().replace("\r\n", "\n").trim().to_owned();
    if remark.chars().count() > REMARK_CHARS {
        errors.push(format!("意见和建议最多 {REMARK_CHARS} 个字"));
    }
    if remark.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        errors.push("意见和建议里有不能显示的控制字符，请删去".into());
    }
    (ratings, remark, errors)
}

fn form_page(name: &str, c: &Campaign, ratings: &[Option<Rating>], remark: &str, errors: &[String]) -> Markup {
    page(
        &format!("{name}：{}", c.name),
        2,
        html! {
            p { "评议时间：" (c.opens) " 至 " (c.closes) "。每题选一项；意见和建议可以不填，请不要写入身份证号、电话等个人信息。" }
            @if !errors.is_empty() {
                div.errors role="alert" { p { strong { "问卷未提交：" } } ul { @for e in errors { li { (e) } } } }
            }
            form method="post" accept-charset="utf-8" {
                @for (n, (key, text)) in QUESTIONS.iter().enumerate() {
                    fieldset {
                        legend { (n + 1) ". " (text) }
                        @for r in Rating::ALL {
                            label { input type="radio" name=(key) value=(r.as_str()) required checked[ratings.get(n).copied().flatten() == Some(r)]; " " (r.as_str()) }
                        }
                    }
                }
                label for="remark" { "其他意见和建议（选填）" }
                textarea id="remark" name="remark" { (remark) }
                div.hp aria-hidden="true" {
                    label for=(HONEYPOT) { "请勿填写" }
                    input type="text" id=(HONEYPOT) name=(HONEYPOT) tabindex="-1" autocomplete="off";
                }
                button type="submit" { "提交问卷" }
            }
        },
    )
}

async fn open(app: &App, unit: &str) -> Result<(String, Campaign), Response> {
    let Some(name) = app.portal.unit(unit) else {
        return Err(message(StatusCode::NOT_FOUND, "找不到这个单位", 2, "本平台没有这个单位。"));
    };
    match campaigns::open_for(&app.db, unit, app.today()).await {
        Ok(Some(c)) => Ok((name.to_owned(), c)),
        Ok(None) => Err(message(
            StatusCode::OK,
            &format!("{name}：社会评议"),
            2,
            "现在不在评议期内，问卷暂不开放。评议开始后，请在评议时间内填写。",
        )),
        Err(e) => {
            eprintln!("读取评议失败：{e}");
            Err(message(StatusCode::SERVICE_UNAVAILABLE, "暂时无法评议", 2, "系统暂时不可用，请稍后再试。"))
        }
    }
}

/// GET: the questionnaire, or the closed page.
pub async fn form(State(app): State<App>, Path(unit): Path<String>) -> Response {
    match open(&app, &unit).await {
        Ok((name, c)) => respond(StatusCode::OK, form_page(&name, &c, &[], "", &[])),
        Err(r) => r,
    }
}

/// POST: check and store one questionnaire.
pub async fn submit(
    State(app): State<App>,
    Path(unit): Path<String>,
    Extension(guard): Extension<Arc<Guard>>,
    client: Option<Extension<Client>>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let (name, c) = match open(&app, &unit).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let pairs = match form {
        Ok(Form(p)) => p,
        Err(e) => return form_problem(&e, 2),
    };
    if let Some(refused) = honeypot(&pairs, "问卷未受理") {
        return refused;
    }
    let (ratings, remark, errors) = check(&pairs);
    if !errors.is_empty() {
        return respond(StatusCode::UNPROCESSABLE_ENTITY, form_page(&name, &c, &ratings, &remark, &errors));
    }
    if !guard.ballot(&c.id, &unit, client.map(|Extension(c)| c)) {
        return message(
            StatusCode::TOO_MANY_REQUESTS,
            "问卷未受理",
            2,
            "这次评议已从同一网络地址收到多份问卷，今天不再受理来自这个地址的问卷。感谢参与评议。",
        );
    }
    let ratings: Vec<Rating> = ratings.into_iter().flatten().collect();
    match campaigns::answer(&app.db, &c.id, &unit, &ratings, &remark).await {
        Ok(()) => message(StatusCode::OK, "问卷已提交", 2, "感谢参与评议。评议结果将在评议结束后公布。"),
        Err(e) => {
            eprintln!("保存问卷失败：{e}");
            message(StatusCode::SERVICE_UNAVAILABLE, "问卷未能保存", 2, "系统暂时无法保存问卷，请稍后重新提交。")
        }
    }
}
