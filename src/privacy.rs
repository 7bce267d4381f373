//! What must never be published (第六条): resident ID numbers, bank card numbers, classification
//! marks; and what probably should not be (personal mobiles outside contact fields, internal-use
//! marks). Pure functions over text; `load` runs them over every published value, Markdown body
//! and attachment name, `check` turns the hits into findings unless the content acknowledges them.
//!
//! Never flagged: organisation credit codes (they contain letters, or are the unit's own code),
//! landlines and service hotlines (too short), masked numbers (`138****1234`).

use std::sync::LazyLock;

use regex::Regex;

use crate::finding::Severity;

/// One suspicious piece of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: Rule,
    /// Byte range in the scanned text.
    pub start: usize,
    pub end: usize,
    /// The text that matched.
    pub text: String,
}

/// The privacy and confidentiality rules, a closed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    IdNumber,
    BankCard,
    Classified,
    Mobile,
    InternalMark,
}

impl Rule {
    pub const ALL: [Rule; 5] = [Rule::IdNumber, Rule::BankCard, Rule::Classified, Rule::Mobile, Rule::InternalMark];

    /// Stable id, as findings and acknowledgements name it.
    pub fn id(self) -> &'static str {
        match self {
            Rule::IdNumber => "privacy/id-number",
            Rule::BankCard => "privacy/bank-card",
            Rule::Classified => "privacy/classified",
            Rule::Mobile => "privacy/mobile",
            Rule::InternalMark => "privacy/internal-mark",
        }
    }

    pub fn from_id(id: &str) -> Option<Rule> {
        let id = id.trim();
        Rule::ALL.into_iter().find(|r| r.id() == id || r.id().strip_prefix("privacy/") == Some(id) || r.zh() == id)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Rule::IdNumber => "居民身份证号码",
            Rule::BankCard => "银行卡号",
            Rule::Classified => "密级标志",
            Rule::Mobile => "个人手机号码",
            Rule::InternalMark => "内部资料标志",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Rule::IdNumber | Rule::BankCard | Rule::Classified => Severity::Error,
            Rule::Mobile | Rule::InternalMark => Severity::Warning,
        }
    }

    /// What is wrong, given the matched text.
    pub fn message(self, text: &str) -> String {
        match self {
            Rule::IdNumber => format!("含有居民身份证号码「{}」，属于个人隐私，不得公开", mask(text, 6, 4)),
            Rule::BankCard => format!("含有银行卡号「{}」，属于个人隐私或商业秘密，不得公开", mask(text, 4, 4)),
            Rule::Classified => format!("含有密级标志「{text}」：涉密信息不得公开"),
            Rule::Mobile => format!("含有个人手机号码「{}」", mask(text, 3, 4)),
            Rule::InternalMark => format!("含有「{text}」字样：内部资料或草稿不应公开"),
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            Rule::IdNumber => "删除身份证号，确需公开身份的，只保留前 6 位和后 4 位，如 620402********1234",
            Rule::BankCard => "删除卡号；本单位的缴费账户如须公开，请写对公账户并经审查后在「审查确认」中说明",
            Rule::Classified => "删除这部分内容，并按《保守国家秘密法》和本单位保密审查程序处理（第七条）",
            Rule::Mobile => "改用单位电话，或隐去中间四位写成 138****1234；本人同意公开的，在「审查确认」中写明理由",
            Rule::InternalMark => "确认内容可以公开后删去这些字样；确需保留的，在「审查确认」中写明理由",
        }
    }
}

/// `13812345678` → `138****5678`: never repeat the full number in a report.
fn mask(text: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if chars.len() <= head + tail {
        return text.to_string();
    }
    let stars = "*".repeat(chars.len() - head - tail);
    format!(
        "{}{stars}{}",
        chars[..head].iter().collect::<String>(),
        chars[chars.len() - tail..].iter().collect::<String>()
    )
}

/// Where a text comes from, which changes what is suspicious in it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    /// The field's purpose is a contact (a social supervisor's phone): mobiles are expected.
    pub contact_field: bool,
}

/// Every hit in `text`, in order. (The unit's own credit code is excluded later, by `check`,
/// which knows it.)
pub fn scan(text: &str, cx: Context) -> Vec<Hit> {
    let mut hits = Vec::new();
    if text.bytes().any(|b| b.is_ascii_digit()) {
        digit_runs(text, cx, &mut hits);
    }
    marks(text, &mut hits);
    hits.sort_by_key(|h| (h.start, h.rule));
    hits
}

/// ID numbers, bank cards and mobiles: runs of digits (with the spaces or dashes people type
/// between groups), bounded by non-digits.
fn digit_runs(text: &str, cx: Context, hits: &mut Vec<Hit>) {
    static RUN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\+?\d[\d \-]{9,24}[\dXx]").expect("valid regex"));
    for m in RUN.find_iter(text) {
        // a run glued to letters or more digits is part of something else (a code, a masked number)
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '*')
            || after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '*')
        {
            continue;
        }
        let run = m.as_str().trim_end_matches([' ', '-']);
        let end = m.start() + run.len();
        let compact: String = run.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        let hit = |rule| Hit { rule, start: m.start(), end, text: run.to_string() };
        if compact.len() == 18 && is_resident_id(&compact) {
            hits.push(hit(Rule::IdNumber));
        } else if (16..=19).contains(&compact.len()) && compact.starts_with("62") && luhn(&compact) {
            hits.push(hit(Rule::BankCard));
        } else if !cx.contact_field && is_mobile(&compact) && !run.contains("--") {
            hits.push(hit(Rule::Mobile));
        }
    }
}

fn is_mobile(compact: &str) -> bool {
    let d = compact.strip_prefix("86").filter(|r| r.len() == 11).unwrap_or(compact);
    d.len() == 11
        && d.starts_with('1')
        && matches!(d.as_bytes()[1], b'3'..=b'9')
        && d.bytes().all(|b| b.is_ascii_digit())
}

/// Classification marks (errors) and internal-use marks (warnings).
fn marks(text: &str, hits: &mut Vec<Hit>) {
    static CLASSIFIED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:绝密|机密|秘密)\s*[★☆]\s*(?:\d+\s*(?:年|个月)|长期|[^\s，。,]{0,12})?|(?:绝密|机密|秘密)\s*(?:\d+\s*(?:年|个月)|长期)")
            .expect("valid regex")
    });
    static BARE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^[\s【\[（(]*(?:绝密|机密|秘密)[\s】\]）)]*$").expect("valid regex"));
    static INTERNAL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"内部资料|内部使用|内部文件|内部传阅|内部掌握|仅供内部|不得外传|严禁外传|请勿外传|注意保存|工作秘密|不宜公开|征求意见稿|讨论稿|送审稿")
            .expect("valid regex")
    });
    for m in CLASSIFIED.find_iter(text).chain(BARE.find_iter(text)) {
        let trimmed = m.as_str().trim_matches(|c: char| c.is_whitespace() || "【】[]（）()".contains(c));
        let start = m.start() + m.as_str().find(trimmed).unwrap_or(0);
        if !hits.iter().any(|h| h.start == start) {
            hits.push(Hit { rule: Rule::Classified, start, end: start + trimmed.len(), text: trimmed.to_string() });
        }
    }
    for m in INTERNAL.find_iter(text) {
        hits.push(Hit { rule: Rule::InternalMark, start: m.start(), end: m.end(), text: m.as_str().to_string() });
    }
}

/// GB 11643: 17 digits, a valid birth date, and the ISO 7064 MOD 11-2 check character.
pub fn is_resident_id(s: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) || b[0] == b'0' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<i16>().ok();
    let (Some(y), Some(m), Some(d)) = (num(6..10), num(10..12), num(12..14)) else { return false };
    if !(1800..=2099).contains(&y) || jiff::civil::Date::new(y, m as i8, d as i8).is_err() {
        return false;
    }
    let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(c, w)| u32::from(c - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    b[17].eq_ignore_ascii_case(&check)
}

/// The Luhn check of card numbers.
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        if !c.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// GB 32100 统一社会信用代码: 18 characters from `0-9A-HJ-NPQRTUWXY`, mod-31 check character.
pub fn is_credit_code(s: &str) -> bool {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let b = s.as_bytes();
    if b.len() != 18 {
        return false;
    }
    let mut sum = 0;
    for (c, w) in b[..17].iter().zip(WEIGHTS) {
        let Some(v) = CHARS.iter().position(|x| x == c) else { return false };
        sum += v * w;
    }
    CHARS.get((31 - sum % 31) % 31) == Some(&b[17])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<(Rule, String)> {
        scan(text, Context::default()).into_iter().map(|h| (h.rule, h.text)).collect()
    }

    #[test]
    fn resident_ids_need_date_and_check_digit() {
        assert!(is_resident_id("11010519491231002X"));
        assert!(is_resident_id("360426199101010071"));
        assert!(!is_resident_id("360426199101010072"), "wrong check digit");
        assert!(!is_resident_id("360426199102300071"), "30 February");
        assert!(!is_resident_id("91620400MA71QX3D8C"));
        assert_eq!(rules("身份证号：11010519491231002x。"), [(Rule::IdNumber, "11010519491231002x".into())]);
        assert_eq!(rules("编号 360426199101010072"), []);
    }

    #[test]
    fn bank_cards_need_62_and_luhn() {
        assert!(luhn("79927398713"));
        assert!(!luhn("79927398710"));
        // build a valid UnionPay number: 621700123456789012 + its check digit
        let base = "621700123456789012";
        let check = (0..10).find(|d| luhn(&format!("{base}{d}"))).unwrap();
        let valid = format!("{base}{check}");
        assert_eq!(rules(&format!("账号 {valid}")), [(Rule::BankCard, valid.clone())]);
        let spaced = format!("{} {} {} {}", &valid[..4], &valid[4..8], &valid[8..12], &valid[12..]);
        assert_eq!(rules(&spaced).len(), 1, "{spaced}");
        let invalid = format!("{base}{}", (check + 1) % 10);
        assert_eq!(rules(&invalid), []);
    }

    #[test]
    fn mobiles_only_outside_contact_fields_and_never_masked() {
        assert_eq!(rules("联系人手机 13912345678"), [(Rule::Mobile, "13912345678".into())]);
        assert_eq!(rules("电话 139 1234 5678。"), [(Rule::Mobile, "139 1234 5678".into())]);
        assert_eq!(rules("138****1234"), []);
        let cx = Context { contact_field: true };
        assert!(scan("13912345678", cx).is_empty());
    }

    #[test]
    fn required_content_is_never_flagged() {
        for ok in [
            "0943-8221234",
            "(0943)8221234",
            "09438221234",
            "95598",
            "96777",
            "400-820-1234",
            "12345",
            "12320",
            "91620400MA71QX3D8C",
            "12620400MB1A2B3C4U",
            "邮编 730900",
            "2026-08-25",
            "依据《保守国家秘密法》保护国家秘密和商业秘密",
            "保密审查",
            "620402********1234",
            "3.10 元/立方米",
            "工作人员岗位职责",
        ] {
            assert_eq!(rules(ok), [], "{ok}");
        }
    }

    #[test]
    fn classification_marks() {
        assert_eq!(rules("机密★5年"), [(Rule::Classified, "机密★5年".into())]);
        assert_eq!(rules("秘密★"), [(Rule::Classified, "秘密★".into())]);
        assert_eq!(rules("绝密 10年 关于……"), [(Rule::Classified, "绝密 10年".into())]);
        assert_eq!(rules("【机密】\n正文"), [(Rule::Classified, "机密".into())]);
        assert_eq!(rules("国家秘密"), []);
    }

    #[test]
    fn internal_marks_are_warnings() {
        let r = rules("（征求意见稿）内部资料 不得外传");
        assert_eq!(r.iter().map(|(r, _)| *r).collect::<Vec<_>>(), [Rule::InternalMark; 3]);
        assert_eq!(Rule::InternalMark.severity(), Severity::Warning);
        assert_eq!(Rule::IdNumber.severity(), Severity::Error);
    }

    #[test]
    fn credit_codes() {
        assert!(is_credit_code("91620400MA71QX3D8C"));
        assert!(is_credit_code("12620400MB1A2B3C4U"));
        assert!(!is_credit_code("91620400MA71QX3D8D"));
    }

    #[test]
    fn messages_never_repeat_the_full_number() {
        assert_eq!(
            Rule::IdNumber.message("11010519491231002X"),
            "含有居民身份证号码「110105********002X」，属于个人隐私，不得公开"
        );
        assert!(Rule::Mobile.message("13912345678").contains("139****5678"));
    }
}

/// A hit placed in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub rule: Rule,
    pub text: String,
    /// Site-relative file.
    pub file: String,
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
                    out.push(Located {
                        rule: hit.rule,
                        pos: Some(src.locate(node.pos, &hit.text)),
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

/// Scan free text (a Markdown body) whose first line is `first_line` of `file`.
pub fn scan_lines(text: &str, first_line: u32, file: &str, out: &mut Vec<Located>) {
    let index = LineIndex::new(text);
    for hit in scan(text, Context::default()) {
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
    pub fn new(text: &'a str) -> Self {
        Self::with_offset(text, 0)
    }

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
