//! The base of rendering: the `Renderer` (site, theme, sink and what every page cites), the
//! values every template sees (`site`, `page`), and writing one page from its typed view. The
//! unit pages (`pages`), the portal (`portal`) and the whole-site run (`run`) build on it.
//!
//! Each page goes to the sink as soon as it is rendered, so the whole site never sits in memory.
//! Output depends only on the input: no clock, sorted everything.

use std::collections::BTreeMap;

use serde::Serialize;

use super::links::{PageFacts, ids_of};
use super::paths::{absolute, href};
use super::theme::Theme;
use super::view::{DateView, Link};
use crate::error::Result;
use crate::model::Site;
use crate::output::Sink;

/// Site-wide values every template sees as `site`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SiteView {
    pub title: String,
    pub base_url: Option<String>,
    /// Relative link from the current page to the portal home.
    pub home: String,
    /// Relative link to the stylesheet.
    pub stylesheet: String,
    /// Relative link to the script that keeps the reading settings (大字, 高对比度) from page to
    /// page in the reader's own browser; none where the theme's static files are not beside the page.
    pub script: Option<String>,
    /// Title of the first rule pack: the measure the site publishes under.
    pub measure: String,
    /// That measure's source, whose articles pages cite (`source.remedy`: 第十条 in Baiyin's).
    pub source: Option<crate::pack::Source>,
    /// The footer's facts from `gongkai.yaml`.
    pub footer: crate::config::FooterConfig,
    /// The record of the 公安机关备案号 in the MPS filing system.
    pub police_href: Option<String>,
    /// Relative link to the accessibility statement (none on the report).
    pub accessibility: Option<String>,
    /// Relative link to the search page, when the site has one.
    pub search: Option<String>,
}

impl SiteView {
    /// The site-wide values for a page at `path` (relative links start from it).
    pub(super) fn new(site: &Site, title: &str, path: &str) -> SiteView {
        SiteView::of_site(site, title).at(path)
    }

    /// The values that are the same on every page; `at` adds the relative links.
    fn of_site(site: &Site, title: &str) -> SiteView {
        let footer = site.config.footer.publishable();
        let digits: String = footer.police.iter().flat_map(|p| p.chars()).filter(char::is_ascii_digit).collect();
        SiteView {
            title: title.to_string(),
            base_url: None,
            home: String::new(),
            stylesheet: String::new(),
            script: None,
            measure: site.packs.first().map(|p| p.title.clone()).unwrap_or_default(),
            source: site.packs.first().map(|p| p.source.clone()),
            footer,
            police_href: (!digits.is_empty())
                .then(|| format!("https://beian.mps.gov.cn/#/query/webSearch?code={digits}")),
            accessibility: None,
            search: site.config.search().then(String::new),
        }
    }

    /// These values, with the links of a page at `path`.
    fn at(&self, path: &str) -> SiteView {
        SiteView {
            home: href(path, "index.html"),
            stylesheet: href(path, "static/style.css"),
            script: Some(href(path, "static/prefs.js")),
            accessibility: Some(href(path, ACCESSIBILITY)),
            search: self.search.as_ref().map(|_| href(path, SEARCH)),
            ..self.clone()
        }
    }
}

/// The search page's path (`search` holds the page and its index).
pub(super) const SEARCH: &str = "search.html";

/// The accessibility statement's path.
pub(super) const ACCESSIBILITY: &str = "accessibility.html";

/// The current page, as every template sees it as `page`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PageView {
    pub title: String,
    /// The clause the page answers (`第五条第(三)项`).
    pub clause: Option<String>,
    /// When its content was last updated.
    pub updated: Option<DateView>,
    /// Path of the page in the site (`jinding-school/fees.html`).
    pub path: String,
    /// `../` repeated to reach the site root.
    pub root: String,
    /// Absolute address, when `base_url` is set.
    pub url: Option<String>,
    /// The same address as people read it (Chinese, not percent-encoded), under the QR code.
    pub url_shown: Option<String>,
    /// A QR code (inline SVG) of `url`, for the printed notice.
    pub qr_svg: Option<String>,
    /// The page of a draft, shown only by `serve --drafts`: the theme marks it as one.
    pub draft: bool,
    pub breadcrumbs: Vec<Link>,
}

/// What every template sees: `site`, `page`, and its own view's fields.
#[derive(Serialize)]
struct Page<'v, V: Serialize> {
    site: &'v SiteView,
    page: &'v PageView,
    #[serde(flatten)]
    view: &'v V,
}

pub(super) struct Renderer<'a> {
    pub(super) site: &'a Site,
    pub(super) theme: &'a Theme,
    pub(super) sink: &'a dyn Sink,
    pub(super) title: String,
    pub(super) base_url: Option<String>,
    /// Per document kind (`fees`) and per field (`supervision.phone`), the clauses of the site's
    /// measure (its first pack) that its page or section answers, as the pack's item rules cite
    /// them: a site under another measure does not claim Baiyin's article numbers.
    pub(super) clauses: BTreeMap<String, String>,
    /// The stages of a major matter in order: those of the site's `lifecycle` rule, or 第四条's.
    pub(super) stage_order: Vec<String>,
    /// Whether the site has a search page and index (`search` in `gongkai.yaml`).
    pub(super) search: bool,
    /// What every page's `site` holds but its links, made once (see `site_view`).
    site_values: SiteView,
    /// The record's archive of document pages and their histories (历史版本), read once.
    pub(super) archive: std::sync::Arc<super::archive::Archive>,
}

/// What rendering reads of the publication record before the first page: its archive, with the
/// history of every page it holds (read from the entries as they stream by).
pub(crate) struct FromRecord {
    archive: std::sync::Arc<super::archive::Archive>,
}

impl FromRecord {
    /// Read from `site`'s record (which must be whole) and archive.
    pub(crate) fn of(site: &Site) -> Result<FromRecord> {
        let record = site.record()?;
        Ok(FromRecord { archive: std::sync::Arc::new(super::archive::Archive::of(site, record)?) })
    }
}

impl<'a> Renderer<'a> {
    pub(super) fn new(site: &'a Site, theme: &'a Theme, sink: &'a dyn Sink) -> Result<Self> {
        Ok(Renderer::with(site, theme, sink, FromRecord::of(site)?))
    }

    /// [`Renderer::new`], with what it reads of the record read already.
    pub(super) fn with(site: &'a Site, theme: &'a Theme, sink: &'a dyn Sink, from: FromRecord) -> Self {
        let title = site.config.title.clone().unwrap_or_else(|| "信息公开".to_string());
        let base_url =
            site.config.base_url.as_ref().map(|u| if u.ends_with('/') { u.clone() } else { format!("{u}/") });
        let site_values = SiteView { base_url: base_url.clone(), ..SiteView::of_site(site, &title) };
        Renderer {
            site,
            theme,
            sink,
            title,
            base_url,
            clauses: clauses(site),
            stage_order: stage_order(site),
            search: site.config.search(),
            site_values,
            archive: from.archive,
        }
    }

    /// The same renderer, writing into `sink` (the search index's tap on a unit's pages).
    pub(super) fn with_sink<'b>(&'b self, sink: &'b dyn Sink) -> Renderer<'b> {
        Renderer {
            site: self.site,
            theme: self.theme,
            sink,
            title: self.title.clone(),
            base_url: self.base_url.clone(),
            clauses: self.clauses.clone(),
            stage_order: self.stage_order.clone(),
            search: self.search,
            site_values: self.site_values.clone(),
            archive: self.archive.clone(),
        }
    }

    pub(super) fn site_view(&self, path: &str) -> SiteView {
        self.site_values.at(path)
    }

    pub(super) fn page_view(
        &self,
        path: &str,
        title: &str,
        clause: Option<&str>,
        updated: Option<DateView>,
        crumbs: Vec<(String, String)>,
    ) -> PageView {
        let url = self.base_url.as_ref().map(|b| absolute(b, path));
        let qr_svg = url.as_deref().and_then(super::qr::svg);
        let url_shown =
            url.as_deref().map(|u| percent_encoding::percent_decode_str(u).decode_utf8_lossy().into_owned());
        PageView {
            url_shown,
            title: title.to_string(),
            clause: clause.map(str::to_string),
            updated,
            path: path.to_string(),
            root: "../".repeat(path.matches('/').count()),
            url,
            qr_svg,
            draft: false,
            breadcrumbs: crumbs
                .into_iter()
                .map(|(label, to)| Link { current: to == path, href: href(path, &to), label })
                .collect(),
        }
    }

    /// Render one HTML page from its template's view and hand it to the sink; returns its
    /// facts for link checking.
    pub(super) fn html<V: Serialize>(&self, template: &str, page: PageView, view: &V) -> Result<PageFacts> {
        let html = self.render_html(template, &page, view)?;
        self.put_html(page, html)
    }

    /// Render one HTML page from its template's view, without writing it.
    pub(super) fn render_html<V: Serialize>(&self, template: &str, page: &PageView, view: &V) -> Result<String> {
        let site = self.site_view(&page.path);
        self.theme.render_view(template, &Page { site: &site, page, view })
    }

    /// Hand a rendered page to the sink; returns its facts for link checking.
    pub(super) fn put_html(&self, page: PageView, html: String) -> Result<PageFacts> {
        let ids = ids_of(&html);
        self.sink.put_page(&page.path, &html)?;
        Ok(PageFacts { path: page.path, ids, updated: page.updated.map(|d| d.iso), html: true })
    }

    /// [`Renderer::put_html`] for a document page, a version of which the record's archive
    /// keeps, compressed against `base` (see `output::ForArchive`).
    pub(super) fn put_document(
        &self,
        page: PageView,
        html: &str,
        base: Option<(&blake3::Hash, &[u8])>,
    ) -> Result<PageFacts> {
        let ids = ids_of(html);
        let archived = |hash: &blake3::Hash| self.archive.store.contains(hash.to_hex().as_str());
        self.sink.put_document(&page.path, html, &crate::output::ForArchive { archived: &archived, base })?;
        Ok(PageFacts { path: page.path, ids, updated: page.updated.map(|d| d.iso), html: true })
    }
}

/// See `Renderer::clauses`.
fn clauses(site: &Site) -> BTreeMap<String, String> {
    let mut cited: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let rules = site.packs.first().map(|p| p.rules.as_slice()).unwrap_or_default();
    for r in rules.iter().filter(|r| r.check.item().is_some()) {
        let Some(kind) = r.kind() else { continue };
        let keys = [Some(kind.to_string()), r.field.as_ref().map(|f| format!("{kind}.{f}"))];
        for key in keys.into_iter().flatten() {
            let cites = cited.entry(key).or_default();
            if !cites.contains(&&*r.citation) {
                cites.push(&r.citation);
            }
        }
    }
    cited.into_iter().map(|(kind, c)| (kind, c.join("、"))).collect()
}

/// See `Renderer::stage_order`.
fn stage_order(site: &Site) -> Vec<String> {
    let mut rules = site.packs.iter().flat_map(|p| &p.rules);
    rules
        .find_map(|r| match &r.check {
            crate::pack::Check::Lifecycle { stages, .. } => Some(stages.clone()),
            _ => None,
        })
        .unwrap_or_else(|| ["决策前", "实施中", "结果"].map(String::from).to_vec())
}
