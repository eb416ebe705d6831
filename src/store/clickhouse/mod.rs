//! The ClickHouse store: errtriage's events in a ClickHouse server or
//! cluster, reached over its HTTP interface. It sits where the local tantivy
//! index sits (normalize ─► store ─► query): the ingest sink ([`sink`])
//! writes normalized events and checkpoints into it, and the query side
//! reads answers out of it with SQL whose values are always bound
//! ([`client::Bind`]), never pasted in.
//!
//! - [`url`]    — `clickhouse://…` into a [`Target`]
//! - [`client`] — HTTP, binding, compression, errors as advice
//! - [`schema`] — the tables, `store init`, the schema version
//! - [`sink`]   — exactly-once ingest: batches and checkpoints
//! - [`lock`]   — one ingest at a time: the lease
//! - [`sql`]    — the query AST as a bound SQL condition
//! - [`find`]   — one id → events and judged chains
//! - [`chains`] — the chains of a query's keys, judged by the library
//! - [`search`] — search and count
//! - [`groups`] — GROUP BY with the local store's sort
//! - [`histogram`] — counts per time bucket
//! - [`impact`] — who else is hit: tallies judged by the library
//! - [`around`] — a client's timeline, the lines around events
//! - [`pages`]  — pages anchored at a time, value completion

pub mod around;
pub mod chains;
pub mod client;
pub mod find;
pub mod groups;
pub mod histogram;
pub mod impact;
pub mod lock;
pub mod pages;
pub mod schema;
mod seam;
pub mod search;
pub mod sink;
pub mod sql;
pub mod url;

use std::time::Duration;

pub use client::{Bind, Client, Version};
pub use schema::Layout;
pub use url::Target;

use crate::Result;
use crate::catalog::Catalogs;

/// How long one request may take before it fails with a clear message.
pub const TIMEOUT: Duration = Duration::from_secs(300);

/// A connected ClickHouse store.
pub struct ClickHouse {
    pub target: Target,
    pub client: Client,
    pub version: Version,
    pub layout: Layout,
    /// What codes mean and how chains are judged (as the local store).
    pub catalogs: Catalogs,
    /// The last commit seen (see `Store::generation`).
    generation: std::sync::atomic::AtomicU64,
}

impl ClickHouse {
    /// Connects to the URL's server and reads its version and (for a
    /// cluster) its nodes; the schema is not checked (see [`ClickHouse::open`]).
    pub fn connect(url: &str, catalogs: Catalogs) -> Result<ClickHouse> {
        let target = Target::parse(url)?;
        ClickHouse::connect_to(target, catalogs)
    }

    pub fn connect_to(target: Target, catalogs: Catalogs) -> Result<ClickHouse> {
        let client = Client::new(&target, TIMEOUT);
        let version = client.version()?;
        let layout = schema::layout(&client, &target, TIMEOUT)?;
        Ok(ClickHouse {
            target,
            client,
            version,
            layout,
            catalogs,
            generation: Default::default(),
        })
    }

    /// Connects and checks that the schema is this errtriage's.
    pub fn open(url: &str, catalogs: Catalogs) -> Result<ClickHouse> {
        let store = ClickHouse::connect(url, catalogs)?;
        schema::check_version(&store.client)?;
        Ok(store)
    }

    /// Refuses a database without this errtriage's schema.
    pub fn check_schema(&self) -> Result<()> {
        schema::check_version(&self.client)
    }

    /// `errtriage store init`: creates the schema (idempotent).
    pub fn init(&self) -> Result<()> {
        schema::init(&self.layout, self.version)
    }

    /// What `stats` says the store is: the URL without its password.
    pub fn describe(&self) -> String {
        format!(
            "ClickHouse {}.{} at {}",
            self.version.0,
            self.version.1,
            self.target.display()
        )
    }
}
