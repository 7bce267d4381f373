//! 历史版本 on the pages (第十二条(三)(五)): what the record's archive (`record::archive`) holds
//! of each document page, read once per build and shared by every unit's renderer; the
//! "历史版本" section of a current page, and the "已删除的文件" group of the unit's 公开目录.
//!
//! A page whose path has earlier versions lists each one that is superseded: when it was
//! published, when it was replaced, the reason from the document's 变更记录 where an entry has
//! that date, and a link to the exact old bytes, published beside the page (so that their relative
//! links still lead where they led; the address a version had before, under `archive/`, is a
//! page that leads to the new one: [`Archive::publish`]). Whether the newest
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
    /// Shared with the publication record, which would read it again after the pages are
    /// written (nothing writes to it in between); empty when it could not be read.
    pub(super) store: std::sync::Arc<Store>,
    /// It was read (not empty for want of that).
    pub(super) opened: bool,
    /// Page path → its versions, oldest first.
    pub(super) histories: BTreeMap<String, Vec<Version>>,
}

impl Archive {
    /// The site's archive (empty when it cannot be listed: `build` names that problem when it
    /// writes the record); an entry of the record that cannot be read back stops the build.
    pub(super) fn of(site: &crate::model::Site, record: &crate::record::Record) -> crate::error::Result<Archive> {
        let dir = site.root.join(crate::record::FOLDER);
        let Ok(store) = Store::open(&dir) else { return Ok(Archive::default()) };
        let histories = archive::histories(record, |h| store.holds(h))
            .map_err(|problems| crate::error::Error::Record { path: dir, problems })?;
        Ok(Archive { store: std::sync::Arc::new(store), opened: true, histories })
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

/// An archived version as published: its title, and where its relative links lead.
pub(super) struct Published {
    /// The text of its `<h1>`.
    pub(super) title: Option<String>,
    /// (the version's path, a site path one of its relative links leads to), one per target.
    pub(super) links: Vec<(String, String)>,
}

impl Archive {
    /// Publish an archived version of `page` with `put`: its exact bytes beside the page
    /// ([`archive::published_path`]), and at the address it had before
    /// ([`archive::moved_path`]) a page that leads there ([`moved`]).
    pub(super) fn publish(
        &self,
        page: &str,
        v: &Version,
        put: &mut dyn FnMut(&str, &[u8]) -> crate::error::Result<()>,
    ) -> crate::error::Result<Published> {
        let bytes = self.bytes(&v.hash.to_hex())?;
        let (at, before) = (archive::published_path(page, v), archive::moved_path(page, v));
        let title = title_of(&bytes);
        put(&at, &bytes)?;
        put(&before, moved(&before, &at, title.as_deref(), &v.published).as_bytes())?;
        let links = links_of(&at, &bytes).into_iter().map(|to| (at.clone(), to)).collect();
        Ok(Published { title, links })
    }
}

/// The page left at a version's former address (`from`), leading to where it is now (`to`):
/// no script (a link, and `<meta http-equiv="refresh">` for browsers that follow it), the CSP
/// of the site's pages, kept out of search engines.
pub(super) fn moved(from: &str, to: &str, title: Option<&str>, published: &str) -> String {
    let target = html_escape::encode_double_quoted_attribute(&href(from, to)).into_owned();
    let css = href(from, "static/style.css");
    let what = match (title, DateView::parse(published)) {
        (Some(t), Some(d)) => format!("《{}》{}发布的版本", html_escape::encode_text(t), d.zh),
        (Some(t), None) => format!("《{}》的这个版本", html_escape::encode_text(t)),
        (None, Some(d)) => format!("{}发布的版本", d.zh),
        (None, None) => "这个历史版本".into(),
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={target}">
<title>历史版本已移到新地址</title>
<link rel="stylesheet" href="{css}">
</head>
<body>
<main id="main" class="wrap">
<h1>历史版本已移到新地址</h1>
<p>{what}现在在这里：<a href="{target}">打开这个历史版本</a></p>
</main>
</body>
</html>
"#
    )
}

/// The site paths the relative links of a published page (at `at`) lead to (`href` and `src`
/// attributes; not other sites, not a place in the page itself), each once, in order.
pub(super) fn links_of(at: &str, html: &[u8]) -> Vec<String> {
    let html = String::from_utf8_lossy(html);
    let dir = at.rsplit_once('/').map_or("", |(d, _)| d);
    let mut out = std::collections::BTreeSet::new();
    for attr in ["href=\"", "src=\""] {
        for (at, _) in html.match_indices(attr) {
            if !html[..at].chars().next_back().is_some_and(char::is_whitespace) {
                continue;
            }
            let value = &html[at + attr.len()..];
            let Some(end) = value.find('"') else { continue };
            let value = html_escape::decode_html_entities(&value[..end]);
            let path = value.split(['#', '?']).next().unwrap_or_default();
            let scheme = path.split_once(':').is_some_and(|(s, _)| !s.contains('/'));
            if path.is_empty() || scheme || path.starts_with("//") {
                continue;
            }
            let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
            let joined = match decoded.strip_prefix('/') {
                Some(abs) => abs.to_string(),
                None => format!("{dir}/{decoded}"),
            };
            // above the site's root: kept as written, it resolves to nothing
            let target = super::paths::normalize(&joined).unwrap_or(joined);
            out.insert(if target.is_empty() || path.ends_with('/') {
                format!("{target}/index.html").trim_start_matches('/').to_string()
            } else {
                target
            });
        }
    }
    out.into_iter().collect()
}

/// The links of published versions (`links`: (version, target)) whose target is not published
/// (`exists`). A version's bytes never change, so a link to a page removed since it was
/// published leads nowhere, as the removal meant (the unit's 公开目录 lists what was removed):
/// not reported. A link to the site's own files (`static/`: its stylesheet) must resolve, or
/// the version shows unstyled: an error, which only a change to gongkai can cause.
pub(super) fn check_links<'a>(
    links: impl Iterator<Item = &'a (String, String)>,
    exists: &dyn Fn(&str) -> bool,
) -> Vec<crate::finding::Finding> {
    use crate::finding::{Finding, Kind, Severity};
    links
        .filter(|(_, to)| to.starts_with("static/") && !exists(to))
        .map(|(version, to)| {
            let mut f = Finding::builtin(
                Kind::BrokenLink,
                Severity::Error,
                version,
                None,
                format!("存档的历史版本引用的网站文件 {to} 不存在：这个版本显示时会没有样式"),
            )
            .with_help("存档页面一个字节也不改，它引用的网站文件必须一直保留：这是 gongkai 的缺陷，请报告");
            f.unit = version.split_once('/').map(|(u, _)| u.to_string());
            f
        })
        .collect()
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
        .filter(|v| store.holds(&v.hash))
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

    #[test]
    fn the_links_of_a_version_are_resolved_from_where_it_is() {
        let html = br##"<link rel="stylesheet" href="../../static/style.css"><a href="../notices.html#x">x</a>
<a href="https://example.org/">e</a><a href="#main">m</a><img src="../attachments/%E5%9B%BE.png"><a href="../../">home</a>
<a href="mailto:a@b.c">m</a><a data-href="no">n</a><a href="../../../../up.html">u</a>"##;
        assert_eq!(
            links_of("u/notices/a.v2026-11-30-1a2b3c4d.html", html),
            [
                "index.html",
                "static/style.css",
                "u/attachments/图.png",
                "u/notices.html",
                "u/notices/../../../../up.html"
            ]
        );
        let links = [("u/notices/a.v.html".to_string(), "static/style.css".to_string())];
        let found = check_links(links.iter(), &|_| false);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("static/style.css") && found[0].unit.as_deref() == Some("u"));
        assert!(check_links(links.iter(), &|_| true).is_empty());
        let removed = [("u/notices/a.v.html".to_string(), "u/notices/gone.html".to_string())];
        assert!(check_links(removed.iter(), &|_| false).is_empty(), "a page removed since is not reported");
    }

    #[test]
    fn the_former_address_leads_to_the_new_one_without_script() {
        let page = moved(
            "archive/u/notices/停水/2026-11-30-1a2b3c4d.html",
            "u/notices/停水.v2026-11-30-1a2b3c4d.html",
            Some("停水<通知>"),
            "2026-11-30",
        );
        let target = "../../../../u/notices/停水.v2026-11-30-1a2b3c4d.html";
        assert!(page.contains(&format!("content=\"0; url={target}\"")), "{page}");
        assert!(page.contains(&format!("<a href=\"{target}\">")), "{page}");
        assert!(page.contains("《停水&lt;通知&gt;》2026年11月30日发布的版本"), "{page}");
        assert!(page.contains("noindex") && page.contains("default-src 'none'") && !page.contains("<script"));
        assert!(page.contains("href=\"../../../../static/style.css\""));
    }

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
            std::fs::write(dir.path().join(archive::file(&hash)), archive::compress_gzip(page.as_bytes())).unwrap();
            hashes.push(hash);
        }
        let store = std::sync::Arc::new(Store::open(dir.path()).unwrap());
        let archive = Archive { store, opened: true, histories: BTreeMap::new() };
        assert_eq!(archive.bytes(&hashes[0]).unwrap(), "<p>停水通知：联系人张三</p>".as_bytes());
        let refused = archive.bytes(&hashes[1]).unwrap_err().to_string();
        assert!(refused.contains("含有第六条禁止公开的内容") && refused.contains(&hashes[1]), "{refused}");
    }
}
