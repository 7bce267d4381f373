//! Drafts: `草稿: true` keeps a document out of `build` entirely, `check` names it in a note, the
//! 第六条 scan still reads it (warnings only: it is not published), and a published document
//! turned into a draft is a removed document (第十二条(三)).

mod common;

use std::path::Path;

use common::{Site, tree};

const DRAFT: &str = "content/qingyuan-water/notices/draft-2027-price.md";

#[test]
fn a_draft_is_left_out_of_every_output() {
    let plain = Site::example();
    let with_draft = Site::example_with("draft_notice");
    for site in [&plain, &with_draft] {
        let out = site.run(&["build", "--quiet"]);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    }
    // no page, no list entry, feed, open data, search index, sitemap or record: the published
    // site and the record are the very bytes of the site without the draft
    for folder in ["public", "record"] {
        let (a, b) = (tree(&plain.file(folder)), tree(&with_draft.file(folder)));
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{folder}: other files");
        for (path, bytes) in &a {
            assert!(b[path] == *bytes, "{folder}/{path} differs with a draft in the content");
        }
    }
}

#[test]
fn check_names_each_draft_in_a_note_and_checks_nothing_else_in_it() {
    let site = Site::example_with("draft_notice");
    let out = site.run(&["check"]);
    // the draft lacks its 发布日期 and its 类别 is a placeholder: not published, not checked
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let s = &out.stdout;
    assert!(s.contains("提示[gongkai/draft]: 草稿「关于调整居民阶梯水价的通知」，不会发布"), "{s}");
    assert!(s.contains(&format!("--> {DRAFT}:2:1")), "{s}");
    assert!(s.contains("定稿后删掉「草稿: true」这一行"), "{s}");
    assert!(s.contains("共 0 项错误，0 项警告。\n另有草稿 1 份，不会发布"), "{s}");

    let json = site.run(&["check", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let mine: Vec<&serde_json::Value> = findings.iter().filter(|f| f["file"] == DRAFT).collect();
    assert_eq!(mine.len(), 1, "{mine:#?}");
    assert_eq!(
        (&mine[0]["severity"], &mine[0]["kind"], &mine[0]["rule"]),
        (&"note".into(), &"draft".into(), &"gongkai/draft".into())
    );
}

#[test]
fn a_draft_is_still_scanned_for_what_must_not_be_published_as_a_warning() {
    let site = Site::example_with("draft_privacy");
    let file = "content/qingyuan-water/notices/draft-refund.md";
    let result = site.check();
    let hits: Vec<_> = result.findings.iter().filter(|f| f.file == file && f.rule == "privacy/id-number").collect();
    assert_eq!(hits.len(), 1, "{:#?}", result.findings);
    assert_eq!(hits[0].severity, gongkai::finding::Severity::Warning);
    assert_eq!(result.errors(), 0, "{:#?}", result.findings);
    // the same file, no longer a draft: the error that withholds it
    site.write(file, site.read(file).replace("draft: true\n", ""));
    let result = site.check();
    assert!(
        result.findings.iter().any(|f| f.file == file
            && f.rule == "privacy/id-number"
            && f.severity == gongkai::finding::Severity::Error),
        "{:#?}",
        result.findings
    );
}

#[test]
fn a_published_document_turned_into_a_draft_is_a_removed_document() {
    let site = Site::example();
    assert_eq!(site.run(&["build", "--quiet"]).code, 0);
    let page = "public/qingyuan-water/notices/2027-管网改造计划.html";
    assert!(site.file(page).is_file());
    common::copy_dir(&Path::new(common::REPO).join("tests/fixtures/draft_published"), site.path());
    let out = site.run(&["check"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let s = &out.stdout;
    assert!(s.contains("错误[gongkai/removed-document]: 这份文件已于 2026-11-27 公开（索引号 "), "{s}");
    assert!(s.contains("现在标成了草稿，会从网站上撤下"), "{s}");
    assert!(s.contains("--> content/qingyuan-water/notices/2027-管网改造计划.md"), "{s}");
    // built all the same (without --strict), the page is gone, as the error says
    assert_eq!(site.run(&["build", "--quiet"]).code, 0);
    assert!(!site.file(page).exists());
}

#[test]
fn a_draft_never_published_can_be_deleted() {
    let site = Site::example_with("draft_notice");
    assert_eq!(site.run(&["build", "--quiet"]).code, 0);
    site.remove(DRAFT);
    let out = site.run(&["check"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains("removed-document"), "{}", out.stdout);
}
