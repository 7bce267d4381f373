//! Where things are published: page paths in the site, relative links between pages, absolute
//! addresses for feeds and QR codes.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

use crate::model::{Site, Unit};

/// Paths inside a unit folder and in the site, for one unit.
pub(super) struct UnitPaths<'a> {
    pub(super) unit: &'a Unit,
}

impl UnitPaths<'_> {
    pub(super) fn page(&self, name: &str) -> String {
        format!("{}/{name}", self.unit.slug)
    }

    /// The site path a unit-relative source file is published at, if it is published.
    pub(super) fn published(&self, rel: &str, site: &Site) -> Option<String> {
        if let Some(spec) = site.schema.doc_for_path(rel).filter(|s| !s.data) {
            return Some(if spec.is_collection() {
                let stem = rel.rsplit('/').next()?.rsplit_once('.')?.0;
                self.page(&format!("{}{stem}.html", spec.file))
            } else {
                self.page(&format!("{}.html", page_name(&spec.kind)))
            });
        }
        if self.unit.has_attachment(rel) {
            return Some(self.page(&attachment_path(rel)));
        }
        None
    }
}

/// The page name of a single-file document kind (`unit` is the unit's front page).
pub(super) fn page_name(kind: &str) -> &str {
    if kind == "unit" { "index" } else { kind }
}

/// Markdown attachments become HTML pages; other attachments are copied as they are.
pub(super) fn attachment_path(rel: &str) -> String {
    match rel.strip_suffix(".md") {
        Some(stem) => format!("{stem}.html"),
        None => rel.to_string(),
    }
}

/// For absolute addresses (QR codes, feeds, sitemap): everything but unreserved ASCII and `/`.
const URL_PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'[')
    .add(b']');

/// The absolute address of a site path under `base` (which ends with `/`).
pub(super) fn absolute(base: &str, path: &str) -> String {
    format!("{base}{}", utf8_percent_encode(path, URL_PATH))
}

/// Escape what cannot stand in a URL path; Chinese and other non-ASCII text stays readable (a
/// valid URL in HTML, and what a clerk sees in the address bar).
pub(super) fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    push_encoded(&mut out, path);
    out
}

/// [`encode_path`] into `out`. What is escaped is ASCII, so the text is copied in runs between
/// those bytes (a page has dozens of links: this is on every page's path).
fn push_encoded(out: &mut String, path: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut from = 0;
    for (i, &b) in path.as_bytes().iter().enumerate() {
        if b.is_ascii_control() || b" \"#%<>?`{}\\^|[]".contains(&b) {
            out.push_str(&path[from..i]);
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
            from = i + 1;
        }
    }
    out.push_str(&path[from..]);
}

/// A link from page `from` to site path `to`, relative, with unsafe characters escaped.
pub(crate) fn href(from: &str, to: &str) -> String {
    // the folders of both, compared a whole name at a time (split_terminator keeps empty names
    // between two slashes, as the paths have them)
    let mut from_dirs = from.rfind('/').map_or("", |i| &from[..=i]).split_terminator('/');
    let mut to_dirs = to.rfind('/').map_or("", |i| &to[..=i]).split_terminator('/');
    let (mut common, mut up) = (0, 0);
    loop {
        match (from_dirs.next(), to_dirs.next()) {
            (Some(a), Some(b)) if a == b => common += b.len() + 1,
            (Some(_), _) => {
                up = 1 + from_dirs.count();
                break;
            }
            (None, _) => break,
        }
    }
    let rest = &to[common..];
    let mut s = String::with_capacity(3 * up + rest.len() + 8);
    for _ in 0..up {
        s.push_str("../");
    }
    push_encoded(&mut s, rest);
    s
}

/// Resolve `.` and `..` in a `/`-separated path; `None` if it climbs above the root.
pub(super) fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links() {
        assert_eq!(href("index.html", "a/fees.html"), "a/fees.html");
        assert_eq!(href("a/services/x.html", "a/fees.html"), "../fees.html");
        assert_eq!(href("a/index.html", "a/services/病案 复印#1.html"), "services/病案%20复印%231.html");
        assert_eq!(href("a/index.html", "b/index.html"), "../b/index.html");
        assert_eq!(href("a/index.html", "a/index.html"), "index.html");
        assert_eq!(href("404.html", "static/style.css"), "static/style.css");
    }

    /// What `href` was, written the plain way: the faster one must give the same links.
    fn href_oracle(from: &str, to: &str) -> String {
        let from_dirs: Vec<&str> = from.split('/').collect();
        let from_dirs = &from_dirs[..from_dirs.len() - 1];
        let to_parts: Vec<&str> = to.split('/').collect();
        let common = from_dirs.iter().zip(&to_parts[..to_parts.len() - 1]).take_while(|(a, b)| a == b).count();
        let mut s = "../".repeat(from_dirs.len() - common);
        for c in to_parts[common..].join("/").chars() {
            if c.is_ascii_control() || " \"#%<>?`{}\\^|[]".contains(c) {
                s.push_str(&format!("%{:02X}", c as u32));
            } else {
                s.push(c);
            }
        }
        s
    }

    #[test]
    fn links_as_the_plain_way_gives_them() {
        let paths = [
            "",
            "index.html",
            "a/",
            "a/index.html",
            "a/fees.html",
            "a/b/c.html",
            "a/b/",
            "b/index.html",
            "a//x.html",
            "/a/x.html",
            "a/services/病案 复印#1.html",
            "a/b/c/d.html",
            "ab/c.html",
            "a/b\u{7f}[x]{y}|^`%.html",
            "static/style.css",
            "通知/二〇二六/停水?.html",
            "a/b/../c.html",
        ];
        for from in paths {
            for to in paths {
                assert_eq!(href(from, to), href_oracle(from, to), "href({from:?}, {to:?})");
            }
        }
    }

    #[test]
    fn normalizing_paths() {
        assert_eq!(normalize("notices/../fees.yaml").as_deref(), Some("fees.yaml"));
        assert_eq!(normalize("./a//b/./c").as_deref(), Some("a/b/c"));
        assert_eq!(normalize("../x"), None);
    }
}
