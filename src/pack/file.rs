//! The pack file format: the serde structs of a pack's YAML, and their conversion into the model
//! (`Pack`, `Rule`, `Check`), each rule kind's parameters checked as it is converted.
//!
//! Part of `pack`; `load` calls [`parse`] on each pack file.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::{ALL_DOCUMENTS, Check, Grades, Pack, Period, Requirement, Rule, Shape, Source, Target, cite};
use crate::error::{Error, Result};
use crate::finding::Severity;
use crate::schema::{DocSpec, FieldDef};
use crate::yaml::Pos;

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

impl<'de> Deserialize<'de> for RequireDef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        let as_value = || de::value::StrDeserializer::<de::value::Error>::new(&name);
        let not_shape = match Shape::deserialize(as_value()) {
            Ok(shape) => return Ok(RequireDef::Shape(shape)),
            Err(e) => e,
        };
        TimingKind::deserialize(as_value()).map(RequireDef::Timing).map_err(|not_timing| {
            // serde names the variants of each enum; the message lists both, so that a new shape
            // or timing kind needs no list here
            let expected =
                |e: &de::value::Error| e.to_string().split_once("expected one of ").map(|(_, l)| l.to_string());
            let names: Vec<String> = [expected(&not_shape), expected(&not_timing)].into_iter().flatten().collect();
            de::Error::custom(format!("unknown variant `{name}`, expected one of {}", names.join(", ")))
        })
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

/// Parse a pack file. `origin` names it in errors (a path, or `builtin:NAME`).
pub fn parse(text: &str, origin: &str) -> Result<Pack> {
    let err = |pos: Option<Pos>, message: String| Error::Pack { file: origin.to_string(), pos, message };
    let file: PackFile = serde_saphyr::from_str(text).map_err(|e| {
        let e = crate::yaml::SyntaxError::of(&e);
        err(e.pos, e.message)
    })?;
    if !is_id(&file.id) {
        return Err(err(None, format!("pack id `{}` must be lowercase letters, digits and `-`", file.id)));
    }
    if let Some(g) = &file.grades {
        g.validate().map_err(|m| err(None, m))?;
    }
    let mut seen = BTreeMap::new();
    let mut rules = Vec::with_capacity(file.rules.len());
    for mut def in file.rules {
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
        let check = check(&mut def).map_err(|m| err(None, format!("rule `{}`: {m}", def.id)))?;
        let severity = match (def.severity, verified) {
            (_, false) | (Some(SeverityDef::Warning), _) => Severity::Warning,
            _ => Severity::Error,
        };
        rules.push(Rule {
            id: format!("{}/{}", file.id, def.id).into(),
            cited: cite(&file.title, &def.citation).into(),
            citation: def.citation.into(),
            title: def.title.into(),
            target: if def.file == ALL_DOCUMENTS { Target::AllDocuments } else { Target::Unresolved },
            file: def.file,
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
            check,
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

/// The check a rule asks for, with its parameters checked: an item of a shape, or a timing check.
fn check(def: &mut RuleDef) -> std::result::Result<Check, String> {
    let kind = match def.require {
        RequireDef::Timing(kind) => kind,
        RequireDef::Shape(shape) => {
            if def.days.is_some() || def.from.is_some() || def.every.is_some() || def.by.is_some() {
                return Err("days/from/to/every/by belong to within, ahead and cadence rules".into());
            }
            if def.max_age.is_some() {
                return Err("`max_age` belongs to `require: fresh`".into());
            }
            let each = std::mem::take(&mut def.each);
            return Ok(Check::Item(requirement(ReqDef { require: shape, min: def.min, each })));
        }
    };
    if def.may_be_absent {
        return Err("`may_be_absent` belongs to rules on an item (text, list ...), not to timing rules".into());
    }
    if def.max_age.is_some() != (kind == TimingKind::Fresh) {
        return Err("`require: fresh` needs `max_age:` (month, quarter or year), and only it takes one".into());
    }
    let days = || def.days.ok_or_else(|| "needs `days:`".to_string());
    Ok(match kind {
        TimingKind::Within => Check::Within {
            days: days()?,
            working: def.unit != Some(DayUnit::Calendar),
            from: def.from.clone().unwrap_or_else(|| "changed".into()),
            // alternatives, the first that a document carries: `updated|date`
            to: def.to.as_deref().unwrap_or("updated").split('|').map(|k| k.trim().to_string()).collect(),
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
            // `by: site`: the measure requires the publication but names no date; the site sets it
            // (`期限:` in gongkai.yaml, `Pack::set_deadline`)
            let site = def.by.as_deref() == Some("site");
            let by = match &def.by {
                None => None,
                Some(_) if site => None,
                Some(md) => Some(month_day(md).ok_or_else(|| format!("`by: {md}` is not a date: MM-DD, e.g. 10-31"))?),
            };
            if (by.is_none() && !site) == def.every.is_none() {
                return Err("a cadence needs exactly one of `every:` and `by:`".into());
            }
            Check::Cadence { every: def.every, by, site, date: def.date.clone().unwrap_or_else(|| "date".into()) }
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
    })
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

/// `MM-DD` (`01-31`, `1-31`) as (month, day), if it is a day of the year.
pub(crate) fn month_day(md: &str) -> Option<(i8, i8)> {
    let (m, d) = md.trim().split_once('-')?;
    let (m, d): (i8, i8) = (m.parse().ok()?, d.parse().ok()?);
    jiff::civil::Date::new(2024, m, d).ok()?;
    Some((m, d))
}
