//! Build script: link options of the errtriage binary, and the built-in
//! data files turned from TOML into JSON.
//!
//! On Linux the binary is linked at a fixed address (`-no-pie`): a
//! position-independent executable makes the dynamic loader apply ~29,000
//! relocations at every start and copy ~120 pages of `.data.rel.ro` it
//! writes them into, a quarter of the CPU of `errtriage --version`
//! (BENCHMARKS.md, "The process floor"). Shared libraries, heap and stack
//! are still placed at random.
//!
//! The built-in catalogs, log formats and secret rules are written as TOML
//! (what users write too), but a one-shot command parsing ~190 KB of TOML
//! on every start spent a fifth of a `find` in the TOML lexer. Each file is
//! converted here to JSON in `OUT_DIR` (same name, `.json`), which the
//! binary includes and reads with serde_json into the same types; key
//! order is kept. A test compares both readings of every file.
use std::path::Path;

/// The directories (or single files) of built-in TOML data, relative to the
/// package root; each lands under the same relative path in `OUT_DIR`.
const DATA: [&str; 3] = [
    "src/catalog/builtin",
    "src/normalize/formats/builtin",
    "src/sanitize/rules.toml",
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let gnu = std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    if linux && gnu {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for item in DATA {
        println!("cargo:rerun-if-changed={item}");
        let path = Path::new(item);
        let files: Vec<_> = if path.is_dir() {
            let mut f: Vec<_> = std::fs::read_dir(path)
                .unwrap_or_else(|e| panic!("{item}: {e}"))
                .map(|e| e.expect("directory entry").path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            f.sort();
            f
        } else {
            vec![path.to_path_buf()]
        };
        for file in files {
            to_json(&file, &Path::new(&out).join(&file).with_extension("json"));
        }
    }
}

/// Write `toml_path`'s table as JSON at `json_path`.
fn to_json(toml_path: &Path, json_path: &Path) {
    let shown = toml_path.display();
    let text = std::fs::read_to_string(toml_path).unwrap_or_else(|e| panic!("{shown}: {e}"));
    let value: serde_json::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{shown}: {e}"));
    // TOML dates have no JSON form the binary's types would read the same.
    assert!(
        !value.to_string().contains("$__toml_private_datetime"),
        "{shown}: a TOML date in a built-in file cannot be turned into JSON"
    );
    std::fs::create_dir_all(json_path.parent().expect("a parent")).expect("create OUT_DIR subdir");
    std::fs::write(json_path, value.to_string()).unwrap_or_else(|e| panic!("{shown}: {e}"));
}
