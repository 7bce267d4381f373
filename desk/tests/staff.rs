//! The staff console: login, CSRF, units' separation on every route, the workflow with its
//! audit trail, the one extension, overdue marks. On SQLite, or PostgreSQL with GONGKAI_DESK_TEST_PG.

mod common;

use axum::http::StatusCode;
use common::staff::*;
use common::*;
use gongkai_desk::users;

#[tokio::test]
async fn a_login_needs_the_right_password_and_every_form_its_csrf_token() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    setup(&db).await;
    let r = service(app(db), OPEN);
    assert_eq!(req(&r, "GET", "/staff/", None, &[]).await.status, StatusCode::SEE_OTHER);
    for (n, p) in [("water", "wrong password!"), ("nobody", PW)] {
        let got = post_login(&r, n, p).await;
        assert_eq!(got.status, StatusCode::UNAUTHORIZED);
        let cookies: Vec<_> = got.headers.get_all("set-cookie").iter().collect();
        assert!(
            got.body.contains("账号或密码不对")
                && cookies.iter().all(|c| !c.to_str().unwrap().contains("desk_session"))
        );
    }
    // a login posted without the form's cookie and token (another site's page): refused
    let (cookie, token) = login_form(&r).await;
    let other = login_form(&r).await.0;
    for (c, t) in [(None, token.as_str()), (Some(cookie.clone()), "forged"), (Some(other), token.as_str())] {
        let s = c.map(|cookie| Session { cookie, csrf: String::new() });
        let got =
            req(&r, "POST", "/staff/login", s.as_ref(), &[("csrf", t), ("name", "water"), ("password", PW)]).await;
        assert_eq!(got.status, StatusCode::FORBIDDEN, "{}", got.body);
        assert!(got.body.contains("登录表单已过期"));
    }
    let no = apply(&r, "qingyuan-water", "张三").await;
    let s = login(&r, "water").await;
    let uri = format!("/staff/case/{no}");
    for token in ["", "forged"] {
        let got = req(&r, "POST", &uri, Some(&s), &[("csrf", token), ("do", "step"), ("to", "登记")]).await;
        assert_eq!(got.status, StatusCode::FORBIDDEN);
    }
    let page = req(&r, "GET", &uri, Some(&s), &[]).await;
    assert!(page.body.contains("进度</th><td>接收"), "{}", page.body);
    // logging out ends the session
    assert_eq!(req(&r, "POST", "/staff/logout", Some(&s), &[("csrf", &s.csrf)]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(req(&r, "GET", "/staff/", Some(&s), &[]).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn an_account_with_five_wrong_passwords_waits_whatever_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    setup(&db).await;
    // no per-address limit: the wait is the account's
    let r = service(app(db), OPEN);
    for _ in 0..5 {
        assert_eq!(post_login(&r, "water", "wrong password!").await.status, StatusCode::UNAUTHORIZED);
    }
    let got = post_login(&r, "water", PW).await;
    assert_eq!(got.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(got.body.contains("这个账号连续多次密码错误，请 1 分钟后再试"), "{}", got.body);
    // another account is not held back, and a right password clears its count
    login(&r, "hospital").await;
}

#[tokio::test]
async fn staff_never_see_or_touch_another_units_cases_on_any_route() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    setup(&db).await;
    let r = service(app(db.clone()), OPEN);
    let water = apply(&r, "qingyuan-water", "张三").await;
    let hospital = apply(&r, "renhe-hospital", "李四").await;
    let s = login(&r, "water").await;
    let list = req(&r, "GET", "/staff/", Some(&s), &[]).await;
    assert!(list.body.contains(&water) && !list.body.contains(&hospital));
    let uri = format!("/staff/case/{hospital}");
    assert_eq!(req(&r, "GET", &uri, Some(&s), &[]).await.status, StatusCode::NOT_FOUND);
    for form in [
        vec![("csrf", s.csrf.as_str()), ("do", "step"), ("to", "登记")],
        vec![("csrf", s.csrf.as_str()), ("do", "extend"), ("days", "5"), ("reason", "需要会商")],
    ] {
        let got = req(&r, "POST", &uri, Some(&s), &form).await;
        assert_eq!(got.status, StatusCode::NOT_FOUND, "{form:?}");
        assert!(!got.body.contains("李四"));
    }
    assert_eq!(req(&r, "GET", "/staff/admin", Some(&s), &[]).await.status, StatusCode::FORBIDDEN);
    let made = req(
        &r,
        "POST",
        "/staff/admin",
        Some(&s),
        &[("csrf", &s.csrf), ("do", "user"), ("name", "x"), ("password", PW), ("admin", "1")],
    )
    .await;
    assert_eq!(made.status, StatusCode::FORBIDDEN);
    let state = db.rows("SELECT state, extended_due FROM cases WHERE unit = 'renhe-hospital'", vec![]).await.unwrap();
    assert_eq!((state[0].text(0), state[0].opt(1)), ("接收".to_owned(), None));
    assert_eq!(db.rows("SELECT name FROM users WHERE name = 'x'", vec![]).await.unwrap().len(), 0);
    // the admin sees both, and creates accounts and campaigns
    let a = login(&r, "admin").await;
    let list = req(&r, "GET", "/staff/", Some(&a), &[]).await;
    assert!(list.body.contains(&water) && list.body.contains(&hospital));
    let got = req(
        &r,
        "POST",
        "/staff/admin",
        Some(&a),
        &[
            ("csrf", &a.csrf),
            ("do", "campaign"),
            ("id", "2026"),
            ("cname", "2026年度社会评议"),
            ("from", "2026-11-01"),
            ("to", "2026-11-30"),
            ("unit", ""),
        ],
    )
    .await;
    assert_eq!(got.status, StatusCode::SEE_OTHER, "{}", got.body);
    let got = req(
        &r,
        "POST",
        "/staff/admin",
        Some(&a),
        &[("csrf", &a.csrf), ("do", "user"), ("name", "bus"), ("password", PW), ("unit", "yincheng-bus")],
    )
    .await;
    assert_eq!(got.status, StatusCode::SEE_OTHER, "{}", got.body);
    let got = req(
        &r,
        "POST",
        "/staff/admin",
        Some(&a),
        &[("csrf", &a.csrf), ("do", "user"), ("name", "ghost"), ("password", PW), ("unit", "no-such-unit")],
    )
    .await;
    assert!(got.body.contains("门户中没有单位「no-such-unit」"));
}

#[tokio::test]
async fn the_workflow_goes_step_by_step_records_every_step_and_extends_once() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    setup(&db).await;
    let r = service(app(db.clone()), OPEN);
    let no = apply(&r, "qingyuan-water", "张三").await;
    let other = apply(&r, "qingyuan-water", "王五").await;
    let s = login(&r, "water").await;
    let uri = format!("/staff/case/{no}");
    let step = |to: &'static str, outcome: &'static str, reason: &'static str| {
        vec![
            ("csrf", s.csrf.clone()),
            ("do", "step".into()),
            ("to", to.into()),
            ("outcome", outcome.into()),
            ("reason", reason.into()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let (r, uri, s) = (&r, &uri, &s);
        async move { req(r, "POST", uri, Some(s), &f.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await }
    };
    assert!(post(step("审核", "", "")).await.body.contains("下一步只能是「登记」"));
    for to in ["登记", "审核", "办理"] {
        assert_eq!(post(step(to, "", "")).await.status, StatusCode::SEE_OTHER, "{to}");
    }
    let got = post(step("答复", "不予公开", "")).await;
    assert_eq!(got.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(got.body.contains("不予公开须写明理由"));
    assert_eq!(post(step("答复", "不予公开", "涉及第三方商业秘密")).await.status, StatusCode::SEE_OTHER);
    assert_eq!(post(step("归档", "", "")).await.status, StatusCode::SEE_OTHER);
    let trail = db
        .rows("SELECT actor, action, detail FROM audit WHERE seq = 1 AND unit = 'qingyuan-water' ORDER BY n", vec![])
        .await
        .unwrap();
    let actions: Vec<String> = trail.iter().map(|r| r.text(1)).collect();
    assert_eq!(actions, ["接收", "登记", "审核", "办理", "答复", "归档"]);
    assert_eq!(trail[4].text(0), "water");
    assert_eq!(trail[4].text(2), "答复：不予公开；理由：涉及第三方商业秘密");

    // one extension, by at most 20 working days, with a reason
    let ouri = format!("/staff/case/{other}");
    let ext = |days: &'static str, reason: &'static str| {
        vec![("csrf", s.csrf.as_str()), ("do", "extend"), ("days", days), ("reason", reason)]
    };
    assert!(req(&r, "POST", &ouri, Some(&s), &ext("21", "会商")).await.body.contains("1 到 20"));
    assert!(req(&r, "POST", &ouri, Some(&s), &ext("5", " ")).await.body.contains("须写明理由"));
    assert_eq!(req(&r, "POST", &ouri, Some(&s), &ext("20", "需征求第三方意见")).await.status, StatusCode::SEE_OTHER);
    assert!(req(&r, "POST", &ouri, Some(&s), &ext("1", "再延")).await.body.contains("只能延长一次"));
    let row =
        db.rows("SELECT due, extended_due FROM cases WHERE unit = 'qingyuan-water' AND seq = 2", vec![]).await.unwrap();
    let cal = gongkai::calendar::Calendar::builtin();
    let due: jiff::civil::Date = row[0].text(0).parse().unwrap();
    assert_eq!(row[0].text(1), cal.add_working_days(due, 20).value.to_string());

    // the applicant sees the outcome
    let found = send(&r, "POST", "/lookup", Some(&[("number", &no), ("code", "wrong")])).await;
    assert_eq!(found.status, StatusCode::NOT_FOUND);

    // a late case is marked in the list
    let mut later = app(db.clone());
    later.today = Some(jiff::civil::date(2027, 3, 1));
    let r2 = service(later, OPEN);
    let list = req(&r2, "GET", "/staff/", Some(&s), &[]).await;
    let late_row = list.body.split("<tr").find(|row| row.contains(&other)).unwrap();
    assert!(late_row.contains("class=\"overdue\"") && late_row.contains("已超期"), "{late_row}");
    let done_row = list.body.split("<tr").find(|row| row.contains(&format!(">{no}<"))).unwrap();
    assert!(!done_row.contains("overdue"), "{done_row}");
}

#[tokio::test]
async fn staff_read_their_units_free_text_and_record_rectifications_that_the_export_publishes() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    setup(&db).await;
    let r = service(app(db.clone()), OPEN);
    let c = gongkai_desk::campaigns::Campaign {
        id: "2026".into(),
        name: "2026年度社会评议".into(),
        unit: String::new(),
        opens: "2026-11-01".into(),
        closes: "2026-11-30".into(),
    };
    gongkai_desk::campaigns::add(&db, &c).await.unwrap();
    for (unit, rating, remark) in
        [("qingyuan-water", "不满意", "公开栏在二楼不好找"), ("renhe-hospital", "满意", "医院的意见")]
    {
        let mut answers: Vec<(&str, &str)> = gongkai::desk::QUESTIONS.iter().map(|(k, _)| (*k, rating)).collect();
        answers.push(("remark", remark));
        assert_eq!(send(&r, "POST", &format!("/u/{unit}/evaluate"), Some(&answers)).await.status, StatusCode::OK);
    }
    let s = login(&r, "water").await;
    let page = req(&r, "GET", "/staff/evaluations", Some(&s), &[]).await;
    assert!(page.body.contains("公开栏在二楼不好找") && !page.body.contains("医院的意见"), "{}", page.body);
    assert!(page.body.contains("等次：不满意"));
    let hospital_id =
        db.rows("SELECT id FROM responses WHERE unit = 'renhe-hospital'", vec![]).await.unwrap()[0].text(0);
    let got =
        req(&r, "POST", "/staff/evaluations", Some(&s), &[("csrf", &s.csrf), ("do", "review"), ("id", &hospital_id)])
            .await;
    assert_eq!(got.status, StatusCode::NOT_FOUND);
    let got = req(
        &r,
        "POST",
        "/staff/evaluations",
        Some(&s),
        &[
            ("csrf", &s.csrf),
            ("do", "fix"),
            ("campaign", "2026"),
            ("unit", "renhe-hospital"),
            ("problem", "x"),
            ("measure", "y"),
        ],
    )
    .await;
    assert_eq!(got.status, StatusCode::NOT_FOUND);
    let water_id = db.rows("SELECT id FROM responses WHERE unit = 'qingyuan-water'", vec![]).await.unwrap()[0].text(0);
    let got =
        req(&r, "POST", "/staff/evaluations", Some(&s), &[("csrf", &s.csrf), ("do", "review"), ("id", &water_id)])
            .await;
    assert_eq!(got.status, StatusCode::SEE_OTHER);
    let fix = [
        ("csrf", s.csrf.as_str()),
        ("do", "fix"),
        ("campaign", "2026"),
        ("unit", "qingyuan-water"),
        ("problem", "公开栏位置偏僻"),
        ("measure", "移到一楼大厅"),
        ("due", "2026-12-31"),
    ];
    assert_eq!(req(&r, "POST", "/staff/evaluations", Some(&s), &fix).await.status, StatusCode::SEE_OTHER);
    let done =
        [("csrf", s.csrf.as_str()), ("do", "done"), ("campaign", "2026"), ("unit", "qingyuan-water"), ("n", "1")];
    assert_eq!(req(&r, "POST", "/staff/evaluations", Some(&s), &done).await.status, StatusCode::SEE_OTHER);
    let page = req(&r, "GET", "/staff/evaluations", Some(&s), &[]).await;
    assert!(page.body.contains("（已阅）") && page.body.contains("已完成（2026-11-27）"), "{}", page.body);

    let site = dir.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    let units = [("qingyuan-water".to_owned(), "清源".to_owned())].into_iter().collect();
    gongkai_desk::export::export(&db, &site, &units, 2026).await.unwrap();
    let eval = std::fs::read_to_string(site.join("content/qingyuan-water/evaluations/2026.yaml")).unwrap();
    let read: gongkai::desk::EvaluationExport = serde_saphyr::from_str(&eval).unwrap();
    assert_eq!(read.rectifications.len(), 1);
    let f = &read.rectifications[0];
    assert_eq!(
        (f.problem.as_str(), f.state.as_str(), f.done.as_deref()),
        ("公开栏位置偏僻", "已完成", Some("2026-11-27"))
    );
    assert!(!eval.contains("公开栏在二楼不好找"));
}

#[tokio::test]
async fn staff_are_never_shown_the_databases_own_words() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    setup(&db).await;
    let r = service(app(db.clone()), OPEN);
    let s = login(&r, "water").await;
    db.plain("DROP TABLE rectifications").await.unwrap();
    let fix = [
        ("csrf", s.csrf.as_str()),
        ("do", "fix"),
        ("campaign", "2026"),
        ("unit", "qingyuan-water"),
        ("problem", "公开栏位置偏僻"),
        ("measure", "移到一楼大厅"),
    ];
    let got = req(&r, "POST", "/staff/evaluations", Some(&s), &fix).await;
    assert_ne!(got.status, StatusCode::SEE_OTHER);
    let body = got.body.to_lowercase();
    assert!(body.contains("系统暂时"), "{}", got.body);
    for words in ["rectifications", "no such table", "does not exist", "insert", "sql"] {
        assert!(!body.contains(words), "{words}: {}", got.body);
    }
}

#[tokio::test]
async fn a_disabled_account_and_a_reset_password_end_the_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    setup(&db).await;
    let r = service(app(db.clone()), OPEN);
    let s = login(&r, "water").await;
    users::set_disabled(&db, "water", true).await.unwrap();
    assert_eq!(req(&r, "GET", "/staff/", Some(&s), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(post_login(&r, "water", PW).await.status, StatusCode::UNAUTHORIZED);
    users::set_disabled(&db, "water", false).await.unwrap();
    let s = login(&r, "water").await;
    let new = "another long password";
    assert!(users::set_password(&db, "water", "short").await.unwrap_err().contains("至少 12 个字符"));
    users::set_password(&db, "water", new).await.unwrap();
    assert_eq!(req(&r, "GET", "/staff/", Some(&s), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(post_login(&r, "water", PW).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(post_login(&r, "water", new).await.status, StatusCode::SEE_OTHER);
    assert!(users::set_disabled(&db, "nobody", true).await.unwrap_err().contains("没有名为「nobody」的账号"));
}

#[tokio::test]
async fn overdue_cases_come_first_and_the_lists_limit_never_hides_them() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    setup(&db).await;
    let r = service(app(db.clone()), OPEN);
    // received 2026-11-27, due 2026-12-25; then more cases than the list shows, received later
    let old = apply(&r, "qingyuan-water", "张三").await;
    let limit = gongkai_desk::cases::LIST_LIMIT;
    db.exec(
        "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
         INSERT INTO cases (unit, year, seq, received, received_at, due, lookup_hash, applicant, id_doc, phone, \
         email, address, info, doc_number, medium, delivery, state) \
         SELECT 'qingyuan-water', 2026, i, '2026-12-20', '', '2027-01-20', '', '', '', '', '', '', '', '', '', '', '接收' \
         FROM n",
        vec![gongkai_desk::db::i(limit + 2)],
    )
    .await
    .unwrap();
    let s = login(&r, "water").await;
    let mut later = app(db.clone());
    later.today = Some(jiff::civil::date(2027, 1, 5));
    let list = req(&service(later, OPEN), "GET", "/staff/", Some(&s), &[]).await;
    assert!(list.body.contains(&format!("共 {} 件", limit + 2)), "the list says it is cut");
    let first = list.body.split("<tr").nth(2).expect("a first case");
    assert!(first.contains(&old) && first.contains("class=\"overdue\""), "{first}");
    assert_eq!(list.body.matches("<tr").count() as i64, limit + 1, "the header and the limit's rows");
}
