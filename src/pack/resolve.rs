//! Validating a pack against the content model: every rule's file, field and sub-fields exist,
//! its shape suits the field's type, its dates are date fields, its sectors are known.
//!
//! Part of `pack`; `load` calls [`Pack::extend_schema`] and [`Pack::resolve`] once the content
//! model is complete.

use super::{Check, Need, Pack, Requirement, Shape, Target};
use crate::error::{Error, Result};
use crate::schema::{DocSpec, FieldDef, FieldType, Schema};

impl Pack {
    /// Give a `by: site` rule of this pack its date (`期限:` in `gongkai.yaml`): `Ok(false)` when
    /// the pack has no rule `rule_id` (the full id, `baiyin-2021/annual-report-deadline`), an
    /// error when the rule's date is the measure's or `md` is no day of the year.
    pub(crate) fn set_deadline(&mut self, rule_id: &str, md: &str) -> std::result::Result<bool, String> {
        let Some(rule) = self.rules.iter_mut().find(|r| &*r.id == rule_id) else { return Ok(false) };
        let Check::Cadence { by, site: true, .. } = &mut rule.check else {
            return Err(format!("规则「{rule_id}」的期限由规则包规定，不能在 gongkai.yaml 里设定"));
        };
        *by = Some(
            super::file::month_day(md)
                .ok_or_else(|| format!("「{md}」不是一年中的日期，写成 01-31 这样的「月-日」"))?,
        );
        Ok(true)
    }

    /// Add this pack's fields and documents to the content model.
    pub fn extend_schema(&self, schema: &mut Schema) -> Result<()> {
        let err = |message: String| Error::Pack { file: self.origin.clone(), pos: None, message };
        for doc in &self.documents {
            schema.add_document(doc.clone()).map_err(err)?;
        }
        for (file, fields) in &self.fields {
            schema.extend(file, fields).map_err(err)?;
        }
        Ok(())
    }

    /// Check every rule against the content model: the file, field and sub-fields must exist and
    /// the shape must suit the field's type; sectors must be known. Rules are rewritten to name
    /// their document by kind.
    pub fn resolve(&mut self, schema: &Schema) -> Result<()> {
        let origin = self.origin.clone();
        let err = |rule: &str, message: String| Error::Pack {
            file: origin.clone(),
            pos: None,
            message: format!("rule `{rule}`: {message}"),
        };
        for s in &self.sectors {
            schema.sector(s).ok_or_else(|| err("(pack)", format!("unknown sector `{s}`")))?;
        }
        for rule in &mut self.rules {
            for s in &mut rule.sectors {
                *s = schema.sector(s).ok_or_else(|| err(&rule.id, format!("unknown sector `{s}`")))?.key.clone();
            }
            // a timing rule on every document of a unit
            if rule.target == Target::AllDocuments {
                if !matches!(rule.check, Check::Within { .. } | Check::Explained | Check::Fresh { .. }) {
                    return Err(err(
                        &rule.id,
                        "only `within`, `explained` and `fresh` rules may name `file: \"*\"`".into(),
                    ));
                }
                for d in &schema.documents {
                    check_dates(&rule.check, d).map_err(|m| err(&rule.id, m))?;
                }
                continue;
            }
            let doc = schema
                .doc_for_file(&rule.file)
                .ok_or_else(|| err(&rule.id, format!("unknown file `{}`", rule.file)))?;
            rule.target = Target::Doc(doc.kind.clone());
            for (key, _) in &mut rule.filter {
                let f = doc
                    .fields
                    .iter()
                    .find(|f| f.accepts(key))
                    .ok_or_else(|| err(&rule.id, format!("`where`: `{}` has no field `{key}`", doc.file)))?;
                *key = f.key.clone();
            }
            if !rule.filter.is_empty() && !doc.is_collection() {
                return Err(err(&rule.id, format!("`where` picks documents of a folder; `{}` is one file", doc.file)));
            }
            let item = match &rule.check {
                Check::Item(req) => req,
                other => {
                    check_dates(other, doc).map_err(|m| err(&rule.id, m))?;
                    continue;
                }
            };
            match &rule.field {
                Some(path) => {
                    let field = doc
                        .field(path)
                        .ok_or_else(|| err(&rule.id, format!("`{}` has no field `{path}`", doc.file)))?;
                    check_requirement(item, field.ty, &field.fields, &format!("{}#{path}", doc.file))
                        .map_err(|m| err(&rule.id, m))?;
                }
                None if doc.is_collection() => {
                    if item.shape != Shape::List {
                        return Err(err(&rule.id, format!("a rule on the folder `{}` must `require: list`", doc.file)));
                    }
                    check_each(item, &doc.fields, &doc.file, true).map_err(|m| err(&rule.id, m))?;
                }
                None => {
                    return Err(err(&rule.id, format!("name the `field:` of `{}` this rule requires", doc.file)));
                }
            }
        }
        Ok(())
    }

    /// Does the rule apply to a unit of this sector?
    pub fn applies_to(&self, sector: Option<&str>) -> bool {
        self.sectors.is_empty() || sector.is_some_and(|s| self.sectors.iter().any(|p| p == s))
    }
}

/// The fields a timing check reads must be date fields (or the matter and stage of a lifecycle)
/// of the document; on `*` rules, documents without them are simply not checked.
fn check_dates(check: &Check, doc: &DocSpec) -> std::result::Result<(), String> {
    let need_date = |key: &str| match doc.field(key) {
        Some(f) if f.ty == FieldType::Date => Ok(()),
        Some(_) => Err(format!("`{}#{key}` is not a date field", doc.file)),
        None => Err(format!("`{}` has no field `{key}`", doc.file)),
    };
    check.fields().into_iter().try_for_each(|(key, need)| match need {
        Need::Date => need_date(key),
        Need::DateIfThere if doc.field(key).is_some() => need_date(key),
        Need::DateIfThere => Ok(()),
        Need::Field => doc.field(key).map(|_| ()).ok_or_else(|| format!("`{}` has no field `{key}`", doc.file)),
    })
}

fn check_requirement(req: &Requirement, ty: FieldType, subs: &[FieldDef], at: &str) -> std::result::Result<(), String> {
    match (req.shape, ty) {
        (Shape::List, FieldType::List) => check_each(req, subs, at, false),
        (Shape::List, FieldType::Lines) if req.each.is_empty() => Ok(()),
        (Shape::List, _) => Err(format!("`{at}` is not a list field")),
        (_, FieldType::List) => Err(format!("`{at}` is a list: use `require: list`")),
        (shape, _) if !req.each.is_empty() => Err(format!("`each` needs `require: list`, not `{shape:?}`")),
        _ => Ok(()),
    }
}

fn check_each(req: &Requirement, subs: &[FieldDef], at: &str, collection: bool) -> std::result::Result<(), String> {
    for (key, sub) in &req.each {
        if collection && key == "body" {
            if sub.shape != Shape::Text {
                return Err("`body` (the Markdown text) can only `require: text`".to_string());
            }
            continue;
        }
        let field =
            subs.iter().find(|f| f.key == *key).ok_or_else(|| format!("`{at}` entries have no field `{key}`"))?;
        check_requirement(sub, field.ty, &field.fields, &format!("{at}.{key}"))?;
    }
    Ok(())
}
