//! histogram: the query's events counted over time, and the time span a
//! query covers (its since/until, else the index's first/last real time).
//! Reads the `ts` fast-field column directly; no document is loaded.

use chrono::{DateTime, Utc};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DateTime as TDate, DocId, Score, SegmentOrdinal, SegmentReader};

use super::{Histogram, Query};
use crate::error::Result;
use crate::index::LocalStore;
use crate::index::translate::to_tantivy;

impl LocalStore {
    /// Counts of the events matching `q` over time, in `buckets` equal parts
    /// of the query's span (its since/until, else the index's first/last).
    pub fn histogram(&self, q: &Query, buckets: usize) -> Result<Histogram> {
        let span = self.span(q)?;
        let collector = HistogramCollector {
            span,
            buckets: buckets.max(1),
        };
        let counts = self.search_parallel(&self.searcher(), &*to_tantivy(&q.expr)?, &collector)?;
        Ok(Histogram {
            start: to_chrono(span.0),
            end: to_chrono(span.1),
            counts,
        })
    }

    /// The time span a query covers, in epoch milliseconds.
    pub(crate) fn span(&self, q: &Query) -> Result<(i64, i64)> {
        Ok(query_span(q, self.ts_bounds()?))
    }

    /// The first and last `ts` in the index, in epoch milliseconds; times
    /// that were inferred count only when no event has a real one. A
    /// column that cannot be read is an error, not a narrower span.
    pub(crate) fn ts_bounds(&self) -> Result<Option<(i64, i64)>> {
        let (mut real, mut inferred) = (Span::EMPTY, Span::EMPTY);
        for segment in self.searcher().segment_readers() {
            let (r, i) = segment_ts_bounds(segment).map_err(|e| self.error(e))?;
            real.merge(r);
            inferred.merge(i);
        }
        Ok(index_ts_bounds(real, inferred))
    }
}

/// One segment's part of [`LocalStore::ts_bounds`]: its real and its
/// inferred times (a segment without inferred times gives its column's
/// bounds).
pub(crate) fn segment_ts_bounds(segment: &SegmentReader) -> tantivy::Result<(Span, Span)> {
    let (mut real, mut inferred) = (Span::EMPTY, Span::EMPTY);
    if segment.num_docs() == 0 {
        return Ok((real, inferred));
    }
    let col = segment.fast_fields().date("ts")?;
    match inferred_column(segment)? {
        Some(marks) => {
            for doc in segment.doc_ids_alive() {
                let Some(ts) = col.first(doc) else { continue };
                let ts = ts.into_timestamp_millis();
                match marks.first(doc) {
                    Some(true) => inferred.add(ts),
                    _ => real.add(ts),
                }
            }
        }
        None => {
            real.add(col.min_value().into_timestamp_millis());
            real.add(col.max_value().into_timestamp_millis());
        }
    }
    Ok((real, inferred))
}

/// The index's first and last time from its segments' real and inferred
/// times: inferred ones count only when no event has a real one.
pub(crate) fn index_ts_bounds(real: Span, inferred: Span) -> Option<(i64, i64)> {
    real.get().or_else(|| inferred.get())
}

/// A query's span: its since/until, else the index's first/last time.
pub(crate) fn query_span(q: &Query, bounds: Option<(i64, i64)>) -> (i64, i64) {
    let (first, last) = bounds.unwrap_or((0, 0));
    let start = q.since.map_or(first, |t| t.timestamp_millis());
    let end = q.until.map_or(last, |t| t.timestamp_millis());
    (start, end.max(start))
}

/// A running (min, max) of epoch milliseconds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span(pub i64, pub i64);

impl Span {
    pub const EMPTY: Span = Span(i64::MAX, i64::MIN);

    pub fn add(&mut self, ts: i64) {
        (self.0, self.1) = (self.0.min(ts), self.1.max(ts));
    }

    pub fn merge(&mut self, other: Span) {
        (self.0, self.1) = (self.0.min(other.0), self.1.max(other.1));
    }

    pub fn get(self) -> Option<(i64, i64)> {
        (self.0 <= self.1).then_some((self.0, self.1))
    }
}

/// A segment's `ts_inferred` column, when any of its documents has an
/// inferred time (most segments have none, and skip the lookup).
pub(crate) fn inferred_column(reader: &SegmentReader) -> tantivy::Result<Option<Column<bool>>> {
    let Ok(col) = reader.fast_fields().bool("ts_inferred") else {
        return Ok(None);
    };
    Ok((reader.num_docs() > 0 && col.max_value()).then_some(col))
}

pub(crate) fn to_chrono(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// The bucket of `ts` among `buckets` equal parts of `span`.
pub(crate) fn bucket(span: (i64, i64), buckets: usize, ts: i64) -> usize {
    let (start, end) = span;
    let width = (end - start).max(1).unsigned_abs() + 1;
    let offset = (ts - start).max(0).unsigned_abs();
    let i = offset.saturating_mul(buckets as u64) / width;
    (i as usize).min(buckets - 1)
}

/// Counts per time bucket.
struct HistogramCollector {
    span: (i64, i64),
    buckets: usize,
}

struct HistogramSegment {
    ts: Column<TDate>,
    span: (i64, i64),
    counts: Vec<u64>,
}

impl Collector for HistogramCollector {
    type Fruit = Vec<u64>;
    type Child = HistogramSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<HistogramSegment> {
        Ok(HistogramSegment {
            ts: reader.fast_fields().date("ts")?,
            span: self.span,
            counts: vec![0; self.buckets],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u64>>) -> tantivy::Result<Vec<u64>> {
        let mut total = vec![0; self.buckets];
        for f in fruits {
            for (a, b) in total.iter_mut().zip(f) {
                *a += b;
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for HistogramSegment {
    type Fruit = Vec<u64>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(ts) = self.ts.first(doc) {
            let b = bucket(self.span, self.counts.len(), ts.into_timestamp_millis());
            self.counts[b] += 1;
        }
    }

    fn harvest(self) -> Vec<u64> {
        self.counts
    }
}
