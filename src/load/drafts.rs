//! Drafts (`草稿: true` in a Markdown document's front matter): part of loading a unit. A draft
//! is set aside from the unit's documents (`Unit::drafts`), so that nothing downstream — the
//! rules, the pages, the lists, feeds, open data, the search index, the sitemaps and the
//! publication record — ever sees it; `serve --drafts` keeps it among them to show it. Either
//! way `check` names it in a note, so that nobody forgets one.

use crate::finding::{Finding, Kind, Severity};
use crate::model::Doc;
use crate::schema::DRAFT;

/// The note that names a draft, at its `草稿` line; `shown` in a preview that shows drafts.
pub(super) fn note(doc: &Doc, shown: bool) -> Finding {
    let entry = doc.data.as_ref().and_then(|d| d.as_map()).and_then(|m| m.iter().find(|e| e.key == DRAFT));
    // the front matter's positions are the file's (see `load::file`)
    let pos = entry.map(|e| e.key_pos);
    let written = entry.map_or("草稿", |e| e.written.as_str());
    let message = if shown {
        format!("草稿「{}」：只在预览中显示，生成网站时不会发布", doc.name())
    } else {
        format!("草稿「{}」，不会发布", doc.name())
    };
    Finding::builtin(Kind::Draft, Severity::Note, &doc.path, pos, message)
        .with_title("草稿")
        .with_help(format!("定稿后删掉「{written}: true」这一行（或改成 false），它就会随网站发布"))
}
