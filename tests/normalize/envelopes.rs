//! The envelopes every support team meets besides the seeds: RFC 9457,
//! Stripe, Google, JSON:API, GraphQL, AWS, Microsoft Graph, Spring Boot,
//! OAuth 2, Slack, Twilio — realistic bodies in realistic lines.

use errtriage::model::Envelope;
use serde_json::json;

use super::{gateway, n};

#[test]
fn rfc9457_problem_type_becomes_the_code() {
    let body = r#"{"type":"https://example.com/probs/out-of-credit","title":"You do not have enough credit.","status":403,"detail":"Your current balance is 30, but that costs 50.","instance":"/account/12345/msgs/abc","balance":30,"accounts":["/account/12345","/account/67890"]}"#;
    let out = n(&gateway(403, body));
    assert_eq!(out.envelope, Envelope::Problem);
    assert_eq!(out.event.code.as_deref(), Some("out-of-credit"));
    assert_eq!(
        out.event.message.as_deref(),
        Some("Your current balance is 30, but that costs 50.")
    );
    assert_eq!(
        out.event.details,
        Some(json!({"balance": 30, "accounts": ["/account/12345", "/account/67890"]}))
    );
    let fragment = r#"{"type":"https://api.example.com/errors#slot_unavailable","title":"Slot unavailable","status":409}"#;
    assert_eq!(
        n(&gateway(409, fragment)).event.code.as_deref(),
        Some("slot_unavailable")
    );
}

#[test]
fn rfc9457_spec_links_and_about_blank_are_not_codes() {
    let aspnet = r#"{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400,"traceId":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00","errors":{"Email":["The Email field is required."]}}"#;
    let out = n(&gateway(400, aspnet));
    assert_eq!(out.envelope, Envelope::Problem);
    assert_eq!(
        out.event.code.as_deref(),
        Some("http_400"),
        "not section-6.5.1"
    );
    assert_eq!(
        out.event.message.as_deref(),
        Some("One or more validation errors occurred.")
    );
    assert_eq!(
        out.event.trace_id.as_deref(),
        Some("0af7651916cd43dd8448eb211c80319c")
    );
    assert_eq!(
        out.event.details.unwrap()["errors"]["Email"][0],
        "The Email field is required."
    );

    let rfc9110 = r#"{"type":"https://datatracker.ietf.org/doc/html/rfc9110#section-15.5.5","title":"Not Found","status":404}"#;
    assert_eq!(
        n(&gateway(404, rfc9110)).event.code.as_deref(),
        Some("http_404")
    );
    let blank =
        r#"{"type":"about:blank","title":"Not Found","status":404,"detail":"No booking bk_1"}"#;
    assert_eq!(
        n(&gateway(404, blank)).event.code.as_deref(),
        Some("http_404")
    );
}

#[test]
fn stripe_code_then_type() {
    let line = json!({
        "timestamp": "2026-05-14T10:00:00Z", "status": 402, "method": "POST", "path": "/v1/charges",
        "response_headers": {"Request-Id": "req_Stripe1", "Idempotency-Key": "k-stripe"},
        "response_body": {"error": {"type": "card_error", "code": "card_declined",
            "decline_code": "insufficient_funds", "message": "Your card has insufficient funds.",
            "param": "", "doc_url": "https://stripe.com/docs/error-codes/card-declined"}},
    });
    let out = n(&line.to_string());
    assert_eq!(out.envelope, Envelope::Stripe);
    assert_eq!(out.event.code.as_deref(), Some("card_declined"));
    assert_eq!(out.event.request_id, "req_Stripe1");
    assert_eq!(
        out.event.details.as_ref().unwrap()["decline_code"],
        "insufficient_funds"
    );

    let idem = r#"{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with."}}"#;
    let out = n(&gateway(400, idem));
    assert_eq!(out.envelope, Envelope::Stripe);
    assert_eq!(out.event.code.as_deref(), Some("idempotency_error"));
}

#[test]
fn google_error_info_reason_and_retry_info() {
    let body = r#"{"error":{"code":429,"message":"Quota exceeded for quota metric 'Read requests'.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com","metadata":{"service":"sheets.googleapis.com"}},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"42s"}]}}"#;
    let out = n(&gateway(429, body));
    assert_eq!(out.envelope, Envelope::Google);
    assert_eq!(
        out.event.code.as_deref(),
        Some("RATE_LIMIT_EXCEEDED"),
        "ErrorInfo.reason over status"
    );
    assert_eq!(out.event.retry_after_s, Some(42.0));
    assert_eq!(out.event.details.as_ref().unwrap()[1]["retryDelay"], "42s");

    let older = r#"{"error":{"code":403,"message":"Daily Limit Exceeded","errors":[{"domain":"usageLimits","reason":"dailyLimitExceeded","message":"Daily Limit Exceeded"}],"status":"PERMISSION_DENIED"}}"#;
    assert_eq!(
        n(&gateway(403, older)).event.code.as_deref(),
        Some("dailyLimitExceeded")
    );
    let bare = r#"{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}"#;
    let out = n(bare);
    assert_eq!(out.event.code.as_deref(), Some("UNAVAILABLE"));
    assert_eq!(
        out.event.status,
        Some(503),
        "no transport status: the body's is used"
    );
}

#[test]
fn json_api_errors() {
    let body = r#"{"errors":[{"status":"422","code":"slot_unavailable","title":"Slot unavailable","detail":"The requested slot is no longer free","source":{"pointer":"/data/attributes/start"}}]}"#;
    let out = n(&gateway(422, body));
    assert_eq!(out.envelope, Envelope::JsonApi);
    assert_eq!(out.event.code.as_deref(), Some("slot_unavailable"));
    assert_eq!(
        out.event.message.as_deref(),
        Some("The requested slot is no longer free")
    );
    assert_eq!(
        out.event.details.unwrap()[0]["source"]["pointer"],
        "/data/attributes/start"
    );
}

#[test]
fn graphql_errors_at_200_are_failures() {
    let body = r#"{"data":{"createBooking":null},"errors":[{"message":"Slot is no longer available","locations":[{"line":2,"column":3}],"path":["createBooking"],"extensions":{"code":"SLOT_UNAVAILABLE","requestId":"req_gql1"}}]}"#;
    let out = n(&gateway(200, body));
    assert_eq!(out.envelope, Envelope::GraphQl);
    assert_eq!(out.event.status, Some(200));
    assert_eq!(out.event.code.as_deref(), Some("SLOT_UNAVAILABLE"));
    assert_eq!(out.event.request_id, "req_gql1");
    assert_eq!(
        out.event.message.as_deref(),
        Some("Slot is no longer available")
    );
    assert!(out.event.is_failure() && !out.event.is_success());

    let no_code = r#"{"errors":[{"message":"Cannot query field \"foo\" on type \"Query\"."}]}"#;
    let out = n(&gateway(200, no_code));
    assert_eq!(out.envelope, Envelope::GraphQl);
    assert_eq!(
        out.event.code.as_deref(),
        Some("http_200"),
        "failed, but no machine code"
    );
    let ok = r#"{"data":{"booking":{"id":"1"}}}"#;
    assert_eq!(n(&gateway(200, ok)).event.code, None);
}

#[test]
fn aws_type_is_cut_to_its_name() {
    let body = r#"{"__type":"com.amazon.coral.service#ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.service/","message":"Rate exceeded"}"#;
    let line = json!({"status": 400, "response_headers": {"x-amzn-RequestId": "6f0e1c2d-aws"}, "body": body});
    let out = n(&line.to_string());
    assert_eq!(out.envelope, Envelope::Aws);
    assert_eq!(out.event.code.as_deref(), Some("ThrottlingException"));
    assert_eq!(out.event.message.as_deref(), Some("Rate exceeded"));
    assert_eq!(out.event.request_id, "6f0e1c2d-aws");
    let plain =
        r#"{"__type":"ResourceNotFoundException","Message":"Requested resource not found"}"#;
    let e = n(&gateway(400, plain)).event;
    assert_eq!(e.code.as_deref(), Some("ResourceNotFoundException"));
    assert_eq!(e.message.as_deref(), Some("Requested resource not found"));
    let in_code = r#"{"code":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"x"}"#;
    assert_eq!(
        n(&gateway(400, in_code)).event.code.as_deref(),
        Some("ConditionalCheckFailedException")
    );
}

#[test]
fn microsoft_graph_inner_error_request_id() {
    let body = r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist.","innerError":{"date":"2026-05-14T10:00:00","request-id":"b3e6a1f2-graph","client-request-id":"c0ffee00-client"}}}"#;
    let line = json!({"status": 404, "response_headers": {"client-request-id": "c0ffee00-client"}, "body": body});
    let out = n(&line.to_string());
    assert_eq!(out.envelope, Envelope::MsGraph);
    assert_eq!(out.event.code.as_deref(), Some("Request_ResourceNotFound"));
    assert_eq!(out.event.request_id, "b3e6a1f2-graph");
    assert_eq!(
        out.event.details.unwrap()["client-request-id"],
        "c0ffee00-client"
    );
}

#[test]
fn spring_boot_reason_phrase() {
    let body = r#"{"timestamp":"2026-05-14T10:00:00.123+00:00","status":409,"error":"Conflict","message":"Booking already cancelled","path":"/v1/bookings/bk_1/cancel"}"#;
    let out = n(&gateway(409, body));
    assert_eq!(out.envelope, Envelope::SpringBoot);
    assert_eq!(out.event.code.as_deref(), Some("http_409"));
    assert_eq!(
        out.event.message.as_deref(),
        Some("Booking already cancelled")
    );
    let out = n(body);
    assert_eq!(
        (out.event.status, out.envelope),
        (Some(409), Envelope::SpringBoot)
    );
    assert_eq!(out.event.path.as_deref(), Some("/v1/bookings/bk_1/cancel"));
}

#[test]
fn oauth2_error_and_description() {
    let body =
        r#"{"error":"invalid_grant","error_description":"The refresh token has been revoked."}"#;
    let out = n(&gateway(400, body));
    assert_eq!(out.envelope, Envelope::OAuth);
    assert_eq!(out.event.code.as_deref(), Some("invalid_grant"));
    assert_eq!(
        out.event.message.as_deref(),
        Some("The refresh token has been revoked.")
    );
    assert_eq!(
        n(&gateway(401, r#"{"error":"invalid_client"}"#)).envelope,
        Envelope::OAuth
    );
}

#[test]
fn slack_ok_false_at_200() {
    let body = r#"{"ok":false,"error":"channel_not_found","warning":"missing_charset","response_metadata":{"warnings":["missing_charset"]}}"#;
    let out = n(&gateway(200, body));
    assert_eq!(out.envelope, Envelope::Slack);
    assert_eq!(out.event.code.as_deref(), Some("channel_not_found"));
    assert!(out.event.is_failure());
    assert_eq!(out.event.details.unwrap()["warning"], "missing_charset");
    let ok = n(&gateway(200, r#"{"ok":true,"channel":"C1"}"#));
    assert_eq!((ok.event.code, ok.envelope), (None, Envelope::None));
}

#[test]
fn twilio_numeric_code() {
    let body = r#"{"code":20404,"message":"The requested resource /2010-04-01/Accounts/AC123/Messages/SM1.json was not found","more_info":"https://www.twilio.com/docs/errors/20404","status":404}"#;
    let line =
        json!({"status": 404, "response_headers": {"Twilio-Request-Id": "RQ1234"}, "body": body});
    let out = n(&line.to_string());
    assert_eq!(out.envelope, Envelope::Twilio);
    assert_eq!(out.event.code.as_deref(), Some("20404"));
    assert_eq!(out.event.request_id, "RQ1234");
    assert_eq!(
        out.event.details,
        Some(json!({"more_info": "https://www.twilio.com/docs/errors/20404"}))
    );
}

#[test]
fn a_status_number_in_code_is_not_a_code() {
    let body = r#"{"code":404,"message":"Not found"}"#;
    assert_eq!(
        n(&gateway(404, body)).event.code.as_deref(),
        Some("http_404")
    );
    let upper = r#"{"status":"NOT_FOUND","message":"no such booking"}"#;
    assert_eq!(
        n(&gateway(404, upper)).event.code.as_deref(),
        Some("NOT_FOUND")
    );
    let phrase = r#"{"error":"upstream timed out (110: Connection timed out)"}"#;
    let e = n(&gateway(504, phrase)).event;
    assert_eq!(e.code.as_deref(), Some("http_504"));
    assert_eq!(
        e.message.as_deref(),
        Some("upstream timed out (110: Connection timed out)")
    );
}

#[test]
fn successes_have_no_code_and_no_envelope() {
    for (status, body) in [
        (
            200,
            r#"{"id":"bk_1","status":"confirmed","type":"booking","title":"Standup"}"#,
        ),
        (201, r#"{"code":"OK","message":"created"}"#),
        (204, ""),
    ] {
        let out = n(&gateway(status, body));
        assert_eq!(
            (out.event.code.clone(), out.envelope),
            (None, Envelope::None),
            "{body}"
        );
        assert!(out.event.is_success());
    }
}

#[test]
fn look_alikes_are_not_mistaken() {
    // ECS app errors: `error.type` is an exception class, not Stripe's type.
    let ecs = r#"{"@timestamp":"2026-05-14T10:00:00Z","http":{"response":{"status_code":500}},"error":{"type":"java.lang.NullPointerException","message":"booking was null"}}"#;
    let out = n(ecs);
    assert_eq!(out.envelope, Envelope::ErrorObject);
    assert_eq!(out.event.code.as_deref(), Some("http_500"));
    assert_eq!(out.event.message.as_deref(), Some("booking was null"));
    // A status-less log line about a resource with a `type` is no problem+json.
    let audit =
        r#"{"ts":"2026-05-14T10:00:00Z","type":"booking","title":"Standup","status":"confirmed"}"#;
    let out = n(audit);
    assert_eq!(
        (out.event.code.clone(), out.envelope),
        (None, Envelope::None)
    );
    // Rails-style `errors` of strings still give a message.
    let rails = r#"{"errors":["Email is invalid"]}"#;
    let e = n(&gateway(422, rails)).event;
    assert_eq!(
        (e.code.as_deref(), e.message.as_deref()),
        (Some("http_422"), Some("Email is invalid"))
    );
}
