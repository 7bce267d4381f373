//! Measure the 第六条 privacy scan's throughput on about 10 MB of Markdown notices.
//!
//!     cargo run --release --example privacy_scan [-- --mb 10 --runs 5]
//!
//! The text is the example portal's notices and service guides (content/*/notices, services),
//! repeated, with a masked ID number, a hotline and a landline in every copy (required content,
//! never a hit). Scanned two ways: as one big document, and as the separate files the build sees
//! (one scan per notice). Prints MB/s (median of RUNS) for the plain-text scan (`scan_lines`) and
//! for the scan of the rendered Markdown (`scan_markdown`).

use std::time::Instant;

use gongkai::privacy;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let get = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let mb: usize = get("--mb").and_then(|v| v.parse().ok()).unwrap_or(10);
    let runs: usize = get("--runs").and_then(|v| v.parse().ok()).unwrap_or(5);

    let mut bodies = Vec::new();
    for entry in walkdir::WalkDir::new("content").sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        let in_body_folder = path.components().any(|c| matches!(c.as_os_str().to_str(), Some("notices" | "services")));
        if in_body_folder && path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(path).expect("a readable notice");
            let body = text.splitn(3, "---\n").nth(2).unwrap_or(&text).to_string();
            bodies.push(format!("{body}\n身份证号 620402********1234，热线 95598，电话 0943-8221234。\n"));
        }
    }
    assert!(!bodies.is_empty(), "run from the repository root (content/ not found)");
    let mut docs = Vec::new();
    let mut size = 0;
    while size < mb * 1_000_000 {
        for b in &bodies {
            size += b.len();
            docs.push(b.clone());
        }
    }
    let whole = docs.concat();
    println!("{} notices, {:.1} MB in all", docs.len(), whole.len() as f64 / 1e6);

    type Scan = fn(&str, &mut Vec<privacy::Located>);
    let scans: [(&str, Scan); 2] = [
        ("scan_lines (plain text)", |t, out| privacy::scan_lines(t, 1, "x.md", out)),
        ("scan_markdown (rendered)", |t, out| privacy::scan_markdown(t, 1, "x.md", out)),
    ];
    for (name, scan) in scans {
        for (shape, texts) in [("one document", std::slice::from_ref(&whole)), ("file by file", &docs[..])] {
            let mut times = Vec::new();
            let mut hits = 0;
            for _ in 0..runs {
                let start = Instant::now();
                let mut out = Vec::new();
                for t in texts {
                    scan(t, &mut out);
                }
                times.push(start.elapsed().as_secs_f64());
                hits = out.len();
            }
            times.sort_by(f64::total_cmp);
            let median = times[times.len() / 2];
            println!(
                "{name:26} {shape:13} {:7.1} MB/s  ({:.3} s, {hits} hits)",
                whole.len() as f64 / 1e6 / median,
                median
            );
        }
    }
}
