//! window: what `impact` asks of the index, by fast fields only. The events
//! matching a query inside a time window are tallied per (client, service,
//! method, route, minute, kind) in a collector that reads columns and
//! never loads a document, so a window of 100k events costs milliseconds.
//! Also the small query builders (`field:value`, a time range) that
//! `impact`, `timeline` and `context` compose.
//!
//! At 10M events every segment spans every day (each generated file
//! does), so a `ts` range skips no segment and scans the whole column of
//! each: a sparse query (a code) is walked whole instead, its documents'
//! times checked here, and the traffic of many clients and services is
//! driven by the range alone, the names checked here by ordinal.

use std::collections::BTreeSet;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query as TQuery, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DateTime as TDate, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, Term};

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
pub(crate) type Tally = FxHashMap<Cell, (u64, i64)>;

/// Clients and services, by name: whose events a tally keeps.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    pub clients: BTreeSet<String>,
    pub services: BTreeSet<String>,
}

impl LocalStore {
    /// Tally the events matching `query` with `from <= ts < to`. A sparse
    /// query is walked whole, each document's time checked by the
    /// collector; a dense one is intersected with the `ts` range.
    pub(crate) fn tally(
        &self,
        query: Box<dyn TQuery>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Tally> {
        let searcher = self.searcher();
        let collector = TallyCollector::new(from, to, None);
        if self.sparse(&searcher, &*query)? {
            return self.search_parallel(&searcher, &*query, &collector);
        }
        let q = and(vec![query, self.ts_range(from, to)]);
        self.search_parallel(&searcher, &q, &collector)
    }

    /// Tally every event of `names` (a client or a service among them)
    /// with `from <= ts < to`. Names with few events are walked through
    /// their postings; busy ones (a service with a third of the index) let
    /// the range drive, the collector keeping the names by ordinal: a union
    /// of their postings would walk all of them, over every day, to keep
    /// one window.
    pub(crate) fn tally_named(
        &self,
        names: Names,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Tally> {
        if names.clients.is_empty() && names.services.is_empty() {
            return Ok(Tally::default());
        }
        let searcher = self.searcher();
        let f = &self.fields;
        let each = (names.clients.iter().map(|c| self.term(f.client, c)))
            .chain(names.services.iter().map(|s| self.term(f.service, s)))
            .collect();
        let named = or(each);
        let collector = TallyCollector::new(from, to, Some(names));
        if self.sparse(&searcher, &named)? {
            return self.search_parallel(&searcher, &named, &collector);
        }
        self.search_parallel(&searcher, &*self.ts_range(from, to), &collector)
    }

    /// Whether `query` matches under an eighth of the index, by its
    /// scorers' size hints (a term's document frequency): cheaper walked
    /// whole than intersected with a scan of the `ts` column.
    fn sparse(&self, searcher: &Searcher, query: &dyn TQuery) -> Result<bool> {
        let weight = query
            .weight(EnableScoring::disabled_from_searcher(searcher))
            .map_err(|e| self.error(e))?;
        let mut hint = 0u64;
        for segment in searcher.segment_readers() {
            let scorer = weight.scorer(segment, 1.0).map_err(|e| self.error(e))?;
            hint += u64::from(scorer.size_hint());
        }
        Ok(hint.saturating_mul(8) < searcher.num_docs())
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
    /// Keep only these clients' and services' events.
    only: Option<Names>,
}

impl TallyCollector {
    fn new(from: DateTime<Utc>, to: DateTime<Utc>, only: Option<Names>) -> TallyCollector {
        let span = (from.timestamp_millis(), to.timestamp_millis());
        TallyCollector { span, only }
    }
}

/// [`Names`] as one segment's term ordinals (client, service), sorted.
type OrdNames = (Vec<u64>, Vec<u64>);

struct TallySegment {
    span: (i64, i64),
    /// The segment's times all fall outside the span: nothing to count.
    skip: bool,
    only: Option<OrdNames>,
    ts: Column<TDate>,
    status: Column<u64>,
    code: Option<StrColumn>,
    /// client, service, method, route.
    keys: [Option<StrColumn>; 4],
    /// Per (ords…, minute, kind): count and first time.
    cells: FxHashMap<OrdCell, (u64, i64)>,
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
        let ts = fast.date("ts")?;
        let (min, max) = (ts.min_value(), ts.max_value());
        let skip =
            max.into_timestamp_millis() < self.span.0 || min.into_timestamp_millis() >= self.span.1;
        let keys = [
            fast.str("client")?,
            fast.str("service")?,
            fast.str("method")?,
            fast.str("route")?,
        ];
        let only = match &self.only {
            Some(n) => Some((
                ords_of(keys[0].as_ref(), &n.clients)?,
                ords_of(keys[1].as_ref(), &n.services)?,
            )),
            None => None,
        };
        Ok(TallySegment {
            span: self.span,
            skip,
            only,
            ts,
            status: fast.u64("status")?,
            code: fast.str("code")?,
            keys,
            cells: FxHashMap::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<tantivy::Result<Tally>>) -> tantivy::Result<Tally> {
        let mut total = Tally::default();
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
        if self.skip {
            return;
        }
        let Some(ts) = self.ts.first(doc).map(|t| t.into_timestamp_millis()) else {
            return;
        };
        if ts < self.span.0 || ts >= self.span.1 {
            return;
        }
        let ords = self
            .keys
            .each_ref()
            .map(|c| c.as_ref().and_then(|c| c.ords().first(doc)));
        if let Some((clients, services)) = &self.only {
            let named = |ord: Option<u64>, set: &Vec<u64>| {
                ord.is_some_and(|o| set.binary_search(&o).is_ok())
            };
            if !named(ords[0], clients) && !named(ords[1], services) {
                return;
            }
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
        let slot = self
            .cells
            .entry((ords, ts.div_euclid(60_000), kind))
            .or_insert((0, i64::MAX));
        slot.0 += 1;
        slot.1 = slot.1.min(ts);
    }

    fn harvest(self) -> tantivy::Result<Tally> {
        const FIELDS: [&str; 4] = ["client", "service", "method", "route"];
        let mut names: [FxHashMap<u64, Option<String>>; 4] = Default::default();
        let mut out = Tally::with_capacity_and_hasher(self.cells.len(), Default::default());
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

/// The ordinals of `names` in a segment's column (sorted; a name the
/// segment lacks has none).
fn ords_of(column: Option<&StrColumn>, names: &BTreeSet<String>) -> tantivy::Result<Vec<u64>> {
    let Some(column) = column else {
        return Ok(Vec::new());
    };
    let mut ords = Vec::with_capacity(names.len());
    for name in names {
        ords.extend(column.dictionary().term_ord(name)?);
    }
    ords.sort_unstable();
    Ok(ords)
}
