//! local: the local tantivy index as a [`Store`] and its writer as a
//! [`Sink`] — the entry points of the seam. Each question is answered by the code in `query/` written for
//! [`LocalStore`]; the query AST becomes a tantivy query in
//! [`super::translate`].

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use rayon::prelude::*;

use super::LocalStore;
use super::writer::{Writer, to_document};
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
use crate::store::{Discarded, Sink, Store, StoreInfo};

impl Store for LocalStore {
    fn describe(&self) -> StoreInfo {
        StoreInfo {
            kind: "local".into(),
            location: self.location().display().to_string(),
        }
    }

    fn catalogs(&self) -> &Catalogs {
        &self.catalogs
    }

    fn reload(&self) -> Result<()> {
        LocalStore::reload(self)
    }

    fn generation(&self) -> u64 {
        LocalStore::generation(self)
    }

    fn is_stale(&self) -> bool {
        LocalStore::is_stale(self)
    }

    fn num_events(&self) -> u64 {
        LocalStore::num_events(self)
    }

    fn has_appeared(&self) -> bool {
        self.dir().is_none() && self.location().join("meta.json").exists()
    }

    fn find(&self, id: &str) -> Result<FindResult> {
        LocalStore::find(self, id)
    }

    fn suggest(&self, id: &str, limit: usize) -> Result<Vec<String>> {
        LocalStore::suggest(self, id, limit)
    }

    fn search_page(&self, q: &Query, offset: usize, limit: usize) -> Result<SearchResult> {
        LocalStore::search_page(self, q, offset, limit)
    }

    fn count(&self, q: &Query) -> Result<u64> {
        LocalStore::count(self, q)
    }

    fn search_at(&self, q: &Query, at: DateTime<Utc>, per_side: usize) -> Result<TimePage> {
        LocalStore::search_at(self, q, at, per_side)
    }

    fn search_beside(
        &self,
        q: &Query,
        at: DateTime<Utc>,
        side: Side,
        limit: usize,
    ) -> Result<SearchResult> {
        LocalStore::search_beside(self, q, at, side, limit)
    }

    fn groups_by(
        &self,
        q: &Query,
        by: &[GroupBy],
        sort: GroupSort,
        limit: usize,
    ) -> Result<GroupsResult> {
        LocalStore::groups_by(self, q, by, sort, limit)
    }

    fn chains_sorted(
        &self,
        q: &Query,
        flagged_only: bool,
        sort: ChainSort,
        limit: usize,
    ) -> Result<ChainsResult> {
        LocalStore::chains_sorted(self, q, flagged_only, sort, limit)
    }

    fn stats(&self) -> Result<Stats> {
        LocalStore::stats(self)
    }

    fn histogram(&self, q: &Query, buckets: usize) -> Result<Histogram> {
        LocalStore::histogram(self, q, buckets)
    }

    fn impact(
        &self,
        target: &str,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<ImpactResult>> {
        LocalStore::impact(self, target, window, now)
    }

    fn timeline(
        &self,
        target: &str,
        around: Option<DateTime<Utc>>,
        window: Duration,
    ) -> Result<Result<TimelineResult, NoTimeline>> {
        LocalStore::timeline(self, target, around, window)
    }

    fn context(&self, found: &[Event], span: Duration) -> Result<Vec<ContextLine>> {
        LocalStore::context(self, found, span)
    }

    fn complete(&self, field: &str, prefix: &str, limit: usize) -> Result<Vec<String>> {
        LocalStore::complete(self, field, prefix, limit)
    }
}

/// The local index's write side: documents are built on every core from
/// each batch, then added in order; a commit carries the checkpoint as its
/// payload.
impl Sink for Writer {
    fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    fn checkpoint_mut(&mut self) -> &mut Checkpoint {
        &mut self.checkpoint
    }

    fn add(&mut self, events: Vec<Event>) -> Result<()> {
        let fields = self.fields();
        let docs: Vec<_> = events
            .par_iter()
            .with_min_len(64)
            .map(|e| to_document(fields, e))
            .collect();
        docs.into_iter().try_for_each(|doc| Writer::add(self, doc))
    }

    fn uncommitted(&self) -> u64 {
        Writer::uncommitted(self)
    }

    fn commit(&mut self) -> Result<()> {
        Writer::commit(self)
    }

    fn discard_uncommitted(&mut self) -> Result<Discarded> {
        Writer::discard_uncommitted(self)
    }

    fn record_derivation(&mut self, catalogs: &Catalogs) {
        Writer::record_derivation(self, catalogs)
    }

    fn skip_dir(&self) -> Option<&Path> {
        Some(self.dir())
    }

    fn finish(self: Box<Self>) -> Result<()> {
        Writer::finish(*self)
    }

    fn compact_and_finish(self: Box<Self>) -> Result<()> {
        Writer::compact_and_finish(*self).map(drop)
    }
}
