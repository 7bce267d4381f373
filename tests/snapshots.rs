//! Snapshots of what users see, pinned with `insta` (files under tests/snapshots/): the `<main>` of
//! every page kind of one example unit (银城公交, the unit with the most page kinds) and of the portal's
//! index and 404 page; the human, Markdown and GitHub reports of a site with planted findings
//! (tests/fixtures/snapshot_findings/); the `init` scaffold of two sectors.
//!
//! Everything runs through the `gongkai` binary, so the snapshots survive any change inside src/, and
//! a fixed `--today` keeps them independent of the calendar. A snapshot that changes on purpose is
//! reviewed with `cargo insta review`, or regenerated with
//! `INSTA_UPDATE=always cargo test --test snapshots` and read with `git diff` (see the README).

mod common;

use std::path::Path;
use std::process::Command;

use common::Site;
use scraper::{ElementRef, Html, Node, Selector};

/// The date every deadline is judged on.
const TODAY: &str = "2026-11-30";

/// The example unit whose pages are pinned, and one page of each kind (a withdrawn notice too: it
/// carries a banner of its own).
const UNIT: &str = "yincheng-bus";
const PAGES: &[(&str, &str)] = &[
    ("portal_index", "index.html"),
    ("portal_404", "404.html"),
    ("portal_accessibility", "accessibility.html"),
    ("portal_latest", "latest.html"),
    ("portal_sitemap", "sitemap.html"),
    ("portal_catalog", "catalog.html"),
    ("portal_search", "search.html"),
    ("unit_index", "yincheng-bus/index.html"),
    ("unit_guide", "yincheng-bus/guide.html"),
    ("unit_catalog", "yincheng-bus/catalog.html"),
    ("unit_services", "yincheng-bus/services.html"),
    ("unit_service", "yincheng-bus/services/老年卡办理.html"),
    ("unit_fees", "yincheng-bus/fees.html"),
    ("unit_commitments", "yincheng-bus/commitments.html"),
    ("unit_notices", "yincheng-bus/notices.html"),
    ("unit_notice", "yincheng-bus/notices/2026-票价实施.html"),
    ("unit_notice_withdrawn", "yincheng-bus/notices/2026-撤销的线路调整.html"),
    ("unit_supervision", "yincheng-bus/supervision.html"),
    ("unit_request", "yincheng-bus/request.html"),
    ("unit_request_form", "yincheng-bus/request-form.html"),
    ("unit_attachment", "yincheng-bus/attachments/老年卡申请表.html"),
    ("unit_policies", "yincheng-bus/policies.html"),
    ("unit_policy", "yincheng-bus/policies/保密审查制度.html"),
    ("unit_reports", "yincheng-bus/reports.html"),
    ("unit_report", "yincheng-bus/reports/2025.html"),
    ("unit_routes", "yincheng-bus/routes.html"),
    ("unit_route", "yincheng-bus/routes/1路.html"),
];

/// Run `gongkai ARGS...` in `dir` with an environment that cannot change the output: no colour, no
/// CI detection, no step summary unless the caller sets one.
fn gongkai(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    for var in ["CLICOLOR_FORCE", "GITHUB_STEP_SUMMARY", "GITHUB_ACTIONS", "CI"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// Replace what changes from run to run or release to release: the temporary folder and the version.
fn stable(text: &str, dir: &Path) -> String {
    text.replace(&dir.display().to_string(), "[SITE]").replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

/// Pin `value` as tests/snapshots/NAME.snap.
fn snap(name: &str, description: &str, value: &str) {
    insta::with_settings!({
        prepend_module_to_snapshot => false,
        omit_expression => true,
        description => description,
    }, {
        insta::assert_snapshot!(name, value);
    });
}

/// Check every snapshot, then fail once naming all that differ (insta stops at the first otherwise).
fn snap_all(cases: Vec<(String, String, String)>) {
    let failed: Vec<String> = cases
        .into_iter()
        .filter_map(|(name, description, value)| {
            let ok = std::panic::catch_unwind(|| snap(&name, &description, &value)).is_ok();
            (!ok).then_some(name)
        })
        .collect();
    assert!(failed.is_empty(), "snapshots that differ: {failed:?}");
}

/// The `<main>` element as an indented outline: one element (attributes sorted) or one run of text
/// (white space collapsed) per line. Closing tags are implied by the indentation.
fn main_outline(html: &str) -> String {
    let doc = Html::parse_document(html);
    let selector = Selector::parse("main").unwrap();
    let mains: Vec<ElementRef> = doc.select(&selector).collect();
    assert_eq!(mains.len(), 1, "a page has exactly one <main>");
    let mut out = String::new();
    outline(mains[0], 0, &mut out);
    out
}

fn outline(el: ElementRef, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    let mut attrs: Vec<(&str, &str)> = el.value().attrs().collect();
    attrs.sort();
    let attrs: String = attrs.iter().map(|(k, v)| format!(" {k}=\"{v}\"")).collect();
    out.push_str(&format!("{indent}<{}{attrs}>\n", el.value().name()));
    for child in el.children() {
        if let Some(child) = ElementRef::wrap(child) {
            outline(child, depth + 1, out);
            continue;
        }
        match child.value() {
            Node::Text(text) => {
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if !text.is_empty() {
                    out.push_str(&format!("{indent}  {text}\n"));
                }
            }
            Node::Comment(c) => out.push_str(&format!("{indent}  <!--{}-->\n", &**c)),
            _ => {}
        }
    }
}

#[test]
fn main_of_every_page_kind() {
    let site = Site::example();
    let (code, stdout, stderr) = gongkai(site.path(), &["build", "--quiet", "--today", TODAY], &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let cases = PAGES
        .iter()
        .map(|(name, page)| {
            let html = site.read(&format!("public/{page}"));
            (format!("page_{name}"), format!("<main> of public/{page}"), stable(&main_outline(&html), site.path()))
        })
        .collect();
    snap_all(cases);
    // every page of the unit is a kind above: a new page kind must get a snapshot here
    let kinds: std::collections::BTreeSet<String> = walkdir::WalkDir::new(site.file("public").join(UNIT))
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            let rel = e.path().strip_prefix(site.file("public").join(UNIT)).unwrap();
            let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
            if rel.components().count() > 1 { format!("{first}/") } else { first }
        })
        .collect();
    let pinned: std::collections::BTreeSet<String> = PAGES
        .iter()
        .filter_map(|(_, page)| page.strip_prefix(&format!("{UNIT}/")))
        .map(|rel| match rel.split_once('/') {
            Some((dir, _)) => format!("{dir}/"),
            None => rel.to_string(),
        })
        .collect();
    assert_eq!(kinds, pinned, "page kinds of {UNIT} without a snapshot (or snapshots of pages that went away)");
}

/// The pages of the request desk's site side that the unit above does not show: the water
/// utility's 评议结果 (the example's evaluations file) and a request page whose form posts to a
/// desk (tests/fixtures/desk_form/ sets `受理平台:`).
#[test]
fn main_of_the_request_desk_pages() {
    let site = Site::example_with("desk_form");
    let (code, stdout, stderr) = gongkai(site.path(), &["build", "--quiet", "--today", TODAY], &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let cases =
        [("unit_evaluation", "qingyuan-water/evaluation.html"), ("unit_request_desk", "qingyuan-water/request.html")]
            .iter()
            .map(|(name, page)| {
                let html = site.read(&format!("public/{page}"));
                let description = format!("<main> of public/{page} (example portal + tests/fixtures/desk_form)");
                (format!("page_{name}"), description, stable(&main_outline(&html), site.path()))
            })
            .collect();
    snap_all(cases);
}

/// Run `gongkai check` in a copy of the example portal with the planted findings of
/// tests/fixtures/snapshot_findings/ and return the snapshot text.
fn report(format: &str) -> String {
    let site = Site::example_with("snapshot_findings");
    let summary = site.file("step-summary.md");
    let env: Vec<(&str, &str)> = match format {
        "github" => vec![("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
        _ => vec![],
    };
    let (code, stdout, stderr) = gongkai(site.path(), &["check", ".", "--format", format, "--today", TODAY], &env);
    let mut text = format!("exit code: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}");
    if format == "github" {
        let written = std::fs::read_to_string(&summary).unwrap_or_else(|_| "(not written)\n".into());
        text.push_str(&format!("--- $GITHUB_STEP_SUMMARY\n{written}"));
    }
    stable(&text, site.path())
}

#[test]
fn reports_of_a_site_with_findings() {
    let cases = ["human", "markdown", "github"]
        .iter()
        .map(|format| {
            let description =
                format!("gongkai check --format {format}: example portal + tests/fixtures/snapshot_findings");
            (format!("report_{format}"), description, report(format))
        })
        .collect();
    snap_all(cases);
}

/// Every file under `dir` that `before` did not list, as `--- path` and its text, sorted by path.
fn files_written(dir: &Path, before: &[String]) -> String {
    let mut out = String::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
        if !entry.file_type().is_file() || before.contains(&rel) {
            continue;
        }
        // the editors' schemas are held to `check` by tests/editor_schema.rs: named here only
        if rel.contains("/.gongkai/schema/") {
            out.push_str(&format!("--- {rel} (JSON Schema)\n"));
        } else {
            out.push_str(&format!("--- {rel}\n{}", std::fs::read_to_string(entry.path()).unwrap()));
        }
    }
    out
}

fn all_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn init_scaffolds_of_two_sectors() {
    let dir = Site::empty();
    // a new site for a hospital
    let (code, stdout, stderr) = gongkai(dir.path(), &["init", "portal", "--sector", "hospital"], &[]);
    let site = format!("exit code: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}{}", files_written(dir.path(), &[]));
    // then a school added to it as a unit
    let before = all_files(dir.path());
    let (code, stdout, stderr) = gongkai(dir.path(), &["init", "portal/content/new-school", "--sector", "school"], &[]);
    let unit =
        format!("exit code: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}{}", files_written(dir.path(), &before));
    snap_all(vec![
        ("init_site_hospital".into(), "gongkai init portal --sector hospital".into(), stable(&site, dir.path())),
        (
            "init_unit_school".into(),
            "gongkai init portal/content/new-school --sector school (inside that site)".into(),
            stable(&unit, dir.path()),
        ),
    ]);
}
