//! 社会评议结果 (《社会评议办法》第七条(五), 第九条): a unit's `evaluations/<编号>.yaml`, one file per
//! campaign, in the shape of [`crate::desk::EvaluationExport`] (the desk writes it, or a clerk
//! types it), read from the loaded content with positions, and what is wrong with it.
//!
//! Sits on `model`, like `annual`: `check` turns the problems into findings, `render` shows the
//! sound campaigns on `<unit>/evaluation.html` and in open data, with the 等次 of
//! [`crate::desk::grade`]. The file holds no 等次: it is always computed here. Pure.

use jiff::civil::Date;

use crate::desk::{EXPORT_MARK, RECTIFICATION_STATES, Tally};
use crate::model::{Doc, Unit};
use crate::yaml::{Node, Pos};

/// The document kind (`evaluations/` in schema.yaml).
pub(crate) const KIND: &str = "evaluations";

/// The fields that are counts (dotted, as the content model's keys).
pub(crate) const COUNTS: [&str; 4] =
    ["responses", "questions.satisfied", "questions.basically", "questions.unsatisfied"];

/// One question's result.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Question {
    /// 题目, as written.
    pub(crate) text: String,
    /// The three counts; `None` when one of them is not a count.
    pub(crate) tally: Option<Tally>,
}

/// One 整改.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rectification {
    pub(crate) problem: String,
    pub(crate) measure: String,
    /// 期限, as written.
    pub(crate) due: Option<String>,
    pub(crate) state: String,
    /// 完成日期, as written.
    pub(crate) done: Option<String>,
}

/// What is wrong with a campaign file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    /// Where; `None` for a field that is not there at all.
    pub(crate) pos: Option<Pos>,
    /// The field as the file format names it (`问卷数`, `结果`).
    pub(crate) field: &'static str,
    pub(crate) message: String,
    pub(crate) help: String,
    /// Missing (rather than wrong).
    pub(crate) missing: bool,
}

/// One campaign as read from its file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Campaign {
    /// Site-relative path of the file.
    pub(crate) file: String,
    /// The file name without `.yaml` (the campaign's 编号, its anchor on the page).
    pub(crate) id: String,
    /// The file starts with [`EXPORT_MARK`]: the desk wrote it (and may replace it).
    pub(crate) exported: bool,
    pub(crate) name: String,
    pub(crate) from: Option<Date>,
    pub(crate) to: Option<Date>,
    pub(crate) responses: Option<u64>,
    pub(crate) questions: Vec<Question>,
    pub(crate) rectifications: Vec<Rectification>,
    pub(crate) problems: Vec<Problem>,
    /// Something is wrong that the content model reports itself (a date that is no date, a list
    /// that is no list): no finding here, but the campaign is not sound either.
    pub(crate) shape_errors: bool,
}

impl Campaign {
    /// Nothing is wrong with it: its figures may be published.
    pub(crate) fn is_sound(&self) -> bool {
        self.problems.is_empty() && !self.shape_errors
    }

    /// Every question's tally (when all are counts).
    pub(crate) fn tallies(&self) -> Option<Vec<Tally>> {
        self.questions.iter().map(|q| q.tally).collect()
    }
}

/// The unit's campaigns, the latest first (by 开始日期, then by file name).
pub(crate) fn campaigns(unit: &Unit) -> Vec<Campaign> {
    let mut out: Vec<Campaign> = unit.docs_of(KIND).map(read).collect();
    out.sort_by(|a, b| (b.from, &b.id).cmp(&(a.from, &a.id)));
    out
}

/// Whether the unit has any campaign file (then it has a 评议结果 page).
pub(crate) fn any(unit: &Unit) -> bool {
    unit.docs_of(KIND).next().is_some()
}

/// A count: ASCII digits only.
pub(crate) fn count(written: &str) -> Option<u64> {
    let t = written.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// Text of a node, trimmed.
fn text_of(node: Option<&Node>) -> &str {
    node.and_then(Node::as_text).map(str::trim).unwrap_or_default()
}

/// Reads one campaign file.
pub(crate) fn read(doc: &Doc) -> Campaign {
    let exported = doc.source.as_ref().is_some_and(|s| s.yaml.trim_start_matches('\u{feff}').starts_with(EXPORT_MARK));
    let mut c = Campaign {
        file: doc.path.clone(),
        id: doc.stem.clone(),
        exported,
        name: String::new(),
        from: None,
        to: None,
        responses: None,
        questions: Vec::new(),
        rectifications: Vec::new(),
        problems: Vec::new(),
        shape_errors: false,
    };
    let Some(data) = &doc.data else {
        // unreadable: the loader reported why
        c.shape_errors = true;
        return c;
    };
    let mut r = Reader { c: &mut c };
    r.c.name = data.text("name").unwrap_or_default().to_string();
    if r.c.name.is_empty() {
        r.missing(data.get("name").map(|n| n.pos), "名称", "写明评议的名称，例如「名称: 2026年度政务公开社会评议」");
    }
    r.c.from = r.date(data, "from", "开始日期");
    r.c.to = r.date(data, "to", "结束日期");
    if let (Some(from), Some(to)) = (r.c.from, r.c.to)
        && from > to
    {
        let pos = data.get("to").map(|n| n.pos);
        r.wrong(
            pos,
            "结束日期",
            format!("评议的结束日期（{to}）早于开始日期（{from}）"),
            "检查两个日期：开始日期是问卷开放的第一天，结束日期是最后一天",
        );
    }
    r.c.responses = r.count(data.get("responses"), data.get("responses").map(|n| n.pos), "问卷数");
    r.questions(data);
    r.rectifications(data);
    c
}

struct Reader<'c> {
    c: &'c mut Campaign,
}

impl Reader<'_> {
    fn missing(&mut self, pos: Option<Pos>, field: &'static str, help: &str) {
        let message = format!("社会评议结果缺少「{field}」");
        self.c.problems.push(Problem { pos, field, message, help: help.to_string(), missing: true });
    }

    fn wrong(&mut self, pos: Option<Pos>, field: &'static str, message: String, help: &str) {
        self.c.problems.push(Problem { pos, field, message, help: help.to_string(), missing: false });
    }

    /// A date field: missing is a problem; written but no date is the content model's finding.
    fn date(&mut self, data: &Node, key: &str, field: &'static str) -> Option<Date> {
        let node = data.get(key);
        let written = text_of(node);
        if written.is_empty() {
            self.missing(node.map(|n| n.pos), field, &format!("写明{field}，例如「{field}: 2026-10-01」"));
            return None;
        }
        let date = crate::shape::parse_date(written);
        self.c.shape_errors |= date.is_none();
        date
    }

    /// A count field (`问卷数`, `满意`…): missing or not a count is a problem.
    fn count(&mut self, node: Option<&Node>, at: Option<Pos>, field: &'static str) -> Option<u64> {
        let written = text_of(node);
        if written.is_empty() {
            self.missing(node.map(|n| n.pos).or(at), field, &format!("写明「{field}」的数目，没有的写 0"));
            return None;
        }
        let n = count(written);
        if n.is_none() {
            self.wrong(
                node.map(|n| n.pos),
                field,
                format!("「{field}」应为数目（0 或正整数），这里写成了「{written}」"),
                &format!("写阿拉伯数字，例如「{field}: 12」"),
            );
        }
        n
    }

    fn questions(&mut self, data: &Node) {
        let node = data.get("questions");
        let Some(items) = node.and_then(Node::as_list).filter(|l| !l.is_empty()) else {
            if node.is_some_and(|n| n.as_list().is_none() && n.as_text().is_none_or(|t| !t.trim().is_empty())) {
                // a mapping or text where the list belongs: the content model says so
                self.c.shape_errors = true;
            } else {
                self.missing(
                    node.map(|n| n.pos),
                    "结果",
                    "在「结果:」下逐题列出：- {题目: …, 满意: 0, 基本满意: 0, 不满意: 0}",
                );
            }
            return;
        };
        let mut seen: Vec<(String, Pos)> = Vec::new();
        for item in items {
            if item.as_map().is_none() {
                self.c.shape_errors = true;
                continue;
            }
            let text = item.text("question").unwrap_or_default().to_string();
            let at = item.get("question").map_or(item.pos, |n| n.pos);
            if text.is_empty() {
                self.missing(
                    Some(at),
                    "题目",
                    "写明这一题问的是什么，例如「题目: 公开的内容是否全面、真实、准确、规范」",
                );
            } else if let Some((_, first)) = seen.iter().find(|(t, _)| *t == text) {
                let message = format!("题目「{text}」写了两次（第一次在第 {} 行）", first.line);
                self.wrong(Some(at), "题目", message, "每个题目只写一次：合并两处的数目，删掉重复的一项");
            } else {
                seen.push((text.clone(), at));
            }
            let counts = [("satisfied", "满意"), ("basically", "基本满意"), ("unsatisfied", "不满意")]
                .map(|(key, field)| self.count(item.get(key), Some(item.pos), field));
            let tally = match counts {
                [Some(satisfied), Some(basically), Some(unsatisfied)] => {
                    Some(Tally { satisfied, basically, unsatisfied })
                }
                _ => None,
            };
            if let (Some(t), Some(responses)) = (tally, self.c.responses)
                && t.total() > responses
            {
                let message = format!(
                    "题目「{text}」共有 {} 份回答，多于问卷数 {responses}：每份问卷对每题至多一个回答",
                    t.total()
                );
                self.wrong(Some(item.pos), "结果", message, "核对这一题的三个数目和「问卷数」");
            }
            self.c.questions.push(Question { text, tally });
        }
    }

    fn rectifications(&mut self, data: &Node) {
        let Some(items) = data.get("rectifications").and_then(Node::as_list) else {
            // absent or empty: no 整改; anything else is the content model's finding
            self.c.shape_errors |=
                data.get("rectifications").is_some_and(|n| n.as_text().is_some_and(|t| !t.trim().is_empty()));
            return;
        };
        let states = RECTIFICATION_STATES.join("或");
        for item in items {
            if item.as_map().is_none() {
                self.c.shape_errors = true;
                continue;
            }
            let field = |key: &str| item.text(key).unwrap_or_default().to_string();
            let r = Rectification {
                problem: field("problem"),
                measure: field("measure"),
                due: item.text("due").map(str::to_string),
                state: field("state"),
                done: item.text("done").map(str::to_string),
            };
            let at = |key: &str| Some(item.get(key).map_or(item.pos, |n| n.pos));
            if r.problem.is_empty() {
                self.missing(at("problem"), "问题", "写明评议发现的问题");
            }
            if r.measure.is_empty() {
                self.missing(at("measure"), "措施", "写明本单位的整改措施");
            }
            if r.state.is_empty() {
                self.missing(at("state"), "状态", &format!("写明整改的状态：{states}"));
            } else if !RECTIFICATION_STATES.contains(&r.state.as_str()) {
                let message = format!("整改的「状态」只能是{states}，这里写成了「{}」", r.state);
                self.wrong(at("state"), "状态", message, &format!("写{states}"));
            } else if r.state == "已完成" && r.done.is_none() {
                let message = format!("整改「{}」已完成，但没有写完成日期", r.problem);
                self.c.problems.push(Problem {
                    pos: at("state"),
                    field: "完成日期",
                    message,
                    help: "写明「完成日期: 2026-12-01」；还没完成的，状态写「整改中」".to_string(),
                    missing: true,
                });
            }
            for key in ["due", "done"] {
                self.c.shape_errors |= item.text(key).is_some_and(|t| crate::shape::parse_date(t).is_none());
            }
            self.c.rectifications.push(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;

    fn campaign(yaml: &str) -> Campaign {
        let schema = Schema::builtin();
        let spec = schema.doc(KIND).expect("evaluations in the content model").clone();
        let unit = crate::load::unit_from_bytes(&schema, &spec, yaml.as_bytes());
        let doc = unit.docs_of(KIND).next().expect("one campaign");
        read(doc)
    }

    const GOOD: &str = "名称: 2026年度政务公开社会评议\n开始日期: 2026-10-01\n结束日期: 2026-10-31\n问卷数: 20\n结果:\n  - {题目: 公开的内容是否全面、真实、准确、规范, 满意: 17, 基本满意: 0, 不满意: 3}\n  - {题目: 工作人员的服务态度是否热情周到, 满意: 10, 基本满意: 5, 不满意: 0}\n整改:\n  - {问题: 公开栏位置偏僻, 措施: 移到大厅入口, 期限: 2026-12-31, 状态: 整改中}\n";

    #[test]
    fn a_sound_campaign_reads_as_written() {
        let c = campaign(GOOD);
        assert!(c.is_sound(), "{:?}", c.problems);
        assert!(!c.exported);
        assert_eq!(c.responses, Some(20));
        assert_eq!(c.questions[0].tally, Some(Tally { satisfied: 17, basically: 0, unsatisfied: 3 }));
        assert_eq!(c.rectifications[0].state, "整改中");
        let marked = campaign(&format!("{EXPORT_MARK}\n{GOOD}"));
        assert!(marked.exported && marked.is_sound());
    }

    /// What the desk exports (`desk::EvaluationExport`, its serde names) reads back sound, with
    /// every figure: the content model and the contract name the same keys. (JSON is YAML.)
    #[test]
    fn the_desks_export_reads_back_sound() {
        use crate::desk::{EvaluationExport, QUESTIONS, QuestionResult, Rectification as R};
        let t = |s, b, u| Tally { satisfied: s, basically: b, unsatisfied: u };
        let export = EvaluationExport {
            name: "2026年度政务公开社会评议".into(),
            from: "2026-10-01".into(),
            to: "2026-10-31".into(),
            responses: 3,
            questions: QUESTIONS.iter().map(|(_, q)| QuestionResult::new(q, t(2, 1, 0))).collect(),
            rectifications: vec![R {
                problem: "公开栏位置偏僻".into(),
                measure: "移到大厅入口".into(),
                due: Some("2026-12-31".into()),
                state: "已完成".into(),
                done: Some("2026-11-20".into()),
            }],
        };
        let text = format!("{EXPORT_MARK}\n{}\n", serde_json::to_string_pretty(&export).unwrap());
        let c = campaign(&text);
        assert!(c.is_sound() && c.exported, "{:?}", c.problems);
        assert_eq!(c.tallies().unwrap(), vec![t(2, 1, 0); QUESTIONS.len()]);
        assert_eq!(
            (c.name.as_str(), c.responses, c.rectifications[0].done.as_deref()),
            (export.name.as_str(), Some(3), Some("2026-11-20"))
        );
    }

    fn problems(yaml: &str) -> Vec<(Option<u32>, &'static str)> {
        campaign(yaml).problems.iter().map(|p| (p.pos.map(|p| p.line), p.field)).collect()
    }

    #[test]
    fn counts_questions_dates_and_states_are_checked_where_written() {
        assert_eq!(problems(&GOOD.replace("问卷数: 20", "问卷数: 二十")), [(Some(4), "问卷数")]);
        assert_eq!(problems(&GOOD.replace("问卷数: 20", "问卷数: -1")), [(Some(4), "问卷数")]);
        assert_eq!(problems(&GOOD.replace("问卷数: 20", "问卷数: 19")), [(Some(6), "结果")]);
        assert_eq!(problems(&GOOD.replace("满意: 10,", "满意: 很多,")), [(Some(7), "满意")]);
        assert_eq!(
            problems(&GOOD.replace("工作人员的服务态度是否热情周到", "公开的内容是否全面、真实、准确、规范")),
            [(Some(7), "题目")]
        );
        assert_eq!(problems(&GOOD.replace("结束日期: 2026-10-31", "结束日期: 2026-09-30")), [(Some(3), "结束日期")]);
        assert_eq!(problems(&GOOD.replace("状态: 整改中", "状态: 完成")), [(Some(9), "状态")]);
        assert_eq!(problems(&GOOD.replace("状态: 整改中", "状态: 已完成")), [(Some(9), "完成日期")]);
        assert!(problems(&GOOD.replace("状态: 整改中", "状态: 已完成, 完成日期: 2026-11-20")).is_empty());
        assert_eq!(problems(&GOOD.replace("问卷数: 20\n", "")), [(None, "问卷数")]);
        // a date that is no date is the content model's finding: not sound, no second finding
        let c = campaign(&GOOD.replace("2026-10-01", "十月一日"));
        assert!(c.problems.is_empty() && !c.is_sound());
    }
}
