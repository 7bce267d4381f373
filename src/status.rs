//! What a document's 状态 says: a closed set, and the one definition of "withdrawn".
//!
//! Sits at the bottom with `shape` (pure, no I/O). The schema reports a status word outside the
//! set (with the word it probably means), the timing rules ask a withdrawn or ended document for
//! its explanation (第十二条(三)), and the pages show it with a banner: all three read it here.

/// The standing of a document (a notice, a service).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standing {
    /// In force.
    Valid,
    /// Withdrawn (撤销): it should not have taken effect, or no longer will.
    Withdrawn,
    /// Ended (终止): it was in force and has stopped.
    Ended,
}

impl Standing {
    /// The word to write, and to show.
    pub(crate) fn zh(self) -> &'static str {
        match self {
            Standing::Valid => "有效",
            Standing::Withdrawn => "已撤销",
            Standing::Ended => "已终止",
        }
    }

    /// Withdrawn or ended: no longer in force, and 第十二条(三) asks for an explanation.
    pub(crate) fn is_withdrawn(self) -> bool {
        self != Standing::Valid
    }
}

/// The words accepted as written (the set, with the English keys and the short forms).
const WORDS: &[(&str, Standing)] = &[
    ("有效", Standing::Valid),
    ("valid", Standing::Valid),
    ("已撤销", Standing::Withdrawn),
    ("撤销", Standing::Withdrawn),
    ("withdrawn", Standing::Withdrawn),
    ("已终止", Standing::Ended),
    ("终止", Standing::Ended),
    ("ended", Standing::Ended),
];

/// Words clerks write for a standing that are not in the set: understood (a cancelled notice is
/// never shown as live), and reported with the word to write instead.
const NEAR: &[(&str, Standing)] = &[
    ("取消", Standing::Withdrawn),
    ("已取消", Standing::Withdrawn),
    ("撤回", Standing::Withdrawn),
    ("已撤回", Standing::Withdrawn),
    ("撤消", Standing::Withdrawn),
    ("已撤消", Standing::Withdrawn),
    ("作废", Standing::Withdrawn),
    ("已作废", Standing::Withdrawn),
    ("无效", Standing::Ended),
    ("已无效", Standing::Ended),
    ("废止", Standing::Ended),
    ("已废止", Standing::Ended),
    ("失效", Standing::Ended),
    ("已失效", Standing::Ended),
    ("过期", Standing::Ended),
    ("已过期", Standing::Ended),
    ("结束", Standing::Ended),
    ("已结束", Standing::Ended),
    ("停止", Standing::Ended),
    ("已停止", Standing::Ended),
    ("正常", Standing::Valid),
    ("生效", Standing::Valid),
    ("已生效", Standing::Valid),
    ("现行有效", Standing::Valid),
    ("执行中", Standing::Valid),
];

/// How a written status word is understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// A word of the set.
    Exact(Standing),
    /// Not a word of the set, but clearly meant as this one.
    Near(Standing),
    /// Not understood.
    Unknown,
}

impl Reading {
    pub(crate) fn standing(self) -> Option<Standing> {
        match self {
            Reading::Exact(s) | Reading::Near(s) => Some(s),
            Reading::Unknown => None,
        }
    }
}

/// Read a status as written (blank: `Unknown`).
pub(crate) fn read(written: &str) -> Reading {
    let w = written.trim();
    if let Some((_, s)) = WORDS.iter().find(|(word, _)| word.eq_ignore_ascii_case(w)) {
        return Reading::Exact(*s);
    }
    if let Some((_, s)) = NEAR.iter().find(|(word, _)| *word == w) {
        return Reading::Near(*s);
    }
    // a slip of one character in the set's own words (已撤, 以撤销)
    WORDS
        .iter()
        .filter(|(word, _)| !word.is_ascii())
        .find(|(word, _)| strsim::levenshtein(word, w) == 1)
        .map_or(Reading::Unknown, |(_, s)| Reading::Near(*s))
}

/// Every word of the closed set, as `read` takes it exactly (for the editors' schemas).
pub(crate) fn exact_words() -> Vec<&'static str> {
    WORDS.iter().map(|(w, _)| *w).collect()
}

/// Does this status say the document was withdrawn or ended? The one definition used by the
/// checker and the pages.
pub(crate) fn is_withdrawn(written: &str) -> bool {
    read(written).standing().is_some_and(Standing::is_withdrawn)
}

/// Does a free text (a 变更记录 entry's 变更类型, `撤销 5 路延伸方案`) name a withdrawal or an
/// end, in any of the words above?
pub(crate) fn names_withdrawal(text: &str) -> bool {
    WORDS.iter().chain(NEAR).any(|(word, s)| s.is_withdrawn() && !word.is_ascii() && text.contains(word))
        || is_withdrawn(text)
}

/// The words of the set, for messages: 「有效」「已撤销」「已终止」.
pub(crate) fn choices() -> String {
    [Standing::Valid, Standing::Withdrawn, Standing::Ended].map(|s| format!("「{}」", s.zh())).join("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_set_and_its_near_words() {
        assert_eq!(read("已撤销"), Reading::Exact(Standing::Withdrawn));
        assert_eq!(read(" 终止 "), Reading::Exact(Standing::Ended));
        assert_eq!(read("Withdrawn"), Reading::Exact(Standing::Withdrawn));
        assert_eq!(read("有效"), Reading::Exact(Standing::Valid));
        // the words of the issue: understood, but not in the set
        assert_eq!(read("取消"), Reading::Near(Standing::Withdrawn));
        assert_eq!(read("已撤回"), Reading::Near(Standing::Withdrawn));
        assert_eq!(read("已撤"), Reading::Near(Standing::Withdrawn));
        assert_eq!(read("废止"), Reading::Near(Standing::Ended));
        assert_eq!(read("无效"), Reading::Near(Standing::Ended), "one edit from 有效, but its opposite");
        assert_eq!(read("暂缓"), Reading::Unknown);
        assert_eq!(read(""), Reading::Unknown);
    }

    #[test]
    fn withdrawn_is_one_definition() {
        for w in ["已撤销", "撤销", "已终止", "终止", "withdrawn", "ended", "取消", "已撤回", "作废"] {
            assert!(is_withdrawn(w), "{w}");
        }
        // `contains('撤')` would have called these withdrawn, an exact list would have missed 取消
        for w in ["有效", "正常", "撤销申请已受理", ""] {
            assert!(!is_withdrawn(w), "{w}");
        }
        assert!(names_withdrawal("撤销 5 路延伸方案") && names_withdrawal("取消") && !names_withdrawal("变更"));
    }
}
