//! search: the events matching a query, newest first, and how many match.

use tantivy::collector::{Count, TopDocs};
use tantivy::{DateTime as TDate, DocAddress, Order};

use super::{Query, SearchResult};
use crate::error::Result;
use crate::index::LocalStore;
use crate::index::translate::to_tantivy;

impl LocalStore {
    /// The events matching `q`, newest first: `limit` of them after the
    /// newest `offset`, and the total count ([`crate::store::Store::search`]).
    pub fn search_page(&self, q: &Query, offset: usize, limit: usize) -> Result<SearchResult> {
        let searcher = self.searcher();
        let query = to_tantivy(&q.expr)?;
        // A page never holds more than the index does: tantivy sizes its
        // heap by the limit (`--limit 18446744073709551615` overflowed).
        let held = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let offset = offset.min(held);
        let limit = limit.min(held - offset);
        let (addrs, total): (Vec<DocAddress>, usize) = if limit == 0 {
            (
                Vec::new(),
                self.search_parallel(&searcher, &*query, &Count)?,
            )
        } else {
            let top = TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by_fast_field::<TDate>("ts", Order::Desc);
            let (hits, total) = self.search_parallel(&searcher, &*query, &(top, Count))?;
            (hits.into_iter().map(|(_, a)| a).collect(), total)
        };
        Ok(SearchResult {
            query: q.text.clone(),
            total: total as u64,
            events: self.events_at(&searcher, &addrs)?,
        })
    }

    /// How many events match `q`.
    pub fn count(&self, q: &Query) -> Result<u64> {
        let query = to_tantivy(&q.expr)?;
        Ok(self.search_parallel(&self.searcher(), &*query, &Count)? as u64)
    }
}
