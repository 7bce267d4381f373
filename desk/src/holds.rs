//! The two waits of an application (《政府信息公开条例》2019):
//! - 补正 (第三十条): an unclear application may be sent back once, within 7 working days of its
//!   receipt, for the applicant to complete; the reply period then runs from the day the completed
//!   application arrives (the deadline is computed again from that day); an applicant who does
//!   not complete it is answered 其他处理 (the annual report's "逾期不补正").
//! - 征求第三方意见 (第三十二条): when disclosure may harm a third party, its opinion is asked in
//!   writing, to be given within 15 working days; the time this takes is not counted in the reply
//!   period (第三十三条第三款): the deadline moves on by the working days the case waited.
//!
//! A wait is the `hold` of a case (its step stays as it was); while it waits, no step and no
//! extension can be taken and the case is not overdue. Each start and end is written with its
//! audit row in the same transaction; the dates are on the portal's working-day calendar.

use gongkai::calendar::Calendar;
use gongkai::desk::ReplyPeriod;
use jiff::civil::Date;

use crate::cases::CaseNo;
use crate::db::{Db, DbError, Stmt, i, t};
use crate::workflow::audit;

/// The wait for the applicant's completed application.
pub const COMPLETION: &str = "补正";
/// The wait for a third party's opinion.
pub const THIRD_PARTY: &str = "征求第三方意见";
/// Working days after receipt within which completion may be asked (第三十条).
pub const ASK_COMPLETION_DAYS: u32 = 7;
/// Working days a third party has to give its opinion (第三十二条).
pub const THIRD_PARTY_DAYS: u32 = 15;

/// What a wait needs to know of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// Its step.
    pub state: String,
    /// The date of receipt.
    pub received: Date,
    /// Extended already.
    pub extended: bool,
    /// The wait it is in, if any.
    pub hold: Option<String>,
    /// The day the wait began.
    pub hold_from: Option<Date>,
    /// Completion was asked already (only once).
    pub completion_asked: bool,
}

impl Case {
    /// Reads the case's columns `state, received, extended_due, hold, hold_from, completion_asked`
    /// from the row at `c`.
    pub fn from_row(r: &crate::db::Row, c: usize) -> Case {
        Case {
            state: r.text(c),
            received: r.text(c + 1).parse().unwrap_or(Date::MIN),
            extended: r.opt(c + 2).is_some(),
            hold: r.opt(c + 3),
            hold_from: r.opt(c + 4).and_then(|d| d.parse().ok()),
            completion_asked: r.int(c + 5) != 0,
        }
    }
}

/// The columns [`Case::from_row`] reads, in its order.
pub const COLUMNS: &str = "state, received, extended_due, hold, hold_from, completion_asked";

/// The last day completion may be asked for a case received on `received`.
pub fn last_day_to_ask(cal: &Calendar, received: Date) -> Date {
    cal.add_working_days(received, ASK_COMPLETION_DAYS).value
}

/// Whether completion may be asked today; the reason in Chinese when not.
pub fn may_ask_completion(case: &Case, cal: &Calendar, today: Date) -> Result<(), String> {
    if case.completion_asked {
        return Err("补正只能告知一次（《政府信息公开条例》第三十条：一次性告知）".into());
    }
    if case.hold.is_some() {
        return Err(format!("这件申请正在等待「{}」", case.hold.as_deref().unwrap_or_default()));
    }
    if !matches!(case.state.as_str(), "接收" | "登记" | "审核") {
        return Err("补正只能在审核完成之前告知".into());
    }
    if case.extended {
        return Err("已经延长答复期限的申请不能再告知补正".into());
    }
    let last = last_day_to_ask(cal, case.received);
    if today > last {
        return Err(format!("补正应在收到申请之日起 {ASK_COMPLETION_DAYS} 个工作日内（{last} 前）告知，已过期限"));
    }
    Ok(())
}

/// Whether a third party's opinion may be asked now; the reason when not.
pub fn may_consult(case: &Case) -> Result<(), String> {
    if case.hold.is_some() {
        return Err(format!("这件申请正在等待「{}」", case.hold.as_deref().unwrap_or_default()));
    }
    if !matches!(case.state.as_str(), "登记" | "审核" | "办理") {
        return Err("征求第三方意见须在登记之后、答复之前".into());
    }
    Ok(())
}

fn key(no: &CaseNo) -> Vec<crate::db::V> {
    vec![t(no.unit.clone()), i(no.year), i(no.seq)]
}

fn conflict(e: DbError) -> String {
    match e {
        DbError::Conflict => "这件申请刚被别人办理过：请看最新的进度后再操作。".to_owned(),
        e => {
            eprintln!("办理申请失败：{e}");
            "系统暂时无法保存，请稍后再试。".to_owned()
        }
    }
}

/// Asks the applicant to complete the application (`what`: what is unclear, as told to them).
pub async fn ask_completion(
    db: &Db,
    cal: &Calendar,
    no: &CaseNo,
    case: &Case,
    what: &str,
    actor: &str,
    today: Date,
) -> Result<(), String> {
    may_ask_completion(case, cal, today)?;
    let what = what.trim();
    if what.is_empty() || what.chars().count() > 2000 {
        return Err("请写明需要补正的内容（2000 字以内），它会告知申请人".into());
    }
    let now = jiff::Timestamp::now().to_string();
    let mut args = key(no);
    args.extend([t(COMPLETION), t(today.to_string())]);
    db.tx(vec![
        Stmt::touching(
            "UPDATE cases SET hold = $4, hold_from = $5, completion_asked = 1 WHERE unit = $1 AND year = $2 \
             AND seq = $3 AND hold IS NULL AND completion_asked = 0 AND extended_due IS NULL \
             AND state IN ('接收', '登记', '审核')",
            args,
        ),
        audit(no, actor, COMPLETION, &format!("告知补正：{what}"), &now),
    ])
    .await
    .map(|_| ())
    .map_err(conflict)
}

/// The completed application arrived today: the reply period runs again from today; the new
/// deadline.
pub async fn completed(
    db: &Db,
    cal: &Calendar,
    period: &ReplyPeriod,
    no: &CaseNo,
    actor: &str,
    today: Date,
) -> Result<Date, String> {
    let (due, _) = period.due(cal, today);
    let now = jiff::Timestamp::now().to_string();
    let mut args = key(no);
    args.extend([t(due.to_string()), t(COMPLETION)]);
    db.tx(vec![
        Stmt::touching(
            "UPDATE cases SET due = $4, hold = NULL, hold_from = NULL WHERE unit = $1 AND year = $2 AND seq = $3 \
             AND hold = $5",
            args,
        ),
        audit(
            no,
            actor,
            "补正完成",
            &format!("{today}收到补正后的申请，答复期限自该日起重新计算（{}），至 {due}", period.zh()),
            &now,
        ),
    ])
    .await
    .map_err(conflict)?;
    Ok(due)
}

/// The applicant did not complete the application: it is answered 其他处理 (逾期不补正).
pub async fn not_completed(db: &Db, no: &CaseNo, actor: &str, today: Date) -> Result<(), String> {
    let now = jiff::Timestamp::now().to_string();
    let reason = "申请人无正当理由逾期不补正，不再处理其申请（《政府信息公开条例》第三十条）";
    let mut args = key(no);
    args.extend([t(reason), t(today.to_string()), t(COMPLETION)]);
    db.tx(vec![
        Stmt::touching(
            "UPDATE cases SET state = '答复', outcome = '其他处理', outcome_reason = $4, replied = $5, hold = NULL, \
             hold_from = NULL WHERE unit = $1 AND year = $2 AND seq = $3 AND hold = $6",
            args,
        ),
        audit(no, actor, "答复", &format!("答复：其他处理；理由：{reason}"), &now),
    ])
    .await
    .map(|_| ())
    .map_err(conflict)
}

/// Asks a third party's opinion (`whom`: who, and about what); the day its opinion is due.
pub async fn consult(
    db: &Db,
    cal: &Calendar,
    no: &CaseNo,
    case: &Case,
    whom: &str,
    actor: &str,
    today: Date,
) -> Result<Date, String> {
    may_consult(case)?;
    let whom = whom.trim();
    if whom.is_empty() || whom.chars().count() > 2000 {
        return Err("请写明征求意见的第三方和事项（2000 字以内）".into());
    }
    let until = cal.add_working_days(today, THIRD_PARTY_DAYS).value;
    let now = jiff::Timestamp::now().to_string();
    let mut args = key(no);
    args.extend([t(THIRD_PARTY), t(today.to_string())]);
    db.tx(vec![
        Stmt::touching(
            "UPDATE cases SET hold = $4, hold_from = $5 WHERE unit = $1 AND year = $2 AND seq = $3 \
             AND hold IS NULL AND state IN ('登记', '审核', '办理')",
            args,
        ),
        audit(
            no,
            actor,
            THIRD_PARTY,
            &format!("书面征求第三方意见：{whom}；第三方应在 {until} 前提出意见（{THIRD_PARTY_DAYS} 个工作日）"),
            &now,
        ),
    ])
    .await
    .map_err(conflict)?;
    Ok(until)
}

/// The third party answered (or its 15 working days passed): the deadline moves on by the
/// working days the case waited; the new deadline.
pub async fn consulted(
    db: &Db,
    cal: &Calendar,
    no: &CaseNo,
    case: &Case,
    due: Date,
    actor: &str,
    today: Date,
) -> Result<Date, String> {
    let Some(from) = case.hold_from.filter(|_| case.hold.as_deref() == Some(THIRD_PARTY)) else {
        return Err("这件申请没有在征求第三方意见".into());
    };
    let waited = cal.working_days_between(from, today).value;
    let new_due = cal.add_working_days(due, waited).value;
    let now = jiff::Timestamp::now().to_string();
    // the deadline in force moves: the extended one when extended, else the first
    let column = if case.extended { "extended_due" } else { "due" };
    let mut args = key(no);
    args.extend([t(new_due.to_string()), t(THIRD_PARTY), t(from.to_string())]);
    db.tx(vec![
        Stmt::touching(
            &format!(
                "UPDATE cases SET {column} = $4, hold = NULL, hold_from = NULL WHERE unit = $1 AND year = $2 \
                 AND seq = $3 AND hold = $5 AND hold_from = $6"
            ),
            args,
        ),
        audit(
            no,
            actor,
            "第三方意见",
            &format!(
                "征求意见结束（{from} 至 {today}），所用 {waited} 个工作日不计入答复期限，答复期限顺延至 {new_due}"
            ),
            &now,
        ),
    ])
    .await
    .map_err(conflict)?;
    Ok(new_due)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(state: &str) -> Case {
        Case {
            state: state.into(),
            received: jiff::civil::date(2026, 11, 27),
            extended: false,
            hold: None,
            hold_from: None,
            completion_asked: false,
        }
    }

    #[test]
    fn completion_is_asked_once_within_seven_working_days_before_the_review_ends() {
        let cal = Calendar::builtin();
        // 2026-11-27 (a Friday) + 7 working days: 2026-12-08
        assert_eq!(last_day_to_ask(&cal, jiff::civil::date(2026, 11, 27)).to_string(), "2026-12-08");
        let on = |d| jiff::civil::date(2026, 12, d);
        assert!(may_ask_completion(&case("登记"), &cal, on(8)).is_ok());
        assert!(may_ask_completion(&case("登记"), &cal, on(9)).unwrap_err().contains("7 个工作日内（2026-12-08 前）"));
        assert!(may_ask_completion(&case("办理"), &cal, on(1)).unwrap_err().contains("审核完成之前"));
        let asked = Case { completion_asked: true, ..case("登记") };
        assert!(may_ask_completion(&asked, &cal, on(1)).unwrap_err().contains("一次"));
        let waiting = Case { hold: Some(THIRD_PARTY.into()), ..case("审核") };
        assert!(may_ask_completion(&waiting, &cal, on(1)).unwrap_err().contains("正在等待"));
        assert!(may_consult(&waiting).is_err());
        assert!(may_consult(&case("接收")).is_err() && may_consult(&case("答复")).is_err());
        assert!(may_consult(&case("办理")).is_ok());
    }
}
