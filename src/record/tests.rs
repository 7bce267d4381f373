use std::collections::BTreeMap;

use super::*;

fn site(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files.iter().map(|(p, b)| (p.to_string(), hex(b.as_bytes()))).collect()
}

fn write(dir: &Path, record: &Record) {
    for (rel, bytes) in record.files_to_write() {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes.bytes().unwrap()).unwrap();
    }
}

/// The entries of `r` read whole from their bytes.
fn whole(r: &Record) -> Vec<Entry> {
    r.entry_files().map(|(_, bytes)| serde_json::from_slice(bytes).unwrap()).collect()
}

/// Replace entry `seq` of the record in `dir` by `edit` of it, and its hash in the index by the
/// new bytes' (as a forger would); returns the index as it was.
fn forge(dir: &Path, seq: usize, edit: impl Fn(&str) -> String) -> String {
    let path = dir.join(entry_file(seq as u64));
    let original = fs::read_to_string(&path).unwrap();
    let forged = edit(&original);
    assert_ne!(forged, original, "the edit changes the entry");
    fs::write(&path, &forged).unwrap();
    let log = fs::read_to_string(dir.join(LOG)).unwrap();
    let mut parsed: Log = serde_json::from_str(&log).unwrap();
    parsed.entries[seq - 1].blake3 = hex(forged.as_bytes());
    fs::write(dir.join(LOG), serde_json::to_vec(&parsed).unwrap()).unwrap();
    log
}

fn three_builds() -> Record {
    let r = Record::empty();
    let r = r.append("2026-01-01", site(&[("a.html", "1"), ("b.html", "2")]), BTreeMap::new()).unwrap().unwrap();
    let r = r
        .append("2026-02-01", site(&[("a.html", "1"), ("b.html", "3"), ("c.html", "4")]), BTreeMap::new())
        .unwrap()
        .unwrap();
    r.append("2026-03-01", site(&[("b.html", "3"), ("c.html", "4")]), BTreeMap::new()).unwrap().unwrap()
}

#[test]
fn replaying_the_entries_gives_the_site_and_an_unchanged_site_adds_nothing() {
    let r = three_builds();
    assert_eq!(r.files(), site(&[("b.html", "3"), ("c.html", "4")]));
    assert!(r.append("2026-04-01", r.files(), BTreeMap::new()).unwrap().is_none());
    let e = whole(&r);
    assert_eq!(e[1].changed.keys().collect::<Vec<_>>(), ["b.html"]);
    assert_eq!(e[1].added.keys().collect::<Vec<_>>(), ["c.html"]);
    assert_eq!(e[2].removed, ["a.html"]);
    assert_eq!(e[0].previous, None);
    assert_eq!(e[2].previous.as_deref(), Some(hex(&r.entries[1].bytes).as_str()));
    // what the record keeps parsed of each entry is its head; the counts are of its files
    for (h, e) in r.entries().zip(&e) {
        assert_eq!((&h.seq, &h.date, &h.previous, &h.numbers), (&e.seq, &e.date, &e.previous, &e.numbers));
    }
    assert_eq!(r.last_counts(), Some([0, 0, 1]));
}

#[test]
fn a_record_written_and_read_back_is_the_same_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let r = three_builds();
    write(dir.path(), &r);
    let back = Record::read(dir.path()).unwrap().unwrap();
    assert_eq!(back.files_to_write(), r.files_to_write());
    assert_eq!(back.files(), r.files());
    assert_eq!(back.entries().collect::<Vec<_>>(), r.entries().collect::<Vec<_>>());
    assert!(Record::read(&dir.path().join("nothing")).unwrap().is_none());
}

#[test]
fn a_forged_entry_in_the_middle_is_named() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &three_builds());
    // forge entry 2 (say b.html was never changed) and fix its hash in the index: entry 3 still
    // points at the original
    let log = forge(dir.path(), 2, |e| e.replace("\"b.html\"", "\"x.html\""));
    let problems = Record::read(dir.path()).unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("第 3 条记录（entries/000003.json）：链断开"), "{problems:?}");
    assert_eq!(read_heads(dir.path()).unwrap_err(), problems, "the heads alone: the same chain, the same problems");

    // without fixing the index, the entry itself is named
    fs::write(dir.path().join(LOG), log).unwrap();
    let problems = Record::read(dir.path()).unwrap_err();
    assert!(problems[0].starts_with("第 2 条记录（entries/000002.json）：内容与索引记下的哈希不符"), "{problems:?}");
    assert_eq!(read_heads(dir.path()).unwrap_err(), problems);
}

#[test]
fn the_heads_of_a_record_are_its_entries_without_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let r = three_builds();
    let numbers = BTreeMap::from([("content/u/notices/a.md".to_string(), "u/2026-00001".to_string())]);
    let r = r.append("2026-04-01", site(&[("d.html", "5")]), numbers.clone()).unwrap().unwrap();
    write(dir.path(), &r);
    let heads = read_heads(dir.path()).unwrap().unwrap();
    let whole = whole(&r);
    assert_eq!(heads.len(), whole.len());
    for (h, e) in heads.iter().zip(&whole) {
        assert_eq!(
            (&h.schema, h.seq, &h.date, &h.previous, &h.numbers),
            (&e.schema, e.seq, &e.date, &e.previous, &e.numbers)
        );
    }
    assert_eq!(heads[3].numbers, numbers);
    assert!(read_heads(&dir.path().join("nothing")).unwrap().is_none());
}

#[test]
fn a_missing_entry_and_a_foreign_format_are_named() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &three_builds());
    fs::remove_file(dir.path().join("entries/000003.json")).unwrap();
    assert_eq!(Record::read(dir.path()).unwrap_err(), ["第 3 条记录（entries/000003.json）：文件缺失"]);
    assert_eq!(read_heads(dir.path()).unwrap_err(), ["第 3 条记录（entries/000003.json）：文件缺失"]);
    fs::write(dir.path().join(LOG), "{\"schema\": \"other/9\", \"entries\": []}").unwrap();
    assert!(Record::read(dir.path()).unwrap_err()[0].contains("只认识「gongkai-record/1」"));
}

#[test]
fn hashing_a_tree_takes_known_hashes_and_reads_the_files_it_was_not_told_of() {
    let dir = tempfile::tempdir().unwrap();
    for (rel, bytes) in [("a.html", "1"), ("report/report.json", "{}"), (".gongkai-output", "marker")] {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
    // the writer knew a.html (as it wrote it); report.json was streamed to its file
    let known = |p: &str| (p == "a.html").then(|| blake3::hash(b"1"));
    let hashed = |known: &(dyn Fn(&str) -> Option<blake3::Hash> + Sync)| -> BTreeMap<String, String> {
        hash_tree(dir.path(), known, &|_| None).unwrap().iter().map(|(p, h)| (p.to_string(), h.to_text())).collect()
    };
    assert_eq!(
        hashed(&known),
        site(&[("a.html", "1"), ("report/report.json", "{}")]),
        "every file but the marker, whether known or not"
    );
    // a known hash is taken as told: the tree is not read for it
    let told = |p: &str| (p == "a.html").then(|| blake3::hash(b"told"));
    assert_eq!(hashed(&told)["a.html"], hex(b"told"));
}

#[cfg(unix)]
#[test]
fn links_are_listed_as_they_are_and_never_hashed_through() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.html"), "elsewhere").unwrap();
    fs::write(dir.path().join("a.html"), "a").unwrap();
    fs::create_dir(dir.path().join("unit")).unwrap();
    fs::write(dir.path().join("unit/x.html"), "x").unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("mirror")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.html"), dir.path().join("unit/l.html")).unwrap();
    // a link of the form of a versioned output's, where no store is: not followed either
    fs::create_dir_all(dir.path().join("u/other.000001")).unwrap();
    fs::write(dir.path().join("u/other.000001/y.html"), "y").unwrap();
    std::os::unix::fs::symlink("../../u/other.000001", dir.path().join("other")).unwrap();
    assert_eq!(
        site_files(dir.path()).unwrap(),
        ["a.html", "mirror", "other", "u/other.000001/y.html", "unit/l.html", "unit/x.html"]
    );
    // a build's folder holds no link it did not make: its record is not written through one
    let err = hash_tree(dir.path(), &|_| None, &|_| None).unwrap_err();
    assert!(err.to_string().contains("符号链接"), "{err}");
}

#[test]
fn listing_a_tree_in_parallel_gives_the_order_of_one_walk() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        "a.html",
        "a/x.html",
        "a/b/c.html",
        "a-b/index.html",
        "b.xml",
        "z/deep/er/file.json",
        ".gongkai-output",
        ".well-known/gongkai/log.json",
        ".well-known/other.txt",
        "单位/页面.html",
    ];
    for rel in files {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, rel).unwrap();
    }
    let mut one_walk = Vec::new();
    for entry in walkdir::WalkDir::new(dir.path()).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir.path()).unwrap();
            let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            let rel = rel.join("/");
            if !is_own(&rel) {
                one_walk.push(rel);
            }
        }
    }
    assert_eq!(one_walk.len(), 8, "every file but the marker and the record's own");
    assert_eq!(site_files(dir.path()).unwrap(), one_walk);
    // the record lists them in the paths' order, which is not the walk's (`a/…` before `a-b/…`)
    let hashed: Vec<String> =
        hash_tree(dir.path(), &|_| None, &|_| None).unwrap().iter().map(|(p, _)| p.to_string()).collect();
    let mut sorted = one_walk.clone();
    sorted.sort();
    assert_ne!(sorted, one_walk);
    assert_eq!(hashed, sorted);
    // more top names than a batch holds: the batches one after another, in the paths' order
    for i in 0..300 {
        fs::create_dir_all(dir.path().join(format!("t{i}"))).unwrap();
        fs::write(dir.path().join(format!("t{i}/x.html")), "x").unwrap();
        fs::write(dir.path().join(format!("t{i}.html")), "t").unwrap();
    }
    let mut sorted = site_files(dir.path()).unwrap();
    sorted.sort();
    assert_eq!(sorted.len(), 8 + 600);
    let hashed = hash_tree(dir.path(), &|_| None, &|_| None).unwrap();
    assert!(hashed.iter().map(|(p, _)| p).eq(sorted.iter().map(String::as_str)));
}

#[test]
fn a_top_folder_listed_beforehand_is_not_walked_and_keeps_its_place() {
    let dir = tempfile::tempdir().unwrap();
    for rel in ["a.html", "kept/x.html", "kept/sub/y.html", "walked/z.html", "zz.html"] {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, rel).unwrap();
    }
    let walked = site_files(dir.path()).unwrap();
    // the list given stands for the folder (here one file short: it is what is taken, which
    // shows the folder was not walked); the record's own files are left out of it too
    let told = blake3::hash(b"as the cache kept it");
    let given = |top: &str| {
        (top == "kept")
            .then(|| vec![("kept/x.html".to_string(), told), (".well-known/gongkai/log.json".to_string(), told)])
    };
    let paths = |listed: &Listed<'_>| -> Vec<String> {
        site_files_with(dir.path(), listed).unwrap().into_iter().flatten().map(|(p, _)| p).collect()
    };
    assert_eq!(paths(&given), ["a.html", "kept/x.html", "walked/z.html", "zz.html"]);
    // a listed file has the hash it was listed with, the others are read
    let hashed: BTreeMap<String, changes::Digest> =
        hash_tree(dir.path(), &|_| None, &given).unwrap().iter().map(|(p, h)| (p.to_string(), h.clone())).collect();
    assert_eq!(hashed["kept/x.html"], told.into());
    assert_eq!(hashed["walked/z.html"], blake3::hash(b"walked/z.html").into());
    // the whole list, in the walk's order: the same as a walk
    let whole = |top: &str| {
        (top == "kept").then(|| vec![("kept/sub/y.html".to_string(), told), ("kept/x.html".to_string(), told)])
    };
    assert_eq!(paths(&whole), walked);
}

#[test]
fn an_entry_whose_files_are_not_strings_is_named_when_the_record_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &three_builds());
    // entry 3 lists a.html as removed: a number there instead
    forge(dir.path(), 3, |e| e.replace("\"removed\":[\"a.html\"]", "\"removed\":[1]"));
    let problems = Record::read(dir.path()).unwrap_err();
    assert!(problems[0].starts_with("第 3 条记录（entries/000003.json）：不是有效的记录"), "{problems:?}");
}

#[test]
fn the_files_in_path_order_are_what_the_entries_say_one_after_another() {
    // a sequence of sites (a small deterministic generator): files added, changed and removed,
    // paths whose order differs from a walk's (`a/…`, `a-b…`, `a.html`)
    let names = ["a.html", "a/x.html", "a-b.html", "a/b/c.html", "b.html", "单位/页.html", "z.html", "a0.html"];
    let mut state = 7u64;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let mut r = Record::empty();
    for build in 0..40 {
        let mut now = BTreeMap::new();
        for n in names {
            let (kept, hash) = (next() % 3 != 0, next() % 3);
            if kept {
                now.insert(n.to_string(), format!("{hash}"));
            }
        }
        if let Some(appended) =
            r.append(&format!("2026-01-{:02}", build % 28 + 1), now.clone(), BTreeMap::new()).unwrap()
        {
            r = appended;
        }
        // what a map built entry by entry gives (removals, then the files added and changed)
        let mut model: BTreeMap<String, String> = BTreeMap::new();
        for (_, c) in r.changes() {
            for path in &c.removed {
                model.remove(&*path.0);
            }
            model.extend(c.added.0.iter().chain(&c.changed.0).map(|(p, h)| (p.to_string(), h.to_string())));
        }
        let sorted: Vec<(String, String)> =
            r.files_sorted().into_iter().map(|(p, h)| (p.to_string(), h.to_string())).collect();
        let model: Vec<(String, String)> = model.into_iter().collect();
        assert_eq!(sorted, model, "build {build}");
        // and the same, kept small, merged as the entries stream by
        let state: Vec<(String, changes::Digest)> =
            r.state().unwrap().iter().map(|(p, h)| (p.to_string(), h.clone())).collect();
        let digests: Vec<(String, changes::Digest)> =
            model.iter().map(|(p, h)| (p.clone(), changes::Digest::of(h))).collect();
        assert_eq!(state, digests, "build {build}");
        assert_eq!(r.files(), now, "build {build}: the record says what was published");
    }
    assert!(r.entries().count() > 20, "most builds changed something");
}

#[test]
fn entries_set_aside_are_read_from_their_files_as_they_were_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &three_builds());
    let read = Record::read(dir.path()).unwrap().unwrap();
    let r = Record::read_aside(dir.path()).unwrap().unwrap();
    // the heads stay, the bytes go
    assert_eq!(r.entries().map(|h| h.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(r.entries.iter().all(|e| e.bytes.is_empty()));
    // what the record says, and a new entry, as the whole record gives them
    assert_eq!(r.state().unwrap(), read.state().unwrap());
    let histories = |r: &Record| super::archive::histories(r, |_| true).unwrap();
    assert_eq!(histories(&r), histories(&read));
    assert_eq!(histories(&r)["b.html"].len(), 2, "{:?}", histories(&r));
    let now = site(&[("b.html", "3"), ("d.html", "5")]);
    let numbers = BTreeMap::from([("content/u/d.md".to_string(), "U-2026-0001".to_string())]);
    let aside = r.append("2026-04-01", now.clone(), numbers.clone()).unwrap().unwrap();
    let whole = read.append("2026-04-01", now, numbers).unwrap().unwrap();
    assert_eq!(aside.last_counts(), whole.last_counts());
    assert_eq!(aside.entry_bytes(4), whole.entry_bytes(4));
    assert_eq!(aside.entry_bytes(1), None, "set aside");
    // its files: the old entries to copy from theirs, the bytes alike
    let (files, expected) = (aside.files_to_write(), whole.files_to_write());
    assert_eq!(files.len(), expected.len());
    for ((path, source), (p, s)) in files.iter().zip(&expected) {
        assert_eq!(path, p);
        assert_eq!(source.bytes().unwrap(), s.bytes().unwrap(), "{path}");
    }
    assert_eq!(files[1].1, Source::Copy(dir.path().join(entry_file(1)), read.entries[0].hash.clone()));
    assert!(matches!(files[4].1, Source::Bytes(_)), "the new entry is in memory");
    // an entry changed meanwhile is named, where it is read
    let second = dir.path().join(entry_file(2));
    let original = fs::read(&second).unwrap();
    fs::write(&second, [&original[..], b" "].concat()).unwrap();
    let why = r.state().unwrap_err().join("\n");
    assert!(why.contains("第 2 条记录") && why.contains("改动"), "{why}");
    assert!(files[2].1.bytes().is_err());
    fs::remove_file(&second).unwrap();
    let why = r.append("2026-04-01", site(&[]), BTreeMap::new()).unwrap_err().join("\n");
    assert!(why.contains("第 2 条记录") && why.contains("删除"), "{why}");
    fs::write(&second, &original).unwrap();
    assert_eq!(r.state().unwrap(), read.state().unwrap());
    // a file that is no entry is refused when it is read, as by [`Record::read`]
    fs::write(&second, b"{}").unwrap();
    assert_eq!(Record::read_aside(dir.path()).unwrap_err(), Record::read(dir.path()).unwrap_err());
    assert!(Record::read_aside(&dir.path().join("nothing")).unwrap().is_none());
}

#[test]
#[should_panic(expected = "要先从")]
fn reading_what_an_entry_changed_while_it_is_set_aside_is_a_bug_that_stops() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &three_builds());
    let r = Record::read_aside(dir.path()).unwrap().unwrap();
    let _ = r.files();
}

#[test]
fn a_first_entry_out_of_order_reads_as_a_map_of_it_would() {
    // not as gongkai writes one: paths out of order, one twice, one both added and changed
    let dir = tempfile::tempdir().unwrap();
    let entry = format!(
        r#"{{"schema":"{SCHEMA}","seq":1,"date":"2026-01-01","previous":null,"added":{{"b.html":"{}","a.html":"{}","b.html":"{}"}},"changed":{{"a.html":"{}"}},"removed":["z.html"],"numbers":{{}}}}"#,
        hex(b"1"),
        hex(b"2"),
        hex(b"3"),
        hex(b"4")
    );
    fs::create_dir_all(dir.path().join("entries")).unwrap();
    fs::write(dir.path().join(entry_file(1)), &entry).unwrap();
    let log = Log {
        schema: SCHEMA.into(),
        entries: vec![LogLine {
            seq: 1,
            date: "2026-01-01".into(),
            file: entry_file(1),
            blake3: hex(entry.as_bytes()),
        }],
    };
    fs::write(dir.path().join(LOG), serde_json::to_vec(&log).unwrap()).unwrap();
    let r = Record::read(dir.path()).unwrap().unwrap();
    let expected = BTreeMap::from([("a.html".to_string(), hex(b"4")), ("b.html".to_string(), hex(b"3"))]);
    assert_eq!(r.files(), expected);
    let state: Vec<(String, String)> = r.state().unwrap().iter().map(|(p, h)| (p.to_string(), h.to_text())).collect();
    assert_eq!(state, expected.clone().into_iter().collect::<Vec<_>>());
    // and so when it is read from its file
    let r = Record::read_aside(dir.path()).unwrap().unwrap();
    let aside: Vec<(String, String)> = r.state().unwrap().iter().map(|(p, h)| (p.to_string(), h.to_text())).collect();
    assert_eq!(aside, state);
}
