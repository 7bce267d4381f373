//! What gongkai says must be true (the verdicts issue, points 6, 7, 8 and 13): items a unit honestly
//! does not have, dates that cannot be true or have gone stale, status words outside the closed
//! set, and supervisor contacts nobody can use. Each test changes one file of the example portal.

mod common;

use common::Site;
use gongkai::finding::{Finding, Kind, Severity};

const UNIT: &str = "qingyuan-water";

fn findings(site: &Site) -> (Vec<Finding>, gongkai::check::UnitResult) {
    let result = site.check_unit(UNIT);
    let unit = result.units.into_iter().find(|u| u.slug == UNIT).unwrap();
    (result.findings.into_iter().filter(|f| f.unit.as_deref() == Some(UNIT)).collect(), unit)
}

/// The example unit's supervision.yaml with one line replaced.
fn supervision_with(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(format!("{}/content/{UNIT}/supervision.yaml", common::REPO)).unwrap();
    assert!(text.contains(from), "{from}");
    text.replace(from, to)
}

// ---- point 6: items that honestly do not exist ---------------------------------------------------

#[test]
fn a_declared_absent_item_fulfils_its_rules_and_is_published_as_a_statement() {
    let site = Site::example();
    site.write(
        &format!("content/{UNIT}/fees.yaml"),
        "收费项目:\n  不适用: 本单位不收取任何费用\n更新日期: 2026-01-01\n",
    );
    site.write(
        &format!("content/{UNIT}/supervision.yaml"),
        supervision_with("传真号码: 0943-8260010", "传真号码: 不适用：本单位未设传真"),
    );
    let service = format!("content/{UNIT}/services/用水过户.md");
    let text = site.read(&service).replace(
        "示范文本:\n  - 名称: 用水过户申请表（填写样例）\n    文件: attachments/用水过户申请表.md\n",
        "示范文本:\n  不适用: 办理过户无需填写申请表，在窗口核对证件即可\n",
    );
    site.write(&service, text);
    let (found, unit) = findings(&site);
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(unit.completeness.score, 100);
    let declared: Vec<(&str, &str, usize)> =
        unit.declarations.iter().map(|d| (d.label.as_str(), d.reason.as_str(), d.rules.len())).collect();
    assert_eq!(
        declared,
        [
            ("收费项目", "本单位不收取任何费用", 3),
            ("「用水过户」示范文本", "办理过户无需填写申请表，在窗口核对证件即可", 2),
            ("传真号码", "本单位未设传真", 1)
        ]
    );

    // the JSON report and the open data carry the declarations; the pages state them
    let json: serde_json::Value = serde_json::from_str(&site.run(&["check", "--format", "json"]).stdout).unwrap();
    let unit_json = json["units"].as_array().unwrap().iter().find(|u| u["slug"] == UNIT).unwrap();
    assert_eq!(unit_json["declarations"][0]["rules"][0], "baiyin-2021/fee-items");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/tests/schemas/report.schema.json", common::REPO)).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&json).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let out = site.run(&["build", "--quiet"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let data: serde_json::Value = serde_json::from_str(&site.read(&format!("public/{UNIT}/data.json"))).unwrap();
    assert_eq!(data["declarations"][1]["file"], "services/用水过户.md");
    assert_eq!(data["declarations"][2]["key"], "fax");
    assert_eq!(data["declarations"][2]["reason"], "本单位未设传真");
    assert_eq!(data["documents"]["supervision"]["fax"]["not_applicable"], "本单位未设传真");
    assert!(site.read(&format!("public/{UNIT}/fees.html")).contains("不适用：本单位不收取任何费用"));
    assert!(!site.read(&format!("public/{UNIT}/fees.html")).contains("暂未公开收费项目"));
    assert!(site.read(&format!("public/{UNIT}/supervision.html")).contains("<dd>不适用：本单位未设传真</dd>"));
    let page = site.read(&format!("public/{UNIT}/services/用水过户.html"));
    assert!(page.contains("<p class=\"declared\">不适用：办理过户无需填写申请表，在窗口核对证件即可</p>"), "{page}");
}

#[test]
fn a_declaration_the_pack_does_not_allow_is_one_finding_at_its_line() {
    let site = Site::example();
    site.write(
        &format!("content/{UNIT}/supervision.yaml"),
        supervision_with("监督电话: 0943-8260012", "监督电话: {不适用: 没有专门的监督电话}"),
    );
    let (found, unit) = findings(&site);
    let got: Vec<(&str, Kind, Option<u32>)> = found.iter().map(|f| (f.rule.as_str(), f.kind, f.line)).collect();
    assert_eq!(got, [("baiyin-2021/supervision-phone", Kind::Invalid, Some(2))]);
    assert!(found[0].message.contains("「监督电话」不能声明「不适用」"), "{}", found[0].message);
    assert!(unit.declarations.is_empty());
}

#[test]
fn a_declaration_needs_a_reason_and_cannot_hide_a_part_of_an_entry() {
    let site = Site::example();
    site.write(
        &format!("content/{UNIT}/supervision.yaml"),
        supervision_with("传真号码: 0943-8260010", "传真号码: 不适用"),
    );
    site.write(
        &format!("content/{UNIT}/fees.yaml"),
        "收费项目:\n  - 项目名称: 水费\n    收费依据: {不适用: 没有文件}\n    收费标准: 3.10 元/立方米\n",
    );
    let (found, _) = findings(&site);
    let got: Vec<(&str, Option<u32>)> = found.iter().map(|f| (f.rule.as_str(), f.line)).collect();
    assert_eq!(got, [("baiyin-2021/fee-basis", Some(3)), ("baiyin-2021/complaint-fax", Some(13))], "{found:#?}");
    assert!(found[0].message.contains("「收费依据」不能声明「不适用」"), "{}", found[0].message);
    assert!(found[1].message.contains("没有写明原因"), "{}", found[1].message);
    assert!(found[1].help.as_deref().unwrap().contains("{不适用: 本单位未设传真}"));
}

#[test]
fn a_placeholder_stays_a_placeholder_and_its_help_shows_the_declaration() {
    let site = Site::example();
    site.write(&format!("content/{UNIT}/fees.yaml"), "收费项目: 无\n更新日期: 2026-01-01\n");
    let (found, unit) = findings(&site);
    assert!(!found.is_empty());
    for f in &found {
        assert_eq!((f.kind, f.line), (Kind::Placeholder, Some(1)), "{f:#?}");
        assert!(f.message.contains("还是占位内容「无」"), "{}", f.message);
        assert!(f.help.as_deref().unwrap().contains("「收费项目: {不适用: 本单位不收取任何费用}」"), "{:?}", f.help);
    }
    assert!(unit.completeness.score < 100);
    // where the pack does not allow a declaration, the help does not suggest one
    let site = Site::example();
    site.write(
        &format!("content/{UNIT}/supervision.yaml"),
        supervision_with("监督电话: 0943-8260012", "监督电话: 暂无"),
    );
    let (found, _) = findings(&site);
    assert_eq!(found.len(), 1);
    assert!(!found[0].help.as_deref().unwrap().contains("不适用"), "{:?}", found[0].help);
}

// ---- point 7: dates ------------------------------------------------------------------------------

#[test]
fn a_publication_date_after_today_is_an_error() {
    let site = Site::example();
    site.write(
        &format!("content/{UNIT}/notices/2027-春节供水安排.md"),
        // changed long ago: the future date is not also counted as a late publication
        "---\n标题: 春节供水安排\n类别: 计划\n变更日期: 2026-09-01\n发布日期: 2026-11-28\n---\n正文\n",
    );
    let (found, _) = findings(&site);
    let got: Vec<(Severity, &str, Option<u32>)> = found.iter().map(|f| (f.severity, f.rule.as_str(), f.line)).collect();
    assert_eq!(got, [(Severity::Error, "gongkai/invalid", Some(5))], "{found:#?}");
    assert!(found[0].message.contains("发布日期是2026年11月28日，晚于今天（2026年11月27日）"), "{}", found[0].message);
    // on the day itself it is fine (and then judged as published late, which it is)
    let out = site.run(&["check", "--today", "2026-11-28", "--unit", UNIT, "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let late: Vec<&str> = json["findings"].as_array().unwrap().iter().filter_map(|f| f["rule"].as_str()).collect();
    assert_eq!(late, ["ogi-2019/update-deadline"], "{}", out.stdout);
}

#[test]
fn content_not_updated_for_over_a_year_is_a_warning_that_says_how_old() {
    let site = Site::example();
    let fees = site.read(&format!("content/{UNIT}/fees.yaml")).replace("更新日期: 2026-01-01", "更新日期: 2025-11-26");
    site.write(&format!("content/{UNIT}/fees.yaml"), fees);
    let (found, _) = findings(&site);
    let got: Vec<(Severity, &str, Kind)> = found.iter().map(|f| (f.severity, f.rule.as_str(), f.kind)).collect();
    assert_eq!(got, [(Severity::Warning, "baiyin-2021/fees-fresh", Kind::Late)], "{found:#?}");
    assert!(
        found[0].message.contains("已经 1 年 1 天没有更新（超过一年）")
            || found[0].message.contains("已经 1 年没有更新")
    );
    // a year to the day is not yet stale
    let fees = site.read(&format!("content/{UNIT}/fees.yaml")).replace("更新日期: 2025-11-26", "更新日期: 2025-11-27");
    site.write(&format!("content/{UNIT}/fees.yaml"), fees);
    assert!(findings(&site).0.is_empty());
}

// ---- point 8: status ----------------------------------------------------------------------------

fn notice_with_status(status: &str) -> String {
    format!(
        "---\n标题: 停水通知\n类别: 计划\n发布日期: 2026-11-20\n状态: {status}\n变更记录:\n  - 日期: 2026-11-22\n    变更类型: 取消\n    说明: 工程延期\n---\n正文\n"
    )
}

#[test]
fn a_status_outside_the_set_is_named_with_the_word_it_means_and_a_cancelled_notice_is_not_live() {
    let site = Site::example();
    site.write(&format!("content/{UNIT}/notices/2026-停水.md"), notice_with_status("取消"));
    let (found, _) = findings(&site);
    let got: Vec<(&str, Option<u32>)> = found.iter().map(|f| (f.rule.as_str(), f.line)).collect();
    assert_eq!(got, [("gongkai/invalid", Some(5))], "{found:#?}");
    assert_eq!(found[0].message, "不认识的状态「取消」");
    assert!(found[0].help.as_deref().unwrap().starts_with("是不是「已撤销」？"), "{:?}", found[0].help);
    let out = site.run(&["build", "--quiet"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let page = site.read(&format!("public/{UNIT}/notices/2026-停水.html"));
    assert!(page.contains("本通知已撤销。"), "a cancelled notice must not be published as live");

    for (word, means) in [("已撤回", "已撤销"), ("废止", "已终止")] {
        site.write(&format!("content/{UNIT}/notices/2026-停水.md"), notice_with_status(word));
        let (found, _) = findings(&site);
        assert!(
            found[0].help.as_deref().unwrap().contains(&format!("是不是「{means}」")),
            "{word}: {:?}",
            found[0].help
        );
    }
    site.write(&format!("content/{UNIT}/notices/2026-停水.md"), notice_with_status("暂缓"));
    let (found, _) = findings(&site);
    assert!(found[0].help.as_deref().unwrap().contains("只能写「有效」「已撤销」「已终止」"), "{:?}", found[0].help);
}

#[test]
fn a_withdrawn_notice_without_an_explanation_is_found_whatever_word_means_withdrawn() {
    let site = Site::example();
    site.write(
        &format!("content/{UNIT}/notices/2026-停水.md"),
        "---\n标题: 停水通知\n类别: 计划\n发布日期: 2026-11-20\n状态: 已撤回\n---\n正文\n",
    );
    let (found, _) = findings(&site);
    let rules: Vec<&str> = found.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["baiyin-2021/changes-explained", "gongkai/invalid"], "{found:#?}");
    assert!(found[0].message.contains("「停水通知」已撤销，但没有说明撤销的时间和原因"), "{}", found[0].message);
}

// ---- point 13: a supervisor's contact must reach the supervisor -------------------------------------

#[test]
fn a_masked_mobile_as_a_supervisors_contact_is_reported_and_an_office_phone_or_email_is_accepted() {
    let site = Site::example();
    site.write(
        &format!("content/{UNIT}/supervision.yaml"),
        supervision_with("联系方式: 0943-8263301（社区活动中心）", "联系方式: 135****7093"),
    );
    let (found, _) = findings(&site);
    let got: Vec<(&str, Kind, Option<u32>)> = found.iter().map(|f| (f.rule.as_str(), f.kind, f.line)).collect();
    assert_eq!(got, [("baiyin-2021/supervisor-contact", Kind::Invalid, Some(11))]);
    assert!(
        found[0].message.contains("是隐去了中间四位的手机号，公众无法据此联系：「135****7093」"),
        "{}",
        found[0].message
    );
    assert!(found[0].help.as_deref().unwrap().contains("办公电话"), "{:?}", found[0].help);

    for usable in ["jiangyulan@example.cn", "0943-8263301"] {
        site.write(
            &format!("content/{UNIT}/supervision.yaml"),
            supervision_with("联系方式: 0943-8263301（社区活动中心）", &format!("联系方式: {usable}")),
        );
        assert!(findings(&site).0.is_empty(), "{usable}");
    }
}
