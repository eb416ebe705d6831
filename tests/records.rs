//! Lines that hold several events (DESIGN "Log formats": "which nested list
//! holds several events"): an OTLP/JSON export and CloudWatch Logs
//! subscription data are one event per record, each with its own time, ids,
//! status and raw record, found by `find` and `search` and counted by
//! `ingest` and `explain`. Lines written after the OTLP specification's
//! logs example and the CloudWatch Logs subscription filter documentation.

mod common;

use common::Env;
use errtriage::model::Event;
use errtriage::normalize::explain::Explainer;
use errtriage::query::{FindResult, SearchResult};
use serde_json::{Value, json};

/// Two resources (two services), the first with two scopes; four records.
const OTLP: &str = r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"bookings"}},{"key":"service.namespace","value":{"stringValue":"prod"}}]},"scopeLogs":[{"scope":{"name":"bookings.http","version":"1.0.0"},"logRecords":[{"timeUnixNano":"1778752800123000000","observedTimeUnixNano":"1778752800200000000","severityNumber":17,"severityText":"ERROR","traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","body":{"stringValue":"slot already taken"},"attributes":[{"key":"http.request.method","value":{"stringValue":"POST"}},{"key":"url.path","value":{"stringValue":"/v1/bookings"}},{"key":"http.response.status_code","value":{"intValue":"409"}},{"key":"http.request.header.x-request-id","value":{"arrayValue":{"values":[{"stringValue":"req_otlp_1"}]}}}]},{"timeUnixNano":"1778752801456000000","severityNumber":9,"severityText":"INFO","traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","body":{"stringValue":"booking created"},"attributes":[{"key":"http.request.method","value":{"stringValue":"POST"}},{"key":"url.path","value":{"stringValue":"/v1/bookings"}},{"key":"http.response.status_code","value":{"intValue":201}},{"key":"request_id","value":{"stringValue":"req_otlp_2"}}]}]},{"scope":{"name":"bookings.db"},"logRecords":[{"timeUnixNano":"0","observedTimeUnixNano":"1778752802000000000","severityText":"WARN","body":{"stringValue":"lock wait"},"attributes":[{"key":"request_id","value":{"stringValue":"req_otlp_3"}}]}]}]},{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"payments"}}]},"scopeLogs":[{"scope":{"name":"payments"},"logRecords":[{"timeUnixNano":"1778752803000000000","traceId":"4bf92f3577b34da6a3ce929d0e0e4736","body":{"stringValue":"card declined"},"attributes":[{"key":"http.response.status_code","value":{"intValue":"402"}},{"key":"error.type","value":{"stringValue":"card_declined"}},{"key":"request_id","value":{"stringValue":"req_otlp_4"}}]}]}]}]}"#;

/// A subscription filter's data: each message the application's own line.
const CLOUDWATCH: &str = r#"{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/ecs/bookings-api","logStream":"ecs/api/7f3a","subscriptionFilters":["to-firehose"],"logEvents":[{"id":"31953106606966983378809025079804211143289615424298221568","timestamp":1778752800123,"message":"{\"level\":50,\"time\":1778752800100,\"pid\":7,\"hostname\":\"api-1\",\"reqId\":\"req_cw_1\",\"res\":{\"statusCode\":503},\"responseTime\":46,\"msg\":\"upstream timeout\"}"},{"id":"31953106606966983378809025079804211143289615424298221569","timestamp":1778752801000,"message":"{\"requestId\":\"req_cw_2\",\"status\":429,\"error\":{\"code\":\"RATE_LIMITED\",\"message\":\"slow down\"}}"},{"id":"31953106606966983378809025079804211143289615424298221570","timestamp":1778752802500,"message":"[ERROR] plain text from the task"}]}"#;

fn ingest(env: &Env, name: &str, lines: &[&str]) -> Value {
    let f = env.write(name, lines.join("\n") + "\n");
    env.ingest(&[&f])
}

fn find(env: &Env, id: &str) -> Event {
    let r: FindResult = env.json(&["find", id, "--json"]);
    assert_eq!(r.events.len(), 1, "{id}: {:?}", r.events);
    r.events.into_iter().next().unwrap()
}

/// Assert the listed fields of an event as `--json` writes them.
fn assert_fields(e: &Event, want: Value) {
    let got = serde_json::to_value(e).unwrap();
    for (k, v) in want.as_object().unwrap() {
        assert_eq!(&got[k], v, "field {k} of {got}");
    }
}

#[test]
fn otlp_export_is_one_event_per_log_record_with_its_resource() {
    let env = Env::new();
    let summary = ingest(&env, "otel/logs.jsonl", &[OTLP]);
    assert_eq!(summary["lines"], 1, "{summary}");
    assert_eq!(summary["events"], 4, "{summary}");
    // Record 3's time is unset ("0"): its observed time, not the epoch.
    assert_eq!(summary["inferred_ts"], 0, "{summary}");
    let e = find(&env, "req_otlp_1");
    assert_fields(
        &e,
        json!({"format": "otlp", "ts": "2026-05-14T10:00:00.123Z", "status": 409,
            "code": "http_409", "request_id": "req_otlp_1", "service": "bookings",
            "method": "POST", "path": "/v1/bookings", "route": "/v1/bookings",
            "trace_id": "5b8efff798038103d269b633813fc60c",
            "message": "slot already taken", "ts_inferred": false,
            "source": {"file": e.source.file.clone(), "line": 1, "offset": 0}}),
    );
    // Its raw is the record with its resource and scope, not the others.
    assert!(e.raw.contains("req_otlp_1") && e.raw.contains("bookings.http"));
    assert!(!e.raw.contains("req_otlp_2") && !e.raw.contains("payments"));
    let e = find(&env, "req_otlp_2");
    assert_fields(
        &e,
        json!({"format": "otlp", "ts": "2026-05-14T10:00:01.456Z", "status": 201,
            "code": null, "service": "bookings", "method": "POST",
            "trace_id": "0af7651916cd43dd8448eb211c80319c", "message": "booking created"}),
    );
    let e = find(&env, "req_otlp_3");
    assert_fields(
        &e,
        json!({"format": "otlp", "ts": "2026-05-14T10:00:02.000Z", "ts_inferred": false,
            "service": "bookings", "status": null, "message": "lock wait"}),
    );
    let e = find(&env, "req_otlp_4");
    assert_fields(
        &e,
        json!({"format": "otlp", "ts": "2026-05-14T10:00:03.000Z", "status": 402,
            "code": "card_declined", "service": "payments",
            "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "message": "card declined"}),
    );
    assert_eq!(e.raw.matches("logRecords").count(), 1, "{}", e.raw);
    // Each record is its own event for search and for the trace id.
    let r: SearchResult = env.json(&["search", "service:bookings", "--json"]);
    assert_eq!(r.total, 3);
    let r: FindResult = env.json(&["find", "4bf92f3577b34da6a3ce929d0e0e4736", "--json"]);
    assert_eq!(r.events.len(), 1);
    assert_eq!(r.events[0].request_id, "req_otlp_4");
}

#[test]
fn cloudwatch_subscription_is_one_event_per_log_event_read_by_its_own_format() {
    let env = Env::new();
    let summary = ingest(&env, "cw/batch.json", &[CLOUDWATCH, CLOUDWATCH]);
    // The same batch twice (a redelivery): two lines, six events.
    assert_eq!(
        (summary["lines"].as_u64(), summary["events"].as_u64()),
        (Some(2), Some(6))
    );
    let r: FindResult = env.json(&["find", "req_cw_1", "--json"]);
    assert_eq!(r.events.len(), 2);
    let lines: Vec<u64> = r.events.iter().map(|e| e.source.line).collect();
    assert_eq!(lines, [1, 2]);
    assert_fields(
        &r.events[0],
        json!({"format": "pino", "ts": "2026-05-14T10:00:00.100Z", "status": 503,
            "code": "http_503", "request_id": "req_cw_1", "latency_ms": 46.0,
            "service": "/ecs/bookings-api", "message": "upstream timeout",
            "source": {"file": r.events[0].source.file.clone(), "line": 1, "offset": 0}}),
    );
    assert!(
        r.events[0]
            .raw
            .contains("\"logGroup\":\"/ecs/bookings-api\"")
    );
    assert!(!r.events[0].raw.contains("req_cw_2"), "{}", r.events[0].raw);
    assert_eq!(r.events[1].source.offset, CLOUDWATCH.len() as u64 + 1);
    let r: FindResult = env.json(&["find", "req_cw_2", "--json"]);
    assert_fields(
        &r.events[0],
        json!({"format": "cloudwatch-subscription", "ts": "2026-05-14T10:00:01.000Z",
            "status": 429, "code": "RATE_LIMITED", "request_id": "req_cw_2",
            "service": "/ecs/bookings-api", "message": "slow down"}),
    );
    let r: SearchResult = env.json(&["search", "\"plain text from the task\"", "--json"]);
    assert_eq!(r.total, 2);
    assert_fields(
        &r.events[0],
        json!({"format": "cloudwatch-subscription", "ts": "2026-05-14T10:00:02.500Z",
            "status": null, "request_id": "", "message": "[ERROR] plain text from the task"}),
    );
}

#[test]
fn reingesting_a_many_event_file_adds_nothing_and_a_new_line_adds_its_events() {
    let env = Env::new();
    let f = env.write("otel/a.jsonl", format!("{OTLP}\n"));
    assert_eq!(env.ingest(&[&f])["events"], 4);
    assert_eq!(env.ingest(&[&f])["events"], 0);
    std::fs::write(&f, format!("{OTLP}\n{CLOUDWATCH}\n")).unwrap();
    let s = env.ingest(&[&f]);
    assert_eq!(
        (s["lines"].as_u64(), s["events"].as_u64()),
        (Some(1), Some(3))
    );
    let r: SearchResult = env.json(&["search", "format:otlp OR format:pino", "--json"]);
    assert_eq!(r.total, 5);
}

#[test]
fn explain_counts_each_record() {
    let formats = errtriage::normalize::Formats::builtin();
    let mut x = Explainer::new(&formats, "otel.jsonl");
    x.line(OTLP);
    let r = x.finish();
    assert_eq!(r.lines, 4, "{r:#?}");
    assert_eq!(r.format.as_deref(), Some("otlp"), "{r:#?}");
    assert_eq!(r.unclaimed_lines, 0);
    let share = |f: &str| r.fields.get(f).map(|c| c.share);
    assert_eq!(share("status"), Some(0.75), "{r:#?}");
    assert_eq!(share("ts"), Some(1.0), "{r:#?}");
    assert_eq!(share("service"), Some(1.0), "{r:#?}");
    assert_eq!(share("request_id"), Some(1.0), "{r:#?}");
    // The time came from the record's own key.
    assert!(
        r.fields["ts"].keys.iter().any(|k| k == "timeUnixNano"),
        "{r:#?}"
    );
}

#[test]
fn format_is_searchable_groupable_and_shown_by_find() {
    let env = Env::new();
    let envoy = r#"{"start_time":"2026-05-14T10:00:02.000Z","method":"GET","path":"/v1/slots","response_code":503,"duration":7,"x_request_id":"req_envoy_1","authority":"slots.internal"}"#;
    let generic = r#"{"ts":"2026-05-14T10:00:05Z","status":500,"request_id":"req_plain_1"}"#;
    ingest(&env, "mixed.log", &[envoy, CLOUDWATCH, generic]);
    let r: SearchResult = env.json(&["search", "format:envoy", "--json"]);
    assert_eq!(r.total, 1);
    assert_eq!(r.events[0].request_id, "req_envoy_1");
    // The generic probe's lines have no format.
    let r: SearchResult = env.json(&["search", "NOT format:*", "--json"]);
    let ids: Vec<&str> = r.events.iter().map(|e| e.request_id.as_str()).collect();
    assert_eq!(ids, ["req_plain_1"]);
    let g: Value = env.json(&["groups", "--by", "format", "--json"]);
    let mut counts: Vec<(String, u64)> = g["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].as_str().unwrap().to_owned(),
                g["count"].as_u64().unwrap(),
            )
        })
        .collect();
    counts.sort();
    let want = [("cloudwatch-subscription", 2), ("envoy", 1), ("pino", 1)];
    let want: Vec<(String, u64)> = want.iter().map(|(k, n)| (k.to_string(), *n)).collect();
    assert_eq!(counts, want, "{g}");
    let out = common::stdout(&env.run(&["find", "req_envoy_1"]));
    assert!(
        out.lines()
            .any(|l| l.contains("format") && l.contains("envoy")),
        "{out}"
    );
}
