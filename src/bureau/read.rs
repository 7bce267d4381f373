//! Reading what one source publishes: a site folder (loaded and checked as `check` does), a built
//! `public/` folder, or a live site over HTTP (through `verify`'s bounded client, with retries).
//! Each gives the same thing: the site's report when there is one, and each unit's `data.json`.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::snapshot::{FindingKind, RuleOutcome, UnitData};
use crate::verify::http::{Client, Got};

/// The `schema_version` of `data.json` and `report.json` this gongkai reads.
pub(crate) const KNOWN_VERSION: u32 = 1;

/// What reading one file gave.
#[derive(Debug)]
pub(crate) enum Read {
    /// The file's bytes.
    Body(Vec<u8>),
    /// Not there (a missing file, 404).
    Absent(String),
    /// There, but it could not be read: why.
    Failed(String),
}

/// A unit entry as a report or a `data.json` has it (only what the bureau uses).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UnitJson {
    #[serde(default)]
    pub(crate) slug: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    sector: Option<String>,
    required: u32,
    published: u32,
    #[serde(default)]
    score: Option<u32>,
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    flags: Vec<String>,
    #[serde(default)]
    errors: Option<u32>,
    #[serde(default)]
    warnings: Option<u32>,
    #[serde(default)]
    rules: Vec<RuleJson>,
}

#[derive(Debug, Clone, Deserialize)]
struct RuleJson {
    rule: String,
    status: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    title: String,
}

#[derive(Deserialize)]
struct ReportJson {
    units: Vec<UnitJson>,
}

#[derive(Deserialize)]
struct Versioned {
    schema_version: Option<serde_json::Value>,
}

impl UnitJson {
    pub(crate) fn into_data(self) -> UnitData {
        let mut rules: Vec<RuleOutcome> = self
            .rules
            .into_iter()
            .map(|r| RuleOutcome { rule: r.rule, status: r.status, severity: r.severity, title: r.title })
            .collect();
        rules.sort();
        UnitData {
            name: self.name,
            sector: self.sector,
            required: self.required,
            published: self.published,
            score: self.score,
            grade: self.grade,
            flags: self.flags,
            errors: self.errors,
            warnings: self.warnings,
            rules,
        }
    }
}

/// A problem with a file that was read: its kind and the words for it.
pub(crate) type Problem = (FindingKind, String);

/// Check the version, then parse. `what` names the file in messages.
fn parse<T: for<'de> Deserialize<'de>>(bytes: &[u8], what: &str) -> Result<T, Problem> {
    let malformed = |e: serde_json::Error| {
        (
            FindingKind::Malformed,
            format!(
                "{what} 不是 gongkai 生成的 JSON（第 {} 行第 {} 列读不下去）：请确认地址指向 gongkai build 生成的网站",
                e.line(),
                e.column()
            ),
        )
    };
    let v: Versioned = serde_json::from_slice(bytes).map_err(malformed)?;
    match v.schema_version {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(KNOWN_VERSION)) => {}
        Some(other) => {
            return Err((
                FindingKind::UnknownVersion,
                format!(
                    "{what} 的格式版本（schema_version）是 {other}，这个 gongkai 只认识 {KNOWN_VERSION}：请用与该网站相同或更新版本的 gongkai 汇总"
                ),
            ));
        }
        None => return Err((FindingKind::Malformed, format!("{what} 没有 schema_version：不是 gongkai 生成的文件"))),
    }
    serde_json::from_slice(bytes).map_err(malformed)
}

/// The units of a report (`check --format json`, `report.json`).
pub(crate) fn report(bytes: &[u8], what: &str) -> Result<Vec<UnitJson>, Problem> {
    parse::<ReportJson>(bytes, what).map(|r| r.units)
}

/// One unit's `data.json`.
pub(crate) fn data(bytes: &[u8], what: &str) -> Result<UnitJson, Problem> {
    parse(bytes, what)
}

/// A site folder, loaded and checked like `gongkai check`: its report's units.
pub(crate) fn site(root: &Path, today: Option<jiff::civil::Date>) -> Result<Vec<UnitJson>, String> {
    use crate::load::{LoadOptions, load_site};
    let site = load_site(root, &LoadOptions { today, ..Default::default() }).map_err(|e| e.to_string())?;
    let result = crate::check::check_site(&site);
    // each unit through the JSON shape of the report, one at a time: the same fields as a
    // published report.json, without making the whole report (a province's is 100 MB and more)
    result
        .units
        .iter()
        .map(|u| serde_json::to_value(u).and_then(serde_json::from_value))
        .collect::<Result<Vec<UnitJson>, _>>()
        .map_err(|e| format!("检查结果无法转换（{e}）"))
}

/// A file of a built folder.
pub(crate) fn file(path: &Path) -> Read {
    match std::fs::read(path) {
        Ok(bytes) => Read::Body(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Read::Absent(path.display().to_string()),
        Err(e) => Read::Failed(format!("无法读取 {}：{}", path.display(), crate::error::io_reason(&e))),
    }
}

/// The folders of a built site that hold a `data.json`: its units.
pub(crate) fn public_units(public: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(public) else { return Vec::new() };
    let mut slugs: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("data.json").is_file())
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .collect();
    slugs.sort();
    slugs
}

/// GET a path of a site, asking again (up to `retries` more times, a little later each time) when
/// the request failed; a 404 or an answer is final.
pub(crate) fn get(client: &Client, path: &str, retries: u32) -> Read {
    let mut got = client.get(path);
    for attempt in 1..=retries {
        if !matches!(got, Got::Failed(_)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(200 * u64::from(attempt)));
        got = client.get(path);
    }
    match got {
        Got::Body(bytes) => Read::Body(bytes),
        Got::NotFound => Read::Absent(client.url(path)),
        Got::Failed(why) => Read::Failed(format!("无法取回 {}：{why}", client.url(path))),
        Got::Stopped => {
            Read::Failed(format!("没有取回 {}：{}", client.url(path), client.stopped().unwrap_or_default()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_it_does_not_know_is_named() {
        let (kind, why) = data(br#"{"schema_version": 2, "required": 1, "published": 1}"#, "a/data.json").unwrap_err();
        assert_eq!(kind, FindingKind::UnknownVersion);
        assert!(why.contains("schema_version）是 2"), "{why}");
    }

    #[test]
    fn garbage_is_malformed() {
        let (kind, why) = data(b"<html>502 Bad Gateway</html>", "a/data.json").unwrap_err();
        assert_eq!(kind, FindingKind::Malformed);
        assert!(why.starts_with("a/data.json 不是 gongkai 生成的 JSON"), "{why}");
        let (kind, _) = data(br#"{"required": 1}"#, "a/data.json").unwrap_err();
        assert_eq!(kind, FindingKind::Malformed);
        let (kind, _) = data(br#"{"schema_version": 1, "name": "x"}"#, "a/data.json").unwrap_err();
        assert_eq!(kind, FindingKind::Malformed, "version 1 without the counts");
    }

    #[test]
    fn data_json_gives_the_counts() {
        let unit = data(
            br#"{"schema_version": 1, "slug": "a", "name": "a", "sector": "water", "required": 3, "published": 2, "flags": ["to-fix"], "score": 60, "grade": null, "documents": {}}"#,
            "a/data.json",
        )
        .unwrap()
        .into_data();
        assert_eq!((unit.required, unit.published, unit.score), (3, 2, Some(60)));
        assert_eq!(unit.flags, ["to-fix"]);
        assert!(unit.rules.is_empty());
    }
}
