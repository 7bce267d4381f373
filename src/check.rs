//! Applying rule packs to loaded units: findings, rule outcomes and completeness scores.
//!
//! Sits above `load` and `pack`, below `report`. Pure: no I/O, no clock. Each rule is evaluated
//! against one unit with `match` over the closed set of shapes; every failure becomes a `Finding`
//! that names the item, its citation, the file, the line and what to add.

use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::declaration::{self, Declaration};
use crate::finding::{self, Finding, Kind, Severity};
use crate::model::{Doc, Site, Unit};
use crate::pack::{Check, Pack, Requirement, Rule, Shape};
use crate::review::{self, Acknowledgement};
use crate::score;
use crate::score::Completeness;
use crate::timing;

use crate::schema::{DocSpec, FieldDef, Schema};
use crate::shape;
use crate::yaml::{Node, Pos, Value};

pub use crate::calendar::Env;

/// The result of checking a site.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckResult {
    pub units: Vec<UnitResult>,
    /// Every finding, site-wide and per unit, in report order.
    pub findings: Vec<Finding>,
    /// Privacy hits the content acknowledged, with their reasons (the 第七条 review record).
    pub acknowledgements: Vec<Acknowledgement>,
}

/// One unit's completeness.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UnitResult {
    pub slug: String,
    pub name: String,
    pub sector: Option<String>,
    /// What is published of what is required, the score and the self-check grade.
    #[serde(flatten)]
    pub completeness: Completeness,
    pub errors: usize,
    pub warnings: usize,
    /// One outcome per rule that applies to this unit.
    pub rules: Vec<Outcome>,
    /// Site-relative files not published because they hold what 第六条 forbids (an ID number,
    /// a bank card, a classification mark) that no 第七条 review acknowledged.
    pub withheld: Vec<String>,
    /// Items declared absent at the unit (`不适用: 原因`) where the pack allows it: each fulfils
    /// its rules and is published as a statement.
    pub declarations: Vec<Declaration>,
}

/// How one rule fared for one unit.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub rule: Arc<str>,
    pub citation: Arc<str>,
    pub title: Arc<str>,
    pub severity: Severity,
    pub weight: u32,
    pub verified: bool,
    pub status: Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    /// The file holding the item could not be read; its own finding says why.
    Unchecked,
}

impl CheckResult {
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }

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
    pub result: UnitResult,
    pub findings: Vec<Finding>,
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
                let Some(spec) = schema.doc(&rule.doc) else { continue };
                let mut eval = Eval {
                    rule,
                    req,
                    pack,
                    unit,
                    spec,
                    out: Vec::new(),
                    declared: Vec::new(),
                    unchecked: unit.is_empty(),
                };
                if !unit.is_empty() {
                    eval.run();
                }
                declared.append(&mut eval.declared);
                (eval.out, eval.unchecked)
            }
            _ if unit.is_empty() => (Vec::new(), true),
            _ => timing::evaluate(rule, unit, schema, env),
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
            schema
                .doc(&rule.doc)
                .filter(|spec| rule.check.item().is_some() && !spec.is_collection())
                .and_then(|_| unit.doc(&rule.doc))
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
                && f.rule.starts_with("gongkai/")
                && rule_findings.iter().any(|r| r.file == f.file && r.line == f.line && r.column == f.column))
        })
        // unread attachments go through the 第七条 review, which a person's record can settle
        .filter(|f| !review::is_manual(f))
        .cloned()
        .collect();
    misspelt_keys(&mut findings, &mut rule_findings);
    findings.append(&mut rule_findings);
    findings.append(&mut crate::dates::future(unit, schema, env));
    let (mut privacy, acknowledgements) = review::review(unit);
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
        rules: outcomes,
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
    let base = |m: &str| [REMINDER, UNVERIFIED].iter().fold(m, |m, note| m.trim_end_matches(note)).to_string();
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

/// Evaluation of one rule against one unit.
struct Eval<'a> {
    rule: &'a Rule,
    req: &'a Requirement,
    pack: &'a Pack,
    unit: &'a Unit,
    spec: &'a DocSpec,
    out: Vec<Finding>,
    /// Items declared absent that this rule accepts.
    declared: Vec<Declaration>,
    /// Some file the rule needs could not be read.
    unchecked: bool,
}

/// Where a value sits, for messages: its file, the path as written, and a Chinese label.
#[derive(Clone)]
struct Place<'a> {
    file: &'a str,
    /// As the user wrote it (`收费项目[2].收费依据`).
    path: String,
    /// In words, up to the enclosing entry (`收费项目第 2 项（学费）`).
    label: String,
    /// The Chinese name of the field this place is (`收费项目`).
    zh: String,
}

impl<'a> Eval<'a> {
    fn run(&mut self) {
        if self.spec.is_collection() {
            self.run_collection();
            return;
        }
        let Some(doc) = self.unit.doc(&self.spec.kind) else {
            self.missing_file();
            return;
        };
        let Some(root) = &doc.data else {
            self.unchecked = true;
            return;
        };
        // follow the rule's dotted field path, reporting the first step that is missing
        let mut place = Place { file: &doc.path, path: String::new(), label: String::new(), zh: String::new() };
        let mut node = root;
        let mut defs = &self.spec.fields[..];
        let mut def = None;
        let parts: Vec<&str> = self.rule.field.as_deref().unwrap_or_default().split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let Some(d) = defs.iter().find(|d| d.key == *part) else {
                return;
            };
            let Some(entry) = node.entry(part) else {
                if i + 1 < parts.len() || !may_be_absent(self.req) {
                    self.missing_field(node, &place, d);
                }
                return;
            };
            place = place.child(&entry.written, &d.zh);
            node = &entry.value;
            defs = &d.fields;
            def = Some(d);
        }
        if let Some(def) = def {
            self.value(self.req, Some(node), def, &place);
        }
    }

    fn run_collection(&mut self) {
        let docs: Vec<&Doc> = self.unit.docs_of(&self.spec.kind).filter(|d| selected(d, &self.rule.filter)).collect();
        let req = self.req;
        if docs.len() < req.min {
            let folder = format!("{}/{}", self.unit.dir, self.spec.file);
            let which = filter_words(self.spec, &self.rule.filter);
            let message = match (docs.is_empty(), which.is_empty()) {
                (true, true) => format!("缺少{}：{} 文件夹里没有任何 .md 文件", self.rule.title, self.spec.file),
                (true, false) => format!("缺少{}：{} 文件夹里没有{which}的文件", self.rule.title, self.spec.file),
                (false, _) => format!("{}至少需要 {} 个，目前只有 {} 个", self.rule.title, req.min, docs.len()),
            };
            let help = self.rule.hint.clone().unwrap_or_else(|| {
                if which.is_empty() {
                    format!("在 {folder} 里为每一项建一个 .md 文件（可运行 gongkai init 生成模板）")
                } else {
                    format!("在 {folder} 里建一个 .md 文件，写明{which}")
                }
            });

            self.push(Kind::Missing, &folder, None, None, message, help);
        }
        for doc in docs {
            let Some(data) = &doc.data else {
                self.unchecked = true;
                continue;
            };
            let title = doc.name();
            let place =
                Place { file: &doc.path, path: String::new(), label: format!("「{title}」"), zh: String::new() };
            for (key, sub) in &req.each {
                if key == "body" {
                    let text = doc.body.as_ref().map(|b| b.text.trim()).unwrap_or_default();
                    if text.is_empty() || shape::is_placeholder(text, &self.pack.placeholders) {
                        let kind = if text.is_empty() { Kind::Empty } else { Kind::Placeholder };
                        let line = doc.body.as_ref().map(|b| b.line);
                        let pos = line.map(|l| Pos::new(l, 1));
                        self.push(
                            kind,
                            &doc.path,
                            pos,
                            Some("正文".into()),
                            format!("{}没有正文", place.label),
                            "在第二行 --- 下面写上具体内容".into(),
                        );
                    }
                    continue;
                }
                let Some(def) = self.spec.fields.iter().find(|f| f.key == *key) else {
                    continue;
                };
                match data.entry(key) {
                    Some(e) => self.value(sub, Some(&e.value), def, &place.child(&e.written, &def.zh)),
                    None if may_be_absent(sub) => {}
                    None => self.missing_field(data, &place, def),
                }
            }
        }
    }

    /// Check one value against a requirement.
    fn value(&mut self, req: &Requirement, node: Option<&Node>, def: &FieldDef, place: &Place<'_>) {
        let Some(node) = node else { return };
        if let Some(reason) = declaration::reason(node) {
            return self.declaration(req, reason, node, def, place);
        }
        match req.shape {
            Shape::List => self.list(req, node, def, place),
            shape => match &node.value {
                Value::Null => self.empty(node, def, place),
                Value::Text(t) => self.text(shape, t, node.pos, def, place),
                Value::List(items) if items.is_empty() => self.empty(node, def, place),
                Value::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let p = place.item(i, None);
                        match &item.value {
                            Value::Text(t) => self.text(shape, t, item.pos, def, &p),
                            Value::Null => self.empty(item, def, &p),
                            _ => self.wrong_type(item, def, &p, "文字"),
                        }
                    }
                }
                _ => self.wrong_type(node, def, place, "文字"),
            },
        }
    }

    fn list(&mut self, req: &Requirement, node: &Node, def: &FieldDef, place: &Place<'_>) {
        let items = match &node.value {
            Value::List(items) => items.as_slice(),
            Value::Null => &[],
            Value::Text(t) if shape::is_placeholder(t, &self.pack.placeholders) => {
                let list = format!("在「{}:」下逐项列出", def.zh);
                let help = self.rule.hint.clone().unwrap_or(list);
                return self.push(
                    Kind::Placeholder,
                    place.file,
                    Some(node.pos),
                    Some(place.path.clone()),
                    format!("{}「{}」还是占位内容「{}」", place.label, def.zh, short(t)),
                    self.absent_help(help, def, place),
                );
            }
            _ => return self.wrong_type(node, def, place, "列表"),
        };
        if items.len() < req.min {
            let (kind, message) = if items.is_empty() {
                (Kind::Empty, format!("{}「{}」下一项也没有", place.label, def.zh))
            } else {
                (Kind::Missing, format!("「{}」至少需要 {} 项，目前只有 {} 项", def.zh, req.min, items.len()))
            };
            let help = self.rule.hint.clone().unwrap_or_else(|| {
                let subs: Vec<String> = def.fields.iter().take(3).map(|f| format!("{}: …", f.zh)).collect();
                format!("在「{}:」下逐项列出，每项写成「- {}」", def.zh, subs.join(" "))
            });
            let help = self.absent_help(help, def, place);
            self.push(kind, place.file, Some(node.pos), Some(place.path.clone()), message, help);
        }
        for (i, item) in items.iter().enumerate() {
            let label = item_label(item);
            let p = place.item(i, label);
            if req.each.is_empty() {
                continue;
            }
            if item.as_map().is_none() {
                // a row pasted as text (`- 居民生活用气⇥市发改发…⇥2.28元`) carries none of the
                // sub-fields: it fails every rule that needs one (said once, see
                // `merge_same_problem`), in place of the schema's finding on the same spot
                self.not_a_group(item, def, &p, i);
                continue;
            }
            for (key, sub) in &req.each {
                let Some(sub_def) = def.sub(key) else {
                    continue;
                };
                match item.entry(key) {
                    Some(e) => self.value(sub, Some(&e.value), sub_def, &p.child(&e.written, &sub_def.zh)),
                    None if may_be_absent(sub) => {}
                    None => self.missing_field(item, &p, sub_def),
                }
            }
        }
    }

    /// A list entry that should be a 「键: 值」 group (a fee with its name, basis and standard)
    /// but is text or something else.
    fn not_a_group(&mut self, item: &Node, def: &FieldDef, place: &Place<'_>, i: usize) {
        let subs: Vec<String> = def.fields.iter().take(3).map(|f| format!("{}: …", f.zh)).collect();
        let pasted = match &item.value {
            Value::Text(t) if t.contains('\t') || t.trim().contains("  ") => "这一行像是从 Word/WPS 表格里粘贴的；",
            _ => "",
        };
        self.push(
            Kind::Invalid,
            place.file,
            Some(item.pos),
            Some(place.path.clone()),
            format!("「{}」第 {} 项应为「键: 值」组，这里写成了{}", def.zh, i + 1, item.type_name()),
            format!("{pasted}每项写成「- {}」，后续字段与第一个字段对齐", subs.join(" ")),
        );
    }

    fn text(&mut self, shape: Shape, text: &str, pos: Pos, def: &FieldDef, place: &Place<'_>) {
        let t = text.trim();
        if t.is_empty() {
            return self.push(
                Kind::Empty,
                place.file,
                Some(pos),
                Some(place.path.clone()),
                format!("{}「{}」是空的", place.label, def.zh),
                self.absent_help(self.fill_help(def, shape), def, place),
            );
        }
        if shape::is_placeholder(t, &self.pack.placeholders) {
            return self.push(
                Kind::Placeholder,
                place.file,
                Some(pos),
                Some(place.path.clone()),
                format!("{}「{}」还是占位内容「{}」", place.label, def.zh, short(t)),
                self.absent_help(
                    self.rule.hint.clone().unwrap_or_else(|| {
                        let hint = def.hint.as_deref().map(|h| format!("（{h}）")).unwrap_or_default();
                        format!("把「{}」换成实际的{}{hint}", short(t), def.zh)
                    }),
                    def,
                    place,
                ),
            );
        }
        let masked = (shape == Shape::Contact).then(|| shape::masked_mobile(t)).flatten();
        let problem = match shape {
            Shape::Text | Shape::List => None,
            Shape::Phone => (!shape::is_phone(t)).then_some(None),
            Shape::Contact if masked.is_some() => Some(Some("是隐去了中间四位的手机号，公众无法据此联系")),
            Shape::Contact => (!shape::is_contact(t)).then_some(None),
            Shape::Email => (!shape::is_email(t)).then_some(None),
            Shape::Postcode => (!shape::is_postcode(t)).then_some(None),
            Shape::Date => shape::parse_date(t).is_none().then_some(None),
            Shape::Url => (!shape::is_url(t)).then_some(None),
            Shape::File => self.file_problem(t).map(Some),
        };
        let valid = |x: &str| if shape == Shape::Phone { shape::is_phone(x) } else { shape::is_contact(x) };
        let wide = matches!(shape, Shape::Phone | Shape::Contact).then(|| shape::full_width_only(t, valid)).flatten();
        if let (Some(_), Some(wide)) = (&problem, wide) {
            let narrow: String = wide.chars().filter_map(|c| char::from_u32(c as u32 - 0xFEE0)).collect();
            return self.push(
                Kind::Invalid,
                place.file,
                Some(pos),
                Some(place.path.clone()),
                format!("{}「{}」里用了全角字符「{wide}」：「{}」", place.label, def.zh, short(t)),
                format!("把全角的「{wide}」改成半角的「{narrow}」（切换到英文输入法或半角状态后重新输入）"),
            );
        }
        if let Some(detail) = problem {
            let message = match detail {
                Some(d) => format!("{}「{}」{d}：「{}」", place.label, def.zh, short(t)),
                None => format!("{}「{}」不是有效的{}：「{}」", place.label, def.zh, shape.zh(), short(t)),
            };
            let help = match masked {
                Some(_) => "写本人同意公开、公众能直接联系到的办公电话（如 0943-8221234）或电子邮箱；本人同意公开手机号的，写完整号码".to_string(),
                None => format!("写成{}", shape.example()),
            };
            self.push(Kind::Invalid, place.file, Some(pos), Some(place.path.clone()), message, help);
        }
    }

    /// A declaration that the item does not exist here: accepted where the pack allows it.
    fn declaration(&mut self, req: &Requirement, reason: &str, node: &Node, def: &FieldDef, place: &Place<'_>) {
        let (kind, message, help) = if !self.may_be_absent(place) {
            let help = format!("{}；这一项每个单位都应公开，不能写「不适用」", self.fill_help(def, req.shape));
            (Kind::Invalid, format!("{}「{}」不能声明「不适用」", place.label, def.zh), help)
        } else if reason.is_empty() {
            let help = format!("原因会公开在页面上，写成{}", declaration::example(&def.zh));
            (Kind::Invalid, format!("{}「{}」写了「不适用」，但没有写明原因", place.label, def.zh), help)
        } else {
            let label = if place.label.is_empty() { def.zh.clone() } else { format!("{}{}", place.label, def.zh) };
            return self.declared.push(Declaration {
                document: self.spec.kind.clone(),
                file: place.file.to_string(),
                line: node.pos.line,
                field: place.path.clone(),
                key: def.key.clone(),
                label,
                reason: reason.to_string(),
                rules: vec![self.rule.id.to_string()],
            });
        };
        self.push(kind, place.file, Some(node.pos), Some(place.path.clone()), message, help);
    }

    /// The pack allows this rule's item to be absent, and this is the item itself, not a part of
    /// one of its entries (a fee's 收费依据 is never 不适用, though a unit may charge no fees).
    fn may_be_absent(&self, place: &Place<'_>) -> bool {
        self.rule.may_be_absent && !place.path.contains('[')
    }

    /// Where the pack allows an item to be absent, a help text that also says how to declare it
    /// (unless it already does, through the field's hint).
    fn absent_help(&self, help: String, def: &FieldDef, place: &Place<'_>) -> String {
        if self.may_be_absent(place) && !help.contains(declaration::WORD) {
            format!("{help}；本单位确实没有{}的，写成{}", def.zh, declaration::example(&def.zh))
        } else {
            help
        }
    }

    /// An attachment must be a web address or a file inside the unit folder.
    fn file_problem(&self, t: &str) -> Option<&'static str> {
        if shape::is_url(t) {
            return None;
        }
        let rel = t.trim_start_matches("./");
        if rel.starts_with('/') || rel.contains(":\\") || rel.contains(":/") {
            return Some("不能是绝对路径或其他协议的链接");
        }
        if rel.split(['/', '\\']).any(|p| p == "..") {
            return Some("不能用 .. 指向单位文件夹之外");
        }
        (!self.unit.has_attachment(rel)).then_some("指向的文件不存在")
    }

    fn missing_file(&mut self) {
        let file = format!("{}/{}", self.unit.dir, self.spec.file);
        let zh = self.rule.field.as_deref().and_then(|f| self.spec.field(f)).map(|d| d.zh.clone());
        let help = match &zh {
            Some(zh) => format!("新建 {file}，写上「{zh}: …」（可运行 gongkai init 生成模板）"),
            None => format!("新建 {file}（可运行 gongkai init 生成模板）"),
        };
        let help = self.rule.hint.clone().map_or(help.clone(), |h| format!("{h}；{help}"));
        self.push(
            Kind::Missing,
            &file,
            None,
            zh,
            format!("缺少{}：没有 {} 文件", self.rule.title, self.spec.file),
            help,
        );
    }

    fn missing_field(&mut self, parent: &Node, place: &Place<'_>, def: &FieldDef) {
        let where_ =
            if place.label.is_empty() { self.spec.file.trim_end_matches('/').to_string() } else { place.label.clone() };
        let example = def.hint.as_deref().unwrap_or("…");
        let help = self.rule.hint.clone().unwrap_or_else(|| format!("在{where_}下添加「{}: {example}」", def.zh));
        let help = self.absent_help(help, def, place);
        let pos = match parent.value {
            Value::Null => Pos::new(1, 1).max(parent.pos),
            _ => parent.pos,
        };
        let path = if place.path.is_empty() { def.zh.clone() } else { format!("{}.{}", place.path, def.zh) };
        self.push(Kind::Missing, place.file, Some(pos), Some(path), format!("{}缺少「{}」", place.label, def.zh), help);
    }

    fn empty(&mut self, node: &Node, def: &FieldDef, place: &Place<'_>) {
        self.push(
            Kind::Empty,
            place.file,
            Some(node.pos),
            Some(place.path.clone()),
            format!("{}「{}」是空的", place.label, def.zh),
            self.absent_help(self.fill_help(def, self.req.shape), def, place),
        );
    }

    fn wrong_type(&mut self, node: &Node, def: &FieldDef, place: &Place<'_>, expected: &str) {
        self.push(
            Kind::Invalid,
            place.file,
            Some(node.pos),
            Some(place.path.clone()),
            format!("{}「{}」应为{expected}，这里写成了{}", place.label, def.zh, node.type_name()),
            format!("改写成{}", if expected == "列表" { Shape::List.example() } else { "一段文字" }),
        );
    }

    fn fill_help(&self, def: &FieldDef, shape: Shape) -> String {
        if let Some(h) = &self.rule.hint {
            return h.clone();
        }
        match (&def.hint, shape) {
            (Some(h), Shape::Text) => format!("填写{}：{h}", def.zh),
            (None, Shape::Text) => format!("填写{}", def.zh),
            _ => format!("填写{}，{}", def.zh, shape.example()),
        }
    }

    fn push(&mut self, kind: Kind, file: &str, pos: Option<Pos>, field: Option<String>, message: String, help: String) {
        self.out.push(rule_finding(self.rule, self.unit, kind, file, pos, field, message, help));
    }
}

const UNVERIFIED: &str = "（此条规定原文尚未核实，仅作提醒）";
const REMINDER: &str = "（提醒，不计入完整度）";

/// A finding of a pack rule; an unverified rule and a reminder say so.
#[allow(clippy::too_many_arguments)]
pub(crate) fn rule_finding(
    rule: &Rule,
    unit: &Unit,
    kind: Kind,
    file: &str,
    pos: Option<Pos>,
    field: Option<String>,
    message: String,
    help: String,
) -> Finding {
    let unverified = match (rule.verified, rule.severity, &rule.check) {
        (false, _, _) => UNVERIFIED,
        // a pack's reminder: an item the measure does not name by itself (see the pack's header)
        (true, Severity::Warning, Check::Item(_)) if rule.weight == 0 => REMINDER,
        _ => "",
    };
    Finding {
        unit: Some(unit.slug.clone()),
        rule: rule.id.to_string(),
        citation: Some(rule.cited.to_string()),
        title: rule.title.to_string(),
        kind,
        severity: rule.severity,
        file: file.to_string(),
        line: pos.map(|p| p.line),
        column: pos.map(|p| p.col),
        field: field.filter(|f| !f.is_empty()),
        message: format!("{message}{unverified}"),
        help: Some(help),
        detail: None,
    }
}

/// Does a document of a folder pass a rule's `where`?
pub fn selected(doc: &Doc, filter: &[(String, Vec<String>)]) -> bool {
    filter.iter().all(|(key, values)| {
        doc.data.as_ref().and_then(|d| d.text(key)).is_some_and(|v| values.iter().any(|w| w.trim() == v))
    })
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

impl Place<'_> {
    fn child(&self, written: &str, zh: &str) -> Self {
        let path = if self.path.is_empty() { written.to_string() } else { format!("{}.{written}", self.path) };
        Place { file: self.file, path, label: self.label.clone(), zh: zh.to_string() }
    }

    fn item(&self, i: usize, name: Option<&str>) -> Self {
        let named = name.map(|n| format!("（{}）", short(n))).unwrap_or_default();
        Place {
            file: self.file,
            path: format!("{}[{}]", self.path, i + 1),
            label: format!("{}「{}」第 {} 项{named}", self.label, self.zh, i + 1),
            zh: self.zh.clone(),
        }
    }
}

/// A list that may have no entries (`min: 0`) may also be left out.
fn may_be_absent(req: &Requirement) -> bool {
    req.shape == Shape::List && req.min == 0
}

/// A name for a list entry in messages: its first naming field.
fn item_label(item: &Node) -> Option<&str> {
    ["name", "title", "item", "post"].iter().find_map(|k| item.text(k)).filter(|t| !shape::is_placeholder(t, &[]))
}

fn short(t: &str) -> String {
    let t = t.trim();
    if t.chars().count() > 30 { format!("{}…", t.chars().take(30).collect::<String>()) } else { t.to_string() }
}

/// A rule's `where` in words: `类别为「计划停电」或「临时停电」`.
pub(crate) fn filter_words(spec: &DocSpec, filter: &[(String, Vec<String>)]) -> String {
    filter
        .iter()
        .map(|(key, values)| {
            let zh = spec.field(key).map_or(key.as_str(), |f| f.zh.as_str());
            let vs: Vec<String> = values.iter().map(|v| format!("「{v}」")).collect();
            format!("{zh}为{}", vs.join("或"))
        })
        .collect::<Vec<_>>()
        .join("、")
}
