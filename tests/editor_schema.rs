//! The editors' JSON Schemas (`gongkai schema`) agree with `check`: over the example portal and
//! every fixture laid over it (tests/fixtures/*, and each case of tests/fixtures/bad_input/), a
//! content file `check` reads without a syntax, shape or unknown-key finding validates against
//! its schema, and a file with an unknown key, a value of the wrong type or a word outside a
//! closed set fails. Validation is by the `jsonschema` crate here; .ci/run validates the example
//! with ajv as well, an independent implementation.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::{REPO, Site};
use gongkai::editor_schema;
use gongkai::finding::Kind;
use serde_json::Value;

/// A shape error: what a schema can see (a value's type, a closed set, an unknown key).
fn is_shape_error(kind: Kind, message: &str) -> bool {
    kind == Kind::UnknownField
        || (kind == Kind::Invalid
            && ["应为", "不认识的行业", "不认识的状态", "只能写 true 或 false"].iter().any(|w| message.contains(w)))
}

/// The YAML of a content file as JSON: the whole file, or a Markdown document's front matter.
fn yaml_of(text: &str, markdown: bool) -> Option<Value> {
    let text = text.trim_start_matches('\u{feff}');
    let yaml = if markdown {
        let mut lines = text.split_inclusive('\n');
        if lines.next()?.trim_end() != "---" {
            return None;
        }
        lines.take_while(|l| !matches!(l.trim_end(), "---" | "...")).collect::<String>()
    } else {
        text.to_string()
    };
    let value: Value = serde_saphyr::from_str(&yaml).ok()?;
    Some(value)
}

struct Verdicts {
    validated: usize,
    refused: usize,
    wrong: Vec<String>,
}

/// Load and check the site at `root`, then hold each of its content files against its schema.
fn hold(root: &Path, name: &str, v: &mut Verdicts) {
    let Ok(site) = gongkai::load::load_site(root, &gongkai::load::LoadOptions::default()) else { return };
    let result = gongkai::check::check_site(&site);
    let (schema, packs) = gongkai::load::packs_for(root).unwrap();
    let validators: BTreeMap<String, jsonschema::Validator> = editor_schema::files(&schema, &packs)
        .into_iter()
        .map(|(n, text)| (n, jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()))
        .collect();
    let mut findings: BTreeMap<&str, Vec<(Kind, &str)>> = BTreeMap::new();
    for f in &result.findings {
        findings.entry(f.file.as_str()).or_default().push((f.kind, f.message.as_str()));
    }
    for entry in walkdir::WalkDir::new(root.join("content")).min_depth(2).max_depth(3).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        let inside = rel.splitn(3, '/').nth(2).unwrap_or_default();
        let Some(spec) = schema.doc_for_path(inside) else { continue };
        let Some(text) = fs::read(entry.path()).ok().and_then(|b| String::from_utf8(b).ok()) else { continue };
        let mine = findings.get(rel.as_str()).map(Vec::as_slice).unwrap_or_default();
        if mine.iter().any(|(k, _)| *k == Kind::Syntax) {
            continue;
        }
        let Some(value) = yaml_of(&text, spec.has_pages()) else { continue };
        let valid = validators[&editor_schema::file_name(spec)].is_valid(&value);
        let shape_error = mine.iter().any(|(k, m)| is_shape_error(*k, m));
        let clean = !mine.iter().any(|(k, _)| matches!(k, Kind::Invalid | Kind::UnknownField));
        if shape_error && valid {
            v.wrong.push(format!("{name}: {rel} validates, but check says {mine:?}"));
        } else if clean && !valid {
            let errors: Vec<String> = validators[&editor_schema::file_name(spec)]
                .iter_errors(&value)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            v.wrong.push(format!("{name}: {rel} is accepted by check but not by its schema: {errors:?}"));
        } else if valid {
            v.validated += 1;
        } else {
            v.refused += 1;
        }
    }
    if root.join("gongkai.yaml").is_file() {
        let value: Value = serde_saphyr::from_str(&fs::read_to_string(root.join("gongkai.yaml")).unwrap()).unwrap();
        if !validators[editor_schema::CONFIG_FILE].is_valid(&value) {
            v.wrong.push(format!("{name}: gongkai.yaml is read by gongkai but not by its schema"));
        }
    }
    for entry in fs::read_dir(root.join("rules")).into_iter().flatten() {
        let path = entry.unwrap().path();
        let value: Value = serde_saphyr::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        if !validators[editor_schema::PACK_FILE].is_valid(&value) {
            v.wrong.push(format!("{name}: {} is a usable pack but fails its schema", path.display()));
        }
    }
}

#[test]
fn the_schemas_accept_what_check_accepts_and_refuse_shape_errors() {
    let mut v = Verdicts { validated: 0, refused: 0, wrong: Vec::new() };
    let example = Site::example();
    hold(example.path(), "example", &mut v);
    let example_files = v.validated;
    assert!(example_files >= 50, "only {example_files} files of the example validated");

    let fixtures = Path::new(REPO).join("tests/fixtures");
    let mut names: Vec<String> =
        fs::read_dir(&fixtures).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    for name in names.iter().filter(|n| *n != "bad_input") {
        let site = if name == "hebei_pack" { Site::fixture(name) } else { Site::example_with(name) };
        hold(site.path(), name, &mut v);
    }
    let mut cases: Vec<String> = fs::read_dir(fixtures.join("bad_input"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    cases.sort();
    for case in &cases {
        let dir = fixtures.join("bad_input").join(case);
        let site = Site::example();
        for entry in walkdir::WalkDir::new(&dir).min_depth(1) {
            let entry = entry.unwrap();
            let rel = entry.path().strip_prefix(&dir).unwrap();
            if entry.file_type().is_file() && rel != Path::new("expect.yaml") {
                fs::create_dir_all(site.file(rel.to_str().unwrap()).parent().unwrap()).unwrap();
                fs::copy(entry.path(), site.file(rel.to_str().unwrap())).unwrap();
            }
        }
        hold(site.path(), &format!("bad_input/{case}"), &mut v);
    }
    assert!(v.wrong.is_empty(), "{} disagreements:\n{}", v.wrong.len(), v.wrong.join("\n"));
    // the shape-error fixtures were there to be refused
    assert!(v.refused >= 10, "only {} files refused", v.refused);
}

#[test]
fn gongkai_schema_writes_the_files_and_replaces_only_its_own() {
    let site = Site::example();
    let out = site.run(&["schema"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let dir = site.file(editor_schema::DIR);
    let names: Vec<String> = {
        let mut n: Vec<String> =
            fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        n.sort();
        n
    };
    assert!(
        names.contains(&"unit.schema.json".to_string()) && names.contains(&"gongkai.schema.json".to_string()),
        "{names:?}"
    );
    let first = common::tree(&dir);
    let again = site.run(&["schema"]);
    assert!(again.stdout.contains("都已是最新"), "{}", again.stdout);
    assert_eq!(common::tree(&dir), first, "deterministic");

    // a file gongkai did not write is never replaced
    site.write(&format!("{}/fees.schema.json", editor_schema::DIR), "{\"mine\": true}");
    let refused = site.run(&["schema"]);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(refused.stderr.contains("不是 gongkai 生成的文件"), "{}", refused.stderr);
    assert_eq!(site.read(&format!("{}/fees.schema.json", editor_schema::DIR)), "{\"mine\": true}");

    // nor into a unit folder, where it would be published
    let inside = site.run(&["schema", "--out", "content/qingyuan-water/schema"]);
    assert_eq!(inside.code, 2, "{}", inside.stdout);
    assert!(!site.file("content/qingyuan-water/schema").exists());

    let elsewhere = site.run(&["schema", "-o", "editor"]);
    assert_eq!(elsewhere.code, 0, "{}", elsewhere.stderr);
    assert!(site.file("editor/pack.schema.json").is_file());
}

/// `init` points each YAML file it writes at its schema, with a path that resolves.
#[test]
fn init_writes_modelines_that_resolve() {
    let dir = Site::empty();
    let out = common::run_in(dir.path(), &["init", "portal", "--sector", "hospital"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let site = dir.path().join("portal");
    let mut yaml = 0;
    for entry in walkdir::WalkDir::new(&site) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = fs::read_to_string(path).unwrap();
        let first = text.lines().next().unwrap();
        let target = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{}: {first}", path.display()));
        assert!(path.parent().unwrap().join(target).is_file(), "{}: {target} does not resolve", path.display());
        yaml += 1;
    }
    assert!(yaml >= 5, "{yaml}");
    let settings: Value =
        serde_json::from_str(&fs::read_to_string(site.join(".vscode/settings.json")).unwrap()).unwrap();
    for schema in settings["yaml.schemas"].as_object().unwrap().keys() {
        assert!(site.join(schema).is_file(), "{schema}");
    }
}
