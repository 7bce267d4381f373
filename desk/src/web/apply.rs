//! `u/<unit>/apply`: the 依申请公开 form (第二十九条), its validation, and the receipt.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use gongkai::desk::{APPLICATION_FIELDS, CONTACT_FIELDS, HONEYPOT, Input, LOOKUP_PATH, contact_given};
use maud::{Markup, html};

use super::page::{message, page, respond};
use super::{App, form_problem, honeypot};
use crate::cases;

/// What the applicant typed, by field, in [`APPLICATION_FIELDS`] order; and the problems.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Checked {
    /// The values, trimmed.
    pub values: Vec<String>,
    /// (field name, problem).
    pub errors: Vec<(&'static str, String)>,
}

/// Checks a submitted form against [`APPLICATION_FIELDS`].
pub fn check(pairs: &[(String, String)]) -> Checked {
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let mut out = Checked::default();
    for f in APPLICATION_FIELDS {
        let raw = get(f.name).unwrap_or_default().replace("\r\n", "\n");
        let v = raw.trim().to_owned();
        let n = v.chars().count();
        let control = v.chars().any(|c| c.is_control() && !(f.input == Input::Text && (c == '\n' || c == '\t')));
        if f.required && v.is_empty() {
            out.errors.push((f.name, format!("请填写「{}」", f.label)));
        } else if n > f.max_chars {
            out.errors.push((f.name, format!("「{}」最多 {} 个字，现在有 {n} 个", f.label, f.max_chars)));
        } else if control {
            out.errors.push((f.name, format!("「{}」里有不能显示的控制字符，请删去", f.label)));
        } else if let Input::Choice(choices) = f.input
            && !v.is_empty()
            && !choices.contains(&v.as_str())
        {
            out.errors.push((f.name, format!("「{}」请从 {} 中选一项", f.label, choices.join("、"))));
        }
        out.values.push(v);
    }
    let values = &out.values;
    if !contact_given(|name| APPLICATION_FIELDS.iter().position(|f| f.name == name).map(|i| values[i].as_str())) {
        out.errors.push((CONTACT_FIELDS[0], "联系电话、电子邮箱、通信地址至少填写一项，以便答复".to_owned()));
    }
    out
}

fn form_page(name: &str, checked: &Checked) -> Markup {
    let value = |i: usize| checked.values.get(i).map(String::as_str).unwrap_or_default();
    let error = |n: &str| checked.errors.iter().filter(|(f, _)| *f == n).map(|(_, e)| e.clone()).collect::<Vec<_>>();
    page(
        &format!("{name}：政府信息公开申请"),
        2,
        html! {
            p { "依据《政府信息公开条例》第二十九条填写。带 * 的为必填项。提交后会得到受理编号和查询码，凭二者可查询办理情况。" }
            @if !checked.errors.is_empty() {
                div.errors role="alert" {
                    p { strong { "申请未提交，请改正以下问题：" } }
                    ul { @for (_, e) in &checked.errors { li { (e) } } }
                }
            }
            form method="post" accept-charset="utf-8" {
                @for (i, f) in APPLICATION_FIELDS.iter().enumerate() {
                    @match f.input {
                        Input::Choice(choices) => {
                            fieldset {
                                legend { (f.label) @if f.required { " *" } }
                                @for c in choices {
                                    label { input type="radio" name=(f.name) value=(c) checked[value(i) == *c]; " " (c) }
                                }
                                @for e in error(f.name) { p.error { (e) } }
                            }
                        }
                        _ => {
                            label for=(f.name) { (f.label) @if f.required { " *" } }
                            @if !f.hint.is_empty() { p.hint { (f.hint) } }
                            @if f.input == Input::Text {
                                textarea id=(f.name) name=(f.name) required[f.required] { (value(i)) }
                            } @else {
                                input type="text" id=(f.name) name=(f.name) value=(value(i)) required[f.required];
                            }
                            @for e in error(f.name) { p.error { (e) } }
                        }
                    }
                }
                div.hp aria-hidden="true" {
                    label for=(HONEYPOT) { "请勿填写" }
                    input type="text" id=(HONEYPOT) name=(HONEYPOT) tabindex="-1" autocomplete="off";
                }
                button type="submit" { "提交申请" }
            }
            p { a href={ "../../" (LOOKUP_PATH) } { "查询已提交的申请" } }
        },
    )
}

fn unknown_unit() -> Response {
    message(StatusCode::NOT_FOUND, "找不到这个单位", 2, "本平台没有这个单位；请从单位的信息公开页面进入申请。")
}

/// GET: the empty form.
pub async fn form(State(app): State<App>, Path(unit): Path<String>) -> Response {
    let Some(name) = app.portal.unit(&unit) else { return unknown_unit() };
    let empty = Checked { values: vec![String::new(); APPLICATION_FIELDS.len()], errors: vec![] };
    respond(StatusCode::OK, form_page(name, &empty))
}

/// POST: check, store, answer with the receipt (only after the row is committed).
pub async fn submit(
    State(app): State<App>,
    Path(unit): Path<String>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Some(name) = app.portal.unit(&unit) else { return unknown_unit() };
    let pairs = match form {
        Ok(Form(p)) => p,
        Err(e) => return form_problem(&e, 2),
    };
    if let Some(refused) = honeypot(&pairs, "申请未受理") {
        return refused;
    }
    let checked = check(&pairs);
    if !checked.errors.is_empty() {
        return respond(StatusCode::UNPROCESSABLE_ENTITY, form_page(name, &checked));
    }
    let today = app.today();
    let period = app.portal.reply(&unit);
    match cases::submit(&app.db, &unit, &checked.values, today, period.due(&app.portal.calendar, today)).await {
        Ok(r) => respond(
            StatusCode::OK,
            page(
                "申请已受理",
                2,
                html! {
                    div.receipt {
                        p { "受理单位：" (name) }
                        p { "受理编号：" strong { (r.no.to_string()) } }
                        p { "收到日期：" (r.received.to_string()) }
                        p { "答复期限：" (r.due.to_string()) "（收到之日起 " (period.zh()) "内，" (period.basis) "）"
                            @if r.estimated { "；这一年的节假日安排尚未公布，按周一至周五估算" } }
                        p { "查询码：" span.code { (r.code) } }
                    }
                    p { strong { "请抄下或打印受理编号和查询码。" } "查询码只显示这一次，本平台只保存它的摘要，无法找回。" }
                    p { a href={ "../../" (LOOKUP_PATH) } { "查询办理情况" } }
                },
            ),
        ),
        Err(e) => {
            eprintln!("保存申请失败（{unit}）：{e}");
            message(
                StatusCode::SERVICE_UNAVAILABLE,
                "申请未能保存",
                2,
                "系统暂时无法保存申请，申请没有提交成功，请稍后重新提交。",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Vec<(String, String)> {
        [
            ("applicant", "张三"),
            ("id_doc", "居民身份证 620400"),
            ("email", "a@b.cn"),
            ("info", "2025年水质检测报告"),
            ("medium", "电子"),
            ("delivery", "电子邮件"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }

    #[test]
    fn a_complete_application_passes_and_keeps_its_values() {
        let c = check(&good());
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert_eq!(c.values[0], "张三");
    }

    #[test]
    fn each_problem_is_named_in_chinese() {
        let mut p = good();
        p.retain(|(k, _)| k != "applicant" && k != "email");
        p.push(("medium".into(), "软盘".into()));
        p.retain(|(k, v)| k != "medium" || v == "软盘");
        p.push(("doc_number".into(), "x".repeat(101)));
        let c = check(&p);
        let msgs: Vec<&str> = c.errors.iter().map(|(_, e)| e.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "请填写「申请人姓名或者名称」",
                "「文号」最多 100 个字，现在有 101 个",
                "「信息的载体形式」请从 纸质、电子 中选一项",
                "联系电话、电子邮箱、通信地址至少填写一项，以便答复"
            ]
        );
    }
}
