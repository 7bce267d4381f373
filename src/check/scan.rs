//! The 第六条 scan of everything a unit publishes: each document's file name, YAML values and
//! Markdown body (rendered, and as written, since open data publishes the source), each
//! attachment's name and the text `load` extracted from it. The hits go to `review`, which
//! turns them into findings unless the content acknowledges them.
//!
//! Inside `check`, below `review`; it runs `privacy`'s pure scans over the loaded unit and reads
//! no file.

use crate::extract::Reading;
use crate::model::{AttachmentText, Doc, Unit};
use crate::privacy::{self, Located};
use crate::schema::Schema;

/// The hits in what every page shows of the site itself: its title and the footer's values
/// (`gongkai.yaml`).
pub(super) fn site(config: &crate::config::Config) -> Vec<Located> {
    let title = config.title.as_deref().map(|t| ("站点名称", t));
    let mut out = Vec::new();
    for (field, text) in title.into_iter().chain(config.footer.values()) {
        out.extend(privacy::scan(text, privacy::Context::default()).into_iter().map(|hit| Located {
            rule: hit.rule,
            text: hit.text,
            file: crate::load::CONFIG_FILE.to_string(),
            pos: None,
            field: Some(field.to_string()),
        }));
    }
    out
}

/// Every privacy hit of a unit: its documents in order, its drafts (never published, but
/// better told now than when one is published), then its attachments in order.
pub(super) fn unit(unit: &Unit, schema: &Schema) -> Vec<Located> {
    let mut out = Vec::new();
    for doc in unit.docs.iter().chain(&unit.drafts) {
        document(doc, schema, &mut out);
    }
    for text in &unit.texts {
        attachment(text, &mut out);
    }
    out
}

/// The hits of one document: its file name, its YAML values, its Markdown body.
fn document(doc: &Doc, schema: &Schema, out: &mut Vec<Located>) {
    let start = out.len();
    // a page's file name is published too: in its address, the lists, the feeds and open data
    out.extend(privacy::scan(&doc.path, privacy::Context::default()).into_iter().map(|hit| Located {
        rule: hit.rule,
        text: hit.text,
        file: doc.path.clone(),
        pos: None,
        field: Some("文件名".into()),
    }));
    let Some(source) = &doc.source else { return };
    let tree = doc.data.as_ref().or(source.stray.as_ref());
    if let (Some(node), Some(spec)) = (tree, schema.doc(&doc.kind)) {
        let index = privacy::LineIndex::with_offset(&source.yaml, source.line_offset);
        privacy::scan_tree(node, &spec.fields, &index, &doc.path, out);
    }
    if let Some(body) = &doc.body {
        privacy::scan_markdown(&body.text, body.line, &doc.path, out);
        // open data publishes the Markdown source as written, comments and unused link
        // definitions included: what only the source holds is a hit too
        let mut raw = Vec::new();
        privacy::scan_lines(&body.text, body.line, &doc.path, &mut raw);
        for hit in raw {
            let seen =
                out[start..].iter().any(|h| h.rule == hit.rule && h.pos.map(|p| p.line) == hit.pos.map(|p| p.line));
            if !seen {
                out.push(hit);
            }
        }
    }
}

/// The hits of one attachment: its name (published in its address), then its text.
pub fn attachment(text: &AttachmentText, out: &mut Vec<Located>) {
    out.extend(privacy::scan(&text.rel, privacy::Context::default()).into_iter().map(|hit| Located {
        rule: hit.rule,
        text: hit.text,
        file: text.file.clone(),
        pos: None,
        field: None,
    }));
    for part in &text.parts {
        match &part.reading {
            Reading::Lines => privacy::scan_lines(&part.text, 1, &text.file, out),
            // a Markdown attachment is published as a page: scan what its reader will see
            Reading::Markdown => privacy::scan_markdown(&part.text, 1, &text.file, out),
            // text with no lines of its own (a part of a package, a page of a PDF): hits name it
            Reading::Part(label) => {
                let start = out.len();
                privacy::scan_lines(&part.text, 1, &text.file, out);
                for hit in &mut out[start..] {
                    hit.pos = None;
                    hit.field = Some(label.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::load::unit_from_bytes;
    use crate::privacy::Rule;
    use crate::schema::Schema;

    /// What a one-file unit made of `text` (as document `kind`) gives the scan: (rule, line, field).
    fn scanned(kind: &str, text: &str) -> Vec<(Rule, Option<u32>, Option<String>)> {
        let schema = Schema::builtin();
        let spec = schema.doc(kind).unwrap().clone();
        let unit = unit_from_bytes(&schema, &spec, text.as_bytes());
        super::unit(&unit, &schema).into_iter().map(|h| (h.rule, h.pos.map(|p| p.line), h.field)).collect()
    }

    const ID: &str = "11010519491231002X";

    #[test]
    fn yaml_that_is_not_a_mapping_is_scanned_all_the_same() {
        // a list at the top is no document data, but its text is still read
        assert_eq!(scanned("fees", &format!("- 收费项目\n- {ID}\n")), [(Rule::IdNumber, Some(2), Some("[2]".into()))]);
        // a file that cannot be parsed has no source: nothing is placed in it
        assert_eq!(scanned("fees", &format!("a: [{ID}\n")), []);
    }

    #[test]
    fn markdown_source_adds_only_what_the_rendered_text_lacks() {
        let text = format!("---\n标题: 通知\n---\n正文 {ID}\n\n[未用]: https://example.cn/?id={ID}\n");
        let lines: Vec<Option<u32>> = scanned("notices", &text).into_iter().map(|(_, line, _)| line).collect();
        assert_eq!(lines, [Some(4), Some(6)], "an unused link definition is found in the source, the text once");
    }
}
