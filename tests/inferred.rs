//! Honest time (issue 10 item 3): a line without a readable time keeps an
//! inferred time for ordering, but is marked — `ts_inferred` in `--json`, `~`
//! in human output, a count in the ingest summary — and an mtime never
//! poses as a real first/last seen in `stats` or `groups`.

mod common;

use std::time::{Duration, SystemTime};

use common::{Env, stderr, stdout};
use errtriage::query::{GroupsResult, SearchResult, Stats};
use serde_json::json;

fn line(ts: Option<&str>, rid: &str) -> String {
    let mut v =
        json!({"service": "bookings", "status": 503, "code": "upstream_down", "request_id": rid});
    if let Some(ts) = ts {
        v["timestamp"] = ts.into();
    }
    v.to_string()
}

/// `a.log`: a timed line, an untimed one (takes the previous time), a timed
/// one. `b.log` starts untimed: it takes the file's mtime, set far ahead.
fn env() -> (Env, serde_json::Value) {
    let env = Env::new();
    let a = [
        line(Some("2026-05-14T10:00:00Z"), "req_t1"),
        line(None, "req_guess1"),
        line(Some("2026-05-14T10:05:00Z"), "req_t2"),
    ];
    env.write("logs/a.log", a.join("\n") + "\n");
    let b = env.write("logs/b.log", line(None, "req_guess2") + "\n");
    let future = SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000); // 2030
    std::fs::File::options()
        .append(true)
        .open(&b)
        .unwrap()
        .set_modified(future)
        .unwrap();
    let summary = env.ingest(&[&env.path("logs")]);
    (env, summary)
}

#[test]
fn inferred_times_are_marked_and_counted() {
    let (env, summary) = env();
    assert_eq!(summary["events"], 4);
    assert_eq!(summary["inferred_ts"], 2);
    let s: SearchResult = env.json(&["search", "--json"]);
    let mut marks: Vec<(String, bool)> = s
        .events
        .iter()
        .map(|e| (e.request_id.clone(), e.ts_inferred))
        .collect();
    marks.sort();
    let want = [
        ("req_guess1", true),
        ("req_guess2", true),
        ("req_t1", false),
        ("req_t2", false),
    ];
    assert_eq!(marks, want.map(|(r, b)| (r.to_string(), b)));
    // Always present as a bool in --json.
    let raw: serde_json::Value = env.json(&["search", "req_t1", "--json"]);
    assert_eq!(raw["events"][0]["ts_inferred"], false);
    // The previous line's time, marked as inferred.
    let guess = s
        .events
        .iter()
        .find(|e| e.request_id == "req_guess1")
        .unwrap();
    assert_eq!(guess.ts.to_rfc3339(), "2026-05-14T10:00:00+00:00");
    // Queryable.
    let q: SearchResult = env.json(&["search", "ts_inferred:true", "--json"]);
    assert_eq!(q.total, 2);

    let out = env.run(&["search", "req_guess1"]);
    assert!(
        stdout(&out).starts_with("~2026-05-14T10:00:00.000Z"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("~ time inferred"), "{}", stderr(&out));
    let out = env.run(&["find", "req_guess1"]);
    assert!(stdout(&out).contains("time inferred"), "{}", stdout(&out));
    let out = env.run(&[
        "ingest",
        &env.path("logs").display().to_string(),
        "--rebuild",
    ]);
    assert!(
        stdout(&out).contains("2 line(s) had no usable time"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_mtime_never_poses_as_first_or_last_seen() {
    let (env, _) = env();
    let stats: Stats = env.json(&["stats", "--json"]);
    assert_eq!(stats.first_ts.as_deref(), Some("2026-05-14T10:00:00.000Z"));
    assert_eq!(stats.last_ts.as_deref(), Some("2026-05-14T10:05:00.000Z"));
    let g: GroupsResult = env.json(&["groups", "--json"]);
    let top = &g.groups[0];
    assert_eq!(
        (top.key.as_str(), top.count, top.inferred_ts),
        ("upstream_down", 4, 2)
    );
    assert_eq!(top.last_seen.to_rfc3339(), "2026-05-14T10:05:00+00:00");
}
