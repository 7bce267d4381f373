//! 第五条(二): one page per service (办事服务, `services/*.md`) and the list of them, in the
//! order the unit gives (`order`), then by title.

use serde::Serialize;

use super::{Built, UnitCx};
use crate::error::Result;
use crate::model::Doc;
use crate::render::paths::href;
use crate::render::view::{self, Service};

/// `service.html`
#[derive(Serialize)]
struct ServicePage<'a> {
    service: &'a Service,
}

/// `services.html`
#[derive(Serialize)]
struct ServicesPage {
    services: Vec<Service>,
}

pub(super) fn build(cx: &mut UnitCx<'_, '_>, b: &Built) -> Result<()> {
    let mut services = Vec::new();
    for doc in cx.unit.docs_of(b.kind) {
        let path = cx.published_path(doc);
        let body = cx.markdown(doc, &path);
        let service = service(cx, doc, &path, body);
        let title = view::doc_title(doc);
        let updated = service.updated.clone();
        cx.item_page(b, "service.html", (&path, &title), updated, &ServicePage { service: &service })?;
        let order = doc.data.as_ref().and_then(|d| d.text("order")).and_then(|o| o.parse::<i64>().ok());
        services.push((order.unwrap_or(i64::MAX), service));
    }
    services.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.title.cmp(&b.1.title)));
    let mut services: Vec<Service> = services.into_iter().map(|(_, s)| s).collect();
    for s in &mut services {
        s.href = href(&b.path, &s.href);
    }
    let newest = services.iter().filter_map(|s| s.updated.clone()).max();
    cx.main_page(b, newest, &ServicesPage { services })
}

fn service(cx: &UnitCx<'_, '_>, doc: &Doc, path: &str, body_html: String) -> Service {
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
                cx.paths.published(rel, cx.r.site).map(|to| href(path, &to))
            };
            view::Form { name: view::text(Some(f), "name"), href, external }
        })
        .collect();
    let spec_fields = cx.spec("services").map(|d| &d.fields[..]).unwrap_or_default();
    Service {
        index_number: cx.index_number(doc),
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
        extras: view::extras(data, spec_fields, view::SERVICE_FIELDS),
    }
}
