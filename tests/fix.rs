//! `gongkai fix`: one fixture per repair under tests/fixtures/fix_*/, laid over the example
//! portal. Each is shown as a diff (exit 1, nothing written), written with `--write` (exit 0,
//! the original kept as a hidden backup), and the repaired site then passes `check` where the
//! original did not (but for the BOM, which `check` accepts).

mod common;

use std::fs;

use common::Site;

const W: &str = "content/qingyuan-water";

/// (fixture, the file it breaks, words of the note, whether `check` fails on the original)
const CASES: &[(&str, &str, &str, bool)] = &[
    ("fix_gbk", "unit.yaml", "GBK/GB18030 编码 → UTF-8", true),
    ("fix_utf16", "fees.yaml", "UTF-16 编码 → UTF-8", true),
    ("fix_bom", "commitments.yaml", "去掉文件开头的 BOM", false),
    ("fix_tabs", "fees.yaml", "缩进中的 Tab → 2 个空格", true),
    ("fix_fullwidth_colon", "supervision.yaml", "字段名后的全角冒号「：」→ 半角「: 」", true),
];

#[test]
fn each_repair_is_shown_then_written_with_a_backup_and_the_site_then_passes_check() {
    for (fixture, file, note, broken) in CASES {
        let site = Site::example_with(fixture);
        let rel = format!("{W}/{file}");
        let original = fs::read(site.file(&rel)).unwrap();
        let check = site.run(&["check", "--quiet"]);
        assert_eq!(check.code, if *broken { 1 } else { 0 }, "{fixture}: check before\n{}", check.stdout);

        let shown = site.run(&["fix"]);
        assert_eq!(shown.code, 1, "{fixture}: {}{}", shown.stdout, shown.stderr);
        assert!(
            shown.stdout.contains(&format!("{rel}：")) && shown.stdout.contains(note),
            "{fixture}: {}",
            shown.stdout
        );
        assert!(shown.stdout.contains("--write"), "{fixture}: {}", shown.stdout);
        assert_eq!(fs::read(site.file(&rel)).unwrap(), original, "{fixture}: the preview wrote");

        let written = site.run(&["fix", "--write"]);
        assert_eq!(written.code, 0, "{fixture}: {}{}", written.stdout, written.stderr);
        let backup = site.file(&format!("{W}/.{file}.bak"));
        assert_eq!(fs::read(&backup).unwrap(), original, "{fixture}: the backup is the original");
        let repaired = fs::read(site.file(&rel)).unwrap();
        let text = String::from_utf8(repaired).expect("UTF-8 after fix");
        assert!(!text.starts_with('\u{feff}') && !text.contains('\t'), "{fixture}: {text}");

        let check = site.run(&["check", "--quiet"]);
        assert_eq!(check.code, 0, "{fixture}: check after fix\n{}", check.stdout);
        let again = site.run(&["fix"]);
        assert_eq!(again.code, 0, "{fixture}: {}", again.stdout);
        assert!(again.stdout.contains("没有需要修正"), "{fixture}: {}", again.stdout);
    }
}

#[test]
fn a_converted_file_says_what_it_said() {
    let site = Site::example_with("fix_gbk");
    assert_eq!(site.run(&["fix", "--write"]).code, 0);
    assert_eq!(
        site.read(&format!("{W}/unit.yaml")),
        fs::read_to_string(format!("{}/{W}/unit.yaml", common::REPO)).unwrap()
    );
    let site = Site::example_with("fix_utf16");
    assert_eq!(site.run(&["fix", "--write"]).code, 0);
    let fees = fs::read_to_string(format!("{}/{W}/fees.yaml", common::REPO)).unwrap();
    assert_eq!(site.read(&format!("{W}/fees.yaml")), fees.replace('\n', "\r\n"), "line ends are kept");
    let site = Site::example_with("fix_tabs");
    assert_eq!(site.run(&["fix", "--write"]).code, 0);
    assert_eq!(site.read(&format!("{W}/fees.yaml")), fees);
}

/// Only a colon after a key changes; a colon inside a value, and the Markdown body, stay.
#[test]
fn full_width_colons_in_values_stay() {
    let site = Site::example_with("fix_fullwidth_colon");
    let shown = site.run(&["fix"]);
    insta::assert_snapshot!("fix_fullwidth_colon_preview", shown.stdout);
    assert_eq!(site.run(&["fix", "--write"]).code, 0);
    let text = site.read(&format!("{W}/supervision.yaml"));
    assert!(text.contains("监督电话: 0943") && text.contains("（开箱时间：每周一）"), "{text}");
    let notice = site.read(&format!("{W}/notices/2026-11-计划停水.md"));
    assert!(notice.contains("\n标题: 北京路") && notice.contains("\n类别: 计划停水"), "{notice}");
    let original = fs::read_to_string(format!("{}/{W}/notices/2026-11-计划停水.md", common::REPO)).unwrap();
    assert_eq!(notice, original, "the body is untouched");
}

#[test]
fn a_backup_is_never_replaced() {
    let site = Site::example_with("fix_tabs");
    site.write(&format!("{W}/.fees.yaml.bak"), "an older backup");
    assert_eq!(site.run(&["fix", "--write"]).code, 0);
    assert_eq!(site.read(&format!("{W}/.fees.yaml.bak")), "an older backup");
    assert!(site.read(&format!("{W}/.fees.yaml.bak.1")).contains("\t- 项目名称"));
}

#[test]
fn a_file_that_is_not_text_is_named_and_left_alone() {
    let site = Site::example();
    site.write(&format!("{W}/fees.yaml"), b"# fees\n\xff\xfe\xfd bad bytes\n".as_slice());
    let out = site.run(&["fix", "--write"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("无法自动修正 content/qingyuan-water/fees.yaml"), "{}", out.stdout);
    assert_eq!(fs::read(site.file(&format!("{W}/fees.yaml"))).unwrap(), b"# fees\n\xff\xfe\xfd bad bytes\n");
    assert!(!site.file(&format!("{W}/.fees.yaml.bak")).exists());
}

#[test]
fn attachments_are_never_touched() {
    let site = Site::example();
    let (gbk, _, _) = encoding_rs::GB18030.encode("户名,金额\r\n王某,10\r\n");
    site.write(&format!("{W}/attachments/名单.csv"), gbk.as_ref());
    site.write(&format!("{W}/attachments/说明.md"), "\t缩进：保持\n");
    let out = site.run(&["fix"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
}
