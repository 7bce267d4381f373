//! The staff console's forms and actions for the waits of a case (`holds`): 告知补正, 补正完成,
//! 逾期未补正, 征求第三方意见, 收到第三方意见. Shown on the case page, posted to it.

use jiff::civil::Date;
use maud::{Markup, html};

use super::App;
use super::posted::Posted;
use crate::cases::CaseNo;
use crate::db::{i, t};
use crate::holds::{self, Case};
use crate::users::User;

/// The forms for the case's waits (what can be done now).
pub fn forms(app: &App, case: &Case, csrf: &Markup) -> Markup {
    let cal = &app.portal.calendar;
    let today = app.today();
    html! {
        @match case.hold.as_deref() {
            Some(holds::COMPLETION) => {
                h2 { "等待补正（" (case.hold_from.map(|d| d.to_string()).unwrap_or_default()) " 起）" }
                p { "收到补正后的申请时，答复期限自该日起重新计算。申请人无正当理由逾期不补正的，不再处理其申请。" }
                form method="post" { (csrf) input type="hidden" name="do" value="completed";
                    button type="submit" { "今天收到补正后的申请" } }
                form method="post" { (csrf) input type="hidden" name="do" value="not-completed";
                    button type="submit" { "逾期未补正：答复「其他处理」" } }
            }
            Some(holds::THIRD_PARTY) => {
                @let from = case.hold_from;
                h2 { "征求第三方意见（" (from.map(|d| d.to_string()).unwrap_or_default()) " 起）" }
                p { "第三方应在 " (from.map(|d| cal.add_working_days(d, holds::THIRD_PARTY_DAYS).value.to_string()).unwrap_or_default())
                    " 前提出意见；所用时间不计入答复期限，结束时答复期限顺延。" }
                form method="post" { (csrf) input type="hidden" name="do" value="consulted";
                    button type="submit" { "征求意见结束（今天收到意见或期满）" } }
            }
            _ => {
                @if holds::may_ask_completion(case, cal, today).is_ok() {
                    h2 { "告知补正（只能一次，收到申请之日起 " (holds::ASK_COMPLETION_DAYS) " 个工作日内，至 "
                        (holds::last_day_to_ask(cal, case.received)) "）" }
                    form method="post" { (csrf) input type="hidden" name="do" value="ask-completion";
                        label for="what" { "需要补正的内容（告知申请人）" }
                        textarea id="what" name="what" required {}
                        button type="submit" { "告知补正" } }
                }
                @if holds::may_consult(case).is_ok() {
                    h2 { "征求第三方意见（第三方 " (holds::THIRD_PARTY_DAYS) " 个工作日内提出意见）" }
                    form method="post" { (csrf) input type="hidden" name="do" value="consult";
                        label for="whom" { "第三方和征求意见的事项" }
                        textarea id="whom" name="whom" required {}
                        button type="submit" { "书面征求意见" } }
                }
            }
        }
    }
}

/// The case's wait columns, read fresh.
pub async fn case(app: &App, no: &CaseNo) -> Option<Case> {
    let rows = app
        .db
        .rows(
            &format!("SELECT {} FROM cases WHERE unit = $1 AND year = $2 AND seq = $3", holds::COLUMNS),
            vec![t(no.unit.clone()), i(no.year), i(no.seq)],
        )
        .await
        .ok()?;
    rows.first().map(|r| Case::from_row(r, 0))
}

/// Does what a POST's `do` asks, if it is about a wait (`None`: it is not).
pub async fn act(app: &App, user: &User, no: &CaseNo, due: Date, posted: &Posted) -> Option<Result<(), String>> {
    let (what, get) = (posted.get("do"), |k: &str| posted.get(k));
    let what = what.as_str();
    let (db, cal, today) = (&app.db, &app.portal.calendar, app.today());
    if !matches!(what, "ask-completion" | "completed" | "not-completed" | "consult" | "consulted") {
        return None;
    }
    let Some(case) = case(app, no).await else { return Some(Err("找不到这件申请".into())) };
    let who = user.name.as_str();
    Some(match what {
        "ask-completion" => holds::ask_completion(db, cal, no, &case, &get("what"), who, today).await,
        "completed" => holds::completed(db, cal, &app.portal.reply(&no.unit), no, who, today).await.map(|_| ()),
        "not-completed" => holds::not_completed(db, no, who, today).await,
        "consult" => holds::consult(db, cal, no, &case, &get("whom"), who, today).await.map(|_| ()),
        _ => holds::consulted(db, cal, no, &case, due, who, today).await.map(|_| ()),
    })
}
