//! `search.html`: the search form, the place for results, and for a browser that runs no
//! script, the way to the 公开目录 of every unit (the no-JavaScript search). Written with the
//! portal pages, after every unit.

use serde::Serialize;

use super::{DIR, PAGE};
use crate::error::Result;
use crate::render::pages::UnitPages;
use crate::render::paths::href;
use crate::render::site::Renderer;
use crate::render::view::Link;

/// Up to this many units, the page lists each unit's 公开目录; a larger portal points to the
/// site map, which lists every unit's pages.
const LISTED_UNITS: usize = 200;

/// `search.html`
#[derive(Serialize)]
struct SearchPage {
    /// The index's `meta.json`, relative to the page (the script finds the rest from it).
    index: String,
    /// Each unit's 公开目录 (empty past [`LISTED_UNITS`]).
    catalogs: Vec<Link>,
    /// The portal's site map.
    site_map: String,
}

impl Renderer<'_> {
    /// The search page. Returns the number of files written.
    pub(in crate::render) fn search_page(&self, units: &[&UnitPages]) -> Result<usize> {
        let catalogs = if units.len() <= LISTED_UNITS {
            (units.iter())
                .map(|u| Link {
                    label: u.name.clone(),
                    href: href(PAGE, &format!("{}/catalog.html", u.slug)),
                    current: false,
                })
                .collect()
        } else {
            Vec::new()
        };
        let view = SearchPage {
            index: href(PAGE, &format!("{DIR}/meta.json")),
            catalogs,
            site_map: href(PAGE, crate::render::portal::SITE_MAP),
        };
        let crumbs = vec![("首页".into(), "index.html".into()), ("站内搜索".into(), PAGE.into())];
        let p = self.page_view(PAGE, "站内搜索", None, None, crumbs);
        self.html("search.html", p, &view)?;
        Ok(1)
    }
}
