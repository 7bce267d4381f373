//! The 评分表 (《考核办法》第八条–第十条): each roster unit scored on each indicator of the scheme,
//! computed from the gathering and the year's timeline or entered by hand, then totalled and
//! graded. A computed indicator whose input is missing is 未取得 and a hand indicator not yet
//! entered is 待评: either makes the total provisional, never a grade. The unit's self-check score
//! is carried as a reference, never used.

use serde::Serialize;

use super::scheme::{Approval, Entries, Indicator, Measure, Scheme};
use super::snapshot::{Snapshot, Status, UnitSnapshot};
use super::timeline::{Timeline, UnitTimeline};
use crate::calendar::Calendar;

/// How one indicator came out for one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Cell {
    /// Computed from the data.
    Computed {
        /// Points, to one decimal.
        score: f64,
        /// How, in words.
        basis: String,
    },
    /// Entered by the 考核小组.
    Entered {
        /// Points.
        score: f64,
        /// 评分人.
        by: String,
        /// 日期.
        date: String,
        /// 说明.
        note: Option<String>,
    },
    /// The input is not available (未取得).
    Unavailable {
        /// Why, in words.
        why: String,
    },
    /// A hand indicator not yet entered (待评).
    Pending,
}

impl Cell {
    /// The points, once known.
    pub fn score(&self) -> Option<f64> {
        match self {
            Cell::Computed { score, .. } | Cell::Entered { score, .. } => Some(*score),
            _ => None,
        }
    }

    /// As the 评分表 shows it: the points, 未取得 or 待评.
    pub fn shown(&self) -> String {
        match self {
            Cell::Unavailable { .. } => "未取得".into(),
            Cell::Pending => "待评".into(),
            other => points(other.score().unwrap_or(0.0)),
        }
    }

    /// How it was scored, in words.
    pub fn note(&self) -> String {
        match self {
            Cell::Computed { basis, .. } => basis.clone(),
            Cell::Entered { by, date, note, .. } => {
                let mut s = format!("考核小组评分：{by}，{date}");
                if let Some(n) = note {
                    s.push_str(&format!("；{n}"));
                }
                s
            }
            Cell::Unavailable { why } => format!("未取得：{why}"),
            Cell::Pending => "待考核小组评分".into(),
        }
    }
}

/// Points as shown: at most one decimal, none when whole.
pub fn points(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 { format!("{r:.0}") } else { format!("{r:.1}") }
}

/// 第十条: 90 分以上优秀, 80 分以上良好, 60 分及以上合格, 不足 60 分不合格 (以上 includes the figure).
pub fn grade(total: f64) -> &'static str {
    if total >= 90.0 {
        "优秀"
    } else if total >= 80.0 {
        "良好"
    } else if total >= 60.0 {
        "合格"
    } else {
        "不合格"
    }
}

/// One unit's row of the 评分表.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The roster's name.
    pub unit: String,
    /// Each indicator, in the scheme's order.
    pub cells: Vec<Cell>,
    /// The points known so far.
    pub total: f64,
    /// Indicators still 未取得 or 待评: the total is provisional while any remain.
    pub open: usize,
    /// The grade (第十条), only when nothing is open.
    pub grade: Option<&'static str>,
    /// The unit's own self-check score: a reference, never the result.
    pub self_check: Option<u32>,
    /// Working days with an item missing, over the year's gatherings (`None`: fewer than two).
    pub late_days: Option<u32>,
}

/// The 评分表 of a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sheet {
    /// The indicators.
    #[serde(skip)]
    pub indicators: Vec<Indicator>,
    /// One row per roster unit, in roster order.
    pub rows: Vec<Row>,
    /// The 领导小组's approval (第九条(五)), once recorded.
    #[serde(skip)]
    pub approval: Option<Approval>,
}

/// Working days with some item missing between the year's gatherings, and the working days
/// they span: each interval between two gatherings counts as the state at its start.
pub fn late_days(unit: &UnitTimeline, days: &[String], calendar: &Calendar) -> Option<(u32, u32)> {
    let known: Vec<(&String, bool)> =
        days.iter().filter_map(|d| unit.states.get(d).and_then(|s| s.late()).map(|l| (d, l))).collect();
    if known.len() < 2 {
        return None;
    }
    let (mut late, mut all) = (0, 0);
    for pair in known.windows(2) {
        let (Some(a), Some(b)) = (crate::shape::parse_date(pair[0].0), crate::shape::parse_date(pair[1].0)) else {
            continue;
        };
        let n = calendar.working_days_between(a, b).value;
        all += n;
        if pair[0].1 {
            late += n;
        }
    }
    Some((late, all))
}

fn computed(points: u32, share: f64, basis: String) -> Cell {
    let score = (f64::from(points) * share.clamp(0.0, 1.0) * 10.0).round() / 10.0;
    Cell::Computed { score, basis }
}

/// 全年及时: the share of the year's working days (between its gatherings) without a missing item.
fn timeliness(p: u32, timeline: Option<&UnitTimeline>, days: &[String], cal: &Calendar) -> Cell {
    match timeline.and_then(|t| late_days(t, days, cal)) {
        Some((_, 0)) | None => {
            Cell::Unavailable { why: "历史库中本年度的汇总不足两次，无法计算缺项天数".into() }
        }
        Some((late, all)) => computed(
            p,
            1.0 - f64::from(late) / f64::from(all),
            format!("{all} 个工作日中有缺项 {late} 个工作日（{} 至 {}）", days[0], days[days.len() - 1]),
        ),
    }
}

/// One computed indicator for one unit.
fn measure(
    ind: &Indicator,
    u: &UnitSnapshot,
    timeline: Option<&UnitTimeline>,
    days: &[String],
    cal: &Calendar,
) -> Cell {
    let p = ind.points;
    let unavailable = |why: &str| Cell::Unavailable { why: why.to_string() };
    match ind.measure {
        Measure::Manual => return Cell::Pending,
        Measure::Timeliness => return timeliness(p, timeline, days, cal),
        _ if u.status == Status::Missing => return computed(p, 0.0, "应报未报：没有公开的数据".into()),
        _ => {}
    }
    let Some(d) = u.data.as_ref() else { return unavailable("本次汇总没有读到该单位的数据") };
    match ind.measure {
        Measure::Manual | Measure::Timeliness => Cell::Pending,
        Measure::Completeness => {
            if d.required == 0 {
                return unavailable("没有必须公开的项目");
            }
            let share = f64::from(d.published) / f64::from(d.required);
            computed(p, share, format!("必须公开 {} 项，已公开 {} 项", d.required, d.published))
        }
        Measure::AnnualReport => {
            let rule = |id: &str| d.rules.iter().find(|r| r.rule == id).map(|r| r.status.as_str());
            match (rule("baiyin-2021/annual-report"), rule("baiyin-2021/annual-report-deadline")) {
                (None, None) => unavailable("没有取得年度报告的逐项结果"),
                (Some("failed"), _) => computed(p, 0.0, "未公开年度报告".into()),
                (_, Some("failed")) => computed(p, 0.0, "年度报告未按时公开".into()),
                (Some("passed"), Some("passed") | None) => computed(p, 1.0, "年度报告已按时公开".into()),
                _ => unavailable("年度报告是否按时无法判断"),
            }
        }
        Measure::Requests => match &d.requests {
            None => unavailable("没有取得年度报告中的依申请公开数字"),
            Some(r) => match r.balanced {
                Some(true) => computed(p, 1.0, format!("{} 年度依申请公开数字收支平衡", r.year)),
                Some(false) => computed(p, 0.0, format!("{} 年度依申请公开数字收支不平衡", r.year)),
                None => unavailable("年度报告中依申请公开的数字不全"),
            },
        },
        Measure::Evaluation => {
            let scores: Vec<f64> =
                d.evaluations.iter().flatten().filter_map(|e| e.score).filter(|s| (0.0..=100.0).contains(s)).collect();
            if scores.is_empty() {
                return unavailable("单位网站没有公开社会评议结果");
            }
            let mean = scores.iter().sum::<f64>() / scores.len() as f64;
            computed(p, mean / 100.0, format!("社会评议综合满意度 {}（{} 次）", points(mean), scores.len()))
        }
    }
}

/// Score every roster unit of `snapshot`.
pub fn score(scheme: &Scheme, entries: &Entries, snapshot: &Snapshot, timeline: &Timeline) -> Sheet {
    let cal = Calendar::builtin();
    let rows = snapshot
        .units
        .iter()
        .map(|u| {
            let t = timeline.units.get(&u.name);
            let cells: Vec<Cell> = scheme
                .indicators
                .iter()
                .map(|ind| match entries.scores.get(&(u.name.clone(), ind.id.clone())) {
                    Some(m) => {
                        Cell::Entered { score: m.score, by: m.by.clone(), date: m.date.clone(), note: m.note.clone() }
                    }
                    None => measure(ind, u, t, &timeline.days, &cal),
                })
                .collect();
            let total = (cells.iter().filter_map(Cell::score).sum::<f64>() * 10.0).round() / 10.0;
            let open = cells.iter().filter(|c| c.score().is_none()).count();
            Row {
                unit: u.name.clone(),
                total,
                open,
                grade: (open == 0).then(|| grade(total)),
                self_check: u.data.as_ref().and_then(|d| d.score),
                late_days: t.and_then(|t| late_days(t, &timeline.days, &cal)).map(|(late, _)| late),
                cells,
            }
        })
        .collect();
    Sheet { indicators: scheme.indicators.clone(), rows, approval: entries.approval.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_follow_article_ten() {
        assert_eq!(
            [grade(100.0), grade(90.0), grade(89.9), grade(80.0), grade(60.0), grade(59.9)],
            ["优秀", "优秀", "良好", "良好", "合格", "不合格"]
        );
        assert_eq!([points(29.25), points(30.0), points(7.0 / 3.0)], ["29.3", "30", "2.3"]);
    }
}
