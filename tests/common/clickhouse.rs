//! Real ClickHouse servers for the store tests: the launcher
//! (`clickhouse_server.rs`, shared with the benchmark) plus what only tests
//! want — a loud skip where no server can start, and a store filled with
//! events in one commit.
#![allow(dead_code)]

#[path = "clickhouse_server.rs"]
pub mod launch;

#[allow(unused_imports, reason = "each test crate uses a part")]
pub use launch::{CLUSTER, Cluster, PASSWORD, Server, USER, server_binary};

/// The single server, or `None` after reporting why it cannot run here
/// (a failure under CI, a loud skip elsewhere).
pub fn single_or_skip(test: &str) -> Option<Server> {
    match Server::single() {
        Ok(s) => Some(s),
        Err(why) => {
            super::cannot_run(test, &format!("ClickHouse: {why}"));
            None
        }
    }
}

/// The two-shard cluster, or `None` after reporting why.
pub fn cluster_or_skip(test: &str) -> Option<Cluster> {
    match Cluster::two() {
        Ok(c) => Some(c),
        Err(why) => {
            super::cannot_run(test, &format!("ClickHouse cluster: {why}"));
            None
        }
    }
}

/// A ClickHouse store at `url` (schema created) holding `events`, in one commit.
pub fn fill(url: &str, events: &[errtriage::Event]) -> errtriage::store::clickhouse::ClickHouse {
    use errtriage::catalog::Catalogs;
    use errtriage::store::clickhouse::ClickHouse;
    use errtriage::store::clickhouse::sink::ClickHouseSink;
    let store = ClickHouse::connect(url, Catalogs::builtin()).unwrap();
    store.init().unwrap();
    let mut sink = ClickHouseSink::open(&store).unwrap();
    for e in events {
        sink.add_one(e).unwrap();
    }
    sink.commit().unwrap();
    sink.finish().unwrap();
    ClickHouse::open(url, Catalogs::builtin()).unwrap()
}
