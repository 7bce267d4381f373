//! Loading a site: configuration, rule packs, and every unit's files, with exact positions.
//!
//! Sits above `yaml` and `schema`, below `check`. Units are loaded in parallel. Anything wrong
//! *inside* a unit (unreadable file, YAML error, unknown key) becomes a finding and the other units
//! are still loaded; only an unusable site, configuration or rule pack is an `Error` (exit 2).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

mod drafts;
mod file;
mod misplaced;
mod paste;
mod removed;

use file::load_doc;
pub use file::{decode, unit_from_bytes};
use misplaced::unknown_file;

use crate::calendar::{Calendar, Env};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::finding::{Finding, Kind, Severity};
use crate::input::{self, Place};
use crate::model::AttachmentText;
use crate::model::{Site, Unit, UnitDir};
use crate::pack::{self, Pack};
use crate::schema::{self, Schema};
use crate::yaml::Pos;

/// Files larger than this are refused: disclosure YAML and Markdown are a few kilobytes, and a
/// 4 MiB file is a mistake (a pasted spreadsheet, a binary saved as `.md`).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Attachments larger than this are not published (a scanned archive, a video): 64 MiB.
pub const MAX_ATTACHMENT_BYTES: u64 = 64 * 1024 * 1024;

/// The site configuration file name.
pub const CONFIG_FILE: &str = "gongkai.yaml";

/// Which units to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Only this unit (by folder name).
    pub unit: Option<String>,
    /// The date deadlines are judged on (default: today in China).
    pub today: Option<jiff::civil::Date>,
    /// The site's address for this run, in place of `base_url` in `gongkai.yaml` (`--base-url`:
    /// a staging address, or production's).
    pub base_url: Option<String>,
    /// Keep drafts (`草稿: true`) among the documents, marked as drafts (`serve --drafts`).
    pub drafts: bool,
    /// How much of the publication record to keep (its chain is verified either way).
    pub record: RecordUse,
}

/// How much of the publication record a load keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RecordUse {
    /// All of it (`Site::record`): what previewing needs.
    #[default]
    Whole,
    /// All of it, each entry read whole to know it is one and then let go, to be read back from
    /// its file when needed ([`crate::record::Record::read_aside`]): what building needs.
    Aside,
    /// Only the 索引号 each build assigned (`Site::published`): what checking needs. A
    /// province-sized record lists a quarter of a million files, which `check` never looks at.
    Numbers,
}

/// Today's date in China (UTC+8), where the deadlines run.
pub fn today_in_china() -> jiff::civil::Date {
    jiff::tz::Offset::constant(8).to_datetime(jiff::Timestamp::now()).date()
}

/// Load the site at `root`.
pub fn load_site(root: &Path, opts: &LoadOptions) -> Result<Site> {
    let content = root.join("content");
    if !content.is_dir() {
        return Err(Error::NoContent(root.to_path_buf()));
    }
    if input::inside(root, &content) != Place::Folder {
        return Err(Error::Usage(format!(
            "{}: content/ 是指向站点之外的符号链接；gongkai 只发布站点目录里的文件\n  帮助: 把 content/ 文件夹本身放进站点目录",
            root.display()
        )));
    }
    let mut config = read_config(root)?;
    if let Some(problem) = config.base_url.as_deref().and_then(crate::config::base_url_problem) {
        return Err(Error::Config { file: CONFIG_FILE.into(), pos: None, message: format!("base_url: {problem}") });
    }
    let mut elsewhere = false;
    if let Some(url) = &opts.base_url {
        let slash = |u: &str| u.trim_end_matches('/').to_string();
        elsewhere = config.base_url.as_deref().map(slash) != Some(slash(url));
        config.base_url = Some(checked_base_url(url)?);
    }
    if let Some(desk) = &config.desk
        && let Some(problem) = crate::config::desk_problem(&desk.value)
    {
        let at = desk.referenced;
        let clamp = |n: u64| u32::try_from(n.max(1)).unwrap_or(u32::MAX);
        let pos = Some(crate::yaml::Pos::new(clamp(at.line()), clamp(at.column())));
        return Err(Error::Config {
            file: CONFIG_FILE.into(), pos, message: format!("desk（受理平台）: {problem}")
        });
    }
    let (schema, packs) = load_packs(root, &config)?;

    let mut findings = Vec::new();
    if let Some(title) = config.title.as_deref().filter(|t| crate::shape::is_placeholder(t, &[])) {
        findings.push(site_title_placeholder(root, title));
    }
    let mut dirs = Vec::new();
    for entry in read_dir_sorted(&content)? {
        let name = match entry.file_name().into_string() {
            Ok(n) => n,
            Err(os) => {
                findings.push(bad_name_finding(&format!("content/{}", os.to_string_lossy())));
                continue;
            }
        };
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        let path = entry.path();
        let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
        if is_link && path.is_dir() {
            // a unit folder is never followed through a link: its files would be published
            // from wherever the link leads (content/x -> /etc)
            let outside = input::inside(root, &path) == Place::Outside;
            findings.push(
                Finding::builtin(
                    Kind::Invalid,
                    if outside { Severity::Error } else { Severity::Warning },
                    &format!("content/{name}"),
                    None,
                    if outside {
                        format!("单位文件夹「{name}」是指向站点之外的符号链接，不会读取，也不会发布")
                    } else {
                        format!("单位文件夹「{name}」是符号链接，不会跟随，其中的文件不会发布")
                    },
                )
                .with_help("把单位文件夹本身放进 content/，不要用链接"),
            );
        } else if path.is_dir() {
            dirs.push((name, path));
        } else {
            findings.push(
                Finding::builtin(
                    Kind::UnknownFile,
                    Severity::Warning,
                    &format!("content/{name}"),
                    None,
                    format!("content/ 下的文件「{name}」不属于任何单位，不会发布"),
                )
                .with_help("每个单位一个文件夹：content/单位名/unit.yaml 等"),
            );
        }
    }
    if let Some(only) = &opts.unit {
        if !dirs.iter().any(|(n, _)| n == only) {
            let suggestion = schema::did_you_mean(only, dirs.iter().map(|(n, _)| n.as_str())).map(str::to_string);
            return Err(Error::UnknownUnit { name: only.clone(), suggestion });
        }
        dirs.retain(|(n, _)| n == only);
    }
    for slug in config.units.keys() {
        if !dirs.iter().any(|(n, _)| n == slug) && opts.unit.is_none() {
            findings.push(Finding::builtin(
                Kind::Invalid,
                Severity::Warning,
                CONFIG_FILE,
                None,
                format!("gongkai.yaml 的 units 中写了「{slug}」，但 content/ 下没有这个单位文件夹"),
            ));
        }
    }

    let mut units: Vec<UnitDir> =
        dirs.into_iter().map(|(slug, path)| UnitDir { slug, path, findings: Vec::new() }).collect();
    flag_duplicate_slugs(&mut units);
    let calendar = Calendar::builtin().with_local(&config.calendar).map_err(|message| Error::Config {
        file: CONFIG_FILE.into(),
        pos: None,
        message: format!("calendar: {message}"),
    })?;
    let pinned = match &config.today {
        Some(t) => Some(crate::shape::parse_date(t).ok_or_else(|| Error::Config {
            file: CONFIG_FILE.into(),
            pos: None,
            message: format!("today: 「{t}」不是有效的日期，写成 2026-11-27"),
        })?),
        None => None,
    };
    let env = Env { today: opts.today.or(pinned).unwrap_or_else(today_in_china), calendar };
    // the 索引号 the record's entries assigned are read into `published` and `sequences`, and
    // let go as parsed (a province's record assigned a quarter of a million)
    let numbered = |heads: &mut dyn Iterator<Item = &crate::record::EntryHead>| {
        let heads: Vec<_> = heads.collect();
        let published = crate::record::numbers::published(heads.iter().map(|e| (&*e.date, &e.numbers)));
        (published, crate::record::numbers::Sequences::of(heads.iter().flat_map(|e| e.numbers.values())))
    };
    let (record, (published, sequences)) = match opts.record {
        RecordUse::Whole | RecordUse::Aside => {
            let mut record = read_record(root, opts.record == RecordUse::Aside)?;
            let numbers = numbered(&mut record.entries());
            record.forget_numbers();
            (Some(record), numbers)
        }
        RecordUse::Numbers => (None, numbered(&mut read_record_heads(root)?.iter())),
    };
    if opts.unit.is_none() {
        let slugs = units.iter().map(|u| u.slug.as_str()).collect();
        findings.extend(removed::gone_units(&slugs, &published));
    }
    let shared_codes = if opts.unit.is_none() { shared_codes(&mut units, &schema) } else { Default::default() };
    Ok(Site {
        root: root.to_path_buf(),
        config,
        schema,
        packs,
        units,
        findings,
        env,
        record,
        shared_codes,
        published,
        sequences,
        drafts: opts.drafts,
        elsewhere,
    })
}

/// The address `--base-url` gives, when it is one (exit 2 otherwise: a usage error).
pub fn checked_base_url(url: &str) -> Result<String> {
    match crate::config::base_url_problem(url) {
        None => Ok(url.to_string()),
        Some(problem) => Err(Error::Usage(format!("--base-url：{problem}"))),
    }
}

/// 统一社会信用代码 that more than one unit declares in its unit.yaml (read ahead of the units,
/// in parallel: a code is small). Each such unit gets an error finding; their documents' 索引号
/// use the folder name instead of the code, so that no two documents share a number.
fn shared_codes(units: &mut [UnitDir], schema: &Schema) -> std::collections::BTreeSet<String> {
    use rayon::prelude::*;
    let Some(spec) = schema.doc("unit") else { return Default::default() };
    let codes: Vec<Option<String>> = units
        .par_iter()
        .map(|u| {
            let site_path = format!("content/{}/{}", u.slug, spec.file);
            let (doc, _) = file::load_doc(&u.path.join(&spec.file), &site_path, spec, schema);
            let code = doc.data.as_ref().and_then(|d| d.text("credit_code")).map(str::trim).unwrap_or_default();
            (!code.is_empty()).then(|| code.to_string())
        })
        .collect();
    let mut by_code: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, code) in codes.iter().enumerate() {
        if let Some(code) = code {
            by_code.entry(code).or_default().push(i);
        }
    }
    let mut shared = std::collections::BTreeSet::new();
    for (code, at) in by_code.into_iter().filter(|(_, at)| at.len() > 1) {
        let names: Vec<String> = at.iter().map(|&i| units[i].slug.clone()).collect();
        for &i in &at {
            let others: Vec<&str> = names.iter().filter(|n| **n != units[i].slug).map(String::as_str).collect();
            let file = format!("content/{}/{}", units[i].slug, spec.file);
            units[i].findings.push(
                Finding::builtin(
                    Kind::Invalid,
                    Severity::Error,
                    &file,
                    None,
                    format!("统一社会信用代码 {code} 与单位「{}」的相同；每个单位的代码是唯一的", others.join("」「")),
                )
                .with_help(
                    "核对营业执照或事业单位法人证书，改正填错的代码；改正之前，这些单位文件的索引号用文件夹名编号",
                ),
            );
        }
        shared.insert(code.to_string());
    }
    shared
}

/// The site's publication record (`record/`), verified; empty before the first build. A record
/// that does not verify stops everything: publishing over it would start a new chain.
fn read_record(root: &Path, aside: bool) -> Result<crate::record::Record> {
    let dir = root.join(crate::record::FOLDER);
    let read = if aside { crate::record::Record::read_aside(&dir) } else { crate::record::Record::read(&dir) };
    match read {
        Ok(record) => Ok(record.unwrap_or_default()),
        Err(problems) => Err(Error::Record { path: dir, problems }),
    }
}

/// [`read_record`] without the files each entry lists (`RecordUse::Numbers`).
fn read_record_heads(root: &Path) -> Result<Vec<crate::record::EntryHead>> {
    let dir = root.join(crate::record::FOLDER);
    match crate::record::read_heads(&dir) {
        Ok(heads) => Ok(heads.unwrap_or_default()),
        Err(problems) => Err(Error::Record { path: dir, problems }),
    }
}

impl Site {
    /// Let go of what only loading, checking and rendering read: the documents the record says
    /// were published. A build does this once its pages are rendered; at 10,000 units they are
    /// 22 MB.
    pub fn rendered(&mut self) {
        self.published = Default::default();
    }

    /// The whole publication record, which building needs; an error when this load kept only
    /// its 索引号 (`RecordUse::Numbers`): a build on it would start a new chain.
    pub fn record(&self) -> Result<&crate::record::Record> {
        self.record.as_ref().ok_or_else(|| {
            Error::Usage(format!(
                "读取站点时只读了公开记录（{}/）的索引号，不能据此生成或预览网站：这是 gongkai 的缺陷，请报告",
                crate::record::FOLDER
            ))
        })
    }

    /// Read and parse one unit. Units are loaded one at a time by whoever walks the site
    /// (check, build, serve), so a province-sized portal never sits in memory whole.
    pub fn load_unit(&self, dir: &UnitDir) -> Unit {
        let mut unit = load_unit(&self.root, dir, &self.schema, &self.config, self.drafts);
        unit.findings.extend(dir.findings.iter().cloned());
        unit.findings.extend(removed::in_unit(&unit, &self.published, &self.env.today.to_string()));
        unit
    }
}

fn read_config(root: &Path) -> Result<Config> {
    let path = root.join(CONFIG_FILE);
    let text = match fs::read(&path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| Error::Config {
            file: CONFIG_FILE.into(),
            pos: None,
            message: "不是 UTF-8 编码；请另存为 UTF-8".into(),
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => return Err(Error::io(path, e)),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.trim().is_empty() {
        return Ok(Config::default());
    }
    serde_saphyr::from_str(text).map_err(|e| {
        let e = crate::yaml::SyntaxError::of(&e);
        Error::Config { file: CONFIG_FILE.into(), pos: e.pos, message: config_message(&e.message) }
    })
}

/// The parser's words for a configuration mistake, in Chinese; an unknown key gets the nearest
/// known one.
fn config_message(raw: &str) -> String {
    let Some(rest) = raw.strip_prefix("unknown field `") else {
        return "格式不对：检查这一行的缩进、冒号（英文「: 」）、引号和括号".to_string();
    };
    let (key, known) = rest.split_once('`').unwrap_or((rest, ""));
    let known: Vec<&str> = known.split_once("expected one of ").map_or("", |(_, k)| k).split(", ").collect();
    let guess =
        schema::did_you_mean(key, known.iter().copied()).map(|g| format!("是不是「{g}」？")).unwrap_or_default();
    format!("不认识的配置项「{key}」。{guess}可以写：{}", known.join("、"))
}

/// The content model and packs of the site at `root` (which need not have content yet).
pub fn packs_for(root: &Path) -> Result<(Schema, Vec<Pack>)> {
    load_packs(root, &read_config(root)?)
}

/// Read the built-in packs and the site's `rules/*.yaml`, select the configured ones, and extend
/// the content model with their fields.
fn load_packs(root: &Path, config: &Config) -> Result<(Schema, Vec<Pack>)> {
    let mut available: BTreeMap<String, Pack> = BTreeMap::new();
    for (name, text) in pack::BUILTIN {
        let p = pack::parse(text, &format!("builtin:{name}"))?;
        available.insert(p.id.clone(), p);
    }
    // the ids the site's own files have defined so far
    let mut from_site = std::collections::BTreeSet::new();
    let rules_dir = root.join("rules");
    if rules_dir.is_dir() {
        for entry in read_dir_sorted(&rules_dir)? {
            let path = entry.path();
            let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
            if !is_yaml || !path.is_file() {
                continue;
            }
            let origin = format!("rules/{}", entry.file_name().to_string_lossy());
            let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            let p = pack::parse(&text, &origin)?;
            // A site's pack replaces a built-in pack of the same id (local amendments); two site
            // packs with one id are a mistake.
            if let Some(existing) = available.get(&p.id).filter(|_| from_site.contains(&p.id)) {
                return Err(Error::Pack {
                    file: origin,
                    pos: None,
                    message: format!("pack id `{}` is already used by {}", p.id, existing.origin),
                });
            }
            from_site.insert(p.id.clone());
            available.insert(p.id.clone(), p);
        }
    }
    let mut schema = Schema::builtin();
    let mut packs = Vec::new();
    for id in config.packs() {
        let p = available.remove(&id).ok_or_else(|| {
            let known: Vec<&str> = available.keys().map(String::as_str).collect();
            Error::Config {
                file: CONFIG_FILE.into(),
                pos: None,
                message: format!("没有 id 为「{id}」的规则包；可用的有：{}", known.join("、")),
            }
        })?;
        p.extend_schema(&mut schema)?;
        packs.push(p);
    }
    // The fields of packs the site does not apply stay known, so content written for a sector
    // pack (or moved from a site that applies it) is not "unknown"; a pack not in use cannot
    // break the site, so one that clashes with those in use is left out.
    for p in available.values() {
        let mut wider = schema.clone();
        if p.extend_schema(&mut wider).is_ok() {
            schema = wider;
        }
    }
    for p in &mut packs {
        p.resolve(&schema)?;
    }
    set_deadlines(&mut packs, config)?;
    Ok((schema, packs))
}

/// The dates `gongkai.yaml` sets for the rules whose measure names none (`期限:`); a rule id that
/// is no such rule of an applied pack stops the site (exit 2), as any configuration mistake.
fn set_deadlines(packs: &mut [Pack], config: &Config) -> Result<()> {
    for (id, md) in &config.deadlines {
        let mut found = false;
        for p in packs.iter_mut() {
            found |= p.set_deadline(id, md).map_err(|message| Error::Config {
                file: CONFIG_FILE.into(),
                pos: None,
                message: format!("期限: {message}"),
            })?;
        }
        if !found {
            let open: Vec<String> = packs
                .iter()
                .flat_map(|p| &p.rules)
                .filter(|r| matches!(r.check, pack::Check::Cadence { site: true, .. }))
                .map(|r| r.id.to_string())
                .collect();
            return Err(Error::Config {
                file: CONFIG_FILE.into(),
                pos: None,
                message: format!("期限: 没有规则「{id}」；由本站设定期限的规则有：{}", open.join("、")),
            });
        }
    }
    Ok(())
}

/// The site title is published on every page: `init`'s `待补充` must not stay there.
fn site_title_placeholder(root: &Path, title: &str) -> Finding {
    let text = fs::read_to_string(root.join(CONFIG_FILE)).unwrap_or_default();
    let line = text.lines().position(|l| {
        let key = l.split([':', '：']).next().unwrap_or_default().trim();
        matches!(key, "title" | "站点名称" | "标题") && l.contains(title.trim())
    });
    Finding::builtin(
        Kind::Placeholder,
        Severity::Error,
        CONFIG_FILE,
        line.map(|l| Pos::new(l as u32 + 1, 1)),
        format!("站点名称还是占位内容「{}」，它会显示在网站每一页的标题上", title.trim()),
    )
    .with_field("title")
    .with_title("站点名称")
    .with_help("在 gongkai.yaml 里把它换成网站的名称，例如「title: 白银市公共企事业单位信息公开平台」")
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<fs::DirEntry>> {
    let mut entries: Vec<fs::DirEntry> = fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .collect::<std::io::Result<_>>()
        .map_err(|e| Error::io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

fn bad_name_finding(lossy: &str) -> Finding {
    Finding::builtin(Kind::Invalid, Severity::Error, lossy, None, "文件名不是有效的 UTF-8 文字，无法发布".to_string())
        .with_help("重新命名这个文件（常见于从 Windows 压缩包解压出的 GBK 文件名）")
}

/// Characters a unit folder name cannot contain, because it becomes part of a web address.
fn bad_slug_char(c: char) -> bool {
    c.is_whitespace() || c.is_control() || "#?%&/\\'\"<>|*:".contains(c)
}

/// Names at the top of the built site that belong to the portal itself (`render` writes them;
/// a test there keeps this list complete). A unit folder may not take one, in any letter case.
pub const RESERVED_NAMES: &[&str] = &[
    "index.html",
    "accessibility.html",
    "latest.html",
    "sitemap.html",
    "catalog.html",
    ".well-known",
    "search.html",
    "search",
    "404.html",
    "atom.xml",
    "sitemap.xml",
    "sitemap-portal.xml",
    "static",
    "report",
    "robots.txt",
    "favicon.ico",
    "data.json",
    "archive",
];

/// A unit folder name as the web sees it: Unicode-normalised (NFKC folds full-width letters and
/// composed/decomposed accents) and case-folded. Two names that fold alike clash.
fn folded(slug: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    slug.nfkc().collect::<String>().to_lowercase()
}

/// What is wrong with a unit folder's name, if anything: (message, help).
fn slug_problem(slug: &str) -> Option<(String, String)> {
    if slug.chars().any(crate::shape::is_invisible_mark) {
        let escaped: String = slug
            .chars()
            .map(|c| if crate::shape::is_invisible_mark(c) { format!("<U+{:04X}>", c as u32) } else { c.to_string() })
            .collect();
        return Some((
            format!("单位文件夹名「{escaped}」含有看不见的控制字符（如从右向左排列的标记），网址和名字会被伪装"),
            "删掉这个文件夹名，重新输入一遍".into(),
        ));
    }
    if slug.chars().any(bad_slug_char) {
        return Some((
            format!("单位文件夹名「{slug}」含有空格或 # ? % & 等字符，不能用作网址"),
            "改用字母、数字、汉字和连字符，例如 yinguang-middle-school".into(),
        ));
    }
    let f = folded(slug);
    if let Some(name) = RESERVED_NAMES.iter().find(|r| **r == f) {
        return Some((
            format!("单位文件夹名「{slug}」与网站自己的「{name}」重名，生成时会互相覆盖"),
            "给这个单位换一个文件夹名，例如加上单位简称".into(),
        ));
    }
    None
}

fn load_unit(root: &Path, unit_dir: &UnitDir, schema: &Schema, config: &Config, show_drafts: bool) -> Unit {
    let (slug, path) = (unit_dir.slug.as_str(), unit_dir.path.as_path());
    let dir = format!("content/{slug}");
    let mut unit = Unit {
        slug: slug.to_string(),
        dir: dir.clone(),
        sector: None,
        docs: Vec::new(),
        drafts: Vec::new(),
        attachments: Vec::new(),
        findings: Vec::new(),
        texts: Vec::new(),
    };
    if let Some((message, help)) = slug_problem(slug) {
        unit.findings.push(Finding::builtin(Kind::Invalid, Severity::Error, &dir, None, message).with_help(help));
    }
    let walker = walkdir::WalkDir::new(path).follow_links(false).sort_by_file_name().min_depth(1);
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e.path().map(|p| site_rel(root, p)).unwrap_or_else(|| dir.clone());
                let why = e.io_error().map_or_else(|| "文件夹里有循环的链接".to_string(), crate::error::io_reason);
                unit.findings.push(Finding::builtin(
                    Kind::Syntax,
                    Severity::Error,
                    &at,
                    None,
                    format!("无法读取：{why}"),
                ));
                continue;
            }
        };
        let Ok(rel) = entry.path().strip_prefix(path) else {
            continue;
        };
        let Some(rel) = rel.to_str().map(|r| r.replace('\\', "/")) else {
            unit.findings.push(bad_name_finding(&site_rel(root, entry.path())));
            continue;
        };
        let name = rel.rsplit('/').next().unwrap_or(&rel);
        let hidden = rel.split('/').any(|part| part.starts_with('.'));
        let at = format!("{dir}/{rel}");
        // hidden files are never published and never mentioned, but for a leftover (.DS_Store)
        match refusal(root, &entry, name) {
            Some(Refusal::Skip) => continue,
            Some(Refusal::Finding(..)) if hidden && !is_leftover(name) => continue,
            Some(Refusal::Finding(severity, kind, message, help)) => {
                unit.findings.push(Finding::builtin(kind, severity, &at, None, message).with_help(help));
                continue;
            }
            None if hidden => continue,
            None => {}
        }
        match schema.doc_for_path(&rel) {
            Some(spec) => {
                let (doc, mut found) = load_doc(entry.path(), &format!("{dir}/{rel}"), spec, schema);
                unit.findings.append(&mut found);
                if doc.is_draft() {
                    unit.findings.push(drafts::note(&doc, show_drafts));
                    if !show_drafts {
                        unit.drafts.push(doc);
                        continue;
                    }
                }
                unit.docs.push(doc);
            }
            None if is_content_like(&rel) && !rel.starts_with("attachments/") => {
                unit.findings.push(unknown_file(&dir, &rel, schema));
            }
            None => match entry.metadata() {
                Ok(meta) if meta.len() > MAX_ATTACHMENT_BYTES => unit.findings.push(
                    Finding::builtin(
                        Kind::Invalid,
                        Severity::Warning,
                        &at,
                        None,
                        format!(
                            "附件太大（{} MiB，上限 {} MiB），不会发布",
                            meta.len() >> 20,
                            MAX_ATTACHMENT_BYTES >> 20
                        ),
                    )
                    .with_help("压缩或拆分这个文件，或只公开其中需要公开的部分"),
                ),
                _ => unit.attachments.push(rel),
            },
        }
    }
    read_attachments(&mut unit, path);
    if unit.docs.is_empty() && unit.attachments.is_empty() && unit.findings.is_empty() {
        unit.findings.push(
            Finding::builtin(Kind::Empty, Severity::Error, &dir, None, format!("单位文件夹「{slug}」是空的"))
                .with_help(format!("运行 gongkai init content/{slug} 生成填写模板")),
        );
    }
    unit.sector = sector_of(&mut unit, schema, config);
    unit.findings.iter_mut().for_each(|f| f.unit = Some(slug.to_string()));
    unit
}

/// Why an entry of a unit folder is not read.
enum Refusal {
    /// Nothing to say (a folder: its files are walked one by one).
    Skip,
    /// Not read, and the clerk is told: (severity, kind, message, help).
    Finding(Severity, Kind, String, &'static str),
}

/// Whether an entry of a unit folder is refused, and why: an office suite's leftover, a link that
/// leads out of the site, to a folder, to nothing or to a pipe, a pipe or device itself. `None`
/// for a regular file, or a link to one inside the site.
fn refusal(root: &Path, entry: &walkdir::DirEntry, name: &str) -> Option<Refusal> {
    let file_type = entry.file_type();
    let finding = |severity, kind, message: &str, help| Some(Refusal::Finding(severity, kind, message.into(), help));
    if file_type.is_file() && is_leftover(name) {
        return Some(Refusal::Finding(
            Severity::Warning,
            Kind::UnknownFile,
            format!("「{name}」是 Windows、WPS 或 Office 留下的临时文件，不会发布"),
            "删除这个文件；如果它是要公开的文档，请关闭 WPS 或 Office 后再复制原文件",
        ));
    }
    if file_type.is_dir() {
        return Some(Refusal::Skip);
    }
    if !file_type.is_symlink() {
        return (!file_type.is_file())
            .then(|| Refusal::Finding(Severity::Error, Kind::Syntax, input::NOT_REGULAR.into(), "换成普通文件"));
    }
    match input::inside(root, entry.path()) {
        Place::File => None,
        Place::Special => finding(
            Severity::Error,
            Kind::Syntax,
            "符号链接指向的不是普通文件（管道、设备等），无法读取",
            "换成普通文件",
        ),
        Place::Folder => finding(
            Severity::Warning,
            Kind::UnknownFile,
            "符号链接指向文件夹，不会跟随，其中的文件不会发布",
            "把需要发布的文件直接放进单位文件夹",
        ),
        Place::Outside => {
            finding(Severity::Error, Kind::Invalid, "符号链接指向站点之外，不会发布", "把文件本身复制到单位文件夹里")
        }
        Place::Missing => {
            finding(Severity::Error, Kind::Invalid, "符号链接指向的文件不存在", "删除这个链接，或把文件本身放到这里")
        }
    }
}

/// A file an office suite or a file manager leaves behind, never meant for the public: Office and
/// WPS lock files (`~$表.docx`), Word's temporary and backup files, thumbnail caches, folder
/// settings, macOS metadata, half-finished downloads.
pub fn is_leftover(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with("~$")
        || (name.starts_with("~WRL") || name.starts_with("~wrl"))
        || ["thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store"].contains(&lower.as_str())
        || name.starts_with("._")
        || [".tmp", ".temp", ".wbk", ".asd", ".crdownload", ".part"].iter().any(|e| lower.ends_with(e))
}

fn is_content_like(rel: &str) -> bool {
    [".yaml", ".yml", ".md", ".markdown"].iter().any(|e| rel.ends_with(e))
}

fn site_rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).to_string_lossy().replace('\\', "/")
}

/// The unit's sector: `unit.yaml` first, then `gongkai.yaml`.
fn sector_of(unit: &mut Unit, schema: &Schema, config: &Config) -> Option<String> {
    let from_file = unit.doc("unit").and_then(|d| d.data.as_ref()?.text("sector")).map(str::to_string);
    let from_config = config.units.get(&unit.slug).and_then(|u| u.sector.clone());
    let written = from_file.or(from_config)?;
    schema.sector(&written).map(|s| s.key.clone())
}

fn flag_duplicate_slugs(units: &mut [UnitDir]) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for unit in units.iter_mut() {
        let folded = folded(&unit.slug);
        if let Some(first) = seen.get(&folded) {
            let f = Finding::builtin(
                Kind::Invalid,
                Severity::Error,
                &format!("content/{}", unit.slug),
                None,
                format!(
                    "单位文件夹「{}」与「{first}」只差大小写、全角半角或字符的组合方式（Unicode 规范化），网址会冲突",
                    unit.slug
                ),
            )
            .with_help("给其中一个单位改名");
            unit.findings.push(Finding { unit: Some(unit.slug.clone()), ..f });
        } else {
            seen.insert(folded, unit.slug.clone());
        }
    }
}

/// The text inside attachments is published, so it is read for the 第六条 review (the reading is
/// `extract`'s; `check` scans the text and the names). Active content (HTML, SVG...) is left out
/// of the unit's attachments, so nothing publishes or links to it.
fn read_attachments(unit: &mut Unit, dir: &Path) {
    let mut refused = Vec::new();
    for rel in &unit.attachments {
        let file = format!("{}/{rel}", unit.dir);
        let mut read = crate::extract::read_file(&dir.join(rel), rel, &file);
        unit.findings.append(&mut read.findings);
        if read.refused {
            refused.push(rel.clone());
        }
        unit.texts.push(AttachmentText { rel: rel.clone(), file, parts: read.parts });
    }
    unit.attachments.retain(|rel| !refused.contains(rel));
}
