//! The shared vocabulary of every stage: the normalized [`Event`] (one per JSON
//! log line), the retry [`Chain`], the cross-API [`Class`], and the envelope
//! shapes normalization recognises. Field names here are the contract of
//! DESIGN.md: the same names are tantivy fields, query fields and `--json` keys.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// One JSON log line, normalized. See DESIGN.md "The normalized Event".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// When the request happened (UTC, millisecond precision on output).
    #[serde(with = "ts_millis")]
    pub ts: DateTime<Utc>,
    /// True when the line had no readable time and `ts` was inferred (the
    /// previous line's, else the file's mtime): shown as inferred, never as
    /// a real time.
    #[serde(default)]
    pub ts_inferred: bool,
    /// The API's own request id; empty when the line names none.
    pub request_id: String,
    pub trace_id: Option<String>,
    pub service: Option<String>,
    /// Upper-case HTTP method.
    pub method: Option<String>,
    /// Path without the query string.
    pub path: Option<String>,
    /// `path` with its ids templated (`/v2/bookings/{id}`), or the catalog's
    /// named route template that fits it.
    #[serde(default)]
    pub route: Option<String>,
    /// The transport HTTP status.
    pub status: Option<u16>,
    /// The machine code exactly as the API wrote it, or `http_<status>`.
    pub code: Option<String>,
    pub class: Option<Class>,
    pub message: Option<String>,
    /// The envelope's details/extensions, verbatim.
    pub details: Option<serde_json::Value>,
    pub idempotency_key: Option<String>,
    pub retry_after_s: Option<f64>,
    pub latency_ms: Option<f64>,
    pub client: Option<String>,
    /// Which catalog recognised the line (`42min`, `member-api`, …), if any.
    pub api: Option<String>,
    /// The log format that read the line (`envoy`, `pino`, …); absent when
    /// the generic probe read it alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    pub source: Source,
    /// The original line.
    pub raw: String,
}

impl Event {
    /// An event with only its time and source set; normalization fills the rest.
    pub fn new(ts: DateTime<Utc>, source: Source, raw: String) -> Self {
        Event {
            ts,
            ts_inferred: false,
            request_id: String::new(),
            trace_id: None,
            service: None,
            method: None,
            path: None,
            route: None,
            status: None,
            code: None,
            class: None,
            message: None,
            details: None,
            idempotency_key: None,
            retry_after_s: None,
            latency_ms: None,
            client: None,
            api: None,
            format: None,
            source,
            raw,
        }
    }

    /// True for a 2xx, or a line with no status and no code (context lines are
    /// not failures).
    pub fn is_success(&self) -> bool {
        match self.status {
            Some(s) => (200..300).contains(&s) && self.code.is_none(),
            None => false,
        }
    }

    /// True when the request failed: a status ≥ 400 or a machine code.
    pub fn is_failure(&self) -> bool {
        self.status.is_some_and(|s| s >= 400) || self.code.is_some()
    }

    /// When the response went out: `ts` plus the logged latency, if any.
    pub fn ends_at(&self) -> DateTime<Utc> {
        match self.latency_ms {
            Some(ms) if ms.is_finite() && ms > 0.0 => {
                self.ts + chrono::Duration::microseconds((ms * 1000.0) as i64)
            }
            _ => self.ts,
        }
    }
}

/// Where a line came from, so a user can always open the original.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Source {
    /// Path as given on the command line (or `-` for stdin).
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// Byte offset of the line's first byte (in the decompressed stream).
    pub offset: u64,
}

/// The cross-API error class (DESIGN "class").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Auth,
    Permission,
    Payment,
    Validation,
    NotFound,
    Conflict,
    Idempotency,
    Precondition,
    RateLimit,
    Upstream,
    Server,
    Other,
}

impl Class {
    pub const ALL: [Class; 12] = [
        Class::Auth,
        Class::Permission,
        Class::Payment,
        Class::Validation,
        Class::NotFound,
        Class::Conflict,
        Class::Idempotency,
        Class::Precondition,
        Class::RateLimit,
        Class::Upstream,
        Class::Server,
        Class::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Auth => "auth",
            Class::Permission => "permission",
            Class::Payment => "payment",
            Class::Validation => "validation",
            Class::NotFound => "not_found",
            Class::Conflict => "conflict",
            Class::Idempotency => "idempotency",
            Class::Precondition => "precondition",
            Class::RateLimit => "rate_limit",
            Class::Upstream => "upstream",
            Class::Server => "server",
            Class::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The class an HTTP status implies when no catalog knows the code.
    pub fn from_status(status: u16) -> Option<Class> {
        Some(match status {
            401 | 407 => Class::Auth,
            403 => Class::Permission,
            402 => Class::Payment,
            400 | 413 | 414 | 415 | 422 => Class::Validation,
            404 | 410 => Class::NotFound,
            409 => Class::Conflict,
            412 | 428 => Class::Precondition,
            429 => Class::RateLimit,
            502..=504 => Class::Upstream,
            500..=599 => Class::Server,
            400..=499 => Class::Other,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The response envelope shape a line's body had; catalogs use it to tell APIs
/// apart when a code string (`slot_unavailable`) exists in more than one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Envelope {
    /// No recognisable error body (successes, bare access-log lines).
    #[default]
    None,
    /// `error{code,message,details,request_id}` (42min-style).
    ErrorObjectWithRequestId,
    /// `success:false, errorCode, message, details, requestId` (member API).
    SuccessFalseErrorCode,
    /// `error{code,message}` without a request id (AvailEngine-style).
    ErrorObject,
    /// `error:"Bad Request", message` — a reason phrase (CalendarPipe, Spring Boot).
    ErrorString,
    /// `code, type, message` at the top level (CalendarPipe 402).
    CodeType,
    /// RFC 9457 / 7807 problem details.
    Problem,
    /// Stripe `error{type,code,decline_code,param,message}`.
    Stripe,
    /// Google `error{code:int,status,details[]}`.
    Google,
    /// JSON:API `errors[]`.
    JsonApi,
    /// GraphQL `errors[]` with `extensions`.
    GraphQl,
    /// AWS `__type`.
    Aws,
    /// Microsoft Graph `error{code,message,innerError}`.
    MsGraph,
    /// Spring Boot `{timestamp,status,error,path}`.
    SpringBoot,
    /// OAuth 2 `{error,error_description}`.
    OAuth,
    /// Slack `{ok:false,error}`.
    Slack,
    /// Twilio `{code:int,message,more_info,status}`.
    Twilio,
}

/// Why a line could not become an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadReason {
    /// Not parseable as JSON (including a truncated last line).
    NotJson,
    /// Valid JSON, but not an object.
    NotObject,
    /// Nested deeper than the parser allows.
    TooDeep,
    /// Longer than the line limit.
    TooLong,
    /// Not valid UTF-8 and not JSON once repaired.
    InvalidUtf8,
}

impl BadReason {
    pub fn as_str(self) -> &'static str {
        match self {
            BadReason::NotJson => "not_json",
            BadReason::NotObject => "not_object",
            BadReason::TooDeep => "too_deep",
            BadReason::TooLong => "too_long",
            BadReason::InvalidUtf8 => "invalid_utf8",
        }
    }
}

impl std::fmt::Display for BadReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A retry chain: every event sharing one idempotency key (within a
/// service/client), ordered by time. See DESIGN "Retry chains".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chain {
    pub idempotency_key: String,
    pub service: Option<String>,
    pub client: Option<String>,
    pub outcome: Outcome,
    pub attempts: Vec<Event>,
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// No failure before the first 2xx.
    Succeeded,
    /// Failures, then a 2xx.
    Recovered,
    /// No 2xx.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Recovered => "recovered",
            Outcome::Failed => "failed",
        }
    }
}

/// One finding about a chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    pub rule: Rule,
    /// 1-based index of the attempt the finding is about.
    pub attempt: usize,
    /// The finding in plain words.
    pub detail: String,
}

/// The chain rules of DESIGN "Retry chains".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    RetriedNonRetryable,
    RetryTooSoon,
    ExceededMaxAttempts,
    NoBackoff,
    KeyPayloadMismatch,
    RetryAfterSuccess,
    OverlappingAttempts,
    KeyExpiredMidChain,
}

impl Rule {
    pub const ALL: [Rule; 8] = [
        Rule::RetriedNonRetryable,
        Rule::RetryTooSoon,
        Rule::ExceededMaxAttempts,
        Rule::NoBackoff,
        Rule::KeyPayloadMismatch,
        Rule::RetryAfterSuccess,
        Rule::OverlappingAttempts,
        Rule::KeyExpiredMidChain,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rule::RetriedNonRetryable => "retried_non_retryable",
            Rule::RetryTooSoon => "retry_too_soon",
            Rule::ExceededMaxAttempts => "exceeded_max_attempts",
            Rule::NoBackoff => "no_backoff",
            Rule::KeyPayloadMismatch => "key_payload_mismatch",
            Rule::RetryAfterSuccess => "retry_after_success",
            Rule::OverlappingAttempts => "overlapping_attempts",
            Rule::KeyExpiredMidChain => "key_expired_mid_chain",
        }
    }
}

/// Serde for `ts`: RFC 3339 UTC with milliseconds on output, any RFC 3339 on input.
pub mod ts_millis {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub fn format(ts: &DateTime<Utc>) -> String {
        ts.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    pub fn serialize<S: Serializer>(ts: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(ts))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_json_has_every_contract_key() {
        let ts = DateTime::parse_from_rfc3339("2026-05-14T10:00:00.5Z")
            .unwrap()
            .with_timezone(&Utc);
        let e = Event::new(
            ts,
            Source {
                file: "a.log".into(),
                line: 3,
                offset: 120,
            },
            "{}".into(),
        );
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["ts"], "2026-05-14T10:00:00.500Z");
        for key in [
            "ts",
            "ts_inferred",
            "request_id",
            "trace_id",
            "service",
            "method",
            "path",
            "route",
            "status",
            "code",
            "class",
            "message",
            "details",
            "idempotency_key",
            "retry_after_s",
            "latency_ms",
            "client",
            "source",
            "raw",
        ] {
            assert!(v.get(key).is_some(), "missing key {key}");
        }
        assert_eq!(v["source"]["line"], 3);
        let back: Event = serde_json::from_value(v).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn class_round_trips_through_its_name() {
        for c in Class::ALL {
            assert_eq!(Class::parse(c.as_str()), Some(c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }
}
