//! No acknowledged submission is lost: a burst of applications against the running binary, a
//! SIGKILL midway, a restart; every application that got a receipt is there, none twice.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use gongkai_desk::codes;
use gongkai_desk::db::Db;

fn start(url: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai-desk"))
        .args(["serve", "--site"])
        .arg(site())
        .args(["--db", url, "--listen", "127.0.0.1:0", "--burst", "0", "--today", "2026-11-27"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("the desk starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let addr = loop {
        let line = lines.next().expect("the desk says where it listens").expect("utf-8");
        if let Some(rest) = line.strip_prefix("受理平台已启动：") {
            break rest.to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

#[test]
fn every_receipt_survives_a_sigkill_and_none_is_stored_twice() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (_, url) = rt.block_on(fresh_db(dir.path()));
    let (mut child, base) = start(&url);

    let receipts: Arc<Mutex<Vec<(String, String, String)>>> = Arc::default();
    let sent = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..6)
        .map(|w| {
            let (receipts, sent, stop, base) = (receipts.clone(), sent.clone(), stop.clone(), base.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
                for n in 0.. {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let who = format!("申请人{w}-{n}");
                    let body = encode(&pairs(&application(&who)));
                    sent.fetch_add(1, Ordering::SeqCst);
                    let res = agent
                        .post(&format!("{base}u/qingyuan-water/apply"))
                        .header("content-type", "application/x-www-form-urlencoded")
                        .send(body.as_str());
                    let Ok(mut res) = res else { break };
                    if res.status() != 200 {
                        continue;
                    }
                    let Ok(text) = res.body_mut().read_to_string() else { break };
                    let no = between(&text, "受理编号：<strong>", "</strong>").expect("no").to_owned();
                    let code = between(&text, "<span class=\"code\">", "</span>").expect("code").to_owned();
                    receipts.lock().unwrap().push((who, no, code));
                }
            })
        })
        .collect();
    // kill it once a good number of receipts are out, with submissions in flight
    while receipts.lock().unwrap().len() < 150 {
        std::thread::yield_now();
    }
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.join().unwrap();
    }
    let receipts = receipts.lock().unwrap().clone();
    assert!(receipts.len() >= 150);

    // restart on the same database: it serves, and every receipt is there once
    let (mut child, base) = start(&url);
    let stored = rt.block_on(async {
        let db = Db::open(&url).await.unwrap();
        db.rows("SELECT unit, year, seq, applicant, lookup_hash FROM cases", vec![]).await.unwrap()
    });
    let mut by_no = BTreeMap::new();
    let mut applicants = BTreeSet::new();
    for r in &stored {
        let no = format!("{}-{}-{:05}", r.text(0), r.int(1), r.int(2));
        assert!(applicants.insert(r.text(3)), "stored twice: {}", r.text(3));
        by_no.insert(no, (r.text(3), r.text(4)));
    }
    assert!(stored.len() <= sent.load(Ordering::SeqCst));
    let mut numbers = BTreeSet::new();
    for (who, no, code) in &receipts {
        assert!(numbers.insert(no.clone()), "a number given twice: {no}");
        let (applicant, hash) = by_no.get(no).unwrap_or_else(|| panic!("receipt {no} lost"));
        assert_eq!(applicant, who);
        assert_eq!(hash, &codes::hash(code));
    }
    let (who, no, code) = &receipts[receipts.len() - 1];
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut res = agent
        .post(&format!("{base}lookup"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send(encode(&[("number", no), ("code", code)]).as_str())
        .unwrap();
    assert_eq!(res.status(), 200, "{who}");
    assert!(res.body_mut().read_to_string().unwrap().contains(no.as_str()));
    child.kill().unwrap();
    child.wait().unwrap();
}
