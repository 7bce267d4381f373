//! PDF: the text of each page, through lopdf (which bounds every stream's decompression), for
//! the 第六条 scan. A PDF with no extractable text (a scan) or text that does not decode is
//! reported as unscanned, never passed as clean.

use lopdf::{Document, LoadOptions};

use super::{Outcome, part, unscanned};

/// Any one stream, decompressed.
const MAX_STREAM_BYTES: usize = 16 * 1024 * 1024;
/// Pages read; a longer PDF is scanned up to here and reported.
const MAX_PAGES: usize = 2_000;

pub(super) fn read(bytes: &[u8], file: &str, out: &mut Outcome) {
    let options = LoadOptions { max_decompressed_size: Some(MAX_STREAM_BYTES), ..LoadOptions::default() };
    let doc = match Document::load_mem_with_options(bytes, options) {
        Ok(d) => d,
        Err(e) => {
            return out.findings.push(unscanned(
                file,
                format!("无法读取这个 PDF 文件（{e}），文字内容未能检查第六条"),
                "用 PDF 阅读器打开确认文件没有损坏，重新导出后再放进 attachments/",
            ));
        }
    };
    if doc.is_encrypted() {
        return out.findings.push(unscanned(
            file,
            "PDF 文件加了密码，文字内容未能检查第六条".into(),
            "导出一份不加密的 PDF；或人工审查后在「审查确认」中记录（规则 gongkai/unscanned）",
        ));
    }
    let pages = doc.get_pages();
    let (mut shown, mut garbled, mut failed) = (0usize, 0usize, Vec::new());
    for &n in pages.keys().take(MAX_PAGES) {
        match doc.extract_text_with_limit(&[n], MAX_STREAM_BYTES) {
            Ok(text) => {
                for c in text.chars().filter(|c| !c.is_whitespace()) {
                    shown += 1;
                    if c == '\u{FFFD}' || c.is_control() || ('\u{E000}'..='\u{F8FF}').contains(&c) {
                        garbled += 1;
                    }
                }
                part(text, format!("第 {n} 页"), out);
            }
            Err(_) => failed.push(n),
        }
    }
    let help = "人工审查后在「审查确认」中记录（规则 gongkai/unscanned）；能提供 Word 原稿的，另存为 .docx 一并检查";
    let problem = if pages.len() > MAX_PAGES {
        Some(format!("PDF 有 {} 页，只检查了前 {MAX_PAGES} 页", pages.len()))
    } else if shown == 0 {
        Some(
            "PDF 里没有可提取的文字（扫描件、图片，或字体没有文字对照表），文字内容无法自动检查第六条，请人工审查"
                .to_string(),
        )
    } else if garbled * 10 > shown {
        Some("PDF 的字体没有文字对照表，提取出的文字是乱码，文字内容无法自动检查第六条，请人工审查".to_string())
    } else {
        failed
            .first()
            .map(|first| format!("PDF 第 {first} 页等 {} 页的文字无法提取，这些页未能检查第六条", failed.len()))
    };
    if let Some(message) = problem {
        out.findings.push(unscanned(file, message, help));
    }
}

#[cfg(test)]
mod tests {
    /// A PDF of the given objects (numbered from 1; the first is the catalog), with a correct
    /// cross-reference table.
    fn pdf(objects: &[String]) -> Vec<u8> {
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for o in offsets {
            out.extend(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend(
            format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
        );
        out
    }

    fn stream(s: &str) -> String {
        format!("<< /Length {} >>\nstream\n{s}\nendstream", s.len())
    }

    /// One page showing `content` with font F1 = `font` (objects 5 onwards are `extra`).
    fn page(content: &str, font: &str, extra: &[String]) -> Vec<u8> {
        let mut objects = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_string(),
            stream(content),
            font.to_string(),
        ];
        objects.extend(extra.iter().cloned());
        pdf(&objects)
    }

    /// A Chinese PDF as Word or WPS writes one: a CID font, glyph ids, a ToUnicode map.
    fn chinese(text: &str) -> Vec<u8> {
        let gid = |c: char| match c {
            '身' => 1,
            '份' => 2,
            '证' => 3,
            '0'..='9' => 0x10 + (c as u32 - '0' as u32),
            _ => 0x1A,
        };
        let hex: String = text.chars().map(|c| format!("{:04X}", gid(c))).collect();
        let cmap = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CMapName /X def\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n3 beginbfchar <0001> <8EAB> <0002> <4EFD> <0003> <8BC1> endbfchar\n2 beginbfrange <0010> <0019> <0030> <001A> <001A> <0058> endbfrange\nendcmap CMapName currentdict /CMap defineresource pop end end";
        page(
            &format!("BT /F1 12 Tf 72 700 Td <{hex}> Tj ET"),
            "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
            &[
                "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>".to_string(),
                stream(cmap),
            ],
        )
    }

    fn scan(bytes: &[u8]) -> super::Outcome {
        let mut out = super::Outcome::default();
        super::read(bytes, "a.pdf", &mut out);
        out
    }

    const ID: &str = "11010519491231002X";

    #[test]
    fn text_of_latin_and_cid_fonts_is_scanned() {
        let latin = page(
            &format!("BT /F1 12 Tf 72 700 Td (ID {ID}) Tj ET"),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            &[],
        );
        for bytes in [latin, chinese(&format!("身份证{ID}"))] {
            let out = scan(&bytes);
            let [part] = &out.parts[..] else { panic!("one page: {:?}", out.parts) };
            assert!(part.text.contains(ID), "{part:?}");
            assert_eq!(part.reading, super::super::Reading::Part("第 1 页".into()));
            assert!(out.findings.is_empty(), "{:?}", out.findings);
        }
    }

    #[test]
    fn a_pdf_without_text_is_unscanned_not_clean() {
        let image = page("q 100 0 0 100 0 0 cm Q", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", &[]);
        let no_map = page(
            "BT /F1 12 Tf 72 700 Td <00010002> Tj ET",
            "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
            &["<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun >>".to_string()],
        );
        for bytes in [image, no_map, b"%PDF-1.4\n%%EOF\n".to_vec()] {
            let out = scan(&bytes);
            assert_eq!(out.findings.len(), 1, "{:?}", out.findings);
            assert_eq!(out.findings[0].kind, crate::finding::Kind::Unscanned);
        }
    }

    #[test]
    fn damaged_pdfs_never_panic() {
        let base = chinese(&format!("身份证{ID}"));
        let mut seed = 12345u64;
        for i in 0..1000 {
            let mut b = base.clone();
            for _ in 0..(1 + i % 8) {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let at = (seed >> 33) as usize % b.len();
                b[at] = (seed >> 13) as u8;
            }
            if i % 3 == 0 {
                b.truncate((seed >> 20) as usize % b.len());
            }
            scan(&b);
        }
    }
}
