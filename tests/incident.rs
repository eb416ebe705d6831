//! From one request to the whole incident: `route`, `impact`, `timeline`
//! and `find --context`, asserted through `--json` against the planned
//! incidents of examples/genlogs/incidents.rs (whose manifest is the
//! truth, computed without errtriage).

mod common;

#[allow(dead_code)]
#[path = "../examples/genlogs/incidents.rs"]
mod incidents;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use common::Env;
use serde_json::Value;

/// The incident corpus, generated and ingested once for all tests here.
fn corpus() -> &'static (Env, Value) {
    static CORPUS: OnceLock<(Env, Value)> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let env = Env::new();
        let logs = env.path("logs");
        std::fs::create_dir_all(&logs).unwrap();
        let manifest = incidents::generate(&logs).expect("generate incidents");
        let summary = env.ingest(&[&logs]);
        assert_eq!(summary["bad_lines"], 0, "{summary}");
        assert_eq!(summary["events"], manifest["lines"]["total"], "{summary}");
        (env, manifest)
    })
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|s| {
            s.as_str()
                .unwrap_or_else(|| panic!("not a string: {s}"))
                .to_string()
        })
        .collect()
}

#[test]
fn impact_gets_each_planned_incident_right() {
    let (env, manifest) = corpus();
    for want in manifest["incidents"].as_array().unwrap() {
        let id = want["request_id"].as_str().unwrap();
        let got: Value = env.json(&["impact", id, "--window", "30m", "--json"]);
        let kind = &want["kind"];
        assert_eq!(got["scope"], want["scope"], "{kind}: {got}");
        assert_eq!(got["verdict"], want["verdict"], "{kind}");
        assert_eq!(got["code"], want["code"], "{kind}");
        assert_eq!(got["route"], want["route"], "{kind}");
        let minute = |v: &Value| v.as_str().unwrap_or("-")[..16].to_string();
        assert_eq!(
            minute(&got["onset"]),
            minute(&want["onset"]),
            "{kind}: onset"
        );
        assert_eq!(strings(&got["routes"]), strings(&want["routes"]), "{kind}");
        assert_eq!(
            strings(&got["services"]),
            strings(&want["services"]),
            "{kind}"
        );
        let clients: BTreeSet<(String, u64, u64)> = got["clients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let (e, r) = (
                    c["errors"].as_u64().unwrap(),
                    c["requests"].as_u64().unwrap(),
                );
                let rate = c["error_rate"].as_f64().unwrap();
                assert!((rate - e as f64 / r as f64).abs() < 1e-9, "{kind}: {c}");
                (c["client"].as_str().unwrap().to_string(), e, r)
            })
            .collect();
        let planned: BTreeSet<(String, u64, u64)> = want["clients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let n = |k: &str| c[k].as_u64().unwrap();
                (
                    c["client"].as_str().unwrap().to_string(),
                    n("errors"),
                    n("requests"),
                )
            })
            .collect();
        assert_eq!(clients, planned, "{kind}: clients");
        // Per minute over the window, against the quiet day before.
        let minutes = got["per_minute"].as_array().unwrap();
        let per: Vec<u64> = minutes
            .iter()
            .map(|m| m["count"].as_u64().unwrap())
            .collect();
        let base: Vec<&Value> = got["baseline_per_minute"]
            .as_array()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(minute(&minutes[0]["ts"]), minute(&got["from"]), "{kind}");
        assert_eq!(
            minute(&minutes[per.len() - 1]["ts"]),
            minute(&got["to"]),
            "{kind}"
        );
        assert_eq!(base.len(), per.len(), "{kind}");
        let errors: u64 = planned.iter().map(|c| c.1).sum();
        assert_eq!(per.iter().sum::<u64>(), errors, "{kind}");
        assert!(
            base.iter().all(|m| m["count"] == 0),
            "{kind}: the baseline day is quiet"
        );
        let day = manifest["baseline_day"].as_str().unwrap();
        assert!(
            base[0]["ts"].as_str().unwrap().starts_with(day),
            "{kind}: {}",
            base[0]
        );
    }
}

#[test]
fn impact_of_a_query_and_of_nothing() {
    let (env, _) = corpus();
    let got: Value = env.json(&["impact", "code:service_unavailable", "--json"]);
    assert_eq!(got["scope"], "service");
    assert_eq!(
        got["verdict"],
        "every client, all routes of 42min-api since 10:30"
    );
    let out = env.run(&["impact", "code:no_such_code", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let human = common::stdout(&env.run(&["impact", "code:RATE_LIMITED"]));
    assert!(
        human.starts_with("only client partner_fitlink\n"),
        "{human}"
    );
}

#[test]
fn timeline_returns_exactly_the_clients_requests_in_the_window() {
    let (env, manifest) = corpus();
    let want = &manifest["timeline"];
    let id = want["request_id"].as_str().unwrap();
    let got: Value = env.json(&["timeline", id, "--window", "10m", "--json"]);
    assert_eq!(got["client"], want["client"]);
    assert_eq!(got["selected"], want["request_id"]);
    let ids: Vec<&str> = got["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["request_id"].as_str().unwrap())
        .collect();
    let planned: Vec<&str> = want["request_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        ids, planned,
        "every request of the client in the window, oldest first"
    );
    let events = got["events"].as_array().unwrap();
    let failed = events
        .iter()
        .filter(|e| e["status"].as_u64() >= Some(400))
        .count();
    let rate = got["error_rate"].as_f64().unwrap();
    assert!(
        (rate - failed as f64 / events.len() as f64).abs() < 1e-9,
        "{rate}"
    );
    assert!(failed > 0 && failed < events.len(), "successes included");
    // The 429s were retried too soon: their chains are flagged.
    let selected = events
        .iter()
        .find(|e| e["request_id"] == want["request_id"])
        .unwrap();
    let key = &selected["idempotency_key"];
    let chain = got["chains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| &c["idempotency_key"] == key)
        .expect("the selected request's chain");
    assert_eq!(chain["flags"], serde_json::json!(["retry_too_soon"]));
    // By client name, around a time: the same lines.
    let around = selected["ts"].as_str().unwrap();
    let by_client: Value = env.json(&[
        "timeline",
        "partner_fitlink",
        "--around",
        around,
        "--window",
        "10m",
        "--json",
    ]);
    assert_eq!(by_client["events"], got["events"]);
    assert_eq!(by_client.get("selected"), None);
}

#[test]
fn find_context_returns_exactly_the_lines_around_on_the_service_or_trace() {
    let (env, manifest) = corpus();
    let want = &manifest["context"];
    let id = want["request_id"].as_str().unwrap();
    let got: Value = env.json(&["find", id, "--context", "2m", "--json"]);
    assert_eq!(
        got["events"][0]["request_id"], want["request_id"],
        "find's shape is kept"
    );
    let place = |e: &Value| {
        let file = e["source"]["file"].as_str().unwrap();
        let rel = file.rsplit_once("/logs/").map_or(file, |(_, r)| r);
        format!("{rel}:{}", e["source"]["line"])
    };
    let lines = got["context"].as_array().expect("a context list");
    let places: Vec<String> = lines.iter().map(place).collect();
    let planned: Vec<String> = want["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(places, planned);
    let marked: Vec<String> = lines
        .iter()
        .filter(|l| l["marker"] == true)
        .map(place)
        .collect();
    assert_eq!(marked, vec![want["marked"].as_str().unwrap().to_string()]);
    assert!(
        lines.iter().any(|l| l["message"]
            .as_str()
            .is_some_and(|m| m.contains("pool 48/48 busy"))
            && l["status"].is_null()),
        "the application line without a status is there"
    );
    // Human: grep -C style, the found line marked.
    let human = common::stdout(&env.run(&["find", id, "--context", "2m"]));
    let marked_line = human
        .lines()
        .find(|l| l.starts_with('▶'))
        .expect("a marked line");
    assert!(marked_line.contains(id), "{marked_line}");
    assert!(human.contains("pool 48/48 busy"), "{human}");
    // Without --context, find's JSON has no context key.
    let plain: Value = env.json(&["find", id, "--json"]);
    assert_eq!(plain.get("context"), None);
}

#[test]
fn routes_group_and_query() {
    let (env, _) = corpus();
    let got: Value = env.json(&["groups", "--by", "route", "--json"]);
    let keys = strings(&Value::Array(
        got["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["key"].clone())
            .collect(),
    ));
    let want: BTreeSet<String> = [
        "/v2/sessions",
        "/v2/sessions/{id}/bookings",
        "/v2/bookings/{id}",
        "/v1/bookings",
        "/v1/event-types/{id}",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(keys, want, "one group per endpoint, not per id");
    let found: Value = env.json(&[
        "search",
        "route:\"/v2/sessions/{id}/bookings\" status:504",
        "--limit",
        "1000",
        "--json",
    ]);
    assert_eq!(found["total"], 60, "12 minutes × 5 clients");
    let e = &found["events"][0];
    assert_eq!(e["route"], "/v2/sessions/{id}/bookings");
    assert!(e["path"].as_str().unwrap().starts_with("/v2/sessions/ses_"));
}

#[test]
fn a_catalog_route_template_wins_over_the_heuristic() {
    let env = Env::new();
    let line = |path: &str, id: &str| {
        format!(
            r#"{{"timestamp":"2026-05-14T10:00:00Z","service":"acme","method":"GET","path":"{path}","status":404,"request_id":"{id}"}}"#
        )
    };
    let logs = env.write(
        "logs/a.log",
        [
            line("/v1/users/alice/keys", "req_A1"),
            line("/v1/users/bob/keys", "req_B2"),
            line("/v1/orders/12345", "req_C3"),
        ]
        .join("\n"),
    );
    let catalog = env.write(
        "acme.toml",
        "[api]\nname = \"acme\"\nservices = [\"acme\"]\nroutes = [\"/v1/users/{user}/keys\"]\n",
    );
    let route = |args: &[&str], id: &str| -> Value {
        let mut a = args.to_vec();
        a.extend(["find", id, "--json"]);
        env.json::<Value>(&a)["events"][0]["route"].clone()
    };
    let cat = catalog.to_str().unwrap();
    env.json::<Value>(&["--catalog", cat, "ingest", "--json", logs.to_str().unwrap()]);
    assert_eq!(
        route(&["--catalog", cat], "req_A1"),
        "/v1/users/{user}/keys"
    );
    assert_eq!(route(&["--catalog", cat], "req_C3"), "/v1/orders/{id}");
    // Without the catalog, `alice` is a word: the heuristic keeps it.
    assert_eq!(route(&[], "req_A1"), "/v1/users/alice/keys");
    let groups: Value = env.json(&["--catalog", cat, "groups", "--by", "route", "--json"]);
    let keys: Vec<&Value> = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["key"])
        .collect();
    assert_eq!(
        keys,
        ["/v1/users/{user}/keys", "/v1/orders/{id}"],
        "indexed with the template"
    );
    let human = common::stdout(&env.run(&["--catalog", cat, "find", "req_A1"]));
    let row = human
        .lines()
        .find(|l| l.trim_start().starts_with("route"))
        .unwrap_or("");
    assert!(
        row.contains("/v1/users/{user}/keys"),
        "the route beside the path: {human}"
    );
}

/// `impact` on a request that logs no client never says "only this
/// client": with no client named on any failure, it says where they hit.
#[test]
fn impact_of_an_event_without_a_client_says_where_not_only_this_client() {
    let env = Env::new();
    let line = |t: &str, rid: &str, client: Option<&str>| {
        let mut v = serde_json::json!({
            "timestamp": format!("2026-05-14T10:{t}Z"), "service": "member-api",
            "method": "POST", "path": "/v2/sessions/ses_Ab12Cd34/bookings",
            "status": 504, "request_id": rid,
            "response": {"error": {"code": "UPSTREAM_TIMEOUT", "message": "timeout"}},
        });
        if let Some(c) = client {
            v["client_id"] = c.into();
        }
        v.to_string() + "\n"
    };
    let text = [
        line("00:00", "req_NOCLIENT1", None),
        line("00:30", "req_NOCLIENT2", None),
        line("01:00", "req_NOCLIENT3", None),
    ]
    .concat();
    let log = env.write("logs/gw.log", text);
    env.ingest(&[&log]);
    let got: Value = env.json(&["impact", "req_NOCLIENT2", "--json"]);
    assert_ne!(got["scope"], "client", "{got}");
    let verdict = got["verdict"].as_str().unwrap();
    assert!(!verdict.contains("only this client"), "{verdict}");
    assert_eq!(got["scope"], "route", "{got}");
    assert!(
        verdict.starts_with(
            "no client is logged on these failures; they hit POST /v2/sessions/{id}/bookings"
        ),
        "{verdict}"
    );

    // One other client is hit beside this client-less request: that
    // client is named, and this request is not taken for it.
    let more = line("01:30", "req_WITHCLIENT", Some("partner_acme"));
    let log2 = env.write("logs/gw2.log", more);
    env.ingest(&[&log2]);
    let got: Value = env.json(&["impact", "req_NOCLIENT2", "--json"]);
    assert_eq!(got["scope"], "client", "{got}");
    assert_eq!(
        got["verdict"],
        "only client partner_acme; this request names no client"
    );
}

/// The lines of [`edges_corpus`]: a request `req_R` logged twice (its 504
/// at 10:00:00 and its app line at 10:00:05) among lines placed on the
/// edges of ±2 min around it; the `want` ones are within, the others not.
const EDGE_LINES: [(&str, &str, &str, bool); 9] = [
    ("09:57:59.999", "req_early_out", "svc", false),
    ("09:58:00.000", "req_early_in", "svc", true),
    ("10:00:00.000", "req_R", "svc", true),
    ("10:00:05.000", "req_R", "svc", true),
    ("10:00:10.000", "req_other_service", "elsewhere", false),
    ("10:02:00.000", "req_late_in", "svc", true),
    // Beyond 2 min of the 504, within 2 min of its app line.
    ("10:02:03.000", "req_after_app_line", "svc", true),
    ("10:02:05.000", "req_last_in", "svc", true),
    ("10:02:05.001", "req_last_out", "svc", false),
];

fn edges_corpus() -> String {
    let mut text = String::new();
    for (i, (time, rid, service, _)) in EDGE_LINES.iter().enumerate() {
        let ts = format!("2026-05-14T{time}Z");
        let line = if i == 3 {
            serde_json::json!({"timestamp": ts, "service": service, "request_id": rid,
                "level": "error", "message": "pool 48/48 busy"})
        } else {
            let status = if *rid == "req_R" { 504 } else { 200 };
            serde_json::json!({"timestamp": ts, "service": service, "method": "GET",
                "path": "/v1/things", "status": status, "request_id": rid})
        };
        text.push_str(&line.to_string());
        text.push('\n');
    }
    text
}

/// `find --context 2m` reaches from 2 min before the request's first line
/// to 2 min after its last, both edges included, on the same service.
#[test]
fn find_context_includes_both_edges_and_spans_every_line_of_the_request() {
    let env = Env::new();
    let logs = env.write("edges.jsonl", edges_corpus());
    env.ingest(&[&logs]);
    let got: Value = env.json(&["find", "req_R", "--context", "2m", "--json"]);
    let lines = got["context"].as_array().expect("a context list");
    let seen: Vec<(String, bool)> = lines
        .iter()
        .map(|l| {
            let ts = l["ts"].as_str().unwrap();
            (
                format!("{} {}", &ts[11..23], l["request_id"].as_str().unwrap()),
                l["marker"] == true,
            )
        })
        .collect();
    let want: Vec<(String, bool)> = EDGE_LINES
        .iter()
        .filter(|l| l.3)
        .map(|(t, rid, _, _)| (format!("{t} {rid}"), *rid == "req_R"))
        .collect();
    assert_eq!(seen, want);
}
