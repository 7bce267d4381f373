//! The binary as CI and a clerk run it: exit codes, messages, formats, files.

mod common;

use common::{Site, fill_in, run_in};

#[test]
fn clean_site_exits_0() {
    let site = Site::example();
    let out = site.run(&["check"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("结论：必须公开的内容齐全，通过。"));
    assert!(out.stdout.contains("   100  优秀"));
}

#[test]
fn missing_item_exits_1_with_file_line_and_article() {
    let site = Site::example();
    site.write(
        "content/qingyuan-water/fees.yaml",
        "收费项目:\n  - 项目名称: 居民生活用水\n    收费依据: 白银市发展和改革委员会关于城区居民阶梯水价的通知\n",
    );
    let out = site.run(&["check"]);
    assert_eq!(out.code, 1);
    let s = &out.stdout;
    assert!(s.contains("错误[baiyin-2021/fee-standard]: 「收费项目」第 1 项（居民生活用水）缺少「收费标准」"), "{s}");
    assert!(s.contains("--> content/qingyuan-water/fees.yaml:2:5"), "{s}");
    assert!(s.contains("= 依据: 《白银市公共企事业单位信息公开办法(试行)》第五条第(三)项 收费标准"), "{s}");
    // the source line is quoted
    assert!(s.contains("2 |   - 项目名称: 居民生活用水"), "{s}");
    assert!(s.contains("白银清源供水有限公司（qingyuan-water）"));
}

/// A misspelt key is one error, at the key, with the article of the item it meant (point 10).
#[test]
fn a_misspelt_key_is_one_error_quoting_its_line() {
    let out = Site::example_with("unknown_key").run(&["check"]);
    assert_eq!(out.code, 1);
    let s = &out.stdout;
    assert!(s.contains("错误[gongkai/unknown-field]: 不认识的字段「收费标注」"), "{s}");
    assert!(s.contains("4 |     收费标注: 3.10 元/立方米"), "{s}");
    assert!(s.contains("= 依据: 《白银市公共企事业单位信息公开办法(试行)》第五条第(三)项 收费标准"), "{s}");
    assert!(!s.contains("缺少「收费标准」"), "{s}");
    assert!(s.contains("共 1 项错误"), "{s}");
}

#[test]
fn yaml_error_is_shown_at_line_and_column() {
    let out = Site::example_with("syntax_error").run(&["check", "--unit", "qingyuan-water"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("--> content/qingyuan-water/unit.yaml:5:6"), "{}", out.stdout);
    assert!(out.stdout.contains("缩进不对"));
}

#[test]
fn unusable_config_or_pack_or_site_exits_2() {
    let out = Site::example_with("bad_config").run(&["check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("gongkai.yaml:2:1: 配置文件有误"), "{}", out.stderr);
    assert!(out.stderr.contains("pack"), "{}", out.stderr);

    let out = Site::example_with("bad_pack").run(&["check"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("rules/broken.yaml: 规则包有误：rule `broken/a`: `unit.yaml` has no field `信息公开指南`"),
        "{}",
        out.stderr
    );

    let empty = Site::empty();
    let out = empty.run(&["check"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("没有 content/ 文件夹"), "{}", out.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let site = Site::example();
    assert_eq!(site.run(&["check", "--no-such-flag"]).code, 2);
    assert_eq!(site.run(&["check", "--format", "xml"]).code, 2);
    let out = site.run(&["check", "--unit", "qingyuan-watr"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("没有名为「qingyuan-watr」的单位，是不是「qingyuan-water」？"), "{}", out.stderr);
}

#[test]
fn unit_option_limits_the_check() {
    let site = Site::example_with("unknown_key");
    let out = site.run(&["check", "--unit", "renhe-hospital"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("检查了 1 个单位"));
}

#[test]
fn output_file_gets_the_report_and_terminal_the_summary() {
    let site = Site::example_with("unknown_key");
    let out = site.run(&["check", "--format", "json", "--output", "report.json"]);
    assert_eq!(out.code, 1);
    let json: serde_json::Value = serde_json::from_str(&site.read("report.json")).unwrap();
    assert_eq!(json["summary"]["errors"], 1);
    assert!(out.stdout.contains("共 1 项错误"), "{}", out.stdout);
    assert!(!out.stdout.contains("schema_version"));
}

#[test]
fn every_format_runs_from_the_command_line() {
    let site = Site::example_with("unknown_key");
    for f in ["human", "json", "junit", "sarif", "github", "gitlab", "markdown"] {
        let out = site.run(&["check", "--format", f]);
        assert_eq!(out.code, 1, "{f}: {}", out.stderr);
        assert!(!out.stdout.is_empty(), "{f}");
    }
}

#[test]
fn colour_only_when_asked_for_or_on_a_terminal() {
    let site = Site::example_with("unknown_key");
    let piped = site.run(&["check"]);
    assert!(!piped.stdout.contains('\x1b'), "no colour when piped");
    let forced = run_in(site.path(), &["check"], &[("CLICOLOR_FORCE", "1")]);
    assert!(forced.stdout.contains('\x1b'), "CLICOLOR_FORCE gives colour");
    let no = run_in(site.path(), &["check"], &[("NO_COLOR", "1")]);
    assert!(!no.stdout.contains('\x1b'));
}

#[test]
fn github_format_writes_the_full_report_to_the_step_summary() {
    let site = Site::example_with("unknown_key");
    let summary = site.file("summary.md");
    let out =
        run_in(site.path(), &["check", "--format", "github"], &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .starts_with("::error file=content/qingyuan-water/fees.yaml,line=4,col=5,title=《白银市公共企事业单位信息公开办法(试行)》第五条第(三)项 收费标准::"),
        "{}",
        out.stdout
    );
    let md = site.read("summary.md");
    assert!(md.contains("| ❌ | `content/qingyuan-water/fees.yaml:4` |"), "{md}");
}

#[test]
fn init_scaffolds_a_site_whose_check_lists_every_item() {
    let tmp = Site::empty();
    let out = run_in(tmp.path(), &["init", "portal", "--sector", "water"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("portal/content/my-unit/fees.yaml"));
    let fees = tmp.read("portal/content/my-unit/fees.yaml");
    assert!(fees.contains("# 第五条第(三)项 收费项目"), "{fees}");
    assert!(fees.contains("  - 项目名称: 待补充\n    收费依据: 待补充\n    收费标准: 待补充\n"), "{fees}");
    assert!(tmp.read("portal/content/my-unit/unit.yaml").contains("行业: 供水"));

    let out = run_in(&tmp.file("portal"), &["check", "--format", "json"], &[]);
    assert_eq!(out.code, 1);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    // one placeholder finding per item to fill in, and every scored rule fails (timing rules
    // have no dates to judge yet)
    assert!(findings.iter().all(|f| f["kind"] == "placeholder"), "{findings:#?}");
    let rules = json["units"][0]["rules"].as_array().unwrap();
    for r in rules.iter().filter(|r| r["weight"].as_u64().unwrap() > 0) {
        assert_eq!(r["status"], "failed", "{r}");
    }

    let mut items: Vec<(String, String)> = findings
        .iter()
        .map(|f| (f["file"].as_str().unwrap().to_string(), f["field"].as_str().unwrap_or("正文").to_string()))
        .collect();
    let n = items.len();
    items.sort();
    items.dedup();
    assert_eq!(items.len(), n, "one finding per item");
    assert_eq!(json["units"][0]["score"], 0);
}

#[test]
fn init_adds_a_unit_inside_a_site_and_never_overwrites() {
    let site = Site::example();
    let out = site.run(&["init", "content/new-school", "--sector", "school"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(site.file("content/new-school/supervision.yaml").is_file());
    assert!(!site.file("content/new-school/gongkai.yaml").exists());
    assert!(out.stdout.contains("单位文件夹名「new-school」就是这个单位在网站上的地址"), "{}", out.stdout);
    let again = site.run(&["init", "content/new-school"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("没有添加任何文件"), "{}", again.stdout);
    let out = site.run(&["check"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("  new-school\n"), "{}", out.stdout);
}

/// `gongkai init content/<unit>` into a unit that exists adds only the files it lacks, as the
/// help texts of missing files suggest, and leaves every existing file byte for byte (the
/// verdicts issue, point 12).
#[test]
fn init_into_an_existing_unit_adds_only_missing_files() {
    let site = Site::example();
    let unit = site.file("content/qingyuan-water");
    let before: Vec<(std::path::PathBuf, Vec<u8>)> = walkdir::WalkDir::new(&unit)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .filter(|e| !e.path().ends_with("commitments.yaml"))
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect();
    std::fs::remove_file(unit.join("commitments.yaml")).unwrap();
    let out = site.run(&["init", "content/qingyuan-water"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("已补上单位"), "{}", out.stdout);
    assert!(out.stdout.contains("commitments.yaml"), "{}", out.stdout);
    assert!(!out.stdout.contains("fees.yaml"), "{}", out.stdout);
    for (path, bytes) in &before {
        assert_eq!(&std::fs::read(path).unwrap(), bytes, "{} was changed", path.display());
    }
    // nothing else appeared: only commitments.yaml is new, with the unit's own sector (供水)
    let after =
        walkdir::WalkDir::new(&unit).into_iter().map(Result::unwrap).filter(|e| e.file_type().is_file()).count();
    assert_eq!(after, before.len() + 1);
    assert!(out.stdout.contains("行业：供水"), "{}", out.stdout);
    assert!(site.read("content/qingyuan-water/commitments.yaml").contains("承诺事项: 待补充"));
}

/// The scaffolded site title is a placeholder like any other: `check` names it (point 12).
#[test]
fn the_scaffolded_site_title_is_reported_until_it_is_replaced() {
    let tmp = Site::empty();
    let out = run_in(tmp.path(), &["init", "portal"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run_in(&tmp.file("portal"), &["check", "--format", "json"], &[]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let title: Vec<_> = json["findings"].as_array().unwrap().iter().filter(|f| f["file"] == "gongkai.yaml").collect();
    assert_eq!(title.len(), 1, "{title:#?}");
    assert_eq!(title[0]["kind"], "placeholder");
    assert_eq!(title[0]["severity"], "error");
    // line 1 names the editors' schema, 2 and 3 are comments
    assert_eq!(title[0]["line"], 4);
    assert!(title[0]["message"].as_str().unwrap().contains("站点名称"), "{}", title[0]);
}

#[test]
fn every_sector_scaffold_lists_only_placeholders_and_passes_once_filled_in() {
    let sectors = [
        "school",
        "幼儿园",
        "university",
        "hospital",
        "疾病预防控制",
        "妇幼保健服务机构",
        "water",
        "power",
        "gas",
        "heating",
        "transit",
        "environment",
        "generic",
    ];
    for sector in sectors {
        let tmp = Site::empty();
        let out = run_in(tmp.path(), &["init", "site", "--sector", sector], &[]);
        assert_eq!(out.code, 0, "{sector}: {}", out.stderr);
        let site = tmp.file("site");
        let out = run_in(&site, &["check", "--format", "json", "--today", "2026-11-27"], &[]);
        assert_eq!(out.code, 1, "{sector}");
        let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let odd: Vec<_> = json["findings"].as_array().unwrap().iter().filter(|f| f["kind"] != "placeholder").collect();
        assert!(odd.is_empty(), "{sector}: {odd:#?}");

        fill_in(&site);
        let out = run_in(&site, &["check", "--today", "2026-11-27"], &[]);
        assert_eq!(out.code, 0, "{sector}: the filled-in scaffold should pass\n{}", out.stdout);
    }
}

/// A second measure, from the site's own rules/ folder, with no code change: the report names
/// it, its citations and its own words for the fields.
#[test]
fn a_site_under_the_hebei_measure_checks_and_builds_with_its_own_pack() {
    let site = Site::fixture("hebei_pack");
    let out = site.run(&["check", "--format", "json"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["packs"][0]["id"], "hebei-2022");
    assert_eq!(json["packs"][0]["source"]["issuer"], "河北省文化和旅游厅");
    assert_eq!(json["packs"].as_array().unwrap().len(), 1);
    let rules = json["units"][0]["rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| r["rule"].as_str().unwrap().starts_with("hebei-2022/")));

    // the measure's own field names are accepted, and a missing one is named by its article
    let unit = site.read("content/shili-museum/unit.yaml");
    let start = unit.find("机构设置:").unwrap();
    let end = unit.find("岗位职责:").unwrap();
    site.write("content/shili-museum/unit.yaml", format!("{}{}", &unit[..start], &unit[end..]));
    let out = site.run(&["check"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("错误[hebei-2022/departments]: 缺少「机构设置」"), "{}", out.stdout);
    assert!(
        out.stdout.contains("依据: 《河北省文化和旅游厅系统公共企事业单位信息公开制度》第五条第(一)项 机构设置及职责"),
        "{}",
        out.stdout
    );
    site.write("content/shili-museum/unit.yaml", unit);

    let out = site.run(&["build", "--quiet"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let fees = site.read("public/shili-museum/fees.html");
    assert!(fees.contains("《河北省文化和旅游厅系统公共企事业单位信息公开制度》第五条第(二)项"), "{fees}");
    assert!(fees.contains("<th scope=\"col\">缴纳方式</th>"));
    assert!(!site.read("public/shili-museum/request.html").contains("白银"));
    // no page claims Baiyin's article numbers: its sections cite what the Hebei pack cites
    for page in ["request", "supervision", "guide"] {
        let html = site.read(&format!("public/shili-museum/{page}.html"));
        for baiyin in ["第十条", "第十一条", "第九条"] {
            assert!(!html.contains(baiyin), "{page}.html cites Baiyin's {baiyin}");
        }
    }
}

#[test]
fn completions_and_man_pages_for_every_shell_and_command() {
    let dir = tempfile::tempdir().unwrap();
    let bash = run_in(dir.path(), &["completions", "bash"], &[]);
    assert_eq!(bash.code, 0, "{}", bash.stderr);
    assert!(bash.stdout.contains("_gongkai()") && bash.stdout.contains("verify"), "{}", bash.stdout);
    // the script is valid bash
    let check = std::process::Command::new("bash")
        .args(["-n", "-c", &bash.stdout])
        .output()
        .expect("bash is on every machine this suite runs on");
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    for (shell, mark) in [("zsh", "#compdef gongkai"), ("fish", "complete -c gongkai"), ("powershell", "gongkai")] {
        let out = run_in(dir.path(), &["completions", shell], &[]);
        assert!(out.code == 0 && out.stdout.contains(mark), "{shell}: {}{}", out.stdout, out.stderr);
    }
    let man = run_in(dir.path(), &["man"], &[]);
    assert!(man.code == 0 && man.stdout.contains(".TH gongkai 1"), "{}", man.stdout);
    assert!(man.stdout.contains("公共企事业单位信息公开网站的生成与检查工具"));
    let build = run_in(dir.path(), &["man", "build"], &[]);
    assert!(build.code == 0 && build.stdout.contains(".TH gongkai-build 1"), "{}", build.stdout);
    assert!(build.stdout.contains("strict"), "the page lists the command's options: {}", build.stdout);
    let wrong = run_in(dir.path(), &["man", "biuld"], &[]);
    assert_eq!(wrong.code, 2);
    assert!(wrong.stderr.contains("没有「biuld」这个命令") && wrong.stderr.contains("build"), "{}", wrong.stderr);
    assert!(!wrong.stderr.contains("help"), "{}", wrong.stderr);
    let bad = run_in(dir.path(), &["completions", "tcsh"], &[]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
}

/// `gongkai init 站点/content/X` where 站点 is no site yet is refused (exit 2), rather than making a
/// new site at `站点/content/X` with a second `content/my-unit` nested inside it.
#[test]
fn init_into_the_content_folder_of_no_site_is_refused() {
    let tmp = Site::empty();
    let out = run_in(tmp.path(), &["init", "站点/content/qingyuan-water"], &[]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("站点/content 不存在，站点/content/qingyuan-water 不在任何站点里"), "{}", out.stderr);
    assert!(out.stderr.contains("先运行 gongkai init 站点 新建站点"), "{}", out.stderr);
    assert!(!tmp.file("站点").exists(), "nothing is written");
    // done in the order the message gives, it works
    assert_eq!(run_in(tmp.path(), &["init", "站点"], &[]).code, 0);
    let out = run_in(tmp.path(), &["init", "站点/content/qingyuan-water"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(tmp.file("站点/content/qingyuan-water/fees.yaml").is_file());
    assert!(!tmp.file("站点/content/qingyuan-water/content").exists());
}

/// A help text that names a file keeps a space on each side of the name (「在 supervision.yaml 里
/// 添加」), as every other help text does; a label in 「」 needs none.
#[test]
fn a_missing_field_help_names_its_file_with_spaces() {
    let site = Site::example();
    let text =
        site.read("content/qingyuan-water/supervision.yaml").replace("监督窗口: 北京路 25 号营业厅 8 号投诉窗口\n", "");
    site.write("content/qingyuan-water/supervision.yaml", text);
    let out = site.run(&["check"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("= 帮助: 在 supervision.yaml 里添加「监督窗口: "), "{}", out.stdout);
    assert!(!out.stdout.contains("在supervision.yaml"), "{}", out.stdout);
}

#[test]
fn a_portal_of_many_units_lists_only_the_units_that_need_attention() {
    let site = Site::example();
    let water = site.path().join("content/qingyuan-water");
    for i in 0..20 {
        common::copy_dir(&water, &site.path().join(format!("content/water-{i:02}")));
        // a unit's code is unique: the copies have none
        let unit = format!("content/water-{i:02}/unit.yaml");
        let text = site.read(&unit);
        site.write(&unit, text.lines().filter(|l| !l.starts_with("统一社会信用代码")).collect::<Vec<_>>().join("\n"));
    }
    site.remove("content/water-07/fees.yaml");
    let out = site.run(&["check", "--quiet"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let table: Vec<&str> = out.stdout.lines().filter(|l| l.contains("（water-") || l.contains("（qingyuan")).collect();
    assert_eq!(table.len(), 1, "{}", out.stdout);
    assert!(table[0].contains("water-07"), "{}", out.stdout);
    assert!(out.stdout.contains("另有 24 个单位必须公开的都已公开，没有错误和警告"), "{}", out.stdout);
    assert!(out.stdout.contains("检查了 25 个单位"), "{}", out.stdout);
    // the example's five units alone are all listed
    let out = Site::example().run(&["check", "--quiet"]);
    assert_eq!(out.stdout.lines().filter(|l| l.contains("   100  优秀")).count(), 5, "{}", out.stdout);
    assert!(!out.stdout.contains("另有"), "{}", out.stdout);
}
