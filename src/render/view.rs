//! Typed views: what templates see. Built from the normalised content, never the raw YAML tree,
//! so a template can rely on every field being there (possibly empty) and in the right shape.
//!
//! Every struct here is documented because theme authors read it: the names are the template
//! variables (see README, "Themes").

use serde::Serialize;

use crate::check::UnitResult;
use crate::declaration;
use crate::model::{Doc, Unit};
use crate::schema::{DocSpec, FieldDef, FieldType, Schema};
use crate::shape;
use crate::yaml::{Node, Value};

/// A link in a navigation or list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Link {
    pub label: String,
    /// Relative to the current page.
    pub href: String,
    /// This link is the current page.
    pub current: bool,
}

/// A date as shown (`2026年8月25日`) and as machine text (`2026-08-25`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct DateView {
    pub iso: String,
    pub zh: String,
}

impl DateView {
    pub(crate) fn parse(text: &str) -> Option<DateView> {
        let d = shape::parse_date(text)?;
        Some(DateView { iso: d.to_string(), zh: shape::zh_date(d) })
    }
}

/// A person with a post and duties (window leaders).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Person {
    pub name: String,
    pub post: String,
    pub duties: Vec<String>,
    /// Cells of the columns a pack adds (`Overview::leader_columns`).
    pub more: Vec<String>,
    /// An entry that is not a 「键: 值」 group, as the clerk wrote it (see `raw`).
    pub raw: Option<String>,
}

/// A staff post and its duties.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Post {
    pub post: String,
    pub duties: Vec<String>,
    /// Sub-fields a pack adds, as (heading, text).
    pub more: Vec<(String, String)>,
    /// An entry that is not a 「键: 值」 group, as the clerk wrote it (see `raw`).
    pub raw: Option<String>,
}

/// A field a rule pack added to the content model, shown generically.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Extra {
    pub label: String,
    /// For text fields: the lines of text.
    pub lines: Vec<String>,
    /// For list fields: column headings and rows.
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// 第五条(一): the unit overview.
#[derive(Debug, Clone, Serialize, Default)]
pub(crate) struct Overview {
    pub functions: Vec<String>,
    pub service_scope: Vec<String>,
    pub address: String,
    pub service_phone: String,
    pub office_hours: String,
    pub website: String,
    pub credit_code: String,
    pub leaders: Vec<Person>,
    /// Headings of the columns a pack adds to the leaders' table (a hospital's 科室).
    pub leader_columns: Vec<String>,
    pub staff_duties: Vec<Post>,
    pub work_standards: Vec<String>,
    pub code_of_conduct: Vec<String>,
    pub extras: Vec<Extra>,
}

/// An application form of a service.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Form {
    pub name: String,
    /// Relative link to the attachment, or the web address; `None` when the file is missing.
    pub href: Option<String>,

    pub external: bool,
}

/// 第五条(二): one service.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Service {
    /// 索引号, from the publication record.
    pub index_number: String,
    pub title: String,
    pub href: String,
    pub basis: Vec<String>,
    pub time_limit: String,
    pub procedure: Vec<String>,
    pub result: String,
    pub materials: Vec<String>,
    pub forms: Vec<Form>,
    /// The service needs no application form: the statement.
    pub forms_declared: Option<String>,
    pub place: String,
    pub fee: String,
    /// The Markdown body, rendered and cleaned.
    pub body_html: String,
    pub updated: Option<DateView>,
    pub extras: Vec<Extra>,
}

/// 第五条(三): the fee items, and what rule packs add to them.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Fees {
    pub items: Vec<Fee>,
    /// The unit declared it charges no fees: the statement (`不适用：本单位不收取任何费用`).
    pub declared: Option<String>,
    /// Headings of the sub-fields a pack adds to each item (缴纳方式), one more column each.
    pub columns: Vec<String>,
    /// Fields a pack adds to the document (a power company's 电价政策文件).
    pub extras: Vec<Extra>,
}

/// One fee item.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Fee {
    pub name: String,
    pub basis: Vec<String>,
    pub standard: String,
    pub unit: String,
    pub note: String,
    /// The cells of the added columns.
    pub more: Vec<String>,
    /// An entry that is not a 「键: 值」 group, as the clerk wrote it (see `raw`).
    pub raw: Option<String>,
}

/// 第五条(四): the service commitments, and what rule packs add.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Commitments {
    pub items: Vec<Commitment>,
    pub extras: Vec<Extra>,
}

/// 第五条(四): one service commitment.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Commitment {
    pub item: String,
    pub standard: String,
    pub liability: String,
    pub remedy: String,
    /// Sub-fields a pack adds, as (heading, text), the empty ones left out.
    pub more: Vec<(String, String)>,
    /// An entry that is not a 「键: 值」 group, as the clerk wrote it (see `raw`).
    pub raw: Option<String>,
}

/// 第五条(五): one notice.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Notice {
    /// 索引号, from the publication record.
    pub index_number: String,
    pub title: String,
    pub href: String,
    pub category: String,
    /// 有效, 已撤销 or 已终止 (the word of the set it means, as `crate::status` reads it); as
    /// written when not understood; empty when not given.
    pub status: String,
    /// The notice was withdrawn or ended (its page says so, and why, in its history).
    pub withdrawn: bool,
    /// 有效性 in a document header's words (see `validity`).
    pub validity: String,
    pub date: Option<DateView>,
    pub effective: Option<DateView>,
    /// 文号 and 成文日期 of the document, when it has them (the header block of a government
    /// document).
    pub number: String,
    pub written: Option<DateView>,
    /// 第四条: the major matter the notice belongs to, and its stage.
    pub matter: String,
    pub stage: String,
    /// Every notice of the same matter, in stage order (this one marked current).
    pub stages: Vec<StageLink>,
    pub body_html: String,
    pub updated: Option<DateView>,
    pub extras: Vec<Extra>,
}

/// The header block of a published document (as on government documents): 索引号, 发布机构,
/// 文号, 成文日期, 发布日期, 有效性 — whichever the document has.
#[derive(Debug, Clone, Serialize, Default)]
pub(crate) struct DocHead {
    pub index_number: String,
    pub publisher: String,
    pub number: String,
    pub written: Option<DateView>,
    pub date: Option<DateView>,
    /// 现行有效, 已撤销 or 已失效; empty when the document gives no status.
    pub validity: String,
}

/// The header block of a document published by `publisher` under `index_number`.
pub(crate) fn doc_head(data: Option<&Node>, publisher: &str, index_number: String) -> DocHead {
    let (status, _) = status(data);
    DocHead {
        index_number,
        publisher: publisher.to_string(),
        number: text(data, "number"),
        written: date(data, "written"),
        date: date(data, "date"),
        validity: validity(&status),
    }
}

/// 有效性 in the words of a government document's header: 有效 → 现行有效, 已终止 → 已失效.
pub(crate) fn validity(status: &str) -> String {
    match status {
        "有效" => "现行有效".into(),
        "已终止" => "已失效".into(),
        other => other.to_string(),
    }
}

/// One published stage of a major matter.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct StageLink {
    pub stage: String,
    pub link: Link,
}

/// A social supervisor.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Supervisor {
    pub name: String,
    pub occupation: String,
    pub contact: String,
    pub more: Vec<String>,
    /// An entry that is not a 「键: 值」 group, as the clerk wrote it (see `raw`).
    pub raw: Option<String>,
}

/// 第五条(六) and 第十一条: supervision and complaints.
#[derive(Debug, Clone, Serialize, Default)]
pub(crate) struct Supervision {
    pub phone: String,
    pub window: String,
    pub mailbox: String,
    pub supervisors: Vec<Supervisor>,
    /// The unit declared it has engaged no social supervisors: the statement.
    pub supervisors_declared: Option<String>,
    pub supervisor_columns: Vec<String>,
    pub complaint_phone: String,
    pub fax: String,
    pub email: String,
    pub suggestion_box: String,
    pub postal_address: String,
    pub postcode: String,
    pub supervising_body: String,
    pub misconduct_rules: Vec<String>,
    pub extras: Vec<Extra>,
}

/// A unit as every unit page sees it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct UnitView {
    pub slug: String,
    pub name: String,
    pub short_name: String,
    /// The complaint phone (supervision.yaml), printed on every sheet of the unit.
    pub complaint_phone: String,
    pub sector: String,
    /// Completeness as it is: of the `required` items the measure names, `published` are
    /// published complete and in shape.
    pub required: u32,
    pub published: u32,
    /// Errors that remain, in words (逾期, 待改正).
    pub flags: Vec<String>,
    /// The unit's pages, in order, with the current one marked.
    pub nav: Vec<Link>,
    /// Link to the unit's front page.
    pub href: String,
}

/// A unit on the portal home page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct UnitCard {
    pub slug: String,
    pub name: String,
    pub href: String,
    /// Of the `required` items the measure names, `published` are published complete and in
    /// shape (no grade on public pages: a grade is the bureau's self-check reference).
    pub required: u32,
    pub published: u32,
    /// Errors that remain, in words (逾期, 待改正).
    pub flags: Vec<String>,
    pub errors: usize,
    pub notices: usize,
    pub latest: Option<DateView>,
}

/// Units of one sector on the portal home page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SectorGroup {
    pub name: String,
    pub units: Vec<UnitCard>,
}

// ---- reading values out of the normalised tree -------------------------------------------------

/// A scalar field as text (`""` when absent, a placeholder, or not text). A declaration that the
/// item does not exist at the unit reads as its statement (`不适用：本单位未设传真`).
pub(crate) fn text(node: Option<&Node>, key: &str) -> String {
    if let Some(statement) = declared(node, key) {
        return statement;
    }
    node.and_then(|n| n.text(key)).filter(|t| !shape::is_placeholder(t, &[])).unwrap_or_default().to_string()
}

/// The statement of a field declared absent (`不适用：本单位不收取任何费用`), if it is.
pub(crate) fn declared(node: Option<&Node>, key: &str) -> Option<String> {
    node.and_then(|n| n.get(key)).and_then(declaration::reason).map(declaration::statement)
}

/// A text-or-list field as lines: list entries, or the lines of a block of text (a declaration:
/// its statement).
pub(crate) fn lines(node: Option<&Node>, key: &str) -> Vec<String> {
    if let Some(statement) = declared(node, key) {
        return vec![statement];
    }
    match node.and_then(|n| n.get(key)).map(|n| &n.value) {
        Some(Value::Text(t)) => split_lines(t),
        Some(Value::List(items)) => items.iter().filter_map(Node::as_text).flat_map(split_lines).collect(),
        _ => Vec::new(),
    }
}

fn split_lines(t: &str) -> Vec<String> {
    t.lines().map(str::trim).filter(|l| !l.is_empty() && !shape::is_placeholder(l, &[])).map(str::to_string).collect()
}

/// The entries of a list field.
pub(crate) fn entries<'a>(node: Option<&'a Node>, key: &str) -> &'a [Node] {
    node.and_then(|n| n.get(key)).and_then(Node::as_list).unwrap_or_default()
}

/// Shown in place of an entry that can be neither read nor shown as written.
pub(crate) const MALFORMED: &str = "内容格式有误，未能显示";

/// How to show a list entry that is not a 「键: 值」 group, so that required content never turns
/// into an empty row: a text row (pasted from a Word/WPS table) as written, its cells set apart;
/// anything else as a notice. `None` for a group. `check` reports every such entry.
pub(crate) fn raw(entry: &Node) -> Option<String> {
    match &entry.value {
        Value::Map(_) => None,
        Value::Text(t) if !shape::is_placeholder(t, &[]) => {
            let cells: Vec<&str> = t.split('\t').map(str::trim).filter(|c| !c.is_empty()).collect();
            Some(if cells.is_empty() { MALFORMED.to_string() } else { cells.join("　") })
        }
        _ => Some(MALFORMED.to_string()),
    }
}

/// The entries of a list field of groups; a field written as text instead (`窗口单位领导: 张三
/// 总经理`) gives one entry per line, each shown as written.
pub(crate) fn rows(node: Option<&Node>, key: &str) -> Vec<Node> {
    if declared(node, key).is_some() {
        // `{不适用: 原因}` is a statement, shown as such, not a row
        return Vec::new();
    }
    match node.and_then(|n| n.get(key)) {
        Some(n @ Node { value: Value::Text(t), .. }) if !shape::is_placeholder(t, &[]) => t
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Node { value: Value::Text(l.to_string()), ..n.clone() })
            .collect(),
        // one group where a list of them belongs (the `- ` forgotten): shown as the one entry
        Some(n @ Node { value: Value::Map(_), .. }) => vec![n.clone()],
        _ => entries(node, key).to_vec(),
    }
}

pub(crate) fn date(node: Option<&Node>, key: &str) -> Option<DateView> {
    node.and_then(|n| n.text(key)).and_then(DateView::parse)
}

/// Fields of `node` that the typed view does not show: rule packs' additions.
pub(crate) fn extras(node: Option<&Node>, spec_fields: &[FieldDef], known: &[&str]) -> Vec<Extra> {
    let Some(entries) = node.and_then(Node::as_map) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter(|e| !known.contains(&e.key.as_str()) && !crate::schema::is_internal(&e.key))
        .filter_map(|e| {
            let def = spec_fields.iter().find(|f| f.key == e.key)?;
            let mut x = Extra { label: def.zh.clone(), lines: Vec::new(), headers: Vec::new(), rows: Vec::new() };
            if def.ty == FieldType::List && !def.fields.is_empty() && declaration::reason(&e.value).is_none() {
                x.headers = def.fields.iter().map(|f| f.zh.clone()).collect();
                x.rows = rows(node, &e.key)
                    .iter()
                    .map(|item| match raw(item) {
                        // the row as written, in the first column
                        Some(r) => std::iter::once(r).chain(def.fields.iter().skip(1).map(|_| String::new())).collect(),
                        None => def.fields.iter().map(|f| lines(Some(item), &f.key).join("；")).collect(),
                    })
                    .collect();
            } else {
                x.lines = lines(node, &e.key);
            }
            (!x.lines.is_empty() || !x.rows.is_empty()).then_some(x)
        })
        .collect()
}

fn spec_fields<'a>(schema: &'a Schema, kind: &str) -> &'a [FieldDef] {
    schema.doc(kind).map(|d: &DocSpec| d.fields.as_slice()).unwrap_or_default()
}

// ---- builders ---------------------------------------------------------------------------------

/// The added columns as (heading, text) pairs, the empty ones left out.
fn pairs(headings: &[String], cells: Vec<String>) -> Vec<(String, String)> {
    headings.iter().cloned().zip(cells).filter(|(_, v)| !v.is_empty()).collect()
}

fn list_def<'a>(fields: &'a [FieldDef], key: &str) -> Option<&'a FieldDef> {
    fields.iter().find(|f| f.key == key)
}

pub(crate) fn overview(unit: &Unit, schema: &Schema) -> Overview {
    let n = unit.doc("unit").and_then(|d| d.data.as_ref());
    let fields = spec_fields(schema, "unit");
    let (leaders, staff) = (rows(n, "leaders"), rows(n, "staff_duties"));
    let (leader_columns, leader_more) =
        added_columns(&leaders, list_def(fields, "leaders"), &["name", "post", "duties"]);
    let (post_headings, post_more) = added_columns(&staff, list_def(fields, "staff_duties"), &["post", "duties"]);
    Overview {
        functions: lines(n, "functions"),
        service_scope: lines(n, "service_scope"),
        address: text(n, "address"),
        service_phone: text(n, "service_phone"),
        office_hours: text(n, "office_hours"),
        website: text(n, "website"),
        credit_code: text(n, "credit_code"),
        leaders: leaders
            .iter()
            .zip(leader_more)
            .map(|(e, more)| Person {
                name: text(Some(e), "name"),
                post: text(Some(e), "post"),
                duties: lines(Some(e), "duties"),
                more,
                raw: raw(e),
            })
            .collect(),
        leader_columns,
        staff_duties: staff
            .iter()
            .zip(post_more)
            .map(|(e, more)| Post {
                post: text(Some(e), "post"),
                duties: lines(Some(e), "duties"),
                more: pairs(&post_headings, more),
                raw: raw(e),
            })
            .collect(),
        work_standards: lines(n, "work_standards"),
        code_of_conduct: lines(n, "code_of_conduct"),
        extras: extras(
            n,
            fields,
            &[
                "name",
                "short_name",
                "sector",
                "credit_code",
                "functions",
                "service_scope",
                "address",
                "service_phone",
                "office_hours",
                "website",
                "leaders",
                "staff_duties",
                "work_standards",
                "code_of_conduct",
                "updated",
            ],
        ),
    }
}

/// Sub-fields of a list's entries that the typed view does not show (a pack's additions): their
/// headings, and each entry's cells, leaving out columns empty in every entry.
fn added_columns(entries: &[Node], def: Option<&FieldDef>, known: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let added: Vec<&FieldDef> =
        def.map(|d| d.fields.iter().filter(|f| !known.contains(&f.key.as_str())).collect()).unwrap_or_default();
    let used: Vec<&FieldDef> =
        added.into_iter().filter(|f| entries.iter().any(|e| !lines(Some(e), &f.key).is_empty())).collect();
    let cells = entries.iter().map(|e| used.iter().map(|f| lines(Some(e), &f.key).join("；")).collect()).collect();
    (used.iter().map(|f| f.zh.clone()).collect(), cells)
}

pub(crate) fn fees(unit: &Unit, schema: &Schema) -> Fees {
    let n = unit.doc("fees").and_then(|d| d.data.as_ref());
    let fields = spec_fields(schema, "fees");
    let list = &rows(n, "fees");
    let (columns, more) = added_columns(list, list_def(fields, "fees"), &["name", "basis", "standard", "unit", "note"]);
    let items = list
        .iter()
        .zip(more)
        .map(|(e, more)| Fee {
            name: text(Some(e), "name"),
            basis: lines(Some(e), "basis"),
            standard: text(Some(e), "standard"),
            unit: text(Some(e), "unit"),
            note: text(Some(e), "note"),
            more,
            raw: raw(e),
        })
        .collect();
    Fees { items, declared: declared(n, "fees"), columns, extras: extras(n, fields, &["fees", "updated"]) }
}

pub(crate) fn commitments(unit: &Unit, schema: &Schema) -> Commitments {
    let n = unit.doc("commitments").and_then(|d| d.data.as_ref());
    let fields = spec_fields(schema, "commitments");
    let list = &rows(n, "commitments");
    let (headings, more) =
        added_columns(list, list_def(fields, "commitments"), &["item", "standard", "liability", "remedy"]);
    let items = list
        .iter()
        .zip(more)
        .map(|(e, more)| Commitment {
            item: text(Some(e), "item"),
            standard: text(Some(e), "standard"),
            liability: text(Some(e), "liability"),
            remedy: text(Some(e), "remedy"),
            more: pairs(&headings, more),
            raw: raw(e),
        })
        .collect();
    Commitments { items, extras: extras(n, fields, &["commitments", "updated"]) }
}

pub(crate) fn supervision(unit: &Unit, schema: &Schema) -> Supervision {
    let n = unit.doc("supervision").and_then(|d| d.data.as_ref());
    let fields = spec_fields(schema, "supervision");
    let supervisors = rows(n, "supervisors");
    let (supervisor_columns, supervisor_more) =
        added_columns(&supervisors, list_def(fields, "supervisors"), &["name", "occupation", "contact"]);
    Supervision {
        phone: text(n, "phone"),
        window: text(n, "window"),
        mailbox: text(n, "mailbox"),
        supervisors: supervisors
            .iter()
            .zip(supervisor_more)
            .map(|(e, more)| Supervisor {
                name: text(Some(e), "name"),
                occupation: text(Some(e), "occupation"),
                contact: text(Some(e), "contact"),
                more,
                raw: raw(e),
            })
            .collect(),
        supervisors_declared: declared(n, "supervisors"),
        supervisor_columns,
        complaint_phone: text(n, "complaint_phone"),
        fax: text(n, "fax"),
        email: text(n, "email"),
        suggestion_box: text(n, "suggestion_box"),
        postal_address: text(n, "postal_address"),
        postcode: text(n, "postcode"),
        supervising_body: text(n, "supervising_body"),
        misconduct_rules: lines(n, "misconduct_rules"),
        extras: extras(
            n,
            fields,
            &[
                "phone",
                "window",
                "mailbox",
                "supervisors",
                "complaint_phone",
                "fax",
                "email",
                "suggestion_box",
                "postal_address",
                "postcode",
                "supervising_body",
                "misconduct_rules",
                "updated",
            ],
        ),
    }
}

/// The title of a Markdown document: its `title` field, else its file name.
pub(crate) fn doc_title(doc: &Doc) -> String {
    let t = text(doc.data.as_ref(), "title");
    if t.is_empty() { doc.stem.clone() } else { t }
}

pub(crate) const SERVICE_FIELDS: &[&str] = &[
    "title",
    "basis",
    "time_limit",
    "procedure",
    "result",
    "materials",
    "sample_forms",
    "place",
    "fee",
    "order",
    "updated",
];

/// A document's status as shown (the word of the set it means, else as written), and whether it
/// was withdrawn or ended (`crate::status`, the one definition the checker uses too).
pub(crate) fn status(node: Option<&Node>) -> (String, bool) {
    let written = text(node, "status");
    match crate::status::read(&written).standing() {
        Some(s) => (s.zh().to_string(), s.is_withdrawn()),
        None => (written, false),
    }
}

pub(crate) const NOTICE_FIELDS: &[&str] =
    &["title", "category", "status", "date", "effective", "number", "written", "matter", "stage", "updated"];

/// A unit's flags in words.
pub(crate) fn flags(result: &UnitResult) -> Vec<String> {
    result.completeness.flags.iter().map(|f| f.zh().to_string()).collect()
}

/// The unit's name and completeness for its pages.
pub(crate) fn unit_view(
    unit: &Unit,
    result: Option<&UnitResult>,
    schema: &Schema,
    nav: Vec<Link>,
    href: String,
) -> UnitView {
    let n = unit.doc("unit").and_then(|d| d.data.as_ref());
    UnitView {
        slug: unit.slug.clone(),
        name: unit.name().to_string(),
        short_name: text(n, "short_name"),
        complaint_phone: text(unit.doc("supervision").and_then(|d| d.data.as_ref()), "complaint_phone"),
        sector: sector_name(unit, schema),
        required: result.map_or(0, |r| r.completeness.required),
        published: result.map_or(0, |r| r.completeness.published),
        flags: result.map(flags).unwrap_or_default(),
        nav,
        href,
    }
}

pub(crate) fn sector_name(unit: &Unit, schema: &Schema) -> String {
    unit.sector.as_deref().and_then(|s| schema.sector(s)).map_or_else(|| "其他".to_string(), |s| s.zh.clone())
}
