//! `gongkai-desk assess`: the bureau's history (tests/assess_history.rs of `gongkai`, the same
//! scenario) on the backend the environment picks — PostgreSQL with GONGKAI_DESK_TEST_PG, else
//! SQLite: three gatherings with the water company's 收费标准 deleted, then written back, keep only
//! what changed, and the history says when the item went missing and when it was fixed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use gongkai::bureau::history;
use gongkai_desk::province;

const DAYS: [&str; 3] = ["2026-11-27", "2026-11-28", "2026-11-30"];

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The example portal in `dir/site`, with a bureau folder of two units.
fn example(dir: &Path) -> PathBuf {
    let site = dir.join("site");
    copy(&common::site().join("content"), &site.join("content"));
    std::fs::copy(common::site().join("gongkai.yaml"), site.join("gongkai.yaml")).unwrap();
    std::fs::create_dir_all(site.join("bureau")).unwrap();
    std::fs::write(
        site.join("bureau/bureau.yaml"),
        "考核年度: 2026\n站点: ..\n名单:\n  - 名称: 白银清源供水有限公司\n    目录: qingyuan-water\n  - 名称: 白银市仁和医院\n    目录: renhe-hospital\n",
    )
    .unwrap();
    site
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn desk(site: &Path, args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai-desk")).args(args).current_dir(site).output().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

fn fresh(dir: &Path) -> String {
    tokio::runtime::Runtime::new().unwrap().block_on(common::fresh_url(dir))
}

fn rows(url: &str, table: &str) -> i64 {
    let mut db = province::open(url).unwrap();
    db.query(&format!("SELECT count(*) FROM {table}"), &[]).unwrap()[0].int(0).unwrap()
}

#[test]
fn three_gatherings_keep_only_changes_and_say_when_an_item_went_missing_and_was_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh(dir.path());
    let site = example(dir.path());
    let save = |day: &str| desk(&site, &["assess", "bureau", "--db", &url, "--today", day, "--save"]);
    let first = save(DAYS[0]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert!(first.stderr.contains("（第 1 次汇总）"), "{}", first.stderr);
    assert!(!first.stderr.contains("secret"));
    let rules_first = rows(&url, "rule_change");

    let fees_file = site.join("content/qingyuan-water/fees.yaml");
    let fees = std::fs::read_to_string(&fees_file).unwrap();
    let without: String = fees.lines().filter(|l| !l.contains("收费标准")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&fees_file, without).unwrap();
    let second = save(DAYS[1]);
    assert_eq!(second.code, 1, "the missing item is a finding\n{}{}", second.stdout, second.stderr);

    std::fs::write(&fees_file, &fees).unwrap();
    let third = save(DAYS[2]);
    assert_eq!(third.code, 0, "{}{}", third.stdout, third.stderr);

    assert_eq!(rows(&url, "gathering"), 3);
    assert_eq!(rows(&url, "rule_change"), rules_first + 2);
    assert_eq!(rows(&url, "unit_change"), 2 + 2);

    let out = desk(
        &site,
        &["assess", "bureau", "--db", &url, "--history", "白银清源供水有限公司", "--rule", "baiyin-2021/fee-standard"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "「白银清源供水有限公司」各项公开情况的变化（3 条）：\n\
         \x20 2026-11-27  收费标准（baiyin-2021/fee-standard）：首次汇总：已公开\n\
         \x20 2026-11-28  收费标准（baiyin-2021/fee-standard）：不再公开（缺失）\n\
         \x20 2026-11-30  收费标准（baiyin-2021/fee-standard）：已改正\n"
    );
    // when was this item fixed: the library's query, on this database
    let mut db = province::open(&url).unwrap();
    let changes = history::changes_in(db.as_mut(), "白银清源供水有限公司", None).unwrap();
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
    drop(db);

    // the history runs forward: an earlier day is refused, and nothing is stored
    let back = save("2026-11-01");
    assert_eq!(back.code, 2);
    assert!(back.stderr.contains("不能再存入更早的 2026-11-01"), "{}", back.stderr);
    assert_eq!(rows(&url, "gathering"), 3);

    // the dashboard and letters read the same history: 收费标准 missing for a while, fixed
    let pages = dir.path().join("pages");
    let out = desk(&site, &["assess", "bureau", "--db", &url, "--today", DAYS[2], "--site", pages.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let letters: String = std::fs::read_dir(pages.join("feedback"))
        .map(|d| d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect())
        .unwrap_or_default();
    assert!(letters.contains("2026-11-28") && letters.contains("2026-11-30"), "{letters}");
}

#[test]
fn a_database_that_is_not_a_history_is_never_written_and_unknown_units_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh(dir.path());
    let site = example(dir.path());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = gongkai_desk::db::Db::open(&url).await.unwrap();
        db.plain("CREATE TABLE ledger (x BIGINT)").await.unwrap();
    });
    let out = desk(&site, &["assess", "bureau", "--db", &url, "--today", DAYS[0], "--save"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("不是 gongkai 的历史库"), "{}", out.stderr);
    assert_eq!(rows_of_ledger(&rt, &url), 0);

    let second = dir.path().join("second");
    std::fs::create_dir_all(&second).unwrap();
    let other = fresh(&second);
    assert_eq!(desk(&site, &["assess", "bureau", "--db", &other, "--today", DAYS[0], "--save"]).code, 0);
    let out = desk(&site, &["assess", "bureau", "--db", &other, "--history", "清源供水"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("没有名为「清源供水」的单位"), "{}", out.stderr);
}

fn rows_of_ledger(rt: &tokio::runtime::Runtime, url: &str) -> i64 {
    rt.block_on(async {
        let db = gongkai_desk::db::Db::open(url).await.unwrap();
        let tables = db.rows("SELECT count(*) FROM ledger", vec![]).await.unwrap();
        tables[0].int(0)
    })
}
