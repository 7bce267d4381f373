//! The unit's 公开指南 (disclosure guide): what the unit publishes and under which clause, where
//! and how to get it, how to ask for what is not published, and where to complain. Built only
//! from the unit's own content and the page table, so it never drifts from what is published;
//! dated by the newest date of the unit's documents.

use serde::Serialize;

use super::{Built, UnitCx};
use crate::error::Result;
use crate::render::paths::href;
use crate::render::view::{self, Overview, Supervision};

/// One family of published content, as the guide lists it.
#[derive(Serialize)]
struct Published {
    /// The family's title (`收费项目`).
    label: String,
    /// Link to its page.
    href: String,
    /// The clauses it answers, when the site's measure cites them.
    clause: Option<String>,
    /// How many documents the unit has of it (a folder: services, notices); `None` for one page.
    count: Option<usize>,
    /// What one document is called (事项, 通知).
    item: Option<String>,
}

/// `guide.html`
#[derive(Serialize)]
struct GuidePage {
    overview: Overview,
    supervision: Supervision,
    /// Every family of the unit's navigation but the guide itself, in order.
    published: Vec<Published>,
    /// Links to the request page and the supervision page.
    request: String,
    complaints: String,
}

pub(super) fn build(cx: &mut UnitCx<'_, '_>, b: &Built) -> Result<()> {
    let published = cx
        .contents
        .iter()
        .filter(|c| c.path != b.path)
        .map(|c| {
            let spec = cx.spec(&c.kind).filter(|s| s.is_collection());
            Published {
                label: c.title.clone(),
                href: href(&b.path, &c.path),
                clause: c.clause.clone(),
                count: spec.map(|_| cx.unit.docs_of(&c.kind).count()),
                item: spec.and_then(|s| s.item.clone()),
            }
        })
        .collect();
    let view = GuidePage {
        overview: view::overview(cx.unit, cx.schema()),
        supervision: view::supervision(cx.unit, cx.schema()),
        published,
        request: href(&b.path, &cx.paths.page("request.html")),
        complaints: href(&b.path, &cx.paths.page("supervision.html")),
    };
    cx.main_page(b, super::newest_of(cx.unit), &view)
}
