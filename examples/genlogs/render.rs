//! Wrappers: one [`Record`] becomes one log line in its [`Style`]. Each
//! function writes what that kind of gateway or service really writes, in its
//! key order, with its way of logging headers, latency, time and the body.

use super::apis::Service;
use super::record::{Kind, Record, Style};
use super::text::{self, Obj};

/// Append the line for `rec` (without the newline).
pub fn render(rec: &Record, out: &mut Vec<u8>) {
    match &rec.kind {
        Kind::Text(line) => out.extend_from_slice(line.as_bytes()),
        Kind::Context {
            level,
            logger,
            message,
        } => ecs_context(rec, level, logger, message, out),
        Kind::Access => match rec.style {
            Style::Gateway => gateway(rec, out),
            Style::Ecs => ecs(rec, out),
            Style::Otel => otel(rec, out),
            Style::Nginx => nginx(rec, out),
            Style::EpochMs => epoch_ms(rec, out),
            Style::Log4j | Style::Offset0200 => admin(rec, out),
        },
    }
}

fn is_write(rec: &Record) -> bool {
    matches!(rec.method, "POST" | "PATCH" | "PUT")
}

fn content_type(rec: &Record) -> &'static str {
    if rec.status >= 400 && rec.service == Service::CalPipe {
        "application/json; charset=utf-8"
    } else {
        "application/json"
    }
}

fn traceparent(rec: &Record) -> String {
    format!("00-{}-{}-01", rec.trace_id, rec.span_id)
}

/// A stable fake address per client (TEST-NET ranges).
fn remote_addr(client: &str) -> String {
    let h = hash64(client, 7);
    let net = ["203.0.113", "198.51.100", "192.0.2"][(h % 3) as usize];
    format!("{net}.{}", 1 + (h >> 8) % 250)
}

/// FNV-1a: a fixed hash so derived values (nginx's own id) are reproducible.
pub fn hash64(s: &str, seed: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn gateway(rec: &Record, out: &mut Vec<u8>) {
    let mut o = Obj::new(out);
    o.str("timestamp", &text::rfc3339_ms(rec.ts_us))
        .str("service", rec.service.name())
        .str("method", rec.method)
        .str("path", &rec.path);
    if !rec.query.is_empty() {
        o.str("query", &rec.query);
    }
    o.int("status", rec.status.into())
        .ms1("latency_ms", rec.latency_us)
        .str("client_id", rec.client)
        .str("remote_addr", &remote_addr(rec.client));
    let mut h = o.obj("request_headers");
    h.str("User-Agent", rec.agent);
    if is_write(rec) {
        h.str("Content-Type", "application/json");
    }
    if let Some(k) = &rec.key {
        h.str("Idempotency-Key", k);
    }
    h.str("traceparent", &traceparent(rec));
    for (n, v) in &rec.req_headers {
        h.str(n, v);
    }
    h.end();
    let mut h = o.obj("response_headers");
    if !rec.body.is_empty() {
        h.str("Content-Type", content_type(rec));
    }
    h.str("X-Request-Id", &rec.request_id);
    if let Some(ra) = rec.retry_after {
        h.str("Retry-After", &ra.to_string());
    }
    for (n, v) in &rec.headers {
        h.str(n, v);
    }
    h.end();
    if !rec.body.is_empty() {
        o.raw("response_body", &rec.body);
    }
    o.end();
}

fn level(status: u16) -> &'static str {
    match status {
        500.. => "error",
        400.. => "warn",
        _ => "info",
    }
}

fn ecs(rec: &Record, out: &mut Vec<u8>) {
    let mut o = Obj::new(out);
    o.str("@timestamp", &text::rfc3339_ms(rec.ts_us))
        .str("log.level", level(rec.status))
        .str(
            "message",
            &format!("{} {} {}", rec.method, rec.path, rec.status),
        )
        .str("ecs.version", "8.11.0")
        .str("service.name", rec.service.name())
        .str("service.environment", "production");
    let mut ev = o.obj("event");
    ev.str("dataset", &format!("{}.access", rec.service.name()))
        .int("duration", (rec.latency_us * 1000) as i64)
        .str(
            "outcome",
            if rec.status >= 400 {
                "failure"
            } else {
                "success"
            },
        );
    ev.end();
    let mut http = o.obj("http");
    http.str("version", "1.1");
    let mut req = http.obj("request");
    req.str("method", rec.method).str("id", &rec.request_id);
    let mut h = req.obj("headers");
    h.str("user-agent", rec.agent);
    if let Some(k) = &rec.key {
        h.str("idempotency-key", k);
    }
    h.end();
    req.end();
    let mut resp = http.obj("response");
    resp.int("status_code", rec.status.into());
    let mut h = resp.obj("headers");
    h.str("x-request-id", &rec.request_id);
    if let Some(ra) = rec.retry_after {
        h.str("retry-after", &ra.to_string());
    }
    for (n, v) in &rec.headers {
        h.str(&n.to_ascii_lowercase(), v);
    }
    h.end();
    if rec.status >= 400 && !rec.body.is_empty() {
        let mut b = resp.obj("body");
        b.str("content", &rec.body);
        b.end();
    }
    resp.end();
    http.end();
    let mut url = o.obj("url");
    url.str("path", &rec.path);
    if !rec.query.is_empty() {
        url.str("query", &rec.query);
    }
    url.end();
    let mut t = o.obj("trace");
    t.str("id", &rec.trace_id);
    t.end();
    let mut t = o.obj("transaction");
    t.str("id", &rec.span_id);
    t.end();
    let mut l = o.obj("labels");
    l.str("client_id", rec.client);
    l.end();
    o.end();
}

/// An application log line (ECS) about a request, or about the process.
fn ecs_context(rec: &Record, level: &str, logger: &str, message: &str, out: &mut Vec<u8>) {
    let mut o = Obj::new(out);
    o.str("@timestamp", &text::rfc3339_ms(rec.ts_us))
        .str("log.level", level)
        .str("message", message)
        .str("ecs.version", "8.11.0")
        .str("service.name", rec.service.name())
        .str("service.environment", "production")
        .str("log.logger", logger);
    let mut ev = o.obj("event");
    ev.str("dataset", &format!("{}.app", rec.service.name()));
    ev.end();
    if !rec.request_id.is_empty() {
        let mut http = o.obj("http");
        let mut req = http.obj("request");
        req.str("id", &rec.request_id);
        req.end();
        http.end();
        let mut t = o.obj("trace");
        t.str("id", &rec.trace_id);
        t.end();
    }
    o.end();
}

fn otel(rec: &Record, out: &mut Vec<u8>) {
    let (sev, sev_text) = match rec.status {
        500.. => (17, "ERROR"),
        400.. => (13, "WARN"),
        _ => (9, "INFO"),
    };
    let ns = |us: i64| format!("{us}000");
    let mut o = Obj::new(out);
    o.str("timeUnixNano", &ns(rec.ts_us))
        .str("observedTimeUnixNano", &ns(rec.end_us() + 1_500))
        .int("severityNumber", sev)
        .str("severityText", sev_text)
        .str("traceId", &rec.trace_id)
        .str("spanId", &rec.span_id);
    let mut r = o.obj("resource");
    r.str("service.name", rec.service.name())
        .str(
            "service.version",
            if rec.service == Service::CalPipe {
                "2.14.1"
            } else {
                "1.31.0"
            },
        )
        .str("deployment.environment.name", "production");
    r.end();
    let mut s = o.obj("scope");
    s.str("name", &format!("{}.http", rec.service.name()));
    s.end();
    let mut a = o.obj("attributes");
    a.str("http.request.method", rec.method)
        .str("url.path", &rec.path);
    if !rec.query.is_empty() {
        a.str("url.query", &rec.query);
    }
    a.str("http.route", &route_display(rec.route))
        .int("http.response.status_code", rec.status.into())
        .ms1("duration_ms", rec.latency_us)
        .str("enduser.id", rec.client)
        .str("user_agent.original", rec.agent);
    if let Some(k) = &rec.key {
        a.str_array1("http.request.header.idempotency-key", k);
    }
    a.str_array1("http.response.header.x-request-id", &rec.request_id);
    if let Some(ra) = rec.retry_after {
        a.str_array1("http.response.header.retry-after", &ra.to_string());
    }
    for (n, v) in &rec.headers {
        a.str_array1(
            &format!("http.response.header.{}", n.to_ascii_lowercase()),
            v,
        );
    }
    a.end();
    if rec.status >= 400 && !rec.body.is_empty() {
        o.str("body", &rec.body);
    } else {
        o.str(
            "body",
            &format!("{} {} {}", rec.method, rec.path, rec.status),
        );
    }
    o.end();
}

/// A route template with readable parameter names (`/v1/calendars/{calendar_id}/events`).
fn route_display(route: &'static str) -> String {
    text::fill_template(route, |name, out| {
        let readable = match name {
            "cal" => "calendar_id",
            "evt" => "event_id",
            "ses" => "session_id",
            "biz" => "business_id",
            "uuid" | "bkg" => "booking_id",
            "etid" => "event_type_id",
            "mem" => "member_id",
            "pat" => "token_id",
            "inter" => "interaction_id",
            other => other,
        };
        out.push('{');
        out.push_str(readable);
        out.push('}');
    })
}

fn nginx(rec: &Record, out: &mut Vec<u8>) {
    let uri = if rec.query.is_empty() {
        rec.path.clone()
    } else {
        format!("{}?{}", rec.path, rec.query)
    };
    let upstream = rec.latency_us.saturating_sub(1_000 + rec.latency_us / 50);
    let own_id = format!(
        "{:016x}{:016x}",
        hash64(&rec.request_id, 1),
        hash64(&rec.request_id, 2)
    );
    let ra = rec.retry_after.map(|r| r.to_string()).unwrap_or_default();
    let location = rec
        .headers
        .iter()
        .find(|(n, _)| *n == "Location")
        .map_or("", |(_, v)| v.as_str());
    let mut o = Obj::new(out);
    o.nginx("time_local", &text::nginx_local(rec.ts_us))
        .nginx("remote_addr", &remote_addr(rec.client))
        .nginx("host", &format!("{}.internal", rec.service.name()))
        .nginx("request_method", rec.method)
        .nginx("request_uri", &uri)
        .nginx("server_protocol", "HTTP/1.1")
        .nginx("status", &rec.status.to_string())
        .nginx("body_bytes_sent", &rec.body.len().to_string())
        .nginx("request_time", &text::secs3(rec.latency_us))
        .nginx("upstream_response_time", &text::secs3(upstream))
        .nginx("http_user_agent", rec.agent)
        .nginx("http_idempotency_key", rec.key.as_deref().unwrap_or(""))
        .nginx("http_traceparent", &traceparent(rec))
        .nginx("http_x_client_id", rec.client)
        .nginx("sent_http_x_request_id", &rec.request_id)
        .nginx("sent_http_retry_after", &ra)
        .nginx("sent_http_location", location)
        .nginx("request_id", &own_id)
        .nginx("resp_body", &rec.body);
    o.end();
}

fn epoch_ms(rec: &Record, out: &mut Vec<u8>) {
    let misc = rec
        .misc
        .as_ref()
        .expect("integrations records carry a Misc");
    let mut o = Obj::new(out);
    o.int("ts", rec.ts_us / 1000)
        .str("level", level(rec.status))
        .str("service", rec.service.name())
        .str(
            "msg",
            if rec.is_error() {
                "outbound call failed"
            } else {
                "outbound call"
            },
        )
        .str("provider", misc.provider)
        .str("method", rec.method)
        .str("url", &misc.url)
        .int("status_code", rec.status.into())
        .int("duration_ms", (rec.latency_us / 1000) as i64)
        .str("request_id", &misc.internal_id)
        .str("tenant", rec.client);
    if rec.key.is_some() || !rec.req_headers.is_empty() {
        let mut h = o.obj("request_headers");
        if let Some(k) = &rec.key {
            h.str("Idempotency-Key", k);
        }
        for (n, v) in &rec.req_headers {
            h.str(n, v);
        }
        h.end();
    }
    let mut pairs = String::from("[");
    for (i, (n, v)) in misc.resp_headers.iter().enumerate() {
        if i > 0 {
            pairs.push(',');
        }
        pairs.push_str(&format!("[{},{}]", text::quoted(n), text::quoted(v)));
    }
    pairs.push(']');
    o.raw("response_headers", &pairs);
    if !rec.body.is_empty() {
        o.raw("response", &rec.body);
    }
    o.end();
}

/// admin-api (Spring Boot, logback JSON): headers as `Name: value` strings,
/// latency in microseconds, the body as a JSON string.
fn admin(rec: &Record, out: &mut Vec<u8>) {
    let misc = rec.misc.as_ref().expect("admin records carry a Misc");
    let lvl = level(rec.status).to_ascii_uppercase();
    let mut headers = String::from("[");
    for (i, (n, v)) in misc.resp_headers.iter().enumerate() {
        if i > 0 {
            headers.push(',');
        }
        headers.push_str(&text::quoted(&format!("{n}: {v}")));
    }
    headers.push(']');
    let mut o = Obj::new(out);
    if rec.style == Style::Log4j {
        let thread = format!("http-nio-8080-exec-{}", 1 + hash64(&rec.request_id, 3) % 16);
        o.str("time", &text::log4j(rec.ts_us))
            .str("level", &lvl)
            .str("thread", &thread)
            .str("logger", "c.e.admin.web.AccessLogFilter")
            .str("app", rec.service.name());
    } else {
        o.str("timestamp", &text::offset_0200(rec.ts_us))
            .str("app", rec.service.name())
            .str("region", "eu-central-1")
            .str("level", &lvl);
    }
    o.str("method", rec.method)
        .str("uri", &misc.url)
        .int("status", rec.status.into())
        .int("elapsed_us", rec.latency_us as i64)
        .str("user", rec.client)
        .raw("headers", &headers);
    if !rec.body.is_empty() {
        o.str("body", &rec.body);
    }
    o.end();
}
