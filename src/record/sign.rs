//! Signatures of the publication record (第十二条(五), issue 14 part 3), optional. With a key
//! configured (`GONGKAI_SIGNING_KEY`: the path of a key file outside the site, or
//! `GONGKAI_SIGNING_KEY_B64`: the key itself), `build` signs each new entry with ed25519 over the
//! entry file's bytes and keeps the signature beside it (`entries/000001.sig`: base64 of the 64
//! bytes, one line), with the public key in `key.pub` (base64 of its 32 bytes, one line); both
//! are published with the record under `/.well-known/gongkai/`. `verify` checks every signature
//! present against that key. A record without signatures stays valid (signing may start at any
//! entry), but once an entry is signed every later one must be.
//!
//! A value layer beside the record: bytes and paths in, files and problems out. Only
//! [`Key::from_env`] reads the environment, and only the command layer calls it.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};

use super::{Fetch, Problems, Record};

/// The environment variable naming the key file.
pub const KEY_ENV: &str = "GONGKAI_SIGNING_KEY";
/// The environment variable holding the key itself (base64 of its 32 bytes).
pub const KEY_B64_ENV: &str = "GONGKAI_SIGNING_KEY_B64";
/// The public key's file, relative to the record.
pub const PUBLIC_KEY: &str = "key.pub";

/// The signature file of entry `seq`, relative to the record.
pub fn sig_file(seq: u64) -> String {
    format!("entries/{seq:06}.sig")
}

/// An ed25519 signing key.
pub struct Key(SigningKey);

impl Key {
    /// A new random key.
    pub fn generate() -> Result<Key, String> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| format!("无法从系统取得随机数来生成密钥：{e}"))?;
        Ok(Key(SigningKey::from_bytes(&seed)))
    }

    /// A key written as base64 of its 32 bytes (what [`Key::secret_text`] writes).
    pub fn from_text(text: &str) -> Result<Key, String> {
        let bytes = B64.decode(text.trim()).map_err(|_| "不是 base64 文本".to_string())?;
        let seed: [u8; 32] =
            bytes.try_into().map_err(|b: Vec<u8>| format!("应为 32 个字节的 ed25519 私钥，实为 {} 个字节", b.len()))?;
        Ok(Key(SigningKey::from_bytes(&seed)))
    }

    /// The key configured in the environment, if any. A key file inside the site is refused: it
    /// would be committed, or published, with the content.
    pub fn from_env(site_root: &Path) -> Result<Option<Key>, String> {
        let how = "用 gongkai verify --new-key 文件 生成一对密钥，私钥放在站点文件夹以外";
        if let Some(text) = std::env::var_os(KEY_B64_ENV) {
            let key = Key::from_text(&text.to_string_lossy())
                .map_err(|e| format!("{KEY_B64_ENV} 不是可用的签名私钥：{e}。{how}"))?;
            return Ok(Some(key));
        }
        let Some(path) = std::env::var_os(KEY_ENV) else { return Ok(None) };
        let path = Path::new(&path);
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!("{KEY_ENV} 指向的私钥文件 {} 无法读取：{}", path.display(), crate::error::io_reason(&e))
        })?;
        if let (Ok(file), Ok(root)) = (path.canonicalize(), site_root.canonicalize())
            && file.starts_with(&root)
        {
            return Err(format!(
                "签名私钥 {} 在站点文件夹里，会随内容一起提交或发布：请把它移到站点以外（并从版本库删除），再设置 {KEY_ENV}",
                path.display()
            ));
        }
        Key::from_text(&text).map(Some).map_err(|e| format!("{} 不是可用的签名私钥：{e}。{how}", path.display()))
    }

    /// The private key as one line of base64, for the key file.
    pub fn secret_text(&self) -> String {
        format!("{}\n", B64.encode(self.0.to_bytes()))
    }

    /// The public key as one line of base64, as published in `key.pub`.
    pub fn public_text(&self) -> String {
        format!("{}\n", B64.encode(self.0.verifying_key().to_bytes()))
    }

    /// The signature of `bytes`, as one line of base64 (an `.sig` file).
    pub fn sign(&self, bytes: &[u8]) -> String {
        format!("{}\n", B64.encode(self.0.sign(bytes).to_bytes()))
    }
}

/// The signature files of `record` to write with it: `key.pub` and every entry's `.sig`. The
/// existing ones are read through `old` (the record as kept so far); entry `new`, just appended,
/// is signed with `key`. Refused: a key other than the one already published, and a new entry
/// without a key after signed ones (it would fail `verify`).
pub fn files(
    record: &Record,
    old: Fetch<'_>,
    new: Option<u64>,
    key: Option<&Key>,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let published = old(PUBLIC_KEY)?;
    let mut out = Vec::new();
    let mut signed = None;
    // the entries' heads: only the new one's bytes are signed (the others may be set aside)
    for entry in record.entries() {
        if Some(entry.seq) == new {
            match key {
                Some(key) => {
                    // a new entry is made whole, never set aside
                    let bytes = record
                        .entry_bytes(entry.seq)
                        .ok_or_else(|| format!("第 {} 条记录没有内容可签：这是 gongkai 的缺陷，请报告", entry.seq))?;
                    out.push((sig_file(entry.seq), key.sign(bytes).into_bytes()))
                }
                None if signed.is_some() => {
                    return Err(format!(
                        "公开记录从第 {} 条起都有签名，这次生成却没有配置签名私钥：新的第 {} 条会没有签名，verify 会报告它。请设置 {KEY_ENV}（私钥文件的路径）或 {KEY_B64_ENV}",
                        signed.unwrap_or(0),
                        entry.seq
                    ));
                }
                None => {}
            }
        } else if let Some(sig) = old(&sig_file(entry.seq))? {
            signed.get_or_insert(entry.seq);
            out.push((sig_file(entry.seq), sig));
        }
    }
    let public = match (key, published) {
        (Some(key), Some(old)) if String::from_utf8_lossy(&old).trim() != key.public_text().trim() => {
            return Err(format!(
                "配置的签名私钥与公开记录里已公开的公钥（{PUBLIC_KEY}）不是一对：已有的签名将无法核验。请使用原来的私钥；更换密钥目前不受支持"
            ));
        }
        (Some(key), _) => Some(key.public_text().into_bytes()),
        (None, old) => old,
    };
    if let Some(public) = public {
        out.insert(0, (PUBLIC_KEY.to_string(), public));
    }
    Ok(out)
}

/// The signature files for a build that publishes `record`, `appended` when it has a new entry:
/// the key from the environment, the old files from the site's `record/`.
pub fn for_build(root: &Path, record: &Record, appended: bool) -> Result<Vec<(String, Vec<u8>)>, String> {
    let key = Key::from_env(root)?;
    let dir = root.join(super::FOLDER);
    let old = |rel: &str| match std::fs::read(dir.join(rel)) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("无法读取 {}：{}", dir.join(rel).display(), crate::error::io_reason(&e))),
    };
    let new = appended.then(|| record.entries().last().map(|e| e.seq)).flatten();
    files(record, &old, new, key.as_ref())
}

/// What the signatures of a record say.
#[derive(Debug, Default, PartialEq)]
pub struct Checked {
    /// The entries with a valid signature.
    pub signed: Vec<u64>,
    /// Bad or missing signatures, one problem each, naming the entry.
    pub problems: Problems,
}

/// Check every signature of `record` present through `get` against the published key: a bad
/// one is named, and so is an entry without a signature after the first signed one.
pub fn check(record: &Record, get: Fetch<'_>) -> Result<Checked, String> {
    let key = get(PUBLIC_KEY)?;
    let mut checked = Checked::default();
    let key = match key.map(|k| parse_public(&k)) {
        None => None,
        Some(Ok(k)) => Some(k),
        Some(Err(e)) => {
            checked.problems.push(format!("公钥 {PUBLIC_KEY} 无法使用：{e}"));
            return Ok(checked);
        }
    };
    let mut first: Option<u64> = None;
    for (entry, bytes) in record.entry_files() {
        let file = sig_file(entry.seq);
        let at = format!("第 {} 条记录（{}）", entry.seq, super::entry_file(entry.seq));
        let Some(sig) = get(&file)? else {
            if let Some(first) = first {
                checked.problems.push(format!("{at}：没有签名（{file}），而从第 {first} 条起的记录都应有签名"));
            }
            continue;
        };
        first.get_or_insert(entry.seq);
        let Some(key) = &key else {
            checked.problems.push(format!("{at}：有签名 {file}，但记录没有公开公钥 {PUBLIC_KEY}，无法核验"));
            continue;
        };
        match parse_signature(&sig) {
            Ok(sig) if key.verify_strict(bytes, &sig).is_ok() => checked.signed.push(entry.seq),
            Ok(_) => checked
                .problems
                .push(format!("{at}：签名 {file} 与公钥 {PUBLIC_KEY} 不符：记录或签名在签名后被改动过，或公钥被换过")),
            Err(e) => checked.problems.push(format!("{at}：签名 {file} 无法使用：{e}")),
        }
    }
    Ok(checked)
}

fn parse_public(bytes: &[u8]) -> Result<VerifyingKey, String> {
    let raw = B64.decode(String::from_utf8_lossy(bytes).trim()).map_err(|_| "不是 base64 文本".to_string())?;
    let raw: [u8; 32] = raw.try_into().map_err(|b: Vec<u8>| format!("应为 32 个字节，实为 {} 个字节", b.len()))?;
    VerifyingKey::from_bytes(&raw).map_err(|_| "不是有效的 ed25519 公钥".to_string())
}

fn parse_signature(bytes: &[u8]) -> Result<Signature, String> {
    let raw = B64.decode(String::from_utf8_lossy(bytes).trim()).map_err(|_| "不是 base64 文本".to_string())?;
    let raw: [u8; 64] = raw.try_into().map_err(|b: Vec<u8>| format!("应为 64 个字节，实为 {} 个字节", b.len()))?;
    Ok(Signature::from_bytes(&raw))
}

#[cfg(test)]
mod tests;
