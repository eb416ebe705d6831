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
//! of the chains loaded. The time orders scan a window of time from the
//! end they start at, widened only while a chain outside it could still
//! enter the answer.

pub mod best;
mod keys;
mod scan;
mod select;

use std::cmp::Reverse;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tantivy::Searcher;
use tantivy::query::{ExistsQuery, Query as TQuery};

use super::ast::Expr;
use super::window::and;
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
        self.chains_from(q, flagged_only, sort, limit, None)
    }

    /// [`Self::chains_sorted`], a time order's first window covering
    /// `share` of the index's time span (`None`: as many keys as the answer
    /// needs, roughly).
    fn chains_from(
        &self,
        q: &Query,
        flagged_only: bool,
        sort: ChainSort,
        limit: usize,
        share: Option<f64>,
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
            sparse: false,
        };
        let chains = match sort {
            ChainSort::Findings => {
                let scan = self.search_parallel(&searcher, &with_key, &scan)?;
                let ask = select::Ask {
                    keys: &table,
                    scan,
                    flagged_only,
                    sort,
                    limit,
                    floor: None,
                };
                self.select(&searcher, ask)?.unwrap_or_default()
            }
            _ => {
                let share = share.unwrap_or_else(|| first_share(&table, limit));
                let ask = Windowed {
                    scan: &scan,
                    flagged_only,
                    sort,
                    limit,
                };
                self.in_windows(&searcher, ask, share)?
            }
        };
        Ok(ChainsResult { chains })
    }

    /// The chains of a time order, scanning ever wider windows from the end
    /// the order starts at (`share` of the index's time span first, four
    /// times wider each time):
    /// a chain's first request bounds all its documents, so once `limit`
    /// chains inside a window beat every chain that starts outside it, the
    /// rest of the index is never read.
    fn in_windows(&self, searcher: &Searcher, ask: Windowed, share: f64) -> Result<Vec<Chain>> {
        let Some((lo, hi)) = ts_extent(searcher).map_err(|e| self.error(e))? else {
            return Ok(Vec::new());
        };
        let with_key: Box<dyn TQuery> =
            Box::new(ExistsQuery::new("idempotency_key".to_string(), false));
        let mut span = (share * (hi - lo) as f64).max(1.0);
        loop {
            let whole = span >= (hi - lo) as f64;
            let (query, floor): (Box<dyn TQuery>, _) = if whole {
                (with_key.box_clone(), None)
            } else {
                let width = span as i64;
                let (from, to, edge) = match ask.sort {
                    ChainSort::Oldest => (lo, lo + width + 1, lo + width),
                    _ => (hi - width, hi + 1, hi - width),
                };
                let range = self.ts_range(utc(from), utc(to));
                let query = Box::new(and(vec![with_key.box_clone(), range]));
                (query, Some(ask.sort.floor(edge)))
            };
            let collector = ChainScan {
                sparse: !whole,
                ..ask.scan.clone()
            };
            let scan = self.search_parallel(searcher, &*query, &collector)?;
            let select = select::Ask {
                keys: &ask.scan.table,
                scan,
                flagged_only: ask.flagged_only,
                sort: ask.sort,
                limit: ask.limit,
                floor,
            };
            if let Some(chains) = self.select(searcher, select)? {
                return Ok(chains);
            }
            span *= 4.0;
        }
    }
}

/// A time-ordered `chains` question.
struct Windowed<'a> {
    scan: &'a ChainScan,
    flagged_only: bool,
    sort: ChainSort,
    limit: usize,
}

/// The share of the index's time span the first window covers: about 16
/// keys per chain asked, if keys are spread evenly over time (a wrong
/// guess costs a wider window, or a few more keys scanned).
fn first_share(table: &KeyTable, limit: usize) -> f64 {
    (16.0 * limit as f64 / f64::from(table.count().max(1))).min(1.0)
}

/// The first and last `ts` of any document (inferred times included), in
/// epoch ms.
fn ts_extent(searcher: &Searcher) -> tantivy::Result<Option<(i64, i64)>> {
    let mut span: Option<(i64, i64)> = None;
    for reader in searcher.segment_readers() {
        if reader.num_docs() == 0 {
            continue;
        }
        let ts = reader.fast_fields().date("ts")?;
        let (min, max) = (
            ts.min_value().into_timestamp_millis(),
            ts.max_value().into_timestamp_millis(),
        );
        span = Some(span.map_or((min, max), |(a, b)| (a.min(min), b.max(max))));
    }
    Ok(span)
}

fn utc(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests;
