//! The loaded content as plain data: a site, its unit folders, each unit's documents.
//!
//! The bottom of the content layers: `load` fills it in, `check`, `render` and `report` read it.
//! It knows the content model (`schema`) and the rule packs only as values it carries; it evaluates
//! no rule and reads no file.

use std::path::PathBuf;

use crate::calendar::Env;
use crate::config::Config;
use crate::finding::Finding;
use crate::pack::Pack;
use crate::privacy;
use crate::schema::Schema;
use crate::yaml::Node;

/// A loaded site.
#[derive(Debug)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    /// The content model, with the active packs' additions.
    pub schema: Schema,
    /// The rule packs applied to this site, in the order the configuration lists them.
    pub packs: Vec<Pack>,
    /// The unit folders, sorted; load one with `Site::load_unit`.
    pub units: Vec<UnitDir>,
    /// Site-wide problems (configuration that names no unit, stray files in `content/`).
    pub findings: Vec<Finding>,
    /// Today and the working-day calendar, for deadlines.
    pub env: Env,
}

/// A unit folder, before it is loaded.
#[derive(Debug, Clone)]
pub struct UnitDir {
    pub slug: String,
    pub path: PathBuf,
    /// Problems known from the folder's name alone (a case-insensitive clash).
    pub findings: Vec<Finding>,
}

/// One unit (单位): a folder under `content/`.
#[derive(Debug)]
pub struct Unit {
    /// The folder name; also the unit's address on the site.
    pub slug: String,
    /// Site-relative path of the folder (`content/<slug>`).
    pub dir: String,
    /// Canonical sector key (`school`, `hospital`...), if known.
    pub sector: Option<String>,
    pub docs: Vec<Doc>,
    /// Other files in the folder (application forms, images), relative to the unit folder.
    pub attachments: Vec<String>,
    /// Problems found while loading.
    pub findings: Vec<Finding>,
    /// What the privacy scan found in attachment names and Markdown attachments.
    pub privacy: Vec<privacy::Located>,
}

/// One content file of a unit.
#[derive(Debug)]
pub struct Doc {
    /// Which document of the content model (`unit`, `fees`, `services`...).
    pub kind: String,
    /// Site-relative path, `/`-separated.
    pub path: String,
    /// File name without extension (the page name for collections).
    pub stem: String,
    /// The YAML (or front matter), normalised to canonical keys; `None` if the file is unusable.
    pub data: Option<Node>,
    /// The Markdown body, for Markdown files.
    pub body: Option<Body>,
    /// What the privacy scan found in its published text (before acknowledgements).
    pub privacy: Vec<privacy::Located>,
}

#[derive(Debug)]
pub struct Body {
    pub text: String,
    /// The line of the file where the body starts (1-based).
    pub line: u32,
}

impl Unit {
    /// The first document of a kind (single-file documents have at most one).
    pub fn doc(&self, kind: &str) -> Option<&Doc> {
        self.docs.iter().find(|d| d.kind == kind)
    }

    pub fn docs_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Doc> + 'a {
        self.docs.iter().filter(move |d| d.kind == kind)
    }

    /// The unit's name from `unit.yaml`, or its folder name.
    pub fn name(&self) -> &str {
        self.doc("unit")
            .and_then(|d| d.data.as_ref()?.text("name"))
            .filter(|n| !crate::shape::is_placeholder(n, &[]))
            .unwrap_or(&self.slug)
    }

    /// A unit folder with nothing in it: one finding says so, no rule is checked.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty() && self.attachments.is_empty()
    }

    pub fn has_attachment(&self, rel: &str) -> bool {
        self.attachments.iter().any(|a| a == rel)
    }
}

impl Doc {
    /// The document's name in messages: its 标题, unless that is blank or still a placeholder
    /// (`待补充` is no name), else its file name.
    pub fn name(&self) -> &str {
        self.data
            .as_ref()
            .and_then(|d| d.text("title"))
            .filter(|t| !crate::shape::is_placeholder(t, &[]))
            .unwrap_or(&self.stem)
    }
}
