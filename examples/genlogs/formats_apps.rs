//! The application loggers and wrappers of [`super::Format`]: pino-http,
//! Serilog compact, Fluent Bit on Kubernetes and OTLP JSON (Docker's
//! json-file wraps the pino line). The proxies and clouds are in
//! formats.rs; both write what [`super::expected`] describes.

use serde_json::{Value, json};

use super::super::record::Record;
use super::{body_message, host, own_code, rfc3339_us, url};

/// pino-http's "request completed" line (the `err` of a failure carries
/// the API's code, as Node errors do; `clientId` from `customProps`).
pub(super) fn pino(rec: &Record) -> Value {
    let level = match rec.status {
        500.. => 50,
        400.. => 40,
        _ => 30,
    };
    let mut req_headers = json!({
        "host": host(rec),
        "user-agent": rec.agent,
    });
    if let Some(k) = &rec.key {
        req_headers["idempotency-key"] = json!(k);
    }
    let mut v = json!({
        "level": level,
        "time": rec.ts_us / 1000,
        "pid": 7,
        "hostname": format!("{}-6c9f7d8b5-q2xkz", rec.service.name()),
        "name": rec.service.name(),
        "clientId": rec.client,
        "req": {
            "id": rec.request_id,
            "method": rec.method,
            "url": url(rec),
            "headers": req_headers,
            "remoteAddress": "::ffff:10.8.1.22",
            "remotePort": 51324,
        },
        "res": {
            "statusCode": rec.status,
            "headers": {"content-type": "application/json; charset=utf-8", "x-request-id": rec.request_id},
        },
    });
    if rec.status >= 400 {
        let msg = body_message(rec);
        let mut err = json!({"type": "HttpError", "message": msg});
        if let Some(code) = own_code(rec) {
            err["code"] = json!(code);
        }
        err["stack"] = json!(format!(
            "HttpError: {msg}\n    at BookingController.handle (/app/dist/routes.js:88:13)"
        ));
        v["err"] = err;
    }
    v["responseTime"] = json!(rec.latency_us / 1000);
    v["msg"] = json!(if rec.status >= 500 {
        "request errored"
    } else {
        "request completed"
    });
    v
}

/// Serilog.AspNetCore's request-logging line in compact JSON (CLEF), with
/// the properties the app adds through `EnrichDiagnosticContext`.
pub(super) fn serilog(rec: &Record) -> Value {
    let elapsed = rec.latency_us as f64 / 1000.0;
    let mut v = json!({
        "@t": format!("{}0Z", &rfc3339_us(rec.ts_us)[..26]),
        "@mt": "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms",
        "@r": [format!("{elapsed:.4}")],
    });
    if rec.status >= 500 {
        v["@l"] = json!("Error");
    }
    v["@tr"] = json!(rec.trace_id);
    v["@sp"] = json!(rec.span_id);
    v["RequestMethod"] = json!(rec.method);
    v["RequestPath"] = json!(rec.path);
    v["StatusCode"] = json!(rec.status);
    v["Elapsed"] = json!(elapsed);
    v["SourceContext"] = json!("Serilog.AspNetCore.RequestLoggingMiddleware");
    v["RequestId"] = json!(rec.request_id);
    v["ConnectionId"] = json!(rec.request_id.split(':').next().unwrap_or(""));
    v["ClientId"] = json!(rec.client);
    if let Some(k) = &rec.key {
        v["IdempotencyKey"] = json!(k);
    }
    if let Some(code) = own_code(rec).filter(|_| rec.status >= 400) {
        v["ErrorCode"] = json!(code);
    }
    v["Application"] = json!(rec.service.name());
    v
}

/// Fluent Bit's tail + kubernetes filter: the service's own JSON line
/// (what the gateway wrapper writes) as the `log` string, pod metadata.
pub(super) fn kubernetes(rec: &Record) -> Value {
    let mut inner = Vec::new();
    super::super::render::render(rec, &mut inner);
    let name = rec.service.name();
    json!({
        "time": rfc3339_us(rec.ts_us + 1_204),
        "stream": "stdout",
        "_p": "F",
        "log": String::from_utf8_lossy(&inner),
        "kubernetes": {
            "pod_name": format!("{name}-6c9f7d8b5-q2xkz"),
            "namespace_name": "prod",
            "pod_id": "5f0c8a4e-3b1d-4f6a-9c2e-7d8b9a0e1f23",
            "labels": {"app": name, "pod-template-hash": "6c9f7d8b5"},
            "host": "gke-prod-pool-1-8a7c6b5d-x1z2",
            "container_name": name,
            "docker_id": "3f8e2a1c9b7d",
            "container_image": format!("registry.example.com/{name}:2026.05.1"),
        },
    })
}

fn kv(key: &str, value: Value) -> Value {
    json!({"key": key, "value": value})
}

fn s(v: &str) -> Value {
    json!({"stringValue": v})
}

/// One OTLP/JSON export request holding one log record, attributes named
/// after the HTTP semantic conventions (`error.type` for the code).
pub(super) fn otlp(rec: &Record) -> Value {
    let ns = (rec.ts_us * 1000).to_string();
    let mut attrs = vec![
        kv("http.request.method", s(rec.method)),
        kv("url.path", s(&rec.path)),
        kv(
            "http.response.status_code",
            json!({"intValue": rec.status.to_string()}),
        ),
        kv(
            "http.server.request.duration",
            json!({"doubleValue": rec.latency_us as f64 / 1e6}),
        ),
        kv("enduser.id", s(rec.client)),
        kv(
            "http.response.header.x-request-id",
            json!({"arrayValue": {"values": [s(&rec.request_id)]}}),
        ),
    ];
    if let Some(k) = &rec.key {
        attrs.push(kv(
            "http.request.header.idempotency-key",
            json!({"arrayValue": {"values": [s(k)]}}),
        ));
    }
    if let Some(code) = own_code(rec).filter(|_| rec.status >= 400) {
        attrs.push(kv("error.type", s(code)));
    }
    let (num, text_sev) = match rec.status {
        500.. => (17, "ERROR"),
        400.. => (13, "WARN"),
        _ => (9, "INFO"),
    };
    json!({"resourceLogs": [{
        "resource": {"attributes": [
            kv("service.name", s(rec.service.name())),
            kv("deployment.environment", s("production")),
        ]},
        "scopeLogs": [{
            "scope": {"name": format!("{}.http", rec.service.name())},
            "logRecords": [{
                "timeUnixNano": ns,
                "observedTimeUnixNano": ns,
                "severityNumber": num,
                "severityText": text_sev,
                "body": s(&format!("{} {} {}", rec.method, rec.path, rec.status)),
                "attributes": attrs,
                "traceId": rec.trace_id,
                "spanId": rec.span_id,
            }],
        }],
    }]})
}
