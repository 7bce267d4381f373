//! Rendering a whole site: each unit loaded, checked, rendered and dropped (in parallel), then
//! the pages about all units. `build` drives it over every unit; `serve` re-renders one unit when
//! it changes. The top of `render`: it uses the unit pages and the portal, neither uses it.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::cache::{self, Cache};
use super::links::check_outward;
use super::pages::UnitPages;
use super::search::{self, Tap};
use super::site::{FromRecord, Renderer};
use super::theme::Theme;
use crate::check::{self, CheckResult, UnitCheck};
use crate::error::Result;
use crate::model::{Site, UnitDir};
use crate::output::{ForArchive, Sink};

/// What rendering produced besides the files.
#[derive(Debug, Default)]
pub(crate) struct Rendered {
    /// Files written.
    pub files: usize,
    /// 索引号 assigned by this build (source path → number), for the publication record.
    pub numbers: std::collections::BTreeMap<String, String>,
    /// The document pages written (one per source file of a folder) that the record's archive
    /// may lack (`render_site` leaves out those it holds).
    pub documents: Vec<String>,
    /// Units whose pages were taken from the previous output (the build cache).
    pub reused: usize,
    /// The search index's files were taken from the previous output (the build cache).
    pub search_taken: bool,
    /// The record's archive as read for these pages (`None`: it could not be read).
    pub store: Option<std::sync::Arc<crate::record::archive::Store>>,
}

/// Renders one site with one theme into one sink: unit by unit, then the pages about all units.
/// `build` drives it over every unit in parallel; `serve` re-renders one unit when it changes.
pub(crate) struct SiteRenderer<'a> {
    r: Renderer<'a>,
}

/// A unit, checked and rendered: its check, and the summary the portal needs.
pub(crate) struct RenderedUnit {
    pub check: UnitCheck,
    pub(super) pages: UnitPages,
    /// Its pages as the search index sees them (empty once folded into the index, or when the
    /// site has no search).
    pub(super) search: cache::Searched,
}

impl<'a> SiteRenderer<'a> {
    /// A renderer of `site`, which must have been loaded with its whole record.
    pub(crate) fn new(site: &'a Site, theme: &'a Theme, sink: &'a dyn Sink) -> Result<Self> {
        Ok(SiteRenderer { r: Renderer::new(site, theme, sink)? })
    }

    /// [`SiteRenderer::new`], with what it reads of the record read already.
    fn with(site: &'a Site, theme: &'a Theme, sink: &'a dyn Sink, from: FromRecord) -> Self {
        SiteRenderer { r: Renderer::with(site, theme, sink, from) }
    }

    /// Load, check and render one unit; nothing of it is kept but the summary.
    pub(crate) fn unit(&self, dir: &UnitDir) -> Result<RenderedUnit> {
        Ok(self.unit_cached(dir, None, None)?.0)
    }

    /// [`SiteRenderer::unit`], with a build cache and the unit's keys (`None`: it cannot be
    /// cached): a unit with the same inputs is neither loaded
    /// nor checked (its check result and pages are the cache's); a unit whose check result is the
    /// one its pages were rendered from (another day, nothing due) is loaded and checked, and its
    /// pages are taken from the previous output. Also returns the unit's line for the next cache
    /// (`None`: not cacheable), and whether its pages were taken from the previous output.
    fn unit_cached(
        &self,
        dir: &UnitDir,
        cache: Option<&Cache>,
        keys: Option<&cache::Keys>,
    ) -> Result<(RenderedUnit, Option<cache::Raw>, bool)> {
        let site = self.r.site;
        // the same inputs: the check and the pages as they were
        if let (Some(cache), Some(keys)) = (cache, keys)
            && let Some((mut line, raw)) = cache.get(&dir.slug, keys)
            && self.r.sink.reuse(&line.files, cache.read_again())
        {
            let mut raw = Some(raw);
            if line.folder != keys.folder {
                // the same content, listed otherwise (a file touched): kept as listed now
                line.folder.clone_from(&keys.folder);
                raw = Cache::line(&line);
            }
            if cache.read_again() {
                // the same bytes, in other files: the next cache keeps these
                raw = self.again(&line.files).and_then(|files| {
                    line.files = files;
                    Cache::line(&line)
                });
            }
            let cache::Line { check, pages, search, .. } = line;
            return Ok((reused(check.into_check(), pages, search), raw, true));
        }
        let mut unit = site.load_unit(dir);
        let mut check = check::check_unit(&unit, &site.packs, &site.schema, &site.env);
        withhold(&mut unit, &check.result.withheld);
        let key = keys.map(|k| k.rendered(&check));
        // other inputs, the same check result (another day): the pages as they were
        if let (Some(cache), Some(key)) = (cache, &key)
            && let Some((line, _)) = cache.get_rendered(&dir.slug, key)
            && self.r.sink.reuse(&line.files, cache.read_again())
        {
            let cache::Line { pages, search, files, .. } = line;
            let files = if cache.read_again() { self.again(&files) } else { Some(files) };
            let (inputs, folder) = keys.map(|k| (k.inputs.clone(), k.folder.clone())).unwrap_or_default();
            let (line, raw) = line_of([inputs, key.clone(), folder], &check, pages, search, files.unwrap_or_default());
            let raw = raw.filter(|_| !line.files.is_empty());
            let cache::Line { pages, search, .. } = line;
            return Ok((reused(check, pages, search), raw, true));
        }
        let kept = key.as_ref().map(|_| check.clone());
        let record = Record::new(self.r.sink, key.is_some());
        let (pages, search) = if self.r.search {
            let tap = Tap::new(&record);
            let pages = self.r.with_sink(&tap).unit(&unit, &check.result)?;
            (pages, cache::Searched::Entries(tap.into_entries()))
        } else {
            (self.r.with_sink(&record).unit(&unit, &check.result)?, cache::Searched::default())
        };
        check.result.errors += pages.findings.len();
        check.findings.extend(pages.findings.iter().cloned());
        // new 索引号 depend on every number assigned before: such a unit is rendered each time
        let files = record.into_kept().filter(|_| pages.new_numbers.is_empty());
        if let (Some(keys), Some(key), Some(kept), Some(files)) = (keys, key, kept, files) {
            let (line, raw) = line_of([keys.inputs.clone(), key, keys.folder.clone()], &kept, pages, search, files);
            return Ok((RenderedUnit { check, pages: line.pages, search: line.search }, raw, false));
        }
        Ok((RenderedUnit { check, pages, search }, None, false))
    }

    /// Write the search index of `units` (in unit order), for a caller that did not build one
    /// as it went (`serve`). Returns the files written (none when the site has no search).
    pub(crate) fn index(&self, units: &[&RenderedUnit]) -> Result<usize> {
        if !self.r.search {
            return Ok(0);
        }
        let mut index = search::Index::default();
        for u in units {
            index.add(&u.pages.name, &u.search.entries(), self.r.sink)?;
        }
        index.finish(self.r.sink)
    }

    /// The pages about all units (portal, feeds, sitemap index, static files, 404, the search
    /// page; the search index is the caller's), then the links that leave their unit, checked
    /// with `exists`. `checks` and `units` are in unit order.
    pub(crate) fn finish(
        &self,
        checks: Vec<UnitCheck>,
        units: &[&RenderedUnit],
        exists: &dyn Fn(&str) -> bool,
    ) -> Result<(CheckResult, Rendered)> {
        let summaries: Vec<&UnitPages> = units.iter().map(|u| &u.pages).collect();
        let mut result = check::collect(self.r.site, checks);
        let mut files = summaries.iter().map(|s| s.files).sum::<usize>();
        files += self.r.portal(&result, &summaries)? + self.r.site_files(&summaries)?;
        if self.r.search {
            files += self.r.search_page(&summaries)?;
        }
        let (gone, gone_links) = gone_units(&self.r, &summaries)?;
        files += gone;
        let mut broken = check_outward(summaries.iter().flat_map(|s| s.outward.iter()), exists);
        let archived = summaries.iter().flat_map(|s| s.archived_links.iter()).chain(&gone_links);
        broken.append(&mut super::archive::check_links(archived, exists));
        for f in &broken {
            if let Some(u) = result.units.iter_mut().find(|u| Some(&u.slug) == f.unit.as_ref()) {
                u.errors += 1;
            }
        }
        result.findings.append(&mut broken);
        crate::finding::sort(&mut result.findings);
        let numbers = new_numbers(self.r.site, &summaries)?;
        let documents = summaries.iter().flat_map(|s| s.documents.iter().cloned()).collect();
        let store = self.r.archive.opened.then(|| self.r.archive.store.clone());
        Ok((result, Rendered { files, numbers, documents, reused: 0, search_taken: false, store }))
    }
}

/// The 索引号 this build assigned, all units together. Two documents never share one (units that
/// declare the same 统一社会信用代码 are numbered by folder name, see `load`; a new number comes
/// after every one the record assigned under its code and year); if they did, the build stops
/// rather than publish it.
fn new_numbers(site: &crate::model::Site, units: &[&UnitPages]) -> Result<BTreeMap<String, String>> {
    let mut by_number: BTreeMap<&str, &str> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for (path, number) in units.iter().flat_map(|u| &u.new_numbers) {
        let recorded = || {
            let by = site.published.iter().find(|(_, p)| p.number == *number);
            by.map_or_else(|| "以前发布的文件".to_string(), |(path, _)| path.clone())
        };
        let other = if site.sequences.after_all(number) {
            by_number.insert(number, path).map(str::to_string)
        } else {
            Some(recorded())
        };
        if let Some(other) = other {
            return Err(crate::error::Error::Usage(format!(
                "{path} 和 {other} 得到了同一个索引号 {number}：这是 gongkai 的缺陷，请报告\n  帮助: 网站没有发布，之前的网站保持原样"
            )));
        }
        out.insert(path.clone(), number.clone());
    }
    Ok(out)
}

/// Publish the archived versions of the pages of units no longer in the site (their folder was
/// removed): reachable at their archive addresses; `check` names the removal. Returns the number
/// of files written, and where the versions' relative links lead.
fn gone_units(r: &Renderer<'_>, units: &[&UnitPages]) -> Result<(usize, Vec<(String, String)>)> {
    let slugs: std::collections::HashSet<&str> = units.iter().map(|u| u.slug.as_str()).collect();
    let (mut files, mut links) = (0, Vec::new());
    for (path, versions) in &r.archive.histories {
        if path.split_once('/').is_some_and(|(slug, _)| slugs.contains(slug)) {
            continue;
        }
        for v in versions.iter().filter(|v| r.archive.store.holds(&v.hash)) {
            let mut put = |p: &str, bytes: &[u8]| {
                files += 1;
                r.sink.put(p, bytes)
            };
            links.extend(r.archive.publish(path, v, &mut put)?.links);
        }
    }
    Ok((files, links))
}

impl SiteRenderer<'_> {
    /// Take the search index's files from the previous output when the cache says they were
    /// built from what this build's would be (and they are still the files it wrote). Returns
    /// how many were taken and what the next cache keeps of them (`None`: they cannot be kept);
    /// `None`: nothing was taken, the index is to be built.
    fn search_taken(
        &self,
        cache: &Cache,
        keys: &[Option<cache::Keys>],
    ) -> Option<(usize, Option<Vec<crate::output::Kept>>)> {
        let files = cache.search_files(&self.r.site.units, keys)?;
        if !self.r.sink.reuse(files, cache.read_again()) {
            return None;
        }
        // taken: never written over, even when the next cache cannot keep them
        Some((files.len(), if cache.read_again() { self.again(files) } else { Some(files.to_vec()) }))
    }

    /// What the next cache keeps of files just taken from the previous output.
    fn again(&self, files: &[crate::output::Kept]) -> Option<Vec<crate::output::Kept>> {
        files.iter().map(|f| self.r.sink.kept(&f.path, blake3::Hash::from_hex(&f.blake3).ok()?)).collect()
    }
}

/// A unit whose pages were taken from the previous output: its check, with the findings of its
/// pages' links (as `SiteRenderer::unit` adds them).
fn reused(mut check: UnitCheck, pages: super::pages::UnitPages, search: cache::Searched) -> RenderedUnit {
    check.result.errors += pages.findings.len();
    check.findings.extend(pages.findings.iter().cloned());
    RenderedUnit { check, pages, search }
}

/// A unit's record for the next cache, and its bytes (`None` if it cannot be written).
fn line_of(
    [inputs, key, folder]: [String; 3],
    check: &UnitCheck,
    pages: super::pages::UnitPages,
    search: cache::Searched,
    files: Vec<crate::output::Kept>,
) -> (cache::Line, Option<cache::Raw>) {
    let line = cache::Line {
        slug: pages.slug.clone(),
        inputs,
        key,
        folder,
        check: cache::Check::of(check),
        pages,
        search,
        files,
    };
    let raw = Cache::line(&line);
    (line, raw)
}

/// Take what must not be published out of a checked unit before it is rendered: a withheld
/// document renders as one whose file could not be used (no page of its own, absent from lists,
/// feeds, open data and the sitemap), a withheld attachment is not copied.
fn withhold(unit: &mut crate::model::Unit, files: &[String]) {
    if files.is_empty() {
        return;
    }
    unit.docs.retain(|d| !files.contains(&d.path));
    let dir = unit.dir.clone();
    unit.attachments.retain(|a| !files.contains(&format!("{dir}/{a}")));
}

/// Units rendered in parallel before their pages are folded into the search index: the index
/// takes them in unit order, so at most two batches of entries are held (one folded while the
/// next renders).
const BATCH: usize = 64;

/// What [`render_site`] reads before the first unit: what it needs of the record (after which
/// the record's entries may be set aside) and, with a build cache, what each unit's folder holds.
pub(crate) struct Prepared {
    from: FromRecord,
    folders: Option<Vec<Option<(blake3::Hash, String)>>>,
}

/// Read what [`render_site`] reads first; the record's archive and histories while the unit
/// folders are listed. `site` must have been loaded with its whole record.
pub(crate) fn prepare(site: &Site, cache: Option<&Cache>) -> Result<Prepared> {
    let (from, folders) = rayon::join(
        || {
            let _phase = crate::timing::phase("准备：存档与历史版本");
            FromRecord::of(site)
        },
        || {
            let _phase = crate::timing::phase("准备：列出单位文件夹");
            cache.map(|c| site.units.par_iter().map(|dir| c.folder(&dir.slug, &dir.path)).collect::<Vec<_>>())
        },
    );
    Ok(Prepared { from: from?, folders })
}

/// Check and render the whole site, one unit at a time (in parallel): each unit is loaded,
/// checked, rendered and dropped, keeping only a summary. Returns the check result (with broken
/// links added) and what was written. `prepared` is [`prepare`]'s, for this site and cache.
pub(crate) fn render_site(
    site: &Site,
    theme: &Theme,
    sink: &dyn Sink,
    tick: &(dyn Fn() + Sync),
    cache: Option<&Cache>,
    prepared: Prepared,
) -> Result<(CheckResult, Rendered)> {
    let Prepared { from, folders } = prepared;
    let mut sr = SiteRenderer::with(site, theme, sink, from);
    let phase = crate::timing::phase("单位页面");
    // every unit's keys first: they tell whether the search index can be taken as it was
    let keys: Vec<Option<cache::Keys>> = match (cache, folders) {
        (Some(c), Some(folders)) => {
            site.units.par_iter().zip(folders).map(|(dir, folder)| c.keys(&sr.r, dir, folder)).collect()
        }
        _ => Vec::new(),
    };
    let search_sink = Record::new(sink, cache.is_some());
    let (mut index, mut search_files) = (None, 0);
    if sr.r.search {
        match cache.and_then(|c| Some((c, sr.search_taken(c, &keys)?))) {
            Some((cache, (taken, kept))) => {
                search_files = taken;
                if let Some(kept) = kept {
                    cache.keep_search(kept);
                }
            }
            None => index = Some(search::Index::default()),
        }
    }
    let mut units: Vec<RenderedUnit> = Vec::with_capacity(site.units.len());
    let mut reused = 0;
    // one copy of each list of outcomes: 10,000 units of a benchmark portal have 28 lists of 57
    let mut outcomes: rustc_hash::FxHashSet<std::sync::Arc<[crate::check::Outcome]>> = Default::default();
    // each batch is folded into the search index and the cache (in unit order, on one thread)
    // while the next batch renders
    let mut fold = |done: Vec<(RenderedUnit, Option<cache::Raw>, bool)>| -> Result<()> {
        for (mut u, line, hit) in done {
            reused += usize::from(hit);
            if let Some(cache) = cache {
                cache.push(line);
            }
            if let Some(index) = &mut index {
                index.add(&u.pages.name, &u.search.entries(), &search_sink)?;
            }
            u.search = cache::Searched::default();
            let rules = &mut u.check.result.rules;
            match outcomes.get(&**rules) {
                Some(shared) => *rules = shared.clone(),
                None => {
                    outcomes.insert(rules.clone());
                }
            }
            // the record archives the document pages the archive lacks: those it holds are
            // let go now (a province's are a hundred thousand paths)
            if sr.r.archive.opened {
                let store = &sr.r.archive.store;
                let before = u.pages.documents.len();
                u.pages.documents.retain(|p| !sink.hash_of(p).is_some_and(|h| store.holds(&h)));
                if u.pages.documents.len() < before {
                    u.pages.documents.shrink_to_fit();
                }
            }
            units.push(u);
        }
        Ok(())
    };
    let mut rendered: Vec<(RenderedUnit, Option<cache::Raw>, bool)> = Vec::new();
    for (n, batch) in site.units.chunks(BATCH).enumerate() {
        let previous = std::mem::take(&mut rendered);
        let (done, folded) = rayon::join(
            || -> Result<Vec<_>> {
                batch
                    .par_iter()
                    .enumerate()
                    .map(|(i, dir)| {
                        let keys = keys.get(n * BATCH + i).and_then(Option::as_ref);
                        let out = sr.unit_cached(dir, cache, keys);
                        tick();
                        out
                    })
                    .collect()
            },
            || fold(previous),
        );
        folded?;
        rendered = done?;
    }
    fold(rendered)?;
    drop(phase);
    // the pages' histories were for the units' pages: of those the site's pages publish, only
    // the units no longer in the site have any (see `gone_units`)
    if let Some(archive) = std::sync::Arc::get_mut(&mut sr.r.archive) {
        let slugs: std::collections::HashSet<&str> = site.units.iter().map(|u| u.slug.as_str()).collect();
        archive.histories.retain(|path, _| !path.split_once('/').is_some_and(|(slug, _)| slugs.contains(slug)));
    }
    let search_taken = sr.r.search && index.is_none();
    if let Some(index) = index {
        let _phase = crate::timing::phase("搜索索引");
        search_files = index.finish(&search_sink)?;
        if let (Some(cache), Some(files)) = (cache, search_sink.into_kept()) {
            cache.keep_search(files);
        }
    }
    let _phase = crate::timing::phase("全站页面");
    let checks = units.iter_mut().map(|u| std::mem::take(&mut u.check)).collect();
    let refs: Vec<&RenderedUnit> = units.iter().collect();
    let (result, rendered) = sr.finish(checks, &refs, &|p| sink.exists(p))?;
    Ok((result, Rendered { reused, search_taken, files: rendered.files + search_files, ..rendered }))
}

/// A sink that passes every file on and keeps what the build cache needs of each (when asked).
struct Record<'s> {
    inner: &'s dyn Sink,
    /// (path, BLAKE3) of each file put, when the unit is cacheable.
    files: Option<std::sync::Mutex<Vec<(String, blake3::Hash)>>>,
}

impl<'s> Record<'s> {
    fn new(inner: &'s dyn Sink, keep: bool) -> Self {
        Record { inner, files: keep.then(Default::default) }
    }

    /// Note a file just put, for the cache, with the hash the sink computed as it wrote it
    /// (the publication record's), or else its own.
    fn keep(&self, path: &str, bytes: &[u8]) {
        if let Some(files) = &self.files {
            let hash = self.inner.hash_of(path).unwrap_or_else(|| blake3::hash(bytes));
            files.lock().unwrap_or_else(|e| e.into_inner()).push((path.to_string(), hash));
        }
    }

    /// What the cache keeps of each file put (the last put of a path), in the order put; `None`
    /// when the sink cannot tell.
    fn into_kept(self) -> Option<Vec<crate::output::Kept>> {
        let files = self.files?.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut seen = std::collections::HashSet::new();
        let mut kept = Vec::with_capacity(files.len());
        for (path, hash) in files.iter().rev() {
            if seen.insert(path.as_str()) {
                kept.push(self.inner.kept(path, *hash)?);
            }
        }
        kept.reverse();
        Some(kept)
    }
}

impl Sink for Record<'_> {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<()> {
        self.inner.put(path, bytes)?;
        self.keep(path, bytes);
        Ok(())
    }

    fn put_page(&self, path: &str, html: &str) -> Result<()> {
        self.inner.put_page(path, html)?;
        self.keep(path, html.as_bytes());
        Ok(())
    }

    fn put_document(&self, path: &str, html: &str, archive: &ForArchive<'_>) -> Result<()> {
        self.inner.put_document(path, html, archive)?;
        self.keep(path, html.as_bytes());
        Ok(())
    }

    fn hash_of(&self, path: &str) -> Option<blake3::Hash> {
        self.inner.hash_of(path)
    }

    fn exists(&self, path: &str) -> bool {
        self.inner.exists(path)
    }
}
