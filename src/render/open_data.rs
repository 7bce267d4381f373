//! A unit's open data (`<unit>/data.json`): every document as JSON with canonical keys, and the
//! unit's completeness. Version 1 of its schema is documented in the README.

use std::collections::BTreeMap;

use super::view;
use crate::check::UnitResult;
use crate::model::{Doc, Site, Unit};
use crate::yaml::{Node, Value};

/// The open data of one unit, pretty-printed, ending in a newline.
pub(super) fn unit(site: &Site, unit: &Unit, result: &UnitResult, numbers: &BTreeMap<String, String>) -> Vec<u8> {
    let mut documents = serde_json::Map::new();
    for spec in &site.schema.documents {
        let docs: Vec<&Doc> = unit.docs_of(&spec.kind).collect();
        let value = if spec.is_collection() {
            docs.iter().map(|d| collection_entry(d, unit.name(), numbers)).collect()
        } else {
            docs.first().and_then(|d| d.data.as_ref()).map_or(serde_json::Value::Null, to_json)
        };
        documents.insert(spec.kind.clone(), value);
    }
    let c = &result.completeness;
    let data = serde_json::json!({
        "schema_version": 1,
        "slug": unit.slug,
        "name": unit.name(),
        "sector": unit.sector,
        "required": c.required,
        "published": c.published,
        "flags": c.flags,
        "score": c.score,
        // a self-check reference (capped while an error remains), not an assessment result
        "grade": c.grade.as_deref(),
        "documents": documents,
        // each 年度报告 with the figures its page shows, computed as `crate::annual` does
        "annual_reports": annual_reports(site, unit),
        // each 社会评议 campaign with the figures its 评议结果 page shows (README, "社会评议结果")
        "evaluations": super::evaluations::open_data(unit),
        // items the unit declared absent (`不适用: 原因`) and the pack accepted
        "declarations": result.declarations.iter().map(|d| serde_json::json!({
            "document": d.document,
            "file": d.file.strip_prefix(&format!("{}/", unit.dir)).unwrap_or(&d.file),
            "key": d.key,
            "label": d.label,
            "reason": d.reason,
        })).collect::<Vec<_>>(),
    });
    let mut bytes = serde_json::to_vec_pretty(&data).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The figures of each 年度报告 (README, "年度报告"): the 主动公开 counts by kind of document, and
/// the request figures (`null` when the unit has no data file for the 年度, a figure `null` when
/// it is not a count), whether they add up.
fn annual_reports(site: &Site, unit: &Unit) -> serde_json::Value {
    use crate::annual;
    let mut out = Vec::new();
    for doc in unit.docs_of("reports") {
        let Some(year) = annual::year_of(doc) else { continue };
        let (rows, total) = annual::active(unit, &site.schema, year);
        let row = |r: &annual::ActiveRow| serde_json::json!({"kind": r.title, "published": r.published, "changed": r.changed, "withdrawn": r.withdrawn});
        let requests = annual::requests(unit, year).map(|r| {
            let mut m: serde_json::Map<String, serde_json::Value> =
                annual::figures().map(|(k, _)| (k.to_string(), r.count(k).into())).collect();
            m.insert("balanced".into(), r.balance().map(|(came, went)| came == went).into());
            m
        });
        out.push(serde_json::json!({
            "year": year,
            "file": doc.stem,
            "active": rows.iter().map(row).collect::<Vec<_>>(),
            "active_total": row(&total),
            "requests": requests,
        }));
    }
    out.into()
}

/// A document of a folder: its fields, its file name, its Markdown text, and the header block
/// its page shows (`header`: 索引号, 发布机构, 文号, 成文日期, 发布日期, 主题分类, 有效性).
fn collection_entry(d: &Doc, publisher: &str, numbers: &BTreeMap<String, String>) -> serde_json::Value {
    let mut v = d.data.as_ref().map_or(serde_json::Value::Null, to_json);
    if let serde_json::Value::Object(m) = &mut v {
        let data = d.data.as_ref();
        let head = view::doc_head(data, publisher, numbers.get(&d.path).cloned().unwrap_or_default());
        let iso = |d: Option<view::DateView>| d.map(|d| d.iso);
        m.insert(
            "header".into(),
            serde_json::json!({
                "index_number": head.index_number,
                "publisher": head.publisher,
                "number": head.number,
                "written": iso(head.written),
                "date": iso(head.date),
                "category": view::text(data, "category"),
                "validity": head.validity,
            }),
        );
        m.insert("file".into(), d.stem.clone().into());
        m.insert("body".into(), d.body.as_ref().map(|b| b.text.trim().to_string()).unwrap_or_default().into());
    }
    v
}

/// The normalised tree as JSON: canonical keys, text as written. What is said to gongkai only
/// (the review record, `草稿: false`) is left out.
fn to_json(node: &Node) -> serde_json::Value {
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Text(t) => t.clone().into(),
        Value::List(items) => items.iter().map(to_json).collect(),
        Value::Map(entries) => entries
            .iter()
            .filter(|e| !crate::schema::is_internal(&e.key))
            .map(|e| (e.key.clone(), to_json(&e.value)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}
