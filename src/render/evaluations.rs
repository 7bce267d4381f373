//! The 社会评议 campaigns of a unit as open data (`data.json` `evaluations`): the figures its
//! 评议结果 page (`pages::desk`) shows, with the 等次 of [`crate::desk::grade`] computed here.

use crate::desk::{self, Rating};
use crate::evaluation;

/// The campaigns of a unit as open data (`data.json` `evaluations`): per campaign its name,
/// dates, whether the desk exported it, the questionnaires, per question the counts, the
/// 综合满意度 in tenths and the 等次 (`null` when the file has errors), and the 整改.
pub(super) fn open_data(unit: &crate::model::Unit) -> serde_json::Value {
    let campaigns: Vec<serde_json::Value> = evaluation::campaigns(unit)
        .into_iter()
        .map(|c| {
            let tallies = c.tallies().filter(|_| c.is_sound());
            let questions: Vec<serde_json::Value> = c
                .questions
                .iter()
                .map(|q| {
                    let t = q.tally.filter(|_| c.is_sound());
                    serde_json::json!({
                        "question": q.text,
                        "satisfied": t.map(|t| t.satisfied),
                        "basically_satisfied": t.map(|t| t.basically),
                        "unsatisfied": t.map(|t| t.unsatisfied),
                    })
                })
                .collect();
            let rectifications: Vec<serde_json::Value> = c
                .rectifications
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "problem": r.problem, "measure": r.measure, "due": r.due,
                        "state": r.state, "done": r.done,
                    })
                })
                .collect();
            serde_json::json!({
                "id": c.id,
                "name": c.name,
                "from": c.from.map(|d| d.to_string()),
                "to": c.to.map(|d| d.to_string()),
                "exported": c.exported,
                "sound": c.is_sound(),
                "responses": c.responses.filter(|_| c.is_sound()),
                "questions": questions,
                "score_tenths": tallies.as_deref().and_then(desk::score_tenths),
                "grade": tallies.as_deref().and_then(desk::grade).map(Rating::as_str),
                "rectifications": rectifications,
            })
        })
        .collect();
    serde_json::Value::Array(campaigns)
}
