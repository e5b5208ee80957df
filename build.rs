//! Embeds `migrations/` in the binary, so a deployed `reviewpoint migrate up`
//! needs no files beside it. Listing the folder here (rather than with a macro
//! crate) also tells cargo to rebuild when a migration is added or edited.

use std::{env, fmt::Write, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut dirs: Vec<_> = fs::read_dir(&root)
        .expect("migrations/ exists")
        .map(|entry| entry.expect("readable migrations/").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    let mut code = String::from("&[\n");
    for dir in dirs {
        let name = dir.file_name().and_then(|n| n.to_str()).expect("UTF-8 folder name");
        let (up, down) = (dir.join("up.sql"), dir.join("down.sql"));
        writeln!(code, "    ({name:?}, include_str!({:?}), include_str!({:?})),", up.display(), down.display())
            .expect("writing to a String");
    }
    code.push(']');
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations.rs");
    fs::write(out, code).expect("OUT_DIR is writable");
}
