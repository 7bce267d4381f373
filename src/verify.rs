//! `gongkai verify`: does a published site match its publication record? Reads the record the
//! site publishes (`.well-known/gongkai/`), checks its hash chain back to the first entry, and
//! compares every file the record lists with the file served: changed, missing, and (for a
//! folder, which can be listed) added outside a recorded build. A commands-layer module: it uses
//! `record` and nothing of the content layers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::commands::Outcome;
use crate::error::{Error, Result};
use crate::record::{PUBLISHED, Record, hex, is_own};

/// What `verify` compares.
#[derive(Debug, Clone)]
pub enum Target {
    /// A built site on disk (`public/`).
    Dir(PathBuf),
}

/// What differs between the site and its record.
#[derive(Debug, Default, PartialEq)]
pub struct Differences {
    /// The record's chain does not verify: where it breaks.
    pub chain: Vec<String>,
    /// Files whose bytes are not those recorded.
    pub changed: Vec<String>,
    /// Files recorded but not on the site.
    pub missing: Vec<String>,
    /// Files on the site no entry records.
    pub added: Vec<String>,
}

impl Differences {
    /// The site matches its record.
    pub fn is_empty(&self) -> bool {
        self.chain.is_empty() && self.changed.is_empty() && self.missing.is_empty() && self.added.is_empty()
    }
}

/// Compare a site with its record. `Err`: there is no record to compare with (exit 2).
pub fn compare(target: &Target) -> Result<(Option<Record>, Differences)> {
    let Target::Dir(dir) = target;
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "{} 不是一个文件夹：请指定生成的网站所在的文件夹（如 public/）",
            dir.display()
        )));
    }
    let record_dir = dir.join(PUBLISHED);
    let record = match Record::read(&record_dir) {
        Ok(Some(r)) => r,
        Ok(None) => {
            return Err(Error::Usage(format!(
                "{} 没有公开记录（{PUBLISHED}/log.json）：这不是 gongkai 生成并记录的网站，或记录已被删除",
                dir.display()
            )));
        }
        Err(chain) => return Ok((None, Differences { chain, ..Default::default() })),
    };
    let recorded = record.files();
    let mut diff = Differences::default();
    let results: Vec<(String, Option<bool>)> = recorded
        .par_iter()
        .map(|(path, hash)| match std::fs::read(dir.join(path)) {
            Ok(bytes) => (path.clone(), Some(hex(&bytes) == *hash)),
            Err(_) => (path.clone(), None),
        })
        .collect();
    for (path, same) in results {
        match same {
            Some(true) => {}
            Some(false) => diff.changed.push(path),
            None => diff.missing.push(path),
        }
    }
    diff.added = on_disk(dir)?.into_iter().filter(|p| !recorded.contains_key(p)).collect();
    Ok((Some(record), diff))
}

/// Every file under `dir` but the record's own, as site paths.
fn on_disk(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::io(dir, e.into()))?;
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            let rel = rel.join("/");
            if !is_own(&rel) {
                out.push(rel);
            }
        }
    }
    Ok(out)
}

/// `gongkai verify`: compare, print the result in words, and say whether everything matched.
pub fn verify(target: &Target, out: &mut dyn std::io::Write) -> Result<Outcome> {
    let (record, diff) = compare(target)?;
    let Target::Dir(dir) = target;
    let mut text = format!("核验 {}：\n", dir.display());
    if let Some(r) = &record {
        let last = r.entries().last();
        text.push_str(&format!(
            "  公开记录共 {} 条，链完整；最新一条是第 {} 条（{}），记录了 {} 个文件。\n",
            r.entries().count(),
            last.map_or(0, |e| e.seq),
            last.map_or("", |e| e.date.as_str()),
            r.files().len()
        ));
    }
    let groups: BTreeMap<u8, (&str, &Vec<String>)> = [
        (0, ("公开记录本身被改动", &diff.chain)),
        (1, ("发布后被改动", &diff.changed)),
        (2, ("记录在案却已不在网站上", &diff.missing)),
        (3, ("不在任何一次记录中（记录之外新增）", &diff.added)),
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
    let outcome = if diff.is_empty() {
        text.push_str("结论：网站上的每个文件都与公开记录一致。\n");
        Outcome::Clean
    } else {
        text.push_str(
            "结论：网站与公开记录不一致。上面列出的文件不是经 gongkai 记录的发布产生的：请查明原因，从站点重新生成并发布。\n",
        );
        Outcome::Findings
    };
    out.write_all(text.as_bytes()).map_err(|e| Error::write("<stdout>", e))?;
    Ok(outcome)
}
