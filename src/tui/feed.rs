//! feed: the ingest behind `errtriage tui PATH… [--follow]`. Before the TUI
//! takes the screen, [`ingest_quietly`] reads the paths with no report
//! printed (Ctrl-C stops it gracefully: what was read is committed and the
//! TUI is not opened). With `--follow`, [`Feed`] keeps tailing them on a
//! thread while the TUI runs; after every tick the problems found so far
//! reach the TUI as [`Action::Problems`], so its count and `!` list stay
//! live. The TUI's index watcher shows the new events as for any commit.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Result;
use errtriage::catalog::Catalogs;
use errtriage::index::WriterOptions;
use errtriage::ingest::follow::Follower;
use errtriage::ingest::{IngestOptions, Ingestor, NoProgress};
use errtriage::store::Sink;
use tokio::sync::mpsc::UnboundedSender;

use super::action::Action;
use super::problems::Problems;
use crate::context::Context;

/// How often `--follow` looks for new lines (and commits them).
pub const TICK: Duration = Duration::from_secs(1);

/// What the first ingest came to.
pub enum Ingested {
    /// Read to the end: its problems, and the writer (still holding the
    /// index's lock) for `--follow` to go on with.
    Read(Problems, Box<dyn Sink>),
    /// Ctrl-C stopped it; what was read is committed.
    Interrupted,
}

/// Ingest `paths` into the index without printing a report; what went
/// wrong comes back for the TUI to show. The first Ctrl-C (`stop`) stops
/// after the current batch, with everything read so far committed.
pub fn ingest_quietly(ctx: &Context, paths: &[PathBuf], stop: &AtomicBool) -> Result<Ingested> {
    let catalogs = ctx.catalogs()?;
    let sink = ctx.sink(&WriterOptions::default())?;
    eprintln!(
        "errtriage: reading {} path(s)… (Ctrl-C stops, keeping what was read)",
        paths.len()
    );
    Ok(first_ingest(sink, &catalogs, paths, stop)?)
}

/// [`ingest_quietly`] once the index is open for writing.
pub fn first_ingest(
    mut sink: Box<dyn Sink>,
    catalogs: &Catalogs,
    paths: &[PathBuf],
    stop: &AtomicBool,
) -> errtriage::Result<Ingested> {
    sink.record_derivation(catalogs);
    let mut ingestor = Ingestor::new(
        sink.as_mut(),
        catalogs,
        IngestOptions::default(),
        &NoProgress,
    );
    ingestor.stop_on(stop);
    ingestor.ingest_paths(paths)?;
    let summary = ingestor.finish()?;
    if stop.load(Ordering::SeqCst) {
        sink.finish()?;
        return Ok(Ingested::Interrupted);
    }
    Ok(Ingested::Read(Problems::from_summary(&summary), sink))
}

/// `--follow` while the TUI runs: a thread tailing the paths. Dropping it
/// stops the thread after its current tick, with what it read committed.
pub struct Feed {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Feed {
    /// Tail `paths` into `writer`; each change in the problems (the first
    /// ingest's, `initial`, then this feed's) goes to `sink`.
    pub fn start(
        store: Box<dyn Sink>,
        catalogs: Catalogs,
        paths: Vec<PathBuf>,
        initial: Problems,
        sink: UnboundedSender<Action>,
    ) -> std::io::Result<Feed> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("errtriage-follow".into())
            .spawn(move || tail(store, &catalogs, &paths, &initial, &sink, &flag))?;
        Ok(Feed {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The follow thread: tick until stopped, telling the TUI of new problems.
/// An error stops the tailing and becomes one more problem, never a print.
fn tail(
    mut store: Box<dyn Sink>,
    catalogs: &Catalogs,
    paths: &[PathBuf],
    initial: &Problems,
    sink: &UnboundedSender<Action>,
    stop: &AtomicBool,
) {
    let opts = IngestOptions {
        commit_interval: TICK,
        ..IngestOptions::default()
    };
    let mut ingestor = Ingestor::new(store.as_mut(), catalogs, opts, &NoProgress);
    ingestor.stop_on(stop);
    let mut follower = Follower::new(&mut ingestor, paths);
    let mut told = initial.clone();
    let failed = loop {
        if sleep_unless_stopped(stop) {
            break None;
        }
        if let Err(e) = follower.tick(&mut ingestor) {
            break Some(e.to_string());
        }
        let mut found = Problems::from_summary(&ingestor.summary);
        if found.count > 0 {
            found.lines.insert(0, "found while following:".into());
        }
        let now = initial.plus(&found);
        if now != told {
            told = now.clone();
            if sink.send(Action::Problems(now)).is_err() {
                break None;
            }
        }
    };
    let finished = ingestor.finish().and_then(|_| store.finish());
    let why = failed.or_else(|| finished.err().map(|e| e.to_string()));
    if let Some(why) = why {
        let mut lines = told.lines.clone();
        lines.push(format!("follow      stopped: {why}"));
        let _ = sink.send(Action::Problems(Problems {
            count: told.count + 1,
            lines,
        }));
    }
}

/// Wait one tick in short steps; true when `stop` was set meanwhile.
fn sleep_unless_stopped(stop: &AtomicBool) -> bool {
    let step = Duration::from_millis(50);
    let mut waited = Duration::ZERO;
    while waited < TICK {
        if stop.load(Ordering::SeqCst) {
            return true;
        }
        std::thread::sleep(step);
        waited += step;
    }
    stop.load(Ordering::SeqCst)
}
