//! `verify` over HTTP against a small server in the test (the real web server is in
//! tests/verify_http.rs): a pass, a changed file, the bounds.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::*;

/// How the test server answers.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Serve,
    /// Accept, then say nothing for a few seconds.
    Stall,
}

/// A server on 127.0.0.1 answering GETs from `files` (site path → bytes); stops when dropped,
/// and after 30 seconds in any case.
struct Server {
    url: String,
    stop: Arc<AtomicBool>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn server(files: BTreeMap<String, Vec<u8>>, mode: Mode) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let files = Arc::new(files);
    let flag = stop.clone();
    std::thread::spawn(move || {
        let end = Instant::now() + Duration::from_secs(30);
        while !flag.load(Ordering::Relaxed) && Instant::now() < end {
            match listener.accept() {
                Ok((stream, _)) => {
                    let files = files.clone();
                    std::thread::spawn(move || answer(stream, &files, mode));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    Server { url, stop }
}

fn answer(mut stream: TcpStream, files: &BTreeMap<String, Vec<u8>>, mode: Mode) {
    stream.set_nonblocking(false).ok();
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
    if mode == Mode::Stall {
        std::thread::sleep(Duration::from_secs(4));
        return;
    }
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).is_ok_and(|n| n == 1) {
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let target = head.split(' ').nth(1).unwrap_or("/");
    let path = percent_encoding::percent_decode_str(target.trim_start_matches('/')).decode_utf8_lossy();
    let reply = match files.get(path.as_ref()) {
        Some(body) => [
            format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes(),
            body.clone(),
        ]
        .concat(),
        None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
    };
    stream.write_all(&reply).ok();
}

/// A site of three pages (one with a Chinese name) and its record of one build.
fn site() -> BTreeMap<String, Vec<u8>> {
    let pages: BTreeMap<String, Vec<u8>> =
        [("index.html", "首页"), ("water/notices/2026-11-计划停水.html", "停水通知"), ("static/style.css", "body{}")]
            .into_iter()
            .map(|(p, b)| (p.to_string(), b.as_bytes().to_vec()))
            .collect();
    let hashes: BTreeMap<String, String> = pages.iter().map(|(p, b)| (p.clone(), hex(b))).collect();
    let record = Record::empty().append("2026-11-30", hashes, BTreeMap::new()).unwrap().unwrap();
    let mut files = pages;
    for (rel, bytes) in record.files_to_write() {
        files.insert(format!("{PUBLISHED}/{rel}"), bytes.bytes().unwrap().into_owned());
    }
    files
}

fn bounds() -> Bounds {
    Bounds { timeout: Duration::from_secs(5), total: Duration::from_secs(20), ..Bounds::default() }
}

fn run(url: &str, bounds: Bounds) -> (Result<Outcome>, String) {
    let mut out = Vec::new();
    let result = verify(&Target::Url(url.to_string(), bounds), &mut out);
    (result, String::from_utf8(out).unwrap())
}

#[test]
fn a_site_served_as_recorded_passes_and_says_added_files_cannot_be_known() {
    let server = server(site(), Mode::Serve);
    let (result, out) = run(&server.url, bounds());
    assert_eq!(result.unwrap(), Outcome::Clean, "{out}");
    assert!(out.contains("记录了 3 个文件"), "{out}");
    // the log, one entry, the key (absent), one signature (absent), three pages
    assert!(out.contains("通过 HTTP 共发出 7 个请求"), "{out}");
    assert!(out.contains("查不出记录之外新增的文件"), "{out}");
    assert!(out.contains("网站上的每个文件都与公开记录一致"), "{out}");
}

#[test]
fn a_changed_and_a_missing_file_are_named() {
    let mut files = site();
    files.insert("water/notices/2026-11-计划停水.html".into(), "停水通知（改）".into());
    files.remove("static/style.css");
    let server = server(files, Mode::Serve);
    let (result, out) = run(&server.url, bounds());
    assert_eq!(result.unwrap(), Outcome::Findings, "{out}");
    assert!(out.contains("发布后被改动（1 项）：\n    water/notices/2026-11-计划停水.html\n"), "{out}");
    assert!(out.contains("记录在案却已不在网站上（1 项）：\n    static/style.css\n"), "{out}");
}

#[test]
fn a_budget_too_small_is_not_a_pass() {
    let server = server(site(), Mode::Serve);
    let (result, out) = run(&server.url, Bounds { max_requests: 5, connections: 1, ..bounds() });
    let err = result.unwrap_err().to_string();
    assert!(err.contains("不算通过"), "{err}");
    assert!(out.contains("核验中途停止：请求数上限（--max-requests 5）已用完，还有 2 个文件没有核验。"), "{out}");
    assert!(out.contains("这不算通过"), "{out}");
}

#[test]
fn a_server_that_stalls_times_out_and_says_so() {
    let server = server(BTreeMap::new(), Mode::Stall);
    let started = Instant::now();
    let (result, _) = run(&server.url, Bounds { timeout: Duration::from_secs(1), ..bounds() });
    let err = result.unwrap_err().to_string();
    assert!(err.contains("无法取回公开记录") && err.contains("超时"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(4), "the timeout held: {:?}", started.elapsed());
}

#[test]
fn the_total_time_bounds_the_whole_check() {
    let server = server(BTreeMap::new(), Mode::Stall);
    let started = Instant::now();
    let (result, _) = run(&server.url, Bounds { total: Duration::from_secs(1), ..bounds() });
    assert!(result.unwrap_err().to_string().contains("超时"));
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
}

#[test]
fn not_a_web_address_is_a_usage_error() {
    let (result, _) = run("ftp://example.org/", bounds());
    assert!(result.unwrap_err().to_string().contains("不是网站地址"));
    assert!(matches!(Target::new("public", bounds()), Target::Dir(_)));
    assert!(matches!(Target::new("HTTPS://example.org", bounds()), Target::Url(..)));
}
