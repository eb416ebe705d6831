//! The logical request the generator decides on before any wrapper writes it
//! ([`Record`]), the wrapper styles ([`Style`]), and the seeded source of
//! randomness and unique ids ([`Ctx`]).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::apis::{Client, Service};
use super::text;

/// How a line is written: four wrappers gateways and services really use,
/// and three shapes the misc services write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Style {
    /// Flat API-gateway JSON: `timestamp`, header maps, nested `response_body`.
    Gateway,
    /// Elastic Common Schema, body as a JSON string.
    Ecs,
    /// OpenTelemetry log record, `attributes` with dotted keys.
    Otel,
    /// nginx `log_format … escape=default` JSON with `\x22` escapes.
    Nginx,
    /// The integrations service: epoch-millisecond `ts`, header pairs.
    EpochMs,
    /// admin-api via logback: `time` as `2026-05-14 10:00:00,123`.
    Log4j,
    /// admin-api's EU instance: `timestamp` with a `+0200` offset.
    Offset0200,
}

impl Style {
    pub const ALL: [Style; 7] = [
        Style::Gateway,
        Style::Ecs,
        Style::Otel,
        Style::Nginx,
        Style::EpochMs,
        Style::Log4j,
        Style::Offset0200,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Style::Gateway => "gateway",
            Style::Ecs => "ecs",
            Style::Otel => "otel",
            Style::Nginx => "nginx",
            Style::EpochMs => "epoch_ms",
            Style::Log4j => "log4j",
            Style::Offset0200 => "offset_0200",
        }
    }

    /// The styles a service's lines are written in, with weights.
    pub fn for_service(service: Service) -> &'static [(Style, u32)] {
        match service {
            Service::FortyTwo => &[(Style::Gateway, 50), (Style::Nginx, 35), (Style::Otel, 15)],
            Service::Member => &[(Style::Gateway, 45), (Style::Ecs, 55)],
            Service::Avail => &[(Style::Gateway, 30), (Style::Ecs, 40), (Style::Nginx, 30)],
            Service::CalPipe => &[(Style::Gateway, 30), (Style::Otel, 70)],
            Service::Integrations => &[(Style::EpochMs, 1)],
            Service::Admin => &[(Style::Log4j, 60), (Style::Offset0200, 40)],
        }
    }
}

/// What kind of line a record becomes.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// An access-log line for one request.
    Access,
    /// An application log line (ECS) about a request, or about nothing.
    Context {
        level: &'static str,
        logger: &'static str,
        message: String,
    },
    /// A line that is not JSON at all, written as is.
    Text(String),
}

/// A deliberately broken line: the record is rendered, then damaged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Broken {
    /// Plain text where JSON was expected.
    NotJson,
    /// A JSON line cut short (a writer died mid-line).
    Truncated,
    /// A Latin-1 byte inside a string value.
    InvalidUtf8,
}

impl Broken {
    pub fn name(self) -> &'static str {
        match self {
            Broken::NotJson => "not_json",
            Broken::Truncated => "truncated",
            Broken::InvalidUtf8 => "invalid_utf8",
        }
    }
}

/// Why the manifest wants to know where a record landed.
#[derive(Clone, Debug, PartialEq)]
pub enum Tag {
    None,
    /// Attempt `attempt` (0-based) of planned chain `chain`.
    Chain {
        chain: usize,
        attempt: usize,
    },
    /// Log content a viewer must not trust (escapes, secrets).
    Hostile(&'static str),
    Broken(Broken),
}

/// A misc-service call: the third-party URL and how its ids were logged.
#[derive(Clone, Debug, PartialEq)]
pub struct Misc {
    pub provider: &'static str,
    /// Full URL for integrations, path with query for admin-api.
    pub url: String,
    /// Our own id for the call (integrations' top-level `request_id`).
    pub internal_id: String,
    /// Response headers in the order the service logged them.
    pub resp_headers: Vec<(&'static str, String)>,
}

/// One request as the generator decided it; a wrapper renders it to a line.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Request start, microseconds since the epoch (UTC).
    pub ts_us: i64,
    pub service: Service,
    pub style: Style,
    pub kind: Kind,
    pub method: &'static str,
    pub path: String,
    /// Query string without `?`; empty for none.
    pub query: String,
    pub route: &'static str,
    pub status: u16,
    pub latency_us: u64,
    /// The id errtriage should report for this line (DESIGN "request id").
    pub request_id: String,
    pub trace_id: String,
    pub span_id: String,
    pub key: Option<String>,
    pub retry_after: Option<u32>,
    pub client: &'static str,
    pub agent: &'static str,
    /// The response body as JSON text; empty for none.
    pub body: String,
    /// The code errtriage should read (`None` for successes).
    pub code: Option<&'static str>,
    /// Extra response headers (WWW-Authenticate, Location, rate-limit…).
    pub headers: Vec<(&'static str, String)>,
    /// Extra request headers (If-Match, a leaked Authorization…).
    pub req_headers: Vec<(&'static str, String)>,
    pub misc: Option<Box<Misc>>,
    pub tag: Tag,
    /// An application log line about this request was written too.
    pub has_context: bool,
}

impl Record {
    pub fn end_us(&self) -> i64 {
        self.ts_us + self.latency_us as i64
    }

    pub fn is_error(&self) -> bool {
        self.code.is_some()
    }
}

/// The seeded generator state: one ChaCha8 stream (stable across platforms
/// and releases) and the counter behind every unique id.
pub struct Ctx {
    pub rng: ChaCha8Rng,
    counter: u64,
    salt: u64,
}

impl Ctx {
    pub fn new(seed: u64) -> Ctx {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let salt = rng.random();
        Ctx {
            rng,
            counter: 0,
            salt,
        }
    }

    /// The next unique 64-bit value (a bijection of a counter).
    fn unique(&mut self, bits: u32) -> u64 {
        self.counter += 1;
        text::permute(self.counter, bits, self.salt)
    }

    pub fn pct(&mut self, p: u32) -> bool {
        self.rng.random_range(0..100) < p
    }

    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        self.rng.random_range(lo..=hi)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.random_range(0..items.len())]
    }

    /// Index into `weights` drawn by weight.
    pub fn weighted(&mut self, weights: impl Iterator<Item = u32> + Clone) -> usize {
        let total: u32 = weights.clone().sum();
        let mut x = self.rng.random_range(0..total);
        for (i, w) in weights.enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        unreachable!("x < total")
    }

    pub fn pick_weighted<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        &items[self.weighted(items.iter().map(|(_, w)| *w))].0
    }

    pub fn client<'a>(&mut self, clients: &'a [Client]) -> &'a Client {
        &clients[self.weighted(clients.iter().map(|c| c.weight))]
    }

    /// `n` random base-62 characters (not unique; for resource ids).
    pub fn base62(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        text::push_base62(&mut s, self.rng.random(), n.min(10));
        if n > 10 {
            text::push_base62(&mut s, self.rng.random(), n - 10);
        }
        s
    }

    /// `n` random lower-case alphanumerics.
    pub fn alnum(&mut self, n: usize) -> String {
        const A: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        (0..n)
            .map(|_| A[self.rng.random_range(0..36)] as char)
            .collect()
    }

    pub fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        let mut left = n;
        while left > 0 {
            let take = left.min(16);
            text::push_hex(&mut s, self.rng.random(), take);
            left -= take;
        }
        s
    }

    /// Member API style: `req_` + 10 base-62 characters, unique.
    pub fn member_request_id(&mut self) -> String {
        let mut s = String::from("req_");
        text::push_base62(&mut s, self.unique(56), 10);
        if super::scenarios::STORY.ids().contains(&s.as_str()) {
            return self.member_request_id();
        }
        s
    }

    /// 42min style: `req_` + a lower-case ULID, unique.
    pub fn fortytwo_request_id(&mut self, ts_us: i64) -> String {
        let lo = self.unique(64);
        let hi = self.rng.random();
        format!(
            "req_{}",
            text::ulid((ts_us / 1000) as u64, hi, lo).to_ascii_lowercase()
        )
    }

    /// A ULID (CalendarPipe's `X-Request-Id`), unique.
    pub fn ulid(&mut self, ts_us: i64) -> String {
        let lo = self.unique(64);
        let hi = self.rng.random();
        text::ulid((ts_us / 1000) as u64, hi, lo)
    }

    /// A version-4 UUID, unique.
    pub fn uuid(&mut self) -> String {
        let lo = self.unique(62);
        text::uuid(self.rng.random(), lo)
    }

    /// A random (not counted) UUID for resource ids.
    pub fn any_uuid(&mut self) -> String {
        text::uuid(self.rng.random(), self.rng.random())
    }

    /// Stripe style: `req_` + 14 base-62 characters, unique.
    pub fn stripe_request_id(&mut self) -> String {
        let mut s = String::from("req_");
        text::push_base62(&mut s, self.unique(56), 10);
        text::push_base62(&mut s, self.rng.random(), 4);
        s
    }

    /// A W3C trace id (32 hex), unique.
    pub fn trace_id(&mut self) -> String {
        let mut s = String::with_capacity(32);
        text::push_hex(&mut s, self.unique(64), 16);
        text::push_hex(&mut s, self.rng.random(), 16);
        s
    }

    pub fn span_id(&mut self) -> String {
        self.hex(16)
    }

    /// An Idempotency-Key in the client's style, unique.
    pub fn idempotency_key(&mut self, prefix: Option<&str>) -> String {
        match prefix {
            None => self.uuid(),
            Some(p) => {
                let mut s = format!("{p}-");
                text::push_base62(&mut s, self.unique(56), 10);
                s
            }
        }
    }
}
