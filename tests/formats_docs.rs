//! What a check on real published lines found read wrong, each fixed and
//! tested here on lines written from the format's own documentation (the
//! published lines themselves stay out of the project): every field of
//! each event asserted from the CLI's `--json`.

mod common;

use common::{Env, stderr, stdout};
use errtriage::normalize::explain::Explain;
use serde_json::{Value, json};

/// The Event fields a test pins: those not listed in `want` must be absent.
const PINNED: [&str; 13] = [
    "ts",
    "request_id",
    "trace_id",
    "service",
    "method",
    "path",
    "status",
    "code",
    "message",
    "idempotency_key",
    "latency_ms",
    "client",
    "format",
];

/// Every pinned field of `got` (an Event from `--json`) is as in `want`, and
/// the time was read from the line.
fn assert_event(got: &Value, want: Value) {
    let want = want.as_object().unwrap();
    for k in PINNED {
        let (w, g) = (want.get(k).unwrap_or(&Value::Null), &got[k]);
        match (w, g) {
            (Value::Number(a), Value::Number(b)) => {
                let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
                assert!((a - b).abs() < 1e-6, "{k}: want {a}, got {b} in {got}");
            }
            // An empty request id is written as "" in `--json`.
            (Value::Null, Value::String(s)) if k == "request_id" => assert!(s.is_empty(), "{got}"),
            _ => assert_eq!(g, w, "field {k} of {got}"),
        }
    }
    assert_eq!(got["ts_inferred"], json!(false), "{got}");
}

/// The events `search QUERY --json` returns, oldest first.
fn search(env: &Env, query: &str) -> Vec<Value> {
    let v: Value = env.json_any(&["search", query, "--json", "--limit", "100"]);
    let mut events = v["events"].as_array().cloned().unwrap_or_default();
    events.sort_by_key(|e| e["ts"].as_str().unwrap_or_default().to_owned());
    events
}

fn one(env: &Env, query: &str) -> Value {
    let events = search(env, query);
    assert_eq!(events.len(), 1, "{query}: {events:?}");
    events.into_iter().next().unwrap()
}

/// Traefik's docs: every field but the status may be left out of a line,
/// and services and routers are `name@provider`; `Duration` is ns.
#[test]
fn traefik_lines_without_a_method_read_and_services_lose_their_provider() {
    let env = Env::new();
    let f = env.write(
        "traefik.log",
        concat!(
            r#"{"ClientHost":"192.0.2.10","DownstreamStatus":502,"Duration":1500000,"RouterName":"calendarpipe-router@docker","ServiceName":"calendarpipe@docker","StartUTC":"2026-05-14T10:00:00.25Z","level":"info","msg":""}"#,
            "\n",
            r#"{"ClientHost":"192.0.2.11","DownstreamStatus":200,"RequestMethod":"GET","RequestPath":"/v1/slots?day=1","RouterName":"availengine@kubernetescrd","StartUTC":"2026-05-14T10:00:01Z","Duration":46123456,"request_X-Request-Id":"tr-doc-1"}"#,
            "\n"
        ),
    );
    env.ingest(&[&f]);
    assert_event(
        &one(&env, "status:502"),
        json!({"ts": "2026-05-14T10:00:00.250Z", "service": "calendarpipe", "status": 502,
               "code": "http_502", "latency_ms": 1.5, "format": "traefik"}),
    );
    assert_event(
        &one(&env, "tr-doc-1"),
        json!({"ts": "2026-05-14T10:00:01.000Z", "request_id": "tr-doc-1", "service": "availengine",
               "method": "GET", "path": "/v1/slots", "status": 200, "latency_ms": 46.123456,
               "format": "traefik"}),
    );
}

/// DESIGN: a per-request correlation id is the request id when nothing more
/// specific names the request — as a body key or an `X-Correlation-ID`.
#[test]
fn correlation_ids_are_request_ids_of_last_resort() {
    let env = Env::new();
    let f = env.write(
        "app.log",
        concat!(
            r#"{"level":30,"time":1778752800123,"msg":"request completed","correlationId":"corr-7f3a","res":{"statusCode":200},"responseTime":4}"#,
            "\n",
            r#"{"ts":"2026-05-14T10:00:01Z","status":503,"response_headers":{"X-Correlation-ID":"corr-hdr-2"}}"#,
            "\n",
            r#"{"ts":"2026-05-14T10:00:02Z","status":409,"request_id":"req-own-3","correlation_id":"corr-chain-3"}"#,
            "\n"
        ),
    );
    env.ingest(&[&f]);
    assert_event(
        &one(&env, "corr-7f3a"),
        json!({"ts": "2026-05-14T10:00:00.123Z", "request_id": "corr-7f3a", "status": 200,
               "message": "request completed", "latency_ms": 4.0, "format": "pino"}),
    );
    assert_event(
        &one(&env, "corr-hdr-2"),
        json!({"ts": "2026-05-14T10:00:01.000Z", "request_id": "corr-hdr-2", "status": 503,
               "code": "http_503"}),
    );
    let own = one(&env, "status:409");
    assert_event(
        &own,
        json!({"ts": "2026-05-14T10:00:02.000Z", "request_id": "req-own-3", "status": 409,
               "code": "http_409"}),
    );
}

/// Microsoft.Extensions.Logging: scopes merged into one object (as
/// dotnet-monitor streams them) or flattened onto the line.
#[test]
fn dotnet_scopes_as_one_object_or_flattened_give_the_request_id() {
    let env = Env::new();
    let f = env.write(
        "dotnet.log",
        concat!(
            r#"{"Timestamp":"2026-05-14T10:00:00.5Z","EventId":1,"LogLevel":"Information","Category":"Microsoft.AspNetCore.Hosting.Diagnostics","Message":"Request starting HTTP/1.1 GET http://localhost:5000/api/orders","Scopes":{"RequestId":"0HMAB1CD2EF3G:00000004","RequestPath":"/api/orders","TraceId":"4bf92f3577b34da6a3ce929d0e0e4736"}}"#,
            "\n",
            r#"{"Timestamp":"2026-05-14T10:00:01Z","EventId":2,"LogLevel":"Information","Category":"Microsoft.AspNetCore.Hosting.Diagnostics","Message":"Request finished HTTP/1.1 GET http://localhost:5000/api/orders - 500","StatusCode":500,"ConnectionId":"0HMAB1CD2EF3H","RequestId":"0HMAB1CD2EF3H:00000001","RequestPath":"/api/orders"}"#,
            "\n"
        ),
    );
    env.ingest(&[&f]);
    assert_event(
        &one(&env, "0HMAB1CD2EF3G:00000004"),
        json!({"ts": "2026-05-14T10:00:00.500Z", "request_id": "0HMAB1CD2EF3G:00000004",
               "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "path": "/api/orders",
               "message": "Request starting HTTP/1.1 GET http://localhost:5000/api/orders",
               "format": "dotnet"}),
    );
    assert_event(
        &one(&env, "0HMAB1CD2EF3H:00000001"),
        json!({"ts": "2026-05-14T10:00:01.000Z", "request_id": "0HMAB1CD2EF3H:00000001",
               "path": "/api/orders", "status": 500, "code": "http_500",
               "message": "Request finished HTTP/1.1 GET http://localhost:5000/api/orders - 500",
               "format": "dotnet"}),
    );
}

/// Go slog groups a request's attributes (`"request":{…}`); Monolog's
/// TagProcessor puts its tags under `extra.tags`.
#[test]
fn grouped_request_ids_of_slog_and_monolog_are_found() {
    let env = Env::new();
    let f = env.write(
        "go-php.log",
        concat!(
            r#"{"time":"2026-05-14T10:00:00.123Z","level":"ERROR","msg":"request failed","request":{"id":"req-slog-9","method":"POST","path":"/v1/pay"},"status":500}"#,
            "\n",
            r#"{"message":"payment failed","context":{},"level":400,"level_name":"ERROR","channel":"billing","datetime":"2026-05-14T10:00:01.500000+00:00","extra":{"tags":{"request_id":"mono-tag-1"}}}"#,
            "\n"
        ),
    );
    env.ingest(&[&f]);
    assert_event(
        &one(&env, "req-slog-9"),
        json!({"ts": "2026-05-14T10:00:00.123Z", "request_id": "req-slog-9", "method": "POST",
               "path": "/v1/pay", "status": 500, "code": "http_500", "message": "request failed",
               "format": "slog"}),
    );
    assert_event(
        &one(&env, "mono-tag-1"),
        json!({"ts": "2026-05-14T10:00:01.500Z", "request_id": "mono-tag-1", "service": "billing",
               "message": "payment failed", "format": "monolog"}),
    );
}

/// Monolog: `setDateFormat('Y-m-d H:i:s u')` writes the microseconds after
/// a space; Monolog 1's JsonFormatter writes a PHP `DateTime` object
/// (`date`, `timezone_type`, `timezone`); handlers put the failure's code in
/// `context.error` — taken only when it looks like a code.
#[test]
fn monolog_php_times_and_context_error_codes_are_read() {
    let env = Env::new();
    let f = env.write(
        "php.log",
        concat!(
            r#"{"message":"Query error: lock wait timeout","context":[],"level":400,"level_name":"ERROR","channel":"db","datetime":"2026-05-14 10:00:00 208473","extra":{"tags":{"request_id":"mono-u-1"}}}"#,
            "\n",
            r#"{"message":"Payment refused","context":{"error":"INSTRUMENT_DECLINED","request_id":"mono-obj-2"},"level":400,"level_name":"ERROR","channel":"checkout","datetime":{"date":"2026-05-14 12:00:01.500000","timezone_type":1,"timezone":"+02:00"},"extra":[]}"#,
            "\n",
            r#"{"message":"Gateway down","context":{"error":"Connection refused by upstream","request_id":"mono-msg-3"},"level":400,"level_name":"ERROR","channel":"checkout","datetime":"2026-05-14T10:00:02.000000+00:00","extra":[]}"#,
            "\n"
        ),
    );
    env.ingest(&[&f]);
    assert_event(
        &one(&env, "mono-u-1"),
        json!({"ts": "2026-05-14T10:00:00.208Z", "request_id": "mono-u-1", "service": "db",
               "message": "Query error: lock wait timeout", "format": "monolog"}),
    );
    assert_event(
        &one(&env, "mono-obj-2"),
        json!({"ts": "2026-05-14T10:00:01.500Z", "request_id": "mono-obj-2", "service": "checkout",
               "code": "INSTRUMENT_DECLINED", "message": "Payment refused", "format": "monolog"}),
    );
    assert_event(
        &one(&env, "mono-msg-3"),
        json!({"ts": "2026-05-14T10:00:02.000Z", "request_id": "mono-msg-3", "service": "checkout",
               "message": "Gateway down", "format": "monolog"}),
    );
}

/// DESIGN lists a top-level `reqId` among the request ids of the generic
/// probe: a line slog claims (it does not name the id itself) and a line no
/// format claims both keep it.
#[test]
fn a_top_level_req_id_is_a_request_id_under_a_format_and_without_one() {
    let env = Env::new();
    let f = env.write(
        "reqid.log",
        concat!(
            r#"{"time":"2026-05-14T10:00:00.250Z","level":"ERROR","msg":"upstream timeout","reqId":"rq-slog-1","status":504}"#,
            "\n",
            r#"{"when":"2026-05-14T10:00:02Z","reqId":"rq-plain-2","status":409,"code":"slot_taken"}"#,
            "\n"
        ),
    );
    env.ingest(&[&f]);
    assert_event(
        &one(&env, "rq-slog-1"),
        json!({"ts": "2026-05-14T10:00:00.250Z", "request_id": "rq-slog-1", "status": 504,
               "code": "http_504", "message": "upstream timeout", "format": "slog"}),
    );
    let plain = search(&env, "rq-plain-2");
    assert_eq!(plain.len(), 1, "{plain:?}");
    assert_eq!(plain[0]["request_id"], "rq-plain-2");
    assert_eq!(plain[0]["code"], "slot_taken");
    assert_eq!(plain[0]["status"], 409);
}
/// Cloud Logging's structured `timestamp` may be `{"seconds", "nanos"}`:
/// the nanos are part of the time.
#[test]
fn gcp_seconds_and_nanos_keep_the_fraction() {
    let env = Env::new();
    let f = env.write(
        "gcp.log",
        r#"{"httpRequest":{"requestMethod":"GET","requestUrl":"https://api.example.com/v1/slots","status":503,"latency":"0.25s"},"timestamp":{"seconds":1778752800,"nanos":123456789},"message":"slots timed out","logging.googleapis.com/labels":{"request_id":"gcp-nanos-1"}}
"#,
    );
    env.ingest(&[&f]);
    assert_event(
        &one(&env, "gcp-nanos-1"),
        json!({"ts": "2026-05-14T10:00:00.123Z", "request_id": "gcp-nanos-1", "method": "GET",
               "path": "/v1/slots", "status": 503, "code": "http_503", "latency_ms": 250.0,
               "message": "slots timed out", "format": "gcp-structured"}),
    );
}

/// A CloudWatch Logs subscription message, as its docs show one.
fn subscription(group: &str, events: &[(u64, &str)]) -> String {
    let events: Vec<Value> = events
        .iter()
        .map(|(ts, msg)| json!({"id": format!("{ts}"), "timestamp": ts, "message": msg}))
        .collect();
    json!({"messageType": "DATA_MESSAGE", "owner": "123456789012", "logGroup": group,
           "logStream": "2026/05/14/[$LATEST]abc", "subscriptionFilters": ["all"],
           "logEvents": events})
    .to_string()
}

/// Firehose writes subscription messages to S3 back to back, with nothing
/// between them; GetLogEvents answers with `events[]`.
#[test]
fn cloudwatch_firehose_objects_and_get_log_events_answers_are_read() {
    let env = Env::new();
    let a = subscription(
        "/aws/lambda/bookings",
        &[
            (1778752800100, r#"{"request_id":"cw-fh-1","status":500}"#),
            (1778752800200, r#"{"request_id":"cw-fh-2","status":200}"#),
        ],
    );
    let b = subscription(
        "/aws/lambda/slots",
        &[(1778752800300, r#"{"request_id":"cw-fh-3","status":429}"#)],
    );
    let api = json!({"events": [
            {"timestamp": 1778752801000u64, "message": r#"{"request_id":"cw-api-1","status":502}"#, "ingestionTime": 1778752801500u64},
            {"timestamp": 1778752802000u64, "message": "plain text line", "ingestionTime": 1778752802500u64}],
        "nextForwardToken": "f/3", "nextBackwardToken": "b/3"});
    let f = env.write("cw/firehose.log", format!("{a}{b}\n{api}\n"));
    let summary = env.ingest(&[&f]);
    assert_eq!(summary["events"], json!(5), "{summary}");
    assert_eq!(summary["bad_lines"], json!(0), "{summary}");
    for (id, ts, status, service) in [
        (
            "cw-fh-1",
            "2026-05-14T10:00:00.100Z",
            500,
            "/aws/lambda/bookings",
        ),
        (
            "cw-fh-2",
            "2026-05-14T10:00:00.200Z",
            200,
            "/aws/lambda/bookings",
        ),
        (
            "cw-fh-3",
            "2026-05-14T10:00:00.300Z",
            429,
            "/aws/lambda/slots",
        ),
    ] {
        let code = (status >= 400).then(|| format!("http_{status}"));
        assert_event(
            &one(&env, id),
            json!({"ts": ts, "request_id": id, "status": status, "code": code,
                   "service": service, "format": "cloudwatch-subscription"}),
        );
    }
    assert_event(
        &one(&env, "cw-api-1"),
        json!({"ts": "2026-05-14T10:00:01.000Z", "request_id": "cw-api-1", "status": 502,
               "code": "http_502", "format": "cloudwatch-events"}),
    );
    assert_event(
        &one(&env, r#""plain text line""#),
        json!({"ts": "2026-05-14T10:00:02.000Z", "message": "plain text line",
               "format": "cloudwatch-events"}),
    );
}

/// A pasted trace header, with the space after its colon, and an X-Ray
/// root in its 32-hex W3C form: a bare-id `search` finds them as `find` does.
#[test]
fn pasted_trace_headers_and_xray_twins_are_found_by_search() {
    let env = Env::new();
    let f = env.write(
        "traced.log",
        concat!(
            r#"{"ts":"2026-05-14T10:00:00Z","status":500,"request_id":"req-xr-1","headers":{"X-Amzn-Trace-Id":"Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}}"#,
            "\n",
            r#"{"ts":"2026-05-14T10:00:01Z","status":502,"request_id":"req-w3c-2","request_headers":{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}}"#,
            "\n"
        ),
    );
    env.ingest(&[&f]);
    let xray = json!({"ts": "2026-05-14T10:00:00.000Z", "request_id": "req-xr-1",
                      "trace_id": "1-5759e988-bd862e3fe1be46a994272793", "status": 500,
                      "code": "http_500"});
    let w3c = json!({"ts": "2026-05-14T10:00:01.000Z", "request_id": "req-w3c-2",
                     "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "status": 502,
                     "code": "http_502"});
    for (query, want) in [
        ("5759e988bd862e3fe1be46a994272793", &xray),
        (
            "X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            &xray,
        ),
        (
            "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            &w3c,
        ),
        (
            "traceparent:00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            &w3c,
        ),
        ("1-4bf92f35-77b34da6a3ce929d0e0e4736", &w3c),
    ] {
        let out = env.run(&["search", query, "--json"]);
        assert_eq!(out.status.code(), Some(0), "{query}: {}", stderr(&out));
        let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(v["events"].as_array().unwrap().len(), 1, "{query}: {v}");
        assert_event(&v["events"][0], want.clone());
    }
}

/// `explain` names the key of the layer a field came from: the line inside
/// a Docker or Fluent Bit wrapper, the wrapper's own key only for what the
/// inner line did not have.
#[test]
fn explain_names_the_inner_keys_of_wrapped_lines() {
    let env = Env::new();
    let inner = r#"{\"time\":\"2026-05-14T10:00:00.120Z\",\"status\":503,\"latency_ms\":12.5,\"request_id\":\"dk-1\"}"#;
    let bare = r#"{\"status\":200,\"request_id\":\"dk-2\"}"#;
    env.write(
        "wrapped/docker.log",
        format!(
            "{{\"log\":\"{inner}\\n\",\"stream\":\"stdout\",\"time\":\"2026-05-14T10:00:00.5Z\"}}\n\
             {{\"log\":\"{bare}\\n\",\"stream\":\"stdout\",\"time\":\"2026-05-14T10:00:01.5Z\"}}\n"
        ),
    );
    env.write(
        "wrapped/fluent-bit.log",
        format!(
            "{{\"time\":\"2026-05-14T10:00:02Z\",\"stream\":\"stdout\",\"log\":\"{inner}\",\"kubernetes\":{{\"pod_name\":\"bookings-7d9\",\"container_name\":\"api\",\"labels\":{{\"app\":\"bookings\"}}}}}}\n"
        ),
    );
    let dir = env.path("wrapped").display().to_string();
    let r: Explain = env.json(&["explain", &dir, "--json"]);
    let by = |name: &str| r.files.iter().find(|f| f.file.ends_with(name)).unwrap();
    let d = by("docker.log");
    assert_eq!(d.format.as_deref(), Some("docker"));
    assert_eq!(d.fields["status"].keys, vec!["log.status"]);
    assert_eq!(d.fields["latency_ms"].keys, vec!["log.latency_ms"]);
    assert_eq!(d.fields["request_id"].keys, vec!["log.request_id"]);
    // One line had its own time, the other only Docker's.
    assert_eq!(d.fields["ts"].keys, vec!["log.time", "time"]);
    assert_eq!(d.fields["ts"].share, 1.0);
    let k = by("fluent-bit.log");
    assert_eq!(k.format.as_deref(), Some("kubernetes"));
    assert_eq!(k.fields["status"].keys, vec!["log.status"]);
    assert_eq!(k.fields["latency_ms"].keys, vec!["log.latency_ms"]);
    assert_eq!(k.fields["ts"].keys, vec!["log.time"]);
    assert_eq!(k.fields["service"].keys, vec!["kubernetes.labels.app"]);
    assert!(
        k.unused_keys.iter().all(|u| !u.key.starts_with("log.")),
        "{:?}",
        k.unused_keys
    );
}
