//! The bad-input corpus: every folder under tests/fixtures/bad_input/ is one case, laid over a
//! copy of the example portal. Its expect.yaml names the exit status and the finding gongkai must
//! give: kind, file, line, column, words of the message and of the help. Cases whose input cannot
//! live in git (symlinks, non-UTF-8 names, huge or binary files) are made by `setup` below.
//! No case may panic; each must say precisely what is wrong.

mod common;

use std::fs;
use std::path::Path;

use common::{Site, run_in};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    exit: i32,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    line: Option<u64>,
    #[serde(default)]
    column: Option<u64>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    help: Option<String>,
    #[serde(default)]
    setup: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

const W: &str = "content/qingyuan-water";

/// Inputs that cannot be committed as files.
fn setup(site: &Site, what: &str) {
    let unit = site.file(W);
    match what {
        "gbk" => {
            let text = site.read(&format!("{W}/unit.yaml"));
            let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
            fs::write(unit.join("unit.yaml"), bytes).unwrap();
        }
        "utf16" => {
            let text = site.read(&format!("{W}/unit.yaml"));
            let mut bytes = vec![0xFF, 0xFE];
            bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            fs::write(unit.join("unit.yaml"), bytes).unwrap();
        }
        "invalid-utf8" => fs::write(unit.join("fees.yaml"), b"# fees\n\xff\xfe\xfd bad bytes\n").unwrap(),
        "bom" => {
            let text = site.read(&format!("{W}/unit.yaml"));
            fs::write(unit.join("unit.yaml"), [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()).unwrap();
        }
        "crlf" => {
            for f in ["unit.yaml", "fees.yaml", "notices/2026-11-计划停水.md"] {
                let text = site.read(&format!("{W}/{f}")).replace('\n', "\r\n");
                fs::write(unit.join(f), text).unwrap();
            }
        }
        "binary" => fs::write(unit.join("fees.yaml"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap(),
        "huge" => {
            let line = "  - 项目名称: 水费\n    收费依据: 文件\n    收费标准: 3 元\n";
            let text = format!("收费项目:\n{}", line.repeat(5 * 1024 * 1024 / line.len() + 1));
            fs::write(unit.join("fees.yaml"), text).unwrap();
        }
        "deep" => {
            let mut text = String::from("收费项目:\n");
            for depth in 0..40 {
                text.push_str(&format!("{}- \n", "  ".repeat(depth + 1)));
            }
            text.push_str(&format!("{}项目名称: 水费\n", "  ".repeat(42)));
            fs::write(unit.join("fees.yaml"), text).unwrap();
        }
        "alias-bomb" => {
            let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
            for i in 1..10 {
                let p = format!("*a{}", i - 1);
                text.push_str(&format!("a{i}: &a{i} [{}]\n", [p.as_str(); 10].join(", ")));
            }
            text.push_str("收费项目: *a9\n");
            fs::write(unit.join("fees.yaml"), text).unwrap();
        }
        "symlink-outside" => std::os::unix::fs::symlink("/etc/passwd", unit.join("attachments/passwd")).unwrap(),
        "symlink-dangling" => std::os::unix::fs::symlink("nowhere.pdf", unit.join("attachments/gone.pdf")).unwrap(),
        "symlink-loop" => std::os::unix::fs::symlink("..", unit.join("attachments/loop")).unwrap(),
        "bad-name" => {
            use std::os::unix::ffi::OsStrExt;
            let name = std::ffi::OsStr::from_bytes(b"\xC9\xEA\xC7\xEB.pdf"); // "申请" in GBK
            fs::write(unit.join("attachments").join(name), b"%PDF-1.4").unwrap();
        }
        "fifo" => {
            fs::remove_file(unit.join("fees.yaml")).unwrap();
            let status = std::process::Command::new("mkfifo").arg(unit.join("fees.yaml")).status().unwrap();
            assert!(status.success());
        }
        "reserved-slug" => common::copy_dir(&unit, &site.file("content/static")),
        "reserved-slug-case" => common::copy_dir(&unit, &site.file("content/Index.HTML")),
        // the same name, composed (NFC) and decomposed (NFD): two folders, one address
        "nfd-slug" => {
            common::copy_dir(&unit, &site.file("content/caf\u{e9}"));
            common::copy_dir(&unit, &site.file("content/cafe\u{301}"));
        }
        "bidi-slug" => common::copy_dir(&unit, &site.file("content/water\u{202e}lmth.exe")),
        "unit-link-outside" => std::os::unix::fs::symlink("/etc", site.file("content/etc")).unwrap(),
        "link-to-fifo" => {
            mkfifo(&site.file("pipe"));
            std::os::unix::fs::symlink(site.file("pipe"), unit.join("attachments/表.pdf")).unwrap();
        }
        "fifo-notice" => mkfifo(&unit.join("notices/管道.md")),
        "empty-unit" => fs::create_dir_all(site.file("content/empty-unit")).unwrap(),
        "same-slug" => common::copy_dir(&unit, &site.file("content/Qingyuan-Water")),
        "space-slug" => common::copy_dir(&unit, &site.file("content/清源 供水")),
        "no-content" => fs::remove_dir_all(site.file("content")).unwrap(),
        "gbk-csv" => {
            let (bytes, _, _) = encoding_rs::GB18030.encode("户名,身份证号\r\n王某,11010519491231002X\r\n");
            fs::write(unit.join("attachments/名单.csv"), bytes).unwrap();
        }
        "zip-bomb" => {
            use std::io::Write;
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let options = zip::write::SimpleFileOptions::default().large_file(true);
            zip.start_file("word/document.xml", options).unwrap();
            let block = "<w:p><w:r><w:t>AAAA</w:t></w:r></w:p>".repeat(1 << 14);
            for _ in 0..(200 << 20) / block.len() {
                zip.write_all(block.as_bytes()).unwrap();
            }
            fs::write(unit.join("attachments/炸弹.docx"), zip.finish().unwrap().into_inner()).unwrap();
        }
        "build" => {}
        other => panic!("unknown setup {other}"),
    }
}

fn mkfifo(path: &Path) {
    rustix::fs::mkfifoat(rustix::fs::CWD, path, rustix::fs::Mode::from_raw_mode(0o644)).unwrap();
}

fn run_case(dir: &Path) -> Result<(), String> {
    let expect: Expect = serde_saphyr::from_str(&fs::read_to_string(dir.join("expect.yaml")).unwrap())
        .map_err(|e| format!("expect.yaml: {e}"))?;
    let site = Site::example();
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(dir).unwrap();
        if entry.file_type().is_file() && rel != Path::new("expect.yaml") {
            let target = site.path().join(rel);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::copy(entry.path(), target).unwrap();
        }
    }
    if let Some(s) = &expect.setup {
        setup(&site, s);
    }
    let command = if expect.setup.as_deref() == Some("build") { "build" } else { "check" };
    let args = if command == "check" { vec!["check", "--format", "json"] } else { vec!["build", "--strict"] };
    let out = run_in(site.path(), &args, &[]);
    let detail = || format!("\n--- stdout\n{}\n--- stderr\n{}", out.stdout, out.stderr);
    let panicked = out.stderr.contains("panicked");
    if panicked {
        return Err(format!("panicked{}", detail()));
    }
    if out.code != expect.exit {
        return Err(format!("exit {}, expected {}{}", out.code, expect.exit, detail()));
    }

    if expect.exit == 2 {
        let want = expect.message.as_deref().unwrap_or_default();
        return if out.stderr.contains(want) { Ok(()) } else { Err(format!("stderr lacks {want:?}{}", detail())) };
    }
    let json: serde_json::Value = if command == "build" {
        serde_json::from_str(&site.read("gongkai-report/report.json")).unwrap()
    } else {
        serde_json::from_str(&out.stdout).map_err(|e| format!("json: {e}{}", detail()))?
    };
    let findings = json["findings"].as_array().unwrap();
    let Some(kind) = &expect.kind else {
        // a case that must give no finding at all for the unit
        let unit = expect.unit.as_deref().unwrap_or("qingyuan-water");
        let mine: Vec<_> = findings.iter().filter(|f| f["unit"] == unit).collect();
        return if mine.is_empty() { Ok(()) } else { Err(format!("expected no finding, got {mine:#?}")) };
    };
    let matches = |f: &&serde_json::Value| {
        f["kind"] == kind.as_str()
            && expect.file.as_deref().is_none_or(|file| f["file"] == file)
            && expect.line.is_none_or(|l| f["line"] == l)
            && expect.column.is_none_or(|c| f["column"] == c)
            && expect.message.as_deref().is_none_or(|m| f["message"].as_str().unwrap_or_default().contains(m))
            && expect.help.as_deref().is_none_or(|h| f["help"].as_str().unwrap_or_default().contains(h))
            && expect.unit.as_deref().is_none_or(|u| f["unit"] == u)
    };
    let hit = findings.iter().find(matches).ok_or_else(|| {
        let relevant: Vec<_> =
            findings.iter().filter(|f| f["unit"].as_str() == expect.unit.as_deref() || f["unit"].is_null()).collect();
        format!("no finding like {expect:?}; got {relevant:#?}")
    })?;
    // every finding names its file, and its line when the problem has one
    if hit["file"].as_str().is_none_or(str::is_empty) || hit["message"].as_str().is_none_or(str::is_empty) {
        return Err(format!("finding without file or message: {hit}"));
    }
    let _ = &expect.note;
    Ok(())
}

#[test]
fn every_bad_input_case_gives_its_specific_message_and_exit_status() {
    let root = Path::new(common::REPO).join("tests/fixtures/bad_input");
    let mut names: Vec<String> =
        fs::read_dir(&root).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert!(names.len() >= 40, "the corpus has {} cases", names.len());
    let failures: Vec<String> =
        names.iter().filter_map(|n| run_case(&root.join(n)).err().map(|e| format!("== {n}: {e}"))).collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), names.len(), failures.join("\n\n"));
}

#[test]
fn an_unreadable_file_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::example();
    fs::set_permissions(site.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let f = site.file(&format!("{W}/fees.yaml"));
    fs::set_permissions(&f, fs::Permissions::from_mode(0o000)).unwrap();
    let bin = env!("CARGO_BIN_EXE_gongkai");
    // root reads everything; as root, run gongkai as an ordinary user in a user namespace
    let out = if rustix::process::geteuid().is_root() {
        let probe = std::process::Command::new("unshare").args(["--map-user=1000", "true"]).output();
        if !probe.is_ok_and(|o| o.status.success()) {
            fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
            eprintln!("skipped: running as root and user namespaces (unshare) are not allowed here");
            return;
        }
        std::process::Command::new("unshare")
            .args(["--map-user=1000", "--map-group=1000", bin, "check", "--format", "json"])
            .current_dir(site.path())
            .output()
            .unwrap()
    } else {
        std::process::Command::new(bin).args(["check", "--format", "json"]).current_dir(site.path()).output().unwrap()
    };
    fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("无法读取：没有权限"), "{stdout}");
    assert!(!stdout.contains("Permission denied"), "the reason is in Chinese: {stdout}");
}
