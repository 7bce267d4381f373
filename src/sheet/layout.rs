//! The YAML `import` writes: the rows of a table as one list field, set into the unit's file in
//! place of the list that was there, every other line of the file left as it was.
//!
//! Keys are written the way the file already writes them (its Chinese or English names, in the
//! order its entries use); values plainly where YAML reads them back as the same text, quoted
//! otherwise. Each line written remembers the cell it came from, so that a problem the loader
//! finds in it is reported at that cell.

use std::collections::BTreeMap;

use crate::schema::{DocSpec, FieldDef};
use crate::yaml::{self, Node, Value};

/// One cell's value on its way into the YAML.
#[derive(Debug, Clone)]
pub(super) struct Filled {
    /// The sub-field.
    pub def: FieldDef,
    /// The spreadsheet column (0 = A).
    pub col: u32,
    /// The cell's text, trimmed.
    pub text: String,
}

/// What a table becomes.
#[derive(Debug, Clone)]
pub(super) enum Body {
    /// One entry per row: (spreadsheet row, its values).
    Entries(Vec<(u32, Vec<Filled>)>),
    /// The unit has none of these (`不适用：原因` alone in a row): (row, column, reason).
    Declaration(u32, u32, String),
}

/// The file after the import.
#[derive(Debug)]
pub(super) struct Spliced {
    /// The whole new text.
    pub text: String,
    /// For each line written (1-based, in `text`), the cell it came from: (row, column).
    pub cells: BTreeMap<u32, (u32, u32)>,
    /// How many entries the list had before (`None`: there was no list).
    pub replaced: Option<usize>,
}

/// Set `body` into `existing` (the file's text, `None` when there is no file yet) as the list
/// field `list` of document `doc`. `Err` says, in Chinese, why the existing file cannot be
/// edited safely.
pub(super) fn splice(existing: Option<&str>, doc: &DocSpec, list: &FieldDef, body: &Body) -> Result<Spliced, String> {
    let src = existing.unwrap_or_default();
    let root = yaml::parse(src).map_err(|e| {
        let at = e.pos.map(|p| format!("第 {} 行", p.line)).unwrap_or_default();
        format!("{at}有格式错误，先改正它（gongkai check 会指出错在哪里）再导入")
    })?;
    let entries: &[yaml::Entry] = match &root.value {
        Value::Null => &[],
        Value::Map(entries) => entries,
        _ => return Err("不是「键: 值」的形式，先改正它（gongkai check 会指出错在哪里）再导入".into()),
    };
    if entries.iter().any(|e| e.key_pos.col != 1) || entries.windows(2).any(|w| w[0].key_pos.line >= w[1].key_pos.line)
    {
        return Err("不是每行一个「键: 值」的写法（写在了花括号里），无法只替换其中一项".into());
    }
    let found = entries.iter().position(|e| list.accepts(&e.written));
    let mut style = Style::of(entries, found.map(|i| &entries[i]), list);
    // a field written as a list in one row is a list in every row
    if let Body::Entries(rows) = body {
        for v in rows.iter().flat_map(|(_, values)| values) {
            if split_lines(&v.text).len() > 1 && !style.lists.contains(&v.def.key) {
                style.lists.push(v.def.key.clone());
            }
        }
    }
    let (block, cells) = write_block(&style, body);

    let lines: Vec<&str> = src.split_inclusive('\n').collect();
    let crlf = src.contains("\r\n");
    let (start, end) = match found {
        Some(i) => {
            let start = entries[i].key_pos.line as usize - 1;
            let mut end = entries.get(i + 1).map_or(lines.len(), |e| e.key_pos.line as usize - 1);
            // blank lines and comments at the left margin before the next key belong to it
            while end > start + 1 && {
                let l = lines[end - 1].trim_end();
                l.is_empty() || l.starts_with('#')
            } {
                end -= 1;
            }
            (start, end)
        }
        None => {
            // before 更新日期 when the file has one, else at the end
            let updated = doc.field("updated");
            let at = entries
                .iter()
                .find(|e| updated.is_some_and(|u| u.accepts(&e.written)))
                .map_or(lines.len(), |e| e.key_pos.line as usize - 1);
            (at, at)
        }
    };
    let mut text = String::new();
    if existing.is_none() {
        text.push_str(&format!("# {} — {}\n", doc.title, doc.clause));
    }
    for l in &lines[..start] {
        text.push_str(l);
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    let first = text.matches('\n').count() as u32 + 1;
    let nl = if crlf { "\r\n" } else { "\n" };
    text.push_str(&block.replace('\n', nl));
    for l in &lines[end..] {
        text.push_str(l);
    }
    let cells = cells.into_iter().map(|(line, cell)| (line + first - 1, cell)).collect();
    let replaced = found.and_then(|i| entries[i].value.as_list()).map(<[Node]>::len);
    Ok(Spliced { text, cells, replaced })
}

/// How the file writes its keys.
struct Style {
    /// The list's key as written.
    list_key: String,
    /// English keys (the file writes its keys in English).
    english: bool,
    /// The sub-fields' keys as the file's entries write them: (canonical, written), in the
    /// order the entries use.
    written: Vec<(String, String)>,
    /// The sub-fields of several lines written as lists even with one line (as the file
    /// does, or as another row of the table needs).
    lists: Vec<String>,
}

impl Style {
    fn of(entries: &[yaml::Entry], found: Option<&yaml::Entry>, list: &FieldDef) -> Style {
        let ascii = entries.iter().filter(|e| e.written.is_ascii()).count();
        let english = match found {
            Some(e) => e.written.is_ascii(),
            None => !entries.is_empty() && ascii * 2 > entries.len(),
        };
        let mut written = Vec::new();
        let mut lists = Vec::new();
        let items = found.and_then(|e| e.value.as_list()).unwrap_or_default();
        for sub in items.iter().filter_map(Node::as_map).flatten() {
            if let Some(def) = list.fields.iter().find(|f| f.accepts(&sub.written))
                && !written.iter().any(|(k, _)| *k == def.key)
            {
                written.push((def.key.clone(), sub.written.trim().to_string()));
            }
            if let Some(def) = list.fields.iter().find(|f| f.accepts(&sub.written))
                && sub.value.as_list().is_some()
                && !lists.contains(&def.key)
            {
                lists.push(def.key.clone());
            }
        }
        let list_key = match found {
            Some(e) => e.written.trim().to_string(),
            None if english => list.key.clone(),
            None => list.zh.clone(),
        };
        Style { list_key, english, written, lists }
    }

    fn key<'a>(&'a self, def: &'a FieldDef) -> &'a str {
        match self.written.iter().find(|(k, _)| *k == def.key) {
            Some((_, w)) => w,
            None if self.english => &def.key,
            None => &def.zh,
        }
    }

    /// Where a sub-field goes in an entry: the file's order first, then the table's.
    fn rank(&self, def: &FieldDef) -> usize {
        self.written.iter().position(|(k, _)| *k == def.key).unwrap_or(usize::MAX)
    }
}

/// The list as YAML lines, with the cell each line came from (line numbers from 1).
fn write_block(style: &Style, body: &Body) -> (String, BTreeMap<u32, (u32, u32)>) {
    let mut out = String::new();
    let mut cells = BTreeMap::new();
    let mut line = |out: &mut String, text: String, cell: Option<(u32, u32)>| {
        out.push_str(&text);
        out.push('\n');
        if let Some(c) = cell {
            cells.insert(out.matches('\n').count() as u32, c);
        }
    };
    match body {
        Body::Declaration(row, col, reason) => {
            let word = crate::declaration::WORD;
            line(&mut out, format!("{}: {{{word}: {}}}", style.list_key, flow_scalar(reason)), Some((*row, *col)));
        }
        Body::Entries(rows) => {
            line(&mut out, format!("{}:", style.list_key), None);
            for (row, values) in rows {
                let mut values: Vec<&Filled> = values.iter().collect();
                values.sort_by_key(|v| style.rank(&v.def));
                for (i, v) in values.iter().enumerate() {
                    let lead = if i == 0 { "  - " } else { "    " };
                    let key = style.key(&v.def);
                    let cell = Some((*row, v.col));
                    let parts = split_lines(&v.text);
                    let as_list = parts.len() > 1 || style.lists.contains(&v.def.key);
                    if v.def.ty == crate::schema::FieldType::Lines && as_list && !parts.is_empty() {
                        line(&mut out, format!("{lead}{key}:"), cell);
                        for p in parts {
                            line(&mut out, format!("      - {}", scalar(p)), cell);
                        }
                    } else {
                        line(&mut out, format!("{lead}{key}: {}", scalar(&v.text)), cell);
                    }
                }
            }
        }
    }
    (out, cells)
}

/// The lines of a cell, each trimmed, blank ones dropped.
pub(super) fn split_lines(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect()
}

/// A value as YAML: plain when YAML reads it back as the same text in a mapping and in a list,
/// else double-quoted (JSON's escaping is valid YAML).
pub(super) fn scalar(text: &str) -> String {
    let same = |src: String, get: &dyn Fn(&Node) -> Option<&Node>| {
        yaml::parse(&src).ok().as_ref().and_then(get).and_then(Node::as_text) == Some(text)
    };
    let plain = !text.is_empty()
        && !text.contains(['\n', '\r', '\t'])
        && text.trim() == text
        && same(format!("k: {text}\n"), &|n| n.get("k"))
        && same(format!("- {text}\n"), &|n| n.as_list()?.first());
    if plain { text.to_string() } else { serde_json::Value::String(text.to_string()).to_string() }
}

/// A value inside a flow mapping (`{不适用: …}`): plain only when that reads back the same.
fn flow_scalar(text: &str) -> String {
    let plain = scalar(text);
    let back = yaml::parse(&format!("k: {{x: {plain}}}\n")).ok();
    if back.as_ref().and_then(|n| n.path("k.x")).and_then(Node::as_text) == Some(text) {
        plain
    } else {
        serde_json::Value::String(text.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_plain_when_yaml_reads_them_back_the_same() {
        for plain in ["3.10 元/立方米（含污水处理费）", "0943-8216601", "730900", "8:00-12:00", "2026-01-01"]
        {
            assert_eq!(scalar(plain), plain);
        }
        for quoted in [
            "true", "null", "~", "a: b", "- x", "x #y", " x", "[a]", "{a}", "'a'", "\"a\"", "*a", "&a", "!a", "%a",
            "@a", "`a", "|", ">", "",
        ] {
            let s = scalar(quoted);
            assert!(s.starts_with('"'), "{quoted} -> {s}");
            let back = yaml::parse(&format!("k: {s}\n")).unwrap();
            assert_eq!(back.get("k").and_then(Node::as_text), Some(quoted));
        }
    }
}
