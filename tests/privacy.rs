//! 第六条: the privacy and confidentiality scan finds every planted ID number, bank card and
//! classification mark, warns on personal mobiles and internal marks, never flags hotlines,
//! landlines, credit codes or masked numbers, and honours acknowledged exceptions.

mod common;

use common::Site;

/// severity, rule, file inside the unit, line, column
type Row = (String, String, String, Option<u64>, Option<u64>);

#[test]
fn finds_every_planted_item_and_nothing_legitimate() {
    let site = Site::example_with("privacy");
    let out = site.run(&["check", "--unit", "qingyuan-water", "--format", "json"]);
    assert_eq!(out.code, 1, "ID numbers, cards and classified marks are errors");
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let found: Vec<Row> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["severity"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().trim_start_matches("content/qingyuan-water/").to_string(),
                f["line"].as_u64(),
                f["column"].as_u64(),
            )
        })
        .collect();
    let s = |a: &str| a.to_string();
    assert_eq!(
        found,
        [
            (s("error"), s("privacy/id-number"), s("attachments/申请人620401199001010046.txt"), None, None),
            (s("warning"), s("gongkai/invalid"), s("notices/内部通知.md"), Some(11), Some(5)),
            (s("error"), s("gongkai/invalid"), s("notices/内部通知.md"), Some(14), Some(5)),
            (s("error"), s("privacy/classified"), s("notices/内部通知.md"), Some(17), Some(1)),
            (s("warning"), s("privacy/mobile"), s("notices/内部通知.md"), Some(21), Some(13)),
            (s("warning"), s("privacy/internal-mark"), s("notices/内部通知.md"), Some(23), Some(2)),
            (s("warning"), s("privacy/internal-mark"), s("notices/内部通知.md"), Some(23), Some(7)),
            (s("error"), s("privacy/id-number"), s("unit.yaml"), Some(27), Some(38)),
            (s("error"), s("privacy/bank-card"), s("unit.yaml"), Some(41), Some(15)),
        ]
    );
    // messages mask the numbers and cite the article
    let id = json["findings"].as_array().unwrap().iter().find(|f| f["line"] == 27).unwrap();
    assert_eq!(id["citation"], "《白银市公共企事业单位信息公开办法(试行)》第六条");
    assert_eq!(id["kind"], "privacy");
    assert_eq!(
        id["message"],
        "「岗位职责[1].职责[1]」含有居民身份证号码「620402********1238」，属于个人隐私，不得公开"
    );
    assert!(!out.stdout.contains("620402198503151238"), "the full number is never repeated");
    let mark = json["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "privacy/classified").unwrap();
    assert_eq!(mark["kind"], "confidential");
    // the acknowledged mobile is listed with its reason, not reported
    let acks = json["acknowledgements"].as_array().unwrap();
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0]["rule"], "privacy/mobile");
    assert_eq!(acks[0]["line"], 19);
    assert_eq!(acks[0]["text"], "139****5678");
    assert_eq!(acks[0]["reason"], "抢修值班负责人本人书面同意公开手机号，便于群众联系");
    assert_eq!(acks[0]["reviewer"], "吴晓燕");
}

#[test]
fn the_example_portal_has_nothing_to_hide() {
    let out = Site::example().run(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let privacy: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("privacy/"))
        .collect();
    assert!(privacy.is_empty(), "{privacy:#?}");
}

#[test]
fn strict_build_refuses_and_the_report_lists_acknowledgements() {
    let site = Site::example_with("privacy");
    let out = site.run(&["build", "--strict"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("经审查确认公开的例外 1 项"), "{}", out.stdout);
    let html = site.read("gongkai-report/index.html");
    assert!(
        html.contains("审查确认的例外（第七条）") && html.contains("抢修值班负责人本人书面同意公开手机号"),
        "{html}"
    );
    // the review record itself is never published
    assert!(!site.file("public").exists());
}

#[test]
fn review_records_are_not_published() {
    let site = Site::example_with("privacy");
    // make the unit publishable: drop the planted errors
    site.write(
        "content/qingyuan-water/unit.yaml",
        std::fs::read_to_string(format!("{}/content/qingyuan-water/unit.yaml", common::REPO)).unwrap(),
    );
    site.remove("content/qingyuan-water/attachments");
    let notice = site
        .read("content/qingyuan-water/notices/内部通知.md")
        .replace("机密★5年\n", "")
        .replace("（内部资料 不得外传）\n", "");
    site.write("content/qingyuan-water/notices/内部通知.md", notice);
    assert_eq!(site.run(&["build"]).code, 0);
    let page = site.read("public/qingyuan-water/notices/内部通知.html");
    assert!(page.contains("13912345678"), "acknowledged: published");
    assert!(!page.contains("吴晓燕") && !page.contains("书面同意"), "the record is not");
    let data = site.read("public/qingyuan-water/data.json");
    assert!(!data.contains("acknowledgements") && !data.contains("书面同意"));
}
