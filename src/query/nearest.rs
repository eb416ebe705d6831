//! nearest: the local store's one pass for `timeline`. Over one client's
//! postings it reads only fast fields (`ts`, `status`, `code`): it counts
//! every event of the window and its requests and failures (the error
//! rate), and keeps the addresses of the [`super::timeline::PAGE`] events
//! nearest the moment on either side — the only documents the timeline then
//! loads. The window is checked per document rather than with a `ts`
//! range query, which would scan the whole `ts` column of every segment.

use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DateTime as TDate, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::timeline::Counts;

/// An event's place in time: its `ts` (epoch ms), ties broken by address.
pub(crate) type Stamp = (i64, DocAddress);

/// Counts over `[from, to)` and the `page` stamps nearest `at`: the latest
/// before it and the earliest from it on.
pub(crate) struct Nearest {
    pub from: i64,
    pub at: i64,
    pub to: i64,
    pub page: usize,
}

/// What [`Nearest`] finds: `before` newest first, `after` oldest first.
#[derive(Debug, Default)]
pub(crate) struct NearestFruit {
    pub counts: Counts,
    pub before: Vec<Stamp>,
    pub after: Vec<Stamp>,
}

pub(crate) struct NearestSegment {
    ord: SegmentOrdinal,
    span: (i64, i64, i64),
    page: usize,
    ts: Column<TDate>,
    status: Column<u64>,
    code: Option<StrColumn>,
    counts: Counts,
    /// The `page` latest before `at`: a min-heap (by `Reverse`), so the
    /// oldest of them is the one dropped.
    before: BinaryHeap<std::cmp::Reverse<Stamp>>,
    /// The `page` earliest from `at` on: a max-heap, the latest dropped.
    after: BinaryHeap<Stamp>,
}

impl Collector for Nearest {
    type Fruit = NearestFruit;
    type Child = NearestSegment;

    fn for_segment(
        &self,
        ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<NearestSegment> {
        let fast = reader.fast_fields();
        Ok(NearestSegment {
            ord,
            span: (self.from, self.at, self.to),
            page: self.page,
            ts: fast.date("ts")?,
            status: fast.u64("status")?,
            code: fast.str("code")?,
            counts: Counts::default(),
            before: BinaryHeap::new(),
            after: BinaryHeap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<NearestFruit>) -> tantivy::Result<NearestFruit> {
        let mut all = NearestFruit::default();
        for f in fruits {
            all.counts.add(&f.counts);
            all.before.extend(f.before);
            all.after.extend(f.after);
        }
        all.before.sort_unstable_by(|a, b| b.cmp(a));
        all.before.truncate(self.page);
        all.after.sort_unstable();
        all.after.truncate(self.page);
        Ok(all)
    }
}

impl SegmentCollector for NearestSegment {
    type Fruit = NearestFruit;

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(ts) = self.ts.first(doc).map(|t| t.into_timestamp_millis()) else {
            return;
        };
        let (from, at, to) = self.span;
        if ts < from || ts >= to {
            return;
        }
        let has_code = self
            .code
            .as_ref()
            .is_some_and(|c| c.ords().first(doc).is_some());
        self.counts.count(self.status.first(doc), has_code);
        let stamp = (ts, DocAddress::new(self.ord, doc));
        if ts < at {
            self.before.push(std::cmp::Reverse(stamp));
            if self.before.len() > self.page {
                self.before.pop();
            }
        } else {
            self.after.push(stamp);
            if self.after.len() > self.page {
                self.after.pop();
            }
        }
    }

    fn harvest(self) -> NearestFruit {
        NearestFruit {
            counts: self.counts,
            before: self.before.into_iter().map(|r| r.0).collect(),
            after: self.after.into_vec(),
        }
    }
}
