//! Signed publication records through the binary (issue 14 part 3): `verify --new-key` makes a
//! key, `build` with GONGKAI_SIGNING_KEY signs each new entry and publishes the public key,
//! `verify` names a bad signature, and a build refuses a key file inside the site or a missing
//! key after signed entries.

mod common;

use common::{Site, run_in};

const NOTICE: &str = "content/qingyuan-water/notices/2026-11-计划停水.md";

fn new_key(site: &Site, file: &std::path::Path) {
    let out = site.run(&["verify", "--new-key", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

fn build(site: &Site, env: &[(&str, &str)]) -> common::Output {
    run_in(site.path(), &["build", "-q", "--today", "2026-11-30"], env)
}

#[test]
fn a_signed_build_verifies_and_a_flipped_signature_byte_is_named() {
    let site = Site::example();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("gongkai.key");
    new_key(&site, &key);
    // no overwriting an existing key
    let again = site.run(&["verify", "--new-key", key.to_str().unwrap()]);
    assert_eq!(again.code, 2, "{}", again.stdout);
    assert!(again.stderr.contains("已经存在"), "{}", again.stderr);

    // a first build without a key, then two signed ones: signing may start at any entry
    assert_eq!(build(&site, &[]).code, 0);
    let env = [("GONGKAI_SIGNING_KEY", key.to_str().unwrap())];
    site.write(NOTICE, site.read(NOTICE).replace("停水", "停水（更正）"));
    let out = build(&site, &env);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    site.write(NOTICE, site.read(NOTICE).replace("停水（更正）", "停水（再更正）"));
    assert_eq!(build(&site, &env).code, 0);
    for file in ["key.pub", "entries/000002.sig", "entries/000003.sig"] {
        assert_eq!(
            site.read(&format!("record/{file}")),
            site.read(&format!("public/.well-known/gongkai/{file}")),
            "{file} is kept in record/ and published"
        );
    }
    assert!(!site.file("record/entries/000001.sig").exists());
    let ok = site.run(&["verify", "public"]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(ok.stdout.contains("签名：第 2–3 条中 2 条记录的签名与公开的公钥"), "{}", ok.stdout);

    // an unchanged build keeps the signatures published
    assert_eq!(build(&site, &[]).code, 0);
    assert!(site.file("public/.well-known/gongkai/entries/000003.sig").is_file());
    assert_eq!(site.run(&["verify", "public"]).code, 0);

    let sig = "public/.well-known/gongkai/entries/000002.sig";
    let mut bytes = std::fs::read(site.file(sig)).unwrap();
    bytes[5] = if bytes[5] == b'A' { b'B' } else { b'A' };
    std::fs::write(site.file(sig), bytes).unwrap();
    let out = site.run(&["verify", "public"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("签名不符或缺失（1 项）：\n    第 2 条记录（entries/000002.json）：签名 entries/000002.sig 与公钥 key.pub 不符"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_build_refuses_a_key_inside_the_site_and_a_missing_key_after_signed_entries() {
    let site = Site::example();
    let inside = site.file("gongkai.key");
    new_key(&site, &inside);
    let out = build(&site, &[("GONGKAI_SIGNING_KEY", inside.to_str().unwrap())]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("在站点文件夹里"), "{}", out.stderr);
    assert!(!site.file("record").exists(), "nothing recorded");

    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("gongkai.key");
    new_key(&site, &key);
    let text = std::fs::read_to_string(&key).unwrap();
    // the key itself in the environment works as well as its file
    let out = build(&site, &[("GONGKAI_SIGNING_KEY_B64", text.trim())]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(site.file("record/entries/000001.sig").is_file());

    site.write(NOTICE, site.read(NOTICE).replace("停水", "停水（更正）"));
    let out = build(&site, &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("没有配置签名私钥"), "{}", out.stderr);
    assert!(!site.file("record/entries/000002.json").exists(), "no unsigned entry written");
}
