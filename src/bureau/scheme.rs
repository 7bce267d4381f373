//! The 评分表's scheme (《考核办法》第八条: 年度专项 90 + 日常 10 points) and the 考核小组's
//! entries (第九条(五)), both data: `scheme-YEAR.yaml` lists the indicators, each computed by a
//! named measure or scored by hand; `scores-YEAR.yaml` holds the hand scores with 评分人 and 日期,
//! and the 领导小组's approval. Without a scheme file the built-in default (`DEFAULT_SCHEME`)
//! applies. Mistakes are Chinese errors at file, line and column, like `bureau.yaml`'s.

use std::collections::BTreeMap;
use std::path::Path;

use super::roster::{Bureau, message};
use crate::error::{Error, Result};
use crate::yaml::{Entry, Node, Pos};

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

/// The scheme file's name for a year.
pub fn scheme_file(year: i16) -> String {
    format!("scheme-{year}.yaml")
}

/// The hand scores' file name for a year.
pub fn scores_file(year: i16) -> String {
    format!("scores-{year}.yaml")
}

pub(super) fn err(file: &str, pos: Option<Pos>, message: String) -> Error {
    Error::Config { file: file.to_string(), pos, message }
}

pub(super) fn read_text(path: &Path, file: &str) -> Result<Option<String>> {
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

/// The file's tree (read through the project's own spanned YAML reader: no code per file shape).
pub(super) fn parse_yaml(text: &str, file: &str) -> Result<Node> {
    crate::yaml::parse(text).map_err(|e| err(file, e.pos, message(&e.message)))
}

/// A mapping whose keys are all among `known` (a mistaken key is named, with the nearest known
/// one), and whose `required` keys are there.
pub(super) fn fields<'a>(file: &str, node: &'a Node, known: &[&str], required: &[&str]) -> Result<&'a [Entry]> {
    let Some(entries) = node.as_map() else {
        return Err(err(file, Some(node.pos), format!("这里应是「键: 值」组，实为{}", node.type_name())));
    };
    for e in entries {
        if !known.contains(&e.key.as_str()) {
            let guess = crate::schema::did_you_mean(&e.key, known.iter().copied())
                .map(|g| format!("是不是「{g}」？"))
                .unwrap_or_default();
            return Err(err(
                file,
                Some(e.key_pos),
                format!("不认识的项「{}」。{guess}可以写：{}", e.written, known.join("、")),
            ));
        }
    }
    if let Some(missing) = required.iter().find(|k| !entries.iter().any(|e| e.key == **k)) {
        return Err(err(file, Some(node.pos), format!("缺少「{missing}」")));
    }
    Ok(entries)
}

/// The text of `key` (a number is text too), trimmed; "" when absent.
pub(super) fn val<'a>(node: &'a Node, key: &str) -> &'a str {
    node.get(key).and_then(Node::as_text).map_or("", str::trim)
}

/// Where `key`'s value is (else the mapping).
pub(super) fn at(node: &Node, key: &str) -> Pos {
    node.get(key).map_or(node.pos, |v| v.pos)
}

pub(super) fn check_year(file: &str, node: &Node, want: i16) -> Result<()> {
    let year = val(node, "考核年度");
    if year != want.to_string() {
        return Err(err(
            file,
            Some(at(node, "考核年度")),
            format!("考核年度是 {year}，而 bureau.yaml 的考核年度是 {want}：每个考核年度一个文件"),
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
    let root = parse_yaml(text, file)?;
    fields(file, &root, &["考核年度", "指标"], &["考核年度", "指标"])?;
    check_year(file, &root, year)?;
    let Some(list) = root.get("指标").and_then(Node::as_list) else {
        return Err(err(file, Some(at(&root, "指标")), "「指标」应是以「- 编号: …」开头的列表".into()));
    };
    let mut indicators: Vec<Indicator> = Vec::new();
    let mut sums: BTreeMap<&str, u32> = BTreeMap::new();
    for r in list {
        let keys = ["编号", "名称", "依据", "类别", "分值", "评分"];
        fields(file, r, &keys, &["编号", "名称", "类别", "分值", "评分"])?;
        let id = val(r, "编号").to_string();
        if id.is_empty() || indicators.iter().any(|i| i.id == id) {
            return Err(err(file, Some(at(r, "编号")), format!("编号「{id}」是空的或重复了：每个指标一个不同的编号")));
        }
        let category = val(r, "类别");
        if !["年度专项", "日常"].contains(&category) {
            return Err(err(
                file,
                Some(at(r, "类别")),
                format!("类别「{category}」不对：写「年度专项」或「日常」（《考核办法》第八条）"),
            ));
        }
        let written = val(r, "评分");
        let Some(measure) = Measure::NAMES.iter().find(|(n, _)| *n == written).map(|(_, m)| *m) else {
            let names: Vec<&str> = Measure::NAMES.iter().map(|(n, _)| *n).collect();
            return Err(err(
                file,
                Some(at(r, "评分")),
                format!("评分「{written}」不认识：可以写 {}", names.join("、")),
            ));
        };
        let points = val(r, "分值").parse::<u32>().ok().filter(|p| (1..=100).contains(p)).ok_or_else(|| {
            err(file, Some(at(r, "分值")), format!("分值「{}」不对：写 1 到 100 的整数", val(r, "分值")))
        })?;
        *sums.entry(if category == "日常" { "日常" } else { "年度专项" }).or_default() += points;
        indicators.push(Indicator {
            id,
            name: val(r, "名称").to_string(),
            basis: val(r, "依据").to_string(),
            category: category.to_string(),
            points,
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

pub(super) fn date_of(file: &str, node: &Node) -> Result<String> {
    let written = val(node, "日期");
    crate::shape::parse_date(written)
        .map(|d| d.to_string())
        .ok_or_else(|| err(file, Some(at(node, "日期")), format!("日期「{written}」不对：写成 2026-12-20")))
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
    let root = parse_yaml(text, file)?;
    fields(file, &root, &["考核年度", "审定", "评分"], &["考核年度"])?;
    check_year(file, &root, bureau.year)?;
    let mut out = Entries::default();
    if let Some(a) = root.get("审定") {
        fields(file, a, &["审定人", "日期"], &["审定人", "日期"])?;
        let by = val(a, "审定人").to_string();
        if by.is_empty() {
            return Err(err(file, Some(at(a, "审定人")), "审定人是空的：写审定的领导小组或其负责人".into()));
        }
        out.approval = Some(Approval { by, date: date_of(file, a)? });
    }
    let list = match root.get("评分") {
        None => &[][..],
        Some(n) => n.as_list().ok_or_else(|| err(file, Some(n.pos), "「评分」应是以「- 单位: …」开头的列表".into()))?,
    };
    for s in list {
        let keys = ["单位", "指标", "得分", "评分人", "日期", "说明"];
        fields(file, s, &keys, &["单位", "指标", "得分", "评分人", "日期"])?;
        let unit = val(s, "单位").to_string();
        if !bureau.roster.iter().any(|u| u.name == unit) {
            return Err(err(file, Some(at(s, "单位")), format!("单位「{unit}」不在 bureau.yaml 的名单上")));
        }
        let id = val(s, "指标").to_string();
        let Some(ind) = scheme.indicators.iter().find(|i| i.id == id) else {
            let ids: Vec<&str> = scheme.indicators.iter().map(|i| i.id.as_str()).collect();
            return Err(err(
                file,
                Some(at(s, "指标")),
                format!("指标「{id}」不在评分方案（{}）中：可以写 {}", scheme.file, ids.join("、")),
            ));
        };
        let written = val(s, "得分");
        let score = written
            .parse::<f64>()
            .ok()
            .filter(|v| (0.0..=f64::from(ind.points)).contains(v) && (v * 10.0).fract() == 0.0)
            .ok_or_else(|| {
                err(
                    file,
                    Some(at(s, "得分")),
                    format!(
                        "得分 {written} 不对：指标「{}」的分值是 {}，得分写 0 到 {} 之间、最多一位小数",
                        ind.name, ind.points, ind.points
                    ),
                )
            })?;
        let by = val(s, "评分人").to_string();
        if by.is_empty() {
            return Err(err(file, Some(at(s, "评分人")), "评分人是空的：写填写评分的考核小组成员".into()));
        }
        let note = Some(val(s, "说明").to_string()).filter(|n| !n.is_empty());
        let entry = ManualScore { score, by, date: date_of(file, s)?, note };
        if out.scores.insert((unit.clone(), id.clone()), entry).is_some() {
            return Err(err(file, Some(at(s, "单位")), format!("「{unit}」的指标 {id} 评了两次：每项只写一次")));
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
