//! Personal data is kept only as long as needed: `purge --older-than DAYS` blanks the personal
//! data of archived applications replied more than DAYS days ago, and of applications never
//! archived that were received (or replied) that long ago; the free text of questionnaires of
//! campaigns that closed that long ago; and ended sessions.
//!
//! Of a purged application the desk keeps: its 受理编号, unit, dates (received, deadline,
//! extended deadline, replied), step, outcome, the form and way of delivery chosen, the hash of
//! its 查询码, and every audit row's time, actor and action (so the export still adds up and the
//! trail still shows who did what when). It blanks: the applicant's name, identity proof, phone,
//! e-mail and address, the request's description and 文号, the reasons staff wrote (refusal,
//! extension) and the audit rows' details (which quote those reasons, what was to be completed,
//! the third party asked); and it adds an audit row saying so.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::cases::CaseNo;
use crate::db::{Db, DbError, Stmt, i, t};

/// What a purge did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Purged {
    /// Applications whose personal data was blanked.
    pub cases: usize,
    /// Questionnaires whose free text was blanked.
    pub remarks: usize,
}

/// The longest retention `purge` accepts, in days (a hundred years).
pub const MAX_DAYS: i64 = 36_525;

/// Blanks what is older than `days` days before `today` (`days` is clamped to 0..=[`MAX_DAYS`]:
/// a cutoff that cannot be computed purges nothing rather than everything).
pub async fn purge(db: &Db, today: Date, days: i64) -> Result<Purged, DbError> {
    let days = days.clamp(0, MAX_DAYS);
    let Ok(cutoff) = today.checked_sub(days.days()) else { return Ok(Purged::default()) };
    let cutoff = cutoff.to_string();
    let due = db
        .rows(
            "SELECT unit, year, seq FROM cases WHERE purged = 0 AND (state = '归档' AND replied < $1 \
             OR state <> '归档' AND COALESCE(replied, received) < $1) ORDER BY unit, year, seq",
            vec![t(cutoff.clone())],
        )
        .await?;
    let now = jiff::Timestamp::now().to_string();
    let mut out = Purged::default();
    for r in &due {
        let no = CaseNo { unit: r.text(0), year: r.int(1), seq: r.int(2) };
        let key = || vec![t(no.unit.clone()), i(no.year), i(no.seq)];
        let done = db
            .tx(vec![
                Stmt::touching(
                    "UPDATE cases SET applicant = '', id_doc = '', phone = '', email = '', address = '', info = '', \
                     doc_number = '', outcome_reason = NULL, extension_reason = CASE WHEN extension_reason IS NULL \
                     THEN NULL ELSE '（已清除）' END, purged = 1 WHERE unit = $1 AND year = $2 AND seq = $3 AND purged = 0",
                    key(),
                ),
                Stmt::new(
                    "UPDATE audit SET detail = '（已清除）' WHERE unit = $1 AND year = $2 AND seq = $3",
                    key(),
                ),
                Stmt::new(
                    "INSERT INTO audit (unit, year, seq, n, at, actor, action, detail) VALUES ($1, $2, $3, \
                     (SELECT COALESCE(MAX(n), 0) + 1 FROM audit WHERE unit = $1 AND year = $2 AND seq = $3), $4, '系统', '清除', $5)",
                    {
                        let mut a = key();
                        a.extend([t(now.clone()), t(format!("保存期满（{days} 天），清除申请人信息、申请内容、办理理由和记录中的说明"))]);
                        a
                    },
                ),
            ])
            .await;
        match done {
            Ok(_) => out.cases += 1,
            Err(DbError::Conflict) => {}
            Err(e) => return Err(e),
        }
    }
    let remarks = db
        .rows(
            "SELECT id FROM responses WHERE remark <> '' AND campaign IN (SELECT id FROM campaigns WHERE closes < $1)",
            vec![t(cutoff.clone())],
        )
        .await?;
    db.exec(
        "UPDATE responses SET remark = '' WHERE remark <> '' AND campaign IN (SELECT id FROM campaigns WHERE closes < $1)",
        vec![t(cutoff)],
    )
    .await?;
    out.remarks = remarks.len();
    db.exec("DELETE FROM sessions WHERE expires < $1", vec![t(jiff::Timestamp::now().to_string())]).await?;
    Ok(out)
}
