//! JUnit XML: one test suite per unit, one test case per required item (rule), so GitLab, Jenkins
//! and Gitee pipelines show which items each unit is missing. Problems that no rule owns (a YAML
//! syntax error, an unknown key) are test cases of their own.

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::check::{CheckResult, Status};
use crate::finding::{Finding, Origin, Severity};

pub(super) fn render(result: &CheckResult) -> String {
    let mut report = Report::new("gongkai");
    let site: Vec<&Finding> = result.findings.iter().filter(|f| f.unit.is_none()).collect();
    if !site.is_empty() {
        let mut suite = TestSuite::new("site");
        suite.add_test_cases(site.iter().map(|f| loose_case("site", f)));
        report.add_test_suite(suite);
    }
    for unit in &result.units {
        let mine: Vec<&Finding> = result.findings.iter().filter(|f| f.unit.as_deref() == Some(&unit.slug)).collect();
        let mut suite = TestSuite::new(unit.slug.as_str());
        suite.add_property(Property::new("name", unit.name.as_str()));
        suite.add_property(Property::new("score", unit.completeness.score.to_string()));
        suite.add_property(Property::new(
            "published",
            format!("{}/{}", unit.completeness.published, unit.completeness.required),
        ));
        if let Some(grade) = &unit.completeness.grade {
            // a self-check reference, not an assessment result (see the README)
            suite.add_property(Property::new("grade", grade.as_str()));
        }
        for outcome in unit.rules.iter() {
            let found: Vec<&&Finding> = mine.iter().filter(|f| *f.rule == *outcome.rule).collect();
            let text = found.iter().map(|f| describe(f)).collect::<Vec<_>>().join("\n");
            let status = match (outcome.status, outcome.severity) {
                (Status::Passed, _) => TestCaseStatus::success(),
                (Status::Failed, Severity::Error) => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(found.first().map_or(String::new(), |f| f.message.clone()));
                    s.set_type(found.first().map_or("missing", |f| f.kind.as_str()));
                    s.set_description(text.clone());
                    s
                }
                (Status::Unchecked, Severity::Error) => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message("所在文件无法读取，见同一单位的 syntax 测试用例");
                    s
                }
                // a warning does not fail the build: record it and pass
                (_, Severity::Warning | Severity::Note) => TestCaseStatus::success(),
            };
            let mut case = TestCase::new(format!("{} {}（{}）", outcome.citation, outcome.title, outcome.rule), status);
            case.set_classname(format!("{}.{}", unit.slug, outcome.citation));
            if outcome.severity != Severity::Error && !text.is_empty() {
                case.set_system_out(text);
            }
            suite.add_test_case(case);
        }
        suite.add_test_cases(
            mine.iter()
                .filter(|f| matches!(f.origin, Origin::Gongkai | Origin::Links))
                .map(|f| loose_case(&unit.slug, f)),
        );
        report.add_test_suite(suite);
    }
    report.to_string().unwrap_or_default()
}

fn describe(f: &Finding) -> String {
    let at = match (f.line, f.column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", f.file),
        (Some(l), None) => format!("{}:{l}", f.file),
        _ => f.file.clone(),
    };
    format!("{at}: {}{}", f.message, f.help.as_deref().map(|h| format!("（{h}）")).unwrap_or_default())
}

/// A finding that belongs to no rule becomes a test case of its own.
fn loose_case(suite: &str, f: &Finding) -> TestCase {
    let status = match f.severity {
        Severity::Error => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(f.message.as_str());
            s.set_type(f.kind.as_str());
            s.set_description(describe(f));
            s
        }
        Severity::Warning | Severity::Note => TestCaseStatus::success(),
    };
    let line = f.line.map(|l| format!(":{l}")).unwrap_or_default();
    let mut case = TestCase::new(format!("{}{line} {}", f.file, f.kind.as_str()), status);
    case.set_classname(format!("{suite}.{}", f.rule));
    if f.severity != Severity::Error {
        case.set_system_out(describe(f));
    }
    case
}
