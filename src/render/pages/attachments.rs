//! Attachments: a Markdown form becomes a printable page, any other file is copied as it is.
//! Never HTML, SVG or scripts, which would run from the site's own address (`load` already
//! leaves them out and reports them; this holds even for a unit built some other way).

use serde::Serialize;

use super::{Built, Head, UnitCx};
use crate::error::Result;
use crate::render::links::PendingLink;
use crate::render::markdown;
use crate::render::paths::attachment_path;

/// `attachment.html`
#[derive(Serialize)]
struct AttachmentPage {
    body_html: String,
}

pub(super) fn build(cx: &mut UnitCx<'_, '_>, b: &Built) -> Result<()> {
    let unit = cx.unit;
    for rel in unit.attachments.iter().filter(|rel| !crate::extract::refused_by_name(rel)) {
        let src = cx.r.site.root.join(&unit.dir).join(rel);
        let target = cx.paths.page(&attachment_path(rel));
        if !rel.ends_with(".md") {
            if let Ok(bytes) = crate::input::read_regular(&src, crate::load::MAX_ATTACHMENT_BYTES) {
                cx.file(target, &bytes)?;
            }
            continue;
        }
        let Some(text) =
            crate::input::read_regular(&src, crate::load::MAX_FILE_BYTES).ok().and_then(|b| String::from_utf8(b).ok())
        else {
            continue;
        };
        let source = format!("{}/{rel}", unit.dir);
        let rendered = markdown::render(&text, 1, &|d| cx.rewrite(rel, &target, d));
        let title = first_heading(&text)
            .unwrap_or_else(|| rel.rsplit('/').next().unwrap_or(rel).trim_end_matches(".md").to_string());
        cx.links.extend(rendered.links.iter().map(|l| PendingLink::new(&unit.slug, &source, &target, l)));
        let crumbs = vec![(title.clone(), target.clone())];
        let head = Head { path: &target, title: &title, clause: b.clause.as_deref(), updated: None, crumbs };
        cx.page(b.template, head, &AttachmentPage { body_html: rendered.html })?;
    }
    Ok(())
}

/// The first `# heading` of a Markdown text.
fn first_heading(text: &str) -> Option<String> {
    text.lines().find_map(|l| l.strip_prefix("# ")).map(|h| h.trim().to_string())
}
