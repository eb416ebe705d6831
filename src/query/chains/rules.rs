//! The eight chain rules of DESIGN "Retry chains", one small pure function
//! each, over a chain's attempts (in time order, one per request) and the
//! catalog's reading of each. Details are plain sentences a support engineer
//! can paste into a ticket.
//!
//! Rules about how the client *reacted* to a response (retried a
//! non-retryable failure, ignored Retry-After, retried after success) only
//! judge attempts sent after that response came back; an attempt sent while
//! the previous one was still in flight is `overlapping_attempts` instead.

use chrono::{DateTime, Utc};

use super::story::{measured, round};
use crate::catalog::{Catalogs, Reading, RetryPolicy, Retryable, is_status_code};
use crate::model::{Event, Flag, Rule};

/// How early an attempt may come before Retry-After has elapsed and still be
/// on time (clock skew, log timestamp granularity).
pub const RETRY_AFTER_TOLERANCE_S: f64 = 0.25;

/// Codes that say "this key came with a different request", whoever sends
/// them (catalogs can mark more with `key_mismatch = true`).
pub const KEY_MISMATCH_CODES: [&str; 3] = [
    "idempotency_key_conflict",
    "idempotency_mismatch",
    "idempotency_error",
];

/// `no_backoff` needs at least this many retries to see a pattern.
const NO_BACKOFF_MIN_RETRIES: usize = 3;
/// A gap longer than this is a real wait, even if every gap is equal.
const SHORT_GAP_MAX_S: f64 = 5.0;
/// Gaps within this much of each other (absolute, or relative to their mean)
/// are "equal": no growth and no jitter. Simulated full-jitter clients (base
/// 0.5 s) trip this for about 0.5% of 3-retry chains and 0.01% of 4-retry
/// ones; fixed delays with up to 50 ms of noise are always caught.
const EQUAL_GAP_ABS_S: f64 = 0.05;
const EQUAL_GAP_REL: f64 = 0.2;

/// What every rule looks at.
pub(crate) struct Ctx<'a> {
    pub attempts: &'a [Event],
    /// The reading of each attempt (`None` for successes).
    pub readings: Vec<Option<Reading>>,
    pub policy: &'a RetryPolicy,
    /// Who sets the policy, for details: "Member API", "the HTTP default policy".
    pub who: String,
}

type RuleFn = fn(&Ctx) -> Vec<Flag>;

/// Every rule, in the order of DESIGN's table.
const RULES: [RuleFn; 8] = [
    retried_non_retryable,
    retry_too_soon,
    exceeded_max_attempts,
    no_backoff,
    key_payload_mismatch,
    retry_after_success,
    overlapping_attempts,
    key_expired_mid_chain,
];

/// Judge a chain's attempts (time order, one per request) against the policy
/// of the API they belong to; flags come sorted by attempt.
pub fn judge(attempts: &[Event], catalogs: &Catalogs) -> Vec<Flag> {
    let api = attempts.iter().find_map(|e| catalogs.api_of(e));
    let readings = attempts
        .iter()
        .map(|e| {
            let code = e
                .code
                .clone()
                .or_else(|| e.status.map(|s| format!("http_{s}")));
            match code {
                Some(code) if e.is_failure() => Some(catalogs.read_code(api, &code, e.status)),
                _ => None,
            }
        })
        .collect();
    let who = match api.and_then(|a| catalogs.api(a)) {
        Some(cat) => cat.title.clone(),
        None => "the HTTP default policy".to_string(),
    };
    let ctx = Ctx {
        attempts,
        readings,
        policy: catalogs.policy(api),
        who,
    };
    let mut flags: Vec<Flag> = RULES.iter().flat_map(|rule| rule(&ctx)).collect();
    flags.sort_by_key(|f| (f.attempt, f.rule));
    flags.dedup_by_key(|f| (f.attempt, f.rule));
    flags
}

/// An attempt follows a failure the catalog (or the 4xx/5xx status) says must
/// be fixed, not retried.
pub(crate) fn retried_non_retryable(ctx: &Ctx) -> Vec<Flag> {
    reactions(ctx)
        .filter_map(|(i, prev, _)| {
            let r = ctx.readings[i - 1].as_ref()?;
            let judged = r.known || prev.status.is_some_and(|s| s >= 400);
            (r.retryable == Retryable::No && judged).then(|| {
                let detail = format!(
                    "attempt {} retried the {} of attempt {}, which must be fixed, not retried",
                    i + 1,
                    label(prev),
                    i
                );
                flag(Rule::RetriedNonRetryable, i, detail)
            })
        })
        .collect()
}

/// The next attempt starts before the previous response's Retry-After has
/// elapsed (measured from the response when latency is logged).
pub(crate) fn retry_too_soon(ctx: &Ctx) -> Vec<Flag> {
    if !ctx.policy.honour_retry_after {
        return Vec::new();
    }
    reactions(ctx)
        .filter_map(|(i, prev, next)| {
            let asked = prev.retry_after_s.filter(|s| s.is_finite() && *s > 0.0)?;
            let gap = secs(prev.ends_at(), next.ts);
            (gap + RETRY_AFTER_TOLERANCE_S < asked).then(|| {
                let (gap, asked) = (measured(gap), round(asked));
                let detail = if prev.latency_ms.is_some() {
                    format!(
                        "attempt {} came {gap} after the response to attempt {} (a {} that asked for {asked})",
                        i + 1,
                        i,
                        label(prev)
                    )
                } else {
                    format!("attempt {} came {gap} after a {} that asked for {asked}", i + 1, label(prev))
                };
                flag(Rule::RetryTooSoon, i, detail)
            })
        })
        .collect()
}

/// More attempts than the API's policy allows.
pub(crate) fn exceeded_max_attempts(ctx: &Ctx) -> Vec<Flag> {
    let max = ctx.policy.max_attempts as usize;
    let n = ctx.attempts.len();
    if max == 0 || n <= max {
        return Vec::new();
    }
    let detail = format!(
        "{n} attempts with one key; {} allows at most {max}",
        ctx.who
    );
    vec![flag(Rule::ExceededMaxAttempts, max, detail)]
}

/// At least three consecutive retries whose waits are all short and
/// near-equal: a fixed delay, with no growth and no jitter. A long wait ends a
/// burst; waits the server paced with Retry-After are left to `retry_too_soon`.
pub(crate) fn no_backoff(ctx: &Ctx) -> Vec<Flag> {
    // A wait the server asked for (Retry-After) and the client honoured is
    // not the client's backoff; a retry that came sooner than asked is.
    let waits: Vec<(usize, f64)> = reactions(ctx)
        .map(|(i, prev, next)| (i, prev.retry_after_s, secs(prev.ends_at(), next.ts)))
        .filter(|(_, asked, gap)| asked.is_none_or(|ra| gap + RETRY_AFTER_TOLERANCE_S < ra))
        .map(|(i, _, gap)| (i, gap))
        .filter(|(_, gap)| *gap <= SHORT_GAP_MAX_S)
        .collect();
    let gaps_of = |run: &[(usize, f64)]| run.iter().map(|(_, g)| *g).collect::<Vec<f64>>();
    let Some(run) = waits
        .chunk_by(|a, b| b.0 == a.0 + 1)
        .find(|run| run.len() >= NO_BACKOFF_MIN_RETRIES && fixed_delay(&gaps_of(run)))
    else {
        return Vec::new();
    };
    let gaps = gaps_of(run);
    let listed: Vec<String> = gaps.iter().map(|g| measured(*g)).collect();
    let detail = format!(
        "{} retries in a row each came {} after the previous failure ({}): a fixed delay with no backoff and no jitter",
        gaps.len(),
        measured(gaps.iter().sum::<f64>() / gaps.len() as f64),
        listed.join(", ")
    );
    vec![flag(Rule::NoBackoff, run[0].0, detail)]
}

/// True when every gap is short and they are all about equal.
pub(crate) fn fixed_delay(gaps: &[f64]) -> bool {
    let max = gaps.iter().copied().fold(f64::MIN, f64::max);
    let min = gaps.iter().copied().fold(f64::MAX, f64::min);
    let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
    max <= SHORT_GAP_MAX_S && max - min <= EQUAL_GAP_ABS_S.max(EQUAL_GAP_REL * mean)
}

/// The server said the key came with another request (a key-mismatch code,
/// or a bare 422 on a reused key), or the chain's method/path changed.
pub(crate) fn key_payload_mismatch(ctx: &Ctx) -> Vec<Flag> {
    let mut flags: Vec<Flag> = ctx
        .attempts
        .iter()
        .zip(&ctx.readings)
        .enumerate()
        .filter_map(|(i, (e, r))| {
            let r = r.as_ref()?;
            let said = r.key_mismatch || KEY_MISMATCH_CODES.contains(&r.code.as_str());
            // DESIGN: "a 422 with no more specific code" — whatever the
            // catalog says a bare 422 means (CalendarPipe's is a resource
            // in the wrong state), on a reused key it is the usual answer
            // to a changed payload.
            let bare_422 = i > 0 && e.status == Some(422) && is_status_code(&r.code);
            let detail = if said {
                format!(
                    "attempt {} got {}: the server says this key was already used with a different request",
                    i + 1,
                    label(e)
                )
            } else if bare_422 {
                format!(
                    "attempt {} reused the key and got a bare 422, the usual answer when a key comes back with a different payload",
                    i + 1
                )
            } else {
                return None;
            };
            Some(flag(Rule::KeyPayloadMismatch, i, detail))
        })
        .collect();
    flags.extend(request_changed(ctx.attempts));
    flags
}

/// The first attempt whose method or path differs from the first attempt's.
fn request_changed(attempts: &[Event]) -> Option<Flag> {
    let first = attempts.first()?;
    let differs =
        |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(x), Some(y)) if x != y);
    let i = attempts
        .iter()
        .position(|e| differs(&first.method, &e.method) || differs(&first.path, &e.path))?;
    let detail = format!(
        "attempt {} sent {} but attempt 1 sent {} with the same key",
        i + 1,
        request_line(&attempts[i]),
        request_line(first)
    );
    Some(flag(Rule::KeyPayloadMismatch, i, detail))
}

/// Attempts sent after a 2xx in the same chain had come back.
pub(crate) fn retry_after_success(ctx: &Ctx) -> Vec<Flag> {
    let Some(ok) = ctx.attempts.iter().position(Event::is_success) else {
        return Vec::new();
    };
    let done = &ctx.attempts[ok];
    let later: Vec<usize> = (ok + 1..ctx.attempts.len())
        .filter(|&j| answered(done, &ctx.attempts[j]))
        .collect();
    let (Some(&first), Some(&last)) = (later.first(), later.last()) else {
        return Vec::new();
    };
    let who = if first == last {
        format!("attempt {}", first + 1)
    } else {
        format!("attempts {}–{}", first + 1, last + 1)
    };
    let status = done.status.map_or(String::new(), |s| format!(" ({s})"));
    let detail = format!(
        "{who} came after attempt {} had already succeeded{status}",
        ok + 1
    );
    vec![flag(Rule::RetryAfterSuccess, first, detail)]
}

/// An attempt starts before an earlier attempt's response (start + latency).
pub(crate) fn overlapping_attempts(ctx: &Ctx) -> Vec<Flag> {
    let mut flags = Vec::new();
    let mut latest: Option<(usize, DateTime<Utc>)> = None;
    for (i, e) in ctx.attempts.iter().enumerate() {
        if let Some((j, end)) = latest.filter(|(_, end)| e.ts < *end) {
            let prev = &ctx.attempts[j];
            let took = prev.latency_ms.map_or(String::new(), |ms| {
                format!(", which took {}", measured(ms / 1000.0))
            });
            let detail = format!(
                "attempt {} started {} before attempt {} had its response{took}: both were in flight at once",
                i + 1,
                measured(secs(e.ts, end)),
                j + 1
            );
            flags.push(flag(Rule::OverlappingAttempts, i, detail));
        }
        if latest.is_none_or(|(_, end)| e.ends_at() > end) {
            latest = Some((i, e.ends_at()));
        }
    }
    flags
}

/// The chain runs on past the key's lifetime: the server had forgotten the key.
pub(crate) fn key_expired_mid_chain(ctx: &Ctx) -> Vec<Flag> {
    let Some(first) = ctx.attempts.first() else {
        return Vec::new();
    };
    let ttl = ctx.policy.key_ttl_s;
    let Some(i) = ctx.attempts.iter().position(|e| secs(first.ts, e.ts) > ttl) else {
        return Vec::new();
    };
    let detail = format!(
        "attempt {} came {} after attempt 1, past the {} the API remembers a key: it was handled as a new request",
        i + 1,
        measured(secs(first.ts, ctx.attempts[i].ts)),
        round(ttl)
    );
    vec![flag(Rule::KeyExpiredMidChain, i, detail)]
}

/// `(i, previous, next)` for every attempt `i ≥ 1` that followed a failure
/// whose response had come back.
fn reactions<'a>(ctx: &'a Ctx) -> impl Iterator<Item = (usize, &'a Event, &'a Event)> + 'a {
    ctx.attempts
        .windows(2)
        .enumerate()
        .map(|(i, w)| (i + 1, &w[0], &w[1]))
        .filter(|(_, prev, next)| prev.is_failure() && answered(prev, next))
}

/// True when `next` was sent after `prev`'s response came back.
fn answered(prev: &Event, next: &Event) -> bool {
    next.ts >= prev.ends_at()
}

/// Seconds from `a` to `b`.
pub(crate) fn secs(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b - a)
        .num_microseconds()
        .map_or(f64::MAX, |us| us as f64 / 1e6)
}

/// `409 (slot_unavailable)`, `502`, or just the code.
pub(crate) fn label(e: &Event) -> String {
    match (e.status, e.code.as_deref()) {
        (Some(s), Some(c)) if !is_status_code(c) => format!("{s} ({c})"),
        (Some(s), _) => s.to_string(),
        (None, Some(c)) => c.to_string(),
        (None, None) => "response".to_string(),
    }
}

/// `POST /v1/bookings`.
fn request_line(e: &Event) -> String {
    let method = e.method.as_deref().unwrap_or("?");
    let path = e.path.as_deref().unwrap_or("?");
    format!("{method} {path}")
}

/// A flag about attempt index `i` (0-based).
fn flag(rule: Rule, i: usize, detail: String) -> Flag {
    Flag {
        rule,
        attempt: i + 1,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_delays_are_equal_and_short() {
        assert!(fixed_delay(&[1.0, 1.0, 1.02]));
        assert!(fixed_delay(&[0.0, 0.01, 0.0]));
        assert!(!fixed_delay(&[0.5, 1.0, 2.0]), "exponential growth");
        assert!(!fixed_delay(&[0.12, 0.31, 0.05]), "full jitter");
        assert!(
            !fixed_delay(&[30.0, 30.0, 30.0]),
            "a capped tail is a real wait"
        );
    }
}
