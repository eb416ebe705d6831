//! The benchmark's CI run: `examples/bench`'s suite on a few thousand
//! generated lines, in the test profile, against the test build of the
//! binary. It checks every answer the benchmark relies on (events indexed,
//! needles found, groups adding up, a typical search, `chains` on a
//! many-keys corpus against its full list, and the headless TUI answering),
//! the ClickHouse column (one node and two shards, every answer equal to the
//! local store's; a loud skip without a server, a failure under CI),
//! that every peer is run or marked, that the results JSON and the SVG
//! curves come out, and that the compressed (100M) route reads back whole;
//! it never judges a time. The real
//! run is `cargo run --release --example bench` (BENCHMARKS.md).

mod common;

#[allow(dead_code)]
#[path = "../examples/bench/chains.rs"]
mod chains;
#[allow(dead_code)]
#[path = "../examples/bench/chreport.rs"]
mod chreport;
#[allow(dead_code)]
#[path = "../examples/bench/clickhouse.rs"]
mod clickhouse;
use common::clickhouse::launch as clickhouse_server;
#[allow(dead_code)]
#[path = "../examples/genlogs/gen.rs"]
mod generator;
#[allow(dead_code)]
#[path = "../examples/bench/measure.rs"]
mod measure;
#[allow(dead_code)]
#[path = "../examples/bench/peers.rs"]
mod peers;
#[allow(dead_code)]
#[path = "../examples/bench/plot.rs"]
mod plot;
#[allow(dead_code)]
#[path = "../examples/bench/report.rs"]
mod report;
#[allow(dead_code)]
#[path = "../examples/bench/results.rs"]
mod results;
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
        zstd: false,
        clickhouse: clickhouse_server::server_binary(),
    };
    if setup.clickhouse.is_none() {
        common::cannot_run("bench_clickhouse_column", "no clickhouse-server binary");
    }
    let result = suite::measure(&setup).expect("the benchmark suite");
    assert_eq!(result.lines, 5_000);
    assert!(result.finds.len() == 4, "three needles and a prefix");
    let tui = result.tui.as_ref().expect("the TUI row");
    assert!(tui["keys"].as_u64() == Some(suite::TUI_TYPED.chars().count() as u64));
    assert_eq!(
        result.chains.corpus, "many-keys corpus: 500 keys",
        "one key per ten lines"
    );
    assert!(result.chains.chains > 0 && result.chains.flagged > 0);
    let table = report::table(&result) + &chreport::table(&result);
    for row in [
        "ingest (wall, MB/s)",
        "find (unique prefix)",
        "groups --by code",
        "TUI first frame",
        "chains (many-keys corpus",
        "| find | rg |",
    ] {
        assert!(table.contains(row), "no `{row}` row in\n{table}");
    }
    // Every peer is listed, run or marked absent or skipped.
    for p in peers::PEERS {
        let listed = result
            .peers
            .iter()
            .find(|r| r.tool == p.tool && r.task == p.task)
            .unwrap_or_else(|| panic!("{} {} not listed", p.tool, p.task.name()));
        assert!(
            listed.run.is_some() || !listed.note.is_empty(),
            "{} {}: neither run nor marked",
            p.tool,
            p.task.name()
        );
    }
    // The results file holds the size, and the curves are drawn from it.
    let json = work.path().join("results.json");
    let svg = work.path().join("curves.svg");
    let machine = report::Machine::describe();
    results::merge(&json, vec![results::size_json(&result, &machine)]).expect("results");
    let held = results::merge(&json, vec![results::size_json(&result, &machine)]).unwrap();
    assert_eq!(held.len(), 1, "the same size replaces its entry");
    assert_eq!(held[0]["events"].as_u64(), Some(result.events));
    assert!(held[0]["find_ms"].as_f64().is_some_and(|ms| ms > 0.0));
    if setup.clickhouse.is_some() {
        the_clickhouse_column_is_measured(&result, &table, &held[0]);
    }
    plot::draw(&held, &svg).expect("the curves");
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert!(drawn.starts_with("<svg"), "{drawn:.200}");
    assert!(drawn.contains("find one request id") && drawn.contains("errtriage"));
}

/// The 100M route at a small size: the corpus written zstd-compressed as it
/// is generated, ingested straight from the `.zst` files, every event found.
#[test]
fn a_zstd_compressed_corpus_is_generated_and_ingested_whole() {
    let work = tempfile::tempdir().expect("tempdir");
    let setup = suite::Setup {
        bin: env!("CARGO_BIN_EXE_errtriage").into(),
        work: work.path().to_path_buf(),
        lines: 5_000,
        repeats: 1,
        quick: true,
        zstd: true,
        clickhouse: None,
    };
    let (events, input_bytes, stored_bytes) = suite::generate_and_ingest(&setup).expect("ingest");
    assert!(events > 4_900, "{events} events");
    assert!(
        stored_bytes * 3 < input_bytes,
        "compressed: {stored_bytes} of {input_bytes} bytes"
    );
}

/// Both ClickHouse setups held every event (two shards: split between
/// them), answered every command (`suite::measure` has already checked each
/// answer equal to the local store's), and are in the table and the JSON.
fn the_clickhouse_column_is_measured(
    result: &suite::SizeResult,
    table: &str,
    held: &serde_json::Value,
) {
    let clickhouse::Column::Measured { asked, stores, .. } = &result.clickhouse else {
        panic!("a server binary was given, but the column is absent");
    };
    let names: Vec<&str> = asked.iter().map(|a| a.name.as_str()).collect();
    for want in [
        "find (unique prefix)",
        "search (typical)",
        "groups --by code",
    ] {
        assert!(names.contains(&want), "{want} not asked: {names:?}");
    }
    assert!(names.contains(&"chains --limit 100") && names.contains(&"stats"));
    assert_eq!(stores.len(), 2, "one node and two shards");
    for st in stores {
        assert_eq!(st.events, result.events, "{}", st.label);
        assert_eq!(st.runs.len(), asked.len(), "{}", st.label);
        assert_eq!(st.disk.shard_rows.len(), st.shards, "{}", st.label);
        assert_eq!(st.disk.shard_rows.iter().sum::<u64>(), result.events);
        assert!(st.disk.bytes >= st.disk.events_bytes && st.disk.events_bytes > 0);
        assert!(st.server_rss > 0 && st.ingest.peak_rss > 0, "{}", st.label);
    }
    assert!(
        stores[1].disk.shard_rows.iter().all(|&n| n > 0),
        "both shards hold events: {:?}",
        stores[1].disk.shard_rows
    );
    for row in [
        "| measure | local index | ClickHouse, 1 node | ClickHouse, 2 shards |",
        "ingest (wall · MB/s · events/s)",
    ] {
        assert!(table.contains(row), "no `{row}` in\n{table}");
    }
    let json = &held["clickhouse"];
    assert_eq!(json["stores"].as_array().map(Vec::len), Some(2), "{json}");
    assert!(
        json["stores"][1]["ms"]["groups --by code"]
            .as_f64()
            .is_some(),
        "{json}"
    );
}
