//! What the static site and the request desk (`desk/`, the `gongkai-desk` binary) agree on: the
//! fields of the 依申请公开 form a unit's request page posts to the desk, the routes of the
//! desk the site links to, the questions and ratings of a 社会评议 questionnaire, the rule that
//! turns the tallies into a 等次, and the file the desk exports into a unit's folder
//! (`evaluations/<评议>.yaml`) for `build` to publish.
//!
//! One place, so that the page's form and the desk's validation cannot drift. Values only: no
//! file, no network.

use serde::{Deserialize, Serialize};

/// How a form field is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// One line of text.
    Line,
    /// Several lines of text.
    Text,
    /// One of the given choices.
    Choice(&'static [&'static str]),
}

/// A field of the application form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The form field's `name` (ASCII, stable: the desk stores by it).
    pub name: &'static str,
    /// The label the form shows.
    pub label: &'static str,
    /// A hint under the label (empty: none).
    pub hint: &'static str,
    /// Whether the desk refuses an application without it.
    pub required: bool,
    /// The most characters (not bytes) the desk accepts.
    pub max_chars: usize,
    /// How it is entered.
    pub input: Input,
}

/// The contents of an application, 《政府信息公开条例》(2019) 第二十九条: (一) the applicant's
/// name or organisation, identity proof and contact; (二) the information's name, 文号 or a
/// description; (三) the form and the way of receiving it. At least one of 电话, 电子邮箱 and
/// 通信地址 is needed (the desk checks it; see [`contact_given`]).
pub const APPLICATION_FIELDS: [Field; 9] = [
    Field {
        name: "applicant",
        label: "申请人姓名或者名称",
        hint: "公民填写姓名，法人或者其他组织填写名称",
        required: true,
        max_chars: 100,
        input: Input::Line,
    },
    Field {
        name: "id_doc",
        label: "身份证明",
        hint: "证件名称和号码，例如：居民身份证 620400……；组织填写统一社会信用代码",
        required: true,
        max_chars: 100,
        input: Input::Line,
    },
    Field { name: "phone", label: "联系电话", hint: "", required: false, max_chars: 40, input: Input::Line },
    Field { name: "email", label: "电子邮箱", hint: "", required: false, max_chars: 120, input: Input::Line },
    Field {
        name: "address",
        label: "通信地址",
        hint: "邮寄答复时必填",
        required: false,
        max_chars: 200,
        input: Input::Line,
    },
    Field {
        name: "info",
        label: "所需信息的名称或者描述",
        hint: "写明信息的名称，或者便于查找的特征描述（时间、事项、地点等）",
        required: true,
        max_chars: 2000,
        input: Input::Text,
    },
    Field {
        name: "doc_number",
        label: "文号",
        hint: "知道时填写",
        required: false,
        max_chars: 100,
        input: Input::Line,
    },
    Field {
        name: "medium",
        label: "信息的载体形式",
        hint: "",
        required: true,
        max_chars: 20,
        input: Input::Choice(&["纸质", "电子"]),
    },
    Field {
        name: "delivery",
        label: "获取信息的方式",
        hint: "",
        required: true,
        max_chars: 20,
        input: Input::Choice(&["邮寄", "电子邮件", "当面领取"]),
    },
];

/// The fields of which an application needs at least one (第二十九条(一) 联系方式).
pub const CONTACT_FIELDS: [&str; 3] = ["phone", "email", "address"];

/// Whether an application gives a way to reach the applicant: one of [`CONTACT_FIELDS`] is
/// not blank (`value` returns a field's value as submitted).
pub fn contact_given<'a>(value: impl Fn(&str) -> Option<&'a str>) -> bool {
    CONTACT_FIELDS.iter().any(|f| value(f).is_some_and(|v| !v.trim().is_empty()))
}

/// A field no person sees (hidden by the stylesheet, `tabindex=-1`, `autocomplete=off`): a
/// submission with anything in it is a robot's and is dropped.
pub const HONEYPOT: &str = "homepage";

/// The desk's routes, relative to the desk's address from `gongkai.yaml` (which ends with `/`).
/// `unit` is the unit's folder name in the portal (its path on the site).
pub fn apply_path(unit: &str) -> String {
    format!("u/{unit}/apply")
}

/// The questionnaire of a unit (open only during a campaign, 《社会评议办法》第七条).
pub fn evaluate_path(unit: &str) -> String {
    format!("u/{unit}/evaluate")
}

/// Where an applicant looks an application up with its 受理编号 and 查询码.
pub const LOOKUP_PATH: &str = "lookup";

/// The questions of a 社会评议 questionnaire: 《社会评议办法》第六条 (一)–(六), as (key, text).
/// (七) "其他" is the free text.
pub const QUESTIONS: [(&str, &str); 6] = [
    ("content", "公开的内容是否全面、真实、准确、规范"),
    ("timeliness", "公开是否及时，是否符合规定的时限"),
    ("channels", "公开的方式、渠道和设施是否便捷有效，是否方便获取"),
    ("rules", "信息公开的制度是否规范健全、落实到位"),
    ("requests", "申请办理是否依法依规、高效便民，是否按规定收费"),
    ("service", "工作人员的服务态度是否热情周到"),
];

/// A rating, and a 等次: 《社会评议办法》第九条.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rating {
    /// 满意.
    满意,
    /// 基本满意.
    基本满意,
    /// 不满意.
    不满意,
}

impl Rating {
    /// The three, best first.
    pub const ALL: [Rating; 3] = [Rating::满意, Rating::基本满意, Rating::不满意];

    /// The word.
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::满意 => "满意",
            Rating::基本满意 => "基本满意",
            Rating::不满意 => "不满意",
        }
    }

    /// The rating a word names (surrounding blanks ignored).
    pub fn parse(s: &str) -> Option<Rating> {
        Rating::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// The points an answer is worth in [`grade`].
    pub fn points(self) -> u64 {
        match self {
            Rating::满意 => 100,
            Rating::基本满意 => 60,
            Rating::不满意 => 0,
        }
    }
}

/// How many answers a question got, by rating.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// 满意 answers.
    #[serde(rename = "满意")]
    pub satisfied: u64,
    /// 基本满意 answers.
    #[serde(rename = "基本满意")]
    pub basically: u64,
    /// 不满意 answers.
    #[serde(rename = "不满意")]
    pub unsatisfied: u64,
}

impl Tally {
    /// Counts one answer.
    pub fn add(&mut self, r: Rating) {
        match r {
            Rating::满意 => self.satisfied += 1,
            Rating::基本满意 => self.basically += 1,
            Rating::不满意 => self.unsatisfied += 1,
        }
    }

    /// All answers.
    pub fn total(&self) -> u64 {
        self.satisfied + self.basically + self.unsatisfied
    }

    /// The answers' points added up (saturating: the counts come from a file).
    fn points(&self) -> u64 {
        [(self.satisfied, Rating::满意), (self.basically, Rating::基本满意), (self.unsatisfied, Rating::不满意)]
            .iter()
            .fold(0u64, |sum, (n, r)| sum.saturating_add(n.saturating_mul(r.points())))
    }
}

/// The 等次 of a unit from the tallies of every question, by gongkai's rule (the measure names the
/// three 等次 but no rule, so this one is documented in the README): each answer is worth 满意
/// 100, 基本满意 60, 不满意 0 points; the 综合满意度 is the mean over all answers to all
/// questions; 85 or more is 满意, 60 or more 基本满意, below 60 不满意. No answer: no 等次.
/// Exact integer arithmetic, no rounding.
pub fn grade<'a>(tallies: impl IntoIterator<Item = &'a Tally>) -> Option<Rating> {
    let (points, answers) = pooled(tallies);
    if answers == 0 {
        None
    } else if points >= answers.saturating_mul(85) {
        Some(Rating::满意)
    } else if points >= answers.saturating_mul(60) {
        Some(Rating::基本满意)
    } else {
        Some(Rating::不满意)
    }
}

/// The 综合满意度 in tenths of a point (853 = 85.3), rounded down: what a page shows beside the
/// 等次. `None` without answers.
pub fn score_tenths<'a>(tallies: impl IntoIterator<Item = &'a Tally>) -> Option<u64> {
    let (points, answers) = pooled(tallies);
    (answers > 0).then(|| points.saturating_mul(10) / answers)
}

/// The points and the number of answers of all tallies together (saturating).
fn pooled<'a>(tallies: impl IntoIterator<Item = &'a Tally>) -> (u64, u64) {
    tallies.into_iter().fold((0u64, 0u64), |(points, answers), t| {
        (points.saturating_add(t.points()), answers.saturating_add(t.total()))
    })
}

/// One question's result in an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionResult {
    /// The question's text as asked ([`QUESTIONS`]).
    #[serde(rename = "题目")]
    pub question: String,
    /// 满意 answers.
    #[serde(rename = "满意")]
    pub satisfied: u64,
    /// 基本满意 answers.
    #[serde(rename = "基本满意")]
    pub basically: u64,
    /// 不满意 answers.
    #[serde(rename = "不满意")]
    pub unsatisfied: u64,
}

impl QuestionResult {
    /// A question's result from its tally.
    pub fn new(question: &str, t: Tally) -> QuestionResult {
        QuestionResult {
            question: question.to_owned(),
            satisfied: t.satisfied,
            basically: t.basically,
            unsatisfied: t.unsatisfied,
        }
    }

    /// The counts as a tally.
    pub fn tally(&self) -> Tally {
        Tally { satisfied: self.satisfied, basically: self.basically, unsatisfied: self.unsatisfied }
    }
}

/// One 整改 (《社会评议办法》第九条): a problem the evaluation found and what the unit does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rectification {
    /// 问题: what the evaluation found.
    #[serde(rename = "问题")]
    pub problem: String,
    /// 措施: what the unit does about it.
    #[serde(rename = "措施")]
    pub measure: String,
    /// 期限, YYYY-MM-DD.
    #[serde(rename = "期限", default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// 整改中 or 已完成.
    #[serde(rename = "状态")]
    pub state: String,
    /// YYYY-MM-DD, when 已完成.
    #[serde(rename = "完成日期", default, skip_serializing_if = "Option::is_none")]
    pub done: Option<String>,
}

/// The states of a [`Rectification`].
pub const RECTIFICATION_STATES: [&str; 2] = ["整改中", "已完成"];

/// What the desk exports for one campaign of one unit, as `evaluations/<编号>.yaml` in the unit's
/// folder: the tallies and the 整改, never who answered, never free text (it may hold personal
/// data; staff publish what they reviewed as 整改 or in the site's own pages). `build` recomputes
/// the 等次 from the tallies with [`grade`]: the file holds no 等次 to disagree with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationExport {
    /// The campaign's name, e.g. 2026年度政务公开社会评议.
    #[serde(rename = "名称")]
    pub name: String,
    /// YYYY-MM-DD, the first and the last day the questionnaire was open.
    /// 开始日期.
    #[serde(rename = "开始日期")]
    pub from: String,
    /// 结束日期.
    #[serde(rename = "结束日期")]
    pub to: String,
    /// Questionnaires received.
    #[serde(rename = "问卷数")]
    pub responses: u64,
    /// 结果: one entry per question, in [`QUESTIONS`] order.
    #[serde(rename = "结果")]
    pub questions: Vec<QuestionResult>,
    /// 整改.
    #[serde(rename = "整改", default)]
    pub rectifications: Vec<Rectification>,
}

/// What became of an application, as the reply records it: the outcomes of the national
/// annual-report template, by the names the request figures file `requests/<年度>.yaml` gives
/// them (the 年度报告's 收到和处理申请情况). 不予公开 needs its reason.
pub const OUTCOMES: [&str; 6] = ["予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"];

/// The keys of a request figures file `requests/<年度>.yaml`, in the order the desk writes them:
/// the year, what came in, [`OUTCOMES`], what goes on to next year, and the appeals.
pub const REQUEST_FIGURES: [&str; 12] = [
    "年度",
    "新收申请数量",
    "上年结转",
    "予以公开",
    "部分公开",
    "不予公开",
    "无法提供",
    "不予处理",
    "其他处理",
    "结转下年度继续办理",
    "行政复议",
    "行政诉讼",
];

/// The first line of every file the desk writes into a site: the desk replaces a file that starts
/// with it, and never one that does not (a clerk's own file).
pub const EXPORT_MARK: &str = "# 由 gongkai-desk 导出：改动请在受理平台上进行，手工修改会在下次导出时被替换";

/// The rule topic by which a pack sets the reply period of applications: a `require: within`
/// rule with `topic: reply-deadline` (`days`, and `unit: calendar` for calendar days). Of several
/// applying to a unit, the strictest verified one counts, as for every topic. (The checker runs
/// it too, over the files its `file:` names that carry its `from:` date.)
pub const REPLY_TOPIC: &str = "reply-deadline";

/// How long a unit has to reply to an application: 20 working days by default
/// (《政府信息公开条例》第三十三条), or what the unit's pack sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyPeriod {
    /// How many days.
    pub days: u32,
    /// Working days (else calendar days).
    pub working: bool,
    /// Where the period comes from, as cited: `《政府信息公开条例》第三十三条`.
    pub basis: String,
}

impl Default for ReplyPeriod {
    fn default() -> ReplyPeriod {
        ReplyPeriod { days: 20, working: true, basis: "《政府信息公开条例》第三十三条".to_owned() }
    }
}

impl ReplyPeriod {
    /// The period for a unit of `sector` under the site's `packs` (see [`REPLY_TOPIC`]).
    pub fn for_unit(sector: Option<&str>, packs: &[crate::pack::Pack]) -> ReplyPeriod {
        crate::check::applicable_to(sector, packs)
            .into_iter()
            .find_map(|(_, r)| match (&r.topic, &r.check) {
                (Some(topic), crate::pack::Check::Within { days, working, .. }) if topic == REPLY_TOPIC => {
                    Some(ReplyPeriod { days: *days, working: *working, basis: r.cited.to_string() })
                }
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The deadline of an application received on `received`, and whether it is estimated (it
    /// falls in a year whose holiday notice the calendar lacks).
    pub fn due(&self, calendar: &crate::calendar::Calendar, received: jiff::civil::Date) -> (jiff::civil::Date, bool) {
        if self.working {
            let c = calendar.add_working_days(received, self.days);
            (c.value, c.estimated)
        } else {
            (received.checked_add(jiff::Span::new().days(i64::from(self.days))).unwrap_or(received), false)
        }
    }

    /// The period in words: `20 个工作日`, `15 日`.
    pub fn zh(&self) -> String {
        format!("{} {}", self.days, if self.working { "个工作日" } else { "日" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: u64, b: u64, u: u64) -> Tally {
        Tally { satisfied: s, basically: b, unsatisfied: u }
    }

    #[test]
    fn the_grade_follows_the_documented_thresholds_exactly() {
        assert_eq!(grade(&[]), None);
        assert_eq!(grade(&[t(0, 0, 0)]), None);
        // 17 满意 + 3 不满意: 1700 / 20 = 85 exactly
        assert_eq!(grade(&[t(17, 0, 3)]), Some(Rating::满意));
        assert_eq!(score_tenths(&[t(17, 0, 3)]), Some(850));
        // one 基本满意 more: (1700 + 60) / 21 = 83.8
        assert_eq!(grade(&[t(17, 1, 3)]), Some(Rating::基本满意));
        assert_eq!(score_tenths(&[t(17, 1, 3)]), Some(838));
        // 3 满意 + 2 不满意: 300 / 5 = 60 exactly
        assert_eq!(grade(&[t(3, 0, 2)]), Some(Rating::基本满意));
        assert_eq!(grade(&[t(3, 0, 3)]), Some(Rating::不满意));
        // over several questions the answers are pooled
        assert_eq!(grade(&[t(10, 0, 0), t(0, 0, 10)]), Some(Rating::不满意));
        assert_eq!(grade(&[t(u64::MAX, 0, 0)]), Some(Rating::满意));
    }

    #[test]
    fn the_export_reads_back_what_it_wrote() {
        let e = EvaluationExport {
            name: "2026年度政务公开社会评议".into(),
            from: "2026-10-01".into(),
            to: "2026-10-31".into(),
            responses: 3,
            questions: vec![QuestionResult::new(QUESTIONS[0].1, t(2, 1, 0))],
            rectifications: vec![Rectification {
                problem: "公开栏位置偏僻".into(),
                measure: "移到大厅入口".into(),
                due: Some("2026-12-31".into()),
                state: "整改中".into(),
                done: None,
            }],
        };
        let text = serde_json::to_string(&e).expect("serialises");
        assert!(text.contains("\"满意\":2"), "{text}");
        assert_eq!(serde_json::from_str::<EvaluationExport>(&text).expect("reads"), e);
    }

    #[test]
    fn the_outcomes_are_the_annual_reports() {
        let names: Vec<&str> = crate::annual::OUTCOMES.iter().map(|(_, n)| *n).collect();
        assert_eq!(names, OUTCOMES);
        assert_eq!(&REQUEST_FIGURES[3..9], OUTCOMES.as_slice());
    }

    #[test]
    fn the_form_asks_what_article_29_lists() {
        let names: Vec<_> = APPLICATION_FIELDS.iter().map(|f| f.name).collect();
        for needed in ["applicant", "id_doc", "info", "medium", "delivery"] {
            assert!(names.contains(&needed), "{needed}");
        }
        for c in CONTACT_FIELDS {
            assert!(names.contains(&c), "{c}");
        }
        assert!(!names.contains(&HONEYPOT));
        assert!(contact_given(|f| (f == "email").then_some("a@b.cn")));
        assert!(!contact_given(|f| (f == "phone").then_some("  ")));
    }

    #[test]
    fn the_reply_period_is_twenty_working_days_unless_a_pack_says_otherwise() {
        let cal = crate::calendar::Calendar::builtin();
        let received = jiff::civil::date(2026, 11, 27);
        let default = ReplyPeriod::for_unit(Some("school"), &[]);
        assert_eq!(default, ReplyPeriod::default());
        assert_eq!(
            (default.zh(), default.due(&cal, received).0.to_string()),
            ("20 个工作日".into(), "2026-12-25".into())
        );
        let calendar_days = ReplyPeriod { days: 15, working: false, basis: String::new() };
        assert_eq!(
            (calendar_days.zh(), calendar_days.due(&cal, received)),
            ("15 日".into(), (jiff::civil::date(2026, 12, 12), false))
        );
    }
}
