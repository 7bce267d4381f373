//! `gongkai export`, and the round trip a clerk makes: export the tables, edit them in Excel or
//! WPS, import them back. Exported and imported unchanged, every file of every example unit is
//! the same bytes; imported into a unit without the file, it loads to the same model.

mod common;

use std::fs;
use std::io::Read;

use common::{Site, tree};
use gongkai::sheet::Kind;
use gongkai::yaml::{Node, Value};

const KINDS: [&str; 5] = ["fees", "commitments", "leaders", "staff", "supervisors"];
const UNITS: [&str; 5] = ["jinding-school", "qingyuan-water", "renhe-hospital", "tongcheng-power", "yincheng-bus"];

fn ok(out: &common::Output) {
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

/// Each of the five tables of each example unit, through xlsx (one unit's workbook, and the
/// workbook of every unit with its 单位 columns) and CSV: imported back, the file is unchanged.
#[test]
fn export_then_import_gives_the_same_bytes_for_every_table_of_every_unit() {
    let site = Site::example();
    let before = tree(site.path());
    ok(&site.run(&["export", "-o", "out"]));
    ok(&site.run(&["export", "--format", "csv", "-o", "out"]));
    for unit in UNITS {
        ok(&site.run(&["export", "--unit", unit, "-o", "out"]));
        for kind in KINDS {
            for file in [format!("out/{unit}.xlsx"), "out/all-units.xlsx".into(), format!("out/all-units-{kind}.csv")] {
                let out = site.run(&["import", &file, "--unit", unit, "--as", kind, "--write"]);
                ok(&out);
                assert!(out.stdout.contains("已经是这些内容，不需要改动"), "{unit} {kind} {file}:\n{}", out.stdout);
            }
        }
    }
    site.remove("out");
    assert_eq!(tree(site.path()), before);
}

/// A unit without the file yet: the import writes a new one, which the library's own loader
/// reads back without a problem to the same list as the unit it was exported from.
#[test]
fn imported_into_a_new_file_it_loads_to_the_same_model() {
    let site = Site::example();
    ok(&site.run(&["export", "-o", "out"]));
    let schema = gongkai::load::packs_for(site.path()).unwrap().0;
    for unit in UNITS {
        for kind in [Kind::Fees, Kind::Commitments, Kind::Supervisors, Kind::Leaders, Kind::Staff] {
            let (doc, _) = kind.spec(&schema).unwrap();
            let path = format!("content/{unit}/{}", doc.file);
            let original = list_of(&site, unit, kind);
            let fresh = Site::example();
            fs::copy(site.file("out/all-units.xlsx"), fresh.file("all.xlsx")).unwrap();
            if kind == Kind::Leaders || kind == Kind::Staff {
                // keep the unit's sector (and so its packs' columns), drop the list
                let kept = without_list(&fresh.read(&path), &schema, kind);
                fresh.write(&path, kept);
            } else {
                fresh.remove(&path);
            }
            let out = fresh.run(&["import", "all.xlsx", "--unit", unit, "--as", kind.name(), "--write"]);
            ok(&out);
            let site_loaded = gongkai::load::load_site(fresh.path(), &Default::default()).unwrap();
            let dir = site_loaded.units.iter().find(|d| d.slug == unit).unwrap();
            let loaded = site_loaded.load_unit(dir);
            let problems: Vec<_> = loaded.findings.iter().filter(|f| f.file == path).collect();
            assert!(problems.is_empty(), "{unit} {}: {problems:?}\n{}", kind.name(), fresh.read(&path));
            assert_eq!(list_of(&fresh, unit, kind), original, "{unit} {}\n{}", kind.name(), fresh.read(&path));
        }
    }
}

/// The unit's text without the table's list field (written in any of its names).
fn without_list(text: &str, schema: &gongkai::schema::Schema, kind: Kind) -> String {
    let (_, def) = kind.spec(schema).unwrap();
    let mut out = String::new();
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        if !line.starts_with([' ', '-', '#']) {
            skipping = line.split_once(':').is_some_and(|(k, _)| def.accepts(k));
        }
        if !skipping {
            out.push_str(line);
        }
    }
    out
}

/// A unit's list, loaded and stripped of positions and spellings: what the model holds.
fn list_of(site: &Site, unit: &str, kind: Kind) -> String {
    let loaded = gongkai::load::load_site(site.path(), &Default::default()).unwrap();
    let dir = loaded.units.iter().find(|d| d.slug == unit).unwrap();
    let u = loaded.load_unit(dir);
    let node = u.doc(kind.doc_kind()).and_then(|d| d.data.as_ref()?.get(kind.field_key()).cloned());
    node.map(|n| plain(&n)).unwrap_or_default()
}

fn plain(node: &Node) -> String {
    match &node.value {
        Value::Null => "~".into(),
        Value::Bool(b) => b.to_string(),
        Value::Text(t) => format!("{t:?}"),
        Value::List(items) => format!("[{}]", items.iter().map(plain).collect::<Vec<_>>().join(", ")),
        // a mapping's order is no part of the model
        Value::Map(entries) => {
            let mut pairs: Vec<String> = entries.iter().map(|e| format!("{}: {}", e.key, plain(&e.value))).collect();
            pairs.sort();
            format!("{{{}}}", pairs.join(", "))
        }
    }
}

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

#[test]
fn two_exports_are_byte_identical_with_bold_frozen_text_headers() {
    let site = Site::example();
    ok(&site.run(&["export", "--unit", "jinding-school", "-o", "a"]));
    // the zip's and the workbook's clocks have two-second steps
    std::thread::sleep(std::time::Duration::from_millis(2100));
    ok(&site.run(&["export", "--unit", "jinding-school", "-o", "b"]));
    let (a, b) =
        (fs::read(site.file("a/jinding-school.xlsx")).unwrap(), fs::read(site.file("b/jinding-school.xlsx")).unwrap());
    assert!(a == b, "two exports differ");
    assert!(
        unzip(&a, "docProps/core.xml").contains("<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-01-01T00:00:00Z")
    );
    let book = unzip(&a, "xl/workbook.xml");
    assert!(book.contains("name=\"窗口单位领导\"") && book.contains("name=\"社会监督员\""), "{book}");
    let sheet = unzip(&a, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("state=\"frozen\""), "{sheet}");
    assert!(sheet.contains("<col min=\"1\""), "{sheet}");
    let styles = unzip(&a, "xl/styles.xml");
    assert!(styles.contains("<b/>") && styles.contains("formatCode=\"@\""), "{styles}");
    // the same export again writes nothing new; a file that differs is never replaced
    let again = site.run(&["export", "--unit", "jinding-school", "-o", "a"]);
    ok(&again);
    assert!(again.stdout.contains("没有变化"), "{}", again.stdout);
    site.write("a/jinding-school.xlsx", b"filled in by a clerk");
    let refused = site.run(&["export", "--unit", "jinding-school", "-o", "a"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("没有覆盖"), "{}", refused.stderr);
    assert_eq!(fs::read(site.file("a/jinding-school.xlsx")).unwrap(), b"filled in by a clerk");
}

/// The fill-in sheet for clerks: the headers only, each with what to write; filled in and
/// imported, it is a unit's fees.
#[test]
fn a_blank_sheet_is_filled_in_and_imported() {
    let site = Site::example();
    ok(&site.run(&["export", "--blank", "--as", "fees", "-o", "out"]));
    let bytes = fs::read(site.file("out/blank-fees.xlsx")).unwrap();
    let sheets = gongkai::sheet::read::read(&bytes, "xlsx").unwrap();
    assert_eq!(sheets.len(), 1);
    assert_eq!(sheets[0].name.as_deref(), Some("收费项目"));
    let header: Vec<String> = sheets[0].rows[0].iter().map(|c| format!("{c:?}")).collect();
    assert_eq!(header.join(","), r#"Text("项目名称"),Text("收费依据"),Text("收费标准"),Text("计费单位"),Text("备注")"#);
    assert!(unzip(&bytes, "xl/comments1.xml").contains("每一项都要填写"));
    let unfilled = site.run(&["import", "out/blank-fees.xlsx", "--unit", "qingyuan-water", "--as", "fees"]);
    assert_eq!(unfilled.code, 1, "{}", unfilled.stdout);
    // a hospital's leaders sheet has its pack's 科室 column
    ok(&site.run(&["export", "--blank", "--as", "leaders", "--unit", "renhe-hospital", "-o", "h"]));
    let bytes = fs::read(site.file("h/blank-leaders.xlsx")).unwrap();
    let sheets = gongkai::sheet::read::read(&bytes, "xlsx").unwrap();
    assert!(format!("{:?}", sheets[0].rows[0]).contains("科室（部门）"), "{:?}", sheets[0].rows[0]);
}

#[test]
fn csv_exports_are_utf8_with_bom_and_a_unit_column_for_every_unit() {
    let site = Site::example();
    ok(&site.run(&["export", "--format", "csv", "--as", "supervisors", "-o", "out"]));
    let text = fs::read_to_string(site.file("out/all-units-supervisors.csv")).unwrap();
    assert!(text.starts_with("\u{feff}单位,单位文件夹,姓名,联系方式,身份\r\n"), "{text}");
    assert!(text.contains("\r\n白银市仁和医院,renhe-hospital,周建民,0943-8230512,白银区人大代表\r\n"), "{text}");
}
