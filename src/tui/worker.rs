//! worker: queries run here, off the render task (STYLE habit 5). Each
//! [`Slot`] has a mailbox holding only its latest job and a thread serving
//! it, so typing replaces the pending search instead of queueing behind it,
//! and a slow chains query never delays the events list. Answers carry the
//! job's generation; `update` drops stale ones. A watcher notices commits by
//! another `errtriage ingest` and asks for a refresh.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::Utc;
use errtriage::model::Event;
use errtriage::query::{GroupBy, GroupSort, Query, SearchResult, find};
use errtriage::store::{Store, StoreChoice, open_store};
use tokio::sync::mpsc::UnboundedSender;

use super::action::{Action, Data, Detail, Job, JobError, JobKind, Loaded, Slot};
use super::incident::{self, Answer, Kind};
use super::original::Original;
use super::state::{CHAINS_LIMIT, GROUPS_LIMIT};
use errtriage::query::context::ContextLine;
use errtriage::query::timeline::NoTimeline;

/// How often the watcher looks for commits by another process.
const WATCH_EVERY: Duration = Duration::from_secs(1);
/// The longest wait between tries at an index that cannot be opened.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The store every job reads; replaced when an index appears where there
/// was none.
pub struct StoreCell(Mutex<Arc<dyn Store>>);

impl StoreCell {
    pub fn new(store: Arc<dyn Store>) -> Arc<StoreCell> {
        Arc::new(StoreCell(Mutex::new(store)))
    }

    pub fn get(&self) -> Arc<dyn Store> {
        lock(&self.0).clone()
    }

    fn set(&self, store: Arc<dyn Store>) {
        *lock(&self.0) = store;
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One slot's latest pending job.
#[derive(Default)]
struct Mailbox {
    inbox: Mutex<Inbox>,
    ready: Condvar,
}

#[derive(Default)]
struct Inbox {
    pending: Option<Job>,
    running: bool,
    closed: bool,
}

impl Mailbox {
    fn put(&self, job: Job) {
        lock(&self.inbox).pending = Some(job);
        self.ready.notify_one();
    }

    /// Wait for a job; `None` once closed.
    fn take(&self) -> Option<Job> {
        let mut inbox = lock(&self.inbox);
        loop {
            if inbox.closed {
                return None;
            }
            if let Some(job) = inbox.pending.take() {
                inbox.running = true;
                return Some(job);
            }
            inbox = self
                .ready
                .wait(inbox)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn done(&self) {
        lock(&self.inbox).running = false;
    }

    #[cfg(test)]
    fn is_idle(&self) -> bool {
        let inbox = lock(&self.inbox);
        !inbox.running && inbox.pending.is_none()
    }

    fn close(&self) {
        lock(&self.inbox).closed = true;
        self.ready.notify_all();
    }
}

/// The query threads, one per slot.
pub struct Worker {
    mailboxes: Vec<Arc<Mailbox>>,
}

impl Worker {
    /// Start one thread per slot; answers go to `sink` as [`Action::Loaded`].
    pub fn start(store: Arc<StoreCell>, sink: UnboundedSender<Action>) -> std::io::Result<Worker> {
        let mut mailboxes = Vec::new();
        for slot in Slot::ALL {
            let mailbox = Arc::new(Mailbox::default());
            let (mb, store, sink) = (mailbox.clone(), store.clone(), sink.clone());
            std::thread::Builder::new()
                .name(format!("errtriage-{slot:?}").to_lowercase())
                .spawn(move || serve(&mb, &store, &sink))?;
            mailboxes.push(mailbox);
        }
        Ok(Worker { mailboxes })
    }

    /// Replace the slot's pending job with `job`.
    pub fn submit(&self, job: Job) {
        self.mailboxes[job.kind.slot().index()].put(job);
    }

    /// No job pending or running (every answer has been sent).
    #[cfg(test)]
    pub fn is_idle(&self) -> bool {
        self.mailboxes.iter().all(|m| m.is_idle())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // A running query finishes on its own; its answer goes nowhere.
        for m in &self.mailboxes {
            m.close();
        }
    }
}

fn serve(mailbox: &Mailbox, store: &StoreCell, sink: &UnboundedSender<Action>) {
    while let Some(job) = mailbox.take() {
        let loaded = run_caught(&*store.get(), &job);
        let sent = sink.send(Action::Loaded(Box::new(loaded)));
        mailbox.done();
        if sent.is_err() {
            return;
        }
    }
}

thread_local! {
    /// The last panic on this thread, recorded by the TUI's panic hook.
    pub static LAST_PANIC: Cell<Option<String>> = const { Cell::new(None) };
}

/// [`run_job`], with a panic turned into an inline error instead of a
/// dead slot.
fn run_caught(store: &dyn Store, job: &Job) -> Loaded {
    match catch_unwind(AssertUnwindSafe(|| run_job(store, job))) {
        Ok(loaded) => loaded,
        Err(_) => {
            let why = LAST_PANIC
                .with(Cell::take)
                .unwrap_or_else(|| "a query panicked".into());
            Loaded {
                generation: job.generation,
                slot: job.kind.slot(),
                result: Err(JobError::Index(why)),
            }
        }
    }
}

/// Answer one job (synchronously; the headless tests call this directly).
pub fn run_job(store: &dyn Store, job: &Job) -> Loaded {
    let result = match &job.kind {
        JobKind::Stats => store.stats().map(Data::Stats).map_err(index_error),
        JobKind::Detail {
            event,
            show_secrets,
        } => detail(store, event.as_ref(), *show_secrets),
        JobKind::Incident {
            kind,
            request_id,
            event,
        } => incident(store, *kind, request_id, event.as_deref()),
        JobKind::Complete { field, prefix } => store
            .complete(field, prefix, super::complete::LIMIT)
            .map(|values| Data::Completions {
                field: field.clone(),
                prefix: prefix.clone(),
                values,
            })
            .map_err(index_error),
        JobKind::Card { id } => card(store, id),
        JobKind::SaveCard { id, path } => card(store, id).map(|card| {
            let Data::Card { text, .. } = card else {
                unreachable!("card() answers a Card")
            };
            let text = errtriage::sanitize::clipboard(&text, false);
            Data::Saved(super::save::Saved {
                id: id.clone(),
                asked: path.clone(),
                result: super::save::write_new(path, id, &text),
            })
        }),
        kind => match Query::parse(&job.query, Utc::now()) {
            Ok(q) => query_job(store, &q, kind),
            Err(e) => Err(JobError::Query(e.0)),
        },
    };
    Loaded {
        generation: job.generation,
        slot: job.kind.slot(),
        result,
    }
}

fn index_error(e: errtriage::Error) -> JobError {
    JobError::Index(e.to_string())
}

fn query_job(store: &dyn Store, q: &Query, kind: &JobKind) -> Result<Data, JobError> {
    Ok(match *kind {
        JobKind::Events { offset, limit } => {
            let result = store.search_page(q, offset, limit).map_err(index_error)?;
            match expand_prefix(store, q, &result) {
                Some(full) if offset == 0 => Data::Expand(full),
                _ => Data::Events { offset, result },
            }
        }
        JobKind::EventsAt { at, per_side } => Data::EventsAt(Box::new(
            store.search_at(q, at, per_side).map_err(index_error)?,
        )),
        JobKind::EventsBeside { at, side, limit } => Data::EventsBeside {
            at,
            side,
            result: store
                .search_beside(q, at, side, limit)
                .map_err(index_error)?,
        },
        JobKind::Histogram { buckets } => {
            Data::Histogram(store.histogram(q, buckets).map_err(index_error)?)
        }
        JobKind::Groups { by, then } => {
            let dims: Vec<GroupBy> = std::iter::once(by).chain(then).collect();
            let result = store
                .groups_by(q, &dims, GroupSort::Count, GROUPS_LIMIT)
                .map_err(index_error)?;
            Data::Groups {
                by,
                then,
                rows: result.groups,
                low_by: (!result.exact).then_some(result.count_error_bound),
            }
        }
        JobKind::Chains { flagged_only } => Data::Chains(
            store
                .chains(q, flagged_only, CHAINS_LIMIT)
                .map_err(index_error)?
                .chains,
        ),
        JobKind::Stats
        | JobKind::Detail { .. }
        | JobKind::Complete { .. }
        | JobKind::Incident { .. }
        | JobKind::Card { .. }
        | JobKind::SaveCard { .. } => {
            unreachable!("answered without a query")
        }
    })
}

/// The request id a bare query that matched nothing is the unique prefix
/// of — the prefix `errtriage find` accepts, so the TUI accepts it too.
fn expand_prefix(store: &dyn Store, q: &Query, result: &SearchResult) -> Option<String> {
    let text = q.text.trim();
    let bare = !text.contains(|c: char| c.is_whitespace() || c == ':' || c == '"');
    if result.total > 0 || !bare || text.chars().count() < find::MIN_PREFIX {
        return None;
    }
    let found = store.find(text).ok()?;
    if found.matched_as.as_deref() != Some("request_id_prefix") {
        return None;
    }
    found.events.first().map(|e| e.request_id.clone())
}

/// The catalog's reading of `event`, and the chain it is an attempt of —
/// the same answer `errtriage find` gives for its request id; a big
/// event's original line prepared for display.
fn detail(store: &dyn Store, event: &Event, show_secrets: bool) -> Result<Data, JobError> {
    let reading = store.catalogs().reading(event);
    let mut chains = Vec::new();
    if let Some(key) = &event.idempotency_key {
        let id = if event.request_id.is_empty() {
            key
        } else {
            &event.request_id
        };
        chains = store.find(id).map_err(index_error)?.chains;
        chains.retain(|c| c.attempts.iter().any(|a| a.source == event.source));
    }
    let original = super::original::is_big(&event.raw)
        .then(|| Arc::new(Original::prepare(&event.raw, show_secrets)));
    Ok(Data::Detail(Box::new(Detail {
        event: event.clone(),
        reading,
        chains,
        original,
    })))
}

/// Impact, client timeline or lines around `event`: the answers of
/// `errtriage impact`, `timeline` and `find --context` for its request.
fn incident(
    store: &dyn Store,
    kind: Kind,
    id: &str,
    event: Option<&Event>,
) -> Result<Data, JobError> {
    let answer = match kind {
        Kind::Impact => Answer::Impact(
            store
                .impact(id, incident::impact_window(), Utc::now())
                .map_err(index_error)?
                .map(Box::new),
        ),
        Kind::Timeline => Answer::Timeline(
            match store
                .timeline(id, event.map(|e| e.ts), incident::timeline_window())
                .map_err(index_error)?
            {
                Ok(t) => Ok(Box::new(t)),
                Err(NoTimeline::NoClient(_)) => Err("this request names no client".into()),
                Err(NoTimeline::Unknown) => Err("the request is no longer in the index".into()),
            },
        ),
        Kind::Around => Answer::Around(around(store, id, event)?),
    };
    Ok(Data::Incident {
        request_id: id.to_string(),
        kind,
        answer,
    })
}

/// The lines around the request `id` — `find ID --context 2m`'s answer —
/// or, for a line that names no request `find` knows, around that line.
fn around(
    store: &dyn Store,
    id: &str,
    event: Option<&Event>,
) -> Result<Vec<ContextLine>, JobError> {
    let span = incident::around_span();
    if !id.is_empty() {
        let (found, lines) = store.around(id, span).map_err(index_error)?;
        if !found.events.is_empty() {
            return Ok(lines);
        }
    }
    let alone = event.map(std::slice::from_ref).unwrap_or_default();
    store.context(alone, span).map_err(index_error)
}

/// The case card of `id`: the text `errtriage find ID --format markdown`
/// prints, always redacted (it leaves the terminal).
fn card(store: &dyn Store, id: &str) -> Result<Data, JobError> {
    let found = store.find(id).map_err(index_error)?;
    let mut text = Vec::new();
    let impact = crate::print::markdown::impact_verdict(store, id);
    crate::print::markdown::case_card(&mut text, &found, store.catalogs(), true, impact.as_deref())
        .map_err(|e| JobError::Index(e.to_string()))?;
    Ok(Data::Card {
        id: id.to_string(),
        text: String::from_utf8_lossy(&text).into_owned(),
    })
}

/// Watch for commits by another process (and for a store appearing where
/// there was none: an index in an empty directory); each one becomes
/// [`Action::IndexChanged`]. `choice` is how to open the store again.
pub fn watch(
    store: Arc<StoreCell>,
    choice: StoreChoice,
    sink: UnboundedSender<Action>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("errtriage-watch".into())
        .spawn(move || watch_loop(&store, &choice, &sink))?;
    Ok(())
}

/// The watcher's loop. An index that appears but cannot be opened is said
/// once in the status bar (again only if the reason changes) and tried again
/// with a doubling wait, up to [`MAX_BACKOFF`].
fn watch_loop(store: &StoreCell, choice: &StoreChoice, sink: &UnboundedSender<Action>) {
    let mut seen = store.get().generation();
    let mut wait = WATCH_EVERY;
    let mut told: Option<String> = None;
    loop {
        std::thread::sleep(wait);
        let current = store.get();
        if current.has_appeared() {
            match open_store(choice, current.catalogs().clone()) {
                Ok(opened) => {
                    (wait, told) = (WATCH_EVERY, None);
                    seen = opened.generation();
                    store.set(opened);
                }
                Err(e) => {
                    wait = (wait * 2).min(MAX_BACKOFF);
                    let why = format!("{e}; trying again every {} s", wait.as_secs());
                    let reason = e.to_string();
                    if told.as_deref() != Some(reason.as_str()) {
                        told = Some(reason);
                        if sink.send(Action::IndexUnavailable(why)).is_err() {
                            return;
                        }
                    }
                    continue;
                }
            }
        } else if current.generation() == seen {
            continue;
        } else {
            seen = current.generation();
        }
        if sink.send(Action::IndexChanged).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod watch_tests {
    use super::*;

    #[test]
    fn an_index_that_cannot_be_opened_is_said_once_not_retried_in_silence() {
        let dir = tempfile::tempdir().unwrap();
        let catalogs = errtriage::catalog::Catalogs::builtin();
        let choice = StoreChoice::Local(dir.path().to_path_buf());
        let store = StoreCell::new(open_store(&choice, catalogs).unwrap());
        std::fs::write(dir.path().join("meta.json"), "{ truncated").unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        watch(store, choice, tx).unwrap();
        std::thread::sleep(Duration::from_millis(3_600));
        let mut said = Vec::new();
        while let Ok(action) = rx.try_recv() {
            said.push(action);
        }
        let [Action::IndexUnavailable(why)] = said.as_slice() else {
            panic!("expected one IndexUnavailable, got {said:?}");
        };
        assert!(
            why.contains("meta.json") && why.contains("trying again"),
            "{why}"
        );
    }
}
