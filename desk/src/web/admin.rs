//! `staff/admin`: the administrator creates accounts (admin, or staff of some units) and
//! 社会评议 campaigns. Anyone else gets 403.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;

use super::App;
use super::page::{message, page, respond};
use super::posted::Posted;
use super::staff::signed_in;
use crate::campaigns::{self, Campaign};
use crate::users::{self, User};

async fn admin_page(app: &App, user: &User, problem: Option<&str>) -> Response {
    let (Ok(accounts), Ok(list)) = (users::all(&app.db).await, campaigns::all(&app.db).await) else {
        return message(StatusCode::SERVICE_UNAVAILABLE, "暂时不可用", 1, "系统暂时不可用，请稍后再试。");
    };
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let csrf = html! { input type="hidden" name="csrf" value=(user.csrf); };
    respond(
        status,
        page(
            "账号和评议",
            1,
            html! {
                p { a href="./" { "返回申请列表" } }
                @if let Some(p) = problem { div.errors role="alert" { p { (p) } } }
                h2 { "账号" }
                table {
                    tr { th { "账号" } th { "角色" } th { "负责单位" } }
                    @for (name, admin, units) in &accounts {
                        tr { td { (name) } td { @if *admin { "管理员" } @else { "工作人员" } } td { (units.join("、")) } }
                    }
                }
                form method="post" {
                    (csrf)
                    input type="hidden" name="do" value="user";
                    label for="name" { "新账号" }
                    input type="text" id="name" name="name" required;
                    label for="password" { "初始密码（至少 12 个字符）" }
                    input type="password" id="password" name="password" autocomplete="new-password" required;
                    label { input type="checkbox" name="admin" value="1"; " 管理员" }
                    fieldset { legend { "负责的单位" }
                        @for (slug, name) in &app.portal.units { label { input type="checkbox" name="unit" value=(slug); " " (name) } }
                    }
                    button type="submit" { "新建账号" }
                }
                h2 { "社会评议" }
                table {
                    tr { th { "编号" } th { "名称" } th { "单位" } th { "开始" } th { "结束" } }
                    @for c in &list {
                        tr { td { (c.id) } td { (c.name) } td { @if c.unit.is_empty() { "所有单位" } @else { (c.unit) } } td { (c.opens) } td { (c.closes) } }
                    }
                }
                form method="post" {
                    (csrf)
                    input type="hidden" name="do" value="campaign";
                    label for="id" { "编号（导出文件名，例如 2026）" }
                    input type="text" id="id" name="id" required;
                    label for="cname" { "名称" }
                    input type="text" id="cname" name="cname" required;
                    label for="from" { "开始日期" }
                    input type="date" id="from" name="from" required;
                    label for="to" { "结束日期" }
                    input type="date" id="to" name="to" required;
                    label for="unit" { "单位（留空：所有单位）" }
                    input type="text" id="unit" name="unit";
                    button type="submit" { "新建评议" }
                }
            },
        ),
    )
}

fn admin_only(user: &User) -> Option<Response> {
    (!user.admin).then(|| message(StatusCode::FORBIDDEN, "无权访问", 1, "只有管理员可以管理账号和评议。"))
}

/// GET `staff/admin`.
pub async fn show(State(app): State<App>, headers: HeaderMap) -> Response {
    let user = match signed_in(&app, &headers, 1).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Some(r) = admin_only(&user) {
        return r;
    }
    admin_page(&app, &user, None).await
}

/// POST `staff/admin`: a new account (`do=user`) or campaign (`do=campaign`).
pub async fn act(State(app): State<App>, posted: Posted) -> Response {
    let (user, get) = (&posted.user, |k: &str| posted.get(k));
    if let Some(r) = admin_only(user) {
        return r;
    }
    let done = if get("do") == "user" {
        let units = posted.all("unit");
        match units.iter().find(|u| app.portal.unit(u).is_none()) {
            Some(u) => Err(format!("门户中没有单位「{u}」")),
            None => users::add(&app.db, &get("name"), &posted.raw("password"), get("admin") == "1", &units).await,
        }
    } else {
        let unit = get("unit");
        if !unit.is_empty() && app.portal.unit(&unit).is_none() {
            Err(format!("门户中没有单位「{unit}」"))
        } else {
            let c = Campaign { id: get("id"), name: get("cname"), unit, opens: get("from"), closes: get("to") };
            campaigns::add(&app.db, &c).await
        }
    };
    match done {
        Ok(()) => (StatusCode::SEE_OTHER, [(header::LOCATION, "admin")]).into_response(),
        Err(p) => admin_page(&app, user, Some(&p)).await,
    }
}
