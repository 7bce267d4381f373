//! Shapes of values: phone numbers, e-mail addresses, postcodes, dates, and placeholders.
//!
//! Pure functions, no I/O; used by the schema (dates) and by the rule checker (every `require:`).

use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;

/// Texts that stand in for content not yet written. Compared after trimming brackets and
/// punctuation, case-insensitively. Packs may add more.
pub const PLACEHOLDERS: &[&str] = &[
    "待补充",
    "待填写",
    "待定",
    "待完善",
    "暂无",
    "无",
    // "absent" in plain words: an item a unit really lacks is declared with 不适用 and a reason,
    // where the pack allows it
    "没有",
    "无此项",
    "未设",
    "不涉及",
    "暂不公开",
    "不公开",
    "略",
    "空",
    "未填",
    "TBD",
    "TODO",
    "xxx",
    "N/A",
    "NA",
    "null",
    "none",
    "……",
    "…",
    "...",
    "-",
    "--",
    "—",
    "——",
    "/",
    "?",
    "？",
];

/// Prefixes that mark a placeholder even with more text after them (`待补充：单位全称`).
pub(crate) const PLACEHOLDER_PREFIXES: &[&str] = &["待补充", "待填写", "请填写", "请在此填写", "TODO", "TBD"];

/// Does `text` still hold a placeholder instead of content?
pub fn is_placeholder(text: &str, extra: &[String]) -> bool {
    let t = text.trim().trim_matches(|c: char| "【】[]()（）「」<>《》：:。.，,".contains(c) || c.is_whitespace());
    if t.is_empty() {
        return !text.trim().is_empty();
    }
    let eq = |p: &str| p.eq_ignore_ascii_case(t);
    PLACEHOLDERS.iter().any(|p| eq(p))
        || extra.iter().any(|p| eq(p))
        || PLACEHOLDER_PREFIXES
            .iter()
            .any(|p| t.get(..p.len()).is_some_and(|head| head.eq_ignore_ascii_case(p)))
        // xxxx, XXXX, ****, ???? and the like
        || t.chars().all(|c| matches!(c, 'x' | 'X' | '*' | '?' | '？' | '.' | '…' | '_' | '-'))
}

/// A character that is not shown but changes what text looks like: bidirectional controls (which
/// can show `evil<U+202E>lmth.exe` as `exe.html`), zero-width characters and the byte-order mark.
/// Unit names may not hold one; reports write them as escapes.
pub fn is_invisible_mark(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// A date as Chinese readers write it (`2026年8月25日`): the one format of dates in messages
/// and on pages.
pub fn zh_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Parse the date formats clerks write: `2024-03-01`, `2024/3/1`, `2024.3.1`, `2024年3月1日`.
pub fn parse_date(text: &str) -> Option<Date> {
    // `2024-03-01`, nearly every date there is, without the regular expression's captures (a
    // date is parsed for every document and every page: this was 2% of a build)
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *text.as_bytes()
        && [y0, y1, y2, y3, m0, m1, d0, d1].iter().all(u8::is_ascii_digit)
    {
        let n = |bytes: &[u8]| bytes.iter().fold(0i16, |n, b| n * 10 + i16::from(b - b'0'));
        let (m, d) = (i8::try_from(n(&[m0, m1])).ok()?, i8::try_from(n(&[d0, d1])).ok()?);
        return Date::new(n(&[y0, y1, y2, y3]), m, d).ok();
    }
    parse_written_date(text)
}

/// [`parse_date`] for every form it reads.
fn parse_written_date(text: &str) -> Option<Date> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^\s*(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?)\s*$",
        )
        .expect("valid regex")
    });
    let c = RE.captures(text)?;
    let y: i16 = c[1].parse().ok()?;
    let m: i8 = c.get(2).or(c.get(4))?.as_str().parse().ok()?;
    let d: i8 = c.get(3).or(c.get(5))?.as_str().parse().ok()?;
    Date::new(y, m, d).ok()
}

/// One or more phone numbers, separated by `、`, `，`, `;` or `/`; each a landline with its area
/// code, a mobile, or a service hotline (95xxx, 96xxx, 400, 800, 123xx, 110/119/120/122). A short
/// label before a number (`总机：`) and a note in brackets after it (`（工作日）`) are allowed.
pub fn is_phone(text: &str) -> bool {
    all_parts(text, |p| classify_number(p).is_some())
}

/// The full-width characters (`－`, `０９４３`) that alone make `text` fail `valid`: it passes once
/// they are written half-width. `None` if it fails for another reason too.
pub fn full_width_only(text: &str, valid: impl Fn(&str) -> bool) -> Option<String> {
    let wide = |c: char| ('\u{FF01}'..='\u{FF5E}').contains(&c) && !"（），；：".contains(c);
    let narrow: String =
        text.chars().map(|c| if wide(c) { char::from_u32(c as u32 - 0xFEE0).unwrap_or(c) } else { c }).collect();
    if narrow == text || !valid(&narrow) {
        return None;
    }
    let mut found = String::new();
    for c in text.chars().filter(|&c| wide(c)) {
        if !found.contains(c) {
            found.push(c);
        }
    }
    Some(found)
}

/// A contact the public can use to reach a person: a phone number as above or an e-mail. A
/// masked mobile (`138****1234`) protects the person but reaches nobody: see `masked_mobile`.
pub fn is_contact(text: &str) -> bool {
    all_parts(text, |p| classify_number(p).is_some() || is_email(p))
}

/// The first masked mobile (`135****7093`) in a contact field, as written.
pub fn masked_mobile(text: &str) -> Option<&str> {
    static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"1[3-9]\d[ -]?\*{4}[ -]?\d{4}").expect("valid regex"));
    RE.find(text).map(|m| m.as_str())
}

/// What kind of number a single phone number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneKind {
    /// A fixed line with an area code.
    Landline,
    /// A mobile number.
    Mobile,
    /// A service hotline (12345, 400/800 numbers).
    Hotline,
}

/// What kind of phone number `part` is, if it is one.
pub fn classify_number(part: &str) -> Option<PhoneKind> {
    let digits = strip_phone(part)?;
    let d = digits.as_str();
    let n = d.len();
    let all_digits = d.bytes().all(|b| b.is_ascii_digit());
    if !all_digits {
        return None;
    }
    if n == 11 && d.starts_with('1') && matches!(d.as_bytes()[1], b'3'..=b'9') {
        Some(PhoneKind::Mobile)
    } else if (10..=12).contains(&n) && d.starts_with('0') && !d.starts_with("00") {
        Some(PhoneKind::Landline)
    } else if ((d.starts_with("95") || d.starts_with("96")) && (5..=6).contains(&n))
        || ((d.starts_with("400") || d.starts_with("800")) && n == 10)
        || (d.starts_with("12") && n == 5)
        || matches!(d, "110" | "119" | "120" | "122")
    {
        Some(PhoneKind::Hotline)
    } else {
        None
    }
}

/// Remove formatting from one phone number: spaces, dashes, brackets, a `+86` prefix and an
/// extension (`转 8001`, `-8001` after a full landline). `None` if no digits are left.
fn strip_phone(part: &str) -> Option<String> {
    static EXT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:转|分机|ext\.?|x)\s*\d{1,5}$").expect("valid regex"));
    let p = EXT.replace(part.trim(), "");
    let mut s: String =
        p.chars().filter(|c| !matches!(c, ' ' | '-' | '—' | '(' | ')' | '（' | '）' | '\u{3000}')).collect();
    if let Some(rest) = s.strip_prefix("+86").or_else(|| s.strip_prefix("0086")) {
        s = rest.to_string();
        // +86 943 8221234 drops the trunk 0 of the area code
        if !s.starts_with('1') {
            s.insert(0, '0');
        }
    }
    // a landline with its extension written after a dash: 0943-8221234-8001
    if s.len() > 12 && s.starts_with('0') {
        let dashed: Vec<&str> = part.split(['-', '—']).map(str::trim).collect();
        if dashed.len() == 3 {
            s = format!("{}{}", dashed[0], dashed[1]).chars().filter(char::is_ascii_digit).collect();
        }
    }
    (!s.is_empty()).then_some(s)
}

/// Split a field into its numbers and check each; labels and bracketed notes are ignored.
fn all_parts(text: &str, ok: impl Fn(&str) -> bool) -> bool {
    static NOTE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[（(][^）)]*\p{Han}[^）)]*[）)]").expect("valid regex"));
    static LABEL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[^\d:：+]*[:：]").expect("valid regex"));
    let cleaned = NOTE.replace_all(text, " ");
    let mut any = false;
    for part in cleaned.split(['、', '，', ',', ';', '；', '/', '／', '\n']).flat_map(|p| p.split('或')) {
        let part = LABEL.replace(part.trim(), "");
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        if !ok(part) {
            return false;
        }
        any = true;
    }
    any
}

/// Is this an e-mail address?
pub fn is_email(text: &str) -> bool {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$").expect("valid regex")
    });
    RE.is_match(text.trim())
}

/// Chinese postcodes are six digits.
pub fn is_postcode(text: &str) -> bool {
    let t = text.trim();
    t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit())
}

/// Is this a web address (`http://`, `https://`)?
pub fn is_url(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with("https://") || t.starts_with("http://"))
        && t.len() > "https://".len()
        && !t.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        for p in [
            "待补充",
            " 暂无 ",
            "无",
            "TBD",
            "todo",
            "xxx",
            "XXXX",
            "……",
            "（待补充）",
            "待补充：单位全称",
            "N/A",
            "***",
        ] {
            assert!(is_placeholder(p, &[]), "{p}");
        }
        for ok in ["白银市银光中学", "无偿献血咨询", "0943-8221234", "138****1234", "免费"] {
            assert!(!is_placeholder(ok, &[]), "{ok}");
        }
        assert!(is_placeholder("另行通知", &["另行通知".to_string()]));
    }

    /// The verdicts issue, point 11: a phone written with a full-width dash says so.
    #[test]
    fn full_width_characters_in_a_phone_are_named() {
        assert_eq!(full_width_only("0943－8221234", is_phone).as_deref(), Some("－"));
        assert_eq!(full_width_only("０９４３-8221234", is_phone).as_deref(), Some("０９４３"));
        assert_eq!(full_width_only("0943-8221234", is_phone), None);
        assert_eq!(full_width_only("0943－82", is_phone), None);
    }

    #[test]
    fn phones() {
        let good = [
            "0943-8221234",
            "(0943)8221234",
            "0943 822 1234",
            "010-12345678",
            "13912345678",
            "95598",
            "96777",
            "400-820-1234",
            "12345",
            "120",
            "+86 943 8221234",
            "0943-8221234转8001",
            "0943-8221234-8001",
            "0943-8221234、0943-8221235",
            "总机：0943-8221234",
            "0943-8221234（工作日 8:00-18:00）",
            "12398 或 95598",
        ];
        for g in good {
            assert!(is_phone(g), "{g}");
        }
        let bad =
            ["8221234", "12345678", "0943-82212", "电话", "1234", "23912345678", "", "待补充", "0943-8221234、abc"];
        for b in bad {
            assert!(!is_phone(b), "{b}");
        }
        assert_eq!(classify_number("95598"), Some(PhoneKind::Hotline));
        assert_eq!(classify_number("139 1234 5678"), Some(PhoneKind::Mobile));
        assert_eq!(classify_number("0943-8221234"), Some(PhoneKind::Landline));
    }

    #[test]
    fn contacts() {
        for g in ["0943-8221234", "jiandu@example.org.cn", "13912345678", "0943-8263301（社区活动中心）"] {
            assert!(is_contact(g), "{g}");
        }
        assert!(!is_contact("张三"));
        assert!(!is_phone("138****1234"));
        // a masked mobile reaches nobody: not a contact, and named so the message can say why
        assert!(!is_contact("135****7093"));
        assert_eq!(masked_mobile("电话 135****7093"), Some("135****7093"));
        assert_eq!(masked_mobile("135 **** 7093"), Some("135 **** 7093"));
        assert_eq!(masked_mobile("0943-8221234"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2024-03-01"), Some(Date::constant(2024, 3, 1)));
        assert_eq!(parse_date("2024/3/1"), Some(Date::constant(2024, 3, 1)));
        assert_eq!(parse_date("2024.03.01"), Some(Date::constant(2024, 3, 1)));
        assert_eq!(parse_date("2024年3月1日"), Some(Date::constant(2024, 3, 1)));
        assert_eq!(parse_date("2024年 3 月 1 号"), Some(Date::constant(2024, 3, 1)));
        for bad in ["2024-02-30", "2024-13-01", "24-3-1", "三月一日", "2024-03", ""] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    /// The shortcut for `YYYY-MM-DD` reads exactly what the general form reads.
    #[test]
    fn the_shortcut_agrees_with_the_general_form() {
        let mut tried = 0;
        for y in ["0000", "0001", "1999", "2023", "2024", "9999"] {
            for m in ["00", "01", "02", "09", "12", "13", "99"] {
                for d in ["00", "01", "28", "29", "30", "31", "32", "99"] {
                    for text in [format!("{y}-{m}-{d}"), format!("{y}-{m}-{d} "), format!("{y}/{m}-{d}")] {
                        assert_eq!(parse_date(&text), parse_written_date(&text), "{text}");
                        tried += usize::from(parse_date(&text).is_some());
                    }
                }
            }
        }
        assert!(tried > 100, "{tried}");
        assert_eq!(parse_date("２０２４-03-01"), parse_written_date("２０２４-03-01"));
    }

    #[test]
    fn emails_postcodes_urls() {
        assert!(is_email("xinxi@jinyuan-water.cn"));
        assert!(!is_email("xinxi@jinyuan"));
        assert!(!is_email("信箱"));
        assert!(is_postcode("730900"));
        assert!(!is_postcode("73090"));
        assert!(!is_postcode("7309000"));
        assert!(is_url("https://example.org/a.pdf"));
        assert!(!is_url("javascript:alert(1)"));
    }
}
