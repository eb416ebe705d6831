//! Retry policy: how one API wants failed requests retried (attempt limit,
//! backoff cap, how long it remembers idempotency keys, which statuses may be
//! retried). The chain rules in `query::chains` judge retries against it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Whether a failure may be retried as is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Retryable {
    /// The request must change (or the user must act) before it can succeed.
    No,
    /// Retrying the same request, with backoff, is right.
    Yes,
    /// Retrying is right once the response's Retry-After has elapsed.
    AfterRetryAfter,
}

impl Retryable {
    pub fn as_str(self) -> &'static str {
        match self {
            Retryable::No => "no",
            Retryable::Yes => "yes",
            Retryable::AfterRetryAfter => "after_retry_after",
        }
    }
}

impl fmt::Display for Retryable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An HTTP status or a whole class of them: `429`, `"5xx"`.
///
/// Written in TOML as a number or a string; always serialized as a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawStatus", into = "String")]
pub enum StatusPattern {
    /// One status, 100–599.
    Exact(u16),
    /// Every status of a hundred: `Hundreds(5)` is `5xx`.
    Hundreds(u16),
}

impl StatusPattern {
    pub fn matches(self, status: u16) -> bool {
        match self {
            StatusPattern::Exact(s) => s == status,
            StatusPattern::Hundreds(h) => status / 100 == h,
        }
    }

    /// Parse `404`, `5xx` or `5XX`.
    pub fn parse(s: &str) -> Option<StatusPattern> {
        let s = s.trim();
        let b = s.as_bytes();
        if b.len() != 3 || !(b'1'..=b'5').contains(&b[0]) {
            return None;
        }
        if s[1..].eq_ignore_ascii_case("xx") {
            return Some(StatusPattern::Hundreds(u16::from(b[0] - b'0')));
        }
        s.parse().ok().map(StatusPattern::Exact)
    }
}

impl fmt::Display for StatusPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusPattern::Exact(s) => write!(f, "{s}"),
            StatusPattern::Hundreds(h) => write!(f, "{h}xx"),
        }
    }
}

impl From<StatusPattern> for String {
    fn from(p: StatusPattern) -> String {
        p.to_string()
    }
}

/// What TOML may hold where a status pattern is expected.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawStatus {
    Number(i64),
    Text(String),
}

impl TryFrom<RawStatus> for StatusPattern {
    type Error = String;

    fn try_from(raw: RawStatus) -> Result<StatusPattern, String> {
        let text = match raw {
            RawStatus::Number(n) => n.to_string(),
            RawStatus::Text(s) => s,
        };
        StatusPattern::parse(&text).ok_or_else(|| {
            format!("`{text}` is not an HTTP status (100–599) or a class of them like \"5xx\"")
        })
    }
}

/// One API's retry policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Most attempts (the first included) a chain may make.
    pub max_attempts: u32,
    /// Longest backoff the API asks for between retries (informational: no
    /// rule fires on long waits).
    pub backoff_cap_s: f64,
    /// How long the API remembers an idempotency key.
    pub key_ttl_s: f64,
    /// Whether retries must wait out a response's Retry-After.
    pub honour_retry_after: bool,
    /// Statuses that may be retried with backoff when the code is unknown.
    pub retry_statuses: Vec<StatusPattern>,
    /// Statuses that may be retried only once Retry-After has elapsed.
    pub wait_statuses: Vec<StatusPattern>,
    /// The policy in one sentence, as the API's guide states it.
    pub summary: String,
}

impl RetryPolicy {
    /// errtriage's defaults, used for APIs no catalog recognises: 5 attempts,
    /// keys remembered 24 h, 408/425/5xx retryable, 429 after Retry-After.
    pub fn generic() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            backoff_cap_s: 30.0,
            key_ttl_s: 24.0 * 3600.0,
            honour_retry_after: true,
            retry_statuses: vec![
                StatusPattern::Exact(408),
                StatusPattern::Exact(425),
                StatusPattern::Hundreds(5),
            ],
            wait_statuses: vec![StatusPattern::Exact(429)],
            summary: "HTTP defaults: retry 408, 425 and 5xx with backoff, 429 after Retry-After; \
                      other 4xx must be fixed; at most 5 attempts; keys remembered 24 h."
                .into(),
        }
    }

    /// Whether a failure with this status (and no code the catalog knows) may
    /// be retried.
    pub fn for_status(&self, status: u16) -> Retryable {
        if self.wait_statuses.iter().any(|p| p.matches(status)) {
            Retryable::AfterRetryAfter
        } else if self.retry_statuses.iter().any(|p| p.matches(status)) {
            Retryable::Yes
        } else {
            Retryable::No
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::generic()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_patterns_parse_and_match() {
        assert_eq!(
            StatusPattern::parse("5xx"),
            Some(StatusPattern::Hundreds(5))
        );
        assert_eq!(
            StatusPattern::parse("4XX"),
            Some(StatusPattern::Hundreds(4))
        );
        assert_eq!(StatusPattern::parse("429"), Some(StatusPattern::Exact(429)));
        for bad in ["", "99", "600", "6xx", "4x4", "abc", "1000"] {
            assert_eq!(StatusPattern::parse(bad), None, "{bad}");
        }
        assert!(StatusPattern::Hundreds(5).matches(503));
        assert!(!StatusPattern::Hundreds(5).matches(429));
    }

    #[test]
    fn generic_policy_retries_408_425_429_and_5xx_only() {
        let p = RetryPolicy::generic();
        assert_eq!(p.for_status(429), Retryable::AfterRetryAfter);
        for s in [408, 425, 500, 502, 503, 504] {
            assert_eq!(p.for_status(s), Retryable::Yes, "{s}");
        }
        for s in [400, 401, 403, 404, 409, 422] {
            assert_eq!(p.for_status(s), Retryable::No, "{s}");
        }
    }
}
