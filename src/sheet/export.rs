//! From loaded units to spreadsheets: one table per kind, with the content model's Chinese
//! names as headers, written as an xlsx workbook (one sheet per table) or as CSV files.
//!
//! Pure: `commands` loads the units and writes the bytes. An xlsx is byte-for-byte the same for
//! the same content: its creation date is fixed ([`CREATED`]), and every cell is written as
//! text so that Excel keeps `2026-01-01` and `0943-8216601` as they are.

use std::collections::BTreeMap;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatBorder, Note, Workbook, XlsxError};

use super::{Kind, UNIT_DIR, UNIT_NAME};
use crate::model::Unit;
use crate::pack::Pack;
use crate::schema::{FieldDef, FieldType, Schema};
use crate::yaml::{Node, Value};

/// The creation date written into every workbook, so that two exports of the same content are
/// the same bytes.
pub const CREATED: (u16, u8, u8) = (2026, 1, 1);

/// One table, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Which table.
    pub kind: Kind,
    /// Its Chinese name, the sheet's name (`收费项目`).
    pub title: String,
    /// The header row.
    pub headers: Vec<String>,
    /// A note on each header (what to write), for fill-in sheets.
    pub notes: Vec<Option<String>>,
    /// The rows, each as many cells as headers.
    pub rows: Vec<Vec<String>>,
}

/// Rows gathered unit by unit; the columns are settled once all are in.
#[derive(Debug)]
pub struct Collect {
    kind: Kind,
    every_unit: bool,
    sectors: Vec<Option<String>>,
    /// (unit name, folder, values by canonical key).
    rows: Vec<(String, String, BTreeMap<String, String>)>,
}

impl Collect {
    /// An empty table; `every_unit` adds the columns naming the unit.
    pub fn new(kind: Kind, every_unit: bool) -> Collect {
        Collect { kind, every_unit, sectors: Vec::new(), rows: Vec::new() }
    }

    /// Add a unit's entries (none when it has no such list). A unit that declares it has none
    /// (`不适用: 原因`) gets one row saying so, as the clerk would type it.
    pub fn add(&mut self, unit: &Unit, schema: &Schema) {
        self.sectors.push(unit.sector.clone());
        let Some((_, list)) = self.kind.spec(schema) else { return };
        let Some(value) = unit.doc(self.kind.doc_kind()).and_then(|d| d.data.as_ref()?.get(self.kind.field_key()))
        else {
            return;
        };
        let row = |values| (unit.name().to_string(), unit.slug.clone(), values);
        if let Some(reason) = crate::declaration::reason(value) {
            let first = list.fields.first().map(|f| f.key.clone()).unwrap_or_default();
            self.rows.push(row(BTreeMap::from([(first, crate::declaration::statement(reason))])));
            return;
        }
        for entry in value.as_list().unwrap_or_default() {
            let values: BTreeMap<String, String> = entry
                .as_map()
                .unwrap_or_default()
                .iter()
                .map(|e| (e.key.clone(), cell(&e.value)))
                .filter(|(_, v)| !v.is_empty())
                .collect();
            if !values.is_empty() {
                self.rows.push(row(values));
            }
        }
    }

    /// The table: the columns of the content model the units use (see [`super::columns`]).
    pub fn finish(self, schema: &Schema, packs: &[Pack]) -> Table {
        let sectors: Vec<Option<&str>> = self.sectors.iter().map(Option::as_deref).collect();
        let has_data = |key: &str| self.rows.iter().any(|(_, _, v)| v.contains_key(key));
        let columns = super::columns(schema, packs, self.kind, &sectors, &has_data);
        let mut table = empty(self.kind, schema, &columns, self.every_unit);
        for (name, slug, values) in &self.rows {
            let unit = if self.every_unit { vec![name.clone(), slug.clone()] } else { Vec::new() };
            let cells = columns.iter().map(|f| values.get(&f.key).cloned().unwrap_or_default());
            table.rows.push(unit.into_iter().chain(cells).collect());
        }
        table
    }
}

/// A fill-in sheet: the header only, each with a note saying what to write (and whether every
/// row needs it, by the packs that apply to `sector`).
pub fn blank(kind: Kind, schema: &Schema, packs: &[Pack], sector: Option<&str>) -> Table {
    let columns = super::columns(schema, packs, kind, &[sector], &|_| false);
    let required = super::required(packs, kind, sector);
    let mut table = empty(kind, schema, &columns, false);
    table.notes = columns
        .iter()
        .map(|f| {
            let must = required.contains(&f.key).then_some("每一项都要填写。");
            let lines = (f.ty == FieldType::Lines).then_some("分几条写时，在单元格内换行（Alt+Enter）。");
            let text: String = [f.hint.as_deref(), must, lines].into_iter().flatten().collect::<Vec<_>>().join("\n");
            (!text.is_empty()).then_some(text)
        })
        .collect();
    table
}

fn empty(kind: Kind, schema: &Schema, columns: &[&FieldDef], every_unit: bool) -> Table {
    let unit = if every_unit { vec![UNIT_NAME.to_string(), UNIT_DIR.to_string()] } else { Vec::new() };
    let headers: Vec<String> = unit.into_iter().chain(columns.iter().map(|f| f.zh.clone())).collect();
    Table { kind, title: kind.title(schema), notes: vec![None; headers.len()], headers, rows: Vec::new() }
}

/// A value as one cell: a list of lines on lines of the cell, a declaration as the clerk writes
/// it (`不适用：原因`).
fn cell(node: &Node) -> String {
    if let Some(reason) = crate::declaration::reason(node) {
        return crate::declaration::statement(reason);
    }
    match &node.value {
        Value::Text(t) => t.trim_end().to_string(),
        Value::Bool(b) => b.to_string(),
        Value::List(items) => items.iter().map(cell).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("\n"),
        Value::Null | Value::Map(_) => String::new(),
    }
}

/// The tables as one workbook, a sheet each: header bold and frozen, columns as wide as their
/// text (within bounds), every cell text.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let (y, m, d) = CREATED;
    book.set_properties(&DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(y, m, d)?));
    let text = Format::new().set_num_format("@");
    let wrap = text.clone().set_text_wrap();
    let head = text.clone().set_bold().set_border_bottom(FormatBorder::Thin);
    for table in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(&table.title)?;
        for (j, header) in table.headers.iter().enumerate() {
            let col = j as u16;
            let width = std::iter::once(header)
                .chain(table.rows.iter().filter_map(|r| r.get(j)))
                .flat_map(|s| s.lines())
                .map(display_width)
                .max()
                .unwrap_or(8);
            sheet.set_column_width(col, (width as f64 + 2.0).clamp(8.0, 60.0))?;
            // new rows typed into the sheet are text too: Excel leaves 2026-01-01 alone
            sheet.set_column_format(col, &text)?;
            sheet.write_string_with_format(0, col, header, &head)?;
            if let Some(Some(note)) = table.notes.get(j) {
                sheet.insert_note(0, col, &Note::new(note).add_author_prefix(false))?;
            }
            for (i, row) in table.rows.iter().enumerate() {
                let value = row.get(j).map_or("", String::as_str);
                if !value.is_empty() {
                    let format = if value.contains('\n') { &wrap } else { &text };
                    sheet.write_string_with_format(i as u32 + 1, col, value, format)?;
                }
            }
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    book.save_to_buffer()
}

/// A table as CSV: UTF-8 with a BOM (so that Excel reads the Chinese), CRLF line ends.
pub fn csv(table: &Table) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
    // writing into memory cannot fail
    let _ = writer.write_record(&table.headers);
    for row in &table.rows {
        let _ = writer.write_record(row);
    }
    let _ = writer.flush();
    drop(writer);
    out
}

/// How many columns of a spreadsheet a text needs: a Chinese character is two.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}
