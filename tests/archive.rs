//! Archived versions and removed documents (issue 14 part 4, 第十二条(三)(五)), through the binary:
//! a changed notice shows 历史版本 linking its old version, kept byte for byte and verifiable
//! against the record; a notice removed from content is an error, and its versions stay
//! reachable; a fresh checkout builds the same archive.

mod common;

use common::{Site, copy_dir};

const NOTICE: &str = "content/qingyuan-water/notices/2026-11-计划停水.md";
const PAGE: &str = "qingyuan-water/notices/2026-11-计划停水.html";

fn build(site: &Site, today: &str) -> common::Output {
    let out = site.run(&["build", "-q", "--today", today]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    out
}

fn entry(site: &Site, seq: u32) -> serde_json::Value {
    serde_json::from_str(&site.read(&format!("record/entries/{seq:06}.json"))).unwrap()
}

/// The archive links of the 历史版本 section of a page, as written (relative).
fn history_links(html: &str) -> Vec<String> {
    let Some(at) = html.find("<h2 id=\"history\">历史版本</h2>") else { return Vec::new() };
    let section = &html[at..at + html[at..].find("</section>").unwrap()];
    section.split("href=\"").skip(1).map(|s| s[..s.find('"').unwrap()].to_string()).collect()
}

/// The value of the attribute that follows `before` in `html`.
fn link_to(html: &str, before: &str) -> String {
    let at = html.find(before).unwrap_or_else(|| panic!("{before}")) + before.len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// The relative links of a page (`href` and `src`), percent-decoded, without their fragment.
fn relative_links(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let all = scraper::Selector::parse("[href], [src]").unwrap();
    doc.select(&all)
        .filter_map(|e| e.value().attr("href").or_else(|| e.value().attr("src")))
        .map(|l| l.split('#').next().unwrap())
        .filter(|l| !l.is_empty() && !l.contains(':') && !l.starts_with("//"))
        .map(|l| percent_encoding::percent_decode_str(l).decode_utf8_lossy().into_owned())
        .collect()
}

/// Change the outage notice's hours, with the 变更记录 entry that explains it.
fn correct_hours(site: &Site) {
    let text = site.read(NOTICE).replace("8:00 至 20:00", "9:00 至 18:00").replace(
        "生效日期: 2026-11-24\n",
        "生效日期: 2026-11-24\n变更记录:\n  - {日期: 2026-12-02, 变更类型: 变更, 说明: 施工缩短，停水改为 9:00 至 18:00}\n",
    );
    site.write(NOTICE, text);
}

#[test]
fn a_changed_notice_lists_its_old_version_kept_byte_for_byte() {
    let site = Site::example();
    build(&site, "2026-11-30");
    let first = site.read(&format!("public/{PAGE}"));
    assert!(history_links(&first).is_empty(), "a first version has no history");
    let recorded = entry(&site, 1)["added"][PAGE].as_str().unwrap().to_string();

    correct_hours(&site);
    build(&site, "2026-12-02");
    let html = site.read(&format!("public/{PAGE}"));
    let links = history_links(&html);
    // beside the page, in the same folder, so that its relative links lead where they led
    let expected = format!("2026-11-计划停水.v2026-11-30-{}.html", &recorded[..8]);
    assert_eq!(links, vec![expected.clone()]);
    assert!(html.contains("2026年12月2日被替换：施工缩短，停水改为 9:00 至 18:00"), "the reason from 变更记录");

    // the archived file is the old page, byte for byte, as entry 1 recorded it
    let archived = std::fs::read(site.file("public/qingyuan-water/notices").join(&expected)).unwrap();
    assert_eq!(blake3::hash(&archived).to_hex().as_str(), recorded);
    assert_eq!(archived, first.as_bytes());
    // its stylesheet, navigation and the unit's pages that still exist resolve from there
    let dir = site.file("public/qingyuan-water/notices");
    let css = link_to(&first, "<link rel=\"stylesheet\" href=\"");
    assert_eq!(css, "../../static/style.css");
    assert!(dir.join(&css).is_file(), "{css}");
    // nothing was removed: every link of the old page that stays in the site resolves
    let links = relative_links(&first);
    assert!(links.len() > 10, "{links:?}");
    for link in links {
        let path = dir.join(&link);
        assert!(path.is_file() || path.join("index.html").is_file(), "{link}");
    }
    // the address it had before leads there, without script, kept out of search engines
    let before = format!("public/archive/qingyuan-water/notices/2026-11-计划停水/2026-11-30-{}.html", &recorded[..8]);
    let moved = site.read(&before);
    let to = format!("../../../../qingyuan-water/notices/{expected}");
    assert!(moved.contains(&format!("<meta http-equiv=\"refresh\" content=\"0; url={to}\">")), "{moved}");
    assert!(moved.contains(&format!("<a href=\"{to}\">")), "{moved}");
    assert!(moved.contains("noindex") && moved.contains("Content-Security-Policy") && !moved.contains("<script"));
    assert!(site.file(&before).parent().unwrap().join(&to).is_file(), "the redirect's target is there");
    insta::assert_snapshot!("archive_former_address", moved.replace(&recorded[..8], "HASH8"));
    let out = site.run(&["verify", "public"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);

    // an unchanged build adds nothing and writes the same bytes
    let before = site.read(&format!("public/{PAGE}"));
    let out = build(&site, "2026-12-03");
    assert!(out.stdout.contains("没有新增记录"), "{}", out.stdout);
    assert_eq!(site.read(&format!("public/{PAGE}")), before);
}

#[test]
fn a_build_for_another_address_shows_the_history_as_recorded() {
    // a staging build's pages name another address, so their bytes differ from the recorded
    // ones: that is no change of the document, and no version may be shown as replaced
    let site = Site::example();
    let staging = |today: &str| {
        let out =
            site.run(&["build", "-q", "--today", today, "--base-url", "https://staging.example.org/", "-o", "staging"]);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        site.read(&format!("staging/{PAGE}"))
    };
    let versions_beside = |dir: &str| {
        let notices = site.file(&format!("{dir}/qingyuan-water/notices"));
        let names = std::fs::read_dir(notices).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap());
        names.filter(|n| n.contains(".v20")).collect::<Vec<_>>()
    };
    build(&site, "2026-11-30");
    let html = staging("2026-11-30");
    assert!(html.contains("https://staging.example.org/"), "built for the other address");
    assert!(history_links(&html).is_empty(), "a first version has no history, wherever it is built");
    assert_eq!(versions_beside("staging"), Vec::<String>::new());
    assert_eq!(entry_count(&site), 1, "a staging build records nothing");

    // after a recorded change: the same history as the published site
    correct_hours(&site);
    build(&site, "2026-12-02");
    let published = history_links(&site.read(&format!("public/{PAGE}")));
    assert_eq!(published.len(), 1);
    assert_eq!(history_links(&staging("2026-12-02")), published);
    assert_eq!(versions_beside("staging"), versions_beside("public"));
}

fn entry_count(site: &Site) -> usize {
    let log: serde_json::Value = serde_json::from_str(&site.read("record/log.json")).unwrap();
    log["entries"].as_array().unwrap().len()
}

#[test]
fn a_removed_notice_is_an_error_and_its_versions_stay_reachable() {
    let site = Site::example();
    build(&site, "2026-11-30");
    let number = entry(&site, 1)["numbers"][NOTICE].as_str().unwrap().to_string();
    let text = site.read(NOTICE);
    site.remove(NOTICE);

    let out = site.run(&["check", "--today", "2026-12-05"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("错误[gongkai/removed-document]"), "{}", out.stdout);
    assert!(out.stdout.contains(&format!("已于 2026-11-30 公开（索引号 {number}）")), "{}", out.stdout);
    assert!(out.stdout.contains("第十二条(三)(五)"), "{}", out.stdout);
    assert!(out.stdout.contains(&format!("--> {NOTICE}")), "{}", out.stdout);

    // the build still publishes; the catalogue links the archived version, which is there
    build(&site, "2026-12-05");
    assert!(!site.file(&format!("public/{PAGE}")).exists());
    let catalog = site.read("public/qingyuan-water/catalog.html");
    let at = catalog.find("<h2 id=\"removed\">已删除的文件</h2>").expect("a 已删除的文件 group");
    let link = catalog[at..].split("href=\"").nth(1).map(|s| s[..s.find('"').unwrap()].to_string()).unwrap();
    assert!(link.starts_with("notices/2026-11-计划停水.v2026-11-30-"), "{link}");
    assert!(catalog[at..].contains("北京路管网改造计划停水通知"), "titled as it was published");
    assert!(site.file("public/qingyuan-water").join(&link).is_file(), "{link}");
    assert_eq!(site.run(&["verify", "public"]).code, 0);

    // restored and marked withdrawn as the help says: no error, and it is current again
    let help = text.replacen(
        "---\n",
        "---\n状态: 已撤销\n变更记录: [{日期: 2026-12-05, 变更类型: 撤销, 说明: 管网改造延期}]\n",
        1,
    );
    site.write(NOTICE, help);
    let out = site.run(&["check", "--today", "2026-12-05"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn a_removed_unit_is_one_error() {
    let site = Site::example();
    build(&site, "2026-11-30");
    std::fs::remove_dir_all(site.file("content/jinding-school")).unwrap();
    let out = site.run(&["check", "--today", "2026-12-05"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(out.stdout.matches("gongkai/removed-document").count(), 1, "{}", out.stdout);
    assert!(out.stdout.contains("单位文件夹 content/jinding-school 已删除"), "{}", out.stdout);
    // its archived pages are still published, beside where its pages were, and the addresses
    // they had before lead there
    build(&site, "2026-12-05");
    let versions = std::fs::read_dir(site.file("public/jinding-school/notices")).unwrap().count();
    assert!(versions > 0);
    assert!(site.file("public/archive/jinding-school/notices").is_dir());
    assert!(!site.file("public/jinding-school/index.html").exists(), "no page of the unit but its versions");
}

#[test]
fn a_fresh_checkout_builds_the_same_site_and_archive() {
    let site = Site::example();
    build(&site, "2026-11-30");
    correct_hours(&site);
    build(&site, "2026-12-02");
    site.remove("content/jinding-school/notices/2026-食堂改造.md");
    build(&site, "2026-12-05");

    let fresh = Site::empty();
    for part in ["content", "record"] {
        copy_dir(&site.file(part), &fresh.file(part));
    }
    std::fs::copy(site.file("gongkai.yaml"), fresh.file("gongkai.yaml")).unwrap();
    let out = build(&fresh, "2026-12-05");
    assert!(out.stdout.contains("没有新增记录"), "the same site: {}", out.stdout);
    let tree = |s: &Site| {
        let root = s.file("public");
        walkdir::WalkDir::new(&root)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| (e.path().strip_prefix(&root).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
            .collect::<Vec<_>>()
    };
    let (a, b) = (tree(&site), tree(&fresh));
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{} differs", pa.display());
    }
    assert!(a.iter().any(|(p, _)| p.starts_with("archive/jinding-school")), "the removed notice's version");
    assert!(a.iter().any(|(p, _)| p.starts_with("archive/qingyuan-water")), "the superseded version");
}

#[test]
fn a_source_file_named_like_a_version_is_refused() {
    let site = Site::example();
    let name = "content/qingyuan-water/notices/2026-11-计划停水.v2026-11-30-1a2b3c4d.md";
    site.write(name, site.read(NOTICE));
    let out = site.run(&["build", "-q", "--today", "2026-11-30"]);
    assert_ne!(out.code, 0, "{}", out.stdout);
    assert!(out.stderr.contains("和历史版本的地址重名") && out.stderr.contains(name), "{}", out.stderr);
    assert!(!site.file("public").join("qingyuan-water").exists(), "nothing published");
}
