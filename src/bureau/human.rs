//! A snapshot in words: the year, the counts, each roster unit on one line, then the findings.

use super::snapshot::{FindingKind, Snapshot, Status};

fn kind_label(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::NotPublished => "应报未报",
        FindingKind::Unreachable => "无法访问",
        FindingKind::Malformed => "数据有误",
        FindingKind::UnknownVersion => "版本不识",
        FindingKind::SourceError => "站点有误",
        FindingKind::Incomplete => "未公开齐全",
        FindingKind::NotOnRoster => "名单之外",
    }
}

/// The snapshot as text for a terminal (no colour: the same bytes everywhere).
pub(crate) fn render(s: &Snapshot) -> String {
    let mut t = format!("考核年度 {}（{} 至 {}），汇总日期 {}\n", s.year, s.period.start, s.period.end, s.date);
    let m = &s.summary;
    t.push_str(&format!(
        "名单 {} 个单位：已汇总 {}（其中公开齐全 {}），应报未报 {}，无法读取 {}；名单之外 {}\n\n",
        m.roster, m.gathered, m.complete, m.missing, m.failed, m.unlisted
    ));
    for u in &s.units {
        let place: Vec<&str> = [u.county.as_deref(), u.department.as_deref()].into_iter().flatten().collect();
        let place = if place.is_empty() { String::new() } else { format!("（{}）", place.join("，")) };
        let state = match (&u.status, &u.data) {
            (Status::Gathered, Some(d)) => {
                let mut x = format!("已公开 {}/{}", d.published, d.required);
                if let Some(score) = d.score {
                    x.push_str(&format!("，自查得分 {score}"));
                    if let Some(g) = &d.grade {
                        x.push_str(&format!("（{g}）"));
                    }
                }
                if d.rules.is_empty() {
                    x.push_str("，未取得逐项结果");
                }
                x
            }
            (Status::Gathered, None) => "已汇总".to_string(),
            (Status::Missing, _) => "应报未报".to_string(),
            (Status::Failed, _) => "无法读取".to_string(),
        };
        t.push_str(&format!("  {}{place}：{state}\n", u.name));
    }
    if !s.findings.is_empty() {
        t.push_str(&format!("\n问题（{} 项）：\n", s.findings.len()));
        for f in &s.findings {
            let level = if f.severity == "error" { "错误" } else { "提示" };
            let who = f.unit.as_deref().map(|u| format!("{u}：")).unwrap_or_default();
            t.push_str(&format!("  {level}[{}] {who}{}\n", kind_label(f.kind), f.message));
        }
    }
    t.push_str(if s.has_errors() {
        "\n结论：有单位应报未报、无法读取或未公开齐全，见上面的错误。\n"
    } else {
        "\n结论：名单上的单位都已汇总，必须公开的内容齐全。\n"
    });
    t
}
