//! Gathering: every roster unit's published data read from its source into one [`Snapshot`].
//! Site folders are loaded and checked one after another (each check is parallel inside); files
//! of built folders and live sites are read by a few workers at once. A unit that cannot be read
//! is a finding about that unit, never the end of the gathering.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::read::{self, Read, UnitJson};
use super::roster::{Bureau, RosterUnit, Source};
use super::snapshot::{BureauFinding, FindingKind, Period, SNAPSHOT_VERSION, Snapshot, Status, UnitSnapshot, Unlisted};
use crate::verify::Bounds;
use crate::verify::http::Client;

/// How to gather.
#[derive(Debug, Clone)]
pub struct GatherOptions {
    /// Judge deadlines as on this day (default: each site's own setting, else today in China).
    pub today: Option<jiff::civil::Date>,
    /// Over HTTP: timeouts, the request budget, workers at once (also for built folders).
    pub bounds: Bounds,
    /// Over HTTP: how many times a failed request is asked again.
    pub retries: u32,
}

/// What a source's report said, or why there is none.
enum Index {
    /// The report's units, by folder name.
    Units(BTreeMap<String, UnitJson>),
    /// No report (a built site publishes it only with `report: {publish: true}`).
    None,
    /// The source itself is unusable: every unit of it failed, with this reason.
    Broken(FindingKind, String),
}

/// Run `f` over `items` with at most `workers` at once; the results in the same order.
fn pool<T: Sync, R: Send>(items: &[T], workers: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for _ in 0..workers.clamp(1, 16).min(items.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    if let Ok(mut o) = out.lock() {
                        o.push((i, r));
                    }
                }
            });
        }
    });
    let mut out = out.into_inner().unwrap_or_default();
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// Read a source's report.
fn index(source: &Source, clients: &BTreeMap<String, Client>, opts: &GatherOptions) -> Index {
    let mut report_at = format!("{}report/report.json", source.location());
    let got = match source {
        Source::Site(root) => {
            return match read::site(root, opts.today) {
                Ok(units) => Index::Units(by_slug(units)),
                Err(why) => Index::Broken(FindingKind::SourceError, format!("站点 {} 无法检查：{why}", root.display())),
            };
        }
        Source::Public(public) => {
            let published = read::file(&public.join("report/report.json"));
            report_at = public.join("report/report.json").display().to_string();
            match (&published, public.parent()) {
                (Read::Absent(_), Some(parent)) => {
                    report_at = parent.join("gongkai-report/report.json").display().to_string();
                    read::file(&parent.join("gongkai-report/report.json"))
                }
                _ => published,
            }
        }
        Source::Url(url) => match clients.get(url) {
            Some(client) => read::get(client, "report/report.json", opts.retries),
            None => Read::Absent(url.clone()),
        },
    };
    match got {
        Read::Body(bytes) => match read::report(&bytes, &report_at) {
            Ok(units) => Index::Units(by_slug(units)),
            Err((kind, why)) => Index::Broken(kind, why),
        },
        // no report: each unit's data.json still says what it publishes
        Read::Absent(_) => Index::None,
        // the site did not answer (after the retries): its units are not asked again, so that a
        // site that is down costs one request's retries, not one per unit
        Read::Failed(why) => Index::Broken(FindingKind::Unreachable, why),
    }
}

/// Gather every roster unit of `bureau`.
pub fn gather(bureau: &Bureau, opts: &GatherOptions) -> Snapshot {
    let sources: BTreeSet<&Source> = bureau.roster.iter().map(|u| &u.source).collect();
    let mut clients = BTreeMap::new();
    for s in &sources {
        if let Source::Url(url) = s {
            match Client::new(url, opts.bounds.clone()) {
                Ok(c) => {
                    clients.insert(url.clone(), c);
                }
                Err(_) => continue, // the roster checked the address; a client that cannot be made reads nothing
            }
        }
    }
    let sources: Vec<&Source> = sources.into_iter().collect();
    let (local, remote): (Vec<&Source>, Vec<&Source>) = sources.iter().partition(|s| matches!(s, Source::Site(_)));
    let mut indexes: BTreeMap<&Source, Index> = local.iter().map(|s| (*s, index(s, &clients, opts))).collect();
    let fetched = pool(&remote, opts.bounds.connections, |s| index(s, &clients, opts));
    indexes.extend(remote.iter().copied().zip(fetched));

    // each unit's slug, and the data.json reads of built folders and live sites
    let slugs: Vec<Option<String>> = bureau.roster.iter().map(|u| slug_of(u, indexes.get(&u.source))).collect();
    let jobs: Vec<usize> = (0..bureau.roster.len())
        .filter(|&i| !matches!(bureau.roster[i].source, Source::Site(_)) && slugs[i].is_some())
        .filter(|&i| !matches!(indexes.get(&bureau.roster[i].source), Some(Index::Broken(..))))
        .collect();
    let reads = pool(&jobs, opts.bounds.connections, |&i| {
        let slug = slugs[i].as_deref().unwrap_or_default();
        match &bureau.roster[i].source {
            Source::Public(public) => read::file(&public.join(slug).join("data.json")),
            Source::Url(url) => match clients.get(url) {
                Some(client) => read::get(client, &format!("{slug}/data.json"), opts.retries),
                None => Read::Failed(format!("{url} 不是可用的网站地址")),
            },
            Source::Site(_) => Read::Absent(String::new()),
        }
    });
    let mut data_json: BTreeMap<usize, Read> = jobs.into_iter().zip(reads).collect();

    let (start, end) = bureau.period();
    let mut snapshot = Snapshot {
        schema_version: SNAPSHOT_VERSION,
        kind: "gongkai-assess".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        year: bureau.year,
        period: Period { start: start.to_string(), end: end.to_string() },
        date: opts.today.unwrap_or_else(crate::load::today_in_china).to_string(),
        summary: Default::default(),
        units: Vec::with_capacity(bureau.roster.len()),
        unlisted: Vec::new(),
        findings: Vec::new(),
    };
    // before the units' report entries are taken out of the indexes
    snapshot.unlisted = unlisted(bureau, &slugs, &indexes);
    for (i, unit) in bureau.roster.iter().enumerate() {
        let index = indexes.get_mut(&unit.source);
        let (status, data, finding) = outcome(unit, slugs[i].as_deref(), index, data_json.remove(&i), bureau.year);
        if let Some((kind, message)) = finding {
            snapshot.findings.push(BureauFinding {
                unit: Some(unit.name.clone()),
                kind,
                severity: "error".into(),
                message,
            });
        }
        if let Some(d) = data.as_ref().filter(|d| d.published < d.required) {
            snapshot.findings.push(BureauFinding {
                unit: Some(unit.name.clone()),
                kind: FindingKind::Incomplete,
                severity: "error".into(),
                message: format!(
                    "必须公开的 {} 项中已公开 {} 项，还有 {} 项未公开",
                    d.required,
                    d.published,
                    d.required - d.published
                ),
            });
        }
        snapshot.units.push(UnitSnapshot {
            name: unit.name.clone(),
            code: unit.code.clone(),
            county: unit.county.clone(),
            department: unit.department.clone(),
            sector: unit.sector.clone(),
            source_kind: unit.source.kind().into(),
            source: unit.source.location(),
            slug: slugs[i].clone(),
            status,
            data,
        });
    }
    for u in &snapshot.unlisted {
        snapshot.findings.push(BureauFinding {
            unit: None,
            kind: FindingKind::NotOnRoster,
            severity: "warning".into(),
            message: format!(
                "{} 中的单位「{}」（{}）不在名单上：如应考核，请加入 bureau.yaml 的名单",
                u.source, u.name, u.slug
            ),
        });
    }
    snapshot.count();
    snapshot
}

/// The unit's folder name at its source: the roster's, else the report's unit of the same name.
fn slug_of(unit: &RosterUnit, index: Option<&Index>) -> Option<String> {
    if let Some(slug) = &unit.slug {
        return Some(slug.clone());
    }
    match index {
        Some(Index::Units(units)) => units.values().find(|u| u.name == unit.name).map(|u| u.slug.clone()),
        _ => None,
    }
}

type Outcome = (Status, Option<super::snapshot::UnitData>, Option<(FindingKind, String)>);

/// What became of one unit. Its report entry is taken out of `index` (each unit is on the roster
/// once per source).
fn outcome(unit: &RosterUnit, slug: Option<&str>, index: Option<&mut Index>, read: Option<Read>, year: i16) -> Outcome {
    let not_published = |why: String| (Status::Missing, None, Some((FindingKind::NotPublished, why)));
    if let Some(Index::Broken(kind, why)) = index.as_deref() {
        return (Status::Failed, None, Some((*kind, why.clone())));
    }
    let reported = match index {
        Some(Index::Units(units)) => slug.and_then(|s| units.remove(s)),
        _ => None,
    };
    let Some(slug) = slug else {
        return not_published(format!(
            "应报未报：{} 中没有名为「{}」的单位（名单没有写「目录」，按名称也没有找到）",
            unit.source.location(),
            unit.name
        ));
    };
    if let Source::Site(root) = &unit.source {
        return match reported {
            Some(found) => (Status::Gathered, Some(found.into_data(year)), None),
            None => not_published(format!("应报未报：站点 {} 没有单位文件夹 content/{slug}", root.display())),
        };
    }
    match read {
        Some(Read::Body(bytes)) => match read::data(&bytes, &data_at(&unit.source, slug)) {
            Ok(data) => {
                let unit = match reported {
                    Some(r) => r.with_open_data(data),
                    None => data,
                };
                (Status::Gathered, Some(unit.into_data(year)), None)
            }
            Err((kind, why)) => (Status::Failed, None, Some((kind, why))),
        },
        Some(Read::Absent(where_)) => not_published(format!("应报未报：{where_} 不存在（该单位没有公开数据）")),
        Some(Read::Failed(why)) => (Status::Failed, None, Some((FindingKind::Unreachable, why))),
        None => not_published(format!("应报未报：{} 中没有单位 {slug}", unit.source.location())),
    }
}

/// Where a unit's `data.json` is, as shown.
fn data_at(source: &Source, slug: &str) -> String {
    match source {
        Source::Public(public) => public.join(slug).join("data.json").display().to_string(),
        other => format!("{}{slug}/data.json", other.location()),
    }
}

fn by_slug(units: Vec<UnitJson>) -> BTreeMap<String, UnitJson> {
    units.into_iter().map(|u| (u.slug.clone(), u)).collect()
}

/// Units found at a source that no roster unit of that source names.
fn unlisted(bureau: &Bureau, slugs: &[Option<String>], indexes: &BTreeMap<&Source, Index>) -> Vec<Unlisted> {
    let mut out = BTreeSet::new();
    for (source, index) in indexes {
        let taken: BTreeSet<&str> = bureau
            .roster
            .iter()
            .zip(slugs)
            .filter(|(u, _)| &u.source == *source)
            .filter_map(|(_, s)| s.as_deref())
            .collect();
        let mut found: BTreeMap<String, String> = match index {
            Index::Units(units) => units.values().map(|u| (u.slug.clone(), u.name.clone())).collect(),
            _ => BTreeMap::new(),
        };
        if let Source::Public(public) = source {
            for slug in read::public_units(public) {
                found.entry(slug.clone()).or_insert(slug);
            }
        }
        for (slug, name) in found {
            if !taken.contains(slug.as_str()) {
                out.insert(Unlisted { source: source.location(), slug, name });
            }
        }
    }
    out.into_iter().collect()
}
