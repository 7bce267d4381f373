//! Bad content gives a finding at the exact place, in plain Chinese, and never stops the other
//! units from being checked. One fixture folder per behaviour.

mod common;

use common::Site;
use gongkai::check::Status;
use gongkai::finding::{Finding, Severity};

fn errors_in(result: &gongkai::check::CheckResult, unit: &str) -> Vec<Finding> {
    result
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error && f.unit.as_deref() == Some(unit))
        .cloned()
        .collect()
}

const WATER: &str = "qingyuan-water";

#[test]
fn yaml_syntax_error_is_reported_at_its_line_and_column_and_other_units_are_checked() {
    let site = Site::example_with("syntax_error");
    let result = site.check();
    let errs = errors_in(&result, WATER);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let f = &errs[0];
    assert_eq!((f.rule.as_str(), f.kind.as_str()), ("gongkai/syntax", "syntax"));
    assert_eq!((f.file.as_str(), f.line, f.column), ("content/qingyuan-water/unit.yaml", Some(5), Some(6)));
    assert!(f.message.starts_with("缩进不对"), "{}", f.message);
    // the unit's other files and the other units were still checked
    assert!(result.units.iter().filter(|u| u.slug != WATER).all(|u| u.completeness.score == 100));
    let water = result.units.iter().find(|u| u.slug == WATER).unwrap();
    assert!(water.rules.iter().any(|o| o.rule.ends_with("fee-items") && o.status == gongkai::check::Status::Passed));
    assert!(water.rules.iter().any(|o| o.rule.ends_with("unit-name") && o.status == gongkai::check::Status::Unchecked));
}

/// A misspelt key gives one error, at the key, citing the rule of the item it meant; the item
/// still counts as missing (the verdicts issue, point 10: it used to give a second error at the
/// top of the list entry).
#[test]
fn a_typo_in_a_key_is_one_error_at_the_key_and_does_not_hide_the_item() {
    let result = Site::example_with("unknown_key").check();
    let errs = errors_in(&result, WATER);
    let kinds: Vec<_> = errs.iter().map(|f| (f.rule.as_str(), f.line, f.column)).collect();
    assert_eq!(kinds, [("gongkai/unknown-field", Some(4), Some(5))]);
    assert_eq!(errs[0].message, "不认识的字段「收费标注」");
    assert!(errs[0].help.as_deref().unwrap().starts_with("是不是「收费标准」？"), "{:?}", errs[0].help);
    assert_eq!(errs[0].citation.as_deref(), Some("《白银市公共企事业单位信息公开办法(试行)》第五条第(三)项"));
    let water = result.units.iter().find(|u| u.slug == WATER).unwrap();
    let rule = water.rules.iter().find(|o| o.rule.ends_with("fee-standard")).unwrap();
    assert_eq!(rule.status, gongkai::check::Status::Failed);
}

#[test]
fn duplicate_keys_are_found_with_location() {
    let result = Site::example_with("duplicate_key").check();
    let errs = errors_in(&result, WATER);
    let syntax: Vec<_> = errs.iter().filter(|f| f.kind.as_str() == "syntax").collect();
    assert_eq!(syntax.len(), 1, "{errs:#?}");
    assert_eq!((syntax[0].line, syntax[0].column), (Some(4), Some(1)));
    assert!(syntax[0].message.starts_with("同一个字段写了两次"), "{}", syntax[0].message);
}

#[test]
fn wrong_type_is_invalid_and_names_the_article() {
    let result = Site::example_with("wrong_type").check();
    let errs = errors_in(&result, WATER);
    let f: Vec<_> = errs.iter().map(|f| (f.rule.as_str(), f.kind.as_str(), f.line)).collect();
    // one wrong value, one finding, naming every rule it fails (issue 12, point 10)
    assert_eq!(f, [("baiyin-2021/unit-leaders", "invalid", Some(14))]);
    assert!(errs[0].message.contains("应为列表"), "{}", errs[0].message);
    assert!(errs[0].message.contains("「窗口单位领导名录」「窗口单位领导工作分工」"), "{}", errs[0].message);
    let water = result.units.iter().find(|u| u.slug == WATER).unwrap();
    let failed: Vec<&str> = water.rules.iter().filter(|o| o.status == Status::Failed).map(|o| &*o.rule).collect();
    assert_eq!(failed, ["baiyin-2021/unit-leaders", "baiyin-2021/unit-leader-posts", "baiyin-2021/unit-leader-duties"]);
}

#[test]
fn empty_file_is_one_clear_finding() {
    let result = Site::example_with("empty_file").check();
    let errs = errors_in(&result, WATER);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!((errs[0].kind.as_str(), errs[0].line), ("empty", Some(1)));
    assert_eq!(errs[0].file, "content/qingyuan-water/commitments.yaml");
    assert_eq!(errs[0].message, "文件是空的");
    let water = result.units.iter().find(|u| u.slug == WATER).unwrap();
    assert_eq!(water.completeness.score, 92);
}

#[test]
fn gbk_file_is_named_with_how_to_convert() {
    let result = Site::example_with("gbk_file").check();
    let errs = errors_in(&result, WATER);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let f = &errs[0];
    assert_eq!((f.kind.as_str(), f.line, f.column), ("syntax", Some(1), Some(3)));
    assert!(f.message.contains("GBK"), "{}", f.message);
    assert!(f.help.as_deref().unwrap().contains("iconv -f GB18030 -t UTF-8"));
}

#[test]
fn bom_and_crlf_are_accepted() {
    let result = Site::example_with("bom_crlf").check();
    assert_eq!(common::errors(&result), vec![]);
}

#[test]
fn values_of_the_wrong_shape_are_invalid() {
    let result = Site::example_with("invalid_shapes").check();
    let errs = errors_in(&result, WATER);
    let got: Vec<_> = errs.iter().map(|f| (f.rule.as_str(), f.kind.as_str(), f.line)).collect();
    assert_eq!(
        got,
        [
            ("baiyin-2021/supervision-phone", "invalid", Some(2)),
            ("baiyin-2021/complaint-email", "invalid", Some(14)),
            ("baiyin-2021/postcode", "invalid", Some(17)),
        ]
    );
    assert_eq!(errs[0].message, "「监督电话」不是有效的电话号码：「8260012」");
    assert!(errs[0].help.as_deref().unwrap().contains("0943-8221234"));
}

#[test]
fn a_site_pack_adds_an_item_the_builtin_pack_does_not_know() {
    let site = Site::example_with("user_pack");
    let result = site.check();
    let errs = common::errors(&result);
    // every unit without the guide fails the site's pack; the hospital has it
    let units: Vec<_> =
        result.findings.iter().filter(|f| f.rule == "local-guide/guide").map(|f| f.unit.clone().unwrap()).collect();
    assert_eq!(units, ["jinding-school", "qingyuan-water", "tongcheng-power", "yincheng-bus"]);
    assert_eq!(errs.len(), 4);

    let f = result.findings.iter().find(|f| f.rule == "local-guide/guide").unwrap();
    assert_eq!(f.citation.as_deref(), Some("《示例市公共企事业单位信息公开指南要求》第三条"));
    assert_eq!(f.message, "缺少「信息公开指南」");
    assert!(f.help.as_deref().unwrap().contains("信息公开指南: 公开指南的网址或存放地点"));
    let hospital = result.units.iter().find(|u| u.slug == "renhe-hospital").unwrap();
    assert_eq!(hospital.completeness.score, 100);
}
