//! The human format: rustc-style messages in Chinese, with the offending source line.

use std::collections::BTreeMap;
use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::{Context, visible};
use crate::check::CheckResult;
use crate::finding::{Finding, Severity};

/// Every finding, one block each.
pub fn render(result: &CheckResult, cx: &Context<'_>) -> String {
    let renderer = if cx.color { Renderer::styled() } else { Renderer::plain() };
    let mut sources: BTreeMap<&str, Option<String>> = BTreeMap::new();
    let mut out = String::new();
    for f in &result.findings {
        let src =
            sources.entry(&f.file).or_insert_with(|| std::fs::read_to_string(cx.root.join(&f.file)).ok()).as_deref();
        // what reaches the terminal is shown, never obeyed: a file name or a line with an escape
        // sequence in it cannot rewrite the screen or hide what is wrong
        let line = f.line.and_then(|l| line_of(src?, l)).map(|t| visible(t).into_owned());
        let shown = Finding {
            file: visible(&f.file).into_owned(),
            message: visible(&f.message).into_owned(),
            help: f.help.as_deref().map(|h| visible(h).into_owned()),
            field: f.field.as_deref().map(|h| visible(h).into_owned()),
            ..f.clone()
        };
        out.push_str(&renderer.render(&[group(&shown, line.as_deref())]));
        out.push_str("\n\n");
    }
    out
}

fn group<'a>(f: &'a Finding, line_text: Option<&'a str>) -> Group<'a> {
    let level = match f.severity {
        Severity::Error => Level::ERROR.with_name("错误"),
        Severity::Warning => Level::WARNING.with_name("警告"),
        Severity::Note => Level::NOTE.with_name("提示"),
    };
    let mut g = Group::with_title(level.primary_title(f.message.as_str()).id(f.rule.as_str()));
    match (f.line, line_text) {
        (Some(line), Some(text)) => {
            let col = f.column.unwrap_or(1).max(1) as usize - 1;
            let start = text.char_indices().nth(col).map_or(text.len(), |(i, _)| i);
            let end = text.trim_end().len().max(start);
            let span = if end > start { start..end } else { start..start };
            let label = f.field.as_deref().map(|p| format!("字段 {p}")).unwrap_or_default();
            g = g.element(
                Snippet::source(text)
                    .line_start(line as usize)
                    .path(f.file.as_str())
                    .annotation(AnnotationKind::Primary.span(span).label(label)),
            );
        }
        (line, _) => {
            let mut origin = Origin::path(f.file.as_str());
            if let Some(l) = line {
                origin = origin.line(l as usize).char_column(f.column.unwrap_or(1) as usize);
            }
            g = g.element(origin);
        }
    }
    if let Some(c) = &f.citation {
        g = g.element(Level::NOTE.with_name("依据").message(format!("{c} {}", f.title)));
    }
    if let Some(h) = &f.help {
        g = g.element(Level::HELP.with_name("帮助").message(h.as_str()));
    }
    g
}

fn line_of(src: &str, line: u32) -> Option<&str> {
    src.lines().nth(line.checked_sub(1)? as usize)
}

/// Up to this many units, the summary's table lists every unit; past it, only those that need
/// attention (an error, a warning, an item missing, a flag or a capped grade).
const TABLE_ALL: usize = 20;

/// The completeness table, worst unit first, and the totals.
pub fn summary(result: &CheckResult, cx: &Context<'_>) -> String {
    let mut s = String::new();
    let mut units: Vec<_> = result.units.iter().collect();
    units.sort_by(|a, b| {
        a.completeness.score.cmp(&b.completeness.score).then(b.errors.cmp(&a.errors)).then(a.slug.cmp(&b.slug))
    });
    // a portal of many units lists the units that need attention; the clean ones are counted
    // (the HTML report lists every unit)
    let clean = |u: &crate::check::UnitResult| {
        u.errors == 0
            && u.warnings == 0
            && u.completeness.published == u.completeness.required
            && u.completeness.flags.is_empty()
            && u.completeness.grade_capped.is_none()
    };
    let hidden = if units.len() > TABLE_ALL { units.iter().filter(|u| clean(u)).count() } else { 0 };
    if hidden > 0 {
        units.retain(|u| !clean(u));
    }
    if !units.is_empty() || hidden > 0 {
        let _ = writeln!(s, "单位完整度（从低到高）");
        let _ = writeln!(s, "  已公开/必须公开  得分  自查等级  错误  警告  单位");
        for u in units {
            let grade = u.completeness.grade.as_deref().unwrap_or("—");
            let pad = " ".repeat(8usize.saturating_sub(2 * grade.chars().count()));
            let who = if u.name == u.slug {
                visible(&u.slug).into_owned()
            } else {
                format!("{}（{}）", visible(&u.name), visible(&u.slug))
            };
            let flags: Vec<&str> = u.completeness.flags.iter().map(|f| f.zh()).collect();
            let flags = if flags.is_empty() { String::new() } else { format!(" [{}]", flags.join("、")) };
            let capped = u.completeness.grade_capped.as_deref().map(|c| format!("  ※ {c}")).unwrap_or_default();
            let _ = writeln!(
                s,
                "  {:>15}  {:>4}  {grade}{pad}  {:>4}  {:>4}  {who}{flags}{capped}",
                format!("{}/{}", u.completeness.published, u.completeness.required),
                u.completeness.score,
                u.errors,
                u.warnings
            );
        }
        if hidden > 0 {
            let _ =
                writeln!(s, "  另有 {hidden} 个单位必须公开的都已公开，没有错误和警告（不逐一列出，见报告的单位列表）");
        }
        if let Some(g) = super::grading(cx.packs) {
            let _ = writeln!(s, "{}", super::grading_note(g));
        }
        let _ = writeln!(s);
    }
    let packs: Vec<String> = cx.packs.iter().map(|p| p.id.clone()).collect();
    let (errors, warnings) = (result.errors(), result.warnings());
    let _ = writeln!(
        s,
        "检查了 {} 个单位，规则包：{}。共 {errors} 项错误，{warnings} 项警告。",
        result.units.len(),
        if packs.is_empty() { "无".to_string() } else { packs.join("、") }
    );
    let drafts = result.findings.iter().filter(|f| f.kind == crate::finding::Kind::Draft).count();
    if drafts > 0 {
        let _ = writeln!(s, "另有草稿 {drafts} 份，不会发布（见上面的「提示」）。");
    }
    if !result.acknowledgements.is_empty() {
        let _ = writeln!(s, "经审查确认公开的例外 {} 项（第七条），详见报告：", result.acknowledgements.len());
        for a in &result.acknowledgements {
            let line = a.line.map(|l| format!(":{l}")).unwrap_or_default();
            let _ = writeln!(
                s,
                "  {}{line} {} 「{}」 理由：{}",
                visible(&a.file),
                a.rule,
                visible(&a.text),
                visible(&a.reason)
            );
        }
    }

    let withheld: Vec<&String> = result.units.iter().flat_map(|u| &u.withheld).collect();
    if !withheld.is_empty() {
        let _ = writeln!(
            s,
            "以下 {} 个文件含有第六条禁止公开的内容，不会发布（网页、开放数据、订阅和网站地图中都没有）；改正或经第七条审查确认后会重新发布：",
            withheld.len()
        );
        for file in withheld {
            let _ = writeln!(s, "  {}", visible(file));
        }
    }
    let _ = writeln!(
        s,
        "{}",
        if errors > 0 {
            "结论：还有必须补充或改正的内容，未通过。"
        } else {
            "结论：必须公开的内容齐全，通过。"
        }
    );
    s
}
