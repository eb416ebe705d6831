//! The benchmark's CI run: `examples/bench`'s suite on a few thousand
//! generated lines, in the test profile, against the test build of the
//! binary. It checks every answer the benchmark relies on (events indexed,
//! needles found, groups adding up, a typical search, `chains` on a
//! many-keys corpus against its full list, and the headless TUI answering) and that a table comes out; it never judges a time. The real
//! run is `cargo run --release --example bench` (BENCHMARKS.md).

#[allow(dead_code)]
#[path = "../examples/bench/chains.rs"]
mod chains;
#[allow(dead_code)]
#[path = "../examples/genlogs/gen.rs"]
mod generator;
#[allow(dead_code)]
#[path = "../examples/bench/measure.rs"]
mod measure;
#[allow(dead_code)]
#[path = "../examples/bench/report.rs"]
mod report;
#[allow(dead_code)]
#[path = "../examples/bench/suite.rs"]
mod suite;

#[test]
fn the_benchmark_runs_on_a_small_corpus_and_its_answers_check_out() {
    let work = tempfile::tempdir().expect("tempdir");
    let setup = suite::Setup {
        bin: env!("CARGO_BIN_EXE_errtriage").into(),
        work: work.path().to_path_buf(),
        lines: 5_000,
        repeats: 1,
        quick: true,
    };
    let result = suite::measure(&setup).expect("the benchmark suite");
    assert_eq!(result.lines, 5_000);
    assert!(result.finds.len() == 4, "three needles and a prefix");
    let tui = result.tui.as_ref().expect("the TUI row");
    assert!(tui["keys"].as_u64() == Some(suite::TUI_TYPED.chars().count() as u64));
    assert_eq!(result.chains.keys, 500, "one key per ten lines");
    assert!(result.chains.chains > 0 && result.chains.flagged > 0);
    let table = report::table(&result);
    for row in [
        "ingest (wall, MB/s)",
        "find (unique prefix)",
        "groups --by code",
        "TUI first frame",
        "chains (many-keys corpus",
    ] {
        assert!(table.contains(row), "no `{row}` row in\n{table}");
    }
}
