//! Timing rules: published in time (第十二条(二)), notice given ahead of a change, published at
//! a cadence, changes and withdrawals explained (第十二条(三)), and the stages of a major matter
//! (第四条).
//!
//! Inside `check`, above `outcome`, `docs` and `dates`; `check_unit` calls [`evaluate`] for each
//! rule that is not an item rule. Pure: "today" and the working-day calendar come in as values.

use jiff::ToSpan;
use jiff::civil::Date;

use super::dates;
use super::docs::{date_of, field_zh, filter_words, selected, title, zh};
use super::outcome::{At, rule_finding};
use crate::calendar::Env;
use crate::finding::{Finding, Kind, Severity};
use crate::model::{Doc, Unit};
use crate::pack::{Check, Rule, Target};
use crate::schema::{DocSpec, Schema};
use crate::shape;
use crate::status;
use crate::yaml::{Node, Pos};

/// Evaluate one timing rule: (findings, whether some document could not be read).
pub(super) fn evaluate(rule: &Rule, unit: &Unit, schema: &Schema, env: &Env) -> (Vec<Finding>, bool) {
    let docs: Vec<(&Doc, &DocSpec)> = unit
        .docs
        .iter()
        .filter(|d| rule.target == Target::AllDocuments || rule.kind() == Some(d.kind.as_str()))
        .filter(|d| selected(d, &rule.filter))
        .filter_map(|d| schema.doc(&d.kind).map(|s| (d, s)))
        .collect();
    let unchecked = docs.iter().any(|(d, _)| d.data.is_none());
    let cx = Cx { rule, unit, env };
    let out = match &rule.check {
        Check::Item(_) => Vec::new(),
        Check::Within { days, working, from, to } => cx.within(&docs, *days, *working, from, to),
        Check::Ahead { days, from, to } => cx.ahead(&docs, *days, from, to),
        // a date the site has not set: nothing to judge on, and the outcome says so
        Check::Cadence { every: None, by: None, .. } => return (Vec::new(), true),
        Check::Cadence { every, by, site, date } => {
            let spec = rule.kind().and_then(|k| schema.doc(k));
            let mut out = cx.cadence(&docs, spec, every.map(|p| (p.months(), p.zh())), *by, date);
            if *site {
                for f in &mut out {
                    f.message.push_str("（期限由本站在 gongkai.yaml 的「期限」中设定）");
                }
            }
            out
        }
        Check::Explained => cx.explained(&docs),
        Check::Lifecycle { matter, stage, stages } => cx.lifecycle(&docs, matter, stage, stages),
        Check::Fresh { max_age, date } => dates::stale(rule, unit, &docs, *max_age, date, env.today),
    };
    (out, unchecked)
}

struct Cx<'a> {
    rule: &'a Rule,
    unit: &'a Unit,
    env: &'a Env,
}

impl Cx<'_> {
    fn finding(&self, kind: Kind, file: &str, pos: Option<Pos>, message: String, help: String) -> Finding {
        rule_finding(self.rule, self.unit, kind, At { file, pos, field: None }, message, help)
    }

    /// Lateness that is already history (published, but late): nothing in the content can make
    /// it on time now, so it is recorded as a warning — reported and kept in every report, but it
    /// does not fail CI or hold back `build --strict` (which would hold back the very notice).
    /// What is still overdue and unpublished stays an error.
    fn recorded(&self, kind: Kind, file: &str, pos: Option<Pos>, message: String, help: String) -> Finding {
        let mut f = self.finding(kind, file, pos, message, help);
        f.severity = Severity::Warning;
        f
    }

    fn estimated_note(&self, estimated: bool, around: Date) -> String {
        if estimated {
            format!("（{} 年的放假安排尚未收入日历，这里按周一至周五计算）", around.year())
        } else {
            String::new()
        }
    }

    /// Published within `days` of being formed or changed.
    fn within(&self, docs: &[(&Doc, &DocSpec)], days: u32, working: bool, from: &str, to: &[String]) -> Vec<Finding> {
        let mut out = Vec::new();
        for (doc, spec) in docs {
            let Some((changed, pos)) = date_of(doc, from) else { continue };
            let (deadline, estimated) = if working {
                let c = self.env.calendar.add_working_days(changed, days);
                (c.value, c.estimated)
            } else {
                (changed.checked_add(i64::from(days).days()).unwrap_or(changed), false)
            };
            // `to` may name alternatives: `updated|date` (a notice's publication date)
            let found = to.iter().find_map(|k| date_of(doc, k).map(|(d, _)| (k.as_str(), d)));
            let published = found.map(|(_, d)| d);
            let to = found.map(|(k, _)| k).or_else(|| to.first().map(String::as_str)).unwrap_or_default();

            // a publication date before the change is the earlier version's: the change itself
            // is not published yet
            if published.is_some_and(|p| p > self.env.today) {
                // a publication date after today is wrong in itself (`dates::future`)
                continue;
            }
            let stale = published.filter(|p| *p < changed);
            let published = published.filter(|p| *p >= changed);
            let actual = published.unwrap_or(self.env.today);
            if actual <= deadline {
                continue;
            }
            let unit = if working { "个工作日" } else { "天" };
            let lateness = if working {
                let c = self.env.calendar.working_days_between(deadline, actual);
                format!("晚了 {} 个工作日", c.value)
            } else {
                format!("晚了 {} 天", (actual - deadline).get_days())
            };
            let what = match (published, stale) {
                (Some(p), _) => format!("实际于{}公开，{lateness}", zh(p)),
                (None, Some(old)) => format!(
                    "「{}」还是变更前的{}，到今天（{}）变更后仍未重新公开，已经{lateness}",
                    field_zh(spec, to),
                    zh(old),
                    zh(self.env.today)
                ),
                (None, None) => format!("到今天（{}）还没有注明公开日期，已经{lateness}", zh(self.env.today)),
            };
            let message = format!(
                "「{}」于{}{}，应在 {days} {unit}内（{}前）公开，{what}{}",
                title(doc, spec),
                zh(changed),
                field_zh(spec, from).trim_end_matches("日期"),
                zh(deadline),
                self.estimated_note(estimated, deadline)
            );
            let help = match published {
                Some(_) => format!(
                    "以后信息形成或变更后 {days} {unit}内公开；现在如实保留「{}」和「{}」",
                    field_zh(spec, from),
                    field_zh(spec, to)
                ),
                None => format!("尽快公开变更后的内容，并把「{}」写成公开的日期", field_zh(spec, to)),
            };
            out.push(if published.is_some() {
                self.recorded(Kind::Late, &doc.path, Some(pos), message, help)
            } else {
                self.finding(Kind::Late, &doc.path, Some(pos), message, help)
            });
        }
        out
    }

    /// Published at least `days` before the change takes effect.
    fn ahead(&self, docs: &[(&Doc, &DocSpec)], days: u32, from: &str, to: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        for (doc, spec) in docs {
            let (Some((effective, _)), Some((published, pos))) = (date_of(doc, to), date_of(doc, from)) else {
                continue;
            };
            let latest = effective.checked_sub(i64::from(days).days()).unwrap_or(effective);
            if published <= latest {
                continue;
            }
            let gap = (effective - published).get_days();
            let message = format!(
                "「{}」在{}{}，应至少提前 {days} 天（{}前）公开，实际于{}公开{}",
                title(doc, spec),
                zh(effective),
                if field_zh(spec, to).contains("生效") { "生效" } else { "开始" },
                zh(latest),
                zh(published),
                if gap <= 0 { "，没有提前".to_string() } else { format!("，只提前了 {gap} 天") }
            );
            let help = format!(
                "这类变动至少提前 {days} 天告知；「{}」应早于「{}」至少 {days} 天",
                field_zh(spec, from),
                field_zh(spec, to)
            );
            out.push(self.recorded(Kind::Late, &doc.path, Some(pos), message, help));
        }
        out
    }

    /// Published again within every period, or each year by a date.
    fn cadence(
        &self,
        docs: &[(&Doc, &DocSpec)],
        spec: Option<&DocSpec>,
        every: Option<(i32, &str)>,
        by: Option<(i8, i8)>,
        key: &str,
    ) -> Vec<Finding> {
        let today = self.env.today;
        let dated: Vec<(Date, &Doc)> = docs.iter().filter_map(|(d, _)| date_of(d, key).map(|(v, _)| (v, *d))).collect();
        if dated.is_empty() && !docs.is_empty() {
            // There are such documents, but none with a valid date yet (a fresh scaffold's
            // 待补充): the date is an item rule's finding; timing is judged once it is filled in,
            // as `within` and `ahead` skip undated documents.
            return Vec::new();
        }
        let latest = dated.iter().max_by_key(|(v, _)| *v);
        let which = spec.map(|s| filter_words(s, &self.rule.filter)).unwrap_or_default();
        let folder = spec.map_or_else(|| self.unit.dir.clone(), |s| format!("{}/{}", self.unit.dir, s.file));
        let at = |d: Option<&(Date, &Doc)>| d.map_or(folder.clone(), |(_, doc)| doc.path.clone());
        if let Some((months, words)) = every {
            let Some((last, _)) = latest else {
                let message = format!("没有找到{which}的公开记录，应{words}公开一次");
                return vec![self.finding(
                    Kind::Missing,
                    &folder,
                    None,
                    message,
                    format!("在 {folder} 里公开这项内容"),
                )];
            };
            let due = last.checked_add(months.months()).unwrap_or(*last);
            if today > due {
                let message = format!(
                    "{}最近一次公开于{}，应{words}公开一次，下一次应在{}前",
                    self.rule.title,
                    zh(*last),
                    zh(due)
                );
                return vec![self.finding(Kind::Late, &at(latest), None, message, "尽快公开最新一期".to_string())];
            }
            return Vec::new();
        }
        let Some((m, d)) = by else { return Vec::new() };
        // the most recent due date already past (on the day itself there is still time), and
        // the year before it
        let this_year = Date::new(today.year(), m, d).ok();
        let due = match this_year {
            Some(due) if due < today => due,
            _ => Date::new(today.year() - 1, m, d).unwrap_or(today),
        };
        let window = due.checked_sub(1.year()).unwrap_or(due);
        if dated.iter().any(|(v, _)| *v > window && *v <= due) {
            return Vec::new();
        }
        let last = latest.map_or_else(|| "没有找到任何一份".to_string(), |(v, _)| format!("最近一份公开于{}", zh(*v)));
        let message =
            format!("{}应在每年{}月{}日前公开，{}年的这一份没有按时公开（{last}）", self.rule.title, m, d, due.year());
        // published after the due date: late, but there
        if let Some((v, doc)) = latest.filter(|(v, _)| *v > due) {
            let message = format!(
                "{}应在每年{}月{}日前公开，{}年的这一份于{}才公开，晚于期限",
                self.rule.title,
                m,
                d,
                due.year(),
                zh(*v)
            );
            let help = format!("以后每年{m}月{d}日前公开；这份的「发布日期」如实保留");
            return vec![self.recorded(Kind::Late, &doc.path, None, message, help)];
        }
        vec![self.finding(
            Kind::Late,
            &at(latest),
            None,
            message,
            format!("在 {folder} 里公开{which}的文件，并写明发布日期"),
        )]
    }

    /// Every change, withdrawal and termination recorded with its date and its explanation.
    fn explained(&self, docs: &[(&Doc, &DocSpec)]) -> Vec<Finding> {
        let mut out = Vec::new();
        for (doc, spec) in docs {
            let Some(data) = &doc.data else { continue };
            let entries = data.get("history").and_then(Node::as_list).unwrap_or_default();
            for (i, entry) in entries.iter().enumerate() {
                let action = entry.text("action").unwrap_or("变更");
                for (key, zh_name, why) in [("date", "日期", "什么时候"), ("reason", "说明", "为什么")] {
                    let filled = entry.text(key).is_some_and(|t| !shape::is_placeholder(t, &[]));
                    if !filled {
                        out.push(self.finding(
                            Kind::Missing,
                            &doc.path,
                            Some(entry.pos),
                            format!("「{}」的变更记录第 {} 项（{action}）缺少「{zh_name}」", title(doc, spec), i + 1),
                            format!("写明{action}{why}：办事公开事项变更、撤销或终止，要及时公布并作出说明（第十二条第(三)项）"),
                        ));
                    }
                }
            }
            // a withdrawn or ended item must say when and why
            if let Some(standing) =
                data.text("status").and_then(|s| status::read(s).standing()).filter(|s| s.is_withdrawn())
            {
                let recorded = entries.iter().any(|e| e.text("action").is_some_and(status::names_withdrawal));
                if !recorded {
                    // at the key: the value itself may carry its own finding (a word outside the set)
                    let pos = data.entry("status").map(|e| e.key_pos);
                    out.push(
                        self.finding(
                            Kind::Missing,
                            &doc.path,
                            pos,
                            format!("「{}」{}，但没有说明撤销的时间和原因", title(doc, spec), standing.zh()),
                            "在「变更记录」里加一项：日期、变更类型（撤销或终止）、说明原因（第十二条第(三)项）"
                                .to_string(),
                        ),
                    );
                }
            }
        }
        out
    }

    /// A matter that published its final stage published its earlier stages too.
    fn lifecycle(&self, docs: &[(&Doc, &DocSpec)], matter: &str, stage: &str, stages: &[String]) -> Vec<Finding> {
        let mut out = Vec::new();
        let Some(last) = stages.last() else { return out };
        let text = |d: &Doc, k: &str| d.data.as_ref().and_then(|n| n.text(k)).map(str::to_string);
        for (doc, spec) in docs {
            if text(doc, stage).as_deref() != Some(last.as_str()) {
                continue;
            }
            let Some(name) = text(doc, matter) else { continue };
            for earlier in &stages[..stages.len() - 1] {
                let published = docs.iter().any(|(d, _)| {
                    text(d, matter).as_deref() == Some(name.as_str())
                        && text(d, stage).as_deref() == Some(earlier.as_str())
                });
                if !published {
                    let pos = doc.data.as_ref().and_then(|n| n.get(stage)).map(|n| n.pos);
                    out.push(self.finding(
                        Kind::Missing,
                        &doc.path,
                        pos,
                        format!("「{name}」已公开「{last}」，但没有公开「{earlier}」阶段的信息"),
                        format!(
                            "重大事项要决策前公开、实施过程动态公开、实施结果公开（第四条）：补一篇通知，写明「{}: {name}」「{}: {earlier}」",
                            field_zh(spec, matter),
                            field_zh(spec, stage)
                        ),
                    ));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::load::unit_from_bytes;
    use crate::pack;

    /// One timing rule (a pack of one) judged on one notice, as on `today`.
    fn judge(rule_yaml: &str, notice: &str, today: &str) -> Vec<Finding> {
        let pack_text = format!(
            "id: t\ntitle: 测试\nsource: {{issuer: 测试, document: 测试}}\nrules:\n  - {{id: r, citation: 第一条, title: 测试规则, file: notices/, weight: 0, {rule_yaml}}}\n"
        );
        let mut schema = Schema::builtin();
        let mut p = pack::parse(&pack_text, "test").unwrap();
        p.extend_schema(&mut schema).unwrap();
        p.resolve(&schema).unwrap();
        let spec = schema.doc("notices").unwrap().clone();
        let unit = unit_from_bytes(&schema, &spec, format!("---\n标题: 通知\n{notice}---\n正文\n").as_bytes());
        let env = Env { today: today.parse().unwrap(), calendar: Calendar::builtin() };
        evaluate(&p.rules[0], &unit, &schema, &env).0
    }

    #[test]
    fn cadence_every_month_and_quarter() {
        let monthly = "require: cadence, every: month";
        assert!(judge(monthly, "发布日期: 2026-10-15\n", "2026-11-15").is_empty());
        let late = judge(monthly, "发布日期: 2026-10-15\n", "2026-11-16");
        assert_eq!(late.len(), 1);
        assert!(late[0].message.contains("最近一次公开于2026年10月15日，应每月公开一次，下一次应在2026年11月15日前"));
        let quarterly = "require: cadence, every: quarter";
        assert!(judge(quarterly, "发布日期: 2026-08-01\n", "2026-11-01").is_empty());
        assert_eq!(judge(quarterly, "发布日期: 2026-08-01\n", "2026-11-02").len(), 1);
    }

    #[test]
    fn cadence_by_a_date_is_not_late_on_the_day() {
        let yearly = "require: cadence, by: 03-15";
        // last year's report covers up to this year's due date, which is still to come
        assert!(judge(yearly, "发布日期: 2025-03-10\n", "2026-03-15").is_empty());
        let late = judge(yearly, "发布日期: 2025-03-10\n", "2026-03-16");
        assert_eq!(late.len(), 1);
        assert!(late[0].message.contains("2026年的这一份没有按时公开（最近一份公开于2025年3月10日）"));
        // a report dated after the due date is late, recorded as a warning until the next one is due
        let late = judge(yearly, "发布日期: 2026-03-20\n", "2026-11-27");
        assert_eq!((late.len(), late[0].severity), (1, Severity::Warning));
        assert!(late[0].message.contains("2026年的这一份于2026年3月20日才公开，晚于期限"), "{}", late[0].message);
        assert_eq!(late[0].file, "content/fuzz/notices/doc.md");
        // each due date needs a publication in the twelve months up to it: that one counts for 2027
        assert!(judge(yearly, "发布日期: 2026-03-20\n", "2027-03-16").is_empty());
        let overdue = judge(yearly, "发布日期: 2026-03-20\n", "2028-03-16");
        assert_eq!((overdue.len(), overdue[0].severity), (1, Severity::Error));
    }

    #[test]
    fn within_counts_calendar_days_when_asked() {
        let rule = "require: within, days: 5, unit: calendar, from: changed, to: date";
        assert!(judge(rule, "变更日期: 2026-09-29\n发布日期: 2026-10-04\n", "2026-12-01").is_empty());
        let late = judge(rule, "变更日期: 2026-09-29\n发布日期: 2026-10-05\n", "2026-12-01");
        assert_eq!((late.len(), late[0].severity), (1, Severity::Warning), "published late: recorded");
        let overdue = judge(rule, "变更日期: 2026-09-29\n", "2026-10-05");
        assert_eq!((overdue.len(), overdue[0].severity), (1, Severity::Error), "overdue and unpublished");
        assert!(late[0].message.contains("应在 5 天内（2026年10月4日前）公开，实际于2026年10月5日公开，晚了 1 天"));
    }

    #[test]
    fn ahead_boundary_and_undated() {
        let rule = "require: ahead, days: 3";
        assert!(judge(rule, "发布日期: 2026-11-19\n生效日期: 2026-11-22\n", "2026-11-27").is_empty());
        let late = judge(rule, "发布日期: 2026-11-22\n生效日期: 2026-11-22\n", "2026-11-27");
        assert!(late[0].message.contains("没有提前"), "{}", late[0].message);
        // without an effective date there is nothing to judge
        assert!(judge(rule, "发布日期: 2026-11-22\n", "2026-11-27").is_empty());
    }
}
