//! The JSON Schema of one kind of content file (`unit.yaml`, the front matter of `services/*.md`,
//! `requests/*.yaml` …), generated from the content model and the rule packs that apply.
//!
//! Part of `editor_schema`. Every spelling a field accepts (English key, Chinese name, aliases)
//! is a property; closed sets (行业, 状态, yes or no) are `enum`s; descriptions name the field,
//! say what to write and cite the clause of each rule that requires it. The shapes follow what
//! `schema::check_type` accepts, so a file the schema refuses is one `check` reports as
//! `invalid` or `unknown-field`.

use serde_json::{Map, Value, json};

use crate::pack::{Check, Pack, Requirement, Rule};
use crate::schema::{DocSpec, FieldDef, FieldType, Schema};

/// The schema of the document `spec` (of a site whose model is `schema`, with `packs`).
pub(crate) fn document(schema: &Schema, packs: &[Pack], spec: &DocSpec) -> Value {
    let rules: Vec<&Rule> = packs.iter().flat_map(|p| &p.rules).filter(|r| r.kind() == Some(&spec.kind)).collect();
    let place = if spec.has_pages() {
        format!("{}*.md 开头「---」之间的部分", spec.file)
    } else if spec.is_collection() {
        format!("{}*.yaml", spec.file)
    } else {
        spec.file.clone()
    };
    let mut description = format!("{}（{place}），{}。", spec.title, spec.clause);
    if let Some(p) = packs.first() {
        description.push_str(&format!("字段可写中文或英文名；规则见《{}》等规则包。", p.title));
    }
    let mut words = Words::new(schema, packs);
    // the request figures of a 年度报告 are counts (`annual`), not just text
    if spec.kind == "requests" {
        words.counts = crate::annual::figures().map(|(k, _)| k).collect();
    }
    // and so are the figures of a 社会评议 campaign (`evaluation`), digits only
    if spec.kind == crate::evaluation::KIND {
        words.counts = crate::evaluation::COUNTS.to_vec();
        words.bare_counts = true;
    }
    let mut root = object(&spec.fields, "", &rules, &words);
    let o = root.as_object_mut().expect("an object schema");
    o.insert("type".into(), json!(["object", "null"]));
    let mut top = Map::new();
    top.insert("$schema".into(), json!("http://json-schema.org/draft-07/schema#"));
    top.insert("title".into(), json!(format!("gongkai：{}", spec.title)));
    top.insert("description".into(), json!(description));
    top.extend(std::mem::take(o));
    top.insert("definitions".into(), json!({ "not_applicable": not_applicable() }));
    Value::Object(top)
}

/// The closed sets and placeholder words the value schemas need.
struct Words {
    sectors: Vec<String>,
    placeholder: String,
    /// What to write for a sector, for an editor's message.
    sector_help: String,
    /// Fields whose value is a number of cases (`3`, `3件`).
    counts: Vec<&'static str>,
    /// The counts are digits only: no `件`, no placeholder.
    bare_counts: bool,
}

impl Words {
    fn new(schema: &Schema, packs: &[Pack]) -> Words {
        let mut sectors: Vec<String> = schema.sectors.iter().flat_map(|s| s.words().map(str::to_string)).collect();
        sectors.dedup();
        let extra: Vec<&str> = packs.iter().flat_map(|p| p.placeholders.iter().map(String::as_str)).collect();
        let sector_help = format!("不认识的行业，可以写：{}", schema.sector_list());
        Words { sectors, placeholder: placeholder_pattern(&extra), sector_help, counts: Vec::new(), bare_counts: false }
    }
}

/// A mapping of `fields`, every spelling of each a property, nothing else allowed.
fn object(fields: &[FieldDef], path: &str, rules: &[&Rule], words: &Words) -> Value {
    let mut properties = Map::new();
    for f in fields {
        let dotted = if path.is_empty() { f.key.clone() } else { format!("{path}.{}", f.key) };
        let value = field(f, &dotted, rules, words);
        for name in f.names() {
            properties.entry(name.to_string()).or_insert_with(|| value.clone());
        }
    }
    json!({ "type": "object", "properties": properties, "additionalProperties": false })
}

/// The schema of one field's value: its shape, or a declaration `{不适用: 原因}`, or nothing yet.
fn field(f: &FieldDef, dotted: &str, rules: &[&Rule], words: &Words) -> Value {
    let shape = match f.ty {
        FieldType::Text if words.bare_counts && words.counts.contains(&dotted) => json!({
            "anyOf": [
                { "type": ["integer", "null"], "minimum": 0 },
                { "type": "string", "pattern": "^\\s*\\d+\\s*$", "patternErrorMessage": "写阿拉伯数字，没有的写 0" }
            ]
        }),
        FieldType::Text if words.counts.contains(&dotted) => json!({
            "anyOf": [
                { "type": ["integer", "null"], "minimum": 0 },
                { "type": "string", "pattern": "^\\s*\\d+\\s*件*$", "patternErrorMessage": "件数写阿拉伯数字，没有的写 0" },
                { "type": "string", "pattern": words.placeholder }
            ]
        }),
        FieldType::Text => json!({ "type": ["string", "number", "boolean", "null"] }),
        FieldType::Lines => json!({
            "type": ["string", "number", "array", "null"],
            "items": { "type": ["string", "number", "null"] }
        }),
        FieldType::Date => json!({
            "type": ["string", "null"],
            "pattern": format!("{DATE}|{}", words.placeholder),
            // read by yaml-language-server in place of the pattern itself
            "patternErrorMessage": "日期写成 2024-03-01 或 2024年3月1日"
        }),
        FieldType::Sector => json!({
            "type": ["string", "null"],
            "enum": words.sectors.iter().map(|s| json!(s)).chain([Value::Null]).collect::<Vec<_>>(),
            "errorMessage": words.sector_help
        }),
        FieldType::Status => json!({
            "anyOf": [
                {
                    "enum": crate::status::exact_words().iter().map(|w| json!(w)).chain([Value::Null]).collect::<Vec<_>>(),
                    "errorMessage": format!("状态只能写{}", crate::status::choices())
                },
                { "type": "string", "pattern": words.placeholder, "patternErrorMessage": format!("状态只能写{}", crate::status::choices()) }
            ]
        }),
        FieldType::Flag => {
            json!({
                "enum": [true, false, "true", "True", "TRUE", "是", "yes", "Yes", "false", "False", "FALSE", "否", "no", "No", null],
                "errorMessage": format!("「{}」只能写 true 或 false（是 或 否）", f.zh)
            })
        }
        FieldType::List if f.fields.is_empty() => {
            json!({ "type": ["array", "null"], "items": { "type": ["string", "number", "null"] } })
        }
        FieldType::List => json!({ "type": ["array", "null"], "items": object(&f.fields, dotted, rules, words) }),
    };
    let mut schema = json!({ "anyOf": [shape, { "$ref": "#/definitions/not_applicable" }] });
    let o = schema.as_object_mut().expect("an object schema");
    o.insert("title".into(), json!(f.zh));
    o.insert("description".into(), json!(describe(f, dotted, rules)));
    if f.ty == FieldType::Sector {
        o.insert("examples".into(), json!(words.sectors.iter().take(3).collect::<Vec<_>>()));
    }
    schema
}

/// What a field is, what to write, and the clause of each rule that requires it.
fn describe(f: &FieldDef, dotted: &str, rules: &[&Rule]) -> String {
    let mut s = format!("{}（{}）", f.zh, f.key);
    if !f.aliases.is_empty() {
        s.push_str(&format!("，也可写作「{}」", f.aliases.join("」「")));
    }
    s.push('。');
    if let Some(h) = &f.hint {
        s.push_str(h);
        s.push('。');
    }
    let mut cited: Vec<&str> = rules.iter().filter(|r| requires(r, dotted)).map(|r| &*r.cited).collect();
    cited.dedup();
    if !cited.is_empty() {
        s.push_str(&format!("依据：{}。", cited.join("；")));
    }
    if matches!(f.ty, FieldType::Date) {
        s.push_str("写成 2024-03-01 或 2024年3月1日。");
    }
    s
}

/// Does `rule` ask for the field at `dotted` (a field of the document, or of each entry of a
/// list the rule asks for)?
fn requires(rule: &Rule, dotted: &str) -> bool {
    let Some(field) = rule.field.as_deref() else { return false };
    if field == dotted {
        return true;
    }
    let Check::Item(req) = &rule.check else { return false };
    dotted.strip_prefix(field).and_then(|rest| rest.strip_prefix('.')).is_some_and(|rest| in_each(req, rest))
}

fn in_each(req: &Requirement, rest: &str) -> bool {
    let (head, tail) = rest.split_once('.').map_or((rest, None), |(h, t)| (h, Some(t)));
    req.each.iter().any(|(k, sub)| k == head && tail.is_none_or(|t| in_each(sub, t)))
}

/// `{不适用: 原因}` in its written forms (see `declaration`): the item does not exist at the unit.
fn not_applicable() -> Value {
    let reason = json!({ "type": ["string", "number"], "description": "不适用的原因，会公开在页面上" });
    json!({
        "description": "本单位没有这一项，写明原因，例如 {不适用: 本单位未设传真}",
        "anyOf": [
            {
                "type": "object",
                "properties": { (crate::declaration::WORD): reason, (crate::declaration::KEY): reason },
                "additionalProperties": false,
                "minProperties": 1,
                "maxProperties": 1
            },
            { "type": "string", "pattern": format!("^\\s*{}", crate::declaration::WORD) },
            // `{不适用：本单位未设传真}`: a full-width colon makes the whole text the key
            {
                "type": "object",
                "patternProperties": { (format!("^{}[：:]", crate::declaration::WORD)): { "type": "null" } },
                "additionalProperties": false,
                "minProperties": 1,
                "maxProperties": 1
            }
        ]
    })
}

/// The date forms `shape::parse_date` reads (the calendar is checked by `check`, not here).
const DATE: &str = r"^\s*\d{4}\s*(?:[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]?)\s*$";

/// A pattern for what `shape::is_placeholder` takes for a placeholder (without its ignoring of
/// ASCII case): `待补充`, `【待填写】`, `xxxx` … `check` reports these as not filled in, not as
/// wrongly shaped.
fn placeholder_pattern(extra: &[&str]) -> String {
    let wrap = r"[\s【】\[\]()（）「」<>《》：:。.，,]*";
    // only the syntax characters: ECMAScript's unicode mode (ajv, editors) refuses other escapes
    let escape = |w: &str| {
        w.chars().fold(String::new(), |mut s, c| {
            if "^$\\.*+?()[]{}|".contains(c) {
                s.push('\\');
            }
            s.push(c);
            s
        })
    };
    let exact: Vec<String> =
        crate::shape::PLACEHOLDERS.iter().copied().chain(extra.iter().copied()).map(escape).collect();
    let prefixes: Vec<String> = crate::shape::PLACEHOLDER_PREFIXES.iter().copied().map(escape).collect();
    format!("^{wrap}(?:(?:{}){wrap}$|(?:{})|[xX*?？.…_\\-]+{wrap}$)", exact.join("|"), prefixes.join("|"))
}
