//! The 社会评议结果 files checked (`evaluations/<编号>.yaml`, 《社会评议办法》第九条): each names its
//! campaign and dates, its counts are counts, each 题目 is there once, 整改 have a known 状态 and a
//! 已完成 one its 完成日期. What is wrong is read by `crate::evaluation`; here it becomes
//! findings. Pure.

use crate::evaluation;
use crate::finding::{Finding, Kind, Severity};
use crate::model::Unit;

/// Every finding about the unit's campaign files.
pub(super) fn check(unit: &Unit) -> Vec<Finding> {
    let mut out = Vec::new();
    for campaign in evaluation::campaigns(unit) {
        for p in campaign.problems {
            let kind = if p.missing { Kind::Missing } else { Kind::Invalid };
            let f = Finding::builtin(kind, Severity::Error, &campaign.file, p.pos, p.message)
                .with_field(p.field)
                .with_title(p.field)
                .with_help(p.help);
            out.push(f);
        }
    }
    for f in &mut out {
        f.unit = Some(unit.slug.clone());
    }
    out
}
