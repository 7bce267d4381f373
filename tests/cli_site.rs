//! Which site the binary works on and at which address: `--base-url` for one run (staging or
//! production), and the site root found from a subfolder, like git.

mod common;

use common::{Site, run_in};

const STAGING: &str = "https://staging.example.org/gk/";
const CONFIGURED: &str = "https://gongkai.baiyin.example/";

/// Every published file that names an address, and the address it names.
fn addresses(site: &Site) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(site.file("public")).into_iter().map(Result::unwrap) {
        let name = entry.path().to_string_lossy().into_owned();
        if name.ends_with(".html") || name.ends_with(".xml") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for base in [STAGING, CONFIGURED] {
                if text.contains(base) {
                    out.push((name.rsplit_once("public/").unwrap().1.to_string(), base.to_string()));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn base_url_replaces_the_configured_address_for_one_build() {
    let site = Site::example();
    let out = site.run(&["build", "--quiet", "--base-url", STAGING]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let found = addresses(&site);
    assert!(found.iter().all(|(_, base)| base == STAGING), "the configured address is still published: {found:?}");
    for file in ["sitemap.xml", "atom.xml", "index.html", "qingyuan-water/sitemap.xml"] {
        assert!(found.iter().any(|(f, _)| f == file), "{file} names no address: {found:?}");
    }
    // the canonical link of a page, and its QR code's address shown beside it
    let page = site.read("public/qingyuan-water/fees.html");
    assert!(page.contains(&format!("<link rel=\"canonical\" href=\"{STAGING}qingyuan-water/fees.html\">")), "{page}");
    assert!(site.read("public/sitemap.xml").contains(&format!("<loc>{STAGING}sitemap-portal.xml</loc>")));
    // a staging site is not a publication: the record keeps no entry and no archived version of it
    assert!(out.stdout.contains("不算正式发布，没有写入 record/"), "{}", out.stdout);
    assert!(!site.file("record").exists());

    // and without it, the configured one again, recorded; its history shows no staging version
    let out = site.run(&["build", "--quiet"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("公开记录：第 1 条"), "{}", out.stdout);
    assert!(addresses(&site).iter().all(|(_, base)| base == CONFIGURED), "{:?}", addresses(&site));
    // the configured address given on the command line is a publication like any other
    let out = site.run(&["build", "--quiet", "--base-url", CONFIGURED.trim_end_matches('/')]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("公开记录：与上次发布相比没有变化"), "{}", out.stdout);
}

#[test]
fn a_bad_base_url_is_a_usage_error_in_chinese() {
    let site = Site::example();
    for (bad, says) in [
        ("gk.example.gov.cn", "应以 http:// 或 https:// 开头"),
        ("ftp://gk.example.gov.cn/", "应以 http:// 或 https:// 开头"),
        ("https://gk.example .gov.cn/", "有空格"),
        ("https://gk.example.gov.cn/?from=qr", "不能带「?」或「#」"),
        ("https://admin:secret@gk.example.gov.cn/", "不能写用户名或密码"),
        ("https://", "不是完整的网站地址"),
    ] {
        for args in [&["build", "--base-url", bad][..], &["serve", "--port", "0", "--base-url", bad]] {
            let command = args[0];
            let out = site.run(args);
            assert_eq!(out.code, 2, "{command} --base-url {bad}: {}{}", out.stdout, out.stderr);
            assert!(out.stderr.contains("--base-url：") && out.stderr.contains(says), "{bad}: {}", out.stderr);
        }
    }
    assert!(!site.file("public").exists(), "nothing was built");
}

#[test]
fn a_bad_base_url_in_the_configuration_stops_the_site() {
    let site = Site::example();
    let config = site.read("gongkai.yaml").replace(CONFIGURED, "gongkai.baiyin.example");
    site.write("gongkai.yaml", config);
    let out = site.run(&["check"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("gongkai.yaml: 配置文件有误：base_url: 「gongkai.baiyin.example」"), "{}", out.stderr);
    // the command line's address replaces it, but does not excuse it
    assert_eq!(site.run(&["build", "--base-url", STAGING]).code, 2);
}

#[test]
fn from_a_subfolder_the_site_above_is_used_and_its_public_folder() {
    let site = Site::example();
    let notices = site.file("content/qingyuan-water/notices");
    let out = run_in(&notices, &["build", "--quiet"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let root = site.path().canonicalize().unwrap();
    let said: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(said, [format!("当前文件夹不是站点，使用上级文件夹中的站点：{}", root.display())], "one line");
    assert!(site.file("public/index.html").is_file());
    assert!(site.file("gongkai-report/index.html").is_file());
    assert!(site.file("record").is_dir());
    for stray in ["public", "gongkai-report", "record"] {
        assert!(!notices.join(stray).exists(), "{stray} written into the subfolder");
    }

    let out = run_in(&notices, &["check", "--quiet"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("检查了 5 个单位"), "{}", out.stdout);

    // export writes into the site root, never into a unit folder where it would be published
    let out = run_in(&notices, &["export", "--unit", "qingyuan-water", "--format", "csv"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(std::fs::read_dir(&notices).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".csv")));
    assert!(
        std::fs::read_dir(site.path()).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".csv"))
    );
}

#[test]
fn at_the_site_root_nothing_is_said() {
    let site = Site::example();
    let out = site.run(&["check", "--quiet"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
}

#[test]
fn a_named_site_is_never_searched_upward() {
    let site = Site::example();
    let out = run_in(&site.file("content/qingyuan-water"), &["check", "."], &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("没有 content/ 文件夹"), "{}", out.stderr);
    assert!(!out.stderr.contains("上级文件夹"), "{}", out.stderr);
}

#[test]
fn the_search_stops_at_the_top_of_a_repository() {
    let site = Site::example();
    // a repository inside the site (a unit kept in its own repository)
    site.write("content/qingyuan-water/.git/HEAD", "ref: refs/heads/main\n");
    let out = run_in(&site.file("content/qingyuan-water/notices"), &["check"], &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("没有 content/ 文件夹"), "{}", out.stderr);
}
