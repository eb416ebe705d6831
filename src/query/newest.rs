//! newest: the local store's one pass for a `search` page whose query is
//! bounded in time (`since:`/`until:` beside other terms). The time bounds
//! are taken out of the tantivy query and checked per document on the `ts`
//! column that ordering the page reads anyway: as a range query beside the
//! sort, every segment's `ts` column was opened twice (each open decodes
//! every block's header) and scanned for the range. Same page, same count,
//! same order as `TopDocs::order_by_fast_field("ts")` over the whole query:
//! the top of a total order (time, then address) is unique.

use std::ops::{Bound, RangeBounds};

use chrono::{DateTime, Utc};
use tantivy::collector::sort_key::ComparatorEnum;
use tantivy::collector::{Collector, SegmentCollector, TopNComputer};
use tantivy::columnar::Column;
use tantivy::{DateTime as TDate, DocAddress, DocId, Order, Score, SegmentOrdinal, SegmentReader};

use super::ast::{Expr, Field, Value};

/// A query split into what tantivy answers and the `ts` bounds checked on
/// the column (epoch nanoseconds, as the column holds them).
pub(crate) struct TimeSplit {
    pub rest: Expr,
    pub lo: Bound<i64>,
    pub hi: Bound<i64>,
}

/// `expr` as its other terms and its one `ts` range, when it is a
/// conjunction holding exactly one such range on whole milliseconds (what
/// `since:`/`until:` write) and at least one positive term besides, so the
/// rest still selects documents by itself. `None`: answer it whole.
pub(crate) fn split_time(expr: &Expr) -> Option<TimeSplit> {
    let Expr::And(children) = expr else {
        return None;
    };
    let is_ts = |c: &Expr| {
        matches!(
            c,
            Expr::Range {
                field: Field::Ts,
                ..
            }
        )
    };
    let mut ranges = children.iter().filter(|c| is_ts(c));
    let Some(Expr::Range { lo, hi, .. }) = ranges.next() else {
        return None;
    };
    if ranges.next().is_some() {
        return None;
    }
    let rest: Vec<Expr> = children.iter().filter(|c| !is_ts(c)).cloned().collect();
    if !rest.iter().any(|c| !matches!(c, Expr::Not(_))) {
        return None;
    }
    Some(TimeSplit {
        rest: Expr::And(rest),
        lo: nanos(lo)?,
        hi: nanos(hi)?,
    })
}

/// A time bound in epoch nanoseconds; `None` for a bound that is not a
/// whole millisecond (tantivy's own rounding of it is then not ours to
/// repeat) or not a time.
fn nanos(b: &Bound<Value>) -> Option<Bound<i64>> {
    let at = |v: &Value| match v {
        Value::Time(t) if t.timestamp_subsec_nanos() % 1_000_000 == 0 => ms_nanos(t),
        _ => None,
    };
    Some(match b {
        Bound::Included(v) => Bound::Included(at(v)?),
        Bound::Excluded(v) => Bound::Excluded(at(v)?),
        Bound::Unbounded => Bound::Unbounded,
    })
}

fn ms_nanos(t: &DateTime<Utc>) -> Option<i64> {
    t.timestamp_millis().checked_mul(1_000_000)
}

/// The first `offset + limit` matches in `order` of `ts` within the
/// bounds, and how many match within them.
pub(crate) struct NewestInRange {
    pub lo: Bound<i64>,
    pub hi: Bound<i64>,
    pub order: Order,
    pub offset: usize,
    pub limit: usize,
}

pub(crate) struct NewestSegment {
    ts: Column<TDate>,
    lo: Bound<i64>,
    hi: Bound<i64>,
    top: TopNComputer<i64, DocId, ComparatorEnum>,
    segment: SegmentOrdinal,
    count: usize,
}

impl Collector for NewestInRange {
    type Fruit = (Vec<DocAddress>, usize);
    type Child = NewestSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<NewestSegment> {
        Ok(NewestSegment {
            ts: reader.fast_fields().date("ts")?,
            lo: self.lo,
            hi: self.hi,
            top: TopNComputer::new_with_comparator(self.offset + self.limit, self.order.into()),
            segment,
            count: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(Vec<(i64, DocAddress)>, usize)>,
    ) -> tantivy::Result<(Vec<DocAddress>, usize)> {
        let mut top = TopNComputer::new_with_comparator(
            self.offset + self.limit,
            ComparatorEnum::from(self.order),
        );
        let mut count = 0;
        for (hits, n) in fruits {
            count += n;
            for (ts, addr) in hits {
                top.push(ts, addr);
            }
        }
        let page = top.into_sorted_vec().into_iter().skip(self.offset);
        Ok((page.map(|d| d.doc).collect(), count))
    }
}

impl SegmentCollector for NewestSegment {
    type Fruit = (Vec<(i64, DocAddress)>, usize);

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(ts) = self.ts.first(doc) else {
            return;
        };
        let ts = ts.into_timestamp_nanos();
        if (self.lo, self.hi).contains(&ts) {
            self.count += 1;
            self.top.push(ts, doc);
        }
    }

    fn harvest(self) -> Self::Fruit {
        let segment_ord = self.segment;
        let hits = self.top.into_vec().into_iter().map(|d| {
            let addr = DocAddress::new(segment_ord, d.doc);
            (d.sort_key, addr)
        });
        (hits.collect(), self.count)
    }
}
