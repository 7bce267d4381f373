//! The loaded content as plain data: a site, its unit folders, each unit's documents.
//!
//! The bottom of the content layers: `load` fills it in, `check`, `render` and `report` read it.
//! It knows the content model (`schema`) and the rule packs only as values it carries; it evaluates
//! no rule and reads no file. What the 第六条 review scans is kept here as text (each document's
//! YAML as written, each attachment's extracted text), so that `check` scans it and `load` only
//! reads.

use std::path::PathBuf;

use crate::calendar::Env;
use crate::config::Config;
use crate::extract;
use crate::finding::Finding;
use crate::pack::Pack;
use crate::schema::Schema;
use crate::yaml::Node;

/// A loaded site.
#[derive(Debug)]
pub struct Site {
    /// The site root (the folder holding `content/`).
    pub root: PathBuf,
    /// `gongkai.yaml`, or the defaults.
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
    /// The publication record so far (`record/`), verified; empty before the first build. `None`
    /// when the load kept only its 索引号 (`LoadOptions::record`): then nothing may be built.
    pub record: Option<crate::record::Record>,
    /// Every document the record says was published (source path → 索引号 and date), to name
    /// those deleted since (第十二条(三)(五)).
    pub published: std::collections::BTreeMap<String, crate::record::numbers::Published>,
    /// The highest sequence of 索引号 the record assigned per code and year, every number ever
    /// assigned counted: new numbers come after.
    pub sequences: crate::record::numbers::Sequences,
    /// 统一社会信用代码 more than one unit declares (each has a finding): no 索引号 is made of them.
    pub shared_codes: std::collections::BTreeSet<String>,
    /// Drafts stay among a unit's documents, to be shown marked as drafts (`serve --drafts`);
    /// otherwise they are set aside in `Unit::drafts`.
    pub drafts: bool,
    /// Built for another address than the one `gongkai.yaml` gives (`--base-url`, a staging
    /// site): not a publication. Nothing is recorded, and its pages cannot be compared with the
    /// recorded ones byte for byte (the address is in them).
    pub elsewhere: bool,
}

/// A unit folder, before it is loaded.
#[derive(Debug, Clone)]
pub struct UnitDir {
    /// The folder name.
    pub slug: String,
    /// The folder.
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
    /// Its content files, in path order: what is published (drafts only when the site shows them).
    pub docs: Vec<Doc>,
    /// Its drafts (`草稿: true`), in path order: never published, so never checked as published
    /// content; only the 第六条 scan reads them, and its hits there are warnings.
    pub drafts: Vec<Doc>,
    /// Other files in the folder (application forms, images), relative to the unit folder.
    pub attachments: Vec<String>,
    /// Problems found while loading.
    pub findings: Vec<Finding>,
    /// The text of every attachment read, in the order read (refused ones too: their names are
    /// scanned), for the 第六条 review.
    pub texts: Vec<AttachmentText>,
}

/// What an attachment publishes in words: its name and the text read out of it.
#[derive(Debug)]
pub struct AttachmentText {
    /// Relative to the unit folder (`attachments/名单.txt`): published in the attachment's address.
    pub rel: String,
    /// Site-relative path.
    pub file: String,
    /// The text read out of it, in reading order (none when it could not be read).
    pub parts: Vec<extract::Part>,
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
    /// The YAML as written, for the 第六条 review; `None` when the file could not be read or its
    /// YAML could not be parsed (or is empty): then nothing of it is published.
    pub source: Option<Source>,
}

/// A document's YAML as written, for the 第六条 review, which places each hit in it.
#[derive(Debug)]
pub struct Source {
    /// The whole file, or a Markdown file's front matter.
    pub yaml: String,
    /// Lines of the file above `yaml` (the `---` over front matter).
    pub line_offset: u32,
    /// The parsed YAML when its top is not a mapping, so not the document's `data` (a list or a
    /// bare value): scanned all the same.
    pub stray: Option<Node>,
}

/// The Markdown text of a content file, after its front matter.
#[derive(Debug)]
pub struct Body {
    /// The text as written.
    pub text: String,
    /// The line of the file where the body starts (1-based).
    pub line: u32,
}

impl Unit {
    /// The first document of a kind (single-file documents have at most one).
    pub fn doc(&self, kind: &str) -> Option<&Doc> {
        self.docs.iter().find(|d| d.kind == kind)
    }

    /// Every document of a kind (a folder's documents).
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

    /// The unit has this attachment (relative to its folder).
    pub fn has_attachment(&self, rel: &str) -> bool {
        self.attachments.iter().any(|a| a == rel)
    }
}

impl Doc {
    /// Is it a draft (`草稿: true`), never to be published as it is?
    pub fn is_draft(&self) -> bool {
        self.data
            .as_ref()
            .and_then(|d| d.get(crate::schema::DRAFT))
            .is_some_and(|n| matches!(n.value, crate::yaml::Value::Bool(true)))
    }

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
