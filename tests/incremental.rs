//! The build cache (`.gongkai-cache/`): an incremental build publishes exactly what a build
//! from scratch publishes, after any edit; a damaged cache is set aside with a notice.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::{REPO, Site, copy_dir, run_in, tree};

/// A small deterministic generator (xorshift), so that the edits are the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const UNITS: [&str; 5] = ["jinding-school", "qingyuan-water", "renhe-hospital", "tongcheng-power", "yincheng-bus"];

/// The site's own files (not its output, report or cache) copied to a new folder.
fn copy_sources(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if ["public", "gongkai-report", ".gongkai-cache", ".gongkai-versions-public"].contains(&name.as_str()) {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(&name));
        } else {
            fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

/// Apply one edit of kind `kind` to the site; returns what it did, for the failure message.
fn edit(site: &Site, kind: usize, rng: &mut Rng, step: usize, today: &mut String) -> String {
    let unit = UNITS[rng.below(UNITS.len())];
    match kind {
        // content: a fee, a notice's text, a new notice, a notice removed
        0 => {
            let fees = format!("content/{unit}/fees.yaml");
            if !site.file(&fees).exists() {
                return format!("no fees.yaml in {unit}");
            }
            let text = site.read(&fees);
            site.write(&fees, format!("{text}# 第 {step} 次修改\n"));
            let changed = text.replacen('0', &(step % 10).to_string(), 1);
            site.write(&fees, changed);
            format!("fees of {unit}")
        }
        1 => {
            let dir = site.file(&format!("content/{unit}/notices"));
            let Some(first) = fs::read_dir(&dir).ok().and_then(|mut d| d.next()).map(|e| e.unwrap().path()) else {
                return format!("no notices in {unit}");
            };
            let text = fs::read_to_string(&first).unwrap();
            fs::write(&first, format!("{text}\n第 {step} 次补充说明。\n")).unwrap();
            format!("notice text in {unit}")
        }
        2 => {
            site.write(
                &format!("content/{unit}/notices/2026-新增通知{step}.md"),
                format!(
                    "---\n标题: 新增通知 {step}\n类别: 其他\n发布日期: 2026-11-{:02}\n---\n新增的通知。\n",
                    1 + step % 20
                ),
            );
            format!("a new notice in {unit}")
        }
        3 => {
            let dir = site.file(&format!("content/{unit}/notices"));
            let last = fs::read_dir(&dir).ok().and_then(|d| d.map(|e| e.unwrap().path()).max());
            match last {
                Some(p) => {
                    fs::remove_file(&p).unwrap();
                    format!("removed {}", p.display())
                }
                None => format!("no notice to remove in {unit}"),
            }
        }
        // a template of the theme
        4 => {
            let template = ["fees.html", "notice.html", "base.html"][rng.below(3)];
            let from = Path::new(REPO).join("themes/default/templates").join(template);
            let text = fs::read_to_string(from).unwrap();
            site.write(
                &format!("themes/default/templates/{template}"),
                format!("{text}{{# 第 {step} 次修改 #}}\n<!-- {step} -->\n"),
            );
            format!("template {template}")
        }
        // a rule pack of the site's own
        5 => {
            let pack =
                fs::read_to_string(Path::new(REPO).join("tests/fixtures/user_pack/rules/local-guide.yaml")).unwrap();
            site.write("rules/local-guide.yaml", pack.replace("weight: 5", &format!("weight: {}", 1 + step % 9)));
            let config = site.read("gongkai.yaml");
            if !config.contains("local-guide") {
                site.write("gongkai.yaml", format!("{config}packs: [baiyin-2021, local-guide]\n"));
            }
            format!("pack weight {}", 1 + step % 9)
        }
        // the configuration
        6 => {
            let config = site.read("gongkai.yaml");
            site.write("gongkai.yaml", config.replacen("（示例）", &format!("（示例 {step}）"), 1));
            "the site title".into()
        }
        // the date deadlines are judged on
        7 => {
            *today = format!("2026-12-{:02}", 1 + rng.below(28));
            format!("--today {today}")
        }
        // a unit copied, or nothing at all
        8 => {
            copy_dir(&site.file(&format!("content/{unit}")), &site.file(&format!("content/{unit}-{step}")));
            format!("{unit} copied")
        }
        _ => "nothing".into(),
    }
}

#[test]
fn every_incremental_build_publishes_what_a_build_from_scratch_publishes() {
    random_edits(&[]);
}

/// The same edits with the clock taken as a minute ahead: every file looks settled, so each build
/// judges unit folders by their files' identities (device, inode, size, times) instead of their
/// bytes, and must still see every edit, among them a fee rewritten at the same length.
#[test]
fn every_build_judging_files_by_their_identity_publishes_what_a_build_from_scratch_publishes() {
    random_edits_with(&[], &[("GONGKAI_TEST_CLOCK_AHEAD", "60")]);
}

/// The same edits, published as versions (`--versioned`): the site seen through the output's
/// link is the plain build from scratch, and the store keeps one version.
#[test]
fn every_versioned_build_publishes_what_a_plain_build_from_scratch_publishes() {
    let site = random_edits(&["--versioned"]);
    assert!(fs::symlink_metadata(site.file("public")).unwrap().file_type().is_symlink());
    let versions: Vec<_> =
        fs::read_dir(site.file(".gongkai-versions-public/v")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(versions.len(), 1, "{versions:?}");
    let trees = fs::read_dir(site.file(".gongkai-versions-public/u")).unwrap().count();
    let units = fs::read_dir(site.file("content")).unwrap().filter(|e| e.as_ref().unwrap().path().is_dir()).count();
    assert_eq!(trees, units, "one tree per unit: the others were removed");
}

/// Random edits, each followed by an incremental build (with `extra` arguments) and a plain
/// build from scratch of a copy, which must publish the same files.
fn random_edits(extra: &[&str]) -> Site {
    random_edits_with(extra, &[])
}

/// [`random_edits`], the incremental builds run with `env`.
fn random_edits_with(extra: &[&str], env: &[(&str, &str)]) -> Site {
    let site = Site::example();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut today = "2026-11-27".to_string();
    let mut kinds: Vec<usize> = (0..10).collect();
    for i in (1..kinds.len()).rev() {
        kinds.swap(i, rng.below(i + 1));
    }
    kinds.extend([0, 1, 9, 0]);
    let mut reused_any = false;
    for (step, kind) in kinds.into_iter().enumerate() {
        let what = if step == 0 { "first build".into() } else { edit(&site, kind, &mut rng, step, &mut today) };
        let scratch = tempfile::tempdir().unwrap();
        copy_sources(site.path(), scratch.path());
        let args = ["build", "-q", "--today", today.as_str()];
        let incremental = run_in(site.path(), &[&args[..], extra].concat(), env);
        let full = run_in(scratch.path(), &[&args[..], &["--no-cache"]].concat(), &[]);
        assert_eq!(incremental.code, full.code, "step {step} ({what}): {}{}", incremental.stdout, full.stdout);
        reused_any |= incremental.stdout.contains("沿用上次生成的网页");
        assert!(!scratch.path().join(".gongkai-cache").exists(), "--no-cache writes no cache");
        for dir in ["public", "gongkai-report", "record"] {
            let (a, b) = (tree(&site.file(dir)), tree(&scratch.path().join(dir)));
            let names = |t: &BTreeMap<String, Vec<u8>>| t.keys().cloned().collect::<Vec<_>>();
            assert_eq!(names(&a), names(&b), "step {step} ({what}): the files of {dir}/");
            for (path, bytes) in &a {
                assert!(bytes == &b[path], "step {step} ({what}): {dir}/{path} differs from a build from scratch");
            }
        }
    }
    assert!(reused_any, "the cache was used at least once");
    site
}

/// The first build assigns every document its 索引号, the second renders the units with the
/// numbers now in the publication record; from then on only what changed is rendered.
fn built_twice(args: &[&str]) -> Site {
    let site = Site::example();
    let args = [&["build", "-q"], args].concat();
    let first = site.run(&args);
    assert!(!first.stdout.contains("沿用上次生成的网页"), "{}", first.stdout);
    let second = site.run(&args);
    assert!(!second.stdout.contains("沿用上次生成的网页"), "new 索引号 in the record: {}", second.stdout);
    site
}

#[test]
fn a_build_with_nothing_changed_renders_no_unit_and_one_edit_renders_one() {
    let site = built_twice(&[]);
    let again = site.run(&["build", "-q"]);
    assert!(
        again.stdout.contains(
            "构建缓存：5 个单位的内容没有变化，沿用上次生成的网页；重新生成 0 个单位。搜索索引也沿用上次生成的。"
        ),
        "{}",
        again.stdout
    );
    let fees = site.read("content/qingyuan-water/fees.yaml");
    site.write("content/qingyuan-water/fees.yaml", format!("{fees}\n# 改了一处\n"));
    let one = site.run(&["build", "-q"]);
    assert!(
        one.stdout.contains("构建缓存：4 个单位的内容没有变化，沿用上次生成的网页；重新生成 1 个单位。\n"),
        "{}",
        one.stdout
    );
}

#[test]
fn a_damaged_or_foreign_cache_is_set_aside_with_a_notice_and_changes_nothing() {
    let site = built_twice(&[]);
    let published = tree(&site.file("public"));
    let cache = site.file(".gongkai-cache/units.bin");
    let good = fs::read(&cache).unwrap();
    let flip = |at: usize| {
        let mut b = good.clone();
        b[at] ^= 0x01;
        b
    };
    // another format, in a header whose hash is right
    let foreign = {
        let end = good.iter().position(|b| *b == b'\n').unwrap();
        let text = String::from_utf8(good[65..end].to_vec()).unwrap().replacen("gongkai-cache/", "gongkai-cache/0", 1);
        [format!("{} {text}", blake3::hash(text.as_bytes()).to_hex()).as_bytes(), &good[end..]].concat()
    };
    let damaged: [(&str, Vec<u8>); 5] = [
        ("a flipped bit in the index", flip(good.len() - 20)),
        ("truncated", good[..good.len() * 2 / 3].to_vec()),
        ("empty", Vec::new()),
        ("another version", foreign),
        ("a flipped bit in a unit's record", flip(good.len() / 3)),
    ];
    for (what, bytes) in damaged {
        fs::write(&cache, &bytes).unwrap();
        let out = site.run(&["build", "-q"]);
        assert_eq!(out.code, 0, "{what}: {}", out.stderr);
        assert!(
            out.stdout.contains("构建缓存") && out.stdout.contains("不能用") && out.stdout.contains("已忽略"),
            "{what}: {}",
            out.stdout
        );
        if what.contains("record") {
            // that unit alone is rendered: the records of the others are whole
            assert!(out.stdout.contains("有 1 个单位的记录已损坏"), "{what}: {}", out.stdout);
            assert!(out.stdout.contains("重新生成 1 个单位"), "{what}: {}", out.stdout);
        } else {
            assert!(!out.stdout.contains("沿用上次生成的网页"), "{what}: nothing taken from a damaged cache");
        }
        assert_eq!(tree(&site.file("public")), published, "{what}: the same site");
        // and the cache is whole again
        let next = site.run(&["build", "-q"]);
        assert!(
            !next.stdout.contains("不能用") && next.stdout.contains("沿用上次生成的网页"),
            "{what}: {}",
            next.stdout
        );
    }
    // the cache of an earlier format (in units-v1.jsonl) is another version's: set aside, and
    // removed once the new one is written
    let earlier = site.file(".gongkai-cache/units-v1.jsonl");
    let text = "gongkai-cache/2\t0.1.0\tsite\t1\t2\tpublic";
    fs::write(&earlier, format!("{} {text}\nend\t0\n", blake3::hash(text.as_bytes()).to_hex())).unwrap();
    fs::remove_file(&cache).unwrap();
    let out = site.run(&["build", "-q"]);
    assert!(out.stdout.contains("可能是别的版本的缓存"), "{}", out.stdout);
    assert!(cache.is_file() && !earlier.exists(), "the earlier cache is replaced");
    assert_eq!(tree(&site.file("public")), published);
    // deleting the cache gives the same site
    fs::remove_dir_all(site.file(".gongkai-cache")).unwrap();
    assert_eq!(site.run(&["build", "-q"]).code, 0);
    assert_eq!(tree(&site.file("public")), published);
}

#[test]
fn a_page_edited_by_hand_in_the_output_is_not_taken_from_it() {
    let site = built_twice(&[]);
    let published = tree(&site.file("public"));
    let page = site.file("public/jinding-school/fees.html");
    let text = fs::read_to_string(&page).unwrap();
    // replaced, as an editor saves: another file at the same name
    fs::remove_file(&page).unwrap();
    fs::write(&page, text.replace("收费", "改过")).unwrap();
    let out = site.run(&["build", "-q"]);
    assert!(out.stdout.contains("重新生成 1 个单位"), "{}", out.stdout);
    assert_eq!(tree(&site.file("public")), published);
}

/// A file of the search index replaced or edited by hand: the index is built again, never
/// taken from the output as it is.
#[test]
fn a_search_file_edited_by_hand_in_the_output_is_not_taken_from_it() {
    let site = built_twice(&[]);
    let published = tree(&site.file("public"));
    let taken = "搜索索引也沿用上次生成的";
    assert!(site.run(&["build", "-q"]).stdout.contains(taken));
    let meta = site.file("public/search/meta.json");
    let text = fs::read_to_string(&meta).unwrap();
    fs::remove_file(&meta).unwrap();
    fs::write(&meta, text.replace("\"docs\"", "\"docz\"")).unwrap();
    let out = site.run(&["build", "-q"]);
    assert!(out.stdout.contains("重新生成 0 个单位") && !out.stdout.contains(taken), "{}", out.stdout);
    assert_eq!(tree(&site.file("public")), published);
    // the same with a file written over in place: another identity all the same
    let docs = site.file("public/search/d/0.json");
    let text = fs::read_to_string(&docs).unwrap();
    fs::write(&docs, text.replacen('"', "'", 1)).unwrap();
    let out = site.run(&["build", "-q"]);
    assert!(!out.stdout.contains(taken), "{}", out.stdout);
    assert_eq!(tree(&site.file("public")), published);
    assert!(site.run(&["build", "-q"]).stdout.contains(taken));
}

#[test]
fn the_cache_folder_can_be_chosen_or_left_out() {
    let elsewhere = tempfile::tempdir().unwrap();
    let dir = elsewhere.path().join("cache");
    let dir = dir.to_str().unwrap();
    let site = built_twice(&["--cache", dir]);
    assert!(Path::new(dir).join("units.bin").is_file());
    assert!(!site.file(".gongkai-cache").exists());
    let out = run_in(site.path(), &["build", "-q"], &[("GONGKAI_CACHE", dir)]);
    assert!(out.stdout.contains("沿用上次生成的网页"), "{}", out.stdout);
    let out = site.run(&["build", "-q", "--no-cache"]);
    assert!(!out.stdout.contains("构建缓存"), "{}", out.stdout);
    assert!(!site.file(".gongkai-cache").exists());
}

#[test]
fn a_cache_restored_with_its_output_elsewhere_is_used_once_the_pages_are_read_again() {
    let site = built_twice(&[]);
    let published = tree(&site.file("public"));
    // what a CI cache restores: the same bytes, in new files, in another folder
    let restored = Site::empty();
    copy_dir(site.path(), restored.path());
    let out = restored.run(&["build", "-q"]);
    assert!(out.stdout.contains("构建缓存：5 个单位的内容没有变化"), "{}", out.stdout);
    assert_eq!(tree(&restored.file("public")), published);
    // a page that is not what the cache says is rendered again
    let page = restored.file("public/renhe-hospital/fees.html");
    let text = fs::read_to_string(&page).unwrap();
    let moved = Site::empty();
    copy_dir(restored.path(), moved.path());
    fs::write(moved.file("public/renhe-hospital/fees.html"), text.replace("收费", "改过")).unwrap();
    let out = moved.run(&["build", "-q"]);
    assert!(out.stdout.contains("构建缓存：4 个单位的内容没有变化"), "{}", out.stdout);
    assert_eq!(tree(&moved.file("public")), published);
    // and the cache written there describes that output
    let again = moved.run(&["build", "-q"]);
    assert!(again.stdout.contains("构建缓存：5 个单位的内容没有变化"), "{}", again.stdout);
}

#[test]
fn a_killed_incremental_build_leaves_the_old_site_and_a_cache_that_still_describes_it() {
    let site = built_twice(&[]);
    let published = tree(&site.file("public"));
    let cache = fs::read(site.file(".gongkai-cache/units.bin")).unwrap();
    let fees = "content/jinding-school/fees.yaml";
    let original = site.read(fees);
    site.write(fees, original.replace("每生每学期 300 元", "每生每学期 301 元"));
    // ended as kill -9 would, at points spread over the build (most files are taken from the
    // previous output, and count as written)
    for after in [0, 3, 40, published.len() / 2, published.len() - 2] {
        let env = [("GONGKAI_TEST_ABORT_AFTER_FILES", after.to_string())];
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let out = run_in(site.path(), &["build", "-q"], &env);
        assert_ne!(out.code, 0, "ended after {after} files");
        assert_eq!(tree(&site.file("public")), published, "ended after {after} files: the previous site, whole");
        assert_eq!(fs::read(site.file(".gongkai-cache/units.bin")).unwrap(), cache, "the cache in place is untouched");
    }
    // ended after the swap, before the cache is renamed into place: the cache no longer
    // describes the output, so it is not trusted, and the site is whole
    let out = run_in(site.path(), &["build", "-q"], &[("GONGKAI_TEST_ABORT_AFTER_SWAP", "public")]);
    assert_ne!(out.code, 0);
    assert!(site.read("public/jinding-school/fees.html").contains("每生每学期 301 元"));
    let next = site.run(&["build", "-q"]);
    assert_eq!(next.code, 0);
    let scratch = tempfile::tempdir().unwrap();
    copy_sources(site.path(), scratch.path());
    // the record of the site and of its copy are the same; both build on it
    assert_eq!(run_in(scratch.path(), &["build", "-q", "--no-cache"], &[]).code, 0);
    assert_eq!(tree(&site.file("public")), tree(&scratch.path().join("public")));
    let leftovers: Vec<_> =
        fs::read_dir(site.file(".gongkai-cache")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, ["units.bin"], "no half-written cache is left");
}

#[test]
fn a_file_at_the_cache_name_that_is_not_a_cache_is_left_alone_with_a_notice() {
    let elsewhere = tempfile::tempdir().unwrap();
    let mine = elsewhere.path().join("units.bin");
    fs::write(&mine, "我的笔记，不是缓存\n".repeat(20)).unwrap();
    // nor is a file of the name the earlier formats used removed when it is not a cache
    let earlier = elsewhere.path().join("units-v1.jsonl");
    fs::write(&earlier, "也是我的\n").unwrap();
    let site = Site::example();
    let out = site.run(&["build", "-q", "--cache", elsewhere.path().to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("不是 gongkai 的构建缓存，没有覆盖它"), "{}", out.stdout);
    assert_eq!(fs::read_to_string(&mine).unwrap(), "我的笔记，不是缓存\n".repeat(20));
    assert_eq!(fs::read_to_string(&earlier).unwrap(), "也是我的\n");
    let mut names: Vec<_> = fs::read_dir(elsewhere.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["units-v1.jsonl", "units.bin"], "no temporary file left");
}
