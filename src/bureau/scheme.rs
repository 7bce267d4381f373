//! The 评分表's scheme (《考核办法》第八条: 年度专项 90 + 日常 10 points) and the 考核小组's
//! entries (第九条(五)), both data: `scheme-YEAR.yaml` lists the indicators, each computed by a
//! named measure or scored by hand; `scores-YEAR.yaml` holds the hand scores with 评分人 and 日期,
//! and the 领导小组's approval. Without a scheme file the built-in default (`DEFAULT_SCHEME`)
//! applies. Mistakes are Chinese errors at file, line and column, like `bureau.yaml`'s.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::roster::{Bureau, message, pos_of};
use crate::error::{Error, Result};
use crate::yaml::Pos;

/// The built-in scheme (the same text as `bureau/scheme-2026.yaml` of the example).
pub const DEFAULT_SCHEME: &str = include_str!("default_scheme.yaml");

/// How an indicator is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Measure {
    /// Entered by the 考核小组 (`人工`).
    Manual,
    /// 公开齐全: published / required items of the latest gathering.
    Completeness,
    /// 全年及时: working days without a missing item over the year's stored gatherings.
    Timeliness,
    /// 年度报告按时: the 年度报告 rules of the latest gathering.
    AnnualReport,
    /// 依申请公开: the request figures of the latest 年度报告 add up.
    Requests,
    /// 社会评议: the mean 综合满意度 the unit's site publishes.
    Evaluation,
}

impl Measure {
    const NAMES: [(&'static str, Measure); 6] = [
        ("人工", Measure::Manual),
        ("公开齐全", Measure::Completeness),
        ("全年及时", Measure::Timeliness),
        ("年度报告按时", Measure::AnnualReport),
        ("依申请公开", Measure::Requests),
        ("社会评议", Measure::Evaluation),
    ];

    /// Its name in scheme files.
    pub fn name(self) -> &'static str {
        Measure::NAMES.iter().find(|(_, m)| *m == self).map_or("", |(n, _)| n)
    }
}

/// One indicator of the 评分表.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// 编号, unique in the scheme (what `scores-YEAR.yaml` names).
    pub id: String,
    /// 名称.
    pub name: String,
    /// 依据: the article it comes from.
    pub basis: String,
    /// 年度专项 or 日常.
    pub category: String,
    /// 分值.
    pub points: u32,
    /// 评分.
    pub measure: Measure,
}

/// A scheme: the indicators in the order of the 评分表.
#[derive(Debug, Clone, PartialEq)]
pub struct Scheme {
    /// Where it came from (`scheme-2026.yaml`, or 内置 for the default).
    pub file: String,
    /// The indicators.
    pub indicators: Vec<Indicator>,
}

/// One hand score (第九条(五) 考核评分表).
#[derive(Debug, Clone, PartialEq)]
pub struct ManualScore {
    /// 得分.
    pub score: f64,
    /// 评分人.
    pub by: String,
    /// 日期.
    pub date: String,
    /// 说明.
    pub note: Option<String>,
}

/// The 领导小组's approval (第九条(五) 审定).
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    /// 审定人 (the group, or its head).
    pub by: String,
    /// 日期.
    pub date: String,
}

/// What the 考核小组 entered for a year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entries {
    /// (unit name, indicator id) → score.
    pub scores: BTreeMap<(String, String), ManualScore>,
    /// The approval, once given.
    pub approval: Option<Approval>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScheme {
    #[serde(rename = "考核年度")]
    year: Spanned<u32>,
    #[serde(rename = "指标")]
    indicators: Vec<RawIndicator>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    #[serde(rename = "编号")]
    id: Spanned<String>,
    #[serde(rename = "名称")]
    name: String,
    #[serde(rename = "依据", default)]
    basis: String,
    #[serde(rename = "类别")]
    category: Spanned<String>,
    #[serde(rename = "分值")]
    points: Spanned<u32>,
    #[serde(rename = "评分")]
    measure: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntries {
    #[serde(rename = "考核年度")]
    year: Spanned<u32>,
    #[serde(rename = "审定", default)]
    approval: Option<RawApproval>,
    #[serde(rename = "评分", default)]
    scores: Vec<RawScore>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApproval {
    #[serde(rename = "审定人")]
    by: Spanned<String>,
    #[serde(rename = "日期")]
    date: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScore {
    #[serde(rename = "单位")]
    unit: Spanned<String>,
    #[serde(rename = "指标")]
    indicator: Spanned<String>,
    #[serde(rename = "得分")]
    score: Spanned<f64>,
    #[serde(rename = "评分人")]
    by: Spanned<String>,
    #[serde(rename = "日期")]
    date: Spanned<String>,
    #[serde(rename = "说明", default)]
    note: Option<String>,
}

/// The scheme file's name for a year.
pub fn scheme_file(year: i16) -> String {
    format!("scheme-{year}.yaml")
}

/// The hand scores' file name for a year.
pub fn scores_file(year: i16) -> String {
    format!("scores-{year}.yaml")
}

fn err(file: &str, pos: Option<Pos>, message: String) -> Error {
    Error::Config { file: file.to_string(), pos, message }
}

fn read_text(path: &Path, file: &str) -> Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text =
                String::from_utf8(bytes).map_err(|_| err(file, None, "不是 UTF-8 编码；请另存为 UTF-8".into()))?;
            Ok(Some(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

fn parse_yaml<T: for<'de> Deserialize<'de>>(text: &str, file: &str) -> Result<T> {
    serde_saphyr::from_str(text).map_err(|e| {
        let e = crate::yaml::SyntaxError::of(&e);
        err(file, e.pos, message(&e.message))
    })
}

fn check_year(file: &str, year: &Spanned<u32>, want: i16) -> Result<()> {
    if i64::from(year.value) != i64::from(want) {
        return Err(err(
            file,
            Some(pos_of(year)),
            format!("考核年度是 {}，而 bureau.yaml 的考核年度是 {want}：每个考核年度一个文件", year.value),
        ));
    }
    Ok(())
}

/// The bureau's scheme for its year: `scheme-YEAR.yaml` in its folder, else the default.
pub fn read_scheme(bureau: &Bureau) -> Result<Scheme> {
    let file = scheme_file(bureau.year);
    match read_text(&bureau.dir.join(&file), &file)? {
        Some(text) => parse_scheme(&text, &file, bureau.year),
        None => parse_scheme(&DEFAULT_SCHEME.replace("2026", &bureau.year.to_string()), "内置评分方案", bureau.year),
    }
}

/// Parse a scheme file's text.
pub fn parse_scheme(text: &str, file: &str, year: i16) -> Result<Scheme> {
    let raw: RawScheme = parse_yaml(text, file)?;
    check_year(file, &raw.year, year)?;
    let mut indicators: Vec<Indicator> = Vec::new();
    let mut sums: BTreeMap<&str, u32> = BTreeMap::new();
    for r in &raw.indicators {
        let id = r.id.value.trim().to_string();
        if id.is_empty() || indicators.iter().any(|i| i.id == id) {
            return Err(err(file, Some(pos_of(&r.id)), format!("编号「{id}」是空的或重复了：每个指标一个不同的编号")));
        }
        let category = r.category.value.trim();
        if !["年度专项", "日常"].contains(&category) {
            return Err(err(
                file,
                Some(pos_of(&r.category)),
                format!("类别「{category}」不对：写「年度专项」或「日常」（《考核办法》第八条）"),
            ));
        }
        let Some(measure) = Measure::NAMES.iter().find(|(n, _)| *n == r.measure.value.trim()).map(|(_, m)| *m) else {
            let names: Vec<&str> = Measure::NAMES.iter().map(|(n, _)| *n).collect();
            return Err(err(
                file,
                Some(pos_of(&r.measure)),
                format!("评分「{}」不认识：可以写 {}", r.measure.value, names.join("、")),
            ));
        };
        if r.points.value == 0 {
            return Err(err(file, Some(pos_of(&r.points)), "分值应大于 0".into()));
        }
        *sums.entry(if category == "日常" { "日常" } else { "年度专项" }).or_default() += r.points.value;
        indicators.push(Indicator {
            id,
            name: r.name.trim().to_string(),
            basis: r.basis.trim().to_string(),
            category: category.to_string(),
            points: r.points.value,
            measure,
        });
    }
    let (special, daily) = (sums.get("年度专项").copied().unwrap_or(0), sums.get("日常").copied().unwrap_or(0));
    if (special, daily) != (90, 10) {
        return Err(err(
            file,
            None,
            format!(
                "年度专项指标合计 {special} 分、日常指标合计 {daily} 分；《考核办法》第八条：满分 100 分，年度专项 90 分，日常 10 分"
            ),
        ));
    }
    Ok(Scheme { file: file.to_string(), indicators })
}

fn date_of(file: &str, s: &Spanned<String>) -> Result<String> {
    crate::shape::parse_date(s.value.trim())
        .map(|d| d.to_string())
        .ok_or_else(|| err(file, Some(pos_of(s)), format!("日期「{}」不对：写成 2026-12-20", s.value)))
}

/// The 考核小组's entries for the bureau's year: `scores-YEAR.yaml`, or none yet.
pub fn read_entries(bureau: &Bureau, scheme: &Scheme) -> Result<Entries> {
    let file = scores_file(bureau.year);
    match read_text(&bureau.dir.join(&file), &file)? {
        Some(text) => parse_entries(&text, &file, bureau, scheme),
        None => Ok(Entries::default()),
    }
}

/// Parse the entries' text.
pub fn parse_entries(text: &str, file: &str, bureau: &Bureau, scheme: &Scheme) -> Result<Entries> {
    let raw: RawEntries = parse_yaml(text, file)?;
    check_year(file, &raw.year, bureau.year)?;
    let mut out = Entries::default();
    if let Some(a) = &raw.approval {
        let by = a.by.value.trim().to_string();
        if by.is_empty() {
            return Err(err(file, Some(pos_of(&a.by)), "审定人是空的：写审定的领导小组或其负责人".into()));
        }
        out.approval = Some(Approval { by, date: date_of(file, &a.date)? });
    }
    for s in &raw.scores {
        let unit = s.unit.value.trim().to_string();
        if !bureau.roster.iter().any(|u| u.name == unit) {
            return Err(err(file, Some(pos_of(&s.unit)), format!("单位「{unit}」不在 bureau.yaml 的名单上")));
        }
        let id = s.indicator.value.trim().to_string();
        let Some(ind) = scheme.indicators.iter().find(|i| i.id == id) else {
            let ids: Vec<&str> = scheme.indicators.iter().map(|i| i.id.as_str()).collect();
            return Err(err(
                file,
                Some(pos_of(&s.indicator)),
                format!("指标「{id}」不在评分方案（{}）中：可以写 {}", scheme.file, ids.join("、")),
            ));
        };
        let score = s.score.value;
        if !(0.0..=f64::from(ind.points)).contains(&score) || (score * 10.0).fract() != 0.0 {
            return Err(err(
                file,
                Some(pos_of(&s.score)),
                format!(
                    "得分 {score} 不对：指标「{}」的分值是 {}，得分写 0 到 {} 之间、最多一位小数",
                    ind.name, ind.points, ind.points
                ),
            ));
        }
        let by = s.by.value.trim().to_string();
        if by.is_empty() {
            return Err(err(file, Some(pos_of(&s.by)), "评分人是空的：写填写评分的考核小组成员".into()));
        }
        let entry = ManualScore { score, by, date: date_of(file, &s.date)?, note: s.note.clone() };
        if out.scores.insert((unit.clone(), id.clone()), entry).is_some() {
            return Err(err(file, Some(pos_of(&s.unit)), format!("「{unit}」的指标 {id} 评了两次：每项只写一次")));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bureau() -> Bureau {
        super::super::roster::parse(Path::new("."), "考核年度: 2026\n站点: .\n名单:\n  - 名称: 甲\n").unwrap()
    }

    #[test]
    fn the_default_scheme_is_90_plus_10() {
        let s = parse_scheme(DEFAULT_SCHEME, "x", 2026).unwrap();
        let sum = |c: &str| s.indicators.iter().filter(|i| i.category == c).map(|i| i.points).sum::<u32>();
        assert_eq!((sum("年度专项"), sum("日常")), (90, 10));
    }

    #[test]
    fn mistakes_are_named_at_their_line() {
        let bad = DEFAULT_SCHEME.replacen("评分: 公开齐全", "评分: 齐全", 1);
        let e = parse_scheme(&bad, "scheme-2026.yaml", 2026).unwrap_err().to_string();
        assert!(e.starts_with("scheme-2026.yaml:") && e.contains("评分「齐全」不认识"), "{e}");
        let e = parse_scheme(DEFAULT_SCHEME, "s", 2025).unwrap_err().to_string();
        assert!(e.contains("考核年度是 2026，而 bureau.yaml 的考核年度是 2025"), "{e}");
        let short = DEFAULT_SCHEME.replacen("分值: 30", "分值: 20", 1);
        let e = parse_scheme(&short, "s", 2026).unwrap_err().to_string();
        assert!(e.contains("年度专项指标合计 80 分"), "{e}");
        let b = bureau();
        let scheme = parse_scheme(DEFAULT_SCHEME, "s", 2026).unwrap();
        let e = parse_entries(
            "考核年度: 2026\n评分:\n  - 单位: 甲\n    指标: A1\n    得分: 11\n    评分人: 张\n    日期: 2026-12-01\n",
            "scores-2026.yaml",
            &b,
            &scheme,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("scores-2026.yaml:5:") && e.contains("得分 11 不对"), "{e}");
        let e = parse_entries("考核年度: 2026\n评分:\n  - 单位: 乙\n", "f", &b, &scheme).unwrap_err().to_string();
        assert!(e.contains("缺少"), "{e}");
    }
}
