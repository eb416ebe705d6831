//! Whole lines in each wrapper style the logs come in: a flat gateway line
//! with a headers map, ECS, an OpenTelemetry log record, nginx JSON access
//! logs (`escape=default` with `\x22`, and `escape=json`).

use errtriage::model::Envelope;

use super::n;

const FLAT: &str = r#"{"ts":"2026-05-14T10:00:00.123Z","level":"warn","service":"42min-api","method":"post","path":"/v1/bookings?notify=true","status":409,"latency_ms":"38.2","client_id":"acct_7Hq2","headers":{"Authorization":"Bearer pat_42min_s3cr3t","Content-Type":"application/json","Idempotency-Key":"\"b7c1-idem\"","traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},"response_headers":{"X-Request-Id":"req_2N7s8x9KqR","Retry-After":"1"},"body":"{\"error\":{\"code\":\"idempotency_in_progress\",\"message\":\"Same Idempotency-Key still being processed\",\"details\":{},\"request_id\":\"req_2N7s8x9KqR\"}}"}"#;

const ECS: &str = r#"{"@timestamp":"2026-05-14T12:00:00.250+02:00","ecs":{"version":"8.11.0"},"service":{"name":"bookings"},"event":{"duration":12500000,"outcome":"failure"},"http":{"request":{"method":"POST","id":"gw-5521","headers":{"Idempotency-Key":["k-ecs-1"]}},"response":{"status_code":409,"headers":{"X-Request-Id":["req_ecs_1"]},"body":{"content":"{\"error\":{\"code\":\"slot_unavailable\",\"message\":\"Requested slot is no longer free\",\"details\":{\"slot\":\"2026-05-15T09:00\"},\"request_id\":\"req_ecs_1\"}}"}}},"url":{"path":"/v1/bookings","query":"src=app"},"trace":{"id":"4bf92f3577b34da6a3ce929d0e0e4736"},"user_agent":{"original":"curl/8"},"message":"POST /v1/bookings 409"}"#;

const OTEL: &str = r#"{"timeUnixNano":"1778752800123000000","observedTimeUnixNano":"1778752800200000000","severityNumber":13,"severityText":"WARN","body":"{\"success\":false,\"errorCode\":\"SESSION_FULL\",\"message\":\"Booking failed — session is at capacity.\",\"details\":{\"sessionId\":\"s_91\"},\"requestId\":\"req_otel_9\"}","attributes":{"http.request.method":"POST","url.path":"/v1/sessions/s_91/bookings","http.response.status_code":409,"http.request.header.idempotency-key":["k-otel-1"],"http.response.header.x-request-id":["req_otel_9"],"http.server.request.duration":0.0183,"client_id":"member_55"},"resource":{"service.name":"member-api","service.version":"3.2.1"},"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"}"#;

const NGINX_DEFAULT: &str = r#"{"time_local":"14/May/2026:10:00:00 +0000","msec":"1778752800.456","remote_addr":"10.0.3.7","request":"POST /v1/bookings/?src=app HTTP/1.1","request_method":"POST","request_uri":"/v1/bookings/?src=app","status":"409","body_bytes_sent":"121","request_time":"0.042","http_user_agent":"python-requests/2.32","http_authorization":"Bearer avail_live_9f8e7d","http_idempotency_key":"unique-key-per-operation","sent_http_x_request_id":"req_ngx_1","sent_http_retry_after":"-","request_id":"4d1c9a0b2e7f46e1a3c5d7e9f0b1a2c3","host":"api.availengine.com","resp_body":"{\x22error\x22:{\x22code\x22:\x22idempotency_mismatch\x22,\x22message\x22:\x22Same idempotency key with different request body \xE2\x80\x94 \x5C\x22k\x5C\x22\x22}}"}"#;

const NGINX_JSON: &str = r#"{"time_iso8601":"2026-05-14T10:00:00+00:00","request_method":"GET","request_uri":"/v1/availability/biz_1?date=2026-05-15","status":"429","request_time":"0.003","http_x_request_id":"edge-77","sent_http_retry_after":"30","request_id":"ngx-rid","resp_body":"{\"error\":{\"code\":\"rate_limit_exceeded\",\"message\":\"Key's RPM limit reached\"}}"}"#;

#[test]
fn flat_gateway_line_with_headers_map() {
    let out = n(FLAT);
    let e = &out.event;
    assert_eq!(
        errtriage::model::ts_millis::format(&e.ts),
        "2026-05-14T10:00:00.123Z"
    );
    assert_eq!(e.service.as_deref(), Some("42min-api"));
    assert_eq!(
        (e.method.as_deref(), e.path.as_deref()),
        (Some("POST"), Some("/v1/bookings"))
    );
    assert_eq!(e.status, Some(409));
    assert_eq!(e.code.as_deref(), Some("idempotency_in_progress"));
    assert_eq!(e.request_id, "req_2N7s8x9KqR");
    assert_eq!(
        e.idempotency_key.as_deref(),
        Some("b7c1-idem"),
        "quotes stripped"
    );
    assert_eq!(e.retry_after_s, Some(1.0));
    assert_eq!(e.latency_ms, Some(38.2));
    assert_eq!(e.client.as_deref(), Some("acct_7Hq2"));
    assert_eq!(
        e.trace_id.as_deref(),
        Some("4bf92f3577b34da6a3ce929d0e0e4736")
    );
    assert_eq!(
        e.details,
        Some(serde_json::json!({})),
        "details verbatim, even empty"
    );
    assert_eq!(out.envelope, Envelope::ErrorObjectWithRequestId);
}

#[test]
fn ecs_nested_with_body_content_string() {
    let out = n(ECS);
    let e = &out.event;
    assert_eq!(
        errtriage::model::ts_millis::format(&e.ts),
        "2026-05-14T10:00:00.250Z"
    );
    assert_eq!(e.service.as_deref(), Some("bookings"));
    assert_eq!(
        (e.method.as_deref(), e.path.as_deref()),
        (Some("POST"), Some("/v1/bookings"))
    );
    assert_eq!(e.status, Some(409));
    assert_eq!(e.latency_ms, Some(12.5), "event.duration is in ns");
    assert_eq!(e.code.as_deref(), Some("slot_unavailable"));
    assert_eq!(
        e.message.as_deref(),
        Some("Requested slot is no longer free")
    );
    assert_eq!(e.request_id, "req_ecs_1");
    assert_eq!(e.idempotency_key.as_deref(), Some("k-ecs-1"));
    assert_eq!(
        e.trace_id.as_deref(),
        Some("4bf92f3577b34da6a3ce929d0e0e4736")
    );
    assert_eq!(out.envelope, Envelope::ErrorObjectWithRequestId);
}

#[test]
fn opentelemetry_log_record() {
    let out = n(OTEL);
    let e = &out.event;
    assert!(out.has_ts);
    assert_eq!(
        errtriage::model::ts_millis::format(&e.ts),
        "2026-05-14T10:00:00.123Z"
    );
    assert_eq!(e.service.as_deref(), Some("member-api"));
    assert_eq!(e.method.as_deref(), Some("POST"));
    assert_eq!(e.path.as_deref(), Some("/v1/sessions/s_91/bookings"));
    assert_eq!(e.status, Some(409));
    assert_eq!(e.code.as_deref(), Some("SESSION_FULL"));
    assert_eq!(
        e.message.as_deref(),
        Some("Booking failed — session is at capacity.")
    );
    assert_eq!(e.request_id, "req_otel_9");
    assert_eq!(e.idempotency_key.as_deref(), Some("k-otel-1"));
    assert_eq!(e.latency_ms, Some(18.3));
    assert_eq!(e.client.as_deref(), Some("member_55"));
    assert_eq!(
        e.trace_id.as_deref(),
        Some("5b8efff798038103d269b633813fc60c")
    );
    assert_eq!(out.envelope, Envelope::SuccessFalseErrorCode);
}

#[test]
fn opentelemetry_otlp_json_attribute_list() {
    let line = r#"{"timeUnixNano":"1778752800000000000","body":{"stringValue":"{\"error\":{\"code\":\"slot_unavailable\",\"message\":\"taken\"}}"},"attributes":[{"key":"http.response.status_code","value":{"intValue":"409"}},{"key":"http.request.header.idempotency-key","value":{"arrayValue":{"values":[{"stringValue":"k-otlp"}]}}}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"avail"}}]}}"#;
    let e = n(line).event;
    assert_eq!(e.status, Some(409));
    assert_eq!(e.code.as_deref(), Some("slot_unavailable"));
    assert_eq!(e.idempotency_key.as_deref(), Some("k-otlp"));
    assert_eq!(e.service.as_deref(), Some("avail"));
}

#[test]
fn nginx_escape_default_with_hex_escapes() {
    let out = n(NGINX_DEFAULT);
    let e = &out.event;
    let ts = errtriage::model::ts_millis::format(&e.ts);
    assert_eq!(
        ts, "2026-05-14T10:00:00.456Z",
        "time_local refined by msec of the same second"
    );
    assert_eq!(e.status, Some(409), "status as a string");
    assert_eq!(
        (e.method.as_deref(), e.path.as_deref()),
        (Some("POST"), Some("/v1/bookings/"))
    );
    assert_eq!(e.latency_ms, Some(42.0), "request_time is in seconds");
    assert_eq!(e.code.as_deref(), Some("idempotency_mismatch"));
    assert_eq!(
        e.message.as_deref(),
        Some(r#"Same idempotency key with different request body — "k""#)
    );
    assert_eq!(
        e.idempotency_key.as_deref(),
        Some("unique-key-per-operation")
    );
    assert_eq!(
        e.request_id, "req_ngx_1",
        "the response header beats nginx's own $request_id"
    );
    assert_eq!(e.retry_after_s, None, "`-` is missing");
    assert_eq!(e.service.as_deref(), Some("api"));
    assert_eq!(out.envelope, Envelope::ErrorObject);
    assert_eq!(e.raw, NGINX_DEFAULT);
}

#[test]
fn nginx_escape_json() {
    let e = n(NGINX_JSON).event;
    assert_eq!(e.status, Some(429));
    assert_eq!(e.path.as_deref(), Some("/v1/availability/biz_1"));
    assert_eq!(e.latency_ms, Some(3.0));
    assert_eq!(e.code.as_deref(), Some("rate_limit_exceeded"));
    assert_eq!(e.retry_after_s, Some(30.0));
    assert_eq!(
        e.request_id, "edge-77",
        "no response id: the request header before $request_id"
    );
}

#[test]
fn secrets_stay_in_raw_only() {
    for line in [FLAT, NGINX_DEFAULT] {
        let e = n(line).event;
        let mut v = serde_json::to_value(&e).unwrap();
        v.as_object_mut().unwrap().remove("raw");
        let text = v.to_string();
        for secret in ["Bearer", "pat_42min_s3cr3t", "avail_live_9f8e7d"] {
            assert!(!text.contains(secret), "{secret} leaked into {text}");
        }
    }
}

/// A mix of realistic lines for the throughput probe: mostly successes, some
/// failures, in every wrapper style.
pub fn realistic_mix(count: usize) -> Vec<String> {
    let success = [
        r#"{"ts":"2026-05-14T10:00:00.123Z","level":"info","service":"42min-api","method":"GET","path":"/v1/bookings/bk_9?expand=attendees","status":200,"latency_ms":12.7,"client_id":"acct_7Hq2","headers":{"User-Agent":"42min-sdk/1.4","Accept":"application/json","Authorization":"Bearer pat_x"},"response_headers":{"X-Request-Id":"req_2N7s8x9KqR","X-RateLimit-Remaining":"118"},"bytes":1834}"#,
        r#"{"time_local":"14/May/2026:10:00:00 +0000","remote_addr":"10.0.3.7","request":"GET /v1/slots?date=2026-05-15 HTTP/1.1","request_method":"GET","request_uri":"/v1/slots?date=2026-05-15","status":"200","body_bytes_sent":"5123","request_time":"0.018","http_user_agent":"Mozilla/5.0","http_x_request_id":"edge-1","sent_http_x_request_id":"req_abc","request_id":"4d1c9a0b2e7f46e1","host":"api.availengine.com"}"#,
        r#"{"@timestamp":"2026-05-14T10:00:00.250Z","service":{"name":"bookings"},"event":{"duration":8500000,"outcome":"success"},"http":{"request":{"method":"POST"},"response":{"status_code":201,"body":{"content":"{\"data\":{\"uid\":\"bk_1\"},\"meta\":{\"request_id\":\"req_ok\"}}"}}},"url":{"path":"/v1/bookings"},"trace":{"id":"4bf92f3577b34da6a3ce929d0e0e4736"},"message":"POST /v1/bookings 201"}"#,
    ];
    let mut failures = vec![FLAT, ECS, OTEL, NGINX_DEFAULT, NGINX_JSON];
    failures.extend(success);
    (0..count)
        .map(|i| {
            let base = if i % 4 == 0 {
                failures[i / 4 % failures.len()]
            } else {
                success[i % 3]
            };
            base.replace("req_", &format!("req_{i:06}_"))
        })
        .collect()
}

#[test]
fn kong_style_request_and_response_objects() {
    let line = r#"{"started_at":1778752800123,"request":{"method":"POST","uri":"/v1/bookings?x=1","headers":{"idempotency-key":"k-kong","x-request-id":"kong-req","authorization":"Bearer pat_kong"}},"response":{"status":409,"headers":{"x-request-id":"api-req"},"body":"{\"error\":{\"code\":\"slot_unavailable\",\"message\":\"taken\"}}"},"latencies":{"request":33,"kong":2},"consumer":{"id":"c-9","username":"acme"},"service":{"name":"bookings"}}"#;
    let out = n(line);
    let e = &out.event;
    assert_eq!(
        errtriage::model::ts_millis::format(&e.ts),
        "2026-05-14T10:00:00.123Z"
    );
    assert_eq!(
        (e.method.as_deref(), e.path.as_deref()),
        (Some("POST"), Some("/v1/bookings"))
    );
    assert_eq!(e.status, Some(409));
    assert_eq!(
        e.code.as_deref(),
        Some("slot_unavailable"),
        "response.body inside response"
    );
    assert_eq!(
        e.request_id, "api-req",
        "the response's id, not the proxy's"
    );
    assert_eq!(e.idempotency_key.as_deref(), Some("k-kong"));
    assert_eq!(e.latency_ms, Some(33.0));
    assert_eq!(e.client.as_deref(), Some("c-9"));
    assert_eq!(e.service.as_deref(), Some("bookings"));
    assert_eq!(out.envelope, Envelope::ErrorObject);
}
