//! The 第七条 review: privacy hits become findings unless the content acknowledges them, with a
//! reason, in its `审查确认` (acknowledgements) record; every acknowledgement is listed in the report.
//! An attachment gongkai could not read (`unscanned`) is acknowledged the same way, by a record
//! with the rule `gongkai/unscanned` naming the file a person has reviewed.
//!
//! Inside `check`, above `scan` (`check_unit` calls [`review`] once per unit, after the rules,
//! with the hits `scan` found). Pure, no I/O: it reads the hits and the records in the unit's
//! documents.

use serde::Serialize;

use crate::extract::UNSCANNED;
use crate::finding::{Finding, Kind, Origin, Severity};
use crate::model::Unit;
use crate::privacy::{Located, Rule};
use crate::shape;
use crate::yaml::{Node, Pos};

/// An acknowledged hit, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acknowledgement {
    /// The unit.
    pub unit: String,
    /// The privacy rule whose hit was acknowledged.
    pub rule: String,
    /// Where the acknowledged text is.
    pub file: String,
    /// The line of the text, if known.
    pub line: Option<u32>,
    /// The acknowledged text, masked like in findings.
    pub text: String,
    /// Why it may be published (the 第七条 review's reason).
    pub reason: String,
    /// Who reviewed it.
    pub reviewer: Option<String>,
    /// When.
    pub date: Option<String>,
    /// The file holding the record.
    pub recorded_in: String,
}

/// One record in a document's acknowledgements.
struct Record<'a> {
    rule: Option<Rule>,
    /// A manual review of an unscanned attachment (`rule` is then `None`).
    manual: bool,
    text: Option<String>,
    reason: &'a str,
    reviewer: Option<&'a str>,
    date: Option<&'a str>,
    file: String,
    recorded_in: &'a str,
    pos: Pos,
    used: bool,
}

/// Findings for the unit's privacy hits, and the acknowledgements that excused some of them.
pub(super) fn review(unit: &Unit, hits: &[Located]) -> (Vec<Finding>, Vec<Acknowledgement>) {
    let mut findings = Vec::new();
    let mut records = records(unit, &mut findings);
    let own_code =
        unit.doc("unit").and_then(|d| d.data.as_ref()?.text("credit_code")).map(|c| c.trim().to_ascii_uppercase());
    let mut acks = Vec::new();
    for hit in hits {
        if hit.rule == Rule::IdNumber && own_code.as_deref() == Some(compact(&hit.text).to_ascii_uppercase().as_str()) {
            continue;
        }
        let matching = records.iter_mut().find(|r| {
            r.rule == Some(hit.rule)
                && r.file == hit.file
                && r.text.as_deref().is_none_or(|t| compact(t) == compact(&hit.text))
        });
        match matching {
            Some(r) => {
                r.used = true;
                acks.push(Acknowledgement {
                    unit: unit.slug.clone(),
                    rule: hit.rule.id().to_string(),
                    file: hit.file.clone(),
                    line: hit.pos.map(|p| p.line),
                    text: masked(hit),
                    reason: r.reason.to_string(),
                    reviewer: r.reviewer.map(str::to_string),
                    date: r.date.map(str::to_string),
                    recorded_in: r.recorded_in.to_string(),
                });
            }
            None => findings.push(finding(Some(&unit.slug), hit)),
        }
    }
    // attachments that could not be read: the warning stands unless a person reviewed the file
    for f in unit.findings.iter().filter(|f| is_manual(f)) {
        match records.iter_mut().find(|r| r.manual && r.file == f.file) {
            Some(r) => {
                r.used = true;
                acks.push(Acknowledgement {
                    unit: unit.slug.clone(),
                    rule: UNSCANNED.to_string(),
                    file: f.file.clone(),
                    line: None,
                    text: f.file.rsplit('/').next().unwrap_or(&f.file).to_string(),
                    reason: r.reason.to_string(),
                    reviewer: r.reviewer.map(str::to_string),
                    date: r.date.map(str::to_string),
                    recorded_in: r.recorded_in.to_string(),
                });
            }
            None => findings.push(Finding { unit: Some(unit.slug.clone()), ..f.clone() }),
        }
    }
    for r in records.iter().filter(|r| !r.used && (r.rule.is_some() || r.manual)) {
        let mut f = Finding::builtin(
            Kind::Invalid,
            Severity::Warning,
            r.recorded_in,
            Some(r.pos),
            "这条审查确认没有对应的内容（内容可能已经删除或改过）".to_string(),
        )
        .with_help("核对「规则」「内容」「文件」是否写对；不再需要的确认记录可以删除")
        .with_title("审查确认");
        f.unit = Some(unit.slug.clone());
        findings.push(f);
    }
    (findings, acks)
}

/// A loading finding the review handles: an attachment whose text could not be checked (a
/// warning; an oversized or bomb-like package is an error and cannot be acknowledged).
pub(super) fn is_manual(f: &Finding) -> bool {
    f.kind == Kind::Unscanned && f.severity == Severity::Warning
}

/// What withholds personal data and secrets: the measure's 第六条, named with the measure.
pub(super) const PRIVACY_CITATION: &str = "《白银市公共企事业单位信息公开办法(试行)》第六条";

/// The finding of a hit; `unit` is `None` for the site's own texts (`gongkai.yaml`).
pub(super) fn finding(unit: Option<&str>, hit: &Located) -> Finding {
    let kind = match hit.rule {
        Rule::Classified | Rule::InternalMark => Kind::Confidential,
        _ => Kind::Privacy,
    };
    let where_ = hit.field.as_ref().map(|f| format!("「{f}」")).unwrap_or_default();
    Finding {
        unit: unit.map(str::to_string),
        rule: hit.rule.id().to_string(),
        citation: Some(PRIVACY_CITATION.to_string()),
        title: hit.rule.zh().to_string(),
        kind,
        severity: hit.rule.severity(),
        file: hit.file.clone(),
        line: hit.pos.map(|p| p.line),
        column: hit.pos.map(|p| p.col),
        field: hit.field.clone(),
        message: format!("{where_}{}", hit.rule.message(&hit.text)),
        help: Some(hit.rule.help().to_string()),
        detail: None,
        origin: Origin::Privacy,
    }
}

fn masked(hit: &Located) -> String {
    // the rule's message masks numbers; reuse it and keep only the quoted part
    let m = hit.rule.message(&hit.text);
    m.split_once('「').and_then(|(_, r)| r.split_once('」')).map_or(hit.text.clone(), |(t, _)| t.to_string())
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && *c != '-').collect()
}

/// The acknowledgement records of every document; malformed ones become findings.
fn records<'a>(unit: &'a Unit, findings: &mut Vec<Finding>) -> Vec<Record<'a>> {
    let mut out = Vec::new();
    for doc in unit.docs.iter().chain(&unit.drafts) {
        let Some(data) = &doc.data else { continue };
        let Some(list) = data.get(crate::schema::ACKNOWLEDGEMENTS).and_then(Node::as_list) else { continue };
        for item in list {
            let text_of = |k: &str| item.text(k).filter(|t| !shape::is_placeholder(t, &[]));
            let mut bad = |message: String, help: &str| {
                let mut f = Finding::builtin(Kind::Invalid, Severity::Error, &doc.path, Some(item.pos), message)
                    .with_help(help.to_string())
                    .with_title("审查确认");
                f.unit = Some(unit.slug.clone());
                findings.push(f);
            };
            let rule_text = text_of("rule").unwrap_or_default();
            let rule = Rule::from_id(rule_text);
            let manual = [UNSCANNED, "unscanned", "人工审查"].contains(&rule_text.trim());
            if rule.is_none() && !manual {
                let mut known: Vec<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
                known.push(UNSCANNED);
                bad(format!("审查确认的「规则」不认识：「{rule_text}」"), &format!("可选：{}", known.join("、")));
                continue;
            }
            let Some(reason) = text_of("reason") else {
                bad(
                    "审查确认必须写明「理由」（第七条要求公开前审查）".to_string(),
                    "写明为什么可以公开，例如「本人书面同意公开」",
                );
                continue;
            };
            if manual && text_of("file").is_none() {
                bad(
                    "人工审查附件的审查确认必须写明「文件」".to_string(),
                    "写上审查过的附件，例如「文件: attachments/合同.pdf」",
                );
                continue;
            }
            let file = text_of("file")
                .map_or_else(|| doc.path.clone(), |f| format!("{}/{}", unit.dir, f.trim_start_matches("./")));
            out.push(Record {
                rule,
                manual,
                text: text_of("text").map(str::to_string),
                reason,
                reviewer: text_of("reviewer"),
                date: text_of("date"),
                file,
                recorded_in: &doc.path,
                pos: item.pos,
                used: false,
            });
        }
    }
    out
}
