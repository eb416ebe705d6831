//! envelope: what a response body says — its [`Envelope`] shape, whether it
//! failed, and its code, message, request id, trace id, details and retry
//! hint, each probed in DESIGN's order. Works on one JSON object (a parsed
//! body, or the line itself when the line is an envelope) and returns owned
//! values, so the caller may drop the parsed body right after.

use serde_json::Value;

use super::time::duration_ms;
use super::value::{J, Obj, get, member};
use crate::model::Envelope;

/// What a body says, before it is merged with the line around it.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct BodyInfo {
    pub envelope: Envelope,
    /// The body says it failed (`ok:false`, `success:false`, `errors[]`, `error`).
    pub failed: bool,
    /// The machine code, without the `http_<status>` fallback.
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
    pub trace_id: Option<String>,
    pub details: Option<Value>,
    pub retry_after_s: Option<f64>,
    /// A status the body states (advisory; the transport status wins).
    pub status: Option<u16>,
}

impl BodyInfo {
    /// Field by field, `self` first, then `other`.
    pub fn or(self, other: BodyInfo) -> BodyInfo {
        BodyInfo {
            envelope: if self.envelope == Envelope::None {
                other.envelope
            } else {
                self.envelope
            },
            failed: self.failed || other.failed,
            code: self.code.or(other.code),
            message: self.message.or(other.message),
            request_id: self.request_id.or(other.request_id),
            trace_id: self.trace_id.or(other.trace_id),
            details: self.details.or(other.details),
            retry_after_s: self.retry_after_s.or(other.retry_after_s),
            status: self.status.or(other.status),
        }
    }
}

/// Read one body object.
pub(crate) fn analyze(o: &Obj) -> BodyInfo {
    let envelope = shape(o);
    let failed = says_failed(o);
    BodyInfo {
        envelope,
        failed,
        code: code(o, envelope),
        message: first_text(o, MESSAGE).map(super::scrub_owned),
        request_id: first_id(o, REQUEST_ID),
        trace_id: first_id(o, &["traceId", "trace_id"]),
        details: if failed || envelope != Envelope::None {
            details(o, envelope)
        } else {
            None
        },
        retry_after_s: retry_after(o),
        status: STATUS.iter().find_map(|p| get(o, p)?.status()),
    }
}

/// Only the human message of an object that is no envelope (a log line's own
/// `message`).
pub(crate) fn message_only(o: &Obj) -> BodyInfo {
    BodyInfo {
        message: first_text(o, MESSAGE).map(super::scrub_owned),
        ..BodyInfo::default()
    }
}

const MESSAGE: &[&str] = &[
    "error.message",
    "message",
    "detail",
    "errors.0.detail",
    "errors.0.message",
    "error_description",
    "error_message",
    "title",
    "error",
    "errors.0",
];
const REQUEST_ID: &[&str] = &[
    "error.request_id",
    "requestId",
    "request_id",
    "meta.request_id",
    "error.innerError.request-id",
    "errors.0.extensions.requestId",
];
const STATUS: &[&str] = &[
    "status",
    "statusCode",
    "status_code",
    "error.code",
    "error.status",
    "errors.0.status",
];

/// Which envelope shape an object has.
fn shape(o: &Obj) -> Envelope {
    if member(o, "__type").is_some() {
        return Envelope::Aws;
    }
    if is_false(o, "ok") {
        return Envelope::Slack;
    }
    match member(o, "error").map(J::unwrap_any) {
        Some(J::Obj(e)) if !e.is_empty() => return error_object_shape(e),
        Some(J::Str(s)) => return error_string_shape(o, s),
        _ => {}
    }
    if is_false(o, "success") || member(o, "errorCode").is_some() {
        return Envelope::SuccessFalseErrorCode;
    }
    if let Some(J::Arr(errors)) = member(o, "errors") {
        if let Some(first) = errors.first() {
            return errors_shape(o, first);
        }
    }
    top_level_shape(o)
}

fn error_object_shape(e: &Obj) -> Envelope {
    let has = |k| member(e, k).is_some();
    if has("innerError") {
        Envelope::MsGraph
    } else if matches!(member(e, "code"), Some(J::Num(_)))
        && (has("status") || has("details") || has("errors"))
    {
        Envelope::Google
    } else if is_stripe_error(e) {
        Envelope::Stripe
    } else if has("request_id") {
        Envelope::ErrorObjectWithRequestId
    } else {
        Envelope::ErrorObject
    }
}

/// Stripe's `error.type` is one of a few `*_error` names (`card_error`,
/// `idempotency_error`); an ECS `error.type` is an exception class.
fn is_stripe_error(e: &Obj) -> bool {
    let stripe_type = member(e, "type")
        .and_then(J::text)
        .is_some_and(|t| t.ends_with("_error"));
    stripe_type || member(e, "decline_code").is_some() || member(e, "doc_url").is_some()
}

fn error_string_shape(o: &Obj, error: &str) -> Envelope {
    let has = |k| member(o, k).is_some();
    if has("error_description") || has("error_uri") {
        Envelope::OAuth
    } else if has("timestamp") && has("status") && has("path") {
        Envelope::SpringBoot
    } else if !has("message")
        && error.starts_with(|c: char| c.is_ascii_lowercase())
        && looks_like_code(error)
    {
        Envelope::OAuth
    } else {
        Envelope::ErrorString
    }
}

/// GraphQL errors carry `message` and `locations`/`path`/`extensions`;
/// JSON:API errors carry `status`/`code`/`title`/`detail`/`source`.
fn errors_shape(o: &Obj, first: &J) -> Envelope {
    let Some(e) = first.as_obj() else {
        return Envelope::JsonApi;
    };
    let has = |k| member(e, k).is_some();
    let graphql = member(o, "data").is_some()
        || has("extensions")
        || has("locations")
        || (has("message") && !has("title") && !has("detail") && !has("status"));
    if graphql {
        Envelope::GraphQl
    } else {
        Envelope::JsonApi
    }
}

fn top_level_shape(o: &Obj) -> Envelope {
    let text = |k| member(o, k).and_then(J::text);
    let has = |k| member(o, k).is_some();
    if text("code").is_some() && text("type").is_some() && !has("title") && !has("detail") {
        return Envelope::CodeType;
    }
    // RFC 9457: a human `title`/`detail`, and a URI `type` or a numeric
    // `status` (a resource's `"type":"booking"` is not a problem type).
    let uri_type = text("type").is_some_and(|t| t.contains([':', '/']));
    let numeric_status = member(o, "status").and_then(J::status).is_some();
    if (has("title") || has("detail")) && (uri_type || numeric_status) {
        return Envelope::Problem;
    }
    if matches!(member(o, "code"), Some(J::Num(_))) && has("more_info") {
        return Envelope::Twilio;
    }
    Envelope::None
}

/// `ok:false`, `success:false`, a non-empty `errors`, or an `error` member.
fn says_failed(o: &Obj) -> bool {
    is_false(o, "ok")
        || is_false(o, "success")
        || member(o, "errors").is_some_and(|e| matches!(e, J::Arr(_) | J::Obj(_)) && !e.is_empty())
        || member(o, "error").is_some_and(|e| !e.is_empty())
}

fn is_false(o: &Obj, key: &str) -> bool {
    matches!(member(o, key), Some(J::Bool(false)))
        || member(o, key)
            .and_then(J::text)
            .is_some_and(|s| s.eq_ignore_ascii_case("false"))
}

/// The machine code, in DESIGN's precedence (without `http_<status>`).
fn code(o: &Obj, envelope: Envelope) -> Option<String> {
    let at = |p: &str| get(o, p);
    let error_str = at("error").and_then(J::text);
    let found = at("error.code")
        .and_then(code_value)
        .or_else(|| at("errorCode").and_then(code_value))
        .or_else(|| at("error_code").and_then(code_value))
        .or_else(|| at("code").and_then(code_value))
        .or_else(|| at("errors.0.code").and_then(code_value))
        .or_else(|| at("errors.0.extensions.code").and_then(code_value))
        .or_else(|| google_detail(o, "ErrorInfo", "reason").and_then(code_value))
        .or_else(|| at("error.errors.0.reason").and_then(code_value))
        .or_else(|| at("error.status").and_then(J::text).map(str::to_owned))
        .or_else(|| {
            at("status")
                .and_then(J::text)
                .filter(|s| is_upper_snake(s))
                .map(str::to_owned)
        })
        .or_else(|| {
            at("__type")
                .and_then(J::text)
                .map(|t| aws_name(t).unwrap_or(t).to_owned())
        })
        .or_else(|| error_str.filter(|s| looks_like_code(s)).map(str::to_owned))
        .or_else(|| (envelope == Envelope::Problem).then(|| problem_type(at("type")?.text()?))?)
        .or_else(|| {
            let stripe = envelope == Envelope::Stripe;
            stripe.then(|| at("error.type")?.text().map(str::to_owned))?
        })?;
    Some(match aws_name(&found) {
        Some(name) => name.to_owned(),
        None => found,
    })
}

/// A code: a string, or a number that is not an HTTP status.
fn code_value(v: &J) -> Option<String> {
    match v.unwrap_any() {
        J::Num(_) if v.status().is_some() => None,
        J::Num(n) => Some(n.to_string()),
        other => other.text().map(str::to_owned),
    }
}

/// AWS `namespace#Name:uri` (or `Name:uri`) → `Name`.
fn aws_name(t: &str) -> Option<&str> {
    let (ns, rest) = match t.split_once('#') {
        Some((ns, rest)) => (ns, rest),
        None if t.contains(":http") => ("", t),
        None => return None,
    };
    if ns.contains(|c: char| c.is_whitespace() || c == '/') {
        return None;
    }
    let name = rest.split(':').next()?;
    (!name.is_empty()
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.'))
    .then_some(name)
}

/// `^[a-z][a-z0-9_.]*$` or `^[A-Z][A-Z0-9_]*$`.
pub(crate) fn looks_like_code(s: &str) -> bool {
    let b = s.as_bytes();
    match b.first() {
        Some(c) if c.is_ascii_lowercase() => b
            .iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'.')),
        Some(c) if c.is_ascii_uppercase() => is_upper_snake(s),
        _ => false,
    }
}

fn is_upper_snake(s: &str) -> bool {
    let b = s.as_bytes();
    b.first().is_some_and(u8::is_ascii_uppercase)
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

/// An RFC 9457 `type` as a code: its fragment, else its last path segment;
/// nothing for `about:blank` or a link into the HTTP specification.
fn problem_type(t: &str) -> Option<String> {
    if t.eq_ignore_ascii_case("about:blank") || is_http_spec_link(t) {
        return None;
    }
    if let Some((_, fragment)) = t.split_once('#') {
        return (!fragment.is_empty()).then(|| fragment.to_owned());
    }
    let no_query = t.split('?').next().unwrap_or(t);
    let last = no_query.trim_end_matches('/').rsplit('/').next()?;
    (!last.is_empty() && !last.ends_with(':')).then(|| last.to_owned())
}

fn is_http_spec_link(t: &str) -> bool {
    const HOSTS: [&str; 6] = [
        "ietf.org/",
        "rfc-editor.org/",
        "httpwg.org/",
        "developer.mozilla.org/",
        "httpstatuses.",
        "w3.org/protocols/",
    ];
    const RFCS: [&str; 7] = [
        "rfc2616", "rfc7230", "rfc7231", "rfc7232", "rfc7235", "rfc9110", "rfc6585",
    ];
    let l = t.to_ascii_lowercase();
    HOSTS.iter().any(|h| l.contains(h)) || RFCS.iter().any(|r| l.contains(r))
}

/// A member of the Google `error.details[]` entry whose `@type` ends in
/// `google.rpc.<kind>`.
fn google_detail<'j, 'a>(o: &'j Obj<'a>, kind: &str, key: &str) -> Option<&'j J<'a>> {
    let Some(J::Arr(details)) = get(o, "error.details") else {
        return None;
    };
    details.iter().filter_map(J::as_obj).find_map(|d| {
        let t = member(d, "@type")?.text()?;
        let name = t.rsplit('.').next()?;
        (name == kind).then(|| member(d, key))?
    })
}

/// Body retry hints: `details.retryAfter` (also under `error`), Google
/// `RetryInfo.retryDelay` (`"42s"`), a top-level `retryAfter`.
fn retry_after(o: &Obj) -> Option<f64> {
    const SECONDS: [&str; 6] = [
        "details.retryAfter",
        "details.retry_after",
        "error.details.retryAfter",
        "error.details.retry_after",
        "retryAfter",
        "retry_after",
    ];
    let seconds = |v: &J| v.num().filter(|s| *s >= 0.0);
    SECONDS[..4]
        .iter()
        .find_map(|p| seconds(get(o, p)?))
        .or_else(|| google_detail(o, "RetryInfo", "retryDelay").and_then(proto_duration_s))
        .or_else(|| SECONDS[4..].iter().find_map(|p| seconds(get(o, p)?)))
}

/// A protobuf Duration in JSON: `"42s"`, `"1.5s"`, or `{seconds, nanos}`.
fn proto_duration_s(v: &J) -> Option<f64> {
    if let Some(s) = v.text() {
        return duration_ms(s).map(|ms| ms / 1000.0);
    }
    let d = v.as_obj()?;
    let secs = member(d, "seconds").and_then(J::num).unwrap_or(0.0);
    let nanos = member(d, "nanos").and_then(J::num).unwrap_or(0.0);
    Some(secs + nanos / 1e9)
}

/// The envelope's details/extensions, verbatim.
fn details(o: &Obj, envelope: Envelope) -> Option<Value> {
    let explicit = ["error.details", "details"].iter().find_map(|p| get(o, p));
    let chosen = match envelope {
        Envelope::MsGraph => get(o, "error.details")
            .filter(|d| !d.is_empty())
            .or_else(|| get(o, "error.innerError")),
        Envelope::GraphQl => get(o, "errors.0.extensions").or_else(|| member(o, "errors")),
        Envelope::JsonApi => member(o, "errors"),
        Envelope::SpringBoot => member(o, "errors").or(explicit),
        _ => explicit,
    };
    if let Some(v) = chosen {
        return Some(v.to_value(&super::scrub));
    }
    let (obj, skip): (&Obj, &[&str]) = match envelope {
        Envelope::Problem => (o, &["type", "title", "status", "detail", "instance"]),
        Envelope::Stripe => (get(o, "error")?.as_obj()?, &["code", "message"]),
        Envelope::Aws => (o, &["__type", "message"]),
        Envelope::Slack => (o, &["ok", "error"]),
        Envelope::OAuth => (o, &["error", "error_description"]),
        Envelope::Twilio => (o, &["code", "message", "status"]),
        _ => return None,
    };
    extensions(obj, skip)
}

/// The members of `o` other than `skip`, as an object; `None` when empty.
fn extensions(o: &Obj, skip: &[&str]) -> Option<Value> {
    let map: serde_json::Map<String, Value> = o
        .iter()
        .filter(|(k, _)| !skip.iter().any(|s| k.eq_ignore_ascii_case(s)))
        .map(|(k, v)| (k.to_string(), v.to_value(&super::scrub)))
        .collect();
    (!map.is_empty()).then_some(Value::Object(map))
}

fn first_text(o: &Obj, paths: &[&str]) -> Option<String> {
    paths
        .iter()
        .find_map(|p| get(o, p)?.text().map(str::to_owned))
}

fn first_id(o: &Obj, paths: &[&str]) -> Option<String> {
    paths
        .iter()
        .find_map(|p| get(o, p)?.id().map(|c| c.into_owned()))
}
