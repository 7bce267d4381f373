//! The 书面反馈 a bureau has sent (《考核办法》第九条（六）): `feedback-YEAR.yaml` records the
//! day each unit's written feedback was issued (and its 文号), so that the history can say whether
//! the problems the feedback named — those open on that day — were fixed afterwards, and within
//! how many working days (the 整改 column of the evidence and the letters). Data, not code: the
//! letters gongkai writes are drafts until the bureau issues them.

use super::roster::Bureau;
use super::scheme::{at, check_year, date_of, err, fields, parse_yaml, read_text, val};
use crate::error::Result;

/// The working days a letter gives a unit to 整改 (its text says so).
pub const RECTIFY_DAYS: u32 = 20;

/// One written feedback issued.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Letter {
    /// The roster unit's name.
    pub unit: String,
    /// The day it was issued, `YYYY-MM-DD`.
    pub date: String,
    /// Its 文号, when written.
    pub number: Option<String>,
}

/// The file's name for a year.
pub fn feedback_file(year: i16) -> String {
    format!("feedback-{year}.yaml")
}

/// The letters issued in the bureau's year: `feedback-YEAR.yaml`, or none yet.
pub fn read(bureau: &Bureau) -> Result<Vec<Letter>> {
    let file = feedback_file(bureau.year);
    match read_text(&bureau.dir.join(&file), &file)? {
        Some(text) => parse(&text, &file, bureau),
        None => Ok(Vec::new()),
    }
}

/// Parse the file's text; the letters by unit, then date.
pub fn parse(text: &str, file: &str, bureau: &Bureau) -> Result<Vec<Letter>> {
    let root = parse_yaml(text, file)?;
    fields(file, &root, &["考核年度", "书面反馈"], &["考核年度"])?;
    check_year(file, &root, bureau.year)?;
    let list = match root.get("书面反馈") {
        None => &[][..],
        Some(n) => {
            n.as_list().ok_or_else(|| err(file, Some(n.pos), "「书面反馈」应是以「- 单位: …」开头的列表".into()))?
        }
    };
    let mut out: Vec<Letter> = Vec::new();
    for s in list {
        fields(file, s, &["单位", "日期", "文号"], &["单位", "日期"])?;
        let unit = val(s, "单位").to_string();
        if !bureau.roster.iter().any(|u| u.name == unit) {
            return Err(err(file, Some(at(s, "单位")), format!("单位「{unit}」不在 bureau.yaml 的名单上")));
        }
        let date = date_of(file, s)?;
        if !date.starts_with(&format!("{}-", bureau.year)) {
            return Err(err(
                file,
                Some(at(s, "日期")),
                format!("日期 {date} 不在考核年度 {} 内：每个考核年度一个文件", bureau.year),
            ));
        }
        let number = Some(val(s, "文号").to_string()).filter(|n| !n.is_empty());
        let letter = Letter { unit, date, number };
        if out.iter().any(|l| l.unit == letter.unit && l.date == letter.date) {
            return Err(err(
                file,
                Some(at(s, "日期")),
                format!("「{}」{} 的书面反馈写了两次：每份只写一次", letter.unit, letter.date),
            ));
        }
        out.push(letter);
    }
    out.sort();
    Ok(out)
}

/// The letters of one unit, by date.
pub fn of<'a>(letters: &'a [Letter], unit: &str) -> Vec<&'a Letter> {
    letters.iter().filter(|l| l.unit == unit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bureau() -> Bureau {
        super::super::roster::parse(
            std::path::Path::new("."),
            "考核年度: 2026\n站点: ..\n名单:\n  - 名称: 甲公司\n  - 名称: 乙医院\n",
        )
        .unwrap()
    }

    #[test]
    fn letters_are_read_by_unit_and_date() {
        let text = "考核年度: 2026\n书面反馈:\n  - {单位: 乙医院, 日期: 2026-06-01}\n  - {单位: 甲公司, 日期: 2026-05-10, 文号: 白公开函〔2026〕3号}\n";
        let got = parse(text, "feedback-2026.yaml", &bureau()).unwrap();
        assert_eq!(
            got,
            [
                Letter { unit: "乙医院".into(), date: "2026-06-01".into(), number: None },
                Letter {
                    unit: "甲公司".into(), date: "2026-05-10".into(), number: Some("白公开函〔2026〕3号".into())
                },
            ]
        );
    }

    #[test]
    fn mistakes_are_named_where_they_are() {
        let e = |text: &str| parse(text, "feedback-2026.yaml", &bureau()).unwrap_err().to_string();
        let bad = e("考核年度: 2026\n书面反馈:\n  - {单位: 丙学校, 日期: 2026-06-01}\n");
        assert!(bad.starts_with("feedback-2026.yaml:3:") && bad.contains("不在 bureau.yaml 的名单上"), "{bad}");
        let bad = e("考核年度: 2026\n书面反馈:\n  - {单位: 甲公司, 日期: 2025-06-01}\n");
        assert!(bad.contains("不在考核年度 2026 内"), "{bad}");
        let bad = e("考核年度: 2026\n书面反馈:\n  - {单位: 甲公司, 日期: 六月一日}\n");
        assert!(bad.contains("日期「六月一日」不对"), "{bad}");
        let bad = e(
            "考核年度: 2026\n书面反馈:\n  - {单位: 甲公司, 日期: 2026-06-01}\n  - {单位: 甲公司, 日期: 2026-06-01}\n",
        );
        assert!(bad.contains("写了两次"), "{bad}");
        let bad = e("考核年度: 2026\n反馈:\n  - {单位: 甲公司, 日期: 2026-06-01}\n");
        assert!(bad.contains("不认识的项「反馈」"), "{bad}");
    }
}
