//! groups: the events matching a query, grouped by one field (code, class,
//! status, service, path, client), with counts, first/last seen, a status
//! breakdown, a sample request id and a timeline for sparklines; and the
//! query's histogram over time. Both read fast-field columns directly in a
//! custom collector: no document is loaded except one sample per group.
//! Groups visit only the documents that have the grouped field (the query
//! intersected with an exists-query on its column): most events are
//! successes without a code, and skipping them is most of the speed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, ColumnIndex, StrColumn};
use tantivy::query::{AllQuery, BooleanQuery, ExistsQuery, Occur, Weight};
use tantivy::{DateTime as TDate, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::{Group, GroupBy, GroupsResult, Histogram, Query};
use crate::error::Result;
use crate::index::Store;
use crate::model::Class;

/// How many buckets a group's timeline has.
pub const TIMELINE_BUCKETS: usize = 24;

impl Store {
    /// Group the events matching `q` by `by`, largest groups first, at most
    /// `limit` groups. Events without the field form no group.
    pub fn groups(&self, q: &Query, by: GroupBy, limit: usize) -> Result<GroupsResult> {
        let searcher = self.searcher();
        let span = self.span(q);
        let collector = GroupsCollector {
            by,
            span,
            buckets: TIMELINE_BUCKETS,
            every_event: q.query.downcast_ref::<AllQuery>().is_some(),
        };
        let having = BooleanQuery::new(vec![
            (Occur::Must, q.query.box_clone()),
            (
                Occur::Must,
                Box::new(ExistsQuery::new(by.as_str().into(), false)),
            ),
        ]);
        let mut merged: Vec<(String, Acc<DocAddress>)> = self
            .search_parallel(&searcher, &having, &collector)?
            .into_iter()
            .collect();
        merged.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(&b.0)));
        merged.truncate(limit);
        let mut groups = Vec::with_capacity(merged.len());
        for (key, acc) in merged {
            let sample = self.event_at(&searcher, acc.sample)?;
            let class = match by {
                GroupBy::Class => Some(key.clone()),
                GroupBy::Code => sample.class.map(|c| c.as_str().to_string()),
                GroupBy::Status => key
                    .parse()
                    .ok()
                    .and_then(Class::from_status)
                    .map(|c| c.as_str().to_string()),
                _ => None,
            };
            // Inferred times set first/last seen only when the group has
            // no real time at all.
            let (min_ts, max_ts) = if acc.min_ts <= acc.max_ts {
                (acc.min_ts, acc.max_ts)
            } else {
                acc.inferred_span
            };
            groups.push(Group {
                key,
                count: acc.count,
                first_seen: to_chrono(min_ts),
                last_seen: to_chrono(max_ts),
                inferred_ts: acc.inferred,
                statuses: acc
                    .statuses
                    .iter()
                    .map(|(s, n)| (s.to_string(), *n))
                    .collect(),
                sample_request_id: sample.request_id,
                class,
                timeline: acc.timeline,
            });
        }
        Ok(GroupsResult { by, groups })
    }

    /// Counts of the events matching `q` over time, in `buckets` equal parts
    /// of the query's span (its since/until, else the index's first/last).
    pub fn histogram(&self, q: &Query, buckets: usize) -> Result<Histogram> {
        let span = self.span(q);
        let collector = GroupsCollector {
            by: GroupBy::Code,
            span,
            buckets: buckets.max(1),
            every_event: false,
        };
        let counts =
            self.search_parallel(&self.searcher(), &*q.query, &HistogramCollector(collector))?;
        Ok(Histogram {
            start: to_chrono(span.0),
            end: to_chrono(span.1),
            counts,
        })
    }

    /// The time span a query covers, in epoch milliseconds.
    fn span(&self, q: &Query) -> (i64, i64) {
        let (first, last) = self.ts_bounds().unwrap_or((0, 0));
        let start = q.since.map_or(first, |t| t.timestamp_millis());
        let end = q.until.map_or(last, |t| t.timestamp_millis());
        (start, end.max(start))
    }

    /// The first and last `ts` in the index, in epoch milliseconds; times
    /// that were inferred count only when no event has a real one.
    pub(crate) fn ts_bounds(&self) -> Option<(i64, i64)> {
        let (mut real, mut inferred) = (Span::EMPTY, Span::EMPTY);
        for segment in self.searcher().segment_readers() {
            let Ok(col) = segment.fast_fields().date("ts") else {
                continue;
            };
            if segment.num_docs() == 0 {
                continue;
            }
            match inferred_column(segment) {
                Ok(Some(marks)) => {
                    for doc in segment.doc_ids_alive() {
                        let Some(ts) = col.first(doc) else { continue };
                        let ts = ts.into_timestamp_millis();
                        match marks.first(doc) {
                            Some(true) => inferred.add(ts),
                            _ => real.add(ts),
                        }
                    }
                }
                _ => {
                    real.add(col.min_value().into_timestamp_millis());
                    real.add(col.max_value().into_timestamp_millis());
                }
            }
        }
        real.get().or_else(|| inferred.get())
    }
}

/// A running (min, max) of epoch milliseconds.
#[derive(Clone, Copy)]
struct Span(i64, i64);

impl Span {
    const EMPTY: Span = Span(i64::MAX, i64::MIN);

    fn add(&mut self, ts: i64) {
        (self.0, self.1) = (self.0.min(ts), self.1.max(ts));
    }

    fn get(self) -> Option<(i64, i64)> {
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

fn to_chrono(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// One group's running totals; `S` is the sample's address type.
#[derive(Debug, Clone)]
struct Acc<S> {
    count: u64,
    min_ts: i64,
    max_ts: i64,
    /// (status, count), in order of first appearance (a group has few).
    statuses: Vec<(u64, u64)>,
    /// Events whose time was inferred, and their span: kept out of
    /// `min_ts`/`max_ts`.
    inferred: u64,
    inferred_span: (i64, i64),
    sample: S,
    timeline: Vec<u64>,
}

impl<S: Copy> Acc<S> {
    fn new(sample: S, buckets: usize) -> Self {
        Acc {
            count: 0,
            min_ts: i64::MAX,
            max_ts: i64::MIN,
            statuses: Vec::new(),
            inferred: 0,
            inferred_span: (i64::MAX, i64::MIN),
            sample,
            timeline: vec![0; buckets],
        }
    }

    fn count_status(&mut self, status: u64, n: u64) {
        match self.statuses.iter_mut().find(|(s, _)| *s == status) {
            Some((_, count)) => *count += n,
            None => self.statuses.push((status, n)),
        }
    }

    fn note_inferred(&mut self, ts: i64) {
        if ts != i64::MAX && ts != i64::MIN {
            let (lo, hi) = &mut self.inferred_span;
            (*lo, *hi) = ((*lo).min(ts), (*hi).max(ts));
        }
    }

    fn merge(&mut self, other: Acc<S>) {
        self.count += other.count;
        self.min_ts = self.min_ts.min(other.min_ts);
        self.max_ts = self.max_ts.max(other.max_ts);
        self.inferred += other.inferred;
        self.note_inferred(other.inferred_span.0);
        self.note_inferred(other.inferred_span.1);
        for (s, n) in other.statuses {
            self.count_status(s, n);
        }
        for (a, b) in self.timeline.iter_mut().zip(other.timeline) {
            *a += b;
        }
    }
}

struct GroupsCollector {
    by: GroupBy,
    span: (i64, i64),
    buckets: usize,
    /// The query matches every event: read the key column's own index of
    /// the documents that have a value instead of running the query.
    every_event: bool,
}

enum KeyColumn {
    Str(StrColumn),
    Status,
    Missing,
}

struct GroupsSegment {
    segment: SegmentOrdinal,
    key: KeyColumn,
    ts: Column<TDate>,
    status: Column<u64>,
    /// `ts_inferred`, when this segment has any inferred time.
    inferred: Option<Column<bool>>,
    span: (i64, i64),
    buckets: usize,
    /// Accumulators indexed by key: the term ordinal, or the status.
    by_key: Vec<Option<Acc<DocId>>>,
}

impl Collector for GroupsCollector {
    type Fruit = HashMap<String, Acc<DocAddress>>;
    type Child = GroupsSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<GroupsSegment> {
        let fast = reader.fast_fields();
        let key = match self.by {
            GroupBy::Status => KeyColumn::Status,
            by => fast
                .str(by.as_str())?
                .map_or(KeyColumn::Missing, KeyColumn::Str),
        };
        Ok(GroupsSegment {
            segment,
            key,
            ts: fast.date("ts")?,
            status: fast.u64("status")?,
            inferred: inferred_column(reader)?,
            span: self.span,
            buckets: self.buckets,
            by_key: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<(String, Acc<DocAddress>)>> {
        let mut child = self.for_segment(segment, reader)?;
        if self.every_event && child.scan_key_column(reader) {
            return Ok(child.harvest());
        }
        let alive = reader.alive_bitset();
        weight.for_each_no_score(reader, &mut |docs| {
            for &doc in docs {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    child.collect(doc, 0.0);
                }
            }
        })?;
        Ok(child.harvest())
    }

    fn merge_fruits(
        &self,
        fruits: Vec<Vec<(String, Acc<DocAddress>)>>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut merged: HashMap<String, Acc<DocAddress>> = HashMap::new();
        for (key, acc) in fruits.into_iter().flatten() {
            match merged.get_mut(&key) {
                Some(m) => m.merge(acc),
                None => {
                    merged.insert(key, acc);
                }
            }
        }
        Ok(merged)
    }
}

impl GroupsSegment {
    fn bucket(&self, ts: i64) -> usize {
        let (start, end) = self.span;
        let width = (end - start).max(1).unsigned_abs() + 1;
        let offset = (ts - start).max(0).unsigned_abs();
        let i = offset.saturating_mul(self.buckets as u64) / width;
        (i as usize).min(self.buckets - 1)
    }

    /// The key column: term ordinals, or the status itself.
    fn key_column(&self) -> Option<&Column<u64>> {
        match &self.key {
            KeyColumn::Str(col) => Some(col.ords()),
            KeyColumn::Status => Some(&self.status),
            KeyColumn::Missing => None,
        }
    }

    /// Visit every live document that has a key by walking the key
    /// column's index: the n-th document with a value holds the n-th value,
    /// so no per-document lookup is needed. False if the column's layout
    /// does not allow it (the caller then runs the query).
    fn scan_key_column(&mut self, reader: &SegmentReader) -> bool {
        let Some(col) = self.key_column().cloned() else {
            return true;
        };
        let alive = reader.alive_bitset();
        let live = |doc: DocId| alive.is_none_or(|a| a.is_alive(doc));
        match &col.index {
            ColumnIndex::Optional(index) => {
                for (row, doc) in index.iter_non_null_docs().enumerate() {
                    if live(doc) {
                        self.add(doc, col.values.get_val(row as u32));
                    }
                }
            }
            ColumnIndex::Full => {
                for doc in (0..reader.max_doc()).filter(|&d| live(d)) {
                    self.add(doc, col.values.get_val(doc));
                }
            }
            ColumnIndex::Empty { .. } => {}
            ColumnIndex::Multivalued(_) => return false,
        }
        true
    }

    /// Count `doc` in the group of `key`.
    fn add(&mut self, doc: DocId, key: u64) {
        let status = match self.key {
            KeyColumn::Status => Some(key),
            _ => self.status.first(doc),
        };
        let ts = self.ts.first(doc).map_or(0, |t| t.into_timestamp_millis());
        let bucket = self.bucket(ts);
        let Ok(slot) = usize::try_from(key) else {
            return;
        };
        if slot >= self.by_key.len() {
            self.by_key.resize_with(slot + 1, || None);
        }
        let buckets = self.buckets;
        let acc = self.by_key[slot].get_or_insert_with(|| Acc::new(doc, buckets));
        acc.count += 1;
        let inferred = self.inferred.as_ref().and_then(|c| c.first(doc));
        if inferred == Some(true) {
            acc.inferred += 1;
            acc.note_inferred(ts);
        } else {
            acc.min_ts = acc.min_ts.min(ts);
            acc.max_ts = acc.max_ts.max(ts);
        }
        if let Some(s) = status {
            acc.count_status(s, 1);
        }
        acc.timeline[bucket] += 1;
    }
}

impl SegmentCollector for GroupsSegment {
    type Fruit = Vec<(String, Acc<DocAddress>)>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(key) = self.key_column().and_then(|c| c.first(doc)) {
            self.add(doc, key);
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = Vec::with_capacity(self.by_key.len());
        let mut name = String::new();
        let accs = self.by_key.into_iter().enumerate();
        for (key, acc) in accs.filter_map(|(k, a)| Some((k as u64, a?))) {
            let key = match &self.key {
                KeyColumn::Str(col) => match col.ord_to_str(key, &mut name) {
                    Ok(true) => name.clone(),
                    _ => continue,
                },
                _ => key.to_string(),
            };
            let sample = DocAddress::new(self.segment, acc.sample);
            let Acc {
                count,
                min_ts,
                max_ts,
                statuses,
                inferred,
                inferred_span,
                timeline,
                ..
            } = acc;
            out.push((
                key,
                Acc {
                    count,
                    min_ts,
                    max_ts,
                    statuses,
                    inferred,
                    inferred_span,
                    sample,
                    timeline,
                },
            ));
        }
        out
    }
}

/// Counts per time bucket: the groups machinery without keys.
struct HistogramCollector(GroupsCollector);

struct HistogramSegment {
    ts: Column<TDate>,
    inner: GroupsSegment,
    counts: Vec<u64>,
}

impl Collector for HistogramCollector {
    type Fruit = Vec<u64>;
    type Child = HistogramSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<HistogramSegment> {
        let inner = self.0.for_segment(segment, reader)?;
        Ok(HistogramSegment {
            ts: inner.ts.clone(),
            counts: vec![0; self.0.buckets],
            inner,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u64>>) -> tantivy::Result<Vec<u64>> {
        let mut total = vec![0; self.0.buckets];
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
            let b = self.inner.bucket(ts.into_timestamp_millis());
            self.counts[b] += 1;
        }
    }

    fn harvest(self) -> Vec<u64> {
        self.counts
    }
}
