//! Pages anchored at a time (`Store::search_at`, `Store::search_beside`):
//! what the TUI's "go to time" lands on and loads above and below, over a
//! real index built from a log file.

use chrono::{DateTime, Duration, Utc};
use errtriage::catalog::Catalogs;
use errtriage::index::{LocalStore, Writer, WriterOptions};
use errtriage::ingest::{IngestOptions, Ingestor, NoProgress};
use errtriage::query::{Query, Side};

/// 60 events a minute apart from 10:00 (request ids `req_0`…`req_59`), a
/// 500 every tenth minute, plus two more at exactly 10:30 (`req_30b`,
/// `req_30c`).
fn store(dir: &std::path::Path) -> LocalStore {
    let line = |min: u32, rid: &str| {
        serde_json::json!({
            "timestamp": format!("2026-05-14T{:02}:{:02}:00.000Z", 10 + min / 60, min % 60),
            "service": "42min-api", "path": "/v1/bookings", "request_id": rid,
            "status": if min.is_multiple_of(10) { 500 } else { 200 },
        })
        .to_string()
    };
    let mut text: Vec<String> = (0..60).map(|m| line(m, &format!("req_{m}"))).collect();
    text.push(line(30, "req_30b"));
    text.push(line(30, "req_30c"));
    let log = dir.join("api.log");
    std::fs::write(&log, text.join("\n") + "\n").unwrap();
    let catalogs = Catalogs::builtin();
    let index = dir.join("index");
    let opts = WriterOptions {
        threads: 1,
        memory_bytes: 32 << 20,
        rebuild: false,
    };
    let mut writer = Writer::open(&index, &opts, || {}).unwrap();
    let mut ingestor = Ingestor::new(
        &mut writer,
        &catalogs,
        IngestOptions::default(),
        &NoProgress,
    );
    ingestor.ingest_paths(&[log]).unwrap();
    ingestor.finish().unwrap();
    writer.finish().unwrap();
    LocalStore::open(&index, catalogs).unwrap()
}

fn at(hm: &str) -> DateTime<Utc> {
    format!("2026-05-14T{hm}:00Z").parse().unwrap()
}

fn ids(events: &[errtriage::model::Event]) -> Vec<&str> {
    events.iter().map(|e| e.request_id.as_str()).collect()
}

#[test]
fn a_page_at_a_time_holds_both_sides_newest_first_and_points_at_the_nearest() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let all = Query::parse("", Utc::now()).unwrap();
    let page = store
        .search_at(&all, at("10:20") + Duration::seconds(20), 3)
        .unwrap();
    assert_eq!(
        ids(&page.events),
        ["req_23", "req_22", "req_21", "req_20", "req_19", "req_18"]
    );
    assert_eq!(page.nearest, Some(3), "10:20 is 20 s away, 10:21 40 s");
    assert_eq!((page.total, page.newer_left, page.older_left), (62, 38, 18));
    let page = store
        .search_at(&all, at("10:20") + Duration::seconds(40), 3)
        .unwrap();
    assert_eq!(page.nearest, Some(2), "now 10:21 is nearer");
    assert_eq!(page.events[2].request_id, "req_21");

    // The query still narrows: only the 500s (every tenth minute, three at 10:30).
    let errors = Query::parse("status:500", Utc::now()).unwrap();
    let page = store.search_at(&errors, at("10:31"), 2).unwrap();
    assert_eq!(page.events.len(), 4);
    assert_eq!(ids(&page.events)[..2], ["req_50", "req_40"]);
    let nearest = &page.events[page.nearest.unwrap()];
    assert_eq!(nearest.ts, at("10:30"));
    assert_eq!((page.total, page.newer_left, page.older_left), (8, 0, 4));
}

#[test]
fn a_time_past_either_end_lands_on_the_first_or_last_event() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let all = Query::parse("", Utc::now()).unwrap();
    let before = store.search_at(&all, at("08:00"), 2).unwrap();
    assert_eq!(ids(&before.events), ["req_1", "req_0"]);
    assert_eq!(before.nearest, Some(1));
    let after = store.search_at(&all, at("23:00"), 2).unwrap();
    assert_eq!(ids(&after.events), ["req_59", "req_58"]);
    assert_eq!((after.nearest, after.newer_left), (Some(0), 0));
    let none = Query::parse("status:404", Utc::now()).unwrap();
    let empty = store.search_at(&none, at("10:30"), 2).unwrap();
    assert_eq!((empty.nearest, empty.total), (None, 0));
}

#[test]
fn pages_beside_a_time_include_it_and_keep_the_nearest() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path());
    let all = Query::parse("", Utc::now()).unwrap();
    let older = store
        .search_beside(&all, at("10:31"), Side::Older, 4)
        .unwrap();
    assert_eq!(older.events.len(), 4);
    assert_eq!(older.events[0].request_id, "req_31");
    assert!(
        older.events[1..].iter().all(|e| e.ts == at("10:30")),
        "the three at 10:30"
    );
    assert_eq!(
        older.total, 34,
        "req_0 to req_31 and the two extra at 10:30"
    );
    let newer = store
        .search_beside(&all, at("10:57"), Side::Newer, 2)
        .unwrap();
    assert_eq!(ids(&newer.events), ["req_58", "req_57"], "newest first");
    assert_eq!(newer.total, 3);
    // Walking newer page by page from 10:00 meets every event once.
    let mut seen = vec!["req_0".to_string()];
    let mut top = at("10:00");
    loop {
        let page = store.search_beside(&all, top, Side::Newer, 7).unwrap();
        let fresh: Vec<_> = page
            .events
            .iter()
            .rev()
            .filter(|e| !seen.contains(&e.request_id))
            .collect();
        if fresh.is_empty() {
            break;
        }
        seen.extend(fresh.iter().map(|e| e.request_id.clone()));
        top = page.events[0].ts;
    }
    assert_eq!(seen.len(), 62);
}
