//! Rule packs: what a measure requires, as data.
//!
//! A pack is a YAML file (see `rules/baiyin-2021.yaml` and the README): its title and source, any
//! fields it adds to the content model, and rules. Each rule names an item (file + field), a
//! citation and a requirement built from a closed set of shapes. This module reads and validates
//! packs; `check` evaluates them.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::schema::{DocSpec, FieldDef, FieldType, Schema};
use crate::yaml::Pos;

/// Built-in packs, embedded in the binary: (file name, text).
pub const BUILTIN: &[(&str, &str)] = &[
    ("baiyin-2021.yaml", include_str!("../rules/baiyin-2021.yaml")),
    ("ogi-2019.yaml", include_str!("../rules/ogi-2019.yaml")),
    ("health-2021.yaml", include_str!("../rules/health-2021.yaml")),
    ("power-2021.yaml", include_str!("../rules/power-2021.yaml")),
    ("utility-2021.yaml", include_str!("../rules/utility-2021.yaml")),
    ("transit-2022.yaml", include_str!("../rules/transit-2022.yaml")),
    ("university-2010.yaml", include_str!("../rules/university-2010.yaml")),
    ("school-2002.yaml", include_str!("../rules/school-2002.yaml")),
    ("environment-2021.yaml", include_str!("../rules/environment-2021.yaml")),
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
    pub id: String,
    pub title: String,
    pub source: Source,
    /// Sectors the whole pack applies to (empty: every unit).
    pub sectors: Vec<String>,
    pub placeholders: Vec<String>,
    pub fields: BTreeMap<String, Vec<FieldDef>>,
    pub documents: Vec<DocSpec>,
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
    pub min: u32,
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
    pub title: Arc<str>,
    /// The document kind the item lives in (`unit`, `fees`, `services`...).
    pub doc: String,
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
    pub weight: u32,
    pub severity: Severity,
    /// `false` for rules whose source text has not been confirmed: reported as warnings saying so.
    pub verified: bool,
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
    /// date is field `to`, or today when the item carries none.
    Within { days: u32, working: bool, from: String, to: String },
    /// Published (field `from`) at least `days` calendar days before the date in field `to`
    /// (when the change takes effect).
    Ahead { days: u32, from: String, to: String },
    /// Published again at least every `every`, or each year by `by` (month, day); `date` is the
    /// field holding each publication's date.
    Cadence { every: Option<Period>, by: Option<(i8, i8)>, date: String },
    /// Every change, withdrawal or termination in an item's history (`变更记录`) has a date and an
    /// explanation, and a withdrawn item says when and why.
    Explained,
    /// For each matter (field `matter`), a published final stage needs its earlier stages
    /// (field `stage`, values in order in `stages`) published too.
    Lifecycle { matter: String, stage: String, stages: Vec<String> },
    /// The date in field `date` (default `updated`, 更新日期) is no older than `max_age`: content
    /// not looked at for longer is probably out of date.
    Fresh { max_age: Period, date: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Month,
    Quarter,
    Year,
}

impl Period {
    pub fn months(self) -> i32 {
        match self {
            Period::Month => 1,
            Period::Quarter => 3,
            Period::Year => 12,
        }
    }

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
    Email,
    Postcode,
    Date,
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

// ---- the file format -------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackFile {
    id: String,
    title: String,
    source: Source,
    #[serde(default)]
    sectors: Vec<String>,
    #[serde(default)]
    placeholders: Vec<String>,
    #[serde(default)]
    fields: BTreeMap<String, Vec<FieldDef>>,
    #[serde(default)]
    documents: Vec<DocSpec>,
    #[serde(default)]
    grades: Option<Grades>,
    rules: Vec<RuleDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDef {
    id: String,
    citation: String,
    title: String,
    file: String,
    #[serde(default)]
    field: Option<String>,
    require: RequireDef,
    #[serde(default)]
    min: Option<usize>,
    #[serde(default)]
    each: BTreeMap<String, EachDef>,
    #[serde(default, rename = "where")]
    filter: BTreeMap<String, OneOrMany>,
    #[serde(default)]
    days: Option<u32>,
    /// `working` (default) or `calendar` days.
    #[serde(default)]
    unit: Option<DayUnit>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    every: Option<Period>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    matter: Option<String>,
    #[serde(default)]
    stage: Option<String>,
    #[serde(default)]
    stages: Vec<String>,
    #[serde(default)]
    max_age: Option<Period>,
    #[serde(default)]
    topic: Option<String>,
    #[serde(default = "one")]
    weight: u32,
    #[serde(default)]
    severity: Option<SeverityDef>,
    #[serde(default)]
    status: Status,
    #[serde(default)]
    sectors: Vec<String>,
    #[serde(default)]
    hint: Option<String>,
    #[serde(default)]
    may_be_absent: bool,
}

fn one() -> u32 {
    1
}

/// `require:` is a value shape (an item) or one of the timing checks.
#[derive(Debug, Clone, Copy)]
enum RequireDef {
    Shape(Shape),
    Timing(TimingKind),
}

const REQUIRE_NAMES: &[&str] = &[
    "text",
    "phone",
    "contact",
    "email",
    "postcode",
    "date",
    "url",
    "file",
    "list",
    "within",
    "ahead",
    "cadence",
    "explained",
    "lifecycle",
    "fresh",
];

impl<'de> Deserialize<'de> for RequireDef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        let as_value = de::value::StrDeserializer::<de::value::Error>::new(&name);
        if let Ok(shape) = Shape::deserialize(as_value) {
            return Ok(RequireDef::Shape(shape));
        }
        let as_value = de::value::StrDeserializer::<de::value::Error>::new(&name);
        TimingKind::deserialize(as_value)
            .map(RequireDef::Timing)
            .map_err(|_| de::Error::unknown_variant(&name, REQUIRE_NAMES))
    }
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum TimingKind {
    Within,
    Ahead,
    Cadence,
    Explained,
    Lifecycle,
    Fresh,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum DayUnit {
    Working,
    Calendar,
}

/// A value or a list of values.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReqDef {
    require: Shape,
    #[serde(default)]
    min: Option<usize>,
    #[serde(default)]
    each: BTreeMap<String, EachDef>,
}

/// `each:` values are a shape (`basis: text`) or a nested requirement (`{require: list, ...}`).
#[derive(Debug)]
struct EachDef(ReqDef);

impl<'de> Deserialize<'de> for EachDef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EachDef;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a shape (text, phone, ...) or a mapping with `require:`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<EachDef, E> {
                let shape = Shape::deserialize(de::value::StrDeserializer::<E>::new(s))?;
                Ok(EachDef(ReqDef { require: shape, min: None, each: BTreeMap::new() }))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> std::result::Result<EachDef, A::Error> {
                ReqDef::deserialize(de::value::MapAccessDeserializer::new(map)).map(EachDef)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum SeverityDef {
    Error,
    Warning,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Status {
    #[default]
    Verified,
    Unverified,
}

// ---- reading and validating ------------------------------------------------------------------

/// Parse a pack file. `origin` names it in errors (a path, or `builtin:NAME`).
pub fn parse(text: &str, origin: &str) -> Result<Pack> {
    let err = |pos: Option<Pos>, message: String| Error::Pack { file: origin.to_string(), pos, message };
    let file: PackFile = serde_saphyr::from_str(text).map_err(|e| {
        let pos = e.location().map(|l| Pos::new(l.line() as u32, l.column() as u32));
        err(pos, e.to_string().lines().next().unwrap_or_default().trim_start_matches("error: ").to_string())
    })?;
    if !is_id(&file.id) {
        return Err(err(None, format!("pack id `{}` must be lowercase letters, digits and `-`", file.id)));
    }
    if let Some(g) = &file.grades {
        g.validate().map_err(|m| err(None, m))?;
    }
    let mut seen = BTreeMap::new();
    let mut rules = Vec::with_capacity(file.rules.len());
    for def in file.rules {
        if !is_id(&def.id) {
            return Err(err(None, format!("rule id `{}` must be lowercase letters, digits and `-`", def.id)));
        }
        if seen.insert(def.id.clone(), ()).is_some() {
            return Err(err(None, format!("rule id `{}` is used twice", def.id)));
        }
        if def.citation.trim().is_empty() {
            return Err(err(None, format!("rule `{}` has no citation", def.id)));
        }
        let verified = def.status == Status::Verified;
        let check = timing_check(&def).map_err(|m| err(None, format!("rule `{}`: {m}", def.id)))?;
        let severity = match (def.severity, verified) {
            (_, false) | (Some(SeverityDef::Warning), _) => Severity::Warning,
            _ => Severity::Error,
        };
        rules.push(Rule {
            id: format!("{}/{}", file.id, def.id).into(),
            cited: cite(&file.title, &def.citation).into(),
            citation: def.citation.into(),
            title: def.title.into(),
            doc: def.file,
            field: def.field,
            filter: def
                .filter
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        match v {
                            OneOrMany::One(s) => vec![s],
                            OneOrMany::Many(v) => v,
                        },
                    )
                })
                .collect(),
            check: match (check, def.require) {
                (Some(c), _) => c,
                (None, RequireDef::Shape(shape)) => {
                    Check::Item(requirement(ReqDef { require: shape, min: def.min, each: def.each }))
                }
                (None, RequireDef::Timing(_)) => unreachable!("timing_check handles every timing kind"),
            },
            topic: def.topic,
            weight: def.weight,
            severity,
            verified,
            sectors: def.sectors,
            hint: def.hint,
            may_be_absent: def.may_be_absent,
        });
    }
    Ok(Pack {
        id: file.id,
        title: file.title,
        source: file.source,
        sectors: file.sectors,
        placeholders: file.placeholders,
        fields: file.fields,
        documents: file.documents,
        rules,
        grades: file.grades,
        origin: origin.to_string(),
    })
}

/// The timing check a rule asks for, with its parameters checked; `None` for an item rule.
fn timing_check(def: &RuleDef) -> std::result::Result<Option<Check>, String> {
    let RequireDef::Timing(kind) = def.require else {
        if def.days.is_some() || def.from.is_some() || def.every.is_some() || def.by.is_some() {
            return Err("days/from/to/every/by belong to within, ahead and cadence rules".into());
        }
        if def.max_age.is_some() {
            return Err("`max_age` belongs to `require: fresh`".into());
        }
        return Ok(None);
    };
    if def.may_be_absent {
        return Err("`may_be_absent` belongs to rules on an item (text, list ...), not to timing rules".into());
    }
    if def.max_age.is_some() != (kind == TimingKind::Fresh) {
        return Err("`require: fresh` needs `max_age:` (month, quarter or year), and only it takes one".into());
    }
    let days = || def.days.ok_or_else(|| "needs `days:`".to_string());
    Ok(Some(match kind {
        TimingKind::Within => Check::Within {
            days: days()?,
            working: def.unit != Some(DayUnit::Calendar),
            from: def.from.clone().unwrap_or_else(|| "changed".into()),
            to: def.to.clone().unwrap_or_else(|| "updated".into()),
        },
        TimingKind::Ahead => {
            if def.unit == Some(DayUnit::Working) {
                return Err("`ahead` counts calendar days".into());
            }
            Check::Ahead {
                days: days()?,
                from: def.from.clone().unwrap_or_else(|| "date".into()),
                to: def.to.clone().unwrap_or_else(|| "effective".into()),
            }
        }
        TimingKind::Cadence => {
            let by = match &def.by {
                None => None,
                Some(md) => {
                    let (m, d) = md.split_once('-').ok_or("`by:` is MM-DD, e.g. 10-31")?;
                    let (m, d): (i8, i8) = (m.parse().map_err(|_| "`by:` month")?, d.parse().map_err(|_| "`by:` day")?);
                    jiff::civil::Date::new(2024, m, d).map_err(|_| format!("`by: {md}` is not a date"))?;
                    Some((m, d))
                }
            };
            if by.is_none() == def.every.is_none() {
                return Err("a cadence needs exactly one of `every:` and `by:`".into());
            }
            Check::Cadence { every: def.every, by, date: def.date.clone().unwrap_or_else(|| "date".into()) }
        }
        TimingKind::Explained => Check::Explained,
        TimingKind::Fresh => Check::Fresh {
            max_age: def.max_age.unwrap_or(Period::Year),
            date: def.date.clone().unwrap_or_else(|| "updated".into()),
        },
        TimingKind::Lifecycle => Check::Lifecycle {
            matter: def.matter.clone().unwrap_or_else(|| "matter".into()),
            stage: def.stage.clone().unwrap_or_else(|| "stage".into()),
            stages: if def.stages.is_empty() {
                vec!["决策前".into(), "实施中".into(), "结果".into()]
            } else {
                def.stages.clone()
            },
        },
    }))
}

fn requirement(def: ReqDef) -> Requirement {
    Requirement {
        shape: def.require,
        min: def.min.unwrap_or(if def.require == Shape::List { 1 } else { 0 }),
        each: def.each.into_iter().map(|(k, v)| (k, requirement(v.0))).collect(),
    }
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl Pack {
    /// Add this pack's fields and documents to the content model.
    pub fn extend_schema(&self, schema: &mut Schema) -> Result<()> {
        let err = |message: String| Error::Pack { file: self.origin.clone(), pos: None, message };
        for doc in &self.documents {
            schema.add_document(doc.clone()).map_err(err)?;
        }
        for (file, fields) in &self.fields {
            schema.extend(file, fields).map_err(err)?;
        }
        Ok(())
    }

    /// Check every rule against the content model: the file, field and sub-fields must exist and
    /// the shape must suit the field's type; sectors must be known. Rules are rewritten to name
    /// their document by kind.
    pub fn resolve(&mut self, schema: &Schema) -> Result<()> {
        let origin = self.origin.clone();
        let err = |rule: &str, message: String| Error::Pack {
            file: origin.clone(),
            pos: None,
            message: format!("rule `{rule}`: {message}"),
        };
        for s in &self.sectors {
            schema.sector(s).ok_or_else(|| err("(pack)", format!("unknown sector `{s}`")))?;
        }
        for rule in &mut self.rules {
            for s in &mut rule.sectors {
                *s = schema.sector(s).ok_or_else(|| err(&rule.id, format!("unknown sector `{s}`")))?.key.clone();
            }
            // a timing rule on every document of a unit
            if rule.doc == ALL_DOCUMENTS {
                if !matches!(rule.check, Check::Within { .. } | Check::Explained | Check::Fresh { .. }) {
                    return Err(err(
                        &rule.id,
                        "only `within`, `explained` and `fresh` rules may name `file: \"*\"`".into(),
                    ));
                }
                for d in &schema.documents {
                    check_dates(&rule.check, d).map_err(|m| err(&rule.id, m))?;
                }
                continue;
            }
            let doc =
                schema.doc_for_file(&rule.doc).ok_or_else(|| err(&rule.id, format!("unknown file `{}`", rule.doc)))?;
            rule.doc = doc.kind.clone();
            for (key, _) in &mut rule.filter {
                let f = doc
                    .fields
                    .iter()
                    .find(|f| f.accepts(key))
                    .ok_or_else(|| err(&rule.id, format!("`where`: `{}` has no field `{key}`", doc.file)))?;
                *key = f.key.clone();
            }
            if !rule.filter.is_empty() && !doc.is_collection() {
                return Err(err(&rule.id, format!("`where` picks documents of a folder; `{}` is one file", doc.file)));
            }
            let item = match &rule.check {
                Check::Item(req) => req,
                other => {
                    check_dates(other, doc).map_err(|m| err(&rule.id, m))?;
                    continue;
                }
            };
            match &rule.field {
                Some(path) => {
                    let field = doc
                        .field(path)
                        .ok_or_else(|| err(&rule.id, format!("`{}` has no field `{path}`", doc.file)))?;
                    check_requirement(item, field.ty, &field.fields, &format!("{}#{path}", doc.file))
                        .map_err(|m| err(&rule.id, m))?;
                }
                None if doc.is_collection() => {
                    if item.shape != Shape::List {
                        return Err(err(&rule.id, format!("a rule on the folder `{}` must `require: list`", doc.file)));
                    }
                    check_each(item, &doc.fields, &doc.file, true).map_err(|m| err(&rule.id, m))?;
                }
                None => {
                    return Err(err(&rule.id, format!("name the `field:` of `{}` this rule requires", doc.file)));
                }
            }
        }
        Ok(())
    }

    pub fn applies_to(&self, sector: Option<&str>) -> bool {
        self.sectors.is_empty() || sector.is_some_and(|s| self.sectors.iter().any(|p| p == s))
    }
}

impl Rule {
    pub fn applies_to(&self, sector: Option<&str>) -> bool {
        self.sectors.is_empty() || sector.is_some_and(|s| self.sectors.iter().any(|p| p == s))
    }
}

/// `file:` of a rule that applies to every document of a unit.
pub const ALL_DOCUMENTS: &str = "*";

/// The fields a timing check reads must be date fields (or the matter and stage of a lifecycle)
/// of the document; on `*` rules, documents without them are simply not checked.
fn check_dates(check: &Check, doc: &DocSpec) -> std::result::Result<(), String> {
    let need_date = |key: &str| match doc.field(key) {
        Some(f) if f.ty == FieldType::Date => Ok(()),
        Some(_) => Err(format!("`{}#{key}` is not a date field", doc.file)),
        None => Err(format!("`{}` has no field `{key}`", doc.file)),
    };
    let optional = |key: &str| if doc.field(key).is_some() { need_date(key) } else { Ok(()) };
    match check {
        Check::Item(_) | Check::Explained => Ok(()),
        Check::Within { from, to, .. } => {
            optional(from)?;
            to.split('|').try_for_each(|k| optional(k.trim()))
        }

        Check::Ahead { from, to, .. } => need_date(from).and_then(|()| need_date(to)),
        Check::Cadence { date, .. } => need_date(date),
        Check::Fresh { date, .. } => optional(date),
        Check::Lifecycle { matter, stage, .. } => {
            for key in [matter, stage] {
                doc.field(key).ok_or_else(|| format!("`{}` has no field `{key}`", doc.file))?;
            }
            Ok(())
        }
    }
}

fn check_requirement(req: &Requirement, ty: FieldType, subs: &[FieldDef], at: &str) -> std::result::Result<(), String> {
    match (req.shape, ty) {
        (Shape::List, FieldType::List) => check_each(req, subs, at, false),
        (Shape::List, FieldType::Lines) if req.each.is_empty() => Ok(()),
        (Shape::List, _) => Err(format!("`{at}` is not a list field")),
        (_, FieldType::List) => Err(format!("`{at}` is a list: use `require: list`")),
        (shape, _) if !req.each.is_empty() => Err(format!("`each` needs `require: list`, not `{shape:?}`")),
        _ => Ok(()),
    }
}

fn check_each(req: &Requirement, subs: &[FieldDef], at: &str, collection: bool) -> std::result::Result<(), String> {
    for (key, sub) in &req.each {
        if collection && key == "body" {
            if sub.shape != Shape::Text {
                return Err("`body` (the Markdown text) can only `require: text`".to_string());
            }
            continue;
        }
        let field =
            subs.iter().find(|f| f.key == *key).ok_or_else(|| format!("`{at}` entries have no field `{key}`"))?;
        check_requirement(sub, field.ty, &field.fields, &format!("{at}.{key}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin(id: &str) -> Pack {
        let (name, text) = BUILTIN.iter().find(|(n, _)| n.starts_with(id)).unwrap();
        let mut p = parse(text, &format!("builtin:{name}")).unwrap();
        let mut schema = Schema::builtin();
        p.extend_schema(&mut schema).unwrap();
        p.resolve(&schema).unwrap();
        p
    }

    #[test]
    fn builtin_packs_are_valid() {
        for (name, text) in BUILTIN {
            let mut p = parse(text, name).unwrap();
            let mut schema = Schema::builtin();
            p.extend_schema(&mut schema).unwrap();
            p.resolve(&schema).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn citations_are_written_like_the_measure() {
        let re = regex::Regex::new(r"^第[一二三四五六七八九十]+条(第\([一二三四五六七八九十]+\)项)?$").unwrap();
        for r in builtin("baiyin-2021").rules {
            assert!(re.is_match(&r.citation), "{}: {}", r.id, r.citation);
        }
    }

    #[test]
    fn baiyin_covers_every_item_of_article_5_and_11() {
        let p = builtin("baiyin-2021");
        let by = |c: &str| p.rules.iter().filter(|r| &*r.citation == c).count();
        for (clause, at_least) in [
            ("第五条第(一)项", 9),
            ("第五条第(二)项", 6),
            ("第五条第(三)项", 3),
            ("第五条第(四)项", 4),
            ("第五条第(五)项", 2),
            ("第五条第(六)项", 5),
            ("第十一条", 8),
        ] {
            assert!(by(clause) >= at_least, "{clause}: {} rules", by(clause));
        }
    }

    #[test]
    fn bad_packs_are_refused_with_reasons() {
        let base = "id: t\ntitle: T\nsource: {issuer: X, document: Y}\nrules:\n";
        let cases = [
            ("  - {id: a, citation: 第一条, title: A, file: nope.yaml, field: x, require: text}\n", "unknown file"),
            ("  - {id: a, citation: 第一条, title: A, file: unit.yaml, field: nope, require: text}\n", "no field"),
            ("  - {id: a, citation: 第一条, title: A, file: unit.yaml, field: leaders, require: text}\n", "is a list"),
            ("  - {id: a, citation: 第一条, title: A, file: unit.yaml, field: name, require: list}\n", "not a list"),
            (
                "  - {id: a, citation: 第一条, title: A, file: unit.yaml, field: leaders, require: list, each: {nope: text}}\n",
                "no field",
            ),
            ("  - {id: a, citation: 第一条, title: A, file: services/, require: text}\n", "must `require: list`"),
            ("  - {id: A, citation: 第一条, title: A, file: unit.yaml, field: name, require: text}\n", "lowercase"),
            (
                "  - {id: a, citation: 第一条, title: A, file: unit.yaml, field: name, require: txt}\n",
                "unknown variant",
            ),
            (
                "  - {id: a, citation: 第一条, title: A, file: unit.yaml, field: name, require: text, sectors: [moon]}\n",
                "unknown sector",
            ),
            ("  - {id: a, citation: 第一条, title: A, file: fees.yaml, require: fresh}\n", "needs `max_age:`"),
            (
                "  - {id: a, citation: 第一条, title: A, file: unit.yaml, field: name, require: text, max_age: year}\n",
                "belongs to `require: fresh`",
            ),
            (
                "  - {id: a, citation: 第一条, title: A, file: notices/, require: within, days: 5, may_be_absent: true}\n",
                "`may_be_absent` belongs to rules on an item",
            ),
        ];
        for (rule, want) in cases {
            let text = format!("{base}{rule}");
            let result = parse(&text, "t.yaml").and_then(|mut p| p.resolve(&Schema::builtin()));
            let msg = result.map(|_| String::new()).unwrap_or_else(|e| e.to_string());
            assert!(msg.contains(want), "{rule}: got {msg:?}");
        }
    }

    #[test]
    fn baiyin_lets_only_the_items_its_text_qualifies_be_declared_absent() {
        let p = builtin("baiyin-2021");
        let absent: Vec<&str> = p.rules.iter().filter(|r| r.may_be_absent).map(|r| &*r.id).collect();
        assert_eq!(
            absent,
            [
                "baiyin-2021/service-forms",
                "baiyin-2021/service-forms-listed",
                "baiyin-2021/fee-items",
                "baiyin-2021/fee-basis",
                "baiyin-2021/fee-standard",
                "baiyin-2021/supervisors",
                "baiyin-2021/supervisor-contact",
                "baiyin-2021/complaint-fax",
            ]
        );
        let fresh = p.rules.iter().filter(|r| matches!(r.check, Check::Fresh { max_age: Period::Year, .. }));
        assert!(fresh.clone().all(|r| r.severity == Severity::Warning && r.weight == 0));
        assert_eq!(fresh.count(), 5);
    }

    #[test]
    fn nested_each_requirements_parse() {
        let p = builtin("baiyin-2021");
        let forms = p.rules.iter().find(|r| &*r.id == "baiyin-2021/service-forms").unwrap();
        let (key, sub) = &forms.check.item().unwrap().each[0];
        assert_eq!(key, "sample_forms");
        assert_eq!(sub.shape, Shape::List);
        assert_eq!(sub.each.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["file", "name"]);
    }
}
