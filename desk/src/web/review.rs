//! `staff/evaluations`: each campaign's tallies and 等次 per unit, the free text of the
//! questionnaires for staff to read (it stays in the desk: it may hold personal data), and the
//! 整改 records (《社会评议办法》第九条) that the export publishes.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gongkai::desk::{QUESTIONS, RECTIFICATION_STATES, Rating, Tally, grade, score_tenths};
use maud::html;

use super::App;
use super::page::{message, page, respond};
use super::posted::Posted;
use super::staff::signed_in;
use crate::campaigns;
use crate::db::{Stmt, i, t};
use crate::users::User;

async fn review_page(app: &App, user: &User, problem: Option<&str>) -> Response {
    let Ok(list) = campaigns::all(&app.db).await else {
        return message(StatusCode::SERVICE_UNAVAILABLE, "暂时不可用", 1, "系统暂时不可用，请稍后再试。");
    };
    let cols: Vec<&str> = QUESTIONS.iter().map(|(k, _)| *k).collect();
    let mut blocks = Vec::new();
    for c in &list {
        let rows = app
            .db
            .rows(
                &format!(
                    "SELECT unit, id, remark, reviewed, {} FROM responses WHERE campaign = $1 ORDER BY unit, at",
                    cols.join(", ")
                ),
                vec![t(c.id.clone())],
            )
            .await
            .unwrap_or_default();
        let fixes = app
            .db
            .rows("SELECT unit, n, problem, measure, due, state, done FROM rectifications WHERE campaign = $1 ORDER BY unit, n", vec![t(c.id.clone())])
            .await
            .unwrap_or_default();
        let mut units: Vec<String> = rows.iter().map(|r| r.text(0)).chain(fixes.iter().map(|r| r.text(0))).collect();
        units.dedup();
        units.sort();
        units.dedup();
        for unit in units.into_iter().filter(|u| user.may(u)) {
            let mine: Vec<_> = rows.iter().filter(|r| r.text(0) == unit).collect();
            let mut tallies = vec![Tally::default(); QUESTIONS.len()];
            for r in &mine {
                for (q, tally) in tallies.iter_mut().enumerate() {
                    if let Some(rating) = Rating::parse(&r.text(4 + q)) {
                        tally.add(rating);
                    }
                }
            }
            let fx: Vec<_> = fixes.iter().filter(|r| r.text(0) == unit).cloned().collect();
            blocks.push((c.clone(), unit, mine.into_iter().cloned().collect::<Vec<_>>(), tallies, fx));
        }
    }
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    respond(
        status,
        page(
            "社会评议：结果、意见和整改",
            1,
            html! {
                p { a href="./" { "返回申请列表" } }
                @if let Some(p) = problem { div.errors role="alert" { p { (p) } } }
                @if blocks.is_empty() { p { "还没有评议问卷。" } }
                @for (c, unit, responses, tallies, fixes) in &blocks {
                    h2 { (c.name) "：" (app.portal.unit(unit).unwrap_or(unit)) }
                    p { "问卷 " (responses.len()) " 份；等次："
                        @match grade(tallies.iter()) { Some(g) => { (g.as_str()) }, None => { "—" } }
                        @if let Some(s) = score_tenths(tallies.iter()) { "（综合满意度 " (s / 10) "." (s % 10) "）" } }
                    table {
                        tr { th { "题目" } th { "满意" } th { "基本满意" } th { "不满意" } }
                        @for ((_, text), tally) in QUESTIONS.iter().zip(tallies) {
                            tr { td { (text) } td { (tally.satisfied) } td { (tally.basically) } td { (tally.unsatisfied) } }
                        }
                    }
                    h3 { "意见和建议（不导出，不公开）" }
                    @for r in responses.iter().filter(|r| !r.text(2).is_empty()) {
                        form method="post" {
                            input type="hidden" name="csrf" value=(user.csrf);
                            input type="hidden" name="do" value="review";
                            input type="hidden" name="id" value=(r.text(1));
                            p { (r.text(2)) " " @if r.int(3) != 0 { "（已阅）" } @else { button type="submit" { "标为已阅" } } }
                        }
                    }
                    h3 { "整改" }
                    @for f in fixes {
                        form method="post" {
                            input type="hidden" name="csrf" value=(user.csrf);
                            input type="hidden" name="do" value="done";
                            input type="hidden" name="campaign" value=(c.id);
                            input type="hidden" name="unit" value=(unit);
                            input type="hidden" name="n" value=(f.int(1));
                            p { "问题：" (f.text(2)) "；措施：" (f.text(3))
                                @if let Some(d) = f.opt(4) { "；期限：" (d) }
                                "；" (f.text(5)) @if let Some(d) = f.opt(6) { "（" (d) "）" }
                                @if f.text(5) != "已完成" { " " button type="submit" { "标为今天完成" } } }
                        }
                    }
                    form method="post" {
                        input type="hidden" name="csrf" value=(user.csrf);
                        input type="hidden" name="do" value="fix";
                        input type="hidden" name="campaign" value=(c.id);
                        input type="hidden" name="unit" value=(unit);
                        label { "问题" input type="text" name="problem" required; }
                        label { "措施" input type="text" name="measure" required; }
                        label { "期限（选填）" input type="date" name="due"; }
                        button type="submit" { "新增整改" }
                    }
                }
            },
        ),
    )
}

/// GET `staff/evaluations`.
pub async fn show(State(app): State<App>, headers: HeaderMap) -> Response {
    match signed_in(&app, &headers, 1).await {
        Ok(user) => review_page(&app, &user, None).await,
        Err(r) => r,
    }
}

/// POST `staff/evaluations`: mark a remark read, add a 整改, mark one done.
pub async fn act(State(app): State<App>, posted: Posted) -> Response {
    let (user, get) = (&posted.user, |k: &str| posted.get(k));
    let forbidden = || message(StatusCode::NOT_FOUND, "找不到", 1, "没有这项内容，或者它不属于您负责的单位。");
    let done = match get("do").as_str() {
        "review" => {
            let unit = app
                .db
                .rows("SELECT unit FROM responses WHERE id = $1", vec![t(get("id"))])
                .await
                .ok()
                .and_then(|r| r.first().map(|r| r.text(0)));
            if !unit.is_some_and(|u| user.may(&u)) {
                return forbidden();
            }
            app.db
                .exec("UPDATE responses SET reviewed = 1 WHERE id = $1", vec![t(get("id"))])
                .await
                .map_err(|e| e.told())
        }
        "fix" | "done" if !user.may(&get("unit")) => return forbidden(),
        "fix" => {
            let (problem, measure, due) = (get("problem"), get("measure"), get("due"));
            if problem.is_empty()
                || measure.is_empty()
                || problem.chars().count() > 500
                || measure.chars().count() > 500
            {
                Err("请写明问题和措施（各不超过 500 字）".to_owned())
            } else if !due.is_empty() && due.parse::<jiff::civil::Date>().ok().is_none_or(|d| d.to_string() != due) {
                // exactly YYYY-MM-DD: the export publishes it, and the site reads no other form
                Err(format!("期限「{due}」请写成 2026-12-31"))
            } else {
                let key = vec![t(get("campaign")), t(get("unit"))];
                let mut args = key.clone();
                args.extend([
                    t(problem),
                    t(measure),
                    if due.is_empty() { crate::db::V::T(None) } else { t(due) },
                    t(RECTIFICATION_STATES[0]),
                ]);
                app.db
                    .tx(vec![Stmt::new(
                        "INSERT INTO rectifications (campaign, unit, n, problem, measure, due, state) VALUES ($1, $2, \
                         (SELECT COALESCE(MAX(n), 0) + 1 FROM rectifications WHERE campaign = $1 AND unit = $2), $3, $4, $5, $6)",
                        args,
                    )])
                    .await
                    .map(|_| ())
                    .map_err(|e| e.told())
            }
        }
        "done" => {
            let n = get("n").parse::<i64>().unwrap_or(0);
            app.db
                .tx(vec![Stmt::touching(
                    "UPDATE rectifications SET state = $4, done = $5 WHERE campaign = $1 AND unit = $2 AND n = $3",
                    vec![
                        t(get("campaign")),
                        t(get("unit")),
                        i(n),
                        t(RECTIFICATION_STATES[1]),
                        t(app.today().to_string()),
                    ],
                )])
                .await
                .map(|_| ())
                .map_err(|_| "没有这项整改".to_owned())
        }
        _ => Err("不认识的操作".to_owned()),
    };
    match done {
        Ok(()) => (StatusCode::SEE_OTHER, [(header::LOCATION, "evaluations")]).into_response(),
        Err(p) => review_page(&app, user, Some(&p)).await,
    }
}
