//! `gongkai fix`: the mechanical repairs a clerk cannot see — a file saved as GBK/GB18030 or
//! UTF-16, a BOM, a full-width colon `：` after a key, tabs in indentation — shown as a diff, and
//! applied with `--write`, the original kept as a hidden backup beside it.
//!
//! Sits with `commands` at the top: it reads the site's files (those gongkai reads: the
//! configuration, the rule packs, each unit's content files; never attachments) and the content
//! model, to know which words are keys. The repairs themselves are in `text`, pure. A repair never
//! changes what a value says: a colon is changed only after a key the model knows, and only where
//! the file then reads that key where it belongs (checked with the loader itself).

mod text;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::commands::{Outcome, write_atomic};
use crate::error::{Error, Result};
use crate::finding::Kind;
use crate::load;
use crate::schema::{DocSpec, FieldDef, Schema};
use text::LineFix;

/// Options of `gongkai fix`.
#[derive(Debug, Clone)]
pub struct FixOptions {
    /// The site root.
    pub site: PathBuf,
    /// Write the repairs (else only show them).
    pub write: bool,
}

/// What `fix` would do to one file.
struct Plan {
    /// Site-relative path.
    rel: String,
    path: PathBuf,
    /// The text before the repairs of lines (decoded).
    before: String,
    /// The repaired text.
    after: String,
    /// What changes, in Chinese.
    notes: Vec<String>,
}

/// `gongkai fix`: exit 0 when nothing needs repairing or the repairs were written; 1 when repairs
/// are shown but not written (no `--write`), or a file cannot be repaired automatically.
pub fn run(opts: &FixOptions) -> Result<Outcome> {
    if !opts.site.join("content").is_dir() && !opts.site.join(load::CONFIG_FILE).is_file() {
        return Err(Error::NoContent(opts.site.clone()));
    }
    // the model with the site's packs, or the built-in one when the configuration or a pack is
    // itself unreadable (perhaps what is to be repaired)
    let schema = load::packs_for(&opts.site).map_or_else(|_| Schema::builtin(), |(s, _)| s);
    let mut plans = Vec::new();
    let mut refused = Vec::new();
    for (rel, kind) in files(&opts.site, &schema) {
        let path = opts.site.join(&rel);
        let bytes = match crate::input::read_regular(&path, 16 << 20) {
            Ok(b) => b,
            Err(e) => return Err(Error::Io { path, source: e }),
        };
        match plan(&rel, path, &bytes, &kind, &schema) {
            Ok(Some(p)) => plans.push(p),
            Ok(None) => {}
            Err(why) => refused.push(format!("{rel}：{why}")),
        }
    }
    let mut out = String::new();
    for p in &plans {
        let _ = writeln!(out, "{}：{}", p.rel, p.notes.join("；"));
        if p.before != p.after {
            let diff = similar::TextDiff::from_lines(&p.before, &p.after);
            let _ = write!(
                out,
                "{}",
                diff.unified_diff().context_radius(1).header(&p.rel, &format!("{}（修正后）", p.rel))
            );
        }
        out.push('\n');
    }
    for r in &refused {
        let _ = writeln!(out, "无法自动修正 {r}；请用记事本或 WPS 打开，「另存为」UTF-8 编码。");
    }
    let outcome = if plans.is_empty() {
        if refused.is_empty() {
            out.push_str("没有需要修正的编码、BOM、全角冒号或 Tab 缩进。\n");
        }
        if refused.is_empty() { Outcome::Clean } else { Outcome::Findings }
    } else if opts.write {
        for p in &plans {
            let backup = backup(&p.path)?;
            write_atomic(&p.path, p.after.as_bytes())?;
            let name = backup.file_name().unwrap_or_default().to_string_lossy();
            let _ = writeln!(out, "已修正 {}，原文件备份为同一文件夹中的 {name}（隐藏文件，不会发布）。", p.rel);
        }
        out.push_str("运行 gongkai check 检查内容是否齐全。\n");
        if refused.is_empty() { Outcome::Clean } else { Outcome::Findings }
    } else {
        let _ = writeln!(
            out,
            "{} 个文件可以修正。这是预览，没有改动任何文件；确认无误后，加上 --write 再运行一次（原文件会备份）。",
            plans.len()
        );
        Outcome::Findings
    };
    std::io::stdout().lock().write_all(out.as_bytes()).map_err(|e| Error::write("<stdout>", e))?;
    Ok(outcome)
}

/// Which file it is: its document in the content model, the configuration, or a rule pack.
enum FileKind {
    Doc(DocSpec),
    Config,
    Pack,
}

/// The files gongkai reads as text, site-relative, sorted: `gongkai.yaml`, `rules/*.yaml`, and
/// each unit's content files (never its attachments, never a hidden file).
fn files(site: &Path, schema: &Schema) -> Vec<(String, FileKind)> {
    let mut out = Vec::new();
    for name in [load::CONFIG_FILE, "gongkai.yml"] {
        if site.join(name).is_file() {
            out.push((name.to_string(), FileKind::Config));
        }
    }
    let walk = |dir: &Path, depth: usize| {
        walkdir::WalkDir::new(dir)
            .min_depth(1)
            .max_depth(depth)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .filter_map(std::result::Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| Some(e.path().strip_prefix(site).ok()?.to_str()?.replace('\\', "/")))
            .collect::<Vec<_>>()
    };
    for rel in walk(&site.join("rules"), 1) {
        if rel.ends_with(".yaml") || rel.ends_with(".yml") {
            out.push((rel, FileKind::Pack));
        }
    }
    for rel in walk(&site.join("content"), 3) {
        let mut parts = rel.splitn(3, '/');
        let (Some(_), Some(_), Some(inside)) = (parts.next(), parts.next(), parts.next()) else { continue };
        if let Some(spec) = schema.doc_for_path(inside) {
            out.push((rel, FileKind::Doc(spec.clone())));
        }
    }
    out
}

/// The repairs of one file; `None` when it needs none, `Err` when it cannot be read as text.
fn plan(
    rel: &str,
    path: PathBuf,
    bytes: &[u8],
    kind: &FileKind,
    schema: &Schema,
) -> std::result::Result<Option<Plan>, String> {
    let decoded = text::decode(bytes).map_err(str::to_string)?;
    let mut notes: Vec<String> = decoded.note.iter().map(|n| n.to_string()).collect();
    let markdown = matches!(kind, FileKind::Doc(spec) if spec.has_pages());
    let range = text::yaml_lines(&decoded.text, markdown);
    let names = key_names(kind, schema);
    let is_key = |k: &str| names.iter().any(|n| n == k);
    let mut fixes = text::line_fixes(&decoded.text, range, &is_key);
    if let FileKind::Doc(spec) = kind {
        fixes = keep_meaning(&decoded.text, fixes, spec, schema);
    }
    let before_lines: Vec<&str> =
        decoded.text.split_inclusive('\n').map(|l| l.trim_end_matches(['\n', '\r'])).collect();
    let (mut tabs, mut colons) = (Vec::new(), Vec::new());
    for f in &fixes {
        let old = before_lines.get(f.line - 1).copied().unwrap_or_default();
        if old[..leading(old)].contains('\t') {
            tabs.push(f.line.to_string());
        }
        if old.matches('：').count() > f.new.matches('：').count() {
            colons.push(f.line.to_string());
        }
    }
    if !colons.is_empty() {
        notes.push(format!("第 {} 行字段名后的全角冒号「：」→ 半角「: 」", colons.join("、")));
    }
    if !tabs.is_empty() {
        notes.push(format!("第 {} 行缩进中的 Tab → {} 个空格", tabs.join("、"), text::TAB));
    }
    if notes.is_empty() {
        return Ok(None);
    }
    let after = text::apply(&decoded.text, &fixes);
    Ok(Some(Plan { rel: rel.to_string(), path, before: decoded.text, after, notes }))
}

/// Bytes of a line's leading spaces and tabs.
fn leading(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// Every name a key of this file may have: the document's fields at every depth and the
/// declaration word; the configuration's keys; none for a pack (written by people who know YAML).
fn key_names(kind: &FileKind, schema: &Schema) -> Vec<String> {
    fn walk(fields: &[FieldDef], out: &mut Vec<String>) {
        for f in fields {
            out.extend(f.names().map(str::to_string));
            walk(&f.fields, out);
        }
    }
    let mut out = Vec::new();
    match kind {
        FileKind::Doc(spec) => {
            walk(&spec.fields, &mut out);
            out.push(crate::declaration::WORD.to_string());
        }
        FileKind::Config => {
            let config = crate::editor_schema::files(schema, &[])
                .into_iter()
                .find(|(n, _)| n == crate::editor_schema::CONFIG_FILE)
                .and_then(|(_, t)| serde_json::from_str::<serde_json::Value>(&t).ok());
            fn props(v: &serde_json::Value, out: &mut Vec<String>) {
                match v {
                    serde_json::Value::Object(m) => {
                        if let Some(serde_json::Value::Object(p)) = m.get("properties") {
                            out.extend(p.keys().cloned());
                        }
                        m.values().for_each(|v| props(v, out));
                    }
                    serde_json::Value::Array(a) => a.iter().for_each(|v| props(v, out)),
                    _ => {}
                }
            }
            if let Some(c) = config {
                props(&c, &mut out);
            }
        }
        FileKind::Pack => {}
    }
    out
}

/// Drop each colon repair after which the loader reads the line as a key where none belongs
/// (an unknown field, or a mapping where a text was): that colon was part of a value.
fn keep_meaning(text: &str, mut fixes: Vec<LineFix>, spec: &DocSpec, schema: &Schema) -> Vec<LineFix> {
    let originals: Vec<&str> = text.split_inclusive('\n').map(|l| l.trim_end_matches(['\n', '\r'])).collect();
    for _ in 0..8 {
        let fixed = text::apply(text, &fixes);
        let unit = load::unit_from_bytes(schema, spec, fixed.as_bytes());
        if unit.findings.iter().any(|f| f.kind == Kind::Syntax) {
            // the file still does not parse: the known-key test alone decides
            return fixes;
        }
        let wrong: Vec<usize> = unit
            .findings
            .iter()
            .filter(|f| matches!(f.kind, Kind::Invalid | Kind::UnknownField))
            .filter_map(|f| f.line.map(|l| l as usize))
            .filter(|l| fixes.iter().any(|x| x.line == *l && originals.get(l - 1).is_some_and(|o| o.contains('：'))))
            .collect();
        if wrong.is_empty() {
            return fixes;
        }
        fixes = fixes
            .into_iter()
            .filter_map(|mut f| {
                if !wrong.contains(&f.line) {
                    return Some(f);
                }
                let untabbed = text::untab(originals[f.line - 1]);
                (untabbed != originals[f.line - 1]).then(|| {
                    f.new = untabbed;
                    f
                })
            })
            .collect();
    }
    fixes
}

/// Keep the original beside the file, hidden: `.fees.yaml.bak`, else `.fees.yaml.bak.1`, … An
/// existing backup is never replaced.
fn backup(path: &Path) -> Result<PathBuf> {
    let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let bytes = std::fs::read(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
    for n in 0..10_000 {
        let candidate = path.with_file_name(if n == 0 { format!(".{name}.bak") } else { format!(".{name}.bak.{n}") });
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&candidate) {
            Ok(mut f) => {
                f.write_all(&bytes).and_then(|()| f.sync_all()).map_err(|e| Error::write(&candidate, e))?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::write(&candidate, e)),
        }
    }
    Err(Error::Usage(format!("{} 旁边的备份文件太多（.{name}.bak.*），请先清理", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(kind: &str, rel: &str, text: &str) -> String {
        let schema = Schema::builtin();
        let spec = schema.doc(kind).unwrap().clone();
        let plan = plan(rel, PathBuf::from(rel), text.as_bytes(), &FileKind::Doc(spec), &schema).unwrap();
        plan.map_or_else(|| text.to_string(), |p| p.after)
    }

    /// `办公时间` is a key of unit.yaml, but in a list of lines it is the start of a line of text:
    /// the repair would make a mapping of it, which the loader refuses, so it stays.
    #[test]
    fn a_colon_that_would_turn_text_into_a_key_stays() {
        let text = "单位名称：白银市第一中学\n工作标准:\n  - 办公时间：周一至周五\n";
        assert_eq!(
            repaired("unit", "content/a/unit.yaml", text),
            "单位名称: 白银市第一中学\n工作标准:\n  - 办公时间：周一至周五\n"
        );
    }

    #[test]
    fn a_markdown_body_is_never_touched() {
        let text = "---\n标题：通知\n---\n\t缩进的代码\n标题：正文里的冒号\n";
        assert_eq!(
            repaired("notices", "content/a/notices/a.md", text),
            "---\n标题: 通知\n---\n\t缩进的代码\n标题：正文里的冒号\n"
        );
    }

    #[test]
    fn nothing_to_repair_is_no_plan() {
        let schema = Schema::builtin();
        let spec = schema.doc("fees").unwrap().clone();
        let text = "收费项目:\n  - 项目名称: 水费\n";
        assert!(plan("f", PathBuf::from("f"), text.as_bytes(), &FileKind::Doc(spec), &schema).unwrap().is_none());
    }
}
