//! `export`: the request figures and the evaluation tallies go into the site's unit folders,
//! counts only; a clerk's own file is left alone; `gongkai check` passes on the result.

mod common;

use std::path::Path;

use axum::http::StatusCode;
use common::*;
use gongkai::desk::{EXPORT_MARK, QUESTIONS};
use gongkai_desk::campaigns::{self, Campaign};
use gongkai_desk::cases::CaseNo;
use gongkai_desk::workflow::{self, Step};

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

#[tokio::test]
async fn the_export_holds_counts_only_adds_up_and_the_site_still_passes_check() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = fresh_db(dir.path()).await;
    let site = dir.path().join("site");
    copy(&common::site().join("content"), &site.join("content"));
    std::fs::copy(common::site().join("gongkai.yaml"), site.join("gongkai.yaml")).unwrap();
    let clerk = "年度: 2026\n新收申请数量: 1\n上年结转: 0\n予以公开: 1\n部分公开: 0\n不予公开: 0\n无法提供: 0\n不予处理: 0\n其他处理: 0\n结转下年度继续办理: 0\n行政复议: 0\n行政诉讼: 0\n";
    std::fs::write(site.join("content/renhe-hospital/requests/2026.yaml"), clerk).unwrap();

    let r = service(app(db.clone()), OPEN);
    for (unit, who) in
        [("qingyuan-water", "张三"), ("qingyuan-water", "李四"), ("qingyuan-water", "王五"), ("renhe-hospital", "赵六")]
    {
        let got = send(&r, "POST", &format!("/u/{unit}/apply"), Some(&pairs(&application(who)))).await;
        assert_eq!(got.status, StatusCode::OK);
    }
    for (seq, outcome) in [(1, "予以公开"), (2, "不予公开")] {
        let no = CaseNo { unit: "qingyuan-water".into(), year: 2026, seq };
        let mut state = "接收".to_owned();
        for to in ["登记", "审核", "办理", "答复"] {
            let s = Step { to: to.into(), outcome: outcome.into(), reason: "涉及商业秘密".into() };
            workflow::advance(&db, &no, &state, &s, "water", today()).await.unwrap();
            state = to.to_owned();
        }
    }
    campaigns::add(
        &db,
        &Campaign {
            id: "2026".into(),
            name: "2026年度政务公开社会评议".into(),
            unit: String::new(),
            opens: "2026-11-01".into(),
            closes: "2026-11-30".into(),
        },
    )
    .await
    .unwrap();
    for (rating, remark) in [("满意", "张三 13800000000 公开栏不好找"), ("基本满意", "")] {
        let mut answers: Vec<(&str, &str)> = QUESTIONS.iter().map(|(k, _)| (*k, rating)).collect();
        answers.push(("remark", remark));
        assert_eq!(send(&r, "POST", "/u/qingyuan-water/evaluate", Some(&answers)).await.status, StatusCode::OK);
    }

    let portal = gongkai_desk::portal::Portal::load(&site).unwrap();
    let report = gongkai_desk::export::export(&db, &site, &portal.units, 2026).await.unwrap();
    assert_eq!(
        report.written,
        ["content/qingyuan-water/requests/2026.yaml", "content/qingyuan-water/evaluations/2026.yaml"]
    );
    assert_eq!(report.kept.len(), 1);
    assert!(report.kept[0].1.contains("没有替换"));
    assert_eq!(std::fs::read_to_string(site.join("content/renhe-hospital/requests/2026.yaml")).unwrap(), clerk);

    let requests = std::fs::read_to_string(site.join("content/qingyuan-water/requests/2026.yaml")).unwrap();
    assert_eq!(requests.lines().next(), Some(EXPORT_MARK));
    for line in [
        "年度: 2026",
        "新收申请数量: 3",
        "上年结转: 0",
        "予以公开: 1",
        "不予公开: 1",
        "部分公开: 0",
        "结转下年度继续办理: 1",
    ] {
        assert!(requests.lines().any(|l| l == line), "{line}\n{requests}");
    }
    let eval = std::fs::read_to_string(site.join("content/qingyuan-water/evaluations/2026.yaml")).unwrap();
    assert_eq!(eval.lines().next(), Some(EXPORT_MARK));
    assert!(eval.contains("问卷数: 2") && eval.contains("    满意: 1\n    基本满意: 1\n    不满意: 0"), "{eval}");
    for private in ["张三", "李四", "13800000000", "公开栏不好找", "zhang@example.cn", "620400"] {
        assert!(!requests.contains(private) && !eval.contains(private), "{private}");
    }

    // a second export changes nothing, and the site passes check
    let again = gongkai_desk::export::export(&db, &site, &portal.units, 2026).await.unwrap();
    assert!(again.written.is_empty());
    let loaded = gongkai::load::load_site(&site, &gongkai::load::LoadOptions::default()).unwrap();
    let result = gongkai::check::check_site(&loaded);
    let ours: Vec<_> = result.findings.iter().filter(|f| f.file.contains("requests/2026")).collect();
    assert!(ours.is_empty(), "{ours:#?}");
    // the site reads the exported evaluations as its own kind: no finding about them at all
    let evals: Vec<_> = result.findings.iter().filter(|f| f.file.contains("evaluations/")).collect();
    assert!(evals.is_empty(), "{evals:#?}");
    let read: gongkai::desk::EvaluationExport = serde_saphyr::from_str(&eval).unwrap();
    assert_eq!(read.responses, 2);
    assert_eq!(read.questions.len(), QUESTIONS.len());
    assert_eq!(read.questions[0].question, QUESTIONS[0].1);
    assert_eq!(
        gongkai::desk::grade(read.questions.iter().map(|q| q.tally()).collect::<Vec<_>>().iter()),
        Some(gongkai::desk::Rating::基本满意)
    );
    let errors: Vec<_> = result.findings.iter().filter(|f| f.severity == gongkai::finding::Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
