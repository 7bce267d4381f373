//! 社会评议 campaigns (《社会评议办法》第七条: the questionnaire is open only between a campaign's
//! dates) and the questionnaires received.

use gongkai::desk::{QUESTIONS, Rating};
use jiff::civil::Date;

use crate::codes;
use crate::db::{Db, DbError, t};

/// A campaign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Campaign {
    /// Its 编号, the export's file name (`evaluations/<id>.yaml`): letters, digits, `-`.
    pub id: String,
    /// 名称.
    pub name: String,
    /// One unit's folder name, or "" for every unit.
    pub unit: String,
    /// First and last day open, YYYY-MM-DD.
    pub opens: String,
    /// Last day open.
    pub closes: String,
}

/// Checks and stores a campaign.
pub async fn add(db: &Db, c: &Campaign) -> Result<(), String> {
    if c.id.is_empty() || !c.id.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-') {
        return Err(format!("评议编号「{}」只能由字母、数字和短横线组成（它是导出文件的名字）", c.id));
    }
    if c.name.trim().is_empty() {
        return Err("请写评议的名称，例如 2026年度政务公开社会评议".into());
    }
    // exactly YYYY-MM-DD: the dates are compared as text in SQL, and jiff also reads other
    // forms (20261101)
    let iso = |s: &str| s.parse::<Date>().ok().filter(|d| d.to_string() == s);
    match (iso(&c.opens), iso(&c.closes)) {
        (Some(f), Some(t)) if f <= t => {}
        (Some(_), Some(_)) => return Err("评议的结束日期早于开始日期".into()),
        _ => return Err(format!("日期「{}」「{}」请写成 2026-10-01 这样的格式", c.opens, c.closes)),
    }
    db.exec(
        "INSERT INTO campaigns (id, name, unit, opens, closes) VALUES ($1, $2, $3, $4, $5)",
        vec![t(c.id.clone()), t(c.name.clone()), t(c.unit.clone()), t(c.opens.clone()), t(c.closes.clone())],
    )
    .await
    .map_err(|e| match e {
        DbError::Conflict => format!("已有编号为「{}」的评议", c.id),
        e => e.told(),
    })
}

fn from_row(r: &crate::db::Row) -> Campaign {
    Campaign { id: r.text(0), name: r.text(1), unit: r.text(2), opens: r.text(3), closes: r.text(4) }
}

/// The campaign open for a unit on a day, if any.
pub async fn open_for(db: &Db, unit: &str, day: Date) -> Result<Option<Campaign>, DbError> {
    let rows = db
        .rows(
            "SELECT id, name, unit, opens, closes FROM campaigns \
             WHERE (unit = $1 OR unit = '') AND opens <= $2 AND closes >= $2 ORDER BY id",
            vec![t(unit), t(day.to_string())],
        )
        .await?;
    Ok(rows.first().map(from_row))
}

/// Every campaign, by 编号.
pub async fn all(db: &Db) -> Result<Vec<Campaign>, DbError> {
    Ok(db
        .rows("SELECT id, name, unit, opens, closes FROM campaigns ORDER BY id", vec![])
        .await?
        .iter()
        .map(from_row)
        .collect())
}

/// Stores a questionnaire: one rating per question of [`QUESTIONS`], and the free text.
pub async fn answer(db: &Db, campaign: &str, unit: &str, ratings: &[Rating], remark: &str) -> Result<(), DbError> {
    let mut args = vec![t(codes::token()), t(campaign), t(unit), t(jiff::Timestamp::now().to_string())];
    args.extend(ratings.iter().map(|r| t(r.as_str())));
    args.push(t(remark));
    let cols: Vec<&str> = QUESTIONS.iter().map(|(k, _)| *k).collect();
    let sql = format!(
        "INSERT INTO responses (id, campaign, unit, at, {}, remark) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        cols.join(", ")
    );
    db.exec(&sql, args).await
}
