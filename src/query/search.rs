//! search: the events matching a query, newest first, and how many match;
//! and pages anchored at a time (the TUI's "go to time", and its pages
//! loaded above and below the anchor), bounded on `ts` instead of skipping
//! an offset, so a page in the middle of 10M events costs what the first does.

use std::ops::Bound;

use chrono::{DateTime, Utc};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{Query as TQuery, RangeQuery};
use tantivy::{DateTime as TDate, DocAddress, Order, Term};

use super::newest::{NewestInRange, split_time};
use super::window::and;
use super::{Query, SearchResult};
use crate::error::Result;
use crate::index::LocalStore;
use crate::index::schema::ts_range;
use crate::index::translate::to_tantivy;
use crate::model::Event;

/// Which side of a time a page lies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// At or before the time.
    Older,
    /// At or after the time.
    Newer,
}

/// The events around a time: where "go to time" lands.
#[derive(Debug, Clone, PartialEq)]
pub struct TimePage {
    pub query: String,
    pub at: DateTime<Utc>,
    /// Newest first: up to `per_side` events after `at`, then up to
    /// `per_side` at or before it.
    pub events: Vec<Event>,
    /// The index in `events` of the event nearest `at` (of two as near, the
    /// one at or before it); `None` when nothing matches.
    pub nearest: Option<usize>,
    /// Matching events newer than the newest of `events`.
    pub newer_left: u64,
    /// Matching events older than the oldest of `events`.
    pub older_left: u64,
    /// How many events match the query in all.
    pub total: u64,
}

impl TimePage {
    /// The page around `at` from each side's events, nearest `at` first,
    /// with how many match on that side: `newer` after `at`, `older` at or
    /// before it (what every store answers the same way).
    pub(crate) fn of(
        q: &Query,
        at: DateTime<Utc>,
        (mut newer, newer_n): (Vec<Event>, u64),
        (older, older_n): (Vec<Event>, u64),
    ) -> TimePage {
        let nearest = match (newer.first(), older.first()) {
            (Some(n), Some(o)) if n.ts - at < at - o.ts => Some(newer.len() - 1),
            (_, Some(_)) => Some(newer.len()),
            (Some(_), None) => Some(newer.len() - 1),
            (None, None) => None,
        };
        let (newer_left, older_left) = (newer_n - newer.len() as u64, older_n - older.len() as u64);
        newer.reverse();
        newer.extend(older);
        TimePage {
            query: q.text.clone(),
            at,
            events: newer,
            nearest,
            newer_left,
            older_left,
            total: newer_n + older_n,
        }
    }
}

impl LocalStore {
    /// The events matching `q`, newest first: `limit` of them after the
    /// newest `offset`, and the total count ([`crate::store::Store::search`]).
    pub fn search_page(&self, q: &Query, offset: usize, limit: usize) -> Result<SearchResult> {
        let searcher = self.searcher();
        let query = to_tantivy(&q.expr)?;
        // A page never holds more than the index does: tantivy sizes its
        // heap by the limit (`--limit 18446744073709551615` overflowed).
        let held = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let offset = offset.min(held);
        let limit = limit.min(held - offset);
        let (addrs, total): (Vec<DocAddress>, usize) = if limit == 0 {
            (
                Vec::new(),
                self.search_parallel(&searcher, &*query, &Count)?,
            )
        } else if let Some(split) = split_time(&q.expr) {
            let query = to_tantivy(&split.rest)?;
            let newest = NewestInRange {
                lo: split.lo,
                hi: split.hi,
                order: Order::Desc,
                offset,
                limit,
            };
            self.search_parallel(&searcher, &*query, &newest)?
        } else {
            let top = TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by_fast_field::<TDate>("ts", Order::Desc);
            let (hits, total) = self.search_parallel(&searcher, &*query, &(top, Count))?;
            (hits.into_iter().map(|(_, a)| a).collect(), total)
        };
        Ok(SearchResult {
            query: q.text.clone(),
            total: total as u64,
            events: self.events_at_parallel(&searcher, &addrs)?,
        })
    }

    /// How many events match `q`.
    pub fn count(&self, q: &Query) -> Result<u64> {
        let query = to_tantivy(&q.expr)?;
        Ok(self.search_parallel(&self.searcher(), &*query, &Count)? as u64)
    }

    /// The events matching `q` around `at`: up to `per_side` after it and
    /// up to `per_side` at or before it, newest first, with the one nearest
    /// `at` pointed out and how many are left on either side.
    pub fn search_at(&self, q: &Query, at: DateTime<Utc>, per_side: usize) -> Result<TimePage> {
        let older_q = self.ts_bounded(q, Bound::Unbounded, Bound::Included(at))?;
        let newer_q = self.ts_bounded(q, Bound::Excluded(at), Bound::Unbounded)?;
        let older = self.nearest_first(&*older_q, Order::Desc, per_side)?;
        let newer = self.nearest_first(&*newer_q, Order::Asc, per_side)?;
        Ok(TimePage::of(q, at, newer, older))
    }

    /// Up to `limit` events matching `q` on `side` of `at` (events at `at`
    /// included), the ones nearest `at` kept, newest first; `total` counts
    /// every match on that side. What a list anchored at a time loads as it
    /// is scrolled past either end.
    pub fn search_beside(
        &self,
        q: &Query,
        at: DateTime<Utc>,
        side: Side,
        limit: usize,
    ) -> Result<SearchResult> {
        let (bounded, order) = match side {
            Side::Older => (
                self.ts_bounded(q, Bound::Unbounded, Bound::Included(at))?,
                Order::Desc,
            ),
            Side::Newer => (
                self.ts_bounded(q, Bound::Included(at), Bound::Unbounded)?,
                Order::Asc,
            ),
        };
        let (mut events, total) = self.nearest_first(&*bounded, order, limit)?;
        if side == Side::Newer {
            events.reverse();
        }
        Ok(SearchResult {
            query: q.text.clone(),
            total,
            events,
        })
    }

    /// `q` with `ts` within the bounds.
    fn ts_bounded(
        &self,
        q: &Query,
        from: Bound<DateTime<Utc>>,
        to: Bound<DateTime<Utc>>,
    ) -> Result<Box<dyn TQuery>> {
        // Clamped: tantivy keeps nanoseconds in an i64 and would wrap a
        // time beyond 2262 into the past.
        let term = |t: DateTime<Utc>| {
            let t = t.clamp(ts_range::min(), ts_range::max());
            Term::from_field_date(
                self.fields.ts,
                TDate::from_timestamp_millis(t.timestamp_millis()),
            )
        };
        let range = RangeQuery::new(from.map(term), to.map(term));
        Ok(Box::new(and(vec![to_tantivy(&q.expr)?, Box::new(range)])))
    }

    /// The first `limit` events of `query` in `order` of time, and how many
    /// match.
    fn nearest_first(
        &self,
        query: &dyn TQuery,
        order: Order,
        limit: usize,
    ) -> Result<(Vec<Event>, u64)> {
        let searcher = self.searcher();
        let held = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let limit = limit.min(held);
        if limit == 0 {
            let n = self.search_parallel(&searcher, query, &Count)?;
            return Ok((Vec::new(), n as u64));
        }
        let top = TopDocs::with_limit(limit).order_by_fast_field::<TDate>("ts", order);
        let (hits, total) = self.search_parallel(&searcher, query, &(top, Count))?;
        let addrs: Vec<DocAddress> = hits.into_iter().map(|(_, a)| a).collect();
        Ok((self.events_at(&searcher, &addrs)?, total as u64))
    }
}
