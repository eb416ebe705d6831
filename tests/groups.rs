//! Groups that answer "where" (issue 11 item 6): requests, errors and error
//! rate per service/path/client when the query leaves the status open, two
//! dimensions (`--by code,service`), `--sort`, and `chains --sort`. Real files, the real
//! binary, `--json` decoded.

mod common;

use common::{Env, stdout};
use errtriage::query::{GroupBy, GroupsResult};
use serde_json::json;

/// `bookings`: 4 requests, 3 failed (2×429 rate_limited, 1×503); `members`:
/// 4 requests, 1 failed (401 invalid_token); `search`: 1 request, a 401
/// invalid_token, seen last.
fn env() -> Env {
    let env = Env::new();
    let mut n = 0;
    let mut line = |min: u32, service: &str, status: u16, code: Option<&str>| {
        n += 1;
        let mut v = json!({"timestamp": format!("2026-05-14T10:{min:02}:00Z"), "service": service,
            "method": "GET", "path": format!("/v1/{service}"), "status": status,
            "client": "acct_1", "request_id": format!("req_{n}")});
        if let Some(c) = code {
            v["code"] = c.into();
        }
        v.to_string()
    };
    let lines = [
        line(1, "bookings", 200, None),
        line(2, "bookings", 429, Some("rate_limited")),
        line(3, "bookings", 429, Some("rate_limited")),
        line(4, "bookings", 503, None),
        line(5, "members", 200, None),
        line(6, "members", 201, None),
        line(7, "members", 204, None),
        line(8, "members", 401, Some("invalid_token")),
        line(9, "search", 401, Some("invalid_token")),
    ];
    let log = env.write("api.log", lines.join("\n") + "\n");
    env.ingest(&[&log]);
    env
}

fn rows(g: &GroupsResult) -> Vec<(String, u64, Option<u64>, Option<u64>)> {
    g.groups
        .iter()
        .map(|g| (g.key.clone(), g.count, g.requests, g.errors))
        .collect()
}

fn row(
    key: &str,
    count: u64,
    requests: u64,
    errors: u64,
) -> (String, u64, Option<u64>, Option<u64>) {
    (key.into(), count, Some(requests), Some(errors))
}

#[test]
fn where_groups_show_requests_errors_and_rate() {
    let env = env();
    let g: GroupsResult = env.json(&["groups", "--by", "service", "--json"]);
    assert_eq!(g.by, vec![GroupBy::Service]);
    assert_eq!(
        rows(&g),
        vec![
            row("bookings", 4, 4, 3),
            row("members", 4, 4, 1),
            row("search", 1, 1, 1)
        ]
    );
    assert_eq!(g.groups[0].error_rate, Some(0.75));
    assert_eq!(g.groups[1].error_rate, Some(0.25));
    let g: GroupsResult = env.json(&["groups", "--by", "route", "--json"]);
    assert_eq!(
        (g.groups[0].key.as_str(), g.groups[0].error_rate),
        ("/v1/bookings", Some(0.75))
    );
    let raw: serde_json::Value = env.json(&["groups", "--by", "path", "--json"]);
    assert_eq!(raw["by"], "path");
    // Few groups: the answer is exact, and says so.
    assert_eq!(raw["exact"], true);
    assert!(raw.get("count_error_bound").is_none());
    assert_eq!(raw["groups"][0]["requests"], 4);
    assert_eq!(raw["groups"][0]["error_rate"], 0.75);
    // The human table has the columns.
    let out = stdout(&env.run(&["groups", "--by", "service"]));
    let head = out.lines().next().unwrap();
    assert!(
        head.contains("requests") && head.contains("errors") && head.contains("rate"),
        "{out}"
    );
    assert!(out.contains("75.0%"), "{out}");
    // A query on the status makes the rate meaningless: it is left out.
    let g: GroupsResult = env.json(&["groups", "--by", "service", "status:4xx", "--json"]);
    assert_eq!(g.groups[0].count, 2);
    assert!(
        g.groups
            .iter()
            .all(|g| g.error_rate.is_none() && g.requests.is_none())
    );
    let raw: serde_json::Value = env.json(&["groups", "--by", "code", "--json"]);
    assert!(raw["groups"][0].get("error_rate").is_none());
}

#[test]
fn two_dimensions_give_one_row_per_pair() {
    let env = env();
    let raw: serde_json::Value = env.json(&["groups", "--by", "code,service", "--json"]);
    assert_eq!(raw["by"], json!(["code", "service"]));
    let g: GroupsResult = serde_json::from_value(raw).unwrap();
    let pairs: Vec<(Vec<String>, u64)> =
        g.groups.iter().map(|g| (g.keys.clone(), g.count)).collect();
    let p = |a: &str, b: &str, n| (vec![a.to_string(), b.to_string()], n);
    assert_eq!(
        pairs,
        vec![
            p("rate_limited", "bookings", 2),
            p("http_503", "bookings", 1),
            p("invalid_token", "members", 1),
            p("invalid_token", "search", 1),
        ]
    );
    assert_eq!(g.groups[0].key, "rate_limited · bookings");
    assert!(g.groups[0].sample_request_id.starts_with("req_"));
    let out = stdout(&env.run(&["groups", "--by", "code,service"]));
    assert!(
        out.lines()
            .any(|l| l.starts_with("invalid_token") && l.contains("search")),
        "{out}"
    );
    let bad = env.run(&["groups", "--by", "code,nosuch"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn groups_sort_by_count_errors_rate_and_last_seen() {
    let env = env();
    let keys = |sort: &str| -> Vec<String> {
        let g: GroupsResult = env.json(&["groups", "--by", "service", "--sort", sort, "--json"]);
        g.groups.into_iter().map(|g| g.key).collect()
    };
    assert_eq!(keys("count"), ["bookings", "members", "search"]);
    assert_eq!(keys("errors"), ["bookings", "members", "search"]);
    assert_eq!(keys("rate"), ["search", "bookings", "members"]);
    assert_eq!(keys("last_seen"), ["search", "members", "bookings"]);
}

/// `chains --sort findings|newest|oldest`.
#[test]
fn chains_sort_by_findings_newest_and_oldest() {
    let env = Env::new();
    let line = |t: &str, key: &str, status: u16, n: &str| {
        json!({"timestamp": format!("2026-05-14T{t}Z"), "service": "bookings", "method": "POST",
            "path": "/v1/bookings", "status": status, "request_id": format!("req_{n}"),
            "idempotency_key": key})
        .to_string()
    };
    let lines = [
        line("09:00:00", "k-old", 400, "1"),
        line("09:00:10", "k-old", 400, "2"),
        line("09:00:20", "k-old", 400, "3"),
        line("09:30:00", "k-mid", 201, "4"),
        line("09:30:05", "k-mid", 201, "5"),
        line("10:00:00", "k-new", 503, "6"),
        line("10:00:10", "k-new", 201, "7"),
    ];
    let log = env.write("api.log", lines.join("\n") + "\n");
    env.ingest(&[&log]);
    let order = |sort: &str| -> Vec<(String, usize)> {
        let r: errtriage::query::ChainsResult = env.json(&["chains", "--sort", sort, "--json"]);
        r.chains
            .into_iter()
            .map(|c| (c.idempotency_key, c.flags.len()))
            .collect()
    };
    let keys = |v: Vec<(String, usize)>| v.into_iter().map(|(k, _)| k).collect::<Vec<_>>();
    assert_eq!(keys(order("newest")), ["k-new", "k-mid", "k-old"]);
    assert_eq!(keys(order("oldest")), ["k-old", "k-mid", "k-new"]);
    let findings = order("findings");
    assert!(
        findings[0].1 >= 2 && findings[0].0 == "k-old",
        "{findings:?}"
    );
    assert!(
        findings.windows(2).all(|w| w[0].1 >= w[1].1),
        "{findings:?}"
    );
    assert_eq!(findings[2], ("k-new".to_string(), 0));
}

/// More distinct paths than a segment keeps (5,000; 22,000 here, so even
/// split over four indexing threads' segments): the answer says it is
/// approximate, in `--json` and in the table, and the largest group is
/// still on top with its true count.
#[test]
fn more_groups_than_a_segment_keeps_are_marked_approximate() {
    let env = Env::new();
    let mut text = String::new();
    for n in 0..44_000 {
        let path = if n % 2 == 0 {
            "/v1/hot".to_string()
        } else {
            format!("/v1/orders/ord_{n}")
        };
        let v = json!({"timestamp": "2026-05-14T10:00:00Z", "service": "orders",
            "method": "GET", "path": path, "status": 404, "code": "not_found",
            "request_id": format!("req_{n}")});
        text += &(v.to_string() + "\n");
    }
    let log = env.write("many.log", text);
    env.ingest(&[&log]);
    let raw: serde_json::Value = env.json(&["groups", "--by", "path", "-n", "3", "--json"]);
    assert_eq!(raw["exact"], false);
    // Every dropped path had one event: one per segment that cut.
    let bound = raw["count_error_bound"].as_u64().unwrap();
    assert!((1..=4).contains(&bound), "{raw}");
    assert_eq!(raw["groups"][0]["key"], "/v1/hot");
    assert_eq!(raw["groups"][0]["count"], 22_000);
    let out = stdout(&env.run(&["groups", "--by", "path", "-n", "3"]));
    assert!(out.contains("approximate:"), "{out}");
    // A narrow query over the same field is exact again.
    let raw: serde_json::Value =
        env.json(&["groups", "--by", "path", "request_id:req_1", "--json"]);
    assert_eq!(raw["exact"], true);
    assert_eq!(raw["groups"][0]["count"], 1);
}
