//! The ClickHouse schema errtriage owns, and `store init`, which creates it
//! (idempotently) on one server or on every node of a cluster. Why each
//! choice: docs/stores.md. Every table name the rest of the store writes in
//! SQL comes from here.

use std::time::Duration;

use serde::Deserialize;

use super::client::{Bind, Client, Version};
use super::url::Target;
use crate::Result;

/// The schema version this build writes and reads. An older one in the
/// database is refused with a message saying what to do.
pub const CH_SCHEMA_VERSION: u32 = 1;

/// The event columns (beside `doc`, the rest of the Event as JSON).
const EVENT_COLUMNS: &str = "
    ts UInt64,
    ts_inferred UInt8,
    request_id String,
    trace_id String,
    idempotency_key String,
    service String,
    method String,
    path String,
    route String,
    status Nullable(UInt16),
    code String,
    class String,
    message String,
    client String,
    api String,
    format String,
    retry_after_s Nullable(Float64),
    latency_ms Nullable(Float64),
    source_file String,
    source_line UInt64,
    source_offset UInt64,
    doc String,
    raw String{raw_codec},
    batch UInt64";

/// The exact-lookup tables: (table, id column). Each is ordered by its id
/// and filled from the events by a materialized view.
pub const LOOKUPS: [(&str, &str); 3] = [
    ("by_request", "request_id"),
    ("by_key", "idempotency_key"),
    ("by_trace", "trace_id"),
];

/// One node of the store: where local tables are created.
#[derive(Debug, Clone, Deserialize)]
pub struct Node {
    pub shard_num: u32,
    pub host_address: String,
    pub port: u16,
}

/// The store's layout: one server, or a cluster's shards.
#[derive(Debug, Clone)]
pub struct Layout {
    pub cluster: Option<String>,
    /// Every node that holds local tables (one for a single server).
    pub nodes: Vec<Client>,
}

impl Layout {
    /// The table queries and inserts go through (`events`, `by_request`…):
    /// the MergeTree itself on one server, the `Distributed` one on a cluster.
    pub fn local(&self, table: &str) -> String {
        match self.cluster {
            Some(_) => format!("{table}_local"),
            None => table.to_string(),
        }
    }
}

/// Reads the cluster's nodes from `system.clusters` (each node is reached
/// on the URL's HTTP port: nodes of a cluster listen on the same ports).
pub fn layout(client: &Client, t: &Target, timeout: Duration) -> Result<Layout> {
    let Some(cluster) = &t.cluster else {
        return Ok(Layout {
            cluster: None,
            nodes: vec![client.clone()],
        });
    };
    let nodes: Vec<Node> = client.server_rows(
        "SELECT shard_num, host_address, toUInt16(port) AS port FROM system.clusters \
         WHERE cluster IN (SELECT v FROM p_cluster) ORDER BY shard_num, replica_num",
        &Bind::new().string("cluster", cluster),
    )?;
    if nodes.is_empty() {
        return Err(client.error(format!(
            "no cluster `{cluster}` in system.clusters: name one of the server's remote_servers in ?cluster="
        )));
    }
    Ok(Layout {
        cluster: Some(cluster.clone()),
        nodes: nodes
            .iter()
            .map(|n| Client::for_host(t, &n.host_address, t.port, timeout))
            .collect(),
    })
}

/// `store init`: the database, the tables and views on every node, the
/// `Distributed` tables on a cluster, and the schema version. Running it
/// again changes nothing.
pub fn init(layout: &Layout, version: Version) -> Result<()> {
    for node in &layout.nodes {
        init_node(node, layout, version)?;
    }
    if let Some(cluster) = &layout.cluster {
        for node in &layout.nodes {
            distributed(node, cluster)?;
        }
    }
    let first = &layout.nodes[0];
    for node in &layout.nodes {
        if read_version(node)?.is_none() {
            node.insert(
                "schema_version",
                format!("{{\"version\":{CH_SCHEMA_VERSION}}}\n").as_bytes(),
            )?;
        }
    }
    check_version(first)
}

fn init_node(node: &Client, layout: &Layout, version: Version) -> Result<()> {
    node.execute(
        &format!("CREATE DATABASE IF NOT EXISTS {}", node.database),
        false,
    )?;
    let codec = if version.has_codecs() {
        " CODEC(ZSTD(3))"
    } else {
        ""
    };
    let columns = EVENT_COLUMNS.replace("{raw_codec}", codec);
    let skip = if version.has_bloom_filter() {
        ",\n    INDEX request_bf request_id TYPE bloom_filter GRANULARITY 4,\
         \n    INDEX key_bf idempotency_key TYPE bloom_filter GRANULARITY 4,\
         \n    INDEX trace_bf trace_id TYPE bloom_filter GRANULARITY 4"
    } else {
        ""
    };
    let events = layout.local("events");
    node.execute(
        &format!(
            "CREATE TABLE IF NOT EXISTS {events} ({columns}{skip}) ENGINE = MergeTree \
             PARTITION BY toDate(intDiv(ts, 1000)) ORDER BY (service, code, ts)"
        ),
        true,
    )?;
    if !version.has_bloom_filter() {
        for (table, id) in LOOKUPS {
            lookup(node, layout, &events, table, id)?;
        }
    }
    node.execute(
        "CREATE TABLE IF NOT EXISTS checkpoints (seq UInt64, written UInt64, checkpoint String) \
         ENGINE = MergeTree ORDER BY seq",
        true,
    )?;
    node.execute(super::lock::TABLE, true)?;
    node.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version UInt32) ENGINE = TinyLog",
        true,
    )
}

/// A lookup table ordered by `id`, holding where each event sits in the
/// events' order, filled by a materialized view.
fn lookup(node: &Client, layout: &Layout, events: &str, table: &str, id: &str) -> Result<()> {
    let local = layout.local(table);
    node.execute(
        &format!(
            "CREATE TABLE IF NOT EXISTS {local} ({id} String, service String, code String, ts UInt64) \
             ENGINE = MergeTree PARTITION BY toDate(intDiv(ts, 1000)) ORDER BY ({id}, ts)"
        ),
        true,
    )?;
    node.execute(
        &format!(
            "CREATE MATERIALIZED VIEW IF NOT EXISTS {local}_mv TO {local} AS \
             SELECT {id}, service, code, ts FROM {events} WHERE {id} != ''"
        ),
        true,
    )
}

/// The `Distributed` tables over the local ones. A chain (the requests
/// sharing an idempotency key) lands on one shard.
fn distributed(node: &Client, cluster: &str) -> Result<()> {
    let db = &node.database;
    node.execute(
        &format!(
            "CREATE TABLE IF NOT EXISTS events AS events_local ENGINE = Distributed({cluster}, {db}, events_local, \
             cityHash64(if(idempotency_key != '', idempotency_key, request_id)))"
        ),
        true,
    )?;
    for (table, _) in LOOKUPS {
        node.execute(
            &format!(
                "CREATE TABLE IF NOT EXISTS {table} AS {table}_local \
                 ENGINE = Distributed({cluster}, {db}, {table}_local)"
            ),
            true,
        )?;
    }
    Ok(())
}

/// The schema version recorded on `node`, if any.
pub fn read_version(node: &Client) -> Result<Option<u32>> {
    #[derive(Deserialize)]
    struct Row {
        version: u32,
    }
    let exists: Vec<serde_json::Value> = node.server_rows(
        "SELECT name FROM system.tables WHERE database IN (SELECT v FROM p_db) AND name = 'schema_version'",
        &Bind::new().string("db", &node.database),
    )?;
    if exists.is_empty() {
        return Ok(None);
    }
    let rows: Vec<Row> = node.rows(
        "SELECT max(version) AS version FROM schema_version HAVING count() > 0",
        &Bind::new(),
    )?;
    Ok(rows.first().map(|r| r.version))
}

/// Refuses a database without errtriage's schema or with another version.
pub fn check_version(node: &Client) -> Result<()> {
    match read_version(node)? {
        Some(CH_SCHEMA_VERSION) => Ok(()),
        Some(v) if v < CH_SCHEMA_VERSION => Err(node.error(format!(
            "the schema is version {v}, from an older errtriage (this one needs {CH_SCHEMA_VERSION}): \
             create a new database with `errtriage --store URL store init` and ingest again"
        ))),
        Some(v) => Err(node.error(format!(
            "the schema is version {v}, from a newer errtriage (this one reads {CH_SCHEMA_VERSION}): upgrade errtriage"
        ))),
        None => Err(node.error(format!(
            "database `{}` has no errtriage schema: run `errtriage --store URL store init`",
            node.database
        ))),
    }
}
