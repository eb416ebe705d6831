//! `errtriage timeline CLIENT|ID [--around TIME] [--window 1h]`: every
//! request of one client around a moment, successes included.

use anyhow::{Result, anyhow};
use chrono::{DateTime, Utc};
use clap::Args;
use errtriage::query::timeline::NoTimeline;

use super::{Context, Status};

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// A client id, or a request id (or any id `find` takes) whose event names the client
    #[arg(value_name = "CLIENT|ID")]
    pub target: String,
    /// The moment to centre on (RFC 3339, 2026-05-14T09:44, or 2h ago) [default: the id's event, else the client's newest]
    #[arg(long, value_name = "TIME", value_parser = parse_around)]
    pub around: Option<DateTime<Utc>>,
    /// How far either side of the moment to show
    #[arg(long, default_value = "1h", value_parser = super::impact::parse_window)]
    pub window: chrono::Duration,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

fn parse_around(s: &str) -> Result<DateTime<Utc>> {
    errtriage::query::parse::parse_time(s, super::now())
        .ok_or_else(|| anyhow!("expected a time like 2026-05-14T09:44:00Z, 2026-05-14T09:44 or 2h"))
}

pub fn run(ctx: &Context, a: TimelineArgs) -> Result<Status> {
    let store = ctx.store()?;
    let target = errtriage::sanitize::escape(&a.target).into_owned();
    match store.timeline(&a.target, a.around, a.window)? {
        Ok(r) => {
            ctx.printer(a.json).timeline(&r)?;
            Ok(if r.events.is_empty() {
                Status::NotFound
            } else {
                Status::Done
            })
        }
        Err(NoTimeline::Unknown) => {
            eprintln!("errtriage: no client or id `{target}` in the index");
            Ok(Status::NotFound)
        }
        Err(NoTimeline::NoClient(id)) => {
            let id = errtriage::sanitize::escape(&id).into_owned();
            eprintln!("errtriage: `{target}` names request {id}, which logs no client");
            Ok(Status::NotFound)
        }
    }
}
