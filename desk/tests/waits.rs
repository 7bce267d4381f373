//! 补正 (第三十条) and 征求第三方意见 (第三十二条) in the staff console: each starts and ends with
//! its audit row, the deadline restarts from the completed application or moves on by the days a
//! third party took, nothing else happens to a waiting case, and the applicant sees the wait. On
//! SQLite, or PostgreSQL with GONGKAI_DESK_TEST_PG.

mod common;

use axum::Router;
use axum::http::StatusCode;
use common::staff::*;
use common::*;
use gongkai_desk::db::Db;
use jiff::civil::{Date, date};

/// The console as it is on `day`.
fn on(db: &Db, day: Date) -> Router {
    let mut a = app(db.clone());
    a.today = Some(day);
    service(a, OPEN)
}

async fn act(r: &Router, s: &Session, no: &str, form: &[(&str, &str)]) -> Got {
    let mut f = vec![("csrf", s.csrf.as_str())];
    f.extend_from_slice(form);
    req(r, "POST", &format!("/staff/case/{no}"), Some(s), &f).await
}

async fn case(db: &Db, seq: i64) -> (String, String, Option<String>, Option<String>) {
    let r = db
        .rows(
            "SELECT state, due, hold, outcome FROM cases WHERE unit = 'qingyuan-water' AND seq = $1",
            vec![gongkai_desk::db::i(seq)],
        )
        .await
        .unwrap();
    (r[0].text(0), r[0].text(1), r[0].opt(2), r[0].opt(3))
}

async fn actions(db: &Db, seq: i64) -> Vec<String> {
    db.rows(
        "SELECT action FROM audit WHERE unit = 'qingyuan-water' AND seq = $1 ORDER BY n",
        vec![gongkai_desk::db::i(seq)],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.text(0))
    .collect()
}

#[tokio::test]
async fn completion_restarts_the_deadline_and_a_third_partys_days_are_not_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    setup(&db).await;
    // received on Friday 2026-11-27: due 2026-12-25
    let r = on(&db, today());
    let got = send(&r, "POST", "/u/qingyuan-water/apply", Some(&pairs(&application("张三")))).await;
    let no = between(&got.body, "受理编号：<strong>", "</strong>").unwrap().to_owned();
    let code = between(&got.body, "<span class=\"code\">", "</span>").unwrap().to_owned();
    let s = login(&r, "water").await;
    assert_eq!(act(&r, &s, &no, &[("do", "step"), ("to", "登记")]).await.status, StatusCode::SEE_OTHER);
    let page = req(&r, "GET", &format!("/staff/case/{no}"), Some(&s), &[]).await;
    assert!(page.body.contains("告知补正（只能一次，收到申请之日起 7 个工作日内，至 2026-12-08）"), "{}", page.body);
    assert!(act(&r, &s, &no, &[("do", "ask-completion"), ("what", " ")]).await.body.contains("请写明需要补正的内容"));
    let asked = act(&r, &s, &no, &[("do", "ask-completion"), ("what", "请写明所需报告的年份")]).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    assert_eq!(case(&db, 1).await.2.as_deref(), Some("补正"));

    // while the applicant completes it: no step, no extension, never overdue, and they see why
    let got = act(&r, &s, &no, &[("do", "step"), ("to", "审核")]).await;
    assert!(got.body.contains("正在等待「补正」"), "{}", got.body);
    let got = act(&r, &s, &no, &[("do", "extend"), ("days", "5"), ("reason", "会商")]).await;
    assert!(got.body.contains("正在等待「补正」"), "{}", got.body);
    let list = req(&on(&db, date(2027, 3, 1)), "GET", "/staff/", Some(&s), &[]).await;
    assert!(!list.body.contains("overdue") && list.body.contains("（等待：补正）"), "{}", list.body);
    let status = send(&r, "POST", "/lookup", Some(&[("number", &no), ("code", &code)])).await;
    assert!(status.body.contains("已告知补正，等待申请人补正"), "{}", status.body);

    // completed on Monday 2026-11-30: 20 working days from then, 2026-12-28
    let r = on(&db, date(2026, 11, 30));
    assert_eq!(act(&r, &s, &no, &[("do", "completed")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(case(&db, 1).await, ("登记".into(), "2026-12-28".into(), None, None));
    assert!(act(&r, &s, &no, &[("do", "ask-completion"), ("what", "再补")]).await.body.contains("只能告知一次"));

    // a third party asked on Tuesday 2026-12-01, answers on Friday 2026-12-04: three working days
    let r = on(&db, date(2026, 12, 1));
    assert_eq!(act(&r, &s, &no, &[("do", "step"), ("to", "审核")]).await.status, StatusCode::SEE_OTHER);
    let got = act(&r, &s, &no, &[("do", "consult"), ("whom", "供水管网施工单位：施工合同")]).await;
    assert_eq!(got.status, StatusCode::SEE_OTHER, "{}", got.body);
    let page = req(&r, "GET", &format!("/staff/case/{no}"), Some(&s), &[]).await;
    // 15 working days from 2026-12-01
    assert!(page.body.contains("第三方应在 2026-12-22 前提出意见"), "{}", page.body);
    let status = send(&r, "POST", "/lookup", Some(&[("number", &no), ("code", &code)])).await;
    assert!(status.body.contains("正在征求第三方意见，所需时间不计入答复期限"), "{}", status.body);
    let r = on(&db, date(2026, 12, 4));
    assert_eq!(act(&r, &s, &no, &[("do", "consulted")]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(case(&db, 1).await, ("审核".into(), "2026-12-31".into(), None, None));
    assert!(act(&r, &s, &no, &[("do", "consulted")]).await.body.contains("没有在征求第三方意见"));
    assert_eq!(actions(&db, 1).await, ["接收", "登记", "补正", "补正完成", "审核", "征求第三方意见", "第三方意见"]);
    let details =
        db.rows("SELECT detail FROM audit WHERE unit = 'qingyuan-water' AND seq = 1 ORDER BY n", vec![]).await.unwrap();
    assert_eq!(details[2].text(0), "告知补正：请写明所需报告的年份");
    assert!(details[6].text(0).contains("所用 3 个工作日不计入答复期限，答复期限顺延至 2026-12-31"));
}

#[tokio::test]
async fn completion_is_asked_within_seven_working_days_and_an_application_never_completed_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    setup(&db).await;
    let r = on(&db, today());
    let first = apply(&r, "qingyuan-water", "张三").await;
    let second = apply(&r, "qingyuan-water", "李四").await;
    let s = login(&r, "water").await;
    // 2026-12-09 is the eighth working day after 2026-11-27
    let late = on(&db, date(2026, 12, 9));
    let got = act(&late, &s, &first, &[("do", "ask-completion"), ("what", "请写明年份")]).await;
    assert!(got.body.contains("已过期限"), "{}", got.body);
    assert_eq!(case(&db, 1).await.2, None);
    let r = on(&db, date(2026, 12, 8));
    assert_eq!(
        act(&r, &s, &second, &[("do", "ask-completion"), ("what", "请写明年份")]).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(act(&r, &s, &second, &[("do", "not-completed")]).await.status, StatusCode::SEE_OTHER);
    let (state, _, hold, outcome) = case(&db, 2).await;
    assert_eq!((state.as_str(), hold, outcome.as_deref()), ("答复", None, Some("其他处理")));
    assert_eq!(actions(&db, 2).await, ["接收", "补正", "答复"]);
    // staff of another unit can do none of it
    let other = login(&r, "hospital").await;
    let got = act(&r, &other, &first, &[("do", "consult"), ("whom", "x")]).await;
    assert_eq!(got.status, StatusCode::NOT_FOUND);
}
