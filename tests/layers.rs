//! The layers go one way: a lower module never imports a higher one. Read from the source, so a
//! new upward import fails here before it becomes a cycle. (Only the modules whose place is
//! settled are listed; the structure issue moves the rest.)

use std::fs;
use std::path::Path;

/// (module folder or file under src/, modules it must never import)
const RULES: &[(&str, &[&str])] = &[
    ("load", &["check", "render", "report", "timing", "review", "serve", "commands", "score"]),
    ("model.rs", &["load", "check", "render", "report", "timing", "review", "serve", "commands", "score"]),
    ("input.rs", &["load", "check", "render", "report", "serve", "commands"]),
    ("privacy", &["load", "check", "render", "report", "serve", "commands"]),
    ("calendar.rs", &["load", "check", "render", "report", "serve", "commands"]),
    ("yaml.rs", &["load", "check", "render", "report", "serve", "commands"]),
    ("report", &["render", "serve", "commands"]),
    ("render", &["serve", "commands"]),
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
