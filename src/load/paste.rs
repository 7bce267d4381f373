//! Markdown pasted from Word or WPS: a table copied as text arrives as lines of cells separated
//! by tabs, which a web page shows run together in one paragraph.
//!
//! Runs in `load` on the body of each Markdown document (before anything is rendered), so that
//! what it finds reaches the report like any other finding. (Bold next to Chinese punctuation,
//! the other common paste problem, is mended when the page is rendered: `render::markdown`.)

use crate::finding::{Finding, Kind, Severity};
use crate::yaml::Pos;

/// A warning for every block of tab-separated lines outside code: two or more lines with at
/// least two cells each, or one line with three or more. `first_line` is the body's first line
/// in its file.
pub(super) fn tab_tables(body: &str, first_line: u32, file: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    let mut run: Vec<(u32, Vec<&str>)> = Vec::new();
    let lines = body.lines().map(Some).chain(std::iter::once(None));
    for (i, line) in lines.enumerate() {
        let cells = line.filter(|_| fence.is_none()).and_then(cells);
        if let Some(l) = line {
            let t = l.trim_start();
            for mark in ["```", "~~~"] {
                if t.starts_with(mark) {
                    fence = if fence == Some(mark) { None } else { fence.or(Some(mark)) };
                }
            }
        }
        match cells {
            Some(c) => run.push((first_line + i as u32, c)),
            None => {
                if run.len() >= 2 || run.first().is_some_and(|(_, c)| c.len() >= 3) {
                    out.push(finding(&run, file));
                }
                run.clear();
            }
        }
    }
    out
}

/// The cells of a line pasted from a table: text separated by tabs, not indented code.
fn cells(line: &str) -> Option<Vec<&str>> {
    if !line.contains('\t') || line.starts_with('\t') || line.starts_with("    ") {
        return None;
    }
    let body = line.trim_start_matches(['-', '*', '+', ' ']);
    let cells: Vec<&str> = body.split('\t').map(str::trim).filter(|c| !c.is_empty()).collect();
    (cells.len() >= 2).then_some(cells)
}

fn finding(run: &[(u32, Vec<&str>)], file: &str) -> Finding {
    let head = &run[0].1;
    let row = |cells: &[&str]| format!("| {} |", cells.join(" | "));
    let mut example = vec![row(head), format!("|{}", " --- |".repeat(head.len()))];
    if let Some((_, next)) = run.get(1) {
        example.push(row(next));
    }
    Finding::builtin(
        Kind::Invalid,
        Severity::Warning,
        file,
        Some(Pos::new(run[0].0, 1)),
        format!("这里有 {} 行用 Tab 分隔的文字，像是从 Word 或 WPS 粘贴的表格；网页上它们会挤成一段", run.len()),
    )
    .with_title("正文")
    .with_help(format!(
        "改写成 Markdown 表格：每行用「|」分隔各格，第一行是表头，第二行写「| --- |」，例如\n{}",
        example.join("\n")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The verdicts issue, point 14: a table pasted as tab-separated text is named, with the
    /// Markdown form of its first rows.
    #[test]
    fn a_pasted_tab_table_is_named_with_its_markdown_form() {
        let body = "收费如下：\n\n项目\t标准\t依据\n居民用气\t2.28元\t市发改发〔2023〕12号\n\n其他说明\n";
        let out = tab_tables(body, 7, "f.md");
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!((out[0].line, out[0].severity), (Some(9), Severity::Warning));
        let help = out[0].help.as_deref().unwrap();
        assert!(
            help.contains("| 项目 | 标准 | 依据 |\n| --- | --- | --- |\n| 居民用气 | 2.28元 | 市发改发〔2023〕12号 |"),
            "{help}"
        );
    }

    #[test]
    fn code_indented_lines_and_a_single_tab_are_left_alone() {
        assert!(tab_tables("```\na\tb\nc\td\n```\n", 1, "f.md").is_empty());
        assert!(tab_tables("\ta\tb\n\tc\td\n", 1, "f.md").is_empty());
        assert!(tab_tables("姓名\t张三\n", 1, "f.md").is_empty());
        assert!(tab_tables("普通的一段文字\n", 1, "f.md").is_empty());
    }
}
