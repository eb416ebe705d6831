//! Realistic random traffic: which service and endpoint is called when, by
//! whom, how long it takes and how it fails. [`Traffic::build`] is also what
//! the scenarios use, so a planned chain's attempts look like any other line.

use super::apis::{self, Client, Endpoint, ErrorSpec, Lat, Service};
use super::misc;
use super::record::{Ctx, Kind, Record, Style, Tag};
use super::text::{self, US_PER_DAY, US_PER_H, US_PER_MIN};

/// How much of the traffic each service gets.
const SERVICE_MIX: &[(Service, u32)] = &[
    (Service::FortyTwo, 30),
    (Service::Member, 30),
    (Service::Avail, 18),
    (Service::CalPipe, 14),
    (Service::Integrations, 5),
    (Service::Admin, 3),
];

/// Percent of requests that fail, per service, outside incidents.
fn base_error_pct(service: Service) -> u32 {
    match service {
        Service::FortyTwo => 6,
        Service::Member => 7,
        Service::Avail => 6,
        Service::CalPipe => 5,
        Service::Integrations => 8,
        Service::Admin => 4,
    }
}

/// A window in which one service fails far more often, with one code.
pub struct Incident {
    pub service: Service,
    pub from_us: i64,
    pub to_us: i64,
    pub extra_pct: u32,
    pub code: &'static str,
    /// The one endpoint (method, route) that fails; `None`: every endpoint.
    pub endpoint: Option<(&'static str, &'static str)>,
    pub what: &'static str,
}

/// The README's second act: the route-wide outage on member-api bookings.
pub const OUTAGE_ENDPOINT: (&str, &str) = ("POST", "/v2/sessions/{ses}/bookings");
/// 2026-05-14 09:44:00 UTC, when the sessions-db pool ran dry.
pub const OUTAGE_FROM_US: i64 = 1_778_751_840_000_000;
/// 2026-05-14 09:56:00 UTC.
pub const OUTAGE_TO_US: i64 = OUTAGE_FROM_US + 12 * US_PER_MIN;

pub fn incidents() -> [Incident; 3] {
    [
        Incident {
            service: Service::CalPipe,
            from_us: text::epoch_us(2026, 5, 13, 15, 5, 0),
            to_us: text::epoch_us(2026, 5, 13, 15, 25, 0),
            extra_pct: 60,
            code: "Bad Gateway",
            endpoint: None,
            what: "Google Calendar outage: CalendarPipe answers 502",
        },
        Incident {
            service: Service::Member,
            from_us: OUTAGE_FROM_US,
            to_us: OUTAGE_TO_US,
            extra_pct: 90,
            code: "UPSTREAM_TIMEOUT",
            endpoint: Some(OUTAGE_ENDPOINT),
            what: "sessions-db pool exhausted: member-api answers 504 UPSTREAM_TIMEOUT to every client on POST /v2/sessions/{id}/bookings",
        },
        Incident {
            service: Service::FortyTwo,
            from_us: text::epoch_us(2026, 5, 15, 11, 0, 0),
            to_us: text::epoch_us(2026, 5, 15, 11, 12, 0),
            extra_pct: 50,
            code: "rate_limited",
            endpoint: None,
            what: "a bulk import hammers 42min-api: 429 rate_limited",
        },
    ]
}

/// Per-request choices a caller can pin; everything left `None` is drawn.
#[derive(Default)]
pub struct Shape {
    pub style: Option<Style>,
    pub latency_us: Option<u64>,
    pub retry_after: Option<u32>,
    /// `Some(None)`: no key; `Some(Some(k))`: this key.
    pub key: Option<Option<String>>,
    pub path: Option<String>,
    pub query: Option<String>,
    pub request_id: Option<String>,
}

pub struct Traffic {
    pub ctx: Ctx,
    incidents: [Incident; 3],
}

impl Traffic {
    pub fn new(seed: u64) -> Traffic {
        Traffic {
            ctx: Ctx::new(seed),
            incidents: incidents(),
        }
    }

    /// One random request at `ts_us`.
    pub fn random(&mut self, ts_us: i64) -> Record {
        let service = *self.ctx.pick_weighted(SERVICE_MIX);
        let mut pct = base_error_pct(service);
        match service {
            Service::Integrations => return misc::integrations(&mut self.ctx, ts_us, pct),
            Service::Admin => return misc::admin(&mut self.ctx, ts_us, pct),
            _ => {}
        }
        let eps = apis::endpoints(service);
        let ep = &eps[self.ctx.weighted(eps.iter().map(|e| e.weight))];
        let client = self.ctx.client(apis::clients(service));
        let mut forced = None;
        // The incident's code only where the incident is: elsewhere in its
        // window the service fails as usual, but never with that code.
        let mut banned = None;
        for inc in &self.incidents {
            let during = (inc.from_us..inc.to_us).contains(&ts_us);
            let near =
                (inc.from_us - 30 * US_PER_MIN..inc.to_us + 30 * US_PER_MIN).contains(&ts_us);
            if inc.service != service || !near {
                continue;
            }
            let here = inc
                .endpoint
                .is_none_or(|(m, r)| (m, r) == (ep.method, ep.route));
            if here && during {
                if self.ctx.pct(inc.extra_pct) {
                    forced = Some(inc.code);
                }
                pct = pct.max(10);
            } else if inc.endpoint.is_some() {
                // A quiet half hour around a one-route outage keeps its onset clear.
                banned = Some(inc.code);
            }
        }
        let err = match forced {
            Some(code) => Some(apis::spec(service, code)),
            None if self.ctx.pct(pct) => {
                Some(self.pick_error(service, ep)).filter(|e| Some(e.code) != banned)
            }
            None => None,
        };
        let mut rec = self.build(service, ep, client, ts_us, err, Shape::default());
        if service == Service::FortyTwo
            && ep.route == "/oauth/authorize"
            && rec.status == 302
            && self.ctx.pct(8)
        {
            deny_consent(&mut rec);
        }
        if service == Service::CalPipe && rec.status == 422 {
            // A 422 with no specific code reads as a key/payload mismatch
            // (DESIGN); keep that finding to the planned chain.
            rec.key = None;
        }
        rec
    }

    fn pick_error(&mut self, service: Service, ep: &Endpoint) -> &'static ErrorSpec {
        let generic = apis::generic_errors(service);
        let all = || ep.errors.iter().chain(generic).map(|(_, w)| *w);
        let i = self.ctx.weighted(all());
        let code = ep
            .errors
            .iter()
            .chain(generic)
            .nth(i)
            .expect("index drawn from the list")
            .0;
        if code == "missing_idempotency_key" && ep.method == "GET" {
            return apis::spec(service, "invalid_query_param");
        }
        apis::spec(service, code)
    }

    /// A seed-API request: path, ids, key, latency, headers and body, all
    /// consistent with `err` (`None` for success).
    pub fn build(
        &mut self,
        service: Service,
        ep: &'static Endpoint,
        client: &'static Client,
        ts_us: i64,
        err: Option<&'static ErrorSpec>,
        shape: Shape,
    ) -> Record {
        let c = &mut self.ctx;
        let style = shape
            .style
            .unwrap_or_else(|| *c.pick_weighted(Style::for_service(service)));
        let request_id = shape.request_id.unwrap_or_else(|| match service {
            Service::FortyTwo => c.fortytwo_request_id(ts_us),
            Service::Member => c.member_request_id(),
            Service::Avail => c.uuid(),
            _ => c.ulid(ts_us),
        });
        let mut vars = Vars::new(ts_us, &request_id, client);
        if let Some(path) = &shape.path {
            vars.learn(ep.route, path);
        }
        let path = shape.path.unwrap_or_else(|| vars.fill(c, ep.route));
        let query = shape.query.unwrap_or_else(|| vars.fill(c, ep.query));
        let write = matches!(ep.method, "POST" | "PATCH") && ep.route != "/oauth/token";
        let key = match shape.key {
            Some(k) => k,
            None if write
                && err.is_none_or(|e| e.code != "missing_idempotency_key")
                && c.pct(client.key_pct) =>
            {
                Some(c.idempotency_key(client.key_prefix))
            }
            None => None,
        };
        let retry_after = shape.retry_after.or_else(|| {
            err.and_then(|e| e.retry_after)
                .map(|(lo, hi)| c.range(lo.into(), hi.into()) as u32)
        });
        let latency_us = shape.latency_us.unwrap_or_else(|| match err {
            None => latency(c, ep.lat),
            Some(e) => error_latency(c, e.status),
        });
        let (status, code, body) = match err {
            None => (ep.ok, None, vars.fill(c, ep.ok_body)),
            Some(e) => {
                let category = if ep.method == "GET" { "read" } else { "write" };
                (
                    e.status,
                    Some(apis::expected_code(service, e)),
                    error_body(service, e, &request_id, retry_after, category),
                )
            }
        };
        let state = vars.get("state");
        let mut rec = Record {
            ts_us,
            service,
            style,
            kind: Kind::Access,
            method: ep.method,
            path,
            query,
            route: ep.route,
            status,
            latency_us,
            request_id,
            trace_id: c.trace_id(),
            span_id: c.span_id(),
            key,
            retry_after,
            client: client.id,
            agent: client.agent,
            body,
            code,
            headers: Vec::new(),
            req_headers: Vec::new(),
            misc: None,
            tag: Tag::None,
            has_context: false,
        };
        service_headers(c, &mut rec, state);
        rec
    }
}

/// 42min's consent screen declined: a 302 back to the client carrying
/// `error=access_denied` ("returned via redirect, not a JSON body").
pub fn deny_consent(rec: &mut Record) {
    let state = rec.query.rsplit("state=").next().unwrap_or("").to_string();
    rec.headers.retain(|(n, _)| *n != "Location");
    rec.headers.push((
        "Location",
        format!(
            "https://app.example.com/callback?error={}&state={state}",
            apis::FORTYTWO_REDIRECT_CODE
        ),
    ));
}

/// The response headers each API adds beyond Content-Type/X-Request-Id/Retry-After.
fn service_headers(c: &mut Ctx, rec: &mut Record, state: Option<String>) {
    match (rec.service, rec.status) {
        (Service::FortyTwo, 401) => rec.headers.push((
            "WWW-Authenticate",
            r#"Bearer realm="42min", error="invalid_token""#.to_string(),
        )),
        (Service::FortyTwo, 429) => {
            let ra = i64::from(rec.retry_after.unwrap_or(1));
            let reset = (rec.end_us() + ra * 1_000_000 + 999_999) / 1_000_000;
            rec.headers.push(("X-RateLimit-Limit", "120".into()));
            rec.headers.push(("X-RateLimit-Remaining", "0".into()));
            rec.headers.push(("X-RateLimit-Reset", reset.to_string()));
        }
        (Service::FortyTwo, 302) => {
            let state = state.unwrap_or_default();
            let code = c.base62(20);
            rec.headers.push((
                "Location",
                format!("https://app.example.com/callback?code={code}&state={state}"),
            ));
        }
        (Service::Avail, 429) => {
            rec.headers.push(("X-RateLimit-Limit", "60".into()));
            rec.headers.push(("X-RateLimit-Remaining", "0".into()));
        }
        _ => {}
    }
}

/// An error body in the service's own envelope, exactly as its guide prints it.
pub fn error_body(
    service: Service,
    e: &ErrorSpec,
    request_id: &str,
    ra: Option<u32>,
    category: &str,
) -> String {
    let subst = |t: &'static str| {
        text::fill_template(t, |name, out| match name {
            "ra" => text::push_fmt(out, ra.unwrap_or(1)),
            "category" => out.push_str(category),
            _ => {}
        })
    };
    let message = text::quoted(&subst(e.message));
    let details = if e.details.is_empty() {
        "{}".to_string()
    } else {
        subst(e.details)
    };
    let rid = text::quoted(request_id);
    let code = text::quoted(e.code);
    match service {
        Service::FortyTwo => format!(
            r#"{{"error":{{"code":{code},"message":{message},"details":{details},"request_id":{rid}}}}}"#
        ),
        Service::Member => format!(
            r#"{{"success":false,"errorCode":{code},"message":{message},"details":{details},"requestId":{rid}}}"#
        ),
        Service::Avail if e.code.is_empty() => format!(r#"{{"detail":{message}}}"#),
        Service::Avail => format!(r#"{{"error":{{"code":{code},"message":{message}}}}}"#),
        Service::CalPipe if e.code == "API_ACCESS_BLOCKED" => {
            format!(r#"{{"code":{code},"type":"api_disabled","message":{message}}}"#)
        }
        Service::CalPipe if e.details.is_empty() => {
            format!(r#"{{"error":{code},"message":{message}}}"#)
        }
        Service::CalPipe => {
            format!(r#"{{"error":{code},"message":{message},"details":{details}}}"#)
        }
        Service::Integrations | Service::Admin => {
            unreachable!("misc services build their own bodies")
        }
    }
}

/// Success latency: a piecewise-linear quantile table, in microseconds.
pub fn latency(c: &mut Ctx, lat: Lat) -> u64 {
    let q: [u64; 5] = match lat {
        Lat::Fast => [2_000, 9_000, 25_000, 80_000, 400_000],
        Lat::Read => [5_000, 28_000, 90_000, 350_000, 1_800_000],
        Lat::Write => [18_000, 95_000, 260_000, 900_000, 4_000_000],
        Lat::Token => [30_000, 120_000, 300_000, 700_000, 2_000_000],
    };
    quantile(c, q)
}

/// Failures are quick (validation, auth, 429) or slow (lock and upstream timeouts).
pub fn error_latency(c: &mut Ctx, status: u16) -> u64 {
    let q: [u64; 5] = match status {
        429 => [600, 2_500, 6_000, 12_000, 40_000],
        401..=404 => [1_500, 6_000, 15_000, 40_000, 200_000],
        500 => [20_000, 150_000, 600_000, 2_000_000, 8_000_000],
        502 => [80_000, 900_000, 3_000_000, 9_000_000, 20_000_000],
        503 => [1_000_000, 2_000_000, 2_100_000, 2_400_000, 3_000_000],
        504 => [5_000_000, 5_010_000, 5_040_000, 5_100_000, 5_400_000],
        _ => [4_000, 25_000, 70_000, 200_000, 900_000],
    };
    quantile(c, q)
}

/// Draw from a distribution given at quantiles 0, .5, .9, .99 and 1.
fn quantile(c: &mut Ctx, q: [u64; 5]) -> u64 {
    const AT: [u64; 5] = [0, 500_000, 900_000, 990_000, 1_000_000];
    let u = c.range(0, 999_999);
    let i = (0..4).find(|&i| u < AT[i + 1]).expect("u < 1");
    let (u0, u1) = (AT[i], AT[i + 1]);
    q[i] + (q[i + 1] - q[i]) * (u - u0) / (u1 - u0)
}

/// Placeholder values for one request, drawn once so path and body agree.
pub struct Vars<'a> {
    ts_us: i64,
    request_id: &'a str,
    client: &'a Client,
    got: Vec<(&'static str, String)>,
}

impl<'a> Vars<'a> {
    pub fn new(ts_us: i64, request_id: &'a str, client: &'a Client) -> Self {
        Vars {
            ts_us,
            request_id,
            client,
            got: Vec::new(),
        }
    }

    /// Take the ids a given path holds at the route's placeholders, so the
    /// body names the same session or booking as the path.
    pub fn learn(&mut self, route: &'static str, path: &str) {
        for (r, p) in route.split('/').zip(path.split('/')) {
            if let Some(name) = r.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
                self.got.push((name, p.to_string()));
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<String> {
        self.got
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    }

    pub fn fill(&mut self, c: &mut Ctx, template: &'static str) -> String {
        text::fill_template(template, |name, out| self.value(c, name, out))
    }

    fn value(&mut self, c: &mut Ctx, name: &'static str, out: &mut String) {
        if name == "rid" {
            out.push_str(self.request_id);
            return;
        }
        if let Some((_, v)) = self.got.iter().find(|(n, _)| *n == name) {
            out.push_str(v);
            return;
        }
        let day = self.ts_us + (1 + c.range(0, 12) as i64) * US_PER_DAY;
        let v = match name {
            "uid" => c.base62(22),
            "date" => text::date(day),
            "date2" => {
                let d = self.get("date").unwrap_or_else(|| text::date(day));
                next_day(&d)
            }
            "hhmm" => format!("{:02}:{:02}", c.range(8, 18), 30 * c.range(0, 1)),
            "etid" => c.range(1000, 99_999).to_string(),
            "n" => c.range(1, 9).to_string(),
            "tz" => c
                .pick(&[
                    "Europe%2FBerlin",
                    "Europe%2FLondon",
                    "America%2FNew_York",
                    "Asia%2FTokyo",
                ])
                .to_string(),
            "tz_plain" => c
                .pick(&["Europe/Berlin", "Europe/Lisbon", "America/Chicago"])
                .to_string(),
            "oc" if self.client.id.starts_with("oc_") => self.client.id.to_string(),
            "oc" => format!("oc_{}", c.base62(12)),
            "state" => c.base62(16),
            "inter" => c.base62(24),
            "pat" => format!("pat_{}", c.base62(10)),
            "bkg" => format!("bkg_{}", c.base62(10)),
            "ses" => format!("ses_{}", c.base62(8)),
            "mem" => format!("mem_{}", c.base62(8)),
            "loc" => c
                .pick(&[
                    "berlin-mitte",
                    "london-shoreditch",
                    "paris-11",
                    "lisbon-baixa",
                    "nyc-soho",
                ])
                .to_string(),
            "uuid" | "uuid2" | "biz" => c.any_uuid(),
            "cal" => format!("cal_{}", c.alnum(12)),
            "evt" => format!("evt_{}", c.alnum(16)),
            "provider" => c.pick(&["google", "microsoft", "apple"]).to_string(),
            _ => panic!("unknown placeholder {{{name}}}"),
        };
        out.push_str(&v);
        self.got.push((name, v));
    }
}

/// `2026-05-31` → `2026-06-01` (dates here are always in May or June 2026).
fn next_day(d: &str) -> String {
    let (y, m, dd) = (&d[0..4], &d[5..7], &d[8..10]);
    let (y, m, dd): (i64, u32, u32) = (
        y.parse().unwrap_or(2026),
        m.parse().unwrap_or(5),
        dd.parse().unwrap_or(1),
    );
    text::date(text::epoch_us(y, m, dd, 0, 0, 0) + US_PER_DAY)
}

/// Hourly traffic weights (UTC), Europe-heavy business hours.
const HOURLY: [u64; 24] = [
    2, 1, 1, 1, 2, 3, 5, 8, 10, 11, 11, 10, 10, 11, 11, 10, 9, 8, 6, 5, 4, 3, 3, 2,
];

/// Maps "line k of n" to a time so traffic follows the day: dense in
/// business hours, thin at night. Integer arithmetic only.
pub struct Timeline {
    start_us: i64,
    /// Cumulative weighted length per hour bucket.
    cum: Vec<u128>,
    weights: Vec<u64>,
}

impl Timeline {
    pub fn new(start_us: i64, end_us: i64) -> Timeline {
        let hours = ((end_us - start_us) / US_PER_H) as usize;
        let weights: Vec<u64> = (0..hours).map(|h| HOURLY[h % 24]).collect();
        let mut cum = Vec::with_capacity(hours + 1);
        let mut acc = 0u128;
        cum.push(0);
        for w in &weights {
            acc += u128::from(*w) * US_PER_H as u128;
            cum.push(acc);
        }
        Timeline {
            start_us,
            cum,
            weights,
        }
    }

    /// The time of position `k + frac/2^20` out of `n`.
    pub fn at(&self, k: u64, n: u64, frac: u32) -> i64 {
        let total = *self.cum.last().expect("at least one hour");
        let target =
            ((u128::from(k) << 20) + u128::from(frac & 0xF_FFFF)) * total / (u128::from(n) << 20);
        let b = self
            .cum
            .partition_point(|&c| c <= target)
            .saturating_sub(1)
            .min(self.weights.len() - 1);
        let within = ((target - self.cum[b]) / u128::from(self.weights[b])) as i64;
        self.start_us + b as i64 * US_PER_H + within.min(US_PER_H - 1)
    }
}

/// A time in business hours on one of `days` (0 = the first day), drawn.
pub fn business_time(c: &mut Ctx, start_us: i64, days: std::ops::RangeInclusive<u64>) -> i64 {
    let day = c.range(*days.start(), *days.end()) as i64;
    start_us
        + day * US_PER_DAY
        + c.range(8, 16) as i64 * US_PER_H
        + c.range(0, 59) as i64 * US_PER_MIN
        + c.range(0, 59_999_999) as i64
}
