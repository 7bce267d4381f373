//! `bureau.yaml`: the supervising bureau's file — the 考核年度 and the roster of units to assess,
//! each with where its published data is. Keys in English or Chinese, like `gongkai.yaml`; a
//! mistake is a Chinese error at its file, line and column (exit 2), never a guess.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

use crate::error::{Error, Result};
use crate::yaml::Pos;

/// The bureau file's name inside the bureau folder.
pub const BUREAU_FILE: &str = "bureau.yaml";

/// `bureau.yaml` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    /// 考核年度 (《考核办法》第四条: 1 January to 31 December).
    #[serde(alias = "考核年度")]
    year: Spanned<u32>,
    // where units without a source of their own publish
    /// A site folder (the one holding `content/`): loaded and checked like `gongkai check`.
    #[serde(default, alias = "站点")]
    site: Option<Spanned<String>>,
    /// A built site folder (`public/`): each unit's `data.json`, and the report if published.
    #[serde(default, alias = "生成目录")]
    public: Option<Spanned<String>>,
    /// The address of a live site: the same files over HTTP.
    #[serde(default, alias = "网址")]
    url: Option<Spanned<String>>,
    /// The units to assess.
    #[serde(alias = "名单")]
    roster: Vec<RawUnit>,
}

/// The three ways to say where data is, as written.
struct RawSource<'a> {
    site: &'a Option<Spanned<String>>,
    public: &'a Option<Spanned<String>>,
    url: &'a Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    #[serde(alias = "名称")]
    name: Spanned<String>,
    #[serde(default, alias = "统一社会信用代码", alias = "代码", alias = "credit_code")]
    code: Option<String>,
    /// The unit's folder name on its site (its address there); default: found by name.
    #[serde(default, alias = "目录")]
    slug: Option<String>,
    #[serde(default, alias = "县区", alias = "所在县区")]
    county: Option<String>,
    #[serde(default, alias = "主管部门")]
    department: Option<String>,
    #[serde(default, alias = "行业")]
    sector: Option<String>,
    /// A site folder (the one holding `content/`): loaded and checked like `gongkai check`.
    #[serde(default, alias = "站点")]
    site: Option<Spanned<String>>,
    /// A built site folder (`public/`): each unit's `data.json`, and the report if published.
    #[serde(default, alias = "生成目录")]
    public: Option<Spanned<String>>,
    /// The address of a live site: the same files over HTTP.
    #[serde(default, alias = "网址")]
    url: Option<Spanned<String>>,
}

/// Where a unit's published data is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// A site folder, loaded and checked.
    Site(PathBuf),
    /// A built `public/` folder.
    Public(PathBuf),
    /// A live site's address (ends with `/`).
    Url(String),
}

impl Source {
    /// `site`, `public` or `url`.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Site(_) => "site",
            Source::Public(_) => "public",
            Source::Url(_) => "url",
        }
    }

    /// The folder or address, as shown.
    pub fn location(&self) -> String {
        match self {
            Source::Site(p) | Source::Public(p) => p.display().to_string(),
            Source::Url(u) => u.clone(),
        }
    }
}

/// One unit of the roster.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterUnit {
    /// Its name (单位名称).
    pub name: String,
    /// 统一社会信用代码, or another code the bureau uses.
    pub code: Option<String>,
    /// Its folder name on its site, when the roster gives it.
    pub slug: Option<String>,
    /// 县区.
    pub county: Option<String>,
    /// 主管部门.
    pub department: Option<String>,
    /// 行业.
    pub sector: Option<String>,
    /// Where its data is.
    pub source: Source,
}

/// A bureau: the year and the roster.
#[derive(Debug, Clone, PartialEq)]
pub struct Bureau {
    /// The bureau folder.
    pub dir: PathBuf,
    /// 考核年度.
    pub year: i16,
    /// The units, in the order written.
    pub roster: Vec<RosterUnit>,
}

impl Bureau {
    /// The 考核年度's first and last day (第四条: 1 January to 31 December).
    pub fn period(&self) -> (jiff::civil::Date, jiff::civil::Date) {
        (jiff::civil::date(self.year, 1, 1), jiff::civil::date(self.year, 12, 31))
    }
}

fn config_error(pos: Option<Pos>, message: String) -> Error {
    Error::Config { file: BUREAU_FILE.into(), pos, message }
}

fn pos_of<T>(s: &Spanned<T>) -> Pos {
    let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    Pos::new(clamp(s.referenced.line()), clamp(s.referenced.column()))
}

/// Read `DIR/bureau.yaml`.
pub fn read(dir: &Path) -> Result<Bureau> {
    let path = dir.join(BUREAU_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Usage(format!(
                "{} 里没有 {BUREAU_FILE}：请指定考核文件夹（其中的 {BUREAU_FILE} 写明考核年度和单位名单，格式见 README「考核」一节）",
                dir.display()
            )));
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    let text = String::from_utf8(bytes).map_err(|_| config_error(None, "不是 UTF-8 编码；请另存为 UTF-8".into()))?;
    parse(dir, text.strip_prefix('\u{feff}').unwrap_or(&text))
}

/// Parse the text of a bureau file whose folder is `dir` (relative paths are from there).
pub fn parse(dir: &Path, text: &str) -> Result<Bureau> {
    let raw: Raw = serde_saphyr::from_str(text).map_err(|e| {
        let e = crate::yaml::SyntaxError::of(&e);
        config_error(e.pos, message(&e.message))
    })?;
    let year = i16::try_from(raw.year.value).ok().filter(|y| (2000..=2100).contains(y)).ok_or_else(|| {
        config_error(Some(pos_of(&raw.year)), format!("考核年度「{}」不对：写四位数的年份，如 2026", raw.year.value))
    })?;
    let default = source(dir, &RawSource { site: &raw.site, public: &raw.public, url: &raw.url })?;
    if raw.roster.is_empty() {
        return Err(config_error(None, "名单是空的：至少列出一个要考核的单位".into()));
    }
    let mut roster = Vec::with_capacity(raw.roster.len());
    let mut names: BTreeMap<String, Pos> = BTreeMap::new();
    let mut folders: BTreeMap<(Source, String), (String, Pos)> = BTreeMap::new();
    for u in raw.roster {
        let pos = pos_of(&u.name);
        let name = u.name.value.trim().to_string();
        if name.is_empty() {
            return Err(config_error(Some(pos), "单位名称是空的".into()));
        }
        if let Some(first) = names.insert(name.clone(), pos) {
            return Err(config_error(
                Some(pos),
                format!("名单中「{name}」出现了两次（第一次在第 {} 行）：每个单位只列一次", first.line),
            ));
        }
        let own = source(dir, &RawSource { site: &u.site, public: &u.public, url: &u.url })?;
        let Some(source) = own.or_else(|| default.clone()) else {
            return Err(config_error(
                Some(pos),
                format!(
                    "没有写「{name}」的数据在哪里：写「站点」（站点文件夹）、「生成目录」（生成的 public 文件夹）或「网址」（网站地址）之一，或在文件开头写全体单位共用的一个"
                ),
            ));
        };
        let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let slug = clean(u.slug.clone());
        if let Some(slug) = &slug
            && let Some((first, _)) = folders.insert((source.clone(), slug.clone()), (name.clone(), pos))
        {
            return Err(config_error(
                Some(pos),
                format!(
                    "「{name}」和「{first}」是 {} 中的同一个单位（目录 {slug}）：每个单位只列一次",
                    source.location()
                ),
            ));
        }
        roster.push(RosterUnit {
            name,
            code: clean(u.code),
            slug,
            county: clean(u.county),
            department: clean(u.department),
            sector: clean(u.sector),
            source,
        });
    }
    Ok(Bureau { dir: dir.to_path_buf(), year, roster })
}

/// At most one of `site`, `public`, `url`.
fn source(dir: &Path, raw: &RawSource<'_>) -> Result<Option<Source>> {
    let given: Vec<(&str, &Spanned<String>)> = [("站点", raw.site), ("生成目录", raw.public), ("网址", raw.url)]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
        .collect();
    match given.as_slice() {
        [] => Ok(None),
        [(_, site)] if raw.site.is_some() => Ok(Some(Source::Site(beside(dir, site.value.trim())))),
        [(_, public)] if raw.public.is_some() => Ok(Some(Source::Public(beside(dir, public.value.trim())))),
        [(_, url)] => {
            let u = url.value.trim();
            let lower = u.to_ascii_lowercase();
            if !(lower.starts_with("http://") || lower.starts_with("https://")) || u.contains(['?', '#', ' ']) {
                return Err(config_error(
                    Some(pos_of(url)),
                    format!("网址「{u}」不对：写成 http://主机/ 或 https://主机/路径/，不带 ? 和 #"),
                ));
            }
            Ok(Some(Source::Url(if u.ends_with('/') { u.to_string() } else { format!("{u}/") })))
        }
        [_, (second, v), ..] => Err(config_error(
            Some(pos_of(v)),
            format!("「{second}」和前面的来源只能写一个：每个单位的数据只从一处读取"),
        )),
    }
}

/// `rel` from the bureau folder, with `.` and `..` taken out where the path says what they are
/// (`bureau/..` is `.`), so that messages name the folder plainly.
fn beside(dir: &Path, rel: &str) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in dir.join(rel).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

/// The parser's words for a mistake in the bureau file, in Chinese.
pub(crate) fn message(raw: &str) -> String {
    if let Some(rest) = raw.strip_prefix("unknown field `") {
        let (key, known) = rest.split_once('`').unwrap_or((rest, ""));
        let known: Vec<&str> = known.split_once("expected one of ").map_or("", |(_, k)| k).split(", ").collect();
        let known: Vec<String> = known.iter().map(|k| k.trim_matches('`').to_string()).collect();
        let guess = crate::schema::did_you_mean(key, known.iter().map(String::as_str))
            .map(|g| format!("是不是「{g}」？"))
            .unwrap_or_default();
        // the keys in the script the user wrote in: Chinese for a Chinese key, else English
        let same: Vec<&str> = known.iter().map(String::as_str).filter(|k| k.is_ascii() == key.is_ascii()).collect();
        return format!("不认识的项「{key}」。{guess}可以写：{}", same.join("、"));
    }
    if let Some(rest) = raw.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        let zh = match key {
            "year" => "考核年度",
            "roster" => "名单",
            "name" => "名称",
            other => other,
        };
        return format!("缺少「{zh}」");
    }
    if raw.contains("invalid type") {
        return format!("这里的值类型不对（{raw}）：考核年度写数字，名单写成以「- 名称: …」开头的列表");
    }
    "格式不对：检查这一行的缩进、冒号（英文「: 」）、引号和括号".to_string()
}

#[cfg(test)]
mod tests;
