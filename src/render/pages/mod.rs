//! The pages of one unit, driven by one table ([`UNIT_PAGES`]): which page families a unit has,
//! in navigation order, the template of each family's main page, its navigation label, where its
//! clause comes from, and the function that builds its views and writes its pages.
//!
//! Adding a page kind is one row here, one view struct and builder in a family file, and one
//! template in `themes/default/templates/`. Navigation, the unit's sitemap and the link check
//! follow from the table.

mod attachments;
mod catalog;
mod desk;
pub(super) use catalog::{CatalogCount, basis_and_limits};
mod documents;
mod guide;
mod notices;
mod overview;
mod reports;
mod services;
mod tables;

use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;
use serde::Serialize;

use super::archive::{self, HistoryView};
use super::feeds::NoticeRef;
use super::links::{PageFacts, PendingLink, check_in_unit};
use super::markdown;
use super::paths::{UnitPaths, absolute, href, normalize, page_name};
use super::site::Renderer;
use super::view::{self, DateView, Link, UnitView};
use crate::check::UnitResult;
use crate::error::Result;
use crate::finding::Finding;
use crate::model::{Doc, Unit};
use crate::schema::DocSpec;

/// Which pages a row of the table stands for.
#[derive(Debug, Clone, Copy)]
pub(super) enum Family {
    /// The pages of one document kind of the built-in content model (`fees`: `fees.html`).
    Doc(&'static str),
    /// The pages of every document kind a rule pack adds (`routes/`), one family each, shown
    /// generically; in the navigation only when the unit has such a document.
    PackDocs,
    /// A page of its own, built from several documents (`request.html`), or files outside the
    /// navigation (attachments).
    Own(&'static str),
}

/// Where the clause a page answers comes from.
#[derive(Debug, Clone, Copy)]
pub(super) enum Clause {
    /// The clauses the site's measure cites for the document kind in its item rules.
    OfKind,
    /// The measure's article on publication on request (第九条 in Baiyin's).
    OnRequest,
    None,
}

/// One page family of a unit.
pub(super) struct PageKind {
    pub(super) family: Family,
    /// The template of the family's main page.
    pub(super) template: &'static str,
    /// The label in the unit navigation; `None`: the document's title in the content model.
    pub(super) label: Option<&'static str>,
    /// In the navigation whether or not the unit has the document (every unit must publish it,
    /// and the page says what is missing); `false`: only when it is there, or never for `Own`.
    pub(super) always: bool,
    pub(super) clause: Clause,
    /// Builds the views of the family's pages and writes them.
    pub(super) build: fn(&mut UnitCx<'_, '_>, &Built) -> Result<()>,
}

/// What a builder is told about the family it builds.
pub(super) struct Built<'s> {
    /// The template of the family's main page.
    pub(super) template: &'static str,
    /// The document kind (`fees`, a pack's `routes`), or the page's own name.
    pub(super) kind: &'s str,
    /// Its title: the document's title in the content model, or the row's label.
    pub(super) title: &'s str,
    /// The family's main page (`jinding-school/fees.html`).
    pub(super) path: String,
    pub(super) clause: Option<String>,
}

/// The page families of every unit, in navigation order.
pub(super) const UNIT_PAGES: &[PageKind] = &[
    // 第五条(一)
    PageKind {
        family: Family::Doc("unit"),
        template: "overview.html",
        label: None,
        always: true,
        clause: Clause::OfKind,
        build: overview::build,
    },
    // 《考核办法》第七条(三): the disclosure guide, built from everything below
    PageKind {
        family: Family::Own("guide"),
        template: "guide.html",
        label: Some("公开指南"),
        always: true,
        clause: Clause::None,
        build: guide::build,
    },
    // 《考核办法》第七条(三), 《责任追究办法》第六条(三): the disclosure catalogue
    PageKind {
        family: Family::Own("catalog"),
        template: "catalog.html",
        label: Some("公开目录"),
        always: true,
        clause: Clause::None,
        build: catalog::build,
    },
    // 第五条(二)
    PageKind {
        family: Family::Doc("services"),
        template: "services.html",
        label: None,
        always: true,
        clause: Clause::OfKind,
        build: services::build,
    },
    // 第五条(三)
    PageKind {
        family: Family::Doc("fees"),
        template: "fees.html",
        label: None,
        always: true,
        clause: Clause::OfKind,
        build: tables::fees,
    },
    // 第五条(四)
    PageKind {
        family: Family::Doc("commitments"),
        template: "commitments.html",
        label: None,
        always: true,
        clause: Clause::OfKind,
        build: tables::commitments,
    },
    // 第五条(五), with 第四条's stages of a major matter
    PageKind {
        family: Family::Doc("notices"),
        template: "notices.html",
        label: None,
        always: true,
        clause: Clause::OfKind,
        build: notices::build,
    },
    // 第五条(六), 第十一条
    PageKind {
        family: Family::Doc("supervision"),
        template: "supervision.html",
        label: None,
        always: true,
        clause: Clause::OfKind,
        build: tables::supervision,
    },
    PageKind {
        family: Family::PackDocs,
        template: "document.html",
        label: None,
        always: false,
        clause: Clause::OfKind,
        build: documents::build,
    },
    // 《考核办法》第七条(三), 《责任追究办法》第六条(四): the 年度报告, one page each
    PageKind {
        family: Family::Doc("reports"),
        template: "reports.html",
        label: None,
        always: true,
        clause: Clause::OfKind,
        build: reports::build,
    },
    // 第九条
    PageKind {
        family: Family::Own("request"),
        template: "request.html",
        label: Some("依申请公开"),
        always: true,
        clause: Clause::OnRequest,
        build: overview::request,
    },
    // 《社会评议办法》第七条(五)、第九条: the 评议结果, when the unit has `evaluations/`
    PageKind {
        family: Family::Own(desk::KIND),
        template: "evaluation.html",
        label: Some("评议结果"),
        always: false,
        clause: Clause::None,
        build: desk::build,
    },
    PageKind {
        family: Family::Own("attachments"),
        template: "attachment.html",
        label: None,
        always: false,
        clause: Clause::None,
        build: attachments::build,
    },
];

/// What rendering one unit leaves behind: a summary, small enough to keep for every unit of a
/// province-sized portal.
pub(super) struct UnitPages {
    pub(super) slug: String,
    pub(super) name: String,
    /// The sector's Chinese name, for grouping on the portal.
    pub(super) sector: String,
    /// The 县区 it declares (`所在县区`), for the portal's lists; empty when it declares none.
    pub(super) district: String,
    pub(super) files: usize,
    /// Broken links inside the unit.
    pub(super) findings: Vec<Finding>,
    /// Links that leave the unit, to check when every unit is written.
    pub(super) outward: Vec<PendingLink>,
    /// The unit's notices, for the portal feed.
    pub(super) notices: Vec<NoticeRef>,
    /// The newest notice date, and the newest update of anything.
    pub(super) latest: Option<DateView>,
    pub(super) newest: Option<DateView>,
    /// A `<unit>/sitemap.xml` was written.
    pub(super) sitemap: bool,
    /// The unit's home, 公开指南 and 公开目录 in navigation order (label, path), for the portal's
    /// site map.
    pub(super) pages: Vec<(String, String)>,
    /// What its 公开目录 lists, group by group, for the portal's 公开目录.
    pub(super) catalog: Vec<CatalogCount>,
    /// 索引号 assigned to its documents by this build (source path → number).
    pub(super) new_numbers: BTreeMap<String, String>,
    /// Its document pages (one per source file of a folder), for the archive.
    pub(super) documents: Vec<String>,
    /// Where the relative links of its archived versions lead: (version, target).
    pub(super) archived_links: Vec<(String, String)>,
}

/// Every unit page's template sees `site`, `page`, `unit` and its own view's fields.
#[derive(Serialize)]
struct UnitPage<'v, V: Serialize> {
    unit: UnitView,
    /// A document page's 历史版本.
    history: Option<&'v HistoryView>,
    #[serde(flatten)]
    view: &'v V,
}

/// What a page shows above its content: where it is, its title, the clause it answers, when
/// its content was last updated, and the way back to the portal.
pub(super) struct Head<'h> {
    pub(super) path: &'h str,
    pub(super) title: &'h str,
    pub(super) clause: Option<&'h str>,
    pub(super) updated: Option<DateView>,
    /// (label, path), after the portal and the unit.
    pub(super) crumbs: Vec<(String, String)>,
}

/// One unit while its pages are built: what every builder needs, and what they leave behind.
pub(super) struct UnitCx<'r, 'a> {
    pub(super) r: &'r Renderer<'a>,
    pub(super) unit: &'r Unit,
    pub(super) result: &'r UnitResult,
    pub(super) paths: UnitPaths<'r>,
    /// The unit's navigation: (page path, label).
    nav: Vec<(String, String)>,
    /// Pages and files written, for the link check and the sitemap.
    facts: Vec<PageFacts>,
    /// The first document page written, with its BLAKE3 (see `write_document`).
    base: Option<(blake3::Hash, String)>,
    /// Links written in the unit's Markdown.
    pub(super) links: Vec<PendingLink>,
    /// The unit's notices (page path, view), newest first, for its feed and the portal's.
    pub(super) notices: Vec<(String, view::Notice)>,
    /// Files written that are not in `facts`.
    extras: usize,
    /// The page families in the unit's navigation, for the pages that list them (the guide).
    pub(super) contents: Vec<Content>,
    /// What the unit's 公开目录 listed (its builder fills it in).
    pub(super) catalog: Vec<CatalogCount>,
    /// The 索引号 of its documents (source path → number).
    numbers: BTreeMap<String, String>,
    /// Its document pages written so far.
    documents: Vec<String>,
    /// Where the relative links of its archived versions lead: (version, target).
    archived_links: Vec<(String, String)>,
}

/// A page family in the unit's navigation.
pub(super) struct Content {
    pub(super) kind: String,
    pub(super) title: String,
    pub(super) path: String,
    pub(super) clause: Option<String>,
}

impl<'r> UnitCx<'r, '_> {
    /// A document's 索引号 (empty for a single-file document, which has none).
    pub(super) fn index_number(&self, doc: &Doc) -> String {
        self.numbers.get(&doc.path).cloned().unwrap_or_default()
    }

    /// The unit's front page.
    pub(super) fn front(&self) -> String {
        self.paths.page("index.html")
    }

    /// When a single-file document was last updated.
    pub(super) fn updated_of(&self, kind: &str) -> Option<DateView> {
        self.unit.doc(kind).and_then(|d| view::date(d.data.as_ref(), "updated"))
    }

    pub(super) fn schema(&self) -> &'r crate::schema::Schema {
        &self.r.site.schema
    }

    pub(super) fn spec(&self, kind: &str) -> Option<&'r DocSpec> {
        self.r.site.schema.doc(kind)
    }

    /// The page a document of a folder is published as (`jinding-school/services/报名.html`).
    pub(super) fn published_path(&self, doc: &Doc) -> String {
        self.paths.published(self.rel(doc), self.r.site).unwrap_or_default()
    }

    /// A document's path inside the unit folder.
    fn rel<'d>(&self, doc: &'d Doc) -> &'d str {
        doc.path.strip_prefix(&format!("{}/", self.unit.dir)).unwrap_or(&doc.path)
    }

    /// Render a document's Markdown body for the page at `page`, recording its links.
    pub(super) fn markdown(&mut self, doc: &Doc, page: &str) -> String {
        let Some(body) = &doc.body else {
            return String::new();
        };
        let rendered = markdown::render(&body.text, body.line, &|d| self.rewrite(self.rel(doc), page, d));
        self.links.extend(rendered.links.iter().map(|l| PendingLink::new(&self.unit.slug, &doc.path, page, l)));
        rendered.html
    }

    /// A link written as a path to a source file (`../fees.yaml`, `../attachments/表.md`) points
    /// to the page that file is published as.
    pub(super) fn rewrite(&self, source_rel: &str, page: &str, dest: &str) -> Option<String> {
        if dest.contains(':') || dest.starts_with('/') || dest.starts_with('#') {
            return None;
        }
        let (path_part, fragment) = dest.split_once('#').map_or((dest, None), |(p, f)| (p, Some(f)));
        let decoded = percent_decode_str(path_part).decode_utf8().ok()?;
        let base = source_rel.rsplit_once('/').map_or("", |(d, _)| d);
        let target_rel = normalize(&format!("{base}/{decoded}"))?;
        let to = self.paths.published(&target_rel, self.r.site)?;
        let mut h = href(page, &to);
        if let Some(f) = fragment {
            h.push('#');
            h.push_str(f);
        }
        Some(h)
    }

    /// Render one unit page with its view and write it.
    pub(super) fn page<V: Serialize>(&mut self, template: &str, head: Head<'_>, view: &V) -> Result<()> {
        let (page, html) = self.compose(template, &head, view, None)?;
        self.write(page, html)
    }

    /// Render one unit page with its view (and its 历史版本), without writing it.
    fn compose<V: Serialize>(
        &self,
        template: &str,
        head: &Head<'_>,
        view: &V,
        history: Option<&HistoryView>,
    ) -> Result<(crate::render::site::PageView, String)> {
        let path = head.path;
        let nav = self
            .nav
            .iter()
            .map(|(to, label)| Link { label: label.clone(), href: href(path, to), current: to == path })
            .collect();
        let unit = view::unit_view(self.unit, Some(self.result), self.schema(), nav, href(path, &self.front()));
        let mut crumbs =
            vec![("首页".to_string(), "index.html".to_string()), (self.unit.name().to_string(), self.front())];
        crumbs.extend(head.crumbs.iter().cloned());
        let mut page = self.r.page_view(path, head.title, head.clause, head.updated.clone(), crumbs);
        // only a preview that shows drafts has any among the documents
        page.draft =
            self.r.site.drafts && self.unit.docs.iter().any(|d| d.is_draft() && self.published_path(d) == path);
        let html = self.r.render_html(template, &page, &UnitPage { unit, history, view })?;
        Ok((page, html))
    }

    fn write(&mut self, page: crate::render::site::PageView, html: String) -> Result<()> {
        let facts = self.r.put_html(page, html)?;
        self.facts.push(facts);
        Ok(())
    }

    /// `write` for a document page (see `Renderer::put_document`): the unit's first is the base
    /// the archive compresses the others against.
    fn write_document(&mut self, page: crate::render::site::PageView, html: String) -> Result<()> {
        let base = self.base.as_ref().map(|(hash, bytes)| (hash, bytes.as_bytes()));
        let facts = self.r.put_document(page, &html, base)?;
        self.facts.push(facts);
        if self.base.is_none() {
            self.base = Some((blake3::hash(html.as_bytes()), html));
        }
        Ok(())
    }

    /// A family's main page (`fees.html`, `services.html`), with the row's template.
    pub(super) fn main_page<V: Serialize>(&mut self, b: &Built, updated: Option<DateView>, view: &V) -> Result<()> {
        let crumbs = vec![(b.title.to_string(), b.path.clone())];
        let head = Head { path: &b.path, title: b.title, clause: b.clause.as_deref(), updated, crumbs };
        self.page(b.template, head, view)
    }

    /// The page of one document of a family's folder (`services/报名.html`), under the family's
    /// main page.
    pub(super) fn item_page<V: Serialize>(
        &mut self,
        b: &Built,
        template: &str,
        (path, title): (&str, &str),
        updated: Option<DateView>,
        view: &V,
    ) -> Result<()> {
        let crumbs = vec![(b.title.to_string(), b.path.clone()), (title.to_string(), path.to_string())];
        let head = Head { path, title, clause: b.clause.as_deref(), updated, crumbs };
        if crate::record::archive::is_version(path) {
            let source = self.unit.docs.iter().find(|d| self.published_path(d) == path).map_or(path, |d| &d.path);
            return Err(crate::error::Error::Usage(format!(
                "{source} 的文件名以「.v日期-8 位十六进制数」结尾，生成的网页会和历史版本的地址重名；网站没有生成\n  帮助: 改一下文件名的末尾（例如去掉「.v」），历史版本用这种名字发布在文件页旁边"
            )));
        }
        self.documents.push(path.to_string());
        let archive = self.r.archive.clone();
        let Some(versions) = archive.histories.get(path) else {
            let (page, html) = self.compose(template, &head, view, None)?;
            return self.write_document(page, html);
        };
        // 历史版本: first as if the newest recorded version were still current; when the page
        // is no longer that version, again with it listed (see `render::archive`)
        let data = self.unit.docs.iter().find(|d| self.published_path(d) == path).and_then(|d| d.data.as_ref());
        let today = self.r.site.env.today.to_string();
        let (older, newest) = versions.split_at(versions.len() - 1);
        let listed = archive::history(&archive.store, path, path, older, data, &today);
        let (page, html) = self.compose(template, &head, view, listed.as_ref())?;
        // a page built for another address differs from the recorded one wherever the address is
        // written: no sign of a change, the newest recorded version stays the current one
        let superseded = !self.r.site.elsewhere && blake3::hash(html.as_bytes()) != newest[0].hash;
        let (shown, page, html) = if superseded && archive.store.holds(&newest[0].hash) {
            let listed = archive::history(&archive.store, path, path, versions, data, &today);
            let (page, html) = self.compose(template, &head, view, listed.as_ref())?;
            (&versions[..], page, html)
        } else {
            (older, page, html)
        };
        self.write_document(page, html)?;
        for v in shown.iter().filter(|v| archive.store.holds(&v.hash)) {
            self.version(&archive, path, v)?;
        }
        Ok(())
    }

    /// Publish an archived version of the page at `page` (beside it, and the page that leads
    /// there from its former address); its title.
    pub(super) fn version(
        &mut self,
        archive: &super::archive::Archive,
        page: &str,
        v: &crate::record::archive::Version,
    ) -> Result<Option<String>> {
        let published = archive.publish(page, v, &mut |path, bytes| self.extra(path, bytes))?;
        self.archived_links.extend(published.links);
        Ok(published.title)
    }

    /// Write a file that is not a page but may be linked to (an attachment as it is).
    pub(super) fn file(&mut self, path: String, bytes: &[u8]) -> Result<()> {
        self.r.sink.put(&path, bytes)?;
        self.facts.push(PageFacts { path, ids: Default::default(), updated: None, html: false });
        Ok(())
    }

    /// Write a file about the unit that Markdown does not link to (its feed, open data,
    /// sitemap): counted, not link-checked.
    pub(super) fn extra(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        self.r.sink.put(path, bytes)?;
        self.extras += 1;
        Ok(())
    }
}

/// The newest date of anything a unit publishes: each document's update, else its date.
pub(super) fn newest_of(unit: &Unit) -> Option<DateView> {
    unit.docs
        .iter()
        .filter_map(|d| view::date(d.data.as_ref(), "updated").or_else(|| view::date(d.data.as_ref(), "date")))
        .max()
}

impl Renderer<'_> {
    /// Render every page of a unit, family by family in the order of [`UNIT_PAGES`], then its
    /// open data and sitemap; check the links that stay inside the unit.
    pub(super) fn unit(&self, unit: &Unit, result: &UnitResult) -> Result<UnitPages> {
        let paths = UnitPaths { unit };
        let families = self.families(unit);
        let contents: Vec<Content> = families
            .iter()
            .filter(|(row, b)| {
                row.always
                    || match row.family {
                        Family::PackDocs => unit.doc(b.kind).is_some(),
                        Family::Own(desk::KIND) => crate::evaluation::any(unit),
                        _ => false,
                    }
            })
            .map(|(_, b)| Content {
                kind: b.kind.to_string(),
                title: b.title.to_string(),
                path: b.path.clone(),
                clause: b.clause.clone(),
            })
            .collect();
        let nav = contents.iter().map(|c| (c.path.clone(), c.title.clone())).collect();
        let (numbers, new_numbers) = self.index_numbers(unit);
        let mut cx = UnitCx {
            numbers,
            contents,
            r: self,
            unit,
            result,
            paths,
            nav,
            facts: Vec::new(),
            base: None,
            links: Vec::new(),
            notices: Vec::new(),
            extras: 0,
            catalog: Vec::new(),
            documents: Vec::new(),
            archived_links: Vec::new(),
        };
        for (row, built) in &families {
            (row.build)(&mut cx, built)?;
        }

        cx.extra(&cx.paths.page("data.json"), &super::open_data::unit(self.site, unit, result, &cx.numbers))?;
        let sitemap = if let Some(base) = &self.base_url {
            let urls: Vec<super::feeds::SitemapUrl> = cx
                .facts
                .iter()
                .filter(|f| f.html)
                .map(|f| super::feeds::SitemapUrl { loc: absolute(base, &f.path), lastmod: f.updated.clone() })
                .collect();
            let xml = super::feeds::sitemap(self.theme, &urls)?;
            cx.extra(&cx.paths.page("sitemap.xml"), xml.as_bytes())?;
            true
        } else {
            false
        };

        // the site map lists a unit's home, 公开指南 and 公开目录 (which lists every page of the
        // unit), and its 评议结果 when it has one: every page of every unit made a page of 7.6 MB at 10,000 units
        let pages = cx
            .contents
            .iter()
            .filter(|c| {
                ["index.html", "guide.html", "catalog.html", "evaluation.html"]
                    .iter()
                    .any(|p| c.path == cx.paths.page(p))
            })
            .map(|c| (c.title.clone(), c.path.clone()))
            .collect();
        let UnitCx { facts, links, notices, extras, catalog, documents, archived_links, .. } = cx;
        let (findings, outward) = check_in_unit(&unit.slug, &facts, links);
        let latest = notices.iter().filter_map(|(_, n)| n.date.clone()).max();
        let newest = newest_of(unit);
        let notices = notices
            .into_iter()
            .map(|(path, n)| NoticeRef {
                updated: n.updated.or(n.date).map_or_else(|| "2000-01-01".into(), |d| d.iso),
                title: n.title,
                path,
                category: n.category,
            })
            .collect();
        Ok(UnitPages {
            slug: unit.slug.clone(),
            name: unit.name().to_string(),
            sector: view::sector_name(unit, &self.site.schema),
            district: view::text(unit.doc("unit").and_then(|d| d.data.as_ref()), "district"),
            files: facts.len() + extras,
            findings,
            outward,
            notices,
            latest,
            newest,
            sitemap,
            pages,
            catalog,
            new_numbers,
            documents,
            archived_links,
        })
    }

    /// The 索引号 of every document of the unit's folders (notices, policies, a pack's documents),
    /// kept from the publication record or assigned now: (all, the new ones).
    fn index_numbers(&self, unit: &Unit) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
        use crate::record::numbers::{Candidate, assign};
        let this_year = self.site.env.today.year();
        let docs: Vec<Candidate> = unit
            .docs
            .iter()
            .filter(|d| d.data.is_some() && self.site.schema.doc(&d.kind).is_some_and(|s| s.is_collection() && !s.data))
            .map(|d| {
                let date = view::date(d.data.as_ref(), "date").or_else(|| view::date(d.data.as_ref(), "written"));
                Candidate {
                    path: d.path.clone(),
                    year: date.as_ref().and_then(|d| d.iso[..4].parse().ok()).unwrap_or(this_year),
                    date: date.map(|d| d.iso).unwrap_or_default(),
                }
            })
            .collect();
        let credit = view::text(unit.doc("unit").and_then(|d| d.data.as_ref()), "credit_code");
        let credit = credit.trim();
        let code =
            if credit.is_empty() || self.site.shared_codes.contains(credit) { unit.slug.as_str() } else { credit };
        assign(code, &docs, &self.site.published, &self.site.sequences)
    }

    /// The clause a page family answers, by its kind (`fees`, `request`, a pack's `routes`), as
    /// the unit pages cite it: for the portal's catalogue.
    pub(super) fn clause_of_kind(&self, kind: &str) -> Option<String> {
        let row = UNIT_PAGES.iter().find(|row| match row.family {
            Family::Doc(k) | Family::Own(k) => k == kind,
            Family::PackDocs => false,
        });
        self.clause(row.map_or(Clause::OfKind, |row| row.clause), kind)
    }

    fn clause(&self, clause: Clause, kind: &str) -> Option<String> {
        match clause {
            Clause::OfKind => self.clauses.get(kind).cloned(),
            Clause::OnRequest => self.site.packs.first().and_then(|p| p.source.on_request.clone()),
            Clause::None => None,
        }
    }

    /// The table, with the pack documents' row expanded to one family per document kind a
    /// pack adds, and each family's title, main page and clause.
    fn families(&self, unit: &Unit) -> Vec<(&'static PageKind, Built<'_>)> {
        let schema = &self.site.schema;
        let built_in: Vec<&str> = UNIT_PAGES
            .iter()
            .filter_map(|row| match row.family {
                Family::Doc(kind) => Some(kind),
                _ => None,
            })
            .collect();
        let paths = UnitPaths { unit };
        let clause = |row: &PageKind, kind: &str| self.clause(row.clause, kind);
        let mut out = Vec::new();
        for row in UNIT_PAGES {
            match row.family {
                Family::Doc(kind) => {
                    let Some(spec) = schema.doc(kind) else { continue };
                    let title = row.label.unwrap_or(&spec.title);
                    let path = paths.page(&format!("{}.html", page_name(kind)));
                    out.push((row, Built { template: row.template, kind, title, path, clause: clause(row, kind) }));
                }
                Family::PackDocs => {
                    // a data folder (`requests/`) is shown on its document's pages, not on its own
                    let own = |s: &&DocSpec| !built_in.contains(&s.kind.as_str()) && !s.data;
                    for spec in schema.documents.iter().filter(own) {
                        let path = paths.page(&format!("{}.html", page_name(&spec.kind)));
                        let built = Built {
                            template: row.template,
                            kind: &spec.kind,
                            title: &spec.title,
                            path,
                            clause: clause(row, &spec.kind),
                        };
                        out.push((row, built));
                    }
                }
                Family::Own(name) => {
                    let path = paths.page(&format!("{name}.html"));
                    let title = row.label.unwrap_or(name);
                    out.push((
                        row,
                        Built { template: row.template, kind: name, title, path, clause: clause(row, name) },
                    ));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row's template is in the default theme, and every document kind a row names is in
    /// the built-in content model: a row that names neither would render nothing.
    #[test]
    fn the_table_names_real_templates_and_documents() {
        let theme = crate::render::theme::Theme::load(std::path::Path::new("/nonexistent"), "default").unwrap();
        let schema = crate::schema::Schema::builtin();
        for row in UNIT_PAGES {
            assert!(theme.has_template(row.template), "no template {}", row.template);
            if let Family::Doc(kind) = row.family {
                assert!(schema.doc(kind).is_some(), "no document kind {kind}");
            }
        }
        for item in ["service.html", "notice.html", "annual-report.html"] {
            assert!(theme.has_template(item), "no template {item}");
        }
    }
}
