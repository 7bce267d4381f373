//! Checking the links written in Markdown against the pages and anchors that were published.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use percent_encoding::percent_decode_str;
use regex::Regex;

use super::paths::normalize;
use crate::finding::{Finding, Kind, Severity};

/// One rendered HTML page's facts for link checking.
pub(super) struct PageFacts {
    pub(super) path: String,
    pub(super) ids: HashSet<String>,
}

/// A Markdown link to check once every page exists.
pub(super) struct PendingLink {
    pub(super) unit: String,
    pub(super) file: String,
    pub(super) line: u32,
    pub(super) from: String,
    pub(super) dest: String,
    pub(super) href: String,
}

/// Every `id` in our own rendered HTML.
pub(super) fn ids_of(html: &str) -> HashSet<String> {
    static ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"\sid="([^"]+)""#).expect("valid regex"));
    ID.captures_iter(html).map(|c| c[1].replace("&amp;", "&")).collect()
}

/// Check every Markdown link against the files written and the ids of each page.
pub(super) fn check_links(facts: &[PageFacts], links: &[PendingLink], files: &HashSet<String>) -> Vec<Finding> {
    let ids: HashMap<&str, &HashSet<String>> = facts.iter().map(|f| (f.path.as_str(), &f.ids)).collect();
    let mut out = Vec::new();
    for l in links {
        let h = l.href.trim();
        if h.is_empty() || h.starts_with("//") || has_scheme(h) {
            continue;
        }
        let (path_part, fragment) = h.split_once('#').map_or((h, None), |(p, f)| (p, Some(f)));
        let target = if path_part.is_empty() {
            Some(l.from.clone())
        } else {
            let decoded = percent_decode_str(path_part).decode_utf8_lossy().to_string();
            let joined = if let Some(abs) = decoded.strip_prefix('/') {
                abs.to_string()
            } else {
                let dir = l.from.rsplit_once('/').map_or("", |(d, _)| d);
                format!("{dir}/{decoded}")
            };
            normalize(&joined).map(|p| {
                if p.is_empty() || joined.ends_with('/') {
                    format!("{p}/index.html").trim_start_matches('/').to_string()
                } else {
                    p
                }
            })
        };
        let problem = match &target {
            None => Some(format!("链接指向网站之外的上级目录：「{}」", l.dest)),
            Some(t) if !files.contains(t) => Some(format!("链接指向的页面或文件不存在：「{}」", l.dest)),
            Some(t) => fragment
                .filter(|f| !f.is_empty())
                .map(|f| percent_decode_str(f).decode_utf8_lossy().to_string())
                .filter(|f| !ids.get(t.as_str()).is_some_and(|set| set.contains(f)))
                .map(|f| format!("链接指向的页面上没有「#{f}」这个位置：「{}」", l.dest)),
        };
        if let Some(message) = problem {
            let mut f = Finding::builtin(Kind::BrokenLink, Severity::Error, &l.file, Some(crate::yaml::Pos::new(l.line, 1)), message)
                .with_help("链接到本单位的其他内容，可以直接写文件路径，例如 ../fees.yaml 或 ../attachments/申请表.md；页内位置写 #标题文字");
            f.unit = Some(l.unit.clone());
            out.push(f);
        }
    }
    out
}

fn has_scheme(h: &str) -> bool {
    h.split_once(':')
        .is_some_and(|(s, _)| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
}
