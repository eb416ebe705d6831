//! chains: group events by idempotency key (per service/client), order them,
//! and judge each chain against its API's retry policy (DESIGN "Retry chains").
//! Pure: the index hands in events, this hands back Chains.
//!
//! - `rules` — the eight findings, one small pure function each
//! - `story` — what a front end shows: per-attempt timeline, verdict, wording

mod rules;
mod story;

use std::cmp::Reverse;
use std::collections::BTreeMap;

use crate::catalog::Catalogs;
use crate::model::{Chain, Event, Outcome};

pub use rules::{KEY_MISMATCH_CODES, RETRY_AFTER_TOLERANCE_S, judge};
pub use story::{Step, rule_words, timeline, verdict};

/// Build every chain the events form (events without a key are ignored),
/// flagged chains first, then newest first.
pub fn build_chains(events: Vec<Event>, catalogs: &Catalogs) -> Vec<Chain> {
    type GroupKey = (String, Option<String>, Option<String>);
    let mut groups: BTreeMap<GroupKey, Vec<Event>> = BTreeMap::new();
    for e in events {
        let Some(key) = e.idempotency_key.clone().filter(|k| !k.is_empty()) else {
            continue;
        };
        let group = (key, e.service.clone(), e.client.clone());
        groups.entry(group).or_default().push(e);
    }
    let mut chains: Vec<Chain> = groups
        .into_iter()
        .filter_map(|((key, service, client), events)| {
            chain_of(key, service, client, events, catalogs)
        })
        .collect();
    chains.sort_by_key(|c| {
        let first = c.attempts.first().map(|e| e.ts);
        (
            c.flags.is_empty(),
            Reverse(first),
            c.idempotency_key.clone(),
        )
    });
    chains
}

/// One chain from the events sharing a key: ordered, one attempt per request,
/// outcome and flags filled. `None` when no event is a request (only context
/// lines without status or code).
pub fn chain_of(
    idempotency_key: String,
    service: Option<String>,
    client: Option<String>,
    events: Vec<Event>,
    catalogs: &Catalogs,
) -> Option<Chain> {
    let attempts = attempts(events);
    if attempts.is_empty() {
        return None;
    }
    let flags = judge(&attempts, catalogs);
    Some(Chain {
        idempotency_key,
        service,
        client,
        outcome: outcome(&attempts),
        attempts,
        flags,
    })
}

/// `succeeded`: no failure before the first 2xx; `recovered`: failures, then
/// a 2xx; `failed`: no 2xx.
pub fn outcome(attempts: &[Event]) -> Outcome {
    match attempts.iter().position(Event::is_success) {
        None => Outcome::Failed,
        Some(first_ok) if attempts[..first_ok].iter().any(Event::is_failure) => Outcome::Recovered,
        Some(_) => Outcome::Succeeded,
    }
}

/// The requests among `events`, in time order: context lines (no status, no
/// code) are dropped, and lines naming the same request id (a gateway's access
/// line and the service's error line) become one attempt.
pub fn attempts(mut events: Vec<Event>) -> Vec<Event> {
    events.retain(|e| e.status.is_some() || e.code.is_some());
    events.sort_by(|a, b| {
        (a.ts, &a.source.file, a.source.line, a.source.offset).cmp(&(
            b.ts,
            &b.source.file,
            b.source.line,
            b.source.offset,
        ))
    });
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut index_of: BTreeMap<String, usize> = BTreeMap::new();
    for e in events {
        if e.request_id.is_empty() {
            out.push(e);
            continue;
        }
        match index_of.get(&e.request_id) {
            Some(&i) => out[i] = merge(out[i].clone(), e),
            None => {
                index_of.insert(e.request_id.clone(), out.len());
                out.push(e);
            }
        }
    }
    out
}

/// Two lines about one request: keep the more telling one (status, code,
/// latency) and fill its gaps from the other; the start is the earlier time.
fn merge(a: Event, b: Event) -> Event {
    let score = |e: &Event| {
        u8::from(e.status.is_some()) * 4
            + u8::from(e.code.is_some()) * 2
            + u8::from(e.latency_ms.is_some())
    };
    let ts = a.ts.min(b.ts);
    let (mut keep, other) = if score(&b) > score(&a) {
        (b, a)
    } else {
        (a, b)
    };
    keep.ts = ts;
    fill(&mut keep.status, other.status);
    fill(&mut keep.code, other.code);
    fill(&mut keep.class, other.class);
    fill(&mut keep.message, other.message);
    fill(&mut keep.details, other.details);
    fill(&mut keep.method, other.method);
    fill(&mut keep.path, other.path);
    fill(&mut keep.retry_after_s, other.retry_after_s);
    fill(&mut keep.latency_ms, other.latency_ms);
    fill(&mut keep.api, other.api);
    fill(&mut keep.trace_id, other.trace_id);
    keep
}

fn fill<T>(to: &mut Option<T>, from: Option<T>) {
    if to.is_none() {
        *to = from;
    }
}
