//! 第五条(一): the unit's front page (its overview), and 第九条: the page on how to ask for what
//! is not published, built from the overview and the supervision channels.

use serde::Serialize;

use super::{Built, Head, UnitCx};
use crate::error::Result;
use crate::render::view::{self, Overview, Supervision};

/// `overview.html`
#[derive(Serialize)]
struct OverviewPage {
    overview: Overview,
}

/// `request.html`
#[derive(Serialize)]
struct RequestPage {
    overview: Overview,
    supervision: Supervision,
    /// The desk the application form posts to; `None`: no desk, no form.
    desk: Option<super::desk::DeskView>,
    /// The printable 申请表.
    form: String,
}

pub(super) fn build(cx: &mut UnitCx<'_, '_>, b: &Built) -> Result<()> {
    let view = OverviewPage { overview: view::overview(cx.unit, cx.schema()) };
    let head = Head {
        path: &b.path,
        title: cx.unit.name(),
        clause: b.clause.as_deref(),
        updated: cx.updated_of(b.kind),
        crumbs: Vec::new(),
    };
    cx.page(b.template, head, &view)
}

pub(super) fn request(cx: &mut UnitCx<'_, '_>, b: &Built) -> Result<()> {
    let view = RequestPage {
        overview: view::overview(cx.unit, cx.schema()),
        supervision: view::supervision(cx.unit, cx.schema()),
        desk: super::desk::desk_view(cx),
        form: crate::render::paths::href(&b.path, &cx.paths.page(super::desk::FORM_PAGE)),
    };
    let updated = [cx.updated_of("unit"), cx.updated_of("supervision")].into_iter().flatten().max();
    cx.main_page(b, updated, &view)?;
    super::desk::form_page(cx, b)
}
