//! Zip packages of XML parts: Word/Excel/PowerPoint 2007+ (Office Open XML), OpenDocument and
//! OFD (GB/T 33190). Every XML part is read (body, headers and footers, comments, tracked
//! deletions, cell strings, slides and notes, document properties such as the author) within
//! bounds on the package size, the number of parts and the decompressed bytes, so a zip bomb is
//! a finding and never a hang or an exhausted memory.

use std::io::{Read, Seek, SeekFrom};

use zip::ZipArchive;

use super::{Outcome, part, unscanned, xml};
use crate::finding::Severity;

/// A package larger than this is not opened.
pub(super) const MAX_PACKAGE_BYTES: u64 = 64 * 1024 * 1024;
/// More parts than this is not a document a clerk wrote.
pub(super) const MAX_ENTRIES: usize = 10_000;
/// All XML parts together, decompressed; beyond it the package is taken for a zip bomb.
pub(super) const MAX_XML_BYTES: u64 = 64 * 1024 * 1024;

/// Which family a package belongs to (by its file name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Word,
    Sheet,
    Slides,
    OpenDocument,
    Ofd,
}

impl Kind {
    fn zh(self) -> &'static str {
        match self {
            Kind::Word => "Word 文档",
            Kind::Sheet => "Excel 表格",
            Kind::Slides => "PowerPoint 演示文稿",
            Kind::OpenDocument => "OpenDocument 文档",
            Kind::Ofd => "OFD 版式文件",
        }
    }
}

pub(super) fn read<R: Read + Seek>(mut reader: R, kind: Kind, file: &str, out: &mut Outcome) {
    let size = reader.seek(SeekFrom::End(0)).and_then(|n| reader.rewind().map(|()| n)).unwrap_or(u64::MAX);
    if size > MAX_PACKAGE_BYTES {
        return out.findings.push(unscanned(
            file,
            format!("{}超过 {} MiB，文字内容未能检查第六条", kind.zh(), MAX_PACKAGE_BYTES >> 20),
            "拆分成较小的文件，或人工审查后在「审查确认」中记录（规则 gongkai/unscanned）",
        ));
    }
    let mut zip = match ZipArchive::new(reader) {
        Ok(z) => z,
        Err(e) => {
            return out.findings.push(unscanned(
                file,
                format!("无法作为{}打开（{e}），文字内容未能检查第六条", kind.zh()),
                "用办公软件打开确认文件没有损坏、扩展名与格式相符，重新保存后再放进 attachments/",
            ));
        }
    };
    if zip.len() > MAX_ENTRIES {
        return out
            .findings
            .push(bomb(file, format!("{}包含 {} 个部件，超过上限 {MAX_ENTRIES}", kind.zh(), zip.len())));
    }
    let mut names: Vec<String> = zip.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
    names.sort();
    let embedded = names.iter().filter(|n| is_embedded(n)).count();
    let mut budget = MAX_XML_BYTES;
    let mut scanned = 0;
    for name in names.iter().filter(|n| is_text_part(n)) {
        let mut buf = Vec::new();
        let read = zip
            .by_name(name)
            .map_err(|e| e.to_string())
            .and_then(|entry| entry.take(budget + 1).read_to_end(&mut buf).map_err(|e| e.to_string()));
        if let Err(e) = read {
            out.findings.push(unscanned(
                file,
                format!("{}的部件 {name} 无法解压（{e}），其中的文字未能检查第六条", kind.zh()),
                "用办公软件打开并重新保存（不要加密码），再放进 attachments/",
            ));
            continue;
        }
        if buf.len() as u64 > budget {
            return out
                .findings
                .push(bomb(file, format!("{}解压后超过 {} MiB（疑似压缩炸弹）", kind.zh(), MAX_XML_BYTES >> 20)));
        }
        budget -= buf.len() as u64;
        let xml_text = String::from_utf8_lossy(&buf);
        let mut text = String::new();
        if let Err(e) = xml::text(&xml_text, &mut text) {
            out.findings.push(unscanned(
                file,
                format!("{}的部件 {name} 格式有误（{e}），其后的文字未能检查第六条", kind.zh()),
                "用办公软件打开并重新保存，再放进 attachments/",
            ));
        }
        part(text, part_label(name), out);
        scanned += 1;
    }
    if scanned == 0 {
        out.findings.push(unscanned(
            file,
            format!("这个文件里没有{}的文字部件，文字内容未能检查第六条", kind.zh()),
            "用办公软件打开确认文件没有损坏、扩展名与格式相符",
        ));
    }
    if embedded > 0 {
        out.findings.push(unscanned(
            file,
            format!("{}内嵌了 {embedded} 个对象（嵌入的表格、文档、附件），其中的文字未能检查第六条", kind.zh()),
            "把内嵌对象另存为单独的文件一并检查，或人工审查后在「审查确认」中记录（规则 gongkai/unscanned）",
        ));
    }
}

/// A part whose text is shown to a reader. Themes, styles of Office files and relationships hold
/// none; OpenDocument keeps headers and footers in styles.xml, so that one is read.
fn is_text_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xml")
        && !is_embedded(name)
        && !lower.contains("/theme/")
        && lower != "[content_types].xml"
        && !["word/styles.xml", "word/fonttable.xml", "xl/styles.xml", "word/numbering.xml"].contains(&lower.as_str())
}

/// Objects embedded in the package: Office `embeddings/`, OpenDocument `Object N/`, OFD `Attachs/`.
fn is_embedded(name: &str) -> bool {
    name.contains("/embeddings/") || name.starts_with("Object ") || name.contains("/Attachs/")
}

/// The part a hit is in, as a clerk would recognise it.
fn part_label(name: &str) -> String {
    let file = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    let gloss = if name.starts_with("docProps/") || name == "meta.xml" || name == "OFD.xml" {
        "文档属性"
    } else if file.starts_with("header") {
        "页眉"
    } else if file.starts_with("footer") {
        "页脚"
    } else if file.starts_with("comment") || name.contains("/Annots/") {
        "批注"
    } else if file.starts_with("footnotes") || file.starts_with("endnotes") {
        "脚注"
    } else if name.starts_with("ppt/notesSlides/") {
        "备注"
    } else if name.starts_with("ppt/slides/") {
        "幻灯片"
    } else if name == "xl/sharedStrings.xml" || name.starts_with("xl/worksheets/") {
        "单元格"
    } else if name == "word/document.xml" || name == "content.xml" || file == "content.xml" {
        "正文"
    } else if name == "styles.xml" {
        "页眉页脚"
    } else {
        return name.to_string();
    };
    format!("{name}（{gloss}）")
}

/// A package that would take too much to open: an error, since it may harm whoever opens it.
fn bomb(file: &str, message: String) -> super::Finding {
    let mut f = unscanned(
        file,
        format!("{message}，文字内容未能检查第六条"),
        "用办公软件打开确认文件能正常使用，重新保存后再放进 attachments/；过大的文件请拆分",
    );
    f.severity = Severity::Error;
    f
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    /// Damaged packages (bytes changed, cut short) are findings, never a panic.
    #[test]
    fn damaged_packages_never_panic() {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("word/document.xml", options).unwrap();
        zip.write_all(b"<w:document><w:p><w:r><w:t>11010519491231002X</w:t></w:r></w:p></w:document>").unwrap();
        zip.start_file("docProps/core.xml", options).unwrap();
        zip.write_all(b"<cp:coreProperties><dc:creator>x</dc:creator></cp:coreProperties>").unwrap();
        let base = zip.finish().unwrap().into_inner();
        let mut seed = 99u64;
        for i in 0..2000 {
            let mut b = base.clone();
            for _ in 0..(1 + i % 6) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let at = (seed >> 33) as usize % b.len();
                b[at] = (seed >> 13) as u8;
            }
            if i % 4 == 0 {
                b.truncate((seed >> 20) as usize % b.len());
            }
            for rel in ["a.docx", "a.ofd", "a.xml", "a.txt"] {
                super::super::read_bytes(&b, rel, "f");
            }
        }
    }
}
