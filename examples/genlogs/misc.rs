//! The two "misc" services, there so the tool's breadth shows: `integrations`
//! logs its outbound calls to Stripe, Google, Microsoft Graph, Slack, Twilio
//! and AWS (their envelopes verbatim), and `admin-api` is a Spring Boot app
//! answering with Spring errors, RFC 9457 problems, JSON:API and GraphQL.

use super::apis::{Lat, Service};
use super::record::{Ctx, Kind, Misc, Record, Style, Tag};
use super::text;
use super::traffic::{error_latency, latency};

/// One error a third party or admin-api answers with, and the code errtriage
/// should read from it (DESIGN "code").
pub struct MiscErr {
    pub status: u16,
    pub body: &'static str,
    pub code: &'static str,
    pub retry_after: Option<u32>,
    /// 0: only planned scenarios produce it.
    pub weight: u32,
}

const fn me(status: u16, code: &'static str, weight: u32, body: &'static str) -> MiscErr {
    MiscErr {
        status,
        body,
        code,
        retry_after: None,
        weight,
    }
}

/// How a provider names its request id in the response headers.
#[derive(Clone, Copy)]
pub enum IdHeader {
    None,
    Stripe(&'static str),
    Uuid(&'static str),
    Twilio(&'static str),
    /// A header errtriage does not take as a request id (`x-slack-req-id`).
    Opaque(&'static str),
}

pub struct Call {
    pub provider: &'static str,
    pub method: &'static str,
    pub url: &'static str,
    pub ok: u16,
    pub ok_body: &'static str,
    pub weight: u32,
    pub id_header: IdHeader,
    /// Writes carry an Idempotency-Key.
    pub keyed: bool,
    pub errors: &'static [MiscErr],
}

pub static INTEGRATION_CALLS: &[Call] = &[
    Call {
        provider: "stripe",
        method: "POST",
        url: "https://api.stripe.com/v1/payment_intents",
        ok: 200,
        ok_body: r#"{"id":"pi_{b24}","object":"payment_intent","status":"succeeded"}"#,
        weight: 20,
        id_header: IdHeader::Stripe("Request-Id"),
        keyed: true,
        errors: &[
            me(
                402,
                "card_declined",
                10,
                r#"{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","param":"payment_method","message":"Your card has insufficient funds.","request_log_url":"https://dashboard.stripe.com/logs/{rid}"}}"#,
            ),
            me(
                429,
                "rate_limit",
                3,
                r#"{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Too many requests hit the API too quickly. We recommend an exponential backoff of your requests."}}"#,
            ),
            me(
                500,
                "api_error",
                2,
                r#"{"error":{"type":"api_error","message":"An unknown error occurred"}}"#,
            ),
            me(
                400,
                "idempotency_error",
                0,
                r#"{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."}}"#,
            ),
        ],
    },
    Call {
        provider: "google-oauth",
        method: "POST",
        url: "https://oauth2.googleapis.com/token",
        ok: 200,
        ok_body: "",
        weight: 12,
        id_header: IdHeader::None,
        keyed: false,
        errors: &[
            me(
                400,
                "invalid_grant",
                10,
                r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#,
            ),
            me(
                401,
                "invalid_client",
                2,
                r#"{"error":"invalid_client","error_description":"The OAuth client was not found."}"#,
            ),
        ],
    },
    Call {
        provider: "google-calendar",
        method: "POST",
        url: "https://www.googleapis.com/calendar/v3/calendars/{gcal}/events",
        ok: 200,
        ok_body: r#"{"kind":"calendar#event","id":"{a26}","status":"confirmed"}"#,
        weight: 16,
        id_header: IdHeader::None,
        keyed: false,
        errors: &[
            me(
                403,
                "rateLimitExceeded",
                6,
                r#"{"error":{"errors":[{"domain":"usageLimits","reason":"rateLimitExceeded","message":"Rate Limit Exceeded"}],"code":403,"message":"Rate Limit Exceeded"}}"#,
            ),
            me(
                404,
                "notFound",
                3,
                r#"{"error":{"errors":[{"domain":"global","reason":"notFound","message":"Not Found"}],"code":404,"message":"Not Found"}}"#,
            ),
        ],
    },
    Call {
        provider: "gmail",
        method: "POST",
        url: "https://gmail.googleapis.com/gmail/v1/users/me/messages/send",
        ok: 200,
        ok_body: r#"{"id":"{h16}","labelIds":["SENT"]}"#,
        weight: 10,
        id_header: IdHeader::None,
        keyed: false,
        errors: &[
            MiscErr {
                status: 429,
                code: "RATE_LIMIT_EXCEEDED",
                retry_after: Some(30),
                weight: 4,
                body: r#"{"error":{"code":429,"message":"Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com","metadata":{"service":"gmail.googleapis.com","quota_metric":"gmail.googleapis.com/default"}},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"30s"}]}}"#,
            },
            me(
                503,
                "UNAVAILABLE",
                2,
                r#"{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}"#,
            ),
        ],
    },
    Call {
        provider: "msgraph",
        method: "POST",
        url: "https://graph.microsoft.com/v1.0/users/{upn}/events",
        ok: 201,
        ok_body: r#"{"id":"AAMkAG{b24}","webLink":"https://outlook.office365.com/owa/?itemid=AAMkAG{b24}"}"#,
        weight: 12,
        id_header: IdHeader::Uuid("request-id"),
        keyed: false,
        errors: &[
            me(
                404,
                "ErrorItemNotFound",
                4,
                r#"{"error":{"code":"ErrorItemNotFound","message":"The specified object was not found in the store.","innerError":{"date":"{gdate}","request-id":"{rid}","client-request-id":"{crid}"}}}"#,
            ),
            MiscErr {
                status: 429,
                code: "TooManyRequests",
                retry_after: Some(12),
                weight: 3,
                body: r#"{"error":{"code":"TooManyRequests","message":"Too many requests, retry after some time.","innerError":{"date":"{gdate}","request-id":"{rid}","client-request-id":"{crid}"}}}"#,
            },
        ],
    },
    Call {
        provider: "slack",
        method: "POST",
        url: "https://slack.com/api/chat.postMessage",
        ok: 200,
        ok_body: r#"{"ok":true,"channel":"C0{h8}","ts":"1778752800.001200"}"#,
        weight: 14,
        id_header: IdHeader::Opaque("x-slack-req-id"),
        keyed: false,
        errors: &[
            me(
                200,
                "channel_not_found",
                6,
                r#"{"ok":false,"error":"channel_not_found"}"#,
            ),
            me(
                200,
                "not_in_channel",
                3,
                r#"{"ok":false,"error":"not_in_channel"}"#,
            ),
            MiscErr {
                status: 429,
                code: "ratelimited",
                retry_after: Some(30),
                weight: 2,
                body: r#"{"ok":false,"error":"ratelimited"}"#,
            },
        ],
    },
    Call {
        provider: "twilio",
        method: "POST",
        url: "https://api.twilio.com/2010-04-01/Accounts/AC{h32}/Messages.json",
        ok: 201,
        ok_body: r#"{"sid":"SM{h32}","status":"queued"}"#,
        weight: 10,
        id_header: IdHeader::Twilio("Twilio-Request-Id"),
        keyed: false,
        errors: &[
            me(
                400,
                "21211",
                6,
                r#"{"code":21211,"message":"The 'To' number +1555010{nn} is not a valid phone number.","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#,
            ),
            me(
                429,
                "20429",
                1,
                r#"{"code":20429,"message":"Too Many Requests","more_info":"https://www.twilio.com/docs/errors/20429","status":429}"#,
            ),
        ],
    },
    Call {
        provider: "dynamodb",
        method: "POST",
        url: "https://dynamodb.eu-west-1.amazonaws.com/",
        ok: 200,
        ok_body: "{}",
        weight: 8,
        id_header: IdHeader::Uuid("x-amzn-RequestId"),
        keyed: false,
        errors: &[
            me(
                400,
                "ProvisionedThroughputExceededException",
                4,
                r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."}"#,
            ),
            me(
                400,
                "ValidationException",
                2,
                r#"{"__type":"com.amazon.coral.validate#ValidationException:http://internal.amazon.com/coral/com.amazon.coral.validate/","message":"One or more parameter values were invalid: Missing the key id in the item"}"#,
            ),
        ],
    },
];

pub static ADMIN_CALLS: &[Call] = &[
    Call {
        provider: "spring",
        method: "GET",
        url: "/admin/reports/export?format=csv&from={date}",
        ok: 200,
        ok_body: "",
        weight: 8,
        id_header: IdHeader::Uuid("X-Request-Id"),
        keyed: false,
        errors: &[me(
            500,
            "http_500",
            5,
            r#"{"timestamp":"{spring_ts}","status":500,"error":"Internal Server Error","path":"/admin/reports/export"}"#,
        )],
    },
    Call {
        provider: "spring",
        method: "GET",
        url: "/admin/accounts/{acct}",
        ok: 200,
        ok_body: r#"{"id":"{acct}","plan":"pro","status":"active"}"#,
        weight: 30,
        id_header: IdHeader::Uuid("X-Request-Id"),
        keyed: false,
        errors: &[me(
            404,
            "http_404",
            4,
            r#"{"timestamp":"{spring_ts}","status":404,"error":"Not Found","path":"/admin/accounts/{acct}"}"#,
        )],
    },
    Call {
        provider: "problem",
        method: "POST",
        url: "/admin/accounts/{acct}/credits",
        ok: 200,
        ok_body: r#"{"id":"{acct}","balance":{nn}0}"#,
        weight: 8,
        id_header: IdHeader::Uuid("X-Request-Id"),
        keyed: false,
        errors: &[me(
            403,
            "out-of-credit",
            4,
            r#"{"type":"https://admin.example.com/problems/out-of-credit","title":"You do not have enough credit.","status":403,"detail":"Your current balance is 30, but that costs 50.","instance":"/admin/accounts/{acct}/credits"}"#,
        )],
    },
    Call {
        provider: "problem",
        method: "POST",
        url: "/admin/users",
        ok: 201,
        ok_body: r#"{"id":"{uuid}","role":"support"}"#,
        weight: 4,
        id_header: IdHeader::Uuid("X-Request-Id"),
        keyed: false,
        errors: &[me(
            400,
            "http_400",
            4,
            r#"{"type":"about:blank","title":"Bad Request","status":400,"detail":"Invalid request content.","instance":"/admin/users"}"#,
        )],
    },
    Call {
        provider: "jsonapi",
        method: "PATCH",
        url: "/admin/api/members/{mem}",
        ok: 200,
        ok_body: r#"{"data":{"type":"members","id":"{mem}","attributes":{"tier":"premium"}},"jsonapi":{"version":"1.1"}}"#,
        weight: 8,
        id_header: IdHeader::Uuid("X-Request-Id"),
        keyed: false,
        errors: &[me(
            422,
            "invalid_attribute",
            4,
            r#"{"jsonapi":{"version":"1.1"},"errors":[{"status":"422","code":"invalid_attribute","title":"Invalid Attribute","detail":"First name must contain at least two characters.","source":{"pointer":"/data/attributes/firstName"}}]}"#,
        )],
    },
    Call {
        provider: "graphql",
        method: "POST",
        url: "/admin/graphql",
        ok: 200,
        ok_body: r#"{"data":{"booking":{"id":"{bkg}","status":"CONFIRMED"}}}"#,
        weight: 20,
        id_header: IdHeader::Uuid("X-Request-Id"),
        keyed: false,
        errors: &[
            me(
                200,
                "NOT_FOUND",
                4,
                r#"{"data":{"booking":null},"errors":[{"message":"Booking not found","locations":[{"line":2,"column":3}],"path":["booking"],"extensions":{"code":"NOT_FOUND","requestId":"{rid}"}}]}"#,
            ),
            me(
                200,
                "BAD_USER_INPUT",
                2,
                r#"{"data":null,"errors":[{"message":"Variable \"$id\" got invalid value 42; ID cannot represent a non-string value","locations":[{"line":1,"column":16}],"extensions":{"code":"BAD_USER_INPUT","requestId":"{rid}"}}]}"#,
            ),
        ],
    },
];

const TENANTS: &[&str] = &[
    "tenant_brightsmile",
    "tenant_rotaplan",
    "tenant_fitlink",
    "tenant_northwind",
    "tenant_salonsuite",
];
const STAFF: &[&str] = &[
    "staff_jlee",
    "staff_mgarcia",
    "staff_aokoye",
    "svc_reporting_cron",
];

/// A random outbound call of the integrations service.
pub fn integrations(c: &mut Ctx, ts_us: i64, err_pct: u32) -> Record {
    random_call(c, Service::Integrations, INTEGRATION_CALLS, ts_us, err_pct)
}

/// A random admin-api request.
pub fn admin(c: &mut Ctx, ts_us: i64, err_pct: u32) -> Record {
    random_call(c, Service::Admin, ADMIN_CALLS, ts_us, err_pct)
}

fn random_call(
    c: &mut Ctx,
    service: Service,
    calls: &'static [Call],
    ts_us: i64,
    err_pct: u32,
) -> Record {
    let call = &calls[c.weighted(calls.iter().map(|k| k.weight))];
    let err =
        if !call.errors.is_empty() && c.pct(err_pct) && call.errors.iter().any(|e| e.weight > 0) {
            Some(&call.errors[c.weighted(call.errors.iter().map(|e| e.weight))])
        } else {
            None
        };
    let key = (call.keyed && c.pct(90)).then(|| c.uuid());
    build(c, service, call, ts_us, err, key)
}

/// A specific misc call: `provider`'s call (first with that provider and
/// method) failing with `code`, or succeeding when `code` is `None`.
pub fn planned(
    c: &mut Ctx,
    provider: &str,
    code: Option<&str>,
    ts_us: i64,
    key: Option<String>,
) -> Record {
    let (service, call) = find(provider, code);
    let err = code.map(|k| {
        call.errors
            .iter()
            .find(|e| e.code == k)
            .expect("find checked the code")
    });
    build(c, service, call, ts_us, err, key)
}

fn find(provider: &str, code: Option<&str>) -> (Service, &'static Call) {
    let all = INTEGRATION_CALLS
        .iter()
        .map(|k| (Service::Integrations, k))
        .chain(ADMIN_CALLS.iter().map(|k| (Service::Admin, k)));
    all.into_iter()
        .find(|(_, k)| {
            k.provider == provider
                && code.is_none_or(|code| k.errors.iter().any(|e| e.code == code))
        })
        .unwrap_or_else(|| panic!("no misc call {provider} {code:?}"))
}

/// Every (provider, code) the misc tables hold, for coverage.
pub fn all_errors() -> impl Iterator<Item = (&'static str, &'static str)> {
    INTEGRATION_CALLS
        .iter()
        .chain(ADMIN_CALLS)
        .flat_map(|k| k.errors.iter().map(move |e| (k.provider, e.code)))
}

fn build(
    c: &mut Ctx,
    service: Service,
    call: &'static Call,
    ts_us: i64,
    err: Option<&'static MiscErr>,
    key: Option<String>,
) -> Record {
    let internal_id = c.uuid();
    let (header_id, header) = match call.id_header {
        IdHeader::None => (None, None),
        IdHeader::Stripe(n) => (Some(c.stripe_request_id()), Some(n)),
        IdHeader::Uuid(n) => (Some(c.uuid()), Some(n)),
        IdHeader::Twilio(n) => (Some(format!("RQ{}", c.hex(32))), Some(n)),
        IdHeader::Opaque(n) => (
            Some(format!("{}-{}", c.range(1_000_000, 9_999_999), c.hex(8))),
            Some(n),
        ),
    };
    let opaque = matches!(call.id_header, IdHeader::Opaque(_));
    let request_id = match (&header_id, opaque) {
        (Some(id), false) => id.clone(),
        _ => internal_id.clone(),
    };
    // Values drawn once per call, so the URL and the body name the same ids.
    let mut seen: Vec<(&str, String)> = Vec::new();
    let mut filler = |name: &'static str, out: &mut String| {
        if let Some((_, v)) = seen.iter().find(|(n, _)| *n == name) {
            out.push_str(v);
            return;
        }
        let v = match name {
            "rid" => request_id.clone(),
            "key" => key.clone().unwrap_or_default(),
            "gdate" => text::rfc3339_secs_naive(ts_us),
            "spring_ts" => text::rfc3339_ms_colon(ts_us),
            "date" => text::date(ts_us - 7 * text::US_PER_DAY),
            "crid" | "uuid" => c.any_uuid(),
            "b24" => c.base62(24),
            "a26" => c.alnum(26),
            "h8" => c.hex(8).to_ascii_uppercase(),
            "h16" => c.hex(16),
            "h32" => c.hex(32),
            "nn" => c.range(10, 99).to_string(),
            "gcal" => format!("{}%40group.calendar.google.com", c.alnum(26)),
            "upn" => c
                .pick(&["frontdesk%40brightsmile.example", "ops%40rotaplan.example"])
                .to_string(),
            "acct" => format!("acct_{}", c.alnum(10)),
            "mem" => format!("mem_{}", c.base62(8)),
            "bkg" => format!("bkg_{}", c.base62(10)),
            _ => panic!("unknown placeholder {{{name}}}"),
        };
        out.push_str(&v);
        seen.push((name, v));
    };
    let url = text::fill_template(call.url, &mut filler);
    let body = text::fill_template(
        if let Some(e) = err {
            e.body
        } else {
            call.ok_body
        },
        &mut filler,
    );
    let status = err.map_or(call.ok, |e| e.status);
    let latency_us = match err {
        Some(e) if e.status >= 400 => error_latency(c, e.status),
        _ => latency(
            c,
            if service == Service::Admin {
                Lat::Read
            } else {
                Lat::Write
            },
        ),
    };
    let retry_after = err.and_then(|e| e.retry_after);
    let mut resp_headers = Vec::new();
    if let (Some(id), Some(name)) = (header_id, header) {
        resp_headers.push((name, id));
    }
    if !body.is_empty() {
        let ct = match call.provider {
            "jsonapi" => "application/vnd.api+json",
            "problem" if status >= 400 => "application/problem+json",
            _ => "application/json",
        };
        resp_headers.push(("Content-Type", ct.to_string()));
    }
    if let Some(ra) = retry_after.filter(|_| call.provider != "gmail") {
        resp_headers.push(("Retry-After", ra.to_string()));
    }
    let (path, query) = split_url(&url);
    let (style, client) = match service {
        Service::Admin => (
            *c.pick_weighted(Style::for_service(service)),
            *c.pick(STAFF),
        ),
        _ => (Style::EpochMs, *c.pick(TENANTS)),
    };
    Record {
        ts_us,
        service,
        style,
        kind: Kind::Access,
        method: call.method,
        path,
        query,
        route: call.url,
        status,
        latency_us,
        request_id,
        trace_id: c.trace_id(),
        span_id: c.span_id(),
        key,
        retry_after,
        client,
        agent: if service == Service::Admin {
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/138.0"
        } else {
            "integrations/3.4.0 (+okhttp/4.12.0)"
        },
        body,
        code: err.map(|e| e.code),
        headers: Vec::new(),
        req_headers: Vec::new(),
        misc: Some(Box::new(Misc {
            provider: call.provider,
            url,
            internal_id,
            resp_headers,
        })),
        tag: Tag::None,
        has_context: false,
    }
}

/// Path (without scheme and host) and query of a URL or path.
fn split_url(url: &str) -> (String, String) {
    let no_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = if url.contains("://") {
        no_scheme.find('/').map_or("/", |i| &no_scheme[i..])
    } else {
        no_scheme
    };
    match path.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (path.to_string(), String::new()),
    }
}
