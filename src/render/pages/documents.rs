//! The documents a rule pack adds to the content model (a transit company's `routes/`), shown
//! generically: each field under its Chinese name. A folder gets a page per document and a list;
//! a single file gets one page. A unit without the document has none of its pages.

use serde::Serialize;

use super::{Built, UnitCx};
use crate::error::Result;
use crate::render::paths::href;
use crate::render::view::{self, DocHead, Extra, Link};

/// `document.html`
#[derive(Serialize, Default)]
struct DocumentPage {
    /// The document's fields, each under its Chinese name.
    extras: Vec<Extra>,
    /// Its Markdown body.
    body_html: String,
    /// On the list page of a folder: its documents.
    documents: Vec<Link>,
    /// On a document's own page: its header block (索引号, 发布机构, dates).
    head: Option<DocHead>,
}

pub(super) fn build(cx: &mut UnitCx<'_, '_>, b: &Built) -> Result<()> {
    let Some(spec) = cx.spec(b.kind) else { return Ok(()) };
    if !spec.is_collection() {
        let Some(doc) = cx.unit.doc(b.kind) else { return Ok(()) };
        let view =
            DocumentPage { extras: view::extras(doc.data.as_ref(), &spec.fields, &["updated"]), ..Default::default() };
        return cx.main_page(b, cx.updated_of(b.kind), &view);
    }
    let mut documents = Vec::new();
    for doc in cx.unit.docs_of(b.kind) {
        let path = cx.published_path(doc);
        let data = doc.data.as_ref();
        let view = DocumentPage {
            extras: view::extras(data, &spec.fields, &["title", "updated", "date", "written", "number", "status"]),
            body_html: cx.markdown(doc, &path),
            documents: Vec::new(),
            head: Some(view::doc_head(data, cx.unit.name(), cx.index_number(doc))),
        };
        let title = view::doc_title(doc);
        cx.item_page(b, b.template, (&path, &title), view::date(data, "updated"), &view)?;
        documents.push(Link { label: title, href: href(&b.path, &path), current: false });
    }
    if documents.is_empty() {
        return Ok(());
    }
    documents.sort_by(|a, b| a.label.cmp(&b.label));
    cx.main_page(b, None, &DocumentPage { documents, ..Default::default() })
}
