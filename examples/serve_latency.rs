//! Measure `gongkai serve`: from saving one unit's fees.yaml to the rebuilt page being served.
//!
//!     cargo build --release
//!     cargo run --release --example serve_latency -- --site DIR [--runs 20] [--poll]
//!
//! Starts the release binary on a free port, waits for the first build, then RUNS times writes a
//! new fee into the first unit's fees.yaml and polls that unit's fees page (every millisecond)
//! until the new value is served. Prints the median and worst latency, the server's peak
//! resident memory (VmHWM) and how long the first build took.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let Some(site) = get("--site").map(PathBuf::from) else {
        eprintln!("usage: serve_latency --site DIR [--runs N] [--poll]");
        std::process::exit(2);
    };
    let runs: usize = get("--runs").and_then(|r| r.parse().ok()).unwrap_or(20);
    let poll = args.iter().any(|a| a == "--poll");
    let bin = std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().join("gongkai");

    let mut units: Vec<String> = std::fs::read_dir(site.join("content"))
        .expect("a site with content/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    units.sort();
    let unit = units.first().expect("at least one unit").clone();
    let fees = site.join("content").join(&unit).join("fees.yaml");
    let original = std::fs::read_to_string(&fees).expect("the unit has fees.yaml");

    let started = Instant::now();
    let mut cmd = Command::new(&bin);
    cmd.args(["serve", "--port", "0"]).arg(&site).env("NO_COLOR", "1").stdout(Stdio::piped()).stderr(Stdio::null());
    if poll {
        cmd.arg("--poll");
    }
    let mut child = cmd.spawn().expect("start gongkai serve");
    let pid = child.id();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("预览地址：http://127.0.0.1:") {
                let _ = tx.send(rest.trim_end_matches('/').parse::<u16>().unwrap());
            }
        }
    });
    let port = rx.recv_timeout(Duration::from_secs(600)).expect("server address");
    let first_build = started.elapsed();
    let page = format!("/{unit}/fees.html");

    let mut latencies = Vec::with_capacity(runs);
    for i in 0..runs {
        let marker = format!("基准测试标记{i}号");
        let edited = original.replacen(
            "收费项目:\n",
            &format!("收费项目:\n  - 项目名称: {marker}\n    收费依据: 测试\n    收费标准: 1 元\n"),
            1,
        );
        std::thread::sleep(Duration::from_millis(200));
        let t = Instant::now();
        std::fs::write(&fees, &edited).unwrap();
        loop {
            if fetch(port, &page).contains(&marker) {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(60), "no rebuild within a minute");
            std::thread::sleep(Duration::from_millis(1));
        }
        latencies.push(t.elapsed());
    }
    std::fs::write(&fees, &original).unwrap();
    let hwm = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .unwrap_or(0);
    let _ = child.kill();
    let _ = child.wait();

    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{} units, {} edits of {unit}/fees.yaml ({}): median {:.1} ms, worst {:.1} ms; first build {:.1} s; server peak RSS {} MiB",
        units.len(),
        runs,
        if poll { "polling" } else { "native events" },
        ms(latencies[latencies.len() / 2]),
        ms(*latencies.last().unwrap()),
        first_build.as_secs_f64(),
        hwm / 1024
    );
}

fn fetch(port: u16, path: &str) -> String {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return String::new() };
    let _ = write!(s, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}
