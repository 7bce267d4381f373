use super::*;
use std::collections::BTreeSet;

use crate::config::{Config, FooterConfig};

fn builtin() -> (Schema, Vec<Pack>) {
    crate::load::packs_for(std::path::Path::new("/nonexistent")).expect("built-in packs load")
}

fn schema_of(name: &str) -> serde_json::Value {
    let (schema, packs) = builtin();
    let text = files(&schema, &packs).into_iter().find(|(n, _)| n == name).expect("a schema file").1;
    serde_json::from_str(&text).unwrap()
}

fn validate(schema: &serde_json::Value, yaml: &str) -> bool {
    let value: serde_json::Value =
        if yaml.trim().is_empty() { serde_json::Value::Null } else { serde_saphyr::from_str(yaml).unwrap() };
    jsonschema::validator_for(schema).unwrap().is_valid(&value)
}

/// The keys serde-saphyr lists when it meets an unknown one: every field and alias of the struct.
fn listed_keys(err: &str) -> BTreeSet<String> {
    let first = err.lines().next().unwrap_or_default();
    let list = first.split_once("expected one of ").map(|(_, l)| l).unwrap_or_else(|| panic!("{err}"));
    list.split(", ").map(|k| k.trim_matches('`').to_string()).collect()
}

fn serde_keys<T: for<'de> serde::Deserialize<'de> + std::fmt::Debug>() -> BTreeSet<String> {
    listed_keys(&serde_saphyr::from_str::<T>("zz_not_a_key: 1\n").unwrap_err().to_string())
}

fn properties(schema: &serde_json::Value) -> BTreeSet<String> {
    schema["properties"].as_object().unwrap().keys().cloned().collect()
}

#[test]
fn every_key_of_the_configuration_has_its_place_in_the_schema() {
    let schema = schema_of(CONFIG_FILE);
    let keys = serde_keys::<Config>();
    assert!(keys.len() >= 20 && keys.contains("站内搜索"), "{keys:?}");
    assert_eq!(properties(&schema), keys, "the keys of {CONFIG_FILE} and of gongkai.yaml");
    assert_eq!(properties(&schema["properties"]["footer"]), serde_keys::<FooterConfig>());
    assert_eq!(properties(&schema["properties"]["calendar"]), serde_keys::<crate::calendar::LocalDays>());
    assert!(validate(&schema, "站点名称: 白银\n规则包: [baiyin-2021]\n页脚: {主办单位: 白银市}\n"));
    assert!(!validate(&schema, "站点名: 白银\n"));
    assert!(validate(&schema, "受理平台: https://shenqing.example.gov.cn/\n"));
    assert!(validate(&schema, "desk: http://127.0.0.1:8087\n"));
    assert!(!validate(&schema, "desk: shenqing.example.gov.cn\n"));
    assert!(!validate(&schema, "desk: https://a.example/?x=1\n"));
}

#[test]
fn every_key_of_a_pack_has_its_place_in_the_schema() {
    let schema = schema_of(PACK_FILE);
    let err = crate::pack::parse("zz_not_a_key: 1\n", "t").unwrap_err().to_string();
    assert_eq!(properties(&schema), listed_keys(err.split_once("规则包有误：").map_or(err.as_str(), |(_, e)| e)));
    let listed = |yaml: &str| {
        let err = crate::pack::parse(yaml, "t").unwrap_err().to_string();
        listed_keys(err.split_once("规则包有误：").map_or(err.as_str(), |(_, e)| e))
    };
    let head = "id: a\ntitle: b\nsource: {issuer: x, document: y}\n";
    let rule = listed(&format!("{head}rules:\n  - zz_not_a_key: 1\n"));
    assert_eq!(properties(&schema["properties"]["rules"]["items"]), rule, "rule keys");
    let source = listed("id: a\ntitle: b\nsource: {zz_not_a_key: 1}\nrules: []\n");
    assert_eq!(properties(&schema["properties"]["source"]), source, "source keys");
    // every built-in pack follows it
    for (name, text) in crate::pack::BUILTIN {
        assert!(validate(&schema, text), "{name} does not follow {PACK_FILE}");
    }
}

#[test]
fn every_spelling_of_a_field_is_a_property_and_closed_sets_are_enums() {
    let unit = schema_of("unit.schema.json");
    let props = properties(&unit);
    for name in ["name", "单位名称", "名称", "sector", "行业", "审查确认", "变更记录"] {
        assert!(props.contains(name), "{name}");
    }
    let sector = &unit["properties"]["行业"]["anyOf"][0]["enum"];
    assert!(sector.as_array().unwrap().contains(&serde_json::json!("幼儿园")), "{sector}");
    let notices = schema_of("notices.schema.json");
    let status = &notices["properties"]["状态"]["anyOf"][0]["anyOf"][0]["enum"];
    assert!(status.as_array().unwrap().contains(&serde_json::json!("已撤销")), "{status}");
    assert!(properties(&notices).contains("草稿"));
    // descriptions cite the clause that requires the item
    let fees = schema_of("fees.schema.json");
    let basis = fees["properties"]["收费项目"]["anyOf"][0]["items"]["properties"]["收费依据"]["description"].as_str();
    assert!(basis.unwrap().contains("第五条"), "{basis:?}");
}

#[test]
fn values_are_checked_as_check_reads_them() {
    let unit = schema_of("unit.schema.json");
    for good in [
        "单位名称: 白银市第一中学\n行业: 学校\n",
        "行业: 幼儿园\n更新日期: 2026年3月1日\n",
        "更新日期: 待补充\n",
        "职能权限:\n  - 供水\n  - 抄表\n",
        "网站: {不适用: 本单位没有网站}\n",
        "网站: 不适用：本单位没有网站\n",
        "窗口单位领导:\n  - 姓名: 张三\n    职务: 主任\n",
        "办公时间: 0930\n",
        "",
    ] {
        assert!(validate(&unit, good), "refused: {good}");
    }
    for bad in [
        "行业: 博物馆\n",
        "单位名称: [甲, 乙]\n",
        "窗口单位领导: 张三\n",
        "窗口单位领导:\n  - 张三\n",
        "窗口单位领导:\n  - 姓名: 张三\n    职称: 主任\n",
        "更新日期: 三月\n",
        "单位名: 甲\n",
    ] {
        assert!(!validate(&unit, bad), "accepted: {bad}");
    }
    // the figures of requests/ are counts
    let requests = schema_of("requests.schema.json");
    for good in ["予以公开: 3\n", "予以公开: 3件\n", "予以公开: 待补充\n", "予以公开: 0\n"] {
        assert!(validate(&requests, good), "refused: {good}");
    }
    for bad in ["予以公开: 六\n", "予以公开: -1\n", "予以公开: 2.5\n"] {
        assert!(!validate(&requests, bad), "accepted: {bad}");
    }
    let notices = schema_of("notices.schema.json");
    assert!(validate(&notices, "状态: 已撤销\n草稿: 是\n"));
    assert!(!validate(&notices, "状态: 取消\n"));
    assert!(!validate(&notices, "草稿: 也许\n"));
}

#[test]
fn schemas_are_deterministic_and_modelines_relative() {
    let (schema, packs) = builtin();
    assert_eq!(files(&schema, &packs), files(&schema, &packs));
    assert_eq!(
        modeline("content/water/requests/2025.yaml", "requests.schema.json"),
        "# yaml-language-server: $schema=../../../.gongkai/schema/requests.schema.json\n"
    );
    assert_eq!(
        modeline("gongkai.yaml", CONFIG_FILE),
        "# yaml-language-server: $schema=.gongkai/schema/gongkai.schema.json\n"
    );
    let settings: serde_json::Value = serde_json::from_str(&vscode_settings(&schema)).unwrap();
    assert_eq!(settings["yaml.schemas"]["./.gongkai/schema/fees.schema.json"][0], "content/*/fees.yaml");
}
