//! Checking the links written in Markdown against the pages and anchors that were published.
//!
//! A link inside its own unit is checked as soon as the unit is rendered, anchors included. A
//! link that leaves the unit waits until every unit is written and is checked against the set of
//! published paths (its anchor is not checked: other units' ids are not kept, to keep memory flat).

use std::collections::{HashMap, HashSet};

use percent_encoding::percent_decode_str;

use super::paths::normalize;
use crate::finding::{Finding, Kind, Severity};

/// One rendered page's facts for link checking and the sitemap.
pub(super) struct PageFacts {
    pub(super) path: String,
    pub(super) ids: HashSet<String>,
    /// The page's update date (`YYYY-MM-DD`), for the sitemap; `None` for non-HTML files.
    pub(super) updated: Option<String>,
    pub(super) html: bool,
}

/// A Markdown link to check.
pub(super) struct PendingLink {
    pub(super) unit: String,
    pub(super) file: String,
    pub(super) line: u32,
    pub(super) from: String,
    pub(super) dest: String,
    pub(super) href: String,
    pub(super) image: bool,
    /// Why the address was removed from the page, if it was.
    pub(super) refused: Option<&'static str>,
}

impl PendingLink {
    /// A link of `unit`'s source `file`, published on the page at `from`.
    pub(super) fn new(unit: &str, file: &str, from: &str, l: &super::markdown::Link) -> PendingLink {
        PendingLink {
            unit: unit.to_string(),
            file: file.to_string(),
            line: l.line,
            from: from.to_string(),
            dest: l.dest.clone(),
            href: l.href.clone(),
            image: l.image,
            refused: l.refused,
        }
    }
}

/// Where a link leads.
enum Target {
    /// Nowhere to check: another site, `mailto:`, an empty link.
    External,
    /// Above the site root.
    Outside,
    /// A path in the site, and the anchor if any.
    Page(String, Option<String>),
}

fn target(l: &PendingLink) -> Target {
    let h = l.href.trim();
    if h.is_empty() || h.starts_with("//") || has_scheme(h) {
        return Target::External;
    }
    let (path_part, fragment) = h.split_once('#').map_or((h, None), |(p, f)| (p, Some(f)));
    let fragment = fragment.filter(|f| !f.is_empty()).map(|f| percent_decode_str(f).decode_utf8_lossy().to_string());
    if path_part.is_empty() {
        return Target::Page(l.from.clone(), fragment);
    }
    let decoded = percent_decode_str(path_part).decode_utf8_lossy().to_string();
    let joined = match decoded.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => format!("{}/{decoded}", l.from.rsplit_once('/').map_or("", |(d, _)| d)),
    };
    match normalize(&joined) {
        None => Target::Outside,
        Some(p) if p.is_empty() || joined.ends_with('/') => {
            Target::Page(format!("{p}/index.html").trim_start_matches('/').to_string(), fragment)
        }
        Some(p) => Target::Page(p, fragment),
    }
}

/// Check the links of one unit against its own pages; return the findings, and the links that
/// leave the unit (to check once every unit is written).
pub(super) fn check_in_unit(
    slug: &str,
    facts: &[PageFacts],
    links: Vec<PendingLink>,
) -> (Vec<Finding>, Vec<PendingLink>) {
    let ids: HashMap<&str, &HashSet<String>> = facts.iter().map(|f| (f.path.as_str(), &f.ids)).collect();
    let prefix = format!("{slug}/");
    let mut findings = Vec::new();
    let mut outward = Vec::new();
    for l in links {
        if let Some(why) = l.refused {
            let what = if l.image { "图片" } else { "链接" };
            let mut f = finding(&l, format!("{what}地址「{}」已从网页上删除：{why}", l.dest));
            f.help = Some(if l.image {
                "把图片放进本单位的 attachments/，写成相对路径，例如 ../attachments/图片.png".into()
            } else {
                "本站的内容写相对路径（例如 ../fees.yaml）；别的网站写完整的 https:// 地址".into()
            });
            findings.push(f);
            continue;
        }
        let problem = match target(&l) {
            Target::External => None,
            Target::Outside => Some(format!("链接指向网站之外的上级目录：「{}」", l.dest)),
            Target::Page(path, _) if l.image && !path.starts_with(&prefix) => {
                Some(format!("图片在本单位之外：「{}」；网页只显示本单位 attachments/ 里的图片", l.dest))
            }
            Target::Page(path, _) if !path.starts_with(&prefix) => {
                outward.push(l);
                continue;
            }
            Target::Page(path, fragment) => match ids.get(path.as_str()) {
                None => Some(format!("链接指向的页面或文件不存在：「{}」", l.dest)),
                Some(set) => fragment
                    .filter(|f| !set.contains(f))
                    .map(|f| format!("链接指向的页面上没有「#{f}」这个位置：「{}」", l.dest)),
            },
        };
        findings.extend(problem.map(|m| finding(&l, m)));
    }
    (findings, outward)
}

/// Check links that leave their unit: does the target exist in the output?
pub(super) fn check_outward<'a>(
    links: impl Iterator<Item = &'a PendingLink>,
    published: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    links
        .filter_map(|l| match target(l) {
            Target::Page(path, _) if !published(&path) => {
                Some(finding(l, format!("链接指向的页面或文件不存在：「{}」", l.dest)))
            }
            _ => None,
        })
        .collect()
}

fn finding(l: &PendingLink, message: String) -> Finding {
    let mut f = Finding::builtin(Kind::BrokenLink, Severity::Error, &l.file, Some(crate::yaml::Pos::new(l.line, 1)), message)
        .with_help("链接到本单位的其他内容，可以直接写文件路径，例如 ../fees.yaml 或 ../attachments/申请表.md；页内位置写 #标题文字");
    f.unit = Some(l.unit.clone());
    f.origin = crate::finding::Origin::Links;
    f
}

/// Every `id` in our own rendered HTML.
///
/// What the regex `\sid="([^"]+)"` finds (a whitespace character, `id="`, a value without `"`),
/// leftmost first and without overlap, found with `memmem` instead: every page is scanned, and
/// the regex was about 2% of a build's instructions.
pub(super) fn ids_of(html: &str) -> HashSet<String> {
    let mut ids = HashSet::new();
    let mut from = 0;
    for at in memchr::memmem::find_iter(html.as_bytes(), br#"id=""#) {
        if at < from || !html[..at].chars().next_back().is_some_and(char::is_whitespace) {
            continue;
        }
        let value_at = at + 4;
        let Some(len) = memchr::memchr(b'"', &html.as_bytes()[value_at..]) else { break };
        if len == 0 {
            continue;
        }
        let value = &html[value_at..value_at + len];
        ids.insert(if value.contains("&amp;") { value.replace("&amp;", "&") } else { value.to_string() });
        from = value_at + len + 1;
    }
    ids
}

fn has_scheme(h: &str) -> bool {
    h.split_once(':')
        .is_some_and(|(s, _)| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    #[test]
    fn ids_are_what_the_regex_finds() {
        let regex = Regex::new(r#"\sid="([^"]+)""#).unwrap();
        let pages = [
            r#"<h2 id="how">办理</h2><p id="a&amp;b">x</p>"#,
            "<p\nid=\"nl\"></p><p\tid=\"tab\"></p>",
            " id=\"\" id=\"x\" xid=\"no\" data-id=\"no\"",
            " id=\"a id=\"b\"",
            "\u{3000}id=\"全角空格\" <a id=\"未闭合",
            "id=\"at-start\" <b id=\"ok\">",
            "",
        ];
        for page in pages {
            let want: HashSet<String> = regex.captures_iter(page).map(|c| c[1].replace("&amp;", "&")).collect();
            assert_eq!(ids_of(page), want, "{page:?}");
        }
    }
}
