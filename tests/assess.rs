//! `gongkai assess`: a bureau's roster gathered from a site folder (the example units), a built
//! folder, and live sites served over HTTP on 127.0.0.1 by a small server thread in this test:
//! one unit publishing on its own site, one that never answers (timeout), one that answers with
//! garbage, one with a format version from the future, and one on the roster that is nowhere
//! (应报未报). Each problem is a finding about its unit, and the rest is gathered.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Site, copy_dir, run_in};

const NO_PROXY: [(&str, &str); 2] = [("NO_PROXY", "127.0.0.1"), ("no_proxy", "127.0.0.1")];

/// Answer one request: `/remote/…` from the built site `public`, `/slow/…` never (the connection
/// is held 3 s, then closed), `/garbage/…` with an HTML error page, `/future/…` with a
/// `data.json` of schema version 2, anything else 404.
fn answer(mut stream: TcpStream, public: &Path) {
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).unwrap_or(0);
    let head = String::from_utf8_lossy(&buf[..n]);
    let path = head.split(' ').nth(1).unwrap_or("/").to_string();
    let (status, body): (&str, Vec<u8>) = if path.starts_with("/slow/") {
        std::thread::sleep(Duration::from_secs(3));
        return;
    } else if path.starts_with("/garbage/") {
        ("200 OK", b"<html><body>502 Bad Gateway</body></html>".to_vec())
    } else if path.starts_with("/future/") && path.ends_with("/data.json") {
        ("200 OK", br#"{"schema_version": 2, "slug": "f", "name": "f", "required": 1, "published": 1}"#.to_vec())
    } else if let Some(rel) = path.strip_prefix("/remote/").filter(|r| !r.contains("..")) {
        match std::fs::read(public.join(rel)) {
            Ok(bytes) => ("200 OK", bytes),
            Err(_) => ("404 Not Found", b"not found".to_vec()),
        }
    } else {
        ("404 Not Found", b"not found".to_vec())
    };
    let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
    let _ = stream.write_all(&body);
}

/// The server on a free port of 127.0.0.1; its threads end with the test process.
fn serve(public: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(200).flatten() {
            let public = public.clone();
            std::thread::spawn(move || answer(stream, &public));
        }
    });
    port
}

/// A folder holding `example/` (the example portal), `remote/` (a unit's own site, built) and
/// `bureau/bureau.yaml` over them all; the server's port.
fn bureau() -> (Site, u16) {
    let root = Site::empty();
    copy_dir(&Path::new(common::REPO).join("content"), &root.file("example/content"));
    std::fs::copy(Path::new(common::REPO).join("gongkai.yaml"), root.file("example/gongkai.yaml")).unwrap();
    copy_dir(&Path::new(common::REPO).join("tests/fixtures/sector_units"), &root.file("remote"));
    copy_dir(&Path::new(common::REPO).join("tests/fixtures/bureau_remote"), &root.file("remote"));
    // the unit publishes no commitments: its report says which items are missing
    root.remove("remote/content/yinxi-sewage/commitments.yaml");
    let built = run_in(&root.file("remote"), &["build", "--quiet"], &[]);
    assert_eq!(built.code, 0, "{}{}", built.stdout, built.stderr);
    let port = serve(root.file("remote/public"));
    let roster = std::fs::read_to_string(Path::new(common::REPO).join("bureau/bureau.yaml")).unwrap();
    let roster = roster.replace("站点: ..", "站点: ../example");
    root.write(
        "bureau/bureau.yaml",
        format!(
            "{roster}{}",
            [
                "  - 名称: 白银银西污水处理有限公司（测试用虚构单位）",
                "    目录: yinxi-sewage",
                "    县区: 白银区",
                "    主管部门: 白银市生态环境局",
                "    网址: http://127.0.0.1:PORT/remote",
                "  - 名称: 同一网站的生成目录",
                "    目录: yinxi-sewage",
                "    生成目录: ../remote/public",
                "  - 名称: 不应答的单位",
                "    目录: unit",
                "    县区: 靖远县",
                "    网址: http://127.0.0.1:PORT/slow/",
                "  - 名称: 答非所问的单位",
                "    目录: unit",
                "    县区: 会宁县",
                "    网址: http://127.0.0.1:PORT/garbage/",
                "  - 名称: 新版本的单位",
                "    目录: unit",
                "    网址: http://127.0.0.1:PORT/future/",
                "",
            ]
            .join("\n")
            .replace("PORT", &port.to_string())
        ),
    );
    (root, port)
}

fn assess(root: &Site, args: &[&str]) -> common::Output {
    let mut all = vec!["assess", "bureau", "--today", "2026-11-27", "--timeout", "0.5", "--retries", "1"];
    all.extend_from_slice(args);
    run_in(root.path(), &all, &NO_PROXY)
}

#[test]
fn every_unit_is_gathered_or_a_finding_and_one_bad_unit_never_stops_the_rest() {
    let (root, port) = bureau();
    let out = assess(&root, &[]);
    assert_eq!(out.code, 1, "findings give exit 1\n{}{}", out.stdout, out.stderr);
    assert_eq!(out.stderr, "");
    insta::assert_snapshot!("assess_human", out.stdout.replace(&port.to_string(), "PORT"));

    let out = assess(&root, &["--format", "json"]);
    assert_eq!(out.code, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["kind"], "gongkai-assess");
    assert_eq!(json["period"], serde_json::json!({"start": "2026-01-01", "end": "2026-12-31"}));
    let status: Vec<(&str, &str)> = json["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["slug"].as_str().unwrap_or("-"), u["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        status,
        [
            ("qingyuan-water", "gathered"),
            ("tongcheng-power", "gathered"),
            ("yincheng-bus", "gathered"),
            ("renhe-hospital", "gathered"),
            ("jinding-school", "gathered"),
            ("pingchuan-heating", "missing"),
            ("yinxi-sewage", "gathered"),
            ("yinxi-sewage", "gathered"),
            ("unit", "failed"),
            ("unit", "failed"),
            ("unit", "failed"),
        ]
    );
    let kinds: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["unit"].as_str().unwrap_or("-"), f["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("白银市平川供热有限公司", "not-published"),
            ("白银银西污水处理有限公司（测试用虚构单位）", "incomplete"),
            ("同一网站的生成目录", "incomplete"),
            ("不应答的单位", "unreachable"),
            ("答非所问的单位", "malformed"),
            ("新版本的单位", "unknown-version"),
            ("-", "not-on-roster"),
            ("-", "not-on-roster"),
        ]
    );
    // the unit's own site published its report: each rule's outcome was read over HTTP, and the
    // same as from its built folder
    let remote = &json["units"][6]["data"];
    let rules = remote["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["status"] == "failed") && rules.iter().any(|r| r["status"] == "passed"));
    assert_eq!(remote, &json["units"][7]["data"]);
    // the site folder's units come with their rule outcomes as `check` gives them
    let school = &json["units"][4]["data"];
    assert_eq!((school["required"].as_u64(), school["published"].as_u64()), (Some(41), Some(41)));
    assert!(school["rules"].as_array().unwrap().iter().all(|r| r["status"] == "passed"));
}

#[test]
fn the_example_bureau_names_its_missing_unit() {
    let out = run_in(Path::new(common::REPO), &["assess", "bureau", "--today", "2026-11-27"], &[]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("名单 6 个单位：已汇总 5（其中公开齐全 5），应报未报 1，无法读取 0；名单之外 0"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "错误[应报未报] 白银市平川供热有限公司：应报未报：站点 . 没有单位文件夹 content/pingchuan-heating"
        )
    );
}

#[test]
fn output_file_gets_the_json_and_the_terminal_the_words() {
    let root = Site::example();
    root.write(
        "bureau/bureau.yaml",
        "考核年度: 2026\n站点: ..\n名单:\n  - 名称: 白银清源供水有限公司\n    目录: qingyuan-water\n",
    );
    let out = run_in(root.path(), &["assess", "bureau", "-f", "json", "-o", "snapshot.json"], &[]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("结论：名单上的单位都已汇总，必须公开的内容齐全。"), "{}", out.stdout);
    let json: serde_json::Value = serde_json::from_str(&root.read("snapshot.json")).unwrap();
    assert_eq!(json["summary"]["gathered"], 1);
    // the site's four other units are listed, not assessed
    assert_eq!(json["unlisted"].as_array().unwrap().len(), 4);
    assert!(json["findings"].as_array().unwrap().iter().all(|f| f["severity"] == "warning"));
}

#[test]
fn a_broken_bureau_file_is_a_usage_error_at_its_line() {
    let root = Site::empty();
    root.write("bureau.yaml", "考核年度: 2026\n站点: .\n名单:\n  - 名称: 甲\n    县市: 乙\n");
    let out = run_in(root.path(), &["assess"], &[]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("bureau.yaml:5:5: 配置文件有误：不认识的项「县市」。是不是「县区」？"),
        "{}",
        out.stderr
    );
}
