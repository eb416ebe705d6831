//! Every envelope family and wrapper style, through the real binary:
//! ingest tests/data/envelopes.jsonl, then `find ID --json` and assert the
//! normalized fields a support engineer relies on.

mod common;

use common::{Env, repo};
use errtriage::model::Class;
use errtriage::query::FindResult;

struct Want {
    id: &'static str,
    ts: &'static str,
    status: u16,
    code: Option<&'static str>,
    service: &'static str,
    method: &'static str,
    path: &'static str,
    message: Option<&'static str>,
    key: Option<&'static str>,
}

const fn want(id: &'static str, ts: &'static str, status: u16, code: Option<&'static str>) -> Want {
    Want {
        id,
        ts,
        status,
        code,
        service: "",
        method: "",
        path: "",
        message: None,
        key: None,
    }
}

fn table() -> Vec<Want> {
    vec![
        Want {
            service: "42min-api",
            method: "POST",
            path: "/v1/bookings",
            message: Some("Requested slot is no longer free."),
            key: Some("idem-42min-0001"),
            ..want(
                "req_42MIN00001",
                "2026-05-14T10:00:00.120Z",
                409,
                Some("slot_unavailable"),
            )
        },
        Want {
            service: "member-api",
            method: "POST",
            path: "/v2/sessions/ses_81/bookings",
            message: Some("Rate limit exceeded for read endpoints. Retry in 42 seconds."),
            key: Some("idem-member-0001"),
            ..want(
                "req_2N7s8x9KqR",
                "2026-05-14T10:01:00.000Z",
                429,
                Some("RATE_LIMITED"),
            )
        },
        Want {
            service: "availengine",
            method: "POST",
            path: "/v1/bookings/",
            message: Some("Same idempotency key with different request body"),
            key: Some("idem-avail-0001"),
            ..want(
                "req_AVAIL00001",
                "2026-05-14T10:02:00.000Z",
                409,
                Some("idempotency_mismatch"),
            )
        },
        Want {
            service: "calendarpipe",
            method: "POST",
            path: "/v1/calendars/cal_1/events",
            message: Some("Google Calendar did not respond"),
            key: Some("idem-cal-0001"),
            ..want(
                "req_CALPIPE001",
                "2026-05-14T10:03:00.000Z",
                502,
                Some("http_502"),
            )
        },
        Want {
            service: "billing",
            message: Some("One or more validation errors occurred."),
            ..want(
                "req_PROBLEM001",
                "2026-05-14T10:04:00.000Z",
                400,
                Some("http_400"),
            )
        },
        Want {
            service: "payments",
            message: Some("Your card has insufficient funds."),
            ..want(
                "req_STRIPE0001",
                "2026-05-14T10:05:00.000Z",
                402,
                Some("card_declined"),
            )
        },
        Want {
            service: "geo",
            ..want(
                "req_GOOGLE0001",
                "2026-05-14T10:06:00.000Z",
                429,
                Some("RATE_LIMIT_EXCEEDED"),
            )
        },
        Want {
            service: "graph",
            message: Some("Not authorised"),
            ..want(
                "req_GRAPHQL001",
                "2026-05-14T10:07:00.000Z",
                200,
                Some("FORBIDDEN"),
            )
        },
        Want {
            service: "dynamo",
            message: Some("Rate exceeded"),
            ..want(
                "req_AWS0000001",
                "2026-05-14T10:08:00.000Z",
                400,
                Some("ThrottlingException"),
            )
        },
        Want {
            service: "msgraph",
            message: Some("Access token has expired."),
            ..want(
                "req_MSGRAPH001",
                "2026-05-14T10:09:00.000Z",
                401,
                Some("InvalidAuthenticationToken"),
            )
        },
        Want {
            service: "orders",
            method: "GET",
            path: "/orders/9",
            ..want(
                "req_SPRING0001",
                "2026-05-14T10:10:00.123Z",
                404,
                Some("http_404"),
            )
        },
        Want {
            service: "catalog",
            method: "PATCH",
            path: "/articles/1",
            message: Some("First name must contain at least two characters."),
            ..want(
                "req_JSONAPI001",
                "2026-05-14T10:11:00.000Z",
                422,
                Some("invalid_attribute"),
            )
        },
        Want {
            service: "42min-api",
            method: "GET",
            path: "/v1/slots",
            ..want("req_42MIN00002", "2026-05-14T10:12:00.000Z", 200, None)
        },
    ]
}

#[test]
fn every_envelope_and_wrapper_normalizes_through_find_json() {
    let env = Env::new();
    let summary = env.ingest(&[&repo().join("tests/data/envelopes.jsonl")]);
    assert_eq!(summary["events"], 13, "{summary}");
    assert_eq!(summary["bad_lines"], 0, "{summary}");
    for w in table() {
        let r: FindResult = env.json(&["find", w.id, "--json"]);
        assert_eq!(r.matched_as.as_deref(), Some("request_id"), "{}", w.id);
        assert_eq!(r.events.len(), 1, "{}", w.id);
        let e = &r.events[0];
        assert_eq!(e.request_id, w.id);
        assert_eq!(
            errtriage::model::ts_millis::format(&e.ts),
            w.ts,
            "{} ts",
            w.id
        );
        assert_eq!(e.status, Some(w.status), "{} status", w.id);
        assert_eq!(e.code.as_deref(), w.code, "{} code", w.id);
        assert_eq!(e.service.as_deref(), Some(w.service), "{} service", w.id);
        if !w.method.is_empty() {
            assert_eq!(e.method.as_deref(), Some(w.method), "{} method", w.id);
            assert_eq!(e.path.as_deref(), Some(w.path), "{} path", w.id);
        }
        if let Some(m) = w.message {
            assert_eq!(e.message.as_deref(), Some(m), "{} message", w.id);
        }
        if let Some(k) = w.key {
            assert_eq!(e.idempotency_key.as_deref(), Some(k), "{} key", w.id);
        }
        // Every failure gets a class; successes do not.
        assert_eq!(
            e.class.is_some(),
            w.code.is_some(),
            "{} class {:?}",
            w.id,
            e.class
        );
    }
}

#[test]
fn wrapper_specific_fields_survive() {
    let env = Env::new();
    env.ingest(&[&repo().join("tests/data/envelopes.jsonl")]);
    let find = |id: &str| -> errtriage::model::Event {
        let r: FindResult = env.json(&["find", id, "--json"]);
        r.events.into_iter().next().unwrap()
    };
    let member = find("req_2N7s8x9KqR");
    assert_eq!(member.retry_after_s, Some(42.0));
    assert_eq!(
        member.latency_ms,
        Some(12.0),
        "ECS event.duration is nanoseconds"
    );
    assert_eq!(member.class, Some(Class::RateLimit));
    assert_eq!(member.details.as_ref().unwrap()["retryAfter"], 42);
    let nginx = find("req_CALPIPE001");
    assert_eq!(
        nginx.latency_ms,
        Some(250.0),
        "nginx request_time is seconds"
    );
    assert_eq!(nginx.retry_after_s, None, "`-` is missing");
    assert_eq!(find("req_42MIN00001").latency_ms, Some(85.0));
    assert_eq!(
        find("req_GOOGLE0001").retry_after_s,
        Some(30.0),
        "Google RetryInfo.retryDelay"
    );
    assert_eq!(
        find("req_42MIN00002").trace_id.as_deref(),
        Some("4bf92f3577b34da6a3ce929d0e0e4736")
    );
    assert!(
        find("req_PROBLEM001")
            .trace_id
            .unwrap()
            .contains("0af7651916cd43dd8448eb211c80319c")
    );
}

#[test]
fn json_output_redacts_secrets_unless_asked() {
    let env = Env::new();
    env.ingest(&[&repo().join("tests/data/envelopes.jsonl")]);
    let out = env.run(&["find", "req_42MIN00001", "--json"]);
    let text = common::stdout(&out);
    assert!(
        !text.contains("sk_live_abcdef123456"),
        "secret leaked: {text}"
    );
    assert!(text.contains("[REDACTED]"));
    let out = env.run(&["--no-redact", "find", "req_42MIN00001", "--json"]);
    assert!(common::stdout(&out).contains("sk_live_abcdef123456"));
}
