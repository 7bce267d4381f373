//! What a unit's completeness comes to: the count of required items published, the weighted
//! score, the grade a supervising body would read it with, and the flags that must stay visible.
//!
//! Inside `check`, above `outcome` (called once per unit, after its rules and the 第六条 review
//! ran); pure.
//! The grade bands are data (a pack's `grades:`), never code: gongkai only judges the exact
//! ratio against them and caps the grade while an error remains.

use serde::Serialize;

use super::outcome::{Outcome, Status};
use crate::finding::{Finding, Kind, Severity};
use crate::pack::Grades;

/// An error that stays visible beside the completeness count on public pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    /// Something was published later than its deadline allows, or is overdue (逾期).
    Overdue,
    /// A document holds what 第六条 forbids and is withheld until it is corrected (待改正).
    ToFix,
}

impl Flag {
    /// The flag in words (逾期, 待改正).
    pub fn zh(self) -> &'static str {
        match self {
            Flag::Overdue => "逾期",
            Flag::ToFix => "待改正",
        }
    }
}

/// A unit's completeness.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Completeness {
    /// The items the measure requires of this unit (its item rules that are errors when
    /// missing), and how many of them are published, complete and of the right shape.
    pub required: u32,
    /// How many of `required` are published, complete and in shape.
    pub published: u32,
    /// The weight of the passed error rules, and of all error rules that apply.
    pub points: u32,
    /// The weight of all error rules that apply.
    pub max_points: u32,
    /// 0–100: `points` over `max_points`, rounded down (89.5 is 89).
    pub score: u32,
    /// The band of the exact ratio in the site's grading (a pack's `grades:`), capped while an
    /// error remains; `None` when no pack grades. A self-check reference, not an assessment.
    pub grade: Option<String>,
    /// Why `grade` is lower than the score's band (an error remains), if it is.
    pub grade_capped: Option<String>,
    /// Errors that stay visible beside the count: overdue publications, withheld documents.
    pub flags: Vec<Flag>,
}

/// Count and grade a unit from its rule outcomes and its findings.
pub(super) fn completeness(
    outcomes: &[Outcome],
    items: &[bool],
    findings: &[Finding],
    grades: Option<&Grades>,
) -> Completeness {
    let scored = || outcomes.iter().filter(|o| o.severity == Severity::Error);
    let (points, max_points) = scored()
        .fold((0u32, 0u32), |(g, t), o| (g + if o.status == Status::Passed { o.weight } else { 0 }, t + o.weight));
    // rounded down, so the number shown never reaches a band its exact ratio does not
    let score = if max_points == 0 { 100 } else { (u64::from(points) * 100 / u64::from(max_points)) as u32 };
    let (required, published) = outcomes
        .iter()
        .zip(items)
        .filter(|(o, item)| **item && o.severity == Severity::Error)
        .fold((0, 0), |(n, m), (o, _)| (n + 1, m + u32::from(o.status == Status::Passed)));
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let mut flags: Vec<Flag> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .filter_map(|f| match f.kind {
            Kind::Late => Some(Flag::Overdue),
            Kind::Privacy | Kind::Confidential => Some(Flag::ToFix),
            _ => None,
        })
        .collect();
    flags.sort();
    flags.dedup();
    let (grade, capped) = match grades {
        None => (None, None),
        Some(g) => {
            let band = g.band(points, max_points);
            let cap = g.cap_band();
            if errors > 0 && band < cap {
                let why = format!(
                    "还有 {errors} 项错误未改正，等级最高为{}（按得分应为{}）",
                    g.bands[cap].label, g.bands[band].label
                );
                (Some(g.bands[cap].label.clone()), Some(why))
            } else {
                (g.bands.get(band).map(|b| b.label.clone()), None)
            }
        }
    };
    Completeness { required, published, points, max_points, score, grade, grade_capped: capped, flags }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::pack::Band;

    fn grades() -> Grades {
        Grades {
            source: "第十条".into(),
            bands: [(90, "优秀"), (80, "良好"), (60, "合格"), (0, "不合格")]
                .into_iter()
                .map(|(min, label)| Band { min, label: label.into() })
                .collect(),
            cap: "良好".into(),
        }
    }

    fn outcome(weight: u32, passed: bool) -> Outcome {
        Outcome {
            rule: Arc::from("p/r"),
            citation: Arc::from("第五条"),
            title: Arc::from("t"),
            severity: Severity::Error,
            weight,
            verified: true,
            status: if passed { Status::Passed } else { Status::Failed },
        }
    }

    fn error(kind: Kind) -> Finding {
        Finding {
            unit: Some("u".into()),
            rule: "p/r".into(),
            citation: None,
            title: String::new(),
            kind,
            severity: Severity::Error,
            file: "f".into(),
            line: None,
            column: None,
            field: None,
            message: "m".into(),
            help: None,
            detail: None,
            origin: crate::finding::Origin::Rule,
        }
    }

    #[test]
    fn a_score_of_89_5_is_not_the_top_grade() {
        // 179 of 200 points: 89.5%, shown as 89, graded 良好 — never rounded up into 优秀
        let outcomes = [outcome(179, true), outcome(21, false)];
        let c = completeness(&outcomes, &[true, true], &[error(Kind::Missing)], Some(&grades()));
        assert_eq!((c.score, c.grade.as_deref()), (89, Some("良好")));
        let c = completeness(&[outcome(90, true), outcome(10, false)], &[true, true], &[], Some(&grades()));
        assert_eq!((c.score, c.grade.as_deref(), c.grade_capped), (90, Some("优秀"), None));
    }

    #[test]
    fn an_unresolved_error_caps_the_grade_and_says_why() {
        let outcomes = [outcome(100, true)];
        let c = completeness(&outcomes, &[true], &[error(Kind::Late)], Some(&grades()));
        assert_eq!((c.score, c.grade.as_deref()), (100, Some("良好")));
        assert_eq!(c.grade_capped.as_deref(), Some("还有 1 项错误未改正，等级最高为良好（按得分应为优秀）"));
        assert_eq!(c.flags, [Flag::Overdue]);
        let c = completeness(&outcomes, &[true], &[error(Kind::Privacy), error(Kind::Late)], Some(&grades()));
        assert_eq!(c.flags, [Flag::Overdue, Flag::ToFix]);
        // a lower band is not raised to the cap
        let c = completeness(
            &[outcome(7, true), outcome(3, false)],
            &[true, true],
            &[error(Kind::Missing)],
            Some(&grades()),
        );
        assert_eq!((c.grade.as_deref(), c.grade_capped), (Some("合格"), None));
    }

    #[test]
    fn items_count_only_required_item_rules() {
        let mut late = outcome(0, false);
        late.weight = 0;
        let outcomes = [outcome(3, true), outcome(2, false), late];
        let c = completeness(&outcomes, &[true, true, false], &[], None);
        assert_eq!((c.required, c.published, c.grade), (2, 1, None));
    }
}
