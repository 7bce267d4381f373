//! gongkai's own JSON report. The shape is documented in the README and pinned by
//! `tests/schemas/report.schema.json`; `schema_version` changes only with an incompatible change.

use serde::Serialize;

use super::Context;
use crate::check::Acknowledgement;
use crate::check::{CheckResult, UnitResult};
use crate::finding::{Finding, Kind};
use crate::pack::{Grades, Source};

/// Bumped only when a field is removed or changes meaning.
pub(super) const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    schema_version: u32,
    tool: Tool,
    packs: Vec<PackInfo<'a>>,
    summary: Summary,
    units: &'a [UnitResult],
    findings: &'a [Finding],
    acknowledgements: &'a [Acknowledgement],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct PackInfo<'a> {
    id: &'a str,
    title: &'a str,
    source: &'a Source,
    rules: usize,
    /// The grade bands this pack reads a score with, if any (a self-check reference).
    grades: Option<&'a Grades>,
}

#[derive(Serialize)]
struct Summary {
    units: usize,
    errors: usize,
    warnings: usize,
    /// `true` when no error remains (the exit status is then 0).
    passed: bool,
    /// Attachments whose text the 第六条 scan could not (fully) read: a person must review them.
    unscanned_attachments: usize,
}

pub(super) fn render(result: &CheckResult, cx: &Context<'_>) -> String {
    let mut out = Vec::new();
    let _ = write(result, cx, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Write the report to `w` as it is serialised: a province's report is a hundred megabytes of
/// JSON that need never sit in memory.
pub fn write(result: &CheckResult, cx: &Context<'_>, mut w: impl std::io::Write) -> std::io::Result<()> {
    let report = Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool { name: "gongkai", version: env!("CARGO_PKG_VERSION") },
        packs: cx
            .packs
            .iter()
            .map(|p| PackInfo {
                id: &p.id,
                title: &p.title,
                source: &p.source,
                rules: p.rules.len(),
                grades: p.grades.as_ref(),
            })
            .collect(),
        summary: Summary {
            units: result.units.len(),
            errors: result.errors(),
            warnings: result.warnings(),
            passed: result.errors() == 0,
            unscanned_attachments: result
                .findings
                .iter()
                .filter(|f| f.kind == Kind::Unscanned)
                .map(|f| &f.file)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
        },
        units: &result.units,
        findings: &result.findings,
        acknowledgements: &result.acknowledgements,
    };
    serde_json::to_writer_pretty(&mut w, &report)?;
    w.write_all(b"\n")
}
