//! keyed: `chains` as asked of the index — the idempotency keys of the events
//! matching a query, then every event of those keys, judged by
//! [`super::chains::build_chains`].

use std::collections::BTreeSet;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::chains::build_chains;
use super::{ChainsResult, Query};
use crate::error::Result;
use crate::index::Store;

impl Store {
    /// Chains with an attempt matching `q`, flagged first, at most `limit`.
    pub fn chains(&self, q: &Query, flagged_only: bool, limit: usize) -> Result<ChainsResult> {
        let keys: Vec<String> = self
            .search_parallel(&self.searcher(), &*q.query, &KeysCollector)?
            .into_iter()
            .collect();
        if keys.is_empty() {
            return Ok(ChainsResult { chains: Vec::new() });
        }
        let events = self.events_with_all(self.fields.idempotency_key, &keys)?;
        let mut chains = build_chains(events, &self.catalogs);
        if flagged_only {
            chains.retain(|c| !c.flags.is_empty());
        }
        chains.truncate(limit);
        Ok(ChainsResult { chains })
    }
}

/// The distinct idempotency keys of the matching documents.
struct KeysCollector;

struct KeysSegment {
    column: Option<StrColumn>,
    ords: BTreeSet<u64>,
}

impl Collector for KeysCollector {
    type Fruit = BTreeSet<String>;
    type Child = KeysSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<KeysSegment> {
        Ok(KeysSegment {
            column: reader.fast_fields().str("idempotency_key")?,
            ords: BTreeSet::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<String>>) -> tantivy::Result<BTreeSet<String>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for KeysSegment {
    type Fruit = Vec<String>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(ord) = self.column.as_ref().and_then(|c| c.ords().first(doc)) {
            self.ords.insert(ord);
        }
    }

    fn harvest(self) -> Vec<String> {
        let Some(column) = self.column else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(self.ords.len());
        let mut buf = String::new();
        for ord in self.ords {
            if column.ord_to_str(ord, &mut buf).unwrap_or(false) {
                out.push(buf.clone());
            }
        }
        out
    }
}
