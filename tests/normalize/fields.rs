//! Field by field: every timestamp style and time key, every header form,
//! `-`/`""` as missing, numbers written as strings, retry hints, latency
//! units, clients, trace ids, and where fields may sit (`attributes`,
//! `fields`, `context`, dotted or nested).

use errtriage::model::ts_millis;
use serde_json::json;

use super::n;

fn ts(line: &str) -> Option<String> {
    let out = n(line);
    out.has_ts.then(|| ts_millis::format(&out.event.ts))
}

#[test]
fn every_timestamp_style() {
    let want = "2026-05-14T10:00:00.123Z";
    for value in [
        json!("2026-05-14T10:00:00.123Z"),
        json!("2026-05-14T10:00:00.123456Z"),
        json!("2026-05-14T12:00:00.123+02:00"),
        json!("2026-05-14T12:00:00.123+0200"),
        json!("2026-05-14T10:00:00.123"),
        json!("2026-05-14 10:00:00,123"),
        json!("2026-05-14 10:00:00.123"),
        json!(1778752800.123),
        json!("1778752800.123"),
        json!(1778752800123u64),
        json!("1778752800123"),
        json!(1778752800123000u64),
        json!("1778752800123000000"),
    ] {
        assert_eq!(
            ts(&json!({"ts": value}).to_string()).as_deref(),
            Some(want),
            "{value}"
        );
    }
    let whole = "2026-05-14T10:00:00.000Z";
    for value in [
        json!("2026-05-14T10:00:00Z"),
        json!("14/May/2026:12:00:00 +0200"),
        json!(1778752800),
    ] {
        assert_eq!(
            ts(&json!({"ts": value}).to_string()).as_deref(),
            Some(whole),
            "{value}"
        );
    }
}

#[test]
fn every_time_key_in_order() {
    let t = "2026-05-14T10:00:00Z";
    for key in [
        "@timestamp",
        "timestamp",
        "time",
        "ts",
        "datetime",
        "date",
        "time_iso8601",
        "start_time",
        "Timestamp",
        "TIME",
    ] {
        assert!(ts(&json!({ key: t }).to_string()).is_some(), "{key}");
    }
    assert!(ts(r#"{"time_local":"14/May/2026:10:00:00 +0000"}"#).is_some());
    assert!(ts(r#"{"msec":"1778752800.123"}"#).is_some());
    assert!(ts(r#"{"timeUnixNano":"1778752800123000000"}"#).is_some());
    let both = r#"{"timestamp":"2026-05-14T10:00:00Z","@timestamp":"2026-05-14T11:00:00Z"}"#;
    assert_eq!(
        ts(both).as_deref(),
        Some("2026-05-14T11:00:00.000Z"),
        "@timestamp first"
    );
    let other_second = r#"{"time_local":"14/May/2026:10:00:00 +0000","msec":"1778752801.5"}"#;
    assert_eq!(
        ts(other_second).as_deref(),
        Some("2026-05-14T10:00:00.000Z"),
        "first wins"
    );
    let skip_bad = r#"{"@timestamp":"yesterday","time":"2026-05-14T10:00:00Z"}"#;
    assert_eq!(ts(skip_bad).as_deref(), Some("2026-05-14T10:00:00.000Z"));
}

#[test]
fn no_usable_time_is_the_epoch_and_flagged() {
    for line in [
        r#"{"status":200}"#,
        r#"{"ts":"-"}"#,
        r#"{"ts":""}"#,
        r#"{"ts":"soon"}"#,
        r#"{"timeUnixNano":"0"}"#,
    ] {
        let out = n(line);
        assert!(!out.has_ts, "{line}");
        assert_eq!(out.event.ts.timestamp(), 0);
    }
}

#[test]
fn request_id_from_every_header_form() {
    let forms = [
        json!({"response_headers": {"X-Request-Id": "rid"}}),
        json!({"response_headers": {"x-request-id": ["rid", "other"]}}),
        json!({"response_headers": [["X-Request-Id", "rid"]]}),
        json!({"response_headers": ["Content-Type: application/json", "X-Request-Id: rid"]}),
        json!({"http.response.headers": {"Request-Id": "rid"}}),
        json!({"http": {"response": {"headers": {"X-GitHub-Request-Id": "rid"}}}}),
        json!({"attributes": {"http.response.header.x-amz-request-id": ["rid"]}}),
        json!({"sent_http_x_request_id": "rid"}),
        json!({"headers": {"x-amzn-RequestId": "rid"}}),
        json!({"request_headers": {"X-Request-ID": "rid"}}),
        json!({"http_x_request_id": "rid"}),
        json!({"fields": {"request_id": "rid"}}),
        json!({"context": {"req_id": "rid"}}),
        json!({"http": {"request": {"id": "rid"}}}),
        json!({"x_request_id": "rid"}),
    ];
    for line in forms {
        assert_eq!(n(&line.to_string()).event.request_id, "rid", "{line}");
    }
}

#[test]
fn request_id_precedence() {
    let line = json!({
        "request_id": "top", "request_headers": {"X-Request-Id": "req-hdr"},
        "response_headers": {"X-Request-Id": "resp-hdr"},
        "body": r#"{"error":{"code":"x","request_id":"body-id"}}"#, "status": 400,
    });
    assert_eq!(n(&line.to_string()).event.request_id, "body-id");
    let mut no_body = line.clone();
    no_body.as_object_mut().unwrap().remove("body");
    assert_eq!(n(&no_body.to_string()).event.request_id, "resp-hdr");
    no_body.as_object_mut().unwrap().remove("response_headers");
    assert_eq!(n(&no_body.to_string()).event.request_id, "req-hdr");
    no_body.as_object_mut().unwrap().remove("request_headers");
    assert_eq!(n(&no_body.to_string()).event.request_id, "top");
}

#[test]
fn dash_and_empty_are_missing() {
    let line = r#"{"ts":"2026-05-14T10:00:00Z","status":"-","status_code":503,"method":"","request_method":"get","path":"-","uri":"/v1/x","request_id":"","req_id":"r-9","idempotency_key":"-","headers":{"Idempotency-Key":"k-1"},"client_id":"-","account_id":"acct_1"}"#;
    let e = n(line).event;
    assert_eq!(e.status, Some(503));
    assert_eq!(e.method.as_deref(), Some("GET"));
    assert_eq!(e.path.as_deref(), Some("/v1/x"));
    assert_eq!(e.request_id, "r-9");
    assert_eq!(e.idempotency_key.as_deref(), Some("k-1"));
    assert_eq!(e.client.as_deref(), Some("acct_1"));
}

#[test]
fn numbers_written_as_strings() {
    let e =
        n(r#"{"status":"409","latency_ms":"12.5","body":"{\"code\":\"1001\",\"message\":\"x\"}"}"#)
            .event;
    assert_eq!(e.status, Some(409));
    assert_eq!(e.latency_ms, Some(12.5));
    assert_eq!(e.code.as_deref(), Some("1001"));
    assert_eq!(
        n(r#"{"status":"abc","statusCode":"404"}"#).event.status,
        Some(404)
    );
    assert_eq!(
        n(r#"{"status":"999"}"#).event.status,
        None,
        "not an HTTP status"
    );
}

#[test]
fn retry_after_forms() {
    let at = |headers: serde_json::Value, status: u16| {
        let line =
            json!({"ts": "2026-05-14T10:00:00Z", "status": status, "response_headers": headers});
        n(&line.to_string()).event.retry_after_s
    };
    assert_eq!(at(json!({"Retry-After": "120"}), 503), Some(120.0));
    assert_eq!(at(json!({"retry-after": 7}), 429), Some(7.0));
    assert_eq!(
        at(json!({"Retry-After": "Thu, 14 May 2026 10:00:30 GMT"}), 429),
        Some(30.0)
    );
    assert_eq!(
        at(json!({"Retry-After": "Thu, 14 May 2026 09:59:00 GMT"}), 429),
        Some(0.0)
    );
    assert_eq!(
        at(json!({"X-RateLimit-Reset": "1778752842"}), 429),
        Some(42.0),
        "epoch seconds"
    );
    assert_eq!(
        at(json!({"X-RateLimit-Reset": "17"}), 429),
        Some(17.0),
        "a delay"
    );
    assert_eq!(
        at(json!({"X-RateLimit-Reset": "1778752842"}), 200),
        None,
        "not rate limited"
    );
    let limited = json!({"X-RateLimit-Reset": "1778752842", "X-RateLimit-Remaining": "0"});
    assert_eq!(at(limited, 200), Some(42.0));
    let nginx =
        json!({"ts": "2026-05-14T10:00:00Z", "status": "429", "sent_http_retry_after": "5"});
    assert_eq!(n(&nginx.to_string()).event.retry_after_s, Some(5.0));
    let no_ts = json!({"status": 429, "response_headers": {"Retry-After": "Thu, 14 May 2026 10:00:30 GMT"}});
    assert_eq!(
        n(&no_ts.to_string()).event.retry_after_s,
        None,
        "no event time to count from"
    );
}

#[test]
fn latency_units() {
    let ms = |line: serde_json::Value| n(&line.to_string()).event.latency_ms;
    assert_eq!(ms(json!({"latency_ms": 12})), Some(12.0));
    assert_eq!(ms(json!({"duration_us": 12500})), Some(12.5));
    assert_eq!(ms(json!({"event.duration": 12_500_000})), Some(12.5));
    assert_eq!(ms(json!({"request_time": "0.125"})), Some(125.0));
    assert_eq!(ms(json!({"duration": "1.5s"})), Some(1500.0));
    assert_eq!(ms(json!({"duration": 40})), Some(40.0));
    assert_eq!(ms(json!({"upstream_connect_ms": 3})), Some(3.0), "any *_ms");
    assert_eq!(
        ms(json!({"ts_ms": 1778752800123u64})),
        None,
        "a timestamp is not a latency"
    );
}

#[test]
fn clients_but_never_credentials() {
    let client = |line: serde_json::Value| n(&line.to_string()).event.client;
    assert_eq!(
        client(json!({"api_key_id": "key_01H"})),
        Some("key_01H".into())
    );
    assert_eq!(
        client(json!({"consumer": {"id": "c-1", "username": "acme"}})),
        Some("c-1".into())
    );
    assert_eq!(client(json!({"consumer": "acme"})), Some("acme".into()));
    assert_eq!(client(json!({"account_id": 4242})), Some("4242".into()));
    assert_eq!(client(json!({"client_id": "Bearer abc.def"})), None);
    assert_eq!(client(json!({"key_id": "sk_live_51Habc"})), None);
    assert_eq!(
        client(json!({"headers": {"Authorization": "Bearer x", "Cookie": "s=1"}})),
        None
    );
}

#[test]
fn bearer_tokens_in_messages_are_redacted() {
    let body = r#"{"error":{"code":"invalid_token","message":"token Bearer eyJhbGciOi.payload.sig is expired","details":{"got":"Bearer eyJhbGciOi.payload.sig"}}}"#;
    let e = n(&super::gateway(401, body)).event;
    assert_eq!(
        e.message.as_deref(),
        Some("token Bearer [REDACTED] is expired")
    );
    assert_eq!(e.details, Some(json!({"got": "Bearer [REDACTED]"})));
}

#[test]
fn trace_ids() {
    let tr = |line: serde_json::Value| n(&line.to_string()).event.trace_id;
    let amzn = json!({"headers": {"X-Amzn-Trace-Id": "Self=1-a;Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}});
    assert_eq!(tr(amzn), Some("1-5759e988-bd862e3fe1be46a994272793".into()));
    assert_eq!(tr(json!({"trace_id": "abc123"})), Some("abc123".into()));
    assert_eq!(tr(json!({"traceId": ""})), None);
    let azure = json!({"status": 400, "body": {"error": "invalid_grant", "trace_id": "t-az-1"}});
    assert_eq!(tr(azure), Some("t-az-1".into()));
}

/// Stored trace ids are bare whatever form carried them, so `find` and
/// `trace_id:` match one value.
#[test]
fn trace_ids_are_stored_bare() {
    let tr = |line: serde_json::Value| n(&line.to_string()).event.trace_id;
    let want = Some("80f198ee56343ba864fe8b2a57d3eff7".to_string());
    let b3 = json!({"headers": {"b3": "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"}});
    assert_eq!(tr(b3), want);
    let b3_multi = json!({"headers": {"X-B3-TraceId": "80f198ee56343ba864fe8b2a57d3eff7", "X-B3-SpanId": "e457b5a2e4d86bd1"}});
    assert_eq!(tr(b3_multi), want);
    let gcp = json!({"trace_id": "projects/p-1/traces/80f198ee56343ba864fe8b2a57d3eff7"});
    assert_eq!(tr(gcp), want);
    let pasted = json!({"traceId": "00-80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-01"});
    assert_eq!(tr(pasted), want);
}

#[test]
fn method_and_path_sources() {
    let mp = |line: serde_json::Value| {
        let e = n(&line.to_string()).event;
        (e.method, e.path)
    };
    let both = |m: &str, p: &str| (Some(m.to_string()), Some(p.to_string()));
    assert_eq!(
        mp(json!({"http.method": "delete", "url": "https://api.x.com/v1/b/1?x=1"})),
        both("DELETE", "/v1/b/1")
    );
    assert_eq!(
        mp(json!({"request": "PATCH /v1/b/2?y HTTP/2.0"})),
        both("PATCH", "/v1/b/2")
    );
    assert_eq!(
        mp(json!({"http": {"method": "GET", "target": "/v1/s?q"}})),
        both("GET", "/v1/s")
    );
    assert_eq!(
        mp(json!({"method": "POST", "url": {"path": "/v1/x"}})),
        both("POST", "/v1/x")
    );
}

#[test]
fn service_sources() {
    let svc = |line: serde_json::Value| n(&line.to_string()).event.service;
    assert_eq!(svc(json!({"app": "billing"})), Some("billing".into()));
    assert_eq!(
        svc(json!({"host": "bookings-7.prod.internal:8443"})),
        Some("bookings-7".into())
    );
    assert_eq!(
        svc(json!({"resource": {"service": {"name": "avail"}}})),
        Some("avail".into())
    );
    assert_eq!(
        svc(json!({"service": "42min", "host": "x.y"})),
        Some("42min".into())
    );
}

#[test]
fn bodies_encoded_twice_and_thrice_are_read_but_not_a_fourth_time() {
    let envelope = json!({"error": {"code": "slot_unavailable", "message": "taken"}});
    let mut body = envelope.to_string();
    for times in 1..=4 {
        let line = json!({"status": 409, "payload": body}).to_string();
        let code = n(&line).event.code;
        let want = if times <= 3 {
            "slot_unavailable"
        } else {
            "http_409"
        };
        assert_eq!(code.as_deref(), Some(want), "encoded {times} times");
        body = serde_json::to_string(&body).unwrap();
    }
}
