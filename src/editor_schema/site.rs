//! The JSON Schemas of the site's own settings: `gongkai.yaml` and the rule packs in `rules/`.
//!
//! Part of `editor_schema`. The keys mirror the serde structs of `config` and `pack::file`; the
//! tests below compare them with the fields serde itself lists, so that a key added there and
//! forgotten here fails the build's tests rather than an editor.

use serde_json::{Map, Value, json};

use crate::pack::Pack;
use crate::schema::Schema;

/// A property: its English key, its other spellings (space-separated), its value schema.
type Key<'a> = (&'a str, &'a str, Value);

/// A closed mapping: each key under every spelling.
fn object(keys: Vec<Key<'_>>) -> Value {
    let mut properties = Map::new();
    for (key, aliases, schema) in keys {
        for name in std::iter::once(key).chain(aliases.split_whitespace()) {
            properties.insert(name.to_string(), schema.clone());
        }
    }
    json!({ "type": "object", "properties": properties, "additionalProperties": false })
}

fn text(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

fn with_description(mut schema: Value, description: &str) -> Value {
    schema.as_object_mut().expect("an object schema").insert("description".into(), json!(description));
    schema
}

fn sectors(schema: &Schema) -> Value {
    let words: Vec<&str> = schema.sectors.iter().flat_map(|s| s.words()).collect();
    json!({ "type": "string", "enum": words })
}

/// `gongkai.yaml`.
pub(crate) fn config(schema: &Schema, packs: &[Pack]) -> Value {
    let ids: Vec<&str> = packs.iter().map(|p| p.id.as_str()).collect();
    let date = json!({ "type": "string" });
    let block = object(vec![
        ("name", "名称", text("假日名称")),
        ("from", "开始", with_description(date.clone(), "第一天，例如 2026-06-01")),
        ("to", "结束", with_description(date.clone(), "最后一天（含）")),
        ("weekend_joined", "", json!({ "type": "boolean", "description": "是否连着周末" })),
    ]);
    let footer = object(vec![
        ("sponsor", "主办单位", text("主办单位：网站的主办机构")),
        ("contact", "联系方式", text("网站维护者的联系电话或电子邮箱")),
        ("site_code", "网站标识码", text("政府网站标识码")),
        ("icp", "ICP备案号", text("ICP 备案号，例如 陇ICP备12345678号")),
        ("police", "公安机关备案号 公安备案号", text("公安机关备案号，例如 甘公网安备62040202000001号")),
    ]);
    let mut root = object(vec![
        ("title", "站点名称 标题", text("站点名称，例如 白银市公共企事业单位信息公开平台")),
        (
            "base_url",
            "网址",
            json!({ "type": "string", "pattern": "^https?://", "description": "网站发布后的地址（用于二维码、订阅和网站地图），例如 https://gk.example.gov.cn/" }),
        ),
        (
            "packs",
            "规则包",
            json!({ "type": "array", "items": { "type": "string", "examples": ids }, "description": format!("适用的规则包（内置的或 rules/ 下的）。现有：{}", ids.join("、")) }),
        ),
        (
            "units",
            "单位",
            json!({
                "type": "object",
                "description": "各单位的设置，按单位文件夹名",
                "additionalProperties": object(vec![("sector", "行业", with_description(sectors(schema), "单位的行业（unit.yaml 没有写时）"))])
            }),
        ),
        (
            "report",
            "报告",
            with_description(
                object(vec![(
                    "publish",
                    "公开",
                    json!({ "type": "boolean", "description": "把检查报告也发布到网站上（默认否）" }),
                )]),
                "缺项报告",
            ),
        ),
        ("theme", "主题", text("主题名：站点中 themes/<名称>/")),
        ("today", "检查日期", with_description(date.clone(), "按这一天判断期限（示例站或存档用；正式站不写）")),
        (
            "calendar",
            "日历",
            with_description(
                object(vec![
                    ("holidays", "放假", json!({ "type": "array", "items": block, "description": "本地增加的假日" })),
                    (
                        "workdays",
                        "上班",
                        json!({ "type": "array", "items": date, "description": "本地调休上班的日子" }),
                    ),
                ]),
                "本地的放假和调休，补充全国的节假日安排",
            ),
        ),
        (
            "deadlines",
            "期限",
            json!({ "type": "object", "additionalProperties": { "type": "string", "pattern": r"^\d{1,2}-\d{1,2}$" }, "description": "规则包留给站点规定的日期，按规则编号，例如 baiyin-2021/annual-report-deadline: 01-31" }),
        ),
        ("footer", "页脚", with_description(footer, "每页页脚显示的网站信息（主办单位、备案号等）")),
        ("search", "站内搜索", json!({ "type": "boolean", "description": "站内搜索，默认开启；写 false 关闭" })),
        (
            "desk",
            "受理平台",
            json!({ "type": "string", "pattern": "^https?://[^\\s?#]+$", "description": "依申请公开和社会评议受理平台（gongkai-desk）的地址，例如 https://shenqing.example.gov.cn/；写了就在每个单位的依申请公开页上放申请表单" }),
        ),
    ]);
    top(&mut root, "gongkai：站点配置 gongkai.yaml", "gongkai 站点配置，所有项都可省略；键可写英文或中文。");
    root
}

/// A rule pack (`rules/*.yaml`).
pub(crate) fn pack(schema: &Schema) -> Value {
    let string_list = json!({ "type": "array", "items": { "type": "string" } });
    let field_type = json!({ "enum": ["text", "lines", "list", "date", "sector", "status", "flag"] });
    let field = object(vec![
        ("key", "", text("英文键")),
        ("zh", "", text("中文名")),
        ("aliases", "", string_list.clone()),
        ("type", "", field_type),
        ("fields", "", json!({ "type": "array", "items": { "$ref": "#/definitions/field" } })),
        ("hint", "", text("填写提示")),
        ("contact", "", json!({ "type": "boolean" })),
    ]);
    let document = object(vec![
        ("kind", "", text("文件种类的英文键")),
        (
            "file",
            "",
            json!({ "type": "string", "pattern": r"(/|\.yaml)$", "description": "文件名（x.yaml）或文件夹（x/）" }),
        ),
        ("title", "", text("中文标题")),
        ("clause", "", text("依据的条款")),
        ("item", "", text("文件夹中一份文件的叫法")),
        ("data", "", json!({ "type": "boolean" })),
        ("fields", "", json!({ "type": "array", "items": { "$ref": "#/definitions/field" } })),
    ]);
    let shapes = ["text", "phone", "contact", "email", "postcode", "date", "url", "file", "list"];
    let timing = ["within", "ahead", "cadence", "explained", "lifecycle", "fresh"];
    let period = json!({ "enum": ["month", "quarter", "year"] });
    let requirement = object(vec![
        ("require", "", json!({ "enum": shapes })),
        ("min", "", json!({ "type": "integer", "minimum": 0 })),
        ("each", "", json!({ "type": "object", "additionalProperties": { "$ref": "#/definitions/each" } })),
    ]);
    let one_or_many = json!({ "type": ["string", "array"], "items": { "type": "string" } });
    let rule = object(vec![
        ("id", "", json!({ "type": "string", "pattern": "^[a-z0-9-]+$" })),
        ("citation", "", text("条款，例如 第五条第(三)项")),
        ("title", "", text("公开项目的中文名")),
        ("file", "", text("文件名、文件夹，或 * （每一份文件）")),
        ("field", "", text("字段（英文键，可用 . 连接）")),
        ("require", "", json!({ "enum": shapes.iter().chain(&timing).collect::<Vec<_>>() })),
        ("min", "", json!({ "type": "integer", "minimum": 0 })),
        ("each", "", json!({ "type": "object", "additionalProperties": { "$ref": "#/definitions/each" } })),
        ("where", "", json!({ "type": "object", "additionalProperties": one_or_many })),
        ("days", "", json!({ "type": "integer", "minimum": 0 })),
        ("unit", "", json!({ "enum": ["working", "calendar"] })),
        ("from", "", json!({ "type": "string" })),
        ("to", "", json!({ "type": "string" })),
        ("every", "", period.clone()),
        ("by", "", json!({ "type": "string" })),
        ("date", "", json!({ "type": "string" })),
        ("matter", "", json!({ "type": "string" })),
        ("stage", "", json!({ "type": "string" })),
        ("stages", "", string_list.clone()),
        ("max_age", "", period),
        ("topic", "", json!({ "type": "string" })),
        ("weight", "", json!({ "type": "integer", "minimum": 0 })),
        ("severity", "", json!({ "enum": ["error", "warning"] })),
        ("status", "", json!({ "enum": ["verified", "unverified"] })),
        ("sectors", "", json!({ "type": "array", "items": sectors(schema) })),
        ("hint", "", text("提示")),
        ("may_be_absent", "", json!({ "type": "boolean", "description": "可以写「不适用: 原因」" })),
    ]);
    let source = object(vec![
        ("issuer", "", text("发文机关")),
        ("document", "", text("文件名称")),
        ("number", "", text("文号")),
        ("date", "", json!({ "type": "string" })),
        ("effective", "", json!({ "type": "string" })),
        ("on_request", "", text("依申请公开的条款")),
        ("review", "", text("保密审查的条款")),
        ("remedy", "", text("投诉、救济的条款")),
        ("url", "", text("原文地址")),
    ]);
    let grades = object(vec![
        ("source", "", json!({ "type": "string" })),
        (
            "bands",
            "",
            json!({ "type": "array", "items": object(vec![("min", "", json!({ "type": "integer", "minimum": 0 })), ("label", "", json!({ "type": "string" }))]) }),
        ),
        ("cap", "", json!({ "type": "string" })),
    ]);
    let mut root = object(vec![
        (
            "id",
            "",
            json!({ "type": "string", "pattern": "^[a-z0-9-]+$", "description": "规则包编号：小写字母、数字和 -" }),
        ),
        ("title", "", text("依据的文件名称，消息中引用时写作《…》")),
        ("source", "", source),
        (
            "sectors",
            "",
            json!({ "type": "array", "items": sectors(schema), "description": "只适用于这些行业的单位（不写：所有单位）" }),
        ),
        ("placeholders", "", string_list),
        (
            "fields",
            "",
            json!({ "type": "object", "additionalProperties": { "type": "array", "items": { "$ref": "#/definitions/field" } } }),
        ),
        ("documents", "", json!({ "type": "array", "items": document })),
        ("grades", "", grades),
        ("rules", "", json!({ "type": "array", "items": rule })),
    ]);
    top(&mut root, "gongkai：规则包", "gongkai 规则包（rules/*.yaml），格式见 README「Rule packs」。");
    let o = root.as_object_mut().expect("an object schema");
    o.insert("required".into(), json!(["id", "title", "source", "rules"]));
    o.insert("definitions".into(), json!({ "field": field, "each": { "anyOf": [{ "enum": shapes }, requirement] } }));
    root
}

fn top(root: &mut Value, title: &str, description: &str) {
    let o = root.as_object_mut().expect("an object schema");
    let rest = std::mem::take(o);
    o.insert("$schema".into(), json!("http://json-schema.org/draft-07/schema#"));
    o.insert("title".into(), json!(title));
    o.insert("description".into(), json!(description));
    o.extend(rest);
}
