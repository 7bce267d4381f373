//! Rule packs: what a measure requires, as data.
//!
//! A pack is a YAML file (see `rules/baiyin-2021.yaml` and the README): its title and source, any
//! fields it adds to the content model, and rules. Each rule names an item (file + field), a
//! citation and a requirement built from a closed set of shapes. This file is the model (what
//! `check` evaluates); `file` is the YAML format and its conversion into the model, `resolve` its
//! validation against the content model. Below `load` (which reads the pack files) and `check`.

mod file;
mod resolve;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::finding::Severity;
use crate::schema::{DocSpec, FieldDef};

pub use file::parse;

/// Built-in packs, embedded in the binary: (file name, text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("baiyin-2021.yaml", include_str!("../../rules/baiyin-2021.yaml")),
    ("ogi-2019.yaml", include_str!("../../rules/ogi-2019.yaml")),
    ("health-2021.yaml", include_str!("../../rules/health-2021.yaml")),
    ("power-2021.yaml", include_str!("../../rules/power-2021.yaml")),
    ("utility-2021.yaml", include_str!("../../rules/utility-2021.yaml")),
    ("transit-2022.yaml", include_str!("../../rules/transit-2022.yaml")),
    ("university-2010.yaml", include_str!("../../rules/university-2010.yaml")),
    ("school-2002.yaml", include_str!("../../rules/school-2002.yaml")),
    ("environment-2021.yaml", include_str!("../../rules/environment-2021.yaml")),
];

/// A citation that names its measure: `第二十六条` of the pack 中华人民共和国政府信息公开条例 is
/// `《中华人民共和国政府信息公开条例》第二十六条`; one that already names a measure (`《城市供水条例》
/// 第二十二条`) is kept as written.
pub fn cite(measure: &str, citation: &str) -> String {
    let citation = citation.trim();
    if citation.starts_with('《') { citation.to_string() } else { format!("《{}》{citation}", measure.trim()) }
}

/// A validated rule pack.
#[derive(Debug, Clone)]
pub struct Pack {
    /// Stable id (`baiyin-2021`).
    pub id: String,
    /// The measure's title.
    pub title: String,
    /// Where its rules come from.
    pub source: Source,
    /// Sectors the whole pack applies to (empty: every unit).
    pub sectors: Vec<String>,
    /// Words that mean "not filled in yet" besides the built-in ones.
    pub placeholders: Vec<String>,
    /// Fields it adds to documents of the content model, by file.
    pub fields: BTreeMap<String, Vec<FieldDef>>,
    /// Documents it adds to the content model.
    pub documents: Vec<DocSpec>,
    /// Its rules, in file order.
    pub rules: Vec<Rule>,
    /// The grade bands a supervising body reads a completeness score with, if this pack names
    /// them (baiyin-2021: 《白银市政务公开工作考核办法(试行)》第十条).
    pub grades: Option<Grades>,
    /// `builtin:baiyin-2021.yaml` or the pack file's path.
    pub origin: String,
}

/// Grade bands for a completeness score, as data: where they come from, the bands from best to
/// worst, and the highest grade a unit may show while an error remains.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Grades {
    /// Where the bands come from, with its article (`《…考核办法(试行)》第十条`).
    pub source: String,
    /// Best first; the last has `min: 0`.
    pub bands: Vec<Band>,
    /// The best grade a unit with an unresolved error may show (a label of `bands`).
    pub cap: String,
}

/// One grade band: a score of at least `min` (out of 100) earns `label`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// The lowest score of the band.
    pub min: u32,
    /// The band's label (优秀).
    pub label: String,
}

impl Grades {
    /// The band of `points` out of `max`, judged on the exact ratio: 89.5 is not 90. Returns
    /// the band's index (0 is the best).
    pub fn band(&self, points: u32, max: u32) -> usize {
        let (points, max) = (u64::from(points), u64::from(max));
        self.bands
            .iter()
            .position(|b| max == 0 || points * 100 >= u64::from(b.min) * max)
            .unwrap_or(self.bands.len().saturating_sub(1))
    }

    /// The index of the cap's band.
    pub fn cap_band(&self) -> usize {
        self.bands.iter().position(|b| b.label == self.cap).unwrap_or(0)
    }

    /// Bands best first, descending, the last at 0, labels unique, the cap one of them.
    fn validate(&self) -> std::result::Result<(), String> {
        if self.bands.is_empty() {
            return Err("`grades.bands` is empty".into());
        }
        if self.bands.windows(2).any(|w| w[0].min <= w[1].min) || self.bands[0].min > 100 {
            return Err("`grades.bands` go from the best (highest `min`, at most 100) down".into());
        }
        if self.bands.last().is_some_and(|b| b.min != 0) {
            return Err("the last of `grades.bands` has `min: 0`".into());
        }
        let labels: std::collections::BTreeSet<&str> = self.bands.iter().map(|b| b.label.as_str()).collect();
        if labels.len() != self.bands.len() {
            return Err("`grades.bands` labels are used twice".into());
        }
        if !labels.contains(self.cap.as_str()) {
            return Err(format!("`grades.cap: {}` is not one of the bands' labels", self.cap));
        }
        Ok(())
    }
}

/// Where a pack's rules come from.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Issuing body (发布机关).
    pub issuer: String,
    /// Title of the measure.
    pub document: String,
    /// Document number (文号), if any.
    #[serde(default)]
    pub number: Option<String>,
    /// Date issued.
    #[serde(default)]
    pub date: Option<String>,
    /// Date it took effect.
    #[serde(default)]
    pub effective: Option<String>,
    /// The article that lets anyone request information beyond what is published (依申请公开),
    /// cited on each unit's request page when this is the site's measure.
    #[serde(default)]
    pub on_request: Option<String>,
    /// The article on the confidentiality review before publication (Baiyin's 第七条), cited by
    /// the report's list of reviewed exceptions.
    #[serde(default)]
    pub review: Option<String>,
    /// The article that lets anyone complain, report or sue over disclosure (Baiyin's 第十条),
    /// cited on the request page.
    #[serde(default)]
    pub remedy: Option<String>,
    /// Where the measure's text can be read.
    #[serde(default)]
    pub url: Option<String>,
}

/// One requirement of a measure.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `<pack>/<rule>`, stable across releases. (Shared strings: every unit's outcome names its
    /// rule, and a province has tens of thousands of units.)
    pub id: Arc<str>,
    /// The article as the pack writes it (`第五条第(三)项`).
    pub citation: Arc<str>,
    /// The article with its measure, as every message cites it: `《…办法(试行)》第五条第(三)项`.
    pub cited: Arc<str>,
    /// The item, in Chinese.
    pub title: Arc<str>,
    /// The file or folder the pack names (`fees.yaml`, `services/`, `*` for every document).
    pub file: String,
    /// Which documents the rule looks at, found from `file` by [`Pack::resolve`].
    pub target: Target,
    /// Dotted path of the field; `None` for a rule on a collection's documents themselves.
    pub field: Option<String>,
    /// For a folder of documents: only those whose fields have one of these values
    /// (`where: {类别: [计划停电, 临时停电]}`), by canonical field key.
    pub filter: Vec<(String, Vec<String>)>,
    /// What makes the item complete, or on time.
    pub check: Check,
    /// Rules on the same topic (e.g. `update-deadline`): for a unit only the strictest verified
    /// one applies, so a ministry's shorter deadline replaces the municipal default.
    pub topic: Option<String>,
    /// Weight in the completeness score (0: a reminder).
    pub weight: u32,
    /// What failing it is.
    pub severity: Severity,
    /// `false` for rules whose source text has not been confirmed: reported as warnings saying so.
    pub verified: bool,
    /// The sectors it applies to (empty: every unit).
    pub sectors: Vec<String>,
    /// What to add, in the pack author's words.
    pub hint: Option<String>,
    /// The item may honestly not exist at a unit (no fax, no fees): a declaration
    /// `不适用: 原因` fulfils the rule and is published as a statement. Elsewhere it is a finding.
    pub may_be_absent: bool,
}

/// The closed set of checks a rule can make.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// The item is there, filled in, of the right shape.
    Item(Requirement),
    /// Published within `days` of the date in field `from` (formed or changed); the publication
    /// date is the first of the fields `to` the item carries, or today when it carries none.
    Within {
        /// How many days.
        days: u32,
        /// Working days (else calendar days).
        working: bool,
        /// The field with the date the period starts from.
        from: String,
        /// The fields that may hold the publication date, first found wins.
        to: Vec<String>,
    },
    /// Published (field `from`) at least `days` calendar days before the date in field `to`
    /// (when the change takes effect).
    Ahead {
        /// How many calendar days ahead.
        days: u32,
        /// The field with the publication date.
        from: String,
        /// The field with the date the change takes effect.
        to: String,
    },
    /// Published again at least every `every`, or each year by `by` (month, day); `date` is the
    /// field holding each publication's date.
    Cadence {
        /// The longest gap between publications.
        every: Option<Period>,
        /// The (month, day) by which each year's publication is due.
        by: Option<(i8, i8)>,
        /// `by: site`: the date is the site's (`期限:` in `gongkai.yaml`), not the measure's;
        /// `by` stays `None`, and the rule unchecked, until the site sets one.
        site: bool,
        /// The field with each publication's date.
        date: String,
    },
    /// Every change, withdrawal or termination in an item's history (`变更记录`) has a date and an
    /// explanation, and a withdrawn item says when and why.
    Explained,
    /// For each matter (field `matter`), a published final stage needs its earlier stages
    /// (field `stage`, values in order in `stages`) published too.
    Lifecycle {
        /// The field naming the matter.
        matter: String,
        /// The field naming the stage.
        stage: String,
        /// The stages, in order.
        stages: Vec<String>,
    },
    /// The date in field `date` (default `updated`, 更新日期) is no older than `max_age`: content
    /// not looked at for longer is probably out of date.
    Fresh {
        /// The oldest the date may be.
        max_age: Period,
        /// The field with the date.
        date: String,
    },
}

/// A period of `cadence` and `fresh` rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// A calendar month.
    Month,
    /// A quarter (three months).
    Quarter,
    /// A year.
    Year,
}

impl Period {
    /// Its length in months.
    pub fn months(self) -> i32 {
        match self {
            Period::Month => 1,
            Period::Quarter => 3,
            Period::Year => 12,
        }
    }

    /// Its name in Chinese (月, 季度, 年).
    pub fn zh(self) -> &'static str {
        match self {
            Period::Month => "每月",
            Period::Quarter => "每季度",
            Period::Year => "每年",
        }
    }

    /// The length of the period, in words (`一年`).
    pub fn length_zh(self) -> &'static str {
        match self {
            Period::Month => "一个月",
            Period::Quarter => "三个月",
            Period::Year => "一年",
        }
    }
}

impl Check {
    /// The item requirement, for an item rule.
    pub fn item(&self) -> Option<&Requirement> {
        match self {
            Check::Item(r) => Some(r),
            _ => None,
        }
    }

    /// The limit in days of a deadline check, for choosing the strictest.
    pub fn days(&self) -> Option<u32> {
        match self {
            Check::Within { days, .. } | Check::Ahead { days, .. } => Some(*days),
            _ => None,
        }
    }
}

/// What makes an item complete.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirement {
    /// The shape the value must have.
    pub shape: Shape,
    /// For lists: the fewest entries allowed.
    pub min: usize,
    /// For lists: what each entry must carry, by sub-field key.
    pub each: Vec<(String, Requirement)>,
}

/// The closed set of shapes a value can be required to have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// Present, not blank, not a placeholder.
    Text,
    /// A phone number: landline with area code, mobile, or service hotline.
    Phone,
    /// A phone number or e-mail address the public can use (a masked mobile is reported).
    Contact,
    /// An e-mail address.
    Email,
    /// A six-digit postcode.
    Postcode,
    /// A date.
    Date,
    /// A web address.
    Url,
    /// An attachment in the unit folder, or a web address.
    File,
    /// A list with at least `min` entries, each with the `each` sub-fields.
    List,
}

impl Shape {
    /// How to write a value of this shape, in Chinese.
    pub fn example(self) -> &'static str {
        match self {
            Shape::Text => "实际内容",
            Shape::Phone => "带区号的固定电话（0943-8221234）、手机号或 95598、12345 等服务热线",
            Shape::Contact => "带区号的办公电话（0943-8221234）、本人同意公开的手机号或电子邮箱",
            Shape::Email => "电子邮箱，例如 xinxi@example.org.cn",
            Shape::Postcode => "6 位数字的邮政编码，例如 730900",
            Shape::Date => "日期，例如 2024-03-01 或 2024年3月1日",
            Shape::Url => "以 https:// 开头的网址",
            Shape::File => "attachments/ 下的文件名，例如 attachments/申请表.docx，或以 https:// 开头的网址",
            Shape::List => "列表，每项以「- 」开头",
        }
    }

    /// The shape in words, for messages.
    pub fn zh(self) -> &'static str {
        match self {
            Shape::Text => "文字",
            Shape::Phone => "电话号码",
            Shape::Contact => "联系方式",
            Shape::Email => "电子邮箱",
            Shape::Postcode => "邮政编码",
            Shape::Date => "日期",
            Shape::Url => "网址",
            Shape::File => "文件或网址",
            Shape::List => "列表",
        }
    }
}

impl Rule {
    /// Does the pack apply to a unit of this sector?
    pub fn applies_to(&self, sector: Option<&str>) -> bool {
        self.sectors.is_empty() || sector.is_some_and(|s| self.sectors.iter().any(|p| p == s))
    }
}

/// `file:` of a rule that applies to every document of a unit.
pub(crate) const ALL_DOCUMENTS: &str = "*";

/// Which documents a rule looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every document of a unit (`file: "*"`): only `within`, `explained` and `fresh` rules.
    AllDocuments,
    /// The documents of one kind of the content model (`fees`, `services`, a pack's `routes`).
    Doc(String),
    /// Not yet resolved against the content model: between [`parse`] and [`Pack::resolve`].
    Unresolved,
}

/// What a timing rule needs of a field it names (checked against the content model by
/// `Pack::resolve`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A date field of the document.
    Date,
    /// A date field, where the document has the field at all (`within` on every document).
    DateIfThere,
    /// A field of any type.
    Field,
}

impl Check {
    /// The fields the rule names, and what it needs of each: the one place a new kind says it.
    pub fn fields(&self) -> Vec<(&str, Need)> {
        match self {
            Check::Item(_) | Check::Explained => Vec::new(),
            Check::Within { from, to, .. } => {
                std::iter::once(from).chain(to).map(|k| (k.as_str(), Need::DateIfThere)).collect()
            }
            Check::Ahead { from, to, .. } => vec![(from, Need::Date), (to, Need::Date)],
            Check::Cadence { date, .. } => vec![(date, Need::Date)],
            Check::Fresh { date, .. } => vec![(date, Need::DateIfThere)],
            Check::Lifecycle { matter, stage, .. } => vec![(matter, Need::Field), (stage, Need::Field)],
        }
    }
}

impl Rule {
    /// The document kind the rule looks at, when it looks at one kind.
    pub fn kind(&self) -> Option<&str> {
        match &self.target {
            Target::Doc(kind) => Some(kind),
            Target::AllDocuments | Target::Unresolved => None,
        }
    }
}
