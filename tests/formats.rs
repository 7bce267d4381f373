//! Each report format is checked against its schema (JSON, SARIF 2.1.0, JUnit) or its rules
//! (GitHub workflow commands, GitLab Code Quality, Markdown), on a site with errors and warnings.

mod common;

use std::collections::BTreeSet;

use common::Site;
use gongkai::check::{CheckResult, check_site};
use gongkai::load::{LoadOptions, load_site};
use gongkai::report::{Context, Format, render};

/// A site with findings of several kinds: a syntax error, an unknown key, a missing item and a
/// stray file (a warning).
fn findings_site() -> Site {
    let site = Site::example_with("unknown_key");
    site.write("content/renhe-hospital/unit.yaml", "name: 白银市仁和医院\n  bad: indent\n");
    site.write("content/jinding-school/notes.yaml", "a: 1\n");
    // a stray file outside any unit: a warning
    site.write("content/说明.txt", "x\n");
    site.remove("content/qingyuan-water/commitments.yaml");
    // a personal mobile number (第六条): a finding whose rule is neither a pack's nor a kind's
    site.write(
        "content/qingyuan-water/notices/2026-11-抢修.md",
        "---\n标题: 抢修通知\n类别: 临时停水\n发布日期: 2026-11-21\n---\n联系人张师傅，电话 13912345678。\n",
    );
    site
}

fn rendered(site: &Site, format: Format) -> (String, CheckResult) {
    let loaded = load_site(site.path(), &LoadOptions::default()).unwrap();
    let result = check_site(&loaded);
    let cx = Context { root: site.path(), packs: &loaded.packs, color: false };
    (render(format, &result, &cx), result)
}

fn validate(schema_file: &str, doc: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/tests/schemas/{schema_file}", common::REPO)).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{schema_file}: {errors:#?}");
}

#[test]
fn json_matches_its_documented_schema() {
    let site = findings_site();
    let (text, result) = rendered(&site, Format::Json);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    validate("report.schema.json", &doc);
    assert_eq!(doc["summary"]["errors"], result.errors());
    assert!(result.errors() >= 3 && result.warnings() >= 1);
    let kinds: BTreeSet<&str> =
        doc["findings"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert!(kinds.is_superset(&BTreeSet::from(["syntax", "unknown-field", "missing", "unknown-file"])), "{kinds:?}");
    // and a clean site too
    let (clean, _) = rendered(&Site::example(), Format::Json);
    validate("report.schema.json", &serde_json::from_str(&clean).unwrap());
}

#[test]
fn json_schema_rejects_a_wrong_report() {
    // the schema is strict enough to catch a renamed field
    let site = findings_site();
    let (text, _) = rendered(&site, Format::Json);
    let bad = text.replace("\"citation\"", "\"cite\"");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/tests/schemas/report.schema.json", common::REPO)).unwrap(),
    )
    .unwrap();
    assert!(!jsonschema::validator_for(&schema).unwrap().is_valid(&serde_json::from_str(&bad).unwrap()));
}

#[test]
fn sarif_is_valid_sarif_2_1_0() {
    let site = findings_site();
    let (text, result) = rendered(&site, Format::Sarif);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    validate("sarif-2.1.0.schema.json", &doc);
    let run = &doc["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), result.findings.len());
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let index = r["ruleIndex"].as_i64().unwrap();
        assert!(index >= 0, "{r}");
        assert_eq!(rules[index as usize]["id"], r["ruleId"]);
    }
    assert!(results.iter().any(|r| r["ruleId"] == "privacy/mobile"), "the site has a 第六条 finding");
    let syntax = results.iter().find(|r| r["ruleId"] == "gongkai/syntax").unwrap();
    let region = &syntax["locations"][0]["physicalLocation"]["region"];
    assert_eq!((region["startLine"].as_i64(), region["startColumn"].as_i64()), (Some(2), Some(6)));
}

#[test]
fn junit_has_a_test_case_per_item_and_unit() {
    let site = findings_site();
    let (text, result) = rendered(&site, Format::Junit);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    // the structure of tests/schemas/junit.xsd (validated with xmllint in .ci/run)
    for attr in ["tests", "failures", "errors"] {
        root.attribute(attr).unwrap().parse::<u32>().unwrap();
    }
    let mut failures = 0;
    for suite in root.children().filter(|n| n.is_element()) {
        assert_eq!(suite.tag_name().name(), "testsuite");
        assert!(suite.attribute("name").is_some());
        let cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
        assert_eq!(suite.attribute("tests").unwrap().parse::<usize>().unwrap(), cases.len());
        for case in cases {
            assert!(case.attribute("name").is_some());
            let problems: Vec<_> =
                case.children().filter(|n| n.is_element() && !n.has_tag_name("system-out")).collect();
            assert!(problems.len() <= 1);
            failures += problems.iter().filter(|p| p.has_tag_name("failure")).count();
        }
    }
    // one suite per unit, one case per rule of each unit
    let unit_suites =
        root.children().filter(|n| n.has_tag_name("testsuite") && n.attribute("name") != Some("site")).count();
    assert_eq!(unit_suites, result.units.len());
    let water = root.children().find(|n| n.attribute("name") == Some("qingyuan-water")).unwrap();
    let cases = water.children().filter(|n| n.has_tag_name("testcase")).count();
    assert_eq!(cases, result.units.iter().find(|u| u.slug == "qingyuan-water").unwrap().rules.len() + 1);
    assert!(failures >= 2);
    assert_eq!(root.attribute("failures").unwrap().parse::<usize>().unwrap(), failures);
}

#[test]
fn gitlab_code_quality_has_unique_fingerprints() {
    let site = findings_site();
    let (text, result) = rendered(&site, Format::Gitlab);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let issues = doc.as_array().unwrap();
    assert_eq!(issues.len(), result.findings.len());
    let prints: BTreeSet<&str> = issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    assert_eq!(prints.len(), issues.len());
    for i in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(i[key].is_string(), "{key}: {i}");
        }
        assert!(["major", "minor"].contains(&i["severity"].as_str().unwrap()));
        assert!(i["location"]["path"].is_string() && i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
    // the same input gives the same fingerprints
    assert_eq!(rendered(&site, Format::Gitlab).0, text);
}

#[test]
fn github_annotations_are_workflow_commands() {
    let site = findings_site();
    let (text, result) = rendered(&site, Format::Github);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), result.findings.len());
    for l in &lines {
        assert!(l.starts_with("::error file=") || l.starts_with("::warning file="), "{l}");
        assert!(!l.contains('\n'));
    }
    assert!(lines.iter().any(|l| l.starts_with(
        "::error file=content/renhe-hospital/unit.yaml,line=2,col=6,title=gongkai/syntax::"
    )));
}

#[test]
fn markdown_is_a_table_per_unit_and_finding() {
    let site = findings_site();
    let (text, result) = rendered(&site, Format::Markdown);
    assert!(text.starts_with("## gongkai 信息公开检查：❌ 未通过"));
    let rows = text.lines().filter(|l| l.starts_with("| ❌") || l.starts_with("| ⚠️")).count();
    assert_eq!(rows, result.findings.len());
    for l in text.lines().filter(|l| l.starts_with('|')) {
        // every row has the same number of unescaped cell separators as its header
        let cells = l.replace("\\|", "").matches('|').count();
        assert!(cells == 6 || cells == 7, "{l}");
    }
}
