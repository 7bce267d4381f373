//! `lookup`: an applicant sees the status of one application with its 受理编号 and 查询码, and
//! nothing else (a wrong number and a wrong code get the same answer).

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use super::page::{message, page, respond};
use super::{App, form_problem};
use crate::cases;

fn form_page(number: &str, problem: Option<&str>) -> Markup {
    page(
        "查询申请办理情况",
        0,
        html! {
            @if let Some(p) = problem { div.errors role="alert" { p { (p) } } }
            form method="post" accept-charset="utf-8" {
                label for="number" { "受理编号" }
                input type="text" id="number" name="number" value=(number) required;
                label for="code" { "查询码" }
                input type="password" id="code" name="code" autocomplete="off" required;
                button type="submit" { "查询" }
            }
        },
    )
}

/// GET: the form.
pub async fn form() -> Response {
    respond(StatusCode::OK, form_page("", None))
}

/// POST: the status, when both match.
pub async fn submit(State(app): State<App>, form: Result<Form<Vec<(String, String)>>, FormRejection>) -> Response {
    let pairs = match form {
        Ok(Form(p)) => p,
        Err(e) => return form_problem(&e, 0),
    };
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).unwrap_or_default();
    let (number, code) = (get("number"), get("code"));
    if number.chars().count() > 200 || code.chars().count() > 100 {
        return respond(StatusCode::UNPROCESSABLE_ENTITY, form_page("", Some("受理编号或查询码太长。")));
    }
    match cases::lookup(&app.db, &number, &code).await {
        Ok(Some(s)) => respond(
            StatusCode::OK,
            page(
                "申请办理情况",
                0,
                html! {
                    table {
                        tr { th { "受理编号" } td { (s.no) } }
                        tr { th { "收到日期" } td { (s.received) } }
                        tr { th { "答复期限" } td { (s.due) } }
                        @if let Some(r) = &s.extension { tr { th { "延长答复期限的理由" } td { (r) } } }
                        tr { th { "办理进度" } td { (s.state)
                            @match s.hold.as_deref() {
                                Some(crate::holds::COMPLETION) => "（已告知补正，等待申请人补正；答复期限自收到补正后的申请之日起重新计算）",
                                Some(crate::holds::THIRD_PARTY) => "（正在征求第三方意见，所需时间不计入答复期限）",
                                _ => "",
                            }
                        } }
                        @if let Some(o) = &s.outcome { tr { th { "处理结果" } td { (o) } } }
                        @if let Some(d) = &s.replied { tr { th { "答复日期" } td { (d) } } }
                    }
                    p { "答复书按申请时选择的方式送达。" }
                },
            ),
        ),
        Ok(None) => respond(
            StatusCode::NOT_FOUND,
            form_page(&number, Some("受理编号或查询码不对：请核对后重新输入（查询码不区分大小写，短横线可省略）。")),
        ),
        Err(e) => {
            eprintln!("查询失败：{e}");
            message(StatusCode::SERVICE_UNAVAILABLE, "暂时无法查询", 0, "系统暂时无法查询，请稍后再试。")
        }
    }
}
