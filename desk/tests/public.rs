//! The public side: apply, receipt, lookup, the questionnaire; validation, honeypot, limits,
//! headers. On SQLite, or on PostgreSQL with GONGKAI_DESK_TEST_PG.

mod common;

use axum::http::StatusCode;
use common::*;
use gongkai::calendar::Calendar;
use gongkai_desk::campaigns::{self, Campaign};
use gongkai_desk::web::Limits;

fn receipt(body: &str) -> (String, String) {
    let no = between(body, "受理编号：<strong>", "</strong>").expect("a 受理编号").to_owned();
    let code = between(body, "<span class=\"code\">", "</span>").expect("a 查询码").to_owned();
    (no, code)
}

#[tokio::test]
async fn an_application_gets_a_receipt_with_the_working_day_deadline_and_can_be_looked_up() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    let r = service(app(db), OPEN);
    let form = application("张三");
    let got = send(&r, "POST", "/u/qingyuan-water/apply", Some(&pairs(&form))).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    let (no, code) = receipt(&got.body);
    assert_eq!(no, "qingyuan-water-2026-00001");
    let due = Calendar::builtin().add_working_days(today(), 20).value;
    assert!(got.body.contains(&format!("答复期限：{due}")), "{}", got.body);
    // 2026-11-27 + 20 working days, no holiday between: 2026-12-25
    assert_eq!(due.to_string(), "2026-12-25");
    assert_eq!(code.len(), 19);

    let second = send(&r, "POST", "/u/qingyuan-water/apply", Some(&pairs(&application("李四")))).await;
    assert_eq!(receipt(&second.body).0, "qingyuan-water-2026-00002");

    let found = send(&r, "POST", "/lookup", Some(&[("number", &no), ("code", &code.to_lowercase())])).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert!(found.body.contains("接收") && found.body.contains("2026-12-25"), "{}", found.body);
    assert!(!found.body.contains("张三"), "the status page shows no personal data");

    let (no2, _) = receipt(&second.body);
    for (n, c) in
        [(no.as_str(), "AAAA-BBBB-CCCC-DDDD"), (no2.as_str(), code.as_str()), ("nothing-2026-00001", code.as_str())]
    {
        let wrong = send(&r, "POST", "/lookup", Some(&[("number", n), ("code", c)])).await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND);
        assert!(wrong.body.contains("受理编号或查询码不对") && !wrong.body.contains("办理进度"));
    }
}

#[tokio::test]
async fn a_wrong_application_is_shown_again_with_what_was_typed_escaped_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    let r = service(app(db.clone()), OPEN);
    let mut form = application("<script>alert(1)</script>");
    form.retain(|(k, _)| *k != "email" && *k != "info");
    let got = send(&r, "POST", "/u/qingyuan-water/apply", Some(&pairs(&form))).await;
    assert_eq!(got.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(got.body.contains("请填写「所需信息的名称或者描述」"), "{}", got.body);
    assert!(got.body.contains("联系电话、电子邮箱、通信地址至少填写一项"));
    assert!(got.body.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""), "{}", got.body);
    assert!(!got.body.contains("<script"));
    let n = db.rows("SELECT COUNT(*) FROM cases", vec![]).await.unwrap();
    assert_eq!(n[0].int(0), 0);
}

#[tokio::test]
async fn the_honeypot_the_body_limit_and_an_unknown_unit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    let r = service(app(db.clone()), OPEN);
    let mut form = application("张三");
    form.retain(|(k, _)| *k != "homepage");
    form.push(("homepage", "http://spam.example".into()));
    assert_eq!(send(&r, "POST", "/u/qingyuan-water/apply", Some(&pairs(&form))).await.status, StatusCode::BAD_REQUEST);
    let big = "字".repeat(30_000);
    let mut form = application("张三");
    form.push(("doc_number", big));
    let got = send(&r, "POST", "/u/qingyuan-water/apply", Some(&pairs(&form))).await;
    assert_eq!(got.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(got.body.contains("提交的内容太长"));
    let got = send(&r, "POST", "/u/no-such-unit/apply", Some(&pairs(&application("张三")))).await;
    assert_eq!(got.status, StatusCode::NOT_FOUND);
    let n = db.rows("SELECT COUNT(*) FROM cases", vec![]).await.unwrap();
    assert_eq!(n[0].int(0), 0);
}

#[tokio::test]
async fn one_address_is_limited_after_its_burst() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    let r = service(app(db), Limits { every_ms: 60_000, burst: 2, behind_proxy: false });
    let form = application("张三");
    for _ in 0..2 {
        assert_eq!(send(&r, "POST", "/u/qingyuan-water/apply", Some(&pairs(&form))).await.status, StatusCode::OK);
    }
    let got = send(&r, "POST", "/u/qingyuan-water/apply", Some(&pairs(&form))).await;
    assert_eq!(got.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(got.body.contains("提交过于频繁"));
    // reading is not limited
    assert_eq!(send(&r, "GET", "/u/qingyuan-water/apply", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn behind_a_proxy_each_forwarded_address_has_its_own_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    let r = service(app(db), Limits { every_ms: 60_000, burst: 1, behind_proxy: true });
    let post = |from: &'static str| {
        let r = r.clone();
        async move {
            let body = encode(&pairs(&application("张三")));
            let req = axum::http::Request::post("/u/qingyuan-water/apply")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("x-forwarded-for", from)
                .body(axum::body::Body::from(body))
                .unwrap();
            tower::ServiceExt::oneshot(r, req).await.unwrap().status()
        }
    };
    assert_eq!(post("198.51.100.1").await, StatusCode::OK);
    assert_eq!(post("198.51.100.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(post("198.51.100.2").await, StatusCode::OK);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    let r = service(app(db), OPEN);
    for (m, uri) in [
        ("GET", "/u/qingyuan-water/apply"),
        ("GET", "/lookup"),
        ("GET", "/desk.css"),
        ("GET", "/nothing"),
        ("POST", "/lookup"),
    ] {
        let got = send(&r, m, uri, None).await;
        let h = |n: &str| got.headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(h("content-security-policy").contains("frame-ancestors 'none'"), "{uri}");
        assert!(!h("content-security-policy").contains("script-src"), "{uri}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(h("referrer-policy"), "no-referrer", "{uri}");
    }
    let form = send(&r, "GET", "/u/qingyuan-water/apply", None).await;
    assert!(!form.body.contains("<script"));
    for f in gongkai::desk::APPLICATION_FIELDS {
        assert!(form.body.contains(&format!("name=\"{}\"", f.name)), "{}", f.name);
    }
}

#[tokio::test]
async fn the_questionnaire_is_open_only_during_a_campaign() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    let r = service(app(db.clone()), OPEN);
    let closed = send(&r, "GET", "/u/qingyuan-water/evaluate", None).await;
    assert!(closed.body.contains("现在不在评议期内") && !closed.body.contains("<form"));
    let c = |id: &str, from: &str, to: &str| Campaign {
        id: id.into(),
        name: "2026年度政务公开社会评议".into(),
        unit: String::new(),
        opens: from.into(),
        closes: to.into(),
    };
    campaigns::add(&db, &c("2025", "2025-10-01", "2025-10-31")).await.unwrap();
    let closed = send(&r, "GET", "/u/qingyuan-water/evaluate", None).await;
    assert!(closed.body.contains("现在不在评议期内"));
    campaigns::add(&db, &c("2026", "2026-11-01", "2026-11-27")).await.unwrap();
    assert!(campaigns::add(&db, &c("2026", "2026-11-01", "2026-11-27")).await.unwrap_err().contains("已有编号"));
    let open = send(&r, "GET", "/u/qingyuan-water/evaluate", None).await;
    for (key, text) in gongkai::desk::QUESTIONS {
        assert!(open.body.contains(text) && open.body.contains(&format!("name=\"{key}\"")), "{key}");
    }
    let mut answers: Vec<(&str, &str)> = gongkai::desk::QUESTIONS.iter().map(|(k, _)| (*k, "满意")).collect();
    answers[5].1 = "很好";
    let got = send(&r, "POST", "/u/qingyuan-water/evaluate", Some(&answers)).await;
    assert_eq!(got.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(got.body.contains("第 6 题请选择"));
    answers[5].1 = "不满意";
    answers.push(("remark", "公开栏在二楼，不好找"));
    let got = send(&r, "POST", "/u/qingyuan-water/evaluate", Some(&answers)).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    let rows = db.rows("SELECT campaign, unit, content, service, remark FROM responses", vec![]).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].text(0), rows[0].text(1), rows[0].text(2), rows[0].text(3), rows[0].text(4)),
        ("2026".into(), "qingyuan-water".into(), "满意".into(), "不满意".into(), "公开栏在二楼，不好找".into())
    );
}
