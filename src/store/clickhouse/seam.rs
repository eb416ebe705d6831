//! The ClickHouse store behind the seam: [`Store`] and [`Sink`] for the
//! types of this module, each method a thin call to the inherent one.

use std::path::Path;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::ClickHouse;
use super::client::Bind;
use super::sink::ClickHouseSink;
use crate::Result;
use crate::catalog::Catalogs;
use crate::index::derived::Derivation;
use crate::ingest::checkpoint::Checkpoint;
use crate::model::{Event, ts_millis};
use crate::query::context::ContextLine;
use crate::query::impact::ImpactResult;
use crate::query::timeline::{NoTimeline, TimelineResult};
use crate::query::{
    ChainSort, ChainsResult, FindResult, GroupBy, GroupSort, GroupsResult, Histogram, Query,
    SearchResult, Side, Stats, TimePage,
};
use crate::store::{Discarded, Sink, Store, StoreInfo};

impl ClickHouse {
    /// What `stats` says: counts from the events, files and bytes from the
    /// last checkpoint, and the database's bytes on disk on every node.
    pub fn stats(&self) -> Result<Stats> {
        #[derive(Deserialize)]
        struct Row {
            n: u64,
            lo: u64,
            hi: u64,
        }
        let rows: Vec<Row> = self.client.rows(
            "SELECT count() AS n, min(ts) AS lo, max(ts) AS hi FROM events",
            &Bind::new(),
        )?;
        let checkpoint = self.last_checkpoint()?;
        let fmt =
            |ms: u64| DateTime::from_timestamp_millis(ms as i64).map(|t| ts_millis::format(&t));
        let row = rows.first();
        let any = row.is_some_and(|r| r.n > 0);
        Ok(Stats {
            events: row.map_or(0, |r| r.n),
            files: checkpoint.files.len() as u64,
            bytes: checkpoint.totals.bytes,
            first_ts: row.filter(|_| any).and_then(|r| fmt(r.lo)),
            last_ts: row.filter(|_| any).and_then(|r| fmt(r.hi)),
            index_bytes: self.disk_bytes()?,
            store: Some(Store::describe(self)),
        })
    }

    /// The compressed bytes of this database's active parts (events, the id
    /// lookup tables, checkpoints), summed over every node: what the store
    /// costs on disk, as `index_bytes` is the local index's size.
    fn disk_bytes(&self) -> Result<u64> {
        #[derive(Deserialize)]
        struct Disk {
            bytes: u64,
        }
        let sql = "SELECT sum(bytes_on_disk) AS bytes FROM system.parts \
                   WHERE active AND database = currentDatabase()";
        let mut total = 0;
        for node in &self.layout.nodes {
            let rows: Vec<Disk> = node.rows(sql, &Bind::new())?;
            total += rows.first().map_or(0, |r| r.bytes);
        }
        Ok(total)
    }

    /// The sequence number of the newest commit (0 for none).
    fn last_seq(&self) -> Result<u64> {
        #[derive(Deserialize)]
        struct Seq {
            seq: u64,
        }
        let rows: Vec<Seq> =
            self.layout.nodes[0].rows("SELECT max(seq) AS seq FROM checkpoints", &Bind::new())?;
        Ok(rows.first().map_or(0, |r| r.seq))
    }

    fn last_checkpoint(&self) -> Result<Checkpoint> {
        Ok(super::sink::last_checkpoint(&self.layout.nodes[0])?.1)
    }
}

impl Store for ClickHouse {
    fn describe(&self) -> StoreInfo {
        StoreInfo {
            kind: "clickhouse".into(),
            location: self.target.display(),
        }
    }

    fn catalogs(&self) -> &Catalogs {
        &self.catalogs
    }

    /// Every query reads the server's current data; the generation moves
    /// when a new commit is there.
    fn reload(&self) -> Result<()> {
        self.generation.store(self.last_seq()?, Ordering::Relaxed);
        Ok(())
    }

    /// The newest commit's sequence number, asked each time (the TUI's
    /// watcher asks once a second, to show what another ingest committed);
    /// the last one known when the server does not answer.
    fn generation(&self) -> u64 {
        if let Ok(seq) = self.last_seq() {
            self.generation.store(seq, Ordering::Relaxed);
        }
        self.generation.load(Ordering::Relaxed)
    }

    fn is_stale(&self) -> bool {
        false
    }

    fn num_events(&self) -> u64 {
        self.count_all().unwrap_or(0)
    }

    fn find(&self, id: &str) -> Result<FindResult> {
        ClickHouse::find(self, id)
    }

    fn suggest(&self, id: &str, limit: usize) -> Result<Vec<String>> {
        let chars: Vec<(usize, char)> = id.char_indices().collect();
        for keep in (4..chars.len()).rev() {
            let found = self.request_ids_with_prefix(&id[..chars[keep].0], limit)?;
            if !found.is_empty() {
                return Ok(found.into_iter().take(limit).collect());
            }
        }
        Ok(Vec::new())
    }

    fn search_page(&self, q: &Query, offset: usize, limit: usize) -> Result<SearchResult> {
        ClickHouse::search_page(self, q, offset, limit)
    }

    fn count(&self, q: &Query) -> Result<u64> {
        ClickHouse::count(self, q)
    }

    fn groups_by(
        &self,
        q: &Query,
        by: &[GroupBy],
        sort: GroupSort,
        limit: usize,
    ) -> Result<GroupsResult> {
        ClickHouse::groups_by(self, q, by, sort, limit)
    }

    fn chains_sorted(
        &self,
        q: &Query,
        flagged_only: bool,
        sort: ChainSort,
        limit: usize,
    ) -> Result<ChainsResult> {
        ClickHouse::chains_sorted(self, q, flagged_only, sort, limit)
    }

    fn stats(&self) -> Result<Stats> {
        ClickHouse::stats(self)
    }

    fn search_at(&self, q: &Query, at: DateTime<Utc>, per_side: usize) -> Result<TimePage> {
        ClickHouse::search_at(self, q, at, per_side)
    }

    fn search_beside(
        &self,
        q: &Query,
        at: DateTime<Utc>,
        side: Side,
        limit: usize,
    ) -> Result<SearchResult> {
        ClickHouse::search_beside(self, q, at, side, limit)
    }

    fn histogram(&self, q: &Query, buckets: usize) -> Result<Histogram> {
        ClickHouse::histogram(self, q, buckets)
    }

    fn impact(
        &self,
        target: &str,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<ImpactResult>> {
        ClickHouse::impact(self, target, window, now)
    }

    fn timeline(
        &self,
        target: &str,
        around: Option<DateTime<Utc>>,
        window: Duration,
    ) -> Result<Result<TimelineResult, NoTimeline>> {
        ClickHouse::timeline(self, target, around, window)
    }

    fn context(&self, found: &[Event], span: Duration) -> Result<Vec<ContextLine>> {
        ClickHouse::context(self, found, span)
    }

    fn complete(&self, field: &str, prefix: &str, limit: usize) -> Result<Vec<String>> {
        ClickHouse::complete(self, field, prefix, limit)
    }
}

impl Sink for ClickHouseSink {
    fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    fn checkpoint_mut(&mut self) -> &mut Checkpoint {
        &mut self.checkpoint
    }

    fn add(&mut self, events: Vec<Event>) -> Result<()> {
        events.iter().try_for_each(|e| self.add_one(e))
    }

    fn uncommitted(&self) -> u64 {
        ClickHouseSink::uncommitted(self)
    }

    fn commit(&mut self) -> Result<()> {
        ClickHouseSink::commit(self)
    }

    fn discard_uncommitted(&mut self) -> Result<Discarded> {
        ClickHouseSink::discard_uncommitted(self)?;
        Ok(Discarded {
            freed_bytes: 0,
            kept_events: self.checkpoint.totals.events,
        })
    }

    fn record_derivation(&mut self, catalogs: &Catalogs) {
        let cp = &mut self.checkpoint;
        let empty = cp.files.is_empty() && cp.totals.events == 0;
        cp.derived = Derivation::next(cp.derived.as_ref(), empty, Derivation::current(catalogs));
    }

    fn skip_dir(&self) -> Option<&Path> {
        None
    }

    fn finish(self: Box<Self>) -> Result<()> {
        ClickHouseSink::finish(*self)
    }
}
