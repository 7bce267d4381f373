//! 年度报告 (《考核办法》第七条(三)): what a unit's annual report is made of, computed from the
//! loaded content. The six sections of the national template and how a heading is recognised;
//! the 主动公开 figures of a 年度, counted from the unit's own documents; the request figures of a
//! 年度, read from `requests/<年度>.yaml`, with the template's arithmetic.
//!
//! Sits on `model` (reads loaded units, no file, no rule): `check` reports what is missing or
//! does not add up, `render` shows the tables on the report page and in open data. Pure.

use jiff::civil::Date;

use crate::model::{Doc, Unit};
use crate::schema::Schema;
use crate::shape;
use crate::status;
use crate::yaml::{Node, Pos};

/// Which generated table follows a section's heading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    /// 主动公开: documents published, changed, withdrawn in the 年度.
    Active,
    /// 收到和处理申请: the request figures.
    Requests,
    /// 行政复议、行政诉讼.
    Appeals,
}

/// One section of the national template.
pub(crate) struct Section {
    /// The heading as the template writes it (without its number).
    pub(crate) heading: &'static str,
    /// Words a heading must contain to be this section (the template's own longer wordings,
    /// 主动公开政府信息情况, are accepted).
    words: &'static [&'static str],
    pub(crate) table: Option<Table>,
}

/// The sections, in the template's order; a report needs a heading for each.
pub(crate) const SECTIONS: [Section; 6] = [
    Section { heading: "总体情况", words: &["总体情况"], table: None },
    Section { heading: "主动公开情况", words: &["主动公开"], table: Some(Table::Active) },
    Section { heading: "收到和处理申请情况", words: &["收到和处理"], table: Some(Table::Requests) },
    Section {
        heading: "被申请行政复议、提起行政诉讼情况", words: &["行政复议"], table: Some(Table::Appeals)
    },
    Section { heading: "存在的主要问题及改进情况", words: &["主要问题"], table: None },
    Section { heading: "其他需要报告的事项", words: &["其他需要报告"], table: None },
];

/// The Chinese numerals the template numbers its sections with.
pub(crate) const NUMERALS: [&str; 6] = ["一", "二", "三", "四", "五", "六"];

/// A Markdown heading of a body: its line (in the body text, 0-based) and its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Heading {
    pub(crate) line: usize,
    pub(crate) text: String,
}

/// The ATX headings (`## 一、总体情况`) of a Markdown text, outside fenced code.
pub(crate) fn headings(body: &str) -> Vec<Heading> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    for (line, raw) in body.lines().enumerate() {
        let t = raw.trim_start();
        if raw.len() - t.len() > 3 {
            continue;
        }
        for mark in ["```", "~~~"] {
            if t.starts_with(mark) {
                fence = match fence {
                    Some(open) if open == mark => None,
                    None => Some(mark),
                    other => other,
                };
            }
        }
        if fence.is_some() || !t.starts_with('#') {
            continue;
        }
        let level = t.chars().take_while(|c| *c == '#').count();
        let rest = &t[level..];
        if level > 6 || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
            continue;
        }
        let text = rest.trim().trim_end_matches('#').trim().to_string();
        out.push(Heading { line, text });
    }
    out
}

/// Which section a heading is, if any.
pub(crate) fn section_of(heading: &str) -> Option<usize> {
    SECTIONS.iter().position(|s| s.words.iter().any(|w| heading.contains(w)))
}

/// The sections a report body has no heading for.
pub(crate) fn missing_sections(body: &str) -> Vec<usize> {
    let found: Vec<usize> = headings(body).iter().filter_map(|h| section_of(&h.text)).collect();
    (0..SECTIONS.len()).filter(|i| !found.contains(i)).collect()
}

/// The 年度 a report is about: its `年度`, else its file name (`2025.md`).
pub(crate) fn year_of(doc: &Doc) -> Option<i16> {
    let written = doc.data.as_ref().and_then(|d| d.text("year")).unwrap_or(&doc.stem);
    parse_year(written)
}

/// How a report is named: its 标题, else `2025年度信息公开工作年度报告`.
pub(crate) fn title(doc: &Doc) -> String {
    match (doc.data.as_ref().and_then(|d| d.text("title")), year_of(doc)) {
        (Some(t), _) if !shape::is_placeholder(t, &[]) => t.to_string(),
        (_, Some(y)) => format!("{y}年度信息公开工作年度报告"),
        _ => doc.stem.clone(),
    }
}

/// `2025`, `2025年`, `2025年度`: a year from 2000 to 2100.
pub(crate) fn parse_year(text: &str) -> Option<i16> {
    let digits = text.trim().trim_end_matches("年度").trim_end_matches('年');
    let y: i16 = digits.parse().ok().filter(|_| digits.len() == 4)?;
    (2000..=2100).contains(&y).then_some(y)
}

/// The counts of one kind of document in a 年度.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ActiveRow {
    /// The document kind's title (通知, 公开制度…), or 合计.
    pub(crate) title: String,
    /// Published in the 年度 (发布日期 in it); `None` for a kind without a 发布日期 (办事服务).
    pub(crate) published: Option<u32>,
    /// Changed in the 年度.
    pub(crate) changed: u32,
    /// Withdrawn or terminated in the 年度.
    pub(crate) withdrawn: u32,
}

/// The 主动公开 figures of a unit for `year`: one row per kind of document the unit publishes as
/// pages (every folder but the reports themselves), in the content model's order, and the total.
/// What each count counts is in the README, "年度报告".
pub(crate) fn active(unit: &Unit, schema: &Schema, year: i16) -> (Vec<ActiveRow>, ActiveRow) {
    let in_year = |d: Option<Date>| d.is_some_and(|d| d.year() == year);
    let mut rows = Vec::new();
    for spec in schema.documents.iter().filter(|s| s.has_pages() && s.kind != "reports") {
        let docs: Vec<&Doc> = unit.docs_of(&spec.kind).collect();
        if docs.is_empty() {
            continue;
        }
        let dated = spec.field("date").is_some();
        let mut row = ActiveRow { title: spec.title.clone(), published: dated.then_some(0), ..Default::default() };
        for doc in docs {
            let Some(data) = &doc.data else { continue };
            let published = date(data, "date");
            if in_year(published) {
                row.published = row.published.map(|n| n + 1);
            }
            let history = data.get("history").and_then(Node::as_list).unwrap_or_default();
            let entry_date = |e: &Node| e.text("date").and_then(shape::parse_date);
            let is_withdrawal = |e: &Node| e.text("action").is_some_and(status::names_withdrawal);
            let changed_entry = history.iter().any(|e| !is_withdrawal(e) && in_year(entry_date(e)));
            // 变更日期 is also the date the information was formed: it is a change only when it
            // is later than the publication
            let changed_date = date(data, "changed").filter(|c| published.is_some_and(|p| *c > p));
            if changed_entry || in_year(changed_date) {
                row.changed += 1;
            }
            if data.text("status").is_some_and(status::is_withdrawn) {
                let when = history.iter().filter(|e| is_withdrawal(e)).filter_map(entry_date).max();
                if in_year(when.or_else(|| date(data, "changed"))) {
                    row.withdrawn += 1;
                }
            }
        }
        rows.push(row);
    }
    let total = ActiveRow {
        title: "合计".into(),
        published: Some(rows.iter().filter_map(|r| r.published).sum()),
        changed: rows.iter().map(|r| r.changed).sum(),
        withdrawn: rows.iter().map(|r| r.withdrawn).sum(),
    };
    (rows, total)
}

fn date(data: &Node, key: &str) -> Option<Date> {
    data.text(key).and_then(shape::parse_date)
}

/// The rows of the national template's request table that apply to a public enterprise or
/// institution, in its order: (key, name). The first two are what came in, the rest what became
/// of it.
pub(crate) const INTAKE: [(&str, &str); 2] = [("received", "本年新收申请数量"), ("carried_over", "上年结转申请数量")];
pub(crate) const OUTCOMES: [(&str, &str); 6] = [
    ("disclosed", "予以公开"),
    ("partly", "部分公开"),
    ("refused", "不予公开"),
    ("unavailable", "无法提供"),
    ("not_handled", "不予处理"),
    ("other", "其他处理"),
];
pub(crate) const CARRIED_FORWARD: (&str, &str) = ("carried_forward", "结转下年度继续办理");
pub(crate) const APPEALS: [(&str, &str); 2] = [("reconsideration", "被申请行政复议"), ("litigation", "被提起行政诉讼")];

/// The request figures of one 年度, as read from its data file.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Requests {
    /// Site-relative path of the data file.
    pub(crate) file: String,
    /// Every figure that is a count, by key (`received` …).
    pub(crate) counts: Vec<(&'static str, u32)>,
    /// Figures that are not a count: (key, where, as written); blank or absent ones have no
    /// position and an empty text.
    pub(crate) wrong: Vec<(&'static str, Option<Pos>, String)>,
    /// 说明.
    pub(crate) note: Option<String>,
}

impl Requests {
    pub(crate) fn count(&self, key: &str) -> Option<u32> {
        self.counts.iter().find(|(k, _)| *k == key).map(|(_, n)| *n)
    }

    /// The template's arithmetic: (came in, went out) = (新收 + 上年结转, the outcomes + 结转下年度),
    /// when every figure is a count.
    pub(crate) fn balance(&self) -> Option<(u32, u32)> {
        let sum = |keys: &mut dyn Iterator<Item = &str>| keys.map(|k| self.count(k)).sum::<Option<u32>>();
        let came = sum(&mut INTAKE.iter().map(|(k, _)| *k))?;
        let went = sum(&mut OUTCOMES.iter().chain([&CARRIED_FORWARD]).map(|(k, _)| *k))?;
        Some((came, went))
    }

    /// The outcomes added up (the template's 总计), when each is a count.
    pub(crate) fn handled(&self) -> Option<u32> {
        OUTCOMES.iter().map(|(k, _)| self.count(k)).sum()
    }
}

/// Every figure of the request table, in order.
pub(crate) fn figures() -> impl Iterator<Item = (&'static str, &'static str)> {
    INTAKE.into_iter().chain(OUTCOMES).chain([CARRIED_FORWARD]).chain(APPEALS)
}

/// The request figures of `year`, from `requests/<year>.yaml` (or a data file whose `年度` says
/// so); `None` when the unit has no such file.
pub(crate) fn requests(unit: &Unit, year: i16) -> Option<Requests> {
    let doc = unit.docs_of("requests").find(|d| {
        let written = d.data.as_ref().and_then(|n| n.text("year"));
        written.map_or_else(|| parse_year(&d.stem), parse_year) == Some(year)
    })?;
    let mut out = Requests { file: doc.path.clone(), ..Default::default() };
    let data = doc.data.as_ref();
    for (key, _) in figures() {
        let node = data.and_then(|d| d.get(key));
        let written = node.and_then(Node::as_text).map(str::trim).unwrap_or_default();
        match count(written) {
            Some(n) => out.counts.push((key, n)),
            None => out.wrong.push((key, node.map(|n| n.pos), written.to_string())),
        }
    }
    out.note = data.and_then(|d| d.text("note")).map(str::to_string);
    Some(out)
}

/// A count as a clerk writes it: digits, optionally followed by 件.
fn count(written: &str) -> Option<u32> {
    let digits = written.trim_end_matches('件').trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_found_outside_code_and_matched_to_sections() {
        let body = "前言\n\n## 一、总体情况\n\n```\n## 二、主动公开情况\n```\n\n### （二）主动公开政府信息情况 ##\n#不是标题\n";
        let hs = headings(body);
        assert_eq!(
            hs.iter().map(|h| h.text.as_str()).collect::<Vec<_>>(),
            ["一、总体情况", "（二）主动公开政府信息情况"]
        );
        assert_eq!(hs.iter().map(|h| section_of(&h.text)).collect::<Vec<_>>(), [Some(0), Some(1)]);
        assert_eq!(missing_sections(body), [2, 3, 4, 5]);
    }

    #[test]
    fn years_and_counts_as_clerks_write_them() {
        assert_eq!(parse_year("2025年度"), Some(2025));
        assert_eq!(parse_year("25"), None);
        assert_eq!(count("12"), Some(12));
        assert_eq!(count("3件"), Some(3));
        assert_eq!(count("七"), None);
        assert_eq!(count("-1"), None);
        assert_eq!(count(""), None);
    }

    #[test]
    fn the_balance_adds_intake_and_outcomes() {
        let mut r = Requests {
            counts: vec![
                ("received", 10),
                ("carried_over", 2),
                ("disclosed", 6),
                ("partly", 2),
                ("refused", 1),
                ("unavailable", 1),
                ("not_handled", 0),
                ("other", 1),
                ("carried_forward", 1),
            ],
            ..Default::default()
        };
        assert_eq!(r.balance(), Some((12, 12)));
        assert_eq!(r.handled(), Some(11));
        r.counts[0].1 = 11;
        assert_eq!(r.balance(), Some((13, 12)));
        r.counts.pop();
        assert_eq!(r.balance(), None, "a figure that is not there is not a zero");
    }

    fn row(title: &str, published: Option<u32>, changed: u32, withdrawn: u32) -> ActiveRow {
        ActiveRow { title: title.into(), published, changed, withdrawn }
    }

    /// The bus company of the example portal, counted by hand: five notices published in 2026
    /// (one of them withdrawn on 2026-08-20), one 公开制度 published 2026-03-02, a service and
    /// two routes with no 发布日期; nothing changed. Nothing at all in 2025.
    #[test]
    fn the_example_bus_company_counted_by_hand() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = crate::load::load_site(root, &Default::default()).unwrap();
        let dir = site.units.iter().find(|u| u.slug == "yincheng-bus").unwrap();
        let unit = site.load_unit(dir);
        let (rows, total) = active(&unit, &site.schema, 2026);
        assert_eq!(
            rows,
            [
                row("办事服务", None, 0, 0),
                row("变动事项和计划", Some(5), 0, 1),
                row("公开制度", Some(1), 0, 0),
                row("运营线路", None, 0, 0)
            ]
        );
        assert_eq!(total, row("合计", Some(6), 0, 1));
        assert_eq!(active(&unit, &site.schema, 2025).1, row("合计", Some(0), 0, 0));
    }

    /// A change is a 变更记录 entry of the year, or a 变更日期 of the year after the publication;
    /// a withdrawal counts in the year of its 撤销 entry.
    #[test]
    fn changes_and_withdrawals_are_counted_in_their_year() {
        let schema = Schema::builtin();
        let spec = schema.doc("notices").unwrap().clone();
        let count = |front: &str, year| {
            let text = format!("---\n标题: 通知\n{front}---\n正文\n");
            let unit = crate::load::unit_from_bytes(&schema, &spec, text.as_bytes());
            active(&unit, &schema, year).1
        };
        let entry = "变更记录:\n  - {日期: 2025-03-01, 变更类型: 变更, 说明: 改期}\n";
        assert_eq!(count(&format!("发布日期: 2024-12-01\n{entry}"), 2025), row("合计", Some(0), 1, 0));
        assert_eq!(count(&format!("发布日期: 2024-12-01\n{entry}"), 2024), row("合计", Some(1), 0, 0));
        // formed and published the same day: no change
        assert_eq!(count("发布日期: 2025-05-01\n变更日期: 2025-05-01\n", 2025), row("合计", Some(1), 0, 0));
        assert_eq!(count("发布日期: 2025-05-01\n变更日期: 2025-06-01\n", 2025), row("合计", Some(1), 1, 0));
        let withdrawn =
            "发布日期: 2025-05-01\n状态: 已撤销\n变更记录:\n  - {日期: 2026-01-10, 变更类型: 撤销, 说明: 取消}\n";
        assert_eq!(count(withdrawn, 2025), row("合计", Some(1), 0, 0));
        assert_eq!(count(withdrawn, 2026), row("合计", Some(0), 0, 1));
    }
}
