//! Loading a site: configuration, rule packs, and every unit's files, with exact positions.
//!
//! Sits above `yaml` and `schema`, below `check`. Units are loaded in parallel. Anything wrong
//! *inside* a unit (unreadable file, YAML error, unknown key) becomes a finding and the other units
//! are still loaded; only an unusable site, configuration or rule pack is an `Error` (exit 2).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::finding::{Finding, Kind, Severity};
use crate::pack::{self, Pack};
use crate::privacy;
use crate::schema::{self, Ctx, DocSpec, Schema};
use crate::yaml::{self, Node, Pos};

/// Files larger than this are refused: disclosure YAML and Markdown are a few kilobytes, and a
/// 4 MiB file is a mistake (a pasted spreadsheet, a binary saved as `.md`).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The site configuration file name.
pub const CONFIG_FILE: &str = "gongkai.yaml";

/// A loaded site.
#[derive(Debug)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    /// The content model, with the active packs' additions.
    pub schema: Schema,
    /// The rule packs applied to this site, in the order the configuration lists them.
    pub packs: Vec<Pack>,
    pub units: Vec<Unit>,
    /// Site-wide problems (configuration that names no unit, stray files in `content/`).
    pub findings: Vec<Finding>,
}

/// One unit (单位): a folder under `content/`.
#[derive(Debug)]
pub struct Unit {
    /// The folder name; also the unit's address on the site.
    pub slug: String,
    /// Site-relative path of the folder (`content/<slug>`).
    pub dir: String,
    /// Canonical sector key (`school`, `hospital`...), if known.
    pub sector: Option<String>,
    pub docs: Vec<Doc>,
    /// Other files in the folder (application forms, images), relative to the unit folder.
    pub attachments: Vec<String>,
    /// Problems found while loading.
    pub findings: Vec<Finding>,
    /// What the privacy scan found in attachment names and Markdown attachments.
    pub privacy: Vec<privacy::Located>,
}

/// One content file of a unit.
#[derive(Debug)]
pub struct Doc {
    /// Which document of the content model (`unit`, `fees`, `services`...).
    pub kind: String,
    /// Site-relative path, `/`-separated.
    pub path: String,
    /// File name without extension (the page name for collections).
    pub stem: String,
    /// The YAML (or front matter), normalised to canonical keys; `None` if the file is unusable.
    pub data: Option<Node>,
    /// The Markdown body, for Markdown files.
    pub body: Option<Body>,
    /// What the privacy scan found in its published text (before acknowledgements).
    pub privacy: Vec<privacy::Located>,
}

#[derive(Debug)]
pub struct Body {
    pub text: String,
    /// The line of the file where the body starts (1-based).
    pub line: u32,
}

impl Unit {
    /// The first document of a kind (single-file documents have at most one).
    pub fn doc(&self, kind: &str) -> Option<&Doc> {
        self.docs.iter().find(|d| d.kind == kind)
    }

    pub fn docs_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Doc> + 'a {
        self.docs.iter().filter(move |d| d.kind == kind)
    }

    /// The unit's name from `unit.yaml`, or its folder name.
    pub fn name(&self) -> &str {
        self.doc("unit")
            .and_then(|d| d.data.as_ref()?.text("name"))
            .filter(|n| !crate::shape::is_placeholder(n, &[]))
            .unwrap_or(&self.slug)
    }

    /// A unit folder with nothing in it: one finding says so, no rule is checked.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty() && self.attachments.is_empty()
    }

    pub fn has_attachment(&self, rel: &str) -> bool {
        self.attachments.iter().any(|a| a == rel)
    }
}

/// Which units to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Only this unit (by folder name).
    pub unit: Option<String>,
}

/// Load the site at `root`.
pub fn load_site(root: &Path, opts: &LoadOptions) -> Result<Site> {
    let content = root.join("content");
    if !content.is_dir() {
        return Err(Error::NoContent(root.to_path_buf()));
    }
    let config = read_config(root)?;
    let (schema, packs) = load_packs(root, &config)?;

    let mut findings = Vec::new();
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
        if path.is_dir() {
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

    let mut units: Vec<Unit> =
        dirs.par_iter().map(|(slug, path)| load_unit(root, slug, path, &schema, &config)).collect();
    flag_duplicate_slugs(&mut units);
    Ok(Site { root: root.to_path_buf(), config, schema, packs, units, findings })
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
    serde_saphyr::from_str(text).map_err(|e| Error::Config {
        file: CONFIG_FILE.into(),
        pos: e.location().map(|l| Pos::new(l.line() as u32, l.column() as u32)),
        message: e.to_string().lines().next().unwrap_or_default().trim_start_matches("error: ").to_string(),
    })
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
            if let Some(existing) = available.get(&p.id).filter(|e| !e.origin.starts_with("builtin:")) {
                return Err(Error::Pack {
                    file: origin,
                    pos: None,
                    message: format!("pack id `{}` is already used by {}", p.id, existing.origin),
                });
            }
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
    for p in &mut packs {
        p.resolve(&schema)?;
    }
    Ok((schema, packs))
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

fn load_unit(root: &Path, slug: &str, path: &Path, schema: &Schema, config: &Config) -> Unit {
    let dir = format!("content/{slug}");
    let mut unit = Unit {
        slug: slug.to_string(),
        dir: dir.clone(),
        sector: None,
        docs: Vec::new(),
        attachments: Vec::new(),
        findings: Vec::new(),
        privacy: Vec::new(),
    };
    if slug.chars().any(bad_slug_char) {
        unit.findings.push(
            Finding::builtin(
                Kind::Invalid,
                Severity::Error,
                &dir,
                None,
                format!("单位文件夹名「{slug}」含有空格或 # ? % & 等字符，不能用作网址"),
            )
            .with_help("改用字母、数字、汉字和连字符，例如 yinguang-middle-school"),
        );
    }
    let walker = walkdir::WalkDir::new(path).follow_links(false).sort_by_file_name().min_depth(1);
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e.path().map(|p| site_rel(root, p)).unwrap_or_else(|| dir.clone());
                unit.findings.push(Finding::builtin(
                    Kind::Syntax,
                    Severity::Error,
                    &at,
                    None,
                    format!("无法读取：{}", e.io_error().map_or_else(|| e.to_string(), ToString::to_string)),
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
        if rel.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        let file_type = entry.file_type();
        let at = format!("{dir}/{rel}");
        let problem = if file_type.is_symlink() {
            match symlink_target(root, entry.path()) {
                Link::File => None,
                Link::Folder => Some((
                    Severity::Warning,
                    Kind::UnknownFile,
                    "符号链接指向文件夹，不会跟随，其中的文件不会发布",
                    "把需要发布的文件直接放进单位文件夹",
                )),
                Link::Outside => Some((
                    Severity::Error,
                    Kind::Invalid,
                    "符号链接指向站点之外，不会发布",
                    "把文件本身复制到单位文件夹里",
                )),
                Link::Missing => Some((
                    Severity::Error,
                    Kind::Invalid,
                    "符号链接指向的文件不存在",
                    "删除这个链接，或把文件本身放到这里",
                )),
            }
        } else if file_type.is_dir() {
            continue;
        } else if !file_type.is_file() {
            Some((Severity::Error, Kind::Syntax, "这不是普通文件（管道、设备等），无法读取", "换成普通文件"))
        } else {
            None
        };
        if let Some((severity, kind, message, help)) = problem {
            unit.findings.push(Finding::builtin(kind, severity, &at, None, message.to_string()).with_help(help));
            continue;
        }
        match schema.doc_for_path(&rel) {
            Some(spec) => {
                let (doc, mut found) = load_doc(entry.path(), &format!("{dir}/{rel}"), spec, schema);
                unit.docs.push(doc);
                unit.findings.append(&mut found);
            }
            None if is_content_like(&rel) && !rel.starts_with("attachments/") => {
                unit.findings.push(unknown_file(&dir, &rel, schema));
            }
            None => unit.attachments.push(rel),
        }
    }
    scan_attachments(&mut unit, path);
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

/// Where a symbolic link leads.
enum Link {
    File,
    Folder,
    Outside,
    Missing,
}

/// Links are followed only to files inside the site (a loop, or a link out, never is).
fn symlink_target(root: &Path, link: &Path) -> Link {
    let (Ok(target), Ok(root)) = (fs::canonicalize(link), fs::canonicalize(root)) else { return Link::Missing };
    if !target.starts_with(&root) {
        Link::Outside
    } else if target.is_dir() {
        Link::Folder
    } else {
        Link::File
    }
}

fn is_content_like(rel: &str) -> bool {
    [".yaml", ".yml", ".md", ".markdown"].iter().any(|e| rel.ends_with(e))
}

fn unknown_file(dir: &str, rel: &str, schema: &Schema) -> Finding {
    let names = schema.documents.iter().map(|d| d.file.as_str());
    let top = rel.split('/').next().unwrap_or(rel);
    let guess = schema::did_you_mean(top, names.clone()).or_else(|| schema::did_you_mean(&format!("{top}/"), names));
    let files: Vec<&str> = schema.documents.iter().map(|d| d.file.as_str()).collect();
    Finding::builtin(
        Kind::UnknownFile,
        Severity::Warning,
        &format!("{dir}/{rel}"),
        None,
        format!("gongkai 不认识这个文件「{rel}」，它不会被检查，也不会发布"),
    )
    .with_help(match guess {
        Some(g) => format!("是不是要命名为「{g}」？"),
        None => format!("单位文件夹里可以有：{}；附件放在 attachments/ 下", files.join("、")),
    })
}

/// Read, decode, parse and normalise one content file.
fn load_doc(path: &Path, site_path: &str, spec: &DocSpec, schema: &Schema) -> (Doc, Vec<Finding>) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s).to_string();
    let doc =
        Doc { kind: spec.kind.clone(), path: site_path.to_string(), stem, data: None, body: None, privacy: Vec::new() };
    match read_text(path, site_path) {
        Ok(text) => parse_doc(doc, &text, spec, schema),
        Err(f) => (doc, vec![*f]),
    }
}

/// Parse the text of a content file into `doc`: front matter, YAML, normalisation, privacy scan.
fn parse_doc(mut doc: Doc, text: &str, spec: &DocSpec, schema: &Schema) -> (Doc, Vec<Finding>) {
    let site_path = doc.path.clone();
    let site_path = site_path.as_str();
    let mut out = Vec::new();
    let (yaml_src, line_offset) = if spec.is_collection() {
        match split_front_matter(text) {
            Ok((front, offset, body, body_line)) => {
                doc.body = Some(Body { text: body.to_string(), line: body_line });
                (front, offset)
            }
            Err((message, help)) => {
                let f =
                    Finding::builtin(Kind::Syntax, Severity::Error, site_path, Some(Pos::new(1, 1)), message.into());
                return (doc, vec![f.with_help(help)]);
            }
        }
    } else {
        (text, 0)
    };
    let empty = || {
        Finding::builtin(Kind::Empty, Severity::Error, site_path, Some(Pos::new(1, 1)), "文件是空的".into())
            .with_title(spec.title.clone())
            .with_help(format!("填写{}（{}），或删除这个文件后运行 gongkai init 重新生成模板", spec.title, spec.clause))
    };
    if !spec.is_collection() && yaml_src.trim().is_empty() {
        return (doc, vec![empty()]);
    }
    match yaml::parse(yaml_src) {
        // a file of nothing but comments is as empty as an empty one
        Ok(node) if !spec.is_collection() && matches!(node.value, yaml::Value::Null) => return (doc, vec![empty()]),
        Ok(mut node) => {
            node.shift(line_offset);
            schema::normalize_doc(&mut node, &Ctx { file: site_path, schema, doc: spec }, &mut out);
            let index = privacy::LineIndex::with_offset(yaml_src, line_offset);
            privacy::scan_tree(&node, &spec.fields, &index, site_path, &mut doc.privacy);
            if let Some(body) = &doc.body {
                privacy::scan_lines(&body.text, body.line, site_path, &mut doc.privacy);
            }

            if node.as_map().is_some() || matches!(node.value, yaml::Value::Null) {
                doc.data = Some(node);
            }
        }
        Err(e) => out.push(syntax_finding(site_path, &e, line_offset, yaml_src)),
    }
    (doc, out)
}

fn syntax_finding(site_path: &str, e: &yaml::SyntaxError, line_offset: u32, src: &str) -> Finding {
    let pos = e.pos.map(|p| p.down(line_offset));
    let (message, help) = explain_yaml_error(&e.message, src, e.pos);
    Finding::builtin(Kind::Syntax, Severity::Error, site_path, pos, message).with_help(help)
}

/// Turn the parser's English into something a clerk can act on.
fn explain_yaml_error(raw: &str, src: &str, pos: Option<Pos>) -> (String, String) {
    let line_text = pos.and_then(|p| src.lines().nth(p.line.saturating_sub(1) as usize)).unwrap_or("");
    let lower = raw.to_lowercase();
    let (what, help) = if lower.contains("duplicate") {
        ("同一个字段写了两次", "删掉重复的一处，只保留一个")
    } else if lower.contains("tab") {
        ("用了 Tab 键缩进", "YAML 只能用空格缩进，把 Tab 换成两个空格")
    } else if lower.contains("unclosed quote")
        || lower.contains("while scanning a quoted scalar")
        || lower.contains("found unexpected end of stream") && line_text.contains('"')
    {
        ("引号没有配对", "检查这一行的引号，开头和结尾各一个；内容里有引号时改用中文引号「」")
    } else if lower.contains("budget") || lower.contains("depth") || lower.contains("alias") || lower.contains("replay")
    {
        ("文件嵌套太深或引用（&、*）展开太多", "不要使用 YAML 的 & 和 * 引用；检查缩进是否过深")
    } else if line_text.contains('：') && !line_text.contains(": ") {
        ("冒号用成了中文全角「：」", "字段名后面的冒号要用英文半角「:」，并在后面加一个空格")
    } else if lower.contains("multiple yaml documents") {
        ("一个文件里只能有一份内容", "删掉文件中间多出来的 --- 分隔线")
    } else if lower.contains("bracket") || unbalanced_brackets(src, pos) {
        (
            "方括号或花括号没有配对",
            "「[」要有对应的「]」，「{」要有对应的「}」；内容里有括号时给整段加引号，或改用中文括号",
        )
    } else if lower.contains("mapping values are not allowed")
        || lower.contains("indent")
        || lower.contains("did not find expected")
    {
        ("缩进不对", "同一层的字段要左对齐；列表项「- 」下面的字段要和第一个字段对齐；内容里有「: 」时给整段加引号")
    } else if lower.contains("invalid leading utf-8 octet") || lower.contains("control character") {
        ("含有无法识别的字符", "删掉这一行里看不见的特殊字符后重新输入")
    } else {
        ("YAML 格式错误", "检查这一行的缩进、冒号（英文「: 」）和引号")
    };
    (format!("{what}（{raw}）"), help.to_string())
}

/// Why a Markdown file has no usable front matter: (message, help).
type NoFrontMatter = (&'static str, &'static str);

/// Read a content file as UTF-8 text: size limit, binary and encoding detection, BOM removed.
fn read_text(path: &Path, site_path: &str) -> std::result::Result<String, Box<Finding>> {
    let fail = |pos: Option<Pos>, msg: String, help: &str| {
        Box::new(Finding::builtin(Kind::Syntax, Severity::Error, site_path, pos, msg).with_help(help.to_string()))
    };
    let meta = fs::metadata(path).map_err(|e| fail(None, format!("无法读取：{e}"), "检查文件权限"))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(fail(
            None,
            format!("文件太大（{} KiB，上限 {} KiB）", meta.len() / 1024, MAX_FILE_BYTES / 1024),
            "公开内容应是几 KB 的文字；大表格或文档请放进 attachments/ 作为附件",
        ));
    }
    let bytes = fs::read(path).map_err(|e| fail(None, format!("无法读取：{e}"), "检查文件权限（chmod a+r）"))?;
    decode(bytes, site_path)
}

/// Bytes to text: UTF-8 only (BOM removed), with a clear finding for UTF-16, GBK and binary data.
pub fn decode(bytes: Vec<u8>, site_path: &str) -> std::result::Result<String, Box<Finding>> {
    let fail = |pos: Option<Pos>, msg: String, help: &str| {
        Box::new(Finding::builtin(Kind::Syntax, Severity::Error, site_path, pos, msg).with_help(help.to_string()))
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(fail(
            Some(Pos::new(1, 1)),
            "文件是 UTF-16 编码，gongkai 只读 UTF-8".into(),
            "用记事本打开，「另存为」时编码选「UTF-8」",
        ));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            if let Some(at) = text.find('\0') {
                return Err(fail(
                    Some(pos_of(text.as_bytes(), at)),
                    "这是二进制文件，不是文字".into(),
                    "附件（PDF、Word、图片）请放进 attachments/ 文件夹",
                ));
            }
            Ok(text)
        }
        Err(e) => {
            let bytes = e.into_bytes();
            let bad = std::str::from_utf8(&bytes).err().map_or(0, |e| e.valid_up_to());
            let pos = Some(pos_of(&bytes, bad));
            if bytes.contains(&0) {
                return Err(fail(
                    pos,
                    "这是二进制文件，不是文字".into(),
                    "附件（PDF、Word、图片）请放进 attachments/ 文件夹",
                ));
            }
            let gb = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(&bytes).is_some();
            if gb {
                Err(fail(
                    pos,
                    "文件不是 UTF-8 编码，看起来是 GBK/GB18030（Windows 中文默认编码）".into(),
                    "用记事本打开，「另存为」时编码选「UTF-8」；或运行 iconv -f GB18030 -t UTF-8 原文件 > 新文件",
                ))
            } else {
                Err(fail(pos, "文件不是 UTF-8 编码的文字".into(), "另存为 UTF-8 编码的文本文件"))
            }
        }
    }
}

/// Line and column (in characters, 1-based) of byte offset `at`.
fn pos_of(bytes: &[u8], at: usize) -> Pos {
    let before = &bytes[..at.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() as u32 + 1;
    Pos::new(line, col)
}

/// Split `---`-delimited YAML front matter from a Markdown body.
/// Returns (front matter, lines before it, body, first line of body).
fn split_front_matter(text: &str) -> std::result::Result<(&str, u32, &str, u32), NoFrontMatter> {
    let no_front =
        || ("文件开头缺少 --- 包围的信息区", "第一行写 ---，接着写「标题: …」等字段，再写一行 ---，下面才是正文");
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().ok_or_else(no_front)?;
    if first.trim_end() != "---" {
        return Err(no_front());
    }
    let start = first.len();
    let mut offset = start;
    let mut line_no = 1u32;
    for line in lines {
        line_no += 1;
        if matches!(line.trim_end(), "---" | "...") {
            let front = &text[start..offset];
            let body = &text[offset + line.len()..];
            return Ok((front, 1, body, line_no + 1));
        }
        offset += line.len();
    }
    Err(("信息区没有结束：找不到第二行 ---", "在字段之后、正文之前单独写一行 ---"))
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

fn flag_duplicate_slugs(units: &mut [Unit]) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for unit in units.iter_mut() {
        let folded = unit.slug.to_lowercase();
        if let Some(first) = seen.get(&folded) {
            let f = Finding::builtin(
                Kind::Invalid,
                Severity::Error,
                &unit.dir,
                None,
                format!("单位文件夹「{}」与「{first}」只差大小写，网址会冲突", unit.slug),
            )
            .with_help("给其中一个单位改名");
            unit.findings.push(Finding { unit: Some(unit.slug.clone()), ..f });
        } else {
            seen.insert(folded, unit.slug.clone());
        }
    }
}

/// Attachment names are published (in links and download names), and Markdown attachments are
/// published as pages: scan both.
fn scan_attachments(unit: &mut Unit, dir: &Path) {
    for rel in &unit.attachments {
        let file = format!("{}/{rel}", unit.dir);
        for hit in privacy::scan(rel, privacy::Context::default()) {
            unit.privacy.push(privacy::Located {
                rule: hit.rule,
                text: hit.text,
                file: file.clone(),
                pos: None,
                field: None,
            });
        }
        if rel.ends_with(".md")
            && let Ok(text) = read_text(&dir.join(rel), &file)
        {
            privacy::scan_lines(&text, 1, &file, &mut unit.privacy);
        }
    }
}

/// Does the text before the error open more `[`/`{` than it closes (outside quotes)?
fn unbalanced_brackets(src: &str, pos: Option<Pos>) -> bool {
    let upto = pos.map_or(usize::MAX, |p| p.line as usize);
    let mut depth = 0i32;
    for line in src.lines().take(upto) {
        let mut quote = None;
        for c in line.chars() {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '#') => break,
                (None, '[' | '{') => depth += 1,
                (None, ']' | '}') => depth -= 1,
                _ => {}
            }
        }
    }
    depth > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_positions() {
        let (front, off, body, line) = split_front_matter("---\ntitle: 甲\n---\n正文\n").map_err(|_| ()).unwrap();
        assert_eq!((front, off, body, line), ("title: 甲\n", 1, "正文\n", 4));
        let (front, _, body, _) = split_front_matter("---\r\ntitle: 甲\r\n---\r\n正文\r\n").map_err(|_| ()).unwrap();
        assert_eq!((front, body), ("title: 甲\r\n", "正文\r\n"));
        assert!(split_front_matter("title: 甲\n").is_err());
        assert!(split_front_matter("---\ntitle: 甲\n").is_err());
    }

    #[test]
    fn byte_offsets_become_character_columns() {
        assert_eq!(pos_of("ab\n单位x".as_bytes(), 9), Pos::new(2, 3));
        assert_eq!(pos_of(b"abc", 0), Pos::new(1, 1));
    }

    #[test]
    fn yaml_errors_are_explained_in_chinese() {
        let (m, h) = explain_yaml_error("duplicate mapping key: a", "", None);
        assert!(m.starts_with("同一个字段写了两次") && h.contains("删掉"));
        let (m, _) =
            explain_yaml_error("mapping values are not allowed in this context", "a: 1\n b: 2\n", Some(Pos::new(2, 3)));
        assert!(m.starts_with("缩进不对"), "{m}");
    }
}

/// A one-file unit from raw bytes, as if `bytes` were the file `spec.file` of unit `fuzz`: the
/// loading path without the file system (for the fuzz target and tests).
pub fn unit_from_bytes(schema: &Schema, spec: &DocSpec, bytes: &[u8]) -> Unit {
    let rel = if spec.is_collection() { format!("{}doc.md", spec.file) } else { spec.file.clone() };
    let site_path = format!("content/fuzz/{rel}");
    let doc = Doc {
        kind: spec.kind.clone(),
        path: site_path.clone(),
        stem: "doc".into(),
        data: None,
        body: None,
        privacy: Vec::new(),
    };
    let (doc, findings) = match decode(bytes.to_vec(), &site_path) {
        Ok(text) => parse_doc(doc, &text, spec, schema),
        Err(f) => (doc, vec![*f]),
    };
    let mut unit = Unit {
        slug: "fuzz".into(),
        dir: "content/fuzz".into(),
        sector: None,
        docs: vec![doc],
        attachments: Vec::new(),
        findings,
        privacy: Vec::new(),
    };
    unit.sector = unit
        .doc("unit")
        .and_then(|d| d.data.as_ref()?.text("sector"))
        .and_then(|s| schema.sector(s))
        .map(|s| s.key.clone());
    unit
}
