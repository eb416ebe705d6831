//! `errtriage groups [QUERY] --by FIELD[,FIELD] --sort …`: what is failing
//! most, and where.

use anyhow::{Result, bail};
use clap::Args;
use errtriage::query::{GroupBy, GroupSort};

use super::{Context, Status};

#[derive(Debug, Args)]
pub struct GroupsArgs {
    /// Only events matching this query
    #[arg(num_args = 0.., value_name = "QUERY")]
    pub query: Vec<String>,
    /// The field to group by, or two (`code,service`: one row per pair):
    /// code, class, status, service, path, client, …
    #[arg(long, value_delimiter = ',', default_value = "code", value_parser = parse_by)]
    pub by: Vec<GroupBy>,
    /// Order: count, errors, rate (error rate) or last_seen
    #[arg(long, default_value = "count", value_parser = parse_sort)]
    pub sort: GroupSort,
    /// At most this many groups
    #[arg(long, short = 'n', default_value_t = 50)]
    pub limit: usize,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// A field name, from the one list the library groups by (so a field added
/// there is accepted here).
fn parse_by(s: &str) -> Result<GroupBy, String> {
    GroupBy::parse(s.trim()).ok_or_else(|| {
        let names: Vec<&str> = GroupBy::ANY.iter().map(|b| b.as_str()).collect();
        format!("cannot group by `{s}`; fields: {}", names.join(", "))
    })
}

fn parse_sort(s: &str) -> Result<GroupSort, String> {
    GroupSort::parse(s.trim()).ok_or_else(|| {
        let names: Vec<&str> = GroupSort::ALL.iter().map(|b| b.as_str()).collect();
        format!("cannot sort by `{s}`; one of: {}", names.join(", "))
    })
}

pub fn run(ctx: &Context, a: GroupsArgs) -> Result<Status> {
    if a.by.len() > 2 {
        bail!(
            "--by takes one field or two (`code,service`), not {}",
            a.by.len()
        );
    }
    let query = super::parse_query(&a.query.join(" "))?;
    let result = ctx.store()?.groups_by(&query, &a.by, a.sort, a.limit)?;
    ctx.printer(a.json).groups(&result)?;
    Ok(if result.groups.is_empty() {
        Status::NotFound
    } else {
        Status::Done
    })
}
