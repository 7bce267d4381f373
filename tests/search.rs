//! The site search (issue 13 part 7): `build` writes the index under `search/` and the search
//! page, byte-identical from one build to the next; `search: false` in gongkai.yaml removes both
//! and the links to them; what the 第六条 scan withholds is not in the index.

mod common;

use std::collections::BTreeMap;

use common::Site;

/// Every file under `public/search/`, by path.
fn index_files(site: &Site) -> BTreeMap<String, Vec<u8>> {
    let root = site.file("public/search");
    walkdir::WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(&root).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn build_writes_the_index_and_the_search_page_deterministically() {
    let site = Site::example();
    assert_eq!(site.run(&["build", "-q"]).code, 0);
    let first = index_files(&site);
    assert!(first.contains_key("meta.json") && first.contains_key("d/0.json"), "{:?}", first.keys());
    let shard: String =
        first.iter().filter(|(k, _)| k.starts_with("g/")).map(|(_, v)| String::from_utf8_lossy(v)).collect();
    assert!(shard.contains("\"停水\":["), "the outage notice's title is indexed");
    let docs = String::from_utf8_lossy(&first["d/0.json"]).into_owned();
    assert!(docs.contains("北京路管网改造计划停水通知"), "{docs}");
    assert!(!docs.contains("catalog.html"), "the 公开目录 repeats every title and is not indexed");

    let page = site.read("public/search.html");
    assert!(page.contains("script-src 'self'") && page.contains("static/search.js"), "{page}");
    assert!(page.contains("catalog.html"), "without JavaScript the page points to the 公开目录");
    assert!(site.file("public/static/search.js").is_file());
    // only the search page runs the search script (every page has the reading-settings one)
    let home = site.read("public/index.html");
    assert!(home.contains("href=\"search.html\"") && !home.contains("search.js"), "{home}");
    assert_eq!(home.matches("<script").count(), 1, "{home}");
    assert!(home.contains("<script src=\"static/prefs.js\"></script>") && !home.contains("connect-src"));

    assert_eq!(site.run(&["build", "-q"]).code, 0);
    assert_eq!(index_files(&site), first, "the same input gives the same index");
}

#[test]
fn search_false_removes_the_index_the_page_and_the_links() {
    let site = Site::example();
    let config = site.read("gongkai.yaml") + "站内搜索: false\n";
    site.write("gongkai.yaml", config);
    assert_eq!(site.run(&["build", "-q"]).code, 0);
    assert!(!site.file("public/search").exists());
    assert!(!site.file("public/search.html").exists());
    assert!(!site.file("public/static/search.js").exists());
    assert!(!site.read("public/index.html").contains("search.html"));
    assert!(!site.read("public/qingyuan-water/fees.html").contains("search.html"));
}

#[test]
fn a_withheld_document_is_not_in_the_index() {
    let site = Site::example();
    // a notice holding a resident ID number is withheld by the 第六条 scan
    site.write(
        "content/qingyuan-water/notices/2026-11-身份证.md",
        "---\ntitle: 独一无二的泄露标题通知\ndate: 2026-11-20\ncategory: 其他\n---\n\n联系人身份证号 110101199003074514。\n",
    );
    let out = site.run(&["build", "-q"]);
    assert!(out.stdout.contains("身份证") || out.code != 0, "the scan reports it: {}", out.stdout);
    assert!(!site.file("public/qingyuan-water/notices/2026-11-身份证.html").exists());
    let all: String = index_files(&site).values().map(|v| String::from_utf8_lossy(v).into_owned()).collect();
    assert!(!all.contains("独一无二"), "a withheld notice's title is not in the index");
    assert!(!all.contains("泄露"), "nor its grams");
}
