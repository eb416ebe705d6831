//! Build script: link options of the errtriage binary (the library is not
//! affected).
//!
//! On Linux the binary is linked at a fixed address (`-no-pie`): a
//! position-independent executable makes the dynamic loader apply ~29,000
//! relocations at every start and copy ~120 pages of `.data.rel.ro` it
//! writes them into, a quarter of the CPU of `errtriage --version`
//! (BENCHMARKS.md, "The process floor"). Shared libraries, heap and stack
//! are still placed at random.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let gnu = std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    if linux && gnu {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
