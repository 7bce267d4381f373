//! Embeds the default theme: every file under `themes/default/`, so that a new template is
//! embedded by adding the file, with no list to keep in step. Also names the sources this build
//! of gongkai was made from (`GONGKAI_SOURCE_ID`): the build cache trusts only a cache written by
//! a gongkai built from the same sources.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir).expect("sources are readable").map(|e| e.unwrap().path()).collect();
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
    source_id();
}

/// A hash of every file gongkai is compiled from (its code, built-in packs, calendar and theme,
/// its dependencies' versions): two builds from other sources get other identities. 128 bits
/// from two differently seeded SipHash runs; nobody is trying to collide it, it only has to tell
/// builds apart.
fn source_id() {
    use std::hash::{Hash, Hasher};
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let mut all = Vec::new();
    for dir in ["src", "rules", "themes"] {
        println!("cargo:rerun-if-changed={dir}");
        files(&manifest.join(dir), &mut all);
    }
    for file in ["Cargo.toml", "Cargo.lock", "build.rs"] {
        println!("cargo:rerun-if-changed={file}");
        all.push(manifest.join(file));
    }
    let mut halves =
        [std::collections::hash_map::DefaultHasher::new(), std::collections::hash_map::DefaultHasher::new()];
    halves[1].write_u8(1);
    for path in &all {
        let rel = path.strip_prefix(&manifest).unwrap().to_string_lossy().replace('\\', "/");
        let bytes = fs::read(path).unwrap_or_default();
        for h in &mut halves {
            rel.hash(h);
            bytes.hash(h);
        }
    }
    println!("cargo:rustc-env=GONGKAI_SOURCE_ID={:016x}{:016x}", halves[0].finish(), halves[1].finish());
}
