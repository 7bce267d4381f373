//! Attachments (附件): which may be published, and what text they publish, read out of them so
//! that the 第六条 scan sees inside them and not only their names.
//!
//! A reader below `load` (whose `read_attachments` calls [`read_file`] once per attachment and
//! keeps the text in the unit); `check` scans that text, `render` asks [`refused_by_name`] before
//! it copies a file, and `check`'s review lets a person settle an unscanned file. Four outcomes
//! per attachment: its text is read (plain text, CSV, JSON, XML, Markdown; Word/Excel/
//! PowerPoint 2007+, OpenDocument and OFD packages; PDF page by page); it cannot be read (old
//! Office formats, images, archives, a PDF without extractable text: an `unscanned` warning, so
//! the report says which files a person must read); it could not be fully read (too large, a zip
//! bomb, a damaged file: an `unscanned` finding); or it is active content (HTML, SVG, XML with
//! a stylesheet or script) that would run from the site's own origin: an `active-content`
//! error, and it is not published at all. Nothing here panics on input; every read is bounded.

use std::borrow::Cow;
use std::path::Path;

mod package;
mod pdf;
mod xml;

use crate::finding::{Finding, Kind, Severity};

/// The rule id of an unscanned-attachment finding, and of the 审查确认 record (see `review`) in
/// which a person states that they reviewed the file.
pub(crate) const UNSCANNED: &str = "gongkai/unscanned";

/// Text attachments are read whole up to this size; a larger one is reported, not scanned.
pub(crate) const MAX_TEXT_BYTES: u64 = 16 * 1024 * 1024;
/// PDFs are read whole (the parser needs them in memory) up to this size.
pub(crate) const MAX_PDF_BYTES: u64 = 32 * 1024 * 1024;

/// What reading one attachment gave.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// The text it publishes, in reading order.
    pub parts: Vec<Part>,
    /// What stopped the reading, or why the file is not published.
    pub findings: Vec<Finding>,
    /// `true`: active content, never copied to the site.
    pub refused: bool,
}

/// A piece of text read out of an attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub text: String,
    pub reading: Reading,
}

/// How a piece of text is read, which says how its hits are placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// The lines of the file itself (plain text, CSV, JSON, XML): hits are placed at their line.
    Lines,
    /// A Markdown attachment, published as a page: what its reader sees is scanned.
    Markdown,
    /// Text with no lines of its own, named for a clerk: a part of a package (`word/document.xml
    /// （正文）`), a page of a PDF (`第 1 页`).
    Part(String),
}

/// How an attachment is read, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// Rendered as a sanitised page by `render`; scanned as text.
    Markdown,
    /// Published as it is and readable as text.
    Text,
    /// XML: text, unless it carries a stylesheet, script or HTML/SVG (then refused).
    Xml,
    /// A zip of XML parts (Office Open XML, OpenDocument, OFD).
    Package(package::Kind),
    /// Runs scripts in the browser from the site's origin: never published.
    Active,
    /// Read page by page (bytes in memory, bounded like text).
    Pdf,
    /// Cannot be read here: a person must review it.
    Opaque,
}

fn extension(rel: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default()
}

/// Extensions a browser or a web server treats as active content (pages, scripts, vector images
/// with scripts) or a server runs as a program.
const ACTIVE: &[&str] = &[
    "html", "htm", "shtml", "shtm", "xhtml", "xhtm", "xht", "phtml", "mht", "mhtml", "svg", "svgz", "xsl", "xslt",
    "js", "mjs", "mml", "swf", "php", "php3", "php4", "php5", "php7", "phar", "asp", "aspx", "jsp", "cgi", "pl",
];

fn format_of(rel: &str) -> Format {
    use package::Kind as P;
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    // a web server may act on any extension of a name, not only the last: Apache serves
    // `x.html.bak`, `x.html.zh-cn` and `x.html.gz` as HTML
    if name.split('.').skip(1).any(|e| ACTIVE.contains(&e)) {
        return Format::Active;
    }
    match extension(rel).as_str() {
        "md" => Format::Markdown,
        "txt" | "csv" | "tsv" | "json" | "yaml" | "yml" | "log" | "ini" => Format::Text,
        "xml" | "rss" | "atom" | "rdf" | "kml" | "gpx" => Format::Xml,
        "docx" | "docm" | "dotx" => Format::Package(P::Word),
        "xlsx" | "xlsm" | "xltx" => Format::Package(P::Sheet),
        "pptx" | "pptm" | "ppsx" => Format::Package(P::Slides),
        "odt" | "ods" | "odp" | "odg" => Format::Package(P::OpenDocument),
        "ofd" => Format::Package(P::Ofd),
        "pdf" => Format::Pdf,
        _ => Format::Opaque,
    }
}

/// Is this attachment never to be copied to the site, whatever it holds? (HTML, SVG, scripts:
/// a browser would run them from the portal's own address.) XML is judged by its content, in
/// [`read_file`]; `load` leaves refused files out of the unit's attachments.
pub(crate) fn refused_by_name(rel: &str) -> bool {
    format_of(rel) == Format::Active
}

/// Read the attachment at `path` (`rel` inside the unit folder, `file` site-relative).
pub(crate) fn read_file(path: &Path, rel: &str, file: &str) -> Outcome {
    let mut out = Outcome::default();
    let format = format_of(rel);
    let read = match format {
        Format::Opaque if looks_active(path) => {
            refuse(
                &mut out,
                rel,
                file,
                Some("内容是网页（HTML/SVG/脚本），没有扩展名或扩展名不对，浏览器仍会把它当网页运行"),
            );
            return out;
        }
        Format::Active | Format::Opaque => return read_bytes(&[], rel, file),
        Format::Package(kind) => {
            match crate::input::open_regular(path) {
                Ok(f) => package::read(f, kind, file, &mut out),
                Err(e) => out.findings.push(unreadable(file, &e.to_string())),
            }
            return out;
        }
        Format::Pdf => read_bounded(path, MAX_PDF_BYTES),
        Format::Markdown | Format::Text | Format::Xml => read_bounded(path, MAX_TEXT_BYTES),
    };
    match read {
        Ok(Some(bytes)) => read_bytes(&bytes, rel, file),
        Ok(None) => {
            out.findings.push(too_large(file, format));
            out
        }
        Err(e) => {
            out.findings.push(unreadable(file, &e.to_string()));
            out
        }
    }
}

/// Does a file gongkai cannot read begin like a web page? A server sends no type, or a wrong one,
/// for an unknown or missing extension, and a browser then guesses from the first bytes.
fn looks_active(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(1024);
    let Ok(f) = crate::input::open_regular(path) else { return false };
    if f.take(1024).read_to_end(&mut head).is_err() {
        return false;
    }
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    start.starts_with('<')
        && ["<html", "<!doctype html", "<script", "<svg", "<body", "<head", "<iframe", "<?xml", "<x:xmpmeta"]
            .iter()
            .any(|tag| text.contains(tag))
}

/// Read an attachment held in memory (the fuzz target, tests, and [`read_file`] once it has
/// read a text or PDF file within its bound).
pub(crate) fn read_bytes(bytes: &[u8], rel: &str, file: &str) -> Outcome {
    let mut out = Outcome::default();
    let format = format_of(rel);
    let limit = if format == Format::Pdf { MAX_PDF_BYTES } else { MAX_TEXT_BYTES };
    match format {
        Format::Active => refuse(&mut out, rel, file, None),
        Format::Opaque => out.findings.push(opaque(rel, file)),
        Format::Package(kind) => package::read(std::io::Cursor::new(bytes), kind, file, &mut out),
        _ if bytes.len() as u64 > limit => out.findings.push(too_large(file, format)),
        Format::Pdf => pdf::read(bytes, file, &mut out),
        Format::Markdown | Format::Text | Format::Xml => read_text(bytes, format, rel, file, &mut out),
    }
    out
}

fn too_large(file: &str, format: Format) -> Finding {
    let limit = if format == Format::Pdf { MAX_PDF_BYTES } else { MAX_TEXT_BYTES };
    unscanned(
        file,
        format!("附件超过 {} MiB，文字内容未能检查第六条", limit >> 20),
        &format!("拆分成较小的文件，或人工审查后在「审查确认」中记录（规则 {UNSCANNED}）"),
    )
}

/// The whole file, or `None` when it is larger than `limit` (never read past it).
/// The file's bytes, `None` when it is larger than `limit`.
fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    match crate::input::read_regular(path, limit) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => Ok(None),
        Err(e) => Err(e),
    }
}

fn read_text(bytes: &[u8], format: Format, rel: &str, file: &str, out: &mut Outcome) {
    let Some(text) = decode(bytes) else {
        if format == Format::Xml {
            // a browser may still read it (UTF-16 without a mark, another encoding): unsafe to publish
            return refuse(out, rel, file, Some("不是可识别的文字编码，无法确认其中没有脚本"));
        }
        return out.findings.push(unscanned(
            file,
            "附件不是可识别的文字编码（UTF-8、GBK/GB18030、UTF-16），文字内容未能检查第六条".into(),
            "另存为 UTF-8 编码的文本文件",
        ));
    };
    if format == Format::Xml
        && let Some(reason) = xml::active(&text)
    {
        return refuse(out, rel, file, Some(reason));
    }
    if format == Format::Markdown && std::str::from_utf8(bytes).is_err() {
        out.findings.push(
            Finding::builtin(
                Kind::Syntax,
                Severity::Error,
                file,
                None,
                "Markdown 附件不是 UTF-8 编码，不会发布".into(),
            )
            .with_help("用记事本打开，「另存为」时编码选「UTF-8」"),
        );
    }
    let reading = if format == Format::Markdown { Reading::Markdown } else { Reading::Lines };
    out.parts.push(Part { text: text.into_owned(), reading });
}

/// Bytes to text: UTF-8 (with or without a byte-order mark), UTF-16 with a mark, else GBK/GB18030.
/// `None` for anything else, and for binary data (NUL bytes).
fn decode(bytes: &[u8]) -> Option<Cow<'_, str>> {
    for (bom, enc) in [(&[0xFF, 0xFE], encoding_rs::UTF_16LE), (&[0xFE, 0xFF], encoding_rs::UTF_16BE)] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return enc.decode_without_bom_handling_and_without_replacement(rest).filter(|t| !t.contains('\0'));
        }
    }
    if bytes.contains(&0) {
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(t) => Some(Cow::Borrowed(t)),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes),
    }
}

/// An attachment that would run scripts from the site: an error, and it is left out.
fn refuse(out: &mut Outcome, rel: &str, file: &str, reason: Option<&str>) {
    out.refused = true;
    let ext = extension(rel);
    let what = match ext.as_str() {
        "svg" | "svgz" => "SVG 图形可以带脚本",
        "js" | "mjs" => "脚本文件",
        "xml" | "rss" | "atom" | "rdf" | "kml" | "gpx" | "xsl" | "xslt" | "mml" => "这个 XML 文件可以在浏览器里运行",
        _ => "网页文件可以带脚本",
    };
    let reason = reason.map(|r| format!("（{r}）")).unwrap_or_default();
    let help = match ext.as_str() {
        "svg" | "svgz" => "把图形另存为 PNG 或 PDF 再放进 attachments/",
        _ => "把它另存为 PDF，或改写成 attachments/ 下的 Markdown 文件（.md，gongkai 会生成安全的网页）",
    };
    let mut f = Finding::builtin(
        Kind::ActiveContent,
        Severity::Error,
        file,
        None,
        format!("{what}{reason}，会以门户网站的身份在访问者的浏览器里运行，这个附件不会发布"),
    )
    .with_help(help);
    f.title = "附件".into();
    out.findings.push(f);
}

/// A format gongkai cannot read: a warning, so the report lists the files a person must review.
fn opaque(rel: &str, file: &str) -> Finding {
    let (what, convert) = match extension(rel).as_str() {
        "doc" | "wps" | "rtf" => {
            ("旧版 Word/WPS 文档", "用 Word 或 WPS「另存为」.docx 格式，gongkai 就能检查其中的文字")
        }
        "xls" | "et" => ("旧版 Excel/WPS 表格", "用 Excel 或 WPS「另存为」.xlsx 格式，gongkai 就能检查其中的文字"),
        "ppt" | "dps" => {
            ("旧版 PowerPoint/WPS 演示", "用 PowerPoint 或 WPS「另存为」.pptx 格式，gongkai 就能检查其中的文字")
        }
        "jpg" | "jpeg" | "png" | "gif" | "bmp" | "tif" | "tiff" | "webp" | "heic" => {
            ("图片（扫描件、照片）", "人工查看图片里有没有身份证、银行卡、签名等个人信息")
        }
        "zip" | "rar" | "7z" | "gz" | "tar" => ("压缩包", "不要公开压缩包：把其中需要公开的文件逐个放进 attachments/"),
        _ => ("这种格式的文件", "能转成 .docx、.xlsx 或文本的，转换后再发布"),
    };
    let message = format!("{what}的文字内容无法自动检查第六条（身份证号、银行卡号、密级标志等），请人工审查");
    let help =
        format!("{convert}；或人工审查后，在 unit.yaml 的「审查确认」中记录：规则 {UNSCANNED}、文件 {rel}、理由");
    unscanned(file, message, &help)
}

fn unreadable(file: &str, why: &str) -> Finding {
    unscanned(file, format!("无法读取附件（{why}），文字内容未能检查第六条"), "检查文件权限，或重新复制这个文件")
}

/// A finding for an attachment whose text was not (fully) checked.
pub(crate) fn unscanned(file: &str, message: String, help: &str) -> Finding {
    let mut f = Finding::builtin(Kind::Unscanned, Severity::Warning, file, None, message).with_help(help.to_string());
    f.citation = Some("第六条".into());
    f.title = "附件".into();
    f
}

/// Extracted text that has no lines of its own (a part of a package, a page of a PDF).
fn part(text: String, label: String, out: &mut Outcome) {
    out.parts.push(Part { text, reading: Reading::Part(label) });
}
