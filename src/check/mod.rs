//! Checking: the rule packs applied to each loaded unit, giving findings, rule outcomes,
//! completeness scores and the 第七条 review record.
//!
//! Sits above `model`, `pack`, `schema` and `privacy`, below `report` and `render`; `load` never
//! imports it. This file is the orchestration ([`check_site`], [`check_unit`], [`collect`]) and
//! the result types; the submodules import each other in one direction only, from the bottom:
//! `outcome` and `docs` (what every rule kind shares) ← `items`, `dates` ← `deadlines`;
//! `outcome` ← `score`; `scan` (the 第六条 scan of what a unit publishes) ← `review` (the hits
//! and their 第七条 acknowledgements). Checking
//! reads the loaded units and no file, and "today" comes in as a value (`Env`); `check_site`
//! loads each unit through `Site::load_unit` (the loader's I/O), one at a time.

mod annual;
mod dates;
mod deadlines;
mod docs;
mod evaluations;
mod items;
mod outcome;
mod review;
mod scan;
mod score;

use rayon::prelude::*;
use serde::Serialize;

use crate::declaration::{self, Declaration};
use crate::finding::{self, Finding, Kind, Origin, Severity};
use crate::model::{Site, Unit};
use crate::pack::{Check, Pack, Rule};
use crate::schema::Schema;

pub use crate::calendar::Env;
pub use docs::selected;
pub use outcome::{Outcome, Status};
pub use review::Acknowledgement;
#[doc(hidden)]
pub use scan::attachment as scan_attachment;
pub use score::{Completeness, Flag};

/// The result of checking a site.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckResult {
    /// Every unit, in unit order.
    pub units: Vec<UnitResult>,
    /// Every finding, site-wide and per unit, in report order.
    pub findings: Vec<Finding>,
    /// Privacy hits the content acknowledged, with their reasons (the 第七条 review record).
    pub acknowledgements: Vec<Acknowledgement>,
}

/// One unit's completeness.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UnitResult {
    /// The unit's folder name.
    pub slug: String,
    /// Its name (from `unit.yaml`, else the folder name).
    pub name: String,
    /// Its sector key, if known.
    pub sector: Option<String>,
    /// What is published of what is required, the score and the self-check grade.
    #[serde(flatten)]
    pub completeness: Completeness,
    /// Error findings of the unit.
    pub errors: usize,
    /// Warning findings of the unit.
    pub warnings: usize,
    /// One outcome per rule that applies to this unit. Shared: the units of a sector mostly
    /// pass and fail the same rules, and a build keeps one copy of each list (see `render`).
    pub rules: std::sync::Arc<[Outcome]>,
    /// Site-relative files not published because they hold what 第六条 forbids (an ID number,
    /// a bank card, a classification mark) that no 第七条 review acknowledged.
    pub withheld: Vec<String>,
    /// Items declared absent at the unit (`不适用: 原因`) where the pack allows it: each fulfils
    /// its rules and is published as a statement.
    pub declarations: Vec<Declaration>,
}

impl CheckResult {
    /// Error findings of the whole site.
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }

    /// Warning findings of the whole site.
    pub fn warnings(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Warning).count()
    }
}

/// Check every loaded unit of `site` against its packs.
pub fn check_site(site: &Site) -> CheckResult {
    let per_unit: Vec<UnitCheck> =
        site.units.par_iter().map(|d| check_unit(&site.load_unit(d), &site.packs, &site.schema, &site.env)).collect();
    collect(site, per_unit)
}

/// Put per-unit checks together, in unit order, with the site's own findings.
pub fn collect(site: &Site, per_unit: Vec<UnitCheck>) -> CheckResult {
    let mut findings = site.findings.clone();
    findings.extend(scan::site(&site.config).iter().map(|hit| review::finding(None, hit)));
    let mut units = Vec::with_capacity(per_unit.len());
    let mut acknowledgements = Vec::new();
    for mut u in per_unit {
        findings.append(&mut u.findings);
        acknowledgements.append(&mut u.acknowledgements);
        units.push(u.result);
    }
    finding::sort(&mut findings);
    CheckResult { units, findings, acknowledgements }
}

/// One unit's check.
#[derive(Debug, Clone, Default)]
pub struct UnitCheck {
    /// The unit's result.
    pub result: UnitResult,
    /// Its findings, sorted.
    pub findings: Vec<Finding>,
    /// The 第七条 acknowledgements that apply to it.
    pub acknowledgements: Vec<Acknowledgement>,
}

/// Check one unit: its loading findings, every applicable rule, and the privacy review.
pub fn check_unit(unit: &Unit, packs: &[Pack], schema: &Schema, env: &Env) -> UnitCheck {
    let mut rule_findings = Vec::new();
    let mut outcomes = Vec::new();
    let mut items = Vec::new();
    let mut files: Vec<Option<String>> = Vec::new();
    let mut declared: Vec<Declaration> = Vec::new();
    for (pack, rule) in applicable(unit, packs) {
        let (mut out, unchecked) = match &rule.check {
            Check::Item(req) => {
                let Some(spec) = rule.kind().and_then(|k| schema.doc(k)) else { continue };
                let mut e = items::evaluate(rule, req, pack, unit, spec);
                declared.append(&mut e.declared);
                (e.findings, e.unchecked)
            }
            _ if unit.is_empty() => (Vec::new(), true),
            _ => deadlines::evaluate(rule, unit, schema, env),
        };
        let status = match (out.is_empty(), unchecked) {
            (false, _) => Status::Failed,
            (true, true) => Status::Unchecked,
            (true, false) => Status::Passed,
        };
        outcomes.push(Outcome {
            rule: rule.id.clone(),
            citation: rule.citation.clone(),
            title: rule.title.clone(),
            severity: rule.severity,
            weight: rule.weight,
            verified: rule.verified,
            status,
        });
        items.push(rule.check.item().is_some());
        // the one file an item rule reads (unit.yaml, fees.yaml…), to know if it is withheld
        files.push(
            rule.kind()
                .and_then(|k| schema.doc(k))
                .filter(|spec| rule.check.item().is_some() && !spec.is_collection())
                .and_then(|spec| unit.doc(&spec.kind))
                .map(|d| d.path.clone()),
        );
        rule_findings.append(&mut out);
    }
    let mut rule_findings = merge_same_problem(rule_findings);
    // A wrongly typed value is reported by the schema and again by the rule that needs it; keep
    // the rule's finding, which names the article.
    let mut findings: Vec<Finding> = unit
        .findings
        .iter()
        .filter(|f| {
            !(f.kind == Kind::Invalid
                && f.origin == Origin::Gongkai
                && rule_findings.iter().any(|r| r.file == f.file && r.line == f.line && r.column == f.column))
        })
        // unread attachments go through the 第七条 review, which a person's record can settle
        .filter(|f| !review::is_manual(f))
        .cloned()
        .collect();
    misspelt_keys(&mut findings, &mut rule_findings);
    findings.append(&mut rule_findings);
    findings.append(&mut dates::future(unit, schema, env));
    findings.append(&mut annual::check(unit));
    findings.append(&mut evaluations::check(unit));
    let (mut privacy, acknowledgements) = review::review(unit, &scan::unit(unit, schema));
    // a draft is not published: what 第六条 forbids in it is a warning (to remove before it is)
    for f in privacy.iter_mut().filter(|f| f.severity == Severity::Error) {
        if unit.drafts.iter().any(|d| d.path == f.file) {
            f.severity = Severity::Warning;
        }
    }
    let withheld: std::collections::BTreeSet<String> = privacy
        .iter()
        .filter(|f| f.severity == Severity::Error && matches!(f.kind, Kind::Privacy | Kind::Confidential))
        .map(|f| f.file.clone())
        .collect();
    findings.append(&mut privacy);
    // an item in a withheld file is not published, whatever the file says
    for (outcome, file) in outcomes.iter_mut().zip(&files) {
        if file.as_ref().is_some_and(|f| withheld.contains(f)) && outcome.status == Status::Passed {
            outcome.status = Status::Failed;
        }
    }

    let grades = packs.iter().filter(|p| p.applies_to(unit.sector.as_deref())).find_map(|p| p.grades.as_ref());
    let c = score::completeness(&outcomes, &items, &findings, grades);
    let result = UnitResult {
        slug: unit.slug.clone(),
        name: unit.name().to_string(),
        sector: unit.sector.clone(),
        completeness: c,
        errors: findings.iter().filter(|f| f.severity == Severity::Error).count(),
        warnings: findings.iter().filter(|f| f.severity == Severity::Warning).count(),
        rules: outcomes.into(),
        withheld: withheld.into_iter().collect(),
        declarations: declaration::merge(declared),
    };
    UnitCheck { result, findings, acknowledgements }
}

/// One wrong value fails every rule that needs it (a fee row pasted as text fails 收费项目,
/// 收费依据 and 收费标准): say it once, at the strongest severity, and name the rules it fails.
/// Each rule still counts as failed in its outcome.
fn merge_same_problem(findings: Vec<Finding>) -> Vec<Finding> {
    // a reminder's or an unverified rule's note does not make it another problem
    let base = |m: &str| {
        [outcome::REMINDER, outcome::UNVERIFIED].iter().fold(m, |m, note| m.trim_end_matches(note)).to_string()
    };
    let mut groups: Vec<Vec<Finding>> = Vec::new();
    let mut index: std::collections::HashMap<_, usize> = std::collections::HashMap::new();
    for f in findings {
        let key = (f.file.clone(), f.line, f.column, f.kind, base(&f.message));
        match index.get(&key) {
            Some(&i) => groups[i].push(f),
            None => {
                index.insert(key, groups.len());
                groups.push(vec![f]);
            }
        }
    }
    groups
        .into_iter()
        .map(|mut group| {
            // errors lead, rules in pack order
            group.sort_by_key(|f| f.severity);
            let mut rules: Vec<&Finding> = Vec::new();
            for f in &group {
                if !rules.iter().any(|r| r.rule == f.rule) {
                    rules.push(f);
                }
            }
            let mut lead = group[0].clone();
            if rules.len() > 1 {
                // 第五条第(三)项「收费项目」「收费依据」「收费标准」
                let mut by_citation: Vec<(&str, String)> = Vec::new();
                for r in rules {
                    let citation = r.citation.as_deref().unwrap_or_default();
                    match by_citation.iter_mut().find(|(c, _)| *c == citation) {
                        Some((_, titles)) => titles.push_str(&format!("「{}」", r.title)),
                        None => by_citation.push((citation, format!("「{}」", r.title))),
                    }
                }
                let list: Vec<String> = by_citation.into_iter().map(|(c, t)| format!("{c}{t}")).collect();
                lead.message = format!("{}（因此以下各项都未通过：{}）", base(&lead.message), list.join("；"));
            }
            lead
        })
        .collect()
}

/// A misspelt key (`便民服务店话`) is reported by the schema at the key, naming the field it
/// meant (its `title`), and again by the rule that misses that field, at the top of the mapping.
/// Keep the one at the key, citing the rule; the rule still fails, so the score is unchanged.
fn misspelt_keys(findings: &mut [Finding], rule_findings: &mut Vec<Finding>) {
    rule_findings.retain(|missing| {
        if missing.kind != Kind::Missing {
            return true;
        }
        let typo = findings.iter_mut().find(|f| {
            let parent = f.field.as_deref().and_then(|p| p.rsplit_once('.')).map_or("", |(parent, _)| parent);
            let meant = if parent.is_empty() { f.title.clone() } else { format!("{parent}.{}", f.title) };
            f.kind == Kind::UnknownField && f.file == missing.file && missing.field.as_deref() == Some(meant.as_str())
        });
        match typo {
            Some(f) => {
                f.citation = f.citation.take().or_else(|| missing.citation.clone());
                false
            }
            None => true,
        }
    });
}

/// The rules that apply to a unit: its sector's, and of rules on one topic only the strictest
/// verified one (unverified ones stay, as warnings).
pub fn applicable<'a>(unit: &Unit, packs: &'a [Pack]) -> Vec<(&'a Pack, &'a Rule)> {
    applicable_to(unit.sector.as_deref(), packs)
}

/// The rules that apply to a unit of `sector` (see `applicable`).
pub fn applicable_to<'a>(sector: Option<&str>, packs: &'a [Pack]) -> Vec<(&'a Pack, &'a Rule)> {
    let all: Vec<(&Pack, &Rule)> = packs
        .iter()
        .filter(|p| p.applies_to(sector))
        .flat_map(|p| p.rules.iter().filter(|r| r.applies_to(sector)).map(move |r| (p, r)))
        .collect();
    let strictest = |topic: &str| {
        all.iter()
            .filter(|(_, r)| r.verified && r.topic.as_deref() == Some(topic))
            .min_by_key(|(_, r)| r.check.days().unwrap_or(u32::MAX))
            .map(|(_, r)| r.id.clone())
    };
    all.iter()
        .filter(|(_, r)| match (&r.topic, r.verified) {
            (Some(topic), true) => strictest(topic).as_ref() == Some(&r.id),
            _ => true,
        })
        .copied()
        .collect()
}
