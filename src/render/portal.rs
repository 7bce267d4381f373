//! The pages about all units: the portal home, the 404 page, the accessibility statement, the
//! portal feed, the sitemap index and the theme's static files. Built from each unit's summary
//! (`UnitPages`), after every unit is rendered.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use tera::Context;

use super::feeds::{self, FeedEntry, NoticeRef, SitemapUrl};
use super::pages::UnitPages;
use super::paths::{absolute, href};
use super::site::{ACCESSIBILITY, Renderer};
use super::view::{DateView, Link, SectorGroup, UnitCard};
use crate::check::CheckResult;
use crate::error::Result;

/// `accessibility.html`: the statement says what every page does; its contact is the footer's.
#[derive(Serialize)]
struct AccessibilityPage {}

/// `portal.html`
#[derive(Serialize)]
struct PortalPage {
    sectors: Vec<SectorGroup>,
    unit_count: usize,
    /// Link to the portal's feed.
    feed: &'static str,
}

impl Renderer<'_> {
    /// The portal home page, from every unit's summary. Returns the number of files written.
    pub(super) fn portal(&self, result: &CheckResult, units: &[&UnitPages]) -> Result<usize> {
        let path = "index.html";
        let mut groups: BTreeMap<&str, Vec<UnitCard>> = BTreeMap::new();
        let order: HashMap<&str, usize> =
            self.site.schema.sectors.iter().enumerate().map(|(i, s)| (s.zh.as_str(), i)).collect();
        for (u, r) in units.iter().zip(&result.units) {
            groups.entry(&u.sector).or_default().push(UnitCard {
                slug: r.slug.clone(),
                name: r.name.clone(),
                href: href(path, &format!("{}/index.html", r.slug)),
                required: r.completeness.required,
                published: r.completeness.published,
                flags: super::view::flags(r),
                errors: r.errors,
                notices: u.notices.len(),
                latest: u.latest.clone(),
            });
        }
        let mut sectors: Vec<SectorGroup> =
            groups.into_iter().map(|(name, units)| SectorGroup { name: name.to_string(), units }).collect();
        sectors.sort_by_key(|g| order.get(g.name.as_str()).copied().unwrap_or(usize::MAX));
        let newest = units.iter().filter_map(|u| u.newest.clone()).max();
        let p = self.page_view(path, &self.title, None, newest, vec![("首页".into(), path.into())]);
        let view = PortalPage { sectors, unit_count: units.len(), feed: "atom.xml" };
        self.html("portal.html", p, &view)?;
        Ok(1)
    }

    /// Files every site has: static files, 404 page, portal feed, sitemap. Returns how many.
    pub(super) fn site_files(&self, units: &[&UnitPages]) -> Result<usize> {
        let mut n = 0;
        for (name, bytes) in &self.theme.statics {
            if name == "search.js" && !self.search {
                continue;
            }
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
        site.script = Some(format!("{root_path}static/prefs.js"));
        site.accessibility = Some(format!("{root_path}{ACCESSIBILITY}"));
        site.search = site.search.map(|_| format!("{root_path}search.html"));

        cx.insert("site", &site);
        cx.insert("page", &self.page_view("404.html", "找不到这个页面", None, None, Vec::new()));
        self.sink.put("404.html", self.theme.render("404.html", &cx)?.as_bytes())?;

        // the accessibility statement
        let crumbs = vec![("首页".into(), "index.html".into()), ("无障碍声明".into(), ACCESSIBILITY.into())];
        let p = self.page_view(ACCESSIBILITY, "无障碍声明", None, None, crumbs);
        self.html("accessibility.html", p, &AccessibilityPage {})?;
        n += 1;

        // one after the other: each holds a view of every unit while it renders
        n += self.latest(units)? + self.site_map(units)? + self.site_catalog(units)?;

        // the portal feed: the newest notices of every unit
        let mut newest: Vec<(&NoticeRef, &str)> =
            units.iter().flat_map(|u| u.notices.iter().map(move |n| (n, u.name.as_str()))).collect();
        newest.sort_by(|a, b| b.0.updated.cmp(&a.0.updated).then_with(|| a.0.path.cmp(&b.0.path)));
        newest.truncate(100);
        let base = self.base_url.as_deref();
        let entries: Vec<FeedEntry> = newest.into_iter().map(|(n, name)| feeds::portal_entry(base, n, name)).collect();
        let feed = feeds::feed(self.theme, base, &self.title, "atom.xml", "index.html", entries)?;
        self.sink.put("atom.xml", feed.as_bytes())?;
        n += 2;
        // a sitemap index: the portal's own sitemap and one per unit (each under 50,000 URLs)
        if let Some(base) = base {
            let portal = feeds::sitemap(self.theme, &[SitemapUrl { loc: base.to_string(), lastmod: None }])?;
            self.sink.put("sitemap-portal.xml", portal.as_bytes())?;
            let mut maps = vec![absolute(base, "sitemap-portal.xml")];
            maps.extend(units.iter().filter(|u| u.sitemap).map(|u| absolute(base, &format!("{}/sitemap.xml", u.slug))));
            self.sink.put("sitemap.xml", feeds::sitemap_index(self.theme, &maps)?.as_bytes())?;
            n += 2;
        }
        Ok(n)
    }

    /// `latest.html`: the newest notices of all units, then of each sector, newest first.
    fn latest(&self, units: &[&UnitPages]) -> Result<usize> {
        let path = LATEST;
        let mut all: Vec<(&NoticeRef, &UnitPages)> =
            units.iter().flat_map(|u| u.notices.iter().map(move |n| (n, *u))).collect();
        all.sort_by(|a, b| b.0.updated.cmp(&a.0.updated).then_with(|| a.0.path.cmp(&b.0.path)));
        let entry = |(n, u): &(&NoticeRef, &UnitPages)| LatestNotice {
            title: n.title.clone(),
            href: href(path, &n.path),
            unit: u.name.clone(),
            category: n.category.clone(),
            date: DateView::parse(&n.updated),
        };
        // the newest notices of the units `of` picks, if they have any
        let group = |id: String, name: &str, of: &dyn Fn(&UnitPages) -> bool| {
            let notices: Vec<LatestNotice> =
                all.iter().filter(|(_, u)| of(u)).take(LATEST_PER_GROUP).map(entry).collect();
            (!notices.is_empty()).then(|| LatestGroup { id, name: name.to_string(), notices })
        };
        let sectors = (self.site.schema.sectors.iter())
            .filter_map(|s| group(s.key.clone(), &s.zh, &|u| u.sector == s.zh))
            .collect();
        // by 县区, when units declare one: in the order of their first appearance among the units
        let mut names: Vec<&str> = Vec::new();
        for name in units.iter().map(|u| u.district.as_str()).filter(|d| !d.is_empty()) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let districts = (names.iter().enumerate())
            .filter_map(|(i, name)| group(format!("district-{}", i + 1), name, &|u| u.district == *name))
            .collect();
        let newest = all.iter().take(LATEST_ALL).map(entry).collect();
        let crumbs = vec![("首页".into(), "index.html".into()), ("最新通知".into(), path.into())];
        let p = self.page_view(path, "最新通知", None, None, crumbs);
        self.html("latest.html", p, &LatestPage { newest, sectors, districts })?;
        Ok(1)
    }

    /// `sitemap.html`: every unit, by sector, with each of its pages.
    fn site_map(&self, units: &[&UnitPages]) -> Result<usize> {
        let path = SITE_MAP;
        let mut sectors: Vec<MapSector> = Vec::new();
        for sector in self.site.schema.sectors.iter().map(|s| s.zh.as_str()).chain(["其他"]) {
            let units: Vec<MapUnit> = units
                .iter()
                .filter(|u| u.sector == sector)
                .map(|u| MapUnit {
                    name: u.name.clone(),
                    pages: u
                        .pages
                        .iter()
                        .map(|(label, to)| Link { label: label.clone(), href: href(path, to), current: false })
                        .collect(),
                })
                .collect();
            if !units.is_empty() && !sectors.iter().any(|s| s.name == sector) {
                sectors.push(MapSector { name: sector.to_string(), units });
            }
        }
        let crumbs = vec![("首页".into(), "index.html".into()), ("网站地图".into(), path.into())];
        let p = self.page_view(path, "网站地图", None, None, crumbs);
        self.html("sitemap.html", p, &SiteMapPage { sectors })?;
        Ok(1)
    }
}

/// The portal's list of the newest notices, and its site map for people (`sitemap.xml` is for
/// search engines).
pub(super) const LATEST: &str = "latest.html";
pub(super) const SITE_MAP: &str = "sitemap.html";
/// How many notices `latest.html` lists of all units, and of each sector.
const LATEST_ALL: usize = 100;
const LATEST_PER_GROUP: usize = 30;

/// A notice on `latest.html`.
#[derive(Serialize)]
struct LatestNotice {
    title: String,
    href: String,
    /// The unit that published it.
    unit: String,
    category: String,
    date: Option<DateView>,
}

/// The newest notices of one sector.
#[derive(Serialize)]
struct LatestGroup {
    /// Anchor: the sector's key.
    id: String,
    name: String,
    notices: Vec<LatestNotice>,
}

/// `latest.html`
#[derive(Serialize)]
struct LatestPage {
    newest: Vec<LatestNotice>,
    sectors: Vec<LatestGroup>,
    /// By 县区, when units declare one (`所在县区` in unit.yaml).
    districts: Vec<LatestGroup>,
}

/// A unit on the site map, with its pages.
#[derive(Serialize)]
struct MapUnit {
    name: String,
    pages: Vec<Link>,
}

/// The units of one sector on the site map.
#[derive(Serialize)]
struct MapSector {
    name: String,
    units: Vec<MapUnit>,
}

/// `sitemap.html`
#[derive(Serialize)]
struct SiteMapPage {
    sectors: Vec<MapSector>,
}
