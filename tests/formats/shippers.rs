//! Shippers and wrappers: the application's own line inside, read by its
//! own format; the wrapper fills what the line lacks.

use serde_json::json;

use super::{assert_fields, event};

/// Wrap a line as Docker's json-file driver does.
fn docker(inner: &str, time: &str) -> String {
    json!({"log": format!("{inner}\n"), "stream": "stdout", "time": time}).to_string()
}

#[test]
fn docker_json_file_wrapping_three_formats_reads_each_line_right() {
    let pino = r#"{"level":50,"time":1778752800123,"pid":1,"hostname":"h","reqId":"p-1","res":{"statusCode":502},"responseTime":46,"msg":"bad gateway"}"#;
    let serilog = r#"{"@t":"2026-05-14T10:00:01.5Z","@mt":"Charge {ChargeId} declined","ChargeId":"ch_1","RequestId":"0HLVPJD8N8PG5:00000009","StatusCode":402}"#;
    let envoy = r#"{"start_time":"2026-05-14T10:00:02.000Z","method":"GET","path":"/v1/slots","response_code":200,"duration":7,"request_id":"env-1","authority":"slots.internal"}"#;
    let file = [
        docker(pino, "2026-05-14T10:00:09.000000001Z"),
        docker(serilog, "2026-05-14T10:00:09.000000002Z"),
        docker(envoy, "2026-05-14T10:00:09.000000003Z"),
        docker("plain text from the container", "2026-05-14T10:00:03.25Z"),
    ];
    assert_fields(
        &file[0],
        json!({"format": "pino", "ts": "2026-05-14T10:00:00.123Z", "status": 502,
            "code": "http_502", "request_id": "p-1", "latency_ms": 46.0,
            "message": "bad gateway"}),
    );
    assert_fields(
        &file[1],
        json!({"format": "serilog", "ts": "2026-05-14T10:00:01.500Z", "status": 402,
            "code": "http_402", "request_id": "0HLVPJD8N8PG5:00000009",
            "message": "Charge ch_1 declined"}),
    );
    assert_fields(
        &file[2],
        json!({"format": "envoy", "ts": "2026-05-14T10:00:02.000Z", "status": 200,
            "request_id": "env-1", "method": "GET", "path": "/v1/slots", "latency_ms": 7.0,
            "service": "slots"}),
    );
    assert_fields(
        &file[3],
        json!({"format": "docker", "ts": "2026-05-14T10:00:03.250Z",
            "message": "plain text from the container"}),
    );
    // Every line keeps the whole wrapper as its raw line.
    assert_eq!(event(&file[0]).raw, file[0]);
}

#[test]
fn kubernetes_fluent_bit_takes_the_service_from_the_app_label() {
    let line = r#"{"log":"{\"level\":\"info\",\"msg\":\"charged\",\"time\":\"2026-05-14T10:00:00Z\",\"request_id\":\"k8s-req-1\",\"status\":201}\n","stream":"stdout","time":"2026-05-14T10:00:00.9Z","kubernetes":{"pod_name":"payments-7d9f","namespace_name":"prod","labels":{"app":"payments"},"container_name":"payments-api"}}"#;
    assert_fields(
        line,
        json!({"format": "slog", "ts": "2026-05-14T10:00:00.000Z", "status": 201,
            "request_id": "k8s-req-1", "service": "payments", "message": "charged"}),
    );
    // Vector: `message`, container name when there is no app label.
    let vector = r#"{"message":"{\"status\":504,\"request_id\":\"vec-1\",\"error\":\"upstream timeout\"}","timestamp":"2026-05-14T10:00:01Z","kubernetes":{"container_name":"gateway","pod_labels":{}}}"#;
    assert_fields(
        vector,
        json!({"format": "kubernetes", "ts": "2026-05-14T10:00:01.000Z", "status": 504,
            "code": "http_504", "request_id": "vec-1", "service": "gateway",
            "message": "upstream timeout"}),
    );
}

#[test]
fn journald_export_microseconds_and_unit() {
    let line = r#"{"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1778752800123456","__MONOTONIC_TIMESTAMP":"123","_BOOT_ID":"b","PRIORITY":"3","_SYSTEMD_UNIT":"bookings.service","SYSLOG_IDENTIFIER":"bookings","MESSAGE":"upstream timeout after 30s","_HOSTNAME":"h"}"#;
    assert_fields(
        line,
        json!({"format": "journald", "ts": "2026-05-14T10:00:00.123Z",
            "service": "bookings.service", "message": "upstream timeout after 30s"}),
    );
}

#[test]
fn cloudwatch_event_and_logstash_event_wrap_the_app_line() {
    let cw = r#"{"logStreamName":"bookings/web/abc","timestamp":1778752800123,"message":"{\"requestId\":\"cw-1\",\"status\":500,\"error\":{\"code\":\"INTERNAL\",\"message\":\"boom\"}}","ingestionTime":1778752801000,"eventId":"3695"}"#;
    assert_fields(
        cw,
        json!({"format": "cloudwatch", "ts": "2026-05-14T10:00:00.123Z", "status": 500,
            "code": "INTERNAL", "request_id": "cw-1", "message": "boom",
            "service": "bookings/web/abc"}),
    );
    let filebeat = r#"{"@timestamp":"2026-05-14T10:00:00.123Z","agent":{"type":"filebeat","version":"8.13.0"},"log":{"file":{"path":"/var/log/app.log"}},"message":"{\"level\":\"error\",\"msg\":\"lock timeout\",\"request_id\":\"fb-1\"}","service":{"name":"bookings"}}"#;
    assert_fields(
        filebeat,
        json!({"format": "slog", "ts": "2026-05-14T10:00:00.123Z", "request_id": "fb-1",
            "service": "bookings", "message": "lock timeout"}),
    );
}

#[test]
fn datadog_export() {
    let line = r#"{"date":"2026-05-14T10:00:00.123Z","host":"i-0abc","service":"bookings","status":"error","message":"POST /v1/bookings 409","attributes":{"http":{"status_code":409,"method":"POST","url_details":{"path":"/v1/bookings"},"request_id":"dd-req-1"},"duration":46000000,"usr":{"id":"acct_7"}}}"#;
    assert_fields(
        line,
        json!({"format": "datadog", "ts": "2026-05-14T10:00:00.123Z", "status": 409,
            "code": "http_409", "request_id": "dd-req-1", "method": "POST",
            "path": "/v1/bookings", "latency_ms": 46.0, "service": "bookings",
            "client": "acct_7", "message": "POST /v1/bookings 409"}),
    );
}

#[test]
fn gcp_structured_logging_special_fields() {
    // As an app on Cloud Run writes it for Cloud Logging to promote.
    let line = r#"{"severity":"ERROR","message":"charge failed: upstream timeout","timestamp":{"seconds":1778752800,"nanos":0},"logging.googleapis.com/trace":"projects/my-proj/traces/06796866738c859f2f19b7cfb3214824","logging.googleapis.com/labels":{"request_id":"gcs-req-1"},"serviceContext":{"service":"payments"},"httpRequest":{"requestMethod":"POST","requestUrl":"https://pay.example.com/v1/charges?x=1","status":504,"latency":"30.002s"}}"#;
    assert_fields(
        line,
        json!({"format": "gcp-structured", "ts": "2026-05-14T10:00:00.000Z", "status": 504,
            "code": "http_504", "request_id": "gcs-req-1", "method": "POST",
            "path": "/v1/charges", "latency_ms": 30002.0, "service": "payments",
            "trace_id": "06796866738c859f2f19b7cfb3214824",
            "message": "charge failed: upstream timeout"}),
    );
}
