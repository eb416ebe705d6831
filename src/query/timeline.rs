//! timeline: every request of one client around a moment, successes
//! included, oldest first, with the retry chains their idempotency keys
//! belong to (so a flagged chain shows on each of its attempts) and the
//! client's error rate over the window. An id resolves to its event's
//! client and time, and that request is the selected one.
//!
//! A busy client has tens of thousands of requests in an hour at 10M
//! events: the window is counted whole (from fast fields, never loading a
//! document) and only the [`PAGE`] events nearest the moment are loaded
//! and returned, `total` saying how many the window holds.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::{DocAddress, Searcher};

use super::chains::build_chains;
use super::nearest::Nearest;
use super::window::{Kind, Tally};
use crate::error::Result;
use crate::index::LocalStore;
use crate::model::{Event, Outcome, Rule, ts_millis};

/// At most this many events of the window are loaded and returned: those
/// nearest the moment, half before it and half from it on (the rest from
/// the other side when one side has fewer).
pub const PAGE: usize = 200;

/// A retry chain seen in the timeline, in brief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainMark {
    pub idempotency_key: String,
    pub outcome: Outcome,
    pub attempts: usize,
    /// The rules the chain broke (empty: not flagged).
    pub flags: Vec<Rule>,
}

/// `errtriage timeline --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineResult {
    pub client: String,
    #[serde(with = "ts_millis")]
    pub from: DateTime<Utc>,
    #[serde(with = "ts_millis")]
    pub to: DateTime<Utc>,
    /// Oldest first: every event of the window, or the [`PAGE`] nearest
    /// the moment when it holds more (`truncated`).
    pub events: Vec<Event>,
    /// Failed requests / requests in the whole window.
    pub error_rate: f64,
    /// Every event of the client in the window (requests and application
    /// lines), loaded or not.
    #[serde(default)]
    pub total: u64,
    /// Requests in the window (events with a status or a code)…
    #[serde(default)]
    pub requests: u64,
    /// …and how many of them failed (a status from 400, or a code).
    #[serde(default)]
    pub errors: u64,
    /// The request the id named, when the timeline was asked by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected: Option<String>,
    /// The chains of the events' idempotency keys.
    #[serde(default)]
    pub chains: Vec<ChainMark>,
    /// The window holds more than the [`PAGE`] events returned.
    #[serde(default)]
    pub truncated: bool,
}

/// Why a timeline could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoTimeline {
    /// Nothing in the index has this id or client.
    Unknown,
    /// The id's event names no client.
    NoClient(String),
}

/// Whose timeline, around when, and the request it was asked by (if any).
pub(crate) type Subject = (String, DateTime<Utc>, Option<String>);

/// Whose timeline and around when, from what `find` found for `target`:
/// the first event's client and time (the request it names is the
/// selected one), else `target` as a client name around its newest event
/// (`newest` asks the store). `around`, when given, is the moment. Both
/// stores resolve a target with this.
pub(crate) fn subject(
    found: &[Event],
    target: &str,
    around: Option<DateTime<Utc>>,
    newest: impl FnOnce(&str) -> Result<Option<DateTime<Utc>>>,
) -> Result<Result<Subject, NoTimeline>> {
    Ok(match found.first() {
        Some(e) => match e.client.clone() {
            Some(client) => Ok((client, around.unwrap_or(e.ts), Some(e.request_id.clone()))),
            None => Err(NoTimeline::NoClient(e.request_id.clone())),
        },
        None => match newest(target)? {
            Some(newest) => Ok((target.to_string(), around.unwrap_or(newest), None)),
            None => Err(NoTimeline::Unknown),
        },
    })
}

impl LocalStore {
    /// The timeline of `target` (a client, or an id whose event names one)
    /// over `window` either side of `around` (default: the id's event, else
    /// the client's newest event).
    pub fn timeline(
        &self,
        target: &str,
        around: Option<DateTime<Utc>>,
        window: Duration,
    ) -> Result<Result<TimelineResult, NoTimeline>> {
        let target = target.trim();
        let found = self.find(target)?;
        let newest = |client: &str| self.newest_of_client(client);
        let (client, at, selected) = match subject(&found.events, target, around, newest)? {
            Ok(subject) => subject,
            Err(none) => return Ok(Err(none)),
        };
        let (from, to) = (at - window, at + window);
        let searcher = self.searcher();
        let nearest = Nearest {
            from: from.timestamp_millis(),
            at: at.timestamp_millis(),
            to: to.timestamp_millis(),
            page: PAGE,
        };
        let client_q = self.term(self.fields.client, &client);
        let found = self.search_parallel(&searcher, &*client_q, &nearest)?;
        let addrs: Vec<DocAddress> = nearest_page(found.before, found.after)
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        let events = self.events_at_parallel(&searcher, &addrs)?;
        let related = self.chain_events(&searcher, &addrs, &events)?;
        let window = Window {
            client,
            from,
            to,
            selected,
            counts: found.counts,
        };
        Ok(Ok(window.finish(events, related, &self.catalogs)))
    }

    /// Every event sharing an idempotency key with `events` (loaded from
    /// `addrs`): the chains' attempts, the ones already loaded reused.
    fn chain_events(
        &self,
        searcher: &Searcher,
        addrs: &[DocAddress],
        events: &[Event],
    ) -> Result<Vec<Event>> {
        let keys = keys_of(events);
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let cap = super::find::MAX_EVENTS;
        let (mut wanted, _) =
            self.addrs_matching(searcher, self.fields.idempotency_key, &keys, cap)?;
        wanted.sort();
        let loaded: HashMap<DocAddress, &Event> = addrs.iter().copied().zip(events).collect();
        let missing: Vec<DocAddress> = (wanted.iter())
            .filter(|a| !loaded.contains_key(a))
            .copied()
            .collect();
        let mut related = self.events_at_parallel(searcher, &missing)?;
        related.extend(
            wanted
                .iter()
                .filter_map(|a| loaded.get(a).map(|e| (*e).clone())),
        );
        Ok(related)
    }

    /// The time of a client's newest event.
    fn newest_of_client(&self, client: &str) -> Result<Option<DateTime<Utc>>> {
        let top = TopDocs::with_limit(1)
            .order_by_fast_field::<tantivy::DateTime>("ts", tantivy::Order::Desc);
        let q = self.term(self.fields.client, client);
        let hits = self.search_parallel(&self.searcher(), &*q, &top)?;
        Ok(hits
            .first()
            .and_then(|(t, _)| t.as_ref())
            .and_then(|t| DateTime::from_timestamp_millis(t.into_timestamp_millis())))
    }
}

/// Whose timeline, over which window: what a store resolved before it
/// loaded the events, and the window's counts.
pub(crate) struct Window {
    pub client: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub selected: Option<String>,
    pub counts: Counts,
}

/// A window's events counted as `impact`'s tally counts them: every event,
/// the requests among them (a status or a code) and their failures (a
/// status from 400, or a code).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub events: u64,
    pub requests: u64,
    pub errors: u64,
}

impl Counts {
    /// Count one event by its status and whether it has a code.
    pub(crate) fn count(&mut self, status: Option<u64>, has_code: bool) {
        self.events += 1;
        let failed = has_code || status.is_some_and(|s| s >= 400);
        self.requests += u64::from(failed || status.is_some());
        self.errors += u64::from(failed);
    }

    pub(crate) fn add(&mut self, other: &Counts) {
        self.events += other.events;
        self.requests += other.requests;
        self.errors += other.errors;
    }

    /// The counts of a whole tally (a store that tallies by cell).
    pub(crate) fn of_tally(t: &Tally) -> Counts {
        let mut c = Counts::default();
        for (cell, (n, _)) in t {
            c.events += n;
            c.requests += if cell.kind == Kind::Context { 0 } else { *n };
            c.errors += if cell.kind == Kind::Failed { *n } else { 0 };
        }
        c
    }
}

/// The at most [`PAGE`] events nearest a moment, oldest first, from those
/// before it (newest first) and those from it on (oldest first): half on
/// each side, the rest from the other side when one side has fewer.
pub(crate) fn nearest_page<T>(mut before: Vec<T>, after: Vec<T>) -> Vec<T> {
    before.reverse();
    let start = (before.len().saturating_sub(PAGE / 2))
        .min((before.len() + after.len()).saturating_sub(PAGE));
    before.extend(after);
    before.into_iter().skip(start).take(PAGE).collect()
}

/// The distinct idempotency keys of `events`, sorted.
pub(crate) fn keys_of(events: &[Event]) -> Vec<String> {
    let mut keys: Vec<String> = events
        .iter()
        .filter_map(|e| e.idempotency_key.clone())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

impl Window {
    /// The timeline of `events` (the window's, in any order), its chains
    /// judged whole from `related` (every request of the events' keys,
    /// attempts outside the window included).
    pub(crate) fn finish(
        self,
        mut events: Vec<Event>,
        related: Vec<Event>,
        catalogs: &crate::catalog::Catalogs,
    ) -> TimelineResult {
        events.sort_by(|a, b| {
            (a.ts, &a.source.file, a.source.line).cmp(&(b.ts, &b.source.file, b.source.line))
        });
        let c = self.counts;
        let chains = build_chains(related, catalogs)
            .into_iter()
            .map(|c| ChainMark {
                idempotency_key: c.idempotency_key,
                outcome: c.outcome,
                attempts: c.attempts.len(),
                flags: c.flags.iter().map(|f| f.rule).collect(),
            })
            .collect();
        TimelineResult {
            client: self.client,
            from: self.from,
            to: self.to,
            truncated: c.events > events.len() as u64,
            events,
            error_rate: c.errors as f64 / c.requests.max(1) as f64,
            total: c.events,
            requests: c.requests,
            errors: c.errors,
            selected: self.selected,
            chains,
        }
    }
}
