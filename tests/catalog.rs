//! The built-in catalogs against their guides (seeds/000–003), recognition,
//! classification, and user catalogs (overrides and malformed files).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use errtriage::catalog::{Catalogs, Retryable};
use errtriage::model::{Class, Envelope, Event, Source};
use errtriage::normalize::Normalized;

fn event(service: Option<&str>, status: Option<u16>, code: Option<&str>) -> Event {
    let ts: DateTime<Utc> = "2026-05-14T10:00:00Z".parse().unwrap();
    let mut e = Event::new(ts, Source::default(), String::new());
    e.service = service.map(str::to_string);
    e.status = status;
    e.code = code.map(str::to_string);
    e
}

fn classified(service: Option<&str>, envelope: Envelope, status: u16, code: &str) -> Event {
    let mut n = Normalized {
        event: event(service, Some(status), Some(code)),
        envelope,
        has_ts: true,
    };
    Catalogs::builtin().classify(&mut n);
    n.event
}

/// Every code of a guide's table is in the catalog with the guide's status
/// (`alternatives` where the guide gives a range for a group).
fn assert_table(api: &str, table: &[(&str, &[u16])]) {
    let catalogs = Catalogs::builtin();
    let cat = catalogs
        .api(api)
        .unwrap_or_else(|| panic!("no catalog {api}"));
    for (code, statuses) in table {
        let entry = cat
            .code(code)
            .unwrap_or_else(|| panic!("{api}: {code} missing"));
        let status = entry
            .status
            .unwrap_or_else(|| panic!("{api}: {code} has no status"));
        assert!(
            statuses.contains(&status),
            "{api}: {code} is {status}, guide says {statuses:?}"
        );
    }
    assert_eq!(
        cat.codes.len(),
        table.len(),
        "{api}: codes beyond the guide's table"
    );
}

#[test]
fn the_42min_catalog_has_every_code_of_its_guide() {
    const V: &[u16] = &[400, 422]; // "Validation (400 / 422)"
    const O: &[u16] = &[400, 401]; // "OAuth (400 / 401)"
    assert_table(
        "42min",
        &[
            ("invalid_token", &[401]),
            ("token_expired", &[401]),
            ("token_revoked", &[401]),
            ("insufficient_scope", &[403]),
            ("forbidden", &[403]),
            ("validation_error", V),
            ("invalid_request", V),
            ("invalid_query_param", V),
            ("attendee_email_invalid", V),
            ("invalid_if_match", V),
            ("field_immutable", V),
            ("event_type_disallows_reschedule", V),
            ("slot_unavailable", &[409]),
            ("event_type_inactive", &[409]),
            ("booking_in_past", &[409]),
            ("booking_already_cancelled", &[409]),
            ("version_conflict", &[409]),
            ("idempotency_in_progress", &[409]),
            ("idempotency_key_conflict", &[409]),
            ("pat_name_taken", &[409]),
            ("pat_limit_exceeded", &[409]),
            ("not_found", &[404]),
            ("event_type_not_found", &[404]),
            ("booking_not_found", &[404]),
            ("interaction_not_found", &[404]),
            ("missing_if_match", &[428]),
            ("missing_idempotency_key", &[400]),
            ("invalid_idempotency_key", &[400]),
            ("rate_limited", &[429]),
            ("invalid_client", O),
            ("invalid_grant", O),
            ("invalid_scope", O),
            ("invalid_redirect_uri", O),
            ("unsupported_grant_type", O),
            ("unsupported_response_type", O),
            ("invalid_client_metadata", O),
            ("access_denied", O),
            ("internal_error", &[500]),
            ("slot_lock_timeout", &[503]),
        ],
    );
}

#[test]
fn the_member_api_catalog_has_every_code_of_its_guide() {
    assert_table(
        "member-api",
        &[
            ("INVALID_REQUEST", &[400]),
            ("UNAUTHENTICATED", &[401]),
            ("TOKEN_EXPIRED", &[401]),
            ("PREMIUM_REQUIRED", &[403]),
            ("FORBIDDEN", &[403]),
            ("NOT_FOUND", &[404]),
            ("SESSION_FULL", &[409]),
            ("ALREADY_BOOKED", &[409]),
            ("RATE_LIMITED", &[429]),
            ("UPSTREAM_TIMEOUT", &[504]),
        ],
    );
}

#[test]
fn the_availengine_catalog_has_every_code_of_its_guide() {
    assert_table(
        "availengine",
        &[
            ("invalid_token", &[401]),
            ("missing_scope", &[403]),
            ("insufficient_permissions", &[403]),
            ("not_found", &[404]),
            ("validation_error", &[422]),
            ("rate_limit_exceeded", &[429]),
            ("payment_required", &[402]),
            ("conflict", &[409]),
            // The guide gives no status for these two; inferred.
            ("slot_unavailable", &[409]),
            ("outside_operating_hours", &[400, 409, 422]),
            ("idempotency_mismatch", &[409]),
        ],
    );
}

#[test]
fn the_calendarpipe_catalog_has_its_status_table_and_its_one_code() {
    assert_table(
        "calendarpipe",
        &[
            ("http_400", &[400]),
            ("http_401", &[401]),
            ("http_402", &[402]),
            ("http_403", &[403]),
            ("http_404", &[404]),
            ("http_409", &[409]),
            ("http_422", &[422]),
            ("http_500", &[500]),
            ("http_502", &[502]),
            ("API_ACCESS_BLOCKED", &[402]),
        ],
    );
}

#[test]
fn every_built_in_entry_is_complete() {
    let catalogs = Catalogs::builtin();
    for cat in catalogs.apis().iter().chain([catalogs.generic()]) {
        for (code, e) in &cat.codes {
            let what = format!("{}: {code}", cat.name);
            assert!(
                e.status.is_some() && e.class.is_some() && e.retryable.is_some(),
                "{what}"
            );
            assert!(!e.meaning.is_empty() && !e.hint.is_empty(), "{what}");
        }
        for (status, e) in &cat.statuses {
            assert!(!e.meaning.is_empty(), "{}: {status}", cat.name);
        }
    }
}

#[test]
fn policies_are_as_the_guides_state_them() {
    let c = Catalogs::builtin();
    let member = c.policy(Some("member-api"));
    assert_eq!((member.max_attempts, member.backoff_cap_s), (5, 30.0));
    assert_eq!(member.for_status(429), Retryable::AfterRetryAfter);
    assert_eq!(member.for_status(503), Retryable::Yes);
    assert_eq!(
        member.for_status(408),
        Retryable::No,
        "only 429, 5xx, UPSTREAM_TIMEOUT"
    );
    let read = |api, code, status| c.read_code(Some(api), code, Some(status)).retryable;
    assert_eq!(read("member-api", "UPSTREAM_TIMEOUT", 504), Retryable::Yes);
    assert_eq!(read("member-api", "SESSION_FULL", 409), Retryable::No);
    assert_eq!(read("42min", "internal_error", 500), Retryable::Yes);
    assert_eq!(
        read("42min", "rate_limited", 429),
        Retryable::AfterRetryAfter
    );
    assert_eq!(
        read("42min", "idempotency_in_progress", 409),
        Retryable::AfterRetryAfter
    );
    assert_eq!(
        read("42min", "slot_lock_timeout", 503),
        Retryable::AfterRetryAfter
    );
    assert_eq!(
        read("availengine", "rate_limit_exceeded", 429),
        Retryable::AfterRetryAfter
    );
    assert_eq!(read("calendarpipe", "http_502", 502), Retryable::Yes);
    assert_eq!(read("calendarpipe", "http_409", 409), Retryable::No);
    for api in ["42min", "member-api", "availengine", "calendarpipe"] {
        assert_eq!(c.policy(Some(api)).key_ttl_s, 86400.0, "{api}");
    }
    let generic = c.policy(None);
    assert_eq!((generic.max_attempts, generic.key_ttl_s), (5, 86400.0));
    for (s, want) in [
        (408, Retryable::Yes),
        (425, Retryable::Yes),
        (429, Retryable::AfterRetryAfter),
    ] {
        assert_eq!(generic.for_status(s), want, "{s}");
    }
    assert_eq!(generic.for_status(409), Retryable::No);
    assert_eq!(c.policy(Some("no-such-api")), generic);
}

#[test]
fn services_are_recognised_by_name_in_any_form() {
    for (service, api) in [
        ("42min-api", "42min"),
        ("42MIN", "42min"),
        ("member-api", "member-api"),
        ("availengine", "availengine"),
        ("availengine-prod", "availengine"),
        ("CalendarPipe-worker", "calendarpipe"),
    ] {
        let e = classified(Some(service), Envelope::None, 500, "http_500");
        assert_eq!(e.api.as_deref(), Some(api), "{service}");
    }
}

#[test]
fn the_same_code_gets_each_apis_own_reading() {
    let c = Catalogs::builtin();
    let min = classified(
        None,
        Envelope::ErrorObjectWithRequestId,
        409,
        "slot_unavailable",
    );
    let avail = classified(None, Envelope::ErrorObject, 409, "slot_unavailable");
    assert_eq!(min.api.as_deref(), Some("42min"));
    assert_eq!(avail.api.as_deref(), Some("availengine"));
    let (r1, r2) = (c.reading(&min).unwrap(), c.reading(&avail).unwrap());
    assert!(r1.known && r2.known);
    assert!(r1.hint.contains("/v1/slots"), "{}", r1.hint);
    assert!(r2.hint.contains("/v1/availability"), "{}", r2.hint);
    // A service name beats the envelope.
    let by_name = classified(
        Some("availengine"),
        Envelope::ErrorObjectWithRequestId,
        409,
        "slot_unavailable",
    );
    assert_eq!(by_name.api.as_deref(), Some("availengine"));
    // A code only 42min has, in the bare error{code,message} shape, is 42min's.
    let bare = classified(None, Envelope::ErrorObject, 401, "token_expired");
    assert_eq!(bare.api.as_deref(), Some("42min"));
}

#[test]
fn envelope_and_code_recognise_member_api_and_calendarpipe() {
    let e = classified(None, Envelope::SuccessFalseErrorCode, 409, "SESSION_FULL");
    assert_eq!(
        (e.api.as_deref(), e.class),
        (Some("member-api"), Some(Class::Conflict))
    );
    let e = classified(None, Envelope::CodeType, 402, "API_ACCESS_BLOCKED");
    assert_eq!(
        (e.api.as_deref(), e.class),
        (Some("calendarpipe"), Some(Class::Payment))
    );
    // A reason-phrase body alone says nothing about which API answered.
    let e = classified(None, Envelope::ErrorString, 502, "http_502");
    assert_eq!((e.api, e.class), (None, Some(Class::Upstream)));
}

#[test]
fn unknown_service_and_code_are_judged_generically_by_status() {
    let c = Catalogs::builtin();
    let e = classified(Some("billing"), Envelope::Problem, 409, "duplicate_invoice");
    assert_eq!((e.api.as_deref(), e.class), (None, Some(Class::Conflict)));
    let r = c.reading(&e).unwrap();
    assert_eq!((r.api, r.known, r.retryable), (None, false, Retryable::No));
    assert!(r.meaning.starts_with("Conflict"), "{}", r.meaning);
    assert!(r.hint.contains("current state"), "{}", r.hint);
    let e = classified(Some("billing"), Envelope::None, 503, "http_503");
    let r = c.reading(&e).unwrap();
    assert_eq!((r.class, r.retryable), (Class::Upstream, Retryable::Yes));
    // No status and an unknown code: nothing to go on, and it says so.
    let r = c.read_code(None, "WEIRD", None);
    assert_eq!((r.class, r.known), (Class::Other, false));
    assert!(r.meaning.contains("not in the catalog"), "{}", r.meaning);
}

#[test]
fn classes_come_from_the_catalog_first_then_the_status() {
    // slot_lock_timeout is a 503, which the status alone calls upstream.
    let e = classified(Some("42min-api"), Envelope::None, 503, "slot_lock_timeout");
    assert_eq!(e.class, Some(Class::Server));
    let e = classified(
        Some("42min-api"),
        Envelope::None,
        409,
        "idempotency_in_progress",
    );
    assert_eq!(e.class, Some(Class::Idempotency));
    let e = classified(Some("42min-api"), Envelope::None, 418, "teapot");
    assert_eq!(e.class, Some(Class::Other));
    // A failure with a code but no status still gets a class.
    let mut n = Normalized {
        event: event(None, None, Some("WEIRD")),
        envelope: Envelope::None,
        has_ts: true,
    };
    Catalogs::builtin().classify(&mut n);
    assert_eq!(n.event.class, Some(Class::Other));
}

#[test]
fn successes_get_no_class_and_no_reading() {
    let c = Catalogs::builtin();
    let mut n = Normalized {
        event: event(Some("42min-api"), Some(201), None),
        envelope: Envelope::None,
        has_ts: true,
    };
    c.classify(&mut n);
    assert_eq!(
        (n.event.api.as_deref(), n.event.class),
        (Some("42min"), None)
    );
    assert_eq!(c.reading(&n.event), None);
}

#[test]
fn a_user_catalog_changes_one_codes_reading_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ours.toml");
    std::fs::write(
        &path,
        "[api]\nname = \"42min\"\n\n[codes.slot_unavailable]\nhint = \"Send them to the waitlist page.\"\n",
    )
    .unwrap();
    let c = Catalogs::load(&[path], None).unwrap();
    let r = c.read_code(Some("42min"), "slot_unavailable", Some(409));
    assert_eq!(r.hint, "Send them to the waitlist page.");
    assert_eq!((r.class, r.retryable), (Class::Conflict, Retryable::No));
    assert_eq!(r.meaning, "Requested slot is no longer free.");
    let other = c.read_code(Some("availengine"), "slot_unavailable", Some(409));
    assert!(other.hint.contains("/v1/availability"));
}

#[test]
fn user_catalogs_add_apis_and_later_files_win() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a-acme.toml"),
        "[api]\nname = \"acme\"\nservices = [\"acme-payments\"]\n[policy]\nmax_attempts = 3\n\
         [codes.card_declined]\nstatus = 402\nclass = \"payment\"\nhint = \"Ask for another card.\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a catalog").unwrap();
    let later = dir.path().join("later.toml");
    std::fs::write(
        &later,
        "[api]\nname = \"acme\"\n[policy]\nmax_attempts = 4\n",
    )
    .unwrap();
    let c = Catalogs::load(&[later], Some(dir.path())).unwrap();
    let mut n = Normalized {
        event: event(Some("acme-payments-eu"), Some(402), Some("card_declined")),
        envelope: Envelope::Stripe,
        has_ts: true,
    };
    c.classify(&mut n);
    assert_eq!(
        (n.event.api.as_deref(), n.event.class),
        (Some("acme"), Some(Class::Payment))
    );
    let r = c.reading(&n.event).unwrap();
    assert_eq!(
        (r.hint.as_str(), r.retryable),
        ("Ask for another card.", Retryable::No)
    );
    assert_eq!(c.policy(Some("acme")).max_attempts, 4);
    assert_eq!(
        c.policy(Some("acme")).key_ttl_s,
        86400.0,
        "unset keys keep the defaults"
    );
}

#[test]
fn a_missing_catalog_directory_is_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let c = Catalogs::load(&[], Some(&dir.path().join("nope"))).unwrap();
    assert_eq!(c.apis().len(), Catalogs::builtin().apis().len());
}

#[test]
fn a_malformed_catalog_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.toml");
    std::fs::write(
        &path,
        "[api]\nname = \"42min\"\n\n[codes.slot_unavailable]\nstatus = 409\nretryable = \"sometimes\"\n",
    )
    .unwrap();
    let err = Catalogs::load(std::slice::from_ref(&path), None).unwrap_err();
    assert_eq!(err.path, path);
    assert_eq!(err.line, Some(6));
    assert_eq!(
        err.field.as_deref(),
        Some("codes.slot_unavailable.retryable")
    );
    let text = err.to_string();
    assert!(
        text.contains("broken.toml") && text.contains("line 6"),
        "{text}"
    );
    assert!(
        text.contains("`codes.slot_unavailable.retryable`") && text.contains("sometimes"),
        "{text}"
    );

    std::fs::write(
        &path,
        "[api]\nname = \"x\"\n[codes.a]\nclass = \"notfound\"\n",
    )
    .unwrap();
    let err = Catalogs::load(std::slice::from_ref(&path), None).unwrap_err();
    assert_eq!(
        (err.line, err.field.as_deref()),
        (Some(4), Some("codes.a.class"))
    );

    let missing = PathBuf::from("/nonexistent/catalog.toml");
    let err = Catalogs::load(std::slice::from_ref(&missing), None).unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent/catalog.toml"),
        "{err}"
    );
}

#[test]
fn the_shipped_example_catalog_parses_and_applies() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/catalog.toml");
    let c = Catalogs::load(&[path], None).unwrap();
    assert!(c.api("acme-billing").is_some());
    for service in ["Acme-Billing-prod", "billing-gw", "BILLING-API-eu"] {
        let mut n = Normalized {
            event: event(Some(service), Some(402), Some("card_declined")),
            envelope: Envelope::Stripe,
            has_ts: true,
        };
        c.classify(&mut n);
        assert_eq!(n.event.api.as_deref(), Some("acme-billing"), "{service}");
        assert!(c.reading(&n.event).unwrap().hint.contains("another card"));
    }
    assert_eq!(c.policy(Some("acme-billing")).max_attempts, 4);
    assert!(
        c.read_code(Some("acme-billing"), "idempotency_key_reused", Some(400))
            .key_mismatch
    );
}

#[test]
fn catalog_text_can_be_laid_over_in_memory() {
    let mut c = Catalogs::builtin();
    let origin = std::path::Path::new("inline.toml");
    c.add_toml(
        "[api]\nname = \"generic\"\n[statuses.418]\nclass = \"other\"\nmeaning = \"A teapot.\"\n",
        origin,
    )
    .unwrap();
    assert_eq!(
        c.read_code(None, "http_418", Some(418)).meaning,
        "A teapot."
    );
    let err = c.add_toml("[api]\nname = \"\"\n", origin).unwrap_err();
    assert_eq!(
        (err.line, err.field.as_deref()),
        (Some(2), Some("api.name"))
    );
}
