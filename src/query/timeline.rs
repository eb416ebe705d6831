//! timeline: every request of one client around a moment, successes
//! included, oldest first, with the retry chains their idempotency keys
//! belong to (so a flagged chain shows on each of its attempts) and the
//! client's error rate over the window. An id resolves to its event's
//! client and time, and that request is the selected one.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tantivy::DocAddress;
use tantivy::collector::TopDocs;

use super::chains::build_chains;
use super::window::and;
use crate::error::Result;
use crate::index::LocalStore;
use crate::model::{Event, Outcome, Rule, ts_millis};

/// At most this many events are loaded for one timeline.
pub const MAX_EVENTS: usize = 5_000;

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
    /// Oldest first.
    pub events: Vec<Event>,
    /// Failed requests / requests in the window.
    pub error_rate: f64,
    /// The request the id named, when the timeline was asked by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected: Option<String>,
    /// The chains of the events' idempotency keys.
    #[serde(default)]
    pub chains: Vec<ChainMark>,
    /// More events matched than were loaded ([`MAX_EVENTS`]).
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
        let (client, at, selected) = match found.events.first() {
            Some(e) => {
                let Some(client) = e.client.clone() else {
                    return Ok(Err(NoTimeline::NoClient(e.request_id.clone())));
                };
                (client, around.unwrap_or(e.ts), Some(e.request_id.clone()))
            }
            None => {
                let Some(newest) = self.newest_of_client(target)? else {
                    return Ok(Err(NoTimeline::Unknown));
                };
                (target.to_string(), around.unwrap_or(newest), None)
            }
        };
        let (from, to) = (at - window, at + window);
        let q = and(vec![
            self.term(self.fields.client, &client),
            self.ts_range(from, to),
        ]);
        let searcher = self.searcher();
        let top = TopDocs::with_limit(MAX_EVENTS + 1)
            .order_by_fast_field::<tantivy::DateTime>("ts", tantivy::Order::Asc);
        let mut addrs: Vec<DocAddress> = self
            .search_parallel(&searcher, &q, &top)?
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        let truncated = addrs.len() > MAX_EVENTS;
        addrs.truncate(MAX_EVENTS);
        let events = self.events_at(&searcher, &addrs)?;
        let keys = keys_of(&events);
        let related = if keys.is_empty() {
            Vec::new()
        } else {
            self.events_with(self.fields.idempotency_key, &keys)?
        };
        let window = Window {
            client,
            from,
            to,
            selected,
            truncated,
        };
        Ok(Ok(window.finish(events, related, &self.catalogs)))
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
/// loaded the events.
pub(crate) struct Window {
    pub client: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub selected: Option<String>,
    pub truncated: bool,
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
        let requests = events
            .iter()
            .filter(|e| e.status.is_some() || e.code.is_some());
        let (n, failed) =
            requests.fold((0u64, 0u64), |(n, f), e| (n + 1, f + e.is_failure() as u64));
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
            events,
            error_rate: failed as f64 / n.max(1) as f64,
            selected: self.selected,
            chains,
            truncated: self.truncated,
        }
    }
}
