//! chains over ClickHouse: the chains of the idempotency keys of the events
//! matching a query, the best `limit` of them in the chosen order — the
//! local store's [`ChainsResult`], chosen by the selection both stores
//! share ([`best_chains`]) and judged by the library's own chain code.
//!
//! The server summarises every chain (key, service, client) with one
//! `GROUP BY`: how many requests, the first one's time, a lone request's
//! code and status. It also orders the summaries by the best place each
//! chain could have (the local store's bound: a chain surely clean — one
//! request that did not fail — has no finding, any other as many as its
//! length allows; ties by key, service and client as text) and hands them
//! a page at a time, so what comes over the wire follows `limit`, not the
//! number of keys. The shared selection places lone requests at once,
//! reads the requests of longer chains a batch at a time (one query, the
//! keys bound) and stops reading pages once no chain left can enter.
//!
//! On a cluster each shard groups, orders and cuts its own chains
//! (`distributed_group_by_no_merge`): rows are sharded by the key, so a
//! chain lives on one shard and a shard's groups are whole; the node asked
//! merges the shards' sorted pages.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::ClickHouse;
use super::client::Bind;
use super::find::DocRow;
use super::sql::Condition;
use crate::Result;
use crate::model::Event;
use crate::query::ast::Expr;
use crate::query::chains::build_chains;
use crate::query::keyed::best::{
    Candidate, FLAGS_PER_REQUEST, Loader, Lone, LoneFlags, Pick, best_chains, most_flags, positions,
};
use crate::query::{ChainSort, ChainsResult, Query};

/// A request: a line with a status or a code (context lines are neither).
const IS_REQUEST: &str = "(isNotNull(status) OR code != '')";

/// The first page of summaries holds this many per chain asked, at least
/// [`MIN_PAGE`]; each next page is 4 times larger, up to [`MAX_PAGE`].
const PAGE_PER_CHAIN: usize = 4;
const MIN_PAGE: usize = 64;
const MAX_PAGE: usize = 16_384;

/// A chain, by key, service and client ("" for none), as the server
/// orders them: text compared byte by byte, as the local store does.
type Ties = (String, String, String);

/// One chain as the server summarises it.
#[derive(Deserialize)]
struct Summary {
    key: String,
    service: String,
    client: String,
    requests: u64,
    first_ts: u64,
    /// One request's code, api and status: the lone request's when
    /// `requests == 1`.
    one_code: String,
    one_api: String,
    one_status: Option<u16>,
}

impl Summary {
    fn lone(&self) -> Lone<'_> {
        Lone {
            status: self.one_status,
            code: named(&self.one_code),
            api: named(&self.one_api),
            service: named(&self.service),
        }
    }
}

/// A name, or none for the empty string the columns keep for none.
fn named(s: &str) -> Option<&str> {
    Some(s).filter(|s| !s.is_empty())
}

impl ClickHouse {
    /// Chains with an event matching `q` in `sort` order, at most `limit`.
    pub fn chains_sorted(
        &self,
        q: &Query,
        flagged_only: bool,
        sort: ChainSort,
        limit: usize,
    ) -> Result<ChainsResult> {
        if limit == 0 {
            return Ok(ChainsResult { chains: Vec::new() });
        }
        let (sql, bind) = self.summaries_sql(q)?;
        let mut pages = Pages {
            store: self,
            sql,
            order: order_by(sort),
            bind,
            offset: 0,
            size: (limit.saturating_mul(PAGE_PER_CHAIN)).clamp(MIN_PAGE, MAX_PAGE),
            rows: Vec::new().into_iter(),
            done: false,
        };
        let mut lone = LoneFlags::new(&self.catalogs, false);
        let candidates = std::iter::from_fn(|| {
            let s = match pages.next()? {
                Ok(s) => s,
                Err(e) => return Some(Err(e)),
            };
            let id = (
                s.one_code.clone(),
                s.one_api.clone(),
                s.service.clone(),
                s.one_status,
            );
            let single = s.requests == 1;
            let known = single.then(|| lone.flags(id, s.lone())).flatten();
            let most = match single && !s.lone().failed() {
                true => 0,
                false => most_flags(u32::try_from(s.requests).unwrap_or(u32::MAX)),
            };
            let ties = (s.key, s.service, s.client);
            Some(Ok(Candidate {
                first: s.first_ts as i64,
                ties: ties.clone(),
                most,
                known,
                handle: ties,
            }))
        });
        let pick = Pick {
            sort,
            flagged_only,
            limit,
            floor: None,
        };
        // Every chain is a candidate: no floor, an answer always.
        let chains = best_chains(pick, candidates, &mut Requests(self))?.unwrap_or_default();
        Ok(ChainsResult { chains })
    }

    /// The `GROUP BY` of every chain of the keys with an event matching
    /// `q`, still to be ordered and cut, and the values it binds.
    fn summaries_sql(&self, q: &Query) -> Result<(String, Bind)> {
        let (cond, bind) = Condition::of(&q.expr)?;
        // On a cluster each shard reads its own events: a key's events are
        // all on its shard.
        let matched = match q.expr {
            Expr::All => String::new(),
            _ => format!(
                " AND idempotency_key IN (SELECT idempotency_key FROM {}.{} \
                 WHERE ({cond}) AND idempotency_key != '')",
                self.client.database,
                self.layout.local("events")
            ),
        };
        let sql = format!(
            "SELECT idempotency_key AS key, service, client, count() AS requests, \
             min(ts) AS first_ts, any(code) AS one_code, any(api) AS one_api, \
             any(status) AS one_status, \
             requests = 1 AND one_code = '' AND ifNull(one_status < 400, 1) AS clean, \
             if(clean, 0, {FLAGS_PER_REQUEST} * requests + 1) AS most \
             FROM events WHERE {IS_REQUEST} AND idempotency_key != ''{matched} \
             GROUP BY key, service, client"
        );
        Ok((sql, bind))
    }

    /// The requests (context lines are no attempt) of `keys`, all of them.
    fn requests_of(&self, keys: &BTreeSet<&str>) -> Result<Vec<Event>> {
        let bind = Bind::new().strings("ids", keys.iter().copied());
        let rows: Vec<DocRow> = self.client.rows(
            &format!(
                "SELECT doc, raw FROM events WHERE {} AND {IS_REQUEST}",
                self.id_filter("idempotency_key")
            ),
            &bind,
        )?;
        self.decode(rows)
    }
}

/// The order of the summaries: by the best place each chain could have in
/// `sort` (as `ChainSort::rank` places them, with `most` findings).
fn order_by(sort: ChainSort) -> &'static str {
    match sort {
        ChainSort::Flagged => "clean, first_ts DESC, key, service, client",
        ChainSort::Findings => "most DESC, first_ts DESC, key, service, client",
        ChainSort::Newest => "first_ts DESC, clean, key, service, client",
        ChainSort::Oldest => "first_ts, clean, key, service, client",
    }
}

/// The summaries in order, a page at a time.
struct Pages<'a> {
    store: &'a ClickHouse,
    sql: String,
    order: &'static str,
    bind: Bind,
    offset: usize,
    size: usize,
    rows: std::vec::IntoIter<Summary>,
    done: bool,
}

impl Pages<'_> {
    /// The next page: on a cluster every shard orders and cuts its own
    /// chains, and this node merges them.
    fn fetch(&self) -> Result<Vec<Summary>> {
        let (sql, order, offset, size) = (&self.sql, self.order, self.offset, self.size);
        let sql = match self.store.layout.cluster {
            None => format!("{sql} ORDER BY {order} LIMIT {offset}, {size}"),
            Some(_) => format!(
                "SELECT * FROM ({sql} ORDER BY {order} LIMIT {end}) \
                 ORDER BY {order} LIMIT {offset}, {size} \
                 SETTINGS distributed_group_by_no_merge = 1",
                end = offset + size
            ),
        };
        self.store.client.rows(&sql, &self.bind)
    }
}

impl Iterator for Pages<'_> {
    type Item = Result<Summary>;

    fn next(&mut self) -> Option<Result<Summary>> {
        loop {
            if let Some(s) = self.rows.next() {
                return Some(Ok(s));
            }
            if self.done {
                return None;
            }
            match self.fetch() {
                Ok(rows) => {
                    self.done = rows.len() < self.size;
                    self.offset += rows.len();
                    self.size = (self.size * 4).min(MAX_PAGE);
                    self.rows = rows.into_iter();
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// Chains read by their (key, service, client).
struct Requests<'a>(&'a ClickHouse);

impl Loader for Requests<'_> {
    type Handle = Ties;

    fn load(&mut self, wanted: &[Ties]) -> Result<Vec<(usize, crate::model::Chain)>> {
        let keys: BTreeSet<&str> = wanted.iter().map(|w| w.0.as_str()).collect();
        let chains = build_chains(self.0.requests_of(&keys)?, &self.0.catalogs);
        let ids = wanted
            .iter()
            .map(|(k, s, c)| (k.as_str(), named(s), named(c)));
        Ok(positions(chains, ids))
    }
}
