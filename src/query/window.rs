//! window: what `impact` asks of the index, by fast fields only. The events
//! matching a query inside a time window are tallied per (client, service,
//! method, route, minute, kind) in a collector that reads columns and
//! never loads a document, so a window of 100k events costs milliseconds.
//! Also the small query builders (`field:value`, a time range) that
//! `impact`, `timeline` and `context` compose.

use std::collections::HashMap;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{BooleanQuery, Occur, Query as TQuery, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DateTime as TDate, DocId, Score, SegmentOrdinal, SegmentReader, Term};

use crate::error::Result;
use crate::index::LocalStore;

/// What one tallied event was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// A line without a status or code (an application log line).
    Context,
    /// A request that succeeded.
    Ok,
    /// A request that failed (status ≥ 400, or a code).
    Failed,
}

/// The key events are tallied by; `minute` is epoch minutes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Cell {
    pub client: Option<String>,
    pub service: Option<String>,
    pub method: Option<String>,
    pub route: Option<String>,
    pub minute: i64,
    pub kind: Kind,
}

/// Counts per cell, plus the first event's time in each cell.
pub(crate) type Tally = HashMap<Cell, (u64, i64)>;

impl LocalStore {
    /// Tally the events matching `query` with `from <= ts < to`.
    pub(crate) fn tally(
        &self,
        query: Box<dyn TQuery>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Tally> {
        let span = (from.timestamp_millis(), to.timestamp_millis());
        let q = and(vec![query, self.ts_range(from, to)]);
        let searcher = self.searcher();
        self.search_parallel(&searcher, &q, &TallyCollector { span })
    }

    /// `from <= ts < to`.
    pub(crate) fn ts_range(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Box<dyn TQuery> {
        let term = |t: DateTime<Utc>| {
            Term::from_field_date(
                self.fields.ts,
                TDate::from_timestamp_millis(t.timestamp_millis()),
            )
        };
        Box::new(RangeQuery::new(
            Bound::Included(term(from)),
            Bound::Excluded(term(to)),
        ))
    }

    /// `field` is exactly `value`.
    pub(crate) fn term(&self, field: Field, value: &str) -> Box<dyn TQuery> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    }
}

/// Every clause must match.
pub(crate) fn and(clauses: Vec<Box<dyn TQuery>>) -> BooleanQuery {
    BooleanQuery::new(clauses.into_iter().map(|q| (Occur::Must, q)).collect())
}

/// Any clause may match.
pub(crate) fn or(clauses: Vec<Box<dyn TQuery>>) -> BooleanQuery {
    BooleanQuery::new(clauses.into_iter().map(|q| (Occur::Should, q)).collect())
}

/// A [`Cell`] by term ordinals (client, service, method, route), in one segment.
type OrdCell = ([Option<u64>; 4], i64, Kind);

struct TallyCollector {
    span: (i64, i64),
}

struct TallySegment {
    span: (i64, i64),
    ts: Column<TDate>,
    status: Column<u64>,
    code: Option<StrColumn>,
    /// client, service, method, route.
    keys: [Option<StrColumn>; 4],
    /// Per (ords…, minute, kind): count and first time.
    cells: HashMap<OrdCell, (u64, i64)>,
}

impl Collector for TallyCollector {
    type Fruit = Tally;
    type Child = TallySegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let fast = reader.fast_fields();
        Ok(TallySegment {
            span: self.span,
            ts: fast.date("ts")?,
            status: fast.u64("status")?,
            code: fast.str("code")?,
            keys: [
                fast.str("client")?,
                fast.str("service")?,
                fast.str("method")?,
                fast.str("route")?,
            ],
            cells: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<tantivy::Result<Tally>>) -> tantivy::Result<Tally> {
        let mut total = Tally::new();
        let fruits = fruits.into_iter().collect::<tantivy::Result<Vec<_>>>()?;
        for (cell, (n, first)) in fruits.into_iter().flatten() {
            let slot = total.entry(cell).or_insert((0, i64::MAX));
            slot.0 += n;
            slot.1 = slot.1.min(first);
        }
        Ok(total)
    }
}

impl SegmentCollector for TallySegment {
    /// A dictionary that cannot be read fails the query, rather than
    /// counting its clients as unknown.
    type Fruit = tantivy::Result<Tally>;

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(ts) = self.ts.first(doc).map(|t| t.into_timestamp_millis()) else {
            return;
        };
        if ts < self.span.0 || ts >= self.span.1 {
            return;
        }
        let status = self.status.first(doc);
        let has_code = self
            .code
            .as_ref()
            .is_some_and(|c| c.ords().first(doc).is_some());
        let kind = match status {
            _ if has_code => Kind::Failed,
            Some(s) if s >= 400 => Kind::Failed,
            Some(_) => Kind::Ok,
            None => Kind::Context,
        };
        let ords = self
            .keys
            .each_ref()
            .map(|c| c.as_ref().and_then(|c| c.ords().first(doc)));
        let slot = self
            .cells
            .entry((ords, ts.div_euclid(60_000), kind))
            .or_insert((0, i64::MAX));
        slot.0 += 1;
        slot.1 = slot.1.min(ts);
    }

    fn harvest(self) -> tantivy::Result<Tally> {
        const FIELDS: [&str; 4] = ["client", "service", "method", "route"];
        let mut names: [HashMap<u64, Option<String>>; 4] = Default::default();
        let mut out = Tally::with_capacity(self.cells.len());
        for ((ords, minute, kind), count) in self.cells {
            let mut text = |i: usize| -> tantivy::Result<Option<String>> {
                let (Some(ord), Some(col)) = (ords[i], self.keys[i].as_ref()) else {
                    return Ok(None);
                };
                if let Some(s) = names[i].get(&ord) {
                    return Ok(s.clone());
                }
                let mut s = String::new();
                let found = col
                    .ord_to_str(ord, &mut s)
                    .map_err(|e| crate::index::dictionary_error(FIELDS[i], e))?;
                let s = found.then_some(s);
                names[i].insert(ord, s.clone());
                Ok(s)
            };
            let cell = Cell {
                client: text(0)?,
                service: text(1)?,
                method: text(2)?,
                route: text(3)?,
                minute,
                kind,
            };
            let slot = out.entry(cell).or_insert((0, i64::MAX));
            slot.0 += count.0;
            slot.1 = slot.1.min(count.1);
        }
        Ok(out)
    }
}
