//! `errtriage stats`: what the index holds.

use anyhow::Result;
use clap::Args;

use super::{Context, Status};

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, a: StatsArgs) -> Result<Status> {
    let stats = ctx.store()?.stats()?;
    ctx.printer(a.json).stats(&stats, &ctx.index_dir)?;
    Ok(Status::Done)
}
