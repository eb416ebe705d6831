//! store: the seam between the two halves of the data flow. Ingest writes
//! normalized events into a [`Sink`]; the CLI and the TUI ask a [`Store`]
//! their questions. Each store (the local tantivy index in `index/`, a
//! ClickHouse server or cluster) implements both and translates the query
//! AST ([`crate::query::ast`]) into its own language; the front ends hold a
//! `dyn Store` and never know which one answers.
//!
//! Which store a run uses is chosen and opened in [`open`].

pub mod clickhouse;
pub mod open;

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::Catalogs;
use crate::error::Result;
use crate::ingest::checkpoint::Checkpoint;
use crate::model::Event;
use crate::query::context::ContextLine;
use crate::query::impact::ImpactResult;
use crate::query::timeline::{NoTimeline, TimelineResult};
use crate::query::{
    ChainSort, ChainsResult, FindResult, GroupBy, GroupSort, GroupsResult, Histogram, Query,
    SearchResult, Side, Stats, TimePage,
};

pub use open::{StoreChoice, open_sink, open_store, open_store_once};

/// Which store answers, and where it is (`errtriage stats`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreInfo {
    /// `local` or `clickhouse`.
    pub kind: String,
    /// The index directory, or the server (never its password).
    pub location: String,
}

/// The questions errtriage asks of the events it stored. Every answer is
/// the same whichever store gives it (the CLI tests run on each).
pub trait Store: Send + Sync {
    /// Which store this is and where.
    fn describe(&self) -> StoreInfo;

    /// The catalogs events are classified with when read back.
    fn catalogs(&self) -> &Catalogs;

    /// Pick up what was written since the store was opened or last reloaded.
    fn reload(&self) -> Result<()>;

    /// Changes whenever a reload brought in new events.
    fn generation(&self) -> u64;

    /// Whether the stored fields were derived with other catalogs or
    /// another normalizer than the ones in use (`errtriage reindex`).
    fn is_stale(&self) -> bool;

    /// Total events held.
    fn num_events(&self) -> u64;

    /// Whether the store did not exist when this was opened and does now
    /// (an index created in an empty directory): opening it again finds it.
    fn has_appeared(&self) -> bool {
        false
    }

    /// An id as users paste it: request id (exact, or a unique prefix),
    /// idempotency key or trace id; its events and chains.
    fn find(&self, id: &str) -> Result<FindResult>;

    /// Request ids starting like `id`, for "did you mean".
    fn suggest(&self, id: &str, limit: usize) -> Result<Vec<String>>;

    /// The newest `limit` events matching `q`, and the total count.
    fn search(&self, q: &Query, limit: usize) -> Result<SearchResult> {
        self.search_page(q, 0, limit)
    }

    /// Like [`Store::search`], skipping the newest `offset` events first.
    fn search_page(&self, q: &Query, offset: usize, limit: usize) -> Result<SearchResult>;

    /// How many events match `q`.
    fn count(&self, q: &Query) -> Result<u64>;

    /// The events matching `q` around `at` (the TUI's go to time): up to
    /// `per_side` after it and at or before it, newest first, the nearest
    /// pointed out.
    fn search_at(&self, q: &Query, at: DateTime<Utc>, per_side: usize) -> Result<TimePage>;

    /// Up to `limit` events matching `q` on `side` of `at` (included), the
    /// nearest kept, newest first; `total` counts that side.
    fn search_beside(
        &self,
        q: &Query,
        at: DateTime<Utc>,
        side: Side,
        limit: usize,
    ) -> Result<SearchResult>;

    /// Group the events matching `q` by one field, largest first.
    fn groups(&self, q: &Query, by: GroupBy, limit: usize) -> Result<GroupsResult> {
        self.groups_by(q, &[by], GroupSort::Count, limit)
    }

    /// Group by one or two fields, sorted by `sort`, at most `limit` groups.
    fn groups_by(
        &self,
        q: &Query,
        by: &[GroupBy],
        sort: GroupSort,
        limit: usize,
    ) -> Result<GroupsResult>;

    /// Chains with an attempt matching `q`, flagged first, at most `limit`.
    fn chains(&self, q: &Query, flagged_only: bool, limit: usize) -> Result<ChainsResult> {
        self.chains_sorted(q, flagged_only, ChainSort::Flagged, limit)
    }

    /// Chains with an attempt matching `q` in `sort` order, at most `limit`.
    fn chains_sorted(
        &self,
        q: &Query,
        flagged_only: bool,
        sort: ChainSort,
        limit: usize,
    ) -> Result<ChainsResult>;

    /// What the store holds.
    fn stats(&self) -> Result<Stats>;

    /// Counts of the events matching `q` over time, in `buckets` parts.
    fn histogram(&self, q: &Query, buckets: usize) -> Result<Histogram>;

    /// Who else is hit by what hit `target` (an id or a query), `window`
    /// either side of it.
    fn impact(
        &self,
        target: &str,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<ImpactResult>>;

    /// Every request of one client (or of the client an id names) around
    /// a moment.
    fn timeline(
        &self,
        target: &str,
        around: Option<DateTime<Utc>>,
        window: Duration,
    ) -> Result<Result<TimelineResult, NoTimeline>>;

    /// The lines within `span` of `found` on the same service or trace:
    /// from `span` before the first of them to `span` after the last, both
    /// edges included ("every line within ±2 min", DESIGN).
    fn context(&self, found: &[Event], span: Duration) -> Result<Vec<ContextLine>>;

    /// What `find ID --context SPAN` prints and the TUI's `a` shows: the
    /// request `id` (every event `find` gives for it) and the lines around
    /// it. One path for both, so they cannot disagree: around one line of a
    /// request that logged several (a 504 and its app line five seconds
    /// later) the window still reaches from the first to the last.
    fn around(&self, id: &str, span: Duration) -> Result<(FindResult, Vec<ContextLine>)> {
        let found = self.find(id)?;
        let lines = self.context(&found.events, span)?;
        Ok((found, lines))
    }

    /// Values of `field` starting with `prefix`, most frequent first.
    fn complete(&self, field: &str, prefix: &str, limit: usize) -> Result<Vec<String>>;
}

/// Where ingest writes: events and the checkpoint (how far each file was
/// read) become durable together on [`Sink::commit`], so a crash never
/// loses or repeats a line. Events arrive a parse batch at a time, so a
/// store prepares them on every core (the local index builds its tantivy
/// documents in parallel) or sends them as one insert.
pub trait Sink: Send {
    /// The checkpoint the next commit records (files, offsets, totals).
    fn checkpoint(&self) -> &Checkpoint;
    fn checkpoint_mut(&mut self) -> &mut Checkpoint;

    /// Queue a batch of normalized, classified events, in order, for the
    /// next commit.
    fn add(&mut self, events: Vec<Event>) -> Result<()>;

    /// Events added since the last commit.
    fn uncommitted(&self) -> u64;

    /// Make every event added so far durable, with the checkpoint.
    fn commit(&mut self) -> Result<()>;

    /// After a failed add or commit: forget what was not committed (the
    /// checkpoint goes back to the last commit's). Says what was freed.
    fn discard_uncommitted(&mut self) -> Result<Discarded>;

    /// Record the catalogs and normalizer events are derived with.
    fn record_derivation(&mut self, catalogs: &Catalogs);

    /// A directory the walk must skip (the local index inside a logs dir).
    fn skip_dir(&self) -> Option<&Path>;

    /// Wait for background work (merges, inserts in flight), then release
    /// the store (the local writer lock).
    fn finish(self: Box<Self>) -> Result<()>;

    /// After a bulk ingest: [`Sink::finish`], first leaving the store in
    /// the shape queries read fastest (the local index merges its segments).
    fn compact_and_finish(self: Box<Self>) -> Result<()> {
        self.finish()
    }
}

/// What [`Sink::discard_uncommitted`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discarded {
    /// Bytes the discarded writes had taken.
    pub freed_bytes: u64,
    /// Events the store still holds.
    pub kept_events: u64,
}
