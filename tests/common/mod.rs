//! Test harness: copy a site into a temporary folder, change it, check it, run the binary.
#![allow(
    dead_code,
    reason = "each test file uses only part of the harness; `expect` would fail in the files that use all of it"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use gongkai::check::{CheckResult, check_site};
use gongkai::load::{LoadOptions, load_site};

pub(crate) const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// Every file under `dir`, by relative path, with its bytes.
pub(crate) fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    // links followed: a versioned output's unit folders are links into its store
    walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned(), fs::read(e.path()).unwrap()))
        .collect()
}

/// A copy of a site in a temporary folder, removed when dropped.
pub(crate) struct Site {
    pub(crate) dir: tempfile::TempDir,
}

impl Site {
    /// The repository's example portal (content/ and gongkai.yaml).
    pub(crate) fn example() -> Site {
        let site = Site::empty();
        copy_dir(&Path::new(REPO).join("content"), &site.path().join("content"));
        fs::copy(Path::new(REPO).join("gongkai.yaml"), site.path().join("gongkai.yaml")).unwrap();
        site
    }

    /// The example portal with the files of tests/fixtures/NAME laid over it: a fixture holds only
    /// what its behaviour needs.
    pub(crate) fn example_with(name: &str) -> Site {
        let site = Site::example();
        copy_dir(&Path::new(REPO).join("tests/fixtures").join(name), site.path());
        site
    }

    /// A fixture under tests/fixtures/NAME.
    pub(crate) fn fixture(name: &str) -> Site {
        let site = Site::empty();
        copy_dir(&Path::new(REPO).join("tests/fixtures").join(name), site.path());
        site
    }

    pub(crate) fn empty() -> Site {
        Site { dir: tempfile::tempdir().unwrap() }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn file(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    pub(crate) fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.file(rel)).unwrap()
    }

    pub(crate) fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let p = self.file(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    pub(crate) fn remove(&self, rel: &str) {
        let p = self.file(rel);
        if p.is_dir() { fs::remove_dir_all(p).unwrap() } else { fs::remove_file(p).unwrap() }
    }

    pub(crate) fn check(&self) -> CheckResult {
        let site = load_site(self.path(), &LoadOptions::default()).unwrap();
        check_site(&site)
    }

    pub(crate) fn check_unit(&self, unit: &str) -> CheckResult {
        let site =
            load_site(self.path(), &LoadOptions { unit: Some(unit.to_string()), today: None, ..Default::default() })
                .unwrap();
        check_site(&site)
    }

    /// Run `gongkai ARGS...` in this site's folder.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        run_in(self.path(), args, &[])
    }
}

pub(crate) struct Output {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

pub(crate) fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.args(args).current_dir(dir).env_remove("GITHUB_STEP_SUMMARY").env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Errors of a check result, as (rule, kind, file, line).
pub(crate) fn errors(r: &CheckResult) -> Vec<(String, &'static str, String, Option<u32>)> {
    r.findings
        .iter()
        .filter(|f| f.severity == gongkai::finding::Severity::Error)
        .map(|f| (f.rule.clone(), f.kind.as_str(), f.file.clone(), f.line))
        .collect()
}

/// What a clerk might type for a field, by a word of its Chinese name.
pub(crate) fn sample_value(key: &str) -> &'static str {
    const SAMPLES: [(&str, &str); 10] = [
        ("年度", "2025"),
        ("热线", "12398"),
        ("电话", "0943-8221234"),
        ("传真", "0943-8221235"),
        ("联系方式", "0943-8221236"),
        ("邮政编码", "730900"),
        ("信箱", "gk@example.cn"),
        ("日期", "2026-03-02"),
        ("文件", "https://www.example.cn/form.pdf"),
        ("", "已填写的内容"),
    ];
    SAMPLES.iter().find(|(word, _)| key.contains(word)).map_or("已填写的内容", |(_, v)| v)
}

/// Replace every `key: 待补充` line, and the body placeholder, as a clerk would.
pub(crate) fn fill_in(dir: &std::path::Path) {
    for entry in walkdir::WalkDir::new(dir).into_iter().map(Result::unwrap) {
        let path = entry.path();
        if !path.extension().is_some_and(|e| e == "yaml" || e == "md") {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let filled: String = text
            .lines()
            .map(|line| match line.strip_suffix(": 待补充") {
                // the request figures are counts
                Some(head) if path.parent().is_some_and(|p| p.ends_with("requests")) && !head.starts_with("年度") => {
                    format!("{head}: 0\n")
                }
                Some(head) if !head.trim_start().starts_with('#') => {
                    let key = head.trim_start().trim_start_matches("- ");
                    format!("{head}: {}\n", sample_value(key))
                }
                _ => format!(
                    "{}\n",
                    line.replace("待补充：在这里写正文。", "正文。")
                        .replace("待补充：在这里写本年度的情况。", "本年度的情况。")
                ),
            })
            .collect();
        std::fs::write(path, filled).unwrap();
    }
}
