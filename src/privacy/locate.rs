//! Hits placed in their files: the scans `check` runs over each published YAML value, Markdown
//! body and plain text, with the line and column of each hit in the file.

use super::{Context, Hit, Reader, Rule, scan, scan_reader};

/// A hit placed in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// Which rule it breaks.
    pub rule: Rule,
    /// What the reader sees (see `Hit::text`).
    pub text: String,
    /// Site-relative file.
    pub file: String,
    /// Line and column in the file.
    pub pos: Option<crate::yaml::Pos>,
    /// The field it was found in, as written (`None` for Markdown text and file names).
    pub field: Option<String>,
}

/// Scan every published text value of a normalised document. Positions are found in `src`, the
/// file's text, so they point at the number itself even inside a multi-line value.
pub fn scan_tree(
    node: &crate::yaml::Node,
    fields: &[crate::schema::FieldDef],
    src: &LineIndex<'_>,
    file: &str,
    out: &mut Vec<Located>,
) {
    use crate::yaml::Value;
    fn walk(
        node: &crate::yaml::Node,
        def: Option<&crate::schema::FieldDef>,
        fields: &[crate::schema::FieldDef],
        path: &str,
        src: &LineIndex<'_>,
        file: &str,
        out: &mut Vec<Located>,
    ) {
        match &node.value {
            Value::Text(t) => {
                let cx = Context { contact_field: def.is_some_and(|d| d.contact) };
                for hit in scan(t, cx) {
                    // the hit as written in the value, found again in the file
                    let written = t.get(hit.start..hit.end).unwrap_or_default();
                    out.push(Located {
                        rule: hit.rule,
                        pos: Some(src.locate(node.pos, written)),
                        text: hit.text,
                        file: file.to_string(),
                        field: Some(path.to_string()),
                    });
                }
            }
            Value::List(items) => {
                let subs = def.map_or(fields, |d| &d.fields[..]);
                for (i, item) in items.iter().enumerate() {
                    walk(item, def, subs, &format!("{path}[{}]", i + 1), src, file, out);
                }
            }
            Value::Map(entries) => {
                for e in entries.iter().filter(|e| e.key != crate::schema::ACKNOWLEDGEMENTS) {
                    let d = fields.iter().find(|f| f.key == e.key);
                    let p = if path.is_empty() { e.written.clone() } else { format!("{path}.{}", e.written) };
                    walk(&e.value, d, d.map_or(&[][..], |d| &d.fields[..]), &p, src, file, out);
                }
            }
            Value::Null | Value::Bool(_) => {}
        }
    }
    walk(node, None, fields, "", src, file, out);
}

/// Scan plain text (a text attachment, text extracted from a document) whose first line is
/// `first_line` of `file`: normalised, not rendered.
pub fn scan_lines(text: &str, first_line: u32, file: &str, out: &mut Vec<Located>) {
    place(text, scan(text, Context::default()), first_line, file, out);
}

/// Scan a Markdown body whose first line is `first_line` of `file`: its rendered text, with
/// each hit placed at its line and column in the source.
pub fn scan_markdown(text: &str, first_line: u32, file: &str, out: &mut Vec<Located>) {
    let hits = scan_reader(&Reader::markdown(text), text, Context::default());
    place(text, hits, first_line, file, out);
}

fn place(text: &str, hits: Vec<Hit>, first_line: u32, file: &str, out: &mut Vec<Located>) {
    let index = LineIndex::new(text);
    for hit in hits {
        let p = index.pos_of(hit.start);
        out.push(Located {
            rule: hit.rule,
            text: hit.text,
            file: file.to_string(),
            pos: Some(crate::yaml::Pos::new(p.line + first_line - 1, p.col)),
            field: None,
        });
    }
}

/// Line starts of a text, for turning byte offsets into positions and back.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// Lines of the text before the first line of `text` (front matter below `---`).
    offset: u32,
}

impl<'a> LineIndex<'a> {
    /// An index of the lines of `text`, which starts at line 1.
    pub fn new(text: &'a str) -> Self {
        Self::with_offset(text, 0)
    }

    /// An index of the lines of `text`, which starts `offset` lines into its file.
    pub fn with_offset(text: &'a str, offset: u32) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { text, starts, offset }
    }

    /// The position of byte `at`, with the offset applied.
    pub fn pos_of(&self, at: usize) -> crate::yaml::Pos {
        let line = self.starts.partition_point(|&s| s <= at).max(1);
        let start = self.starts[line - 1];
        let col = self.text.get(start..at).map_or(1, |s| s.chars().count() + 1);
        crate::yaml::Pos::new(line as u32 + self.offset, col as u32)
    }

    /// Where `needle` first appears at or after `from` (a position including the offset); `from`
    /// itself when it cannot be found (an escaped or folded value).
    pub fn locate(&self, from: crate::yaml::Pos, needle: &str) -> crate::yaml::Pos {
        let line = from.line.saturating_sub(self.offset).max(1) as usize;
        let Some(&start) = self.starts.get(line - 1) else { return from };
        self.text[start..].find(needle).map_or(from, |i| self.pos_of(start + i))
    }
}
