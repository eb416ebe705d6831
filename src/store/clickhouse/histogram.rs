//! histogram over ClickHouse: the query's events counted per time bucket
//! with one `GROUP BY` over the same span and the same bucket arithmetic as
//! the local store (`query::histogram::bucket`), so both draw the same bars.

use serde::Deserialize;

use super::ClickHouse;
use super::sql::Condition;
use crate::Result;
use crate::query::histogram::to_chrono;
use crate::query::{Histogram, Query};

#[derive(Deserialize)]
struct Bucket {
    b: u64,
    n: u64,
}

impl ClickHouse {
    /// Counts of the events matching `q` over time, in `buckets` equal parts
    /// of the query's span (its since/until, else the store's first/last).
    pub fn histogram(&self, q: &Query, buckets: usize) -> Result<Histogram> {
        let buckets = buckets.max(1);
        let (start, end) = self.span(q)?;
        let width = (end - start).max(1).unsigned_abs() + 1;
        let (cond, bind) = Condition::of(&q.expr)?;
        // Only numbers errtriage computed go into the text; the query's
        // values stay bound in `bind`.
        let sql = format!(
            "SELECT toUInt64(least(intDiv(toUInt64(greatest(toInt64(ts) - {start}, 0)) * {buckets}, {width}), {last})) AS b, \
             count() AS n FROM events WHERE ({cond}) GROUP BY b",
            last = buckets - 1,
        );
        let rows: Vec<Bucket> = self.client.rows(&sql, &bind)?;
        let mut counts = vec![0; buckets];
        for r in rows {
            if let Some(c) = usize::try_from(r.b).ok().and_then(|i| counts.get_mut(i)) {
                *c += r.n;
            }
        }
        Ok(Histogram {
            start: to_chrono(start),
            end: to_chrono(end),
            counts,
        })
    }
}
