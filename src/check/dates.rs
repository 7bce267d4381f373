//! Dates that cannot be true, and content gone stale.
//!
//! Inside `check`, above `outcome` and `docs`, below `deadlines` (whose `require: fresh` rule is
//! [`stale`]); pure: "today" comes in as a value. A publication
//! date (发布日期, 更新日期) after today is an error whatever the pack: nothing can have been
//! published in the future (`future`, run for every unit). Content whose 更新日期 is older than a
//! pack's `max_age` is a warning that says how old it is (`stale`, the `require: fresh` rule).

use jiff::civil::Date;
use jiff::{ToSpan, Unit as TimeUnit};

use super::docs::{date_of, field_zh, title, zh};
use super::outcome::{At, rule_finding};
use crate::calendar::Env;
use crate::finding::{Finding, Kind, Severity};
use crate::model::{Doc, Unit};
use crate::pack::{Period, Rule};
use crate::schema::{DocSpec, FieldType, Schema};

/// The fields that say when something was published.
const PUBLICATION_DATES: &[&str] = &["date", "updated"];

/// Every publication date of a unit that lies after today.
pub(super) fn future(unit: &Unit, schema: &Schema, env: &Env) -> Vec<Finding> {
    let mut out = Vec::new();
    for doc in &unit.docs {
        let Some(spec) = schema.doc(&doc.kind) else { continue };
        for key in PUBLICATION_DATES {
            if spec.field(key).is_none_or(|f| f.ty != FieldType::Date) {
                continue;
            }
            let Some((date, pos)) = date_of(doc, key).filter(|(d, _)| *d > env.today) else { continue };
            let written = written_key(doc, key);
            let what = field_zh(spec, key);
            let mut f = Finding::builtin(
                Kind::Invalid,
                Severity::Error,
                &doc.path,
                Some(pos),
                format!("「{}」的{what}是{}，晚于今天（{}）：不能在未来公开", title(doc, spec), zh(date), zh(env.today)),
            )
            .with_field(written)
            .with_title(what.clone())
            .with_help(format!(
                "把「{what}」改成实际公开的日期；还没到公开的时候，先不要把它放进单位文件夹（检查所按的「今天」来自 --today 或 gongkai.yaml 的 today:）"
            ));
            f.unit = Some(unit.slug.clone());
            out.push(f);
        }
    }
    out
}

/// The documents whose date in `key` is older than `max_age`.
pub(crate) fn stale(
    rule: &Rule,
    unit: &Unit,
    docs: &[(&Doc, &DocSpec)],
    max_age: Period,
    key: &str,
    today: Date,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (doc, spec) in docs {
        let Some((date, pos)) = date_of(doc, key) else { continue };
        let limit = date.checked_add(max_age.months().months()).unwrap_or(date);
        if limit >= today {
            continue;
        }
        let what = field_zh(spec, key);
        let written = written_key(doc, key);
        let message = format!(
            "「{}」的{what}是{}，已经 {}没有更新（超过{}）",
            title(doc, spec),
            zh(date),
            age(date, today),
            max_age.length_zh()
        );
        let help = format!(
            "核对 {} 的内容：有变化的改正；核对无误的，把「{what}」改成核对的日期",
            doc.path.rsplit_once('/').map_or(doc.path.as_str(), |(_, f)| f)
        );
        let at = At { file: &doc.path, pos: Some(pos), field: Some(written) };
        out.push(rule_finding(rule, unit, Kind::Late, at, message, help));
    }
    out
}

/// The key of a field as the clerk wrote it (`更新日期`).
fn written_key(doc: &Doc, key: &str) -> String {
    doc.data.as_ref().and_then(|d| d.entry(key)).map_or_else(|| key.to_string(), |e| e.written.clone())
}

/// How long ago, in words: `1 年 10 个月`, `5 个月`, `20 天`.
fn age(from: Date, to: Date) -> String {
    let span = from.until((TimeUnit::Year, to)).unwrap_or_default();
    match (span.get_years(), span.get_months()) {
        (0, 0) => format!("{} 天", span.get_days()),
        (0, m) => format!("{m} 个月"),
        (y, 0) => format!("{y} 年"),
        (y, m) => format!("{y} 年 {m} 个月"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_in_words() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(age(d("2025-01-01"), d("2026-11-27")), "1 年 10 个月");
        assert_eq!(age(d("2024-11-27"), d("2026-11-27")), "2 年");
        assert_eq!(age(d("2026-06-01"), d("2026-11-27")), "5 个月");
        assert_eq!(age(d("2026-11-07"), d("2026-11-27")), "20 天");
    }
}
