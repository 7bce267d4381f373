//! The 评分表 as a table: the same rows for CSV (UTF-8 with a BOM, for Excel) and XLSX (scores as
//! numbers, everything else text; a fixed creation date, so the same 评分表 is the same bytes).

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, XlsxError};

use super::score::Sheet;
use super::snapshot::Snapshot;

/// One cell of the table.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    /// Text.
    Text(String),
    /// Points.
    Number(f64),
}

impl Value {
    fn text(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Number(n) => super::score::points(*n),
        }
    }
}

/// The header row and the rows.
pub(super) fn rows(sheet: &Sheet, snapshot: &Snapshot) -> (Vec<String>, Vec<Vec<Value>>) {
    let mut head: Vec<String> = ["单位", "统一社会信用代码", "县区", "主管部门", "行业"].map(String::from).to_vec();
    head.extend(sheet.indicators.iter().map(|i| format!("{} {}（{} 分）", i.id, i.name, i.points)));
    head.extend(["总分", "等次", "待评项", "缺项工作日", "自查得分（仅供参考）"].map(String::from));
    let t = |s: &Option<String>| Value::Text(s.clone().unwrap_or_default());
    let rows = sheet
        .rows
        .iter()
        .zip(&snapshot.units)
        .map(|(r, u)| {
            let mut row = vec![Value::Text(r.unit.clone()), t(&u.code), t(&u.county), t(&u.department), t(&u.sector)];
            row.extend(r.cells.iter().map(|c| match c.score() {
                Some(s) => Value::Number(s),
                None => Value::Text(c.shown()),
            }));
            row.push(Value::Number(r.total));
            row.push(Value::Text(r.grade.map_or_else(|| "待评".to_string(), str::to_string)));
            row.push(Value::Number(r.open as f64));
            row.push(r.late_days.map_or(Value::Text("未取得".into()), |d| Value::Number(f64::from(d))));
            row.push(r.self_check.map_or(Value::Text(String::new()), |s| Value::Number(f64::from(s))));
            row
        })
        .collect();
    (head, rows)
}

/// CSV: UTF-8 with a BOM, CRLF line ends.
pub(super) fn csv(head: &[String], rows: &[Vec<Value>]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
    // writing into memory cannot fail
    let _ = w.write_record(head);
    for r in rows {
        let _ = w.write_record(r.iter().map(Value::text));
    }
    let _ = w.flush();
    drop(w);
    out
}

/// XLSX: one sheet 评分表, the header bold and frozen, a note row under the table.
pub(super) fn xlsx(head: &[String], rows: &[Vec<Value>], note: &str) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    book.set_properties(&DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2026, 1, 1)?));
    let bold = Format::new().set_bold().set_border_bottom(FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
    let sheet = book.add_worksheet();
    sheet.set_name("评分表")?;
    for (j, h) in head.iter().enumerate() {
        let col = u16::try_from(j).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, col, h, &bold)?;
        sheet.set_column_width(col, if j == 0 { 34.0 } else { 14.0 })?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        for (j, v) in r.iter().enumerate() {
            let col = u16::try_from(j).unwrap_or(u16::MAX);
            match v {
                Value::Number(n) => sheet.write_number(row, col, (n * 10.0).round() / 10.0)?,
                Value::Text(s) => sheet.write_string_with_format(row, col, s, &text)?,
            };
        }
    }
    sheet.write_string(u32::try_from(rows.len() + 2).unwrap_or(u32::MAX), 0, note)?;
    sheet.set_freeze_panes(1, 1)?;
    book.save_to_buffer()
}
