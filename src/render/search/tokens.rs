//! The search index's words: how text becomes grams (here, and the same rules in
//! `themes/default/static/search.js`), and how a gram finds its shard.
//!
//! Chinese has no spaces, so every run of Han characters is cut into overlapping two-character
//! grams (`计划停水` → `计划`, `划停`, `停水`); a lone Han character is a gram of its own. Runs of
//! ASCII letters and digits are words, lowercased. Full-width ASCII is folded to half-width first.
//! A query matches a page that has every gram of the query: a two-character query is one lookup.

/// `c` as the tokenizer sees it: full-width ASCII folded, letters lowercased.
fn fold(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c).to_ascii_lowercase(),
        _ => c.to_ascii_lowercase(),
    }
}

/// A Han ideograph (the CJK blocks a Chinese portal uses, extensions included).
fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xf900..=0xfaff | 0x20000..=0x2ffff)
}

/// Call `emit` with every gram of `text`, in order (repeats included).
pub(crate) fn grams(text: &str, mut emit: impl FnMut(&str)) {
    let mut han: Vec<char> = Vec::new();
    let mut word = String::new();
    let mut buf = String::new();
    let mut flush_han = |han: &mut Vec<char>, emit: &mut dyn FnMut(&str)| {
        if han.len() == 1 {
            buf.clear();
            buf.push(han[0]);
            emit(&buf);
        }
        for pair in han.windows(2) {
            buf.clear();
            buf.extend(pair);
            emit(&buf);
        }
        han.clear();
    };
    for c in text.chars().map(fold) {
        if is_han(c) {
            if !word.is_empty() {
                emit(&word);
                word.clear();
            }
            han.push(c);
        } else {
            flush_han(&mut han, &mut emit);
            if c.is_ascii_alphanumeric() {
                word.push(c);
            } else if !word.is_empty() {
                emit(&word);
                word.clear();
            }
        }
    }
    flush_han(&mut han, &mut emit);
    if !word.is_empty() {
        emit(&word);
    }
}

/// The shard a gram's postings are in: FNV-1a over its UTF-16 code units (what JavaScript's
/// `charCodeAt` gives), modulo the number of shards.
pub(crate) fn shard(gram: &str, shards: u32) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for unit in gram.encode_utf16() {
        h = (h ^ u32::from(unit)).wrapping_mul(0x0100_0193);
    }
    h % shards.max(1)
}

/// Postings of one gram: ascending document numbers, each stored as its distance from the
/// previous one in LEB128 (most take one byte), so the whole portal's index stays small in
/// memory while it is built.
#[derive(Debug, Default)]
pub(crate) struct Postings {
    bytes: Vec<u8>,
    last: Option<u32>,
}

impl Postings {
    /// Add `doc`; documents come in ascending order, a repeat of the last one is ignored.
    pub(crate) fn push(&mut self, doc: u32) {
        let mut gap = match self.last {
            Some(last) if doc <= last => return,
            Some(last) => doc - last,
            None => doc,
        };
        self.last = Some(doc);
        loop {
            let byte = (gap & 0x7f) as u8;
            gap >>= 7;
            if gap == 0 {
                self.bytes.push(byte);
                break;
            }
            self.bytes.push(byte | 0x80);
        }
    }

    /// The gaps between documents (the first is the first document's number), as the index
    /// file writes them.
    pub(crate) fn gaps(&self) -> impl Iterator<Item = u32> + '_ {
        let mut at = 0;
        std::iter::from_fn(move || {
            let mut value = 0u32;
            let mut shift = 0;
            while let Some(&b) = self.bytes.get(at) {
                at += 1;
                value |= u32::from(b & 0x7f) << shift;
                shift += 7;
                if b & 0x80 == 0 {
                    return Some(value);
                }
            }
            None
        })
    }

    /// Bytes held.
    pub(crate) fn size(&self) -> usize {
        self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        grams(text, |g| out.push(g.to_string()));
        out
    }

    #[test]
    fn han_runs_become_overlapping_pairs() {
        assert_eq!(all("计划停水"), ["计划", "划停", "停水"]);
        assert_eq!(all("关于停水，请"), ["关于", "于停", "停水", "请"]);
    }

    #[test]
    fn ascii_words_are_lowercased_and_full_width_folded() {
        assert_eq!(all("DN300管道 ＩＣ卡"), ["dn300", "管道", "ic", "卡"]);
        assert_eq!(all("2026年12月"), ["2026", "年", "12", "月"]);
    }

    #[test]
    fn punctuation_and_space_separate_and_produce_nothing() {
        assert!(all("，。 ！—— \u{3000}").is_empty());
        assert_eq!(all("水"), ["水"]);
    }

    #[test]
    fn shard_matches_the_javascript_hash() {
        // FNV-1a of "停水" in UTF-16 (0x505c, 0x6c34), as search.js computes it with Math.imul
        let mut h: u32 = 0x811c_9dc5;
        for u in [0x505cu32, 0x6c34] {
            h = (h ^ u).wrapping_mul(16_777_619);
        }
        assert_eq!(shard("停水", u32::MAX), h % u32::MAX);
        assert_eq!(shard("停水", 1), 0);
        // a character outside the BMP hashes as its two surrogates
        assert_ne!(shard("𠀀水", 1 << 20), shard("水", 1 << 20));
    }

    #[test]
    fn postings_round_trip_as_gaps_and_ignore_repeats() {
        let mut p = Postings::default();
        for d in [0, 3, 3, 200, 70_000] {
            p.push(d);
        }
        assert_eq!(p.gaps().collect::<Vec<_>>(), [0, 3, 197, 69_800]);
        assert_eq!(p.size(), 1 + 1 + 2 + 3);
    }
}
