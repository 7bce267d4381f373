//! The staff console under `staff/`: login, the cases of one's units (overdue ones marked),
//! a case with its audit trail and the forms for its next step and its extension. Every form
//! carries the session's CSRF token; a case of another unit is "not found".

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gongkai::desk::OUTCOMES;
use maud::{Markup, html};

use super::App;
use super::page::{message, page, respond};
use super::posted::Posted;
use crate::cases::{CaseNo, LIST_LIMIT};
use crate::db::{V, i, t};
use crate::users::{self, User};
use crate::workflow::{self, Step};

/// The session cookie's name.
pub const COOKIE: &str = "desk_session";

/// A cookie's value, if the request has it.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == name && !v.is_empty()).then(|| v.to_owned())
    })
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, COOKIE)
}

/// The signed-in account, or the response to give instead (to the login page).
pub(crate) async fn signed_in(app: &App, headers: &HeaderMap, depth: usize) -> Result<User, Response> {
    let login = || {
        let to = format!("{}login", "../".repeat(depth.saturating_sub(1)));
        (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
    };
    let Some(token) = cookie_token(headers) else { return Err(login()) };
    match users::session(&app.db, &token).await {
        Ok(Some(u)) => Ok(u),
        Ok(None) => Err(login()),
        Err(e) => {
            eprintln!("读取登录状态失败：{e}");
            Err(message(StatusCode::SERVICE_UNAVAILABLE, "暂时不可用", depth, "系统暂时不可用，请稍后再试。"))
        }
    }
}

/// POST `staff/logout`.
pub async fn logout(State(app): State<App>, headers: HeaderMap, _: Posted) -> Response {
    if let Some(token) = cookie_token(&headers)
        && let Err(e) = users::logout(&app.db, &token).await
    {
        // the session would stay valid: say so rather than show the login page
        eprintln!("无法结束会话：{e}");
        return message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "未能退出",
            1,
            "系统暂时无法结束您的登录，请稍后再点一次「退出」。",
        );
    }
    let clear = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    (StatusCode::SEE_OTHER, [(header::SET_COOKIE, clear), (header::LOCATION, "login".to_owned())]).into_response()
}

fn csrf(user: &User) -> Markup {
    html! { input type="hidden" name="csrf" value=(user.csrf); }
}

fn bar(user: &User, depth: usize) -> Markup {
    let up = "../".repeat(depth.saturating_sub(1));
    html! {
        nav {
            (user.name) @if user.admin { "（管理员）" } " · "
            a href={ (up) "./" } { "申请列表" } " · "
            a href={ (up) "evaluations" } { "社会评议" }
            @if user.admin { " · " a href={ (up) "admin" } { "账号和评议" } }
            form method="post" action={ (up) "logout" } { (csrf(user)) button type="submit" { "退出" } }
        }
    }
}

/// GET `staff/`: the cases of the account's units, newest first, overdue ones marked.
pub async fn list(State(app): State<App>, headers: HeaderMap) -> Response {
    let user = match signed_in(&app, &headers, 1).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    let (filter, args): (String, Vec<V>) = if user.admin {
        (String::new(), vec![])
    } else if user.units.is_empty() {
        ("WHERE 1 = 0".to_owned(), vec![])
    } else {
        let marks: Vec<String> = (1..=user.units.len()).map(|n| format!("${n}")).collect();
        (format!("WHERE unit IN ({})", marks.join(", ")), user.units.iter().map(|u| t(u.clone())).collect())
    };
    // overdue cases first (not replied, not waiting, past the deadline in force), then the newest:
    // the list's limit can never hide one that is overdue behind newer ones
    let today = app.today();
    let mut listed = args.clone();
    listed.push(t(today.to_string()));
    let sql = format!(
        "SELECT unit, year, seq, received, due, extended_due, state, outcome, hold FROM cases {filter} \
         ORDER BY CASE WHEN hold IS NULL AND state IN ('接收', '登记', '审核', '办理') \
         AND COALESCE(extended_due, due) < ${} THEN 0 ELSE 1 END, received DESC, unit, seq DESC LIMIT {LIST_LIMIT}",
        listed.len()
    );
    let counted = app.db.rows(&format!("SELECT COUNT(*) FROM cases {filter}"), args).await;
    let (rows, total) = match (app.db.rows(&sql, listed).await, counted) {
        (Ok(r), Ok(n)) => (r, n.first().map_or(0, |n| n.int(0))),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("读取申请失败：{e}");
            return message(StatusCode::SERVICE_UNAVAILABLE, "暂时不可用", 1, "系统暂时不可用，请稍后再试。");
        }
    };
    respond(
        StatusCode::OK,
        page(
            "依申请公开：申请列表",
            1,
            html! {
                (bar(&user, 1))
                p { "标红的申请已超过答复期限，排在最前。"
                    @if total > LIST_LIMIT { "共 " (total) " 件，这里列出超期的和最近收到的 " (LIST_LIMIT) " 件。" } }
                table {
                    tr { th { "受理编号" } th { "单位" } th { "收到日期" } th { "答复期限" } th { "进度" } th { "结果" } }
                    @for r in &rows {
                        @let no = CaseNo { unit: r.text(0), year: r.int(1), seq: r.int(2) }.to_string();
                        @let due = r.opt(5).unwrap_or_else(|| r.text(4));
                        @let late = r.opt(8).is_none() && workflow::overdue(&r.text(6), &due, today);
                        tr class=[late.then_some("overdue")] {
                            td { a href={ "case/" (no) } { (no) } }
                            td { (app.portal.unit(&r.text(0)).unwrap_or(&r.text(0))) }
                            td { (r.text(3)) }
                            td { (due) @if late { "（已超期）" } }
                            td { (r.text(6)) @if let Some(h) = r.opt(8) { "（等待：" (h) "）" } }
                            td { (r.text(7)) }
                        }
                    }
                }
            },
        ),
    )
}

async fn case_page(app: &App, user: &User, no: &CaseNo, problem: Option<&str>) -> Response {
    let key = vec![t(no.unit.clone()), i(no.year), i(no.seq)];
    let cols = "received, due, extended_due, extension_reason, state, outcome, outcome_reason, replied, \
                applicant, id_doc, phone, email, address, info, doc_number, medium, delivery, hold";
    let case =
        app.db.rows(&format!("SELECT {cols} FROM cases WHERE unit = $1 AND year = $2 AND seq = $3"), key.clone()).await;
    let trail = app
        .db
        .rows("SELECT at, actor, action, detail FROM audit WHERE unit = $1 AND year = $2 AND seq = $3 ORDER BY n", key)
        .await;
    let (Ok(case), Ok(trail)) = (case, trail) else {
        return message(StatusCode::SERVICE_UNAVAILABLE, "暂时不可用", 2, "系统暂时不可用，请稍后再试。");
    };
    let Some(c) = case.first() else { return not_found() };
    let state = c.text(4);
    let due = c.opt(2).unwrap_or_else(|| c.text(1));
    let waits = super::waits::case(app, no).await;
    let hold = c.opt(17);
    let late = hold.is_none() && workflow::overdue(&state, &due, app.today());
    let labels = gongkai::desk::APPLICATION_FIELDS.iter().map(|f| f.label);
    let next = workflow::next(&state).filter(|_| hold.is_none());
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    respond(
        status,
        page(
            &format!("申请 {no}"),
            2,
            html! {
                (bar(user, 2))
                @if let Some(p) = problem { div.errors role="alert" { p { (p) } } }
                table {
                    tr { th { "单位" } td { (app.portal.unit(&no.unit).unwrap_or(&no.unit)) } }
                    tr { th { "收到日期" } td { (c.text(0)) } }
                    tr class=[late.then_some("overdue")] { th { "答复期限" } td { (due) @if late { "（已超期）" } } }
                    @if let Some(r) = c.opt(3) { tr { th { "延期理由" } td { (r) } } }
                    tr { th { "进度" } td { (state) @if let Some(h) = &hold { "（等待：" (h) "）" } } }
                    @if let Some(o) = c.opt(5) { tr { th { "处理结果" } td { (o) @if let Some(r) = c.opt(6) { "：" (r) } } } }
                    @if let Some(d) = c.opt(7) { tr { th { "答复日期" } td { (d) } } }
                    @for (n, label) in labels.enumerate() { tr { th { (label) } td { (c.text(8 + n)) } } }
                }
                @if let Some(to) = next {
                    h2 { "下一步：" (to) }
                    form method="post" {
                        (csrf(user))
                        input type="hidden" name="do" value="step";
                        input type="hidden" name="to" value=(to);
                        @if to == "答复" {
                            fieldset { legend { "处理结果" }
                                @for o in OUTCOMES { label { input type="radio" name="outcome" value=(o) required; " " (o) } }
                            }
                            label for="reason" { "理由或说明（不予公开必填）" }
                            textarea id="reason" name="reason" {}
                        }
                        button type="submit" { "确认：" (to) }
                    }
                }
                @if let Some(w) = &waits { (super::waits::forms(app, w, &csrf(user))) }
                @if c.opt(2).is_none() && next.is_some() && !matches!(state.as_str(), "答复") {
                    h2 { "延长答复期限（只能一次，最多 20 个工作日）" }
                    form method="post" {
                        (csrf(user))
                        input type="hidden" name="do" value="extend";
                        label for="days" { "延长的工作日数" }
                        input type="text" id="days" name="days" value="20" required;
                        label for="ext-reason" { "理由（经负责人同意，并告知申请人）" }
                        textarea id="ext-reason" name="reason" required {}
                        button type="submit" { "延长期限" }
                    }
                }
                h2 { "办理记录" }
                table {
                    tr { th { "时间" } th { "经办" } th { "操作" } th { "内容" } }
                    @for a in &trail { tr { td { (a.text(0)) } td { (a.text(1)) } td { (a.text(2)) } td { (a.text(3)) } } }
                }
            },
        ),
    )
}

fn not_found() -> Response {
    message(StatusCode::NOT_FOUND, "找不到这件申请", 2, "没有这件申请，或者它不属于您负责的单位。")
}

/// The case a path names, if the account may see it.
fn case_no(user: &User, no: &str) -> Option<CaseNo> {
    CaseNo::parse(no).filter(|n| user.may(&n.unit))
}

/// GET `staff/case/<受理编号>`.
pub async fn case(State(app): State<App>, headers: HeaderMap, Path(no): Path<String>) -> Response {
    let user = match signed_in(&app, &headers, 2).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    match case_no(&user, &no) {
        Some(no) => case_page(&app, &user, &no, None).await,
        None => not_found(),
    }
}

async fn current_state(app: &App, no: &CaseNo) -> Option<(String, String)> {
    let rows = app
        .db
        .rows(
            "SELECT state, COALESCE(extended_due, due) FROM cases WHERE unit = $1 AND year = $2 AND seq = $3",
            vec![t(no.unit.clone()), i(no.year), i(no.seq)],
        )
        .await
        .ok()?;
    rows.first().map(|r| (r.text(0), r.text(1)))
}

fn back(no: &CaseNo) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, no.to_string())]).into_response()
}

/// POST `staff/case/<受理编号>`: the next step (`do=step`) or the extension (`do=extend`).
pub async fn act(State(app): State<App>, Path(no): Path<String>, posted: Posted) -> Response {
    let (user, get) = (&posted.user, |k: &str| posted.get(k));
    let Some(no) = case_no(user, &no) else { return not_found() };
    let Some((state, due)) = current_state(&app, &no).await else { return not_found() };
    if let Some(done) = super::waits::act(&app, user, &no, due.parse().unwrap_or(jiff::civil::Date::MIN), &posted).await
    {
        return match done {
            Ok(()) => back(&no),
            Err(p) => case_page(&app, user, &no, Some(&p)).await,
        };
    }
    if let Some(h) = super::waits::case(&app, &no).await.and_then(|w| w.hold) {
        let p = format!("这件申请正在等待「{h}」：等待结束后才能办理下一步或延长期限");
        return case_page(&app, user, &no, Some(&p)).await;
    }
    if get("do") == "extend" {
        let Ok(days) = get("days").parse::<u32>() else {
            return case_page(&app, user, &no, Some("延长的工作日数请写数字，例如 20")).await;
        };
        let Ok(due) = due.parse() else { return not_found() };
        return match workflow::extend(&app.db, &app.portal.calendar, &no, due, days, &get("reason"), &user.name).await {
            Ok(_) => back(&no),
            Err(p) => case_page(&app, user, &no, Some(&p)).await,
        };
    }
    let s = Step { to: get("to"), outcome: get("outcome"), reason: get("reason") };
    if let Err(p) = workflow::check(&state, &s) {
        return case_page(&app, user, &no, Some(&p)).await;
    }
    match workflow::advance(&app.db, &no, &state, &s, &user.name, app.today()).await {
        Ok(()) => back(&no),
        Err(_) => case_page(&app, user, &no, Some("这件申请刚被别人办理过：请看最新的进度后再操作。")).await,
    }
}
