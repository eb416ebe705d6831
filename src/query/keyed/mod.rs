//! keyed: `chains` as asked of the index — the idempotency keys of the events
//! matching a query, then the events of those keys, judged by
//! [`super::chains::build_chains`].
//!
//! Loading an event means decompressing its line and normalizing it again,
//! so only the events that can matter are loaded: [`keys`] ranks every key
//! of the index (one merge of the segments' dictionaries) and marks those
//! of the matching events, [`scan`] reads what the fast fields say of every
//! chain (requests, first time, a lone request's code), and [`select`]
//! ranks chains by the best place each could have, loading and judging
//! them best first until no chain left can enter the answer ([`best`], the
//! selection the ClickHouse store shares). No key's text is read but those
//! of the chains loaded.

pub mod best;
mod keys;
mod scan;
mod select;

use std::cmp::Reverse;
use std::sync::Arc;

use tantivy::query::ExistsQuery;

use super::ast::Expr;
use super::{ChainsResult, Query};
use crate::error::Result;
use crate::index::LocalStore;
use crate::index::translate::to_tantivy;
use crate::model::Chain;
use keys::{KeyTable, KeysCollector};
use scan::ChainScan;

/// The order of `chains`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChainSort {
    /// Flagged first, then newest (the default).
    #[default]
    Flagged,
    /// Most findings first, then newest.
    Findings,
    /// By first attempt, newest first.
    Newest,
    /// By first attempt, oldest first.
    Oldest,
}

impl ChainSort {
    pub const ALL: [ChainSort; 3] = [ChainSort::Findings, ChainSort::Newest, ChainSort::Oldest];

    pub fn as_str(self) -> &'static str {
        match self {
            ChainSort::Flagged => "flagged",
            ChainSort::Findings => "findings",
            ChainSort::Newest => "newest",
            ChainSort::Oldest => "oldest",
        }
    }

    pub fn parse(s: &str) -> Option<ChainSort> {
        ChainSort::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Orders judged chains (`Flagged` keeps [`build_chains`]' order).
    pub fn sort(self, chains: &mut [Chain]) {
        let first = |c: &Chain| c.attempts.first().map(|e| e.ts);
        match self {
            ChainSort::Flagged => {}
            ChainSort::Findings => {
                chains.sort_by_key(|c| (Reverse(c.flags.len()), Reverse(first(c))))
            }
            ChainSort::Newest => chains.sort_by_key(|c| Reverse(first(c))),
            ChainSort::Oldest => chains.sort_by_key(first),
        }
    }
}

impl LocalStore {
    /// Chains with an attempt matching `q` in `sort` order, at most `limit`.
    pub fn chains_sorted(
        &self,
        q: &Query,
        flagged_only: bool,
        sort: ChainSort,
        limit: usize,
    ) -> Result<ChainsResult> {
        let searcher = self.searcher();
        if limit == 0 {
            return Ok(ChainsResult { chains: Vec::new() });
        }
        let table = Arc::new(KeyTable::build(&searcher).map_err(|e| self.error(e))?);
        let with_key = ExistsQuery::new("idempotency_key".to_string(), false);
        // Every event: every key is matched, no pass needed to say which.
        let matched = match q.expr {
            Expr::All => None,
            _ => {
                let keys = KeysCollector {
                    table: table.clone(),
                };
                let matched = self.search_parallel(&searcher, &*to_tantivy(&q.expr)?, &keys)?;
                if matched.len() == 0 {
                    return Ok(ChainsResult { chains: Vec::new() });
                }
                Some(Arc::new(matched))
            }
        };
        let scan = ChainScan {
            table: table.clone(),
            matched,
        };
        let scan = self.search_parallel(&searcher, &with_key, &scan)?;
        let ask = select::Ask {
            keys: &table,
            scan,
            flagged_only,
            sort,
            limit,
        };
        let chains = self.select(&searcher, ask)?;
        Ok(ChainsResult { chains })
    }
}

#[cfg(test)]
mod tests;
