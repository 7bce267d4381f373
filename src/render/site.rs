//! Every page of a site: the portal, each unit's pages, feeds, open data, the sitemap; then the
//! internal links of every Markdown body are checked against what was written.
//!
//! Units render in parallel; each page goes to the sink as soon as it is rendered, so the whole
//! site never sits in memory. Output depends only on the input: no clock, sorted everything.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use super::feeds::{self, FeedEntry, NoticeRef, SitemapUrl};
use super::links::{PageFacts, check_outward, ids_of};
use super::pages::UnitPages;
use super::paths::{absolute, href};
use super::theme::Theme;
use super::view::{DateView, Link, SectorGroup, UnitCard};
use crate::check::{self, CheckResult, UnitCheck};
use crate::error::Result;
use crate::model::{Site, UnitDir};
use crate::output::Sink;

/// What rendering produced besides the files.
#[derive(Debug, Default)]
pub(crate) struct Rendered {
    /// Files written.
    pub files: usize,
}

/// Site-wide values every template sees as `site`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SiteView {
    pub title: String,
    pub base_url: Option<String>,
    /// Relative link from the current page to the portal home.
    pub home: String,
    /// Relative link to the stylesheet.
    pub stylesheet: String,
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
}

impl SiteView {
    /// The site-wide values for a page at `path` (relative links start from it).
    pub(super) fn new(site: &Site, title: &str, path: &str) -> SiteView {
        let footer = site.config.footer.clone();
        let digits: String = footer.police.iter().flat_map(|p| p.chars()).filter(char::is_ascii_digit).collect();
        SiteView {
            title: title.to_string(),
            base_url: None,
            home: href(path, "index.html"),
            stylesheet: href(path, "static/style.css"),
            measure: site.packs.first().map(|p| p.title.clone()).unwrap_or_default(),
            source: site.packs.first().map(|p| p.source.clone()),
            footer,
            police_href: (!digits.is_empty())
                .then(|| format!("https://beian.mps.gov.cn/#/query/webSearch?code={digits}")),
            accessibility: Some(href(path, ACCESSIBILITY)),
        }
    }
}

/// The accessibility statement's path.
const ACCESSIBILITY: &str = "accessibility.html";

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
}

/// Renders one site with one theme into one sink: unit by unit, then the pages about all units.
/// `build` drives it over every unit in parallel; `serve` re-renders one unit when it changes.
pub(crate) struct SiteRenderer<'a> {
    r: Renderer<'a>,
}

/// A unit, checked and rendered: its check, and the summary the portal needs.
pub(crate) struct RenderedUnit {
    pub check: UnitCheck,
    pub(super) pages: UnitPages,
}

impl<'a> SiteRenderer<'a> {
    pub(crate) fn new(site: &'a Site, theme: &'a Theme, sink: &'a dyn Sink) -> Self {
        SiteRenderer {
            r: Renderer {
                site,
                theme,
                sink,
                title: site.config.title.clone().unwrap_or_else(|| "信息公开".to_string()),
                base_url: site
                    .config
                    .base_url
                    .as_ref()
                    .map(|u| if u.ends_with('/') { u.clone() } else { format!("{u}/") }),
                clauses: clauses(site),
                stage_order: stage_order(site),
            },
        }
    }

    /// Load, check and render one unit; nothing of it is kept but the summary.
    pub(crate) fn unit(&self, dir: &UnitDir) -> Result<RenderedUnit> {
        let site = self.r.site;
        let mut unit = site.load_unit(dir);
        let mut check = check::check_unit(&unit, &site.packs, &site.schema, &site.env);
        withhold(&mut unit, &check.result.withheld);
        let pages = self.r.unit(&unit, &check.result)?;
        check.result.errors += pages.findings.len();
        check.findings.extend(pages.findings.iter().cloned());
        Ok(RenderedUnit { check, pages })
    }

    /// The pages about all units (portal, feeds, sitemap index, static files, 404), then the
    /// links that leave their unit, checked with `exists`. `checks` and `units` are in unit order.
    pub(crate) fn finish(
        &self,
        checks: Vec<UnitCheck>,
        units: &[&RenderedUnit],
        exists: &dyn Fn(&str) -> bool,
    ) -> Result<(CheckResult, Rendered)> {
        let summaries: Vec<&UnitPages> = units.iter().map(|u| &u.pages).collect();
        let mut result = check::collect(self.r.site, checks);
        let mut files = summaries.iter().map(|s| s.files).sum::<usize>();
        files += self.r.portal(&result, &summaries)? + self.r.site_files(&summaries)?;
        let mut broken = check_outward(summaries.iter().flat_map(|s| s.outward.iter()), exists);
        for f in &broken {
            if let Some(u) = result.units.iter_mut().find(|u| Some(&u.slug) == f.unit.as_ref()) {
                u.errors += 1;
            }
        }
        result.findings.append(&mut broken);
        crate::finding::sort(&mut result.findings);
        Ok((result, Rendered { files }))
    }
}

/// Take what must not be published out of a checked unit before it is rendered: a withheld
/// document renders as one whose file could not be used (no page of its own, absent from lists,
/// feeds, open data and the sitemap), a withheld attachment is not copied.
fn withhold(unit: &mut crate::model::Unit, files: &[String]) {
    if files.is_empty() {
        return;
    }
    unit.docs.retain(|d| !files.contains(&d.path));
    let dir = unit.dir.clone();
    unit.attachments.retain(|a| !files.contains(&format!("{dir}/{a}")));
}

/// Check and render the whole site, one unit at a time (in parallel): each unit is loaded,
/// checked, rendered and dropped, keeping only a summary. Returns the check result (with broken
/// links added) and what was written.
pub(crate) fn render_site(
    site: &Site,
    theme: &Theme,
    sink: &dyn Sink,
    tick: &(dyn Fn() + Sync),
) -> Result<(CheckResult, Rendered)> {
    let sr = SiteRenderer::new(site, theme, sink);
    let mut units: Vec<RenderedUnit> = site
        .units
        .par_iter()
        .map(|dir| {
            let out = sr.unit(dir);
            tick();
            out
        })
        .collect::<Result<_>>()?;
    let checks = units.iter_mut().map(|u| std::mem::take(&mut u.check)).collect();
    let refs: Vec<&RenderedUnit> = units.iter().collect();
    sr.finish(checks, &refs, &|p| sink.exists(p))
}

impl Renderer<'_> {
    pub(super) fn site_view(&self, path: &str) -> SiteView {
        SiteView { base_url: self.base_url.clone(), ..SiteView::new(self.site, &self.title, path) }
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
            breadcrumbs: crumbs
                .into_iter()
                .map(|(label, to)| Link { current: to == path, href: href(path, &to), label })
                .collect(),
        }
    }

    /// Render one HTML page from its template's view and hand it to the sink; returns its
    /// facts for link checking.
    pub(super) fn html<V: Serialize>(&self, template: &str, page: PageView, view: &V) -> Result<PageFacts> {
        let site = self.site_view(&page.path);
        let html = self.theme.render_view(template, &Page { site: &site, page: &page, view })?;
        let ids = ids_of(&html);
        self.sink.put(&page.path, html.as_bytes())?;
        Ok(PageFacts { path: page.path, ids, updated: page.updated.map(|d| d.iso), html: true })
    }

    /// The portal home page, from every unit's summary. Returns the number of files written.
    fn portal(&self, result: &CheckResult, units: &[&UnitPages]) -> Result<usize> {
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
    fn site_files(&self, units: &[&UnitPages]) -> Result<usize> {
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
        site.accessibility = Some(format!("{root_path}{ACCESSIBILITY}"));

        cx.insert("site", &site);
        cx.insert("page", &self.page_view("404.html", "找不到这个页面", None, None, Vec::new()));
        self.sink.put("404.html", self.theme.render("404.html", &cx)?.as_bytes())?;

        // the accessibility statement
        let crumbs = vec![("首页".into(), "index.html".into()), ("无障碍声明".into(), ACCESSIBILITY.into())];
        let p = self.page_view(ACCESSIBILITY, "无障碍声明", None, None, crumbs);
        self.html("accessibility.html", p, &AccessibilityPage {})?;
        n += 1;

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

/// A QR code of `url` as inline SVG for the printed page.
///
/// Drawn in module units (the viewBox scales it) as one stroked path of horizontal runs, each
/// written relative to the previous one: about 2 KB, a fifth of qrcode's own SVG, which matters
/// when every page carries one.
fn qr_svg(url: &str) -> Option<String> {
    use qrcode::{EcLevel, bits, canvas, ec};
    use std::fmt::Write as _;
    // What QrCode::new does, but with one fixed mask instead of scoring all eight: a valid code
    // (the mask is written in the format bits), and the scoring was a third of a build's CPU time.
    let ec_level = EcLevel::M;
    let bits = bits::encode_auto(url.as_bytes(), ec_level).ok()?;
    let version = bits.version();
    let (data, ec_data) = ec::construct_codewords(&bits.into_bytes(), version, ec_level).ok()?;
    let mut canvas = canvas::Canvas::new(version, ec_level);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec_data);
    canvas.apply_mask(canvas::MaskPattern::Checkerboard);
    let width = usize::try_from(version.width()).ok()?;
    let colors = canvas.into_colors();

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
