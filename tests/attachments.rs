//! Attachments under the 第六条 scan: text inside text files and Office/OFD packages is scanned,
//! files that cannot be read are named, and active content (HTML, SVG, scripted XML) is refused
//! and never published.

mod common;

use std::io::Write;

use common::Site;
use gongkai::check::CheckResult;
use gongkai::finding::{Finding, Severity};

const W: &str = "content/qingyuan-water";
/// A valid resident ID number (GB 11643 check character) and how reports mask it.
const ID: &str = "11010519491231002X";
const MASKED: &str = "110105********002X";

/// Findings of one attachment.
fn of<'a>(r: &'a CheckResult, rel: &str) -> Vec<&'a Finding> {
    let file = format!("{W}/{rel}");
    r.findings.iter().filter(|f| f.file == file).collect()
}

/// A zip package of (part name, content) pairs.
fn package(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn text_attachments_are_scanned_line_by_line_whatever_their_encoding() {
    let site = Site::example();
    site.write(&format!("{W}/attachments/名单.txt"), format!("用户名单\n\n张三 {ID}\n"));
    let csv = format!("姓名,身份证号\r\n张三,{ID}\r\n");
    let (gbk, _, _) = encoding_rs::GB18030.encode(&csv);
    site.write(&format!("{W}/attachments/名单.csv"), gbk);
    site.write(&format!("{W}/attachments/data.json"), format!("\u{feff}{{\n  \"id\": \"{ID}\"\n}}\n"));
    site.write(
        &format!("{W}/attachments/data.xml"),
        format!("<?xml version=\"1.0\"?>\n<rows>\n<id>{ID}</id></rows>\n"),
    );
    let r = site.check_unit("qingyuan-water");
    for (rel, line) in [("attachments/名单.txt", 3), ("attachments/名单.csv", 2), ("attachments/data.json", 2)] {
        let found = of(&r, rel);
        assert_eq!(found.len(), 1, "{rel}: {found:?}");
        let f = found[0];
        assert_eq!((f.rule.as_str(), f.severity, f.line), ("privacy/id-number", Severity::Error, Some(line)), "{rel}");
        assert!(f.message.contains(MASKED), "{}", f.message);
    }
    assert_eq!(of(&r, "attachments/data.xml")[0].line, Some(3), "plain XML data is scanned as text");
}

#[test]
fn office_and_ofd_packages_are_scanned_part_by_part() {
    let site = Site::example();
    let (head, tail) = ID.split_at(7);
    // Word splits text into runs anywhere: the number is whole only when runs are joined
    let docx = package(&[
        ("[Content_Types].xml", "<Types/>"),
        (
            "word/document.xml",
            &format!(
                "<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>申请人身份证</w:t></w:r><w:r><w:t>{head}</w:t></w:r><w:r><w:t>{tail}</w:t></w:r></w:p></w:body></w:document>"
            ),
        ),
        ("word/footer1.xml", "<w:ftr xmlns:w=\"w\"><w:p><w:r><w:t>机密★5年</w:t></w:r></w:p></w:ftr>"),
        (
            "docProps/core.xml",
            "<cp:coreProperties xmlns:cp=\"c\" xmlns:dc=\"d\"><dc:creator>张三 13912345678</dc:creator></cp:coreProperties>",
        ),
    ]);
    site.write(&format!("{W}/attachments/申请表.docx"), docx);
    let xlsx = package(&[
        ("xl/workbook.xml", "<workbook/>"),
        ("xl/sharedStrings.xml", &format!("<sst><si><t>姓名</t></si><si><r><t>{ID}</t></r></si></sst>")),
        (
            "xl/worksheets/sheet1.xml",
            "<worksheet><sheetData><row><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c></row></sheetData></worksheet>",
        ),
    ]);
    site.write(&format!("{W}/attachments/名单.xlsx"), xlsx);
    let ofd = package(&[
        (
            "OFD.xml",
            "<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\"><ofd:DocBody><ofd:DocInfo><ofd:Author>办公室</ofd:Author></ofd:DocInfo></ofd:DocBody></ofd:OFD>",
        ),
        (
            "Doc_0/Pages/Page_0/Content.xml",
            &format!(
                "<ofd:Page xmlns:ofd=\"o\"><ofd:Content><ofd:Layer><ofd:TextObject ID=\"1\" Boundary=\"0 0 210 297\"><ofd:TextCode X=\"0\" Y=\"10\">{ID}</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>"
            ),
        ),
    ]);
    site.write(&format!("{W}/attachments/通知.ofd"), ofd);
    let clean = package(&[("xl/sharedStrings.xml", "<sst><si><t>水费 3.10 元/立方米</t></si></sst>")]);
    site.write(&format!("{W}/attachments/价格表.xlsx"), clean);

    let r = site.check_unit("qingyuan-water");
    let rules = |rel: &str| -> Vec<(String, Option<String>)> {
        of(&r, rel).into_iter().map(|f| (f.rule.clone(), f.field.clone())).collect()
    };
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        rules("attachments/申请表.docx"),
        [
            ("privacy/classified".to_string(), s("word/footer1.xml（页脚）")),
            ("privacy/id-number".to_string(), s("word/document.xml（正文）")),
            ("privacy/mobile".to_string(), s("docProps/core.xml（文档属性）")),
        ]
    );
    assert_eq!(
        rules("attachments/名单.xlsx"),
        [("privacy/id-number".to_string(), s("xl/sharedStrings.xml（单元格）"))]
    );
    assert_eq!(
        rules("attachments/通知.ofd"),
        [("privacy/id-number".to_string(), s("Doc_0/Pages/Page_0/Content.xml（正文）"))]
    );
    assert_eq!(rules("attachments/价格表.xlsx"), [], "a clean spreadsheet gives no finding");
}

/// A one-page PDF showing `text` in Helvetica, with a correct cross-reference table.
fn pdf(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 12 Tf 72 700 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend(b"xref\n0 6\n0000000000 65535 f \n");
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(format!("trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes());
    out
}

#[test]
fn the_text_of_a_pdf_is_scanned_page_by_page() {
    let site = Site::example();
    site.write(&format!("{W}/attachments/公示.pdf"), pdf(&format!("ID {ID}")));
    site.write(&format!("{W}/attachments/价格.pdf"), pdf("3.10 yuan"));
    let r = site.check_unit("qingyuan-water");
    let found = of(&r, "attachments/公示.pdf");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].rule.as_str(), found[0].field.as_deref()), ("privacy/id-number", Some("第 1 页")));
    assert_eq!(of(&r, "attachments/价格.pdf"), Vec::<&Finding>::new(), "a clean PDF gives no finding");
}

#[test]
fn files_that_cannot_be_read_are_named_as_unscanned() {
    let site = Site::example();
    site.write(&format!("{W}/attachments/旧表格.doc"), b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1binary");
    site.write(&format!("{W}/attachments/扫描件.png"), b"\x89PNG\r\n\x1a\n");
    site.write(&format!("{W}/attachments/合同.pdf"), b"%PDF-1.4\n%%EOF\n");
    site.write(&format!("{W}/attachments/坏的.docx"), b"not a zip at all");
    let r = site.check_unit("qingyuan-water");
    for rel in ["attachments/旧表格.doc", "attachments/扫描件.png", "attachments/合同.pdf", "attachments/坏的.docx"]
    {
        let found = of(&r, rel);
        assert_eq!(found.len(), 1, "{rel}: {found:?}");
        let f = found[0];
        assert_eq!((f.rule.as_str(), f.severity), ("gongkai/unscanned", Severity::Warning), "{rel}");
        assert!(f.message.contains("未能检查第六条") || f.message.contains("无法自动检查第六条"), "{}", f.message);
    }
    assert!(of(&r, "attachments/旧表格.doc")[0].message.contains("请人工审查"));
    // the JSON report counts them
    let out = site.run(&["check", "--unit", "qingyuan-water", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["summary"]["unscanned_attachments"], 4, "{}", out.stdout);
}

#[test]
fn a_zip_bomb_is_an_error_not_a_hang() {
    let site = Site::example();
    // 200 MiB of one repeated paragraph compresses to a few hundred KiB
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(b"<w:document><w:body>").unwrap();
    let block = "<w:p><w:r><w:t>AAAA</w:t></w:r></w:p>".repeat(1 << 14);
    for _ in 0..(200 << 20) / block.len() {
        zip.write_all(block.as_bytes()).unwrap();
    }
    zip.write_all(b"</w:body></w:document>").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert!(bytes.len() < 4 << 20, "the bomb is small on disk: {}", bytes.len());
    site.write(&format!("{W}/attachments/炸弹.docx"), bytes);
    let r = site.check_unit("qingyuan-water");
    let found = of(&r, "attachments/炸弹.docx");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].rule.as_str(), found[0].severity), ("gongkai/unscanned", Severity::Error));
    assert!(found[0].message.contains("压缩炸弹"), "{}", found[0].message);
}

#[test]
fn active_content_is_refused_and_never_published() {
    let site = Site::example();
    site.write(&format!("{W}/attachments/表单.html"), "<html><script>alert(document.cookie)</script></html>");
    site.write(&format!("{W}/attachments/图.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>");
    site.write(
        &format!("{W}/attachments/样式.xml"),
        "<?xml version=\"1.0\"?><?xml-stylesheet type=\"text/xsl\" href=\"x.xsl\"?><a>1</a>",
    );
    site.write(&format!("{W}/attachments/安全.md"), "# 说明\n\n见[表单](表单.html)。\n");
    let r = site.check_unit("qingyuan-water");
    for rel in ["attachments/表单.html", "attachments/图.svg", "attachments/样式.xml"] {
        let found = of(&r, rel);
        assert_eq!(found.len(), 1, "{rel}: {found:?}");
        let f = found[0];
        assert_eq!((f.rule.as_str(), f.severity), ("gongkai/active-content", Severity::Error), "{rel}");
        assert!(f.message.contains("不会发布"), "{}", f.message);
    }
    let html = r.findings.iter().find(|f| f.file.ends_with("表单.html")).unwrap();
    assert!(html.help.as_deref().unwrap().contains("另存为 PDF"), "{html:?}");

    let out = site.run(&["build"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for rel in ["表单.html", "图.svg", "样式.xml"] {
        assert!(!site.file(&format!("public/qingyuan-water/attachments/{rel}")).exists(), "{rel} was published");
    }
    assert!(site.file("public/qingyuan-water/attachments/安全.html").exists());
    let report: serde_json::Value = serde_json::from_str(&site.read("gongkai-report/report.json")).unwrap();
    let broken: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "broken-link" && f["file"] == format!("{W}/attachments/安全.md"))
        .collect();
    assert_eq!(broken.len(), 1, "the link to the refused file is broken: {report:#}");
}

#[test]
fn a_person_can_acknowledge_an_attachment_gongkai_cannot_read() {
    let site = Site::example();
    site.write(&format!("{W}/attachments/合同.pdf"), b"%PDF-1.4\n%%EOF\n");
    site.write(&format!("{W}/attachments/扫描件.png"), b"\x89PNG\r\n\x1a\n");
    let unit = site.read(&format!("{W}/unit.yaml"));
    site.write(
        &format!("{W}/unit.yaml"),
        format!(
            "{unit}审查确认:\n  - 规则: gongkai/unscanned\n    文件: attachments/合同.pdf\n    理由: 已逐页人工审查，不含个人信息\n    审核人: 吴晓燕\n  - 规则: gongkai/unscanned\n    理由: 忘了写文件\n"
        ),
    );
    let r = site.check_unit("qingyuan-water");
    assert_eq!(of(&r, "attachments/合同.pdf"), Vec::<&Finding>::new(), "the reviewed PDF is settled");
    assert_eq!(of(&r, "attachments/扫描件.png").len(), 1, "the other file still needs a person");
    let ack = r.acknowledgements.iter().find(|a| a.file.ends_with("合同.pdf")).expect("listed in the report");
    assert_eq!((ack.rule.as_str(), ack.reason.as_str()), ("gongkai/unscanned", "已逐页人工审查，不含个人信息"));
    let bad = of(&r, "unit.yaml");
    assert!(bad.iter().any(|f| f.message.contains("必须写明「文件」")), "{bad:?}");
}
