//! The bureau's static pages: the dashboard (`index.html`: the 评分表, groups by 县区 / 主管部门 /
//! 行业, a late column, the year's trend as an SVG drawn here) and one printable 书面反馈 per unit
//! (`feedback/NNN.html`, 《考核办法》第九条(六)). Plain HTML and CSS: no script, nothing fetched
//! from elsewhere, tables with headers and captions for screen readers.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::liability::Evidence;
use super::score::{Row, Sheet, points};
use super::snapshot::{Snapshot, UnitSnapshot};
use super::timeline::Timeline;

/// Everything the pages show.
pub(super) struct Pages<'a> {
    /// The gathering.
    pub(super) snapshot: &'a Snapshot,
    /// The 评分表.
    pub(super) sheet: &'a Sheet,
    /// The year so far.
    pub(super) timeline: &'a Timeline,
    /// 责任追究 evidence, per unit in roster order.
    pub(super) evidence: &'a [Evidence],
    /// The CSV and XLSX file names.
    pub(super) files: (&'a str, &'a str),
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            other => o.push(other),
        }
    }
    o
}

const STYLE: &str = "body{font-family:sans-serif;margin:1.5rem;color:#111;line-height:1.5}\
table{border-collapse:collapse;margin:.5rem 0 1.5rem}th,td{border:1px solid #888;padding:.25rem .5rem;text-align:left}\
caption{text-align:left;font-weight:bold;padding:.25rem 0}td.n{text-align:right}.note{color:#333;border-left:4px solid #888;padding-left:.5rem}\
@media print{a{color:#000;text-decoration:none}.noprint{display:none}}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        esc(title)
    )
}

/// The file of a unit's letter, by roster position.
pub(super) fn letter_path(i: usize) -> String {
    format!("feedback/{:03}.html", i + 1)
}

fn approval(sheet: &Sheet) -> String {
    match &sheet.approval {
        Some(a) => format!("<p>考核结果经{}于 {} 审定（《考核办法》第九条（五））。</p>\n", esc(&a.by), esc(&a.date)),
        None => "<p><strong>初步考核结果，尚未经政务公开工作领导小组审定</strong>（《考核办法》第九条（五））：等次仅为建议。</p>\n".into(),
    }
}

fn grade_cell(r: &Row) -> String {
    match r.grade {
        Some(g) => g.to_string(),
        None => format!("待评（{} 项未定）", r.open),
    }
}

/// The year's trend: the share of roster units publishing every required item on each gathering day.
fn trend(t: &Timeline) -> String {
    let (w, h, pad) = (600.0_f64, 160.0_f64, 30.0_f64);
    let n = t.days.len();
    let share = |&(complete, _, roster): &(usize, usize, usize)| {
        if roster == 0 { 0.0 } else { complete as f64 / roster as f64 }
    };
    let x = |i: usize| if n <= 1 { pad } else { pad + (w - 2.0 * pad) * i as f64 / (n - 1) as f64 };
    let y = |v: f64| h - pad - (h - 2.0 * pad) * v;
    let pts: Vec<String> =
        t.totals.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(share(v)))).collect();
    let mut s = format!(
        "<svg role=\"img\" aria-labelledby=\"trend-title\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\">\n<title id=\"trend-title\">各次汇总中公开齐全的单位所占比例</title>\n\
         <line x1=\"{pad}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#888\"/>\n<text x=\"2\" y=\"{:.1}\" font-size=\"10\">100%</text>\n<text x=\"2\" y=\"{:.1}\" font-size=\"10\">0%</text>\n",
        y(0.0),
        w - pad,
        y(0.0),
        y(1.0) + 4.0,
        y(0.0) + 4.0
    );
    if !pts.is_empty() {
        let _ =
            writeln!(s, "<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\" points=\"{}\"/>", pts.join(" "));
    }
    for (i, (day, v)) in t.days.iter().zip(&t.totals).enumerate() {
        let _ = writeln!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#1f5fa8\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            x(i),
            y(share(v)),
            x(i),
            h - 8.0,
            esc(&day[5..])
        );
    }
    s.push_str("</svg>\n");
    // the same figures as a table, for those who cannot see the drawing
    s.push_str("<table>\n<caption>各次汇总（与上图相同的数字）</caption>\n<tr><th scope=\"col\">日期</th><th scope=\"col\">名单</th><th scope=\"col\">已汇总</th><th scope=\"col\">公开齐全</th></tr>\n");
    for (day, (complete, gathered, roster)) in t.days.iter().zip(&t.totals) {
        let _ = writeln!(
            s,
            "<tr><td>{day}</td><td class=\"n\">{roster}</td><td class=\"n\">{gathered}</td><td class=\"n\">{complete}</td></tr>"
        );
    }
    s.push_str("</table>\n");
    s
}

fn group(title: &str, key: impl Fn(&UnitSnapshot) -> Option<&String>, p: &Pages<'_>) -> String {
    #[derive(Default)]
    struct G {
        units: usize,
        graded: Vec<f64>,
        grades: BTreeMap<&'static str, usize>,
        pending: usize,
        late: u32,
        evidence: usize,
    }
    let mut groups: BTreeMap<String, G> = BTreeMap::new();
    for ((u, r), e) in p.snapshot.units.iter().zip(&p.sheet.rows).zip(p.evidence) {
        let g = groups.entry(key(u).cloned().unwrap_or_else(|| "（未填写）".into())).or_default();
        g.units += 1;
        match r.grade {
            Some(grade) => {
                g.graded.push(r.total);
                *g.grades.entry(grade).or_default() += 1;
            }
            None => g.pending += 1,
        }
        g.late += r.late_days.unwrap_or(0);
        g.evidence += e.episodes.len();
    }
    let mut s = format!(
        "<table>\n<caption>按{title}</caption>\n<tr><th scope=\"col\">{title}</th><th scope=\"col\">单位</th><th scope=\"col\">已定等次</th><th scope=\"col\">平均分（已定等次）</th><th scope=\"col\">优秀</th><th scope=\"col\">良好</th><th scope=\"col\">合格</th><th scope=\"col\">不合格</th><th scope=\"col\">待评</th><th scope=\"col\">缺项工作日合计</th><th scope=\"col\">责任追究线索</th></tr>\n"
    );
    for (name, g) in &groups {
        let avg = if g.graded.is_empty() {
            "—".into()
        } else {
            points(g.graded.iter().sum::<f64>() / g.graded.len() as f64)
        };
        let c = |k: &str| g.grades.get(k).copied().unwrap_or(0);
        let _ = writeln!(
            s,
            "<tr><th scope=\"row\">{}</th><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{avg}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(name),
            g.units,
            g.graded.len(),
            c("优秀"),
            c("良好"),
            c("合格"),
            c("不合格"),
            g.pending,
            g.late,
            g.evidence
        );
    }
    s.push_str("</table>\n");
    s
}

/// `index.html`.
pub(super) fn dashboard(p: &Pages<'_>) -> String {
    let s = p.snapshot;
    let mut b = format!(
        "<h1>{} 年度信息公开考核</h1>\n<p>考核年度 {} 至 {}；最近一次汇总 {}；名单 {} 个单位，已汇总 {}，公开齐全 {}，应报未报 {}，无法读取 {}。</p>\n",
        s.year,
        s.period.start,
        s.period.end,
        s.date,
        s.summary.roster,
        s.summary.gathered,
        s.summary.complete,
        s.summary.missing,
        s.summary.failed
    );
    b.push_str(&approval(p.sheet));
    let _ = writeln!(
        b,
        "<p>评分表下载：<a href=\"{0}\">{0}</a>（CSV）、<a href=\"{1}\">{1}</a>（Excel）。</p>",
        p.files.0, p.files.1
    );
    b.push_str("<h2>评分表</h2>\n<table>\n<caption>各单位得分（《考核办法》第八条、第十条）</caption>\n<tr><th scope=\"col\">单位</th><th scope=\"col\">县区</th><th scope=\"col\">主管部门</th><th scope=\"col\">行业</th>");
    for i in &p.sheet.indicators {
        let _ = write!(b, "<th scope=\"col\">{} {}<br>（{} 分）</th>", esc(&i.id), esc(&i.name), i.points);
    }
    b.push_str("<th scope=\"col\">总分</th><th scope=\"col\">等次</th><th scope=\"col\">缺项工作日</th><th scope=\"col\">责任追究线索</th><th scope=\"col\">自查得分（仅供参考）</th></tr>\n");
    for (i, ((u, r), e)) in s.units.iter().zip(&p.sheet.rows).zip(p.evidence).enumerate() {
        let o = |v: &Option<String>| esc(v.as_deref().unwrap_or(""));
        let _ = write!(
            b,
            "<tr><th scope=\"row\"><a href=\"{}\">{}</a></th><td>{}</td><td>{}</td><td>{}</td>",
            letter_path(i),
            esc(&u.name),
            o(&u.county),
            o(&u.department),
            o(&u.sector)
        );
        for c in &r.cells {
            let _ = write!(b, "<td class=\"n\" title=\"{}\">{}</td>", esc(&c.note()), c.shown());
        }
        let late = r.late_days.map_or("未取得".to_string(), |d| d.to_string());
        let mut repeat = if e.twice_or_more { "（一年内两次及以上）" } else { "" }.to_string();
        let unfixed = e.unfixed_after_feedback();
        if unfixed > 0 {
            repeat.push_str(&format!("（反馈后未整改 {unfixed}）"));
        }
        let _ = writeln!(
            b,
            "<td class=\"n\">{}</td><td>{}</td><td class=\"n\">{late}</td><td class=\"n\">{}{repeat}</td><td class=\"n\">{}</td></tr>",
            points(r.total),
            grade_cell(r),
            e.episodes.len(),
            r.self_check.map(|v| v.to_string()).unwrap_or_default()
        );
    }
    b.push_str("</table>\n<p class=\"note\">总分在有「未取得」或「待评」的指标时只是已得分数，不评等次。自查得分是单位网站自己显示的参考分，不是考核结果。</p>\n");
    b.push_str("<h2>分组</h2>\n");
    b.push_str(&group("县区", |u| u.county.as_ref(), p));
    b.push_str(&group("主管部门", |u| u.department.as_ref(), p));
    b.push_str(&group("行业", |u| u.sector.as_ref(), p));
    b.push_str("<h2>全年趋势</h2>\n");
    b.push_str(&trend(p.timeline));
    b.push_str("<p class=\"note\">各单位的「责任追究线索」列出与《责任追究办法》第六条、《信息公开办法》第十二条所列情形相应的检查发现及其日期，只是证据，不是责任追究的决定；是否追究、如何追究由有权机关依法决定。</p>\n");
    page(&format!("{} 年度信息公开考核", s.year), &b)
}

/// One unit's 书面反馈.
pub(super) fn letter(p: &Pages<'_>, i: usize) -> String {
    let s = p.snapshot;
    let (u, r, e) = (&s.units[i], &p.sheet.rows[i], &p.evidence[i]);
    let mut b = format!(
        "<p class=\"noprint\"><a href=\"../index.html\">返回考核总表</a></p>\n<h1>{} 年度信息公开考核结果书面反馈</h1>\n<p>{}：</p>\n<p>根据《白银市政务公开工作考核办法（试行）》第九条，现将你单位 {} 年度信息公开考核情况反馈如下（数据截至 {}）。</p>\n",
        s.year,
        esc(&u.name),
        s.year,
        s.date
    );
    b.push_str(&approval(p.sheet));
    b.push_str("<table>\n<caption>考核评分</caption>\n<tr><th scope=\"col\">指标</th><th scope=\"col\">依据</th><th scope=\"col\">分值</th><th scope=\"col\">得分</th><th scope=\"col\">说明</th></tr>\n");
    for (ind, c) in p.sheet.indicators.iter().zip(&r.cells) {
        let _ = writeln!(
            b,
            "<tr><th scope=\"row\">{} {}</th><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&ind.id),
            esc(&ind.name),
            esc(&ind.basis),
            ind.points,
            c.shown(),
            esc(&c.note())
        );
    }
    let _ = writeln!(
        b,
        "<tr><th scope=\"row\">合计</th><td></td><td class=\"n\">100</td><td class=\"n\">{}</td><td>等次：{}</td></tr>\n</table>",
        points(r.total),
        grade_cell(r)
    );
    if let Some(sc) = r.self_check {
        let _ = writeln!(b, "<p>你单位网站自查得分 {sc}，仅供参考，不作为考核结果。</p>");
    }
    let findings: Vec<_> = s.findings.iter().filter(|f| f.unit.as_deref() == Some(u.name.as_str())).collect();
    b.push_str("<h2>本次汇总发现的问题</h2>\n");
    if findings.is_empty() {
        b.push_str("<p>无。</p>\n");
    } else {
        b.push_str("<ul>\n");
        for f in findings {
            let _ = writeln!(b, "<li>{}</li>", esc(&f.message));
        }
        b.push_str("</ul>\n");
    }
    let failing: Vec<_> =
        u.data.iter().flat_map(|d| &d.rules).filter(|r| r.status == "failed").map(|r| esc(&r.title)).collect();
    if !e.letters.is_empty() {
        let sent: Vec<String> = e
            .letters
            .iter()
            .map(|l| match &l.number {
                Some(n) => format!("{}（{}）", l.date, esc(n)),
                None => l.date.clone(),
            })
            .collect();
        let _ = writeln!(b, "<p>本年度已向你单位发出书面反馈：{}。</p>", sent.join("、"));
    }
    b.push_str("<h2>证据：本年度各项问题的日期</h2>\n");
    if e.episodes.is_empty() {
        b.push_str("<p>本年度各次汇总中没有发现与责任追究情形相应的问题。</p>\n");
    } else {
        // the 整改 column once the unit has been sent a written feedback (第九条（六）)
        let sent = !e.letters.is_empty();
        b.push_str("<table>\n<caption>检查发现（只列证据，不作责任追究的决定）</caption>\n<tr><th scope=\"col\">事项</th><th scope=\"col\">相应情形</th><th scope=\"col\">发现日期</th><th scope=\"col\">改正日期</th>");
        if sent {
            b.push_str("<th scope=\"col\">书面反馈后整改</th>");
        }
        b.push_str("<th scope=\"col\">备注</th></tr>\n");
        for x in &e.episodes {
            let from =
                if x.at_first { format!("{}（本年度首次汇总时已存在）", x.from) } else { x.from.clone() };
            let note = if x.repeat { "本年度再次出现" } else { "" };
            let rectified = match (&x.after_feedback, sent) {
                (Some(a), _) => format!("<td>{}</td>", esc(&a.words())),
                (None, true) => "<td>不在书面反馈所列问题中</td>".to_string(),
                (None, false) => String::new(),
            };
            let _ = writeln!(
                b,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{from}</td><td>{}</td>{rectified}<td>{note}</td></tr>",
                esc(&x.item),
                x.situation,
                x.fixed.as_deref().unwrap_or("尚未改正")
            );
        }
        b.push_str("</table>\n");
        if e.twice_or_more {
            b.push_str("<p>本年度出现两次及以上（《责任追究办法》第十条（四））。</p>\n");
        }
        let unfixed = e.unfixed_after_feedback();
        if unfixed > 0 {
            let _ = writeln!(
                b,
                "<p>书面反馈指出的问题中有 {unfixed} 项至 {} 仍未整改（《考核办法》第九条（六））。</p>",
                s.date
            );
        }
    }
    b.push_str("<h2>整改要求</h2>\n");
    if failing.is_empty() && u.data.is_some() {
        b.push_str("<p>请保持各项内容及时更新。</p>\n");
    } else if failing.is_empty() {
        b.push_str("<p>请按名单公开你单位的信息，并将公开的网址报政府信息公开工作主管部门。</p>\n");
    } else {
        let _ = writeln!(
            b,
            "<p>请于收到本反馈后 20 个工作日内公开以下尚未公开的内容，并将整改结果报政府信息公开工作主管部门：{}。</p>",
            failing.join("、")
        );
    }
    b.push_str(
        "<p class=\"note\">本反馈列出的问题和日期来自对你单位公开数据的汇总记录，只是证据，不是责任追究的决定。</p>\n",
    );
    page(&format!("{} {} 年度信息公开考核结果书面反馈", u.name, s.year), &b)
}
