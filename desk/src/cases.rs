//! Applications (依申请公开): how one is stored with its 受理编号, found again with its 查询码,
//! and what the public may see of it.

use gongkai::desk::APPLICATION_FIELDS;
use jiff::civil::Date;

use crate::codes;
use crate::db::{Db, DbError, Stmt, i, t};

/// The most cases the staff list shows at once (overdue ones first).
pub const LIST_LIMIT: i64 = 1000;
/// The most working days an extension adds (第三十三条).
pub const EXTENSION_DAYS: u32 = 20;

/// The steps of an application, in order.
pub const STATES: [&str; 6] = ["接收", "登记", "审核", "办理", "答复", "归档"];

/// A 受理编号: the unit's folder name, the year and the sequence, `qingyuan-water-2026-00001`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNo {
    /// The unit's folder name.
    pub unit: String,
    /// The year of receipt.
    pub year: i64,
    /// The number within the unit and year, from 1.
    pub seq: i64,
}

impl std::fmt::Display for CaseNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}-{:05}", self.unit, self.year, self.seq)
    }
}

impl CaseNo {
    /// Reads a 受理编号 as typed.
    pub fn parse(s: &str) -> Option<CaseNo> {
        let mut parts = s.trim().rsplitn(3, '-');
        let seq = parts.next()?.parse().ok()?;
        let year = parts.next()?.parse().ok()?;
        let unit = parts.next()?;
        (!unit.is_empty()).then(|| CaseNo { unit: unit.to_owned(), year, seq })
    }
}

/// What a receipt shows.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// 受理编号.
    pub no: CaseNo,
    /// The date of receipt.
    pub received: Date,
    /// The reply deadline.
    pub due: Date,
    /// The deadline falls in a year whose holiday notice is not yet in the calendar.
    pub estimated: bool,
    /// The 查询码, shown once.
    pub code: String,
}

/// Stores an application (fields in [`APPLICATION_FIELDS`] order) and returns its receipt once it
/// is committed.
pub async fn submit(
    db: &Db,
    unit: &str,
    values: &[String],
    received: Date,
    due: (Date, bool),
) -> Result<Receipt, DbError> {
    let code = codes::lookup_code();
    let year = i64::from(received.year());
    let now = jiff::Timestamp::now().to_string();
    let mut args =
        vec![t(unit), i(year), t(received.to_string()), t(now.clone()), t(due.0.to_string()), t(codes::hash(&code))];
    args.extend(values.iter().map(|v| t(v.clone())));
    let names: Vec<&str> = APPLICATION_FIELDS.iter().map(|f| f.name).collect();
    let params: Vec<String> = (7..7 + names.len()).map(|n| format!("${n}")).collect();
    let insert = format!(
        "INSERT INTO cases (unit, year, seq, received, received_at, due, lookup_hash, {}, state) \
         VALUES ($1, $2, (SELECT n FROM counters WHERE unit = $1 AND year = $2), $3, $4, $5, $6, {}, '接收') RETURNING seq",
        names.join(", "),
        params.join(", ")
    );
    let out = db
        .tx(vec![
            Stmt::new(
                "INSERT INTO counters (unit, year, n) VALUES ($1, $2, 1) \
                 ON CONFLICT (unit, year) DO UPDATE SET n = counters.n + 1",
                vec![t(unit), i(year)],
            ),
            Stmt::new(&insert, args),
            Stmt::new(
                "INSERT INTO audit (unit, year, seq, n, at, actor, action, detail) \
                 VALUES ($1, $2, (SELECT n FROM counters WHERE unit = $1 AND year = $2), 1, $3, '申请人', '接收', '网上提交')",
                vec![t(unit), i(year), t(now)],
            ),
        ])
        .await?;
    let seq = out.get(1).and_then(|r| r.first()).map(|r| r.int(0)).ok_or(DbError::Conflict)?;
    Ok(Receipt { no: CaseNo { unit: unit.to_owned(), year, seq }, received, due: due.0, estimated: due.1, code })
}

/// What an applicant sees with 受理编号 and 查询码.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// 受理编号.
    pub no: String,
    /// Date of receipt.
    pub received: String,
    /// The deadline (the extended one, if extended).
    pub due: String,
    /// The step it is at.
    pub state: String,
    /// The outcome, once replied.
    pub outcome: Option<String>,
    /// The reply's date.
    pub replied: Option<String>,
    /// Extended: the reason.
    pub extension: Option<String>,
    /// The wait it is in (补正, 征求第三方意见), if any.
    pub hold: Option<String>,
}

/// The status of an application, when the number and code match (else `None`, whichever is wrong).
pub async fn lookup(db: &Db, number: &str, code: &str) -> Result<Option<Status>, DbError> {
    let Some(no) = CaseNo::parse(number) else { return Ok(None) };
    let rows = db
        .rows(
            "SELECT lookup_hash, received, due, state, outcome, replied, extended_due, extension_reason, hold \
             FROM cases WHERE unit = $1 AND year = $2 AND seq = $3",
            vec![t(no.unit.clone()), i(no.year), i(no.seq)],
        )
        .await?;
    let given = codes::hash(code);
    let Some(r) = rows.first().filter(|r| codes::same(&r.text(0), &given)) else { return Ok(None) };
    Ok(Some(Status {
        no: no.to_string(),
        received: r.text(1),
        due: r.opt(6).unwrap_or_else(|| r.text(2)),
        state: r.text(3),
        outcome: r.opt(4),
        replied: r.opt(5),
        extension: r.opt(7),
        hold: r.opt(8),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_number_reads_back() {
        let n = CaseNo { unit: "qingyuan-water".into(), year: 2026, seq: 7 };
        assert_eq!(n.to_string(), "qingyuan-water-2026-00007");
        assert_eq!(CaseNo::parse(" qingyuan-water-2026-00007 "), Some(n));
        assert_eq!(CaseNo::parse("2026-00007"), None);
        assert_eq!(CaseNo::parse("x-y-z"), None);
    }
}
