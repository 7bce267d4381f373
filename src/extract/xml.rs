//! XML for the attachment scan: the text a document part shows (runs joined, paragraphs and
//! cells kept apart so numbers are neither split nor glued), and whether an XML attachment would
//! run anything in a browser.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// Elements that hold part of a line (a run of a paragraph, a cell value): no break after them.
const INLINE: &[&str] =
    &["t", "r", "v", "is", "span", "a", "hyperlink", "ins", "del", "delText", "smartTag", "fldSimple", "rPh", "s"];
/// Elements that end a cell: a tab, which the privacy scan never reads across.
const CELL: &[&str] = &["c", "tc", "table-cell", "covered-table-cell"];
/// Attributes that hold text a reader sees (alternative text, titles, comment authors).
const TEXT_ATTRS: &[&str] = &["descr", "title", "author"];

/// The text of an XML part, one paragraph a line. `Err` with the parser's complaint when the
/// part is not well-formed (the text up to there is still in `out`).
pub(super) fn text(xml: &str, out: &mut String) -> Result<(), String> {
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Text(t)) => out.push_str(&t.xml10_content().unwrap_or_default()),
            Ok(Event::CData(t)) => out.push_str(&t.decode().unwrap_or_default()),
            Ok(Event::GeneralRef(r)) => push_ref(&r, out),
            Ok(Event::Start(e)) => attribute_text(&e, out),
            Ok(Event::Empty(e)) => {
                attribute_text(&e, out);
                let local_name = e.local_name();
                match local(local_name.as_ref()) {
                    "tab" => out.push('\t'),
                    "br" | "cr" | "line-break" => out.push('\n'),
                    "s" => out.push(' '),
                    _ => {}
                }
            }
            Ok(Event::End(e)) => {
                let local_name = e.local_name();
                let name = local(local_name.as_ref());
                if CELL.contains(&name) {
                    out.push('\t');
                } else if !INLINE.contains(&name) {
                    out.push('\n');
                }
            }
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(format!("第 {} 字节处：{e}", reader.error_position())),
        }
    }
}

fn local(name: &[u8]) -> &str {
    std::str::from_utf8(name).unwrap_or_default()
}

fn push_ref(r: &BytesRef<'_>, out: &mut String) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        out.push(c);
    } else if let Some(s) = r.decode().ok().and_then(|name| resolve_predefined_entity(&name)) {
        out.push_str(s);
    }
}

fn attribute_text(e: &BytesStart<'_>, out: &mut String) {
    for a in e.attributes().with_checks(false).flatten() {
        if TEXT_ATTRS.contains(&local(a.key.local_name().into_inner()))
            && let Ok(v) = a.normalized_value(XmlVersion::Implicit1_0)
        {
            out.push('\n');
            out.push_str(&v);
            out.push('\n');
        }
    }
}

/// Namespaces whose elements a browser renders and runs, even inside a generic XML document.
const ACTIVE_NAMESPACES: &[&str] = &[
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1998/Math/MathML",
    "http://www.w3.org/1999/XSL/Transform",
    "http://www.w3.org/1999/xlink",
];
/// Elements that are active or embed something, by local name (whatever the prefix).
const ACTIVE_ELEMENTS: &[&str] = &["script", "html", "body", "iframe", "object", "embed", "svg", "foreignobject"];

/// Why an XML attachment would run in a browser (stylesheet, script, HTML or SVG, entity tricks),
/// or `None` when it is plain data. Malformed XML is refused too: browsers render what comes
/// before the error, and what comes after cannot be judged.
pub(super) fn active(xml: &str) -> Option<&'static str> {
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::PI(pi)) if pi.target().eq_ignore_ascii_case(b"xml-stylesheet") => {
                return Some("含有 <?xml-stylesheet?> 样式表指令");
            }
            Ok(Event::DocType(d)) if d.to_ascii_lowercase().windows(6).any(|w| w == b"entity") => {
                return Some("DOCTYPE 中定义了实体");
            }
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = local(e.local_name().as_ref()).to_ascii_lowercase();
                if ACTIVE_ELEMENTS.contains(&name.as_str()) {
                    return Some("含有脚本、HTML 或 SVG 元素");
                }
                for a in e.attributes().with_checks(false) {
                    let Ok(a) = a else { return Some("XML 属性格式有误，无法确认其中没有脚本") };
                    let key = a.key.as_ref();
                    let value = a
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map(|v| v.trim().to_ascii_lowercase())
                        .unwrap_or_default();
                    let is_ns = key == b"xmlns" || key.starts_with(b"xmlns:");
                    if is_ns && ACTIVE_NAMESPACES.iter().any(|n| value.eq_ignore_ascii_case(n)) {
                        return Some("使用了 HTML、SVG 或 XSLT 命名空间");
                    }
                    if local(a.key.local_name().as_ref()).to_ascii_lowercase().starts_with("on")
                        || value.starts_with("javascript:")
                    {
                        return Some("含有事件属性或 javascript: 链接");
                    }
                }
            }
            Ok(Event::Eof) => return None,
            Ok(_) => {}
            Err(_) => return Some("XML 格式有误，无法确认其中没有脚本"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(xml: &str) -> String {
        let mut out = String::new();
        text(xml, &mut out).unwrap();
        out
    }

    #[test]
    fn runs_join_paragraphs_and_cells_separate() {
        let docx = r#"<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>身份证 1101</w:t></w:r><w:r><w:t xml:space="preserve">0519491231002X</w:t></w:r></w:p><w:p><w:r><w:t>下一段</w:t></w:r></w:p></w:body></w:document>"#;
        let t = text_of(docx);
        assert!(t.contains("身份证 11010519491231002X\n"), "{t:?}");
        assert!(t.contains("\n下一段"), "{t:?}");
        let sheet = r#"<sheetData><row><c r="A1"><v>13912345</v></c><c r="B1"><v>678</v></c></row></sheetData>"#;
        assert!(text_of(sheet).contains("13912345\t678\t"), "cells stay apart");
        assert_eq!(text_of("<x>1&#49;&amp;<![CDATA[x<y]]></x>"), "11&x<y\n");
        assert!(text_of(r#"<p:cNvPr descr="持证人 张三"/>"#).contains("持证人 张三"));
    }

    #[test]
    fn active_xml_is_recognised() {
        assert_eq!(active("<?xml version='1.0'?><data><row>1</row></data>"), None);
        for bad in [
            "<?xml-stylesheet href='x.xsl' type='text/xsl'?><a/>",
            "<a><script>alert(1)</script></a>",
            "<a xmlns:h='http://www.w3.org/1999/xhtml'><h:p/></a>",
            "<a xmlns='http&#58;//www.w3.org/2000/svg'/>",
            "<!DOCTYPE a [<!ENTITY x '&#60;script&#62;'>]><a>&x;</a>",
            "<a onload='x()'/>",
            "<a href=' JavaScript:alert(1)'/>",
            "<a><b></a>",
        ] {
            assert!(active(bad).is_some(), "{bad}");
        }
    }
}
