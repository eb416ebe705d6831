//! keyed: `chains` as asked of the index — the idempotency keys of the events
//! matching a query, then the events of those keys, judged by
//! [`super::chains::build_chains`].
//!
//! Loading an event means decompressing its line and normalizing it again,
//! so only the events that can matter are loaded: [`keys`] ranks every key
//! of the index (one merge of the segments' dictionaries) and marks those
//! of the matching events — a time window of every event ranks only the
//! keys it holds —, [`scan`] reads what the fast fields say of every
//! chain (requests, first time, a lone request's code), and [`select`]
//! ranks chains by the best place each could have, loading and judging
//! them best first until no chain left can enter the answer ([`best`], the
//! selection the ClickHouse store shares). No key's text is read but those
//! of the chains loaded. The time orders scan a window of time from the
//! end they start at, widened only while a chain outside it could still
//! enter the answer; a chain judged whole in one window is placed in the
//! wider ones without being loaded again ([`select::Judged`]), and a batch
//! is loaded on every core.

pub mod best;
mod keys;
mod scan;
mod select;

use std::cmp::Reverse;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tantivy::query::{ExistsQuery, Query as TQuery};
use tantivy::{BitSet, Searcher};

use super::ast::Expr;
use super::window::and;
use super::{ChainsResult, Query};
use crate::error::Result;
use crate::index::LocalStore;
use crate::index::translate::to_tantivy;
use crate::model::Chain;
use keys::{KeyTable, KeysCollector};
use scan::{ChainScan, LoneTop};
use select::Judged;

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

    /// Orders judged chains (`Flagged` keeps [`build_chains`](crate::query::chains::build_chains)' order).
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
        // Every event: every key is matched, no pass needed to say which.
        let filter = match q.expr {
            Expr::All => None,
            _ => {
                let table = self.key_table(&searcher)?;
                let keys = KeysCollector {
                    table: table.clone(),
                };
                let matched = self.search_parallel(&searcher, &*to_tantivy(&q.expr)?, &keys)?;
                if matched.len() == 0 {
                    return Ok(ChainsResult { chains: Vec::new() });
                }
                Some(Filter {
                    table,
                    matched: Arc::new(matched),
                })
            }
        };
        let ask = Asked {
            filter,
            flagged_only,
            sort,
            limit,
        };
        let chains = match sort {
            ChainSort::Findings => {
                let with_key = ExistsQuery::new("idempotency_key".to_string(), false);
                self.select_in(&searcher, &ask, &with_key, None, &mut Judged::default())?
                    .unwrap_or_default()
            }
            _ => {
                let keys = key_terms(&searcher).map_err(|e| self.error(e))?;
                let share = share.unwrap_or_else(|| first_share(keys, limit));
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
    fn in_windows(&self, searcher: &Searcher, ask: Asked, share: f64) -> Result<Vec<Chain>> {
        let Some((lo, hi)) = ts_extent(searcher).map_err(|e| self.error(e))? else {
            return Ok(Vec::new());
        };
        let with_key: Box<dyn TQuery> =
            Box::new(ExistsQuery::new("idempotency_key".to_string(), false));
        let mut span = (share * (hi - lo) as f64).max(1.0);
        // Chains judged whole by a narrower window are not loaded again.
        let mut judged = Judged::default();
        loop {
            if span >= (hi - lo) as f64 {
                let chains = self.select_in(searcher, &ask, &*with_key, None, &mut judged)?;
                return Ok(chains.unwrap_or_default());
            }
            let width = span as i64;
            let (from, to, edge) = match ask.sort {
                ChainSort::Oldest => (lo, lo + width + 1, lo + width),
                _ => (hi - width, hi + 1, hi - width),
            };
            let range = self.ts_range(utc(from), utc(to));
            let window = and(vec![with_key.box_clone(), range]);
            let floor = Some(ask.sort.floor(edge));
            if let Some(chains) = self.select_in(searcher, &ask, &window, floor, &mut judged)? {
                return Ok(chains);
            }
            span *= 4.0;
        }
    }

    /// The best chains of the keyed documents `docs` matches (a window of
    /// time when `floor` is set; `None`: too narrow to tell), placing those
    /// already `judged` without loading them again.
    fn select_in(
        &self,
        searcher: &Searcher,
        ask: &Asked,
        docs: &dyn TQuery,
        floor: Option<(i64, i64)>,
        judged: &mut Judged,
    ) -> Result<Option<Vec<Chain>>> {
        let window = floor.is_some();
        let (table, matched) = match &ask.filter {
            Some(f) => (Some(f.table.clone()), Some(f.matched.clone())),
            // A window of every event ranks only the keys it meets.
            None if window => (None, None),
            None => (Some(self.key_table(searcher)?), None),
        };
        // A scan of the whole index places lone requests exactly: each
        // segment keeps only those that can enter.
        let lone_top = (!window).then(|| LoneTop {
            catalogs: Arc::new(self.catalogs.clone()),
            stale: self.is_stale(),
            sort: ask.sort,
            limit: ask.limit,
            flagged_only: ask.flagged_only,
        });
        let collector = ChainScan {
            table,
            matched,
            sparse: window,
            lone_top,
        };
        let (table, scan) = self.search_parallel(searcher, docs, &collector)?;
        let select = select::Ask {
            keys: &table,
            scan,
            flagged_only: ask.flagged_only,
            sort: ask.sort,
            limit: ask.limit,
            floor,
        };
        self.select(searcher, select, judged)
    }

    /// Every key of the index, ranked.
    fn key_table(&self, searcher: &Searcher) -> Result<Arc<KeyTable>> {
        let table = KeyTable::build(searcher).map_err(|e| self.error(e))?;
        Ok(Arc::new(table))
    }
}

/// A `chains` question.
struct Asked {
    /// The keys a query matched, ranked among every key of the index
    /// (`None`: every key).
    filter: Option<Filter>,
    flagged_only: bool,
    sort: ChainSort,
    limit: usize,
}

struct Filter {
    table: Arc<KeyTable>,
    matched: Arc<BitSet>,
}

/// The share of the index's time span the first window covers: about 16
/// keys per chain asked of `keys`, if keys are spread evenly over time (a
/// wrong guess costs a wider window, or a few more keys scanned).
fn first_share(keys: u64, limit: usize) -> f64 {
    (16.0 * limit as f64 / keys.max(1) as f64).min(1.0)
}

/// The keys of every segment's dictionary, added up (a key in several
/// segments counted in each).
fn key_terms(searcher: &Searcher) -> tantivy::Result<u64> {
    let mut terms = 0;
    for reader in searcher.segment_readers() {
        if let Some(column) = reader.fast_fields().str("idempotency_key")? {
            terms += column.dictionary().num_terms() as u64;
        }
    }
    Ok(terms)
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
