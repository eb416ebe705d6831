//! The planned retry chains, one per line of a table: for each DESIGN rule
//! one or more chains that must trigger it (exactly the listed rules), and
//! well-behaved chains that must trigger nothing. Times are in ms: `Start(n)`
//! is n ms after the previous attempt started, `End(n)` n ms after its
//! response; `at(when, code, latency)`, `at_ra(…, Retry-After)`.

use super::apis::Service::*;
use super::record::Style::*;
use super::scenarios::{At, End, OK, Planner, Start, at, at_ra};

const TOO_SOON: &[&str] = &["retry_too_soon"];
const NON_RETRYABLE: &[&str] = &["retried_non_retryable"];
const MAX: &[&str] = &["exceeded_max_attempts"];
const NO_BACKOFF: &[&str] = &["no_backoff"];
const MISMATCH: &[&str] = &["key_payload_mismatch"];
const NON_RETRYABLE_MISMATCH: &[&str] = &["retried_non_retryable", "key_payload_mismatch"];
const AFTER_SUCCESS: &[&str] = &["retry_after_success"];
const OVERLAP: &[&str] = &["overlapping_attempts"];
const EXPIRED: &[&str] = &["key_expired_mid_chain"];
const HAMMER: &[&str] = &["retry_too_soon", "exceeded_max_attempts", "no_backoff"];
const CLEAN: &[&str] = &[];

const BOOK42: (&str, &str) = ("POST", "/v1/bookings");
const BOOK_MEMBER: (&str, &str) = ("POST", "/v2/sessions/{ses}/bookings");
const BOOK_AVAIL: (&str, &str) = ("POST", "/v1/bookings/");
const EVENT_CP: (&str, &str) = ("POST", "/v1/calendars/{cal}/events");

fn on(route: (&'static str, &'static str), mut a: At) -> At {
    a.route = Some(route);
    a
}

fn replayed(mut a: At) -> At {
    a.replayed = true;
    a
}

/// Chains that break exactly the rules they list.
#[rustfmt::skip]
pub fn flagged(p: &mut Planner) {
    let h = p.head("42min_retry_before_retry_after", FortyTwo, "acct_tutorly", Nginx, BOOK42, 0..=3, TOO_SOON, "429 Retry-After 30, retried after 2 s");
    p.chain(h, None, &[], &[at_ra(Start(0), "rate_limited", 4, 30), at(End(2_000), OK, 180)]);
    let h = p.head("avail_retry_before_retry_after", Avail, "key_makerspace_coop", Ecs, BOOK_AVAIL, 0..=3, TOO_SOON, "429 Retry-After 20 retried after 1.5 s, then honoured");
    p.chain(h, None, &[], &[at_ra(Start(0), "rate_limit_exceeded", 3, 20), at_ra(End(1_500), "rate_limit_exceeded", 3, 19), at(End(19_300), OK, 210)]);

    let h = p.head("member_session_full_retried", Member, "partner_gymflow", Ecs, BOOK_MEMBER, 0..=3, NON_RETRYABLE, "409 SESSION_FULL retried unchanged");
    p.chain(h, None, &[], &[at(Start(0), Some("SESSION_FULL"), 60), at(End(3_200), Some("SESSION_FULL"), 55)]);
    let h = p.head("42min_invalid_request_retried", FortyTwo, "acct_salonsuite", Gateway, BOOK42, 0..=3, NON_RETRYABLE, "400 invalid_request retried twice with backoff");
    p.chain(h, None, &[], &[at(Start(0), Some("invalid_request"), 12), at(End(1_100), Some("invalid_request"), 11), at(End(2_600), Some("invalid_request"), 13)]);
    let h = p.head("avail_missing_scope_retried", Avail, "key_wellspring_spa", Gateway, BOOK_AVAIL, 0..=3, NON_RETRYABLE, "403 missing_scope retried");
    p.chain(h, None, &[], &[at(Start(0), Some("missing_scope"), 5), at(End(4_000), Some("missing_scope"), 6)]);
    let h = p.head("calpipe_bad_request_retried", CalPipe, "acct_shiftly", Otel, EVENT_CP, 0..=3, NON_RETRYABLE, "400 Bad Request retried");
    p.chain(h, None, &[], &[at(Start(0), Some("Bad Request"), 30), at(End(800), Some("Bad Request"), 28)]);

    let h = p.head("member_timeouts_seven_attempts", Member, "corp_northwind_wellness", Gateway, BOOK_MEMBER, 0..=3, MAX, "504 UPSTREAM_TIMEOUT seven times with growing backoff");
    let mut atts = vec![at(Start(0), Some("UPSTREAM_TIMEOUT"), 5_010)];
    atts.extend([900, 2_100, 3_800, 8_500, 14_200, 29_000].map(|w| at(End(w), Some("UPSTREAM_TIMEOUT"), 5_020)));
    p.chain(h, None, &[], &atts);
    let h = p.head("42min_lock_timeouts_seven_attempts", FortyTwo, "acct_legalhours", Otel, BOOK42, 0..=3, MAX, "503 slot_lock_timeout six times (Retry-After honoured), then 201 on attempt 7");
    let mut atts = vec![at_ra(Start(0), "slot_lock_timeout", 2_000, 1)];
    atts.extend([1_100, 2_300, 4_200, 8_900, 15_000].map(|w| at_ra(End(w), "slot_lock_timeout", 2_000, 1)));
    atts.push(at(End(27_500), OK, 240));
    p.chain(h, None, &[], &atts);

    let h = p.head("42min_fixed_two_second_retries", FortyTwo, "acct_vetcare_clinics", Gateway, BOOK42, 0..=3, NO_BACKOFF, "500 retried every 2.0 s, four times");
    let mut atts = vec![at(Start(0), Some("internal_error"), 25)];
    atts.extend((0..3).map(|_| at(End(2_000), Some("internal_error"), 25)));
    atts.push(at(End(2_000), OK, 190));
    p.chain(h, None, &[], &atts);
    let h = p.head("calpipe_fixed_one_second_retries", CalPipe, "acct_clinicdesk", Otel, EVENT_CP, 0..=3, NO_BACKOFF, "502 retried every 1.0 s, four times");
    let mut atts = vec![at(Start(0), Some("Bad Gateway"), 90)];
    atts.extend((0..3).map(|_| at(End(1_000), Some("Bad Gateway"), 90)));
    atts.push(at(End(1_000), OK, 300));
    p.chain(h, None, &[], &atts);
    let h = p.head("42min_bulk_import_hammering", FortyTwo, "acct_bulkimport_ops", Gateway, BOOK42, 2..=2, HAMMER, "429 Retry-After 60 ignored: retried every second, seven attempts");
    let mut atts = vec![at_ra(Start(0), "rate_limited", 3, 60)];
    atts.extend((0..6).map(|i| at_ra(End(1_000), "rate_limited", 3, 59 - i)));
    p.chain(h, None, &[], &atts);

    let h = p.head("42min_key_reused_other_body", FortyTwo, "acct_brightsmile_dental", Gateway, BOOK42, 0..=3, MISMATCH, "503, then the same key with a different body: 409 idempotency_key_conflict");
    p.chain(h, None, &[], &[at_ra(Start(0), "slot_lock_timeout", 2_000, 1), at(End(1_500), Some("idempotency_key_conflict"), 14)]);
    let h = p.head("avail_fixed_body_same_key", Avail, "key_studio_pilates_north", Ecs, BOOK_AVAIL, 0..=3, NON_RETRYABLE_MISMATCH, "422 validation_error, body fixed but key kept: 409 idempotency_mismatch");
    p.chain(h, None, &[], &[at(Start(0), Some("validation_error"), 20), at(End(40_000), Some("idempotency_mismatch"), 9)]);
    let h = p.head("member_full_then_waitlist_same_key", Member, "app_member_android", Gateway, BOOK_MEMBER, 0..=3, NON_RETRYABLE_MISMATCH, "409 SESSION_FULL, then the waitlist endpoint with the same key");
    p.chain(h, None, &[], &[at(Start(0), Some("SESSION_FULL"), 70), on(("POST", "/v2/sessions/{ses}/waitlist"), at(End(6_000), OK, 120))]);
    let h = p.head("42min_key_reused_for_patch", FortyTwo, "oc_hubspot_sync", Nginx, BOOK42, 0..=3, MISMATCH, "POST /v1/bookings failed, the key was reused for a PATCH");
    p.chain(h, None, &[], &[at(Start(0), Some("internal_error"), 30), on(("PATCH", "/v1/bookings/{uid}"), at(End(2_100), OK, 160))]);
    let h = p.head("calpipe_unprocessable_after_retry", CalPipe, "acct_eventhub", Gateway, EVENT_CP, 0..=3, MISMATCH, "502, then 422 with no specific code on the retry");
    p.chain(h, None, &[], &[at(Start(0), Some("Bad Gateway"), 400), at(End(2_400), Some("Unprocessable Entity"), 35)]);
    p.stripe_chain("stripe_idempotency_error", MISMATCH, "Stripe 500, retried with changed parameters: 400 idempotency_error", &[(Some("api_error"), 1_300), (Some("idempotency_error"), 0)]);

    let h = p.head("member_success_retried", Member, "app_member_ios", Ecs, BOOK_MEMBER, 0..=3, AFTER_SUCCESS, "201 after 2.8 s (client timed out at 2.5 s), retried: 201 again");
    p.chain(h, None, &[], &[at(Start(0), OK, 2_800), replayed(at(End(600), OK, 90))]);
    let h = p.head("avail_success_retried", Avail, "key_courtside_tennis", Nginx, BOOK_AVAIL, 0..=3, AFTER_SUCCESS, "201, retried 5 s later: replayed 201");
    p.chain(h, None, &[], &[at(Start(0), OK, 240), replayed(at(End(5_000), OK, 12))]);

    let h = p.head("member_retry_while_pending", Member, "partner_classbridge", Gateway, BOOK_MEMBER, 0..=3, OVERLAP, "first attempt hung 30 s (504); the retry started after 8 s");
    p.chain(h, None, &[], &[at(Start(0), Some("UPSTREAM_TIMEOUT"), 30_000), at(Start(8_000), OK, 150)]);
    let h = p.head("42min_retry_while_pending", FortyTwo, "acct_northside_physio", Gateway, BOOK42, 0..=3, OVERLAP, "first attempt took 9 s (500); a retry at 3 s got 409 idempotency_in_progress");
    p.chain(h, None, &[], &[at(Start(0), Some("internal_error"), 9_000), at_ra(Start(3_000), "idempotency_in_progress", 15, 1), at(End(7_400), OK, 170)]);
    let h = p.head("calpipe_parallel_retries", CalPipe, "acct_rotaplan", Otel, EVENT_CP, 0..=3, OVERLAP, "two slow 502s overlapping, then success");
    p.chain(h, None, &[], &[at(Start(0), Some("Bad Gateway"), 20_000), at(Start(5_000), Some("Bad Gateway"), 20_000), at(End(2_000), OK, 260)]);

    let h = p.head("42min_retried_next_day", FortyTwo, "acct_brightsmile_dental", Gateway, BOOK42, 0..=1, EXPIRED, "two 503s, then the same key 26 h later");
    p.chain(h, None, &[], &[at_ra(Start(0), "slot_lock_timeout", 2_000, 1), at_ra(End(1_800), "slot_lock_timeout", 2_000, 1), at(End(26 * 3_600_000), OK, 200)]);
    let h = p.head("member_retried_next_day", Member, "corp_contoso_benefits", Ecs, BOOK_MEMBER, 0..=1, EXPIRED, "two 504s, then the same key 25.5 h later");
    p.chain(h, None, &[], &[at(Start(0), Some("UPSTREAM_TIMEOUT"), 5_010), at(End(2_200), Some("UPSTREAM_TIMEOUT"), 5_015), at(End(91_800_000), OK, 130)]);
}

/// Well-behaved chains: none of the rules may fire.
#[rustfmt::skip]
pub fn clean(p: &mut Planner, rotate_us: i64) {
    let h = p.head("42min_full_jitter", FortyTwo, "acct_brightsmile_dental", Otel, BOOK42, 0..=3, CLEAN, "500 three times, full-jitter backoff (gaps 0.4, 1.7, 0.7 s), then 201");
    p.chain(h, None, &[], &[at(Start(0), Some("internal_error"), 30), at(End(412), Some("internal_error"), 31), at(End(1_734), Some("internal_error"), 29), at(End(655), OK, 200)]);
    let h = p.head("calpipe_full_jitter", CalPipe, "acct_rotaplan", Gateway, EVENT_CP, 0..=3, CLEAN, "502 three times, full-jitter backoff (gaps 1.9, 0.3, 3.1 s), then 201");
    p.chain(h, None, &[], &[at(Start(0), Some("Bad Gateway"), 120), at(End(1_930), Some("Bad Gateway"), 140), at(End(270), Some("Bad Gateway"), 110), at(End(3_080), OK, 280)]);
    let h = p.head("42min_retry_at_retry_after", FortyTwo, "acct_northside_physio", Nginx, BOOK42, 0..=3, CLEAN, "429 Retry-After 30, retried 30.05 s after the response");
    p.chain(h, None, &[], &[at_ra(Start(0), "rate_limited", 4, 30), at(End(30_050), OK, 170)]);
    let h = p.head("member_429_twice_honoured", Member, "app_member_web", Gateway, BOOK_MEMBER, 0..=3, CLEAN, "429 Retry-After 12 honoured, 429 Retry-After 7 honoured, then 201");
    p.chain(h, None, &[], &[at_ra(Start(0), "RATE_LIMITED", 6, 12), at_ra(End(12_100), "RATE_LIMITED", 5, 7), at(End(7_300), OK, 110)]);
    let h = p.head("avail_429_honoured", Avail, "key_barber_collective", Gateway, BOOK_AVAIL, 0..=3, CLEAN, "429 Retry-After 20 honoured");
    p.chain(h, None, &[], &[at_ra(Start(0), "rate_limit_exceeded", 3, 20), at(End(20_200), OK, 190)]);
    let h = p.head("42min_recovered_after_503", FortyTwo, "oc_zapier", Gateway, BOOK42, 0..=3, CLEAN, "503 slot_lock_timeout (Retry-After 1), retried after 1.2 s: 201");
    p.chain(h, None, &[], &[at_ra(Start(0), "slot_lock_timeout", 2_000, 1), at(End(1_200), OK, 230)]);
    let h = p.head("calpipe_recovered_after_502", CalPipe, "acct_eventhub", Otel, EVENT_CP, 0..=3, CLEAN, "502, retried after 1.7 s: 201");
    p.chain(h, None, &[], &[at(Start(0), Some("Bad Gateway"), 800), at(End(1_700), OK, 260)]);
    let h = p.head("member_clean_success", Member, "partner_fitlink", Ecs, BOOK_MEMBER, 0..=3, CLEAN, "one attempt, 201");
    p.chain(h, None, &[], &[at(Start(0), OK, 130)]);
    let h = p.head("avail_clean_success", Avail, "key_citybikes_repair", Nginx, BOOK_AVAIL, 0..=3, CLEAN, "one attempt, 201");
    p.chain(h, None, &[], &[at(Start(0), OK, 95)]);
    // Daily rotation at midnight: the first attempt lands in access.log.1.gz, the retry in access.log.
    let mut h = p.head("42min_across_rotation", FortyTwo, "acct_legalhours", Gateway, BOOK42, 0..=0, CLEAN, "503 just before the log rotated, 201 just after");
    h.start_us = rotate_us - 2_400_000;
    p.chain(h, None, &[], &[at_ra(Start(0), "slot_lock_timeout", 2_000, 1), at(End(1_100), OK, 210)]);
    p.stripe_chain("stripe_recovered", CLEAN, "Stripe 500 api_error, retried after 1.3 s with the same parameters: 200", &[(Some("api_error"), 1_300), (None, 0)]);
}
