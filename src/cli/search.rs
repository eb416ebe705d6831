//! `errtriage search QUERY`: matching events, newest first.

use anyhow::Result;
use clap::Args;

use super::{Context, Status};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (e.g. `code:slot_unavailable status:5xx since:2h`)
    #[arg(num_args = 0.., value_name = "QUERY")]
    pub query: Vec<String>,
    /// At most this many events
    #[arg(long, short = 'n', default_value_t = 50)]
    pub limit: usize,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, a: SearchArgs) -> Result<Status> {
    let query = super::parse_query(&a.query.join(" "))?;
    let result = ctx.store()?.search(&query, a.limit)?;
    ctx.printer(a.json).search(&result)?;
    Ok(if result.total == 0 {
        Status::NotFound
    } else {
        Status::Done
    })
}
