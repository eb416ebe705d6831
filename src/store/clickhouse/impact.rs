//! impact over ClickHouse: "is it just this client, or everyone?" as three
//! `GROUP BY`s of (client, service, method, route, minute, kind) with
//! `count()` and `min(ts)` — the same tallies the local store collects from
//! its fast fields ([`crate::query::window`]) — judged by the library's
//! own code ([`crate::query::impact::answer`]), so both stores give the
//! same verdict.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::ClickHouse;
use super::client::Bind;
use super::sql::Condition;
use crate::model::Event;
use crate::query::Query;
use crate::query::ast::{Expr, Field, Value};
use crate::query::impact::{DAY, ImpactResult, Tallies, answer, hit_names};
use crate::query::window::{Cell, Kind, Tally};
use crate::{Error, Result};

/// What kind of line a row is, as the local tally decides it: a failure
/// (a code, or a status from 400), a success, or a context line.
const KIND: &str = "multiIf(code != '' OR ifNull(status >= 400, 0), 2, isNotNull(status), 1, 0)";

/// What the impact is measured around: the events `matching`, at `at`,
/// and the event the id named, if it was an id.
struct Anchor {
    matching: Expr,
    at: DateTime<Utc>,
    event: Option<Event>,
}

/// One cell of a tally.
#[derive(Deserialize)]
struct Row {
    client: String,
    service: String,
    method: String,
    route: String,
    minute: u64,
    kind: u8,
    n: u64,
    first: u64,
}

impl ClickHouse {
    /// The impact of `target` (an id `find` takes, or a query) over
    /// `window` either side of it; `None` when nothing matches.
    pub fn impact(
        &self,
        target: &str,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<ImpactResult>> {
        let Some(Anchor {
            matching,
            at,
            event,
        }) = self.anchor(target, now)?
        else {
            return Ok(None);
        };
        let (from, to) = (at - window, at + window);
        let (cond, bind) = Condition::of(&matching)?;
        let hits = self.tally(&cond, &bind, from, to)?;
        let (clients, services) = hit_names(&hits);
        let traffic = if clients.is_empty() && services.is_empty() {
            Tally::default()
        } else {
            let (cond, bind) = same_names(&services, &clients);
            self.tally(&cond, &bind, from, to)?
        };
        let baseline = self.tally(&cond, &bind, from - DAY, to - DAY)?;
        let tallies = Tallies {
            hits,
            traffic,
            baseline,
        };
        Ok(Some(answer(target, event.as_ref(), (from, to), &tallies)))
    }

    /// As the local store: an id names an event (its first failure, else
    /// its first event) whose code, else request id, is matched; anything
    /// else is a query, matched around its newest event.
    fn anchor(&self, target: &str, now: DateTime<Utc>) -> Result<Option<Anchor>> {
        let found = self.find(target)?;
        if let Some(first) = found.events.first() {
            let event = (found.events.iter().find(|e| e.is_failure()))
                .unwrap_or(first)
                .clone();
            let (field, value) = match &event.code {
                Some(code) => (Field::Code, code.clone()),
                None => (Field::RequestId, event.request_id.clone()),
            };
            let matching = Expr::Term {
                field,
                value: Value::Text(value),
            };
            return Ok(Some(Anchor {
                matching,
                at: event.ts,
                event: Some(event),
            }));
        }
        let q = Query::parse(target, now).map_err(|e| Error::Query(e.0))?;
        let newest = self.search(&q, 1)?;
        Ok(newest.events.into_iter().next().map(|e| Anchor {
            matching: q.expr,
            at: e.ts,
            event: None,
        }))
    }

    /// The rows matching `cond` with `from <= ts < to`, counted per cell.
    pub(super) fn tally(
        &self,
        cond: &str,
        bind: &Bind,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Tally> {
        let (from, to) = (from.timestamp_millis(), to.timestamp_millis());
        let rows: Vec<Row> = self.client.rows(
            &format!(
                "SELECT client, service, method, route, intDiv(ts, 60000) AS minute, \
                 {KIND} AS kind, count() AS n, min(ts) AS first FROM events \
                 WHERE ({cond}) AND toInt64(ts) >= {from} AND toInt64(ts) < {to} \
                 GROUP BY client, service, method, route, minute, kind"
            ),
            bind,
        )?;
        let some = |s: String| Some(s).filter(|s| !s.is_empty());
        let mut tally = Tally::with_capacity_and_hasher(rows.len(), Default::default());
        for r in rows {
            let cell = Cell {
                client: some(r.client),
                service: some(r.service),
                method: some(r.method),
                route: some(r.route),
                minute: r.minute as i64,
                kind: match r.kind {
                    2 => Kind::Failed,
                    1 => Kind::Ok,
                    _ => Kind::Context,
                },
            };
            tally.insert(cell, (r.n, r.first as i64));
        }
        Ok(tally)
    }
}

/// "On one of these services, or of one of these clients", bound.
fn same_names(services: &BTreeSet<String>, clients: &BTreeSet<String>) -> (String, Bind) {
    let mut parts = Vec::new();
    let mut bind = Bind::new();
    if !services.is_empty() {
        parts.push("service IN (SELECT v FROM p_services)");
        bind = bind.strings("services", services.iter().map(String::as_str));
    }
    if !clients.is_empty() {
        parts.push("client IN (SELECT v FROM p_clients)");
        bind = bind.strings("clients", clients.iter().map(String::as_str));
    }
    (parts.join(" OR "), bind)
}
