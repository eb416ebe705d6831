//! chains over ClickHouse: the idempotency keys of the events matching a
//! query, then the requests of those keys, judged by the library's own
//! [`build_chains`] — the local store's [`ChainsResult`] (see
//! `query::keyed`, whose selection this mirrors).
//!
//! One `GROUP BY idempotency_key` over the keys `GLOBAL IN` the matching
//! events (the key set is read once, then sent to every shard) tells, per
//! key, how many requests it has (and, for a lone request, its time and
//! code). As locally, keys with two or more requests
//! (or a lone one whose code says the key was reused) are always judged; of
//! the other lone requests only as many of the newest (oldest for
//! `--sort oldest`) as the list has room for, and none when only flagged
//! chains are asked. Then one query reads the requests of the chosen keys.

use std::cmp::Reverse;

use serde::Deserialize;

use super::ClickHouse;
use super::client::Bind;
use super::find::DocRow;
use super::sql::Condition;
use crate::Result;
use crate::query::chains::{KEY_MISMATCH_CODES, build_chains};
use crate::query::{ChainSort, ChainsResult, Query};

/// A request: a line with a status or a code (context lines are neither).
const IS_REQUEST: &str = "(isNotNull(status) OR code != '')";

/// One key with an event matching the query.
#[derive(Deserialize)]
struct KeyRow {
    key: String,
    requests: u64,
    /// The lone request's fields (meaningless when `requests != 1`).
    #[serde(rename = "one_ts")]
    ts: u64,
    #[serde(rename = "one_status")]
    status: Option<u16>,
    #[serde(rename = "one_code")]
    code: String,
    #[serde(rename = "one_api")]
    api: String,
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
        let keys = self.keys_matching(q)?;
        let mut load: Vec<String> = Vec::new();
        let mut singles: Vec<(u64, String)> = Vec::new();
        for k in keys {
            match k.requests {
                0 => {}
                1 if !self.says_key_reused(&k) => singles.push((k.ts, k.key)),
                _ => load.push(k.key),
            }
        }
        if !flagged_only {
            if sort == ChainSort::Oldest {
                singles.sort_unstable();
            } else {
                singles.sort_unstable_by(|a, b| (Reverse(a.0), &a.1).cmp(&(Reverse(b.0), &b.1)));
            }
            load.extend(singles.into_iter().take(limit).map(|(_, key)| key));
        }
        let mut chains = build_chains(self.requests_of(&load)?, &self.catalogs);
        if flagged_only {
            chains.retain(|c| !c.flags.is_empty());
        }
        sort.sort(&mut chains);
        chains.truncate(limit);
        Ok(ChainsResult { chains })
    }

    /// Every non-empty key with an event matching `q`, with its requests.
    fn keys_matching(&self, q: &Query) -> Result<Vec<KeyRow>> {
        let (cond, bind) = Condition::of(&q.expr)?;
        self.client.rows(
            &format!(
                "SELECT idempotency_key AS key, countIf({IS_REQUEST}) AS requests, \
                 anyIf(ts, {IS_REQUEST}) AS one_ts, anyIf(status, {IS_REQUEST}) AS one_status, \
                 anyIf(code, {IS_REQUEST}) AS one_code, anyIf(api, {IS_REQUEST}) AS one_api \
                 FROM events WHERE idempotency_key GLOBAL IN \
                 (SELECT idempotency_key FROM events WHERE ({cond}) AND idempotency_key != '') \
                 GROUP BY idempotency_key"
            ),
            &bind,
        )
    }

    /// Whether a lone request's code says its key was reused with another
    /// request — the one finding a single-request chain can have.
    fn says_key_reused(&self, k: &KeyRow) -> bool {
        let api = Some(k.api.as_str()).filter(|a| !a.is_empty());
        !k.code.is_empty()
            && (KEY_MISMATCH_CODES.contains(&k.code.as_str())
                || self.catalogs.read_code(api, &k.code, k.status).key_mismatch)
    }

    /// The requests (context lines are no attempt) of `keys`, all of them.
    fn requests_of(&self, keys: &[String]) -> Result<Vec<crate::model::Event>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let bind = Bind::new().strings("keys", keys.iter().map(String::as_str));
        let rows: Vec<DocRow> = self.client.rows(
            &format!(
                "SELECT doc, raw FROM events \
                 WHERE idempotency_key IN (SELECT v FROM p_keys) AND {IS_REQUEST}"
            ),
            &bind,
        )?;
        self.decode(rows)
    }
}
