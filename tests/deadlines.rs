//! Deadlines as the binary judges them with a fixed `--today`: working days on China's official
//! calendar (holidays and 调休 make-up days), notice given ahead of a change, publication at a
//! cadence, explained withdrawals (第十二条(三)) and the stages of a major matter (第四条).
//! What is overdue and still unpublished is an error; what was published late is recorded as a
//! warning, since nothing can make it on time now.

mod common;

use common::Site;
use serde_json::Value;

/// `check --unit UNIT --today TODAY --format json`: (exit code, findings of `rule`).
fn check(site: &Site, unit: &str, today: &str, rule: &str) -> (i32, Vec<Value>) {
    let out = site.run(&["check", "--unit", unit, "--today", today, "--format", "json"]);
    let json: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr));
    let findings = json["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == rule).cloned().collect();
    (out.code, findings)
}

fn notice(fields: &str) -> String {
    format!("---\n{fields}---\n正文。\n")
}

/// 20 working days from 2026-02-06 (a Friday): the 调休 Saturday 02-14 counts, the Spring
/// Festival 02-15..02-23 does not, nor does any ordinary weekend; the Saturday 02-28 is a
/// make-up working day. The 20th working day is 2026-03-12; on weekdays alone it would be 03-06.
#[test]
fn update_deadline_crosses_the_spring_festival() {
    let site = Site::example();
    let file = "content/qingyuan-water/notices/2026-春节后水价调整.md";
    let cases = [("2026-03-12", 0), ("2026-03-13", 1)];
    for (published, expected) in cases {
        site.write(file, notice(&format!("标题: 水价调整说明\n变更日期: 2026-02-06\n发布日期: {published}\n")));
        let (code, late) = check(&site, "qingyuan-water", "2026-11-27", "ogi-2019/update-deadline");
        assert_eq!(late.len(), expected, "published {published}: {late:#?}");
        assert_eq!(code, 0, "published late is recorded as a warning, it does not fail the check");
        if let Some(f) = late.first() {
            assert_eq!(f["severity"], "warning");
            let message = f["message"].as_str().unwrap();
            assert!(message.contains("应在 20 个工作日内（2026年3月12日前）公开"), "{message}");
            assert!(message.contains("晚了 1 个工作日"), "{message}");
            assert!(!message.contains("尚未收入日历"), "{message}");
            assert_eq!(f["kind"], "late");
            assert_eq!(f["file"], file);
            assert_eq!(f["line"], 3, "points at the change date");
        }
    }
}

/// Five working days from 2026-09-29 (Tue): 09-30, then the National Day holiday 10-01..10-07,
/// 10-08, 10-09, the make-up Saturday 10-10, and Monday 10-12. On weekdays alone: 10-06.
#[test]
fn five_working_days_cross_the_national_day_make_up_weekend() {
    let site = Site::example_with("sector_units");
    let file = "content/yinxi-sewage/notices/2026-临时信息.md";
    for (published, expected) in [("2026-10-10", 0), ("2026-10-12", 0), ("2026-10-13", 1)] {
        site.write(
            file,
            notice(&format!(
                "标题: 收到行政处罚决定书\n类别: 临时环境信息\n变更日期: 2026-09-29\n发布日期: {published}\n"
            )),
        );
        let (_, late) = check(&site, "yinxi-sewage", "2026-11-27", "environment-2021/adhoc-report");
        assert_eq!(late.len(), expected, "published {published}: {late:#?}");
        if let Some(f) = late.first() {
            let message = f["message"].as_str().unwrap();
            assert!(message.contains("应在 5 个工作日内（2026年10月12日前）公开"), "{message}");
        }
    }
}

/// A deadline in a year whose holidays the State Council has not yet announced is counted on
/// weekdays, and the finding says so.
#[test]
fn a_deadline_in_an_unpublished_year_is_counted_on_weekdays_and_says_so() {
    let site = Site::example();
    site.write(
        "content/qingyuan-water/notices/2027-水价.md",
        notice("标题: 水价调整说明\n变更日期: 2027-01-04\n发布日期: 2027-02-10\n"),
    );
    let (_, late) = check(&site, "qingyuan-water", "2027-03-01", "ogi-2019/update-deadline");
    assert_eq!(late.len(), 1, "{late:#?}");
    let message = late[0]["message"].as_str().unwrap();
    // 2027-01-04 (Mon) + 20 weekdays = 2027-02-01
    assert!(message.contains("2027年2月1日前"), "{message}");
    assert!(message.contains("2027 年的放假安排尚未收入日历，这里按周一至周五计算"), "{message}");
}

/// `--today` decides what is late for an item that has not been published yet, so a CI run can
/// be reproduced; the site's `today:` pin is overridden by the flag.
#[test]
fn today_is_an_input() {
    let site = Site::example();
    site.write("content/qingyuan-water/fees.yaml", {
        let fees = site.read("content/qingyuan-water/fees.yaml");
        format!("变更日期: 2026-11-02\n{fees}")
    });
    // 2026-11-02 (Mon) + 20 working days = 2026-11-30; fees.yaml was last published (更新日期)
    // on 2026-01-01, before the change, so the change is judged as unpublished on `today`
    let (code, late) = check(&site, "qingyuan-water", "2026-11-30", "ogi-2019/update-deadline");
    assert_eq!((code, late.len()), (0, 0), "{late:#?}");
    let (code, late) = check(&site, "qingyuan-water", "2026-12-01", "ogi-2019/update-deadline");
    assert_eq!((code, late.len()), (1, 1), "overdue and unpublished is an error: {late:#?}");
    let message = late[0]["message"].as_str().unwrap();
    assert!(
        message.contains("「更新日期」还是变更前的2026年1月1日，到今天（2026年12月1日）变更后仍未重新公开"),
        "{message}"
    );

    // with no publication date at all, the same
    let fees = site.read("content/qingyuan-water/fees.yaml");
    site.write("content/qingyuan-water/fees.yaml", fees.replace("更新日期: 2026-01-01\n", ""));
    let (_, late) = check(&site, "qingyuan-water", "2026-12-01", "ogi-2019/update-deadline");
    let message = late[0]["message"].as_str().unwrap();
    assert!(message.contains("到今天（2026年12月1日）还没有注明公开日期，已经晚了 1 个工作日"), "{message}");
}

#[test]
fn a_route_change_is_announced_three_days_ahead() {
    let site = Site::example();
    let file = "content/yincheng-bus/notices/2026-8路调整.md";
    for (published, expected) in [("2026-11-19", 0), ("2026-11-20", 1)] {
        site.write(
            file,
            notice(&format!("标题: 8 路站点调整\n类别: 线路变更\n发布日期: {published}\n生效日期: 2026-11-22\n")),
        );
        let (code, late) = check(&site, "yincheng-bus", "2026-11-27", "transit-2022/route-change-ahead");
        assert_eq!((code, late.len()), (0, expected), "published {published}: {late:#?}");
        if let Some(f) = late.first() {
            assert!(f["message"].as_str().unwrap().contains("只提前了 2 天"), "{f}");
        }
    }
}

#[test]
fn a_planned_power_outage_is_announced_seven_days_ahead() {
    let site = Site::example();
    let file = "content/tongcheng-power/notices/2026-12-计划停电.md";
    let text = site.read(file);
    let (code, late) = check(&site, "tongcheng-power", "2026-11-27", "power-2021/planned-outage-ahead");
    assert_eq!((code, late.len()), (0, 0), "the example gives notice in time: {late:#?}");
    let effective = text.lines().find(|l| l.starts_with("生效日期:")).expect("the example outage has a start date");
    site.write(file, text.replace(effective, "生效日期: 2026-11-25"));
    let (code, late) = check(&site, "tongcheng-power", "2026-11-27", "power-2021/planned-outage-ahead");
    // notice given too late cannot be given earlier now: recorded, and `build --strict` still
    // publishes the notice
    assert_eq!((code, late.len()), (0, 1), "{late:#?}");
    assert_eq!(late[0]["severity"], "warning");
    assert!(late[0]["message"].as_str().unwrap().contains("应至少提前 7 天"), "{}", late[0]);
}

#[test]
fn a_yearly_report_is_late_a_year_after_the_last_one() {
    let site = Site::example();
    // the example published its 供电质量 report on 2026-03-10
    let (code, late) = check(&site, "tongcheng-power", "2027-03-10", "power-2021/supply-quality");
    // (exit 1: by then the 2026 年度报告 is overdue too, baiyin-2021/annual-report-deadline)
    assert_eq!((code, late.len()), (1, 0), "{late:#?}");
    let (code, late) = check(&site, "tongcheng-power", "2027-03-11", "power-2021/supply-quality");
    assert_eq!((code, late.len()), (1, 1), "{late:#?}");
    let message = late[0]["message"].as_str().unwrap();
    assert!(message.contains("最近一次公开于2026年3月10日"), "{message}");
}

/// 教育部令第29号: the annual report by 31 October each year.
#[test]
fn an_annual_report_is_due_by_a_fixed_date() {
    let site = Site::example_with("sector_units");
    // the fixture's report is dated 2026-01-20: in time for 2026-10-31, not for 2027-10-31 (exit
    // 1 all the same: the site's own date for it, 2027-01-31, has passed too)
    let (code, late) = check(&site, "yinguang-college", "2027-10-31", "university-2010/annual-report");
    assert_eq!((code, late.len()), (1, 0), "{late:#?}");
    let (code, late) = check(&site, "yinguang-college", "2027-11-01", "university-2010/annual-report");
    assert_eq!((code, late.len()), (1, 1), "{late:#?}");
    let message = late[0]["message"].as_str().unwrap();
    assert!(message.contains("2027年的这一份没有按时公开"), "{message}");
}

#[test]
fn a_withdrawn_notice_without_a_reason_is_a_finding() {
    let site = Site::example();
    let file = "content/yincheng-bus/notices/2026-撤销的线路调整.md";
    let text = site.read(file);
    let (code, found) = check(&site, "yincheng-bus", "2026-11-27", "baiyin-2021/changes-explained");
    assert_eq!((code, found.len()), (0, 0), "{found:#?}");

    let reason = text.lines().find(|l| l.trim_start().starts_with("说明:")).unwrap();
    site.write(file, text.replace(&format!("{reason}\n"), ""));
    let (code, found) = check(&site, "yincheng-bus", "2026-11-27", "baiyin-2021/changes-explained");
    assert_eq!((code, found.len()), (1, 1), "{found:#?}");
    let f = &found[0];
    assert_eq!(f["file"], file);
    assert_eq!(f["citation"], "《白银市公共企事业单位信息公开办法(试行)》第十二条第(三)项");
    assert!(f["line"].as_u64().is_some(), "points at the history entry: {f}");

    // withdrawn with no history at all: when and why are both unknown
    let bare: String = text.lines().take_while(|l| !l.starts_with("变更记录")).map(|l| format!("{l}\n")).collect();
    site.write(file, format!("{bare}---\n正文。\n"));
    let (code, found) = check(&site, "yincheng-bus", "2026-11-27", "baiyin-2021/changes-explained");
    assert_eq!((code, found.len()), (1, 1), "{found:#?}");
    assert!(found[0]["message"].as_str().unwrap().contains("撤销"), "{}", found[0]);
}

/// 第四条: a matter that published its result must have published the earlier stages.
#[test]
fn a_result_needs_the_earlier_stages_of_its_matter() {
    let site = Site::example();
    let (code, found) = check(&site, "yincheng-bus", "2026-11-27", "baiyin-2021/major-matters");
    assert_eq!((code, found.len()), (0, 0), "the example publishes all three stages: {found:#?}");
    site.remove("content/yincheng-bus/notices/2026-票价听证.md");
    let (code, found) = check(&site, "yincheng-bus", "2026-11-27", "baiyin-2021/major-matters");
    assert_eq!((code, found.len()), (1, 1), "{found:#?}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("决策前"), "{message}");
}

/// The site's own `calendar:` adds local holidays: a day off in Baiyin moves the deadline.
#[test]
fn local_holidays_from_the_site_configuration_move_a_deadline() {
    let site = Site::example();
    let file = "content/qingyuan-water/notices/2026-春节后水价调整.md";
    site.write(file, notice("标题: 水价调整说明\n变更日期: 2026-02-06\n发布日期: 2026-03-13\n"));
    let (_, late) = check(&site, "qingyuan-water", "2026-11-27", "ogi-2019/update-deadline");
    assert_eq!(late.len(), 1);
    let config = site.read("gongkai.yaml");
    site.write(
        "gongkai.yaml",
        format!("{config}\ncalendar:\n  放假:\n    - {{名称: 地方节日, 开始: 2026-03-02, 结束: 2026-03-02}}\n"),
    );

    let (code, late) = check(&site, "qingyuan-water", "2026-11-27", "ogi-2019/update-deadline");
    assert_eq!((code, late.len()), (0, 0), "{late:#?}");
}

/// 年度报告: the Baiyin measures name no date, so the example site sets one (`期限:` 01-31 in
/// gongkai.yaml). Missing after it: an error citing the rule; published: nothing; before it:
/// nothing; on a site that sets no date, the rule is reported unchecked.
#[test]
fn the_annual_report_is_due_by_the_date_the_site_sets() {
    const RULE: &str = "baiyin-2021/annual-report-deadline";
    let site = Site::example();
    let (_, late) = check(&site, "qingyuan-water", "2026-02-01", RULE);
    assert!(late.is_empty(), "the example published its 2025 report on 2026-01-22: {late:#?}");

    // only last year's report is there: the 2025 one is missing
    let report = site.read("content/qingyuan-water/reports/2025.md");
    site.remove("content/qingyuan-water/reports/2025.md");
    let last =
        report.replace("年度: 2025", "年度: 2024").replace("2026-01-22", "2025-01-20").replace("2025年度", "2024年度");
    site.write("content/qingyuan-water/reports/2024.md", last);
    let (code, late) = check(&site, "qingyuan-water", "2026-02-01", RULE);
    assert_eq!((code, late.len()), (1, 1), "{late:#?}");
    assert_eq!(late[0]["severity"], "error");
    assert_eq!(late[0]["citation"], "《白银市政务公开工作责任追究办法(试行)》第六条第(四)项");
    let message = late[0]["message"].as_str().unwrap();
    assert!(message.contains("应在每年1月31日前公开，2026年的这一份没有按时公开"), "{message}");
    assert!(message.contains("期限由本站在 gongkai.yaml 的「期限」中设定"), "{message}");
    let (_, late) = check(&site, "qingyuan-water", "2026-01-31", RULE);
    assert!(late.is_empty(), "on the day itself there is still time: {late:#?}");

    // without a date from the site the rule judges nothing, and says so
    let config = site.read("gongkai.yaml").replace("  baiyin-2021/annual-report-deadline: 01-31\n", "");
    site.write("gongkai.yaml", config.replace("期限:\n", ""));
    let out = site.run(&["check", "--unit", "qingyuan-water", "--today", "2026-02-01", "--format", "json"]);
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let rule = json["units"][0]["rules"].as_array().unwrap().iter().find(|r| r["rule"] == RULE).cloned().unwrap();
    assert_eq!(rule["status"], "unchecked", "{rule}");

    // a date for a rule whose measure sets its own is refused
    site.write("gongkai.yaml", format!("{}期限:\n  university-2010/annual-report: 01-31\n", site.read("gongkai.yaml")));
    let out = site.run(&["check"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("期限由规则包规定"), "{}", out.stderr);
}
