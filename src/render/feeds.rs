//! Atom feeds of notices, and sitemaps: plain functions of their entries.

use serde::Serialize;
use tera::Context;

use super::paths::{absolute, encode_path};
use super::theme::Theme;
use super::view;
use crate::error::Result;

#[derive(Serialize)]
struct Feed<'a> {
    title: &'a str,
    id: String,
    link: Option<String>,
    self_link: Option<String>,
    updated: String,
    entries: Vec<FeedEntry>,
}

#[derive(Serialize, Clone)]
pub(super) struct FeedEntry {
    title: String,
    id: String,
    link: Option<String>,
    updated: String,
    category: String,
    author: String,
    summary_html: String,
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

/// A unit feed's entry: the notice with its text. `base` is the site's address, if known.
pub(super) fn notice_entry(base: Option<&str>, path: &str, n: &view::Notice, unit_name: &str) -> FeedEntry {
    FeedEntry {
        title: n.title.clone(),
        id: absolute_or_tag(base, path),
        link: base.map(|b| absolute(b, path)),
        updated: n.updated.as_ref().or(n.date.as_ref()).map_or_else(|| "2000-01-01".into(), |d| d.iso.clone()),
        category: n.category.clone(),
        author: unit_name.to_string(),
        summary_html: n.body_html.clone(),
    }
}

/// A portal feed entry, without the notice's text.
pub(super) fn portal_entry(base: Option<&str>, n: &NoticeRef, unit_name: &str) -> FeedEntry {
    FeedEntry {
        title: n.title.clone(),
        id: absolute_or_tag(base, &n.path),
        link: base.map(|b| absolute(b, &n.path)),
        updated: n.updated.clone(),
        category: n.category.clone(),
        author: unit_name.to_string(),
        summary_html: String::new(),
    }
}

/// An entry's permanent id: its address, or a `urn:` of its path when the address is unknown.
fn absolute_or_tag(base: Option<&str>, path: &str) -> String {
    match base {
        Some(b) => absolute(b, path),
        None => format!("urn:gongkai:{}", encode_path(path)),
    }
}

/// The Atom feed at `path` (the page it stands for: `alternate`), newest entries first.
pub(super) fn feed(
    theme: &Theme,
    base: Option<&str>,
    title: &str,
    path: &str,
    alternate: &str,
    mut entries: Vec<FeedEntry>,
) -> Result<String> {
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
    let updated = entries.first().map_or_else(|| "2000-01-01".to_string(), |e| e.updated.clone());
    let feed = Feed {
        title,
        id: absolute_or_tag(base, path),
        link: base.map(|b| absolute(b, alternate)),
        self_link: base.map(|b| absolute(b, path)),
        updated,
        entries,
    };
    let mut cx = Context::new();
    cx.insert("feed", &feed);
    theme.render("atom.xml", &cx)
}

/// A sitemap of `urls`.
pub(super) fn sitemap(theme: &Theme, urls: &[SitemapUrl]) -> Result<String> {
    let mut cx = Context::new();
    cx.insert("urls", urls);
    theme.render("sitemap.xml", &cx)
}

/// A sitemap index of `sitemaps` (absolute addresses).
pub(super) fn sitemap_index(theme: &Theme, sitemaps: &[String]) -> Result<String> {
    let mut cx = Context::new();
    cx.insert("sitemaps", sitemaps);
    theme.render("sitemap-index.xml", &cx)
}
