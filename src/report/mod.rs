//! Reports: findings and scores turned into text for people and for CI systems.
//!
//! Sits above `check`. Every format is a pure function of the check result (plus, for the human
//! format, the source lines it quotes), so the same input always gives the same bytes.

mod github;
mod gitlab;
mod human;
mod json;
mod junit;
mod markdown;
mod sarif;

use std::path::Path;

use crate::check::CheckResult;
use crate::pack::Pack;

pub use github::annotations as github_annotations;
pub use human::{render as human, summary as human_summary};
pub use json::write as write_json;
pub use markdown::render as markdown;

/// Output formats of `check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style messages with the source line, then a summary (default)
    Human,
    /// gongkai's own JSON, documented in the README
    Json,
    /// JUnit XML: one test case per required item per unit
    Junit,
    /// SARIF 2.1.0, for code-scanning dashboards
    Sarif,
    /// GitHub Actions workflow annotations (+ the full report in $GITHUB_STEP_SUMMARY)
    Github,
    /// GitLab Code Quality JSON
    Gitlab,
    /// A Markdown table for a pull-request comment
    Markdown,
}

/// What every report needs besides the result.
pub struct Context<'a> {
    /// The site root, for absolute paths in some formats.
    pub root: &'a Path,
    /// The rule packs applied, for their titles and citations.
    pub packs: &'a [Pack],
    /// Colour the human format (only for a terminal that wants it).
    pub color: bool,
}

/// The grading the site's packs give (the first that has one), if any.
pub fn grading(packs: &[Pack]) -> Option<&crate::pack::Grades> {
    packs.iter().find_map(|p| p.grades.as_ref())
}

/// What a grade is, in one sentence for every report that shows one: the bands as the pack
/// gives them, that it is a self-check reference, and the cap.
pub fn grading_note(grades: &crate::pack::Grades) -> String {
    let mut bands = Vec::new();
    let mut above: Option<u32> = None;
    for b in &grades.bands {
        bands.push(match (b.min, above) {
            (0, Some(a)) => format!("不足 {a} 分为{}", b.label),
            (min, _) => format!("{min} 分以上为{}", b.label),
        });
        above = Some(b.min);
    }
    format!(
        "等级是自查参考，不是考核结果：按{}的分数段换算（{}，按未取整的得分判断）；还有错误未改正的单位，等级最高为{}。",
        grades.source,
        bands.join("，"),
        grades.cap
    )
}

/// Render `result` in a machine format (everything but `human` and `github`, which have their
/// own entry points because they print in two parts).
pub fn render(format: Format, result: &CheckResult, cx: &Context<'_>) -> String {
    match format {
        Format::Human => {
            let mut s = human(result, cx);
            s.push_str(&human_summary(result, cx));
            s
        }
        Format::Json => json::render(result, cx),
        Format::Junit => junit::render(result),
        Format::Sarif => sarif::render(result, cx),
        Format::Github => github_annotations(result),
        Format::Gitlab => gitlab::render(result),
        Format::Markdown => markdown(result, cx),
    }
}

/// `s` with every character that a terminal or a viewer would act on instead of showing (control
/// characters, escape sequences, bidirectional and zero-width marks) written as a visible escape
/// (`\n`, `\t`, `\u{1b}`, `\u{202e}`), so the text shown is the real one and cannot rewrite the
/// screen. A backslash is doubled only when something was escaped, so ordinary paths stay as
/// they are.
pub(crate) fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    fn hidden(c: char) -> bool {
        // and the line and paragraph separators, which break a line as a newline does
        c.is_control() || crate::shape::is_invisible_mark(c) || matches!(c, '\u{2028}' | '\u{2029}')
    }
    if !s.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A stable fingerprint for a finding: the same problem keeps the same fingerprint when lines
/// move. `seen` disambiguates identical problems in one report.
pub(crate) fn fingerprint(f: &crate::finding::Finding, seen: &mut std::collections::BTreeMap<String, u32>) -> String {
    let base = format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
        f.rule,
        f.unit.as_deref().unwrap_or_default(),
        f.file,
        f.field.as_deref().unwrap_or_default(),
        f.message
    );
    let n = seen.entry(base.clone()).or_insert(0);
    *n += 1;
    blake3::hash(format!("{base}\u{1f}{n}").as_bytes()).to_hex()[..32].to_string()
}

#[cfg(test)]
mod tests {
    use super::visible;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(visible("content/水厂/fees.yaml"), "content/水厂/fees.yaml");
        assert_eq!(visible("a\\b"), "a\\b", "nothing hidden: the path is shown as it is");
        assert_eq!(visible("a\u{1b}[2Jb.pdf"), "a\\u{1b}[2Jb.pdf");
        assert_eq!(visible("x\ny\\z"), "x\\ny\\\\z");
        assert_eq!(visible("evil\u{202e}fdp.exe"), "evil\\u{202e}fdp.exe");
    }
}
