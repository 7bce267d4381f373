//! 整改 after written feedback (《考核办法》第九条（六）): the example bureau gathers four times;
//! `feedback-2026.yaml` records the letters issued on 2026-06-03 (the water company, the hospital)
//! and 2026-06-10 (the heating company, 应报未报 all year). The history then says, in the evidence
//! of the letters and on the dashboard, which named problem was fixed within how many working
//! days, which only after the 20 working days the letter gives, and which not at all.

mod common;

use std::path::Path;

use common::{Site, copy_dir, run_in};

const DAYS: [&str; 4] = ["2026-03-02", "2026-06-01", "2026-07-01", "2026-09-01"];
const NOTICE: &str = "content/renhe-hospital/notices/2026-设备采购.md";
const LETTERS: &str = "考核年度: 2026\n书面反馈:\n  - {单位: 白银清源供水有限公司, 日期: 2026-06-03, 文号: 白公开函〔2026〕3号}\n  - {单位: 白银市仁和医院, 日期: 2026-06-03}\n  - {单位: 白银市平川供热有限公司, 日期: 2026-06-10}\n";

fn assess(site: &Site, day: &str, more: &[&str]) -> common::Output {
    let mut args = vec!["assess", "bureau", "--today", day, "--save"];
    args.extend_from_slice(more);
    run_in(site.path(), &args, &[])
}

#[test]
fn a_problem_named_in_a_written_feedback_is_fixed_within_working_days_late_or_not_at_all() {
    let site = Site::example();
    copy_dir(&Path::new(common::REPO).join("bureau"), &site.file("bureau"));
    let _ = std::fs::remove_file(site.file("bureau/history.sqlite"));
    site.write("bureau/feedback-2026.yaml", LETTERS);
    assert_eq!(assess(&site, DAYS[0], &[]).code, 1);

    // 06-01: the water company's 收费标准 deleted, an ID number in the hospital's notice
    let fees = site.read("content/qingyuan-water/fees.yaml");
    let without: String = fees.lines().filter(|l| !l.contains("收费标准")).map(|l| format!("{l}\n")).collect();
    site.write("content/qingyuan-water/fees.yaml", &without);
    let notice = site.read(NOTICE);
    site.write(NOTICE, format!("{notice}\n联系人身份证号：62040219900101123X\n"));
    assert_eq!(assess(&site, DAYS[1], &[]).code, 1);
    // letters issued 06-03; the water company fixes by the gathering of 07-01, the hospital by 09-01
    site.write("content/qingyuan-water/fees.yaml", &fees);
    assert_eq!(assess(&site, DAYS[2], &[]).code, 1);
    site.write(NOTICE, &notice);
    let last = assess(&site, DAYS[3], &["--site", "out"]);
    assert_eq!(last.code, 1, "{}{}", last.stdout, last.stderr);

    // 2026-06-03 to 07-01: 19 working days (端午节 19 June is a holiday); to 09-01: 63
    let water = site.read("out/feedback/001.html");
    assert!(water.contains("<p>本年度已向你单位发出书面反馈：2026-06-03（白公开函〔2026〕3号）。</p>"), "{water}");
    assert!(water.contains("<th scope=\"col\">书面反馈后整改</th>"), "{water}");
    assert!(
        water.contains(
            "<td>2026-06-01</td><td>2026-07-01</td><td>2026-06-03（白公开函〔2026〕3号） 反馈后 19 个工作日内整改</td>"
        ),
        "{water}"
    );
    let hospital = site.read("out/feedback/004.html");
    assert!(
        hospital.contains(
            "<td>2026-06-01</td><td>2026-09-01</td><td>2026-06-03 反馈后 63 个工作日才整改（超过 20 个工作日）</td>"
        ),
        "{hospital}"
    );
    let heating = site.read("out/feedback/006.html");
    assert!(heating.contains("<td>尚未改正</td><td>2026-06-10 反馈后未整改</td>"), "{heating}");
    assert!(heating.contains("书面反馈指出的问题中有 1 项至 2026-09-01 仍未整改"), "{heating}");
    // a unit sent no letter has no such column
    let school = site.read("out/feedback/005.html");
    assert!(!school.contains("书面反馈后整改") && !school.contains("已向你单位发出"), "{school}");
    let index = site.read("out/index.html");
    assert!(index.contains("（反馈后未整改 1）"), "{index}");
    assert_eq!(index.matches("反馈后未整改").count(), 1, "{index}");
}

#[test]
fn a_letter_to_a_unit_not_on_the_roster_stops_before_gathering_at_its_line() {
    let site = Site::example();
    copy_dir(&Path::new(common::REPO).join("bureau"), &site.file("bureau"));
    site.write("bureau/feedback-2026.yaml", "考核年度: 2026\n书面反馈:\n  - {单位: 白银清源供水, 日期: 2026-06-03}\n");
    let out = run_in(site.path(), &["assess", "bureau", "--today", DAYS[0], "--site", "out"], &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("feedback-2026.yaml:3:"), "{}", out.stderr);
    assert!(out.stderr.contains("单位「白银清源供水」不在 bureau.yaml 的名单上"), "{}", out.stderr);
    assert!(!site.file("out").exists());
}
