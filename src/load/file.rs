//! One content file: reading it (size limit, encodings, binary data), splitting Markdown front
//! matter, parsing and normalising its YAML, keeping the YAML as written for the 第六条 review
//! (`check` scans it). Problems become findings with their exact position; nothing here panics on
//! input.

use std::fs;
use std::path::Path;

use super::MAX_FILE_BYTES;
use crate::finding::{Finding, Kind, Severity};
use crate::model::{Body, Doc, Source, Unit};
use crate::schema::{self, Ctx, DocSpec, Schema};
use crate::yaml::{self, Pos};

/// Read, decode, parse and normalise one content file.
pub(super) fn load_doc(path: &Path, site_path: &str, spec: &DocSpec, schema: &Schema) -> (Doc, Vec<Finding>) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s).to_string();
    let doc = Doc { kind: spec.kind.clone(), path: site_path.to_string(), stem, data: None, body: None, source: None };
    match read_text(path, site_path) {
        Ok(text) => parse_doc(doc, &text, spec, schema),
        Err(f) => (doc, vec![*f]),
    }
}

/// Parse the text of a content file into `doc`: front matter, YAML, normalisation, and the YAML
/// as written.
fn parse_doc(mut doc: Doc, text: &str, spec: &DocSpec, schema: &Schema) -> (Doc, Vec<Finding>) {
    let site_path = doc.path.clone();
    let site_path = site_path.as_str();
    let mut out = Vec::new();
    let (yaml_src, line_offset) = if spec.has_pages() {
        match split_front_matter(text) {
            Ok((front, offset, body, body_line)) => {
                doc.body = Some(Body { text: body.to_string(), line: body_line });
                (front, offset)
            }
            Err((message, help)) => {
                let f =
                    Finding::builtin(Kind::Syntax, Severity::Error, site_path, Some(Pos::new(1, 1)), message.into());
                return (doc, vec![f.with_help(help)]);
            }
        }
    } else {
        (text, 0)
    };
    let empty = || {
        Finding::builtin(Kind::Empty, Severity::Error, site_path, Some(Pos::new(1, 1)), "文件是空的".into())
            .with_title(spec.title.clone())
            .with_help(format!("填写{}（{}），或删除这个文件后运行 gongkai init 重新生成模板", spec.title, spec.clause))
    };
    if !spec.has_pages() && yaml_src.trim().is_empty() {
        return (doc, vec![empty()]);
    }
    match yaml::parse(yaml_src) {
        // a file of nothing but comments is as empty as an empty one
        Ok(node) if !spec.has_pages() && matches!(node.value, yaml::Value::Null) => return (doc, vec![empty()]),
        Ok(mut node) => {
            node.shift(line_offset);
            schema::normalize_doc(&mut node, &Ctx { file: site_path, schema, doc: spec }, &mut out);
            if let Some(body) = &doc.body {
                out.extend(super::paste::tab_tables(&body.text, body.line, site_path));
            }
            let mut source = Source { yaml: yaml_src.to_string(), line_offset, stray: None };
            if node.as_map().is_some() || matches!(node.value, yaml::Value::Null) {
                doc.data = Some(node);
            } else {
                source.stray = Some(node);
            }
            doc.source = Some(source);
        }
        Err(e) => out.push(syntax_finding(site_path, &e, line_offset, yaml_src)),
    }
    (doc, out)
}

fn syntax_finding(site_path: &str, e: &yaml::SyntaxError, line_offset: u32, src: &str) -> Finding {
    let (pos, message, help) = explain_yaml_error(&e.message, src, e.pos);
    Finding::builtin(Kind::Syntax, Severity::Error, site_path, pos.map(|p| p.down(line_offset)), message)
        .with_help(help)
        .with_detail(e.message.clone())
}

/// Turn the parser's English into something a clerk can act on, at the line where the mistake
/// is (a full-width colon or space is often one line above where the parser gives up). The
/// parser's own words go to the finding's `detail`, not into the message.
fn explain_yaml_error(raw: &str, src: &str, pos: Option<Pos>) -> (Option<Pos>, String, String) {
    let at = |line: usize| src.lines().nth(line.saturating_sub(1)).unwrap_or("");
    let err_line = pos.map_or(0, |p| p.line as usize);
    let line_text = at(err_line);
    let lower = raw.to_lowercase();
    // the line the parser stopped at, then the content line above it
    let near = || {
        let above = (1..err_line).rev().find(|&l| !at(l).trim().is_empty() && !at(l).trim_start().starts_with('#'));
        [Some(err_line).filter(|&l| l > 0), above].into_iter().flatten()
    };
    if let Some((line, col)) = near().find_map(|l| full_width_indent(at(l)).map(|c| (l, c))) {
        return (
            Some(Pos::new(line as u32, col)),
            "这一行用全角空格缩进了".into(),
            "YAML 只能用半角空格缩进：删掉行首的全角空格（中文输入法全角状态下打出的空格），改用半角空格".into(),
        );
    }
    let structural = lower.contains("mapping values are not allowed")
        || lower.contains("did not find expected")
        || lower.contains("simple key")
        || lower.contains("indent");
    if structural && let Some((line, col)) = near().find_map(|l| full_width_colon_key(at(l)).map(|c| (l, c))) {
        return (
            Some(Pos::new(line as u32, col)),
            "字段名后面的冒号用成了中文全角「：」".into(),
            "字段名后面的冒号要用英文半角「:」，并在后面加一个空格，例如「收费项目:」；或运行 gongkai fix --write 自动修正".into(),
        );
    }
    if let Some(n) = long_key(line_text).filter(|_| lower.contains("simple key")) {
        return (
            pos,
            format!("冒号前的文字太长（{n} 个字），YAML 不把它当作字段名"),
            "字段名要简短，例如「备注」；长段文字写在「备注: 」的后面，或用「|」开头的多行文字".into(),
        );
    }
    if lower.contains("multiple yaml documents") {
        let sep = (1..=err_line.max(1)).rev().find(|&l| at(l).trim_end() == "---").map(|l| Pos::new(l as u32, 1));
        return (
            sep.or(pos),
            "一个文件里只能有一份内容，这一行的 --- 把文件分成了两份".into(),
            "删掉这一行的 ---；--- 只用在 Markdown 文件开头信息区的上下两行".into(),
        );
    }
    let (what, help): (String, &str) = if lower.contains("duplicate") {
        ("同一个字段写了两次".into(), "删掉重复的一处，只保留一个")
    } else if lower.contains("tab") {
        ("用了 Tab 键缩进".into(), "YAML 只能用空格缩进，把 Tab 换成两个空格；或运行 gongkai fix --write 自动修正")
    } else if lower.contains("unclosed quote")
        || lower.contains("while scanning a quoted scalar")
        || lower.contains("found unexpected end of stream") && line_text.contains('"')
    {
        ("引号没有配对".into(), "检查这一行的引号，开头和结尾各一个；内容里有引号时改用中文引号「」")
    } else if lower.contains("budget") || lower.contains("depth") || lower.contains("alias") || lower.contains("replay")
    {
        ("文件嵌套太深或引用（&、*）展开太多".into(), "不要使用 YAML 的 & 和 * 引用；检查缩进是否过深")
    } else if line_text.contains('：') && !line_text.contains(": ") {
        (
            "冒号用成了中文全角「：」".into(),
            "字段名后面的冒号要用英文半角「:」，并在后面加一个空格；或运行 gongkai fix --write 自动修正",
        )
    } else if lower.contains("non-finite") {
        let value = line_text.split_once(':').map_or(line_text, |(_, v)| v).trim();
        (
            format!("「{value}」在 YAML 里是表示无穷大或“不是数”的特殊值，不能当作内容"),
            "给它加上引号（例如 \".inf\"），或改写成文字",
        )
    } else if lower.contains("bracket") || unbalanced_brackets(src, pos) {
        (
            "方括号或花括号没有配对".into(),
            "「[」要有对应的「]」，「{」要有对应的「}」；内容里有括号时给整段加引号，或改用中文括号",
        )
    } else if structural {
        (
            "缩进不对".into(),
            "同一层的字段要左对齐；列表项「- 」下面的字段要和第一个字段对齐；内容里有「: 」时给整段加引号",
        )
    } else if lower.contains("invalid leading utf-8 octet") || lower.contains("control character") {
        ("含有无法识别的字符".into(), "删掉这一行里看不见的特殊字符后重新输入")
    } else {
        ("YAML 格式错误".into(), "检查这一行的缩进、冒号（英文「: 」）和引号")
    };
    (pos, what, help.to_string())
}

/// The column (1-based) of a full-width space (U+3000) in a line's indentation.
fn full_width_indent(line: &str) -> Option<u32> {
    let indent: Vec<char> = line.chars().take_while(|c| c.is_whitespace()).collect();
    indent.iter().position(|&c| c == '\u{3000}').map(|i| i as u32 + 1)
}

/// The column (1-based) of the full-width colon in a line that is a key written with one
/// (`收费项目：` or `- 项目名称：水费`) and has no ASCII key colon.
fn full_width_colon_key(line: &str) -> Option<u32> {
    let body = line.trim_start();
    let body = body.strip_prefix("- ").unwrap_or(body);
    if body.starts_with(['#', '"', '\'', '[', '{', '|', '>']) || line.contains(": ") || line.trim_end().ends_with(':') {
        return None;
    }
    let (key, _) = body.split_once('：')?;
    let plain = !key.is_empty() && key.chars().count() <= 20 && !key.contains(char::is_whitespace);
    plain.then(|| line.chars().position(|c| c == '：').map_or(1, |i| i as u32 + 1))
}

/// How many characters stand before the first colon, if that is more than YAML allows a key.
fn long_key(line: &str) -> Option<usize> {
    let key = line.split_once(':').map_or(line, |(k, _)| k).trim();
    let n = key.chars().count();
    (n > 1000).then_some(n)
}

/// Why a Markdown file has no usable front matter: (message, help).
type NoFrontMatter = (&'static str, &'static str);

/// Read a content file as UTF-8 text: size limit, binary and encoding detection, BOM removed.
pub(super) fn read_text(path: &Path, site_path: &str) -> std::result::Result<String, Box<Finding>> {
    let fail = |pos: Option<Pos>, msg: String, help: &str| {
        Box::new(Finding::builtin(Kind::Syntax, Severity::Error, site_path, pos, msg).with_help(help.to_string()))
    };
    let meta = fs::metadata(path)
        .map_err(|e| fail(None, format!("无法读取：{}", crate::error::io_reason(&e)), "检查文件权限"))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(
            None,
            format!("文件太大（{} KiB，上限 {} KiB）", meta.len() / 1024, MAX_FILE_BYTES / 1024),
            "公开内容应是几 KB 的文字；大表格或文档请放进 attachments/ 作为附件",
        ));
    }
    let bytes = crate::input::read_regular(path, MAX_FILE_BYTES).map_err(|e| {
        fail(None, format!("无法读取：{}", crate::error::io_reason(&e)), "换成普通文件，并检查文件权限（chmod a+r）")
    })?;
    decode(bytes, site_path)
}

/// Bytes to text: UTF-8 only (BOM removed), with a clear finding for UTF-16, GBK and binary data.
pub fn decode(bytes: Vec<u8>, site_path: &str) -> std::result::Result<String, Box<Finding>> {
    let fail = |pos: Option<Pos>, msg: String, help: &str| {
        Box::new(Finding::builtin(Kind::Syntax, Severity::Error, site_path, pos, msg).with_help(help.to_string()))
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(fail(
            Some(Pos::new(1, 1)),
            "文件是 UTF-16 编码，gongkai 只读 UTF-8".into(),
            "用记事本打开，「另存为」时编码选「UTF-8」；或运行 gongkai fix --write 自动转换（原文件会备份）",
        ));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            if let Some(at) = text.find('\0') {
                return Err(fail(
                    Some(pos_of(text.as_bytes(), at)),
                    "这是二进制文件，不是文字".into(),
                    "附件（PDF、Word、图片）请放进 attachments/ 文件夹",
                ));
            }
            Ok(text)
        }
        Err(e) => {
            let bytes = e.into_bytes();
            let bad = std::str::from_utf8(&bytes).err().map_or(0, |e| e.valid_up_to());
            let pos = Some(pos_of(&bytes, bad));
            if bytes.contains(&0) {
                return Err(fail(
                    pos,
                    "这是二进制文件，不是文字".into(),
                    "附件（PDF、Word、图片）请放进 attachments/ 文件夹",
                ));
            }
            let gb = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(&bytes).is_some();
            if gb {
                Err(fail(
                    pos,
                    "文件不是 UTF-8 编码，看起来是 GBK/GB18030（Windows 中文默认编码）".into(),
                    "用记事本打开，「另存为」时编码选「UTF-8」；或运行 gongkai fix --write 自动转换（原文件会备份），或 iconv -f GB18030 -t UTF-8 原文件 > 新文件",
                ))
            } else {
                Err(fail(pos, "文件不是 UTF-8 编码的文字".into(), "另存为 UTF-8 编码的文本文件"))
            }
        }
    }
}

/// Line and column (in characters, 1-based) of byte offset `at`.
fn pos_of(bytes: &[u8], at: usize) -> Pos {
    let before = &bytes[..at.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() as u32 + 1;
    Pos::new(line, col)
}

/// Split `---`-delimited YAML front matter from a Markdown body.
/// Returns (front matter, lines before it, body, first line of body).
fn split_front_matter(text: &str) -> std::result::Result<(&str, u32, &str, u32), NoFrontMatter> {
    let no_front =
        || ("文件开头缺少 --- 包围的信息区", "第一行写 ---，接着写「标题: …」等字段，再写一行 ---，下面才是正文");
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().ok_or_else(no_front)?;
    if first.trim_end() != "---" {
        return Err(no_front());
    }
    let start = first.len();
    let mut offset = start;
    let mut line_no = 1u32;
    for line in lines {
        line_no += 1;
        if matches!(line.trim_end(), "---" | "...") {
            let front = &text[start..offset];
            let body = &text[offset + line.len()..];
            return Ok((front, 1, body, line_no + 1));
        }
        offset += line.len();
    }
    Err(("信息区没有结束：找不到第二行 ---", "在字段之后、正文之前单独写一行 ---"))
}

/// Does the text before the error open more `[`/`{` than it closes (outside quotes)?
fn unbalanced_brackets(src: &str, pos: Option<Pos>) -> bool {
    let upto = pos.map_or(usize::MAX, |p| p.line as usize);
    let mut depth = 0i32;
    for line in src.lines().take(upto) {
        let mut quote = None;
        for c in line.chars() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '#') => break,
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth -= 1,
                _ => {}
            }
        }
    }
    depth > 0
}

/// A one-file unit from raw bytes, as if `bytes` were the file `spec.file` of unit `fuzz`: the
/// loading path without the file system (for the fuzz target and tests).
pub fn unit_from_bytes(schema: &Schema, spec: &DocSpec, bytes: &[u8]) -> Unit {
    let rel = if spec.is_collection() { format!("{}doc.md", spec.file) } else { spec.file.clone() };
    let site_path = format!("content/fuzz/{rel}");
    let doc = Doc {
        kind: spec.kind.clone(),
        path: site_path.clone(),
        stem: "doc".into(),
        data: None,
        body: None,
        source: None,
    };
    let (doc, findings) = match decode(bytes.to_vec(), &site_path) {
        Ok(text) => parse_doc(doc, &text, spec, schema),
        Err(f) => (doc, vec![*f]),
    };
    let mut unit = Unit {
        slug: "fuzz".into(),
        dir: "content/fuzz".into(),
        sector: None,
        docs: vec![doc],
        drafts: Vec::new(),
        attachments: Vec::new(),
        findings,
        texts: Vec::new(),
    };
    unit.sector = unit
        .doc("unit")
        .and_then(|d| d.data.as_ref()?.text("sector"))
        .and_then(|s| schema.sector(s))
        .map(|s| s.key.clone());
    unit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_positions() {
        let (front, off, body, line) = split_front_matter("---\ntitle: 甲\n---\n正文\n").map_err(|_| ()).unwrap();
        assert_eq!((front, off, body, line), ("title: 甲\n", 1, "正文\n", 4));
        let (front, _, body, _) = split_front_matter("---\r\ntitle: 甲\r\n---\r\n正文\r\n").map_err(|_| ()).unwrap();
        assert_eq!((front, body), ("title: 甲\r\n", "正文\r\n"));
        assert!(split_front_matter("title: 甲\n").is_err());
        assert!(split_front_matter("---\ntitle: 甲\n").is_err());
    }

    #[test]
    fn byte_offsets_become_character_columns() {
        assert_eq!(pos_of("ab\n单位x".as_bytes(), 9), Pos::new(2, 3));
        assert_eq!(pos_of(b"abc", 0), Pos::new(1, 1));
    }

    #[test]
    fn yaml_errors_are_explained_in_chinese() {
        let (_, m, h) = explain_yaml_error("duplicate mapping key: a", "", None);
        assert!(m.starts_with("同一个字段写了两次") && h.contains("删掉"));
        let (_, m, _) =
            explain_yaml_error("mapping values are not allowed in this context", "a: 1\n b: 2\n", Some(Pos::new(2, 3)));
        assert_eq!(m, "缩进不对");
    }

    /// The verdicts issue, point 11: the mistake is named at its own line, in Chinese only, and
    /// the parser's English is kept apart for the IT person.
    #[test]
    fn full_width_colon_and_space_are_named_at_their_own_line() {
        let schema = Schema::builtin();
        let spec = schema.doc("fees").unwrap();
        let one = |src: &str| {
            let doc = Doc {
                kind: "fees".into(),
                path: "fees.yaml".into(),
                stem: "fees".into(),
                data: None,
                body: None,
                source: None,
            };
            let (_, out) = parse_doc(doc, src, spec, &schema);
            assert_eq!(out.len(), 1, "{out:#?}");
            let f = out.into_iter().next().unwrap();
            // the format's name and the clerk's own words in 「」 aside, no English
            let words = regex::Regex::new("「[^」]*」|YAML").unwrap().replace_all(&f.message, "").into_owned();
            assert!(!words.chars().any(|c| c.is_ascii_alphabetic()), "English in {}", f.message);
            assert!(f.detail.as_deref().is_some_and(|d| d.is_ascii()), "{:?}", f.detail);
            (f.line, f.column, f.message)
        };
        let (line, col, m) = one("收费项目：\n  - 项目名称: 水费\n    收费依据: 文\n");
        assert_eq!((line, col), (Some(1), Some(5)));
        assert!(m.contains("全角「：」"), "{m}");
        let (line, col, m) = one("收费项目:\n\u{3000}\u{3000}- 项目名称: 水费\n    收费依据: 文\n");
        assert_eq!((line, col), (Some(2), Some(1)));
        assert!(m.contains("全角空格"), "{m}");
        let (line, _, m) = one("收费项目:\n  - 项目名称: 水费\n  \u{3000}收费依据: 文\n");
        assert_eq!(line, Some(3));
        assert!(m.contains("全角空格"), "{m}");
        let (line, _, m) = one("收费项目:\n  - 项目名称: 水费\n---\n收费项目:\n");
        assert_eq!(line, Some(3));
        assert!(m.contains("一个文件里只能有一份内容"), "{m}");
        let (_, _, m) = one("收费项目:\n  - 项目名称: 水费\n    收费标准: .inf\n");
        assert!(m.contains("「.inf」") && m.contains("特殊值"), "{m}");
        let long = format!("收费项目:\n  - 项目名称: 水费\n    {}: 1\n", "长".repeat(1100));
        let (_, _, m) = one(&long);
        assert!(m.contains("冒号前的文字太长（1100 个字）"), "{m}");
    }
}
