//! What the search index takes from one rendered page: its title (the `<h1>`), its labels (the
//! headings, table captions and header cells of `<main>`: a fee item's name is a row header, a
//! notice's title its heading) and a short excerpt of the text under the title for the result
//! list. Read from the HTML the reader gets, so nothing that was withheld can be in the index.

/// One page as the search index sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Entry {
    /// Path in the site (`qingyuan-water/notices/2026-11-计划停水.html`).
    pub path: String,
    pub title: String,
    /// The text of the headings, captions and header cells, separated by spaces (what is indexed).
    pub labels: String,
    /// The first words of the page's text after its title (shown, not indexed).
    pub excerpt: String,
}

/// How many characters of text the excerpt keeps.
const EXCERPT_CHARS: usize = 60;

/// Elements whose text is indexed.
const LABELS: &[&str] = &["h1", "h2", "h3", "caption", "th"];
/// Elements whose text is neither indexed nor shown (the unit navigation repeats on every page).
const SKIP: &[&str] = &["nav", "script", "style", "svg", "figure"];

/// The entry of the page at `path`, or `None` when it has no `<main>` or no `<h1>`.
pub(crate) fn entry(path: &str, html: &str) -> Option<Entry> {
    use memchr::{memchr, memmem};
    let start = memmem::find(html.as_bytes(), b"<main")?;
    let end = memmem::find(&html.as_bytes()[start..], b"</main>").map_or(html.len(), |e| start + e);
    let main = &html[start..end];
    let mut e = Entry { path: path.to_string(), ..Entry::default() };
    let (mut label, mut skip, mut in_h1) = (0usize, 0usize, false);
    let mut excerpt_chars = 0;
    let mut rest = main;
    while !rest.is_empty() {
        let (text, after) = match memchr(b'<', rest.as_bytes()) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        if !text.is_empty() && skip == 0 {
            let text = html_escape::decode_html_entities(text);
            if in_h1 {
                e.title.push_str(&text);
            }
            if label > 0 {
                e.labels.push_str(&text);
            } else if !e.title.is_empty() && !in_h1 && excerpt_chars < EXCERPT_CHARS {
                for word in text.split_whitespace() {
                    if excerpt_chars >= EXCERPT_CHARS {
                        break;
                    }
                    if !e.excerpt.is_empty() && !e.excerpt.ends_with(' ') {
                        e.excerpt.push(' ');
                    }
                    let take: String = word.chars().take(EXCERPT_CHARS - excerpt_chars).collect();
                    excerpt_chars += take.chars().count();
                    e.excerpt.push_str(&take);
                }
            }
        }
        if after.is_empty() {
            break;
        }
        let close = memchr(b'>', after.as_bytes()).map_or(after.len(), |i| i + 1);
        let tag = &after[1..close.max(1)];
        rest = &after[close..];
        let closing = tag.starts_with('/');
        let bare = tag.trim_start_matches('/');
        let name = &bare[..bare.bytes().take_while(u8::is_ascii_alphanumeric).count()];
        let among = |names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(name));
        let opens = |n: &mut usize| {
            if closing {
                *n = n.saturating_sub(1);
            } else if !tag.ends_with("/>") {
                *n += 1;
            }
        };
        if among(SKIP) {
            opens(&mut skip);
        } else if among(LABELS) {
            opens(&mut label);
            e.labels.push(' ');
            if name.eq_ignore_ascii_case("h1") && skip == 0 {
                in_h1 = !closing && e.title.is_empty();
            }
        } else if !closing && label == 0 && !e.excerpt.is_empty() && !e.excerpt.ends_with(' ') {
            // a new element starts a new word in the excerpt (`<td>a</td><td>b</td>`)
            e.excerpt.push(' ');
        }
    }
    e.title = e.title.split_whitespace().collect::<Vec<_>>().join(" ");
    e.labels = e.labels.split_whitespace().collect::<Vec<_>>().join(" ");
    e.excerpt = e.excerpt.trim_end().to_string();
    (!e.title.is_empty()).then_some(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "<html><body><nav>首页</nav><main id=\"main\"><nav><a>收费项目</a></nav>\
        <h1>收费项目 &amp; 标准</h1><p>本单位  执行\n政府定价。</p><table><caption>水费</caption>\
        <tr><th scope=\"row\">居民生活用水</th><td>2.85</td><td>元/立方米</td></tr></table>\
        <script>var x = '停水';</script></main><footer>页脚</footer></body></html>";

    #[test]
    fn title_labels_and_excerpt_come_from_main_only() {
        let e = entry("u/fees.html", PAGE).unwrap();
        assert_eq!(e.title, "收费项目 & 标准");
        assert_eq!(e.labels, "收费项目 & 标准 水费 居民生活用水");
        assert_eq!(e.excerpt, "本单位 执行 政府定价。 2.85 元/立方米");
        assert!(!e.labels.contains("停水") && !e.excerpt.contains("页脚"));
    }

    #[test]
    fn the_excerpt_is_cut_and_a_page_without_a_title_is_left_out() {
        let long = format!("<main><h1>通知</h1><p>{}</p></main>", "停".repeat(100));
        assert_eq!(entry("a.html", &long).unwrap().excerpt.chars().count(), EXCERPT_CHARS);
        assert_eq!(entry("a.html", "<main><p>无标题</p></main>"), None);
        assert_eq!(entry("a.html", "<p>no main</p>"), None);
        assert_eq!(
            entry("a.html", "<main><h1>未闭合"),
            Some(Entry {
                path: "a.html".into(),
                title: "未闭合".into(),
                labels: "未闭合".into(),
                excerpt: String::new()
            })
        );
    }
}
