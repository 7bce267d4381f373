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

/// The 第六条 evasions of the safety issue, each planted in a notice of the example portal: every
/// one is found at its line and column, masked; the required content beside them is not.
#[test]
fn evasions_are_found_at_their_line_in_a_notice() {
    let site = Site::example();
    let notice = "---
标题: 值班安排
类别: 相关信息
发布日期: 2026-11-02
---
# 机　密★

张三 360426199101010071 13912345678

身份证号１１０１０５１９４９１２３１００２Ｘ

证件 1101<span>0519</span>491231002X

证件 **1101**0519491231002X

证件 &#49;&#49;&#48;&#49;0519491231002X

&#26426;&#23494;★

- 密级：机密

> 秘密★10年

老证件 110105491231002

热线 ９５５９８、４００－８２０－１２３４，信用代码 ９１６２０４００ＭＡ７１ＱＸ３Ｄ８Ｃ，1380<span>****</span>1234，
ISBN 978-7-111-12345-6 978-7-5442-1234-5，订单 2026112900012345 2026112900012346，电话 0943-<b>8221234</b>
";
    site.write("content/qingyuan-water/notices/值班安排.md", notice);
    let unit = site.read("content/qingyuan-water/unit.yaml").replace(
        "计划停水提前 24 小时公告",
        "计划停水提前 24 小时公告，联系人身份证 ６２０４０２　１９８５０３１５　１２３８",
    );
    site.write("content/qingyuan-water/unit.yaml", &unit);
    let unit_line = unit.lines().position(|l| l.contains("联系人身份证")).unwrap() as u64 + 1;

    let out = site.run(&["check", "--unit", "qingyuan-water", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let found: Vec<(String, String, u64, u64, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("privacy/"))
        .map(|f| {
            let message = f["message"].as_str().unwrap();
            // the quoted text after the field name
            let shown = message.rsplit_once('「').and_then(|(_, r)| r.split_once('」')).unwrap().0;
            (
                f["rule"].as_str().unwrap().trim_start_matches("privacy/").to_string(),
                f["file"].as_str().unwrap().trim_start_matches("content/qingyuan-water/").to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                shown.to_string(),
            )
        })
        .collect();
    let row = |rule: &str, file: &str, line: u64, col: u64, shown: &str| {
        (rule.to_string(), file.to_string(), line, col, shown.to_string())
    };
    let n = "notices/值班安排.md";
    let id = "110105********002X";
    assert_eq!(
        found,
        [
            row("classified", n, 6, 3, "机 密★"),
            row("id-number", n, 8, 4, "360426********0071"),
            row("mobile", n, 8, 23, "139****5678"),
            row("id-number", n, 10, 5, id),
            row("id-number", n, 12, 4, id),
            row("id-number", n, 14, 6, id),
            row("id-number", n, 16, 4, id),
            row("classified", n, 18, 1, "机密★"),
            row("classified", n, 20, 3, "密级:机密"),
            row("classified", n, 22, 3, "秘密★10年"),
            row("id-number", n, 24, 5, "110105*****1002"),
            row("id-number", "unit.yaml", unit_line, 27, "620402********1238"),
        ]
    );
    for full in ["11010519491231002X", "360426199101010071", "13912345678", "110105491231002", "620402198503151238"] {
        assert!(!out.stdout.contains(full), "the full number {full} is never repeated");
    }
}

/// The fuzz target's entry point, which now also runs the rendered-text scan over its input, on
/// every committed seed and on each evasion as every kind of document: no panic, no hit placed
/// outside its input. (cargo-fuzz is not needed: this runs the same function.)
#[test]
fn fuzz_seeds_and_evasions_never_panic() {
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    let seeds = std::path::Path::new(common::REPO).join("fuzz/seeds");
    for entry in std::fs::read_dir(&seeds).unwrap() {
        inputs.push(std::fs::read(entry.unwrap().path()).unwrap());
    }
    assert!(inputs.len() >= 20, "the seeds are in fuzz/seeds ({} found)", inputs.len());
    let evasions = [
        "---\n标题: 甲\n---\n# 机　密★\n\n张三 １１０１<span>0519</span>491231002X 13912345678\n",
        "---\n标题: &#49;&#49;\n---\n**1101**0519491231002X &#26426;&#23494;★ <a href=\"tel:13912345678\">",
        "联系人: ６２０４０２　１９８５０３１５　１２３８\n备注: \"1101\\u200b0519491231002X\"\n",
        "<span\n&#x\n**\n`\n\u{3000}\n\u{feff}",
        "机密★5年 绝密★长期\n密级：秘密★10年",
    ];
    for (kind, text) in evasions.iter().enumerate().flat_map(|(i, t)| (0..=8u8).map(move |k| (k + i as u8, t))) {
        inputs.push([&[kind], text.as_bytes()].concat());
    }
    for input in &inputs {
        gongkai::fuzz_one(input);
    }
}

/// Findings say where they come from by a field, not by the prefix of their rule id: a pack's
/// rule, the 第六条 review, or gongkai itself.
#[test]
fn every_finding_says_where_it_comes_from() {
    use gongkai::finding::Origin;
    let site = Site::example_with("privacy");
    site.write("content/qingyuan-water/fees.yaml", "收费项目: 待补充\n");
    let r = site.check_unit("qingyuan-water");
    let mut seen = std::collections::BTreeSet::new();
    for f in &r.findings {
        let origin = match f.rule.split_once('/').map(|(p, _)| p) {
            Some("privacy") => Origin::Privacy,
            Some("gongkai") => Origin::Gongkai,
            _ => Origin::Rule,
        };
        assert_eq!(f.origin, origin, "{f:?}");
        seen.insert(format!("{origin:?}"));
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["Gongkai", "Privacy", "Rule"], "all three are exercised");
}

/// The footer is on every page: a value in it that holds an ID number is reported against
/// gongkai.yaml and left out of every page, the rest of the footer still shown.
#[test]
fn a_footer_value_with_an_id_number_is_reported_and_never_published() {
    let site = Site::example();
    let config = site.read("gongkai.yaml").replace("联系方式: 0943-8220000", "联系方式: 张三 11010519491231002X");
    site.write("gongkai.yaml", config);
    let out = site.run(&["check", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let found: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["file"].as_str().unwrap(), f["field"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(found, [("privacy/id-number", "gongkai.yaml", "联系方式")]);

    assert_eq!(site.run(&["build", "--quiet"]).code, 0);
    for page in ["public/index.html", "public/qingyuan-water/fees.html", "public/accessibility.html"] {
        let html = site.read(page);
        assert!(!html.contains("11010519491231002X") && !html.contains("联系方式："), "{page}");
        assert!(html.contains("主办单位："), "{page}: the rest of the footer stays");
    }
}
