//! The commands behind the CLI, as library functions: they do the I/O a command needs and report
//! an outcome; `main` maps outcomes to exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::check::{self, CheckResult};
use crate::error::{Error, Result};
use crate::load::{self, LoadOptions};
use crate::report::{self, Context, Format};

mod editor;
mod root;
mod sheets;
pub(crate) use editor::write_schemas;
pub use editor::{SchemaOptions, schema};
pub use root::site_root;
pub use sheets::{ExportOptions, ImportOptions, SheetFormat, export, import};

/// How a command ended, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing required is missing (exit 0).
    Clean,
    /// At least one error finding remains (exit 1).
    Findings,
}

/// Options of `gongkai check`.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// The site root (the folder holding `content/`).
    pub site: PathBuf,
    /// The report format.
    pub format: Format,
    /// Where to write the report (default: standard output).
    pub output: Option<PathBuf>,
    /// Only this unit (by folder name).
    pub unit: Option<String>,
    /// Print only the summary in the human format.
    pub quiet: bool,
    /// Judge deadlines as on this date.
    pub today: Option<jiff::civil::Date>,
}

/// `gongkai check`: load, check, report.
pub fn check(opts: &CheckOptions) -> Result<Outcome> {
    let load_options = LoadOptions {
        unit: opts.unit.clone(),
        today: opts.today,
        record: load::RecordUse::Numbers,
        ..Default::default()
    };
    let site = load::load_site(&opts.site, &load_options)?;
    let result = check::check_site(&site);
    let plain = Context { root: &site.root, packs: &site.packs, color: false };
    let styled = Context { color: true, ..plain };

    let mut stdout = anstream::stdout().lock();
    let print = |out: &mut dyn Write, s: &str| out.write_all(s.as_bytes()).map_err(|e| Error::write("<stdout>", e));
    if let Some(path) = &opts.output {
        let file = std::fs::File::create(path).map_err(|e| Error::write(path, e))?;
        let mut file = std::io::BufWriter::new(file);
        match opts.format {
            Format::Json => report::write_json(&result, &plain, &mut file),
            other => file.write_all(report::render(other, &result, &plain).as_bytes()),
        }
        .and_then(|()| file.flush())
        .map_err(|e| Error::write(path, e))?;
        print(&mut stdout, &human(&result, &styled, opts.quiet))?;
    } else {
        match opts.format {
            Format::Human => print(&mut stdout, &human(&result, &styled, opts.quiet))?,
            Format::Github => {
                print(&mut stdout, &report::github_annotations(&result))?;
                print(&mut stdout, &report::human_summary(&result, &styled))?;
                if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY") {
                    append(&PathBuf::from(summary), &report::markdown(&result, &plain))?;
                }
            }
            Format::Json => report::write_json(&result, &plain, std::io::BufWriter::new(&mut stdout))
                .map_err(|e| Error::write("<stdout>", e))?,
            other => print(&mut stdout, &report::render(other, &result, &plain))?,
        }
    }
    Ok(outcome(&result))
}

fn human(result: &CheckResult, cx: &Context<'_>, quiet: bool) -> String {
    let mut s = if quiet { String::new() } else { report::human(result, cx) };
    s.push_str(&report::human_summary(result, cx));
    s
}

fn append(path: &PathBuf, text: &str) -> Result<()> {
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| Error::write(path, e))?;
    f.write_all(text.as_bytes()).map_err(|e| Error::write(path, e))
}

/// The exit status a check result gives: findings when an error remains.
pub fn outcome(result: &CheckResult) -> Outcome {
    if result.errors() > 0 { Outcome::Findings } else { Outcome::Clean }
}

/// Options of `gongkai build`.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site root (the folder holding `content/`).
    pub site: PathBuf,
    /// Output folder (default `SITE/public`).
    pub out: Option<PathBuf>,
    /// Publish nothing while an error finding remains.
    pub strict: bool,
    /// Print only the summary, no progress bar.
    pub quiet: bool,
    /// Judge deadlines as on this date.
    pub today: Option<jiff::civil::Date>,
    /// The site's address for this build, in place of `base_url` in `gongkai.yaml`.
    pub base_url: Option<String>,
    /// The build cache's folder (see `render::cache`); `None`: render every unit, keep nothing.
    pub cache: Option<PathBuf>,
    /// Publish as a link to a version folder, unchanged units as links to their trees (see
    /// `output::versions`).
    pub versioned: bool,
}

/// The build cache's folder when none is given: `.gongkai-cache/` in the site.
pub fn default_cache(site: &Path) -> PathBuf {
    site.join(crate::render::cache::DEFAULT_DIR)
}

/// The report folder when the report is not published on the site.
pub const REPORT_DIR: &str = "gongkai-report";

/// `gongkai build`: check, render every page into a staging folder, swap it in.
///
/// All of it on one of rayon's threads, which render the units: glibc's allocator gives each
/// thread that allocates an arena of its own, and memory freed in one is not taken up by another.
/// On the calling thread, the portal's pages and the record filled a third arena beside the two
/// the units were rendered in (at 10,000 units, peak RSS 262 → 239 MiB with nothing changed).
pub fn build(opts: &BuildOptions) -> Result<Outcome> {
    rayon::scope(|_| build_on_worker(opts))
}

fn build_on_worker(opts: &BuildOptions) -> Result<Outcome> {
    use crate::output::Staging;
    use crate::render::theme::Theme;

    let load = crate::timing::phase("读取站点");
    let load_options = LoadOptions {
        today: opts.today,
        base_url: opts.base_url.clone(),
        record: load::RecordUse::Aside,
        ..Default::default()
    };
    let mut site = load::load_site(&opts.site, &load_options)?;
    // built for another address than the configured one (a staging site): not a publication
    let elsewhere = site.elsewhere;
    drop(load);
    let theme = Theme::load(&site.root, site.config.theme.as_deref().unwrap_or("default"))?;
    let out = opts.out.clone().unwrap_or_else(|| site.root.join("public"));
    let report_dir = std::fs::canonicalize(&site.root).map(|r| r.join(REPORT_DIR)).ok();
    if !site.config.report.publish && report_dir.as_deref() == Some(&*crate::output::validate_output(&out, &site.root)?)
    {
        return Err(Error::Output {
            path: out,
            reason: format!("{REPORT_DIR}/ 是检查报告的目录，网站和报告不能写到同一个地方"),
            help: "不写 -o 时网站输出到站点里的 public/；或用 -o 指定另一个文件夹".into(),
        });
    }
    // the hash of every file written is for the publication record: a build that records
    // nothing does not compute them (a versioned output keeps them all the same)
    let staged = if opts.versioned {
        Staging::versioned(&out, &site.root, site.units.iter().map(|u| u.slug.clone()))
    } else if elsewhere {
        Staging::new(&out, &site.root)
    } else {
        Staging::hashed(&out, &site.root)
    };
    let mut staging = staged.map_err(|e| match e {
        Error::Write { .. } => Error::BuildStopped { kept: out.exists(), out: out.clone(), source: Box::new(e) },
        other => other,
    })?;
    // new document pages go to the archive as they are written (see `record`)
    let spool = if elsewhere { None } else { crate::record::archive::Spool::new(&site.root).map(std::sync::Arc::new) };
    if let Some(spool) = &spool {
        let spool = spool.clone();
        staging.keep_documents(Box::new(move |hash, page, base| spool.offer(hash, page, base)));
    }
    let out = staging.out().to_path_buf();
    let existed = out.exists();
    let stopped = |e: Error| Error::BuildStopped { out: out.clone(), kept: existed, source: Box::new(e) };

    let caching = crate::timing::phase("构建缓存");
    let cache = opts.cache.as_ref().map(|dir| crate::render::cache::Cache::open(dir, &site, &out, staging.path()));
    drop(caching);
    let bar = progress(site.units.len(), opts.quiet);
    let rendering = crate::timing::phase("检查并生成");
    let prepared = crate::render::run::prepare(&site, cache.as_ref()).map_err(stopped)?;
    let built =
        render_and_report(&site, &theme, &staging, &|| bar.inc(1), cache.as_ref(), prepared).map_err(stopped)?;
    bar.finish_and_clear();
    drop(rendering);
    let Built { result, files, report_dir, numbers, documents, reused, search_taken, store } = built;

    let styled = Context { root: &site.root, packs: &site.packs, color: true };
    let mut stdout = anstream::stdout().lock();
    let mut text = human(&result, &styled, opts.quiet);
    let errors = result.errors();
    // the summary is written: the check result, and what only rendering read, are let go
    // before the record is made
    drop(result);
    site.rendered();
    if opts.strict && errors > 0 {
        drop(staging);
        text.push_str(&format!(
            "按 --strict 的要求没有发布：还有 {errors} 项错误。{} 保持原样。\n报告：{}\n",
            out.display(),
            report_dir.join("index.html").display()
        ));
        stdout.write_all(text.as_bytes()).map_err(|e| Error::write("<stdout>", e))?;
        return Ok(Outcome::Findings);
    }
    let recording = crate::timing::phase("公开记录");
    let recorded = if elsewhere {
        format!(
            "公开记录：这次生成用的是 --base-url 给的地址，不是 gongkai.yaml 的 base_url，不算正式发布，没有写入 {}/。\n",
            crate::record::FOLDER
        )
    } else {
        // whole: the pages were rendered from it (taken out, to read its entries back)
        site.record().map_err(stopped)?;
        let previous = site.record.take().unwrap_or_default();
        record(&site, previous, &staging, numbers, &documents, spool.as_deref(), store).map_err(stopped)?
    };
    drop(recording);
    let swap = crate::timing::phase("替换旧网站");
    let leftover = staging.commit().map_err(stopped)?;
    drop(swap);
    if reused > 0 {
        let units = site.units.len();
        text.push_str(&format!(
            "构建缓存：{reused} 个单位的内容没有变化，沿用上次生成的网页；重新生成 {} 个单位。{}\n",
            units - reused,
            if search_taken { "搜索索引也沿用上次生成的。" } else { "" }
        ));
    }
    if let Some(cache) = cache {
        for notice in cache.notices() {
            text.push_str(&format!("注意：{notice}\n"));
        }
        if let Some(warning) = cache.commit() {
            text.push_str(&format!("注意：{warning}\n"));
        }
    }
    text.push_str(&recorded);
    text.push_str(&format!(
        "已生成网站：{}（{files} 个文件）\n报告：{}\n",
        out.display(),
        report_dir.join("index.html").display()
    ));
    if let Some(warning) = leftover {
        text.push_str(&format!("注意：{warning}\n"));
    }
    stdout.write_all(text.as_bytes()).map_err(|e| Error::write("<stdout>", e))?;
    // without --strict a build with findings still succeeds: the summary above lists them
    Ok(Outcome::Clean)
}

/// The publication record (第十二条(三)(五)): hash what the build is about to publish, and when
/// it differs from what the record says was published (or new 索引号 were assigned), append an
/// entry and write the record to the site's `record/` first — so that a published site never
/// carries an entry the site's record lacks — then publish the whole record with the site under
/// `.well-known/gongkai/`. Every document page (`documents`) whose bytes the archive lacks is
/// added to `record/archive/` in the same Staging (see `record::archive`): compressed as they
/// were written when `spool` has them, otherwise read back and compressed. `previous` is the
/// site's record, its entries' bytes set aside (read back from their files). Returns a line for
/// the summary.
fn record(
    site: &crate::model::Site,
    previous: crate::record::Record,
    staging: &crate::output::Staging,
    numbers: std::collections::BTreeMap<String, String>,
    documents: &[String],
    spool: Option<&crate::record::archive::Spool>,
    store: Option<std::sync::Arc<crate::record::archive::Store>>,
) -> Result<String> {
    use crate::output::Sink;
    use crate::record::{FOLDER, PUBLISHED, archive, hash_tree};

    let dir = site.root.join(FOLDER);
    // as the pages were rendered with it, or else read again (to say what is wrong with it)
    let store = match store {
        Some(store) => store,
        None => std::sync::Arc::new(archive::Store::open(&dir).map_err(|e| Error::io(dir.join(archive::DIR), e))?),
    };
    let staged = staging.take_hashes();
    // the document pages the archive lacks, by the hashes they were written with (a page written
    // without one is read and hashed), in the order of their hashes: the same site gives the
    // same packs
    let mut to_archive: Vec<(String, String)> = documents
        .iter()
        .filter_map(|p| {
            let hash = staged
                .get(p)
                .or_else(|| staging.hash_of(p))
                .or_else(|| std::fs::read(staging.path().join(p)).ok().map(|b| blake3::hash(&b)))?;
            let hex = hash.to_hex();
            (!store.contains(&hex)).then(|| (p.clone(), hex.to_string()))
        })
        .collect();
    to_archive.sort_by(|a, b| a.1.cmp(&b.1));
    to_archive.dedup_by(|a, b| a.1 == b.1);
    // the new record folder, with the archive as it was and the new versions, while the staged
    // site is listed and hashed (the two share no file)
    let hash_site = || {
        let _hashing = crate::timing::phase("公开记录：计算哈希");
        // a unit's tree taken from the previous version was listed as it was taken
        let kept = std::sync::Mutex::new(staging.kept_listings());
        // (a tree's paths made strings of their own only when its turn comes)
        let listed = |top: &str| kept.lock().unwrap_or_else(|e| e.into_inner()).remove(top).map(|l| l.files());
        hash_tree(staging.path(), &|p| staged.get(p), &listed).map_err(|e| Error::io(staging.path(), e))
    };
    // and what the record says was published, meanwhile (the entries read from their files as
    // they were when the build began)
    let recorded = || previous.state().map_err(|problems| Error::Record { path: dir.clone(), problems });
    let hash_and_read = || rayon::join(hash_site, recorded);
    let ((now, before), out) = if to_archive.is_empty() {
        (hash_and_read(), None)
    } else {
        let (both, out) =
            rayon::join(hash_and_read, || new_record_folder(site, &dir, &store, &to_archive, staging, spool));
        (both, Some(out?))
    };
    let (now, before) = (now?, before?);
    drop(staged);
    let entry = crate::timing::phase("公开记录：新条目");
    let appended = previous.append_to(before, &site.env.today.to_string(), now.iter(), numbers);
    let record = appended.as_ref().unwrap_or(&previous);
    let signatures = crate::record::sign::for_build(&site.root, record, appended.is_some()).map_err(Error::Usage)?;
    drop(entry);
    let publishing = crate::timing::phase("公开记录：随网站发布");
    put_record(staging, &format!("{PUBLISHED}/"), record, &signatures)?;
    drop(publishing);
    if appended.is_none() && to_archive.is_empty() {
        return Ok("公开记录：与上次发布相比没有变化，没有新增记录。\n".into());
    }
    let _writing = crate::timing::phase("公开记录：写入记录");
    let out = match out {
        Some(out) => out,
        None => new_record_folder(site, &dir, &store, &[], staging, spool)?,
    };
    put_record(&out, "", record, &signatures)?;
    if let Some(warning) = out.commit()? {
        eprintln!("注意：{warning}");
    }
    let archived =
        if to_archive.is_empty() { String::new() } else { format!("存档 {} 个文件版本，", to_archive.len()) };
    let Some((e, [added, changed, removed])) =
        appended.as_ref().and_then(|r| Some((r.entries().last()?, r.last_counts()?)))
    else {
        return Ok(format!("公开记录：没有新增记录；{archived}已写入 {FOLDER}/，请和内容一起提交。\n"));
    };
    Ok(format!(
        "公开记录：第 {} 条（新增 {}、改动 {}、删除 {} 个文件，新编索引号 {} 个），{archived}已写入 {FOLDER}/，请和内容一起提交。\n",
        e.seq,
        added,
        changed,
        removed,
        e.numbers.len()
    ))
}

/// Write the record's files and `signatures` into `into`, each path after `prefix`: an entry set
/// aside is copied from its file, and checked as it is.
fn put_record(
    into: &crate::output::Staging,
    prefix: &str,
    record: &crate::record::Record,
    signatures: &[(String, Vec<u8>)],
) -> Result<()> {
    use crate::output::Sink;
    use crate::record::Source;
    for (rel, source) in record.files_to_write() {
        let path = format!("{prefix}{rel}");
        match source {
            Source::Bytes(bytes) => into.put(&path, &bytes)?,
            Source::Copy(from, hash) => into.put_file(&path, &from, &hash)?,
        }
    }
    for (rel, bytes) in signatures {
        into.put(&format!("{prefix}{rel}"), bytes)?;
    }
    Ok(())
}

/// A new `record/` being staged (see [`record`]) with the archive's files as they are (linked, or
/// copied where links are not possible) and the versions `to_archive` (path, BLAKE3) in new packs:
/// as the spool kept them, or read back from the staged site and compressed alone.
fn new_record_folder(
    site: &crate::model::Site,
    dir: &Path,
    store: &crate::record::archive::Store,
    to_archive: &[(String, String)],
    staging: &crate::output::Staging,
    spool: Option<&crate::record::archive::Spool>,
) -> Result<crate::output::Staging> {
    use crate::record::archive;
    let _archiving = crate::timing::phase("公开记录：写入存档");
    let out = crate::output::Staging::new(dir, &site.root)?;
    // the archive's files as they are (linked, or copied where links are not possible), then
    // the new versions in new packs, compressed in parallel a batch at a time and written in
    // order (the same site gives the same packs)
    let into = out.path().join(archive::DIR);
    if !store.files().is_empty() {
        std::fs::create_dir_all(&into).map_err(|e| Error::write(&into, e))?;
        for name in store.files() {
            let (from, to) = (store.dir().join(name), into.join(name));
            if std::fs::hard_link(&from, &to).is_err() {
                std::fs::copy(&from, &to).map_err(|e| Error::write(&to, e))?;
            }
        }
    }
    {
        use rayon::prelude::*;
        // a version the spool compressed against a base is kept so only where that base is kept
        // alone, in the archive already or added here; otherwise it is compressed again, alone
        let held = spool.map(|s| s.take_held()).transpose().map_err(|e| Error::io(&site.root, e))?.unwrap_or_default();
        let adding: std::collections::HashSet<&str> = to_archive.iter().map(|(_, h)| h.as_str()).collect();
        let alone = |base: &blake3::Hash| {
            let hex = base.to_hex();
            store.holds_alone(&hex)
                || (adding.contains(hex.as_str())
                    && held.get(base).is_some_and(|b| b.is_some_and(|b| b.base.is_none())))
        };
        let mut packs = archive::PackWriter::new(&into, store);
        for batch in to_archive.chunks(512) {
            let compressed: Vec<(&String, Vec<u8>, Option<String>)> = batch
                .par_iter()
                .map(|(path, hash)| {
                    let page = staging.path().join(path.as_str());
                    if let Some(spool) = spool
                        && let Some(Some(kept)) = blake3::Hash::from_hex(hash).ok().and_then(|h| held.get(&h))
                        && kept.base.as_ref().is_none_or(alone)
                    {
                        let data = spool.read(kept).map_err(|e| Error::io(&page, e))?;
                        return Ok((hash, data, kept.base.map(|b| b.to_hex().to_string())));
                    }
                    let bytes = std::fs::read(&page).map_err(|e| Error::io(&page, e))?;
                    Ok((hash, archive::compress(&bytes, None), None))
                })
                .collect::<Result<_>>()?;
            for (hash, data, base) in compressed {
                packs.add(hash, &data, base.as_deref()).map_err(|e| Error::write(&into, e))?;
            }
        }
        packs.finish().map_err(|e| Error::write(&into, e))?;
    }
    Ok(out)
}

/// What a build made before it is published.
struct Built {
    result: CheckResult,
    files: usize,
    report_dir: PathBuf,
    /// 索引号 assigned by this build.
    numbers: std::collections::BTreeMap<String, String>,
    /// The document pages written (see `record::archive`).
    documents: Vec<String>,
    /// Units whose pages came from the previous output (the build cache).
    reused: usize,
    /// The search index's files came from the previous output (the build cache).
    search_taken: bool,
    /// The record's archive as the pages were rendered with it.
    store: Option<std::sync::Arc<crate::record::archive::Store>>,
}

/// Render the site into `staging`, and the missing-items report: on the site when configured,
/// otherwise beside it (that folder is published at once: it is not the public site).
fn render_and_report(
    site: &crate::model::Site,
    theme: &crate::render::theme::Theme,
    staging: &crate::output::Staging,
    tick: &(dyn Fn() + Sync),
    cache: Option<&crate::render::cache::Cache>,
    prepared: crate::render::run::Prepared,
) -> Result<Built> {
    use crate::output::{Sink, Staging};
    use crate::render::{self, run};

    let (result, rendered) = run::render_site(site, theme, staging, tick, cache, prepared)?;
    let _phase = crate::timing::phase("检查报告");
    let cx = Context { root: &site.root, packs: &site.packs, color: false };
    // streamed to its file (it grows with the site: tens of MB for thousands of units); the
    // publication record reads it back to hash it
    let write_json = |path: &Path| -> Result<()> {
        let file = std::fs::File::create(path).map_err(|e| Error::write(path, e))?;
        report::write_json(&result, &cx, std::io::BufWriter::new(file)).map_err(|e| Error::write(path, e))
    };
    // the data and the page, at once: each reads the whole result
    let report_dir = if site.config.report.publish {
        staging.put("report/index.html", b"")?;
        let (json, html) = rayon::join(
            || write_json(&staging.path().join("report/report.json")),
            || render::report_html(site, &result, theme, "../static/style.css", "../index.html"),
        );
        json?;
        staging.put("report/index.html", html?.as_bytes())?;
        staging.out().join("report")
    } else {
        let dir = site.root.join(REPORT_DIR);
        let report = Staging::new(&dir, &site.root)?;
        let (json, html) = rayon::join(
            || write_json(&report.path().join("report.json")),
            || render::report_html(site, &result, theme, "static/style.css", "report.json"),
        );
        json?;
        report.put("index.html", html?.as_bytes())?;
        if let Some(css) = theme.statics.get("style.css") {
            report.put("static/style.css", css)?;
        }
        if let Some(warning) = report.commit()? {
            eprintln!("注意：{warning}");
        }
        dir
    };
    Ok(Built {
        result,
        files: rendered.files,
        report_dir,
        numbers: rendered.numbers,
        documents: rendered.documents,
        reused: rendered.reused,
        search_taken: rendered.search_taken,
        store: rendered.store,
    })
}

/// A progress bar on a terminal; hidden when quiet, in CI, or not on a terminal.
fn progress(len: usize, quiet: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if quiet || std::env::var_os("CI").is_some() || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("生成网站 {bar:30} {pos}/{len} 个单位 {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

/// Write beside, then rename over: a crash leaves the old file or the new one, never half.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.gongkai.tmp"));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::write(path, e));
    }
    Ok(())
}
