//! JSON Schemas for editors: one per kind of content file, one for `gongkai.yaml`, one for rule
//! packs, generated from the content model and the packs a site applies (`gongkai schema`).
//!
//! Sits beside `init`, above `schema`, `pack` and `config`, which it only reads; pure (the command
//! writes the files). An editor with a YAML language server (VS Code's YAML extension, or any
//! editor using Red Hat's `yaml-language-server`) then completes keys in Chinese and English,
//! offers the closed sets (行业, 状态), and underlines a misspelt key or a list where one text
//! belongs as it is typed. Output is deterministic: sorted keys, no dates.

mod content;
mod site;

use crate::pack::Pack;
use crate::schema::{DocSpec, Schema};

/// Where the schemas go in a site, by default (and where `init`'s modelines point).
pub const DIR: &str = ".gongkai/schema";

/// The schema of `gongkai.yaml`.
pub const CONFIG_FILE: &str = "gongkai.schema.json";

/// The schema of a rule pack.
pub const PACK_FILE: &str = "pack.schema.json";

/// What every schema we write says in its title: a file without it was not made by gongkai.
pub const MARK: &str = "\"title\": \"gongkai：";

/// The schema file of a kind of content file (`fees.schema.json`).
pub fn file_name(spec: &DocSpec) -> String {
    format!("{}.schema.json", spec.kind)
}

/// Every schema file: (file name, JSON text), sorted by name.
pub fn files(schema: &Schema, packs: &[Pack]) -> Vec<(String, String)> {
    let mut out: Vec<(String, serde_json::Value)> = schema
        .documents
        .iter()
        .map(|spec| (file_name(spec), content::document(schema, packs, spec)))
        .chain([(CONFIG_FILE.to_string(), site::config(schema, packs)), (PACK_FILE.to_string(), site::pack(schema))])
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out.into_iter()
        .map(|(name, value)| {
            let mut text = serde_json::to_string_pretty(&value).expect("a JSON value serialises");
            text.push('\n');
            (name, text)
        })
        .collect()
}

/// The first line of a YAML file that tells `yaml-language-server` its schema; `rel` is the
/// file's path in the site (`content/water/fees.yaml`), `schema` the schema's file name.
pub fn modeline(rel: &str, schema: &str) -> String {
    let up = "../".repeat(rel.matches('/').count());
    format!("# yaml-language-server: $schema={up}{DIR}/{schema}\n")
}

/// `.vscode/settings.json` for a site: which schema each YAML file of the site follows, for the
/// files that have no modeline (those written later by hand). VS Code's YAML extension reads no
/// Markdown front matter: the Markdown documents' schemas serve other tools.
pub fn vscode_settings(schema: &Schema) -> String {
    let mut map = serde_json::Map::new();
    let mut put = |file: String, globs: Vec<String>| {
        map.insert(format!("./{DIR}/{file}"), serde_json::json!(globs));
    };
    put(CONFIG_FILE.to_string(), vec!["gongkai.yaml".into(), "gongkai.yml".into()]);
    put(PACK_FILE.to_string(), vec!["rules/*.yaml".into(), "rules/*.yml".into()]);
    for spec in schema.documents.iter().filter(|d| !d.has_pages()) {
        let globs = if spec.is_collection() {
            vec![format!("content/*/{}*.yaml", spec.file), format!("content/*/{}*.yml", spec.file)]
        } else {
            vec![format!("content/*/{}", spec.file), format!("content/*/{}", spec.file.replace(".yaml", ".yml"))]
        };
        put(file_name(spec), globs);
    }
    let settings = serde_json::json!({ "yaml.schemas": map });
    let mut text = serde_json::to_string_pretty(&settings).expect("a JSON value serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests;
