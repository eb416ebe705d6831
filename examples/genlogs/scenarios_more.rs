//! The rest of the plan: one line for every documented code not already in a
//! chain, hostile content, process context lines, and the broken lines.

use super::apis::{self, ErrorSpec, Service};
use super::misc;
use super::record::{Broken, Kind, Record, Style, Tag};
use super::scenarios::{Planner, bare};
use super::text;
use super::traffic::{self, Shape};

/// Every error code of every seed table, with the guide's status, in the
/// API's own envelope; then every misc envelope.
pub fn coverage(p: &mut Planner) {
    for service in [
        Service::FortyTwo,
        Service::Member,
        Service::Avail,
        Service::CalPipe,
    ] {
        for spec in apis::errors(service) {
            if p.is_covered(service, spec.code) {
                continue;
            }
            let eps = apis::endpoints(service);
            let ep = eps
                .iter()
                .find(|e| e.errors.iter().any(|(c, _)| *c == spec.code))
                .unwrap_or(&eps[0]);
            let client = p.t.ctx.client(apis::clients(service));
            let ts = p.time(0..=3);
            let mut shape = Shape::default();
            match spec.code {
                "missing_idempotency_key" => shape.key = Some(None),
                "invalid_idempotency_key" => {
                    let long = format!("import-batch-2026-05-{}", p.t.ctx.base62(10)).repeat(10);
                    shape.key = Some(Some(long));
                }
                _ => {}
            }
            let rec = p.t.build(service, ep, client, ts, Some(spec), shape);
            p.cover(service, spec.code);
            p.push(rec);
        }
    }
    // access_denied only ever travels in a redirect's Location.
    let ep = apis::endpoint(Service::FortyTwo, "GET", "/oauth/authorize");
    let client = apis::client(Service::FortyTwo, "oc_zapier");
    let ts = p.time(0..=3);
    let mut rec =
        p.t.build(Service::FortyTwo, ep, client, ts, None, Shape::default());
    traffic::deny_consent(&mut rec);
    p.push(rec);

    for (provider, code) in misc::all_errors() {
        let service = if misc::INTEGRATION_CALLS
            .iter()
            .any(|k| k.provider == provider)
        {
            Service::Integrations
        } else {
            Service::Admin
        };
        if p.is_covered(service, code) {
            continue;
        }
        let ts = p.time(0..=3);
        let rec = misc::planned(&mut p.t.ctx, provider, Some(code), ts, None);
        p.cover(service, code);
        p.push(rec);
    }
}

static ANSI_EMAIL: ErrorSpec = ErrorSpec {
    code: "attendee_email_invalid",
    status: 400,
    message: "attendee.email \"\u{1b}[31mroot@localhost\u{1b}[0m\u{7}\" is not a valid email address.",
    details: r#"{"field":"attendee.email"}"#,
    retry_after: None,
};

static LATIN1_EMAIL: ErrorSpec = ErrorSpec {
    code: "attendee_email_invalid",
    status: 400,
    message: "attendee.email \"chloë@example.com\" is not a valid email address.",
    details: r#"{"field":"attendee.email"}"#,
    retry_after: None,
};

/// The README's second act: from 09:44 on 2026-05-14 every client booking
/// a session on member-api gets 504 UPSTREAM_TIMEOUT (sessions-db's pool is
/// exhausted; the ECS lines carry the application line that says so, see
/// [`context_for`]). Two planned bookings a minute for twelve minutes, from
/// five clients in turn, on top of what random traffic adds there.
pub fn route_outage(p: &mut Planner) {
    const CLIENTS: [&str; 5] = [
        "app_member_ios",
        "app_member_android",
        "partner_gymflow",
        "app_member_web",
        "corp_contoso_benefits",
    ];
    let (method, route) = traffic::OUTAGE_ENDPOINT;
    let ep = apis::endpoint(Service::Member, method, route);
    let spec = apis::spec(Service::Member, "UPSTREAM_TIMEOUT");
    for i in 0..24u64 {
        let client = apis::client(Service::Member, CLIENTS[i as usize % CLIENTS.len()]);
        let ts = traffic::OUTAGE_FROM_US
            + (i as i64) * 30 * text::US_PER_S
            + 7_000_000
            + p.t.ctx.range(0, 20_000_000) as i64;
        let style = if i % 3 == 2 {
            Style::Gateway
        } else {
            Style::Ecs
        };
        let shape = Shape {
            style: Some(style),
            latency_us: Some(5_000_000 + p.t.ctx.range(1_000, 40_000)),
            ..Shape::default()
        };
        let rec =
            p.t.build(Service::Member, ep, client, ts, Some(spec), shape);
        p.push(rec);
    }
}

/// Lines a viewer must not trust: terminal escapes and leaked secrets.
pub fn hostile(p: &mut Planner) {
    let ep = apis::endpoint(Service::FortyTwo, "POST", "/v1/bookings");
    let client = apis::client(Service::FortyTwo, "acct_tutorly");
    let ts = p.time(1..=3);
    let shape = Shape {
        style: Some(Style::Gateway),
        ..Shape::default()
    };
    let mut rec =
        p.t.build(Service::FortyTwo, ep, client, ts, Some(&ANSI_EMAIL), shape);
    rec.tag = Tag::Hostile("ansi_escape_in_message");
    p.push(rec);

    let ep = apis::endpoint(Service::Avail, "GET", "/v1/availability/{biz}");
    let client = apis::client(Service::Avail, "key_makerspace_coop");
    let ts = p.time(1..=3);
    let shape = Shape {
        style: Some(Style::Gateway),
        ..Shape::default()
    };
    let mut rec = p.t.build(
        Service::Avail,
        ep,
        client,
        ts,
        Some(apis::spec(Service::Avail, "invalid_token")),
        shape,
    );
    let token = format!("Bearer avail_live_{}", p.t.ctx.alnum(32));
    rec.req_headers.push(("Authorization", token));
    rec.tag = Tag::Hostile("bearer_token_in_request_header");
    p.push(rec);

    let ts = p.time(1..=3);
    let key = p.t.ctx.uuid();
    let mut rec = misc::planned(&mut p.t.ctx, "stripe", Some("card_declined"), ts, Some(key));
    let secret = format!("Bearer sk_live_51N{}", p.t.ctx.base62(40));
    rec.req_headers.push(("Authorization", secret));
    rec.tag = Tag::Hostile("live_secret_key_in_request_header");
    p.push(rec);
}

/// Process lines with no request: starts, a deploy's drain and restart.
pub fn context_lines(p: &mut Planner) {
    let at = |d, h, mi, s, ms: i64| text::epoch_us(2026, 5, d, h, mi, s) + ms * 1000;
    let listening = "Server listening on 0.0.0.0:8080 (pid 1, node v22.15.0)";
    let started = "Application startup complete.";
    let drain = "Received SIGTERM, draining 42 open connections";
    let (member, avail) = (Service::Member, Service::Avail);
    p.push(process_line(
        member,
        at(12, 5, 58, 2, 311),
        "info",
        "member.http",
        listening,
    ));
    p.push(process_line(
        avail,
        at(12, 6, 4, 40, 902),
        "info",
        "uvicorn.error",
        started,
    ));
    p.push(process_line(
        member,
        at(14, 13, 30, 5, 120),
        "warn",
        "member.http",
        drain,
    ));
    p.push(process_line(
        member,
        at(14, 13, 30, 9, 877),
        "info",
        "member.http",
        listening,
    ));
    p.push(process_line(
        avail,
        at(14, 13, 31, 12, 4),
        "info",
        "uvicorn.error",
        started,
    ));
}

fn process_line(
    service: Service,
    ts: i64,
    level: &'static str,
    logger: &'static str,
    message: &str,
) -> Record {
    let kind = Kind::Context {
        level,
        logger,
        message: message.to_string(),
    };
    bare(service, Style::Ecs, ts, kind, Tag::None)
}

/// A line that is not JSON, in `style`'s file.
fn text_line(service: Service, style: Style, ts: i64, line: String) -> Record {
    bare(
        service,
        style,
        ts,
        Kind::Text(line),
        Tag::Broken(Broken::NotJson),
    )
}

/// The application line an ECS service writes about a failed request.
pub fn context_for(rec: &Record) -> Option<Record> {
    let (logger, message) = match (rec.service, rec.status) {
        (Service::Member, 504) => (
            "member.sessions.repo",
            "sessions-db call timed out after 5000 ms (pool 48/48 busy)",
        ),
        (Service::Avail, 500) => (
            "uvicorn.error",
            "Exception in ASGI application: psycopg.errors.DeadlockDetected: deadlock detected",
        ),
        _ => return None,
    };
    if rec.style != Style::Ecs || rec.kind != Kind::Access {
        return None;
    }
    let kind = Kind::Context {
        level: "error",
        logger,
        message: message.to_string(),
    };
    let mut ctx = bare(
        rec.service,
        Style::Ecs,
        rec.end_us() - 1_000,
        kind,
        Tag::None,
    );
    ctx.request_id = rec.request_id.clone();
    ctx.trace_id = rec.trace_id.clone();
    Some(ctx)
}

/// Broken lines at fixed places, plus `extra` more scattered for big corpora.
pub fn broken(p: &mut Planner, extra: u64) {
    let at = |d, h, mi, s, ms: i64| text::epoch_us(2026, 5, d, h, mi, s) + ms * 1000;
    latin1_line(p, at(12, 16, 41, 9, 207), Style::Gateway);
    truncated_line(p, at(15, 8, 13, 52, 640), Style::Gateway);
    p.push(text_line(
        Service::FortyTwo,
        Style::Nginx,
        at(14, 10, 21, 7, 0),
        nginx_error_line(at(14, 10, 21, 7, 0)),
    ));
    p.push(text_line(
        Service::Avail,
        Style::Ecs,
        at(12, 21, 47, 30, 415),
        UVICORN_LINE.to_string(),
    ));
    for i in 0..extra {
        let ts = p.time(0..=3);
        let style = *p.t.ctx.pick(&[Style::Gateway, Style::Ecs, Style::Otel]);
        match i % 3 {
            0 => latin1_line(p, ts, style),
            1 => truncated_line(p, ts, style),
            _ => {
                let (service, style, line) = match i % 4 {
                    0 => (Service::FortyTwo, Style::Nginx, nginx_error_line(ts)),
                    1 => (Service::Avail, Style::Ecs, UVICORN_LINE.to_string()),
                    2 => (Service::CalPipe, Style::Otel, COLLECTOR_LINE.to_string()),
                    _ => (Service::Member, Style::Gateway, PANIC_LINE.to_string()),
                };
                p.push(text_line(service, style, ts, line));
            }
        }
    }
}

const UVICORN_LINE: &str = "ERROR:    Exception in ASGI application";
const COLLECTOR_LINE: &str = "2026-05-15T08:00:00.000Z\twarn\texporterhelper/queue_sender.go:90\tExporting failed. Dropping data.\t{\"kind\": \"exporter\", \"dropped_items\": 512}";
const PANIC_LINE: &str = "panic: runtime error: invalid memory address or nil pointer dereference";

fn nginx_error_line(ts_us: i64) -> String {
    let t = text::log4j(ts_us).replace('-', "/");
    format!(
        "{} [error] 31#31: *18342 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.3.17, server: _, request: \"POST /v1/bookings HTTP/1.1\", upstream: \"http://10.0.7.21:8080/v1/bookings\", host: \"42min-api.internal\"",
        &t[..19]
    )
}

/// A 42min 400 whose message holds "ë"; the writer turns it into a lone
/// Latin-1 byte, as a client sending ISO-8859-1 would.
fn latin1_line(p: &mut Planner, ts: i64, style: Style) {
    let ep = apis::endpoint(Service::FortyTwo, "POST", "/v1/bookings");
    let client = apis::client(Service::FortyTwo, "acct_salonsuite");
    let style = if style == Style::Ecs {
        Style::Otel
    } else {
        style
    };
    let shape = Shape {
        style: Some(style),
        ..Shape::default()
    };
    let mut rec = p.t.build(
        Service::FortyTwo,
        ep,
        client,
        ts,
        Some(&LATIN1_EMAIL),
        shape,
    );
    rec.tag = Tag::Broken(Broken::InvalidUtf8);
    p.push(rec);
}

/// An ordinary line the writer cuts short.
fn truncated_line(p: &mut Planner, ts: i64, style: Style) {
    let service = if style == Style::Ecs {
        Service::Member
    } else {
        Service::FortyTwo
    };
    let ep = &apis::endpoints(service)[0];
    let client = p.t.ctx.client(apis::clients(service));
    let shape = Shape {
        style: Some(style),
        ..Shape::default()
    };
    let mut rec = p.t.build(service, ep, client, ts, None, shape);
    rec.tag = Tag::Broken(Broken::Truncated);
    p.push(rec);
}
