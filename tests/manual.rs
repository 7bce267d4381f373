//! The clerks' manual (`docs/*.md`) is run, so that it cannot drift from the program.
//!
//! Each chapter is one session in an empty temporary folder, its blocks run in order:
//!
//! - a ```` ```console ```` block holds commands, each on a line starting with `$ `: `gongkai …`
//!   (the real binary) or `cd DIR`. The lines under a command are its output as the manual shows
//!   it (standard output, then standard error), compared line by line; a line `…` stands for any
//!   number of lines, and a line ending in `…` for any line that begins so. A command ends with `# 退出码 N` when it must exit with N (else 0).
//! - a ```` ```yaml file=PATH ````, ```` ```markdown file=PATH ```` or ```` ```csv file=PATH ````
//!   block is written to PATH (under the current folder): the clerk saving a file (a CSV saved from
//!   a spreadsheet); a later `gongkai check` or `gongkai import` reads it.
//! - any other ```` ```yaml ```` block must parse as YAML (gongkai's own parser).
//! - a `gongkai …` command in any other block, or a ```` ```sh ```` block, fails the test: every
//!   command is in a block that runs. A `gongkai …` in running text (`` `gongkai serve --open` ``)
//!   is run with `--help` added, so its command and options must exist.
//!
//! The clock: before a command runs, a site's `gongkai.yaml` without `today:` gets
//! `today: 2026-11-27` appended (the date the example portal pins), so that deadlines are judged on
//! a fixed day and the shown output stays true in later years.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_gongkai");
const TODAY: &str = "2026-11-27";

/// A fenced block of a chapter.
struct Block {
    /// The info string after the fence: `console`, `yaml file=content/my-unit/fees.yaml`.
    info: String,
    /// The line of the opening fence (1-based), for messages.
    line: usize,
    text: String,
}

fn chapters() -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = fs::read_dir(Path::new(REPO).join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    all.sort();
    assert!(all.len() >= 5, "docs/ should hold the manual's chapters, found {all:?}");
    all
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in text.lines().enumerate() {
        match &mut open {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    open = Some(Block { info: info.trim().to_string(), line: i + 1, text: String::new() });
                }
            }
            Some(block) => {
                if line.trim_end() == "```" {
                    out.push(open.take().unwrap());
                } else {
                    block.text.push_str(line);
                    block.text.push('\n');
                }
            }
        }
    }
    assert!(open.is_none(), "a code block is not closed");
    out
}

/// The nearest folder at or above `dir` holding gongkai.yaml.
fn site_of(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().find(|d| d.join("gongkai.yaml").is_file()).map(Path::to_path_buf)
}

fn pin_today(cwd: &Path) {
    if let Some(site) = site_of(cwd) {
        let config = site.join("gongkai.yaml");
        let text = fs::read_to_string(&config).unwrap();
        if !text.lines().any(|l| l.starts_with("today:")) {
            let sep = if text.ends_with('\n') || text.is_empty() { "" } else { "\n" };
            fs::write(&config, format!("{text}{sep}today: {TODAY}\n")).unwrap();
        }
    }
}

fn run(cwd: &Path, args: &[&str]) -> (i32, String) {
    pin_today(cwd);
    let out = Command::new(BIN).args(args).current_dir(cwd).env("NO_COLOR", "1").env_remove("CI").output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// Whether `actual` matches the shown lines, where a line `…` stands for any number of lines.
fn matches(shown: &[&str], actual: &[&str]) -> bool {
    match shown.split_first() {
        None => actual.is_empty(),
        Some((&"…", rest)) => (0..=actual.len()).any(|skip| matches(rest, &actual[skip..])),
        Some((first, rest)) => actual.first().is_some_and(|a| line_matches(first, a)) && matches(rest, &actual[1..]),
    }
}

/// A shown line ending in one `…` (not `……`, which is Chinese text) matches any line it begins
/// (`已生成网站：…` for a line that goes on with a temporary folder); any other line matches itself.
fn line_matches(shown: &str, actual: &str) -> bool {
    let shown = shown.trim_end();
    match shown.strip_suffix('…') {
        Some(prefix) if !prefix.ends_with('…') && !prefix.is_empty() => actual.starts_with(prefix),
        _ => actual.trim_end() == shown,
    }
}

/// One `$ ` command with the output shown under it.
struct Step<'a> {
    command: &'a str,
    code: i32,
    shown: Vec<&'a str>,
}

fn steps(block: &str) -> Vec<Step<'_>> {
    let mut out: Vec<Step> = Vec::new();
    for line in block.lines() {
        if let Some(command) = line.strip_prefix("$ ") {
            let (command, code) = match command.split_once("# 退出码") {
                Some((c, n)) => (c.trim(), n.trim().parse().expect("# 退出码 N")),
                None => (command.trim(), 0),
            };
            out.push(Step { command, code, shown: Vec::new() });
        } else {
            out.last_mut().expect("a console block starts with a `$ ` command").shown.push(line);
        }
    }
    out
}

fn words(command: &str) -> Vec<&str> {
    assert!(!command.contains(['"', '\'', '|', '>', '<', ';', '&', '*']), "keep manual commands plain: {command}");
    command.split_whitespace().collect()
}

fn run_chapter(path: &Path) -> Vec<String> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let text = fs::read_to_string(path).unwrap();
    let session = tempfile::tempdir().unwrap();
    let mut cwd = session.path().to_path_buf();
    let mut problems = Vec::new();
    for block in blocks(&text) {
        let at = format!("{name}:{}", block.line);
        let mut info = block.info.split_whitespace();
        let lang = info.next().unwrap_or("");
        let file = info.find_map(|w| w.strip_prefix("file="));
        match (lang, file) {
            ("console", _) => {
                for step in steps(&block.text) {
                    let w = words(step.command);
                    match w.as_slice() {
                        ["cd", dir] => {
                            cwd = cwd.join(dir);
                            assert!(cwd.is_dir(), "{at}: cd {dir}: no such folder");
                        }
                        ["gongkai", args @ ..] => {
                            let (code, output) = run(&cwd, args);
                            let actual: Vec<&str> = output.lines().collect();
                            if code != step.code {
                                problems.push(format!(
                                    "{at}: `{}` exited {code}, the manual says {}\n{output}",
                                    step.command, step.code
                                ));
                            } else if !step.shown.is_empty() && !matches(&step.shown, &actual) {
                                problems.push(format!(
                                    "{at}: `{}` printed\n{output}\nthe manual shows\n{}",
                                    step.command,
                                    step.shown.join("\n")
                                ));
                            }
                        }
                        _ => problems.push(format!("{at}: only `gongkai …` and `cd` run here: {}", step.command)),
                    }
                }
            }
            ("yaml" | "markdown" | "csv", Some(rel)) => {
                let target = cwd.join(rel);
                fs::create_dir_all(target.parent().unwrap()).unwrap();
                fs::write(&target, &block.text).unwrap();
            }
            ("yaml", None) => {
                if let Err(e) = gongkai::yaml::parse(&block.text) {
                    problems.push(format!("{at}: this YAML example does not parse: {e:?}"));
                }
            }
            ("sh" | "bash" | "shell", _) => {
                problems.push(format!("{at}: write commands in ```console blocks (`$ gongkai …`), so they run"))
            }
            _ => {
                if block.text.lines().any(|l| l.trim_start().trim_start_matches("$ ").starts_with("gongkai ")) {
                    problems.push(format!("{at}: a gongkai command in a ```{lang} block is not run: use ```console"));
                }
            }
        }
    }
    problems
}

#[test]
fn every_chapter_runs_as_written() {
    let problems: Vec<String> = chapters().iter().flat_map(|p| run_chapter(p)).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Commands named in running text: `gongkai serve --open` must be a command with those options.
#[test]
fn commands_in_the_text_exist() {
    let dir = tempfile::tempdir().unwrap();
    let mut seen = 0;
    for path in chapters() {
        let text = fs::read_to_string(&path).unwrap();
        let mut in_block = false;
        for line in text.lines() {
            if line.starts_with("```") {
                in_block = !in_block;
                continue;
            }
            if in_block {
                continue;
            }
            for (i, span) in line.split('`').enumerate() {
                let Some(rest) = span.strip_prefix("gongkai ") else { continue };
                if i % 2 == 0 {
                    continue; // outside a code span
                }
                let mut args = words(rest);
                args.retain(|a| !a.contains(['…', '（']));
                args.push("--help");
                let (code, output) = run(dir.path(), &args);
                assert_eq!(code, 0, "{}: `gongkai {rest}` is not a command gongkai knows:\n{output}", path.display());
                seen += 1;
            }
        }
    }
    assert!(seen > 5, "the manual's text names commands; found {seen}");
}

/// The chapter on findings explains every kind of finding the tool emits.
#[test]
fn every_finding_kind_is_explained() {
    let text = fs::read_to_string(Path::new(REPO).join("docs/04-检查结果.md")).unwrap();
    for kind in gongkai::finding::Kind::ALL {
        let heading = format!("`{}`", kind.as_str());
        assert!(
            text.lines().any(|l| l.starts_with("### ") && l.contains(&heading)),
            "docs/04-检查结果.md has no heading for the finding kind {heading} ({})",
            kind.title()
        );
    }
}

/// The index links every chapter, and the README links the manual.
#[test]
fn the_manual_is_linked() {
    let index = fs::read_to_string(Path::new(REPO).join("docs/README.md")).unwrap();
    for path in chapters() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name != "README.md" {
            assert!(index.contains(&format!("]({name})")), "docs/README.md does not link {name}");
        }
    }
    let readme = fs::read_to_string(Path::new(REPO).join("README.md")).unwrap();
    assert!(readme.contains("](docs/README.md)"), "README.md does not link the manual");
}

#[test]
fn the_matcher_skips_and_compares() {
    assert!(matches(&["a", "…", "d"], &["a", "b", "c", "d"]));
    assert!(matches(&["a", "…"], &["a"]));
    assert!(!matches(&["a", "…", "d"], &["a", "b", "c"]));
    assert!(!matches(&["a"], &["a", "b"]));
    assert!(matches(&["已生成网站：…"], &["已生成网站：/tmp/x/public"]));
    assert!(!matches(&["已生成网站：…"], &["报告：/tmp/x"]));
    assert!(!matches(&["正文……"], &["正文……还有"]));
}
