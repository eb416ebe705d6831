//! The planned part of every corpus: the README's story request, one or more
//! retry chains per DESIGN rule (and well-behaved chains that must not be
//! flagged), one line per documented error code, hostile content, context
//! lines and broken lines. Random traffic is mixed around these.

use super::apis::{self, Service};
use super::misc;
use super::record::{Kind, Record, Style, Tag};
use super::text;
use super::traffic::{self, Shape, Traffic};

/// The request the README walks through.
pub const STORY: StoryIds = StoryIds {
    request_id: super::STORY_REQUEST_ID,
    retry_id: "req_8Lw3QzT5vB",
    success_id: "req_Y7cPq1Rm0d",
    key: "5f1d3c2a-8e4b-4c7a-9a21-3b6f0e9d7c41",
    path: "/v2/sessions/ses_4kX9mQ2p/bookings",
    client: "partner_fitlink",
};

impl StoryIds {
    /// The story chain's request ids, which random ids must never repeat.
    pub fn ids(&self) -> [&'static str; 3] {
        [self.request_id, self.retry_id, self.success_id]
    }
}

pub struct StoryIds {
    pub request_id: &'static str,
    pub retry_id: &'static str,
    pub success_id: &'static str,
    pub key: &'static str,
    pub path: &'static str,
    pub client: &'static str,
}

/// A chain the generator planned, and what errtriage should say about it.
pub struct ChainPlan {
    pub label: &'static str,
    pub service: Service,
    pub client: &'static str,
    pub key: String,
    /// The rules it must trigger (empty for a well-behaved chain).
    pub rules: &'static [&'static str],
    pub what: &'static str,
    pub attempts: usize,
}

/// Everything planned, before it is merged into the traffic.
pub struct Plan {
    pub records: Vec<Record>,
    pub chains: Vec<ChainPlan>,
}

/// When the next attempt starts.
#[derive(Clone, Copy)]
pub enum After {
    /// This many ms after the previous response (start + latency).
    End(i64),
    /// This many ms after the previous attempt started (may overlap).
    Start(i64),
}

/// One planned attempt: when, how it ends (`None`: the endpoint's success).
pub struct At {
    after: After,
    code: Option<&'static str>,
    lat_ms: u64,
    ra: Option<u32>,
    /// Another endpoint than the chain's (same key, other method/path).
    pub route: Option<(&'static str, &'static str)>,
    /// The server replays a stored response (`Idempotent-Replayed: true`).
    pub replayed: bool,
}

pub fn at(after: After, code: Option<&'static str>, lat_ms: u64) -> At {
    At {
        after,
        code,
        lat_ms,
        ra: None,
        route: None,
        replayed: false,
    }
}

pub fn at_ra(after: After, code: &'static str, lat_ms: u64, ra: u32) -> At {
    At {
        ra: Some(ra),
        ..at(after, Some(code), lat_ms)
    }
}

pub use After::{End, Start};

pub const OK: Option<&str> = None;

/// What a chain is about and where it starts.
pub struct Head {
    label: &'static str,
    service: Service,
    client: &'static str,
    style: Style,
    endpoint: (&'static str, &'static str),
    /// The first attempt's path, when it must be a known one.
    path: Option<&'static str>,
    pub start_us: i64,
    rules: &'static [&'static str],
    what: &'static str,
}

pub struct Planner<'a> {
    pub t: &'a mut Traffic,
    pub start_us: i64,
    pub plan: Plan,
    covered: Vec<(Service, &'static str)>,
}

impl<'a> Planner<'a> {
    pub fn new(t: &'a mut Traffic, start_us: i64) -> Self {
        Planner {
            t,
            start_us,
            plan: Plan {
                records: Vec::new(),
                chains: Vec::new(),
            },
            covered: Vec::new(),
        }
    }

    fn day_time(&mut self, days: std::ops::RangeInclusive<u64>) -> i64 {
        traffic::business_time(&mut self.t.ctx, self.start_us, days)
    }

    /// Add a chain of seed-API attempts sharing one Idempotency-Key.
    pub fn chain(&mut self, head: Head, key: Option<String>, ids: &[&str], atts: &[At]) {
        let service = head.service;
        let client = apis::client(service, head.client);
        let key = key.unwrap_or_else(|| self.t.ctx.idempotency_key(client.key_prefix));
        let index = self.plan.chains.len();
        let mut prev: Option<Record> = None;
        for (i, a) in atts.iter().enumerate() {
            let (method, route) = a.route.unwrap_or(head.endpoint);
            let ep = apis::endpoint(service, method, route);
            let ts = match (&prev, a.after) {
                (None, _) => head.start_us,
                (Some(p), End(ms)) => p.end_us() + ms * 1000,
                (Some(p), Start(ms)) => p.ts_us + ms * 1000,
            };
            let path = match &prev {
                None => head.path.map(str::to_string),
                Some(p) => carry_path(p.route, &p.path, route),
            };
            let shape = Shape {
                style: Some(head.style),
                latency_us: Some(a.lat_ms * 1000 + self.t.ctx.range(0, 999)),
                retry_after: a.ra,
                key: Some(Some(key.clone())),
                query: prev
                    .as_ref()
                    .filter(|p| p.route == route)
                    .map(|p| p.query.clone()),
                path,
                request_id: ids.get(i).map(|s| s.to_string()),
            };
            let err = a.code.map(|c| apis::spec(service, c));
            let mut rec = self.t.build(service, ep, client, ts, err, shape);
            if a.replayed {
                rec.headers.push(("Idempotent-Replayed", "true".into()));
            }
            rec.tag = Tag::Chain {
                chain: index,
                attempt: i,
            };
            if let Some(code) = a.code {
                self.covered.push((service, code));
            }
            self.plan.records.push(rec.clone());
            prev = Some(rec);
        }
        self.plan.chains.push(ChainPlan {
            label: head.label,
            service,
            client: head.client,
            key,
            rules: head.rules,
            what: head.what,
            attempts: atts.len(),
        });
    }

    #[allow(clippy::too_many_arguments)]
    pub fn head(
        &mut self,
        label: &'static str,
        service: Service,
        client: &'static str,
        style: Style,
        endpoint: (&'static str, &'static str),
        days: std::ops::RangeInclusive<u64>,
        rules: &'static [&'static str],
        what: &'static str,
    ) -> Head {
        let start_us = self.day_time(days);
        Head {
            label,
            service,
            client,
            style,
            endpoint,
            path: None,
            start_us,
            rules,
            what,
        }
    }
}

/// The path of `new_route` reusing the ids the previous path had at the same
/// placeholders (`/v2/sessions/{ses}/bookings` → `…/{ses}/waitlist`).
fn carry_path(prev_route: &str, prev_path: &str, new_route: &str) -> Option<String> {
    let old: Vec<(&str, &str)> = prev_route.split('/').zip(prev_path.split('/')).collect();
    let mut out = Vec::new();
    for seg in new_route.split('/') {
        if seg.starts_with('{') {
            out.push(old.iter().find(|(r, _)| *r == seg)?.1);
        } else {
            out.push(seg);
        }
    }
    Some(out.join("/"))
}

/// Build the whole plan for a corpus starting at `start_us`.
pub fn plan(t: &mut Traffic, start_us: i64, rotate_us: i64, extra_broken: u64) -> Plan {
    let mut p = Planner::new(t, start_us);
    story(&mut p);
    super::chains::flagged(&mut p);
    super::chains::clean(&mut p, rotate_us);
    super::scenarios_more::route_outage(&mut p);
    super::scenarios_more::coverage(&mut p);
    super::scenarios_more::hostile(&mut p);
    super::scenarios_more::context_lines(&mut p);
    super::scenarios_more::broken(&mut p, extra_broken);
    p.plan
}

impl Planner<'_> {
    pub fn is_covered(&self, service: Service, code: &str) -> bool {
        self.covered
            .iter()
            .any(|(s, c)| *s == service && *c == code)
    }

    pub fn cover(&mut self, service: Service, code: &'static str) {
        self.covered.push((service, code));
    }

    pub fn push(&mut self, rec: Record) {
        self.plan.records.push(rec);
    }

    pub fn time(&mut self, days: std::ops::RangeInclusive<u64>) -> i64 {
        self.day_time(days)
    }

    /// A Stripe chain through the integrations service.
    pub fn stripe_chain(
        &mut self,
        label: &'static str,
        rules: &'static [&'static str],
        what: &'static str,
        steps: &[(Option<&'static str>, i64)],
    ) {
        let key = self.t.ctx.uuid();
        let index = self.plan.chains.len();
        let mut ts = self.day_time(0..=3);
        for (i, (code, wait_ms)) in steps.iter().enumerate() {
            let mut rec = misc::planned(&mut self.t.ctx, "stripe", *code, ts, Some(key.clone()));
            rec.tag = Tag::Chain {
                chain: index,
                attempt: i,
            };
            if let Some(code) = code {
                self.covered.push((Service::Integrations, code));
            }
            ts = rec.end_us() + wait_ms * 1000;
            self.plan.records.push(rec);
        }
        let client = self.plan.records.last().map_or("", |r| r.client);
        for r in self.plan.records.iter_mut().rev().take(steps.len()) {
            r.client = client;
        }
        self.plan.chains.push(ChainPlan {
            label,
            service: Service::Integrations,
            client,
            key,
            rules,
            what,
            attempts: steps.len(),
        });
    }
}

/// `req_2N7s8x9KqR`: 429 with Retry-After 42, retried 5 s later (too soon,
/// 429 again), then honoured and succeeded.
fn story(p: &mut Planner) {
    let head = Head {
        label: "story",
        service: Service::Member,
        client: STORY.client,
        style: Style::Gateway,
        endpoint: ("POST", "/v2/sessions/{ses}/bookings"),
        path: Some(STORY.path),
        start_us: text::epoch_us(2026, 5, 14, 10, 2, 17) + 481_000,
        rules: &["retry_too_soon"],
        what: "429 RATE_LIMITED with Retry-After 42; the client retried 5 s later (429 again), then waited and succeeded",
    };
    let ids = [STORY.request_id, STORY.retry_id, STORY.success_id];
    p.chain(
        head,
        Some(STORY.key.to_string()),
        &ids,
        &[
            at_ra(Start(0), "RATE_LIMITED", 9, 42),
            at_ra(Start(5_000), "RATE_LIMITED", 7, 37),
            at(End(37_120), OK, 143),
        ],
    );
}

/// A record with no request: a process line (`Kind::Context`) or a line
/// that is not JSON at all (`Kind::Text`).
pub fn bare(service: Service, style: Style, ts_us: i64, kind: Kind, tag: Tag) -> Record {
    Record {
        ts_us,
        service,
        style,
        kind,
        method: "",
        path: String::new(),
        query: String::new(),
        route: "",
        status: 0,
        latency_us: 0,
        request_id: String::new(),
        trace_id: String::new(),
        span_id: String::new(),
        key: None,
        retry_after: None,
        client: "",
        agent: "",
        body: String::new(),
        code: None,
        headers: Vec::new(),
        req_headers: Vec::new(),
        misc: None,
        tag,
        has_context: false,
    }
}
