//! Numbers that identify a person: resident ID numbers (18 digits, and the 15-digit first
//! generation), UnionPay card numbers and mobiles, found inside runs of digit groups in the
//! normalised text (`reader`). A run is split at its separators (spaces, dashes, dots, middle
//! dots: whatever people type between groups; one line break, not a blank line) and every number that starts and ends on a group
//! boundary is tried, so an ID written next to a mobile is found as two numbers.
//!
//! Guards against false hits: a group glued to a letter or `*` (a code, a masked number) cannot
//! begin or end a number; the groups inside a number are at least 3 digits long (ISBNs, dates and
//! addresses have 1- and 2-digit groups); each kind has its check (date, check digit, Luhn, prefix).

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{Context, Rule};

/// A number found: its rule, where it is in the scanned text, and its digits.
pub(super) struct Number {
    pub rule: Rule,
    pub range: Range<usize>,
    pub digits: String,
}

/// Every number in `text` (already normalised: ASCII digits).
pub(super) fn numbers(text: &str, cx: Context, out: &mut Vec<Number>) {
    // a first, fast pass for stretches of digits and separators long enough to hold a number ...
    static COARSE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\+?[0-9][0-9 \t\r\n\-._·・‐‑‒–—―−]{9,}[0-9Xx]").expect("valid regex"));
    // ... then the runs in them: digit groups apart by up to 3 separators or one line break
    static RUN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\+?[0-9]+(?:(?:[ \t\-._·・‐‑‒–—―−]{1,3}|[ \t]*\r?\n[ \t]*)[0-9]+)*[Xx]?").expect("valid regex")
    });
    let glued = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '*');
    for coarse in COARSE.find_iter(text) {
        for m in RUN.find_iter(coarse.as_str()) {
            let run = m.as_str();
            if run.bytes().filter(u8::is_ascii_digit).count() < 11 {
                continue;
            }
            let (start, end) = (coarse.start() + m.start(), coarse.start() + m.end());
            let (before, after) = (text[..start].chars().next_back(), text[end..].chars().next());
            let glued_left = glued(before);
            let glued_right = glued(after);
            // a label written without a space (`ID11010519491231002X`, `No.…`): a whole group that is
            // a valid 18-character ID (date and check character) is one whatever letter precedes it
            let letter = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphabetic());
            if letter(before) && (!glued_right || letter(after)) {
                labelled_id(run, start, out);
            }
            split_run(run, start, glued_left, glued_right, cx, out);
        }
    }
}

/// The first group of `run` (at byte `base`), if it alone is a valid 18-character resident ID.
fn labelled_id(run: &str, base: usize, out: &mut Vec<Number>) {
    let end = run.find(|c: char| !(c.is_ascii_digit() || c == 'X' || c == 'x')).unwrap_or(run.len());
    let digits = &run[..end];
    if digits.len() == 18 && is_resident_id(digits) {
        out.push(Number { rule: Rule::IdNumber, range: base..base + end, digits: digits.to_ascii_uppercase() });
    }
}

/// Try every number that begins and ends on a group boundary of `run` (at byte `base`).
fn split_run(run: &str, base: usize, glued_left: bool, glued_right: bool, cx: Context, out: &mut Vec<Number>) {
    // groups of digits (the last may end in the ID check character X)
    let mut groups: Vec<Range<usize>> = Vec::new();
    let b = run.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i].eq_ignore_ascii_case(&b'x')) {
                i += 1;
            }
            groups.push(start..i);
        } else {
            i += 1;
        }
    }
    let last = groups.len().saturating_sub(1);
    let mut i = 0;
    while i < groups.len() {
        if i == 0 && glued_left {
            i += 1;
            continue;
        }
        let mut digits = String::new();
        let mut best: Option<(u8, usize, Rule)> = None;
        for j in i..groups.len() {
            let g = &groups[j];
            // groups inside a number are at least 3 digits; the first at least 2 (`+86`)
            if j > i && ((j - 1 > i && groups[j - 1].len() < 3) || groups[i].len() < 2) {
                break;
            }
            digits.push_str(&run[g.clone()]);
            if digits.len() > 19 || (j == last && glued_right) {
                break;
            }
            let seps = &run[groups[i].start..g.end];
            if let Some((rank, rule)) = classify(&digits, seps, cx)
                && best.is_none_or(|(r, ..)| rank <= r)
            {
                best = Some((rank, j, rule));
            }
        }
        match best {
            Some((_, j, rule)) => {
                let start = if i == 0 && run.starts_with('+') { 0 } else { groups[i].start };
                let range = base + start..base + groups[j].end;
                let digits: String =
                    run[groups[i].start..groups[j].end].chars().filter(char::is_ascii_alphanumeric).collect();
                out.push(Number { rule, range, digits: digits.to_ascii_uppercase() });
                i = j + 1;
            }
            None => i += 1,
        }
    }
}

/// What `digits` is, with a rank (lower wins when several numbers start at the same group).
fn classify(digits: &str, written: &str, cx: Context) -> Option<(u8, Rule)> {
    if digits.len() == 18 && is_resident_id(digits) {
        Some((0, Rule::IdNumber))
    } else if (16..=19).contains(&digits.len()) && digits.starts_with("62") && luhn(digits) {
        Some((1, Rule::BankCard))
    } else if digits.len() == 15 && is_resident_id_15(digits) {
        Some((2, Rule::IdNumber))
    } else if !cx.contact_field && is_mobile(digits) && !written.contains("--") {
        Some((3, Rule::Mobile))
    } else {
        None
    }
}

fn is_mobile(digits: &str) -> bool {
    let d = digits.strip_prefix("86").filter(|r| r.len() == 11).unwrap_or(digits);
    d.len() == 11
        && d.starts_with('1')
        && matches!(d.as_bytes()[1], b'3'..=b'9')
        && d.bytes().all(|b| b.is_ascii_digit())
}

/// The province codes that begin every resident ID number (GB/T 2260).
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
];

/// GB 11643: 17 digits, a valid birth date, and the ISO 7064 MOD 11-2 check character.
pub fn is_resident_id(s: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) || b[0] == b'0' {
        return false;
    }
    if !is_date(&s[6..10], &s[10..12], &s[12..14], 1800..=2099) {
        return false;
    }
    let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(c, w)| u32::from(c - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    b[17].eq_ignore_ascii_case(&check)
}

/// The first-generation ID number (before 1999): 15 digits, a province code, a birth date
/// `YYMMDD` in the 1900s at digits 7–12, a sequence number; no check digit.
pub fn is_resident_id_15(s: &str) -> bool {
    s.len() == 15
        && s.bytes().all(|b| b.is_ascii_digit())
        && PROVINCES.contains(&&s[..2])
        && is_date(&format!("19{}", &s[6..8]), &s[8..10], &s[10..12], 1900..=1999)
}

fn is_date(y: &str, m: &str, d: &str, years: std::ops::RangeInclusive<i16>) -> bool {
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i16>(), m.parse::<i8>(), d.parse::<i8>()) else { return false };
    years.contains(&y) && jiff::civil::Date::new(y, m, d).is_ok()
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
