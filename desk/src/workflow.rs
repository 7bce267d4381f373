//! The steps of an application and what each needs: 接收 → 登记 → 审核 → 办理 → 答复 (with one of
//! the annual report's outcomes; 不予公开 with its reason) → 归档, one step at a time; one
//! extension of at most 20 working days with its reason (《政府信息公开条例》第三十三条). Every step
//! is written with its audit row in the same transaction.

use gongkai::calendar::Calendar;
use gongkai::desk::OUTCOMES;
use jiff::civil::Date;

use crate::cases::{CaseNo, EXTENSION_DAYS, STATES};
use crate::db::{Db, DbError, Stmt, i, t};

/// The step after `state`, if any.
pub fn next(state: &str) -> Option<&'static str> {
    let at = STATES.iter().position(|s| *s == state)?;
    STATES.get(at + 1).copied()
}

/// Whether a case at `state` with deadline `due` is overdue on `today` (not yet replied).
pub fn overdue(state: &str, due: &str, today: Date) -> bool {
    let replied = STATES.iter().position(|s| *s == state).is_some_and(|p| p >= 4);
    !replied && due.parse::<Date>().is_ok_and(|d| today > d)
}

/// A step asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The step to take (must be the next one).
    pub to: String,
    /// 答复: the outcome.
    pub outcome: String,
    /// 答复: the reason (needed for 不予公开).
    pub reason: String,
}

/// Checks a step from `state`; the problem in Chinese.
pub fn check(state: &str, step: &Step) -> Result<(), String> {
    if next(state) != Some(step.to.as_str()) {
        return Err(format!(
            "这件申请现在是「{state}」，下一步只能是「{}」",
            next(state).unwrap_or("（已归档，没有下一步）")
        ));
    }
    if step.to == "答复" {
        if !OUTCOMES.contains(&step.outcome.as_str()) {
            return Err(format!("答复请选择处理结果：{}", OUTCOMES.join("、")));
        }
        if step.outcome == "不予公开" && step.reason.trim().is_empty() {
            return Err("不予公开须写明理由（《政府信息公开条例》第三十六条）".into());
        }
    }
    if step.reason.chars().count() > 2000 {
        return Err("理由最多 2000 个字".into());
    }
    Ok(())
}

pub(crate) fn audit(no: &CaseNo, actor: &str, action: &str, detail: &str, now: &str) -> Stmt {
    Stmt::new(
        "INSERT INTO audit (unit, year, seq, n, at, actor, action, detail) VALUES ($1, $2, $3, \
         (SELECT COALESCE(MAX(n), 0) + 1 FROM audit WHERE unit = $1 AND year = $2 AND seq = $3), $4, $5, $6, $7)",
        vec![t(no.unit.clone()), i(no.year), i(no.seq), t(now), t(actor), t(action), t(detail)],
    )
}

/// Takes a step: the case must still be at `from` (else [`DbError::Conflict`]).
pub async fn advance(db: &Db, no: &CaseNo, from: &str, step: &Step, actor: &str, today: Date) -> Result<(), DbError> {
    let now = jiff::Timestamp::now().to_string();
    let key = || vec![t(no.unit.clone()), i(no.year), i(no.seq)];
    let mut args = key();
    args.extend([t(step.to.clone()), t(from)]);
    let mut stmts = vec![Stmt::touching(
        "UPDATE cases SET state = $4 WHERE unit = $1 AND year = $2 AND seq = $3 AND state = $5 AND hold IS NULL",
        args,
    )];
    let mut detail = step.to.clone();
    if step.to == "答复" {
        let mut a = key();
        a.extend([t(step.outcome.clone()), t(step.reason.trim()), t(today.to_string())]);
        stmts.push(Stmt::new(
            "UPDATE cases SET outcome = $4, outcome_reason = $5, replied = $6 WHERE unit = $1 AND year = $2 AND seq = $3",
            a,
        ));
        detail = format!("答复：{}", step.outcome);
        if !step.reason.trim().is_empty() {
            detail.push_str(&format!("；理由：{}", step.reason.trim()));
        }
    }
    stmts.push(audit(no, actor, &step.to, &detail, &now));
    db.tx(stmts).await.map(|_| ())
}

/// Extends the deadline once, by `days` working days (1–20) from the current deadline.
pub async fn extend(
    db: &Db,
    cal: &Calendar,
    no: &CaseNo,
    due: Date,
    days: u32,
    reason: &str,
    actor: &str,
) -> Result<Date, String> {
    if !(1..=EXTENSION_DAYS).contains(&days) {
        return Err(format!("延长的工作日数须在 1 到 {EXTENSION_DAYS} 之间"));
    }
    if reason.trim().is_empty() {
        return Err("延长答复期限须写明理由（经负责人同意，并告知申请人）".into());
    }
    let new_due = cal.add_working_days(due, days).value;
    let now = jiff::Timestamp::now().to_string();
    let mut args = vec![t(no.unit.clone()), i(no.year), i(no.seq)];
    args.extend([t(new_due.to_string()), t(reason.trim())]);
    db.tx(vec![
        Stmt::touching(
            "UPDATE cases SET extended_due = $4, extension_reason = $5 WHERE unit = $1 AND year = $2 AND seq = $3 \
             AND extended_due IS NULL AND hold IS NULL AND state IN ('接收', '登记', '审核', '办理')",
            args,
        ),
        audit(no, actor, "延期", &format!("延长 {days} 个工作日至 {new_due}；理由：{}", reason.trim()), &now),
    ])
    .await
    .map_err(|e| match e {
        DbError::Conflict => "答复期限只能延长一次，且只能在答复之前、不在补正或征求第三方意见期间延长".to_owned(),
        e => e.told(),
    })?;
    Ok(new_due)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_go_one_at_a_time_and_a_refusal_needs_its_reason() {
        let step = |to: &str, outcome: &str, reason: &str| Step {
            to: to.into(),
            outcome: outcome.into(),
            reason: reason.into(),
        };
        assert!(check("接收", &step("登记", "", "")).is_ok());
        assert!(check("接收", &step("审核", "", "")).unwrap_err().contains("下一步只能是「登记」"));
        assert!(check("办理", &step("答复", "同意", "")).unwrap_err().contains("予以公开"));
        assert!(check("办理", &step("答复", "不予公开", " ")).unwrap_err().contains("理由"));
        assert!(check("办理", &step("答复", "不予公开", "涉及商业秘密")).is_ok());
        assert!(check("归档", &step("答复", "", "")).is_err());
        let d = jiff::civil::date(2026, 12, 25);
        assert!(overdue("办理", "2026-12-24", d));
        assert!(!overdue("答复", "2026-12-24", d));
        assert!(!overdue("办理", "2026-12-25", d));
    }
}
