//! Item rules: the item is there, filled in, and of the right shape (a phone number, a date, a
//! list whose entries carry their sub-fields), or honestly declared absent where the pack allows.
//!
//! Inside `check`, above `outcome` and `docs`: `check_unit` calls [`evaluate`] for each item rule
//! of a unit. Pure: it reads the loaded unit, never a file. Each failure is a `Finding` naming the
//! item, its citation, the file, the line and what to add; how single values are judged is in
//! `values`.

mod values;

use super::docs::{filter_words, selected};
use super::outcome::{At, rule_finding};
use crate::declaration::{self, Declaration};
use crate::finding::{Finding, Kind};
use crate::model::{Doc, Unit};
use crate::pack::{Pack, Requirement, Rule, Shape};
use crate::schema::{DocSpec, FieldDef};
use crate::shape;
use crate::yaml::{Node, Pos, Value};

/// What one item rule found at a unit.
pub(super) struct Evaluated {
    pub findings: Vec<Finding>,
    /// Some file the rule needs could not be read.
    pub unchecked: bool,
    /// Items declared absent that this rule accepts.
    pub declared: Vec<Declaration>,
}

/// Evaluate one item rule (with its requirement `req`, of document `spec`) against a unit.
pub(super) fn evaluate(rule: &Rule, req: &Requirement, pack: &Pack, unit: &Unit, spec: &DocSpec) -> Evaluated {
    let mut eval =
        Eval { rule, req, pack, unit, spec, out: Vec::new(), declared: Vec::new(), unchecked: unit.is_empty() };
    if !unit.is_empty() {
        eval.run();
    }
    Evaluated { findings: eval.out, unchecked: eval.unchecked, declared: eval.declared }
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
        let example = def.hint.as_deref().unwrap_or("…");
        // a file name stands apart from the Chinese around it (「在 gongkai.yaml 里」), a label does not
        let where_ = if place.label.is_empty() {
            format!("在 {} 里", self.spec.file.trim_end_matches('/'))
        } else {
            format!("在{}下", place.label)
        };
        let help = self.rule.hint.clone().unwrap_or_else(|| format!("{where_}添加「{}: {example}」", def.zh));
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
    fn push(&mut self, kind: Kind, file: &str, pos: Option<Pos>, field: Option<String>, message: String, help: String) {
        self.out.push(rule_finding(self.rule, self.unit, kind, At { file, pos, field }, message, help));
    }
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
