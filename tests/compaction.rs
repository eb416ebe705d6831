//! After a bulk ingest the local index merges its segments (every query
//! opens every segment): fewer segments, the same answers.

use chrono::Utc;
use errtriage::catalog::Catalogs;
use errtriage::index::{LocalStore, Writer, WriterOptions};
use errtriage::ingest::{IngestOptions, Ingestor, NoProgress};
use errtriage::query::Query;
use errtriage::store::Sink;

/// `n` lines of one file, request ids `req_<file>_<i>`, one 409 in ten.
fn write_log(dir: &std::path::Path, file: usize, n: usize) -> std::path::PathBuf {
    let lines: Vec<String> = (0..n)
        .map(|i| {
            serde_json::json!({
                "timestamp": format!("2026-05-14T10:{:02}:{:02}.000Z", i / 60 % 60, i % 60),
                "service": "42min-api", "path": "/v1/bookings",
                "request_id": format!("req_{file}_{i}"),
                "status": if i % 10 == 0 { 409 } else { 200 },
                "error": if i % 10 == 0 { serde_json::json!({"code": "slot_unavailable"}) } else { serde_json::Value::Null },
            })
            .to_string()
        })
        .collect();
    let path = dir.join(format!("api-{file}.log"));
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// How an ingest run ends.
#[derive(Clone, Copy, PartialEq)]
enum End {
    /// As follow mode: no merge.
    Plain,
    /// As a bulk ingest: merge when more than a few segments are committed.
    Bulk,
    /// Merge whatever is committed (the merge itself under test).
    Merge,
}

/// Ingest `log` into `index` in one run, ending as `end` says.
fn ingest(index: &std::path::Path, log: std::path::PathBuf, end: End) {
    let catalogs = Catalogs::builtin();
    let opts = WriterOptions {
        threads: 1,
        memory_bytes: 32 << 20,
        rebuild: false,
    };
    let mut writer = Box::new(Writer::open(index, &opts, || {}).unwrap());
    let mut ingestor = Ingestor::new(
        writer.as_mut(),
        &catalogs,
        IngestOptions::default(),
        &NoProgress,
    );
    ingestor.ingest_paths(&[log]).unwrap();
    ingestor.finish().unwrap();
    match end {
        End::Plain => writer.finish().unwrap(),
        End::Bulk => writer.compact_and_finish().unwrap(),
        End::Merge => {
            writer.compact_and_finish_above(0).unwrap();
        }
    }
}

fn segments(store: &LocalStore) -> usize {
    store.searcher().segment_readers().len()
}

#[test]
fn a_bulk_ingest_leaves_one_segment_and_every_answer_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    for file in 0..3 {
        ingest(&index, write_log(dir.path(), file, 200), End::Plain);
    }
    let before = LocalStore::open(&index, Catalogs::builtin()).unwrap();
    assert_eq!(segments(&before), 3, "one segment per ingest run");
    let query = Query::parse("code:slot_unavailable", Utc::now()).unwrap();
    let hits_before = before.search_page(&query, 0, 1000).unwrap();
    let stats_before = before.stats().unwrap();
    drop(before);

    ingest(&index, write_log(dir.path(), 3, 200), End::Merge);

    let after = LocalStore::open(&index, Catalogs::builtin()).unwrap();
    assert_eq!(segments(&after), 1, "merged into one");
    let stores = std::fs::read_dir(&index)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "store"))
        .count();
    assert_eq!(stores, 1, "the merged segments' files are deleted");
    assert_eq!(after.num_events(), 800);
    let hits_after = after.search_page(&query, 0, 1000).unwrap();
    assert_eq!(hits_after.total, hits_before.total + 20);
    for event in &hits_before.events {
        assert!(hits_after.events.contains(event), "{}", event.request_id);
    }
    for file in 0..4 {
        let found = after.find(&format!("req_{file}_17")).unwrap();
        assert_eq!(found.events.len(), 1, "req_{file}_17");
    }
    let stats_after = after.stats().unwrap();
    assert_eq!(stats_after.events, stats_before.events + 200);
    assert_eq!(stats_after.first_ts, stats_before.first_ts);
    // The checkpoint survived the merge: the same files ingest as nothing new.
    let cp = after.checkpoint().unwrap();
    assert_eq!(cp.file_count(), 4);
    assert_eq!(cp.totals.events, 800);
    drop(after);
    for file in 0..4 {
        ingest(
            &index,
            dir.path().join(format!("api-{file}.log")),
            End::Plain,
        );
    }
    let again = LocalStore::open(&index, Catalogs::builtin()).unwrap();
    assert_eq!(again.num_events(), 800, "nothing read twice");
}

#[test]
fn compacting_an_index_of_one_segment_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    ingest(&index, write_log(dir.path(), 0, 50), End::Bulk);
    let store = LocalStore::open(&index, Catalogs::builtin()).unwrap();
    assert_eq!(segments(&store), 1);
    assert_eq!(store.num_events(), 50);
    // `Sink` is the seam ingest uses; the local writer compacts through it.
    let opts = WriterOptions {
        threads: 1,
        memory_bytes: 32 << 20,
        rebuild: false,
    };
    drop(store);
    let sink: Box<dyn Sink> = Box::new(Writer::open(&index, &opts, || {}).unwrap());
    sink.compact_and_finish().unwrap();
    let store = LocalStore::open(&index, Catalogs::builtin()).unwrap();
    assert_eq!(segments(&store), 1);
    assert_eq!(store.num_events(), 50);
}

#[test]
fn a_bulk_ingest_leaving_a_few_segments_merges_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    for file in 0..3 {
        ingest(&index, write_log(dir.path(), file, 100), End::Plain);
    }
    ingest(&index, write_log(dir.path(), 3, 100), End::Bulk);
    let store = LocalStore::open(&index, Catalogs::builtin()).unwrap();
    assert_eq!(segments(&store), 4, "four segments are not worth a merge");
    assert_eq!(store.num_events(), 400);
}
