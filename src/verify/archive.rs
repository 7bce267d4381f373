//! `gongkai verify --archive`: is every version in the site's archive (`record/archive/`) the
//! page its hash names, and one the record says was published? The archive is not published
//! with the site (it is committed with the content), so `verify` of a built site never reads
//! it; a build reads only the versions it publishes again, so a damaged copy of a current page
//! would otherwise be found only when the page changes. Packs of both formats and the first
//! layout's files are read as a build reads them (`record::archive::Store`).

use std::collections::BTreeSet;
use std::path::Path;

use crate::commands::Outcome;
use crate::error::{Error, Result};
use crate::record::{FOLDER, Record, archive};

/// Check the archive of the site at `site`, print the result in words, and say whether every
/// version is intact and recorded.
pub fn verify_archive(site: &Path, out: &mut dyn std::io::Write) -> Result<Outcome> {
    let dir = site.join(FOLDER);
    let record = match Record::read(&dir) {
        Ok(Some(record)) => Some(record),
        Ok(None) => {
            return Err(Error::Usage(format!(
                "{} 没有公开记录（{FOLDER}/log.json）：请在站点文件夹里运行，或先用 gongkai build 生成",
                site.display()
            )));
        }
        Err(_) => None,
    };
    let store = archive::Store::open(&dir).map_err(|e| Error::io(dir.join(archive::DIR), e))?;
    let (gzip, lz4, blocks, loose) = store.counts();
    let mut text = format!(
        "核验存档 {}：\n  共 {} 个版本：格式 1（gzip）的存档包 {gzip} 个，格式 2（LZ4 帧）的存档包 {lz4} 个，格式 3（LZ4 块）的存档包 {blocks} 个，单独的版本文件 {loose} 个。\n",
        dir.join(archive::DIR).display(),
        store.hashes().count()
    );
    let damaged = store.damaged();
    let unrecorded: Vec<String> = match &record {
        Some(record) => {
            let changes: Vec<_> = record.changes().map(|(_, c)| c).collect();
            let published: BTreeSet<&str> = changes.iter().flat_map(|c| c.written().map(|(_, h)| h)).collect();
            store.hashes().filter(|h| !published.contains(h.as_str())).map(|h| store.location(&h)).collect()
        }
        None => Vec::new(),
    };
    if record.is_none() {
        text.push_str(&format!(
            "  公开记录 {FOLDER}/ 的链不完整（gongkai verify 或 gongkai build 会指出断在哪里），没有对照记录核验存档的版本。\n"
        ));
    }
    for (label, items) in [("与哈希不符或无法读取", &damaged), ("不在公开记录的任何一次发布中", &unrecorded)]
    {
        if !items.is_empty() {
            text.push_str(&format!("  {label}（{} 项）：\n", items.len()));
            for item in items {
                text.push_str(&format!("    {item}\n"));
            }
        }
    }
    let outcome = if damaged.is_empty() && unrecorded.is_empty() && record.is_some() {
        text.push_str("结论：存档的每个版本都与它的哈希一致，且都是公开记录中发布过的页面。\n");
        Outcome::Clean
    } else {
        text.push_str(&format!(
            "结论：存档与公开记录不一致。存档只能由 gongkai build 写入：从版本库恢复上面列出的存档包或文件（{FOLDER}/{}/）。\n",
            archive::DIR
        ));
        Outcome::Findings
    };
    out.write_all(text.as_bytes()).map_err(|e| Error::write("<stdout>", e))?;
    Ok(outcome)
}
