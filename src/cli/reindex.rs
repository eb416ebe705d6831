//! `errtriage reindex`: re-derive the indexed fields (code, class, api…)
//! from the stored original lines with the current catalogs; no source
//! files needed. A progress bar on a terminal, a summary at the end.

use std::io::IsTerminal;

use anyhow::Result;
use clap::Args;
use errtriage::index::{Writer, WriterOptions, reindex};
use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Context, Status};

#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, a: ReindexArgs) -> Result<Status> {
    let catalogs = ctx.catalogs()?;
    let errtriage::store::StoreChoice::Local(dir) = &ctx.store else {
        anyhow::bail!(
            "reindex rebuilds the local index only; {} is not one",
            ctx.location().display()
        );
    };
    if !dir.join("meta.json").exists() {
        anyhow::bail!(
            "no index at {} to reindex: run `errtriage ingest PATH…` first",
            dir.display()
        );
    }
    let mut writer = Writer::open(dir, &WriterOptions::default(), || {
        eprintln!(
            "errtriage: another ingest is writing to {}; waiting for it to finish…",
            dir.display()
        );
    })?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(10));
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} reindexing {wide_bar} {pos}/{len} events ETA {eta}",
            )
            .expect("valid template"),
        );
        bar
    });
    let summary = reindex(&mut writer, &catalogs, &mut |done, total| {
        if let Some(bar) = &bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    })?;
    writer.finish()?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if a.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        eprintln!(
            "errtriage: reindexed {} events in {:.2} s with the current catalogs",
            HumanCount(summary.events),
            summary.seconds
        );
    }
    Ok(Status::Done)
}
