//! `errtriage chains [QUERY] [--flagged]`: retry chains and the rules broken.

use anyhow::Result;
use clap::Args;

use super::{Context, Status};

#[derive(Debug, Args)]
pub struct ChainsArgs {
    /// Only chains with an attempt matching this query
    #[arg(num_args = 0.., value_name = "QUERY")]
    pub query: Vec<String>,
    /// Only chains that broke a rule
    #[arg(long)]
    pub flagged: bool,
    /// At most this many chains
    #[arg(long, short = 'n', default_value_t = 100)]
    pub limit: usize,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, a: ChainsArgs) -> Result<Status> {
    let query = super::parse_query(&a.query.join(" "))?;
    let result = ctx.store()?.chains(&query, a.flagged, a.limit)?;
    ctx.printer(a.json).chains(&result)?;
    Ok(if result.chains.is_empty() {
        Status::NotFound
    } else {
        Status::Done
    })
}
