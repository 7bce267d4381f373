//! SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning, Gitee, SonarQube...).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Context, fingerprint};
use crate::check::CheckResult;
use crate::finding::{Kind, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The log, built as JSON values: SARIF's objects are written with their keys in name order,
/// and only the properties gongkai fills in (a typed SARIF model cost the binary over 100 KB).
pub(super) fn render(result: &CheckResult, cx: &Context<'_>) -> String {
    // every rule of every active pack, then gongkai's own checks
    let mut rules: Vec<Value> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for pack in cx.packs {
        for r in &pack.rules {
            index.insert(r.id.to_string(), rules.len());
            rules.push(json!({
                "fullDescription": text(format!("《{}》{}：{}", pack.title, r.citation, r.title)),
                "id": r.id.to_string(),
                "name": r.title.to_string(),
                "shortDescription": text(format!("{} {}", r.citation, r.title)),
            }));
        }
    }
    for kind in Kind::ALL {
        let id = format!("gongkai/{}", kind.as_str());
        index.insert(id.clone(), rules.len());
        rules.push(json!({ "id": id, "shortDescription": text(kind.title().to_string()) }));
    }
    // a finding of a check that is neither a pack's rule nor named after its kind (the 第六条
    // scan's `privacy/mobile`…): described by its kind, so that every result has its rule
    for f in &result.findings {
        if !index.contains_key(&f.rule) {
            index.insert(f.rule.clone(), rules.len());
            rules.push(json!({ "id": f.rule, "shortDescription": text(f.kind.title().to_string()) }));
        }
    }

    let mut seen = BTreeMap::new();
    let results: Vec<Value> = result
        .findings
        .iter()
        .map(|f| {
            let mut physical = json!({ "artifactLocation": { "uri": uri(&f.file), "uriBaseId": "%SRCROOT%" } });
            if let Some(line) = f.line {
                let mut region = json!({ "startLine": line });
                if let Some(column) = f.column {
                    region["startColumn"] = json!(column);
                }
                physical["region"] = region;
            }
            let message = match &f.help {
                Some(h) => format!("{}。{h}", f.message),
                None => f.message.clone(),
            };
            let mut props = json!({ "kind": f.kind.as_str() });
            for (key, value) in [("citation", &f.citation), ("detail", &f.detail), ("unit", &f.unit)] {
                if let Some(value) = value {
                    props[key] = json!(value);
                }
            }
            json!({
                "level": match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Note => "note",
                },
                "locations": [{ "physicalLocation": physical }],
                "message": { "text": message },
                "partialFingerprints": { "gongkai/v1": fingerprint(f, &mut seen) },
                "properties": props,
                "ruleId": f.rule,
                "ruleIndex": index[&f.rule],
            })
        })
        .collect();

    let sarif = json!({
        "$schema": SCHEMA,
        "runs": [{
            "results": results,
            "tool": { "driver": {
                "informationUri": "https://github.com/gongkai/gongkai",
                "name": "gongkai",
                "rules": rules,
                "version": env!("CARGO_PKG_VERSION"),
            }},
        }],
        "version": "2.1.0",
    });
    let mut s = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    s.push('\n');
    s
}

fn text(s: String) -> Value {
    json!({ "text": s })
}

/// A site-relative path as a SARIF `uri` (an RFC 3986 URI reference): Chinese file names and
/// anything else outside the unreserved set are percent-encoded, `/` is kept.
fn uri(path: &str) -> String {
    const PATH: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(path, PATH).to_string()
}
