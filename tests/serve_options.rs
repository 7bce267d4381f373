//! `gongkai serve --drafts` and `--open`: drafts in the preview, marked as drafts; the browser
//! opened on the preview's address, and a browser that cannot be opened only a notice.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Site;

/// A preview server of our own, stopped (by its handle) when dropped.
struct Server {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(site: &Site, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
        cmd.args(["serve", "--port", "0"]).args(args).current_dir(site.path()).env("NO_COLOR", "1");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let (stdout, err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        // whole lines only: the server may write a line in several pieces, and a piece read
        // alone could end in the middle of a line or of a character
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let mut text = sink.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        });
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("预览地址：http://127.0.0.1:") {
                    let _ = tx.send(rest.trim_end_matches('/').parse::<u16>().unwrap());
                }
            }
        });
        let port = rx.recv_timeout(Duration::from_secs(60)).expect("the server prints its address");
        Server { child, port, stderr }
    }

    /// (status, body) of a GET.
    fn get(&self, path: &str) -> (u16, String) {
        match ureq::get(&format!("http://127.0.0.1:{}{path}", self.port)).call() {
            Ok(mut r) => (r.status().as_u16(), r.body_mut().read_to_string().unwrap()),
            Err(ureq::Error::StatusCode(code)) => (code, String::new()),
            Err(e) => panic!("{path}: {e}"),
        }
    }

    /// What the server wrote on standard error once `until` holds, or after 20 s.
    fn stderr_when(&self, until: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let text = self.stderr.lock().unwrap().clone();
            if until(&text) || start.elapsed() > Duration::from_secs(20) {
                return text;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const DRAFT_PAGE: &str = "/qingyuan-water/notices/draft-2027-price.html";

#[test]
fn drafts_are_shown_only_when_asked_for_and_marked_as_drafts() {
    let site = Site::example_with("draft_notice");
    let server = Server::start(&site, &[], &[]);
    assert_eq!(server.get(DRAFT_PAGE).0, 404);
    let (_, list) = server.get("/qingyuan-water/notices.html");
    assert!(!list.contains("关于调整居民阶梯水价的通知"), "the list names the draft");
    drop(server);

    let server = Server::start(&site, &["--drafts"], &[]);
    let (status, page) = server.get(DRAFT_PAGE);
    assert_eq!(status, 200);
    assert!(page.contains("<p class=\"draft-banner wrap\" role=\"note\"><strong>草稿</strong>"), "{page}");
    assert!(page.contains("3.45 元"), "{page}");
    let (_, list) = server.get("/qingyuan-water/notices.html");
    assert!(list.contains("关于调整居民阶梯水价的通知"), "{list}");
    // a published page carries no banner
    let (_, fees) = server.get("/qingyuan-water/fees.html");
    assert!(!fees.contains("draft-banner"), "{fees}");
}

#[cfg(unix)]
#[test]
fn open_starts_the_browser_on_the_preview_address() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::example();
    let opened = site.file("opened.txt");
    let browser = site.file("browser.sh");
    // written aside and renamed: the test sees the whole address or no file (a file the shell has
    // only created yet would read empty)
    site.write("browser.sh", format!("#!/bin/sh\necho \"$1\" > '{0}.part' && mv '{0}.part' '{0}'\n", opened.display()));
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let server = Server::start(&site, &["--open"], &[("BROWSER", browser.to_str().unwrap())]);
    let start = Instant::now();
    while !opened.exists() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = std::fs::read_to_string(&opened).expect("the browser was started");
    assert_eq!(url.trim(), format!("http://127.0.0.1:{}/", server.port));
    assert_eq!(server.get("/").0, 200);
}

#[test]
fn a_browser_that_cannot_be_opened_is_a_notice() {
    let site = Site::example();
    let empty = tempfile::tempdir().unwrap();
    let nowhere = empty.path().to_str().unwrap();
    // no browser anywhere: none named, none on the PATH, no desktop configuration
    let env = [
        ("BROWSER", "/nonexistent/browser"),
        ("PATH", nowhere),
        ("HOME", nowhere),
        ("XDG_CONFIG_HOME", nowhere),
        ("XDG_DATA_HOME", nowhere),
        ("XDG_DATA_DIRS", nowhere),
        ("XDG_CONFIG_DIRS", nowhere),
        ("XDG_CURRENT_DESKTOP", ""),
        ("WSL_DISTRO_NAME", ""),
    ];
    let server = Server::start(&site, &["--open"], &env);
    let said = server.stderr_when(|s| s.contains("注意："));
    let notice: Vec<&str> = said.lines().filter(|l| l.contains("浏览器")).collect();
    assert_eq!(notice.len(), 1, "{said}");
    assert!(
        notice[0].starts_with("注意：没能打开浏览器") && notice[0].contains("请在浏览器里打开 http://127.0.0.1:"),
        "{said}"
    );
    // and the preview goes on
    assert_eq!(server.get("/").0, 200);
}
