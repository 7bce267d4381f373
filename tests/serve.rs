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

    /// Send raw bytes as one request; the reply as the server sent it (the connection is closed
    /// by the request's `Connection: close` or by the server).
    fn send(&self, raw: &[u8]) -> Reply {
        let mut s = TcpStream::connect(("127.0.0.1", self.port))
            .unwrap_or_else(|e| panic!("the server no longer accepts connections ({e}); log:\n{}", self.log()));
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let _ = s.write_all(raw);
        let mut bytes = Vec::new();
        let _ = s.read_to_end(&mut bytes);
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
        Reply { status, head: head.to_ascii_lowercase(), body: body.to_string() }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Wait (bounded) until what the server printed satisfies `ok`: a page may be served before
    /// the lines about it are read.
    fn log_when(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let log = self.log();
            if ok(&log) {
                return log;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "waited 20 s for {what}; log:\n{log}");
            std::thread::sleep(Duration::from_millis(50));
        }
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

/// A raw reply: status, the head in lower case, the body as sent.
struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(':').map(str::trim))
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
    let log = server.log_when("the fixed error", |l| l.contains("已解决：content/qingyuan-water/fees.yaml:3"));
    assert!(log.contains("错误[gongkai/syntax]"), "{log}");

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
    server.log_when("the line saying it stopped", |l| l.contains("已停止预览"));
}

#[test]
fn a_request_body_is_refused_unread_and_the_server_stays_up() {
    let site = Site::example();
    let server = Server::start(&site, &[]);
    // a declared body of ~100 GB: refused from the header alone, nothing allocated for it
    for method in ["GET", "POST"] {
        let reply = server
            .send(format!("{method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999999\r\n\r\n").as_bytes());
        assert_eq!(reply.status, 413, "{method}: {}", reply.head);
        assert!(reply.body.contains("请求不应带正文"), "{}", reply.body);
        let (status, _, body) = server.get(PAGE);
        assert_eq!(status, 200, "the server still answers after {method}; log:\n{}", server.log());
        assert!(body.contains("3.10 元/立方米"));
    }
    let reply = server.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    assert_eq!(reply.status, 413, "{}", reply.head);
    // a head that never ends is cut off, not collected
    let mut flood = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: ".to_vec();
    flood.extend(std::iter::repeat_n(b'a', 64 * 1024));
    flood.extend(b"\r\n\r\n");
    assert_eq!(server.send(&flood).status, 431);
    assert_eq!(server.get("/").0, 200);
}

#[test]
fn only_the_bound_address_names_are_answered() {
    let site = Site::example();
    let server = Server::start(&site, &[]);
    let port = server.port;
    let ask = |host: &str| {
        server.send(format!("GET {PAGE} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes())
    };
    // a DNS-rebinding page reaches 127.0.0.1 under its own name: refused, report included
    for host in ["evil.example", &format!("evil.example:{port}"), "127.0.0.1.evil.example", "localhost.evil.example:80"]
    {
        let reply = ask(host);
        assert_eq!(reply.status, 403, "{host}");
        assert!(reply.body.contains("只接受") && !reply.body.contains("3.10"), "{host}: {}", reply.body);
    }
    let reply = server.send(
        format!("GET /__gongkai/report.json HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    assert_eq!(reply.status, 403);
    assert!(!reply.body.contains("qingyuan"), "{}", reply.body);
    assert_eq!(server.send(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n").status, 403, "no Host at all");
    assert_eq!(ask(&format!("127.0.0.1:{}", port.wrapping_add(1))).status, 403, "another port");
    for host in [
        "127.0.0.1",
        &format!("127.0.0.1:{port}"),
        "localhost",
        &format!("LocalHost:{port}"),
        "[::1]",
        &format!("[::1]:{port}"),
    ] {
        let reply = ask(host);
        assert_eq!(reply.status, 200, "{host}");
        assert!(reply.body.contains("3.10 元/立方米"), "{host}");
    }
}

#[test]
fn head_tells_the_length_and_folders_redirect_to_their_slash() {
    let site = Site::example();
    let server = Server::start(&site, &[]);
    let (_, _, body) = server.get(PAGE);
    let head = server.send(format!("HEAD {PAGE} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes());
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some(body.len().to_string().as_str()), "{}", head.head);
    assert_eq!(head.body, "", "HEAD sends no body");

    for (asked, to) in [("/qingyuan-water", "/qingyuan-water/"), ("//qingyuan-water", "/qingyuan-water/")] {
        let reply =
            server.send(format!("GET {asked} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes());
        assert!(matches!(reply.status, 301 | 308), "{asked}: {}", reply.head);
        assert_eq!(reply.header("location"), Some(to), "{asked}");
    }
    assert_eq!(server.get("/qingyuan-water/").0, 200);
    assert_eq!(server.get("/no-such-unit").0, 404);
    // still only GET and HEAD
    let reply = server.send(b"DELETE / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    assert_eq!(reply.status, 405);
}

#[test]
fn one_connection_carries_several_requests_and_the_reload_stream_still_fires() {
    let site = Site::example();
    let server = Server::start(&site, &[]);
    // two requests sent at once on one connection: two answers, in order
    let both = format!(
        "GET {PAGE} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /static/style.css HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    );
    let reply = server.send(both.as_bytes());
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body.matches("HTTP/1.1 200 OK").count(), 1, "the second answer follows the first");
    assert!(reply.body.contains("text/css"));
    // a refused body that is actually sent: the refusal still arrives
    let mut post = b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000\r\n\r\n".to_vec();
    post.extend([b'x'; 5000]);
    assert_eq!(server.send(&post).status, 413);

    let mut events = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    events.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(events, "GET /__gongkai/events HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut seen = String::new();
    let mut chunk = [0u8; 1024];
    while !seen.contains(": connected") {
        let n = events.read(&mut chunk).unwrap();
        assert!(n > 0, "{seen}");
        seen.push_str(&String::from_utf8_lossy(&chunk[..n]));
    }
    assert!(seen.to_ascii_lowercase().contains("content-type: text/event-stream"), "{seen}");
    site.write(FEES, site.read(FEES).replace("3.10 元/立方米", "3.50 元/立方米"));
    while !seen.contains("data: reload") {
        let n = events.read(&mut chunk).unwrap_or_else(|e| panic!("no reload event ({e}): {seen}"));
        assert!(n > 0, "the stream ended without a reload: {seen}");
        seen.push_str(&String::from_utf8_lossy(&chunk[..n]));
    }
}

#[test]
fn the_preview_shows_what_a_build_would_record_without_writing_the_log() {
    let site = Site::example();
    assert_eq!(site.run(&["build", "-q"]).code, 0);
    let log = site.read("record/log.json");
    let server = Server::start(&site, &[]);
    let started = Instant::now();
    while !server.log().contains("公开记录预览：http://127.0.0.1:") {
        assert!(started.elapsed() < Duration::from_secs(10), "the terminal names the preview: {}", server.log());
        std::thread::sleep(Duration::from_millis(20));
    }
    let (status, kind, body) = server.get("/__gongkai/record.html");
    assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"));
    assert!(body.contains("最新一条是第 1 条"), "{body}");
    assert!(body.contains("网页没有变化"), "the preview renders what the build published: {body}");

    let fees = site.read(FEES);
    site.write(FEES, fees.replace("3.10 元/立方米", "3.20 元/立方米"));
    let body = server.wait_for("/__gongkai/record.html", "the changed page", |b| b.contains("id=\"changed\""));
    assert!(body.contains("<a href=\"/qingyuan-water/fees.html\">qingyuan-water/fees.html</a>"), "{body}");
    assert!(!body.contains("id=\"removed\""), "{body}");

    // the preview wrote nothing to the record
    assert_eq!(site.read("record/log.json"), log);
    assert!(!site.file("record/entries/000002.json").exists());
    drop(server);

    // a preview for another address renders pages a build would not write: it compares nothing
    // (every page would otherwise be listed as changed)
    let server = Server::start(&site, &["--base-url", "https://staging.example.org/"]);
    let body = server.wait_for("/__gongkai/record.html", "the preview page", |b| b.contains("公开记录预览"));
    assert!(body.contains("id=\"not-compared\"") && body.contains("--base-url"), "{body}");
    assert!(!body.contains("id=\"changed\""), "{body}");
}
