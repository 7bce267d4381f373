//! What the desk knows of the portal beside it, read with the `gongkai` library from the site's
//! folder: its units (folder name → name) and the working-day calendar (with the site's local days).

use std::collections::BTreeMap;
use std::path::Path;

use gongkai::calendar::Calendar;
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
}

impl Portal {
    /// Reads the site at `root`.
    pub fn load(root: &Path) -> Result<Portal, String> {
        let site =
            load_site(root, &LoadOptions::default()).map_err(|e| format!("读取站点 {} 失败：{e}", root.display()))?;
        let mut units = BTreeMap::new();
        for dir in &site.units {
            let unit = site.load_unit(dir);
            units.insert(dir.slug.clone(), unit.name().to_owned());
        }
        let title = site.config.title.clone().unwrap_or_else(|| "信息公开".to_owned());
        Ok(Portal { units, calendar: site.env.calendar.clone(), title })
    }

    /// A unit's name, if the portal has it.
    pub fn unit(&self, slug: &str) -> Option<&str> {
        self.units.get(slug).map(String::as_str)
    }
}
