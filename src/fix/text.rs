//! The mechanical repairs of `gongkai fix`, as pure functions of a file's bytes or text.
//!
//! Part of `fix`. Each repair changes how a file is written, never what it says: the encoding
//! (GBK/GB18030, UTF-16 → UTF-8, the BOM removed), a full-width colon `：` after a key the
//! content model knows (never one inside a value), tabs in a line's leading indentation (never
//! inside a block of text). A candidate that would change what the file means is left alone.

/// A file's text as UTF-8, and what had to change to get it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Decoded {
    /// The text.
    pub text: String,
    /// What changed, in Chinese (`None`: the bytes were UTF-8 already).
    pub note: Option<&'static str>,
}

/// Read `bytes` as text: UTF-8 (a BOM removed), UTF-16 with its BOM, else GB18030 (of which
/// GBK is a part: what Notepad and WPS save on a Chinese Windows). `Err` says why it is not
/// text gongkai can convert safely.
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, &'static str> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let rest = &bytes[bom..];
        let text = encoding.decode_without_bom_handling_and_without_replacement(rest).ok_or(
            if encoding == encoding_rs::UTF_8 {
                "文件开头有 UTF-8 的 BOM，但后面不是 UTF-8 编码的文字"
            } else {
                "文件开头标明是 UTF-16 编码，但内容不是有效的 UTF-16"
            },
        )?;
        let note = if encoding == encoding_rs::UTF_8 {
            "去掉文件开头的 BOM（字节顺序标记）"
        } else {
            "UTF-16 编码 → UTF-8"
        };
        return text_only(text.into_owned(), note);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return if text.contains('\0') {
            Err("这是二进制文件，不是文字")
        } else {
            Ok(Decoded { text: text.to_string(), note: None })
        };
    }
    let text = encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or("文件既不是 UTF-8，也不是 GBK/GB18030 或带 BOM 的 UTF-16 编码，无法自动转换")?;
    text_only(text.into_owned(), "GBK/GB18030 编码 → UTF-8")
}

/// Converted text that holds control characters was not text in that encoding.
fn text_only(text: String, note: &'static str) -> Result<Decoded, &'static str> {
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err("转换后出现控制字符：这不是文字文件，或编码无法识别");
    }
    Ok(Decoded { text, note: Some(note) })
}

/// The lines of `text` (1-based numbers) that are YAML: all of a YAML file, the front matter of
/// a Markdown document (between its `---` lines). `None` when a Markdown file has none.
pub(crate) fn yaml_lines(text: &str, markdown: bool) -> std::ops::Range<usize> {
    let count = text.split_inclusive('\n').count();
    if !markdown {
        return 1..count + 1;
    }
    let mut lines = text.split_inclusive('\n').map(|l| l.trim_end_matches(['\n', '\r']));
    if lines.next().map(str::trim_end) != Some("---") {
        return 1..1;
    }
    let end = lines.position(|l| matches!(l.trim_end(), "---" | "...")).map_or(1, |i| i + 2);
    2..end
}

/// A line that opens a block of text (`说明: |`, `- >-`): the lines after it that are indented
/// deeper are its content, where tabs and colons are the text's own.
fn opens_block(line: &str) -> bool {
    let code = line.split(" #").next().unwrap_or(line).trim_end();
    // the indicators: `|` or `>`, then a chomping sign and an indentation digit in either order
    let head = code.trim_end_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit());
    let Some(head) = head.strip_suffix(['|', '>']) else { return false };
    let head = head.trim_end();
    head.ends_with(':') || head.ends_with('：') || head.ends_with('-') || head.is_empty()
}

/// The width of a line's leading indentation, a tab counting as [`TAB`] spaces.
fn indent(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').map(|c| if c == '\t' { TAB } else { 1 }).sum()
}

/// The spaces a tab of leading indentation becomes: two, the indentation gongkai's scaffolds use,
/// so that `\t- 名称: …` and `\t\t依据: …` line up as the clerk saw them.
pub(crate) const TAB: usize = 2;

/// One repair of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LineFix {
    /// 1-based line.
    pub line: usize,
    /// The line as it will be (without its line ending).
    pub new: String,
}

/// The repairs of the YAML lines `range` of `text`: leading tabs become spaces, and a full-width
/// colon after a key `is_key` accepts becomes `: `. Lines inside a block of text are left alone.
pub(crate) fn line_fixes(text: &str, range: std::ops::Range<usize>, is_key: &dyn Fn(&str) -> bool) -> Vec<LineFix> {
    let mut fixes = Vec::new();
    let mut block: Option<usize> = None;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let n = i + 1;
        if !range.contains(&n) {
            continue;
        }
        let line = raw.trim_end_matches(['\n', '\r']);
        if let Some(at) = block {
            if line.trim().is_empty() || indent(line) > at {
                continue;
            }
            block = None;
        }
        let mut new = untab(line);
        if let Some(fixed) = key_colon(&new, is_key) {
            new = fixed;
        }
        if opens_block(&new) {
            block = Some(indent(&new));
        }
        if new != line {
            fixes.push(LineFix { line: n, new });
        }
    }
    fixes
}

/// Leading tabs (among leading spaces) as spaces.
pub(crate) fn untab(line: &str) -> String {
    let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
    if !line[..lead].contains('\t') {
        return line.to_string();
    }
    let spaces: String = line[..lead].chars().map(|c| if c == '\t' { " ".repeat(TAB) } else { " ".into() }).collect();
    format!("{spaces}{}", &line[lead..])
}

/// `单位名称：白银市…` → `单位名称: 白银市…`, `- 项目名称：水费` → `- 项目名称: 水费`, when the
/// text before the first `：` is a key `is_key` accepts and the line has no key already.
fn key_colon(line: &str, is_key: &dyn Fn(&str) -> bool) -> Option<String> {
    let body = line.trim_start();
    let lead = &line[..line.len() - body.len()];
    let mut rest = body;
    let mut dashes = String::new();
    while let Some(r) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("-\t")) {
        dashes.push_str("- ");
        rest = r.trim_start();
    }
    let (key, value) = rest.split_once('：')?;
    let bad_start = key.starts_with(['#', '"', '\'', '{', '[', '|', '>', '&', '*', '!', '%', '@', '`']);
    if bad_start || key.contains([':', '#']) || !is_key(key.trim()) {
        return None;
    }
    let value = value.trim_start_matches([' ', '\u{3000}']);
    // a value YAML would read as a mapping of its own once the key is one: left for the clerk
    if value.contains(": ") || value.ends_with(':') {
        return None;
    }
    let sep = if value.is_empty() { "" } else { " " };
    Some(format!("{lead}{dashes}{}:{sep}{value}", key.trim_end()))
}

/// `text` with `fixes` applied (each line keeps its line ending).
pub(crate) fn apply(text: &str, fixes: &[LineFix]) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        match fixes.iter().find(|f| f.line == i + 1) {
            Some(f) => {
                let body = raw.trim_end_matches(['\n', '\r']);
                out.push_str(&f.new);
                out.push_str(&raw[body.len()..]);
            }
            None => out.push_str(raw),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(k: &str) -> bool {
        ["单位名称", "收费项目", "项目名称", "收费依据", "办公时间", "说明"].contains(&k)
    }

    fn fix(text: &str) -> String {
        apply(text, &line_fixes(text, yaml_lines(text, false), &keys))
    }

    #[test]
    fn encodings_become_utf8() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("单位名称: 白银市第一中学\n");
        let d = decode(&gbk).unwrap();
        assert_eq!((d.text.as_str(), d.note), ("单位名称: 白银市第一中学\n", Some("GBK/GB18030 编码 → UTF-8")));
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("名称: 甲\n".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&utf16).unwrap().text, "名称: 甲\n");
        let mut be = vec![0xFE, 0xFF];
        be.extend("名称: 甲\n".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be).unwrap().note, Some("UTF-16 编码 → UTF-8"));
        let bom = decode("\u{feff}名称: 甲\n".as_bytes()).unwrap();
        assert_eq!((bom.text.as_str(), bom.note.is_some()), ("名称: 甲\n", true));
        assert_eq!(decode("名称: 甲\n".as_bytes()).unwrap().note, None);
        assert!(decode(b"\xff\xfe\xfd").is_err() || decode(b"# a\n\xff\xfd bad\n").is_err());
        assert!(decode(b"# fees\n\xff\xfe\xfd bad bytes\n").is_err());
        assert!(decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").is_err());
    }

    #[test]
    fn a_full_width_colon_after_a_key_only() {
        assert_eq!(fix("单位名称：白银市第一中学\n"), "单位名称: 白银市第一中学\n");
        assert_eq!(fix("收费项目：\n  - 项目名称：水费\n"), "收费项目:\n  - 项目名称: 水费\n");
        // inside a value, after a key, or a word the model does not know: left alone
        for same in ["办公时间: 上午：8 点\n", "备注：见附件\n", "# 单位名称：注释\n", "\"单位名称：甲\"\n"]
        {
            assert_eq!(fix(same), same);
        }
        // a block of text keeps its colons and tabs
        let block = "说明: |\n  办公时间：周一\n\t缩进\n单位名称：甲\n";
        assert_eq!(fix(block), "说明: |\n  办公时间：周一\n\t缩进\n单位名称: 甲\n");
    }

    #[test]
    fn tabs_in_leading_indentation_only() {
        assert_eq!(
            fix("收费项目:\n\t- 项目名称: 水费\n\t  收费依据: 文\t件\n"),
            "收费项目:\n  - 项目名称: 水费\n    收费依据: 文\t件\n"
        );
        assert_eq!(fix("a:\r\n\tb: 1\r\n"), "a:\r\n  b: 1\r\n");
    }

    #[test]
    fn only_the_front_matter_of_markdown() {
        let md = "---\n单位名称：甲\n---\n\t代码\n单位名称：正文\n";
        assert_eq!(yaml_lines(md, true), 2..3);
        assert_eq!(
            apply(md, &line_fixes(md, yaml_lines(md, true), &keys)),
            "---\n单位名称: 甲\n---\n\t代码\n单位名称：正文\n"
        );
        assert_eq!(yaml_lines("正文\n", true), 1..1);
    }
}
