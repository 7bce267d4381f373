//! The documents a rule reads, and how messages name them: a folder's documents picked by a
//! rule's `where`, a document's title, a field's Chinese name, a date field and a date in words.
//!
//! Beside `outcome` at the bottom of `check`; `items`, `deadlines` and `dates` use it. Pure.

use jiff::civil::Date;

pub(crate) use crate::shape::zh_date as zh;

use crate::model::Doc;
use crate::schema::DocSpec;
use crate::shape;
use crate::yaml::Pos;

/// Does a document of a folder pass a rule's `where`?
pub fn selected(doc: &Doc, filter: &[(String, Vec<String>)]) -> bool {
    filter.iter().all(|(key, values)| {
        doc.data.as_ref().and_then(|d| d.text(key)).is_some_and(|v| values.iter().any(|w| w.trim() == v))
    })
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

/// A date field of a document, with where it is written.
pub(crate) fn date_of(doc: &Doc, key: &str) -> Option<(Date, Pos)> {
    let node = doc.data.as_ref()?.get(key)?;
    Some((shape::parse_date(node.as_text()?)?, node.pos))
}

/// How a document is named in messages.
pub(crate) fn title(doc: &Doc, spec: &DocSpec) -> String {
    if spec.is_collection() { doc.name().to_string() } else { spec.title.clone() }
}

/// The Chinese name of a field of a document (its key when the model does not know it).
pub(crate) fn field_zh(spec: &DocSpec, key: &str) -> String {
    spec.field(key).map_or_else(|| key.to_string(), |f| f.zh.clone())
}
