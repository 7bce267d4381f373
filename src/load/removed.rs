//! Published documents that are gone from the content (第十二条(三)(五)): every document of a
//! folder gets a 索引号 in the publication record when it is first published, so a source path
//! in the record that the content no longer has is a notice (a policy, a service…) deleted after
//! publication. A withdrawn or ended document stays, marked 已撤销/已终止 with its reason; the
//! archive keeps the old versions either way.
//!
//! Part of loading: it compares what `load` reads (the unit folders, a unit's documents) with the
//! record `load` reads, and gives findings like the loader's own. Nothing here reads a file.

use std::collections::{BTreeMap, BTreeSet};

use crate::finding::{Finding, Kind, Severity};
use crate::model::Unit;
use crate::record::numbers::Published;

/// The article a deleted publication breaks.
pub(super) const CITATION: &str = "《白银市公共企事业单位信息公开办法(试行)》第十二条(三)(五)";

/// The id of the finding in reports.
pub(super) const RULE: &str = "gongkai/removed-document";

/// The published documents of `unit` that its folder no longer has, or has only as a draft
/// (`草稿: true` takes a page off the site as surely as deleting its file): one error each. A
/// draft never published is in no record, so it is never one of them.
pub(super) fn in_unit(unit: &Unit, published: &BTreeMap<String, Published>, today: &str) -> Vec<Finding> {
    let from = format!("{}/", unit.dir);
    let to = format!("{}0", unit.dir); // '0' follows '/'
    let have: BTreeSet<&str> = unit.docs.iter().filter(|d| !d.is_draft()).map(|d| d.path.as_str()).collect();
    let drafts: BTreeSet<&str> =
        unit.drafts.iter().chain(unit.docs.iter().filter(|d| d.is_draft())).map(|d| d.path.as_str()).collect();
    published
        .range(from..to)
        .filter(|(path, _)| !have.contains(path.as_str()))
        .map(|(path, p)| {
            let (message, help) = if drafts.contains(path.as_str()) {
                (
                    format!(
                        "这份文件已于 {} 公开（索引号 {}），现在标成了草稿，会从网站上撤下：已公开的文件不能这样撤下，撤销或终止要公开说明原因",
                        p.date, p.number
                    ),
                    format!(
                        "删掉「草稿: true」这一行，让它继续公开；不再公开的，在开头的 YAML（--- 之间）加上这两项：\
                         「状态: 已撤销」和「变更记录: [{{日期: {today}, 变更类型: 撤销, 说明: 撤销的原因}}]」\
                         （已经执行、现在停止的，写「已终止」和「终止」）。要改写内容，另存一个新文件作草稿"
                    ),
                )
            } else {
                (
                    format!(
                        "这份文件已于 {} 公开（索引号 {}），现在内容里没有了：已公开的文件不能删除，撤销或终止要公开说明原因",
                        p.date, p.number
                    ),
                    format!(
                        "从版本库恢复这个文件（git checkout -- \"{path}\"），在开头的 YAML（--- 之间）加上这两项：\
                         「状态: 已撤销」和「变更记录: [{{日期: {today}, 变更类型: 撤销, 说明: 撤销的原因}}]」\
                         （已经执行、现在停止的，写「已终止」和「终止」）。网站的存档仍保留它公开过的各个版本"
                    ),
                )
            };
            let mut f = Finding::builtin(Kind::Missing, Severity::Error, path, None, message)
                .with_title("已公开的文件被删除")
                .with_help(help);
            f.unit = Some(unit.slug.clone());
            f.rule = RULE.into();
            f.citation = Some(CITATION.into());
            f
        })
        .collect()
}

/// Units whose folder is gone although documents of theirs were published: one error each
/// (site-wide: the unit is not there to hold it).
pub(super) fn gone_units(slugs: &BTreeSet<&str>, published: &BTreeMap<String, Published>) -> Vec<Finding> {
    let mut gone: BTreeMap<&str, Vec<&Published>> = BTreeMap::new();
    for (path, p) in published {
        let Some(slug) = path.strip_prefix("content/").and_then(|p| p.split('/').next()) else { continue };
        if !slugs.contains(slug) {
            gone.entry(slug).or_default().push(p);
        }
    }
    gone.into_iter()
        .map(|(slug, docs)| {
            let first = docs.iter().map(|p| &*p.date).min().unwrap_or_default();
            let numbers: Vec<&str> = docs.iter().take(3).map(|p| p.number.as_str()).collect();
            let more = if docs.len() > 3 { "等" } else { "" };
            let mut f = Finding::builtin(
                Kind::Missing,
                Severity::Error,
                &format!("content/{slug}"),
                None,
                format!(
                    "单位文件夹 content/{slug} 已删除，但这个单位自 {first} 起公开过 {} 份文件（索引号 {}{more}）：已公开的文件不能删除",
                    docs.len(),
                    numbers.join("、")
                ),
            )
            .with_title("已公开的单位被删除")
            .with_help(
                "从版本库恢复这个单位文件夹；不再公开的文件逐个标明「状态: 已撤销」或「状态: 已终止」，并在「变更记录」里写明日期和原因。网站的存档仍保留它公开过的各个版本",
            );
            f.rule = RULE.into();
            f.citation = Some(CITATION.into());
            f
        })
        .collect()
}
