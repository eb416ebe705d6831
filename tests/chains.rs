//! Retry chains: grouping, outcome, and every rule of DESIGN "Retry chains"
//! with a case that fires and a near miss that must not.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};
use errtriage::catalog::Catalogs;
use errtriage::model::{Chain, Event, Outcome, Rule, Source};
use errtriage::query::chains::{build_chains, timeline, verdict};

/// A test event `secs` after 10:00, from `42min-api`, key `key-1`.
struct Ev(Event);

fn at(secs: f64) -> Ev {
    static N: AtomicU64 = AtomicU64::new(1);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let t0: DateTime<Utc> = "2026-05-14T10:00:00Z".parse().unwrap();
    let ts = t0 + Duration::microseconds((secs * 1e6).round() as i64);
    let source = Source {
        file: "t.log".into(),
        line: n,
        offset: n * 100,
    };
    let mut e = Event::new(ts, source, String::new());
    e.request_id = format!("req_{n}");
    e.service = Some("42min-api".into());
    e.idempotency_key = Some("key-1".into());
    e.method = Some("POST".into());
    e.path = Some("/v1/bookings".into());
    Ev(e)
}

impl Ev {
    fn fail(mut self, status: u16, code: &str) -> Ev {
        self.0.status = Some(status);
        self.0.code = Some(code.into());
        self
    }
    fn ok(mut self, status: u16) -> Ev {
        self.0.status = Some(status);
        self
    }
    fn retry_after(mut self, s: f64) -> Ev {
        self.0.retry_after_s = Some(s);
        self
    }
    fn latency(mut self, ms: f64) -> Ev {
        self.0.latency_ms = Some(ms);
        self
    }
    fn service(mut self, s: &str) -> Ev {
        self.0.service = Some(s.into());
        self
    }
    fn key(mut self, k: &str) -> Ev {
        self.0.idempotency_key = Some(k.into());
        self
    }
    fn request(mut self, method: &str, path: &str) -> Ev {
        self.0.method = Some(method.into());
        self.0.path = Some(path.into());
        self
    }
}

fn chains(events: Vec<Ev>) -> Vec<Chain> {
    build_chains(
        events.into_iter().map(|e| e.0).collect(),
        &Catalogs::builtin(),
    )
}

fn chain(events: Vec<Ev>) -> Chain {
    let mut all = chains(events);
    assert_eq!(all.len(), 1, "expected one chain: {all:#?}");
    all.remove(0)
}

/// No flag, no attempt.
const CLEAN: [(Rule, usize); 0] = [];
const NONE: [usize; 0] = [];

/// `(rule, attempt)` of every flag.
fn flags(c: &Chain) -> Vec<(Rule, usize)> {
    c.flags.iter().map(|f| (f.rule, f.attempt)).collect()
}

fn fired(c: &Chain, rule: Rule) -> Vec<usize> {
    c.flags
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.attempt)
        .collect()
}

fn detail(c: &Chain, rule: Rule) -> String {
    c.flags
        .iter()
        .find(|f| f.rule == rule)
        .map(|f| f.detail.clone())
        .unwrap_or_default()
}

/// `n` failures with `status`/`code`, separated by `gaps` (seconds).
fn failures_with_gaps(status: u16, code: &str, gaps: &[f64]) -> Vec<Ev> {
    let mut t = 0.0;
    let mut out = vec![at(t).fail(status, code)];
    for g in gaps {
        t += g;
        out.push(at(t).fail(status, code));
    }
    out
}

// ── grouping and outcome ────────────────────────────────────────────────────

#[test]
fn outcomes() {
    let c = chain(vec![at(0.0).ok(201)]);
    assert_eq!((c.outcome, c.flags.len()), (Outcome::Succeeded, 0));
    let c = chain(vec![at(0.0).fail(500, "internal_error"), at(2.0).ok(201)]);
    assert_eq!(c.outcome, Outcome::Recovered);
    let c = chain(vec![
        at(0.0).fail(500, "internal_error"),
        at(2.0).fail(500, "internal_error"),
    ]);
    assert_eq!(c.outcome, Outcome::Failed);
}

#[test]
fn chains_are_per_key_service_and_client_in_time_order() {
    let mut other_client = at(1.0).ok(201);
    other_client.0.client = Some("acct_2".into());
    let mut no_key = at(2.0).ok(201);
    no_key.0.idempotency_key = None;
    let all = chains(vec![
        at(5.0).ok(201),
        at(0.0).fail(500, "internal_error"),
        at(0.5).ok(201).key("key-2"),
        at(0.7).ok(201).service("member-api"),
        other_client,
        no_key,
    ]);
    assert_eq!(all.len(), 4);
    let main = all.iter().find(|c| c.attempts.len() == 2).unwrap();
    assert_eq!(main.idempotency_key, "key-1");
    assert!(main.attempts[0].ts < main.attempts[1].ts);
}

#[test]
fn flagged_chains_come_first() {
    let all = chains(vec![
        at(0.0).ok(201).key("clean"),
        at(10.0).fail(409, "slot_unavailable").key("bad"),
        at(11.0).fail(409, "slot_unavailable").key("bad"),
        at(20.0).ok(201).key("clean-newer"),
    ]);
    let keys: Vec<&str> = all.iter().map(|c| c.idempotency_key.as_str()).collect();
    assert_eq!(keys, ["bad", "clean-newer", "clean"]);
}

#[test]
fn lines_about_one_request_are_one_attempt_and_context_lines_are_not_attempts() {
    let gateway = at(0.0).ok(409).latency(120.0);
    let mut app = at(0.05).fail(409, "slot_unavailable");
    app.0.request_id = gateway.0.request_id.clone();
    app.0.status = None;
    let context = at(0.01); // no status, no code: "processing booking"
    let c = chain(vec![gateway, app, context, at(3.0).ok(201)]);
    assert_eq!(c.attempts.len(), 2);
    let first = &c.attempts[0];
    assert_eq!(
        (first.status, first.code.as_deref()),
        (Some(409), Some("slot_unavailable"))
    );
    assert_eq!(first.latency_ms, Some(120.0));
}

// ── retried_non_retryable ───────────────────────────────────────────────────

#[test]
fn retried_non_retryable_fires_on_a_retried_slot_unavailable() {
    let c = chain(vec![
        at(0.0).fail(409, "slot_unavailable"),
        at(2.0).fail(409, "slot_unavailable"),
    ]);
    assert_eq!(fired(&c, Rule::RetriedNonRetryable), [2]);
    assert_eq!(
        detail(&c, Rule::RetriedNonRetryable),
        "attempt 2 retried the 409 (slot_unavailable) of attempt 1, which must be fixed, not retried"
    );
    // Lacking a catalog entry, a plain 4xx status is enough.
    let c = chain(vec![
        at(0.0).fail(400, "http_400").service("billing"),
        at(2.0).ok(200).service("billing"),
    ]);
    assert_eq!(fired(&c, Rule::RetriedNonRetryable), [2]);
}

#[test]
fn retried_non_retryable_spares_retryable_failures() {
    let c = chain(vec![at(0.0).fail(500, "internal_error"), at(2.0).ok(201)]);
    assert_eq!(flags(&c), CLEAN);
    // 409 idempotency_in_progress is retryable once its Retry-After: 1 passed.
    let c = chain(vec![
        at(0.0)
            .fail(409, "idempotency_in_progress")
            .retry_after(1.0),
        at(1.1).ok(201),
    ]);
    assert_eq!(flags(&c), CLEAN);
    // 408 is retryable by the HTTP defaults.
    let c = chain(vec![
        at(0.0).fail(408, "http_408").service("billing"),
        at(2.0).ok(200).service("billing"),
    ]);
    assert_eq!(flags(&c), CLEAN);
    // An unknown code on a 200 (GraphQL-style) gives nothing to judge by.
    let c = chain(vec![
        at(0.0).fail(200, "WEIRD").service("billing"),
        at(2.0).ok(200).service("billing"),
    ]);
    assert_eq!(flags(&c), CLEAN);
}

// ── retry_too_soon ──────────────────────────────────────────────────────────

#[test]
fn retry_too_soon_fires_when_retry_after_is_ignored() {
    let c = chain(vec![
        at(0.0).fail(429, "rate_limited").retry_after(42.0),
        at(5.0).ok(201),
    ]);
    assert_eq!(fired(&c, Rule::RetryTooSoon), [2]);
    assert_eq!(
        detail(&c, Rule::RetryTooSoon),
        "attempt 2 came 5.0 s after a 429 (rate_limited) that asked for 42 s"
    );
    // 300 ms early is beyond the tolerance.
    let c = chain(vec![
        at(0.0).fail(429, "rate_limited").retry_after(42.0),
        at(41.7).ok(201),
    ]);
    assert_eq!(fired(&c, Rule::RetryTooSoon), [2]);
}

#[test]
fn retry_too_soon_spares_retries_at_or_just_before_retry_after() {
    let exactly = chain(vec![
        at(0.0).fail(429, "rate_limited").retry_after(42.0),
        at(42.0).ok(201),
    ]);
    assert_eq!(flags(&exactly), CLEAN);
    let early_200ms = chain(vec![
        at(0.0).fail(429, "rate_limited").retry_after(42.0),
        at(41.8).ok(201),
    ]);
    assert_eq!(flags(&early_200ms), CLEAN);
}

#[test]
fn retry_too_soon_measures_from_the_previous_response_when_latency_is_logged() {
    // Sent 3 s after the first request started, but only 1.5 s after its
    // response (which took 1.5 s) asked for 2 s.
    let c = chain(vec![
        at(0.0)
            .fail(503, "slot_lock_timeout")
            .retry_after(2.0)
            .latency(1500.0),
        at(3.0).ok(201),
    ]);
    assert_eq!(fired(&c, Rule::RetryTooSoon), [2]);
    assert_eq!(
        detail(&c, Rule::RetryTooSoon),
        "attempt 2 came 1.5 s after the response to attempt 1 (a 503 (slot_lock_timeout) that asked for 2 s)"
    );
    let c = chain(vec![
        at(0.0)
            .fail(503, "slot_lock_timeout")
            .retry_after(2.0)
            .latency(1000.0),
        at(3.0).ok(201),
    ]);
    assert_eq!(flags(&c), CLEAN);
}

// ── exceeded_max_attempts ───────────────────────────────────────────────────

#[test]
fn exceeded_max_attempts_fires_past_the_policy_limit() {
    let six = failures_with_gaps(503, "http_503", &[1.0, 2.0, 4.0, 8.0, 16.0]);
    let c = chain(six.into_iter().map(|e| e.service("member-api")).collect());
    assert_eq!(fired(&c, Rule::ExceededMaxAttempts), [6]);
    assert_eq!(
        detail(&c, Rule::ExceededMaxAttempts),
        "6 attempts with one key; Member API allows at most 5"
    );
}

#[test]
fn exceeded_max_attempts_spares_exactly_the_limit() {
    let five = failures_with_gaps(503, "http_503", &[1.0, 2.0, 4.0, 8.0]);
    let c = chain(five.into_iter().map(|e| e.service("member-api")).collect());
    assert_eq!(flags(&c), CLEAN);
}

#[test]
fn a_user_policy_changes_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strict.toml");
    std::fs::write(
        &path,
        "[api]\nname = \"42min\"\n[policy]\nmax_attempts = 2\n",
    )
    .unwrap();
    let catalogs = Catalogs::load(&[path], None).unwrap();
    let events = failures_with_gaps(500, "internal_error", &[1.0, 3.0]);
    let all = build_chains(events.into_iter().map(|e| e.0).collect(), &catalogs);
    assert_eq!(fired(&all[0], Rule::ExceededMaxAttempts), [3]);
}

// ── no_backoff ──────────────────────────────────────────────────────────────

#[test]
fn no_backoff_fires_on_a_fixed_short_delay() {
    let c = chain(failures_with_gaps(
        500,
        "internal_error",
        &[1.0, 1.0, 1.0, 1.0],
    ));
    assert_eq!(fired(&c, Rule::NoBackoff), [2]);
    assert_eq!(
        detail(&c, Rule::NoBackoff),
        "4 retries in a row each came 1.0 s after the previous failure (1.0 s, 1.0 s, 1.0 s, 1.0 s): \
         a fixed delay with no backoff and no jitter"
    );
    let hammering = chain(failures_with_gaps(
        500,
        "internal_error",
        &[0.02, 0.03, 0.02],
    ));
    assert_eq!(fired(&hammering, Rule::NoBackoff), [2]);
    // A Retry-After the client ignored does not excuse its fixed delay:
    // asked for 60 s, it came back every second.
    let ignored: Vec<Ev> = failures_with_gaps(429, "rate_limited", &[1.0, 1.0, 1.0])
        .into_iter()
        .map(|e| e.retry_after(60.0))
        .collect();
    let ignored = chain(ignored);
    assert_eq!(fired(&ignored, Rule::NoBackoff), [2]);
    assert_eq!(fired(&ignored, Rule::RetryTooSoon), [2, 3, 4]);
}

#[test]
fn no_backoff_spares_growth_jitter_pacing_and_short_chains() {
    let exponential = chain(failures_with_gaps(
        500,
        "internal_error",
        &[0.5, 1.0, 2.0, 4.0],
    ));
    assert_eq!(fired(&exponential, Rule::NoBackoff), NONE);
    // Full jitter: random waits under a growing cap, sometimes shrinking.
    let jitter = chain(failures_with_gaps(
        500,
        "internal_error",
        &[0.8, 0.3, 2.9, 1.1],
    ));
    assert_eq!(fired(&jitter, Rule::NoBackoff), NONE);
    let two_retries = chain(failures_with_gaps(500, "internal_error", &[1.0, 1.0]));
    assert_eq!(fired(&two_retries, Rule::NoBackoff), NONE);
    let capped = chain(failures_with_gaps(
        500,
        "internal_error",
        &[30.0, 30.0, 30.0],
    ));
    assert_eq!(fired(&capped, Rule::NoBackoff), NONE);
    // Waiting exactly the Retry-After: 1 the server asks for is not a fault.
    let mut paced = failures_with_gaps(409, "idempotency_in_progress", &[1.0, 1.0, 1.0]);
    paced = paced.into_iter().map(|e| e.retry_after(1.0)).collect();
    assert_eq!(flags(&chain(paced)), CLEAN);
}

#[test]
fn simulated_full_jitter_clients_are_almost_never_called_no_backoff() {
    // AWS-style full jitter: wait = random(0, min(cap, base · 2^n)), base 0.5 s.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut uniform = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for (retries, allowed) in [(3, 15), (4, 2)] {
        let mut flagged = 0;
        for _ in 0..1000 {
            let gaps: Vec<f64> = (0..retries)
                .map(|n| uniform() * (0.5 * 2f64.powi(n)).min(30.0))
                .collect();
            let events = failures_with_gaps(500, "internal_error", &gaps);
            let c = chain(
                events
                    .into_iter()
                    .map(|e| e.service("member-api"))
                    .collect(),
            );
            flagged += usize::from(!fired(&c, Rule::NoBackoff).is_empty());
        }
        assert!(
            flagged <= allowed,
            "{flagged} of 1000 full-jitter chains with {retries} retries called no_backoff"
        );
    }
}

// ── key_payload_mismatch ────────────────────────────────────────────────────

#[test]
fn key_payload_mismatch_fires_when_the_server_says_so() {
    let c = chain(vec![
        at(0.0).ok(201),
        at(60.0).fail(409, "idempotency_key_conflict"),
    ]);
    assert_eq!(fired(&c, Rule::KeyPayloadMismatch), [2]);
    assert!(detail(&c, Rule::KeyPayloadMismatch).contains("different request"));
    let c = chain(vec![
        at(0.0)
            .fail(409, "idempotency_mismatch")
            .service("availengine"),
    ]);
    assert_eq!(fired(&c, Rule::KeyPayloadMismatch), [1]);
    let c = chain(vec![
        at(0.0).fail(400, "idempotency_error").service("payments"),
    ]);
    assert_eq!(fired(&c, Rule::KeyPayloadMismatch), [1]);
    let c = chain(vec![
        at(0.0).fail(500, "http_500").service("billing"),
        at(2.0).fail(422, "http_422").service("billing"),
    ]);
    assert_eq!(fired(&c, Rule::KeyPayloadMismatch), [2]);
}

#[test]
fn key_payload_mismatch_fires_when_method_or_path_change() {
    let c = chain(vec![
        at(0.0).fail(500, "internal_error"),
        at(2.0)
            .fail(500, "internal_error")
            .request("PATCH", "/v1/bookings/b_1"),
    ]);
    assert_eq!(fired(&c, Rule::KeyPayloadMismatch), [2]);
    assert_eq!(
        detail(&c, Rule::KeyPayloadMismatch),
        "attempt 2 sent PATCH /v1/bookings/b_1 but attempt 1 sent POST /v1/bookings with the same key"
    );
}

#[test]
fn key_payload_mismatch_spares_specific_422s_and_first_attempts_but_not_bare_ones() {
    let first = chain(vec![at(0.0).fail(422, "http_422").service("billing")]);
    assert_eq!(flags(&first), CLEAN);
    let specific = chain(vec![
        at(0.0).fail(500, "internal_error"),
        at(2.0).fail(422, "validation_error"),
    ]);
    assert_eq!(fired(&specific, Rule::KeyPayloadMismatch), NONE);
    // DESIGN counts any 422 without a more specific code, even one the
    // catalog gives a meaning (CalendarPipe's), when it answers a reused key.
    let cal = chain(vec![
        at(0.0).fail(502, "http_502").service("calendarpipe"),
        at(2.0).fail(422, "http_422").service("calendarpipe"),
    ]);
    assert_eq!(fired(&cal, Rule::KeyPayloadMismatch), [2]);
    let same = chain(vec![at(0.0).fail(500, "internal_error"), at(2.0).ok(201)]);
    assert_eq!(flags(&same), CLEAN);
}

// ── retry_after_success ─────────────────────────────────────────────────────

#[test]
fn retry_after_success_fires_on_attempts_after_a_2xx() {
    let c = chain(vec![at(0.0).ok(201), at(3.0).ok(201), at(9.0).ok(201)]);
    assert_eq!(fired(&c, Rule::RetryAfterSuccess), [2]);
    assert_eq!(
        detail(&c, Rule::RetryAfterSuccess),
        "attempts 2–3 came after attempt 1 had already succeeded (201)"
    );
    assert_eq!(c.outcome, Outcome::Succeeded);
}

#[test]
fn retry_after_success_spares_a_chain_ending_in_success() {
    let c = chain(vec![
        at(0.0).fail(503, "http_503"),
        at(2.0).fail(503, "http_503"),
        at(6.0).ok(201),
    ]);
    assert_eq!((flags(&c), c.outcome), (CLEAN.to_vec(), Outcome::Recovered));
}

// ── overlapping_attempts ────────────────────────────────────────────────────

#[test]
fn overlapping_attempts_fires_when_a_retry_starts_before_the_response() {
    let c = chain(vec![at(0.0).ok(201).latency(3000.0), at(1.0).ok(201)]);
    assert_eq!(flags(&c), [(Rule::OverlappingAttempts, 2)]);
    assert_eq!(
        detail(&c, Rule::OverlappingAttempts),
        "attempt 2 started 2.0 s before attempt 1 had its response, which took 3.0 s: both were in flight at once"
    );
    // Judged against the slowest earlier attempt, not just the previous one.
    let c = chain(vec![
        at(0.0).fail(504, "http_504").latency(10_000.0),
        at(1.0).fail(504, "http_504").latency(100.0),
        at(5.0).ok(201),
    ]);
    assert_eq!(fired(&c, Rule::OverlappingAttempts), [2, 3]);
}

#[test]
fn overlapping_attempts_spares_retries_after_the_response_or_without_latency() {
    let c = chain(vec![
        at(0.0).fail(500, "internal_error").latency(3000.0),
        at(3.5).ok(201),
    ]);
    assert_eq!(flags(&c), CLEAN);
    let c = chain(vec![at(0.0).fail(500, "internal_error"), at(0.1).ok(201)]);
    assert_eq!(flags(&c), CLEAN);
}

#[test]
fn a_retry_sent_in_flight_is_overlapping_not_a_reaction() {
    let c = chain(vec![
        at(0.0)
            .fail(429, "rate_limited")
            .retry_after(30.0)
            .latency(2000.0),
        at(1.0).ok(201),
    ]);
    assert_eq!(flags(&c), [(Rule::OverlappingAttempts, 2)]);
}

// ── key_expired_mid_chain ───────────────────────────────────────────────────

#[test]
fn key_expired_mid_chain_fires_when_a_key_is_reused_after_its_ttl() {
    let c = chain(vec![
        at(0.0).fail(500, "internal_error"),
        at(25.0 * 3600.0).ok(201),
    ]);
    assert_eq!(fired(&c, Rule::KeyExpiredMidChain), [2]);
    assert_eq!(
        detail(&c, Rule::KeyExpiredMidChain),
        "attempt 2 came 25.0 h after attempt 1, past the 24 h the API remembers a key: it was handled as a new request"
    );
}

#[test]
fn key_expired_mid_chain_spares_chains_within_the_ttl() {
    let c = chain(vec![
        at(0.0).fail(500, "internal_error"),
        at(23.0 * 3600.0).ok(201),
    ]);
    assert_eq!(flags(&c), CLEAN);
}

// ── telling the story ───────────────────────────────────────────────────────

#[test]
fn timeline_places_each_attempt() {
    let c = chain(vec![
        at(0.0)
            .fail(429, "rate_limited")
            .retry_after(42.0)
            .latency(500.0),
        at(5.5).ok(201),
    ]);
    let steps = timeline(&c);
    assert_eq!(steps.len(), 2);
    assert_eq!((steps[0].offset_s, steps[0].gap_s), (0.0, None));
    assert_eq!((steps[1].offset_s, steps[1].gap_s), (5.5, Some(5.0)));
    assert_eq!(steps[0].retry_after_s, Some(42.0));
    assert!(steps[1].succeeded && !steps[0].succeeded);
    assert_eq!(steps[1].rules, [Rule::RetryTooSoon]);
}

#[test]
fn verdicts_say_how_it_ended_and_what_was_wrong() {
    let c = chain(vec![at(0.0).ok(201)]);
    assert_eq!(verdict(&c), "Succeeded on the first attempt.");
    let c = chain(vec![
        at(0.0).fail(503, "http_503"),
        at(2.0).fail(500, "internal_error"),
        at(6.0).ok(201),
    ]);
    assert_eq!(
        verdict(&c),
        "Recovered on attempt 3, 6.0 s after the first attempt, after 2 failures: 503, 500 (internal_error). \
         The client retried by the rules."
    );
    let c = chain(vec![
        at(0.0).fail(409, "slot_unavailable"),
        at(1.0).fail(409, "slot_unavailable"),
    ]);
    assert_eq!(
        verdict(&c),
        "Failed: 2 attempts over 1.0 s, the last a 409 (slot_unavailable). \
         1 finding: retried an error that must be fixed first."
    );
}
