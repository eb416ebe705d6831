//! context: what happened around an event, like `grep -C` across files —
//! every line within ±N minutes on the same service or the same trace,
//! application lines without a status included, oldest first, with the
//! found events marked. Used by `find ID --context 2m`.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tantivy::DocAddress;
use tantivy::collector::TopDocs;
use tantivy::query::Query as TQuery;

use super::window::{and, or};
use crate::error::Result;
use crate::index::LocalStore;
use crate::model::Event;

/// At most this many lines of context.
pub const MAX_LINES: usize = 5_000;

/// One line around the found event(s).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextLine {
    #[serde(flatten)]
    pub event: Event,
    /// True for the found event itself.
    pub marker: bool,
}

impl LocalStore {
    /// Every event within `span` either side of `found` (from their first
    /// to their last) that shares a service or a trace with one of them.
    pub fn context(&self, found: &[Event], span: Duration) -> Result<Vec<ContextLine>> {
        let Some(around) = Around::of(found, span) else {
            return Ok(Vec::new());
        };
        let f = &self.fields;
        let same: Vec<Box<dyn TQuery>> = (around.services.iter().map(|s| self.term(f.service, s)))
            .chain(around.traces.iter().map(|t| self.term(f.trace_id, t)))
            .collect();
        if same.is_empty() {
            return Ok(only_found(found));
        }
        let q = and(vec![
            Box::new(or(same)),
            self.ts_range(around.from, around.to),
        ]);
        let searcher = self.searcher();
        let top = TopDocs::with_limit(MAX_LINES)
            .order_by_fast_field::<tantivy::DateTime>("ts", tantivy::Order::Asc);
        let addrs: Vec<DocAddress> = self
            .search_parallel(&searcher, &q, &top)?
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        Ok(lines(found, self.events_at(&searcher, &addrs)?))
    }
}

/// What the lines around some events are: the services and traces they
/// share with them, within `from <= ts < to`.
pub(crate) struct Around {
    pub services: Vec<String>,
    pub traces: Vec<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Around {
    /// `span` either side of `found` (from their first to their last, that
    /// one included); `None` when nothing was found.
    pub(crate) fn of(found: &[Event], span: Duration) -> Option<Around> {
        let first = found.iter().map(|e| e.ts).min()?;
        let last = found.iter().map(|e| e.ts).max()?;
        let mut around = Around {
            services: Vec::new(),
            traces: Vec::new(),
            from: first - span,
            to: last + span + Duration::milliseconds(1),
        };
        for e in found {
            for (list, value) in [
                (&mut around.services, &e.service),
                (&mut around.traces, &e.trace_id),
            ] {
                if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                    if !list.iter().any(|s| s == v) {
                        list.push(v.to_string());
                    }
                }
            }
        }
        Some(around)
    }
}

/// The found events alone, marked: the context of events with neither a
/// service nor a trace.
pub(crate) fn only_found(found: &[Event]) -> Vec<ContextLine> {
    found
        .iter()
        .map(|e| ContextLine {
            event: e.clone(),
            marker: true,
        })
        .collect()
}

/// `events` as context lines, oldest first, the found ones marked.
pub(crate) fn lines(found: &[Event], events: Vec<Event>) -> Vec<ContextLine> {
    let mut lines: Vec<ContextLine> = events
        .into_iter()
        .map(|event| ContextLine {
            marker: found.iter().any(|f| f.source == event.source),
            event,
        })
        .collect();
    lines.sort_by(|a, b| {
        let key = |l: &ContextLine| (l.event.ts, l.event.source.file.clone(), l.event.source.line);
        key(a).cmp(&key(b))
    });
    lines
}
