//! Evidence for 责任追究: for each unit, the episodes of the year's timeline that match a 情形 of
//! 《责任追究办法》第六条 and 《信息公开办法》第十二条 — an item went missing (or was missing at the
//! year's first gathering) on a day and was fixed on a day, or is still missing — with repeats
//! within the year flagged (第十条(四)), and whether a problem named in a written feedback was
//! fixed afterwards, and when (整改, 《考核办法》第九条（六）). It lists evidence; it decides nothing.

use serde::Serialize;

use super::feedback::{Letter, RECTIFY_DAYS};
use super::timeline::{Timeline, UnitTimeline};
use crate::calendar::Calendar;

/// The 情形 a rule's failure is evidence of, by rule id.
pub fn situation(rule: &str) -> &'static str {
    let tail = rule.rsplit('/').next().unwrap_or(rule);
    if rule.starts_with("privacy/") {
        "《责任追究办法》第六条（五）泄露个人隐私等；《信息公开办法》第十二条（六）公开不应该公开事项"
    } else if tail.starts_with("annual-report") {
        "《责任追究办法》第六条（四）不按时编制、公布年度报告"
    } else if tail == "changes-explained" {
        "《信息公开办法》第十二条（三）变更、撤销或终止未及时公布并作出说明"
    } else if tail.ends_with("-fresh") || tail.ends_with("-deadline") || tail.ends_with("-ahead") {
        "《责任追究办法》第六条（三）不及时更新公开内容；《信息公开办法》第十二条（二）不按规定时限公开"
    } else {
        "《责任追究办法》第六条（三）不按照规定主动公开；《信息公开办法》第十二条（一）不履行信息公开职责"
    }
}

/// Nothing published at all.
pub const NOT_PUBLISHED: &str = "《信息公开办法》第十二条（一）不履行信息公开职责（应报未报）";

/// One episode: a 情形 from a day until it was fixed (or still open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Episode {
    /// The 情形.
    pub situation: &'static str,
    /// The item (the rule's title), or 应报未报.
    pub item: String,
    /// `pack/rule`, or `gongkai/not-published`.
    pub rule: String,
    /// The first day it was seen.
    pub from: String,
    /// The day it was seen fixed; `None` while open.
    pub fixed: Option<String>,
    /// It was seen at the year's first gathering (it may be older).
    pub at_first: bool,
    /// The same item had an episode before in the year.
    pub repeat: bool,
    /// It was open when a written feedback was issued: what became of it after.
    pub after_feedback: Option<AfterFeedback>,
}

/// What became of a problem after the written feedback that named it (the first one issued while
/// it was open).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AfterFeedback {
    /// The day the feedback was issued.
    pub letter: String,
    /// Its 文号.
    pub number: Option<String>,
    /// Working days from the feedback to the gathering that saw it fixed; `None`: not fixed.
    pub fixed_within: Option<u32>,
}

impl AfterFeedback {
    /// In words, for the evidence and the letters.
    pub fn words(&self) -> String {
        let letter = match &self.number {
            Some(n) => format!("{}（{n}）", self.letter),
            None => self.letter.clone(),
        };
        match self.fixed_within {
            Some(n) if n <= RECTIFY_DAYS => format!("{letter} 反馈后 {n} 个工作日内整改"),
            Some(n) => format!("{letter} 反馈后 {n} 个工作日才整改（超过 {RECTIFY_DAYS} 个工作日）"),
            None => format!("{letter} 反馈后未整改"),
        }
    }
}

/// The first letter issued while an episode from `from` (fixed on `fixed`) was open, and the
/// working days from it to the fix.
fn after_feedback(from: &str, fixed: Option<&str>, letters: &[&Letter], cal: &Calendar) -> Option<AfterFeedback> {
    let letter = letters.iter().find(|l| from <= l.date.as_str() && fixed.is_none_or(|f| f > l.date.as_str()))?;
    let day = |d: &str| d.parse::<jiff::civil::Date>().ok();
    let fixed_within = fixed.and_then(|f| Some(cal.working_days_between(day(&letter.date)?, day(f)?).value));
    Some(AfterFeedback { letter: letter.date.clone(), number: letter.number.clone(), fixed_within })
}

/// A unit's evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The roster's name.
    pub unit: String,
    /// The episodes, by day.
    pub episodes: Vec<Episode>,
    /// Two or more episodes in the year (《责任追究办法》第十条（四）).
    pub twice_or_more: bool,
    /// The written feedback issued to the unit in the year, by date.
    pub letters: Vec<Letter>,
}

impl Evidence {
    /// Problems named in a written feedback and not fixed since.
    pub fn unfixed_after_feedback(&self) -> usize {
        self.episodes.iter().filter(|e| e.after_feedback.as_ref().is_some_and(|a| a.fixed_within.is_none())).count()
    }
}

fn episodes_of(
    list: &[(String, bool)],
    first: &str,
    make: impl Fn(String, Option<String>, bool) -> Episode,
) -> Vec<Episode> {
    let mut out: Vec<Episode> = Vec::new();
    let mut open: Option<String> = None;
    for (day, bad) in list {
        match (&open, bad) {
            (None, true) => open = Some(day.clone()),
            (Some(from), false) => {
                out.push(make(from.clone(), Some(day.clone()), from == first));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(from) = open {
        out.push(make(from.clone(), None, from == first));
    }
    for later in out.iter_mut().skip(1) {
        later.repeat = true;
    }
    out
}

/// One unit's evidence from its timeline and the written feedback it was sent (by date).
pub fn evidence(name: &str, unit: &UnitTimeline, days: &[String], letters: &[&Letter], cal: &Calendar) -> Evidence {
    let first = days.first().map(String::as_str).unwrap_or_default();
    let mut episodes = Vec::new();
    let missing: Vec<(String, bool)> =
        days.iter().filter_map(|d| unit.states.get(d).map(|s| (d.clone(), s.status == "missing"))).collect();
    episodes.extend(episodes_of(&missing, first, |from, fixed, at_first| Episode {
        situation: NOT_PUBLISHED,
        item: "应报未报".into(),
        rule: "gongkai/not-published".into(),
        from,
        fixed,
        at_first,
        repeat: false,
        after_feedback: None,
    }));
    for (rule, changes) in &unit.rules {
        let list: Vec<(String, bool)> = changes.iter().map(|c| (c.day.clone(), c.status == "failed")).collect();
        let title = changes.last().map(|c| c.title.clone()).unwrap_or_default();
        episodes.extend(episodes_of(&list, first, |from, fixed, at_first| Episode {
            situation: situation(rule),
            item: title.clone(),
            rule: rule.clone(),
            from,
            fixed,
            at_first,
            repeat: false,
            after_feedback: None,
        }));
    }
    for e in &mut episodes {
        e.after_feedback = after_feedback(&e.from, e.fixed.as_deref(), letters, cal);
    }
    episodes.sort_by(|a, b| (&a.from, &a.rule).cmp(&(&b.from, &b.rule)));
    let letters = letters.iter().map(|l| (*l).clone()).collect();
    Evidence { unit: name.to_string(), twice_or_more: episodes.len() >= 2, episodes, letters }
}

/// Every roster unit's evidence, in the order of `names`, with the written feedback issued.
pub fn all<'a>(names: impl Iterator<Item = &'a str>, timeline: &Timeline, letters: &[Letter]) -> Vec<Evidence> {
    let empty = UnitTimeline::default();
    let cal = Calendar::builtin();
    names
        .map(|n| {
            let sent = super::feedback::of(letters, n);
            evidence(n, timeline.units.get(n).unwrap_or(&empty), &timeline.days, &sent, &cal)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::timeline::RuleChange;
    use super::*;

    #[test]
    fn an_item_missing_twice_is_two_episodes_the_second_a_repeat() {
        let days: Vec<String> = ["2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01"].map(String::from).to_vec();
        let mut unit = UnitTimeline::default();
        let ch =
            |day: &str, status: &str| RuleChange {
                day: day.into(), status: status.into(), title: "收费标准".into()
            };
        unit.rules.insert(
            "baiyin-2021/fee-standard".into(),
            vec![ch("2026-03-01", "failed"), ch("2026-04-01", "passed"), ch("2026-06-01", "failed")],
        );
        let e = evidence("甲", &unit, &days, &[], &Calendar::builtin());
        let got: Vec<(&str, Option<&str>, bool, bool)> =
            e.episodes.iter().map(|x| (x.from.as_str(), x.fixed.as_deref(), x.at_first, x.repeat)).collect();
        assert_eq!(got, [("2026-03-01", Some("2026-04-01"), true, false), ("2026-06-01", None, false, true)]);
        assert!(e.twice_or_more);
        assert!(situation("privacy/id-number").contains("第六条（五）"));
        assert!(situation("baiyin-2021/annual-report-deadline").contains("第六条（四）"));
        assert!(situation("baiyin-2021/fees-fresh").contains("第六条（三）不及时更新"));
    }

    #[test]
    fn a_problem_is_named_by_the_first_letter_issued_while_it_was_open() {
        let cal = Calendar::builtin();
        let letter = |date: &str| Letter { unit: "甲".into(), date: date.into(), number: None };
        let (early, may, june) = (letter("2026-03-01"), letter("2026-05-06"), letter("2026-06-01"));
        let letters = [&early, &may, &june];
        // open from 04-01, fixed on 06-01: named by the letter of 05-06; 05-06 → 06-01 is 19
        // working days (the 劳动节 ends 05-05, Saturday 05-09 is a workday)
        let a = after_feedback("2026-04-01", Some("2026-06-01"), &letters, &cal).unwrap();
        assert_eq!((a.letter.as_str(), a.fixed_within), ("2026-05-06", Some(19)));
        assert_eq!(a.words(), "2026-05-06 反馈后 19 个工作日内整改");
        // seen fixed on a letter's day: that letter did not name it
        assert_eq!(after_feedback("2026-04-01", Some("2026-05-06"), &[&may], &cal), None);
        assert_eq!(after_feedback("2026-06-02", None, &letters, &cal), None);
        let open = after_feedback("2026-05-10", None, &letters, &cal).unwrap();
        assert_eq!(open.words(), "2026-06-01 反馈后未整改");
    }
}
