//! Backups, retention and migrations: a backup restores into a new database (and across
//! backends), a purge blanks personal data of old archived cases and keeps the counts, the
//! schema is versioned and refuses a newer database.

mod common;

use axum::http::StatusCode;
use common::*;
use gongkai_desk::backup::{self, TABLES};
use gongkai_desk::cases::CaseNo;
use gongkai_desk::db::Db;
use gongkai_desk::migrate::{self, MIGRATIONS};
use gongkai_desk::workflow::{self, Step};
use gongkai_desk::{retention, users};

async fn filled(db: &Db) {
    let r = service(app(db.clone()), OPEN);
    for who in ["张三", "李四"] {
        let got = send(&r, "POST", "/u/qingyuan-water/apply", Some(&pairs(&application(who)))).await;
        assert_eq!(got.status, StatusCode::OK);
    }
    let no = CaseNo { unit: "qingyuan-water".into(), year: 2026, seq: 1 };
    let mut state = "接收".to_owned();
    for to in ["登记", "审核", "办理", "答复", "归档"] {
        let s = Step { to: to.into(), outcome: "部分公开".into(), reason: String::new() };
        workflow::advance(db, &no, &state, &s, "water", today()).await.unwrap();
        state = to.to_owned();
    }
    users::add(db, "water", "correct horse battery", false, &["qingyuan-water".into()]).await.unwrap();
}

async fn dump(db: &Db) -> Vec<String> {
    let mut out = Vec::new();
    backup::backup(db, &mut out).await.unwrap();
    String::from_utf8(out).unwrap().lines().map(str::to_owned).collect()
}

#[tokio::test]
async fn a_backup_restores_into_a_new_database_row_for_row() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    filled(&db).await;
    let before = dump(&db).await;
    assert!(before.len() > 10);
    // into a new SQLite file (whatever the first backend was), then back
    let other = dir.path().join("restored.db");
    let restored = Db::open(&format!("sqlite:{}", other.display())).await.unwrap();
    migrate::migrate(&restored, None).await.unwrap();
    let n = backup::restore(&restored, before.join("\n").as_bytes()).await.unwrap();
    assert_eq!(n, before.len() - 1);
    // the same rows (sorted: the two backends may order text differently)
    let (mut a, mut b) = (dump(&restored).await, before.clone());
    a.sort();
    b.sort();
    assert_eq!(a, b);
    // never over data
    let err = backup::restore(&restored, before.join("\n").as_bytes()).await.unwrap_err();
    assert!(err.contains("已有数据"), "{err}");
    // and the restored desk works: the lookup code still matches
    let r = service(app(restored), OPEN);
    let got = send(&r, "POST", "/u/qingyuan-water/apply", Some(&pairs(&application("王五")))).await;
    assert!(got.body.contains("qingyuan-water-2026-00003"));
}

#[tokio::test]
async fn the_backup_covers_every_column_of_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&format!("sqlite:{}", dir.path().join("d.db").display())).await.unwrap();
    migrate::migrate(&db, None).await.unwrap();
    let tables = db.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('desk_schema', 'sessions') ORDER BY name", vec![]).await.unwrap();
    let mut names: Vec<String> = tables.iter().map(|r| r.text(0)).collect();
    let mut ours: Vec<String> = TABLES.iter().map(|(t, _)| (*t).to_owned()).collect();
    names.sort();
    ours.sort();
    assert_eq!(names, ours);
    for (table, cols) in TABLES {
        let info =
            db.rows(&format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"), vec![]).await.unwrap();
        let have: Vec<String> = info.iter().map(|r| r.text(0)).collect();
        assert_eq!(have, cols.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>(), "{table}");
    }
}

#[tokio::test]
async fn a_purge_blanks_personal_data_of_old_archived_cases_and_keeps_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    filled(&db).await;
    // replied 2026-11-27: not yet 30 days old on 2026-12-20
    let p = retention::purge(&db, jiff::civil::date(2026, 12, 20), 30).await.unwrap();
    assert_eq!(p.cases, 0);
    // an application received on 2026-12-31, never archived: within 30 days on 2027-01-01
    let mut later = app(db.clone());
    later.today = Some(jiff::civil::date(2026, 12, 31));
    let got = send(&service(later, OPEN), "POST", "/u/qingyuan-water/apply", Some(&pairs(&application("王五")))).await;
    assert_eq!(got.status, StatusCode::OK);
    // the archived case, and the one received on 2026-11-27 and never archived: purged
    let p = retention::purge(&db, jiff::civil::date(2027, 1, 1), 30).await.unwrap();
    assert_eq!(p.cases, 2);
    let rows = db
        .rows(
            "SELECT seq, applicant, id_doc, email, info, outcome, purged, state, outcome_reason, received \
             FROM cases ORDER BY seq",
            vec![],
        )
        .await
        .unwrap();
    for r in &rows[..2] {
        assert_eq!(
            (r.text(1), r.text(2), r.text(3), r.text(4)),
            (String::new(), String::new(), String::new(), String::new())
        );
        assert_eq!((r.int(6), r.opt(8), r.text(9)), (1, None, "2026-11-27".to_owned()));
    }
    assert_eq!((rows[0].text(5), rows[0].text(7)), ("部分公开".to_owned(), "归档".to_owned()));
    assert_eq!(rows[1].text(7), "接收");
    // the recent open case keeps its applicant
    assert_eq!((rows[2].text(1), rows[2].int(6)), ("王五".to_owned(), 0));
    // the audit rows stay (time, actor, action), their details are blanked, the purge is recorded
    let trail = db.rows("SELECT actor, action, detail FROM audit WHERE seq = 1 ORDER BY n", vec![]).await.unwrap();
    let actions: Vec<String> = trail.iter().map(|r| r.text(1)).collect();
    assert_eq!(actions, ["接收", "登记", "审核", "办理", "答复", "归档", "清除"]);
    assert_eq!(trail[4].text(0), "water");
    assert!(trail[..6].iter().all(|r| r.text(2) == "（已清除）"));
    assert!(trail[6].text(2).starts_with("保存期满（30 天）"));
    let again = retention::purge(&db, jiff::civil::date(2027, 1, 1), 30).await.unwrap();
    assert_eq!(again.cases, 0);
    // a retention past what a date can hold purges nothing (it once made the cutoff today, or panicked)
    for days in [5_000_000, i64::MAX] {
        assert_eq!(retention::purge(&db, jiff::civil::date(2027, 1, 1), days).await.unwrap(), Default::default());
    }
    // the free text of a campaign closed long enough ago goes, its ratings stay
    let c = gongkai_desk::campaigns::Campaign {
        id: "2026".into(),
        name: "2026年度社会评议".into(),
        unit: String::new(),
        opens: "2026-11-01".into(),
        closes: "2026-11-27".into(),
    };
    gongkai_desk::campaigns::add(&db, &c).await.unwrap();
    let ratings = [gongkai::desk::Rating::满意; 6];
    gongkai_desk::campaigns::answer(&db, "2026", "qingyuan-water", &ratings, "我是张三，电话13800000000")
        .await
        .unwrap();
    assert_eq!(retention::purge(&db, jiff::civil::date(2026, 12, 20), 30).await.unwrap().remarks, 0);
    assert_eq!(retention::purge(&db, jiff::civil::date(2027, 1, 1), 30).await.unwrap().remarks, 1);
    let left = db.rows("SELECT remark, content FROM responses", vec![]).await.unwrap();
    assert_eq!((left[0].text(0), left[0].text(1)), (String::new(), "满意".to_owned()));
}

#[tokio::test]
async fn migrations_are_versioned_applied_once_and_a_newer_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_url(dir.path()).await;
    let db = Db::open(&url).await.unwrap();
    assert!(migrate::check_current(&db).await.unwrap_err().contains("gongkai-desk migrate"));
    let all: Vec<i64> = MIGRATIONS.iter().map(|(v, _, _)| *v).collect();
    assert_eq!(migrate::migrate(&db, None).await.unwrap(), all);
    assert!(migrate::migrate(&db, None).await.unwrap().is_empty());
    migrate::check_current(&db).await.unwrap();
    db.exec("INSERT INTO desk_schema (version, name, applied) VALUES (999, 'future', 'x')", vec![]).await.unwrap();
    assert!(migrate::migrate(&db, None).await.unwrap_err().contains("比这个 gongkai-desk 新"));
}

#[tokio::test]
async fn a_database_made_by_the_previous_schema_upgrades_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_url(dir.path()).await;
    let db = Db::open(&url).await.unwrap();
    let previous = MIGRATIONS[MIGRATIONS.len() - 2].0;
    migrate::migrate(&db, Some(previous)).await.unwrap();
    // the previous schema's desk takes an application
    let no = gongkai_desk::cases::submit(
        &db,
        "qingyuan-water",
        &["张三", "居民身份证", "", "a@b.cn", "", "水质报告", "", "电子", "电子邮件"].map(String::from),
        today(),
        (jiff::civil::date(2026, 12, 25), false),
    )
    .await
    .unwrap();
    assert!(migrate::check_current(&db).await.is_err());
    let done = migrate::migrate(&db, None).await.unwrap();
    assert_eq!(done, MIGRATIONS[MIGRATIONS.len() - 1..].iter().map(|(v, _, _)| *v).collect::<Vec<_>>());
    migrate::check_current(&db).await.unwrap();
    let r = service(app(db), OPEN);
    let found = send(&r, "POST", "/lookup", Some(&[("number", &no.no.to_string()), ("code", &no.code)])).await;
    assert_eq!(found.status, StatusCode::OK);
    let next = send(&r, "POST", "/u/qingyuan-water/apply", Some(&pairs(&application("李四")))).await;
    assert!(next.body.contains("qingyuan-water-2026-00002"));
}

#[tokio::test]
async fn a_campaign_takes_dates_written_yyyy_mm_dd_only() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    let campaign = |id: &str, opens: &str, closes: &str| gongkai_desk::campaigns::Campaign {
        id: id.into(),
        name: "2026年度政务公开社会评议".into(),
        unit: String::new(),
        opens: opens.into(),
        closes: closes.into(),
    };
    // compared as text in SQL: another form of the same day would never open
    for (opens, closes) in [("20261101", "2026-11-30"), ("2026-11-01", "2026-11-30T00:00"), ("2026-11-1", "2026-11-30")]
    {
        let err = gongkai_desk::campaigns::add(&db, &campaign("a", opens, closes)).await.unwrap_err();
        assert!(err.contains("2026-10-01"), "{opens} {closes}: {err}");
    }
    let err = gongkai_desk::campaigns::add(&db, &campaign("a", "2026-11-30", "2026-11-01")).await.unwrap_err();
    assert!(err.contains("早于"), "{err}");
    gongkai_desk::campaigns::add(&db, &campaign("a", "2026-11-01", "2026-11-30")).await.unwrap();
}

#[tokio::test]
async fn a_sqlite_database_is_in_wal_mode_and_readable_by_its_owner_only() {
    // about the SQLite file itself: the same on either run of the suite
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    let db = Db::open(&format!("sqlite:{}", path.display())).await.unwrap();
    let mode = db.rows("PRAGMA journal_mode", vec![]).await.unwrap();
    assert_eq!(mode[0].text(0), "wal", "WAL, as the README says (SQLite built without it would say delete)");
    gongkai_desk::migrate::migrate(&db, None).await.unwrap();
    use std::os::unix::fs::PermissionsExt;
    for file in ["desk.db", "desk.db-wal", "desk.db-shm"] {
        let meta = std::fs::metadata(dir.path().join(file)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o077, 0, "{file}");
    }
}
