//! The layers go one way: a lower module never imports a higher one. Read from the source, so a
//! new upward import fails here before it becomes a cycle. (Only the modules whose place is
//! settled are listed; the structure issue moves the rest.)

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// (module folder or file under src/, modules it must never import)
const RULES: &[(&str, &[&str])] = &[
    // load only reads: the 第六条 scan is checking (check/scan.rs), not loading
    ("load", &["check", "privacy", "render", "report", "serve", "commands"]),
    ("extract", &["privacy", "load", "check", "render", "report", "serve", "commands"]),
    ("extract.rs", &["privacy", "load", "check", "render", "report", "serve", "commands"]),
    ("model.rs", &["load", "check", "privacy", "render", "report", "serve", "commands"]),
    ("input.rs", &["load", "check", "render", "report", "serve", "commands"]),
    ("privacy", &["load", "check", "render", "report", "serve", "commands"]),
    ("calendar.rs", &["load", "check", "render", "report", "serve", "commands"]),
    ("yaml.rs", &["load", "check", "render", "report", "serve", "commands"]),
    // the 社会评议 results read from the model, like `annual` (its unit tests load a file)
    ("evaluation.rs", &["check", "render", "report", "serve", "commands"]),
    ("check", &["render", "report", "serve", "commands"]),
    ("report", &["render", "serve", "commands"]),
    ("render", &["serve", "commands"]),
    // spreadsheets in and out read the model and the loader; the commands do the files
    ("sheet", &["check", "render", "report", "serve", "commands"]),
    // the bureau's 考核 reads sites as `check` does and published ones as `verify` does; it renders
    // no page and serves nothing
    ("bureau", &["render", "serve"]),
];

#[test]
fn lower_layers_never_import_higher_ones() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (module, forbidden) in RULES {
        let path = src.join(module);
        assert!(path.exists(), "{module} moved: update this table");
        let files: Vec<_> = walkdir::WalkDir::new(&path)
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        for file in files {
            let text = fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                for up in *forbidden {
                    if line.contains(&format!("crate::{up}::")) || line.contains(&format!("crate::{up};")) {
                        wrong.push(format!("{}:{}: {module} imports {up}: {}", file.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "upward imports:\n{}", wrong.join("\n"));
}

/// Folders whose submodules are modules of their own in the graph below (every other folder under
/// src/ counts as one module).
const SPLIT: &[&str] = &["check", "render"];

/// No import cycle among the modules: the top-level modules of src/, and the submodules of the
/// folders in `SPLIT`. Every `crate::…`, `super::…` and `self::…` path of src/**/*.rs counts
/// (test modules too), with `use` groups expanded and `super` resolved from the file's place.
#[test]
fn modules_import_each_other_in_one_direction_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = module_graph(&src);
    let cycles = cycles(&graph);
    let shown: Vec<String> = cycles
        .iter()
        .map(|(cycle, group)| {
            let steps: Vec<String> =
                cycle.windows(2).map(|w| format!("  {} -> {}   ({})", w[0], w[1], graph[&w[0]][&w[1]])).collect();
            let group: Vec<&str> = group.iter().map(String::as_str).collect();
            format!(
                "{}\n{}\n  (all modules on cycles with {}: {})",
                cycle.join(" -> "),
                steps.join("\n"),
                cycle[0],
                group.join(", ")
            )
        })
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", shown.join("\n\n"));
    // the graph is read at all: check is a folder of modules, and its submodules import something
    assert!(graph.keys().any(|m| m.starts_with("check::")), "no submodule of check found: {:?}", graph.keys());
    assert!(graph.get("render::run").is_some_and(|to| to.contains_key("model")), "render::run -> model not found");
}

/// The cycle finder finds a cycle, and only a cycle.
#[test]
fn the_cycle_finder_sees_a_cycle() {
    let edge = |a: &str, b: &str| (a.to_string(), BTreeMap::from([(b.to_string(), String::new())]));
    let looped = BTreeMap::from([edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("d", "a")]);
    let found = cycles(&looped);
    assert_eq!(found.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>(), [["a", "b", "c", "a"]]);
    assert_eq!(found[0].1, BTreeSet::from(["a".to_string(), "b".to_string(), "c".to_string()]));
    let straight = BTreeMap::from([edge("a", "b"), edge("b", "c"), edge("d", "a")]);
    assert!(cycles(&straight).is_empty());
    let mut module = Vec::new();
    paths_in(&code_only("use crate::{a::{b, c::D}, e};\nlet x = super::f::g(1); // crate::h\n"), &mut module);
    let found: Vec<String> = module.iter().map(|(p, _)| p.join("::")).collect();
    assert_eq!(found, ["crate::a::b", "crate::a::c::D", "crate::e", "super::f::g"]);
}

/// module -> (module it imports -> where, first seen).
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn module_graph(src: &Path) -> Graph {
    let mut graph = Graph::new();
    let files = walkdir::WalkDir::new(src)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"));
    for file in files {
        let rel: Vec<String> = file
            .strip_prefix(src)
            .unwrap()
            .with_extension("")
            .iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect();
        // the crate roots: lib.rs only declares the modules, main.rs is another crate
        let mut module = rel.clone();
        if module.last().is_some_and(|l| l == "mod") {
            module.pop();
        }
        if rel == ["lib"] || rel == ["main"] {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        let code = code_only(&text);
        let inline = inline_modules(&code);
        let mut found = Vec::new();
        paths_in(&code, &mut found);
        for (path, at) in found {
            let here: Vec<String> = module
                .iter()
                .cloned()
                .chain(inline.iter().filter(|(r, _)| r.contains(&at)).map(|(_, name)| name.clone()))
                .collect();
            let Some(target) = resolve(&here, &path) else { continue };
            let (from, to) = (node(src, &module), node(src, &target));
            let (Some(from), Some(to)) = (from, to) else { continue };
            if from != to {
                let line = code[..at].matches('\n').count() + 1;
                let name = format!("{}:{line}", file.strip_prefix(src).unwrap().display());
                graph.entry(from).or_default().entry(to).or_insert(name);
            }
        }
    }
    graph
}

/// The module of the graph an item path belongs to.
fn node(src: &Path, path: &[String]) -> Option<String> {
    let top = path.first()?;
    if SPLIT.contains(&top.as_str())
        && let Some(sub) = path.get(1)
        && (src.join(top).join(format!("{sub}.rs")).exists() || src.join(top).join(sub).is_dir())
    {
        return Some(format!("{top}::{sub}"));
    }
    Some(top.clone())
}

/// A path (`crate::…`, `super::…`, `self::…`) as seen from module `here`, from the crate root.
fn resolve(here: &[String], path: &[String]) -> Option<Vec<String>> {
    let mut base: Vec<String> = match path.first()?.as_str() {
        "crate" => Vec::new(),
        _ => here.to_vec(),
    };
    let mut rest = &path[1..];
    if path[0] == "super" {
        base.pop()?;
    }
    while rest.first().is_some_and(|s| s == "super") {
        base.pop()?;
        rest = &rest[1..];
    }
    base.extend(rest.iter().filter(|s| *s != "self").cloned());
    Some(base)
}

/// Every `crate::`, `super::` or `self::` path in code (comments and literals already blanked),
/// groups expanded, with the byte offset where it starts.
fn paths_in(code: &str, out: &mut Vec<(Vec<String>, usize)>) {
    let start = regex::Regex::new(r"\b(crate|super|self)\s*::").unwrap();
    let mut from = 0;
    while let Some(m) = start.find_at(code, from) {
        let mut trees = Vec::new();
        let end = tree(code, m.start(), &mut trees);
        out.extend(trees.into_iter().map(|t| (t, m.start())));
        from = end.max(m.end());
    }
}

/// Parse a path tree at `at` (`a::b::{c, d::e}`): its paths, and where it ends.
fn tree(code: &str, mut at: usize, out: &mut Vec<Vec<String>>) -> usize {
    let bytes = code.as_bytes();
    let skip = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut prefix = Vec::new();
    loop {
        at = skip(at);
        if bytes.get(at) == Some(&b'{') {
            let mut inner = Vec::new();
            at += 1;
            loop {
                at = skip(at);
                match bytes.get(at) {
                    None => return at,
                    Some(b'}') => {
                        at += 1;
                        break;
                    }
                    Some(b',') => at += 1,
                    _ => {
                        let before = at;
                        at = tree(code, at, &mut inner);
                        if at == before {
                            at += 1;
                        }
                    }
                }
            }
            out.extend(inner.into_iter().map(|p| prefix.iter().cloned().chain(p).collect()));
            return at;
        }
        let ident_end = at + code[at..].find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(code.len() - at);
        if ident_end == at {
            // `*`, or the end of the path
            if !prefix.is_empty() {
                out.push(prefix);
            }
            return at + usize::from(bytes.get(at) == Some(&b'*'));
        }
        let ident = &code[at..ident_end];
        if ident == "as" {
            // `x as y`: the alias is no path
            out.push(prefix);
            let alias = skip(ident_end);
            return alias + code[alias..].find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(0);
        }
        prefix.push(ident.to_string());
        at = skip(ident_end);
        if code[at..].starts_with("::") {
            at += 2;
        } else {
            out.push(prefix);
            return at;
        }
    }
}

/// Inline modules (`mod tests { … }`): their byte range and name.
fn inline_modules(code: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let open = regex::Regex::new(r"\bmod\s+(\w+)\s*\{").unwrap();
    let mut out = Vec::new();
    for c in open.captures_iter(code) {
        let start = c.get(0).unwrap().end();
        let mut depth = 1;
        let mut end = code.len();
        for (i, b) in code[start..].bytes().enumerate() {
            depth += i32::from(b == b'{') - i32::from(b == b'}');
            if depth == 0 {
                end = start + i;
                break;
            }
        }
        out.push((start..end, c[1].to_string()));
    }
    out
}

/// The source with comments, string and character literals blanked (newlines kept), so that
/// neither a `crate::` in a doc comment nor a `'{'` counts.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let mut end = i + 1;
        if c == '/' && next == Some('/') {
            end = (i..chars.len()).find(|&j| chars[j] == '\n').unwrap_or(chars.len());
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            let mut j = i;
            while j < chars.len() {
                if chars[j] == '/' && chars.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if chars[j] == '*' && chars.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            end = j;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
            if chars.get(i + 1 + hashes) == Some(&'"') {
                let close: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                let body: String = chars[i + 2 + hashes..].iter().collect();
                end = i
                    + 2
                    + hashes
                    + body.find(&close).map_or(body.chars().count(), |b| body[..b].chars().count())
                    + 1
                    + hashes;
            }
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            end = j + 1;
        } else if c == '\'' {
            if next == Some('\\') {
                end = (i + 2..chars.len()).find(|&j| chars[j] == '\'').map_or(chars.len(), |j| j + 1);
            } else if chars.get(i + 2) == Some(&'\'') {
                end = i + 3;
            }
        }
        let end = end.min(chars.len());
        if end == i + 1 {
            out.push(c);
        } else {
            out.extend(chars[i..end].iter().map(|&c| blank(c)));
        }
        i = end;
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// One cycle per strongly connected group of modules, from its first module back to it, with the
/// whole group.
fn cycles(graph: &Graph) -> Vec<(Vec<String>, BTreeSet<String>)> {
    let reach = |from: &str| {
        let mut seen = BTreeSet::from([from.to_string()]);
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for to in graph.get(&m).into_iter().flat_map(|t| t.keys()) {
                if seen.insert(to.clone()) {
                    todo.push(to.clone());
                }
            }
        }
        seen
    };
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for start in graph.keys() {
        if done.contains(start) {
            continue;
        }
        // the modules on a cycle through `start`: those it reaches that reach it back
        let group: BTreeSet<String> =
            reach(start).into_iter().filter(|m| m != start && reach(m).contains(start)).collect();
        if group.is_empty() {
            continue;
        }
        done.extend(group.iter().cloned());
        // the shortest way back to `start`, within the group
        let mut back: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.clone()]);
        'search: while let Some(m) = queue.pop_front() {
            for to in graph.get(&m).into_iter().flat_map(|t| t.keys()) {
                if to == start {
                    let mut cycle = vec![m.clone()];
                    while let Some(prev) = back.get(cycle.last().unwrap()) {
                        cycle.push(prev.clone());
                    }
                    cycle.reverse();
                    cycle.push(start.clone());
                    let mut all = group.clone();
                    all.insert(start.clone());
                    out.push((cycle, all));
                    break 'search;
                }
                if group.contains(to) && !back.contains_key(to) {
                    back.insert(to.clone(), m.clone());
                    queue.push_back(to.clone());
                }
            }
        }
    }
    out
}
