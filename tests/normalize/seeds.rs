//! The four seed guides' envelopes, exactly as each guide prints them
//! (pretty-printed, so a multi-line value), both as a logged body string and
//! as the whole line.

use errtriage::model::Envelope;
use serde_json::json;

use super::{gateway, n};

const FORTYTWO: &str = r#"{
"error": {
"code": "insufficient_scope",
"message": "This action requires the 'bookings:create' scope",
"details": { "required_scope": "bookings:create" },
"request_id": "req_…"
}
}"#;

const MEMBER_RATE_LIMITED: &str = r#"{
"success": false,
"errorCode": "RATE_LIMITED",
"message": "Rate limit exceeded for read endpoints. Retry in 42 seconds.",
"details": {
"category": "read",
"retryAfter": 42
},
"requestId": "req_2N7s8x9KqR"
}"#;

const MEMBER_INVALID: &str = r#"{
"success": false,
"errorCode": "INVALID_REQUEST",
"message": "Validation failed.",
"details": {
"fields": [
{ "path": "email", "message": "must be a valid email" },
{ "path": "phone", "message": "must include country code" }
]
},
"requestId": "req_2N7s8x9KqR"
}"#;

const AVAIL: &str = r#"{
"error": {
"code": "invalid_token",
"message": "Could not validate credentials"
}
}"#;

const CALPIPE_400: &str = r#"{
"error": "Bad Request",
"message": "start_at must be before end_at"
}"#;

const CALPIPE_401: &str = r#"{
"error": "Unauthorized",
"message": "Missing, invalid, or revoked API key"
}"#;

const CALPIPE_402: &str = r#"{
"code": "API_ACCESS_BLOCKED",
"type": "api_disabled",
"message": "Public API is not available on the Free plan. Upgrade to Pro for API access."
}"#;

#[test]
fn fortytwo_min_error_object_with_request_id() {
    for line in [gateway(403, FORTYTWO), FORTYTWO.to_string()] {
        let out = n(&line);
        let e = &out.event;
        assert_eq!(out.envelope, Envelope::ErrorObjectWithRequestId);
        assert_eq!(e.code.as_deref(), Some("insufficient_scope"));
        assert_eq!(
            e.message.as_deref(),
            Some("This action requires the 'bookings:create' scope")
        );
        assert_eq!(
            e.details,
            Some(json!({"required_scope": "bookings:create"}))
        );
        assert_eq!(e.request_id, "req_…");
    }
}

#[test]
fn fortytwo_min_success_request_id_from_meta() {
    let body = r#"{"data":{"uid":"bk_9"},"meta":{"request_id":"req_ok1"}}"#;
    let out = n(&gateway(201, body));
    assert_eq!(out.event.request_id, "req_ok1");
    assert_eq!(
        (out.event.code.clone(), out.envelope),
        (None, Envelope::None)
    );
    assert!(out.event.is_success());
}

#[test]
fn member_api_success_false_error_code() {
    for line in [
        gateway(429, MEMBER_RATE_LIMITED),
        MEMBER_RATE_LIMITED.to_string(),
    ] {
        let out = n(&line);
        let e = &out.event;
        assert_eq!(out.envelope, Envelope::SuccessFalseErrorCode);
        assert_eq!(e.code.as_deref(), Some("RATE_LIMITED"));
        assert_eq!(e.request_id, "req_2N7s8x9KqR");
        assert_eq!(e.retry_after_s, Some(42.0), "body details.retryAfter");
        assert_eq!(
            e.details,
            Some(json!({"category": "read", "retryAfter": 42}))
        );
    }
    let e = n(&gateway(400, MEMBER_INVALID)).event;
    assert_eq!(e.code.as_deref(), Some("INVALID_REQUEST"));
    assert_eq!(e.message.as_deref(), Some("Validation failed."));
    assert_eq!(e.details.unwrap()["fields"][1]["path"], "phone");
}

#[test]
fn avail_engine_error_object() {
    let line = json!({
        "time": "2026-05-14T10:00:00Z", "status": 401, "method": "GET",
        "path": "/v1/availability/nonexistent",
        "response_headers": {"X-Request-Id": "avail-7f3c"}, "response_body": AVAIL,
    });
    let out = n(&line.to_string());
    assert_eq!(out.envelope, Envelope::ErrorObject);
    assert_eq!(out.event.code.as_deref(), Some("invalid_token"));
    assert_eq!(
        out.event.message.as_deref(),
        Some("Could not validate credentials")
    );
    assert_eq!(
        out.event.request_id, "avail-7f3c",
        "no body id: the response header"
    );
    assert_eq!(n(AVAIL).envelope, Envelope::ErrorObject);
}

#[test]
fn calendar_pipe_reason_phrase_and_code_type() {
    for (status, body, code) in [
        (400, CALPIPE_400, "http_400"),
        (401, CALPIPE_401, "http_401"),
    ] {
        let out = n(&gateway(status, body));
        assert_eq!(out.envelope, Envelope::ErrorString);
        assert_eq!(
            out.event.code.as_deref(),
            Some(code),
            "a reason phrase is not a code"
        );
        assert!(out.event.message.as_deref().unwrap().contains(' '));
    }
    let out = n(&gateway(402, CALPIPE_402));
    assert_eq!(out.envelope, Envelope::CodeType);
    assert_eq!(out.event.code.as_deref(), Some("API_ACCESS_BLOCKED"));
    assert_eq!(n(CALPIPE_402).envelope, Envelope::CodeType);

    let upstream = r#"{"error":"Bad Gateway","message":"Google Calendar: backendError"}"#;
    let e = n(&gateway(502, upstream)).event;
    assert_eq!(e.code.as_deref(), Some("http_502"));
    assert_eq!(e.message.as_deref(), Some("Google Calendar: backendError"));
}
