//! The portal's 公开目录 (`catalog.html`): for each sector, every group of the units' catalogues
//! with its 依据 and 时限 under the sector's packs and how many units publish it, then every unit
//! of the sector with a link to its own 公开目录, which lists each item and document. Two levels,
//! so that the page stays small at ten thousand units while everything is two links away. Built
//! from each unit's summary (`UnitPages::catalog`) after every unit is rendered.

use serde::Serialize;

use super::pages::{UnitPages, basis_and_limits};
use super::paths::href;
use super::site::Renderer;
use crate::check::applicable_to;
use crate::error::Result;

/// The portal's catalogue's path.
pub(super) const SITE_CATALOG: &str = "catalog.html";

/// One group (事项) of a sector's catalogues.
#[derive(Serialize)]
struct Item {
    title: String,
    basis: String,
    limits: Vec<String>,
    /// A folder of documents: `documents` counts them; otherwise `complete` counts the units that
    /// publish every item of it.
    collection: bool,
    documents: u32,
    complete: usize,
    /// Units whose catalogue has the group.
    units: usize,
}

/// A unit of a sector, with its catalogue.
#[derive(Serialize)]
struct CatalogUnit {
    name: String,
    href: String,
    /// Documents its catalogue lists, and required items published of those required.
    documents: u32,
    published: u32,
    required: u32,
}

/// The catalogue of one sector.
#[derive(Serialize)]
struct Sector {
    /// Anchor.
    id: String,
    name: String,
    items: Vec<Item>,
    units: Vec<CatalogUnit>,
}

/// `catalog.html` at the portal's root.
#[derive(Serialize)]
struct SiteCatalogPage {
    sectors: Vec<Sector>,
}

impl Renderer<'_> {
    /// `catalog.html`: the portal's 公开目录, by sector. Returns the number of files written.
    pub(super) fn site_catalog(&self, units: &[&UnitPages]) -> Result<usize> {
        let path = SITE_CATALOG;
        let schema = &self.site.schema;
        let mut sectors = Vec::new();
        let named = schema.sectors.iter().map(|s| (s.zh.as_str(), Some(s.key.as_str())));
        for (i, (name, key)) in named.chain([("其他", None)]).enumerate() {
            let of: Vec<&UnitPages> = units.iter().copied().filter(|u| u.sector == name).collect();
            if of.is_empty() || sectors.iter().any(|s: &Sector| s.name == name) {
                continue;
            }
            let rules = applicable_to(key, &self.site.packs);
            // the groups in the order the sector's units list them
            let mut items: Vec<(String, Item)> = Vec::new();
            for c in of.iter().flat_map(|u| &u.catalog) {
                let at = match items.iter().position(|(kind, _)| *kind == c.kind) {
                    Some(at) => at,
                    None => {
                        let clause = self.clause_of_kind(&c.kind);
                        let (basis, limits) = basis_and_limits(self.site, &rules, &c.kind, clause.as_deref());
                        let item = Item {
                            title: c.title.clone(),
                            basis,
                            limits,
                            collection: c.collection,
                            documents: 0,
                            complete: 0,
                            units: 0,
                        };
                        items.push((c.kind.clone(), item));
                        items.len() - 1
                    }
                };
                let item = &mut items[at].1;
                item.units += 1;
                item.documents += c.published;
                item.complete += usize::from(c.published == c.listed);
            }
            let units = of
                .iter()
                .map(|u| {
                    let (docs, single): (Vec<_>, Vec<_>) = u.catalog.iter().partition(|c| c.collection);
                    CatalogUnit {
                        name: u.name.clone(),
                        href: href(path, &format!("{}/catalog.html", u.slug)),
                        documents: docs.iter().map(|c| c.published).sum(),
                        published: single.iter().map(|c| c.published).sum(),
                        required: single.iter().map(|c| c.listed).sum(),
                    }
                })
                .collect();
            let id = key.map_or_else(|| format!("sector-{i}"), str::to_string);
            sectors.push(Sector {
                id,
                name: name.to_string(),
                items: items.into_iter().map(|(_, i)| i).collect(),
                units,
            });
        }
        let crumbs = vec![("首页".into(), "index.html".into()), ("公开目录".into(), path.into())];
        let p = self.page_view(path, "公开目录", None, None, crumbs);
        self.html("site-catalog.html", p, &SiteCatalogPage { sectors })?;
        Ok(1)
    }
}
