//! The site side of the request desk (issue 16): `desk:` in gongkai.yaml, the application form on
//! each request page (posting to the desk, its CSP allowing exactly the desk's origin), the
//! printable 申请表, the 评议结果 files (`evaluations/*.yaml`) checked where written, and the
//! 评议结果 page and open data with the 等次 computed at build time. One fixture per behaviour.

mod common;

use common::Site;
use gongkai::desk::{APPLICATION_FIELDS, EXPORT_MARK, HONEYPOT, Input};
use gongkai::finding::Severity;
use scraper::{ElementRef, Html, Selector};

fn build(site: &Site) {
    let out = site.run(&["build", "--quiet"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

fn page(site: &Site, rel: &str) -> Html {
    Html::parse_document(&site.read(&format!("public/{rel}")))
}

fn select<'h>(html: &'h Html, css: &str) -> Vec<ElementRef<'h>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

fn attr<'a>(el: &ElementRef<'a>, name: &str) -> Option<&'a str> {
    el.value().attr(name)
}

fn csp(html: &Html) -> String {
    let metas = select(html, r#"meta[http-equiv="Content-Security-Policy"]"#);
    assert_eq!(metas.len(), 1);
    attr(&metas[0], "content").unwrap().to_string()
}

#[test]
fn a_desk_address_that_is_no_address_is_refused_at_its_line_and_column() {
    let out = Site::example_with("desk_bad_address").run(&["check"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("gongkai.yaml:3:"), "{}", out.stderr);
    assert!(out.stderr.contains("受理平台的地址应以 https:// 或 http:// 开头"), "{}", out.stderr);
}

#[test]
fn with_a_desk_the_request_page_posts_the_contract_fields_to_it() {
    let site = Site::example_with("desk_form");
    build(&site);
    let html = page(&site, "qingyuan-water/request.html");
    let forms = select(&html, "form");
    assert_eq!(forms.len(), 1);
    let form = forms[0];
    // the address from gongkai.yaml had no trailing slash: it was added
    assert_eq!(attr(&form, "action"), Some("https://shenqing.baiyin.example:8443/gongkai/u/qingyuan-water/apply"));
    assert_eq!(attr(&form, "method"), Some("post"));

    // every field of the contract, in its order, as the contract says; then the honeypot
    let controls: Vec<ElementRef> = form.select(&Selector::parse("input, textarea").unwrap()).collect();
    let mut names: Vec<&str> = controls.iter().filter_map(|c| attr(c, "name")).collect();
    names.dedup();
    let mut expected: Vec<&str> = APPLICATION_FIELDS.iter().map(|f| f.name).collect();
    expected.push(HONEYPOT);
    assert_eq!(names, expected);
    for f in APPLICATION_FIELDS {
        let mine: Vec<&ElementRef> = controls.iter().filter(|c| attr(c, "name") == Some(f.name)).collect();
        assert!(mine.iter().all(|c| c.value().attr("required").is_some() == f.required), "{}: required", f.name);
        match f.input {
            Input::Choice(choices) => {
                let values: Vec<&str> = mine.iter().map(|c| attr(c, "value").unwrap()).collect();
                assert_eq!(values, choices, "{}", f.name);
                assert!(mine.iter().all(|c| attr(c, "type") == Some("radio")));
            }
            Input::Line | Input::Text => {
                assert_eq!(mine.len(), 1, "{}", f.name);
                assert_eq!(attr(mine[0], "maxlength"), Some(f.max_chars.to_string().as_str()), "{}", f.name);
                assert_eq!(mine[0].value().name() == "textarea", f.input == Input::Text, "{}", f.name);
                // a visible label names it
                let id = attr(mine[0], "id").unwrap();
                let label = select(&html, &format!(r#"label[for="{id}"]"#));
                assert!(label[0].text().collect::<String>().contains(f.label), "{}", f.name);
            }
        }
    }
    // the honeypot: out of the tab order, never filled in by the browser, hidden from assistive
    // technology and, by the stylesheet, from sight
    let hp = controls.iter().find(|c| attr(c, "name") == Some(HONEYPOT)).unwrap();
    assert_eq!((attr(hp, "tabindex"), attr(hp, "autocomplete")), (Some("-1"), Some("off")));
    let wrapper = ElementRef::wrap(hp.parent().unwrap()).unwrap();
    assert_eq!((attr(&wrapper, "class"), attr(&wrapper, "aria-hidden")), (Some("hp"), Some("true")));
    assert!(site.read("public/static/style.css").contains(".hp { position: absolute; left: -10000px;"));

    // the page may post to exactly the desk's origin; every other page to nothing
    let policy = csp(&html);
    assert!(policy.ends_with("form-action https://shenqing.baiyin.example:8443"), "{policy}");
    assert!(!policy.contains("form-action 'none'") && policy.contains("default-src 'none'"), "{policy}");
    assert!(csp(&page(&site, "qingyuan-water/fees.html")).ends_with("form-action 'none'"));
    assert!(csp(&page(&site, "qingyuan-water/request-form.html")).ends_with("form-action 'none'"));

    // where to look the application up (with the 查询码), and the questionnaire
    let links: Vec<&str> = select(&html, "main a").iter().filter_map(|a| attr(a, "href")).collect();
    assert!(links.contains(&"https://shenqing.baiyin.example:8443/gongkai/lookup"), "{links:?}");
    assert!(links.contains(&"https://shenqing.baiyin.example:8443/gongkai/u/qingyuan-water/evaluate"), "{links:?}");
    assert!(links.contains(&"request-form.html"), "{links:?}");
    let text: String = select(&html, "main")[0].text().collect();
    assert!(text.contains("查询码"), "{text}");
    assert!(select(&html, "script:not([src])").is_empty(), "no inline script");
}

#[test]
fn without_a_desk_the_request_page_is_as_before_with_a_printable_form() {
    let site = Site::example();
    build(&site);
    let html = page(&site, "jinding-school/request.html");
    assert!(select(&html, "form").is_empty());
    assert!(csp(&html).ends_with("form-action 'none'"));
    let links: Vec<&str> = select(&html, "main a").iter().filter_map(|a| attr(a, "href")).collect();
    assert!(links.contains(&"request-form.html"), "{links:?}");
    assert!(!links.iter().any(|l| l.contains("/apply") || l.contains("/evaluate")), "{links:?}");

    let sheet = page(&site, "jinding-school/request-form.html");
    let caption: String = select(&sheet, "table.form-sheet caption")[0].text().collect();
    assert_eq!(caption, "白银市金鼎中学信息公开申请表");
    let rows: Vec<String> = select(&sheet, "table.form-sheet th").iter().map(|th| th.text().collect()).collect();
    for f in APPLICATION_FIELDS {
        assert!(rows.iter().any(|r| r.starts_with(f.label)), "{} missing from {rows:?}", f.label);
    }
    let text: String = select(&sheet, "main")[0].text().collect();
    assert!(text.contains("当面提交") && text.contains("邮寄"), "the channels to hand it in: {text}");
    assert!(!text.contains("网上申请"), "{text}");
}

#[test]
fn evaluation_files_are_checked_where_written() {
    let site = Site::example_with("evaluation_errors");
    let result = site.check();
    let file = "content/jinding-school/evaluations/2025-秋季.yaml";
    let mut got: Vec<(u32, String, String)> = result
        .findings
        .iter()
        .filter(|f| f.file == file && f.severity == Severity::Error)
        .map(|f| (f.line.unwrap_or(0), f.field.clone().unwrap_or_default(), f.message.clone()))
        .collect();
    got.sort();
    let lines: Vec<(u32, &str)> = got.iter().map(|(l, f, _)| (*l, f.as_str())).collect();
    assert_eq!(
        lines,
        [(4, "结束日期"), (5, "问卷数"), (8, "题目"), (9, "满意"), (11, "完成日期"), (12, "状态")],
        "{got:#?}"
    );
    let messages: Vec<&str> = got.iter().map(|(_, _, m)| m.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("早于开始日期")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("写了两次（第一次在第 7 行）")), "{messages:?}");
    assert!(messages.iter().any(|m| m.contains("只能是整改中或已完成，这里写成了「进行中」")), "{messages:?}");
    // the sound file beside it has nothing wrong
    assert!(!result.findings.iter().any(|f| f.file.ends_with("evaluations/2026.yaml")));
}

#[test]
fn the_evaluation_page_shows_the_counts_and_the_grade_computed_at_build_time() {
    let site = Site::example();
    build(&site);
    let html = page(&site, "qingyuan-water/evaluation.html");
    let text: String = select(&html, "main")[0].text().collect();
    // 182 满意, 74 基本满意, 32 不满意: (18200 + 4440) / 288 = 78.61 → 基本满意
    assert!(text.contains("综合满意度 78.6 分 · 等次 基本满意"), "{text}");
    assert!(text.contains("182（63.2%）") && text.contains("数据由受理平台导出"), "{text}");
    assert!(text.contains("已完成（2026年11月10日完成）"), "{text}");
    let data: serde_json::Value = serde_json::from_str(&site.read("public/qingyuan-water/data.json")).unwrap();
    let e = &data["evaluations"][0];
    assert_eq!((e["grade"].as_str(), e["score_tenths"].as_u64()), (Some("基本满意"), Some(786)));
    assert_eq!((e["responses"].as_u64(), e["exported"].as_bool()), (Some(48), Some(true)));
    assert_eq!(e["questions"].as_array().unwrap().len(), 6);
    // linked from the unit's pages, its 公开目录 and the site map; units without results have none
    for linking in ["qingyuan-water/index.html", "qingyuan-water/catalog.html", "qingyuan-water/guide.html"] {
        let links: Vec<String> =
            select(&page(&site, linking), "a").iter().filter_map(|a| attr(a, "href").map(str::to_string)).collect();
        assert!(links.iter().any(|l| l.ends_with("evaluation.html")), "{linking}: {links:?}");
    }
    // in the 公开目录 each campaign is a document published, not a required item
    let catalog = page(&site, "qingyuan-water/catalog.html");
    let listed: Vec<&str> = select(&catalog, "#evaluation ~ div a").iter().filter_map(|a| attr(a, "href")).collect();
    assert_eq!(listed, ["evaluation.html#campaign-2026"]);
    let portal: String = select(&page(&site, "catalog.html"), "main")[0].text().collect();
    assert!(portal.contains("必须公开的事项已公开 32/32 项 · 公开文件 7 件"), "{portal}");
    let sitemap: Vec<String> =
        select(&page(&site, "sitemap.html"), "a").iter().filter_map(|a| attr(a, "href").map(str::to_string)).collect();
    assert!(sitemap.contains(&"qingyuan-water/evaluation.html".to_string()), "{sitemap:?}");
    assert!(!site.file("public/jinding-school/evaluation.html").exists());
    assert!(!site.read("public/jinding-school/index.html").contains("evaluation.html"));
    let none: serde_json::Value = serde_json::from_str(&site.read("public/jinding-school/data.json")).unwrap();
    assert_eq!(none["evaluations"], serde_json::json!([]));
}

#[test]
fn a_hand_typed_file_is_published_and_a_wrong_one_shows_no_figures() {
    let site = Site::example_with("evaluation_errors");
    let before = std::fs::read(site.file("content/jinding-school/evaluations/2026.yaml")).unwrap();
    assert!(!String::from_utf8_lossy(&before).starts_with(EXPORT_MARK));
    build(&site);
    let html = page(&site, "jinding-school/evaluation.html");
    let sections = select(&html, "section.campaign");
    // the latest campaign first
    assert_eq!(
        sections.iter().map(|s| attr(s, "id").unwrap()).collect::<Vec<_>>(),
        ["campaign-2026", "campaign-2025-秋季"]
    );
    let latest: String = sections[0].text().collect();
    // 34 满意 and 6 不满意 of 40 answers: exactly 85 points, 满意
    assert!(latest.contains("综合满意度 85.0 分 · 等次 满意") && latest.contains("数据由本单位填写"), "{latest}");
    let wrong: String = sections[1].text().collect();
    assert!(wrong.contains("evaluations/2025-秋季.yaml）有误，改正之前不公布数字"), "{wrong}");
    assert!(select(&html, "#campaign-2025-秋季 table.tally").is_empty());
    let data: serde_json::Value = serde_json::from_str(&site.read("public/jinding-school/data.json")).unwrap();
    assert_eq!(data["evaluations"][1]["sound"], false);
    assert_eq!(data["evaluations"][1]["grade"], serde_json::Value::Null);
    assert_eq!(data["evaluations"][1]["questions"][0]["satisfied"], serde_json::Value::Null);
    // building never touches the clerk's file
    assert_eq!(std::fs::read(site.file("content/jinding-school/evaluations/2026.yaml")).unwrap(), before);
}
