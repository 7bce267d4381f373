//! `gongkai assess --save` and `--history`: three gatherings of the example units with edits
//! between them (the water company's 收费标准 deleted, then written back) are stored keeping only
//! what changed, and the history says when the item went missing and when it was fixed.

mod common;

use common::{Site, run_in};

const DAYS: [&str; 3] = ["2026-11-27", "2026-11-28", "2026-11-30"];

fn save(site: &Site, day: &str) -> common::Output {
    run_in(site.path(), &["assess", "bureau", "--today", day, "--save"], &[])
}

fn rows(site: &Site, table: &str) -> i64 {
    let conn = rusqlite::Connection::open(site.file("bureau/history.sqlite")).unwrap();
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

#[test]
fn three_gatherings_keep_only_changes_and_say_when_an_item_went_missing_and_was_fixed() {
    let site = Site::example();
    site.write(
        "bureau/bureau.yaml",
        "考核年度: 2026\n站点: ..\n名单:\n  - 名称: 白银清源供水有限公司\n    目录: qingyuan-water\n  - 名称: 白银市仁和医院\n    目录: renhe-hospital\n",
    );
    let first = save(&site, DAYS[0]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert!(first.stderr.contains("（第 1 次汇总）"), "{}", first.stderr);
    let rules_first = rows(&site, "rule_change");

    let fees = site.read("content/qingyuan-water/fees.yaml");
    let without: String = fees.lines().filter(|l| !l.contains("收费标准")).map(|l| format!("{l}\n")).collect();
    site.write("content/qingyuan-water/fees.yaml", &without);
    let second = save(&site, DAYS[1]);
    assert_eq!(second.code, 1, "the missing item is a finding\n{}{}", second.stdout, second.stderr);

    site.write("content/qingyuan-water/fees.yaml", &fees);
    let third = save(&site, DAYS[2]);
    assert_eq!(third.code, 0, "{}{}", third.stdout, third.stderr);

    // one row per rule of each unit at first, then only the one rule that changed, twice
    assert_eq!(rows(&site, "gathering"), 3);
    assert_eq!(rows(&site, "rule_change"), rules_first + 2);
    // the water company's counts changed twice, the hospital's never
    assert_eq!(rows(&site, "unit_change"), 2 + 2);

    let out = run_in(
        site.path(),
        &["assess", "bureau", "--history", "白银清源供水有限公司", "--rule", "baiyin-2021/fee-standard"],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "「白银清源供水有限公司」各项公开情况的变化（3 条）：\n\
         \x20 2026-11-27  收费标准（baiyin-2021/fee-standard）：首次汇总：已公开\n\
         \x20 2026-11-28  收费标准（baiyin-2021/fee-standard）：不再公开（缺失）\n\
         \x20 2026-11-30  收费标准（baiyin-2021/fee-standard）：已改正\n"
    );
    // the library answers the same question
    let changes =
        gongkai::bureau::history::changes(&site.file("bureau/history.sqlite"), "白银清源供水有限公司", None).unwrap();
    let moved: Vec<(&str, &str, Option<&str>, &str)> = changes
        .iter()
        .filter(|c| c.from.is_some())
        .map(|c| (c.day.as_str(), c.rule.as_str(), c.from.as_deref(), c.to.as_str()))
        .collect();
    assert_eq!(
        moved,
        [
            ("2026-11-28", "baiyin-2021/fee-standard", Some("passed"), "failed"),
            ("2026-11-30", "baiyin-2021/fee-standard", Some("failed"), "passed"),
        ]
    );

    // the history runs forward: an earlier day is refused, and nothing is stored
    let back = save(&site, "2026-11-01");
    assert_eq!(back.code, 2);
    assert!(back.stderr.contains("不能再存入更早的 2026-11-01"), "{}", back.stderr);
    assert_eq!(rows(&site, "gathering"), 3);
}

#[test]
fn a_file_that_is_not_a_history_is_never_written() {
    let site = Site::example();
    site.write(
        "bureau/bureau.yaml",
        "考核年度: 2026\n站点: ..\n名单:\n  - 名称: 白银清源供水有限公司\n    目录: qingyuan-water\n",
    );
    site.write("bureau/history.sqlite", "账目，不是数据库\n");
    let out = save(&site, DAYS[0]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("历史库 bureau/history.sqlite 无法使用"), "{}", out.stderr);
    assert_eq!(site.read("bureau/history.sqlite"), "账目，不是数据库\n");

    let other = site.file("other.sqlite");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE ledger (x INTEGER);").unwrap();
    drop(conn);
    let out = run_in(site.path(), &["assess", "bureau", "--today", DAYS[0], "--save", "--db", "other.sqlite"], &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("不是 gongkai 的历史库"), "{}", out.stderr);
}

#[test]
fn asking_about_a_unit_never_stored_names_it() {
    let site = Site::example();
    site.write(
        "bureau/bureau.yaml",
        "考核年度: 2026\n站点: ..\n名单:\n  - 名称: 白银清源供水有限公司\n    目录: qingyuan-water\n",
    );
    let out = run_in(site.path(), &["assess", "bureau", "--history", "白银清源供水有限公司"], &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("没有历史库 bureau/history.sqlite"), "{}", out.stderr);
    assert_eq!(save(&site, DAYS[0]).code, 0);
    let out = run_in(site.path(), &["assess", "bureau", "--history", "清源供水"], &[]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("没有名为「清源供水」的单位"), "{}", out.stderr);
}
