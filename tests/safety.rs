//! Nothing lost, nothing leaked: `build` never replaces what it did not write, never reads outside
//! the site, never hangs on a special file, reports write errors in Chinese with the old site
//! intact; reports show file names as they are.
//!
//! The write-error cases need a full disk, a read-only disk and a folder the build may not write
//! to. They make them without privileges, in a user and mount namespace (`unshare`, util-linux);
//! where the system does not allow that, the test prints that it was skipped and why.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Site, run_in};

const W: &str = "content/qingyuan-water";

/// Every file and link under `dir` (`.git` included), relative path → bytes (or link target).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let bytes = if e.file_type().is_symlink() {
                fs::read_link(e.path()).unwrap().to_string_lossy().into_owned().into_bytes()
            } else {
                fs::read(e.path()).unwrap()
            };
            (rel, bytes)
        })
        .collect()
}

/// The example portal under version control, as a clerk's checkout would be.
fn versioned_example() -> Site {
    let site = Site::example();
    site.write(".git/HEAD", "ref: refs/heads/main\n");
    site.write(".git/config", "[core]\n\trepositoryformatversion = 0\n");
    site.write("README.md", "# 我们单位的公开网站\n");
    site
}

#[test]
fn build_never_writes_over_the_sites_own_sources() {
    let site = versioned_example();
    let before = snapshot(site.path());
    let abs = site.path().to_str().unwrap().to_string();
    let attachments = format!("{W}/attachments");
    let cases: [(&[&str], &str); 7] = [
        (&["build", ".", "-o", "."], "站点目录本身"),
        (&["build", ".", "-o", &abs], "站点目录本身"),
        (&["build", "-o", "content"], "content/ 之内"),
        (&["build", "-o", &attachments], "content/ 之内"),
        (&["build", "-o", "content/新文件夹"], "content/ 之内"),
        (&["build", "-o", ".."], "包含整个站点"),
        (&["build", "-o", "content/../."], "站点目录本身"),
    ];
    for (args, words) in cases {
        let out = site.run(args);
        assert_eq!(out.code, 2, "{args:?}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains("不能输出到") && out.stderr.contains(words), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains("帮助"), "{args:?} says how to proceed: {}", out.stderr);
    }
    // from inside the content folder, `-o .` names the current directory
    let out = run_in(&site.file("content"), &["build", "..", "-o", "."], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("content/ 之内"), "{}", out.stderr);
    let out = run_in(&site.file(W), &["build", "../..", "-o", "../../public"], &[]);
    assert_eq!(out.code, 0, "a proper output from a unit folder works: {}", out.stderr);
    site.remove("public");
    site.remove("gongkai-report");
    // the publication record is gongkai's own folder beside the sources (committed with them)
    assert!(site.file("record/log.json").is_file());
    site.remove("record");
    // and so is the build cache (see "The build cache")
    site.remove(".gongkai-cache");
    assert_eq!(snapshot(site.path()), before, "the site's sources are exactly as they were");
}

#[test]
fn build_replaces_only_a_folder_it_wrote() {
    let site = Site::example();
    let mine = tempfile::tempdir().unwrap();
    fs::write(mine.path().join("论文.docx"), "precious").unwrap();
    fs::create_dir(mine.path().join("照片")).unwrap();
    fs::write(mine.path().join("照片/1.jpg"), "jpeg").unwrap();
    let before = snapshot(mine.path());
    let out = site.run(&["build", "-o", mine.path().to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("不是 gongkai 生成的") && out.stderr.contains("帮助"), "{}", out.stderr);
    assert_eq!(snapshot(mine.path()), before, "nothing in the user's folder was touched");

    // `-o .` in a folder of one's own: refused with a real message, not "device busy"
    let out = run_in(mine.path(), &["build", site.path().to_str().unwrap(), "-o", "."], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("当前所在的目录"), "{}", out.stderr);
    assert_eq!(snapshot(mine.path()), before);

    // an empty folder may receive a site; a folder gongkai wrote may be replaced
    let empty = tempfile::tempdir().unwrap();
    let target = empty.path().to_str().unwrap();
    for _ in 0..2 {
        let out = site.run(&["build", "-o", target, "--quiet"]);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        assert!(empty.path().join(".gongkai-output").is_file());
        assert!(empty.path().join("index.html").is_file());
    }
    // a file put into the output by hand is not a reason to refuse: the marker says whose it is
    fs::write(empty.path().join("stray.txt"), "x").unwrap();
    let out = site.run(&["build", "-o", target, "--quiet"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!empty.path().join("stray.txt").exists());
}

/// Run `script` with `sh -c` as an unprivileged user (`--map-user`) or as the namespace's root
/// with its own mounts; `None` if this system does not allow user namespaces.
fn in_namespace(unprivileged: bool, script: &str, env: &[(&str, &str)]) -> Option<std::process::Output> {
    let mut args = vec!["--user"];
    if unprivileged {
        args.extend(["--map-user=1000", "--map-group=1000"]);
    } else {
        args.extend(["--map-root-user", "--mount"]);
    }
    let probe = Command::new("unshare").args(&args).args(["sh", "-c", "true"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return None;
    }
    let mut cmd = Command::new("unshare");
    cmd.args(&args).args(["sh", "-c", script]).env("GONGKAI", env!("CARGO_BIN_EXE_gongkai"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    Some(cmd.output().unwrap())
}

/// A previous site in `dir/public`, as gongkai would have left it.
const OLD_SITE: &str = r#"mkdir -p "$D/public" && printf 'gongkai\n' > "$D/public/.gongkai-output" && echo old-site > "$D/public/index.html""#;

fn world_readable(site: &Site) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(site.path(), fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn write_errors_are_reported_in_chinese_and_the_old_site_stays() {
    let site = Site::example();
    world_readable(&site);
    let mount = tempfile::tempdir().unwrap();
    let env = [("SITE", site.path().to_str().unwrap()), ("D", mount.path().to_str().unwrap())];
    let cases = [
        (
            "磁盘已满",
            format!(
                r#"mount -t tmpfs -o size=48k tmpfs "$D" && {OLD_SITE} && "$GONGKAI" build "$SITE" -o "$D/public" --quiet; echo "exit=$?"; cat "$D/public/index.html""#
            ),
        ),
        (
            "只读",
            format!(
                r#"mount -t tmpfs -o size=4m tmpfs "$D" && {OLD_SITE} && mount -o remount,ro "$D" && "$GONGKAI" build "$SITE" -o "$D/public" --quiet; echo "exit=$?"; cat "$D/public/index.html""#
            ),
        ),
    ];
    for (words, script) in cases {
        let Some(out) = in_namespace(false, &script, &env) else {
            eprintln!(
                "skipped: this system does not allow user and mount namespaces (unshare), so a full or read-only disk cannot be made without root"
            );
            return;
        };
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("exit=2") && stdout.contains("old-site"), "{words}: {stdout}{stderr}");
        assert!(stderr.contains("无法写入") && stderr.contains(words), "{words}: {stderr}");
        assert!(stderr.contains("保持原样"), "{words}: says the previous site is untouched: {stderr}");
        for english in ["No space", "Read-only", "os error"] {
            assert!(!stderr.contains(english), "{words}: {stderr}");
        }
    }

    // a folder the build may not write to, as an ordinary user
    let parent = tempfile::tempdir().unwrap();
    let env = [("SITE", site.path().to_str().unwrap()), ("D", parent.path().to_str().unwrap())];
    let script = format!(
        r#"{OLD_SITE} && chmod 555 "$D" && "$GONGKAI" build "$SITE" -o "$D/public" --quiet; echo "exit=$?"; chmod 755 "$D"; cat "$D/public/index.html""#
    );
    let Some(out) = in_namespace(true, &script, &env) else {
        eprintln!("skipped: this system does not allow user namespaces (unshare --map-user)");
        return;
    };
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("exit=2") && stdout.contains("old-site"), "{stdout}{stderr}");
    assert!(stderr.contains("无法写入") && stderr.contains("没有权限") && stderr.contains("保持原样"), "{stderr}");
}

#[test]
fn an_old_site_that_cannot_be_removed_is_reported() {
    let site = Site::example();
    world_readable(&site);
    let parent = tempfile::tempdir().unwrap();
    let env = [("SITE", site.path().to_str().unwrap()), ("D", parent.path().to_str().unwrap())];
    // a folder in the old site whose files its owner may not delete
    let script = format!(
        r#"{OLD_SITE} && mkdir "$D/public/locked" && echo x > "$D/public/locked/f" && chmod 555 "$D/public/locked" && "$GONGKAI" build "$SITE" -o "$D/public" --quiet; echo "exit=$?"; chmod -R u+w "$D""#
    );
    let Some(out) = in_namespace(true, &script, &env) else {
        eprintln!("skipped: this system does not allow user namespaces (unshare --map-user)");
        return;
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("exit=0"), "the new site is published all the same: {stdout}");
    assert!(stdout.contains("无法删除旧网站留下的文件夹") && stdout.contains("请手动删除"), "{stdout}");
    assert!(fs::read_to_string(parent.path().join("public/index.html")).unwrap().contains("<!DOCTYPE html>"));
}

#[test]
fn nothing_outside_the_site_is_read_through_a_link() {
    let site = Site::example();
    let outside = tempfile::tempdir().unwrap();
    common::copy_dir(&site.file(W), outside.path());
    fs::write(outside.path().join("attachments/secret.txt"), "root:x:0:0:SECRET-OUTSIDE").unwrap();
    std::os::unix::fs::symlink(outside.path(), site.file("content/leak")).unwrap();
    std::os::unix::fs::symlink("/etc", site.file("content/etc")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("attachments"), site.file(&format!("{W}/attachments/more")))
        .unwrap();

    let out = site.run(&["check", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let messages: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["file"].as_str().unwrap().to_string(), f["message"].as_str().unwrap().to_string()))
        .collect();
    for file in ["content/leak", "content/etc"] {
        assert!(messages.iter().any(|(f, m)| f == file && m.contains("指向站点之外")), "{file}: {messages:#?}");
    }
    let out = site.run(&["build", "--quiet"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for (path, bytes) in snapshot(&site.file("public")) {
        assert!(!path.starts_with("leak") && !path.starts_with("etc"), "{path} published");
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("SECRET-OUTSIDE") && !text.contains("root:x:0"), "{path} has outside content");
    }

    // a theme is read from the site too
    site.write("gongkai.yaml", "theme: ../../../../etc\n");
    let out = site.run(&["build", "--quiet"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("主题名"), "{}", out.stderr);
    fs::create_dir_all(site.file("themes")).unwrap();
    std::os::unix::fs::symlink(outside.path(), site.file("themes/evil")).unwrap();
    site.write("gongkai.yaml", "theme: evil\n");
    let out = site.run(&["build", "--quiet"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("站点之外"), "{}", out.stderr);
}

/// Run gongkai with a deadline: a hang is a failure, not a stuck test run.
fn run_within(dir: &Path, args: &[&str], limit: Duration) -> i32 {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("gongkai {args:?} still running after {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn special_files_never_hang_check_or_build() {
    let fifo = |path: &Path| {
        rustix::fs::mkfifoat(rustix::fs::CWD, path, rustix::fs::Mode::from_raw_mode(0o644)).unwrap();
    };
    for place in ["notices/管道.md", "services/管道.md", "attachments/管道.pdf", "attachments/链接.pdf"] {
        let site = Site::example();
        let path = site.file(&format!("{W}/{place}"));
        if place.ends_with("链接.pdf") {
            fifo(&site.file("pipe"));
            std::os::unix::fs::symlink(site.file("pipe"), &path).unwrap();
        } else {
            fifo(&path);
        }
        let limit = Duration::from_secs(60);
        assert_eq!(run_within(site.path(), &["check", "--quiet"], limit), 1, "{place}");
        assert_eq!(run_within(site.path(), &["build", "--quiet", "--strict"], limit), 1, "{place}");
        let out = site.run(&["check", "--format", "json"]);
        assert!(out.stdout.contains("不是普通文件"), "{place}: {}", out.stdout);
    }
}

#[test]
fn reports_show_file_names_as_they_are() {
    let site = Site::example();
    // an unknown content file whose name carries a backtick, a pipe, a line break and an escape
    // sequence that would clear a terminal
    let name = "表`1|2\n3\u{1b}[2J.yaml";
    site.write(&format!("{W}/{name}"), "a: 1\n");
    let out = site.run(&["check", "--format", "markdown"]);
    let table: Vec<&str> = out.stdout.lines().filter(|l| l.starts_with("| ") && l.contains("gongkai 不认识")).collect();
    assert_eq!(table.len(), 1, "one row, on one line: {}", out.stdout);
    let unescaped_pipes = table[0].replace("\\|", "").matches('|').count();
    assert_eq!(unescaped_pipes, 6, "five cells: {}", table[0]);
    assert!(table[0].contains("``content/qingyuan-water/表`1\\|2\\n3\\u{1b}[2J.yaml``"), "{}", table[0]);

    let out = site.run(&["check"]);
    assert!(!out.stdout.contains('\u{1b}'), "no raw escape reaches the terminal");
    assert!(out.stdout.contains("content/qingyuan-water/表`1|2\\n3\\u{1b}[2J.yaml"), "{}", out.stdout);
}

#[test]
fn images_and_links_that_leave_the_site_are_removed_and_reported() {
    let site = Site::example();
    let notice = format!("{W}/notices/2026-11-计划停水.md");
    let text = site.read(&notice);
    let lines = text.lines().count();
    site.write(
        &notice,
        format!(
            "{text}\n<img src=\"\\\\evil.example\\t.gif\" alt=\"x\">\n\n<img src=\"../../jinding-school/attachments/x.png\" alt=\"y\">\n\n<img src=\"../attachments/没有这张图.png\" alt=\"z\">\n"
        ),
    );
    let out = site.run(&["build", "--quiet"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&site.read("gongkai-report/report.json")).unwrap();
    let found: Vec<(u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"] == notice.as_str() && f["kind"] == "broken-link")
        .map(|f| (f["line"].as_u64().unwrap(), f["message"].as_str().unwrap().to_string()))
        .collect();
    let at = |n: usize| (lines + n) as u64;
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].0 == at(2) && found[0].1.contains("反斜杠"), "{found:#?}");
    assert!(found[1].0 == at(4) && found[1].1.contains("本单位之外"), "{found:#?}");
    assert!(found[2].0 == at(6) && found[2].1.contains("不存在"), "{found:#?}");
    let page = site.read("public/qingyuan-water/notices/2026-11-计划停水.html");
    assert!(!page.contains("evil.example"), "{page}");
}

#[test]
fn the_report_folder_is_not_an_output() {
    // found in review: `-o gongkai-report` replaced the report folder, then said nothing changed
    let site = Site::example();
    assert_eq!(site.run(&["build", "--quiet"]).code, 0);
    let before = snapshot(&site.file("gongkai-report"));
    let out = site.run(&["build", "--quiet", "-o", "gongkai-report"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("检查报告的目录") && out.stderr.contains("帮助"), "{}", out.stderr);
    assert_eq!(snapshot(&site.file("gongkai-report")), before);
}
