//! For every rule of every built-in pack: delete that one item from a complete example unit and
//! `check` must fail with exactly one error, naming that rule, its citation, the file and the line.

mod common;

use common::Site;
use gongkai::load::packs_for;
use gongkai::pack::Rule;
use gongkai::schema::{DocSpec, Schema};

/// One item to delete from a unit.
#[derive(Debug)]
enum Deletion {
    /// A top-level key (of a YAML file or a Markdown front matter).
    Key(Vec<String>),
    /// A key inside the first entry of a top-level list.
    EntryKey { list: Vec<String>, key: Vec<String> },
    /// The Markdown body.
    Body,
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
        None => {
            each.iter().map(|k| if *k == "body" { Deletion::Body } else { Deletion::Key(names(spec, k)) }).collect()
        }
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
    let first_key = (start..end).find(|&i| !lines[i].trim().is_empty() && !lines[i].starts_with('#')).unwrap();
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
        Deletion::Body => {
            lines.truncate(end + 1);
            (lines.join("\n") + "\n", end as u32 + 2)
        }
    }
}

fn first_doc(site: &Site, unit: &str, spec: &DocSpec) -> String {
    if !spec.is_collection() {
        return format!("content/{unit}/{}", spec.file);
    }
    let dir = site.file(&format!("content/{unit}/{}", spec.file));
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    format!("content/{unit}/{}{}", spec.file, names[0])
}

fn run_table(unit: &str) {
    let (schema, packs): (Schema, _) = packs_for(std::path::Path::new(common::REPO)).unwrap();
    let mut checked = 0;
    for pack in &packs {
        for rule in &pack.rules {
            let spec = schema.doc(&rule.doc).unwrap();
            for d in deletions(rule, spec) {
                let site = Site::example();
                let file = first_doc(&site, unit, spec);
                let (text, line) = apply(&site.read(&file), &d);
                site.write(&file, &text);
                let result = site.check_unit(unit);
                let errors: Vec<_> =
                    result.findings.iter().filter(|f| f.severity == gongkai::finding::Severity::Error).collect();
                assert_eq!(
                    errors.len(),
                    1,
                    "{} {d:?}: expected one error, got {errors:#?}\n--- {file}\n{text}",
                    rule.id
                );
                let f = errors[0];
                assert_eq!(f.rule, &*rule.id, "{d:?}");
                assert_eq!(f.citation.as_deref(), Some(&*rule.citation));
                assert_eq!(f.file, file, "{}", rule.id);
                assert_eq!(f.line, Some(line), "{} {d:?}: {f:#?}\n{text}", rule.id);
                assert!(matches!(f.kind.as_str(), "missing" | "empty"), "{}: {:?}", rule.id, f.kind);
                let unit_result = &result.units[0];
                assert!(unit_result.score < 100, "{}: score stays 100", rule.id);
                checked += 1;
            }
        }
    }
    assert!(checked >= 38, "only {checked} deletions");
}

#[test]
fn deleting_any_item_names_exactly_that_item_chinese_keys() {
    run_table("qingyuan-water");
}

#[test]
fn deleting_any_item_names_exactly_that_item_english_keys() {
    run_table("renhe-hospital");
}

#[test]
fn example_portal_is_complete() {
    let site = Site::example();
    let result = site.check();
    assert_eq!(common::errors(&result), vec![]);
    assert_eq!(result.warnings(), 0, "{:#?}", result.findings);
    assert!(result.units.len() >= 3);
    assert!(result.units.iter().all(|u| u.score == 100));
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
    assert_eq!(result.units[0].score, 89);
}
