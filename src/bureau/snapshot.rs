//! One gathering as data: every roster unit with what was found of it (its completeness and its
//! rule outcomes) and the bureau's findings (应报未报, unreachable, malformed…). Serialised as the
//! versioned JSON the README documents (`gongkai assess --format json`); the history stores it.

use serde::{Deserialize, Serialize};

/// Bumped only when a field is removed or changes meaning; fields are only added within a version.
pub const SNAPSHOT_VERSION: u32 = 1;

/// A gathering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// [`SNAPSHOT_VERSION`].
    pub schema_version: u32,
    /// `gongkai-assess`: what this JSON is.
    pub kind: String,
    /// The gongkai that gathered it.
    pub tool_version: String,
    /// 考核年度.
    pub year: i16,
    /// Its first and last day (第四条).
    pub period: Period,
    /// The day of the gathering: `--today` (then also the day every site's deadlines are judged
    /// on), else today in China (then each site judges as its own configuration says).
    pub date: String,
    /// Counts.
    pub summary: Summary,
    /// Every roster unit, in roster order.
    pub units: Vec<UnitSnapshot>,
    /// Units found at a source that are not on the roster.
    pub unlisted: Vec<Unlisted>,
    /// What the bureau must look at.
    pub findings: Vec<BureauFinding>,
}

/// The 考核年度's first and last day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    /// `YYYY-01-01`.
    pub start: String,
    /// `YYYY-12-31`.
    pub end: String,
}

/// Counts over the roster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Units on the roster.
    pub roster: usize,
    /// Units whose data was read.
    pub gathered: usize,
    /// Units with nothing published where the roster says (应报未报).
    pub missing: usize,
    /// Units whose data could not be read (unreachable, timed out, malformed, unknown version).
    pub failed: usize,
    /// Units read that publish every required item.
    pub complete: usize,
    /// Units found that are not on the roster.
    pub unlisted: usize,
    /// Findings.
    pub findings: usize,
}

/// What became of one roster unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Its data was read.
    Gathered,
    /// Nothing was published where the roster says (应报未报).
    Missing,
    /// Something is there but could not be read.
    Failed,
}

/// One roster unit in a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitSnapshot {
    /// The roster's name.
    pub name: String,
    /// The roster's code.
    pub code: Option<String>,
    /// 县区.
    pub county: Option<String>,
    /// 主管部门.
    pub department: Option<String>,
    /// 行业, as the roster says.
    pub sector: Option<String>,
    /// `site`, `public` or `url`.
    pub source_kind: String,
    /// The folder or address read.
    pub source: String,
    /// Its folder name at the source, once found.
    pub slug: Option<String>,
    /// Gathered, missing or failed.
    pub status: Status,
    /// What the unit published, when gathered.
    pub data: Option<UnitData>,
}

/// What a unit's site says of itself (its `data.json`, and its report when there is one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitData {
    /// The name the unit publishes under.
    pub name: String,
    /// Its sector, as its site says.
    pub sector: Option<String>,
    /// Items required.
    pub required: u32,
    /// Items published.
    pub published: u32,
    /// The self-check score (a reference, never the 考核 result).
    pub score: Option<u32>,
    /// The self-check grade.
    pub grade: Option<String>,
    /// `overdue`, `to-fix`.
    pub flags: Vec<String>,
    /// Error findings of its report (when the report was read).
    pub errors: Option<u32>,
    /// Warnings of its report.
    pub warnings: Option<u32>,
    /// Each rule's outcome, by rule id (empty when only `data.json` could be read). Privacy hits
    /// of its report are here too, as failed rules `privacy/…`.
    pub rules: Vec<RuleOutcome>,
    /// The request figures of its latest 年度报告 up to the 考核年度 (`None`: not published).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<Requests>,
    /// Its 社会评议 results (`None`: the site publishes none, or not in a form read here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluations: Option<Vec<Evaluation>>,
}

/// The request figures of a 年度报告 (README, 年度报告); a figure `None` when it is not a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requests {
    /// The year the report covers.
    pub year: i16,
    /// 本年新收申请数量.
    pub received: Option<u32>,
    /// 上年结转申请数量.
    pub carried_over: Option<u32>,
    /// 不予处理.
    pub not_handled: Option<u32>,
    /// 结转下年度继续办理.
    pub carried_forward: Option<u32>,
    /// Whether the figures add up (`None`: some figure is not a count).
    pub balanced: Option<bool>,
}

/// One 社会评议 a unit's site publishes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Its name.
    pub name: String,
    /// 满意, 基本满意 or 不满意.
    pub grade: Option<String>,
    /// 综合满意度, 0–100.
    pub score: Option<f64>,
}

/// One rule's outcome for a unit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RuleOutcome {
    /// `pack/rule`.
    pub rule: String,
    /// `passed`, `failed` or `unchecked`.
    pub status: String,
    /// `error` or `warning`.
    pub severity: String,
    /// The item's title.
    pub title: String,
}

/// A unit found at a source that the roster does not list.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unlisted {
    /// The folder or address.
    pub source: String,
    /// Its folder name there.
    pub slug: String,
    /// Its name.
    pub name: String,
}

/// What kind of problem a bureau finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// 应报未报: nothing published where the roster says.
    NotPublished,
    /// The source could not be reached (refused, timed out, an HTTP error).
    Unreachable,
    /// What was read is not gongkai's JSON.
    Malformed,
    /// A `schema_version` this gongkai does not know.
    UnknownVersion,
    /// The source is unusable (a site that does not load).
    SourceError,
    /// Required items are not published.
    Incomplete,
    /// A site found that is not on the roster.
    NotOnRoster,
}

/// One thing the bureau must look at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BureauFinding {
    /// The roster unit's name; `None` for a source-wide one.
    pub unit: Option<String>,
    /// What kind.
    pub kind: FindingKind,
    /// `error` (counts for the exit status) or `warning`.
    pub severity: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl Snapshot {
    /// The counts, from the units and findings.
    pub(crate) fn count(&mut self) {
        let n = |s: Status| self.units.iter().filter(|u| u.status == s).count();
        self.summary = Summary {
            roster: self.units.len(),
            gathered: n(Status::Gathered),
            missing: n(Status::Missing),
            failed: n(Status::Failed),
            complete: self.units.iter().filter_map(|u| u.data.as_ref()).filter(|d| d.published >= d.required).count(),
            unlisted: self.unlisted.len(),
            findings: self.findings.len(),
        };
    }

    /// An error finding remains (exit 1).
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == "error")
    }
}
