//! Reading a spreadsheet into cells: Excel (`.xlsx`, `.xls`), WPS (`.et`, read as the Excel
//! format inside it), OpenDocument (`.ods`) through calamine, and CSV in UTF-8 (with or without
//! BOM), UTF-16 or GBK/GB18030.
//!
//! The first step of `import`: it keeps every cell's place as the spreadsheet shows it (row
//! numbers from 1, column letters), so that a problem is reported where the clerk will look.

use std::io::Cursor;

use calamine::{Data, Reader};

/// One cell as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing in it.
    Empty,
    /// Its text (a number as the spreadsheet holds it, a date as YYYY-MM-DD).
    Text(String),
    /// An Excel error value (`#DIV/0!`, `#N/A`): a formula that failed.
    Error(String),
}

/// One worksheet (a CSV file is one sheet without a name).
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The worksheet's name; `None` for CSV.
    pub name: Option<String>,
    /// The spreadsheet row number of `rows[0]` (1-based).
    pub top: u32,
    /// The column index of each row's first cell (0 = A).
    pub left: u32,
    /// The cells, row by row.
    pub rows: Vec<Vec<Cell>>,
}

/// The kinds of file `import` reads, by extension.
pub const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "et", "ods", "csv"];

/// Why a file could not be read at all (exit status 2), in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: String,
}

/// Read the sheets of a file whose name ends in `extension` (lower case, without the dot).
pub fn read(bytes: &[u8], extension: &str) -> Result<Vec<Sheet>, Unreadable> {
    match extension {
        "csv" => read_csv(bytes).map(|s| vec![s]),
        "xlsx" | "xlsm" | "xls" | "et" | "ods" => read_workbook(bytes, extension),
        other => Err(Unreadable {
            message: format!("不认识的文件类型「.{other}」"),
            help: format!(
                "可以导入的文件：{}",
                EXTENSIONS.iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join("、")
            ),
        }),
    }
}

fn read_workbook(bytes: &[u8], extension: &str) -> Result<Vec<Sheet>, Unreadable> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| {
        let what = match extension {
            "et" => {
                "WPS 表格文件（.et）的格式无法读取：gongkai 能读取其中与 Excel 相同的格式，这个文件是 WPS 自己的格式"
            }
            "ods" => "不是有效的 OpenDocument 表格（.ods）",
            _ => "不是有效的 Excel 工作簿，或者已损坏、加了密码",
        };
        Unreadable {
            message: what.to_string(),
            help: "在 WPS 或 Excel 中打开它，「另存为」Excel 工作簿（.xlsx）或 CSV（UTF-8）后再导入".to_string(),
        }
    })?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| Unreadable {
            message: format!("无法读取工作表「{name}」：{e}"),
            help: "在 WPS 或 Excel 中打开它，「另存为」Excel 工作簿（.xlsx）后再导入".to_string(),
        })?;
        let (top, left) = range.start().unwrap_or((0, 0));
        let rows = range.rows().map(|row| row.iter().map(cell).collect()).collect();
        sheets.push(Sheet { name: Some(name), top: top + 1, left, rows });
    }
    Ok(sheets)
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => text(s),
        Data::Int(n) => Cell::Text(n.to_string()),
        // 12 stays 12 (not 12.0); 3.1 stays 3.1
        Data::Float(f) => Cell::Text(f.to_string()),
        Data::Bool(b) => Cell::Text(if *b { "是" } else { "否" }.to_string()),
        Data::DateTime(d) if d.is_datetime() => Cell::Text(excel_date(d.as_f64())),
        Data::DateTime(d) => Cell::Text(d.as_f64().to_string()),
        Data::DateTimeIso(s) => Cell::Text(s.split('T').next().unwrap_or(s).to_string()),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// Text typed into a cell: an error value written out (`#N/A` in a CSV) is still an error.
fn text(s: &str) -> Cell {
    const ERRORS: &[&str] = &["#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA"];
    let t = s.trim();
    if ERRORS.contains(&t) {
        Cell::Error(t.to_string())
    } else if t.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.to_string())
    }
}

/// An Excel serial date (days since 1899-12-30) as `YYYY-MM-DD`, with the time when it has one.
fn excel_date(serial: f64) -> String {
    let days = serial.floor();
    let base = jiff::civil::date(1899, 12, 30);
    let Ok(date) = base.checked_add(jiff::Span::new().days(days as i64)) else { return serial.to_string() };
    let seconds = ((serial - days) * 86_400.0).round() as i64;
    if seconds == 0 { date.to_string() } else { format!("{date} {:02}:{:02}", seconds / 3600, seconds % 3600 / 60) }
}

fn read_csv(bytes: &[u8]) -> Result<Sheet, Unreadable> {
    let decoded = decode(bytes)?;
    let first = decoded.lines().next().unwrap_or_default();
    // Excel's 「Unicode 文本」 is tab-separated; everything else here uses commas
    let delimiter = if first.contains('\t') && !first.contains(',') { b'\t' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(decoded.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Unreadable {
            message: format!(
                "CSV 文件第 {} 行之后无法读取：{}",
                e.position().map_or(i as u64 + 1, |p| p.line()),
                if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    "文字编码有误"
                } else {
                    "引号没有成对"
                }
            ),
            help: "在 WPS 或 Excel 中打开它，重新「另存为」CSV（UTF-8）".to_string(),
        })?;
        rows.push(record.iter().map(text).collect());
    }
    Ok(Sheet { name: None, top: 1, left: 0, rows })
}

/// CSV bytes to text: UTF-8 (a BOM removed), UTF-16 with a BOM, else GB18030 (which GBK is a
/// part of), what WPS and Excel save on a Chinese Windows.
fn decode(bytes: &[u8]) -> Result<String, Unreadable> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, malformed) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return if malformed { Err(garbled()) } else { Ok(text.into_owned()) };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_string());
    }
    let (text, malformed) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if malformed { Err(garbled()) } else { Ok(text.into_owned()) }
}

fn garbled() -> Unreadable {
    Unreadable {
        message: "CSV 文件的文字编码无法识别（不是 UTF-8，也不是 GBK）".to_string(),
        help: "在 WPS 或 Excel 中打开它，「另存为」CSV（UTF-8）后再导入".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_every_encoding_a_clerk_saves() {
        let want = vec![vec![Cell::Text("项目名称".into()), Cell::Text("收费标准".into())]];
        let utf8 = "项目名称,收费标准\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(utf8);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(utf8.as_bytes());
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(utf8.replace(',', "\t").encode_utf16().flat_map(u16::to_le_bytes));
        for bytes in [utf8.as_bytes(), &gbk, &bom, &utf16] {
            assert_eq!(read(bytes, "csv").unwrap()[0].rows, want);
        }
    }

    #[test]
    fn error_values_and_blanks() {
        let rows = read("a,#DIV/0!, ,\"x\ny\"\n".as_bytes(), "csv").unwrap().remove(0).rows;
        assert_eq!(
            rows[0],
            [Cell::Text("a".into()), Cell::Error("#DIV/0!".into()), Cell::Empty, Cell::Text("x\ny".into())]
        );
    }

    /// A date typed into Excel is a serial number with a date format: it reads as the date.
    #[test]
    fn excel_dates_are_calendar_dates() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy/m/d");
        let ws = book.add_worksheet();
        ws.write_datetime_with_format(0, 0, rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 11, 27).unwrap(), &date)
            .unwrap();
        ws.write_number(0, 1, 12.0).unwrap();
        ws.write_number(0, 2, 3.1).unwrap();
        let rows = read(&book.save_to_buffer().unwrap(), "xlsx").unwrap().remove(0).rows;
        assert_eq!(rows[0], [Cell::Text("2026-11-27".into()), Cell::Text("12".into()), Cell::Text("3.1".into())]);
        assert_eq!(excel_date(46_353.5), "2026-11-27 12:00");
    }

    #[test]
    fn not_a_workbook_says_so_in_chinese() {
        let e = read(b"not a workbook", "et").unwrap_err();
        assert!(e.message.contains("WPS"), "{e:?}");
        assert!(read(b"", "docx").unwrap_err().message.contains(".docx"));
    }
}
