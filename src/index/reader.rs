//! reader: [`LocalStore`], the read side of an index directory. Every query
//! (search, find, groups, chains, stats) is a method on it, written in
//! `query/`. A missing or empty directory reads as an empty index, so every
//! command can say "nothing here yet" the same way.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use tantivy::collector::Collector;
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::{TantivyDocument, Value};
use tantivy::{DocAddress, Executor, Index, IndexReader, ReloadPolicy, Searcher};

use super::derived::Derivation;
use super::directory::ReadDirectory;
use super::errors::{incompatible, index_error, read_error};
use super::schema::{Fields, build_schema};
use super::writer::read_checkpoint;
use crate::catalog::Catalogs;
use crate::error::Result;
use crate::ingest::checkpoint::Checkpoint;
use crate::model::{Event, Source};
use crate::normalize::normalize;

/// The read side of an index.
pub struct LocalStore {
    /// The directory asked for, index or not.
    location: PathBuf,
    dir: Option<PathBuf>,
    index: Index,
    reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) catalogs: Catalogs,
    /// What the indexed fields were derived with, when recorded.
    derived: Option<Derivation>,
    /// Query threads for scans over every segment, started on first use:
    /// a point lookup (`find`) stays on the calling thread, where handing
    /// each of a few dozen segments to a pool cost more than it saved.
    parallel: OnceLock<Executor>,
}

impl LocalStore {
    /// Open the index in `dir` for reading, picking up later commits by
    /// itself shortly after each (the TUI). A missing directory (or one
    /// without an index yet) opens as an empty index.
    pub fn open(dir: &Path, catalogs: Catalogs) -> Result<LocalStore> {
        LocalStore::open_with(dir, catalogs, ReloadPolicy::OnCommitWithDelay)
    }

    /// Open the index in `dir` as it is now, for one query (a one-shot
    /// command): no thread watching for commits ([`LocalStore::reload`]
    /// still picks them up).
    pub fn open_once(dir: &Path, catalogs: Catalogs) -> Result<LocalStore> {
        LocalStore::open_with(dir, catalogs, ReloadPolicy::Manual)
    }

    fn open_with(dir: &Path, catalogs: Catalogs, reload: ReloadPolicy) -> Result<LocalStore> {
        // A damaged index, a file or someone else's directory is an error,
        // not an empty index.
        super::dir::check_readable(dir)?;
        let exists = dir.join("meta.json").exists();
        let index = if exists {
            let directory = ReadDirectory::open(dir).map_err(|e| index_error(dir, e.into()))?;
            let index = Index::open(directory).map_err(|e| index_error(dir, e))?;
            if index.schema() != build_schema() {
                return Err(incompatible(dir, "its schema differs"));
            }
            index
        } else {
            Index::create_in_ram(build_schema())
        };
        let mut store =
            LocalStore::from_index(exists.then(|| dir.to_path_buf()), index, catalogs, reload)?;
        store.location = dir.to_path_buf();
        Ok(store)
    }

    /// Open the index in `dir` through `directory` (a test's failing disk).
    #[cfg(test)]
    pub(crate) fn open_in(
        dir: &Path,
        directory: impl tantivy::Directory,
        catalogs: Catalogs,
    ) -> Result<LocalStore> {
        let index = Index::open(directory).map_err(|e| index_error(dir, e))?;
        let reload = ReloadPolicy::OnCommitWithDelay;
        let mut store = LocalStore::from_index(Some(dir.to_path_buf()), index, catalogs, reload)?;
        store.location = dir.to_path_buf();
        Ok(store)
    }

    fn from_index(
        dir: Option<PathBuf>,
        index: Index,
        catalogs: Catalogs,
        reload: ReloadPolicy,
    ) -> Result<LocalStore> {
        let path = dir.clone().unwrap_or_default();
        let derived = match &dir {
            Some(dir) => read_checkpoint(&index, dir)?.derived,
            None => None,
        };
        let reader = index
            .reader_builder()
            .reload_policy(reload)
            .doc_store_cache_num_blocks(cached_blocks(&reload))
            .try_into()
            .map_err(|e| read_error(&path, e))?;
        let fields = Fields::from_schema(index.schema());
        Ok(LocalStore {
            location: path.clone(),
            dir,
            index,
            reader,
            fields,
            catalogs,
            derived,
            parallel: OnceLock::new(),
        })
    }

    /// Whether the indexed `code`, `class` and `api` were derived with other
    /// catalogs or another normalizer than these (see [`super::derived`]).
    pub fn is_stale(&self) -> bool {
        self.derived
            .as_ref()
            .is_some_and(|d| *d != Derivation::current(&self.catalogs))
    }

    /// The index directory, or `None` when there is no index there yet.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The directory this store was opened on (an index or not yet).
    pub fn location(&self) -> &Path {
        &self.location
    }

    /// Run `collector` over every segment on all cores (groups, search,
    /// histogram, chains: work proportional to the matching events).
    pub(crate) fn search_parallel<C: Collector>(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        collector: &C,
    ) -> Result<C::Fruit> {
        let executor = match self.parallel.get() {
            Some(e) => e,
            None => {
                let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
                let e = Executor::multi_thread(threads, "errtriage-search-")
                    .unwrap_or_else(|_| Executor::single_thread());
                self.parallel.get_or_init(|| e)
            }
        };
        let scoring = if collector.requires_scoring() {
            EnableScoring::enabled_from_searcher(searcher)
        } else {
            EnableScoring::disabled_from_searcher(searcher)
        };
        searcher
            .search_with_executor(query, collector, executor, scoring)
            .map_err(|e| self.error(e))
    }

    /// A query's tantivy error as an error of this index (naming it, and
    /// saying what to do about a damaged one).
    pub(crate) fn error(&self, e: tantivy::TantivyError) -> crate::error::Error {
        read_error(self.dir.as_deref().unwrap_or(Path::new("")), e)
    }

    /// A consistent view of the index as of the latest reload.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Pick up commits made since the last reload (also happens by itself
    /// shortly after each commit).
    pub fn reload(&self) -> Result<()> {
        self.reader
            .reload()
            .map_err(|e| index_error(self.dir.as_deref().unwrap_or(Path::new("")), e))
    }

    /// Changes whenever a reload brought in new commits.
    pub fn generation(&self) -> u64 {
        self.reader.searcher().generation().generation_id()
    }

    /// Total events in the index.
    pub fn num_events(&self) -> u64 {
        self.searcher().num_docs()
    }

    /// The checkpoint of the last commit.
    pub fn checkpoint(&self) -> Result<Checkpoint> {
        match &self.dir {
            Some(dir) => read_checkpoint(&self.index, dir),
            None => Ok(Checkpoint::default()),
        }
    }

    /// Rebuild the Event stored at `addr`.
    pub fn event_at(&self, searcher: &Searcher, addr: DocAddress) -> Result<Event> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        Ok(event_from_doc(&self.fields, &self.catalogs, &doc))
    }

    /// Rebuild many events, keeping their order.
    pub fn events_at(&self, searcher: &Searcher, addrs: &[DocAddress]) -> Result<Vec<Event>> {
        addrs.iter().map(|a| self.event_at(searcher, *a)).collect()
    }

    /// Rebuild many events on the query threads when a scan has started
    /// them, keeping their order: a page of search results, each event in
    /// its own compressed docstore block, decompressed and normalized again
    /// on every core. Without them (a point lookup), on this thread.
    pub(crate) fn events_at_parallel(
        &self,
        searcher: &Searcher,
        addrs: &[DocAddress],
    ) -> Result<Vec<Event>> {
        match self.parallel.get() {
            Some(executor) if addrs.len() > 1 => executor
                .map(|a| Ok(self.event_at(searcher, a)), addrs.iter().copied())
                .map_err(|e| self.error(e))?
                .into_iter()
                .collect(),
            _ => self.events_at(searcher, addrs),
        }
    }
}

/// Decompressed docstore blocks kept per segment. A one-shot command
/// (no reload watcher) keeps a few, for a chain's attempts stored side by
/// side: a search page's 50 events lie in 50 blocks of 32 KiB, and each one
/// kept was fresh memory to fault in (~430 page faults of a typical search
/// at 10M), where an evicted one is reused for the next. The TUI scrolls
/// back and forth over its pages and keeps tantivy's default.
fn cached_blocks(reload: &ReloadPolicy) -> usize {
    match reload {
        ReloadPolicy::Manual => 4,
        _ => 100,
    }
}

/// The Event a stored document holds: its original line normalized and
/// classified again with `catalogs`, at its indexed time.
pub(crate) fn event_from_doc(f: &Fields, catalogs: &Catalogs, doc: &TantivyDocument) -> Event {
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let num = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
    let ts = doc
        .get_first(f.ts)
        .and_then(|v| v.as_datetime())
        .and_then(|d| DateTime::<Utc>::from_timestamp_millis(d.into_timestamp_millis()))
        .unwrap_or_default();
    let ts_inferred = doc
        .get_first(f.ts_inferred)
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let raw = text(f.raw);
    let source = Source {
        file: text(f.file),
        line: num(f.line),
        offset: num(f.offset),
    };
    match normalize(&raw, source.clone()) {
        Ok(mut n) => {
            n.event.ts = ts;
            n.event.ts_inferred = ts_inferred;
            catalogs.classify(&mut n);
            n.event
        }
        // Only lines that normalized are indexed; keep the original if
        // a newer normalizer disagrees.
        Err(_) => Event {
            ts_inferred,
            ..Event::new(ts, source, raw)
        },
    }
}
