//! grouping: the fast-field collector behind `groups`. Per segment it reads
//! the key column(s) — term ordinals of a string field, or the status — and
//! keeps one accumulator per key in a bounded [`Table`] (a segment hands
//! over its best groups only; see [`super::grouptable`]). Counts,
//! first/last seen (real times only, see `ts_inferred`), statuses, requests
//! and errors, and a timeline come from columns; no document is loaded.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, ColumnIndex, StrColumn};
use tantivy::query::Weight;
use tantivy::{DateTime as TDate, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::GroupBy;
use super::grouptable::{Bounds, Cut, Key, Order, Table};
use super::histogram::{Span, bucket, inferred_column};

/// One group's running totals; `S` is the sample's address type.
#[derive(Debug, Clone)]
pub(crate) struct Acc<S> {
    pub count: u64,
    /// Real times only; inferred ones are kept apart in `inferred_span`.
    pub real: Span,
    pub inferred: u64,
    pub inferred_span: Span,
    /// (status, count), in order of first appearance (a group has few).
    pub statuses: Vec<(u64, u64)>,
    /// Events with a status or a code, and those that failed (status ≥ 400
    /// or a code): the error rate's parts.
    pub requests: u64,
    pub errors: u64,
    pub sample: S,
    pub timeline: Vec<u64>,
}

impl<S> Acc<S> {
    pub(crate) fn new(sample: S, buckets: usize) -> Self {
        Acc {
            count: 0,
            real: Span::EMPTY,
            inferred: 0,
            inferred_span: Span::EMPTY,
            statuses: Vec::new(),
            requests: 0,
            errors: 0,
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

    pub fn merge(&mut self, other: Acc<S>) {
        self.count += other.count;
        self.real.merge(other.real);
        self.inferred += other.inferred;
        self.inferred_span.merge(other.inferred_span);
        self.requests += other.requests;
        self.errors += other.errors;
        for (s, n) in other.statuses {
            self.count_status(s, n);
        }
        for (a, b) in self.timeline.iter_mut().zip(other.timeline) {
            *a += b;
        }
    }

    fn with_sample<T>(self, sample: T) -> Acc<T> {
        Acc {
            count: self.count,
            real: self.real,
            inferred: self.inferred,
            inferred_span: self.inferred_span,
            statuses: self.statuses,
            requests: self.requests,
            errors: self.errors,
            sample,
            timeline: self.timeline,
        }
    }
}

pub(crate) struct GroupsCollector {
    /// One or two dimensions.
    pub by: Vec<GroupBy>,
    pub span: (i64, i64),
    pub buckets: usize,
    /// The query matches every event: read the key column's own index of
    /// the documents that have a value instead of running the query.
    pub every_event: bool,
    /// How many groups a segment keeps and holds.
    pub bounds: Bounds,
    /// The order a segment keeps its best groups in.
    pub order: Order,
    /// Segments whose groups come from their table ([`super::groupfiles`])
    /// instead of a scan, by segment ordinal (empty: scan every segment).
    pub tables: Vec<Option<Vec<Keyed>>>,
}

/// Every segment's groups merged, and what the segments cut.
pub(crate) struct Grouped {
    pub groups: HashMap<Vec<String>, Acc<DocAddress>>,
    pub cut: Cut,
}

enum KeyColumn {
    Str(StrColumn),
    Status,
    Missing,
}

/// The columns every group reads, apart from its keys.
struct Cols {
    ts: Column<TDate>,
    status: Column<u64>,
    code: Option<StrColumn>,
    /// `ts_inferred`, when this segment has any inferred time.
    inferred: Option<Column<bool>>,
    span: (i64, i64),
    buckets: usize,
}

impl Cols {
    /// Count `doc` (whose status, when grouping by it, is `status`) in `acc`.
    fn count(&self, acc: &mut Acc<DocId>, doc: DocId, status: Option<u64>) {
        let ts = self.ts.first(doc).map_or(0, |t| t.into_timestamp_millis());
        acc.count += 1;
        if self.inferred.as_ref().and_then(|c| c.first(doc)) == Some(true) {
            acc.inferred += 1;
            acc.inferred_span.add(ts);
        } else {
            acc.real.add(ts);
        }
        let has_code = self
            .code
            .as_ref()
            .is_some_and(|c| c.ords().first(doc).is_some());
        if let Some(s) = status {
            acc.count_status(s, 1);
        }
        if status.is_some() || has_code {
            acc.requests += 1;
            acc.errors += u64::from(has_code || status.is_some_and(|s| s >= 400));
        }
        acc.timeline[bucket(self.span, self.buckets, ts)] += 1;
    }
}

pub(crate) struct GroupsSegment {
    segment: SegmentOrdinal,
    keys: Vec<KeyColumn>,
    /// The field of each key, for errors.
    names: Vec<&'static str>,
    cols: Cols,
    /// The accumulators by key (term ordinals or status; a pair with two
    /// dimensions).
    table: Table,
}

/// A group's key values with its accumulator, as segments hand them over.
pub(crate) type Keyed = (Vec<String>, Acc<DocAddress>);

impl Collector for GroupsCollector {
    type Fruit = Grouped;
    type Child = GroupsSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<GroupsSegment> {
        let fast = reader.fast_fields();
        let mut keys = Vec::with_capacity(self.by.len());
        for by in &self.by {
            keys.push(match by {
                GroupBy::Status => KeyColumn::Status,
                by => fast
                    .str(by.as_str())?
                    .map_or(KeyColumn::Missing, KeyColumn::Str),
            });
        }
        Ok(GroupsSegment {
            segment,
            keys,
            names: self.by.iter().map(|b| b.as_str()).collect(),
            cols: Cols {
                ts: fast.date("ts")?,
                status: fast.u64("status")?,
                code: fast.str("code")?,
                inferred: inferred_column(reader)?,
                span: self.span,
                buckets: self.buckets,
            },
            table: Table::new(self.by.len() > 1, self.bounds, self.order),
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
    ) -> tantivy::Result<tantivy::Result<(Vec<Keyed>, Cut)>> {
        if let Some(Some(groups)) = self.tables.get(segment as usize) {
            return Ok(Ok((groups.clone(), Cut::tabled(groups.len()))));
        }
        let mut child = self.for_segment(segment, reader)?;
        if self.every_event && self.by.len() == 1 && child.scan_key_column(reader) {
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
        fruits: Vec<tantivy::Result<(Vec<Keyed>, Cut)>>,
    ) -> tantivy::Result<Grouped> {
        let mut merged: HashMap<Vec<String>, Acc<DocAddress>> = HashMap::new();
        let mut cut = Cut::default();
        for fruit in fruits {
            let (groups, segment_cut) = fruit?;
            cut.merge(segment_cut);
            for (key, acc) in groups {
                match merged.get_mut(&key) {
                    Some(m) => m.merge(acc),
                    None => {
                        merged.insert(key, acc);
                    }
                }
            }
        }
        Ok(Grouped {
            groups: merged,
            cut,
        })
    }
}

impl GroupsSegment {
    /// Dimension `i`'s column: term ordinals, or the status itself.
    fn key_column(&self, i: usize) -> Option<&Column<u64>> {
        match self.keys.get(i)? {
            KeyColumn::Str(col) => Some(col.ords()),
            KeyColumn::Status => Some(&self.cols.status),
            KeyColumn::Missing => None,
        }
    }

    fn status_of(&self, doc: DocId, keys: &[u64]) -> Option<u64> {
        match self
            .keys
            .iter()
            .position(|k| matches!(k, KeyColumn::Status))
        {
            Some(i) => keys.get(i).copied(),
            None => self.cols.status.first(doc),
        }
    }

    /// Visit every live document that has a key by walking the key
    /// column's index: the n-th document with a value holds the n-th value,
    /// so no per-document lookup is needed. False if the column's layout
    /// does not allow it (the caller then runs the query).
    fn scan_key_column(&mut self, reader: &SegmentReader) -> bool {
        let Some(col) = self.key_column(0).cloned() else {
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

    /// Count `doc` in the one-dimension group of `key`.
    fn add(&mut self, doc: DocId, key: u64) {
        let status = self.status_of(doc, &[key]);
        let acc = self.table.entry((key, 0), doc, self.cols.buckets);
        self.cols.count(acc, doc, status);
    }

    /// Count `doc` in the two-dimension group of `pair`.
    fn add_pair(&mut self, doc: DocId, pair: Key) {
        let status = self.status_of(doc, &[pair.0, pair.1]);
        let acc = self.table.entry(pair, doc, self.cols.buckets);
        self.cols.count(acc, doc, status);
    }

    /// Dimension `i`'s key as text.
    fn key_text(&self, i: usize, key: u64, buf: &mut String) -> tantivy::Result<Option<String>> {
        match &self.keys[i] {
            KeyColumn::Str(col) => match col.ord_to_str(key, buf) {
                Ok(found) => Ok(found.then(|| buf.clone())),
                Err(e) => Err(crate::index::dictionary_error(self.names[i], e)),
            },
            _ => Ok(Some(key.to_string())),
        }
    }
}

impl SegmentCollector for GroupsSegment {
    /// A key dictionary that cannot be read fails the query: its groups
    /// would otherwise vanish without a word.
    type Fruit = tantivy::Result<(Vec<Keyed>, Cut)>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(first) = self.key_column(0).and_then(|c| c.first(doc)) else {
            return;
        };
        if self.keys.len() == 1 {
            self.add(doc, first);
        } else if let Some(second) = self.key_column(1).and_then(|c| c.first(doc)) {
            self.add_pair(doc, (first, second));
        }
    }

    fn harvest(mut self) -> tantivy::Result<(Vec<Keyed>, Cut)> {
        let (groups, cut) = self.table.finish();
        let mut out = Vec::with_capacity(groups.len());
        let mut buf = String::new();
        let dims = self.keys.len();
        for ((a, b), acc) in groups {
            let ords = [a, b];
            let mut texts = Vec::with_capacity(dims);
            for (i, &k) in ords[..dims].iter().enumerate() {
                texts.extend(self.key_text(i, k, &mut buf)?);
            }
            if texts.len() < dims {
                continue;
            }
            let sample = DocAddress::new(self.segment, acc.sample);
            out.push((texts, acc.with_sample(sample)));
        }
        Ok((out, cut))
    }
}
