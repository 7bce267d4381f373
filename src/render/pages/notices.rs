//! 第五条(五): one page per notice (`notices/*.md`), the list of them newest first, and the
//! unit's Atom feed of them. Notices of one major matter (第四条: 决策前, 实施中, 结果) link each
//! other in stage order.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Built, UnitCx};
use crate::error::Result;
use crate::render::feeds;
use crate::render::paths::href;
use crate::render::view::{self, Link, Notice, StageLink};

/// `notice.html`
#[derive(Serialize)]
struct NoticePage<'a> {
    notice: &'a Notice,
}

/// `notices.html`
#[derive(Serialize)]
struct NoticesPage {
    notices: Vec<Notice>,
    /// Link to the unit's feed of notices.
    feed: String,
}

/// A notice of a major matter: (rank of its stage, stage, title, page path).
type Stage = (usize, String, String, String);

pub(super) fn build(cx: &mut UnitCx<'_, '_>, b: &Built) -> Result<()> {
    let matters = matters(cx, b.kind);
    let spec_fields = cx.spec(b.kind).map(|d| &d.fields[..]).unwrap_or_default();
    let mut notices = Vec::new();
    for doc in cx.unit.docs_of(b.kind) {
        let path = cx.published_path(doc);
        let body_html = cx.markdown(doc, &path);
        let data = doc.data.as_ref();
        let title = view::doc_title(doc);
        let matter = view::text(data, "matter");
        let stages = matters.get(&matter).map_or_else(Vec::new, |all| {
            all.iter()
                .map(|(_, stage, label, to)| StageLink {
                    stage: stage.clone(),
                    link: Link { label: label.clone(), href: href(&path, to), current: *to == path },
                })
                .collect()
        });
        let (status, withdrawn) = view::status(data);
        let notice = Notice {
            index_number: cx.index_number(doc),
            title: title.clone(),
            href: String::new(),
            category: view::text(data, "category"),
            validity: view::validity(&status),
            status,
            withdrawn,
            date: view::date(data, "date"),
            effective: view::date(data, "effective"),
            number: view::text(data, "number"),
            written: view::date(data, "written"),
            stage: view::text(data, "stage"),
            matter,
            stages,
            body_html,
            updated: view::date(data, "updated").or_else(|| view::date(data, "date")),
            extras: view::extras(data, spec_fields, view::NOTICE_FIELDS),
        };
        let updated = notice.updated.clone();
        cx.item_page(b, "notice.html", (&path, &title), updated, &NoticePage { notice: &notice })?;
        notices.push((path, notice));
    }
    // newest first; undated last
    notices.sort_by(|a, b| b.1.date.cmp(&a.1.date).then_with(|| a.1.title.cmp(&b.1.title)));

    let feed_path = cx.paths.page("notices.xml");
    let list: Vec<Notice> = notices.iter().map(|(path, n)| Notice { href: href(&b.path, path), ..n.clone() }).collect();
    let newest = list.iter().filter_map(|n| n.updated.clone()).max();
    let view = NoticesPage { notices: list, feed: href(&b.path, &feed_path) };
    cx.main_page(b, newest, &view)?;

    let name = cx.unit.name();
    let base = cx.r.base_url.as_deref();
    let entries = notices.iter().map(|(path, n)| feeds::notice_entry(base, path, n, name)).collect();
    let feed = feeds::feed(cx.r.theme, base, &format!("{name} · {}", b.title), &feed_path, &b.path, entries)?;
    cx.extra(&feed_path, feed.as_bytes())?;
    cx.notices = notices;
    Ok(())
}

/// 第四条: the notices of each major matter, in stage order, for each to link the others.
fn matters(cx: &UnitCx<'_, '_>, kind: &str) -> BTreeMap<String, Vec<Stage>> {
    let order = &cx.r.stage_order;
    let mut matters: BTreeMap<String, Vec<Stage>> = BTreeMap::new();
    for doc in cx.unit.docs_of(kind) {
        let data = doc.data.as_ref();
        let matter = view::text(data, "matter");
        if matter.is_empty() {
            continue;
        }
        let stage = view::text(data, "stage");
        let rank = order.iter().position(|s| *s == stage).unwrap_or(order.len());
        matters.entry(matter).or_default().push((rank, stage, view::doc_title(doc), cx.published_path(doc)));
    }
    for stages in matters.values_mut() {
        stages.sort();
    }
    matters
}
