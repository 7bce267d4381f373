//! `gongkai import` and `gongkai export`: the file I/O and the printing around `sheet`.
//!
//! Import shows what it would write (a diff against the file, or the new file) and writes only
//! when asked, keeping the file it replaces as a hidden backup beside it (never published: the
//! loader skips hidden files). Export writes workbooks or CSV files into a folder and never
//! replaces a file that differs from what it would write.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Outcome;
use crate::error::{Error, Result};
use crate::load::{self, LoadOptions};
use crate::sheet::{Kind, export, import, read};

/// Options of `gongkai import`.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The site root.
    pub site: PathBuf,
    /// The spreadsheet.
    pub file: PathBuf,
    /// The unit's folder name.
    pub unit: String,
    /// Which table it is.
    pub kind: Kind,
    /// Write the file (else only show what would be written).
    pub write: bool,
}

/// `gongkai import`: read the table, show the change, write it with `--write`.
pub fn import(opts: &ImportOptions) -> Result<Outcome> {
    let site =
        load::load_site(&opts.site, &LoadOptions { unit: Some(opts.unit.clone()), today: None, ..Default::default() })?;
    let dir = site.units.first().ok_or_else(|| Error::UnknownUnit { name: opts.unit.clone(), suggestion: None })?;
    let unit = site.load_unit(dir);
    let (doc, _) =
        opts.kind.spec(&site.schema).ok_or_else(|| Error::Usage(format!("内容模型中没有「{}」", opts.kind.name())))?;
    // the file as it is, `.yml` when the unit writes it so
    let yml = dir.path.join(doc.file.replace(".yaml", ".yml"));
    let path = if !dir.path.join(&doc.file).exists() && yml.is_file() { yml } else { dir.path.join(&doc.file) };
    let rel = format!("content/{}/{}", unit.slug, path.file_name().unwrap_or_default().to_string_lossy());
    let old = match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&path, e)),
    };
    let text = match &old {
        Some(bytes) => Some(load::decode(bytes.clone(), &rel).map_err(|f| {
            Error::Usage(format!("{rel}: {}，导入前先把它改好\n  帮助: {}", f.message, f.help.unwrap_or_default()))
        })?),
        None => None,
    };
    let bytes =
        crate::input::read_regular(&opts.file, load::MAX_ATTACHMENT_BYTES).map_err(|e| Error::io(&opts.file, e))?;
    let extension = opts.file.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    let shown = opts.file.display().to_string();
    let sheets = read::read(&bytes, &extension)
        .map_err(|u| Error::Usage(format!("{shown}: {}\n  帮助: {}", u.message, u.help)))?;
    let target = import::Target {
        schema: &site.schema,
        packs: &site.packs,
        kind: opts.kind,
        slug: &unit.slug,
        name: unit.name(),
        sector: unit.sector.as_deref(),
        file: &rel,
        existing: text.as_deref(),
    };
    let plan = import::plan(&target, &sheets);
    let mut out = String::new();
    let source = match &plan.sheet {
        Some(s) => format!("{shown} 的工作表「{s}」"),
        None => shown.clone(),
    };
    if !plan.problems.is_empty() {
        let gap = if source.ends_with('」') { "" } else { " " };
        out.push_str(&format!("{source}{gap}中有 {} 处无法导入，没有写入任何文件：\n", plan.problems.len()));
        for p in &plan.problems {
            let place = p.place();
            out.push_str(&format!("  {}{}{}\n", place, if place.is_empty() { "" } else { "：" }, p.message));
            if let Some(help) = &p.help {
                out.push_str(&format!("    帮助: {help}\n"));
            }
        }
        print(&out)?;
        return Ok(Outcome::Findings);
    }
    let Some(new) = plan.text else { return Ok(Outcome::Findings) };
    let what = match &plan.declaration {
        Some(reason) => format!("「{}：{reason}」", crate::declaration::WORD),
        None => format!("{} 项{}", plan.entries, opts.kind.title(&site.schema)),
    };
    out.push_str(&format!("读取 {source}：表头在第 {} 行，{what}", plan.header_row));
    if plan.other_units > 0 {
        out.push_str(&format!("（其他单位的 {} 行没有读取）", plan.other_units));
    }
    let bom = old.as_deref().is_some_and(|b| b.starts_with(b"\xEF\xBB\xBF"));
    let new_bytes = [if bom { &b"\xEF\xBB\xBF"[..] } else { b"" }, new.as_bytes()].concat();
    if old.as_deref() == Some(&new_bytes[..]) {
        out.push_str(&format!("。\n{rel} 已经是这些内容，不需要改动。\n"));
        print(&out)?;
        return Ok(Outcome::Clean);
    }
    match &text {
        Some(before) => {
            let replaced = plan.replaced.map(|n| format!("（替换原有的 {n} 项）")).unwrap_or_default();
            out.push_str(&format!("。\n{rel} 将改动如下{replaced}，- 删去，+ 加上：\n"));
            let diff = similar::TextDiff::from_lines(before.as_str(), new.as_str());
            out.push_str(&diff.unified_diff().context_radius(2).header(&rel, &format!("{rel}（导入后）")).to_string());
        }
        None => {
            out.push_str(&format!("。\n将新建 {rel}：\n"));
            out.push_str(&new);
        }
    }
    if !opts.write {
        out.push_str("\n这是预览，没有写入任何文件。确认无误后，加上 --write 再运行一次。\n");
        print(&out)?;
        return Ok(Outcome::Clean);
    }
    if let Some(bytes) = &old {
        let backup = backup_path(&path, jiff::Timestamp::now());
        std::fs::write(&backup, bytes).map_err(|e| Error::write(&backup, e))?;
        let name = backup.file_name().unwrap_or_default().to_string_lossy();
        out.push_str(&format!("\n原来的文件备份为 content/{}/{name}（隐藏文件，不会发布）。\n", unit.slug));
    }
    super::write_atomic(&path, &new_bytes)?;
    out.push_str(&format!("已写入 {rel}。运行 gongkai check 检查内容是否齐全。\n"));
    print(&out)?;
    Ok(Outcome::Clean)
}

/// `.fees.yaml.bak-20261127-153012` beside the file (a number added if taken): hidden, so the
/// loader neither publishes nor reports it.
fn backup_path(path: &Path, now: jiff::Timestamp) -> PathBuf {
    let stamp = jiff::tz::Offset::constant(8).to_datetime(now).strftime("%Y%m%d-%H%M%S").to_string();
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut candidate = dir.join(format!(".{name}.bak-{stamp}"));
    let mut n = 1;
    while candidate.exists() {
        n += 1;
        candidate = dir.join(format!(".{name}.bak-{stamp}-{n}"));
    }
    candidate
}

fn print(text: &str) -> Result<()> {
    std::io::stdout().lock().write_all(text.as_bytes()).map_err(|e| Error::write("<stdout>", e))
}

/// The format `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SheetFormat {
    /// One Excel workbook, a sheet per table.
    Xlsx,
    /// One CSV file per table (UTF-8 with BOM).
    Csv,
}

/// Options of `gongkai export`.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The site root.
    pub site: PathBuf,
    /// xlsx or CSV.
    pub format: SheetFormat,
    /// Only this unit (else every unit, with columns naming the unit).
    pub unit: Option<String>,
    /// Only this table (else all five).
    pub kind: Option<Kind>,
    /// Fill-in sheets (headers only) instead of data.
    pub blank: bool,
    /// The folder to write into.
    pub out: PathBuf,
}

/// `gongkai export`: the tables of a unit, of every unit, or blank fill-in sheets.
pub fn export(opts: &ExportOptions) -> Result<Outcome> {
    let kinds: Vec<Kind> = opts.kind.map_or_else(|| Kind::ALL.to_vec(), |k| vec![k]);
    let (tables, base): (Vec<export::Table>, String) = if opts.blank {
        let (schema, packs, sector) = match &opts.unit {
            Some(u) => {
                let site = load::load_site(
                    &opts.site,
                    &LoadOptions { unit: Some(u.clone()), today: None, ..Default::default() },
                )?;
                let sector = site.units.first().and_then(|d| site.load_unit(d).sector);
                (site.schema, site.packs, sector)
            }
            None => {
                let (schema, packs) = load::packs_for(&opts.site)?;
                (schema, packs, None)
            }
        };
        let tables = kinds.iter().map(|&k| export::blank(k, &schema, &packs, sector.as_deref())).collect();
        (tables, "blank".to_string())
    } else {
        let site =
            load::load_site(&opts.site, &LoadOptions { unit: opts.unit.clone(), today: None, ..Default::default() })?;
        let every = opts.unit.is_none();
        let mut collect: Vec<export::Collect> = kinds.iter().map(|&k| export::Collect::new(k, every)).collect();
        for dir in &site.units {
            let unit = site.load_unit(dir);
            collect.iter_mut().for_each(|c| c.add(&unit, &site.schema));
        }
        let tables = collect.into_iter().map(|c| c.finish(&site.schema, &site.packs)).collect();
        (tables, opts.unit.clone().unwrap_or_else(|| "all-units".into()))
    };
    let base = match opts.kind {
        Some(k) if opts.format == SheetFormat::Xlsx => format!("{base}-{}", k.name()),
        _ => base,
    };
    let files: Vec<(String, Vec<u8>)> = match opts.format {
        SheetFormat::Xlsx => vec![(
            format!("{base}.xlsx"),
            export::xlsx(&tables).map_err(|e| Error::Usage(format!("无法生成 xlsx：{e}")))?,
        )],
        SheetFormat::Csv => tables.iter().map(|t| (format!("{base}-{}.csv", t.kind.name()), export::csv(t))).collect(),
    };
    std::fs::create_dir_all(&opts.out).map_err(|e| Error::write(&opts.out, e))?;
    let mut out = String::new();
    let mut fresh = Vec::new();
    for (name, bytes) in &files {
        let path = opts.out.join(name);
        match std::fs::read(&path) {
            Ok(old) if old == *bytes => out.push_str(&format!("{} 没有变化。\n", path.display())),
            Ok(_) => {
                return Err(Error::Output {
                    path,
                    reason: "已经有这个文件（可能是填写过的表格），没有覆盖，也没有写入其他文件".into(),
                    help: "把它移走或改名，或用 -o 指定另一个文件夹".into(),
                });
            }
            Err(_) => fresh.push((path, bytes)),
        }
    }
    for (path, bytes) in fresh {
        super::write_atomic(&path, bytes)?;
        out.push_str(&format!("已写入 {}\n", path.display()));
    }
    for t in &tables {
        let rows = if opts.blank { String::new() } else { format!("，{} 行", t.rows.len()) };
        out.push_str(&format!("  {}（{}）：{} 列{rows}\n", t.title, t.kind.name(), t.headers.len()));
    }
    print(&out)?;
    Ok(Outcome::Clean)
}
