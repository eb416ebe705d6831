//! Normalization through its public API: realistic lines in, the Event a
//! support engineer would see out. One module per concern:
//! `seeds` (the four guides' envelopes as printed), `envelopes` (the other
//! families), `wrappers` (flat gateway, ECS, OpenTelemetry, nginx), `fields`
//! (timestamps, headers, missing values, retry hints, secrets). This file
//! holds the bad-line cases, the never-panic properties and a throughput probe.

use errtriage::model::{BadReason, Source};
use errtriage::normalize::{Normalized, normalize};

#[path = "normalize/envelopes.rs"]
mod envelopes;
#[path = "normalize/fields.rs"]
mod fields;
#[path = "normalize/seeds.rs"]
mod seeds;
#[path = "normalize/wrappers.rs"]
mod wrappers;

/// Normalize a line that must be accepted.
pub fn n(line: &str) -> Normalized {
    normalize(line, src()).unwrap_or_else(|e| panic!("{e} for {line}"))
}

pub fn src() -> Source {
    Source {
        file: "api.log".into(),
        line: 7,
        offset: 1234,
    }
}

/// A flat gateway line around `body` (logged as a JSON string, as most
/// gateways do).
pub fn gateway(status: u16, body: &str) -> String {
    serde_json::json!({
        "ts": "2026-05-14T10:00:00.123Z", "service": "gw", "method": "POST",
        "path": "/v1/bookings", "status": status, "body": body,
    })
    .to_string()
}

#[test]
fn not_json_not_object_and_too_deep_are_bad_lines() {
    let bad = |l: &str| normalize(l, src()).unwrap_err();
    assert_eq!(bad("GET /v1/bookings 200"), BadReason::NotJson);
    assert_eq!(bad(""), BadReason::NotJson);
    assert_eq!(
        bad(r#"{"status":409,"path":"/v1/bo"#),
        BadReason::NotJson,
        "truncated last line"
    );
    assert_eq!(bad(r#"{"a":1} trailing"#), BadReason::NotJson);
    assert_eq!(bad("[1,2,3]"), BadReason::NotObject);
    assert_eq!(bad(r#""just a string""#), BadReason::NotObject);
    assert_eq!(bad("42"), BadReason::NotObject);
    assert_eq!(bad(&"[".repeat(100_000)), BadReason::TooDeep);
    assert_eq!(bad(&r#"{"a":"#.repeat(100_000)), BadReason::TooDeep);
    let closed = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
    assert_eq!(bad(&closed), BadReason::TooDeep);
}

#[test]
fn a_deep_body_string_is_ignored_not_fatal() {
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let e = n(&gateway(500, &deep)).event;
    assert_eq!(e.status, Some(500));
    assert_eq!(e.code.as_deref(), Some("http_500"));
}

#[test]
fn context_lines_are_events_with_what_they_have() {
    let out = n(r#"{"ts":"2026-05-14T10:00:00Z","level":"info","msg":"cache warm"}"#);
    let e = &out.event;
    assert!(out.has_ts);
    assert_eq!(
        (e.status, &e.code, e.request_id.as_str()),
        (None, &None, "")
    );
    assert_eq!(e.source, src());
    assert_eq!(
        e.raw,
        r#"{"ts":"2026-05-14T10:00:00Z","level":"info","msg":"cache warm"}"#
    );
    assert!(e.class.is_none() && e.api.is_none());
}

#[test]
fn a_byte_order_mark_is_not_a_bad_line() {
    let e = n("\u{feff}{\"status\":200}").event;
    assert_eq!(e.status, Some(200));
    assert!(e.raw.starts_with('\u{feff}'), "raw stays the original line");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// Keys normalization looks at, so random objects reach deep code paths.
    const KEYS: &[&str] = &[
        "status",
        "error",
        "errors",
        "code",
        "message",
        "body",
        "resp_body",
        "headers",
        "Retry-After",
        "X-RateLimit-Reset",
        "ts",
        "time",
        "@timestamp",
        "timeUnixNano",
        "request_id",
        "requestId",
        "__type",
        "type",
        "ok",
        "success",
        "details",
        "attributes",
        "http.response.status_code",
        "http",
        "response",
        "url",
        "traceparent",
        "duration",
        "sent_http_x_request_id",
        "http_idempotency_key",
        "0",
        "extensions",
        "innerError",
    ];

    fn json() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            ".{0,12}".prop_map(Value::String),
            prop::sample::select(KEYS).prop_map(|k| Value::String(k.to_string())),
            Just(Value::String("{\"error\":{\"code\":7}}".into())),
            Just(Value::String("1747216800123".into())),
        ];
        leaf.prop_recursive(5, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
                prop::collection::vec((prop::sample::select(KEYS), inner.clone()), 0..6).prop_map(
                    |kv| serde_json::Value::Object(
                        kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                    )
                ),
                inner.prop_map(|v| serde_json::Value::String(v.to_string())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn arbitrary_json(v in json()) {
            let line = v.to_string();
            let r = normalize(&line, src());
            if v.is_object() {
                let out = r.unwrap();
                prop_assert_eq!(&out.event.raw, &line);
                prop_assert!(out.event.code.is_none() || !out.event.code.as_deref().unwrap().is_empty());
            }
        }

        #[test]
        fn arbitrary_strings(s in ".{0,300}") {
            let _ = normalize(&s, src());
        }

        #[test]
        fn arbitrary_bytes(b in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = normalize(&String::from_utf8_lossy(&b), src());
        }

        #[test]
        fn nginx_escapes_anywhere(s in r#"[{}\[\]":,a-z0-9\\x ]{0,200}"#) {
            let _ = normalize(&s, src());
        }
    }
}

/// Throughput on realistic lines. Run with
/// `cargo test --release --test normalize -- --ignored --nocapture throughput`.
#[test]
#[ignore]
fn throughput() {
    let lines = wrappers::realistic_mix(4000);
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    let rounds = 20;
    let start = std::time::Instant::now();
    let mut codes = 0;
    for _ in 0..rounds {
        for l in &lines {
            codes += normalize(l, src()).unwrap().event.code.is_some() as usize;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let avg = bytes / lines.len();
    let mbps = (bytes * rounds) as f64 / secs / 1e6;
    println!(
        "normalize: {} lines, avg {avg} B, {mbps:.0} MB/s on one core ({codes} codes)",
        lines.len()
    );
}
