//! gongkai: a static-site generator and completeness checker for public institutions'
//! information-disclosure portals.
//!
//! The modules depend in one direction only (tests/layers.rs fails on an upward import and on
//! any import cycle), from the bottom:
//!
//! 1. values: `yaml`, `shape`, `status`, `input`; `finding`, `error`, `declaration`, `calendar`;
//!    `desk` (what the site and the request desk agree on: form fields, routes, the 评议 file);
//!    the content model `schema`; rule packs as data `pack`, the site configuration `config`;
//!    the pure scans and readers `privacy` (第六条 text scan) and `extract` (attachment text);
//!    `output` (atomic writes); `record` (the hash-chained publication record and 索引号).
//! 2. `model`: the loaded site, units and documents as plain data (with the text the 第六条
//!    review scans).
//! 3. `load`: reads the configuration, the packs and each unit's files into the model; it only
//!    reads (it never imports `check` or `privacy`).
//! 4. `check`: the packs applied to each unit, the 第六条 scan and the 第七条 review, scores.
//! 5. `report`: check results as human, JSON, JUnit, SARIF, Markdown, GitHub and GitLab output.
//! 6. `render`: typed views through the templates into files.
//! 7. `sheet`: spreadsheets in and out (the tables of a unit as rows; above `load`).
//! 8. `commands`, `serve`, `init`, `verify`, `fix`, `bureau` (a supervising bureau's `assess`):
//!    what the binary (`main.rs`) runs; the editors' JSON Schemas `editor_schema`, which `init`
//!    and the `schema` command write.

mod annual;
pub mod bureau;
pub mod calendar;
pub mod check;
pub mod commands;
mod config;
mod declaration;
pub mod desk;
pub mod editor_schema;
pub mod error;
mod evaluation;
mod extract;
pub mod finding;
pub mod fix;
pub mod init;
mod input;
pub mod load;
pub mod model;
mod output;
pub mod pack;
pub mod privacy;
pub mod record;
mod render;
pub mod report;
pub mod schema;
pub mod serve;
pub mod shape;
pub mod sheet;
mod status;
pub mod timing;
pub mod verify;
pub mod yaml;

/// The fuzz target's entry point: load and check a one-file unit made of arbitrary bytes, render
/// its Markdown and its JSON report, and run the 第六条 scans (rendered Markdown and plain text)
/// over the whole input. The first byte picks the document kind. Must never panic; a hit placed
/// outside the input is a bug and panics here so that the fuzzer reports it.
#[doc(hidden)]
pub fn fuzz_one(data: &[u8]) {
    use std::sync::LazyLock;
    static SETUP: LazyLock<(schema::Schema, Vec<pack::Pack>, check::Env)> = LazyLock::new(|| {
        let (schema, packs) = load::packs_for(std::path::Path::new("/nonexistent")).expect("built-in packs load");
        let today = jiff::civil::Date::new(2026, 11, 27).expect("a valid date");
        (schema, packs, check::Env { today, calendar: calendar::Calendar::builtin() })
    });
    let Some((&first, rest)) = data.split_first() else { return };
    let (schema, packs, env) = &*SETUP;
    let spec = &schema.documents[usize::from(first) % schema.documents.len()];
    let unit = load::unit_from_bytes(schema, spec, rest);
    let checked = check::check_unit(&unit, packs, schema, env);
    if let Some(body) = unit.docs.first().and_then(|d| d.body.as_ref()) {
        let _ = render::markdown::render(&body.text, body.line, &|_| None);
    }
    let text = String::from_utf8_lossy(rest);
    let mut hits = Vec::new();
    privacy::scan_markdown(&text, 1, "fuzz.md", &mut hits);
    privacy::scan_lines(&text, 1, "fuzz.txt", &mut hits);
    let lines = text.split('\n').count() as u32;
    for hit in &hits {
        let line = hit.pos.map_or(1, |p| p.line);
        assert!((1..=lines).contains(&line), "hit {hit:?} placed outside the {lines} lines of the input");
        let number = matches!(hit.rule, privacy::Rule::IdNumber | privacy::Rule::BankCard | privacy::Rule::Mobile);
        assert!(!number || !hit.rule.message(&hit.text).contains(&hit.text), "unmasked {hit:?}");
    }
    let result = check::CheckResult {
        units: vec![checked.result],
        findings: checked.findings,
        acknowledgements: checked.acknowledgements,
    };
    let cx = report::Context { root: std::path::Path::new("/nonexistent"), packs, color: false };
    let _ = report::render(report::Format::Json, &result, &cx);
    let _ = report::render(report::Format::Sarif, &result, &cx);
    fuzz_attachment(data);
}

/// The attachment reading and scan on arbitrary bytes: the first byte picks the file type. Must
/// never panic.
fn fuzz_attachment(data: &[u8]) {
    const NAMES: [&str; 12] =
        ["a.txt", "a.csv", "a.json", "a.xml", "a.md", "a.docx", "a.xlsx", "a.pptx", "a.odt", "a.ofd", "a.pdf", "a.svg"];
    let Some((&first, rest)) = data.split_first() else { return };
    let rel = format!("attachments/{}", NAMES[usize::from(first) % NAMES.len()]);
    let file = format!("content/fuzz/{rel}");
    let read = extract::read_bytes(rest, &rel, &file);
    let mut hits = Vec::new();
    check::scan_attachment(&model::AttachmentText { rel, file, parts: read.parts }, &mut hits);
}
