//! search and count over ClickHouse: the events matching a query, newest
//! first, and how many match — the local store's [`SearchResult`].

use serde::Deserialize;

use super::ClickHouse;
use super::sql::Condition;
use crate::Result;
use crate::query::{Query, SearchResult};

#[derive(Deserialize)]
struct Count {
    n: u64,
}

impl ClickHouse {
    /// The newest `limit` events matching `q`, and the total count.
    pub fn search(&self, q: &Query, limit: usize) -> Result<SearchResult> {
        self.search_page(q, 0, limit)
    }

    /// Like [`ClickHouse::search`], skipping the newest `offset` first.
    pub fn search_page(&self, q: &Query, offset: usize, limit: usize) -> Result<SearchResult> {
        let total = self.count(q)?;
        let offset = offset.min(total as usize);
        let limit = limit.min(total as usize - offset);
        let events = if limit == 0 {
            Vec::new()
        } else {
            let (cond, bind) = Condition::of(&q.expr)?;
            let rows = self.client.rows(
                &format!(
                    "SELECT doc, raw FROM events WHERE {cond} \
                     ORDER BY ts DESC, source_file DESC, source_line DESC LIMIT {offset}, {limit}"
                ),
                &bind,
            )?;
            self.decode(rows)?
        };
        Ok(SearchResult {
            query: q.text.clone(),
            total,
            events,
        })
    }

    /// How many events match `q`.
    pub fn count(&self, q: &Query) -> Result<u64> {
        let (cond, bind) = Condition::of(&q.expr)?;
        let rows: Vec<Count> = self.client.rows(
            &format!("SELECT count() AS n FROM events WHERE {cond}"),
            &bind,
        )?;
        Ok(rows.first().map_or(0, |c| c.n))
    }
}
