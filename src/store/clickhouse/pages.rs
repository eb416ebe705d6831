//! Pages anchored at a time (the TUI's "go to time" and the pages it loads
//! past either end) and value completion, over ClickHouse: bounded on `ts`
//! rather than skipping an offset, and assembled as the local store does
//! ([`TimePage::of`]).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::ClickHouse;
use super::client::Bind;
use super::sql::{Condition, WORDS};
use crate::Result;
use crate::model::Event;
use crate::query::ast::{Field, Kind};
use crate::query::{Query, SearchResult, Side, TimePage};

#[derive(Deserialize)]
struct Count {
    n: u64,
}

impl ClickHouse {
    /// The events matching `q` around `at`: up to `per_side` after it and
    /// up to `per_side` at or before it, newest first.
    pub fn search_at(&self, q: &Query, at: DateTime<Utc>, per_side: usize) -> Result<TimePage> {
        let at_ms = at.timestamp_millis();
        let older = self.nearest_first(q, &format!("<= {at_ms}"), "DESC", per_side)?;
        let newer = self.nearest_first(q, &format!("> {at_ms}"), "ASC", per_side)?;
        Ok(TimePage::of(q, at, newer, older))
    }

    /// Up to `limit` events matching `q` on `side` of `at` (included), the
    /// nearest kept, newest first; `total` counts that side.
    pub fn search_beside(
        &self,
        q: &Query,
        at: DateTime<Utc>,
        side: Side,
        limit: usize,
    ) -> Result<SearchResult> {
        let at_ms = at.timestamp_millis();
        let (mut events, total) = match side {
            Side::Older => self.nearest_first(q, &format!("<= {at_ms}"), "DESC", limit)?,
            Side::Newer => self.nearest_first(q, &format!(">= {at_ms}"), "ASC", limit)?,
        };
        if side == Side::Newer {
            events.reverse();
        }
        Ok(SearchResult {
            query: q.text.clone(),
            total,
            events,
        })
    }

    /// The first `limit` events of `q` with `ts {bound}` in `order` of time
    /// (the bound a comparison with a number errtriage computed), and how
    /// many match.
    fn nearest_first(
        &self,
        q: &Query,
        bound: &str,
        order: &str,
        limit: usize,
    ) -> Result<(Vec<Event>, u64)> {
        let (cond, bind) = Condition::of(&q.expr)?;
        let cond = format!("({cond}) AND toInt64(ts) {bound}");
        let counted: Vec<Count> = self.client.rows(
            &format!("SELECT count() AS n FROM events WHERE {cond}"),
            &bind,
        )?;
        let total = counted.first().map_or(0, |c| c.n);
        let limit = limit.min(total as usize);
        if limit == 0 {
            return Ok((Vec::new(), total));
        }
        let rows = self.client.rows(
            &format!(
                "SELECT doc, raw FROM events WHERE {cond} \
                 ORDER BY ts {order}, source_file {order}, source_line {order} LIMIT {limit}"
            ),
            &bind,
        )?;
        Ok((self.decode(rows)?, total))
    }

    /// Up to `limit` distinct values of `field` starting with `prefix`,
    /// sorted (as the local store reads them from its term dictionaries:
    /// message words, status numbers, whole keyword values).
    pub fn complete(&self, field: &str, prefix: &str, limit: usize) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct V {
            v: String,
        }
        let Some(f) = Field::parse(field).filter(|_| limit > 0) else {
            return Ok(Vec::new());
        };
        let bind = Bind::new().string("prefix", prefix);
        let sql = match f.kind() {
            Kind::Keyword => {
                let col = f.as_str();
                format!(
                    "SELECT DISTINCT {col} AS v FROM events \
                     WHERE {col} != '' AND startsWith({col}, (SELECT v FROM p_prefix)) \
                     ORDER BY v LIMIT {limit}"
                )
            }
            Kind::Text => format!(
                "SELECT DISTINCT w AS v FROM (SELECT arrayJoin({WORDS}) AS w FROM events) \
                 WHERE startsWith(w, (SELECT v FROM p_prefix)) ORDER BY v LIMIT {limit}"
            ),
            Kind::Number => {
                // Numeric order, as the index's terms; then as text.
                let sql = format!(
                    "SELECT toString(s) AS v FROM (SELECT DISTINCT assumeNotNull(status) AS s \
                     FROM events WHERE isNotNull(status) \
                     AND startsWith(toString(assumeNotNull(status)), (SELECT v FROM p_prefix)) \
                     ORDER BY s LIMIT {limit})"
                );
                let mut values: Vec<String> = self
                    .client
                    .rows::<V>(&sql, &bind)?
                    .into_iter()
                    .map(|r| r.v)
                    .collect();
                values.sort();
                return Ok(values);
            }
            Kind::Time | Kind::Bool => return Ok(Vec::new()),
        };
        let rows: Vec<V> = self.client.rows(&sql, &bind)?;
        Ok(rows.into_iter().map(|r| r.v).collect())
    }
}
