//! From cells to a unit's YAML: which sheet, which row is the header, which column is which
//! field (by any name the content model accepts), every row that cannot be read with its row
//! number and column letter, and the file's new text. Pure: `commands` reads the files and
//! writes the result.

use super::layout::{self, Body, Filled};
use super::read::{Cell, Sheet};
use super::{Kind, UNIT_DIR, UNIT_NAME, column_letter};
use crate::pack::Pack;
use crate::schema::{self, FieldDef, Schema};

/// What the import is for.
pub struct Target<'a> {
    /// The content model (with the packs' fields).
    pub schema: &'a Schema,
    /// The site's rule packs.
    pub packs: &'a [Pack],
    /// The table.
    pub kind: Kind,
    /// The unit's folder name.
    pub slug: &'a str,
    /// The unit's name (its 单位名称).
    pub name: &'a str,
    /// The unit's sector, for the packs that apply.
    pub sector: Option<&'a str>,
    /// The file the list goes into, site-relative (`content/x/fees.yaml`).
    pub file: &'a str,
    /// Its text now (BOM removed); `None` when there is no such file yet.
    pub existing: Option<&'a str>,
}

/// A cell, a row or the file that cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The spreadsheet row (1-based); `None` for the file as a whole.
    pub row: Option<u32>,
    /// The column (0 = A), when one cell is meant.
    pub col: Option<u32>,
    /// The column's header, when known.
    pub header: Option<String>,
    /// What is wrong, in Chinese.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
}

impl Problem {
    /// Where, in the spreadsheet's terms: `第 3 行 C 列（收费标准）`.
    pub fn place(&self) -> String {
        let mut s = String::new();
        if let Some(r) = self.row {
            s.push_str(&format!("第 {r} 行"));
        }
        if let Some(c) = self.col {
            s.push_str(&format!(" {} 列", column_letter(c)));
        }
        if let Some(h) = &self.header {
            s.push_str(&format!("（{h}）"));
        }
        s
    }
}

/// The outcome of reading a table for a unit.
#[derive(Debug)]
pub struct Plan {
    /// The worksheet read (`None` for CSV).
    pub sheet: Option<String>,
    /// The header's row.
    pub header_row: u32,
    /// Entries read (0 for a declaration).
    pub entries: usize,
    /// The unit has none of these: the reason it gives.
    pub declaration: Option<String>,
    /// Rows of other units skipped (in a table of every unit).
    pub other_units: usize,
    /// How many entries the file's list had before (`None`: it had no list).
    pub replaced: Option<usize>,
    /// Everything that could not be read; when not empty, `text` is `None`.
    pub problems: Vec<Problem>,
    /// The file's new text.
    pub text: Option<String>,
}

/// A column of the table.
#[derive(Clone, Copy)]
enum Column<'a> {
    Field(&'a FieldDef),
    UnitName,
    UnitDir,
    /// Not read (reported when it has data).
    Skip,
}

/// Read the table for `target` from `sheets`.
pub fn plan(target: &Target<'_>, sheets: &[Sheet]) -> Plan {
    let mut plan = Plan {
        sheet: None,
        header_row: 1,
        entries: 0,
        declaration: None,
        other_units: 0,
        replaced: None,
        problems: Vec::new(),
        text: None,
    };
    let Some((doc, list)) = target.kind.spec(target.schema) else {
        plan.problems.push(whole(format!("内容模型中没有「{}」", target.kind.name()), None));
        return plan;
    };
    let Some(sheet) = pick(sheets, target.kind, list) else {
        plan.problems.push(whole("表格是空的".into(), Some("第 1 行写表头（列名），下面每行一项".into())));
        return plan;
    };
    plan.sheet = sheet.name.clone();
    let Some(h) = header_index(sheet, list) else {
        plan.problems.push(whole("表格是空的".into(), Some("第 1 行写表头（列名），下面每行一项".into())));
        return plan;
    };
    plan.header_row = sheet.top + h as u32;
    let columns = map_columns(sheet, h, list, &mut plan.problems);
    let required = super::required(target.packs, target.kind, target.sector);
    let header_of = |key: &str| columns.iter().position(|c| matches!(c, Column::Field(f) if f.key == key));
    for key in &required {
        if header_of(key).is_none()
            && let Some(f) = list.sub(key)
        {
            plan.problems.push(Problem {
                row: Some(plan.header_row),
                col: None,
                header: None,
                message: format!("表格没有「{}」列，每一项都要写{}", f.zh, f.zh),
                help: Some(format!("在表头加一列「{}」", f.zh)),
            });
        }
    }
    let mut rows: Vec<(u32, Vec<Filled>)> = Vec::new();
    let mut declaration: Option<(u32, u32, String)> = None;
    for (i, cells) in sheet.rows.iter().enumerate().skip(h + 1) {
        let row = sheet.top + i as u32;
        let cell = |j: usize| cells.get(j).unwrap_or(&Cell::Empty);
        if (0..cells.len()).all(|j| cell(j) == &Cell::Empty) {
            continue;
        }
        if !for_this_unit(&columns, cells, target) {
            plan.other_units += 1;
            continue;
        }
        let col_of = |j: usize| sheet.left + j as u32;
        let mut values = Vec::new();
        for (j, column) in columns.iter().enumerate() {
            let Column::Field(def) = column else { continue };
            match cell(j) {
                Cell::Empty => {}
                Cell::Error(e) => plan.problems.push(Problem {
                    row: Some(row),
                    col: Some(col_of(j)),
                    header: Some(def.zh.clone()),
                    message: format!("单元格是 Excel 的错误值「{e}」，不是可以公开的内容"),
                    help: Some("改正这个单元格的公式，或者直接填写内容".into()),
                }),
                Cell::Text(t) => {
                    values.push(Filled { def: (*def).clone(), col: col_of(j), text: t.trim().to_string() })
                }
            }
        }
        // `不适用：原因` alone in a row: the unit has none of these
        if let [only] = values.as_slice()
            && let Some(reason) = crate::declaration::from_text(&only.text)
        {
            if declaration.is_some() {
                plan.problems.push(Problem {
                    row: Some(row),
                    col: Some(only.col),
                    header: Some(only.def.zh.clone()),
                    message: "写了「不适用」的行只能是表格中唯一的一行".into(),
                    help: Some(format!("本单位没有{}时，只留这一行；否则删掉这一行", list.zh)),
                });
            }
            declaration = Some((row, only.col, reason.to_string()));
            continue;
        }
        for key in &required {
            if let (Some(j), Some(f)) = (header_of(key), list.sub(key))
                && cell(j) == &Cell::Empty
            {
                plan.problems.push(Problem {
                    row: Some(row),
                    col: Some(col_of(j)),
                    header: Some(f.zh.clone()),
                    message: format!("没有填写「{}」", f.zh),
                    help: Some(format!("每一项都要写{}；这一行不是要导入的内容时，删掉它", f.zh)),
                });
            }
        }
        rows.push((row, values));
    }
    if let (Some((row, col, _)), false) = (&declaration, rows.is_empty()) {
        plan.problems.push(Problem {
            row: Some(*row),
            col: Some(*col),
            header: None,
            message: "写了「不适用」的行只能是表格中唯一的一行".into(),
            help: Some(format!("本单位没有{}时，只留这一行；否则删掉这一行", list.zh)),
        });
    }
    let body = match declaration {
        Some((row, col, reason)) => {
            plan.declaration = Some(reason.clone());
            Body::Declaration(row, col, reason)
        }
        None if rows.is_empty() => {
            plan.problems.push(whole(
                format!("表头（第 {} 行）下面没有{}", plan.header_row, list.zh),
                Some(format!("每行写一项；本单位确实没有的，在第一列写「{}：原因」", crate::declaration::WORD)),
            ));
            return plan;
        }
        None => {
            plan.entries = rows.len();
            Body::Entries(rows)
        }
    };
    if !plan.problems.is_empty() {
        return plan;
    }
    match layout::splice(target.existing, doc, list, &body) {
        Ok(spliced) => {
            check_written(target, doc, &spliced, &columns, sheet, &mut plan.problems);
            if plan.problems.is_empty() {
                plan.replaced = spliced.replaced;
                plan.text = Some(spliced.text);
            }
        }
        Err(why) => plan.problems.push(whole(format!("现有的 {} {why}", target.file), None)),
    }
    plan
}

fn whole(message: String, help: Option<String>) -> Problem {
    Problem { row: None, col: None, header: None, message, help }
}

/// The sheet named for the table (`收费项目`, `fees`), else the only one, else the first whose
/// header names a field.
fn pick<'a>(sheets: &'a [Sheet], kind: Kind, list: &FieldDef) -> Option<&'a Sheet> {
    let named =
        |s: &&Sheet| s.name.as_deref().is_some_and(|n| list.accepts(n) || n.trim().eq_ignore_ascii_case(kind.name()));
    sheets
        .iter()
        .find(named)
        .or_else(|| (sheets.len() == 1).then(|| &sheets[0]))
        .or_else(|| sheets.iter().find(|s| header_index(s, list).is_some_and(|h| knows_any(&s.rows[h], list))))
        .or_else(|| sheets.first())
}

fn knows_any(row: &[Cell], list: &FieldDef) -> bool {
    row.iter().any(|c| matches!(c, Cell::Text(t) if list.fields.iter().any(|f| f.accepts(t))))
}

/// The header row: the first of the first ten non-blank rows that names a field (a title row
/// above the header is allowed), else the first non-blank row.
fn header_index(sheet: &Sheet, list: &FieldDef) -> Option<usize> {
    let filled: Vec<usize> =
        sheet.rows.iter().enumerate().filter(|(_, r)| r.iter().any(|c| c != &Cell::Empty)).map(|(i, _)| i).collect();
    filled.iter().take(10).copied().find(|&i| knows_any(&sheet.rows[i], list)).or_else(|| filled.first().copied())
}

fn map_columns<'a>(sheet: &Sheet, h: usize, list: &'a FieldDef, problems: &mut Vec<Problem>) -> Vec<Column<'a>> {
    let header_row = sheet.top + h as u32;
    let width = sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
    let has_data = |j: usize| sheet.rows.iter().skip(h + 1).any(|r| r.get(j).is_some_and(|c| c != &Cell::Empty));
    let mut columns = Vec::with_capacity(width);
    for j in 0..width {
        let col = Some(sheet.left + j as u32);
        let problem =
            |message: String, help: Option<String>| Problem { row: Some(header_row), col, header: None, message, help };
        let column = match sheet.rows[h].get(j).unwrap_or(&Cell::Empty) {
            Cell::Empty if has_data(j) => {
                problems.push(problem("这一列有内容，但没有列名".into(), Some(known(list))));
                Column::Skip
            }
            Cell::Empty => Column::Skip,
            Cell::Error(e) => {
                problems.push(problem(format!("列名是 Excel 的错误值「{e}」"), Some(known(list))));
                Column::Skip
            }
            Cell::Text(t) if t.trim() == UNIT_NAME => Column::UnitName,
            Cell::Text(t) if t.trim() == UNIT_DIR => Column::UnitDir,
            Cell::Text(t) => match list.fields.iter().find(|f| f.accepts(t)) {
                Some(f) if columns.iter().any(|c| matches!(c, Column::Field(g) if g.key == f.key)) => {
                    problems.push(problem(
                        format!("「{}」这一列重复了", t.trim()),
                        Some(format!("「{}」只能有一列，删掉或合并重复的列", f.zh)),
                    ));
                    Column::Skip
                }
                Some(f) => Column::Field(f),
                None => {
                    let names = list.fields.iter().flat_map(FieldDef::names).chain([UNIT_NAME, UNIT_DIR]);
                    let help = match schema::did_you_mean(t, names) {
                        Some(s) => {
                            let zh = list.fields.iter().find(|f| f.names().any(|n| n == s)).map_or(s, |f| &f.zh);
                            format!("是不是「{zh}」？改正列名后再导入")
                        }
                        None => known(list),
                    };
                    problems.push(problem(format!("不认识的列名「{}」", t.trim()), Some(help)));
                    Column::Skip
                }
            },
        };
        columns.push(column);
    }
    columns
}

fn known(list: &FieldDef) -> String {
    let names: Vec<&str> = list.fields.iter().map(|f| f.zh.as_str()).collect();
    format!("「{}」表可以有的列：{}", list.zh, names.join("、"))
}

/// In a table of every unit, is this row the unit's? (By folder name, else by name.)
fn for_this_unit(columns: &[Column<'_>], cells: &[Cell], target: &Target<'_>) -> bool {
    let text = |want: fn(&Column<'_>) -> bool| {
        columns.iter().position(want).map(|j| match cells.get(j) {
            Some(Cell::Text(t)) => t.trim().to_string(),
            _ => String::new(),
        })
    };
    match (text(|c| matches!(c, Column::UnitDir)), text(|c| matches!(c, Column::UnitName))) {
        (Some(dir), _) => dir == target.slug,
        (None, Some(name)) => name == target.name || name == target.slug,
        (None, None) => true,
    }
}

/// Load the new text as `check` will, and report a problem in a line the import wrote at the
/// cell it came from (a date that is not a date, a status outside the closed set).
fn check_written(
    target: &Target<'_>,
    doc: &crate::schema::DocSpec,
    spliced: &layout::Spliced,
    columns: &[Column<'_>],
    sheet: &Sheet,
    problems: &mut Vec<Problem>,
) {
    let unit = crate::load::unit_from_bytes(target.schema, doc, spliced.text.as_bytes());
    for f in &unit.findings {
        let Some(&(row, col)) = f.line.and_then(|l| spliced.cells.get(&l)) else { continue };
        let header = columns.get((col - sheet.left) as usize).and_then(|c| match c {
            Column::Field(f) => Some(f.zh.clone()),
            _ => None,
        });
        problems.push(Problem {
            row: Some(row),
            col: Some(col),
            header,
            message: f.message.clone(),
            help: f.help.clone(),
        });
    }
}
