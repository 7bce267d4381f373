//! A 考核年度 as a timeline: the days of the year's stored gatherings (and of the current one,
//! when it is not stored yet), and for each unit its state on each of those days and each rule
//! outcome's changes. Read from the history (`history`) once, then used by the 评分表 (days
//! late), the 责任追究 evidence (dates, repeats) and the dashboard's trend.

use std::collections::BTreeMap;
use std::path::Path;

use super::history::{db_error, open};
use super::snapshot::{Snapshot, Status};
use super::store::{Store, Value};
use crate::error::Result;

/// A unit's state on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    /// `gathered`, `missing` or `failed`.
    pub status: String,
    /// Items required and published, when gathered.
    pub counts: Option<(u32, u32)>,
}

impl State {
    /// Some required item missing, or nothing published (应报未报). `None`: not known that day.
    pub fn late(&self) -> Option<bool> {
        match (self.status.as_str(), self.counts) {
            ("missing", _) => Some(true),
            ("gathered", Some((required, published))) => Some(published < required),
            _ => None,
        }
    }
}

/// One change of a rule's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleChange {
    /// The day it was seen.
    pub day: String,
    /// `passed`, `failed`, `unchecked` or `absent`.
    pub status: String,
    /// The item's title.
    pub title: String,
}

/// One unit over the year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitTimeline {
    /// Its state on each day of [`Timeline::days`] (from its first gathering on).
    pub states: BTreeMap<String, State>,
    /// Each rule's changes, by rule id, in day order.
    pub rules: BTreeMap<String, Vec<RuleChange>>,
}

/// The year's gatherings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    /// The days, in order.
    pub days: Vec<String>,
    /// (complete, gathered, roster) on each day, for the trend.
    pub totals: Vec<(usize, usize, usize)>,
    /// Each unit by name.
    pub units: BTreeMap<String, UnitTimeline>,
}

#[derive(serde::Deserialize)]
struct SummaryJson {
    roster: usize,
    gathered: usize,
    complete: usize,
}

/// The year of `snapshot` from the SQLite history at `db` (when it exists), with `snapshot`
/// itself added as the last day when it is newer than the last stored one.
pub fn read(db: Option<&Path>, snapshot: &Snapshot) -> Result<Timeline> {
    match db.filter(|p| p.is_file()) {
        Some(path) => read_in(Some(&mut open(path)?), snapshot),
        None => read_in(None, snapshot),
    }
}

/// The year of `snapshot` from a history (when there is one), with `snapshot` itself added as
/// the last day when it is newer than the last stored one.
pub fn read_in(db: Option<&mut dyn Store>, snapshot: &Snapshot) -> Result<Timeline> {
    let mut t = Timeline::default();
    if let Some(db) = db {
        stored(db, snapshot.year, &mut t).map_err(|e| db_error(db, &e))?;
    }
    add(&mut t, snapshot);
    Ok(t)
}

/// The stored gatherings of `year`.
fn stored(db: &mut dyn Store, year: i16, t: &mut Timeline) -> std::result::Result<(), String> {
    let rows = db.query("SELECT id, day, summary FROM gathering WHERE year = ?1 ORDER BY id", &[Value::int(year)])?;
    let mut ids: BTreeMap<i64, String> = BTreeMap::new();
    for r in rows {
        let (id, day, summary) = (r.int(0).unwrap_or_default(), r.str(1), r.str(2));
        let s: Option<SummaryJson> = serde_json::from_str(&summary).ok();
        t.totals.push(s.map_or((0, 0, 0), |s| (s.complete, s.gathered, s.roster)));
        t.days.push(day.clone());
        ids.insert(id, day);
    }
    let Some(first) = ids.keys().next().copied() else { return Ok(()) };
    // the state before the year's first gathering carries into it: take every row up to the
    // year's last gathering, keep the last one before the first
    let last = ids.keys().next_back().copied().unwrap_or(first);
    let rows = db.query(
        "SELECT u.name, c.gathering_id, c.status, c.required, c.published FROM unit_change AS c \
         JOIN unit AS u ON u.id = c.unit_id WHERE c.gathering_id <= ?1 ORDER BY u.name, c.gathering_id",
        &[Value::int(last)],
    )?;
    let mut changes: BTreeMap<String, Vec<(i64, State)>> = BTreeMap::new();
    for r in rows {
        let count = |c: usize| r.int(c).and_then(|n| u32::try_from(n).ok());
        let counts = count(3).zip(count(4));
        changes.entry(r.str(0)).or_default().push((r.int(1).unwrap_or_default(), State { status: r.str(2), counts }));
    }
    for (name, list) in changes {
        let unit = t.units.entry(name).or_default();
        for (id, day) in &ids {
            if let Some((_, s)) = list.iter().rev().find(|(g, _)| g <= id) {
                unit.states.insert(day.clone(), s.clone());
            }
        }
    }
    let rows = db.query(
        "SELECT u.name, c.rule, g.day, c.status, c.title FROM rule_change AS c JOIN unit AS u ON u.id = c.unit_id \
         JOIN gathering AS g ON g.id = c.gathering_id WHERE c.gathering_id <= ?1 ORDER BY u.name, c.rule, c.gathering_id",
        &[Value::int(last)],
    )?;
    let first_day = ids.get(&first).cloned().unwrap_or_default();
    for r in rows {
        let list = t.units.entry(r.str(0)).or_default().rules.entry(r.str(1)).or_default();
        // a change before the year counts from the year's first gathering
        let day = r.str(2);
        let day = if day < first_day { first_day.clone() } else { day };
        if list.last().is_some_and(|c| c.day == day) {
            list.pop();
        }
        list.push(RuleChange { day, status: r.str(3), title: r.str(4) });
    }
    Ok(())
}

/// `snapshot` as the timeline's last day, when it is newer than the last stored day.
fn add(t: &mut Timeline, s: &Snapshot) {
    if t.days.last().is_some_and(|d| *d >= s.date) {
        return;
    }
    t.days.push(s.date.clone());
    t.totals.push((s.summary.complete, s.summary.gathered, s.summary.roster));
    for u in &s.units {
        let unit = t.units.entry(u.name.clone()).or_default();
        let status = match u.status {
            Status::Gathered => "gathered",
            Status::Missing => "missing",
            Status::Failed => "failed",
        };
        let counts = u.data.as_ref().map(|d| (d.required, d.published));
        unit.states.insert(s.date.clone(), State { status: status.into(), counts });
        let Some(d) = u.data.as_ref().filter(|d| !d.rules.is_empty()) else { continue };
        for r in &d.rules {
            let list = unit.rules.entry(r.rule.clone()).or_default();
            if list.last().map(|c| c.status.as_str()) != Some(r.status.as_str()) {
                list.push(RuleChange { day: s.date.clone(), status: r.status.clone(), title: r.title.clone() });
            }
        }
        for (rule, list) in unit.rules.iter_mut() {
            if !d.rules.iter().any(|r| &r.rule == rule)
                && let Some(last) = list.last().filter(|c| c.status != "absent").cloned()
            {
                list.push(RuleChange { day: s.date.clone(), status: "absent".into(), title: last.title });
            }
        }
    }
}
