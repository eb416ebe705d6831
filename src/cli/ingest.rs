//! `errtriage ingest PATH… | -`: index logs, with a progress bar on a
//! terminal and a summary at the end; `--follow` keeps tailing. Ctrl-C stops
//! after the current batch with everything read so far committed.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use errtriage::index::WriterOptions;
use errtriage::ingest::{IngestOptions, Ingestor, NoProgress, Progress, Summary, follow};
use errtriage::store::{Sink, StoreChoice, open_sink};
use indicatif::{DecimalBytes, HumanCount, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Context, Status};

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files or directories (recursive; .gz and .zst too); `-` reads stdin
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
    /// Delete the index and ingest from scratch
    #[arg(long)]
    pub rebuild: bool,
    /// Keep tailing the files and directories (Ctrl-C stops)
    #[arg(long)]
    pub follow: bool,
    /// Commit after this many input bytes (tests and benchmarks)
    #[arg(long, hide = true)]
    pub commit_bytes: Option<u64>,
    /// Commit after this many seconds (tests and benchmarks)
    #[arg(long, hide = true)]
    pub commit_secs: Option<f64>,
}

impl IngestArgs {
    fn options(&self) -> IngestOptions {
        let mut options = IngestOptions::default();
        if self.follow {
            options.commit_interval = FOLLOW_TICK;
        }
        if let Some(bytes) = self.commit_bytes {
            options.commit_bytes = bytes;
        }
        if let Some(secs) = self.commit_secs {
            options.commit_interval = Duration::from_secs_f64(secs);
        }
        options
    }
}

/// How often follow mode commits (at least).
const FOLLOW_TICK: Duration = Duration::from_secs(1);

pub fn run(ctx: &Context, a: IngestArgs) -> Result<Status> {
    let catalogs = ctx.catalogs()?;
    let opts = WriterOptions {
        rebuild: a.rebuild,
        ..WriterOptions::default()
    };
    let location = ctx.location();
    let mut sink = open_sink(&ctx.store, &opts, || {
        eprintln!(
            "errtriage: another ingest is writing to {}; waiting for it to finish…",
            location.display()
        );
    })?;
    if let StoreChoice::Local(dir) = &ctx.store {
        if errtriage::index::dir::exposed(dir) {
            eprintln!(
                "errtriage: warning: {} can be read by other users and the index holds log lines; `chmod 700` it unless that is intended",
                dir.display()
            );
        }
    }
    sink.record_derivation(&catalogs);
    let stop = crate::interrupt::stop_flag();
    let summary = match ingest_into(sink.as_mut(), &catalogs, &a, stop) {
        Ok(summary) => summary,
        Err(e) => return Err(after_failure(sink.as_mut(), e)),
    };
    // Not after Ctrl-C (it ends `--follow` too): the user asked to stop,
    // and the next ingest merges and writes what is missing.
    if a.follow || stop.load(Ordering::Relaxed) {
        sink.finish()?;
    } else {
        ctx.settle(sink, &catalogs);
    }
    ctx.printer(a.json).ingest(&summary, &ctx.destination())?;
    let nothing_read =
        summary.files == 0 && summary.unchanged_files == 0 && summary.empty_files == 0;
    if nothing_read && !summary.problems.is_empty() {
        anyhow::bail!(
            "nothing could be read ({} problem(s) above)",
            summary.problems.len()
        );
    }
    if stop.load(Ordering::Relaxed) && !a.follow {
        eprintln!(
            "errtriage: interrupted; everything read so far is committed, run the same ingest to continue"
        );
        return Ok(Status::Interrupted);
    }
    Ok(Status::Done)
}

/// Read `a.paths` into `writer` (and keep following them with `--follow`).
fn ingest_into(
    writer: &mut dyn Sink,
    catalogs: &errtriage::catalog::Catalogs,
    a: &IngestArgs,
    stop: &'static AtomicBool,
) -> errtriage::Result<Summary> {
    let bar = Bar::new();
    let progress: &dyn Progress = match &bar {
        Some(b) => b,
        None => &NoProgress,
    };
    let mut ingestor = Ingestor::new(writer, catalogs, a.options(), progress);
    ingestor.stop_on(stop);
    ingestor.ingest_paths(&a.paths)?;
    if a.follow && !stop.load(Ordering::Relaxed) {
        ingestor.commit_if_dirty()?;
        progress.end();
        let names: Vec<String> = a.paths.iter().map(|p| p.display().to_string()).collect();
        eprintln!("errtriage: following {} (Ctrl-C stops)", names.join(", "));
        follow::follow(&mut ingestor, &a.paths, stop, FOLLOW_TICK)?;
    }
    ingestor.finish()
}

/// After a full disk: delete the unfinished segments this run wrote, and say
/// what was freed and what the index keeps, before the error itself.
fn after_failure(writer: &mut dyn Sink, e: errtriage::Error) -> anyhow::Error {
    if !e.is_storage_full() {
        return e.into();
    }
    match writer.discard_uncommitted() {
        Ok(d) => eprintln!(
            "errtriage: ingest stopped on a full disk; removed {} of unfinished index files; the index keeps its last commit ({} events)",
            DecimalBytes(d.freed_bytes),
            HumanCount(d.kept_events)
        ),
        Err(cleanup) => eprintln!(
            "errtriage: ingest stopped on a full disk, and its unfinished index files could not be removed: {cleanup}"
        ),
    }
    e.into()
}

/// An indicatif progress bar on stderr, only when stderr is a terminal.
struct Bar(ProgressBar);

impl Bar {
    fn new() -> Option<Bar> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(10));
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
            )
            .expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Some(Bar(bar))
    }
}

impl Progress for Bar {
    fn begin(&self, total_bytes: u64) {
        self.0.set_length(total_bytes);
    }

    fn advance(&self, bytes: u64, _lines: u64) {
        self.0.inc(bytes);
    }

    fn note(&self, message: &str) {
        self.0
            .suspend(|| eprintln!("errtriage: {}", errtriage::sanitize::escape(message)));
    }

    fn end(&self) {
        self.0.finish_and_clear();
    }
}
