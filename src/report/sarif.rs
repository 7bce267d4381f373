//! SARIF 2.1.0, for code-scanning dashboards (GitHub code scanning, Gitee, SonarQube...).

use std::collections::BTreeMap;

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag, Region,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use super::{Context, fingerprint};
use crate::check::CheckResult;
use crate::finding::{Kind, Severity};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub(super) fn render(result: &CheckResult, cx: &Context<'_>) -> String {
    // every rule of every active pack, then gongkai's own checks
    let mut rules: Vec<ReportingDescriptor> = Vec::new();
    let mut index: BTreeMap<String, i64> = BTreeMap::new();
    for pack in cx.packs {
        for r in &pack.rules {
            index.insert(r.id.to_string(), rules.len() as i64);
            rules.push(
                ReportingDescriptor::builder()
                    .id(r.id.to_string())
                    .name(r.title.to_string())
                    .short_description(text(format!("{} {}", r.citation, r.title)))
                    .full_description(text(format!("《{}》{}：{}", pack.title, r.citation, r.title)))
                    .build(),
            );
        }
    }
    for kind in Kind::ALL {
        let id = format!("gongkai/{}", kind.as_str());
        index.insert(id.clone(), rules.len() as i64);
        rules.push(ReportingDescriptor::builder().id(id).short_description(text(kind.title().to_string())).build());
    }

    let mut seen = BTreeMap::new();
    let results: Vec<SarifResult> = result
        .findings
        .iter()
        .map(|f| {
            let region = f.line.map(|l| {
                let r = Region::builder().start_line(i64::from(l));
                match f.column {
                    Some(c) => r.start_column(i64::from(c)).build(),
                    None => Region::builder().start_line(i64::from(l)).build(),
                }
            });
            let artifact = ArtifactLocation::builder().uri(uri(&f.file)).uri_base_id("%SRCROOT%").build();
            let physical = match region {
                Some(region) => PhysicalLocation::builder().artifact_location(artifact).region(region).build(),
                None => PhysicalLocation::builder().artifact_location(artifact).build(),
            };
            let message = match &f.help {
                Some(h) => format!("{}。{h}", f.message),
                None => f.message.clone(),
            };
            let mut props = BTreeMap::new();
            props.insert("kind".to_string(), serde_json::Value::from(f.kind.as_str()));
            if let Some(c) = &f.citation {
                props.insert("citation".to_string(), serde_json::Value::from(c.as_str()));
            }
            if let Some(d) = &f.detail {
                props.insert("detail".to_string(), serde_json::Value::from(d.as_str()));
            }
            if let Some(u) = &f.unit {
                props.insert("unit".to_string(), serde_json::Value::from(u.as_str()));
            }
            let mut fps = BTreeMap::new();
            fps.insert("gongkai/v1".to_string(), fingerprint(f, &mut seen));
            SarifResult::builder()
                .rule_id(f.rule.clone())
                .rule_index(index.get(&f.rule).copied().unwrap_or(-1))
                .level(match f.severity {
                    Severity::Error => ResultLevel::Error,
                    Severity::Warning => ResultLevel::Warning,
                    Severity::Note => ResultLevel::Note,
                })
                .message(Message::builder().text(message).build())
                .locations(vec![Location::builder().physical_location(physical).build()])
                .partial_fingerprints(fps)
                .properties(PropertyBag::builder().additional_properties(props).build())
                .build()
        })
        .collect();

    let driver = ToolComponent::builder()
        .name("gongkai")
        .version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/gongkai/gongkai")
        .rules(rules)
        .build();
    let run = Run::builder().tool(Tool::builder().driver(driver).build()).results(results).build();
    let sarif = Sarif::builder().schema(SCHEMA).version(serde_json::json!("2.1.0")).runs(vec![run]).build();
    let mut s = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    s.push('\n');
    s
}

fn text(s: String) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

/// A site-relative path as a SARIF `uri` (an RFC 3986 URI reference): Chinese file names and
/// anything else outside the unreserved set are percent-encoded, `/` is kept.
fn uri(path: &str) -> String {
    const PATH: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    percent_encoding::utf8_percent_encode(path, PATH).to_string()
}
