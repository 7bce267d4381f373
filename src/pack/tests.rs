//! The built-in packs are valid, and bad packs are refused with reasons.

use super::*;
use crate::schema::Schema;

fn builtin(id: &str) -> Pack {
    let (name, text) = BUILTIN.iter().find(|(n, _)| n.starts_with(id)).unwrap();
    let mut p = parse(text, &format!("builtin:{name}")).unwrap();
    let mut schema = Schema::builtin();
    p.extend_schema(&mut schema).unwrap();
    p.resolve(&schema).unwrap();
    p
}

#[test]
fn builtin_packs_are_valid() {
    for (name, text) in BUILTIN {
        let mut p = parse(text, name).unwrap();
        let mut schema = Schema::builtin();
        p.extend_schema(&mut schema).unwrap();
        p.resolve(&schema).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn citations_are_written_like_the_measure() {
    // the companion measures issued with it (the 年度报告 rules) are cited by their full title
    let re = regex::Regex::new(
        r"^(《白银市政务公开工作(考核|责任追究)办法\(试行\)》)?第[一二三四五六七八九十]+条(第\([一二三四五六七八九十]+\)项)?$",
    )
    .unwrap();
    for r in builtin("baiyin-2021").rules {
        assert!(re.is_match(&r.citation), "{}: {}", r.id, r.citation);
    }
}

#[test]
fn baiyin_covers_every_item_of_article_5_and_11() {
    let p = builtin("baiyin-2021");
    let by = |c: &str| p.rules.iter().filter(|r| &*r.citation == c).count();
    for (clause, at_least) in [
        ("第五条第(一)项", 9),
        ("第五条第(二)项", 6),
        ("第五条第(三)项", 3),
        ("第五条第(四)项", 4),
        ("第五条第(五)项", 2),
        ("第五条第(六)项", 5),
        ("第十一条", 8),
    ] {
        assert!(by(clause) >= at_least, "{clause}: {} rules", by(clause));
    }
}

#[test]
fn bad_packs_are_refused_with_reasons() {
    let base = "id: t\ntitle: T\nsource: {issuer: X, document: Y}\nrules:\n";
    let cases = [
        ("  - {id: a, citation: 第一条, title: A, file: nope.yaml, field: x, require: text}\n", "unknown file"),
        ("  - {id: a, citation: 第一条, title: A, file: unit.yaml, field: nope, require: text}\n", "no field"),
        ("  - {id: a, citation: 第一条, title: A, file: unit.yaml, field: leaders, require: text}\n", "is a list"),
        ("  - {id: a, citation: 第一条, title: A, file: unit.yaml, field: name, require: list}\n", "not a list"),
        (
            "  - {id: a, citation: 第一条, title: A, file: unit.yaml, field: leaders, require: list, each: {nope: text}}\n",
            "no field",
        ),
        ("  - {id: a, citation: 第一条, title: A, file: services/, require: text}\n", "must `require: list`"),
        ("  - {id: A, citation: 第一条, title: A, file: unit.yaml, field: name, require: text}\n", "lowercase"),
        ("  - {id: a, citation: 第一条, title: A, file: unit.yaml, field: name, require: txt}\n", "unknown variant"),
        (
            "  - {id: a, citation: 第一条, title: A, file: unit.yaml, field: name, require: text, sectors: [moon]}\n",
            "unknown sector",
        ),
        ("  - {id: a, citation: 第一条, title: A, file: fees.yaml, require: fresh}\n", "needs `max_age:`"),
        (
            "  - {id: a, citation: 第一条, title: A, file: unit.yaml, field: name, require: text, max_age: year}\n",
            "belongs to `require: fresh`",
        ),
        (
            "  - {id: a, citation: 第一条, title: A, file: notices/, require: within, days: 5, may_be_absent: true}\n",
            "`may_be_absent` belongs to rules on an item",
        ),
    ];
    for (rule, want) in cases {
        let text = format!("{base}{rule}");
        let result = parse(&text, "t.yaml").and_then(|mut p| p.resolve(&Schema::builtin()));
        let msg = result.map(|_| String::new()).unwrap_or_else(|e| e.to_string());
        assert!(msg.contains(want), "{rule}: got {msg:?}");
    }
}

#[test]
fn baiyin_lets_only_the_items_its_text_qualifies_be_declared_absent() {
    let p = builtin("baiyin-2021");
    let absent: Vec<&str> = p.rules.iter().filter(|r| r.may_be_absent).map(|r| &*r.id).collect();
    assert_eq!(
        absent,
        [
            "baiyin-2021/service-forms",
            "baiyin-2021/service-forms-listed",
            "baiyin-2021/fee-items",
            "baiyin-2021/fee-basis",
            "baiyin-2021/fee-standard",
            "baiyin-2021/supervisors",
            "baiyin-2021/supervisor-contact",
            "baiyin-2021/complaint-fax",
        ]
    );
    let fresh = p.rules.iter().filter(|r| matches!(r.check, Check::Fresh { max_age: Period::Year, .. }));
    assert!(fresh.clone().all(|r| r.severity == Severity::Warning && r.weight == 0));
    assert_eq!(fresh.count(), 5);
}

#[test]
fn nested_each_requirements_parse() {
    let p = builtin("baiyin-2021");
    let forms = p.rules.iter().find(|r| &*r.id == "baiyin-2021/service-forms").unwrap();
    let (key, sub) = &forms.check.item().unwrap().each[0];
    assert_eq!(key, "sample_forms");
    assert_eq!(sub.shape, Shape::List);
    assert_eq!(sub.each.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["file", "name"]);
}

#[test]
fn alternatives_of_a_within_rule_are_a_list() {
    let text = "id: t\ntitle: T\nsource: {issuer: X, document: Y}\nrules:\n  - {id: a, citation: 第一条, title: A, file: notices/, require: within, days: 5, to: updated | date}\n  - {id: b, citation: 第一条, title: B, file: notices/, require: within, days: 5}\n";
    let p = parse(text, "t.yaml").unwrap();
    let to = |i: usize| match &p.rules[i].check {
        Check::Within { to, .. } => to.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!((to(0), to(1)), (vec!["updated".to_string(), "date".to_string()], vec!["updated".to_string()]));
}
