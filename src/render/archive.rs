//! 历史版本 on the pages (第十二条(三)(五)): what the record's archive (`record::archive`) holds
//! of each document page, read once per build and shared by every unit's renderer; the
//! "历史版本" section of a current page, and the "已删除的文件" group of the unit's 公开目录.
//!
//! A page whose path has earlier versions lists each one that is superseded: when it was
//! published, when it was replaced, the reason from the document's 变更记录 where an entry has
//! that date, and a link to the exact old bytes, published under `archive/`. Whether the newest
//! recorded version is superseded is only known once the page is rendered: `unit` renders it
//! first as if it were not, and again with it listed when the bytes differ (so an unchanged page
//! renders to the same bytes build after build).

use std::collections::BTreeMap;

use serde::Serialize;

use super::paths::href;
use super::view::DateView;
use crate::record::archive::{self, Store, Version};
use crate::yaml::Node;

/// The archive and the history of every page it holds a version of.
#[derive(Debug, Default)]
pub(super) struct Archive {
    pub(super) store: Store,
    /// Page path → its versions, oldest first.
    pub(super) histories: BTreeMap<String, Vec<Version>>,
}

impl Archive {
    /// The site's archive (empty when it cannot be listed: `build` names that problem when it
    /// writes the record).
    pub(super) fn of(site: &crate::model::Site) -> Archive {
        let Ok(store) = Store::open(&site.root.join(crate::record::FOLDER)) else { return Archive::default() };
        let histories = archive::histories(&site.record, |h| store.contains(h));
        Archive { store, histories }
    }

    /// The pages of a unit that have a history (`slug/…`).
    pub(super) fn of_unit<'s>(&'s self, slug: &str) -> impl Iterator<Item = (&'s String, &'s Vec<Version>)> + 's {
        let from = format!("{slug}/");
        let to = format!("{slug}0"); // '0' follows '/'
        self.histories.range(from..to)
    }

    /// The bytes of an archived version, or why not (a damaged archive stops the build).
    ///
    /// An archived version passed the 第六条 scan when it was published; it is scanned again
    /// before it is published again (the scan may have learnt since, or a hit was acknowledged
    /// then), and one that holds what 第六条 forbids stops the build rather than be republished.
    pub(super) fn bytes(&self, hash: &str) -> crate::error::Result<Vec<u8>> {
        let bytes = self.store.read(hash).map_err(|reason| {
            crate::error::Error::Usage(format!(
                "{reason}\n  帮助: 存档（{}/{}/）只能由 gongkai build 写入；从版本库恢复这个文件",
                crate::record::FOLDER,
                archive::DIR
            ))
        })?;
        if crate::privacy::forbids(&String::from_utf8_lossy(&bytes)) {
            return Err(crate::error::Error::Usage(format!(
                "存档的历史版本 {}/{} 含有第六条禁止公开的内容（身份证号、银行卡号或密级标志），不能作为历史版本再次发布；网站没有生成\n  帮助: 由负责人确认后，把这个版本从存档中移出（单独的 .html.gz 文件删掉；存档包里的版本，从同名 .json 索引的 pages 中删去它的哈希这一项），它在公开记录里的哈希仍然保留，再重新生成",
                crate::record::FOLDER,
                self.store.location(hash)
            )));
        }
        Ok(bytes)
    }
}

/// The 历史版本 section of a page.
#[derive(Debug, Serialize)]
pub(super) struct HistoryView {
    /// Newest first.
    pub(super) versions: Vec<VersionView>,
}

/// One superseded version.
#[derive(Debug, Serialize)]
pub(super) struct VersionView {
    pub(super) published: Option<DateView>,
    pub(super) replaced: Option<DateView>,
    /// Link to the archived copy.
    pub(super) href: String,
    /// From the 变更记录 entry of the date it was replaced.
    pub(super) reason: String,
}

/// The versions of the document page `page` (those of `versions` the archive holds), linked
/// from the page at `from`, the last replaced on `today` unless the record says when; `None`
/// when there is nothing to list.
pub(super) fn history(
    store: &Store,
    from: &str,
    page: &str,
    versions: &[Version],
    data: Option<&Node>,
    today: &str,
) -> Option<HistoryView> {
    let versions: Vec<VersionView> = versions
        .iter()
        .rev()
        .filter(|v| store.contains(&v.hash))
        .map(|v| {
            let replaced = v.replaced.as_deref().unwrap_or(today);
            VersionView {
                published: DateView::parse(&v.published),
                replaced: DateView::parse(replaced),
                href: href(from, &archive::published_path(page, v)),
                reason: reason(data, replaced),
            }
        })
        .collect();
    (!versions.is_empty()).then_some(HistoryView { versions })
}

/// What the document's 变更记录 says of a change on `date`: its 说明, else its 内容, else its
/// 变更类型; several entries of the day joined.
fn reason(data: Option<&Node>, date: &str) -> String {
    let entries = data.and_then(|d| d.get("history")).and_then(Node::as_list).unwrap_or_default();
    let said: Vec<&str> = entries
        .iter()
        .filter(|e| e.text("date").and_then(DateView::parse).is_some_and(|d| d.iso == date))
        .filter_map(|e| e.text("reason").or_else(|| e.text("content")).or_else(|| e.text("action")))
        .collect();
    said.join("；")
}

/// A removed document in the unit's 公开目录: its title as its last version showed it, and
/// each version.
#[derive(Debug, Serialize)]
pub(super) struct Removed {
    pub(super) title: String,
    /// Newest first.
    pub(super) versions: Vec<VersionView>,
}

/// The title of an archived page: the text of its `<h1>`.
pub(super) fn title_of(html: &[u8]) -> Option<String> {
    let html = std::str::from_utf8(html).ok()?;
    let start = html.find("<h1>")? + "<h1>".len();
    let end = start + html[start..].find("</h1>")?;
    Some(html_escape::decode_html_entities(&html[start..end]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An archived version that holds what 第六条 forbids is never published again: the build
    /// stops instead (a clean one is returned as it is).
    #[test]
    fn an_archived_version_with_an_id_number_is_not_republished() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join(archive::DIR);
        std::fs::create_dir_all(&folder).unwrap();
        let mut hashes = Vec::new();
        for page in ["<p>停水通知：联系人张三</p>", "<p>停水通知：联系人张三，身份证号 110101199003074514</p>"]
        {
            let hash = crate::record::hex(page.as_bytes());
            std::fs::write(dir.path().join(archive::file(&hash)), archive::compress(page.as_bytes())).unwrap();
            hashes.push(hash);
        }
        let archive = Archive { store: Store::open(dir.path()).unwrap(), histories: BTreeMap::new() };
        assert_eq!(archive.bytes(&hashes[0]).unwrap(), "<p>停水通知：联系人张三</p>".as_bytes());
        let refused = archive.bytes(&hashes[1]).unwrap_err().to_string();
        assert!(refused.contains("含有第六条禁止公开的内容") && refused.contains(&hashes[1]), "{refused}");
    }
}
