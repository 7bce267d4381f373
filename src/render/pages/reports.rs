//! 《考核办法》第七条(三): the unit's 年度报告, one page per report (`reports/2025.html`) and the
//! list of them (`reports.html`), newest 年度 first. A report page is the clerk's text cut at its
//! six section headings, with the generated tables after the headings of 主动公开 (from
//! `crate::annual::active`), 收到和处理申请 and 行政复议、行政诉讼 (from `requests/<年度>.yaml`);
//! without that file the page says the figures are not filled in, never zeros. Printed, it is an
//! A4 report ending with the unit's name and date (the print rules in `style.css`).

use serde::Serialize;

use super::{Built, UnitCx};
use crate::annual::{self, ActiveRow, SECTIONS, Table};
use crate::error::Result;
use crate::model::Doc;
use crate::render::links::PendingLink;
use crate::render::markdown;
use crate::render::paths::href;
use crate::render::view::{self, DateView, Link};

/// A report in the list.
#[derive(Serialize)]
struct Listed {
    link: Link,
    year: Option<i16>,
    date: Option<DateView>,
}

/// `reports.html`
#[derive(Serialize)]
struct ReportsPage {
    reports: Vec<Listed>,
}

/// A part of the report's text: the Markdown up to the next section heading, and the table the
/// template puts after it (`active`, `requests`, `appeals`).
#[derive(Serialize)]
struct Part {
    html: String,
    table: Option<&'static str>,
}

/// A row of the 主动公开 table.
#[derive(Serialize)]
struct ActiveView {
    title: String,
    /// `—` for a kind of document with no 发布日期.
    published: String,
    changed: u32,
    withdrawn: u32,
}

/// A row of the request tables: the figure's name and its count, or why there is none.
#[derive(Serialize)]
struct Figure {
    name: &'static str,
    value: String,
    /// An outcome, indented under 办理结果.
    outcome: bool,
}

/// `annual-report.html`
#[derive(Serialize)]
struct ReportPage {
    /// 索引号, from the publication record.
    index_number: String,
    year: Option<i16>,
    written: Option<DateView>,
    date: Option<DateView>,
    parts: Vec<Part>,
    active: Vec<ActiveView>,
    /// `None`: the unit has no request figures for the 年度.
    requests: Option<Vec<Figure>>,
    appeals: Option<Vec<Figure>>,
    note: String,
    /// The data file the figures would come from (`requests/2025.yaml`).
    requests_file: String,
}

pub(super) fn build(cx: &mut UnitCx<'_, '_>, b: &Built) -> Result<()> {
    let mut docs: Vec<&Doc> = cx.unit.docs_of(b.kind).collect();
    docs.sort_by_key(|d| std::cmp::Reverse((annual::year_of(d), d.stem.clone())));
    let mut reports = Vec::new();
    for doc in docs {
        let path = cx.published_path(doc);
        let title = annual::title(doc);
        let data = doc.data.as_ref();
        let year = annual::year_of(doc);
        let view = page(cx, doc, &path, year);
        cx.item_page(b, "annual-report.html", (&path, &title), view::date(data, "updated"), &view)?;
        reports.push(Listed {
            link: Link { label: title, href: href(&b.path, &path), current: false },
            year,
            date: view::date(data, "date"),
        });
    }
    let updated = reports.iter().filter_map(|r| r.date.clone()).max();
    cx.main_page(b, updated, &ReportsPage { reports })
}

fn page(cx: &mut UnitCx<'_, '_>, doc: &Doc, path: &str, year: Option<i16>) -> ReportPage {
    let data = doc.data.as_ref();
    let parts = parts(cx, doc, path);
    let (rows, total) = year.map(|y| annual::active(cx.unit, cx.schema(), y)).unwrap_or_default();
    let active = rows
        .into_iter()
        .chain(year.map(|_| total))
        .map(|r: ActiveRow| ActiveView {
            title: r.title,
            published: r.published.map_or_else(|| "—".into(), |n| n.to_string()),
            changed: r.changed,
            withdrawn: r.withdrawn,
        })
        .collect();
    let figures = year.and_then(|y| annual::requests(cx.unit, y));
    let value = |key: &str| {
        let r = figures.as_ref()?;
        Some(r.count(key).map_or_else(|| "未填写或有误".to_string(), |n| n.to_string()))
    };
    let row = |(key, name): (&'static str, &'static str), outcome: bool| {
        value(key).map(|value| Figure { name, value, outcome })
    };
    let requests = figures.as_ref().map(|r| {
        let mut rows: Vec<Figure> = annual::INTAKE.iter().filter_map(|f| row(*f, false)).collect();
        rows.extend(annual::OUTCOMES.iter().filter_map(|f| row(*f, true)));
        let handled = r.handled().map_or_else(|| "未填写或有误".to_string(), |n| n.to_string());
        rows.push(Figure { name: "办理结果合计", value: handled, outcome: false });
        rows.extend(row(annual::CARRIED_FORWARD, false));
        rows
    });
    let appeals = figures.as_ref().map(|_| annual::APPEALS.iter().filter_map(|f| row(*f, false)).collect());
    ReportPage {
        index_number: cx.index_number(doc),
        year,
        written: view::date(data, "written"),
        date: view::date(data, "date"),
        parts,
        active,
        requests,
        appeals,
        note: figures.and_then(|r| r.note).unwrap_or_default(),
        requests_file: format!("requests/{}.yaml", year.map_or_else(|| "年度".to_string(), |y| y.to_string())),
    }
}

/// The report's text cut before each section heading, each part rendered on its own (its lines
/// keep their numbers in the file), with the table of the section it ends in.
fn parts(cx: &mut UnitCx<'_, '_>, doc: &Doc, page: &str) -> Vec<Part> {
    let Some(body) = &doc.body else { return Vec::new() };
    let lines: Vec<&str> = body.text.split_inclusive('\n').collect();
    let mut cuts: Vec<(usize, Option<Table>)> = vec![(0, None)];
    for h in annual::headings(&body.text) {
        if let Some(i) = annual::section_of(&h.text) {
            cuts.push((h.line, SECTIONS[i].table));
        }
    }
    let rel = doc.path.strip_prefix(&format!("{}/", cx.unit.dir)).unwrap_or(&doc.path).to_string();
    let mut out = Vec::new();
    for (n, (start, table)) in cuts.iter().enumerate() {
        let end = cuts.get(n + 1).map_or(lines.len(), |(s, _)| *s);
        let text: String = lines[*start..end].concat();
        if text.trim().is_empty() && table.is_none() {
            continue;
        }
        let rendered = markdown::render(&text, body.line + *start as u32, &|d| cx.rewrite(&rel, page, d));
        cx.links.extend(rendered.links.iter().map(|l| PendingLink::new(&cx.unit.slug, &doc.path, page, l)));
        let table = table.map(|t| match t {
            Table::Active => "active",
            Table::Requests => "requests",
            Table::Appeals => "appeals",
        });
        out.push(Part { html: rendered.html, table });
    }
    out
}
