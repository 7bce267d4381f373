//! What checking one rule gives: its outcome for the unit (passed, failed, unchecked) and its
//! findings, each naming the rule, its citation and what to add.
//!
//! The bottom of `check`: every rule kind (`items`, `deadlines`, `dates`) words its findings with
//! [`rule_finding`], and `score` counts the outcomes. Pure: no I/O.

use std::sync::Arc;

use serde::Serialize;

use crate::finding::{Finding, Kind, Origin, Severity};
use crate::model::Unit;
use crate::pack::{Check, Rule};
use crate::yaml::Pos;

/// How one rule fared for one unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Outcome {
    /// The rule's id (`<pack>/<rule>`).
    pub rule: Arc<str>,
    /// The article it encodes.
    pub citation: Arc<str>,
    /// The item, in Chinese.
    pub title: Arc<str>,
    /// What failing it is.
    pub severity: Severity,
    /// Its weight in the completeness score (0 for reminders).
    pub weight: u32,
    /// The article's text has been verified against the source.
    pub verified: bool,
    /// Passed or failed.
    pub status: Status,
}

/// Whether a rule passed for a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Everything the rule asks is there.
    Passed,
    /// Something it asks is missing or wrong.
    Failed,
    /// The file holding the item could not be read; its own finding says why.
    Unchecked,
}

/// What an unverified rule adds to its messages.
pub(crate) const UNVERIFIED: &str = "（此条规定原文尚未核实，仅作提醒）";
/// What a reminder (a warning of weight 0 on an item) adds to its messages.
pub(crate) const REMINDER: &str = "（提醒，不计入完整度）";

/// Where a finding is: the site-relative file, the position, the field as the user wrote it.
pub(crate) struct At<'a> {
    pub(crate) file: &'a str,
    pub(crate) pos: Option<Pos>,
    pub(crate) field: Option<String>,
}

/// A finding of a pack rule; an unverified rule and a reminder say so.
pub(crate) fn rule_finding(
    rule: &Rule,
    unit: &Unit,
    kind: Kind,
    At { file, pos, field }: At<'_>,
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
        origin: Origin::Rule,
    }
}
