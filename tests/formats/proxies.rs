//! Proxies, gateways and clouds.

use serde_json::json;

use super::{assert_fields, event};

#[test]
fn envoy_istio_default_json() {
    // Istio's default JSON access log keys (response_code, response_flags,
    // request_id, authority, upstream_host, duration in ms).
    let line = r#"{"start_time":"2026-05-14T10:00:00.123Z","route_name":"default","method":"POST","path":"/v1/bookings?dry=1","protocol":"HTTP/1.1","response_code":503,"response_flags":"UF","response_code_details":"upstream_reset_before_response_started{connection_failure}","bytes_received":120,"bytes_sent":91,"duration":46,"upstream_service_time":null,"x_forwarded_for":"10.0.0.1","user_agent":"curl/8.0","request_id":"5c2b1a2e-7f3c-4d1e-9a8b-0c1d2e3f4a5b","authority":"bookings.default.svc.cluster.local:8080","upstream_host":"10.1.2.3:8080","upstream_cluster":"outbound|8080||bookings.default.svc.cluster.local"}"#;
    assert_fields(
        line,
        json!({"format": "envoy", "ts": "2026-05-14T10:00:00.123Z", "status": 503, "code": "UF",
            "request_id": "5c2b1a2e-7f3c-4d1e-9a8b-0c1d2e3f4a5b", "method": "POST",
            "path": "/v1/bookings", "latency_ms": 46.0, "service": "bookings"}),
    );
}

#[test]
fn envoy_custom_keys_as_strings_and_dashes() {
    // A custom json_format: x_request_id, strings for numbers, "-" for unset flags.
    let line = r#"{"start_time":"2026-05-14T10:00:01.000Z","method":"GET","path":"/v1/slots","response_code":"200","response_flags":"-","duration":"12","x_request_id":"req_env_2","authority":"api.example.com","upstream_host":"10.1.2.3:8080"}"#;
    assert_fields(
        line,
        json!({"format": "envoy", "ts": "2026-05-14T10:00:01.000Z", "status": 200,
            "request_id": "req_env_2", "method": "GET", "path": "/v1/slots",
            "latency_ms": 12.0, "service": "api"}),
    );
}

#[test]
fn traefik_json_duration_is_nanoseconds() {
    let line = r#"{"ClientAddr":"10.0.0.1:52000","ClientHost":"10.0.0.1","ClientPort":"52000","ClientUsername":"-","DownstreamContentSize":58,"DownstreamStatus":409,"Duration":46123456,"OriginContentSize":58,"OriginDuration":45000000,"OriginStatus":409,"Overhead":1123456,"RequestAddr":"api.example.com","RequestContentSize":0,"RequestCount":17,"RequestHost":"api.example.com","RequestMethod":"POST","RequestPath":"/v1/bookings?dry=1","RequestPort":"-","RequestProtocol":"HTTP/2.0","RequestScheme":"https","RetryAttempts":0,"RouterName":"bookings@docker","ServiceName":"bookings@docker","StartLocal":"2026-05-14T12:00:00.5+02:00","StartUTC":"2026-05-14T10:00:00.5Z","entryPointName":"websecure","level":"info","msg":"","time":"2026-05-14T10:00:00Z","request_X-Request-Id":"req_tr_001","downstream_Content-Type":"application/json"}"#;
    assert_fields(
        line,
        json!({"format": "traefik", "ts": "2026-05-14T10:00:00.500Z", "status": 409,
            "code": "http_409", "request_id": "req_tr_001", "method": "POST",
            "path": "/v1/bookings", "latency_ms": 46.123456, "service": "bookings"}),
    );
}

#[test]
fn caddy_duration_is_seconds_and_ids_come_from_headers() {
    let line = r#"{"level":"error","ts":1778752800.25,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"10.0.0.9","remote_port":"41000","client_ip":"10.0.0.9","proto":"HTTP/2.0","method":"GET","host":"api.example.com","uri":"/v1/slots?day=3","headers":{"User-Agent":["curl/8.0"],"X-Request-Id":["req_caddy_1"],"Idempotency-Key":["key-77"]}},"bytes_read":0,"user_id":"","duration":0.046,"size":31,"status":502,"resp_headers":{"Server":["Caddy"],"Content-Type":["application/json"]}}"#;
    assert_fields(
        line,
        json!({"format": "caddy", "ts": "2026-05-14T10:00:00.250Z", "status": 502,
            "code": "http_502", "request_id": "req_caddy_1", "method": "GET",
            "path": "/v1/slots", "latency_ms": 46.0, "service": "api",
            "message": "handled request", "idempotency_key": "key-77"}),
    );
}

#[test]
fn kong_http_log() {
    let line = r#"{"request":{"method":"POST","uri":"/v1/pay?x=1","url":"http://kong:8000/v1/pay?x=1","size":"75","querystring":{},"headers":{"host":"kong:8000","x-consumer-username":"acme"}},"upstream_uri":"/pay","response":{"status":429,"size":"434","headers":{"x-kong-request-id":"kong-req-5","retry-after":"3"}},"tries":[],"authenticated_entity":{"id":"e7b1"},"route":{"name":"pay-route"},"service":{"name":"payments","host":"payments.internal"},"consumer":{"username":"acme"},"latencies":{"proxy":40,"kong":6,"request":46},"client_ip":"127.0.0.1","started_at":1778752800123}"#;
    assert_fields(
        line,
        json!({"format": "kong", "ts": "2026-05-14T10:00:00.123Z", "status": 429,
            "code": "http_429", "request_id": "kong-req-5", "method": "POST", "path": "/v1/pay",
            "latency_ms": 46.0, "service": "payments", "client": "acme"}),
    );
}

#[test]
fn haproxy_json_log_format() {
    let line = r#"{"timestamp":"2026-05-14T10:00:00.123Z","frontend_name":"fe_api","backend_name":"be_bookings","server_name":"srv1","status_code":504,"time_total":46,"unique_id":"0A000001:C2A0_0A000002:1F90_6A05C7A0_0001","http_request":"POST /v1/bookings?x=1 HTTP/1.1","client_ip":"10.0.0.1"}"#;
    assert_fields(
        line,
        json!({"format": "haproxy", "ts": "2026-05-14T10:00:00.123Z", "status": 504,
            "code": "http_504", "request_id": "0A000001:C2A0_0A000002:1F90_6A05C7A0_0001",
            "method": "POST", "path": "/v1/bookings", "latency_ms": 46.0, "service": "be_bookings"}),
    );
}

#[test]
fn api_gateway_rest_with_clf_time() {
    let line = r#"{"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","ip":"203.0.113.7","caller":"-","user":"-","requestTime":"14/May/2026:10:00:00 +0000","httpMethod":"POST","resourcePath":"/v1/bookings/{id}","status":"502","protocol":"HTTP/1.1","responseLength":"36","integrationLatency":"29","responseLatency":"46","xrayTraceId":"1-5759e988-bd862e3fe1be46a994272793","errorMessage":"Internal server error","errorResponseType":"INTEGRATION_FAILURE"}"#;
    assert_fields(
        line,
        json!({"format": "apigateway", "ts": "2026-05-14T10:00:00.000Z", "status": 502,
            "code": "INTEGRATION_FAILURE", "message": "Internal server error",
            "request_id": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "method": "POST",
            "path": "/v1/bookings/{id}", "latency_ms": 46.0,
            "trace_id": "1-5759e988-bd862e3fe1be46a994272793"}),
    );
}

#[test]
fn api_gateway_http_api_with_epoch_time() {
    let line = r#"{"requestId":"Jf8bVhJ4IAMEMjw=","ip":"203.0.113.7","requestTime":"14/May/2026:10:00:00 +0000","requestTimeEpoch":1778752800123,"httpMethod":"GET","routeKey":"GET /pets","path":"/pets","status":"200","protocol":"HTTP/1.1","responseLength":"12","apiId":"a1b2c3"}"#;
    assert_fields(
        line,
        json!({"format": "apigateway", "ts": "2026-05-14T10:00:00.123Z", "status": 200,
            "request_id": "Jf8bVhJ4IAMEMjw=", "method": "GET", "path": "/pets",
            "service": "a1b2c3"}),
    );
}

#[test]
fn gcp_log_entry_reads_http_request_trace_and_json_payload() {
    let line = r#"{"insertId":"abc123","jsonPayload":{"message":"slot already taken","error":{"code":"slot_unavailable"},"request_id":"req_gcp_1"},"httpRequest":{"requestMethod":"POST","requestUrl":"https://api.example.com/v1/bookings?x=1","status":409,"latency":"0.046s","remoteIp":"1.2.3.4"},"resource":{"type":"cloud_run_revision","labels":{"service_name":"bookings","revision_name":"bookings-00001","location":"europe-west1","project_id":"p"}},"timestamp":"2026-05-14T10:00:00.123456Z","severity":"ERROR","logName":"projects/p/logs/run.googleapis.com%2Fstdout","trace":"projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","receiveTimestamp":"2026-05-14T10:00:00.2Z"}"#;
    assert_fields(
        line,
        json!({"format": "gcp", "ts": "2026-05-14T10:00:00.123Z", "status": 409,
            "code": "slot_unavailable", "message": "slot already taken",
            "request_id": "req_gcp_1", "method": "POST", "path": "/v1/bookings",
            "latency_ms": 46.0, "service": "bookings",
            "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"}),
    );
}

#[test]
fn gcp_load_balancer_entry_without_payload() {
    let line = r#"{"insertId":"x1","httpRequest":{"requestMethod":"GET","requestUrl":"https://api.example.com/v1/slots","status":503,"latency":"0.5s"},"resource":{"type":"http_load_balancer","labels":{"backend_service_name":"bookings-be"}},"timestamp":"2026-05-14T10:00:02Z","logName":"projects/p/logs/requests","trace":"projects/p/traces/0af7651916cd43dd8448eb211c80319c"}"#;
    assert_fields(
        line,
        json!({"format": "gcp", "ts": "2026-05-14T10:00:02.000Z", "status": 503,
            "code": "http_503", "method": "GET", "path": "/v1/slots", "latency_ms": 500.0,
            "service": "bookings-be", "trace_id": "0af7651916cd43dd8448eb211c80319c"}),
    );
}

#[test]
fn cloudflare_logpush_in_its_three_time_formats() {
    let body = r#""ClientIP":"203.0.113.7","ClientRequestHost":"api.example.com","ClientRequestMethod":"POST","ClientRequestURI":"/v1/bookings?x=1","ClientRequestPath":"/v1/bookings","EdgeResponseStatus":429,"OriginResponseStatus":0,"EdgeTimeToFirstByteMs":47,"RayID":"8c1f2e3d4a5b6c7d","RequestHeaders":{"x-request-id":"req_cf_9"},"ResponseHeaders":{}"#;
    for (ts, want) in [
        ("1778752800123000000", "2026-05-14T10:00:00.123Z"),
        ("1778752800", "2026-05-14T10:00:00.000Z"),
        ("\"2026-05-14T10:00:00Z\"", "2026-05-14T10:00:00.000Z"),
    ] {
        let line = format!("{{{body},\"EdgeStartTimestamp\":{ts}}}");
        assert_fields(
            &line,
            json!({"format": "cloudflare", "ts": want, "status": 429, "code": "http_429",
                "request_id": "8c1f2e3d4a5b6c7d", "method": "POST", "path": "/v1/bookings",
                "latency_ms": 47.0, "service": "api.example.com"}),
        );
    }
}

#[test]
fn azure_front_door_and_app_gateway() {
    let fd = r#"{"time":"2026-05-14T10:00:00.1230000Z","resourceId":"/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CDN/PROFILES/FD","category":"FrontDoorAccessLog","operationName":"Microsoft.Cdn/Profiles/AccessLog/Write","properties":{"trackingReference":"08Q3gXgAAAAAe0s71BET/QYwmqtpHO7uAU0pDRURHRTA1MDgANjMxNTAwZDAtOTRiNS00YzIwLTljY2YtNjFhNzMyOWQyYTgy","httpMethod":"GET","httpVersion":"2.0.0.0","requestUri":"https://api.example.com:443/v1/slots?x=1","hostName":"api.example.com","requestBytes":"715","responseBytes":"380","userAgent":"curl/8.0","clientIp":"203.0.113.7","timeTaken":"0.046","httpStatusCode":"504","pop":"AMS"}}"#;
    assert_fields(
        fd,
        json!({"format": "azure", "ts": "2026-05-14T10:00:00.123Z", "status": 504,
            "code": "http_504", "method": "GET", "path": "/v1/slots", "latency_ms": 46.0,
            "service": "api.example.com",
            "request_id": "08Q3gXgAAAAAe0s71BET/QYwmqtpHO7uAU0pDRURHRTA1MDgANjMxNTAwZDAtOTRiNS00YzIwLTljY2YtNjFhNzMyOWQyYTgy"}),
    );
    let agw = r#"{"timeStamp":"2026-05-14T10:00:01+00:00","resourceId":"/SUBSCRIPTIONS/X/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/APPLICATIONGATEWAYS/AGW","operationName":"ApplicationGatewayAccess","category":"ApplicationGatewayAccessLog","properties":{"instanceId":"appgw_1","clientIP":"203.0.113.7","httpMethod":"POST","requestUri":"/v1/bookings","userAgent":"curl/8.0","httpStatus":201,"httpVersion":"HTTP/1.1","receivedBytes":65,"sentBytes":553,"timeTaken":0.012,"transactionId":"592d1649f75a8d480a3c4dc6a975309d","host":"api.example.com"}}"#;
    assert_fields(
        agw,
        json!({"format": "azure", "ts": "2026-05-14T10:00:01.000Z", "status": 201,
            "method": "POST", "path": "/v1/bookings", "latency_ms": 12.0,
            "service": "api.example.com", "request_id": "592d1649f75a8d480a3c4dc6a975309d"}),
    );
}

#[test]
fn a_format_never_reads_worse_than_the_probe() {
    // Envoy names no idempotency key or client here; the probe's headers and
    // body reading still fill them, and the body's code beats http_409.
    let line = r#"{"start_time":"2026-05-14T10:00:00.000Z","method":"POST","path":"/v1/bookings","response_code":409,"duration":5,"x_request_id":"req_env_3","headers":{"Idempotency-Key":"k-1"},"response_body":"{\"error\":{\"code\":\"slot_unavailable\",\"message\":\"taken\"}}","account_id":"acct_9"}"#;
    let e = event(line);
    assert_eq!(e.format.as_deref(), Some("envoy"));
    assert_eq!(e.idempotency_key.as_deref(), Some("k-1"));
    assert_eq!(e.client.as_deref(), Some("acct_9"));
    assert_eq!(e.code.as_deref(), Some("slot_unavailable"));
    assert_eq!(e.message.as_deref(), Some("taken"));
    assert_eq!(e.request_id, "req_env_3");
}

#[test]
fn secrets_read_by_a_format_are_redacted_like_the_probes() {
    // Issue 13's term redaction applies after the format's reading too.
    let line = r#"{"start_time":"2026-05-14T10:00:00Z","response_code":401,"x_request_id":"sk_live_51HxYzABCdefGHIJ","path":"/v1/keys/sk_live_51HxYzABCdefGHIJ/rotate","method":"POST"}"#;
    let e = event(line);
    assert_eq!(e.format.as_deref(), Some("envoy"));
    assert_eq!(e.request_id, "sk_live_[REDACTED]");
    assert_eq!(
        e.path.as_deref(),
        Some("/v1/keys/sk_live_[REDACTED]/rotate")
    );
}

#[test]
fn the_route_follows_the_path_a_format_read() {
    let line = r#"{"DownstreamStatus":404,"RequestMethod":"GET","RequestPath":"/v2/bookings/bkg_7Hq2xY9kLm3N","StartUTC":"2026-05-14T10:00:00Z","Duration":1000000}"#;
    let e = event(line);
    assert_eq!(e.path.as_deref(), Some("/v2/bookings/bkg_7Hq2xY9kLm3N"));
    assert_eq!(e.route.as_deref(), Some("/v2/bookings/{id}"));
}
