//! The theme: Tera 2 templates and static files. The default theme is embedded in the binary; a
//! site's `themes/<name>/` replaces any template or static file by its path and may add more.

use std::collections::BTreeMap;
use std::path::Path;

use tera::{Context, Tera};

use crate::error::{Error, Result};

/// The default theme, as (path inside the theme, bytes): every file under `themes/default/`,
/// listed by `build.rs`.
pub(crate) const DEFAULT: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// Templates ready to render, and the static files to copy.
pub(crate) struct Theme {
    tera: Tera,
    /// Static files by path under `static/`, sorted.
    pub statics: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The embedded default theme, with `SITE/themes/<name>/` laid over it.
    pub(crate) fn load(root: &Path, name: &str) -> Result<Theme> {
        let mut files: BTreeMap<String, Vec<u8>> = DEFAULT.iter().map(|(p, b)| (p.to_string(), b.to_vec())).collect();
        let plain = !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\', ':']);
        if !plain {
            return Err(Error::Theme(format!("主题名「{name}」应是 themes/ 下一个文件夹的名字，不能含有路径")));
        }
        let dir = root.join("themes").join(name);
        if dir.is_dir() && crate::input::inside(root, &dir) != crate::input::Place::Folder {
            return Err(Error::Theme(format!(
                "themes/{name} 是指向站点之外的符号链接；gongkai 只发布站点目录里的文件"
            )));
        }
        if dir.is_dir() {
            for entry in walkdir::WalkDir::new(&dir).sort_by_file_name().follow_links(false) {
                let entry = entry.map_err(|e| Error::Theme(format!("{}: {e}", dir.display())))?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry.path().strip_prefix(&dir).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
                let bytes = crate::input::read_regular(entry.path(), crate::load::MAX_ATTACHMENT_BYTES)
                    .map_err(|e| Error::io(entry.path(), e))?;
                files.insert(rel, bytes);
            }
        } else if name != "default" {
            return Err(Error::Theme(format!("没有找到主题 themes/{name}/")));
        }
        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".xml"]);
        tera.set_escape_fn(escape_html);
        // `{{ x | contact }}`: phone numbers and e-mail addresses as tel:/mailto: links
        tera.register_filter("contact", |text: &str, _: tera::Kwargs, _: &tera::State| {
            tera::Value::safe_string(&super::contact::linked(text))
        });
        let mut templates = Vec::new();
        let mut statics = BTreeMap::new();
        for (path, bytes) in files {
            if let Some(name) = path.strip_prefix("templates/") {
                let text = String::from_utf8(bytes)
                    .map_err(|_| Error::Theme(format!("themes/{name}: 模板不是 UTF-8 编码")))?;
                templates.push((name.to_string(), text));
            } else if let Some(name) = path.strip_prefix("static/") {
                statics.insert(name.to_string(), bytes);
            }
        }
        tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| Error::Theme(tera_error(&e)))?;
        Ok(Theme { tera, statics })
    }

    pub(crate) fn render(&self, template: &str, context: &Context) -> Result<String> {
        self.tera.render(template, context).map_err(|e| Error::Theme(tera_error(&e)))
    }

    /// The theme has a template of this name.
    #[cfg(test)]
    pub(crate) fn has_template(&self, name: &str) -> bool {
        self.tera.get_template_names().any(|n| n == name)
    }

    /// Render a template from its typed view: the view's fields are the template's variables.
    pub(crate) fn render_view(&self, template: &str, view: &impl serde::Serialize) -> Result<String> {
        let context = Context::from_serialize(view).map_err(|e| Error::Theme(tera_error(&e)))?;
        self.render(template, &context)
    }
}

/// Tera's escaping of a value (the same five characters, the same entities), written in runs
/// between the characters to escape instead of one `write_all` per byte: Tera's own was a few
/// per cent of a build's CPU time, every value of every page going through it.
fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = input.as_bytes();
    let mut from = 0;
    for (i, b) in bytes.iter().enumerate() {
        let entity: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[from..i])?;
        out.write_all(entity)?;
        from = i + 1;
    }
    out.write_all(&bytes[from..])
}

/// Tera's error with its causes, on one line each.
fn tera_error(e: &tera::Error) -> String {
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        s.push_str(&format!("\n  原因: {cause}"));
        source = cause.source();
    }
    s
}

#[cfg(test)]
mod tests {
    /// The same bytes as Tera's own escaping, whatever the text.
    #[test]
    fn escaping_is_teras() {
        for text in ["", "plain", "<a href=\"x\">'&'</a>", "&&", "停水<通知>", "末尾&", "\"开头", "a'b\"c<d>e&f"]
        {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            super::escape_html(text, &mut ours).unwrap();
            tera::escape_html(text, &mut theirs).unwrap();
            assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(theirs).unwrap(), "{text}");
        }
    }
}
