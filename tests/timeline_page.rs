//! `timeline` on a busy client: the window is counted whole (`total`,
//! `requests`, `errors`, the error rate) but only the 200 events nearest the
//! moment are returned, `truncated` saying so — asserted through `--json`
//! and the human summary on a corpus whose every line is known.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::Env;
use serde_json::Value;

/// Requests of the busy client, one every 2 s from 10:00.
const REQUESTS: usize = 450;
/// Every 5th request failed (a 500).
const EVERY_FAILED: usize = 5;
/// Application lines of the same client (no status), early in the window.
const APP_LINES: [usize; 5] = [10, 20, 30, 40, 50];

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 14, 10, 0, 0).unwrap()
}

fn at(i: usize) -> DateTime<Utc> {
    start() + Duration::seconds(2 * i as i64)
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn id(i: usize) -> String {
    format!("req_busy_{i:04}")
}

/// The busy client's lines, another client's (never in its timeline), and
/// the busy client's application lines one second after a request.
fn corpus() -> Env {
    let env = Env::new();
    let mut lines = Vec::new();
    for i in 0..REQUESTS {
        let status = if i % EVERY_FAILED == 0 { 500 } else { 200 };
        lines.push(format!(
            r#"{{"ts":"{}","request_id":"{}","client_id":"acct_busy","service":"shop","method":"GET","path":"/v1/items/{i}","status":{status}}}"#,
            stamp(at(i)),
            id(i)
        ));
        lines.push(format!(
            r#"{{"ts":"{}","request_id":"req_other_{i:04}","client_id":"acct_other","service":"shop","method":"GET","path":"/v1/items","status":503}}"#,
            stamp(at(i))
        ));
        if APP_LINES.contains(&i) {
            lines.push(format!(
                r#"{{"ts":"{}","client_id":"acct_busy","service":"shop","message":"cache refill {i}"}}"#,
                stamp(at(i) + Duration::seconds(1))
            ));
        }
    }
    let file = env.write("logs/shop.json", lines.join("\n") + "\n");
    env.ingest(&[&file]);
    env
}

fn ids(t: &Value) -> Vec<String> {
    t["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["request_id"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_busy_clients_timeline_is_counted_whole_and_shows_the_200_nearest() {
    let env = corpus();
    let selected = id(300);
    let t: Value = env.json(&["timeline", &selected, "--json"]);
    let total = REQUESTS + APP_LINES.len();
    let errors = REQUESTS / EVERY_FAILED;
    assert_eq!(
        t["total"], total,
        "every event of the window, app lines too"
    );
    assert_eq!(t["requests"], REQUESTS);
    assert_eq!(t["errors"], errors);
    let rate = t["error_rate"].as_f64().unwrap();
    assert!(
        (rate - errors as f64 / REQUESTS as f64).abs() < 1e-9,
        "{rate}"
    );
    assert_eq!(t["truncated"], true);
    // 100 before the moment, 100 from it on: requests 200..400.
    let want: Vec<String> = (200..400).map(id).collect();
    assert_eq!(ids(&t), want);
    assert_eq!(t["selected"], selected.as_str());
    // By client at the same moment: the same page.
    let by_client: Value = env.json(&[
        "timeline",
        "acct_busy",
        "--around",
        &stamp(at(300)),
        "--json",
    ]);
    assert_eq!(by_client["events"], t["events"]);
    assert_eq!(by_client["total"], total);
}

#[test]
fn near_the_windows_edge_the_page_fills_from_the_other_side() {
    let env = corpus();
    // At the first request: nothing before it, so the 200 after it (the
    // five app lines among them).
    let first: Value = env.json(&["timeline", &id(0), "--json"]);
    let got = ids(&first);
    assert_eq!(got.len(), 200);
    assert_eq!(got[0], id(0));
    let app = got.iter().filter(|i| i.is_empty()).count();
    assert_eq!(app, APP_LINES.len(), "app lines are in the timeline");
    assert_eq!(got.last().unwrap(), &id(200 - 1 - APP_LINES.len()));
    // At the last request: the 199 before it and itself.
    let last: Value = env.json(&["timeline", &id(REQUESTS - 1), "--json"]);
    let want: Vec<String> = (REQUESTS - 200..REQUESTS).map(id).collect();
    assert_eq!(ids(&last), want);
    assert_eq!(last["truncated"], true);
}

#[test]
fn a_window_that_fits_is_whole_and_not_truncated() {
    let env = corpus();
    // ±30 s around request 300: requests 285..315 (the end excluded).
    let t: Value = env.json(&["timeline", &id(300), "--window", "30s", "--json"]);
    let want: Vec<String> = (285..315).map(id).collect();
    assert_eq!(ids(&t), want);
    assert_eq!(t["total"], want.len());
    assert_eq!(t["truncated"], false);
    // The human summary counts the window, and says when a page is shown.
    let out = env.run(&["timeline", &id(300)]);
    let summary = common::stderr(&out);
    assert!(
        summary.contains("455 event(s) of acct_busy")
            && summary.contains("(the 200 nearest the moment shown)")
            && summary.contains("error rate 20.0% (90 of 450 requests)"),
        "{summary}"
    );
}
