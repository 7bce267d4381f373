//! What the unit pages show of the request desk (`gongkai.yaml` `desk:`, `crate::desk`): the
//! application form on `request.html` that posts to the desk, the printable 申请表
//! (`request-form.html`, the same fields as blank lines, with or without a desk), and the 评议结果
//! page (`evaluation.html`, 《社会评议办法》第七条(五)、第九条) of a unit with
//! `evaluations/*.yaml`, with the 等次 computed by [`crate::desk::grade`] at build time.

use serde::Serialize;

use super::{Built, Head, UnitCx};
use crate::desk::{self, APPLICATION_FIELDS, Field, HONEYPOT, Input, Rating, Tally};
use crate::error::Result;
use crate::evaluation::{self, Campaign};
use crate::render::paths::href;
use crate::render::view::{self, DateView, Overview, Supervision};

/// The name of the 评议结果 page family (`evaluation.html`).
pub(super) const KIND: &str = "evaluation";

/// The printable application form's page, beside `request.html`.
pub(super) const FORM_PAGE: &str = "request-form.html";

/// A field of the form, as the templates show it.
#[derive(Serialize)]
struct FieldView {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    required: bool,
    max_chars: usize,
    /// Several lines (a `textarea`; on paper, several blank lines).
    multiline: bool,
    /// The choices of a radio group; empty for text.
    choices: &'static [&'static str],
    /// `text`, `tel` or `email`.
    input_type: &'static str,
    /// The `autocomplete` token a browser fills it from (WCAG 1.3.5); empty: none.
    autocomplete: &'static str,
}

fn field_view(f: &Field) -> FieldView {
    let (input_type, autocomplete) = match f.name {
        "applicant" => ("text", "name"),
        "phone" => ("tel", "tel"),
        "email" => ("email", "email"),
        _ => ("text", ""),
    };
    let (multiline, choices) = match f.input {
        Input::Line => (false, &[][..]),
        Input::Text => (true, &[][..]),
        Input::Choice(c) => (false, c),
    };
    FieldView {
        name: f.name,
        label: f.label,
        hint: f.hint,
        required: f.required,
        max_chars: f.max_chars,
        multiline,
        choices,
        input_type,
        autocomplete,
    }
}

/// The desk as a unit's pages link to it.
#[derive(Serialize)]
pub(super) struct DeskView {
    /// Where the form posts (`<desk>u/<unit>/apply`).
    action: String,
    /// The desk's origin, the only one the page's `form-action` allows.
    origin: String,
    /// Where an applicant looks an application up.
    lookup: String,
    /// The unit's questionnaire (open only during a campaign).
    evaluate: String,
    fields: Vec<FieldView>,
    honeypot: &'static str,
}

/// The desk of the site, for the unit's pages; `None` without one.
pub(super) fn desk_view(cx: &UnitCx<'_, '_>) -> Option<DeskView> {
    let address = cx.r.site.config.desk()?;
    let origin = crate::config::origin_of(&address)?;
    Some(DeskView {
        action: format!("{address}{}", desk::apply_path(&cx.unit.slug)),
        origin,
        lookup: format!("{address}{}", desk::LOOKUP_PATH),
        evaluate: format!("{address}{}", desk::evaluate_path(&cx.unit.slug)),
        fields: APPLICATION_FIELDS.iter().map(field_view).collect(),
        honeypot: HONEYPOT,
    })
}

/// `request-form.html`: the 申请表 to print, fill in by hand and hand in.
#[derive(Serialize)]
struct FormPage {
    overview: Overview,
    supervision: Supervision,
    fields: Vec<FieldView>,
    desk: Option<DeskView>,
    /// Back to the request page.
    request: String,
}

/// Writes the printable 申请表 of the unit, under its request page `b`.
pub(super) fn form_page(cx: &mut UnitCx<'_, '_>, b: &Built) -> Result<()> {
    let path = cx.paths.page(FORM_PAGE);
    let view = FormPage {
        overview: view::overview(cx.unit, cx.schema()),
        supervision: view::supervision(cx.unit, cx.schema()),
        fields: APPLICATION_FIELDS.iter().map(field_view).collect(),
        desk: desk_view(cx),
        request: href(&path, &b.path),
    };
    let updated = [cx.updated_of("unit"), cx.updated_of("supervision")].into_iter().flatten().max();
    let crumbs = vec![(b.title.to_string(), b.path.clone()), ("申请表".to_string(), path.clone())];
    let head = Head { path: &path, title: "信息公开申请表", clause: b.clause.as_deref(), updated, crumbs };
    cx.page("request-form.html", head, &view)
}

/// One question's row: its counts and their shares of its answers.
#[derive(Serialize)]
struct QuestionView {
    text: String,
    counts: [u64; 3],
    /// `66.7%`, one per count; `—` without answers.
    shares: [String; 3],
    total: u64,
}

/// One 整改.
#[derive(Serialize)]
struct RectificationView {
    problem: String,
    measure: String,
    due: Option<DateView>,
    state: String,
    done: Option<DateView>,
}

/// One campaign on the page.
#[derive(Serialize)]
struct CampaignView {
    /// The file name, the campaign's anchor.
    id: String,
    name: String,
    from: Option<DateView>,
    to: Option<DateView>,
    /// The desk exported it (else the unit typed it).
    exported: bool,
    /// The file, when something in it is wrong: then no figure is shown.
    unsound: Option<String>,
    responses: u64,
    questions: Vec<QuestionView>,
    /// All answers to all questions.
    all: Option<QuestionView>,
    /// 综合满意度, `85.3`.
    score: Option<String>,
    /// 等次.
    grade: Option<&'static str>,
    rectifications: Vec<RectificationView>,
}

/// A share in percent with one decimal, rounded half up, by integer arithmetic.
fn share(n: u64, total: u64) -> String {
    if total == 0 {
        return "—".to_string();
    }
    let tenths = (u128::from(n) * 2000 + u128::from(total)) / (2 * u128::from(total));
    format!("{}.{}%", tenths / 10, tenths % 10)
}

fn question_view(text: String, t: Tally) -> QuestionView {
    let counts = [t.satisfied, t.basically, t.unsatisfied];
    let total = t.total();
    QuestionView { text, counts, shares: counts.map(|n| share(n, total)), total }
}

fn campaign_view(c: Campaign) -> CampaignView {
    let date = |d: Option<jiff::civil::Date>| d.and_then(|d| DateView::parse(&d.to_string()));
    let rectifications = c
        .rectifications
        .iter()
        .map(|r| RectificationView {
            problem: r.problem.clone(),
            measure: r.measure.clone(),
            due: r.due.as_deref().and_then(DateView::parse),
            state: r.state.clone(),
            done: r.done.as_deref().and_then(DateView::parse),
        })
        .collect();
    let tallies = c.tallies().filter(|_| c.is_sound());
    let (questions, all, score, grade) = match &tallies {
        Some(tallies) => {
            let mut sum = Tally::default();
            for t in tallies {
                sum = Tally {
                    satisfied: sum.satisfied.saturating_add(t.satisfied),
                    basically: sum.basically.saturating_add(t.basically),
                    unsatisfied: sum.unsatisfied.saturating_add(t.unsatisfied),
                };
            }
            let questions = c.questions.iter().zip(tallies).map(|(q, t)| question_view(q.text.clone(), *t)).collect();
            let score = desk::score_tenths(tallies).map(|s| format!("{}.{}", s / 10, s % 10));
            (questions, Some(question_view("全部题目".into(), sum)), score, desk::grade(tallies).map(Rating::as_str))
        }
        None => (Vec::new(), None, None, None),
    };
    CampaignView {
        unsound: (!c.is_sound())
            .then(|| c.file.rsplit_once('/').map_or(c.file.clone(), |(_, f)| format!("evaluations/{f}"))),
        id: c.id,
        name: c.name,
        from: date(c.from),
        to: date(c.to),
        exported: c.exported,
        responses: c.responses.unwrap_or_default(),
        questions,
        all,
        score,
        grade,
        rectifications,
    }
}

/// The unit's campaigns as its 公开目录 lists them, latest first: (anchor id, name, 结束日期).
pub(super) fn campaigns_listed(unit: &crate::model::Unit) -> Vec<(String, String, Option<DateView>)> {
    evaluation::campaigns(unit)
        .into_iter()
        .map(|c| {
            let to = c.to.and_then(|d| DateView::parse(&d.to_string()));
            let name = if c.name.is_empty() { "社会评议".to_string() } else { c.name };
            (c.id, name, to)
        })
        .collect()
}

/// `evaluation.html`
#[derive(Serialize)]
struct EvaluationPage {
    campaigns: Vec<CampaignView>,
    desk: Option<DeskView>,
}

/// The 评议结果 page: every campaign of the unit, the latest first.
pub(super) fn build(cx: &mut UnitCx<'_, '_>, b: &Built) -> Result<()> {
    if !evaluation::any(cx.unit) {
        return Ok(());
    }
    let campaigns: Vec<CampaignView> = evaluation::campaigns(cx.unit).into_iter().map(campaign_view).collect();
    let updated = campaigns.iter().filter_map(|c| c.to.clone()).max();
    let view = EvaluationPage { campaigns, desk: desk_view(cx) };
    cx.main_page(b, updated, &view)
}

#[cfg(test)]
mod tests {
    use super::share;

    #[test]
    fn shares_are_rounded_half_up_to_one_decimal() {
        assert_eq!(share(2, 3), "66.7%");
        assert_eq!(share(1, 3), "33.3%");
        assert_eq!(share(1, 8), "12.5%");
        assert_eq!(share(1, 16), "6.3%");
        assert_eq!(share(0, 5), "0.0%");
        assert_eq!(share(5, 5), "100.0%");
        assert_eq!(share(0, 0), "—");
        assert_eq!(share(u64::MAX, u64::MAX), "100.0%");
    }
}
