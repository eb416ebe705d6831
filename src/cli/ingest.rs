//! `errtriage ingest PATH… | -`: index logs, with a progress bar on a
//! terminal and a summary at the end.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::Args;
use errtriage::index::{Writer, WriterOptions};
use errtriage::ingest::{IngestOptions, Ingestor, NoProgress, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
}

impl IngestArgs {
    pub fn paths(paths: Vec<PathBuf>) -> Self {
        IngestArgs {
            paths,
            json: false,
            rebuild: false,
            follow: false,
        }
    }
}

pub fn run(ctx: &Context, a: IngestArgs) -> Result<Status> {
    let catalogs = ctx.catalogs()?;
    let opts = WriterOptions {
        rebuild: a.rebuild,
        ..WriterOptions::default()
    };
    let dir = ctx.index_dir.clone();
    let mut writer = Writer::open(&dir, &opts, || {
        eprintln!(
            "errtriage: another ingest is writing to {}; waiting for it to finish…",
            dir.display()
        );
    })?;
    let bar = Bar::new();
    let progress: &dyn Progress = match &bar {
        Some(b) => b,
        None => &NoProgress,
    };
    let mut ingestor = Ingestor::new(&mut writer, &catalogs, IngestOptions::default(), progress);
    ingestor.ingest_paths(&a.paths)?;
    let summary = ingestor.finish()?;
    writer.finish()?;
    ctx.printer(a.json).ingest(&summary, &ctx.index_dir)?;
    let nothing_read =
        summary.files == 0 && summary.unchanged_files == 0 && summary.empty_files == 0;
    if nothing_read && !summary.problems.is_empty() {
        anyhow::bail!(
            "nothing could be read ({} problem(s) above)",
            summary.problems.len()
        );
    }
    Ok(Status::Done)
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
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}")
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
