//! What a front end needs to tell a chain's story, as data and plain
//! sentences (no printing here): the per-attempt timeline, a one-sentence
//! verdict, short words for each rule, and how durations are written.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::rules::{label, secs};
use crate::model::{Chain, Event, Outcome, Rule};

/// One attempt of a chain, placed in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// 1-based.
    pub attempt: usize,
    pub request_id: String,
    #[serde(with = "crate::model::ts_millis")]
    pub ts: DateTime<Utc>,
    /// Seconds since the first attempt started.
    pub offset_s: f64,
    /// Seconds since the previous attempt's response (start + latency);
    /// negative when this attempt started before it. `None` for the first.
    pub gap_s: Option<f64>,
    pub status: Option<u16>,
    pub code: Option<String>,
    pub retry_after_s: Option<f64>,
    pub latency_ms: Option<f64>,
    pub succeeded: bool,
    /// The rules flagged on this attempt.
    pub rules: Vec<Rule>,
}

/// The chain's attempts as a timeline.
pub fn timeline(chain: &Chain) -> Vec<Step> {
    let Some(first) = chain.attempts.first() else {
        return Vec::new();
    };
    let mut prev: Option<&Event> = None;
    let mut steps = Vec::with_capacity(chain.attempts.len());
    for (i, e) in chain.attempts.iter().enumerate() {
        steps.push(Step {
            attempt: i + 1,
            request_id: e.request_id.clone(),
            ts: e.ts,
            offset_s: secs(first.ts, e.ts),
            gap_s: prev.map(|p| secs(p.ends_at(), e.ts)),
            status: e.status,
            code: e.code.clone(),
            retry_after_s: e.retry_after_s,
            latency_ms: e.latency_ms,
            succeeded: e.is_success(),
            rules: chain
                .flags
                .iter()
                .filter(|f| f.attempt == i + 1)
                .map(|f| f.rule)
                .collect(),
        });
        prev = Some(e);
    }
    steps
}

/// The chain in one or two sentences: how it ended, and what was wrong.
pub fn verdict(chain: &Chain) -> String {
    let a = &chain.attempts;
    let (Some(first), Some(last)) = (a.first(), a.last()) else {
        return "No attempts.".to_string();
    };
    let n = a.len();
    let head = match chain.outcome {
        Outcome::Succeeded if n == 1 => "Succeeded on the first attempt.".to_string(),
        Outcome::Succeeded => format!(
            "Succeeded on attempt 1; {} more attempt{} followed.",
            n - 1,
            plural(n - 1)
        ),
        Outcome::Recovered => recovered(a),
        Outcome::Failed if n == 1 => format!("Failed on its only attempt with a {}.", label(last)),
        Outcome::Failed => format!(
            "Failed: {n} attempts over {}, the last a {}.",
            measured(secs(first.ts, last.ts)),
            label(last)
        ),
    };
    let mut rules: Vec<Rule> = chain.flags.iter().map(|f| f.rule).collect();
    rules.sort();
    rules.dedup();
    if rules.is_empty() {
        return if n > 1 {
            format!("{head} The client retried by the rules.")
        } else {
            head
        };
    }
    let words: Vec<&str> = rules.iter().map(|r| rule_words(*r)).collect();
    let count = chain.flags.len();
    format!(
        "{head} {count} finding{}: {}.",
        plural(count),
        words.join("; ")
    )
}

fn recovered(a: &[Event]) -> String {
    let ok = a.iter().position(Event::is_success).unwrap_or(a.len() - 1);
    let mut failures: Vec<String> = Vec::new();
    for e in a[..ok].iter().filter(|e| e.is_failure()) {
        let l = label(e);
        if !failures.contains(&l) {
            failures.push(l);
        }
    }
    let fails = a[..ok].iter().filter(|e| e.is_failure()).count();
    format!(
        "Recovered on attempt {}, {} after the first attempt, after {fails} failure{}: {}.",
        ok + 1,
        measured(secs(a[0].ts, a[ok].ts)),
        plural(fails),
        failures.join(", ")
    )
}

/// A rule in a few plain words, for lists and verdicts.
pub fn rule_words(rule: Rule) -> &'static str {
    match rule {
        Rule::RetriedNonRetryable => "retried an error that must be fixed first",
        Rule::RetryTooSoon => "retried before Retry-After had elapsed",
        Rule::ExceededMaxAttempts => "more attempts than the API allows",
        Rule::NoBackoff => "retried at a fixed pace with no backoff",
        Rule::KeyPayloadMismatch => "reused the key for a different request",
        Rule::RetryAfterSuccess => "retried after a success",
        Rule::OverlappingAttempts => "sent attempts while one was still in flight",
        Rule::KeyExpiredMidChain => "kept using the key past its lifetime",
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// A measured duration, one decimal: `350 ms`, `5.0 s`, `2.5 min`, `25.0 h`.
pub(crate) fn measured(s: f64) -> String {
    let s = s.abs();
    if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else if s < 120.0 {
        format!("{s:.1} s")
    } else if s < 7200.0 {
        format!("{:.1} min", s / 60.0)
    } else if s < 72.0 * 3600.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} d", s / 86400.0)
    }
}

/// A duration someone asked for, without a needless `.0`: `42 s`, `24 h`.
pub(crate) fn round(s: f64) -> String {
    measured(s).replace(".0 ", " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(measured(5.0), "5.0 s");
        assert_eq!(measured(0.35), "350 ms");
        assert_eq!(measured(-1.25), "1.2 s");
        assert_eq!(measured(150.0), "2.5 min");
        assert_eq!(measured(25.0 * 3600.0), "25.0 h");
        assert_eq!(round(42.0), "42 s");
        assert_eq!(round(86400.0), "24 h");
        assert_eq!(round(1.5), "1.5 s");
    }
}
