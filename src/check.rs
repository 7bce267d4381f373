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
use crate::load::{Doc, Site, Unit};
use crate::pack::{Check, Pack, Requirement, Rule, Shape};
use crate::review::{self, Acknowledgement};
use crate::timing;

use crate::schema::{DocSpec, FieldDef, Schema};
use crate::shape;
use crate::yaml::{Node, Pos, Value};

/// What checking depends on besides the content: the date it is done on (an input, so results
/// can be reproduced) and the working-day calendar.
#[derive(Debug, Clone)]
pub struct Env {
    pub today: jiff::civil::Date,
    pub calendar: crate::calendar::Calendar,
}

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
    /// 0–100: the weight of the required items present, over the weight of all required items.
    pub score: u32,
    pub grade: Grade,
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

/// The bands of 《白银市政务公开工作考核办法(试行)》第十条.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Grade {
    #[serde(rename = "不合格")]
    #[default]
    Fail,
    #[serde(rename = "合格")]
    Pass,
    #[serde(rename = "良好")]
    Good,
    #[serde(rename = "优秀")]
    Excellent,
}

impl Grade {
    pub fn from_score(score: u32) -> Grade {
        match score {
            90.. => Grade::Excellent,
            80..=89 => Grade::Good,
            60..=79 => Grade::Pass,
            _ => Grade::Fail,
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Grade::Excellent => "优秀",
            Grade::Good => "良好",
            Grade::Pass => "合格",
            Grade::Fail => "不合格",
        }
    }
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
        rule_findings.append(&mut out);
    }
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
        .cloned()
        .collect();
    findings.append(&mut rule_findings);
    findings.append(&mut crate::dates::future(unit, schema, env));
    let (mut privacy, acknowledgements) = review::review(unit);
    let withheld: std::collections::BTreeSet<String> = privacy
        .iter()
        .filter(|f| f.severity == Severity::Error && matches!(f.kind, Kind::Privacy | Kind::Confidential))
        .map(|f| f.file.clone())
        .collect();
    findings.append(&mut privacy);

    let (got, total) = outcomes
        .iter()
        .filter(|o| o.severity == Severity::Error)
        .fold((0u32, 0u32), |(g, t), o| (g + if o.status == Status::Passed { o.weight } else { 0 }, t + o.weight));
    let score =
        if total == 0 { 100 } else { ((u64::from(got) * 100 + u64::from(total) / 2) / u64::from(total)) as u32 };
    let result = UnitResult {
        slug: unit.slug.clone(),
        name: unit.name().to_string(),
        sector: unit.sector.clone(),
        score,
        grade: Grade::from_score(score),
        errors: findings.iter().filter(|f| f.severity == Severity::Error).count(),
        warnings: findings.iter().filter(|f| f.severity == Severity::Warning).count(),
        rules: outcomes,
        withheld: withheld.into_iter().collect(),
        declarations: declaration::merge(declared),
    };
    UnitCheck { result, findings, acknowledgements }
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
        for part in self.rule.field.as_deref().unwrap_or_default().split('.') {
            let Some(d) = defs.iter().find(|d| d.key == part) else {
                return;
            };
            let Some(entry) = node.entry(part) else {
                self.missing_field(node, &place, d);
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
            let title = data.text("title").unwrap_or(&doc.stem);
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
                // the schema already reported the shape of this entry
                continue;
            }
            for (key, sub) in &req.each {
                let Some(sub_def) = def.sub(key) else {
                    continue;
                };
                match item.entry(key) {
                    Some(e) => self.value(sub, Some(&e.value), sub_def, &p.child(&e.written, &sub_def.zh)),
                    None => self.missing_field(item, &p, sub_def),
                }
            }
        }
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

/// A finding of a pack rule; an unverified rule says so.
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
    let unverified = if rule.verified { "" } else { "（此条规定原文尚未核实，仅作提醒）" };
    Finding {
        unit: Some(unit.slug.clone()),
        rule: rule.id.to_string(),
        citation: Some(rule.citation.to_string()),
        title: rule.title.to_string(),
        kind,
        severity: rule.severity,
        file: file.to_string(),
        line: pos.map(|p| p.line),
        column: pos.map(|p| p.col),
        field: field.filter(|f| !f.is_empty()),
        message: format!("{message}{unverified}"),
        help: Some(help),
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
