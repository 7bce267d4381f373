//! 第五条(三), (四), (六) and 第十一条: the single-file documents shown as tables — fees, service
//! commitments, supervision and complaint channels — one page each.

use serde::Serialize;

use super::{Built, UnitCx};
use crate::error::Result;
use crate::render::view::{self, Commitments, Fees, Supervision};

/// `fees.html`
#[derive(Serialize)]
struct FeesPage {
    fees: Fees,
}

/// `commitments.html`
#[derive(Serialize)]
struct CommitmentsPage {
    commitments: Commitments,
}

/// `supervision.html`
#[derive(Serialize)]
struct SupervisionPage {
    supervision: Supervision,
    /// The clauses its two sections answer (supervision channels and supervisors; complaint
    /// handling), as the site's measure cites them.
    supervise_clause: Option<String>,
    complaints_clause: Option<String>,
}

pub(super) fn fees(cx: &mut UnitCx<'_, '_>, b: &Built) -> Result<()> {
    let view = FeesPage { fees: view::fees(cx.unit, cx.schema()) };
    page(cx, b, &view)
}

pub(super) fn commitments(cx: &mut UnitCx<'_, '_>, b: &Built) -> Result<()> {
    let view = CommitmentsPage { commitments: view::commitments(cx.unit, cx.schema()) };
    page(cx, b, &view)
}

pub(super) fn supervision(cx: &mut UnitCx<'_, '_>, b: &Built) -> Result<()> {
    let clause = |field: &str| cx.r.clauses.get(&format!("{}.{field}", b.kind)).cloned();
    let view = SupervisionPage {
        supervision: view::supervision(cx.unit, cx.schema()),
        supervise_clause: clause("phone"),
        complaints_clause: clause("complaint_phone"),
    };
    page(cx, b, &view)
}

/// The page of a single-file document, dated by the document's update.
fn page(cx: &mut UnitCx<'_, '_>, b: &Built, view: &impl Serialize) -> Result<()> {
    cx.main_page(b, cx.updated_of(b.kind), view)
}
