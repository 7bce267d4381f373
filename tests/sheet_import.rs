//! `gongkai import` as a clerk runs it: a table from Excel, WPS or a CSV file into a unit's YAML,
//! shown first, written only with `--write`, every unreadable cell named by row and column.

mod common;

use std::fs;

use common::{Site, tree};
use rust_xlsxwriter::Workbook;

/// A one-sheet workbook of these rows (the first is the header).
fn xlsx(sheet: &str, rows: &[&[&str]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).unwrap();
    for (i, row) in rows.iter().enumerate() {
        for (j, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                ws.write_string(i as u32, j as u16, *cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

const FEES: &str = "content/qingyuan-water/fees.yaml";

#[test]
fn an_unknown_header_gets_the_field_it_probably_means_and_nothing_is_written() {
    let site = Site::example();
    site.write(
        "收费.xlsx",
        xlsx("Sheet1", &[&["项目名称", "收费依据", "收费标注"], &["水费", "甘发改〔2020〕1号", "3 元"]]),
    );
    let before = tree(site.path());
    let out = site.run(&["import", "收费.xlsx", "--unit", "qingyuan-water", "--as", "fees", "--write"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let s = &out.stdout;
    assert!(s.contains("收费.xlsx 的工作表「Sheet1」中有 2 处无法导入，没有写入任何文件"), "{s}");
    assert!(s.contains("  第 1 行 C 列：不认识的列名「收费标注」\n    帮助: 是不是「收费标准」？"), "{s}");
    // 收费标准 is required by the measure: its column is missing
    assert!(s.contains("第 1 行：表格没有「收费标准」列"), "{s}");
    assert_eq!(tree(site.path()), before);
}

#[test]
fn bad_rows_are_reported_by_row_and_column_and_nothing_is_written() {
    let site = Site::example();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (j, h) in ["项目名称", "收费依据", "收费标准"].iter().enumerate() {
        ws.write_string(0, j as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "居民用水").unwrap();
    ws.write_string(1, 1, "甘发改〔2020〕1号").unwrap();
    // a fee computed by a formula that failed
    ws.write_formula(1, 2, "=1/0").unwrap();
    ws.set_formula_result(1, 2, "#DIV/0!");
    // a row without its 项目名称
    ws.write_string(3, 1, "甘发改〔2020〕2号").unwrap();
    ws.write_string(3, 2, "5 元").unwrap();
    site.write("收费.xlsx", book.save_to_buffer().unwrap());
    let before = tree(site.path());
    let out = site.run(&["import", "收费.xlsx", "--unit", "qingyuan-water", "--as", "fees", "--write"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let s = &out.stdout;
    assert!(s.contains("  第 2 行 C 列（收费标准）：单元格是 Excel 的错误值「#DIV/0!」"), "{s}");
    assert!(s.contains("  第 4 行 A 列（项目名称）：没有填写「项目名称」"), "{s}");
    assert!(s.contains("2 处无法导入，没有写入任何文件"), "{s}");
    assert_eq!(tree(site.path()), before);
}

#[test]
fn a_gbk_csv_imports() {
    let site = Site::example();
    let csv = "项目名称,收费依据,收费标准\r\n居民生活用水,白银市发展和改革委员会关于城区居民阶梯水价的通知,\"3.10 元/立方米，含污水处理费\"\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    assert!(std::str::from_utf8(&gbk).is_err(), "the test file must not be UTF-8");
    site.write("收费.csv", &gbk);
    let out = site.run(&["import", "收费.csv", "--unit", "qingyuan-water", "--as", "fees", "--write"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("读取 收费.csv：表头在第 1 行，1 项收费项目。"), "{}", out.stdout);
    let text = site.read(FEES);
    assert!(text.contains("收费项目:\n  - 项目名称: 居民生活用水\n"), "{text}");
    assert!(text.contains("    收费标准: 3.10 元/立方米，含污水处理费\n更新日期: 2026-01-01\n"), "{text}");
    // the first comment line is kept; the check loads it without a problem
    assert!(text.starts_with("# 收费项目 —"), "{text}");
    assert_eq!(common::errors(&site.check_unit("qingyuan-water")), vec![]);
}

#[test]
fn without_write_nothing_on_disk_changes_and_the_user_sees_the_diff() {
    let site = Site::example();
    site.write(
        "收费.csv",
        "\u{feff}项目名称,收费依据,收费标准\n非居民用水,白银市发展和改革委员会关于调整城市供水价格的通知,5.50 元/立方米\n",
    );
    let before = tree(site.path());
    let out = site.run(&["import", "收费.csv", "--unit", "qingyuan-water", "--as", "fees"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(tree(site.path()), before);
    insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true,
        description => "gongkai import 收费.csv --unit qingyuan-water --as fees (a dry run)" }, {
        insta::assert_snapshot!("import_dry_run", out.stdout);
    });
}

/// A file a clerk edited by hand (comments between the keys, other fields around the list): the
/// list is replaced, everything else stays, and the old bytes are kept in a backup that is
/// never published.
#[test]
fn write_over_a_hand_edited_file_keeps_a_backup_with_the_old_bytes() {
    let site = Site::example_with("sheet_hand_edited");
    let old = fs::read(site.file(FEES)).unwrap();
    site.write("收费.csv", "收费项目名称,依据,标准\n污水处理费,甘发改价格〔2021〕7号,0.95 元/立方米\n");
    let out = site.run(&["import", "收费.csv", "--unit", "qingyuan-water", "--as", "fees", "--write"]);
    assert_eq!(out.code, 1, "「收费项目名称」is not a name of 项目名称: {}", out.stdout);
    site.write("收费.csv", "名称,依据,标准\n污水处理费,甘发改价格〔2021〕7号,0.95 元/立方米\n");
    let out = site.run(&["import", "收费.csv", "--unit", "qingyuan-water", "--as", "fees", "--write"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let backups: Vec<_> = fs::read_dir(site.file("content/qingyuan-water"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".fees.yaml.bak-"))
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(fs::read(site.file(&format!("content/qingyuan-water/{}", backups[0]))).unwrap(), old);
    assert!(out.stdout.contains(&format!("原来的文件备份为 content/qingyuan-water/{}", backups[0])), "{}", out.stdout);
    let text = site.read(FEES);
    let want = "# 收费项目（手工维护）\n# 价格主管部门批复后更新\n收费项目:\n  - 项目名称: 污水处理费\n    收费依据: 甘发改价格〔2021〕7号\n    收费标准: 0.95 元/立方米\n\n# 下次核价：2027 年\n更新日期: 2026-01-01\n# 以营业厅公示为准\n";
    assert_eq!(text, want);
    // the backup is neither published nor reported
    let result = site.check_unit("qingyuan-water");
    assert!(result.findings.iter().all(|f| !f.file.contains(".bak-")), "{:?}", result.findings);
    let again = site.run(&["import", "收费.csv", "--unit", "qingyuan-water", "--as", "fees", "--write"]);
    assert!(again.stdout.contains("已经是这些内容，不需要改动"), "{}", again.stdout);
}

#[test]
fn a_unit_with_none_writes_not_applicable_with_its_reason() {
    let site = Site::example();
    site.write("收费.csv", "项目名称,收费依据,收费标准\n不适用：本单位不收取任何费用,,\n");
    let out = site.run(&["import", "收费.csv", "--unit", "qingyuan-water", "--as", "fees", "--write"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(site.read(FEES).contains("\n收费项目: {不适用: 本单位不收取任何费用}\n更新日期:"), "{}", site.read(FEES));
    assert_eq!(common::errors(&site.check_unit("qingyuan-water")), vec![]);
    // a table with nothing under its header is no import
    site.write("空.csv", "项目名称,收费依据,收费标准\n");
    let out = site.run(&["import", "空.csv", "--unit", "qingyuan-water", "--as", "fees"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("表头（第 1 行）下面没有收费项目"), "{}", out.stdout);
}

#[test]
fn a_wps_et_file_is_read_as_the_excel_workbook_inside_or_refused_plainly() {
    let site = Site::example();
    site.write("领导.et", xlsx("窗口单位领导", &[&["姓名", "职务", "分工"], &["张三", "经理", "全面工作"]]));
    let out = site.run(&["import", "领导.et", "--unit", "qingyuan-water", "--as", "leaders"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("+  - 姓名: 张三\n+    职务: 经理\n+    工作分工: 全面工作\n"), "{}", out.stdout);
    site.write("坏.et", b"\xd0\xcf\x11\xe0 not really a workbook");
    let out = site.run(&["import", "坏.et", "--unit", "qingyuan-water", "--as", "leaders"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("坏.et: WPS 表格文件（.et）的格式无法读取"), "{}", out.stderr);
    assert!(out.stderr.contains("「另存为」Excel 工作簿（.xlsx）"), "{}", out.stderr);
    let out = site.run(&["import", "不存在.xlsx", "--unit", "qingyuan-water", "--as", "leaders"]);
    assert_eq!(out.code, 2);
    let out = site.run(&["import", "领导.et", "--unit", "qingyuan-watr", "--as", "leaders"]);
    assert_eq!((out.code, out.stderr.contains("是不是「qingyuan-water」")), (2, true), "{}", out.stderr);
}

/// A title row above the header, a table of every unit: the clerk's rows are found.
#[test]
fn a_title_row_and_other_units_rows_are_passed_over() {
    let site = Site::example();
    let rows: &[&[&str]] = &[
        &["白银市各单位社会监督员名单", "", "", ""],
        &["单位文件夹", "姓名", "联系方式", "身份"],
        &["renhe-hospital", "周建民", "0943-8230512", "人大代表"],
        &["qingyuan-water", "李四", "0943-8230000", "居民代表"],
    ];
    site.write("监督员.xlsx", xlsx("社会监督员", rows));
    let out = site.run(&["import", "监督员.xlsx", "--unit", "qingyuan-water", "--as", "supervisors"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("表头在第 2 行，1 项社会监督员（其他单位的 1 行没有读取）"), "{}", out.stdout);
    assert!(out.stdout.contains("+  - 姓名: 李四\n"), "{}", out.stdout);
}
