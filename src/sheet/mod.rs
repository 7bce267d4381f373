//! Spreadsheets in and out: the tables a clerk keeps in Excel or WPS (fees, commitments, leaders,
//! staff duties, social supervisors) as the list fields of the content model.
//!
//! Sits beside `load`, below `commands` (whose `import` and `export` do the file I/O and the
//! printing): `read` turns a workbook or CSV file into cells, `import` turns cells into the YAML
//! of one unit's file (with every cell it could not read), `export` turns a unit's loaded list
//! into rows and writes them as xlsx or CSV. The columns are the content model's own fields
//! (`schema.yaml` and the packs' additions), matched by any name the YAML accepts, so there is
//! no second table of names.

use crate::pack::{Check, Pack};
use crate::schema::{DocSpec, FieldDef, Schema};

pub mod export;
pub mod import;
mod layout;
pub mod read;

/// The tables that can be imported and exported: each one list field of the content model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Kind {
    /// 收费项目 (`fees.yaml`).
    Fees,
    /// 服务承诺 (`commitments.yaml`).
    Commitments,
    /// 窗口单位领导 (`unit.yaml`).
    Leaders,
    /// 岗位职责 (`unit.yaml`).
    Staff,
    /// 社会监督员 (`supervision.yaml`).
    Supervisors,
}

impl Kind {
    /// Every table, in the order of the measure's articles.
    pub const ALL: [Kind; 5] = [Kind::Leaders, Kind::Staff, Kind::Fees, Kind::Commitments, Kind::Supervisors];

    /// The name on the command line and in file names (`fees`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Fees => "fees",
            Kind::Commitments => "commitments",
            Kind::Leaders => "leaders",
            Kind::Staff => "staff",
            Kind::Supervisors => "supervisors",
        }
    }

    /// The document of the content model that holds the list (`fees`, `unit`).
    pub fn doc_kind(self) -> &'static str {
        match self {
            Kind::Fees => "fees",
            Kind::Commitments => "commitments",
            Kind::Leaders | Kind::Staff => "unit",
            Kind::Supervisors => "supervision",
        }
    }

    /// The list field's canonical key in that document.
    pub fn field_key(self) -> &'static str {
        match self {
            Kind::Fees => "fees",
            Kind::Commitments => "commitments",
            Kind::Leaders => "leaders",
            Kind::Staff => "staff_duties",
            Kind::Supervisors => "supervisors",
        }
    }

    /// The document and its list field in a content model.
    pub fn spec(self, schema: &Schema) -> Option<(&DocSpec, &FieldDef)> {
        let doc = schema.doc(self.doc_kind())?;
        Some((doc, doc.field(self.field_key())?))
    }

    /// The table's Chinese name (the list field's, `收费项目`): the sheet's name.
    pub fn title(self, schema: &Schema) -> String {
        self.spec(schema).map_or_else(|| self.name().to_string(), |(_, f)| f.zh.clone())
    }
}

/// The header of the column naming the unit, in a table of every unit.
pub const UNIT_NAME: &str = "单位";
/// The header of the column with the unit's folder name, in a table of every unit.
pub const UNIT_DIR: &str = "单位文件夹";

/// The columns of a table: the list's sub-fields in the built-in content model, and those a rule
/// pack adds when it applies to `sector` or when `has_data` says a row fills them.
pub fn columns<'a>(
    schema: &'a Schema,
    packs: &[Pack],
    kind: Kind,
    sectors: &[Option<&str>],
    has_data: &dyn Fn(&str) -> bool,
) -> Vec<&'a FieldDef> {
    let Some((doc, list)) = kind.spec(schema) else { return Vec::new() };
    let builtin = Schema::builtin();
    let base = kind.spec(&builtin).map(|(_, f)| f.fields.clone()).unwrap_or_default();
    let added_by = |key: &str| {
        packs.iter().filter(|p| sectors.iter().any(|s| p.applies_to(*s))).any(|p| {
            p.fields
                .get(&doc.file)
                .into_iter()
                .flatten()
                .any(|f| f.key == list.key && f.fields.iter().any(|s| s.key == key))
        })
    };
    list.fields.iter().filter(|f| base.iter().any(|b| b.key == f.key) || added_by(&f.key) || has_data(&f.key)).collect()
}

/// The sub-fields the packs that apply to a unit of `sector` require in every entry (an error
/// when missing): a row without them cannot be imported.
pub fn required(packs: &[Pack], kind: Kind, sector: Option<&str>) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for p in packs.iter().filter(|p| p.applies_to(sector)) {
        for rule in p.rules.iter().filter(|r| r.applies_to(sector) && r.severity == crate::finding::Severity::Error) {
            let (Some(field), Check::Item(req)) = (&rule.field, &rule.check) else { continue };
            if rule.kind() != Some(kind.doc_kind()) || field != kind.field_key() {
                continue;
            }
            for (key, _) in &req.each {
                if !keys.contains(key) {
                    keys.push(key.clone());
                }
            }
        }
    }
    keys
}

/// A column's letter as the spreadsheet shows it: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(index: u32) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_as_excel_shows_them() {
        let got: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702].into_iter().map(column_letter).collect();
        assert_eq!(got, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn every_kind_is_a_list_of_the_builtin_model() {
        let schema = Schema::builtin();
        for kind in Kind::ALL {
            let (_, list) = kind.spec(&schema).unwrap_or_else(|| panic!("{}", kind.name()));
            assert_eq!(list.ty, crate::schema::FieldType::List, "{}", kind.name());
            assert!(!list.fields.is_empty());
        }
        assert_eq!(Kind::Fees.title(&schema), "收费项目");
        assert_eq!(Kind::Staff.title(&schema), "岗位职责");
    }

    /// A value the loader refuses (here a date sub-field a pack could add) is reported at the
    /// cell it came from, and nothing is written.
    #[test]
    fn what_the_loader_refuses_is_reported_at_its_cell() {
        use read::{Cell, Sheet};
        let mut schema = Schema::builtin();
        let since: FieldDef = serde_saphyr::from_str(
            "{key: fees, zh: 收费项目, type: list, fields: [{key: since, zh: 执行日期, type: date}]}",
        )
        .unwrap();
        schema.extend("fees.yaml", &[since]).unwrap();
        let text = |s: &str| Cell::Text(s.to_string());
        let sheet = Sheet {
            name: None,
            top: 1,
            left: 1,
            rows: vec![
                vec![text("项目名称"), text("执行日期")],
                vec![text("水费"), text("2026-01-01")],
                vec![text("污水处理费"), text("2026-02-30")],
            ],
        };
        let target = import::Target {
            schema: &schema,
            packs: &[],
            kind: Kind::Fees,
            slug: "u",
            name: "u",
            sector: None,
            file: "content/u/fees.yaml",
            existing: Some("收费项目:\n  - 名称: 旧\n更新日期: 2026-01-01\n"),
        };
        let plan = import::plan(&target, &[sheet]);
        assert_eq!(plan.text, None);
        let places: Vec<(String, &str)> = plan.problems.iter().map(|p| (p.place(), p.message.as_str())).collect();
        assert_eq!(places, [("第 3 行 C 列（执行日期）".to_string(), "「执行日期」不是有效的日期：「2026-02-30」")]);
    }
}
