//! Reading what one source publishes: a site folder (loaded and checked as `check` does), a built
//! `public/` folder, or a live site over HTTP (through `verify`'s bounded client, with retries).
//! Each gives the same thing: the site's report when there is one, and each unit's `data.json`.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::snapshot::{Evaluation, FindingKind, Requests, RuleOutcome, UnitData};
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
    /// `data.json`'s 年度报告 figures (absent from reports).
    #[serde(default)]
    pub(crate) annual_reports: Option<Vec<AnnualJson>>,
    /// `data.json`'s 社会评议 results, when the site publishes them (absent: not known).
    #[serde(default)]
    pub(crate) evaluations: Option<Vec<serde_json::Value>>,
}

/// One 年度报告 of a `data.json`: its year and request figures (`null`: no data file).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AnnualJson {
    year: i16,
    #[serde(default)]
    requests: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A finding of a report, for the privacy hits it names (《信息公开办法》第六条).
#[derive(Debug, Clone, Deserialize)]
struct FindingJson {
    #[serde(default)]
    unit: Option<String>,
    rule: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    severity: String,
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
    #[serde(default)]
    findings: Vec<FindingJson>,
}

/// The privacy hits of `findings` (rule `privacy/…`) added to their units' rule outcomes as
/// failed rules, so that the history dates them like any other item.
fn add_privacy(units: &mut [UnitJson], findings: &[FindingJson]) {
    for f in findings.iter().filter(|f| f.rule.starts_with("privacy/")) {
        let Some(unit) = units.iter_mut().find(|u| Some(&u.slug) == f.unit.as_ref()) else { continue };
        if unit.rules.iter().any(|r| r.rule == f.rule) {
            continue;
        }
        let title = if f.title.is_empty() { f.rule.clone() } else { f.title.clone() };
        unit.rules.push(RuleJson {
            rule: f.rule.clone(),
            status: "failed".into(),
            severity: f.severity.clone(),
            title,
        });
    }
}

/// The request figures of a unit's 年度报告 of `year`, else of the latest year before it.
fn requests_of(annual: &[AnnualJson], year: i16) -> Option<Requests> {
    let a = annual.iter().filter(|a| a.year <= year && a.requests.is_some()).max_by_key(|a| a.year)?;
    let m = a.requests.as_ref()?;
    let n = |k: &str| m.get(k).and_then(serde_json::Value::as_u64).and_then(|v| u32::try_from(v).ok());
    Some(Requests {
        year: a.year,
        received: n("received"),
        carried_over: n("carried_over"),
        not_handled: n("not_handled"),
        carried_forward: n("carried_forward"),
        balanced: m.get("balanced").and_then(serde_json::Value::as_bool),
    })
}

/// The 综合满意度 (0–100) of each published 社会评议: its `score`, else its 等次 as the desk's
/// points (满意 100, 基本满意 60, 不满意 0).
/// The 社会评议 campaigns of a unit's open data (`evaluations` of `data.json`, README "社会评议结果")
/// that ended in the 考核年度 `year`: the 综合满意度 the site computed (`score_tenths`, in tenths
/// of a point) and its 等次. A campaign the site found unsound (`sound: false`: its file has
/// errors) gives no score. A campaign without a date is kept (an older or hand-made file).
fn evaluation_scores(list: &[serde_json::Value], year: i16) -> Vec<Evaluation> {
    list.iter()
        .filter(|e| e.get("sound").and_then(serde_json::Value::as_bool) != Some(false))
        .filter(|e| {
            let to = e.get("to").and_then(serde_json::Value::as_str);
            to.and_then(|d| d.get(..4)).and_then(|y| y.parse::<i16>().ok()).is_none_or(|y| y == year)
        })
        .map(|e| {
            let text = |k: &str| e.get(k).and_then(serde_json::Value::as_str).map(str::to_string);
            let grade = text("grade").or_else(|| text("等次"));
            let tenths = e.get("score_tenths").and_then(serde_json::Value::as_u64).map(|t| t as f64 / 10.0);
            let score =
                tenths.or_else(|| e.get("score").and_then(serde_json::Value::as_f64)).or(match grade.as_deref() {
                    Some("满意") => Some(100.0),
                    Some("基本满意") => Some(60.0),
                    Some("不满意") => Some(0.0),
                    _ => None,
                });
            Evaluation { name: text("name").or_else(|| text("名称")).unwrap_or_default(), grade, score }
        })
        .collect()
}

#[derive(Deserialize)]
struct Versioned {
    schema_version: Option<serde_json::Value>,
}

impl UnitJson {
    /// Take the figures only `data.json` has (年度报告, 社会评议) from `data` when this entry (from
    /// a report) lacks them.
    pub(crate) fn with_open_data(mut self, data: UnitJson) -> UnitJson {
        self.annual_reports = self.annual_reports.or(data.annual_reports);
        self.evaluations = self.evaluations.or(data.evaluations);
        self
    }

    pub(crate) fn into_data(self, year: i16) -> UnitData {
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
            requests: self.annual_reports.as_deref().and_then(|a| requests_of(a, year)),
            evaluations: self.evaluations.as_deref().map(|e| evaluation_scores(e, year)),
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
    parse::<ReportJson>(bytes, what).map(|mut r| {
        add_privacy(&mut r.units, &r.findings);
        r.units
    })
}

/// One unit's `data.json`.
pub(crate) fn data(bytes: &[u8], what: &str) -> Result<UnitJson, Problem> {
    parse(bytes, what)
}

/// A site folder, loaded and checked like `gongkai check`: its report's units.
pub(crate) fn site(root: &Path, today: Option<jiff::civil::Date>) -> Result<Vec<UnitJson>, String> {
    use crate::load::{LoadOptions, load_site};
    let options = LoadOptions { today, record: crate::load::RecordUse::Numbers, ..Default::default() };
    let site = load_site(root, &options).map_err(|e| e.to_string())?;
    let result = crate::check::check_site(&site);
    // each unit through the JSON shape of the report, one at a time: the same fields as a
    // published report.json, without making the whole report (a province's is 100 MB and more)
    let mut units = result
        .units
        .iter()
        .map(|u| serde_json::to_value(u).and_then(serde_json::from_value))
        .collect::<Result<Vec<UnitJson>, _>>()
        .map_err(|e| format!("检查结果无法转换（{e}）"))?;
    let findings: Vec<FindingJson> = result
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("privacy/"))
        .map(|f| FindingJson {
            unit: f.unit.clone(),
            rule: f.rule.clone(),
            title: f.title.clone(),
            severity: f.severity.as_str().to_string(),
        })
        .collect();
    add_privacy(&mut units, &findings);
    // the 年度报告 request figures, as `build` publishes them in data.json
    for u in &mut units {
        let Some(dir) = site.units.iter().find(|x| x.slug == u.slug) else { continue };
        // loaded a second time (the check does not keep units): only for a unit with reports
        if !dir.path.join("reports").is_dir() {
            continue;
        }
        let unit = &site.load_unit(dir);
        let annual = unit
            .docs_of("reports")
            .filter_map(crate::annual::year_of)
            .map(|year| AnnualJson {
                year,
                requests: crate::annual::requests(unit, year).map(|r| {
                    let mut m: serde_json::Map<String, serde_json::Value> =
                        crate::annual::figures().map(|(k, _)| (k.to_string(), r.count(k).into())).collect();
                    m.insert("balanced".into(), r.balance().map(|(came, went)| came == went).into());
                    m
                }),
            })
            .collect();
        u.annual_reports = Some(annual);
    }
    Ok(units)
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
    fn evaluations_give_the_sites_score_of_the_years_sound_campaigns() {
        let list: Vec<serde_json::Value> = serde_json::from_str(
            r#"[{"name": "2026年度", "to": "2026-10-31", "grade": "基本满意", "score_tenths": 786, "sound": true},
                {"name": "有错", "to": "2026-11-30", "grade": null, "score_tenths": null, "sound": false},
                {"name": "去年", "to": "2025-10-31", "grade": "满意", "score_tenths": 900, "sound": true},
                {"name": "手写", "grade": "满意"}]"#,
        )
        .unwrap();
        let got = evaluation_scores(&list, 2026);
        let names: Vec<_> = got.iter().map(|e| (e.name.as_str(), e.score)).collect();
        assert_eq!(names, [("2026年度", Some(78.6)), ("手写", Some(100.0))]);
    }

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
        .into_data(2026);
        assert_eq!((unit.required, unit.published, unit.score), (3, 2, Some(60)));
        assert_eq!(unit.flags, ["to-fix"]);
        assert!(unit.rules.is_empty());
    }
}
