//! find over ClickHouse: one id → its events and judged retry chains, the
//! same [`FindResult`] the local index answers. Exact ids go through the
//! lookup tables (or the bloom-filter indexes on newer servers); the chains
//! are built and judged by the library's own chain code.

use std::collections::BTreeSet;

use serde::Deserialize;

use super::ClickHouse;
use super::client::Bind;
use super::sink::event_of;
use crate::Result;
use crate::model::{Chain, Event};
use crate::query::FindResult;
use crate::query::chains::build_chains;
use crate::query::find::{MAX_EVENTS, MIN_PREFIX};

/// The id columns `find` tries, in order, with their lookup tables.
const IDS: [(&str, &str); 3] = [
    ("request_id", "by_request"),
    ("idempotency_key", "by_key"),
    ("trace_id", "by_trace"),
];

#[derive(Deserialize)]
pub(super) struct DocRow {
    doc: String,
    raw: String,
}

#[derive(Deserialize)]
struct Count {
    n: u64,
}

impl ClickHouse {
    /// Finds `id` as a request id, idempotency key, trace id or request-id
    /// prefix (as the local store's `find`).
    pub fn find(&self, id: &str) -> Result<FindResult> {
        let id = id.trim();
        let mut result = FindResult::nothing(id);
        if id.is_empty() {
            return Ok(result);
        }
        for (column, _) in IDS {
            let (events, omitted) = self.events_matching(column, &[id.to_string()], MAX_EVENTS)?;
            if !events.is_empty() {
                result.matched_as = Some(column.to_string());
                (result.events, result.omitted) = (events, omitted);
                break;
            }
        }
        let trace = crate::normalize::bare_trace_id(id);
        if result.events.is_empty() {
            let mut forms: Vec<String> = Vec::new();
            if trace != id {
                forms.push(trace.to_string());
            }
            forms.extend(crate::normalize::xray_twin(trace));
            if !forms.is_empty() {
                result.events = self.events_matching("trace_id", &forms, MAX_EVENTS)?.0;
            }
            if !result.events.is_empty() {
                result.matched_as = Some("trace_id".into());
            }
        }
        if result.events.is_empty() && id.chars().count() >= MIN_PREFIX {
            let ids = self.request_ids_with_prefix(id, 20)?;
            if ids.len() == 1 {
                result.matched_as = Some("request_id_prefix".into());
                (result.events, result.omitted) =
                    self.events_matching("request_id", &ids, MAX_EVENTS)?;
            } else {
                result.candidates = ids;
            }
        }
        let whole_key = result.matched_as.as_deref() == Some("idempotency_key");
        result.chains = self.chains_of(&result.events, whole_key)?;
        Ok(result)
    }

    /// The chains the found events belong to, judged by the library.
    fn chains_of(&self, events: &[Event], whole_key: bool) -> Result<Vec<Chain>> {
        let keys: BTreeSet<String> = events
            .iter()
            .filter_map(|e| e.idempotency_key.clone())
            .collect();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = keys.into_iter().collect();
        let related = self
            .events_matching("idempotency_key", &keys, MAX_EVENTS)?
            .0;
        let mut chains = build_chains(related, &self.catalogs);
        if !whole_key {
            chains.retain(|c| {
                c.attempts
                    .iter()
                    .any(|a| events.iter().any(|e| e.source == a.source))
            });
        }
        Ok(chains)
    }

    /// The newest `cap` events whose `column` is one of `values`, oldest
    /// first, and how many more matched.
    pub fn events_matching(
        &self,
        column: &str,
        values: &[String],
        cap: usize,
    ) -> Result<(Vec<Event>, u64)> {
        let bind = Bind::new()
            .strings("ids", values.iter().map(String::as_str))
            .numbers("cap", [cap as i64]);
        let filter = self.id_filter(column);
        let total: Vec<Count> = self.client.rows(
            &format!("SELECT count() AS n FROM events WHERE {filter}"),
            &bind,
        )?;
        let total = total.first().map_or(0, |c| c.n);
        if total == 0 {
            return Ok((Vec::new(), 0));
        }
        let rows: Vec<DocRow> = self.client.rows(
            &format!(
                "SELECT doc, raw FROM events WHERE {filter} \
                 ORDER BY ts DESC, source_file DESC, source_line DESC LIMIT {cap}"
            ),
            &bind,
        )?;
        let mut events = self.decode(rows)?;
        events.sort_by(|a, b| {
            a.ts.cmp(&b.ts)
                .then_with(|| a.source.file.cmp(&b.source.file))
                .then(a.source.line.cmp(&b.source.line))
        });
        let omitted = total.saturating_sub(events.len() as u64);
        Ok((events, omitted))
    }

    /// `column IN ids`, narrowed through the lookup table where there is one
    /// (each shard reads its own: a chain's rows and their lookups live
    /// together).
    pub(super) fn id_filter(&self, column: &str) -> String {
        let lookup = IDS.iter().find(|(c, _)| *c == column).map(|(_, t)| *t);
        match lookup {
            Some(table) if !self.version.has_bloom_filter() => format!(
                "{column} IN (SELECT v FROM p_ids) AND (service, code, ts) IN \
                 (SELECT service, code, ts FROM {}.{} WHERE {column} IN (SELECT v FROM p_ids))",
                self.client.database,
                self.layout.local(table)
            ),
            _ => format!("{column} IN (SELECT v FROM p_ids)"),
        }
    }

    /// Distinct request ids starting with `prefix`, at most `limit`.
    pub fn request_ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<String>> {
        #[derive(Deserialize)]
        struct Id {
            request_id: String,
        }
        let table = if self.version.has_bloom_filter() {
            "events"
        } else {
            "by_request"
        };
        let rows: Vec<Id> = self.client.rows(
            &format!(
                "SELECT DISTINCT request_id FROM {table} \
                 WHERE startsWith(request_id, (SELECT v FROM p_prefix)) ORDER BY request_id LIMIT {limit}"
            ),
            &Bind::new().string("prefix", prefix),
        )?;
        Ok(rows.into_iter().map(|r| r.request_id).collect())
    }

    /// Rows back into Events; a row that does not decode is an error, never
    /// silently dropped.
    pub(super) fn decode(&self, rows: Vec<DocRow>) -> Result<Vec<Event>> {
        rows.into_iter()
            .map(|r| {
                event_of(&r.doc, r.raw)
                    .ok_or_else(|| self.client.error("a stored event does not decode: run store init on a new database and ingest again"))
            })
            .collect()
    }

    /// Events in the store (committed or not).
    pub fn count_all(&self) -> Result<u64> {
        let rows: Vec<Count> = self
            .client
            .rows("SELECT count() AS n FROM events", &Bind::new())?;
        Ok(rows.first().map_or(0, |c| c.n))
    }
}
