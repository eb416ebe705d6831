//! `errtriage impact ID|QUERY [--window 30m]`: is it just this client, or
//! everyone? The verdict line first, then clients, services and routes.

use anyhow::{Result, anyhow};
use clap::Args;

use super::{Context, Status};

#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// A request id (or any id `find` takes), or a query
    #[arg(required = true, num_args = 1.., value_name = "ID|QUERY")]
    pub target: Vec<String>,
    /// How far either side of the event (or of the query's newest event) to look
    #[arg(long, default_value = "30m", value_parser = parse_window)]
    pub window: chrono::Duration,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// `30m`, `2h`, `90s`: a positive duration.
pub fn parse_window(s: &str) -> Result<chrono::Duration> {
    errtriage::query::parse::parse_duration(s)
        .filter(|d| *d > chrono::Duration::zero())
        .ok_or_else(|| anyhow!("expected a duration like 90s, 30m, 2h or 1d"))
}

pub fn run(ctx: &Context, a: ImpactArgs) -> Result<Status> {
    let target = a.target.join(" ");
    let store = ctx.store()?;
    match store.impact(&target, a.window, super::now())? {
        Some(r) => {
            ctx.printer(a.json).impact(&r)?;
            Ok(Status::Done)
        }
        None => {
            eprintln!(
                "errtriage: nothing matches `{}`",
                errtriage::sanitize::escape(&target)
            );
            Ok(Status::NotFound)
        }
    }
}
