//! The pages of one unit: overview, services, fees, commitments, notices, supervision, the
//! request page, attachments, open data and the notices feed.

use std::collections::HashSet;

use percent_encoding::percent_decode_str;

use super::feeds::{FeedEntry, NoticeRef, SitemapUrl};
use super::links::{PageFacts, PendingLink, check_in_unit};
use super::markdown;
use super::paths::{UnitPaths, absolute, attachment_path, href, normalize, page_name};
use super::site::Renderer;
use super::view::{self, Link};
use crate::check::UnitResult;
use crate::error::Result;
use crate::finding::Finding;
use crate::model::{Doc, Unit};
use crate::yaml::{Node, Value};

/// What rendering one unit leaves behind: a summary, small enough to keep for every unit of a
/// province-sized portal.
pub(super) struct UnitPages {
    pub(super) slug: String,
    pub(super) name: String,
    /// The sector's Chinese name, for grouping on the portal.
    pub(super) sector: String,
    pub(super) files: usize,
    /// Broken links inside the unit.
    pub(super) findings: Vec<Finding>,
    /// Links that leave the unit, to check when every unit is written.
    pub(super) outward: Vec<PendingLink>,
    /// The unit's notices, for the portal feed.
    pub(super) notices: Vec<NoticeRef>,
    /// The newest notice date, and the newest update of anything.
    pub(super) latest: Option<view::DateView>,
    pub(super) newest: Option<view::DateView>,
    /// A `<unit>/sitemap.xml` was written.
    pub(super) sitemap: bool,
}

impl Renderer<'_> {
    pub(super) fn unit(&self, unit: &Unit, result: &UnitResult) -> Result<UnitPages> {
        let paths = UnitPaths { unit };
        let result = Some(result);
        let schema = &self.site.schema;
        let mut facts = Vec::new();
        let mut links = Vec::new();
        let name = unit.name().to_string();
        let front = paths.page("index.html");

        // the unit's pages, in navigation order: (page path, label)
        let mut nav_pages: Vec<(String, String)> = vec![(front.clone(), "单位概况".to_string())];
        for spec in &schema.documents {
            if spec.kind == "unit" {
                continue;
            }
            if unit.doc(&spec.kind).is_some()
                || ["services", "fees", "commitments", "notices", "supervision"].contains(&spec.kind.as_str())
            {
                nav_pages.push((paths.page(&format!("{}.html", page_name(&spec.kind))), spec.title.clone()));
            }
        }
        nav_pages.push((paths.page("request.html"), "依申请公开".to_string()));
        let unit_view = |path: &str| {
            let nav = nav_pages
                .iter()
                .map(|(to, label)| Link { label: label.clone(), href: href(path, to), current: to == path })
                .collect();
            view::unit_view(unit, result, schema, nav, href(path, &front))
        };
        let crumbs = |extra: &[(&str, &str)]| {
            let mut c = vec![("首页".to_string(), "index.html".to_string()), (name.clone(), front.clone())];
            c.extend(extra.iter().map(|(l, p)| (l.to_string(), p.to_string())));
            c
        };
        let updated_of = |kind: &str| unit.doc(kind).and_then(|d| view::date(d.data.as_ref(), "updated"));
        let clause_of = |kind: &str| self.clauses.get(kind).map(String::as_str);

        // 第五条(一)
        let overview = view::overview(unit, schema);
        let p = self.page_view(&front, &name, clause_of("unit"), updated_of("unit"), crumbs(&[]));
        facts.push(self.html("overview.html", p, |cx| {
            cx.insert("unit", &unit_view(&front));
            cx.insert("overview", &overview);
        })?);

        // 第四条: the notices of each major matter, in stage order, for each to link the others
        let mut matters: std::collections::BTreeMap<String, Vec<(usize, String, String, String)>> = Default::default();
        for doc in unit.docs_of("notices") {
            let data = doc.data.as_ref();
            let matter = view::text(data, "matter");
            if matter.is_empty() {
                continue;
            }
            let stage = view::text(data, "stage");
            let rank = self.stage_order.iter().position(|s| *s == stage).unwrap_or(self.stage_order.len());
            let rel = doc.path.strip_prefix(&format!("{}/", unit.dir)).unwrap_or(&doc.path);
            let path = paths.published(rel, self.site).unwrap_or_default();
            matters.entry(matter).or_default().push((rank, stage, view::doc_title(doc), path));
        }
        for stages in matters.values_mut() {
            stages.sort();
        }

        // 第五条(二) and (五): Markdown collections; and folders a pack adds (routes/ ...)
        let mut services = Vec::new();
        let mut notices = Vec::new();
        let mut others: std::collections::BTreeMap<String, Vec<Link>> = std::collections::BTreeMap::new();
        for doc in &unit.docs {
            let Some(spec) = schema.doc(&doc.kind) else {
                continue;
            };
            if !spec.is_collection() {
                continue;
            }
            let path = paths
                .published(doc.path.strip_prefix(&format!("{}/", unit.dir)).unwrap_or(&doc.path), self.site)
                .unwrap_or_default();
            let body = self.markdown(unit, &paths, doc, &path, &mut links);
            let data = doc.data.as_ref();
            let title = view::doc_title(doc);
            let list_page = paths.page(&format!("{}.html", page_name(&spec.kind)));
            let page_crumbs = crumbs(&[(&spec.title, &list_page), (&title, &path)]);
            match doc.kind.as_str() {
                "services" => {
                    let service = self.service(&paths, doc, &path, body);
                    let p = self.page_view(&path, &title, clause_of(&spec.kind), service.updated.clone(), page_crumbs);
                    facts.push(self.html("service.html", p, |cx| {
                        cx.insert("unit", &unit_view(&path));
                        cx.insert("service", &service);
                    })?);
                    let order =
                        data.and_then(|d| d.text("order")).and_then(|o| o.parse::<i64>().ok()).unwrap_or(i64::MAX);
                    services.push((order, service));
                }
                "notices" => {
                    let matter = view::text(data, "matter");
                    let stages = matters
                        .get(&matter)
                        .map(|all| {
                            all.iter()
                                .map(|(_, stage, label, to)| view::StageLink {
                                    stage: stage.clone(),
                                    link: Link { label: label.clone(), href: href(&path, to), current: *to == path },
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let (status, withdrawn) = view::status(data);
                    let notice = view::Notice {
                        title: title.clone(),
                        href: String::new(),
                        category: view::text(data, "category"),
                        status,
                        withdrawn,
                        date: view::date(data, "date"),
                        effective: view::date(data, "effective"),
                        stage: view::text(data, "stage"),
                        matter,
                        stages,
                        body_html: body,
                        updated: view::date(data, "updated").or_else(|| view::date(data, "date")),
                        extras: view::extras(data, &spec.fields, view::NOTICE_FIELDS),
                    };
                    let p = self.page_view(&path, &title, clause_of(&spec.kind), notice.updated.clone(), page_crumbs);
                    facts.push(self.html("notice.html", p, |cx| {
                        cx.insert("unit", &unit_view(&path));
                        cx.insert("notice", &notice);
                    })?);
                    notices.push((path, notice));
                }
                _ => {
                    let extras = view::extras(data, &spec.fields, &["title", "updated"]);
                    let p =
                        self.page_view(&path, &title, clause_of(&spec.kind), view::date(data, "updated"), page_crumbs);
                    facts.push(self.html("document.html", p, |cx| {
                        cx.insert("unit", &unit_view(&path));
                        cx.insert("extras", &extras);
                        cx.insert("body_html", &body);
                        cx.insert("documents", &Vec::<Link>::new());
                    })?);
                    let list = paths.page(&format!("{}.html", page_name(&spec.kind)));
                    others.entry(spec.kind.clone()).or_default().push(Link {
                        label: title.clone(),
                        href: href(&list, &path),
                        current: false,
                    });
                }
            }
        }
        for (kind, mut documents) in others {
            let Some(spec) = schema.doc(&kind) else { continue };
            documents.sort_by(|a, b| a.label.cmp(&b.label));
            let list = paths.page(&format!("{}.html", page_name(&kind)));
            let p = self.page_view(&list, &spec.title, clause_of(&spec.kind), None, crumbs(&[(&spec.title, &list)]));
            facts.push(self.html("document.html", p, |cx| {
                cx.insert("unit", &unit_view(&list));
                cx.insert("extras", &Vec::<view::Extra>::new());
                cx.insert("body_html", "");
                cx.insert("documents", &documents);
            })?);
        }
        services.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.title.cmp(&b.1.title)));
        let mut services: Vec<view::Service> = services.into_iter().map(|(_, s)| s).collect();
        // newest first; undated last
        notices.sort_by(|a, b| b.1.date.cmp(&a.1.date).then_with(|| a.1.title.cmp(&b.1.title)));

        let list = paths.page("services.html");
        for s in &mut services {
            s.href = href(&list, &s.href);
        }
        let newest = services.iter().filter_map(|s| s.updated.clone()).max();
        let p = self.page_view(&list, "办事服务", clause_of("services"), newest, crumbs(&[("办事服务", &list)]));
        facts.push(self.html("services.html", p, |cx| {
            cx.insert("unit", &unit_view(&list));
            cx.insert("services", &services);
        })?);

        let list = paths.page("notices.html");
        let notice_views: Vec<view::Notice> =
            notices.iter().map(|(path, n)| view::Notice { href: href(&list, path), ..n.clone() }).collect();
        let newest = notice_views.iter().filter_map(|n| n.updated.clone()).max();
        let p =
            self.page_view(&list, "变动事项和计划", clause_of("notices"), newest, crumbs(&[("变动事项和计划", &list)]));
        facts.push(self.html("notices.html", p, |cx| {
            cx.insert("unit", &unit_view(&list));
            cx.insert("notices", &notice_views);
            cx.insert("feed", &href(&list, &paths.page("notices.xml")));
        })?);

        // 第五条(三), (四), (六) and 第十一条, 第九条: the page of a single-file document, with
        // its view under the document's kind
        let document_page = |kind: &str, title: &str| {
            let path = paths.page(&format!("{kind}.html"));
            let p = self.page_view(&path, title, clause_of(kind), updated_of(kind), crumbs(&[(title, &path)]));
            (path, p)
        };
        let fees = view::fees(unit, schema);
        let (path, p) = document_page("fees", "收费项目");
        facts.push(self.html("fees.html", p, |cx| {
            cx.insert("unit", &unit_view(&path));
            cx.insert("fees", &fees);
        })?);

        let commitments = view::commitments(unit, schema);
        let (path, p) = document_page("commitments", "服务承诺");
        facts.push(self.html("commitments.html", p, |cx| {
            cx.insert("unit", &unit_view(&path));
            cx.insert("commitments", &commitments);
        })?);

        let supervision = view::supervision(unit, schema);
        let (path, p) = document_page("supervision", "监督和投诉");
        facts.push(self.html("supervision.html", p, |cx| {
            cx.insert("unit", &unit_view(&path));
            cx.insert("supervision", &supervision);
        })?);

        let path = paths.page("request.html");
        let newest = [updated_of("unit"), updated_of("supervision")].into_iter().flatten().max();
        let p = self.page_view(
            &path,
            "依申请公开",
            self.site.packs.first().and_then(|p| p.source.on_request.as_deref()),
            newest,
            crumbs(&[("依申请公开", &path)]),
        );
        facts.push(self.html("request.html", p, |cx| {
            cx.insert("unit", &unit_view(&path));
            cx.insert("overview", &overview);
            cx.insert("supervision", &supervision);
        })?);

        // pack-defined single-file documents
        for spec in schema.documents.iter().filter(|s| !s.is_collection()) {
            if ["unit", "fees", "commitments", "supervision"].contains(&spec.kind.as_str()) {
                continue;
            }
            let Some(doc) = unit.doc(&spec.kind) else {
                continue;
            };
            let path = paths.page(&format!("{}.html", page_name(&spec.kind)));
            let extras = view::extras(doc.data.as_ref(), &spec.fields, &["updated"]);
            let p = self.page_view(
                &path,
                &spec.title,
                clause_of(&spec.kind),
                updated_of(&spec.kind),
                crumbs(&[(&spec.title, &path)]),
            );
            facts.push(self.html("document.html", p, |cx| {
                cx.insert("unit", &unit_view(&path));
                cx.insert("extras", &extras);
                cx.insert("body_html", "");
                cx.insert("documents", &Vec::<Link>::new());
            })?);
        }

        // attachments: Markdown forms become printable pages, other files are copied; never
        // HTML, SVG or scripts, which would run from the site's own address (`load` already
        // leaves them out and reports them; this holds even for a unit built some other way)
        for rel in unit.attachments.iter().filter(|rel| !crate::extract::refused_by_name(rel)) {
            let src = self.site.root.join(&unit.dir).join(rel);
            let target = paths.page(&attachment_path(rel));
            if rel.ends_with(".md") {
                let Some(text) = crate::input::read_regular(&src, crate::load::MAX_FILE_BYTES)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                else {
                    continue;
                };
                let source = format!("{}/{rel}", unit.dir);
                let rendered = markdown::render(&text, 1, &|d| self.rewrite(&paths, rel, &target, d));
                let title = first_heading(&text)
                    .unwrap_or_else(|| rel.rsplit('/').next().unwrap_or(rel).trim_end_matches(".md").to_string());
                links.extend(rendered.links.iter().map(|l| PendingLink::new(&unit.slug, &source, &target, l)));
                let p = self.page_view(&target, &title, None, None, crumbs(&[(&title, &target)]));
                facts.push(self.html("attachment.html", p, |cx| {
                    cx.insert("unit", &unit_view(&target));
                    cx.insert("body_html", &rendered.html);
                })?);
            } else if let Ok(bytes) = crate::input::read_regular(&src, crate::load::MAX_ATTACHMENT_BYTES) {
                self.sink.put(&target, &bytes)?;
                facts.push(PageFacts { path: target, ids: HashSet::new(), updated: None, html: false });
            }
        }

        // open data, the notices feed, the unit's sitemap
        let mut extra = vec![paths.page("data.json"), paths.page("notices.xml")];
        self.sink.put(&paths.page("data.json"), &self.open_data(unit, result)?)?;
        let feed_entries: Vec<FeedEntry> = notices.iter().map(|(path, n)| self.feed_entry(path, n, &name)).collect();
        let feed = self.feed(
            &format!("{name} · 变动事项和计划"),
            &paths.page("notices.xml"),
            &paths.page("notices.html"),
            feed_entries,
        )?;
        self.sink.put(&paths.page("notices.xml"), feed.as_bytes())?;
        let sitemap = if let Some(base) = &self.base_url {
            let urls: Vec<SitemapUrl> = facts
                .iter()
                .filter(|f| f.html)
                .map(|f| SitemapUrl { loc: absolute(base, &f.path), lastmod: f.updated.clone() })
                .collect();
            let mut cx = tera::Context::new();
            cx.insert("urls", &urls);
            self.sink.put(&paths.page("sitemap.xml"), self.theme.render("sitemap.xml", &cx)?.as_bytes())?;
            extra.push(paths.page("sitemap.xml"));
            true
        } else {
            false
        };

        let (findings, outward) = check_in_unit(&unit.slug, &facts, links);
        let latest = notices.iter().filter_map(|(_, n)| n.date.clone()).max();
        let newest = unit
            .docs
            .iter()
            .filter_map(|d| view::date(d.data.as_ref(), "updated").or_else(|| view::date(d.data.as_ref(), "date")))
            .max();
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
            name: name.clone(),
            sector: view::sector_name(unit, schema),
            files: facts.len() + extra.len(),
            findings,
            outward,
            notices,
            latest,
            newest,
            sitemap,
        })
    }

    fn service(&self, paths: &UnitPaths<'_>, doc: &Doc, path: &str, body_html: String) -> view::Service {
        let data = doc.data.as_ref();
        let forms = view::rows(data, "sample_forms")
            .iter()
            .map(|f| {
                if let Some(raw) = view::raw(f) {
                    // not a name and a file: shown as written, with no link
                    return view::Form { name: raw, href: None, external: false };
                }
                let file = view::text(Some(f), "file");
                let external = crate::shape::is_url(&file);
                // only a web address or a published attachment becomes a link; anything else
                // (a missing file, `javascript:`...) is shown as text, and `check` reports it
                let href = if external {
                    Some(file.clone())
                } else {
                    let rel = file.trim_start_matches("./");
                    paths.published(rel, self.site).map(|to| href(path, &to))
                };

                view::Form { name: view::text(Some(f), "name"), href, external }
            })
            .collect();
        let spec_fields = self.site.schema.doc("services").map(|d| d.fields.clone()).unwrap_or_default();

        view::Service {
            title: view::doc_title(doc),
            href: path.to_string(),
            basis: view::lines(data, "basis"),
            time_limit: view::text(data, "time_limit"),
            procedure: view::lines(data, "procedure"),
            result: view::text(data, "result"),
            materials: view::lines(data, "materials"),
            forms,
            forms_declared: view::declared(data, "sample_forms"),
            place: view::text(data, "place"),
            fee: view::text(data, "fee"),
            body_html,
            updated: view::date(data, "updated"),
            extras: view::extras(data, &spec_fields, view::SERVICE_FIELDS),
        }
    }

    /// Render a document's Markdown body, recording its links.
    fn markdown(
        &self,
        unit: &Unit,
        paths: &UnitPaths<'_>,
        doc: &Doc,
        page: &str,
        links: &mut Vec<PendingLink>,
    ) -> String {
        let Some(body) = &doc.body else {
            return String::new();
        };
        let rel = doc.path.strip_prefix(&format!("{}/", unit.dir)).unwrap_or(&doc.path);
        let rendered = markdown::render(&body.text, body.line, &|d| self.rewrite(paths, rel, page, d));
        links.extend(rendered.links.iter().map(|l| PendingLink::new(&unit.slug, &doc.path, page, l)));
        rendered.html
    }

    /// A link written as a path to a source file (`../fees.yaml`, `../attachments/表.md`) points to
    /// the page that file is published as.
    fn rewrite(&self, paths: &UnitPaths<'_>, source_rel: &str, page: &str, dest: &str) -> Option<String> {
        if dest.contains(':') || dest.starts_with('/') || dest.starts_with('#') {
            return None;
        }
        let (path_part, fragment) = dest.split_once('#').map_or((dest, None), |(p, f)| (p, Some(f)));
        let decoded = percent_decode_str(path_part).decode_utf8().ok()?;
        let base = source_rel.rsplit_once('/').map_or("", |(d, _)| d);
        let target_rel = normalize(&format!("{base}/{decoded}"))?;
        let to = paths.published(&target_rel, self.site)?;
        let mut h = href(page, &to);
        if let Some(f) = fragment {
            h.push('#');
            h.push_str(f);
        }
        Some(h)
    }

    fn open_data(&self, unit: &Unit, result: Option<&crate::check::UnitResult>) -> Result<Vec<u8>> {
        let mut documents = serde_json::Map::new();
        for spec in &self.site.schema.documents {
            let docs: Vec<&Doc> = unit.docs_of(&spec.kind).collect();
            let value = if spec.is_collection() {
                serde_json::Value::Array(
                    docs.iter()
                        .map(|d| {
                            let mut v = d.data.as_ref().map_or(serde_json::Value::Null, to_json);
                            if let serde_json::Value::Object(m) = &mut v {
                                m.insert("file".into(), d.stem.clone().into());
                                m.insert(
                                    "body".into(),
                                    d.body.as_ref().map(|b| b.text.trim().to_string()).unwrap_or_default().into(),
                                );
                            }
                            v
                        })
                        .collect(),
                )
            } else {
                docs.first().and_then(|d| d.data.as_ref()).map_or(serde_json::Value::Null, to_json)
            };
            documents.insert(spec.kind.clone(), value);
        }
        let data = serde_json::json!({
            "schema_version": 1,
            "slug": unit.slug,
            "name": unit.name(),
            "sector": unit.sector,
            "required": result.map(|r| r.completeness.required),
            "published": result.map(|r| r.completeness.published),
            "flags": result.map(|r| &r.completeness.flags),
            "score": result.map(|r| r.completeness.score),
            // a self-check reference (capped while an error remains), not an assessment result
            "grade": result.and_then(|r| r.completeness.grade.as_deref()),
            "documents": documents,
            // items the unit declared absent (`不适用: 原因`) and the pack accepted
            "declarations": result.map_or(&[][..], |r| &r.declarations[..]).iter().map(|d| serde_json::json!({
                "document": d.document,
                "file": d.file.strip_prefix(&format!("{}/", unit.dir)).unwrap_or(&d.file),
                "key": d.key,
                "label": d.label,
                "reason": d.reason,
            })).collect::<Vec<_>>(),
        });
        let mut bytes = serde_json::to_vec_pretty(&data).unwrap_or_default();
        bytes.push(b'\n');
        Ok(bytes)
    }
}

/// The first `# heading` of a Markdown text.
fn first_heading(text: &str) -> Option<String> {
    text.lines().find_map(|l| l.strip_prefix("# ")).map(|h| h.trim().to_string())
}

/// The normalised tree as JSON: canonical keys, text as written. The review record is internal
/// and left out.
pub fn to_json(node: &Node) -> serde_json::Value {
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Text(t) => t.clone().into(),
        Value::List(items) => items.iter().map(to_json).collect(),
        Value::Map(entries) => entries
            .iter()
            .filter(|e| e.key != crate::schema::ACKNOWLEDGEMENTS)
            .map(|e| (e.key.clone(), to_json(&e.value)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}
