//! A site of deliberately wrong units, one per mistake gongkai must catch (the verdicts issue):
//! each gives exactly the findings its expectation names, and what must be withheld appears
//! nowhere in the built site.
//!
//! Layout: `tests/fixtures/wrong_units/<unit>.yaml` is the expectation; `<unit>/` holds only the
//! files that differ from its base, a unit of the example portal (`base`, default
//! `qingyuan-water`), which is copied first. `remove` lists base files to delete.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::{Site, copy_dir};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// Which point of the issue the unit shows (documentation).
    point: u32,
    #[serde(default)]
    base: Option<String>,
    #[serde(default)]
    remove: Vec<String>,
    /// Every finding of the unit, exactly.
    #[serde(default)]
    findings: Vec<Want>,
    /// Text that must appear nowhere the unit is published: its own folder under public/ and the
    /// portal's files (home page, feeds, sitemaps), not other units' folders.
    #[serde(default)]
    absent: Vec<String>,
    /// Text that must appear in the unit's published pages.
    #[serde(default)]
    present: Vec<String>,
    /// The unit's completeness in the JSON report.
    #[serde(default)]
    verdict: Option<Verdict>,
}

/// What the JSON report says of a unit's completeness (every field optional).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Verdict {
    /// `published/required`, e.g. `35/38`.
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    score: Option<u64>,
    #[serde(default)]
    grade: Option<String>,
    /// Whether the grade is capped below the score's band.
    #[serde(default)]
    capped: Option<bool>,
    #[serde(default)]
    flags: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Want {
    severity: String,
    rule: String,
    /// Relative to the unit folder.
    file: String,
    #[serde(default)]
    line: Option<u64>,
    /// Words the message must contain.
    #[serde(default)]
    message: Option<String>,
    /// Words the help must contain.
    #[serde(default)]
    help: Option<String>,
}

fn fixture() -> std::path::PathBuf {
    Path::new(common::REPO).join("tests/fixtures/wrong_units")
}

/// The site: every wrong unit laid over its base.
fn wrong_site() -> (Site, BTreeMap<String, Expect>) {
    let site = Site::empty();
    fs::copy(Path::new(common::REPO).join("gongkai.yaml"), site.file("gongkai.yaml")).unwrap();
    let mut expects = BTreeMap::new();
    for entry in fs::read_dir(fixture()).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path.file_name().unwrap().to_str().unwrap().strip_suffix(".yaml") else { continue };
        let expect: Expect = serde_saphyr::from_str(&fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let unit = site.file(&format!("content/{name}"));
        let base = expect.base.as_deref().unwrap_or("qingyuan-water");
        copy_dir(&Path::new(common::REPO).join("content").join(base), &unit);
        if fixture().join(name).is_dir() {
            copy_dir(&fixture().join(name), &unit);
        }
        // each wrong unit is a unit of its own: its 统一社会信用代码 (its base's, or its fixture's)
        // is made unique, line for line, since a code shared by two units is a finding of its own
        // (tests/record.rs), not what these units are about
        let yaml = unit.join("unit.yaml");
        if let Ok(text) = fs::read_to_string(&yaml) {
            let n = expects.len();
            let unique: String = text
                .lines()
                .map(|l| match l.starts_with("统一社会信用代码:") {
                    true => format!("统一社会信用代码: 91620400TEST{n:06}\n"),
                    false => format!("{l}\n"),
                })
                .collect();
            fs::write(&yaml, unique).unwrap();
        }
        for r in &expect.remove {
            let p = unit.join(r);
            if p.is_dir() { fs::remove_dir_all(p).unwrap() } else { fs::remove_file(p).unwrap() }
        }
        expects.insert(name.to_string(), expect);
    }
    (site, expects)
}

#[test]
fn every_wrong_unit_gives_exactly_its_findings_and_publishes_nothing_withheld() {
    let (site, expects) = wrong_site();
    assert!(!expects.is_empty());
    let out = site.run(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr));
    let findings = json["findings"].as_array().unwrap();
    let mut failures = Vec::new();
    for (unit, expect) in &expects {
        let prefix = format!("content/{unit}/");
        let mut got: Vec<(String, String, String, Option<u64>, String, String)> = findings
            .iter()
            .filter(|f| f["unit"] == unit.as_str())
            .map(|f| {
                let file = f["file"].as_str().unwrap();
                (
                    f["severity"].as_str().unwrap().to_string(),
                    f["rule"].as_str().unwrap().to_string(),
                    file.strip_prefix(&prefix).unwrap_or(file).to_string(),
                    f["line"].as_u64(),
                    f["message"].as_str().unwrap().to_string(),
                    f["help"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        got.sort();
        let mut want: Vec<&Want> = expect.findings.iter().collect();
        want.sort_by(|a, b| (&a.severity, &a.rule, &a.file, a.line).cmp(&(&b.severity, &b.rule, &b.file, b.line)));
        let matches = got.len() == want.len()
            && got.iter().zip(&want).all(|(g, w)| {
                g.0 == w.severity
                    && g.1 == w.rule
                    && g.2 == w.file
                    && w.line.is_none_or(|l| g.3 == Some(l))
                    && w.message.as_deref().is_none_or(|m| g.4.contains(m))
                    && w.help.as_deref().is_none_or(|h| g.5.contains(h))
            });
        if !matches {
            failures.push(format!("== {unit} (point {}): expected {want:#?}\ngot {got:#?}", expect.point));
        }
        if let Some(v) = &expect.verdict {
            let u = json["units"].as_array().unwrap().iter().find(|u| u["slug"] == unit.as_str()).unwrap();
            let got = Verdict {
                published: Some(format!("{}/{}", u["published"], u["required"])),
                score: u["score"].as_u64(),
                grade: u["grade"].as_str().map(str::to_string),
                capped: Some(!u["grade_capped"].is_null()),
                flags: Some(u["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect()),
            };
            let ok = v.published.as_ref().is_none_or(|p| got.published.as_ref() == Some(p))
                && v.score.is_none_or(|s| got.score == Some(s))
                && v.grade.as_ref().is_none_or(|g| got.grade.as_ref() == Some(g))
                && v.capped.is_none_or(|c| got.capped == Some(c))
                && v.flags.as_ref().is_none_or(|f| got.flags.as_ref() == Some(f));
            if !ok {
                failures.push(format!("== {unit} (point {}): expected {v:?}\ngot {got:?}", expect.point));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));

    let out = site.run(&["build", "--quiet"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let read_all = |dir: &Path, depth: usize| {
        let mut text = String::new();
        for e in walkdir::WalkDir::new(dir).max_depth(depth).into_iter().map(|e| e.unwrap()) {
            if e.file_type().is_file() {
                text.push_str(&String::from_utf8_lossy(&fs::read(e.path()).unwrap()));
                text.push('\n');
            }
        }
        text
    };
    let portal = read_all(&site.file("public"), 1) + &read_all(&site.file("public/static"), 9);
    for (unit, expect) in &expects {
        let own = read_all(&site.file(&format!("public/{unit}")), 9);
        for text in &expect.absent {
            assert!(!own.contains(text.as_str()), "{unit}: 「{text}」 was published on its pages");
            assert!(!portal.contains(text.as_str()), "{unit}: 「{text}」 was published on the portal's pages");
        }
        let mut pages = String::new();
        for e in walkdir::WalkDir::new(site.file(&format!("public/{unit}"))).into_iter().map(|e| e.unwrap()) {
            if e.file_type().is_file() {
                pages.push_str(&String::from_utf8_lossy(&fs::read(e.path()).unwrap()));
            }
        }
        for text in &expect.present {
            assert!(pages.contains(text.as_str()), "{unit}: 「{text}」 is not on its pages");
        }
    }
}
