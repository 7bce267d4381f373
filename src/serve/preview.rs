//! What a build would record, shown by the preview (issue 14 part 6): the document pages a
//! `gongkai build` run now would add, change or remove in the publication record, against the
//! record the site keeps (`record/`). The preview hashes the pages it renders into memory (before
//! it makes them live) and never writes the record. Part of `serve`: the builder thread makes
//! this page from its loaded site, the HTTP threads serve it at `/__gongkai/record.html`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::record::Record;

/// A document page: HTML the site publishes, but not the published report (a build may add it
/// where the preview does not render it).
fn is_document(path: &str) -> bool {
    path.ends_with(".html") && !path.starts_with("report/") && !crate::record::is_own(path)
}

/// The pages a build would add, change and remove, against `record`, for the pages `now`
/// (path → BLAKE3 of the bytes a build writes).
pub(super) fn changes(record: &Record, now: &BTreeMap<String, String>) -> [Vec<String>; 3] {
    let before = record.files();
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for (path, hash) in now.iter().filter(|(p, _)| is_document(p)) {
        match before.get(path) {
            None => added.push(path.clone()),
            Some(old) if old != hash => changed.push(path.clone()),
            Some(_) => {}
        }
    }
    let removed = before.keys().filter(|p| is_document(p) && !now.contains_key(*p)).cloned().collect();
    [added, changed, removed]
}

/// Why the pages of this preview are not the ones `gongkai build` would write, when they are not:
/// they name another address (`--base-url`), or show drafts (`--drafts`).
pub(super) fn unlike_build(site: &crate::model::Site) -> Option<&'static str> {
    if site.elsewhere {
        Some(
            "这次预览用的是 --base-url 给的地址，网页里写着这个地址，和 gongkai build 按 gongkai.yaml 的 base_url 生成的网页逐字节不同",
        )
    } else if site.drafts {
        Some("这次预览显示了草稿（--drafts），gongkai build 不会发布草稿")
    } else {
        None
    }
}

/// The preview page; `unlike`: why the pages rendered are not what a build would write (then
/// nothing is compared, see [`unlike_build`]).
pub(super) fn page(record: &Record, now: &BTreeMap<String, String>, unlike: Option<&str>) -> String {
    let [added, changed, removed] = match unlike {
        None => changes(record, now),
        Some(_) => Default::default(),
    };
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>公开记录预览</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>\n<body><main>\n<h1>公开记录预览</h1>\n",
    );
    let last = record.entries().last();
    let base = match last {
        Some(e) => {
            format!("站点的公开记录（record/）现有 {} 条，最新一条是第 {} 条（{}）。", e.seq, e.seq, esc(&e.date))
        }
        None => "站点还没有公开记录：第一次 gongkai build 会把全部网页记为新增。".into(),
    };
    if let Some(why) = unlike {
        let _ = writeln!(
            html,
            "<p>{base}</p>\n<p id=\"not-compared\">{}，所以这里不比较，不能说明 gongkai build 会记下什么。不加这个选项运行 gongkai serve，就能预览。</p>",
            esc(why)
        );
        html.push_str("</main></body></html>\n");
        return html;
    }
    let _ = writeln!(
        html,
        "<p>{base}如果现在运行 gongkai build，记录里会有下面这些网页的变化。这只是预览，不会写入记录；只比较网页（.html）。</p>"
    );
    if added.is_empty() && changed.is_empty() && removed.is_empty() {
        html.push_str("<p id=\"no-change\">与上次记录相比，网页没有变化。</p>\n");
    }
    for (id, label, paths, link) in
        [("added", "新增", &added, true), ("changed", "改动", &changed, true), ("removed", "删除", &removed, false)]
    {
        if paths.is_empty() {
            continue;
        }
        let _ = write!(html, "<section id=\"{id}\"><h2>{label}（{} 个）</h2>\n<ul>\n", paths.len());
        for p in paths {
            if link {
                let href: String = p
                    .split('/')
                    .map(|s| percent_encoding::utf8_percent_encode(s, SEGMENT).to_string())
                    .collect::<Vec<_>>()
                    .join("/");
                let _ = writeln!(html, "<li><a href=\"/{href}\">{}</a></li>", esc(p));
            } else {
                let _ = writeln!(html, "<li>{}</li>", esc(p));
            }
        }
        html.push_str("</ul></section>\n");
    }
    html.push_str("</main></body></html>\n");
    html
}

const SEGMENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hashes(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files.iter().map(|(p, b)| (p.to_string(), crate::record::hex(b.as_bytes()))).collect()
    }

    #[test]
    fn pages_added_changed_and_removed_against_the_record() {
        let record = Record::empty()
            .append(
                "2026-11-30",
                hashes(&[("a.html", "1"), ("b.html", "2"), ("c.html", "3"), ("x.css", "4")]),
                BTreeMap::new(),
            )
            .unwrap()
            .unwrap();
        let now = hashes(&[("a.html", "1"), ("b.html", "2!"), ("d/新.html", "5"), ("report/index.html", "6")]);
        let [added, changed, removed] = changes(&record, &now);
        assert_eq!(
            (added, changed, removed),
            (vec!["d/新.html".to_string()], vec!["b.html".to_string()], vec!["c.html".to_string()])
        );
        let html = page(&record, &now, None);
        assert!(html.contains("<a href=\"/d/%E6%96%B0.html\">d/新.html</a>"), "{html}");
        assert!(html.contains("第 1 条（2026-11-30）"), "{html}");
        assert!(
            page(&record, &hashes(&[("a.html", "1"), ("b.html", "2"), ("c.html", "3")]), None).contains("网页没有变化")
        );
        // pages unlike a build's: nothing is compared, and the page says why
        let html = page(&record, &now, Some("草稿"));
        assert!(html.contains("id=\"not-compared\">草稿，所以这里不比较"), "{html}");
        assert!(!html.contains("id=\"changed\"") && !html.contains("id=\"added\"") && !html.contains("网页没有变化"));
    }
}
