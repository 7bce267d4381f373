//! Findings: what `check` reports. A missing item is data, not an error.
//!
//! Every layer that looks at content (loading, the schema, the rule packs) produces `Finding`s; the
//! report layer turns them into human, JSON, JUnit, SARIF and other outputs.

use serde::Serialize;

use crate::yaml::Pos;

/// What is wrong, as a stable machine-readable word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A required file, field or list entry is not there.
    Missing,
    /// The field is there but blank.
    Empty,
    /// The field still holds a placeholder such as 待补充 or TODO.
    Placeholder,
    /// The value has the wrong shape or type (not a phone number, a list where text belongs...).
    Invalid,
    /// The file cannot be read as YAML or Markdown (includes encoding problems).
    Syntax,
    /// A key the content model does not know (often a typo that would hide an item).
    UnknownField,
    /// A file in a unit folder that gongkai does not publish.
    UnknownFile,
    /// A link in a Markdown body to a page, file or anchor that does not exist (found by `build`).
    BrokenLink,
    /// Personal data that must not be published (ID, bank card, personal mobile).
    Privacy,
    /// A classification or internal-use mark.
    Confidential,
    /// Published later than a deadline allows, or not at the cadence required.
    Late,
    /// An attachment whose text could not be checked for 第六条 (PDF, old Office formats, images,
    /// a damaged or oversized file): a person must review it.
    Unscanned,
    /// An attachment that would run scripts from the site (HTML, SVG, active XML): not published.
    ActiveContent,
    /// A document marked `草稿: true`: not published until the mark is removed (a note).
    Draft,
}

impl Kind {
    /// Every kind, in the order reports list them.
    pub const ALL: [Kind; 14] = [
        Kind::Missing,
        Kind::Empty,
        Kind::Placeholder,
        Kind::Invalid,
        Kind::Syntax,
        Kind::UnknownField,
        Kind::UnknownFile,
        Kind::BrokenLink,
        Kind::Privacy,
        Kind::Confidential,
        Kind::Late,
        Kind::Unscanned,
        Kind::ActiveContent,
        Kind::Draft,
    ];

    /// What the kind means, in Chinese.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Missing => "缺少必须公开的内容",
            Kind::Empty => "内容为空",
            Kind::Placeholder => "内容仍是占位文字",
            Kind::Invalid => "内容格式不对",
            Kind::Syntax => "文件无法读取或 YAML 格式错误",
            Kind::UnknownField => "不认识的字段",
            Kind::UnknownFile => "不认识的文件",
            Kind::BrokenLink => "链接指向不存在的页面或位置",
            Kind::Privacy => "含有不得公开的个人信息",
            Kind::Confidential => "含有密级或内部资料标志",
            Kind::Late => "没有按时公开",
            Kind::Unscanned => "附件内容未能自动检查",
            Kind::ActiveContent => "附件含有可运行的脚本，不会发布",
            Kind::Draft => "草稿，不会发布",
        }
    }

    /// The kind's stable id in reports (`missing`, `broken-link`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Missing => "missing",
            Kind::Empty => "empty",
            Kind::Placeholder => "placeholder",
            Kind::Invalid => "invalid",
            Kind::Syntax => "syntax",
            Kind::UnknownField => "unknown-field",
            Kind::UnknownFile => "unknown-file",
            Kind::BrokenLink => "broken-link",
            Kind::Privacy => "privacy",
            Kind::Confidential => "confidential",
            Kind::Late => "late",
            Kind::Unscanned => "unscanned",
            Kind::ActiveContent => "active-content",
            Kind::Draft => "draft",
        }
    }
}

/// How serious a finding is: an error fails `check`, a warning does not, a note is only said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed: fails `check` and lowers nothing but the verdict.
    Error,
    /// Should be looked at; does not fail `check`.
    Warning,
    /// Worth knowing, nothing to fix (a draft that is not published); not counted as a problem.
    Note,
}

impl Severity {
    /// The severity's id in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }

    /// The word shown to a clerk.
    pub fn zh(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Note => "提示",
        }
    }
}

/// Where a finding comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A rule of a pack (its `rule` is `<pack>/<rule>`).
    Rule,
    /// The 第六条 review of what a unit publishes (`privacy/<rule>`).
    Privacy,
    /// gongkai itself (`gongkai/<kind>`): loading, the content model, a date that cannot be true,
    /// an attachment that cannot be read or published, an acknowledgement record.
    #[default]
    Gongkai,
    /// The check of the links written in Markdown against what was published
    /// (`gongkai/broken-link`).
    Links,
}

/// One problem found in a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The unit (its folder name) or `None` for a site-wide problem.
    pub unit: Option<String>,
    /// A stable rule id: `<pack>/<rule>` for rule-pack rules, `privacy/<rule>` for the 第六条 review,
    /// `gongkai/<kind>` for gongkai's own (see `origin`).
    pub rule: String,
    /// The article the rule encodes, e.g. `第五条第(三)项`.
    pub citation: Option<String>,
    /// The item concerned, in Chinese (e.g. 收费依据).
    pub title: String,
    /// What kind of problem it is.
    pub kind: Kind,
    /// Whether it fails `check`.
    pub severity: Severity,
    /// Path relative to the site root, with `/` separators.
    pub file: String,
    /// 1-based line, if known.
    pub line: Option<u32>,
    /// 1-based column, if known.
    pub column: Option<u32>,
    /// Where in the file, as the user would write it (e.g. `收费项目[2].收费依据`).
    pub field: Option<String>,
    /// What is wrong, in plain Chinese.
    pub message: String,
    /// What to do about it, in plain Chinese.
    pub help: Option<String>,
    /// The words of the library underneath (the YAML parser's own message, in English), for the
    /// IT person: in the JSON and SARIF reports, never in the clerk's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Where it comes from (in no report: `rule` names it there).
    #[serde(skip)]
    pub origin: Origin,
}

impl Finding {
    /// A finding raised by gongkai itself (not by a rule pack).
    pub fn builtin(kind: Kind, severity: Severity, file: &str, pos: Option<Pos>, message: String) -> Self {
        Finding {
            unit: None,
            rule: format!("gongkai/{}", kind.as_str()),
            citation: None,
            title: String::new(),
            kind,
            severity,
            file: file.to_string(),
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.col),
            field: None,
            message,
            help: None,
            detail: None,
            origin: Origin::Gongkai,
        }
    }

    /// With what to do about it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// With the library's own words, for the IT person.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// With where in the file, as the user would write it.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// With the item concerned.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// Where in the file, if known.
    pub fn pos(&self) -> Option<Pos> {
        Some(Pos::new(self.line?, self.column.unwrap_or(1)))
    }

    /// The order findings are reported in: by unit, file, position, then rule.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (&self.unit, &self.file, self.line, self.column, &self.rule, &self.message)
    }
}

/// Sort findings into report order and drop exact repeats.
pub fn sort(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup();
}
