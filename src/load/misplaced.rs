//! Content files in the wrong place: a YAML or Markdown file in a unit folder that the content
//! model has no place for (`收费.yaml`, `通知公告/a.md`, `notices/2026/a.md`).
//!
//! Called by `load` for each such file. gongkai would silently not publish it, so it is an error
//! that names the file or folder it was probably meant to be, matched by English name or by the
//! Chinese words of the content model's titles and fields (通知公告 → 通知 → notices/).

use crate::finding::{Finding, Kind, Severity};
use crate::schema::{self, DocSpec, Schema};

/// A content file (YAML or Markdown) that gongkai will not publish, because it is not where the
/// content model expects it: an error, since the clerk meant it to be published. It names the
/// file or folder it was probably meant to be, by its English name or by the Chinese words of the
/// content model (通知公告 → notices/, 收费 → fees.yaml).
pub(super) fn unknown_file(dir: &str, rel: &str, schema: &Schema) -> Finding {
    let (top, rest) = rel.split_once('/').map_or((rel, None), |(t, r)| (t, Some(r)));
    let name = |d: &DocSpec| format!("{}（{}）", d.file, d.title);
    let (message, help) =
        match (schema.documents.iter().find(|d| d.is_collection() && d.file == format!("{top}/")), rest) {
            // notices/2026/a.md, services/a.yaml: the right folder, the wrong place in it
            (Some(spec), Some(rest)) if rest.contains('/') => (
                format!("「{rel}」不会发布：{} 里的文件要直接放在这个文件夹下，不能再分子文件夹", spec.file),
                format!("把它移到 {dir}/{}{}", spec.file, rest.rsplit('/').next().unwrap_or(rest)),
            ),
            (Some(spec), Some(rest)) if spec.data => (
                format!(
                    "「{rel}」不会读取：{} 里的每份{}要写成 .yaml 文件",
                    spec.file,
                    spec.item.as_deref().unwrap_or("数据")
                ),
                format!("把它改名为 {}{}.yaml", spec.file, rest.rsplit_once('.').map_or(rest, |(stem, _)| stem)),
            ),
            (Some(spec), Some(rest)) => (
                format!(
                    "「{rel}」不会发布：{} 里的每个{}要写成 .md 文件（开头是 --- 包围的信息区）",
                    spec.file,
                    spec.item.as_deref().unwrap_or("事项")
                ),
                format!("把它改名为 {}{}.md", spec.file, rest.rsplit_once('.').map_or(rest, |(stem, _)| stem)),
            ),
            _ => {
                let folder = rest.is_some();
                let what = if folder { format!("文件夹「{top}/」") } else { format!("文件名「{top}」") };
                let md = if folder || rel.ends_with(".md") { "" } else { "，写成 .md 文件" };
                let help = match guess_document(top, schema) {
                    Some((spec, _)) if spec.is_collection() => format!(
                        "是不是要放进 {}？把{}移到 {dir}/{} 下{md}",
                        name(spec),
                        if folder { "里面的文件" } else { "它" },
                        spec.file
                    ),
                    Some((spec, true)) => format!("这像是 {} 里的内容，把它写进 {dir}/{}", name(spec), spec.file),
                    Some((spec, false)) => format!(
                        "是不是要命名为 {}？把它改名为 {dir}/{}（已有这个文件时，把内容并入其中）",
                        name(spec),
                        spec.file
                    ),
                    None => {
                        let files: Vec<String> = schema.documents.iter().map(name).collect();
                        format!("单位文件夹里可以有：{}；附件（PDF、Word、图片）放在 attachments/ 下", files.join("、"))
                    }
                };
                (format!("「{rel}」不会发布：gongkai 不认识{what}，其中的内容不会被检查，也不会出现在网站上"), help)
            }
        };
    Finding::builtin(Kind::UnknownFile, Severity::Error, &format!("{dir}/{rel}"), None, message).with_help(help)
}

/// The document a misplaced file or folder was probably meant to be: its English name with a
/// typo or in other letter case (`fee.yaml`, `Notices`), or a Chinese name sharing a word with
/// the document's title or item (通知公告 → 通知 → notices/), else with one of its fields
/// (领导 → 窗口单位领导 → unit.yaml; then `true`). `None` when two documents match equally well.
fn guess_document<'a>(written: &str, schema: &'a Schema) -> Option<(&'a DocSpec, bool)> {
    let stem = written.rsplit_once('.').map_or(written, |(s, _)| s).trim();
    let english = |d: &DocSpec| d.file.trim_end_matches('/').trim_end_matches(".yaml").to_string();
    if let Some(d) = schema.documents.iter().find(|d| english(d).eq_ignore_ascii_case(stem)) {
        return Some((d, false));
    }
    let stems: Vec<String> = schema.documents.iter().map(english).collect();
    if let Some(near) = schema::did_you_mean(stem, stems.iter().map(String::as_str)) {
        return schema.documents.iter().find(|d| english(d) == near).map(|d| (d, false));
    }
    let best = |names: &dyn Fn(&DocSpec) -> Vec<String>| {
        let scored: Vec<(usize, &DocSpec)> = schema
            .documents
            .iter()
            .map(|d| (names(d).iter().map(|n| common_run(stem, n)).max().unwrap_or(0), d))
            .filter(|(n, _)| *n >= 2)
            .collect();
        let top = scored.iter().map(|(n, _)| *n).max()?;
        let mut at_top = scored.iter().filter(|(n, _)| *n == top);
        let first = at_top.next()?.1;
        at_top.next().is_none().then_some(first)
    };
    let common: Vec<&str> = schema.common.iter().map(|f| f.key.as_str()).collect();
    let by_title = best(&|d| [Some(d.title.clone()), d.item.clone()].into_iter().flatten().collect());
    by_title.map(|d| (d, false)).or_else(|| {
        best(&|d| {
            d.fields
                .iter()
                .filter(|f| {
                    !common.contains(&f.key.as_str()) && !matches!(f.key.as_str(), "updated" | "title" | "name")
                })
                .flat_map(|f| f.names().filter(|n| !n.is_ascii()).map(str::to_string).collect::<Vec<_>>())
                .collect()
        })
        .map(|d| (d, true))
    })
}

/// The length, in characters, of the longest run of characters two names share.
fn common_run(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut best = 0;
    for i in 0..a.len() {
        for j in 0..b.len() {
            let n = a[i..].iter().zip(&b[j..]).take_while(|(x, y)| x == y).count();
            best = best.max(n);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(name: &str) -> Option<(String, bool)> {
        guess_document(name, &Schema::builtin()).map(|(d, f)| (d.file.clone(), f))
    }

    /// The verdicts issue, point 9: Chinese names lead to the document they mean.
    #[test]
    fn chinese_names_lead_to_their_document() {
        for (written, file) in [
            ("通知公告", "notices/"),
            ("收费.yaml", "fees.yaml"),
            ("办事指南", "services/"),
            ("服务承诺.yaml", "commitments.yaml"),
            ("监督.yaml", "supervision.yaml"),
            ("单位概况.yaml", "unit.yaml"),
            ("停水通知.md", "notices/"),
            ("fee.yaml", "fees.yaml"),
            ("Notices", "notices/"),
        ] {
            assert_eq!(guess(written), Some((file.to_string(), false)), "{written}");
        }
        assert_eq!(guess("领导.yaml"), Some(("unit.yaml".to_string(), true)));
        assert_eq!(guess("说明.md"), None);
    }

    #[test]
    fn a_misplaced_content_file_is_an_error_naming_its_place() {
        let s = Schema::builtin();
        let f = unknown_file("content/u", "通知公告/停水.md", &s);
        assert_eq!(f.severity, Severity::Error);
        assert!(f.help.as_deref().unwrap().contains("notices/"), "{:?}", f.help);
        let f = unknown_file("content/u", "notices/2026/停水.md", &s);
        assert!(f.message.contains("不能再分子文件夹"), "{}", f.message);
        assert_eq!(f.help.as_deref(), Some("把它移到 content/u/notices/停水.md"));
    }

    #[test]
    fn common_runs_count_characters() {
        assert_eq!(common_run("通知公告", "通知"), 2);
        assert_eq!(common_run("服务承诺", "办事服务"), 2);
        assert_eq!(common_run("a", "b"), 0);
    }
}
