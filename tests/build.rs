//! `gongkai build`: the pages it writes, their safety, determinism, and atomic publication.

mod common;

use std::collections::BTreeMap;

use common::{Site, run_in, tree};
use gongkai::check::{applicable, selected};
use gongkai::load::{LoadOptions, load_site};
use gongkai::pack::{Requirement, Shape};
use gongkai::yaml::Node;

/// Staging folders a build left beside its output.
fn staging_leftovers(site: &Site) -> Vec<String> {
    let names = |dir: &std::path::Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .map_or(Vec::new(), |d| d.map(|e| e.unwrap().file_name().into_string().unwrap()).collect())
    };
    // the build cache's folder is no leftover; a half-written cache file in it is
    let cache = names(&site.file(".gongkai-cache")).into_iter().filter(|n| n.starts_with('.'));
    names(site.path()).into_iter().filter(|n| n.starts_with(".gongkai") && n != ".gongkai-cache").chain(cache).collect()
}

#[test]
fn builds_every_page_of_the_example_portal() {
    let site = Site::example();
    let out = site.run(&["build"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let files = tree(&site.file("public"));
    for page in [
        "index.html",
        "404.html",
        "atom.xml",
        "sitemap.xml",
        "static/style.css",
        "jinding-school/index.html",
        "jinding-school/services.html",
        "jinding-school/services/转学申请.html",
        "jinding-school/fees.html",
        "jinding-school/commitments.html",
        "jinding-school/notices.html",
        "jinding-school/notices/2026-秋季开学安排.html",
        "jinding-school/supervision.html",
        "jinding-school/request.html",
        "jinding-school/attachments/转学申请表.html",
        "jinding-school/data.json",
        "jinding-school/notices.xml",
    ] {
        assert!(files.contains_key(page), "{page} missing; have {:?}", files.keys().collect::<Vec<_>>());
    }
    let fees = String::from_utf8(files["jinding-school/fees.html"].clone()).unwrap();
    assert!(fees.contains("<html lang=\"zh-CN\">"));
    assert!(fees.contains("<th scope=\"row\">住宿费</th>"), "{fees}");
    assert!(fees.contains("依据 第五条第(三)项"));
    assert!(fees.contains("<time datetime=\"2026-08-25\">2026年8月25日</time>"));
    assert!(fees.contains("<svg role=\"img\" aria-label=\"本页网址二维码\""), "QR code for the printed sheet");
    // notices newest first
    let notices = String::from_utf8(files["qingyuan-water/notices.html"].clone()).unwrap();
    assert!(notices.find("北京路管网改造计划停水通知").unwrap() < notices.find("2027 年老旧供水管网改造计划").unwrap());
    // a link to a source file became a link to its page
    let notice = String::from_utf8(files["jinding-school/notices/2026-秋季开学安排.html"].clone()).unwrap();
    assert!(notice.contains("href=\"../fees.html\""), "{notice}");
    // the report went beside the site, not into it
    assert!(site.file("gongkai-report/index.html").is_file());
    assert!(site.file("gongkai-report/report.json").is_file());
    assert!(!files.keys().any(|k| k.starts_with("report/")));
    // nothing is loaded from another host: no remote scripts, images, styles or fonts
    for (path, bytes) in &files {
        if path.ends_with(".html") || path.ends_with(".css") {
            let text = String::from_utf8_lossy(bytes);
            for bad in ["src=\"http", "src=\"//", "@import", "url(http", "url(//", "rel=\"stylesheet\" href=\"http"] {
                assert!(!text.contains(bad), "{path} contains {bad}");
            }
            // the scripts are the theme's own, from the site itself: the reading settings on every
            // page, and the search page's own
            for (i, _) in text.match_indices("<script") {
                let tag = &text[i..text[i..].find("</script>").map_or(text.len(), |e| i + e)];
                let search = path == "search.html" && tag == "<script src=\"static/search.js\" defer>";
                assert!(is_theme_script(tag) || search, "{path}: {tag}");
            }
        }
    }
}

/// Whether a `<script>` element is the theme's reading-settings script, loaded from the site's own
/// `static/` folder (the only script a page may carry), with no inline code.
fn is_theme_script(tag: &str) -> bool {
    let Some(rest) = tag.strip_prefix("<script src=\"") else { return false };
    let Some((src, after)) = rest.split_once('"') else { return false };
    // relative (`../static/prefs.js`), or from the site's root path on the 404 page
    let own = !src.contains("://") && !src.starts_with("//");
    own && src
        .trim_start_matches("../")
        .rsplit_once("static/")
        .is_some_and(|(dir, f)| f == "prefs.js" && !dir.contains(".."))
        && matches!(after.trim_end_matches("</script>"), ">" | "")
}

/// The text a requirement asks for, as lines: what a reader must find on the unit's pages.
fn required_text(node: &Node, req: &Requirement, out: &mut Vec<String>) {
    if !req.each.is_empty() {
        for entry in node.as_list().unwrap_or_default() {
            for (key, sub) in &req.each {
                if let Some(value) = entry.get(key).filter(|_| key != "body") {
                    required_text(value, sub, out);
                }
            }
        }
        return;
    }
    // dates are shown as 2026年3月2日, files as links; the rest verbatim
    if matches!(req.shape, Shape::Date | Shape::File | Shape::Url) {
        return;
    }
    let texts: Vec<&str> = match node.as_list() {
        Some(items) => items.iter().filter_map(Node::as_text).collect(),
        None => node.as_text().into_iter().collect(),
    };
    out.extend(texts.iter().flat_map(|t| t.lines()).map(str::trim).filter(|l| !l.is_empty()).map(str::to_string));
}

/// Every value a rule requires of a unit appears on the unit's pages: a pack that adds an item
/// (a power company's 电价政策文件, the Hebei measure's 缴纳方式) is published, not only checked.
fn every_required_value_is_published(site: &Site, at_least: usize) {
    assert_eq!(site.run(&["build", "--quiet"]).code, 0);
    let loaded = load_site(site.path(), &LoadOptions::default()).unwrap();
    let mut checked = 0;
    let tags = regex::Regex::new("<[^>]*>").unwrap();
    for dir in &loaded.units {
        let unit = loaded.load_unit(dir);
        let html: String = tree(&site.file(&format!("public/{}", unit.slug)))
            .into_iter()
            .filter(|(name, _)| name.ends_with(".html"))
            .map(|(_, bytes)| String::from_utf8(bytes).unwrap())
            .collect();
        // the text a reader sees: a phone number or an e-mail address may be inside a link
        let html = tags.replace_all(&html, "").into_owned();
        for (_, rule) in applicable(&unit, &loaded.packs) {
            let Some(req) = rule.check.item() else { continue };
            let mut wanted = Vec::new();
            for doc in unit.docs_of(rule.kind().unwrap()).filter(|d| selected(d, &rule.filter)) {
                let Some(data) = &doc.data else { continue };
                match &rule.field {
                    Some(f) => {
                        if let Some(node) = data.path(f) {
                            required_text(node, req, &mut wanted);
                        }
                    }
                    // a rule on a folder's documents: the sub-fields of each document
                    None => {
                        for (key, sub) in req.each.iter().filter(|(k, _)| k != "body") {
                            if let Some(value) = data.get(key) {
                                required_text(value, sub, &mut wanted);
                            }
                        }
                    }
                }
            }
            for text in wanted {
                let escaped =
                    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
                assert!(html.contains(&escaped), "{}: {} «{text}» is not on any page", unit.slug, rule.id);
                checked += 1;
            }
        }
    }
    assert!(checked >= at_least, "only {checked} values");
}

#[test]
fn every_required_value_of_the_example_portal_is_published() {
    every_required_value_is_published(&Site::example_with("sector_units"), 500);
}

#[test]
fn every_required_value_of_a_site_pack_is_published() {
    every_required_value_is_published(&Site::fixture("hebei_pack"), 30);
}

#[test]
fn open_data_has_every_published_item() {
    let site = Site::example();
    assert_eq!(site.run(&["build", "--quiet"]).code, 0);
    let data: serde_json::Value = serde_json::from_str(&site.read("public/renhe-hospital/data.json")).unwrap();
    assert_eq!(data["name"], "白银市仁和医院");
    assert_eq!(data["sector"], "hospital");
    assert_eq!(data["documents"]["fees"]["fees"][3]["standard"], "0.5 元/页");
    assert_eq!(data["documents"]["services"].as_array().unwrap().len(), 2);
    assert_eq!(data["documents"]["supervision"]["postcode"], "730900");
    // Chinese keys are published under their canonical English names
    let water: serde_json::Value = serde_json::from_str(&site.read("public/qingyuan-water/data.json")).unwrap();
    assert_eq!(water["documents"]["fees"]["fees"][0]["name"], "居民生活用水（第一阶梯）");
}

#[test]
fn two_builds_are_byte_identical() {
    let site = Site::example();
    assert_eq!(site.run(&["build", "-o", "one"]).code, 0);
    assert_eq!(site.run(&["build", "-o", "two"]).code, 0);
    let (a, b) = (tree(&site.file("one")), tree(&site.file("two")));
    assert!(a.len() > 40);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (k, v) in &a {
        assert!(v == &b[k], "{k} differs");
    }
}

#[test]
fn markdown_and_yaml_payloads_produce_no_executable_content() {
    let site = Site::example_with("xss");
    // a file name can carry a payload too
    std::fs::copy(
        site.file("content/qingyuan-water/notices/payloads.md"),
        site.file("content/qingyuan-water/notices/<svg onload=alert(1)>.md"),
    )
    .unwrap();
    let out = site.run(&["build"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let files = tree(&site.file("public"));
    let mut html_pages = 0;
    for (path, bytes) in &files {
        if !path.ends_with(".html") {
            continue;
        }
        html_pages += 1;
        let doc = scraper::Html::parse_document(std::str::from_utf8(bytes).unwrap());
        for el in doc.root_element().descendants().filter_map(scraper::ElementRef::wrap) {
            let name = el.value().name();
            // the search page's own form and script (static/search.js), and nothing else
            let own = path == "search.html"
                && (name == "form" || (name == "script" && el.value().attr("src") == Some("static/search.js")));
            assert!(
                own || !["script", "iframe", "object", "embed", "form", "base", "style", "frame", "applet"]
                    .contains(&name)
                    || (name == "script" && is_theme_script(&el.html())),
                "{path}: <{name}>"
            );
            if name == "meta" {
                assert_ne!(el.value().attr("http-equiv"), Some("refresh"), "{path}: meta refresh");
            }
            for (attr, value) in el.value().attrs() {
                assert!(!attr.starts_with("on"), "{path}: <{name} {attr}=\"{value}\">");
                assert!(attr != "style", "{path}: inline style on <{name}>");
                if ["href", "src", "action", "formaction", "xlink:href", "data"].contains(&attr) {
                    let v = value.trim().to_ascii_lowercase();
                    assert!(
                        !v.starts_with("javascript:") && !v.starts_with("data:") && !v.starts_with("vbscript:"),
                        "{path}: {attr}={value}"
                    );
                    if name == "img" {
                        assert!(!v.contains("://"), "{path}: image from outside: {value}");
                    }
                }
            }
        }
    }
    assert!(html_pages > 40);
    // the payload text is still shown, escaped, where it was content
    let unit = String::from_utf8(files["qingyuan-water/index.html"].clone()).unwrap();
    assert!(
        unit.contains("&lt;script&gt;alert(&#x27;name&#x27;)&lt;&#x2F;script&gt;白银清源供水有限公司")
            || unit.contains("&lt;script&gt;"),
        "{unit}"
    );
    let notice =
        files.keys().find(|k| k.contains("notices/<svg")).expect("page for the file with a payload in its name");
    assert!(String::from_utf8_lossy(&files[notice]).contains("本通知的真实内容：北京路停水。"));
    // and check told the clerk about the bad form links
    let out = site.run(&["check", "--unit", "qingyuan-water", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let invalid: Vec<_> =
        json["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "baiyin-2021/service-forms").collect();
    assert_eq!(invalid.len(), 2, "{invalid:#?}");
}

#[test]
fn strict_refuses_to_publish_while_errors_remain() {
    let site = Site::example();
    assert_eq!(site.run(&["build", "-q"]).code, 0);
    let before = tree(&site.file("public"));
    site.remove("content/qingyuan-water/fees.yaml");
    let out = site.run(&["build", "--strict"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stdout.contains("按 --strict 的要求没有发布"), "{}", out.stdout);
    assert_eq!(tree(&site.file("public")), before, "the previous site is untouched");
    // the report still tells what is missing
    let report: serde_json::Value = serde_json::from_str(&site.read("gongkai-report/report.json")).unwrap();
    assert_eq!(report["summary"]["errors"], 3);
    // without --strict it publishes and succeeds
    let out = site.run(&["build", "-q"]);
    assert_eq!(out.code, 0);
    assert!(site.read("public/qingyuan-water/fees.html").contains("暂未公开收费项目"));
    assert_eq!(staging_leftovers(&site), Vec::<String>::new());
}

#[test]
fn broken_links_are_findings_with_file_and_line() {
    let site = Site::example();
    site.write(
        "content/jinding-school/notices/links.md",
        "---\n标题: 链接\n发布日期: 2026-01-01\n---\n第一段\n\n见[收费](../fees.yaml)和[不存在](../nope.yaml)。\n\n[锚点](../fees.yaml#没有这个位置)与[本页](#第一段)\n\n## 第一段\n",
    );
    let out = site.run(&["build", "--strict"]);
    assert_eq!(out.code, 1);
    let report: serde_json::Value = serde_json::from_str(&site.read("gongkai-report/report.json")).unwrap();
    let links: Vec<(String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "broken-link")
        .map(|f| (f["message"].as_str().unwrap().to_string(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        links,
        [
            ("链接指向的页面或文件不存在：「../nope.yaml」".to_string(), 7),
            ("链接指向的页面上没有「#没有这个位置」这个位置：「../fees.yaml#没有这个位置」".to_string(), 9),
        ]
    );
    assert!(out.stdout.contains("content/jinding-school/notices/links.md:7"), "{}", out.stdout);
}

#[test]
fn the_report_can_be_published_on_the_site() {
    let site = Site::example();
    let config = site.read("gongkai.yaml") + "report:\n  publish: true\n";
    site.write("gongkai.yaml", config);
    assert_eq!(site.run(&["build", "-q"]).code, 0);
    let html = site.read("public/report/index.html");
    assert!(html.contains("公开内容检查报告"));
    assert!(site.file("public/report/report.json").is_file());
    // every name at the top of the site is a unit's or one the portal reserves, so a unit
    // folder can never be written over the portal's own files (load refuses those names)
    let units: Vec<String> = std::fs::read_dir(site.file("content"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    for entry in std::fs::read_dir(site.file("public")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            units.contains(&name)
                || gongkai::load::RESERVED_NAMES.contains(&name.as_str())
                || name == ".gongkai-output",
            "{name} is written by the portal but not in RESERVED_NAMES"
        );
    }
}

#[test]
fn a_site_theme_overrides_templates_and_static_files() {
    let site = Site::example();
    site.write(
        "themes/default/templates/fees.html",
        "{% extends \"unit.html\" %}{% block content %}<p>本地模板：{{ fees.items | length }} 项</p>{% endblock content %}",
    );
    site.write("themes/default/static/extra.css", "p{}");
    assert_eq!(site.run(&["build", "-q"]).code, 0);
    assert!(site.read("public/jinding-school/fees.html").contains("<p>本地模板：3 项</p>"));
    assert!(site.file("public/static/extra.css").is_file());
    // a broken template is an unusable theme: exit 2, previous site intact
    let before = tree(&site.file("public"));
    site.write("themes/default/templates/fees.html", "{% if %}");
    let out = site.run(&["build"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("主题有误"), "{}", out.stderr);
    assert_eq!(tree(&site.file("public")), before);
}

#[test]
fn a_killed_build_leaves_the_old_or_the_new_site_never_a_mix() {
    // a site of many units, so that a build writes over a thousand files
    let site = Site::example();
    for i in 0..20 {
        for unit in ["jinding-school", "qingyuan-water", "renhe-hospital"] {
            common::copy_dir(&site.file(&format!("content/{unit}")), &site.file(&format!("content/{unit}-{i}")));
        }
    }
    let fees = "content/jinding-school/fees.yaml";
    let original = site.read(fees);
    let version = |n: u32| original.replace("每生每学期 300 元", &format!("每生每学期 {} 元", 300 + n));
    assert_eq!(site.run(&["build", "-q"]).code, 0);
    let mut current = tree(&site.file("public"));
    let files = current.len();
    assert!(files > 1000, "{files} files");
    // the build ends abruptly (as kill -9 would) at chosen points: after the first file, spread
    // over the whole build, after the last, and after the swap before the old site is removed.
    // The points are chosen by the test, not by timing, so the test means the same everywhere.
    let points: Vec<Option<usize>> =
        [0, 1, 10, files / 4, files / 2, files - 1].into_iter().map(Some).chain([None]).collect();
    for (n, point) in (1u32..).zip(points) {
        site.write(fees, version(n));
        let env: Vec<(&str, String)> = match point {
            Some(after) => vec![("GONGKAI_TEST_ABORT_AFTER_FILES", after.to_string())],
            None => vec![("GONGKAI_TEST_ABORT_AFTER_SWAP", "public".to_string())],
        };
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let out = run_in(site.path(), &["build", "-q"], &env);
        assert_ne!(out.code, 0, "{point:?}: the build was ended before it finished");
        let now = tree(&site.file("public"));
        let new_price = format!("每生每学期 {} 元", 300 + n);
        let is_new = String::from_utf8_lossy(&now["jinding-school/fees.html"]).contains(&new_price);
        if point.is_none() {
            // after the swap: the new site, complete, every page rendered to its end
            assert!(is_new, "the swap happened");
            // the same pages (the publication record has one more entry: the builds it records)
            let pages = |t: &BTreeMap<String, Vec<u8>>| -> Vec<String> {
                t.keys().filter(|k| !k.starts_with(".well-known/gongkai/entries/")).cloned().collect()
            };
            assert_eq!(pages(&now), pages(&current));
            assert!(now.iter().filter(|(k, _)| k.ends_with(".html")).all(|(_, v)| v.ends_with(b"</html>\n")));
            current = now;
        } else {
            assert_eq!(now, current, "ended after {point:?} files: the previous site must be intact");
        }
    }
    // the next build cleans up what the ended ones left and publishes
    assert!(!staging_leftovers(&site).is_empty(), "an abrupt end leaves its staging folder");
    assert_eq!(run_in(site.path(), &["build", "-q"], &[]).code, 0);
    assert!(site.read("public/jinding-school/fees.html").contains("每生每学期 307 元"));
    assert_eq!(staging_leftovers(&site), Vec::<String>::new());
}

/// 第十二条(三) and 第四条 on the site: a withdrawn notice keeps its page, says so and shows its
/// history; each stage of a major matter links the others in order.
#[test]
fn withdrawals_show_their_history_and_matters_link_their_stages() {
    let site = Site::example();
    assert_eq!(site.run(&["build", "--quiet"]).code, 0);
    let withdrawn = site.read("public/yincheng-bus/notices/2026-撤销的线路调整.html");
    assert!(withdrawn.contains("<p class=\"withdrawn\" role=\"note\"><strong>本通知已撤销。</strong>"), "{withdrawn}");
    assert!(withdrawn.contains("<caption>变更记录</caption>"));
    assert!(withdrawn.contains("<td>2026-08-20</td><td>撤销</td>"));
    assert!(withdrawn.contains("延伸路段道路施工延期至 2027 年"));
    let list = site.read("public/yincheng-bus/notices.html");
    assert!(list.contains("2026-撤销的线路调整.html"), "a withdrawn notice stays listed");

    let result = site.read("public/yincheng-bus/notices/2026-票价结果.html");
    let stages = &result[result.find("<nav class=\"stages\"").unwrap()..];
    let order: Vec<usize> = [
        "决策前：<a href=\"2026-票价听证.html\">",
        "实施中：<a href=\"2026-票价实施.html\">",
        "结果：<span aria-current=\"page\">",
    ]
    .iter()
    .map(|s| stages.find(s).unwrap_or_else(|| panic!("{s} in {stages}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "stages in order: {order:?}");
    // a notice of no matter has no stage list
    assert!(!site.read("public/yincheng-bus/notices/2026-3路站点调整.html").contains("class=\"stages\""));
}

/// The 公开目录 lists every item a unit must publish, linked to its page, and says 暂未公开 of
/// one that is missing, instead of linking to nothing; every page family has its anchor.
#[test]
fn the_catalogue_lists_every_item_and_says_which_are_not_published() {
    let site = Site::example();
    let fees = site.read("content/qingyuan-water/fees.yaml");
    let without_basis: String = fees.lines().filter(|l| !l.contains("收费依据")).map(|l| format!("{l}\n")).collect();
    site.write("content/qingyuan-water/fees.yaml", without_basis);
    assert_eq!(site.run(&["build", "--quiet"]).code, 0);
    let html = site.read("public/qingyuan-water/catalog.html");
    for anchor in ["unit", "services", "fees", "commitments", "notices", "supervision", "request"] {
        assert!(html.contains(&format!("<h2 id=\"{anchor}\">")), "no section {anchor}");
    }
    assert!(html.contains("<th scope=\"row\">收费依据</th>"), "the missing item is listed, unlinked");
    assert!(html.contains("暂未公开"));
    assert!(html.contains("<a href=\"fees.html\">收费标准</a>"), "a published item links to its page");
    assert!(html.contains("北京路管网改造计划停水通知"), "every notice is listed");
}

#[test]
fn the_portal_catalogue_counts_what_each_sector_publishes_and_links_every_unit_catalogue() {
    let site = Site::example();
    let fees = site.read("content/qingyuan-water/fees.yaml");
    let without_basis: String = fees.lines().filter(|l| !l.contains("收费依据")).map(|l| format!("{l}\n")).collect();
    site.write("content/qingyuan-water/fees.yaml", without_basis);
    assert_eq!(site.run(&["build", "--quiet"]).code, 0);
    let html = site.read("public/catalog.html");
    let text = scraper::Html::parse_document(&html).root_element().text().collect::<String>();
    for unit in ["jinding-school", "qingyuan-water", "renhe-hospital", "tongcheng-power", "yincheng-bus"] {
        assert!(html.contains(&format!("href=\"{unit}/catalog.html\"")), "{unit}'s catalogue is linked");
    }
    // the water sector: its one unit now lacks one required item of its fees
    let water = &text[text.find("供水（1 个单位）").expect("a water section")..];
    let water = &water[..water.find("供电（").unwrap_or(water.len())];
    assert!(water.contains("收费项目《白银市公共企事业单位信息公开办法(试行)》第五条第(三)项"), "{water}");
    assert!(water.contains("0/1 个单位全部公开"), "{water}");
    // the unit's line: one item short of all it must publish
    let counts = water.split("必须公开的事项已公开 ").nth(1).and_then(|t| t.split(" 项").next()).expect("counts");
    let (published, required) = counts.split_once('/').expect("a/b");
    let (published, required): (u32, u32) = (published.parse().unwrap(), required.parse().unwrap());
    assert_eq!(published + 1, required, "{water}");
    assert!(text.contains("学校（1 个单位）") && text.contains("1/1 个单位全部公开"));
}
