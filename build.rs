//! Embeds the default theme: every file under `themes/default/`, so that a new template is
//! embedded by adding the file, with no list to keep in step.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> =
        fs::read_dir(dir).expect("themes/default is readable").map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("themes/default");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut all = Vec::new();
    files(&root, &mut all);
    let mut code = String::from("&[\n");
    for path in &all {
        println!("cargo:rerun-if-changed={}", path.display());
        let rel = path.strip_prefix(&root).unwrap().to_str().expect("theme file names are UTF-8").replace('\\', "/");
        writeln!(code, "    ({rel:?}, include_bytes!({:?}) as &[u8]),", path.display().to_string()).unwrap();
    }
    code.push(']');
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("default_theme.rs"), code).unwrap();
}
