//! Other software's log formats: the same seed-API requests written the way
//! proxies, clouds, shippers and logging libraries write them (Envoy/Istio,
//! Traefik, Google Cloud `LogEntry`, Cloudflare Logpush, AWS API Gateway,
//! pino-http, Serilog compact, Docker `json-file` around a pino line,
//! Fluent Bit on Kubernetes around a service's own line, one OTLP JSON log
//! record per line). Each line follows its software's documentation (the
//! `docs` key of `src/normalize/formats/builtin/<name>.toml`), and
//! [`expected`] says what errtriage must read back from it: only what that
//! format carries (Envoy logs no response body, so a failure's code is
//! `http_<status>` or its response flag; API Gateway logs no request
//! headers, so no Idempotency-Key).
//!
//! [`write_all`] writes them into `formats/` (the bundled layout of
//! `sample-logs/`, and `genlogs --formats-only N`); the application loggers'
//! renderers are in formats_apps.rs.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use serde_json::{Value, json};

use super::apis::Service;
use super::record::{Ctx, Kind, Record, Style};
use super::text;
use super::traffic::{self, Traffic};

#[path = "formats_apps.rs"]
mod apps;
use apps::{kubernetes, otlp, pino, serilog};

/// A log format the generator can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Envoy,
    Traefik,
    Gcp,
    Cloudflare,
    ApiGateway,
    Pino,
    Serilog,
    Docker,
    Kubernetes,
    Otlp,
}

impl Format {
    /// The formats the numbered (benchmark) corpora mix into their files:
    /// those whose reading keeps the manifest's service, client and
    /// Idempotency-Key (Cloudflare logs no client, API Gateway its own ids).
    pub const MIXED: [Format; 8] = [
        Format::Envoy,
        Format::Traefik,
        Format::Gcp,
        Format::Pino,
        Format::Serilog,
        Format::Docker,
        Format::Kubernetes,
        Format::Otlp,
    ];

    pub const ALL: [Format; 10] = [
        Format::Envoy,
        Format::Traefik,
        Format::Gcp,
        Format::Cloudflare,
        Format::ApiGateway,
        Format::Pino,
        Format::Serilog,
        Format::Docker,
        Format::Kubernetes,
        Format::Otlp,
    ];

    /// The formats of the bundled `sample-logs/formats/`: every one.
    pub const BUNDLED: [Format; 10] = Format::ALL;

    /// The file it is written to, under the output directory.
    pub fn file(self) -> &'static str {
        match self {
            Format::Envoy => "formats/istio-proxy.log",
            Format::Traefik => "formats/traefik-access.log",
            Format::Gcp => "formats/gcp-cloud-run.jsonl",
            Format::Cloudflare => "formats/cloudflare-logpush.jsonl",
            Format::ApiGateway => "formats/aws-apigateway.log",
            Format::Pino => "formats/pino-http.log",
            Format::Serilog => "formats/serilog.clef",
            Format::Docker => "formats/docker-json-file.log",
            Format::Kubernetes => "formats/fluent-bit-k8s.log",
            Format::Otlp => "formats/otlp-logs.jsonl",
        }
    }

    /// The Event `format` errtriage names for it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Envoy => "envoy",
            Format::Traefik => "traefik",
            Format::Gcp => "gcp",
            Format::Cloudflare => "cloudflare",
            Format::ApiGateway => "apigateway",
            Format::Pino | Format::Docker => "pino",
            Format::Serilog => "serilog",
            Format::Kubernetes => "kubernetes",
            Format::Otlp => "otlp",
        }
    }
}

/// Give `rec` the request id its format's software assigns (Envoy's
/// x-request-id UUID, Cloudflare's RayID, API Gateway's requestId, ASP.NET
/// Core's `connection:counter`; the others log the service's own id). Fluent
/// Bit's inner line is the service's own flat JSON (the gateway wrapper's
/// shape), whatever wrapper the traffic drew.
pub fn adapt(f: Format, c: &mut Ctx, rec: &mut Record) {
    match f {
        Format::Kubernetes => rec.style = Style::Gateway,
        Format::Envoy | Format::ApiGateway => rec.request_id = c.uuid(),
        Format::Cloudflare => rec.request_id = ray_id(c),
        Format::Serilog => {
            // Kestrel's connection id (13 base-32 characters) and the
            // request's number on it; the uuid's counter half keeps it unique.
            let u = c.uuid().replace('-', "").to_ascii_uppercase();
            rec.request_id = format!("0H{}:{:08X}", &u[u.len() - 11..], c.range(1, 40));
        }
        _ => {}
    }
}

fn ray_id(c: &mut Ctx) -> String {
    let u = c.uuid().replace('-', "");
    u[u.len() - 16..].to_string()
}

/// The code errtriage reads from a line that carries no response body:
/// `http_<status>` for a failure, nothing for a success.
fn status_code(rec: &Record) -> Option<String> {
    (rec.status >= 400).then(|| format!("http_{}", rec.status))
}

/// The API's own code, when it has one (not a bare reason phrase).
fn own_code(rec: &Record) -> Option<&'static str> {
    rec.code.filter(|c| !c.starts_with("http_"))
}

/// The human message of the response body.
fn body_message(rec: &Record) -> String {
    let v: Value = serde_json::from_str(&rec.body).unwrap_or(Value::Null);
    for p in ["/error/message", "/message", "/detail", "/error"] {
        if let Some(s) = v.pointer(p).and_then(Value::as_str) {
            return s.to_string();
        }
    }
    format!("HTTP {}", rec.status)
}

fn url(rec: &Record) -> String {
    if rec.query.is_empty() {
        rec.path.clone()
    } else {
        format!("{}?{}", rec.path, rec.query)
    }
}

/// RFC 3339 with microseconds.
fn rfc3339_us(ts_us: i64) -> String {
    let ms = text::rfc3339_ms(ts_us);
    format!("{}{:03}Z", &ms[..ms.len() - 1], ts_us.rem_euclid(1000))
}

/// A stable 10-character id derived from a name (API ids, API key ids).
fn short_id(name: &str, seed: u64) -> String {
    const A: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut h = super::render::hash64(name, seed);
    (0..10)
        .map(|_| {
            let ch = A[(h % 36) as usize] as char;
            h /= 36;
            ch
        })
        .collect()
}

/// What errtriage must read from the line written for `rec` in `f`.
pub fn expected(f: Format, rec: &Record) -> Value {
    // API Gateway logs no request headers; the others log the key.
    let key = (f != Format::ApiGateway).then(|| rec.key.clone()).flatten();
    json!({
        "format": f.name(),
        "request_id": rec.request_id,
        "ts": text::rfc3339_ms(rec.ts_us),
        "service": service_as_logged(f, rec),
        "method": rec.method,
        "path": rec.path,
        "status": rec.status,
        "code": code_as_logged(f, rec),
        "latency_ms": latency_as_logged(f, rec),
        "idempotency_key": key,
        "client": client_as_logged(f, rec),
    })
}

/// The service as errtriage reads it from each format (Traefik's
/// `name@docker` is the name).
fn service_as_logged(f: Format, rec: &Record) -> String {
    let name = rec.service.name();
    match f {
        Format::Cloudflare => format!("{name}.example.com"),
        Format::ApiGateway => short_id(name, 1),
        _ => name.to_string(),
    }
}

/// The code the line carries: the API's own where the body (or an
/// application logger) is logged, else the proxy's or `http_<status>`.
pub fn code_as_logged(f: Format, rec: &Record) -> Option<String> {
    match f {
        Format::Envoy if rec.status == 504 => Some("UT".to_string()),
        Format::ApiGateway if rec.status == 504 => Some("INTEGRATION_TIMEOUT".to_string()),
        Format::Envoy | Format::Traefik | Format::Cloudflare | Format::ApiGateway => {
            status_code(rec)
        }
        Format::Gcp | Format::Kubernetes => rec.code.map(str::to_string),
        Format::Pino | Format::Docker | Format::Serilog | Format::Otlp => own_code(rec)
            .map(str::to_string)
            .or_else(|| status_code(rec)),
    }
}

/// The latency in ms at the precision the format's unit gives it.
fn latency_as_logged(f: Format, rec: &Record) -> f64 {
    let us = rec.latency_us;
    match f {
        // Whole milliseconds.
        Format::Envoy | Format::Cloudflare | Format::ApiGateway | Format::Pino | Format::Docker => {
            (us / 1000) as f64
        }
        // The service's own line: tenths of a millisecond.
        Format::Kubernetes => (us / 100) as f64 / 10.0,
        // Nanoseconds, seconds with six decimals, fractional ms.
        Format::Traefik | Format::Gcp | Format::Serilog | Format::Otlp => us as f64 / 1000.0,
    }
}

/// Who called: Cloudflare logs no client; API Gateway its API key's id.
fn client_as_logged(f: Format, rec: &Record) -> Option<String> {
    match f {
        Format::Cloudflare => None,
        Format::ApiGateway => Some(short_id(rec.client, 2)),
        _ => Some(rec.client.to_string()),
    }
}

/// Append the line for `rec` in format `f` (without the newline).
pub fn render(f: Format, rec: &Record, out: &mut Vec<u8>) {
    let v = match f {
        Format::Envoy => envoy(rec),
        Format::Traefik => traefik(rec),
        Format::Gcp => gcp(rec),
        Format::Cloudflare => cloudflare(rec),
        Format::ApiGateway => apigateway(rec),
        Format::Pino => pino(rec),
        Format::Serilog => serilog(rec),
        Format::Docker => json!({
            "log": format!("{}\n", pino(rec)),
            "stream": "stdout",
            "time": format!("{}417Z", &rfc3339_us(rec.ts_us + 180)[..26]),
        }),
        Format::Kubernetes => kubernetes(rec),
        Format::Otlp => otlp(rec),
    };
    out.extend_from_slice(v.to_string().as_bytes());
}

fn host(rec: &Record) -> String {
    format!("{}.internal", rec.service.name())
}

/// Istio's default JSON access log, with the two request headers a mesh
/// operator adds in `meshConfig.accessLogFormat` (`%REQ(IDEMPOTENCY-KEY)%`,
/// `%REQ(X-CLIENT-ID)%`). Envoy's own timeout is response flag `UT`.
fn envoy(rec: &Record) -> Value {
    let timeout = rec.status == 504;
    let ms = rec.latency_us / 1000;
    json!({
        "authority": format!("{}:8080", host(rec)),
        "bytes_received": if rec.method == "GET" { 0 } else { 412 },
        "bytes_sent": rec.body.len(),
        "downstream_local_address": "10.8.3.14:8080",
        "downstream_remote_address": "10.8.1.22:51324",
        "duration": ms,
        "method": rec.method,
        "path": url(rec),
        "protocol": "HTTP/1.1",
        "request_id": rec.request_id,
        "requested_server_name": null,
        "response_code": rec.status,
        "response_code_details": if timeout { "upstream_response_timeout" } else { "via_upstream" },
        "response_flags": if timeout { "UT" } else { "-" },
        "route_name": "default",
        "start_time": text::rfc3339_ms(rec.ts_us),
        "upstream_cluster": format!("inbound|8080||{}.prod.svc.cluster.local", rec.service.name()),
        "upstream_host": if timeout { Value::Null } else { json!("10.8.3.14:8080") },
        "upstream_service_time": if timeout { Value::Null } else { json!(ms.saturating_sub(1).to_string()) },
        "user_agent": rec.agent,
        "x_forwarded_for": null,
        "idempotency_key": rec.key,
        "x_client_id": rec.client,
    })
}

/// Traefik's JSON access log with `fields.headers.names` keeping
/// Idempotency-Key and X-Request-Id; the client authenticates with basic
/// auth (`ClientUsername`). `Duration` is nanoseconds.
fn traefik(rec: &Record) -> Value {
    let ns = rec.latency_us * 1000;
    let mut v = json!({
        "ClientAddr": "192.0.2.41:50312",
        "ClientHost": "192.0.2.41",
        "ClientPort": "50312",
        "ClientUsername": rec.client,
        "DownstreamContentSize": rec.body.len(),
        "DownstreamStatus": rec.status,
        "Duration": ns,
        "OriginContentSize": rec.body.len(),
        "OriginDuration": ns.saturating_sub(212_000),
        "OriginStatus": rec.status,
        "Overhead": 212_000,
        "RequestAddr": format!("{}.example.com", rec.service.name()),
        "RequestContentSize": if rec.method == "GET" { 0 } else { 412 },
        "RequestCount": 1,
        "RequestHost": format!("{}.example.com", rec.service.name()),
        "RequestMethod": rec.method,
        "RequestPath": url(rec),
        "RequestPort": "-",
        "RequestProtocol": "HTTP/1.1",
        "RequestScheme": "https",
        "RetryAttempts": 0,
        "RouterName": format!("{}@docker", rec.service.name()),
        "ServiceAddr": "10.0.5.12:8080",
        "ServiceName": format!("{}@docker", rec.service.name()),
        "ServiceURL": "http://10.0.5.12:8080",
        "StartLocal": rfc3339_us(rec.ts_us),
        "StartUTC": rfc3339_us(rec.ts_us),
        "entryPointName": "websecure",
        "level": "info",
        "msg": "",
        "request_User-Agent": rec.agent,
    });
    if let Some(k) = &rec.key {
        v["request_Idempotency-Key"] = json!(k);
    }
    v["downstream_X-Request-Id"] = json!(rec.request_id);
    v["time"] = json!(text::rfc3339_ms(rec.ts_us + rec.latency_us as i64)[..19].to_string() + "Z");
    v
}

/// A Cloud Run service's structured log line as Cloud Logging stores it:
/// the `httpRequest` special field, the rest in `jsonPayload`.
fn gcp(rec: &Record) -> Value {
    let body: Value = serde_json::from_str(&rec.body).unwrap_or(Value::Null);
    let severity = match rec.status {
        500.. => "ERROR",
        400.. => "WARNING",
        _ => "INFO",
    };
    let mut payload = json!({
        "message": format!("{} {} {}", rec.method, rec.path, rec.status),
        "request_id": rec.request_id,
        "client_id": rec.client,
    });
    if let Some(k) = &rec.key {
        payload["idempotency_key"] = json!(k);
    }
    if rec.status >= 400 && !body.is_null() {
        payload["response_body"] = body;
    }
    json!({
        "insertId": &rec.span_id[..12],
        "jsonPayload": payload,
        "httpRequest": {
            "requestMethod": rec.method,
            "requestUrl": format!("https://{}-x7k2q4pzta-ew.a.run.app{}", rec.service.name(), url(rec)),
            "status": rec.status,
            "responseSize": rec.body.len().to_string(),
            "userAgent": rec.agent,
            "remoteIp": "198.51.100.23",
            "latency": format!("{}.{:06}s", rec.latency_us / 1_000_000, rec.latency_us % 1_000_000),
            "protocol": "HTTP/1.1",
        },
        "resource": {
            "type": "cloud_run_revision",
            "labels": {
                "service_name": rec.service.name(),
                "revision_name": format!("{}-00042-xuz", rec.service.name()),
                "location": "europe-west1",
                "project_id": "booking-prod",
                "configuration_name": rec.service.name(),
            },
        },
        "timestamp": rfc3339_us(rec.ts_us),
        "severity": severity,
        "logName": "projects/booking-prod/logs/run.googleapis.com%2Fstdout",
        "trace": format!("projects/booking-prod/traces/{}", rec.trace_id),
        "spanId": rec.span_id,
        "traceSampled": true,
        "receiveTimestamp": rfc3339_us(rec.ts_us + rec.latency_us as i64 + 41_337),
    })
}

/// Logpush `http_requests` with `timestamp_format=rfc3339` and the
/// Idempotency-Key request header added as a custom field.
fn cloudflare(rec: &Record) -> Value {
    let mut req_headers = json!({});
    if let Some(k) = &rec.key {
        req_headers["idempotency-key"] = json!(k);
    }
    let ms = rec.latency_us / 1000;
    json!({
        "CacheCacheStatus": "dynamic",
        "ClientCountry": "de",
        "ClientIP": "203.0.113.87",
        "ClientRequestHost": format!("{}.example.com", rec.service.name()),
        "ClientRequestMethod": rec.method,
        "ClientRequestPath": rec.path,
        "ClientRequestProtocol": "HTTP/2",
        "ClientRequestURI": url(rec),
        "ClientRequestUserAgent": rec.agent,
        "EdgeEndTimestamp": text::rfc3339_ms(rec.ts_us + rec.latency_us as i64)[..19].to_string() + "Z",
        "EdgeResponseBytes": rec.body.len() + 310,
        "EdgeResponseStatus": rec.status,
        "EdgeStartTimestamp": text::rfc3339_ms(rec.ts_us),
        "EdgeTimeToFirstByteMs": ms,
        "OriginResponseDurationMs": ms.saturating_sub(3),
        "OriginResponseStatus": rec.status,
        "RayID": rec.request_id,
        "RequestHeaders": req_headers,
        "SecurityAction": "",
        "ZoneName": "example.com",
    })
}

/// A REST API stage's access log in AWS's JSON example format, with the
/// API key's id; values are `$context` variables, written as strings.
fn apigateway(rec: &Record) -> Value {
    let timeout = rec.status == 504;
    let ms = rec.latency_us / 1000;
    json!({
        "requestId": rec.request_id,
        "extendedRequestId": format!("{}=", &rec.span_id[..14]),
        "ip": "203.0.113.12",
        "caller": "-",
        "user": "-",
        "requestTime": text::nginx_local(rec.ts_us),
        "requestTimeEpoch": (rec.ts_us / 1000).to_string(),
        "httpMethod": rec.method,
        "resourcePath": rec.route.replace("{ses}", "{sessionId}"),
        "path": rec.path,
        "status": rec.status.to_string(),
        "protocol": "HTTP/1.1",
        "responseLength": rec.body.len().to_string(),
        "responseLatency": ms.to_string(),
        "integrationLatency": if timeout { "29000".to_string() } else { ms.saturating_sub(2).to_string() },
        "apiId": short_id(rec.service.name(), 1),
        "apiKeyId": short_id(rec.client, 2),
        "errorResponseType": if timeout { "INTEGRATION_TIMEOUT" } else { "-" },
        "errorMessage": if timeout { "Endpoint request timed out" } else { "-" },
        "xrayTraceId": format!("Root=1-{}-{}", &rec.trace_id[..8], &rec.trace_id[8..]),
    })
}

/// Write `per_format` random seed-API requests in each of `formats` under
/// `dir/formats/`, at business hours of the corpus's four days, and return
/// the manifest section: per file, and per line what errtriage must read.
pub fn write_all(
    dir: &Path,
    seed: u64,
    start_us: i64,
    formats: &[Format],
    per_format: usize,
) -> io::Result<Value> {
    let mut t = Traffic::new(seed ^ 0x0F0A_7F0A_7F0A_7F0A);
    let (mut files, mut lines) = (Vec::new(), Vec::new());
    let mut codes: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for &f in formats {
        let mut times: Vec<i64> = (0..per_format)
            .map(|_| traffic::business_time(&mut t.ctx, start_us, 0..=3))
            .collect();
        times.sort_unstable();
        let path = dir.join(f.file());
        std::fs::create_dir_all(path.parent().expect("formats/"))?;
        let mut w = io::BufWriter::new(std::fs::File::create(&path)?);
        let mut bytes = 0;
        for (i, ts) in times.into_iter().enumerate() {
            let mut rec = loop {
                let r = t.random(ts);
                if r.misc.is_none() && r.kind == Kind::Access && is_seed(r.service) {
                    break r;
                }
            };
            adapt(f, &mut t.ctx, &mut rec);
            let mut line = Vec::with_capacity(2048);
            render(f, &rec, &mut line);
            line.push(b'\n');
            w.write_all(&line)?;
            bytes += line.len();
            let mut want = expected(f, &rec);
            if let (Some(s), Some(c)) = (want["service"].as_str(), want["code"].as_str()) {
                *codes
                    .entry(s.into())
                    .or_default()
                    .entry(c.into())
                    .or_default() += 1;
            }
            want["file"] = json!(f.file());
            want["line"] = json!(i + 1);
            lines.push(want);
        }
        w.flush()?;
        files.push(json!({"path": f.file(), "format": f.name(), "lines": per_format, "bytes_uncompressed": bytes}));
    }
    Ok(json!({"total": lines.len(), "files": files, "codes": codes, "lines": lines}))
}

/// Seed-API services only: the misc services have no client or key.
fn is_seed(service: Service) -> bool {
    !matches!(service, Service::Integrations | Service::Admin)
}
