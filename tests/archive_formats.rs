//! The archive's pack formats (issue 14): a record is never rewritten, so the packs earlier builds
//! wrote in format 1 (`gongkai-archive/1`, gzip) and format 2 (`gongkai-archive/2`, LZ4 frames)
//! are read forever beside the packs of format 3 (`gongkai-archive/3`, LZ4 blocks, a version
//! against its base) that builds write now.
//!
//! `tests/fixtures/archive_format1/record/` was made by gongkai 22ee25a, the last commit that
//! wrote format 1, over the example site: `build --today 2026-11-30`, then the outage notice's
//! hours changed as `change_hours` changes them, `build --today 2026-12-02`. Its
//! `pack-000001.gz` holds every document page of the first build, `pack-000002.gz` the changed
//! notice. `tests/fixtures/archive_format2/record/` was made the same way by gongkai bfa1166, the
//! last commit that wrote format 2 (`pack-000001.lz4`, `pack-000002.lz4`). `verify --archive`
//! reads every version of every format.

mod common;

use common::Site;

const NOTICE: &str = "content/qingyuan-water/notices/2026-11-计划停水.md";
const PAGE: &str = "qingyuan-water/notices/2026-11-计划停水.html";

fn build(site: &Site, today: &str) -> common::Output {
    let out = site.run(&["build", "-q", "--today", today]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    out
}

fn verify(site: &Site) {
    let out = site.run(&["verify", "public"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

fn json(site: &Site, rel: &str) -> serde_json::Value {
    serde_json::from_str(&site.read(rel)).unwrap()
}

/// The outage notice's hours changed, with the 变更记录 entry that explains it.
fn change_hours(site: &Site, from: &str, to: &str, date: &str) {
    let text = site.read(NOTICE);
    let changed = text.replace(from, to).replace(
        "生效日期: 2026-11-24\n",
        &format!("生效日期: 2026-11-24\n变更记录:\n  - {{日期: {date}, 变更类型: 变更, 说明: 停水改为 {to}}}\n"),
    );
    assert_ne!(changed, text);
    site.write(NOTICE, changed);
}

/// The page a version of PAGE is published as, beside it.
fn version_of(published: &str, hash: &str) -> String {
    format!("public/qingyuan-water/notices/2026-11-计划停水.v{published}-{}.html", &hash[..8])
}

/// An earlier format of the archive, as a fixture holds it.
struct Old {
    /// The fixture (`tests/fixtures/NAME`, its `record/` only).
    fixture: &'static str,
    /// The schema of its packs.
    schema: &'static str,
    /// The extension of its packs.
    ext: &'static str,
    /// What `verify --archive` says of its two packs.
    counted: &'static str,
}

const FORMAT1: Old =
    Old {
        fixture: "archive_format1", schema: "gongkai-archive/1", ext: "gz", counted: "格式 1（gzip）的存档包 2 个"
    };
const FORMAT2: Old = Old {
    fixture: "archive_format2",
    schema: "gongkai-archive/2",
    ext: "lz4",
    counted: "格式 2（LZ4 帧）的存档包 2 个",
};

/// A version's bytes as a pack of the fixture holds them (a gzip member, or an LZ4 frame), found
/// by the index.
fn from_old_pack(old: &Old, index: &str, hash: &str) -> Vec<u8> {
    use std::io::Read as _;
    let dir = std::path::Path::new(common::REPO).join("tests/fixtures").join(old.fixture).join("record/archive");
    let index: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join(index)).unwrap()).unwrap();
    assert_eq!(index["schema"], old.schema);
    let [offset, len] = [0, 1].map(|i| index["pages"][hash][i].as_u64().unwrap() as usize);
    let bytes = std::fs::read(dir.join(index["pack"].as_str().unwrap())).unwrap();
    let data = &bytes[offset..offset + len];
    let mut page = Vec::new();
    match old.ext {
        "gz" => flate2::read::GzDecoder::new(data).read_to_end(&mut page).unwrap(),
        _ => lz4_flex::frame::FrameDecoder::new(data).read_to_end(&mut page).unwrap(),
    };
    page
}

#[test]
fn a_record_with_format_1_packs_verifies_publishes_its_versions_and_takes_format_3_packs() {
    continues(&FORMAT1);
}

#[test]
fn a_record_with_format_2_packs_verifies_publishes_its_versions_and_takes_format_3_packs() {
    continues(&FORMAT2);
}

fn continues(old: &Old) {
    let site = Site::example_with(old.fixture);
    change_hours(&site, "8:00 至 20:00", "9:00 至 18:00", "2026-12-02");
    let first = json(&site, "record/entries/000001.json")["added"][PAGE].as_str().unwrap().to_string();
    let second = json(&site, "record/entries/000002.json")["changed"][PAGE].as_str().unwrap().to_string();
    let names = ["pack-000001.", "pack-000001.json", "pack-000002.", "pack-000002.json"]
        .map(|n| if n.ends_with('.') { format!("{n}{}", old.ext) } else { n.to_string() });
    let kept: Vec<(String, Vec<u8>)> =
        names.iter().map(|n| (n.to_string(), std::fs::read(site.file("record/archive").join(n)).unwrap())).collect();

    // the record continues: the version the first build published is published again from the
    // old pack, byte for byte, and the site verifies
    build(&site, "2026-12-05");
    let republished = std::fs::read(site.file(&version_of("2026-11-30", &first))).unwrap();
    assert_eq!(blake3::hash(&republished).to_hex().as_str(), first);
    assert_eq!(republished, from_old_pack(old, "pack-000001.json", &first));
    verify(&site);

    // a mixed archive: a new version goes into a pack of format 3 after them, the old packs stay
    // as they were, and every version of the page is published
    change_hours(&site, "9:00 至 18:00", "10:00 至 17:00", "2026-12-06");
    build(&site, "2026-12-06");
    for (name, bytes) in &kept {
        assert!(std::fs::read(site.file("record/archive").join(name)).unwrap() == *bytes, "{name} was rewritten");
    }
    let third = json(&site, "public/.well-known/gongkai/log.json")["entries"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| json(&site, &format!("record/{}", e["file"].as_str().unwrap())))
        .find_map(|e| e["changed"][PAGE].as_str().map(String::from))
        .unwrap();
    let index = (3..10)
        .map(|n| format!("record/archive/pack-{n:06}.json"))
        .find(|p| site.file(p).is_file() && json(&site, p)["pages"].get(&third).is_some())
        .expect("the newest version of the page in a new pack");
    assert_eq!(json(&site, &index)["schema"], "gongkai-archive/3");
    let pack = json(&site, &index)["pack"].as_str().unwrap().to_string();
    assert!(pack.ends_with(".lz4b"), "{pack}");
    // compressed against a base the archive keeps alone: the unit's first document page
    let base = json(&site, &index)["bases"][&third].as_str().map(String::from).expect("a base");
    assert!(site.run(&["verify", "--archive"]).code == 0 && base != third);
    let second_published = std::fs::read(site.file(&version_of("2026-12-02", &second))).unwrap();
    assert_eq!(second_published, from_old_pack(old, "pack-000002.json", &second));
    assert!(site.file(&version_of("2026-11-30", &first)).is_file());
    verify(&site);

    // the version in the new pack, superseded in turn, is published from it byte for byte
    let current = site.read(&format!("public/{PAGE}"));
    change_hours(&site, "10:00 至 17:00", "11:00 至 16:00", "2026-12-07");
    build(&site, "2026-12-07");
    let dated = json(&site, "public/.well-known/gongkai/log.json")["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| json(&site, &format!("record/{}", e["file"].as_str().unwrap()))["changed"][PAGE] == third.as_str())
        .map(|e| e["date"].as_str().unwrap().to_string())
        .unwrap();
    let republished = site.read(&version_of(&dated, &third));
    assert_eq!(blake3::hash(republished.as_bytes()).to_hex().as_str(), third);
    // (the page as it was: its history section listed the two older versions, not itself)
    assert!(current.contains(&version_of("2026-12-02", &second)["public/qingyuan-water/notices/".len()..]));
    verify(&site);
    // every archived version, of both formats, checked against its hash and the record
    let out = site.run(&["verify", "--archive"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains(old.counted) && out.stdout.contains("都与它的哈希一致"), "{}", out.stdout);

    // one byte of the new pack changed: the build that must publish a version from it stops and
    // names the pack and the version, and publishes nothing
    let path = site.file("record/archive").join(&pack);
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();
    let before = site.read(&format!("public/{PAGE}"));
    let out = site.run(&["build", "-q", "--today", "2026-12-08"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains(&pack) && out.stderr.contains("从版本库恢复"), "{}", out.stderr);
    assert_eq!(site.read(&format!("public/{PAGE}")), before, "the site is left as it was");
    verify(&site);
    // `verify --archive` names it too, and only it
    let out = site.run(&["verify", "--archive"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("与哈希不符或无法读取（1 项）") && out.stdout.contains(&pack), "{}", out.stdout);
    assert!(out.stdout.contains(&third), "{}", out.stdout);

    // a version no entry records (put there by hand) is named as such
    let stray = "<h1>从未发布的页面</h1>";
    let hash = blake3::hash(stray.as_bytes()).to_hex().to_string();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, stray.as_bytes()).unwrap();
    site.write(&format!("record/archive/{hash}.html.gz"), gz.finish().unwrap());
    let out = site.run(&["verify", "--archive"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.contains("不在公开记录的任何一次发布中（1 项）") && out.stdout.contains(&hash),
        "{}",
        out.stdout
    );
}
