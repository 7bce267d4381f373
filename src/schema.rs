//! The content model as data: which files a unit has and which fields they hold.
//!
//! Sits between `yaml` (the raw spanned tree) and `load`. The built-in model is `schema.yaml`,
//! embedded in the binary; rule packs may add fields or whole documents with the same shape. Here
//! user keys (English or Chinese) become canonical keys, and every unknown key, duplicate and wrongly
//! typed value becomes a finding, so that a typo never hides a missing item.

use serde::Deserialize;

use crate::finding::{Finding, Kind, Severity};
use crate::shape;
use crate::yaml::{Node, Pos, Value};

/// The whole content model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// The sectors a unit can belong to.
    pub sectors: Vec<SectorDef>,
    /// Fields every document may have (the review record).
    #[serde(default)]
    pub common: Vec<FieldDef>,
    /// Fields every Markdown document (a page of its own) may have besides (`草稿`).
    #[serde(default)]
    pub pages: Vec<FieldDef>,
    /// The documents of a unit, built-in first, then what packs add.
    pub documents: Vec<DocSpec>,
}

/// A sector (行业) a unit can belong to.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SectorDef {
    /// Stable English key (`school`).
    pub key: String,
    /// Chinese name (学校).
    pub zh: String,
    /// Other words that mean it.
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl SectorDef {
    /// Every word accepted for this sector: its key, its Chinese name and its aliases.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        [self.key.as_str(), self.zh.as_str()].into_iter().chain(self.aliases.iter().map(String::as_str))
    }
}

/// One kind of file in a unit folder: a single YAML file (`fees.yaml`) or a folder of Markdown
/// files with front matter (`services/`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DocSpec {
    /// Stable English key (`fees`).
    pub kind: String,
    /// File name (`fees.yaml`) or folder (`services/`) in the unit folder.
    pub file: String,
    /// Chinese title, as pages and messages name it.
    pub title: String,
    /// The clause of the baseline measure the document answers.
    pub clause: String,
    /// What one document of a folder is called (事项, 通知, 线路), for scaffolds.
    #[serde(default)]
    pub item: Option<String>,
    /// A folder of YAML data files (`requests/2025.yaml`), not of Markdown documents: read and
    /// checked like any document, shown on the pages of another (the 年度报告), never a page of
    /// its own.
    #[serde(default)]
    pub data: bool,
    /// Its fields.
    #[serde(default)]
    pub fields: Vec<FieldDef>,
}

/// A field of a document, or of an entry in a list field.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Canonical English key.
    pub key: String,
    /// Chinese name: what clerks write and messages say.
    pub zh: String,
    /// Other accepted spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The shape of its value.
    #[serde(default, rename = "type")]
    pub ty: FieldType,
    /// Sub-fields of each entry, for `type: list`.
    #[serde(default)]
    pub fields: Vec<FieldDef>,
    /// What to write, for scaffolds and messages.
    #[serde(default)]
    pub hint: Option<String>,
    /// A field whose purpose is a personal contact (e.g. a social supervisor's phone).
    #[serde(default)]
    pub contact: bool,
}

/// The shape of a field's value.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// One line of text.
    #[default]
    Text,
    /// Text of several lines (a list of lines or a block).
    Lines,
    /// A list of entries with sub-fields.
    List,
    /// A date (`2026-08-25`, `2026年8月25日`).
    Date,
    /// A sector word.
    Sector,
    /// A document's standing: a word of the closed set in `status` (有效, 已撤销, 已终止).
    Status,
    /// Yes or no: `true` or `false`, 是 or 否 (kept as a YAML boolean).
    Flag,
}

const BUILTIN: &str = include_str!("schema.yaml");

/// The key of the review record every document may carry (see `common` in schema.yaml).
pub const ACKNOWLEDGEMENTS: &str = "acknowledgements";

/// The key that marks a Markdown document as a draft, never published (see `pages` in
/// schema.yaml).
pub const DRAFT: &str = "draft";

/// Keys that say something about the document to gongkai, not to the public: never shown on its
/// page nor in open data.
pub fn is_internal(key: &str) -> bool {
    key == ACKNOWLEDGEMENTS || key == DRAFT
}

impl Schema {
    /// The built-in content model.
    pub fn builtin() -> Schema {
        // The embedded file is ours and covered by tests; failing here is a build defect.
        let mut s: Schema = serde_saphyr::from_str(BUILTIN).expect("embedded schema.yaml is valid");
        let common = std::mem::take(&mut s.common);
        let pages = std::mem::take(&mut s.pages);
        for doc in &mut s.documents {
            doc.fields.extend(common.iter().cloned());
            if doc.has_pages() {
                doc.fields.extend(pages.iter().cloned());
            }
        }
        s.common = common;
        s.pages = pages;
        s
    }

    /// The document of a kind.
    pub fn doc(&self, kind: &str) -> Option<&DocSpec> {
        self.documents.iter().find(|d| d.kind == kind)
    }

    /// The document spec for a path inside a unit folder (`fees.yaml`, `services/a.md`).
    pub fn doc_for_path(&self, rel: &str) -> Option<&DocSpec> {
        self.documents.iter().find(|d| d.matches(rel))
    }

    /// The document spec a rule's `file:` names (`fees.yaml`, `services/`, `services`).
    pub fn doc_for_file(&self, file: &str) -> Option<&DocSpec> {
        let bare = file.trim_end_matches('/');
        self.documents.iter().find(|d| d.file.trim_end_matches('/') == bare || d.kind == bare)
    }

    /// The sector a written word means (key, Chinese name or alias).
    pub fn sector(&self, written: &str) -> Option<&SectorDef> {
        let w = written.trim();
        self.sectors.iter().find(|s| s.key.eq_ignore_ascii_case(w) || s.zh == w || s.aliases.iter().any(|a| a == w))
    }

    /// The sector a word that is not one of the accepted ones probably means: a typo of one
    /// (`医阮`), or a longer name that contains one (`乡镇中心卫生院`, `白银市第一幼儿园`).
    /// Returns the sector and the accepted word it matched.
    pub fn sector_guess<'a>(&'a self, written: &str) -> Option<(&'a SectorDef, &'a str)> {
        let w = written.trim();
        let words = || self.sectors.iter().flat_map(|s| s.words().map(move |n| (s, n)));
        if let Some(typo) = did_you_mean(w, words().map(|(_, n)| n)) {
            return words().find(|(_, n)| *n == typo);
        }
        // the longest accepted word inside what was written; the first sector wins a tie
        words().filter(|(_, n)| !n.is_ascii() && n.chars().count() >= 2 && w.contains(n)).fold(
            None,
            |best: Option<(&SectorDef, &str)>, (s, n)| match best {
                Some((_, b)) if b.chars().count() >= n.chars().count() => best,
                _ => Some((s, n)),
            },
        )
    }

    /// Every accepted sector with its everyday words, for messages and scaffolds:
    /// `学校（教育、中小学、幼儿园…）、医院（…）…`.
    pub fn sector_list(&self) -> String {
        self.sector_lines().join("；")
    }

    /// One line per sector: `学校（教育、中小学、幼儿园…）`.
    pub fn sector_lines(&self) -> Vec<String> {
        self.sectors
            .iter()
            .map(|s| if s.aliases.is_empty() { s.zh.clone() } else { format!("{}（{}）", s.zh, s.aliases.join("、")) })
            .collect()
    }

    /// Add fields (and sub-fields) to a document, or a whole new document, from a rule pack.
    pub fn extend(&mut self, file: &str, fields: &[FieldDef]) -> Result<(), String> {
        let doc = self
            .documents
            .iter_mut()
            .find(|d| d.file.trim_end_matches('/') == file.trim_end_matches('/'))
            .ok_or_else(|| format!("unknown document `{file}`; declare it under `documents:` first"))?;
        merge_fields(&mut doc.fields, fields, &doc.file)
    }

    /// Add a document a pack defines; refused when its kind or file is taken.
    pub fn add_document(&mut self, mut spec: DocSpec) -> Result<(), String> {
        let pages = if spec.has_pages() { &self.pages[..] } else { &[] };
        for f in self.common.iter().chain(pages) {
            if !spec.fields.iter().any(|e| e.key == f.key) {
                spec.fields.push(f.clone());
            }
        }

        if let Some(existing) = self.documents.iter().find(|d| d.kind == spec.kind || d.file == spec.file) {
            if *existing == spec {
                return Ok(());
            }
            return Err(format!("document `{}` ({}) is already defined differently", spec.kind, spec.file));
        }
        if !(spec.file.ends_with('/') || spec.file.ends_with(".yaml")) {
            return Err(format!("document file `{}` must be a `.yaml` file or a folder ending in `/`", spec.file));
        }
        self.documents.push(spec);
        Ok(())
    }
}

fn merge_fields(into: &mut Vec<FieldDef>, add: &[FieldDef], ctx: &str) -> Result<(), String> {
    for f in add {
        match into.iter_mut().find(|e| e.key == f.key) {
            Some(existing) => {
                if f.zh != existing.zh || (f.ty != existing.ty && f.ty != FieldType::Text) {
                    return Err(format!(
                        "field `{}` in {ctx} is already defined as {} ({:?})",
                        f.key, existing.zh, existing.ty
                    ));
                }
                for a in &f.aliases {
                    if !existing.aliases.contains(a) {
                        existing.aliases.push(a.clone());
                    }
                }
                merge_fields(&mut existing.fields, &f.fields, &format!("{ctx} › {}", f.key))?;
            }
            None => {
                if let Some(clash) = into.iter().find(|e| f.names().any(|n| e.accepts(n))) {
                    return Err(format!("field `{}` in {ctx}: its name clashes with `{}`", f.key, clash.key));
                }
                into.push(f.clone());
            }
        }
    }
    Ok(())
}

impl DocSpec {
    /// A folder of files (Markdown documents, or YAML data files), not one YAML file.
    pub fn is_collection(&self) -> bool {
        self.file.ends_with('/')
    }

    /// A folder of Markdown documents, each published as a page: a collection that is not data.
    pub fn has_pages(&self) -> bool {
        self.is_collection() && !self.data
    }

    /// Does `rel` (a path inside the unit folder) belong to this document?
    pub fn matches(&self, rel: &str) -> bool {
        if self.is_collection() {
            let ends = |exts: &[&str]| exts.iter().any(|e| rel.ends_with(e));
            let exts: &[&str] = if self.data { &[".yaml", ".yml"] } else { &[".md", ".markdown"] };
            rel.strip_prefix(&self.file).is_some_and(|name| !name.contains('/') && ends(exts))
        } else {
            rel == self.file || rel == self.file.replace(".yaml", ".yml")
        }
    }

    /// The field at a dotted path (`leaders.name`), following list sub-fields.
    pub fn field(&self, dotted: &str) -> Option<&FieldDef> {
        let mut fields = &self.fields;
        let mut found = None;
        for part in dotted.split('.') {
            let f = fields.iter().find(|f| f.key == part)?;
            fields = &f.fields;
            found = Some(f);
        }
        found
    }
}

impl FieldDef {
    /// Every spelling of this field's key that content may use.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        [self.key.as_str(), self.zh.as_str()].into_iter().chain(self.aliases.iter().map(String::as_str))
    }

    /// Does the user's key name this field?
    pub fn accepts(&self, written: &str) -> bool {
        let w = normalize_key(written);
        self.names().any(|n| n == w || (n.is_ascii() && n.eq_ignore_ascii_case(&w)))
    }

    /// A sub-field of a list entry.
    pub fn sub(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.key == key)
    }
}

/// Forgive the harmless: surrounding spaces and a stray full-width colon.
fn normalize_key(k: &str) -> String {
    k.trim().trim_end_matches(['：', ':']).trim().to_string()
}

/// The nearest known name to `written` among `candidates`, if it is close enough to be a typo.
pub fn did_you_mean<'a>(written: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let w = written.trim().to_lowercase();
    let wlen = w.chars().count();
    candidates
        .filter_map(|c| {
            let d = strsim::levenshtein(&w, &c.to_lowercase());
            let len = wlen.max(c.chars().count());
            // one edit in short keys, a third of the length in longer ones
            (d > 0 && d <= (len / 3).max(1)).then_some((d, c))
        })
        .min()
        .map(|(_, c)| c)
}

/// Where in a file we are, for messages.
pub struct Ctx<'a> {
    /// The file being normalised (site-relative).
    pub file: &'a str,
    /// The content model.
    pub schema: &'a Schema,
    /// The document being normalised (for "this field belongs elsewhere" hints).
    pub doc: &'a DocSpec,
}

impl Ctx<'_> {
    fn finding(&self, kind: Kind, pos: Pos, message: String) -> Finding {
        Finding::builtin(kind, Severity::Error, self.file, Some(pos), message)
    }
}

/// Normalise the root of a document: canonical keys, unknown keys reported and dropped.
pub fn normalize_doc(node: &mut Node, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    match &node.value {
        Value::Map(_) => normalize_map(node, &ctx.doc.fields, "", ctx, out),
        Value::Null => {}
        _ => out.push(
            ctx.finding(Kind::Invalid, node.pos, format!("文件内容应为「键: 值」的形式，这里是{}", node.type_name()))
                .with_help(
                    colon_help(node)
                        .unwrap_or_else(|| "每行写成「字段名: 内容」，冒号用英文「:」且后面留一个空格".to_string()),
                ),
        ),
    }
}

/// A clerk typing `单位名称：白银市…` gets one long text instead of a mapping.
fn colon_help(node: &Node) -> Option<String> {
    let text = node.as_text()?;
    text.contains('：')
        .then(|| "冒号要用英文半角「:」，并在后面加一个空格，例如「单位名称: 白银市银光中学」".to_string())
}

fn normalize_map(node: &mut Node, fields: &[FieldDef], path: &str, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let Value::Map(entries) = &mut node.value else {
        return;
    };
    let mut kept: Vec<crate::yaml::Entry> = Vec::with_capacity(entries.len());
    for mut entry in std::mem::take(entries) {
        let Some(def) = fields.iter().find(|f| f.accepts(&entry.written)) else {
            out.push(unknown_key(&entry.written, entry.key_pos, fields, path, ctx));
            continue;
        };
        let field_path = join(path, &entry.written);
        if let Some(first) = kept.iter().find(|e| e.key == def.key) {
            out.push(
                ctx.finding(
                    Kind::Invalid,
                    entry.key_pos,
                    format!("「{}」写了两次（第 {} 行已经写过「{}」）", def.zh, first.key_pos.line, first.written),
                )
                .with_field(field_path)
                .with_title(def.zh.clone())
                .with_help("删掉其中一处，只保留一个"),
            );
            continue;
        }
        entry.key = def.key.clone();
        check_type(&mut entry.value, def, &field_path, ctx, out);
        kept.push(entry);
    }
    *entries = kept;
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

fn unknown_key(written: &str, pos: Pos, fields: &[FieldDef], path: &str, ctx: &Ctx<'_>) -> Finding {
    let here = if path.is_empty() { ctx.doc.file.trim_end_matches('/').to_string() } else { path.to_string() };
    let mut f = ctx
        .finding(Kind::UnknownField, pos, format!("不认识的字段「{written}」"))
        .with_field(join(path, written))
        .with_title(written.to_string());
    let suggestion = did_you_mean(written, fields.iter().flat_map(FieldDef::names));
    let elsewhere = ctx
        .schema
        .documents
        .iter()
        .filter(|d| d.kind != ctx.doc.kind)
        .find_map(|d| d.fields.iter().find(|fd| fd.accepts(written)).map(|fd| (d, fd)));
    f.help = Some(if let Some(s) = suggestion {
        let zh = fields.iter().find(|f| f.names().any(|n| n == s)).map_or(s, |f| f.zh.as_str());
        // the item concerned is the one the key meant: `check` keeps this finding, at the key,
        // in place of the rule's "missing" one for that item
        f.title = zh.to_string();
        let named = if zh == s { format!("「{s}」") } else { format!("「{s}」（{zh}）") };
        format!("是不是{named}？字段名写错，这一项会被当作没填")
    } else if let Some(fd) = ctx.schema.pages.iter().find(|fd| fd.accepts(written)).filter(|_| path.is_empty()) {
        format!("「{}」只能写在通知、办事服务、制度、年度报告等 Markdown 文件开头，{here} 不能这样标记", fd.zh)
    } else if let Some((doc, fd)) = elsewhere.filter(|_| path.is_empty()) {
        format!("「{}」应写在 {} 里（{}）", fd.zh, doc.file, doc.clause)
    } else {
        let known: Vec<&str> = fields.iter().map(|f| f.zh.as_str()).collect();
        format!("{here} 中可以写的字段有：{}", known.join("、"))
    });
    f
}

fn check_type(node: &mut Node, def: &FieldDef, path: &str, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let wrong = |expected: &str, node: &Node| {
        ctx.finding(Kind::Invalid, node.pos, format!("「{}」应为{expected}，这里写成了{}", def.zh, node.type_name()))
            .with_field(path.to_string())
            .with_title(def.zh.clone())
    };
    // `不适用: 原因` in any written form: the rule packs judge whether the item may be absent
    if crate::declaration::normalize(node) {
        if crate::declaration::reason(node) == Some("") {
            out.push(
                ctx.finding(Kind::Invalid, node.pos, format!("「{}」写了「不适用」，但没有写明原因", def.zh))
                    .with_field(path.to_string())
                    .with_title(def.zh.clone())
                    .with_help(format!("原因会公开在页面上，写成{}", crate::declaration::example(&def.zh))),
            );
        }
        return;
    }
    match (&def.ty, &node.value) {
        (_, Value::Null) => {}
        (FieldType::Flag, Value::Bool(_)) => {}
        (FieldType::Flag, _) => match node.as_text().map(str::trim).and_then(flag) {
            Some(yes) => node.value = Value::Bool(yes),
            None => out.push(
                ctx.finding(Kind::Invalid, node.pos, format!("「{}」只能写 true 或 false（是 或 否）", def.zh))
                    .with_field(path.to_string())
                    .with_title(def.zh.clone())
                    .with_help(def.hint.clone().unwrap_or_else(|| format!("写成「{}: true」", def.zh))),
            ),
        },
        (FieldType::Status, Value::Text(t)) => {
            if let Some(f) = status_finding(t, node, def, path, ctx) {
                out.push(f);
            }
        }
        (FieldType::Text | FieldType::Date | FieldType::Sector, Value::Text(_))
        | (FieldType::Lines, Value::Text(_)) => {
            let text = node.as_text().unwrap_or_default().trim();
            if def.ty == FieldType::Date
                && !text.is_empty()
                && !shape::is_placeholder(text, &[])
                && shape::parse_date(text).is_none()
            {
                out.push(
                    ctx.finding(Kind::Invalid, node.pos, format!("「{}」不是有效的日期：「{text}」", def.zh))
                        .with_field(path.to_string())
                        .with_title(def.zh.clone())
                        .with_help("写成 2024-03-01 或 2024年3月1日"),
                );
            }
            if def.ty == FieldType::Sector && !text.is_empty() && ctx.schema.sector(text).is_none() {
                let help = match ctx.schema.sector_guess(text) {
                    Some((s, word)) if word == s.zh => format!("是不是「{}」？写成「{}: {}」", s.zh, def.zh, s.zh),
                    Some((s, word)) => format!("是不是「{}」（{word}）？写成「{}: {}」", s.zh, def.zh, s.zh),
                    None => format!("可以写：{}", ctx.schema.sector_list()),
                };
                out.push(
                    ctx.finding(Kind::Invalid, node.pos, format!("不认识的行业「{text}」"))
                        .with_field(path.to_string())
                        .with_title(def.zh.clone())
                        .with_help(help),
                );
            }
        }
        (FieldType::Lines, Value::List(items)) => {
            for item in items {
                if !matches!(item.value, Value::Text(_) | Value::Null) {
                    out.push(wrong("文字或文字列表", item).with_help("列表的每一项写成「- 内容」"));
                }
            }
        }
        (FieldType::List, Value::List(_)) => {
            let Value::List(items) = &mut node.value else {
                return;
            };
            for (i, item) in items.iter_mut().enumerate() {
                let item_path = format!("{path}[{}]", i + 1);
                match &item.value {
                    Value::Map(_) if !def.fields.is_empty() => normalize_map(item, &def.fields, &item_path, ctx, out),
                    Value::Text(_) | Value::Null if def.fields.is_empty() => {}
                    _ if def.fields.is_empty() => out.push(wrong("文字列表", item)),
                    _ => {
                        let subs: Vec<String> = def.fields.iter().take(3).map(|f| format!("{}: …", f.zh)).collect();
                        out.push(
                            ctx.finding(
                                Kind::Invalid,
                                item.pos,
                                format!(
                                    "「{}」第 {} 项应为「键: 值」组，这里写成了{}",
                                    def.zh,
                                    i + 1,
                                    item.type_name()
                                ),
                            )
                            .with_field(item_path)
                            .with_title(def.zh.clone())
                            .with_help(format!("每项写成「- {}」，后续字段与第一个字段对齐", subs.join(" "))),
                        );
                    }
                }
            }
        }
        (FieldType::List, _) => {
            out.push(wrong("列表", node).with_help(format!("在「{}:」下面逐项列出，每项以「- 」开头", def.zh)))
        }
        (FieldType::Lines, _) => out.push(wrong("文字或文字列表", node)),
        (FieldType::Text | FieldType::Date | FieldType::Sector | FieldType::Status, Value::Bool(b)) => {
            // `true`/`false` where text belongs: keep it as the text the clerk typed.
            let text = b.to_string();
            if def.ty == FieldType::Status {
                out.extend(status_finding(&text, node, def, path, ctx));
            }
            node.value = Value::Text(text);
        }
        (FieldType::Text | FieldType::Date | FieldType::Sector | FieldType::Status, _) => {
            out.push(wrong("一段文字", node).with_help("如需写多行，用「|」开头的多行文字"))
        }
    }
}

/// A yes or no as a clerk writes it.
fn flag(written: &str) -> Option<bool> {
    match written {
        "true" | "True" | "TRUE" | "是" | "yes" | "Yes" => Some(true),
        "false" | "False" | "FALSE" | "否" | "no" | "No" => Some(false),
        _ => None,
    }
}

/// A status outside the closed set: what it probably means, or the words to choose from.
fn status_finding(written: &str, node: &Node, def: &FieldDef, path: &str, ctx: &Ctx<'_>) -> Option<Finding> {
    use crate::status::{Reading, choices, read};
    let w = written.trim();
    let help = match read(w) {
        Reading::Exact(_) => return None,
        _ if w.is_empty() || shape::is_placeholder(w, &[]) => return None,
        Reading::Near(s) => format!("是不是「{}」？{}只能写{}", s.zh(), def.zh, choices()),
        Reading::Unknown => format!("{}只能写{}", def.zh, choices()),
    };
    Some(
        ctx.finding(Kind::Invalid, node.pos, format!("不认识的{}「{w}」", def.zh))
            .with_field(path.to_string())
            .with_title(def.zh.clone())
            .with_help(help),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn run(kind: &str, src: &str) -> (Node, Vec<Finding>) {
        let schema = Schema::builtin();
        let doc = schema.doc(kind).unwrap().clone();
        let mut node = parse(src).unwrap();
        let mut out = Vec::new();
        normalize_doc(&mut node, &Ctx { file: "f.yaml", schema: &schema, doc: &doc }, &mut out);
        (node, out)
    }

    #[test]
    fn builtin_schema_loads_and_every_field_has_both_names() {
        let s = Schema::builtin();
        assert_eq!(s.documents.len(), 10);
        for d in &s.documents {
            for f in &d.fields {
                assert!(f.key.is_ascii() && !f.zh.is_ascii(), "{}: {}", d.file, f.key);
            }
        }
    }

    #[test]
    fn chinese_and_english_keys_become_canonical() {
        let (n, out) =
            run("fees", "收费项目:\n  - 项目名称: 水费\n    basis: 甘发改〔2020〕1号\n    收费标准: 3.10元/立方米\n");
        assert!(out.is_empty(), "{out:?}");
        let fee = &n.get("fees").unwrap().as_list().unwrap()[0];
        assert_eq!(fee.text("name"), Some("水费"));
        assert_eq!(fee.text("basis"), Some("甘发改〔2020〕1号"));
        assert_eq!(fee.text("standard"), Some("3.10元/立方米"));
    }

    #[test]
    fn unknown_key_suggests_the_nearest() {
        let (_, out) = run("fees", "收费项目:\n  - 项目名称: 水费\n    收费标注: 3元\n");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].kind, Kind::UnknownField);
        assert_eq!((out[0].line, out[0].column), (Some(3), Some(5)));
        assert!(out[0].help.as_deref().unwrap().contains("收费标准"), "{:?}", out[0].help);
        let (_, out) = run("unit", "servce_phone: 1\n");
        assert!(out[0].help.as_deref().unwrap().contains("service_phone"));
    }

    #[test]
    fn key_from_another_file_says_where_it_belongs() {
        let (_, out) = run("unit", "监督电话: 0943-8221234\n");
        assert!(out[0].help.as_deref().unwrap().contains("supervision.yaml"), "{:?}", out[0].help);
    }

    #[test]
    fn same_field_twice_under_two_names() {
        let (_, out) = run("unit", "name: 甲\n单位名称: 乙\n");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].line, Some(2));
        assert!(out[0].message.contains("两次"));
    }

    #[test]
    fn wrong_types_are_invalid() {
        let (_, out) = run("unit", "name: [a, b]\nleaders: 张三\nupdated: 2024-02-30\nsector: 医\n");
        let kinds: Vec<_> = out.iter().map(|f| (f.line.unwrap(), f.kind)).collect();
        assert_eq!(kinds, vec![(1, Kind::Invalid), (2, Kind::Invalid), (3, Kind::Invalid), (4, Kind::Invalid)]);
        assert!(out[3].help.as_deref().unwrap().contains("医院"), "{:?}", out[3].help);
    }

    /// 第二条 names 疾病预防控制 and 妇幼保健服务机构 beside schools and hospitals; a clerk writes
    /// 幼儿园 or 卫生院 (the verdicts issue, point 15).
    #[test]
    fn every_kind_of_unit_the_measure_names_is_a_sector() {
        let s = Schema::builtin();
        for (written, key) in [
            ("疾病预防控制", "cdc"),
            ("疾控中心", "cdc"),
            ("妇幼保健服务机构", "maternal_child"),
            ("妇幼保健院", "maternal_child"),
            ("幼儿园", "school"),
            ("卫生院", "hospital"),
            ("教育", "school"),
            ("医疗卫生", "hospital"),
            ("环保", "environment"),
        ] {
            assert_eq!(s.sector(written).map(|d| d.key.as_str()), Some(key), "{written}");
        }
        // each word names one sector only
        let mut words: Vec<&str> = s.sectors.iter().flat_map(SectorDef::words).collect();
        let n = words.len();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), n, "a word is accepted for two sectors");
    }

    #[test]
    fn an_unknown_sector_word_gets_the_sector_it_probably_means() {
        let (_, out) = run("unit", "sector: 白银市第一幼儿园\n");
        assert_eq!(out.len(), 1);
        let help = out[0].help.as_deref().unwrap();
        assert!(help.contains("是不是「学校」（幼儿园）"), "{help}");
        let (_, out) = run("unit", "sector: 乡镇中心卫生院\n");
        assert!(out[0].help.as_deref().unwrap().contains("是不是「医院」"), "{:?}", out[0].help);
        let (_, out) = run("unit", "sector: 博物馆\n");
        let help = out[0].help.as_deref().unwrap();
        assert!(help.contains("妇幼保健（") && help.contains("幼儿园"), "{help}");
    }

    /// `草稿` is a key of every Markdown document only (pages: a draft is a page not published).
    #[test]
    fn a_draft_is_a_yes_or_no_of_markdown_documents() {
        for (written, yes) in [("true", true), ("是", true), ("false", false), ("否", false), ("\"true\"", true)] {
            let (n, out) = run("notices", &format!("草稿: {written}\n标题: 通知\n"));
            assert!(out.is_empty(), "{written}: {out:?}");
            assert_eq!(n.get(DRAFT).map(|d| d.value.clone()), Some(Value::Bool(yes)), "{written}");
        }
        let (_, out) = run("services", "draft: 也许\n");
        assert_eq!((out.len(), out[0].kind), (1, Kind::Invalid), "{out:?}");
        assert!(out[0].message.contains("只能写 true 或 false"), "{}", out[0].message);
        // a single-file document cannot be a draft: the key is unknown there
        let (_, out) = run("fees", "草稿: true\n");
        assert_eq!(out[0].kind, Kind::UnknownField, "{out:?}");
        assert!(out[0].help.as_deref().unwrap().contains("只能写在通知、办事服务"), "{:?}", out[0].help);
        let s = Schema::builtin();
        for d in &s.documents {
            assert_eq!(d.field(DRAFT).is_some(), d.has_pages(), "{}", d.kind);
        }
    }

    #[test]
    fn full_width_colon_gets_a_hint() {
        let (_, out) = run("unit", "单位名称：白银市银光中学\n");
        assert!(out[0].help.as_deref().unwrap().contains("英文半角"));
    }

    #[test]
    fn packs_can_extend_fields() {
        let mut s = Schema::builtin();
        let extra: Vec<FieldDef> = serde_saphyr::from_str(
            "- key: leaders\n  zh: 窗口单位领导\n  type: list\n  fields:\n    - {key: department, zh: 科室}\n- {key: guide, zh: 信息公开指南}\n",
        )
        .unwrap();
        s.extend("unit.yaml", &extra).unwrap();
        let d = s.doc("unit").unwrap();
        assert!(d.field("leaders.department").is_some());
        assert!(d.field("guide").is_some());
        let clash: Vec<FieldDef> = serde_saphyr::from_str("- {key: title2, zh: 单位名称}\n").unwrap();
        assert!(s.extend("unit.yaml", &clash).is_err());
    }
}
