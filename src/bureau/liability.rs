//! Evidence for 责任追究: for each unit, the episodes of the year's timeline that match a 情形 of
//! 《责任追究办法》第六条 and 《信息公开办法》第十二条 — an item went missing (or was missing at the
//! year's first gathering) on a day and was fixed on a day, or is still missing — with repeats
//! within the year flagged (第十条(四)). It lists evidence; it decides nothing.

use serde::Serialize;

use super::timeline::{Timeline, UnitTimeline};

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

/// One unit's evidence from its timeline.
pub fn evidence(name: &str, unit: &UnitTimeline, days: &[String]) -> Evidence {
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
        }));
    }
    episodes.sort_by(|a, b| (&a.from, &a.rule).cmp(&(&b.from, &b.rule)));
    Evidence { unit: name.to_string(), twice_or_more: episodes.len() >= 2, episodes }
}

/// Every roster unit's evidence, in the order of `names`.
pub fn all<'a>(names: impl Iterator<Item = &'a str>, timeline: &Timeline) -> Vec<Evidence> {
    let empty = UnitTimeline::default();
    names.map(|n| evidence(n, timeline.units.get(n).unwrap_or(&empty), &timeline.days)).collect()
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
        let e = evidence("甲", &unit, &days);
        let got: Vec<(&str, Option<&str>, bool, bool)> =
            e.episodes.iter().map(|x| (x.from.as_str(), x.fixed.as_deref(), x.at_first, x.repeat)).collect();
        assert_eq!(got, [("2026-03-01", Some("2026-04-01"), true, false), ("2026-06-01", None, false, true)]);
        assert!(e.twice_or_more);
        assert!(situation("privacy/id-number").contains("第六条（五）"));
        assert!(situation("baiyin-2021/annual-report-deadline").contains("第六条（四）"));
        assert!(situation("baiyin-2021/fees-fresh").contains("第六条（三）不及时更新"));
    }
}
