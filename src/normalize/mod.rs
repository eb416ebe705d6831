//! normalize: one JSON log line → one [`Event`] (DESIGN "Normalization").
//! Pure: no I/O, no clock, no catalog. Sits between ingest (which frames
//! lines) and the index (which stores events).
//!
//! The line is parsed once into a borrowed tree ([`value`]), walked once to
//! find the wrapper's fields ([`fields`], [`headers`]), and its response body
//! — a member, a JSON string inside a member, or the line itself — is read as
//! an envelope ([`envelope`]). Timestamps are in [`time`]; the path's
//! route (ids templated) in [`route`].
//!
//! Before that generic probe, a line is read by the log format that claims
//! it ([`formats`]): the format's reading comes first, and the probe fills
//! every field the format left empty, so a format never reads a line worse
//! ([`merge`]).

mod envelope;
pub mod explain;
mod fields;
pub mod formats;
mod headers;
pub mod ids;
mod merge;
mod records;
pub mod route;
mod time;
mod value;

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use crate::model::{BadReason, Envelope, Event, Source};
use envelope::BodyInfo;
use fields::{Form, Hits, Marker, Slot};
pub use formats::{Format, FormatError, Formats};
use headers::{HeaderSet, REQUEST_FIRST, RESPONSE_FIRST, name_ends_with};
pub use ids::{bare_trace_id, is_trace_header, trace_id_from, xray_twin};
use merge::{fill, overlay};
pub use records::Records;
use value::{J, Obj, ParseError};

/// What normalization learns from a line beyond the Event itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    pub event: Event,
    /// The body's envelope shape; catalogs use it to recognise the API.
    pub envelope: Envelope,
    /// False when the line had no usable time; `event.ts` is then the Unix
    /// epoch and ingest substitutes the previous line's time.
    pub has_ts: bool,
}

/// How many times a body logged as a JSON string is parsed again.
const BODY_LEVELS: u8 = 3;
/// Latencies above this (ms, ~11 days) are timestamps in disguise.
const MAX_LATENCY_MS: f64 = 1e9;

/// Normalize one line (without its line terminator) with the installed
/// formats ([`formats::install`]; the built-ins unless the binary loaded
/// the user's). A line that holds several events gives the first: ingest
/// reads them all with [`normalize_records`].
pub fn normalize(line: &str, source: Source) -> Result<Normalized, BadReason> {
    normalize_with(formats::installed(), line, source)
}

/// Normalize one line with a given set of formats (the first event of a
/// line that holds several).
pub fn normalize_with(
    formats: &Formats,
    line: &str,
    source: Source,
) -> Result<Normalized, BadReason> {
    read_line(formats, line, source, |n| n, |mut many| many.swap_remove(0))
}

/// Every event of one line, with the installed formats.
pub fn normalize_records(line: &str, source: Source) -> Result<Records, BadReason> {
    normalize_records_with(formats::installed(), line, source)
}

/// Every event of one line, with a given set of formats.
pub fn normalize_records_with(
    formats: &Formats,
    line: &str,
    source: Source,
) -> Result<Records, BadReason> {
    read_line(
        formats,
        line,
        source,
        |n| Records::One(Box::new(n)),
        Records::Many,
    )
}

/// Read one line into one event (`one`) or several (`many`): each caller
/// wraps the result as it needs, with no allocation of its own.
fn read_line<R>(
    formats: &Formats,
    line: &str,
    source: Source,
    one: impl FnOnce(Normalized) -> R,
    many: impl FnOnce(Vec<Normalized>) -> R,
) -> Result<R, BadReason> {
    let text = line.strip_prefix('\u{feff}').unwrap_or(line);
    let mut repaired = None;
    let root = match value::parse_lenient(text, &mut repaired) {
        Ok(root) => root,
        Err(ParseError::TooDeep) => return Err(BadReason::TooDeep),
        Err(ParseError::Syntax | ParseError::OutOfRange(_)) => {
            // Objects back to back (`{…}{…}`): every event of each.
            return match records::concatenated(formats, text, &source) {
                Some(mut events) if events.len() == 1 => Ok(one(events.swap_remove(0))),
                Some(events) => Ok(many(events)),
                None => Err(BadReason::NotJson),
            };
        }
    };
    let J::Obj(obj) = &root else {
        return Err(BadReason::NotObject);
    };
    let format = formats.detect(obj);
    if let Some(mut events) = format.and_then(|f| records::read(formats, f, obj, line, &source)) {
        return Ok(match events.len() {
            1 => one(events.swap_remove(0)),
            _ => many(events),
        });
    }
    let mut n = read_object(formats, format, obj, line, source, 0);
    // After the format's reading too: its ids and paths become terms.
    scrub_terms(&mut n.event);
    Ok(one(n))
}

/// How many wrappers deep (a journald line holding a Docker line holding
/// the app's) a format's `inner` line is followed.
const INNER_LEVELS: u8 = 3;

/// Read one object by `format` (the one that claimed it, if any) — and the
/// line inside it, for wrappers — with the probe filling what the format
/// left empty.
fn read_object(
    formats: &Formats,
    format: Option<&Format>,
    obj: &Obj,
    line: &str,
    source: Source,
    depth: u8,
) -> Normalized {
    if let Some(f) = format.filter(|_| depth < INNER_LEVELS) {
        for p in &f.file.format.inner {
            let inner = match formats::read::get(obj, p).map(J::unwrap_any) {
                Some(J::Obj(o)) => Some(read_object(
                    formats,
                    formats.detect(o),
                    o,
                    line,
                    source.clone(),
                    depth + 1,
                )),
                Some(J::Str(s)) if s.trim_start().starts_with('{') => {
                    let mut repaired = None;
                    match value::parse_lenient(s.trim(), &mut repaired) {
                        Ok(J::Obj(o)) => Some(read_object(
                            formats,
                            formats.detect(&o),
                            &o,
                            line,
                            source.clone(),
                            depth + 1,
                        )),
                        _ => None,
                    }
                }
                _ => None,
            };
            if let Some(mut n) = inner {
                let outer = formats::read::read(f, obj);
                fill(&mut n, outer, f.name());
                return n;
            }
        }
    }
    let mut n = probe(obj, line, source);
    if let Some(f) = format {
        overlay(&mut n, formats::read::read(f, obj), f.name());
    }
    n
}

/// The generic probe (DESIGN "Normalization: where fields are found").
fn probe(obj: &Obj, line: &str, source: Source) -> Normalized {
    let hits = fields::walk(obj);
    let headers = HeaderSet::from_hits(hits.of(Slot::Headers));
    let ts = event_time(&hits);
    let body = read_body(obj, &hits);

    let mut event = Event::new(ts.unwrap_or(DateTime::UNIX_EPOCH), source, line.to_owned());
    fill_request(&mut event, &hits);
    event.status = hits
        .first(Slot::Status, |h| h.value.status())
        .or(body.status);
    let failed = event.status.is_some_and(|s| s >= 400)
        || body.failed
        || (event.status.is_none() && body.envelope != Envelope::None);
    event.request_id = request_id(&body, &headers, &hits).unwrap_or_default();
    event.idempotency_key = idempotency_key(&hits, &headers);
    event.retry_after_s = retry_after(&headers, event.status, body.retry_after_s, ts);
    event.trace_id = trace_id(&headers, &hits, body.trace_id);
    event.message = body.message;
    let envelope = if failed {
        event.code = body
            .code
            .or_else(|| event.status.map(|s| format!("http_{s}")));
        event.details = body.details;
        body.envelope
    } else {
        Envelope::None
    };
    Normalized {
        event,
        envelope,
        has_ts: ts.is_some(),
    }
}

/// Redact secrets from every field that becomes an index term (a key in a
/// path, a bearer token logged as a request id), so a search for the raw
/// secret finds nothing and no output shows it. Other values stay byte for
/// byte.
fn scrub_terms(e: &mut Event) {
    let scrub = |s: &mut String| {
        if let Cow::Owned(r) = crate::sanitize::redact(s) {
            *s = r;
        }
    };
    scrub(&mut e.request_id);
    for s in [
        &mut e.trace_id,
        &mut e.idempotency_key,
        &mut e.service,
        &mut e.path,
        &mut e.route,
        &mut e.code,
        &mut e.client,
    ]
    .into_iter()
    .flatten()
    {
        scrub(s);
    }
}

/// The first usable time in probe order. A whole-second time (nginx
/// `time_local`) yields to a finer one of the same second (`msec`): retry
/// chains need sub-second gaps.
fn event_time(hits: &Hits) -> Option<DateTime<Utc>> {
    let mut times = hits
        .of(Slot::Time)
        .iter()
        .filter_map(|h| time::parse_value(h.value));
    let first = times.next()?;
    if first.timestamp_subsec_nanos() != 0 {
        return Some(first);
    }
    let finer =
        times.find(|t| t.timestamp() == first.timestamp() && t.timestamp_subsec_nanos() != 0);
    Some(finer.unwrap_or(first))
}

/// The response envelope: the first body member that is an error envelope,
/// else the line itself when it is one, else whatever a success body and the
/// line say.
fn read_body(obj: &Obj, hits: &Hits) -> BodyInfo {
    let mut success: Option<BodyInfo> = None;
    for h in hits.of(Slot::Body) {
        if let Some(info) = body_info(h.value, BODY_LEVELS) {
            if info.envelope != Envelope::None || info.failed {
                return info;
            }
            success.get_or_insert(info);
        }
    }
    let line = match hits.marker {
        Marker::Envelope => Some(envelope::analyze(obj)),
        Marker::Message => Some(envelope::message_only(obj)),
        Marker::Nothing => None,
    };
    match line {
        Some(l) if l.envelope != Envelope::None || l.failed => l,
        // Not an envelope: its top-level request id ranks after the headers.
        Some(l) => success.unwrap_or_default().or(BodyInfo {
            request_id: None,
            ..l
        }),
        None => success.unwrap_or_default(),
    }
}

/// Read a body member: an object, or a JSON string parsed again (up to
/// `levels` times, nginx `\xHH` escapes accepted).
fn body_info(v: &J, levels: u8) -> Option<BodyInfo> {
    match v.unwrap_any() {
        J::Obj(o) => Some(envelope::analyze(o)),
        J::Str(s) if levels > 0 => {
            let s = s.trim();
            if !(s.starts_with('{') || s.starts_with('"')) {
                return None;
            }
            let mut repaired = None;
            let inner = value::parse_lenient(s, &mut repaired).ok()?;
            body_info(&inner, levels - 1)
        }
        _ => None,
    }
}

/// Service, method, path, latency and client: wrapper-only fields.
fn fill_request(event: &mut Event, hits: &Hits) {
    event.service = hits.first(Slot::Service, |h| {
        match h.form {
            Form::HostLabel => host_label(h.value.text()?),
            _ => h.value.text(),
        }
        .map(str::to_owned)
    });
    event.method = hits.first(Slot::Method, |h| {
        let m = match h.form {
            Form::RequestLine => h.value.text()?.split_whitespace().next()?,
            _ => h.value.text()?,
        };
        let valid = m.len() <= 20 && m.bytes().all(|b| b.is_ascii_alphabetic());
        valid.then(|| m.to_ascii_uppercase())
    });
    event.path = hits.first(Slot::Path, |h| {
        let p = match h.form {
            Form::Url => url_path(h.value.text()?)?,
            Form::RequestLine => h.value.text()?.split_whitespace().nth(1)?,
            _ => h.value.text()?,
        };
        let p = p.split(['?', '#']).next()?;
        (!p.is_empty()).then(|| p.to_owned())
    });
    event.route = event.path.as_deref().map(route::template);
    event.latency_ms = hits.first(Slot::Latency, |h| {
        let ms = match h.form {
            Form::Millis(unit) => unit.to_ms(h.value.num()?),
            _ => h
                .value
                .num()
                .or_else(|| time::duration_ms(h.value.text()?))?,
        };
        (ms.is_finite() && (0.0..MAX_LATENCY_MS).contains(&ms)).then_some(ms)
    });
    event.client = hits.first(Slot::Client, |h| {
        let id = h.value.id()?;
        (!looks_secret(&id)).then(|| id.into_owned())
    });
}

/// Body first, then response headers, then request headers ending in
/// `request-id`/`requestid`, then the line's top-level ids, then a
/// correlation id (`correlationId`, `X-Correlation-ID`).
fn request_id(body: &BodyInfo, headers: &HeaderSet, hits: &Hits) -> Option<String> {
    if let Some(id) = &body.request_id {
        return Some(id.clone());
    }
    let is_id = |n: &str| name_ends_with(n, "request-id") || name_ends_with(n, "requestid");
    // An API's own id beats the client's echoed `client-request-id`.
    let own = |n: &str| is_id(n) && !name_ends_with(n, "client-request-id");
    RESPONSE_FIRST
        .iter()
        .find_map(|side| {
            headers
                .find(&[*side], own)
                .or_else(|| headers.find(&[*side], is_id))
        })
        .map(Cow::into_owned)
        .or_else(|| hits.first(Slot::RequestId, |h| h.value.id().map(Cow::into_owned)))
        // Last, a per-request correlation id (nothing more specific named it).
        .or_else(|| hits.first(Slot::Correlation, |h| h.value.id().map(Cow::into_owned)))
        .or_else(|| {
            let corr = |n: &str| name_ends_with(n, "correlation-id");
            RESPONSE_FIRST
                .iter()
                .find_map(|side| headers.find(&[*side], corr))
                .map(Cow::into_owned)
        })
}

fn idempotency_key(hits: &Hits, headers: &HeaderSet) -> Option<String> {
    let unquote = |s: &str| {
        let t = s.trim().trim_matches('"').trim_matches('\'').trim();
        (!t.is_empty()).then(|| t.to_owned())
    };
    hits.first(Slot::IdemKey, |h| unquote(h.value.text()?))
        .or_else(|| unquote(&headers.get(&REQUEST_FIRST, "idempotency-key")?))
        .or_else(|| unquote(&headers.get(&REQUEST_FIRST, "x-idempotency-key")?))
}

/// Retry-After (seconds or HTTP-date), then X-RateLimit-Reset (only when the
/// response was a rate limit: many APIs send it on every response), then the
/// body's hint.
fn retry_after(
    headers: &HeaderSet,
    status: Option<u16>,
    body: Option<f64>,
    ts: Option<DateTime<Utc>>,
) -> Option<f64> {
    const SIDES: [fields::Side; 2] = [fields::Side::Response, fields::Side::Either];
    let header = |name| headers.get(&SIDES, name);
    let limited = matches!(status, Some(429 | 503))
        || header("x-ratelimit-remaining").is_some_and(|r| r.trim() == "0");
    header("retry-after")
        .and_then(|v| time::seconds_until(&v, ts))
        .or_else(|| {
            let reset = header("x-ratelimit-reset").filter(|_| limited)?;
            time::reset_seconds(reset.trim().parse().ok()?, ts)
        })
        .or_else(|| {
            header("ratelimit-reset")
                .filter(|_| limited)?
                .trim()
                .parse()
                .ok()
        })
        .or(body)
}

/// W3C traceparent, X-Amzn-Trace-Id `Root=`, B3, `trace.id`/`trace_id`/
/// `traceId`, then the body's trace id; each made bare by [`ids`].
fn trace_id(headers: &HeaderSet, hits: &Hits, body: Option<String>) -> Option<String> {
    let header = |name| {
        let v = headers.get(&REQUEST_FIRST, name)?;
        ids::trace_id_from(&v).map(str::to_owned)
    };
    header("traceparent")
        .or_else(|| header("x-amzn-trace-id"))
        .or_else(|| header("b3"))
        .or_else(|| {
            let v = headers.get(&REQUEST_FIRST, "x-b3-traceid")?;
            Some(v.trim().to_owned()).filter(|t| !t.is_empty())
        })
        .or_else(|| hits.first(Slot::Trace, |h| h.value.id().map(|t| plain_trace(&t))))
        .or_else(|| body.map(|t| plain_trace(&t)))
}

/// A trace id as logged, or the trace id a wrapped form carries (ASP.NET's
/// traceparent-shaped `traceId`, Cloud Logging's `projects/…/traces/…`).
fn plain_trace(t: &str) -> String {
    ids::bare_trace_id(t).to_owned()
}

/// `api-1.internal.example:443` → `api-1`; IP addresses are not services.
fn host_label(host: &str) -> Option<&str> {
    let label = host.split(['.', ':']).next()?;
    (!label.is_empty() && !label.bytes().all(|b| b.is_ascii_digit())).then_some(label)
}

/// The path of a URL (`https://h/v1/x?q` → `/v1/x?q`; the caller cuts the query).
fn url_path(url: &str) -> Option<&str> {
    let rest = match url.find("://") {
        Some(i) => &url[i + 3..],
        None => match url.strip_prefix("//") {
            Some(rest) => rest,
            None => return Some(url),
        },
    };
    Some(rest.find('/').map_or("/", |i| &rest[i..]))
}

/// Values that are credentials, never ids: bearer/basic tokens, JWTs, live keys.
fn looks_secret(v: &str) -> bool {
    let lower = v
        .trim_start()
        .get(..7)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    lower.starts_with("bearer")
        || lower.starts_with("basic ")
        || v.starts_with("eyJ")
        || v.contains("_live_")
}

/// Copy log text into an Event field with secrets (bearer tokens, API
/// keys, credential headers) redacted, so no indexed term holds one.
pub(crate) fn scrub(s: &str) -> String {
    crate::sanitize::redact(s).into_owned()
}

/// [`scrub`] for text already owned: kept as it is when it holds no secret.
pub(crate) fn scrub_owned(s: String) -> String {
    if let Cow::Owned(r) = crate::sanitize::redact(&s) {
        return r;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths() {
        assert_eq!(url_path("https://api.x.com/v1/b?q=1"), Some("/v1/b?q=1"));
        assert_eq!(url_path("https://api.x.com"), Some("/"));
        assert_eq!(url_path("//api.x.com/v1"), Some("/v1"));
        assert_eq!(url_path("/v1/b"), Some("/v1/b"));
    }

    #[test]
    fn secrets() {
        assert!(
            looks_secret("Bearer abc") && looks_secret("sk_live_123") && looks_secret("eyJhbGciOi")
        );
        assert!(!looks_secret("acct_42"));
        assert_eq!(
            scrub("bad token Bearer abc.def-123 given"),
            "bad token Bearer [REDACTED] given"
        );
        assert_eq!(scrub("no secrets here"), "no secrets here");
    }

    /// Issue 13: a secret in an id, path, code or service field was indexed
    /// as a term. Each field is redacted; the non-secret ids beside it are
    /// kept byte for byte.
    #[test]
    fn secrets_in_term_fields_are_redacted() {
        let secrets = [
            ("sk_live_51HxYzABCdefGHIJ", "sk_live_[REDACTED]"),
            ("Bearer abcdefgh1234", "Bearer [REDACTED]"),
            ("ghp_1234567890abcdefghijABCDEFGHIJ123456", "ghp_[REDACTED]"),
            ("AKIAIOSFODNN7EXAMPLE", "AKIA[REDACTED]"),
        ];
        for (secret, redacted) in secrets {
            let line = serde_json::json!({
                "ts": "2026-05-14T10:00:00Z",
                "service": format!("svc {secret}"),
                "method": "GET",
                "path": format!("/v1/keys/{secret}/rotate"),
                "status": 401,
                "request_id": secret,
                "trace_id": format!("t-{secret}"),
                "idempotency_key": secret,
                "client_id": format!("{secret}"),
                "error": {"code": format!("bad_{secret}"), "message": format!("key {secret}")},
            })
            .to_string();
            let e = normalize(&line, Source::default())
                .expect("normalizes")
                .event;
            assert_eq!(e.request_id, redacted, "{secret}");
            assert_eq!(e.idempotency_key.as_deref(), Some(redacted));
            // (A bearer token may contain `/`: it is redacted to the end.)
            let path = e.path.unwrap();
            assert!(path.starts_with(&format!("/v1/keys/{redacted}")), "{path}");
            assert_eq!(e.service, Some(format!("svc {redacted}")));
            assert_eq!(e.trace_id, Some(format!("t-{redacted}")));
            let shown = serde_json::to_string(&Event {
                raw: String::new(),
                path: Some(path),
                ..e
            })
            .unwrap();
            assert!(!shown.contains(secret), "{secret} survives in {shown}");
        }
        let line = r#"{"status":409,"request_id":"req_2N7s8x9KqR:a/b+c=","idempotency_key":"5f1d3c2a-8e4b-4c7a","path":"/v1/keys/key_42","error":{"code":"TOKEN_EXPIRED"}}"#;
        let e = normalize(line, Source::default()).unwrap().event;
        assert_eq!(e.request_id, "req_2N7s8x9KqR:a/b+c=");
        assert_eq!(e.idempotency_key.as_deref(), Some("5f1d3c2a-8e4b-4c7a"));
        assert_eq!(e.path.as_deref(), Some("/v1/keys/key_42"));
        assert_eq!(e.code.as_deref(), Some("TOKEN_EXPIRED"));
    }
}
