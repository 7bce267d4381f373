//! Declarations that an item does not exist at a unit: `传真号码: {不适用: 本单位未设传真}`.
//!
//! Sits beside `schema`, which turns every written form into one canonical shape while it
//! normalises a file; `check` accepts a declaration where the rule pack says the item may be
//! absent (and reports it elsewhere), and `render` publishes it as a statement. Pure, no I/O.
//!
//! Written forms, all the same declaration (the reason is required):
//! `传真号码: {不适用: 本单位未设传真}`, the same as a block (`不适用: …` indented under the key),
//! and one text, `传真号码: 不适用：本单位未设传真`. `无` or `暂无` alone declare nothing: they
//! are placeholders.

use serde::Serialize;

use crate::yaml::{Entry, Node, Value};

/// The canonical key of a declaration, as it appears in the normalised tree and in open data.
pub(crate) const KEY: &str = "not_applicable";
/// The word a clerk writes.
pub(crate) const WORD: &str = "不适用";

/// What may stand between the word and the reason in the one-text form.
const SEPARATORS: &[char] = &['：', ':', '，', ',', '；', ';', '。', ' ', '\u{3000}', '-', '—', '（', '(', '）', ')'];

/// The reason of a declaration written as one text (`不适用：本单位不收取任何费用`); `Some("")`
/// for the word alone. `不适用于…` is ordinary text.
pub(crate) fn from_text(text: &str) -> Option<&str> {
    let rest = text.trim().strip_prefix(WORD)?;
    if !(rest.is_empty() || rest.starts_with(SEPARATORS)) {
        return None;
    }
    Some(rest.trim_matches(|c: char| SEPARATORS.contains(&c) || c.is_whitespace()))
}

fn is_key(written: &str) -> bool {
    let k = written.trim().trim_end_matches(['：', ':']).trim();
    k == WORD || k.eq_ignore_ascii_case(KEY)
}

/// If `node` is a declaration in any written form, make it canonical (`{not_applicable: reason}`)
/// and say so.
pub(crate) fn normalize(node: &mut Node) -> bool {
    let reason = match &node.value {
        Value::Text(t) => from_text(t).map(|r| (r.to_string(), node.pos, WORD.to_string())),
        Value::Map(entries) if entries.len() == 1 => {
            let e = &entries[0];
            match &e.value.value {
                Value::Text(t) if is_key(&e.written) => Some((t.trim().to_string(), e.value.pos, e.written.clone())),
                Value::Null if is_key(&e.written) => {
                    Some((String::new(), e.value.pos.max(e.key_pos), e.written.clone()))
                }
                // `{不适用：本单位未设传真}`: a full-width colon makes the whole text the key
                Value::Null => from_text(&e.written).map(|r| (r.to_string(), e.key_pos, WORD.to_string())),
                _ => None,
            }
        }
        _ => None,
    };
    let Some((reason, pos, written)) = reason else { return false };
    let key_pos = node.pos;
    node.value = Value::Map(vec![Entry {
        key: KEY.to_string(),
        written,
        key_pos,
        value: Node { pos, value: if reason.is_empty() { Value::Null } else { Value::Text(reason) } },
    }]);
    true
}

/// The reason of a canonical declaration (`""` when none was written); `None` if `node` is not
/// a declaration.
pub(crate) fn reason(node: &Node) -> Option<&str> {
    match node.as_map()? {
        [e] if e.key == KEY => Some(e.value.as_text().map_or("", str::trim)),
        _ => None,
    }
}

/// How a page states it.
pub(crate) fn statement(reason: &str) -> String {
    if reason.is_empty() { WORD.to_string() } else { format!("{WORD}：{reason}") }
}

/// The declaration as a clerk would write it for the field `zh`, for help texts.
pub(crate) fn example(zh: &str) -> String {
    let reason = match zh {
        "传真号码" => "本单位未设传真",
        "收费项目" => "本单位不收取任何费用",
        "社会监督员" => "本单位尚未聘请社会监督员",
        "示范文本" => "办理本事项无需填写申请表",
        _ => "说明本单位为什么没有这一项",
    };
    format!("「{zh}: {{{WORD}: {reason}}}」")
}

/// A declaration a rule accepted: in the JSON report and the unit's open data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declaration {
    /// The document kind (`supervision`, `fees`, `services`).
    pub document: String,
    /// Site-relative path of the file.
    pub file: String,
    pub line: u32,
    /// Where in the file, as written (`传真号码`, `示范文本`).
    pub field: String,
    /// The field's canonical key (`fax`, `sample_forms`), as in open data.
    pub key: String,
    /// The item in words (`传真号码`, `「用水报装」示范文本`).
    pub label: String,
    /// The reason, published as the statement.
    pub reason: String,
    /// The rules it fulfils.
    pub rules: Vec<String>,
}

/// One entry per declared item (several rules read the same field), with every rule it fulfils.
pub(crate) fn merge(all: Vec<Declaration>) -> Vec<Declaration> {
    let mut merged: Vec<Declaration> = Vec::new();
    for d in all {
        match merged.iter_mut().find(|m| m.file == d.file && m.line == d.line && m.field == d.field) {
            Some(m) => m.rules.extend(d.rules),
            None => merged.push(d),
        }
    }
    merged.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn declared(src: &str) -> Option<String> {
        let mut node = parse(src).unwrap();
        let Value::Map(entries) = &mut node.value else { panic!() };
        let value = &mut entries[0].value;
        normalize(value).then(|| reason(value).unwrap().to_string())
    }

    #[test]
    fn every_written_form_is_one_declaration() {
        for src in [
            "传真号码: {不适用: 本单位未设传真}\n",
            "传真号码: {不适用：本单位未设传真}\n",
            "传真号码:\n  不适用: 本单位未设传真\n",
            "传真号码:\n  不适用：本单位未设传真\n",
            "传真号码: 不适用：本单位未设传真\n",
            "传真号码: 不适用（本单位未设传真）\n",
            "fax: {not_applicable: 本单位未设传真}\n",
        ] {
            assert_eq!(declared(src).as_deref(), Some("本单位未设传真"), "{src}");
        }
        assert_eq!(declared("传真号码: 不适用\n").as_deref(), Some(""));
        assert_eq!(declared("传真号码: {不适用: }\n").as_deref(), Some(""));
        for not in ["传真号码: 无\n", "传真号码: 暂无\n", "传真号码: 不适用于夜间\n", "传真号码: 0943-8221234\n"]
        {
            assert_eq!(declared(not), None, "{not}");
        }
    }

    #[test]
    fn help_shows_the_form() {
        assert_eq!(example("传真号码"), "「传真号码: {不适用: 本单位未设传真}」");
        assert_eq!(statement("本单位未设传真"), "不适用：本单位未设传真");
    }
}
