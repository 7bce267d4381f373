//! GitHub Actions workflow commands: one `::error`/`::warning` line per finding. GitHub shows only
//! the first ten of each per step, so the CLI also writes the Markdown report to
//! `$GITHUB_STEP_SUMMARY`.

use std::fmt::Write;

use crate::check::CheckResult;
use crate::finding::Severity;

/// GitHub Actions workflow commands (`::error file=…::`), one per finding.
pub fn annotations(result: &CheckResult) -> String {
    let mut s = String::new();
    for f in &result.findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = format!("file={}", property(&f.file));
        if let Some(l) = f.line {
            let _ = write!(props, ",line={l}");
            if let Some(c) = f.column {
                let _ = write!(props, ",col={c}");
            }
        }
        let title = match &f.citation {
            Some(c) => format!("{c} {}", f.title),
            None => f.rule.clone(),
        };
        let _ = write!(props, ",title={}", property(&title));
        let body = match &f.help {
            Some(h) => format!("{}。{h}", f.message),
            None => f.message.clone(),
        };
        let _ = writeln!(s, "::{level} {props}::{}", data(&body));
    }
    s
}

/// Escaping for the message part of a workflow command.
fn data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escaping for a property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_workflow_command_syntax() {
        assert_eq!(super::property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(super::data("50%\nx"), "50%25%0Ax");
    }
}
