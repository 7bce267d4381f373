//! The versioned publication (`build --versioned`): the output is a link to a whole version, a
//! killed build leaves the link naming a whole version and the next build removes what it left,
//! a plain output is migrated (and back), and nothing gongkai did not make is touched.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::{Site, run_in, tree};

const STORE: &str = ".gongkai-versions-public";

fn build(site: &Site, env: &[(&str, &str)]) -> common::Output {
    run_in(site.path(), &["build", "-q", "--versioned"], env)
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// The output is gongkai's link to a version; the store holds that version and exactly the
/// trees its unit links name; nothing else is left beside the output.
fn assert_clean(site: &Site) {
    let link = fs::read_link(site.file("public")).expect("public is a link");
    let version = link.strip_prefix(format!("{STORE}/v")).unwrap().to_string_lossy().into_owned();
    assert_eq!(names(&site.file(&format!("{STORE}/v"))), std::slice::from_ref(&version), "one version in the store");
    let mut used: Vec<String> = fs::read_dir(site.file(&format!("{STORE}/v/{version}")))
        .unwrap()
        .filter_map(|e| fs::read_link(e.unwrap().path()).ok())
        .map(|t| t.strip_prefix("../../u").unwrap().to_string_lossy().into_owned())
        .collect();
    used.sort();
    assert_eq!(names(&site.file(&format!("{STORE}/u"))), used, "only the trees the version uses");
    let beside: Vec<String> = names(site.path()).into_iter().filter(|n| n.starts_with(".gongkai-staging")).collect();
    assert!(beside.is_empty(), "leftovers beside the output: {beside:?}");
}

/// A site built twice with `--versioned` (the second build renders with the 索引号 the first
/// assigned), so that from then on only what changed is rendered.
fn versioned_site() -> Site {
    let site = Site::example();
    for _ in 0..2 {
        let out = build(&site, &[]);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    }
    site
}

#[test]
fn unchanged_units_are_one_link_each_and_the_store_keeps_one_version() {
    let site = versioned_site();
    let published = tree(&site.file("public"));
    let again = build(&site, &[]);
    assert!(again.stdout.contains("5 个单位的内容没有变化"), "{}", again.stdout);
    assert_eq!(tree(&site.file("public")), published);
    let trees = names(&site.file(&format!("{STORE}/u")));
    let fees = "content/qingyuan-water/fees.yaml";
    site.write(fees, site.read(fees).replace('0', "1"));
    let one = build(&site, &[]);
    assert!(one.stdout.contains("重新生成 1 个单位"), "{}", one.stdout);
    assert_clean(&site);
    let now = names(&site.file(&format!("{STORE}/u")));
    let changed: Vec<_> = now.iter().filter(|t| !trees.contains(t)).collect();
    assert_eq!(changed.len(), 1, "a new tree for the unit rendered again: {now:?}");
    assert!(changed[0].starts_with("qingyuan-water."), "{changed:?}");
}

#[test]
fn a_killed_versioned_build_leaves_a_whole_version_and_the_next_build_cleans_up() {
    let site = versioned_site();
    let old = tree(&site.file("public"));
    let fees = "content/jinding-school/fees.yaml";
    site.write(fees, site.read(fees).replace("每生每学期 300 元", "每生每学期 301 元"));
    // what the edited site publishes, from a build that is not interrupted (of a copy)
    let reference = Site::empty();
    common::copy_dir(&site.file("content"), &reference.file("content"));
    fs::copy(site.file("gongkai.yaml"), reference.file("gongkai.yaml")).unwrap();
    common::copy_dir(&site.file("record"), &reference.file("record"));
    assert_eq!(run_in(reference.path(), &["build", "-q", "--no-cache"], &[]).code, 0);
    let new = tree(&reference.file("public"));
    assert_ne!(old, new);

    // ended as kill -9 would, before the switch: after N files (a unit kept is one)
    for after in ["0", "2", "6", "15", "30"] {
        let out = build(&site, &[("GONGKAI_TEST_ABORT_AFTER_FILES", after)]);
        assert_ne!(out.code, 0, "ended after {after} files");
        assert_eq!(tree(&site.file("public")), old, "ended after {after} files: the previous version, whole");
    }
    // right after the switch, and during the removal of the previous version
    let out = build(&site, &[("GONGKAI_TEST_ABORT_AFTER_SWAP", "public")]);
    assert_ne!(out.code, 0);
    assert_eq!(tree(&site.file("public")), new, "after the switch: the new version, whole");
    for removals in ["0", "1", "3"] {
        let out = build(&site, &[("GONGKAI_TEST_ABORT_AFTER_REMOVALS", removals)]);
        assert_ne!(out.code, 0, "ended after {removals} removals: {}", out.stdout);
        assert_eq!(tree(&site.file("public")), new, "ended after {removals} removals");
    }
    let next = build(&site, &[]);
    assert_eq!(next.code, 0, "{}{}", next.stdout, next.stderr);
    assert_eq!(tree(&site.file("public")), new);
    assert_clean(&site);
}

#[test]
fn a_plain_output_is_migrated_to_versions_and_back() {
    let site = Site::example();
    assert_eq!(site.run(&["build", "-q"]).code, 0);
    let plain = tree(&site.file("public"));
    let out = build(&site, &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(fs::symlink_metadata(site.file("public")).unwrap().file_type().is_symlink());
    assert_eq!(tree(&site.file("public")), plain);
    assert_clean(&site);
    // without --versioned: a plain folder again, and the store is removed
    let out = site.run(&["build", "-q"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(fs::symlink_metadata(site.file("public")).unwrap().is_dir());
    assert_eq!(tree(&site.file("public")), plain);
    assert!(!site.file(STORE).exists(), "the store is removed");
}

#[test]
fn a_store_or_a_link_gongkai_did_not_make_is_refused_and_left_alone() {
    // a folder at the store's name without the store's marker
    let site = Site::example();
    fs::create_dir_all(site.file(&format!("{STORE}/v/000001"))).unwrap();
    fs::write(site.file(&format!("{STORE}/v/000001/thesis.docx")), "precious").unwrap();
    let out = build(&site, &[]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("不是 gongkai 的版本库"), "{}", out.stderr);
    assert_eq!(site.read(&format!("{STORE}/v/000001/thesis.docx")), "precious");
    assert!(!site.file("public").exists(), "nothing published");

    // a link shaped like gongkai's, into that unmarked folder
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(format!("{STORE}/v/000001"), site.file("public")).unwrap();
        let out = build(&site, &[]);
        assert_ne!(out.code, 0);
        assert!(out.stderr.contains("符号链接"), "{}", out.stderr);
        assert_eq!(site.read(&format!("{STORE}/v/000001/thesis.docx")), "precious");
        assert_eq!(names(&site.file(STORE)), ["v"]);
        let out = site.run(&["build", "-q"]);
        assert!(out.stderr.contains("符号链接"), "a plain build refuses it too: {}", out.stderr);
    }
}

#[test]
fn a_tree_changed_by_hand_is_not_kept() {
    let site = versioned_site();
    let published = tree(&site.file("public"));
    // a file added inside a unit's tree, and a page replaced in another
    fs::write(site.file("public/renhe-hospital/extra.html"), "added by hand").unwrap();
    let page = site.file("public/jinding-school/fees.html");
    let text = fs::read_to_string(&page).unwrap();
    fs::remove_file(&page).unwrap();
    fs::write(&page, text.replace("收费", "改过")).unwrap();
    let trees = names(&site.file(&format!("{STORE}/u")));
    let out = build(&site, &[]);
    // the page replaced: rendered again; the tree with a file added: its files linked into a
    // new tree, one by one
    assert!(out.stdout.contains("重新生成 1 个单位"), "{}", out.stdout);
    assert_eq!(tree(&site.file("public")), published);
    assert_clean(&site);
    let now = names(&site.file(&format!("{STORE}/u")));
    let new: Vec<&String> = now.iter().filter(|t| !trees.contains(t)).collect();
    assert_eq!(new.len(), 2, "{now:?}");
}

#[test]
fn verify_sees_through_the_links_and_names_a_changed_page_in_a_tree() {
    let site = versioned_site();
    let ok = site.run(&["verify", "public"]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    let files: BTreeMap<String, Vec<u8>> = tree(&site.file("public"));
    assert!(files.keys().any(|p| p.starts_with("qingyuan-water/")), "unit pages are seen");
    let page = site.file("public/qingyuan-water/fees.html");
    let mut bytes = fs::read(&page).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    fs::write(&page, bytes).unwrap();
    let out = site.run(&["verify", "public"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("发布后被改动（1 项）：\n    qingyuan-water/fees.html\n"), "{}", out.stdout);
}
