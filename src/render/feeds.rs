//! Atom feeds of notices and the sitemap.

use serde::Serialize;
use tera::Context;

use super::paths::{absolute, encode_path};
use super::site::Renderer;
use super::view;
use crate::error::Result;

#[derive(Serialize)]
pub(super) struct Feed {
    title: String,
    id: String,
    link: Option<String>,
    self_link: Option<String>,
    updated: String,
    entries: Vec<FeedEntry>,
}

#[derive(Serialize, Clone)]
pub(super) struct FeedEntry {
    pub(super) title: String,
    pub(super) id: String,
    pub(super) link: Option<String>,
    pub(super) updated: String,
    pub(super) category: String,
    pub(super) author: String,
    pub(super) summary_html: String,
}

/// A notice, as the portal feed needs it: kept for every unit, so small.
#[derive(Clone)]
pub(super) struct NoticeRef {
    pub(super) title: String,
    pub(super) path: String,
    pub(super) updated: String,
    pub(super) category: String,
}

#[derive(Serialize)]
pub(super) struct SitemapUrl {
    pub(super) loc: String,
    pub(super) lastmod: Option<String>,
}

impl Renderer<'_> {
    pub(super) fn feed_entry(&self, path: &str, n: &view::Notice, unit_name: &str) -> FeedEntry {
        FeedEntry {
            title: n.title.clone(),
            id: self.absolute_or_tag(path),
            link: self.base_url.as_ref().map(|b| absolute(b, path)),
            updated: n.updated.as_ref().or(n.date.as_ref()).map_or_else(|| "2000-01-01".into(), |d| d.iso.clone()),
            category: n.category.clone(),
            author: unit_name.to_string(),
            summary_html: n.body_html.clone(),
        }
    }

    /// A portal feed entry, without the notice's text.
    pub(super) fn feed_entry_ref(&self, n: &NoticeRef, unit_name: &str) -> FeedEntry {
        FeedEntry {
            title: n.title.clone(),
            id: self.absolute_or_tag(&n.path),
            link: self.base_url.as_ref().map(|b| absolute(b, &n.path)),
            updated: n.updated.clone(),
            category: n.category.clone(),
            author: unit_name.to_string(),
            summary_html: String::new(),
        }
    }

    pub(super) fn absolute_or_tag(&self, path: &str) -> String {
        match &self.base_url {
            Some(b) => absolute(b, path),
            None => format!("urn:gongkai:{}", encode_path(path)),
        }
    }

    pub(super) fn feed(&self, title: &str, path: &str, alternate: &str, mut entries: Vec<FeedEntry>) -> Result<String> {
        entries.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
        let updated = entries.first().map_or_else(|| "2000-01-01".to_string(), |e| e.updated.clone());
        let mut cx = Context::new();
        cx.insert(
            "feed",
            &Feed {
                title: title.to_string(),
                id: self.absolute_or_tag(path),
                link: self.base_url.as_ref().map(|b| absolute(b, alternate)),
                self_link: self.base_url.as_ref().map(|b| absolute(b, path)),
                updated,
                entries,
            },
        );
        self.theme.render("atom.xml", &cx)
    }
}
