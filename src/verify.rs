//! `gongkai verify`: does a published site match its publication record? Reads the record the
//! site publishes (`.well-known/gongkai/`), checks its hash chain back to the first entry and
//! the signatures present (`record::sign`), and compares every file the record lists with the
//! file served: changed, missing, and (for a folder, which can be listed) added outside a recorded
//! build. A site is a folder on disk or, over plain HTTP GETs bounded in count and time, a URL
//! (`http`). A commands-layer module: it uses `record` and nothing of the content layers.

mod archive;
pub(crate) mod http;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use self::archive::verify_archive;
pub use self::http::Bounds;
use self::http::{Client, Got};
use crate::commands::Outcome;
use crate::error::{Error, Result};
use crate::record::{Fetch, PUBLISHED, Record, hex, sign};

/// What `verify` compares.
#[derive(Debug, Clone)]
pub enum Target {
    /// A built site on disk (`public/`).
    Dir(PathBuf),
    /// A published site (`https://example.org/`), read within the bounds.
    Url(String, Bounds),
}

impl Target {
    /// A URL when `site` starts with `http://` or `https://`, else a folder.
    pub fn new(site: &str, bounds: Bounds) -> Target {
        let lower = site.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Target::Url(site.to_string(), bounds)
        } else {
            Target::Dir(PathBuf::from(site))
        }
    }

    fn name(&self) -> String {
        match self {
            Target::Dir(dir) => dir.display().to_string(),
            Target::Url(url, _) => url.clone(),
        }
    }
}

/// What differs between the site and its record, and what could not be checked.
#[derive(Debug, Default, PartialEq)]
pub struct Differences {
    /// The record's chain does not verify: where it breaks.
    pub chain: Vec<String>,
    /// Bad signatures, and entries without one after a signed one.
    pub signatures: Vec<String>,
    /// Files whose bytes are not those recorded.
    pub changed: Vec<String>,
    /// Files recorded but not on the site.
    pub missing: Vec<String>,
    /// Files on the site no entry records (a folder only: a web server cannot be listed).
    pub added: Vec<String>,
    /// Files that could not be fetched, each with why (over HTTP).
    pub unchecked: Vec<String>,
    /// Files never asked for, and why: the request budget or the total time ran out.
    pub cut: Option<(usize, String)>,
}

impl Differences {
    /// Nothing differs from the record (which says nothing of what could not be checked).
    pub fn is_empty(&self) -> bool {
        self.chain.is_empty()
            && self.signatures.is_empty()
            && self.changed.is_empty()
            && self.missing.is_empty()
            && self.added.is_empty()
    }

    /// Every recorded file was checked.
    pub fn is_complete(&self) -> bool {
        self.unchecked.is_empty() && self.cut.is_none()
    }
}

/// The outcome of a comparison.
#[derive(Debug, Default)]
pub struct Verified {
    /// The record read, when its chain verified.
    pub record: Option<Record>,
    /// The entries whose signature verified.
    pub signed: Vec<u64>,
    /// What differs.
    pub diff: Differences,
    /// Requests made (over HTTP).
    pub requests: Option<u64>,
}

/// Compare a site with its record. `Err`: there is no record to compare with (exit 2).
pub fn compare(target: &Target) -> Result<Verified> {
    match target {
        Target::Dir(dir) => compare_dir(dir),
        Target::Url(url, bounds) => compare_url(url, bounds),
    }
}

fn compare_dir(dir: &Path) -> Result<Verified> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{} 不是一个文件夹：请指定生成的网站所在的文件夹（如 public/），或以 http:// 或 https:// 开头的网址",
            dir.display()
        )));
    }
    let record_dir = dir.join(PUBLISHED);
    let reading = crate::timing::phase("核验：读取公开记录");
    let record = match Record::read(&record_dir) {
        Ok(Some(r)) => r,
        Ok(None) => {
            return Err(Error::Usage(format!(
                "{} 没有公开记录（{PUBLISHED}/log.json）：这不是 gongkai 生成并记录的网站，或记录已被删除",
                dir.display()
            )));
        }
        Err(chain) => return Ok(Verified { diff: Differences { chain, ..Default::default() }, ..Default::default() }),
    };
    let mut verified = Verified::default();
    let read = |rel: &str| match std::fs::read(record_dir.join(rel)) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("无法读取 {}：{}", record_dir.join(rel).display(), crate::error::io_reason(&e))),
    };
    signatures(&record, &read, &mut verified);
    let recorded = record.files_ref();
    drop(reading);
    // every recorded file hashed on every core while the folder is listed
    let hashing = crate::timing::phase("核验：计算哈希");
    let (results, listed) = rayon::join(
        || -> Vec<(&str, Option<bool>)> {
            recorded
                .par_iter()
                .map(|(path, hash)| match hash_file(&dir.join(&**path)) {
                    Ok(h) => (&**path, Some(h.to_hex().as_str() == hash)),
                    Err(_) => (&**path, None),
                })
                .collect()
        },
        || crate::record::site_files(dir),
    );
    drop(hashing);
    let _comparing = crate::timing::phase("核验：比较");
    let diff = &mut verified.diff;
    for (path, same) in results {
        match same {
            Some(true) => {}
            Some(false) => diff.changed.push(path.to_string()),
            None => diff.missing.push(path.to_string()),
        }
    }
    diff.added =
        listed.map_err(|e| Error::io(dir, e))?.into_iter().filter(|p| !recorded.contains_key(p.as_str())).collect();
    drop(recorded);
    verified.record = Some(record);
    Ok(verified)
}

/// BLAKE3 of a file's bytes: one open and reads into a buffer each thread keeps (no buffer the
/// size of the file). Only a regular file is read (after following links), opened without waiting:
/// a pipe or device put where a page was is an error, not a hang. A file that fits the buffer is
/// read with one call: when that call returns the length the file had when opened, and less than
/// it asked for, it met the end (one system call of five saved per file, 331,000 at 10,000 units).
fn hash_file(path: &Path) -> std::io::Result<blake3::Hash> {
    use std::io::Read as _;
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; 64 << 10]);
    }
    let (mut file, len) = crate::input::open_regular_len(path)?;
    let mut hasher = blake3::Hasher::new();
    BUFFER.with_borrow_mut(|buffer| {
        let mut read = 0u64;
        loop {
            match file.read(buffer) {
                Ok(0) => return Ok(hasher.finalize()),
                Ok(n) => {
                    hasher.update(&buffer[..n]);
                    read += n as u64;
                    if read == len && n < buffer.len() {
                        return Ok(hasher.finalize());
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    })
}

fn compare_url(url: &str, bounds: &Bounds) -> Result<Verified> {
    let client = Client::new(url, bounds.clone()).map_err(Error::Usage)?;
    let failed = std::cell::Cell::new(false);
    let fetch = |rel: &str| {
        let path = format!("{PUBLISHED}/{rel}");
        match client.get(&path) {
            Got::Body(bytes) => Ok(Some(bytes)),
            Got::NotFound => Ok(None),
            Got::Failed(why) => {
                failed.set(true);
                Err(format!("无法取回 {}：{why}", client.url(&path)))
            }
            Got::Stopped => {
                failed.set(true);
                Err(format!("无法取回 {}：{}", client.url(&path), client.stopped().unwrap_or_default()))
            }
        }
    };
    let mut verified = Verified::default();
    let record = match Record::read_with(&fetch) {
        Ok(Some(r)) => r,
        Ok(None) => {
            return Err(Error::Usage(format!(
                "{} 没有公开记录（{PUBLISHED}/log.json 不存在）：这不是 gongkai 生成并记录的网站，或地址有误",
                client.url(&format!("{PUBLISHED}/log.json"))
            )));
        }
        Err(problems) if failed.get() => {
            return Err(Error::Usage(format!("无法取回公开记录，没有核验：{}", problems.join("；"))));
        }
        Err(chain) => {
            verified.diff.chain = chain;
            verified.requests = Some(client.used());
            return Ok(verified);
        }
    };
    signatures(&record, &fetch, &mut verified);
    let recorded = record.files();
    let paths: Vec<&str> = recorded.keys().map(String::as_str).collect();
    let answers = http::get_all(&client, &paths);
    let diff = &mut verified.diff;
    let mut stopped = 0;
    for ((path, hash), got) in recorded.iter().zip(answers) {
        match got {
            Got::Body(bytes) if hex(&bytes) == *hash => {}
            Got::Body(_) => diff.changed.push(path.clone()),
            Got::NotFound => diff.missing.push(path.clone()),
            Got::Failed(why) => diff.unchecked.push(format!("{path}：{why}")),
            Got::Stopped => stopped += 1,
        }
    }
    if let Some(why) = client.stopped() {
        diff.cut = Some((stopped, why));
    }
    verified.requests = Some(client.used());
    verified.record = Some(record);
    Ok(verified)
}

/// Check the signatures of `record` read through `get`.
fn signatures(record: &Record, get: Fetch<'_>, verified: &mut Verified) {
    match sign::check(record, get) {
        Ok(checked) => {
            verified.signed = checked.signed;
            verified.diff.signatures = checked.problems;
        }
        Err(why) => verified.diff.unchecked.push(format!("签名：{why}")),
    }
}

/// At most this many unchecked files are listed one by one.
const LISTED: usize = 20;

/// `gongkai verify`: compare, print the result in words, and say whether everything matched.
/// A check cut short (budget, time, a file that could not be fetched) is not a pass: after the
/// printout it is an error (exit 2), unless a difference was found (exit 1).
pub fn verify(target: &Target, out: &mut dyn std::io::Write) -> Result<Outcome> {
    let Verified { record, signed, diff, requests } = compare(target)?;
    let mut text = format!("核验 {}：\n", target.name());
    if let Some(r) = &record {
        let last = r.entries().last();
        text.push_str(&format!(
            "  公开记录共 {} 条，链完整；最新一条是第 {} 条（{}），记录了 {} 个文件。\n",
            r.entries().count(),
            last.map_or(0, |e| e.seq),
            last.map_or("", |e| e.date.as_str()),
            r.files().len()
        ));
        match (signed.first(), signed.last()) {
            (Some(a), Some(b)) => text.push_str(&format!(
                "  签名：第 {a}–{b} 条中 {} 条记录的签名与公开的公钥（{PUBLISHED}/{}）一致。\n",
                signed.len(),
                sign::PUBLIC_KEY
            )),
            _ if diff.signatures.is_empty() => text.push_str("  签名：记录没有签名。\n"),
            _ => {}
        }
    }
    if let Some(n) = requests {
        text.push_str(&format!(
            "  通过 HTTP 共发出 {n} 个请求。网站无法通过 HTTP 列出全部文件，所以查不出记录之外新增的文件；要查，请在服务器上对网站文件夹运行 gongkai verify。\n"
        ));
    }
    let groups: BTreeMap<u8, (&str, &Vec<String>)> = [
        (0, ("公开记录本身被改动", &diff.chain)),
        (1, ("签名不符或缺失", &diff.signatures)),
        (2, ("发布后被改动", &diff.changed)),
        (3, ("记录在案却已不在网站上", &diff.missing)),
        (4, ("不在任何一次记录中（记录之外新增）", &diff.added)),
    ]
    .into_iter()
    .collect();
    for (label, items) in groups.values() {
        if items.is_empty() {
            continue;
        }
        text.push_str(&format!("  {label}（{} 项）：\n", items.len()));
        for item in items.iter() {
            text.push_str(&format!("    {item}\n"));
        }
    }
    if !diff.unchecked.is_empty() {
        text.push_str(&format!("  无法取回，没有核验（{} 项）：\n", diff.unchecked.len()));
        for item in diff.unchecked.iter().take(LISTED) {
            text.push_str(&format!("    {item}\n"));
        }
        if diff.unchecked.len() > LISTED {
            text.push_str(&format!("    ……还有 {} 项\n", diff.unchecked.len() - LISTED));
        }
    }
    if let Some((n, why)) = &diff.cut {
        text.push_str(&format!("  核验中途停止：{why}，还有 {n} 个文件没有核验。\n"));
    }
    let outcome = if !diff.is_empty() {
        text.push_str(
            "结论：网站与公开记录不一致。上面列出的文件不是经 gongkai 记录的发布产生的：请查明原因，从站点重新生成并发布。\n",
        );
        Outcome::Findings
    } else if diff.is_complete() {
        text.push_str("结论：网站上的每个文件都与公开记录一致。\n");
        Outcome::Clean
    } else {
        text.push_str("结论：核验没有完成，这不算通过：已核验的文件与记录一致，但上面列出的文件没有核验。\n");
        Outcome::Clean
    };
    out.write_all(text.as_bytes()).map_err(|e| Error::write("<stdout>", e))?;
    if outcome == Outcome::Clean && !diff.is_complete() {
        return Err(Error::Usage(
            "核验没有完成，不算通过：放宽 --max-requests、--timeout 或 --total-timeout，或等网站恢复后再核验".into(),
        ));
    }
    Ok(outcome)
}

/// `gongkai verify --new-key FILE`: make a signing key pair, write the private key to `file`
/// (a new file, readable by its owner only) and print how to use it.
pub fn new_key(file: &Path, out: &mut dyn std::io::Write) -> Result<Outcome> {
    use std::io::Write as _;
    let key = sign::Key::generate().map_err(Error::Usage)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            Error::Usage(format!("{} 已经存在：为免覆盖现有的私钥，请换一个文件名", file.display()))
        }
        _ => Error::write(file, e),
    })?;
    f.write_all(key.secret_text().as_bytes()).map_err(|e| Error::write(file, e))?;
    let text = format!(
        "已生成签名密钥：私钥写入 {}（只有你能读）。\n公钥：{}\
         用法：生成网站时设置环境变量 {}={}（或把文件内容放进 {}），每条新的公开记录都会签名，公钥随记录发布在 {PUBLISHED}/{}。\n\
         私钥不要放进站点文件夹，也不要提交到版本库；丢了它，以后的记录就无法再用同一把公钥签名。\n",
        file.display(),
        key.public_text(),
        sign::KEY_ENV,
        file.display(),
        sign::KEY_B64_ENV,
        sign::PUBLIC_KEY
    );
    out.write_all(text.as_bytes()).map_err(|e| Error::write("<stdout>", e))?;
    Ok(Outcome::Clean)
}

#[cfg(test)]
mod tests;
