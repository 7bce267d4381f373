//! `gongkai schema`: write the editors' JSON Schemas of a site (see `editor_schema`).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Outcome;
use crate::editor_schema::{self, MARK};
use crate::error::{Error, Result};
use crate::load;

/// Options of `gongkai schema`.
#[derive(Debug, Clone)]
pub struct SchemaOptions {
    /// The site root.
    pub site: PathBuf,
    /// Where to write (default `SITE/.gongkai/schema`).
    pub out: Option<PathBuf>,
}

/// `gongkai schema`: the schemas of the content model and the site's packs, written into a
/// folder; a file there that gongkai did not write is never replaced.
pub fn schema(opts: &SchemaOptions) -> Result<Outcome> {
    let (schema, packs) = load::packs_for(&opts.site)?;
    let dir = opts.out.clone().unwrap_or_else(|| opts.site.join(editor_schema::DIR));
    let content = opts.site.join("content");
    let inside_content = |p: &Path| match (std::path::absolute(p), std::path::absolute(&content)) {
        (Ok(p), Ok(c)) => p.starts_with(c),
        _ => false,
    };
    if inside_content(&dir) {
        return Err(Error::Usage(format!(
            "{} 在 content/ 里面，其中的文件会被当作附件发布；请换一个文件夹，或不写 --out（默认 {}）",
            dir.display(),
            editor_schema::DIR
        )));
    }
    let files = editor_schema::files(&schema, &packs);
    let written = write_schemas(&dir, &files, false)?;
    let mut msg = format!("{} 中有 {} 个 JSON Schema（", dir.display(), files.len());
    msg.push_str(&if written.is_empty() {
        "都已是最新，没有改动".to_string()
    } else {
        format!("写入了 {} 个", written.len())
    });
    msg.push_str("）：\n");
    for (name, _) in &files {
        msg.push_str(&format!("  {name}\n"));
    }
    msg.push_str(&format!(
        "在 YAML 文件第一行写上「# yaml-language-server: $schema=<到 {} 的相对路径>」，\n\
         或在 .vscode/settings.json 的 yaml.schemas 中对应文件，编辑器（VS Code 的 YAML 扩展等）即可补全字段、提示错误。\n",
        editor_schema::DIR
    ));
    std::io::stdout().lock().write_all(msg.as_bytes()).map_err(|e| Error::write("<stdout>", e))?;
    Ok(Outcome::Clean)
}

/// Write the schema `files` into `dir`; with `only_missing`, leave every existing file alone.
/// A file that is already the same is not rewritten; one gongkai did not write (without its
/// mark) is refused before anything is written. Returns the files written.
pub(crate) fn write_schemas(dir: &Path, files: &[(String, String)], only_missing: bool) -> Result<Vec<PathBuf>> {
    let mut todo = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(_) if only_missing => {}
            Ok(old) if old == *text => {}
            Ok(old) if old.contains(MARK) => todo.push((path, text)),
            Ok(_) => {
                return Err(Error::Usage(format!(
                    "{} 不是 gongkai 生成的文件，不会覆盖；请移走它，或用 --out 换一个文件夹",
                    path.display()
                )));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => todo.push((path, text)),
            Err(e) => return Err(Error::Io { path, source: e }),
        }
    }
    if !todo.is_empty() {
        std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    }
    let mut written = Vec::with_capacity(todo.len());
    for (path, text) in todo {
        super::write_atomic(&path, text.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}
