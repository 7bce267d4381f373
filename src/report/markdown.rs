//! A Markdown report, fit for a pull-request comment or `$GITHUB_STEP_SUMMARY`.

use std::fmt::Write;

use super::Context;
use crate::check::CheckResult;

/// The report as Markdown, for a pull-request comment or a job summary.
pub fn render(result: &CheckResult, cx: &Context<'_>) -> String {
    let mut s = String::new();
    let (errors, warnings) = (result.errors(), result.warnings());
    let verdict = if errors > 0 { "❌ 未通过" } else { "✅ 通过" };
    let _ = writeln!(s, "## gongkai 信息公开检查：{verdict}\n");
    let packs: Vec<String> = cx.packs.iter().map(|p| format!("《{}》", p.title)).collect();
    let _ = writeln!(
        s,
        "检查了 {} 个单位（{}），共 {errors} 项错误，{warnings} 项警告。\n",
        result.units.len(),
        packs.join("、")
    );
    if !result.units.is_empty() {
        let _ =
            writeln!(s, "| 单位 | 已公开/必须公开 | 得分 | 自查等级 | 错误 | 警告 |\n|---|---:|---:|---|---:|---:|");
        let mut units: Vec<_> = result.units.iter().collect();
        units.sort_by(|a, b| a.completeness.score.cmp(&b.completeness.score).then(a.slug.cmp(&b.slug)));
        for u in units {
            let flags: Vec<&str> = u.completeness.flags.iter().map(|f| f.zh()).collect();
            let flags = if flags.is_empty() { String::new() } else { format!("（{}）", flags.join("、")) };
            let grade = match (&u.completeness.grade, &u.completeness.grade_capped) {
                (Some(g), Some(why)) => format!("{g}※ {}", cell(why)),
                (Some(g), None) => g.clone(),
                (None, _) => "—".to_string(),
            };
            let _ = writeln!(
                s,
                "| {}（{}）{} | {}/{} | {} | {grade} | {} | {} |",
                cell(&u.name),
                code(&u.slug),
                flags,
                u.completeness.published,
                u.completeness.required,
                u.completeness.score,
                u.errors,
                u.warnings
            );
        }
        if let Some(g) = super::grading(cx.packs) {
            let _ = writeln!(s, "\n{}", cell(&super::grading_note(g)));
        }
        let _ = writeln!(s);
    }
    let withheld: Vec<&String> = result.units.iter().flat_map(|u| &u.withheld).collect();
    if !withheld.is_empty() {
        let _ = writeln!(s, "**暂不发布**（含有第六条禁止公开的内容，改正或经第七条审查确认后重新发布）：\n");
        for file in withheld {
            let _ = writeln!(s, "- {}", code(file));
        }
        let _ = writeln!(s);
    }
    if !result.findings.is_empty() {
        let _ = writeln!(s, "| | 位置 | 条款 | 问题 | 怎么改 |\n|---|---|---|---|---|");
        for f in &result.findings {
            let icon = match f.severity {
                crate::finding::Severity::Error => "❌",
                crate::finding::Severity::Warning => "⚠️",
                crate::finding::Severity::Note => "ℹ️",
            };
            let at = match f.line {
                Some(l) => code(&format!("{}:{l}", f.file)),
                None => code(&f.file),
            };
            let _ = writeln!(
                s,
                "| {icon} | {at} | {} | {} | {} |",
                cell(f.citation.as_deref().unwrap_or("")),
                cell(&f.message),
                cell(f.help.as_deref().unwrap_or(""))
            );
        }
    }
    s
}

/// Keep a value inside its table cell, with nothing hidden in it.
fn cell(s: &str) -> String {
    super::visible(s).replace('\\', "\\\\").replace('|', "\\|")
}

/// A path as inline code inside a table cell: the fence is longer than any run of backticks in
/// it, `|` is escaped (GFM reads `\|` in a table cell as `|`, even in code), control
/// characters are shown as escapes.
fn code(s: &str) -> String {
    let text = super::visible(s).replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::code;

    #[test]
    fn paths_stay_in_their_cell() {
        assert_eq!(code("content/a/fees.yaml"), "`content/a/fees.yaml`");
        assert_eq!(code("content/a/x`y.pdf"), "``content/a/x`y.pdf``");
        assert_eq!(code("`a`"), "`` `a` ``");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("a\nb"), "`a\\nb`");
    }
}
