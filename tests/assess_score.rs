//! `gongkai assess --site`: the example bureau (bureau/: roster, scheme-2026.yaml, scores-2026.yaml)
//! gathers three times with edits between — the water company's 收费标准 deleted, then written
//! back; an ID number published in the hospital's notice, then removed — and writes the
//! dashboard, the 书面反馈 letters and the 评分表 (CSV, XLSX) with the figures asserted: the hand
//! scores, the computed ones, the days late from the history, the 第十条 grades, 待评 where a
//! hand score or an input is missing, the 责任追究 evidence with its dates.

mod common;

use std::io::Read;
use std::path::Path;

use common::{Site, copy_dir, run_in};

const DAYS: [&str; 3] = ["2026-03-02", "2026-06-01", "2026-09-01"];
const NOTICE: &str = "content/renhe-hospital/notices/2026-设备采购.md";

fn assess(site: &Site, day: &str, more: &[&str]) -> common::Output {
    let mut args = vec!["assess", "bureau", "--today", day];
    args.extend_from_slice(more);
    run_in(site.path(), &args, &[])
}

/// The example bureau over the example units, gathered three times; the last one writes `out/`.
fn year() -> Site {
    let site = Site::example();
    copy_dir(&Path::new(common::REPO).join("bureau"), &site.file("bureau"));
    let _ = std::fs::remove_file(site.file("bureau/history.sqlite"));
    let first = assess(&site, DAYS[0], &["--save"]);
    assert_eq!(first.code, 1, "应报未报 is an error finding\n{}{}", first.stdout, first.stderr);

    let fees = site.read("content/qingyuan-water/fees.yaml");
    let without: String = fees.lines().filter(|l| !l.contains("收费标准")).map(|l| format!("{l}\n")).collect();
    site.write("content/qingyuan-water/fees.yaml", &without);
    let notice = site.read(NOTICE);
    site.write(NOTICE, format!("{notice}\n联系人身份证号：62040219900101123X\n"));
    assert_eq!(assess(&site, DAYS[1], &["--save"]).code, 1);

    site.write("content/qingyuan-water/fees.yaml", &fees);
    site.write(NOTICE, &notice);
    let last = assess(&site, DAYS[2], &["--save", "--site", "out"]);
    assert_eq!(last.code, 1, "{}{}", last.stdout, last.stderr);
    assert!(
        last.stderr.contains("已写出考核结果 out：评分表 6 个单位，已定等次 2，待评 4（尚未经领导小组审定）"),
        "{}",
        last.stderr
    );
    site
}

/// The CSV's rows as (unit, cells from A1 on).
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a BOM for Excel");
    text.split("\r\n").filter(|l| !l.is_empty()).map(|l| l.split(',').map(String::from).collect()).collect()
}

#[test]
fn the_year_gives_the_expected_score_sheet_letters_and_dashboard() {
    let site = year();
    let rows = csv_rows(&std::fs::read(site.file("out/score-sheet-2026.csv")).unwrap());
    assert_eq!(
        rows[0][5..].join("|"),
        "A1 组织领导（10 分）|A2 机制建设（10 分）|A3 主动公开内容齐全（30 分）|A4 全年公开及时（20 分）|A5 年度报告按时公开（10 分）|A6 依申请公开（10 分）|B1 社会评议（5 分）|B2 回应关切和投诉处理（5 分）|总分|等次|待评项|缺项工作日|自查得分（仅供参考）"
    );
    let by_unit: Vec<(String, String)> = rows[1..].iter().map(|r| (r[0].clone(), r[5..].join("|"))).collect();
    assert_eq!(
        by_unit,
        [
            // hand scores 9 + 8.5 + 5 + 4; 收费标准 missing from 06-01 to 09-01: 65 of the 127
            // working days between the first and the last gathering, so A4 = 20 × 62/127 = 9.8
            ("白银清源供水有限公司", "9|8.5|30|9.8|10|10|5|4|86.3|良好|0|65|100"),
            // no 社会评议 published and none entered: 未取得, the total provisional
            ("白银铜城供电有限公司", "10|9|30|20|10|10|未取得|5|94|待评|1|0|100"),
            ("白银银城公交有限公司", "待评|待评|30|20|10|10|未取得|待评|70|待评|4|0|100"),
            // the ID number is no missing item: no days late, but evidence (below)
            ("白银市仁和医院", "待评|待评|30|20|10|10|未取得|待评|70|待评|4|0|100"),
            ("白银市金鼎中学", "8|8|30|20|10|10|3|4|93|优秀|0|0|100"),
            // 应报未报: the computed indicators 0, late every day, the hand ones still 待评
            ("白银市平川供热有限公司", "待评|待评|0|0|0|0|0|待评|0|待评|3|127|"),
        ]
        .map(|(u, r)| (u.to_string(), r.to_string()))
    );

    // the workbook holds the same table, scores as numbers
    let mut zip = zip::ZipArchive::new(std::fs::File::open(site.file("out/score-sheet-2026.xlsx")).unwrap()).unwrap();
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml").unwrap().read_to_string(&mut sheet).unwrap();
    let doc = roxmltree::Document::parse(&sheet).unwrap();
    let cell = |r: &str| {
        doc.descendants()
            .find(|n| n.attribute("r") == Some(r))
            .and_then(|n| n.descendants().find(|c| c.has_tag_name("v")))
            .and_then(|v| v.text())
            .map(String::from)
    };
    // row 2 is the water company: N2 its total, I2 its A4
    assert_eq!((cell("N2").as_deref(), cell("I2").as_deref()), (Some("86.3"), Some("9.8")));

    // the letters: the score table, the evidence with its dates, what to fix
    let water = site.read("out/feedback/001.html");
    insta::assert_snapshot!("assess_letter_water", water);
    let hospital = site.read("out/feedback/004.html");
    assert!(
        hospital.contains("<tr><th scope=\"row\">居民身份证号码</th><td>《责任追究办法》第六条（五）"),
        "{hospital}"
    );
    assert!(hospital.contains("<td>2026-06-01</td><td>2026-09-01</td>"), "{hospital}");
    let heating = site.read("out/feedback/006.html");
    assert!(heating.contains("应报未报</th><td>《信息公开办法》第十二条（一）"), "{heating}");
    assert!(heating.contains("2026-03-02（本年度首次汇总时已存在）</td><td>尚未改正"), "{heating}");
    assert!(heating.contains("请按名单公开你单位的信息"), "{heating}");

    let index = site.read("out/index.html");
    assert!(!index.contains("<script"), "no script on the dashboard");
    assert!(!index.contains("https://") && !index.contains("src=\"http"), "nothing fetched from elsewhere");
    insta::assert_snapshot!("assess_dashboard", index);

    // the same year written again is the same bytes (the last gathering is already stored)
    let again = assess(&site, DAYS[2], &["--site", "out2"]);
    assert_eq!(again.code, 1, "{}", again.stderr);
    for f in ["index.html", "feedback/001.html", "feedback/006.html", "score-sheet-2026.csv", "score-sheet-2026.xlsx"] {
        assert_eq!(
            std::fs::read(site.file(&format!("out/{f}"))).unwrap(),
            std::fs::read(site.file(&format!("out2/{f}"))).unwrap(),
            "{f}"
        );
    }

    // the 领导小组's approval, once recorded, is shown; the grades stay those of 第十条
    let scores = site.read("bureau/scores-2026.yaml");
    site.write(
        "bureau/scores-2026.yaml",
        scores.replace("评分:\n", "审定: {审定人: 白银市政务公开工作领导小组, 日期: 2026-12-20}\n评分:\n"),
    );
    let approved = assess(&site, DAYS[2], &["--site", "out"]);
    assert_eq!(approved.code, 1);
    assert!(site.read("out/index.html").contains("<p>考核结果经白银市政务公开工作领导小组于 2026-12-20 审定"));
    assert!(!approved.stderr.contains("尚未经领导小组审定"), "{}", approved.stderr);
}

#[test]
fn a_mistake_in_the_hand_scores_stops_before_gathering_at_its_line() {
    let site = Site::example();
    copy_dir(&Path::new(common::REPO).join("bureau"), &site.file("bureau"));
    site.write(
        "bureau/scores-2026.yaml",
        "考核年度: 2026\n评分:\n  - 单位: 白银清源供水有限公司\n    指标: A9\n    得分: 5\n    评分人: 王敏\n    日期: 2026-12-10\n",
    );
    let out = assess(&site, DAYS[0], &["--site", "out"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("scores-2026.yaml:4:"), "{}", out.stderr);
    assert!(out.stderr.contains("指标「A9」不在评分方案（scheme-2026.yaml）中"), "{}", out.stderr);
    assert!(!site.file("out").exists());
}
