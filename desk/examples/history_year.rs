//! The bureau's history over a year (bench/assess.sh): one gathered snapshot (`gongkai assess
//! --format json`) stored as 365 daily gatherings with a small share of changes each day, into
//! SQLite or PostgreSQL through the library's history; then the size of the database and the time
//! of a per-unit history query over many units.
//!
//!   history_year SNAPSHOT.json DB [DAYS] [QUERIES]
//!
//! DB: an SQLite file, or postgres://user@host/db (an empty database). Each day, deterministically:
//! 1% of the units have one item go missing (fixed 1–20 days later), 0.1% cannot be read that day;
//! each gathering's findings are those units' (one each).
//! Prints one `key value` line per figure.

use std::time::Instant;

use gongkai::bureau::Snapshot;
use gongkai::bureau::history;
use gongkai::bureau::snapshot::{BureauFinding, FindingKind, Status};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, snapshot, url, rest @ ..] = args.as_slice() else {
        return Err("history_year SNAPSHOT.json DB [DAYS] [QUERIES]".into());
    };
    let days: usize = rest.first().and_then(|d| d.parse().ok()).unwrap_or(365);
    let queries: usize = rest.get(1).and_then(|d| d.parse().ok()).unwrap_or(1000);
    let base: Snapshot =
        serde_json::from_slice(&std::fs::read(snapshot).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let n = base.units.len();
    let mut db = gongkai_desk::province::open(url).map_err(|e| e.to_string())?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // open problems: (unit, rule index, day it is fixed)
    let mut open: Vec<(usize, usize, usize)> = Vec::new();
    let mut day = jiff::civil::date(base.year, 1, 1);
    let (mut first, mut rest_secs, mut worst) = (0.0, Vec::new(), 0.0f64);
    let started = Instant::now();
    for d in 0..days {
        open.retain(|(_, _, fixed)| *fixed > d);
        for _ in 0..n / 100 {
            let u = rng.below(n);
            let rules = base.units[u].data.as_ref().map_or(0, |x| x.rules.len());
            if rules > 0 {
                open.push((u, rng.below(rules), d + 1 + rng.below(20)));
            }
        }
        let mut s = base.clone();
        s.date = day.to_string();
        for &(u, r, _) in &open {
            if let Some(data) = s.units[u].data.as_mut()
                && data.rules[r].status == "passed"
            {
                data.rules[r].status = "failed".into();
                data.published = data.published.saturating_sub(1);
            }
        }
        for _ in 0..n / 1000 {
            let u = rng.below(n);
            s.units[u].status = Status::Failed;
            s.units[u].data = None;
        }
        // the findings a gathering makes of these: one per unit not read, one per incomplete unit
        for u in &s.units {
            let (kind, message) = match &u.data {
                None => (FindingKind::Unreachable, format!("无法取回 {}/data.json：连接超时", u.source)),
                Some(d) if d.published < d.required => (
                    FindingKind::Incomplete,
                    format!(
                        "必须公开的 {} 项中已公开 {} 项，还有 {} 项未公开",
                        d.required,
                        d.published,
                        d.required - d.published
                    ),
                ),
                Some(_) => continue,
            };
            s.findings.push(BureauFinding { unit: Some(u.name.clone()), kind, severity: "error".into(), message });
        }
        let t = Instant::now();
        history::store_in(db.as_mut(), &s).map_err(|e| e.to_string())?;
        let secs = t.elapsed().as_secs_f64();
        if d == 0 {
            first = secs;
        } else {
            rest_secs.push(secs);
            worst = worst.max(secs);
        }
        day = day.tomorrow().map_err(|e| e.to_string())?;
    }
    println!("units {n}");
    println!("gatherings {days}");
    println!("store_first_s {first:.2}");
    if !rest_secs.is_empty() {
        println!("store_day_median_s {:.3}", median(rest_secs));
        println!("store_day_worst_s {worst:.3}");
    }
    println!("store_all_s {:.1}", started.elapsed().as_secs_f64());
    for table in ["gathering", "unit_change", "rule_change", "finding"] {
        let rows = db.query(&format!("SELECT count(*) FROM {table}"), &[]).map_err(|e| e.to_string())?;
        println!("rows_{table} {}", rows[0].int(0).unwrap_or_default());
    }
    if url.starts_with("postgres") {
        let rows = db.query("SELECT pg_database_size(current_database())", &[]).map_err(|e| e.to_string())?;
        println!("db_bytes {}", rows[0].int(0).unwrap_or_default());
    }
    // a per-unit history query ("when did each item go missing, when was it fixed"), over
    // `queries` units spread over the roster
    let mut times = Vec::new();
    let mut found = 0;
    for i in 0..queries.min(n) {
        let name = &base.units[i * n / queries.min(n)].name;
        let t = Instant::now();
        let changes = history::changes_in(db.as_mut(), name, None).map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        found += changes.len();
    }
    let worst = times.iter().copied().fold(0.0, f64::max);
    println!("queries {}", times.len());
    println!("query_changes_found {found}");
    println!("query_median_ms {:.2}", median(times));
    println!("query_worst_ms {worst:.2}");
    Ok(())
}
