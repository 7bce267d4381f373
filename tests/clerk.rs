//! A clerk's day, played with only the commands the manual (docs/07-一天的工作.md, docs/02-开始.md)
//! and the README document: `init` a site, `export` the fill-in sheet, fill the fees into that
//! workbook as Excel would save it, `import … --write`, hold the unit's YAML to the schemas `init`
//! wrote, `check`, save a file as GBK the way Notepad does, `fix --write` it, `check`, `build`.
//!
//! The manual runs the same steps with a CSV file (its runner cannot type into a workbook); here
//! the workbook is the one `export` wrote, and the assertions go past what the shown output says.

mod common;

use std::fs;
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use common::{Site, fill_in, run_in};
use serde_json::Value;

const TODAY: &str = "2026-11-27";
const FEES: &str = "content/my-unit/fees.yaml";

/// The fees the clerk types, by column header.
const ROWS: [[(&str, &str); 4]; 2] = [
    [
        ("项目名称", "居民生活用水"),
        ("收费依据", "白银市发展和改革委员会关于城区居民阶梯水价的通知"),
        ("收费标准", "3.10 元/立方米"),
        ("计费单位", "立方米"),
    ],
    [
        ("项目名称", "非居民用水"),
        ("收费依据", "白银市发展和改革委员会关于非居民用水价格的通知"),
        ("收费标准", "4.50 元/立方米"),
        ("计费单位", "立方米"),
    ],
];

/// The clerk opens the exported sheet, types the fees under its headers and saves it: the sheet's
/// name and header row stay as `export` wrote them (read back with calamine), the typed rows are
/// added below (rust_xlsxwriter cannot open a workbook, so the saved file is written anew).
fn fill_sheet(path: &Path) {
    let mut book = open_workbook_auto(path).unwrap();
    let sheets = book.sheet_names();
    assert_eq!(sheets.len(), 1, "{sheets:?}");
    let range = book.worksheet_range(&sheets[0]).unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows.len(), 1, "a blank sheet holds its header only");
    let headers: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    for (header, _) in ROWS[0] {
        assert!(headers.iter().any(|h| h == header), "the exported sheet has no column {header}: {headers:?}");
    }

    let mut saved = rust_xlsxwriter::Workbook::new();
    let sheet = saved.add_worksheet();
    sheet.set_name(&sheets[0]).unwrap();
    for (col, header) in headers.iter().enumerate() {
        sheet.write_string(0, col as u16, header).unwrap();
    }
    for (row, fee) in ROWS.iter().enumerate() {
        for (header, value) in fee {
            let col = headers.iter().position(|h| h == header).unwrap();
            sheet.write_string(row as u32 + 1, col as u16, *value).unwrap();
        }
    }
    saved.save(path).unwrap();
}

/// The schema a YAML file names in its first line (`# yaml-language-server: $schema=…`), as the
/// editor resolves it: relative to the file.
fn schema_of(file: &Path) -> Value {
    let text = fs::read_to_string(file).unwrap();
    let first = text.lines().next().unwrap();
    let rel = first.strip_prefix("# yaml-language-server: $schema=").unwrap_or_else(|| panic!("{}", file.display()));
    serde_json::from_str(&fs::read_to_string(file.parent().unwrap().join(rel)).unwrap()).unwrap()
}

fn errors_of(schema: &Value, yaml: &str) -> Vec<String> {
    let instance: Value = serde_saphyr::from_str(yaml).unwrap();
    let validator = jsonschema::validator_for(schema).unwrap();
    validator.iter_errors(&instance).map(|e| e.to_string()).collect()
}

/// `check --format json` of the site: (exit code, findings in `file`, status of each fee rule).
fn check(site: &Path, file: &str) -> (i32, Vec<Value>, Vec<String>) {
    let out = run_in(site, &["check", "--format", "json", "--today", TODAY], &[]);
    let json: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", out.stdout, out.stderr));
    let findings = json["findings"].as_array().unwrap().iter().filter(|f| f["file"] == file).cloned().collect();
    let fee_rules = json["units"][0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["rule"].as_str().unwrap().starts_with("baiyin-2021/fee"))
        .map(|r| format!("{} {}", r["rule"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    (out.code, findings, fee_rules)
}

#[test]
fn a_clerks_day_from_the_fill_in_sheet_to_the_published_fees() {
    let tmp = Site::empty();
    let out = run_in(tmp.path(), &["init", "清源供水", "--sector", "供水"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let site = tmp.file("清源供水");

    // the fill-in sheet, filled in as Excel saves it
    let out = run_in(&site, &["export", "--blank", "--as", "fees", "--unit", "my-unit"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("已写入 ./blank-fees.xlsx"), "{}", out.stdout);
    fill_sheet(&site.join("blank-fees.xlsx"));

    // import: shown first, nothing changes; then written, the old file kept as a hidden backup
    let scaffold = fs::read(site.join(FEES)).unwrap();
    let import = ["import", "blank-fees.xlsx", "--unit", "my-unit", "--as", "fees"];
    let out = run_in(&site, &import, &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("+    收费标准: 3.10 元/立方米"), "{}", out.stdout);
    assert_eq!(fs::read(site.join(FEES)).unwrap(), scaffold, "without --write nothing is written");
    let out = run_in(&site, &[&import[..], &["--write"]].concat(), &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let fees = fs::read_to_string(site.join(FEES)).unwrap();
    for fee in ROWS {
        for (header, value) in fee {
            assert!(fees.contains(&format!("{header}: {value}\n")), "{header}: {value} missing from\n{fees}");
        }
    }
    assert!(!fees.contains(": 待补充"), "{fees}");
    let backups: Vec<_> = fs::read_dir(site.join("content/my-unit"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".fees.yaml.bak-"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(fs::read(site.join("content/my-unit").join(&backups[0])).unwrap(), scaffold);

    // the editor's view: every YAML file of the unit holds to the schema its first line names
    // (the fees as imported, the rest still 待补充), and a misspelt key would not
    let unit = site.join("content/my-unit");
    let mut validated = 0;
    for entry in walkdir::WalkDir::new(&unit).into_iter().map(Result::unwrap) {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden || path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let errors = errors_of(&schema_of(path), &fs::read_to_string(path).unwrap());
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
        validated += 1;
    }
    assert!(validated >= 5, "{validated}");
    let misspelt = errors_of(&schema_of(&site.join(FEES)), &fees.replace("收费标准:", "收费标注:"));
    assert!(!misspelt.is_empty(), "a misspelt key must fail the schema");

    // check: the fees are published (every fee rule passes, nothing to say about fees.yaml);
    // the clerk fills in the other items by hand, and the unit passes
    let (code, findings, fee_rules) = check(&site, FEES);
    assert_eq!(code, 1, "the other items are still 待补充");
    assert!(findings.is_empty(), "{findings:#?}");
    assert!(!fee_rules.is_empty() && fee_rules.iter().all(|r| r.ends_with(" passed")), "{fee_rules:?}");
    fill_in(&site);
    let out = run_in(&site, &["check", "--today", TODAY], &[]);
    assert_eq!(out.code, 0, "the filled-in unit should pass:\n{}", out.stdout);
    let good = fs::read(site.join(FEES)).unwrap();

    // saved from Notepad as GBK: check names the file, its fees no longer count
    let text = String::from_utf8(good.clone()).unwrap();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    fs::write(site.join(FEES), &gbk).unwrap();
    let (code, findings, fee_rules) = check(&site, FEES);
    assert_eq!(code, 1);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["kind"], "syntax");
    assert!(findings[0]["message"].as_str().unwrap().contains("GBK"), "{}", findings[0]);
    assert!(findings[0]["help"].as_str().unwrap().contains("gongkai fix --write"), "{}", findings[0]);
    assert!(fee_rules.iter().all(|r| !r.ends_with(" passed")), "{fee_rules:?}");

    // fix shows, fix --write repairs and keeps the GBK original as .fees.yaml.bak
    let out = run_in(&site, &["fix"], &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains(FEES), "{}", out.stdout);
    assert_eq!(fs::read(site.join(FEES)).unwrap(), gbk.as_ref(), "without --write nothing is written");
    let out = run_in(&site, &["fix", "--write"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(fs::read(site.join(FEES)).unwrap(), good, "the repaired file is the clerk's text in UTF-8");
    assert_eq!(fs::read(site.join("content/my-unit/.fees.yaml.bak")).unwrap(), gbk.as_ref());
    assert_eq!(run_in(&site, &["fix"], &[]).code, 0, "nothing left to repair");
    let out = run_in(&site, &["check", "--today", TODAY], &[]);
    assert_eq!(out.code, 0, "{}", out.stdout);

    // build: the unit's fees page shows what came from the sheet
    let out = run_in(&site, &["build", "--quiet", "--today", TODAY], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let page = fs::read_to_string(site.join("public/my-unit/fees.html")).unwrap();
    for fee in ROWS {
        for (_, value) in fee {
            assert!(page.contains(value), "public/my-unit/fees.html does not show {value}");
        }
    }
    assert!(site.join("public/index.html").is_file());
    // neither backup nor the sheet is published
    let published = common::tree(&site.join("public"));
    assert!(published.keys().all(|p| !p.contains(".bak") && !p.ends_with(".xlsx")), "{:?}", published.keys());
}
