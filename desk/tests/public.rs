//! The public side: apply, receipt, lookup, the questionnaire; validation, honeypot, limits,
//! headers. On SQLite, or on PostgreSQL with GONGKAI_DESK_TEST_PG.

mod common;

use axum::http::StatusCode;
use common::*;
use gongkai::calendar::Calendar;
use gongkai_desk::campaigns::{self, Campaign};
use gongkai_desk::web::{App, Limits};

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

/// The example site with a pack of its own (`tests/fixtures/reply_pack.yaml`) that gives its
/// schools 15 working days to reply.
fn site_with_reply_pack(dir: &std::path::Path) -> std::path::PathBuf {
    let root = dir.join("site");
    std::fs::create_dir_all(root.join("rules")).unwrap();
    let copied =
        std::process::Command::new("cp").arg("-r").arg(site().join("content")).arg(root.join("content")).status();
    assert!(copied.unwrap().success());
    let pack = std::fs::read_to_string(site().join("desk/tests/fixtures/reply_pack.yaml")).unwrap();
    std::fs::write(root.join("rules/reply-15.yaml"), pack).unwrap();
    std::fs::write(
        root.join("gongkai.yaml"),
        "today: 2026-11-27\n规则包: [baiyin-2021, ogi-2019, school-2002, reply-15]\n",
    )
    .unwrap();
    root
}

#[tokio::test]
async fn the_reply_period_is_the_units_packs_else_twenty_working_days() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    let portal = gongkai_desk::portal::Portal::load(&site_with_reply_pack(dir.path())).expect("the site loads");
    let r = service(App { portal: std::sync::Arc::new(portal), ..app(db) }, OPEN);
    let school = send(&r, "POST", "/u/jinding-school/apply", Some(&pairs(&application("张三")))).await;
    assert_eq!(school.status, StatusCode::OK, "{}", school.body);
    // 2026-11-27 + 15 working days: 2026-12-18
    assert_eq!(Calendar::builtin().add_working_days(today(), 15).value.to_string(), "2026-12-18");
    assert!(school.body.contains("答复期限：2026-12-18"), "{}", school.body);
    assert!(
        school.body.contains("收到之日起 15 个工作日内，《学校依申请公开办理规定（测试用）》第八条"),
        "{}",
        school.body
    );
    let water = send(&r, "POST", "/u/qingyuan-water/apply", Some(&pairs(&application("张三")))).await;
    assert!(water.body.contains("答复期限：2026-12-25"), "{}", water.body);
    assert!(water.body.contains("收到之日起 20 个工作日内，《政府信息公开条例》第三十三条"), "{}", water.body);
    let (no, code) = receipt(&school.body);
    let found = send(&r, "POST", "/lookup", Some(&[("number", &no), ("code", &code)])).await;
    assert!(found.body.contains("2026-12-18"), "{}", found.body);
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
    let r = service(app(db), Limits { every_ms: 60_000, burst: 2, ..Limits::default() });
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

/// A POST as if from `from` (the desk behind a proxy that says so in `X-Forwarded-For`).
async fn post_from(r: &axum::Router, uri: &str, form: &[(&str, &str)], from: &str) -> (StatusCode, String) {
    let req = axum::http::Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", from)
        .body(axum::body::Body::from(encode(form)))
        .unwrap();
    let res = tower::ServiceExt::oneshot(r.clone(), req).await.unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn proxied(l: Limits) -> Limits {
    Limits { behind_proxy: true, ..l }
}

#[tokio::test]
async fn behind_a_proxy_each_forwarded_address_has_its_own_limit() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    let r = service(app(db), proxied(Limits { every_ms: 60_000, burst: 1, ..Limits::default() }));
    let form = application("张三");
    let apply = "/u/qingyuan-water/apply";
    assert_eq!(post_from(&r, apply, &pairs(&form), "198.51.100.1").await.0, StatusCode::OK);
    assert_eq!(post_from(&r, apply, &pairs(&form), "198.51.100.1").await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(post_from(&r, apply, &pairs(&form), "198.51.100.2").await.0, StatusCode::OK);
    // the proxy's own entry is the last one: what the client put before it does not count
    assert_eq!(post_from(&r, apply, &pairs(&form), "10.0.0.1, 198.51.100.2").await.0, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn an_ipv6_address_is_limited_by_its_64() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    let r = service(app(db), proxied(Limits { every_ms: 60_000, burst: 1, ..Limits::default() }));
    let form = application("张三");
    let apply = "/u/qingyuan-water/apply";
    assert_eq!(post_from(&r, apply, &pairs(&form), "2001:db8:1:2::1").await.0, StatusCode::OK);
    // another address of the same /64 (a phone's privacy addresses, one household)
    assert_eq!(post_from(&r, apply, &pairs(&form), "2001:db8:1:2:ffff::9").await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(post_from(&r, apply, &pairs(&form), "2001:db8:1:3::1").await.0, StatusCode::OK);
}

fn campaign_now() -> Campaign {
    Campaign {
        id: "2026".into(),
        name: "2026年度政务公开社会评议".into(),
        unit: String::new(),
        opens: "2026-11-01".into(),
        closes: "2026-11-30".into(),
    }
}

fn all_satisfied() -> Vec<(&'static str, &'static str)> {
    gongkai::desk::QUESTIONS.iter().map(|(k, _)| (*k, "满意")).collect()
}

#[tokio::test]
async fn one_unit_takes_a_burst_of_applications_from_any_addresses_then_waits() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    campaigns::add(&db, &campaign_now()).await.unwrap();
    let limits = Limits { every_ms: 1, burst: 100, unit_every_ms: 60_000, unit_burst: 2, ..Limits::default() };
    let r = service(app(db.clone()), proxied(limits));
    let form = application("张三");
    let apply = "/u/qingyuan-water/apply";
    assert_eq!(post_from(&r, apply, &pairs(&form), "198.51.100.1").await.0, StatusCode::OK);
    assert_eq!(post_from(&r, apply, &pairs(&form), "198.51.100.2").await.0, StatusCode::OK);
    let (status, body) = post_from(&r, apply, &pairs(&form), "198.51.100.3").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("这个单位短时间内收到的提交太多"), "{body}");
    // another unit, and questionnaires to this one, have their own buckets
    assert_eq!(post_from(&r, "/u/jinding-school/apply", &pairs(&form), "198.51.100.3").await.0, StatusCode::OK);
    let evaluate = "/u/qingyuan-water/evaluate";
    assert_eq!(post_from(&r, evaluate, &all_satisfied(), "198.51.100.3").await.0, StatusCode::OK);
    let n = db.rows("SELECT COUNT(*) FROM cases", vec![]).await.unwrap();
    assert_eq!(n[0].int(0), 3);
}

#[tokio::test]
async fn one_address_sends_a_few_questionnaires_per_campaign_and_unit() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    campaigns::add(&db, &campaign_now()).await.unwrap();
    let r = service(app(db.clone()), proxied(Limits { every_ms: 1, burst: 100, ballots: 2, ..Limits::default() }));
    let evaluate = "/u/qingyuan-water/evaluate";
    for _ in 0..2 {
        assert_eq!(post_from(&r, evaluate, &all_satisfied(), "2001:db8::1").await.0, StatusCode::OK);
    }
    let (status, body) = post_from(&r, evaluate, &all_satisfied(), "2001:db8::2").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("已从同一网络地址收到多份问卷"), "{body}");
    // an incomplete questionnaire is not counted against the address, a refused one is not stored
    let (status, _) = post_from(&r, evaluate, &all_satisfied()[..3], "198.51.100.9").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for _ in 0..2 {
        assert_eq!(post_from(&r, evaluate, &all_satisfied(), "198.51.100.9").await.0, StatusCode::OK);
    }
    assert_eq!(post_from(&r, "/u/jinding-school/evaluate", &all_satisfied(), "2001:db8::1").await.0, StatusCode::OK);
    let n = db.rows("SELECT COUNT(*) FROM responses", vec![]).await.unwrap();
    assert_eq!(n[0].int(0), 5);
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
    // a form posts back to its own address by having no action (an empty one is invalid HTML)
    assert!(form.body.contains("<form method=\"post\"") && !form.body.contains("action=\"\""));
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
    let mut robot = answers.clone();
    robot.push(("homepage", "http://spam.example"));
    let got = send(&r, "POST", "/u/qingyuan-water/evaluate", Some(&robot)).await;
    assert_eq!(got.status, StatusCode::BAD_REQUEST);
    assert!(got.body.contains("表单中一个应当留空的栏目被填写了"), "{}", got.body);
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

/// Sends `bytes` on a new connection and reads until the desk closes it (a 20 s guard: the
/// desk's own limits here are 0.3 s).
fn exchange(addr: std::net::SocketAddr, bytes: &'static [u8]) -> String {
    use std::io::{Read, Write};
    let mut c = std::net::TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    c.write_all(bytes).unwrap();
    let mut got = Vec::new();
    match c.read_to_end(&mut got) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the desk kept a slow connection open: {e}"),
    }
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_that_sends_too_slowly_is_cut_off_without_nginx() {
    use gongkai_desk::serve::{Timeouts, serve};
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let ms = std::time::Duration::from_millis(300);
    let router = gongkai_desk::web::router(app(db), OPEN);
    tokio::spawn(serve(listener, router, Timeouts { headers: ms, request: ms }, std::future::pending()));
    let answers = tokio::task::spawn_blocking(move || {
        [
            // headers that never end: the connection is closed
            exchange(addr, b"POST /lookup HTTP/1.1\r\nHost: desk\r\nContent-Length: 10\r\n"),
            // a body that never comes: 408
            exchange(
                addr,
                b"POST /lookup HTTP/1.1\r\nHost: desk\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                  Content-Length: 100\r\n\r\nnumber=1",
            ),
            // a whole request is answered
            exchange(addr, b"GET /lookup HTTP/1.1\r\nHost: desk\r\nConnection: close\r\n\r\n"),
        ]
    })
    .await
    .unwrap();
    assert!(!answers[0].starts_with("HTTP/1.1 2"), "{}", answers[0]);
    assert!(answers[1].starts_with("HTTP/1.1 408") && answers[1].contains("请求超时"), "{}", answers[1]);
    assert!(answers[2].starts_with("HTTP/1.1 200") && answers[2].contains("查询申请办理情况"), "{}", answers[2]);
}
