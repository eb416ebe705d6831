//! fixtures: a small synthetic incident (bookings retried into 409s, an
//! upstream timing out, a rate-limited client that recovered) and a fake
//! worker answering jobs from it, so `update` and the views are tested
//! without an index. Also one event whose every field carries escapes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use errtriage::catalog::{Reading, Retryable};
use errtriage::model::{Chain, Class, Event, Flag, Outcome, Rule, Source};
use errtriage::query::{Group, GroupBy, Histogram, SearchResult, Stats};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::action::{Action, Data, Detail, Effect, Job, JobError, JobKind, Loaded};
use super::state::State;
use super::update::update;

pub fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("fixture time")
        .with_timezone(&Utc)
}

struct Spec {
    t: &'static str,
    rid: &'static str,
    method: &'static str,
    path: &'static str,
    status: u16,
    code: Option<&'static str>,
    service: &'static str,
    key: Option<&'static str>,
}

#[expect(clippy::too_many_arguments, reason = "one row of the fixture table")]
const fn spec(
    t: &'static str,
    rid: &'static str,
    method: &'static str,
    path: &'static str,
    status: u16,
    code: Option<&'static str>,
    service: &'static str,
    key: Option<&'static str>,
) -> Spec {
    Spec {
        t,
        rid,
        method,
        path,
        status,
        code,
        service,
        key,
    }
}

const CORPUS: [Spec; 10] = [
    spec(
        "10:00:00.000",
        "req_a1",
        "POST",
        "/v1/bookings",
        409,
        Some("slot_unavailable"),
        "42min-api",
        Some("idem_1"),
    ),
    spec(
        "10:00:00.300",
        "req_a2",
        "POST",
        "/v1/bookings",
        409,
        Some("slot_unavailable"),
        "42min-api",
        Some("idem_1"),
    ),
    spec(
        "10:00:00.600",
        "req_a3",
        "POST",
        "/v1/bookings",
        409,
        Some("slot_unavailable"),
        "42min-api",
        Some("idem_1"),
    ),
    spec(
        "10:01:00.000",
        "req_b1",
        "GET",
        "/v1/slots",
        500,
        Some("http_500"),
        "avail-engine",
        None,
    ),
    spec(
        "10:02:00.000",
        "req_b2",
        "GET",
        "/v1/slots",
        502,
        Some("UPSTREAM_TIMEOUT"),
        "avail-engine",
        None,
    ),
    spec(
        "10:03:00.000",
        "req_c1",
        "POST",
        "/members",
        429,
        Some("RATE_LIMITED"),
        "member-api",
        Some("idem_2"),
    ),
    spec(
        "10:03:03.000",
        "req_c2",
        "POST",
        "/members",
        201,
        None,
        "member-api",
        Some("idem_2"),
    ),
    spec(
        "10:04:00.000",
        "req_d1",
        "GET",
        "/v1/bookings/42",
        200,
        None,
        "42min-api",
        None,
    ),
    spec(
        "10:05:00.000",
        "req_e1",
        "POST",
        "/calendar/events",
        400,
        Some("http_400"),
        "calendarpipe",
        None,
    ),
    spec(
        "10:06:00.000",
        "req_2N7s8x9KqR",
        "POST",
        "/v1/bookings",
        409,
        Some("SESSION_FULL"),
        "42min-api",
        Some("idem_3"),
    ),
];

fn make(i: usize, s: &Spec) -> Event {
    let ts = at(&format!("2026-05-14T{}Z", s.t));
    let source = Source {
        file: "logs/api.log".into(),
        line: i as u64 + 1,
        offset: i as u64 * 200,
    };
    let mut raw = serde_json::json!({
        "ts": format!("2026-05-14T{}Z", s.t), "method": s.method, "path": s.path, "status": s.status,
        "service": s.service, "request_id": s.rid,
    });
    if let Some(code) = s.code {
        raw["error"] = serde_json::json!({ "code": code, "message": format!("{code} happened") });
    }
    let mut e = Event::new(ts, source, raw.to_string());
    e.request_id = s.rid.into();
    e.method = Some(s.method.into());
    e.path = Some(s.path.into());
    e.route = Some(errtriage::normalize::route::template(s.path));
    e.status = Some(s.status);
    e.code = s.code.map(Into::into);
    e.class = Class::from_status(s.status);
    e.message = s.code.map(|c| format!("{c} happened"));
    e.service = Some(s.service.into());
    e.idempotency_key = s.key.map(Into::into);
    e.latency_ms = Some(120.0);
    if s.status == 429 {
        e.retry_after_s = Some(2.0);
    }
    e
}

/// The corpus, oldest first.
pub fn events() -> Vec<Event> {
    CORPUS.iter().enumerate().map(|(i, s)| make(i, s)).collect()
}

/// One event whose every text field tries to drive the terminal.
pub fn evil_event() -> Event {
    let mut e = make(
        10,
        &spec(
            "10:07:00.000",
            "x",
            "POST",
            "/x",
            500,
            Some("x"),
            "x",
            Some("x"),
        ),
    );
    e.request_id = "req_\x1b[31mred".into();
    e.code = Some("\x1b[31mEVIL\x1b[0m".into());
    e.message = Some("\x1b]52;c;ZXZpbA==\x07pwned".into());
    e.path = Some("/v1/\x1b[2Jclear".into());
    e.route = e.path.clone();
    e.service = Some("svc\x07\u{202e}".into());
    e.idempotency_key = Some("idem_\x1b]0;title\x07".into());
    e.raw = serde_json::json!({"request_id": e.request_id, "error": {"code": e.code, "message": e.message}}).to_string();
    e
}

/// Chains by key over `events`, flagged first, with the flags a judge would raise.
pub fn chains_of(events: &[Event]) -> Vec<Chain> {
    let mut by_key: BTreeMap<String, Vec<Event>> = BTreeMap::new();
    for e in events {
        if let Some(k) = &e.idempotency_key {
            by_key.entry(k.clone()).or_default().push(e.clone());
        }
    }
    let mut chains: Vec<Chain> = by_key
        .into_iter()
        .map(|(key, attempts)| {
            let ok = attempts.iter().any(|a| a.is_success());
            let outcome = match (ok, attempts[0].is_success()) {
                (true, true) => Outcome::Succeeded,
                (true, false) => Outcome::Recovered,
                _ => Outcome::Failed,
            };
            let flags = if attempts.len() >= 3 {
                vec![
                    Flag {
                        rule: Rule::RetriedNonRetryable,
                        attempt: 2,
                        detail: "409 must be fixed, not retried".into(),
                    },
                    Flag {
                        rule: Rule::NoBackoff,
                        attempt: 3,
                        detail: "gaps of 0.2 s, 0.2 s".into(),
                    },
                ]
            } else {
                Vec::new()
            };
            Chain {
                idempotency_key: key,
                service: attempts[0].service.clone(),
                client: None,
                outcome,
                attempts,
                flags,
            }
        })
        .collect();
    chains.sort_by_key(|c| c.flags.is_empty());
    chains
}

pub fn reading(e: &Event) -> Option<Reading> {
    e.is_failure().then(|| Reading {
        api: Some("42min".into()),
        code: e.code.clone().unwrap_or_default(),
        known: true,
        status: e.status,
        class: e.class.unwrap_or(Class::Other),
        retryable: if e.status == Some(429) {
            Retryable::AfterRetryAfter
        } else {
            Retryable::No
        },
        meaning: "the request cannot succeed as sent".into(),
        hint: "fix the request before sending it again".into(),
        key_mismatch: false,
    })
}

/// A fake worker over `corpus`: answers one job the way the real one would.
pub fn answer_job(corpus: &[Event], job: &Job) -> Loaded {
    let result = match &job.kind {
        JobKind::Stats => Ok(Data::Stats(Stats {
            events: corpus.len() as u64,
            files: 1,
            bytes: 2_000,
            first_ts: corpus
                .first()
                .map(|e| errtriage::model::ts_millis::format(&e.ts)),
            last_ts: corpus
                .last()
                .map(|e| errtriage::model::ts_millis::format(&e.ts)),
            index_bytes: 10_000,
            store: None,
        })),
        JobKind::Detail { event, .. } => Ok(Data::Detail(Box::new(Detail {
            original: None,
            event: (**event).clone(),
            reading: reading(event),
            chains: chains_of(corpus)
                .into_iter()
                .filter(|c| c.attempts.iter().any(|a| a.source == event.source))
                .collect(),
        }))),
        JobKind::Incident { .. } => Err(JobError::Index(
            "impact, timeline and around need the real index (headless tests)".into(),
        )),
        JobKind::EventsAt { .. } | JobKind::EventsBeside { .. } => Err(JobError::Index(
            "go to time needs the real index (headless tests)".into(),
        )),
        JobKind::Complete { field, prefix } => {
            let values: std::collections::BTreeSet<String> = corpus
                .iter()
                .filter_map(|e| field_value(e, field))
                .filter(|v| v.starts_with(prefix.as_str()))
                .collect();
            Ok(Data::Completions {
                field: field.clone(),
                prefix: prefix.clone(),
                values: values.into_iter().collect(),
            })
        }
        JobKind::Card { id } => Ok(Data::Card {
            id: id.clone(),
            text: format!("## errtriage case: `{id}`\n\n- **Key:** \x1b]52;c;evil\x07\n"),
        }),
        kind => matching(corpus, &job.query).map(|m| query_data(&m, kind)),
    };
    Loaded {
        generation: job.generation,
        slot: job.kind.slot(),
        result,
    }
}

fn query_data(m: &[Event], kind: &JobKind) -> Data {
    match *kind {
        JobKind::Events { offset, limit } => {
            let mut newest: Vec<Event> = m.to_vec();
            newest.reverse();
            let events = newest.into_iter().skip(offset).take(limit).collect();
            Data::Events {
                offset,
                result: SearchResult {
                    query: String::new(),
                    total: m.len() as u64,
                    events,
                },
            }
        }
        JobKind::Histogram { buckets } => Data::Histogram(Histogram {
            start: at("2026-05-14T10:00:00Z"),
            end: at("2026-05-14T10:07:00Z"),
            counts: (0..buckets)
                .map(|i| (i % 7) as u64 * m.len() as u64 % 9)
                .collect(),
        }),
        JobKind::Groups { by, then } => Data::Groups {
            by,
            then,
            rows: groups_of(m, by),
            low_by: None,
        },
        JobKind::Chains { flagged_only } => {
            let mut chains = chains_of(m);
            chains.retain(|c| !flagged_only || !c.flags.is_empty());
            Data::Chains(chains)
        }
        JobKind::Stats
        | JobKind::Detail { .. }
        | JobKind::Complete { .. }
        | JobKind::Incident { .. }
        | JobKind::EventsAt { .. }
        | JobKind::EventsBeside { .. }
        | JobKind::Card { .. }
        | JobKind::SaveCard { .. } => unreachable!(),
    }
}

/// The events a (tiny subset of the) query language matches: `field:value`
/// and bare ids, ANDed, each maybe after `NOT`; a field named `bad…` is a
/// parse error.
fn matching(corpus: &[Event], query: &str) -> Result<Vec<Event>, JobError> {
    let mut terms = Vec::new();
    let mut negate = false;
    for token in query
        .split_whitespace()
        .map(|t| t.trim_matches(|c| c == '(' || c == ')'))
    {
        if token.is_empty() || token == "AND" {
            continue;
        }
        if token == "NOT" {
            negate = true;
            continue;
        }
        if token.starts_with("bad") {
            return Err(JobError::Query(format!(
                "unknown field `{}`",
                token.split(':').next().unwrap_or(token)
            )));
        }
        let (field, value) = token.split_once(':').map_or(("", token), |(f, v)| (f, v));
        terms.push((
            std::mem::take(&mut negate),
            field.to_string(),
            value.trim_matches('"').replace("\\\"", "\""),
        ));
    }
    Ok(corpus
        .iter()
        .filter(|e| terms.iter().all(|(not, f, v)| field_is(e, f, v) != *not))
        .cloned()
        .collect())
}

/// One field of an event as the fake index holds it.
fn field_value(e: &Event, field: &str) -> Option<String> {
    match field {
        "status" => e.status.map(|s| s.to_string()),
        "code" => e.code.clone(),
        "service" => e.service.clone(),
        "path" => e.path.clone(),
        "client" => e.client.clone(),
        "idempotency_key" => e.idempotency_key.clone(),
        _ => None,
    }
}

fn field_is(e: &Event, field: &str, value: &str) -> bool {
    let eq = |o: &Option<String>| o.as_deref() == Some(value);
    match field {
        "" => e.request_id == value || eq(&e.idempotency_key) || eq(&e.code),
        "status" => e.status.map(|s| s.to_string()).as_deref() == Some(value),
        "class" => e.class.map(|c| c.as_str()) == Some(value),
        "code" => eq(&e.code),
        "service" => eq(&e.service),
        "path" => eq(&e.path),
        "route" => eq(&e.route),
        "client" => eq(&e.client),
        "idempotency_key" => eq(&e.idempotency_key),
        "request_id" => e.request_id == value,
        _ => false,
    }
}

fn group_key(e: &Event, by: GroupBy) -> Option<String> {
    match by {
        GroupBy::Code => e.code.clone(),
        GroupBy::Class => e.class.map(|c| c.as_str().to_string()),
        GroupBy::Status => e.status.map(|s| s.to_string()),
        GroupBy::Service => e.service.clone(),
        GroupBy::Route => e.route.clone(),
        GroupBy::Path => e.path.clone(),
        GroupBy::Client => e.client.clone(),
        GroupBy::Format => e.format.clone(),
    }
}

fn groups_of(m: &[Event], by: GroupBy) -> Vec<Group> {
    let mut by_key: BTreeMap<String, Vec<&Event>> = BTreeMap::new();
    for e in m {
        if let Some(k) = group_key(e, by) {
            by_key.entry(k).or_default().push(e);
        }
    }
    let mut rows: Vec<Group> = by_key
        .into_iter()
        .map(|(key, evs)| {
            let mut statuses = BTreeMap::new();
            let mut timeline = vec![0; 24];
            for e in &evs {
                *statuses
                    .entry(e.status.map_or("none".into(), |s| s.to_string()))
                    .or_insert(0) += 1;
                timeline[((e.ts - at("2026-05-14T10:00:00Z")).num_seconds() / 20).clamp(0, 23)
                    as usize] += 1;
            }
            let class = match by {
                GroupBy::Code | GroupBy::Status => evs[0].class.map(|c| c.as_str().to_string()),
                _ => None,
            };
            Group {
                key,
                count: evs.len() as u64,
                first_seen: evs[0].ts,
                last_seen: evs[evs.len() - 1].ts,
                statuses,
                sample_request_id: evs[0].request_id.clone(),
                class,
                timeline,
                ..Group::default()
            }
        })
        .collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    rows
}

/// Apply `action`, then let the fake worker answer every job it causes
/// (and the jobs those answers cause). Returns the first effect.
pub fn step(s: &mut State, corpus: &[Event], action: Action) -> Option<Effect> {
    let effect = update(s, action);
    settle(s, corpus, effect.clone());
    effect
}

/// Answer the jobs of `effect` (and of the answers), like an idle worker.
pub fn settle(s: &mut State, corpus: &[Event], effect: Option<Effect>) {
    let Some(Effect::Fetch(jobs)) = effect else {
        return;
    };
    for job in jobs {
        let next = update(s, Action::Loaded(Box::new(answer_job(corpus, &job))));
        settle(s, corpus, next);
    }
}

/// A session over `corpus` at `w`×`h` with everything loaded.
pub fn session(corpus: &[Event], w: u16, h: u16) -> State {
    let mut s = State::new("", false, "/home/support/.local/share/errtriage/index");
    step(&mut s, corpus, Action::Resize(w, h));
    step(&mut s, corpus, Action::Start);
    s
}

/// The screen as text, drawn on a `TestBackend`.
pub fn draw(s: &mut State) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(s.size.0, s.size.1)).expect("test terminal");
    terminal.draw(|f| super::view::draw(f, s)).expect("draw");
    terminal
}

/// Every cell's text, row by row.
pub fn screen_text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}
