//! The 年度报告 checked as a document (whether one is there, and when, is the packs' item and
//! cadence rules): each report names its 年度 and has a heading for each of the six sections of
//! the national template; the request figures of its 年度 are there, are counts, and add up.
//!
//! Inside `check`, beside `dates`; `check_unit` runs it for every unit. The figures themselves are
//! `crate::annual`'s. Pure.

use crate::annual::{self, NUMERALS, SECTIONS};
use crate::finding::{Finding, Kind, Severity};
use crate::model::Unit;
use crate::yaml::Pos;

/// Every finding about the unit's reports and request data files.
pub(super) fn check(unit: &Unit) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut years = Vec::new();
    for doc in unit.docs_of("reports") {
        let Some(data) = &doc.data else { continue };
        let title = annual::title(doc);
        let written = data.text("year");
        if written.is_some_and(|t| crate::shape::is_placeholder(t, &[])) {
            // 年度: 待补充 is the item rule's finding
            continue;
        }
        let Some(year) = annual::year_of(doc) else {
            let pos = data.entry("year").map(|e| e.value.pos);
            out.push(
                Finding::builtin(
                    Kind::Invalid,
                    Severity::Error,
                    &doc.path,
                    pos,
                    format!("年度报告「{title}」没有写明报告的是哪一年（「年度」）"),
                )
                .with_field("年度")
                .with_title("年度")
                .with_help("在开头的信息区写「年度: 2025」，或把文件命名为 reports/2025.md"),
            );
            continue;
        };
        years.push(year);
        // a report with no text at all is the item rule's finding, not six missing sections
        let Some(body) = doc.body.as_ref().filter(|b| !b.text.trim().is_empty()) else { continue };
        let missing = annual::missing_sections(&body.text);
        for i in missing {
            let heading = format!("{}、{}", NUMERALS[i], SECTIONS[i].heading);
            out.push(
                Finding::builtin(
                    Kind::Missing,
                    Severity::Error,
                    &doc.path,
                    Some(Pos::new(body.line, 1)),
                    format!("年度报告「{title}」缺少「{heading}」一节"),
                )
                .with_title(SECTIONS[i].heading)
                .with_help(format!(
                    "在正文里加一行标题「## {heading}」，在下面写本年度的情况（年度报告的六个部分按全国统一的格式，缺一不可）"
                )),
            );
        }
    }
    years.sort_unstable();
    years.dedup();
    for year in &years {
        if annual::requests(unit, *year).is_none() {
            out.push(
                Finding::builtin(
                    Kind::Missing,
                    Severity::Error,
                    &format!("{}/requests/", unit.dir),
                    None,
                    format!("{year}年度的年度报告没有依申请公开的统计数据，报告里「收到和处理申请情况」一节无法填写"),
                )
                .with_title("依申请公开统计")
                .with_help(format!(
                    "新建 requests/{year}.yaml，写明本年新收申请数量、上年结转、各项办理结果、结转下年度继续办理、行政复议和行政诉讼的件数（没有的写 0）"
                )),
            );
        }
    }
    for doc in unit.docs_of("requests") {
        let Some(data) = &doc.data else { continue };
        let written = data.text("year");
        let Some(year) = written.map_or_else(|| annual::parse_year(&doc.stem), annual::parse_year) else {
            let placeholder = written.is_some_and(|t| crate::shape::is_placeholder(t, &[]));
            out.push(
                Finding::builtin(
                    if placeholder { Kind::Placeholder } else { Kind::Invalid },
                    Severity::Error,
                    &doc.path,
                    data.entry("year").map(|e| e.value.pos),
                    "依申请公开统计没有写明是哪一年的（「年度」）".to_string(),
                )
                .with_help("把文件命名为 requests/2025.yaml，或写「年度: 2025」"),
            );
            continue;
        };
        let Some(figures) = annual::requests(unit, year).filter(|r| r.file == doc.path) else { continue };
        out.extend(figure_findings(&figures, year, data.entry("received").map(|e| e.key_pos)));
    }
    for f in &mut out {
        f.unit = Some(unit.slug.clone());
    }
    out
}

/// Each figure that is not a count, and the arithmetic of the template.
fn figure_findings(r: &annual::Requests, year: i16, top: Option<Pos>) -> Vec<Finding> {
    fn name(key: &str) -> &str {
        annual::figures().find(|(k, _)| *k == key).map_or(key, |(_, n)| n)
    }
    let mut out = Vec::new();
    for (key, pos, written) in &r.wrong {
        let f = match pos {
            Some(pos) if crate::shape::is_placeholder(written, &[]) => Finding::builtin(
                Kind::Placeholder,
                Severity::Error,
                &r.file,
                Some(*pos),
                format!("「{}」的件数还是占位内容「{written}」", name(key)),
            )
            .with_help(format!("写阿拉伯数字，例如「{}: 3」；没有的写 0", name(key))),
            Some(pos) if !written.is_empty() => Finding::builtin(
                Kind::Invalid,
                Severity::Error,
                &r.file,
                Some(*pos),
                format!("「{}」应为件数（0 或正整数），这里写成了「{written}」", name(key)),
            )
            .with_help(format!("写阿拉伯数字，例如「{}: 3」；没有的写 0", name(key))),
            _ => Finding::builtin(
                Kind::Missing,
                Severity::Error,
                &r.file,
                *pos,
                format!("{year}年度的依申请公开统计缺少「{}」的件数", name(key)),
            )
            .with_help(format!("写明「{}」的件数，没有的写 0（不写不等于零）", name(key))),
        };
        out.push(f.with_title(name(key)));
    }
    if let Some((came, went)) = r.balance().filter(|(c, w)| c != w) {
        let n = |k| r.count(k).unwrap_or_default();
        let message = format!(
            "{year}年度的申请数字对不上：本年新收 {} 件 + 上年结转 {} 件 = {came} 件，而办理结果合计 {} 件 + 结转下年度继续办理 {} 件 = {went} 件",
            n("received"),
            n("carried_over"),
            r.handled().unwrap_or_default(),
            n("carried_forward"),
        );
        out.push(
            Finding::builtin(Kind::Invalid, Severity::Error, &r.file, top, message)
                .with_title("依申请公开统计")
                .with_help("核对各项件数：新收申请数量 + 上年结转，应等于予以公开、部分公开、不予公开、无法提供、不予处理、其他处理之和，再加结转下年度继续办理"),
        );
    }
    out
}
