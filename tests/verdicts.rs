//! Verdicts people can trust (issue 12, points 1, 2, 3 and 10): a value of the wrong shape fails
//! the rules that need it and is said once; the public site shows completeness as a count, never
//! a grade, and never an empty table in place of required content; grades come from the pack,
//! are judged on the exact ratio and are capped while an error remains; the baiyin pack scores
//! only what its articles name.

mod common;

use common::Site;
use gongkai::check::{CheckResult, Status, UnitResult};
use gongkai::finding::Severity;

const WATER: &str = "qingyuan-water";

fn unit<'a>(r: &'a CheckResult, slug: &str) -> &'a UnitResult {
    r.units.iter().find(|u| u.slug == slug).unwrap()
}

fn status(u: &UnitResult, rule: &str) -> Status {
    u.rules.iter().find(|o| &*o.rule == rule).unwrap_or_else(|| panic!("no outcome for {rule}")).status
}

const FEES_AS_TEXT: &str = "收费项目:\n  - 居民生活用气\t市发改发〔2023〕12号\t2.28元\n  - 非居民用气\t市发改发〔2023〕12号\t3.10元\n更新日期: 2026-01-01\n";

#[test]
fn fee_rows_pasted_as_text_fail_every_fee_rule_once_and_are_published_as_written() {
    let site = Site::example();
    site.write("content/qingyuan-water/fees.yaml", FEES_AS_TEXT);
    let r = site.check_unit(WATER);
    let u = unit(&r, WATER);
    for rule in ["fee-items", "fee-basis", "fee-standard"] {
        assert_eq!(status(u, &format!("baiyin-2021/{rule}")), Status::Failed, "{rule}");
    }
    assert_eq!((u.completeness.published, u.completeness.required, u.completeness.score), (37, 40, 89));
    // one finding per row, naming every rule it fails (point 10), not one per rule
    let found: Vec<_> = r.findings.iter().map(|f| (f.rule.as_str(), f.line, f.severity)).collect();
    assert_eq!(
        found,
        [("baiyin-2021/fee-items", Some(2), Severity::Error), ("baiyin-2021/fee-items", Some(3), Severity::Error)]
    );
    assert_eq!(
        r.findings[0].message,
        "「收费项目」第 1 项应为「键: 值」组，这里写成了文字（因此以下各项都未通过：《白银市公共企事业单位信息公开办法(试行)》第五条第(三)项「收费项目」「收费依据」「收费标准」）"
    );
    assert!(r.findings[0].help.as_deref().unwrap().contains("Word/WPS 表格"));

    let out = site.run(&["build", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let page = site.read("public/qingyuan-water/fees.html");
    assert!(!page.contains("<th scope=\"row\"></th>"), "an empty row in place of a fee:\n{page}");
    assert!(page.contains("居民生活用气　市发改发〔2023〕12号　2.28元"), "{page}");
}

#[test]
fn leaders_written_as_text_fail_the_leader_rules_and_are_published_as_written() {
    let site = Site::example();
    let text = site.read("content/qingyuan-water/unit.yaml");
    let (head, rest) = text.split_once("窗口单位领导:").unwrap();
    let tail = &rest[rest.find("岗位职责:").unwrap()..];
    site.write(
        "content/qingyuan-water/unit.yaml",
        format!("{head}窗口单位领导:\n  - 张建国 总经理 主持全面工作\n{tail}"),
    );
    let r = site.check_unit(WATER);
    let u = unit(&r, WATER);
    assert_eq!(status(u, "baiyin-2021/unit-leaders"), Status::Failed);
    assert_eq!(status(u, "baiyin-2021/unit-leader-duties"), Status::Failed);
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    assert_ne!(u.completeness.grade.as_deref(), Some("优秀"));

    site.run(&["build", "-q"]);
    let page = site.read("public/qingyuan-water/index.html");
    assert!(page.contains("张建国 总经理 主持全面工作"), "{page}");
    assert!(!page.contains("<th scope=\"row\"></th>"), "{page}");
}

#[test]
fn a_list_written_as_one_word_is_one_finding_naming_the_rules_it_fails() {
    let site = Site::example();
    site.write("content/qingyuan-water/fees.yaml", "收费项目: 见营业厅公示栏\n更新日期: 2026-01-01\n");
    let r = site.check_unit(WATER);
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    let f = &r.findings[0];
    assert!(f.message.starts_with("「收费项目」应为列表，这里写成了文字"), "{}", f.message);
    assert!(f.message.contains("「收费项目」「收费依据」「收费标准」"), "{}", f.message);
    // the page says the fees are not published, not an empty table
    site.run(&["build", "-q"]);
    assert!(site.read("public/qingyuan-water/fees.html").contains("见营业厅公示栏"));
}

#[test]
fn an_overdue_change_caps_the_grade_and_public_pages_show_a_count_not_a_grade() {
    let site = Site::example();
    let fees = site.read("content/qingyuan-water/fees.yaml").replace("更新日期: 2026-01-01", "变更日期: 2026-09-01");
    site.write("content/qingyuan-water/fees.yaml", fees);
    let r = site.check();
    let u = unit(&r, WATER);
    assert_eq!(u.completeness.score, 100);
    assert_eq!(u.completeness.grade.as_deref(), Some("良好"));
    assert_eq!(u.completeness.grade_capped.as_deref(), Some("还有 1 项错误未改正，等级最高为良好（按得分应为优秀）"));
    assert_eq!(u.completeness.flags.iter().map(|f| f.zh()).collect::<Vec<_>>(), ["逾期"]);

    let out = site.run(&["check"]);
    assert!(out.stdout.contains("   100  良好"), "{}", out.stdout);
    assert!(out.stdout.contains("等级是自查参考，不是考核结果"), "{}", out.stdout);
    assert!(out.stdout.contains("[逾期]  ※ 还有 1 项错误未改正"), "{}", out.stdout);

    site.run(&["build", "-q"]);
    let portal = site.read("public/index.html");
    assert!(
        portal.contains("必须公开的 40 项中已公开 <strong>40</strong> 项 <span class=\"flag\">逾期</span>"),
        "{portal}"
    );
    for page in ["public/index.html", "public/qingyuan-water/index.html", "public/qingyuan-water/data.json"] {
        let text = site.read(page);
        assert!(!text.contains("优秀"), "{page} shows the top grade");
    }
    assert!(!portal.contains("分，"), "the portal shows no score");
    // the bureau's report keeps the grade, labelled as a self-check reference
    let report = site.read("gongkai-report/index.html");
    assert!(report.contains("自查等级"), "{report}");
    assert!(report.contains("等级是自查参考，不是考核结果"), "{report}");
    assert!(report.contains("还有 1 项错误未改正，等级最高为良好"), "{report}");
}

#[test]
fn a_score_of_89_5_is_not_rounded_into_the_top_grade() {
    // the bus company: 116 of 129 points (no fees.yaml, 11; no 监督窗口, 2) is 89.9%
    let site = Site::example();
    site.remove("content/yincheng-bus/fees.yaml");
    let sup = site.read("content/yincheng-bus/supervision.yaml").replace("监督窗口: 公园路 18 号调度中心一楼\n", "");
    site.write("content/yincheng-bus/supervision.yaml", sup);
    let r = site.check_unit("yincheng-bus");
    let u = unit(&r, "yincheng-bus");
    assert_eq!((u.completeness.points, u.completeness.max_points), (116, 129));
    assert_eq!(
        (u.completeness.score, u.completeness.grade.as_deref(), u.completeness.grade_capped.as_deref()),
        (89, Some("良好"), None)
    );
}

#[test]
fn grade_bands_and_labels_come_from_the_pack() {
    let site = Site::example();
    let pack = std::fs::read_to_string(std::path::Path::new(common::REPO).join("rules/baiyin-2021.yaml"))
        .unwrap()
        .replace("{min: 90, label: 优秀}", "{min: 95, label: 甲等}")
        .replace("cap: 良好", "cap: 甲等");
    site.write("rules/baiyin-2021.yaml", pack);
    let r = site.check();
    assert_eq!(unit(&r, WATER).completeness.grade.as_deref(), Some("甲等"));
    let out = site.run(&["check", "--format", "markdown"]);
    assert!(out.stdout.contains("95 分以上为甲等"), "{}", out.stdout);

    // a site whose packs give no grades shows none
    let site = Site::fixture("hebei_pack");
    let out = site.run(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(json["units"].as_array().unwrap().iter().all(|u| u["grade"].is_null()));
}

#[test]
fn items_the_articles_do_not_name_are_reminders_that_never_lower_the_score() {
    let site = Site::example();
    // a leader without 职务
    let unit_yaml = site.read("content/qingyuan-water/unit.yaml").replace("    职务: 总经理\n", "");
    site.write("content/qingyuan-water/unit.yaml", unit_yaml);
    // a notice without 发布日期
    let notice = "content/qingyuan-water/notices/2027-管网改造计划.md";
    site.write(notice, site.read(notice).replace("发布日期: 2026-11-10\n", ""));
    // a service that needs no sample form
    let service = "content/qingyuan-water/services/用水过户.md";
    let text = site
        .read(service)
        .replace("示范文本:\n  - 名称: 用水过户申请表（填写样例）\n    文件: attachments/用水过户申请表.md\n", "");
    site.write(service, text);

    let r = site.check_unit(WATER);
    let u = unit(&r, WATER);
    assert_eq!(
        (u.completeness.score, u.errors, u.completeness.published, u.completeness.required),
        (100, 0, 40, 40),
        "{:#?}",
        r.findings
    );
    let reminders: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(
        reminders,
        ["baiyin-2021/notice-date", "baiyin-2021/service-forms-listed", "baiyin-2021/unit-leader-posts"]
    );
    assert!(
        r.findings.iter().all(|f| f.severity == Severity::Warning && f.message.ends_with("（提醒，不计入完整度）"))
    );
    // a listed sample form must still name its file: that is the 示范文本 itself
    let site = Site::example();
    let text = site.read(service).replace("    文件: attachments/用水过户申请表.md\n", "");
    site.write(service, text);
    let r = site.check_unit(WATER);
    assert_eq!(common::errors(&r).len(), 1, "{:#?}", r.findings);
    assert_eq!(r.findings[0].rule, "baiyin-2021/service-forms");
}
