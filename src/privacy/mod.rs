//! What must never be published (第六条): resident ID numbers, bank card numbers, classification
//! marks; and what probably should not be (personal mobiles outside contact fields, internal-use
//! marks). Pure functions over text; `check` runs them over every published value, Markdown body,
//! file name and attachment text (`check/scan.rs`) and turns the hits into findings unless the
//! content acknowledges them (`check/review.rs`).
//!
//! Never flagged: organisation credit codes (they contain letters, or are the unit's own code),
//! landlines and service hotlines (too short), masked numbers (`138****1234`).
//!
//! The scan runs over what the reader will see (`reader`: Markdown rendered, character references
//! decoded, NFKC, invisible characters dropped), so full-width digits, numbers split by `<span>` or
//! `**`, and `机　密★` are found too; each hit is mapped back to its place in the source.

mod locate;
mod numbers;
mod reader;
#[cfg(test)]
mod tests;

use std::sync::LazyLock;

use regex::Regex;

pub use locate::{LineIndex, Located, scan_lines, scan_markdown, scan_tree};
pub use numbers::{is_credit_code, is_resident_id, is_resident_id_15, luhn};
pub use reader::Reader;

use crate::finding::Severity;

/// One suspicious piece of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Which rule it breaks.
    pub rule: Rule,
    /// Byte range in the scanned text (the source, not the normalised text).
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
    /// What the reader sees: a number's digits (`13912345678`, whatever separators, full-width
    /// forms or tags it was written with), a mark as normalised (`机密★5年`).
    pub text: String,
}

/// The privacy and confidentiality rules, a closed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// A resident ID number (居民身份证号码, 18 or 15 digits, checksum verified).
    IdNumber,
    /// A bank card number (Luhn verified).
    BankCard,
    /// A classification mark (秘密, 机密, 绝密 with ★).
    Classified,
    /// A personal mobile number.
    Mobile,
    /// An internal-use mark (内部资料, 征求意见稿).
    InternalMark,
}

impl Rule {
    /// Every rule.
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

    /// The rule a finding or an acknowledgement names: its id, its short id or its Chinese name.
    pub fn from_id(id: &str) -> Option<Rule> {
        let id = id.trim();
        Rule::ALL.into_iter().find(|r| r.id() == id || r.id().strip_prefix("privacy/") == Some(id) || r.zh() == id)
    }

    /// The rule's Chinese name.
    pub fn zh(self) -> &'static str {
        match self {
            Rule::IdNumber => "居民身份证号码",
            Rule::BankCard => "银行卡号",
            Rule::Classified => "密级标志",
            Rule::Mobile => "个人手机号码",
            Rule::InternalMark => "内部资料标志",
        }
    }

    /// An ID number, a bank card or a classification mark is an error; a mobile number or an internal mark a warning (it may be a public one).
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

    /// What to do about a hit, in Chinese.
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
    let chars: Vec<char> = text.chars().filter(char::is_ascii_alphanumeric).collect();
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

/// `text` holds what may never be published (a hit whose rule is an error: an ID number, a bank
/// card, a classification mark).
pub fn forbids(text: &str) -> bool {
    scan(text, Context::default()).iter().any(|h| h.rule.severity() == Severity::Error)
}

/// Every hit in the plain text `text` (a value, a file name), in order. (The unit's own credit code
/// is excluded later, by `check`, which knows it.)
pub fn scan(text: &str, cx: Context) -> Vec<Hit> {
    scan_reader(&Reader::plain(text), text, cx)
}

/// Every hit in normalised text, with its range in `source`, in order.
pub fn scan_reader(r: &Reader, source: &str, cx: Context) -> Vec<Hit> {
    let mut found = Vec::new();
    if r.text.bytes().any(|b| b.is_ascii_digit()) {
        let mut nums = Vec::new();
        numbers::numbers(&r.text, cx, &mut nums);
        found.extend(nums.into_iter().map(|n| (n.rule, n.range, n.digits)));
    }
    marks(&r.text, &mut found);
    let mut hits: Vec<Hit> = found
        .into_iter()
        .map(|(rule, range, text)| {
            let src = r.source_range(range, source);
            Hit { rule, start: src.start, end: src.end, text }
        })
        .collect();
    hits.sort_by_key(|h| (h.start, h.rule));
    // a link target that is also its own text (`<tel:…>`) is one hit
    hits.dedup_by(|a, b| a.start == b.start && a.rule == b.rule);
    hits
}

/// A hit before it is placed: rule, range in the normalised text, text.
type Found = (Rule, std::ops::Range<usize>, String);

/// Classification marks (errors) and internal-use marks (warnings).
fn marks(text: &str, found: &mut Vec<Found>) {
    // the 密级 words, with a space (U+3000 after NFKC) allowed inside; `h`: spaces within the line
    const WORD: &str = r"(?:绝[^\S\n]?密|机[^\S\n]?密|秘[^\S\n]?密)";
    const TERM: &str = r"(?:[0-9一二三四五六七八九十]+[^\S\n]*(?:年|个月)|长期)";
    static CLASSIFIED: LazyLock<Regex> = LazyLock::new(|| {
        let h = r"[^\S\n]*";
        Regex::new(&format!(
            r"{WORD}{h}[★☆]{h}(?:{TERM}|[^\s，。,]{{0,12}})?|{WORD}{h}{TERM}|密{h}级\s*[:：]?\s*{WORD}(?:{h}[★☆]{h}{TERM}?)?"
        ))
        .expect("valid regex")
    });
    // a 密级 word alone on its line: in brackets, or as a heading, list item, quote or emphasis
    // (found from the word, then its line: a regex anchored at every line start is slow)
    static ALONE: LazyLock<Regex> = LazyLock::new(|| Regex::new(WORD).expect("valid regex"));
    static BARE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(&format!(r"^[\s#>*_+\-【\[（(]*{WORD}[\s*_】\]）)]*$")).expect("valid regex"));
    static INTERNAL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"内部资料|内部使用|内部文件|内部传阅|内部掌握|仅供内部|不得外传|严禁外传|请勿外传|注意保存|工作秘密|不宜公开|征求意见稿|讨论稿|送审稿")
            .expect("valid regex")
    });
    let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
    let bare = ALONE.find_iter(text).filter(|w| {
        let start = text[..w.start()].rfind('\n').map_or(0, |i| i + 1);
        let end = text[w.end()..].find('\n').map_or(text.len(), |i| w.end() + i);
        BARE.is_match(&text[start..end])
    });
    for m in CLASSIFIED.find_iter(text).chain(bare) {
        let trimmed = m.as_str().trim_matches(|c: char| c.is_whitespace() || "【】[]（）()#>*_+-".contains(c));
        let start = m.start() + m.as_str().find(trimmed).unwrap_or(0);
        let range = start..start + trimmed.len();
        if !taken.iter().any(|t| t.start < range.end && range.start < t.end) {
            taken.push(range.clone());
            let shown = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
            found.push((Rule::Classified, range, shown));
        }
    }
    for m in INTERNAL.find_iter(text) {
        found.push((Rule::InternalMark, m.range(), m.as_str().to_string()));
    }
}
