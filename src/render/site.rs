//! Every page of a site: the portal, each unit's pages, feeds, open data, the sitemap; then the
//! internal links of every Markdown body are checked against what was written.
//!
//! Units render in parallel; each page goes to the sink as soon as it is rendered, so the whole
//! site never sits in memory. Output depends only on the input: no clock, sorted everything.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use super::feeds::SitemapUrl;
use super::links::{PageFacts, check_links, ids_of};
use super::paths::{UnitPaths, absolute, href};
use super::theme::Theme;
use super::unit_pages::UnitPages;
use super::view::{self, DateView, Link, SectorGroup, UnitCard};
use crate::check::CheckResult;
use crate::error::Result;
use crate::finding::Finding;
use crate::load::Site;
use crate::output::Sink;

/// What rendering produced besides the files.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Broken internal links, as findings on the Markdown that holds them.
    pub findings: Vec<Finding>,
    /// Files written.
    pub files: usize,
}

/// Site-wide values every template sees as `site`.
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    pub title: String,
    pub base_url: Option<String>,
    /// Relative link from the current page to the portal home.
    pub home: String,
    /// Relative link to the stylesheet.
    pub stylesheet: String,
    /// Title of the first rule pack: the measure the site publishes under.
    pub measure: String,
}

/// The current page, as every template sees it as `page`.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
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
    /// A QR code (inline SVG) of `url`, for the printed notice.
    pub qr_svg: Option<String>,
    pub breadcrumbs: Vec<Link>,
}

pub(super) struct Renderer<'a> {
    pub(super) site: &'a Site,
    pub(super) result: &'a CheckResult,
    pub(super) theme: &'a Theme,
    pub(super) sink: &'a dyn Sink,
    pub(super) title: String,
    pub(super) base_url: Option<String>,
}

pub fn render_site(
    site: &Site,
    result: &CheckResult,
    theme: &Theme,
    sink: &dyn Sink,
    tick: &(dyn Fn() + Sync),
) -> Result<Rendered> {
    let r = Renderer {
        site,
        result,
        theme,
        sink,
        title: site.config.title.clone().unwrap_or_else(|| "信息公开".to_string()),
        base_url: site.config.base_url.as_ref().map(|u| if u.ends_with('/') { u.clone() } else { format!("{u}/") }),
    };
    let per_unit: Vec<Result<UnitPages>> = site
        .units
        .par_iter()
        .map(|unit| {
            let out = r.unit(unit);
            tick();
            out
        })
        .collect();
    let mut facts = Vec::new();
    let mut links = Vec::new();
    let mut files = 0;
    for unit in per_unit {
        let unit = unit?;
        facts.extend(unit.facts);
        links.extend(unit.links);
        files += unit.files;
    }
    facts.push(r.portal()?);
    files += 1 + r.site_files()?;
    let mut findings = check_links(&facts, &links, &r.all_files(&facts));
    crate::finding::sort(&mut findings);
    Ok(Rendered { findings, files })
}

impl Renderer<'_> {
    pub(super) fn site_view(&self, path: &str) -> SiteView {
        SiteView {
            title: self.title.clone(),
            base_url: self.base_url.clone(),
            home: href(path, "index.html"),
            stylesheet: href(path, "static/style.css"),
            measure: self.site.packs.first().map(|p| p.title.clone()).unwrap_or_default(),
        }
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
        let qr_svg = url.as_deref().and_then(qr_svg);
        PageView {
            title: title.to_string(),
            clause: clause.map(str::to_string),
            updated,
            path: path.to_string(),
            root: "../".repeat(path.matches('/').count()),
            url,
            qr_svg,
            breadcrumbs: crumbs
                .into_iter()
                .map(|(label, to)| Link { current: to == path, href: href(path, &to), label })
                .collect(),
        }
    }

    /// Render one HTML page and hand it to the sink; returns its facts for link checking.
    pub(super) fn html(&self, template: &str, page: PageView, fill: impl FnOnce(&mut Context)) -> Result<PageFacts> {
        let mut cx = Context::new();
        cx.insert("site", &self.site_view(&page.path));
        fill(&mut cx);
        let path = page.path.clone();
        cx.insert("page", &page);
        let html = self.theme.render(template, &cx)?;
        let ids = ids_of(&html);
        self.sink.put(&path, html.as_bytes())?;
        Ok(PageFacts { path, ids })
    }

    fn portal(&self) -> Result<PageFacts> {
        let path = "index.html";
        let mut groups: BTreeMap<String, Vec<UnitCard>> = BTreeMap::new();
        let order: HashMap<&str, usize> =
            self.site.schema.sectors.iter().enumerate().map(|(i, s)| (s.zh.as_str(), i)).collect();
        for unit in &self.site.units {
            let r = self.result.units.iter().find(|u| u.slug == unit.slug);
            let latest = unit.docs_of("notices").filter_map(|d| view::date(d.data.as_ref(), "date")).max();
            groups.entry(view::sector_name(unit, &self.site.schema)).or_default().push(UnitCard {
                slug: unit.slug.clone(),
                name: unit.name().to_string(),
                href: href(path, &format!("{}/index.html", unit.slug)),
                score: r.map_or(0, |r| r.score),
                grade: r.map_or("", |r| r.grade.zh()).to_string(),
                errors: r.map_or(0, |r| r.errors),
                notices: unit.docs_of("notices").count(),
                latest,
            });
        }
        let mut sectors: Vec<SectorGroup> =
            groups.into_iter().map(|(name, units)| SectorGroup { name, units }).collect();
        sectors.sort_by_key(|g| order.get(g.name.as_str()).copied().unwrap_or(usize::MAX));
        let newest = self
            .site
            .units
            .iter()
            .flat_map(|u| u.docs.iter())
            .filter_map(|d| view::date(d.data.as_ref(), "updated").or_else(|| view::date(d.data.as_ref(), "date")))
            .max();

        let p = self.page_view(path, &self.title, None, newest, vec![("首页".into(), path.into())]);
        self.html("portal.html", p, |cx| {
            cx.insert("sectors", &sectors);
            cx.insert("unit_count", &self.site.units.len());
            cx.insert("feed", "atom.xml");
        })
    }

    /// Files every site has: static files, 404 page, portal feed, sitemap. Returns how many.
    fn site_files(&self) -> Result<usize> {
        let mut n = 0;
        for (name, bytes) in &self.theme.statics {
            self.sink.put(&format!("static/{name}"), bytes)?;
            n += 1;
        }
        // the 404 page is served at any depth: absolute links when the address is known
        let mut cx = Context::new();
        let mut site = self.site_view("404.html");
        // The 404 page is served for a missing path at any depth, so its links start from the
        // site's root path (the path part of base_url, `/` without one): same host, never another.
        let root_path = self
            .base_url
            .as_deref()
            .and_then(|b| b.split_once("://"))
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
            .unwrap_or_else(|| "/".to_string());
        site.home = root_path.clone();
        site.stylesheet = format!("{root_path}static/style.css");

        cx.insert("site", &site);
        cx.insert("page", &self.page_view("404.html", "找不到这个页面", None, None, Vec::new()));
        self.sink.put("404.html", self.theme.render("404.html", &cx)?.as_bytes())?;

        let mut entries = Vec::new();
        for unit in &self.site.units {
            for doc in unit.docs_of("notices") {
                let data = doc.data.as_ref();
                let path = format!("{}/notices/{}.html", unit.slug, doc.stem);
                let notice = view::Notice {
                    title: view::doc_title(doc),
                    href: String::new(),
                    category: view::text(data, "category"),
                    date: view::date(data, "date"),
                    effective: None,
                    body_html: String::new(),
                    updated: view::date(data, "updated").or_else(|| view::date(data, "date")),
                    extras: Vec::new(),
                };
                entries.push(self.feed_entry(&path, &notice, unit.name()));
            }
        }
        entries.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
        entries.truncate(100);
        self.sink.put("atom.xml", self.feed(&self.title, "atom.xml", "index.html", entries)?.as_bytes())?;
        n += 2;
        if let Some(base) = &self.base_url {
            let mut urls = vec![SitemapUrl { loc: base.clone(), lastmod: None }];
            for unit in &self.site.units {
                let paths = UnitPaths { unit };
                let mut pages = vec![
                    ("index.html".to_string(), "unit"),
                    ("services.html".to_string(), ""),
                    ("fees.html".to_string(), "fees"),
                    ("commitments.html".to_string(), "commitments"),
                    ("notices.html".to_string(), ""),
                    ("supervision.html".to_string(), "supervision"),
                    ("request.html".to_string(), ""),
                ];
                for doc in unit.docs.iter().filter(|d| self.site.schema.doc(&d.kind).is_some_and(|s| s.is_collection()))
                {
                    pages.push((format!("{}/{}.html", doc.kind, doc.stem), ""));
                }
                for (page, kind) in pages {
                    let lastmod = unit.doc(kind).and_then(|d| view::date(d.data.as_ref(), "updated")).map(|d| d.iso);
                    urls.push(SitemapUrl { loc: absolute(base, &paths.page(&page)), lastmod });
                }
            }
            let mut cx = Context::new();
            cx.insert("urls", &urls);
            self.sink.put("sitemap.xml", self.theme.render("sitemap.xml", &cx)?.as_bytes())?;
            n += 1;
        }
        Ok(n)
    }

    fn all_files(&self, facts: &[PageFacts]) -> HashSet<String> {
        let mut all: HashSet<String> = facts.iter().map(|f| f.path.clone()).collect();
        for unit in &self.site.units {
            all.insert(format!("{}/data.json", unit.slug));
            all.insert(format!("{}/notices.xml", unit.slug));
        }
        for name in self.theme.statics.keys() {
            all.insert(format!("static/{name}"));
        }
        for extra in ["404.html", "atom.xml", "sitemap.xml"] {
            all.insert(extra.to_string());
        }
        all
    }
}

/// A QR code of `url` as inline SVG for the printed page.
///
/// Drawn in module units (the viewBox scales it) as one stroked path of horizontal runs, each
/// written relative to the previous one: about 2 KB, a fifth of qrcode's own SVG, which matters
/// when every page carries one.
fn qr_svg(url: &str) -> Option<String> {
    use std::fmt::Write as _;
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let size = width + 2 * quiet;
    let mut d = String::with_capacity(width * width / 2);
    for (y, row) in colors.chunks(width).enumerate() {
        let mut pen: Option<usize> = None; // where the previous run ended, on this row
        let mut x = 0;
        while x < width {
            if row[x] != qrcode::Color::Dark {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] == qrcode::Color::Dark {
                x += 1;
            }
            match pen {
                None => _ = write!(d, "M{} {}.5h{}", start + quiet, y + quiet, x - start),
                Some(end) => _ = write!(d, "m{} 0h{}", start - end, x - start),
            }
            pen = Some(x);
        }
    }
    Some(format!(
        "<svg role=\"img\" aria-label=\"本页网址二维码\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         width=\"164\" height=\"164\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path stroke=\"#000\" d=\"{d}\"/></svg>"
    ))
}

