//! `gongkai init`: scaffolds a clerk fills in.
//!
//! Generated from the content model and the rule packs that apply to the unit's sector, so a pack
//! that adds an item also adds it to the scaffold. Every required item gets a Chinese key, a
//! comment citing its clause, and the placeholder `待补充`, which `check` reports until it is
//! replaced.

use std::fmt::Write;
use std::fs;
use std::path::{Path, PathBuf};

use crate::commands::Outcome;
use crate::editor_schema;
use crate::error::{Error, Result};
use crate::load;
use crate::pack::{Check, Pack, Requirement, Rule, Shape};
use crate::schema::{DocSpec, FieldDef, Schema, SectorDef};

const PLACEHOLDER: &str = "待补充";

/// Scaffold `dir`: a new unit if `dir` is `SITE/content/NAME`, otherwise a new site at `dir` with
/// one unit `content/my-unit`. Into a unit that already exists, only the files it lacks are added;
/// an existing file is never opened for writing.
///
/// `sector` is any word the content model accepts for a sector (`学校`, `幼儿园`, `school`); without
/// it, the unit's own `行业` in an existing `unit.yaml`, else 其他.
pub fn run(dir: &Path, sector: Option<&str>) -> Result<Outcome> {
    let (site_root, unit_dir, new_site) = match site_of_unit_dir(dir) {
        Some(root) => (root, dir.to_path_buf(), false),
        None => (dir.to_path_buf(), dir.join("content").join("my-unit"), true),
    };
    if new_site && let Some(content) = dir.parent().filter(|p| p.file_name().is_some_and(|n| n == "content")) {
        // `init 站点/content/X` where 站点 is no site yet: a new site at that path would nest a
        // second `content/my-unit` inside the unit folder the clerk meant
        let site = content.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        return Err(Error::Usage(format!(
            "{} 不存在，{} 不在任何站点里。先运行 gongkai init {} 新建站点，再运行 gongkai init {} 新建这个单位",
            content.display(),
            dir.display(),
            site.display(),
            dir.display()
        )));
    }
    if new_site && dir.join("content").exists() {
        return Err(Error::Usage(format!(
            "{} 已经是一个站点；要新建单位或给单位补上缺少的文件，请运行 gongkai init {}",
            dir.display(),
            dir.join("content").join("单位文件夹名").display()
        )));
    }
    let (schema, packs) = load::packs_for(&site_root)?;
    let sector = match sector {
        Some(written) => schema.sector(written).ok_or_else(|| unknown_sector(&schema, written))?,
        None => existing_sector(&schema, &unit_dir).unwrap_or_else(|| generic(&schema)),
    };
    let existing: Vec<String> = existing_files(&unit_dir);
    let has = |spec: &DocSpec| existing.iter().any(|rel| spec.matches(rel));
    let (files, kept): (Vec<_>, Vec<_>) = scaffold(&schema, &packs, &sector.key)
        .into_iter()
        .partition(|(rel, _)| !schema.doc_for_path(rel).is_some_and(has));

    let mut created: Vec<PathBuf> = Vec::new();
    if new_site {
        let config = site_root.join(load::CONFIG_FILE);
        write_new(&config, &site_config(&packs))?;
        created.push(config);
    }
    for (rel, text) in files {
        let path = unit_dir.join(&rel);
        write_new(&path, &text)?;
        created.push(path);
    }
    // the editors' schemas the modelines point to, and VS Code's mapping for a new site; files
    // already there are left as they are (`gongkai schema` brings them up to date)
    let schema_dir = site_root.join(editor_schema::DIR);
    let schemas = crate::commands::write_schemas(&schema_dir, &editor_schema::files(&schema, &packs), true)?;
    let settings = site_root.join(".vscode").join("settings.json");
    if new_site && !settings.exists() {
        write_new(&settings, &editor_schema::vscode_settings(&schema))?;
        created.push(settings);
    }
    let attachments = unit_dir.join("attachments");
    fs::create_dir_all(&attachments).map_err(|e| Error::write(&attachments, e))?;

    let mut msg = String::new();
    let what =
        if new_site { format!("站点 {}", site_root.display()) } else { format!("单位 {}", unit_dir.display()) };
    if created.is_empty() {
        let _ = writeln!(msg, "{what} 的文件都已齐全，没有添加任何文件，原有文件均未改动。");
    } else {
        let _ = writeln!(msg, "已{}{what}：", if kept.is_empty() { "创建" } else { "补上" });
        for p in &created {
            let _ = writeln!(msg, "  {}", p.display());
        }
        if !kept.is_empty() {
            let _ = writeln!(msg, "原有的文件没有改动（已有的不会覆盖）。");
        }
    }
    if !schemas.is_empty() {
        let _ = writeln!(
            msg,
            "编辑器用的 JSON Schema（{} 个）写在 {}：VS Code 装上 YAML 扩展，即可补全字段、提示写错的地方。",
            schemas.len(),
            schema_dir.display()
        );
    }
    let slug = unit_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let _ = writeln!(
        msg,
        "\n行业：{}。\n单位文件夹名「{slug}」就是这个单位在网站上的地址（网站地址/{slug}/）。要换一个地址，\n把文件夹 {} 改名即可，例如改成单位简称的拼音 qingyuan-water（只用字母、数字、汉字和连字符）。",
        sector.zh,
        unit_dir.display()
    );
    let _ = writeln!(
        msg,
        "\n下一步：把每个文件里的「{PLACEHOLDER}」换成实际内容（申请表样表放进 attachments/），\n然后运行 gongkai check {} 查看还缺哪些项目。",
        site_root.display()
    );
    print!("{msg}");
    Ok(Outcome::Clean)
}

fn generic(schema: &Schema) -> &SectorDef {
    schema.sector("generic").or(schema.sectors.last()).expect("the built-in content model has sectors")
}

fn unknown_sector(schema: &Schema, written: &str) -> Error {
    let guess = match schema.sector_guess(written) {
        Some((s, word)) if word == s.zh => format!("是不是「{}」？", s.zh),
        Some((s, word)) => format!("是不是「{}」（{word}）？", s.zh),
        None => String::new(),
    };
    Error::Usage(format!("不认识的行业「{written}」。{guess}\n可以写：{}", schema.sector_list()))
}

/// The sector an existing unit's `unit.yaml` names.
fn existing_sector<'a>(schema: &'a Schema, unit_dir: &Path) -> Option<&'a SectorDef> {
    let spec = schema.doc("unit")?;
    let def = spec.fields.iter().find(|f| f.key == "sector")?;
    let text = ["unit.yaml", "unit.yml"].iter().find_map(|f| fs::read_to_string(unit_dir.join(f)).ok())?;
    let node = crate::yaml::parse(text.trim_start_matches('\u{feff}')).ok()?;
    let written = node.as_map()?.iter().find(|e| def.accepts(&e.written))?.value.as_text()?.to_string();
    schema.sector(&written)
}

/// Paths (inside the unit folder, `/`-separated) of the files a unit folder already has.
fn existing_files(unit_dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(unit_dir)
        .min_depth(1)
        .max_depth(2)
        .into_iter()
        .filter_map(std::result::Result::ok)
        .filter_map(|e| Some(e.path().strip_prefix(unit_dir).ok()?.to_str()?.replace('\\', "/")))
        .collect()
}

/// `SITE` if `dir` is `SITE/content/NAME` and `SITE/content` exists.
fn site_of_unit_dir(dir: &Path) -> Option<PathBuf> {
    let parent = dir.parent()?;
    let is_content = parent.file_name().is_some_and(|n| n == "content") && parent.is_dir();
    is_content.then(|| parent.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf))
}

/// Write a file that does not exist yet; never opens an existing one.
fn write_new(path: &Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
    }
    let mut file = fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(|e| Error::write(path, e))?;
    file.write_all(text.as_bytes()).map_err(|e| Error::write(path, e))
}

fn site_config(packs: &[Pack]) -> String {
    let ids: Vec<&str> = packs.iter().map(|p| p.id.as_str()).collect();
    format!(
        "{}# gongkai 站点配置。所有项都可省略。\n\
         # 站点名称\n\
         title: {PLACEHOLDER}\n\
         # 网站发布后的地址（用于二维码和订阅链接），例如 https://gk.example.gov.cn/\n\
         # base_url: https://gk.example.gov.cn/\n\
         # 适用的规则包\n\
         packs: [{}]\n",
        editor_schema::modeline(load::CONFIG_FILE, editor_schema::CONFIG_FILE),
        ids.join(", ")
    )
}

/// The files of a new unit: (path inside the unit folder, text).
pub fn scaffold(schema: &Schema, packs: &[Pack], sector: &str) -> Vec<(String, String)> {
    let rules = crate::check::applicable_to(Some(sector), packs);
    let mut files = Vec::new();
    for spec in &schema.documents {
        let mine: Vec<&(&Pack, &Rule)> = rules.iter().filter(|(_, r)| r.kind() == Some(spec.kind.as_str())).collect();
        if mine.is_empty() && spec.kind != "unit" {
            continue;
        }
        let header = mine.first().map(|(p, _)| format!("《{}》", p.title)).unwrap_or_default();
        if !spec.is_collection() {
            let mut yaml = String::new();
            write_fields(&mut yaml, spec, &spec.fields, &required(spec, &mine), Level::TOP, (schema, sector, &header));
            files.push((
                spec.file.clone(),
                format!("# {}{header}{}\n# 把每个「{PLACEHOLDER}」换成实际内容。\n{yaml}", spec.title, spec.clause),
            ));
            continue;
        }
        // One document for the rules on every document of the folder, and one more for each kind
        // of document a `where` rule asks for (a hospital's 健康科普, a university's 工作计划), so
        // that every required item has a place to be filled in.
        let general: Vec<&(&Pack, &Rule)> = mine.iter().copied().filter(|(_, r)| r.filter.is_empty()).collect();
        let item = spec.item.as_deref().unwrap_or("事项");
        let mut kinds: Vec<(&str, &str, &Rule)> = Vec::new();
        for (_, rule) in &mine {
            // documents that must exist: a list with a minimum, or a periodic report
            let wanted = match &rule.check {
                Check::Item(q) => q.min > 0,
                Check::Cadence { .. } => true,
                _ => false,
            };
            if let (true, Some((key, values))) = (wanted, rule.filter.first())
                && let Some(value) = values.first()
                && !kinds.iter().any(|(k, v, _)| k == key && v == value)
            {
                kinds.push((key, value, rule));
            }
        }
        // the general document, unless every rule on the folder asks for a kind of its own (the
        // 公开制度's 保密审查制度): a blank extra document would only be a placeholder to delete
        if !general.is_empty() || kinds.is_empty() {
            let text = collection_doc(spec, &header, item, None, &general, schema, sector);
            files.push((format!("{}{item}1.md", spec.file), text));
        }
        for (key, value, why) in kinds {
            let picked: Vec<&(&Pack, &Rule)> = mine
                .iter()
                .copied()
                .filter(|(_, r)| {
                    r.filter.is_empty() || r.filter.iter().any(|(k, vs)| k == key && vs.iter().any(|v| v == value))
                })
                .collect();
            let text = collection_doc(spec, &header, item, Some((key, value, why)), &picked, schema, sector);
            files.push((format!("{}{value}1.md", spec.file), text));
        }
    }
    // a unit that must publish a 年度报告 also keeps the request figures it is made from
    if files.iter().any(|(name, _)| name.starts_with("reports/"))
        && let Some(spec) = schema.doc("requests")
    {
        files.push((format!("{}{}1.yaml", spec.file, spec.item.as_deref().unwrap_or("年度统计")), requests_doc(spec)));
    }
    // each YAML file names its editors' schema (a relative path, from `content/<unit>/…`)
    for (rel, text) in &mut files {
        if let Some(spec) = schema.doc_for_path(rel).filter(|_| rel.ends_with(".yaml")) {
            let line = editor_schema::modeline(&format!("content/unit/{rel}"), &editor_schema::file_name(spec));
            text.insert_str(0, &line);
        }
    }
    files
}

/// The six section headings of the national template, each to be written under.
fn report_body() -> String {
    crate::annual::SECTIONS
        .iter()
        .zip(crate::annual::NUMERALS)
        .map(|(s, n)| format!("## {n}、{}\n\n{PLACEHOLDER}：在这里写本年度的情况。\n\n", s.heading))
        .collect()
}

/// The request figures of a 年度 (`requests/`): every count to fill in.
fn requests_doc(spec: &DocSpec) -> String {
    let mut text = format!(
        "# {}（{}），年度报告「收到和处理申请情况」一节的数字；每个年度一个文件，例如 requests/2025.yaml。\n\
         # 件数写阿拉伯数字，没有的写 0：新收申请数量 + 上年结转 = 各项办理结果之和 + 结转下年度继续办理。\n",
        spec.title, spec.clause
    );
    let keys = std::iter::once("year").chain(crate::annual::figures().map(|(k, _)| k)).chain(["note"]);
    for f in keys.filter_map(|k| spec.field(k)) {
        match f.key.as_str() {
            "note" => {
                let _ = writeln!(text, "# {}: （{}）", f.zh, f.hint.as_deref().unwrap_or_default());
            }
            _ => {
                let _ = writeln!(text, "{}: {PLACEHOLDER}", f.zh);
            }
        }
    }
    text
}

/// A Markdown document of a folder: front matter with the required fields, then the body.
fn collection_doc(
    spec: &DocSpec,
    header: &str,
    item: &str,
    kind: Option<(&str, &str, &Rule)>,
    rules: &[&(&Pack, &Rule)],
    schema: &Schema,
    sector: &str,
) -> String {
    let mut yaml = String::new();
    if let Some((key, value, why)) = kind {
        let zh = spec.fields.iter().find(|f| f.key == key).map_or(key, |f| f.zh.as_str());
        let _ = writeln!(
            yaml,
            "\n# {} {}：这一类{item}必须公开，请保留下面这一行\n{zh}: {value}",
            cite(header, why),
            why.title
        );
    }
    write_fields(&mut yaml, spec, &spec.fields, &required(spec, rules), Level::TOP, (schema, sector, header));
    let body_required =
        rules.iter().any(|(_, r)| r.check.item().is_some_and(|q| q.each.iter().any(|(k, _)| k == "body")));
    let body = if spec.kind == "reports" {
        report_body()
    } else if body_required {
        format!("{PLACEHOLDER}：在这里写正文。\n")
    } else {
        "（可在这里写办事须知等说明，没有可删除这一行）\n".to_string()
    };
    format!(
        "---\n# {}{header}{}。每个{item}一个 .md 文件，复制本文件后修改。\n{yaml}---\n{body}",
        spec.title, spec.clause
    )
}

/// Which fields (and sub-fields) of a document the rules require, with the citing rule.
fn required<'a>(spec: &DocSpec, rules: &[&(&'a Pack, &'a Rule)]) -> Vec<(String, &'a Rule, Requirement)> {
    let mut out: Vec<(String, &Rule, Requirement)> = Vec::new();
    for (_, rule) in rules {
        let Some(require) = rule.check.item() else { continue };
        let mut add = |path: String, req: &Requirement| {
            if !out.iter().any(|(p, _, _)| *p == path) {
                out.push((path, rule, req.clone()));
            }
        };
        match &rule.field {
            Some(f) => {
                add(f.clone(), require);
                nested(f, require, &mut add);
            }
            None if spec.is_collection() => nested("", require, &mut add),
            None => {}
        }
    }
    out
}

fn nested(prefix: &str, req: &Requirement, add: &mut impl FnMut(String, &Requirement)) {
    for (k, sub) in &req.each {
        let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        add(path.clone(), sub);
        nested(&path, sub, add);
    }
}

/// A rule's citation in a scaffold: the article alone under a header that names its measure,
/// else with the measure (a hospital's unit.yaml cites the baseline and the health measure).
fn cite<'a>(header: &str, rule: &'a Rule) -> &'a str {
    if !header.is_empty() && rule.cited.starts_with(header) { &rule.citation } else { &rule.cited }
}

/// What every level of a scaffold needs: the content model, the unit's sector, and the file's
/// header (`《…》`, the measure its comments cite without naming it).
type Scaffolding<'a> = (&'a Schema, &'a str, &'a str);

/// Where `write_fields` writes: the dotted path of the enclosing field, the nesting depth, and
/// whether the first field written opens a list entry (`- `).
#[derive(Clone, Copy)]
struct Level<'a> {
    prefix: &'a str,
    depth: usize,
    first_in_entry: bool,
}

impl Level<'_> {
    /// The document's top level.
    const TOP: Level<'static> = Level { prefix: "", depth: 0, first_in_entry: true };
}

fn write_fields(
    out: &mut String,
    spec: &DocSpec,
    fields: &[FieldDef],
    req: &[(String, &Rule, Requirement)],
    Level { prefix, depth, first_in_entry }: Level<'_>,
    (schema, sector, header): Scaffolding<'_>,
) {
    // list entries: "  - first: …" then "    next: …", four more columns per level
    let indent = " ".repeat(4 * depth);
    let mut first = first_in_entry;
    for f in fields {
        let path = if prefix.is_empty() { f.key.clone() } else { format!("{prefix}.{}", f.key) };
        let rule = req.iter().find(|(p, _, _)| *p == path);
        let is_sector = f.key == "sector" && prefix.is_empty() && spec.kind == "unit";
        if rule.is_none() && !is_sector {
            continue;
        }
        // the first key of a list entry follows "- " on the same line
        let lead = if depth > 0 && first { format!("{}- ", " ".repeat(4 * depth - 2)) } else { indent.clone() };
        first = false;
        if depth == 0 {
            let cite = rule.map(|(_, r, _)| format!("{} ", cite(header, r))).unwrap_or_default();
            let hint = f.hint.as_deref().map(|h| format!("：{h}")).unwrap_or_default();
            let _ = writeln!(out, "\n# {cite}{}{hint}", f.zh);
        }
        if is_sector {
            let _ = writeln!(out, "# 可以写下面任何一个词（括号里的词也可以）：");
            for line in schema.sector_lines() {
                let _ = writeln!(out, "#   {line}");
            }
            let zh = schema.sector(sector).map_or("其他", |s| s.zh.as_str());
            let _ = writeln!(out, "{lead}{}: {zh}", f.zh);
            continue;
        }
        let Some((_, _, r)) = rule else { continue };
        if r.shape == Shape::List && !f.fields.is_empty() {
            let _ = writeln!(out, "{lead}{}:", f.zh);
            let level = Level { prefix: &path, depth: depth + 1, first_in_entry: true };
            write_fields(out, spec, &f.fields, req, level, (schema, sector, header));
        } else {
            let _ = writeln!(out, "{lead}{}: {PLACEHOLDER}", f.zh);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaffold_files_parse_and_use_chinese_keys() {
        let (schema, packs) = load::packs_for(Path::new("/nonexistent")).unwrap();
        let files = scaffold(&schema, &packs, "school");
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "unit.yaml",
                "services/事项1.md",
                "fees.yaml",
                "commitments.yaml",
                "notices/通知1.md",
                "supervision.yaml",
                "policies/保密审查制度1.md",
                "reports/年度报告1.md",
                "requests/年度统计1.yaml"
            ]
        );
        let unit = &files[0].1;
        assert!(unit.contains("\n# 第五条第(一)项 单位名称：单位全称，与公章一致\n单位名称: 待补充\n"), "{unit}");
        assert!(unit.contains("行业: 学校"));
        assert!(unit.contains("窗口单位领导:\n  - 姓名: 待补充\n    职务: 待补充\n    工作分工: 待补充\n"), "{unit}");
        let service = &files[1].1;
        assert!(service.contains("示范文本:\n  - 名称: 待补充\n    文件: 待补充\n"), "{service}");
        for (name, text) in &files {
            let yaml = if name.ends_with(".md") { text.split("---\n").nth(1).unwrap() } else { text };
            crate::yaml::parse(yaml).unwrap_or_else(|e| panic!("{name}: {e:?}\n{yaml}"));
        }
    }
}
