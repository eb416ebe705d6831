//! incidents: a small corpus of planned incidents whose truth is known, for
//! `impact`, `timeline` and `find --context`. Two days of steady traffic
//! (09:00–11:00) from member-api and 42min-api clients: the first day is
//! the quiet baseline; on the second, one client's own misuse (429s for
//! partner_fitlink only, retried too soon), a route-wide outage (504s for
//! every client on POST /v2/sessions/{id}/bookings from 09:44, with the
//! application lines that explain it) and a service-wide outage (503s on
//! every route of 42min-api from 10:30). The manifest states what each
//! question must answer, computed from the planned lines only (never with
//! errtriage).
//!
//! Reuse: `#[path = "../examples/genlogs/incidents.rs"] mod incidents;`,
//! or `genlogs --incidents --out DIR --manifest FILE`.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Timelike, Utc};
use serde_json::{Value, json};

/// The day of the incidents; the day before is the quiet baseline.
pub const DAY: (i32, u32, u32) = (2026, 5, 14);
pub const MEMBER_CLIENTS: [&str; 5] = [
    "partner_fitlink",
    "app_member_ios",
    "app_member_android",
    "dash_web",
    "partner_gymco",
];
pub const FORTYTWO_CLIENTS: [&str; 3] = ["acct_legalhours", "acct_fitstudio", "acct_dentalcare"];
const GATEWAY: &str = "gateway/access.log";
const MEMBER_APP: &str = "app/member-api.log";
const WORKER_APP: &str = "app/bookings-worker.log";
/// The route of the route-wide outage.
pub const OUTAGE_ROUTE: &str = "/v2/sessions/{id}/bookings";

/// One planned line.
#[derive(Debug, Clone)]
pub struct Line {
    pub ts: DateTime<Utc>,
    pub file: &'static str,
    pub service: &'static str,
    pub client: Option<&'static str>,
    pub request_id: Option<String>,
    pub trace: String,
    pub method: Option<&'static str>,
    /// The route (ids templated), as errtriage should compute it.
    pub route: Option<&'static str>,
    pub code: Option<&'static str>,
    pub json: Value,
}

/// Deterministic ids: a 64-bit LCG, written in base62 or hex.
struct Ids(u64);

impl Ids {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }

    fn base62(&mut self, n: usize) -> String {
        const A: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        (0..n)
            .map(|_| A[(self.next() % 62) as usize] as char)
            .collect()
    }

    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from_digit((self.next() % 16) as u32, 16).unwrap_or('0'))
            .collect()
    }
}

fn at(day: NaiveDate, h: u32, m: u32, s: u32, ms: i64) -> DateTime<Utc> {
    day.and_hms_opt(h, m, s).expect("valid time").and_utc() + Duration::milliseconds(ms)
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// What a request answered.
#[derive(Clone, Copy)]
struct Answer {
    status: u16,
    code: Option<&'static str>,
    message: &'static str,
    retry_after: Option<u32>,
}

const OK: Answer = Answer {
    status: 200,
    code: None,
    message: "",
    retry_after: None,
};

struct Request<'a> {
    ts: DateTime<Utc>,
    service: &'static str,
    client: &'static str,
    method: &'static str,
    path: String,
    route: &'static str,
    key: Option<&'a str>,
    answer: Answer,
}

fn request(ids: &mut Ids, r: Request) -> Line {
    let id = format!("req_{}", ids.base62(12));
    let trace = ids.hex(32);
    let a = r.answer;
    let body = match (r.service, a.code) {
        ("member-api", None) => json!({"success": true, "data": {}, "requestId": id}),
        ("member-api", Some(code)) => json!({"success": false, "errorCode": code,
            "message": a.message, "requestId": id}),
        (_, None) => json!({"data": {}, "meta": {"request_id": id}}),
        (_, Some(code)) => json!({"error": {"code": code, "message": a.message, "request_id": id}}),
    };
    let mut req_headers = json!({"traceparent": format!("00-{trace}-{}-01", ids.hex(16))});
    if let Some(k) = r.key {
        req_headers["Idempotency-Key"] = json!(k);
    }
    let mut resp_headers = json!({"X-Request-Id": id});
    if let Some(s) = a.retry_after {
        resp_headers["Retry-After"] = json!(s.to_string());
    }
    let json = json!({
        "timestamp": iso(r.ts), "service": r.service, "method": r.method, "path": r.path,
        "status": a.status, "latency_ms": 40.0, "client_id": r.client,
        "request_headers": req_headers, "response_headers": resp_headers, "response_body": body,
    });
    Line {
        ts: r.ts,
        file: GATEWAY,
        service: r.service,
        client: Some(r.client),
        request_id: Some(id),
        trace,
        method: Some(r.method),
        route: Some(r.route),
        code: a.code,
        json,
    }
}

fn app_line(
    ts: DateTime<Utc>,
    file: &'static str,
    service: &'static str,
    trace: &str,
    msg: &str,
) -> Line {
    Line {
        ts,
        file,
        service,
        client: None,
        request_id: None,
        trace: trace.to_string(),
        method: None,
        route: None,
        code: None,
        json: json!({"timestamp": iso(ts), "service": service, "level": "error",
            "message": msg, "trace_id": trace}),
    }
}

/// Every planned line, oldest first.
pub fn plan() -> Vec<Line> {
    let mut ids = Ids(20_260_514);
    let mut lines = Vec::new();
    let today = NaiveDate::from_ymd_opt(DAY.0, DAY.1, DAY.2).expect("valid day");
    for day in [today - Duration::days(1), today] {
        let incidents = day == today;
        for minute in 0..120u32 {
            let (h, m) = (9 + minute / 60, minute % 60);
            member_minute(&mut ids, &mut lines, day, (h, m), incidents);
            fortytwo_minute(&mut ids, &mut lines, day, (h, m), incidents);
        }
    }
    lines.sort_by_key(|l| l.ts);
    lines
}

fn member_minute(
    ids: &mut Ids,
    out: &mut Vec<Line>,
    day: NaiveDate,
    (h, m): (u32, u32),
    incidents: bool,
) {
    let misuse = incidents && h == 9 && (20..26).contains(&m);
    let outage = incidents && h == 9 && (44..56).contains(&m);
    for (i, client) in MEMBER_CLIENTS.into_iter().enumerate() {
        let s = 1 + 2 * i as u32;
        let ses = format!("ses_{}", ids.base62(8));
        out.push(request(
            ids,
            Request {
                ts: at(day, h, m, s, 120),
                service: "member-api",
                client,
                method: "GET",
                path: "/v2/sessions".into(),
                route: "/v2/sessions",
                key: None,
                answer: OK,
            },
        ));
        let key = format!(
            "{}-{}-{}-{}-{}",
            ids.hex(8),
            ids.hex(4),
            ids.hex(4),
            ids.hex(4),
            ids.hex(12)
        );
        let answer = if outage {
            Answer {
                status: 504,
                code: Some("UPSTREAM_TIMEOUT"),
                message: "The booking service did not answer in time.",
                retry_after: None,
            }
        } else if misuse && client == "partner_fitlink" {
            Answer {
                status: 429,
                code: Some("RATE_LIMITED"),
                message: "Rate limit exceeded for write endpoints. Retry in 30 seconds.",
                retry_after: Some(30),
            }
        } else {
            Answer { status: 201, ..OK }
        };
        let booking = Request {
            ts: at(day, h, m, s + 15, 250),
            service: "member-api",
            client,
            method: "POST",
            path: format!("/v2/sessions/{ses}/bookings"),
            route: OUTAGE_ROUTE,
            key: Some(&key),
            answer,
        };
        let retry_ts = booking.ts + Duration::seconds(2);
        let retried = answer.status == 429;
        let path = booking.path.clone();
        out.push(request(ids, booking));
        if outage && m == 44 && i == 0 {
            let trace = out.last().map(|l| l.trace.clone()).unwrap_or_default();
            out.push(app_line(
                at(day, h, m, 0, 200),
                MEMBER_APP,
                "member-api",
                &ids.hex(32),
                "pool 48/48 busy, waiting for a connection",
            ));
            out.push(app_line(
                retry_ts - Duration::milliseconds(500),
                WORKER_APP,
                "bookings-worker",
                &trace,
                "upstream call to availability timed out after 30 s",
            ));
            out.push(app_line(
                retry_ts,
                WORKER_APP,
                "bookings-worker",
                &ids.hex(32),
                "slot cache refreshed",
            ));
        }
        if retried {
            // Retried after 2 s with the same key: too soon for Retry-After 30.
            out.push(request(
                ids,
                Request {
                    ts: retry_ts,
                    service: "member-api",
                    client,
                    method: "POST",
                    path,
                    route: OUTAGE_ROUTE,
                    key: Some(&key),
                    answer,
                },
            ));
        }
        let bkg = format!("bkg_{}", ids.base62(10));
        out.push(request(
            ids,
            Request {
                ts: at(day, h, m, s + 30, 400),
                service: "member-api",
                client,
                method: "GET",
                path: format!("/v2/bookings/{bkg}"),
                route: "/v2/bookings/{id}",
                key: None,
                answer: OK,
            },
        ));
    }
}

fn fortytwo_minute(
    ids: &mut Ids,
    out: &mut Vec<Line>,
    day: NaiveDate,
    (h, m): (u32, u32),
    incidents: bool,
) {
    let down = incidents && h == 10 && (30..40).contains(&m);
    let answer = |ok: u16| {
        if down {
            Answer {
                status: 503,
                code: Some("service_unavailable"),
                message: "42min is down for maintenance.",
                retry_after: None,
            }
        } else {
            Answer { status: ok, ..OK }
        }
    };
    for (j, client) in FORTYTWO_CLIENTS.into_iter().enumerate() {
        let s = 5 + 3 * j as u32;
        out.push(request(
            ids,
            Request {
                ts: at(day, h, m, s, 10),
                service: "42min-api",
                client,
                method: "GET",
                path: "/v1/bookings".into(),
                route: "/v1/bookings",
                key: None,
                answer: answer(200),
            },
        ));
        let key = format!(
            "{}-{}-{}-{}-{}",
            ids.hex(8),
            ids.hex(4),
            ids.hex(4),
            ids.hex(4),
            ids.hex(12)
        );
        out.push(request(
            ids,
            Request {
                ts: at(day, h, m, s + 20, 20),
                service: "42min-api",
                client,
                method: "POST",
                path: "/v1/bookings".into(),
                route: "/v1/bookings",
                key: Some(&key),
                answer: answer(201),
            },
        ));
        out.push(request(
            ids,
            Request {
                ts: at(day, h, m, s + 40, 30),
                service: "42min-api",
                client,
                method: "GET",
                path: format!("/v1/event-types/{}", 15_000 + j),
                route: "/v1/event-types/{id}",
                key: None,
                answer: answer(200),
            },
        ));
    }
}

/// Write the corpus under `dir` and return its manifest.
pub fn generate(dir: &Path) -> io::Result<Value> {
    let lines = plan();
    let mut files: BTreeMap<&str, String> = BTreeMap::new();
    let mut places = Vec::with_capacity(lines.len());
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for l in &lines {
        let n = counts.entry(l.file).or_default();
        *n += 1;
        places.push(format!("{}:{n}", l.file));
        let text = files.entry(l.file).or_default();
        text.push_str(&l.json.to_string());
        text.push('\n');
    }
    for (file, text) in &files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().expect("file in a directory"))?;
        std::fs::write(path, text)?;
    }
    Ok(manifest(&lines, &places))
}

/// The first line matching `pick`.
fn find(lines: &[Line], pick: impl Fn(&Line) -> bool) -> usize {
    lines.iter().position(pick).expect("planned line")
}

fn manifest(lines: &[Line], places: &[String]) -> Value {
    let today = NaiveDate::from_ymd_opt(DAY.0, DAY.1, DAY.2).expect("valid day");
    let hm = |l: &Line, h: u32, m: u32| {
        l.ts.date_naive() == today && l.ts.hour() == h && l.ts.minute() == m
    };
    let misuse = find(lines, |l| l.code == Some("RATE_LIMITED") && hm(l, 9, 23));
    let route_first = find(lines, |l| l.code == Some("UPSTREAM_TIMEOUT"));
    let route_later = find(lines, |l| {
        l.code == Some("UPSTREAM_TIMEOUT") && hm(l, 9, 50) && l.client == Some("dash_web")
    });
    let service = find(lines, |l| {
        l.code == Some("service_unavailable") && hm(l, 10, 35)
    });
    let window = Duration::minutes(30);
    let incident = |kind: &str, i: usize, scope: &str, verdict: String, onset: usize| {
        let a = &lines[i];
        let code = a.code.expect("failed");
        let (from, to) = (a.ts - window, a.ts + window);
        let within = |l: &&Line| l.ts >= from && l.ts < to;
        let hit: Vec<&Line> = lines
            .iter()
            .filter(within)
            .filter(|l| l.code == Some(code))
            .collect();
        let mut clients: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
        for l in &hit {
            clients.entry(l.client.unwrap_or("-")).or_default().0 += 1;
        }
        for l in lines.iter().filter(within) {
            if let (Some(c), Some(_)) = (l.client, &l.request_id) {
                if let Some(e) = clients.get_mut(c) {
                    e.1 += 1;
                }
            }
        }
        let mut routes: Vec<String> = hit
            .iter()
            .map(|l| format!("{} {}", l.method.unwrap_or("-"), l.route.unwrap_or("-")))
            .collect();
        routes.sort();
        routes.dedup();
        let mut services: Vec<&str> = hit.iter().map(|l| l.service).collect();
        services.sort();
        services.dedup();
        json!({
            "kind": kind, "request_id": a.request_id, "window": "30m", "code": code,
            "route": a.route, "scope": scope, "verdict": verdict,
            "onset": iso(lines[onset].ts),
            "clients": clients.iter().map(|(c, (e, r))| json!({"client": c, "errors": e, "requests": r})).collect::<Vec<_>>(),
            "routes": routes, "services": services,
        })
    };
    let incidents = vec![
        incident(
            "client_misuse",
            misuse,
            "client",
            "only this client".into(),
            find(lines, |l| l.code == Some("RATE_LIMITED")),
        ),
        incident(
            "route_outage",
            route_later,
            "route",
            format!(
                "{} clients since 09:44 on POST {OUTAGE_ROUTE}",
                MEMBER_CLIENTS.len()
            ),
            route_first,
        ),
        incident(
            "service_outage",
            service,
            "service",
            "every client, all routes of 42min-api since 10:30".into(),
            find(lines, |l| l.code == Some("service_unavailable")),
        ),
    ];
    let tl_window = Duration::minutes(10);
    let a = &lines[misuse];
    let timeline: Vec<&Option<String>> = lines
        .iter()
        .filter(|l| l.client == a.client && l.ts >= a.ts - tl_window && l.ts < a.ts + tl_window)
        .map(|l| &l.request_id)
        .collect();
    let span = Duration::minutes(2);
    let c = &lines[route_first];
    let context: Vec<&String> = lines
        .iter()
        .zip(places)
        .filter(|(l, _)| {
            (l.service == c.service || l.trace == c.trace) && (l.ts - c.ts).abs() <= span
        })
        .map(|(_, p)| p)
        .collect();
    json!({
        "incidents": incidents,
        "baseline_day": (today - Duration::days(1)).to_string(),
        "timeline": {"request_id": a.request_id, "client": a.client, "window": "10m", "request_ids": timeline},
        "context": {"request_id": c.request_id, "span": "2m", "lines": context, "marked": places[route_first]},
        "lines": {"total": lines.len(), "broken": 0},
    })
}
