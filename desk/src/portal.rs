//! What the desk knows of the portal beside it, read with the `gongkai` library from the site's
//! folder: its units (folder name → name) and the working-day calendar (with the site's local days).

use std::collections::BTreeMap;
use std::path::Path;

use gongkai::calendar::Calendar;
use gongkai::desk::ReplyPeriod;
use gongkai::load::{LoadOptions, load_site};

/// The portal's units and calendar.
#[derive(Debug, Clone)]
pub struct Portal {
    /// Folder name → the unit's name.
    pub units: BTreeMap<String, String>,
    /// Working days.
    pub calendar: Calendar,
    /// The site's title.
    pub title: String,
    /// Folder name → the reply period its packs set (the units whose packs set none are absent:
    /// 20 working days).
    pub reply: BTreeMap<String, ReplyPeriod>,
}

impl Portal {
    /// Reads the site at `root`.
    pub fn load(root: &Path) -> Result<Portal, String> {
        let site =
            load_site(root, &LoadOptions { record: gongkai::load::RecordUse::Numbers, ..LoadOptions::default() })
                .map_err(|e| format!("读取站点 {} 失败：{e}", root.display()))?;
        let mut units = BTreeMap::new();
        let mut reply = BTreeMap::new();
        for dir in &site.units {
            let unit = site.load_unit(dir);
            units.insert(dir.slug.clone(), unit.name().to_owned());
            let period = ReplyPeriod::for_unit(unit.sector.as_deref(), &site.packs);
            if period != ReplyPeriod::default() {
                reply.insert(dir.slug.clone(), period);
            }
        }
        let title = site.config.title.clone().unwrap_or_else(|| "信息公开".to_owned());
        Ok(Portal { units, calendar: site.env.calendar.clone(), title, reply })
    }

    /// The reply period of a unit's applications.
    pub fn reply(&self, slug: &str) -> ReplyPeriod {
        self.reply.get(slug).cloned().unwrap_or_default()
    }

    /// A unit's name, if the portal has it.
    pub fn unit(&self, slug: &str) -> Option<&str> {
        self.units.get(slug).map(String::as_str)
    }
}
