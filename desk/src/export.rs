//! `gongkai-desk export`: what the site publishes from the desk, written into the portal's unit
//! folders: the request figures of a 年度 (`requests/<年度>.yaml`, the 年度报告's 收到和处理申请情况)
//! and each campaign's tallies (`evaluations/<编号>.yaml`, [`EvaluationExport`]). Counts only:
//! no applicant, no free text. A file whose first line is not [`EXPORT_MARK`] is a clerk's and is
//! left alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gongkai::desk::{EXPORT_MARK, EvaluationExport, OUTCOMES, QUESTIONS, QuestionResult, Rating, Rectification, Tally};

use crate::campaigns;
use crate::db::{Db, t};

/// What an export did, file by file (site-relative paths).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Files written.
    pub written: Vec<String>,
    /// Files left alone, with why.
    pub kept: Vec<(String, String)>,
}

/// A YAML double-quoted scalar (JSON's escaping is valid YAML).
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The request figures of a unit for a 年度, as `requests/<年度>.yaml`.
pub fn requests_yaml(year: i16, received: u64, carried: u64, outcomes: &[u64; 6], forward: u64) -> String {
    let mut s = format!(
        "{EXPORT_MARK}\n# {year}年度依申请公开统计（件）：新收申请数量 + 上年结转 = 各项办理结果之和 + 结转下年度继续办理\n"
    );
    s.push_str(&format!("年度: {year}\n新收申请数量: {received}\n上年结转: {carried}\n"));
    for (name, n) in OUTCOMES.iter().zip(outcomes) {
        s.push_str(&format!("{name}: {n}\n"));
    }
    s.push_str(&format!("结转下年度继续办理: {forward}\n"));
    s.push_str("行政复议: 0\n行政诉讼: 0\n");
    s.push_str("备注: 由依申请公开受理平台导出。受理平台不记录行政复议和行政诉讼，这两项按 0 写出。\n");
    s
}

/// An evaluation export as YAML, first line [`EXPORT_MARK`].
pub fn evaluation_yaml(e: &EvaluationExport) -> String {
    let mut s = format!("{EXPORT_MARK}\n");
    s.push_str(&format!(
        "名称: {}\n开始日期: {}\n结束日期: {}\n问卷数: {}\n结果:\n",
        quoted(&e.name),
        quoted(&e.from),
        quoted(&e.to),
        e.responses
    ));
    for q in &e.questions {
        s.push_str(&format!(
            "  - 题目: {}\n    满意: {}\n    基本满意: {}\n    不满意: {}\n",
            quoted(&q.question),
            q.satisfied,
            q.basically,
            q.unsatisfied
        ));
    }
    if e.rectifications.is_empty() {
        s.push_str("整改: []\n");
    } else {
        s.push_str("整改:\n");
        for r in &e.rectifications {
            s.push_str(&format!("  - 问题: {}\n    措施: {}\n", quoted(&r.problem), quoted(&r.measure)));
            if let Some(d) = &r.due {
                s.push_str(&format!("    期限: {}\n", quoted(d)));
            }
            s.push_str(&format!("    状态: {}\n", quoted(&r.state)));
            if let Some(d) = &r.done {
                s.push_str(&format!("    完成日期: {}\n", quoted(d)));
            }
        }
    }
    s
}

/// Writes `text` at `site/rel` unless a file is there that the desk did not make.
fn write(site: &Path, rel: &str, text: &str, report: &mut Report) -> Result<(), String> {
    let path: PathBuf = site.join(rel);
    if let Ok(old) = std::fs::read_to_string(&path) {
        if old.lines().next() != Some(EXPORT_MARK) {
            report.kept.push((
                rel.to_owned(),
                "第一行不是受理平台的导出标记，是单位自己写的文件，没有替换；要改由受理平台导出，请先把它改名或删除"
                    .to_owned(),
            ));
            return Ok(());
        }
        if old == text {
            return Ok(());
        }
    } else if path.exists() {
        report.kept.push((rel.to_owned(), "无法读取（不是文本文件？），没有替换".to_owned()));
        return Ok(());
    }
    let dir = path.parent().ok_or_else(|| format!("{rel}：路径不对"))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("无法建立文件夹 {}：{e}", dir.display()))?;
    let tmp = dir.join(format!(".{}.desk-tmp", path.file_name().and_then(|n| n.to_str()).unwrap_or("export")));
    std::fs::write(&tmp, text).map_err(|e| format!("无法写入 {}：{e}", tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| format!("无法写入 {}：{e}", path.display()))?;
    report.written.push(rel.to_owned());
    Ok(())
}

/// Exports the request figures of `year` and the campaigns that closed in `year` into the site.
pub async fn export(db: &Db, site: &Path, units: &BTreeMap<String, String>, year: i16) -> Result<Report, String> {
    let mut report = Report::default();
    let (start, end) = (format!("{year}-01-01"), format!("{year}-12-31"));
    // the year's cases: received by its end and not replied before it began
    let rows = db
        .rows(
            "SELECT unit, received, replied, outcome FROM cases WHERE received <= $1 AND (replied IS NULL OR replied >= $2) ORDER BY unit",
            vec![t(end.clone()), t(start.clone())],
        )
        .await
        .map_err(|e| e.to_string())?;
    let mut per_unit: BTreeMap<String, (u64, u64, [u64; 6], u64)> = BTreeMap::new();
    for r in &rows {
        let e = per_unit.entry(r.text(0)).or_default();
        if r.text(1) >= start {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
        match (r.opt(2), OUTCOMES.iter().position(|o| Some(*o) == r.opt(3).as_deref())) {
            (Some(d), Some(k)) if d <= end => e.2[k] += 1,
            _ => e.3 += 1,
        }
    }
    for (unit, (received, carried, outcomes, forward)) in &per_unit {
        if !units.contains_key(unit) {
            report.kept.push((format!("content/{unit}/requests/{year}.yaml"), "门户中已没有这个单位，没有导出".into()));
            continue;
        }
        let text = requests_yaml(year, *received, *carried, outcomes, *forward);
        write(site, &format!("content/{unit}/requests/{year}.yaml"), &text, &mut report)?;
    }

    for c in campaigns::all(db).await.map_err(|e| e.to_string())? {
        if !c.closes.starts_with(&year.to_string()) {
            continue;
        }
        let cols: Vec<&str> = QUESTIONS.iter().map(|(k, _)| *k).collect();
        let rows = db
            .rows(
                &format!("SELECT unit, {} FROM responses WHERE campaign = $1 ORDER BY unit", cols.join(", ")),
                vec![t(c.id.clone())],
            )
            .await
            .map_err(|e| e.to_string())?;
        let mut tallies: BTreeMap<String, (u64, Vec<Tally>)> = BTreeMap::new();
        for r in &rows {
            let e = tallies.entry(r.text(0)).or_insert_with(|| (0, vec![Tally::default(); QUESTIONS.len()]));
            e.0 += 1;
            for (q, tally) in e.1.iter_mut().enumerate() {
                if let Some(rating) = Rating::parse(&r.text(q + 1)) {
                    tally.add(rating);
                }
            }
        }
        for (unit, (responses, ts)) in tallies {
            if !units.contains_key(&unit) {
                continue;
            }
            let fixes = db
                .rows(
                    "SELECT problem, measure, due, state, done FROM rectifications WHERE campaign = $1 AND unit = $2 ORDER BY n",
                    vec![t(c.id.clone()), t(unit.clone())],
                )
                .await
                .map_err(|e| e.to_string())?;
            let e = EvaluationExport {
                name: c.name.clone(),
                from: c.opens.clone(),
                to: c.closes.clone(),
                responses,
                questions: QUESTIONS
                    .iter()
                    .zip(&ts)
                    .map(|((_, text), tally)| QuestionResult::new(text, *tally))
                    .collect(),
                rectifications: fixes
                    .iter()
                    .map(|r| Rectification {
                        problem: r.text(0),
                        measure: r.text(1),
                        due: r.opt(2),
                        state: r.text(3),
                        done: r.opt(4),
                    })
                    .collect(),
            };
            write(site, &format!("content/{unit}/evaluations/{}.yaml", c.id), &evaluation_yaml(&e), &mut report)?;
        }
    }
    Ok(report)
}
