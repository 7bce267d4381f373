//! The unit's 公开目录 (disclosure catalogue): every item and document the unit must publish, in
//! the columns of the 基层政务公开标准目录 — 事项 and 内容 (what), 依据 (the article the site's
//! packs cite), 时限 (the deadline rules that apply), 更新日期 — grouped by page family with an
//! anchor each, and linked to the page that shows it. It is also the search that needs no
//! JavaScript: everything is on one page, in the order of the navigation.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{Built, Content, UnitCx};
use crate::check::{Status, applicable};
use crate::error::Result;
use crate::pack::{Check, Rule, Target};
use crate::render::archive::{Removed, history};
use crate::render::paths::href;
use crate::render::view::{self, DateView};

/// One line of the catalogue.
#[derive(Serialize)]
struct Entry {
    /// The item or document (`收费依据`, a notice's title).
    item: String,
    /// Link to the page that shows it.
    href: String,
    /// The article it is published under, with its measure.
    basis: String,
    /// When it is updated.
    updated: Option<DateView>,
    /// It is published complete (a required item that is missing or wrong says 暂未公开).
    published: bool,
}

/// The entries of one page family.
#[derive(Serialize)]
struct Group {
    /// Anchor: the document kind.
    id: String,
    title: String,
    href: String,
    /// The deadline rules that apply to it, in words, with their articles.
    limits: Vec<String>,
    entries: Vec<Entry>,
}

/// `catalog.html`
#[derive(Serialize)]
struct CatalogPage {
    groups: Vec<Group>,
    /// 已删除的文件: documents once published and no longer in the content, with their
    /// archived versions (第十二条(三)(五)).
    removed: Vec<Removed>,
}

/// What a unit's catalogue lists of one group, kept for the portal's catalogue (counts only:
/// small enough to keep for every unit of a province-sized portal).
pub(in crate::render) struct CatalogCount {
    /// The document kind, or the page's own name (`request`).
    pub(in crate::render) kind: String,
    pub(in crate::render) title: String,
    /// Entries published: the documents of a folder, or the required items of a single document
    /// that are complete.
    pub(in crate::render) published: u32,
    /// Entries listed (for a single document: the items its packs require).
    pub(in crate::render) listed: u32,
    /// A folder of documents (notices), not a single document.
    pub(in crate::render) collection: bool,
}

pub(super) fn build(cx: &mut UnitCx<'_, '_>, b: &Built) -> Result<()> {
    let rules = applicable(cx.unit, &cx.r.site.packs);
    let passed: HashMap<&str, bool> = cx.result.rules.iter().map(|o| (&*o.rule, o.status == Status::Passed)).collect();
    let groups: Vec<Group> = cx
        .contents
        .iter()
        .filter(|c| c.path != b.path && c.kind != "guide")
        .map(|c| group(cx, b, c, &rules, &passed))
        .collect();
    cx.catalog = groups
        .iter()
        .map(|g| CatalogCount {
            kind: g.id.clone(),
            title: g.title.clone(),
            published: g.entries.iter().filter(|e| e.published).count() as u32,
            listed: g.entries.len() as u32,
            collection: cx.spec(&g.id).is_some_and(|s| s.is_collection()) || g.id == super::desk::KIND,
        })
        .collect();
    let updated = cx.unit.docs.iter().filter_map(|d| view::date(d.data.as_ref(), "updated")).max();
    let removed = removed(cx)?;
    cx.main_page(b, updated, &CatalogPage { groups, removed })
}

/// The unit's documents the archive holds versions of that are no longer published (not those
/// withheld under 第六条: their old versions are not republished either), each version
/// published beside the page it was.
fn removed(cx: &mut UnitCx<'_, '_>) -> Result<Vec<Removed>> {
    let archive = cx.r.archive.clone();
    let site = cx.r.site;
    let dir = format!("{}/", cx.unit.dir);
    let page_of = |source: &str| cx.paths.published(source.strip_prefix(&dir).unwrap_or(source), site);
    let current: HashSet<String> = cx
        .unit
        .docs
        .iter()
        .filter(|d| cx.spec(&d.kind).is_some_and(|s| s.is_collection()))
        .map(|d| cx.published_path(d))
        .chain(cx.result.withheld.iter().filter_map(|f| page_of(f)))
        .collect();
    let today = site.env.today.to_string();
    let mut out = Vec::new();
    for (path, versions) in archive.of_unit(&cx.unit.slug).filter(|(p, _)| !current.contains(*p)) {
        let Some(shown) = history(&archive.store, &cx.paths.page("catalog.html"), path, versions, None, &today) else {
            continue;
        };
        let mut title = None;
        for v in versions.iter().filter(|v| archive.store.holds(&v.hash)) {
            title = cx.version(&archive, path, v)?.or(title);
        }
        let title = title.unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path).trim_end_matches(".html").into());
        out.push(Removed { title, versions: shown.versions });
    }
    Ok(out)
}

/// A group's 依据 (the articles the packs' required items of the kind cite, else the page's
/// clause under the site's measure) and its 时限 (the deadline rules that apply to it, in words).
pub(in crate::render) fn basis_and_limits(
    site: &crate::model::Site,
    rules: &[(&crate::pack::Pack, &Rule)],
    kind: &str,
    clause: Option<&str>,
) -> (String, Vec<String>) {
    let of_kind = |r: &Rule| r.kind() == Some(kind);
    let spec = site.schema.doc(kind);
    // a page of its own (依申请公开) is no document: no deadline applies to it
    let limits = rules
        .iter()
        .filter(|_| spec.is_some())
        .filter(|(_, r)| of_kind(r) || r.target == Target::AllDocuments)
        .filter(|(_, r)| matches!(r.check, Check::Within { .. } | Check::Ahead { .. } | Check::Cadence { .. }))
        .map(|(_, r)| format!("{}（{}）", r.title, r.cited))
        .collect();
    let mut cited: Vec<&str> = Vec::new();
    for (_, r) in rules.iter().filter(|(_, r)| required(r, kind)) {
        if !cited.contains(&&*r.cited) {
            cited.push(&r.cited);
        }
    }
    let measure = site.packs.first().map(|p| p.title.as_str()).unwrap_or_default();
    let basis = match (cited.is_empty(), clause) {
        (false, _) => cited.join("、"),
        (true, Some(clause)) => format!("《{measure}》{clause}"),
        (true, None) => String::new(),
    };
    (basis, limits)
}

/// An item rule of the kind whose absence is an error: what the catalogue lists of a document.
fn required(r: &Rule, kind: &str) -> bool {
    r.kind() == Some(kind) && r.check.item().is_some() && r.severity == crate::finding::Severity::Error
}

fn group(
    cx: &UnitCx<'_, '_>,
    b: &Built,
    c: &Content,
    rules: &[(&crate::pack::Pack, &Rule)],
    passed: &HashMap<&str, bool>,
) -> Group {
    let spec = cx.spec(&c.kind);
    let page = href(&b.path, &c.path);
    // a document of a folder is published under the articles its item rules cite (every
    // applicable pack, with its measure); a page of its own under the clause of its row
    let (basis, limits) = basis_and_limits(cx.r.site, rules, &c.kind, c.clause.as_deref());
    let entries = if spec.is_some_and(|s| s.is_collection()) {
        cx.unit
            .docs_of(&c.kind)
            .map(|doc| Entry {
                item: view::doc_title(doc),
                href: href(&b.path, &cx.published_path(doc)),
                basis: basis.clone(),
                updated: view::date(doc.data.as_ref(), "updated").or_else(|| view::date(doc.data.as_ref(), "date")),
                published: true,
            })
            .collect()
    } else if spec.is_some() {
        // a single document: each item the site's packs require of it
        let updated = cx.updated_of(&c.kind);
        rules
            .iter()
            .filter(|(_, r)| required(r, &c.kind))
            .map(|(_, r)| Entry {
                item: r.title.to_string(),
                href: page.clone(),
                basis: r.cited.to_string(),
                updated: updated.clone(),
                published: passed.get(&*r.id).copied().unwrap_or(false),
            })
            .collect()
    } else if c.kind == super::desk::KIND {
        // 评议结果: one entry per campaign, a document published, not an item required, under
        // the clause the content model gives the campaign files
        let basis = cx.spec(crate::evaluation::KIND).map_or(basis, |s| s.clause.clone());
        super::desk::campaigns_listed(cx.unit)
            .into_iter()
            .map(|(id, name, updated)| Entry {
                item: name,
                href: format!("{page}#campaign-{id}"),
                basis: basis.clone(),
                updated,
                published: true,
            })
            .collect()
    } else {
        // a page of its own (依申请公开)
        vec![Entry { item: c.title.clone(), href: page.clone(), basis, updated: None, published: true }]
    };
    Group { id: c.kind.clone(), title: c.title.clone(), href: page, limits, entries }
}
