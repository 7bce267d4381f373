//! For every rule of every built-in pack: delete that one item from a complete example unit and
//! `check` must fail with exactly one finding, naming that rule, its citation, the file and the line.
//! Every unit of the example portal (and a university and an environmental-services fixture unit)
//! runs the table for the rules that apply to its sector; one test sees that together they
//! exercise every item rule of every built-in pack.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::Site;
use gongkai::check::{applicable, selected};
use gongkai::finding::Severity;
use gongkai::load::{LoadOptions, load_site, packs_for};
use gongkai::model::Doc;
use gongkai::pack::Rule;
use gongkai::schema::DocSpec;

/// One item to delete from a unit.
enum Deletion {
    /// A top-level key (of a YAML file or a Markdown front matter).
    Key(Vec<String>),
    /// A key inside the first entry of a top-level list.
    EntryKey { list: Vec<String>, key: Vec<String> },
    /// The Markdown body.
    Body,
    /// Whole documents (every one a `where` rule asks for).
    Documents(Vec<String>),
}

fn names(spec: &DocSpec, path: &str) -> Vec<String> {
    let f = spec.field(path).unwrap_or_else(|| panic!("{} has no {path}", spec.file));
    f.names().map(str::to_string).collect()
}

fn deletions(rule: &Rule, spec: &DocSpec) -> Vec<Deletion> {
    // timing rules have their own tests (tests/deadlines.rs)
    let Some(require) = rule.check.item() else { return Vec::new() };
    let each: Vec<&str> = require.each.iter().map(|(k, _)| k.as_str()).collect();
    match &rule.field {
        Some(f) if each.is_empty() => vec![Deletion::Key(names(spec, f))],
        Some(f) => each
            .iter()
            .map(|k| Deletion::EntryKey { list: names(spec, f), key: names(spec, &format!("{f}.{k}")) })
            .collect(),
        None => require
            .each
            .iter()
            .flat_map(|(k, sub)| match k.as_str() {
                "body" => vec![Deletion::Body],
                // a list that may be left out (`min: 0`): what is required is inside each entry
                _ if sub.min == 0 && !sub.each.is_empty() => sub
                    .each
                    .iter()
                    .map(|(s, _)| Deletion::EntryKey { list: names(spec, k), key: names(spec, &format!("{k}.{s}")) })
                    .collect(),
                _ => vec![Deletion::Key(names(spec, k))],
            })
            .collect(),
    }
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_key(content: &str, names: &[String]) -> bool {
    names.iter().any(|n| content.strip_prefix(n.as_str()).is_some_and(|r| r.starts_with(':')))
}

/// Apply a deletion to a file's text; returns the new text and the line (1-based) where the
/// finding must point.
fn apply(text: &str, d: &Deletion) -> (String, u32) {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    // the YAML region: the whole file, or the front matter of a Markdown file
    let (start, end) = if lines[0] == "---" {
        let close = lines.iter().skip(1).position(|l| l == "---").unwrap() + 1;
        (1, close)
    } else {
        (0, lines.len())
    };
    let remove_block = |lines: &mut Vec<String>, at: usize, key_indent: usize| {
        let mut stop = at + 1;
        while stop < lines.len()
            && (lines[stop].trim().is_empty()
                || indent(&lines[stop]) > key_indent
                || lines[stop].trim_start().starts_with("- ") && indent(&lines[stop]) == key_indent && key_indent == 0)
            && lines[stop] != "---"
        {
            stop += 1;
        }
        lines.drain(at..stop);
    };
    match d {
        Deletion::Key(names) => {
            let at = (start..end).find(|&i| indent(&lines[i]) == 0 && is_key(&lines[i], names)).expect("key present");
            remove_block(&mut lines, at, 0);
            // a missing top-level key is reported where the file's mapping starts
            let first_key = (start..).find(|&i| !lines[i].trim().is_empty() && !lines[i].starts_with('#')).unwrap();
            (lines.join("\n") + "\n", first_key as u32 + 1)
        }
        Deletion::EntryKey { list, key } => {
            let l = (start..end).find(|&i| indent(&lines[i]) == 0 && is_key(&lines[i], list)).expect("list present");
            let dash = (l + 1..end).find(|&i| lines[i].trim_start().starts_with("- ")).unwrap();
            let d = indent(&lines[dash]);
            let entry_end = (dash + 1..lines.len())
                .find(|&i| !lines[i].trim().is_empty() && indent(&lines[i]) <= d)
                .unwrap_or(lines.len());
            let on_dash = is_key(&lines[dash][d + 2..], key);
            if on_dash {
                // delete the first key: the next key of the entry takes the dash
                remove_block(&mut lines, dash, d + 2);
                let i = (dash..lines.len()).find(|&i| indent(&lines[i]) == d + 2).unwrap();
                let rest = lines[i][d + 2..].to_string();
                lines[i] = format!("{}- {rest}", " ".repeat(d));
                (lines.join("\n") + "\n", i as u32 + 1)
            } else {
                let at = (dash + 1..entry_end)
                    .find(|&i| indent(&lines[i]) == d + 2 && is_key(&lines[i][d + 2..], key))
                    .expect("entry key present");
                remove_block(&mut lines, at, d + 2);
                (lines.join("\n") + "\n", dash as u32 + 1)
            }
        }
        Deletion::Documents(_) => unreachable!("documents are removed, not edited"),
        Deletion::Body => {
            lines.truncate(end + 1);
            (lines.join("\n") + "\n", end as u32 + 2)
        }
    }
}

/// What deleting one item must produce.
#[derive(Debug)]
struct Case {
    rule: String,
    citation: String,
    /// Site-relative path of the file to change.
    file: String,
    deletion: Deletion,
}

impl std::fmt::Debug for Deletion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Deletion::Key(k) => write!(f, "delete {}", k[1]),
            Deletion::EntryKey { list, key } => write!(f, "delete {} of the first {}", key[1], list[1]),
            Deletion::Body => write!(f, "delete the body"),
            Deletion::Documents(docs) => write!(f, "delete {docs:?}"),
        }
    }
}

/// Every deletion to try on a unit: each required item of each rule that applies to it.
fn plan(site: &gongkai::model::Site, slug: &str) -> Vec<Case> {
    let dir = site.units.iter().find(|u| u.slug == slug).unwrap();
    let unit = site.load_unit(dir);
    let rules = applicable(&unit, &site.packs);
    // rules on a folder's documents that pick some of them with `where`
    let filtered: Vec<&Rule> = rules.iter().map(|(_, r)| *r).filter(|r| !r.filter.is_empty()).collect();
    let each = |r: &Rule| -> Vec<String> {
        r.check.item().map(|q| q.each.iter().map(|(k, _)| k.clone()).collect()).unwrap_or_default()
    };
    let mut cases = Vec::new();
    for (_, rule) in &rules {
        let Some(require) = rule.check.item() else { continue };
        let spec = site.schema.doc(rule.kind().unwrap()).unwrap();
        let case = |file: &str, deletion| Case {
            rule: rule.id.to_string(),
            citation: rule.cited.to_string(),
            file: file.to_string(),
            deletion,
        };
        if !spec.is_collection() {
            let file = format!("{}/{}", unit.dir, spec.file);
            cases.extend(deletions(rule, spec).into_iter().map(|d| case(&file, d)));
            continue;
        }
        let mut docs: Vec<&Doc> = unit.docs_of(&spec.kind).collect();
        docs.sort_by(|a, b| a.path.cmp(&b.path));
        if rule.filter.is_empty() {
            // a document no `where` rule asking for the same sub-fields picks, so that deleting
            // from it fails only this rule
            let mine = each(rule);
            let overlaps = |f: &Rule| f.kind() == rule.kind() && each(f).iter().any(|k| mine.contains(k));
            let doc = docs.iter().find(|d| !filtered.iter().any(|f| overlaps(f) && selected(d, &f.filter)));
            let doc = doc.unwrap_or_else(|| panic!("{slug}: every {} document is of a special kind", spec.file));
            cases.extend(deletions(rule, spec).into_iter().map(|d| case(&doc.path, d)));
            continue;
        }
        let picked: Vec<&&Doc> = docs.iter().filter(|d| selected(d, &rule.filter)).collect();
        if require.min > 0 {
            let folder = format!("{}/{}", unit.dir, spec.file);
            cases.push(case(&folder, Deletion::Documents(picked.iter().map(|d| d.path.clone()).collect())));
        }
        // sub-fields every document of the folder needs are the general rule's business
        let general: Vec<&str> = rules
            .iter()
            .filter(|(_, r)| r.kind() == rule.kind() && r.filter.is_empty())
            .filter_map(|(_, r)| r.check.item())
            .flat_map(|q| q.each.iter().map(|(k, _)| k.as_str()))
            .collect();
        if let Some(doc) = picked.first() {
            cases.extend(
                deletions(rule, spec)
                    .into_iter()
                    .filter(|d| match d {
                        Deletion::Key(names) => !general.contains(&names[0].as_str()),
                        Deletion::Body => !general.contains(&"body"),
                        _ => true,
                    })
                    .map(|d| case(&doc.path, d)),
            );
        }
    }
    cases
}

/// The example portal plus the fixture units of sectors it has no unit for.
fn portal() -> Site {
    Site::example_with("sector_units")
}

fn run_table(slug: &str) -> usize {
    run_table_on(portal, slug)
}

fn run_table_on(portal: fn() -> Site, slug: &str) -> usize {
    let planned = {
        let site = portal();
        let loaded = load_site(site.path(), &LoadOptions::default()).unwrap();
        plan(&loaded, slug)
    };
    for case in &planned {
        let site = portal();
        let (expected_file, line, text) = match &case.deletion {
            Deletion::Documents(docs) => {
                assert!(!docs.is_empty(), "{case:?}");
                docs.iter().for_each(|d| site.remove(d));
                (case.file.clone(), None, String::new())
            }
            d => {
                let (text, line) = apply(&site.read(&case.file), d);
                site.write(&case.file, &text);
                (case.file.clone(), Some(line), text)
            }
        };
        let result = site.check_unit(slug);
        // with the documents gone, a deadline for them (`cadence`) also has none to look at
        let removed = matches!(case.deletion, Deletion::Documents(_));
        let findings: Vec<_> = result.findings.iter().filter(|f| !(removed && f.kind.as_str() == "late")).collect();

        assert_eq!(findings.len(), 1, "{case:?}: expected one finding, got {:#?}\n{text}", result.findings);
        let f = findings[0];

        assert_eq!(f.rule, case.rule, "{case:?}");
        assert_eq!(f.citation.as_deref(), Some(case.citation.as_str()), "{case:?}");
        assert_eq!(f.file, expected_file, "{case:?}");
        assert_eq!(f.line, line, "{case:?}: {f:#?}\n{text}");
        assert!(matches!(f.kind.as_str(), "missing" | "empty"), "{case:?}: {:?}", f.kind);
        if f.severity == Severity::Error {
            assert!(result.units[0].completeness.score < 100, "{case:?}: score stays 100");
        } else {
            // a warning is an unverified rule or a pack's reminder, and says so
            assert!(
                f.message.contains("尚未核实") || f.message.ends_with("（提醒，不计入完整度）"),
                "{case:?}: {}",
                f.message
            );
        }
    }
    eprintln!("{slug}: {} deletions", planned.len());
    planned.len()
}

const UNITS: [&str; 7] = [
    "jinding-school",
    "qingyuan-water",
    "renhe-hospital",
    "tongcheng-power",
    "yincheng-bus",
    "yinguang-college",
    "yinxi-sewage",
];

#[test]
fn every_item_rule_of_every_builtin_pack_is_exercised_by_some_unit() {
    let site = portal();
    let loaded = load_site(site.path(), &LoadOptions::default()).unwrap();
    let covered: BTreeSet<String> = UNITS.iter().flat_map(|u| plan(&loaded, u)).map(|c| c.rule).collect();
    let (_, builtin) = packs_for(Path::new("/nonexistent")).unwrap();
    let mut uncovered = Vec::new();
    for pack in &builtin {
        let items: Vec<&Rule> = pack.rules.iter().filter(|r| r.check.item().is_some()).collect();
        assert!(!items.is_empty() || pack.id == "ogi-2019", "{} has no item rules", pack.id);
        uncovered.extend(items.iter().filter(|r| !covered.contains(&*r.id)).map(|r| r.id.to_string()));
    }
    assert_eq!(uncovered, Vec::<String>::new(), "item rules no example unit can test");
}

#[test]
fn table_jinding_school() {
    assert!(run_table("jinding-school") >= 38);
}

#[test]
fn table_qingyuan_water_chinese_keys() {
    assert!(run_table("qingyuan-water") >= 38);
}

#[test]
fn table_renhe_hospital_english_keys() {
    assert!(run_table("renhe-hospital") >= 38);
}

#[test]
fn table_tongcheng_power() {
    assert!(run_table("tongcheng-power") >= 38);
}

#[test]
fn table_yincheng_bus() {
    assert!(run_table("yincheng-bus") >= 38);
}

#[test]
fn table_university() {
    assert!(run_table("yinguang-college") >= 38);
}

#[test]
fn table_environment() {
    assert!(run_table("yinxi-sewage") >= 38);
}

/// The Hebei measure, from the site's own rules/ folder, goes through the same table.
#[test]
fn table_hebei_pack_from_the_site_rules_folder() {
    let n = run_table_on(|| Site::fixture("hebei_pack"), "shili-museum");
    // 第五条 (一)-(四): 13 rules naming 27 elements
    assert_eq!(n, 27);
}

#[test]
fn example_portal_is_complete() {
    let site = Site::example();
    let result = site.check();
    assert_eq!(common::errors(&result), vec![]);
    assert_eq!(result.warnings(), 0, "{:#?}", result.findings);
    assert!(result.units.len() >= 3);
    assert!(result.units.iter().all(|u| u.completeness.score == 100));
}

#[test]
fn a_missing_file_fails_every_rule_on_it() {
    let site = Site::example();
    site.remove("content/qingyuan-water/fees.yaml");
    let result = site.check_unit("qingyuan-water");
    let rules = common::errors(&result);

    assert_eq!(
        rules,
        ["fee-basis", "fee-items", "fee-standard"]
            .iter()
            .map(|r| (format!("baiyin-2021/{r}"), "missing", "content/qingyuan-water/fees.yaml".to_string(), None))
            .collect::<Vec<_>>()
    );
    assert_eq!(result.units[0].completeness.score, 89);
}
