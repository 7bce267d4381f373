//! What the reader will see: the text the 第六条 scan runs over. A YAML value or plain text is
//! normalised (HTML character references decoded, simple tags removed, NFKC, invisible characters
//! dropped); a Markdown body is first reduced to its rendered text with pulldown-cmark (emphasis and
//! inline HTML removed so that split numbers rejoin, blocks kept apart), then normalised the same
//! way. Every character of the result keeps the byte offset of the source character it came from,
//! so that a hit is reported at its line and column in the file. Sits below `load`: it never
//! imports `render`, it parses Markdown with the same options.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Normalised text with a map back to the source.
#[derive(Debug, Default)]
pub struct Reader {
    /// The normalised text that is scanned.
    pub text: String,
    /// (output byte, source byte) at each place where the mapping stops running in step.
    segments: Vec<(usize, usize)>,
    /// Link targets and HTML attribute values: published, but not part of the running text.
    hidden: Vec<(String, usize)>,
}

impl Reader {
    /// Plain text (a YAML value, a file name, an extracted attachment): decode character
    /// references and drop tags, then normalise.
    pub fn plain(text: &str) -> Reader {
        let mut r = Reader { text: String::with_capacity(text.len()), ..Reader::default() };
        r.push_html(text, 0, true);
        r.finish_hidden();
        r
    }

    /// The rendered text of a Markdown body, as pulldown-cmark reads it (the options of
    /// `render::markdown`), followed by its link targets and HTML attributes on lines of their own.
    pub fn markdown(text: &str) -> Reader {
        let options = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
        let mut r = Reader { text: String::with_capacity(text.len()), ..Reader::default() };
        for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
            let src = text.get(range.clone()).unwrap_or_default();
            match event {
                Event::Text(t) | Event::Code(t) => r.push_aligned(&t, src, range.start),
                Event::InlineHtml(h) | Event::Html(h) => r.push_aligned_html(&h, src, range.start),
                // a line break inside a paragraph is one '\n'; blocks are kept apart by two or more
                Event::SoftBreak | Event::HardBreak => r.push_char('\n', range.start),
                Event::Rule => r.push_str("\n\n", range.start),
                Event::Start(Tag::Link { dest_url, title, .. } | Tag::Image { dest_url, title, .. }) => {
                    for t in [dest_url, title].into_iter().filter(|t| !t.is_empty()) {
                        let at = src.find(&*t).map_or(range.start, |i| range.start + i);
                        r.hidden.push((t.to_string(), at));
                    }
                }
                Event::Start(tag) if is_block(&tag) => r.push_str("\n\n", range.start),
                Event::End(tag) if is_block_end(tag) => r.push_str("\n\n", range.end.saturating_sub(1)),
                _ => {}
            }
        }
        r.finish_hidden();
        r
    }

    /// The source byte of output byte `at`.
    pub fn source_of(&self, at: usize) -> usize {
        let i = self.segments.partition_point(|&(out, _)| out <= at);
        match i.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(&(out, src)) => src + (at - out),
            None => at,
        }
    }

    /// The source range of output range `r`, rounded out to character boundaries of `source`.
    pub fn source_range(&self, r: Range<usize>, source: &str) -> Range<usize> {
        let start = floor_boundary(source, self.source_of(r.start));
        let last = r.end.saturating_sub(1).max(r.start);
        let end = ceil_boundary(source, self.source_of(last) + 1).max(start);
        start..end
    }

    /// Text that maps one to one onto `src..`, normalised.
    fn push_str(&mut self, s: &str, src: usize) {
        let mut run = 0;
        for (i, c) in s.char_indices() {
            if !is_stable(c) {
                self.push_same(&s[run..i], src + run);
                self.push_char(c, src + i);
                run = i + c.len_utf8();
            }
        }
        self.push_same(&s[run..], src + run);
    }

    /// Text that is already normalised and maps byte for byte.
    fn push_same(&mut self, s: &str, src: usize) {
        if s.is_empty() {
            return;
        }
        let out = self.text.len();
        let in_step = self.segments.last().is_some_and(|&(o, s0)| s0 + (out - o) == src);
        if !in_step {
            self.segments.push((out, src));
        }
        self.text.push_str(s);
    }

    /// One character from source byte `src`: dropped when invisible, NFKC-folded otherwise.
    fn push_char(&mut self, c: char, src: usize) {
        if is_invisible(c) {
            return;
        }
        // full-width ASCII (`１`, `，`, `：`) and the ideographic space: the common cases, directly
        let folded = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
            '\u{3000}' => Some(' '),
            c if is_stable(c) || is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes => Some(c),
            _ => None,
        };
        if let Some(c) = folded {
            let mut buf = [0; 4];
            self.push_one(c.encode_utf8(&mut buf), src);
            return;
        }
        for d in std::iter::once(c).nfkc().filter(|d| !is_invisible(*d)) {
            let mut buf = [0; 4];
            self.push_one(d.encode_utf8(&mut buf), src);
        }
    }

    fn push_one(&mut self, s: &str, src: usize) {
        self.segments.push((self.text.len(), src));
        self.text.push_str(s);
    }

    /// Text with character references and tags (raw HTML, or plain text that may hold some):
    /// references decoded, tags removed (block tags leave a line break; attributes go to `hidden`).
    fn push_html(&mut self, s: &str, src: usize, keep_attrs: bool) {
        let mut run = 0;
        let mut i = 0;
        while let Some(off) = s[i..].find(['&', '<']) {
            let at = i + off;
            let rest = &s[at..];
            if rest.starts_with('&') {
                if let Some((len, decoded)) = reference(rest) {
                    self.push_str(&s[run..at], src + run);
                    for c in decoded.chars() {
                        self.push_char(c, src + at);
                    }
                    i = at + len;
                    run = i;
                    continue;
                }
            } else if let Some((len, block, attrs)) = tag(rest) {
                self.push_str(&s[run..at], src + run);
                if block {
                    self.push_char('\n', src + at);
                }
                if keep_attrs && !attrs.is_empty() {
                    let a = attrs.as_ptr() as usize - rest.as_ptr() as usize;
                    self.hidden.push((attrs.to_string(), src + at + a));
                }
                i = at + len;
                run = i;
                continue;
            }
            i = at + 1;
        }
        self.push_str(&s[run..], src + run);
    }

    /// A parser's text `out` whose source is `src` (at byte `base`): usually the same text; when
    /// not (escapes, references, code-span padding), each character is matched to its source.
    fn push_aligned(&mut self, out: &str, src: &str, base: usize) {
        if out == src {
            return self.push_str(out, base);
        }
        let mut k = 0;
        for c in out.chars() {
            let rest = src.get(k..).unwrap_or_default();
            let at = if let Some((len, d)) = rest.starts_with('&').then(|| reference(rest)).flatten()
                && d.starts_with(c)
            {
                let at = k;
                k += len;
                at
            } else if rest.starts_with('\\') && rest[1..].starts_with(c) {
                k += 1 + c.len_utf8();
                k - c.len_utf8()
            } else if let Some(i) = rest.char_indices().take(8).find(|&(_, d)| d == c).map(|(i, _)| i) {
                k += i + c.len_utf8();
                k - c.len_utf8()
            } else {
                k
            };
            self.push_char(c, base + at);
        }
    }

    /// Raw HTML as the parser gives it: the same text as its source, except inside containers.
    fn push_aligned_html(&mut self, html: &str, src: &str, base: usize) {
        match src.find(html) {
            Some(i) => self.push_html(html, base + i, true),
            None => self.push_html(html, base, true),
        }
    }

    /// Append the hidden texts, each on a line of its own, after the running text.
    fn finish_hidden(&mut self) {
        for (text, at) in std::mem::take(&mut self.hidden) {
            self.push_char('\n', at);
            self.push_html(&text, at, false);
        }
    }
}

/// A character reference at the start of `s` (`&#49;`, `&#x31;`, `&nbsp;`): its length and text.
fn reference(s: &str) -> Option<(usize, String)> {
    let end = s.bytes().take(40).position(|b| b == b';')?;
    let candidate = &s[..=end];
    if !candidate[1..end].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'#') {
        return None;
    }
    let decoded = html_escape::decode_html_entities(candidate);
    (decoded != candidate).then(|| (end + 1, decoded.into_owned()))
}

/// A tag or comment at the start of `s`: its length, whether it breaks the line (a block tag or
/// `<br>`), and its attributes (a comment's text).
fn tag(s: &str) -> Option<(usize, bool, &str)> {
    if let Some(body) = s.strip_prefix("<!--") {
        // what a comment holds is returned like attributes: not on a rendered page, but
        // published wherever the text is shown as written (open data, an escaped YAML value)
        return body.find("-->").map(|i| (4 + i + 3, false, &body[..i]));
    }
    let b = s.as_bytes();
    let name_start = if b.get(1) == Some(&b'/') { 2 } else { 1 };
    if !b.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let end = 1 + s.bytes().skip(1).take(2000).position(|c| matches!(c, b'>' | b'<' | b'\n'))?;
    if b[end] != b'>' {
        return None;
    }
    let inner = &s[name_start..end];
    let name_len =
        inner.bytes().position(|c| !(c.is_ascii_alphanumeric() || c == b':' || c == b'-')).unwrap_or(inner.len());
    let name = inner[..name_len].to_ascii_lowercase();
    const BLOCK: &[&str] = &[
        "address",
        "article",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ];
    let attrs = inner[name_len..].trim_matches(|c: char| c.is_whitespace() || c == '/');
    Some((end + 1, BLOCK.contains(&name.as_str()), attrs))
}

fn is_block(tag: &Tag<'_>) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Link { .. }
            | Tag::Image { .. }
            | Tag::Superscript
            | Tag::Subscript
    )
}

fn is_block_end(tag: TagEnd) -> bool {
    !matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::Superscript
            | TagEnd::Subscript
    )
}

/// Characters NFKC leaves alone and that are not invisible: the fast path (ASCII, common CJK).
fn is_stable(c: char) -> bool {
    matches!(c, '\0'..='\u{7F}' | '\u{4E00}'..='\u{9FFF}' | '\u{3001}'..='\u{3011}' | '\u{2018}'..='\u{201F}'
        | '\u{2014}' | '\u{B7}' | '\u{2605}' | '\u{2606}')
}

/// Characters that take no room on screen and can hide inside a number or a word.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}' | '\u{E0000}'..='\u{E0FFF}')
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_paths_agree_with_nfkc() {
        let stable = (0..=0x10FFFF).filter_map(char::from_u32).filter(|&c| is_stable(c));
        for c in stable {
            assert_eq!(std::iter::once(c).nfkc().collect::<String>(), c.to_string(), "U+{:04X}", c as u32);
        }
        for c in ('\u{FF01}'..='\u{FF5E}').chain(['\u{3000}']) {
            let mut r = Reader::default();
            r.push_char(c, 0);
            assert_eq!(r.text, std::iter::once(c).nfkc().collect::<String>(), "U+{:04X}", c as u32);
        }
    }
}
