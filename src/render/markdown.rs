//! Markdown to safe HTML: pulldown-cmark with tables and footnotes, heading ids that keep Chinese
//! text, links recorded with their source line for checking, and ammonia cleaning the result so
//! pasted `<script>`, event handlers and `javascript:` URLs never reach a page.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// A link or image in a Markdown body, where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// As written.
    pub dest: String,
    /// As published (after rewriting a link to a source file into a link to its page).
    pub href: String,
    pub line: u32,
    pub image: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub html: String,
    pub links: Vec<Link>,
    /// Heading ids, in document order.
    pub anchors: Vec<String>,
}

/// Render `text`, whose first line is line `first_line` of its file. `rewrite` may replace a
/// link destination (e.g. a link to `../fees.yaml` becomes the fees page).
pub fn render(text: &str, first_line: u32, rewrite: &dyn Fn(&str) -> Option<String>) -> Rendered {
    let options = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let line_starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let line_of = |offset: usize| first_line + line_starts.partition_point(|&s| s <= offset) as u32 - 1;

    let mut events: Vec<Event<'_>> = Vec::new();
    let mut links = Vec::new();
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        let event = match event {
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let dest = dest_url.to_string();
                let dest_url = rewrite(&dest_url).map_or(dest_url, CowStr::from);
                links.push(Link { dest, href: dest_url.to_string(), line: line_of(range.start), image: false });
                Event::Start(Tag::Link { link_type, dest_url, title, id })
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let dest = dest_url.to_string();
                let dest_url = rewrite(&dest_url).map_or(dest_url, CowStr::from);
                links.push(Link { dest, href: dest_url.to_string(), line: line_of(range.start), image: true });
                Event::Start(Tag::Image { link_type, dest_url, title, id })
            }
            other => other,
        };
        events.push(event);
    }
    let anchors = assign_heading_ids(&mut events);
    let mut raw = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut raw, events.into_iter());
    Rendered { html: clean(&raw), links, anchors }
}

/// Give every heading an id made from its text (Chinese kept), unique within the document.
fn assign_heading_ids(events: &mut [Event<'_>]) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut anchors = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { .. }) = &events[i] {
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    text.push_str(t);
                }
                j += 1;
            }
            let id = unique(slug(&text), &mut seen);
            if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i] {
                match slot {
                    // an explicit {#id} is kept
                    Some(existing) => {
                        seen.insert(existing.to_string());
                        anchors.push(existing.to_string());
                    }
                    None => {
                        *slot = Some(CowStr::from(id.clone()));
                        anchors.push(id);
                    }
                }
            }
            i = j;
        }
        i += 1;
    }
    anchors
}

/// An id from heading text: letters and digits of any script kept, spaces become `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' {
            out.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-') && !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "section".to_string() } else { out }
}

fn unique(base: String, seen: &mut HashSet<String>) -> String {
    let mut id = base.clone();
    let mut n = 1;
    while !seen.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Remove everything executable from rendered HTML, and anything that would load from outside.
pub fn clean(html: &str) -> String {
    static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
        let mut b = ammonia::Builder::default();
        b.add_tag_attributes("h1", ["id"])
            .add_tag_attributes("h2", ["id"])
            .add_tag_attributes("h3", ["id"])
            .add_tag_attributes("h4", ["id"])
            .add_tag_attributes("h5", ["id"])
            .add_tag_attributes("h6", ["id"])
            .add_tag_attributes("div", ["id", "class"])
            .add_tag_attributes("sup", ["class"])
            .add_tag_attributes("li", ["id"])
            .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
            .attribute_filter(|element, attribute, value| {
                // images only from the site itself: no tracking pixels, nothing from outside
                if element == "img" && attribute == "src" && (value.contains(':') || value.starts_with("//")) {
                    return None;
                }
                Some(value.into())
            });
        b
    });
    CLEANER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(text: &str) -> Rendered {
        render(text, 1, &|_| None)
    }

    #[test]
    fn headings_get_ids_that_keep_chinese() {
        let r = md("## 报到时间\n\n## Notes on 收费 2026\n\n## 报到时间\n");
        assert_eq!(r.anchors, ["报到时间", "notes-on-收费-2026", "报到时间-1"]);
        assert!(r.html.contains("<h2 id=\"报到时间\">报到时间</h2>"), "{}", r.html);
    }

    #[test]
    fn tables_and_footnotes() {
        let r = md("| 时段 | 时间 |\n|---|---|\n| 上午 | 8:00 |\n\n见注释[^1]\n\n[^1]: 法定节假日除外\n");
        assert!(r.html.contains("<table>") && r.html.contains("<th>时段</th>"), "{}", r.html);
        assert!(r.html.contains("footnote-definition"), "{}", r.html);
    }

    #[test]
    fn links_are_recorded_with_their_line() {
        let r = render("第一行\n\n见[收费](../fees.yaml)和![图](a.png)\n", 5, &|d| {
            (d == "../fees.yaml").then(|| "../fees.html".into())
        });
        assert_eq!(
            r.links,
            [
                Link { dest: "../fees.yaml".into(), href: "../fees.html".into(), line: 7, image: false },
                Link { dest: "a.png".into(), href: "a.png".into(), line: 7, image: true }
            ]
        );
        assert!(r.html.contains("href=\"../fees.html\""), "{}", r.html);
    }

    #[test]
    fn executable_content_is_removed() {
        let evil = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[点我](javascript:alert(1))\n\n\
                    <a href=\"data:text/html,<script>alert(1)</script>\">x</a>\n\n<svg onload=alert(1)></svg>\n\n\
                    <a href=\"&#106;avascript:alert(1)\">y</a>\n\n<iframe src=\"https://evil.example\"></iframe>\n\n\
                    ![](https://tracker.example/p.gif)\n";
        let r = md(evil);
        for bad in ["<script", "onerror", "javascript:", "data:", "onload", "<iframe", "<svg", "tracker.example"] {
            assert!(!r.html.to_lowercase().contains(bad), "{bad} in {}", r.html);
        }
    }
}
