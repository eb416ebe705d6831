//! context: what happened around an event, like `grep -C` across files —
//! every line within ±N minutes on the same service or the same trace,
//! application lines without a status included, oldest first, with the
//! found events marked. Used by `find ID --context 2m`.

use chrono::Duration;
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
        let (Some(first), Some(last)) = (
            found.iter().map(|e| e.ts).min(),
            found.iter().map(|e| e.ts).max(),
        ) else {
            return Ok(Vec::new());
        };
        let f = &self.fields;
        let mut same: Vec<Box<dyn TQuery>> = Vec::new();
        let mut seen = Vec::new();
        for e in found {
            for (field, value) in [(f.service, &e.service), (f.trace_id, &e.trace_id)] {
                if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                    if !seen.contains(&(field, v)) {
                        seen.push((field, v));
                        same.push(self.term(field, v));
                    }
                }
            }
        }
        if same.is_empty() {
            return Ok(found
                .iter()
                .map(|e| ContextLine {
                    event: e.clone(),
                    marker: true,
                })
                .collect());
        }
        let q = and(vec![
            Box::new(or(same)),
            self.ts_range(first - span, last + span + Duration::milliseconds(1)),
        ]);
        let searcher = self.searcher();
        let top = TopDocs::with_limit(MAX_LINES)
            .order_by_fast_field::<tantivy::DateTime>("ts", tantivy::Order::Asc);
        let addrs: Vec<DocAddress> = self
            .search_parallel(&searcher, &q, &top)?
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        let mut lines: Vec<ContextLine> = self
            .events_at(&searcher, &addrs)?
            .into_iter()
            .map(|event| ContextLine {
                marker: found.iter().any(|f| f.source == event.source),
                event,
            })
            .collect();
        lines.sort_by(|a, b| {
            let key =
                |l: &ContextLine| (l.event.ts, l.event.source.file.clone(), l.event.source.line);
            key(a).cmp(&key(b))
        });
        Ok(lines)
    }
}
