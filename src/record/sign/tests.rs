use std::collections::BTreeMap;

use super::*;

fn record(builds: usize) -> Record {
    let mut r = Record::empty();
    for i in 0..builds {
        let now: BTreeMap<String, String> = [("a.html".to_string(), super::super::hex(&[i as u8]))].into();
        r = r.append(&format!("2026-0{}-01", i + 1), now, BTreeMap::new()).unwrap().unwrap();
    }
    r
}

/// The files of `record` signed build by build with `key` from entry `from` on.
fn signed(record: &Record, key: &Key, from: u64) -> BTreeMap<String, Vec<u8>> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (entry, _) in record.entry_files() {
        let key = (entry.seq >= from).then_some(key);
        let old = files.clone();
        let got = files_of(record, &old, Some(entry.seq), key).unwrap();
        files.extend(got);
    }
    files
}

fn files_of(
    record: &Record,
    old: &BTreeMap<String, Vec<u8>>,
    new: Option<u64>,
    key: Option<&Key>,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    files(record, &|rel| Ok(old.get(rel).cloned()), new, key)
}

fn check_with(record: &Record, files: &BTreeMap<String, Vec<u8>>) -> Checked {
    check(record, &|rel| Ok(files.get(rel).cloned())).unwrap()
}

#[test]
fn signed_entries_verify_and_an_unsigned_record_is_still_valid() {
    let r = record(3);
    assert_eq!(check_with(&r, &BTreeMap::new()), Checked::default());
    let key = Key::generate().unwrap();
    let files = signed(&r, &key, 2);
    assert_eq!(files.keys().collect::<Vec<_>>(), ["entries/000002.sig", "entries/000003.sig", "key.pub"]);
    assert_eq!(check_with(&r, &files), Checked { signed: vec![2, 3], problems: vec![] });
    // the key file round-trips
    assert_eq!(Key::from_text(&key.secret_text()).unwrap().public_text(), key.public_text());
}

#[test]
fn a_flipped_byte_of_a_signature_is_named() {
    let r = record(3);
    let key = Key::generate().unwrap();
    let mut files = signed(&r, &key, 1);
    let sig = files.get_mut("entries/000002.sig").unwrap();
    let mut raw = B64.decode(String::from_utf8_lossy(sig).trim()).unwrap();
    raw[10] ^= 1;
    *sig = format!("{}\n", B64.encode(raw)).into_bytes();
    let checked = check_with(&r, &files);
    assert_eq!(checked.signed, [1, 3]);
    assert_eq!(
        checked.problems,
        [
            "第 2 条记录（entries/000002.json）：签名 entries/000002.sig 与公钥 key.pub 不符：记录或签名在签名后被改动过，或公钥被换过"
        ]
    );
}

#[test]
fn another_key_published_names_every_signature() {
    let r = record(2);
    let files = signed(&r, &Key::generate().unwrap(), 1);
    let mut swapped = files.clone();
    swapped.insert(PUBLIC_KEY.into(), Key::generate().unwrap().public_text().into_bytes());
    let checked = check_with(&r, &swapped);
    assert!(checked.signed.is_empty());
    assert_eq!(checked.problems.len(), 2, "{:?}", checked.problems);
    assert!(checked.problems[0].starts_with("第 1 条记录"), "{:?}", checked.problems);
}

#[test]
fn an_unsigned_entry_after_a_signed_one_is_named_and_refused_at_build() {
    let r = record(3);
    let key = Key::generate().unwrap();
    let mut files = signed(&r, &key, 1);
    files.remove("entries/000003.sig");
    let checked = check_with(&r, &files);
    assert_eq!(
        checked.problems,
        ["第 3 条记录（entries/000003.json）：没有签名（entries/000003.sig），而从第 1 条起的记录都应有签名"]
    );
    // a build without the key after signed entries stops, and so does one with another key
    let err = files_of(&r, &files, Some(3), None).unwrap_err();
    assert!(err.contains("没有配置签名私钥"), "{err}");
    let err = files_of(&r, &files, Some(3), Some(&Key::generate().unwrap())).unwrap_err();
    assert!(err.contains("不是一对"), "{err}");
    // nothing new: the old files are kept as they are, key or no key
    let kept = files_of(&r, &files, None, None).unwrap();
    assert_eq!(kept.len(), 3);
}

#[test]
fn a_bad_key_text_says_what_is_wrong() {
    assert!(Key::from_text("not base64!").is_err());
    let short = Key::from_text(&B64.encode([1u8; 16])).err().unwrap();
    assert!(short.contains("32") && short.contains("16"), "{short}");
}
