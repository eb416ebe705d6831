//! `errtriage groups [QUERY] --by FIELD`: what is failing most.

use anyhow::Result;
use clap::{Args, ValueEnum};
use errtriage::query::GroupBy;

use super::{Context, Status};

#[derive(Debug, Args)]
pub struct GroupsArgs {
    /// Only events matching this query
    #[arg(num_args = 0.., value_name = "QUERY")]
    pub query: Vec<String>,
    /// The field to group by
    #[arg(long, value_enum, default_value_t = By::Code)]
    pub by: By,
    /// At most this many groups
    #[arg(long, short = 'n', default_value_t = 50)]
    pub limit: usize,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum By {
    Code,
    Class,
    Status,
    Service,
    Route,
    Path,
    Client,
}

impl From<By> for GroupBy {
    fn from(b: By) -> GroupBy {
        match b {
            By::Code => GroupBy::Code,
            By::Class => GroupBy::Class,
            By::Status => GroupBy::Status,
            By::Service => GroupBy::Service,
            By::Route => GroupBy::Route,
            By::Path => GroupBy::Path,
            By::Client => GroupBy::Client,
        }
    }
}

pub fn run(ctx: &Context, a: GroupsArgs) -> Result<Status> {
    let query = super::parse_query(&a.query.join(" "))?;
    let result = ctx.store()?.groups(&query, a.by.into(), a.limit)?;
    ctx.printer(a.json).groups(&result)?;
    Ok(if result.groups.is_empty() {
        Status::NotFound
    } else {
        Status::Done
    })
}
