//! timeline and context over ClickHouse: the rows of one client, or of the
//! services and traces of some events, in a time window, oldest first —
//! read with one bounded `SELECT` each and assembled by the library's own
//! code ([`crate::query::timeline`], [`crate::query::context`]), so both
//! stores answer the same.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::ClickHouse;
use super::client::Bind;
use super::find::DocRow;
use crate::Result;
use crate::model::Event;
use crate::query::context::{Around, ContextLine, MAX_LINES, lines, only_found};
use crate::query::timeline::{
    Counts, NoTimeline, PAGE, TimelineResult, Window, keys_of, nearest_page, subject,
};

impl ClickHouse {
    /// The timeline of `target` (a client, or an id whose event names one)
    /// over `window` either side of `around` (default: the id's event, else
    /// the client's newest event).
    pub fn timeline(
        &self,
        target: &str,
        around: Option<DateTime<Utc>>,
        window: Duration,
    ) -> Result<std::result::Result<TimelineResult, NoTimeline>> {
        let target = target.trim();
        let found = self.find(target)?;
        let newest = |client: &str| self.newest_of_client(client);
        let (client, at, selected) = match subject(&found.events, target, around, newest)? {
            Ok(subject) => subject,
            Err(none) => return Ok(Err(none)),
        };
        let (from, to) = (at - window, at + window);
        let bind = Bind::new().string("client", &client);
        let cond = "client = (SELECT v FROM p_client)";
        let counts = Counts::of_tally(&self.tally(cond, &bind, from, to)?);
        // The page nearest the moment, as the local store picks it.
        let before = self.ordered(cond, &bind, (from, at), PAGE, "DESC")?;
        let after = self.ordered(cond, &bind, (at, to), PAGE, "ASC")?;
        let events = nearest_page(before, after);
        let keys = keys_of(&events);
        let related = if keys.is_empty() {
            Vec::new()
        } else {
            self.events_matching("idempotency_key", &keys, crate::query::find::MAX_EVENTS)?
                .0
        };
        let window = Window {
            client,
            from,
            to,
            selected,
            counts,
        };
        Ok(Ok(window.finish(events, related, &self.catalogs)))
    }

    /// The time of a client's newest event.
    fn newest_of_client(&self, client: &str) -> Result<Option<DateTime<Utc>>> {
        #[derive(Deserialize)]
        struct Newest {
            n: u64,
            t: u64,
        }
        let rows: Vec<Newest> = self.client.rows(
            "SELECT count() AS n, max(ts) AS t FROM events WHERE client = (SELECT v FROM p_client)",
            &Bind::new().string("client", client),
        )?;
        Ok(rows
            .first()
            .filter(|r| r.n > 0)
            .and_then(|r| DateTime::from_timestamp_millis(r.t as i64)))
    }

    /// Every event within `span` either side of `found` that shares a
    /// service or a trace with one of them, the found ones marked.
    pub fn context(&self, found: &[Event], span: Duration) -> Result<Vec<ContextLine>> {
        let Some(around) = Around::of(found, span) else {
            return Ok(Vec::new());
        };
        let mut same = Vec::new();
        let mut bind = Bind::new();
        if !around.services.is_empty() {
            same.push("service IN (SELECT v FROM p_services)");
            bind = bind.strings("services", around.services.iter().map(String::as_str));
        }
        if !around.traces.is_empty() {
            same.push("trace_id IN (SELECT v FROM p_traces)");
            bind = bind.strings("traces", around.traces.iter().map(String::as_str));
        }
        if same.is_empty() {
            return Ok(only_found(found));
        }
        let cond = same.join(" OR ");
        let events = self.ordered(&cond, &bind, (around.from, around.to), MAX_LINES, "ASC")?;
        Ok(lines(found, events))
    }

    /// `limit` events matching `cond` with `from <= ts < to`, in time order
    /// `dir` (`ASC` or `DESC`, never user input).
    fn ordered(
        &self,
        cond: &str,
        bind: &Bind,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        limit: usize,
        dir: &str,
    ) -> Result<Vec<Event>> {
        let (from, to) = (from.timestamp_millis(), to.timestamp_millis());
        let rows: Vec<DocRow> = self.client.rows(
            &format!(
                "SELECT doc, raw FROM events \
                 WHERE ({cond}) AND toInt64(ts) >= {from} AND toInt64(ts) < {to} \
                 ORDER BY ts {dir}, source_file {dir}, source_line {dir} LIMIT {limit}"
            ),
            bind,
        )?;
        self.decode(rows)
    }
}
