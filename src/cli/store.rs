//! `errtriage store init`: make the chosen store ready (idempotent). For
//! the local index that is its directory; for ClickHouse, the database and
//! schema.

use anyhow::Result;
use clap::{Args, Subcommand};

use super::{Context, Status};

#[derive(Debug, Args)]
pub struct StoreArgs {
    #[command(subcommand)]
    pub command: StoreCommand,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Create the store's schema (ClickHouse: database, tables; local: the
    /// index directory). Safe to run again.
    Init,
}

pub fn run(ctx: &Context, a: StoreArgs) -> Result<Status> {
    match a.command {
        StoreCommand::Init => {
            let done = errtriage::store::open::init(&ctx.store)?;
            for line in done.lines {
                println!("{}", errtriage::sanitize::escape(&line));
            }
            Ok(Status::Done)
        }
    }
}
