//! GitLab Code Quality JSON (the `codequality` report artifact).

use std::collections::BTreeMap;

use serde::Serialize;

use super::fingerprint;
use crate::check::CheckResult;
use crate::finding::Severity;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

pub(super) fn render(result: &CheckResult) -> String {
    let mut seen = BTreeMap::new();
    let issues: Vec<Issue<'_>> = result
        .findings
        .iter()
        .map(|f| Issue {
            description: match &f.citation {
                Some(c) => format!("{}（{c}）", f.message),
                None => f.message.clone(),
            },
            check_name: &f.rule,
            fingerprint: fingerprint(f, &mut seen),
            severity: match f.severity {
                Severity::Error => "major",
                Severity::Warning => "minor",
                Severity::Note => "info",
            },
            location: Location { path: &f.file, lines: Lines { begin: f.line.unwrap_or(1) } },
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_default();
    s.push('\n');
    s
}
