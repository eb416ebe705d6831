//! `errtriage chains [QUERY] [--flagged]`: retry chains and the rules broken.

use anyhow::Result;
use clap::Args;
use errtriage::query::ChainSort;

use super::{Context, Status};

#[derive(Debug, Args)]
pub struct ChainsArgs {
    /// Only chains with an attempt matching this query
    #[arg(num_args = 0.., value_name = "QUERY")]
    pub query: Vec<String>,
    /// Only chains that broke a rule
    #[arg(long)]
    pub flagged: bool,
    /// Order: findings (most first), newest or oldest; default: flagged
    /// first, then newest
    #[arg(long, value_parser = parse_sort)]
    pub sort: Option<ChainSort>,
    /// At most this many chains
    #[arg(long, short = 'n', default_value_t = 100)]
    pub limit: usize,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

fn parse_sort(s: &str) -> Result<ChainSort, String> {
    ChainSort::parse(s.trim()).ok_or_else(|| {
        let names: Vec<&str> = ChainSort::ALL.iter().map(|c| c.as_str()).collect();
        format!("cannot sort chains by `{s}`; one of: {}", names.join(", "))
    })
}

pub fn run(ctx: &Context, a: ChainsArgs) -> Result<Status> {
    let query = super::parse_query(&a.query.join(" "))?;
    let sort = a.sort.unwrap_or_default();
    let result = ctx
        .store()?
        .chains_sorted(&query, a.flagged, sort, a.limit)?;
    ctx.printer(a.json).chains(&result)?;
    Ok(if result.chains.is_empty() {
        Status::NotFound
    } else {
        Status::Done
    })
}
