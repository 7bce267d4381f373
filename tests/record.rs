//! The publication record (第十二条(三)(五)) and 索引号, through the binary: what `build` appends
//! and publishes, what `verify` finds when a published site is altered, and that 索引号 never
//! change or come back.

mod common;

use common::{Site, run_in};

const NOTICE: &str = "content/qingyuan-water/notices/2026-11-计划停水.md";
const NOTICE_PAGE: &str = "public/qingyuan-water/notices/2026-11-计划停水.html";

fn build(site: &Site) -> common::Output {
    let out = site.run(&["build", "-q", "--today", "2026-11-30"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    out
}

fn entries(site: &Site, dir: &str) -> usize {
    let log: serde_json::Value = serde_json::from_str(&site.read(&format!("{dir}/log.json"))).unwrap();
    log["entries"].as_array().unwrap().len()
}

fn index_number(site: &Site, page: &str) -> String {
    let html = site.read(page);
    let at = html.find("<dt>索引号</dt><dd>").unwrap_or_else(|| panic!("{page} has no 索引号"))
        + "<dt>索引号</dt><dd>".len();
    html[at..at + html[at..].find('<').unwrap()].to_string()
}

fn verify(site: &Site) -> common::Output {
    site.run(&["verify", "public"])
}

#[test]
fn a_build_records_what_it_publishes_and_an_unchanged_build_adds_nothing() {
    let site = Site::example();
    let out = build(&site);
    assert!(out.stdout.contains("公开记录：第 1 条"), "{}", out.stdout);
    assert_eq!(entries(&site, "record"), 1);
    // published with the site, byte for byte what the site keeps
    assert_eq!(site.read("record/log.json"), site.read("public/.well-known/gongkai/log.json"));
    assert_eq!(site.read("record/entries/000001.json"), site.read("public/.well-known/gongkai/entries/000001.json"));
    let first = std::fs::read(site.file("public/.well-known/gongkai/entries/000001.json")).unwrap();

    let out = build(&site);
    assert!(out.stdout.contains("没有新增记录"), "{}", out.stdout);
    assert_eq!(entries(&site, "record"), 1, "two builds with no change: one entry");

    site.write(NOTICE, site.read(NOTICE).replace("停水", "停水（更正）"));
    let out = build(&site);
    assert!(out.stdout.contains("公开记录：第 2 条"), "{}", out.stdout);
    assert_eq!(entries(&site, "public/.well-known/gongkai"), 2);
    let second: serde_json::Value = serde_json::from_str(&site.read("record/entries/000002.json")).unwrap();
    assert_eq!(second["previous"].as_str().unwrap(), blake3::hash(&first).to_hex().as_str());
    assert!(second["changed"].as_object().unwrap().contains_key("qingyuan-water/notices/2026-11-计划停水.html"));
    assert_eq!(verify(&site).code, 0, "{}", verify(&site).stdout);
}

#[test]
fn two_sites_built_alike_record_and_archive_the_same_bytes_each_version_against_its_units_base() {
    // the example and the same with every unit twice: more units than threads, so the pages of
    // several units are compressed at once, each against its own unit's first page
    let sites = [Site::example(), Site::example()];
    for site in &sites {
        for unit in std::fs::read_dir(site.file("content")).unwrap().flatten().filter(|e| e.path().is_dir()) {
            let name = unit.file_name().to_string_lossy().into_owned();
            let copy = site.file(&format!("content/{name}-2"));
            common::copy_dir(&unit.path(), &copy);
            let config = copy.join("unit.yaml");
            if let Ok(text) = std::fs::read_to_string(&config) {
                // a unit of its own name
                let text = text.replacen("单位名称: ", "单位名称: 第二", 1);
                std::fs::write(&config, text).unwrap();
            }
        }
    }
    for site in &sites {
        build(site);
    }
    let (one, two) = (common::tree(&sites[0].file("record")), common::tree(&sites[1].file("record")));
    assert!(one.keys().any(|k| k.ends_with(".lz4b")), "{:?}", one.keys().collect::<Vec<_>>());
    assert_eq!(one.keys().collect::<Vec<_>>(), two.keys().collect::<Vec<_>>());
    for (k, v) in &one {
        assert!(v == &two[k], "record/{k} differs");
    }
    // each version with a base is compressed against a page of its own unit, kept alone
    let index: serde_json::Value = serde_json::from_slice(&one["archive/pack-000001.json"]).unwrap();
    let bases = index["bases"].as_object().expect("versions with a base");
    let entry: serde_json::Value = serde_json::from_slice(&one["entries/000001.json"]).unwrap();
    let path_of = |hash: &str| {
        entry["added"].as_object().unwrap().iter().find(|(_, h)| *h == hash).map(|(p, _)| p.clone()).unwrap()
    };
    let unit = |path: &str| path.split('/').next().unwrap().to_string();
    for (version, base) in bases {
        let base = base.as_str().unwrap();
        assert!(bases.get(base).is_none(), "a base has no base of its own");
        assert_eq!(unit(&path_of(version)), unit(&path_of(base)));
    }
    let versions = index["pages"].as_object().unwrap().len();
    assert!(bases.len() * 10 > versions * 7, "most versions have a base: {} of {versions}", bases.len());
    let out = sites[0].run(&["verify", "--archive"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

#[test]
fn verify_names_a_changed_a_deleted_and_an_added_page() {
    let site = Site::example();
    build(&site);
    let ok = verify(&site);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.contains("网站上的每个文件都与公开记录一致"), "{}", ok.stdout);

    // one byte of one page
    let mut bytes = std::fs::read(site.file(NOTICE_PAGE)).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    std::fs::write(site.file(NOTICE_PAGE), bytes).unwrap();
    let out = verify(&site);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("发布后被改动（1 项）：\n    qingyuan-water/notices/2026-11-计划停水.html\n"),
        "{}",
        out.stdout
    );

    site.remove("public/qingyuan-water/fees.html");
    site.write("public/qingyuan-water/公告.html", "<p>记录之外的页面</p>");
    let out = verify(&site);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("记录在案却已不在网站上（1 项）：\n    qingyuan-water/fees.html\n"), "{}", out.stdout);
    assert!(out.stdout.contains("记录之外新增）（1 项）：\n    qingyuan-water/公告.html\n"), "{}", out.stdout);

    // links planted in the served folder are named, never followed: not the folder a link at the
    // top leads to (its files are no part of the site), nor a page that leads elsewhere
    site.remove("public/qingyuan-water/公告.html");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.html"), "not the site's").unwrap();
    std::os::unix::fs::symlink(outside.path(), site.file("public/mirror")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.html"), site.file("public/qingyuan-water/leak.html"))
        .unwrap();
    let out = verify(&site);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("记录之外新增）（2 项）：\n    mirror\n    qingyuan-water/leak.html\n"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("secret.html"), "{}", out.stdout);

    // a pipe where a recorded page was is not waited on: the page is named as not there
    site.remove("public/mirror");
    site.remove("public/qingyuan-water/leak.html");
    site.remove("public/qingyuan-water/services.html");
    let pipe = site.file("public/qingyuan-water/services.html");
    rustix::fs::mkfifoat(rustix::fs::CWD, &pipe, rustix::fs::Mode::from_raw_mode(0o644)).unwrap();
    let out = verify(&site);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("    qingyuan-water/services.html\n"), "{}", out.stdout);

    // a folder without a record is not a recorded site: exit 2
    let out = site.run(&["verify", "content"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("没有公开记录"), "{}", out.stderr);
}

#[test]
fn a_forged_entry_is_named_by_verify_and_stops_the_next_build() {
    let site = Site::example();
    build(&site);
    site.write(NOTICE, site.read(NOTICE).replace("停水", "停水（更正）"));
    build(&site);
    site.write(NOTICE, site.read(NOTICE).replace("（更正）", "（再更正）"));
    build(&site);
    assert_eq!(entries(&site, "record"), 3);

    // rewrite the middle entry, as someone hiding a change would, on the site and in the record
    for dir in ["public/.well-known/gongkai", "record"] {
        let path = format!("{dir}/entries/000002.json");
        site.write(&path, site.read(&path).replace("\"2026-11-30\"", "\"2026-10-01\""));
    }
    let out = verify(&site);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("第 2 条记录（entries/000002.json）：内容与索引记下的哈希不符"), "{}", out.stdout);

    let public_before = site.read(NOTICE_PAGE);
    site.write(NOTICE, site.read(NOTICE).replace("（再更正）", "（三更正）"));
    let out = site.run(&["build", "-q", "--today", "2026-11-30"]);
    assert_eq!(out.code, 2, "a record that does not verify stops the build: {}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("公开记录") && out.stderr.contains("第 2 条记录"), "{}", out.stderr);
    assert_eq!(site.read(NOTICE_PAGE), public_before, "nothing was published");
    // check reads only the record's chain and 索引号, and stops on it the same way
    let out = site.run(&["check", "-q", "--today", "2026-11-30"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("公开记录") && out.stderr.contains("第 2 条记录"), "{}", out.stderr);
}

#[test]
fn index_numbers_never_change_and_never_come_back() {
    let site = Site::example();
    build(&site);
    let planned = "public/qingyuan-water/notices/2027-管网改造计划.html";
    let (outage, plan) = (index_number(&site, NOTICE_PAGE), index_number(&site, planned));
    assert!(outage.starts_with("91620400MA71QX3D8C/2026-"), "the unit's 统一社会信用代码 and the year: {outage}");
    assert_ne!(outage, plan);

    // an earlier-dated notice arrives and the outage notice is removed (withdrawn notices stay;
    // this one goes for the test's sake)
    site.write(
        "content/qingyuan-water/notices/2026-01-早先的通知.md",
        "---\n标题: 早先的通知\n类别: 变动事项\n发布日期: 2026-01-05\n状态: 有效\n---\n\n正文。\n",
    );
    let removed = site.read(NOTICE);
    site.remove(NOTICE);
    build(&site);
    assert_eq!(index_number(&site, planned), plan, "kept, though an earlier notice came first");
    let early = index_number(&site, "public/qingyuan-water/notices/2026-01-早先的通知.html");
    assert_ne!(early, outage, "the removed notice's number is not given to another");
    let max = |n: &str| n.rsplit('-').next().unwrap().parse::<u32>().unwrap();
    assert!(max(&early) > max(&outage).max(max(&plan)), "{early} comes after every number assigned before");

    // the notice comes back: it gets its own number again
    site.write(NOTICE, removed);
    build(&site);
    assert_eq!(index_number(&site, NOTICE_PAGE), outage);
    // the same number in open data
    let data = site.read("public/qingyuan-water/data.json");
    assert!(data.contains(&format!("\"index_number\": \"{outage}\"")), "open data carries the 索引号");
}

#[test]
fn a_build_killed_while_writing_the_record_leaves_the_old_record_or_the_new() {
    let site = Site::example();
    build(&site);
    let old = (site.read("record/log.json"), site.read("public/.well-known/gongkai/log.json"));
    site.write(NOTICE, site.read(NOTICE).replace("停水", "停水（更正）"));
    for after in ["0", "1", "2"] {
        let env = [("GONGKAI_TEST_ABORT_IN", "record"), ("GONGKAI_TEST_ABORT_AFTER_FILES", after)];
        let out = run_in(site.path(), &["build", "-q", "--today", "2026-11-30"], &env);
        assert_ne!(out.code, 0, "ended after {after} record files");
        assert_eq!((site.read("record/log.json"), site.read("public/.well-known/gongkai/log.json")), old);
        assert_eq!(entries(&site, "record"), 1);
    }
    // swapped in, then ended: the new record, which the next build publishes without a new entry
    let env = [("GONGKAI_TEST_ABORT_AFTER_SWAP", "record")];
    let out = run_in(site.path(), &["build", "-q", "--today", "2026-11-30"], &env);
    assert_ne!(out.code, 0);
    assert_eq!(entries(&site, "record"), 2);
    let out = build(&site);
    assert!(out.stdout.contains("没有新增记录"), "{}", out.stdout);
    assert_eq!(entries(&site, "public/.well-known/gongkai"), 2);
    assert_eq!(verify(&site).code, 0);
}

#[test]
fn a_record_folder_gongkai_did_not_make_is_never_replaced() {
    let site = Site::example();
    site.write("record/我的记录.txt", "单位自己的文件");
    let out = site.run(&["build", "-q", "--today", "2026-11-30"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert_eq!(site.read("record/我的记录.txt"), "单位自己的文件");
    assert!(!site.file("public").exists(), "nothing published");
}

#[test]
fn two_units_with_one_credit_code_are_told_and_never_share_an_index_number() {
    let site = Site::example();
    common::copy_dir(&site.file("content/qingyuan-water"), &site.file("content/qingyuan-water-2"));
    let out = site.run(&["check", "--today", "2026-11-30"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("统一社会信用代码 91620400MA71QX3D8C 与单位「qingyuan-water-2」的相同"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("统一社会信用代码 91620400MA71QX3D8C 与单位「qingyuan-water」的相同"),
        "{}",
        out.stdout
    );
    build(&site);
    let one = index_number(&site, NOTICE_PAGE);
    let two = index_number(&site, "public/qingyuan-water-2/notices/2026-11-计划停水.html");
    assert!(one.starts_with("qingyuan-water/") && two.starts_with("qingyuan-water-2/"), "{one} {two}");
}

/// `verify` with no folder named checks `public/` of the site the current folder is in, found
/// like `build` finds it (here from a unit's notices folder), not a `public/` under that folder.
#[test]
fn verify_without_a_folder_checks_the_sites_public_from_a_subfolder() {
    let site = Site::example();
    build(&site);
    let inside = site.path().join("content/qingyuan-water/notices");
    let out = run_in(&inside, &["verify"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("网站上的每个文件都与公开记录一致"), "{}", out.stdout);
    std::fs::write(site.path().join(NOTICE_PAGE), "<p>改过</p>").unwrap();
    let out = run_in(&inside, &["verify"], &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("2026-11-计划停水.html"), "{}", out.stdout);
}
