//! `gongkai serve` as a clerk uses it: open a page, save an edit, see it; break the YAML, keep
//! the last good page with the error shown over it; fix it; and no request leaves the site.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Site;

struct Server {
    child: Child,
    port: u16,
    /// Everything the server printed so far.
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    fn start(site: &Site, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["serve", ".", "--port", "0"])
            .args(extra)
            .current_dir(site.path())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = std::sync::Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("预览地址：http://127.0.0.1:") {
                    let _ = tx.send(rest.trim_end_matches('/').parse::<u16>().unwrap());
                }
                sink.lock().unwrap().push_str(&format!("{line}\n"));
            }
        });
        let port = rx.recv_timeout(Duration::from_secs(60)).expect("the server prints its address");
        Server { child, port, log }
    }

    /// GET a raw request path; (status, content type, body).
    fn get(&self, path: &str) -> (u16, String, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        let kind = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type: ").map(str::to_string))
            .unwrap_or_default();
        let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
            unchunk(body)
        } else {
            body.to_string()
        };
        (status, kind, body)
    }

    /// Wait (bounded) until the page at `path` satisfies `ok`.
    fn wait_for(&self, path: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let (_, _, body) = self.get(path);
            if ok(&body) {
                return body;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "waited 20 s for {what}; log:\n{}",
                self.log.lock().unwrap()
            );
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

fn unchunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

const FEES: &str = "content/qingyuan-water/fees.yaml";
const PAGE: &str = "/qingyuan-water/fees.html";

#[test]
fn edits_show_up_broken_edits_keep_the_last_good_page() {
    let site = Site::example();
    let server = Server::start(&site, &[]);
    let (status, kind, body) = server.get(PAGE);
    assert_eq!(status, 200);
    assert_eq!(kind, "text/html; charset=utf-8");
    assert!(body.contains("3.10 元/立方米"), "{body}");
    assert!(body.contains("/__gongkai/live.js"), "the preview injects its reload script");

    // an edit is served
    let fees = site.read(FEES);
    site.write(FEES, fees.replace("3.10 元/立方米", "3.20 元/立方米"));
    server.wait_for(PAGE, "the edited fee", |b| b.contains("3.20 元/立方米"));

    // a broken edit: the last good page stays, with the error over it
    site.write(FEES, "收费项目:\n  - 项目名称: 水费\n     收费依据: 文件\n");
    let broken = server.wait_for(PAGE, "the overlay", |b| b.contains("gongkai-overlay"));
    assert!(broken.contains("3.20 元/立方米"), "the last good page is kept");
    assert!(broken.contains("content/qingyuan-water/fees.yaml:3:"), "the overlay names file and line: {broken}");
    assert!(broken.contains("缩进不对"));

    // fixed: the overlay goes, the new value is there
    site.write(FEES, fees.replace("3.10 元/立方米", "3.30 元/立方米"));
    server.wait_for(PAGE, "recovery", |b| b.contains("3.30 元/立方米") && !b.contains("gongkai-overlay"));

    // the terminal said what appeared and what went away, like check does
    let log = server.log.lock().unwrap().clone();
    assert!(log.contains("错误[gongkai/syntax]"), "{log}");
    assert!(log.contains("已解决：content/qingyuan-water/fees.yaml:3"), "{log}");

    // the build output never carries the preview's script
    assert_eq!(site.run(&["build", "-q"]).code, 0);
    assert!(!site.read("public/qingyuan-water/fees.html").contains("live.js"));
}

#[test]
fn nothing_outside_the_site_is_ever_served() {
    let site = Site::example();
    site.write("secret.txt", "root:x:0:0");
    let server = Server::start(&site, &[]);
    for path in [
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2fetc%2fpasswd",
        "/qingyuan-water/%2E%2E/%2E%2E/secret.txt",
        "/%2e%2e/secret.txt",
        "/..\\..\\etc\\passwd",
        "/secret.txt",
        "/content/qingyuan-water/fees.yaml",
        "/gongkai.yaml",
        "/__gongkai/../secret.txt",
    ] {
        let (status, kind, body) = server.get(path);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("root:"), "{path}");
        assert_eq!(kind, "text/html; charset=utf-8", "{path}");
        assert!(body.contains("找不到这个页面"), "the theme's 404 page for {path}");
    }
    let (status, kind, _) = server.get("/static/style.css");
    assert_eq!((status, kind.as_str()), (200, "text/css; charset=utf-8"));
    let (status, kind, body) = server.get("/qingyuan-water/data.json");
    assert_eq!((status, kind.as_str()), (200, "application/json; charset=utf-8"));
    assert!(body.contains("白银清源供水有限公司"));
    let (status, _, body) = server.get("/__gongkai/report.html");
    assert_eq!(status, 200);
    assert!(body.contains("公开内容检查报告"));
}

#[test]
fn a_template_error_keeps_the_site_up() {
    let site = Site::example();
    let server = Server::start(&site, &[]);
    site.write("themes/default/templates/fees.html", "{% if %}");
    let page = server.wait_for(PAGE, "the template error overlay", |b| b.contains("gongkai-overlay"));
    assert!(page.contains("主题有误"), "{page}");
    assert!(page.contains("3.10 元/立方米"));
    site.remove("themes");
    server.wait_for(PAGE, "recovery", |b| !b.contains("gongkai-overlay"));
}

#[test]
fn the_polling_watcher_sees_edits_too() {
    let site = Site::example();
    let server = Server::start(&site, &["--poll"]);
    let started = Instant::now();
    while !server.log.lock().unwrap().contains("正在监视文件变化（定时扫描）") {
        assert!(started.elapsed() < Duration::from_secs(10), "{}", server.log.lock().unwrap());
        std::thread::sleep(Duration::from_millis(20));
    }
    let fees = site.read(FEES);
    site.write(FEES, fees.replace("3.10 元/立方米", "3.40 元/立方米"));
    server.wait_for(PAGE, "the edited fee", |b| b.contains("3.40 元/立方米"));
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let site = Site::example();
    let mut server = Server::start(&site, &[]);
    assert_eq!(server.get("/").0, 200);
    let pid = rustix::process::Pid::from_raw(server.child.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "still running 10 s after Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    std::thread::sleep(Duration::from_millis(100));
    assert!(server.log.lock().unwrap().contains("已停止预览"));
}
