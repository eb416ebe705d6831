//! The four seed APIs as data: service names, endpoints, clients, and every
//! error code of each guide in `shared/seeds/` with the guide's status and a
//! realistic message. Templates use `{name}` placeholders that
//! [`super::traffic`] fills (ids, dates, the request id, Retry-After).

pub use super::endpoints::{Endpoint, Lat, endpoint, endpoints};

/// Who wrote a line. The four seed APIs, then two "misc" services whose
/// bodies carry the envelopes every support team meets anyway.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    FortyTwo,
    Member,
    Avail,
    CalPipe,
    Integrations,
    Admin,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::FortyTwo => "42min-api",
            Service::Member => "member-api",
            Service::Avail => "availengine",
            Service::CalPipe => "calendarpipe",
            Service::Integrations => "integrations",
            Service::Admin => "admin-api",
        }
    }
}

/// One documented (or, where marked, undocumented) error of a seed API.
pub struct ErrorSpec {
    /// What the body carries: the machine code, or CalendarPipe's reason
    /// phrase (`Bad Request`), or `""` for AvailEngine's bare FastAPI 500.
    pub code: &'static str,
    pub status: u16,
    /// `{ra}` is replaced by the Retry-After seconds, `{category}` by read/write.
    pub message: &'static str,
    /// A JSON object (same placeholders) or `""` for none.
    pub details: &'static str,
    /// Retry-After range in seconds, when the API sets the header.
    pub retry_after: Option<(u32, u32)>,
}

const fn e(code: &'static str, status: u16, message: &'static str) -> ErrorSpec {
    ErrorSpec {
        code,
        status,
        message,
        details: "",
        retry_after: None,
    }
}

const fn ed(
    code: &'static str,
    status: u16,
    message: &'static str,
    details: &'static str,
) -> ErrorSpec {
    ErrorSpec {
        code,
        status,
        message,
        details,
        retry_after: None,
    }
}

const fn era(
    code: &'static str,
    status: u16,
    message: &'static str,
    details: &'static str,
    ra: (u32, u32),
) -> ErrorSpec {
    ErrorSpec {
        code,
        status,
        message,
        details,
        retry_after: Some(ra),
    }
}

/// Seed 000: `{"error":{"code","message","details","request_id"}}`.
#[rustfmt::skip]
pub static FORTYTWO_ERRORS: &[ErrorSpec] = &[
    e("invalid_token", 401, "Missing, malformed, or unknown bearer token."),
    e("token_expired", 401, "The access token has expired."),
    e("token_revoked", 401, "This personal access token has been revoked."),
    ed("insufficient_scope", 403, "This action requires the 'bookings:create' scope", r#"{"required_scope":"bookings:create"}"#),
    e("forbidden", 403, "You are not allowed to manage bookings for this event type."),
    ed("validation_error", 422, "Request body failed validation.", r#"{"errors":[{"field":"start","message":"must be an ISO 8601 date-time"}]}"#),
    e("invalid_request", 400, "Malformed JSON body: unexpected end of input."),
    ed("invalid_query_param", 400, "Query parameter 'start' is missing or malformed.", r#"{"param":"start"}"#),
    ed("attendee_email_invalid", 400, "attendee.email is not a valid email address.", r#"{"field":"attendee.email"}"#),
    e("invalid_if_match", 400, "If-Match must be an integer booking version."),
    ed("field_immutable", 422, "These fields can only change via dedicated endpoints.", r#"{"fields":["start"]}"#),
    e("event_type_disallows_reschedule", 422, "This event type does not allow rescheduling."),
    e("slot_unavailable", 409, "The requested slot is no longer available."),
    e("event_type_inactive", 409, "Event type is not active."),
    e("booking_in_past", 409, "Cannot book a slot that starts in the past."),
    e("booking_already_cancelled", 409, "Booking is cancelled and cannot be rescheduled."),
    ed("version_conflict", 409, "If-Match version does not match the current booking version.", r#"{"current_version":4}"#),
    era("idempotency_in_progress", 409, "A request with this Idempotency-Key is still being processed.", "", (1, 1)),
    e("idempotency_key_conflict", 409, "This Idempotency-Key was used with a different request body."),
    e("pat_name_taken", 409, "A personal access token with this name already exists."),
    e("pat_limit_exceeded", 409, "This account already has 42 active personal access tokens."),
    e("not_found", 404, "Resource not found."),
    e("event_type_not_found", 404, "Event type not found."),
    e("booking_not_found", 404, "Booking not found."),
    e("interaction_not_found", 404, "Consent interaction expired or not found."),
    e("missing_if_match", 428, "PATCH requires an If-Match header."),
    e("missing_idempotency_key", 400, "Idempotency-Key header is required for this request."),
    e("invalid_idempotency_key", 400, "Idempotency-Key must be at most 255 characters."),
    era("rate_limited", 429, "Rate limit exceeded. Retry after {ra} seconds.", r#"{"limit":120,"window_seconds":60}"#, (5, 60)),
    e("invalid_client", 401, "Unknown client or bad client_secret."),
    e("invalid_grant", 400, "Refresh token is invalid, expired, or revoked."),
    e("invalid_scope", 400, "Scope 'bookings:admin' is not allowed for this client."),
    e("invalid_redirect_uri", 400, "redirect_uri is not registered for this client."),
    e("unsupported_grant_type", 400, "grant_type must be authorization_code or refresh_token."),
    e("unsupported_response_type", 400, "response_type must be code."),
    e("invalid_client_metadata", 400, "Requested scope is not in the dynamic registration allowlist."),
    e("internal_error", 500, "Something went wrong on our side. Quote request_id to support."),
    era("slot_lock_timeout", 503, "Could not acquire the slot lock. Retry shortly.", "", (1, 1)),
];

/// Seed 000's `access_denied` is "returned via redirect, not a JSON body":
/// it only ever appears in a 302's `Location`.
pub const FORTYTWO_REDIRECT_CODE: &str = "access_denied";

/// Seed 001: `{"success":false,"errorCode","message","details","requestId"}`.
#[rustfmt::skip]
pub static MEMBER_ERRORS: &[ErrorSpec] = &[
    ed("INVALID_REQUEST", 400, "Validation failed.", r#"{"fields":[{"path":"email","message":"must be a valid email"},{"path":"phone","message":"must include country code"}]}"#),
    e("UNAUTHENTICATED", 401, "Missing or malformed credential."),
    e("TOKEN_EXPIRED", 401, "Access token expired. Refresh and retry."),
    ed("PREMIUM_REQUIRED", 403, "The Member API requires a Premium tier key.", r#"{"tier":"basic"}"#),
    ed("FORBIDDEN", 403, "Credential lacks the required scope.", r#"{"scope":"bookings:write"}"#),
    e("NOT_FOUND", 404, "Session not found."),
    ed("SESSION_FULL", 409, "Booking failed: session is at capacity. Try the waitlist endpoint.", r#"{"capacity":20,"waitlistOpen":true}"#),
    e("ALREADY_BOOKED", 409, "Member already has an active booking for this session."),
    era("RATE_LIMITED", 429, "Rate limit exceeded for {category} endpoints. Retry in {ra} seconds.", r#"{"category":"{category}","retryAfter":{ra}}"#, (10, 60)),
    ed("UPSTREAM_TIMEOUT", 504, "Downstream service did not respond in time.", r#"{"upstream":"sessions-db","timeoutMs":5000}"#),
    // Not in the guide: real APIs return codes their docs never mention.
    e("INTERNAL_ERROR", 500, "Unexpected error."),
    ed("BOOKING_WINDOW_CLOSED", 422, "Bookings for this session closed 2 hours before start.", r#"{"closesMinutesBefore":120}"#),
];

/// Codes a seed API returns that its guide does not list.
pub const UNDOCUMENTED: &[(Service, &str)] = &[
    (Service::Member, "INTERNAL_ERROR"),
    (Service::Member, "BOOKING_WINDOW_CLOSED"),
];

/// Seed 002: `{"error":{"code","message"}}`; `""` is FastAPI's own 500 body.
#[rustfmt::skip]
pub static AVAIL_ERRORS: &[ErrorSpec] = &[
    e("invalid_token", 401, "Could not validate credentials"),
    e("missing_scope", 403, "API key is missing the 'write' scope"),
    e("insufficient_permissions", 403, "Role 'staff_member' cannot perform this action"),
    e("not_found", 404, "Business not found"),
    e("validation_error", 422, "body.start_time: Input should be a valid datetime"),
    era("rate_limit_exceeded", 429, "Rate limit exceeded: 60 requests per minute", "", (5, 60)),
    e("payment_required", 402, "Developer subscription is past due"),
    e("conflict", 409, "Cannot transition booking from completed to cancelled"),
    e("slot_unavailable", 409, "Requested time slot is already booked"),
    e("outside_operating_hours", 422, "Booking time is outside business operating hours"),
    e("idempotency_mismatch", 409, "Idempotency key reused with a different request body"),
    e("", 500, "Internal Server Error"),
];

/// Seed 003: `{"error":"<reason phrase>","message"}`, and the 402 `code/type`.
#[rustfmt::skip]
pub static CALPIPE_ERRORS: &[ErrorSpec] = &[
    ed("Bad Request", 400, "start_at must be before end_at", r#"{"field":"start_at"}"#),
    e("Unauthorized", 401, "Missing, invalid, or revoked API key"),
    e("API_ACCESS_BLOCKED", 402, "Public API is not available on the Free plan. Upgrade to Pro for API access."),
    e("Forbidden", 403, "API key does not have write access to this calendar"),
    e("Not Found", 404, "Calendar not found"),
    e("Conflict", 409, "An event with this external_id already exists"),
    e("Unprocessable Entity", 422, "Calendar connection is paused; reconnect the provider to create events"),
    e("Internal Server Error", 500, "Internal server error"),
    e("Bad Gateway", 502, "Google Calendar returned 503: The service is currently unavailable."),
];

pub fn errors(service: Service) -> &'static [ErrorSpec] {
    match service {
        Service::FortyTwo => FORTYTWO_ERRORS,
        Service::Member => MEMBER_ERRORS,
        Service::Avail => AVAIL_ERRORS,
        Service::CalPipe => CALPIPE_ERRORS,
        Service::Integrations | Service::Admin => &[],
    }
}

pub fn spec(service: Service, code: &str) -> &'static ErrorSpec {
    errors(service)
        .iter()
        .find(|s| s.code == code)
        .unwrap_or_else(|| panic!("{} has no error {code:?}", service.name()))
}

/// The code errtriage should read from this error (DESIGN "code"): the code as
/// written, or `http_<status>` where the body has only a reason phrase.
pub fn expected_code(service: Service, spec: &ErrorSpec) -> &'static str {
    let reason_only = match service {
        Service::CalPipe => spec.code != "API_ACCESS_BLOCKED",
        Service::Avail => spec.code.is_empty(),
        _ => false,
    };
    if reason_only {
        http_code(spec.status)
    } else {
        spec.code
    }
}

/// `http_<status>` as a static string.
pub fn http_code(status: u16) -> &'static str {
    match status {
        400 => "http_400",
        401 => "http_401",
        402 => "http_402",
        403 => "http_403",
        404 => "http_404",
        409 => "http_409",
        422 => "http_422",
        429 => "http_429",
        500 => "http_500",
        502 => "http_502",
        503 => "http_503",
        504 => "http_504",
        _ => panic!("no static http code for {status}"),
    }
}

/// Errors any endpoint of a service can return, with weights.
pub fn generic_errors(service: Service) -> &'static [(&'static str, u32)] {
    match service {
        Service::FortyTwo => &[
            ("invalid_token", 14),
            ("token_expired", 18),
            ("token_revoked", 3),
            ("insufficient_scope", 5),
            ("forbidden", 3),
            ("rate_limited", 14),
            ("internal_error", 3),
        ],
        Service::Member => &[
            ("UNAUTHENTICATED", 8),
            ("TOKEN_EXPIRED", 20),
            ("PREMIUM_REQUIRED", 3),
            ("FORBIDDEN", 4),
            ("RATE_LIMITED", 16),
            ("UPSTREAM_TIMEOUT", 4),
            ("INTERNAL_ERROR", 1),
        ],
        Service::Avail => &[
            ("invalid_token", 16),
            ("missing_scope", 6),
            ("rate_limit_exceeded", 14),
            ("payment_required", 2),
            ("", 1),
        ],
        Service::CalPipe => &[
            ("Unauthorized", 12),
            ("Forbidden", 4),
            ("API_ACCESS_BLOCKED", 3),
            ("Internal Server Error", 2),
        ],
        Service::Integrations | Service::Admin => &[],
    }
}

/// A caller of an API: the account/key it logs as, its user agent, how often
/// it calls, and whether its writes carry an Idempotency-Key.
pub struct Client {
    pub id: &'static str,
    pub agent: &'static str,
    pub weight: u32,
    /// Percent of writes that carry an Idempotency-Key.
    pub key_pct: u32,
    /// Key shape: `None` for UUIDs, else a prefix (`bk-create`).
    pub key_prefix: Option<&'static str>,
}

const fn c(
    id: &'static str,
    agent: &'static str,
    weight: u32,
    key_pct: u32,
    key_prefix: Option<&'static str>,
) -> Client {
    Client {
        id,
        agent,
        weight,
        key_pct,
        key_prefix,
    }
}

#[rustfmt::skip]
pub static FORTYTWO_CLIENTS: &[Client] = &[
    c("acct_brightsmile_dental", "42min-node/3.8.1", 30, 100, None),
    c("acct_northside_physio", "python-requests/2.32.3", 18, 90, None),
    c("oc_zapier", "Zapier", 16, 100, Some("zap")),
    c("oc_hubspot_sync", "HubSpot-Integrations/1.0", 12, 100, None),
    c("acct_salonsuite", "okhttp/4.12.0", 9, 70, Some("salonsuite-bk")),
    c("acct_legalhours", "42min-ruby/2.1.0", 6, 100, None),
    c("acct_tutorly", "axios/1.7.9", 5, 60, None),
    c("acct_bulkimport_ops", "Go-http-client/2.0", 3, 100, Some("import")),
    c("acct_vetcare_clinics", "42min-php/1.4.2", 3, 100, None),
    c("pat_devtest_jmiller", "curl/8.7.1", 1, 20, None),
];

#[rustfmt::skip]
pub static MEMBER_CLIENTS: &[Client] = &[
    c("app_member_ios", "MemberApp/7.3.0 (iPhone; iOS 19.4)", 30, 100, None),
    c("app_member_android", "MemberApp/7.3.0 (Android 16)", 24, 100, None),
    c("partner_fitlink", "fitlink-ios/4.12.0", 14, 100, None),
    c("app_member_web", "Mozilla/5.0 (Macintosh; Intel Mac OS X 15_4) Safari/605.1.15", 14, 90, None),
    c("corp_northwind_wellness", "python-httpx/0.28.1", 6, 100, Some("nw")),
    c("partner_gymflow", "gymflow-sync/2.9 (+https://gymflow.example)", 6, 80, None),
    c("corp_contoso_benefits", "Apache-HttpClient/5.4", 3, 50, None),
    c("partner_classbridge", "node-fetch/3.3.2", 3, 100, Some("cb")),
];

#[rustfmt::skip]
pub static AVAIL_CLIENTS: &[Client] = &[
    c("key_studio_pilates_north", "availengine-js/0.9.4", 24, 100, None),
    c("key_barber_collective", "python-requests/2.32.3", 18, 90, None),
    c("key_courtside_tennis", "availengine-js/0.9.4", 14, 100, None),
    c("key_wellspring_spa", "Dart/3.7 (dart:io)", 10, 80, None),
    c("key_makerspace_coop", "curl/8.7.1", 5, 40, None),
    c("key_citybikes_repair", "okhttp/4.12.0", 5, 100, Some("cbr")),
    c("dash_owner_ofelia", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/136.0", 4, 100, None),
];

#[rustfmt::skip]
pub static CALPIPE_CLIENTS: &[Client] = &[
    c("acct_rotaplan", "rotaplan-worker/5.2.0", 26, 100, None),
    c("acct_clinicdesk", "calendarpipe-python/1.6.0", 18, 80, None),
    c("acct_eventhub", "calendarpipe-node/2.3.1", 14, 100, Some("evh")),
    c("acct_shiftly", "Go-http-client/2.0", 10, 60, None),
    c("acct_freelance_jo", "PostmanRuntime/7.43.0", 3, 10, None),
];

pub fn clients(service: Service) -> &'static [Client] {
    match service {
        Service::FortyTwo => FORTYTWO_CLIENTS,
        Service::Member => MEMBER_CLIENTS,
        Service::Avail => AVAIL_CLIENTS,
        Service::CalPipe => CALPIPE_CLIENTS,
        Service::Integrations | Service::Admin => &[],
    }
}

pub fn client(service: Service, id: &str) -> &'static Client {
    clients(service)
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{} has no client {id}", service.name()))
}
