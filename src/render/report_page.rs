//! The missing-items report as an HTML page.

use serde::Serialize;
use tera::Context;

use super::site::{PageView, SiteView};
use super::theme::Theme;
use crate::check::CheckResult;
use crate::error::Result;
use crate::finding::Finding;
use crate::model::Site;

/// The missing-items report as an HTML page. `stylesheet` is its link to the theme's CSS.
pub(crate) fn report_html(
    site: &Site,
    result: &CheckResult,
    theme: &Theme,
    stylesheet: &str,
    home: &str,
) -> Result<String> {
    #[derive(Serialize)]
    struct UnitReport<'a> {
        slug: &'a str,
        name: &'a str,
        required: u32,
        published: u32,
        flags: Vec<&'static str>,
        score: u32,
        grade: Option<&'a str>,
        grade_capped: Option<&'a str>,
        errors: usize,
        warnings: usize,
        findings: Vec<&'a Finding>,
    }
    let mut units: Vec<UnitReport<'_>> = result
        .units
        .iter()
        .map(|u| UnitReport {
            slug: &u.slug,
            name: &u.name,
            required: u.completeness.required,
            published: u.completeness.published,
            flags: u.completeness.flags.iter().map(|f| f.zh()).collect(),
            score: u.completeness.score,
            grade: u.completeness.grade.as_deref(),
            grade_capped: u.completeness.grade_capped.as_deref(),
            errors: u.errors,
            warnings: u.warnings,
            findings: result.findings.iter().filter(|f| f.unit.as_deref() == Some(&u.slug)).collect(),
        })
        .collect();
    units.sort_by(|a, b| a.score.cmp(&b.score).then(b.errors.cmp(&a.errors)).then(a.slug.cmp(b.slug)));
    let title = site.config.title.clone().unwrap_or_else(|| "信息公开".to_string());
    let mut cx = Context::new();
    cx.insert(
        "site",
        &SiteView {
            home: home.to_string(),
            stylesheet: stylesheet.to_string(),
            script: None,
            accessibility: None,
            search: None,
            ..SiteView::new(site, &title, "report/index.html")
        },
    );
    cx.insert(
        "page",
        &PageView {
            title: format!("{title}：公开内容检查报告"),
            clause: None,
            updated: None,
            path: "report/index.html".into(),
            root: "../".into(),
            url: None,
            url_shown: None,
            qr_svg: None,
            draft: false,
            breadcrumbs: Vec::new(),
        },
    );
    cx.insert(
        "summary",
        &serde_json::json!({"units": result.units.len(), "errors": result.errors(), "warnings": result.warnings()}),
    );
    cx.insert("units", &units);
    // the grade bands and what a grade is, from the pack (never written in the template)
    cx.insert("grading", &crate::report::grading(&site.packs));
    cx.insert("grading_note", &crate::report::grading(&site.packs).map(crate::report::grading_note));
    cx.insert("acknowledgements", &result.acknowledgements);

    cx.insert("site_findings", &result.findings.iter().filter(|f| f.unit.is_none()).collect::<Vec<_>>());
    theme.render("report.html", &cx)
}
